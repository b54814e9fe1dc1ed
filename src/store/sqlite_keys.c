/*
 * sqlite_keys.c -- the keystore on SQLite: tables `keys` and `key_history`.
 *
 * Every state change writes the key row and its history row in one
 * transaction, so the history is always exactly the list of states a key
 * went through. Private key bytes are bound and copied, never formatted
 * into a log line.
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"

static const char SQL_INSERT[] =
	"INSERT INTO keys (owner, kind, alg, keyid, pubkey, privkey, state, created_at,"
	" state_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
static const char SQL_HISTORY_ADD[] = "INSERT INTO key_history (key_id, from_state, to_state, at,"
				      " reason) VALUES (?1, ?2, ?3, ?4, ?5)";
#define KEY_COLUMNS                                                                     \
	"id, owner, kind, alg, keyid, pubkey, privkey, state, created_at, state_changed_at"
static const char SQL_GET[] = "SELECT " KEY_COLUMNS " FROM keys"
			      " WHERE owner = ?1 AND kind = ?2 AND alg = ?3 AND keyid = ?4";
static const char SQL_SET_STATE[] =
	"UPDATE keys SET state = ?2, state_changed_at = ?3,"
	" privkey = CASE WHEN ?2 = 4 THEN NULL ELSE privkey END WHERE id = ?1";
static const char SQL_FIND[] = "SELECT " KEY_COLUMNS " FROM keys"
			       " WHERE (?1 IS NULL OR owner = ?1) AND (?2 = 0 OR kind = ?2)"
			       " AND (?3 < 0 OR state = ?3) ORDER BY owner, kind, alg, keyid";
static const char SQL_HISTORY[] = "SELECT from_state, to_state, at, reason FROM key_history"
				  " WHERE key_id = ?1 ORDER BY id";

static void bind_ref(sqlite3_stmt *s, const st_key_ref_t *ref)
{
	sq_bind_text(s, 1, ref->owner);
	sqlite3_bind_int(s, 2, (int)ref->kind);
	sqlite3_bind_int(s, 3, ref->alg);
	sqlite3_bind_int64(s, 4, ref->keyid);
}

/* Read a row of KEY_COLUMNS; the private key only with ST_WITH_PRIVATE. */
static void read_row(sqlite3_stmt *s, unsigned flags, st_key_t *k)
{
	k->owner = sq_col_text(s, 1);
	k->kind = (enum st_key_kind)sqlite3_column_int(s, 2);
	k->alg = (uint16_t)sqlite3_column_int(s, 3);
	k->keyid = (uint32_t)sqlite3_column_int64(s, 4);
	k->pub = sq_col_blob(s, 5, &k->publen);
	k->priv = NULL;
	k->privlen = 0;
	if (flags & ST_WITH_PRIVATE)
		k->priv = sq_col_blob(s, 6, &k->privlen);
	k->state = (enum st_key_state)sqlite3_column_int(s, 7);
	k->created_at = sqlite3_column_int64(s, 8);
	k->state_changed_at = sqlite3_column_int64(s, 9);
}

static int history_add(struct sq_db *db, int64_t key_id, int from, int to, int64_t at,
		       const char *reason)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_HISTORY_ADD, &s);
	if (rc != HS_OK)
		return rc;
	sqlite3_bind_int64(s, 1, key_id);
	if (from < 0)
		sqlite3_bind_null(s, 2);
	else
		sqlite3_bind_int(s, 2, from);
	sqlite3_bind_int(s, 3, to);
	sqlite3_bind_int64(s, 4, at);
	sq_bind_text(s, 5, reason);
	int src = sqlite3_step(s);
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "key history insert");
	sq_done(s);
	return rc;
}

int sqk_add(void *be, const st_key_ref_t *ref, const uint8_t *pub, size_t publen,
	    const uint8_t *priv, size_t privlen, enum st_key_state state, int64_t now,
	    const char *reason)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_INSERT, &s);
	if (rc != HS_OK)
		goto cleanup;
	bind_ref(s, ref);
	sq_bind_blob(s, 5, pub, publen);
	sq_bind_blob(s, 6, priv, privlen);
	sqlite3_bind_int(s, 7, (int)state);
	sqlite3_bind_int64(s, 8, now);
	int src = sqlite3_step(s);
	sq_done(s); /* drops the binding of the private key */
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "key insert");
		goto cleanup;
	}
	rc = history_add(db, sqlite3_last_insert_rowid(db->h), -1, (int)state, now, reason);
	if (rc != HS_OK)
		goto cleanup;
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	log_info(SUB, "key '%s' %s alg %u id %u added as '%s'", ref->owner,
		 st_key_kind_name((int)ref->kind), ref->alg, ref->keyid,
		 st_key_state_name((int)state));
	return HS_OK;
}

/* Row id and state of a key; HS_E_NOTFOUND when absent. */
static int lookup(struct sq_db *db, const st_key_ref_t *ref, int64_t *id, int *state)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_GET, &s);
	if (rc != HS_OK)
		return rc;
	bind_ref(s, ref);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*state = sqlite3_column_int(s, 7);
	} else if (src == SQLITE_DONE) {
		rc = HS_E_NOTFOUND;
	} else {
		rc = sq_fail(db, src, "key lookup");
	}
	sq_done(s);
	return rc;
}

int sqk_get(void *be, const st_key_ref_t *ref, unsigned flags, st_key_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_GET, &s);
	if (rc != HS_OK)
		return rc;
	bind_ref(s, ref);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		read_row(s, flags, out);
	else if (src == SQLITE_DONE)
		rc = HS_E_NOTFOUND;
	else
		rc = sq_fail(db, src, "key get");
	sq_done(s);
	return rc;
}

/* secure_delete zeroes the erased private key in the page, but the WAL
 * still holds older images of that page until it restarts. A truncating
 * checkpoint copies the clean page into the file and empties the WAL. It
 * cannot finish while another connection reads an old snapshot; then the
 * next checkpoint does it, and the key row is erased either way. */
static void purge_wal(struct sq_db *db)
{
	int src = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	if (src != SQLITE_OK)
		log_notice(SUB, "checkpoint after key removal in '%s' deferred: '%s'", db->path,
			   sqlite3_errmsg(db->h));
}

int sqk_set_state(void *be, const st_key_ref_t *ref, enum st_key_state to, int64_t now,
		  const char *reason)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int64_t id = 0;
	int from = -1;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	rc = lookup(db, ref, &id, &from);
	if (rc != HS_OK)
		goto cleanup;
	if (!st_key_transition_ok(from, (int)to)) {
		rc = HS_E_STATE;
		log_notice(SUB, "key '%s' %s alg %u id %u: '%s' -> '%s' not allowed", ref->owner,
			   st_key_kind_name((int)ref->kind), ref->alg, ref->keyid,
			   st_key_state_name(from), st_key_state_name((int)to));
		goto cleanup;
	}
	rc = sq_stmt(db, SQL_SET_STATE, &s);
	if (rc != HS_OK)
		goto cleanup;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, (int)to);
	sqlite3_bind_int64(s, 3, now);
	int src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "key state update");
		goto cleanup;
	}
	rc = history_add(db, id, from, (int)to, now, reason);
	if (rc != HS_OK)
		goto cleanup;
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	log_info(SUB, "key '%s' %s alg %u id %u: '%s' -> '%s' (%s)", ref->owner,
		 st_key_kind_name((int)ref->kind), ref->alg, ref->keyid, st_key_state_name(from),
		 st_key_state_name((int)to), reason);
	if (to == ST_KEY_REMOVED)
		purge_wal(db);
	return HS_OK;
}

int sqk_find(void *be, const char *owner, int kind, int state, unsigned flags,
	     st_key_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_key_list_t l = {NULL, 0};
	size_t cap = 0;
	int rc = sq_stmt(db, SQL_FIND, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, owner);
	sqlite3_bind_int(s, 2, kind);
	sqlite3_bind_int(s, 3, state);
	int src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (l.n == cap) {
			cap = cap ? 2 * cap : 8;
			l.v = xrealloc(l.v, cap * sizeof(*l.v));
		}
		read_row(s, flags, &l.v[l.n++]);
	}
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "key find");
	sq_done(s);
	if (rc != HS_OK) {
		st_key_list_free(&l);
		return rc;
	}
	*out = l;
	return HS_OK;
}

int sqk_history(void *be, const st_key_ref_t *ref, st_key_event_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_key_event_list_t l = {NULL, 0};
	size_t cap = 0;
	int64_t id = 0;
	int state = 0;
	/* One read transaction so the key and its history are one snapshot. */
	int rc = sq_begin_read(db);
	if (rc != HS_OK)
		return rc;
	rc = lookup(db, ref, &id, &state);
	if (rc != HS_OK)
		goto cleanup;
	rc = sq_stmt(db, SQL_HISTORY, &s);
	if (rc != HS_OK)
		goto cleanup;
	sqlite3_bind_int64(s, 1, id);
	int src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (l.n == cap) {
			cap = cap ? 2 * cap : 8;
			l.v = xrealloc(l.v, cap * sizeof(*l.v));
		}
		st_key_event_t *e = &l.v[l.n++];
		e->from_state =
			sqlite3_column_type(s, 0) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 0);
		e->to_state = (enum st_key_state)sqlite3_column_int(s, 1);
		e->at = sqlite3_column_int64(s, 2);
		e->reason = sq_col_text(s, 3);
	}
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "key history");
	sq_done(s);
cleanup:
	sq_rollback(db);
	if (rc != HS_OK) {
		st_key_event_list_free(&l);
		return rc;
	}
	*out = l;
	return HS_OK;
}
