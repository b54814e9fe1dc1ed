/* Tests for src/engine/combiner over time: re-evaluation on zone load
 * (SYNC-46), withdrawal (SYNC-47), suspended zones (SYNC-48), the
 * determinism of the combined apex (SYNC-50), restart from the store,
 * manual approval (SYNC-56), purge, and store failures changing nothing
 * (SYNC-42). */
#include "engine/cmb_harness.h"

#include <sqlite3.h>

static const char *const NS_B[] = {"NS ns1.beta.lab.", "NS ns2.beta.lab.", NULL};
static const char *const NS_G[] = {"NS ns1.gamma.lab.", NULL};

#define DNSKEY_A "DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
#define DNSKEY_B "DNSKEY 256 3 15 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static void sql(const char *path, const char *stmt)
{
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, stmt, NULL, NULL, NULL) == SQLITE_OK, "%s",
	              sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* SYNC-46: nsmgmt owner -> agent turns ignored NS into applied, with a
 * final CONFIRM per changed set, and back again. */
START_TEST(test_reeval_nsmgmt)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3[] = {H3_ABC, NULL};
	ch_init(&h, 0);
	ch_load(&h, h3, PARAM_OWNER);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_B), HS_OK);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ch_flush(&h);
	ck_assert_int_eq(ch_stored(&h, BETA, NS_B[0]), SM_V_IGNORED);

	ch_load(&h, h3, PARAM_AGENT);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 2); /* one per changed set, each with its change id */
	for (size_t i = 0; i < o.ncf; i++) {
		ck_assert_int_eq(o.cf[i].final, 1);
		ck_assert_str_eq(o.cf[i].change, CHANGE);
		ck_assert_str_eq(o.cf[i].by, SELF);
	}
	ck_result(&o, NS_B[0], SM_V_APPLIED, NULL);
	ck_result(&o, NS_B[1], SM_V_APPLIED, NULL);
	ck_result(&o, NS_G[0], SM_V_APPLIED, NULL);
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, NS_B[1]), 1);

	/* the same zone again: nothing to report */
	ch_load(&h, h3, PARAM_AGENT);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf + o.npublish, 0);
	ch_out_free(&o);

	ch_load(&h, h3, PARAM_OWNER);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_IGNORED, "nsmgmt-owner");
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, NS_G[0]), -1);
	cmb_counters_t k;
	cmb_get_counters(h.c, &k);
	ck_assert_uint_eq(k.changed_rrs, 6);
	ch_fini(&h);
}
END_TEST

/* SYNC-46: a record that becomes rejected on re-evaluation is deleted
 * (here: a new protected namespace, then reapply). */
START_TEST(test_reeval_rejects_deletes)
{
	ch_t h;
	ch_out_t o;
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_B), HS_OK);
	ch_flush(&h);
	h.protect[1] = "beta.lab.";
	h.cfg.nprotect = 2;
	ck_assert_int_eq(cmb_configure(h.c, &h.cfg, NULL), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 0); /* nothing until reapply */
	ch_out_free(&o);
	size_t changed = 0;
	ck_assert_int_eq(cmb_reapply(h.c, NULL, &changed), HS_OK);
	ck_assert_uint_eq(changed, 2);
	ch_drain(&h, &o);
	ck_result(&o, NS_B[0], SM_V_REJECTED, "protected-ns");
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, NS_B[0]), -1);
	ck_assert_uint_eq(ch_nsets(&h), 1);
	ck_assert_uint_eq(cmb_record_count(h.c, ZONE), 0);
	ck_assert_int_eq(cmb_reapply(h.c, "unknown.test.", NULL), HS_E_NOTFOUND);
	ch_fini(&h);
}
END_TEST

/* SYNC-47: a provider turned OFF, or removed from HSYNC3, loses its sets
 * at the next load, in one transaction, reported removed `withdrawn`. A
 * provider that stays listed keeps its records: the combiner knows
 * nothing of peer states (INTERRUPTED is the agents' business). */
START_TEST(test_withdrawal)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3_off[] = {"ON alpha agent.alpha.lab. .",
	                                     "OFF beta agent.beta.lab. .",
	                                     "ON gamma agent.gamma.lab. .", NULL};
	static const char *const h3_gone[] = {"ON alpha agent.alpha.lab. .",
	                                      "OFF beta agent.beta.lab. .", NULL};
	static const char *const k[] = {DNSKEY_A, NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_B), HS_OK);
	ck_assert_int_eq(ch_set1(&h, BETA, T_DNSKEY, 1, k), HS_OK);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ch_flush(&h);
	ck_assert_uint_eq(ch_nsets(&h), 3);

	/* reloaded as it was (gamma "unreachable" or not: the same to us) */
	ch_load_std(&h);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 0);
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 3);

	ch_load(&h, h3_off, PARAM_AGENT);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 2);
	ck_result(&o, NS_B[0], SM_V_REMOVED, "withdrawn");
	ck_result(&o, NS_B[1], SM_V_REMOVED, "withdrawn");
	ck_result(&o, DNSKEY_A, SM_V_REMOVED, "withdrawn");
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 1);
	ck_assert_int_eq(ch_served(&h, NS_B[0]), 0);
	ck_assert_int_eq(ch_served(&h, NS_G[0]), 1);

	/* UPDATEs for beta are refused now, nothing is stored */
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 2, NS_B), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_B[0], SM_V_REJECTED, "not-provider");
	ch_out_free(&o);

	ch_load(&h, h3_gone, PARAM_AGENT);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_REMOVED, "withdrawn");
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 0);
	ck_assert_int_eq(ch_served(&h, NS_G[0]), -1);
	cmb_counters_t c;
	cmb_get_counters(h.c, &c);
	ck_assert_uint_eq(c.withdrawn, 3);
	ch_fini(&h);
}
END_TEST

/* SYNC-48: while the own provider is OFF the zone is not multi-provider
 * here: the stored sets stay, the owner's apex is served, UPDATEs are
 * rejected; ON again and everything is back without any agent action. */
START_TEST(test_suspended_zone)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3_self_off[] = {"OFF alpha agent.alpha.lab. .",
	                                          "ON beta agent.beta.lab. .", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_B), HS_OK);
	ch_flush(&h);
	ch_load(&h, h3_self_off, PARAM_AGENT);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 0);
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, NS_B[0]), -1);
	ck_assert_int_eq(ch_stored(&h, BETA, NS_B[0]), SM_V_APPLIED);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 2, NS_G), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_REJECTED, "unknown-zone");
	ch_out_free(&o);
	ch_load_std(&h);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 0);
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, NS_B[0]), 1);
	ch_fini(&h);
}
END_TEST

/* ---- determinism (SYNC-50) ---- */

typedef struct det_msg {
	const char *origin;
	uint16_t type;
	uint64_t version;
	const char *lines[4];
} det_msg_t;

/* The final state: beta NS v3, beta DNSKEY v2, gamma NS v2 (empty after
 * v1), alpha NS v1; with older versions, duplicates, and rejected records
 * mixed in. */
static const det_msg_t DET[] = {
    {BETA, T_NS, 1, {"NS ns1.beta.lab.", NULL}},
    {BETA, T_NS, 2, {"NS ns1.beta.lab.", "NS ns2.beta.lab.", NULL}},
    {BETA, T_NS, 3, {"NS ns2.beta.lab.", "NS ns3.beta.lab.", "NS ns9.alpha.lab.", NULL}},
    {BETA, T_NS, 3, {"NS ns2.beta.lab.", "NS ns3.beta.lab.", "NS ns9.alpha.lab.", NULL}},
    {BETA, T_DNSKEY, 1, {DNSKEY_B, NULL}},
    {BETA, T_DNSKEY, 2, {DNSKEY_A, DNSKEY_B, NULL}},
    {GAMMA, T_NS, 1, {"NS ns1.gamma.lab.", "NS NS2.Gamma.Lab.", NULL}},
    {GAMMA, T_NS, 2, {NULL}},
    {GAMMA, T_DNSKEY, 5, {DNSKEY_A, NULL}},
    {ALPHA, T_NS, 1, {"NS ns1.alpha.lab.", "NS ns2.owner.test.", NULL}},
    {ALPHA, T_NS, 1, {"NS ns1.alpha.lab.", "NS ns2.owner.test.", NULL}},
};
#define NDET (sizeof(DET) / sizeof(DET[0]))

static void det_run(const size_t *order, size_t n, hs_buf_t *apex, hs_buf_t *edits)
{
	ch_t h;
	ch_init(&h, 0);
	ch_load_std(&h);
	for (size_t i = 0; i < n; i++) {
		const det_msg_t *m = &DET[order[i]];
		ck_assert_int_eq(ch_set1(&h, m->origin, m->type, m->version, m->lines), HS_OK);
	}
	ch_flush(&h);
	ch_apex_bytes(&h, apex);
	ck_assert_int_eq(cmb_edits_body(h.c, ZONE, edits), HS_OK);
	ch_fini(&h);
}

START_TEST(test_determinism)
{
	size_t order[NDET + 4];
	hs_buf_t a0 = HS_BUF_INIT, e0 = HS_BUF_INIT;
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < NDET; i++)
		order[i] = i;
	det_run(order, NDET, &a0, &e0);
	ck_assert_uint_gt(a0.len, 20);
	for (int round = 0; round < 24; round++) {
		size_t n = NDET;
		for (size_t i = 0; i < NDET; i++)
			order[i] = i;
		/* a few extra repeats of random messages (duplicates, stale) */
		for (int k = 0; k < round % 5; k++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			order[n++] = rng % NDET;
		}
		for (size_t i = n; i > 1; i--) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			size_t j = rng % i, t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		hs_buf_t a = HS_BUF_INIT, e = HS_BUF_INIT;
		det_run(order, n, &a, &e);
		ck_assert_msg(a.len == a0.len && memcmp(a.data, a0.data, a.len) == 0,
		              "round %d: combined apex differs", round);
		ck_assert_msg(e.len == e0.len && memcmp(e.data, e0.data, e.len) == 0,
		              "round %d: edits differ", round);
		hs_buf_free(&a);
		hs_buf_free(&e);
	}
	hs_buf_free(&a0);
	hs_buf_free(&e0);
}
END_TEST

/* Free the engine, reopen the store: the same EDITS at once, the same
 * combined apex after the zone load, and no CONFIRM (nothing changed). */
START_TEST(test_restart)
{
	ch_t h;
	ch_out_t o;
	hs_buf_t a0 = HS_BUF_INIT, e0 = HS_BUF_INIT, a1 = HS_BUF_INIT, e1 = HS_BUF_INIT;
	static const char *const k[] = {DNSKEY_A, DNSKEY_B, NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 7, NS_B), HS_OK);
	ck_assert_int_eq(ch_set1(&h, BETA, T_DNSKEY, 3, k), HS_OK);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, UINT64_MAX, NS_G), HS_OK);
	ck_assert_int_eq(cmb_zone_served(h.c, ZONE, 99), HS_OK);
	ch_flush(&h);
	ch_apex_bytes(&h, &a0);
	ck_assert_int_eq(cmb_edits_body(h.c, ZONE, &e0), HS_OK);

	ch_close(&h);
	ch_open(&h);
	cmb_zone_info_t zi;
	ck_assert_int_eq(cmb_zone_get(h.c, ZONE, &zi), HS_OK);
	ck_assert_int_eq(zi.loaded, 0);
	ck_assert_uint_eq(zi.nsets, 3);
	ck_assert_int_eq(cmb_apex_get(h.c, ZONE, &(cmb_apex_t){0}), HS_E_NOTFOUND);
	ch_load_std(&h);
	ck_assert_int_eq(cmb_zone_served(h.c, ZONE, 99), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 0);
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ch_apex_bytes(&h, &a1);
	ck_assert_int_eq(cmb_edits_body(h.c, ZONE, &e1), HS_OK);
	ck_assert(a0.len == a1.len && memcmp(a0.data, a1.data, a0.len) == 0);
	ck_assert(e0.len == e1.len && memcmp(e0.data, e1.data, e0.len) == 0);
	/* and a duplicate after the restart is still a duplicate */
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, UINT64_MAX, NS_G), HS_OK);
	cmb_counters_t c;
	cmb_get_counters(h.c, &c);
	ck_assert_uint_eq(c.duplicates, 1);
	hs_buf_free(&a0);
	hs_buf_free(&e0);
	hs_buf_free(&a1);
	hs_buf_free(&e1);
	ch_fini(&h);
}
END_TEST

/* ---- manual approval (SYNC-56) ---- */

START_TEST(test_manual_flow)
{
	ch_t h;
	ch_out_t o;
	static const char *const v1[] = {"NS ns1.gamma.lab.", "NS ns2.gamma.lab.", NULL};
	static const char *const v2[] = {"NS ns1.gamma.lab.", "NS ns3.gamma.lab.", NULL};
	ch_rd_t ns1 = ch_rd(v1[0]), ns2 = ch_rd(v1[1]);
	size_t n = 0;
	ch_init(&h, 1);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, v1), HS_OK);
	ch_flush(&h);
	ck_assert_int_eq(cmb_approve(h.c, ZONE, GAMMA, T_NS, ns1.d, ns1.n, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 1);
	ck_assert_int_eq(o.cf[0].final, 1);
	ck_assert_uint_eq(o.cf[0].nresults, 1);
	ck_result(&o, v1[0], SM_V_APPLIED, NULL);
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, v1[0]), 1);
	/* approving it again: nothing is pending any more */
	ck_assert_int_eq(cmb_approve(h.c, ZONE, GAMMA, T_NS, ns1.d, ns1.n, NULL), HS_E_NOTFOUND);

	ck_assert_int_eq(cmb_reject(h.c, ZONE, NULL, 0, ns2.d, ns2.n, &n), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, v1[1], SM_V_REJECTED, "operator");
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, v1[1]), -1);

	/* a new version keeps the approval of a record it still holds */
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 2, v2), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, v2[0], SM_V_APPLIED, NULL);
	ck_result(&o, v2[1], SM_V_PENDING, "awaiting-approval");
	ck_assert_int_eq(o.cf[0].final, 1); /* not every result is pending */
	ch_out_free(&o);
	/* a re-evaluation and a restart keep it too */
	ck_assert_int_eq(cmb_reapply(h.c, ZONE, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	ch_close(&h);
	ch_open(&h);
	ch_load_std(&h);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 0);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, v2[0]), SM_V_APPLIED);
	ck_assert_int_eq(ch_stored(&h, GAMMA, v2[1]), SM_V_PENDING);
	/* approve everything pending of the zone */
	ck_assert_int_eq(cmb_approve(h.c, ZONE, NULL, 0, NULL, 0, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ch_served(&h, v2[1]), 1);
	ck_assert_int_eq(cmb_approve(h.c, "unknown.test.", NULL, 0, NULL, 0, &n), HS_E_NOTFOUND);
	/* auto mode again: pending would apply on reapply; nothing pending now */
	h.cfg.manual = 0;
	ck_assert_int_eq(cmb_configure(h.c, &h.cfg, NULL), HS_OK);
	ck_assert_int_eq(cmb_reapply(h.c, NULL, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	ch_fini(&h);
}
END_TEST

START_TEST(test_purge)
{
	ch_t h;
	ch_out_t o;
	size_t n = 0;
	static const char *const k[] = {DNSKEY_A, NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_B), HS_OK);
	ck_assert_int_eq(ch_set1(&h, BETA, T_DNSKEY, 1, k), HS_OK);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ch_flush(&h);
	ck_assert_int_eq(cmb_purge(h.c, NULL, BETA, &n), HS_OK);
	ck_assert_uint_eq(n, 2);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 2);
	ck_result(&o, NS_B[0], SM_V_REJECTED, "operator");
	ck_result(&o, DNSKEY_A, SM_V_REJECTED, "operator");
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 1);
	ck_assert_int_eq(cmb_purge(h.c, ZONE, BETA, &n), HS_E_NOTFOUND);
	ck_assert_int_eq(cmb_purge(h.c, "unknown.test.", GAMMA, &n), HS_E_NOTFOUND);
	/* purging an unloaded zone's sets forgets the zone */
	ck_assert_int_eq(cmb_zone_removed(h.c, ZONE), HS_OK);
	ck_assert_int_eq(cmb_zone_removed(h.c, ZONE), HS_E_NOTFOUND);
	ck_assert_uint_eq(cmb_zone_count(h.c), 1);
	ck_assert_int_eq(cmb_purge(h.c, ZONE, GAMMA, &n), HS_OK);
	ck_assert_uint_eq(cmb_zone_count(h.c), 0);
	ch_fini(&h);
}
END_TEST

/* SYNC-42: when the store refuses the write, nothing changes: no CONFIRM,
 * no PUBLISH, the memory as before; a zone load keeps its previous view. */
START_TEST(test_store_failure_changes_nothing)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3[] = {H3_ABC, NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_B), HS_OK);
	ch_flush(&h);
	sql(h.path, "CREATE TRIGGER no BEFORE INSERT ON contrib_set BEGIN"
	            " SELECT RAISE(ABORT, 'refused by test'); END;"
	            "CREATE TRIGGER nodel BEFORE DELETE ON contrib_set BEGIN"
	            " SELECT RAISE(ABORT, 'refused by test'); END");
	ck_assert_int_ne(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ck_assert_int_ne(ch_set1(&h, BETA, T_NS, 2, NS_G), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf + o.npublish, 0);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, BETA, NS_B[0]), SM_V_APPLIED);
	ck_assert_int_eq(ch_stored(&h, GAMMA, NS_G[0]), -1);
	/* a load that would change verdicts fails whole */
	ck_assert_int_ne(ch_load_rc(&h, h3, PARAM_OWNER, CH_OWN_NS, 5), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf + o.npublish, 0);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, BETA, NS_B[0]), SM_V_APPLIED);
	ck_assert_int_eq(ch_served(&h, NS_B[0]), 1); /* still the previous load */
	cmb_zone_info_t zi;
	ck_assert_int_eq(cmb_zone_get(h.c, ZONE, &zi), HS_OK);
	ck_assert_uint_eq(zi.serial_in, 2024010101);
	/* the store works again: so does everything else */
	sql(h.path, "DROP TRIGGER no; DROP TRIGGER nodel");
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ck_assert_int_eq(ch_stored(&h, GAMMA, NS_G[0]), SM_V_APPLIED);
	ch_fini(&h);
}
END_TEST

static Suite *combiner_sync_suite(void)
{
	Suite *s = suite_create("combiner_sync");
	TCase *tc = tcase_create("reeval");
	tcase_add_test(tc, test_reeval_nsmgmt);
	tcase_add_test(tc, test_reeval_rejects_deletes);
	tcase_add_test(tc, test_withdrawal);
	tcase_add_test(tc, test_suspended_zone);
	suite_add_tcase(s, tc);
	tc = tcase_create("state");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_manual_flow);
	tcase_add_test(tc, test_purge);
	tcase_add_test(tc, test_store_failure_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(combiner_sync_suite)
