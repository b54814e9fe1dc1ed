/*
 * Tests for src/util/json_out.h: the compact JSON writer. Every document
 * written is read back with the strict reader (src/util/json.h).
 */
#include <string.h>

#include "lib/testutil.h"

#include "util/json.h"
#include "util/json_out.h"

static void assert_parses(hs_buf_t *b)
{
	hs_json_t *v = NULL;
	ck_assert_int_eq(hs_json_parse(&v, (const char *)b->data, b->len, NULL), HS_OK);
	hs_json_free(v);
}

START_TEST(test_document)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_jw_t w;
	hs_jw_init(&w, &b);
	ck_assert(hs_jw_empty(&w));
	hs_jw_obj_begin(&w);
	hs_jw_kv_str(&w, "s", "a\"b\\c\nd\te\x01");
	hs_jw_kv_u64(&w, "u", UINT64_MAX);
	hs_jw_kv_i64(&w, "i", -42);
	hs_jw_kv_bool(&w, "t", 1);
	hs_jw_kv_bool(&w, "f", 0);
	hs_jw_kv_str(&w, "n", NULL);
	hs_jw_key(&w, "a");
	hs_jw_arr_begin(&w);
	hs_jw_arr_end(&w);
	hs_jw_key(&w, "o");
	hs_jw_arr_begin(&w);
	hs_jw_u64(&w, 1);
	hs_jw_obj_begin(&w);
	hs_jw_obj_end(&w);
	hs_jw_raw(&w, "[true]");
	hs_jw_arr_end(&w);
	hs_jw_obj_end(&w);
	ck_assert_int_eq(hs_jw_finish(&w), HS_OK);
	ck_assert_str_eq(
	    hs_buf_cstr(&b),
	    "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\",\"u\":18446744073709551615,"
	    "\"i\":-42,\"t\":true,\"f\":false,\"n\":null,\"a\":[],\"o\":[1,{},[true]]}");
	assert_parses(&b);
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_utf8)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_jw_t w;
	hs_jw_init(&w, &b);
	/* valid 2/3/4-octet sequences pass; a lone continuation, an overlong
	 * form, a surrogate and a truncated sequence become U+FFFD */
	hs_jw_str(&w, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82");
	ck_assert_int_eq(hs_jw_finish(&w), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&b), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\ufffd|"
	                                  "\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd\"");
	assert_parses(&b);
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_misuse)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_jw_t w;

	hs_jw_init(&w, &b); /* nothing written */
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);

	hs_jw_init(&w, &b); /* value without key in an object */
	hs_jw_obj_begin(&w);
	hs_jw_u64(&w, 1);
	hs_jw_obj_end(&w);
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);

	hs_jw_init(&w, &b); /* key in an array */
	hs_jw_arr_begin(&w);
	hs_jw_key(&w, "k");
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);

	hs_jw_init(&w, &b); /* wrong closer */
	hs_jw_arr_begin(&w);
	hs_jw_obj_end(&w);
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);

	hs_jw_init(&w, &b); /* key without value */
	hs_jw_obj_begin(&w);
	hs_jw_key(&w, "k");
	hs_jw_obj_end(&w);
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);

	hs_jw_init(&w, &b); /* still open */
	hs_jw_arr_begin(&w);
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);

	hs_jw_init(&w, &b); /* two top-level values */
	hs_jw_u64(&w, 1);
	hs_jw_u64(&w, 2);
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);

	hs_jw_init(&w, &b); /* too deep */
	for (int i = 0; i <= HS_JW_MAX_DEPTH; i++)
		hs_jw_arr_begin(&w);
	ck_assert_int_eq(hs_jw_finish(&w), HS_E_STATE);
	hs_buf_free(&b);
}
END_TEST

static Suite *json_out_suite(void)
{
	Suite *s = suite_create("json_out");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_document);
	tcase_add_test(tc, test_utf8);
	tcase_add_test(tc, test_misuse);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(json_out_suite)
