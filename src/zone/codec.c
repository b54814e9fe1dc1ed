/*
 * codec.c -- differences and versions as bytes for the store.
 *
 * Format (all integers big-endian):
 *   diff:  "ZD1" | from ttl u32 | from SOA rdlen u16 + RDATA |
 *          to ttl u32 | to SOA rdlen u16 + RDATA |
 *          ndel u32 | nadd u32 | records
 *   snap:  "ZS1" | nrecords u32 | records (the SOA first)
 *   record: owner (wire name) | type u16 | ttl u32 | rdlen u16 | RDATA
 * The store is our own file, but it is read back with the bounded
 * cursor all the same: a damaged row is refused, never trusted.
 */
#include <stdlib.h>
#include <string.h>

#include "zone/journal.h"
#include "zone/zone_int.h"

static void put_rr(hs_buf_t *out, const zn_rr_t *rr)
{
	hs_buf_append(out, rr->owner, rr->owner_len);
	hs_buf_append_u16(out, rr->type);
	hs_buf_append_u32(out, rr->ttl);
	hs_buf_append_u16(out, rr->rdlen);
	hs_buf_append(out, rr->rdata, rr->rdlen);
}

/* Read one record; the pointers point into the input. */
static void get_rr(wire_rd_t *rd, uint8_t *owner, zn_rr_t *rr)
{
	size_t ol;
	wire_rd_name(rd, owner, &ol);
	rr->owner = owner;
	rr->owner_len = ol;
	rr->type = wire_rd_u16(rd);
	rr->ttl = wire_rd_u32(rd);
	rr->rdlen = wire_rd_u16(rd);
	rr->rdata = wire_rd_take(rd, rr->rdlen);
	if (rr->rdata == NULL)
		rr->rdata = (const uint8_t *)"";
}

void zn_diff_encode(const zn_diff_t *d, hs_buf_t *out)
{
	zn_rr_t rr;
	hs_buf_append(out, "ZD1", 3);
	hs_buf_append_u32(out, d->from_ttl);
	hs_buf_append_u16(out, (uint16_t)d->from_soa.len);
	hs_buf_append(out, d->from_soa.data, d->from_soa.len);
	hs_buf_append_u32(out, d->to_ttl);
	hs_buf_append_u16(out, (uint16_t)d->to_soa.len);
	hs_buf_append(out, d->to_soa.data, d->to_soa.len);
	hs_buf_append_u32(out, (uint32_t)d->ndel);
	hs_buf_append_u32(out, (uint32_t)d->nadd);
	for (size_t i = 0; i < d->ndel; i++)
		if (zn_diff_del_rr(d, i, &rr) == HS_OK)
			put_rr(out, &rr);
	for (size_t i = 0; i < d->nadd; i++)
		if (zn_diff_add_rr(d, i, &rr) == HS_OK)
			put_rr(out, &rr);
}

int zn_diff_decode(const uint8_t *p, size_t len, zn_diff_t **out)
{
	wire_rd_t rd;
	uint8_t owner[WIRE_NAME_MAX];
	zn_rr_t rr;
	int rc = HS_OK;
	if (p == NULL || out == NULL)
		return HS_E_INVAL;
	wire_rd_init(&rd, p, len);
	const uint8_t *magic = wire_rd_take(&rd, 3);
	if (magic == NULL || memcmp(magic, "ZD1", 3) != 0)
		return HS_E_MALFORMED;
	zn_diff_t *d = zn_diff_new();
	uint32_t ttl = wire_rd_u32(&rd);
	uint16_t l = wire_rd_u16(&rd);
	const uint8_t *soa = wire_rd_take(&rd, l);
	if (soa == NULL || zn_diff_set_from(d, ttl, soa, l) != HS_OK)
		goto bad;
	ttl = wire_rd_u32(&rd);
	l = wire_rd_u16(&rd);
	soa = wire_rd_take(&rd, l);
	if (soa == NULL || zn_diff_set_to(d, ttl, soa, l) != HS_OK)
		goto bad;
	uint32_t ndel = wire_rd_u32(&rd), nadd = wire_rd_u32(&rd);
	for (uint64_t i = 0; i < (uint64_t)ndel + nadd; i++) {
		get_rr(&rd, owner, &rr);
		if (rd.err)
			goto bad;
		rc = i < ndel ? zn_diff_del(d, &rr) : zn_diff_add(d, &rr);
		if (rc != HS_OK)
			goto bad;
	}
	if (wire_rd_finish(&rd) != HS_OK)
		goto bad;
	*out = d;
	return HS_OK;
bad:
	zn_diff_free(d);
	return HS_E_MALFORMED;
}

void zn_snap_encode(const zn_snap_t *s, hs_buf_t *out)
{
	zn_iter_t *it = zn_iter_new((zn_snap_t *)s);
	const uint8_t *owner, *rdata;
	size_t ol, off;
	uint16_t rl;
	zn_rrset_t set;
	hs_buf_append(out, "ZS1", 3);
	hs_buf_append_u32(out, (uint32_t)s->nrecords);
	while (zn_iter_next(it, &owner, &ol, &set)) {
		off = 0;
		while (zn_rrset_next(&set, &off, &rdata, &rl)) {
			zn_rr_t rr = {owner, ol, set.type, set.ttl, rdata, rl};
			put_rr(out, &rr);
		}
	}
	zn_iter_free(it);
}

int zn_snap_decode(const uint8_t *p, size_t len, const uint8_t *apex, size_t apex_len,
                   zn_builder_t **out)
{
	wire_rd_t rd;
	uint8_t owner[WIRE_NAME_MAX];
	zn_rr_t rr;
	if (p == NULL || apex == NULL || out == NULL)
		return HS_E_INVAL;
	wire_rd_init(&rd, p, len);
	const uint8_t *magic = wire_rd_take(&rd, 3);
	if (magic == NULL || memcmp(magic, "ZS1", 3) != 0)
		return HS_E_MALFORMED;
	uint32_t n = wire_rd_u32(&rd);
	zn_builder_t *b = zn_builder_new(apex, apex_len);
	for (uint32_t i = 0; i < n; i++) {
		get_rr(&rd, owner, &rr);
		if (rd.err || zn_builder_add(b, &rr, NULL) != HS_OK) {
			zn_builder_free(b);
			return HS_E_MALFORMED;
		}
	}
	if (wire_rd_finish(&rd) != HS_OK) {
		zn_builder_free(b);
		return HS_E_MALFORMED;
	}
	*out = b;
	return HS_OK;
}
