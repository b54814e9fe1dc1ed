/* check_core_retry.c -- the core's queue over (virtual) time: backoff,
 * exactly-once under lost replies, expiry, rejection, ordering, and
 * restarts of either side. */
#include "tp_harness.h"

static uint64_t inbox_n(h_world_t *w)
{
	return h_inbox_count(&w->p[1]);
}

static int alpha_done1(h_world_t *w)
{
	return w->p[0].nout >= 1;
}

static int alpha_done2(h_world_t *w)
{
	return w->p[0].nout >= 2;
}

static int alpha_done4(h_world_t *w)
{
	return w->p[0].nout >= 4;
}

static void send_ping(h_world_t *w, const char *okey, uint8_t id[TP_MSGID_LEN])
{
	ck_assert_int_eq(tp_core_send(w->p[0].core, "beta.example.", "PING", NULL, 0, okey, id),
	                 HS_OK);
}

/* requirements: TP-35 TP-56 */
START_TEST(test_backoff_then_exactly_once)
{
	h_world_t w;
	h_world_init(&w);
	h_world_open(&w, 2);
	w.drop_notify_replies = 4; /* the NOTIFY arrives, the receipt is lost */
	send_ping(&w, NULL, NULL);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert_int_eq(w.nnotify, 5);
	for (int k = 1; k < 5; k++) {
		uint64_t base = 2000ull << (k - 1), gap = w.notify_times[k] - w.notify_times[k - 1];
		ck_assert_msg(gap >= base / 2 && gap <= base + base / 2,
		              "retry %d after %llu ms, base %llu", k, (unsigned long long)gap,
		              (unsigned long long)base);
	}
	ck_assert_uint_eq(inbox_n(&w), 1);
	tp_core_stats_t sa, sb;
	tp_core_stats(w.p[0].core, &sa);
	tp_core_stats(w.p[1].core, &sb);
	ck_assert_uint_eq(sa.retried, 4);
	ck_assert_uint_eq(sb.received, 1);
	ck_assert_uint_eq(sb.duplicates, 4);
	/* the same by peer: alpha's view of beta, beta's of alpha */
	tp_peer_stats_t pa, pb;
	ck_assert_int_eq(tp_core_peer_stats(w.p[0].core, "beta.example.", &pa), HS_OK);
	ck_assert_uint_eq(pa.queued, 1);
	ck_assert_uint_eq(pa.attempts, 5);
	ck_assert_uint_eq(pa.retried, 4);
	ck_assert_uint_eq(pa.delivered, 1);
	ck_assert_uint_eq(pa.rejected + pa.expired + pa.pending, 0);
	ck_assert_uint_gt(pa.last_delivered_ms, 0);
	ck_assert_int_eq(tp_core_peer_stats(w.p[1].core, "alpha.example.", &pb), HS_OK);
	ck_assert_uint_eq(pb.received, 1);
	ck_assert_uint_eq(pb.duplicates, 4);
	ck_assert_uint_eq(pb.queued + pb.refused, 0);
	/* nothing for a stranger, and the out-parameter is zeroed */
	ck_assert_int_eq(tp_core_peer_stats(w.p[0].core, "gamma.example.", &pa), HS_E_NOTFOUND);
	ck_assert_uint_eq(pa.delivered, 0);
	st_outq_item_t it;
	ck_assert_int_eq(st_outq_get(w.p[0].st, w.p[0].out[0].id, &it), HS_OK);
	ck_assert_uint_eq(it.attempts, 5);
	ck_assert_int_eq(it.state, ST_OUTQ_DELIVERED);
	st_outq_item_clear(&it);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-56 */
START_TEST(test_backoff_cap)
{
	h_world_t w;
	h_world_init(&w);
	h_world_open(&w, 2);
	w.drop_notify_requests = 9;
	send_ping(&w, NULL, NULL);
	ck_assert(h_run(&w, alpha_done1, 3600000));
	ck_assert_int_eq(w.nnotify, 10);
	/* 2, 4, 8, 16, 32, then capped at 60 s: factor in [0.5, 1.5] */
	for (int k = 6; k < 10; k++) {
		uint64_t gap = w.notify_times[k] - w.notify_times[k - 1];
		ck_assert_uint_ge(gap, 30000);
		ck_assert_uint_le(gap, 90000);
	}
	ck_assert_uint_eq(inbox_n(&w), 1);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-57 */
START_TEST(test_expiry)
{
	h_world_t w;
	h_world_init(&w);
	w.p[0].cfg.lifetime_ms = 20000;
	h_core_open(&w, 0); /* beta is down */
	uint64_t t0 = w.fake.mono_ms;
	send_ping(&w, NULL, NULL);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_EXPIRED);
	ck_assert_uint_ge(w.p[0].out[0].at_mono - t0, 20000);
	ck_assert_uint_le(w.p[0].out[0].at_mono - t0, 20001);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_OUTQ_EXPIRED), 1);
	ck_assert_int_ge(w.nnotify, 3);
	int n = w.nnotify;
	ck_assert(h_run(&w, NULL, 600000));
	ck_assert_int_eq(w.nnotify, n); /* nothing after expiry */
	tp_core_stats_t s;
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.expired, 1);
	tp_peer_stats_t ps;
	ck_assert_int_eq(tp_core_peer_stats(w.p[0].core, "beta.example.", &ps), HS_OK);
	ck_assert_uint_eq(ps.expired, 1);
	ck_assert_uint_eq(ps.attempts, (uint64_t)n);
	ck_assert_uint_eq(ps.retried, (uint64_t)n - 1);
	ck_assert_uint_eq(ps.delivered + ps.pending, 0);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-29 TP-31 */
START_TEST(test_rejected_unknown_key_no_retry)
{
	h_world_t w;
	hpke_key_t *stale = NULL, *pub = NULL;
	uint8_t pk[64];
	size_t pklen = sizeof(pk);
	h_world_init(&w);
	/* alpha believes in an HPKE key beta does not have */
	ck_assert_int_eq(hpke_key_generate(&stale, HPKE_KEM_X25519_SHA256, &w.fake.env), HS_OK);
	ck_assert_int_eq(hpke_key_public(pk, &pklen, stale), HS_OK);
	ck_assert_int_eq(hpke_key_from_public(&pub, HPKE_KEM_X25519_SHA256, pk, pklen), HS_OK);
	ck_assert_int_eq(tp_registry_set_hpke(w.p[0].reg, "beta.example.", pub), HS_OK);
	h_world_open(&w, 2);
	send_ping(&w, NULL, NULL);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_REJECTED);
	ck_assert_str_eq(w.p[0].out[0].reason, "unknown-key");
	ck_assert(h_run(&w, NULL, 600000));
	ck_assert_int_eq(w.nnotify, 1);
	ck_assert_uint_eq(inbox_n(&w), 0);
	tp_peer_stats_t pa, pb;
	ck_assert_int_eq(tp_core_peer_stats(w.p[0].core, "beta.example.", &pa), HS_OK);
	ck_assert_uint_eq(pa.rejected, 1);
	ck_assert_uint_eq(pa.delivered + pa.retried, 0);
	ck_assert_int_eq(tp_core_peer_stats(w.p[1].core, "alpha.example.", &pb), HS_OK);
	ck_assert_uint_eq(pb.refused, 1);
	ck_assert_uint_eq(pb.received, 0);
	hpke_key_free(stale);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-58 */
START_TEST(test_order_key)
{
	h_world_t w;
	uint8_t id[4][TP_MSGID_LEN];
	h_world_init(&w);
	h_world_open(&w, 2);
	w.drop_notify_requests = 1; /* the first z message is delayed */
	send_ping(&w, "zone.example.", id[0]);
	send_ping(&w, "zone.example.", id[1]);
	send_ping(&w, "zone.example.", id[2]);
	send_ping(&w, NULL, id[3]);
	ck_assert(h_run(&w, alpha_done4, 600000));
	/* the unordered one went first; the z ones in queue order */
	ck_assert(memcmp(w.p[0].out[0].id, id[3], TP_MSGID_LEN) == 0);
	for (int i = 0; i < 3; i++) {
		ck_assert(memcmp(w.p[0].out[1 + i].id, id[i], TP_MSGID_LEN) == 0);
		ck_assert_int_eq(w.p[0].out[1 + i].outcome, TP_OUT_DELIVERED);
	}
	/* and arrived in that order */
	st_inbox_msg_t m;
	const int want[4] = {3, 0, 1, 2};
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(st_inbox_next(w.p[1].st, &m), HS_OK);
		ck_assert(memcmp(m.msgid, id[want[i]], TP_MSGID_LEN) == 0);
		ck_assert_int_eq(st_inbox_ack(w.p[1].st, m.seq), HS_OK);
		st_inbox_msg_clear(&m);
	}
	/* NOTIFYs: 4 first tries could not all go at once: z2, z3 waited */
	ck_assert_int_eq(w.nnotify, 5);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-55 */
START_TEST(test_sender_restart)
{
	h_world_t w;
	h_world_init(&w);
	h_core_open(&w, 0); /* beta down */
	send_ping(&w, NULL, NULL);
	send_ping(&w, "k", NULL);
	ck_assert(h_run(&w, NULL, 10000) == 0 || 1);
	ck_assert_int_eq(w.p[0].nout, 0);
	h_core_close(&w, 0);
	h_core_open(&w, 1);
	h_core_open(&w, 0); /* same store file */
	size_t pend = 0;
	tp_core_counts(w.p[0].core, &pend, NULL, NULL);
	ck_assert_uint_eq(pend, 2);
	ck_assert(h_run(&w, alpha_done2, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert_int_eq(w.p[0].out[1].outcome, TP_OUT_DELIVERED);
	ck_assert_uint_eq(inbox_n(&w), 2);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_OUTQ_PENDING), 0);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-36 */
START_TEST(test_receiver_restart)
{
	h_world_t w;
	h_world_init(&w);
	h_world_open(&w, 2);
	w.drop_notify_replies = 1;
	send_ping(&w, NULL, NULL);
	h_pump(&w);
	ck_assert_uint_eq(inbox_n(&w), 1);
	ck_assert_int_eq(w.p[0].nout, 0);
	h_core_close(&w, 1);
	h_core_open(&w, 1);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert_uint_eq(inbox_n(&w), 1);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.duplicates, 1);
	ck_assert_uint_eq(s.received, 0);
	h_world_free(&w);
}
END_TEST

static void send_big(h_world_t *w, size_t len)
{
	hs_buf_t b = {0};
	hs_buf_append_u8(&b, 0x81);
	hs_buf_append_u8(&b, 0xa1);
	hs_buf_append_u8(&b, 'x');
	hs_buf_append_u8(&b, 0xc6);
	hs_buf_append_u32(&b, (uint32_t)len);
	for (size_t i = 0; i < len; i++)
		hs_buf_append_u8(&b, (uint8_t)(i * 13));
	ck_assert_int_eq(
	    tp_core_send(w->p[0].core, "beta.example.", "SYNC", b.data, b.len, NULL, NULL), HS_OK);
	hs_buf_free(&b);
}

/* requirements: TP-22 */
START_TEST(test_fetch_lost_chunk_replies)
{
	h_world_t w;
	h_world_init(&w);
	w.p[0].cfg.chunk_size = 1000;
	h_world_open(&w, 2);
	w.drop_chunk_replies = 2; /* retried by the fetch itself */
	send_big(&w, 5000);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert_uint_eq(inbox_n(&w), 1);
	ck_assert_int_eq(w.nnotify, 2); /* the NOTIFY and its confirmation */
	h_world_free(&w);
}
END_TEST

/* requirements: TP-22 TP-32 */
START_TEST(test_fetch_abandoned_then_resent)
{
	h_world_t w;
	h_world_init(&w);
	w.p[0].cfg.chunk_size = 1000;
	h_world_open(&w, 2);
	w.drop_chunk_replies = 3; /* the manifest never arrives: fetch gives up */
	send_big(&w, 5000);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert_uint_eq(inbox_n(&w), 1);
	ck_assert_int_eq(w.nnotify, 3);
	    /* + the confirming NOTIFY */ /* re-sent after the fetch timeout */
	ck_assert_uint_ge(w.notify_times[1] - w.notify_times[0], 60000);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.fetches_failed, 1);
	size_t d = 9;
	(void)h_run(&w, NULL, 3600000); /* the delivered distribution expires */
	tp_core_counts(w.p[0].core, NULL, &d, NULL);
	ck_assert_uint_eq(d, 0);
	h_world_free(&w);
}
END_TEST

/* The answer to the LAST chunk query is lost after the sender served it:
 * the receiver asks again and is answered; the sender counts the message
 * delivered only when R answers its confirming NOTIFY with "duplicate". */
/* requirements: TP-32 TP-33 */
START_TEST(test_last_chunk_answer_lost)
{
	h_world_t w;
	h_world_init(&w);
	w.p[0].cfg.chunk_size = 1000;
	h_world_open(&w, 2);
	w.drop_chunk_reply_nth = 7; /* manifest + 6 chunks of a 5157-octet envelope */
	send_big(&w, 5000);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	(void)h_run(&w, NULL, 10000);
	ck_assert_int_eq(w.chunk_replies, 8); /* the 7th asked again */
	ck_assert_uint_eq(inbox_n(&w), 1);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.fetches_failed, 0);
	ck_assert_uint_eq(s.received, 1);
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.confirms_sent, 1); /* delivered on R's "duplicate" */
	h_world_free(&w);
}
END_TEST

/* requirements: TP-22 */
START_TEST(test_fetch_paced_by_budget)
{
	h_world_t w;
	h_world_init(&w);
	w.p[0].cfg.chunk_size = 1000;
	w.p[0].cfg.budget_rate = 2; /* alpha verifies 2 chunk queries a second */
	w.p[0].cfg.budget_burst = 3;
	h_world_open(&w, 2);
	send_big(&w, 10000);
	ck_assert(h_run(&w, alpha_done1, 600000));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	ck_assert_uint_eq(inbox_n(&w), 1);
	ck_assert_int_eq(w.nnotify, 2);
	    /* the fetch paused, it did not fail; + confirm */ /* the fetch paused, it did not fail
	                                                        */
	tp_core_stats_t sa, sb;
	tp_core_stats(w.p[0].core, &sa);
	tp_core_stats(w.p[1].core, &sb);
	ck_assert_uint_gt(sa.errors[TP_ERR_RATELIMIT], 0);
	ck_assert_uint_eq(sb.fetches_failed, 0);
	h_world_free(&w);
}
END_TEST

START_TEST(test_prune)
{
	h_world_t w;
	uint64_t n = 9;
	h_world_init(&w);
	for (int i = 0; i < 2; i++) {
		w.p[i].cfg.lifetime_ms = 20000;
		w.p[i].cfg.prune_interval_ms = 1000;
	}
	h_world_open(&w, 2);
	send_ping(&w, NULL, NULL);
	ck_assert(h_run(&w, alpha_done1, 60000));
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_ANY), 1);
	ck_assert_int_eq(st_replay_count(w.p[1].st, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	/* before lifetime + W: both kept */
	hs_env_fake_advance(&w.fake, 5000);
	tp_core_tick(w.p[0].core);
	tp_core_tick(w.p[1].core);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_ANY), 1);
	ck_assert_int_eq(st_replay_count(w.p[1].st, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	/* the finished row goes after one lifetime, the replay entry after
	 * lifetime + W (300 s) */
	hs_env_fake_advance(&w.fake, 20000);
	tp_core_tick(w.p[0].core);
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_ANY), 0);
	hs_env_fake_advance(&w.fake, 300000);
	tp_core_tick(w.p[1].core);
	ck_assert_int_eq(st_replay_count(w.p[1].st, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(inbox_n(&w), 1); /* the inbox is the application's */
	h_world_free(&w);
}
END_TEST

Suite *retry_suite(void);
Suite *retry_suite(void)
{
	Suite *s = suite_create("core_retry");
	TCase *tc = tcase_create("retry");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_backoff_then_exactly_once);
	tcase_add_test(tc, test_backoff_cap);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_rejected_unknown_key_no_retry);
	tcase_add_test(tc, test_order_key);
	tcase_add_test(tc, test_sender_restart);
	tcase_add_test(tc, test_receiver_restart);
	tcase_add_test(tc, test_fetch_lost_chunk_replies);
	tcase_add_test(tc, test_fetch_abandoned_then_resent);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_fetch_paced_by_budget);
	tcase_add_test(tc, test_last_chunk_answer_lost);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(retry_suite)
