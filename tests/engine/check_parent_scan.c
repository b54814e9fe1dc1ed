/*
 * check_parent_scan.c -- the parent's CDS/CDNSKEY scanner, NOTIFY scheme
 * (src/engine/parent/par_scan.c), in virtual time: a NOTIFY(CDS) makes
 * the receiver ask every nameserver of the delegation, validated where
 * the child is signed, and apply the DS RRset through the backend; bad or
 * inconsistent answers change nothing and are kept with why; the delete
 * sentinel; the rate limit per child. Requirement ids of
 * rfc-drafts/draft-hsync-parent.md are named where they are checked.
 */
#include "dnssec/zsign.h"
#include "engine/par_harness.h"
#include "transport/query.h"

#define EX "example.lab."

static const uint8_t SENT_CDS[] = {0, 0, 0, 0, 0};
static const uint8_t SENT_CDNSKEY[] = {0, 0, 3, 0, 0};

struct keys {
	zs_key_t *k[2];
	hs_buf_t dnskey[2], ds[2];
};

static void keys_make(struct keys *ks)
{
	uint8_t w[256];
	size_t wl, l;
	memset(ks, 0, sizeof(*ks));
	ck_assert_int_eq(hs_name_from_text(EX, strlen(EX), w, &wl), HS_OK);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(zs_key_generate(13, 257, &ks->k[i], NULL), HS_OK);
		const uint8_t *rd = zs_key_dnskey(ks->k[i], &l);
		hs_buf_append(&ks->dnskey[i], rd, l);
		ck_assert_int_eq(zs_ds_rdata(w, wl, rd, l, 2, &ks->ds[i]), HS_OK);
	}
}

static void keys_free(struct keys *ks)
{
	for (int i = 0; i < 2; i++) {
		zs_key_free(ks->k[i]);
		hs_buf_free(&ks->dnskey[i]);
		hs_buf_free(&ks->ds[i]);
	}
}

static void scan_init(struct ph *h, int bootstrap)
{
	ph_init(h, HS_BOOT_MANUAL);
	ph_stop(h);
	h->cfg.scan = 1;
	h->cfg.ds_ttl = 120;
	h->cfg.cds_bootstrap = bootstrap;
	ph_start(h);
}

static void notify(struct ph *h, const char *child, uint16_t type)
{
	hs_buf_t msg = HS_BUF_INIT;
	tp_question_t q;
	memset(&q, 0, sizeof(q));
	q.name = child;
	q.qtype = type;
	q.qclass = 1;
	q.opcode = TP_OPCODE_NOTIFY;
	q.flags = TP_FLAG_AA;
	ck_assert_int_eq(tp_msg_build(&q, 777, &msg, NULL), HS_OK);
	ph_send_msg(h, msg.data, msg.len, "192.0.2.9", 0);
	hs_buf_free(&msg);
}

static int find_t(struct ph *h, par_lk_kind_t kind, const char *name, const char *addr,
                  uint16_t type)
{
	for (size_t i = 0; i < h->nlk; i++)
		if (h->lk[i].lk == kind && strcasecmp(h->lk[i].name, name) == 0 &&
		    (addr == NULL || strcmp(h->lk[i].addr, addr) == 0) && h->lk[i].type == type)
			return (int)i;
	return -1;
}

static void answer_set(struct ph *h, int i, int aa, int secure, const hs_buf_t *const *v, size_t n)
{
	par_lookup_res_t r;
	hs_buf_t rd[4];
	ck_assert_int_ge(i, 0);
	memset(&r, 0, sizeof(r));
	for (size_t k = 0; k < n; k++)
		rd[k] = *v[k];
	r.status = HS_OK;
	r.aa = aa;
	r.secure = secure;
	r.rdatas = rd;
	r.n = n;
	r.why = secure ? NULL : "no chain to a trust anchor";
	ph_lookup_answer(h, i, &r);
}

/* The delegation: ns1 with glue, ns2 without (its address from ADDRS);
 * the parent's DS: `cur`. */
static void answer_deleg_ds(struct ph *h, const hs_buf_t *const *cur, size_t ncur)
{
	par_ns_t ns[2];
	par_lookup_res_t r;
	hs_buf_t a4 = HS_BUF_INIT;
	uint8_t v4[4] = {198, 51, 100, 53};
	memset(ns, 0, sizeof(ns));
	snprintf(ns[0].name, sizeof(ns[0].name), "ns1.example.lab.");
	snprintf(ns[0].addrs[ns[0].naddrs++], PAR_ADDR_MAX, "192.0.2.1");
	snprintf(ns[1].name, sizeof(ns[1].name), "ns.provider.net.");
	memset(&r, 0, sizeof(r));
	r.status = HS_OK;
	r.ns = ns;
	r.nns = 2;
	ph_lookup_answer(h, ph_lookup_find(h, PAR_LK_DELEG, EX, NULL), &r);
	answer_set(h, ph_lookup_find(h, PAR_LK_PARENT_DS, EX, NULL), 1, 1, cur, ncur);
	hs_buf_append(&a4, v4, 4);
	memset(&r, 0, sizeof(r));
	r.status = HS_OK;
	r.rdatas = &a4;
	r.n = 1;
	ph_lookup_answer(h, ph_lookup_find(h, PAR_LK_ADDRS, "ns.provider.net.", NULL), &r);
	hs_buf_free(&a4);
}

/* Every nameserver (and the validated lookup when `signed_`) answers
 * CDS = cds, CDNSKEY = cdk; `odd`: the second server's CDS instead. */
static void answer_all(struct ph *h, const hs_buf_t *const *cds, size_t ncds,
                       const hs_buf_t *const *cdk, size_t ncdk, int signed_, int secure,
                       const hs_buf_t *const *odd, size_t nodd)
{
	answer_set(h, find_t(h, PAR_LK_DIRECT, EX, "192.0.2.1", 59), 1, 0, cds, ncds);
	answer_set(h, find_t(h, PAR_LK_DIRECT, EX, "192.0.2.1", 60), 1, 0, cdk, ncdk);
	answer_set(h, find_t(h, PAR_LK_DIRECT, EX, "198.51.100.53", 59), 1, 0, odd ? odd : cds,
	           odd ? nodd : ncds);
	answer_set(h, find_t(h, PAR_LK_DIRECT, EX, "198.51.100.53", 60), 1, 0, cdk, ncdk);
	if (signed_) {
		answer_set(h, find_t(h, PAR_LK_SECURE, EX, NULL, 59), 1, secure, cds, ncds);
		answer_set(h, find_t(h, PAR_LK_SECURE, EX, NULL, 60), 1, secure, cdk, ncdk);
	} else {
		ck_assert_int_lt(find_t(h, PAR_LK_SECURE, EX, NULL, 59), 0);
	}
}

/* requirements: PS-50 PS-51 PS-52 PS-53 PS-56 PS-58 */
START_TEST(test_scan_signed_child_applied)
{
	struct ph h;
	struct keys ks;
	keys_make(&ks);
	scan_init(&h, 0);
	const hs_buf_t *cur[] = {&ks.ds[0]}, *both[] = {&ks.ds[0], &ks.ds[1]},
	               *keys[] = {&ks.dnskey[0], &ks.dnskey[1]};
	notify(&h, EX, 59);
	ph_expect(&h, 0, -1); /* NOERROR at once, unsigned (PS-51) */
	ck_assert(!h.signed_ok);
	answer_deleg_ds(&h, cur, 1);
	/* every address of every nameserver, both types, and validated (PS-52, PS-53) */
	ck_assert_int_ge(find_t(&h, PAR_LK_DIRECT, EX, "192.0.2.1", 59), 0);
	ck_assert_int_ge(find_t(&h, PAR_LK_DIRECT, EX, "198.51.100.53", 60), 0);
	ck_assert_int_ge(find_t(&h, PAR_LK_SECURE, EX, NULL, 59), 0);
	answer_all(&h, both, 2, keys, 2, 1, 1, NULL, 0);
	ck_assert_msg(h.napply == 1, "last: %s", par_scan_last(h.p, EX));
	/* delete the DS RRset, add the two (PS-56) */
	ck_assert_uint_eq(h.apply[0].nrrs, 3);
	ck_assert_uint_eq(h.apply[0].rrs[0].type, T_DS);
	ck_assert_uint_eq(h.apply[0].rrs[0].rclass, C_ANY);
	ck_assert_uint_eq(h.apply[0].rrs[1].ttl, 120);
	ck_assert_uint_eq(ph_decisions(&h, "update", "accepted"), 1);
	ph_applied(&h, HS_OK);
	ck_assert_uint_eq(ph_decisions(&h, "update", "applied"), 1);
	ck_assert(strncmp(par_scan_last(h.p, EX), "applied", 7) == 0);

	/* the same again later: the parent holds it already, nothing applied */
	ph_advance(&h, 61000);
	notify(&h, EX, 59);
	answer_deleg_ds(&h, both, 2);
	answer_all(&h, both, 2, keys, 2, 1, 1, NULL, 0);
	ck_assert_uint_eq(h.napply, 0);
	ck_assert(strncmp(par_scan_last(h.p, EX), "unchanged", 9) == 0);
	/* a NOTIFY for a name outside the zone is not the scanner's */
	{
		hs_buf_t msg = HS_BUF_INIT;
		uint64_t id;
		tp_question_t q;
		memset(&q, 0, sizeof(q));
		q.name = "example.other.";
		q.qtype = 59;
		q.qclass = 1;
		q.opcode = TP_OPCODE_NOTIFY;
		ck_assert_int_eq(tp_msg_build(&q, 1, &msg, NULL), HS_OK);
		ck_assert_int_eq(par_request(h.p, msg.data, msg.len, "192.0.2.9", 0, &id), 0);
		hs_buf_free(&msg);
	}
	ph_fini(&h);
	keys_free(&ks);
}
END_TEST

/* requirements: PS-52 PS-59 */
START_TEST(test_scan_inconsistent_nameservers)
{
	struct ph h;
	struct keys ks;
	keys_make(&ks);
	scan_init(&h, 0);
	const hs_buf_t *cur[] = {&ks.ds[0]}, *both[] = {&ks.ds[0], &ks.ds[1]},
	               *keys[] = {&ks.dnskey[0], &ks.dnskey[1]};
	notify(&h, EX, 59);
	answer_deleg_ds(&h, cur, 1);
	answer_all(&h, both, 2, keys, 2, 1, 1, cur, 1); /* the second server lags behind */
	ck_assert_uint_eq(h.applies_seen, 0);
	ck_assert_uint_eq(ph_decisions(&h, "update", "refused"), 1);
	ck_assert(strstr(par_scan_last(h.p, EX), "different CDS") != NULL);
	ph_fini(&h);
	keys_free(&ks);
}
END_TEST

/* requirements: PS-53 PS-59 */
START_TEST(test_scan_cds_does_not_validate)
{
	struct ph h;
	struct keys ks;
	keys_make(&ks);
	scan_init(&h, 0);
	const hs_buf_t *cur[] = {&ks.ds[0]}, *other[] = {&ks.ds[1]}, *k1[] = {&ks.dnskey[1]};
	notify(&h, EX, 59);
	answer_deleg_ds(&h, cur, 1);
	/* every server agrees on a CDS for another key, but it does not validate */
	answer_all(&h, other, 1, k1, 1, 1, 0, NULL, 0);
	ck_assert_uint_eq(h.applies_seen, 0);
	ck_assert_uint_eq(ph_decisions(&h, "update", "refused"), 1);
	ck_assert(strstr(par_scan_last(h.p, EX), "does not validate") != NULL);
	/* an insecure delegation: no first DS without cds-bootstrap (PS-55) */
	ph_advance(&h, 61000);
	notify(&h, EX, 59);
	answer_deleg_ds(&h, NULL, 0);
	answer_all(&h, other, 1, k1, 1, 0, 0, NULL, 0);
	ck_assert_uint_eq(h.applies_seen, 0);
	ck_assert(strstr(par_scan_last(h.p, EX), "cds-bootstrap") != NULL);
	ph_fini(&h);
	keys_free(&ks);
}
END_TEST

/* requirements: PS-55 */
START_TEST(test_scan_bootstrap_insecure)
{
	struct ph h;
	struct keys ks;
	keys_make(&ks);
	scan_init(&h, 1);
	const hs_buf_t *cds[] = {&ks.ds[0]}, *k0[] = {&ks.dnskey[0]};
	ck_assert_int_eq(par_scan_request(h.p, EX, 0), HS_OK);
	ph_drain(&h);
	answer_deleg_ds(&h, NULL, 0);
	answer_all(&h, cds, 1, k0, 1, 0, 0, NULL, 0);
	ck_assert_uint_eq(h.napply, 1);
	ck_assert_uint_eq(h.apply[0].nrrs, 2);
	ck_assert_uint_eq(h.apply[0].rrs[1].rdlen, ks.ds[0].len);
	ck_assert(memcmp(h.apply[0].rrs[1].rdata, ks.ds[0].data, ks.ds[0].len) == 0);
	ph_applied(&h, HS_OK);
	ph_fini(&h);
	keys_free(&ks);
}
END_TEST

/* requirements: PS-54 */
START_TEST(test_scan_delete_sentinel)
{
	struct ph h;
	struct keys ks;
	hs_buf_t sc = HS_BUF_INIT, sk = HS_BUF_INIT;
	keys_make(&ks);
	hs_buf_append(&sc, SENT_CDS, sizeof(SENT_CDS));
	hs_buf_append(&sk, SENT_CDNSKEY, sizeof(SENT_CDNSKEY));
	scan_init(&h, 0);
	const hs_buf_t *cur[] = {&ks.ds[0]}, *scds[] = {&sc}, *scdk[] = {&sk},
	               *mixed[] = {&sc, &ks.ds[0]}, *k0[] = {&ks.dnskey[0]};
	/* mixed with a real CDS: refused */
	notify(&h, EX, 59);
	answer_deleg_ds(&h, cur, 1);
	answer_all(&h, mixed, 2, k0, 1, 1, 1, NULL, 0);
	ck_assert_uint_eq(h.applies_seen, 0);
	ck_assert(strstr(par_scan_last(h.p, EX), "sentinel is mixed") != NULL);
	/* alone, validated: the DS RRset is deleted, nothing added */
	ph_advance(&h, 61000);
	notify(&h, EX, 59);
	answer_deleg_ds(&h, cur, 1);
	answer_all(&h, scds, 1, scdk, 1, 1, 1, NULL, 0);
	ck_assert_uint_eq(h.napply, 1);
	ck_assert_uint_eq(h.apply[0].nrrs, 1);
	ck_assert_uint_eq(h.apply[0].rrs[0].rclass, C_ANY);
	ph_applied(&h, HS_OK);
	/* the pure judgement: a CDS with a digest type it does not know */
	{
		uint8_t w[256], bad[36];
		size_t wl, bl = sizeof(bad);
		const uint8_t *b[] = {bad};
		hs_buf_t ds = HS_BUF_INIT;
		int del;
		char why[200];
		memcpy(bad, ks.ds[0].data, 36);
		bad[3] = 9;
		ck_assert_int_eq(hs_name_from_text(EX, strlen(EX), w, &wl), HS_OK);
		ck_assert_int_eq(
		    par_cds_judge(w, wl, b, &bl, 1, NULL, NULL, 0, &ds, &del, why, sizeof(why)),
		    HS_E_REFUSED);
		hs_buf_free(&ds);
	}
	hs_buf_free(&sc);
	hs_buf_free(&sk);
	ph_fini(&h);
	keys_free(&ks);
}
END_TEST

/* requirements: PS-57 PS-60 */
START_TEST(test_scan_rate_limited)
{
	struct ph h;
	struct keys ks;
	par_stats_t st;
	keys_make(&ks);
	scan_init(&h, 0);
	const hs_buf_t *cur[] = {&ks.ds[0]}, *k0[] = {&ks.dnskey[0]};
	notify(&h, EX, 62); /* CSYNC: answered, starts a scan of CDS/CDNSKEY (PS-60) */
	ph_expect(&h, 0, -1);
	for (int i = 0; i < 20; i++) { /* a burst: one scan runs, the rest fold into one */
		notify(&h, EX, 59);
		ph_expect(&h, 0, -1);
	}
	par_stats(h.p, &st);
	ck_assert_uint_eq(st.scans, 1);
	ck_assert_uint_eq(st.scans_limited, 20);
	answer_deleg_ds(&h, cur, 1);
	answer_all(&h, cur, 1, k0, 1, 1, 1, NULL, 0);
	ck_assert_int_lt(ph_lookup_find(&h, PAR_LK_DELEG, EX, NULL), 0);
	ph_advance(&h, 30000);
	ck_assert_int_lt(ph_lookup_find(&h, PAR_LK_DELEG, EX, NULL), 0);
	ph_advance(&h, 30000); /* scan-min-interval after the first: the folded one */
	ck_assert_int_ge(ph_lookup_find(&h, PAR_LK_DELEG, EX, NULL), 0);
	par_stats(h.p, &st);
	ck_assert_uint_eq(st.scans, 2);
	ph_fini(&h);
	keys_free(&ks);
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("parent_scan");
	TCase *tc = tcase_create("scan");
	tcase_add_test(tc, test_scan_signed_child_applied);
	tcase_add_test(tc, test_scan_inconsistent_nameservers);
	tcase_add_test(tc, test_scan_cds_does_not_validate);
	tcase_add_test(tc, test_scan_bootstrap_insecure);
	tcase_add_test(tc, test_scan_delete_sentinel);
	tcase_add_test(tc, test_scan_rate_limited);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(scan_suite)
