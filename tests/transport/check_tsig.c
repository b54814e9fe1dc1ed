/*
 * Tests for src/transport/tsig.h: key checks, a signed query verified by
 * the server, a three-message answer signed per RFC 8945 5.3.1 and
 * verified in order, and the refusals (wrong secret, unsigned, tampered,
 * out of order, another key name).
 */
#include <string.h>

#include "lib/testutil.h"
#include "transport/tsig.h"
#include "util/log.h"

#define SECRET  "bWFrZSBpdCBsb25nIGVub3VnaCBmb3IgaG1hYy1zaGEyNTY="
#define SECRET2 "YW5vdGhlciBzZWNyZXQgb2YgdGhlIHNhbWUgbGVuZ3RoIQ=="

/* A query for example.test. AXFR with id 7 (or a response, qr). */
static void msg(hs_buf_t *m, int qr, uint16_t ancount)
{
	static const uint8_t q[] = "\007example\004test";
	m->len = 0;
	hs_buf_append_u16(m, 7);
	hs_buf_append_u16(m, qr ? 0x8400 : 0);
	hs_buf_append_u16(m, 1);
	hs_buf_append_u16(m, ancount);
	hs_buf_append_u16(m, 0);
	hs_buf_append_u16(m, 0);
	hs_buf_append(m, q, sizeof(q));
	hs_buf_append_u16(m, 252);
	hs_buf_append_u16(m, 1);
	for (uint16_t i = 0; i < ancount; i++) {
		hs_buf_append_u16(m, 0xC00C);
		hs_buf_append_u16(m, 1);
		hs_buf_append_u16(m, 1);
		hs_buf_append_u32(m, 300);
		hs_buf_append_u16(m, 4);
		hs_buf_append_u32(m, 0x0a000001u + i);
	}
}

START_TEST(test_key_make)
{
	tp_tsig_key_t k;
	hs_errmsg_t em;
	ck_assert_int_eq(tp_tsig_key_make("Xfr.Example.", "HMAC-SHA256", SECRET, &k, NULL), HS_OK);
	ck_assert_str_eq(k.name, "xfr.example.");
	ck_assert_str_eq(k.alg, "hmac-sha256.");
	ck_assert_int_eq(tp_tsig_key_make("k", "hmac-sha512.", SECRET, &k, NULL), HS_OK);
	ck_assert_str_eq(k.name, "k.");
	ck_assert_int_eq(tp_tsig_key_make("k", "hmac-md5", SECRET, &k, NULL), HS_OK);
	ck_assert_str_eq(k.alg, "hmac-md5.sig-alg.reg.int.");
	ck_assert_int_eq(tp_tsig_key_make("k", "gost", SECRET, &k, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(em.text, "unknown algorithm"));
	ck_assert_int_eq(tp_tsig_key_make("k", "hmac-sha256", "not base64!", &k, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(em.text, "not base64"));
	ck_assert_int_eq(tp_tsig_key_make("a..b", "hmac-sha256", SECRET, &k, &em), HS_E_CONFIG);
}
END_TEST

START_TEST(test_exchange)
{
	tp_tsig_key_t k, wrong;
	hs_buf_t q = HS_BUF_INIT, sq = HS_BUF_INIT, r = HS_BUF_INIT, sr[3];
	hs_errmsg_t em;
	char name[TP_TSIG_NAME_MAX];
	ck_assert_int_eq(tp_tsig_key_make("xfr", "hmac-sha256", SECRET, &k, NULL), HS_OK);
	ck_assert_int_eq(tp_tsig_key_make("xfr", "hmac-sha256", SECRET2, &wrong, NULL), HS_OK);
	tp_tsig_ctx_t *cli = tp_tsig_ctx_new(&k), *srv = tp_tsig_ctx_new(&k);
	msg(&q, 0, 0);
	ck_assert_int_eq(tp_tsig_key_name(q.data, q.len, name), HS_E_NOTFOUND);
	ck_assert_int_eq(tp_tsig_sign(cli, q.data, q.len, &sq, NULL), HS_OK);
	ck_assert_int_eq(tp_tsig_key_name(sq.data, sq.len, name), HS_OK);
	ck_assert_str_eq(name, "xfr.");
	ck_assert_int_eq(tp_tsig_verify(srv, sq.data, sq.len, &em), HS_OK);
	/* three answer messages, each signed over the previous MAC */
	for (int i = 0; i < 3; i++) {
		sr[i] = (hs_buf_t)HS_BUF_INIT;
		msg(&r, 1, (uint16_t)(i + 1));
		ck_assert_int_eq(tp_tsig_sign(srv, r.data, r.len, &sr[i], NULL), HS_OK);
	}
	/* out of order: the second first */
	tp_tsig_ctx_t *c2 = tp_tsig_ctx_new(&k);
	hs_buf_t tmp = HS_BUF_INIT;
	ck_assert_int_eq(tp_tsig_sign(c2, q.data, q.len, &tmp, NULL), HS_OK);
	ck_assert_int_eq(tp_tsig_verify(c2, sr[1].data, sr[1].len, &em), HS_E_BADSIG);
	tp_tsig_ctx_free(c2);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(tp_tsig_verify(cli, sr[i].data, sr[i].len, &em) == HS_OK,
		              "msg %d: %s", i, em.text);
	/* wrong secret, unsigned, tampered, another key name */
	tp_tsig_ctx_t *w = tp_tsig_ctx_new(&wrong);
	ck_assert_int_eq(tp_tsig_verify(w, sq.data, sq.len, &em), HS_E_BADSIG);
	ck_assert_ptr_nonnull(strstr(em.text, "does not verify"));
	tp_tsig_ctx_free(w);
	w = tp_tsig_ctx_new(&k);
	ck_assert_int_eq(tp_tsig_verify(w, q.data, q.len, &em), HS_E_NOKEY);
	ck_assert_ptr_nonnull(strstr(em.text, "not signed"));
	sq.data[sq.len / 2] ^= 1;
	ck_assert_int_eq(tp_tsig_verify(w, sq.data, sq.len, &em) == HS_OK, 0);
	tp_tsig_ctx_free(w);
	tp_tsig_key_t other;
	ck_assert_int_eq(tp_tsig_key_make("other", "hmac-sha256", SECRET, &other, NULL), HS_OK);
	w = tp_tsig_ctx_new(&other);
	msg(&q, 0, 0);
	tp_tsig_ctx_t *c3 = tp_tsig_ctx_new(&k);
	ck_assert_int_eq(tp_tsig_sign(c3, q.data, q.len, &tmp, NULL), HS_OK);
	ck_assert_int_eq(tp_tsig_verify(w, tmp.data, tmp.len, &em), HS_E_NOKEY);
	ck_assert_ptr_nonnull(strstr(em.text, "signed with key 'xfr.'"));
	tp_tsig_ctx_free(c3);
	tp_tsig_ctx_free(w);
	tp_tsig_ctx_free(cli);
	tp_tsig_ctx_free(srv);
	for (int i = 0; i < 3; i++)
		hs_buf_free(&sr[i]);
	hs_buf_free(&q);
	hs_buf_free(&sq);
	hs_buf_free(&r);
	hs_buf_free(&tmp);
}
END_TEST

static Suite *tsig_suite(void)
{
	Suite *s = suite_create("tsig");
	TCase *tc = tcase_create("core");
	hs_log_set_level(HS_LOG_ERR);
	tcase_add_test(tc, test_key_make);
	tcase_add_test(tc, test_exchange);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(tsig_suite)
