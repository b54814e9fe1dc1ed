/* dv_int.h -- internals shared by the files of src/dnssec. */
#ifndef HS_DNSSEC_DV_INT_H
#define HS_DNSSEC_DV_INT_H

#include "dnssec/dnssec.h"

/* 1 if `name` equals `zone` or lies below it (case-insensitive). */
int dv_name_at_or_below(const ldns_rdf *name, const ldns_rdf *zone);

/* Lowercase presentation with final dot into `out` ("." for the root). */
void dv_name_str(const ldns_rdf *name, char *out, size_t outlen);

const ldns_rr_list *dv_anchors_list(const dv_anchors_t *a);
const ldns_rdf *dv_anchors_closest_rdf(const dv_anchors_t *a, const ldns_rdf *name);
void dv_anchors_at(const dv_anchors_t *a, const ldns_rdf *zone, ldns_rr_list *out);

/* Presentation of an RR type ("DNSKEY", "TYPE65290") into `out`. */
void dv_type_str(uint16_t type, char *out, size_t outlen);

#endif
