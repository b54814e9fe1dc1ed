/* Tests for src/engine/combiner: the policy table of SYNC-44 row by row,
 * UPDATE handling (SYNC-41..45, SYNC-54), the strict RDATA checks and the
 * answers to RFI (SYNC-55). Each policy test names its row. */
#include "engine/cmb_harness.h"

#include <msgpack.h>

#include "util/json.h"

static const char *const NS_G[] = {"NS ns1.gamma.lab.", NULL};

#define DNSKEY_A "DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
#define DNSKEY_B "DNSKEY 256 3 15 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_A    "KEY 256 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
#define CDS_A    "CDS 12345 15 2 0011223344556677889900112233445566778899001122334455667788990011"
#define CSYNC_A  "CSYNC 66 3 A NS AAAA"

/* ---- the table itself ---- */

/* SYNC-44: 14 rows in order, 1-3 for whole sets, and each reason goes
 * with the verdict the reason table of section 6 gives it. */
START_TEST(test_policy_table_rows)
{
	ck_assert_uint_eq(cmb_rule_count(), 14);
	for (size_t i = 0; i < cmb_rule_count(); i++) {
		cmb_rule_info_t r;
		ck_assert_int_eq(cmb_rule_at(i, &r), HS_OK);
		ck_assert_int_eq(r.order, (int)i + 1);
		ck_assert_int_eq(r.whole_set, i < 3);
		if (r.reason != SM_R_NONE)
			ck_assert_int_eq(r.verdict, sm_reason_verdict(r.reason));
		else
			ck_assert_int_eq(r.verdict, SM_V_APPLIED);
	}
	cmb_rule_info_t r;
	ck_assert_int_eq(cmb_rule_at(14, &r), HS_E_NOTFOUND);
}
END_TEST

/* ---- row by row ---- */

/* Row 1 (SYNC-44, unknown-zone): a zone not loaded, and a zone where the
 * own provider is not listed ON. Nothing is stored. */
START_TEST(test_row01_unknown_zone)
{
	ch_t h;
	ch_out_t o;
	ch_init(&h, 0);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_G), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 1);
	ck_assert_int_eq(o.cf[0].final, 1);
	ck_assert_str_eq(o.cf[0].by, SELF);
	ck_assert_str_eq(o.cf[0].provider, ALPHA);
	ck_assert_str_eq(o.cf[0].origin, BETA);
	ck_assert_str_eq(o.cf[0].change, CHANGE);
	ck_result(&o, NS_G[0], SM_V_REJECTED, "unknown-zone");
	ch_out_free(&o);

	static const char *const h3_off[] = {"OFF alpha agent.alpha.lab. .",
	                                     "ON beta agent.beta.lab. .", NULL};
	ch_load(&h, h3_off, PARAM_AGENT);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_G), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_REJECTED, "unknown-zone");
	ck_assert_uint_eq(o.npublish, 0);
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 0);
	ch_fini(&h);
}
END_TEST

/* Row 2 (SYNC-44, not-provider): origin listed OFF, or not at all. */
START_TEST(test_row02_not_provider)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3[] = {"ON alpha agent.alpha.lab. .",
	                                 "OFF beta agent.beta.lab. .", NULL};
	ch_init(&h, 0);
	ch_load(&h, h3, PARAM_AGENT);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_NS, 1, NS_G), HS_OK);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 2);
	ck_assert_str_eq(o.cf[0].results[0].rr.reason, "not-provider");
	ck_assert_str_eq(o.cf[1].results[0].rr.reason, "not-provider");
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 0);
	ch_fini(&h);
}
END_TEST

/* Row 3 (SYNC-44, type-not-synced): the A set is refused as a whole, the
 * NS set of the same UPDATE applies. */
START_TEST(test_row03_type_not_synced)
{
	ch_t h;
	ch_out_t o;
	sm_sync_t u;
	static const char *const a[] = {"A 192.0.2.1", "A 192.0.2.2", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	upd_init(&u, GAMMA, NULL);
	upd_lines(upd_set(&u, 1, 5), a);
	upd_lines(upd_set(&u, T_NS, 5), NS_G);
	ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, "A 192.0.2.1", SM_V_REJECTED, "type-not-synced");
	ck_result(&o, "A 192.0.2.2", SM_V_REJECTED, "type-not-synced");
	ck_result(&o, NS_G[0], SM_V_APPLIED, NULL);
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 1);
	ch_fini(&h);
}
END_TEST

/* Row 4 (SYNC-44, not-apex): one record of a set is rejected while the
 * others of the same set apply. */
START_TEST(test_row04_not_apex)
{
	ch_t h;
	ch_out_t o;
	sm_sync_t u;
	ch_rd_t ns2 = ch_rd("NS ns2.gamma.lab.");
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	upd_init(&u, GAMMA, NULL);
	sm_set_t *s = upd_set(&u, T_NS, 1);
	upd_lines(s, NS_G);
	upd_rr(s, "www." ZONE, &ns2);
	ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_APPLIED, NULL);
	ck_result(&o, "NS ns2.gamma.lab.", SM_V_REJECTED, "not-apex");
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, NS_G[0]), SM_V_APPLIED);
	ck_assert_int_eq(ch_stored(&h, GAMMA, "NS ns2.gamma.lab."), -1); /* not stored */
	ck_assert_int_eq(ch_served(&h, NS_G[0]), 1);
	ck_assert_int_eq(ch_served(&h, "NS ns2.gamma.lab."), 0);
	cmb_counters_t k;
	cmb_get_counters(h.c, &k);
	ck_assert_uint_eq(k.rejected_rrs, 1);
	ch_fini(&h);
}
END_TEST

/* Row 5 (SYNC-44, bad-rdata): strict per type; rejections go with the
 * detail after the code. */
START_TEST(test_row05_bad_rdata)
{
	static const uint8_t ns_ptr[] = {3, 'n', 's', '1', 0xc0, 0x0c};
	static const uint8_t ns_trail[] = {3, 'n', 's', '1', 0, 1};
	static const uint8_t key_proto2[] = {1, 0, 2, 15, 0xab};
	static const uint8_t key_nokey[] = {1, 0, 3, 15};
	static const uint8_t cds_alg0[] = {0x30, 0x39, 0, 2, 0xab};
	static const uint8_t cds_delete[] = {0, 0, 0, 0, 0};
	static const uint8_t csync_order[] = {0, 0, 0, 1, 0, 3, 0, 1, 0x40, 0, 1, 0x20};
	static const uint8_t csync_zero[] = {0, 0, 0, 1, 0, 3, 0, 2, 0x40, 0};
	ch_t h;
	ch_out_t o;
	sm_sync_t u;
	ch_rd_t bad[] = {ch_raw(T_NS, ns_ptr, sizeof(ns_ptr)),
	                 ch_raw(T_NS, ns_trail, sizeof(ns_trail)),
	                 ch_raw(T_DNSKEY, key_proto2, sizeof(key_proto2)),
	                 ch_raw(T_DNSKEY, key_nokey, sizeof(key_nokey)),
	                 ch_raw(T_CDS, cds_alg0, sizeof(cds_alg0)),
	                 ch_raw(T_CSYNC, csync_order, sizeof(csync_order)),
	                 ch_raw(T_CSYNC, csync_zero, sizeof(csync_zero)),
	                 ch_raw(T_KEY, key_proto2, sizeof(key_proto2))};
	ch_rd_t good_cds = ch_raw(T_CDS, cds_delete, 4 + 1);
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	upd_init(&u, BETA, NULL);
	sm_set_t *sets[5] = {upd_set(&u, T_NS, 1), upd_set(&u, T_DNSKEY, 1), upd_set(&u, T_CDS, 1),
	                     upd_set(&u, T_CSYNC, 1), upd_set(&u, T_KEY, 1)};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (size_t j = 0; j < 5; j++)
			if (sets[j]->type == bad[i].type)
				upd_rr(sets[j], NULL, &bad[i]);
	upd_rr(sets[2], NULL, &good_cds);
	ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 1);
	ck_assert_uint_eq(o.cf[0].nresults, 9);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const sm_result_t *r = ch_result(&o, &bad[i]);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->rr.verdict, SM_V_REJECTED);
		ck_assert_int_eq(sm_reason_parse(r->rr.reason), SM_R_BAD_RDATA);
		ck_assert_msg(strncmp(r->rr.reason, "bad-rdata: ", 11) == 0, "%s", r->rr.reason);
	}
	/* the RFC 8078 delete form is a good CDS */
	ck_assert_int_eq(ch_result(&o, &good_cds)->rr.verdict, SM_V_APPLIED);
	ch_out_free(&o);
	ch_fini(&h);
}
END_TEST

/* Row 5 again, as a unit: cmb_rdata_check per type. */
START_TEST(test_rdata_check_table)
{
	static const struct {
		const char *line;
		int ok;
	} cases[] = {
	    {"NS ns1.gamma.lab.", 1},
	    {DNSKEY_A, 1},
	    {KEY_A, 1},
	    {CDS_A, 1},
	    {"CDS 0 0 0 00", 1},
	    {CSYNC_A, 1},
	    {"CSYNC 1 3 TYPE65535", 1},
	};
	char detail[96];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ch_rd_t rd = ch_rd(cases[i].line);
		int rc = cmb_rdata_check(rd.type, rd.d, rd.n, detail, sizeof(detail));
		ck_assert_msg(rc == HS_OK, "'%s': %s", cases[i].line, detail);
	}
	static const uint8_t csync_empty[] = {0, 0, 0, 1, 0, 0}; /* no types at all */
	ck_assert_int_eq(cmb_rdata_check(T_CSYNC, csync_empty, sizeof(csync_empty), NULL, 0),
	                 HS_OK);
	static const uint8_t cds_del_long[] = {0, 0, 0, 0, 0, 0};
	static const uint8_t csync_short[] = {0, 0, 0, 1, 0};
	static const uint8_t csync_win33[] = {0, 0, 0, 1, 0, 3, 0, 33, 1};
	ck_assert_int_eq(cmb_rdata_check(T_CDS, cds_del_long, sizeof(cds_del_long), detail, 96),
	                 HS_E_MALFORMED);
	ck_assert_int_eq(cmb_rdata_check(T_CSYNC, csync_short, sizeof(csync_short), detail, 96),
	                 HS_E_MALFORMED);
	ck_assert_int_eq(cmb_rdata_check(T_CSYNC, csync_win33, sizeof(csync_win33), NULL, 0),
	                 HS_E_MALFORMED);
	ck_assert_int_eq(cmb_rdata_check(T_NS, NULL, 0, detail, sizeof(detail)), HS_E_MALFORMED);
	ck_assert_str_eq(detail, "empty");
	ck_assert_int_eq(cmb_rdata_check(1, (const uint8_t *)"\1\2\3\4", 4, NULL, 0),
	                 HS_E_UNKNOWN_TYPE);
	/* the presentation used in logs and JSON */
	hs_buf_t t = HS_BUF_INIT;
	ch_rd_t ns = ch_rd("NS Ns1.Gamma.lab.");
	cmb_rdata_text(T_NS, ns.d, ns.n, &t);
	ck_assert_str_eq(hs_buf_cstr(&t), "Ns1.Gamma.lab.");
	hs_buf_reset(&t);
	cmb_rdata_text(T_NS, (const uint8_t *)"\xc0\x0c", 2, &t);
	ck_assert_str_eq(hs_buf_cstr(&t), "\\# 2 c00c");
	hs_buf_free(&t);
}
END_TEST

/* Row 6 (SYNC-44, ttl-range): 59 and 604801 are out, 60 and 604800 in. */
START_TEST(test_row06_ttl_range)
{
	ch_t h;
	ch_out_t o;
	static const char *const ns[] = {"59 NS ns1.gamma.lab.", "60 NS ns2.gamma.lab.",
	                                 "604800 NS ns3.gamma.lab.", "604801 NS ns4.gamma.lab.",
	                                 NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, ns), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, "NS ns1.gamma.lab.", SM_V_REJECTED, "ttl-range");
	ck_result(&o, "NS ns2.gamma.lab.", SM_V_APPLIED, NULL);
	ck_result(&o, "NS ns3.gamma.lab.", SM_V_APPLIED, NULL);
	ck_result(&o, "NS ns4.gamma.lab.", SM_V_REJECTED, "ttl-range");
	ch_out_free(&o);
	ch_fini(&h);
}
END_TEST

/* Row 7 (SYNC-44, protected-ns): alpha protects alpha.lab.; another
 * provider may not point the zone into it; alpha itself may; the test
 * is label-wise (xalpha.lab. is not below alpha.lab.). */
START_TEST(test_row07_protected_ns)
{
	ch_t h;
	ch_out_t o;
	static const char *const from_gamma[] = {"NS ns9.alpha.lab.", "NS alpha.lab.",
	                                         "NS ns.xalpha.lab.", "NS NS8.ALPHA.LAB.", NULL};
	static const char *const from_alpha[] = {"NS ns1.alpha.lab.", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, from_gamma), HS_OK);
	ck_assert_int_eq(ch_set1(&h, ALPHA, T_NS, 1, from_alpha), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, "NS ns9.alpha.lab.", SM_V_REJECTED, "protected-ns");
	ck_result(&o, "NS alpha.lab.", SM_V_REJECTED, "protected-ns");
	ck_result(&o, "NS NS8.ALPHA.LAB.", SM_V_REJECTED, "protected-ns");
	ck_result(&o, "NS ns.xalpha.lab.", SM_V_APPLIED, NULL);
	ck_result(&o, "NS ns1.alpha.lab.", SM_V_APPLIED, NULL);
	ch_out_free(&o);
	ch_fini(&h);
}
END_TEST

/* Row 8 (SYNC-44, not-signer): gamma is not in signers="alpha,beta". */
START_TEST(test_row08_not_signer)
{
	ch_t h;
	ch_out_t o;
	static const char *const k[] = {DNSKEY_A, NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_DNSKEY, 1, k), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, DNSKEY_A, SM_V_REJECTED, "not-signer");
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 1); /* the set's version is kept, empty */
	ck_assert_uint_eq(cmb_record_count(h.c, ZONE), 0);
	ch_fini(&h);
}
END_TEST

/* Row 9 (SYNC-44, owner-signed; SYNC-58): the owner's apex has a DNSKEY
 * and HSYNCPARAM lists no signers: NS and CDS are kept but ignored (a
 * DNSKEY is still rejected by row 8), nothing served changes; when a new
 * version of the zone is no longer owner-signed, the re-evaluation
 * (SYNC-46) applies them. */
START_TEST(test_row09_owner_signed)
{
	ch_t h;
	ch_out_t o;
	sm_sync_t u;
	static const char *const h3[] = {H3_ABC, NULL};
	static const char *const own[] = {"NS ns1.owner.test.", "NS ns2.owner.test.", DNSKEY_B,
	                                  NULL};
	static const char *const k[] = {DNSKEY_A, NULL}, *const cds[] = {CDS_A, NULL};
	const char *param = "nsmgmt=\"agent\" parentsync=\"agent\"";
	ch_init(&h, 0);
	ck_assert_int_eq(ch_load_rc(&h, h3, param, own, 3), HS_OK);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	upd_init(&u, BETA, NULL);
	upd_lines(upd_set(&u, T_CDS, 1), cds);
	upd_lines(upd_set(&u, T_DNSKEY, 1), k);
	ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_IGNORED, "owner-signed");
	ck_result(&o, CDS_A, SM_V_IGNORED, "owner-signed");
	ck_result(&o, DNSKEY_A, SM_V_REJECTED, "not-signer");
	ck_assert_int_eq(o.cf[0].final, 1);
	ck_assert_uint_eq(o.npublish, 0);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, NS_G[0]), SM_V_IGNORED);
	ck_assert_int_eq(ch_served(&h, NS_G[0]), -1); /* the owner's NS, unchanged */
	ck_assert_int_eq(ch_served(&h, CDS_A), -1);
	/* signers listed: the providers sign, not owner-signed */
	ck_assert_int_eq(ch_load_rc(&h, h3, PARAM_AGENT, own, 4), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_APPLIED, NULL);
	ch_out_free(&o);
	/* owner-signed again, then the owner stops signing (no DNSKEY) */
	ck_assert_int_eq(ch_load_rc(&h, h3, param, own, 5), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_IGNORED, "owner-signed");
	ch_out_free(&o);
	ck_assert_int_eq(ch_load_rc(&h, h3, param, CH_OWN_NS, 6), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_APPLIED, NULL);
	ck_result(&o, CDS_A, SM_V_APPLIED, NULL);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, NS_G[0]), 1);
	ch_fini(&h);
}
END_TEST

/* Row 10 (SYNC-44, nsmgmt-owner): NS is kept but not served. */
START_TEST(test_row10_nsmgmt_owner)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3[] = {H3_ABC, NULL};
	ch_init(&h, 0);
	ch_load(&h, h3, PARAM_OWNER);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_IGNORED, "nsmgmt-owner");
	ck_assert_int_eq(o.cf[0].final, 1);
	ck_assert_uint_eq(o.npublish, 0);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, NS_G[0]), SM_V_IGNORED);
	ck_assert_int_eq(ch_served(&h, NS_G[0]), -1); /* the owner's NS, unchanged */
	ch_fini(&h);
}
END_TEST

/* Row 11 (SYNC-44, parentsync-owner): CDS, CSYNC and KEY. */
START_TEST(test_row11_parentsync_owner)
{
	ch_t h;
	ch_out_t o;
	sm_sync_t u;
	static const char *const h3[] = {H3_ABC, NULL};
	static const char *const cds[] = {CDS_A, NULL}, *const cs[] = {CSYNC_A, NULL},
	                         *const key[] = {KEY_A, NULL};
	ch_init(&h, 0);
	ch_load(&h, h3, PARAM_OWNER);
	ch_flush(&h);
	upd_init(&u, BETA, NULL);
	upd_lines(upd_set(&u, T_CDS, 1), cds);
	upd_lines(upd_set(&u, T_CSYNC, 1), cs);
	upd_lines(upd_set(&u, T_KEY, 1), key);
	ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, CDS_A, SM_V_IGNORED, "parentsync-owner");
	ck_result(&o, CSYNC_A, SM_V_IGNORED, "parentsync-owner");
	ck_result(&o, KEY_A, SM_V_IGNORED, "parentsync-owner");
	ch_out_free(&o);
	ch_fini(&h);
}
END_TEST

/* Row 12 (SYNC-44, not-signing-here): beta is a signer, alpha (us) is not. */
START_TEST(test_row12_not_signing_here)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3[] = {H3_ABC, NULL};
	static const char *const k[] = {DNSKEY_B, NULL};
	ch_init(&h, 0);
	ch_load(&h, h3, "nsmgmt=\"agent\" parentsync=\"agent\" signers=\"beta.\"");
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, BETA, T_DNSKEY, 1, k), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, DNSKEY_B, SM_V_IGNORED, "not-signing-here");
	ch_out_free(&o);
	ch_fini(&h);
}
END_TEST

/* Row 13 (SYNC-44, awaiting-approval): manual mode; the CONFIRM of an
 * all-pending UPDATE is not final; nothing is served yet. */
START_TEST(test_row13_manual)
{
	ch_t h;
	ch_out_t o;
	ch_init(&h, 1);
	ch_load_std(&h);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_PENDING, "awaiting-approval");
	ck_assert_int_eq(o.cf[0].final, 0);
	ck_assert_uint_eq(o.npublish, 0);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, NS_G[0]), SM_V_PENDING);
	ck_assert_int_eq(ch_served(&h, NS_G[0]), -1);
	ch_fini(&h);
}
END_TEST

/* Row 14 (SYNC-44, applied), with SYNC-51: NS adds to the owner's;
 * DNSKEY replaces the owner's; TTL the owner's when it has the type. */
START_TEST(test_row14_applied)
{
	ch_t h;
	ch_out_t o;
	static const char *const h3[] = {H3_ABC, NULL};
	static const char *const own[] = {"7200 NS ns1.owner.test.", "7200 NS ns2.owner.test.",
	                                  "300 " DNSKEY_B, NULL};
	static const char *const k[] = {"86400 " DNSKEY_A, NULL};
	static const char *const ns[] = {"300 NS ns1.gamma.lab.", NULL};
	ch_init(&h, 0);
	ck_assert_int_eq(ch_load_rc(&h, h3, PARAM_AGENT, own, 7), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.npublish, 1); /* the first load always publishes */
	ch_out_free(&o);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, ns), HS_OK);
	ck_assert_int_eq(ch_set1(&h, BETA, T_DNSKEY, 1, k), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, NS_G[0], SM_V_APPLIED, NULL);
	ck_result(&o, DNSKEY_A, SM_V_APPLIED, NULL);
	ck_assert_uint_eq(o.npublish, 2);
	ch_out_free(&o);
	cmb_apex_t a;
	ck_assert_int_eq(cmb_apex_get(h.c, ZONE, &a), HS_OK);
	ck_assert_uint_eq(a.n, CMB_NTYPES);
	for (size_t i = 0; i < a.n; i++) {
		const cmb_rrset_t *s = &a.sets[i];
		if (s->type == T_NS) {
			ck_assert_int_eq(s->replaced, 1);
			ck_assert_uint_eq(s->n, 3);
			ck_assert_uint_eq(s->ttl, 7200);
		} else if (s->type == T_DNSKEY) {
			ck_assert_int_eq(s->replaced, 1);
			ck_assert_uint_eq(s->n, 1);
			ck_assert_uint_eq(s->ttl, 300);
		} else {
			ck_assert_int_eq(s->replaced, 0);
		}
	}
	cmb_apex_clear(&a);
	ck_assert_int_eq(ch_served(&h, DNSKEY_A), 1);
	ck_assert_int_eq(ch_served(&h, DNSKEY_B), 0);
	ck_assert_int_eq(cmb_apex_get(h.c, "other.test.", &a), HS_E_NOTFOUND);
	ch_fini(&h);
}
END_TEST

/* SYNC-51 as a pure function: order and duplicates of the inputs do not
 * matter, names in NS RDATA are compared and served in canonical form, a
 * contribution equal to the owner's RRset changes nothing, the smallest
 * contributed TTL counts when the owner lacks the type. */
START_TEST(test_combine_pure)
{
	ch_rd_t o1 = ch_rd("NS ns1.owner.test."), c1 = ch_rd("NS NS1.Owner.Test."),
	        c2 = ch_rd("NS ns9.gamma.lab."), k1 = ch_rd(DNSKEY_A), k2 = ch_rd(DNSKEY_B);
	cmb_rr_in_t own[] = {{T_NS, 3600, o1.d, (uint16_t)o1.n}};
	cmb_rr_in_t same[] = {{T_NS, 60, c1.d, (uint16_t)c1.n}};
	cmb_rr_in_t app[] = {{T_DNSKEY, 900, k1.d, (uint16_t)k1.n},
	                     {T_NS, 60, c2.d, (uint16_t)c2.n},
	                     {T_DNSKEY, 600, k2.d, (uint16_t)k2.n},
	                     {T_NS, 60, c1.d, (uint16_t)c1.n},
	                     {T_DNSKEY, 900, k1.d, (uint16_t)k1.n}};
	cmb_rr_in_t rev[5];
	for (size_t i = 0; i < 5; i++)
		rev[i] = app[4 - i];
	cmb_apex_t a, b;
	hs_buf_t x = HS_BUF_INIT, y = HS_BUF_INIT;
	cmb_combine(own, 1, same, 1, &a);
	for (size_t i = 0; i < a.n; i++)
		ck_assert_int_eq(a.sets[i].replaced, 0);
	cmb_apex_clear(&a);
	cmb_combine(own, 1, app, 5, &a);
	cmb_combine(own, 1, rev, 4, &b); /* the duplicate left out */
	cmb_apex_bytes(&a, &x);
	cmb_apex_bytes(&b, &y);
	ck_assert_uint_eq(x.len, y.len);
	ck_assert(memcmp(x.data, y.data, x.len) == 0);
	for (size_t i = 0; i < a.n; i++) {
		if (a.sets[i].type == T_NS) {
			ck_assert_uint_eq(a.sets[i].n, 2);
			ck_assert_uint_eq(a.sets[i].ttl, 3600);
			ck_assert(memcmp(a.sets[i].rd[0].p, o1.d, o1.n) == 0); /* lowercase */
		}
		if (a.sets[i].type == T_DNSKEY) {
			ck_assert_uint_eq(a.sets[i].n, 2);
			ck_assert_uint_eq(a.sets[i].ttl, 600);
			const cmb_rdata_t *r0 = &a.sets[i].rd[0], *r1 = &a.sets[i].rd[1];
			size_t m = r0->len < r1->len ? r0->len : r1->len;
			int d = memcmp(r0->p, r1->p, m);
			ck_assert(d < 0 || (d == 0 && r0->len < r1->len)); /* RFC 4034 6.3 order */
		}
	}
	cmb_apex_clear(&a);
	cmb_apex_clear(&b);
	hs_buf_free(&x);
	hs_buf_free(&y);
}
END_TEST

/* ---- sets over time ---- */

/* SYNC-45: a record left out of the next version is removed; the served
 * NS falls back to the owner's. */
START_TEST(test_removal)
{
	ch_t h;
	ch_out_t o;
	static const char *const two[] = {"NS ns1.gamma.lab.", "NS ns2.gamma.lab.", NULL};
	static const char *const one[] = {"NS ns2.gamma.lab.", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, two), HS_OK);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 2, one), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, "NS ns1.gamma.lab.", SM_V_REMOVED, NULL);
	ck_result(&o, "NS ns2.gamma.lab.", SM_V_APPLIED, NULL);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, "NS ns1.gamma.lab."), 0);
	/* an empty set withdraws the type */
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 3, NULL), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, "NS ns2.gamma.lab.", SM_V_REMOVED, NULL);
	ck_assert_uint_eq(o.npublish, 1);
	ch_out_free(&o);
	ck_assert_int_eq(ch_served(&h, "NS ns2.gamma.lab."), -1);
	ck_assert_uint_eq(ch_nsets(&h), 1);
	ch_fini(&h);
}
END_TEST

/* SYNC-43: a duplicate changes nothing and is answered with the stored
 * verdicts (a rejected record again with its reason); a stale set is
 * answered with the stored set at its version. */
START_TEST(test_duplicate_and_stale)
{
	ch_t h;
	ch_out_t o;
	static const char *const v2[] = {"NS ns1.gamma.lab.", "NS ns1.alpha.lab.", NULL};
	static const char *const v1[] = {"NS ns7.gamma.lab.", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 2, v2), HS_OK);
	ch_flush(&h);
	cmb_record_t before;
	ch_rd_t g1 = ch_rd(v2[0]);
	ck_assert_int_eq(cmb_record_find(h.c, ZONE, GAMMA, T_NS, g1.d, g1.n, &before), HS_OK);
	int64_t t0 = before.updated_ms;
	hs_env_fake_advance(&h.env, 5000);

	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 2, v2), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 1);
	ck_assert_int_eq(o.cf[0].final, 1);
	ck_result(&o, "NS ns1.gamma.lab.", SM_V_APPLIED, NULL);
	ck_result(&o, "NS ns1.alpha.lab.", SM_V_REJECTED, "protected-ns");
	ck_assert_uint_eq(o.npublish, 0);
	ch_out_free(&o);
	cmb_record_t after;
	ck_assert_int_eq(cmb_record_find(h.c, ZONE, GAMMA, T_NS, g1.d, g1.n, &after), HS_OK);
	ck_assert_int_eq(after.updated_ms, t0); /* untouched */

	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, v1), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.cf[0].nresults, 1);
	ck_assert_uint_eq(o.cf[0].results[0].version, 2);
	ck_result(&o, "NS ns1.gamma.lab.", SM_V_APPLIED, NULL);
	ch_out_free(&o);
	ck_assert_int_eq(ch_stored(&h, GAMMA, "NS ns7.gamma.lab."), -1);
	cmb_counters_t k;
	cmb_get_counters(h.c, &k);
	ck_assert_uint_eq(k.duplicates, 1);
	ck_assert_uint_eq(k.stale, 1);
	ck_assert_uint_eq(k.updates, 3);
	ch_fini(&h);
}
END_TEST

/* SYNC-43, SYNC-45: a duplicate of a version that removed records answers
 * with those removals too (a lost "removed" CONFIRM can be recovered by a
 * re-send); the removed record is never served and not in EDITS; the next
 * version drops it without reporting it again. */
START_TEST(test_duplicate_reports_removals)
{
	ch_t h;
	ch_out_t o;
	static const char *const v1[] = {"NS ns1.gamma.lab.", "NS ns2.gamma.lab.", NULL};
	static const char *const v2[] = {"NS ns1.gamma.lab.", NULL};
	static const char *const v3[] = {"NS ns3.gamma.lab.", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, v1), HS_OK);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 2, v2), HS_OK);
	ch_drain(&h, &o);
	ck_result(&o, "NS ns2.gamma.lab.", SM_V_REMOVED, NULL);
	ch_out_free(&o);
	/* the duplicate: same answer, removal included */
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 2, v2), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 1);
	ck_assert_uint_eq(o.cf[0].nresults, 2);
	ck_result(&o, "NS ns1.gamma.lab.", SM_V_APPLIED, NULL);
	ck_result(&o, "NS ns2.gamma.lab.", SM_V_REMOVED, NULL);
	ck_assert_uint_eq(o.npublish, 0);
	ch_out_free(&o);
	/* not served, not a contribution in EDITS */
	cmb_apex_t a;
	ck_assert_int_eq(cmb_apex_get(h.c, ZONE, &a), HS_OK);
	hs_buf_t ab = HS_BUF_INIT, eb = HS_BUF_INIT;
	cmb_apex_bytes(&a, &ab);
	cmb_apex_clear(&a);
	ch_rd_t r2 = ch_rd(v1[1]);
	ck_assert_ptr_null(memmem(ab.data, ab.len, r2.d, r2.n));
	ck_assert_int_eq(cmb_edits_body(h.c, ZONE, &eb), HS_OK);
	sm_edits_t e;
	ck_assert_int_eq(sm_edits_decode(eb.data, eb.len, &e, NULL), HS_OK);
	for (size_t i = 0; i < e.ncontrib; i++)
		for (size_t j = 0; j < e.contrib[i].nrrs; j++)
			ck_assert_int_ne(e.contrib[i].rrs[j].verdict, SM_V_REMOVED);
	sm_edits_free(&e);
	hs_buf_free(&ab);
	hs_buf_free(&eb);
	/* the next version reports only its own removals */
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 3, v3), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.cf[0].nresults, 2);
	ck_result(&o, "NS ns3.gamma.lab.", SM_V_APPLIED, NULL);
	ck_result(&o, "NS ns1.gamma.lab.", SM_V_REMOVED, NULL);
	ch_out_free(&o);
	ch_fini(&h);
}
END_TEST

/* SYNC-3: the same record twice in a set is one record, the first TTL. */
START_TEST(test_same_record_twice)
{
	ch_t h;
	ch_out_t o;
	static const char *const ns[] = {"300 NS ns1.gamma.lab.", "900 NS ns1.gamma.lab.", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, ns), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.cf[0].nresults, 1);
	ch_out_free(&o);
	ck_assert_uint_eq(cmb_record_count(h.c, ZONE), 1);
	cmb_record_t r;
	ck_assert_int_eq(cmb_record_at(h.c, ZONE, 0, &r), HS_OK);
	ck_assert_uint_eq(r.ttl, 300);
	ck_assert_int_eq(cmb_record_at(h.c, ZONE, 1, &r), HS_E_NOTFOUND);
	ch_fini(&h);
}
END_TEST

/* ---- refusals (SYNC-41, SYNC-20) and limits (SYNC-4) ---- */

START_TEST(test_refusals)
{
	ch_t h;
	ch_out_t o;
	sm_sync_t u;
	hs_buf_t b = HS_BUF_INIT;
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	/* an UPDATE from anyone but the own agent, even another agent */
	upd_init(&u, GAMMA, NULL);
	upd_lines(upd_set(&u, T_NS, 1), NS_G);
	ck_assert_int_eq(sm_sync_encode(&u, &b), HS_OK);
	sm_sync_free(&u);
	ck_assert_int_eq(ch_send(&h, GAMMA, "UPDATE", &b), HS_E_REFUSED);
	ck_assert_int_eq(ch_send(&h, "combiner.beta.lab.", "UPDATE", &b), HS_E_REFUSED);
	ck_assert_int_eq(ch_send(&h, "not a name", "UPDATE", &b), HS_E_REFUSED);
	ck_assert_int_eq(ch_send(&h, ALPHA, "update", &b), HS_E_UNKNOWN_TYPE); /* exact case */
	ck_assert_int_eq(ch_send(&h, ALPHA, "SYNC", &b), HS_E_UNKNOWN_TYPE);
	hs_buf_free(&b);
	/* CONFIRM and RFI from strangers */
	sm_rfi_t r = {SM_RFI_EDITS, 0, NULL};
	ck_assert_int_eq(sm_rfi_encode(&r, &b), HS_OK);
	ck_assert_int_eq(ch_send(&h, BETA, "RFI", &b), HS_E_REFUSED);
	hs_buf_free(&b);
	sm_confirm_t cf = {.zone = ZONE,
	                   .origin = ALPHA,
	                   .change = CHANGE,
	                   .by = BETA,
	                   .provider = BETA,
	                   .final = 1};
	ck_assert_int_eq(sm_confirm_encode(&cf, &b), HS_OK);
	ck_assert_int_eq(ch_send(&h, BETA, "CONFIRM", &b), HS_E_REFUSED);
	/* from the agent, a CONFIRM is only logged */
	ck_assert_int_eq(ch_send(&h, ALPHA, "CONFIRM", &b), HS_OK);
	hs_buf_free(&b);
	/* malformed bodies: no CONFIRM (no trustworthy change id) */
	static const uint8_t junk[] = {0x81, 0xa4, 'z', 'o', 'n', 'e', 0x01};
	ck_assert_int_eq(cmb_message(h.c, ALPHA, "UPDATE", junk, sizeof(junk)), HS_E_MALFORMED);
	ck_assert_int_ne(cmb_message(h.c, ALPHA, "UPDATE", NULL, 0), HS_OK);
	ck_assert_int_eq(cmb_message(h.c, ALPHA, "RFI", junk, sizeof(junk)), HS_E_MALFORMED);
	ck_assert_int_eq(cmb_message(h.c, ALPHA, "CONFIRM", junk, 3), HS_E_TRUNC);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf + o.ned + o.ncfg + o.npublish + o.nother, 0);
	ch_out_free(&o);
	ck_assert_uint_eq(ch_nsets(&h), 0);
	cmb_counters_t k;
	cmb_get_counters(h.c, &k);
	ck_assert_uint_eq(k.refused, 7);
	ck_assert_uint_eq(k.malformed, 4);
	ck_assert_uint_eq(k.confirms_in, 1);
	ck_assert_uint_eq(k.updates, 0);
	ch_fini(&h);
}
END_TEST

/* A body with 65 records in a set (or 9 sets) breaks SYNC-4: refused as a
 * whole, nothing changes, no CONFIRM. Built by hand: the encoder refuses. */
static void pack_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

static void huge_body(msgpack_sbuffer *sb, size_t nsets, size_t nrrs)
{
	msgpack_packer pk;
	ch_rd_t ns = ch_rd("NS ns1.gamma.lab.");
	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	pack_str(&pk, "zone");
	pack_str(&pk, ZONE);
	pack_str(&pk, "origin");
	pack_str(&pk, GAMMA);
	pack_str(&pk, "change");
	pack_str(&pk, CHANGE);
	pack_str(&pk, "sets");
	msgpack_pack_array(&pk, nsets);
	for (size_t i = 0; i < nsets; i++) {
		msgpack_pack_map(&pk, 3);
		pack_str(&pk, "type");
		msgpack_pack_uint16(&pk, (uint16_t)(i == 0 ? T_NS : 100 + i));
		pack_str(&pk, "version");
		msgpack_pack_uint64(&pk, 1);
		pack_str(&pk, "rrs");
		msgpack_pack_array(&pk, nrrs);
		for (size_t j = 0; j < nrrs; j++) {
			msgpack_pack_map(&pk, 3);
			pack_str(&pk, "owner");
			pack_str(&pk, ZONE);
			pack_str(&pk, "ttl");
			msgpack_pack_uint32(&pk, 3600);
			pack_str(&pk, "rdata");
			msgpack_pack_bin(&pk, ns.n);
			msgpack_pack_bin_body(&pk, ns.d, ns.n);
		}
	}
}

START_TEST(test_limits)
{
	ch_t h;
	ch_out_t o;
	msgpack_sbuffer sb;
	ch_init(&h, 0);
	ch_load_std(&h);
	ch_flush(&h);
	huge_body(&sb, 1, SM_MAX_RRS + 1);
	ck_assert_int_eq(cmb_message(h.c, ALPHA, "UPDATE", (const uint8_t *)sb.data, sb.size),
	                 HS_E_LIMIT);
	msgpack_sbuffer_destroy(&sb);
	huge_body(&sb, SM_MAX_SETS + 1, 1);
	ck_assert_int_ne(cmb_message(h.c, ALPHA, "UPDATE", (const uint8_t *)sb.data, sb.size),
	                 HS_OK);
	msgpack_sbuffer_destroy(&sb);
	ck_assert_uint_eq(ch_nsets(&h), 0); /* nothing changed */
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf + o.npublish, 0); /* nothing answered */
	ch_out_free(&o);
	/* at the limit it is fine */
	huge_body(&sb, 1, SM_MAX_RRS);
	ck_assert_int_eq(cmb_message(h.c, ALPHA, "UPDATE", (const uint8_t *)sb.data, sb.size),
	                 HS_OK);
	msgpack_sbuffer_destroy(&sb);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 1); /* only the last one was answered */
	ch_out_free(&o);
	cmb_counters_t k;
	cmb_get_counters(h.c, &k);
	ck_assert_uint_eq(k.malformed, 2);
	ch_fini(&h);
}
END_TEST

/* SYNC-54: more results than one CONFIRM may hold are split; every record
 * of the new sets and every removed record is reported once. */
START_TEST(test_confirm_split)
{
	ch_t h;
	ch_out_t o;
	sm_sync_t u;
	char line[64];
	ch_init(&h, 0);
	ch_load_std(&h);
	upd_init(&u, GAMMA, NULL);
	sm_set_t *s = upd_set(&u, T_NS, 1);
	for (int i = 0; i < SM_MAX_RRS; i++) {
		snprintf(line, sizeof(line), "NS old%d.gamma.lab.", i);
		ch_rd_t rd = ch_rd(line);
		upd_rr(s, NULL, &rd);
	}
	ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
	ch_flush(&h);
	upd_init(&u, GAMMA, "00000000000000c2");
	for (int t = 0; t < SM_MAX_SETS; t++) {
		s = upd_set(&u, t == 0 ? T_NS : (uint16_t)(16 + t), 2);
		for (int i = 0; i < SM_MAX_RRS; i++) {
			snprintf(line, sizeof(line), "NS new%d.gamma.lab.", i);
			ch_rd_t rd = ch_rd(line);
			upd_rr(s, NULL, &rd);
		}
	}
	ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ncf, 2);
	size_t total = 0, removed = 0;
	for (size_t i = 0; i < o.ncf; i++) {
		ck_assert_str_eq(o.cf[i].change, "00000000000000c2");
		ck_assert_int_eq(o.cf[i].final, 1);
		total += o.cf[i].nresults;
		for (size_t j = 0; j < o.cf[i].nresults; j++)
			removed += o.cf[i].results[j].rr.verdict == SM_V_REMOVED;
	}
	ck_assert_uint_eq(total, SM_MAX_SETS * SM_MAX_RRS + SM_MAX_RRS);
	ck_assert_uint_eq(removed, SM_MAX_RRS);
	ch_out_free(&o);
	ch_fini(&h);
}
END_TEST

/* SYNC-54 again: large RDATA split CONFIRMs by size too, so that every one
 * stays a body the agent can decode (256 KiB). */
START_TEST(test_confirm_split_by_size)
{
	ch_t h;
	uint8_t key[4000];
	ch_init(&h, 0);
	ch_load_std(&h);
	for (int v = 1; v <= 2; v++) {
		sm_sync_t u;
		upd_init(&u, BETA, NULL);
		sm_set_t *s = upd_set(&u, T_DNSKEY, (uint64_t)v);
		for (int i = 0; i < 60; i++) {
			memset(key, 0, sizeof(key));
			key[0] = 1, key[1] = 1, key[2] = 3, key[3] = 15;
			key[4] = (uint8_t)v, key[5] = (uint8_t)i;
			ch_rd_t rd = ch_raw(T_DNSKEY, key, sizeof(key));
			upd_rr(s, NULL, &rd);
		}
		ck_assert_int_eq(ch_update(&h, ALPHA, &u), HS_OK);
		if (v == 1)
			ch_flush(&h);
	}
	cmb_action_t a;
	size_t n = 0;
	while (cmb_next_action(h.c, &a) == HS_OK) {
		if (a.kind == CMB_ACT_SEND)
			ck_assert_uint_le(a.len, 256 * 1024);
		n += a.kind == CMB_ACT_SEND;
		cmb_action_clear(&a);
	}
	ck_assert_uint_ge(n, 2);
	ch_fini(&h);
}
END_TEST

/* ---- RFI (SYNC-55) ---- */

static void rfi(ch_t *h, sm_rfi_what_t what, const char *zone)
{
	hs_buf_t b = HS_BUF_INIT;
	char *zs[1] = {(char *)zone};
	sm_rfi_t r = {what, zone ? 1 : 0, zone ? zs : NULL};
	ck_assert_int_eq(sm_rfi_encode(&r, &b), HS_OK);
	ck_assert_int_eq(ch_send(h, ALPHA, "RFI", &b), HS_OK);
	hs_buf_free(&b);
}

START_TEST(test_rfi_answers)
{
	ch_t h;
	ch_out_t o;
	static const char *const k[] = {DNSKEY_B, NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	ck_assert_int_eq(cmb_zone_served(h.c, ZONE, 2024010102), HS_OK);
	ck_assert_int_eq(cmb_zone_served(h.c, "nowhere.test.", 1), HS_E_NOTFOUND);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ck_assert_int_eq(ch_set1(&h, BETA, T_DNSKEY, 4, k), HS_OK);
	ch_flush(&h);

	rfi(&h, SM_RFI_EDITS, NULL);
	rfi(&h, SM_RFI_EDITS, "unknown.test.");
	rfi(&h, SM_RFI_CONFIG, ZONE);
	rfi(&h, SM_RFI_CONFIG, "unknown.test.");
	rfi(&h, SM_RFI_SYNC, NULL);
	ch_drain(&h, &o);
	ck_assert_uint_eq(o.ned, 2);
	ck_assert_uint_eq(o.ncfg, 1);
	ck_assert_uint_eq(o.ncf + o.nother, 0);
	const sm_edits_t *e = &o.ed[0];
	ck_assert_str_eq(e->zone, ZONE);
	ck_assert_uint_eq(e->serial, 2024010102);
	ck_assert_uint_eq(e->ncontrib, 2);
	ck_assert_str_eq(e->contrib[0].origin, BETA); /* ordered by origin */
	ck_assert_uint_eq(e->contrib[0].version, 4);
	ck_assert_int_eq(e->contrib[0].rrs[0].verdict, SM_V_APPLIED);
	ck_assert_ptr_null(e->contrib[0].rrs[0].reason);
	ck_assert_str_eq(e->contrib[0].change, CHANGE);
	ck_assert_str_eq(e->contrib[1].origin, GAMMA);
	ck_assert_str_eq(e->contrib[1].change, CHANGE);
	ck_assert_int_eq(e->contrib[1].rrs[0].verdict, SM_V_APPLIED);
	ck_assert_ptr_null(e->contrib[1].rrs[0].reason);
	ck_assert_str_eq(o.ed[1].zone, "unknown.test.");
	ck_assert_uint_eq(o.ed[1].ncontrib, 0);
	const sm_config_t *cf = &o.cfg[0];
	ck_assert_str_eq(cf->zone, ZONE);
	ck_assert_str_eq(cf->provider, ALPHA);
	ck_assert_int_eq(cf->signing, 1);
	ck_assert_int_eq(cf->manual, 0);
	ck_assert_uint_eq(cf->nprotected, 1);
	ck_assert_str_eq(cf->protected[0], "alpha.lab.");
	ck_assert_uint_eq(cf->ttl_min, 60);
	ck_assert_uint_eq(cf->ttl_max, 604800);
	ck_assert_int_eq(cf->nsmgmt_agent, 1);
	ck_assert_int_eq(cf->parentsync_agent, 1);
	ch_out_free(&o);
	/* the EDITS body is available to the operator view too */
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(cmb_edits_body(h.c, ZONE, &b), HS_OK);
	ck_assert_uint_gt(b.len, 0);
	hs_buf_free(&b);
	ck_assert_int_eq(cmb_edits_body(h.c, "unknown.test.", &b), HS_E_NOTFOUND);
	ch_fini(&h);
}
END_TEST

/* ---- the operator's view ---- */

START_TEST(test_json_view)
{
	ch_t h;
	hs_buf_t b = HS_BUF_INIT;
	hs_json_t *j = NULL;
	static const char *const h3[] = {H3_ABC, NULL};
	ch_init(&h, 0);
	ch_load(&h, h3, PARAM_OWNER);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ch_flush(&h);
	cmb_json(h.c, ZONE, &b);
	ck_assert_int_eq(hs_json_parse(&j, (const char *)b.data, b.len, NULL), HS_OK);
	ck_assert_str_eq(hs_json_str(hs_json_get(j, "provider"), NULL), ALPHA);
	ck_assert_uint_eq(hs_json_count(hs_json_get(j, "policy")), 14);
	const hs_json_t *z = hs_json_at(hs_json_get(j, "zones"), 0);
	ck_assert_str_eq(hs_json_str(hs_json_get(z, "name"), NULL), ZONE);
	ck_assert_str_eq(hs_json_str(hs_json_get(z, "nsmgmt"), NULL), "owner");
	const hs_json_t *rr =
	    hs_json_at(hs_json_get(hs_json_at(hs_json_get(z, "contributions"), 0), "rrs"), 0);
	ck_assert_str_eq(hs_json_str(hs_json_get(rr, "rdata"), NULL), "ns1.gamma.lab.");
	ck_assert_str_eq(hs_json_str(hs_json_get(rr, "verdict"), NULL), "ignored");
	ck_assert_str_eq(hs_json_str(hs_json_get(rr, "reason"), NULL), "nsmgmt-owner");
	ck_assert_str_eq(hs_json_str(hs_json_get(rr, "reason_text"), NULL),
	                 "NS while nsmgmt is owner");
	hs_json_free(j);
	hs_buf_reset(&b);
	cmb_json(h.c, "unknown.test.", &b);
	ck_assert_int_eq(hs_json_parse(&j, (const char *)b.data, b.len, NULL), HS_OK);
	ck_assert_uint_eq(hs_json_count(hs_json_get(j, "zones")), 0);
	hs_json_free(j);
	hs_buf_free(&b);
	cmb_zone_info_t zi;
	ck_assert_int_eq(cmb_zone_get(h.c, ZONE, &zi), HS_OK);
	ck_assert_int_eq(zi.multi, 1);
	ck_assert_str_eq(zi.label, "alpha");
	ck_assert_uint_eq(zi.nrecords, 1);
	ck_assert_uint_eq(cmb_zone_count(h.c), 1);
	ch_fini(&h);
}
END_TEST

START_TEST(test_config_errors)
{
	ch_t h;
	cmb_t *c = NULL;
	hs_errmsg_t em;
	ch_init(&h, 0);
	cmb_cfg_t bad = h.cfg;
	bad.ttl_min = 700000;
	ck_assert_int_eq(cmb_new(&c, &bad, h.st, &h.env.env, &em), HS_E_CONFIG);
	bad = h.cfg;
	bad.provider = "bad name";
	ck_assert_int_eq(cmb_new(&c, &bad, h.st, &h.env.env, &em), HS_E_CONFIG);
	bad = h.cfg;
	const char *p[] = {"a..b"};
	bad.protect = p;
	ck_assert_int_eq(cmb_new(&c, &bad, h.st, &h.env.env, &em), HS_E_CONFIG);
	ck_assert_int_eq(cmb_configure(h.c, &bad, &em), HS_E_CONFIG);
	bad = h.cfg;
	bad.provider = BETA;
	ck_assert_int_eq(cmb_configure(h.c, &bad, &em), HS_E_CONFIG);
	ck_assert_int_eq(cmb_new(&c, &h.cfg, NULL, &h.env.env, &em), HS_E_CONFIG);
	ck_assert_ptr_null(c);
	ch_fini(&h);
}
END_TEST

/* Verdict changes are logged once each, by one function, in one form. */
static hs_buf_t logs;

static void log_hook(enum hs_log_level level, const char *subsys, const char *line, void *arg)
{
	(void)arg;
	if (strcmp(subsys, "combiner") == 0 && level <= HS_LOG_NOTICE)
		hs_buf_printf(&logs, "%s\n", line);
}

START_TEST(test_verdict_log)
{
	ch_t h;
	static const char *const v2[] = {"NS ns2.gamma.lab.", "NS ns9.alpha.lab.", NULL};
	static const char *const h3_off[] = {"ON alpha agent.alpha.lab. .",
	                                     "OFF gamma agent.gamma.lab. .", NULL};
	ch_init(&h, 0);
	ch_load_std(&h);
	hs_log_set_level(HS_LOG_NOTICE);
	hs_log_set_hook(log_hook, NULL);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK);
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 1, NS_G), HS_OK); /* duplicate: silent */
	ck_assert_int_eq(ch_set1(&h, GAMMA, T_NS, 2, v2), HS_OK);
	ch_load(&h, h3_off, PARAM_AGENT);
	hs_log_set_hook(NULL, NULL);
	const char *want =
	    "zone 'example.test.' NS 'ns1.gamma.lab.' from 'agent.gamma.lab.': none -> applied\n"
	    "zone 'example.test.' NS 'ns2.gamma.lab.' from 'agent.gamma.lab.': none -> applied\n"
	    "zone 'example.test.' NS 'ns9.alpha.lab.' from 'agent.gamma.lab.': none -> rejected"
	    " (protected-ns: under 'alpha.lab.')\n"
	    "zone 'example.test.' NS 'ns1.gamma.lab.' from 'agent.gamma.lab.': applied -> "
	    "removed\n";
	ck_assert_msg(strncmp(hs_buf_cstr(&logs), want, strlen(want)) == 0, "log:\n%s",
	              hs_buf_cstr(&logs));
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&logs),
	                             "zone 'example.test.' NS 'ns2.gamma.lab.' from"
	                             " 'agent.gamma.lab.': applied -> removed (withdrawn)\n"));
	hs_buf_free(&logs);
	ch_fini(&h);
}
END_TEST

static Suite *combiner_suite(void)
{
	Suite *s = suite_create("combiner");
	TCase *tc = tcase_create("policy");
	tcase_add_test(tc, test_policy_table_rows);
	tcase_add_test(tc, test_row01_unknown_zone);
	tcase_add_test(tc, test_row02_not_provider);
	tcase_add_test(tc, test_row03_type_not_synced);
	tcase_add_test(tc, test_row04_not_apex);
	tcase_add_test(tc, test_row05_bad_rdata);
	tcase_add_test(tc, test_rdata_check_table);
	tcase_add_test(tc, test_row06_ttl_range);
	tcase_add_test(tc, test_row07_protected_ns);
	tcase_add_test(tc, test_row08_not_signer);
	tcase_add_test(tc, test_row09_owner_signed);
	tcase_add_test(tc, test_row10_nsmgmt_owner);
	tcase_add_test(tc, test_row11_parentsync_owner);
	tcase_add_test(tc, test_row12_not_signing_here);
	tcase_add_test(tc, test_row13_manual);
	tcase_add_test(tc, test_row14_applied);
	tcase_add_test(tc, test_combine_pure);
	suite_add_tcase(s, tc);
	tc = tcase_create("updates");
	tcase_add_test(tc, test_removal);
	tcase_add_test(tc, test_duplicate_and_stale);
	tcase_add_test(tc, test_duplicate_reports_removals);
	tcase_add_test(tc, test_same_record_twice);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_confirm_split);
	tcase_add_test(tc, test_confirm_split_by_size);
	tcase_add_test(tc, test_rfi_answers);
	tcase_add_test(tc, test_json_view);
	tcase_add_test(tc, test_config_errors);
	tcase_add_test(tc, test_verdict_log);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(combiner_suite)
