/* sign.c -- the identity zone built from a spec and signed with ldns (NSEC). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/dv_int.h"
#include "dnssec/sign_int.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"

#define T_HPKEKEY 65290

static int push_text(ldns_rr_list *l, const char *text, hs_errmsg_t *em)
{
	ldns_rr *rr = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL);

	if (st != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_SYNTAX, "record '%s': %s", text,
		               ldns_get_errorstr_by_id(st));
	ldns_rr_list_push_rr(l, rr);
	return HS_OK;
}

/* A record from an owner and RDATA octets; ldns parses the RDATA by type. */
static int push_rdata(ldns_rr_list *l, const ldns_rdf *owner, uint16_t type, uint32_t ttl,
                      const uint8_t *rd, size_t rdlen, hs_errmsg_t *em)
{
	uint8_t *w;
	size_t olen = ldns_rdf_size(owner), len = olen + 10 + rdlen, pos = 0;
	ldns_rr *rr = NULL;
	ldns_status st;

	if (rdlen > 65535)
		return hs_fail(em, HS_E_INVAL, "RDATA of type %u too long", (unsigned)type);
	w = xmalloc(len);
	memcpy(w, ldns_rdf_data(owner), olen);
	w[olen] = (uint8_t)(type >> 8);
	w[olen + 1] = (uint8_t)type;
	w[olen + 2] = 0;
	w[olen + 3] = LDNS_RR_CLASS_IN;
	w[olen + 4] = (uint8_t)(ttl >> 24);
	w[olen + 5] = (uint8_t)(ttl >> 16);
	w[olen + 6] = (uint8_t)(ttl >> 8);
	w[olen + 7] = (uint8_t)ttl;
	w[olen + 8] = (uint8_t)(rdlen >> 8);
	w[olen + 9] = (uint8_t)rdlen;
	memcpy(w + olen + 10, rd, rdlen);
	st = ldns_wire2rr(&rr, w, len, &pos, LDNS_SECTION_ANSWER);
	free(w);
	if (st != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_SYNTAX, "RDATA of type %u: %s", (unsigned)type,
		               ldns_get_errorstr_by_id(st));
	ldns_rr_list_push_rr(l, rr);
	return HS_OK;
}

/* The unsigned records of the spec (DNSKEYs included) into `l`. */
static int build(const ds_idzone_spec_t *s, const ds_keys_t *keys, const char *apex,
                 uint32_t serial, uint32_t ttl, ldns_rr_list *l, hs_errmsg_t *em)
{
	char line[1024];
	ldns_rdf *dns = NULL, *tmp = NULL;
	size_t i;
	int rc = HS_OK;

	snprintf(line, sizeof(line), "%s %u IN SOA dns.%s hostmaster.%s %u 3600 600 1209600 %u",
	         apex, ttl, apex, apex, serial, ttl);
	rc = push_text(l, line, em);
	for (i = 0; rc == HS_OK && i < (s->nns ? s->nns : 1); i++) {
		if (s->nns > 0 && ldns_str2rdf_dname(&tmp, s->ns[i]) != LDNS_STATUS_OK)
			return hs_fail(em, HS_E_NAME, "NS '%s' is not a domain name", s->ns[i]);
		ldns_rdf_deep_free(tmp);
		tmp = NULL;
		if (s->nns > 0)
			snprintf(line, sizeof(line), "%s %u IN NS %s%s", apex, ttl, s->ns[i],
			         s->ns[i][strlen(s->ns[i]) - 1] == '.' ? "" : ".");
		else
			snprintf(line, sizeof(line), "%s %u IN NS dns.%s", apex, ttl, apex);
		rc = push_text(l, line, em);
	}
	for (i = 0; rc == HS_OK && i < s->naddrs; i++) {
		uint8_t a[16];
		int v6 = strchr(s->addrs[i], ':') != NULL;
		if (inet_pton(v6 ? AF_INET6 : AF_INET, s->addrs[i], a) != 1)
			return hs_fail(em, HS_E_SYNTAX, "'%s' is not an IP address", s->addrs[i]);
		snprintf(line, sizeof(line), "dns.%s %u IN %s %s", apex, ttl, v6 ? "AAAA" : "A",
		         s->addrs[i]);
		rc = push_text(l, line, em);
	}
	if (rc != HS_OK)
		return rc;
	snprintf(line, sizeof(line), "dns.%s", apex);
	if (ldns_str2rdf_dname(&dns, line) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_NAME, "'%s' is too long", line);
	rc = push_rdata(l, dns, LDNS_RR_TYPE_KEY, ttl, s->key_rdata, s->key_rdlen, em);
	if (rc == HS_OK)
		rc = push_rdata(l, dns, T_HPKEKEY, ttl, s->hpke_rdata, s->hpke_rdlen, em);
	ldns_rdf_deep_free(dns);
	if (rc != HS_OK)
		return rc;
	snprintf(line, sizeof(line), "_dns._tcp.%s %u IN URI 10 1 \"dns://dns.%.*s:%u/\"", apex,
	         ttl, (int)strlen(apex) - 1, apex, (unsigned)s->port);
	rc = push_text(l, line, em);
	for (i = 0; rc == HS_OK && i < ldns_key_list_key_count(keys->list); i++) {
		ldns_rr *k = ldns_key2rr(ldns_key_list_key(keys->list, i));
		if (k == NULL)
			return hs_fail(em, HS_E_CRYPTO, "key %zu: no public key", i);
		ldns_rr_set_ttl(k, ttl);
		ldns_rr_list_push_rr(l, k);
	}
	return rc;
}

/* Distinct (owner, type) pairs other than RRSIG; `l` is sorted. */
static size_t count_rrsets(const ldns_rr_list *l)
{
	size_t i, n = 0;
	const ldns_rr *prev = NULL;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG)
			continue;
		if (prev == NULL ||
		    ldns_dname_compare(ldns_rr_owner(prev), ldns_rr_owner(rr)) != 0 ||
		    ldns_rr_get_type(prev) != ldns_rr_get_type(rr))
			n++;
		prev = rr;
	}
	return n;
}

int ds_zone_sign(const ds_idzone_spec_t *s, ds_keys_t *keys, uint32_t now, uint32_t prev_serial,
                 ds_zone_t **out, hs_errmsg_t *em)
{
	ds_zone_t *z = NULL;
	ldns_zone *uz = NULL, *sz = NULL;
	ldns_rr_list *l = NULL;
	char apex[256];
	uint32_t ttl, validity, serial;
	size_t i;
	int rc;

	if (s == NULL || s->apex == NULL || keys == NULL || ds_keys_count(keys) == 0 ||
	    out == NULL || s->key_rdata == NULL || s->key_rdlen == 0 || s->hpke_rdata == NULL ||
	    s->hpke_rdlen == 0)
		return hs_fail(em, HS_E_INVAL, "identity zone: keys or records missing");
	ttl = s->ttl ? s->ttl : DS_DEFAULT_TTL;
	validity = s->validity ? s->validity : DS_DEFAULT_VALIDITY;
	serial = prev_serial + 1 > now ? prev_serial + 1 : now;
	z = xcalloc(1, sizeof(*z));
	if (ldns_str2rdf_dname(&z->apex, s->apex) != LDNS_STATUS_OK) {
		rc = hs_fail(em, HS_E_NAME, "'%s' is not a domain name", s->apex);
		goto cleanup;
	}
	dv_name_str(z->apex, apex, sizeof(apex));
	snprintf(z->apex_text, sizeof(z->apex_text), "%s", apex);
	l = ldns_rr_list_new();
	rc = build(s, keys, apex, serial, ttl, l, em);
	if (rc != HS_OK)
		goto cleanup;
	uz = ldns_zone_new();
	ldns_zone_set_soa(uz, ldns_rr_clone(ldns_rr_list_rr(l, 0)));
	for (i = 1; i < ldns_rr_list_rr_count(l); i++)
		ldns_zone_push_rr(uz, ldns_rr_clone(ldns_rr_list_rr(l, i)));
	z->inception = now - DS_INCEPTION_SLACK;
	z->expiration = now + validity;
	z->resign_at = now + validity / 2;
	z->serial = serial;
	for (i = 0; i < ldns_key_list_key_count(keys->list); i++) {
		/* explicit window: ldns reads its own clock only when these are 0 */
		ldns_key_set_inception(ldns_key_list_key(keys->list, i), z->inception);
		ldns_key_set_expiration(ldns_key_list_key(keys->list, i), z->expiration);
	}
	sz = ldns_zone_sign(uz, keys->list);
	if (sz == NULL) {
		rc = hs_fail(em, HS_E_CRYPTO, "ldns could not sign '%s'", apex);
		goto cleanup;
	}
	ldns_rr_list_deep_free(l);
	l = ldns_rr_list_clone(ldns_zone_rrs(sz));
	ldns_rr_list_sort(l);
	z->rrs = ldns_rr_list_new();
	z->soa = ldns_rr_clone(ldns_zone_soa(sz));
	ldns_rr_list_push_rr(z->rrs, z->soa);
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA)
			ldns_rr_list_push_rr(z->rrs, ldns_rr_clone(rr));
	}
	z->nrrsets = count_rrsets(l) + 1; /* the SOA, kept apart from `l`'s sort */
	*out = z;
	z = NULL;
	rc = HS_OK;
cleanup:
	ldns_rr_list_deep_free(l);
	if (uz != NULL)
		ldns_zone_deep_free(uz);
	if (sz != NULL)
		ldns_zone_deep_free(sz);
	ds_zone_free(z);
	return rc;
}

void ds_zone_free(ds_zone_t *z)
{
	if (z == NULL)
		return;
	ldns_rdf_deep_free(z->apex);
	ldns_rr_list_deep_free(z->rrs);
	free(z);
}

uint32_t ds_zone_serial(const ds_zone_t *z)
{
	return z->serial;
}

uint32_t ds_zone_inception(const ds_zone_t *z)
{
	return z->inception;
}

uint32_t ds_zone_expiration(const ds_zone_t *z)
{
	return z->expiration;
}

uint32_t ds_zone_resign_at(const ds_zone_t *z)
{
	return z->resign_at;
}

size_t ds_zone_rrset_count(const ds_zone_t *z)
{
	return z->nrrsets;
}

const char *ds_zone_apex(const ds_zone_t *z)
{
	return z->apex_text;
}

const ldns_rr_list *ds_zone_rrs(const ds_zone_t *z)
{
	return z->rrs;
}

void ds_zone_text(const ds_zone_t *z, hs_buf_t *out)
{
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		char *t = ldns_rr2str(ldns_rr_list_rr(z->rrs, i));
		if (t != NULL)
			hs_buf_printf(out, "%s", t);
		free(t);
	}
}

int ds_zone_builder(const ds_zone_t *z, zn_builder_t **out, hs_errmsg_t *em)
{
	hs_buf_t rd = HS_BUF_INIT;
	int rc = HS_OK;
	if (z == NULL || out == NULL || ldns_rr_list_rr_count(z->rrs) == 0)
		return HS_E_INVAL;
	zn_builder_t *b = zn_builder_new(ldns_rdf_data(z->apex), ldns_rdf_size(z->apex));
	for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs) && rc == HS_OK; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(z->rrs, i);
		const ldns_rdf *o = ldns_rr_owner(rr);
		rd.len = 0;
		rc = hs_ldns_rr_rdata(rr, &rd, em);
		if (rc == HS_OK && rd.len > ZN_RDATA_MAX)
			rc = hs_fail(em, HS_E_MALFORMED, "a record of %zu octets", rd.len);
		if (rc == HS_OK) {
			zn_rr_t r = {
			    ldns_rdf_data(o), ldns_rdf_size(o), (uint16_t)ldns_rr_get_type(rr),
			    ldns_rr_ttl(rr),  rd.data,          (uint16_t)rd.len};
			rc = zn_builder_add(b, &r, em);
		}
	}
	hs_buf_free(&rd);
	if (rc != HS_OK) {
		zn_builder_free(b);
		return rc;
	}
	*out = b;
	return HS_OK;
}
