/*
 * journal.h -- the differences a zone went through (RFC 1995 semantics),
 * bounded by size and age, and a zone's persistence in the store as a
 * snapshot plus journal (the way Knot keeps zones: a small change on a
 * large zone writes one journal row, not the zone).
 *
 * The journal is a chain of zn_diff_t, oldest first, each entry's old
 * serial being the previous entry's new serial. It is pure (the caller
 * passes the time) and single-threaded like the zone.
 *
 * Persistence (zn_store_*): per zone, at most one snapshot (the whole
 * zone at one serial, one row) and journal rows (one per difference, in
 * order). Loading takes the snapshot and replays the rows that follow it;
 * rows older than the snapshot are kept only as journal for IXFR-out.
 * Every write is one store transaction: after a kill -9 the zone loads
 * as of the last write that returned HS_OK.
 */
#ifndef HS_ZONE_JOURNAL_H
#define HS_ZONE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/errmsg.h"
#include "zone/zone.h"

/* ---- bounds ------------------------------------------------------------ */

typedef struct zn_journal_limits {
	size_t max_bytes;   /* wire octets of all entries; 0 = ZN_JOURNAL_DEF_BYTES */
	uint32_t max_age_s; /* oldest entry's age in seconds; 0 = ZN_JOURNAL_DEF_AGE */
	size_t max_entries; /* 0 = ZN_JOURNAL_DEF_ENTRIES */
} zn_journal_limits_t;

#define ZN_JOURNAL_DEF_BYTES   ((size_t)16 << 20) /* 16 MiB */
#define ZN_JOURNAL_DEF_AGE     (7u * 86400u)      /* a week */
#define ZN_JOURNAL_DEF_ENTRIES 10000u

/* ---- the journal ------------------------------------------------------- */

typedef struct zn_journal zn_journal_t;

/* `lim` NULL = defaults. Never fails (allocation failure aborts). */
zn_journal_t *zn_journal_new(const zn_journal_limits_t *lim);
void zn_journal_free(zn_journal_t *j); /* NULL-safe */
void zn_journal_set_limits(zn_journal_t *j, const zn_journal_limits_t *lim);

/*
 * Append `d` (taken: the journal owns it from the call on, also on
 * error) recorded at `now` (Unix seconds). It must have both SOAs, and
 * its old serial must be the newest entry's new serial unless the
 * journal is empty (HS_E_STATE otherwise, and the journal is cleared so
 * that no gap is ever served). Then the oldest entries are dropped while
 * the bounds are exceeded; the newest entry is always kept.
 */
int zn_journal_append(zn_journal_t *j, zn_diff_t *d, int64_t now) HS_CHECK_RESULT;
/* Drop entries older than the bounds at `now` (the age bound). */
void zn_journal_expire(zn_journal_t *j, int64_t now);
/* Forget every entry (a zone replaced by an unrelated version). */
void zn_journal_clear(zn_journal_t *j);
/* Drop the newest entries until `n` are left (undoing appends). */
void zn_journal_truncate(zn_journal_t *j, size_t n);

typedef struct zn_journal_span {
	size_t entries;
	size_t bytes;    /* wire octets */
	uint32_t oldest; /* old serial of the oldest entry (valid when entries) */
	uint32_t newest; /* new serial of the newest entry (valid when entries) */
	int64_t oldest_at, newest_at;
} zn_journal_span_t;

void zn_journal_span(const zn_journal_t *j, zn_journal_span_t *out);
size_t zn_journal_count(const zn_journal_t *j);
/* The i-th entry, oldest first; NULL past the end. Valid until the
 * journal changes. */
const zn_diff_t *zn_journal_entry(const zn_journal_t *j, size_t i);
int64_t zn_journal_entry_time(const zn_journal_t *j, size_t i);
/*
 * The entry whose old serial is `from`: HS_OK with its index (entries
 * from there to the newest lead from `from` to the newest serial);
 * HS_E_NOTFOUND when the journal does not reach back to `from`.
 */
int zn_journal_find(const zn_journal_t *j, uint32_t from, size_t *index) HS_CHECK_RESULT;

/* ---- updating a zone and its journal together --------------------------- */

/*
 * zn_apply() then, on success, append a copy of `d` to `j` (which may be
 * NULL: a zone without journal). HS_OK or zn_apply's error (nothing
 * changed).
 */
int zn_update(zn_zone_t *z, zn_journal_t *j, const zn_diff_t *d, int64_t now,
              hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Replace the zone's version with the one `b` builds (a zone received by
 * AXFR or loaded anew): the difference against the previous version, if
 * any, is computed (zn_diff_snaps) and appended to `j`, so downstreams
 * still get an IXFR. When the new serial is not greater than the old one
 * the journal is cleared (no IXFR can span it). `*diff_out` (may be NULL)
 * gets a copy of the appended difference, NULL when none. The builder is
 * spent either way.
 */
int zn_replace(zn_zone_t *z, zn_journal_t *j, zn_builder_t *b, int64_t now, zn_diff_t **diff_out,
               hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- encodings (what the store holds) ----------------------------------- */

/* A difference as bytes and back (a private, versioned format; decoding
 * uses the bounded cursor and rejects anything malformed with
 * HS_E_MALFORMED). */
void zn_diff_encode(const zn_diff_t *d, hs_buf_t *out);
int zn_diff_decode(const uint8_t *p, size_t len, zn_diff_t **out) HS_CHECK_RESULT;
/* A whole version as bytes and back into a builder for `apex`. */
void zn_snap_encode(const zn_snap_t *s, hs_buf_t *out);
int zn_snap_decode(const uint8_t *p, size_t len, const uint8_t *apex, size_t apex_len,
                   zn_builder_t **out) HS_CHECK_RESULT;

/* ---- persistence ------------------------------------------------------- */

/*
 * Load the zone `apex` from the store: a new zone at the snapshot's
 * serial with every following journal row applied, and a journal holding
 * the rows still within `lim` (NULL = defaults) at `now`. HS_E_NOTFOUND
 * when the store has no snapshot of the zone. A journal row that does not
 * apply (damaged store) stops the replay at the last good version with a
 * warning; the rows after it are deleted.
 */
int zn_store_load(st_t *st, const uint8_t *apex, size_t apex_len, const zn_journal_limits_t *lim,
                  int64_t now, zn_zone_t **zone, zn_journal_t **journal,
                  hs_errmsg_t *em) HS_CHECK_RESULT;
/*
 * Record that `d` was applied (one journal row, one transaction). When
 * the store has no snapshot of the zone yet, call zn_store_snapshot()
 * instead.
 */
int zn_store_append(st_t *st, const uint8_t *apex, size_t apex_len, const zn_diff_t *d,
                    int64_t now) HS_CHECK_RESULT;
/*
 * Write the current version of `z` as the zone's snapshot and delete the
 * journal rows that `j` no longer holds (one transaction). The first save
 * of a zone, a zone replaced by AXFR without usable diff, and compaction.
 */
int zn_store_snapshot(st_t *st, const zn_zone_t *z, const zn_journal_t *j,
                      int64_t now) HS_CHECK_RESULT;
/*
 * Compaction policy: 1 when the journal rows written since the snapshot
 * hold more octets than half the snapshot (then a new snapshot makes
 * loading cheaper than replaying), else 0.
 */
int zn_store_should_compact(st_t *st, const uint8_t *apex, size_t apex_len);
/* Remove everything the store holds for the zone. */
int zn_store_drop(st_t *st, const uint8_t *apex, size_t apex_len) HS_CHECK_RESULT;

/*
 * The same under a key of the caller's instead of the zone's name, for a
 * second zone of the same apex in one store (a combiner keeps the
 * owner's zone under its name and the zone it serves under another key,
 * "@served.NAME"). `key` NULL = the zone's name. A key is a name in text
 * form to the store; one whose first label holds a raw '@', which the
 * presentation of a name always escapes, cannot collide with a zone.
 */
int zn_store_load_as(st_t *st, const char *key, const uint8_t *apex, size_t apex_len,
                     const zn_journal_limits_t *lim, int64_t now, zn_zone_t **zone,
                     zn_journal_t **journal, hs_errmsg_t *em) HS_CHECK_RESULT;
int zn_store_append_as(st_t *st, const char *key, const uint8_t *apex, size_t apex_len,
                       const zn_diff_t *d, int64_t now) HS_CHECK_RESULT;
int zn_store_snapshot_as(st_t *st, const char *key, const zn_zone_t *z, const zn_journal_t *j,
                         int64_t now) HS_CHECK_RESULT;
int zn_store_should_compact_as(st_t *st, const char *key, const uint8_t *apex, size_t apex_len);
int zn_store_drop_as(st_t *st, const char *key, const uint8_t *apex,
                     size_t apex_len) HS_CHECK_RESULT;

#endif
