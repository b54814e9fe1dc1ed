/*
 * zone_int.h -- private structures of the zone machinery (src/zone only).
 *
 * A node is one allocation: the header, the owner's key, then its RRsets.
 * The key is the owner name relative to the apex with its labels in
 * reverse order (each still length-prefixed, lowercase), so that the
 * canonical order of RFC 4034 6.1 is a label-by-label comparison from the
 * first octet; the apex has the empty key.
 *
 * An RRset in a node: a 12-octet header (type, count, ttl, octets of the
 * RDATAs that follow, host byte order) then, per RDATA, a 2-octet length
 * (host order) and the octets. RRsets sorted by type, RDATAs by octets.
 *
 * RRSIG is the exception (RFC 4034 3: an RRSIG's TTL is the TTL of the
 * RRset it covers, so RRSIGs at one name covering types of different TTLs
 * have different TTLs): each RRSIG RDATA is preceded by its length and
 * its own 4-octet TTL (host order). RDATAs are sorted by octets, so the
 * RRSIGs covering one type are adjacent (the covered type leads the
 * RDATA); they share one TTL (RFC 2181 5.2 per covered type). The
 * header's TTL is the first RDATA's.
 */
#ifndef HS_ZONE_ZONE_INT_H
#define HS_ZONE_ZONE_INT_H

#include <stdint.h>
#include <string.h>

#include "util/buf.h"
#include "zone/zone.h"

#define ZN_LOG "zone"

struct zn_node {
	struct zn_node *l, *r;
	uint32_t refs;
	uint32_t prio;
	uint32_t dlen; /* octets of RRsets after the key */
	uint16_t nsets;
	uint8_t klen;
	uint8_t pad_;
	uint8_t data[]; /* key, then RRsets */
};

#define ZN_SET_HDR  12
#define ZN_TYPE_SIG 46

/* Octets before each RDATA of an RRset of `type`: its length, and for
 * RRSIG its own TTL. */
static inline size_t zn_rd_hdr(uint16_t type)
{
	return type == ZN_TYPE_SIG ? 6 : 2;
}

/* The covered-type key of RRSIG RDATA: the first two octets (short RDATA
 * padded with zeros), so that it never decreases in RDATA octet order. */
static inline uint16_t zn_sig_key(const uint8_t *rd, size_t len)
{
	return (uint16_t)((len >= 1 ? rd[0] << 8 : 0) | (len >= 2 ? rd[1] : 0));
}

/* An RRset header read out of a node. */
struct zn_set {
	uint16_t type, count;
	uint32_t ttl;
	uint32_t len;      /* octets of the RDATAs */
	const uint8_t *rd; /* first RDATA's length field */
};

struct zn_snap {
	uint32_t refs;
	struct zn_node *root;
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	uint32_t serial;
	size_t nrecords, nowners, mem;
};

struct zn_zone {
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	struct zn_snap *cur;
};

/* ---- keys (serial.c) ---- */

/* Key of `name` relative to `apex` into `key` (WIRE_NAME_MAX octets),
 * lowercase. HS_E_NAME when not at or under the apex or malformed. */
int zn_key_of(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len, uint8_t *key,
              size_t *klen);
/* The full wire name of `key` under `apex` into `out`. */
size_t zn_key_name(const uint8_t *key, size_t klen, const uint8_t *apex, size_t apex_len,
                   uint8_t *out);
int zn_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
uint32_t zn_key_hash(const uint8_t *key, size_t klen);
/* 1 when key `a` is `b` or below it (b is a label-wise prefix of a). */
int zn_key_under(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ---- nodes (tree.c) ---- */

/* One RDATA of an RRset of `type` at `p` (a length field): its octets,
 * length and TTL (the RRset's `set_ttl` unless RRSIG); returns the octets
 * the entry takes. */
size_t zn_entry(const uint8_t *p, uint16_t type, uint32_t set_ttl, const uint8_t **rd,
                uint16_t *rdlen, uint32_t *ttl);

struct zn_node *zn_node_alloc(const uint8_t *key, size_t klen, size_t dlen);
size_t zn_node_size(const struct zn_node *n);
struct zn_node *zn_node_ref(struct zn_node *n);
void zn_node_unref(struct zn_node *n);
/* Read the i-th RRset header starting at *off (0 for the first); returns
 * 1 and advances, 0 at the end. */
int zn_node_set_next(const struct zn_node *n, size_t *off, struct zn_set *out);
/* The RRset `type`: 1 and *out, else 0. */
int zn_node_find_set(const struct zn_node *n, uint16_t type, struct zn_set *out);
/* Records in a node. */
size_t zn_node_records(const struct zn_node *n);

/* Persistent treap: `t` borrowed, results owned (one reference). */
struct zn_node *zn_tree_find(struct zn_node *t, const uint8_t *key, size_t klen);
/* Replace the node with n's key (must exist) or insert n; n is taken. */
struct zn_node *zn_tree_put(struct zn_node *t, struct zn_node *n);
/* Without the node of `key` (must exist). */
struct zn_node *zn_tree_del(struct zn_node *t, const uint8_t *key, size_t klen);
/* A treap of `n` nodes already sorted by key (references taken). */
struct zn_node *zn_tree_build(struct zn_node **nodes, size_t n);
/* Whether some key in `t` is `key` or below it. */
int zn_tree_has_under(struct zn_node *t, const uint8_t *key, size_t klen);

/* ---- RRset editing (tree.c) ---- */

/* A node like `n` (may be NULL: none) with one RDATA of `type` removed
 * (*found 0 when absent) or added (*found 1 when present already); the
 * result's TTL for `type` is `ttl` on add. Returns a new node (refs 1) or
 * NULL when the removal leaves no RRset at all. */
struct zn_node *zn_node_edit(const struct zn_node *n, const uint8_t *key, size_t klen, int add,
                             uint16_t type, uint32_t ttl, const uint8_t *rd, uint16_t rdlen,
                             int *found);

/* ---- snapshots (zone.c) ---- */

struct zn_snap *zn_snap_make(const uint8_t *apex, size_t apex_len, struct zn_node *root);
void zn_snap_count(struct zn_snap *s); /* recompute records, owners, memory */

/* ---- diff internals (diff.c) ---- */

struct zn_drr {
	size_t owner_off;
	uint16_t owner_len;
	uint16_t type;
	uint32_t ttl;
	size_t rd_off;
	uint16_t rdlen;
};

struct zn_diff {
	hs_buf_t arena;
	struct zn_drr *del, *add;
	size_t ndel, nadd, cdel, cadd;
	int has_from, has_to;
	uint32_t from_serial, to_serial;
	uint32_t from_ttl, to_ttl;
	hs_buf_t from_soa, to_soa;
};

zn_diff_t *zn_diff_copy(const zn_diff_t *d);

/* RDATA octet order: shorter first when one is a prefix of the other. */
static inline int zn_rd_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t m = alen < blen ? alen : blen;
	int c = m ? memcmp(a, b, m) : 0;
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static inline uint16_t zn_get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t zn_get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

#endif
