/* libFuzzer target: an answer message parsed into an RRset
 * (dv_rrset_from_wire), then validated (dv_validate, or the DNSKEY step
 * for DNSKEY answers) with anchors for lab. and alpha.lab.: the RRSIGs,
 * DNSKEYs and DS records in the input reach the validator.
 * Input: byte 0 picks the question (type and owner), the rest is the
 * message. Seeds: answers signed by tests/dnssec/dv_testzone.h. */
#include <stdlib.h>
#include <string.h>

#include "dnssec/dnssec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	uint16_t type;
	const char *owner;
} questions[] = {
    {1, "dns.alpha.lab."},     {28, "dns.alpha.lab."},        {25, "dns.alpha.lab."},
    {65290, "dns.alpha.lab."}, {256, "_dns._tcp.alpha.lab."}, {48, "alpha.lab."},
    {43, "alpha.lab."},
};

static const char anchors_text[] =
    "alpha.lab. 3600 IN DNSKEY 257 3 15 CWoqhpfV1eZDRWu/1BLXpNr/OrTNKLYgG+44+fhU/lA=\n"
    "lab. 3600 IN DS 57159 15 2 "
    "6bb98a1d211c2a1fca80c76c013c1d231c03b4de934b4fde4d0a6cd477349b0b\n";

struct fetch_arg {
	const dv_rrset_t *answer;
	dv_rrset_t *empty;
	int calls;
};

static int fetch(void *arg, const char *name, uint16_t type, const dv_rrset_t **out,
                 hs_errmsg_t *em)
{
	struct fetch_arg *f = arg;
	(void)em;
	if (++f->calls > 64)
		return HS_E_LIMIT;
	if (type == f->answer->type && strcmp(name, f->answer->name) == 0) {
		*out = f->answer;
		return HS_OK;
	}
	dv_rrset_free(f->empty);
	f->empty = NULL;
	if (dv_rrset_new(name, type, &f->empty) != HS_OK)
		return HS_E_NAME;
	*out = f->empty;
	return HS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dv_anchors_t *anchors;
	dv_rrset_t *s = NULL;
	dv_result_t res;
	if (size < 1)
		return 0;
	if (!anchors) {
		anchors = dv_anchors_new();
		if (dv_anchors_add_text(anchors, anchors_text, NULL) != HS_OK)
			abort();
	}
	size_t q = data[0] % (sizeof(questions) / sizeof(questions[0]));
	if (dv_rrset_from_wire(data + 1, size - 1, questions[q].owner, questions[q].type, &s,
	                       NULL) != HS_OK)
		return 0;
	if (s->type != questions[q].type || strcmp(s->name, questions[q].owner) != 0)
		abort();
	struct fetch_arg fa = {s, NULL, 0};
	dv_ctx_t ctx = {.anchors = anchors, .fetch = fetch, .fetch_arg = &fa, .now = 1800000000u};
	if (dv_rrset_count(s) > 0) {
		int rc = dv_validate(&ctx, s, &res, NULL);
		if (rc == HS_OK && res.security == DV_INSECURE)
			abort(); /* insecure mode is off */
		if (s->type == 48 && dv_validate_zone_keys(&ctx, s->name, &res, NULL) == HS_OK &&
		    res.security == DV_INSECURE)
			abort();
	}
	dv_rrset_free(fa.empty);
	dv_rrset_free(s);
	return 0;
}
