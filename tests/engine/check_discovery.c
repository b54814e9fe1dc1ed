/* check_discovery.c -- sans-I/O discovery over in-memory signed zones and
 * virtual time: a fake resolver answers queued queries from a tz_world_t. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/dv_testzone.h"
#include "engine/discovery.h"
#include "lib/testutil.h"
#include "util/env.h"

#define HPKEKEY 65290
#define URI     256

struct q {
	char name[256];
	uint16_t type;
	uint64_t token;
};

struct harness {
	tz_world_t w;
	hs_env_fake_t env;
	dv_anchors_t *anchors;
	disc_t *d;
	struct q queue[64];
	int nq;
	int sent;
	int changes;
	enum disc_state last_state;
	int refuse_send; /* the query function fails */
	int ad;          /* the "resolver" sets AD in every answer */
};

static int fake_query(void *arg, const char *name, uint16_t type, uint64_t token)
{
	struct harness *h = arg;
	if (h->refuse_send)
		return HS_E_NET;
	ck_assert_int_lt(h->nq, 64);
	struct q *q = &h->queue[h->nq++];
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->type = type;
	q->token = token;
	h->sent++;
	return HS_OK;
}

static void on_change(void *arg, const char *identity, const disc_result_t *res)
{
	struct harness *h = arg;
	h->changes++;
	h->last_state = res->state;
	ck_assert_str_eq(identity, res->identity);
}

/* Answer every queued query (and those they cause) from the world. */
static void serve(struct harness *h)
{
	while (h->nq > 0) {
		struct q q = h->queue[0];
		memmove(h->queue, h->queue + 1, sizeof(h->queue[0]) * (size_t)(h->nq - 1));
		h->nq--;
		hs_buf_t msg = HS_BUF_INIT;
		tz_answer(&h->w, 1, q.name, (ldns_rr_type)q.type, &msg);
		if (h->ad)
			msg.data[3] |= 0x20;
		ck_assert_int_eq(disc_on_answer(h->d, q.token, HS_OK, msg.data, msg.len), HS_OK);
		hs_buf_free(&msg);
	}
}

static const uint8_t x25519_rdata[38] = {0x00, 0x20, 0x00, 0x01, 0x00, 0x02, 9, 8, 7, 6, 5};

static void build_world(struct harness *h, int with_uri)
{
	tz_init(&h->w);
	tz_zone_add(&h->w, "lab.");
	tz_zone_add(&h->w, "alpha.lab.");
	tz_delegate(&h->w, "alpha.lab.");
	if (with_uri)
		tz_add(&h->w, "_dns._tcp.alpha.lab. 300 IN URI 10 1 \"dns://dns.alpha.lab:5353/\"");
	tz_add(&h->w, "dns.alpha.lab. 300 IN A 127.0.0.1");
	tz_add(&h->w, "dns.alpha.lab. 300 IN AAAA ::1");
	tz_add(&h->w, "dns.alpha.lab. 600 IN KEY 512 3 15 "
	              "NrHnqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=");
	tz_add_wire(&h->w, "dns.alpha.lab.", HPKEKEY, 600, x25519_rdata, sizeof(x25519_rdata));
}

static void anchor_lab(struct harness *h, tz_world_t *from)
{
	char text[512];
	h->anchors = dv_anchors_new();
	tz_ds_text(from, "lab.", text, sizeof(text));
	ck_assert_int_eq(dv_anchors_add_text(h->anchors, text, NULL), HS_OK);
}

static void start(struct harness *h, int insecure)
{
	hs_env_fake_init(&h->env, (uint64_t)TZ_NOW * 1000, 42);
	disc_config_t cfg = {
	    .env = &h->env.env,
	    .anchors = h->anchors,
	    .insecure = insecure,
	    .query = fake_query,
	    .query_arg = h,
	    .on_change = on_change,
	    .change_arg = h,
	};
	ck_assert_int_eq(disc_new(&cfg, &h->d), HS_OK);
	ck_assert_int_eq(disc_add_peer(h->d, "Alpha.LAB"), HS_OK);
	ck_assert_int_eq(disc_add_peer(h->d, "alpha.lab."), HS_E_EXISTS);
}

static void stop(struct harness *h)
{
	disc_free(h->d);
	dv_anchors_free(h->anchors);
	tz_free(&h->w);
}

static const disc_result_t *result(struct harness *h)
{
	const disc_result_t *r = NULL;
	ck_assert_int_eq(disc_peer_result(h->d, "alpha.lab", &r), HS_OK);
	return r;
}

/* A failure for (name, type) with this reason is listed. */
static int has_failure(const disc_result_t *r, const char *name, uint16_t type, enum dv_reason why)
{
	for (size_t i = 0; i < r->nfailures; i++)
		if (strcmp(r->failures[i].name, name) == 0 && r->failures[i].type == type &&
		    r->failures[i].reason == why)
			return 1;
	return 0;
}

static void advance(struct harness *h, uint64_t ms)
{
	hs_env_fake_advance(&h->env, ms);
	disc_tick(h->d);
}

/* requirements: DISC-1 DISC-12 */
START_TEST(success)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	ck_assert_int_eq(result(&h)->state, DISC_PENDING);
	ck_assert_uint_eq(disc_next_deadline(h.d), h.env.mono_ms);
	disc_tick(h.d);
	ck_assert_int_eq(h.nq, 5); /* URI, A, AAAA, KEY, HPKEKEY */
	serve(&h);
	const disc_result_t *r = result(&h);
	char why[512];
	disc_failures_str(r, why, sizeof(why));
	ck_assert_msg(r->state == DISC_OK, "%s", why);
	ck_assert_str_eq(disc_trust_str(r->trust), "secure");
	ck_assert_str_eq(r->identity, "alpha.lab.");
	ck_assert_uint_eq(r->port, 5353);
	ck_assert_uint_eq(r->naddrs, 2);
	int fams = r->addrs[0].family + r->addrs[1].family;
	ck_assert_int_eq(fams, AF_INET + AF_INET6);
	ck_assert_uint_eq(r->nkeys, 1);
	ck_assert_uint_eq(r->keys[0].len, 4 + 32);
	ck_assert_uint_eq(r->nhpke, 1);
	ck_assert_mem_eq(r->hpke[0].data, x25519_rdata, sizeof(x25519_rdata));
	ck_assert_uint_eq(r->ttl, 300);
	ck_assert_uint_eq(r->expires_ms, h.env.now_ms + 300000);
	/* 5 own + DNSKEY alpha, DS alpha, DNSKEY lab: each once */
	ck_assert_int_eq(h.sent, 8);
	ck_assert_int_eq(h.changes, 1);
	ck_assert_int_eq(h.last_state, DISC_OK);
	stop(&h);
}
END_TEST

/* requirements: DISC-13 */
START_TEST(chain_shared_between_peers)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_zone_add(&h.w, "bravo.lab.");
	tz_delegate(&h.w, "bravo.lab.");
	tz_add(&h.w, "dns.bravo.lab. 300 IN A 127.0.0.2");
	tz_add(&h.w, "dns.bravo.lab. 600 IN KEY 512 3 15 "
	             "NrHnqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=");
	tz_add_wire(&h.w, "dns.bravo.lab.", HPKEKEY, 600, x25519_rdata, sizeof(x25519_rdata));
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	ck_assert_int_eq(disc_add_peer(h.d, "bravo.lab"), HS_OK);
	disc_tick(h.d);
	serve(&h);
	const disc_result_t *b = NULL;
	ck_assert_int_eq(disc_peer_result(h.d, "BRAVO.lab.", &b), HS_OK);
	ck_assert_int_eq(b->state, DISC_OK);
	ck_assert_uint_eq(b->port, 53); /* bravo has no URI */
	ck_assert_uint_eq(b->naddrs, 1);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	/* 2 x 5 own; DNSKEY and DS of alpha and bravo; lab.'s DNSKEY once */
	ck_assert_int_eq(h.sent, 15);
	ck_assert_int_eq(h.changes, 2);
	stop(&h);
}
END_TEST

static void expect_refused(struct harness *h, const char *name, uint16_t type, enum dv_reason why)
{
	disc_tick(h->d);
	serve(h);
	const disc_result_t *r = result(h);
	char text[1024];
	disc_failures_str(r, text, sizeof(text));
	ck_assert_int_eq(r->state, DISC_FAILED);
	ck_assert_msg(has_failure(r, name, type, why), "want %s/%u %s in: %s", name, type,
	              dv_reason_name(why), text);
	/* nothing of the peer is kept */
	ck_assert_uint_eq(r->naddrs, 0);
	ck_assert_uint_eq(r->nkeys, 0);
	ck_assert_uint_eq(r->nhpke, 0);
	ck_assert_int_eq(h->changes, 1);
	ck_assert_int_eq(h->last_state, DISC_FAILED);
}

/* requirements: DISC-7 DISC-8 DISC-10 */
START_TEST(forged_key)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	tz_replace(&h.w, "dns.alpha.lab.", LDNS_RR_TYPE_KEY,
	           "dns.alpha.lab. 600 IN KEY 512 3 15 "
	           "AAAAqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=");
	anchor_lab(&h, &h.w);
	h.ad = 1; /* DISC-7: a resolver's AD bit does not make it secure */
	start(&h, 0);
	expect_refused(&h, "dns.alpha.lab.", LDNS_RR_TYPE_KEY, DV_R_BAD_SIG);
	ck_assert_uint_eq(result(&h)->nfailures, 1);
	ck_assert_msg(
	    strstr(result(&h)->failures[0].text, "dns.alpha.lab./KEY: signature does not verify"),
	    "%s", result(&h)->failures[0].text);
	stop(&h);
}
END_TEST

START_TEST(forged_hpkekey)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	tz_flip_wire(&h.w, "dns.alpha.lab.", HPKEKEY);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	expect_refused(&h, "dns.alpha.lab.", HPKEKEY, DV_R_BAD_SIG);
	stop(&h);
}
END_TEST

/* requirements: DISC-4 DISC-10 */
START_TEST(missing_rrsig)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	tz_drop_sigs(&h.w, "dns.alpha.lab.", HPKEKEY);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	expect_refused(&h, "dns.alpha.lab.", HPKEKEY, DV_R_NO_RRSIG);
	stop(&h);
}
END_TEST

START_TEST(wrong_anchor)
{
	struct harness h = {0};
	tz_world_t other;
	build_world(&h, 1);
	tz_sign(&h.w);
	tz_init(&other);
	tz_zone_add(&other, "lab.");
	anchor_lab(&h, &other);
	start(&h, 0);
	expect_refused(&h, "dns.alpha.lab.", LDNS_RR_TYPE_KEY, DV_R_DNSKEY_MISMATCH);
	ck_assert(has_failure(result(&h), "dns.alpha.lab.", HPKEKEY, DV_R_DNSKEY_MISMATCH));
	char all[2048];
	disc_failures_str(result(&h), all, sizeof(all));
	ck_assert_msg(strstr(all, "dns.alpha.lab./HPKEKEY: lab./DNSKEY: no DNSKEY matches"), "%s",
	              all);
	tz_free(&other);
	stop(&h);
}
END_TEST

/* requirements: DISC-16 */
START_TEST(anchor_elsewhere_and_insecure_mode)
{
	struct harness h = {0};
	tz_world_t other;
	build_world(&h, 1);
	tz_sign(&h.w);
	tz_init(&other);
	tz_zone_add(&other, "example.");
	char text[512];
	h.anchors = dv_anchors_new();
	tz_ds_text(&other, "example.", text, sizeof(text));
	ck_assert_int_eq(dv_anchors_add_text(h.anchors, text, NULL), HS_OK);
	start(&h, 0);
	expect_refused(&h, "dns.alpha.lab.", LDNS_RR_TYPE_KEY, DV_R_NO_ANCHOR);
	stop(&h);

	/* lab mode, no anchors at all: accepted, marked insecure */
	struct harness l = {0};
	build_world(&l, 1);
	start(&l, 1);
	disc_tick(l.d);
	serve(&l);
	ck_assert_int_eq(result(&l)->state, DISC_OK);
	ck_assert_int_eq(result(&l)->trust, DISC_TRUST_INSECURE_LAB);
	ck_assert_int_eq(l.sent, 5); /* no chain to walk */
	stop(&l);
	tz_free(&other);

	disc_t *d = NULL;
	hs_env_fake_t env;
	hs_env_fake_init(&env, 0, 1);
	disc_config_t cfg = {.env = &env.env, .query = fake_query};
	ck_assert_int_eq(disc_new(&cfg, &d), HS_E_INVAL); /* no anchors, not insecure */
}
END_TEST

/* A reload swaps the anchors: every peer is judged again under them. */
/* requirements: DISC-15 */
START_TEST(set_trust_rejudges)
{
	struct harness h = {0};
	tz_world_t other;
	dv_anchors_t *wrong, *right;
	char text[512];

	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	ck_assert_int_eq(h.changes, 1);
	/* an anchor for another lab. key: the next round fails */
	tz_init(&other);
	tz_zone_add(&other, "lab.");
	wrong = dv_anchors_new();
	tz_ds_text(&other, "lab.", text, sizeof(text));
	ck_assert_int_eq(dv_anchors_add_text(wrong, text, NULL), HS_OK);
	ck_assert_int_eq(disc_set_trust(h.d, wrong, 0), HS_OK);
	ck_assert_uint_le(disc_next_deadline(h.d), h.env.mono_ms);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(result(&h)->state, DISC_FAILED);
	ck_assert(
	    has_failure(result(&h), "dns.alpha.lab.", LDNS_RR_TYPE_KEY, DV_R_DNSKEY_MISMATCH));
	ck_assert_int_eq(h.changes, 2);
	/* the right one again: OK without waiting for the backoff */
	right = h.anchors;
	ck_assert_int_eq(disc_set_trust(h.d, right, 0), HS_OK);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	ck_assert_int_eq(disc_trust_str(result(&h)->trust)[0], 's');
	/* no anchors and not insecure: refused, nothing changes */
	ck_assert_int_eq(disc_set_trust(h.d, NULL, 0), HS_E_INVAL);
	ck_assert_int_eq(disc_set_trust(NULL, right, 0), HS_E_INVAL);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	dv_anchors_free(wrong);
	tz_free(&other);
	stop(&h);
}
END_TEST

/* A peer refused our message for an unknown key: look it up again, but
 * not more often than DISC_REFRESH_MIN_MS. */
/* requirements: DISC-15 */
START_TEST(refresh_peer_on_demand)
{
	struct harness h = {0};
	int sent;

	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	sent = h.sent;
	/* just looked up: nothing */
	ck_assert_int_eq(disc_refresh_peer(h.d, "alpha.lab.", "test"), HS_OK);
	advance(&h, 1);
	ck_assert_int_eq(h.nq, 0);
	advance(&h, DISC_REFRESH_MIN_MS);
	ck_assert_int_eq(h.nq, 0); /* TTL 300 s: no refresh due by itself */
	ck_assert_int_eq(disc_refresh_peer(h.d, "Alpha.Lab", "test"), HS_OK);
	ck_assert_uint_le(disc_next_deadline(h.d), h.env.mono_ms);
	disc_tick(h.d);
	ck_assert_int_gt(h.nq, 0);
	serve(&h);
	ck_assert_int_gt(h.sent, sent);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	ck_assert_int_eq(disc_refresh_peer(h.d, "nobody.lab.", "test"), HS_E_NOTFOUND);
	ck_assert_int_eq(disc_refresh_peer(NULL, "alpha.lab.", "test"), HS_E_NOTFOUND);
	stop(&h);
}
END_TEST

/* requirements: DISC-2 DISC-11 */
START_TEST(uri_optional_addresses_required)
{
	struct harness h = {0};
	build_world(&h, 0);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	ck_assert_uint_eq(result(&h)->port, 53);
	stop(&h);

	/* no addresses */
	struct harness n = {0};
	tz_init(&n.w);
	tz_zone_add(&n.w, "lab.");
	tz_zone_add(&n.w, "alpha.lab.");
	tz_delegate(&n.w, "alpha.lab.");
	tz_add(&n.w, "dns.alpha.lab. 600 IN KEY 512 3 15 "
	             "NrHnqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=");
	tz_add_wire(&n.w, "dns.alpha.lab.", HPKEKEY, 600, x25519_rdata, sizeof(x25519_rdata));
	tz_sign(&n.w);
	anchor_lab(&n, &n.w);
	start(&n, 0);
	expect_refused(&n, "dns.alpha.lab.", LDNS_RR_TYPE_A, DV_R_NONE);
	ck_assert_msg(strstr(result(&n)->failures[0].text, "no A or AAAA"), "%s",
	              result(&n)->failures[0].text);
	stop(&n);

	/* a URI that points at another host */
	struct harness m = {0};
	build_world(&m, 0);
	tz_add(&m.w, "_dns._tcp.alpha.lab. 300 IN URI 10 1 \"dns://dns.bravo.lab:5353/\"");
	tz_sign(&m.w);
	anchor_lab(&m, &m.w);
	start(&m, 0);
	expect_refused(&m, "_dns._tcp.alpha.lab.", URI, DV_R_NONE);
	ck_assert_msg(strstr(result(&m)->failures[0].text, "is not 'dns.alpha.lab'"), "%s",
	              result(&m)->failures[0].text);
	stop(&m);
}
END_TEST

/* requirements: DISC-13 */
START_TEST(ttl_refresh)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	ck_assert_int_eq(h.sent, 8);
	/* refresh at 90 % of the 300 s lifetime */
	uint64_t t0 = h.env.mono_ms;
	ck_assert_uint_eq(disc_next_deadline(h.d), t0 + 270000);
	advance(&h, 269000);
	ck_assert_int_eq(h.sent, 8);
	advance(&h, 1000);
	ck_assert_int_eq(h.nq, 5); /* the peer's own five, fresh */
	serve(&h);
	/* DNSKEY/DS answers with TTL 3600 are still cached */
	ck_assert_int_eq(h.sent, 13);
	ck_assert_int_eq(h.changes, 1); /* same data: no event */
	ck_assert_int_eq(result(&h)->state, DISC_OK);

	stop(&h);
}
END_TEST

START_TEST(data_change_event_on_refresh)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(h.changes, 1);
	/* same keys, a new A record re-signed by alpha */
	tz_replace(&h.w, "dns.alpha.lab.", LDNS_RR_TYPE_A, "dns.alpha.lab. 300 IN A 127.0.0.9");
	tz_drop_sigs(&h.w, "dns.alpha.lab.", LDNS_RR_TYPE_A);
	tz_drop_sigs(&h.w, "dns.alpha.lab.", LDNS_RR_TYPE_AAAA);
	tz_drop_sigs(&h.w, "dns.alpha.lab.", LDNS_RR_TYPE_KEY);
	tz_drop_sigs(&h.w, "dns.alpha.lab.", HPKEKEY);
	tz_drop_sigs(&h.w, "_dns._tcp.alpha.lab.", URI);
	tz_drop_sigs(&h.w, "lab.", LDNS_RR_TYPE_DNSKEY);
	tz_drop_sigs(&h.w, "alpha.lab.", LDNS_RR_TYPE_DNSKEY);
	tz_drop_sigs(&h.w, "alpha.lab.", LDNS_RR_TYPE_DS);
	tz_sign(&h.w);
	advance(&h, 270000);
	serve(&h);
	ck_assert_int_eq(h.changes, 2);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	stop(&h);
}
END_TEST

/* requirements: DISC-14 */
START_TEST(backoff_schedule)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	tz_drop_sigs(&h.w, "dns.alpha.lab.", LDNS_RR_TYPE_KEY);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	uint64_t want = 5000;
	for (int round = 0; round < 9; round++) {
		disc_tick(h.d);
		serve(&h);
		ck_assert_int_eq(result(&h)->state, DISC_FAILED);
		uint64_t delay = disc_next_deadline(h.d) - h.env.mono_ms;
		ck_assert_msg(delay <= want && delay >= want - want / 10,
		              "round %d: delay %llu, want %llu minus jitter", round,
		              (unsigned long long)delay, (unsigned long long)want);
		int before = h.sent;
		hs_env_fake_advance(&h.env, delay - 1);
		disc_tick(h.d);
		ck_assert_int_eq(h.sent, before); /* not yet */
		hs_env_fake_advance(&h.env, 1);
		want = want * 2 > 300000 ? 300000 : want * 2;
	}
	ck_assert_uint_eq(want, 300000);
	ck_assert_int_eq(h.changes, 1); /* failed once, stays failed: one event */
	stop(&h);
}
END_TEST

/* requirements: DISC-13 */
START_TEST(refresh_failure_keeps_result_until_expiry)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	serve(&h);
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	advance(&h, 270000); /* refresh starts; the resolver is silent */
	ck_assert_int_eq(h.nq, 5);
	h.nq = 0;
	advance(&h, 10000); /* queries time out: round fails, old result kept */
	ck_assert_int_eq(result(&h)->state, DISC_OK);
	advance(&h, 20000); /* 300 s: the result lapses */
	ck_assert_int_eq(result(&h)->state, DISC_FAILED);
	ck_assert_int_eq(result(&h)->failures[0].code, HS_E_EXPIRED);
	ck_assert_int_eq(h.changes, 2);
	stop(&h);
}
END_TEST

/* requirements: DISC-6 */
START_TEST(bad_tokens_and_garbage)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	ck_assert_int_eq(h.nq, 5);
	ck_assert_int_eq(disc_on_answer(h.d, 0, HS_OK, NULL, 0), HS_E_NOTFOUND);
	ck_assert_int_eq(disc_on_answer(h.d, 999, HS_OK, (const uint8_t *)"x", 1), HS_E_NOTFOUND);
	ck_assert_int_eq(result(&h)->state, DISC_PENDING);
	/* garbage for the KEY query fails that lookup, safely */
	int key = -1;
	for (int i = 0; i < h.nq; i++)
		if (h.queue[i].type == LDNS_RR_TYPE_KEY)
			key = i;
	ck_assert_int_ge(key, 0);
	uint64_t tok = h.queue[key].token;
	static const uint8_t junk[] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c};
	ck_assert_int_eq(disc_on_answer(h.d, tok, HS_OK, junk, sizeof(junk)), HS_OK);
	/* the same token again is stale now */
	ck_assert_int_eq(disc_on_answer(h.d, tok, HS_OK, junk, sizeof(junk)), HS_E_NOTFOUND);
	memmove(h.queue + key, h.queue + key + 1, sizeof(h.queue[0]) * (size_t)(h.nq - key - 1));
	h.nq--;
	/* an answer to another question for the HPKEKEY token */
	for (int i = 0; i < h.nq; i++)
		if (h.queue[i].type == HPKEKEY) {
			hs_buf_t msg = HS_BUF_INIT;
			tz_answer(&h.w, 1, "dns.alpha.lab.", LDNS_RR_TYPE_A, &msg);
			ck_assert_int_eq(
			    disc_on_answer(h.d, h.queue[i].token, HS_OK, msg.data, msg.len), HS_OK);
			hs_buf_free(&msg);
			memmove(h.queue + i, h.queue + i + 1,
			        sizeof(h.queue[0]) * (size_t)(h.nq - i - 1));
			h.nq--;
			break;
		}
	serve(&h);
	const disc_result_t *r = result(&h);
	ck_assert_int_eq(r->state, DISC_FAILED);
	int mal = 0, other = 0;
	for (size_t i = 0; i < r->nfailures; i++) {
		if (r->failures[i].type == LDNS_RR_TYPE_KEY &&
		    r->failures[i].code == HS_E_MALFORMED)
			mal = 1;
		if (r->failures[i].type == HPKEKEY && r->failures[i].code == HS_E_STATE)
			other = 1;
	}
	ck_assert(mal && other);
	stop(&h);
}
END_TEST

START_TEST(query_timeout_and_send_failure)
{
	struct harness h = {0};
	build_world(&h, 1);
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	disc_tick(h.d);
	ck_assert_uint_eq(disc_next_deadline(h.d), h.env.mono_ms + 10000);
	h.nq = 0; /* the resolver never answers */
	advance(&h, 10000);
	const disc_result_t *r = result(&h);
	ck_assert_int_eq(r->state, DISC_FAILED);
	ck_assert_uint_eq(r->nfailures, 5);
	ck_assert_int_eq(r->failures[0].code, HS_E_TIMEOUT);
	ck_assert_msg(strstr(r->failures[0].text, "no answer within 10000 ms"), "%s",
	              r->failures[0].text);
	/* the next round cannot even send */
	h.refuse_send = 1;
	advance(&h, disc_next_deadline(h.d) - h.env.mono_ms);
	ck_assert_int_eq(result(&h)->state, DISC_FAILED);
	ck_assert_int_eq(result(&h)->failures[0].code, HS_E_NET);
	ck_assert_int_eq(disc_remove_peer(h.d, "alpha.lab"), HS_OK);
	ck_assert_int_eq(disc_remove_peer(h.d, "alpha.lab"), HS_E_NOTFOUND);
	ck_assert_uint_eq(disc_next_deadline(h.d), UINT64_MAX);
	ck_assert_int_eq(disc_add_peer(h.d, ""), HS_E_NAME);
	ck_assert_int_eq(disc_add_peer(h.d, "a..b"), HS_E_NAME);
	stop(&h);
}
END_TEST

static int uri(const char *target, disc_uri_t *u)
{
	uint8_t rd[1100] = {0, 10, 0, 1};
	size_t n = strlen(target);
	memcpy(rd + 4, target, n);
	return disc_uri_parse(rd, 4 + n, u, NULL);
}

/* requirements: DISC-2 */
/* requirements: DISC-5 */
START_TEST(query_build)
{
	hs_buf_t m = HS_BUF_INIT;
	ck_assert_int_eq(disc_query_build("dns.alpha.lab.", LDNS_RR_TYPE_KEY, 0x1234, &m), HS_OK);
	ldns_pkt *p = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&p, m.data, m.len), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_id(p), 0x1234);
	ck_assert(ldns_pkt_rd(p));
	ck_assert(ldns_pkt_cd(p));
	ck_assert(!ldns_pkt_qr(p));
	ck_assert(ldns_pkt_edns(p));
	ck_assert(ldns_pkt_edns_do(p));
	ck_assert_uint_eq(ldns_pkt_edns_udp_size(p), 1232);
	ck_assert_int_eq(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(p), 0)),
	                 LDNS_RR_TYPE_KEY);
	ldns_pkt_free(p);
	hs_buf_reset(&m);
	ck_assert_int_eq(disc_query_build("bad..name", LDNS_RR_TYPE_KEY, 1, &m), HS_E_NAME);
	hs_buf_free(&m);
}
END_TEST

START_TEST(uri_parser)
{
	disc_uri_t u;
	ck_assert_int_eq(uri("dns://dns.alpha.lab:5353/", &u), HS_OK);
	ck_assert_str_eq(u.host, "dns.alpha.lab");
	ck_assert_uint_eq(u.port, 5353);
	ck_assert_uint_eq(u.priority, 10);
	ck_assert_uint_eq(u.weight, 1);
	ck_assert_int_eq(uri("DNS://dns.alpha.lab.", &u), HS_OK);
	ck_assert_str_eq(u.host, "dns.alpha.lab");
	ck_assert_uint_eq(u.port, 0);
	ck_assert_int_eq(uri("dns://[::1]:53/", &u), HS_OK);
	ck_assert_str_eq(u.host, "::1");
	ck_assert_int_eq(uri("https://dns.alpha.lab/", &u), HS_E_SYNTAX);
	ck_assert_int_eq(uri("dns://", &u), HS_E_SYNTAX);
	ck_assert_int_eq(uri("dns://h:0/", &u), HS_E_SYNTAX);
	ck_assert_int_eq(uri("dns://h:65536/", &u), HS_E_SYNTAX);
	ck_assert_int_eq(uri("dns://h:/", &u), HS_E_SYNTAX);
	ck_assert_int_eq(uri("dns://h/path", &u), HS_E_SYNTAX);
	ck_assert_int_eq(uri("dns://[::1", &u), HS_E_SYNTAX);
	ck_assert_int_eq(uri("dns://h:53 x", &u), HS_E_SYNTAX);
	ck_assert_int_eq(disc_uri_parse((const uint8_t *)"\0\1\0", 3, &u, NULL), HS_E_TRUNC);
	ck_assert_int_eq(disc_uri_parse((const uint8_t *)"\0\1\0\1", 4, &u, NULL), HS_E_TRUNC);
	static const uint8_t nul[] = {0, 1, 0, 1, 'd', 'n', 's', ':', '/', '/', 'a', 0, 'b'};
	ck_assert_int_eq(disc_uri_parse(nul, sizeof(nul), &u, NULL), HS_E_SYNTAX);
}
END_TEST

/* disc_lookup: one validated RRset of any name, for the parent's key
 * bootstrap (draft-hsync-parent PS-20, PS-21): secure, bogus, absent */
static int looked, look_status, look_secure;
static size_t look_n;
static void on_lookup(void *arg, uint64_t id, const disc_lookup_result_t *r)
{
	(void)arg;
	(void)id;
	looked++;
	look_status = r->status;
	look_secure = r->security == DV_SECURE;
	look_n = r->n;
}

START_TEST(one_lookup)
{
	struct harness h = {0};
	uint64_t id = 0;
	build_world(&h, 0);
	tz_add(&h.w, "alpha.lab. 300 IN KEY 512 3 15 NrHnqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=");
	tz_sign(&h.w);
	anchor_lab(&h, &h.w);
	start(&h, 0);
	looked = 0;
	ck_assert_int_eq(disc_lookup(h.d, "Alpha.LAB", 25, on_lookup, &h, &id), HS_OK);
	ck_assert_uint_gt(id, 0);
	serve(&h);
	ck_assert_int_eq(looked, 1);
	ck_assert_int_eq(look_status, HS_OK);
	ck_assert(look_secure);
	ck_assert_uint_eq(look_n, 1);
	/* a name with nothing: answered, no records */
	ck_assert_int_eq(disc_lookup(h.d, "beta.alpha.lab.", 25, on_lookup, &h, NULL), HS_OK);
	serve(&h);
	ck_assert_int_eq(looked, 2);
	ck_assert_uint_eq(look_n, 0);
	/* a query that is never answered fails after the timeout */
	ck_assert_int_eq(disc_lookup(h.d, "alpha.lab.", 1, on_lookup, &h, NULL), HS_OK);
	h.nq = 0;
	advance(&h, 11000);
	ck_assert_int_eq(looked, 3);
	ck_assert_int_ne(look_status, HS_OK);
	ck_assert_int_eq(disc_lookup(h.d, "a..b", 25, on_lookup, &h, NULL), HS_E_NAME);
	stop(&h);
}
END_TEST

static Suite *discovery_suite(void)
{
	Suite *s = suite_create("discovery");
	TCase *tc = tcase_create("discovery");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, success);
	tcase_add_test(tc, one_lookup);
	tcase_add_test(tc, chain_shared_between_peers);
	tcase_add_test(tc, forged_key);
	tcase_add_test(tc, forged_hpkekey);
	tcase_add_test(tc, missing_rrsig);
	tcase_add_test(tc, wrong_anchor);
	tcase_add_test(tc, anchor_elsewhere_and_insecure_mode);
	tcase_add_test(tc, set_trust_rejudges);
	tcase_add_test(tc, refresh_peer_on_demand);
	tcase_add_test(tc, uri_optional_addresses_required);
	tcase_add_test(tc, ttl_refresh);
	tcase_add_test(tc, data_change_event_on_refresh);
	tcase_add_test(tc, backoff_schedule);
	tcase_add_test(tc, refresh_failure_keeps_result_until_expiry);
	tcase_add_test(tc, bad_tokens_and_garbage);
	tcase_add_test(tc, query_timeout_and_send_failure);
	tcase_add_test(tc, uri_parser);
	tcase_add_test(tc, query_build);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(discovery_suite)
