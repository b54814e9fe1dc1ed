/*
 * zone.c -- zones, their versions (snapshots), look-ups and iteration.
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "zone/zone_int.h"

int zn_rrset_next_rr(const zn_rrset_t *s, size_t *off, const uint8_t **rdata, uint16_t *rdlen,
                     uint32_t *ttl)
{
	size_t h = zn_rd_hdr(s->type);
	if (*off + h > s->len)
		return 0;
	*off += zn_entry(s->data + *off, s->type, s->ttl, rdata, rdlen, ttl);
	return 1;
}

int zn_rrset_next(const zn_rrset_t *s, size_t *off, const uint8_t **rdata, uint16_t *rdlen)
{
	uint32_t ttl;
	return zn_rrset_next_rr(s, off, rdata, rdlen, &ttl);
}

static void set_view(const struct zn_set *in, zn_rrset_t *out)
{
	out->type = in->type;
	out->ttl = in->ttl;
	out->count = in->count;
	out->data = in->rd;
	out->len = in->len;
}

int zn_zone_new(const uint8_t *apex, size_t apex_len, zn_zone_t **out)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	if (apex == NULL || out == NULL)
		return HS_E_INVAL;
	/* a valid name is its own apex */
	if (zn_key_of(apex, apex_len, apex, apex_len, k, &kl) != HS_OK)
		return HS_E_NAME;
	zn_zone_t *z = xcalloc(1, sizeof(*z));
	memcpy(z->apex, apex, apex_len);
	z->apex_len = apex_len;
	dnsmsg_name_lower(z->apex, z->apex_len);
	*out = z;
	return HS_OK;
}

void zn_zone_free(zn_zone_t *z)
{
	if (z == NULL)
		return;
	zn_snap_release(z->cur);
	free(z);
}

const uint8_t *zn_zone_apex(const zn_zone_t *z, size_t *len)
{
	*len = z->apex_len;
	return z->apex;
}

int zn_zone_loaded(const zn_zone_t *z)
{
	return z && z->cur != NULL;
}

int zn_zone_serial(const zn_zone_t *z, uint32_t *serial)
{
	if (z == NULL || z->cur == NULL)
		return HS_E_NOTFOUND;
	*serial = z->cur->serial;
	return HS_OK;
}

zn_snap_t *zn_zone_snapshot(const zn_zone_t *z)
{
	return z && z->cur ? zn_snap_ref(z->cur) : NULL;
}

int zn_zone_set_snap(zn_zone_t *z, zn_snap_t *s)
{
	if (z == NULL || s == NULL ||
	    !dnsmsg_name_equal(z->apex, z->apex_len, s->apex, s->apex_len))
		return HS_E_INVAL;
	zn_snap_ref(s);
	zn_snap_release(z->cur);
	z->cur = s;
	return HS_OK;
}

zn_snap_t *zn_snap_ref(zn_snap_t *s)
{
	if (s)
		s->refs++;
	return s;
}

void zn_snap_release(zn_snap_t *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	zn_node_unref(s->root);
	free(s);
}

static void count_walk(const struct zn_node *n, struct zn_snap *s)
{
	while (n) {
		s->nowners++;
		s->nrecords += zn_node_records(n);
		s->mem += zn_node_size(n);
		count_walk(n->l, s);
		n = n->r;
	}
}

void zn_snap_count(struct zn_snap *s)
{
	s->nrecords = s->nowners = 0;
	s->mem = sizeof(*s);
	count_walk(s->root, s);
}

struct zn_snap *zn_snap_make(const uint8_t *apex, size_t apex_len, struct zn_node *root)
{
	struct zn_snap *s = xcalloc(1, sizeof(*s));
	struct zn_set soa;
	s->refs = 1;
	s->root = root;
	memcpy(s->apex, apex, apex_len);
	s->apex_len = apex_len;
	struct zn_node *a = zn_tree_find(root, NULL, 0);
	if (a && zn_node_find_set(a, ZN_TYPE_SOA, &soa) && soa.count >= 1 &&
	    zn_soa_serial(soa.rd + 2, zn_get16(soa.rd), &s->serial) != HS_OK)
		s->serial = 0; /* builders accept only a parsable SOA */
	return s;
}

const uint8_t *zn_snap_apex(const zn_snap_t *s, size_t *len)
{
	*len = s->apex_len;
	return s->apex;
}

uint32_t zn_snap_serial(const zn_snap_t *s)
{
	return s->serial;
}

void zn_snap_soa(const zn_snap_t *s, zn_rr_t *out)
{
	struct zn_set soa;
	struct zn_node *a = zn_tree_find(s->root, NULL, 0);
	memset(out, 0, sizeof(*out));
	out->owner = s->apex;
	out->owner_len = s->apex_len;
	out->type = ZN_TYPE_SOA;
	if (a && zn_node_find_set(a, ZN_TYPE_SOA, &soa)) {
		out->ttl = soa.ttl;
		out->rdlen = zn_get16(soa.rd);
		out->rdata = soa.rd + 2;
	}
}

size_t zn_snap_records(const zn_snap_t *s)
{
	return s ? s->nrecords : 0;
}

size_t zn_snap_owners(const zn_snap_t *s)
{
	return s ? s->nowners : 0;
}

size_t zn_snap_memory(const zn_snap_t *s)
{
	return s ? s->mem : 0;
}

int zn_snap_find(const zn_snap_t *s, const uint8_t *owner, size_t owner_len, uint16_t type,
                 zn_rrset_t *out, int *owner_exists)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	struct zn_set set;
	if (s == NULL || owner == NULL || out == NULL)
		return HS_E_INVAL;
	if (zn_key_of(owner, owner_len, s->apex, s->apex_len, k, &kl) != HS_OK) {
		if (owner_exists)
			*owner_exists = 0;
		return HS_E_NOTFOUND;
	}
	struct zn_node *n = zn_tree_find(s->root, k, kl);
	if (owner_exists)
		*owner_exists = n != NULL;
	if (n == NULL || !zn_node_find_set(n, type, &set))
		return HS_E_NOTFOUND;
	set_view(&set, out);
	return HS_OK;
}

int zn_snap_name_exists(const zn_snap_t *s, const uint8_t *name, size_t len)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	if (s == NULL || zn_key_of(name, len, s->apex, s->apex_len, k, &kl) != HS_OK)
		return 0;
	return zn_tree_has_under(s->root, k, kl);
}

int zn_snap_find_cut(const zn_snap_t *s, const uint8_t *name, size_t len, uint8_t *cut,
                     size_t *cut_len)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	struct zn_set ns;
	if (s == NULL || zn_key_of(name, len, s->apex, s->apex_len, k, &kl) != HS_OK)
		return HS_E_NOTFOUND;
	/* ancestors from the top: the first with NS is the cut */
	for (size_t off = 0; off < kl;) {
		off += 1 + (size_t)k[off];
		struct zn_node *n = zn_tree_find(s->root, k, off);
		if (n && zn_node_find_set(n, 2, &ns)) {
			*cut_len = zn_key_name(k, off, s->apex, s->apex_len, cut);
			return HS_OK;
		}
	}
	return HS_E_NOTFOUND;
}

/* The greatest node with key <= (strict: <) `key`. */
static struct zn_node *floor_node(struct zn_node *t, const uint8_t *key, size_t klen, int strict)
{
	struct zn_node *best = NULL;
	while (t) {
		int c = zn_key_cmp(key, klen, t->data, t->klen);
		if (c > 0 || (c == 0 && !strict)) {
			best = t;
			t = t->r;
		} else {
			t = t->l;
		}
	}
	return best;
}

int zn_snap_find_floor(const zn_snap_t *s, const uint8_t *name, size_t len, uint16_t type,
                       uint8_t *owner, size_t *owner_len)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	struct zn_set set;
	if (s == NULL || zn_key_of(name, len, s->apex, s->apex_len, k, &kl) != HS_OK)
		return HS_E_NOTFOUND;
	struct zn_node *n = floor_node(s->root, k, kl, 0);
	while (n && !zn_node_find_set(n, type, &set))
		n = floor_node(s->root, n->data, n->klen, 1);
	if (n == NULL) {
		/* wrap around: from the last owner backwards */
		n = s->root;
		while (n && n->r)
			n = n->r;
		while (n && !zn_node_find_set(n, type, &set))
			n = floor_node(s->root, n->data, n->klen, 1);
	}
	if (n == NULL)
		return HS_E_NOTFOUND;
	*owner_len = zn_key_name(n->data, n->klen, s->apex, s->apex_len, owner);
	return HS_OK;
}

/* ---- iteration --------------------------------------------------------- */

struct zn_iter {
	zn_snap_t *snap;
	const struct zn_node **stack;
	size_t top, cap;
	const struct zn_node *cur; /* node whose RRsets are being walked */
	size_t set_off;
	struct zn_set sig; /* an RRSIG set handed out one covered type at a time */
	size_t sig_off;    /* octets of it handed out; sig.len: none pending */
	uint8_t name[WIRE_NAME_MAX];
	size_t name_len;
};

static void push_left(zn_iter_t *it, const struct zn_node *n)
{
	for (; n; n = n->l) {
		if (it->top == it->cap) {
			it->cap = it->cap ? it->cap * 2 : 64;
			it->stack = xrealloc(it->stack, it->cap * sizeof(*it->stack));
		}
		it->stack[it->top++] = n;
	}
}

zn_iter_t *zn_iter_new(zn_snap_t *s)
{
	zn_iter_t *it = xcalloc(1, sizeof(*it));
	it->snap = zn_snap_ref(s);
	if (s)
		push_left(it, s->root);
	return it;
}

void zn_iter_free(zn_iter_t *it)
{
	if (it == NULL)
		return;
	zn_snap_release(it->snap);
	free(it->stack);
	free(it);
}

/* The next run of RRSIGs covering one type out of it->sig. */
static void sig_run(zn_iter_t *it, zn_rrset_t *set)
{
	const uint8_t *start = it->sig.rd + it->sig_off, *p = start,
	              *end = it->sig.rd + it->sig.len;
	uint16_t key = zn_sig_key(p + 6, zn_get16(p));
	set->type = it->sig.type;
	set->ttl = zn_get32(p + 2);
	set->count = 0;
	while (p < end && zn_sig_key(p + 6, zn_get16(p)) == key) {
		p += 6 + (size_t)zn_get16(p);
		set->count++;
	}
	set->data = start;
	set->len = (size_t)(p - start);
	it->sig_off += set->len;
}

int zn_iter_next(zn_iter_t *it, const uint8_t **owner, size_t *owner_len, zn_rrset_t *set)
{
	struct zn_set s;
	for (;;) {
		if (it->cur && it->sig_off < it->sig.len) {
			sig_run(it, set);
			*owner = it->name;
			*owner_len = it->name_len;
			return 1;
		}
		if (it->cur && zn_node_set_next(it->cur, &it->set_off, &s)) {
			if (s.type == ZN_TYPE_SIG) {
				it->sig = s;
				it->sig_off = 0;
				continue;
			}
			set_view(&s, set);
			*owner = it->name;
			*owner_len = it->name_len;
			return 1;
		}
		if (it->top == 0)
			return 0;
		const struct zn_node *n = it->stack[--it->top];
		push_left(it, n->r);
		it->cur = n;
		it->set_off = 0;
		it->sig_off = it->sig.len = 0;
		it->name_len =
		    zn_key_name(n->data, n->klen, it->snap->apex, it->snap->apex_len, it->name);
	}
}
