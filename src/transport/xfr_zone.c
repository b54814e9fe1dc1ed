/*
 * xfr_zone.c -- a transferred zone in memory, its accessors and the
 * zone-level validation (hsync types must decode).
 */
#include <stdlib.h>
#include <string.h>

#include "transport/xfr_int.h"
#include "wire/dnsmsg.h"
#include "wire/rdata.h"
#include "wire/text.h"
#include "util/xmalloc.h"
#include "zone/zone.h"

#define TYPE_SOA        6
#define TYPE_HSYNCPARAM 65286

tp_xfr_zone_t *xfr_zone_new(const uint8_t *apex, size_t len)
{
	tp_xfr_zone_t *z = xcalloc(1, sizeof(*z));
	memcpy(z->apex, apex, len);
	z->apex_len = len;
	return z;
}

void tp_xfr_zone_free(tp_xfr_zone_t *z)
{
	if (z == NULL)
		return;
	hs_buf_free(&z->arena);
	free(z->recs);
	free(z);
}

void xfr_zone_add(tp_xfr_zone_t *z, const uint8_t *owner, size_t owner_len, uint16_t type,
                  uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	if (z->n == z->cap) {
		z->cap = z->cap ? z->cap * 2 : 64;
		z->recs = xrealloc(z->recs, z->cap * sizeof(*z->recs));
	}
	struct xfr_rec *r = &z->recs[z->n++];
	r->owner_off = z->arena.len;
	r->owner_len = (uint16_t)owner_len;
	hs_buf_append(&z->arena, owner, owner_len);
	r->rdata_off = z->arena.len;
	r->rdlen = (uint16_t)rdlen;
	hs_buf_append(&z->arena, rdata, rdlen);
	r->type = type;
	r->rclass = rclass;
	r->ttl = ttl;
}

int xfr_soa_rdata(const uint8_t *rdata, size_t len, tp_xfr_soa_t *out)
{
	zn_soa_t z;
	if (zn_soa_parse(rdata, len, &z) != HS_OK)
		return HS_E_MALFORMED;
	memset(out, 0, sizeof(*out));
	memcpy(out->mname, z.mname, z.mname_len);
	out->mname_len = z.mname_len;
	memcpy(out->rname, z.rname, z.rname_len);
	out->rname_len = z.rname_len;
	out->serial = z.serial;
	out->refresh = z.refresh;
	out->retry = z.retry;
	out->expire = z.expire;
	out->minimum = z.minimum;
	return HS_OK;
}

int xfr_name_in_zone(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len)
{
	return zn_name_in(name, len, apex, apex_len);
}

const uint8_t *tp_xfr_zone_name(const tp_xfr_zone_t *z, size_t *len)
{
	*len = z->apex_len;
	return z->apex;
}

const tp_xfr_soa_t *tp_xfr_zone_soa(const tp_xfr_zone_t *z)
{
	return &z->soa;
}

size_t tp_xfr_zone_count(const tp_xfr_zone_t *z)
{
	return z ? z->n : 0;
}

size_t tp_xfr_zone_msg_bytes(const tp_xfr_zone_t *z)
{
	return z ? z->msg_bytes : 0;
}

int tp_xfr_zone_rr(const tp_xfr_zone_t *z, size_t i, tp_xfr_rr_t *out)
{
	if (z == NULL || i >= z->n)
		return HS_E_RANGE;
	const struct xfr_rec *r = &z->recs[i];
	out->owner = z->arena.data + r->owner_off;
	out->owner_len = r->owner_len;
	out->type = r->type;
	out->rclass = r->rclass;
	out->ttl = r->ttl;
	out->rdata = z->arena.data + r->rdata_off;
	out->rdlen = r->rdlen;
	return HS_OK;
}

size_t tp_xfr_zone_apex(const tp_xfr_zone_t *z, uint16_t type, tp_xfr_rdata_t *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; z && i < z->n; i++) {
		const struct xfr_rec *r = &z->recs[i];
		if (r->type != type || !dnsmsg_name_equal(z->arena.data + r->owner_off,
		                                          r->owner_len, z->apex, z->apex_len))
			continue;
		if (out && n < max) {
			out[n].data = z->arena.data + r->rdata_off;
			out[n].len = r->rdlen;
			out[n].ttl = r->ttl;
		}
		n++;
	}
	return n;
}

int tp_xfr_zone_validate(const tp_xfr_zone_t *z, hs_errmsg_t *em)
{
	hs_buf_t txt = HS_BUF_INIT, owner = HS_BUF_INIT;
	hs_errmsg_t sub;
	int rc = HS_OK;
	size_t params = 0;

	if (z == NULL || z->n == 0 || z->recs[0].type != TYPE_SOA)
		return hs_fail(em, HS_E_MALFORMED, "zone has no SOA");
	for (size_t i = 0; i < z->n; i++) {
		const struct xfr_rec *r = &z->recs[i];
		const char *tname = hs_rrtype_name(r->type);
		if (tname == NULL)
			continue;
		const uint8_t *on = z->arena.data + r->owner_off;
		int apex = dnsmsg_name_equal(on, r->owner_len, z->apex, z->apex_len);
		hs_errmsg_clear(&sub);
		txt.len = 0;
		if (hs_rdata_to_text(r->type, z->arena.data + r->rdata_off, r->rdlen, &txt, &sub) !=
		    HS_OK) {
			owner.len = 0;
			hs_name_print(&owner, on, r->owner_len);
			rc = hs_fail(em, HS_E_MALFORMED, "%s at '%s': %s", tname,
			             hs_buf_cstr(&owner), hs_errmsg_str(&sub));
			goto cleanup;
		}
		if (apex && r->type == TYPE_HSYNCPARAM && ++params > 1) {
			rc = hs_fail(em, HS_E_MALFORMED, "more than one HSYNCPARAM at the apex");
			goto cleanup;
		}
	}
cleanup:
	hs_buf_free(&txt);
	hs_buf_free(&owner);
	return rc;
}
