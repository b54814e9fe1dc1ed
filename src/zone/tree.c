/*
 * tree.c -- owner nodes and the persistent treap of a version.
 *
 * Every operation copies the nodes on the path it changes and shares the
 * rest, so a version is never modified once made (zone.h, "Model").
 * Reference counts: a node's count is the number of parents (in every
 * version) plus the versions whose root it is.
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "zone/zone_int.h"

struct zn_node *zn_node_alloc(const uint8_t *key, size_t klen, size_t dlen)
{
	struct zn_node *n = xmalloc(sizeof(*n) + klen + dlen);
	n->l = n->r = NULL;
	n->refs = 1;
	n->prio = zn_key_hash(key, klen);
	n->dlen = (uint32_t)dlen;
	n->nsets = 0;
	n->klen = (uint8_t)klen;
	n->pad_ = 0;
	if (klen)
		memcpy(n->data, key, klen);
	return n;
}

size_t zn_node_size(const struct zn_node *n)
{
	/* glibc: 8 octets of header, 16-octet granules */
	size_t want = sizeof(*n) + n->klen + n->dlen + 8;
	return (want + 15) & ~(size_t)15;
}

struct zn_node *zn_node_ref(struct zn_node *n)
{
	if (n)
		n->refs++;
	return n;
}

void zn_node_unref(struct zn_node *n)
{
	/* iterative down the right spine, recursive on the left: the depth of
	 * a treap is logarithmic in expectation */
	while (n && --n->refs == 0) {
		struct zn_node *r = n->r;
		zn_node_unref(n->l);
		free(n);
		n = r;
	}
}

/* A copy of `n` sharing its children. */
static struct zn_node *clone(const struct zn_node *n)
{
	size_t sz = sizeof(*n) + n->klen + n->dlen;
	struct zn_node *c = xmalloc(sz);
	memcpy(c, n, sz);
	c->refs = 1;
	zn_node_ref(c->l);
	zn_node_ref(c->r);
	return c;
}

int zn_node_set_next(const struct zn_node *n, size_t *off, struct zn_set *out)
{
	if (*off >= n->dlen)
		return 0;
	const uint8_t *p = n->data + n->klen + *off;
	out->type = zn_get16(p);
	out->count = zn_get16(p + 2);
	out->ttl = zn_get32(p + 4);
	out->len = zn_get32(p + 8);
	out->rd = p + ZN_SET_HDR;
	*off += ZN_SET_HDR + out->len;
	return 1;
}

int zn_node_find_set(const struct zn_node *n, uint16_t type, struct zn_set *out)
{
	size_t off = 0;
	struct zn_set s;
	while (zn_node_set_next(n, &off, &s)) {
		if (s.type == type) {
			*out = s;
			return 1;
		}
		if (s.type > type)
			break;
	}
	return 0;
}

size_t zn_node_records(const struct zn_node *n)
{
	size_t off = 0, c = 0;
	struct zn_set s;
	while (zn_node_set_next(n, &off, &s))
		c += s.count;
	return c;
}

static inline int cmp_node(const uint8_t *key, size_t klen, const struct zn_node *n)
{
	return zn_key_cmp(key, klen, n->data, n->klen);
}

struct zn_node *zn_tree_find(struct zn_node *t, const uint8_t *key, size_t klen)
{
	while (t) {
		int c = cmp_node(key, klen, t);
		if (c == 0)
			return t;
		t = c < 0 ? t->l : t->r;
	}
	return NULL;
}

/* Split borrowed `t` into owned (< key) and (> key); key is absent. */
static void split(struct zn_node *t, const uint8_t *key, size_t klen, struct zn_node **lo,
                  struct zn_node **hi)
{
	if (t == NULL) {
		*lo = *hi = NULL;
		return;
	}
	struct zn_node *c = clone(t);
	if (cmp_node(key, klen, t) < 0) {
		struct zn_node *a, *b;
		split(t->l, key, klen, &a, &b);
		zn_node_unref(c->l);
		c->l = b;
		*lo = a;
		*hi = c;
	} else {
		struct zn_node *a, *b;
		split(t->r, key, klen, &a, &b);
		zn_node_unref(c->r);
		c->r = a;
		*lo = c;
		*hi = b;
	}
}

static struct zn_node *insert(struct zn_node *t, struct zn_node *n)
{
	if (t == NULL)
		return n;
	if (n->prio > t->prio) {
		split(t, n->data, n->klen, &n->l, &n->r);
		return n;
	}
	struct zn_node *c = clone(t);
	struct zn_node **side = cmp_node(n->data, n->klen, t) < 0 ? &c->l : &c->r;
	struct zn_node *old = *side;
	*side = insert(old, n);
	zn_node_unref(old);
	return c;
}

static struct zn_node *replace(struct zn_node *t, struct zn_node *n)
{
	int c = cmp_node(n->data, n->klen, t);
	if (c == 0) {
		n->l = zn_node_ref(t->l);
		n->r = zn_node_ref(t->r);
		n->prio = t->prio;
		return n;
	}
	struct zn_node *cp = clone(t);
	struct zn_node **side = c < 0 ? &cp->l : &cp->r;
	struct zn_node *old = *side;
	*side = replace(old, n);
	zn_node_unref(old);
	return cp;
}

struct zn_node *zn_tree_put(struct zn_node *t, struct zn_node *n)
{
	n->l = n->r = NULL;
	if (zn_tree_find(t, n->data, n->klen))
		return replace(t, n);
	return insert(t, n);
}

/* Merge borrowed a (all keys smaller) and b; result owned. */
static struct zn_node *merge(struct zn_node *a, struct zn_node *b)
{
	if (a == NULL)
		return zn_node_ref(b);
	if (b == NULL)
		return zn_node_ref(a);
	if (a->prio > b->prio) {
		struct zn_node *c = clone(a);
		struct zn_node *old = c->r;
		c->r = merge(a->r, b);
		zn_node_unref(old);
		return c;
	}
	struct zn_node *c = clone(b);
	struct zn_node *old = c->l;
	c->l = merge(a, b->l);
	zn_node_unref(old);
	return c;
}

struct zn_node *zn_tree_del(struct zn_node *t, const uint8_t *key, size_t klen)
{
	if (t == NULL)
		return NULL;
	int c = cmp_node(key, klen, t);
	if (c == 0)
		return merge(t->l, t->r);
	struct zn_node *cp = clone(t);
	struct zn_node **side = c < 0 ? &cp->l : &cp->r;
	struct zn_node *old = *side;
	*side = zn_tree_del(old, key, klen);
	zn_node_unref(old);
	return cp;
}

struct zn_node *zn_tree_build(struct zn_node **nodes, size_t n)
{
	/* Cartesian tree of sorted keys: a stack of the right spine */
	struct zn_node **st = xmalloc((n ? n : 1) * sizeof(*st));
	size_t top = 0;
	for (size_t i = 0; i < n; i++) {
		struct zn_node *x = nodes[i], *last = NULL;
		x->l = x->r = NULL;
		while (top && st[top - 1]->prio < x->prio)
			last = st[--top];
		x->l = last;
		if (top)
			st[top - 1]->r = x;
		st[top++] = x;
	}
	struct zn_node *root = top ? st[0] : NULL;
	free(st);
	return root;
}

int zn_tree_has_under(struct zn_node *t, const uint8_t *key, size_t klen)
{
	/* the first key >= `key` is `key` itself or, if any name is below it,
	 * a descendant (descendants sort right after their ancestor) */
	struct zn_node *best = NULL;
	while (t) {
		int c = cmp_node(key, klen, t);
		if (c == 0)
			return 1;
		if (c < 0) {
			best = t;
			t = t->l;
		} else {
			t = t->r;
		}
	}
	return best && zn_key_under(best->data, best->klen, key, klen);
}

size_t zn_entry(const uint8_t *p, uint16_t type, uint32_t set_ttl, const uint8_t **rd,
                uint16_t *rdlen, uint32_t *ttl)
{
	size_t h = zn_rd_hdr(type);
	*rdlen = zn_get16(p);
	*rd = p + h;
	*ttl = h == 6 ? zn_get32(p + 2) : set_ttl;
	return h + *rdlen;
}

/* After an edit of the RRSIG set at `h` (its header): the RRSIGs covering
 * `key` take `ttl` when `unify`, and the header takes the first TTL. */
static void sig_fix(uint8_t *h, int unify, uint16_t key, uint32_t ttl)
{
	uint32_t len = zn_get32(h + 8), first = 0;
	uint8_t *p = h + ZN_SET_HDR, *end = p + len;
	for (int i = 0; p < end; i++) {
		uint16_t l = zn_get16(p);
		if (unify && zn_sig_key(p + 6, l) == key)
			memcpy(p + 2, &ttl, 4);
		if (i == 0)
			first = zn_get32(p + 2);
		p += 6 + (size_t)l;
	}
	memcpy(h + 4, &first, 4);
}

struct zn_node *zn_node_edit(const struct zn_node *n, const uint8_t *key, size_t klen, int add,
                             uint16_t type, uint32_t ttl, const uint8_t *rd, uint16_t rdlen,
                             int *found)
{
	size_t dlen = n ? n->dlen : 0;
	const uint8_t *src = n ? n->data + n->klen : NULL;
	size_t eh = zn_rd_hdr(type);
	int sig = type == ZN_TYPE_SIG;
	struct zn_set s;
	size_t off = 0, pos = dlen, set_off = 0;
	int have_set = 0;
	*found = 0;
	/* locate the RRset, or where it goes */
	while (n && zn_node_set_next(n, &off, &s)) {
		if (s.type >= type) {
			set_off = off - ZN_SET_HDR - s.len;
			have_set = s.type == type;
			pos = set_off;
			break;
		}
	}
	/* locate the RDATA within the set, or where it goes */
	size_t rpos = 0, rlen_old = 0;
	if (have_set) {
		const uint8_t *p = s.rd, *end = s.rd + s.len;
		while (p < end) {
			uint16_t l = zn_get16(p);
			int c = zn_rd_cmp(p + eh, l, rd, rdlen);
			if (c == 0) {
				*found = 1;
				rlen_old = eh + (size_t)l;
				break;
			}
			if (c > 0)
				break;
			p += eh + (size_t)l;
		}
		rpos = (size_t)(p - s.rd);
	}
	if (add ? *found : !*found)
		return NULL;
	if (add && have_set && s.count == UINT16_MAX) {
		*found = 2; /* the RRset is full */
		return NULL;
	}
	if (!add && have_set && s.count == 1 && n->nsets == 1)
		return NULL; /* the node becomes empty */

	size_t new_dlen;
	if (add)
		new_dlen = dlen + eh + rdlen + (have_set ? 0 : ZN_SET_HDR);
	else
		new_dlen = dlen - rlen_old - (s.count == 1 ? ZN_SET_HDR : 0);
	struct zn_node *m = zn_node_alloc(key, klen, new_dlen);
	uint8_t *dst = m->data + m->klen;
	m->nsets = n ? n->nsets : 0;
	if (!have_set) {
		/* a new RRset at `pos` */
		uint16_t one = 1;
		uint32_t l32 = (uint32_t)(eh + rdlen);
		if (pos)
			memcpy(dst, src, pos);
		uint8_t *h = dst + pos;
		memcpy(h, &type, 2);
		memcpy(h + 2, &one, 2);
		memcpy(h + 4, &ttl, 4);
		memcpy(h + 8, &l32, 4);
		memcpy(h + ZN_SET_HDR, &rdlen, 2);
		if (sig)
			memcpy(h + ZN_SET_HDR + 2, &ttl, 4);
		if (rdlen)
			memcpy(h + ZN_SET_HDR + eh, rd, rdlen);
		if (dlen > pos)
			memcpy(h + ZN_SET_HDR + l32, src + pos, dlen - pos);
		m->nsets++;
		return m;
	}
	size_t set_end = set_off + ZN_SET_HDR + s.len;
	size_t rd_at = set_off + ZN_SET_HDR + rpos;
	if (add) {
		memcpy(dst, src, rd_at);
		memcpy(dst + rd_at, &rdlen, 2);
		if (sig)
			memcpy(dst + rd_at + 2, &ttl, 4);
		if (rdlen)
			memcpy(dst + rd_at + eh, rd, rdlen);
		memcpy(dst + rd_at + eh + rdlen, src + rd_at, dlen - rd_at);
		uint8_t *h = dst + set_off;
		uint16_t cnt = (uint16_t)(s.count + 1);
		uint32_t l32 = s.len + (uint32_t)(eh + rdlen);
		memcpy(h + 2, &cnt, 2);
		memcpy(h + 4, &ttl, 4);
		memcpy(h + 8, &l32, 4);
		if (sig) /* RFC 2181 5.2 within the RRSIGs covering one type */
			sig_fix(h, 1, zn_sig_key(rd, rdlen), ttl);
		return m;
	}
	if (s.count == 1) {
		/* the RRset goes */
		memcpy(dst, src, set_off);
		memcpy(dst + set_off, src + set_end, dlen - set_end);
		m->nsets--;
		return m;
	}
	memcpy(dst, src, rd_at);
	memcpy(dst + rd_at, src + rd_at + rlen_old, dlen - rd_at - rlen_old);
	uint8_t *h = dst + set_off;
	uint16_t cnt = (uint16_t)(s.count - 1);
	uint32_t l32 = s.len - (uint32_t)rlen_old;
	memcpy(h + 2, &cnt, 2);
	memcpy(h + 8, &l32, 4);
	if (sig)
		sig_fix(h, 0, 0, 0);
	return m;
}
