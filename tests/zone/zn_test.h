/*
 * zn_test.h -- helpers shared by the zone check suites: names from text,
 * SOA RDATA, records, and small zones.
 */
#ifndef HS_TESTS_ZN_TEST_H
#define HS_TESTS_ZN_TEST_H

#include <check.h>
#include <string.h>

#include "wire/text.h"
#include "zone/zone.h"

#define T_A     1
#define T_NS    2
#define T_SOA   6
#define T_TXT   16
#define T_AAAA  28
#define T_RRSIG 46
#define T_NSEC  47

typedef struct zt_name {
	uint8_t w[WIRE_NAME_MAX];
	size_t n;
} zt_name_t;

static inline zt_name_t zt_name(const char *s)
{
	zt_name_t r;
	ck_assert_int_eq(hs_name_from_text(s, strlen(s), r.w, &r.n), HS_OK);
	return r;
}

/* SOA RDATA "ns.<apex> h.<apex> serial 3600 600 86400 300" into buf (>= 64). */
static inline uint16_t zt_soa_rdata(uint8_t *buf, uint32_t serial)
{
	static const uint8_t mn[] = "\002ns\007example\004test";
	static const uint8_t rn[] = "\001h\007example\004test";
	size_t o = 0;
	memcpy(buf + o, mn, sizeof(mn));
	o += sizeof(mn);
	memcpy(buf + o, rn, sizeof(rn));
	o += sizeof(rn);
	uint32_t v[5] = {serial, 3600, 600, 86400, 300};
	for (int i = 0; i < 5; i++) {
		buf[o++] = (uint8_t)(v[i] >> 24);
		buf[o++] = (uint8_t)(v[i] >> 16);
		buf[o++] = (uint8_t)(v[i] >> 8);
		buf[o++] = (uint8_t)v[i];
	}
	return (uint16_t)o;
}

/* A record with owner text (kept in `nm`), type, ttl, RDATA. */
static inline zn_rr_t zt_rr(zt_name_t *nm, const char *owner, uint16_t type, uint32_t ttl,
                            const void *rd, uint16_t rdlen)
{
	*nm = zt_name(owner);
	zn_rr_t rr = {nm->w, nm->n, type, ttl, rd, rdlen};
	return rr;
}

/* Add an A record owner/a.b.c.d to a builder. */
static inline void zt_add_a(zn_builder_t *b, const char *owner, uint32_t addr)
{
	zt_name_t nm;
	uint8_t rd[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
	                 (uint8_t)addr};
	zn_rr_t rr = zt_rr(&nm, owner, T_A, 300, rd, 4);
	ck_assert_int_eq(zn_builder_add(b, &rr, NULL), HS_OK);
}

static inline void zt_add_soa(zn_builder_t *b, uint32_t serial)
{
	zt_name_t nm;
	uint8_t rd[64];
	uint16_t l = zt_soa_rdata(rd, serial);
	zn_rr_t rr = zt_rr(&nm, "example.test.", T_SOA, 3600, rd, l);
	ck_assert_int_eq(zn_builder_add(b, &rr, NULL), HS_OK);
}

/* The zone example.test. at `serial` with `n` A records hN.example.test. */
static inline zn_zone_t *zt_zone(uint32_t serial, unsigned n)
{
	zt_name_t apex = zt_name("example.test.");
	zn_zone_t *z = NULL;
	char owner[64];
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &z), HS_OK);
	zn_builder_t *b = zn_builder_new(apex.w, apex.n);
	zt_add_soa(b, serial);
	for (unsigned i = 0; i < n; i++) {
		snprintf(owner, sizeof(owner), "h%u.example.test.", i);
		zt_add_a(b, owner, 0x0a000000u + i);
	}
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);
	return z;
}

/* A diff from..to (SOAs only). */
static inline zn_diff_t *zt_diff(uint32_t from, uint32_t to)
{
	uint8_t rd[64];
	zn_diff_t *d = zn_diff_new();
	uint16_t l = zt_soa_rdata(rd, from);
	ck_assert_int_eq(zn_diff_set_from(d, 3600, rd, l), HS_OK);
	l = zt_soa_rdata(rd, to);
	ck_assert_int_eq(zn_diff_set_to(d, 3600, rd, l), HS_OK);
	return d;
}

static inline void zt_diff_a(zn_diff_t *d, int add, const char *owner, uint32_t addr)
{
	zt_name_t nm;
	uint8_t rd[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
	                 (uint8_t)addr};
	zn_rr_t rr = zt_rr(&nm, owner, T_A, 300, rd, 4);
	ck_assert_int_eq(add ? zn_diff_add(d, &rr) : zn_diff_del(d, &rr), HS_OK);
}

/* RRSIG RDATA covering `covered` by key `tag` (signer example.test., a
 * made-up 8-octet signature) into buf (>= 64). */
static inline uint16_t zt_sig_rdata(uint8_t *buf, uint16_t covered, uint32_t orig_ttl, uint16_t tag)
{
	static const uint8_t signer[] = "\007example\004test";
	size_t o = 0;
	buf[o++] = (uint8_t)(covered >> 8);
	buf[o++] = (uint8_t)covered;
	buf[o++] = 13; /* ECDSAP256SHA256 */
	buf[o++] = 3;
	uint32_t v[3] = {orig_ttl, 2000000000u, 1000000000u};
	for (int i = 0; i < 3; i++) {
		buf[o++] = (uint8_t)(v[i] >> 24);
		buf[o++] = (uint8_t)(v[i] >> 16);
		buf[o++] = (uint8_t)(v[i] >> 8);
		buf[o++] = (uint8_t)v[i];
	}
	buf[o++] = (uint8_t)(tag >> 8);
	buf[o++] = (uint8_t)tag;
	memcpy(buf + o, signer, sizeof(signer));
	o += sizeof(signer);
	memset(buf + o, 0xab, 8);
	return (uint16_t)(o + 8);
}

/* An RRSIG at `owner` covering `covered` with TTL `ttl` (also its
 * original TTL) by key `tag`: into builder `b` or diff `d` (add or del). */
static inline void zt_sig(zn_builder_t *b, zn_diff_t *d, int add, const char *owner,
                          uint16_t covered, uint32_t ttl, uint16_t tag)
{
	zt_name_t nm;
	uint8_t rd[64];
	uint16_t l = zt_sig_rdata(rd, covered, ttl, tag);
	zn_rr_t rr = zt_rr(&nm, owner, T_RRSIG, ttl, rd, l);
	if (b)
		ck_assert_int_eq(zn_builder_add(b, &rr, NULL), HS_OK);
	else
		ck_assert_int_eq(add ? zn_diff_add(d, &rr) : zn_diff_del(d, &rr), HS_OK);
}

/* The zone example.test. at `serial` signed the way the probe of setup C
 * found broken: at www an A (300 s) and an NSEC (60 s), each with RRSIGs
 * by two keys of its TTL; at the apex the SOA's RRSIG (3600 s). */
static inline zn_zone_t *zt_signed_zone(uint32_t serial)
{
	zt_name_t apex = zt_name("example.test."), nm;
	zn_zone_t *z = NULL;
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &z), HS_OK);
	zn_builder_t *b = zn_builder_new(apex.w, apex.n);
	zt_add_soa(b, serial);
	zt_add_a(b, "www.example.test.", 0x0a000001);
	static const uint8_t nsec[] =
	    "\003www\007example\004test\000\000\006\100\000\000\000\000\003";
	zn_rr_t rr = zt_rr(&nm, "www.example.test.", T_NSEC, 60, nsec, sizeof(nsec) - 1);
	ck_assert_int_eq(zn_builder_add(b, &rr, NULL), HS_OK);
	zt_sig(b, NULL, 1, "www.example.test.", T_NSEC, 60, 11);
	zt_sig(b, NULL, 1, "www.example.test.", T_A, 300, 11);
	zt_sig(b, NULL, 1, "www.example.test.", T_A, 300, 22);
	zt_sig(b, NULL, 1, "www.example.test.", T_NSEC, 60, 22);
	zt_sig(b, NULL, 1, "example.test.", T_SOA, 3600, 11);
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);
	return z;
}

#endif
