/* Tests for src/hpke/keyfile.h: the hsync-hpke-v1 key file. */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hpke/keyfile.h"

/* RFC 9180 A.1 skRm / pkRm */
#define PRIV "RhLFUCY/yK1YN13z9VeqxTHSaFCQPlWp8j8h2FNOisg="
#define PUB  "OUjP4K0d22ldeA5ZB3GV2mxWUGsCcyl5SrAryoCBXE0="

static const char good[] = "; comment line\n"
                           "\n"
                           "Format: hsync-hpke-v1\n"
                           "Name: alpha.example.\n"
                           "KEM: 32\n"
                           "KDF: 1\n"
                           "AEAD: 2\n"
                           "PrivateKey: " PRIV "\n"
                           "PublicKey: " PUB "\n";

static int parse(const char *text, hpke_keyfile_t *kf)
{
	hs_errmsg_t em;
	hpke_keyfile_t tmp;
	hs_errmsg_clear(&em);
	int rc = hpke_keyfile_parse(kf ? kf : &tmp, text, strlen(text), &em);
	if (rc == HS_OK && !kf)
		hpke_keyfile_clear(&tmp);
	return rc;
}

/* `good` with the first occurrence of `from` replaced by `to`. */
static int parse_edit(const char *from, const char *to)
{
	char buf[2048];
	const char *p = strstr(good, from);
	ck_assert_ptr_nonnull(p);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
	return parse(buf, NULL);
}

START_TEST(test_parse_good)
{
	hpke_keyfile_t kf;
	uint8_t pub[32];
	size_t n = sizeof(pub);
	hs_buf_t want = HS_BUF_INIT;
	ck_assert_int_eq(parse(good, &kf), HS_OK);
	ck_assert_str_eq(kf.name, "alpha.example.");
	ck_assert_uint_eq(kf.suite.kem, 32);
	ck_assert_uint_eq(kf.suite.kdf, 1);
	ck_assert_uint_eq(kf.suite.aead, 2);
	ck_assert_int_eq(hpke_key_public(pub, &n, kf.key), HS_OK);
	tu_hex(&want, "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");
	ck_assert_mem_eq(pub, want.data, 32);
	hs_buf_t rec = HS_BUF_INIT;
	ck_assert_int_eq(hpke_keyfile_record(&rec, &kf, "dns.alpha.example."), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&rec), "dns.alpha.example. IN HPKEKEY 32 1 2 " PUB "\n");
	hpke_keyfile_clear(&kf);
	hs_buf_free(&rec);
	hs_buf_free(&want);
	/* Name is optional; the last line may lack its newline */
	ck_assert_int_eq(parse_edit("Name: alpha.example.\n", ""), HS_OK);
	ck_assert_int_eq(parse_edit(PUB "\n", PUB), HS_OK);
}
END_TEST

/* requirements: ENV-15 */
START_TEST(test_parse_bad)
{
	static const struct {
		const char *from, *to;
		int rc;
	} cases[] = {
	    {"Format: hsync-hpke-v1\n", "", HS_E_SYNTAX}, /* missing */
	    {"Format: hsync-hpke-v1", "Format: hsync-hpke-v2", HS_E_SYNTAX},
	    {"KEM: 32\n", "", HS_E_SYNTAX},
	    {"PublicKey: " PUB "\n", "", HS_E_SYNTAX},
	    {"KEM: 32", "KEM: 032", HS_E_SYNTAX},
	    {"KEM: 32", "KEM: +32", HS_E_SYNTAX},
	    {"KEM: 32", "KEM: 65536", HS_E_SYNTAX},
	    {"KEM: 32", "KEM: 32 ", HS_E_SYNTAX},
	    {"KEM: 32", "KEM:32", HS_E_SYNTAX},
	    {"KEM: 32", "KEM:  32", HS_E_SYNTAX},
	    {"KEM: 32", "kem: 32", HS_E_SYNTAX},
	    {"KEM: 32", "KEM: 33", HS_E_NOTSUP},
	    {"AEAD: 2", "AEAD: 4", HS_E_NOTSUP},
	    {"KDF: 1\n", "KDF: 1\nKDF: 1\n", HS_E_SYNTAX},     /* duplicate */
	    {"KDF: 1\n", "KDF: 1\nComment: x\n", HS_E_SYNTAX}, /* unknown */
	    {"KDF: 1\n", "KDF: 1\r\n", HS_E_SYNTAX},
	    {"; comment line\n", " ; indented\n", HS_E_SYNTAX},
	    {"; comment line\n\nFormat: hsync-hpke-v1\n", "KEM: 32\nFormat: hsync-hpke-v1\n",
	     HS_E_SYNTAX}, /* Format not first */
	    {"Name: alpha.example.", "Name: alpha example", HS_E_SYNTAX},
	    {PRIV, "RhLFUCY/yK1YN13z9VeqxTHSaFCQPlWp8j8h2FNOis", HS_E_SYNTAX}, /* bad base64 */
	    {PRIV, "RhLFUCY/ yK1YN13z9VeqxTHSaFCQPlWp8j8h2FNOisg=", HS_E_SYNTAX},
	    {PRIV, "RhLFUCY/yK1YN13z9VeqxTHSaFCQPlWp8j8h2FNO", HS_E_BADKEY},     /* 30 octets */
	    {PRIV, "RhLFUCY/yK1YN13z9VeqxTHSaFCQPlWp8j8h2FNOisk=", HS_E_BADKEY}, /* other key */
	    {PUB, "OUjP4K0d22ldeA5ZB3GV2mxWUGsCcyl5SrAryoCBXE4=", HS_E_BADKEY},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(parse_edit(cases[i].from, cases[i].to) == cases[i].rc,
		              "case %zu: '%s' -> '%s' gave %s", i, cases[i].from, cases[i].to,
		              hs_errname(parse_edit(cases[i].from, cases[i].to)));
	/* an over-long line */
	char buf[4096];
	snprintf(buf, sizeof(buf), "; %01500d\n%s", 0, good);
	ck_assert_int_eq(parse(buf, NULL), HS_E_LIMIT);
	ck_assert_int_eq(parse("", NULL), HS_E_SYNTAX);
	/* P-256 private key zero */
	ck_assert_int_eq(parse("Format: hsync-hpke-v1\nKEM: 16\nKDF: 1\nAEAD: 2\n"
	                       "PrivateKey: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	                       "PublicKey: AA==\n",
	                       NULL),
	                 HS_E_BADKEY);
}
END_TEST

/* requirements: ENV-15 */
START_TEST(test_write_read)
{
	static const uint16_t kems[][3] = {{32, 1, 2}, {16, 1, 1}, {18, 3, 3}};
	char *dir = tu_tmpdir();
	char path[512];
	hs_env_fake_t f;
	hs_env_fake_init(&f, 0, 5);
	for (size_t i = 0; i < 3; i++) {
		hpke_keyfile_t kf, back;
		hs_errmsg_t em;
		struct stat st;
		memset(&kf, 0, sizeof(kf));
		kf.suite = (hpke_suite_t){kems[i][0], kems[i][1], kems[i][2]};
		strcpy(kf.name, "beta.example.");
		ck_assert_int_eq(hpke_key_generate(&kf.key, kf.suite.kem, &f.env), HS_OK);
		snprintf(path, sizeof(path), "%s/k%zu.hpke", dir, i);
		ck_assert_int_eq(hpke_keyfile_write(path, &kf), HS_OK);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 0777, 0600);
		ck_assert_int_eq(hpke_keyfile_read(&back, path, &em), HS_OK);
		ck_assert_str_eq(back.name, "beta.example.");
		ck_assert_mem_eq(&back.suite, &kf.suite, sizeof(kf.suite));
		uint8_t a[HPKE_MAX_PRIVATE_KEY], b[HPKE_MAX_PRIVATE_KEY];
		size_t na = sizeof(a), nb = sizeof(b);
		ck_assert_int_eq(hpke_key_private(a, &na, kf.key), HS_OK);
		ck_assert_int_eq(hpke_key_private(b, &nb, back.key), HS_OK);
		ck_assert_uint_eq(na, nb);
		ck_assert_mem_eq(a, b, na);
		hpke_keyfile_clear(&kf);
		hpke_keyfile_clear(&back);
	}
	hpke_keyfile_t none;
	hs_errmsg_t em;
	snprintf(path, sizeof(path), "%s/missing.hpke", dir);
	ck_assert_int_eq(hpke_keyfile_read(&none, path, &em), HS_E_IO);
	/* a public-only key cannot be written */
	hpke_keyfile_t pubonly;
	memset(&pubonly, 0, sizeof(pubonly));
	pubonly.suite = (hpke_suite_t){32, 1, 2};
	uint8_t pk[32] = {9};
	ck_assert_int_eq(hpke_key_from_public(&pubonly.key, 32, pk, 32), HS_OK);
	hs_buf_t out = HS_BUF_INIT;
	ck_assert_int_eq(hpke_keyfile_format(&out, &pubonly), HS_E_INVAL);
	hpke_keyfile_clear(&pubonly);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *keyfile_suite(void)
{
	Suite *s = suite_create("hpke_keyfile");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_write_read);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(keyfile_suite)
