/* Tests for src/engine/zone: multi-provider analysis, names, group ids. */
#include "lib/testutil.h"

#include "engine/harness.h"
#include "util/encoding.h"
#include "util/sha256.h"
#include "engine/zone.h"
#include "wire/rr_hsyncparam.h"

static const char *const PARAM[] = {
    "nsmgmt=\"agent\" parentsync=\"agent\" servers=\"alpha,bravo\" signers=\"alpha\" pubcds "
    "suffix=\"hs\" auditors=\"echo\"",
    NULL};

static void analyse(const char *self, const char *const *h3, const char *const *hp, eng_zone_t *z)
{
	h_rrs_t r;
	h_rrs_build(&r, h3, hp);
	ck_assert_int_eq(
	    eng_zone_analyse("Example.COM", self, r.p3, r.l3, r.n3, r.pp, r.lp, r.np, z, NULL),
	    HS_OK);
	h_rrs_free(&r);
}

/* requirements: AG-2 */
START_TEST(test_table)
{
	static const char *const h3_abc[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
	                                     "OFF charlie agent.charlie. .", NULL};
	static const char *const h3_alpha_off[] = {"OFF alpha agent.alpha. .",
	                                           "ON bravo agent.bravo. .", NULL};
	static const char *const two_params[] = {"nsmgmt=\"agent\"", "nsmgmt=\"owner\"", NULL};
	static const struct {
		const char *name, *self;
		const char *const *h3, *const *hp;
		eng_zone_reason_t reason;
		int multi;
		const char *text;
	} rows[] = {
	    {"multi-provider", "agent.alpha", h3_abc, PARAM, ENG_ZONE_OK, 1, "multi-provider"},
	    {"no hsyncparam", "agent.alpha", h3_abc, NULL, ENG_ZONE_NO_HSYNCPARAM, 0,
	     "no HSYNCPARAM at the apex"},
	    {"no hsync3", "agent.alpha", NULL, PARAM, ENG_ZONE_NO_HSYNC3, 0,
	     "no HSYNC3 at the apex"},
	    {"two hsyncparam", "agent.alpha", h3_abc, two_params, ENG_ZONE_MANY_HSYNCPARAM, 0,
	     "more than one HSYNCPARAM at the apex: 2 records"},
	    {"not listed", "agent.delta.", h3_abc, PARAM, ENG_ZONE_NOT_LISTED, 0,
	     "our identity is not listed in HSYNC3: agent.delta."},
	    {"listed off", "AGENT.alpha", h3_alpha_off, PARAM, ENG_ZONE_LISTED_OFF, 0,
	     "our identity is listed OFF in HSYNC3: agent.alpha."},
	    {"off charlie is not us", "agent.charlie", h3_abc, PARAM, ENG_ZONE_LISTED_OFF, 0, NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		eng_zone_t z;
		analyse(rows[i].self, rows[i].h3, rows[i].hp, &z);
		ck_assert_msg(z.reason == rows[i].reason, "%s: reason %s", rows[i].name,
		              eng_zone_reason_name(z.reason));
		ck_assert_int_eq(z.multi, rows[i].multi);
		if (rows[i].text)
			ck_assert_str_eq(z.reason_text, rows[i].text);
		ck_assert_str_eq(z.name, "example.com.");
		eng_zone_clear(&z);
	}
}
END_TEST

/* requirements: AG-3 AG-4 */
START_TEST(test_peers_policy_labels)
{
	/* labels with and without the trailing dot, quoted (no dot on the wire) */
	static const char *const h3[] = {"ON alpha agent.alpha. .", "ON \"bravo\" Agent.Bravo. .",
	                                 "OFF charlie. agent.charlie. .",
	                                 "ON alpha agent.alpha. upstream", NULL};
	eng_zone_t z;
	analyse("agent.alpha.", h3, PARAM, &z);
	ck_assert_int_eq(z.multi, 1);
	ck_assert_str_eq(z.our_label, "alpha");
	ck_assert_uint_eq(z.nproviders, 3); /* alpha listed twice counts once */
	ck_assert_str_eq(z.providers[1].identity, "agent.bravo.");
	ck_assert_str_eq(z.providers[1].label, "bravo");
	ck_assert_str_eq(z.providers[2].label, "charlie");
	ck_assert_int_eq(z.providers[2].on, 0);
	ck_assert(eng_zone_lists_on(&z, "agent.bravo."));
	ck_assert(!eng_zone_lists_on(&z, "agent.charlie."));
	ck_assert(eng_zone_provider(&z, "agent.charlie.") != NULL);
	ck_assert_uint_eq(z.policy.nsmgmt, HS_NSMGMT_AGENT);
	ck_assert_uint_eq(z.policy.parentsync, HS_PARENTSYNC_AGENT);
	ck_assert_int_eq(z.policy.pubcds, 1);
	ck_assert_str_eq(z.policy.servers, "alpha,bravo");
	ck_assert_str_eq(z.policy.signers, "alpha");
	ck_assert_str_eq(z.policy.auditors, "echo");
	ck_assert_str_eq(z.policy.suffix, "hs");
	eng_zone_clear(&z);

	/* defaults when HSYNCPARAM says nothing */
	static const char *const empty[] = {"servers=\"alpha\"", NULL};
	analyse("agent.alpha.", h3, empty, &z);
	ck_assert_uint_eq(z.policy.nsmgmt, HS_NSMGMT_OWNER);
	ck_assert_uint_eq(z.policy.parentsync, HS_PARENTSYNC_OWNER);
	ck_assert_int_eq(z.policy.pubcds, 0);
	ck_assert_ptr_null(z.policy.signers);
	eng_zone_clear(&z);
}
END_TEST

/* requirements: AG-2 */
START_TEST(test_malformed)
{
	h_rrs_t r;
	eng_zone_t z;
	static const char *const h3[] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
	                                 NULL};
	h_rrs_build(&r, h3, PARAM);
	/* truncate the second HSYNC3 */
	r.l3[1] -= 3;
	ck_assert_int_eq(eng_zone_analyse("example.com", "agent.alpha", r.p3, r.l3, r.n3, r.pp,
	                                  r.lp, r.np, &z, NULL),
	                 HS_OK);
	ck_assert_int_eq(z.reason, ENG_ZONE_MALFORMED);
	ck_assert_int_eq(z.multi, 0);
	ck_assert_ptr_nonnull(strstr(z.reason_text, "hsync3 record 2"));
	ck_assert_uint_eq(z.nproviders, 0);
	eng_zone_clear(&z);
	r.l3[1] += 3;
	/* a state byte other than ON/OFF */
	r.b3[0].data[0] = 7;
	ck_assert_int_eq(eng_zone_analyse("example.com", "agent.alpha", r.p3, r.l3, r.n3, r.pp,
	                                  r.lp, r.np, &z, NULL),
	                 HS_OK);
	ck_assert_int_eq(z.reason, ENG_ZONE_MALFORMED);
	ck_assert_ptr_nonnull(strstr(z.reason_text, "unknown state 7"));
	eng_zone_clear(&z);
	r.b3[0].data[0] = 1;
	/* a broken HSYNCPARAM (keys out of order) */
	static const uint8_t bad[] = {0, 2, 0, 0, 0, 1, 0, 0};
	r.pp[0] = bad;
	r.lp[0] = sizeof(bad);
	ck_assert_int_eq(eng_zone_analyse("example.com", "agent.alpha", r.p3, r.l3, r.n3, r.pp,
	                                  r.lp, r.np, &z, NULL),
	                 HS_OK);
	ck_assert_int_eq(z.reason, ENG_ZONE_MALFORMED);
	ck_assert_ptr_nonnull(strstr(z.reason_text, "hsyncparam record 1"));
	eng_zone_clear(&z);
	/* bad names are errors of the call, not of the zone */
	hs_errmsg_t em;
	ck_assert_int_eq(eng_zone_analyse("bad..zone", "agent.alpha", r.p3, r.l3, r.n3, r.pp, r.lp,
	                                  r.np, &z, &em),
	                 HS_E_NAME);
	ck_assert_int_eq(
	    eng_zone_analyse("ok.zone", "", r.p3, r.l3, r.n3, r.pp, r.lp, r.np, &z, &em),
	    HS_E_NAME);
	h_rrs_free(&r);
}
END_TEST

/* requirements: AG-1 */
START_TEST(test_names)
{
	char out[ENG_NAME_MAX];
	ck_assert_int_eq(eng_name_canon("Agent.Alpha", 11, out), HS_OK);
	ck_assert_str_eq(out, "agent.alpha.");
	ck_assert_int_eq(eng_name_canon("agent.alpha.", 12, out), HS_OK);
	ck_assert_str_eq(out, "agent.alpha.");
	ck_assert_int_eq(eng_name_canon(".", 1, out), HS_E_NAME);
	ck_assert_int_eq(eng_name_canon("", 0, out), HS_E_NAME);
	ck_assert_int_eq(eng_name_canon("a..b", 4, out), HS_E_NAME);
	ck_assert_int_eq(eng_name_canon("a b", 3, out), HS_E_NAME);
	ck_assert_int_eq(eng_name_canon("a\"b", 3, out), HS_E_NAME);
	char big[300];
	memset(big, 'a', 64);
	ck_assert_int_eq(eng_name_canon(big, 64, out), HS_E_NAME); /* label > 63 */
	for (int i = 0; i < 300; i++)
		big[i] = (i % 4 == 3) ? '.' : 'a';
	ck_assert_int_eq(eng_name_canon(big, 255, out), HS_E_NAME); /* > 253 */
	static const uint8_t w[] = {5, 'A', 'g', 'e', 'n', 't', 2, 'x', 'y', 0};
	ck_assert_int_eq(eng_name_from_wire(w, sizeof(w), out), HS_OK);
	ck_assert_str_eq(out, "agent.xy.");
	static const uint8_t wdot[] = {3, 'a', '.', 'b', 0};
	ck_assert_int_eq(eng_name_from_wire(wdot, sizeof(wdot), out), HS_E_NAME);
	ck_assert_str_eq(eng_zone_reason_name(ENG_ZONE_NO_HSYNCPARAM), "no-hsyncparam");
}
END_TEST

/* requirements: AG-5 */
START_TEST(test_group_id)
{
	const char *a[] = {"agent.bravo.", "agent.alpha.", "agent.charlie."};
	const char *b[] = {"agent.charlie.", "agent.alpha.", "agent.bravo.", "agent.alpha."};
	const char *c[] = {"agent.alpha.", "agent.bravo."};
	char ia[17], ib[17], ic[17];
	eng_group_id(a, 3, ia);
	eng_group_id(b, 4, ib);
	eng_group_id(c, 2, ic);
	ck_assert_str_eq(ia, ib);
	ck_assert_str_ne(ia, ic);
	ck_assert_uint_eq(strlen(ia), 16);
	/* the definition: SHA-256 of the sorted names each followed by \n */
	uint8_t d[32];
	char want[17];
	const char *joined = "agent.alpha.\nagent.bravo.\n";
	hs_sha256(joined, strlen(joined), d);
	hs_hex_encode(want, d, 8);
	ck_assert_str_eq(ic, want);
}
END_TEST

static Suite *zone_suite(void)
{
	Suite *s = suite_create("eng_zone");
	TCase *tc = tcase_create("zone");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_peers_policy_labels);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_group_id);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(zone_suite)
