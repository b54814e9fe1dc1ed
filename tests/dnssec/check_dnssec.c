/* check_dnssec.c -- the dv_ validator over zones signed in the test. */
#include <stdlib.h>
#include <string.h>

#include "dnssec/dnssec.h"
#include "dnssec/dv_testzone.h"
#include "lib/testutil.h"

/* ---- a fetch function answering from a tz_world_t ---------------------- */

struct fake {
	tz_world_t *w;
	int fetches;
	int again;      /* answer HS_E_AGAIN */
	int fail;       /* answer HS_E_TIMEOUT */
	char log[1024]; /* "name/type " per fetch */
	dv_rrset_t *held[32];
	int nheld;
};

static int fake_fetch(void *arg, const char *name, uint16_t type, const dv_rrset_t **out,
                      hs_errmsg_t *em)
{
	struct fake *f = arg;
	char t[16];
	f->fetches++;
	snprintf(t, sizeof(t), "%u ", type);
	strncat(f->log, name, sizeof(f->log) - strlen(f->log) - 1);
	strncat(f->log, "/", sizeof(f->log) - strlen(f->log) - 1);
	strncat(f->log, t, sizeof(f->log) - strlen(f->log) - 1);
	if (f->again)
		return HS_E_AGAIN;
	if (f->fail)
		return hs_fail(em, HS_E_TIMEOUT, "no answer from the resolver");
	ck_assert_int_lt(f->nheld, 32);
	dv_rrset_t *s = tz_rrset(f->w, name, (ldns_rr_type)type);
	f->held[f->nheld++] = s;
	*out = s;
	return HS_OK;
}

static void fake_done(struct fake *f)
{
	for (int i = 0; i < f->nheld; i++)
		dv_rrset_free(f->held[i]);
	f->nheld = 0;
}

/* lab. -> alpha.lab. (delegated with DS), dns.alpha.lab. A/KEY/HPKEKEY. */
static void build_lab(tz_world_t *w, int delegate)
{
	static const uint8_t hpke[38] = {0, 0x20, 0, 1, 0, 2, 1, 2, 3};
	tz_init(w);
	tz_zone_add(w, "lab.");
	tz_zone_add(w, "alpha.lab.");
	if (delegate)
		tz_delegate(w, "alpha.lab.");
	tz_add(w, "dns.alpha.lab. 300 IN A 127.0.0.1");
	tz_add(w, "dns.alpha.lab. 300 IN A 127.0.0.2");
	tz_add(w, "dns.alpha.lab. 600 IN KEY 512 3 15 "
	          "NrHnqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=");
	tz_add_wire(w, "dns.alpha.lab.", 65290, 600, hpke, sizeof(hpke));
	tz_sign(w);
}

static int add_text(dv_rrset_t *s, const char *text)
{
	ldns_rr *rr = tz_rr(text);
	int rc = dv_rrset_add(s, rr);
	ldns_rr_free(rr);
	return rc;
}

static dv_anchors_t *anchor_ds(tz_world_t *w, const char *zone)
{
	char text[512];
	hs_errmsg_t em;
	dv_anchors_t *a = dv_anchors_new();
	tz_ds_text(w, zone, text, sizeof(text));
	ck_assert_int_eq(dv_anchors_add_text(a, text, &em), HS_OK);
	return a;
}

static int run(tz_world_t *w, const dv_anchors_t *a, const char *owner, uint16_t type, uint32_t now,
               int insecure, dv_result_t *res, struct fake *f)
{
	hs_errmsg_t em;
	dv_ctx_t ctx = {.anchors = a,
	                .fetch = fake_fetch,
	                .fetch_arg = f,
	                .now = now,
	                .allow_insecure = insecure};
	f->w = w;
	dv_rrset_t *s = tz_rrset(w, owner, (ldns_rr_type)type);
	hs_errmsg_clear(&em);
	int rc = dv_validate(&ctx, s, res, &em);
	dv_rrset_free(s);
	fake_done(f);
	return rc;
}

static void expect(tz_world_t *w, const dv_anchors_t *a, const char *owner, uint16_t type,
                   uint32_t now, enum dv_security sec, enum dv_reason why)
{
	struct fake f = {0};
	dv_result_t res;
	ck_assert_int_eq(run(w, a, owner, type, now, 0, &res, &f), HS_OK);
	ck_assert_msg(res.security == sec && res.reason == why, "%s/%u: got %s %s (%s), want %s %s",
	              owner, type, dv_security_str(res.security), dv_reason_name(res.reason),
	              res.text, dv_security_str(sec), dv_reason_name(why));
}

/* ---- secure chains ------------------------------------------------------- */

/* requirements: DISC-8 */
START_TEST(secure_from_ds_anchor)
{
	tz_world_t w;
	struct fake f = {0};
	dv_result_t res;
	build_lab(&w, 1);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	ck_assert_int_eq(run(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, 0, &res, &f), HS_OK);
	ck_assert_str_eq(dv_security_str(res.security), "secure");
	ck_assert_int_eq(res.reason, DV_R_NONE);
	ck_assert_uint_eq(res.ttl, 300);
	ck_assert_uint_eq(res.expire, TZ_EXPIRATION);
	/* alpha's keys, alpha's DS at lab., lab.'s keys; nothing else */
	ck_assert_str_eq(f.log, "alpha.lab./48 alpha.lab./43 lab./48 ");
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_KEY, TZ_NOW, DV_SECURE, DV_R_NONE);
	expect(&w, a, "dns.alpha.lab.", 65290, TZ_NOW, DV_SECURE, DV_R_NONE);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

START_TEST(secure_from_dnskey_anchor)
{
	tz_world_t w;
	char text[1024];
	hs_errmsg_t em;
	build_lab(&w, 1);
	dv_anchors_t *a = dv_anchors_new();
	tz_dnskey_text(&w, "lab.", text, sizeof(text));
	ck_assert_int_eq(dv_anchors_add_text(a, text, &em), HS_OK);
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_SECURE, DV_R_NONE);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

START_TEST(anchor_at_identity_zone)
{
	tz_world_t w;
	struct fake f = {0};
	dv_result_t res;
	build_lab(&w, 0); /* no DS at lab.: the anchor makes it unnecessary */
	dv_anchors_t *a = anchor_ds(&w, "alpha.lab.");
	ck_assert_int_eq(run(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, 0, &res, &f), HS_OK);
	ck_assert_int_eq(res.security, DV_SECURE);
	ck_assert_str_eq(f.log, "alpha.lab./48 ");
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

/* requirements: DISC-9 */
START_TEST(anchor_two_levels_up)
{
	tz_world_t w;
	struct fake f = {0};
	dv_result_t res;
	tz_init(&w);
	tz_zone_add(&w, "lab.");
	tz_zone_add(&w, "org.lab.");
	tz_zone_add(&w, "alpha.org.lab.");
	tz_delegate(&w, "org.lab.");
	tz_delegate(&w, "alpha.org.lab.");
	tz_add(&w, "dns.alpha.org.lab. 120 IN AAAA ::1");
	tz_sign(&w);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	ck_assert_int_eq(run(&w, a, "dns.alpha.org.lab.", LDNS_RR_TYPE_AAAA, TZ_NOW, 0, &res, &f),
	                 HS_OK);
	ck_assert_msg(res.security == DV_SECURE, "%s", res.text);
	ck_assert_uint_eq(res.ttl, 120);
	ck_assert_str_eq(f.log, "alpha.org.lab./48 alpha.org.lab./43 org.lab./48 org.lab./43 "
	                        "lab./48 ");
	/* the depth limit counts DS steps */
	dv_ctx_t ctx = {
	    .anchors = a, .fetch = fake_fetch, .fetch_arg = &f, .now = TZ_NOW, .max_depth = 2};
	dv_rrset_t *s = tz_rrset(&w, "dns.alpha.org.lab.", LDNS_RR_TYPE_AAAA);
	ck_assert_int_eq(dv_validate(&ctx, s, &res, NULL), HS_OK);
	ck_assert_int_eq(res.security, DV_BOGUS);
	ck_assert_int_eq(res.reason, DV_R_DEPTH);
	dv_rrset_free(s);
	fake_done(&f);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

START_TEST(order_and_case_do_not_matter)
{
	tz_world_t w;
	struct fake f = {0};
	dv_result_t res;
	build_lab(&w, 1);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	dv_rrset_t *s = NULL;
	ck_assert_int_eq(dv_rrset_new("DNS.Alpha.LAB.", LDNS_RR_TYPE_A, &s), HS_OK);
	ck_assert_int_eq(add_text(s, "DNS.ALPHA.lab. 300 IN A 127.0.0.2"), HS_OK);
	ck_assert_int_eq(add_text(s, "dns.alpha.LAB. 300 IN A 127.0.0.1"), HS_OK);
	dv_rrset_t *orig = tz_rrset(&w, "dns.alpha.lab.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(dv_rrset_add(s, ldns_rr_list_rr(orig->sigs, 0)), HS_OK);
	dv_ctx_t ctx = {.anchors = a, .fetch = fake_fetch, .fetch_arg = &f, .now = TZ_NOW};
	f.w = &w;
	ck_assert_int_eq(dv_validate(&ctx, s, &res, NULL), HS_OK);
	ck_assert_msg(res.security == DV_SECURE, "%s", res.text);
	/* a record of another owner does not join the set */
	ck_assert_int_eq(add_text(s, "x.alpha.lab. 300 IN A 127.0.0.3"), HS_E_INVAL);
	dv_rrset_free(orig);
	dv_rrset_free(s);
	fake_done(&f);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

/* ---- bogus ------------------------------------------------------------ */

/* requirements: DISC-8 DISC-10 */
START_TEST(bogus_tampered_rdata)
{
	tz_world_t w;
	struct fake f = {0};
	dv_result_t res;
	build_lab(&w, 1);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	tz_replace(&w, "dns.alpha.lab.", LDNS_RR_TYPE_KEY,
	           "dns.alpha.lab. 600 IN KEY 512 3 15 "
	           "AAAAqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=");
	tz_flip_wire(&w, "dns.alpha.lab.", 65290);
	ck_assert_int_eq(run(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_KEY, TZ_NOW, 0, &res, &f),
	                 HS_OK);
	ck_assert_int_eq(res.security, DV_BOGUS);
	ck_assert_int_eq(res.reason, DV_R_BAD_SIG);
	ck_assert_msg(strstr(res.text, "dns.alpha.lab./KEY: signature does not verify"), "%s",
	              res.text);
	expect(&w, a, "dns.alpha.lab.", 65290, TZ_NOW, DV_BOGUS, DV_R_BAD_SIG);
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_SECURE, DV_R_NONE);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

START_TEST(bogus_missing_rrsig)
{
	tz_world_t w;
	build_lab(&w, 1);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	tz_drop_sigs(&w, "dns.alpha.lab.", 65290);
	expect(&w, a, "dns.alpha.lab.", 65290, TZ_NOW, DV_BOGUS, DV_R_NO_RRSIG);
	/* the DNSKEY RRset of alpha unsigned: everything below is bogus */
	tz_drop_sigs(&w, "alpha.lab.", LDNS_RR_TYPE_DNSKEY);
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_BOGUS, DV_R_NO_RRSIG);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

/* requirements: DISC-8 */
START_TEST(bogus_time_window)
{
	tz_world_t w;
	build_lab(&w, 1);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_EXPIRATION - 1, DV_SECURE, DV_R_NONE);
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_EXPIRATION + 10, DV_BOGUS, DV_R_EXPIRED);
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_INCEPTION - 10, DV_BOGUS,
	       DV_R_NOT_YET_VALID);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

START_TEST(bogus_dnskey_not_matching_anchor)
{
	tz_world_t w, other;
	build_lab(&w, 1);
	tz_init(&other);
	tz_zone_add(&other, "lab."); /* same name, another key */
	dv_anchors_t *a = anchor_ds(&other, "lab.");
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_BOGUS, DV_R_DNSKEY_MISMATCH);
	dv_anchors_free(a);
	/* the same with a DNSKEY anchor */
	char text[1024];
	a = dv_anchors_new();
	tz_dnskey_text(&other, "lab.", text, sizeof(text));
	ck_assert_int_eq(dv_anchors_add_text(a, text, NULL), HS_OK);
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_BOGUS, DV_R_DNSKEY_MISMATCH);
	dv_anchors_free(a);
	tz_free(&other);
	tz_free(&w);
}
END_TEST

/* requirements: DISC-11 */
START_TEST(bogus_ds_missing_or_wrong)
{
	tz_world_t w;
	struct fake f = {0};
	dv_result_t res;
	build_lab(&w, 0);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	ck_assert_int_eq(run(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, 0, &res, &f), HS_OK);
	ck_assert_int_eq(res.security, DV_BOGUS);
	ck_assert_int_eq(res.reason, DV_R_NO_DS);
	ck_assert_str_eq(res.text, "alpha.lab./DS: no DS at the parent");
	tz_free(&w);
	dv_anchors_free(a);

	/* a DS (signed by lab.) for a key alpha does not use */
	tz_world_t other;
	char ds[512];
	tz_init(&other);
	tz_zone_add(&other, "alpha.lab.");
	tz_ds_text(&other, "alpha.lab.", ds, sizeof(ds));
	build_lab(&w, 0);
	tz_drop_sigs(&w, "lab.", LDNS_RR_TYPE_DNSKEY);
	tz_add(&w, ds);
	tz_sign(&w); /* re-signs lab.'s DNSKEY and signs the foreign DS */
	a = anchor_ds(&w, "lab.");
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_BOGUS, DV_R_DNSKEY_MISMATCH);
	/* and a DS whose RDATA was changed after signing */
	tz_replace(&w, "alpha.lab.", LDNS_RR_TYPE_DS, "alpha.lab. 3600 IN DS 1 15 2 00");
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_BOGUS, DV_R_BAD_SIG);
	dv_anchors_free(a);
	tz_free(&other);
	tz_free(&w);
}
END_TEST

START_TEST(bogus_foreign_signer)
{
	tz_world_t w;
	build_lab(&w, 1);
	tz_zone_t *bravo = tz_zone_add(&w, "bravo.lab.");
	tz_delegate(&w, "bravo.lab.");
	tz_drop_sigs(&w, "dns.alpha.lab.", LDNS_RR_TYPE_A);
	tz_drop_sigs(&w, "lab.", LDNS_RR_TYPE_DNSKEY);
	tz_drop_sigs(&w, "alpha.lab.", LDNS_RR_TYPE_DNSKEY);
	tz_drop_sigs(&w, "alpha.lab.", LDNS_RR_TYPE_DS);
	tz_drop_sigs(&w, "dns.alpha.lab.", LDNS_RR_TYPE_KEY);
	tz_drop_sigs(&w, "dns.alpha.lab.", 65290);
	tz_sign(&w);
	/* bravo signs alpha's A: a valid signature by a secure key of the
	 * wrong zone */
	ldns_rdf *o = ldns_dname_new_frm_str("dns.alpha.lab.");
	tz_drop_sigs(&w, "dns.alpha.lab.", LDNS_RR_TYPE_A);
	ldns_rr_list *set = tz_select(&w, o, LDNS_RR_TYPE_A);
	ldns_rr_list *sigs = ldns_sign_public(set, bravo->kl);
	ldns_rr_list_push_rr(w.data, ldns_rr_list_rr(sigs, 0));
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(set);
	ldns_rdf_deep_free(o);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, DV_BOGUS, DV_R_BAD_SIGNER);
	expect(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_KEY, TZ_NOW, DV_SECURE, DV_R_NONE);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

/* requirements: DISC-16 */
START_TEST(no_anchor_insecure_only_in_lab_mode)
{
	tz_world_t w, other;
	struct fake f = {0};
	dv_result_t res;
	build_lab(&w, 1);
	tz_init(&other);
	tz_zone_add(&other, "example.");
	dv_anchors_t *a = anchor_ds(&other, "example."); /* covers nothing of lab. */
	ck_assert_int_eq(run(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, 0, &res, &f), HS_OK);
	ck_assert_int_eq(res.security, DV_BOGUS);
	ck_assert_int_eq(res.reason, DV_R_NO_ANCHOR);
	ck_assert_int_eq(f.fetches, 0);
	ck_assert_int_eq(run(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, 1, &res, &f), HS_OK);
	ck_assert_int_eq(res.security, DV_INSECURE);
	ck_assert_uint_eq(res.ttl, 300);
	ck_assert_uint_eq(res.expire, 0);
	/* insecure mode does not excuse a broken chain under an anchor */
	dv_anchors_free(a);
	a = anchor_ds(&w, "lab.");
	tz_drop_sigs(&w, "dns.alpha.lab.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(run(&w, a, "dns.alpha.lab.", LDNS_RR_TYPE_A, TZ_NOW, 1, &res, &f), HS_OK);
	ck_assert_int_eq(res.security, DV_BOGUS);
	ck_assert_int_eq(res.reason, DV_R_NO_RRSIG);
	dv_anchors_free(a);
	tz_free(&other);
	tz_free(&w);
}
END_TEST

START_TEST(fetch_again_and_failure)
{
	tz_world_t w;
	struct fake f = {0};
	dv_result_t res;
	hs_errmsg_t em;
	build_lab(&w, 1);
	dv_anchors_t *a = anchor_ds(&w, "lab.");
	dv_ctx_t ctx = {.anchors = a, .fetch = fake_fetch, .fetch_arg = &f, .now = TZ_NOW};
	dv_rrset_t *s = tz_rrset(&w, "dns.alpha.lab.", LDNS_RR_TYPE_A);
	f.w = &w;
	f.again = 1;
	res.security = DV_SECURE;
	res.reason = DV_R_DEPTH;
	ck_assert_int_eq(dv_validate(&ctx, s, &res, &em), HS_E_AGAIN);
	ck_assert_int_eq(res.reason, DV_R_DEPTH); /* untouched */
	f.again = 0;
	f.fail = 1;
	ck_assert_int_eq(dv_validate(&ctx, s, &res, &em), HS_E_TIMEOUT);
	ck_assert_str_eq(hs_errmsg_str(&em),
	                 "alpha.lab./DNSKEY: lookup failed: no answer from the resolver");
	dv_rrset_t *empty = NULL;
	ck_assert_int_eq(dv_rrset_new("dns.alpha.lab.", LDNS_RR_TYPE_A, &empty), HS_OK);
	ck_assert_int_eq(dv_validate(&ctx, empty, &res, NULL), HS_E_INVAL);
	ck_assert_int_eq(dv_validate_zone_keys(&ctx, "alpha.lab.", &res, NULL), HS_E_TIMEOUT);
	f.fail = 0;
	ck_assert_int_eq(dv_validate_zone_keys(&ctx, "alpha.lab.", &res, NULL), HS_OK);
	ck_assert_int_eq(res.security, DV_SECURE);
	dv_rrset_free(empty);
	dv_rrset_free(s);
	fake_done(&f);
	dv_anchors_free(a);
	tz_free(&w);
}
END_TEST

/* ---- anchors and answers ------------------------------------------------ */

START_TEST(anchor_text_forms)
{
	hs_errmsg_t em;
	char buf[256];
	dv_anchors_t *a = dv_anchors_new();
	const char *text =
	    "; lab anchors\n"
	    "# unbound style too\n"
	    "\n"
	    "trust-anchor: \"lab. DS 12345 15 2 "
	    "0F0E0D0C0B0A09080706050403020100000102030405060708090A0B0C0D0E0F\"\n"
	    "$TTL 60\n"
	    "alpha.lab. IN DNSKEY 257 3 15 NrHnqEzCKgBg0WAO6Q+GTQdzi0n/Cnbc6S+AWLqjCFg=\n";
	ck_assert_int_eq(dv_anchors_add_text(a, text, &em), HS_OK);
	ck_assert_uint_eq(dv_anchors_count(a), 2);
	ck_assert_int_eq(dv_anchors_closest(a, "dns.alpha.lab.", buf, sizeof(buf)), HS_OK);
	ck_assert_str_eq(buf, "alpha.lab.");
	ck_assert_int_eq(dv_anchors_closest(a, "Bravo.LAB", buf, sizeof(buf)), HS_OK);
	ck_assert_str_eq(buf, "lab.");
	ck_assert_int_eq(dv_anchors_closest(a, "example.", buf, sizeof(buf)), HS_E_NOTFOUND);
	ck_assert_int_eq(dv_anchors_closest(a, "xlab.", buf, sizeof(buf)), HS_E_NOTFOUND);

	ck_assert_int_eq(dv_anchors_add_text(a, "; ok\nlab. IN A 127.0.0.1\n", &em),
	                 HS_E_UNKNOWN_TYPE);
	ck_assert_msg(strstr(hs_errmsg_str(&em), "line 2"), "%s", hs_errmsg_str(&em));
	ck_assert_int_eq(dv_anchors_add_text(a, "lab. DS 1 2 3 zz\n", &em), HS_E_SYNTAX);
	ck_assert_int_eq(dv_anchors_add_text(a, "; nothing\n", &em), HS_E_SYNTAX);
	ck_assert_uint_eq(dv_anchors_count(a), 2); /* nothing added on error */
	ck_assert_int_eq(dv_anchors_load_file(a, "/nonexistent/anchor", &em), HS_E_IO);
	dv_anchors_free(a);
	dv_anchors_free(NULL);
}
END_TEST

/* requirements: DISC-6 */
START_TEST(answer_parsing)
{
	tz_world_t w;
	hs_buf_t msg = HS_BUF_INIT;
	hs_errmsg_t em;
	dv_rrset_t *s = NULL;
	build_lab(&w, 1);
	tz_answer(&w, 7, "dns.alpha.lab.", LDNS_RR_TYPE_A, &msg);
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len, "DNS.alpha.lab", LDNS_RR_TYPE_A, &s, &em), HS_OK);
	ck_assert_str_eq(s->name, "dns.alpha.lab.");
	ck_assert_uint_eq(dv_rrset_count(s), 2);
	ck_assert_uint_eq(ldns_rr_list_rr_count(s->sigs), 1);
	ck_assert_uint_eq(dv_rrset_min_ttl(s), 300);
	dv_rrset_free(s);
	s = NULL;
	/* another question */
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len, "dns.alpha.lab.", LDNS_RR_TYPE_AAAA, &s, &em),
	    HS_E_STATE);
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len, "dns.bravo.lab.", LDNS_RR_TYPE_A, &s, &em),
	    HS_E_STATE);
	/* truncated, trailing, garbage */
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len - 3, "dns.alpha.lab.", LDNS_RR_TYPE_A, &s, &em),
	    HS_E_MALFORMED);
	hs_buf_append_u8(&msg, 0);
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len, "dns.alpha.lab.", LDNS_RR_TYPE_A, &s, &em),
	    HS_E_MALFORMED);
	msg.len--;
	/* SERVFAIL */
	msg.data[3] = (uint8_t)((msg.data[3] & 0xF0) | 2);
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len, "dns.alpha.lab.", LDNS_RR_TYPE_A, &s, &em),
	    HS_E_REFUSED);
	ck_assert_str_eq(hs_errmsg_str(&em), "answer: rcode SERVFAIL");
	/* NXDOMAIN is an answer (empty) */
	msg.data[3] = (uint8_t)((msg.data[3] & 0xF0) | 3);
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len, "dns.alpha.lab.", LDNS_RR_TYPE_A, &s, &em),
	    HS_OK);
	ck_assert_uint_eq(s->rcode, 3);
	dv_rrset_free(s);
	/* a query, not a response */
	msg.data[2] &= 0x7F;
	ck_assert_int_eq(
	    dv_rrset_from_wire(msg.data, msg.len, "dns.alpha.lab.", LDNS_RR_TYPE_A, &s, &em),
	    HS_E_STATE);
	ck_assert_int_eq(dv_rrset_from_wire((const uint8_t *)"garbage", 7, "x.", 1, &s, &em),
	                 HS_E_MALFORMED);
	hs_buf_free(&msg);
	tz_free(&w);
}
END_TEST

/* requirements: DISC-10 */
START_TEST(reason_table)
{
	ck_assert_str_eq(dv_reason_name(DV_R_NO_RRSIG), "NO_RRSIG");
	ck_assert_str_eq(dv_reason_str(DV_R_NONE), "ok");
	ck_assert_str_eq(dv_reason_str(DV_R__END), "unknown");
	for (int r = DV_R_NONE + 1; r < DV_R__END; r++)
		for (int q = r + 1; q < DV_R__END; q++)
			ck_assert_str_ne(dv_reason_str((enum dv_reason)r),
			                 dv_reason_str((enum dv_reason)q));
}
END_TEST

static Suite *dnssec_suite(void)
{
	Suite *s = suite_create("dnssec");
	TCase *tc = tcase_create("validate");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, secure_from_ds_anchor);
	tcase_add_test(tc, secure_from_dnskey_anchor);
	tcase_add_test(tc, anchor_at_identity_zone);
	tcase_add_test(tc, anchor_two_levels_up);
	tcase_add_test(tc, order_and_case_do_not_matter);
	tcase_add_test(tc, bogus_tampered_rdata);
	tcase_add_test(tc, bogus_missing_rrsig);
	tcase_add_test(tc, bogus_time_window);
	tcase_add_test(tc, bogus_dnskey_not_matching_anchor);
	tcase_add_test(tc, bogus_ds_missing_or_wrong);
	tcase_add_test(tc, bogus_foreign_signer);
	tcase_add_test(tc, no_anchor_insecure_only_in_lab_mode);
	tcase_add_test(tc, fetch_again_and_failure);
	suite_add_tcase(s, tc);
	TCase *tp = tcase_create("parse");
	tcase_add_test(tp, anchor_text_forms);
	tcase_add_test(tp, answer_parsing);
	tcase_add_test(tp, reason_table);
	suite_add_tcase(s, tp);
	return s;
}

TU_MAIN(dnssec_suite)
