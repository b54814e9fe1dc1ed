/*
 * Tests for src/engine/combiner/cmb_served.c: the served zone as a pure
 * function of the inbound zone and the combined apex (SYNC-50, SYNC-51),
 * its own serial (SYNC-52), the difference computed from the inbound
 * change or from the whole zones with the same result, and the served
 * zone kept in the store under its own key, loaded back byte for byte
 * (what a restarted combiner serves at once, SYNC-53).
 *
 * requirements: SYNC-50 SYNC-51 SYNC-52 SYNC-53 SYNC-58 ZONE-15
 */
#include "lib/testutil.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "engine/combiner/combiner.h"
#include "store/store.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"
#include "wire/text.h"
#include "zone/journal.h"

#define T_NS 2
#define APEX "example.test."

static const char *const base_zone[] = {
    "example.test. 300 IN SOA ns.lab. hostmaster.lab. 10 3600 600 86400 60",
    "example.test. 300 IN NS ns.lab.",
    "example.test. 300 IN TYPE65285 \\# 20 01 05616c706861 05616c706861036c616200 012e",
    "www.example.test. 300 IN A 192.0.2.10",
    "sub.example.test. 300 IN NS ns.sub.example.test.",
    "ns.sub.example.test. 300 IN A 192.0.2.53",
    NULL,
};

typedef struct rec {
	uint8_t owner[WIRE_NAME_MAX];
	size_t olen;
	uint16_t type;
	uint32_t ttl;
	uint8_t rd[512];
	uint16_t rdlen;
} rec_t;

static rec_t parse(const char *line)
{
	rec_t r;
	ldns_rr *rr = NULL;
	hs_buf_t b = HS_BUF_INIT, o = HS_BUF_INIT;
	memset(&r, 0, sizeof(r));
	ck_assert_msg(ldns_rr_new_frm_str(&rr, line, 300, NULL, NULL) == LDNS_STATUS_OK, "%s",
	              line);
	ck_assert_int_eq(hs_ldns_rr_rdata(rr, &b, NULL), HS_OK);
	char *ow = ldns_rdf2str(ldns_rr_owner(rr));
	ck_assert_int_eq(hs_name_from_text(ow, strlen(ow), r.owner, &r.olen), HS_OK);
	free(ow);
	r.type = (uint16_t)ldns_rr_get_type(rr);
	r.ttl = ldns_rr_ttl(rr);
	ck_assert_uint_le(b.len, sizeof(r.rd));
	memcpy(r.rd, b.data, b.len);
	r.rdlen = (uint16_t)b.len;
	hs_buf_free(&b);
	hs_buf_free(&o);
	ldns_rr_free(rr);
	return r;
}

static void apex_wire(uint8_t *w, size_t *n)
{
	ck_assert_int_eq(hs_name_from_text(APEX, strlen(APEX), w, n), HS_OK);
}

/* A zone from the lines of `a` then `b` (either may be NULL). */
static zn_zone_t *zone_of(const char *const *a, const char *const *b)
{
	uint8_t apex[WIRE_NAME_MAX];
	size_t alen;
	zn_zone_t *z = NULL;
	apex_wire(apex, &alen);
	ck_assert_int_eq(zn_zone_new(apex, alen, &z), HS_OK);
	zn_builder_t *bl = zn_builder_new(apex, alen);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; (k ? b : a) != NULL && (k ? b : a)[i] != NULL; i++) {
			rec_t r = parse((k ? b : a)[i]);
			zn_rr_t rr = {r.owner, r.olen, r.type, r.ttl, r.rd, r.rdlen};
			ck_assert_int_eq(zn_builder_add(bl, &rr, NULL), HS_OK);
		}
	ck_assert_int_eq(zn_zone_set(z, bl, NULL), HS_OK);
	return z;
}

/* The combined apex: the owner's NS of `in` plus the NS targets given. */
static void apex_of(const zn_zone_t *in, const char *const *ns, cmb_apex_t *out)
{
	cmb_rr_in_t own[16], app[16];
	rec_t recs[16];
	size_t no = 0, na = 0, alen;
	zn_snap_t *s = zn_zone_snapshot(in);
	const uint8_t *apex = zn_snap_apex(s, &alen);
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	if (zn_snap_find(s, apex, alen, T_NS, &set, NULL) == HS_OK)
		while (no < 16 && zn_rrset_next(&set, &off, &rd, &rl))
			own[no++] = (cmb_rr_in_t){T_NS, set.ttl, rd, rl};
	for (size_t i = 0; ns != NULL && ns[i] != NULL; i++) {
		char line[300];
		snprintf(line, sizeof(line), APEX " 3600 IN NS %s", ns[i]);
		recs[na] = parse(line);
		app[na] = (cmb_rr_in_t){T_NS, 3600, recs[na].rd, recs[na].rdlen};
		na++;
	}
	cmb_combine(own, no, app, na, out);
	zn_snap_release(s);
}

static void bytes_of(const zn_zone_t *z, hs_buf_t *out)
{
	zn_snap_t *s = zn_zone_snapshot(z);
	out->len = 0;
	zn_snap_encode(s, out);
	zn_snap_release(s);
}

static uint32_t serial_of(const zn_zone_t *z)
{
	uint32_t s = 0;
	ck_assert_int_eq(zn_zone_serial(z, &s), HS_OK);
	return s;
}

static size_t ns_count(const zn_zone_t *z)
{
	uint8_t apex[WIRE_NAME_MAX];
	size_t alen;
	zn_rrset_t set;
	apex_wire(apex, &alen);
	zn_snap_t *s = zn_zone_snapshot(z);
	size_t n = zn_snap_find(s, apex, alen, T_NS, &set, NULL) == HS_OK ? set.count : 0;
	zn_snap_release(s);
	return n;
}

/* A served zone made from `in` and `apex`. */
static zn_zone_t *served_first(const zn_zone_t *in, const cmb_apex_t *apex)
{
	uint8_t a[WIRE_NAME_MAX];
	size_t alen;
	zn_zone_t *z = NULL;
	zn_builder_t *b = NULL;
	apex_wire(a, &alen);
	ck_assert_int_eq(zn_zone_new(a, alen, &z), HS_OK);
	zn_snap_t *s = zn_zone_snapshot(in);
	ck_assert_int_eq(cmb_served_build(s, apex, &b, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);
	zn_snap_release(s);
	return z;
}

/* Apply the served difference for (base, in, apex): 1 when there was one. */
static int served_next(zn_zone_t *served, const zn_zone_t *base, const zn_zone_t *in,
                       const cmb_apex_t *apex)
{
	zn_snap_t *cur = zn_zone_snapshot(served), *bs = base ? zn_zone_snapshot(base) : NULL;
	zn_snap_t *is = zn_zone_snapshot(in);
	zn_diff_t *d = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(cmb_served_diff(cur, bs, is, apex, &d), HS_OK);
	int had = d != NULL;
	if (d != NULL)
		ck_assert_msg(zn_apply(served, d, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	zn_diff_free(d);
	zn_snap_release(cur);
	zn_snap_release(bs);
	zn_snap_release(is);
	return had;
}

/* An owner-signed zone (SYNC-58) at `serial`: DNSKEY at the apex,
 * HSYNCPARAM nsmgmt owner without signers, RRSIGs of the owner's (their
 * TTLs those of the RRsets they cover: NSEC 60, A 300, ZONE-15); `sig`
 * picks the signatures (a re-signed version has others), `addr` the A. */
static zn_zone_t *signed_zone(uint32_t serial, const char *sig, int addr, int dnskey,
                              const char *param)
{
	char l[8][400];
	const char *v[9];
	size_t n = 0;
	snprintf(l[n++], 400, APEX " 300 IN SOA ns.lab. hostmaster.lab. %u 3600 600 86400 60",
	         serial);
	snprintf(l[n++], 400, APEX " 300 IN NS ns.lab.");
	snprintf(l[n++], 400, APEX " 300 IN TYPE65286 \\# %s", param);
	snprintf(l[n++], 400, "mail.example.test. 300 IN A 192.0.2.%d", addr);
	snprintf(l[n++], 400, "mail.example.test. 60 IN NSEC example.test. A RRSIG NSEC");
	snprintf(l[n++], 400,
	         "mail.example.test. 300 IN RRSIG A 13 3 300 20300101000000 20200101000000 "
	         "4711 example.test. %s",
	         sig);
	snprintf(l[n++], 400,
	         "mail.example.test. 60 IN RRSIG NSEC 13 3 60 20300101000000 20200101000000 "
	         "4711 example.test. %s",
	         sig);
	if (dnskey)
		snprintf(l[n++], 400, APEX " 3600 IN DNSKEY 257 3 13 %s",
		         "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1N"
		         "jc4OTo7PD0+Pw==");
	for (size_t i = 0; i < n; i++)
		v[i] = l[i];
	v[n] = NULL;
	return zone_of(base_zone + 2, v); /* HSYNC3 and the rest of the base */
}

#define NO_SIGNERS "5 0000000101"                     /* nsmgmt="owner" */
#define SIGNERS    "14 0000000101 00030005627261766f" /* + signers="bravo" */

static void same_bytes(const zn_zone_t *a, const zn_zone_t *b)
{
	hs_buf_t x = HS_BUF_INIT, y = HS_BUF_INIT;
	bytes_of(a, &x);
	bytes_of(b, &y);
	ck_assert_uint_eq(x.len, y.len);
	ck_assert_mem_eq(x.data, y.data, x.len);
	hs_buf_free(&x);
	hs_buf_free(&y);
}

/* SYNC-58: which inbound versions are owner-signed. */
START_TEST(test_owner_signed_rule)
{
	struct {
		int dnskey;
		const char *param;
		int want;
	} c[] = {
	    {1, NO_SIGNERS, 1},
	    {0, NO_SIGNERS, 0}, /* no DNSKEY: the owner does not sign */
	    {1, SIGNERS, 0},    /* providers sign: setups A and B */
	    {1, "3 ffff00", 1}, /* an HSYNCPARAM that does not decode lists nobody */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		zn_zone_t *z = signed_zone(10,
		                           "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2h"
		                           "pamtsbW5vcHFyc3R1dnd4eXp7fH1+fw==",
		                           10, c[i].dnskey, c[i].param);
		zn_snap_t *s = zn_zone_snapshot(z);
		ck_assert_int_eq(cmb_owner_signed(s), c[i].want);
		zn_snap_release(s);
		zn_zone_free(z);
	}
}
END_TEST

/* SYNC-58: an owner-signed zone is served exactly as it came (serial,
 * TTLs, no NS added whatever the combined apex says); a re-signed version
 * passes through as a difference; a serial not above the served one is
 * not served; when the owner stops signing the zone is combined again
 * with a serial of the combiner's (SYNC-52). */
START_TEST(test_owner_signed_passthrough)
{
	zn_zone_t *in1 = signed_zone(10,
	                             "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsb"
	                             "W5vcHFyc3R1dnd4eXp7fH1+fw==",
	                             10, 1, NO_SIGNERS);
	zn_zone_t *in2 = signed_zone(11,
	                             "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissL"
	                             "S4vMDEyMzQ1Njc4OTo7PD0+Pw==",
	                             11, 1, NO_SIGNERS);
	const char *ns[] = {"ns1.beta.lab.", NULL};
	cmb_apex_t a1, a2;
	apex_of(in1, ns, &a1); /* an NS contribution the combiner would apply */
	apex_of(in2, ns, &a2);
	zn_zone_t *srv = served_first(in1, &a1), *full = served_first(in1, &a1);
	same_bytes(srv, in1);
	ck_assert_uint_eq(serial_of(srv), 10);
	ck_assert_uint_eq(ns_count(srv), 1);
	ck_assert_int_eq(served_next(srv, in1, in1, &a1), 0); /* nothing new */
	/* a new signed version: the owner's difference, with its serial */
	ck_assert_int_eq(served_next(srv, in1, in2, &a2), 1);
	ck_assert_int_eq(served_next(full, NULL, in2, &a2), 1);
	same_bytes(srv, in2);
	same_bytes(full, in2);
	ck_assert_uint_eq(serial_of(srv), 11);

	/* combined before (serial 11 of the combiner's), then owner-signed
	 * at 11: not served; at 12: served as it came */
	zn_zone_t *u = signed_zone(10,
	                           "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5"
	                           "vcHFyc3R1dnd4eXp7fH1+fw==",
	                           10, 0, NO_SIGNERS);
	apex_of(u, ns, &a1);
	zn_zone_t *cmb = served_first(u, &a1);
	ck_assert_uint_eq(serial_of(cmb), 11);
	ck_assert_uint_eq(ns_count(cmb), 2);
	zn_snap_t *cur = zn_zone_snapshot(cmb), *is = zn_zone_snapshot(in2);
	zn_diff_t *d = NULL;
	ck_assert_int_eq(cmb_served_diff(cur, NULL, is, &a2, &d), HS_E_STATE);
	ck_assert_ptr_null(d);
	zn_snap_release(cur);
	zn_snap_release(is);
	zn_zone_t *in3 = signed_zone(12,
	                             "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsb"
	                             "W5vcHFyc3R1dnd4eXp7fH1+fw==",
	                             12, 1, NO_SIGNERS);
	cmb_apex_t a3;
	apex_of(in3, ns, &a3);
	ck_assert_int_eq(served_next(cmb, u, in3, &a3), 1);
	same_bytes(cmb, in3);

	/* the owner stops signing: combined again, above the owner's serial */
	zn_zone_t *in4 = signed_zone(13,
	                             "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsb"
	                             "W5vcHFyc3R1dnd4eXp7fH1+fw==",
	                             12, 0, NO_SIGNERS);
	cmb_apex_t a4;
	apex_of(in4, ns, &a4);
	ck_assert_int_eq(served_next(cmb, in3, in4, &a4), 1);
	ck_assert_uint_eq(serial_of(cmb), 14);
	ck_assert_uint_eq(ns_count(cmb), 2);

	cmb_apex_clear(&a1);
	cmb_apex_clear(&a2);
	cmb_apex_clear(&a3);
	cmb_apex_clear(&a4);
	zn_zone_free(srv);
	zn_zone_free(full);
	zn_zone_free(cmb);
	zn_zone_free(u);
	zn_zone_free(in1);
	zn_zone_free(in2);
	zn_zone_free(in3);
	zn_zone_free(in4);
}
END_TEST

/* SYNC-52: one more than the larger of owner's and last served, RFC 1982. */
START_TEST(test_serial)
{
	ck_assert_uint_eq(cmb_served_serial(10, 0, 0), 11);
	ck_assert_uint_eq(cmb_served_serial(10, 1, 15), 16);
	ck_assert_uint_eq(cmb_served_serial(20, 1, 15), 21);
	ck_assert_uint_eq(cmb_served_serial(0xfffffffeu, 1, 0xfffffff0u), 0xffffffffu);
	ck_assert_uint_eq(cmb_served_serial(0xffffffffu, 1, 3), 4); /* 3 is after 2^32 - 1 */
	ck_assert_uint_eq(cmb_served_serial(5, 1, 0xfffffff0u), 6); /* 5 is after 0xfffffff0 */
	ck_assert_uint_eq(cmb_served_serial(0xffffffffu, 0, 0), 0); /* wraps */
	ck_assert_uint_eq(cmb_served_serial(7, 1, 7), 8);
}
END_TEST

/* SYNC-51: the apex NS is the owner's plus the applied ones; the rest,
 * HSYNC3 and the delegation included, as the owner has it; the SOA is the
 * owner's with the combiner's serial. */
START_TEST(test_first_version)
{
	zn_zone_t *in = zone_of(base_zone, NULL);
	const char *ns[] = {"ns1.beta.lab.", "NS1.Gamma.Lab.", NULL};
	cmb_apex_t apex;
	apex_of(in, ns, &apex);
	zn_zone_t *srv = served_first(in, &apex);
	ck_assert_uint_eq(serial_of(srv), 11);
	ck_assert_uint_eq(ns_count(srv), 3);
	zn_snap_t *a = zn_zone_snapshot(in), *b = zn_zone_snapshot(srv);
	ck_assert_uint_eq(zn_snap_records(b), zn_snap_records(a) + 2);
	zn_snap_release(a);
	zn_snap_release(b);
	/* nothing changed: no difference, no new serial */
	ck_assert_int_eq(served_next(srv, in, in, &apex), 0);
	ck_assert_int_eq(served_next(srv, NULL, in, &apex), 0);
	ck_assert_uint_eq(serial_of(srv), 11);
	cmb_apex_clear(&apex);
	zn_zone_free(srv);
	zn_zone_free(in);
}
END_TEST

/* A PUBLISH (the combined apex changed): only the apex and the SOA. */
START_TEST(test_publish)
{
	zn_zone_t *in = zone_of(base_zone, NULL);
	const char *ns1[] = {"ns1.beta.lab.", NULL},
	           *ns2[] = {"ns1.beta.lab.", "ns2.beta.lab.", NULL};
	cmb_apex_t a1, a2;
	apex_of(in, ns1, &a1);
	apex_of(in, ns2, &a2);
	zn_zone_t *srv = served_first(in, &a1);
	ck_assert_uint_eq(ns_count(srv), 2);
	ck_assert_int_eq(served_next(srv, in, in, &a2), 1);
	ck_assert_uint_eq(ns_count(srv), 3);
	ck_assert_uint_eq(serial_of(srv), 12);
	/* and back: removed again, a new serial */
	ck_assert_int_eq(served_next(srv, in, in, &a1), 1);
	ck_assert_uint_eq(ns_count(srv), 2);
	ck_assert_uint_eq(serial_of(srv), 13);
	cmb_apex_clear(&a1);
	cmb_apex_clear(&a2);
	zn_zone_free(srv);
	zn_zone_free(in);
}
END_TEST

/* A new inbound version: its change, with the served zone's own serial;
 * the difference from the base and from the whole zones give the same
 * bytes (SYNC-50). */
START_TEST(test_inbound_change)
{
	static const char *const v2[] = {
	    "example.test. 300 IN SOA ns.lab. hostmaster.lab. 20 3600 600 86400 60",
	    "example.test. 300 IN NS ns.lab.",
	    "example.test. 300 IN NS ns2.lab.",
	    "example.test. 300 IN TYPE65285 \\# 20 01 05616c706861 05616c706861036c616200 012e",
	    "www.example.test. 300 IN A 192.0.2.11",
	    "mail.example.test. 300 IN A 192.0.2.25",
	    "sub.example.test. 300 IN NS ns.sub.example.test.",
	    "ns.sub.example.test. 300 IN A 192.0.2.53",
	    NULL,
	};
	zn_zone_t *in1 = zone_of(base_zone, NULL), *in2 = zone_of(v2, NULL);
	const char *ns[] = {"ns1.beta.lab.", NULL};
	cmb_apex_t a1, a2;
	hs_buf_t x = HS_BUF_INIT, y = HS_BUF_INIT, z = HS_BUF_INIT;
	apex_of(in1, ns, &a1);
	apex_of(in2, ns, &a2); /* the owner added ns2.lab.: NS is additive */
	zn_zone_t *s1 = served_first(in1, &a1), *s2 = served_first(in1, &a1);
	ck_assert_int_eq(served_next(s1, in1, in2, &a2), 1);
	ck_assert_int_eq(served_next(s2, NULL, in2, &a2), 1);
	ck_assert_uint_eq(serial_of(s1), 21);
	ck_assert_uint_eq(ns_count(s1), 3);
	bytes_of(s1, &x);
	bytes_of(s2, &y);
	ck_assert_uint_eq(x.len, y.len);
	ck_assert_mem_eq(x.data, y.data, x.len);
	/* the same as made at once from the new inbound version */
	zn_zone_t *s3 = served_first(in2, &a2);
	zn_snap_t *q = zn_zone_snapshot(s3);
	ck_assert_uint_eq(zn_snap_serial(q), 21); /* owner 20 + 1: equal by chance of the numbers */
	zn_snap_release(q);
	bytes_of(s3, &z);
	ck_assert_mem_eq(x.data, z.data, x.len);
	/* the owner's serial alone moves: served content unchanged, no new serial */
	static const char *const v3soa[] = {
	    "example.test. 300 IN SOA ns.lab. hostmaster.lab. 30 3600 600 86400 60", NULL};
	zn_zone_t *in3 = zone_of(v3soa, v2 + 1);
	ck_assert_int_eq(served_next(s1, in2, in3, &a2), 0);
	ck_assert_uint_eq(serial_of(s1), 21);
	/* an SOA field changes: content, so a new serial above the owner's */
	static const char *const v4soa[] = {
	    "example.test. 300 IN SOA ns.lab. hostmaster.lab. 31 7200 600 86400 60", NULL};
	zn_zone_t *in4 = zone_of(v4soa, v2 + 1);
	ck_assert_int_eq(served_next(s1, in3, in4, &a2), 1);
	ck_assert_uint_eq(serial_of(s1), 32);
	/* an owner going backwards does not take the served serial back */
	static const char *const v5soa[] = {
	    "example.test. 300 IN SOA ns.lab. hostmaster.lab. 2 3600 600 86400 60", NULL};
	zn_zone_t *in5 = zone_of(v5soa, v2 + 1);
	ck_assert_int_eq(served_next(s1, in4, in5, &a2), 1);
	ck_assert_uint_eq(serial_of(s1), 33);
	cmb_apex_clear(&a1);
	cmb_apex_clear(&a2);
	hs_buf_free(&x);
	hs_buf_free(&y);
	hs_buf_free(&z);
	zn_zone_free(s1);
	zn_zone_free(s2);
	zn_zone_free(s3);
	zn_zone_free(in1);
	zn_zone_free(in2);
	zn_zone_free(in3);
	zn_zone_free(in4);
	zn_zone_free(in5);
}
END_TEST

/* SYNC-50: the contributions in any order give the same served bytes. */
START_TEST(test_order)
{
	zn_zone_t *in = zone_of(base_zone, NULL);
	const char *f[] = {"ns1.beta.lab.", "ns1.gamma.lab.", "ns2.beta.lab.", NULL};
	const char *r[] = {"ns2.beta.lab.", "NS1.GAMMA.LAB.", "ns1.beta.lab.", "ns1.beta.lab.",
	                   NULL};
	cmb_apex_t a, b;
	hs_buf_t x = HS_BUF_INIT, y = HS_BUF_INIT;
	apex_of(in, f, &a);
	apex_of(in, r, &b);
	zn_zone_t *s1 = served_first(in, &a), *s2 = served_first(in, &b);
	bytes_of(s1, &x);
	bytes_of(s2, &y);
	ck_assert_uint_eq(x.len, y.len);
	ck_assert_mem_eq(x.data, y.data, x.len);
	cmb_apex_clear(&a);
	cmb_apex_clear(&b);
	hs_buf_free(&x);
	hs_buf_free(&y);
	zn_zone_free(s1);
	zn_zone_free(s2);
	zn_zone_free(in);
}
END_TEST

/* A restarted combiner: the served zone from the store under its own key
 * (next to the inbound copy under the zone's name), the same bytes at
 * once, and nothing to change when inbound zone and apex are the same. */
START_TEST(test_store_restart)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/c.db", dir);
	st_t *st = NULL;
	zn_zone_t *in = zone_of(base_zone, NULL), *back = NULL, *inback = NULL;
	zn_journal_t *jn = zn_journal_new(NULL), *jback = NULL, *ijn = zn_journal_new(NULL);
	zn_journal_t *ijback = NULL;
	const char *ns1[] = {"ns1.beta.lab.", NULL},
	           *ns2[] = {"ns1.beta.lab.", "ns2.beta.lab.", NULL};
	cmb_apex_t a1, a2;
	hs_buf_t x = HS_BUF_INIT, y = HS_BUF_INIT;
	hs_errmsg_t em;
	uint8_t apex[WIRE_NAME_MAX];
	size_t alen;
	apex_wire(apex, &alen);
	hs_errmsg_clear(&em);
	ck_assert_int_eq(st_open(path, &st, &em), HS_OK);
	apex_of(in, ns1, &a1);
	apex_of(in, ns2, &a2);
	zn_zone_t *srv = served_first(in, &a1);
	ck_assert_int_eq(zn_store_snapshot(st, in, ijn, 1000), HS_OK);
	ck_assert_int_eq(zn_store_snapshot_as(st, "@served." APEX, srv, jn, 1000), HS_OK);
	/* one more version, as a journal row */
	zn_snap_t *cur = zn_zone_snapshot(srv), *is = zn_zone_snapshot(in);
	zn_diff_t *d = NULL;
	ck_assert_int_eq(cmb_served_diff(cur, is, is, &a2, &d), HS_OK);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(zn_update(srv, jn, d, 1001, &em), HS_OK);
	ck_assert_int_eq(zn_store_append_as(st, "@served." APEX, apex, alen, d, 1001), HS_OK);
	zn_diff_free(d);
	zn_snap_release(cur);
	zn_snap_release(is);
	st_close(st);
	st = NULL;
	/* the restart */
	ck_assert_int_eq(st_open(path, &st, &em), HS_OK);
	ck_assert_msg(zn_store_load_as(st, "@served." APEX, apex, alen, NULL, 1002, &back, &jback,
	                               &em) == HS_OK,
	              "%s", hs_errmsg_str(&em));
	ck_assert_int_eq(zn_store_load(st, apex, alen, NULL, 1002, &inback, &ijback, &em), HS_OK);
	bytes_of(srv, &x);
	bytes_of(back, &y);
	ck_assert_uint_eq(x.len, y.len);
	ck_assert_mem_eq(x.data, y.data, x.len);
	ck_assert_uint_eq(serial_of(back), 12);
	ck_assert_uint_eq(serial_of(inback), 10);      /* the inbound copy kept apart */
	ck_assert_uint_eq(zn_journal_count(jback), 1); /* IXFR from 11 still answerable */
	/* the first update after the restart: the whole zones compared, no change */
	ck_assert_int_eq(served_next(back, NULL, inback, &a2), 0);
	ck_assert_uint_eq(serial_of(back), 12);
	cmb_apex_clear(&a1);
	cmb_apex_clear(&a2);
	hs_buf_free(&x);
	hs_buf_free(&y);
	zn_zone_free(srv);
	zn_zone_free(back);
	zn_zone_free(inback);
	zn_zone_free(in);
	zn_journal_free(jn);
	zn_journal_free(jback);
	zn_journal_free(ijn);
	zn_journal_free(ijback);
	st_close(st);
	tu_rmtree(dir);
	free(dir);
	free(path);
}
END_TEST

/* A zone the combiner has not loaded (NULL apex): the owner's apex. */
START_TEST(test_no_apex)
{
	zn_zone_t *in = zone_of(base_zone, NULL);
	zn_zone_t *srv = served_first(in, NULL);
	ck_assert_uint_eq(ns_count(srv), 1);
	ck_assert_uint_eq(serial_of(srv), 11);
	ck_assert_int_eq(served_next(srv, NULL, in, NULL), 0);
	zn_zone_free(srv);
	zn_zone_free(in);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("combiner_served");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_serial);
	tcase_add_test(tc, test_first_version);
	tcase_add_test(tc, test_publish);
	tcase_add_test(tc, test_inbound_change);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_store_restart);
	tcase_add_test(tc, test_no_apex);
	tcase_add_test(tc, test_owner_signed_rule);
	tcase_add_test(tc, test_owner_signed_passthrough);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(suite)
