/* hsync-discover -- internal interface between options, the query loop
 * and the printer. */
#ifndef HS_TOOLS_HSYNC_DISCOVER_H
#define HS_TOOLS_HSYNC_DISCOVER_H

#include <stdint.h>
#include <stdio.h>

#include "dnssec/dnssec.h"
#include "engine/discovery.h"

enum {
	HD_EXIT_OK = 0,      /* every identity accepted */
	HD_EXIT_REFUSED = 1, /* at least one identity refused */
	HD_EXIT_USAGE = 2,   /* bad command line, unreadable anchor */
};

struct hd_opts {
	const char *server;
	unsigned port;
	dv_anchors_t *anchors;
	int nanchors;
	int insecure;
	int have_now;
	uint64_t now_s;
	unsigned timeout_s;
	int tcp;
	int verbose;
	char **ids;
	int nids;
};

/* Parse argv into `o`: -1 to go on, else the exit code (after printing
 * help or a one-line error). hd_opts_free releases what it holds. */
/* The --help text. */
extern const char hd_usage_text[];
int hd_parse_args(int argc, char **argv, struct hd_opts *o);
void hd_opts_free(struct hd_opts *o);

/* Print one identity's result in the tool's dig-like layout. */
void hd_print_result(FILE *f, const disc_result_t *r, uint64_t now_ms);

#endif
