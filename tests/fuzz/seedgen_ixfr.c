/*
 * seedgen_ixfr.c -- writes the seed corpus of fuzz_ixfr_stream from the
 * zone machinery's own answers (not built by make; run by hand after a
 * format change):
 *   cc -Isrc -I. tests/fuzz/seedgen_ixfr.c build/libhsync.a $(pkg-config
 *      --libs openssl ldns msgpack libevent sqlite3) -lm -o /tmp/seedgen
 *   /tmp/seedgen tests/fuzz/corpus/fuzz_ixfr_stream
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone/zxfr.h"

static const uint8_t apex[] = "\007example\004test";
static const uint8_t mn[] = "\002ns\007example\004test";

static uint16_t soa(uint8_t *b, uint32_t serial)
{
	size_t o = 0;
	memcpy(b, mn, sizeof(mn));
	o = sizeof(mn);
	memcpy(b + o, mn, sizeof(mn));
	o += sizeof(mn);
	uint32_t v[5] = {serial, 3600, 600, 86400, 300};
	for (int i = 0; i < 5; i++) {
		b[o++] = (uint8_t)(v[i] >> 24);
		b[o++] = (uint8_t)(v[i] >> 16);
		b[o++] = (uint8_t)(v[i] >> 8);
		b[o++] = (uint8_t)v[i];
	}
	return (uint16_t)o;
}

static void must(int rc)
{
	if (rc != HS_OK) {
		fprintf(stderr, "seedgen: %s\n", hs_strerror(rc));
		exit(1);
	}
}

static zn_diff_t *diff(uint32_t from, uint32_t to)
{
	uint8_t b[64];
	zn_diff_t *d = zn_diff_new();
	uint16_t l = soa(b, from);
	must(zn_diff_set_from(d, 3600, b, l));
	l = soa(b, to);
	must(zn_diff_set_to(d, 3600, b, l));
	return d;
}

static void write_seed(const char *dir, const char *name, zn_zone_t *z, zn_journal_t *j,
                       uint16_t qtype, uint32_t ours, size_t max_msg, int corrupt)
{
	char path[512];
	uint8_t q[128];
	size_t o = 0;
	hs_buf_t all = HS_BUF_INIT, m = HS_BUF_INIT;
	zn_xfr_req_t req;
	zn_out_t *out = NULL;
	uint8_t b[64];
	/* the query, so that the answer is made the way a server makes it */
	memcpy(q, "\x12\x34\0\0\0\1\0\0\0\0\0\0", 12);
	o = 12;
	memcpy(q + o, apex, sizeof(apex));
	o += sizeof(apex);
	q[o++] = (uint8_t)(qtype >> 8);
	q[o++] = (uint8_t)qtype;
	q[o++] = 0;
	q[o++] = 1;
	if (qtype == ZN_TYPE_IXFR) {
		q[9] = 1;
		uint16_t l = soa(b, ours);
		memcpy(q + o, "\xc0\x0c\0\6\0\1\0\0\x0e\x10", 10);
		o += 10;
		q[o++] = (uint8_t)(l >> 8);
		q[o++] = (uint8_t)l;
		memcpy(q + o, b, l);
		o += l;
	}
	must(zn_xfr_req_parse(q, o, &req, NULL));
	zn_snap_t *s = zn_zone_snapshot(z);
	zn_out_opts_t opts = {max_msg, 0};
	must(zn_out_new(s, j, &req, &opts, &out));
	zn_snap_release(s);
	hs_buf_append_u16(&all, 0x1234);
	hs_buf_append_u32(&all, ours);
	hs_buf_append_u8(&all, qtype == ZN_TYPE_AXFR);
	while ((m.len = 0, zn_out_next(out, &m)) == HS_OK) {
		if (corrupt && m.len > 40)
			m.data[m.len - 1] ^= 0x55; /* the last record's RDATA */
		hs_buf_append_u16(&all, (uint16_t)m.len);
		hs_buf_append(&all, m.data, m.len);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(all.data, 1, all.len, f) != all.len || fclose(f) != 0)
		exit(1);
	zn_out_free(out);
	hs_buf_free(&all);
	hs_buf_free(&m);
}

/* RRSIG RDATA covering `covered` (original TTL `ttl`, key tag `tag`, a
 * made-up signature) into b. */
static uint16_t sig(uint8_t *b, uint16_t covered, uint32_t ttl, uint16_t tag)
{
	static const uint8_t fixed[] = {13,   2,    0,    0,    0,    0,    0x77,
	                                0x35, 0x94, 0x00, 0x3b, 0x9a, 0xca, 0x00};
	size_t o = 0;
	b[o++] = (uint8_t)(covered >> 8);
	b[o++] = (uint8_t)covered;
	memcpy(b + o, fixed, sizeof(fixed));
	b[o + 2] = (uint8_t)(ttl >> 24);
	b[o + 3] = (uint8_t)(ttl >> 16);
	b[o + 4] = (uint8_t)(ttl >> 8);
	b[o + 5] = (uint8_t)ttl;
	o += sizeof(fixed);
	b[o++] = (uint8_t)(tag >> 8);
	b[o++] = (uint8_t)tag;
	memcpy(b + o, apex, sizeof(apex));
	o += sizeof(apex);
	memset(b + o, 0xab, 16);
	return (uint16_t)(o + 16);
}

/* ZONE-15: a signed zone whose RRSIGs at one name cover RRsets of
 * different TTLs (A 300, NSEC 60), by AXFR, and an IXFR that changes the
 * A's TTL and its RRSIG's. */
static void rrsig_seeds(const char *dir)
{
	static const uint8_t www[] = "\003www\007example\004test";
	static const uint8_t nsec[] = "\007example\004test\000\000\006\100\000\000\000\000\003";
	uint8_t b[64], s1[128], s2[128], s3[128];
	zn_zone_t *z = NULL;
	must(zn_zone_new(apex, sizeof(apex), &z));
	zn_builder_t *bl = zn_builder_new(apex, sizeof(apex));
	uint16_t l = soa(b, 20), l1 = sig(s1, 1, 300, 7), l2 = sig(s2, 47, 60, 7),
	         l3 = sig(s3, 1, 120, 7);
	zn_rr_t rrs[] = {
	    {apex, sizeof(apex), 6, 3600, b, l},
	    {apex, sizeof(apex), 2, 3600, mn, sizeof(mn)},
	    {www, sizeof(www), 1, 300, (const uint8_t *)"\x0a\0\0\1", 4},
	    {www, sizeof(www), 47, 60, nsec, sizeof(nsec) - 1},
	    {www, sizeof(www), 46, 300, s1, l1},
	    {www, sizeof(www), 46, 60, s2, l2},
	};
	for (size_t i = 0; i < sizeof(rrs) / sizeof(rrs[0]); i++)
		must(zn_builder_add(bl, &rrs[i], NULL));
	must(zn_zone_set(z, bl, NULL));
	zn_journal_t *j = zn_journal_new(NULL);
	zn_diff_t *d = diff(20, 21);
	zn_rr_t a_old = rrs[2], a_new = rrs[2], sig_new = rrs[4];
	a_new.ttl = 120;
	sig_new.ttl = 120;
	sig_new.rdata = s3;
	sig_new.rdlen = l3;
	must(zn_diff_del(d, &a_old));
	must(zn_diff_del(d, &rrs[4]));
	must(zn_diff_add(d, &a_new));
	must(zn_diff_add(d, &sig_new));
	must(zn_update(z, j, d, 1, NULL));
	zn_diff_free(d);
	write_seed(dir, "axfr-rrsig-ttls", z, j, ZN_TYPE_AXFR, 0, 0, 0);
	write_seed(dir, "ixfr-rrsig-ttl", z, j, ZN_TYPE_IXFR, 20, 0, 0);
	zn_journal_free(j);
	zn_zone_free(z);
}

int main(int argc, char **argv)
{
	static const uint8_t h1[] = "\002h1\007example\004test";
	static const uint8_t h2[] = "\002h2\007example\004test";
	static const uint8_t mx[] = "\002mx\007example\004test";
	uint8_t b[64];
	zn_zone_t *z = NULL;
	if (argc != 2)
		return 2;
	must(zn_zone_new(apex, sizeof(apex), &z));
	zn_builder_t *bl = zn_builder_new(apex, sizeof(apex));
	uint16_t l = soa(b, 10);
	zn_rr_t rrs[] = {
	    {apex, sizeof(apex), 6, 3600, b, l},
	    {apex, sizeof(apex), 2, 3600, mn, sizeof(mn)},
	    {h1, sizeof(h1), 1, 300, (const uint8_t *)"\x0a\0\0\1", 4},
	    {h1, sizeof(h1), 1, 300, (const uint8_t *)"\x0a\0\0\2", 4},
	};
	for (size_t i = 0; i < 4; i++)
		must(zn_builder_add(bl, &rrs[i], NULL));
	must(zn_zone_set(z, bl, NULL));
	zn_journal_t *j = zn_journal_new(NULL);
	zn_diff_t *d = diff(10, 11);
	zn_rr_t del = {h1, sizeof(h1), 1, 300, (const uint8_t *)"\x0a\0\0\1", 4};
	zn_rr_t add = {
	    h2, sizeof(h2), 28, 300, (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1",
	    16};
	must(zn_diff_del(d, &del));
	must(zn_diff_add(d, &add));
	must(zn_update(z, j, d, 1, NULL));
	zn_diff_free(d);
	d = diff(11, 12);
	zn_rr_t mxr = {
	    apex, sizeof(apex), 15, 300, (const uint8_t *)"\0\012\002mx\007example\004test", 20};
	zn_rr_t txt = {mx, sizeof(mx), 16, 300, (const uint8_t *)"\005hello", 6};
	must(zn_diff_add(d, &mxr));
	must(zn_diff_add(d, &txt));
	must(zn_update(z, j, d, 2, NULL));
	zn_diff_free(d);
	write_seed(argv[1], "ixfr-incremental", z, j, ZN_TYPE_IXFR, 10, 0, 0);
	write_seed(argv[1], "ixfr-one-step", z, j, ZN_TYPE_IXFR, 11, 0, 0);
	write_seed(argv[1], "ixfr-split", z, j, ZN_TYPE_IXFR, 10, 130, 0);
	write_seed(argv[1], "ixfr-uptodate", z, j, ZN_TYPE_IXFR, 12, 0, 0);
	write_seed(argv[1], "ixfr-axfr-style", z, j, ZN_TYPE_IXFR, 3, 0, 0);
	write_seed(argv[1], "axfr", z, j, ZN_TYPE_AXFR, 0, 0, 0);
	write_seed(argv[1], "ixfr-corrupt", z, j, ZN_TYPE_IXFR, 10, 0, 1);
	zn_journal_free(j);
	zn_zone_free(z);
	rrsig_seeds(argv[1]);
	return 0;
}
