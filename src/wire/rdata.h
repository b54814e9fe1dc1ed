/*
 * rdata.h -- presentation <-> wire for the RDATA of hsync's record types
 * and for its EDNS(0) options. The text-level contract every tool uses;
 * structured per-type access lives in the per-type headers of src/wire.
 *
 * Types handled: DSYNC, HSYNC3, HSYNCPARAM, CHUNK, HPKEKEY (both ways) and
 * the legacy HSYNC, HSYNC2 (wire -> text only). RFC 3597 generic text
 * ("\# LEN HEX") is accepted for every type.
 *
 * All functions append to `out` (caller-owned hs_buf_t; text output is
 * NUL-terminated via hs_buf_cstr, the NUL not counted) and on failure
 * leave `out` as it was, return an HS_E_* code and, when `em` is not NULL,
 * say which field failed and why ("hsync3 identity: compression pointer
 * not allowed").
 *
 * Error codes: HS_E_UNKNOWN_TYPE (not an hsync type or option),
 * HS_E_SYNTAX (text: missing field, bad number, quoting or escape, extra
 * text), HS_E_RANGE (text: number or length out of range), HS_E_NAME,
 * HS_E_TRUNC, HS_E_TRAILING, HS_E_COMPRESSED, HS_E_ORDER and HS_E_EXISTS
 * (HSYNCPARAM keys out of order / repeated), HS_E_MALFORMED (a value that
 * breaks its field's rules), HS_E_NOTSUP (unknown HPKE KEM; text for a
 * decode-only type), HS_E_LIMIT (over 64 HSYNCPARAM parameters).
 * Formats: rfc-drafts/draft-hsync-records.md and the per-type headers.
 */
#ifndef HS_WIRE_RDATA_H
#define HS_WIRE_RDATA_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

/* Mnemonic of an hsync RR type ("HSYNC3"), or NULL if not one of ours. */
const char *hs_rrtype_name(uint16_t type);
/* Parse "HSYNC3", "hsync3" or "TYPE65285" for an hsync type;
 * HS_E_UNKNOWN_TYPE for anything else. */
int hs_rrtype_parse(const char *name, uint16_t *type) HS_CHECK_RESULT;
/* 1 if hsync writes `type` (encodes from text), 0 for decode-only legacy
 * types and types that are not ours. */
int hs_rrtype_writable(uint16_t type);
/* Any RR type: hsync mnemonics first, then the query types IXFR, AXFR,
 * MAILB, MAILA and ANY (251..255), ldns's table ("CDS"), then "TYPEnnn"
 * or a plain decimal number. HS_E_UNKNOWN_TYPE otherwise. */
int hs_rrtype_any_parse(const char *name, uint16_t *type) HS_CHECK_RESULT;
/* Append the mnemonic of any RR type ("ANY" for 255, as tdns and ldns
 * write a DSYNC for every type), or "TYPEnnn". */
void hs_rrtype_any_print(hs_buf_t *out, uint16_t type);

/* Presentation RDATA (what follows the type in a zone file) -> wire. */
int hs_rdata_from_text(uint16_t type, const char *text, hs_buf_t *out,
                       hs_errmsg_t *em) HS_CHECK_RESULT;
/* Wire RDATA -> presentation (strict: lengths, no compression, no
 * trailing bytes). */
int hs_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;

/* RFC 3597 generic presentation ("\# LEN HEX") of any RDATA. */
void hs_rdata_generic_print(hs_buf_t *out, const uint8_t *rdata, size_t len);

/* Mnemonic of an hsync EDNS(0) option ("KEYSTATE"), or NULL. */
const char *hs_edns_opt_name(uint16_t code);
/* Option NAME and its presentation fields -> code + length + data. */
int hs_edns_opt_from_text(const char *name, const char *fields, hs_buf_t *out,
                          hs_errmsg_t *em) HS_CHECK_RESULT;
/* Option data (without code and length) -> presentation fields. */
int hs_edns_opt_to_text(uint16_t code, const uint8_t *data, size_t len, hs_buf_t *out,
                        hs_errmsg_t *em) HS_CHECK_RESULT;
/* Option mnemonic (case-insensitive) -> code; HS_E_UNKNOWN_TYPE if not ours. */
int hs_edns_opt_parse(const char *name, uint16_t *code) HS_CHECK_RESULT;

#endif
