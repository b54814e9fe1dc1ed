/*
 * pktprint.c -- dig-style printing of a DNS message (pktprint.h).
 *
 * The header is read from the raw bytes (so flags print exactly as they
 * were sent); sections come from ldns. For hsync's types the RDATA is
 * taken back out of ldns as wire bytes (wire/ldns_glue.h): ldns does not
 * know these types, so it keeps them as one opaque field and the bytes
 * are the ones sent.
 */
#include "wire/pktprint.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/ldns_glue.h"
#include "wire/rdata.h"

#define DNS_HDR_LEN 12

struct hdr {
	uint16_t id, flags, qd, an, ns, ar;
};

static const struct {
	uint16_t bit;
	const char *name;
} flag_rows[] = {
    {0x8000, "qr"}, {0x0400, "aa"}, {0x0200, "tc"}, {0x0100, "rd"},
    {0x0080, "ra"}, {0x0040, "z"},  {0x0020, "ad"}, {0x0010, "cd"},
};

static void append_hex(hs_buf_t *out, const uint8_t *p, size_t n)
{
	char *h = xmalloc(2 * n + 1);
	hs_hex_encode(h, p, n);
	hs_buf_append(out, h, 2 * n);
	free(h);
}

static void append_generic(hs_buf_t *out, const uint8_t *rdata, size_t len)
{
	hs_buf_printf(out, "\\# %zu", len);
	if (len) {
		hs_buf_append_u8(out, ' ');
		append_hex(out, rdata, len);
	}
}

void pkt_rdata_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out)
{
	hs_errmsg_t em;

	if (!hs_rrtype_name(type)) {
		append_generic(out, rdata, len);
		return;
	}
	hs_errmsg_clear(&em);
	if (hs_rdata_to_text(type, rdata, len, out, &em) == HS_OK)
		return;
	append_generic(out, rdata, len);
	hs_buf_printf(out, " ; decode error: %s", hs_errmsg_str(&em));
}

static void append_str(hs_buf_t *out, char *s) /* frees s */
{
	if (s) {
		hs_buf_append(out, s, strlen(s));
		free(s);
	} else {
		hs_buf_printf(out, "?");
	}
}

static void append_type(hs_buf_t *out, uint16_t type)
{
	const char *n = hs_rrtype_name(type);
	if (n)
		hs_buf_printf(out, "%s", n);
	else
		append_str(out, ldns_rr_type2str((ldns_rr_type)type));
}

/* RDATA text of a type ldns knows (no comments, fields space-joined). */
static void ldns_rdata_text(const ldns_rr *rr, hs_buf_t *out)
{
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i)
			hs_buf_append_u8(out, ' ');
		append_str(out, ldns_rdf2str(ldns_rr_rdf(rr, i)));
	}
}

static int is_hsync_type(uint16_t t)
{
	return hs_rrtype_name(t) != NULL;
}

static void rdata_any(const ldns_rr *rr, hs_buf_t *out)
{
	uint16_t t = (uint16_t)ldns_rr_get_type(rr);
	if (is_hsync_type(t)) {
		hs_buf_t raw = HS_BUF_INIT;
		hs_errmsg_t em;
		if (hs_ldns_rr_rdata(rr, &raw, &em) == HS_OK)
			pkt_rdata_text(t, raw.data, raw.len, out);
		else
			hs_buf_printf(out, "; rdata unavailable: %s", hs_errmsg_str(&em));
		hs_buf_free(&raw);
	} else {
		ldns_rdata_text(rr, out);
	}
}

/* The type an RRSIG or SIG covers, when it is an hsync type ldns would
 * print as TYPEnnnnn; 0 otherwise. */
static uint16_t sig_covers_hsync(const ldns_rr *rr, uint16_t t)
{
	const ldns_rdf *f;

	if ((t != LDNS_RR_TYPE_RRSIG && t != LDNS_RR_TYPE_SIG) || ldns_rr_rd_count(rr) < 1)
		return 0;
	f = ldns_rr_rdf(rr, 0);
	if (ldns_rdf_size(f) != 2)
		return 0;
	uint16_t c = (uint16_t)(ldns_rdf_data(f)[0] << 8 | ldns_rdf_data(f)[1]);
	return is_hsync_type(c) ? c : 0;
}

/* "owner<TAB>ttl<TAB>class<TAB>type<TAB>" */
static void print_rr_head(const ldns_rr *rr, uint16_t t, hs_buf_t *out)
{
	append_str(out, ldns_rdf2str(ldns_rr_owner(rr)));
	hs_buf_printf(out, "\t%u\t", (unsigned)ldns_rr_ttl(rr));
	append_str(out, ldns_rr_class2str(ldns_rr_get_class(rr)));
	hs_buf_append_u8(out, '\t');
	append_type(out, t);
	hs_buf_append_u8(out, '\t');
}

static void print_rr(const ldns_rr *rr, hs_buf_t *out)
{
	uint16_t t = (uint16_t)ldns_rr_get_type(rr);
	uint16_t covered = sig_covers_hsync(rr, t);

	if (covered != 0) {
		print_rr_head(rr, t, out);
		append_type(out, covered);
		for (size_t i = 1; i < ldns_rr_rd_count(rr); i++) {
			hs_buf_append_u8(out, ' ');
			append_str(out, ldns_rdf2str(ldns_rr_rdf(rr, i)));
		}
		hs_buf_append_u8(out, '\n');
		return;
	}
	if (!is_hsync_type(t)) {
		/* ldns prints the types it knows best (SIG, SOA, DNSKEY ...) */
		char *s = ldns_rr2str_fmt(ldns_output_format_nocomments, rr);
		if (s) {
			append_str(out, s);
			return;
		}
	}
	print_rr_head(rr, t, out);
	rdata_any(rr, out);
	hs_buf_append_u8(out, '\n');
}

static void print_question(const ldns_rr *rr, hs_buf_t *out)
{
	hs_buf_append_u8(out, ';');
	append_str(out, ldns_rdf2str(ldns_rr_owner(rr)));
	hs_buf_printf(out, "\t\t");
	append_str(out, ldns_rr_class2str(ldns_rr_get_class(rr)));
	hs_buf_append_u8(out, '\t');
	append_type(out, (uint16_t)ldns_rr_get_type(rr));
	hs_buf_append_u8(out, '\n');
}

static void print_section(const char *title, const ldns_rr_list *l, int question, hs_buf_t *out)
{
	size_t n = ldns_rr_list_rr_count(l);
	if (n == 0)
		return;
	if (title != NULL)
		hs_buf_printf(out, "\n;; %s SECTION:\n", title);
	for (size_t i = 0; i < n; i++) {
		if (question)
			print_question(ldns_rr_list_rr(l, i), out);
		else
			print_rr(ldns_rr_list_rr(l, i), out);
	}
}

static void print_header(const struct hdr *h, unsigned rcode, unsigned arcount, hs_buf_t *out)
{
	unsigned opcode = (h->flags >> 11) & 0xf;
	const char *op = pkt_opcode_name(opcode);
	const char *rc = pkt_rcode_name(rcode);

	hs_buf_printf(out, ";; ->>HEADER<<- opcode: ");
	if (op)
		hs_buf_printf(out, "%s", op);
	else
		hs_buf_printf(out, "OPCODE%u", opcode);
	if (rc)
		hs_buf_printf(out, ", status: %s", rc);
	else
		hs_buf_printf(out, ", status: RCODE%u", rcode);
	hs_buf_printf(out, ", id: %u\n;; flags:", h->id);
	for (size_t i = 0; i < sizeof(flag_rows) / sizeof(flag_rows[0]); i++)
		if (h->flags & flag_rows[i].bit)
			hs_buf_printf(out, " %s", flag_rows[i].name);
	/* dig's counts: ADDITIONAL includes the OPT record */
	hs_buf_printf(out, "; %s: %u, %s: %u, %s: %u, %s: %u\n", opcode == 5 ? "ZONE" : "QUERY",
	              h->qd, opcode == 5 ? "PREREQ" : "ANSWER", h->an,
	              opcode == 5 ? "UPDATE" : "AUTHORITY", h->ns, "ADDITIONAL", arcount);
}

static void print_opt(const ldns_pkt *p, hs_buf_t *out)
{
	uint16_t z = ldns_pkt_edns_z(p);
	const ldns_rdf *data = ldns_pkt_edns_data(p);

	hs_buf_printf(
	    out, "\n;; OPT PSEUDOSECTION:\n; EDNS: version: %u, flags:", ldns_pkt_edns_version(p));
	if (z & 0x8000)
		hs_buf_printf(out, " do");
	if (z & 0x7fff)
		hs_buf_printf(out, "; MBZ: 0x%04x", z & 0x7fff);
	hs_buf_printf(out, "; udp: %u\n", ldns_pkt_edns_udp_size(p));
	if (data)
		pkt_edns_opts_text(ldns_rdf_data(data), ldns_rdf_size(data), out);
}

static void print_short(const ldns_pkt *p, hs_buf_t *out)
{
	const ldns_rr_list *l = ldns_pkt_answer(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		rdata_any(ldns_rr_list_rr(l, i), out);
		hs_buf_append_u8(out, '\n');
	}
}

int pkt_print(const uint8_t *wire, size_t len, unsigned flags, hs_buf_t *out, hs_errmsg_t *em)
{
	ldns_pkt *p = NULL;
	hs_buf_t txt = HS_BUF_INIT;
	struct hdr h;
	wire_rd_t rd;
	int err = HS_OK;

	if (!wire || !out)
		return hs_fail(em, HS_E_INVAL, "no message");
	wire_rd_init(&rd, wire, len);
	h.id = wire_rd_u16(&rd);
	h.flags = wire_rd_u16(&rd);
	h.qd = wire_rd_u16(&rd);
	h.an = wire_rd_u16(&rd);
	h.ns = wire_rd_u16(&rd);
	h.ar = wire_rd_u16(&rd);
	if (rd.err) {
		err = hs_fail(em, HS_E_TRUNC, "message of %zu bytes is shorter than a dns header",
		              len);
		goto cleanup;
	}
	ldns_status st = ldns_wire2pkt(&p, wire, len);
	if (st != LDNS_STATUS_OK) {
		err = hs_fail(em, HS_E_MALFORMED, "message does not parse: %s",
		              ldns_get_errorstr_by_id(st));
		goto cleanup;
	}

	if (flags & PKT_PRINT_SHORT) {
		print_short(p, &txt);
	} else {
		unsigned rcode = (h.flags & 0xf) | (unsigned)ldns_pkt_edns_extended_rcode(p) << 4;
		int titles = !(flags & PKT_PRINT_NO_COMMENTS);
		if (titles)
			print_header(&h, rcode, h.ar, &txt);
		if (titles && ldns_pkt_edns(p))
			print_opt(p, &txt);
		/* RFC 2136 renames the sections of an UPDATE */
		int upd = ((h.flags >> 11) & 0xf) == 5;
		if (!(flags & PKT_PRINT_NO_QUESTION))
			print_section(titles ? (upd ? "ZONE" : "QUESTION") : NULL,
			              ldns_pkt_question(p), 1, &txt);
		if (!(flags & PKT_PRINT_NO_ANSWER))
			print_section(titles ? (upd ? "PREREQUISITE" : "ANSWER") : NULL,
			              ldns_pkt_answer(p), 0, &txt);
		if (!(flags & PKT_PRINT_NO_AUTHORITY))
			print_section(titles ? (upd ? "UPDATE" : "AUTHORITY") : NULL,
			              ldns_pkt_authority(p), 0, &txt);
		if (!(flags & PKT_PRINT_NO_ADDITIONAL))
			print_section(titles ? "ADDITIONAL" : NULL, ldns_pkt_additional(p), 0,
			              &txt);
		if (titles && ldns_pkt_tsig(p)) {
			hs_buf_printf(&txt, "\n;; TSIG PSEUDOSECTION:\n");
			print_rr(ldns_pkt_tsig(p), &txt);
		}
	}
	hs_buf_append(out, txt.data, txt.len);
	hs_buf_cstr(out);

cleanup:
	ldns_pkt_free(p);
	hs_buf_free(&txt);
	return err;
}
