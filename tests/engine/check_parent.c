/*
 * check_parent.c -- the parent's UPDATE receiver (src/engine/parent) in
 * virtual time: every refusal with its RCODE and EDE and no change to the
 * parent zone (no APPLY) nor to the keys; an accepted change; the budgets;
 * replay; bootstrap by each of the four methods; rollover; re-bootstrap
 * after key loss; KeyState; restart. Requirement ids of
 * rfc-drafts/draft-hsync-parent.md are named where they are checked.
 */
#include "engine/par_harness.h"

#define EX  "example.lab."
#define AMP "ample.lab."

/* ---- scope (PS-1, PS-11) ---- */

static int scope(const char *child, const char *owner, uint16_t cls, uint16_t type,
                 const char *rdata)
{
	struct ph h;
	uint8_t apex[WIRE_NAME_MAX], cw[WIRE_NAME_MAX];
	size_t al, cl;
	memset(&h, 0, sizeof(h));
	ph_rr(&h, owner, cls == C_IN ? 300 : 0, cls, type, rdata);
	ck_assert_int_eq(hs_name_from_text("lab.", 4, apex, &al), HS_OK);
	ck_assert_int_eq(hs_name_from_text(child, strlen(child), cw, &cl), HS_OK);
	return par_scope_check(apex, al, cw, cl, &h.rrs[0], NULL, 0);
}

/* PS-1, PS-11: the rule on labels, as a table */
START_TEST(test_scope_table)
{
	/* the delegation point: NS and DS only */
	ck_assert_int_eq(scope(EX, EX, C_IN, T_NS, "ns1.example.lab."), HS_OK);
	ck_assert_int_eq(scope(EX, "EXAMPLE.Lab.", C_IN, T_NS, "ns9.elsewhere.net."), HS_OK);
	ck_assert_int_eq(scope(EX, EX, C_IN, T_DS,
	                       "4242 15 2 " /* digest */
	                       "aabbccddeeff00112233445566778899aabbccddeeff0011"
	                       "2233445566778899"),
	                 HS_OK);
	ck_assert_int_eq(scope(EX, EX, C_ANY, T_NS, ""), HS_OK);
	ck_assert_int_eq(scope(EX, EX, C_NONE, T_NS, "ns1.example.lab."), HS_OK);
	ck_assert_int_eq(scope(EX, EX, C_IN, T_A, "192.0.2.1"), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, EX, C_IN, 16 /* TXT */, "\"x\""), HS_E_REFUSED);
	/* glue below the child */
	ck_assert_int_eq(scope(EX, "ns1.example.lab.", C_IN, T_A, "192.0.2.1"), HS_OK);
	ck_assert_int_eq(scope(EX, "a.b.ns1.example.lab.", C_IN, T_AAAA, "2001:db8::1"), HS_OK);
	ck_assert_int_eq(scope(EX, "ns1.example.lab.", C_IN, T_NS, "x.example.lab."), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, "ns1.example.lab.", C_IN, T_DS, "1 15 2 aabb"), HS_E_REFUSED);
	/* the apex, other children, and the suffix trap both ways */
	ck_assert_int_eq(scope(EX, "lab.", C_IN, T_NS, "ns.lab."), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, "lab.", C_IN, T_A, "192.0.2.1"), HS_E_REFUSED);
	ck_assert_int_eq(scope(AMP, EX, C_IN, T_NS, "ns1.ample.lab."), HS_E_REFUSED);
	ck_assert_int_eq(scope(AMP, "ns1.example.lab.", C_IN, T_A, "192.0.2.1"), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, AMP, C_IN, T_NS, "ns1.example.lab."), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, "xexample.lab.", C_IN, T_NS, "ns1.example.lab."), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, "other.lab.", C_IN, T_NS, "ns1.example.lab."), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, "ns.other.lab.", C_IN, T_A, "192.0.2.1"), HS_E_REFUSED);
	ck_assert_int_eq(scope(EX, "ns.example.net.", C_IN, T_A, "192.0.2.1"), HS_E_REFUSED);
	/* shapes (PS-6) */
	ck_assert_int_eq(scope(EX, EX, C_ANY, T_ANY, ""), HS_E_NOTSUP);
	ck_assert_int_eq(scope(EX, "ns1.example.lab.", C_IN, T_A, "\\# 3 010203"), HS_E_MALFORMED);
	ck_assert_int_eq(scope(EX, EX, C_IN, T_NS, "\\# 2 0100"), HS_E_MALFORMED);
	ck_assert_int_eq(scope(EX, EX, 3 /* CH */, T_NS, "ns1.example.lab."), HS_E_MALFORMED);
}
END_TEST

/* ---- an accepted change ---- */

static void ns_change(struct ph *h, const char *child)
{
	char ns1[300], ns2[300];
	snprintf(ns1, sizeof(ns1), "ns1.%s", child);
	snprintf(ns2, sizeof(ns2), "ns2.%s", child);
	ph_clear(h);
	ph_rr(h, child, 0, C_NONE, T_NS, ns1);
	ph_rr(h, child, 300, C_IN, T_NS, ns2);
	ph_rr(h, ns2, 300, C_IN, T_A, "192.0.2.2");
}

/* PS-13, PS-14, PS-15, PS-38: checked, handed to the backend in order,
 * answered after it, signed; the decision kept with its outcome */
START_TEST(test_change_applied)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX);
	ph_init(&h, HS_BOOT_MANUAL);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	ns_change(&h, EX);
	ph_update(&h, k);
	ck_assert_msg(!h.got, "answered before the backend");
	ck_assert_uint_eq(h.napply, 1);
	ck_assert_str_eq(h.apply[0].child, EX);
	ck_assert_uint_eq(h.apply[0].nrrs, 3);
	ck_assert_uint_eq(h.apply[0].rrs[0].rclass, C_NONE);
	ck_assert_uint_eq(h.apply[0].rrs[1].type, T_NS);
	ck_assert_uint_eq(h.apply[0].rrs[2].rdlen, 4);
	ck_assert_uint_eq(ph_decisions(&h, "update", "accepted"), 1);
	ph_applied(&h, HS_OK);
	ph_expect(&h, 0, -1);
	ck_assert(h.signed_ok);
	ck_assert_uint_eq(h.r.qtype, 6); /* zone section copied */
	ck_assert_uint_eq(ph_decisions(&h, "update", "applied"), 1);

	/* a backend failure: SERVFAIL, decision failed */
	ns_change(&h, EX);
	ph_update(&h, k);
	ph_applied(&h, HS_E_REFUSED);
	ph_expect(&h, 2, HS_EDE_OTHER);
	ck_assert(h.signed_ok);
	ck_assert_uint_eq(ph_decisions(&h, "update", "failed"), 1);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* PS-12: TTLs above max-ttl are capped, not refused */
START_TEST(test_ttl_capped)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX);
	ph_init(&h, 0);
	ph_trust(&h, k, ST_TRUST_TRUSTED);
	ph_clear(&h);
	ph_rr(&h, EX, 999999, C_IN, T_NS, "ns3.example.lab.");
	ph_update(&h, k);
	ck_assert_uint_eq(h.napply, 1);
	ck_assert_uint_eq(h.apply[0].rrs[0].ttl, 86400);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* ---- refusals: RCODE, EDE, nothing applied, keys unchanged ---- */

#define NO_CHANGE(h)                                                                               \
	do {                                                                                       \
		ck_assert_uint_eq((h)->applies_seen, 0);                                           \
		ck_assert_uint_eq(ph_decisions((h), NULL, "applied"), 0);                          \
	} while (0)

/* PS-1, PS-11: ample.lab. can never touch example.lab., nor the reverse */
START_TEST(test_ample_example)
{
	struct ph h;
	sig0_key_t *ka = ph_key(AMP), *ke = ph_key(EX);
	ph_init(&h, 0);
	ph_trust(&h, ka, ST_TRUST_DNSSEC);
	ph_trust(&h, ke, ST_TRUST_DNSSEC);
	ph_clear(&h);
	ph_rr(&h, EX, 300, C_IN, T_NS, "ns.evil.test.");
	ph_update(&h, ka);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	ck_assert(h.signed_ok);
	ck_assert_ptr_nonnull(strstr(h.r.ede_text, "outside"));
	ph_clear(&h);
	ph_rr(&h, "ns1.example.lab.", 300, C_IN, T_A, "192.0.2.66");
	ph_update(&h, ka);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	ph_clear(&h);
	ph_rr(&h, AMP, 300, C_IN, T_NS, "ns.evil.test.");
	ph_update(&h, ke);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	/* one record out of scope refuses the whole message */
	ph_clear(&h);
	ph_rr(&h, AMP, 300, C_IN, T_NS, "ns2.ample.lab.");
	ph_rr(&h, EX, 0, C_ANY, T_NS, "");
	ph_update(&h, ka);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	NO_CHANGE(&h);
	ck_assert_uint_eq(ph_decisions(&h, "update", "refused"), 4);
	sig0_key_free(ka);
	sig0_key_free(ke);
	ph_fini(&h);
}
END_TEST

/* PS-11: a child editing another child; glue outside the child; the apex */
START_TEST(test_scope_refusals)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX), *ko = ph_key("other.lab.");
	ph_init(&h, 0);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	ph_trust(&h, ko, ST_TRUST_DNSSEC);
	static const struct {
		const char *owner;
		uint16_t type;
		const char *rdata;
	} bad[] = {
	    {"other.lab.", T_NS, "ns1.example.lab."},     /* another child */
	    {"ns.other.lab.", T_A, "192.0.2.9"},          /* glue in another child */
	    {"ns.example.net.", T_A, "192.0.2.9"},        /* glue outside the parent */
	    {"lab.", T_NS, "ns.example.lab."},            /* the apex */
	    {"lab.", T_A, "192.0.2.9"},                   /* the apex */
	    {"www.lab.", T_A, "192.0.2.9"},               /* parent data */
	    {EX, 16, "\"hello\""},                        /* TXT at the delegation */
	    {"ns1.example.lab.", T_NS, "x.example.lab."}, /* NS below */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ph_clear(&h);
		ph_rr(&h, bad[i].owner, 300, C_IN, bad[i].type, bad[i].rdata);
		ph_update(&h, k);
		ph_expect(&h, 5, HS_EDE_PROHIBITED);
		ck_assert(h.signed_ok);
	}
	NO_CHANGE(&h);
	sig0_key_free(k);
	sig0_key_free(ko);
	ph_fini(&h);
}
END_TEST

/* PS-5 step 4, SIG-23: unsigned; signed by an untrusted key (never seen,
 * or only uploaded); a child below another child */
START_TEST(test_unsigned_untrusted)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX), *stranger = ph_key(EX), *sub = ph_key("x.example.lab.");
	ph_init(&h, HS_BOOT_MANUAL);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	ns_change(&h, EX);
	ph_update(&h, NULL);
	ph_expect(&h, 5, HS_EDE_HS_SIG0_MISSING);
	ns_change(&h, EX);
	ph_update(&h, stranger);
	ph_expect(&h, 17, HS_EDE_SIG0_KEY_NOT_KNOWN);
	ck_assert(h.signed_ok);
	/* without an OPT: REFUSED and no EDE (SIG-24) */
	ns_change(&h, EX);
	ph_update_ex(&h, PH_ZONE, stranger, 0, "192.0.2.1", 0);
	ph_expect(&h, 5, -1);
	/* a candidate (uploaded, not trusted) cannot sign changes */
	sig0_key_t *cand = ph_key("new.lab.");
	ph_clear(&h);
	ph_rr_key(&h, cand, C_IN);
	ph_update(&h, cand);
	ph_expect(&h, 0, -1);
	ck_assert_uint_eq(h.r.ks_state, HS_KEYSTATE_BOOTSTRAP_MANUAL);
	ns_change(&h, "new.lab.");
	ph_update(&h, cand);
	ph_expect(&h, 17, HS_EDE_SIG0_KEY_NOT_KNOWN);
	/* a child under another child */
	ph_clear(&h);
	ph_rr(&h, "x.example.lab.", 300, C_IN, T_NS, "ns.x.example.lab.");
	ph_update(&h, sub);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	ph_clear(&h);
	ph_rr_key(&h, sub, C_IN);
	ph_update(&h, sub);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	NO_CHANGE(&h);
	ck_assert(!ph_trusted(&h, "new.lab.", sig0_key_tag(cand)));
	sig0_key_free(cand);
	sig0_key_free(k);
	sig0_key_free(stranger);
	sig0_key_free(sub);
	ph_fini(&h);
}
END_TEST

/* PS-6, PS-7: structure, zone, prerequisites */
START_TEST(test_structure)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX);
	ph_init(&h, 0);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	/* not our zone */
	ns_change(&h, EX);
	ph_update_ex(&h, "example.lab.", k, 1, "192.0.2.1", 0);
	ph_expect(&h, 9, HS_EDE_NOT_AUTHORITATIVE);
	/* deleting every RRset of a name */
	ph_clear(&h);
	ph_rr(&h, "ns1.example.lab.", 0, C_ANY, T_ANY, "");
	ph_update(&h, k);
	ph_expect(&h, 5, HS_EDE_NOT_SUPPORTED);
	/* a bad RDATA */
	ph_clear(&h);
	ph_rr(&h, "ns1.example.lab.", 300, C_IN, T_A, "\\# 2 0102");
	ph_update(&h, k);
	ph_expect(&h, 1, HS_EDE_SIG0_FORMAT_ERROR);
	/* too many records */
	ph_clear(&h);
	for (int i = 0; i < 65; i++) {
		char a[32];
		snprintf(a, sizeof(a), "192.0.2.%d", i + 1);
		ph_rr(&h, "ns1.example.lab.", 300, C_IN, T_A, a);
	}
	ph_update(&h, k);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	/* prerequisites: a hand-made message with ANCOUNT 1 */
	{
		hs_buf_t m = HS_BUF_INIT;
		uint8_t z[WIRE_NAME_MAX];
		size_t zl;
		ns_change(&h, EX);
		ck_assert_int_eq(hs_name_from_text("lab.", 4, z, &zl), HS_OK);
		ck_assert_int_eq(hs_upd_build(7, z, zl, h.rrs, 3, 1, NULL, 0, &m), HS_OK);
		/* move the first update record to the prerequisite section */
		m.data[6] = 0;
		m.data[7] = 1;
		m.data[8] = 0;
		m.data[9] = 2;
		ck_assert_int_eq(sig0_sign(k, &m, hs_now_s(&h.env.env), NULL, NULL), HS_OK);
		ph_send_msg(&h, m.data, m.len, "192.0.2.1", 0);
		ph_expect(&h, 5, HS_EDE_NOT_SUPPORTED);
		/* garbage after a header */
		uint8_t junk[20] = {0x12, 0x34, 0x28, 0, 0, 1, 0, 0, 0, 9, 0, 0, 1, 2, 3};
		ph_send_msg(&h, junk, sizeof(junk), "192.0.2.1", 0);
		ph_expect(&h, 1, -1);
		hs_buf_free(&m);
	}
	NO_CHANGE(&h);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* PS-10: an exact replay inside the window is refused by the seen cache
 * (also after a restart); after the window by the signature's time */
START_TEST(test_replay)
{
	struct ph h;
	hs_buf_t first = HS_BUF_INIT;
	sig0_key_t *k = ph_key(EX);
	ph_init(&h, 0);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	ns_change(&h, EX);
	ph_update(&h, k);
	ck_assert_uint_eq(h.napply, 1);
	ph_applied(&h, HS_OK);
	hs_buf_append(&first, h.last.data, h.last.len);
	size_t applied = h.applies_seen;

	ph_send_msg(&h, first.data, first.len, "192.0.2.1", 0);
	ph_expect(&h, 5, HS_EDE_HS_REPLAY);
	ck_assert(h.signed_ok);
	ph_restart(&h);
	ph_send_msg(&h, first.data, first.len, "198.51.100.7", 1);
	ph_expect(&h, 5, HS_EDE_HS_REPLAY);
	ck_assert_uint_eq(h.applies_seen, applied);
	/* the same change signed anew is not a replay (PS-36) */
	ns_change(&h, EX);
	ph_update(&h, k);
	ck_assert_uint_eq(h.napply, 1);
	ph_applied(&h, HS_OK);
	applied = h.applies_seen;
	/* lifetime 300 + skew 60: at +361 s the old message is stale */
	ph_advance(&h, 361000);
	ph_send_msg(&h, first.data, first.len, "192.0.2.1", 0);
	ph_expect(&h, 18, HS_EDE_SIG0_BAD_TIME);
	ck_assert_uint_eq(h.applies_seen, applied);
	ck_assert_uint_eq(ph_decisions(&h, "update", "refused"), 2);
	hs_buf_free(&first);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* PS-8, PS-9: a flood from one source spends its own budget only;
 * spoofed claims to be a child spend the spoofer's pairs; when all of UDP
 * is spent, TC=1 sends the child to TCP where it gets through */
START_TEST(test_budgets)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX), *kb = ph_key("bravo.lab."), *forged = ph_key(EX);
	ph_init(&h, 0);
	h.cfg.udp_rate = 1000;
	h.cfg.udp_burst = 1000;
	ph_restart(&h);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	ph_trust(&h, kb, ST_TRUST_DNSSEC);
	/* a flood signed by a key the receiver does not hold: every message
	 * refused before any verification (no candidate key for its tag) */
	size_t budget_refusals = 0;
	for (int i = 0; i < 200; i++) {
		ns_change(&h, EX);
		ph_update_ex(&h, PH_ZONE, forged, 1, "203.0.113.5", 0);
	}
	par_stats_t st;
	par_stats(h.p, &st);
	ck_assert_uint_eq(st.verifications, 0);
	/* the flood that costs: the trusted key's tag, a broken signature */
	for (int i = 0; i < 200; i++) {
		hs_buf_t m = HS_BUF_INIT;
		ns_change(&h, EX);
		ck_assert_int_eq(chd_update_build(k, "lab.", h.rrs, h.nrrs, (uint16_t)i,
		                                  hs_now_s(&h.env.env), &m, NULL),
		                 HS_OK);
		m.data[m.len - 1] ^= 0x55;
		ph_send_msg(&h, m.data, m.len, "203.0.113.5", 0);
		if (h.r.rcode == 5 && h.r.ede == HS_EDE_HS_SIG0_RATELIMIT) {
			budget_refusals++;
			ck_assert(!h.signed_ok); /* PS-9: unsigned */
		}
		hs_buf_free(&m);
	}
	par_stats(h.p, &st);
	ck_assert_uint_le(st.verifications, 40); /* the source's burst, no more */
	ck_assert_uint_ge(budget_refusals, 150);
	/* example.lab. itself, from its own address: its pair is untouched */
	ns_change(&h, EX);
	ph_update_ex(&h, PH_ZONE, k, 1, "192.0.2.1", 0);
	ck_assert_uint_eq(h.napply, 1);
	ph_applied(&h, HS_OK);
	ph_expect(&h, 0, -1);
	/* another child from another network: untouched */
	ns_change(&h, "bravo.lab.");
	ph_update_ex(&h, PH_ZONE, kb, 1, "198.51.100.9", 0);
	ck_assert_uint_eq(h.napply, 1);
	ph_applied(&h, HS_OK);
	ph_expect(&h, 0, -1);

	/* all of UDP spent (spoofed sources): TC=1, then TCP gets through */
	ph_stop(&h);
	h.cfg.udp_rate = 1;
	h.cfg.udp_burst = 5;
	ph_start(&h);
	for (int i = 0; i < 10; i++) {
		hs_buf_t m = HS_BUF_INIT;
		char src[32];
		snprintf(src, sizeof(src), "203.0.%d.1", 10 + i);
		ns_change(&h, EX);
		ck_assert_int_eq(chd_update_build(k, "lab.", h.rrs, h.nrrs, (uint16_t)i,
		                                  hs_now_s(&h.env.env), &m, NULL),
		                 HS_OK);
		m.data[m.len - 1] ^= 0x55;
		ph_send_msg(&h, m.data, m.len, src, 0);
		hs_buf_free(&m);
	}
	ns_change(&h, EX);
	ph_update_ex(&h, PH_ZONE, k, 1, "192.0.2.1", 0);
	ck_assert(h.got && h.tc);
	ck_assert(h.r.flags & 0x0200);
	ck_assert(!h.signed_ok);
	ck_assert_uint_eq(h.napply, 0);
	ns_change(&h, EX);
	ph_update_ex(&h, PH_ZONE, k, 1, "192.0.2.1", 1);
	ck_assert_uint_eq(h.napply, 1);
	ph_applied(&h, HS_OK);
	ph_expect(&h, 0, -1);
	/* PS-39: the refusals were folded, not kept one by one */
	ck_assert_uint_lt(ph_decisions(&h, "refusal", NULL), 20);
	sig0_key_free(k);
	sig0_key_free(kb);
	sig0_key_free(forged);
	ph_fini(&h);
}
END_TEST

/* ---- bootstrap (section 6) ---- */

static void upload(struct ph *h, const sig0_key_t *k)
{
	ph_clear(h);
	ph_rr(h, sig0_key_owner_text(k), 0, C_ANY, T_KEY, "");
	ph_rr_key(h, k, C_IN);
	ph_update(h, k);
}

/* PS-16, PS-18, PS-20, PS-19: at-apex; the KEY compared as RDATA */
START_TEST(test_bootstrap_at_apex)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX), *other = ph_key(EX);
	ph_init(&h, HS_BOOT_AT_APEX);
	upload(&h, k);
	ph_expect(&h, 0, -1);
	ck_assert(h.signed_ok);
	ck_assert(h.r.has_keystate);
	ck_assert_uint_eq(h.r.ks_state, HS_KEYSTATE_BOOTSTRAP_AUTO);
	ck_assert_uint_eq(h.applies_seen, 0); /* no KEY at a delegation point in P */
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_BOOTSTRAP_AUTO);
	int i = ph_lookup_find(&h, PAR_LK_SECURE, EX, NULL);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(h.lk[i].type, T_KEY);
	const sig0_key_t *both[] = {other, k};
	ph_answer_keys(&h, i, 1, 0, both, 2);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_TRUSTED);
	ck_assert_uint_eq(ph_decisions(&h, "bootstrap", "trusted"), 1);
	/* now it signs changes */
	ns_change(&h, EX);
	ph_update(&h, k);
	ck_assert_uint_eq(h.napply, 1);
	/* a restart keeps the trust */
	ph_restart(&h);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));
	sig0_key_free(k);
	sig0_key_free(other);
	ph_fini(&h);
}
END_TEST

/* PS-20, PS-24: an insecure answer, or one without the key, fails */
START_TEST(test_bootstrap_at_apex_fails)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX), *other = ph_key(EX);
	ph_init(&h, HS_BOOT_AT_APEX);
	upload(&h, k);
	const sig0_key_t *just_k[] = {k}, *just_other[] = {other};
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_SECURE, EX, NULL), 0, 0, just_k, 1);
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(k)));
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_VALIDATION_FAILED);
	ck_assert_uint_eq(ph_decisions(&h, "bootstrap", "failed"), 1);
	/* a new upload starts again; a secure RRset without the key fails too */
	ph_advance(&h, 10000);
	upload(&h, k);
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_SECURE, EX, NULL), 1, 0, just_other, 1);
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(k)));
	/* a lookup that is never answered times out */
	ph_advance(&h, 10000);
	upload(&h, k);
	ck_assert_int_ge(ph_lookup_find(&h, PAR_LK_SECURE, EX, NULL), 0);
	ph_advance(&h, 31000);
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_VALIDATION_FAILED);
	ck_assert_uint_eq(h.applies_seen, 0);
	sig0_key_free(k);
	sig0_key_free(other);
	ph_fini(&h);
}
END_TEST

static void answer_deleg(struct ph *h, const char *child, const char *ns1, const char *a1,
                         const char *ns2, const char *a2)
{
	par_ns_t ns[2];
	par_lookup_res_t r;
	memset(ns, 0, sizeof(ns));
	snprintf(ns[0].name, sizeof(ns[0].name), "%s", ns1);
	if (a1)
		snprintf(ns[0].addrs[ns[0].naddrs++], PAR_ADDR_MAX, "%s", a1);
	snprintf(ns[1].name, sizeof(ns[1].name), "%s", ns2);
	if (a2)
		snprintf(ns[1].addrs[ns[1].naddrs++], PAR_ADDR_MAX, "%s", a2);
	memset(&r, 0, sizeof(r));
	r.status = HS_OK;
	r.ns = ns;
	r.nns = 2;
	ph_lookup_answer(h, ph_lookup_find(h, PAR_LK_DELEG, child, NULL), &r);
}

/* PS-21: at-ns, every NS of the delegation */
START_TEST(test_bootstrap_at_ns)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX);
	const sig0_key_t *just_k[] = {k};
	ph_init(&h, HS_BOOT_AT_NS);
	upload(&h, k);
	ph_expect(&h, 0, -1);
	answer_deleg(&h, EX, "ns1.example.lab.", "192.0.2.1", "NS.Provider.NET", NULL);
	int i1 = ph_lookup_find(&h, PAR_LK_SECURE, "_sig0key.example.lab._signal.ns1.example.lab.",
	                        NULL);
	int i2 = ph_lookup_find(&h, PAR_LK_SECURE, "_sig0key.example.lab._signal.ns.provider.net.",
	                        NULL);
	ck_assert_int_ge(i1, 0);
	ck_assert_int_ge(i2, 0);
	ph_answer_keys(&h, i1, 1, 0, just_k, 1);
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(k))); /* one NS is not every NS */
	ph_answer_keys(&h,
	               ph_lookup_find(&h, PAR_LK_SECURE,
	                              "_sig0key.example.lab._signal.ns.provider.net.", NULL),
	               1, 0, just_k, 1);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_TRUSTED);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* PS-22: unsigned: every address of every NS, three rounds a minute apart */
START_TEST(test_bootstrap_unsigned)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX), *other = ph_key(EX);
	const sig0_key_t *just_k[] = {k}, *just_other[] = {other};
	ph_init(&h, HS_BOOT_UNSIGNED | HS_BOOT_MANUAL);
	upload(&h, k);
	answer_deleg(&h, EX, "ns1.example.lab.", "192.0.2.1", "ns.provider.net.", NULL);
	/* no glue for the second: its addresses from the resolver */
	int ia = ph_lookup_find(&h, PAR_LK_ADDRS, "ns.provider.net.", NULL);
	ck_assert_int_ge(ia, 0);
	hs_buf_t a4 = HS_BUF_INIT;
	uint8_t v4[4] = {198, 51, 100, 53};
	hs_buf_append(&a4, v4, 4);
	par_lookup_res_t r;
	memset(&r, 0, sizeof(r));
	r.status = HS_OK;
	r.rdatas = &a4;
	r.n = 1;
	ph_lookup_answer(&h, ia, &r);
	hs_buf_free(&a4);
	for (int round = 0; round < 3; round++) {
		int d1 = ph_lookup_find(&h, PAR_LK_DIRECT, EX, "192.0.2.1");
		int d2 = ph_lookup_find(&h, PAR_LK_DIRECT, EX, "198.51.100.53");
		ck_assert_msg(d1 >= 0 && d2 >= 0, "round %d not asked", round);
		ph_answer_keys(&h, d1, 0, 1, just_k, 1);
		ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_DIRECT, EX, "198.51.100.53"), 0, 1,
		               just_k, 1);
		if (round < 2) {
			ck_assert(!ph_trusted(&h, EX, sig0_key_tag(k)));
			ck_assert_int_lt(ph_lookup_find(&h, PAR_LK_DIRECT, EX, "192.0.2.1"), 0);
			ph_advance(&h, 59000); /* not yet */
			ck_assert_int_lt(ph_lookup_find(&h, PAR_LK_DIRECT, EX, "192.0.2.1"), 0);
			ph_advance(&h, 1000);
		}
	}
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));

	/* a failing run: one server answers another key in round 2 */
	ph_stop(&h);
	sig0_key_t *k2 = ph_key("two.lab.");
	const sig0_key_t *just_k2[] = {k2};
	ph_start(&h);
	upload(&h, k2);
	answer_deleg(&h, "two.lab.", "ns1.two.lab.", "192.0.2.21", "ns2.two.lab.", "192.0.2.22");
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_DIRECT, "two.lab.", "192.0.2.21"), 0, 1,
	               just_k2, 1);
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_DIRECT, "two.lab.", "192.0.2.22"), 0, 1,
	               just_k2, 1);
	ph_advance(&h, 60000);
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_DIRECT, "two.lab.", "192.0.2.21"), 0, 1,
	               just_k2, 1);
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_DIRECT, "two.lab.", "192.0.2.22"), 0, 1,
	               just_other, 1);
	ck_assert(!ph_trusted(&h, "two.lab.", sig0_key_tag(k2)));
	ck_assert_int_eq(ph_inquire(&h, k2), HS_KEYSTATE_BOOTSTRAP_MANUAL);
	ck_assert_uint_eq(h.applies_seen, 0);
	sig0_key_free(k);
	sig0_key_free(k2);
	sig0_key_free(other);
	ph_fini(&h);
}
END_TEST

/* PS-23: manual */
START_TEST(test_bootstrap_manual)
{
	struct ph h;
	char why[256];
	sig0_key_t *k = ph_key(EX);
	ph_init(&h, HS_BOOT_MANUAL);
	upload(&h, k);
	ph_expect(&h, 0, -1);
	ck_assert_uint_eq(h.r.ks_state, HS_KEYSTATE_BOOTSTRAP_MANUAL);
	ck_assert_uint_eq(h.nlk, 0);
	ck_assert_int_eq(par_approve(h.p, "other.lab.", -1, why, sizeof(why)), HS_E_NOTFOUND);
	ck_assert_int_eq(par_approve(h.p, "example.lab", sig0_key_tag(k) ^ 1, why, sizeof(why)),
	                 HS_E_NOTFOUND);
	ck_assert_int_eq(par_approve(h.p, "EXAMPLE.lab", sig0_key_tag(k), why, sizeof(why)), HS_OK);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));
	ck_assert_uint_eq(ph_decisions(&h, "approve", "trusted"), 1);
	ns_change(&h, EX);
	ph_update(&h, k);
	ck_assert_uint_eq(h.napply, 1);
	/* an upload of the trusted key again: NOERROR, KEY_TRUSTED */
	ph_applied(&h, HS_OK);
	upload(&h, k);
	ph_expect(&h, 0, -1);
	ck_assert_uint_eq(h.r.ks_state, HS_KEYSTATE_TRUSTED);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* PS-17: a self-signed upload over a trusted key is refused and changes
 * no trust */
START_TEST(test_upload_over_trusted)
{
	struct ph h;
	sig0_key_t *k = ph_key(EX), *intruder = ph_key(EX);
	ph_init(&h, HS_BOOT_MANUAL | HS_BOOT_UNSIGNED);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	upload(&h, intruder);
	ph_expect(&h, 5, HS_EDE_HS_KEY_TRUSTED);
	ck_assert(h.signed_ok);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(intruder)));
	ck_assert_uint_eq(h.nlk, 0); /* unsigned never replaces a trusted key */
	ns_change(&h, EX);
	ph_update(&h, intruder);
	ph_expect(&h, 17, HS_EDE_SIG0_KEY_NOT_KNOWN);
	NO_CHANGE(&h);
	sig0_key_free(k);
	sig0_key_free(intruder);
	ph_fini(&h);
}
END_TEST

/* ---- rollover and re-bootstrap (section 8) ---- */

/* PS-27: new key signed by the old */
START_TEST(test_rollover)
{
	struct ph h;
	hs_buf_t m = HS_BUF_INIT;
	sig0_key_t *k1 = ph_key(EX), *k2 = ph_key(EX);
	ph_init(&h, 0);
	ph_trust(&h, k1, ST_TRUST_DNSSEC);
	/* KEY changes travel alone */
	ph_clear(&h);
	ph_rr_key(&h, k2, C_IN);
	ph_rr(&h, EX, 300, C_IN, T_NS, "ns9.example.lab.");
	ph_update(&h, k1);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	/* never without a trusted key */
	ph_clear(&h);
	ph_rr(&h, EX, 0, C_ANY, T_KEY, "");
	ph_update(&h, k1);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k1)));
	/* the rollover as the child library builds it */
	ck_assert_int_eq(
	    chd_rollover_build(k1, k2, "lab.", 300, 99, hs_now_s(&h.env.env), &m, NULL), HS_OK);
	ph_send_msg(&h, m.data, m.len, "192.0.2.1", 0);
	ph_expect(&h, 0, -1);
	ck_assert(h.signed_ok);
	ck_assert_uint_eq(h.applies_seen, 0); /* KEY never goes to the backend */
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k2)));
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(k1)));
	ck_assert_int_eq(ph_inquire(&h, k1), HS_KEYSTATE_REFUSED);
	ck_assert_int_eq(ph_inquire(&h, k2), HS_KEYSTATE_TRUSTED);
	ns_change(&h, EX);
	ph_update(&h, k1);
	ph_expect(&h, 17, HS_EDE_SIG0_KEY_NOT_KNOWN);
	ns_change(&h, EX);
	ph_update(&h, k2);
	ck_assert_uint_eq(h.napply, 1);
	ck_assert_uint_eq(ph_decisions(&h, "rollover", "applied"), 1);
	hs_buf_free(&m);
	sig0_key_free(k1);
	sig0_key_free(k2);
	ph_fini(&h);
}
END_TEST

/* PS-28: the private key is lost; the new key is published in the signed
 * child zone without the old one; the refused upload leaves a candidate
 * that at-apex validates; the old key is retired */
START_TEST(test_rebootstrap)
{
	struct ph h;
	sig0_key_t *lost = ph_key(EX), *k = ph_key(EX);
	const sig0_key_t *both[] = {lost, k}, *just_k[] = {k};
	ph_init(&h, HS_BOOT_AT_APEX | HS_BOOT_MANUAL);
	ph_trust(&h, lost, ST_TRUST_DNSSEC);
	upload(&h, k);
	ph_expect(&h, 5, HS_EDE_HS_KEY_TRUSTED);
	ck_assert(h.r.has_keystate);
	ck_assert_uint_eq(h.r.ks_state, HS_KEYSTATE_BOOTSTRAP_AUTO);
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_BOOTSTRAP_AUTO);
	/* evidence that still holds the old key does not replace it */
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_SECURE, EX, NULL), 1, 0, both, 2);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(lost)));
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(k)));
	/* the child removed the lost key from its apex: upload again */
	ph_advance(&h, 5000);
	upload(&h, k);
	ph_expect(&h, 5, HS_EDE_HS_KEY_TRUSTED);
	ph_answer_keys(&h, ph_lookup_find(&h, PAR_LK_SECURE, EX, NULL), 1, 0, just_k, 1);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(lost)));
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_TRUSTED);
	ns_change(&h, EX);
	ph_update(&h, k);
	ck_assert_uint_eq(h.napply, 1);
	sig0_key_free(lost);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* PS-28 step 4: without DNSSEC methods the operator forgets the child */
START_TEST(test_rebootstrap_forget)
{
	struct ph h;
	char why[256];
	sig0_key_t *lost = ph_key(EX), *k = ph_key(EX);
	ph_init(&h, HS_BOOT_MANUAL);
	ph_trust(&h, lost, ST_TRUST_TRUSTED);
	upload(&h, k);
	ph_expect(&h, 5, HS_EDE_HS_KEY_TRUSTED);
	ck_assert(!h.r.has_keystate);
	ck_assert_int_eq(par_forget(h.p, EX, why, sizeof(why)), HS_OK);
	ck_assert(!ph_trusted(&h, EX, sig0_key_tag(lost)));
	upload(&h, k);
	ph_expect(&h, 0, -1);
	ck_assert_uint_eq(h.r.ks_state, HS_KEYSTATE_BOOTSTRAP_MANUAL);
	ck_assert_int_eq(par_approve(h.p, EX, -1, why, sizeof(why)), HS_OK);
	ck_assert(ph_trusted(&h, EX, sig0_key_tag(k)));
	/* the lost key, should it turn up, stays retired */
	upload(&h, lost);
	ph_expect(&h, 5, HS_EDE_PROHIBITED);
	ck_assert_uint_eq(ph_decisions(&h, "forget", "applied"), 1);
	sig0_key_free(lost);
	sig0_key_free(k);
	ph_fini(&h);
}
END_TEST

/* PS-25, PS-26: the inquiry itself */
START_TEST(test_inquiry)
{
	struct ph h;
	hs_buf_t m = HS_BUF_INIT;
	sig0_key_t *k = ph_key(EX), *stranger = ph_key(EX);
	ph_init(&h, 0);
	ph_trust(&h, k, ST_TRUST_DNSSEC);
	ck_assert_int_eq(ph_inquire(&h, k), HS_KEYSTATE_TRUSTED);
	ck_assert_ptr_nonnull(strstr(h.r.ks_text, "trusted"));
	/* a key the receiver does not hold: BADKEY with KEY_UNKNOWN */
	ck_assert_int_eq(chd_inquiry_build(stranger, EX, 5, hs_now_s(&h.env.env), &m, NULL), HS_OK);
	ph_send_msg(&h, m.data, m.len, "192.0.2.1", 0);
	ph_expect(&h, 17, HS_EDE_SIG0_KEY_NOT_KNOWN);
	ck_assert_uint_eq(h.r.ks_state, HS_KEYSTATE_UNKNOWN);
	/* unsigned: strip the SIG (the last RR) */
	ck_assert_int_eq(chd_inquiry_build(k, EX, 6, hs_now_s(&h.env.env), &m, NULL), HS_OK);
	{
		sig0_verdict_t v;
		const sig0_key_t *set[] = {k};
		ck_assert_int_eq(sig0_verify(m.data, m.len, set, 1, hs_now_s(&h.env.env), NULL, &v),
		                 HS_OK);
		m.len = v.sig_off;
		m.data[11]--;
	}
	ph_send_msg(&h, m.data, m.len, "192.0.2.1", 0);
	ph_expect(&h, 5, HS_EDE_HS_SIG0_MISSING);
	/* PS-4: a plain query is not the receiver's */
	{
		uint64_t id;
		uint8_t q[] = {0,   1,   0,   0,   0,   1, 0,   0,   0,   0, 0, 0, 7, 'e', 'x',
		               'a', 'm', 'p', 'l', 'e', 3, 'l', 'a', 'b', 0, 0, 1, 0, 1};
		ck_assert_int_eq(par_request(h.p, q, sizeof(q), "192.0.2.1", 0, &id), 0);
	}
	hs_buf_free(&m);
	sig0_key_free(k);
	sig0_key_free(stranger);
	ph_fini(&h);
}
END_TEST

/* ---- the SVCB parameter (PS-3) and the child's choice (PS-30) ---- */

START_TEST(test_svcb)
{
	hs_buf_t b = HS_BUF_INIT;
	unsigned m = 0;
	char t[64];
	ck_assert_int_eq(par_svcb_rdata(HS_BOOT_AT_APEX | HS_BOOT_MANUAL, &b), HS_OK);
	/* 0001 00 ff02 000e "at-apex,manual" */
	ck_assert_uint_eq(b.len, 2 + 1 + 4 + 14);
	ck_assert_int_eq(b.data[1], 1);
	ck_assert_int_eq(b.data[3] << 8 | b.data[4], 65282);
	ck_assert_int_eq(memcmp(b.data + 7, "at-apex,manual", 14), 0);
	ck_assert_int_eq(chd_svcb_methods(b.data, b.len, &m), HS_OK);
	ck_assert_uint_eq(m, HS_BOOT_AT_APEX | HS_BOOT_MANUAL);
	ck_assert_uint_eq(chd_method_choose(m, HS_BOOT_ALL), HS_BOOT_AT_APEX);
	ck_assert_uint_eq(chd_method_choose(m, HS_BOOT_MANUAL | HS_BOOT_UNSIGNED), HS_BOOT_MANUAL);
	ck_assert_str_eq(par_methods_text(HS_BOOT_ALL, t, sizeof(t)),
	                 "at-apex,at-ns,unsigned,manual");
	ck_assert_int_eq(par_methods_parse("manual, at-ns", &m), HS_OK);
	ck_assert_uint_eq(m, HS_BOOT_MANUAL | HS_BOOT_AT_NS);
	ck_assert_int_eq(par_methods_parse("at-apex,guess", &m), HS_E_SYNTAX);
	/* AliasMode, a bad value, an unknown name ignored */
	b.data[1] = 0;
	ck_assert_int_eq(chd_svcb_methods(b.data, b.len, &m), HS_E_NOTFOUND);
	b.data[1] = 1;
	b.data[7] = 'A';
	ck_assert_int_eq(chd_svcb_methods(b.data, b.len, &m), HS_OK);
	ck_assert_uint_eq(m, 0);
	hs_buf_reset(&b);
	static const uint8_t v[] = {0,   1,   0,   0xff, 2,   0,   12,  'f', 'u', 't',
	                            'u', 'r', 'e', ',',  'a', 't', '-', 'n', 's', 'x'};
	ck_assert_int_eq(chd_svcb_methods(v, sizeof(v) - 1, &m), HS_OK);
	ck_assert_uint_eq(m, HS_BOOT_AT_NS);
	ck_assert_int_eq(chd_svcb_methods(v, sizeof(v), &m), HS_E_MALFORMED);
	hs_buf_free(&b);
}
END_TEST

static Suite *parent_suite(void)
{
	Suite *s = suite_create("parent");
	TCase *tc = tcase_create("receiver");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scope_table);
	tcase_add_test(tc, test_change_applied);
	tcase_add_test(tc, test_ttl_capped);
	tcase_add_test(tc, test_ample_example);
	tcase_add_test(tc, test_scope_refusals);
	tcase_add_test(tc, test_unsigned_untrusted);
	tcase_add_test(tc, test_structure);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_budgets);
	tcase_add_test(tc, test_bootstrap_at_apex);
	tcase_add_test(tc, test_bootstrap_at_apex_fails);
	tcase_add_test(tc, test_bootstrap_at_ns);
	tcase_add_test(tc, test_bootstrap_unsigned);
	tcase_add_test(tc, test_bootstrap_manual);
	tcase_add_test(tc, test_upload_over_trusted);
	tcase_add_test(tc, test_rollover);
	tcase_add_test(tc, test_rebootstrap);
	tcase_add_test(tc, test_rebootstrap_forget);
	tcase_add_test(tc, test_inquiry);
	tcase_add_test(tc, test_svcb);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(parent_suite)
