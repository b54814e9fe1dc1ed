/* check_core.c -- the transport core end to end in-process: delivery
 * inline and by fetch, exactly-once, and the receive-path refusals. */
#include "tp_harness.h"

#include "transport/tpmsg.h"

/* A body {"data": bin(len)} with a recognisable pattern. */
static void make_body(hs_buf_t *b, size_t len, uint8_t seed)
{
	static const uint8_t key[] = {0x81, 0xa4, 'd', 'a', 't', 'a', 0xc6};
	hs_buf_reset(b);
	hs_buf_append(b, key, sizeof(key));
	hs_buf_append_u32(b, (uint32_t)len);
	for (size_t i = 0; i < len; i++)
		hs_buf_append_u8(b, (uint8_t)(seed + i * 7 + (i >> 9)));
}

static int one_outcome(h_world_t *w)
{
	return w->p[0].nout >= 1;
}

/* Send `len` octets alpha -> beta; check they arrive intact, once. */
static void deliver(size_t len, size_t inline_limit, size_t chunk_size, int expect_fetch)
{
	h_world_t w;
	hs_buf_t body = {0};
	uint8_t id[TP_MSGID_LEN];
	h_world_init(&w);
	w.p[0].cfg.inline_limit = inline_limit;
	w.p[0].cfg.chunk_size = chunk_size;
	h_world_open(&w, 2);
	make_body(&body, len, (uint8_t)len);
	ck_assert_int_eq(
	    tp_core_send(w.p[0].core, "Beta.Example", "SYNC", body.data, body.len, NULL, id),
	    HS_OK);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_OUTQ_PENDING), 1);
	ck_assert(h_run(&w, one_outcome, 10000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert(memcmp(w.p[0].out[0].id, id, TP_MSGID_LEN) == 0);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_OUTQ_PENDING), 0);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_OUTQ_DELIVERED), 1);
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 1);
	ck_assert_int_eq(w.p[1].inbox_calls, 1);

	st_inbox_msg_t m;
	tp_msg_t dec;
	ck_assert_int_eq(st_inbox_next(w.p[1].st, &m), HS_OK);
	ck_assert_str_eq(m.sender, "alpha.example.");
	ck_assert_str_eq(m.type, "SYNC");
	ck_assert(memcmp(m.msgid, id, TP_MSGID_LEN) == 0);
	ck_assert_int_eq(tp_msg_decode(m.msg, m.len, &dec), HS_OK);
	ck_assert_str_eq(dec.from, "alpha.example.");
	ck_assert_str_eq(dec.to, "beta.example.");
	ck_assert_uint_eq(dec.body_len, body.len);
	ck_assert(memcmp(dec.body, body.data, body.len) == 0);
	ck_assert_int_eq(st_inbox_ack(w.p[1].st, m.seq), HS_OK);
	st_inbox_msg_clear(&m);

	tp_core_stats_t sa, sb;
	tp_core_stats(w.p[0].core, &sa);
	tp_core_stats(w.p[1].core, &sb);
	ck_assert_uint_eq(sa.delivered, 1);
	ck_assert_uint_eq(sa.notifies_sent, 1);
	ck_assert_uint_eq(sb.received, 1);
	if (expect_fetch) {
		ck_assert_uint_eq(sa.sent_fetch, 1);
		ck_assert_uint_eq(sb.fetches_started, 1);
		ck_assert_uint_ge(sa.chunks_served, 2);
		/* manifest + ceil(envelope / chunk size) data chunks */
		ck_assert_uint_ge(sa.chunks_served, 1 + (len + chunk_size - 1) / chunk_size);
		ck_assert_uint_le(sa.chunks_served, 2 + (len + 200 + chunk_size - 1) / chunk_size);
		ck_assert_uint_eq(sb.chunk_queries_sent, sa.chunks_served);
	} else {
		ck_assert_uint_eq(sa.sent_inline, 1);
		ck_assert_uint_eq(sb.fetches_started, 0);
	}
	size_t pend, dists, fetches;
	/* a delivered distribution lingers for re-asked chunks, then expires */
	(void)h_run(&w, NULL, 3600000);
	tp_core_counts(w.p[0].core, &pend, &dists, &fetches);
	ck_assert_uint_eq(pend + dists, 0);
	tp_core_counts(w.p[1].core, &pend, &dists, &fetches);
	ck_assert_uint_eq(fetches, 0);
	hs_buf_free(&body);
	h_world_free(&w);
}

/* requirements: TP-15 TP-26 */
START_TEST(test_deliver_1b_inline)
{
	deliver(1, 0, 0, 0);
}
END_TEST

START_TEST(test_deliver_1k_fetch_small_inline_limit)
{
	deliver(1024, 300, 1000, 1);
}
END_TEST

/* requirements: TP-16 TP-17 TP-19 TP-20 */
START_TEST(test_deliver_1k_default_is_fetch)
{
	/* 1 KiB of body + envelope + SIG(0) does not fit 1232 */
	deliver(1024, 0, 60000, 1);
}
END_TEST

START_TEST(test_deliver_1k_inline_big_limit)
{
	deliver(1024, 4000, 0, 0);
}
END_TEST

START_TEST(test_deliver_60k_fetch_60000)
{
	deliver(60 * 1024, 0, 60000, 1);
}
END_TEST

START_TEST(test_deliver_60k_fetch_1000)
{
	deliver(60 * 1024, 0, 1000, 1);
}
END_TEST

/* requirements: TP-16 */
START_TEST(test_deliver_60k_inline_tcp)
{
	deliver(60 * 1024, 65535, 0, 0);
}
END_TEST

START_TEST(test_deliver_1m_fetch_60000)
{
	deliver(1024 * 1024, 0, 60000, 1);
}
END_TEST

/* requirements: TP-18 TP-22 */
START_TEST(test_deliver_1m_fetch_1000)
{
	deliver(1024 * 1024, 0, 1000, 1);
}
END_TEST

START_TEST(test_send_arguments)
{
	h_world_t w;
	static const uint8_t notmap[] = {0x91, 0x01};
	h_world_init(&w);
	h_world_open(&w, 1);
	ck_assert_int_eq(tp_core_send(w.p[0].core, "nobody.example.", "SYNC", NULL, 0, NULL, NULL),
	                 HS_E_NOTFOUND);
	ck_assert_int_eq(tp_core_send(w.p[0].core, "beta.example.", "NOSUCH", NULL, 0, NULL, NULL),
	                 HS_E_UNKNOWN_TYPE);
	ck_assert_int_eq(tp_core_send(w.p[0].core, "beta.example.", "SYNC", notmap, 2, NULL, NULL),
	                 HS_E_MALFORMED);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_ANY), 0);
	h_world_free(&w);
}
END_TEST

Suite *core_suite(void);
Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("deliver");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_deliver_1b_inline);
	tcase_add_test(tc, test_deliver_1k_fetch_small_inline_limit);
	tcase_add_test(tc, test_deliver_1k_default_is_fetch);
	tcase_add_test(tc, test_deliver_1k_inline_big_limit);
	tcase_add_test(tc, test_deliver_60k_fetch_60000);
	tcase_add_test(tc, test_deliver_60k_fetch_1000);
	tcase_add_test(tc, test_deliver_60k_inline_tcp);
	tcase_add_test(tc, test_deliver_1m_fetch_60000);
	tcase_add_test(tc, test_deliver_1m_fetch_1000);
	tcase_add_test(tc, test_send_arguments);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(core_suite)
