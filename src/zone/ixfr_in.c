/*
 * ixfr_in.c -- the parser of IXFR (and AXFR) answers on the secondary
 * side (RFC 1995 section 4, RFC 5936). Pure: the transport feeds it the
 * messages it read (after TSIG verification, when configured).
 *
 * Forms recognised after the first SOA (serial S, the version offered):
 *  - nothing else in the first message: a single-SOA answer
 *    (ZN_IXFR_UPTODATE; S may be newer than ours: then the server wants
 *    a TCP query or an AXFR, the caller decides);
 *  - an SOA with our serial: incremental, (old SOA, deletions, new SOA,
 *    additions) repeated, each old serial the previous new one, ended by
 *    SOA S where an old SOA would start;
 *  - anything else (or an SOA with serial S at once): the whole zone,
 *    ended by SOA S (AXFR form).
 */
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"
#include "zone/zone_int.h"
#include "zone/zxfr.h"

#define DEF_MAX_RECORDS 10000000u
#define DEF_MAX_BYTES   ((size_t)256 << 20)

enum ix_state {
	S_START,  /* expecting the first SOA */
	S_SECOND, /* first SOA seen; the next record decides the form */
	S_DEL,
	S_ADD,
	S_FULL,
	S_DONE,
};

struct zn_ixfr {
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	uint16_t id;
	uint32_t ours, serial;
	int axfr;
	zn_ixfr_limits_t lim;
	enum ix_state st;
	enum zn_ixfr_kind kind;
	int failed;
	size_t messages, records, bytes;
	hs_buf_t rdata;
	/* first SOA, kept for the FULL form */
	uint32_t first_ttl;
	hs_buf_t first_soa;
	/* incremental */
	zn_diff_t **diffs;
	size_t ndiffs, cdiffs;
	/* full */
	zn_builder_t *full;
};

int zn_ixfr_new(const uint8_t *apex, size_t apex_len, uint16_t id, uint32_t serial, int axfr,
                const zn_ixfr_limits_t *lim, zn_ixfr_t **out)
{
	uint8_t k[WIRE_NAME_MAX];
	size_t kl;
	if (apex == NULL || out == NULL)
		return HS_E_INVAL;
	if (zn_key_of(apex, apex_len, apex, apex_len, k, &kl) != HS_OK)
		return HS_E_NAME;
	zn_ixfr_t *p = xcalloc(1, sizeof(*p));
	memcpy(p->apex, apex, apex_len);
	p->apex_len = apex_len;
	dnsmsg_name_lower(p->apex, p->apex_len);
	p->id = id;
	p->ours = serial;
	p->axfr = axfr;
	p->lim.max_records = lim && lim->max_records ? lim->max_records : DEF_MAX_RECORDS;
	p->lim.max_bytes = lim && lim->max_bytes ? lim->max_bytes : DEF_MAX_BYTES;
	*out = p;
	return HS_OK;
}

void zn_ixfr_free(zn_ixfr_t *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->ndiffs; i++)
		zn_diff_free(p->diffs[i]);
	free(p->diffs);
	zn_builder_free(p->full);
	hs_buf_free(&p->rdata);
	hs_buf_free(&p->first_soa);
	free(p);
}

enum zn_ixfr_kind zn_ixfr_kind(const zn_ixfr_t *p)
{
	return p->kind;
}

uint32_t zn_ixfr_serial(const zn_ixfr_t *p)
{
	return p->serial;
}

size_t zn_ixfr_messages(const zn_ixfr_t *p)
{
	return p->messages;
}

size_t zn_ixfr_records(const zn_ixfr_t *p)
{
	return p->records;
}

size_t zn_ixfr_bytes(const zn_ixfr_t *p)
{
	return p->bytes;
}

static zn_diff_t *cur_diff(zn_ixfr_t *p)
{
	return p->diffs[p->ndiffs - 1];
}

static void new_diff(zn_ixfr_t *p)
{
	if (p->ndiffs == p->cdiffs) {
		p->cdiffs = p->cdiffs ? p->cdiffs * 2 : 8;
		p->diffs = xrealloc(p->diffs, p->cdiffs * sizeof(*p->diffs));
	}
	p->diffs[p->ndiffs++] = zn_diff_new();
}

static int full_add(zn_ixfr_t *p, const zn_rr_t *rr, hs_errmsg_t *em)
{
	if (p->full == NULL) {
		zn_rr_t soa = {p->apex,      p->apex_len,       ZN_TYPE_SOA,
		               p->first_ttl, p->first_soa.data, (uint16_t)p->first_soa.len};
		p->full = zn_builder_new(p->apex, p->apex_len);
		zn_builder_limit(p->full, p->lim.max_records);
		int rc = zn_builder_add(p->full, &soa, em);
		if (rc != HS_OK)
			return rc;
	}
	return zn_builder_add(p->full, rr, em);
}

/* One answer record, names expanded, owner checked. */
static int take(zn_ixfr_t *p, const zn_rr_t *rr, int apex, hs_errmsg_t *em)
{
	uint32_t serial = 0;
	int soa = rr->type == ZN_TYPE_SOA;
	if (soa) {
		if (!apex)
			return hs_fail(em, HS_E_MALFORMED, "SOA below the apex");
		if (zn_soa_serial(rr->rdata, rr->rdlen, &serial) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "bad SOA RDATA");
	}
	switch (p->st) {
	case S_START:
		if (!soa)
			return hs_fail(em, HS_E_MALFORMED, "first record is not the zone's SOA");
		p->serial = serial;
		p->first_ttl = rr->ttl;
		hs_buf_append(&p->first_soa, rr->rdata, rr->rdlen);
		p->st = S_SECOND;
		return HS_OK;
	case S_SECOND:
		if (soa && serial == p->serial) {
			p->kind = ZN_IXFR_FULL; /* a zone of its SOA alone */
			p->st = S_DONE;
			return full_add(p, rr, em);
		}
		if (soa && !p->axfr) {
			if (serial != p->ours)
				return hs_fail(em, HS_E_MALFORMED,
				               "difference from serial %u, we are at serial %u",
				               serial, p->ours);
			p->kind = ZN_IXFR_INCREMENTAL;
			new_diff(p);
			p->st = S_DEL;
			return zn_diff_set_from(cur_diff(p), rr->ttl, rr->rdata, rr->rdlen) == HS_OK
			           ? HS_OK
			           : hs_fail(em, HS_E_MALFORMED, "bad SOA RDATA");
		}
		if (soa)
			return hs_fail(em, HS_E_MALFORMED, "a second SOA in an AXFR");
		p->kind = ZN_IXFR_FULL;
		p->st = S_FULL;
		return full_add(p, rr, em);
	case S_FULL:
		if (soa) {
			if (serial != p->serial)
				return hs_fail(
				    em, HS_E_MALFORMED,
				    "closing SOA serial %u differs from opening serial %u", serial,
				    p->serial);
			p->st = S_DONE;
			return HS_OK;
		}
		return full_add(p, rr, em);
	case S_DEL:
		if (soa) {
			if (zn_diff_set_to(cur_diff(p), rr->ttl, rr->rdata, rr->rdlen) != HS_OK)
				return hs_fail(em, HS_E_MALFORMED, "bad SOA RDATA");
			if (!zn_serial_gt(serial, zn_diff_from_serial(cur_diff(p))))
				return hs_fail(em, HS_E_MALFORMED,
				               "difference to serial %u is not after %u", serial,
				               zn_diff_from_serial(cur_diff(p)));
			if (zn_serial_gt(serial, p->serial))
				return hs_fail(em, HS_E_MALFORMED,
				               "difference to serial %u goes past the answer's %u",
				               serial, p->serial);
			p->st = S_ADD;
			return HS_OK;
		}
		return zn_diff_del(cur_diff(p), rr) == HS_OK
		           ? HS_OK
		           : hs_fail(em, HS_E_MALFORMED, "bad deleted record");
	case S_ADD:
		if (soa) {
			uint32_t to = zn_diff_to_serial(cur_diff(p));
			if (serial == p->serial && to == p->serial) {
				p->st = S_DONE;
				return HS_OK;
			}
			if (serial != to)
				return hs_fail(
				    em, HS_E_MALFORMED,
				    "difference from serial %u does not follow serial %u", serial,
				    to);
			new_diff(p);
			p->st = S_DEL;
			return zn_diff_set_from(cur_diff(p), rr->ttl, rr->rdata, rr->rdlen) == HS_OK
			           ? HS_OK
			           : hs_fail(em, HS_E_MALFORMED, "bad SOA RDATA");
		}
		return zn_diff_add(cur_diff(p), rr) == HS_OK
		           ? HS_OK
		           : hs_fail(em, HS_E_MALFORMED, "bad added record");
	case S_DONE:
		return hs_fail(em, HS_E_MALFORMED, "records after the closing SOA");
	}
	return HS_E_INTERNAL;
}

static int feed(zn_ixfr_t *p, const uint8_t *msg, size_t len, hs_errmsg_t *em)
{
	dnsmsg_iter_t it;
	dnsmsg_hdr_t h;
	dnsmsg_rr_t rr;
	int rc;
	p->messages++;
	p->bytes += len;
	if (p->bytes > p->lim.max_bytes)
		return hs_fail(em, HS_E_LIMIT, "more than %zu octets", p->lim.max_bytes);
	if (dnsmsg_check(msg, len, &h) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "message %zu is malformed", p->messages);
	if ((rc = dnsmsg_xfr_header(&h, p->id, p->messages, em)) != HS_OK)
		return rc;
	if (dnsmsg_open(&it, msg, len) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "message %zu is malformed", p->messages);
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		uint8_t owner[WIRE_NAME_MAX];
		size_t olen;
		if (dnsmsg_name_expand(msg, len, rr.off, owner, &olen, NULL) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "message %zu: bad name", p->messages);
		if (rr.section == DNSMSG_QUESTION) {
			uint16_t want = p->axfr ? ZN_TYPE_AXFR : ZN_TYPE_IXFR;
			if (!dnsmsg_name_equal(owner, olen, p->apex, p->apex_len) ||
			    rr.type != want || rr.rclass != ZN_CLASS_IN)
				return hs_fail(em, HS_E_MALFORMED,
				               "message %zu: question is not this zone's %s",
				               p->messages, p->axfr ? "AXFR" : "IXFR");
			continue;
		}
		if (rr.section != DNSMSG_ANSWER)
			break; /* authority/additional (OPT, TSIG) carry no zone data */
		if (rr.rclass != ZN_CLASS_IN)
			return hs_fail(em, HS_E_MALFORMED, "record %zu: class %u, not IN",
			               p->records + 1, rr.rclass);
		uint8_t k[WIRE_NAME_MAX];
		size_t kl;
		if (zn_key_of(owner, olen, p->apex, p->apex_len, k, &kl) != HS_OK) {
			hs_buf_t nm = HS_BUF_INIT;
			hs_name_print(&nm, owner, olen);
			rc = hs_fail(em, HS_E_MALFORMED,
			             "record %zu: owner '%s' is outside the zone", p->records + 1,
			             hs_buf_cstr(&nm));
			hs_buf_free(&nm);
			return rc;
		}
		if (dnsmsg_rdata_expand(msg, len, &rr, &p->rdata) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "record %zu: bad RDATA for type %u",
			               p->records + 1, rr.type);
		if (++p->records > p->lim.max_records)
			return hs_fail(em, HS_E_LIMIT, "more than %zu records", p->lim.max_records);
		dnsmsg_name_lower(owner, olen);
		zn_rr_t r = {owner, olen, rr.type, rr.ttl, p->rdata.data, (uint16_t)p->rdata.len};
		if ((rc = take(p, &r, kl == 0, em)) != HS_OK)
			return rc;
	}
	if (rc != HS_OK && rc != HS_E_NOTFOUND)
		return hs_fail(em, HS_E_MALFORMED, "message %zu is malformed", p->messages);
	if (p->st == S_SECOND && p->messages == 1) {
		/* the first message held the SOA alone: a single-SOA answer */
		p->kind = ZN_IXFR_UPTODATE;
		p->st = S_DONE;
	}
	if (p->st == S_DONE && p->axfr && p->kind != ZN_IXFR_FULL)
		return hs_fail(em, HS_E_MALFORMED, "AXFR answer without the closing SOA");
	return p->st == S_DONE ? HS_OK : HS_E_AGAIN;
}

int zn_ixfr_feed(zn_ixfr_t *p, const uint8_t *msg, size_t len, hs_errmsg_t *em)
{
	if (p == NULL || msg == NULL)
		return HS_E_INVAL;
	if (p->failed || p->st == S_DONE)
		return hs_fail(em, HS_E_STATE,
		               p->st == S_DONE ? "message after the closing SOA"
		                               : "transfer already failed");
	int rc = feed(p, msg, len, em);
	if (rc != HS_OK && rc != HS_E_AGAIN)
		p->failed = 1;
	return rc;
}

int zn_ixfr_take_diffs(zn_ixfr_t *p, zn_diff_t ***diffs, size_t *n)
{
	if (p == NULL || diffs == NULL || n == NULL)
		return HS_E_INVAL;
	if (p->st != S_DONE || p->failed || p->kind != ZN_IXFR_INCREMENTAL)
		return HS_E_STATE;
	*diffs = p->diffs;
	*n = p->ndiffs;
	p->diffs = NULL;
	p->ndiffs = p->cdiffs = 0;
	return HS_OK;
}

int zn_ixfr_take_full(zn_ixfr_t *p, zn_builder_t **out)
{
	if (p == NULL || out == NULL)
		return HS_E_INVAL;
	if (p->st != S_DONE || p->failed || p->kind != ZN_IXFR_FULL || p->full == NULL)
		return HS_E_STATE;
	*out = p->full;
	p->full = NULL;
	return HS_OK;
}
