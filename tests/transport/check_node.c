/*
 * Tests for src/transport/node.h: two nodes in one process on one loop,
 * bound to port 0 on loopback, exchanging real DNS messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"

#include "hpke/keyfile.h"
#include "transport/node.h"
#include "transport/tpmsg.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define WAIT_MS 20000

/* One party: key files in `dir`, records for the other's configuration. */
struct party {
	const char *name;
	char *sig0_base;
	hs_buf_t keyrr, hpkerr;
};

static void make_party(const char *dir, struct party *p, const char *name)
{
	sig0_key_t *k = NULL;
	hpke_keyfile_t kf;
	char owner[64], *path;
	hs_errmsg_t em;

	memset(p, 0, sizeof(*p));
	p->name = name;
	snprintf(owner, sizeof(owner), "dns.%s.example.", name);
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, owner, &k, &em), HS_OK);
	ck_assert_int_eq(sig0_key_write_files(k, dir, 1700000000, &p->sig0_base, &em), HS_OK);
	sig0_key_rr_text(k, &p->keyrr);
	sig0_key_free(k);
	memset(&kf, 0, sizeof(kf));
	kf.suite.kem = HPKE_KEM_X25519_SHA256;
	kf.suite.kdf = HPKE_KDF_SHA256;
	kf.suite.aead = HPKE_AEAD_AES256GCM;
	ck_assert_int_eq(hpke_key_generate(&kf.key, kf.suite.kem, hs_env_system()), HS_OK);
	path = xasprintf("%s/%s.hpke", dir, name);
	ck_assert_int_eq(hpke_keyfile_write(path, &kf), HS_OK);
	free(path);
	ck_assert_int_eq(hpke_keyfile_record(&p->hpkerr, &kf, owner), HS_OK);
	hpke_keyfile_clear(&kf);
}

static void party_free(struct party *p)
{
	free(p->sig0_base);
	hs_buf_free(&p->keyrr);
	hs_buf_free(&p->hpkerr);
}

/* The configuration of `me` with `peer` at port 1 (fixed up later); `extra`
 * holds indented lines of the transport section. */
static void make_conf(const char *dir, const struct party *me, const struct party *peer,
                      const char *extra, tp_conf_t *out)
{
	hs_buf_t t = HS_BUF_INIT;
	hs_errmsg_t em;

	hs_buf_printf(&t,
	              "server:\n  identity: %s.example.\n  listen: 127.0.0.1@1\n  store: %s.db\n"
	              "  sig0-key: %s.private\n  hpke-key: %s.hpke\n"
	              "transport:\n  retry-min: 200ms\n  retry-max: 1s\n  timeout: 300ms\n%s\n"
	              "peer:\n  identity: %s.example.\n  address: 127.0.0.1@1\n  key: %s\n"
	              "  hpkekey: %s\n",
	              me->name, me->name, me->sig0_base, me->name, extra, peer->name,
	              hs_buf_cstr((hs_buf_t *)&peer->keyrr),
	              hs_buf_cstr((hs_buf_t *)&peer->hpkerr));
	ck_assert_msg(tp_conf_parse((const char *)t.data, t.len, dir, out, &em) == HS_OK, "%s",
	              hs_errmsg_str(&em));
	hs_buf_free(&t);
}

/* What the application side of a node saw. */
struct app {
	tp_node_t *node;
	int delivered, rejected, expired, inbox_calls;
	uint8_t last_id[TP_MSGID_LEN];
	hs_buf_t last_msg; /* plaintext of the last message taken from the inbox */
	size_t taken;
};

static void app_inbox(void *arg)
{
	struct app *a = arg;
	st_inbox_msg_t m;

	a->inbox_calls++;
	while (st_inbox_next(tp_node_store(a->node), &m) == HS_OK) {
		hs_buf_reset(&a->last_msg);
		hs_buf_append(&a->last_msg, m.msg, m.len);
		ck_assert_int_eq(st_inbox_ack(tp_node_store(a->node), m.seq), HS_OK);
		st_inbox_msg_clear(&m);
		a->taken++;
	}
}

static void app_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                        enum tp_outcome outcome, const char *reason)
{
	struct app *a = arg;

	(void)peer;
	(void)reason;
	memcpy(a->last_id, msgid, TP_MSGID_LEN);
	if (outcome == TP_OUT_DELIVERED)
		a->delivered++;
	else if (outcome == TP_OUT_REJECTED)
		a->rejected++;
	else
		a->expired++;
}

/* Two running nodes, alpha and beta, that know each other's ports. */
struct pair {
	char *dir;
	struct party pa, pb;
	tp_conf_t ca, cb;
	tp_loop_t *loop;
	struct app aa, ab;
};

static void pair_start(struct pair *p, const char *alpha_extra)
{
	tp_node_hooks_t ha = {app_inbox, app_outcome, &p->aa},
	                hb = {app_inbox, app_outcome, &p->ab};
	tp_node_opts_t opts = {TP_NODE_ANY_PORT, 0, 0};
	hs_errmsg_t em;

	memset(p, 0, sizeof(*p));
	p->dir = tu_tmpdir();
	make_party(p->dir, &p->pa, "alpha");
	make_party(p->dir, &p->pb, "beta");
	make_conf(p->dir, &p->pa, &p->pb, alpha_extra, &p->ca);
	make_conf(p->dir, &p->pb, &p->pa, "", &p->cb);
	ck_assert_int_eq(tp_loop_new(&p->loop), HS_OK);
	ck_assert_msg(tp_node_new(p->loop, &p->ca, hs_env_system(), &ha, &opts, &p->aa.node, &em) ==
	                  HS_OK,
	              "%s", hs_errmsg_str(&em));
	ck_assert_msg(tp_node_new(p->loop, &p->cb, hs_env_system(), &hb, &opts, &p->ab.node, &em) ==
	                  HS_OK,
	              "%s", hs_errmsg_str(&em));
	ck_assert_uint_ne(tp_node_port(p->aa.node), 0);
	ck_assert_int_eq(tp_node_set_peer_address(p->aa.node, "beta.example", "127.0.0.1",
	                                          tp_node_port(p->ab.node)),
	                 HS_OK);
	ck_assert_int_eq(tp_node_set_peer_address(p->ab.node, "alpha.example", "127.0.0.1",
	                                          tp_node_port(p->aa.node)),
	                 HS_OK);
}

static void pair_stop(struct pair *p)
{
	tp_node_free(p->aa.node);
	tp_node_free(p->ab.node);
	tp_loop_free(p->loop);
	tp_conf_clear(&p->ca);
	tp_conf_clear(&p->cb);
	party_free(&p->pa);
	party_free(&p->pb);
	hs_buf_free(&p->aa.last_msg);
	hs_buf_free(&p->ab.last_msg);
	tu_rmtree(p->dir);
	free(p->dir);
}

static int cond_delivered(void *arg)
{
	struct pair *p = arg;
	return p->aa.delivered + p->aa.rejected + p->aa.expired > 0 && p->ab.taken > 0;
}

/* body {"n": bin(len)} with a pattern */
static void make_body(hs_buf_t *b, size_t len)
{
	size_t i;

	hs_buf_append_u8(b, 0x81);
	hs_buf_append_u8(b, 0xa1);
	hs_buf_append_u8(b, 'n');
	hs_buf_append_u8(b, 0xc6);
	hs_buf_append_u32(b, (uint32_t)len);
	for (i = 0; i < len; i++)
		hs_buf_append_u8(b, (uint8_t)(i * 31 + 7));
}

static void deliver_one(const char *extra, size_t size, int want_inline)
{
	struct pair p;
	hs_buf_t body = HS_BUF_INIT;
	uint8_t id[TP_MSGID_LEN];
	tp_msg_t m;
	tp_node_stats_t sa, sb;

	pair_start(&p, extra);
	make_body(&body, size);
	ck_assert_int_eq(
	    tp_node_send(p.aa.node, "beta.example.", "PING", body.data, body.len, NULL, id), HS_OK);
	ck_assert_int_eq(tp_loop_run_until(p.loop, cond_delivered, &p, WAIT_MS), HS_OK);
	ck_assert_int_eq(p.aa.delivered, 1);
	ck_assert_mem_eq(p.aa.last_id, id, TP_MSGID_LEN);
	ck_assert_uint_eq(p.ab.taken, 1);
	ck_assert_int_eq(tp_msg_decode(p.ab.last_msg.data, p.ab.last_msg.len, &m), HS_OK);
	ck_assert_mem_eq(m.id, id, TP_MSGID_LEN);
	ck_assert_str_eq(m.from, "alpha.example.");
	ck_assert_str_eq(m.to, "beta.example.");
	ck_assert_str_eq(m.type, "PING");
	ck_assert_uint_eq(m.body_len, body.len);
	ck_assert_mem_eq(m.body, body.data, body.len);
	tp_node_stats(p.aa.node, &sa);
	tp_node_stats(p.ab.node, &sb);
	ck_assert_uint_eq(sa.core.delivered, 1);
	ck_assert_uint_eq(sb.core.received, 1);
	if (want_inline)
		ck_assert_uint_eq(sa.core.sent_inline, 1);
	else
		ck_assert_uint_ge(sa.core.sent_fetch, 1);
	ck_assert_uint_gt(sb.ep.requests, 0);
	ck_assert_uint_gt(sa.ep.sends, 0);
	hs_buf_free(&body);
	pair_stop(&p);
}

START_TEST(test_inline)
{
	deliver_one("", 200, 1);
}
END_TEST

START_TEST(test_fetch)
{
	deliver_one("  inline-limit: 0", 100000, 0);
}
END_TEST

START_TEST(test_fetch_small_chunks_udp)
{
	deliver_one("  chunk-size: 700\n  inline-limit: 0", 5000, 0);
}
END_TEST

START_TEST(test_unknown_peer_and_type)
{
	struct pair p;
	hs_buf_t body = HS_BUF_INIT;

	pair_start(&p, "");
	make_body(&body, 1);
	ck_assert_int_eq(
	    tp_node_send(p.aa.node, "gamma.example.", "PING", body.data, body.len, NULL, NULL),
	    HS_E_NOTFOUND);
	ck_assert_int_eq(
	    tp_node_send(p.aa.node, "beta.example.", "NOSUCH", body.data, body.len, NULL, NULL),
	    HS_E_UNKNOWN_TYPE);
	ck_assert_int_eq(tp_node_set_peer_address(p.aa.node, "gamma.example", "127.0.0.1", 9),
	                 HS_E_NOTFOUND);
	ck_assert_int_eq(tp_node_set_peer_address(p.aa.node, "beta.example", "nohost", 9),
	                 HS_E_INVAL);
	hs_buf_free(&body);
	pair_stop(&p);
}
END_TEST

/* Freed while NOTIFYs are outstanding (the peer never answers): nothing
 * leaks, nothing is called after free, and the queue keeps the message. */
START_TEST(test_stop_in_flight)
{
	struct pair p;
	hs_buf_t body = HS_BUF_INIT;
	st_t *st = NULL;
	uint64_t n = 0;
	hs_errmsg_t em;
	int i;

	pair_start(&p, "");
	/* beta is "elsewhere": a port nobody answers on (alpha's own UDP port
	 * of a client-only endpoint would answer nothing either) */
	ck_assert_int_eq(tp_node_set_peer_address(p.aa.node, "beta.example", "127.0.0.1", 9),
	                 HS_OK);
	make_body(&body, 10);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(tp_node_send(p.aa.node, "beta.example.", "PING", body.data,
		                              body.len, NULL, NULL),
		                 HS_OK);
	(void)tp_loop_run_until(p.loop, cond_delivered, &p, 100); /* let them go out */
	tp_node_free(p.aa.node);
	p.aa.node = NULL;
	ck_assert_int_eq(p.aa.delivered, 0);
	ck_assert_int_eq(st_open(p.ca.store, &st, &em), HS_OK);
	ck_assert_int_eq(st_outq_count(st, ST_OUTQ_PENDING, &n), HS_OK);
	ck_assert_uint_eq(n, 3);
	st_close(st);
	hs_buf_free(&body);
	pair_stop(&p);
}
END_TEST

/* A node started on a store with queued messages sends them. */
START_TEST(test_resume_queue)
{
	struct pair p;
	hs_buf_t body = HS_BUF_INIT;
	tp_node_hooks_t ha = {app_inbox, app_outcome, NULL};
	tp_node_opts_t opts = {TP_NODE_ANY_PORT, 0, 0};
	hs_errmsg_t em;

	pair_start(&p, "");
	ha.arg = &p.aa;
	ck_assert_int_eq(tp_node_set_peer_address(p.aa.node, "beta.example", "127.0.0.1", 9),
	                 HS_OK);
	make_body(&body, 10);
	ck_assert_int_eq(
	    tp_node_send(p.aa.node, "beta.example.", "PING", body.data, body.len, NULL, NULL),
	    HS_OK);
	tp_node_free(p.aa.node);
	ck_assert_int_eq(tp_node_new(p.loop, &p.ca, hs_env_system(), &ha, &opts, &p.aa.node, &em),
	                 HS_OK);
	ck_assert_int_eq(tp_node_set_peer_address(p.aa.node, "beta.example", "127.0.0.1",
	                                          tp_node_port(p.ab.node)),
	                 HS_OK);
	ck_assert_int_eq(tp_node_set_peer_address(p.ab.node, "alpha.example", "127.0.0.1",
	                                          tp_node_port(p.aa.node)),
	                 HS_OK);
	ck_assert_int_eq(tp_loop_run_until(p.loop, cond_delivered, &p, WAIT_MS), HS_OK);
	ck_assert_int_eq(p.aa.delivered, 1);
	ck_assert_uint_eq(p.ab.taken, 1);
	hs_buf_free(&body);
	pair_stop(&p);
}
END_TEST

static int cond_burst(void *arg)
{
	struct pair *p = arg;
	return p->aa.delivered + p->aa.rejected + p->aa.expired >= 40 && p->ab.taken >= 40;
}

/* COMMIT-4: a burst of 40 messages does not wait for its end: the first
 * NOTIFYs are handed to the endpoint while the application is still
 * queueing (a round ends after 16 core calls), every message arrives
 * exactly once, and the profile follows each one through its stages. */
START_TEST(test_burst_rounds)
{
	struct pair p;
	hs_buf_t body = HS_BUF_INIT;
	tp_node_stats_t sa, sb;
	int i;

	pair_start(&p, "  max-in-flight: 64");
	tp_node_set_profile(p.aa.node, hs_mono_us_system, NULL);
	tp_node_set_profile(p.ab.node, hs_mono_us_system, NULL);
	make_body(&body, 200);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(tp_node_send(p.aa.node, "beta.example.", "PING", body.data,
		                              body.len, NULL, NULL),
		                 HS_OK);
	/* the loop has not run yet: NOTIFYs left with the early rounds */
	tp_node_stats(p.aa.node, &sa);
	ck_assert_uint_ge(sa.ep.sends, 16);
	ck_assert_uint_ge(sa.prof.rounds, 2);
	ck_assert_int_eq(tp_loop_run_until(p.loop, cond_burst, &p, WAIT_MS), HS_OK);
	ck_assert_int_eq(p.aa.delivered, 40);
	ck_assert_uint_eq(p.ab.taken, 40);
	tp_node_stats(p.aa.node, &sa);
	tp_node_stats(p.ab.node, &sb);
	ck_assert_uint_ge(sb.core.received, 40);
	for (i = TP_PROF_QUEUED_SENT; i <= TP_PROF_ANSWERED_OUTCOME; i++) {
		ck_assert_uint_eq(sa.prof.st[i].n, 40);
		ck_assert_uint_ge(sa.prof.st[i].sum_us, sa.prof.st[i].max_us);
	}
	for (i = TP_PROF_REQ_CORE; i <= TP_PROF_REQ_DURABLE_SENT; i++)
		ck_assert_uint_ge(sb.prof.st[i].n, 40);
	ck_assert_str_eq(tp_prof_stage_name(TP_PROF_REQ_COMMIT), "core-commit");
	ck_assert_str_eq(tp_prof_stage_name(TP_PROF_COUNT), "?");
	hs_buf_free(&body);
	pair_stop(&p);
}
END_TEST

START_TEST(test_bad_config)
{
	char *dir = tu_tmpdir();
	struct party a, b;
	tp_conf_t c;
	tp_loop_t *loop = NULL;
	tp_node_t *n = NULL;
	hs_errmsg_t em;
	tp_node_opts_t opts = {TP_NODE_ANY_PORT, 0, 0};
	char *keep;

	make_party(dir, &a, "alpha");
	make_party(dir, &b, "beta");
	ck_assert_int_eq(tp_loop_new(&loop), HS_OK);

	/* alpha's configuration with beta's SIG(0) key as its own */
	make_conf(dir, &a, &b, "", &c);
	keep = c.sig0_key;
	c.sig0_key = xasprintf("%s/%s.private", dir, b.sig0_base);
	ck_assert_int_eq(tp_node_new(loop, &c, hs_env_system(), NULL, &opts, &n, &em), HS_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "is not \"dns.alpha.example.\""));
	free(c.sig0_key);
	c.sig0_key = keep;

	/* a missing HPKE key file */
	keep = c.hpke_key;
	c.hpke_key = xasprintf("%s/none.hpke", dir);
	ck_assert_int_ne(tp_node_new(loop, &c, hs_env_system(), NULL, &opts, &n, &em), HS_OK);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "hpke-key"));
	free(c.hpke_key);
	c.hpke_key = keep;

	/* a listen address that is taken */
	ck_assert_int_eq(tp_node_new(loop, &c, hs_env_system(), NULL, &opts, &n, &em), HS_OK);
	{
		tp_node_t *n2 = NULL;
		tp_node_opts_t same = {tp_node_port(n), 0, 0};
		ck_assert_int_eq(tp_node_new(loop, &c, hs_env_system(), NULL, &same, &n2, &em),
		                 HS_E_NET);
	}
	tp_node_free(n);
	tp_conf_clear(&c);
	tp_loop_free(loop);
	party_free(&a);
	party_free(&b);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *node_suite(void)
{
	Suite *s = suite_create("node");
	TCase *tc = tcase_create("core");

	hs_log_set_level(HS_LOG_ERR);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_inline);
	tcase_add_test(tc, test_fetch);
	tcase_add_test(tc, test_fetch_small_chunks_udp);
	tcase_add_test(tc, test_unknown_peer_and_type);
	tcase_add_test(tc, test_stop_in_flight);
	tcase_add_test(tc, test_resume_queue);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_burst_rounds);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(node_suite)
