/*
 * builder.c -- making a version from records in any order (a transfer,
 * a zone file, the identity zone's signer): sort, drop duplicates, group
 * by owner and type, build the treap in one pass.
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"
#include "zone/zone_int.h"

struct brec {
	size_t key_off; /* into the arena: key then RDATA */
	uint32_t ttl;
	uint16_t type, rdlen;
	uint8_t klen;
};

struct zn_builder {
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	hs_buf_t arena;
	struct brec *v;
	size_t n, cap, max;
	int has_soa;
};

zn_builder_t *zn_builder_new(const uint8_t *apex, size_t apex_len)
{
	zn_builder_t *b = xcalloc(1, sizeof(*b));
	if (apex_len > WIRE_NAME_MAX)
		apex_len = 0;
	if (apex_len)
		memcpy(b->apex, apex, apex_len);
	b->apex_len = apex_len;
	dnsmsg_name_lower(b->apex, b->apex_len);
	return b;
}

void zn_builder_free(zn_builder_t *b)
{
	if (b == NULL)
		return;
	hs_buf_free(&b->arena);
	free(b->v);
	free(b);
}

void zn_builder_limit(zn_builder_t *b, size_t max_records)
{
	b->max = max_records;
}

int zn_builder_add(zn_builder_t *b, const zn_rr_t *rr, hs_errmsg_t *em)
{
	uint8_t key[WIRE_NAME_MAX];
	size_t klen;
	hs_buf_t nm = HS_BUF_INIT;
	int rc;
	if (b == NULL || rr == NULL || (rr->rdlen && rr->rdata == NULL))
		return HS_E_INVAL;
	if (zn_key_of(rr->owner, rr->owner_len, b->apex, b->apex_len, key, &klen) != HS_OK) {
		hs_name_print(&nm, rr->owner, rr->owner_len);
		rc =
		    hs_fail(em, HS_E_MALFORMED, "owner '%s' is outside the zone", hs_buf_cstr(&nm));
		hs_buf_free(&nm);
		return rc;
	}
	if (rr->type == ZN_TYPE_SOA) {
		uint32_t serial;
		if (klen != 0)
			return hs_fail(em, HS_E_MALFORMED, "SOA below the apex");
		if (zn_soa_serial(rr->rdata, rr->rdlen, &serial) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "bad SOA RDATA");
		if (b->has_soa) {
			/* a repeated identical SOA is a duplicate; another is not */
			for (size_t i = 0; i < b->n; i++) {
				const struct brec *r = &b->v[i];
				if (r->type == ZN_TYPE_SOA &&
				    zn_rd_cmp(b->arena.data + r->key_off + r->klen, r->rdlen,
				              rr->rdata, rr->rdlen) == 0)
					return HS_OK;
			}
			return hs_fail(em, HS_E_MALFORMED, "a second SOA");
		}
		b->has_soa = 1;
	}
	if (b->max && b->n >= b->max)
		return hs_fail(em, HS_E_LIMIT, "more than %zu records", b->max);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	struct brec *r = &b->v[b->n++];
	r->key_off = b->arena.len;
	r->klen = (uint8_t)klen;
	r->type = rr->type;
	r->ttl = rr->ttl;
	r->rdlen = rr->rdlen;
	hs_buf_append(&b->arena, key, klen);
	if (rr->rdlen)
		hs_buf_append(&b->arena, rr->rdata, rr->rdlen);
	return HS_OK;
}

static const uint8_t *sort_base;

static int brec_cmp(const void *pa, const void *pb)
{
	const struct brec *a = pa, *b = pb;
	int c = zn_key_cmp(sort_base + a->key_off, a->klen, sort_base + b->key_off, b->klen);
	if (c)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	c = zn_rd_cmp(sort_base + a->key_off + a->klen, a->rdlen, sort_base + b->key_off + b->klen,
	              b->rdlen);
	if (c)
		return c;
	/* equal records: keep input order so that the last TTL wins */
	return a->key_off < b->key_off ? -1 : a->key_off > b->key_off;
}

static int same_rec(const uint8_t *base, const struct brec *a, const struct brec *b)
{
	return a->type == b->type &&
	       zn_key_cmp(base + a->key_off, a->klen, base + b->key_off, b->klen) == 0 &&
	       zn_rd_cmp(base + a->key_off + a->klen, a->rdlen, base + b->key_off + b->klen,
	                 b->rdlen) == 0;
}

/* The end of the run of RRSIGs in [k, e) covering the type v[k] covers
 * (adjacent in RDATA order), and in *ttl the TTL of the one added last:
 * RFC 2181 5.2 per covered type. */
static size_t sig_run(const uint8_t *base, const struct brec *v, size_t k, size_t e, uint32_t *ttl)
{
	uint16_t key = zn_sig_key(base + v[k].key_off + v[k].klen, v[k].rdlen);
	size_t last = k, b = k + 1;
	while (b < e && zn_sig_key(base + v[b].key_off + v[b].klen, v[b].rdlen) == key) {
		if (v[b].key_off > v[last].key_off)
			last = b;
		b++;
	}
	*ttl = v[last].ttl;
	return b;
}

/* One node from the sorted, deduplicated records [i, j) of one owner. */
static struct zn_node *make_node(const uint8_t *base, const struct brec *v, size_t i, size_t j)
{
	size_t dlen = 0;
	uint16_t nsets = 0;
	for (size_t k = i; k < j; k++) {
		if (k == i || v[k].type != v[k - 1].type) {
			dlen += ZN_SET_HDR;
			nsets++;
		}
		dlen += zn_rd_hdr(v[k].type) + (size_t)v[k].rdlen;
	}
	struct zn_node *n = zn_node_alloc(base + v[i].key_off, v[i].klen, dlen);
	n->nsets = nsets;
	uint8_t *p = n->data + n->klen;
	for (size_t k = i; k < j;) {
		size_t e = k, eh = zn_rd_hdr(v[k].type);
		uint32_t len = 0, ttl = v[k].ttl;
		while (e < j && v[e].type == v[k].type) {
			len += (uint32_t)(eh + v[e].rdlen);
			ttl = v[e].ttl; /* one TTL per RRset: the last seen */
			e++;
		}
		int sig = v[k].type == ZN_TYPE_SIG;
		size_t run_end = k;
		uint32_t run_ttl = ttl;
		if (sig)
			sig_run(base, v, k, e, &ttl); /* the header: the first RDATA's */
		uint16_t cnt = (uint16_t)(e - k);
		memcpy(p, &v[k].type, 2);
		memcpy(p + 2, &cnt, 2);
		memcpy(p + 4, &ttl, 4);
		memcpy(p + 8, &len, 4);
		p += ZN_SET_HDR;
		for (; k < e; k++) {
			memcpy(p, &v[k].rdlen, 2);
			if (sig) {
				if (k == run_end)
					run_end = sig_run(base, v, k, e, &run_ttl);
				memcpy(p + 2, &run_ttl, 4);
			}
			if (v[k].rdlen)
				memcpy(p + eh, base + v[k].key_off + v[k].klen, v[k].rdlen);
			p += eh + (size_t)v[k].rdlen;
		}
	}
	return n;
}

int zn_zone_set(zn_zone_t *z, zn_builder_t *b, hs_errmsg_t *em)
{
	struct zn_node **nodes = NULL;
	size_t nn = 0;
	int rc = HS_OK;
	if (z == NULL || b == NULL) {
		zn_builder_free(b);
		return HS_E_INVAL;
	}
	if (!dnsmsg_name_equal(z->apex, z->apex_len, b->apex, b->apex_len)) {
		rc = hs_fail(em, HS_E_INVAL, "builder is for another zone");
		goto cleanup;
	}
	if (!b->has_soa) {
		rc = hs_fail(em, HS_E_MALFORMED, "zone has no SOA");
		goto cleanup;
	}
	sort_base = b->arena.data;
	qsort(b->v, b->n, sizeof(*b->v), brec_cmp);
	/* deduplicate: of equal records keep the last (its TTL) */
	size_t w = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (w && same_rec(b->arena.data, &b->v[w - 1], &b->v[i])) {
			b->v[w - 1] = b->v[i];
			continue;
		}
		/* RRsets over 65535 RDATAs cannot be held */
		b->v[w++] = b->v[i];
	}
	b->n = w;
	nodes = xmalloc((b->n ? b->n : 1) * sizeof(*nodes));
	for (size_t i = 0; i < b->n;) {
		size_t j = i + 1;
		while (j < b->n && b->v[j].klen == b->v[i].klen &&
		       memcmp(b->arena.data + b->v[j].key_off, b->arena.data + b->v[i].key_off,
		              b->v[i].klen) == 0)
			j++;
		for (size_t k = i, run = 0; k < j; k++) {
			run = (k > i && b->v[k].type == b->v[k - 1].type) ? run + 1 : 1;
			if (run > UINT16_MAX) {
				rc = hs_fail(em, HS_E_LIMIT, "an RRset of more than 65535 records");
				goto cleanup;
			}
		}
		nodes[nn++] = make_node(b->arena.data, b->v, i, j);
		i = j;
	}
	struct zn_node *root = zn_tree_build(nodes, nn);
	nn = 0;
	struct zn_snap *s = zn_snap_make(z->apex, z->apex_len, root);
	zn_snap_count(s);
	zn_snap_release(z->cur);
	z->cur = s;
cleanup:
	for (size_t i = 0; i < nn; i++)
		zn_node_unref(nodes[i]);
	free(nodes);
	zn_builder_free(b);
	return rc;
}
