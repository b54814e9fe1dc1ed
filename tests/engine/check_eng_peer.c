/* Tests for the peer state machine: every transition and its trigger. */
#include "lib/testutil.h"

#include "engine/harness.h"
#include "util/json.h"

#define ALPHA   "agent.alpha."
#define BRAVO   "agent.bravo."
#define CHARLIE "agent.charlie."

static const char *const PARAM[] = {"nsmgmt=\"agent\"", NULL};
static const char *const H3_AB[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .", NULL};
static const char *const H3_AC[] = {"ON alpha agent.alpha. .", "ON charlie agent.charlie. .", NULL};

typedef struct fx {
	hs_env_fake_t clock;
	eng_t *e;
	h_acts_t acts;
	int hold_beats; /* 0: every BEAT is reported delivered at once */
} fx_t;

static void fx_init(fx_t *f)
{
	memset(f, 0, sizeof(*f));
	hs_env_fake_init(&f->clock, 1795000000000ULL, 7);
	eng_cfg_t cfg = {.identity = "Agent.Alpha",
	                 .beat_interval_ms = 1000,
	                 .hello_retry_ms = 500,
	                 .hello_retry_max_ms = 2000};
	ck_assert_int_eq(eng_new(&f->e, &cfg, &f->clock.env, NULL), HS_OK);
}

static void fx_free(fx_t *f)
{
	h_acts_clear(&f->acts);
	eng_free(f->e);
}

static void fx_drain(fx_t *f)
{
	h_acts_clear(&f->acts);
	h_drain(f->e, &f->acts);
	for (size_t i = 0; i < f->acts.n && !f->hold_beats; i++)
		if (f->acts.a[i].kind == ENG_ACT_SEND && f->acts.a[i].type == ENG_MSG_BEAT)
			ck_assert_int_eq(eng_send_result(f->e, f->acts.a[i].msgid, 1), HS_OK);
}

static void fx_advance(fx_t *f, uint64_t ms)
{
	hs_env_fake_advance(&f->clock, ms);
	ck_assert_int_eq(eng_tick(f->e), HS_OK);
	fx_drain(f);
}

static int hello_from(fx_t *f, const char *from, const char *ident, const char *zone,
                      uint64_t nonce)
{
	eng_hello_t h;
	hs_buf_t b = HS_BUF_INIT;
	char *zones[1] = {(char *)zone};
	memset(&h, 0, sizeof(h));
	strcpy(h.identity, ident);
	h.zones = zones;
	h.nzones = zone ? 1 : 0;
	h.nonce = nonce;
	h.time_ms = 1;
	ck_assert_int_eq(eng_hello_encode(&h, &b), HS_OK);
	int rc = eng_message(f->e, from, "HELLO", b.data, b.len);
	hs_buf_free(&b);
	fx_drain(f);
	return rc;
}

/* The ACK alpha sent to `peer` in the last batch of actions. */
static eng_hello_ack_t last_ack(fx_t *f, const char *peer)
{
	eng_hello_ack_t a;
	const eng_action_t *act = h_find(&f->acts, ENG_ACT_SEND, ENG_MSG_HELLO_ACK, peer);
	ck_assert_ptr_nonnull(act);
	ck_assert_int_eq(eng_hello_ack_decode(act->body, act->len, &a, NULL), HS_OK);
	return a;
}

/* The nonce of alpha's last HELLO to `peer` (in the current batch). */
static uint64_t last_hello_nonce(fx_t *f, const char *peer)
{
	eng_hello_t h;
	const eng_action_t *act = h_find(&f->acts, ENG_ACT_SEND, ENG_MSG_HELLO, peer);
	ck_assert_ptr_nonnull(act);
	ck_assert_int_eq(eng_hello_decode(act->body, act->len, &h, NULL), HS_OK);
	ck_assert_str_eq(h.identity, ALPHA);
	uint64_t n = h.nonce;
	eng_hello_free(&h);
	return n;
}

static int ack_from(fx_t *f, const char *from, uint64_t nonce, int accept, const char *why)
{
	eng_hello_ack_t a;
	hs_buf_t b = HS_BUF_INIT;
	memset(&a, 0, sizeof(a));
	strcpy(a.identity, from);
	a.nonce = nonce;
	a.accept = accept;
	if (why)
		strcpy(a.reason, why);
	ck_assert_int_eq(eng_hello_ack_encode(&a, &b), HS_OK);
	int rc = eng_message(f->e, from, "HELLO_ACK", b.data, b.len);
	hs_buf_free(&b);
	fx_drain(f);
	return rc;
}

static int beat_from(fx_t *f, const char *from, uint32_t interval)
{
	eng_beat_t bt = {.seq = 1, .interval_ms = interval};
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(eng_beat_encode(&bt, &b), HS_OK);
	int rc = eng_message(f->e, from, "BEAT", b.data, b.len);
	hs_buf_free(&b);
	fx_drain(f);
	return rc;
}

/* Zone z1 {alpha, bravo} loaded and bravo discovered: KNOWN, HELLO sent. */
static void to_known(fx_t *f)
{
	h_load(f->e, "z1", H3_AB, PARAM);
	fx_drain(f);
	ck_assert_int_eq(eng_peer_discovered(f->e, BRAVO, 1, NULL), HS_OK);
	fx_drain(f);
	ck_assert_int_eq(h_state(f->e, BRAVO), ENG_PEER_KNOWN);
}

static void to_introduced(fx_t *f)
{
	to_known(f);
	uint64_t n = last_hello_nonce(f, BRAVO);
	ck_assert_int_eq(ack_from(f, BRAVO, n, 1, NULL), HS_OK);
	ck_assert_int_eq(hello_from(f, BRAVO, BRAVO, "z1", 1111), HS_OK);
	ck_assert_int_eq(h_state(f->e, BRAVO), ENG_PEER_INTRODUCED);
}

/* requirements: AG-9 */
START_TEST(test_needed_and_discovery)
{
	fx_t f;
	fx_init(&f);
	h_load(f.e, "z1", H3_AB, PARAM);
	fx_drain(&f);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_NEEDED);
	const eng_action_t *a = h_find(&f.acts, ENG_ACT_DISCOVER, 0, BRAVO);
	ck_assert_ptr_nonnull(a);
	a = h_find(&f.acts, ENG_ACT_PEER_STATE, 0, BRAVO);
	ck_assert_int_eq(a->old_state, ENG_PEER_NONE);
	ck_assert_int_eq(a->new_state, ENG_PEER_NEEDED);
	ck_assert_uint_eq(eng_next_deadline(f.e), UINT64_MAX); /* lookup outstanding */

	/* failure: stays NEEDED with the reason; the engine keeps no retry
	 * schedule of its own (AG-9, DISC-14: discovery's is the only one) */
	ck_assert_int_eq(eng_peer_discovered(f.e, BRAVO, 0, "bad RRSIG on KEY"), HS_OK);
	fx_drain(&f);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_int_eq(pi.state, ENG_PEER_NEEDED);
	ck_assert_str_eq(pi.reason, "discovery failed: bad RRSIG on KEY");
	ck_assert_uint_eq(eng_next_deadline(f.e), UINT64_MAX);
	fx_advance(&f, 600000);
	ck_assert_ptr_null(h_find(&f.acts, ENG_ACT_DISCOVER, 0, BRAVO));
	/* a later failure replaces the reason, whole (not "failed: failed") */
	ck_assert_int_eq(eng_peer_discovered(f.e, BRAVO, 0, "dns.bravo./KEY: NXDOMAIN"), HS_OK);
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_str_eq(pi.reason, "discovery failed: dns.bravo./KEY: NXDOMAIN");
	/* success: KNOWN and a HELLO goes out at once */
	ck_assert_int_eq(eng_peer_discovered(f.e, BRAVO, 1, NULL), HS_OK);
	fx_drain(&f);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_KNOWN);
	ck_assert_ptr_nonnull(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_HELLO, BRAVO));
	ck_assert_int_eq(eng_peer_discovered(f.e, "agent.nobody", 1, NULL), HS_E_NOTFOUND);
	fx_free(&f);
}
END_TEST

/* requirements: AG-11 AG-14 AG-15 */
START_TEST(test_hello_ours_first)
{
	fx_t f;
	fx_init(&f);
	to_known(&f);
	eng_hello_t h;
	const eng_action_t *a = h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_HELLO, BRAVO);
	ck_assert_int_eq(eng_hello_decode(a->body, a->len, &h, NULL), HS_OK);
	ck_assert_uint_eq(h.nzones, 1);
	ck_assert_str_eq(h.zones[0], "z1.");
	eng_hello_free(&h);
	uint64_t n = last_hello_nonce(&f, BRAVO);
	/* a stale ack changes nothing */
	ck_assert_int_eq(ack_from(&f, BRAVO, n + 1, 1, NULL), HS_OK);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_int_eq(pi.hello_sent_ok, 0);
	ck_assert_int_eq(ack_from(&f, BRAVO, n, 1, NULL), HS_OK);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_KNOWN); /* half way */
	ck_assert_int_eq(hello_from(&f, BRAVO, BRAVO, "z1", 77), HS_OK);
	eng_hello_ack_t ack = last_ack(&f, BRAVO);
	ck_assert_int_eq(ack.accept, 1);
	ck_assert_uint_eq(ack.nonce, 77);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_INTRODUCED);
	/* a BEAT goes out at once */
	ck_assert_ptr_nonnull(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO));
	fx_free(&f);
}
END_TEST

/* requirements: AG-15 */
START_TEST(test_hello_theirs_first)
{
	fx_t f;
	fx_init(&f);
	h_load(f.e, "z1", H3_AB, PARAM);
	fx_drain(&f);
	/* its HELLO while we still look it up: accepted, still NEEDED */
	ck_assert_int_eq(hello_from(&f, BRAVO, BRAVO, "z1", 5), HS_OK);
	ck_assert_int_eq(last_ack(&f, BRAVO).accept, 1);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_NEEDED);
	ck_assert_int_eq(eng_peer_discovered(f.e, BRAVO, 1, NULL), HS_OK);
	fx_drain(&f);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_KNOWN);
	ck_assert_int_eq(ack_from(&f, BRAVO, last_hello_nonce(&f, BRAVO), 1, NULL), HS_OK);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_INTRODUCED);
	fx_free(&f);
}
END_TEST

/* requirements: AG-12 AG-27 */
START_TEST(test_hello_rejected_not_in_hsync3)
{
	fx_t f;
	fx_init(&f);
	h_load(f.e, "z1", H3_AB, PARAM);
	h_load(f.e, "z2", H3_AC, PARAM);
	fx_drain(&f);
	ck_assert_int_eq(eng_peer_discovered(f.e, CHARLIE, 1, NULL), HS_OK);
	fx_drain(&f);
	uint64_t ours = last_hello_nonce(&f, CHARLIE);
	ck_assert_int_eq(ack_from(&f, CHARLIE, ours, 1, NULL), HS_OK);
	/* charlie claims z1, where it is not listed */
	ck_assert_int_eq(hello_from(&f, CHARLIE, CHARLIE, "z1", 9), HS_OK);
	eng_hello_ack_t ack = last_ack(&f, CHARLIE);
	ck_assert_int_eq(ack.accept, 0);
	ck_assert_uint_eq(ack.nonce, 9);
	/* AG-27: a code, and the detail as text */
	ck_assert_str_eq(ack.reason, "peer-not-listed");
	ck_assert_str_eq(ack.text, "'agent.charlie.' is not listed ON in HSYNC3 of zone 'z1.'");
	ck_assert_int_eq(h_state(f.e, CHARLIE), ENG_PEER_KNOWN);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, CHARLIE, &pi), HS_OK);
	ck_assert_int_eq(pi.hello_rcvd_ok, 0);
	ck_assert_ptr_nonnull(strstr(pi.reason, "its hello refused: peer-not-listed"));
	/* a zone we do not serve at all */
	ck_assert_int_eq(hello_from(&f, CHARLIE, CHARLIE, "elsewhere.example", 10), HS_OK);
	ack = last_ack(&f, CHARLIE);
	ck_assert_str_eq(ack.reason, "not-served");
	ck_assert_str_eq(ack.text, "none of the 1 zones listed is served here");
	/* an agent that is nobody's peer is answered with a rejection too */
	ck_assert_int_eq(hello_from(&f, "agent.mallory", "agent.mallory", "z1", 11), HS_OK);
	ck_assert_int_eq(last_ack(&f, "agent.mallory.").accept, 0);
	ck_assert_int_eq(eng_peer_count(f.e), 2);
	/* the right zone is accepted */
	ck_assert_int_eq(hello_from(&f, CHARLIE, CHARLIE, "z2", 12), HS_OK);
	ck_assert_int_eq(h_state(f.e, CHARLIE), ENG_PEER_INTRODUCED);
	fx_free(&f);
}
END_TEST

START_TEST(test_hello_zone_without_hsyncparam)
{
	fx_t f;
	fx_init(&f);
	/* without HSYNCPARAM a zone makes no peers */
	h_load(f.e, "z3", H3_AB, NULL);
	ck_assert_uint_eq(eng_peer_count(f.e), 0);
	ck_assert_int_eq(eng_zone_find(f.e, "z3")->reason, ENG_ZONE_NO_HSYNCPARAM);
	ck_assert_ptr_null(eng_zone_group(f.e, "z3"));
	to_known(&f);
	ck_assert_int_eq(hello_from(&f, BRAVO, BRAVO, "z3", 3), HS_OK);
	eng_hello_ack_t ack = last_ack(&f, BRAVO);
	ck_assert_int_eq(ack.accept, 0);
	ck_assert_str_eq(ack.reason, "no-hsyncparam"); /* the zone code of section 2 */
	ck_assert_str_eq(ack.text,
	                 "zone 'z3.' is not multi-provider here: no HSYNCPARAM at the apex");
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_KNOWN);
	fx_free(&f);
}
END_TEST

START_TEST(test_our_identity_not_listed)
{
	fx_t f;
	fx_init(&f);
	static const char *const h3[] = {"ON bravo agent.bravo. .", "ON charlie agent.charlie. .",
	                                 NULL};
	h_load(f.e, "z9", h3, PARAM);
	ck_assert_uint_eq(eng_peer_count(f.e), 0);
	ck_assert_uint_eq(eng_group_count(f.e), 0);
	ck_assert_int_eq(eng_zone_find(f.e, "z9.")->reason, ENG_ZONE_NOT_LISTED);
	fx_free(&f);
}
END_TEST

/* requirements: AG-11 AG-13 */
START_TEST(test_our_hello_rejected_and_retried)
{
	fx_t f;
	fx_init(&f);
	to_known(&f);
	uint64_t t0 = f.clock.mono_ms;
	ck_assert_int_eq(ack_from(&f, BRAVO, last_hello_nonce(&f, BRAVO), 0, "not ours"), HS_OK);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_int_eq(pi.state, ENG_PEER_KNOWN);
	ck_assert_str_eq(pi.reason, "our hello rejected: not ours");
	/* retries back off: 500, then 1000, 2000, capped at 2000 */
	ck_assert_uint_eq(eng_next_deadline(f.e), t0 + 500);
	fx_advance(&f, 500);
	ck_assert_uint_eq(h_count(&f.acts, ENG_ACT_SEND, ENG_MSG_HELLO), 1);
	ck_assert_uint_eq(eng_next_deadline(f.e), t0 + 1500);
	fx_advance(&f, 1000);
	ck_assert_uint_eq(eng_next_deadline(f.e), t0 + 3500);
	fx_advance(&f, 2000);
	ck_assert_uint_eq(eng_next_deadline(f.e), t0 + 5500);
	fx_free(&f);
}
END_TEST

/* requirements: AG-12 AG-17 AG-18 AG-19 */
START_TEST(test_identity_mismatch_and_refusals)
{
	fx_t f;
	fx_init(&f);
	to_known(&f);
	h_log_t log;
	memset(&log, 0, sizeof(log));
	hs_log_set_hook(h_log_hook, &log);
	/* AG-18: every refusal is answered with a HELLO_ACK accept false
	 * and a code, counted on the peer and logged at notice */
	ck_assert_int_eq(hello_from(&f, BRAVO, CHARLIE, "z1", 1), HS_E_REFUSED);
	eng_hello_ack_t ack = last_ack(&f, BRAVO);
	ck_assert_int_eq(ack.accept, 0);
	ck_assert_uint_eq(ack.nonce, 1);
	ck_assert_str_eq(ack.reason, "identity-mismatch");
	/* BEAT before introduction: nonce 0, not-introduced */
	ck_assert_int_eq(beat_from(&f, BRAVO, 1000), HS_E_REFUSED);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_KNOWN);
	ack = last_ack(&f, BRAVO);
	ck_assert_uint_eq(ack.nonce, 0);
	ck_assert_str_eq(ack.reason, "not-introduced");
	static const uint8_t junk[] = {0x81, 0xa1, 0x61};
	ck_assert_int_eq(eng_message(f.e, BRAVO, "BEAT", junk, sizeof(junk)), HS_E_TRUNC);
	fx_drain(&f);
	ack = last_ack(&f, BRAVO);
	ck_assert_uint_eq(ack.nonce, 0);
	ck_assert_str_eq(ack.reason, "bad-message");
	ck_assert_int_eq(eng_message(f.e, BRAVO, "HELLO", junk, sizeof(junk)), HS_E_TRUNC);
	fx_drain(&f);
	ck_assert_str_eq(last_ack(&f, BRAVO).reason, "bad-message");
	/* AG-17: a HELLO with nonce 0 is refused */
	ck_assert_int_eq(hello_from(&f, BRAVO, BRAVO, "z1", 0), HS_E_MALFORMED);
	ack = last_ack(&f, BRAVO);
	ck_assert_uint_eq(ack.nonce, 0);
	ck_assert_str_eq(ack.reason, "bad-message");
	ck_assert_str_eq(ack.text, "nonce 0");
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.refused_in, 5);
	ck_assert_int_eq(pi.hello_rcvd_ok, 0);
	/* a broken HELLO_ACK is counted and logged, never answered */
	ck_assert_int_eq(eng_message(f.e, BRAVO, "HELLO_ACK", junk, sizeof(junk)), HS_E_TRUNC);
	fx_drain(&f);
	ck_assert_uint_eq(h_count(&f.acts, ENG_ACT_SEND, ENG_MSG_HELLO_ACK), 0);
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.refused_in, 6);
	hs_log_set_hook(NULL, NULL);
	ck_assert_uint_eq(h_log_count(&log, "from 'agent.bravo.' refused: "), 6);
	ck_assert_int_eq(eng_message(f.e, BRAVO, "PING", junk, sizeof(junk)), HS_E_UNKNOWN_TYPE);
	fx_free(&f);
}
END_TEST

/* requirements: AG-7 AG-8 */
START_TEST(test_silence_thresholds)
{
	fx_t f;
	fx_init(&f);
	to_introduced(&f);
	ck_assert_int_eq(beat_from(&f, BRAVO, 1000), HS_OK);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_OPERATIONAL);
	uint64_t t0 = f.clock.mono_ms;
	ck_assert_uint_le(eng_next_deadline(f.e), t0 + 2001);
	fx_advance(&f, 2000); /* exactly 2 x interval: not yet */
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_OPERATIONAL);
	fx_advance(&f, 1);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_DEGRADED);
	const eng_action_t *a = h_find(&f.acts, ENG_ACT_PEER_STATE, 0, BRAVO);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->reason, "no beat for 2001 ms (> 2 x 1000)");
	fx_advance(&f, 7999); /* t0 + 10000 */
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_DEGRADED);
	ck_assert_uint_eq(eng_next_deadline(f.e) <= t0 + 10001, 1);
	fx_advance(&f, 1);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_INTERRUPTED);
	/* BEATs still go out to an interrupted peer: they are how it recovers */
	fx_advance(&f, 1000);
	ck_assert_ptr_nonnull(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO));
	ck_assert_int_eq(beat_from(&f, BRAVO, 1000), HS_OK);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_OPERATIONAL);
	/* the peer's own interval drives the thresholds */
	ck_assert_int_eq(beat_from(&f, BRAVO, 5000), HS_OK);
	fx_advance(&f, 10000);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_OPERATIONAL);
	fx_advance(&f, 1);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_DEGRADED);
	fx_free(&f);
}
END_TEST

/* A reload changes our interval: a BEAT with it goes out at once, then
 * one per new interval. */
START_TEST(test_set_beat_interval)
{
	fx_t f;
	eng_beat_t bt;
	const eng_action_t *a;

	fx_init(&f);
	to_introduced(&f);
	ck_assert_int_eq(beat_from(&f, BRAVO, 1000), HS_OK);
	fx_advance(&f, 1000);
	ck_assert_ptr_nonnull(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO));
	eng_set_beat_interval(f.e, 1000); /* unchanged: nothing */
	fx_advance(&f, 10);
	ck_assert_ptr_null(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO));
	eng_set_beat_interval(f.e, 5000);
	ck_assert_uint_eq(eng_beat_interval(f.e), 5000);
	ck_assert_uint_le(eng_next_deadline(f.e), f.clock.mono_ms);
	fx_advance(&f, 0);
	a = h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(eng_beat_decode(a->body, a->len, &bt, NULL), HS_OK);
	ck_assert_uint_eq(bt.interval_ms, 5000);
	eng_beat_free(&bt);
	ck_assert_int_eq(beat_from(&f, BRAVO, 1000), HS_OK);
	fx_advance(&f, 4999);
	ck_assert_ptr_null(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO));
	fx_advance(&f, 1);
	ck_assert_ptr_nonnull(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO));
	eng_set_beat_interval(f.e, 0); /* the default */
	ck_assert_uint_eq(eng_beat_interval(f.e), 15000);
	fx_free(&f);
}
END_TEST

/* requirements: AG-4 AG-7 */
START_TEST(test_leave_off_and_removed)
{
	fx_t f;
	fx_init(&f);
	static const char *const h3_abc[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
	                                     "ON charlie agent.charlie. .", NULL};
	static const char *const h3_b_off[] = {"ON alpha agent.alpha. .",
	                                       "OFF bravo agent.bravo. .",
	                                       "ON charlie agent.charlie. .", NULL};
	h_load(f.e, "z1", h3_abc, PARAM);
	h_load(f.e, "z2", H3_AC, PARAM);
	fx_drain(&f);
	ck_assert_uint_eq(eng_peer_count(f.e), 2);
	/* bravo turned OFF at the reload: it leaves */
	h_load(f.e, "z1", h3_b_off, PARAM);
	fx_drain(&f);
	const eng_action_t *a = h_find(&f.acts, ENG_ACT_PEER_STATE, 0, BRAVO);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->new_state, ENG_PEER_GONE);
	ck_assert_str_eq(a->reason, "turned OFF in HSYNC3 of zone 'z1.'");
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_GONE); /* no longer a peer */
	ck_assert_uint_eq(eng_peer_count(f.e), 1);
	/* charlie removed from z1 but still in z2: stays */
	h_load(f.e, "z1", H3_AB, PARAM);
	fx_drain(&f);
	ck_assert_int_eq(h_state(f.e, CHARLIE), ENG_PEER_NEEDED);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_NEEDED); /* back, from scratch */
	/* charlie removed from z2 too: leaves */
	h_load(f.e, "z2", H3_AB, PARAM);
	fx_drain(&f);
	a = h_find(&f.acts, ENG_ACT_PEER_STATE, 0, CHARLIE);
	ck_assert_str_eq(a->reason, "no longer listed in HSYNC3 of zone 'z2.'");
	/* the zone removed: bravo still in z2 (now a,b); remove both */
	ck_assert_int_eq(eng_zone_removed(f.e, "z1"), HS_OK);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_NEEDED);
	ck_assert_int_eq(eng_zone_removed(f.e, "z2."), HS_OK);
	fx_drain(&f);
	a = h_find(&f.acts, ENG_ACT_PEER_STATE, 0, BRAVO);
	ck_assert_str_eq(a->reason, "zone 'z2.' removed, no shared zone left");
	ck_assert_uint_eq(eng_peer_count(f.e), 0);
	ck_assert_uint_eq(eng_group_count(f.e), 0);
	ck_assert_int_eq(eng_zone_removed(f.e, "z2."), HS_E_NOTFOUND);
	fx_free(&f);
}
END_TEST

/* requirements: AG-10 */
START_TEST(test_transition_logged_once)
{
	fx_t f;
	h_log_t log;
	memset(&log, 0, sizeof(log));
	hs_log_set_hook(h_log_hook, &log);
	fx_init(&f);
	to_introduced(&f);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(beat_from(&f, BRAVO, 1000), HS_OK);
	/* a duplicate HELLO with the same nonce changes nothing */
	ck_assert_int_eq(hello_from(&f, BRAVO, BRAVO, "z1", 1111), HS_OK);
	hs_log_set_hook(NULL, NULL);
	ck_assert_uint_eq(h_log_count(&log, "peer 'agent.bravo.': NONE -> NEEDED ("), 1);
	ck_assert_uint_eq(h_log_count(&log, "peer 'agent.bravo.': NEEDED -> KNOWN ("), 1);
	ck_assert_uint_eq(h_log_count(&log, "peer 'agent.bravo.': KNOWN -> INTRODUCED "
	                                    "(hello exchanged both ways)"),
	                  1);
	ck_assert_uint_eq(h_log_count(&log, "peer 'agent.bravo.': INTRODUCED -> OPERATIONAL "
	                                    "(first beat received)"),
	                  1);
	ck_assert_uint_eq(h_log_count(&log, "-> "), 4);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.since_ms, f.clock.now_ms);
	ck_assert_uint_eq(pi.beats_rx, 3);
	fx_free(&f);
}
END_TEST

/* requirements: AG-16 */
START_TEST(test_peer_restart_rehello)
{
	fx_t f;
	fx_init(&f);
	to_introduced(&f);
	ck_assert_int_eq(beat_from(&f, BRAVO, 1000), HS_OK);
	/* a new HELLO (new nonce) after introduction: the peer restarted and
	 * needs our HELLO again; our state for it is unchanged */
	ck_assert_int_eq(hello_from(&f, BRAVO, BRAVO, "z1", 2222), HS_OK);
	ck_assert_int_eq(last_ack(&f, BRAVO).accept, 1);
	ck_assert_ptr_nonnull(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_HELLO, BRAVO));
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_OPERATIONAL);
	fx_free(&f);
}
END_TEST

START_TEST(test_json_escapes_remote_text)
{
	fx_t f;
	fx_init(&f);
	to_known(&f);
	ck_assert_int_eq(ack_from(&f, BRAVO, last_hello_nonce(&f, BRAVO), 0, "say \"no\" \\ twice"),
	                 HS_OK);
	hs_buf_t b = HS_BUF_INIT;
	eng_json(f.e, &b);
	hs_json_t *doc = NULL;
	ck_assert_int_eq(hs_json_parse(&doc, (const char *)b.data, b.len, NULL), HS_OK);
	size_t n;
	const hs_json_t *p = hs_json_at(hs_json_get(doc, "peers"), 0);
	ck_assert_str_eq(hs_json_str(hs_json_get(p, "reason"), &n),
	                 "our hello rejected: say \"no\" \\ twice");
	ck_assert_str_eq(hs_json_str(hs_json_get(p, "state"), &n), "KNOWN");
	hs_json_free(doc);
	hs_buf_free(&b);
	fx_free(&f);
}
END_TEST

START_TEST(test_send_results)
{
	fx_t f;
	fx_init(&f);
	to_known(&f);
	const eng_action_t *a = h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_HELLO, BRAVO);
	uint64_t id = a->msgid;
	ck_assert_str_eq(a->type_name, "HELLO");
	ck_assert_int_eq(eng_send_result(f.e, id, 0), HS_OK);
	ck_assert_int_eq(eng_send_result(f.e, id, 1), HS_E_NOTFOUND);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.sends_failed, 1);
	ck_assert_uint_eq(pi.sends_ok, 0);
	fx_free(&f);
}
END_TEST

/* AG-18: a peer's refusal of our BEAT (nonce 0, not-introduced)
 * is counted and makes us introduce ourselves again at once; other
 * refusals are only counted and kept as the reason. */
/* requirements: AG-18 */
START_TEST(test_refused_by_peer)
{
	fx_t f;
	fx_init(&f);
	to_introduced(&f);
	ck_assert_int_eq(ack_from(&f, BRAVO, 0, 0, "bad-message"), HS_OK);
	ck_assert_uint_eq(h_count(&f.acts, ENG_ACT_SEND, ENG_MSG_HELLO), 0);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.refused_out, 1);
	ck_assert_str_eq(pi.reason, "it refused our message: bad-message");
	uint64_t n = 0;
	ck_assert_int_eq(ack_from(&f, BRAVO, 0, 0, "not-introduced"), HS_OK);
	n = last_hello_nonce(&f, BRAVO); /* the same nonce: not a restart */
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.refused_out, 2);
	ck_assert_int_eq(pi.hello_sent_ok, 0);
	ck_assert_int_eq(pi.state, ENG_PEER_INTRODUCED); /* our view is unchanged */
	ck_assert_int_eq(ack_from(&f, BRAVO, n, 1, NULL), HS_OK);
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_int_eq(pi.hello_sent_ok, 1);
	fx_free(&f);
}
END_TEST

/* AG-2: a zone that lists only us ON is not multi-provider. */
/* requirements: AG-2 */
START_TEST(test_alone_not_multi)
{
	fx_t f;
	fx_init(&f);
	static const char *const h3[] = {"ON alpha agent.alpha. .", "OFF bravo agent.bravo. .",
	                                 NULL};
	h_load(f.e, "solo", h3, PARAM);
	ck_assert_int_eq(eng_zone_find(f.e, "solo.")->reason, ENG_ZONE_NO_PEERS);
	ck_assert_str_eq(eng_zone_reason_name(ENG_ZONE_NO_PEERS), "no-peers");
	ck_assert_ptr_null(eng_zone_group(f.e, "solo."));
	ck_assert_uint_eq(eng_group_count(f.e), 0);
	ck_assert_uint_eq(eng_peer_count(f.e), 0);
	fx_free(&f);
}
END_TEST

/* AG-8: an advertised interval is clamped to 500 ms .. 1 h. */
/* requirements: AG-8 */
START_TEST(test_interval_clamped)
{
	fx_t f;
	fx_init(&f);
	to_introduced(&f);
	ck_assert_int_eq(beat_from(&f, BRAVO, 10), HS_OK);
	eng_peer_info_t pi;
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.beat_interval_ms, 500);
	fx_advance(&f, 1000); /* 2 x 500: not yet degraded */
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_OPERATIONAL);
	fx_advance(&f, 1);
	ck_assert_int_eq(h_state(f.e, BRAVO), ENG_PEER_DEGRADED);
	ck_assert_int_eq(beat_from(&f, BRAVO, 4000000), HS_OK);
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.beat_interval_ms, 3600000);
	fx_free(&f);
}
END_TEST

/* An unreachable peer: while our BEAT to it is undelivered, no other BEAT
 * to it is queued (draft-hsync-agents section 6); once the transport
 * gives up on it, the next interval queues one again. */
START_TEST(test_one_pending_beat)
{
	fx_t f;
	eng_peer_info_t pi;
	const eng_action_t *a;
	uint64_t first;
	size_t beats = 0;

	fx_init(&f);
	f.hold_beats = 1;
	to_introduced(&f); /* the introduction sends a BEAT at once */
	a = h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO);
	ck_assert_ptr_nonnull(a);
	first = a->msgid;
	for (int i = 0; i < 20; i++) { /* 20 intervals: DEGRADED, INTERRUPTED */
		fx_advance(&f, 1000);
		beats += h_count(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT);
	}
	ck_assert_uint_eq(beats, 0);
	ck_assert_int_eq(eng_peer_get(f.e, BRAVO, &pi), HS_OK);
	ck_assert_uint_eq(pi.beats_tx, 1);
	ck_assert_uint_ge(pi.beats_skipped, 19);
	/* the transport gives up on it (expired): the next one goes out */
	ck_assert_int_eq(eng_send_result(f.e, first, 0), HS_OK);
	fx_advance(&f, 1000);
	ck_assert_ptr_nonnull(h_find(&f.acts, ENG_ACT_SEND, ENG_MSG_BEAT, BRAVO));
	fx_free(&f);
}
END_TEST

static Suite *peer_suite(void)
{
	Suite *s = suite_create("eng_peer");
	TCase *tc = tcase_create("peer");
	tcase_add_test(tc, test_needed_and_discovery);
	tcase_add_test(tc, test_hello_ours_first);
	tcase_add_test(tc, test_hello_theirs_first);
	tcase_add_test(tc, test_hello_rejected_not_in_hsync3);
	tcase_add_test(tc, test_hello_zone_without_hsyncparam);
	tcase_add_test(tc, test_our_identity_not_listed);
	tcase_add_test(tc, test_our_hello_rejected_and_retried);
	tcase_add_test(tc, test_identity_mismatch_and_refusals);
	tcase_add_test(tc, test_silence_thresholds);
	tcase_add_test(tc, test_set_beat_interval);
	tcase_add_test(tc, test_leave_off_and_removed);
	tcase_add_test(tc, test_transition_logged_once);
	tcase_add_test(tc, test_peer_restart_rehello);
	tcase_add_test(tc, test_refused_by_peer);
	tcase_add_test(tc, test_alone_not_multi);
	tcase_add_test(tc, test_interval_clamped);
	tcase_add_test(tc, test_send_results);
	tcase_add_test(tc, test_one_pending_beat);
	tcase_add_test(tc, test_json_escapes_remote_text);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(peer_suite)
