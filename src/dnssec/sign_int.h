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

#endif
