/* Tests for src/transport/cookie: the option codec, RFC 9018 server
 * cookies (Appendix A vectors), their lifetime and the secret rollover
 * (requirements: COOKIE-1, COOKIE-2). */
#include "lib/testutil.h"

#include <arpa/inet.h>
#include <string.h>

#include "transport/cookie.h"

static void cookie_of(tp_cookie_t *c, const char *client_hex, const char *server_hex)
{
	hs_buf_t a = HS_BUF_INIT, b = HS_BUF_INIT;
	memset(c, 0, sizeof(*c));
	tu_hex(&a, client_hex);
	ck_assert_uint_eq(a.len, 8);
	memcpy(c->client, a.data, 8);
	if (server_hex != NULL) {
		tu_hex(&b, server_hex);
		memcpy(c->server, b.data, b.len);
		c->server_len = b.len;
	}
	hs_buf_free(&a);
	hs_buf_free(&b);
}

START_TEST(test_parse)
{
	uint8_t d[48];
	tp_cookie_t c;
	memset(d, 7, sizeof(d));
	for (size_t n = 0; n <= sizeof(d); n++) {
		int want = n == 8 || (n >= 16 && n <= 40) ? HS_OK : HS_E_MALFORMED;
		ck_assert_int_eq(tp_cookie_parse(d, n, &c), want);
		if (want == HS_OK)
			ck_assert_uint_eq(c.server_len, n - 8);
	}
	/* put then find */
	hs_buf_t opt = HS_BUF_INIT;
	cookie_of(&c, "2464c4abcf10c957", "010000005cf79f111f8130c3eee29480");
	hs_buf_append(&opt, "\xff\xfe\x00\x01\x00", 5); /* another option first */
	tp_cookie_put(&c, &opt);
	tp_cookie_t back;
	ck_assert_int_eq(tp_cookie_find(opt.data, opt.len, &back), HS_OK);
	ck_assert_mem_eq(back.client, c.client, 8);
	ck_assert_uint_eq(back.server_len, 16);
	ck_assert_mem_eq(back.server, c.server, 16);
	/* two COOKIE options, a torn option, none */
	tp_cookie_put(&c, &opt);
	ck_assert_int_eq(tp_cookie_find(opt.data, opt.len, &back), HS_E_MALFORMED);
	ck_assert_int_eq(tp_cookie_find(opt.data, 3, &back), HS_E_MALFORMED);
	ck_assert_int_eq(tp_cookie_find(opt.data, 5, &back), HS_E_NOTFOUND);
	hs_buf_free(&opt);
}
END_TEST

START_TEST(test_rfc9018_vectors)
{
	hs_env_fake_t f;
	hs_buf_t secret = HS_BUF_INIT;
	uint8_t ip[4], ip3[4];
	tp_cookie_t c;
	hs_env_fake_init(&f, 1559731985000ull, 1);
	tp_cookie_srv_t *s = tp_cookie_srv_new(&f.env, 0);
	tu_hex(&secret, "e5e973e5a6b2a43f48e7dc849e37bfcf");
	tp_cookie_srv_set_secret(s, secret.data);
	ck_assert_int_eq(inet_pton(AF_INET, "198.51.100.100", ip), 1);
	ck_assert_int_eq(inet_pton(AF_INET, "203.0.113.203", ip3), 1);

	/* A.1: a client cookie only: first contact; the cookie we issue */
	cookie_of(&c, "2464c4abcf10c957", NULL);
	ck_assert_int_eq(tp_cookie_check(s, &c, ip, 4, 1559731985), TP_COOKIE_CLIENT_ONLY);
	tp_cookie_issue(s, &c, ip, 4, 1559731985);
	tp_cookie_t want;
	cookie_of(&want, "2464c4abcf10c957", "010000005cf79f111f8130c3eee29480");
	ck_assert_uint_eq(c.server_len, 16);
	ck_assert_mem_eq(c.server, want.server, 16);
	/* A.2: 40 minutes later it still verifies; the renewed one */
	ck_assert_int_eq(tp_cookie_check(s, &c, ip, 4, 1559734385), TP_COOKIE_VALID);
	tp_cookie_issue(s, &c, ip, 4, 1559734385);
	cookie_of(&want, "2464c4abcf10c957", "010000005cf7a871d4a564a1442aca77");
	ck_assert_mem_eq(c.server, want.server, 16);
	/* A.3: another client */
	cookie_of(&c, "fc93fc62807ddb86", NULL);
	tp_cookie_issue(s, &c, ip3, 4, 1559734700);
	cookie_of(&want, "fc93fc62807ddb86", "010000005cf7a9acf73a7810aca2381e");
	ck_assert_mem_eq(c.server, want.server, 16);

	/* another address, another client cookie, a flipped bit: bad */
	ck_assert_int_eq(tp_cookie_check(s, &c, ip, 4, 1559734700), TP_COOKIE_BAD);
	tp_cookie_t x = c;
	x.client[0] ^= 1;
	ck_assert_int_eq(tp_cookie_check(s, &x, ip3, 4, 1559734700), TP_COOKIE_BAD);
	x = c;
	x.server[15] ^= 1;
	ck_assert_int_eq(tp_cookie_check(s, &x, ip3, 4, 1559734700), TP_COOKIE_BAD);
	x = c;
	x.server[0] = 2; /* version */
	ck_assert_int_eq(tp_cookie_check(s, &x, ip3, 4, 1559734700), TP_COOKIE_BAD);
	x = c;
	x.server_len = 8; /* not our format */
	ck_assert_int_eq(tp_cookie_check(s, &x, ip3, 4, 1559734700), TP_COOKIE_BAD);
	ck_assert_int_eq(tp_cookie_check(s, NULL, ip3, 4, 1559734700), TP_COOKIE_NONE);

	/* lifetime: one hour back, five minutes ahead */
	ck_assert_int_eq(tp_cookie_check(s, &c, ip3, 4, 1559734700 + 3600), TP_COOKIE_VALID);
	ck_assert_int_eq(tp_cookie_check(s, &c, ip3, 4, 1559734700 + 3601), TP_COOKIE_BAD);
	ck_assert_int_eq(tp_cookie_check(s, &c, ip3, 4, 1559734700 - 300), TP_COOKIE_VALID);
	ck_assert_int_eq(tp_cookie_check(s, &c, ip3, 4, 1559734700 - 301), TP_COOKIE_BAD);
	tp_cookie_srv_free(s);
	hs_buf_free(&secret);
}
END_TEST

START_TEST(test_rollover_and_v6)
{
	hs_env_fake_t f;
	uint8_t ip[16];
	size_t iplen = 0;
	tp_cookie_t c;
	hs_env_fake_init(&f, 1700000000000ull, 3);
	tp_cookie_srv_t *s = tp_cookie_srv_new(&f.env, 600);
	ck_assert_int_eq(tp_cookie_addr("[2001:db8::7]:53", ip, &iplen), HS_OK);
	ck_assert_uint_eq(iplen, 16);
	cookie_of(&c, "0102030405060708", NULL);
	tp_cookie_issue(s, &c, ip, iplen, 1700000000);
	/* one rotation later the old secret still verifies, two later not */
	hs_env_fake_advance(&f, 601 * 1000);
	ck_assert_int_eq(tp_cookie_check(s, &c, ip, iplen, 1700000601), TP_COOKIE_VALID);
	hs_env_fake_advance(&f, 601 * 1000);
	ck_assert_int_eq(tp_cookie_check(s, &c, ip, iplen, 1700001202), TP_COOKIE_BAD);
	tp_cookie_srv_free(s);
	tp_cookie_srv_free(NULL);

	ck_assert_int_eq(tp_cookie_addr("127.0.0.1:5300", ip, &iplen), HS_OK);
	ck_assert_uint_eq(iplen, 4);
	ck_assert_int_eq(tp_cookie_addr("::1", ip, &iplen), HS_OK);
	ck_assert_uint_eq(iplen, 16);
	ck_assert_int_eq(tp_cookie_addr("example.com", ip, &iplen), HS_E_INVAL);
	ck_assert_str_eq(tp_cookie_verdict_name(TP_COOKIE_VALID), "valid");
}
END_TEST

static Suite *cookie_suite(void)
{
	Suite *s = suite_create("cookie");
	TCase *tc = tcase_create("cookie");
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_rfc9018_vectors);
	tcase_add_test(tc, test_rollover_and_v6);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(cookie_suite)
