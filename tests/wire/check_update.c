/*
 * check_update.c -- the UPDATE codec (src/wire/update.h): a compressed
 * message as nsupdate sends it parses into expanded records; the
 * builder's output round-trips; what is wrong is named (PS-6, PS-7).
 */
#include "lib/testutil.h"

#include <string.h>

#include "wire/update.h"

/* lab. at 12; example.lab. as 7"example" + pointer; NS RDATA compressed */
static const char *COMPRESSED =
    "1234 2800 0001 0000 0002 0001"
    "036c616200 0006 0001"                                      /* lab. SOA IN */
    "076578616d706c65c00c 0002 00fe 00000000 0006 036e7331c015" /* DEL example NS ns1.example */
    "036e7332c015 0001 0001 0000012c 0004 c0000202"             /* ADD ns2.example A */
    "00 0029 04d0 00000000 0000";                               /* OPT */

START_TEST(test_parse_compressed)
{
	hs_buf_t m = HS_BUF_INIT;
	hs_upd_t u;
	tu_hex(&m, COMPRESSED);
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_OK);
	ck_assert_uint_eq(u.id, 0x1234);
	ck_assert_uint_eq(u.opcode, HS_OPCODE_UPDATE);
	ck_assert_uint_eq(u.zone_len, 5);
	ck_assert_uint_eq(u.zone_type, 6);
	ck_assert_uint_eq(u.nrrs, 2);
	ck_assert_uint_eq(u.rrs[0].owner_len, 13);
	ck_assert_uint_eq(u.rrs[0].rclass, HS_CLASS_NONE);
	ck_assert_uint_eq(u.rrs[0].rdlen, 17); /* ns1.example.lab. expanded */
	ck_assert_int_eq(memcmp(u.rrs[0].rdata, "\003ns1\007example\003lab", 16), 0);
	ck_assert_uint_eq(u.rrs[1].owner_len, 17);
	ck_assert_uint_eq(u.rrs[1].ttl, 300);
	ck_assert(u.has_opt);
	ck_assert(!u.has_sig);
	ck_assert_uint_eq(u.nother, 0);
	hs_upd_clear(&u);

	/* rebuilt uncompressed, parsed again: the same records */
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_OK);
	ck_assert_int_eq(hs_upd_build(7, u.zone, u.zone_len, u.rrs, u.nrrs, 0, NULL, 0, &b), HS_OK);
	hs_upd_t v;
	ck_assert_int_eq(hs_upd_parse(b.data, b.len, &v, NULL), HS_OK);
	ck_assert_uint_eq(v.nrrs, 2);
	ck_assert_uint_eq(v.rrs[0].rdlen, u.rrs[0].rdlen);
	ck_assert_int_eq(memcmp(v.rrs[0].rdata, u.rrs[0].rdata, v.rrs[0].rdlen), 0);
	ck_assert(!v.has_opt);
	hs_upd_clear(&u);
	hs_upd_clear(&v);
	hs_buf_free(&b);
	hs_buf_free(&m);
}
END_TEST

/* PS-6, PS-7 */
START_TEST(test_parse_errors)
{
	hs_buf_t m = HS_BUF_INIT;
	hs_upd_t u;
	/* two zone records */
	tu_hex(&m, "0001 2800 0002 0000 0000 0000 00 0006 0001 00 0006 0001");
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_E_MALFORMED);
	hs_upd_clear(&u);
	/* a forward pointer */
	hs_buf_reset(&m);
	tu_hex(&m,
	       "0001 2800 0001 0000 0001 0000 036c616200 0006 0001 c020 0001 0001 00000000 0000");
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_E_MALFORMED);
	hs_upd_clear(&u);
	/* NS RDATA that is no name */
	hs_buf_reset(&m);
	tu_hex(&m, "0001 2800 0001 0000 0001 0000 00 0006 0001 00 0002 0001 00000000 0002 0501");
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_E_MALFORMED);
	hs_upd_clear(&u);
	/* 65 records: HS_E_LIMIT with the rest filled in */
	hs_upd_rr_t rr[65];
	memset(rr, 0, sizeof(rr));
	for (int i = 0; i < 65; i++) {
		rr[i].owner[0] = 0;
		rr[i].owner_len = 1;
		rr[i].type = 1;
		rr[i].rclass = 255;
	}
	ck_assert_int_eq(hs_upd_build(1, (const uint8_t *)"", 1, rr, 65, 1, NULL, 0, &m), HS_OK);
	ck_assert_int_eq(hs_upd_parse(m.data, m.len, &u, NULL), HS_E_LIMIT);
	ck_assert_uint_eq(u.nrrs, HS_UPD_MAX_RRS);
	ck_assert(u.has_opt);
	hs_upd_clear(&u);
	hs_buf_free(&m);
}
END_TEST

START_TEST(test_reply_parse)
{
	hs_buf_t m = HS_BUF_INIT;
	hs_upd_reply_t r;
	char buf[16];
	/* REFUSED with BADKEY via the OPT's extended bits and an EDE */
	tu_hex(&m, "1234 a801 0001 0000 0000 0001 036c616200 0006 0001"
	           "00 0029 04d0 01000000 000a 000f 0006 0202 6e6f 6b79");
	ck_assert_int_eq(hs_upd_reply_parse(m.data, m.len, &r), HS_OK);
	ck_assert_uint_eq(r.rcode, 17);
	ck_assert(r.has_ede);
	ck_assert_uint_eq(r.ede, 514);
	ck_assert_str_eq(r.ede_text, "noky");
	ck_assert_str_eq(hs_rcode_name(r.rcode, buf, sizeof(buf)), "BADKEY");
	ck_assert_str_eq(hs_rcode_name(99, buf, sizeof(buf)), "RCODE99");
	/* an EDE of one octet is malformed */
	hs_buf_reset(&m);
	tu_hex(&m, "1234 a801 0000 0000 0000 0001 00 0029 04d0 00000000 0005 000f 0001 00");
	ck_assert_int_eq(hs_upd_reply_parse(m.data, m.len, &r), HS_E_MALFORMED);
	hs_buf_free(&m);
}
END_TEST

static Suite *update_suite(void)
{
	Suite *s = suite_create("update");
	TCase *tc = tcase_create("update");
	tcase_add_test(tc, test_parse_compressed);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_reply_parse);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(update_suite)
