/*
 * check_zsign.c -- the zone signer's pieces against published vectors:
 * RFC 8080 section 6.1 (Ed25519: deterministic, so the RRSIG must match
 * to the octet) and RFC 6605 section 6.1 (ECDSA P-256: the RFC's RRSIG
 * must verify over what the signer builds), DS digests from both RFCs,
 * key round trips through the store's bytes, refusal of malformed
 * DNSKEYs, canonical RDATA, NSEC3 hashing (RFC 5155 appendix A) and the
 * serial rule (SIGN-1, SIGN-4, SIGN-9).
 */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/zs_int.h"
#include "tests/zone/zn_test.h"
#include "util/env.h"
#include "util/encoding.h"
#include "wire/text.h"

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void b64(hs_buf_t *out, const char *s)
{
	uint8_t tmp[512];
	size_t n = sizeof(tmp);
	ck_assert_int_eq(hs_b64_decode(tmp, &n, s, strlen(s)), HS_OK);
	hs_buf_append(out, tmp, n);
}

static zs_key_t *load(const char *dir, const char *base, const char *zone)
{
	uint8_t apex[256];
	size_t alen;
	char p[512];
	zs_key_t *k = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(hs_name_from_text(zone, strlen(zone), apex, &alen), HS_OK);
	snprintf(p, sizeof(p), "%s/%s", dir, base);
	ck_assert_msg(zs_key_load(p, apex, alen, &k, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	return k;
}

START_TEST(test_rfc8080_ed25519)
{
	char *dir = tu_tmpdir();
	hs_buf_t want = HS_BUF_INIT, got = HS_BUF_INIT, scratch = HS_BUF_INIT, ds = HS_BUF_INIT;
	uint8_t apex[256];
	size_t alen;
	/* RFC 8080 6.1 */
	write_file(dir, "Kexample.com.+015+03613.key",
	           "example.com. 3600 IN DNSKEY 257 3 15 "
	           "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\n");
	write_file(dir, "Kexample.com.+015+03613.private",
	           "Private-key-format: v1.2\nAlgorithm: 15 (ED25519)\n"
	           "PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI=\n");
	zs_key_t *k = load(dir, "Kexample.com.+015+03613", "example.com.");
	ck_assert_uint_eq(zs_key_tag(k), 3613);
	ck_assert_uint_eq(zs_key_alg(k), 15);
	ck_assert_int_eq(hs_name_from_text("example.com.", 12, apex, &alen), HS_OK);
	/* example.com. 3600 IN MX 10 mail.example.com. */
	static const uint8_t mx[] = {0,   10,  4,   'm', 'a', 'i', 'l', 7,   'e', 'x',
	                             'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0};
	struct zs_rrset r;
	memset(&r, 0, sizeof(r));
	r.owner = apex;
	r.owner_len = alen;
	r.type = 15;
	r.ttl = 3600;
	r.one = mx;
	r.onelen = sizeof(mx);
	ck_assert_int_eq(
	    zs_rrsig_make(k, &r, apex, alen, 1438207200, 1440021600, &scratch, NULL, &got), HS_OK);
	/* RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. <sig> */
	hs_buf_append_u16(&want, 15);
	hs_buf_append_u8(&want, 15);
	hs_buf_append_u8(&want, 2);
	hs_buf_append_u32(&want, 3600);
	hs_buf_append_u32(&want, 1440021600);
	hs_buf_append_u32(&want, 1438207200);
	hs_buf_append_u16(&want, 3613);
	hs_buf_append(&want, apex, alen);
	b64(&want, "oL9krJun7xfBOIWcGHi7mag5/"
	           "hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==");
	ck_assert_uint_eq(got.len, want.len);
	ck_assert(memcmp(got.data, want.data, want.len) == 0);
	/* DS 3613 15 2 3aa5ab37... */
	size_t l;
	const uint8_t *rd = zs_key_dnskey(k, &l);
	ck_assert_int_eq(zs_ds_rdata(apex, alen, rd, l, 2, &ds), HS_OK);
	hs_buf_t dsw = HS_BUF_INIT;
	tu_hex(&dsw, "0e1d 0f 02 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b");
	ck_assert_uint_eq(ds.len, dsw.len);
	ck_assert(memcmp(ds.data, dsw.data, ds.len) == 0);
	zs_key_free(k);
	hs_buf_free(&want);
	hs_buf_free(&got);
	hs_buf_free(&scratch);
	hs_buf_free(&ds);
	hs_buf_free(&dsw);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_rfc6605_p256)
{
	char *dir = tu_tmpdir();
	hs_buf_t mine = HS_BUF_INIT, scratch = HS_BUF_INIT, data = HS_BUF_INIT, sig = HS_BUF_INIT,
	         ds = HS_BUF_INIT, dsw = HS_BUF_INIT;
	uint8_t apex[256], www[256];
	size_t alen, wlen;
	/* RFC 6605 6.1 */
	write_file(
	    dir, "Kexample.net.+013+55648.key",
	    "example.net. 3600 IN DNSKEY 257 3 13 "
	    "GojIhhXUN/"
	    "u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==\n");
	write_file(dir, "Kexample.net.+013+55648.private",
	           "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\n"
	           "PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n");
	zs_key_t *k = load(dir, "Kexample.net.+013+55648", "example.net.");
	ck_assert_uint_eq(zs_key_tag(k), 55648);
	ck_assert_int_eq(hs_name_from_text("example.net.", 12, apex, &alen), HS_OK);
	ck_assert_int_eq(hs_name_from_text("www.example.net.", 16, www, &wlen), HS_OK);
	static const uint8_t a[] = {192, 0, 2, 1};
	struct zs_rrset r;
	memset(&r, 0, sizeof(r));
	r.owner = www;
	r.owner_len = wlen;
	r.type = 1;
	r.ttl = 3600;
	r.one = a;
	r.onelen = 4;
	/* RRSIG A 13 3 3600 20100909100439 20100812100439 55648 */
	ck_assert_int_eq(
	    zs_rrsig_make(k, &r, apex, alen, 1281607479, 1284026679, &scratch, NULL, &mine), HS_OK);
	/* the RFC's signature verifies over the same signed data */
	size_t prefix = mine.len - 64;
	hs_buf_append(&data, mine.data, prefix);
	hs_buf_append(&data, www, wlen);
	hs_buf_append_u16(&data, 1);
	hs_buf_append_u16(&data, 1);
	hs_buf_append_u32(&data, 3600);
	hs_buf_append_u16(&data, 4);
	hs_buf_append(&data, a, 4);
	b64(&sig, "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+"
	          "3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==");
	ck_assert_int_eq(zs_key_verify(k, data.data, data.len, sig.data, sig.len), HS_OK);
	/* and so does ours */
	ck_assert_int_eq(zs_key_verify(k, data.data, data.len, mine.data + prefix, 64), HS_OK);
	sig.data[10] ^= 1;
	ck_assert_int_eq(zs_key_verify(k, data.data, data.len, sig.data, sig.len), HS_E_BADSIG);
	size_t l;
	const uint8_t *rd = zs_key_dnskey(k, &l);
	ck_assert_int_eq(zs_ds_rdata(apex, alen, rd, l, 2, &ds), HS_OK);
	tu_hex(&dsw, "d960 0d 02 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17");
	ck_assert_uint_eq(ds.len, dsw.len);
	ck_assert(memcmp(ds.data, dsw.data, ds.len) == 0);
	zs_key_free(k);
	hs_buf_free(&mine);
	hs_buf_free(&scratch);
	hs_buf_free(&data);
	hs_buf_free(&sig);
	hs_buf_free(&ds);
	hs_buf_free(&dsw);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_key_roundtrip_and_refusals)
{
	for (uint8_t alg = 13; alg <= 15; alg++) {
		zs_key_t *k = NULL, *back = NULL, *pub = NULL;
		hs_buf_t priv = HS_BUF_INIT, sig = HS_BUF_INIT;
		size_t l;
		ck_assert_int_eq(zs_key_generate(alg, 257, &k, NULL), HS_OK);
		const uint8_t *rd = zs_key_dnskey(k, &l);
		ck_assert_uint_eq(zs_keytag(rd, l), zs_key_tag(k));
		ck_assert_int_eq(zs_key_private(k, &priv), HS_OK);
		ck_assert_int_eq(zs_key_from_private(rd, l, priv.data, priv.len, &back, NULL),
		                 HS_OK);
		ck_assert_int_eq(zs_key_from_dnskey(rd, l, &pub, NULL), HS_OK);
		ck_assert(!zs_key_has_private(pub));
		ck_assert_int_eq(zs_key_sign(back, (const uint8_t *)"x", 1, &sig), HS_OK);
		ck_assert_int_eq(zs_key_verify(pub, (const uint8_t *)"x", 1, sig.data, sig.len),
		                 HS_OK);
		ck_assert_int_eq(zs_key_sign(pub, (const uint8_t *)"x", 1, &sig), HS_E_STATE);
		/* another key's private bytes do not match this DNSKEY */
		zs_key_t *other = NULL, *bad = NULL;
		hs_buf_t op = HS_BUF_INIT;
		ck_assert_int_eq(zs_key_generate(alg, 256, &other, NULL), HS_OK);
		ck_assert_int_eq(zs_key_private(other, &op), HS_OK);
		ck_assert_int_eq(zs_key_from_private(rd, l, op.data, op.len, &bad, NULL),
		                 HS_E_BADKEY);
		ck_assert_int_eq(zs_key_from_private(rd, l, op.data, 3, &bad, NULL), HS_E_BADKEY);
		zs_key_free(other);
		zs_key_free(k);
		zs_key_free(back);
		zs_key_free(pub);
		hs_buf_free_secret(&priv);
		hs_buf_free_secret(&op);
		hs_buf_free(&sig);
	}
	zs_key_t *x = NULL;
	uint8_t short_[] = {1, 1, 3};
	uint8_t proto2[] = {1, 1, 2, 15, 1, 2, 3, 4};
	uint8_t nozone[] = {0, 1, 3, 15, 1, 2, 3, 4};
	uint8_t rsa[] = {1, 1, 3, 8, 1, 2, 3, 4};
	uint8_t offcurve[68] = {1, 1, 3, 13};
	uint8_t edlen[20] = {1, 1, 3, 15};
	ck_assert_int_eq(zs_key_from_dnskey(short_, 3, &x, NULL), HS_E_MALFORMED);
	ck_assert_int_eq(zs_key_from_dnskey(proto2, 8, &x, NULL), HS_E_MALFORMED);
	ck_assert_int_eq(zs_key_from_dnskey(nozone, 8, &x, NULL), HS_E_MALFORMED);
	ck_assert_int_eq(zs_key_from_dnskey(rsa, 8, &x, NULL), HS_E_NOTSUP);
	memset(offcurve + 4, 0x11, 64);
	ck_assert_int_eq(zs_key_from_dnskey(offcurve, 68, &x, NULL), HS_E_BADKEY);
	ck_assert_int_eq(zs_key_from_dnskey(edlen, 20, &x, NULL), HS_E_BADKEY);
	uint8_t alg;
	ck_assert_int_eq(zs_alg_parse("ecdsap256sha256", &alg), HS_OK);
	ck_assert_uint_eq(alg, 13);
	ck_assert_int_eq(zs_alg_parse("8", &alg), HS_E_NOTSUP);
}
END_TEST

START_TEST(test_canon_hash_serial)
{
	/* RDATA names lowered for the RFC 4034 6.2 types, not for NSEC */
	static const uint8_t mx[] = {0, 10, 4, 'M', 'a', 'I', 'l', 2, 'E', 'x', 0};
	static const uint8_t nsec[] = {2, 'A', 'b', 0, 0, 1, 0x40};
	uint8_t out[32];
	ck_assert_int_eq(zs_rdata_canon(15, mx, sizeof(mx), out), 1);
	ck_assert(memcmp(out + 3, "mail", 4) == 0 && memcmp(out + 8, "ex", 2) == 0);
	ck_assert_int_eq(zs_rdata_canon(47, nsec, sizeof(nsec), out), 0);
	ck_assert_uint_eq(zs_rrsig_labels((const uint8_t *)"\1*\3www\7example\0", 15), 2);
	/* RFC 5155 appendix A: H(example) with salt aabbccdd, 12 iterations */
	uint8_t h[20], salt[4] = {0xaa, 0xbb, 0xcc, 0xdd};
	char b[33];
	ck_assert_int_eq(zs_nsec3_hash((const uint8_t *)"\7EXAMPLE\0", 9, salt, 4, 12, h), HS_OK);
	zs_b32hex(h, b);
	ck_assert_str_eq(b, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
	uint8_t back[20];
	ck_assert(zs_b32hex_decode((const uint8_t *)b, 32, back));
	ck_assert(memcmp(back, h, 20) == 0);
	ck_assert_int_eq(zs_nsec3_hash((const uint8_t *)"\1a\7example\0", 11, salt, 4, 12, h),
	                 HS_OK);
	zs_b32hex(h, b);
	ck_assert_str_eq(b, "35mthgpgcu1qg68fab165klnsnk3dpvl");
	/* SIGN-9 */
	ck_assert_uint_eq(zs_next_serial(10, 5), 10);
	ck_assert_uint_eq(zs_next_serial(5, 10), 11);
	ck_assert_uint_eq(zs_next_serial(10, 10), 11);
	ck_assert_uint_eq(zs_next_serial(1, 0xffffffffu), 1);
}
END_TEST

/* The TTL of each RRSIG at `owner` of `z` covering `covered` (all equal),
 * or 0 when there is none. */
static uint32_t sig_ttl_of(const zn_zone_t *z, const char *owner, uint16_t covered)
{
	zt_name_t o = zt_name(owner);
	zn_snap_t *s = zn_zone_snapshot(z);
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	uint32_t ttl, found = 0;
	if (zn_snap_find(s, o.w, o.n, T_RRSIG, &set, NULL) == HS_OK)
		while (zn_rrset_next_rr(&set, &off, &rd, &rl, &ttl))
			if (rl >= 2 && (uint16_t)(rd[0] << 8 | rd[1]) == covered) {
				ck_assert(found == 0 || found == ttl);
				found = ttl;
			}
	zn_snap_release(s);
	return found;
}

/* ZONE-15 in the signer's output: RRSIGs at one name carry the TTLs of
 * the RRsets they cover (A 300, TXT 900), after a full signing and after
 * an incremental one that changes one RRset's TTL. */
START_TEST(test_sign_rrsig_ttls)
{
	hs_env_fake_t env;
	zs_signer_t *sg = NULL;
	zs_key_t *k = NULL;
	zn_builder_t *b = NULL;
	zn_diff_t *sd = NULL;
	zt_name_t apex = zt_name("example.test."), nm;
	zn_zone_t *u = NULL, *sz = NULL;
	unsigned role = ZS_ROLE_KSK | ZS_ROLE_ZSK;
	const uint32_t now = 1800000000u;
	hs_env_fake_init(&env, (uint64_t)now * 1000, 7);
	ck_assert_int_eq(zs_key_generate(15, 257, &k, NULL), HS_OK);
	ck_assert_int_eq(zs_signer_new(apex.w, apex.n, NULL, &env.env, &sg), HS_OK);
	ck_assert_int_eq(zs_signer_set_keys(sg, &k, &role, 1), HS_OK);
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &u), HS_OK);
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &sz), HS_OK);
	b = zn_builder_new(apex.w, apex.n);
	zt_add_soa(b, 1);
	zt_add_a(b, "www.example.test.", 0x0a000001); /* TTL 300 */
	static const uint8_t txt[] = "\005hello";
	zn_rr_t rr = zt_rr(&nm, "www.example.test.", T_TXT, 900, txt, 6);
	ck_assert_int_eq(zn_builder_add(b, &rr, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_set(u, b, NULL), HS_OK);
	zn_snap_t *us = zn_zone_snapshot(u);
	ck_assert_int_eq(zs_sign_full(sg, us, now, 1, &b, NULL, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_set(sz, b, NULL), HS_OK);
	ck_assert_uint_eq(sig_ttl_of(sz, "www.example.test.", T_A), 300);
	ck_assert_uint_eq(sig_ttl_of(sz, "www.example.test.", T_TXT), 900);
	ck_assert_uint_ne(sig_ttl_of(sz, "www.example.test.", T_NSEC), 0);

	/* the A's TTL becomes 60: its RRSIG follows, the TXT's stays */
	zn_diff_t *ud = zt_diff(1, 2);
	zt_diff_a(ud, 0, "www.example.test.", 0x0a000001);
	uint8_t a[4] = {10, 0, 0, 1};
	rr = zt_rr(&nm, "www.example.test.", T_A, 60, a, 4);
	ck_assert_int_eq(zn_diff_add(ud, &rr), HS_OK);
	ck_assert_int_eq(zn_apply(u, ud, NULL), HS_OK);
	zn_snap_t *us2 = zn_zone_snapshot(u), *so = zn_zone_snapshot(sz);
	ck_assert_int_eq(zs_sign_diff(sg, us2, ud, so, now + 60, 2, &sd, NULL, NULL), HS_OK);
	ck_assert_int_eq(zn_apply(sz, sd, NULL), HS_OK);
	ck_assert_uint_eq(sig_ttl_of(sz, "www.example.test.", T_A), 60);
	ck_assert_uint_eq(sig_ttl_of(sz, "www.example.test.", T_TXT), 900);

	zn_diff_free(sd);
	zn_diff_free(ud);
	zn_snap_release(us);
	zn_snap_release(us2);
	zn_snap_release(so);
	zn_zone_free(u);
	zn_zone_free(sz);
	zs_signer_free(sg);
	zs_key_free(k);
}
END_TEST

static Suite *zsign_suite(void)
{
	Suite *s = suite_create("zsign");
	TCase *tc = tcase_create("zsign");
	tcase_add_test(tc, test_rfc8080_ed25519);
	tcase_add_test(tc, test_rfc6605_p256);
	tcase_add_test(tc, test_key_roundtrip_and_refusals);
	tcase_add_test(tc, test_canon_hash_serial);
	tcase_add_test(tc, test_sign_rrsig_ttls);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(zsign_suite)
