/*
 * sqlite_schema.c -- the schema as a list of migrations, applied at open.
 *
 * PRAGMA user_version is the number of the last migration applied;
 * PRAGMA application_id marks the file as an hsync store. A migration is
 * one transaction (its SQL and the new user_version commit together), so
 * a crash leaves the file at one version or the next. Rows are appended,
 * never edited: a released migration is history.
 */
#include "store/sqlite_backend.h"
#include "store/sqlite_db.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "util/hs_err.h"
#include "util/log.h"

#define SUB "store"
/* "hsyn" */
#define HS_APPLICATION_ID 0x6873796e

static const struct {
	int version;
	const char *sql;
} migrations[] = {
	{1,
	 /* Our own key pairs; state is enum st_key_state, times are Unix seconds. */
	 "CREATE TABLE keys ("
	 " id INTEGER PRIMARY KEY,"
	 " owner TEXT NOT NULL,"
	 " kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
	 " alg INTEGER NOT NULL CHECK (alg BETWEEN 0 AND 65535),"
	 " keyid INTEGER NOT NULL CHECK (keyid BETWEEN 0 AND 4294967295),"
	 " pubkey BLOB NOT NULL,"
	 " privkey BLOB,"
	 " state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),"
	 " created_at INTEGER NOT NULL,"
	 " state_changed_at INTEGER NOT NULL,"
	 " UNIQUE (owner, kind, alg, keyid)"
	 ") STRICT;"
	 /* One row per state a key entered; from_state NULL = creation. */
	 "CREATE TABLE key_history ("
	 " id INTEGER PRIMARY KEY,"
	 " key_id INTEGER NOT NULL REFERENCES keys(id) ON DELETE CASCADE,"
	 " from_state INTEGER CHECK (from_state BETWEEN 0 AND 4),"
	 " to_state INTEGER NOT NULL CHECK (to_state BETWEEN 0 AND 4),"
	 " at INTEGER NOT NULL,"
	 " reason TEXT NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX key_history_key ON key_history(key_id, id);"
	 "CREATE INDEX keys_state ON keys(state, kind);"
	 /* Other parties' public keys; several rows may share a key tag. */
	 "CREATE TABLE trust ("
	 " id INTEGER PRIMARY KEY,"
	 " owner TEXT NOT NULL,"
	 " kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
	 " alg INTEGER NOT NULL CHECK (alg BETWEEN 0 AND 65535),"
	 " keytag INTEGER NOT NULL CHECK (keytag BETWEEN 0 AND 4294967295),"
	 " rdata BLOB NOT NULL,"
	 " state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),"
	 " source TEXT NOT NULL,"
	 " first_seen INTEGER NOT NULL,"
	 " last_seen INTEGER NOT NULL,"
	 " last_changed INTEGER NOT NULL,"
	 " UNIQUE (owner, kind, alg, keytag, rdata)"
	 ") STRICT;"
	 /* Message ids seen per sender, remembered until expiry. */
	 "CREATE TABLE replay ("
	 " sender TEXT NOT NULL,"
	 " msgid BLOB NOT NULL,"
	 " expiry INTEGER NOT NULL,"
	 " PRIMARY KEY (sender, msgid)"
	 ") STRICT, WITHOUT ROWID;"
	 "CREATE INDEX replay_expiry ON replay(expiry);"},
	{2,
	 /* The transport's outbound queue; times in Unix milliseconds,
	  * state is enum st_outq_state. */
	 "CREATE TABLE outq ("
	 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " msgid BLOB NOT NULL UNIQUE CHECK (length(msgid) = 16),"
	 " peer TEXT NOT NULL,"
	 " type TEXT NOT NULL,"
	 " order_key TEXT,"
	 " body BLOB NOT NULL,"
	 " created_ms INTEGER NOT NULL,"
	 " expires_ms INTEGER NOT NULL,"
	 " state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 3),"
	 " reason TEXT NOT NULL,"
	 " finished_ms INTEGER NOT NULL,"
	 " attempts INTEGER NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX outq_state ON outq(state, seq);"
	 /* Accepted messages until the application acknowledges them. */
	 "CREATE TABLE inbox ("
	 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " sender TEXT NOT NULL,"
	 " msgid BLOB NOT NULL CHECK (length(msgid) = 16),"
	 " type TEXT NOT NULL,"
	 " msg BLOB NOT NULL,"
	 " received INTEGER NOT NULL,"
	 " UNIQUE (sender, msgid)"
	 ") STRICT;"},
	{3,
	 /* The combiner's contribution sets (one per zone, origin, type) and
	  * their records (draft-hsync-sync 7.1). version holds the 64 bits of
	  * a uint64, updated_ms Unix milliseconds. Rejected records are never
	  * stored. */
	 "CREATE TABLE contrib_set ("
	 " id INTEGER PRIMARY KEY,"
	 " zone TEXT NOT NULL,"
	 " origin TEXT NOT NULL,"
	 " type INTEGER NOT NULL CHECK (type BETWEEN 0 AND 65535),"
	 " version INTEGER NOT NULL,"
	 " change TEXT NOT NULL,"
	 " updated_ms INTEGER NOT NULL,"
	 " UNIQUE (zone, origin, type)"
	 ") STRICT;"
	 "CREATE TABLE contrib_rr ("
	 " set_id INTEGER NOT NULL REFERENCES contrib_set(id) ON DELETE CASCADE,"
	 " pos INTEGER NOT NULL,"
	 " owner TEXT NOT NULL,"
	 " ttl INTEGER NOT NULL CHECK (ttl BETWEEN 0 AND 4294967295),"
	 " rdata BLOB NOT NULL,"
	 " verdict TEXT NOT NULL CHECK (verdict IN ('pending', 'applied', 'ignored', 'removed')),"
	 " reason TEXT NOT NULL,"
	 " approved INTEGER NOT NULL CHECK (approved IN (0, 1)),"
	 " PRIMARY KEY (set_id, pos)"
	 ") STRICT, WITHOUT ROWID;"},
	{4,
	 /* Zones kept by src/zone: one snapshot per zone (the whole zone at
	  * `serial`, journal rows up to snap_seq included in it) and the
	  * journal of differences in order. */
	 "CREATE TABLE zone_snapshot ("
	 " zone TEXT PRIMARY KEY,"
	 " serial INTEGER NOT NULL CHECK (serial BETWEEN 0 AND 4294967295),"
	 " snap_seq INTEGER NOT NULL,"
	 " at INTEGER NOT NULL,"
	 " data BLOB NOT NULL"
	 ") STRICT;"
	 "CREATE TABLE zone_journal ("
	 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	 " zone TEXT NOT NULL,"
	 " from_serial INTEGER NOT NULL CHECK (from_serial BETWEEN 0 AND 4294967295),"
	 " to_serial INTEGER NOT NULL CHECK (to_serial BETWEEN 0 AND 4294967295),"
	 " at INTEGER NOT NULL,"
	 " data BLOB NOT NULL"
	 ") STRICT;"
	 "CREATE INDEX zone_journal_zone ON zone_journal(zone, seq);"},
	/* The signer's zone keys and their history (sqlite_dkeys.c). */
	{5, sqd_migration},
	/* A parent's UPDATE decisions (sqlite_parent.c). */
	{6, sqp_migration},
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int st_schema_version(void)
{
	return migrations[NMIGRATIONS - 1].version;
}

/* One integer from a pragma or a count query. */
static int query_int(struct sq_db *db, const char *sql, const char *what, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = HS_OK;
	int src = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(s);
	if (src != SQLITE_ROW) {
		rc = sq_fail(db, src, what);
		goto cleanup;
	}
	*out = sqlite3_column_int64(s, 0);
cleanup:
	sqlite3_finalize(s);
	return rc;
}

int sq_schema_check(struct sq_db *db, hs_errmsg_t *em)
{
	int64_t appid = 0, version = 0, nobj = 0;
	/* The first read of the file: a non-SQLite or damaged file fails here.
	 * One read transaction, so the three values come from one snapshot
	 * even while another process is migrating the file. */
	int rc = sq_begin_read(db);
	if (rc == HS_OK)
		rc = query_int(db, "SELECT count(*) FROM sqlite_schema", "read schema", &nobj);
	if (rc == HS_OK)
		rc = query_int(db, "PRAGMA application_id", "read application_id", &appid);
	if (rc == HS_OK)
		rc = query_int(db, "PRAGMA user_version", "read user_version", &version);
	if (rc != HS_OK) /* before the rollback replaces the message */
		hs_fail(em, rc, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
	sq_rollback(db);
	if (rc != HS_OK)
		return rc;
	if (appid != HS_APPLICATION_ID && (appid != 0 || version != 0 || nobj != 0)) {
		log_err(SUB, "'%s' is not an hsync database (application_id 0x%08llx)", db->path,
			(unsigned long long)appid);
		return hs_fail(em, HS_E_DB_SCHEMA, "'%s' is not an hsync database", db->path);
	}
	if (version > st_schema_version()) {
		log_err(SUB, "database '%s' has schema version %lld, newer than %d", db->path,
			(long long)version, st_schema_version());
		return hs_fail(em, HS_E_DB_SCHEMA,
			       "database '%s' has schema version %lld, this program knows up to %d",
			       db->path, (long long)version, st_schema_version());
	}
	return HS_OK;
}

static int apply(struct sq_db *db, int i, hs_errmsg_t *em)
{
	int64_t cur = 0;
	char set[96];
	int rc = sq_begin(db);
	if (rc != HS_OK)
		goto cleanup;
	/* Another process may have migrated while we waited for the lock. */
	rc = query_int(db, "PRAGMA user_version", "read user_version", &cur);
	if (rc != HS_OK || cur >= migrations[i].version)
		goto cleanup;
	if (cur != migrations[i].version - 1) {
		rc = HS_E_DB_SCHEMA;
		log_err(SUB, "database '%s' at version %lld, expected %d", db->path,
			(long long)cur, migrations[i].version - 1);
		goto cleanup;
	}
	rc = sq_exec(db, migrations[i].sql, "migration");
	if (rc != HS_OK)
		goto cleanup;
	snprintf(set, sizeof(set), "PRAGMA user_version=%d; PRAGMA application_id=%d",
		 migrations[i].version, HS_APPLICATION_ID);
	rc = sq_exec(db, set, "migration version");
	if (rc != HS_OK)
		goto cleanup;
	rc = sq_commit(db);
	if (rc == HS_OK)
		log_info(SUB, "database '%s' migrated to schema version %d", db->path,
			 migrations[i].version);
cleanup:
	if (rc != HS_OK) {
		sq_rollback(db);
		hs_fail(em, rc, "database '%s': migration to version %d failed", db->path,
			migrations[i].version);
		return rc;
	}
	sq_rollback(db); /* no-op after commit; ends the "already done" case */
	return HS_OK;
}

int sq_migrate(struct sq_db *db, hs_errmsg_t *em)
{
	int64_t version = 0;
	int rc = query_int(db, "PRAGMA user_version", "read user_version", &version);
	if (rc != HS_OK)
		return hs_fail(em, rc, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
	for (int i = 0; i < NMIGRATIONS && rc == HS_OK; i++)
		if (migrations[i].version > version)
			rc = apply(db, i, em);
	return rc;
}

int sq_integrity(struct sq_db *db, hs_errmsg_t *em)
{
	sqlite3_stmt *s = NULL;
	int rc = HS_OK;
	int src = sqlite3_prepare_v2(db->h, "PRAGMA integrity_check", -1, &s, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(s);
	if (src != SQLITE_ROW) {
		rc = sq_fail(db, src, "integrity_check");
		hs_fail(em, rc, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
		goto cleanup;
	}
	const char *res = (const char *)sqlite3_column_text(s, 0);
	if (res == NULL || strcmp(res, "ok") != 0) {
		/* The report can be many lines, after a "*** in database main ***"
		 * header; the first real line says enough. */
		if (res != NULL && strncmp(res, "***", 3) == 0 && strchr(res, '\n') != NULL)
			res = strchr(res, '\n') + 1;
		int len = res ? (int)strcspn(res, "\n") : 0;
		rc = HS_E_DB_SCHEMA;
		log_err(SUB, "database '%s' damaged: '%.*s'", db->path, len, res ? res : "");
		hs_fail(em, rc, "database '%s' damaged: %.*s", db->path, len, res ? res : "");
		goto cleanup;
	}
	sqlite3_finalize(s);
	s = NULL;
	src = sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &s, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		rc = HS_E_DB_SCHEMA;
		log_err(SUB, "database '%s': dangling reference in table '%s'", db->path,
			(const char *)sqlite3_column_text(s, 0));
		hs_fail(em, rc, "database '%s': dangling reference", db->path);
	} else if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "foreign_key_check");
		hs_fail(em, rc, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
	}
cleanup:
	sqlite3_finalize(s);
	return rc;
}
