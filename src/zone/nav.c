/* nav.c -- neighbours in canonical order and the RRsets of one owner
 * (nav.h), by descent of the treap: O(depth). */
#include "zone/nav.h"

#include <string.h>

#include "zone/zone_int.h"

static int node_cmp(const uint8_t *key, size_t klen, const struct zn_node *n)
{
	return zn_key_cmp(key, klen, n->data, n->klen);
}

int zn_snap_prev_owner(const zn_snap_t *s, const uint8_t *name, size_t len, uint8_t *out,
                       size_t *out_len)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	const struct zn_node *t, *best = NULL;
	if (s == NULL || zn_key_of(name, len, s->apex, s->apex_len, k, &kl) != HS_OK)
		return HS_E_NAME;
	for (t = s->root; t != NULL;) {
		if (node_cmp(k, kl, t) > 0) {
			best = t;
			t = t->r;
		} else {
			t = t->l;
		}
	}
	if (best == NULL)
		return HS_E_NOTFOUND;
	*out_len = zn_key_name(best->data, best->klen, s->apex, s->apex_len, out);
	return HS_OK;
}

int zn_snap_next_owner(const zn_snap_t *s, const uint8_t *name, size_t len, int skip_below,
                       uint8_t *out, size_t *out_len)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	const struct zn_node *t, *best = NULL;
	if (s == NULL || zn_key_of(name, len, s->apex, s->apex_len, k, &kl) != HS_OK)
		return HS_E_NAME;
	for (t = s->root; t != NULL;) {
		int c = node_cmp(k, kl, t);
		/* descendants of `name` sort right after it: skip them too */
		int after = c < 0 && !(skip_below && zn_key_under(t->data, t->klen, k, kl));
		if (after) {
			best = t;
			t = t->l;
		} else {
			t = t->r;
		}
	}
	if (best == NULL)
		return HS_E_NOTFOUND;
	*out_len = zn_key_name(best->data, best->klen, s->apex, s->apex_len, out);
	return HS_OK;
}

int zn_snap_owner_sets(const zn_snap_t *s, const uint8_t *owner, size_t len, zn_rrset_t *out,
                       size_t max, size_t *n)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl, off = 0, i = 0;
	struct zn_set set;
	if (s == NULL || n == NULL || zn_key_of(owner, len, s->apex, s->apex_len, k, &kl) != HS_OK)
		return HS_E_NOTFOUND;
	struct zn_node *node = zn_tree_find(s->root, k, kl);
	if (node == NULL)
		return HS_E_NOTFOUND;
	while (zn_node_set_next(node, &off, &set)) {
		if (i < max) {
			out[i].type = set.type;
			out[i].ttl = set.ttl;
			out[i].count = set.count;
			out[i].data = set.rd;
			out[i].len = set.len;
		}
		i++;
	}
	*n = i;
	return i ? HS_OK : HS_E_NOTFOUND;
}
