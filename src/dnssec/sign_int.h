/* sign_int.h -- internals shared by sign_keys.c, sign.c and answer.c. */
#ifndef HS_DNSSEC_SIGN_INT_H
#define HS_DNSSEC_SIGN_INT_H

#include "dnssec/sign.h"

struct ds_keys {
	ldns_key_list *list; /* owns its keys */
};

struct ds_zone {
	char apex_text[256];
	ldns_rdf *apex;
	ldns_rr_list *rrs; /* every record, canonical order, SOA first */
	ldns_rr *soa;      /* borrowed from rrs */
	uint32_t serial, inception, expiration, resign_at;
	size_t nrrsets;
};

/* One key pair from BIND/ldns files (the .private, the .key or their base
 * name), checked against `zone`: flags, owner, matching halves. Errors as
 * ds_keys_load. Shared with the zone signer (zs_key_load). */
int ds_key_load_one(const ldns_rdf *zone, const char *path, ldns_key **out, hs_errmsg_t *em);

#endif
