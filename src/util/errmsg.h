/*
 * errmsg.h -- an error code with a human-readable detail.
 *
 * Parsers and loaders that reject input say which field and why
 * ("hsync3 identity: compression pointer"). They take an optional
 * `hs_errmsg_t *` (NULL = caller does not want the text) and return the
 * code through hs_fail(), which fills the text.
 */
#ifndef HS_UTIL_ERRMSG_H
#define HS_UTIL_ERRMSG_H

#include "util/hs_err.h"

typedef struct hs_errmsg {
	int code;
	char text[256];
} hs_errmsg_t;

/* Record `code` and the formatted detail in `em` (if not NULL); returns code. */
int hs_fail(hs_errmsg_t *em, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reset to "no error". */
void hs_errmsg_clear(hs_errmsg_t *em);

/* The detail text, or hs_strerror(code) when no detail was recorded. */
const char *hs_errmsg_str(const hs_errmsg_t *em);

#endif
