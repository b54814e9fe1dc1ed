/* zs_walk.c -- the work list of a signing run and the full walk that
 * fills it: records copied, RRsets to sign, names of the denial chain
 * (with empty non-terminals for NSEC3), then the chain itself. */
#include "dnssec/zs_walk.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"

void zs_walk_init(struct zs_walk *w)
{
	memset(w, 0, sizeof(*w));
}

void zs_walk_free(struct zs_walk *w)
{
	hs_buf_free(&w->names);
	hs_buf_free(&w->den);
	free(w->jobs);
	free(w->nm);
	free(w->types);
	memset(w, 0, sizeof(*w));
}

static uint32_t put_name(struct zs_walk *w, const uint8_t *name, size_t len)
{
	uint32_t off = (uint32_t)w->names.len;
	hs_buf_append(&w->names, name, len);
	return off;
}

void zs_walk_add_job(struct zs_walk *w, const uint8_t *owner_in, size_t len, uint16_t type,
                     uint32_t ttl, const zn_rrset_t *set, const uint8_t *one_in, uint16_t onelen)
{
	/* the owner and the RDATA may point into the walk's own arenas,
	 * which the appends below can move: work on copies */
	uint8_t owner[WIRE_NAME_MAX];
	uint8_t *one = NULL;
	if (len > WIRE_NAME_MAX)
		len = WIRE_NAME_MAX;
	memcpy(owner, owner_in, len);
	if (set == NULL && onelen) {
		one = xmalloc(onelen);
		memcpy(one, one_in, onelen);
	}
	if (w->njobs == w->cjobs) {
		w->cjobs = w->cjobs ? w->cjobs * 2 : 1024;
		w->jobs = xrealloc(w->jobs, w->cjobs * sizeof(*w->jobs));
	}
	struct zs_job *j = &w->jobs[w->njobs++];
	memset(j, 0, sizeof(*j));
	/* consecutive jobs of one owner share its copy */
	if (w->njobs > 1 && j[-1].name_len == len &&
	    memcmp(w->names.data + j[-1].name_off, owner, len) == 0)
		j->name_off = j[-1].name_off;
	else
		j->name_off = put_name(w, owner, len);
	j->name_len = (uint8_t)len;
	j->type = type;
	j->ttl = ttl;
	if (set != NULL) {
		j->set = *set;
	} else {
		j->has_one = 1;
		j->one_off = w->den.len;
		j->one_len = onelen;
		if (onelen)
			hs_buf_append(&w->den, one, onelen);
	}
	free(one);
}

void zs_walk_add_name(struct zs_walk *w, const uint8_t *name_in, size_t len, enum zs_name_kind kind,
                      const uint16_t *types, size_t ntypes)
{
	uint8_t name[WIRE_NAME_MAX]; /* name_in may point into w->names */
	if (len > WIRE_NAME_MAX)
		len = WIRE_NAME_MAX;
	memcpy(name, name_in, len);
	if (w->nnames == w->cnames) {
		w->cnames = w->cnames ? w->cnames * 2 : 1024;
		w->nm = xrealloc(w->nm, w->cnames * sizeof(*w->nm));
	}
	if (w->ntypes + ntypes > w->ctypes) {
		while (w->ntypes + ntypes > w->ctypes)
			w->ctypes = w->ctypes ? w->ctypes * 2 : 4096;
		w->types = xrealloc(w->types, w->ctypes * sizeof(*w->types));
	}
	struct zs_name *n = &w->nm[w->nnames++];
	memset(n, 0, sizeof(*n));
	n->off = put_name(w, name, len);
	n->len = (uint8_t)len;
	n->kind = (uint8_t)kind;
	n->types_off = (uint32_t)w->ntypes;
	n->ntypes = (uint16_t)ntypes;
	if (ntypes)
		memcpy(w->types + w->ntypes, types, ntypes * sizeof(*types));
	w->ntypes += ntypes;
}

void zs_walk_job_rrset(const struct zs_walk *w, size_t j, struct zs_rrset *r)
{
	const struct zs_job *jb = &w->jobs[j];
	memset(r, 0, sizeof(*r));
	r->owner = w->names.data + jb->name_off;
	r->owner_len = jb->name_len;
	r->type = jb->type;
	r->ttl = jb->ttl;
	if (jb->has_one) {
		r->one = w->den.data + jb->one_off;
		r->onelen = jb->one_len;
		/* a zero-length RDATA still needs a non-NULL pointer */
		if (r->one == NULL)
			r->one = (const uint8_t *)"";
	} else {
		r->set = jb->set;
	}
}

size_t zs_walk_keys_for(const zs_signer_t *s, const struct zs_walk *w, size_t j)
{
	unsigned want = zs_role_for(w->jobs[j].type);
	size_t n = 0;
	for (size_t i = 0; i < s->nkeys; i++)
		n += (s->roles[i] & want) != 0;
	return n;
}

/* ---- the full walk ---------------------------------------------------- */

struct owner_sets {
	uint8_t name[WIRE_NAME_MAX];
	size_t len;
	zn_rrset_t sets[64];
	size_t n;
	zn_rrset_t *more; /* beyond 64 types at one name */
	size_t nmore, cmore;
};

static void os_push(struct owner_sets *o, const zn_rrset_t *set)
{
	if (o->n < 64) {
		o->sets[o->n++] = *set;
		return;
	}
	if (o->nmore == o->cmore) {
		o->cmore = o->cmore ? o->cmore * 2 : 64;
		o->more = xrealloc(o->more, o->cmore * sizeof(*o->more));
	}
	o->more[o->nmore++] = *set;
}

static const zn_rrset_t *os_at(const struct owner_sets *o, size_t i)
{
	return i < 64 ? &o->sets[i] : &o->more[i - 64];
}

/* 1 when `name` is at or below `top` (wire names, lowercase). */
static int name_under(const uint8_t *name, size_t len, const uint8_t *top, size_t tlen)
{
	return tlen <= len && memcmp(name + len - tlen, top, tlen) == 0 &&
	       (tlen == len || zn_name_in(name, len, top, tlen));
}

/* Records of one owner to the builder; jobs and the chain name to `w`. */
static int walk_owner(const zs_signer_t *s, struct owner_sets *o, const uint8_t *soa_rd,
                      uint16_t soa_len, zn_builder_t *b, struct zs_walk *w, uint8_t *cut,
                      size_t *cut_len, const uint8_t *prev, size_t prev_len, int *in_chain,
                      hs_errmsg_t *em)
{
	int apex = o->len == s->apex_len && memcmp(o->name, s->apex, o->len) == 0;
	int occluded = *cut_len && o->len > *cut_len && name_under(o->name, o->len, cut, *cut_len);
	int has_ns = 0, has_ds = 0, rc;
	size_t total = o->n + o->nmore, npresent = 0;
	uint16_t present[512], bits[520];

	for (size_t i = 0; i < total; i++) {
		const zn_rrset_t *set = os_at(o, i);
		has_ns |= set->type == ZS_TYPE_NS;
		has_ds |= set->type == ZS_TYPE_DS;
	}
	if (!occluded && !apex && has_ns) {
		memcpy(cut, o->name, o->len);
		*cut_len = o->len;
	}
	for (size_t i = 0; i < total; i++) {
		const zn_rrset_t *set = os_at(o, i);
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rdlen;
		if (zs_type_is_dnssec(set->type))
			continue;
		if (set->type == ZN_TYPE_SOA && apex) {
			zn_rr_t rr = {o->name, o->len, ZN_TYPE_SOA, set->ttl, soa_rd, soa_len};
			rc = zn_builder_add(b, &rr, em);
			if (rc != HS_OK)
				return rc;
			w->nrecords++;
			zs_walk_add_job(w, o->name, o->len, ZN_TYPE_SOA, set->ttl, NULL, soa_rd,
			                soa_len);
			if (npresent < 512)
				present[npresent++] = set->type;
			continue;
		}
		while (zn_rrset_next(set, &off, &rd, &rdlen)) {
			zn_rr_t rr = {o->name, o->len, set->type, set->ttl, rd, rdlen};
			rc = zn_builder_add(b, &rr, em);
			if (rc != HS_OK)
				return rc;
			w->nrecords++;
		}
		if (occluded)
			continue;
		if (npresent < 512)
			present[npresent++] = set->type;
		/* at a cut only DS is the parent's to sign */
		if (!apex && has_ns && set->type != ZS_TYPE_DS)
			continue;
		zs_walk_add_job(w, o->name, o->len, set->type, set->ttl, set, NULL, 0);
	}
	if (occluded || npresent == 0)
		return HS_OK;
	*in_chain = 1;
	enum zs_name_kind kind = (!apex && has_ns) ? ZS_NAME_CUT : ZS_NAME_AUTH;
	if (kind == ZS_NAME_CUT && !has_ds && s->p.denial == ZS_NSEC3 && s->p.nsec3_optout)
		kind = ZS_NAME_OPTOUT;
	/* NSEC3: ancestors not seen before this name are empty non-terminals */
	if (s->p.denial == ZS_NSEC3 && !apex) {
		/* every proper ancestor strictly below the apex, longest first */
		size_t off = 1 + (size_t)o->name[0];
		while (o->len - off > s->apex_len) {
			const uint8_t *a = o->name + off;
			size_t alen = o->len - off;
			if (!(prev_len >= alen && name_under(prev, prev_len, a, alen)))
				zs_walk_add_name(w, a, alen, ZS_NAME_ENT, NULL, 0);
			off += 1 + (size_t)o->name[off];
		}
	}
	if (kind == ZS_NAME_OPTOUT)
		return HS_OK;
	/* sort the present types (RRsets come in type order already) */
	size_t nb = zs_name_bitmap_types(s, kind, apex, present, npresent, bits);
	zs_walk_add_name(w, o->name, o->len, kind, bits, nb);
	return HS_OK;
}

int zs_walk_run(const zs_signer_t *s, const zn_snap_t *u, uint32_t serial, zn_builder_t *b,
                struct zs_walk *w, hs_errmsg_t *em)
{
	struct owner_sets *o = xcalloc(1, sizeof(*o));
	uint8_t cut[WIRE_NAME_MAX], prev[WIRE_NAME_MAX], soa_rd[2 * WIRE_NAME_MAX + 20];
	size_t cut_len = 0, prev_len = 0, len;
	const uint8_t *owner;
	zn_rrset_t set;
	zn_rr_t soa;
	int rc = HS_OK;
	zn_iter_t *it;

	zs_walk_init(w);
	zn_snap_soa(u, &soa);
	if (soa.rdlen < 20 || soa.rdlen > sizeof(soa_rd)) {
		free(o);
		return hs_fail(em, HS_E_MALFORMED, "bad SOA");
	}
	memcpy(soa_rd, soa.rdata, soa.rdlen);
	soa_rd[soa.rdlen - 20] = (uint8_t)(serial >> 24);
	soa_rd[soa.rdlen - 19] = (uint8_t)(serial >> 16);
	soa_rd[soa.rdlen - 18] = (uint8_t)(serial >> 8);
	soa_rd[soa.rdlen - 17] = (uint8_t)serial;
	w->dttl = zs_denial_ttl(&soa);

	it = zn_iter_new((zn_snap_t *)u);
	for (;;) {
		int more = zn_iter_next(it, &owner, &len, &set);
		if (o->len && (!more || len != o->len || memcmp(owner, o->name, len) != 0)) {
			int in_chain = 0;
			rc = walk_owner(s, o, soa_rd, soa.rdlen, b, w, cut, &cut_len, prev,
			                prev_len, &in_chain, em);
			if (rc != HS_OK)
				break;
			if (in_chain) {
				memcpy(prev, o->name, o->len);
				prev_len = o->len;
			}
			o->len = o->n = o->nmore = 0;
		}
		if (!more)
			break;
		if (o->len == 0) {
			memcpy(o->name, owner, len);
			o->len = len;
		}
		os_push(o, &set);
	}
	zn_iter_free(it);
	free(o->more);
	free(o);
	if (rc == HS_OK && s->p.denial == ZS_NSEC3) {
		/* NSEC3PARAM at the apex: hash 1, flags 0 */
		hs_buf_t p = HS_BUF_INIT;
		hs_buf_append_u8(&p, 1);
		hs_buf_append_u8(&p, 0);
		hs_buf_append_u16(&p, s->p.nsec3_iterations);
		hs_buf_append_u8(&p, (uint8_t)s->p.nsec3_saltlen);
		hs_buf_append(&p, s->p.nsec3_salt, s->p.nsec3_saltlen);
		zn_rr_t rr = {s->apex, s->apex_len, ZS_TYPE_NSEC3PARAM,
		              w->dttl, p.data,      (uint16_t)p.len};
		rc = zn_builder_add(b, &rr, em);
		zs_walk_add_job(w, s->apex, s->apex_len, ZS_TYPE_NSEC3PARAM, w->dttl, NULL, p.data,
		                (uint16_t)p.len);
		hs_buf_free(&p);
	}
	if (rc != HS_OK)
		zs_walk_free(w);
	return rc;
}

/* ---- the chain ---------------------------------------------------------- */

static const struct zs_walk *sort_w;

static int hash_cmp(const void *a, const void *b)
{
	const struct zs_name *x = &sort_w->nm[*(const size_t *)a];
	const struct zs_name *y = &sort_w->nm[*(const size_t *)b];
	return memcmp(x->hash, y->hash, 20);
}

void zs_nsec3_rdata(const zs_signer_t *s, const uint16_t *types, size_t ntypes,
                    const uint8_t next[20], hs_buf_t *out)
{
	hs_buf_append_u8(out, 1);
	hs_buf_append_u8(out, s->p.nsec3_optout ? 1 : 0);
	hs_buf_append_u16(out, s->p.nsec3_iterations);
	hs_buf_append_u8(out, (uint8_t)s->p.nsec3_saltlen);
	hs_buf_append(out, s->p.nsec3_salt, s->p.nsec3_saltlen);
	hs_buf_append_u8(out, 20);
	hs_buf_append(out, next, 20);
	zs_bitmap(types, ntypes, out);
}

int zs_walk_chain(const zs_signer_t *s, struct zs_walk *w, zn_builder_t *b, hs_errmsg_t *em)
{
	hs_buf_t rd = HS_BUF_INIT;
	size_t *order = NULL;
	int rc = HS_OK;

	if (w->nnames == 0)
		return HS_OK;
	if (s->p.denial == ZS_NSEC) {
		for (size_t i = 0; i < w->nnames && rc == HS_OK; i++) {
			const struct zs_name *n = &w->nm[i], *nx = &w->nm[(i + 1) % w->nnames];
			hs_buf_reset(&rd);
			hs_buf_append(&rd, w->names.data + nx->off, nx->len);
			zs_bitmap(w->types + n->types_off, n->ntypes, &rd);
			zn_rr_t rr = {
			    w->names.data + n->off, n->len, ZS_TYPE_NSEC, w->dttl, rd.data,
			    (uint16_t)rd.len};
			rc = zn_builder_add(b, &rr, em);
			zs_walk_add_job(w, rr.owner, rr.owner_len, ZS_TYPE_NSEC, w->dttl, NULL,
			                rd.data, (uint16_t)rd.len);
			w->ndenial++;
		}
		hs_buf_free(&rd);
		return rc;
	}
	order = xmalloc(w->nnames * sizeof(*order));
	for (size_t i = 0; i < w->nnames; i++) {
		struct zs_name *n = &w->nm[i];
		order[i] = i;
		rc = zs_nsec3_hash(w->names.data + n->off, n->len, s->p.nsec3_salt,
		                   s->p.nsec3_saltlen, s->p.nsec3_iterations, n->hash);
		if (rc != HS_OK)
			goto cleanup;
	}
	sort_w = w;
	qsort(order, w->nnames, sizeof(*order), hash_cmp);
	for (size_t i = 0; i < w->nnames && rc == HS_OK; i++) {
		const struct zs_name *n = &w->nm[order[i]];
		const struct zs_name *nx = &w->nm[order[(i + 1) % w->nnames]];
		uint8_t owner[WIRE_NAME_MAX];
		size_t olen;
		if (i + 1 < w->nnames && memcmp(n->hash, nx->hash, 20) == 0) {
			rc = hs_fail(em, HS_E_EXISTS, "NSEC3 hash collision");
			break;
		}
		hs_buf_reset(&rd);
		zs_nsec3_rdata(s, w->types + n->types_off, n->ntypes, nx->hash, &rd);
		olen = zs_nsec3_owner(n->hash, s->apex, s->apex_len, owner);
		zn_rr_t rr = {owner, olen, ZS_TYPE_NSEC3, w->dttl, rd.data, (uint16_t)rd.len};
		rc = zn_builder_add(b, &rr, em);
		zs_walk_add_job(w, owner, olen, ZS_TYPE_NSEC3, w->dttl, NULL, rd.data,
		                (uint16_t)rd.len);
		w->ndenial++;
	}
cleanup:
	free(order);
	hs_buf_free(&rd);
	return rc;
}
