/*
 * check_pktprint.c -- dig-style printing of hand-built DNS messages
 * (wire/pktprint.h): header and flags, the OPT pseudosection with EDE and
 * hsync options, every hsync type decoded, the fallback for malformed
 * RDATA, SIG in the additional section, and messages that do not parse.
 */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "wire/pktprint.h"

/* ---- a tiny message builder ------------------------------------------- */

struct msg {
	hs_buf_t b;
	unsigned an, ns, ar;
};

static const char *Q_NAME = "076578616d706c65047465737400"; /* example.test. */

static void msg_start(struct msg *m, uint16_t flags, uint16_t qtype)
{
	memset(m, 0, sizeof(*m));
	hs_buf_append_u16(&m->b, 0x4711);
	hs_buf_append_u16(&m->b, flags);
	hs_buf_append_u16(&m->b, 1);
	for (int i = 0; i < 3; i++)
		hs_buf_append_u16(&m->b, 0);
	tu_hex(&m->b, Q_NAME);
	hs_buf_append_u16(&m->b, qtype);
	hs_buf_append_u16(&m->b, 1);
}

static void set_count(struct msg *m, int idx, unsigned v)
{
	m->b.data[4 + 2 * idx] = (uint8_t)(v >> 8);
	m->b.data[5 + 2 * idx] = (uint8_t)v;
}

/* Append an RR owned by example.test. (compressed pointer to the question)
 * with RDATA given in hex, to section 1 (answer), 2 or 3. */
static void msg_rr(struct msg *m, int section, uint16_t type, uint32_t ttl, const char *rdhex)
{
	hs_buf_t rd = HS_BUF_INIT;
	tu_hex(&rd, rdhex);
	hs_buf_append_u16(&m->b, 0xc00c);
	hs_buf_append_u16(&m->b, type);
	hs_buf_append_u16(&m->b, 1);
	hs_buf_append_u32(&m->b, ttl);
	hs_buf_append_u16(&m->b, (uint16_t)rd.len);
	hs_buf_append(&m->b, rd.data, rd.len);
	hs_buf_free(&rd);
	unsigned *c = section == 1 ? &m->an : section == 2 ? &m->ns : &m->ar;
	(*c)++;
	set_count(m, section, *c);
}

/* OPT with udp size, flags word and option bytes in hex */
static void msg_opt(struct msg *m, uint16_t udp, uint8_t ext_rcode, uint16_t zflags,
                    const char *optshex)
{
	hs_buf_t o = HS_BUF_INIT;
	tu_hex(&o, optshex);
	hs_buf_append_u8(&m->b, 0);
	hs_buf_append_u16(&m->b, 41);
	hs_buf_append_u16(&m->b, udp);
	hs_buf_append_u8(&m->b, ext_rcode);
	hs_buf_append_u8(&m->b, 0);
	hs_buf_append_u16(&m->b, zflags);
	hs_buf_append_u16(&m->b, (uint16_t)o.len);
	hs_buf_append(&m->b, o.data, o.len);
	hs_buf_free(&o);
	m->ar++;
	set_count(m, 3, m->ar);
}

static char *print_ok(struct msg *m, unsigned flags)
{
	hs_buf_t out = HS_BUF_INIT;
	hs_errmsg_t em;
	int err = pkt_print(m->b.data, m->b.len, flags, &out, &em);
	ck_assert_msg(err == HS_OK, "pkt_print: %s", hs_errmsg_str(&em));
	char *s = strdup(hs_buf_cstr(&out));
	hs_buf_free(&out);
	hs_buf_free(&m->b);
	return s;
}

#define HAS(s, needle)                                                                             \
	ck_assert_msg(strstr((s), (needle)) != NULL, "missing '%s' in:\n%s", (needle), (s))
#define HASNT(s, needle)                                                                           \
	ck_assert_msg(strstr((s), (needle)) == NULL, "unexpected '%s' in:\n%s", (needle), (s))

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_header_and_sections)
{
	struct msg m;
	msg_start(&m, 0x8580, 1); /* qr aa rd ra, NOERROR */
	msg_rr(&m, 1, 1, 300, "7f000001");
	msg_rr(&m, 2, 2, 3600, "036e733100"); /* NS ns1. */
	char *s = print_ok(&m, 0);
	HAS(s, ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 18193\n");
	HAS(s, ";; flags: qr aa rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 1, ADDITIONAL: 0\n");
	HAS(s, ";; QUESTION SECTION:\n;example.test.\t\tIN\tA\n");
	HAS(s, ";; ANSWER SECTION:\nexample.test.\t300\tIN\tA\t127.0.0.1\n");
	HAS(s, ";; AUTHORITY SECTION:\nexample.test.\t3600\tIN\tNS\tns1.\n");
	HASNT(s, "OPT PSEUDOSECTION");
	HASNT(s, "ADDITIONAL SECTION");
	free(s);

	/* NOTIFY, REFUSED, no recursion */
	msg_start(&m, 0xa405, 6);
	s = print_ok(&m, 0);
	HAS(s, "opcode: NOTIFY, status: REFUSED, id: 18193\n;; flags: qr aa;");
	HAS(s, ";example.test.\t\tIN\tSOA\n");
	free(s);

	/* UPDATE: RFC 2136 section names */
	msg_start(&m, 0xa800, 6);
	msg_rr(&m, 2, 1, 300, "7f000003");
	s = print_ok(&m, 0);
	HAS(s, "opcode: UPDATE, status: NOERROR");
	HAS(s, "ZONE: 1, PREREQ: 0, UPDATE: 1, ADDITIONAL: 0");
	HAS(s, ";; ZONE SECTION:\n;example.test.\t\tIN\tSOA\n");
	HAS(s, ";; UPDATE SECTION:\nexample.test.\t300\tIN\tA\t127.0.0.3\n");
	free(s);
}
END_TEST

START_TEST(test_opt_pseudosection)
{
	struct msg m;
	msg_start(&m, 0x8405, 65285);
	/* EDE 18 with text, EDE private 65283, NSID "ns1", KEYSTATE, unknown */
	msg_opt(&m, 1232, 0, 0x8000,
	        "000f000c 0012 6e6f74207369676e6564" /* EDE 18 "not signed" */
	        "000f0002 ff03"                      /* EDE 65283, no text */
	        "000f0001 00"                        /* EDE too short */
	        "00030003 6e7331"                    /* NSID ns1 */
	        "fde90002 abcd");                    /* unknown 65001 */
	char *s = print_ok(&m, 0);
	HAS(s, "status: REFUSED");
	HAS(s, ";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags: do; udp: 1232\n");
	HAS(s, "; EDE: 18 (Prohibited): (not signed)\n");
	HAS(s, "; EDE: 65283 (replayed message)\n");
	HAS(s, "; EDE: 00 ; decode error: shorter than an info-code\n");
	HAS(s, "; NSID: 6e7331 (\"ns1\")\n");
	HAS(s, "; OPT=65001: abcd\n");
	HAS(s, "ADDITIONAL: 1\n");
	free(s);

	/* extended rcode: BADSIG is 16 = ext 1, rcode 0; MBZ bits shown */
	msg_start(&m, 0x8000, 1);
	msg_opt(&m, 4096, 1, 0x0001, "");
	s = print_ok(&m, 0);
	HAS(s, "status: BADSIG");
	HAS(s, "; EDNS: version: 0, flags:; MBZ: 0x0001; udp: 4096\n");
	free(s);

	/* option framing broken: the rest is shown as hex, nothing lost */
	msg_start(&m, 0x8000, 1);
	msg_opt(&m, 1232, 0, 0, "fdea0009 1092");
	s = print_ok(&m, 0);
	HAS(s, "; MALFORMED OPTIONS: fdea00091092 ; decode error: option framing truncated\n");
	free(s);
}
END_TEST

START_TEST(test_hsync_options_framed)
{
	/* hsync options are named; their text comes from the codec (or the
	 * hex fallback): either way one "; NAME: " line each */
	struct msg m;
	msg_start(&m, 0x8000, 65288);
	msg_opt(&m, 1232, 0, 0,
	        "fdea000410920200"
	        "fded000f3139322e302e322e31303a35333939");
	char *s = print_ok(&m, 0);
	HAS(s, "; KEYSTATE: ");
	HAS(s, "; CHUNK-ENDPOINT: ");
	free(s);
}
END_TEST

/* One row per hsync vector: type, RDATA hex, the presentation expected
 * (shared/vectors/rr-wire.txt). Needs the real codecs (wire branch). */
static const struct {
	uint16_t type;
	const char *mn, *hex, *text;
} vec[] = {
    {66, "DSYNC", "003b0114ef036e7331076578616d706c6503636f6d00",
     "CDS NOTIFY 5359 ns1.example.com."},
    {65285, "HSYNC3", "01076e65746e6f642e056167656e74066e65746e6f6402736500012e",
     "ON netnod agent.netnod.se. ."},
    {65285, "HSYNC3",
     "010b636c6f7564666c6172652e056167656e740a636c6f7564666c61726503636f6d00076e65746e6f642e",
     "ON cloudflare agent.cloudflare.com. netnod"},
    {65286, "HSYNCPARAM",
     "00000001020002000a616c7068612c6563686f00030005616c706861000700056175646974",
     "nsmgmt=\"agent\" servers=\"alpha,echo\" signers=\"alpha\" auditors=\"audit\""},
    {65288, "CHUNK", "01000000010002000b68656c6c6f20776f726c64", "1 2 JSON \"\" aGVsbG8gd29ybGQ="},
};

START_TEST(test_hsync_types_decoded)
{
	struct msg m;
	char want[512];
	msg_start(&m, 0x8400, 65285);
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
		msg_rr(&m, 1, vec[i].type, 3600, vec[i].hex);
	char *s = print_ok(&m, 0);
	HAS(s, ";example.test.\t\tIN\tHSYNC3\n");
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		snprintf(want, sizeof(want), "example.test.\t3600\tIN\t%s\t%s\n", vec[i].mn,
		         vec[i].text);
		HAS(s, want);
	}
	HASNT(s, "decode error");
	free(s);
}
END_TEST

START_TEST(test_hpkekey_decoded)
{
	struct msg m;
	msg_start(&m, 0x8400, 65290);
	msg_rr(&m, 1, 65290, 60,
	       "002000010002"
	       "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	char *s = print_ok(&m, 0);
	HAS(s, "example.test.\t60\tIN\tHPKEKEY\t");
	HAS(s, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
	HASNT(s, "decode error");
	free(s);
}
END_TEST

START_TEST(test_malformed_rdata_fallback)
{
	struct msg m;
	msg_start(&m, 0x8400, 65285);
	msg_rr(&m, 1, 65285, 3600, "010561"); /* label says 5 octets, has 1 */
	msg_rr(&m, 1, 1, 300, "7f000002");    /* the next record still prints */
	char *s = print_ok(&m, 0);
	HAS(s, "example.test.\t3600\tIN\tHSYNC3\t\\# 3 010561 ; decode error: ");
	HAS(s, "example.test.\t300\tIN\tA\t127.0.0.2\n");
	free(s);

	/* empty RDATA of an hsync type */
	msg_start(&m, 0x8400, 66);
	msg_rr(&m, 1, 66, 1, "");
	s = print_ok(&m, 0);
	HAS(s, "\tDSYNC\t\\# 0 ; decode error: ");
	free(s);
}
END_TEST

START_TEST(test_sig_and_unknown)
{
	struct msg m;
	msg_start(&m, 0x8400, 65001);
	msg_rr(&m, 1, 65001, 10, "cafe"); /* a type nobody knows */
	/* SIG(0): covered 0, alg 15, labels 0, ttl 0, expire, incept, tag,
	 * signer example.test., 64-byte signature */
	msg_rr(&m, 3, 24, 0,
	       "0000 0f 00 00000000 6a02d9c4 6a02d79c 3039"
	       "076578616d706c65047465737400"
	       "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	       "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
	char *s = print_ok(&m, 0);
	HAS(s, "\tTYPE65001\t\\# 2 cafe\n");
	HAS(s, ";; ADDITIONAL SECTION:\nexample.test.\t0\tIN\tSIG\t");
	HAS(s, " 15 0 0 ");
	HAS(s, " 12345 example.test. "
	       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0"
	       "+Pw==");
	free(s);
}
END_TEST

START_TEST(test_nsupdate_sig0)
{
	/* a real UPDATE signed by BIND's nsupdate (compressed names, SIG(0)) */
	hs_buf_t in = HS_BUF_INIT, out = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_int_eq(hs_read_file(tu_vector_path("sig0/nsupdate-ed25519.bin"), &in, 65535),
	                 HS_OK);
	ck_assert_int_eq(pkt_print(in.data, in.len, 0, &out, &em), HS_OK);
	const char *s = hs_buf_cstr(&out);
	HAS(s, "opcode: UPDATE, status: NOERROR, id: 18559\n");
	HAS(s, "ZONE: 1, PREREQ: 0, UPDATE: 5, ADDITIONAL: 1\n");
	HAS(s, ";; ZONE SECTION:\n;example.\t\tIN\tSOA\n");
	HAS(s, ";; UPDATE SECTION:\n");
	HAS(s, "ns1.child.example.\t3600\tIN\tA\t192.0.2.1\n");
	HAS(s, ";; ADDITIONAL SECTION:\n.\t0\tANY\tSIG\tTYPE0 15 0 0 20261123055052 20261123054052 "
	       "48126 child.example. zhtEw6De");
	hs_buf_free(&in);
	hs_buf_free(&out);
}
END_TEST

START_TEST(test_short)
{
	struct msg m;
	msg_start(&m, 0x8400, 1);
	msg_rr(&m, 1, 1, 300, "7f000001");
	msg_rr(&m, 1, 65285, 300, "010561");
	msg_rr(&m, 2, 1, 300, "7f000009"); /* authority: not shown */
	char *s = print_ok(&m, PKT_PRINT_SHORT);
	ck_assert_msg(strncmp(s, "127.0.0.1\n\\# 3 010561 ; decode error: ", 38) == 0, "%s", s);
	HASNT(s, "127.0.0.9");
	HASNT(s, "HEADER");
	free(s);
}
END_TEST

START_TEST(test_bad_messages)
{
	hs_buf_t out = HS_BUF_INIT, w = HS_BUF_INIT;
	hs_errmsg_t em;
	struct msg m;

	hs_buf_append(&out, "keep", 4);
	/* shorter than a header */
	tu_hex(&w, "4711 8400 0001");
	ck_assert_int_eq(pkt_print(w.data, w.len, 0, &out, &em), HS_E_TRUNC);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "header"));
	ck_assert_uint_eq(out.len, 4);

	/* every prefix of a real message: an error or text, never a crash */
	msg_start(&m, 0x8400, 65285);
	msg_rr(&m, 1, 65285, 3600, "01076e65746e6f642e056167656e74066e65746e6f6402736500012e");
	msg_opt(&m, 1232, 0, 0x8000, "000f0002 0012");
	for (size_t n = 0; n < m.b.len; n++) {
		int err = pkt_print(m.b.data, n, 0, &out, &em);
		ck_assert_msg(err == HS_E_TRUNC || err == HS_E_MALFORMED, "prefix %zu: %s", n,
		              hs_errname(err));
		ck_assert_uint_eq(out.len, 4); /* untouched on failure */
	}
	ck_assert_int_eq(pkt_print(m.b.data, m.b.len, 0, &out, &em), HS_OK);
	ck_assert_uint_gt(out.len, 4);

	/* a count that promises more records than there are */
	m.b.data[7] = 5;
	hs_buf_reset(&out);
	ck_assert_int_eq(pkt_print(m.b.data, m.b.len, 0, &out, &em), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "does not parse"));
	ck_assert_uint_eq(out.len, 0);

	ck_assert_int_eq(pkt_print(NULL, 0, 0, &out, NULL), HS_E_INVAL);
	hs_buf_free(&m.b);
	hs_buf_free(&out);
	hs_buf_free(&w);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(pkt_rcode_name(0), "NOERROR");
	ck_assert_str_eq(pkt_rcode_name(18), "BADTIME");
	ck_assert_ptr_null(pkt_rcode_name(15));
	ck_assert_str_eq(pkt_opcode_name(4), "NOTIFY");
	ck_assert_str_eq(pkt_opcode_name(5), "UPDATE");
	ck_assert_ptr_null(pkt_opcode_name(3));
	ck_assert_str_eq(pkt_ede_name(6), "DNSSEC Bogus");
	ck_assert_str_eq(pkt_ede_name(529), "SIG(0) signature invalid");
	ck_assert_ptr_null(pkt_ede_name(4000));

	hs_buf_t out = HS_BUF_INIT;
	pkt_rdata_text(1, (const uint8_t *)"\x7f\x00\x00\x01", 4, &out);
	ck_assert_str_eq(hs_buf_cstr(&out), "\\# 4 7f000001");
	hs_buf_free(&out);
}
END_TEST

static Suite *pktprint_suite(void)
{
	Suite *s = suite_create("pktprint");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_header_and_sections);
	tcase_add_test(tc, test_opt_pseudosection);
	tcase_add_test(tc, test_hsync_options_framed);
	tcase_add_test(tc, test_malformed_rdata_fallback);
	tcase_add_test(tc, test_sig_and_unknown);
	tcase_add_test(tc, test_nsupdate_sig0);
	tcase_add_test(tc, test_short);
	tcase_add_test(tc, test_bad_messages);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	/* these need the real codecs of wire/rdata.h */
	TCase *dec = tcase_create("decode");
	tcase_add_test(dec, test_hsync_types_decoded);
	tcase_add_test(dec, test_hpkekey_decoded);
	suite_add_tcase(s, dec);
	return s;
}

TU_MAIN(pktprint_suite)
