/*
 * ldns_glue.h -- hsync's record types inside ldns (1.8), which treats them
 * as unknown types (RFC 3597): an RR of such a type carries its RDATA as
 * one opaque rdf. These helpers move RDATA between ldns_rr and the codecs
 * of rdata.h without ever letting ldns interpret it.
 */
#ifndef HS_WIRE_LDNS_GLUE_H
#define HS_WIRE_LDNS_GLUE_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

/* Append the RDATA octets of any RR (uncompressed wire form, as the rdfs
 * serialise). HS_E_INVAL for a NULL rr, HS_E_INTERNAL if ldns fails. */
int hs_ldns_rr_rdata(const ldns_rr *rr, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* A new RR `owner` `ttl` IN `type` with the given RDATA octets (one
 * opaque rdf). `*out` is the caller's (ldns_rr_free). HS_E_NAME for a bad
 * owner. The RDATA is not validated here; see hs_ldns_rr_new(). */
int hs_ldns_rr_new_wire(const char *owner, uint32_t ttl, uint16_t type, const uint8_t *rdata,
                        size_t len, ldns_rr **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* A new RR of an hsync type from presentation RDATA (rdata.h text, so also
 * "\# LEN HEX"). Errors of hs_rdata_from_text() and HS_E_NAME. */
int hs_ldns_rr_new(const char *owner, uint32_t ttl, uint16_t type, const char *rdata_text,
                   ldns_rr **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Append hsync's presentation of the RDATA of `rr` (strict decode of its
 * octets). HS_E_UNKNOWN_TYPE if the type is not ours. */
int hs_ldns_rr_to_text(const ldns_rr *rr, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Wire RDATA of any RR type -> presentation (the text after the type in a
 * zone file). hsync types go through hs_rdata_to_text(); every other type
 * through ldns's field table, strictly: the fields must re-serialise to
 * exactly the given octets (no compression pointer, no trailing octet)
 * and the text must read back to them (canonical type bitmaps), else
 * HS_E_MALFORMED with the reason in `em`. `out` is left as it was on
 * failure. Types ldns does not know print in RFC 3597 form. */
int hs_ldns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out,
                          hs_errmsg_t *em) HS_CHECK_RESULT;

/* Presentation RDATA of any RR type -> wire (uncompressed). hsync types
 * through hs_rdata_from_text(), others through ldns; names are taken as
 * absolute. HS_E_SYNTAX when ldns refuses the text, and the errors of
 * hs_rdata_from_text(). */
int hs_ldns_rdata_from_text(uint16_t type, const char *text, hs_buf_t *out,
                            hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
