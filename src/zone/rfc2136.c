/* rfc2136.c -- an update section as a strict zone difference. */
#include "zone/rfc2136.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"

/* One record of the working view: in the zone (and maybe deleted), or
 * added by the message. */
struct rec {
	const uint8_t *owner;
	size_t owner_len;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
	int in_zone; /* 1: the zone has it; 0: an add of this message */
	int live;    /* part of the result */
};

struct view {
	struct rec *v;
	size_t n, cap;
};

static int same(const struct rec *r, const uint8_t *o, size_t ol, uint16_t t, const uint8_t *rd,
                uint16_t rl)
{
	return r->type == t && r->rdlen == rl && dnsmsg_name_equal(r->owner, r->owner_len, o, ol) &&
	       (rl == 0 || memcmp(r->rdata, rd, rl) == 0);
}

static struct rec *push(struct view *w)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 32;
		w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
	}
	memset(&w->v[w->n], 0, sizeof(w->v[0]));
	return &w->v[w->n++];
}

/* The zone's RRset (owner, type) into the view, once. */
static void load(struct view *w, const zn_snap_t *s, const uint8_t *o, size_t ol, uint16_t t,
                 const uint8_t *owner_store)
{
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].in_zone && w->v[i].type == t &&
		    dnsmsg_name_equal(w->v[i].owner, w->v[i].owner_len, o, ol))
			return; /* loaded already */
	if (zn_snap_find(s, o, ol, t, &set, NULL) != HS_OK)
		return;
	uint32_t ttl;
	while (zn_rrset_next_rr(&set, &off, &rd, &rl, &ttl)) {
		struct rec *r = push(w);
		r->owner = owner_store;
		r->owner_len = ol;
		r->type = t;
		r->ttl = ttl;
		r->rdata = rd;
		r->rdlen = rl;
		r->in_zone = 1;
		r->live = 1;
	}
}

int zn_rfc2136_diff(const zn_snap_t *s, const hs_upd_rr_t *rrs, size_t n, zn_diff_t **out,
                    int *changed, hs_errmsg_t *em)
{
	struct view w = {NULL, 0, 0};
	zn_diff_t *d = NULL;
	zn_rr_t soa;
	size_t alen;
	const uint8_t *apex = zn_snap_apex(s, &alen);
	uint32_t next;
	int rc = HS_OK, any = 0;

	for (size_t i = 0; i < n; i++) {
		const hs_upd_rr_t *u = &rrs[i];
		if (u->type == ZN_TYPE_SOA || u->type == ZN_TYPE_ANY ||
		    !zn_name_in(u->owner, u->owner_len, apex, alen)) {
			rc = hs_fail(em, HS_E_MALFORMED,
			             "update record %zu: not a record this zone "
			             "takes",
			             i + 1);
			goto cleanup;
		}
		load(&w, s, u->owner, u->owner_len, u->type, u->owner);
		switch (u->rclass) {
		case 1: { /* add, unless present */
			size_t k;
			for (k = 0; k < w.n; k++)
				if (same(&w.v[k], u->owner, u->owner_len, u->type, u->rdata,
				         u->rdlen))
					break;
			if (k < w.n) {
				w.v[k].live = 1;
				break;
			}
			struct rec *r = push(&w);
			r->owner = u->owner;
			r->owner_len = u->owner_len;
			r->type = u->type;
			r->ttl = u->ttl;
			r->rdata = u->rdata;
			r->rdlen = u->rdlen;
			r->live = 1;
			break;
		}
		case 255: /* delete the RRset */
			for (size_t k = 0; k < w.n; k++)
				if (w.v[k].type == u->type &&
				    dnsmsg_name_equal(w.v[k].owner, w.v[k].owner_len, u->owner,
				                      u->owner_len))
					w.v[k].live = 0;
			break;
		case 254: /* delete one record */
			for (size_t k = 0; k < w.n; k++)
				if (same(&w.v[k], u->owner, u->owner_len, u->type, u->rdata,
				         u->rdlen))
					w.v[k].live = 0;
			break;
		default:
			rc = hs_fail(em, HS_E_MALFORMED, "update record %zu: class %u", i + 1,
			             u->rclass);
			goto cleanup;
		}
	}
	d = zn_diff_new();
	zn_snap_soa(s, &soa);
	rc = zn_serial_add(zn_snap_serial(s), 1, &next);
	if (rc == HS_OK)
		rc = zn_diff_set_from(d, soa.ttl, soa.rdata, soa.rdlen);
	if (rc == HS_OK) {
		uint8_t nsoa[ZN_RDATA_MAX];
		memcpy(nsoa, soa.rdata, soa.rdlen);
		/* the serial sits 20 octets before the end of SOA RDATA */
		size_t at = soa.rdlen - 20;
		nsoa[at] = (uint8_t)(next >> 24);
		nsoa[at + 1] = (uint8_t)(next >> 16);
		nsoa[at + 2] = (uint8_t)(next >> 8);
		nsoa[at + 3] = (uint8_t)next;
		rc = zn_diff_set_to(d, soa.ttl, nsoa, soa.rdlen);
	}
	for (size_t k = 0; rc == HS_OK && k < w.n; k++) {
		zn_rr_t rr = {w.v[k].owner, w.v[k].owner_len, w.v[k].type,
		              w.v[k].ttl,   w.v[k].rdata,     w.v[k].rdlen};
		if (w.v[k].in_zone && !w.v[k].live) {
			rc = zn_diff_del(d, &rr);
			any = 1;
		} else if (!w.v[k].in_zone && w.v[k].live) {
			rc = zn_diff_add(d, &rr);
			any = 1;
		}
	}
	if (rc != HS_OK)
		goto cleanup;
	*out = d;
	d = NULL;
	if (changed != NULL)
		*changed = any;
cleanup:
	zn_diff_free(d);
	free(w.v);
	return rc;
}
