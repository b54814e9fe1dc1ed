/*
 * json_out.h -- a small JSON (RFC 8259) writer into an hs_buf_t.
 *
 * The writer keeps a stack of open objects/arrays and inserts commas and
 * colons itself; inside an object every value is preceded by hs_jw_key()
 * (or use the hs_jw_kv_* shorthands). Output is compact: one line, no
 * raw newlines (they are escaped inside strings), so a document can be
 * sent as one line of a line-based protocol.
 *
 * Strings: '"', '\\' and control characters are escaped; bytes that are
 * not valid UTF-8 are written as U+FFFD, so the output always parses.
 *
 * Misuse (a value without a key inside an object, a key outside an
 * object, closing the wrong container, nesting deeper than
 * HS_JW_MAX_DEPTH, a second top-level value) is remembered as the first
 * error and reported by hs_jw_finish(); appends cannot fail otherwise.
 */
#ifndef HS_UTIL_JSON_OUT_H
#define HS_UTIL_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/hs_err.h"

#define HS_JW_MAX_DEPTH 32

typedef struct hs_jw {
	hs_buf_t *out;
	int err;                     /* first misuse, HS_OK while none */
	int depth;                   /* open containers */
	int done;                    /* a complete top-level value was written */
	int want_value;              /* hs_jw_key() was called, the value is next */
	char kind[HS_JW_MAX_DEPTH];  /* '{' or '[' per level */
	unsigned n[HS_JW_MAX_DEPTH]; /* members written per level */
} hs_jw_t;

/* Start writing one JSON value, appended to `out` (not reset). */
void hs_jw_init(hs_jw_t *w, hs_buf_t *out);

void hs_jw_obj_begin(hs_jw_t *w);
void hs_jw_obj_end(hs_jw_t *w);
void hs_jw_arr_begin(hs_jw_t *w);
void hs_jw_arr_end(hs_jw_t *w);
/* The member name of the next value (inside an object only). */
void hs_jw_key(hs_jw_t *w, const char *key);

/* Scalars. hs_jw_str(w, NULL) writes null. */
void hs_jw_str(hs_jw_t *w, const char *s);
void hs_jw_strn(hs_jw_t *w, const char *s, size_t n);
void hs_jw_u64(hs_jw_t *w, uint64_t v);
void hs_jw_i64(hs_jw_t *w, int64_t v);
void hs_jw_bool(hs_jw_t *w, int v);
void hs_jw_null(hs_jw_t *w);
/* Append `json` verbatim as one value; the caller vouches it is valid. */
void hs_jw_raw(hs_jw_t *w, const char *json);

/* Key + value shorthands. */
void hs_jw_kv_str(hs_jw_t *w, const char *key, const char *s);
void hs_jw_kv_u64(hs_jw_t *w, const char *key, uint64_t v);
void hs_jw_kv_i64(hs_jw_t *w, const char *key, int64_t v);
void hs_jw_kv_bool(hs_jw_t *w, const char *key, int v);

/* 1 when nothing has been written yet. */
int hs_jw_empty(const hs_jw_t *w);

/*
 * HS_OK when exactly one complete value was written and every container
 * is closed; HS_E_STATE after any misuse or with containers still open.
 */
int hs_jw_finish(const hs_jw_t *w) HS_CHECK_RESULT;

#endif
