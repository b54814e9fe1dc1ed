/*
 * validate.c -- the checks a received version passes before it is served
 * (hsync types decode, one apex HSYNCPARAM), over a whole version or over
 * the owners a difference touched.
 */
#include <stdlib.h>
#include <string.h>

#include "wire/rdata.h"
#include "wire/text.h"
#include "zone/zone_int.h"

#define TYPE_HSYNCPARAM 65286

/* The checks for one node. */
static int check_node(const struct zn_snap *s, const struct zn_node *n, hs_buf_t *txt,
                      hs_errmsg_t *em)
{
	struct zn_set set;
	size_t off = 0;
	while (zn_node_set_next(n, &off, &set)) {
		const char *tname = hs_rrtype_name(set.type);
		if (tname == NULL)
			continue;
		if (n->klen == 0 && set.type == TYPE_HSYNCPARAM && set.count > 1)
			return hs_fail(em, HS_E_MALFORMED, "more than one HSYNCPARAM at the apex");
		const uint8_t *p = set.rd, *end = set.rd + set.len, *rd;
		uint16_t rdlen;
		uint32_t ttl;
		while (p < end) {
			hs_errmsg_t sub;
			hs_errmsg_clear(&sub);
			txt->len = 0;
			p += zn_entry(p, set.type, set.ttl, &rd, &rdlen, &ttl);
			if (hs_rdata_to_text(set.type, rd, rdlen, txt, &sub) == HS_OK)
				continue;
			uint8_t name[WIRE_NAME_MAX];
			hs_buf_t nm = HS_BUF_INIT;
			size_t nl = zn_key_name(n->data, n->klen, s->apex, s->apex_len, name);
			hs_name_print(&nm, name, nl);
			int rc = hs_fail(em, HS_E_MALFORMED, "%s at '%s': %s", tname,
			                 hs_buf_cstr(&nm), hs_errmsg_str(&sub));
			hs_buf_free(&nm);
			return rc;
		}
	}
	return HS_OK;
}

static int walk(const struct zn_snap *s, const struct zn_node *n, hs_buf_t *txt, hs_errmsg_t *em)
{
	for (; n; n = n->r) {
		int rc = walk(s, n->l, txt, em);
		if (rc == HS_OK)
			rc = check_node(s, n, txt, em);
		if (rc != HS_OK)
			return rc;
	}
	return HS_OK;
}

int zn_snap_validate(const zn_snap_t *s, hs_errmsg_t *em)
{
	hs_buf_t txt = HS_BUF_INIT;
	if (s == NULL)
		return HS_E_INVAL;
	int rc = walk(s, s->root, &txt, em);
	hs_buf_free(&txt);
	return rc;
}

int zn_snap_validate_diff(const zn_snap_t *s, const struct zn_diff *d, hs_errmsg_t *em)
{
	hs_buf_t txt = HS_BUF_INIT;
	int rc = HS_OK;
	zn_rr_t rr;
	if (s == NULL || d == NULL)
		return HS_E_INVAL;
	/* the apex always (its HSYNCPARAM count), then every added owner */
	const struct zn_node *apex = zn_tree_find(s->root, NULL, 0);
	if (apex)
		rc = check_node(s, apex, &txt, em);
	for (size_t i = 0; i < d->nadd && rc == HS_OK; i++) {
		uint8_t key[WIRE_NAME_MAX];
		size_t klen;
		if (zn_diff_add_rr(d, i, &rr) != HS_OK ||
		    zn_key_of(rr.owner, rr.owner_len, s->apex, s->apex_len, key, &klen) != HS_OK)
			continue;
		const struct zn_node *n = zn_tree_find(s->root, key, klen);
		if (n && n->klen)
			rc = check_node(s, n, &txt, em);
	}
	hs_buf_free(&txt);
	return rc;
}
