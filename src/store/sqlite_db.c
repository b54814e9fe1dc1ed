/*
 * sqlite_db.c -- the SQLite connection: open and pragmas, the statement
 * cache, transactions that wait for other writers, error mapping.
 *
 * Durability: journal_mode=WAL with synchronous=FULL. WAL lets readers run
 * while one writer commits and keeps the file consistent after a crash at
 * any point; FULL makes each COMMIT fsync the WAL before returning, so a
 * commit also survives power loss. A group-commit batch runs with NORMAL
 * and syncs the WAL itself after its COMMIT, at once (sq_batch_commit) or
 * in a background thread whose report the caller waits for before it
 * acts on the commit (sq_batch_commit_async, sqlite_sync.c). That matters
 * because the layers above act on a commit (a receipt sent for a stored
 * message, a replay id accepted, a key published): with NORMAL the last
 * commits can vanish after a power cut although the peer was already
 * told. Only the transport's writes (inbox, outq, replay), whose callers
 * wait for the batch's sync, join a batch; every other write is durable
 * when it returns (sq_begin_durable: the batch's transaction is ended
 * and synced first).
 */
#include "store/sqlite_db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"
/* How long SQLite's busy handler waits for a lock, per attempt. */
#define SQ_BUSY_MS 2000
/* Attempts of BEGIN IMMEDIATE / COMMIT on SQLITE_BUSY (~20 s in all). */
#define SQ_TRIES 10

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

/* Connection settings applied at every open. journal_mode is checked
 * separately because it answers with the mode it got. */
static const char *const pragmas[] = {
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    /* deleted content (erased private keys) is overwritten, not just unlinked */
    "PRAGMA secure_delete=ON",
    "PRAGMA trusted_schema=OFF",
};

/* SQLite primary result code -> HS_E_* (anything else is HS_E_DB). */
static const struct {
	int sqlite;
	int hs;
} err_map[] = {
    {SQLITE_BUSY, HS_E_DB_BUSY},     {SQLITE_LOCKED, HS_E_DB_BUSY},
    {SQLITE_NOTADB, HS_E_DB_SCHEMA}, {SQLITE_CORRUPT, HS_E_DB_SCHEMA},
    {SQLITE_CANTOPEN, HS_E_IO},      {SQLITE_NOMEM, HS_E_NOMEM},
};

int sq_fail(struct sq_db *db, int src, const char *what)
{
	if (src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY) {
		log_debug(SUB, "%s: '%s'", what, sqlite3_errmsg(db->h));
		return HS_E_EXISTS;
	}
	int hs = HS_E_DB;
	for (size_t i = 0; i < sizeof(err_map) / sizeof(err_map[0]); i++)
		if ((src & 0xff) == err_map[i].sqlite)
			hs = err_map[i].hs;
	log_err(SUB, "%s failed in '%s': '%s'", what, db->path,
	        db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(src));
	return hs;
}

static void nap(int attempt)
{
	struct timespec ts = {0, (long)(attempt + 1) * 5 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

static int is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

int sq_stmt(struct sq_db *db, const char *sql, sqlite3_stmt **out)
{
	for (size_t i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			sq_done(db->cache[i].stmt);
			*out = db->cache[i].stmt;
			return HS_OK;
		}
	}
	if (db->ncache == SQ_MAX_STMTS) {
		log_err(SUB, "statement cache full (%d)", SQ_MAX_STMTS);
		return HS_E_INTERNAL;
	}
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(db, rc, "prepare");
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].stmt = s;
	db->ncache++;
	*out = s;
	return HS_OK;
}

void sq_done(sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Step a no-result statement, retrying while another process holds the
 * lock longer than the busy timeout. */
static int step_retry(struct sq_db *db, const char *sql, const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, sql, &s);
	if (rc != HS_OK)
		return rc;
	for (int i = 0; i < SQ_TRIES; i++) {
		int src = sqlite3_step(s);
		sq_done(s);
		if (src == SQLITE_DONE)
			return HS_OK;
		if (!is_busy(src))
			return sq_fail(db, src, what);
		log_debug(SUB, "%s: database busy, attempt %d", what, i + 1);
		nap(i);
	}
	log_err(SUB, "%s: '%s' stayed busy, giving up", what, db->path);
	return HS_E_DB_BUSY;
}

int sq_count(struct sq_db *db, const char *sql, int bind1, const char *what, uint64_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, sql, &s);
	if (rc != HS_OK)
		return rc;
	if (bind1 >= 0)
		sqlite3_bind_int(s, 1, bind1);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(s, 0);
	else
		rc = sq_fail(db, src, what);
	sq_done(s);
	return rc;
}

int sq_write_int(struct sq_db *db, const char *sql, int64_t v, const char *what, uint64_t *changes)
{
	sqlite3_stmt *s = NULL;
	uint64_t n = 0;
	int rc = sq_begin(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, sql, &s);
	if (rc != HS_OK)
		goto cleanup;
	sqlite3_bind_int64(s, 1, v);
	int src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, what);
		goto cleanup;
	}
	n = (uint64_t)sqlite3_changes64(db->h);
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK)
		sq_rollback(db);
	else if (changes != NULL)
		*changes = n;
	return rc;
}

/* Inside a batch: one write's SAVEPOINT, its RELEASE, its undo. */
static const char SQL_SAVEPOINT[] = "SAVEPOINT w";
static const char SQL_RELEASE[] = "RELEASE w";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO w";

static int step_once(struct sq_db *db, const char *sql, const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, sql, &s);
	if (rc != HS_OK)
		return rc;
	int src = sqlite3_step(s);
	sq_done(s);
	return src == SQLITE_DONE ? HS_OK : sq_fail(db, src, what);
}

/* The synchronous level, switched around each group commit: prepared
 * once (sq_stmt), not parsed again for every commit. */
static const char SQL_SYNC_FULL[] = "PRAGMA synchronous=FULL";
static const char SQL_SYNC_NORMAL[] = "PRAGMA synchronous=NORMAL";

static int sync_level(struct sq_db *db, const char *sql)
{
	return step_once(db, sql, "synchronous");
}

/* The batch's transaction broke under us (SQLite rolled it back on an
 * I/O error, say): what was written is gone; later writes start anew. */
static void batch_lost(struct sq_db *db)
{
	if (db->batch_tx && sqlite3_get_autocommit(db->h)) {
		log_err(SUB, "'%s': the group-commit transaction was rolled back", db->path);
		db->batch_tx = 0;
		db->sp_depth = 0;
		db->broken = 1; /* writes that returned HS_OK are gone */
	}
}

/* Inside the batch's transaction (not a durable write of its own). */
static int in_batch(const struct sq_db *db)
{
	return db->batch && !db->solo;
}

/* End the open batch's transaction now, durably: COMMIT, FULL again, the
 * WAL synced. The batch stays open. */
static int batch_end_tx(struct sq_db *db)
{
	batch_lost(db);
	if (!db->batch_tx)
		return HS_OK;
	if (db->sp_depth > 0 || db->read_depth > 0)
		return HS_E_STATE;
	int rc = step_retry(db, SQL_COMMIT, "commit batch");
	db->batch_tx = 0;
	if (rc != HS_OK && !sqlite3_get_autocommit(db->h))
		(void)step_once(db, SQL_ROLLBACK, "rollback");
	if (sync_level(db, SQL_SYNC_FULL) != HS_OK)
		log_err(SUB, "'%s': cannot set synchronous=FULL again", db->path);
	if (rc == HS_OK)
		rc = sq_wal_sync(db);
	if (rc != HS_OK)
		db->broken = 1;
	return rc;
}

int sq_begin_durable(struct sq_db *db)
{
	if (db->batch) {
		int rc = batch_end_tx(db);
		if (rc != HS_OK)
			return rc;
		db->solo = 1;
	}
	int rc = step_retry(db, SQL_BEGIN, "begin");
	if (rc != HS_OK)
		db->solo = 0;
	return rc;
}

int sq_begin(struct sq_db *db)
{
	if (!in_batch(db))
		return step_retry(db, SQL_BEGIN, "begin");
	batch_lost(db);
	if (!db->batch_tx) {
		/* the batch's COMMIT does not wait for the disk: the WAL is
		 * synced by sq_wal_sync (sq_batch_commit) or in the background
		 * (sq_batch_commit_async); the level can only change outside a
		 * transaction */
		int rc = sync_level(db, SQL_SYNC_NORMAL);
		if (rc == HS_OK)
			rc = step_retry(db, SQL_BEGIN, "begin batch");
		if (rc != HS_OK) {
			(void)sync_level(db, SQL_SYNC_FULL);
			return rc;
		}
		db->batch_tx = 1;
	}
	int rc = step_once(db, SQL_SAVEPOINT, "savepoint");
	if (rc == HS_OK)
		db->sp_depth++;
	return rc;
}

int sq_begin_read(struct sq_db *db)
{
	if (in_batch(db)) {
		db->read_depth++;
		return HS_OK;
	}
	return step_retry(db, SQL_BEGIN_READ, "begin read");
}

int sq_commit(struct sq_db *db)
{
	if (in_batch(db)) {
		batch_lost(db);
		if (db->sp_depth == 0)
			return HS_E_DB; /* the batch broke: this write is gone */
		int rc = step_once(db, SQL_RELEASE, "release");
		if (rc != HS_OK) {
			sq_rollback(db);
			return rc;
		}
		db->sp_depth--;
		return HS_OK;
	}
	int rc = step_retry(db, SQL_COMMIT, "commit");
	if (rc != HS_OK)
		sq_rollback(db);
	db->solo = 0;
	return rc;
}

void sq_rollback(struct sq_db *db)
{
	if (in_batch(db)) {
		batch_lost(db);
		if (db->sp_depth > 0) {
			(void)step_once(db, SQL_ROLLBACK_TO, "rollback to");
			(void)step_once(db, SQL_RELEASE, "release");
			db->sp_depth--;
		} else if (db->read_depth > 0) {
			db->read_depth--;
		}
		return;
	}
	db->solo = 0;
	if (sqlite3_get_autocommit(db->h))
		return; /* nothing open (SQLite may already have rolled back) */
	sqlite3_stmt *s = NULL;
	if (sq_stmt(db, SQL_ROLLBACK, &s) != HS_OK)
		return;
	int src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE)
		(void)sq_fail(db, src, "rollback");
}

int sq_batch_begin(struct sq_db *db)
{
	if (db->batch)
		return HS_E_STATE;
	db->batch = 1;
	db->batch_tx = db->sp_depth = db->read_depth = db->broken = 0;
	return HS_OK;
}

/* COMMIT the batch's transaction (synchronous=NORMAL: not yet synced)
 * and restore FULL for the writes outside batches. *wrote: it had one. */
int sq_batch_commit_nosync(struct sq_db *db, int *wrote)
{
	int rc = HS_OK, tx;
	if (!db->batch)
		return HS_E_STATE;
	batch_lost(db);
	tx = db->batch_tx;
	db->batch = db->batch_tx = db->sp_depth = db->read_depth = 0;
	if (tx) {
		rc = step_retry(db, SQL_COMMIT, "commit batch");
		if (rc != HS_OK)
			sq_rollback(db);
		if (sync_level(db, SQL_SYNC_FULL) != HS_OK)
			log_err(SUB, "'%s': cannot set synchronous=FULL again", db->path);
	}
	/* writes of this batch were lost on the way: whoever waits for its
	 * commit must not act on them */
	if (rc == HS_OK && db->broken)
		rc = HS_E_DB;
	db->broken = 0;
	*wrote = tx;
	return rc;
}

int sq_batch_commit(struct sq_db *db)
{
	int wrote = 0;
	int rc = sq_batch_commit_nosync(db, &wrote);
	if (rc == HS_OK && wrote)
		rc = sq_wal_sync(db);
	return rc;
}

void sq_batch_abort(struct sq_db *db)
{
	int tx;
	if (!db->batch)
		return;
	tx = db->batch_tx;
	db->batch = db->batch_tx = db->sp_depth = db->read_depth = db->broken = 0;
	sq_rollback(db);
	if (tx && sync_level(db, SQL_SYNC_FULL) != HS_OK)
		log_err(SUB, "'%s': cannot set synchronous=FULL again", db->path);
}

int sq_exec(struct sq_db *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int src = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
	sqlite3_free(msg);
	return src == SQLITE_OK ? HS_OK : sq_fail(db, src, what);
}

int sq_bind_text(sqlite3_stmt *s, int i, const char *t)
{
	return t ? sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

int sq_bind_blob(sqlite3_stmt *s, int i, const uint8_t *p, size_t n)
{
	if (p == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_blob64(s, i, p, n, SQLITE_STATIC);
}

char *sq_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

uint8_t *sq_col_blob(sqlite3_stmt *s, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);
	*len = p ? n : 0;
	return p ? xmemdup(p, n) : NULL;
}

/* journal_mode answers with the mode in effect; anything but "wal" means
 * the file system or another connection refused it. */
static int set_wal(struct sq_db *db, hs_errmsg_t *em)
{
	sqlite3_stmt *s = NULL;
	int rc = HS_OK;
	int src = sqlite3_prepare_v2(db->h, "PRAGMA journal_mode=WAL", -1, &s, NULL);
	for (int i = 0; src == SQLITE_OK && i < SQ_TRIES; i++) {
		src = sqlite3_step(s);
		if (!is_busy(src))
			break;
		sqlite3_reset(s);
		nap(i);
		src = SQLITE_OK;
	}
	if (src != SQLITE_ROW) {
		rc = sq_fail(db, src == SQLITE_OK ? SQLITE_BUSY : src, "journal_mode");
		hs_fail(em, rc, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
		goto cleanup;
	}
	const char *mode = (const char *)sqlite3_column_text(s, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		rc = HS_E_DB;
		log_err(SUB, "database '%s' refused WAL mode (got '%s')", db->path,
		        mode ? mode : "");
		hs_fail(em, rc, "database '%s' refused WAL mode", db->path);
	}
cleanup:
	sqlite3_finalize(s);
	return rc;
}

/* The file holds private keys: create it 0600 ourselves (SQLite would
 * use 0644 & ~umask) and warn about an existing one that others can read.
 * SQLite gives the -wal and -shm files the database file's mode. */
static int create_private(const char *path, hs_errmsg_t *em)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return HS_OK;
	}
	if (errno != EEXIST) {
		log_err(SUB, "cannot create database '%s': %s", path, strerror(errno));
		return hs_fail(em, HS_E_IO, "cannot open database '%s': %s", path, strerror(errno));
	}
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077) != 0)
		log_warn(SUB, "database '%s' is accessible to other users (mode %04o)", path,
		         (unsigned)(sb.st_mode & 07777));
	return HS_OK;
}

int sq_db_open(const char *path, struct sq_db **out, hs_errmsg_t *em)
{
	if (strcmp(path, ":memory:") == 0) /* WAL and durability need a file */
		return hs_fail(em, HS_E_INVAL, "the store needs a database file");
	int rc = create_private(path, em);
	if (rc != HS_OK)
		return rc;
	struct sq_db *db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	db->walfd = -1;
	int src = sqlite3_open_v2(
	    path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE, NULL);
	if (src != SQLITE_OK) {
		rc = sq_fail(db, src, "open");
		hs_fail(em, rc, "cannot open database '%s': %s", path,
		        db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(src));
		goto cleanup;
	}
	sqlite3_busy_timeout(db->h, SQ_BUSY_MS);
	/* Look at the file before changing anything in it. */
	rc = sq_schema_check(db, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = set_wal(db, em);
	if (rc != HS_OK)
		goto cleanup;
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
		rc = sq_exec(db, pragmas[i], pragmas[i]);
		if (rc != HS_OK) {
			hs_fail(em, rc, "database '%s': %s", path, sqlite3_errmsg(db->h));
			goto cleanup;
		}
	}
	rc = sq_migrate(db, em);
cleanup:
	if (rc != HS_OK) {
		sq_db_close(db);
		return rc;
	}
	*out = db;
	return HS_OK;
}

void sq_db_close(struct sq_db *db)
{
	if (db == NULL)
		return;
	sq_sync_stop(db);
	if (db->walfd >= 0)
		close(db->walfd);
	for (size_t i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].stmt);
	if (db->h != NULL && sqlite3_close(db->h) != SQLITE_OK)
		log_err(SUB, "close '%s': '%s'", db->path, sqlite3_errmsg(db->h));
	free(db->path);
	free(db);
}
