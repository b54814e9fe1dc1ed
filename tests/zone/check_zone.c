/*
 * Tests for src/zone/zone.h: serial arithmetic (RFC 1982, wrap-around),
 * canonical name order, building and looking up versions, iteration,
 * zn_apply (strict, all or nothing, old snapshots untouched) and the
 * difference helpers, plus a randomised run against a naive model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"
#include "tests/zone/zn_test.h"
#include "util/buf.h"
#include "util/log.h"
#include "zone/journal.h"
#include "zone/zone_int.h"

/* Every record of a snapshot as text lines, in iteration order. */
static void dump(zn_snap_t *s, hs_buf_t *out)
{
	zn_iter_t *it = zn_iter_new(s);
	const uint8_t *owner, *rd;
	size_t ol, off;
	uint16_t rl;
	zn_rrset_t set;
	out->len = 0;
	while (zn_iter_next(it, &owner, &ol, &set)) {
		off = 0;
		while (zn_rrset_next(&set, &off, &rd, &rl)) {
			hs_name_print(out, owner, ol);
			hs_buf_printf(out, " %u %u ", set.ttl, set.type);
			for (uint16_t i = 0; i < rl; i++)
				hs_buf_printf(out, "%02x", rd[i]);
			hs_buf_append_u8(out, '\n');
		}
	}
	hs_buf_cstr(out);
	zn_iter_free(it);
}

/* ZONE-12: RFC 1982 comparisons, including across the wrap. */
START_TEST(test_serial)
{
	uint32_t r;
	ck_assert(zn_serial_lt(1, 2));
	ck_assert(!zn_serial_lt(2, 1));
	ck_assert(!zn_serial_lt(5, 5));
	ck_assert(zn_serial_le(5, 5));
	ck_assert(zn_serial_lt(0xFFFFFFFFu, 0));     /* wraps: max < 0 */
	ck_assert(zn_serial_lt(0xFFFFFF00u, 0x100)); /* across the wrap */
	ck_assert(zn_serial_gt(0x100, 0xFFFFFF00u));
	ck_assert(zn_serial_lt(0, 0x7FFFFFFFu));
	ck_assert(!zn_serial_lt(0, 0x80000000u)); /* 2^31 apart: undefined */
	ck_assert(!zn_serial_gt(0, 0x80000000u));
	ck_assert(zn_serial_gt(0, 0x80000001u));
	ck_assert_int_eq(zn_serial_add(0xFFFFFFFFu, 2, &r), HS_OK);
	ck_assert_uint_eq(r, 1);
	ck_assert(zn_serial_lt(0xFFFFFFFFu, r));
	ck_assert_int_eq(zn_serial_add(5, 0x80000000u, &r), HS_E_RANGE);
}
END_TEST

/* RFC 4034 section 6.1's example order. */
START_TEST(test_canonical_order)
{
	static const char *const order[] = {
	    "example.",         "a.example.",      "yljkjljk.a.example.",
	    "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
	    "\\001.z.example.", "*.z.example.",    "\\200.z.example.",
	};
	size_t n = sizeof(order) / sizeof(order[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			zt_name_t a = zt_name(order[i]), b = zt_name(order[j]);
			int c = zn_name_cmp(a.w, a.n, b.w, b.n);
			if (i < j)
				ck_assert_msg(c < 0, "%s < %s", order[i], order[j]);
			else if (i > j)
				ck_assert_msg(c > 0, "%s > %s", order[i], order[j]);
			else
				ck_assert_int_eq(c, 0);
		}
	zt_name_t z = zt_name("example.test."), in = zt_name("A.Example.Test."),
	          out = zt_name("ample.test."), up = zt_name("test.");
	ck_assert(zn_name_in(in.w, in.n, z.w, z.n));
	ck_assert(zn_name_in(z.w, z.n, z.w, z.n));
	ck_assert(!zn_name_in(out.w, out.n, z.w, z.n));
	ck_assert(!zn_name_in(up.w, up.n, z.w, z.n));
}
END_TEST

START_TEST(test_build_find_iter)
{
	zt_name_t apex = zt_name("example.test."), nm;
	zn_zone_t *z = NULL;
	zn_snap_t *s;
	zn_rrset_t set;
	int exists;
	uint32_t serial;
	hs_errmsg_t em;
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &z), HS_OK);
	ck_assert(!zn_zone_loaded(z));
	ck_assert_ptr_null(zn_zone_snapshot(z));
	ck_assert_int_eq(zn_zone_serial(z, &serial), HS_E_NOTFOUND);

	zn_builder_t *b = zn_builder_new(apex.w, apex.n);
	zt_add_a(b, "www.example.test.", 0x01020304);
	zt_add_a(b, "WWW.example.test.", 0x01020304); /* duplicate, any case */
	zt_add_a(b, "www.example.test.", 0x01020305);
	zt_add_a(b, "b.a.example.test.", 1);
	zt_add_soa(b, 7);
	zn_rr_t out_rr = zt_rr(&nm, "www.example.org.", T_A, 1, "\1\2\3\4", 4);
	ck_assert_int_eq(zn_builder_add(b, &out_rr, &em), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "outside the zone"));
	zn_rr_t ns = zt_rr(&nm, "sub.example.test.", T_NS, 60, "\2ns\3sub\7example\4test", 20);
	ck_assert_int_eq(zn_builder_add(b, &ns, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);

	ck_assert_int_eq(zn_zone_serial(z, &serial), HS_OK);
	ck_assert_uint_eq(serial, 7);
	s = zn_zone_snapshot(z);
	ck_assert_uint_eq(zn_snap_records(s), 5);
	ck_assert_uint_eq(zn_snap_owners(s), 4);
	ck_assert_uint_gt(zn_snap_memory(s), 0);
	nm = zt_name("Www.Example.TEST.");
	ck_assert_int_eq(zn_snap_find(s, nm.w, nm.n, T_A, &set, &exists), HS_OK);
	ck_assert_uint_eq(set.count, 2);
	ck_assert_int_eq(zn_snap_find(s, nm.w, nm.n, T_AAAA, &set, &exists), HS_E_NOTFOUND);
	ck_assert_int_eq(exists, 1);
	nm = zt_name("nope.example.test.");
	ck_assert_int_eq(zn_snap_find(s, nm.w, nm.n, T_A, &set, &exists), HS_E_NOTFOUND);
	ck_assert_int_eq(exists, 0);
	/* empty non-terminal */
	nm = zt_name("a.example.test.");
	ck_assert(zn_snap_name_exists(s, nm.w, nm.n));
	ck_assert(
	    !zn_snap_name_exists(s, zt_name("c.example.test.").w, zt_name("c.example.test.").n));
	/* delegation */
	uint8_t cut[WIRE_NAME_MAX];
	size_t cl;
	nm = zt_name("x.y.sub.example.test.");
	ck_assert_int_eq(zn_snap_find_cut(s, nm.w, nm.n, cut, &cl), HS_OK);
	zt_name_t sub = zt_name("sub.example.test.");
	ck_assert_mem_eq(cut, sub.w, sub.n);
	nm = zt_name("www.example.test.");
	ck_assert_int_eq(zn_snap_find_cut(s, nm.w, nm.n, cut, &cl), HS_E_NOTFOUND);

	hs_buf_t txt = HS_BUF_INIT;
	dump(s, &txt);
	/* canonical order: apex (SOA), a/b.a, sub, www */
	const char *t = (const char *)txt.data;
	ck_assert_ptr_nonnull(strstr(t, "example.test. 3600 6 "));
	ck_assert(strstr(t, "example.test. 3600 6") < strstr(t, "b.a.example.test."));
	ck_assert(strstr(t, "b.a.example.test.") < strstr(t, "sub.example.test."));
	ck_assert(strstr(t, "sub.example.test.") < strstr(t, "www.example.test. 300 1 01020304"));
	ck_assert(strstr(t, "01020304") < strstr(t, "01020305"));
	hs_buf_free(&txt);
	zn_snap_release(s);
	zn_zone_free(z);
}
END_TEST

START_TEST(test_apply_and_snapshots)
{
	zn_zone_t *z = zt_zone(100, 50);
	zn_snap_t *old = zn_zone_snapshot(z);
	hs_buf_t before = HS_BUF_INIT, after = HS_BUF_INIT, again = HS_BUF_INIT;
	hs_errmsg_t em;
	uint32_t serial;
	dump(old, &before);

	zn_diff_t *d = zt_diff(100, 101);
	zt_diff_a(d, 0, "h3.example.test.", 0x0a000003);
	zt_diff_a(d, 1, "h3.example.test.", 0x0a0000ff);
	zt_diff_a(d, 1, "new.example.test.", 0x01010101);
	zt_diff_a(d, 0, "h10.example.test.", 0x0a00000a);
	ck_assert_int_eq(zn_apply(z, d, &em), HS_OK);
	ck_assert_int_eq(zn_zone_serial(z, &serial), HS_OK);
	ck_assert_uint_eq(serial, 101);
	zn_snap_t *cur = zn_zone_snapshot(z);
	ck_assert_uint_eq(zn_snap_records(cur), 51);
	ck_assert_uint_eq(zn_snap_owners(cur), 51);
	/* the old snapshot still reads exactly as before */
	dump(old, &again);
	ck_assert_str_eq(hs_buf_cstr(&before), hs_buf_cstr(&again));
	ck_assert_uint_eq(zn_snap_serial(old), 100);
	dump(cur, &after);
	ck_assert_ptr_null(strstr(hs_buf_cstr(&after), "h10.example.test."));
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&after), "new.example.test. 300 1 01010101"));
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&after), "h3.example.test. 300 1 0a0000ff"));

	/* the difference between the two versions is the diff applied */
	zn_diff_t *back = NULL;
	ck_assert_int_eq(zn_diff_snaps(old, cur, &back), HS_OK);
	ck_assert_uint_eq(zn_diff_ndel(back), 2);
	ck_assert_uint_eq(zn_diff_nadd(back), 2);
	ck_assert_uint_eq(zn_diff_from_serial(back), 100);
	ck_assert_uint_eq(zn_diff_to_serial(back), 101);
	/* and applying it to a fresh copy of the old version gives the new one */
	zn_zone_t *z2 = zt_zone(100, 50);
	ck_assert_int_eq(zn_apply(z2, back, &em), HS_OK);
	zn_snap_t *c2 = zn_zone_snapshot(z2);
	dump(c2, &again);
	ck_assert_str_eq(hs_buf_cstr(&after), hs_buf_cstr(&again));
	/* identical versions: empty difference */
	zn_diff_t *none = NULL;
	ck_assert_int_eq(zn_diff_snaps(cur, c2, &none), HS_OK);
	ck_assert_uint_eq(zn_diff_ndel(none) + zn_diff_nadd(none), 0);

	zn_diff_free(none);
	zn_snap_release(c2);
	zn_zone_free(z2);
	zn_diff_free(back);
	zn_diff_free(d);
	zn_snap_release(cur);
	zn_snap_release(old);
	zn_zone_free(z);
	hs_buf_free(&before);
	hs_buf_free(&after);
	hs_buf_free(&again);
}
END_TEST

/* Apply `d` expecting `code` and an unchanged zone. */
static void refused(zn_zone_t *z, zn_diff_t *d, int code, const char *why)
{
	hs_buf_t before = HS_BUF_INIT, after = HS_BUF_INIT;
	hs_errmsg_t em;
	zn_snap_t *s = zn_zone_snapshot(z);
	dump(s, &before);
	hs_errmsg_clear(&em);
	ck_assert_int_eq(zn_apply(z, d, &em), code);
	ck_assert_msg(strstr(em.text, why), "'%s' lacks '%s'", em.text, why);
	zn_snap_t *s2 = zn_zone_snapshot(z);
	ck_assert_ptr_eq(s, s2); /* the very same version */
	dump(s2, &after);
	ck_assert_str_eq(hs_buf_cstr(&before), hs_buf_cstr(&after));
	zn_snap_release(s);
	zn_snap_release(s2);
	hs_buf_free(&before);
	hs_buf_free(&after);
	zn_diff_free(d);
}

/* ZONE-13: strict checks, all or nothing. */
START_TEST(test_apply_strict)
{
	zn_zone_t *z = zt_zone(100, 20);
	zn_diff_t *d;

	d = zt_diff(99, 101);
	refused(z, d, HS_E_STATE, "zone is at serial 100");

	d = zt_diff(100, 99); /* serial backwards */
	refused(z, d, HS_E_MALFORMED, "is not after");

	d = zt_diff(100, 100 + 0x80000000u); /* 2^31 ahead: not greater */
	refused(z, d, HS_E_MALFORMED, "is not after");

	d = zt_diff(100, 101);
	zt_diff_a(d, 0, "h1.example.test.", 0x0a0000ee); /* wrong RDATA */
	refused(z, d, HS_E_MALFORMED, "deleted record does not exist");

	d = zt_diff(100, 101);
	zt_diff_a(d, 0, "nobody.example.test.", 1);
	refused(z, d, HS_E_MALFORMED, "deleted record does not exist");

	d = zt_diff(100, 101);
	zt_diff_a(d, 1, "h2.example.test.", 0x0a000002); /* exists */
	refused(z, d, HS_E_MALFORMED, "added record exists already");

	d = zt_diff(100, 101);
	zt_diff_a(d, 1, "x.example.org.", 1);
	refused(z, d, HS_E_MALFORMED, "outside the zone");

	/* all or nothing: many good edits then one bad */
	d = zt_diff(100, 101);
	for (unsigned i = 0; i < 15; i++) {
		char o[64];
		snprintf(o, sizeof(o), "h%u.example.test.", i);
		zt_diff_a(d, 0, o, 0x0a000000u + i);
		zt_diff_a(d, 1, o, 0x0b000000u + i);
	}
	zt_diff_a(d, 1, "zz.example.test.", 5);
	zt_diff_a(d, 0, "h0.example.test.", 0x0a000000u); /* deleted twice */
	refused(z, d, HS_E_MALFORMED, "deleted record does not exist");

	d = zt_diff(100, 101);
	zt_diff_a(d, 1, "n.example.test.", 5);
	zt_diff_a(d, 1, "n.example.test.", 5); /* added twice */
	refused(z, d, HS_E_MALFORMED, "added record exists already");

	/* the SOA in the diff must be the zone's own */
	uint8_t rd[64];
	uint16_t l = zt_soa_rdata(rd, 100);
	rd[1] = 'm'; /* another mname, same serial */
	d = zn_diff_new();
	ck_assert_int_eq(zn_diff_set_from(d, 3600, rd, l), HS_OK);
	l = zt_soa_rdata(rd, 101);
	ck_assert_int_eq(zn_diff_set_to(d, 3600, rd, l), HS_OK);
	refused(z, d, HS_E_MALFORMED, "old SOA differs");

	/* SOA in a list is refused at once */
	zt_name_t nm;
	zn_rr_t soa = zt_rr(&nm, "example.test.", T_SOA, 1, rd, l);
	d = zn_diff_new();
	ck_assert_int_eq(zn_diff_add(d, &soa), HS_E_INVAL);
	zn_diff_free(d);

	/* and a good one still applies afterwards */
	d = zt_diff(100, 101);
	zt_diff_a(d, 0, "h0.example.test.", 0x0a000000u);
	ck_assert_int_eq(zn_apply(z, d, NULL), HS_OK);
	zn_diff_free(d);
	zn_zone_free(z);
}
END_TEST

/* A serial crossing the wrap applies. */
START_TEST(test_apply_wrap)
{
	zn_zone_t *z = zt_zone(0xFFFFFFF0u, 3);
	zn_diff_t *d = zt_diff(0xFFFFFFF0u, 5);
	uint32_t serial;
	zt_diff_a(d, 1, "w.example.test.", 9);
	ck_assert_int_eq(zn_apply(z, d, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_serial(z, &serial), HS_OK);
	ck_assert_uint_eq(serial, 5);
	zn_diff_free(d);
	zn_zone_free(z);
}
END_TEST

START_TEST(test_diff_sets)
{
	zt_name_t n1 = zt_name("example.test."), n2 = zt_name("a.example.test.");
	zn_rr_t have[] = {
	    {n1.w, n1.n, T_NS, 300, (const uint8_t *)"\3ns1\0", 5},
	    {n1.w, n1.n, T_NS, 300, (const uint8_t *)"\3ns2\0", 5},
	    {n2.w, n2.n, T_A, 300, (const uint8_t *)"\1\2\3\4", 4},
	};
	zn_rr_t want[] = {
	    {n1.w, n1.n, T_NS, 300, (const uint8_t *)"\3ns2\0", 5},
	    {n1.w, n1.n, T_NS, 300, (const uint8_t *)"\3ns3\0", 5},
	    {n1.w, n1.n, T_NS, 300, (const uint8_t *)"\3ns3\0", 5},
	    {n2.w, n2.n, T_A, 600, (const uint8_t *)"\1\2\3\4", 4},
	};
	zn_diff_t *d = NULL;
	zn_rr_t rr;
	ck_assert_int_eq(zn_diff_sets(have, 3, want, 4, &d), HS_OK);
	ck_assert_uint_eq(zn_diff_ndel(d), 2); /* ns1, the A (TTL) */
	ck_assert_uint_eq(zn_diff_nadd(d), 2); /* ns3, the A (TTL) */
	ck_assert_int_eq(zn_diff_del_rr(d, 0, &rr), HS_OK);
	ck_assert_uint_eq(rr.type, T_NS);
	ck_assert_mem_eq(rr.rdata, "\3ns1", 4);
	ck_assert_int_eq(zn_diff_del_rr(d, 2, &rr), HS_E_RANGE);
	zn_diff_free(d);
	ck_assert_int_eq(zn_diff_sets(have, 3, have, 3, &d), HS_OK);
	ck_assert_uint_eq(zn_diff_ndel(d) + zn_diff_nadd(d), 0);
	zn_diff_free(d);
}
END_TEST

/* A naive model: a sorted set of (owner index, addr) A records. */
#define MODEL_OWNERS 400
static unsigned char model[MODEL_OWNERS][4];

/* The TTLs of the RRSIGs at `owner` of `s`, in RDATA order, as covered
 * type and TTL pairs into v (n of them). */
static size_t sig_ttls(zn_snap_t *s, const char *owner, uint32_t v[][2], size_t max)
{
	zt_name_t o = zt_name(owner);
	zn_rrset_t set;
	size_t off = 0, n = 0;
	const uint8_t *rd;
	uint16_t rl;
	uint32_t ttl;
	ck_assert_int_eq(zn_snap_find(s, o.w, o.n, T_RRSIG, &set, NULL), HS_OK);
	while (n < max && zn_rrset_next_rr(&set, &off, &rd, &rl, &ttl)) {
		v[n][0] = (uint32_t)(rd[0] << 8 | rd[1]);
		v[n++][1] = ttl;
	}
	ck_assert_uint_eq(n, set.count);
	return n;
}

/* ZONE-15: each RRSIG keeps the TTL of the RRset it covers (RFC 4034 3):
 * built, looked up, iterated (one RRset per covered type), changed by
 * zn_apply (RFC 2181 5.2 per covered type), diffed and encoded. */
START_TEST(test_rrsig_ttl_per_covered)
{
	zn_zone_t *z = zt_signed_zone(1);
	zn_snap_t *s = zn_zone_snapshot(z);
	uint32_t v[8][2];
	/* RDATA order: A (1) before NSEC (47) */
	ck_assert_uint_eq(sig_ttls(s, "www.example.test.", v, 8), 4);
	ck_assert_uint_eq(v[0][0], T_A);
	ck_assert_uint_eq(v[0][1], 300);
	ck_assert_uint_eq(v[1][1], 300);
	ck_assert_uint_eq(v[2][0], T_NSEC);
	ck_assert_uint_eq(v[2][1], 60);
	ck_assert_uint_eq(v[3][1], 60);
	ck_assert_uint_eq(zn_snap_records(s), 1 + 1 + 1 + 5);

	/* the iterator: RRSIG(A) 300 x2, RRSIG(NSEC) 60 x2 at www */
	zn_iter_t *it = zn_iter_new(s);
	const uint8_t *owner;
	size_t ol, nsig = 0;
	zn_rrset_t set;
	uint32_t want_ttl[] = {300, 60};
	while (zn_iter_next(it, &owner, &ol, &set)) {
		if (set.type != T_RRSIG || owner[0] != 3)
			continue; /* not at www: the apex's RRSIG(SOA) */
		ck_assert_uint_lt(nsig, 2);
		ck_assert_uint_eq(set.count, 2);
		ck_assert_uint_eq(set.ttl, want_ttl[nsig]);
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rl;
		uint32_t ttl;
		while (zn_rrset_next_rr(&set, &off, &rd, &rl, &ttl))
			ck_assert_uint_eq(ttl, want_ttl[nsig]);
		nsig++;
	}
	ck_assert_uint_eq(nsig, 2);
	zn_iter_free(it);

	/* a third covered type, and a new RRSIG(A) of another TTL: the A
	 * ones take it, the NSEC ones keep theirs */
	zn_diff_t *d = zt_diff(1, 2);
	zt_sig(NULL, d, 1, "www.example.test.", T_TXT, 900, 11);
	zt_sig(NULL, d, 1, "www.example.test.", T_A, 120, 33);
	ck_assert_int_eq(zn_apply(z, d, NULL), HS_OK);
	zn_diff_free(d);
	zn_snap_t *s2 = zn_zone_snapshot(z);
	ck_assert_uint_eq(sig_ttls(s2, "www.example.test.", v, 8), 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(v[i][1], v[i][0] == T_A ? 120 : v[i][0] == T_NSEC ? 60 : 900);
	/* the old version is untouched */
	ck_assert_uint_eq(sig_ttls(s, "www.example.test.", v, 8), 4);
	ck_assert_uint_eq(v[0][1], 300);

	/* the difference between the two: RRSIG(A) by 11 and 22 out at 300 and
	 * in at 120, the two new ones in; nothing for the NSEC ones */
	ck_assert_int_eq(zn_diff_snaps(s, s2, &d), HS_OK);
	ck_assert_uint_eq(zn_diff_ndel(d), 2);
	ck_assert_uint_eq(zn_diff_nadd(d), 4);
	for (size_t i = 0; i < zn_diff_ndel(d); i++) {
		zn_rr_t rr;
		ck_assert_int_eq(zn_diff_del_rr(d, i, &rr), HS_OK);
		ck_assert_uint_eq(rr.ttl, 300);
	}
	zn_diff_free(d);

	/* delete the NSEC RRSIGs: the others keep their TTLs */
	d = zt_diff(2, 3);
	zt_sig(NULL, d, 0, "www.example.test.", T_NSEC, 60, 11);
	zt_sig(NULL, d, 0, "www.example.test.", T_NSEC, 60, 22);
	ck_assert_int_eq(zn_apply(z, d, NULL), HS_OK);
	zn_diff_free(d);
	zn_snap_t *s3 = zn_zone_snapshot(z);
	ck_assert_uint_eq(sig_ttls(s3, "www.example.test.", v, 8), 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_uint_eq(v[i][1], v[i][0] == T_A ? 120 : 900);

	/* the store's encoding keeps them */
	hs_buf_t e = HS_BUF_INIT, e2 = HS_BUF_INIT;
	zn_builder_t *b = NULL;
	zn_zone_t *z2 = NULL;
	const uint8_t *apex = zn_zone_apex(z, &ol);
	zn_snap_encode(s3, &e);
	ck_assert_int_eq(zn_snap_decode(e.data, e.len, apex, ol, &b), HS_OK);
	ck_assert_int_eq(zn_zone_new(apex, ol, &z2), HS_OK);
	ck_assert_int_eq(zn_zone_set(z2, b, NULL), HS_OK);
	zn_snap_t *back = zn_zone_snapshot(z2);
	zn_snap_encode(back, &e2);
	ck_assert_uint_eq(e.len, e2.len);
	ck_assert_mem_eq(e.data, e2.data, e.len);
	ck_assert_uint_eq(sig_ttls(back, "www.example.test.", v, 8), 4);
	ck_assert_uint_eq(v[0][1], 120);
	hs_buf_free(&e);
	hs_buf_free(&e2);
	zn_snap_release(back);
	zn_zone_free(z2);
	zn_snap_release(s);
	zn_snap_release(s2);
	zn_snap_release(s3);
	zn_zone_free(z);
}
END_TEST

/* ZONE-15: in a builder the last RRSIG of a covered type sets the TTL of
 * that type's RRSIGs, whatever their RDATA order; other types keep theirs. */
START_TEST(test_rrsig_ttl_builder)
{
	zt_name_t apex = zt_name("example.test.");
	zn_zone_t *z = NULL;
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &z), HS_OK);
	zn_builder_t *b = zn_builder_new(apex.w, apex.n);
	zt_add_soa(b, 1);
	zt_sig(b, NULL, 1, "www.example.test.", T_A, 300, 22);
	zt_sig(b, NULL, 1, "www.example.test.", T_NSEC, 60, 11);
	zt_sig(b, NULL, 1, "www.example.test.", T_A, 200, 11);
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);
	zn_snap_t *s = zn_zone_snapshot(z);
	uint32_t v[4][2];
	ck_assert_uint_eq(sig_ttls(s, "www.example.test.", v, 4), 3);
	ck_assert_uint_eq(v[0][1], 200);
	ck_assert_uint_eq(v[1][1], 200);
	ck_assert_uint_eq(v[2][1], 60);
	zn_snap_release(s);
	zn_zone_free(z);
}
END_TEST

/* Randomised: many diffs against the model, snapshots kept and compared. */
START_TEST(test_random_against_model)
{
	zn_zone_t *z = zt_zone(1, 0);
	uint32_t serial = 1;
	srand(12345);
	memset(model, 0, sizeof(model));
	zn_snap_t *prev = zn_zone_snapshot(z);
	for (int round = 0; round < 300; round++) {
		zn_diff_t *d = zt_diff(serial, serial + 1);
		unsigned char next[MODEL_OWNERS][4];
		memcpy(next, model, sizeof(model));
		int edits = 1 + rand() % 12;
		for (int e = 0; e < edits; e++) {
			unsigned o = (unsigned)rand() % MODEL_OWNERS, a = (unsigned)rand() % 4;
			char owner[64];
			snprintf(owner, sizeof(owner), "o%u.example.test.", o);
			if (next[o][a] && model[o][a]) {
				zt_diff_a(d, 0, owner, a);
				next[o][a] = 0;
			} else if (!next[o][a] && !model[o][a]) {
				zt_diff_a(d, 1, owner, a);
				next[o][a] = 1;
			}
		}
		/* the diff lists deletions then additions; ours interleave, so
		 * sort them into a proper diff: rebuild */
		zn_diff_t *p = zt_diff(serial, serial + 1);
		for (unsigned o = 0; o < MODEL_OWNERS; o++)
			for (unsigned a = 0; a < 4; a++) {
				char owner[64];
				snprintf(owner, sizeof(owner), "o%u.example.test.", o);
				if (model[o][a] && !next[o][a])
					zt_diff_a(p, 0, owner, a);
				if (!model[o][a] && next[o][a])
					zt_diff_a(p, 1, owner, a);
			}
		zn_diff_free(d);
		ck_assert_int_eq(zn_apply(z, p, NULL), HS_OK);
		zn_diff_free(p);
		memcpy(model, next, sizeof(model));
		serial++;
		zn_snap_t *cur = zn_zone_snapshot(z);
		size_t nrec = 1, nown = 1;
		for (unsigned o = 0; o < MODEL_OWNERS; o++) {
			int any = 0;
			for (unsigned a = 0; a < 4; a++) {
				nrec += model[o][a];
				any |= model[o][a];
			}
			nown += any;
		}
		ck_assert_uint_eq(zn_snap_records(cur), nrec);
		ck_assert_uint_eq(zn_snap_owners(cur), nown);
		/* diff prev -> cur, applied to prev's copy, gives cur */
		zn_diff_t *back = NULL;
		ck_assert_int_eq(zn_diff_snaps(prev, cur, &back), HS_OK);
		zn_diff_free(back);
		zn_snap_release(prev);
		prev = cur;
	}
	/* the final version against the model, record by record */
	for (unsigned o = 0; o < MODEL_OWNERS; o++) {
		char owner[64];
		zn_rrset_t set;
		snprintf(owner, sizeof(owner), "o%u.example.test.", o);
		zt_name_t nm = zt_name(owner);
		unsigned want = model[o][0] + model[o][1] + model[o][2] + model[o][3];
		int rc = zn_snap_find(prev, nm.w, nm.n, T_A, &set, NULL);
		if (want == 0)
			ck_assert_int_eq(rc, HS_E_NOTFOUND);
		else
			ck_assert_uint_eq(set.count, want);
	}
	size_t mem = zn_snap_memory(prev);
	zn_snap_count(prev);
	ck_assert_uint_eq(mem, zn_snap_memory(prev));
	zn_snap_release(prev);
	zn_zone_free(z);
}
END_TEST

/* The cost of zn_apply is not the zone's size: a 200,000-record zone and
 * a one-record change copies only a path (memory of the new version's own
 * nodes measured through the shared-node count is not available, so count
 * allocations indirectly: the old snapshot is released and the new one
 * still holds all records). */
START_TEST(test_apply_large)
{
	zn_zone_t *z = zt_zone(1, 200000);
	zn_snap_t *old = zn_zone_snapshot(z);
	zn_diff_t *d = zt_diff(1, 2);
	zt_diff_a(d, 0, "h777.example.test.", 0x0a000000u + 777);
	ck_assert_int_eq(zn_apply(z, d, NULL), HS_OK);
	zn_snap_t *cur = zn_zone_snapshot(z);
	ck_assert_uint_eq(zn_snap_records(cur), 200000);
	zn_diff_t *back = NULL;
	ck_assert_int_eq(zn_diff_snaps(old, cur, &back), HS_OK);
	ck_assert_uint_eq(zn_diff_ndel(back), 1);
	ck_assert_uint_eq(zn_diff_nadd(back), 0);
	zn_diff_free(back);
	zn_snap_release(old);
	zn_snap_release(cur);
	zn_diff_free(d);
	zn_zone_free(z);
}
END_TEST

static Suite *zone_suite(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("core");
	hs_log_set_level(HS_LOG_ERR);
	tcase_add_test(tc, test_serial);
	tcase_add_test(tc, test_canonical_order);
	tcase_add_test(tc, test_build_find_iter);
	tcase_add_test(tc, test_apply_and_snapshots);
	tcase_add_test(tc, test_apply_strict);
	tcase_add_test(tc, test_apply_wrap);
	tcase_add_test(tc, test_diff_sets);
	tcase_add_test(tc, test_rrsig_ttl_per_covered);
	tcase_add_test(tc, test_rrsig_ttl_builder);
	tcase_add_test(tc, test_random_against_model);
	tcase_add_test(tc, test_apply_large);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(zone_suite)
