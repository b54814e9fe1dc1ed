/* print.c -- what hsync-xfr shows: a summary of the zone's multi-provider
 * setup, or the whole zone in presentation form. */
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "hsync-xfr/hsync_xfr.h"
#include "util/buf.h"
#include "wire/dnsmsg.h"
#include "wire/rdata.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"
#include "wire/text.h"

#define TYPE_HSYNC3     65285
#define TYPE_HSYNCPARAM 65286

static const char *name_str(hs_buf_t *b, const uint8_t *n, size_t len)
{
	b->len = 0;
	hs_name_print(b, n, len);
	return hs_buf_cstr(b);
}

static void print_hsync3(FILE *f, const tp_xfr_zone_t *z, const char *identity)
{
	size_t n = tp_xfr_zone_apex(z, TYPE_HSYNC3, NULL, 0), on = 0;
	tp_xfr_rdata_t *rd = n ? calloc(n, sizeof(*rd)) : NULL;
	hs_buf_t b = HS_BUF_INIT, lbl = HS_BUF_INIT;
	uint8_t idw[WIRE_NAME_MAX];
	size_t idlen = 0;
	int listed = 0, listed_on = 0;

	if (identity && hs_name_from_text(identity, strlen(identity), idw, &idlen) != HS_OK)
		idlen = 0;
	tp_xfr_zone_apex(z, TYPE_HSYNC3, rd, n);
	fprintf(f, "HSYNC3 at the apex: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		hs_hsync3_t h;
		if (hs_hsync3_decode(rd[i].data, rd[i].len, &h, NULL) != HS_OK)
			continue; /* cannot happen: the zone was validated */
		/* the label as people write it: tdns's trailing dot dropped */
		size_t ll = h.label_len;
		if (ll > 1 && h.label[ll - 1] == '.')
			ll--;
		lbl.len = 0;
		hs_str_print_bare(&lbl, h.label, ll);
		const char *state = h.state == HS_HSYNC3_ON    ? "ON"
		                    : h.state == HS_HSYNC3_OFF ? "OFF"
		                                               : "?";
		fprintf(f, "  %-3s provider %-12s identity %s", state, hs_buf_cstr(&lbl),
		        name_str(&b, h.identity, h.identity_len));
		if (hs_hsync3_has_upstream(&h)) {
			lbl.len = 0;
			hs_str_print_bare(&lbl, h.upstream, h.upstream_len);
			fprintf(f, " (signs for upstream %s)", hs_buf_cstr(&lbl));
		}
		fputc('\n', f);
		if (h.state == HS_HSYNC3_ON)
			on++;
		if (idlen && dnsmsg_name_equal(h.identity, h.identity_len, idw, idlen)) {
			listed = 1;
			listed_on = h.state == HS_HSYNC3_ON;
		}
	}
	int has_param = tp_xfr_zone_apex(z, TYPE_HSYNCPARAM, NULL, 0) > 0;
	if (n > 0 && has_param)
		fprintf(f, "multi-provider: yes (%zu provider%s listed, %zu ON)\n", n,
		        n == 1 ? "" : "s", on);
	else
		fprintf(f, "multi-provider: no (%s)\n",
		        n == 0 && !has_param ? "no HSYNC3 and no HSYNCPARAM"
		        : n == 0             ? "no HSYNC3"
		                             : "no HSYNCPARAM");
	if (identity)
		fprintf(f, "identity %s: %s\n", identity,
		        !idlen      ? "not a valid name"
		        : !listed   ? "not listed"
		        : listed_on ? "listed, ON"
		                    : "listed, OFF");
	free(rd);
	hs_buf_free(&b);
	hs_buf_free(&lbl);
}

static void print_list(FILE *f, const hs_hsyncparam_t *h, uint16_t key, const char *what)
{
	const hs_hsp_param_t *p = hs_hsyncparam_find(h, key);
	if (p)
		fprintf(f, "  %-11s %.*s\n", what, (int)p->len, (const char *)p->val);
}

static void print_hsyncparam(FILE *f, const tp_xfr_zone_t *z)
{
	tp_xfr_rdata_t rd;
	hs_hsyncparam_t h;
	hs_buf_t txt = HS_BUF_INIT;
	if (tp_xfr_zone_apex(z, TYPE_HSYNCPARAM, &rd, 1) == 0) {
		fprintf(f, "HSYNCPARAM: none\n");
		return;
	}
	if (hs_hsyncparam_to_text(rd.data, rd.len, &txt, NULL) != HS_OK ||
	    hs_hsyncparam_decode(rd.data, rd.len, &h, NULL) != HS_OK) {
		hs_buf_free(&txt);
		return;
	}
	fprintf(f, "HSYNCPARAM: %s\n", hs_buf_cstr(&txt));
	fprintf(f, "  %-11s %s\n", "nsmgmt",
	        hs_hsyncparam_nsmgmt(&h) == HS_NSMGMT_AGENT
	            ? "agent (the providers' agents keep the NS RRset in step)"
	            : "owner (the zone owner manages NS)");
	fprintf(f, "  %-11s %s\n", "parentsync",
	        hs_hsyncparam_parentsync(&h) == HS_PARENTSYNC_AGENT
	            ? "agent (the agents update the parent's delegation)"
	            : "owner (the zone owner talks to the parent)");
	print_list(f, &h, 2, "servers");
	print_list(f, &h, 3, "signers");
	print_list(f, &h, 7, "auditors");
	hs_buf_free(&txt);
}

void xfr_print_summary(FILE *f, const tp_xfr_zone_t *z, const tp_xfr_stats_t *st,
                       const char *primary, const char *identity)
{
	size_t nlen;
	const uint8_t *name = tp_xfr_zone_name(z, &nlen);
	const tp_xfr_soa_t *soa = tp_xfr_zone_soa(z);
	hs_buf_t b = HS_BUF_INIT;
	fprintf(f, "zone %s from %s\n", name_str(&b, name, nlen), primary);
	fprintf(f, "serial %u, %zu records, %zu messages, %zu octets\n", soa->serial,
	        tp_xfr_zone_count(z), st->messages, tp_xfr_zone_msg_bytes(z));
	fprintf(f, "soa refresh %u retry %u expire %u minimum %u\n", soa->refresh, soa->retry,
	        soa->expire, soa->minimum);
	print_hsync3(f, z, identity);
	print_hsyncparam(f, z);
	hs_buf_free(&b);
}

/* RDATA of a type hsync does not know, through ldns's printer. */
static void print_ldns_rdata(hs_buf_t *out, const tp_xfr_rr_t *rr)
{
	hs_buf_t w = HS_BUF_INIT;
	ldns_rr *lr = NULL;
	size_t pos = 0;
	hs_buf_append(&w, rr->owner, rr->owner_len);
	hs_buf_append_u16(&w, rr->type);
	hs_buf_append_u16(&w, rr->rclass);
	hs_buf_append_u32(&w, rr->ttl);
	hs_buf_append_u16(&w, rr->rdlen);
	hs_buf_append(&w, rr->rdata, rr->rdlen);
	if (ldns_wire2rr(&lr, w.data, w.len, &pos, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK) {
		for (size_t i = 0; i < ldns_rr_rd_count(lr); i++) {
			char *s = ldns_rdf2str(ldns_rr_rdf(lr, i));
			hs_buf_printf(out, "%s%s", i ? " " : "", s ? s : "?");
			free(s);
		}
	} else {
		hs_rdata_generic_print(out, rr->rdata, rr->rdlen);
	}
	ldns_rr_free(lr);
	hs_buf_free(&w);
}

void xfr_print_dump(FILE *f, const tp_xfr_zone_t *z)
{
	hs_buf_t line = HS_BUF_INIT;
	tp_xfr_rr_t rr;
	for (size_t i = 0; tp_xfr_zone_rr(z, i, &rr) == HS_OK; i++) {
		line.len = 0;
		hs_name_print(&line, rr.owner, rr.owner_len);
		hs_buf_printf(&line, "\t%u\tIN\t", rr.ttl);
		hs_rrtype_any_print(&line, rr.type);
		hs_buf_append_u8(&line, '\t');
		if (hs_rrtype_name(rr.type) == NULL ||
		    hs_rdata_to_text(rr.type, rr.rdata, rr.rdlen, &line, NULL) != HS_OK)
			print_ldns_rdata(&line, &rr);
		fprintf(f, "%s\n", hs_buf_cstr(&line));
	}
	/* the closing SOA, as AXFR shows it */
	if (tp_xfr_zone_rr(z, 0, &rr) == HS_OK) {
		line.len = 0;
		hs_name_print(&line, rr.owner, rr.owner_len);
		hs_buf_printf(&line, "\t%u\tIN\tSOA\t", rr.ttl);
		print_ldns_rdata(&line, &rr);
		fprintf(f, "%s\n", hs_buf_cstr(&line));
	}
	hs_buf_free(&line);
}
