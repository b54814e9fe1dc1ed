/*
 * hsyncctl.h -- shared parts of hsyncctl: the view table (how each
 * command's result is shown), the renderer and the socket client.
 */
#ifndef HS_TOOLS_HSYNCCTL_H
#define HS_TOOLS_HSYNCCTL_H

#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/json.h"

/* Exit codes (documented in --help). */
#define CTL_EXIT_OK      0
#define CTL_EXIT_ERROR   1 /* the daemon answered with an error (or garbage) */
#define CTL_EXIT_USAGE   2
#define CTL_EXIT_CONNECT 3 /* no daemon on the socket */

/* How one value is shown in a cell. */
enum col_fmt {
	COL_STR,      /* string as is; integer as digits; absent/null "-" */
	COL_NUM,      /* integer, right-aligned */
	COL_AGE,      /* Unix time shown as the age relative to the response's "time" */
	COL_LIST,     /* array of strings joined with ", " */
	COL_VERDICTS, /* array of {provider, verdict, reason, unconfirmed}: "p: verdict (reason)" */
};

struct col {
	const char *head; /* column heading or KV label */
	const char *key;  /* member of the row object */
	enum col_fmt fmt;
};

enum view_shape {
	SHAPE_TABLE,   /* result: array of objects, one row each */
	SHAPE_KV,      /* result: one object, "label: value" lines (+ an optional sub-table) */
	SHAPE_MATRIX,  /* gossip: array of groups, each with members and an N x N matrix */
	SHAPE_LINES,   /* result: object with an array of strings under `sub_key`, one per line */
	SHAPE_MESSAGE, /* result: a string (or {"message": ...}, or null = "ok") */
};

struct view {
	const char *cmd; /* "peer show" */
	int min_args, max_args;
	const char *args; /* usage of the arguments ("ID") */
	enum view_shape shape;
	const struct col *cols;
	size_t ncols;
	const char
	    *sub_key; /* SHAPE_KV: array of objects shown as a table; SHAPE_LINES: the lines */
	const struct col *sub_cols;
	size_t nsub;
	const char *summary;
};

extern const struct view ctl_views[];
extern const size_t ctl_nviews;

/* The view whose command words are a prefix of argv (longest), or NULL. */
const struct view *ctl_view_find(int argc, char **argv);
/* 1 when `word` is the first of several words of known commands ("zone"). */
int ctl_view_group(const char *word);

/* Render `result` per `v` to `out`; `now` is the response's time. */
void ctl_render(FILE *out, const struct view *v, const hs_json_t *result, uint64_t now);

/*
 * Send argv as one request to the socket at `path` and read one response
 * line into `resp` (without the newline). Returns CTL_EXIT_OK, or
 * CTL_EXIT_CONNECT / CTL_EXIT_ERROR after printing a one-line error.
 */
int ctl_exchange(const char *path, int argc, char **argv, unsigned timeout_ms, hs_buf_t *resp);

#endif
