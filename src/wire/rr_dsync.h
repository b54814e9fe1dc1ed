/*
 * rr_dsync.h -- DSYNC (RFC 9859, type 66): where a child signals its parent.
 *
 * RDATA: rrtype u16, scheme u8, port u16, target (uncompressed name).
 * Presentation: `CDS NOTIFY 5359 ns1.example.com.`; the type may be any
 * mnemonic ldns knows, an hsync mnemonic, TYPEnnn or a number; the scheme
 * a mnemonic of proto/dsync_schemes.def or a number.
 *
 * Output buffers are caller-owned and appended to; on failure they are
 * left as they were. `em` may be NULL.
 */
#ifndef HS_WIRE_RR_DSYNC_H
#define HS_WIRE_RR_DSYNC_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "wire/cursor.h"

typedef struct hs_dsync {
	uint16_t rrtype;
	uint8_t scheme;
	uint16_t port;
	uint8_t target[WIRE_NAME_MAX]; /* wire form */
	size_t target_len;
} hs_dsync_t;

/* Strict decode. HS_E_TRUNC, HS_E_COMPRESSED, HS_E_NAME, HS_E_TRAILING. */
int hs_dsync_decode(const uint8_t *rdata, size_t len, hs_dsync_t *out,
                    hs_errmsg_t *em) HS_CHECK_RESULT;
/* Append the RDATA; HS_E_NAME if `d->target` is not a valid wire name. */
int hs_dsync_encode(const hs_dsync_t *d, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Presentation -> RDATA. HS_E_SYNTAX, HS_E_RANGE, HS_E_NAME, HS_E_UNKNOWN_TYPE. */
int hs_dsync_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
/* RDATA -> presentation (decode errors as hs_dsync_decode). */
int hs_dsync_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;

/* Mnemonic of a scheme ("NOTIFY"), NULL if unknown. */
const char *hs_dsync_scheme_name(uint8_t scheme);
/* "NOTIFY", "notify" or a decimal number 0-255. */
int hs_dsync_scheme_parse(const char *s, uint8_t *scheme) HS_CHECK_RESULT;

#endif
