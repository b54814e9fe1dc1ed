/* Tests for src/util: errors, encodings, buffers, the fake env. */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/encoding.h"
#include "util/file.h"
#include "util/log.h"
#include "util/roff.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

START_TEST(test_strerror)
{
	ck_assert_str_eq(hs_strerror(HS_OK), "success");
	ck_assert_str_eq(hs_strerror(HS_E_TRUNC), "truncated input");
	ck_assert_str_eq(hs_errname(HS_E_COMPRESSED), "HS_E_COMPRESSED");
	ck_assert_str_eq(hs_strerror(12345), "unknown error");
	ck_assert_int_lt(HS_E_INVAL, 0);
}
END_TEST

START_TEST(test_errmsg)
{
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(hs_fail(&em, HS_E_TRUNC, "field '%s': short", "label"), HS_E_TRUNC);
	ck_assert_str_eq(hs_errmsg_str(&em), "field 'label': short");
	ck_assert_int_eq(hs_fail(NULL, HS_E_NAME, "x"), HS_E_NAME);
}
END_TEST

START_TEST(test_hex)
{
	uint8_t out[8];
	size_t n = sizeof(out);
	ck_assert_int_eq(hs_hex_decode(out, &n, "00 ff\n1A", 8), HS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(out[2], 0x1a);
	char s[7];
	hs_hex_encode(s, out, 3);
	ck_assert_str_eq(s, "00ff1a");
	n = sizeof(out);
	ck_assert_int_eq(hs_hex_decode(out, &n, "abc", 3), HS_E_SYNTAX);
	n = sizeof(out);
	ck_assert_int_eq(hs_hex_decode(out, &n, "zz", 2), HS_E_SYNTAX);
	n = 1;
	ck_assert_int_eq(hs_hex_decode(out, &n, "0102", 4), HS_E_SPACE);
}
END_TEST

START_TEST(test_base64)
{
	static const struct {
		const char *plain, *b64;
	} v[] = {{"", ""},
	         {"f", "Zg=="},
	         {"fo", "Zm8="},
	         {"foo", "Zm9v"},
	         {"foob", "Zm9vYg=="},
	         {"fooba", "Zm9vYmE="},
	         {"foobar", "Zm9vYmFy"},
	         {"hello world", "aGVsbG8gd29ybGQ="}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char enc[64];
		hs_b64_encode(enc, (const uint8_t *)v[i].plain, strlen(v[i].plain));
		ck_assert_str_eq(enc, v[i].b64);
		uint8_t dec[64];
		size_t n = sizeof(dec);
		ck_assert_int_eq(hs_b64_decode(dec, &n, v[i].b64, strlen(v[i].b64)), HS_OK);
		ck_assert_uint_eq(n, strlen(v[i].plain));
		ck_assert(memcmp(dec, v[i].plain, n) == 0);
	}
	uint8_t dec[16];
	size_t n = sizeof(dec);
	ck_assert_int_eq(hs_b64_decode(dec, &n, "Zm9 v", 5), HS_OK);
	static const char *bad[] = {"Zg", "Z===", "Zm9v!", "Zg==Zg==", "Zh=="};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = sizeof(dec);
		ck_assert_msg(hs_b64_decode(dec, &n, bad[i], strlen(bad[i])) != HS_OK,
		              "accepted %s", bad[i]);
	}
}
END_TEST

START_TEST(test_fake_env)
{
	hs_env_fake_t f;
	hs_env_fake_init(&f, 1795412772000ull, 42);
	ck_assert_uint_eq(hs_now_s(&f.env), 1795412772u);
	hs_env_fake_advance(&f, 1500);
	ck_assert_uint_eq(hs_now_ms(&f.env), 1795412773500ull);
	uint8_t a[8], b[8];
	ck_assert_int_eq(f.env.random(f.env.arg, a, 8), HS_OK);
	ck_assert_int_eq(f.env.random(f.env.arg, b, 8), HS_OK);
	ck_assert(memcmp(a, b, 8) != 0);
}
END_TEST

/* log-file: lines appended, the file made 0640, reopened under its name
 * after a rotation; a path that cannot be opened leaves the sink alone. */
START_TEST(test_log_file)
{
	char *dir = tu_tmpdir(), path[512], rot[512];
	hs_buf_t b = HS_BUF_INIT;
	hs_errmsg_t em;
	struct stat st;

	snprintf(path, sizeof(path), "%s/x.log", dir);
	snprintf(rot, sizeof(rot), "%s/x.log.1", dir);
	hs_log_set_ident("t");
	ck_assert_str_eq(hs_log_sink(), "stderr");
	ck_assert_int_eq(hs_log_use_file(path, &em), HS_OK);
	ck_assert_str_eq(hs_log_sink(), path);
	log_notice("sub", "first %d", 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	ck_assert_int_eq(rename(path, rot), 0);
	ck_assert_int_eq(hs_log_reopen(&em), HS_OK);
	log_notice("sub", "second");
	ck_assert_int_eq(hs_read_file(rot, &b, 4096), HS_OK);
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&b), " t notice sub: first 1\n"));
	hs_buf_reset(&b);
	ck_assert_int_eq(hs_read_file(path, &b, 4096), HS_OK);
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&b), "sub: second\n"));
	ck_assert_ptr_null(strstr(hs_buf_cstr(&b), "first"));
	ck_assert_int_eq(hs_log_use_file("/nonexistent/dir/x.log", &em), HS_E_IO);
	ck_assert_ptr_nonnull(strstr(em.text, "cannot open log file '/nonexistent/dir/x.log'"));
	ck_assert_str_eq(hs_log_sink(), path); /* unchanged */
	ck_assert_int_eq(hs_log_use_file(NULL, &em), HS_OK);
	ck_assert_str_eq(hs_log_sink(), "stderr");
	hs_buf_free(&b);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* syslog(3) without a socket drops every line: refused, sink kept. */
START_TEST(test_log_syslog_missing)
{
	struct stat st;
	int have = stat(HS_LOG_SYSLOG_PATH, &st) == 0 && S_ISSOCK(st.st_mode);

	ck_assert_int_eq(hs_log_use_syslog(1), have ? HS_OK : HS_E_NOTFOUND);
	ck_assert_str_eq(hs_log_sink(), have ? "syslog" : "stderr");
	ck_assert_int_eq(hs_log_use_syslog(0), HS_OK);
	ck_assert_str_eq(hs_log_sink(), "stderr");
}
END_TEST

START_TEST(test_roff_escape)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	hs_roff_text(f, ".starts with a dot\nand -o 'x\\y'\n'quote\n");
	fclose(f);
	ck_assert_str_eq(text, "\\&.starts with a dot\nand \\-o 'x\\ey'\n\\&'quote\n");
	free(text);
}
END_TEST

static Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_errmsg);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_fake_env);
	tcase_add_test(tc, test_log_file);
	tcase_add_test(tc, test_log_syslog_missing);
	tcase_add_test(tc, test_roff_escape);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(util_suite)
