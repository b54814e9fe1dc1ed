/* Tests for src/wire/text.h: tokenizer, names, strings, numbers. */
#include "lib/testutil.h"

#include <string.h>

#include "wire/cursor.h"
#include "wire/text.h"

START_TEST(test_tokens_plain)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	hs_tok_init(&t, "  a\\032b \"x y\\\"z\" {\"j\":1} \\065\\\\ \"\"  ");
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_PLAIN, "f", NULL), HS_OK);
	ck_assert_uint_eq(tk.val.len, 3);
	ck_assert_mem_eq(tk.val.data, "a b", 3);
	ck_assert_int_eq(tk.quoted, 0);
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_PLAIN, "f", NULL), HS_OK);
	ck_assert_int_eq(tk.quoted, 1);
	ck_assert_str_eq(hs_buf_cstr(&tk.val), "x y\"z");
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_PLAIN, "f", NULL), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&tk.val), "{\"j\":1}"); /* a quote inside is literal */
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_PLAIN, "f", NULL), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&tk.val), "A\\");
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_PLAIN, "f", NULL), HS_OK);
	ck_assert_uint_eq(tk.val.len, 0);
	ck_assert_int_eq(tk.quoted, 1);
	ck_assert_int_eq(hs_tok_more(&t), 0);
	hs_errmsg_t em;
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_PLAIN, "thing", &em), HS_E_SYNTAX);
	ck_assert_str_eq(em.text, "thing: missing");
	ck_assert_int_eq(hs_tok_end(&t, "x", NULL), HS_OK);
	hs_token_free(&tk);
}
END_TEST

START_TEST(test_tokens_bad)
{
	static const char *const bad[] = {"\"open", "a\\", "a\\25", "a\\256", "\"a\"b", "\"a\\\""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hs_tok_t t;
		hs_token_t tk = HS_TOKEN_INIT;
		hs_tok_init(&t, bad[i]);
		ck_assert_msg(hs_tok_next(&t, &tk, HS_TOK_PLAIN, "f", NULL) == HS_E_SYNTAX, "%s",
		              bad[i]);
		hs_token_free(&tk);
	}
}
END_TEST

START_TEST(test_tokens_keyval)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	hs_tok_init(&t, "flag k=v q=\"a b\" e= ");
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_KEYVAL, "f", NULL), HS_OK);
	ck_assert_uint_eq(tk.keylen, 4);
	ck_assert_int_eq(tk.has_eq, 0);
	ck_assert_uint_eq(tk.val.len, 0);
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_KEYVAL, "f", NULL), HS_OK);
	ck_assert_int_eq(tk.has_eq, 1);
	ck_assert_str_eq(hs_buf_cstr(&tk.val), "v");
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_KEYVAL, "f", NULL), HS_OK);
	ck_assert_mem_eq(tk.key, "q", 1);
	ck_assert_str_eq(hs_buf_cstr(&tk.val), "a b");
	ck_assert_int_eq(hs_tok_next(&t, &tk, HS_TOK_KEYVAL, "f", NULL), HS_OK);
	ck_assert_int_eq(tk.has_eq, 1);
	ck_assert_uint_eq(tk.val.len, 0);
	ck_assert_int_eq(hs_tok_end(&t, "f", NULL), HS_OK);
	hs_token_free(&tk);
}
END_TEST

static void name_ok(const char *text, const char *hex, const char *back)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t n;
	hs_buf_t want = HS_BUF_INIT, out = HS_BUF_INIT;
	ck_assert_msg(hs_name_from_text(text, strlen(text), w, &n) == HS_OK, "%s", text);
	tu_hex(&want, hex);
	ck_assert_uint_eq(n, want.len);
	ck_assert_mem_eq(w, want.data, n);
	hs_name_print(&out, w, n);
	ck_assert_str_eq(hs_buf_cstr(&out), back);
	hs_buf_free(&want);
	hs_buf_free(&out);
}

START_TEST(test_names)
{
	name_ok(".", "00", ".");
	name_ok("a", "016100", "a.");
	name_ok("Ns1.Example.", "034e7331074578616d706c6500", "Ns1.Example.");
	name_ok("a\\.b.c", "03612e62016300", "a\\.b.c.");
	name_ok("\\000\\ \\\"", "0300202200", "\\000\\032\\\".");
	uint8_t w[WIRE_NAME_MAX];
	size_t n;
	ck_assert_int_eq(hs_name_from_text("", 0, w, &n), HS_E_NAME);
	ck_assert_int_eq(hs_name_from_text("a..", 3, w, &n), HS_E_NAME);
	ck_assert_int_eq(hs_name_from_text("..", 2, w, &n), HS_E_NAME);
	ck_assert_int_eq(hs_name_from_text("a\\2", 3, w, &n), HS_E_SYNTAX);
	char longname[300];
	/* 4 x 63-octet labels = 256 octets on the wire: one too many */
	for (int i = 0; i < 4; i++) {
		memset(longname + i * 64, 'a', 63);
		longname[i * 64 + 63] = '.';
	}
	ck_assert_int_eq(hs_name_from_text(longname, 256, w, &n), HS_E_NAME);
	/* 3 x 63 + one 61 = 255 octets: the longest name */
	memset(longname + 3 * 64, 'b', 61);
	longname[3 * 64 + 61] = '.';
	ck_assert_int_eq(hs_name_from_text(longname, 3 * 64 + 62, w, &n), HS_OK);
	ck_assert_uint_eq(n, 255);
	char label64[65];
	memset(label64, 'x', 64);
	label64[64] = 0;
	ck_assert_int_eq(hs_name_from_text(label64, 64, w, &n), HS_E_NAME);
}
END_TEST

START_TEST(test_strings_and_numbers)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_str_print_quoted(&b, (const uint8_t *)"a \"b\\\x01", 6);
	ck_assert_str_eq(hs_buf_cstr(&b), "\"a \\\"b\\\\\\001\"");
	hs_buf_reset(&b);
	hs_str_print_bare(&b, (const uint8_t *)"a b;", 4);
	ck_assert_str_eq(hs_buf_cstr(&b), "a\\ b\\;");
	hs_buf_reset(&b);
	hs_str_print_bare(&b, (const uint8_t *)"", 0);
	ck_assert_str_eq(hs_buf_cstr(&b), "\"\"");
	hs_buf_free(&b);
	unsigned long v;
	ck_assert_int_eq(hs_parse_uint("65535", 5, 65535, 0, &v), HS_OK);
	ck_assert_uint_eq(v, 65535);
	ck_assert_int_eq(hs_parse_uint("65536", 5, 65535, 0, &v), HS_E_RANGE);
	ck_assert_int_eq(hs_parse_uint("0x20", 4, 65535, 1, &v), HS_OK);
	ck_assert_uint_eq(v, 32);
	ck_assert_int_eq(hs_parse_uint("0x20", 4, 65535, 0, &v), HS_E_SYNTAX);
	ck_assert_int_eq(hs_parse_uint("", 0, 65535, 0, &v), HS_E_SYNTAX);
	ck_assert_int_eq(hs_parse_uint("+1", 2, 65535, 0, &v), HS_E_SYNTAX);
	ck_assert_int_eq(hs_parse_uint("99999999999999999999999", 23, 65535, 0, &v), HS_E_SYNTAX);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_tokens_plain);
	tcase_add_test(tc, test_tokens_bad);
	tcase_add_test(tc, test_tokens_keyval);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_strings_and_numbers);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(text_suite)
