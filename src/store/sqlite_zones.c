/*
 * sqlite_zones.c -- zones on SQLite: tables `zone_snapshot` and
 * `zone_journal` (migration 3). Bytes only; src/zone owns the format.
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/hs_err.h"
#include "util/xmalloc.h"

static const char SQL_MAXSEQ[] = "SELECT coalesce(max(seq), 0) FROM zone_journal WHERE zone = ?1";
static const char SQL_PUTSNAP[] =
    "INSERT INTO zone_snapshot (zone, serial, snap_seq, at, data) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (zone) DO UPDATE SET serial = excluded.serial, snap_seq = excluded.snap_seq,"
    " at = excluded.at, data = excluded.data";
static const char SQL_KEEPSEQ[] = "SELECT coalesce(max(seq), 0) FROM zone_journal"
                                  " WHERE zone = ?1 AND from_serial = ?2";
static const char SQL_DELBEFORE[] = "DELETE FROM zone_journal WHERE zone = ?1 AND seq < ?2";
static const char SQL_HASSNAP[] = "SELECT count(*) FROM zone_snapshot WHERE zone = ?1";
static const char SQL_ADDJ[] = "INSERT INTO zone_journal (zone, from_serial, to_serial, at, data)"
                               " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_GETSNAP[] =
    "SELECT serial, snap_seq, at, data FROM zone_snapshot WHERE zone = ?1";
static const char SQL_GETJ[] = "SELECT seq, from_serial, to_serial, at, data FROM zone_journal"
                               " WHERE zone = ?1 ORDER BY seq";
static const char SQL_TRIM[] = "DELETE FROM zone_journal WHERE zone = ?1 AND seq > ?2";
static const char SQL_SIZES[] =
    "SELECT length(s.data), (SELECT coalesce(sum(length(j.data)), 0) FROM zone_journal j"
    " WHERE j.zone = s.zone AND j.seq > s.snap_seq) FROM zone_snapshot s WHERE s.zone = ?1";
static const char SQL_DROPS[] = "DELETE FROM zone_snapshot WHERE zone = ?1";
static const char SQL_DROPJ[] = "DELETE FROM zone_journal WHERE zone = ?1";

/* Run `sql` with (zone, i2) bound; one int64 result into *out when non-NULL. */
static int run(struct sq_db *db, const char *sql, const char *zone, int64_t i2, int64_t *out,
               const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, sql, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, zone);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, i2);
	int src = sqlite3_step(s);
	if (out && src == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	else if (src != SQLITE_DONE && src != SQLITE_ROW)
		rc = sq_fail(db, src, what);
	sq_done(s);
	return rc;
}

int sqz_put_snapshot(void *be, const char *zone, uint32_t serial, const uint8_t *data, size_t len,
                     int64_t at, int has_keep, uint32_t keep_from)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int64_t maxseq = 0, keep = 0;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	if ((rc = run(db, SQL_MAXSEQ, zone, 0, &maxseq, "zone journal max")) != HS_OK)
		goto cleanup;
	if ((rc = sq_stmt(db, SQL_PUTSNAP, &s)) != HS_OK)
		goto cleanup;
	sq_bind_text(s, 1, zone);
	sqlite3_bind_int64(s, 2, serial);
	sqlite3_bind_int64(s, 3, maxseq);
	sqlite3_bind_int64(s, 4, at);
	sq_bind_blob(s, 5, data, len);
	int src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "zone snapshot");
		goto cleanup;
	}
	if (has_keep) {
		if ((rc = run(db, SQL_KEEPSEQ, zone, keep_from, &keep, "zone journal keep")) !=
		    HS_OK)
			goto cleanup;
		if (keep == 0)
			keep = maxseq + 1; /* the journal holds none of the rows */
	} else {
		keep = maxseq + 1;
	}
	if ((rc = run(db, SQL_DELBEFORE, zone, keep, NULL, "zone journal trim")) != HS_OK)
		goto cleanup;
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

int sqz_add_journal(void *be, const char *zone, uint32_t from, uint32_t to, int64_t at,
                    const uint8_t *data, size_t len, int64_t *seq)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int64_t has = 0, id = 0;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	if ((rc = run(db, SQL_HASSNAP, zone, 0, &has, "zone snapshot check")) != HS_OK)
		goto cleanup;
	if (has == 0) {
		rc = HS_E_NOTFOUND;
		goto cleanup;
	}
	if ((rc = sq_stmt(db, SQL_ADDJ, &s)) != HS_OK)
		goto cleanup;
	sq_bind_text(s, 1, zone);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	sqlite3_bind_int64(s, 4, at);
	sq_bind_blob(s, 5, data, len);
	int src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "zone journal add");
		goto cleanup;
	}
	id = sqlite3_last_insert_rowid(db->h);
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	else if (seq)
		*seq = id;
	return rc;
}

int sqz_load(void *be, const char *zone, st_zone_data_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_zone_data_t d;
	size_t cap = 0;
	memset(&d, 0, sizeof(d));
	int rc = sq_begin_read(db);
	if (rc != HS_OK)
		return rc;
	if ((rc = sq_stmt(db, SQL_GETSNAP, &s)) != HS_OK)
		goto cleanup;
	sq_bind_text(s, 1, zone);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		d.serial = (uint32_t)sqlite3_column_int64(s, 0);
		d.snap_seq = sqlite3_column_int64(s, 1);
		d.at = sqlite3_column_int64(s, 2);
		d.snap = sq_col_blob(s, 3, &d.snap_len);
	} else if (src == SQLITE_DONE) {
		rc = HS_E_NOTFOUND;
	} else {
		rc = sq_fail(db, src, "zone snapshot load");
	}
	sq_done(s);
	if (rc != HS_OK)
		goto cleanup;
	if ((rc = sq_stmt(db, SQL_GETJ, &s)) != HS_OK)
		goto cleanup;
	sq_bind_text(s, 1, zone);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (d.nrows == cap) {
			cap = cap ? cap * 2 : 16;
			d.rows = xrealloc(d.rows, cap * sizeof(*d.rows));
		}
		st_zone_row_t *r = &d.rows[d.nrows++];
		r->seq = sqlite3_column_int64(s, 0);
		r->from_serial = (uint32_t)sqlite3_column_int64(s, 1);
		r->to_serial = (uint32_t)sqlite3_column_int64(s, 2);
		r->at = sqlite3_column_int64(s, 3);
		r->data = sq_col_blob(s, 4, &r->len);
	}
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "zone journal load");
	sq_done(s);
cleanup:
	sq_rollback(db);
	if (rc != HS_OK) {
		st_zone_data_clear(&d);
		return rc;
	}
	*out = d;
	return HS_OK;
}

int sqz_trim(void *be, const char *zone, int64_t after_seq)
{
	struct sq_db *db = be;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	rc = run(db, SQL_TRIM, zone, after_seq, NULL, "zone journal trim");
	if (rc == HS_OK)
		rc = sq_commit(db);
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

int sqz_sizes(void *be, const char *zone, uint64_t *snap, uint64_t *journal)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_SIZES, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, zone);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		*snap = (uint64_t)sqlite3_column_int64(s, 0);
		*journal = (uint64_t)sqlite3_column_int64(s, 1);
	} else if (src == SQLITE_DONE) {
		rc = HS_E_NOTFOUND;
	} else {
		rc = sq_fail(db, src, "zone sizes");
	}
	sq_done(s);
	return rc;
}

int sqz_drop(void *be, const char *zone)
{
	struct sq_db *db = be;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	rc = run(db, SQL_DROPS, zone, 0, NULL, "zone drop");
	if (rc == HS_OK)
		rc = run(db, SQL_DROPJ, zone, 0, NULL, "zone drop");
	if (rc == HS_OK)
		rc = sq_commit(db);
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}
