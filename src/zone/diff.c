/*
 * diff.c -- differences: the object, and computing one between two
 * versions or two record collections.
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "zone/zone_int.h"

zn_diff_t *zn_diff_new(void)
{
	return xcalloc(1, sizeof(zn_diff_t));
}

void zn_diff_free(zn_diff_t *d)
{
	if (d == NULL)
		return;
	hs_buf_free(&d->arena);
	hs_buf_free(&d->from_soa);
	hs_buf_free(&d->to_soa);
	free(d->del);
	free(d->add);
	free(d);
}

static int set_soa(hs_buf_t *b, uint32_t *serial, uint32_t *ttl_out, uint32_t ttl,
                   const uint8_t *rdata, uint16_t rdlen)
{
	uint32_t s;
	if (zn_soa_serial(rdata, rdlen, &s) != HS_OK)
		return HS_E_MALFORMED;
	b->len = 0;
	hs_buf_append(b, rdata, rdlen);
	*serial = s;
	*ttl_out = ttl;
	return HS_OK;
}

int zn_diff_set_from(zn_diff_t *d, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	int rc = set_soa(&d->from_soa, &d->from_serial, &d->from_ttl, ttl, rdata, rdlen);
	if (rc == HS_OK)
		d->has_from = 1;
	return rc;
}

int zn_diff_set_to(zn_diff_t *d, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	int rc = set_soa(&d->to_soa, &d->to_serial, &d->to_ttl, ttl, rdata, rdlen);
	if (rc == HS_OK)
		d->has_to = 1;
	return rc;
}

static int push(zn_diff_t *d, struct zn_drr **v, size_t *n, size_t *cap, const zn_rr_t *rr)
{
	uint8_t tmp[WIRE_NAME_MAX];
	wire_rd_t rd;
	size_t l;
	if (rr == NULL || rr->type == ZN_TYPE_SOA || rr->owner == NULL ||
	    (rr->rdlen && rr->rdata == NULL))
		return HS_E_INVAL;
	wire_rd_init(&rd, rr->owner, rr->owner_len);
	wire_rd_name(&rd, tmp, &l);
	if (wire_rd_finish(&rd) != HS_OK)
		return HS_E_INVAL;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	struct zn_drr *r = &(*v)[(*n)++];
	dnsmsg_name_lower(tmp, l);
	r->owner_off = d->arena.len;
	r->owner_len = (uint16_t)l;
	hs_buf_append(&d->arena, tmp, l);
	r->type = rr->type;
	r->ttl = rr->ttl;
	r->rd_off = d->arena.len;
	r->rdlen = rr->rdlen;
	if (rr->rdlen)
		hs_buf_append(&d->arena, rr->rdata, rr->rdlen);
	return HS_OK;
}

int zn_diff_del(zn_diff_t *d, const zn_rr_t *rr)
{
	return d ? push(d, &d->del, &d->ndel, &d->cdel, rr) : HS_E_INVAL;
}

int zn_diff_add(zn_diff_t *d, const zn_rr_t *rr)
{
	return d ? push(d, &d->add, &d->nadd, &d->cadd, rr) : HS_E_INVAL;
}

int zn_diff_has_from(const zn_diff_t *d)
{
	return d->has_from;
}

int zn_diff_has_to(const zn_diff_t *d)
{
	return d->has_to;
}

uint32_t zn_diff_from_serial(const zn_diff_t *d)
{
	return d->from_serial;
}

uint32_t zn_diff_to_serial(const zn_diff_t *d)
{
	return d->to_serial;
}

static void soa_view(const hs_buf_t *b, uint32_t ttl, zn_rr_t *out)
{
	memset(out, 0, sizeof(*out));
	out->type = ZN_TYPE_SOA;
	out->ttl = ttl;
	out->rdata = b->data;
	out->rdlen = (uint16_t)b->len;
}

void zn_diff_from_soa(const zn_diff_t *d, zn_rr_t *out)
{
	soa_view(&d->from_soa, d->from_ttl, out);
}

void zn_diff_to_soa(const zn_diff_t *d, zn_rr_t *out)
{
	soa_view(&d->to_soa, d->to_ttl, out);
}

size_t zn_diff_ndel(const zn_diff_t *d)
{
	return d->ndel;
}

size_t zn_diff_nadd(const zn_diff_t *d)
{
	return d->nadd;
}

static void rr_view(const zn_diff_t *d, const struct zn_drr *r, zn_rr_t *out)
{
	out->owner = d->arena.data + r->owner_off;
	out->owner_len = r->owner_len;
	out->type = r->type;
	out->ttl = r->ttl;
	out->rdata = r->rdlen ? d->arena.data + r->rd_off : (const uint8_t *)"";
	out->rdlen = r->rdlen;
}

int zn_diff_del_rr(const zn_diff_t *d, size_t i, zn_rr_t *out)
{
	if (i >= d->ndel)
		return HS_E_RANGE;
	rr_view(d, &d->del[i], out);
	return HS_OK;
}

int zn_diff_add_rr(const zn_diff_t *d, size_t i, zn_rr_t *out)
{
	if (i >= d->nadd)
		return HS_E_RANGE;
	rr_view(d, &d->add[i], out);
	return HS_OK;
}

size_t zn_diff_wire_size(const zn_diff_t *d)
{
	/* owner + type, class, TTL, RDLENGTH (10) + RDATA per record; the
	 * SOAs counted with a 2-octet compressed owner */
	size_t n = 0;
	for (size_t i = 0; i < d->ndel; i++)
		n += d->del[i].owner_len + 10u + d->del[i].rdlen;
	for (size_t i = 0; i < d->nadd; i++)
		n += d->add[i].owner_len + 10u + d->add[i].rdlen;
	n += 2 * (2 + 10) + d->from_soa.len + d->to_soa.len;
	return n;
}

zn_diff_t *zn_diff_copy(const zn_diff_t *d)
{
	zn_diff_t *c = zn_diff_new();
	hs_buf_append(&c->arena, d->arena.data, d->arena.len);
	hs_buf_append(&c->from_soa, d->from_soa.data, d->from_soa.len);
	hs_buf_append(&c->to_soa, d->to_soa.data, d->to_soa.len);
	if (d->ndel)
		c->del = xmemdup(d->del, d->ndel * sizeof(*d->del));
	if (d->nadd)
		c->add = xmemdup(d->add, d->nadd * sizeof(*d->add));
	c->ndel = c->cdel = d->ndel;
	c->nadd = c->cadd = d->nadd;
	c->has_from = d->has_from;
	c->has_to = d->has_to;
	c->from_serial = d->from_serial;
	c->to_serial = d->to_serial;
	c->from_ttl = d->from_ttl;
	c->to_ttl = d->to_ttl;
	return c;
}

/* ---- the difference between two versions -------------------------------- */

/* A walk of one tree with "subtree" and "node" frames, so that two walks
 * can skip the subtrees they share (zone.h, zn_diff_snaps). */
struct frame {
	const struct zn_node *n;
	int expand; /* 1: the whole subtree; 0: the node alone */
};

struct walk {
	struct frame *v;
	size_t top, cap;
};

static void wpush(struct walk *w, const struct zn_node *n, int expand)
{
	if (expand && n == NULL)
		return;
	if (w->top == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	w->v[w->top].n = n;
	w->v[w->top].expand = expand;
	w->top++;
}

static void wexpand(struct walk *w)
{
	const struct zn_node *n = w->v[--w->top].n;
	wpush(w, n->r, 1);
	wpush(w, n, 0);
	wpush(w, n->l, 1);
}

/* Every record of node n, RRset `only` (0 = all) into the del or add list. */
static void emit_node(zn_diff_t *d, const struct zn_snap *s, const struct zn_node *n, int add,
                      uint16_t only)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t nl = zn_key_name(n->data, n->klen, s->apex, s->apex_len, name);
	size_t off = 0;
	struct zn_set set;
	while (zn_node_set_next(n, &off, &set)) {
		if (set.type == ZN_TYPE_SOA || (only && set.type != only))
			continue;
		const uint8_t *p = set.rd, *end = set.rd + set.len;
		while (p < end) {
			zn_rr_t rr = {name, nl, set.type, 0, NULL, 0};
			p += zn_entry(p, set.type, set.ttl, &rr.rdata, &rr.rdlen, &rr.ttl);
			if ((add ? zn_diff_add(d, &rr) : zn_diff_del(d, &rr)) != HS_OK)
				return;
		}
	}
}

/* Records of one RRset in `a` and not in `b` with the same TTL (a TTL
 * change is a delete and an add; RRSIGs each have their own TTL). */
static void emit_set_diff(zn_diff_t *d, const uint8_t *name, size_t nl, const struct zn_set *a,
                          const struct zn_set *b, int add)
{
	const uint8_t *p = a->rd, *end = a->rd + a->len;
	while (p < end) {
		zn_rr_t rr = {name, nl, a->type, 0, NULL, 0};
		p += zn_entry(p, a->type, a->ttl, &rr.rdata, &rr.rdlen, &rr.ttl);
		int present = 0;
		if (b) {
			const uint8_t *q = b->rd, *qe = b->rd + b->len, *qrd;
			uint16_t ql;
			uint32_t qttl;
			while (q < qe && !present) {
				q += zn_entry(q, b->type, b->ttl, &qrd, &ql, &qttl);
				present =
				    qttl == rr.ttl && zn_rd_cmp(rr.rdata, rr.rdlen, qrd, ql) == 0;
			}
		}
		if (!present && (add ? zn_diff_add(d, &rr) : zn_diff_del(d, &rr)) != HS_OK)
			return;
	}
}

static void diff_nodes(zn_diff_t *d, const struct zn_snap *s, const struct zn_node *a,
                       const struct zn_node *b)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t nl = zn_key_name(a->data, a->klen, s->apex, s->apex_len, name);
	struct zn_set sa, sb;
	size_t off = 0;
	/* deletions: every RRset of a against b's set of that type */
	while (zn_node_set_next(a, &off, &sa)) {
		if (sa.type == ZN_TYPE_SOA)
			continue;
		int has = zn_node_find_set(b, sa.type, &sb);
		emit_set_diff(d, name, nl, &sa, has ? &sb : NULL, 0);
	}
	off = 0;
	while (zn_node_set_next(b, &off, &sb)) {
		if (sb.type == ZN_TYPE_SOA)
			continue;
		int has = zn_node_find_set(a, sb.type, &sa);
		emit_set_diff(d, name, nl, &sb, has ? &sa : NULL, 1);
	}
}

int zn_diff_snaps(const zn_snap_t *a, const zn_snap_t *b, zn_diff_t **out)
{
	struct walk wa = {0}, wb = {0};
	zn_rr_t soa;
	if (a == NULL || b == NULL || out == NULL)
		return HS_E_INVAL;
	if (!dnsmsg_name_equal(a->apex, a->apex_len, b->apex, b->apex_len))
		return HS_E_INVAL;
	zn_diff_t *d = zn_diff_new();
	zn_snap_soa(a, &soa);
	int rc = zn_diff_set_from(d, soa.ttl, soa.rdata, soa.rdlen);
	zn_snap_soa(b, &soa);
	if (rc == HS_OK)
		rc = zn_diff_set_to(d, soa.ttl, soa.rdata, soa.rdlen);
	if (rc != HS_OK) {
		zn_diff_free(d);
		return rc;
	}
	wpush(&wa, a->root, 1);
	wpush(&wb, b->root, 1);
	for (;;) {
		struct frame *fa = wa.top ? &wa.v[wa.top - 1] : NULL;
		struct frame *fb = wb.top ? &wb.v[wb.top - 1] : NULL;
		if (fa == NULL && fb == NULL)
			break;
		if (fa && fb && fa->expand && fb->expand && fa->n == fb->n) {
			wa.top--; /* a subtree both versions share */
			wb.top--;
			continue;
		}
		if (fa && fa->expand) {
			wexpand(&wa);
			if (fb && fb->expand)
				wexpand(&wb);
			continue;
		}
		if (fb && fb->expand) {
			wexpand(&wb);
			continue;
		}
		int c = fa == NULL ? 1
		        : fb == NULL
		            ? -1
		            : zn_key_cmp(fa->n->data, fa->n->klen, fb->n->data, fb->n->klen);
		if (c < 0) {
			emit_node(d, a, fa->n, 0, 0);
			wa.top--;
		} else if (c > 0) {
			emit_node(d, b, fb->n, 1, 0);
			wb.top--;
		} else {
			if (fa->n != fb->n)
				diff_nodes(d, a, fa->n, fb->n);
			wa.top--;
			wb.top--;
		}
	}
	free(wa.v);
	free(wb.v);
	*out = d;
	return HS_OK;
}

/* ---- the difference between two record collections ----------------------- */

static int rr_cmp(const void *pa, const void *pb)
{
	const zn_rr_t *a = pa, *b = pb;
	int c = zn_name_cmp(a->owner, a->owner_len, b->owner, b->owner_len);
	if (c)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return zn_rd_cmp(a->rdata, a->rdlen, b->rdata, b->rdlen);
}

static zn_rr_t *sorted(const zn_rr_t *v, size_t n)
{
	zn_rr_t *c = xmalloc((n ? n : 1) * sizeof(*c));
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].type != ZN_TYPE_SOA)
			c[w++] = v[i];
	qsort(c, w, sizeof(*c), rr_cmp);
	/* drop duplicates; mark the end with owner NULL */
	size_t k = 0;
	for (size_t i = 0; i < w; i++)
		if (k == 0 || rr_cmp(&c[k - 1], &c[i]) != 0)
			c[k++] = c[i];
	if (k < n)
		c[k].owner = NULL;
	return c;
}

int zn_diff_sets(const zn_rr_t *have, size_t nhave, const zn_rr_t *want, size_t nwant,
                 zn_diff_t **out)
{
	int rc = HS_OK;
	if (out == NULL || (nhave && have == NULL) || (nwant && want == NULL))
		return HS_E_INVAL;
	zn_rr_t *h = sorted(have, nhave), *w = sorted(want, nwant);
	size_t hn = 0, wn = 0;
	while (hn < nhave && h[hn].owner)
		hn++;
	while (wn < nwant && w[wn].owner)
		wn++;
	zn_diff_t *d = zn_diff_new();
	size_t i = 0, j = 0;
	while ((i < hn || j < wn) && rc == HS_OK) {
		int c = i == hn ? 1 : j == wn ? -1 : rr_cmp(&h[i], &w[j]);
		if (c == 0 && h[i].ttl != w[j].ttl) {
			rc = zn_diff_del(d, &h[i++]);
			if (rc == HS_OK)
				rc = zn_diff_add(d, &w[j++]);
		} else if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			rc = zn_diff_del(d, &h[i++]);
		} else {
			rc = zn_diff_add(d, &w[j++]);
		}
	}
	free(h);
	free(w);
	if (rc != HS_OK) {
		zn_diff_free(d);
		return rc;
	}
	*out = d;
	return HS_OK;
}
