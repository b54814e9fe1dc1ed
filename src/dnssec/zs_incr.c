/* zs_incr.c -- incremental re-signing from a diff of the unsigned zone,
 * and signature refresh. Both produce a diff of the signed zone whose
 * size follows the change, not the zone: only the owners the diff
 * touched, their chain neighbours and the SOA are looked at. */
#include "dnssec/zs_walk.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "zone/nav.h"

/* ---- a sorted set of (owner, type) ---- */

struct otype {
	uint32_t off;
	uint8_t len;
	uint16_t type; /* 0 = the owner as a whole */
};

struct oset {
	hs_buf_t names;
	struct otype *v;
	size_t n, cap;
};

static void oset_add(struct oset *o, const uint8_t *name, size_t len, uint16_t type)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = xrealloc(o->v, o->cap * sizeof(*o->v));
	}
	o->v[o->n].off = (uint32_t)o->names.len;
	o->v[o->n].len = (uint8_t)len;
	o->v[o->n].type = type;
	hs_buf_append(&o->names, name, len);
	dnsmsg_name_lower(o->names.data + o->v[o->n].off, len);
	o->n++;
}

static const uint8_t *oset_base;

static int otype_cmp(const void *a, const void *b)
{
	const struct otype *x = a, *y = b;
	int c = zn_name_cmp(oset_base + x->off, x->len, oset_base + y->off, y->len);
	if (c)
		return c;
	return x->type < y->type ? -1 : x->type > y->type;
}

static void oset_sort(struct oset *o)
{
	size_t w = 0;
	if (o->n == 0)
		return; /* o->v is NULL: qsort takes no NULL even for nothing */
	oset_base = o->names.data;
	qsort(o->v, o->n, sizeof(*o->v), otype_cmp);
	for (size_t i = 0; i < o->n; i++)
		if (w == 0 || otype_cmp(&o->v[w - 1], &o->v[i]) != 0)
			o->v[w++] = o->v[i];
	o->n = w;
}

static void oset_free(struct oset *o)
{
	hs_buf_free(&o->names);
	free(o->v);
}

/* ---- helpers on versions ---- */

static int has_set(const zn_snap_t *v, const uint8_t *o, size_t l, uint16_t t, zn_rrset_t *out)
{
	zn_rrset_t tmp;
	return zn_snap_find(v, o, l, t, out ? out : &tmp, NULL) == HS_OK;
}

/* Delete every RRSIG at `o` covering `t` (all of them when t == 0). */
static int del_sigs(const zn_snap_t *so, const uint8_t *o, size_t l, uint16_t t, zn_diff_t *d)
{
	zn_rrset_t sigs;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rdlen;
	uint32_t ttl;
	int rc = HS_OK;
	if (!has_set(so, o, l, ZS_TYPE_RRSIG, &sigs))
		return HS_OK;
	while (rc == HS_OK && zn_rrset_next_rr(&sigs, &off, &rd, &rdlen, &ttl)) {
		if (rdlen < 2 || (t != 0 && (uint16_t)(rd[0] << 8 | rd[1]) != t))
			continue;
		zn_rr_t rr = {o, l, ZS_TYPE_RRSIG, ttl, rd, rdlen};
		rc = zn_diff_del(d, &rr);
	}
	return rc;
}

/* Delete the records of RRset (o, t) of `v`, if any. */
static int del_set(const zn_snap_t *v, const uint8_t *o, size_t l, uint16_t t, zn_diff_t *d)
{
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rdlen;
	int rc = HS_OK;
	if (!has_set(v, o, l, t, &set))
		return HS_OK;
	while (rc == HS_OK && zn_rrset_next(&set, &off, &rd, &rdlen)) {
		zn_rr_t rr = {o, l, t, set.ttl, rd, rdlen};
		rc = zn_diff_del(d, &rr);
	}
	return rc;
}

static int in_chain(enum zs_name_kind k, int nsec3)
{
	return k == ZS_NAME_AUTH || k == ZS_NAME_CUT || (nsec3 && k == ZS_NAME_ENT);
}

/* Replace the denial record (type t) at `o`: old one and its RRSIGs out,
 * new one (rd, or none when NULL) in, with a job to sign it. Nothing
 * when old and new are the same. */
static int put_denial(const zn_snap_t *so, const uint8_t *o, size_t l, uint16_t t,
                      const uint8_t *rd, size_t rdlen, uint32_t ttl, struct zs_walk *w,
                      zn_diff_t *d)
{
	zn_rrset_t old;
	int had = has_set(so, o, l, t, &old), rc;
	if (had && rd != NULL && old.count == 1 && old.ttl == ttl && old.len == 2 + rdlen &&
	    memcmp(old.data + 2, rd, rdlen) == 0)
		return HS_OK;
	if (had) {
		rc = del_set(so, o, l, t, d);
		if (rc == HS_OK)
			rc = del_sigs(so, o, l, t, d);
		if (rc != HS_OK)
			return rc;
	}
	if (rd == NULL)
		return HS_OK;
	zn_rr_t rr = {o, l, t, ttl, rd, (uint16_t)rdlen};
	rc = zn_diff_add(d, &rr);
	if (rc == HS_OK) {
		zs_walk_add_job(w, o, l, t, ttl, NULL, rd, (uint16_t)rdlen);
		w->ndenial++;
	}
	return rc;
}

/* The signing keys' tags of one role in the RRSIGs covering `t` at `o`
 * match the signer's keys of that role exactly. */
static int sigs_match_keys(const zs_signer_t *s, const zn_snap_t *so, const uint8_t *o, size_t l,
                           uint16_t t)
{
	zn_rrset_t sigs;
	size_t off = 0, nfound = 0, nwant = 0;
	const uint8_t *rd;
	uint16_t rdlen;
	unsigned want = zs_role_for(t);
	if (!has_set(so, o, l, ZS_TYPE_RRSIG, &sigs))
		return 0;
	for (size_t i = 0; i < s->nkeys; i++)
		nwant += (s->roles[i] & want) != 0;
	while (zn_rrset_next(&sigs, &off, &rd, &rdlen)) {
		int ok = 0;
		if (rdlen < 18 || (uint16_t)(rd[0] << 8 | rd[1]) != t)
			continue;
		for (size_t i = 0; i < s->nkeys; i++)
			if ((s->roles[i] & want) &&
			    s->keys[i]->tag == (uint16_t)(rd[16] << 8 | rd[17]) &&
			    s->keys[i]->alg->number == rd[2])
				ok = 1;
		if (!ok)
			return 0;
		nfound++;
	}
	return nfound == nwant;
}

/* Whether `so` was made with the same chain and zone-signing keys the
 * signer has now, and its denial TTL is the one `u` asks for. The keys
 * signing DNSKEY may differ: only the apex key sets are re-signed then. */
static int compatible(const zs_signer_t *s, const zn_snap_t *u, const zn_snap_t *so)
{
	zn_rr_t su, ss;
	int n3 = has_set(so, s->apex, s->apex_len, ZS_TYPE_NSEC3PARAM, NULL);
	if (n3 != (s->p.denial == ZS_NSEC3))
		return 0;
	if (!n3 && !has_set(so, s->apex, s->apex_len, ZS_TYPE_NSEC, NULL))
		return 0;
	zn_snap_soa(u, &su);
	zn_snap_soa(so, &ss);
	if (zs_denial_ttl(&su) != zs_denial_ttl(&ss))
		return 0;
	return sigs_match_keys(s, so, s->apex, s->apex_len, ZN_TYPE_SOA);
}

/* A full signing compared with `so`: the fallback. */
static int resign_all(zs_signer_t *s, const zn_snap_t *u, const zn_snap_t *so, uint32_t now,
                      uint32_t serial, zn_diff_t **out, zs_stats_t *st, hs_errmsg_t *em)
{
	zn_builder_t *b = NULL;
	zn_zone_t *z = NULL;
	zn_snap_t *ns = NULL;
	size_t alen;
	const uint8_t *apex = zn_snap_apex(so, &alen);
	int rc = zs_sign_full(s, u, now, serial, &b, st, em);
	if (rc == HS_OK && (rc = zn_zone_new(apex, alen, &z)) == HS_OK) {
		rc = zn_zone_set(z, b, em);
		b = NULL;
	}
	if (rc == HS_OK) {
		ns = zn_zone_snapshot(z);
		rc = zn_diff_snaps(so, ns, out);
	}
	if (rc == HS_OK && st != NULL)
		st->records = zn_diff_ndel(*out) + zn_diff_nadd(*out);
	zn_builder_free(b);
	zn_snap_release(ns);
	zn_zone_free(z);
	return rc;
}

/* The SOA of `u` with `serial`, into rd (the caller's buffer). */
static void soa_with_serial(const zn_rr_t *soa, uint32_t serial, hs_buf_t *rd)
{
	hs_buf_reset(rd);
	hs_buf_append(rd, soa->rdata, soa->rdlen);
	uint8_t *p = rd->data + rd->len - 20;
	p[0] = (uint8_t)(serial >> 24);
	p[1] = (uint8_t)(serial >> 16);
	p[2] = (uint8_t)(serial >> 8);
	p[3] = (uint8_t)serial;
}

/* New SOA in the diff, its old RRSIGs out and a job for the new one. */
static int put_soa(const zs_signer_t *s, const zn_snap_t *from, const zn_rr_t *tosoa,
                   uint32_t serial, hs_buf_t *rd, struct zs_walk *w, zn_diff_t *d)
{
	zn_rr_t old;
	int rc;
	zn_snap_soa(from, &old);
	soa_with_serial(tosoa, serial, rd);
	rc = zn_diff_set_from(d, old.ttl, old.rdata, old.rdlen);
	if (rc == HS_OK)
		rc = zn_diff_set_to(d, tosoa->ttl, rd->data, (uint16_t)rd->len);
	if (rc == HS_OK)
		rc = del_sigs(from, s->apex, s->apex_len, ZN_TYPE_SOA, d);
	if (rc == HS_OK)
		zs_walk_add_job(w, s->apex, s->apex_len, ZN_TYPE_SOA, tosoa->ttl, NULL, rd->data,
		                (uint16_t)rd->len);
	return rc;
}

/* ---- NSEC neighbours in the new version ---- */

/* The chain name before `name` in `u` (the apex is first; NOTFOUND for
 * the apex itself). */
static int nsec_pred(const zs_signer_t *s, const zn_snap_t *u, const uint8_t *name, size_t len,
                     uint8_t *out, size_t *olen)
{
	uint8_t cur[WIRE_NAME_MAX];
	size_t cl = len;
	uint16_t types[600];
	size_t nt;
	memcpy(cur, name, len);
	for (;;) {
		if (zn_snap_prev_owner(u, cur, cl, out, olen) != HS_OK)
			return HS_E_NOTFOUND;
		if (in_chain(zs_name_classify(s, u, out, *olen, types, &nt), 0))
			return HS_OK;
		memcpy(cur, out, *olen);
		cl = *olen;
	}
}

/* The chain name after `name` in `u`, the apex after the last. */
static void nsec_succ(const zs_signer_t *s, const zn_snap_t *u, const uint8_t *name, size_t len,
                      enum zs_name_kind kind, uint8_t *out, size_t *olen)
{
	uint8_t cur[WIRE_NAME_MAX];
	size_t cl = len;
	uint16_t types[600];
	size_t nt;
	int skip = kind == ZS_NAME_CUT;
	memcpy(cur, name, len);
	for (;;) {
		if (zn_snap_next_owner(u, cur, cl, skip, out, olen) != HS_OK) {
			memcpy(out, s->apex, s->apex_len);
			*olen = s->apex_len;
			return;
		}
		enum zs_name_kind k = zs_name_classify(s, u, out, *olen, types, &nt);
		if (in_chain(k, 0))
			return;
		skip = k == ZS_NAME_CUT || k == ZS_NAME_OPTOUT;
		memcpy(cur, out, *olen);
		cl = *olen;
	}
}

static int nsec_rd(const zs_signer_t *s, const zn_snap_t *u, const uint8_t *name, size_t len,
                   hs_buf_t *rd, int *member)
{
	uint16_t types[600];
	size_t nt;
	uint8_t next[WIRE_NAME_MAX];
	size_t nl;
	enum zs_name_kind k = zs_name_classify(s, u, name, len, types, &nt);
	*member = in_chain(k, 0);
	if (!*member)
		return HS_OK;
	nsec_succ(s, u, name, len, k, next, &nl);
	hs_buf_reset(rd);
	hs_buf_append(rd, next, nl);
	zs_bitmap(types, nt, rd);
	return HS_OK;
}

static int fix_nsec(const zs_signer_t *s, const zn_snap_t *u, const zn_snap_t *so,
                    struct oset *owners, struct zs_walk *w, zn_diff_t *d)
{
	struct oset t;
	hs_buf_t rd = HS_BUF_INIT;
	uint8_t p[WIRE_NAME_MAX];
	size_t pl;
	int rc = HS_OK, member;

	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < owners->n; i++) {
		const uint8_t *o = owners->names.data + owners->v[i].off;
		size_t l = owners->v[i].len;
		oset_add(&t, o, l, 0);
		/* a name entering or leaving the chain moves its predecessor's
		 * next name; the predecessor in the new version is the one */
		if (nsec_pred(s, u, o, l, p, &pl) == HS_OK)
			oset_add(&t, p, pl, 0);
	}
	oset_sort(&t);
	for (size_t i = 0; i < t.n && rc == HS_OK; i++) {
		const uint8_t *o = t.names.data + t.v[i].off;
		size_t l = t.v[i].len;
		rc = nsec_rd(s, u, o, l, &rd, &member);
		if (rc == HS_OK)
			rc = put_denial(so, o, l, ZS_TYPE_NSEC, member ? rd.data : NULL, rd.len,
			                w->dttl, w, d);
	}
	oset_free(&t);
	hs_buf_free(&rd);
	return rc;
}

/* ---- NSEC3 neighbours ---- */

struct h3 {
	uint8_t hash[20];
	int member_new, member_old;
	uint16_t types[600];
	size_t nt;
};

static int is_nsec3_owner(const zs_signer_t *s, const zn_snap_t *so, const uint8_t *n, size_t l,
                          uint8_t hash[20])
{
	return l == 33 + s->apex_len && memcmp(n + 33, s->apex, s->apex_len) == 0 &&
	       zs_b32hex_decode(n + 1, n[0], hash) && has_set(so, n, l, ZS_TYPE_NSEC3, NULL);
}

/* The apex child that `n` is, or is below. */
static size_t apex_child(const zs_signer_t *s, const uint8_t *n, size_t l, uint8_t *out)
{
	size_t off = 0;
	while (l - off > s->apex_len + 1 + (size_t)n[off] &&
	       l - off - 1 - (size_t)n[off] > s->apex_len)
		off += 1 + (size_t)n[off];
	memcpy(out, n + off, l - off);
	return l - off;
}

static int hcmp(const void *a, const void *b)
{
	return memcmp(a, b, 20);
}

/* In the old chain of `so`, the member before (dir < 0) or after `h`,
 * skipping the hashes in `skip` (sorted, nskip), cyclic. 0 when none. */
static int old_neighbour(const zs_signer_t *s, const zn_snap_t *so, const uint8_t h[20], int dir,
                         const uint8_t (*skip)[20], size_t nskip, uint8_t out[20])
{
	uint8_t cur[WIRE_NAME_MAX], n[WIRE_NAME_MAX], hh[20];
	size_t cl, nl;
	int wrapped = 0;
	cl = zs_nsec3_owner(h, s->apex, s->apex_len, cur);
	for (;;) {
		int rc = dir < 0 ? zn_snap_prev_owner(so, cur, cl, n, &nl)
		                 : zn_snap_next_owner(so, cur, cl, 1, n, &nl);
		if (rc != HS_OK || (dir > 0 && nl == s->apex_len)) {
			if (wrapped)
				return 0;
			wrapped = 1;
			/* restart past the end: "w" sorts after every base32hex label */
			if (dir < 0) {
				cur[0] = 1;
				cur[1] = 'w';
				memcpy(cur + 2, s->apex, s->apex_len);
				cl = 2 + s->apex_len;
			} else {
				memcpy(cur, s->apex, s->apex_len);
				cl = s->apex_len;
				if (zn_snap_next_owner(so, cur, cl, 0, n, &nl) != HS_OK)
					return 0;
				goto check;
			}
			continue;
		}
	check:
		if (is_nsec3_owner(s, so, n, nl, hh) && !bsearch(hh, skip, nskip, 20, hcmp)) {
			memcpy(out, hh, 20);
			return 1;
		}
		if (is_nsec3_owner(s, so, n, nl, hh) && memcmp(hh, h, 20) == 0)
			return 0; /* went round */
		cl = apex_child(s, n, nl, cur);
	}
}

/* The member of the new chain before / after `h`: old members (without
 * removed ones) and added ones. 0 when the chain is empty. */
static int new_neighbour(const zs_signer_t *s, const zn_snap_t *so, const uint8_t h[20], int dir,
                         const uint8_t (*rem)[20], size_t nrem, const uint8_t (*add)[20],
                         size_t nadd, uint8_t out[20])
{
	uint8_t o[20];
	int have_o = old_neighbour(s, so, h, dir, rem, nrem, o);
	const uint8_t *best = NULL, *wrapbest = NULL;
	/* among the added: nearest strictly on the side `dir`, else the
	 * extreme on the other side (cyclic) */
	for (size_t i = 0; i < nadd; i++) {
		int c = memcmp(add[i], h, 20);
		if (c == 0)
			continue;
		if ((dir < 0 && c < 0) || (dir > 0 && c > 0)) {
			if (best == NULL ||
			    (dir < 0 ? memcmp(add[i], best, 20) > 0 : memcmp(add[i], best, 20) < 0))
				best = add[i];
		} else if (wrapbest == NULL || (dir < 0 ? memcmp(add[i], wrapbest, 20) > 0
		                                        : memcmp(add[i], wrapbest, 20) < 0)) {
			wrapbest = add[i];
		}
	}
	if (have_o && memcmp(o, h, 20) == 0)
		have_o = 0;
	if (have_o) {
		int c = memcmp(o, h, 20);
		int same_side = (dir < 0 && c < 0) || (dir > 0 && c > 0);
		if (same_side) {
			if (best == NULL ||
			    (dir < 0 ? memcmp(o, best, 20) > 0 : memcmp(o, best, 20) < 0))
				best = o;
		} else if (best == NULL) {
			if (wrapbest == NULL ||
			    (dir < 0 ? memcmp(o, wrapbest, 20) > 0 : memcmp(o, wrapbest, 20) < 0))
				wrapbest = o;
		}
	}
	if (best == NULL)
		best = wrapbest;
	if (best == NULL)
		return 0;
	memcpy(out, best, 20);
	return 1;
}

static int fix_nsec3(const zs_signer_t *s, const zn_snap_t *u, const zn_snap_t *so,
                     struct oset *owners, struct zs_walk *w, zn_diff_t *d, hs_errmsg_t *em)
{
	struct oset names;
	struct h3 *hv = NULL;
	uint8_t(*rem)[20] = NULL, (*add)[20] = NULL, (*todo)[20] = NULL;
	size_t nh = 0, nrem = 0, nadd = 0, ntodo = 0;
	hs_buf_t rd = HS_BUF_INIT;
	int rc = HS_OK;

	memset(&names, 0, sizeof(names));
	/* the changed owners and their ancestors below the apex (empty
	 * non-terminals come and go with their descendants) */
	for (size_t i = 0; i < owners->n; i++) {
		const uint8_t *o = owners->names.data + owners->v[i].off;
		size_t l = owners->v[i].len, off = 0;
		while (l - off >= s->apex_len) {
			oset_add(&names, o + off, l - off, 0);
			if (l - off == s->apex_len)
				break;
			off += 1 + (size_t)o[off];
		}
	}
	oset_sort(&names);
	hv = xcalloc(names.n ? names.n : 1, sizeof(*hv));
	rem = xmalloc((names.n ? names.n : 1) * 20);
	add = xmalloc((names.n ? names.n : 1) * 20);
	todo = xmalloc((2 * names.n + 1) * 20);
	for (size_t i = 0; i < names.n && rc == HS_OK; i++) {
		const uint8_t *o = names.names.data + names.v[i].off;
		size_t l = names.v[i].len;
		struct h3 *x = &hv[nh];
		uint8_t owner[WIRE_NAME_MAX];
		size_t ol;
		rc = zs_nsec3_hash(o, l, s->p.nsec3_salt, s->p.nsec3_saltlen, s->p.nsec3_iterations,
		                   x->hash);
		if (rc != HS_OK)
			break;
		x->member_new = in_chain(zs_name_classify(s, u, o, l, x->types, &x->nt), 1);
		ol = zs_nsec3_owner(x->hash, s->apex, s->apex_len, owner);
		x->member_old = has_set(so, owner, ol, ZS_TYPE_NSEC3, NULL);
		if (x->member_new && !x->member_old)
			memcpy(add[nadd++], x->hash, 20);
		if (!x->member_new && x->member_old)
			memcpy(rem[nrem++], x->hash, 20);
		if (x->member_new || x->member_old)
			nh++;
	}
	qsort(rem, nrem, 20, hcmp);
	qsort(add, nadd, 20, hcmp);
	for (size_t i = 1; i < nadd; i++)
		if (memcmp(add[i - 1], add[i], 20) == 0)
			rc = hs_fail(em, HS_E_EXISTS, "NSEC3 hash collision");
	/* names to remake: the changed ones, and the predecessors of the
	 * ones that entered or left the chain */
	for (size_t i = 0; i < nh && rc == HS_OK; i++) {
		struct h3 *x = &hv[i];
		if (x->member_new)
			memcpy(todo[ntodo++], x->hash, 20);
		if (x->member_new != x->member_old &&
		    new_neighbour(s, so, x->hash, -1, (const uint8_t(*)[20])rem, nrem,
		                  (const uint8_t(*)[20])add, nadd, todo[ntodo]))
			ntodo++;
	}
	qsort(todo, ntodo, 20, hcmp);
	for (size_t i = 0; i < ntodo && rc == HS_OK; i++) {
		uint8_t owner[WIRE_NAME_MAX], next[20];
		size_t ol;
		const struct h3 *x = NULL;
		if (i > 0 && memcmp(todo[i - 1], todo[i], 20) == 0)
			continue;
		for (size_t k = 0; k < nh; k++)
			if (memcmp(hv[k].hash, todo[i], 20) == 0)
				x = &hv[k];
		ol = zs_nsec3_owner(todo[i], s->apex, s->apex_len, owner);
		if (!new_neighbour(s, so, todo[i], 1, (const uint8_t(*)[20])rem, nrem,
		                   (const uint8_t(*)[20])add, nadd, next))
			memcpy(next, todo[i], 20); /* alone in the chain */
		hs_buf_reset(&rd);
		if (x != NULL) {
			zs_nsec3_rdata(s, x->types, x->nt, next, &rd);
		} else {
			/* a neighbour whose own data did not change: its bitmap
			 * stays, only the next hash moves */
			zn_rrset_t old;
			const uint8_t *ord;
			uint16_t olen;
			size_t off = 0, pos;
			if (!has_set(so, owner, ol, ZS_TYPE_NSEC3, &old) ||
			    !zn_rrset_next(&old, &off, &ord, &olen) || olen < 5 ||
			    (pos = 5 + (size_t)ord[4]) + 1 + 20 > olen) {
				rc = hs_fail(em, HS_E_STATE,
				             "the signed zone lacks an NSEC3 record");
				break;
			}
			hs_buf_append(&rd, ord, pos + 1);
			hs_buf_append(&rd, next, 20);
			hs_buf_append(&rd, ord + pos + 1 + ord[pos], olen - (pos + 1 + ord[pos]));
		}
		rc = put_denial(so, owner, ol, ZS_TYPE_NSEC3, rd.data, rd.len, w->dttl, w, d);
	}
	for (size_t i = 0; i < nrem && rc == HS_OK; i++) {
		uint8_t owner[WIRE_NAME_MAX];
		size_t ol = zs_nsec3_owner(rem[i], s->apex, s->apex_len, owner);
		rc = put_denial(so, owner, ol, ZS_TYPE_NSEC3, NULL, 0, w->dttl, w, d);
	}
	oset_free(&names);
	free(hv);
	free(rem);
	free(add);
	free(todo);
	hs_buf_free(&rd);
	return rc;
}

/* ---- incremental signing ---- */

/* Owners below `top` in `v`, added to `o` (a delegation that appeared or
 * went away changes what is signed below it). */
static void add_subtree(const zn_snap_t *v, const uint8_t *top, size_t tl, struct oset *o)
{
	uint8_t cur[WIRE_NAME_MAX], n[WIRE_NAME_MAX];
	size_t cl = tl, nl;
	memcpy(cur, top, tl);
	while (zn_snap_next_owner(v, cur, cl, 0, n, &nl) == HS_OK && nl > tl &&
	       zn_name_in(n, nl, top, tl)) {
		oset_add(o, n, nl, 0);
		memcpy(cur, n, nl);
		cl = nl;
	}
}

/* Re-sign what changed at one owner: RRSIGs of the changed types (every
 * type when what the name is changed). */
static int resign_owner(const zs_signer_t *s, const zn_snap_t *u, const zn_snap_t *so,
                        const uint8_t *o, size_t l, const uint16_t *changed, size_t nchanged,
                        struct zs_walk *w, zn_diff_t *d)
{
	uint16_t types[600];
	size_t nt;
	zn_rrset_t nsets[64], osets[64];
	size_t nn = 0, no = 0;
	uint16_t all[200];
	size_t nall = 0;
	enum zs_name_kind kn = zs_name_classify(s, u, o, l, types, &nt);
	enum zs_name_kind ko = zs_name_classify(s, so, o, l, types, &nt);
	const uint16_t *list = changed;
	size_t nlist = nchanged;
	int rc = HS_OK;

	if (kn != ko) {
		if (zn_snap_owner_sets(u, o, l, nsets, 64, &nn) != HS_OK)
			nn = 0;
		if (zn_snap_owner_sets(so, o, l, osets, 64, &no) != HS_OK)
			no = 0;
		for (size_t i = 0; i < nn && i < 64 && nall < 200; i++)
			all[nall++] = nsets[i].type;
		for (size_t i = 0; i < no && i < 64 && nall < 200; i++)
			all[nall++] = osets[i].type;
		list = all;
		nlist = nall;
	}
	for (size_t i = 0; i < nlist && rc == HS_OK; i++) {
		uint16_t t = list[i];
		zn_rrset_t set;
		int dup = 0;
		for (size_t k = 0; k < i; k++)
			dup |= list[k] == t;
		if (dup || zs_type_is_dnssec(t) || t == ZN_TYPE_SOA)
			continue;
		rc = del_sigs(so, o, l, t, d);
		if (rc != HS_OK)
			break;
		if (!has_set(u, o, l, t, &set))
			continue;
		if (kn == ZS_NAME_AUTH ||
		    ((kn == ZS_NAME_CUT || kn == ZS_NAME_OPTOUT) && t == ZS_TYPE_DS))
			zs_walk_add_job(w, o, l, t, set.ttl, &set, NULL, 0);
	}
	return rc;
}

int zs_sign_diff(zs_signer_t *s, const zn_snap_t *u, const zn_diff_t *ud, const zn_snap_t *so,
                 uint32_t now, uint32_t serial, zn_diff_t **out, zs_stats_t *st, hs_errmsg_t *em)
{
	struct oset ch, owners;
	struct zs_walk w;
	zn_diff_t *d = NULL;
	zn_rr_t soa, rr;
	hs_buf_t soard = HS_BUF_INIT;
	zs_stats_t local;
	const uint8_t *apex;
	size_t alen;
	int rc = HS_OK;

	if (s == NULL || u == NULL || ud == NULL || so == NULL || out == NULL)
		return HS_E_INVAL;
	if (s->nkeys == 0)
		return hs_fail(em, HS_E_STATE, "no signing keys");
	apex = zn_snap_apex(u, &alen);
	if (!dnsmsg_name_equal(apex, alen, s->apex, s->apex_len))
		return hs_fail(em, HS_E_INVAL, "the version is of another zone");
	if (!compatible(s, u, so))
		return resign_all(s, u, so, now, serial, out, st, em);

	memset(&ch, 0, sizeof(ch));
	memset(&owners, 0, sizeof(owners));
	memset(&local, 0, sizeof(local));
	zs_walk_init(&w);
	zn_snap_soa(u, &soa);
	w.dttl = zs_denial_ttl(&soa);
	d = zn_diff_new();

	/* the unsigned changes themselves, and what they touch */
	for (int pass = 0; pass < 2 && rc == HS_OK; pass++) {
		size_t n = pass ? zn_diff_nadd(ud) : zn_diff_ndel(ud);
		for (size_t i = 0; i < n && rc == HS_OK; i++) {
			rc = pass ? zn_diff_add_rr(ud, i, &rr) : zn_diff_del_rr(ud, i, &rr);
			if (rc != HS_OK || zs_type_is_dnssec(rr.type))
				continue;
			rc = pass ? zn_diff_add(d, &rr) : zn_diff_del(d, &rr);
			oset_add(&ch, rr.owner, rr.owner_len, rr.type);
			oset_add(&owners, rr.owner, rr.owner_len, 0);
			/* a delegation that came or went changes its subtree */
			if (rr.type == ZS_TYPE_NS &&
			    !dnsmsg_name_equal(rr.owner, rr.owner_len, apex, alen) &&
			    has_set(u, rr.owner, rr.owner_len, ZS_TYPE_NS, NULL) !=
			        has_set(so, rr.owner, rr.owner_len, ZS_TYPE_NS, NULL)) {
				add_subtree(u, rr.owner, rr.owner_len, &owners);
				add_subtree(so, rr.owner, rr.owner_len, &owners);
			}
		}
	}
	/* another KSK set: the RRsets it signs get new signatures (SIGN-7) */
	if (rc == HS_OK && !sigs_match_keys(s, so, s->apex, s->apex_len, ZS_TYPE_DNSKEY)) {
		oset_add(&ch, s->apex, s->apex_len, ZS_TYPE_DNSKEY);
		oset_add(&ch, s->apex, s->apex_len, ZS_TYPE_CDS);
		oset_add(&ch, s->apex, s->apex_len, ZS_TYPE_CDNSKEY);
		oset_add(&owners, s->apex, s->apex_len, 0);
	}
	oset_sort(&ch);
	oset_sort(&owners);
	/* re-sign per owner */
	for (size_t i = 0, j = 0; i < owners.n && rc == HS_OK; i++) {
		const uint8_t *o = owners.names.data + owners.v[i].off;
		size_t l = owners.v[i].len;
		uint16_t types[256];
		size_t nt = 0;
		while (j < ch.n && zn_name_cmp(ch.names.data + ch.v[j].off, ch.v[j].len, o, l) < 0)
			j++;
		for (size_t k = j;
		     k < ch.n && nt < 256 &&
		     dnsmsg_name_equal(ch.names.data + ch.v[k].off, ch.v[k].len, o, l);
		     k++)
			types[nt++] = ch.v[k].type;
		rc = resign_owner(s, u, so, o, l, types, nt, &w, d);
	}
	if (rc == HS_OK)
		rc = s->p.denial == ZS_NSEC ? fix_nsec(s, u, so, &owners, &w, d)
		                            : fix_nsec3(s, u, so, &owners, &w, d, em);
	if (rc == HS_OK)
		rc = put_soa(s, so, &soa, serial, &soard, &w, d);
	if (rc == HS_OK)
		rc = zs_sign_jobs(s, &w, 0, w.njobs, now, zs_seed(s), 1, NULL, d, &local);
	if (rc != HS_OK) {
		if (rc == HS_E_CRYPTO)
			hs_fail(em, rc, "signing failed");
		zn_diff_free(d);
		goto cleanup;
	}
	local.denial = w.ndenial;
	local.records = zn_diff_ndel(d) + zn_diff_nadd(d);
	*out = d;
	if (st != NULL)
		*st = local;
cleanup:
	oset_free(&ch);
	oset_free(&owners);
	zs_walk_free(&w);
	hs_buf_free(&soard);
	return rc;
}

/* ---- refresh ---- */

struct due {
	uint32_t exp;
	uint32_t off;
	uint8_t len;
	uint16_t type;
};

static int due_cmp(const void *a, const void *b)
{
	const struct due *x = a, *y = b;
	if (x->exp != y->exp)
		return (int32_t)(x->exp - y->exp) < 0 ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

int zs_refresh(zs_signer_t *s, const zn_snap_t *so, uint32_t now, uint32_t serial,
               size_t max_rrsets, zn_diff_t **out, zs_stats_t *st, hs_errmsg_t *em)
{
	zn_iter_t *it;
	const uint8_t *owner;
	size_t olen, ndue = 0, cdue = 0;
	zn_rrset_t set;
	struct due *dv = NULL;
	hs_buf_t names = HS_BUF_INIT, soard = HS_BUF_INIT;
	struct zs_walk w;
	zn_diff_t *d = NULL;
	zn_rr_t soa;
	zs_stats_t local;
	uint32_t limit = now + s->p.refresh;
	int rc = HS_OK;

	if (s == NULL || so == NULL || out == NULL)
		return HS_E_INVAL;
	if (s->nkeys == 0)
		return hs_fail(em, HS_E_STATE, "no signing keys");
	memset(&local, 0, sizeof(local));
	zs_walk_init(&w);
	it = zn_iter_new((zn_snap_t *)so);
	while (zn_iter_next(it, &owner, &olen, &set)) {
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rdlen;
		if (set.type != ZS_TYPE_RRSIG)
			continue;
		/* per covered type: the earliest expiry, and whether the keys
		 * are the signer's current ones */
		uint16_t seen[64];
		size_t nseen = 0;
		while (zn_rrset_next(&set, &off, &rd, &rdlen)) {
			if (rdlen < 18)
				continue;
			uint16_t t = (uint16_t)(rd[0] << 8 | rd[1]);
			uint32_t e = (uint32_t)rd[8] << 24 | (uint32_t)rd[9] << 16 |
			             (uint32_t)rd[10] << 8 | rd[11];
			int known = 0;
			for (size_t k = 0; k < nseen; k++)
				known |= seen[k] == t;
			if (known)
				continue;
			if ((int32_t)(e - limit) >= 0 && sigs_match_keys(s, so, owner, olen, t)) {
				/* every signature of t: look at the earliest */
				zn_rrset_t all = set;
				size_t o2 = 0;
				const uint8_t *r2;
				uint16_t l2;
				int soon = 0;
				while (zn_rrset_next(&all, &o2, &r2, &l2))
					if (l2 >= 18 && (uint16_t)(r2[0] << 8 | r2[1]) == t &&
					    (int32_t)(((uint32_t)r2[8] << 24 |
					               (uint32_t)r2[9] << 16 |
					               (uint32_t)r2[10] << 8 | r2[11]) -
					              limit) < 0)
						soon = 1;
				if (!soon)
					continue;
			}
			if (nseen < 64)
				seen[nseen++] = t;
			if (t == ZN_TYPE_SOA)
				continue; /* the SOA is re-signed anyway */
			if (ndue == cdue) {
				cdue = cdue ? cdue * 2 : 256;
				dv = xrealloc(dv, cdue * sizeof(*dv));
			}
			dv[ndue].exp = e;
			dv[ndue].off = (uint32_t)names.len;
			dv[ndue].len = (uint8_t)olen;
			dv[ndue].type = t;
			hs_buf_append(&names, owner, olen);
			ndue++;
		}
	}
	zn_iter_free(it);
	if (ndue == 0) {
		*out = NULL;
		if (st != NULL)
			*st = local;
		goto cleanup;
	}
	qsort(dv, ndue, sizeof(*dv), due_cmp);
	if (max_rrsets && ndue > max_rrsets)
		ndue = max_rrsets;
	d = zn_diff_new();
	zn_snap_soa(so, &soa);
	for (size_t i = 0; i < ndue && rc == HS_OK; i++) {
		const uint8_t *o = names.data + dv[i].off;
		size_t l = dv[i].len;
		rc = del_sigs(so, o, l, dv[i].type, d);
		if (rc == HS_OK && has_set(so, o, l, dv[i].type, &set))
			zs_walk_add_job(&w, o, l, dv[i].type, set.ttl, &set, NULL, 0);
	}
	if (rc == HS_OK)
		rc = put_soa(s, so, &soa, serial, &soard, &w, d);
	if (rc == HS_OK)
		rc =
		    zs_sign_jobs(s, &w, 0, w.njobs, now, zs_seed(s), s->p.threads, NULL, d, &local);
	if (rc != HS_OK) {
		zn_diff_free(d);
		if (rc == HS_E_CRYPTO)
			hs_fail(em, rc, "signing failed");
		goto cleanup;
	}
	local.records = zn_diff_ndel(d) + zn_diff_nadd(d);
	*out = d;
	if (st != NULL)
		*st = local;
cleanup:
	free(dv);
	hs_buf_free(&names);
	hs_buf_free(&soard);
	zs_walk_free(&w);
	return rc;
}
