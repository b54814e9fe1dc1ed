/*
 * cmb_served.c -- the served zone as a pure function of the inbound zone
 * and the combined apex (SYNC-50, SYNC-51, SYNC-52), or the inbound
 * version itself when the owner signs it (SYNC-58): its first version,
 * and the difference that brings it up to date, computed from what
 * changed rather than from the whole zone.
 */
#include "engine/combiner/cmb_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/rr_hsyncparam.h"

enum { T_DNSKEY = 48, T_HSYNCPARAM = 65286, HSP_SIGNERS = 3 };

/* An apex RR of a synchronised type: the combined apex decides it. */
static int apex_synced(const uint8_t *apex, size_t alen, const zn_rr_t *rr)
{
	return sm_type_synced(rr->type, NULL) && rr->owner_len == alen &&
	       zn_name_cmp(rr->owner, rr->owner_len, apex, alen) == 0;
}

int cmb_owner_signed(const zn_snap_t *in)
{
	size_t alen, off = 0;
	const uint8_t *a = zn_snap_apex(in, &alen), *rd;
	zn_rrset_t set;
	uint16_t rl;
	hs_hsyncparam_t hp;
	if (zn_snap_find(in, a, alen, T_DNSKEY, &set, NULL) != HS_OK)
		return 0;
	if (zn_snap_find(in, a, alen, T_HSYNCPARAM, &set, NULL) != HS_OK || set.count != 1 ||
	    !zn_rrset_next(&set, &off, &rd, &rl) ||
	    hs_hsyncparam_decode(rd, rl, &hp, NULL) != HS_OK)
		return 1;
	const hs_hsp_param_t *signers = hs_hsyncparam_find(&hp, HSP_SIGNERS);
	return signers == NULL || signers->len == 0;
}

uint32_t cmb_served_serial(uint32_t owner, int have_served, uint32_t served)
{
	uint32_t base = owner, s;
	if (have_served && !zn_serial_gt(owner, served))
		base = served; /* served is ahead (or 2^31 apart: undefined, stay ahead) */
	if (zn_serial_add(base, 1, &s) != HS_OK)
		s = base + 1; /* cannot happen: 1 is always a valid increment */
	return s;
}

/* The SOA RDATA of `in` with `serial` in place of its own, into `out`. */
static int soa_with_serial(const zn_rr_t *soa, uint32_t serial, uint8_t *out, size_t cap)
{
	zn_soa_t f;
	if (soa->rdlen > cap || soa->rdlen < 20 ||
	    zn_soa_parse(soa->rdata, soa->rdlen, &f) != HS_OK)
		return HS_E_MALFORMED;
	memcpy(out, soa->rdata, soa->rdlen);
	uint8_t *p = out + soa->rdlen - 20; /* serial refresh retry expire minimum */
	p[0] = (uint8_t)(serial >> 24);
	p[1] = (uint8_t)(serial >> 16);
	p[2] = (uint8_t)(serial >> 8);
	p[3] = (uint8_t)serial;
	return HS_OK;
}

/* Two SOAs equal but for the serial (and TTL equal too). */
static int soa_same_but_serial(const zn_rr_t *a, const zn_rr_t *b)
{
	if (a->ttl != b->ttl || a->rdlen != b->rdlen || a->rdlen < 20)
		return 0;
	size_t k = a->rdlen - 20;
	return memcmp(a->rdata, b->rdata, k) == 0 &&
	       memcmp(a->rdata + k + 4, b->rdata + k + 4, 16) == 0;
}

/* What the served apex holds for synchronised type `type`: the combined
 * RRset when it is replaced, the inbound one otherwise; appended to *v. */
typedef struct rrvec {
	zn_rr_t *v;
	size_t n, cap;
} rrvec_t;

static void rrvec_push(rrvec_t *r, const zn_rr_t *rr)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = *rr;
}

static void snap_rrset(const zn_snap_t *s, const uint8_t *apex, size_t alen, uint16_t type,
                       rrvec_t *out)
{
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	if (s == NULL || zn_snap_find(s, apex, alen, type, &set, NULL) != HS_OK)
		return;
	while (zn_rrset_next(&set, &off, &rd, &rl)) {
		zn_rr_t rr = {apex, alen, type, set.ttl, rd, rl};
		rrvec_push(out, &rr);
	}
}

/* The wanted apex RRs of every synchronised type. */
static void wanted_apex(const zn_snap_t *in, const cmb_apex_t *apex, rrvec_t *out)
{
	size_t alen;
	const uint8_t *a = zn_snap_apex(in, &alen);
	static const uint16_t types[] = {2, 25, 48, 59, 62}; /* NS KEY DNSKEY CDS CSYNC */
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		const cmb_rrset_t *set = NULL;
		for (size_t i = 0; apex != NULL && i < apex->n; i++)
			if (apex->sets[i].type == types[t] && apex->sets[i].replaced)
				set = &apex->sets[i];
		if (set == NULL) {
			snap_rrset(in, a, alen, types[t], out);
			continue;
		}
		for (size_t i = 0; i < set->n; i++) {
			zn_rr_t rr = {a, alen, types[t], set->ttl, set->rd[i].p, set->rd[i].len};
			rrvec_push(out, &rr);
		}
	}
}

int cmb_served_build(const zn_snap_t *in, const cmb_apex_t *apex, zn_builder_t **out,
                     hs_errmsg_t *em)
{
	size_t alen;
	const uint8_t *a = zn_snap_apex(in, &alen);
	zn_builder_t *b = zn_builder_new(a, alen);
	zn_iter_t *it = zn_iter_new((zn_snap_t *)(uintptr_t)in);
	rrvec_t want = {NULL, 0, 0};
	const uint8_t *owner;
	size_t olen;
	zn_rrset_t set;
	zn_rr_t soa;
	uint8_t soard[ZN_RDATA_MAX];
	int rc = HS_OK, pass = cmb_owner_signed(in);
	while (rc == HS_OK && zn_iter_next(it, &owner, &olen, &set)) {
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rl;
		while (rc == HS_OK && zn_rrset_next(&set, &off, &rd, &rl)) {
			zn_rr_t rr = {owner, olen, set.type, set.ttl, rd, rl};
			if (!pass && (set.type == ZN_TYPE_SOA || apex_synced(a, alen, &rr)))
				continue;
			rc = zn_builder_add(b, &rr, em);
		}
	}
	zn_iter_free(it);
	if (pass) /* SYNC-58: the inbound version as it came, SOA included */
		goto done;
	wanted_apex(in, apex, &want);
	for (size_t i = 0; rc == HS_OK && i < want.n; i++)
		rc = zn_builder_add(b, &want.v[i], em);
	zn_snap_soa(in, &soa);
	if (rc == HS_OK && (rc = soa_with_serial(&soa, cmb_served_serial(zn_snap_serial(in), 0, 0),
	                                         soard, sizeof(soard))) == HS_OK) {
		zn_rr_t s2 = soa;
		s2.rdata = soard;
		rc = zn_builder_add(b, &s2, em);
	}
done:
	free(want.v);
	if (rc != HS_OK) {
		zn_builder_free(b);
		return rc;
	}
	*out = b;
	return HS_OK;
}

/* The records of `d` (deleted when `del`) that are not the combined
 * apex's business, into `out`; *n counts them. */
static int take_filtered(zn_diff_t *out, const zn_diff_t *d, const uint8_t *apex, size_t alen,
                         int del, size_t *n)
{
	size_t cnt = del ? zn_diff_ndel(d) : zn_diff_nadd(d);
	for (size_t i = 0; i < cnt; i++) {
		zn_rr_t rr;
		int rc = del ? zn_diff_del_rr(d, i, &rr) : zn_diff_add_rr(d, i, &rr);
		if (rc != HS_OK)
			return rc;
		if (apex_synced(apex, alen, &rr))
			continue;
		rc = del ? zn_diff_del(out, &rr) : zn_diff_add(out, &rr);
		if (rc != HS_OK)
			return rc;
		(*n)++;
	}
	return HS_OK;
}

int cmb_served_diff(const zn_snap_t *served, const zn_snap_t *base, const zn_snap_t *in,
                    const cmb_apex_t *apex, zn_diff_t **out)
{
	size_t alen, n = 0;
	const uint8_t *a = zn_snap_apex(in, &alen);
	zn_diff_t *d = NULL, *rest = NULL, *ad = NULL;
	rrvec_t have = {NULL, 0, 0}, want = {NULL, 0, 0};
	static const uint16_t types[] = {2, 25, 48, 59, 62};
	zn_rr_t ssoa, isoa;
	uint8_t soard[ZN_RDATA_MAX];
	int rc, pass = cmb_owner_signed(in);
	*out = NULL;
	if (pass)
		apex = NULL; /* SYNC-58: the owner's apex, untouched */
	/* the inbound change outside the combined apex (SYNC-51: served as
	 * the owner has it); without a base, everything that differs */
	rc = zn_diff_snaps(base != NULL ? base : served, in, &rest);
	if (rc != HS_OK)
		goto cleanup;
	d = zn_diff_new();
	if ((rc = take_filtered(d, rest, a, alen, 1, &n)) != HS_OK ||
	    (rc = take_filtered(d, rest, a, alen, 0, &n)) != HS_OK)
		goto cleanup;
	/* the combined apex against what is served */
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		snap_rrset(served, a, alen, types[t], &have);
	wanted_apex(in, apex, &want);
	if ((rc = zn_diff_sets(have.v, have.n, want.v, want.n, &ad)) != HS_OK)
		goto cleanup;
	n += zn_diff_ndel(ad) + zn_diff_nadd(ad);
	for (size_t i = 0; rc == HS_OK && i < zn_diff_ndel(ad); i++) {
		zn_rr_t rr;
		if ((rc = zn_diff_del_rr(ad, i, &rr)) == HS_OK)
			rc = zn_diff_del(d, &rr);
	}
	for (size_t i = 0; rc == HS_OK && i < zn_diff_nadd(ad); i++) {
		zn_rr_t rr;
		if ((rc = zn_diff_add_rr(ad, i, &rr)) == HS_OK)
			rc = zn_diff_add(d, &rr);
	}
	if (rc != HS_OK)
		goto cleanup;
	zn_snap_soa(served, &ssoa);
	zn_snap_soa(in, &isoa);
	if (pass) {
		/* SYNC-58: the owner's SOA, serial included; never backwards */
		if (n == 0 && ssoa.ttl == isoa.ttl && ssoa.rdlen == isoa.rdlen &&
		    memcmp(ssoa.rdata, isoa.rdata, isoa.rdlen) == 0)
			goto cleanup;
		if (!zn_serial_gt(zn_snap_serial(in), zn_snap_serial(served))) {
			rc = HS_E_STATE;
			goto cleanup;
		}
		if ((rc = zn_diff_set_from(d, ssoa.ttl, ssoa.rdata, ssoa.rdlen)) != HS_OK ||
		    (rc = zn_diff_set_to(d, isoa.ttl, isoa.rdata, isoa.rdlen)) != HS_OK)
			goto cleanup;
		*out = d;
		d = NULL;
		goto cleanup;
	}
	if (n == 0 && soa_same_but_serial(&ssoa, &isoa))
		goto cleanup; /* the same content: no new version (SYNC-52) */
	uint32_t serial = cmb_served_serial(zn_snap_serial(in), 1, zn_snap_serial(served));
	if ((rc = soa_with_serial(&isoa, serial, soard, sizeof(soard))) != HS_OK ||
	    (rc = zn_diff_set_from(d, ssoa.ttl, ssoa.rdata, ssoa.rdlen)) != HS_OK ||
	    (rc = zn_diff_set_to(d, isoa.ttl, soard, isoa.rdlen)) != HS_OK)
		goto cleanup;
	*out = d;
	d = NULL;
cleanup:
	zn_diff_free(d);
	zn_diff_free(rest);
	zn_diff_free(ad);
	free(have.v);
	free(want.v);
	return rc;
}
