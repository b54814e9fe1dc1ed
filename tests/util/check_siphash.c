/* Tests for src/util/siphash: the reference vectors of the SipHash paper,
 * agreement with OpenSSL's SIPHASH MAC for every length up to 64, and the
 * server cookies of RFC 9018 Appendix A (which hash with it). */
#include "lib/testutil.h"

#include <arpa/inet.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util/siphash.h"

static const uint8_t key16[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

START_TEST(test_reference)
{
	uint8_t m[15], out[8];
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)i;
	ck_assert_uint_eq(hs_siphash24(key16, m, 0), 0x726fdb47dd0e0e31ull);
	ck_assert_uint_eq(hs_siphash24(key16, m, 15), 0xa129ca6149be45e5ull);
	hs_siphash24_bytes(key16, m, 15, out);
	static const uint8_t le[8] = {0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1};
	ck_assert_mem_eq(out, le, 8);
}
END_TEST

START_TEST(test_openssl)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	uint8_t m[64], a[8], b[16];
	size_t n = 0;
	ck_assert_ptr_nonnull(mac);
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)(i * 13 + 5);
	for (size_t len = 0; len <= sizeof(m); len++) {
		EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
		size_t outsz = 8;
		OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &outsz),
		                  OSSL_PARAM_construct_end()};
		ck_assert_ptr_nonnull(ctx);
		ck_assert_int_eq(EVP_MAC_init(ctx, key16, 16, p), 1);
		ck_assert_int_eq(EVP_MAC_update(ctx, m, len), 1);
		ck_assert_int_eq(EVP_MAC_final(ctx, b, &n, sizeof(b)), 1);
		ck_assert_uint_eq(n, 8);
		hs_siphash24_bytes(key16, m, len, a);
		ck_assert_mem_eq(a, b, 8);
		EVP_MAC_CTX_free(ctx);
	}
	EVP_MAC_free(mac);
}
END_TEST

/* RFC 9018 section 4.4: Hash = SipHash-2-4(client cookie | version |
 * reserved | timestamp | client IP, secret). */
START_TEST(test_rfc9018)
{
	static const struct {
		const char *secret, *client, *ip;
		uint32_t ts;
		const char *want;
	} v[] = {
	    {"e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559731985,
	     "010000005cf79f111f8130c3eee29480"},
	    {"e5e973e5a6b2a43f48e7dc849e37bfcf", "2464c4abcf10c957", "198.51.100.100", 1559734385,
	     "010000005cf7a871d4a564a1442aca77"},
	    {"e5e973e5a6b2a43f48e7dc849e37bfcf", "fc93fc62807ddb86", "203.0.113.203", 1559734700,
	     "010000005cf7a9acf73a7810aca2381e"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hs_buf_t secret = HS_BUF_INIT, cc = HS_BUF_INIT, want = HS_BUF_INIT;
		uint8_t in[8 + 8 + 4], ip[4], sc[16];
		tu_hex(&secret, v[i].secret);
		tu_hex(&cc, v[i].client);
		tu_hex(&want, v[i].want);
		ck_assert_int_eq(inet_pton(AF_INET, v[i].ip, ip), 1);
		memcpy(in, cc.data, 8);
		sc[0] = 1;
		sc[1] = sc[2] = sc[3] = 0;
		sc[4] = (uint8_t)(v[i].ts >> 24);
		sc[5] = (uint8_t)(v[i].ts >> 16);
		sc[6] = (uint8_t)(v[i].ts >> 8);
		sc[7] = (uint8_t)v[i].ts;
		memcpy(in + 8, sc, 8);
		memcpy(in + 16, ip, 4);
		hs_siphash24_bytes(secret.data, in, sizeof(in), sc + 8);
		ck_assert_mem_eq(sc, want.data, 16);
		hs_buf_free(&secret);
		hs_buf_free(&cc);
		hs_buf_free(&want);
	}
}
END_TEST

static Suite *siphash_suite(void)
{
	Suite *s = suite_create("siphash");
	TCase *tc = tcase_create("siphash");
	tcase_add_test(tc, test_reference);
	tcase_add_test(tc, test_openssl);
	tcase_add_test(tc, test_rfc9018);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(siphash_suite)
