/* Known-answer tests: the shared subset and every RFC 9180 Appendix A
 * vector of the implemented suites (tests/data/hpke-rfc9180.json), plus
 * the strict JSON reader the runner depends on. */
#include "lib/testutil.h"

#include <stdio.h>
#include <string.h>

#include "util/json.h"
#include "hpke/kat.h"
#include "util/file.h"

static void print_line(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

static hpke_kat_result_t run_file(const char *path)
{
	hs_buf_t text = HS_BUF_INIT;
	hpke_kat_result_t res;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_msg(hs_read_file(path, &text, 1u << 24) == HS_OK, "cannot read %s", path);
	ck_assert_msg(
	    hpke_kat_run(&res, (const char *)text.data, text.len, print_line, NULL, &em) == HS_OK,
	    "%s: %s", path, hs_errmsg_str(&em));
	hs_buf_free(&text);
	return res;
}

START_TEST(test_shared_subset)
{
	hpke_kat_result_t r = run_file(tu_vector_path("hpke-subset.json"));
	ck_assert_uint_eq(r.failed, 0);
	ck_assert_uint_eq(r.skipped, 0);
	ck_assert_uint_eq(r.passed, 4);
}
END_TEST

START_TEST(test_rfc9180_appendix_a)
{
	hpke_kat_result_t r = run_file(tu_data_path("hpke-rfc9180.json"));
	ck_assert_uint_eq(r.failed, 0);
	ck_assert_uint_eq(r.skipped, 0);
	/* A.1-A.7, four modes each */
	ck_assert_uint_eq(r.passed, 28);
}
END_TEST

/* The runner must notice a wrong value: change one hex digit of the first
 * ct, then of the first exporter_secret, and expect one failed vector. */
static void flip_first(const char *field)
{
	hs_buf_t text = HS_BUF_INIT;
	hpke_kat_result_t res;
	hs_errmsg_t em;
	ck_assert_int_eq(hs_read_file(tu_vector_path("hpke-subset.json"), &text, 1u << 24), HS_OK);
	const char *s = hs_buf_cstr(&text);
	const char *p = strstr(s, field);
	ck_assert_ptr_nonnull(p);
	char *hex = (char *)text.data + (p - s) + strlen(field);
	*hex = *hex == '0' ? '1' : '0';
	ck_assert_int_eq(hpke_kat_run(&res, (const char *)text.data, text.len, NULL, NULL, &em),
	                 HS_OK);
	ck_assert_uint_eq(res.failed, 1);
	ck_assert_uint_eq(res.passed, 3);
	hs_buf_free(&text);
}

START_TEST(test_runner_detects_mismatch)
{
	flip_first("\"ct\": \"");
	flip_first("\"exporter_secret\": \"");
	flip_first("\"pkEm\": \"");
}
END_TEST

START_TEST(test_runner_rejects_non_list)
{
	hpke_kat_result_t res;
	hs_errmsg_t em;
	ck_assert_int_eq(hpke_kat_run(&res, "{}", 2, NULL, NULL, &em), HS_E_SYNTAX);
	ck_assert_int_eq(hpke_kat_run(&res, "[", 1, NULL, NULL, &em), HS_E_SYNTAX);
	/* an object with missing fields is a failed vector, not a bad file */
	ck_assert_int_eq(hpke_kat_run(&res, "[{\"mode\":0}]", 12, NULL, NULL, &em), HS_OK);
	ck_assert_uint_eq(res.failed, 1);
	/* an unimplemented suite is skipped */
	const char *v = "[{\"mode\":0,\"kem_id\":33,\"kdf_id\":1,\"aead_id\":1}]";
	ck_assert_int_eq(hpke_kat_run(&res, v, strlen(v), NULL, NULL, &em), HS_OK);
	ck_assert_uint_eq(res.skipped, 1);
	ck_assert_uint_eq(res.failed, 0);
}
END_TEST

static int parses(const char *s)
{
	hs_json_t *v = NULL;
	hs_errmsg_t em;
	int rc = hs_json_parse(&v, s, strlen(s), &em);
	hs_json_free(v);
	return rc;
}

START_TEST(test_json_strict)
{
	const char *good[] = {"[]",
	                      "{}",
	                      " [1, 2.5e3, -0, true, false, null, \"a\\u00e9\\n\"] ",
	                      "{\"a\": {\"b\": [\"\\ud83d\\ude00\"]}}",
	                      "0",
	                      "\"\""};
	const char *bad[] = {"",
	                     "[1,]",
	                     "{\"a\":1,}",
	                     "[01]",
	                     "[1.]",
	                     "[.5]",
	                     "[-]",
	                     "{\"a\":1,\"a\":2}",
	                     "[\"\t\"]",
	                     "[\"\\x\"]",
	                     "[\"\\ud83d\"]",
	                     "[\"\\ude00\"]",
	                     "[true false]",
	                     "[] []",
	                     "nul",
	                     "{a:1}",
	                     "[\"abc",
	                     "[1e]"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(parses(good[i]) == HS_OK, "rejected: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parses(bad[i]) == HS_E_SYNTAX, "accepted: %s", bad[i]);
	char deep[200];
	memset(deep, '[', sizeof(deep));
	hs_json_t *v = NULL;
	ck_assert_int_eq(hs_json_parse(&v, deep, sizeof(deep), NULL), HS_E_LIMIT);
}
END_TEST

START_TEST(test_json_access)
{
	const char *s =
	    "{\"n\": 65535, \"s\": \"x\\u0041\", \"a\": [1, -1, 1.5, 18446744073709551616]}";
	hs_json_t *v = NULL;
	uint64_t u;
	size_t len;
	ck_assert_int_eq(hs_json_parse(&v, s, strlen(s), NULL), HS_OK);
	ck_assert_int_eq(hs_json_u64(hs_json_get(v, "n"), &u), HS_OK);
	ck_assert_uint_eq(u, 65535);
	ck_assert_str_eq(hs_json_str(hs_json_get(v, "s"), &len), "xA");
	ck_assert_uint_eq(len, 2);
	const hs_json_t *a = hs_json_get(v, "a");
	ck_assert_uint_eq(hs_json_count(a), 4);
	ck_assert_int_eq(hs_json_u64(hs_json_at(a, 0), &u), HS_OK);
	ck_assert_int_eq(hs_json_u64(hs_json_at(a, 1), &u), HS_E_RANGE);
	ck_assert_int_eq(hs_json_u64(hs_json_at(a, 2), &u), HS_E_RANGE);
	ck_assert_int_eq(hs_json_u64(hs_json_at(a, 3), &u), HS_E_RANGE);
	ck_assert_ptr_null(hs_json_at(a, 4));
	ck_assert_ptr_null(hs_json_get(a, "n"));
	ck_assert_ptr_null(hs_json_str(hs_json_get(v, "n"), NULL));
	hs_json_free(v);
}
END_TEST

static Suite *hpke_vectors_suite(void)
{
	Suite *s = suite_create("hpke_vectors");
	TCase *tc = tcase_create("kat");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_shared_subset);
	tcase_add_test(tc, test_rfc9180_appendix_a);
	tcase_add_test(tc, test_runner_detects_mismatch);
	tcase_add_test(tc, test_runner_rejects_non_list);
	tcase_add_test(tc, test_json_strict);
	tcase_add_test(tc, test_json_access);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(hpke_vectors_suite)
