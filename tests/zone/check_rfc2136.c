/*
 * check_rfc2136.c -- an update section as a strict difference
 * (zone/rfc2136.h): RFC 2136 3.4.2 semantics, one step after the other,
 * the serial moved by one, applied with zn_apply (draft-hsync-parent
 * PS-13, PS-41).
 */
#include "lib/testutil.h"
#include <stdio.h>

#include "zone/zn_test.h"

#include "zone/rfc2136.h"

static hs_upd_rr_t urr(const char *owner, uint16_t cls, uint16_t type, const void *rd,
                       uint16_t rdlen)
{
	hs_upd_rr_t r;
	memset(&r, 0, sizeof(r));
	zt_name_t n = zt_name(owner);
	memcpy(r.owner, n.w, n.n);
	r.owner_len = n.n;
	r.rclass = cls;
	r.type = type;
	r.ttl = cls == 1 ? 600 : 0;
	r.rdata = rd;
	r.rdlen = rdlen;
	return r;
}

static const uint8_t NS1[] = "\003ns1\005child\007example\004test";
static const uint8_t NS2[] = "\003ns2\005child\007example\004test";
static const uint8_t A1[] = {192, 0, 2, 1}, A2[] = {192, 0, 2, 2};

static zn_zone_t *zone(void)
{
	zt_name_t apex = zt_name("example.test."), nm;
	zn_zone_t *z = NULL;
	zn_builder_t *b = zn_builder_new(apex.w, apex.n);
	zt_add_soa(b, 41);
	zn_rr_t ns = zt_rr(&nm, "child.example.test.", T_NS, 300, NS1, sizeof(NS1));
	ck_assert_int_eq(zn_builder_add(b, &ns, NULL), HS_OK);
	zt_add_a(b, "ns1.child.example.test.", 0xc0000201);
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &z), HS_OK);
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);
	return z;
}

static int has(zn_zone_t *z, const char *owner, uint16_t type, const void *rd, uint16_t rl)
{
	zt_name_t n = zt_name(owner);
	zn_snap_t *s = zn_zone_snapshot(z);
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *p;
	uint16_t l;
	int found = 0;
	if (zn_snap_find(s, n.w, n.n, type, &set, NULL) == HS_OK)
		while (zn_rrset_next(&set, &off, &p, &l))
			found |= l == rl && memcmp(p, rd, l) == 0;
	zn_snap_release(s);
	return found;
}

START_TEST(test_ns_and_glue_swap)
{
	zn_zone_t *z = zone();
	zn_snap_t *s = zn_zone_snapshot(z);
	zn_diff_t *d = NULL;
	int changed = 0;
	hs_upd_rr_t u[] = {
	    urr("child.example.test.", 254, T_NS, NS1, sizeof(NS1)),
	    urr("child.example.test.", 1, T_NS, NS2, sizeof(NS2)),
	    urr("ns1.child.example.test.", 255, T_A, NULL, 0),
	    urr("ns2.child.example.test.", 1, T_A, A2, 4),
	    urr("ns2.child.example.test.", 1, T_A, A2, 4), /* a duplicate add: once */
	};
	ck_assert_int_eq(zn_rfc2136_diff(s, u, 5, &d, &changed, NULL), HS_OK);
	ck_assert(changed);
	ck_assert_uint_eq(zn_diff_from_serial(d), 41);
	ck_assert_uint_eq(zn_diff_to_serial(d), 42);
	ck_assert_uint_eq(zn_diff_ndel(d), 2);
	ck_assert_uint_eq(zn_diff_nadd(d), 2);
	ck_assert_int_eq(zn_apply(z, d, NULL), HS_OK);
	ck_assert(has(z, "child.example.test.", T_NS, NS2, sizeof(NS2)));
	ck_assert(!has(z, "child.example.test.", T_NS, NS1, sizeof(NS1)));
	ck_assert(!has(z, "ns1.child.example.test.", T_A, A1, 4));
	ck_assert(has(z, "ns2.child.example.test.", T_A, A2, 4));
	zn_diff_free(d);
	zn_snap_release(s);
	zn_zone_free(z);
}
END_TEST

/* idempotent: the same change again changes nothing but the serial; a
 * delete-then-add of a present record is no change */
START_TEST(test_idempotent)
{
	zn_zone_t *z = zone();
	zn_snap_t *s = zn_zone_snapshot(z);
	zn_diff_t *d = NULL;
	int changed = 1;
	hs_upd_rr_t u[] = {
	    urr("child.example.test.", 1, T_NS, NS1, sizeof(NS1)),
	    urr("ns1.child.example.test.", 254, T_A, A2, 4),
	    urr("child.example.test.", 255, T_NS, NULL, 0),
	    urr("child.example.test.", 1, T_NS, NS1, sizeof(NS1)),
	};
	ck_assert_int_eq(zn_rfc2136_diff(s, u, 4, &d, &changed, NULL), HS_OK);
	ck_assert(!changed);
	ck_assert_uint_eq(zn_diff_ndel(d) + zn_diff_nadd(d), 0);
	ck_assert_int_eq(zn_apply(z, d, NULL), HS_OK);
	zn_diff_free(d);
	/* SOA and ANY are never taken; nor a name outside the zone */
	hs_upd_rr_t bad[] = {urr("example.test.", 255, T_SOA, NULL, 0)};
	ck_assert_int_eq(zn_rfc2136_diff(s, bad, 1, &d, NULL, NULL), HS_E_MALFORMED);
	hs_upd_rr_t out[] = {urr("child.example.net.", 1, T_A, A1, 4)};
	ck_assert_int_eq(zn_rfc2136_diff(s, out, 1, &d, NULL, NULL), HS_E_MALFORMED);
	zn_snap_release(s);
	zn_zone_free(z);
}
END_TEST

static Suite *rfc2136_suite(void)
{
	Suite *s = suite_create("rfc2136");
	TCase *tc = tcase_create("diff");
	tcase_add_test(tc, test_ns_and_glue_swap);
	tcase_add_test(tc, test_idempotent);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(rfc2136_suite)
