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

#endif
