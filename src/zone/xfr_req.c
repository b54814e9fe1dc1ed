/*
 * xfr_req.c -- reading a transfer (or any) query as a primary sees it.
 */
#include <string.h>

#include "wire/dnsmsg.h"
#include "zone/zone_int.h"
#include "zone/zxfr.h"

#define TYPE_TSIG 250

int zn_xfr_req_parse(const uint8_t *msg, size_t len, zn_xfr_req_t *out, hs_errmsg_t *em)
{
	dnsmsg_hdr_t h;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	zn_xfr_req_t r;
	int rc;
	if (msg == NULL || out == NULL)
		return HS_E_INVAL;
	memset(&r, 0, sizeof(r));
	if (dnsmsg_check(msg, len, &h) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "malformed query");
	if ((h.flags & 0x8000) || (h.flags & 0x7800) != 0)
		return hs_fail(em, HS_E_MALFORMED, "not a query");
	if (h.count[DNSMSG_QUESTION] != 1)
		return hs_fail(em, HS_E_MALFORMED, "%u questions", h.count[DNSMSG_QUESTION]);
	r.id = h.id;
	r.flags = h.flags;
	if (dnsmsg_open(&it, msg, len) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "malformed query");
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section == DNSMSG_QUESTION) {
			if (dnsmsg_name_expand(msg, len, rr.off, r.qname, &r.qname_len, NULL) !=
			    HS_OK)
				return hs_fail(em, HS_E_MALFORMED, "bad question name");
			dnsmsg_name_lower(r.qname, r.qname_len);
			r.qtype = rr.type;
			if (rr.rclass != ZN_CLASS_IN)
				return hs_fail(em, HS_E_MALFORMED, "question class %u", rr.rclass);
			continue;
		}
		if (rr.section == DNSMSG_AUTHORITY && rr.type == ZN_TYPE_SOA &&
		    r.qtype == ZN_TYPE_IXFR && !r.has_serial) {
			uint8_t owner[WIRE_NAME_MAX];
			size_t ol;
			if (dnsmsg_name_expand(msg, len, rr.off, owner, &ol, NULL) != HS_OK ||
			    !dnsmsg_name_equal(owner, ol, r.qname, r.qname_len) || rr.rdlen < 22)
				return hs_fail(em, HS_E_MALFORMED, "bad SOA in the IXFR query");
			/* the serial is the first of the five fixed fields that end
			 * the RDATA, whatever compression its names use */
			const uint8_t *p = msg + rr.rdata_off + rr.rdlen - 20;
			r.serial = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			           (uint32_t)p[2] << 8 | p[3];
			r.has_serial = 1;
			continue;
		}
		if (rr.section == DNSMSG_ADDITIONAL && rr.type == TYPE_TSIG)
			r.tsig_off = rr.off;
	}
	if (rc != HS_E_NOTFOUND)
		return hs_fail(em, HS_E_MALFORMED, "malformed query");
	if (r.qtype == ZN_TYPE_IXFR && !r.has_serial)
		return hs_fail(em, HS_E_MALFORMED, "IXFR query without the client's SOA");
	*out = r;
	return HS_OK;
}
