/*
 * sqlite_dkeys.c -- the signer's zone keys on SQLite: tables `dnssec_key`
 * and `dnssec_key_history` (migration 5). Like the keystore, each state
 * change writes the row and its history row in one transaction.
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"

const char sqd_migration[] =
    "CREATE TABLE dnssec_key ("
    " id INTEGER PRIMARY KEY,"
    " zone TEXT NOT NULL,"
    " role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),"
    " tag INTEGER NOT NULL CHECK (tag BETWEEN 0 AND 65535),"
    " alg INTEGER NOT NULL CHECK (alg BETWEEN 0 AND 255),"
    " flags INTEGER NOT NULL CHECK (flags BETWEEN 0 AND 65535),"
    " dnskey BLOB NOT NULL,"
    " privkey BLOB,"
    " state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 8),"
    " created_at INTEGER NOT NULL,"
    " state_changed_at INTEGER NOT NULL,"
    " UNIQUE (zone, dnskey)"
    ") STRICT;"
    "CREATE TABLE dnssec_key_history ("
    " id INTEGER PRIMARY KEY,"
    " key_id INTEGER NOT NULL REFERENCES dnssec_key(id) ON DELETE CASCADE,"
    " from_state INTEGER CHECK (from_state BETWEEN 0 AND 8),"
    " to_state INTEGER NOT NULL CHECK (to_state BETWEEN 0 AND 8),"
    " at INTEGER NOT NULL,"
    " reason TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX dnssec_key_history_key ON dnssec_key_history(key_id, id);";

static const char SQL_INSERT[] =
    "INSERT INTO dnssec_key (zone, role, tag, alg, flags, dnskey, privkey, state, created_at,"
    " state_changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)";
static const char SQL_HIST_ADD[] = "INSERT INTO dnssec_key_history (key_id, from_state, to_state,"
                                   " at, reason) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_LOOKUP[] = "SELECT id, state FROM dnssec_key WHERE zone = ?1 AND dnskey = ?2";
static const char SQL_SET[] =
    "UPDATE dnssec_key SET state = ?2, state_changed_at = ?3,"
    " privkey = CASE WHEN ?2 = 7 THEN NULL ELSE privkey END WHERE id = ?1";
static const char SQL_LIST[] =
    "SELECT zone, role, tag, alg, flags, dnskey, privkey, state, created_at, state_changed_at"
    " FROM dnssec_key WHERE (?1 IS NULL OR zone = ?1) ORDER BY zone, id";
static const char SQL_HIST[] = "SELECT from_state, to_state, at, reason FROM dnssec_key_history"
                               " WHERE key_id = ?1 ORDER BY id";

static int hist_add(struct sq_db *db, int64_t id, int from, int to, int64_t at, const char *why)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_HIST_ADD, &s), src;
	if (rc != HS_OK)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	if (from < 0)
		sqlite3_bind_null(s, 2);
	else
		sqlite3_bind_int(s, 2, from);
	sqlite3_bind_int(s, 3, to);
	sqlite3_bind_int64(s, 4, at);
	sq_bind_text(s, 5, why);
	src = sqlite3_step(s);
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "dnssec key history insert");
	sq_done(s);
	return rc;
}

int sqd_add(void *be, const char *zone, uint8_t role, const uint8_t *dnskey, size_t len,
            const uint8_t *priv, size_t privlen, int state, int64_t now, const char *reason)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	uint32_t ac = 0;
	int rc = sq_begin_durable(db), src;
	if (rc != HS_OK)
		return rc;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? dnskey[i] : (uint32_t)dnskey[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	rc = sq_stmt(db, SQL_INSERT, &s);
	if (rc != HS_OK)
		goto cleanup;
	sq_bind_text(s, 1, zone);
	sqlite3_bind_int(s, 2, role);
	sqlite3_bind_int(s, 3, (int)(ac & 0xFFFF));
	sqlite3_bind_int(s, 4, dnskey[3]);
	sqlite3_bind_int(s, 5, dnskey[0] << 8 | dnskey[1]);
	sq_bind_blob(s, 6, dnskey, len);
	sq_bind_blob(s, 7, priv, privlen);
	sqlite3_bind_int(s, 8, state);
	sqlite3_bind_int64(s, 9, now);
	src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "dnssec key insert");
		goto cleanup;
	}
	rc = hist_add(db, sqlite3_last_insert_rowid(db->h), -1, state, now, reason);
	if (rc == HS_OK)
		rc = sq_commit(db);
cleanup:
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	log_info(SUB, "zone '%s' dnssec key %u (alg %u) added as '%s'", zone, ac & 0xFFFF,
	         dnskey[3], st_dkey_state_name(state));
	return HS_OK;
}

static int lookup(struct sq_db *db, const char *zone, const uint8_t *dnskey, size_t len,
                  int64_t *id, int *state)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_LOOKUP, &s), src;
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, zone);
	sq_bind_blob(s, 2, dnskey, len);
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*state = sqlite3_column_int(s, 1);
	} else {
		rc = src == SQLITE_DONE ? HS_E_NOTFOUND : sq_fail(db, src, "dnssec key lookup");
	}
	sq_done(s);
	return rc;
}

int sqd_set_state(void *be, const char *zone, const uint8_t *dnskey, size_t len, int to,
                  int64_t now, const char *reason)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int64_t id = 0;
	int from = -1, src;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	rc = lookup(db, zone, dnskey, len, &id, &from);
	if (rc != HS_OK)
		goto cleanup;
	if (!st_dkey_transition_ok(from, to)) {
		log_notice(SUB, "zone '%s' dnssec key: '%s' -> '%s' not allowed", zone,
		           st_dkey_state_name(from), st_dkey_state_name(to));
		rc = HS_E_STATE;
		goto cleanup;
	}
	rc = sq_stmt(db, SQL_SET, &s);
	if (rc != HS_OK)
		goto cleanup;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, to);
	sqlite3_bind_int64(s, 3, now);
	src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "dnssec key state update");
		goto cleanup;
	}
	rc = hist_add(db, id, from, to, now, reason);
	if (rc == HS_OK)
		rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	return rc;
}

int sqd_list(void *be, const char *zone, unsigned flags, st_dkey_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_dkey_list_t l = {NULL, 0};
	size_t cap = 0;
	int rc = sq_stmt(db, SQL_LIST, &s), src;
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, zone);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (l.n == cap) {
			cap = cap ? 2 * cap : 8;
			l.v = xrealloc(l.v, cap * sizeof(*l.v));
		}
		st_dkey_t *k = &l.v[l.n++];
		memset(k, 0, sizeof(*k));
		k->zone = sq_col_text(s, 0);
		k->role = (uint8_t)sqlite3_column_int(s, 1);
		k->tag = (uint16_t)sqlite3_column_int(s, 2);
		k->alg = (uint8_t)sqlite3_column_int(s, 3);
		k->flags = (uint16_t)sqlite3_column_int(s, 4);
		k->dnskey = sq_col_blob(s, 5, &k->dnskey_len);
		if (flags & ST_WITH_PRIVATE)
			k->priv = sq_col_blob(s, 6, &k->privlen);
		k->state = sqlite3_column_int(s, 7);
		k->created_at = sqlite3_column_int64(s, 8);
		k->state_changed_at = sqlite3_column_int64(s, 9);
	}
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "dnssec key list");
	sq_done(s);
	if (rc != HS_OK) {
		st_dkey_list_free(&l);
		return rc;
	}
	*out = l;
	return HS_OK;
}

int sqd_history(void *be, const char *zone, const uint8_t *dnskey, size_t len,
                st_key_event_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_key_event_list_t l = {NULL, 0};
	size_t cap = 0;
	int64_t id = 0;
	int state = 0, src;
	int rc = sq_begin_read(db);
	if (rc != HS_OK)
		return rc;
	rc = lookup(db, zone, dnskey, len, &id, &state);
	if (rc != HS_OK)
		goto cleanup;
	rc = sq_stmt(db, SQL_HIST, &s);
	if (rc != HS_OK)
		goto cleanup;
	sqlite3_bind_int64(s, 1, id);
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
		rc = sq_fail(db, src, "dnssec key history");
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
