/*
 * pktprint_edns.c -- EDNS(0) options and the name tables of pktprint.h.
 */
#include "wire/pktprint.h"

#include <stdlib.h>

#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/proto.h"
#include "wire/rdata.h"

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

struct code_name {
	unsigned code;
	const char *name;
};

static const char *lookup(const struct code_name *rows, size_t n, unsigned code)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].code == code)
			return rows[i].name;
	return NULL;
}

static const struct code_name rcodes[] = {
    {0, "NOERROR"},  {1, "FORMERR"},    {2, "SERVFAIL"}, {3, "NXDOMAIN"},  {4, "NOTIMP"},
    {5, "REFUSED"},  {6, "YXDOMAIN"},   {7, "YXRRSET"},  {8, "NXRRSET"},   {9, "NOTAUTH"},
    {10, "NOTZONE"}, {11, "DSOTYPENI"}, {16, "BADSIG"},  {17, "BADKEY"},   {18, "BADTIME"},
    {19, "BADMODE"}, {20, "BADNAME"},   {21, "BADALG"},  {22, "BADTRUNC"}, {23, "BADCOOKIE"},
};

static const struct code_name opcodes[] = {
    {0, "QUERY"}, {1, "IQUERY"}, {2, "STATUS"}, {4, "NOTIFY"}, {5, "UPDATE"}, {6, "DSO"},
};

/* RFC 8914 section 4 and the IANA registry */
static const struct code_name ede_names[] = {
    {0, "Other Error"},
    {1, "Unsupported DNSKEY Algorithm"},
    {2, "Unsupported DS Digest Type"},
    {3, "Stale Answer"},
    {4, "Forged Answer"},
    {5, "DNSSEC Indeterminate"},
    {6, "DNSSEC Bogus"},
    {7, "Signature Expired"},
    {8, "Signature Not Yet Valid"},
    {9, "DNSKEY Missing"},
    {10, "RRSIGs Missing"},
    {11, "No Zone Key Bit Set"},
    {12, "NSEC Missing"},
    {13, "Cached Error"},
    {14, "Not Ready"},
    {15, "Blocked"},
    {16, "Censored"},
    {17, "Filtered"},
    {18, "Prohibited"},
    {19, "Stale NXDOMAIN Answer"},
    {20, "Not Authoritative"},
    {21, "Not Supported"},
    {22, "No Reachable Authority"},
    {23, "Network Error"},
    {24, "Invalid Data"},
    {25, "Signature Expired before Valid"},
    {26, "Too Early"},
    {27, "Unsupported NSEC3 Iterations Value"},
    {28, "Unable to conform to policy"},
    {29, "Synthesized"},
    {30, "Invalid Query Type"},
};

/* Standard options printed by name (data as hex). */
static const struct code_name std_opts[] = {
    {3, "NSID"},          {5, "DAU"},    {6, "DHU"},      {7, "N3U"},
    {8, "CLIENT-SUBNET"}, {9, "EXPIRE"}, {10, "COOKIE"},  {11, "TCP-KEEPALIVE"},
    {12, "PADDING"},      {13, "CHAIN"}, {14, "KEY-TAG"}, {18, "REPORT-CHANNEL"},
};

const char *pkt_rcode_name(unsigned rcode)
{
	return lookup(rcodes, NROWS(rcodes), rcode);
}

const char *pkt_opcode_name(unsigned opcode)
{
	return lookup(opcodes, NROWS(opcodes), opcode);
}

const char *pkt_ede_name(unsigned code)
{
	const char *n = lookup(ede_names, NROWS(ede_names), code);
	return n ? n : hs_ede_text(code);
}

static void append_hex(hs_buf_t *out, const uint8_t *p, size_t n)
{
	char *h = xmalloc(2 * n + 1);
	hs_hex_encode(h, p, n);
	hs_buf_append(out, h, 2 * n);
	free(h);
}

/* Text that came off the wire: printable ASCII as is, the rest \DDD. */
static void append_escaped(hs_buf_t *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			hs_buf_append_u8(out, p[i]);
		else
			hs_buf_printf(out, "\\%03u", p[i]);
	}
}

static void print_ede(const uint8_t *d, size_t n, hs_buf_t *out)
{
	if (n < 2) {
		hs_buf_printf(out, "; EDE: ");
		append_hex(out, d, n);
		hs_buf_printf(out, " ; decode error: shorter than an info-code\n");
		return;
	}
	unsigned code = (unsigned)d[0] << 8 | d[1];
	const char *name = pkt_ede_name(code);
	hs_buf_printf(out, "; EDE: %u (%s)", code, name ? name : "Unknown Code");
	if (n > 2) {
		hs_buf_printf(out, ": (");
		append_escaped(out, d + 2, n - 2);
		hs_buf_printf(out, ")");
	}
	hs_buf_printf(out, "\n");
}

static void print_option(uint16_t code, const uint8_t *d, size_t n, hs_buf_t *out)
{
	const char *name = hs_edns_opt_name(code);

	if (code == 15) {
		print_ede(d, n, out);
		return;
	}
	if (name) {
		hs_buf_t txt = HS_BUF_INIT;
		hs_errmsg_t em;
		hs_errmsg_clear(&em);
		if (hs_edns_opt_to_text(code, d, n, &txt, &em) == HS_OK) {
			hs_buf_printf(out, "; %s: %s\n", name, hs_buf_cstr(&txt));
		} else {
			hs_buf_printf(out, "; %s: ", name);
			append_hex(out, d, n);
			hs_buf_printf(out, " ; decode error: %s\n", hs_errmsg_str(&em));
		}
		hs_buf_free(&txt);
		return;
	}
	name = lookup(std_opts, NROWS(std_opts), code);
	if (name)
		hs_buf_printf(out, "; %s: ", name);
	else
		hs_buf_printf(out, "; OPT=%u: ", code);
	append_hex(out, d, n);
	if (code == 3 && n > 0) { /* NSID is usually text */
		hs_buf_printf(out, " (\"");
		append_escaped(out, d, n);
		hs_buf_printf(out, "\")");
	}
	hs_buf_printf(out, "\n");
}

void pkt_edns_opts_text(const uint8_t *opts, size_t len, hs_buf_t *out)
{
	wire_rd_t rd;

	wire_rd_init(&rd, opts, len);
	while (wire_rd_left(&rd) > 0) {
		const uint8_t *start = rd.pos;
		uint16_t code = wire_rd_u16(&rd);
		uint16_t olen = wire_rd_u16(&rd);
		const uint8_t *d = wire_rd_take(&rd, olen);
		if (rd.err) {
			size_t rest = (size_t)(rd.end - start);
			hs_buf_printf(out, "; MALFORMED OPTIONS: ");
			append_hex(out, start, rest);
			hs_buf_printf(out, " ; decode error: option framing truncated\n");
			return;
		}
		print_option(code, d, olen, out);
	}
}
