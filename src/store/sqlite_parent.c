/*
 * sqlite_parent.c -- a parent's UPDATE decisions on SQLite: table
 * `parent_decision` (migration 6). Rows are appended; only the outcome of
 * an accepted change is written later, once.
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/hs_err.h"
#include "util/xmalloc.h"

const char sqp_migration[] =
    "CREATE TABLE parent_decision ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " at INTEGER NOT NULL,"
    " zone TEXT NOT NULL,"
    " child TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " signer TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('update', 'upload', 'rollover', 'inquiry', 'approve',"
    "  'forget', 'bootstrap', 'refusal')),"
    " outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'applied', 'refused', 'failed',"
    "  'trusted')),"
    " rcode INTEGER NOT NULL CHECK (rcode BETWEEN 0 AND 4095),"
    " ede INTEGER NOT NULL CHECK (ede BETWEEN -1 AND 65535),"
    " reason TEXT NOT NULL,"
    " records TEXT NOT NULL,"
    " count INTEGER NOT NULL CHECK (count >= 1),"
    " finished INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX parent_decision_child ON parent_decision(child, id);";

static const char SQL_ADD[] =
    "INSERT INTO parent_decision (at, zone, child, source, signer, kind, outcome, rcode, ede,"
    " reason, records, count, finished) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
    " ?12, ?1)";
static const char SQL_FINISH[] = "UPDATE parent_decision SET outcome = ?2, rcode = ?3, ede = ?4,"
                                 " reason = ?5, finished = ?6 WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT id, at, zone, child, source, signer, kind, outcome, rcode, ede, reason, records,"
    " count, finished FROM parent_decision WHERE (?1 IS NULL OR child = ?1)"
    " ORDER BY id DESC LIMIT ?2";

int sqp_add(void *be, const st_par_decision_t *d, int64_t *id)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_begin(db), src;
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_ADD, &s);
	if (rc != HS_OK)
		goto cleanup;
	sqlite3_bind_int64(s, 1, d->at);
	sq_bind_text(s, 2, d->zone);
	sq_bind_text(s, 3, d->child);
	sq_bind_text(s, 4, d->source);
	sq_bind_text(s, 5, d->signer);
	sq_bind_text(s, 6, d->kind);
	sq_bind_text(s, 7, d->outcome);
	sqlite3_bind_int(s, 8, d->rcode);
	sqlite3_bind_int(s, 9, d->ede);
	sq_bind_text(s, 10, d->reason);
	sq_bind_text(s, 11, d->records);
	sqlite3_bind_int64(s, 12, d->count);
	src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "parent decision insert");
		goto cleanup;
	}
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(db->h);
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

int sqp_finish(void *be, int64_t id, const char *outcome, uint16_t rcode, int32_t ede,
               const char *reason, int64_t at)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_begin(db), src;
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_FINISH, &s);
	if (rc != HS_OK)
		goto cleanup;
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, outcome);
	sqlite3_bind_int(s, 3, rcode);
	sqlite3_bind_int(s, 4, ede);
	sq_bind_text(s, 5, reason);
	sqlite3_bind_int64(s, 6, at);
	src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "parent decision update");
		goto cleanup;
	}
	if (sqlite3_changes(db->h) == 0) {
		rc = HS_E_NOTFOUND;
		goto cleanup;
	}
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

int sqp_list(void *be, const char *child, size_t limit, st_par_decision_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_par_decision_list_t l = {NULL, 0};
	size_t cap = 0;
	int rc = sq_stmt(db, SQL_LIST, &s), src;
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, child);
	sqlite3_bind_int64(s, 2, (int64_t)limit);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (l.n == cap) {
			cap = cap ? 2 * cap : 16;
			l.v = xrealloc(l.v, cap * sizeof(*l.v));
		}
		st_par_decision_t *d = &l.v[l.n++];
		memset(d, 0, sizeof(*d));
		d->id = sqlite3_column_int64(s, 0);
		d->at = sqlite3_column_int64(s, 1);
		d->zone = sq_col_text(s, 2);
		d->child = sq_col_text(s, 3);
		d->source = sq_col_text(s, 4);
		d->signer = sq_col_text(s, 5);
		d->kind = sq_col_text(s, 6);
		d->outcome = sq_col_text(s, 7);
		d->rcode = (uint16_t)sqlite3_column_int(s, 8);
		d->ede = sqlite3_column_int(s, 9);
		d->reason = sq_col_text(s, 10);
		d->records = sq_col_text(s, 11);
		d->count = (uint32_t)sqlite3_column_int64(s, 12);
		d->finished = sqlite3_column_int64(s, 13);
	}
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "parent decision list");
		st_par_decision_list_free(&l);
		return rc;
	}
	*out = l;
	return HS_OK;
}
