/* Tests for src/engine/msg: HELLO, HELLO_ACK and BEAT bodies. */
#include "lib/testutil.h"

#include <msgpack.h>

#include "engine/msg.h"

static void hello_sample(eng_hello_t *h, char **zones, char **caps)
{
	memset(h, 0, sizeof(*h));
	strcpy(h->identity, "agent.alpha.");
	zones[0] = (char *)"example.com.";
	zones[1] = (char *)"example.net.";
	caps[0] = (char *)"beat";
	h->zones = zones;
	h->nzones = 2;
	h->caps = caps;
	h->ncaps = 1;
	h->nonce = 0x0123456789abcdefULL;
	h->time_ms = 1795000000123ULL;
}

START_TEST(test_hello_roundtrip)
{
	eng_hello_t h, d;
	char *zones[2], *caps[1];
	hs_buf_t b = HS_BUF_INIT;
	hello_sample(&h, zones, caps);
	ck_assert_int_eq(eng_hello_encode(&h, &b), HS_OK);
	ck_assert_int_eq(eng_hello_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_str_eq(d.identity, "agent.alpha.");
	ck_assert_uint_eq(d.nzones, 2);
	ck_assert_str_eq(d.zones[1], "example.net.");
	ck_assert_uint_eq(d.ncaps, 1);
	ck_assert_str_eq(d.caps[0], "beat");
	ck_assert_uint_eq(d.nonce, h.nonce);
	ck_assert_uint_eq(d.time_ms, h.time_ms);
	eng_hello_free(&d);
	/* every truncation fails, never crashes */
	for (size_t n = 0; n < b.len; n++)
		ck_assert_int_ne(eng_hello_decode(b.data, n, &d, NULL), HS_OK);
	/* a trailing byte is refused */
	hs_buf_append_u8(&b, 0xc0);
	ck_assert_int_eq(eng_hello_decode(b.data, b.len, &d, NULL), HS_E_TRAILING);
	hs_buf_free(&b);
}
END_TEST

/* Pack a map from (key, packer-fn) steps to build malformed bodies. */
static void pack_hello_with(hs_buf_t *b, const char *drop, int bad_identity, int dup)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	int n = 5 - (drop != NULL) + (dup != 0);
	msgpack_pack_map(&pk, n);
#define KEY(s) msgpack_pack_str(&pk, strlen(s)), msgpack_pack_str_body(&pk, s, strlen(s))
	if (!drop || strcmp(drop, "identity")) {
		KEY("identity");
		if (bad_identity)
			msgpack_pack_int(&pk, 5);
		else
			KEY("agent.alpha");
	}
	if (!drop || strcmp(drop, "zones")) {
		KEY("zones");
		msgpack_pack_array(&pk, 1);
		KEY("example.com");
	}
	if (!drop || strcmp(drop, "caps")) {
		KEY("caps");
		msgpack_pack_array(&pk, 0);
	}
	if (!drop || strcmp(drop, "nonce")) {
		KEY("nonce");
		msgpack_pack_uint64(&pk, 7);
	}
	if (!drop || strcmp(drop, "time")) {
		KEY("time");
		msgpack_pack_uint64(&pk, 8);
	}
	if (dup) {
		KEY("nonce");
		msgpack_pack_uint64(&pk, 9);
	}
#undef KEY
	hs_buf_reset(b);
	hs_buf_append(b, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

/* requirements: AG-25 AG-26 */
START_TEST(test_hello_negative)
{
	hs_buf_t b = HS_BUF_INIT;
	eng_hello_t d;
	hs_errmsg_t em;
	pack_hello_with(&b, NULL, 0, 0);
	ck_assert_int_eq(eng_hello_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_str_eq(d.identity, "agent.alpha."); /* canonicalised */
	ck_assert_str_eq(d.zones[0], "example.com.");
	eng_hello_free(&d);
	static const char *const keys[] = {"identity", "zones", "caps", "nonce", "time"};
	for (size_t i = 0; i < 5; i++) {
		pack_hello_with(&b, keys[i], 0, 0);
		ck_assert_int_eq(eng_hello_decode(b.data, b.len, &d, &em), HS_E_MALFORMED);
	}
	pack_hello_with(&b, NULL, 1, 0);
	ck_assert_int_eq(eng_hello_decode(b.data, b.len, &d, &em), HS_E_MALFORMED);
	pack_hello_with(&b, NULL, 0, 1);
	ck_assert_int_eq(eng_hello_decode(b.data, b.len, &d, &em), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "twice"));
	/* not a map; an array claiming 2^32-1 entries in 5 bytes; deep nesting */
	static const uint8_t arr[] = {0x91, 0x01};
	ck_assert_int_eq(eng_hello_decode(arr, sizeof(arr), &d, NULL), HS_E_MALFORMED);
	static const uint8_t huge[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
	ck_assert_int_eq(eng_hello_decode(huge, sizeof(huge), &d, NULL), HS_E_LIMIT);
	uint8_t deep[40];
	memset(deep, 0x91, sizeof(deep));
	deep[39] = 0x01;
	ck_assert_int_eq(eng_hello_decode(deep, sizeof(deep), &d, NULL), HS_E_LIMIT);
	static const uint8_t c1[] = {0xc1};
	ck_assert_int_eq(eng_hello_decode(c1, 1, &d, NULL), HS_E_MALFORMED);
	ck_assert_int_eq(eng_hello_decode(NULL, 0, &d, NULL), HS_E_TRUNC);
	hs_buf_free(&b);
}
END_TEST

/* requirements: AG-27 */
START_TEST(test_ack)
{
	eng_hello_ack_t a, d;
	hs_buf_t b = HS_BUF_INIT;
	memset(&a, 0, sizeof(a));
	strcpy(a.identity, "agent.bravo.");
	a.nonce = 99;
	a.accept = 1;
	ck_assert_int_eq(eng_hello_ack_encode(&a, &b), HS_OK);
	ck_assert_int_eq(eng_hello_ack_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_int_eq(d.accept, 1);
	ck_assert_uint_eq(d.nonce, 99);
	ck_assert_str_eq(d.reason, "");
	hs_buf_reset(&b);
	a.accept = 0;
	strcpy(a.reason, "zone 'x.' is not multi-provider here");
	ck_assert_int_eq(eng_hello_ack_encode(&a, &b), HS_OK);
	ck_assert_int_eq(eng_hello_ack_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_int_eq(d.accept, 0);
	ck_assert_str_eq(d.reason, a.reason);
	for (size_t n = 0; n < b.len; n++)
		ck_assert_int_ne(eng_hello_ack_decode(b.data, n, &d, NULL), HS_OK);
	/* a reason with a control character is refused */
	char *p = memmem(b.data, b.len, "zone", 4);
	ck_assert_ptr_nonnull(p);
	p[0] = '\n';
	ck_assert_int_eq(eng_hello_ack_decode(b.data, b.len, &d, NULL), HS_E_MALFORMED);
	hs_buf_free(&b);
}
END_TEST

/* requirements: AG-28 */
START_TEST(test_beat_roundtrip)
{
	eng_beat_cell_t c1[] = {{(char *)"agent.bravo.", ENG_PEER_OPERATIONAL},
	                        {(char *)"agent.charlie.", ENG_PEER_DEGRADED}};
	eng_beat_cell_t c2[] = {{(char *)"agent.alpha.", ENG_PEER_INTERRUPTED}};
	eng_beat_row_t rows[] = {{(char *)"agent.alpha.", 17, 2, c1},
	                         {(char *)"agent.charlie.", 5, 1, c2}};
	eng_beat_group_t g = {.id = "0123456789abcdef", .nrows = 2, .rows = rows};
	eng_beat_t b = {.seq = 3, .interval_ms = 1000, .ngroups = 1, .groups = &g}, d;
	hs_buf_t w = HS_BUF_INIT, w2 = HS_BUF_INIT;
	ck_assert_int_eq(eng_beat_encode(&b, &w), HS_OK);
	ck_assert_int_eq(eng_beat_decode(w.data, w.len, &d, NULL), HS_OK);
	ck_assert_uint_eq(d.seq, 3);
	ck_assert_uint_eq(d.interval_ms, 1000);
	ck_assert_uint_eq(d.ngroups, 1);
	ck_assert_str_eq(d.groups[0].id, "0123456789abcdef");
	ck_assert_uint_eq(d.groups[0].nrows, 2);
	ck_assert_str_eq(d.groups[0].rows[1].owner, "agent.charlie.");
	ck_assert_uint_eq(d.groups[0].rows[0].version, 17);
	ck_assert_int_eq(d.groups[0].rows[0].cells[1].state, ENG_PEER_DEGRADED);
	ck_assert_int_eq(eng_beat_encode(&d, &w2), HS_OK);
	ck_assert_uint_eq(w.len, w2.len);
	ck_assert_mem_eq(w.data, w2.data, w.len);
	eng_beat_free(&d);
	for (size_t n = 0; n < w.len; n++)
		ck_assert_int_ne(eng_beat_decode(w.data, n, &d, NULL), HS_OK);
	/* an unknown state name, an uppercase group id */
	char *p = memmem(w.data, w.len, "DEGRADED", 8);
	p[0] = 'X';
	ck_assert_int_eq(eng_beat_decode(w.data, w.len, &d, NULL), HS_E_MALFORMED);
	p[0] = 'D';
	p = memmem(w.data, w.len, "0123456789abcdef", 16);
	p[15] = 'F';
	ck_assert_int_eq(eng_beat_decode(w.data, w.len, &d, NULL), HS_E_MALFORMED);
	/* the encoder refuses what the decoder would */
	strcpy(g.id, "xyz");
	hs_buf_reset(&w2);
	ck_assert_int_eq(eng_beat_encode(&b, &w2), HS_E_INVAL);
	hs_buf_free(&w);
	hs_buf_free(&w2);
}
END_TEST

START_TEST(test_names_tables)
{
	eng_peer_state_t s;
	ck_assert_str_eq(eng_peer_state_name(ENG_PEER_INTRODUCED), "INTRODUCED");
	ck_assert_int_eq(eng_peer_state_parse("INTERRUPTED", &s), HS_OK);
	ck_assert_int_eq(s, ENG_PEER_INTERRUPTED);
	ck_assert_int_eq(eng_peer_state_parse("operational", &s), HS_E_MALFORMED);
	ck_assert_int_eq(eng_msg_type_parse("hello_ack"), ENG_MSG_HELLO_ACK);
	ck_assert_int_eq(eng_msg_type_parse("PING"), ENG_MSG_NONE);
	ck_assert_str_eq(eng_msg_type_name(ENG_MSG_BEAT), "BEAT");
}
END_TEST

static Suite *msg_suite(void)
{
	Suite *s = suite_create("eng_msg");
	TCase *tc = tcase_create("msg");
	tcase_add_test(tc, test_hello_roundtrip);
	tcase_add_test(tc, test_hello_negative);
	tcase_add_test(tc, test_ack);
	tcase_add_test(tc, test_beat_roundtrip);
	tcase_add_test(tc, test_names_tables);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(msg_suite)
