/* check_core_refuse.c -- every receive-path refusal of the core: the
 * RCODE and EDE of the signed answer, and no change of inbox, replay
 * cache, queue or distributions. */
#include "tp_harness.h"

#include <sqlite3.h>

#include "transport/cookie.h"
#include "transport/manifest.h"
#include "transport/names.h"
#include "transport/tpmsg.h"
#include "wire/edns_opts.h"
#include "wire/dnsmsg.h"
#include "wire/proto.h"
#include "wire/rr_chunk.h"

/* A CHUNK question message: opcode, QNAME, OPT (1232, no options). */
static void mk_query(hs_buf_t *b, unsigned opcode, const uint8_t *qname, size_t qlen)
{
	hs_buf_reset(b);
	hs_buf_append_u16(b, 0x1234);
	hs_buf_append_u16(b, (uint16_t)(opcode << 11));
	hs_buf_append_u16(b, 1);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, 1);
	hs_buf_append(b, qname, qlen);
	hs_buf_append_u16(b, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(b, 1);
	static const uint8_t opt[] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
	hs_buf_append(b, opt, sizeof(opt));
}

static void sign_with(hs_buf_t *b, const sig0_key_t *k, uint32_t now)
{
	ck_assert_int_eq(sig0_sign(k, b, now, NULL, NULL), HS_OK);
}

/* Remove the SIG RR (the last record) of a signed message. */
static void strip_sig(hs_buf_t *b, uint32_t now)
{
	sig0_verdict_t v;
	(void)sig0_verify(b->data, b->len, NULL, 0, now, NULL, &v);
	ck_assert_uint_gt(v.sig_off, 12);
	b->len = v.sig_off;
	uint16_t ar = (uint16_t)(b->data[10] << 8 | b->data[11]);
	ar--;
	b->data[10] = (uint8_t)(ar >> 8);
	b->data[11] = (uint8_t)ar;
}

/* The reply's RCODE (12 bits) and EDE info code (0 if none). With
 * `reqlen` 0 the reply must be signed by `responder` (verifying the reply
 * alone, SIG-10: a response's signature does not cover the request);
 * otherwise it may instead be unsigned, and then no longer than `reqlen`
 * octets (LOAD-4: a request that proved nothing gets an unsigned answer,
 * amplification at most 1). *was_signed (may be NULL) says which. */
static void reply_codes_ex(h_world_t *w, int responder, const hs_buf_t *r, size_t reqlen,
                           unsigned *rcode, unsigned *ede, int *was_signed)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	const sig0_key_t *keys[1] = {w->p[responder].sig0};
	sig0_verdict_t v;
	int vr = sig0_verify(r->data, r->len, keys, 1, hs_now_s(&w->fake.env), NULL, &v);
	if (reqlen == 0 || vr == HS_OK) {
		ck_assert_int_eq(vr, HS_OK);
	} else {
		ck_assert_int_eq(v.status, SIG0_UNSIGNED);
		ck_assert_uint_le(r->len, reqlen);
	}
	if (was_signed != NULL)
		*was_signed = vr == HS_OK;
	ck_assert(r->data[2] & 0x80);
	*rcode = r->data[3] & 15;
	*ede = 0;
	ck_assert_int_eq(dnsmsg_open(&it, r->data, r->len), HS_OK);
	while (dnsmsg_next(&it, &rr) == HS_OK) {
		if (rr.type != 41)
			continue;
		*rcode |= (rr.ttl >> 24) << 4;
		const uint8_t *p = r->data + rr.rdata_off;
		size_t n = rr.rdlen;
		while (n >= 4) {
			unsigned code = (unsigned)(p[0] << 8 | p[1]),
			         ol = (unsigned)(p[2] << 8 | p[3]);
			if (code == 15 && ol >= 2)
				*ede = (unsigned)(p[4] << 8 | p[5]);
			p += 4 + ol;
			n -= 4 + ol;
		}
	}
}

static void reply_codes(h_world_t *w, int responder, const hs_buf_t *r, unsigned *rcode,
                        unsigned *ede)
{
	reply_codes_ex(w, responder, r, 0, rcode, ede, NULL);
}

typedef struct snap {
	uint64_t inbox, replay, outq_pending, outq_all;
	size_t items, dists, fetches;
	tp_core_stats_t stats;
} snap_t;

static snap_t snap(h_party_t *p)
{
	snap_t s;
	ck_assert_int_eq(st_inbox_count(p->st, &s.inbox), HS_OK);
	ck_assert_int_eq(st_replay_count(p->st, &s.replay), HS_OK);
	ck_assert_int_eq(st_outq_count(p->st, ST_OUTQ_PENDING, &s.outq_pending), HS_OK);
	ck_assert_int_eq(st_outq_count(p->st, ST_ANY, &s.outq_all), HS_OK);
	tp_core_counts(p->core, &s.items, &s.dists, &s.fetches);
	tp_core_stats(p->core, &s.stats);
	return s;
}

static void same_state(const snap_t *a, const snap_t *b)
{
	ck_assert_uint_eq(a->inbox, b->inbox);
	ck_assert_uint_eq(a->replay, b->replay);
	ck_assert_uint_eq(a->outq_pending, b->outq_pending);
	ck_assert_uint_eq(a->outq_all, b->outq_all);
	ck_assert_uint_eq(a->items, b->items);
	ck_assert_uint_eq(a->dists, b->dists);
	ck_assert_uint_eq(a->fetches, b->fetches);
	ck_assert_uint_eq(a->stats.received, b->stats.received);
	ck_assert_uint_eq(a->stats.fetches_started, b->stats.fetches_started);
}

/* The EDE a reply of `len` octets carries: none on a bare header. */
static unsigned want_rede(unsigned rcode, unsigned ede, size_t len)
{
	(void)rcode;
	return len == 12 ? 0 : ede;
}

/* Ask party `to` with `msg`; expect rcode/ede and no state change at
 * either core (SIG-20, TP-38). */
static void expect_refused(h_world_t *w, int to, const hs_buf_t *msg, unsigned want_rcode,
                           unsigned want_ede)
{
	snap_t a0 = snap(&w->p[0]), b0 = snap(&w->p[1]);
	hs_buf_t r = {0};
	unsigned rcode = 99, ede = 99;
	ck_assert_int_eq(
	    tp_core_on_request(w->p[to].core, "192.0.2.1", msg->data, msg->len, 1232, &r), HS_OK);
	int sig = 1;
	reply_codes_ex(w, to, &r, msg->len, &rcode, &ede, &sig);
	ck_assert_uint_eq(rcode, want_rcode);
	/* an unsigned answer carries its EDE only when that still leaves it
	 * no longer than the request (a code is 6 octets), and a request
	 * that did not parse gets a bare header */
	if (sig || r.len + 6 <= msg->len)
		ck_assert_uint_eq(ede, want_rede(want_rcode, want_ede, r.len));
	else
		ck_assert(ede == want_ede || ede == 0);
	tp_action_t a;
	ck_assert_int_eq(tp_core_next_action(w->p[to].core, &a), HS_E_NOTFOUND);
	snap_t a1 = snap(&w->p[0]), b1 = snap(&w->p[1]);
	same_state(&a0, &a1);
	same_state(&b0, &b1);
	/* counted once, in the class of its EDE */
	const snap_t *r0 = to == 0 ? &a0 : &b0, *r1 = to == 0 ? &a1 : &b1;
	ck_assert_uint_eq(r1->stats.errors_sent, r0->stats.errors_sent + 1);
	int cls = -1;
	for (int k = 0; k < TP_ERR_COUNT; k++)
		if (r1->stats.errors[k] != r0->stats.errors[k]) {
			ck_assert_int_eq(cls, -1);
			cls = k;
		}
	ck_assert_int_ne(cls, -1);
	ck_assert_int_ne(cls, TP_ERR_OTHER);
	hs_buf_free(&r);
}

/* The same over TCP (a proven source): the answer is unsigned, too. */
static void expect_refused_tcp(h_world_t *w, int to, const hs_buf_t *msg, unsigned want_rcode,
                               unsigned want_ede)
{
	hs_buf_t r = {0};
	unsigned rcode = 99, ede = 99;
	tp_core_req_t in = {.src = "192.0.2.1", .tcp = 1, .limit = 65535};
	ck_assert_int_eq(tp_core_on_request_ex(w->p[to].core, &in, msg->data, msg->len, &r), HS_OK);
	ck_assert_int_eq(in.accepted, 0);
	reply_codes_ex(w, to, &r, msg->len, &rcode, &ede, NULL);
	ck_assert_uint_eq(rcode, want_rcode);
	ck_assert_uint_eq(ede, want_ede);
	hs_buf_free(&r);
}

/* The NOTIFY alpha makes for a message of `len` body octets (not sent). */
static void take_notify(h_world_t *w, size_t len, hs_buf_t *out, char distid[64])
{
	hs_buf_t body = {0};
	tp_action_t a;
	char who[TP_IDENT_MAX];
	hs_buf_append_u8(&body, 0x81);
	hs_buf_append_u8(&body, 0xa1);
	hs_buf_append_u8(&body, 'x');
	hs_buf_append_u8(&body, 0xc6);
	hs_buf_append_u32(&body, (uint32_t)len);
	for (size_t i = 0; i < len; i++)
		hs_buf_append_u8(&body, (uint8_t)i);
	ck_assert_int_eq(
	    tp_core_send(w->p[0].core, "beta.example.", "SYNC", body.data, body.len, NULL, NULL),
	    HS_OK);
	ck_assert_int_eq(tp_core_next_action(w->p[0].core, &a), HS_OK);
	ck_assert_int_eq(a.kind, TP_ACT_NOTIFY);
	hs_buf_reset(out);
	hs_buf_append(out, a.msg, a.len);
	size_t q = 12;
	while (out->data[q] != 0)
		q += 1 + out->data[q];
	ck_assert_int_eq(tp_name_parse_notify(out->data + 12, q + 1 - 12, distid, who), HS_OK);
	tp_action_clear(&a);
	hs_buf_free(&body);
}

static uint32_t now_s(h_world_t *w)
{
	return hs_now_s(&w->fake.env);
}

/* requirements: TP-41 */
START_TEST(test_notify_unsigned)
{
	h_world_t w;
	hs_buf_t m = {0};
	char distid[64];
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 10, &m, distid);
	strip_sig(&m, now_s(&w));
	expect_refused(&w, 1, &m, 5, 65280);
	hs_buf_free(&m);
	h_world_free(&w);
}
END_TEST

/* requirements: SIG-16 SIG-18 TP-41 */
START_TEST(test_notify_wrong_key)
{
	h_world_t w;
	hs_buf_t m = {0};
	char distid[64];
	sig0_key_t *other = NULL;
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 10, &m, distid);
	strip_sig(&m, now_s(&w));
	/* same owner name, another key: not among alpha's keys */
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "dns.alpha.example.", &other, NULL),
	                 HS_OK);
	sign_with(&m, other, now_s(&w));
	expect_refused(&w, 1, &m, 17, 514); /* BADKEY in the OPT RR */
	/* alpha's key, but the signature altered */
	take_notify(&w, 10, &m, distid);
	m.data[m.len - 5] ^= 0x40;
	expect_refused(&w, 1, &m, 5, 529);
	/* signed by gamma (a known peer) while the name claims alpha */
	strip_sig(&m, now_s(&w));
	sign_with(&m, w.p[2].sig0, now_s(&w));
	expect_refused(&w, 1, &m, 17, 514);
	sig0_key_free(other);
	hs_buf_free(&m);
	h_world_free(&w);
}
END_TEST

START_TEST(test_notify_unknown_identity)
{
	h_world_t w;
	hs_buf_t m = {0};
	uint8_t qn[255];
	size_t ql = 0;
	sig0_key_t *delta = NULL;
	h_world_init(&w);
	h_world_open(&w, 2);
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "dns.delta.example.", &delta, NULL),
	                 HS_OK);
	ck_assert_int_eq(
	    tp_name_notify("00112233445566778899aabbccddeeff", "delta.example.", qn, &ql), HS_OK);
	mk_query(&m, 4, qn, ql);
	sign_with(&m, delta, now_s(&w));
	expect_refused(&w, 1, &m, 5, 65286);
	/* TP-6: a NOTIFY name that does not parse (one label; a distid
	 * label that is not hex) has its own code */
	ck_assert_int_eq(tp_name_wire("example.", qn, &ql), HS_OK);
	mk_query(&m, 4, qn, ql);
	sign_with(&m, w.p[0].sig0, now_s(&w));
	expect_refused(&w, 1, &m, 5, 65288);
	ck_assert_int_eq(tp_name_wire("not-hex.alpha.example.", qn, &ql), HS_OK);
	mk_query(&m, 4, qn, ql);
	sign_with(&m, w.p[0].sig0, now_s(&w));
	expect_refused(&w, 1, &m, 5, 65288);
	sig0_key_free(delta);
	hs_buf_free(&m);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-40 TP-41 */
START_TEST(test_malformed_requests)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	unsigned rcode, ede;
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 10, &m, distid);
	/* truncated inside the SIG: FORMERR; its OPT RR could not be read, so
	 * the reply has none (TP-39) and no EDE */
	m.len -= 3;
	expect_refused(&w, 1, &m, 1, 0);
	/* too short for a header / a response: no reply at all */
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, 11, 1232, &r),
	                 HS_E_MALFORMED);
	m.data[2] |= 0x80;
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_E_MALFORMED);
	ck_assert_uint_eq(r.len, 0);
	/* another qtype: refused, not supported */
	take_notify(&w, 10, &m, distid);
	strip_sig(&m, now_s(&w));
	size_t q = 12;
	while (m.data[q] != 0)
		q += 1 + m.data[q];
	m.data[q + 1] = 0;
	m.data[q + 2] = 1; /* A */
	sign_with(&m, w.p[0].sig0, now_s(&w));
	expect_refused(&w, 1, &m, 5, 21);
	(void)rcode;
	(void)ede;
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

static int delivered(h_world_t *w)
{
	return w->p[0].nout >= 1;
}

/* requirements: TP-35 */
START_TEST(test_notify_replayed)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 10, &m, distid);
	/* first arrival */
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 1);
	/* the same bytes again: answered duplicate, stored once */
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 1);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.received, 1);
	ck_assert_uint_eq(s.duplicates, 1);
	ck_assert_int_eq(w.p[1].inbox_calls, 1);
	/* the sender takes the duplicate receipt as delivery */
	ck_assert_int_eq(tp_core_on_response(w.p[0].core, 1, HS_OK, r.data, r.len), HS_OK);
	ck_assert(delivered(&w));
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_DELIVERED);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-29 TP-34 */
START_TEST(test_envelope_stale)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	h_world_init(&w);
	w.p[1].cfg.ts_window_s = 10;
	h_world_open(&w, 2);
	take_notify(&w, 10, &m, distid);
	/* 100 s later: SIG(0) still valid (300 s + skew), ts outside +-10 s */
	hs_env_fake_advance(&w.fake, 100000);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 0);
	uint64_t n = 9;
	ck_assert_int_eq(st_replay_count(w.p[1].st, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.refused[TP_REASON_STALE], 1);
	/* the sender finishes it as rejected/stale: no retry */
	ck_assert_int_eq(tp_core_on_response(w.p[0].core, 1, HS_OK, r.data, r.len), HS_OK);
	ck_assert_int_eq(w.p[0].nout, 1);
	ck_assert_int_eq(w.p[0].out[0].outcome, TP_OUT_REJECTED);
	ck_assert_str_eq(w.p[0].out[0].reason, "stale");
	ck_assert_uint_eq(h_outq_count(&w.p[0], ST_OUTQ_REJECTED), 1);
	ck_assert(h_run(&w, NULL, 600000));
	ck_assert_int_eq(w.p[0].nout, 1);
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.notifies_sent, 1);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* A fetch-mode distribution alpha -> beta exists (NOTIFY answered
 * "fetching"); beta's chunk queries are not sent. */
static void make_dist(h_world_t *w, char distid[64])
{
	hs_buf_t m = {0}, r = {0};
	tp_action_t a;
	take_notify(w, 5000, &m, distid);
	ck_assert_int_eq(tp_core_on_request(w->p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	ck_assert_int_eq(tp_core_on_response(w->p[0].core, 1, HS_OK, r.data, r.len), HS_OK);
	while (tp_core_next_action(w->p[1].core, &a) == HS_OK)
		tp_action_clear(&a);
	size_t d = 0;
	tp_core_counts(w->p[0].core, NULL, &d, NULL);
	ck_assert_uint_eq(d, 1);
	hs_buf_free(&m);
	hs_buf_free(&r);
}

/* beta's chunk query for `seq` of `distid` at alpha, signed by party
 * `signer` (or unsigned with -1). */
static void chunk_query(h_world_t *w, unsigned seq, const char *receiver, const char *distid,
                        const char *sender, int signer, hs_buf_t *m)
{
	uint8_t qn[255];
	size_t ql = 0;
	ck_assert_int_eq(tp_name_chunk(seq, receiver, distid, sender, qn, &ql), HS_OK);
	mk_query(m, 0, qn, ql);
	if (signer >= 0)
		sign_with(m, w->p[signer].sig0, now_s(w));
}

/* requirements: TP-8 TP-25 TP-41 */
START_TEST(test_chunk_query_refusals)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	uint8_t qn[255];
	size_t ql = 0;
	unsigned rcode, ede;
	h_world_init(&w);
	h_world_open(&w, 2);
	make_dist(&w, distid);
	/* beta's own query works (control) */
	ck_assert_int_eq(tp_name_chunk(0, "beta.example.", distid, "alpha.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[1].sig0, now_s(&w));
	ck_assert_int_eq(tp_core_on_request(w.p[0].core, "192.0.2.2", m.data, m.len, 1232, &r),
	                 HS_OK);
	reply_codes(&w, 0, &r, &rcode, &ede);
	ck_assert_uint_eq(rcode, 0);
	ck_assert_uint_eq(ede, 0);
	/* gamma (registered) asks for beta's chunk */
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[2].sig0, now_s(&w));
	expect_refused(&w, 0, &m, 5, 65282);
	/* gamma asks in its own name: not a distribution for gamma */
	ck_assert_int_eq(tp_name_chunk(0, "gamma.example.", distid, "alpha.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[2].sig0, now_s(&w));
	expect_refused(&w, 0, &m, 5, 65287);
	/* unsigned */
	ck_assert_int_eq(tp_name_chunk(1, "beta.example.", distid, "alpha.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	expect_refused(&w, 0, &m, 5, 65280);
	/* unknown distid */
	ck_assert_int_eq(tp_name_chunk(1, "beta.example.", "00000000000000000000000000000000",
	                               "alpha.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[1].sig0, now_s(&w));
	expect_refused(&w, 0, &m, 5, 65287);
	/* sequence beyond the last chunk (5000 octets in 60000-octet chunks: 1) */
	ck_assert_int_eq(tp_name_chunk(2, "beta.example.", distid, "alpha.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[1].sig0, now_s(&w));
	expect_refused(&w, 0, &m, 5, 65287);
	/* a name that is not ours does not parse (TP-6) */
	ck_assert_int_eq(tp_name_chunk(1, "beta.example.", distid, "gamma.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[1].sig0, now_s(&w));
	expect_refused(&w, 0, &m, 5, 65288);
	/* TP-9: beta's query signed under the name <R-id> instead of
	 * dns.<R-id> is refused on the name, before any key is tried */
	{
		sig0_key_t *bare = NULL;
		ck_assert_int_eq(
		    sig0_key_generate(SIG0_ALG_ED25519, 0, "beta.example.", &bare, NULL), HS_OK);
		ck_assert_int_eq(
		    tp_name_chunk(0, "beta.example.", distid, "alpha.example.", qn, &ql), HS_OK);
		mk_query(&m, 0, qn, ql);
		sign_with(&m, bare, now_s(&w));
		expect_refused(&w, 0, &m, 5, 65282);
		sig0_key_free(bare);
	}
	/* a receiver that is nobody we know */
	ck_assert_int_eq(tp_name_chunk(1, "delta.example.", distid, "alpha.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[1].sig0, now_s(&w));
	expect_refused(&w, 0, &m, 5, 65286);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* 1 when the reply has an OPT RR. */
static int reply_has_opt(const hs_buf_t *r)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	ck_assert_int_eq(dnsmsg_open(&it, r->data, r->len), HS_OK);
	while (dnsmsg_next(&it, &rr) == HS_OK)
		if (rr.type == 41)
			return 1;
	return 0;
}

/* Drop the OPT RR of an unsigned request built by mk_query (the last 11
 * octets, ARCOUNT - 1). */
static void drop_opt(hs_buf_t *b)
{
	b->len -= 11;
	b->data[11] = 0;
}

/* TP-39, SIG-24: a request without an OPT RR gets a reply
 * without one (RFC 6891 section 7): REFUSED in place of BADKEY/BADTIME,
 * no EDE; a verified request without OPT is FORMERR. Every reply sets
 * AA and copies RD (TP-44). */
START_TEST(test_no_opt_no_opt)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	uint8_t qn[255];
	size_t ql = 0;
	unsigned rcode, ede;
	sig0_key_t *other = NULL;
	h_world_init(&w);
	h_world_open(&w, 2);
	ck_assert_int_eq(
	    tp_name_notify("00112233445566778899aabbccddeeff", "alpha.example.", qn, &ql), HS_OK);
	struct {
		const char *what;
		int sign; /* 0 none, 1 alpha now, 2 alpha 20 min ago, 3 unknown key */
		unsigned rcode;
	} cases[] = {
	    {"unsigned", 0, 5},
	    {"signature expired", 2, 5},
	    {"unknown key", 3, 5},
	    {"verified, no OPT", 1, 1},
	};
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "dns.alpha.example.", &other, NULL),
	                 HS_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mk_query(&m, 4, qn, ql);
		drop_opt(&m);
		m.data[2] |= 0x01; /* RD: copied into the reply */
		if (cases[i].sign == 1)
			sign_with(&m, w.p[0].sig0, now_s(&w));
		else if (cases[i].sign == 2)
			sign_with(&m, w.p[0].sig0, now_s(&w) - 1200);
		else if (cases[i].sign == 3)
			sign_with(&m, other, now_s(&w));
		expect_refused(&w, 1, &m, cases[i].rcode, 0);
		hs_buf_reset(&r);
		ck_assert_int_eq(
		    tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r), HS_OK);
		/* unsigned before the SIG(0) verified (LOAD-4), signed after */
		int sig = 0;
		reply_codes_ex(&w, 1, &r, m.len, &rcode, &ede, &sig);
		ck_assert_int_eq(sig, cases[i].sign == 1);
		ck_assert_msg(!reply_has_opt(&r), "%s: reply has an OPT RR", cases[i].what);
		ck_assert(r.data[2] & 0x04); /* AA */
		ck_assert(r.data[2] & 0x01); /* RD copied */
	}
	/* with an OPT RR the same refusals carry it, with the EDE (control) */
	take_notify(&w, 10, &m, distid);
	strip_sig(&m, now_s(&w));
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	ck_assert(reply_has_opt(&r));
	ck_assert(r.data[2] & 0x04);
	ck_assert(!(r.data[2] & 0x01));
	sig0_key_free(other);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* TP-37: the same signed chunk query again is a retransmission
 * when it comes from the same address (answered, at most 4 times in all)
 * and a replay from any other address (REFUSED, EDE 65283). */
START_TEST(test_chunk_query_replayed)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	unsigned rcode, ede;
	h_world_init(&w);
	h_world_open(&w, 2);
	make_dist(&w, distid);
	chunk_query(&w, 0, "beta.example.", distid, "alpha.example.", 1, &m);
	for (int i = 0; i < 4; i++) { /* first arrival and three re-sends (UDP, TCP) */
		hs_buf_reset(&r);
		ck_assert_int_eq(tp_core_on_request(w.p[0].core,
		                                    i % 2 ? "192.0.2.2:5301" : "192.0.2.2", m.data,
		                                    m.len, 1232, &r),
		                 HS_OK);
		reply_codes(&w, 0, &r, &rcode, &ede);
		ck_assert_uint_eq(rcode, 0);
	}
	/* a fifth copy, even from the same address */
	expect_refused(&w, 0, &m, 5, 65283);
	/* a fresh query, replayed from elsewhere at once */
	chunk_query(&w, 0, "beta.example.", distid, "alpha.example.", -1, &m);
	m.data[0] ^= 0x55; /* another DNS id: another signature */
	sign_with(&m, w.p[1].sig0, now_s(&w));
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[0].core, "192.0.2.2", m.data, m.len, 1232, &r),
	                 HS_OK);
	reply_codes(&w, 0, &r, &rcode, &ede);
	ck_assert_uint_eq(rcode, 0);
	snap_t a0 = snap(&w.p[0]);
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[0].core, "198.51.100.7", m.data, m.len, 1232, &r),
	                 HS_OK);
	/* a copy proves nothing about its source: unsigned, minimal (LOAD-4) */
	int sig = 1;
	reply_codes_ex(&w, 0, &r, m.len, &rcode, &ede, &sig);
	ck_assert_int_eq(sig, 0);
	ck_assert_uint_eq(rcode, 5);
	ck_assert_uint_eq(ede, 65283);
	snap_t a1 = snap(&w.p[0]);
	ck_assert_uint_eq(a1.stats.chunks_served, a0.stats.chunks_served);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* A signed answer from alpha to beta's chunk query `q` carrying `ch`. */
static void chunk_answer(h_world_t *w, const tp_action_t *q, const hs_chunk_t *ch, hs_buf_t *out)
{
	size_t qend = 12;
	while (q->msg[qend] != 0)
		qend += 1 + q->msg[qend];
	qend += 5;
	hs_buf_reset(out);
	hs_buf_append_u16(out, (uint16_t)(q->msg[0] << 8 | q->msg[1]));
	hs_buf_append_u16(out, 0x8400);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 1);
	hs_buf_append(out, q->msg + 12, qend - 12);
	hs_buf_append_u16(out, 0xc00c);
	hs_buf_append_u16(out, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u32(out, 0);
	size_t lp = out->len;
	hs_buf_append_u16(out, 0);
	ck_assert_int_eq(hs_chunk_encode(ch, out, NULL), HS_OK);
	size_t rdl = out->len - lp - 2;
	out->data[lp] = (uint8_t)(rdl >> 8);
	out->data[lp + 1] = (uint8_t)rdl;
	static const uint8_t opt[] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
	hs_buf_append(out, opt, sizeof(opt));
	sign_with(out, w->p[0].sig0, hs_now_s(&w->fake.env));
}

/* The receipt carried by a NOTIFY reply. */
static void reply_receipt(const hs_buf_t *r, tp_receipt_t *rc)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	int found = 0;
	ck_assert_int_eq(dnsmsg_open(&it, r->data, r->len), HS_OK);
	while (dnsmsg_next(&it, &rr) == HS_OK)
		if (rr.type == 41) {
			/* option 65004, after the COOKIE when the request had one */
			const uint8_t *p = r->data + rr.rdata_off, *end = p + rr.rdlen;
			while (!found && end - p >= 4) {
				size_t ol = (size_t)(p[2] << 8 | p[3]);
				ck_assert_uint_le(ol, (size_t)(end - p - 4));
				if ((p[0] << 8 | p[1]) == 65004) {
					hs_opt_chunk_t ch;
					ck_assert_int_eq(hs_opt_chunk_decode(p + 4, ol, &ch, NULL),
					                 HS_OK);
					ck_assert_int_eq(
					    tp_receipt_decode(ch.data, ch.data_len, rc), HS_OK);
					found = 1;
				}
				p += 4 + ol;
			}
		}
	ck_assert(found);
}

/* TP-18: a fetched envelope whose SHA-256 is not the manifest's
 * is rejected with reason "digest": the confirming NOTIFY learns it. */
START_TEST(test_fetch_digest_mismatch)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0}, man = {0};
	char distid[64];
	tp_action_t a;
	tp_manifest_t mf;
	tp_receipt_t rc;
	uint8_t env[3000];
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 5000, &m, distid);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	reply_receipt(&r, &rc);
	ck_assert_int_eq(rc.status, TP_RCPT_FETCHING);
	/* beta asks for the manifest: alpha (by hand) announces 3000 octets
	 * with a digest that the octets it then serves do not have */
	ck_assert_int_eq(tp_core_next_action(w.p[1].core, &a), HS_OK);
	ck_assert_int_eq(a.kind, TP_ACT_CHUNK);
	memset(&mf, 0, sizeof(mf));
	memset(env, 0x5a, sizeof(env));
	mf.size = sizeof(env);
	mf.chunk_size = 60000;
	mf.format = 3;
	snprintf(mf.distid, sizeof(mf.distid), "%s", distid);
	snprintf(mf.sender, sizeof(mf.sender), "alpha.example.");
	snprintf(mf.receiver, sizeof(mf.receiver), "beta.example.");
	memset(mf.sha256, 0x11, sizeof(mf.sha256));
	ck_assert_int_eq(tp_manifest_plan(&mf), HS_OK);
	ck_assert_int_eq(tp_manifest_encode(&man, &mf), HS_OK);
	hs_chunk_t ch = {1, NULL, 0, 0, 1, man.data, (uint16_t)man.len};
	chunk_answer(&w, &a, &ch, &r);
	ck_assert_int_eq(tp_core_on_response(w.p[1].core, a.token, HS_OK, r.data, r.len), HS_OK);
	tp_action_clear(&a);
	ck_assert_int_eq(tp_core_next_action(w.p[1].core, &a), HS_OK);
	hs_chunk_t c1 = {3, NULL, 0, 1, 1, env, sizeof(env)};
	chunk_answer(&w, &a, &c1, &r);
	ck_assert_int_eq(tp_core_on_response(w.p[1].core, a.token, HS_OK, r.data, r.len), HS_OK);
	tp_action_clear(&a);
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 0);
	/* the confirming NOTIFY (the same one again) gets rejected/digest */
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	reply_receipt(&r, &rc);
	ck_assert_int_eq(rc.status, TP_RCPT_REJECTED);
	ck_assert_str_eq(tp_reason_name(rc.reason), "digest");
	ck_assert(!rc.has_id); /* the envelope was never opened (TP-27) */
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.refused[TP_REASON_DIGEST], 1);
	hs_buf_free(&m);
	hs_buf_free(&r);
	hs_buf_free(&man);
	h_world_free(&w);
}
END_TEST

/* TP-30: an accepted message the receiver cannot store is answered
 * SERVFAIL (signed, no receipt); the sender takes it as a failed attempt
 * and tries again. */
START_TEST(test_store_failure_servfail)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	unsigned rcode = 9, ede = 9;
	sqlite3 *db = NULL;
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 10, &m, distid);
	/* break beta's inbox behind the store's back */
	ck_assert_int_eq(sqlite3_open(w.p[1].dbpath, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE inbox", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	reply_codes(&w, 1, &r, &rcode, &ede);
	ck_assert_uint_eq(rcode, 2);
	ck_assert_uint_eq(ede, 0);
	/* alpha: not delivered, not rejected: the attempt failed, it retries */
	ck_assert_int_eq(tp_core_on_response(w.p[0].core, 1, HS_OK, r.data, r.len), HS_OK);
	ck_assert_int_eq(w.p[0].nout, 0);
	tp_core_stats_t s;
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.bad_responses, 1);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* TP-1, TP-2, TP-55: a failed attempt is re-sealed under a new distid
 * (32 lowercase hex characters, random), the message id unchanged. */
START_TEST(test_retry_new_distid)
{
	h_world_t w;
	hs_buf_t m1 = {0}, m2 = {0};
	char d1[64], d2[64], who[TP_IDENT_MAX];
	tp_action_t a;
	uint64_t delay = 0;
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 10, &m1, d1);
	ck_assert_uint_eq(strlen(d1), 32);
	ck_assert(tp_distid_ok(d1));
	ck_assert_int_eq(tp_core_on_response(w.p[0].core, 1, HS_E_TIMEOUT, NULL, 0), HS_OK);
	ck_assert_int_eq(tp_core_next_deadline(w.p[0].core, &delay), HS_OK);
	hs_env_fake_advance(&w.fake, delay + 1);
	tp_core_tick(w.p[0].core);
	ck_assert_int_eq(tp_core_next_action(w.p[0].core, &a), HS_OK);
	ck_assert_int_eq(a.kind, TP_ACT_NOTIFY);
	hs_buf_append(&m2, a.msg, a.len);
	tp_action_clear(&a);
	size_t q = 12;
	while (m2.data[q] != 0)
		q += 1 + m2.data[q];
	ck_assert_int_eq(tp_name_parse_notify(m2.data + 12, q + 1 - 12, d2, who), HS_OK);
	ck_assert_uint_eq(strlen(d2), 32);
	ck_assert_str_ne(d1, d2);
	/* both attempts carry the same message: the receiver sees a duplicate */
	hs_buf_t r = {0};
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m1.data, m1.len, 1232, &r),
	                 HS_OK);
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m2.data, m2.len, 1232, &r),
	                 HS_OK);
	tp_core_stats_t s;
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.received, 1);
	ck_assert_uint_eq(s.duplicates, 1);
	hs_buf_free(&r);
	hs_buf_free(&m1);
	hs_buf_free(&m2);
	h_world_free(&w);
}
END_TEST

/* TP-23: the NOTIFY of a distribution being fetched, again: answered
 * fetching, no second fetch. */
START_TEST(test_notify_during_fetch)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	tp_receipt_t rc;
	tp_core_stats_t s;
	h_world_init(&w);
	h_world_open(&w, 2);
	take_notify(&w, 5000, &m, distid);
	for (int i = 0; i < 2; i++) {
		hs_buf_reset(&r);
		ck_assert_int_eq(
		    tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r), HS_OK);
		reply_receipt(&r, &rc);
		ck_assert_int_eq(rc.status, TP_RCPT_FETCHING);
	}
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.fetches_started, 1);
	size_t fetches = 0;
	tp_core_counts(w.p[1].core, NULL, NULL, &fetches);
	ck_assert_uint_eq(fetches, 1);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* The COOKIE option of a reply (server_len 0 when there is none). */
static void reply_cookie(const hs_buf_t *r, tp_cookie_t *out)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	memset(out, 0, sizeof(*out));
	ck_assert_int_eq(dnsmsg_open(&it, r->data, r->len), HS_OK);
	while (dnsmsg_next(&it, &rr) == HS_OK)
		if (rr.type == 41 && tp_cookie_find(r->data + rr.rdata_off, rr.rdlen, out) != HS_OK)
			memset(out, 0, sizeof(*out));
}

/* requirements: SIG-21 TP-41 LOAD-1, LOAD-2, LOAD-3, COOKIE-3, COOKIE-4.
 * An unproven source whose budget is spent gets no more
 * public-key work but BADCOOKIE with a fresh server cookie (unsigned, no
 * longer than the request); with that cookie it is proven and has a
 * budget of its own address; so has a request over TCP. */
START_TEST(test_budget_exhausted)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	unsigned rcode, ede;
	tp_core_stats_t s;
	h_world_init(&w);
	w.p[1].cfg.budget_rate = 1;
	w.p[1].cfg.budget_burst = 1;
	h_world_open(&w, 2);
	take_notify(&w, 10, &m, distid);
	m.data[m.len - 5] ^= 0x40; /* bad signature: costs the one token */
	expect_refused(&w, 1, &m, 5, 529);
	/* the /24's budget is spent: BADCOOKIE, with beta's server cookie */
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", m.data, m.len, 1232, &r),
	                 HS_OK);
	reply_codes_ex(&w, 1, &r, m.len, &rcode, &ede, NULL);
	ck_assert_uint_eq(rcode, 23);
	tp_cookie_t ck;
	reply_cookie(&r, &ck);
	ck_assert_uint_eq(ck.server_len, 16);
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.badcookie_sent, 1);
	ck_assert_uint_eq(s.forged, 1);
	/* alpha learns the cookie and sends again at once */
	ck_assert_int_eq(tp_core_on_response(w.p[0].core, 1, HS_OK, r.data, r.len), HS_OK);
	tp_action_t a;
	ck_assert_int_eq(tp_core_next_action(w.p[0].core, &a), HS_OK);
	ck_assert_int_eq(a.kind, TP_ACT_NOTIFY);
	ck_assert_int_eq(a.prefer_tcp, 0);
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.cookie_retries, 1);
	/* proven now: its own address's budget, and the message arrives */
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[1].core, "192.0.2.1", a.msg, a.len, 1232, &r),
	                 HS_OK);
	reply_codes(&w, 1, &r, &rcode, &ede);
	ck_assert_uint_eq(rcode, 0);
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 1);
	tp_core_stats(w.p[1].core, &s);
	ck_assert_uint_eq(s.req_proven, 1);
	/* that address's budget is spent too now: REFUSED, unsigned */
	expect_refused_tcp(&w, 1, &m, 5, 65281);
	tp_action_clear(&a);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* requirements: TP-46 */
START_TEST(test_tc_reply_signed)
{
	h_world_t w;
	hs_buf_t m = {0}, r = {0};
	char distid[64];
	uint8_t qn[255];
	size_t ql = 0;
	h_world_init(&w);
	h_world_open(&w, 2);
	make_dist(&w, distid);
	ck_assert_int_eq(tp_name_chunk(1, "beta.example.", distid, "alpha.example.", qn, &ql),
	                 HS_OK);
	mk_query(&m, 0, qn, ql);
	sign_with(&m, w.p[1].sig0, now_s(&w));
	ck_assert_int_eq(tp_core_on_request(w.p[0].core, "192.0.2.2", m.data, m.len, 1232, &r),
	                 HS_OK);
	ck_assert_uint_le(r.len, 1232);
	ck_assert(r.data[2] & 0x02); /* TC */
	const sig0_key_t *keys[1] = {w.p[0].sig0};
	sig0_verdict_t v;
	ck_assert_int_eq(sig0_verify(r.data, r.len, keys, 1, now_s(&w), NULL, &v), HS_OK);
	tp_core_stats_t s;
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.chunks_served, 0);
	hs_buf_reset(&r);
	ck_assert_int_eq(tp_core_on_request(w.p[0].core, "192.0.2.2", m.data, m.len, 65535, &r),
	                 HS_OK);
	ck_assert_uint_gt(r.len, 5000);
	tp_core_stats(w.p[0].core, &s);
	ck_assert_uint_eq(s.chunks_served, 1);
	hs_buf_free(&m);
	hs_buf_free(&r);
	h_world_free(&w);
}
END_TEST

/* A NOTIFY from alpha (signed by alpha) carrying `plain` sealed by alpha
 * to beta under `seal_distid`, named with `name_distid`; option format
 * `fmt`. */
static void crafted_notify(h_world_t *w, const uint8_t *plain, size_t plen, const char *seal_distid,
                           const char *name_distid, uint8_t fmt, hs_buf_t *out)
{
	hs_buf_t env = {0}, opt = {0};
	uint8_t qn[255];
	size_t ql = 0;
	hpke_env_ids_t ids = {"alpha.example.", "beta.example.", seal_distid};
	ck_assert_int_eq(
	    hpke_env_seal(&env, &ids, w->p[0].hpke, w->p[1].hpke, &w->fake.env, plain, plen),
	    HS_OK);
	hs_opt_chunk_t ch = {fmt, NULL, 0, env.data, (uint16_t)env.len};
	ck_assert_int_eq(hs_opt_chunk_encode(&ch, &opt, NULL), HS_OK);
	ck_assert_int_eq(tp_name_notify(name_distid, "alpha.example.", qn, &ql), HS_OK);
	mk_query(out, 4, qn, ql);
	/* replace the empty OPT RDATA by the option */
	out->len -= 2;
	hs_buf_append_u16(out, (uint16_t)opt.len);
	hs_buf_append(out, opt.data, opt.len);
	sign_with(out, w->p[0].sig0, hs_now_s(&w->fake.env));
	hs_buf_free(&env);
	hs_buf_free(&opt);
}

/* Send `m` to beta; the signed NOERROR reply must carry a receipt
 * rejected/`reason`, and nothing may be stored. */
static void expect_receipt(h_world_t *w, const hs_buf_t *m, const char *reason)
{
	hs_buf_t r = {0};
	unsigned rcode = 9, ede = 9;
	snap_t b0 = snap(&w->p[1]);
	ck_assert_int_eq(tp_core_on_request(w->p[1].core, "192.0.2.1", m->data, m->len, 1232, &r),
	                 HS_OK);
	reply_codes(w, 1, &r, &rcode, &ede);
	ck_assert_uint_eq(rcode, 0);
	ck_assert_uint_eq(ede, 0);
	/* the receipt: option 65004 format 4 in the OPT RR */
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	tp_receipt_t rc;
	int found = 0;
	ck_assert_int_eq(dnsmsg_open(&it, r.data, r.len), HS_OK);
	while (dnsmsg_next(&it, &rr) == HS_OK)
		if (rr.type == 41 && rr.rdlen > 4) {
			const uint8_t *p = r.data + rr.rdata_off;
			ck_assert_uint_eq((unsigned)(p[0] << 8 | p[1]), 65004);
			hs_opt_chunk_t ch;
			ck_assert_int_eq(hs_opt_chunk_decode(p + 4, rr.rdlen - 4u, &ch, NULL),
			                 HS_OK);
			ck_assert_uint_eq(ch.format, 4);
			ck_assert_int_eq(tp_receipt_decode(ch.data, ch.data_len, &rc), HS_OK);
			found = 1;
		}
	ck_assert(found);
	ck_assert_int_eq(rc.status, TP_RCPT_REJECTED);
	ck_assert_str_eq(tp_reason_name(rc.reason), reason);
	w->last_has_id = rc.has_id;
	snap_t b1 = snap(&w->p[1]);
	same_state(&b0, &b1);
	ck_assert_uint_eq(b1.stats.refused[rc.reason], b0.stats.refused[rc.reason] + 1);
	hs_buf_free(&r);
}

/* requirements: ENV-12 TP-11 TP-12 TP-28 */
START_TEST(test_receipt_rejections)
{
	h_world_t w;
	hs_buf_t m = {0}, pt = {0};
	const char *d = "0123456789abcdef0123456789abcdef";
	tp_msg_t msg;
	h_world_init(&w);
	h_world_open(&w, 2);
	memset(&msg, 0, sizeof(msg));
	msg.v = 1;
	msg.id[0] = 7;
	msg.ts = hs_now_s(&w.fake.env);
	strcpy(msg.from, "alpha.example.");
	strcpy(msg.to, "beta.example.");
	strcpy(msg.type, "SYNC");
	struct {
		const char *from, *to, *type;
		uint64_t v;
		const char *reason;
	} cases[] = {
	    {"alpha.example.", "gamma.example.", "SYNC", 1, "identity-mismatch"},
	    {"gamma.example.", "beta.example.", "SYNC", 1, "identity-mismatch"},
	    {"alpha.example.", "beta.example.", "NOPE", 1, "unknown-type"},
	    {"alpha.example.", "beta.example.", "SYNC", 2, "malformed"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcpy(msg.from, cases[i].from);
		strcpy(msg.to, cases[i].to);
		strcpy(msg.type, cases[i].type);
		msg.v = cases[i].v;
		hs_buf_reset(&pt);
		ck_assert_int_eq(tp_msg_encode(&pt, &msg), HS_OK);
		crafted_notify(&w, pt.data, pt.len, d, d, 3, &m);
		expect_receipt(&w, &m, cases[i].reason);
		/* TP-27: a decoded message is named, whatever its v */
		ck_assert(w.last_has_id);
	}
	/* not a message at all: no id to give */
	crafted_notify(&w, (const uint8_t *)"hello", 5, d, d, 3, &m);
	expect_receipt(&w, &m, "malformed");
	ck_assert(!w.last_has_id);
	/* option of another format */
	crafted_notify(&w, (const uint8_t *)"hello", 5, d, d, 4, &m);
	expect_receipt(&w, &m, "malformed");
	/* sealed under another distid than the NOTIFY names */
	crafted_notify(&w, (const uint8_t *)"hello", 5, d, "00", 3, &m);
	expect_receipt(&w, &m, "envelope");
	ck_assert_uint_eq(h_inbox_count(&w.p[1]), 0);
	hs_buf_free(&m);
	hs_buf_free(&pt);
	h_world_free(&w);
}
END_TEST

Suite *refuse_suite(void);
Suite *refuse_suite(void)
{
	Suite *s = suite_create("core_refuse");
	TCase *tc = tcase_create("refuse");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_notify_unsigned);
	tcase_add_test(tc, test_notify_wrong_key);
	tcase_add_test(tc, test_notify_unknown_identity);
	tcase_add_test(tc, test_malformed_requests);
	tcase_add_test(tc, test_notify_replayed);
	tcase_add_test(tc, test_envelope_stale);
	tcase_add_test(tc, test_chunk_query_refusals);
	tcase_add_test(tc, test_budget_exhausted);
	tcase_add_test(tc, test_tc_reply_signed);
	tcase_add_test(tc, test_receipt_rejections);
	tcase_add_test(tc, test_no_opt_no_opt);
	tcase_add_test(tc, test_chunk_query_replayed);
	tcase_add_test(tc, test_fetch_digest_mismatch);
	tcase_add_test(tc, test_store_failure_servfail);
	tcase_add_test(tc, test_retry_new_distid);
	tcase_add_test(tc, test_notify_during_fetch);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(refuse_suite)
