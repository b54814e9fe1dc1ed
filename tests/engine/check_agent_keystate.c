/*
 * check_agent_keystate.c -- the agent's KEYSTATE side (src/engine/sync/
 * sd_keys.c) in virtual time: three agents with fake combiners (the sync
 * harness) and, behind agent alpha, the real signer key engine
 * (src/engine/signer) exchanging real RFI and KEYSTATE bodies. The gate
 * at the signer opens only on what the agent reports, so these tests fail
 * when the agent reports a PENDING as applied, loses a verdict, or
 * distributes the wrong keys. Requirement ids:
 * rfc-drafts/draft-hsync-keystate.md.
 */
#include "lib/testutil.h"

#include "dnssec/zsign.h"
#include "engine/signer/sgn.h"
#include "engine/sync_harness.h"

#define ZONE    "example.test."
#define SOLO    "solo.test."
#define ALPHA   "agent.alpha."
#define BRAVO   "agent.bravo."
#define CHARLIE "agent.charlie."
#define CA      "combiner.alpha."
#define CB      "combiner.bravo."
#define CC      "combiner.charlie."
#define SIGNER  "signer.alpha."
#define TMO     2000 /* confirm timeout, ms */

static const char *const PARAM[] = {"nsmgmt=\"agent\" servers=\"alpha,bravo,charlie\" "
                                    "signers=\"alpha,bravo,charlie\"",
                                    NULL};
static const char *const H3_ABC[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
                                     "ON charlie agent.charlie. .", NULL};
static const char *const H3_SOLO[] = {"ON alpha agent.alpha. .", NULL};

typedef struct ksw {
	sn_t net;
	sgn_t *s;
	int signer_down;
	zs_key_t *keys[64];
	size_t nkeys;
	size_t resigns;
	int last_rc; /* of the last message the signer took */
} ksw_t;

/* The signer's side of the network: RFI KEYSTATE and reports in. */
static int signer_in(void *arg, const char *from, const char *to, const char *type,
                     const uint8_t *b, size_t n)
{
	ksw_t *w = arg;
	hs_errmsg_t em;
	if (strcmp(to, SIGNER) != 0 || w->signer_down)
		return -1;
	hs_errmsg_clear(&em);
	if (strcmp(type, "RFI") == 0) {
		sm_rfi_t r;
		ck_assert_int_eq(sm_rfi_decode(b, n, &r, NULL), HS_OK);
		ck_assert_int_eq(r.what, SM_RFI_KEYSTATE);
		w->last_rc = HS_OK;
		for (size_t i = 0; i < r.nzones; i++) {
			int rc = sgn_inventory_request(w->s, from, r.zones[i], &em);
			if (rc != HS_E_NOTFOUND)
				w->last_rc = rc;
		}
		sm_rfi_free(&r);
		return w->last_rc;
	}
	w->last_rc = sgn_message(w->s, from, type, b, n, &em);
	ck_assert_msg(w->last_rc == HS_OK, "signer refused %s from %s: %s", type, from,
	              hs_errmsg_str(&em));
	return w->last_rc;
}

/* The signer's actions: keys made, inventories out to the agent. */
static size_t signer_pump(ksw_t *w)
{
	sgn_action_t a;
	size_t handled = 0;
	while (sgn_next_action(w->s, &a) == HS_OK) {
		handled++;
		if (a.kind == SGN_ACT_GENERATE) {
			zs_key_t *k = NULL;
			size_t l;
			ck_assert_int_eq(zs_key_generate(a.alg, a.flags, &k, NULL), HS_OK);
			w->keys[w->nkeys++] = k;
			const uint8_t *rd = zs_key_dnskey(k, &l);
			ck_assert_int_eq(sgn_key_generated(w->s, a.zone, a.req, rd, l), HS_OK);
		} else if (a.kind == SGN_ACT_SEND) {
			sn_log_t *l = sn_note(&w->net, SIGNER, a.to, a.type, a.body, a.blen);
			ck_assert_str_eq(a.to, ALPHA);
			if (!w->signer_down)
				l->rc = eng_message(w->net.e[0], SIGNER, a.type, a.body, a.blen);
		} else if (a.kind == SGN_ACT_RESIGN) {
			w->resigns++;
		}
		sgn_action_clear(&a);
	}
	return handled;
}

static void settle(ksw_t *w)
{
	for (;;) {
		size_t h = sn_pump(&w->net);
		h += signer_pump(w);
		if (h == 0)
			break;
	}
}

/* Run `ms` of virtual time: agents' and the signer's timers. */
static void run(ksw_t *w, uint64_t ms)
{
	sn_t *net = &w->net;
	uint64_t end = net->clock.mono_ms + ms;
	for (;;) {
		settle(w);
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < net->n; i++) {
			uint64_t d = eng_next_deadline(net->e[i]);
			if (d < next)
				next = d;
		}
		int64_t sd = sgn_next_deadline(w->s);
		if (sd != INT64_MAX) {
			uint64_t at = (uint64_t)sd * 1000;
			uint64_t m = at > net->clock.now_ms
			                 ? net->clock.mono_ms + (at - net->clock.now_ms)
			                 : net->clock.mono_ms;
			if (m < next)
				next = m;
		}
		if (next > end)
			next = end;
		if (next <= net->clock.mono_ms)
			next = net->clock.mono_ms + 1;
		hs_env_fake_advance(&net->clock, next - net->clock.mono_ms);
		for (size_t i = 0; i < net->n; i++)
			(void)eng_tick(net->e[i]);
		(void)sgn_tick(w->s);
		settle(w);
		if (net->clock.mono_ms >= end)
			break;
	}
}

static sgn_policy_t policy(void)
{
	sgn_policy_t p;
	memset(&p, 0, sizeof(p));
	p.alg = 13;
	p.propagation = 5;
	p.dnskey_ttl = 5;
	p.max_ttl = 5;
	p.ds_ttl = 5;
	return p;
}

/* Three providers with their combiners; alpha has a signer for ZONE.
 * `script` (may be NULL) sets the combiners' and the signer's behaviour
 * before the zone is loaded everywhere; nothing has run yet. */
static void world_build(ksw_t *w, void (*script)(ksw_t *w))
{
	sn_t *net = &w->net;
	sgn_policy_t p = policy();
	sgn_cfg_t cfg = {.identity = SIGNER, .agent = ALPHA};
	memset(w, 0, sizeof(*w));
	sn_init(net, TMO);
	net->other = signer_in;
	net->other_arg = w;
	net->sig[0] = SIGNER;
	sn_add(net, ALPHA, CA);
	sn_add(net, BRAVO, CB);
	sn_add(net, CHARLIE, CC);
	ck_assert_int_eq(sgn_new(&cfg, &net->clock.env, &w->s, NULL), HS_OK);
	ck_assert_int_eq(sgn_zone_add(w->s, ZONE, &p, NULL), HS_OK);
	if (script != NULL)
		script(w);
	for (size_t i = 0; i < net->n; i++)
		h_load(net->e[i], ZONE, H3_ABC, PARAM);
}

static void hold_peers(ksw_t *w)
{
	w->net.fc[1].hold = w->net.fc[2].hold = 1;
}

/* world_build, then five BEATs (`hold`: bravo's and charlie's combiners
 * hold what they get). */
static void world(ksw_t *w, int hold)
{
	world_build(w, hold ? hold_peers : NULL);
	run(w, 5 * SN_BEAT);
}

static void charlie_rejects(ksw_t *w)
{
	strcpy(w->net.fc[2].reject_origin, ALPHA);
	strcpy(w->net.fc[2].reject_reason, "not-signer: alpha is not in signers");
}

static void charlie_silent(ksw_t *w)
{
	w->net.fc[2].silent = 1;
}

static void signer_down(ksw_t *w)
{
	w->signer_down = 1;
}

static void world_free(ksw_t *w)
{
	sn_free(&w->net);
	sgn_free(w->s);
	for (size_t i = 0; i < w->nkeys; i++)
		zs_key_free(w->keys[i]);
}

/* How many of the signer's own keys of `zone` are in `state` (role 0 =
 * any). */
static size_t in_state(const ksw_t *w, const char *zone, int state, uint8_t role)
{
	size_t c = 0;
	for (size_t i = 0; i < sgn_zone_key_count(w->s, zone); i++) {
		sgn_key_view_t kv;
		ck_assert_int_eq(sgn_zone_key_at(w->s, zone, i, &kv), HS_OK);
		if (!kv.foreign && kv.state == state && (role == 0 || kv.role == role))
			c++;
	}
	return c;
}

/* The view of the signer's key i of `zone`. */
static sgn_key_view_t key_at(const ksw_t *w, const char *zone, size_t i)
{
	sgn_key_view_t kv;
	ck_assert_int_eq(sgn_zone_key_at(w->s, zone, i, &kv), HS_OK);
	return kv;
}

/* Alpha's own DNSKEY records in its set: count, and whether `rd` is one. */
static size_t own_dnskeys(const ksw_t *w, const uint8_t *rd, size_t len, int *has)
{
	eng_sd_view_t *v = NULL;
	size_t c = 0;
	if (has != NULL)
		*has = 0;
	ck_assert_int_eq(eng_sd_view(w->net.e[0], ZONE, &v), HS_OK);
	for (size_t i = 0; i < v->nrrs; i++) {
		const eng_sd_rr_info_t *r = &v->rrs[i];
		if (!r->own || r->type != 48 || !r->in_set)
			continue;
		c++;
		if (has != NULL && r->rdlen == len && memcmp(r->rdata, rd, len) == 0)
			*has = 1;
		ck_assert_str_eq(r->owner, ZONE);
	}
	eng_sd_view_free(v);
	return c;
}

/* The last KEYSTATE of `kind` from alpha to the signer, decoded; 0 when
 * there is none since `mark`. */
static int last_report(const ksw_t *w, size_t mark, enum sgn_ks_kind kind, sgn_keystate_t *out)
{
	for (size_t i = w->net.nlog; i-- > mark;) {
		const sn_log_t *l = &w->net.log[i];
		if (strcmp(l->from, ALPHA) != 0 || strcmp(l->to, SIGNER) != 0 ||
		    strcmp(l->type, "KEYSTATE") != 0)
			continue;
		ck_assert_int_eq(sgn_ks_decode(l->body.data, l->body.len, out, NULL), HS_OK);
		if (out->kind == kind)
			return 1;
		sgn_ks_free(out);
	}
	return 0;
}

static size_t count_reports(const ksw_t *w, size_t mark, enum sgn_ks_kind kind)
{
	size_t c = 0;
	for (size_t i = mark; i < w->net.nlog; i++) {
		const sn_log_t *l = &w->net.log[i];
		sgn_keystate_t ks;
		if (strcmp(l->from, ALPHA) != 0 || strcmp(l->to, SIGNER) != 0 ||
		    strcmp(l->type, "KEYSTATE") != 0)
			continue;
		ck_assert_int_eq(sgn_ks_decode(l->body.data, l->body.len, &ks, NULL), HS_OK);
		c += ks.kind == kind;
		sgn_ks_free(&ks);
	}
	return c;
}

/* The verdict a report gives for (key, peer), or "". */
static const char *verdict_of(const sgn_keystate_t *ks, const sgn_key_view_t *kv, const char *peer)
{
	for (size_t i = 0; i < ks->nverdicts; i++)
		if (ks->verdicts[i].len == kv->len &&
		    memcmp(ks->verdicts[i].rdata, kv->rdata, kv->len) == 0 &&
		    strcmp(ks->verdicts[i].provider, peer) == 0)
			return ks->verdicts[i].verdict;
	return "";
}

/* Some status since `mark` gave `verdict` for (key, peer). */
static int any_verdict(const ksw_t *w, size_t mark, const sgn_key_view_t *kv, const char *peer,
                       const char *verdict)
{
	int found = 0;
	for (size_t i = mark; i < w->net.nlog && !found; i++) {
		const sn_log_t *l = &w->net.log[i];
		sgn_keystate_t ks;
		if (strcmp(l->from, ALPHA) != 0 || strcmp(l->to, SIGNER) != 0 ||
		    strcmp(l->type, "KEYSTATE") != 0)
			continue;
		ck_assert_int_eq(sgn_ks_decode(l->body.data, l->body.len, &ks, NULL), HS_OK);
		found = ks.kind == SGN_KS_STATUS && strcmp(verdict_of(&ks, kv, peer), verdict) == 0;
		sgn_ks_free(&ks);
	}
	return found;
}

static int has_peer(const sgn_keystate_t *ks, const char *peer)
{
	for (size_t i = 0; i < ks->npeers; i++)
		if (strcmp(ks->peers[i], peer) == 0)
			return 1;
	return 0;
}

/* requirements: KS-11 KS-12 KS-13 KS-40 */
START_TEST(test_inventory_distributed_and_gate)
{
	/* the agent asks for the inventory at start, distributes the keys
	 * as its DNSKEY set (UPDATE to its combiner, SYNC to every peer,
	 * one change), reports the peers' verdicts; the peers' PENDING
	 * keeps the signer's gate shut, the last final verdict opens it */
	ksw_t w;
	sgn_keystate_t st;
	world(&w, 1);
	ck_assert_uint_ge(sn_count(&w.net, 0, ALPHA, SIGNER, "RFI"), 1);
	ck_assert_uint_ge(sn_count(&w.net, 0, SIGNER, ALPHA, "KEYSTATE"), 1);
	ck_assert_uint_eq(sgn_zone_key_count(w.s, ZONE), 2);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_MPDIST, 0), 2);
	for (size_t i = 0; i < 2; i++) {
		sgn_key_view_t kv = key_at(&w, ZONE, i);
		int has;
		ck_assert_uint_eq(own_dnskeys(&w, kv.rdata, kv.len, &has), 2);
		ck_assert(has);
	}
	/* one UPDATE to the own combiner and one SYNC to each peer, same change */
	const sn_log_t *u = sn_last(&w.net, ALPHA, CA, "UPDATE");
	const sn_log_t *sy = sn_last(&w.net, ALPHA, BRAVO, "SYNC");
	ck_assert_ptr_nonnull(u);
	ck_assert_ptr_nonnull(sy);
	ck_assert_ptr_nonnull(sn_last(&w.net, ALPHA, CHARLIE, "SYNC"));
	sm_sync_t mu, ms;
	ck_assert_int_eq(sm_sync_decode(u->body.data, u->body.len, &mu, NULL), HS_OK);
	ck_assert_int_eq(sm_sync_decode(sy->body.data, sy->body.len, &ms, NULL), HS_OK);
	ck_assert_str_eq(mu.change, ms.change);
	ck_assert_uint_eq(ms.nsets, 1);
	ck_assert_uint_eq(ms.sets[0].type, 48);
	ck_assert_uint_eq(ms.sets[0].nrrs, 2);
	sm_sync_free(&mu);
	sm_sync_free(&ms);
	/* a status said pending for both peers (their agents' PENDING), the
	 * last one unconfirmed (no final verdict within the timeout): the
	 * gate stays shut */
	sgn_key_view_t k0 = key_at(&w, ZONE, 0);
	ck_assert(any_verdict(&w, 0, &k0, BRAVO, "pending"));
	ck_assert(any_verdict(&w, 0, &k0, CHARLIE, "pending"));
	ck_assert(last_report(&w, 0, SGN_KS_STATUS, &st));
	ck_assert(st.has_peers);
	ck_assert_uint_eq(st.npeers, 2);
	ck_assert(has_peer(&st, BRAVO) && has_peer(&st, CHARLIE));
	ck_assert_str_eq(verdict_of(&st, &k0, BRAVO), "unconfirmed");
	ck_assert_str_eq(verdict_of(&st, &k0, CHARLIE), "unconfirmed");
	sgn_ks_free(&st);
	ck_assert_uint_eq(count_reports(&w, 0, SGN_KS_PROPAGATED), 0);
	run(&w, 60000);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_MPDIST, 0), 2);
	ck_assert_msg(strstr(key_at(&w, ZONE, 0).waiting, "waiting for agent.") != NULL, "%s",
	              key_at(&w, ZONE, 0).waiting);
	/* one combiner's final verdict: still shut */
	size_t mark = w.net.nlog;
	fc_release(&w.net.fc[1]);
	settle(&w);
	ck_assert(last_report(&w, mark, SGN_KS_STATUS, &st));
	ck_assert_str_eq(verdict_of(&st, &k0, BRAVO), "applied");
	ck_assert_str_ne(verdict_of(&st, &k0, CHARLIE), "applied");
	sgn_ks_free(&st);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_MPDIST, 0), 2);
	ck_assert_uint_eq(count_reports(&w, 0, SGN_KS_PROPAGATED), 0);
	/* the last: propagated, the keys published */
	mark = w.net.nlog;
	fc_release(&w.net.fc[2]);
	settle(&w);
	ck_assert(last_report(&w, mark, SGN_KS_PROPAGATED, &st));
	ck_assert_uint_eq(st.nkeys, 2);
	ck_assert_uint_eq(st.npeers, 2);
	sgn_ks_free(&st);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_PUBLISHED, 0), 2);
	ck_assert_uint_eq(sgn_refused(w.s), 0);
	/* the keys become active; their set does not change: nothing sent */
	mark = w.net.nlog;
	run(&w, 30000);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_ACTIVE, 0), 2);
	ck_assert_uint_eq(sn_count(&w.net, mark, ALPHA, NULL, "SYNC"), 0);
	ck_assert_uint_eq(sn_count(&w.net, mark, ALPHA, CA, "UPDATE"), 0);
	ck_assert_uint_eq(count_reports(&w, mark, SGN_KS_PROPAGATED), 0);
	eng_sd_counters_t c;
	eng_sd_counters(w.net.e[0], &c);
	ck_assert_uint_ge(c.keystates_received, 3);
	ck_assert_uint_eq(c.keystates_refused, 0);
	world_free(&w);
}
END_TEST

/* requirements: KS-12 KS-13 KS-43 KS-52 */
START_TEST(test_zsk_rollover_through_the_agent)
{
	/* a whole ZSK rollover with the real agent in between: the new key
	 * distributed and propagated, the old one withdrawn from the
	 * agent's set and reported removed once every peer removed it */
	ksw_t w;
	sgn_keystate_t st;
	sgn_key_view_t old;
	int has;
	world(&w, 0);
	run(&w, 30000);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_ACTIVE, 0), 2);
	for (size_t i = 0; i < 2; i++)
		if ((old = key_at(&w, ZONE, i)).role == ST_DKEY_ZSK)
			break;
	uint8_t old_rd[256];
	size_t old_len = old.len;
	memcpy(old_rd, old.rdata, old.len);
	size_t mark = w.net.nlog;
	ck_assert_int_eq(sgn_rollover(w.s, ZONE, ST_DKEY_ZSK, NULL), HS_OK);
	settle(&w);
	ck_assert_uint_eq(own_dnskeys(&w, old_rd, old_len, &has), 3);
	ck_assert(has);
	run(&w, 120000);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_ACTIVE, ST_DKEY_ZSK), 1);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_REMOVED, ST_DKEY_ZSK), 1);
	ck_assert_uint_eq(own_dnskeys(&w, old_rd, old_len, &has), 2);
	ck_assert(!has);
	ck_assert_uint_ge(count_reports(&w, mark, SGN_KS_PROPAGATED), 1);
	ck_assert(last_report(&w, mark, SGN_KS_REMOVED, &st));
	ck_assert_uint_eq(st.nkeys, 1);
	ck_assert_mem_eq(st.keys[0].rdata, old_rd, old_len);
	sgn_ks_free(&st);
	/* every peer's combiner holds exactly the signer's current keys */
	for (size_t p = 1; p < 3; p++) {
		fc_set_t *fs = fc_find(&w.net.fc[p], ZONE, ALPHA, 48);
		ck_assert_ptr_nonnull(fs);
		ck_assert_uint_eq(fs->n, 2);
		for (size_t j = 0; j < fs->n; j++)
			ck_assert(fs->rrs[j].rdlen != old_len ||
			          memcmp(fs->rrs[j].rdata, old_rd, old_len) != 0);
	}
	ck_assert_uint_eq(sgn_refused(w.s), 0);
	world_free(&w);
}
END_TEST

/* requirements: KS-13 KS-44 */
START_TEST(test_rejection_reported)
{
	ksw_t w;
	sgn_keystate_t st;
	/* charlie's combiner rejects alpha's keys (scripted before they come) */
	world_build(&w, charlie_rejects);
	run(&w, 60000);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_MPDIST, 0), 2);
	ck_assert(last_report(&w, 0, SGN_KS_REJECTED, &st));
	ck_assert_uint_eq(st.nkeys, 2);
	sgn_key_view_t k0 = key_at(&w, ZONE, 0);
	ck_assert_str_eq(verdict_of(&st, &k0, CHARLIE), "rejected");
	ck_assert_str_eq(verdict_of(&st, &k0, BRAVO), "applied");
	sgn_ks_free(&st);
	ck_assert_msg(strstr(k0.waiting, "rejected by agent.charlie.: not-signer") != NULL, "%s",
	              k0.waiting);
	/* reported once, not again while it stands */
	ck_assert_uint_eq(count_reports(&w, 0, SGN_KS_REJECTED), 1);
	ck_assert_uint_eq(count_reports(&w, 0, SGN_KS_PROPAGATED), 0);
	world_free(&w);
}
END_TEST

/* requirements: KS-13 KS-40 */
START_TEST(test_silent_peer_unconfirmed_then_resumes)
{
	ksw_t w;
	sgn_keystate_t st;
	world_build(&w, charlie_silent);
	run(&w, 3 * TMO + 5 * SN_BEAT);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_MPDIST, 0), 2);
	ck_assert(last_report(&w, 0, SGN_KS_STATUS, &st));
	sgn_key_view_t k0 = key_at(&w, ZONE, 0);
	ck_assert_str_eq(verdict_of(&st, &k0, CHARLIE), "unconfirmed");
	ck_assert_str_eq(verdict_of(&st, &k0, BRAVO), "applied");
	sgn_ks_free(&st);
	ck_assert(strstr(k0.waiting, "agent.charlie.") != NULL);
	/* the combiner answers again: the re-sent set is applied, the gate opens */
	w.net.fc[2].silent = 0;
	run(&w, 40 * TMO);
	ck_assert_uint_ge(in_state(&w, ZONE, ST_DKEY_PUBLISHED, 0) +
	                      in_state(&w, ZONE, ST_DKEY_STANDBY, 0) +
	                      in_state(&w, ZONE, ST_DKEY_ACTIVE, 0),
	                  2);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_MPDIST, 0), 0);
	ck_assert_uint_eq(sgn_refused(w.s), 0);
	world_free(&w);
}
END_TEST

/* An inventory body for ZONE with one key. */
static void inventory(hs_buf_t *out, uint64_t seq, const uint8_t *rd, size_t len, const char *state,
                      enum sgn_ks_kind kind)
{
	sgn_keystate_t ks;
	sgn_ks_key_t key;
	memset(&ks, 0, sizeof(ks));
	memset(&key, 0, sizeof(key));
	snprintf(ks.zone, sizeof(ks.zone), "%s", ZONE);
	ks.kind = kind;
	ks.seq = seq;
	key.rdata = (uint8_t *)rd;
	key.len = len;
	snprintf(key.state, sizeof(key.state), "%s", state);
	ks.keys = &key;
	ks.nkeys = 1;
	if (kind != SGN_KS_INVENTORY) {
		ks.has_peers = 1;
		ks.npeers = 0;
	}
	ck_assert_int_eq(sgn_ks_encode(&ks, out), HS_OK);
}

/* requirements: KS-11 KS-12 KS-30 */
START_TEST(test_bad_keystate_refused_and_reasked)
{
	/* the signer is down at start: the agent asks again with backoff;
	 * once up, its inventory is taken. Then a KEYSTATE from another
	 * party, a malformed key, a report kind and a stale inventory are
	 * refused or ignored and change nothing */
	ksw_t w;
	world_build(&w, signer_down);
	/* keep the signer's own timers from making keys while "down" */
	sn_run(&w.net, 4 * TMO);
	ck_assert_uint_ge(sn_count(&w.net, 0, ALPHA, SIGNER, "RFI"), 2);
	ck_assert_uint_eq(own_dnskeys(&w, NULL, 0, NULL), 0);
	w.signer_down = 0;
	(void)sgn_tick(w.s); /* keys made; its inventory reaches the agent */
	settle(&w);
	ck_assert_uint_eq(own_dnskeys(&w, NULL, 0, NULL), 2);
	run(&w, 30000);
	ck_assert_uint_eq(in_state(&w, ZONE, ST_DKEY_ACTIVE, 0), 2);

	char *before = sn_rrs_json(&w.net, 0, ZONE);
	eng_sd_counters_t c0, c1;
	eng_sd_counters(w.net.e[0], &c0);
	zs_key_t *k = NULL;
	size_t len;
	ck_assert_int_eq(zs_key_generate(13, 256, &k, NULL), HS_OK);
	const uint8_t *rd = zs_key_dnskey(k, &len);
	uint8_t bad[256];
	memcpy(bad, rd, len);
	hs_buf_t b = HS_BUF_INIT;
	/* from a party that is not our signer */
	inventory(&b, UINT64_MAX / 2, rd, len, "mpdist", SGN_KS_INVENTORY);
	ck_assert_int_eq(eng_message(w.net.e[0], BRAVO, "KEYSTATE", b.data, b.len), HS_E_REFUSED);
	ck_assert_int_eq(eng_message(w.net.e[0], "signer.bravo.", "KEYSTATE", b.data, b.len),
	                 HS_E_REFUSED);
	/* a key that is not a zone key, a protocol other than 3 */
	bad[0] = 0;
	bad[1] = 0; /* flags 0 */
	hs_buf_reset(&b);
	inventory(&b, UINT64_MAX / 2, bad, len, "mpdist", SGN_KS_INVENTORY);
	ck_assert_int_eq(eng_message(w.net.e[0], SIGNER, "KEYSTATE", b.data, b.len),
	                 HS_E_MALFORMED);
	memcpy(bad, rd, len);
	bad[2] = 2;
	hs_buf_reset(&b);
	inventory(&b, UINT64_MAX / 2, bad, len, "mpdist", SGN_KS_INVENTORY);
	ck_assert_int_eq(eng_message(w.net.e[0], SIGNER, "KEYSTATE", b.data, b.len),
	                 HS_E_MALFORMED);
	/* a public key that does not decode as a DNSKEY */
	hs_buf_reset(&b);
	inventory(&b, UINT64_MAX / 2, rd, 4, "mpdist", SGN_KS_INVENTORY);
	ck_assert_int_ne(eng_message(w.net.e[0], SIGNER, "KEYSTATE", b.data, b.len), HS_OK);
	/* a foreign key in the signer's own inventory */
	hs_buf_reset(&b);
	inventory(&b, UINT64_MAX / 2, rd, len, "foreign", SGN_KS_INVENTORY);
	ck_assert_int_eq(eng_message(w.net.e[0], SIGNER, "KEYSTATE", b.data, b.len),
	                 HS_E_MALFORMED);
	/* a report kind comes from the agent, not to it */
	hs_buf_reset(&b);
	inventory(&b, UINT64_MAX / 2, rd, len, "mpdist", SGN_KS_PROPAGATED);
	ck_assert_int_eq(eng_message(w.net.e[0], SIGNER, "KEYSTATE", b.data, b.len), HS_E_REFUSED);
	/* undecodable */
	static const uint8_t junk[] = {0x81, 0xa4, 'z', 'o', 'n', 'e', 0x05};
	ck_assert_int_ne(eng_message(w.net.e[0], SIGNER, "KEYSTATE", junk, sizeof(junk)), HS_OK);
	eng_sd_counters(w.net.e[0], &c1);
	ck_assert_uint_eq(c1.keystates_refused - c0.keystates_refused, 8);
	/* stale: an inventory older than the last one taken is ignored */
	hs_buf_reset(&b);
	inventory(&b, 1, rd, len, "mpdist", SGN_KS_INVENTORY);
	ck_assert_int_eq(eng_message(w.net.e[0], SIGNER, "KEYSTATE", b.data, b.len), HS_OK);
	eng_sd_counters(w.net.e[0], &c1);
	ck_assert_uint_eq(c1.keystates_stale - c0.keystates_stale, 1);
	settle(&w);
	char *after = sn_rrs_json(&w.net, 0, ZONE);
	ck_assert_str_eq(before, after);
	ck_assert_uint_eq(own_dnskeys(&w, rd, len, NULL), 2);
	free(before);
	free(after);
	hs_buf_free(&b);
	zs_key_free(k);
	world_free(&w);
}
END_TEST

/* requirements: KS-12 KS-13 KS-41 */
START_TEST(test_zone_without_peers)
{
	/* a zone alpha serves alone: nothing distributed, a status with no
	 * peers, and the signer's gate opens at once */
	ksw_t w;
	sgn_keystate_t st;
	sgn_policy_t p = policy();
	world(&w, 0);
	ck_assert_int_eq(sgn_zone_add(w.s, SOLO, &p, NULL), HS_OK);
	size_t mark = w.net.nlog;
	h_load(w.net.e[0], SOLO, H3_SOLO, PARAM);
	run(&w, 30000);
	ck_assert_uint_ge(sn_count(&w.net, mark, ALPHA, SIGNER, "RFI"), 1);
	ck_assert_uint_eq(in_state(&w, SOLO, ST_DKEY_ACTIVE, 0), 2);
	int found = 0;
	for (size_t i = w.net.nlog; i-- > mark && !found;) {
		const sn_log_t *l = &w.net.log[i];
		if (strcmp(l->to, SIGNER) != 0 || strcmp(l->type, "KEYSTATE") != 0)
			continue;
		ck_assert_int_eq(sgn_ks_decode(l->body.data, l->body.len, &st, NULL), HS_OK);
		if (strcmp(st.zone, SOLO) == 0 && st.kind == SGN_KS_STATUS) {
			found = 1;
			ck_assert(st.has_peers);
			ck_assert_uint_eq(st.npeers, 0);
		}
		sgn_ks_free(&st);
	}
	ck_assert(found);
	ck_assert_uint_eq(sn_count(&w.net, mark, ALPHA, CA, "UPDATE"), 0);
	world_free(&w);
}
END_TEST

/* requirements: KS-11 */
START_TEST(test_rfi_keystate_codec)
{
	/* RFI KEYSTATE round-trips; an agent and a combiner do not answer it */
	char z[] = ZONE;
	char *zones[] = {z};
	sm_rfi_t r = {.what = SM_RFI_KEYSTATE, .nzones = 1, .zones = zones}, d;
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(sm_rfi_encode(&r, &b), HS_OK);
	ck_assert_int_eq(sm_rfi_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_int_eq(d.what, SM_RFI_KEYSTATE);
	ck_assert_str_eq(sm_rfi_what_name(d.what), "KEYSTATE");
	sm_rfi_free(&d);
	ksw_t w;
	world(&w, 0);
	ck_assert_int_eq(eng_message(w.net.e[1], ALPHA, "RFI", b.data, b.len), HS_E_REFUSED);
	hs_buf_free(&b);
	world_free(&w);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("agent_keystate");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_inventory_distributed_and_gate);
	tcase_add_test(tc, test_zsk_rollover_through_the_agent);
	tcase_add_test(tc, test_rejection_reported);
	tcase_add_test(tc, test_silent_peer_unconfirmed_then_resumes);
	tcase_add_test(tc, test_bad_keystate_refused_and_reasked);
	tcase_add_test(tc, test_zone_without_peers);
	tcase_add_test(tc, test_rfi_keystate_codec);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(suite)
