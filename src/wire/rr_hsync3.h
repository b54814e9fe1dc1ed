/*
 * rr_hsync3.h -- HSYNC3 (65285): one provider's enrollment in a zone.
 *
 * RDATA: state u8 (0 OFF, 1 ON), label (character-string), identity
 * (uncompressed name), upstream (character-string; "." = none).
 * Presentation: `ON netnod agent.netnod.se. .`
 *
 * Trailing-dot quirk (kept for byte compatibility with tdns): an unquoted
 * label or upstream read from text gets a dot appended unless it already
 * ends in one, so `netnod` is written as the 7 octets "netnod." on the
 * wire. Decoders accept either form. When printing, a value "X." (X not
 * ending in a dot) is shown as bare `X`, "." as `.`, and anything else
 * quoted ("\"netnod\"" is the octets "netnod" without the dot), so every
 * RDATA prints to text that reads back to the same octets. Compare labels
 * with hs_hsync3_label_eq(), never byte for byte.
 *
 * Output buffers are appended to and left as they were on failure.
 */
#ifndef HS_WIRE_RR_HSYNC3_H
#define HS_WIRE_RR_HSYNC3_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "wire/cursor.h"

typedef struct hs_hsync3 {
	uint8_t state;                   /* HS_HSYNC3_OFF, HS_HSYNC3_ON (others kept as read) */
	const uint8_t *label;            /* borrowed from the decoded RDATA */
	size_t label_len;                /* <= 255 */
	uint8_t identity[WIRE_NAME_MAX]; /* wire form */
	size_t identity_len;
	const uint8_t *upstream; /* borrowed; "." means none */
	size_t upstream_len;     /* <= 255 */
} hs_hsync3_t;

enum { HS_HSYNC3_OFF = 0, HS_HSYNC3_ON = 1 };

/* Strict decode: HS_E_TRUNC, HS_E_COMPRESSED, HS_E_NAME, HS_E_TRAILING. */
int hs_hsync3_decode(const uint8_t *rdata, size_t len, hs_hsync3_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;
/* Append RDATA exactly as the fields say (no dot added): HS_E_RANGE for a
 * string over 255 octets, HS_E_NAME for a bad identity. */
int hs_hsync3_encode(const hs_hsync3_t *h, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hsync3_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hsync3_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out,
                      hs_errmsg_t *em) HS_CHECK_RESULT;

/* 1 if the labels are equal once one trailing dot is stripped from each
 * (case-insensitive, as labels are DNS-ish tags), else 0. */
int hs_hsync3_label_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* 1 if the upstream names a provider (is not "." or empty). */
int hs_hsync3_has_upstream(const hs_hsync3_t *h);

#endif
