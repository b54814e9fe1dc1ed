/* ps_msg.c -- reading the answers a run gets (the resolver's, the
 * parent's server's): every message is walked with the strict walker
 * (wire/dnsmsg.h, bounded cursor) before anything is taken from it. */
#include <stdio.h>
#include <string.h>

#include "engine/psync/ps_int.h"
#include "wire/dname.h"
#include "wire/dnsmsg.h"
#include "wire/proto.h"
#include "wire/rr_dsync.h"
#include "wire/text.h"

static int take(const uint8_t *msg, size_t len, const dnsmsg_rr_t *rr, const uint8_t *ow, size_t ol,
                ps_rr_t *out)
{
	hs_buf_t rd = HS_BUF_INIT;
	int rc = dnsmsg_rdata_expand(msg, len, rr, &rd);
	if (rc == HS_OK && rd.len > sizeof(out->rdata))
		rc = HS_E_LIMIT;
	if (rc == HS_OK) {
		memcpy(out->owner, ow, ol);
		out->owner_len = ol;
		dnsmsg_name_lower(out->owner, ol);
		out->type = rr->type;
		out->rdlen = (uint16_t)rd.len;
		memcpy(out->rdata, rd.data, rd.len);
	}
	hs_buf_free(&rd);
	return rc;
}

static int dup_rr(const ps_rr_t *rrs, size_t n, const ps_rr_t *r)
{
	for (size_t i = 0; i < n; i++)
		if (rrs[i].type == r->type && rrs[i].rdlen == r->rdlen &&
		    dnsmsg_name_equal(rrs[i].owner, rrs[i].owner_len, r->owner, r->owner_len) &&
		    memcmp(rrs[i].rdata, r->rdata, r->rdlen) == 0)
			return 1;
	return 0;
}

/* What a walk keeps: records of `type` (0: A and AAAA) in the sections
 * of `sections` whose owner is `owner` (under = 0) or at or below it
 * (under = 1). */
struct want {
	unsigned sections;
	uint16_t type;
	const uint8_t *owner;
	size_t owner_len;
	int under;
};

static int keep(const struct want *w, const dnsmsg_rr_t *rr)
{
	if (rr->section == DNSMSG_QUESTION || !(w->sections & (1u << rr->section)))
		return 0;
	return w->type != 0 ? rr->type == w->type : rr->type == T_A || rr->type == T_AAAA;
}

/* Walk `msg`, appending the records `w` keeps (without duplicates). */
static int walk(const uint8_t *msg, size_t len, const struct want *w, ps_rr_t *rrs, size_t max,
                size_t *n, dnsmsg_hdr_t *h)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	uint8_t ow[WIRE_NAME_MAX];
	size_t ol;
	int rc;

	if (dnsmsg_check(msg, len, h) != HS_OK || dnsmsg_open(&it, msg, len) != HS_OK)
		return HS_E_MALFORMED;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (!keep(w, &rr))
			continue;
		if (dnsmsg_name_expand(msg, len, rr.off, ow, &ol, NULL) != HS_OK)
			return HS_E_MALFORMED;
		if (w->under ? !wire_name_under(ow, ol, w->owner, w->owner_len)
		             : !dnsmsg_name_equal(ow, ol, w->owner, w->owner_len))
			continue;
		if (*n >= max)
			return HS_E_LIMIT;
		if (take(msg, len, &rr, ow, ol, &rrs[*n]) != HS_OK)
			return HS_E_MALFORMED;
		if (!dup_rr(rrs, *n, &rrs[*n]))
			(*n)++;
	}
	return rc == HS_E_NOTFOUND ? HS_OK : HS_E_MALFORMED;
}

int ps_msg_rrs(const uint8_t *msg, size_t len, unsigned sections, const uint8_t *owner,
               size_t owner_len, uint16_t type, ps_rr_t *rrs, size_t max, size_t *n, int *rcode)
{
	struct want w = {sections, type, owner, owner_len, 0};
	dnsmsg_hdr_t h;
	int rc = walk(msg, len, &w, rrs, max, n, &h);

	if (rc == HS_E_MALFORMED || !(h.flags & 0x8000))
		return HS_E_MALFORMED;
	*rcode = h.flags & 0xf;
	return rc;
}

int ps_msg_glue(const uint8_t *msg, size_t len, const uint8_t *apex, size_t apex_len, ps_rr_t *rrs,
                size_t max, size_t *n)
{
	struct want w = {1u << DNSMSG_ANSWER | 1u << DNSMSG_ADDITIONAL, 0, apex, apex_len, 1};
	return walk(msg, len, &w, rrs, max, n, NULL);
}

int ps_msg_notify_target(const uint8_t *msg, size_t len, char *target, size_t tn, uint16_t *port,
                         uint16_t *rrtype)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	hs_dsync_t d;
	int rc;

	if (msg == NULL || dnsmsg_check(msg, len, NULL) != HS_OK ||
	    dnsmsg_open(&it, msg, len) != HS_OK)
		return HS_E_MALFORMED;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section != DNSMSG_ANSWER || rr.type != T_DSYNC ||
		    hs_dsync_decode(msg + rr.rdata_off, rr.rdlen, &d, NULL) != HS_OK ||
		    d.scheme != HS_DSYNC_NOTIFY || (d.rrtype != T_CDS && d.rrtype != T_CSYNC))
			continue;
		hs_buf_t b = HS_BUF_INIT;
		hs_name_print(&b, d.target, d.target_len);
		snprintf(target, tn, "%s", hs_buf_cstr(&b));
		hs_buf_free(&b);
		*port = d.port;
		*rrtype = d.rrtype;
		return HS_OK;
	}
	return HS_E_NOTFOUND;
}
