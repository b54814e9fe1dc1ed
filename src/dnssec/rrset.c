/* RRsets and their RRSIGs, taken from answer messages (untrusted bytes). */
#include "dnssec/dv_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"

int dv_name_at_or_below(const ldns_rdf *name, const ldns_rdf *zone)
{
	if (!name || !zone)
		return 0;
	return ldns_dname_compare(name, zone) == 0 || ldns_dname_is_subdomain(name, zone);
}

void dv_name_str(const ldns_rdf *name, char *out, size_t outlen)
{
	char *s = name ? ldns_rdf2str(name) : NULL;
	if (!outlen)
		return;
	snprintf(out, outlen, "%s", s ? s : "?");
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	free(s);
}

void dv_type_str(uint16_t type, char *out, size_t outlen)
{
	char *s = ldns_rr_type2str((ldns_rr_type)type);
	snprintf(out, outlen, "%s", s ? s : "?");
	free(s);
}

static dv_rrset_t *rrset_alloc(const ldns_rdf *owner, uint16_t type)
{
	dv_rrset_t *s = xcalloc(1, sizeof(*s));
	dv_name_str(owner, s->name, sizeof(s->name));
	s->type = type;
	s->rrs = ldns_rr_list_new();
	s->sigs = ldns_rr_list_new();
	if (!s->rrs || !s->sigs)
		abort();
	return s;
}

void dv_rrset_free(dv_rrset_t *s)
{
	if (!s)
		return;
	ldns_rr_list_deep_free(s->rrs);
	ldns_rr_list_deep_free(s->sigs);
	free(s);
}

int dv_rrset_new(const char *name, uint16_t type, dv_rrset_t **out)
{
	ldns_rdf *owner = NULL;
	if (!name || !out)
		return HS_E_INVAL;
	if (ldns_str2rdf_dname(&owner, name) != LDNS_STATUS_OK)
		return HS_E_NAME;
	*out = rrset_alloc(owner, type);
	ldns_rdf_deep_free(owner);
	return HS_OK;
}

/* Which list of `s` an RR belongs to, or NULL if it belongs to neither. */
static ldns_rr_list *list_for(dv_rrset_t *s, const ldns_rdf *owner, const ldns_rr *rr)
{
	ldns_rdf *o = NULL;
	ldns_rr_list *l = NULL;
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return NULL;
	if (ldns_str2rdf_dname(&o, s->name) != LDNS_STATUS_OK)
		return NULL;
	if (ldns_dname_compare(o, owner) != 0)
		goto done;
	if (ldns_rr_get_type(rr) == s->type) {
		l = s->rrs;
	} else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG && ldns_rr_rd_count(rr) >= 9) {
		const ldns_rdf *tc = ldns_rr_rrsig_typecovered(rr);
		if (tc && ldns_rdf_size(tc) == 2 && ldns_rdf2rr_type(tc) == s->type)
			l = s->sigs;
	}
done:
	ldns_rdf_deep_free(o);
	return l;
}

int dv_rrset_add(dv_rrset_t *s, const ldns_rr *rr)
{
	if (!s || !rr)
		return HS_E_INVAL;
	ldns_rr_list *l = list_for(s, ldns_rr_owner(rr), rr);
	if (!l)
		return HS_E_INVAL;
	ldns_rr_list_push_rr(l, ldns_rr_clone(rr));
	return HS_OK;
}

size_t dv_rrset_count(const dv_rrset_t *s)
{
	return s ? ldns_rr_list_rr_count(s->rrs) : 0;
}

uint32_t dv_rrset_min_ttl(const dv_rrset_t *s)
{
	size_t n = dv_rrset_count(s);
	uint32_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t t = ldns_rr_ttl(ldns_rr_list_rr(s->rrs, i));
		if (i == 0 || t < m)
			m = t;
	}
	return m;
}

int dv_rrset_from_wire(const uint8_t *wire, size_t len, const char *qname, uint16_t qtype,
                       dv_rrset_t **out, hs_errmsg_t *em)
{
	dnsmsg_hdr_t hdr;
	ldns_pkt *pkt = NULL;
	ldns_rdf *want = NULL;
	dv_rrset_t *s = NULL;
	int rc;

	if (!wire || !qname || !out)
		return hs_fail(em, HS_E_INVAL, "answer: no message");
	if (ldns_str2rdf_dname(&want, qname) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_NAME, "answer: bad query name '%s'", qname);
	/* The strict walker first: ldns then only sees well-formed messages. */
	rc = dnsmsg_check(wire, len, &hdr);
	if (rc != HS_OK) {
		rc = hs_fail(em, HS_E_MALFORMED, "answer: malformed message (%s)", hs_strerror(rc));
		goto cleanup;
	}
	if (!(hdr.flags & 0x8000) || hdr.count[DNSMSG_QUESTION] != 1) {
		rc = hs_fail(em, HS_E_STATE, "answer: not a response to one question");
		goto cleanup;
	}
	if (ldns_wire2pkt(&pkt, wire, len) != LDNS_STATUS_OK) {
		rc = hs_fail(em, HS_E_MALFORMED, "answer: ldns cannot read the message");
		goto cleanup;
	}
	ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	if (!q || ldns_rr_get_type(q) != qtype || ldns_dname_compare(ldns_rr_owner(q), want) != 0) {
		rc = hs_fail(em, HS_E_STATE, "answer: the question is not the one asked");
		goto cleanup;
	}
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(pkt);
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
		ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);
		rc = hs_fail(em, HS_E_REFUSED, "answer: rcode %s", lt ? lt->name : "unknown");
		goto cleanup;
	}
	s = rrset_alloc(want, qtype);
	s->rcode = (uint8_t)rcode;
	const ldns_rr_list *ans = ldns_pkt_answer(pkt);
	for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ans, i);
		ldns_rr_list *l = list_for(s, ldns_rr_owner(rr), rr);
		if (l)
			ldns_rr_list_push_rr(l, ldns_rr_clone(rr));
	}
	*out = s;
	s = NULL;
	rc = HS_OK;

cleanup:
	dv_rrset_free(s);
	ldns_pkt_free(pkt);
	ldns_rdf_deep_free(want);
	return rc;
}
