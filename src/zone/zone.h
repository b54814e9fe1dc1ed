/*
 * zone.h -- the in-memory zone every serving role shares (DESIGN.md 7):
 * records by owner and type, canonical order, versions, strict
 * differences applied atomically, RFC 1982 serial arithmetic.
 *
 * Pure: no sockets, no clock, no randomness. Single-threaded: one thread
 * owns a zone and every snapshot of it (reference counts are plain
 * integers).
 *
 * Model
 *  - A zone is a name (its apex) and a current *version*. A version is
 *    immutable: a persistent balanced tree (a treap whose priorities are
 *    a hash of the owner name, so its shape depends on the names only)
 *    of owner nodes in RFC 4034 section 6.1 canonical order. Each node
 *    holds, in one allocation, its owner name (relative to the apex) and
 *    its RRsets sorted by type, each RRset one TTL and its RDATAs sorted
 *    by octets, no duplicates. RRSIG is the one exception to "one TTL":
 *    every RRSIG keeps its own TTL, the TTL of the RRset it covers (RFC
 *    4034 3), and the RRSIGs covering one type share it.
 *  - zn_apply() builds the next version by path copying: only the nodes
 *    on the paths to the changed owners are copied, the rest is shared
 *    with the previous version. Cost O(k log n) for k changed records,
 *    independent of the zone size.
 *  - Consistency for readers: zn_zone_snapshot() hands out a reference to
 *    the current version. A reader (an AXFR or IXFR being streamed, a
 *    signer walking NSEC order) keeps that reference while it works and
 *    sees exactly that version, whatever zn_apply() does meanwhile. Nodes
 *    are freed when the last version using them is released.
 *
 * Names
 *  - Names in and out are uncompressed wire form. Owner names are stored
 *    and handed out lowercase (ASCII); RDATA is stored as received,
 *    uncompressed (the transfer parsers expand compressed RDATA names).
 *  - Class is IN only.
 *  - Two records are the same record when owner (case-insensitive), type
 *    and RDATA octets are equal; the TTL is not part of a record's
 *    identity. An RRset has one TTL: adding a record with another TTL to
 *    an existing RRset sets the RRset's TTL (RFC 2181 5.2). For RRSIG the
 *    rule holds per covered type: adding an RRSIG sets the TTL of the
 *    RRSIGs covering the same type at that name, and only theirs.
 *
 * Errors: HS_OK or a negative HS_E_*; out-parameters are written only on
 * success. Functions that reject input take an optional `hs_errmsg_t *`
 * and say why in one lowercase line.
 */
#ifndef HS_ZONE_ZONE_H
#define HS_ZONE_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"
#include "util/hs_err.h"
#include "wire/cursor.h"

#define ZN_TYPE_SOA  6
#define ZN_TYPE_ANY  255
#define ZN_CLASS_IN  1
#define ZN_RDATA_MAX 65535

/* ---- serial arithmetic (RFC 1982, SERIAL_BITS 32) ---------------------- */

/* 1 when a < b in serial arithmetic; 0 otherwise (also when the two are
 * exactly 2^31 apart, where RFC 1982 leaves the order undefined). */
int zn_serial_lt(uint32_t a, uint32_t b);
/* 1 when a > b; same rules. */
int zn_serial_gt(uint32_t a, uint32_t b);
/* 1 when a <= b (equal or less). */
int zn_serial_le(uint32_t a, uint32_t b);
/* a + n for 0 <= n <= 2^31 - 1 (RFC 1982 3.1); HS_E_RANGE otherwise. */
int zn_serial_add(uint32_t a, uint32_t n, uint32_t *out) HS_CHECK_RESULT;

/* ---- names ------------------------------------------------------------- */

/* Canonical order of two wire names (RFC 4034 6.1): <0, 0, >0. Both must
 * be valid uncompressed names. */
int zn_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* 1 when `name` is `apex` or below it (whole labels, any case). */
int zn_name_in(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len);

/* ---- SOA --------------------------------------------------------------- */

/* An SOA's RDATA fields (RFC 1035 3.3.13). */
typedef struct zn_soa {
	uint8_t mname[WIRE_NAME_MAX];
	size_t mname_len;
	uint8_t rname[WIRE_NAME_MAX];
	size_t rname_len;
	uint32_t serial, refresh, retry, expire, minimum;
} zn_soa_t;

/* Parse SOA RDATA (uncompressed). HS_E_MALFORMED when it does not fit. */
int zn_soa_parse(const uint8_t *rdata, size_t len, zn_soa_t *out) HS_CHECK_RESULT;
/* The serial of SOA RDATA, or HS_E_MALFORMED. */
int zn_soa_serial(const uint8_t *rdata, size_t len, uint32_t *serial) HS_CHECK_RESULT;

/* ---- records and RRsets ------------------------------------------------ */

/* One record, pointing into storage that outlives the call (a snapshot,
 * a diff). */
typedef struct zn_rr {
	const uint8_t *owner; /* full wire name, lowercase */
	size_t owner_len;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
} zn_rr_t;

/* One RRset of a snapshot (valid while the snapshot is held). Its RDATAs
 * are read with zn_rrset_next() or zn_rrset_next_rr(); `data` is private.
 * An RRSIG set as zn_snap_find() gives it holds every RRSIG at the name
 * (any covered type) and `ttl` is the first one's: read each TTL with
 * zn_rrset_next_rr(). zn_iter_next() hands RRSIGs out one covered type
 * at a time, so there `ttl` is every RDATA's TTL. */
typedef struct zn_rrset {
	uint16_t type;
	uint32_t ttl;
	uint16_t count;      /* RDATAs, >= 1 */
	const uint8_t *data; /* packed: for each RDATA, 2-octet length then octets */
	size_t len;
} zn_rrset_t;

/* Walk the RDATAs of `s`: start with *off = 0; returns 1 and the next
 * RDATA, 0 after the last. */
int zn_rrset_next(const zn_rrset_t *s, size_t *off, const uint8_t **rdata, uint16_t *rdlen);
/* The same with the record's TTL: the RRset's, or for RRSIG its own. */
int zn_rrset_next_rr(const zn_rrset_t *s, size_t *off, const uint8_t **rdata, uint16_t *rdlen,
                     uint32_t *ttl);

/* ---- zones, versions, snapshots --------------------------------------- */

typedef struct zn_zone zn_zone_t;
typedef struct zn_snap zn_snap_t;
struct zn_diff;

/*
 * A new zone for `apex` (wire form, any case) with no version yet: every
 * accessor below treats it as empty and zn_zone_snapshot() returns NULL
 * until zn_zone_load() or zn_zone_set() gives it one. HS_E_NAME for a bad
 * name.
 */
int zn_zone_new(const uint8_t *apex, size_t apex_len, zn_zone_t **out) HS_CHECK_RESULT;
/* Free the zone (NULL-safe). Snapshots taken from it stay valid. */
void zn_zone_free(zn_zone_t *z);
/* The apex, wire form, lowercase. */
const uint8_t *zn_zone_apex(const zn_zone_t *z, size_t *len);
/* 1 when the zone has a version. */
int zn_zone_loaded(const zn_zone_t *z);
/* The current serial; HS_E_NOTFOUND before the first version. */
int zn_zone_serial(const zn_zone_t *z, uint32_t *serial) HS_CHECK_RESULT;

/*
 * A reference to the current version (NULL before the first one): the
 * caller's, released with zn_snap_release(). Never changes.
 */
zn_snap_t *zn_zone_snapshot(const zn_zone_t *z);
zn_snap_t *zn_snap_ref(zn_snap_t *s);
void zn_snap_release(zn_snap_t *s); /* NULL-safe */

/* The apex of the zone the snapshot belongs to. */
const uint8_t *zn_snap_apex(const zn_snap_t *s, size_t *len);
uint32_t zn_snap_serial(const zn_snap_t *s);
/* The SOA record (owner = apex, type SOA, its TTL and RDATA). */
void zn_snap_soa(const zn_snap_t *s, zn_rr_t *out);
/* Records (the SOA counted), owner names. */
size_t zn_snap_records(const zn_snap_t *s);
size_t zn_snap_owners(const zn_snap_t *s);
/* Octets of memory the version's own nodes take (allocation sizes plus
 * an estimate of the allocator's overhead); shared nodes count in each
 * version that uses them. */
size_t zn_snap_memory(const zn_snap_t *s);

/*
 * Look up the RRset `type` at `owner` (wire form, any case).
 * HS_OK: *out filled. HS_E_NOTFOUND: no such RRset; then *owner_exists
 * (may be NULL) tells whether the name has other RRsets (NODATA) or not
 * (NXDOMAIN, or an empty non-terminal: see zn_snap_name_exists).
 */
int zn_snap_find(const zn_snap_t *s, const uint8_t *owner, size_t owner_len, uint16_t type,
                 zn_rrset_t *out, int *owner_exists) HS_CHECK_RESULT;
/* 1 when `name` owns records or has a name below it that does (an empty
 * non-terminal exists, RFC 8020). */
int zn_snap_name_exists(const zn_snap_t *s, const uint8_t *name, size_t len);
/*
 * The closest delegation at or above `name` and below the apex: the
 * owner of an NS RRset (not the apex) that `name` is at or under. HS_OK
 * with the owner in `cut` (WIRE_NAME_MAX octets) and its length;
 * HS_E_NOTFOUND when `name` is authoritative data.
 */
int zn_snap_find_cut(const zn_snap_t *s, const uint8_t *name, size_t len, uint8_t *cut,
                     size_t *cut_len) HS_CHECK_RESULT;

/*
 * The greatest owner at or before `name` in canonical order that has an
 * RRset of `type`; when there is none before it, the last such owner of
 * the zone (the wrap-around of an NSEC chain). HS_OK with the owner in
 * `owner` (WIRE_NAME_MAX octets); HS_E_NOTFOUND when no owner has `type`
 * or `name` is outside the zone.
 */
int zn_snap_find_floor(const zn_snap_t *s, const uint8_t *name, size_t len, uint16_t type,
                       uint8_t *owner, size_t *owner_len) HS_CHECK_RESULT;

/*
 * The checks every received version must pass before it is served (the
 * same as an AXFR today): every record of an hsync type (HSYNC3,
 * HSYNCPARAM, DSYNC, HPKEKEY, CHUNK, legacy HSYNC/HSYNC2) decodes
 * strictly, at most one HSYNCPARAM at the apex. HS_OK or HS_E_MALFORMED
 * with `em` naming the record. Walks the whole version.
 */
int zn_snap_validate(const zn_snap_t *s, hs_errmsg_t *em) HS_CHECK_RESULT;
/*
 * The same checks limited to the owners a diff touches (what zn_apply's
 * caller runs on the new version after an IXFR, cost proportional to the
 * diff).
 */
int zn_snap_validate_diff(const zn_snap_t *s, const struct zn_diff *d,
                          hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- iteration in canonical order --------------------------------------- */

/*
 * Walks a snapshot owner by owner in canonical order (the apex first),
 * and within an owner RRset by RRset in type order; RRSIGs come as one
 * RRset per covered type (in covered-type order), each with its TTL. The iterator holds a
 * reference to the snapshot, so it may outlive the caller's reference and
 * be resumed across event-loop turns (a streamed AXFR).
 */
typedef struct zn_iter zn_iter_t;

zn_iter_t *zn_iter_new(zn_snap_t *s);
void zn_iter_free(zn_iter_t *it); /* NULL-safe */
/*
 * The next RRset: 1 with the owner (full wire name, lowercase, valid until
 * the next call) and the RRset; 0 at the end.
 */
int zn_iter_next(zn_iter_t *it, const uint8_t **owner, size_t *owner_len, zn_rrset_t *set);

/* ---- building a version ---------------------------------------------- */

/*
 * A builder collects records in any order (duplicates are dropped, TTLs
 * of one RRset unified to the last one seen) and makes a version of them.
 * Each record must be owned by the apex or a name below it, class IN, at
 * most ZN_RDATA_MAX octets of RDATA; exactly one SOA, at the apex.
 */
typedef struct zn_builder zn_builder_t;

zn_builder_t *zn_builder_new(const uint8_t *apex, size_t apex_len);
void zn_builder_free(zn_builder_t *b); /* NULL-safe */
/* HS_E_MALFORMED (em says why): owner outside the zone, SOA not at the
 * apex or a second SOA with other RDATA, bad SOA RDATA; HS_E_LIMIT past
 * `max_records` given to zn_builder_limit (0 = no limit). */
int zn_builder_add(zn_builder_t *b, const zn_rr_t *rr, hs_errmsg_t *em) HS_CHECK_RESULT;
void zn_builder_limit(zn_builder_t *b, size_t max_records);
/*
 * Make the version (the builder is spent and freed either way) and make
 * it the zone's current one, replacing any previous version (readers of
 * the old one keep it). HS_E_MALFORMED when there is no SOA, HS_E_INVAL
 * when the builder's apex is not the zone's.
 */
int zn_zone_set(zn_zone_t *z, zn_builder_t *b, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Make `s` (a version of a zone with the same apex, e.g. built in a
 * scratch zone and validated there, or one taken earlier to undo a
 * series of zn_apply) the current version; `s` is referenced, the caller
 * keeps its own reference. HS_E_INVAL for another apex.
 */
int zn_zone_set_snap(zn_zone_t *z, zn_snap_t *s) HS_CHECK_RESULT;

/* ---- differences ------------------------------------------------------- */

/*
 * A difference between two versions, in RFC 1995 terms: the old SOA,
 * the records deleted, the new SOA, the records added. The SOAs are held
 * apart from the two lists; the lists never contain an SOA.
 */
typedef struct zn_diff zn_diff_t;

zn_diff_t *zn_diff_new(void);
void zn_diff_free(zn_diff_t *d); /* NULL-safe */
/* Set the old / new SOA (RDATA uncompressed; its serial is read from it).
 * HS_E_MALFORMED for bad SOA RDATA. */
int zn_diff_set_from(zn_diff_t *d, uint32_t ttl, const uint8_t *rdata,
                     uint16_t rdlen) HS_CHECK_RESULT;
int zn_diff_set_to(zn_diff_t *d, uint32_t ttl, const uint8_t *rdata,
                   uint16_t rdlen) HS_CHECK_RESULT;
/* Append a deleted / added record (owner any case; copied). HS_E_INVAL
 * for an SOA (use the setters) or a bad owner. */
int zn_diff_del(zn_diff_t *d, const zn_rr_t *rr) HS_CHECK_RESULT;
int zn_diff_add(zn_diff_t *d, const zn_rr_t *rr) HS_CHECK_RESULT;

/* What a diff holds. Serials are valid when has_from / has_to. */
int zn_diff_has_from(const zn_diff_t *d);
int zn_diff_has_to(const zn_diff_t *d);
uint32_t zn_diff_from_serial(const zn_diff_t *d);
uint32_t zn_diff_to_serial(const zn_diff_t *d);
/* The SOA records (owner NULL: the diff does not know its apex). */
void zn_diff_from_soa(const zn_diff_t *d, zn_rr_t *out);
void zn_diff_to_soa(const zn_diff_t *d, zn_rr_t *out);
size_t zn_diff_ndel(const zn_diff_t *d);
size_t zn_diff_nadd(const zn_diff_t *d);
/* The i-th deleted / added record; HS_E_RANGE past the end. */
int zn_diff_del_rr(const zn_diff_t *d, size_t i, zn_rr_t *out) HS_CHECK_RESULT;
int zn_diff_add_rr(const zn_diff_t *d, size_t i, zn_rr_t *out) HS_CHECK_RESULT;
/* Octets of wire form the diff's records take (both SOAs included), the
 * measure journal bounds use. */
size_t zn_diff_wire_size(const zn_diff_t *d);

/*
 * Apply `d` to the current version of `z`, strictly and atomically:
 *  - the zone has a version and d's old SOA serial is its serial
 *    (HS_E_STATE otherwise: "diff from serial X, zone is at Y");
 *  - d's new serial is greater (RFC 1982) than the old one;
 *  - every deleted record exists in the zone (TTL ignored) and is deleted
 *    once; then every added record is absent and added once;
 *  - every owner is the apex or below it.
 * HS_OK: the new version is current (snapshots of the old one are
 * unaffected). Any failure (HS_E_STATE, HS_E_MALFORMED with em naming the
 * record) leaves the zone exactly as it was. Cost: proportional to the
 * diff (times log of the zone), never to the zone.
 */
int zn_apply(zn_zone_t *z, const zn_diff_t *d, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * The difference from snapshot `a` to snapshot `b` of the same apex:
 * records in a and not in b are deleted, records in b and not in a are
 * added (a TTL change is a delete and an add), SOAs from a and b. Walks
 * both versions but skips subtrees the two share, so two versions that
 * came from one another through zn_apply() compare in time proportional
 * to their difference. *out is the caller's. HS_E_INVAL for different
 * apexes.
 */
int zn_diff_snaps(const zn_snap_t *a, const zn_snap_t *b, zn_diff_t **out) HS_CHECK_RESULT;

/*
 * The difference between two RRset collections given as record arrays
 * (any order, duplicates ignored, SOAs ignored): what to delete from
 * `have` and add to get `want`. For callers that keep a few apex RRsets
 * (the combiner's "desired apex" against the "served apex"). The diff has
 * no SOAs; the caller sets them before zn_apply().
 */
int zn_diff_sets(const zn_rr_t *have, size_t nhave, const zn_rr_t *want, size_t nwant,
                 zn_diff_t **out) HS_CHECK_RESULT;

#endif
