/* check_tpmsg.c -- the transport's codecs: messages, receipts, names,
 * manifests, the registry, SHA-256. */
#include "lib/testutil.h"

#include <stdio.h>
#include <string.h>

#include "transport/manifest.h"
#include "transport/names.h"
#include "transport/registry.h"
#include "transport/tpmsg.h"
#include "util/sha256.h"

static tp_msg_t sample(void)
{
	static const uint8_t body[] = {0x82, 0xa1, 'a', 0x01, 0xa1, 'b', 0x91, 0xc0};
	tp_msg_t m;
	memset(&m, 0, sizeof(m));
	m.v = 1;
	for (int i = 0; i < TP_MSGID_LEN; i++)
		m.id[i] = (uint8_t)(i + 1);
	m.ts = 1795412772;
	strcpy(m.from, "alpha.example.");
	strcpy(m.to, "beta.example.");
	strcpy(m.type, "SYNC");
	m.body = body;
	m.body_len = sizeof(body);
	return m;
}

/* requirements: TP-10 */
START_TEST(test_msg_roundtrip)
{
	tp_msg_t m = sample(), d;
	hs_buf_t b = {0};
	ck_assert_int_eq(tp_msg_encode(&b, &m), HS_OK);
	ck_assert_int_eq(tp_msg_decode(b.data, b.len, &d), HS_OK);
	ck_assert_uint_eq(d.v, 1);
	ck_assert(memcmp(d.id, m.id, TP_MSGID_LEN) == 0);
	ck_assert_uint_eq(d.ts, m.ts);
	ck_assert_str_eq(d.from, m.from);
	ck_assert_str_eq(d.to, m.to);
	ck_assert_str_eq(d.type, "SYNC");
	ck_assert_uint_eq(d.body_len, m.body_len);
	ck_assert(memcmp(d.body, m.body, m.body_len) == 0);
	/* trailing byte, truncation at every length */
	hs_buf_append_u8(&b, 0);
	ck_assert_int_eq(tp_msg_decode(b.data, b.len, &d), HS_E_MALFORMED);
	for (size_t n = 0; n + 1 < b.len; n++)
		ck_assert_int_ne(tp_msg_decode(b.data, n, &d), HS_OK);
	/* empty body = {} */
	m.body_len = 0;
	hs_buf_reset(&b);
	ck_assert_int_eq(tp_msg_encode(&b, &m), HS_OK);
	ck_assert_int_eq(tp_msg_decode(b.data, b.len, &d), HS_OK);
	ck_assert_uint_eq(d.body_len, 1);
	/* body that is not a map */
	static const uint8_t arr[] = {0x90};
	m.body = arr;
	m.body_len = 1;
	ck_assert_int_eq(tp_msg_encode(&b, &m), HS_E_MALFORMED);
	hs_buf_free(&b);
}
END_TEST

/* requirements: TP-10 TP-12 */
START_TEST(test_msg_strict)
{
	tp_msg_t d;
	hs_buf_t b = {0};
	/* hand-made maps */
	static const char *const bad[] = {
	    /* id 15 octets */
	    "87a17601a26964c40f0102030405060708090a0b0c0d0e0fa2747301a466726f6da1"
	    "61a2746fa162a474797065a450494e47a4626f647980",
	    /* duplicate key v */
	    "88a17601a17601a26964c410000102030405060708090a0b0c0d0e0fa2747301a466"
	    "726f6da161a2746fa162a474797065a450494e47a4626f647980",
	    /* ts as a string */
	    "87a17601a26964c410000102030405060708090a0b0c0d0e0fa27473a131a466726f"
	    "6da161a2746fa162a474797065a450494e47a4626f647980",
	    /* body missing */
	    "86a17601a26964c410000102030405060708090a0b0c0d0e0fa2747301a466726f6d"
	    "a161a2746fa162a474797065a450494e47",
	    /* not a map */
	    "9101",
	    /* reserved byte 0xc1 */
	    "c1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hs_buf_reset(&b);
		tu_hex(&b, bad[i]);
		ck_assert_msg(tp_msg_decode(b.data, b.len, &d) != HS_OK, "case %zu", i);
	}
	/* a good one with an unknown key: accepted */
	hs_buf_reset(&b);
	tu_hex(&b, "88a17601a26964c410000102030405060708090a0b0c0d0e0fa2747301a466726f6da161"
	           "a2746fa162a474797065a450494e47a4626f647980a378787892c0c3");
	ck_assert_int_eq(tp_msg_decode(b.data, b.len, &d), HS_OK);
	ck_assert_str_eq(d.type, "PING");
	ck_assert_str_eq(d.from, "a");
	/* nesting beyond the limit */
	hs_buf_reset(&b);
	hs_buf_append_u8(&b, 0x81);
	hs_buf_append_u8(&b, 0xa1);
	hs_buf_append_u8(&b, 'x');
	for (int i = 0; i < 40; i++)
		hs_buf_append_u8(&b, 0x91);
	hs_buf_append_u8(&b, 0xc0);
	ck_assert_int_eq(tp_mp_check_map(b.data, b.len), HS_E_LIMIT);
	/* a huge declared count with few bytes fails fast */
	hs_buf_reset(&b);
	tu_hex(&b, "81a178ddffffffff00");
	ck_assert_int_eq(tp_mp_check_map(b.data, b.len), HS_E_MALFORMED);
	ck_assert(tp_msg_type_known("HELLO"));
	ck_assert(tp_msg_type_known("HELLO_ACK"));
	ck_assert(!tp_msg_type_known("hello"));
	hs_buf_free(&b);
}
END_TEST

/* requirements: TP-27 TP-31 */
START_TEST(test_receipt)
{
	tp_receipt_t r = {TP_RCPT_REJECTED, 1, {9}, TP_REASON_UNKNOWN_KEY}, d;
	hs_buf_t b = {0};
	ck_assert_int_eq(tp_receipt_encode(&b, &r), HS_OK);
	ck_assert_int_eq(tp_receipt_decode(b.data, b.len, &d), HS_OK);
	ck_assert_int_eq(d.status, TP_RCPT_REJECTED);
	ck_assert_int_eq(d.reason, TP_REASON_UNKNOWN_KEY);
	ck_assert(d.has_id && d.id[0] == 9);
	r.status = TP_RCPT_FETCHING;
	r.has_id = 0;
	hs_buf_reset(&b);
	ck_assert_int_eq(tp_receipt_encode(&b, &r), HS_OK);
	ck_assert_uint_eq(b.len, 1 + 7 + 9); /* {"status": "fetching"} */
	ck_assert_int_eq(tp_receipt_decode(b.data, b.len, &d), HS_OK);
	ck_assert_int_eq(d.status, TP_RCPT_FETCHING);
	ck_assert(!d.has_id);
	/* unknown status, unknown reason */
	hs_buf_reset(&b);
	tu_hex(&b, "81a6737461747573a3666f6f");
	ck_assert_int_eq(tp_receipt_decode(b.data, b.len, &d), HS_E_MALFORMED);
	hs_buf_reset(&b);
	tu_hex(&b, "82a6737461747573a872656a6563746564a6726561736f6ea3666f6f");
	ck_assert_int_eq(tp_receipt_decode(b.data, b.len, &d), HS_OK);
	ck_assert_int_eq(d.reason, TP_REASON_NONE);
	r.status = 0;
	ck_assert_int_eq(tp_receipt_encode(&b, &r), HS_E_INVAL);
	ck_assert_str_eq(tp_reason_name(TP_REASON_IDENTITY_MISMATCH), "identity-mismatch");
	hs_buf_free(&b);
}
END_TEST

/* requirements: TP-3 TP-5 TP-7 TP-9 */
START_TEST(test_names)
{
	uint8_t w[255];
	size_t n = 0;
	unsigned seq = 0;
	char d[64], s[256], r[256];
	uint8_t self[255];
	size_t sl = 0;
	ck_assert_int_eq(tp_name_notify("0a1b", "Alpha.Example", w, &n), HS_OK);
	ck_assert_int_eq(tp_name_parse_notify(w, n, d, s), HS_OK);
	ck_assert_str_eq(d, "0a1b");
	ck_assert_str_eq(s, "alpha.example.");
	ck_assert_int_eq(tp_name_notify("0A1B", "alpha.example", w, &n), HS_E_SYNTAX);
	ck_assert_int_eq(tp_name_wire("alpha.example.", self, &sl), HS_OK);
	ck_assert_int_eq(tp_name_chunk(65535, "beta.example.", "ff", "alpha.example.", w, &n),
	                 HS_OK);
	ck_assert_int_eq(tp_name_parse_chunk(w, n, self, sl, &seq, d, r), HS_OK);
	ck_assert_uint_eq(seq, 65535);
	ck_assert_str_eq(d, "ff");
	ck_assert_str_eq(r, "beta.example.");
	/* multi-label receiver, uppercase in the query */
	ck_assert_int_eq(tp_name_chunk(0, "a.b.c.example.", "ff", "ALPHA.example.", w, &n), HS_OK);
	ck_assert_int_eq(tp_name_parse_chunk(w, n, self, sl, &seq, d, r), HS_OK);
	ck_assert_str_eq(r, "a.b.c.example.");
	hs_buf_t b = {0};
	/* seq with a leading zero */
	tu_hex(&b, "023031046265746102666605616c706861076578616d706c6500");
	ck_assert_int_eq(tp_name_parse_chunk(b.data, b.len, self, sl, &seq, d, r), HS_E_NAME);
	/* no receiver label */
	hs_buf_reset(&b);
	tu_hex(&b, "013102666605616c706861076578616d706c6500");
	ck_assert_int_eq(tp_name_parse_chunk(b.data, b.len, self, sl, &seq, d, r), HS_E_NAME);
	/* seq beyond 65535 */
	hs_buf_reset(&b);
	tu_hex(&b, "053635353336046265746102666605616c706861076578616d706c6500");
	ck_assert_int_eq(tp_name_parse_chunk(b.data, b.len, self, sl, &seq, d, r), HS_E_NAME);
	/* another suffix */
	hs_buf_reset(&b);
	tu_hex(&b, "0131046265746102666605616c7068610378797a00");
	ck_assert_int_eq(tp_name_parse_chunk(b.data, b.len, self, sl, &seq, d, r), HS_E_NAME);
	/* suffix not at a label boundary: "xalpha.example." */
	hs_buf_reset(&b);
	tu_hex(&b, "013104626574610266660678616c706861076578616d706c6500");
	ck_assert_int_eq(tp_name_parse_chunk(b.data, b.len, self, sl, &seq, d, r), HS_E_NAME);
	/* distid not hex */
	hs_buf_reset(&b);
	tu_hex(&b, "01310462657461027a7a05616c706861076578616d706c6500");
	ck_assert_int_eq(tp_name_parse_chunk(b.data, b.len, self, sl, &seq, d, r), HS_E_NAME);
	/* NOTIFY name with only one label */
	hs_buf_reset(&b);
	tu_hex(&b, "02666600");
	ck_assert_int_eq(tp_name_parse_notify(b.data, b.len, d, s), HS_E_NAME);
	/* characters outside host names */
	hs_buf_reset(&b);
	tu_hex(&b, "0266660161012000");
	ck_assert_int_eq(tp_name_parse_notify(b.data, b.len, d, s), HS_E_NAME);
	/* TP-3: an upper-case distid label is read and used in lower case */
	hs_buf_reset(&b);
	tu_hex(&b, "0441423132"
	           "05616c706861076578616d706c6500");
	ck_assert_int_eq(tp_name_parse_notify(b.data, b.len, d, s), HS_OK);
	ck_assert_str_eq(d, "ab12");
	/* TP-9: the signer name of a party is dns.<identity>, any case */
	ck_assert(tp_signer_name_ok("dns.alpha.example.", "alpha.example."));
	ck_assert(tp_signer_name_ok("DNS.Alpha.Example", "alpha.example"));
	ck_assert(!tp_signer_name_ok("alpha.example.", "alpha.example."));
	ck_assert(!tp_signer_name_ok("dns.beta.example.", "alpha.example."));
	ck_assert(!tp_signer_name_ok("xdns.alpha.example.", "alpha.example."));
	hs_buf_free(&b);
}
END_TEST

/* TP-13: the PING body {data, echo} */
/* requirements: TP-13 */
START_TEST(test_ping)
{
	hs_buf_t b = {0};
	tp_ping_t p;
	tp_ping_encode(&b, (const uint8_t *)"abc", 3, 1);
	ck_assert_int_eq(tp_ping_decode(b.data, b.len, &p), HS_OK);
	ck_assert_uint_eq(p.data_len, 3);
	ck_assert_int_eq(memcmp(p.data, "abc", 3), 0);
	ck_assert_int_eq(p.echo, 1);
	hs_buf_reset(&b);
	tp_ping_encode(&b, NULL, 0, 0);
	ck_assert_int_eq(tp_ping_decode(b.data, b.len, &p), HS_OK);
	ck_assert_uint_eq(p.data_len, 0);
	ck_assert_int_eq(p.echo, 0);
	/* an empty body, and unknown keys, are a PING without data */
	ck_assert_int_eq(tp_ping_decode(NULL, 0, &p), HS_OK);
	hs_buf_reset(&b);
	tu_hex(&b, "81a178c3");
	ck_assert_int_eq(tp_ping_decode(b.data, b.len, &p), HS_OK);
	ck_assert_ptr_null(p.data);
	/* wrong types */
	hs_buf_reset(&b);
	tu_hex(&b, "81a46461746101"); /* data: 1 */
	ck_assert_int_eq(tp_ping_decode(b.data, b.len, &p), HS_E_MALFORMED);
	hs_buf_reset(&b);
	tu_hex(&b, "81a46563686f01"); /* echo: 1 */
	ck_assert_int_eq(tp_ping_decode(b.data, b.len, &p), HS_E_MALFORMED);
	hs_buf_reset(&b);
	tu_hex(&b, "91c3"); /* not a map */
	ck_assert_int_eq(tp_ping_decode(b.data, b.len, &p), HS_E_MALFORMED);
	hs_buf_free(&b);
}
END_TEST

/* requirements: TP-17 TP-21 TP-24 */
START_TEST(test_manifest)
{
	tp_manifest_t m, d;
	hs_buf_t b = {0};
	memset(&m, 0, sizeof(m));
	m.size = 120001;
	m.chunk_size = 60000;
	m.format = 3;
	strcpy(m.distid, "00ff");
	strcpy(m.sender, "Alpha.example");
	strcpy(m.receiver, "beta.example.");
	hs_sha256("abc", 3, m.sha256);
	ck_assert_int_eq(tp_manifest_plan(&m), HS_OK);
	ck_assert_uint_eq(m.chunk_count, 3);
	ck_assert_uint_eq(tp_manifest_slice_len(&m, 1), 60000);
	ck_assert_uint_eq(tp_manifest_slice_len(&m, 3), 1);
	ck_assert_uint_eq(tp_manifest_slice_len(&m, 4), 0);
	ck_assert_int_eq(tp_manifest_encode(&b, &m), HS_OK);
	ck_assert_int_eq(tp_manifest_decode((const char *)b.data, b.len, &d), HS_OK);
	ck_assert_uint_eq(d.chunk_count, 3);
	ck_assert_uint_eq(d.size, 120001);
	ck_assert_str_eq(d.sender, "alpha.example.");
	ck_assert(memcmp(d.sha256, m.sha256, 32) == 0);
	const char *h = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char t[1024];
	struct {
		const char *fmt;
		int rc;
	} cases[] = {
	    {"{\"chunk_count\":2,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\",\"metadata\":"
	     "{\"distribution_id\":\"ab\",\"sender\":\"a.\",\"receiver\":\"b.\",\"format\":3}}",
	     HS_E_RANGE},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\",\"metadata\":"
	     "{\"distribution_id\":\"ab\",\"sender\":\"a.\",\"receiver\":\"b.\",\"format\":3}}",
	     HS_OK},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\",\"metadata\":"
	     "{\"distribution_id\":\"ab\",\"sender\":\"a.\",\"receiver\":\"b.\",\"format\":1}}",
	     HS_E_RANGE},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\",\"metadata\":"
	     "{\"distribution_id\":\"AB\",\"sender\":\"a.\",\"receiver\":\"b.\",\"format\":3}}",
	     HS_E_MALFORMED},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":30,\"sha256\":\"%.60s\",\"metadata\":"
	     "{\"distribution_id\":\"ab\",\"sender\":\"a.\",\"receiver\":\"b.\",\"format\":3}}",
	     HS_E_MALFORMED},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\",\"metadata\":"
	     "{\"distribution_id\":\"ab\",\"sender\":\"a b\",\"receiver\":\"b.\",\"format\":3}}",
	     HS_E_MALFORMED},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":-1,\"sha256\":\"%s\",\"metadata\":"
	     "{\"distribution_id\":\"ab\",\"sender\":\"a.\",\"receiver\":\"b.\",\"format\":3}}",
	     HS_E_MALFORMED},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\"}", HS_E_MALFORMED},
	    {"{\"chunk_count\":3,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\",}", HS_E_SYNTAX},
	    {"{\"chunk_count\":0,\"chunk_size\":10,\"size\":30,\"sha256\":\"%s\",\"metadata\":"
	     "{\"distribution_id\":\"ab\",\"sender\":\"a.\",\"receiver\":\"b.\",\"format\":3}}",
	     HS_E_RANGE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(t, sizeof(t), cases[i].fmt, h);
		ck_assert_msg(tp_manifest_decode(t, strlen(t), &d) == cases[i].rc, "case %zu", i);
	}
	m.size = 65536ull * 10;
	m.chunk_size = 10;
	ck_assert_int_eq(tp_manifest_plan(&m), HS_E_RANGE);
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_registry)
{
	tp_registry_t *r = tp_registry_new();
	sig0_key_t *k = NULL;
	ck_assert_int_eq(tp_registry_add(r, "Peer.Example", "127.0.0.1", 53), HS_OK);
	ck_assert_int_eq(tp_registry_add(r, "peer.example.", "::1", 5353), HS_OK);
	ck_assert_int_eq(tp_registry_add(r, "bad name.", "::1", 1), HS_E_NAME);
	ck_assert_int_eq(tp_registry_add(r, "x.", "", 1), HS_E_INVAL);
	ck_assert_uint_eq(tp_registry_count(r), 1);
	const tp_peer_t *p = tp_registry_find(r, "PEER.example");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->addr, "::1");
	ck_assert_uint_eq(p->port, 5353);
	ck_assert_ptr_null(tp_registry_find(r, "other.example."));
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "peer.example.", &k, NULL), HS_OK);
	ck_assert_int_eq(tp_registry_add_sig0(r, "nobody.", k), HS_E_NOTFOUND);
	ck_assert_int_eq(tp_registry_add_sig0(r, "peer.example", k), HS_OK);
	ck_assert_uint_eq(p->nsig0, 1);
	uint8_t w[255];
	size_t n = 0;
	ck_assert_int_eq(tp_name_wire("peer.EXAMPLE.", w, &n), HS_OK);
	ck_assert_ptr_eq(tp_registry_find_wire(r, w, n), p);
	tp_registry_free(r);
}
END_TEST

START_TEST(test_sha256)
{
	uint8_t d[32];
	hs_buf_t want = {0};
	hs_sha256("abc", 3, d);
	tu_hex(&want, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert(memcmp(d, want.data, 32) == 0);
	/* 1,000,000 x 'a' in uneven pieces */
	hs_sha256_t c;
	char a[997];
	memset(a, 'a', sizeof(a));
	hs_sha256_init(&c);
	size_t left = 1000000;
	while (left) {
		size_t n = left < sizeof(a) ? left : sizeof(a);
		hs_sha256_update(&c, a, n);
		left -= n;
	}
	hs_sha256_final(&c, d);
	hs_buf_reset(&want);
	tu_hex(&want, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	ck_assert(memcmp(d, want.data, 32) == 0);
	hs_sha256("", 0, d);
	hs_buf_reset(&want);
	tu_hex(&want, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert(memcmp(d, want.data, 32) == 0);
	hs_buf_free(&want);
}
END_TEST

Suite *tpmsg_suite(void);
Suite *tpmsg_suite(void)
{
	Suite *s = suite_create("tpmsg");
	TCase *tc = tcase_create("codecs");
	tcase_add_test(tc, test_msg_roundtrip);
	tcase_add_test(tc, test_msg_strict);
	tcase_add_test(tc, test_receipt);
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_manifest);
	tcase_add_test(tc, test_registry);
	tcase_add_test(tc, test_sha256);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(tpmsg_suite)
