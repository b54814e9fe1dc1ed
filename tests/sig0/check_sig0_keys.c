/* Tests for src/sig0/sig0.h: keys (text, BIND files, generation) and the
 * per-source verification budget. */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sig0/sig0.h"
#include "util/file.h"

/* Files made by BIND 9.18: dnssec-keygen -T KEY -a ED25519 -n HOST child.example. */
static const char bind_ed_key[] =
    "child.example. IN KEY 512 3 15 hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k=\n";
static const char bind_ed_private[] = "Private-key-format: v1.3\n"
                                      "Algorithm: 15 (ED25519)\n"
                                      "PrivateKey: h5Z6kXB60DW3mDmvmypPecuyBPoJXkOG835hjKKUezw=\n"
                                      "Created: 20261123060415\n"
                                      "Publish: 20261123060415\n"
                                      "Activate: 20261123060415\n";
/* ... and -a ECDSAP256SHA256 (BIND splits the base64 with a space). */
static const char bind_ec_key[] =
    "child.example. IN KEY 512 3 13 Z93LvjrIm7QykKU6rYMfWo45iHZ6PUkM6sxBZJ8POie65M3FZNC8DGcT "
    "4cbgICXonvPh/4PlGqyjGC/Z7h9QIw==\n";
static const char bind_ec_private[] = "Private-key-format: v1.3\n"
                                      "Algorithm: 13 (ECDSAP256SHA256)\n"
                                      "PrivateKey: WoXV9IbWrU5LHEqGMos+8W7I1PSkwBdytgGlfyB9wrQ=\n"
                                      "Created: 20261123060415\n"
                                      "Publish: 20261123060415\n"
                                      "Activate: 20261123060415\n";

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(hs_write_file_atomic(path, text, strlen(text), 0600), HS_OK);
}

/* requirements: SIG-5 */
START_TEST(test_bind_files)
{
	char *dir = tu_tmpdir(), path[512];
	sig0_key_t *k = NULL, *pub = NULL;
	hs_buf_t m = HS_BUF_INIT;
	sig0_verdict_t v;

	put(dir, "Kchild.example.+015+40748.key", bind_ed_key);
	put(dir, "Kchild.example.+015+40748.private", bind_ed_private);
	put(dir, "Kchild.example.+013+48213.key", bind_ec_key);
	put(dir, "Kchild.example.+013+48213.private", bind_ec_private);

	static const struct {
		const char *base;
		uint16_t tag;
		uint8_t alg;
	} rows[] = {{"Kchild.example.+015+40748", 40748, 15},
	            {"Kchild.example.+013+48213", 48213, 13}};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.private", dir, rows[i].base);
		ck_assert_int_eq(sig0_key_load_private(path, &k, NULL), HS_OK);
		ck_assert_uint_eq(sig0_key_tag(k), rows[i].tag);
		ck_assert_uint_eq(sig0_key_alg(k), rows[i].alg);
		ck_assert_uint_eq(sig0_key_flags(k), 512);
		ck_assert_int_eq(sig0_key_has_private(k), 1);
		ck_assert_str_eq(sig0_key_owner_text(k), "child.example.");
		/* the base name and the .key name work too */
		snprintf(path, sizeof(path), "%s/%s", dir, rows[i].base);
		ck_assert_int_eq(sig0_key_load_public(path, &pub, NULL), HS_OK);
		ck_assert_int_eq(sig0_key_has_private(pub), 0);
		hs_buf_append(&m, "\x00\x07\x28\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
		hs_buf_append(&m,
		              "\x05"
		              "child\x07"
		              "example\x00\x00\x06\x00\x01",
		              19);
		ck_assert_int_eq(sig0_sign(k, &m, 1800000000u, NULL, NULL), HS_OK);
		const sig0_key_t *ks[1] = {pub};
		ck_assert_int_eq(sig0_verify(m.data, m.len, ks, 1, 1800000000u, NULL, &v), HS_OK);
		hs_buf_reset(&m);
		sig0_key_free(k);
		sig0_key_free(pub);
	}
	/* a private key that does not belong to the .key file */
	put(dir, "Kx.+015+40748.key", bind_ed_key);
	put(dir, "Kx.+015+40748.private",
	    "Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\n"
	    "PrivateKey: WoXV9IbWrU5LHEqGMos+8W7I1PSkwBdytgGlfyB9wrQ=\n");
	snprintf(path, sizeof(path), "%s/Kx.+015+40748.private", dir);
	ck_assert_int_eq(sig0_key_load_private(path, &k, NULL), HS_E_BADKEY);
	put(dir, "Ky.+013+48213.key", bind_ec_key);
	put(dir, "Ky.+013+48213.private",
	    "Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\n"
	    "PrivateKey: h5Z6kXB60DW3mDmvmypPecuyBPoJXkOG835hjKKUezw=\n");
	snprintf(path, sizeof(path), "%s/Ky.+013+48213", dir);
	ck_assert_int_eq(sig0_key_load_private(path, &k, NULL), HS_E_BADKEY);
	/* algorithm line disagrees */
	put(dir, "Kz.+015+40748.key", bind_ed_key);
	put(dir, "Kz.+015+40748.private",
	    "Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\n"
	    "PrivateKey: h5Z6kXB60DW3mDmvmypPecuyBPoJXkOG835hjKKUezw=\n");
	snprintf(path, sizeof(path), "%s/Kz.+015+40748.key", dir);
	ck_assert_int_eq(sig0_key_load_private(path, &k, NULL), HS_E_BADKEY);
	/* not a private key file */
	put(dir, "Kw.+015+40748.key", bind_ed_key);
	put(dir, "Kw.+015+40748.private", "hello\n");
	snprintf(path, sizeof(path), "%s/Kw.+015+40748", dir);
	ck_assert_int_eq(sig0_key_load_private(path, &k, NULL), HS_E_SYNTAX);
	/* missing files */
	snprintf(path, sizeof(path), "%s/Knone.+015+00001", dir);
	ck_assert_int_eq(sig0_key_load_public(path, &k, NULL), HS_E_IO);
	hs_buf_free(&m);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* requirements: SIG-5 */
START_TEST(test_write_read_every_alg)
{
	static const uint8_t algs[] = {15, 13, 14, 8, 10};
	char *dir = tu_tmpdir(), path[512];
	for (size_t i = 0; i < sizeof(algs); i++) {
		sig0_key_t *k = NULL, *back = NULL;
		char *base = NULL;
		size_t a, b;
		unsigned bits = algs[i] == 8 || algs[i] == 10 ? 1024 : 0;
		ck_assert_int_eq(sig0_key_generate(algs[i], bits, "dns.alpha.example", &k, NULL),
		                 HS_OK);
		ck_assert_int_eq(sig0_key_write_files(k, dir, 1795412772u, &base, NULL), HS_OK);
		char want[64];
		snprintf(want, sizeof(want), "Kdns.alpha.example.+%03u+%05u", algs[i],
		         sig0_key_tag(k));
		ck_assert_str_eq(base, want);
		snprintf(path, sizeof(path), "%s/%s.private", dir, base);
		struct stat st;
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0600);
		hs_buf_t text = HS_BUF_INIT;
		ck_assert_int_eq(hs_read_file(path, &text, 65536), HS_OK);
		ck_assert_ptr_nonnull(
		    strstr(hs_buf_cstr(&text), "Private-key-format: v1.3\nAlgorithm: "));
		ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&text), "Created: 20261123054612\n"));
		hs_buf_free_secret(&text);
		ck_assert_int_eq(sig0_key_load_private(path, &back, NULL), HS_OK);
		const uint8_t *ra = sig0_key_rdata(k, &a), *rb = sig0_key_rdata(back, &b);
		ck_assert_uint_eq(a, b);
		ck_assert_mem_eq(ra, rb, a);
		ck_assert_uint_eq(sig0_key_tag(back), sig0_key_tag(k));
		free(base);
		sig0_key_free(k);
		sig0_key_free(back);
	}
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* requirements: SIG-1 SIG-3 */
START_TEST(test_rr_text)
{
	sig0_key_t *k = NULL;
	hs_buf_t out = HS_BUF_INIT;
	char d[128];
	/* with TTL and class, split base64, a comment */
	ck_assert_int_eq(sig0_key_from_rr_text("Child.Example. 3600 IN KEY 512 3 15 "
	                                       "hPzDjGVRlwoIFYqWJbP5BNKvr29h WG6D+jimZd1A0/k= ; c",
	                                       &k, NULL),
	                 HS_OK);
	ck_assert_uint_eq(sig0_key_tag(k), 40748);
	sig0_key_rr_text(k, &out);
	ck_assert_str_eq(hs_buf_cstr(&out), "child.example. IN KEY 512 3 15 "
	                                    "hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k=");
	ck_assert_str_eq(sig0_key_describe(k, d, sizeof(d)), "child.example./ED25519/40748");
	sig0_key_free(k);
	/* multi-line with parentheses, mnemonic algorithm, class before TTL */
	ck_assert_int_eq(
	    sig0_key_from_rr_text("child.example. IN 300 KEY 512 3 ECDSAP256SHA256 (\n"
	                          " Z93LvjrIm7QykKU6rYMfWo45iHZ6PUkM6sxBZJ8POie65M3FZNC8DGcT\n"
	                          " 4cbgICXonvPh/4PlGqyjGC/Z7h9QIw== )",
	                          &k, NULL),
	    HS_OK);
	ck_assert_uint_eq(sig0_key_tag(k), 48213);
	sig0_key_free(k);
	/* escapes in the owner */
	ck_assert_int_eq(sig0_key_from_rr_text("a\\.b.c\\065. KEY 512 3 15 "
	                                       "hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k=",
	                                       &k, NULL),
	                 HS_OK);
	ck_assert_str_eq(sig0_key_owner_text(k), "a\\.b.ca.");
	sig0_key_free(k);

	hs_errmsg_t em;
	static const struct {
		const char *text;
		int err;
	} bad[] = {
	    {"child.example. IN DNSKEY 256 3 15 hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k=",
	     HS_E_SYNTAX},
	    {"child.example. IN KEY 512 3 15 hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k",
	     HS_E_SYNTAX},
	    {"child.example. IN KEY 512 3 15 hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/kA=",
	     HS_E_SYNTAX},
	    {"child.example. IN KEY 512 3 15 AAAA", HS_E_BADKEY},
	    {"child.example. IN KEY 512 2 15 hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k=",
	     HS_E_BADKEY},
	    {"child.example. IN KEY 49664 3 15 hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k=",
	     HS_E_BADKEY},
	    {"child.example. IN KEY 512 3 5 AwEAAQ==", HS_E_NOTSUP},
	    {"child..example. IN KEY 512 3 15 hPzDjGVRlwoIFYqWJbP5BNKvr29hWG6D+jimZd1A0/k=",
	     HS_E_NAME},
	    {"child.example. IN KEY 512 3 13 "
	     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	     "A==",
	     HS_E_BADKEY},
	    {"child.example. IN KEY 512 3 8 AwEAAQ==", HS_E_BADKEY},
	    {"child.example. IN KEY", HS_E_SYNTAX},
	    {"", HS_E_SYNTAX},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hs_errmsg_clear(&em);
		int rc = sig0_key_from_rr_text(bad[i].text, &k, &em);
		if (rc != bad[i].err)
			ck_abort_msg("'%s': got %s (%s), want %s", bad[i].text, hs_errname(rc),
			             hs_errmsg_str(&em), hs_errname(bad[i].err));
	}
	hs_buf_free(&out);
}
END_TEST

/* requirements: SIG-2 SIG-4 */
START_TEST(test_key_tag_and_algs)
{
	uint8_t a;
	/* RFC 4034 App. B over the KEY RDATA of the shared vector */
	sig0_key_t *k = NULL;
	ck_assert_int_eq(sig0_key_from_rr_text("child.example. IN KEY 512 3 15 "
	                                       "Qfk6n1KosI9J8avKVAVVjnIXghfL2UajCvjyba9g5Fw=",
	                                       &k, NULL),
	                 HS_OK);
	ck_assert_uint_eq(sig0_key_tag(k), 48126);
	sig0_key_free(k);
	ck_assert_int_eq(sig0_alg_parse("ed25519", &a), HS_OK);
	ck_assert_uint_eq(a, 15);
	ck_assert_int_eq(sig0_alg_parse("8", &a), HS_OK);
	ck_assert_uint_eq(a, 8);
	ck_assert_int_eq(sig0_alg_parse("RSASHA1", &a), HS_E_NOTSUP);
	ck_assert_int_eq(sig0_alg_parse("5", &a), HS_E_NOTSUP);
	ck_assert_int_eq(sig0_alg_parse("300", &a), HS_E_SYNTAX);
	ck_assert_str_eq(sig0_alg_name(14), "ECDSAP384SHA384");
	ck_assert_ptr_null(sig0_alg_name(1));
	ck_assert_int_eq(sig0_alg_can_sign(10), 1);
	ck_assert_int_eq(sig0_key_generate(15, 2048, "a.", &k, NULL), HS_E_RANGE);
	ck_assert_int_eq(sig0_key_generate(8, 512, "a.", &k, NULL), HS_E_RANGE);
	ck_assert_int_eq(sig0_key_generate(3, 0, "a.", &k, NULL), HS_E_NOTSUP);
	ck_assert_int_eq(sig0_key_generate(15, 0, "a..b", &k, NULL), HS_E_NAME);
}
END_TEST

/* requirements: SIG-21 SIG-22 */
START_TEST(test_budget_buckets)
{
	hs_env_fake_t env;
	sig0_budget_cfg_t cfg = {10, 5, 8};
	hs_env_fake_init(&env, 0, 1);
	sig0_budget_t *bg = sig0_budget_new(&env.env, &cfg);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(sig0_budget_take(bg, "a", 1), HS_OK);
	ck_assert_int_eq(sig0_budget_check(bg, "a"), HS_E_RATELIMIT);
	ck_assert_int_eq(sig0_budget_take(bg, "a", 1), HS_E_RATELIMIT);
	hs_env_fake_advance(&env, 100); /* 10/s: one token per 100 ms */
	ck_assert_int_eq(sig0_budget_check(bg, "a"), HS_OK);
	ck_assert_int_eq(sig0_budget_take(bg, "a", 2), HS_E_RATELIMIT);
	ck_assert_int_eq(sig0_budget_take(bg, "a", 1), HS_OK);
	hs_env_fake_advance(&env, 60000); /* refill stops at the burst */
	ck_assert_int_eq(sig0_budget_take(bg, "a", 6), HS_E_RATELIMIT);
	ck_assert_int_eq(sig0_budget_take(bg, "a", 5), HS_OK);
	/* many sources: the table stays bounded and keeps working */
	char src[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(src, sizeof(src), "10.%d.%d.0/24", i / 256, i % 256);
		ck_assert_int_eq(sig0_budget_take(bg, src, 1), HS_OK);
	}
	sig0_budget_free(bg);
	sig0_budget_free(NULL);
}
END_TEST

/* requirements: SIG-21 */
START_TEST(test_budget_source)
{
	char out[64];
	ck_assert_int_eq(sig0_budget_source("192.0.2.77", 24, 56, out, sizeof(out)), HS_OK);
	ck_assert_str_eq(out, "192.0.2.0/24");
	ck_assert_int_eq(sig0_budget_source("2001:db8:1:2:3::1", 24, 48, out, sizeof(out)), HS_OK);
	ck_assert_str_eq(out, "2001:db8:1::/48");
	ck_assert_int_eq(sig0_budget_source("198.51.100.9", 32, 128, out, sizeof(out)), HS_OK);
	ck_assert_str_eq(out, "198.51.100.9/32");
	ck_assert_int_eq(sig0_budget_source("198.51.100.9", 20, 128, out, sizeof(out)), HS_OK);
	ck_assert_str_eq(out, "198.51.96.0/20");
	ck_assert_int_eq(sig0_budget_source("not-an-address", 24, 48, out, sizeof(out)),
	                 HS_E_INVAL);
	ck_assert_int_eq(sig0_budget_source("192.0.2.1", 24, 48, out, 5), HS_E_SPACE);
}
END_TEST

static Suite *sig0_keys_suite(void)
{
	Suite *s = suite_create("sig0_keys");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bind_files);
	tcase_add_test(tc, test_write_read_every_alg);
	tcase_add_test(tc, test_rr_text);
	tcase_add_test(tc, test_key_tag_and_algs);
	tcase_add_test(tc, test_budget_buckets);
	tcase_add_test(tc, test_budget_source);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(sig0_keys_suite)
