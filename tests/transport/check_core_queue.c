/* check_core_queue.c -- the sender's queue limits and the receiver's
 * fetch limits (draft-hsync-transport sections 10 and 9.10): a lifetime
 * per message (QUEUE-1), a peer without an HPKE key waits without
 * attempts (QUEUE-2), more than 65535 chunks refused when queued
 * (QUEUE-3), the memory of distributions and fetches (MEM-1, MEM-2), and
 * a NOTIFY for a failed fetch starting nothing (FETCH-1). */
#include "tp_harness.h"

#include "transport/names.h"

/* A msgpack map {"x": bin(len)}. */
static void body_of(hs_buf_t *b, size_t len)
{
	hs_buf_reset(b);
	hs_buf_append_u8(b, 0x81);
	hs_buf_append_u8(b, 0xa1);
	hs_buf_append_u8(b, 'x');
	hs_buf_append_u8(b, 0xc6);
	hs_buf_append_u32(b, (uint32_t)len);
	for (size_t i = 0; i < len; i++)
		hs_buf_append_u8(b, (uint8_t)i);
}

static size_t pending(h_party_t *p)
{
	size_t n = 0;
	tp_core_counts(p->core, &n, NULL, NULL);
	return n;
}

static int one_out(h_world_t *w)
{
	return w->p[0].nout >= 1;
}

/* QUEUE-1: a message given 5 s of life expires after 5 s, though the core's
 * lifetime is a day; a life longer than the core's is cut to it. */
START_TEST(test_lifetime)
{
	h_world_t w;
	hs_buf_t b = HS_BUF_INIT;
	h_world_init(&w);
	h_world_open(&w, 1); /* beta never answers */
	body_of(&b, 10);
	tp_msg_opts_t o = {NULL, 5000};
	uint64_t t0 = w.fake.mono_ms;
	ck_assert_int_eq(
	    tp_core_send_ex(w.p[0].core, "beta.example.", "BEAT", b.data, b.len, &o, NULL), HS_OK);
	ck_assert(h_run(&w, one_out, 3600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_EXPIRED);
	ck_assert_uint_le(w.p[0].out[0].at_mono - t0, 5000);
	ck_assert_uint_ge(w.p[0].out[0].at_mono - t0, 4000);
	st_outq_item_t it;
	ck_assert_int_eq(st_outq_get(w.p[0].st, w.p[0].out[0].id, &it), HS_OK);
	ck_assert_int_eq(it.expires_ms - it.created_ms, 5000);
	st_outq_item_clear(&it);
	/* cut to the core's lifetime */
	uint8_t id[TP_MSGID_LEN];
	o.lifetime_ms = 400ull * 24 * 3600 * 1000;
	ck_assert_int_eq(
	    tp_core_send_ex(w.p[0].core, "beta.example.", "SYNC", b.data, b.len, &o, id), HS_OK);
	ck_assert_int_eq(st_outq_get(w.p[0].st, id, &it), HS_OK);
	ck_assert_int_eq(it.expires_ms - it.created_ms, 24ll * 3600 * 1000);
	st_outq_item_clear(&it);
	hs_buf_free(&b);
	h_world_free(&w);
}
END_TEST

/* QUEUE-2: without an HPKE key for the peer no attempt is made (no NOTIFY,
 * no retries for an hour); when the key comes, the message goes. */
START_TEST(test_no_hpke_key_waits)
{
	h_world_t w;
	hs_buf_t b = HS_BUF_INIT;
	tp_action_t a;
	h_world_init(&w);
	/* alpha knows delta's address and SIG(0) key only */
	ck_assert_int_eq(tp_registry_add(w.p[0].reg, "delta.example.", "127.0.0.1", 5399), HS_OK);
	h_world_open(&w, 2);
	body_of(&b, 10);
	ck_assert_int_eq(
	    tp_core_send(w.p[0].core, "delta.example.", "PING", b.data, b.len, NULL, NULL), HS_OK);
	ck_assert_int_eq(tp_core_next_action(w.p[0].core, &a), HS_E_NOTFOUND);
	for (int i = 0; i < 60; i++) {
		hs_env_fake_advance(&w.fake, 60000);
		tp_core_tick(w.p[0].core);
		ck_assert_int_eq(tp_core_next_action(w.p[0].core, &a), HS_E_NOTFOUND);
	}
	tp_core_stats_t s;
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.parked, 1);
	ck_assert_uint_eq(s.notifies_sent, 0);
	ck_assert_uint_eq(pending(&w.p[0]), 1);
	/* the key arrives (discovery): sent at once */
	hpke_key_t *h = NULL;
	uint8_t pk[64];
	size_t pklen = sizeof(pk);
	ck_assert_int_eq(hpke_key_public(pk, &pklen, w.p[2].hpke), HS_OK);
	ck_assert_int_eq(hpke_key_from_public(&h, HPKE_KEM_X25519_SHA256, pk, pklen), HS_OK);
	ck_assert_int_eq(tp_registry_set_hpke(w.p[0].reg, "delta.example.", h), HS_OK);
	tp_core_peer_changed(w.p[0].core, "DELTA.example");
	ck_assert_int_eq(tp_core_next_action(w.p[0].core, &a), HS_OK);
	ck_assert_int_eq(a.kind, TP_ACT_NOTIFY);
	tp_action_clear(&a);
	hs_buf_free(&b);
	h_world_free(&w);
}
END_TEST

/* QUEUE-3: a body that needs more than 65535 chunks is refused when
 * queued. */
START_TEST(test_chunk_count_limit)
{
	h_world_t w;
	hs_buf_t b = HS_BUF_INIT;
	h_world_init(&w);
	w.p[0].cfg.chunk_size = 32;
	h_world_open(&w, 2);
	body_of(&b, 32 * 65535);
	ck_assert_int_eq(
	    tp_core_send(w.p[0].core, "beta.example.", "SYNC", b.data, b.len, NULL, NULL),
	    HS_E_LIMIT);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_ANY), 0);
	body_of(&b, 32 * 60000);
	ck_assert_int_eq(
	    tp_core_send(w.p[0].core, "beta.example.", "SYNC", b.data, b.len, NULL, NULL), HS_OK);
	hs_buf_free(&b);
	h_world_free(&w);
}
END_TEST

/* MEM-1: distributions held for fetching are capped; attempts beyond the
 * cap wait (no failure counted) and go when memory is free again. */
START_TEST(test_dist_memory)
{
	h_world_t w;
	hs_buf_t b = HS_BUF_INIT;
	tp_action_t a;
	tp_core_stats_t s;
	h_world_init(&w);
	w.p[0].cfg.dist_memory = 150000;
	h_world_open(&w, 2);
	body_of(&b, 60000);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(
		    tp_core_send(w.p[0].core, "beta.example.", "SYNC", b.data, b.len, NULL, NULL),
		    HS_OK);
	int notifies = 0;
	while (tp_core_next_action(w.p[0].core, &a) == HS_OK) {
		notifies += a.kind == TP_ACT_NOTIFY;
		tp_action_clear(&a);
	}
	ck_assert_int_eq(notifies, 2); /* 2 x ~60 KB fit in 150 KB, the third does not */
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_ge(s.dist_waits, 2);
	ck_assert_uint_le(s.dist_bytes, 150000);
	ck_assert_uint_eq(s.retried, 0);
	hs_buf_free(&b);
	h_world_free(&w);
}
END_TEST

static int all_delivered(h_world_t *w)
{
	return w->p[0].nout >= 2;
}

/* MEM-2, FETCH-2: a receiver whose fetch memory is in use answers a further fetch
 * NOTIFY with SERVFAIL; the sender retries later and both arrive. */
START_TEST(test_fetch_memory)
{
	h_world_t w;
	hs_buf_t b = HS_BUF_INIT;
	h_world_init(&w);
	w.p[1].cfg.fetch_memory = 50000;
	w.p[0].cfg.retry_min_ms = 100;
	w.p[0].cfg.retry_max_ms = 200;
	h_world_open(&w, 2);
	body_of(&b, 60000);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(
		    tp_core_send(w.p[0].core, "beta.example.", "SYNC", b.data, b.len, NULL, NULL),
		    HS_OK);
	ck_assert(h_run(&w, all_delivered, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert_int_eq(w.p[0].out[1].outcome, TP_OUT_DELIVERED);
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 2);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.fetch_bytes, 0);
	/* the second fetch was refused (at its NOTIFY or its manifest) */
	ck_assert_uint_ge(s.refused[TP_REASON_OVERLOAD] + s.fetch_refused, 1);
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_ge(s.retried, 1);
	hs_buf_free(&b);
	h_world_free(&w);
}
END_TEST

/* FETCH-1: a fetch NOTIFY replayed after its fetch failed starts no new
 * fetch: it is answered SERVFAIL (signed), and the sender of the real one
 * sends anew under a new distribution id. */
START_TEST(test_failed_fetch_replay)
{
	h_world_t w;
	hs_buf_t b = HS_BUF_INIT, r = HS_BUF_INIT, notify = HS_BUF_INIT;
	tp_action_t a;
	tp_core_stats_t s0, s1;
	h_world_init(&w);
	h_world_open(&w, 2);
	body_of(&b, 5000);
	ck_assert_int_eq(
	    tp_core_send(w.p[0].core, "beta.example.", "SYNC", b.data, b.len, NULL, NULL), HS_OK);
	ck_assert_int_eq(tp_core_next_action(w.p[0].core, &a), HS_OK);
	hs_buf_append(&notify, a.msg, a.len);
	/* beta takes the NOTIFY (fetching) but alpha never answers a chunk */
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "127.0.0.1", a.msg, a.len, 1232, &r),
	                 HS_OK);
	tp_action_clear(&a);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(tp_core_next_action(w.p[1].core, &a), HS_OK);
		ck_assert_int_eq(tp_core_on_response(w.p[1].core, a.token, HS_E_TIMEOUT, NULL, 0),
		                 HS_OK);
		tp_action_clear(&a);
	}
	tp_core_stats(w.p[1].core, &s0);
	ck_assert_uint_eq(s0.fetches_failed, 1);
	/* the same NOTIFY again (within its SIG(0) window): nothing starts */
	hs_buf_reset(&r);
	ck_assert_int_eq(
	    tp_core_on_request(w.p[1].core, "127.0.0.1", notify.data, notify.len, 1232, &r), HS_OK);
	ck_assert_uint_eq(r.data[3] & 15, 2); /* SERVFAIL */
	const sig0_key_t *keys[1] = {w.p[1].sig0};
	sig0_verdict_t v;
	ck_assert_int_eq(sig0_verify(r.data, r.len, keys, 1, hs_now_s(&w.fake.env), NULL, &v),
	                 HS_OK);
	ck_assert_int_eq(tp_core_next_action(w.p[1].core, &a), HS_E_NOTFOUND);
	tp_core_stats(w.p[1].core, &s1);
	ck_assert_uint_eq(s1.fetches_started, s0.fetches_started);
	ck_assert_uint_eq(s1.notify_replays, 1);
	hs_buf_free(&b);
	hs_buf_free(&r);
	hs_buf_free(&notify);
	h_world_free(&w);
}
END_TEST

static Suite *queue_suite(void)
{
	Suite *s = suite_create("core_queue");
	TCase *tc = tcase_create("queue");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lifetime);
	tcase_add_test(tc, test_no_hpke_key_waits);
	tcase_add_test(tc, test_chunk_count_limit);
	tcase_add_test(tc, test_dist_memory);
	tcase_add_test(tc, test_fetch_memory);
	tcase_add_test(tc, test_failed_fetch_replay);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(queue_suite)
