/*
 * signpath.c -- from a combined version to the served signed version
 * (signpath.h): the unsigned version kept between calls, the difference
 * the combined zone went through turned into the difference of the
 * unsigned version, and the incremental or full signing applied to the
 * served zone.
 */
#include "daemon/signpath.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct hd_sp {
	zn_zone_t *u;       /* the unsigned version the served zone was signed from */
	zn_snap_t *in_base; /* the combined version `u` was made from */
};

hd_sp_t *hd_sp_new(void)
{
	return xcalloc(1, sizeof(hd_sp_t));
}

void hd_sp_reset(hd_sp_t *sp)
{
	if (sp == NULL)
		return;
	zn_zone_free(sp->u);
	zn_snap_release(sp->in_base);
	sp->u = NULL;
	sp->in_base = NULL;
}

void hd_sp_free(hd_sp_t *sp)
{
	hd_sp_reset(sp);
	free(sp);
}

/* The apex key sets the key engine publishes (they replace the combined
 * zone's own). */
static int is_keyset(uint16_t t)
{
	return t == ZS_TYPE_DNSKEY || t == ZS_TYPE_CDS || t == ZS_TYPE_CDNSKEY;
}

/* The types a signer makes and drops from its input (zs_sign_full). */
static int is_dnssec(uint16_t t)
{
	return t == ZS_TYPE_RRSIG || t == ZS_TYPE_NSEC || t == ZS_TYPE_NSEC3 ||
	       t == ZS_TYPE_NSEC3PARAM;
}

/* What of the combined zone goes into the unsigned version. */
static int taken(const uint8_t *owner, size_t olen, const uint8_t *apex, size_t alen, uint16_t t)
{
	if (is_dnssec(t))
		return 0;
	return !(is_keyset(t) && olen == alen && memcmp(owner, apex, alen) == 0);
}

/* SOA RDATA with another serial (the serial is 20 octets from the end). */
#define SOA_MAX (2 * 255 + 20) /* two names and five numbers */

static void soa_serial(const uint8_t *rd, uint16_t len, uint32_t serial, uint8_t *out)
{
	if (len < 22 || len > SOA_MAX)
		abort(); /* the zone machinery checked every SOA it holds */
	memcpy(out, rd, len);
	out[len - 20] = (uint8_t)(serial >> 24);
	out[len - 19] = (uint8_t)(serial >> 16);
	out[len - 18] = (uint8_t)(serial >> 8);
	out[len - 17] = (uint8_t)serial;
}

static const sgn_rr_t *pub_set(const sgn_publish_t *pub, uint16_t t, size_t *n)
{
	*n = t == ZS_TYPE_DNSKEY ? pub->ndnskey : t == ZS_TYPE_CDS ? pub->ncds : pub->ncdnskey;
	return t == ZS_TYPE_DNSKEY ? pub->dnskey : t == ZS_TYPE_CDS ? pub->cds : pub->cdnskey;
}

static const uint16_t keysets[] = {ZS_TYPE_DNSKEY, ZS_TYPE_CDS, ZS_TYPE_CDNSKEY};

/* A zone holding the builder's version (the builder is spent). */
static int zone_of(const uint8_t *apex, size_t alen, zn_builder_t *b, zn_zone_t **out,
                   hs_errmsg_t *em)
{
	zn_zone_t *z = NULL;
	int rc = zn_zone_new(apex, alen, &z);
	if (rc != HS_OK) {
		zn_builder_free(b);
		return rc;
	}
	rc = zn_zone_set(z, b, em);
	if (rc != HS_OK) {
		zn_zone_free(z);
		return rc;
	}
	*out = z;
	return HS_OK;
}

/* The records of `s` into `b` but the DNSSEC types; without its apex
 * key sets unless `with_keysets`; the SOA with `*serial` when not NULL. */
static int copy_rrs(zn_builder_t *b, const zn_snap_t *s, int with_keysets, const uint32_t *serial,
                    hs_errmsg_t *em)
{
	size_t alen;
	const uint8_t *apex = zn_snap_apex(s, &alen);
	zn_iter_t *it = zn_iter_new((zn_snap_t *)s);
	const uint8_t *owner;
	size_t olen;
	zn_rrset_t set;
	uint8_t soa[SOA_MAX];
	int rc = HS_OK;

	while (rc == HS_OK && zn_iter_next(it, &owner, &olen, &set)) {
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rl;
		if (with_keysets ? is_dnssec(set.type) : !taken(owner, olen, apex, alen, set.type))
			continue;
		while (rc == HS_OK && zn_rrset_next(&set, &off, &rd, &rl)) {
			zn_rr_t rr = {owner, olen, set.type, set.ttl, rd, rl};
			if (set.type == ZS_TYPE_SOA && serial != NULL) {
				soa_serial(rd, rl, *serial, soa);
				rr.rdata = soa;
			}
			rc = zn_builder_add(b, &rr, em);
		}
	}
	zn_iter_free(it);
	return rc;
}

/* The unsigned version of combined version `in`: its records (not the
 * apex key sets, not the DNSSEC types) with the published key sets, the
 * SOA with `serial` (KS-20, KS-22). */
static int prepare(const zn_snap_t *in, const sgn_publish_t *pub, uint32_t ttl, uint32_t serial,
                   zn_zone_t **out, hs_errmsg_t *em)
{
	size_t alen;
	const uint8_t *apex = zn_snap_apex(in, &alen);
	zn_builder_t *b = zn_builder_new(apex, alen);
	int rc = copy_rrs(b, in, 0, &serial, em);

	for (size_t k = 0; k < 3 && rc == HS_OK; k++) {
		size_t n;
		const sgn_rr_t *v = pub_set(pub, keysets[k], &n);
		for (size_t i = 0; i < n && rc == HS_OK; i++) {
			zn_rr_t rr = {apex, alen, keysets[k], ttl, v[i].rdata, (uint16_t)v[i].len};
			rc = zn_builder_add(b, &rr, em);
		}
	}
	if (rc != HS_OK) {
		zn_builder_free(b);
		return rc;
	}
	return zone_of(apex, alen, b, out, em);
}

/* The unsigned version a served zone was signed from: its records
 * without the DNSSEC types. */
static int strip(const zn_snap_t *so, zn_zone_t **out, hs_errmsg_t *em)
{
	size_t alen;
	const uint8_t *apex = zn_snap_apex(so, &alen);
	zn_builder_t *b = zn_builder_new(apex, alen);
	int rc = copy_rrs(b, so, 1, NULL, em);
	if (rc != HS_OK) {
		zn_builder_free(b);
		return rc;
	}
	return zone_of(apex, alen, b, out, em);
}

/* Append the records of `src` (not its SOAs) to `dst`; with `filter`,
 * those that go into the unsigned version (taken) only. */
static int diff_append(zn_diff_t *dst, const zn_diff_t *src, const uint8_t *apex, size_t alen,
                       int filter)
{
	zn_rr_t rr;
	int rc = HS_OK;
	for (size_t i = 0; i < zn_diff_ndel(src) && rc == HS_OK; i++)
		if ((rc = zn_diff_del_rr(src, i, &rr)) == HS_OK &&
		    (!filter || taken(rr.owner, rr.owner_len, apex, alen, rr.type)))
			rc = zn_diff_del(dst, &rr);
	for (size_t i = 0; i < zn_diff_nadd(src) && rc == HS_OK; i++)
		if ((rc = zn_diff_add_rr(src, i, &rr)) == HS_OK &&
		    (!filter || taken(rr.owner, rr.owner_len, apex, alen, rr.type)))
			rc = zn_diff_add(dst, &rr);
	return rc;
}

/* The published key sets against those of `u`, appended to `d`. */
static int keyset_diff(const zn_snap_t *u, const sgn_publish_t *pub, uint32_t ttl, zn_diff_t *d)
{
	size_t alen;
	const uint8_t *apex = zn_snap_apex(u, &alen);
	int rc = HS_OK;
	for (size_t k = 0; k < 3 && rc == HS_OK; k++) {
		zn_rr_t have[256], want[256];
		size_t nh = 0, nw = 0, n, off = 0;
		const sgn_rr_t *v = pub_set(pub, keysets[k], &n);
		zn_rrset_t set;
		const uint8_t *rd;
		uint16_t rl;
		zn_diff_t *kd = NULL;
		if (zn_snap_find(u, apex, alen, keysets[k], &set, NULL) == HS_OK)
			while (nh < 256 && zn_rrset_next(&set, &off, &rd, &rl))
				have[nh++] = (zn_rr_t){apex, alen, keysets[k], set.ttl, rd, rl};
		for (size_t i = 0; i < n && nw < 256; i++)
			want[nw++] =
			    (zn_rr_t){apex, alen, keysets[k], ttl, v[i].rdata, (uint16_t)v[i].len};
		rc = zn_diff_sets(have, nh, want, nw, &kd);
		if (rc == HS_OK)
			rc = diff_append(d, kd, apex, alen, 0);
		zn_diff_free(kd);
	}
	return rc;
}

/* The difference of the kept unsigned version for combined version
 * `in`, applied to it: the combined zone's own difference (without the
 * key sets the engine replaces) and the key sets' (cost: the change). */
static int advance(hd_sp_t *sp, const zn_snap_t *in, const sgn_publish_t *pub, uint32_t ttl,
                   uint32_t serial, zn_diff_t **out, hs_errmsg_t *em)
{
	zn_snap_t *u = zn_zone_snapshot(sp->u);
	zn_diff_t *din = NULL, *ud = zn_diff_new();
	zn_rr_t from, to;
	uint8_t soa[SOA_MAX];
	size_t alen;
	const uint8_t *apex = zn_snap_apex(in, &alen);
	int rc = zn_diff_snaps(sp->in_base, in, &din);

	zn_snap_soa(u, &from);
	zn_snap_soa(in, &to);
	soa_serial(to.rdata, to.rdlen, serial, soa);
	if (rc == HS_OK)
		rc = zn_diff_set_from(ud, from.ttl, from.rdata, from.rdlen);
	if (rc == HS_OK)
		rc = zn_diff_set_to(ud, to.ttl, soa, to.rdlen);
	if (rc == HS_OK)
		rc = diff_append(ud, din, apex, alen, 1);
	if (rc == HS_OK)
		rc = keyset_diff(u, pub, ttl, ud);
	if (rc == HS_OK)
		rc = zn_apply(sp->u, ud, em);
	zn_diff_free(din);
	zn_snap_release(u);
	if (rc != HS_OK) {
		zn_diff_free(ud);
		return rc;
	}
	*out = ud;
	return HS_OK;
}

/* Records other than RRSIG in a difference (the SOAs are apart). */
static size_t non_sig(const zn_diff_t *d)
{
	size_t n = 0;
	zn_rr_t rr;
	for (size_t i = 0; i < zn_diff_ndel(d); i++)
		n += zn_diff_del_rr(d, i, &rr) == HS_OK && rr.type != ZS_TYPE_RRSIG;
	for (size_t i = 0; i < zn_diff_nadd(d); i++)
		n += zn_diff_add_rr(d, i, &rr) == HS_OK && rr.type != ZS_TYPE_RRSIG;
	return n;
}

static int sign_full(hd_sp_t *sp, zs_signer_t *zs, const zn_snap_t *in, const sgn_publish_t *pub,
                     uint32_t ttl, uint32_t now, uint32_t serial, zn_snap_t *cur, zn_zone_t *out,
                     zn_journal_t *outjn, int64_t jnow, zn_diff_t **sd, hd_sp_result_t *res,
                     hs_errmsg_t *em)
{
	zn_zone_t *u = NULL, *tmp = NULL;
	zn_snap_t *us = NULL, *ns = NULL;
	zn_builder_t *sb = NULL;
	size_t alen;
	const uint8_t *apex = zn_zone_apex(out, &alen);
	int rc = prepare(in, pub, ttl, serial, &u, em);

	res->path = HD_SP_FULL;
	if (rc == HS_OK) {
		us = zn_zone_snapshot(u);
		rc = zs_sign_full(zs, us, now, serial, &sb, &res->st, em);
	}
	if (rc == HS_OK && cur == NULL) {
		rc = zn_zone_set(out, sb, em);
		sb = NULL;
		if (rc == HS_OK) {
			zn_journal_clear(outjn);
			res->changed = zn_snap_records(us);
		}
	} else if (rc == HS_OK) {
		rc = zone_of(apex, alen, sb, &tmp, em);
		sb = NULL;
		if (rc == HS_OK) {
			ns = zn_zone_snapshot(tmp);
			rc = zn_diff_snaps(cur, ns, sd);
		}
		if (rc == HS_OK) {
			res->differs = non_sig(*sd);
			res->changed = zn_diff_ndel(*sd) + zn_diff_nadd(*sd);
			rc = zn_update(out, outjn, *sd, jnow, em);
		}
	}
	if (rc == HS_OK) {
		zn_zone_free(sp->u);
		sp->u = u;
		u = NULL;
	}
	zn_builder_free(sb);
	zn_snap_release(us);
	zn_snap_release(ns);
	zn_zone_free(tmp);
	zn_zone_free(u);
	return rc;
}

static int sign_diff(hd_sp_t *sp, zs_signer_t *zs, const zn_snap_t *in, const sgn_publish_t *pub,
                     uint32_t ttl, uint32_t now, uint32_t serial, zn_snap_t *cur, zn_zone_t *out,
                     zn_journal_t *outjn, int64_t jnow, zn_diff_t **sd, hd_sp_result_t *res,
                     hs_errmsg_t *em)
{
	zn_diff_t *ud = NULL;
	zn_zone_t *fresh = NULL, *old = NULL;
	zn_snap_t *us = NULL, *os = NULL, *prev = sp->u ? zn_zone_snapshot(sp->u) : NULL;
	int rc;

	res->path = HD_SP_DIFF;
	if (sp->u != NULL && sp->in_base != NULL) {
		rc = advance(sp, in, pub, ttl, serial, &ud, em);
	} else {
		/* nothing kept (a restart): compare with what the served
		 * version was signed from */
		rc = prepare(in, pub, ttl, serial, &fresh, em);
		if (rc == HS_OK && sp->u == NULL)
			rc = strip(cur, &old, em);
		if (rc == HS_OK) {
			os = zn_zone_snapshot(sp->u != NULL ? sp->u : old);
			us = zn_zone_snapshot(fresh);
			rc = zn_diff_snaps(os, us, &ud);
		}
		if (rc == HS_OK) {
			zn_zone_free(sp->u);
			sp->u = fresh;
			fresh = NULL;
		}
		zn_snap_release(us);
		us = NULL;
	}
	if (rc == HS_OK) {
		res->unsigned_changes = zn_diff_ndel(ud) + zn_diff_nadd(ud);
		us = zn_zone_snapshot(sp->u);
		rc = zs_sign_diff(zs, us, ud, cur, now, serial, sd, &res->st, em);
	}
	if (rc == HS_OK && res->unsigned_changes == 0 && res->st.rrsets_signed == 1) {
		/* only the SOA would change (a key event that changed nothing
		 * signed, a restart): the served version stays, and so does
		 * the unsigned one it was signed from */
		res->path = HD_SP_NONE;
		zn_diff_free(*sd);
		*sd = NULL;
		if (prev != NULL) {
			rc = zn_zone_set_snap(sp->u, prev);
		} else {
			zn_zone_free(sp->u);
			sp->u = old;
			old = NULL;
		}
	} else if (rc == HS_OK) {
		res->changed = zn_diff_ndel(*sd) + zn_diff_nadd(*sd);
		rc = zn_update(out, outjn, *sd, jnow, em);
	}
	zn_diff_free(ud);
	zn_snap_release(us);
	zn_snap_release(os);
	zn_snap_release(prev);
	zn_zone_free(fresh);
	zn_zone_free(old);
	return rc;
}

int hd_sp_sign(hd_sp_t *sp, zs_signer_t *zs, const zn_snap_t *in, const sgn_publish_t *pub,
               uint32_t dnskey_ttl, uint32_t now, int full, zn_zone_t *out, zn_journal_t *outjn,
               int64_t jnow, zn_diff_t **served, hd_sp_result_t *res, hs_errmsg_t *em)
{
	zn_snap_t *cur = zn_zone_snapshot(out);
	zn_diff_t *sd = NULL;
	hd_sp_result_t r;
	uint32_t serial;
	int rc;

	if (sp == NULL || zs == NULL || in == NULL || pub == NULL || out == NULL || res == NULL) {
		zn_snap_release(cur);
		return HS_E_INVAL;
	}
	memset(&r, 0, sizeof(r));
	serial = cur != NULL ? zs_next_serial(zn_snap_serial(in), zn_snap_serial(cur))
	                     : zn_snap_serial(in);
	if (!full && cur != NULL)
		rc = sign_diff(sp, zs, in, pub, dnskey_ttl, now, serial, cur, out, outjn, jnow, &sd,
		               &r, em);
	else
		rc = sign_full(sp, zs, in, pub, dnskey_ttl, now, serial, cur, out, outjn, jnow, &sd,
		               &r, em);
	if (rc == HS_OK && r.path == HD_SP_NONE)
		serial = zn_snap_serial(cur);
	zn_snap_release(cur);
	if (rc != HS_OK) {
		zn_diff_free(sd);
		hd_sp_reset(sp);
		return rc;
	}
	zn_snap_release(sp->in_base);
	sp->in_base = zn_snap_ref((zn_snap_t *)in);
	r.serial = serial;
	*res = r;
	if (served != NULL)
		*served = sd;
	else
		zn_diff_free(sd);
	return HS_OK;
}
