/*
 * Tests for src/zone/zxfr.h: transfer requests, AXFR/IXFR answers built
 * message by message, and the IXFR answer parser fed with them (a round
 * trip), plus the refusals a secondary must make (ZONE-n of
 * rfc-drafts/draft-hsync-zones.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/testutil.h"
#include "tests/zone/zn_test.h"
#include "util/log.h"
#include "zone/zxfr.h"

/* A query for example.test. of `qtype`; IXFR carries SOA `serial`. */
static void query(hs_buf_t *m, uint16_t id, uint16_t qtype, uint32_t serial)
{
	zt_name_t apex = zt_name("example.test.");
	uint8_t rd[64];
	m->len = 0;
	hs_buf_append_u16(m, id);
	hs_buf_append_u16(m, 0);
	hs_buf_append_u16(m, 1);
	hs_buf_append_u16(m, 0);
	hs_buf_append_u16(m, qtype == ZN_TYPE_IXFR ? 1 : 0);
	hs_buf_append_u16(m, 0);
	hs_buf_append(m, apex.w, apex.n);
	hs_buf_append_u16(m, qtype);
	hs_buf_append_u16(m, 1);
	if (qtype == ZN_TYPE_IXFR) {
		uint16_t l = zt_soa_rdata(rd, serial);
		hs_buf_append_u16(m, 0xC00C);
		hs_buf_append_u16(m, 6);
		hs_buf_append_u16(m, 1);
		hs_buf_append_u32(m, 3600);
		hs_buf_append_u16(m, l);
		hs_buf_append(m, rd, l);
	}
}

/* The zone at serial 10 with 300 records and a journal 10 -> 11 -> 12. */
static zn_zone_t *zone_with_journal(zn_journal_t **jout, zn_zone_t **at10)
{
	zn_zone_t *z = zt_zone(10, 300);
	zn_journal_t *j = zn_journal_new(NULL);
	*at10 = zt_zone(10, 300);
	zn_diff_t *d = zt_diff(10, 11);
	zt_diff_a(d, 0, "h5.example.test.", 0x0a000005);
	zt_diff_a(d, 1, "h5.example.test.", 0x0b000005);
	ck_assert_int_eq(zn_update(z, j, d, 1, NULL), HS_OK);
	zn_diff_free(d);
	d = zt_diff(11, 12);
	zt_diff_a(d, 1, "new.example.test.", 7);
	zt_diff_a(d, 0, "h6.example.test.", 0x0a000006);
	ck_assert_int_eq(zn_update(z, j, d, 2, NULL), HS_OK);
	zn_diff_free(d);
	*jout = j;
	return z;
}

/* Run the answer to `q` through the parser; returns the parser's final
 * code and leaves the parser in *pp. Checks every message's size. */
static int transfer(zn_zone_t *z, zn_journal_t *j, const hs_buf_t *q, const zn_out_opts_t *opts,
                    uint32_t ours, int axfr, zn_ixfr_t **pp, enum zn_out_kind *kind)
{
	zn_xfr_req_t req;
	zn_out_t *o = NULL;
	hs_buf_t m = HS_BUF_INIT;
	hs_errmsg_t em;
	zt_name_t apex = zt_name("example.test.");
	int rc = HS_E_AGAIN;
	ck_assert_int_eq(zn_xfr_req_parse(q->data, q->len, &req, NULL), HS_OK);
	zn_snap_t *s = zn_zone_snapshot(z);
	ck_assert_int_eq(zn_out_new(s, j, &req, opts, &o), HS_OK);
	zn_snap_release(s);
	*kind = zn_out_kind(o);
	ck_assert_int_eq(zn_ixfr_new(apex.w, apex.n, req.id, ours, axfr, NULL, pp), HS_OK);
	for (;;) {
		m.len = 0;
		int orc = zn_out_next(o, &m);
		if (orc == HS_E_NOTFOUND)
			break;
		ck_assert_int_eq(orc, HS_OK);
		if (opts && opts->max_msg)
			ck_assert_uint_le(m.len, opts->max_msg);
		ck_assert_int_eq(rc, HS_E_AGAIN);
		rc = zn_ixfr_feed(*pp, m.data, m.len, &em);
		ck_assert_msg(rc == HS_OK || rc == HS_E_AGAIN, "feed: %s", em.text);
	}
	zn_out_free(o);
	hs_buf_free(&m);
	return rc;
}

static void same_zone(zn_zone_t *a, zn_zone_t *b)
{
	zn_snap_t *sa = zn_zone_snapshot(a), *sb = zn_zone_snapshot(b);
	hs_buf_t x = HS_BUF_INIT, y = HS_BUF_INIT;
	zn_snap_encode(sa, &x);
	zn_snap_encode(sb, &y);
	ck_assert_uint_eq(x.len, y.len);
	ck_assert_mem_eq(x.data, y.data, x.len);
	zn_snap_release(sa);
	zn_snap_release(sb);
	hs_buf_free(&x);
	hs_buf_free(&y);
}

START_TEST(test_req_parse)
{
	hs_buf_t q = HS_BUF_INIT;
	zn_xfr_req_t r;
	hs_errmsg_t em;
	query(&q, 77, ZN_TYPE_IXFR, 1234);
	ck_assert_int_eq(zn_xfr_req_parse(q.data, q.len, &r, NULL), HS_OK);
	ck_assert_uint_eq(r.id, 77);
	ck_assert_uint_eq(r.qtype, ZN_TYPE_IXFR);
	ck_assert(r.has_serial);
	ck_assert_uint_eq(r.serial, 1234);
	query(&q, 78, ZN_TYPE_AXFR, 0);
	ck_assert_int_eq(zn_xfr_req_parse(q.data, q.len, &r, NULL), HS_OK);
	ck_assert(!r.has_serial);
	/* IXFR without its SOA */
	query(&q, 79, ZN_TYPE_AXFR, 0);
	q.data[q.len - 3] = ZN_TYPE_IXFR & 0xff;
	ck_assert_int_eq(zn_xfr_req_parse(q.data, q.len, &r, &em), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "without the client's SOA"));
	/* a response is not a request; garbage neither */
	query(&q, 80, ZN_TYPE_AXFR, 0);
	q.data[2] |= 0x80;
	ck_assert_int_eq(zn_xfr_req_parse(q.data, q.len, &r, NULL), HS_E_MALFORMED);
	ck_assert_int_eq(zn_xfr_req_parse(q.data, 5, &r, NULL), HS_E_MALFORMED);
	hs_buf_free(&q);
}
END_TEST

/* ZONE-1: AXFR, split over many messages, rebuilds the same zone. */
START_TEST(test_axfr_roundtrip)
{
	zn_journal_t *j;
	zn_zone_t *old, *z = zone_with_journal(&j, &old);
	hs_buf_t q = HS_BUF_INIT;
	zn_ixfr_t *p = NULL;
	zn_builder_t *b = NULL;
	enum zn_out_kind kind;
	zn_out_opts_t opts = {512, 0};
	query(&q, 5, ZN_TYPE_AXFR, 0);
	ck_assert_int_eq(transfer(z, j, &q, &opts, 0, 1, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_AXFR);
	ck_assert_int_eq(zn_ixfr_kind(p), ZN_IXFR_FULL);
	ck_assert_uint_gt(zn_ixfr_messages(p), 10);
	ck_assert_int_eq(zn_ixfr_take_full(p, &b), HS_OK);
	zt_name_t apex = zt_name("example.test.");
	zn_zone_t *copy = NULL;
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &copy), HS_OK);
	ck_assert_int_eq(zn_zone_set(copy, b, NULL), HS_OK);
	same_zone(z, copy);
	zn_zone_free(copy);
	zn_ixfr_free(p);
	zn_zone_free(old);
	zn_zone_free(z);
	zn_journal_free(j);
	hs_buf_free(&q);
}
END_TEST

/* ZONE-3: IXFR from serial 10 and 11 applies to the old version. */
START_TEST(test_ixfr_roundtrip)
{
	zn_journal_t *j;
	zn_zone_t *old, *z = zone_with_journal(&j, &old);
	hs_buf_t q = HS_BUF_INIT;
	zn_ixfr_t *p = NULL;
	zn_diff_t **diffs = NULL;
	size_t n = 0;
	enum zn_out_kind kind;
	query(&q, 6, ZN_TYPE_IXFR, 10);
	ck_assert_int_eq(transfer(z, j, &q, NULL, 10, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_IXFR);
	ck_assert_int_eq(zn_ixfr_kind(p), ZN_IXFR_INCREMENTAL);
	ck_assert_uint_eq(zn_ixfr_serial(p), 12);
	ck_assert_uint_eq(zn_ixfr_records(p), 2 + 2 * 2 + 4); /* SOA, 2 x (2 SOA), 4 RRs */
	ck_assert_int_eq(zn_ixfr_take_diffs(p, &diffs, &n), HS_OK);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(zn_apply(old, diffs[i], NULL), HS_OK);
		zn_diff_free(diffs[i]);
	}
	free(diffs);
	same_zone(z, old);
	zn_ixfr_free(p);

	/* from 11: one difference */
	query(&q, 7, ZN_TYPE_IXFR, 11);
	ck_assert_int_eq(transfer(z, j, &q, NULL, 11, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(zn_ixfr_take_diffs(p, &diffs, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	zn_diff_free(diffs[0]);
	free(diffs);
	zn_ixfr_free(p);

	zn_zone_free(old);
	zn_zone_free(z);
	zn_journal_free(j);
	hs_buf_free(&q);
}
END_TEST

/* ZONE-2, ZONE-4, ZONE-5: up to date, too old, UDP. */
START_TEST(test_ixfr_forms)
{
	zn_journal_t *j;
	zn_zone_t *old, *z = zone_with_journal(&j, &old);
	hs_buf_t q = HS_BUF_INIT;
	zn_ixfr_t *p = NULL;
	enum zn_out_kind kind;

	query(&q, 8, ZN_TYPE_IXFR, 12); /* same serial */
	ck_assert_int_eq(transfer(z, j, &q, NULL, 12, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_UPTODATE);
	ck_assert_int_eq(zn_ixfr_kind(p), ZN_IXFR_UPTODATE);
	ck_assert_uint_eq(zn_ixfr_records(p), 1);
	zn_ixfr_free(p);

	query(&q, 9, ZN_TYPE_IXFR, 20); /* newer than ours */
	ck_assert_int_eq(transfer(z, j, &q, NULL, 20, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_UPTODATE);
	zn_ixfr_free(p);

	query(&q, 10, ZN_TYPE_IXFR, 3); /* older than the journal */
	ck_assert_int_eq(transfer(z, j, &q, NULL, 3, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_IXFR_AXFR);
	ck_assert_int_eq(zn_ixfr_kind(p), ZN_IXFR_FULL);
	ck_assert_uint_eq(zn_ixfr_records(p), 302); /* SOA, 300 - 1 + 1, new, SOA */
	zn_ixfr_free(p);

	zn_out_opts_t udp = {512, 1};
	query(&q, 11, ZN_TYPE_IXFR, 11); /* fits in 512 */
	ck_assert_int_eq(transfer(z, j, &q, &udp, 11, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_IXFR);
	ck_assert_uint_eq(zn_ixfr_messages(p), 1);
	zn_ixfr_free(p);
	udp.max_msg = 120; /* does not: the SOA alone */
	ck_assert_int_eq(transfer(z, j, &q, &udp, 11, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_UDP_TOO_BIG);
	ck_assert_int_eq(zn_ixfr_kind(p), ZN_IXFR_UPTODATE);
	ck_assert_uint_eq(zn_ixfr_serial(p), 12);
	zn_ixfr_free(p);
	query(&q, 12, ZN_TYPE_IXFR, 3); /* too old over UDP: SOA alone */
	udp.max_msg = 512;
	ck_assert_int_eq(transfer(z, j, &q, &udp, 3, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_UDP_TOO_BIG);
	zn_ixfr_free(p);

	/* no journal at all: the whole zone */
	query(&q, 13, ZN_TYPE_IXFR, 11);
	ck_assert_int_eq(transfer(z, NULL, &q, NULL, 11, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_IXFR_AXFR);
	zn_ixfr_free(p);

	zn_zone_free(old);
	zn_zone_free(z);
	zn_journal_free(j);
	hs_buf_free(&q);
}
END_TEST

/* Build one answer message by hand: SOAs by serial (0 = none), A records. */
struct rec {
	uint16_t type;
	uint32_t v; /* serial for SOA, address for A */
	const char *owner;
};

static void answer(hs_buf_t *m, uint16_t id, uint16_t rcode, const struct rec *r, size_t n)
{
	zt_name_t apex = zt_name("example.test.");
	m->len = 0;
	hs_buf_append_u16(m, id);
	hs_buf_append_u16(m, (uint16_t)(0x8400 | rcode));
	hs_buf_append_u16(m, 1);
	hs_buf_append_u16(m, (uint16_t)n);
	hs_buf_append_u16(m, 0);
	hs_buf_append_u16(m, 0);
	hs_buf_append(m, apex.w, apex.n);
	hs_buf_append_u16(m, ZN_TYPE_IXFR);
	hs_buf_append_u16(m, 1);
	for (size_t i = 0; i < n; i++) {
		zt_name_t o = zt_name(r[i].owner ? r[i].owner : "example.test.");
		hs_buf_append(m, o.w, o.n);
		hs_buf_append_u16(m, r[i].type);
		hs_buf_append_u16(m, 1);
		hs_buf_append_u32(m, 300);
		if (r[i].type == T_SOA) {
			uint8_t rd[64];
			uint16_t l = zt_soa_rdata(rd, r[i].v);
			hs_buf_append_u16(m, l);
			hs_buf_append(m, rd, l);
		} else {
			hs_buf_append_u16(m, 4);
			hs_buf_append_u32(m, r[i].v);
		}
	}
}

static int parse_one(const struct rec *r, size_t n, uint16_t rcode, uint32_t ours, hs_errmsg_t *em,
                     zn_ixfr_t **pp)
{
	hs_buf_t m = HS_BUF_INIT;
	zt_name_t apex = zt_name("example.test.");
	answer(&m, 42, rcode, r, n);
	ck_assert_int_eq(zn_ixfr_new(apex.w, apex.n, 42, ours, 0, NULL, pp), HS_OK);
	int rc = zn_ixfr_feed(*pp, m.data, m.len, em);
	hs_buf_free(&m);
	return rc;
}

/* ZONE-10, ZONE-13: bad input refused with a reason; the zone keeps its version. */
START_TEST(test_ixfr_bad)
{
	zn_ixfr_t *p = NULL;
	hs_errmsg_t em;
	zn_diff_t **diffs;
	size_t n;

	/* deletions that do not match the zone: parses, zn_apply refuses */
	static const struct rec nomatch[] = {
	    {T_SOA, 11, 0}, {T_SOA, 10, 0}, {T_A, 0x09090909, "h1.example.test."},
	    {T_SOA, 11, 0}, {T_SOA, 11, 0},
	};
	ck_assert_int_eq(parse_one(nomatch, 5, 0, 10, &em, &p), HS_OK);
	ck_assert_int_eq(zn_ixfr_take_diffs(p, &diffs, &n), HS_OK);
	zn_zone_t *z = zt_zone(10, 5);
	zn_snap_t *before = zn_zone_snapshot(z);
	ck_assert_int_eq(zn_apply(z, diffs[0], &em), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "deleted record does not exist"));
	zn_snap_t *after = zn_zone_snapshot(z);
	ck_assert_ptr_eq(before, after);
	zn_snap_release(before);
	zn_snap_release(after);
	zn_diff_free(diffs[0]);
	free(diffs);
	zn_zone_free(z);
	zn_ixfr_free(p);

	/* a serial going backwards inside the answer */
	static const struct rec back[] = {
	    {T_SOA, 11, 0},
	    {T_SOA, 10, 0},
	    {T_SOA, 9, 0},
	    {T_SOA, 11, 0},
	};
	ck_assert_int_eq(parse_one(back, 4, 0, 10, &em, &p), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "is not after"));
	ck_assert_int_eq(zn_ixfr_feed(p, (const uint8_t *)"x", 1, &em), HS_E_STATE);
	zn_ixfr_free(p);

	/* interleaved: the second difference does not start where the first ended */
	static const struct rec gap[] = {
	    {T_SOA, 13, 0}, {T_SOA, 10, 0}, {T_SOA, 11, 0},
	    {T_SOA, 12, 0}, {T_SOA, 13, 0}, {T_SOA, 13, 0},
	};
	ck_assert_int_eq(parse_one(gap, 6, 0, 10, &em, &p), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "does not follow"));
	zn_ixfr_free(p);

	/* a difference from another serial than ours */
	static const struct rec other[] = {
	    {T_SOA, 13, 0},
	    {T_SOA, 9, 0},
	    {T_SOA, 13, 0},
	    {T_SOA, 13, 0},
	};
	ck_assert_int_eq(parse_one(other, 4, 0, 10, &em, &p), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "we are at serial 10"));
	zn_ixfr_free(p);

	/* truncated: the closing SOA never comes */
	static const struct rec trunc[] = {
	    {T_SOA, 11, 0},
	    {T_SOA, 10, 0},
	    {T_SOA, 11, 0},
	    {T_A, 1, "x.example.test."},
	};
	ck_assert_int_eq(parse_one(trunc, 4, 0, 10, &em, &p), HS_E_AGAIN);
	ck_assert_int_eq(zn_ixfr_take_diffs(p, &diffs, &n), HS_E_STATE);
	zn_ixfr_free(p);

	/* owner outside the zone */
	static const struct rec outside[] = {
	    {T_SOA, 11, 0},
	    {T_SOA, 10, 0},
	    {T_SOA, 11, 0},
	    {T_A, 1, "x.example.org."},
	};
	ck_assert_int_eq(parse_one(outside, 4, 0, 10, &em, &p), HS_E_MALFORMED);
	ck_assert_ptr_nonnull(strstr(em.text, "outside the zone"));
	zn_ixfr_free(p);

	/* records after the end */
	static const struct rec after_end[] = {
	    {T_SOA, 11, 0}, {T_SOA, 10, 0}, {T_SOA, 11, 0}, {T_SOA, 11, 0}, {T_A, 1, 0},
	};
	ck_assert_int_eq(parse_one(after_end, 5, 0, 10, &em, &p), HS_E_MALFORMED);
	zn_ixfr_free(p);

	/* NOTIMP: refused, the caller falls back to AXFR */
	static const struct rec none[] = {{T_SOA, 11, 0}};
	ck_assert_int_eq(parse_one(none, 1, 4, 10, &em, &p), HS_E_REFUSED);
	ck_assert_ptr_nonnull(strstr(em.text, "NOTIMP"));
	zn_ixfr_free(p);

	/* wrong id */
	hs_buf_t m = HS_BUF_INIT;
	zt_name_t apex = zt_name("example.test.");
	answer(&m, 43, 0, none, 1);
	ck_assert_int_eq(zn_ixfr_new(apex.w, apex.n, 42, 10, 0, NULL, &p), HS_OK);
	ck_assert_int_eq(zn_ixfr_feed(p, m.data, m.len, &em), HS_E_MALFORMED);
	zn_ixfr_free(p);
	hs_buf_free(&m);
}
END_TEST

/* ZONE-6: a transfer started before zn_apply streams the old version. */
START_TEST(test_stream_during_apply)
{
	zn_journal_t *j;
	zn_zone_t *old, *z = zone_with_journal(&j, &old);
	hs_buf_t q = HS_BUF_INIT, m = HS_BUF_INIT;
	zn_xfr_req_t req;
	zn_out_t *o = NULL;
	zn_ixfr_t *p = NULL;
	zn_builder_t *b = NULL;
	zt_name_t apex = zt_name("example.test.");
	zn_out_opts_t opts = {512, 0};
	query(&q, 14, ZN_TYPE_AXFR, 0);
	ck_assert_int_eq(zn_xfr_req_parse(q.data, q.len, &req, NULL), HS_OK);
	zn_snap_t *s = zn_zone_snapshot(z);
	ck_assert_int_eq(zn_out_new(s, j, &req, &opts, &o), HS_OK);
	zn_snap_release(s);
	ck_assert_int_eq(zn_ixfr_new(apex.w, apex.n, 14, 0, 1, NULL, &p), HS_OK);
	int rc = HS_E_AGAIN, first = 1;
	zn_zone_t *expect = zt_zone(10, 0);
	/* the version being streamed, kept apart for the comparison */
	zn_snap_t *v12 = zn_zone_snapshot(z);
	while ((m.len = 0, zn_out_next(o, &m)) == HS_OK) {
		rc = zn_ixfr_feed(p, m.data, m.len, NULL);
		if (first) {
			/* change the zone while the answer is under way */
			zn_diff_t *d = zt_diff(12, 13);
			for (unsigned i = 100; i < 200; i++) {
				char owner[64];
				snprintf(owner, sizeof(owner), "h%u.example.test.", i);
				zt_diff_a(d, 0, owner, 0x0a000000u + i);
			}
			ck_assert_int_eq(zn_update(z, j, d, 3, NULL), HS_OK);
			zn_diff_free(d);
			first = 0;
		}
	}
	ck_assert_int_eq(rc, HS_OK);
	ck_assert_int_eq(zn_ixfr_take_full(p, &b), HS_OK);
	ck_assert_int_eq(zn_zone_set(expect, b, NULL), HS_OK);
	zn_snap_t *got = zn_zone_snapshot(expect);
	zn_diff_t *d = NULL;
	ck_assert_int_eq(zn_diff_snaps(v12, got, &d), HS_OK);
	ck_assert_uint_eq(zn_diff_ndel(d) + zn_diff_nadd(d), 0);
	ck_assert_uint_eq(zn_snap_serial(got), 12);
	zn_diff_free(d);
	zn_snap_release(got);
	zn_snap_release(v12);
	zn_zone_free(expect);
	zn_ixfr_free(p);
	zn_out_free(o);
	zn_zone_free(old);
	zn_zone_free(z);
	zn_journal_free(j);
	hs_buf_free(&q);
	hs_buf_free(&m);
}
END_TEST

/* ZONE-15: a signed zone whose RRSIGs at one name cover types of different
 * TTLs goes out by AXFR and comes back the same, TTLs included; an IXFR
 * that changes one covered type's TTL applies to the old copy exactly. */
START_TEST(test_xfr_rrsig_ttls)
{
	zn_zone_t *z = zt_signed_zone(10), *copy = NULL;
	zn_journal_t *j = zn_journal_new(NULL);
	zn_diff_t *d = zt_diff(10, 11);
	zt_sig(NULL, d, 0, "www.example.test.", T_A, 300, 11);
	zt_sig(NULL, d, 0, "www.example.test.", T_A, 300, 22);
	zt_sig(NULL, d, 1, "www.example.test.", T_A, 150, 11);
	zt_sig(NULL, d, 1, "www.example.test.", T_A, 150, 22);
	hs_buf_t q = HS_BUF_INIT;
	zn_ixfr_t *p = NULL;
	zn_builder_t *b = NULL;
	zn_diff_t **diffs = NULL;
	size_t n = 0;
	enum zn_out_kind kind;
	zn_out_opts_t opts = {512, 0};
	zt_name_t apex = zt_name("example.test.");

	query(&q, 5, ZN_TYPE_AXFR, 0);
	ck_assert_int_eq(transfer(z, j, &q, &opts, 0, 1, &p, &kind), HS_OK);
	ck_assert_int_eq(zn_ixfr_take_full(p, &b), HS_OK);
	zn_ixfr_free(p);
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &copy), HS_OK);
	ck_assert_int_eq(zn_zone_set(copy, b, NULL), HS_OK);
	same_zone(z, copy);

	ck_assert_int_eq(zn_update(z, j, d, 1, NULL), HS_OK);
	zn_diff_free(d);
	query(&q, 6, ZN_TYPE_IXFR, 10);
	ck_assert_int_eq(transfer(z, j, &q, NULL, 10, 0, &p, &kind), HS_OK);
	ck_assert_int_eq(kind, ZN_OUT_IXFR);
	ck_assert_int_eq(zn_ixfr_take_diffs(p, &diffs, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(zn_apply(copy, diffs[0], NULL), HS_OK);
	zn_diff_free(diffs[0]);
	free(diffs);
	zn_ixfr_free(p);
	same_zone(z, copy);
	/* and the NSEC's RRSIGs still say 60 */
	zn_snap_t *s = zn_zone_snapshot(copy);
	zn_rrset_t set;
	zt_name_t www = zt_name("www.example.test.");
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	uint32_t ttl;
	ck_assert_int_eq(zn_snap_find(s, www.w, www.n, T_RRSIG, &set, NULL), HS_OK);
	while (zn_rrset_next_rr(&set, &off, &rd, &rl, &ttl))
		ck_assert_uint_eq(ttl, rd[1] == T_A ? 150 : 60);
	zn_snap_release(s);
	zn_zone_free(copy);
	zn_zone_free(z);
	zn_journal_free(j);
	hs_buf_free(&q);
}
END_TEST

static Suite *zxfr_suite(void)
{
	Suite *s = suite_create("zone_xfr");
	TCase *tc = tcase_create("core");
	hs_log_set_level(HS_LOG_ERR);
	tcase_add_test(tc, test_req_parse);
	tcase_add_test(tc, test_axfr_roundtrip);
	tcase_add_test(tc, test_xfr_rrsig_ttls);
	tcase_add_test(tc, test_ixfr_roundtrip);
	tcase_add_test(tc, test_ixfr_forms);
	tcase_add_test(tc, test_ixfr_bad);
	tcase_add_test(tc, test_stream_during_apply);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(zxfr_suite)
