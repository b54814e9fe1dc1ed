/*
 * apply.c -- zn_apply: a strict, atomic, diff-proportional update.
 *
 * The new version is built beside the current one by path copying; on
 * the first error it is dropped (only its own copies are freed) and the
 * current version was never touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/rdata.h"
#include "wire/text.h"
#include "zone/zone_int.h"

static int rr_fail(hs_errmsg_t *em, int code, const char *what, const zn_rr_t *rr)
{
	hs_buf_t nm = HS_BUF_INIT;
	static const struct {
		uint16_t t;
		const char *n;
	} common[] = {{1, "A"},      {2, "NS"},    {5, "CNAME"},   {6, "SOA"},  {12, "PTR"},
	              {15, "MX"},    {16, "TXT"},  {28, "AAAA"},   {33, "SRV"}, {43, "DS"},
	              {46, "RRSIG"}, {47, "NSEC"}, {48, "DNSKEY"}, {59, "CDS"}, {60, "CDNSKEY"}};
	const char *tn = hs_rrtype_name(rr->type);
	char tbuf[16];
	for (size_t i = 0; tn == NULL && i < sizeof(common) / sizeof(common[0]); i++)
		if (common[i].t == rr->type)
			tn = common[i].n;
	if (tn == NULL) {
		snprintf(tbuf, sizeof(tbuf), "TYPE%u", rr->type);
		tn = tbuf;
	}
	hs_name_print(&nm, rr->owner, rr->owner_len);
	int rc = hs_fail(em, code, "%s %s at '%s'", what, tn, hs_buf_cstr(&nm));
	hs_buf_free(&nm);
	return rc;
}

/* One edit on the tree *root (owned, replaced). */
static int edit(struct zn_snap *s, struct zn_node **root, const zn_rr_t *rr, int add,
                hs_errmsg_t *em)
{
	uint8_t key[WIRE_NAME_MAX];
	size_t klen;
	int found;
	if (zn_key_of(rr->owner, rr->owner_len, s->apex, s->apex_len, key, &klen) != HS_OK)
		return rr_fail(em, HS_E_MALFORMED,
		               add ? "added record outside the zone:"
		                   : "deleted record outside the zone:",
		               rr);
	struct zn_node *old = zn_tree_find(*root, key, klen);
	if (old == NULL && !add)
		return rr_fail(em, HS_E_MALFORMED, "deleted record does not exist:", rr);
	struct zn_node *n =
	    zn_node_edit(old, key, klen, add, rr->type, rr->ttl, rr->rdata, rr->rdlen, &found);
	if (add && found == 2)
		return rr_fail(em, HS_E_LIMIT, "RRset full (65535 records):", rr);
	if (add && found)
		return rr_fail(em, HS_E_MALFORMED, "added record exists already:", rr);
	if (!add && !found)
		return rr_fail(em, HS_E_MALFORMED, "deleted record does not exist:", rr);
	struct zn_node *next;
	if (n == NULL) {
		s->mem -= zn_node_size(old);
		s->nowners--;
		next = zn_tree_del(*root, key, klen);
	} else {
		s->mem += zn_node_size(n);
		if (old)
			s->mem -= zn_node_size(old);
		else
			s->nowners++;
		next = zn_tree_put(*root, n);
	}
	zn_node_unref(*root);
	*root = next;
	if (add)
		s->nrecords++;
	else
		s->nrecords--;
	return HS_OK;
}

int zn_apply(zn_zone_t *z, const zn_diff_t *d, hs_errmsg_t *em)
{
	struct zn_snap *cur, *s = NULL;
	struct zn_node *root = NULL;
	zn_rr_t rr;
	int rc = HS_OK;
	if (z == NULL || d == NULL)
		return HS_E_INVAL;
	cur = z->cur;
	if (cur == NULL)
		return hs_fail(em, HS_E_STATE, "zone has no version to apply a diff to");
	if (!d->has_from || !d->has_to)
		return hs_fail(em, HS_E_MALFORMED, "diff without its SOAs");
	if (d->from_serial != cur->serial)
		return hs_fail(em, HS_E_STATE, "diff from serial %u, zone is at serial %u",
		               d->from_serial, cur->serial);
	if (!zn_serial_gt(d->to_serial, d->from_serial))
		return hs_fail(em, HS_E_MALFORMED, "diff serial %u is not after %u", d->to_serial,
		               d->from_serial);
	/* the diff's old SOA must be ours, RDATA and all */
	zn_snap_soa(cur, &rr);
	if (zn_rd_cmp(rr.rdata, rr.rdlen, d->from_soa.data, d->from_soa.len) != 0)
		return hs_fail(em, HS_E_MALFORMED, "diff's old SOA differs from the zone's SOA");

	s = xcalloc(1, sizeof(*s));
	*s = *cur;
	s->refs = 1;
	root = zn_node_ref(cur->root);
	for (size_t i = 0; i < d->ndel && rc == HS_OK; i++) {
		rc = zn_diff_del_rr(d, i, &rr);
		if (rc == HS_OK)
			rc = edit(s, &root, &rr, 0, em);
	}
	for (size_t i = 0; i < d->nadd && rc == HS_OK; i++) {
		rc = zn_diff_add_rr(d, i, &rr);
		if (rc == HS_OK)
			rc = edit(s, &root, &rr, 1, em);
	}
	if (rc != HS_OK)
		goto cleanup;
	/* the new SOA replaces the old one */
	zn_snap_soa(cur, &rr);
	rr.owner = s->apex;
	rr.owner_len = s->apex_len;
	if ((rc = edit(s, &root, &rr, 0, em)) != HS_OK)
		goto cleanup;
	rr.ttl = d->to_ttl;
	rr.rdata = d->to_soa.data;
	rr.rdlen = (uint16_t)d->to_soa.len;
	if ((rc = edit(s, &root, &rr, 1, em)) != HS_OK)
		goto cleanup;
	s->root = root;
	root = NULL;
	s->serial = d->to_serial;
	zn_snap_release(z->cur);
	z->cur = s;
	s = NULL;
cleanup:
	zn_node_unref(root);
	free(s);
	return rc;
}
