/* Tests for src/wire/ldns_glue.h: hsync records of every type survive
 * (a) a zone file in RFC 3597 form read by ldns and (b) a round trip
 * through an ldns packet, with identical RDATA. */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "wire/ldns_glue.h"
#include "wire/proto.h"
#include "wire/rdata.h"

static const struct sample {
	uint16_t type;
	const char *text;
} samples[] = {
    {HS_RRTYPE_DSYNC, "CDS NOTIFY 5359 ns1.example.com."},
    {HS_RRTYPE_DSYNC, "CSYNC UPDATE 53 parent.example."},
    {HS_RRTYPE_HSYNC3, "ON cloudflare agent.cloudflare.com. netnod"},
    {HS_RRTYPE_HSYNC3, "ON netnod agent.netnod.se. ."},
    {HS_RRTYPE_HSYNC3, "OFF \"raw\" agent.example. \"x y\""},
    {HS_RRTYPE_HSYNCPARAM,
     "nsmgmt=\"agent\" servers=\"alpha,echo\" signers=\"alpha\" auditors=\"audit\""},
    {HS_RRTYPE_HSYNCPARAM, "pubcds suffix=\"prov\" key99=\"x\""},
    {HS_RRTYPE_HSYNCPARAM, ""},
    {HS_RRTYPE_CHUNK, "1 2 JSON \"\" aGVsbG8gd29ybGQ="},
    {HS_RRTYPE_CHUNK, "0 9 JSON a889a20e {\"chunk_count\":9,\"chunk_size\":200}"},
    {HS_RRTYPE_HPKEKEY, "32 1 2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
    {HS_RRTYPE_HSYNC, "\\# 9 0102010161000162 00"},
    {HS_RRTYPE_HSYNC2, "\\# 5 01400f0000"},
};
#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

static void encode(const struct sample *s, hs_buf_t *out)
{
	hs_errmsg_t em;
	ck_assert_msg(hs_rdata_from_text(s->type, s->text, out, &em) == HS_OK, "%s: %s", s->text,
	              em.text);
}

START_TEST(test_zone_file_rfc3597)
{
	char *dir = tu_tmpdir();
	char path[4096];
	snprintf(path, sizeof(path), "%s/zone", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "$ORIGIN example.\n$TTL 3600\n"
	        "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n");
	for (size_t i = 0; i < N_SAMPLES; i++) {
		hs_buf_t w = HS_BUF_INIT, g = HS_BUF_INIT;
		encode(&samples[i], &w);
		hs_rdata_generic_print(&g, w.data, w.len);
		fprintf(f, "r%zu 300 IN TYPE%u %s\n", i, samples[i].type, hs_buf_cstr(&g));
		hs_buf_free(&w);
		hs_buf_free(&g);
	}
	fclose(f);

	f = fopen(path, "r");
	ldns_zone *z = NULL;
	int line = 0;
	ldns_status st = ldns_zone_new_frm_fp_l(&z, f, NULL, 3600, LDNS_RR_CLASS_IN, &line);
	fclose(f);
	ck_assert_msg(st == LDNS_STATUS_OK, "ldns: %s at line %d", ldns_get_errorstr_by_id(st),
	              line);
	ldns_rr_list *rrs = ldns_zone_rrs(z);
	size_t seen = 0;
	for (size_t j = 0; j < ldns_rr_list_rr_count(rrs); j++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, j);
		if (hs_rrtype_name((uint16_t)ldns_rr_get_type(rr)) == NULL)
			continue;
		char *owner = ldns_rdf2str(ldns_rr_owner(rr));
		size_t i = strtoul(owner + 1, NULL, 10);
		free(owner);
		ck_assert_uint_lt(i, N_SAMPLES);
		ck_assert_uint_eq(ldns_rr_get_type(rr), samples[i].type);
		hs_buf_t want = HS_BUF_INIT, got = HS_BUF_INIT, text = HS_BUF_INIT,
		         t2 = HS_BUF_INIT;
		encode(&samples[i], &want);
		ck_assert_int_eq(hs_ldns_rr_rdata(rr, &got, NULL), HS_OK);
		ck_assert_uint_eq(got.len, want.len);
		ck_assert(want.len == 0 || memcmp(got.data, want.data, want.len) == 0);
		/* and our codec reads what ldns holds */
		ck_assert_int_eq(hs_ldns_rr_to_text(rr, &text, NULL), HS_OK);
		ck_assert_int_eq(hs_rdata_to_text(samples[i].type, want.data, want.len, &t2, NULL),
		                 HS_OK);
		ck_assert_str_eq(hs_buf_cstr(&text), hs_buf_cstr(&t2));
		seen++;
		hs_buf_free(&want);
		hs_buf_free(&got);
		hs_buf_free(&text);
		hs_buf_free(&t2);
	}
	ck_assert_uint_eq(seen, N_SAMPLES);
	ldns_zone_deep_free(z);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_packet_roundtrip)
{
	ldns_pkt *p = ldns_pkt_new(), *back = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	ck_assert_ptr_nonnull(p);
	ldns_pkt_set_id(p, 4242);
	ldns_pkt_set_qr(p, true);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		ldns_rr *rr = NULL;
		hs_errmsg_t em;
		/* same owner for all, so ldns compresses owners around our RDATA */
		ck_assert_msg(hs_ldns_rr_new("zone.example.", 300, samples[i].type, samples[i].text,
		                             &rr, &em) == HS_OK,
		              "%s", em.text);
		ck_assert(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr));
	}
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &wlen), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_wire2pkt(&back, wire, wlen), LDNS_STATUS_OK);
	ldns_rr_list *ans = ldns_pkt_answer(back);
	ck_assert_uint_eq(ldns_rr_list_rr_count(ans), N_SAMPLES);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		ldns_rr *rr = ldns_rr_list_rr(ans, i);
		hs_buf_t want = HS_BUF_INIT, got = HS_BUF_INIT;
		encode(&samples[i], &want);
		ck_assert_uint_eq(ldns_rr_get_type(rr), samples[i].type);
		ck_assert_int_eq(hs_ldns_rr_rdata(rr, &got, NULL), HS_OK);
		ck_assert_msg(got.len == want.len &&
		                  (want.len == 0 || memcmp(got.data, want.data, want.len) == 0),
		              "sample %zu RDATA changed in the packet", i);
		hs_buf_free(&want);
		hs_buf_free(&got);
	}
	/* the RDATA bytes sit in the packet verbatim (nothing was compressed) */
	for (size_t i = 0; i < N_SAMPLES; i++) {
		hs_buf_t want = HS_BUF_INIT;
		encode(&samples[i], &want);
		ck_assert(want.len == 0 || memmem(wire, wlen, want.data, want.len) != NULL);
		hs_buf_free(&want);
	}
	free(wire);
	ldns_pkt_free(p);
	ldns_pkt_free(back);
}
END_TEST

START_TEST(test_ldns_str_and_errors)
{
	ldns_rr *rr = NULL;
	hs_buf_t text = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_int_eq(
	    ldns_rr_new_frm_str(&rr, "x.example. 60 IN TYPE65285 \\# 13 0106616c7068612e016100012e",
	                        0, NULL, NULL),
	    LDNS_STATUS_OK);
	ck_assert_int_eq(hs_ldns_rr_to_text(rr, &text, NULL), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&text), "ON alpha a. .");
	ldns_rr_free(rr);
	/* compressed name in RDATA held by ldns: refused by our decoder */
	ck_assert_int_eq(
	    ldns_rr_new_frm_str(&rr, "x.example. 60 IN TYPE65285 \\# 12 0106616c7068612ec00c012e",
	                        0, NULL, NULL),
	    LDNS_STATUS_OK);
	ck_assert_int_eq(hs_ldns_rr_to_text(rr, &text, &em), HS_E_COMPRESSED);
	ldns_rr_free(rr);
	/* not ours */
	ck_assert_int_eq(ldns_rr_new_frm_str(&rr, "x.example. 60 IN A 192.0.2.1", 0, NULL, NULL),
	                 LDNS_STATUS_OK);
	ck_assert_int_eq(hs_ldns_rr_to_text(rr, &text, NULL), HS_E_UNKNOWN_TYPE);
	ldns_rr_free(rr);
	rr = NULL;
	ck_assert_int_eq(
	    hs_ldns_rr_new("bad..owner", 1, HS_RRTYPE_DSYNC, "CDS NOTIFY 1 a.", &rr, NULL),
	    HS_E_NAME);
	ck_assert_int_eq(hs_ldns_rr_new("ok.", 1, HS_RRTYPE_DSYNC, "CDS NOTIFY", &rr, NULL),
	                 HS_E_SYNTAX);
	ck_assert_ptr_null(rr);
	ck_assert_int_eq(hs_ldns_rr_rdata(NULL, &text, NULL), HS_E_INVAL);
	hs_buf_free(&text);
}
END_TEST

/* Any-type RDATA text <-> wire, as the synchronised data prints it: the
 * apex types NS, DNSKEY, CDS, CSYNC, KEY round-trip; malformed,
 * compressed or over-long RDATA is refused; hsync types use our codecs. */
START_TEST(test_rdata_any)
{
	static const struct {
		uint16_t type;
		const char *text;
	} ok[] = {
	    {2, "ns1.alpha.lab."},
	    {48, "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="},
	    {59, "12345 15 2 4315a7ad09ae0bebbbbc4b5ba0a0c9d1c7bdee96c56abf0aa9cd0b26e54fb1c7"},
	    {62, "66 3 A NS AAAA"},
	    {25, "512 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="},
	    {1, "192.0.2.1"},
	    {59, "0 0 0 00"}, /* CDS delete (RFC 8078) */
	    {HS_RRTYPE_HSYNC3, "ON alpha agent.alpha. ."},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		hs_buf_t w = HS_BUF_INIT, t = HS_BUF_INIT, w2 = HS_BUF_INIT;
		hs_errmsg_t em;
		ck_assert_msg(hs_ldns_rdata_from_text(ok[i].type, ok[i].text, &w, &em) == HS_OK,
		              "%s: %s", ok[i].text, em.text);
		ck_assert_msg(hs_ldns_rdata_to_text(ok[i].type, w.data, w.len, &t, &em) == HS_OK,
		              "%s: %s", ok[i].text, em.text);
		ck_assert_str_eq(hs_buf_cstr(&t), ok[i].text);
		ck_assert_int_eq(hs_ldns_rdata_from_text(ok[i].type, hs_buf_cstr(&t), &w2, NULL),
		                 HS_OK);
		ck_assert_uint_eq(w2.len, w.len);
		ck_assert_int_eq(memcmp(w2.data, w.data, w.len), 0);
		hs_buf_free(&w);
		hs_buf_free(&t);
		hs_buf_free(&w2);
	}
	hs_buf_t w = HS_BUF_INIT, t = HS_BUF_INIT;
	hs_errmsg_t em;
	/* relative names are absolute */
	ck_assert_int_eq(hs_ldns_rdata_from_text(2, "ns2.bravo.lab", &w, NULL), HS_OK);
	ck_assert_int_eq(hs_ldns_rdata_to_text(2, w.data, w.len, &t, NULL), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&t), "ns2.bravo.lab.");
	hs_buf_reset(&w);
	hs_buf_reset(&t);
	/* NS: compression pointer, trailing octet, empty, truncated label */
	static const uint8_t ptr[] = {3, 'n', 's', '1', 0xc0, 0x02};
	static const uint8_t trail[] = {3, 'n', 's', '1', 0, 7};
	static const uint8_t trunc[] = {5, 'n', 's'};
	ck_assert_int_eq(hs_ldns_rdata_to_text(2, ptr, sizeof(ptr), &t, &em), HS_E_MALFORMED);
	ck_assert_int_eq(hs_ldns_rdata_to_text(2, trail, sizeof(trail), &t, &em), HS_E_MALFORMED);
	ck_assert_int_eq(hs_ldns_rdata_to_text(2, trunc, sizeof(trunc), &t, &em), HS_E_MALFORMED);
	ck_assert_int_eq(hs_ldns_rdata_to_text(2, NULL, 0, &t, &em), HS_E_MALFORMED);
	/* CSYNC whose type bitmap has trailing zero octets (RFC 4034 4.1.2:
	 * must be omitted): ldns keeps the octets raw, we refuse them */
	static const uint8_t csync[] = {0, 0, 0, 0x42, 0, 3, 0, 4, 0x60, 0, 0, 0};
	ck_assert_int_eq(hs_ldns_rdata_to_text(62, csync, sizeof(csync), &t, &em), HS_E_MALFORMED);
	ck_assert_uint_eq(t.len, 0);
	/* a type ldns does not know prints generically */
	ck_assert_int_eq(hs_ldns_rdata_to_text(65400, trail, sizeof(trail), &t, NULL), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&t), "\\# 6 036e73310007");
	hs_buf_reset(&t);
	ck_assert_int_eq(hs_ldns_rdata_from_text(2, "not a name at all", &w, &em), HS_E_SYNTAX);
	ck_assert_int_eq(hs_ldns_rdata_from_text(2, "a.\nb.", &w, &em), HS_E_SYNTAX);
	ck_assert_uint_eq(w.len, 0);
	hs_buf_free(&w);
	hs_buf_free(&t);
}
END_TEST

static Suite *glue_suite(void)
{
	Suite *s = suite_create("ldns_glue");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_zone_file_rfc3597);
	tcase_add_test(tc, test_packet_roundtrip);
	tcase_add_test(tc, test_ldns_str_and_errors);
	tcase_add_test(tc, test_rdata_any);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(glue_suite)
