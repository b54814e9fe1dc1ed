/*
 * sqlite_outq.c -- the transport's outbound queue on SQLite: table `outq`.
 *
 * Each function is one statement in one transaction (reads: none needed).
 * Finished items keep their row (state, reason, finished_ms) until
 * st_outq_prune removes them.
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"

static const char SQL_ADD[] =
    "INSERT INTO outq (msgid, peer, type, order_key, body, created_ms, expires_ms, state,"
    " reason, finished_ms, attempts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, '', 0, 0)";
#define COLS                                                                                       \
	"seq, msgid, peer, type, order_key, body, created_ms, expires_ms, state, reason,"          \
	" finished_ms, attempts"
static const char SQL_GET[] = "SELECT " COLS " FROM outq WHERE msgid = ?1";
static const char SQL_PENDING[] = "SELECT " COLS " FROM outq WHERE state = 0 ORDER BY seq";
static const char SQL_ATTEMPT[] =
    "UPDATE outq SET attempts = attempts + 1 WHERE msgid = ?1 AND state = 0";
static const char SQL_FINISH[] = "UPDATE outq SET state = ?2, reason = ?3, finished_ms = ?4"
                                 " WHERE msgid = ?1 AND state = 0";
static const char SQL_EXISTS[] = "SELECT state FROM outq WHERE msgid = ?1";
static const char SQL_PRUNE[] = "DELETE FROM outq WHERE state <> 0 AND finished_ms <= ?1";
static const char SQL_COUNT_ALL[] = "SELECT count(*) FROM outq";
static const char SQL_COUNT[] = "SELECT count(*) FROM outq WHERE state = ?1";

/* One write statement in its own transaction; *changes = rows changed. */
static int write1(struct sq_db *db, sqlite3_stmt *s, const char *what, int64_t *changes)
{
	int src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE)
		return sq_fail(db, src, what);
	if (changes)
		*changes = sqlite3_changes64(db->h);
	return HS_OK;
}

int sqo_add(void *be, const st_outq_item_t *in, int64_t *seq)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_begin(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_ADD, &s);
	if (rc != HS_OK)
		goto cleanup;
	sq_bind_blob(s, 1, in->msgid, ST_MSGID_LEN);
	sq_bind_text(s, 2, in->peer);
	sq_bind_text(s, 3, in->type);
	if (in->order_key)
		sq_bind_text(s, 4, in->order_key);
	sq_bind_blob(s, 5, in->body, in->bodylen);
	sqlite3_bind_int64(s, 6, in->created_ms);
	sqlite3_bind_int64(s, 7, in->expires_ms);
	rc = write1(db, s, "outq add", NULL);
	if (rc != HS_OK)
		goto cleanup;
	int64_t rowid = sqlite3_last_insert_rowid(db->h);
	rc = sq_commit(db);
	if (rc == HS_OK)
		*seq = rowid;
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

static void read_item(sqlite3_stmt *s, st_outq_item_t *it)
{
	size_t idlen = 0;
	uint8_t *id = sq_col_blob(s, 1, &idlen);
	memset(it, 0, sizeof(*it));
	it->seq = sqlite3_column_int64(s, 0);
	if (id != NULL && idlen == ST_MSGID_LEN)
		memcpy(it->msgid, id, ST_MSGID_LEN);
	free(id);
	it->peer = sq_col_text(s, 2);
	it->type = sq_col_text(s, 3);
	it->order_key = sq_col_text(s, 4);
	it->body = sq_col_blob(s, 5, &it->bodylen);
	it->created_ms = sqlite3_column_int64(s, 6);
	it->expires_ms = sqlite3_column_int64(s, 7);
	it->state = (enum st_outq_state)sqlite3_column_int(s, 8);
	it->reason = sq_col_text(s, 9);
	it->finished_ms = sqlite3_column_int64(s, 10);
	it->attempts = (uint32_t)sqlite3_column_int64(s, 11);
	if (it->peer == NULL)
		it->peer = xstrdup("");
	if (it->type == NULL)
		it->type = xstrdup("");
	if (it->reason == NULL)
		it->reason = xstrdup("");
}

int sqo_get(void *be, const uint8_t *msgid, st_outq_item_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_GET, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_blob(s, 1, msgid, ST_MSGID_LEN);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		read_item(s, out);
	else if (src == SQLITE_DONE)
		rc = HS_E_NOTFOUND;
	else
		rc = sq_fail(db, src, "outq get");
	sq_done(s);
	return rc;
}

int sqo_pending(void *be, st_outq_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_outq_list_t l = {0};
	size_t cap = 0;
	int src;
	int rc = sq_stmt(db, SQL_PENDING, &s);
	if (rc != HS_OK)
		return rc;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (l.n == cap) {
			cap = cap ? cap * 2 : 16;
			l.v = xrealloc(l.v, cap * sizeof(*l.v));
		}
		read_item(s, &l.v[l.n++]);
	}
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "outq pending");
	sq_done(s);
	if (rc != HS_OK) {
		st_outq_list_free(&l);
		return rc;
	}
	*out = l;
	return HS_OK;
}

/* Why an UPDATE of a pending item changed nothing: HS_E_NOTFOUND or
 * HS_E_STATE (final already). */
static int why_unchanged(struct sq_db *db, const uint8_t *msgid)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_EXISTS, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_blob(s, 1, msgid, ST_MSGID_LEN);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		rc = HS_E_STATE;
	else if (src == SQLITE_DONE)
		rc = HS_E_NOTFOUND;
	else
		rc = sq_fail(db, src, "outq lookup");
	sq_done(s);
	return rc;
}

int sqo_attempt(void *be, const uint8_t *msgid)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc = sq_begin(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_ATTEMPT, &s);
	if (rc != HS_OK)
		goto cleanup;
	sq_bind_blob(s, 1, msgid, ST_MSGID_LEN);
	rc = write1(db, s, "outq attempt", &n);
	if (rc == HS_OK && n == 0)
		rc = HS_E_NOTFOUND;
	if (rc == HS_OK)
		rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

int sqo_finish(void *be, const uint8_t *msgid, enum st_outq_state state, const char *reason,
               int64_t now_ms)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc = sq_begin(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_FINISH, &s);
	if (rc != HS_OK)
		goto cleanup;
	sq_bind_blob(s, 1, msgid, ST_MSGID_LEN);
	sqlite3_bind_int(s, 2, (int)state);
	sq_bind_text(s, 3, reason);
	sqlite3_bind_int64(s, 4, now_ms);
	rc = write1(db, s, "outq finish", &n);
	if (rc == HS_OK && n == 0)
		rc = why_unchanged(db, msgid);
	if (rc == HS_OK)
		rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

int sqo_prune(void *be, int64_t before_ms, uint64_t *n)
{
	uint64_t gone = 0;
	int rc = sq_write_int(be, SQL_PRUNE, before_ms, "outq prune", &gone);
	if (rc != HS_OK)
		return rc;
	if (gone > 0)
		log_debug(SUB, "outq: pruned %llu finished items", (unsigned long long)gone);
	*n = gone;
	return HS_OK;
}

int sqo_count(void *be, int state, uint64_t *n)
{
	if (state == ST_ANY)
		return sq_count(be, SQL_COUNT_ALL, -1, "outq count", n);
	return sq_count(be, SQL_COUNT, state, "outq count", n);
}
