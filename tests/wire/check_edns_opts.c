/* Tests for src/wire/edns_opts.h and the option half of rdata.h. */
#include "lib/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"
#include "wire/rdata.h"

static void opt_ok(const char *name, const char *fields, const char *hex, const char *back)
{
	hs_buf_t out = HS_BUF_INIT, text = HS_BUF_INIT;
	hs_errmsg_t em;
	const uint8_t *d;
	size_t dl;
	uint16_t code;
	ck_assert_msg(hs_edns_opt_from_text(name, fields, &out, &em) == HS_OK, "%s %s: %s", name,
	              fields, em.text);
	char *got = malloc(2 * out.len + 1);
	hs_hex_encode(got, out.data, out.len);
	ck_assert_str_eq(got, hex);
	free(got);
	ck_assert_int_eq(hs_edns_opt_split(out.data, out.len, &code, &d, &dl, NULL), HS_OK);
	ck_assert_int_eq(hs_edns_opt_to_text(code, d, dl, &text, &em), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&text), back);
	hs_buf_free(&out);
	hs_buf_free(&text);
}

START_TEST(test_forms)
{
	opt_ok("KEYSTATE", "key-id=4242 state=INTENT_INQUIRE_KEY", "fdea000410920200",
	       "key-id=4242 state=INTENT_INQUIRE_KEY data=0");
	opt_ok("keystate", "text=\"hi\" data=7 state=200 key-id=0x10", "fdea00060010c8076869",
	       "key-id=16 state=200 data=7 text=\"hi\"");
	opt_ok("CHUNK", "format=JSON data=\"{\\\"type\\\":\\\"confirm\\\"}\"",
	       "fdec001701000000127b2274797065223a22636f6e6669726d227d",
	       "format=JSON data=\"{\\\"type\\\":\\\"confirm\\\"}\"");
	opt_ok("CHUNK", "format=HPKE hmac=aabb data64=aGVsbG8=", "fdec000c030002aabb000568656c6c6f",
	       "format=HPKE hmac=aabb data64=aGVsbG8=");
	opt_ok("CHUNK", "format=4 data64=\"\"", "fdec00050400000000", "format=MSGPACK data64=\"\"");
	opt_ok("CHUNK-ENDPOINT", "192.0.2.10:5399", "fded000f3139322e302e322e31303a35333939",
	       "192.0.2.10:5399");
	opt_ok("chunk-endpoint", "[::1]:53", "fded00085b3a3a315d3a3533", "[::1]:53");
}
END_TEST

static const struct {
	const char *name, *fields;
	int err;
} bad_text[] = {
    {"NOPE", "x=1", HS_E_UNKNOWN_TYPE},
    {"KEYSTATE", "", HS_E_SYNTAX},
    {"KEYSTATE", "key-id=1", HS_E_SYNTAX},
    {"KEYSTATE", "key-id=70000 state=2", HS_E_SYNTAX},
    {"KEYSTATE", "key-id=1 state=KEY_NOPE", HS_E_SYNTAX},
    {"KEYSTATE", "key-id=1 state=2 data=256", HS_E_SYNTAX},
    {"KEYSTATE", "key-id=1 state=2 key-id=2", HS_E_EXISTS},
    {"KEYSTATE", "key-id=1 state=2 color=red", HS_E_SYNTAX},
    {"KEYSTATE", "key-id state=2", HS_E_SYNTAX},
    {"KEYSTATE", "key-id=1 state=2 text=\"open", HS_E_SYNTAX},
    {"CHUNK", "data=\"x\"", HS_E_SYNTAX},
    {"CHUNK", "format=JSON", HS_E_SYNTAX},
    {"CHUNK", "format=JSON data=\"x\" data64=eA==", HS_E_SYNTAX},
    {"CHUNK", "format=BOGUS data=\"x\"", HS_E_SYNTAX},
    {"CHUNK", "format=JSON hmac=xyz data=\"x\"", HS_E_SYNTAX},
    {"CHUNK", "format=JSON data64=!!", HS_E_SYNTAX},
    {"CHUNK",
     "format=JSON hmac=00000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000 data=\"\"",
     HS_E_RANGE},
    {"CHUNK-ENDPOINT", "", HS_E_SYNTAX},
    {"CHUNK-ENDPOINT", "host", HS_E_MALFORMED},
    {"CHUNK-ENDPOINT", "host:", HS_E_MALFORMED},
    {"CHUNK-ENDPOINT", ":53", HS_E_MALFORMED},
    {"CHUNK-ENDPOINT", "host:65536", HS_E_MALFORMED},
    {"CHUNK-ENDPOINT", "::1:53", HS_E_MALFORMED},
    {"CHUNK-ENDPOINT", "[::1:53", HS_E_MALFORMED},
    {"CHUNK-ENDPOINT", "a:53 b:53", HS_E_SYNTAX},
    {"CHUNK-ENDPOINT", "\"a b:53\"", HS_E_MALFORMED},
};

/* requirements: REC-14 */
START_TEST(test_bad_text)
{
	hs_buf_t out = HS_BUF_INIT;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	hs_buf_append(&out, "keep", 4);
	int rc = hs_edns_opt_from_text(bad_text[_i].name, bad_text[_i].fields, &out, &em);
	ck_assert_msg(rc == bad_text[_i].err, "%s '%s': got %s (%s)", bad_text[_i].name,
	              bad_text[_i].fields, hs_errname(rc), em.text);
	ck_assert_uint_eq(out.len, 4);
	hs_buf_free(&out);
}
END_TEST

static const struct {
	uint16_t code;
	const char *hex;
	int err;
} bad_wire[] = {
    {HS_OPT_KEYSTATE, "", HS_E_TRUNC},
    {HS_OPT_KEYSTATE, "109202", HS_E_TRUNC},
    {HS_OPT_CHUNK, "", HS_E_TRUNC},
    {HS_OPT_CHUNK, "01", HS_E_TRUNC},
    {HS_OPT_CHUNK, "010002aa", HS_E_TRUNC},
    {HS_OPT_CHUNK, "010000", HS_E_TRUNC},
    {HS_OPT_CHUNK, "0100000002aa", HS_E_TRUNC},
    {HS_OPT_CHUNK, "0100000001aabb", HS_E_TRAILING},
    {HS_OPT_CHUNK, "010041", HS_E_RANGE},
    {HS_OPT_CHUNK_ENDPOINT, "", HS_E_MALFORMED},
    {HS_OPT_CHUNK_ENDPOINT, "613a3533 00", HS_E_MALFORMED},
    {HS_OPT_CHUNK_ENDPOINT, "6120623a3533", HS_E_MALFORMED},
    {HS_OPT_CHUNK_ENDPOINT, "613a", HS_E_MALFORMED},
    {65001, "00", HS_E_UNKNOWN_TYPE},
};

/* requirements: REC-12 REC-13 REC-14 */
START_TEST(test_bad_wire)
{
	hs_buf_t in = HS_BUF_INIT, out = HS_BUF_INIT;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	tu_hex(&in, bad_wire[_i].hex);
	int rc = hs_edns_opt_to_text(bad_wire[_i].code, in.data ? in.data : (const uint8_t *)"",
	                             in.len, &out, &em);
	ck_assert_msg(rc == bad_wire[_i].err, "%u %s: got %s (%s)", bad_wire[_i].code,
	              bad_wire[_i].hex, hs_errname(rc), em.text);
	ck_assert_uint_eq(out.len, 0);
	hs_buf_free(&in);
	hs_buf_free(&out);
}
END_TEST

START_TEST(test_split)
{
	hs_buf_t in = HS_BUF_INIT;
	const uint8_t *d;
	size_t dl;
	uint16_t code;
	tu_hex(&in, "fdea000410920200");
	ck_assert_int_eq(hs_edns_opt_split(in.data, in.len, &code, &d, &dl, NULL), HS_OK);
	ck_assert_uint_eq(code, 65002);
	ck_assert_uint_eq(dl, 4);
	ck_assert_int_eq(hs_edns_opt_split(in.data, in.len - 1, &code, &d, &dl, NULL), HS_E_TRUNC);
	hs_buf_append_u8(&in, 0);
	ck_assert_int_eq(hs_edns_opt_split(in.data, in.len, &code, &d, &dl, NULL), HS_E_TRAILING);
	ck_assert_int_eq(hs_edns_opt_split(in.data, 3, &code, &d, &dl, NULL), HS_E_TRUNC);
	hs_buf_free(&in);
	ck_assert_str_eq(hs_keystate_name(HS_KEYSTATE_TRUSTED), "KEY_TRUSTED");
	ck_assert_ptr_null(hs_keystate_name(3));
	ck_assert_str_eq(hs_edns_opt_name(65005), "CHUNK-ENDPOINT");
}
END_TEST

static uint64_t rs = 0x0b7e0001;
static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)(rs >> 32);
}

/* whole option -> text -> whole option must give the same octets */
static void opt_roundtrip(const hs_buf_t *opt)
{
	hs_buf_t text = HS_BUF_INIT, again = HS_BUF_INIT;
	hs_errmsg_t em;
	const uint8_t *d;
	size_t dl;
	uint16_t code;
	ck_assert_int_eq(hs_edns_opt_split(opt->data, opt->len, &code, &d, &dl, NULL), HS_OK);
	ck_assert_msg(hs_edns_opt_to_text(code, d, dl, &text, &em) == HS_OK, "%s", em.text);
	ck_assert_msg(
	    hs_edns_opt_from_text(hs_edns_opt_name(code), hs_buf_cstr(&text), &again, &em) == HS_OK,
	    "'%s': %s", hs_buf_cstr(&text), em.text);
	ck_assert_uint_eq(again.len, opt->len);
	ck_assert_mem_eq(again.data, opt->data, opt->len);
	hs_buf_free(&text);
	hs_buf_free(&again);
}

START_TEST(test_random_roundtrip)
{
	uint8_t buf[400];
	for (int i = 0; i < 3000; i++) {
		hs_buf_t w = HS_BUF_INIT;
		for (size_t j = 0; j < sizeof(buf); j++)
			buf[j] = (uint8_t)rnd();
		switch (i % 3) {
		case 0: {
			hs_opt_keystate_t k = {(uint16_t)rnd(), (uint8_t)rnd(), (uint8_t)rnd(), buf,
			                       rnd() % 100};
			ck_assert_int_eq(hs_opt_keystate_encode(&k, &w, NULL), HS_OK);
			break;
		}
		case 1: {
			hs_opt_chunk_t c = {(uint8_t)(rnd() % 2 ? rnd() : 1 + rnd() % 4), buf,
			                    (uint16_t)(rnd() % 65), buf + 100,
			                    (uint16_t)(rnd() % 300)};
			ck_assert_int_eq(hs_opt_chunk_encode(&c, &w, NULL), HS_OK);
			hs_opt_chunk_t back;
			ck_assert_int_eq(hs_opt_chunk_decode(w.data + 4, w.len - 4, &back, NULL),
			                 HS_OK);
			ck_assert_uint_eq(back.data_len, c.data_len);
			break;
		}
		default: {
			static const char alpha[] = "abcdef0123456789.-:";
			char host[40];
			size_t n = 1 + rnd() % 30;
			for (size_t j = 0; j < n; j++)
				host[j] = alpha[rnd() % (sizeof(alpha) - 1)];
			hs_opt_endpoint_t e = {host, n, (uint16_t)rnd()}, back;
			ck_assert_int_eq(hs_opt_endpoint_encode(&e, &w, NULL), HS_OK);
			ck_assert_int_eq(hs_opt_endpoint_decode(w.data + 4, w.len - 4, &back, NULL),
			                 HS_OK);
			ck_assert_uint_eq(back.host_len, n);
			ck_assert_mem_eq(back.host, host, n);
			ck_assert_uint_eq(back.port, e.port);
			break;
		}
		}
		opt_roundtrip(&w);
		hs_buf_free(&w);
	}
}
END_TEST

static Suite *edns_suite(void)
{
	Suite *s = suite_create("edns_opts");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_forms);
	tcase_add_loop_test(tc, test_bad_text, 0, sizeof(bad_text) / sizeof(bad_text[0]));
	tcase_add_loop_test(tc, test_bad_wire, 0, sizeof(bad_wire) / sizeof(bad_wire[0]));
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_random_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(edns_suite)
