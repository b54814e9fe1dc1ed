/*
 * rr_chunk.h -- CHUNK (65288): one piece of a distribution, or its manifest.
 *
 * RDATA: format u8, hmaclen u16, hmac, sequence u16 (0 = manifest),
 * total u16 (number of data chunks), length u16, data.
 * Presentation (field order as tdns prints it):
 *   <sequence> <total> <format> <hmac> <data>
 *   format: JSON, JWT, HPKE, MSGPACK (proto/chunk_formats.def), FORMATn
 *           or a decimal number
 *   hmac:   hex, or "" when empty
 *   data:   sequence 0 (manifest): the JSON text as one token, bare when
 *           it is printable without whitespace, backslashes, ';' or
 *           parentheses and does not start with '"', else quoted with
 *           escapes; other sequences: base64 (may be split over several
 *           tokens), "" when empty.
 * Example: `1 2 JSON "" aGVsbG8gd29ybGQ=`.
 */
#ifndef HS_WIRE_RR_CHUNK_H
#define HS_WIRE_RR_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

typedef struct hs_chunk {
	uint8_t format;      /* enum hs_chunk_format */
	const uint8_t *hmac; /* borrowed */
	uint16_t hmac_len;
	uint16_t sequence; /* 0 = manifest */
	uint16_t total;
	const uint8_t *data; /* borrowed */
	uint16_t data_len;
} hs_chunk_t;

/* Strict decode: HS_E_TRUNC, HS_E_TRAILING. */
int hs_chunk_decode(const uint8_t *rdata, size_t len, hs_chunk_t *out,
                    hs_errmsg_t *em) HS_CHECK_RESULT;
/* Append RDATA; HS_E_RANGE if it would exceed 65535 octets. */
int hs_chunk_encode(const hs_chunk_t *c, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_chunk_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_chunk_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;

/* CHUNK format byte names, shared with the CHUNK EDNS(0) option:
 * "JSON" or NULL; parse accepts names, FORMATn and numbers. */
const char *hs_chunk_format_name(uint8_t format);
int hs_chunk_format_parse(const char *s, size_t n, uint8_t *format) HS_CHECK_RESULT;
/* Append the format as presented ("JSON" or "FORMAT7"). */
void hs_chunk_format_print(hs_buf_t *out, uint8_t format);

#endif
