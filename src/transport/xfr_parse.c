/*
 * xfr_parse.c -- the AXFR response parser: strict per-message checks
 * with the project's walker (wire/dnsmsg.h), RDATA decompression for the
 * types whose RDATA may carry compressed names, the end-of-transfer rule
 * and the caps. Pure: no I/O, so the fuzz target runs exactly this.
 */
#include <stdlib.h>
#include <string.h>

#include "transport/xfr_int.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"

#define TYPE_SOA  6
#define TYPE_AXFR 252
#define CLASS_IN  1

#define DEF_MAX_RECORDS 1000000u
#define DEF_MAX_BYTES   ((size_t)256 << 20)

struct tp_xfr_parser {
	uint8_t zone[WIRE_NAME_MAX];
	size_t zone_len;
	uint16_t id;
	tp_xfr_limits_t lim;
	tp_xfr_zone_t *z;
	size_t messages, records, bytes;
	int done;   /* closing SOA seen */
	int failed; /* an error was returned */
	hs_buf_t rdata;
};

int tp_xfr_parser_new(const uint8_t *zone, size_t zone_len, uint16_t id, const tp_xfr_limits_t *lim,
                      tp_xfr_parser_t **out)
{
	wire_rd_t rd;
	uint8_t tmp[WIRE_NAME_MAX];
	size_t n;
	if (zone == NULL || out == NULL)
		return HS_E_INVAL;
	wire_rd_init(&rd, zone, zone_len);
	wire_rd_name(&rd, tmp, &n);
	if (wire_rd_finish(&rd) != HS_OK)
		return HS_E_NAME;
	tp_xfr_parser_t *p = xcalloc(1, sizeof(*p));
	memcpy(p->zone, zone, zone_len);
	p->zone_len = zone_len;
	dnsmsg_name_lower(p->zone, p->zone_len);
	p->id = id;
	p->lim.max_records = lim && lim->max_records ? lim->max_records : DEF_MAX_RECORDS;
	p->lim.max_bytes = lim && lim->max_bytes ? lim->max_bytes : DEF_MAX_BYTES;
	*out = p;
	return HS_OK;
}

void tp_xfr_parser_free(tp_xfr_parser_t *p)
{
	if (p == NULL)
		return;
	tp_xfr_zone_free(p->z);
	hs_buf_free(&p->rdata);
	free(p);
}

size_t tp_xfr_parser_messages(const tp_xfr_parser_t *p)
{
	return p->messages;
}

size_t tp_xfr_parser_records(const tp_xfr_parser_t *p)
{
	return p->records;
}

/* One answer record. */
static int take_record(tp_xfr_parser_t *p, const uint8_t *msg, size_t len, const dnsmsg_rr_t *rr,
                       hs_errmsg_t *em)
{
	uint8_t owner[WIRE_NAME_MAX];
	size_t olen;
	hs_buf_t nm = HS_BUF_INIT;
	int rc;

	if (p->done)
		return hs_fail(em, HS_E_MALFORMED, "records after the closing SOA");
	if (dnsmsg_name_expand(msg, len, rr->off, owner, &olen, NULL) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "record %zu: bad owner name", p->records + 1);
	if (rr->rclass != CLASS_IN)
		return hs_fail(em, HS_E_MALFORMED, "record %zu: class %u, not IN", p->records + 1,
		               rr->rclass);
	if (!xfr_name_in_zone(owner, olen, p->zone, p->zone_len)) {
		hs_name_print(&nm, owner, olen);
		rc = hs_fail(em, HS_E_MALFORMED, "record %zu: owner '%s' is outside the zone",
		             p->records + 1, hs_buf_cstr(&nm));
		hs_buf_free(&nm);
		return rc;
	}
	if (dnsmsg_rdata_expand(msg, len, rr, &p->rdata) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "record %zu: bad RDATA for type %u",
		               p->records + 1, rr->type);
	int apex = dnsmsg_name_equal(owner, olen, p->zone, p->zone_len);
	if (p->z == NULL) {
		/* the first record opens the transfer: the zone's SOA */
		tp_xfr_soa_t soa;
		if (rr->type != TYPE_SOA || !apex)
			return hs_fail(em, HS_E_MALFORMED, "first record is not the zone's SOA");
		if (xfr_soa_rdata(p->rdata.data, p->rdata.len, &soa) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "bad SOA RDATA");
		soa.ttl = rr->ttl;
		p->z = xfr_zone_new(p->zone, p->zone_len);
		p->z->soa = soa;
	} else if (rr->type == TYPE_SOA) {
		tp_xfr_soa_t soa;
		if (!apex) {
			hs_name_print(&nm, owner, olen);
			rc = hs_fail(em, HS_E_MALFORMED, "SOA at '%s' below the apex",
			             hs_buf_cstr(&nm));
			hs_buf_free(&nm);
			return rc;
		}
		if (xfr_soa_rdata(p->rdata.data, p->rdata.len, &soa) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "bad closing SOA RDATA");
		if (soa.serial != p->z->soa.serial)
			return hs_fail(em, HS_E_MALFORMED,
			               "closing SOA serial %u differs from opening serial %u",
			               soa.serial, p->z->soa.serial);
		p->done = 1;
		return HS_OK;
	}
	if (p->records >= p->lim.max_records)
		return hs_fail(em, HS_E_LIMIT, "more than %zu records", p->lim.max_records);
	xfr_zone_add(p->z, owner, olen, rr->type, rr->rclass, rr->ttl, p->rdata.data, p->rdata.len);
	p->records++;
	return HS_OK;
}

static int feed(tp_xfr_parser_t *p, const uint8_t *msg, size_t len, hs_errmsg_t *em)
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
		if (rr.section == DNSMSG_QUESTION) {
			uint8_t q[WIRE_NAME_MAX];
			size_t qlen;
			if (dnsmsg_name_expand(msg, len, rr.off, q, &qlen, NULL) != HS_OK ||
			    !dnsmsg_name_equal(q, qlen, p->zone, p->zone_len) ||
			    rr.type != TYPE_AXFR || rr.rclass != CLASS_IN)
				return hs_fail(em, HS_E_MALFORMED,
				               "message %zu: question is not this zone's AXFR",
				               p->messages);
			continue;
		}
		if (rr.section != DNSMSG_ANSWER)
			break; /* authority/additional (OPT, TSIG) carry no zone data */
		if ((rc = take_record(p, msg, len, &rr, em)) != HS_OK)
			return rc;
	}
	if (rc != HS_OK && rc != HS_E_NOTFOUND)
		return hs_fail(em, HS_E_MALFORMED, "message %zu is malformed", p->messages);
	return p->done ? HS_OK : HS_E_AGAIN;
}

int tp_xfr_parser_feed(tp_xfr_parser_t *p, const uint8_t *msg, size_t len, hs_errmsg_t *em)
{
	if (p == NULL || msg == NULL)
		return HS_E_INVAL;
	if (p->failed || p->done)
		return hs_fail(em, HS_E_STATE,
		               p->done ? "message after the closing SOA"
		                       : "transfer already failed");
	int rc = feed(p, msg, len, em);
	if (rc != HS_OK && rc != HS_E_AGAIN)
		p->failed = 1;
	return rc;
}

int tp_xfr_parser_finish(tp_xfr_parser_t *p, tp_xfr_zone_t **out, hs_errmsg_t *em)
{
	int rc;
	if (p == NULL || out == NULL)
		return HS_E_INVAL;
	if (!p->done || p->failed || p->z == NULL)
		return hs_fail(em, HS_E_STATE, "transfer not complete");
	p->z->msg_bytes = p->bytes;
	if ((rc = tp_xfr_zone_validate(p->z, em)) != HS_OK) {
		p->failed = 1;
		return rc;
	}
	*out = p->z;
	p->z = NULL;
	p->failed = 1; /* spent */
	return HS_OK;
}
