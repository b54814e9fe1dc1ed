/* check_core_guard.c -- the core's admission control under load
 * (draft-hsync-transport section 9.10): amplification of every answer to
 * an unauthenticated request (LOAD-4), spoofed bad signatures that cannot
 * spend a proven peer's budget (LOAD-2, LOAD-3), response rate limiting
 * with slip (LOAD-5), refusal log lines (LOAD-6). */
#include "tp_harness.h"

#include "transport/cookie.h"
#include "transport/names.h"
#include "wire/dnsmsg.h"
#include "wire/proto.h"

/* A CHUNK question (opcode, QNAME) with OPT 1232 and the options `opt`. */
static void mk_req(hs_buf_t *b, unsigned opcode, const char *qname, const uint8_t *opt,
                   size_t optlen)
{
	uint8_t qn[255];
	size_t ql = 0;
	ck_assert_int_eq(tp_name_wire(qname, qn, &ql), HS_OK);
	hs_buf_reset(b);
	hs_buf_append_u16(b, 0x4242);
	hs_buf_append_u16(b, (uint16_t)(opcode << 11));
	hs_buf_append_u16(b, 1);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 1);
	hs_buf_append(b, qn, ql);
	hs_buf_append_u16(b, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(b, 1);
	hs_buf_append_u8(b, 0);
	hs_buf_append_u16(b, 41);
	hs_buf_append_u16(b, 1232);
	hs_buf_append_u32(b, 0);
	hs_buf_append_u16(b, (uint16_t)optlen);
	if (optlen)
		hs_buf_append(b, opt, optlen);
}

/* A NOTIFY claiming alpha with a broken SIG(0) by alpha's key, and a
 * client cookie when `cookie` is non-zero. */
static void forged_notify(h_world_t *w, hs_buf_t *b, int cookie)
{
	hs_buf_t opt = HS_BUF_INIT;
	if (cookie) {
		tp_cookie_t ck;
		memset(&ck, 0, sizeof(ck));
		memset(ck.client, cookie, sizeof(ck.client));
		tp_cookie_put(&ck, &opt);
	}
	mk_req(b, 4, "00112233445566778899aabbccddeeff.alpha.example.", opt.data, opt.len);
	ck_assert_int_eq(sig0_sign(w->p[0].sig0, b, hs_now_s(&w->fake.env), NULL, NULL), HS_OK);
	b->data[b->len - 7] ^= 0x10;
	hs_buf_free(&opt);
}

/* The answer of beta to `m` from `src` over UDP (empty: none). */
static void ask_beta(h_world_t *w, const char *src, const hs_buf_t *m, hs_buf_t *r)
{
	hs_buf_reset(r);
	ck_assert_int_eq(tp_core_on_request(w->p[1].core, src, m->data, m->len, 1232, r), HS_OK);
}

static int is_signed(h_world_t *w, const hs_buf_t *r)
{
	const sig0_key_t *keys[1] = {w->p[1].sig0};
	sig0_verdict_t v;
	return sig0_verify(r->data, r->len, keys, 1, hs_now_s(&w->fake.env), NULL, &v) == HS_OK;
}

static unsigned rcode_of(const hs_buf_t *r)
{
	unsigned rc = r->data[3] & 15;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	ck_assert_int_eq(dnsmsg_open(&it, r->data, r->len), HS_OK);
	while (dnsmsg_next(&it, &rr) == HS_OK)
		if (rr.type == 41)
			rc |= (rr.ttl >> 24) << 4;
	return rc;
}

/* LOAD-4: every answer to a request that proved nothing is unsigned and
 * no longer than the request, whatever the request. */
START_TEST(test_amplification)
{
	h_world_t w;
	hs_buf_t m = HS_BUF_INIT, r = HS_BUF_INIT, o = HS_BUF_INIT;
	double worst = 0;
	h_world_init(&w);
	w.p[1].cfg.rrl_rate = 1000000; /* count every answer */
	w.p[1].cfg.unproven_rate = 3;
	w.p[1].cfg.unproven_burst = 3;
	h_world_open(&w, 2);
	for (int kind = 0; kind < 9; kind++) {
		switch (kind) {
		case 0: /* 12 octets of header, nothing else */
			hs_buf_reset(&m);
			hs_buf_append(&m, "\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
			break;
		case 1: /* garbage after a header */
			hs_buf_reset(&m);
			hs_buf_append(&m, "\x12\x34\x00\x00\x00\x05\x00\x07\x00\x00\x00\x00", 12);
			hs_buf_append(&m, "abcdefgh", 8);
			break;
		case 2: /* an unsigned chunk query, bare OPT */
			mk_req(&m, 0, "0.beta.example.0011.alpha.example.", NULL, 0);
			break;
		case 3: /* the same with a client cookie */
			tp_cookie_t ck;
			memset(&ck, 0, sizeof(ck));
			hs_buf_reset(&o);
			tp_cookie_put(&ck, &o);
			mk_req(&m, 0, "0.beta.example.0011.alpha.example.", o.data, o.len);
			break;
		case 4: /* a malformed cookie */
			hs_buf_reset(&o);
			hs_buf_append(&o, "\x00\x0a\x00\x03xyz", 7);
			mk_req(&m, 4, "a.alpha.example.", o.data, o.len);
			break;
		case 5: /* not a CHUNK question */
			mk_req(&m, 0, "x.", NULL, 0);
			m.data[m.len - 13] = 1;
			ck_assert_int_eq(
			    sig0_sign(w.p[0].sig0, &m, hs_now_s(&w.fake.env), NULL, NULL), HS_OK);
			break;
		default: /* forged signatures until the unproven budget is gone
		          * (kind 8: BADCOOKIE, with and without cookie) */
			forged_notify(&w, &m, kind == 8 ? 9 : 0);
			break;
		}
		for (int rep = 0; rep < 2; rep++) {
			ask_beta(&w, "192.0.2.7", &m, &r);
			ck_assert_uint_gt(r.len, 0);
			ck_assert_uint_le(r.len, m.len);
			ck_assert(!is_signed(&w, &r));
			double a = (double)r.len / (double)m.len;
			if (a > worst)
				worst = a;
		}
	}
	ck_assert(worst <= 1.0);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.badcookie_sent, 2);
	ck_assert_uint_ge(s.tc_sent, 1);
	ck_assert_uint_eq(s.unsigned_sent, 18);
	hs_buf_free(&m);
	hs_buf_free(&r);
	hs_buf_free(&o);
	h_world_free(&w);
}
END_TEST

static int first_delivered(h_world_t *w)
{
	return w->p[0].nout >= 1;
}

static int second_delivered(h_world_t *w)
{
	return w->p[0].nout >= 2;
}

/* LOAD-2, LOAD-3: forged NOTIFYs in alpha's name, spoofed from alpha's
 * own /24 and from 200 other /24s, cost at most the unproven budget in
 * verifications and get BADCOOKIE or TC=1; alpha, proven by its cookie,
 * still delivers at once. */
START_TEST(test_spoofed_flood)
{
	h_world_t w;
	hs_buf_t m = HS_BUF_INIT, r = HS_BUF_INIT, body = HS_BUF_INIT;
	char src[32];
	h_world_init(&w);
	w.p[1].cfg.unproven_rate = 5;
	w.p[1].cfg.unproven_burst = 5;
	h_world_open(&w, 2);
	hs_buf_append_u8(&body, 0x80);
	/* one message first: alpha learns beta's server cookie */
	ck_assert_int_eq(
	    tp_core_send(w.p[0].core, "beta.example.", "PING", body.data, body.len, NULL, NULL),
	    HS_OK);
	ck_assert(h_run(&w, first_delivered, 60000));
	tp_core_stats_t s0, s1;
	tp_core_stats(w.p[1].core, &s0);
	for (int i = 0; i < 400; i++) {
		if (i % 2)
			snprintf(src, sizeof(src), "10.%d.%d.9", i / 256, i % 200);
		else
			snprintf(src, sizeof(src), "127.0.0.%d", 2 + i % 200); /* alpha's /24 */
		forged_notify(&w, &m, i % 4 < 2 ? 0 : 7);
		ask_beta(&w, src, &m, &r);
	}
	tp_core_stats(w.p[1].core, &s1);
	/* at most the unproven burst was verified */
	ck_assert_uint_le(s1.forged - s0.forged, 5);
	ck_assert_uint_ge(s1.tc_sent + s1.badcookie_sent + s1.rrl_dropped + s1.rrl_slipped -
	                      (s0.tc_sent + s0.badcookie_sent + s0.rrl_dropped + s0.rrl_slipped),
	                  395);
	/* alpha: proven, its own budget; delivered without a retry */
	ck_assert_int_eq(
	    tp_core_send(w.p[0].core, "beta.example.", "PING", body.data, body.len, NULL, NULL),
	    HS_OK);
	ck_assert(h_run(&w, second_delivered, 60000));
	ck_assert_int_eq(w.p[0].out[1].outcome, TP_OUT_DELIVERED);
	tp_core_stats(w.p[0].core, &s0);
	ck_assert_uint_eq(s0.retried, 0);
	ck_assert_uint_eq(s0.cookie_retries, 0);
	tp_peer_stats_t ps;
	ck_assert_int_eq(tp_core_peer_stats(w.p[1].core, "alpha.example.", &ps), HS_OK);
	ck_assert_uint_eq(ps.forged, s1.forged);
	hs_buf_free(&m);
	hs_buf_free(&r);
	hs_buf_free(&body);
	h_world_free(&w);
}
END_TEST

/* LOAD-5: over rrl_rate answers per second a source gets no answer,
 * except every rrl_slip-th, which is TC=1; a second later it has answers
 * again. TCP is not limited. */
START_TEST(test_rrl_slip)
{
	h_world_t w;
	hs_buf_t m = HS_BUF_INIT, r = HS_BUF_INIT;
	int answered = 0, tc = 0, none = 0;
	h_world_init(&w);
	w.p[1].cfg.rrl_rate = 2;
	w.p[1].cfg.rrl_slip = 2;
	h_world_open(&w, 2);
	mk_req(&m, 4, "00112233445566778899aabbccddeeff.alpha.example.", NULL, 0);
	for (int i = 0; i < 10; i++) {
		ask_beta(&w, "198.51.100.1", &m, &r);
		if (r.len == 0)
			none++;
		else if (r.data[2] & 0x02)
			tc++;
		else
			answered++;
	}
	ck_assert_int_eq(answered, 2);
	ck_assert_int_eq(tc, 4);
	ck_assert_int_eq(none, 4);
	/* another network is not affected */
	ask_beta(&w, "198.51.101.1", &m, &r);
	ck_assert_uint_gt(r.len, 0);
	ck_assert_uint_eq(rcode_of(&r), 5);
	/* over TCP: answered */
	tp_core_req_t in = {.src = "198.51.100.1", .tcp = 1, .limit = 65535};
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request_ex(w.p[1].core, &in, m.data, m.len, &r), HS_OK);
	ck_assert_uint_eq(rcode_of(&r), 5);
	/* a second later */
	hs_env_fake_advance(&w.fake, 1000);
	ask_beta(&w, "198.51.100.1", &m, &r);
	ck_assert_uint_gt(r.len, 0);
	ck_assert(!(r.data[2] & 0x02));
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.rrl_dropped, 4);
	ck_assert_uint_eq(s.rrl_slipped, 4);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

static unsigned nlines, nother;
static char last_line[512];

static void hook(enum hs_log_level level, const char *subsys, const char *line, void *arg)
{
	(void)arg;
	if (level == HS_LOG_NOTICE && strcmp(subsys, "transport") == 0 &&
	    strstr(line, "refused") != NULL) {
		nlines++;
		nother += strstr(line, "other sources") != NULL;
		snprintf(last_line, sizeof(last_line), "%s", line);
	}
}

/* LOAD-6: refusals are logged at the default level, once per source per
 * interval with counts, and a flood from many networks makes a bounded
 * number of lines. */
START_TEST(test_log_lines)
{
	h_world_t w;
	hs_buf_t m = HS_BUF_INIT, r = HS_BUF_INIT;
	char src[32];
	uint64_t delay;
	h_world_init(&w);
	w.p[1].cfg.log_interval_ms = 10000;
	h_world_open(&w, 2);
	hs_log_set_level(HS_LOG_NOTICE);
	hs_log_set_hook(hook, NULL);
	mk_req(&m, 4, "00112233445566778899aabbccddeeff.alpha.example.", NULL, 0);
	for (int i = 0; i < 50; i++)
		ask_beta(&w, "203.0.113.5", &m, &r);
	ck_assert_uint_eq(nlines, 0);
	/* the core wants to run when the line is due */
	ck_assert_int_eq(tp_core_next_deadline(w.p[1].core, &delay), HS_OK);
	ck_assert_uint_le(delay, 10000);
	hs_env_fake_advance(&w.fake, 10000);
	tp_core_tick(w.p[1].core);
	ck_assert_uint_eq(nlines, 1);
	ck_assert_msg(strstr(last_line, "refused 50 requests from '203.0.113.0/24'") != NULL, "%s",
	              last_line);
	/* 20 answered (rrl-rate), of the other 30 every second one slipped */
	ck_assert_msg(strstr(last_line, "(unsigned 50); 15 not answered") != NULL, "%s", last_line);
	/* 300 networks: at most 16 lines per interval (the one above was
	 * the first of this interval), and one for all the others */
	nlines = 0;
	for (int i = 0; i < 300; i++) {
		snprintf(src, sizeof(src), "10.%d.%d.1", i / 200, i % 200);
		ask_beta(&w, src, &m, &r);
	}
	ck_assert_uint_eq(nlines, 15);
	nlines = 0;
	hs_env_fake_advance(&w.fake, 10000);
	tp_core_tick(w.p[1].core);
	ck_assert_uint_eq(nlines, 17);
	ck_assert_uint_eq(nother, 1);
	ck_assert_msg(strstr(last_line, "from 269 other sources") != NULL, "%s", last_line);
	hs_log_set_hook(NULL, NULL);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

static Suite *guard_suite(void)
{
	Suite *s = suite_create("guard");
	TCase *tc = tcase_create("guard");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_amplification);
	tcase_add_test(tc, test_spoofed_flood);
	tcase_add_test(tc, test_rrl_slip);
	tcase_add_test(tc, test_log_lines);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(guard_suite)
