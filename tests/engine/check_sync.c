/* Scenario tests of the agent's synchronised data (src/engine/sync):
 * three agents and their fake combiners exchanging real SYNC, UPDATE,
 * CONFIRM, RFI and EDITS bodies in virtual time. Requirement ids:
 * rfc-drafts/draft-hsync-sync.md. */
#include "lib/testutil.h"

#include "engine/mp.h"
#include "engine/sync_harness.h"
#include "util/json.h"

#define ZONE    "example.test."
#define ALPHA   "agent.alpha."
#define BRAVO   "agent.bravo."
#define CHARLIE "agent.charlie."
#define CA      "combiner.alpha."
#define CB      "combiner.bravo."
#define CC      "combiner.charlie."
#define NS3     "ns3.alpha.lab."
#define TMO     2000 /* confirm timeout */

static const char *const PARAM[] = {"nsmgmt=\"agent\" servers=\"alpha,bravo,charlie\"", NULL};
static const char *const H3_ABC[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
                                     "ON charlie agent.charlie. .", NULL};
static const char *const H3_AB[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .", NULL};
static const char *const H3_AB_COFF[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
                                         "OFF charlie agent.charlie. .", NULL};

static void load_all(sn_t *net, const char *const *h3)
{
	for (size_t i = 0; i < net->n; i++)
		h_load(net->e[i], ZONE, h3, PARAM);
}

/* Three providers, each an agent with its combiner, operational. */
static void three(sn_t *net)
{
	sn_init(net, TMO);
	sn_add(net, ALPHA, CA);
	sn_add(net, BRAVO, CB);
	sn_add(net, CHARLIE, CC);
	load_all(net, H3_ABC);
	sn_run(net, 5 * SN_BEAT);
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 3; j++)
			if (i != j)
				ck_assert_int_eq(h_state(net->e[i], net->name[j]),
				                 ENG_PEER_OPERATIONAL);
}

/* Two providers, alpha (with combiner `ca`, may be NULL) and bravo. */
static void two(sn_t *net, const char *ca)
{
	static const char *const h3ab[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
	                                   NULL};
	sn_init(net, TMO);
	sn_add(net, ALPHA, ca);
	sn_add(net, BRAVO, CB);
	load_all(net, h3ab);
	sn_run(net, 5 * SN_BEAT);
}

static void hold_all(sn_t *net, int on)
{
	for (size_t i = 0; i < net->n; i++)
		net->fc[i].hold = on;
}

/* SYNC-10, SYNC-11, SYNC-23, SYNC-24, SYNC-30: a local NS add reaches
 * every peer and the own combiner under one change id; it is pending
 * (peers' PENDING confirms never count) until the last combiner's final
 * verdict, then accepted. */
START_TEST(test_local_add_pending_then_accepted)
{
	sn_t net;
	hs_errmsg_t em;
	three(&net);
	size_t mark = net.nlog;
	hold_all(&net, 1);
	ck_assert_msg(sn_add_ns(net.e[0], ZONE, NS3, &em) == HS_OK, "%s", em.text);
	sn_settle(&net);
	/* one UPDATE to the own combiner, one SYNC to each peer, same change */
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, CA, "UPDATE"), 1);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, BRAVO, "SYNC"), 1);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, CHARLIE, "SYNC"), 1);
	sm_sync_t up, sy;
	const sn_log_t *l = sn_last(&net, ALPHA, CA, "UPDATE");
	ck_assert_int_eq(sm_sync_decode(l->body.data, l->body.len, &up, NULL), HS_OK);
	l = sn_last(&net, ALPHA, BRAVO, "SYNC");
	ck_assert_int_eq(sm_sync_decode(l->body.data, l->body.len, &sy, NULL), HS_OK);
	ck_assert_str_eq(up.change, sy.change);
	ck_assert_str_eq(sy.origin, ALPHA);
	ck_assert_uint_eq(sy.sets[0].version, up.sets[0].version);
	ck_assert_uint_ge(sy.sets[0].version, net.clock.now_ms); /* SYNC-1 */
	/* peers forwarded with the origin preserved */
	ck_assert_uint_eq(sn_count(&net, mark, BRAVO, CB, "UPDATE"), 1);
	ck_assert_uint_eq(sn_count(&net, mark, CHARLIE, CC, "UPDATE"), 1);
	sm_sync_t fw;
	l = sn_last(&net, BRAVO, CB, "UPDATE");
	ck_assert_int_eq(sm_sync_decode(l->body.data, l->body.len, &fw, NULL), HS_OK);
	ck_assert_str_eq(fw.origin, ALPHA);
	ck_assert_str_eq(fw.change, sy.change);
	sm_sync_free(&fw);
	sm_sync_free(&up);
	sm_sync_free(&sy);
	/* pending CONFIRMs from the peers: pending, not accepted */
	sn_vd_t v = sn_verdict(&net, 0, ZONE, ALPHA, NS3, BRAVO);
	ck_assert(v.found && v.have);
	ck_assert_int_eq(v.verdict, SM_V_PENDING);
	ck_assert_str_eq(v.by, BRAVO);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_PENDING);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, NS3), ENG_SD_PENDING);
	/* combiners answer one by one: still pending until the last */
	fc_release(&net.fc[1]);
	sn_settle(&net);
	v = sn_verdict(&net, 0, ZONE, ALPHA, NS3, BRAVO);
	ck_assert_int_eq(v.verdict, SM_V_APPLIED);
	ck_assert_str_eq(v.by, CB);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_PENDING);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	fc_release(&net.fc[2]);
	sn_settle(&net);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_PENDING);
	fc_release(&net.fc[0]);
	sn_settle(&net);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	v = sn_verdict(&net, 0, ZONE, ALPHA, NS3, ALPHA);
	ck_assert_str_eq(v.by, CA);
	ck_assert_int_eq(sn_state(&net, 2, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	/* relayed CONFIRMs: SYNC-24 */
	ck_assert_uint_eq(sn_count(&net, mark, BRAVO, ALPHA, "CONFIRM"), 2);
	eng_sd_counters_t c;
	eng_sd_counters(net.e[1], &c);
	ck_assert_uint_eq(c.confirms_relayed, 1);
	ck_assert_uint_eq(c.syncs_received, 1);
	/* nothing more happens later: no re-send to recipients that answered */
	mark = net.nlog;
	sn_run(&net, 10 * TMO);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, NULL, "SYNC"), 0);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, NULL, "UPDATE"), 0);
	sn_free(&net);
}
END_TEST

/* SYNC-30: one combiner rejects while the others apply; the summary is
 * rejected, with the reason and who. */
START_TEST(test_one_combiner_rejects)
{
	sn_t net;
	three(&net);
	strcpy(net.fc[2].reject_origin, ALPHA);
	strcpy(net.fc[2].reject_reason, "protected-ns: ns3.alpha.lab. is below charlie's");
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_REJECTED);
	sn_vd_t v = sn_verdict(&net, 0, ZONE, ALPHA, NS3, CHARLIE);
	ck_assert_int_eq(v.verdict, SM_V_REJECTED);
	ck_assert_str_eq(v.by, CC);
	ck_assert_str_eq(v.reason, "protected-ns: ns3.alpha.lab. is below charlie's");
	ck_assert_int_eq(sn_verdict(&net, 0, ZONE, ALPHA, NS3, BRAVO).verdict, SM_V_APPLIED);
	ck_assert_int_eq(sn_verdict(&net, 0, ZONE, ALPHA, NS3, ALPHA).verdict, SM_V_APPLIED);
	/* charlie's own view follows its combiner */
	ck_assert_int_eq(sn_state(&net, 2, ZONE, ALPHA, NS3), ENG_SD_REJECTED);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	/* a rejection is final: no re-send */
	size_t mark = net.nlog;
	sn_run(&net, 5 * TMO);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, CHARLIE, "SYNC"), 0);
	/* the JSON view says who and why */
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(eng_sd_json(net.e[0], ZONE, &b), HS_OK);
	hs_json_t *doc = NULL;
	size_t n;
	ck_assert_int_eq(hs_json_parse(&doc, (const char *)b.data, b.len, NULL), HS_OK);
	const hs_json_t *rr = hs_json_at(hs_json_get(doc, "rrs"), 0);
	ck_assert_str_eq(hs_json_str(hs_json_get(rr, "state"), &n), "rejected");
	ck_assert_str_eq(hs_json_str(hs_json_get(rr, "rdata"), &n), NS3);
	ck_assert_str_eq(hs_json_str(hs_json_get(rr, "type"), &n), "NS");
	const hs_json_t *vds = hs_json_get(rr, "verdicts");
	ck_assert_uint_eq(hs_json_count(vds), 3);
	int seen = 0;
	for (size_t i = 0; i < 3; i++) {
		const hs_json_t *w = hs_json_at(vds, i);
		if (strcmp(hs_json_str(hs_json_get(w, "provider"), &n), CHARLIE) != 0)
			continue;
		seen = 1;
		ck_assert_str_eq(hs_json_str(hs_json_get(w, "by"), &n), CC);
		ck_assert_str_eq(hs_json_str(hs_json_get(w, "verdict"), &n), "rejected");
		ck_assert(strncmp(hs_json_str(hs_json_get(w, "reason"), &n), "protected-ns", 12) ==
		          0);
	}
	ck_assert(seen);
	hs_json_free(doc);
	hs_buf_free(&b);
	sn_free(&net);
}
END_TEST

/* SYNC-31: a silent recipient makes the record unconfirmed (counted), and
 * the set is re-sent to it with a backoff starting at the timeout and
 * doubling to at most one hour; when it answers, the record is accepted. */
START_TEST(test_silent_recipient_unconfirmed_and_resent)
{
	sn_t net;
	three(&net);
	net.fc[2].silent = 1; /* charlie's combiner hears nothing */
	uint64_t t0 = net.clock.mono_ms;
	size_t mark = net.nlog;
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, TMO - 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_PENDING);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_UNCONFIRMED);
	sn_vd_t v = sn_verdict(&net, 0, ZONE, ALPHA, NS3, CHARLIE);
	ck_assert(v.unconfirmed);
	ck_assert_int_eq(v.verdict, SM_V_PENDING); /* the agent's pending, not final */
	ck_assert(!sn_verdict(&net, 0, ZONE, ALPHA, NS3, BRAVO).unconfirmed);
	eng_sd_counters_t c;
	eng_sd_counters(net.e[0], &c);
	ck_assert_uint_eq(c.unconfirmed, 1);
	eng_sd_view_t *view = NULL;
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &view), HS_OK);
	ck_assert_uint_eq(view->unconfirmed, 1);
	eng_sd_view_free(view);
	/* re-sends to charlie only, at t0 + T, + 2T, + 4T, ... */
	sn_run(&net, 40 * TMO);
	uint64_t expect = t0 + TMO, step = TMO;
	size_t k = 0;
	for (size_t i = mark; i < net.nlog; i++) {
		const sn_log_t *l = &net.log[i];
		if (strcmp(l->from, ALPHA) || strcmp(l->type, "SYNC") || l->t == t0)
			continue; /* t0: the first distribution */
		ck_assert_str_eq(l->to, CHARLIE);
		ck_assert_uint_eq(l->t, expect);
		step *= 2;
		expect += step;
		k++;
	}
	ck_assert_uint_eq(k, 5); /* T, 3T, 7T, 15T, 31T within 41T */
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, BRAVO, "SYNC"), 1);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, CA, "UPDATE"), 1);
	/* every re-send reached charlie's agent, which forwarded it again */
	ck_assert_uint_eq(sn_count(&net, mark, CHARLIE, CC, "UPDATE"), 6);
	eng_sd_counters(net.e[0], &c);
	ck_assert_uint_eq(c.resends, 5);
	ck_assert_uint_eq(c.unconfirmed, 1); /* counted once, still shown */
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_UNCONFIRMED);
	/* the backoff stops doubling at one hour */
	sn_run(&net, 4 * 3600 * 1000);
	const sn_log_t *prev = NULL;
	for (size_t i = mark; i < net.nlog; i++) {
		const sn_log_t *l = &net.log[i];
		if (strcmp(l->from, ALPHA) || strcmp(l->to, CHARLIE) || strcmp(l->type, "SYNC"))
			continue;
		if (prev != NULL)
			ck_assert_uint_le(l->t - prev->t, 3600 * 1000);
		prev = l;
	}
	/* charlie's combiner comes back: the next re-send is answered */
	net.fc[2].silent = 0;
	sn_run(&net, 3600 * 1000);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	ck_assert_int_eq(sn_verdict(&net, 0, ZONE, ALPHA, NS3, CHARLIE).verdict, SM_V_APPLIED);
	size_t after = net.nlog;
	sn_run(&net, 3 * 3600 * 1000);
	ck_assert_uint_eq(sn_count(&net, after, ALPHA, CHARLIE, "SYNC"), 0);
	sn_free(&net);
}
END_TEST

/* SYNC-11, SYNC-30: removal goes pending-removal -> removed, and the
 * removed record is forgotten at the next change. */
START_TEST(test_removal)
{
	sn_t net;
	three(&net);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns4.alpha.lab.", NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	hold_all(&net, 1);
	ck_assert_int_eq(sn_del_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_settle(&net);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_PENDING_REMOVAL);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns4.alpha.lab."), ENG_SD_ACCEPTED);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, NS3), ENG_SD_PENDING_REMOVAL);
	fc_release(&net.fc[0]);
	fc_release(&net.fc[1]);
	sn_settle(&net);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_PENDING_REMOVAL);
	ck_assert_int_eq(sn_verdict(&net, 0, ZONE, ALPHA, NS3, BRAVO).verdict, SM_V_REMOVED);
	fc_release(&net.fc[2]);
	sn_settle(&net);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_REMOVED);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, NS3), ENG_SD_REMOVED);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns4.alpha.lab."), ENG_SD_ACCEPTED);
	/* deleting it again: not in the set */
	hs_errmsg_t em;
	ck_assert_int_eq(sn_del_ns(net.e[0], ZONE, NS3, &em), HS_E_NOTFOUND);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns5.alpha.lab.", NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), -1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns5.alpha.lab."), ENG_SD_ACCEPTED);
	/* a record removed while one combiner had rejected it: that
	 * combiner never held it, its rejection stands for the removal */
	strcpy(net.fc[2].reject_origin, ALPHA);
	strcpy(net.fc[2].reject_reason, "ttl-range");
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns6.alpha.lab.", NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns6.alpha.lab."), ENG_SD_REJECTED);
	net.fc[2].reject_origin[0] = '\0';
	ck_assert_int_eq(sn_del_ns(net.e[0], ZONE, "ns6.alpha.lab.", NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns6.alpha.lab."), ENG_SD_REMOVED);
	ck_assert_int_eq(sn_verdict(&net, 0, ZONE, ALPHA, "ns6.alpha.lab.", CHARLIE).verdict,
	                 SM_V_REJECTED);
	ck_assert_int_eq(sn_verdict(&net, 0, ZONE, ALPHA, "ns6.alpha.lab.", BRAVO).verdict,
	                 SM_V_REMOVED);
	sn_free(&net);
}
END_TEST

/* SYNC-26, SYNC-28: a removal superseded by the next change before its
 * CONFIRM came back (the CONFIRM of the older change is ignored, the newer
 * one does not list the record): the recipients' final verdicts on the
 * newer version show they no longer hold it. Found by the lab's stream of
 * changes (test_lab_sync_kill.sh). */
START_TEST(test_removal_superseded)
{
	sn_t net;
	three(&net);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	hold_all(&net, 1);
	ck_assert_int_eq(sn_del_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns7.alpha.lab.", NULL), HS_OK);
	sn_settle(&net);
	for (size_t i = 0; i < 3; i++)
		fc_release(&net.fc[i]);
	hold_all(&net, 0);
	sn_settle(&net);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns7.alpha.lab."), ENG_SD_ACCEPTED);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_REMOVED);
	ck_assert_int_eq(sn_verdict(&net, 0, ZONE, ALPHA, NS3, CHARLIE).verdict, SM_V_REMOVED);
	/* a whole set refused (rules 1-3) says nothing of what is held */
	sn_free(&net);
}
END_TEST

/* SYNC-2, SYNC-27: a duplicate SYNC changes nothing at the receiver; it is
 * answered with the same pending CONFIRM and forwarded as the same
 * (idempotent) UPDATE, which the combiner answers with what it stores. A
 * stale one is answered for the version held and not forwarded. */
START_TEST(test_duplicate_sync_idempotent)
{
	sn_t net;
	three(&net);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, 1);
	const sn_log_t *l = sn_last(&net, ALPHA, BRAVO, "SYNC");
	hs_buf_t first = HS_BUF_INIT, pend = HS_BUF_INIT, upd = HS_BUF_INIT;
	hs_buf_append(&first, l->body.data, l->body.len);
	/* bravo's first answer: the pending CONFIRM (by bravo itself) */
	for (size_t i = 0; i < net.nlog; i++) {
		sm_confirm_t c;
		l = &net.log[i];
		if (strcmp(l->from, BRAVO) || strcmp(l->to, ALPHA) || strcmp(l->type, "CONFIRM"))
			continue;
		ck_assert_int_eq(sm_confirm_decode(l->body.data, l->body.len, &c, NULL), HS_OK);
		if (!c.final && pend.len == 0)
			hs_buf_append(&pend, l->body.data, l->body.len);
		sm_confirm_free(&c);
	}
	ck_assert_uint_gt(pend.len, 0);
	l = sn_last(&net, BRAVO, CB, "UPDATE");
	hs_buf_append(&upd, l->body.data, l->body.len);
	char *before = sn_rrs_json(&net, 1, ZONE);
	size_t stored = net.fc[1].nsets;
	uint64_t version = net.fc[1].sets[0].version;
	size_t mark = net.nlog;
	/* the same SYNC again */
	ck_assert_int_eq(eng_message(net.e[1], ALPHA, "SYNC", first.data, first.len), HS_OK);
	sn_settle(&net);
	char *after = sn_rrs_json(&net, 1, ZONE);
	ck_assert_str_eq(after, before);
	const sn_log_t *again = NULL;
	for (size_t i = mark; i < net.nlog && again == NULL; i++)
		if (!strcmp(net.log[i].from, BRAVO) && !strcmp(net.log[i].to, ALPHA) &&
		    !strcmp(net.log[i].type, "CONFIRM"))
			again = &net.log[i];
	ck_assert_ptr_nonnull(again);
	ck_assert_uint_eq(again->body.len, pend.len);
	ck_assert_int_eq(memcmp(again->body.data, pend.data, pend.len), 0);
	ck_assert_uint_eq(sn_count(&net, mark, BRAVO, CB, "UPDATE"), 1);
	l = sn_last(&net, BRAVO, CB, "UPDATE");
	ck_assert_uint_eq(l->body.len, upd.len);
	ck_assert_int_eq(memcmp(l->body.data, upd.data, upd.len), 0);
	ck_assert_uint_eq(net.fc[1].nsets, stored);
	ck_assert_uint_eq(net.fc[1].sets[0].version, version);
	/* the combiner's stored verdicts, relayed again: still accepted */
	ck_assert_uint_eq(sn_count(&net, mark, BRAVO, ALPHA, "CONFIRM"), 2);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	eng_sd_counters_t c;
	eng_sd_counters(net.e[1], &c);
	ck_assert_uint_eq(c.syncs_duplicate, 1);
	/* stale: alpha changes again, the old SYNC arrives late */
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns4.alpha.lab.", NULL), HS_OK);
	sn_run(&net, 1);
	mark = net.nlog;
	ck_assert_int_eq(eng_message(net.e[1], ALPHA, "SYNC", first.data, first.len), HS_OK);
	sn_settle(&net);
	ck_assert_uint_eq(sn_count(&net, mark, BRAVO, CB, "UPDATE"), 0);
	l = sn_last(&net, BRAVO, ALPHA, "CONFIRM");
	sm_confirm_t cf;
	sm_sync_t old;
	ck_assert_int_eq(sm_confirm_decode(l->body.data, l->body.len, &cf, NULL), HS_OK);
	ck_assert_int_eq(sm_sync_decode(first.data, first.len, &old, NULL), HS_OK);
	ck_assert_str_ne(cf.change, old.change); /* the held (newer) change */
	ck_assert_uint_eq(cf.nresults, 2);
	ck_assert_uint_gt(cf.results[0].version, old.sets[0].version);
	sm_confirm_free(&cf);
	sm_sync_free(&old);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, "ns4.alpha.lab."), ENG_SD_ACCEPTED);
	eng_sd_counters(net.e[1], &c);
	ck_assert_uint_eq(c.syncs_stale, 1);
	free(before);
	free(after);
	hs_buf_free(&first);
	hs_buf_free(&pend);
	hs_buf_free(&upd);
	sn_free(&net);
}
END_TEST

static hs_buf_t confirm_body(const char *origin, const char *change, const char *by,
                             const char *provider, uint64_t version, const char *target,
                             sm_verdict_t v)
{
	sm_confirm_t c;
	hs_buf_t b = HS_BUF_INIT, rd = sn_ns(target);
	memset(&c, 0, sizeof(c));
	strcpy(c.zone, ZONE);
	strcpy(c.origin, origin);
	strcpy(c.change, change);
	strcpy(c.by, by);
	strcpy(c.provider, provider);
	c.final = 1;
	c.nresults = 1;
	c.results = xcalloc(1, sizeof(*c.results));
	c.results[0].type = 2;
	c.results[0].version = version;
	c.results[0].rr.owner = xstrdup(ZONE);
	c.results[0].rr.rdata = rd.data;
	c.results[0].rr.rdlen = (uint16_t)rd.len;
	c.results[0].rr.verdict = v;
	ck_assert_int_eq(sm_confirm_encode(&c, &b), HS_OK);
	sm_confirm_free(&c);
	return b;
}

/* SYNC-25, SYNC-26: a CONFIRM for an unknown change, about someone else's
 * records, for an older version, or from a non-provider changes nothing. */
START_TEST(test_confirm_unknown_ignored)
{
	sn_t net;
	three(&net);
	strcpy(net.fc[2].reject_origin, ALPHA);
	strcpy(net.fc[2].reject_reason, "ttl-range");
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_REJECTED);
	eng_sd_view_t *v = NULL;
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &v), HS_OK);
	char change[SM_CHANGE_LEN + 1];
	strcpy(change, v->rrs[0].change);
	uint64_t version = v->rrs[0].version;
	eng_sd_view_free(v);
	char *before = sn_rrs_json(&net, 0, ZONE);
	eng_sd_counters_t c0, c1;
	eng_sd_counters(net.e[0], &c0);
	/* unknown change id */
	hs_buf_t b =
	    confirm_body(ALPHA, "0123456789abcdef", CC, CHARLIE, version, NS3, SM_V_APPLIED);
	ck_assert_int_eq(eng_message(net.e[0], CHARLIE, "CONFIRM", b.data, b.len), HS_OK);
	hs_buf_free(&b);
	/* about another originator's records */
	b = confirm_body(BRAVO, change, CC, CHARLIE, version, NS3, SM_V_APPLIED);
	ck_assert_int_eq(eng_message(net.e[0], CHARLIE, "CONFIRM", b.data, b.len), HS_OK);
	hs_buf_free(&b);
	/* an older version of the set (SYNC-26) */
	b = confirm_body(ALPHA, change, CC, CHARLIE, version - 1, NS3, SM_V_APPLIED);
	ck_assert_int_eq(eng_message(net.e[0], CHARLIE, "CONFIRM", b.data, b.len), HS_OK);
	hs_buf_free(&b);
	/* a record the set does not have */
	b = confirm_body(ALPHA, change, CC, CHARLIE, version, "ns9.other.", SM_V_APPLIED);
	ck_assert_int_eq(eng_message(net.e[0], CHARLIE, "CONFIRM", b.data, b.len), HS_OK);
	hs_buf_free(&b);
	/* a pending never replaces a final verdict */
	b = confirm_body(ALPHA, change, CHARLIE, CHARLIE, version, NS3, SM_V_PENDING);
	ck_assert_int_eq(eng_message(net.e[0], CHARLIE, "CONFIRM", b.data, b.len), HS_OK);
	hs_buf_free(&b);
	/* from a party that is no provider of the zone */
	b = confirm_body(ALPHA, change, "combiner.zulu.", "agent.zulu.", version, NS3,
	                 SM_V_APPLIED);
	ck_assert_int_eq(eng_message(net.e[0], "agent.zulu.", "CONFIRM", b.data, b.len),
	                 HS_E_REFUSED);
	hs_buf_free(&b);
	char *after = sn_rrs_json(&net, 0, ZONE);
	ck_assert_str_eq(after, before);
	eng_sd_counters(net.e[0], &c1);
	ck_assert_uint_eq(c1.confirms_ignored, c0.confirms_ignored + 5);
	ck_assert_uint_eq(c1.confirms_refused, c0.confirms_refused + 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_REJECTED);
	free(before);
	free(after);
	sn_free(&net);
}
END_TEST

/* A SYNC body built by hand: one set of `type` with the given owners. */
static hs_buf_t sync_body(const char *zone, const char *origin, uint16_t type,
                          const char *const *owners, size_t n)
{
	sm_sync_t s;
	hs_buf_t b = HS_BUF_INIT, rd = sn_ns("ns7.zulu.");
	memset(&s, 0, sizeof(s));
	strcpy(s.zone, zone);
	strcpy(s.origin, origin);
	strcpy(s.change, "00000000000000aa");
	s.nsets = 1;
	s.sets[0].type = type;
	s.sets[0].version = 5;
	s.sets[0].nrrs = n;
	s.sets[0].rrs = xcalloc(n + 1, sizeof(sm_rr_t));
	for (size_t i = 0; i < n; i++) {
		s.sets[0].rrs[i].owner = xstrdup(owners[i]);
		s.sets[0].rrs[i].ttl = 3600;
		s.sets[0].rrs[i].rdlen = (uint16_t)rd.len;
		s.sets[0].rrs[i].rdata = xmalloc(rd.len);
		memcpy(s.sets[0].rrs[i].rdata, rd.data, rd.len);
	}
	ck_assert_int_eq(sm_sync_encode(&s, &b), HS_OK);
	sm_sync_free(&s);
	hs_buf_free(&rd);
	return b;
}

/* Deliver a SYNC to bravo; return bravo's CONFIRM (decoded) to `from`. */
static int sync_to_bravo(sn_t *net, const char *from, hs_buf_t body, sm_confirm_t *out)
{
	size_t mark = net->nlog;
	int rc = eng_message(net->e[1], from, "SYNC", body.data, body.len);
	hs_buf_free(&body);
	sn_settle(net);
	memset(out, 0, sizeof(*out));
	for (size_t i = mark; i < net->nlog; i++) {
		const sn_log_t *l = &net->log[i];
		if (!strcmp(l->from, BRAVO) && !strcmp(l->to, from) &&
		    !strcmp(l->type, "CONFIRM")) {
			/* the first: bravo's own answer (a relay may follow) */
			ck_assert_int_eq(sm_confirm_decode(l->body.data, l->body.len, out, NULL),
			                 HS_OK);
			break;
		}
	}
	return rc;
}

static void assert_all(const sm_confirm_t *c, sm_verdict_t v, const char *reason)
{
	ck_assert_uint_gt(c->nresults, 0);
	ck_assert(c->final);
	ck_assert_str_eq(c->by, BRAVO);
	for (size_t i = 0; i < c->nresults; i++) {
		ck_assert_int_eq(c->results[i].rr.verdict, v);
		ck_assert_msg(strncmp(c->results[i].rr.reason, reason, strlen(reason)) == 0,
		              "reason '%s', want '%s'", c->results[i].rr.reason, reason);
	}
}

/* SYNC-20, SYNC-21 (each row), SYNC-22: bad SYNCs are rejected with their
 * reason (or refused without an answer) and change nothing. */
START_TEST(test_bad_syncs_rejected)
{
	sn_t net;
	sm_confirm_t c;
	static const char *const apex[] = {ZONE};
	static const char *const mixed[] = {ZONE, "www." ZONE};
	three(&net);
	char *before = sn_rrs_json(&net, 1, ZONE);
	size_t updates = net.fc[1].updates;
	/* row 1: unknown zone */
	ck_assert_int_eq(sync_to_bravo(&net, ALPHA,
	                               sync_body("other.test.", ALPHA, 2,
	                                         (const char *const[]){"other.test."}, 1),
	                               &c),
	                 HS_OK);
	assert_all(&c, SM_V_REJECTED, "unknown-zone");
	sm_confirm_free(&c);
	/* row 2: origin is not the sender (SYNC-22) */
	ck_assert_int_eq(sync_to_bravo(&net, ALPHA, sync_body(ZONE, CHARLIE, 2, apex, 1), &c),
	                 HS_OK);
	assert_all(&c, SM_V_REJECTED, "origin-mismatch");
	ck_assert_str_eq(c.origin, CHARLIE);
	sm_confirm_free(&c);
	/* row 3: not a provider (listed nowhere, or OFF) */
	ck_assert_int_eq(
	    sync_to_bravo(&net, "agent.zulu.", sync_body(ZONE, "agent.zulu.", 2, apex, 1), &c),
	    HS_OK);
	assert_all(&c, SM_V_REJECTED, "not-provider");
	sm_confirm_free(&c);
	/* row 4: a type that is not synchronised */
	ck_assert_int_eq(sync_to_bravo(&net, ALPHA, sync_body(ZONE, ALPHA, 1, apex, 1), &c), HS_OK);
	assert_all(&c, SM_V_REJECTED, "type-not-synced");
	sm_confirm_free(&c);
	char *after = sn_rrs_json(&net, 1, ZONE);
	ck_assert_str_eq(after, before);
	free(after);
	ck_assert_uint_eq(net.fc[1].updates, updates);
	/* SYNC-20: undecodable, and over the limits: no answer at all */
	static const uint8_t junk[] = {0x81, 0xa1, 0x61};
	size_t mark = net.nlog;
	ck_assert_int_ne(eng_message(net.e[1], ALPHA, "SYNC", junk, sizeof(junk)), HS_OK);
	hs_buf_t big = HS_BUF_INIT;
	{
		/* 65 RRs in one set: over SYNC-4 */
		msgpack_packer pk;
		eng_mp_packer(&pk, &big);
		msgpack_pack_map(&pk, 4);
		eng_mp_pack_str(&pk, "zone");
		eng_mp_pack_str(&pk, ZONE);
		eng_mp_pack_str(&pk, "origin");
		eng_mp_pack_str(&pk, ALPHA);
		eng_mp_pack_str(&pk, "change");
		eng_mp_pack_str(&pk, "00000000000000bb");
		eng_mp_pack_str(&pk, "sets");
		msgpack_pack_array(&pk, 1);
		msgpack_pack_map(&pk, 3);
		eng_mp_pack_str(&pk, "type");
		msgpack_pack_uint16(&pk, 2);
		eng_mp_pack_str(&pk, "version");
		msgpack_pack_uint64(&pk, 9);
		eng_mp_pack_str(&pk, "rrs");
		msgpack_pack_array(&pk, SM_MAX_RRS + 1);
		for (int i = 0; i <= SM_MAX_RRS; i++) {
			msgpack_pack_map(&pk, 3);
			eng_mp_pack_str(&pk, "owner");
			eng_mp_pack_str(&pk, ZONE);
			eng_mp_pack_str(&pk, "ttl");
			msgpack_pack_uint32(&pk, 60);
			eng_mp_pack_str(&pk, "rdata");
			msgpack_pack_bin(&pk, 1);
			msgpack_pack_bin_body(&pk, "", 1);
		}
	}
	ck_assert_int_eq(eng_message(net.e[1], ALPHA, "SYNC", big.data, big.len), HS_E_LIMIT);
	hs_buf_free(&big);
	sn_settle(&net);
	ck_assert_uint_eq(sn_count(&net, mark, BRAVO, NULL, NULL), 0);
	eng_sd_counters_t k;
	eng_sd_counters(net.e[1], &k);
	ck_assert_uint_eq(k.syncs_refused, 2);
	ck_assert_uint_eq(k.syncs_rejected, 4);
	/* row 5: a non-apex owner is rejected, the apex RR of the set taken */
	ck_assert_int_eq(sync_to_bravo(&net, ALPHA, sync_body(ZONE, ALPHA, 2, mixed, 2), &c),
	                 HS_OK);
	ck_assert_uint_eq(c.nresults, 2);
	ck_assert(c.final);
	for (size_t i = 0; i < 2; i++) {
		if (strcmp(c.results[i].rr.owner, ZONE) == 0) {
			ck_assert_int_eq(c.results[i].rr.verdict, SM_V_PENDING);
		} else {
			ck_assert_int_eq(c.results[i].rr.verdict, SM_V_REJECTED);
			ck_assert_str_eq(c.results[i].rr.reason, "not-apex");
		}
	}
	sm_confirm_free(&c);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, "ns7.zulu."), ENG_SD_ACCEPTED);
	sm_sync_t fw;
	const sn_log_t *l = sn_last(&net, BRAVO, CB, "UPDATE");
	ck_assert_int_eq(sm_sync_decode(l->body.data, l->body.len, &fw, NULL), HS_OK);
	ck_assert_uint_eq(fw.sets[0].nrrs, 1);
	ck_assert_str_eq(fw.sets[0].rrs[0].owner, ZONE);
	sm_sync_free(&fw);
	free(before);
	sn_free(&net);
}
END_TEST

/* SYNC-33, SYNC-34, SYNC-35: an agent restarted with empty state rebuilds
 * its own sets (same versions and change ids) from its combiner's EDITS,
 * the others' sets from its peers' SYNCs, and the peers' verdicts from
 * their combiners by way of the idempotent re-forward. */
START_TEST(test_restart_rebuilds)
{
	sn_t net;
	three(&net);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_set_own_ns(net.e[1], ZONE, "ns1.bravo.lab.", 7200);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, BRAVO, "ns1.bravo.lab."), ENG_SD_ACCEPTED);
	char *before = sn_rrs_json(&net, 0, ZONE);
	eng_sd_view_t *v = NULL;
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &v), HS_OK);
	char change[SM_CHANGE_LEN + 1];
	strcpy(change, sn_find(v, ALPHA, NS3)->change);
	uint64_t version = sn_find(v, ALPHA, NS3)->version;
	eng_sd_view_free(v);
	/* alpha restarts with nothing */
	size_t mark = net.nlog;
	sn_restart(&net, 0, ZONE, H3_ABC, PARAM, 0);
	hs_errmsg_t em;
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns4.alpha.lab.", &em), HS_E_AGAIN);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), -1);
	sn_run(&net, 5 * SN_BEAT);
	ck_assert_int_eq(h_state(net.e[0], BRAVO), ENG_PEER_OPERATIONAL);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, BRAVO, "ns1.bravo.lab."), ENG_SD_ACCEPTED);
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &v), HS_OK);
	ck_assert(v->rebuilt);
	ck_assert_uint_eq(v->combiner_serial, 2026010101);
	ck_assert(v->have_config);
	ck_assert_str_eq(v->config.provider, ALPHA);
	ck_assert_str_eq(sn_find(v, ALPHA, NS3)->change, change);
	ck_assert_uint_eq(sn_find(v, ALPHA, NS3)->version, version);
	ck_assert_uint_eq(sn_find(v, BRAVO, "ns1.bravo.lab.")->ttl, 7200);
	for (size_t i = 0; i < sn_find(v, ALPHA, NS3)->nverdicts; i++)
		ck_assert_int_eq(sn_find(v, ALPHA, NS3)->verdicts[i].verdict, SM_V_APPLIED);
	eng_sd_view_free(v);
	/* the same records and verdicts as before the restart (times aside) */
	char *after = sn_rrs_json(&net, 0, ZONE);
	ck_assert_ptr_nonnull(strstr(after, "\"state\":\"accepted\""));
	free(before);
	free(after);
	/* nothing was applied twice: the combiners still hold one version */
	for (size_t i = 0; i < 3; i++) {
		fc_set_t *s = fc_find(&net.fc[i], ZONE, ALPHA, 2);
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->version, version);
	}
	/* the peers sent their sets at introduction and were asked to */
	ck_assert_uint_ge(sn_count(&net, mark, BRAVO, ALPHA, "SYNC"), 1);
	ck_assert_uint_ge(sn_count(&net, mark, ALPHA, BRAVO, "RFI"), 1);
	ck_assert_uint_ge(sn_count(&net, mark, ALPHA, CA, "RFI"), 2); /* EDITS, CONFIG */
	/* and edits work again */
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns4.alpha.lab.", NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns4.alpha.lab."), ENG_SD_ACCEPTED);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	sn_free(&net);
}
END_TEST

/* Does the fake combiner's set of `origin` hold NS `target` (not removed)? */
static int fc_has_ns(fc_t *f, const char *origin, const char *target)
{
	fc_set_t *s = fc_find(f, ZONE, origin, 2);
	hs_buf_t b = sn_ns(target);
	int found = 0;
	for (size_t i = 0; s != NULL && i < s->n && !found; i++)
		found = s->rrs[i].verdict != SM_V_REMOVED && s->rrs[i].rdlen == b.len &&
		        memcmp(s->rrs[i].rdata, b.data, b.len) == 0;
	hs_buf_free(&b);
	return found;
}

/* SYNC-57, SYNC-33 (issue #12, test_lab_sync_kill seed 8512): every new
 * version of an own set is handed to the store before its UPDATE and
 * SYNCs. The agent is killed while its UPDATE has not reached the
 * combiner; restarted with its stored own sets, it answers the
 * combiner's older EDITS with an UPDATE instead of going back to the old
 * version, and the next edit keeps the record the lost UPDATE added. */
START_TEST(test_kill_keeps_own_sets)
{
	sn_t net;
	size_t at;
	two(&net, CA);
	size_t mark = net.nlog;
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	const eng_sd_own_t *o = sn_own(&net, 0, ZONE, 2, &at);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o->nrrs, 1);
	ck_assert(!o->restored);
	uint64_t v1 = o->version;
	/* stored before anything of that change was sent */
	ck_assert_uint_eq(at, mark);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, CA, "UPDATE"), 1);
	/* the next edit is stored, its UPDATE never reaches the combiner */
	net.fc[0].hold = 1;
	mark = net.nlog;
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns4.alpha.lab.", NULL), HS_OK);
	sn_settle(&net);
	o = sn_own(&net, 0, ZONE, 2, &at);
	ck_assert_uint_eq(o->nrrs, 2);
	ck_assert_uint_gt(o->version, v1);
	ck_assert_uint_eq(at, mark);
	uint64_t v2 = o->version;
	ck_assert_uint_eq(fc_find(&net.fc[0], ZONE, ALPHA, 2)->version, v1);
	/* kill -9 and restart: the combiner's EDITS is older than the store */
	mark = net.nlog;
	sn_kill_restart_own(&net, 0, ZONE, H3_AB, PARAM);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns4.alpha.lab."), ENG_SD_PENDING);
	sn_run(&net, 5 * SN_BEAT);
	ck_assert_uint_ge(sn_count(&net, mark, CA, ALPHA, "EDITS"), 1);
	ck_assert_uint_ge(sn_count(&net, mark, ALPHA, CA, "UPDATE"), 1);
	eng_sd_view_t *v = NULL;
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &v), HS_OK);
	ck_assert(v->rebuilt);
	ck_assert_uint_eq(sn_find(v, ALPHA, "ns4.alpha.lab.")->version, v2);
	eng_sd_view_free(v);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, "ns4.alpha.lab."), ENG_SD_ACCEPTED);
	ck_assert_uint_eq(fc_find(&net.fc[0], ZONE, ALPHA, 2)->version, v2);
	ck_assert(fc_has_ns(&net.fc[0], ALPHA, "ns4.alpha.lab."));
	ck_assert(fc_has_ns(&net.fc[1], ALPHA, "ns4.alpha.lab."));
	/* the next operator edit builds on the stored version */
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, "ns5.alpha.lab.", NULL), HS_OK);
	sn_run(&net, 1);
	for (size_t i = 0; i < 2; i++) {
		ck_assert(fc_has_ns(&net.fc[i], ALPHA, NS3));
		ck_assert(fc_has_ns(&net.fc[i], ALPHA, "ns4.alpha.lab."));
		ck_assert(fc_has_ns(&net.fc[i], ALPHA, "ns5.alpha.lab."));
	}
	ck_assert_uint_eq(sn_own(&net, 0, ZONE, 2, NULL)->nrrs, 3);
	sn_free(&net);
}
END_TEST

/* SYNC-57, SYNC-33: a combiner with a newer version than the store (the
 * store write of a restore was lost) still wins: the agent restores it
 * and stores it, marked as restored. An empty store still rebuilds. */
START_TEST(test_restore_older_store_loses)
{
	sn_t net;
	two(&net, CA);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, 1);
	/* the store lost the last version: keep an older one (n = 0) */
	eng_sd_own_t *o = net.own[0][0];
	uint64_t v1 = o->version;
	eng_free(net.e[0]);
	sn_new_engine(&net, 0);
	ck_assert_int_eq(eng_sd_restore_own(net.e[0], ZONE, 2, v1 - 5, "older", NULL, 0, NULL),
	                 HS_OK);
	/* bad input changes nothing */
	ck_assert_int_eq(eng_sd_restore_own(net.e[0], ZONE, 1, v1, "x", NULL, 0, NULL),
	                 HS_E_NOTSUP);
	ck_assert_int_eq(eng_sd_restore_own(net.e[0], "..", 2, v1, "x", NULL, 0, NULL), HS_E_NAME);
	ck_assert_int_eq(eng_sd_restore_own(net.e[0], ZONE, 2, v1, "", NULL, 0, NULL), HS_E_INVAL);
	h_load(net.e[0], ZONE, H3_AB, PARAM);
	sn_run(&net, 5 * SN_BEAT);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	o = net.own[0][0];
	ck_assert_uint_eq(o->version, v1);
	ck_assert(o->restored);
	ck_assert_uint_eq(o->nrrs, 1);
	sn_free(&net);
}
END_TEST

/* SYNC-34, SYNC-35: with its combiner's data lost as well, the restarted
 * agent still rebuilds the other providers' sets from its peers' SYNCs
 * and gives them to the fresh combiner again. Its own sets cannot come
 * back from anywhere (the draft keeps them at the own combiner only). */
START_TEST(test_restart_with_empty_combiner)
{
	sn_t net;
	three(&net);
	sn_set_own_ns(net.e[1], ZONE, "ns1.bravo.lab.", 7200);
	sn_run(&net, 1);
	sn_restart(&net, 0, ZONE, H3_ABC, PARAM, 1);
	sn_run(&net, 5 * SN_BEAT);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, BRAVO, "ns1.bravo.lab."), ENG_SD_ACCEPTED);
	fc_set_t *s = fc_find(&net.fc[0], ZONE, BRAVO, 2);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n, 1);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, BRAVO, "ns1.bravo.lab."), ENG_SD_ACCEPTED);
	sn_free(&net);
}
END_TEST

/* SYNC-32, SYNC-36: a peer that is only unreachable (INTERRUPTED) keeps its
 * contributions and stays expected; turned OFF in HSYNC3 it loses them
 * and stops being expected. */
START_TEST(test_provider_interrupted_then_off)
{
	sn_t net;
	three(&net);
	sn_set_own_ns(net.e[2], ZONE, "ns1.charlie.lab.", 3600);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, CHARLIE, "ns1.charlie.lab."), ENG_SD_ACCEPTED);
	net.down[2] = 1;
	sn_run(&net, 12 * SN_BEAT);
	ck_assert_int_eq(h_state(net.e[0], CHARLIE), ENG_PEER_INTERRUPTED);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, CHARLIE, "ns1.charlie.lab."), ENG_SD_ACCEPTED);
	/* still an expected recipient of alpha's change */
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, TMO);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_UNCONFIRMED);
	ck_assert(sn_verdict(&net, 0, ZONE, ALPHA, NS3, CHARLIE).found);
	/* the owner turns charlie OFF */
	h_load(net.e[0], ZONE, H3_AB_COFF, PARAM);
	h_load(net.e[1], ZONE, H3_AB_COFF, PARAM);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, CHARLIE, "ns1.charlie.lab."), -1);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, CHARLIE, "ns1.charlie.lab."), -1);
	ck_assert(!sn_verdict(&net, 0, ZONE, ALPHA, NS3, CHARLIE).found);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	/* a SYNC from charlie is now refused as not-provider */
	net.down[2] = 0;
	size_t mark = net.nlog;
	hs_buf_t b = sync_body(ZONE, CHARLIE, 2, (const char *const[]){ZONE}, 1);
	ck_assert_int_eq(eng_message(net.e[0], CHARLIE, "SYNC", b.data, b.len), HS_OK);
	hs_buf_free(&b);
	sn_settle(&net);
	sm_confirm_t c;
	const sn_log_t *l = sn_last(&net, ALPHA, CHARLIE, "CONFIRM");
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_gt(net.nlog, mark);
	ck_assert_int_eq(sm_confirm_decode(l->body.data, l->body.len, &c, NULL), HS_OK);
	ck_assert_str_eq(
	    c.results[0].rr.reason,
	    "not-provider: 'agent.charlie.' is not listed ON in HSYNC3 of 'example.test.'");
	sm_confirm_free(&c);
	sn_free(&net);
}
END_TEST

/* The driver API's errors (SYNC-10) and SYNC-1 versions. */
START_TEST(test_local_api_errors)
{
	sn_t net;
	hs_errmsg_t em;
	three(&net);
	hs_buf_t rd = sn_ns(NS3);
	eng_sd_rr_t rr = {.owner = ZONE, .ttl = 3600, .rdata = rd.data, .rdlen = rd.len};
	eng_sd_rr_t www = rr;
	www.owner = "www." ZONE;
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], "nope.test.", 2, &rr, &em), HS_E_NOTFOUND);
	h_load(net.e[0], "single.test.", (const char *const[]){"ON zulu agent.zulu. .", NULL},
	       PARAM);
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], "single.test.", 2, &rr, &em), HS_E_STATE);
	ck_assert_ptr_nonnull(strstr(em.text, "not multi-provider"));
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], ZONE, 1, &rr, &em), HS_E_NOTSUP);
	ck_assert_ptr_nonnull(strstr(em.text, "type A"));
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], ZONE, 2, &www, &em), HS_E_INVAL);
	ck_assert_ptr_nonnull(strstr(em.text, "not the apex"));
	static const uint8_t bad[] = {3, 'n', 's', '1', 0xc0, 0x0c};
	eng_sd_rr_t badrr = {.owner = ZONE, .ttl = 1, .rdata = bad, .rdlen = sizeof(bad)};
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], ZONE, 2, &badrr, &em), HS_E_MALFORMED);
	ck_assert_int_eq(eng_sd_del_rr(net.e[0], ZONE, 2, &rr, &em), HS_E_NOTFOUND);
	ck_assert_uint_eq(net.e[0] ? sn_count(&net, 0, ALPHA, BRAVO, "SYNC") : 1, 0);
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], ZONE, 2, &rr, &em), HS_OK);
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], ZONE, 2, &rr, &em), HS_E_EXISTS);
	rr.ttl = 60; /* TTL aside: still the same RR */
	ck_assert_int_eq(eng_sd_add_rr(net.e[0], ZONE, 2, &rr, &em), HS_E_EXISTS);
	/* set_own: the same set again is no change; a TTL change is one */
	eng_sd_view_t *v = NULL;
	rr.ttl = 3600;
	size_t mark = net.nlog;
	sn_settle(&net);
	mark = net.nlog;
	ck_assert_int_eq(eng_sd_set_own(net.e[0], ZONE, 2, &rr, 1, NULL), HS_OK);
	sn_settle(&net);
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, NULL, "SYNC"), 0);
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &v), HS_OK);
	uint64_t v1 = v->rrs[0].version;
	eng_sd_view_free(v);
	rr.ttl = 300;
	eng_sd_rr_t two[2] = {rr, rr}; /* the same RR twice is one */
	ck_assert_int_eq(eng_sd_set_own(net.e[0], ZONE, 2, two, 2, NULL), HS_OK);
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &v), HS_OK);
	ck_assert_uint_eq(v->nrrs, 1);
	ck_assert_uint_eq(v->rrs[0].ttl, 300);
	ck_assert_uint_eq(v->rrs[0].version, v1 + 1); /* same ms: previous + 1 (SYNC-1) */
	eng_sd_view_free(v);
	eng_sd_rr_t many[SM_MAX_RRS + 1];
	for (size_t i = 0; i <= SM_MAX_RRS; i++)
		many[i] = rr;
	ck_assert_int_eq(eng_sd_set_own(net.e[0], ZONE, 2, many, SM_MAX_RRS + 1, &em), HS_E_LIMIT);
	/* withdrawing the type */
	ck_assert_int_eq(eng_sd_set_own(net.e[0], ZONE, 2, NULL, 0, NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_REMOVED);
	ck_assert_int_eq(sn_state(&net, 1, ZONE, ALPHA, NS3), ENG_SD_REMOVED);
	hs_buf_free(&rd);
	sn_free(&net);
}
END_TEST

/* Without a combiner (eng_cfg_t.combiner NULL) local changes still go to
 * the peers and are tracked; the RFI EDITS is never sent; EDITS and
 * CONFIG from anyone are refused; an agent answers RFI SYNC only. */
START_TEST(test_no_combiner_and_refusals)
{
	sn_t net;
	two(&net, NULL);
	ck_assert_uint_eq(sn_count(&net, 0, ALPHA, NULL, "RFI"), 1);   /* RFI SYNC to bravo */
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK); /* no EDITS to wait for */
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	eng_sd_view_t *v = NULL;
	ck_assert_int_eq(eng_sd_view(net.e[0], ZONE, &v), HS_OK);
	ck_assert_ptr_null(v->combiner);
	ck_assert_uint_eq(v->rrs[0].nverdicts, 1); /* bravo only */
	eng_sd_view_free(v);
	/* bravo's view of alpha's record: its combiner's verdict */
	ck_assert_int_eq(eng_sd_view(net.e[1], ZONE, &v), HS_OK);
	ck_assert_uint_eq(v->rrs[0].nverdicts, 1);
	ck_assert_str_eq(v->rrs[0].verdicts[0].provider, BRAVO);
	ck_assert_str_eq(v->rrs[0].verdicts[0].by, CB);
	eng_sd_view_free(v);
	/* refusals */
	sm_rfi_t r = {.what = SM_RFI_EDITS};
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(sm_rfi_encode(&r, &b), HS_OK);
	ck_assert_int_eq(eng_message(net.e[1], ALPHA, "RFI", b.data, b.len), HS_E_REFUSED);
	hs_buf_reset(&b);
	r.what = SM_RFI_SYNC;
	char zone[] = "other.test.";
	char *zv[] = {zone};
	r.zones = zv;
	r.nzones = 1;
	ck_assert_int_eq(sm_rfi_encode(&r, &b), HS_OK);
	ck_assert_int_eq(eng_message(net.e[1], ALPHA, "RFI", b.data, b.len), HS_E_REFUSED);
	hs_buf_reset(&b);
	sm_edits_t ed;
	memset(&ed, 0, sizeof(ed));
	strcpy(ed.zone, ZONE);
	ck_assert_int_eq(sm_edits_encode(&ed, &b), HS_OK);
	ck_assert_int_eq(eng_message(net.e[1], ALPHA, "EDITS", b.data, b.len), HS_E_REFUSED);
	ck_assert_int_eq(eng_message(net.e[0], CB, "EDITS", b.data, b.len), HS_E_REFUSED);
	hs_buf_free(&b);
	/* UPDATE is a combiner's message */
	const sn_log_t *l = sn_last(&net, ALPHA, BRAVO, "SYNC");
	ck_assert_int_eq(eng_message(net.e[1], ALPHA, "UPDATE", l->body.data, l->body.len),
	                 HS_E_UNKNOWN_TYPE);
	sn_free(&net);
}
END_TEST

/* SYNC-37: a provider added to HSYNC3 starts contributing (and receiving
 * ours) once INTRODUCED. */
START_TEST(test_provider_added)
{
	sn_t net;
	two(&net, CA);
	ck_assert_int_eq(sn_add_ns(net.e[0], ZONE, NS3, NULL), HS_OK);
	sn_run(&net, 1);
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
	sn_add(&net, CHARLIE, CC);
	h_load(net.e[2], ZONE, H3_ABC, PARAM);
	sn_run(&net, SN_BEAT);
	sn_set_own_ns(net.e[2], ZONE, "ns1.charlie.lab.", 3600);
	h_load(net.e[0], ZONE, H3_ABC, PARAM);
	/* charlie is now expected, so alpha's record waits for it */
	ck_assert_int_eq(sn_state(&net, 0, ZONE, ALPHA, NS3), ENG_SD_PENDING);
	h_load(net.e[1], ZONE, H3_ABC, PARAM);
	sn_run(&net, 5 * SN_BEAT);
	ck_assert_int_eq(h_state(net.e[0], CHARLIE), ENG_PEER_OPERATIONAL);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(sn_state(&net, i, ZONE, ALPHA, NS3), ENG_SD_ACCEPTED);
		ck_assert_int_eq(sn_state(&net, i, ZONE, CHARLIE, "ns1.charlie.lab."),
		                 ENG_SD_ACCEPTED);
	}
	sn_free(&net);
}
END_TEST

/* Many zones: every provider contributes its NS to each of 1000 zones
 * (set at zone load, as from configuration); every record ends accepted
 * everywhere, with one UPDATE per own set and no re-send. */
START_TEST(test_thousand_zones)
{
	sn_t net;
	h_rrs_t r;
	enum { NZ = 1000 };
	sn_init(&net, TMO);
	sn_add(&net, ALPHA, CA);
	sn_add(&net, BRAVO, CB);
	sn_add(&net, CHARLIE, CC);
	h_rrs_build(&r, H3_ABC, PARAM);
	for (int z = 0; z < NZ; z++) {
		char name[64];
		snprintf(name, sizeof(name), "zone%04d.example.", z);
		for (size_t i = 0; i < net.n; i++)
			ck_assert_int_eq(eng_zone_loaded(net.e[i], name, r.p3, r.l3, r.n3, r.pp,
			                                 r.lp, r.np, NULL),
			                 HS_OK);
	}
	h_rrs_free(&r);
	sn_run(&net, 5 * SN_BEAT);
	for (int z = 0; z < NZ; z++) {
		char name[64], target[64];
		snprintf(name, sizeof(name), "zone%04d.example.", z);
		for (size_t i = 0; i < net.n; i++) {
			snprintf(target, sizeof(target), "ns1.%s", net.name[i]);
			sn_set_own_ns(net.e[i], name, target, 3600);
		}
	}
	size_t mark = net.nlog;
	sn_run(&net, 3 * TMO);
	eng_sd_counters_t c;
	for (size_t i = 0; i < net.n; i++) {
		eng_sd_counters(net.e[i], &c);
		ck_assert_uint_eq(c.resends, 0);
		ck_assert_uint_eq(c.unconfirmed, 0);
		ck_assert_uint_eq(c.syncs_sent, 2 * NZ);
		ck_assert_uint_eq(c.syncs_received, 2 * NZ);
	}
	ck_assert_uint_eq(sn_count(&net, mark, ALPHA, CA, "UPDATE"), 3 * NZ);
	for (int z = 0; z < NZ; z += 97) {
		char name[64];
		snprintf(name, sizeof(name), "zone%04d.example.", z);
		for (size_t i = 0; i < net.n; i++)
			for (size_t j = 0; j < net.n; j++) {
				char target[64];
				snprintf(target, sizeof(target), "ns1.%s", net.name[j]);
				ck_assert_int_eq(sn_state(&net, i, name, net.name[j], target),
				                 ENG_SD_ACCEPTED);
			}
	}
	sn_free(&net);
}
END_TEST

static Suite *sync_suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("agent");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_local_add_pending_then_accepted);
	tcase_add_test(tc, test_one_combiner_rejects);
	tcase_add_test(tc, test_silent_recipient_unconfirmed_and_resent);
	tcase_add_test(tc, test_removal);
	tcase_add_test(tc, test_removal_superseded);
	tcase_add_test(tc, test_duplicate_sync_idempotent);
	tcase_add_test(tc, test_confirm_unknown_ignored);
	tcase_add_test(tc, test_bad_syncs_rejected);
	tcase_add_test(tc, test_restart_rebuilds);
	tcase_add_test(tc, test_restart_with_empty_combiner);
	tcase_add_test(tc, test_kill_keeps_own_sets);
	tcase_add_test(tc, test_restore_older_store_loses);
	tcase_add_test(tc, test_provider_interrupted_then_off);
	tcase_add_test(tc, test_local_api_errors);
	tcase_add_test(tc, test_no_combiner_and_refusals);
	tcase_add_test(tc, test_provider_added);
	tcase_add_test(tc, test_thousand_zones);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(sync_suite)
