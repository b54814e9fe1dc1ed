/*
 * cmb_apex.c -- the combined apex (SYNC-50, SYNC-51) as a pure function of
 * the owner's apex RRsets and the applied contributions.
 *
 * Order independence comes from sorting: every RDATA is put in canonical
 * form (RFC 4034 6.2: the names inside NS RDATA lowercased), sorted as a
 * left-justified octet string (6.3) and deduplicated, so the same sets of
 * inputs give the same bytes whatever order they arrived in.
 */
#include "engine/combiner/cmb_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dname.h"

static int rdata_cmp(const void *a, const void *b)
{
	const cmb_rdata_t *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = n ? memcmp(x->p, y->p, n) : 0;
	if (d)
		return d;
	return (int)x->len - (int)y->len;
}

/* A canonical copy of one RDATA of `type`. */
static cmb_rdata_t canon_rdata(uint16_t type, const uint8_t *p, uint16_t len)
{
	cmb_rdata_t r = {len ? xmemdup(p, len) : NULL, len};
	if (type == 2 && wire_name_valid(r.p, r.len, NULL)) {
		for (size_t off = 0; off < r.len && r.p[off];) {
			size_t l = r.p[off];
			for (size_t i = off + 1; i <= off + l; i++)
				if (r.p[i] >= 'A' && r.p[i] <= 'Z')
					r.p[i] = (uint8_t)(r.p[i] + 32);
			off += 1 + l;
		}
	}
	return r;
}

/* Sort and drop duplicates (freeing them). */
static size_t sort_unique(cmb_rdata_t *v, size_t n)
{
	size_t m = 0;
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), rdata_cmp);
	for (size_t i = 1; i < n; i++) {
		if (rdata_cmp(&v[m], &v[i]) == 0)
			free(v[i].p);
		else
			v[++m] = v[i];
	}
	return m + 1;
}

static void free_rdatas(cmb_rdata_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].p);
	free(v);
}

/* The canonical RDATAs of `type` among `in` appended to *v, and the
 * smallest TTL among them into *ttl (unchanged when there is none). */
static size_t collect(const cmb_rr_in_t *in, size_t n, uint16_t type, cmb_rdata_t **v, size_t *nv,
                      size_t *cap, uint32_t *ttl)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i].type != type)
			continue;
		if (*nv == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*v = xrealloc(*v, *cap * sizeof(**v));
		}
		(*v)[(*nv)++] = canon_rdata(type, in[i].rdata, in[i].rdlen);
		if (found == 0 || in[i].ttl < *ttl)
			*ttl = in[i].ttl;
		found++;
	}
	return found;
}

static int same_rdatas(const cmb_rdata_t *a, size_t na, const cmb_rdata_t *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (rdata_cmp(&a[i], &b[i]) != 0)
			return 0;
	return 1;
}

void cmb_combine(const cmb_rr_in_t *owner, size_t nowner, const cmb_rr_in_t *applied,
                 size_t napplied, cmb_apex_t *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t t = 0; t < sm_type_count() && t < CMB_NTYPES; t++) {
		uint16_t type = sm_type_at(t);
		int replace = 0;
		cmb_rrset_t *rs = &out->sets[out->n++];
		cmb_rdata_t *own = NULL, *res = NULL;
		size_t nown = 0, ocap = 0, nres = 0, rcap = 0;
		uint32_t own_ttl = 0, con_ttl = 0;
		(void)sm_type_synced(type, &replace);
		rs->type = type;
		size_t ncon = collect(applied, napplied, type, &res, &nres, &rcap, &con_ttl);
		if (ncon == 0) {
			free_rdatas(res, nres);
			continue; /* the owner's, unchanged */
		}
		size_t nowned = collect(owner, nowner, type, &own, &nown, &ocap, &own_ttl);
		nown = sort_unique(own, nown);
		if (!replace) /* NS: the owner's plus the contributed */
			for (size_t i = 0; i < nown; i++) {
				if (nres == rcap) {
					rcap = rcap * 2 + 1;
					res = xrealloc(res, rcap * sizeof(*res));
				}
				res[nres++] = canon_rdata(type, own[i].p, own[i].len);
			}
		nres = sort_unique(res, nres);
		uint32_t ttl = nowned ? own_ttl : con_ttl;
		if (nowned && same_rdatas(own, nown, res, nres)) {
			free_rdatas(res, nres);
		} else {
			rs->replaced = 1;
			rs->ttl = ttl;
			rs->n = nres;
			rs->rd = res;
		}
		free_rdatas(own, nown);
	}
}

/* Gather the applied records of originators listed ON. */
int cmb_apex_get(const cmb_t *c, const char *zone, cmb_apex_t *out)
{
	char canon[ENG_NAME_MAX];
	cmb_rr_in_t *own = NULL, *app = NULL;
	size_t napp = 0, cap = 0;
	if (c == NULL || zone == NULL || out == NULL ||
	    eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return HS_E_NOTFOUND;
	const cmb_zone_t *z = cmb_zone_find(c, canon);
	if (z == NULL || !z->v.loaded)
		return HS_E_NOTFOUND;
	own = z->v.nown ? xcalloc(z->v.nown, sizeof(*own)) : NULL;
	for (size_t i = 0; i < z->v.nown; i++)
		own[i] = (cmb_rr_in_t){z->v.own[i].type, z->v.own[i].ttl, z->v.own[i].rdata,
		                       z->v.own[i].rdlen};
	/* a zone that is not multi-provider here serves the owner's apex */
	for (size_t i = 0; cmb_zone_active(z) && i < z->nsets; i++) {
		const cmb_set_t *s = z->sets[i];
		if (!eng_zone_lists_on(&z->v.an, s->origin))
			continue;
		for (size_t j = 0; j < s->n; j++) {
			const cmb_rr_t *r = &s->rrs[j];
			if (r->verdict != SM_V_APPLIED || strcmp(r->owner, z->name) != 0)
				continue;
			if (napp == cap) {
				cap = cap ? cap * 2 : 8;
				app = xrealloc(app, cap * sizeof(*app));
			}
			app[napp++] = (cmb_rr_in_t){s->type, r->ttl, r->rdata, r->rdlen};
		}
	}
	cmb_combine(own, z->v.nown, app, napp, out);
	free(own);
	free(app);
	return HS_OK;
}

void cmb_apex_clear(cmb_apex_t *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n; i++)
		free_rdatas(a->sets[i].rd, a->sets[i].n);
	memset(a, 0, sizeof(*a));
}

void cmb_apex_bytes(const cmb_apex_t *a, hs_buf_t *out)
{
	for (size_t i = 0; i < a->n; i++) {
		const cmb_rrset_t *s = &a->sets[i];
		hs_buf_append_u16(out, s->type);
		hs_buf_append_u8(out, s->replaced ? 1 : 0);
		if (!s->replaced)
			continue;
		hs_buf_append_u32(out, s->ttl);
		hs_buf_append_u16(out, (uint16_t)s->n);
		for (size_t j = 0; j < s->n; j++) {
			hs_buf_append_u16(out, s->rd[j].len);
			hs_buf_append(out, s->rd[j].p, s->rd[j].len);
		}
	}
}
