/*
 * sqlite_db.h -- the SQLite connection shared by the sqlite_*.c files
 * (internal to src/store).
 *
 * One `struct sq_db` per st_t: the connection, its cache of prepared
 * statements (keyed by the address of the static SQL text, so each file
 * keeps its own SQL next to the code that uses it), and the transaction
 * helpers that wait for other writers instead of failing.
 */
#ifndef HS_STORE_SQLITE_DB_H
#define HS_STORE_SQLITE_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"

/* Statements cached per handle; more distinct SQL texts is a bug. */
#define SQ_MAX_STMTS 96

struct sq_db {
	sqlite3 *h;
	char *path;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[SQ_MAX_STMTS];
	size_t ncache;
	/* group commit (sq_batch_begin): writes nest as savepoints in one
	 * transaction that sq_batch_commit ends */
	int batch;            /* a batch is open */
	int batch_tx;         /* its transaction has begun (at the first write) */
	int sp_depth;         /* savepoints open inside it */
	int read_depth;       /* read "transactions" open inside it (no-ops) */
	int broken;           /* a write of it was lost: its commit must fail */
	int solo;             /* a durable write (sq_begin_durable) is running */
	struct sq_sync *sync; /* background WAL sync (sqlite_sync.c), or NULL */
	int walfd;            /* our descriptor of the WAL file (-1: not open) */
};

/* Open the connection and set the pragmas (WAL, synchronous=FULL,
 * foreign keys, secure_delete, busy timeout). Migrations are separate. */
int sq_db_open(const char *path, struct sq_db **out, hs_errmsg_t *em);
void sq_db_close(struct sq_db *db);

/* The cached statement for `sql` (a static string: its address is the
 * key), reset and with cleared bindings. HS_E_DB if it does not compile. */
int sq_stmt(struct sq_db *db, const char *sql, sqlite3_stmt **out);
/* Reset a statement after use and drop its bindings (NULL-safe). */
void sq_done(sqlite3_stmt *s);

/* Run a one-row, one-column counting query (`SELECT count(*) ...`), with
 * an optional integer bound to parameter 1 (`bind1` >= 0); `what` names the
 * operation in the log. *n is written only on success. */
int sq_count(struct sq_db *db, const char *sql, int bind1, const char *what, uint64_t *n);

/* One write statement in its own transaction, with an integer bound to
 * parameter 1: begin, step, commit (rolled back on any failure). *changes
 * (may be NULL) gets the number of rows changed. `what` names it in the log. */
int sq_write_int(struct sq_db *db, const char *sql, int64_t v, const char *what, uint64_t *changes);

/* BEGIN IMMEDIATE, waiting for other writers: the busy timeout plus a
 * bounded number of retries. HS_E_DB_BUSY when the bound is reached. */
int sq_begin(struct sq_db *db);
/* BEGIN IMMEDIATE for a write that must be durable when its sq_commit
 * returns HS_OK, batch or not (every write outside the transport's own
 * inbox, outq and replay tables: keys, trust, contributions, zones, zone
 * keys). With a batch open its transaction is first committed and the
 * WAL synced (the batch stays open; its next write begins anew), and the
 * write runs on its own with synchronous=FULL. HS_E_STATE when a write of
 * the batch is half done (never expected: one thread, one write at a
 * time); a failure to end the batch's transaction makes the batch's
 * commit fail. */
int sq_begin_durable(struct sq_db *db);
/* BEGIN (deferred): a read snapshot, ended with sq_rollback(). */
int sq_begin_read(struct sq_db *db);
/* COMMIT (retried like BEGIN on SQLITE_BUSY). On failure the transaction
 * is rolled back. */
int sq_commit(struct sq_db *db);
/* ROLLBACK if a transaction is open; never fails visibly. */
void sq_rollback(struct sq_db *db);

/*
 * Group commit. After sq_batch_begin, sq_begin opens a SAVEPOINT inside
 * one transaction (BEGIN IMMEDIATE at the first write), sq_commit
 * releases it and sq_rollback undoes just that write; sq_begin_read is a
 * no-op (the batch's transaction is the snapshot). sq_batch_commit
 * COMMITs all of it at once (one fsync); on failure everything written
 * since sq_batch_begin is rolled back. sq_batch_abort rolls it back.
 */
int sq_batch_begin(struct sq_db *db);
int sq_batch_commit(struct sq_db *db);
/* COMMIT without the WAL sync (sqlite_sync.c does it); *wrote = the
 * batch had a write. */
int sq_batch_commit_nosync(struct sq_db *db, int *wrote);
void sq_batch_abort(struct sq_db *db);

/* sqlite_sync.c: the batch committed without waiting for the disk; a
 * worker syncs the WAL. *ticket is durable once sq_sync_durable() reaches
 * it. sq_sync_fd: readable after each sync (-1 before the first async
 * commit). sq_sync_durable: the last durable ticket (UINT64_MAX while no
 * worker runs: every commit was synchronous). sq_sync_stop: join the
 * worker, sync what is left (sq_db_close calls it). */
int sq_batch_commit_async(struct sq_db *db, uint64_t *ticket);
int sq_sync_fd(const struct sq_db *db);
uint64_t sq_sync_durable(struct sq_db *db);
void sq_sync_stop(struct sq_db *db);
/* fdatasync the WAL file now (a batch commits with synchronous=NORMAL:
 * this makes it durable). HS_E_IO when it cannot be synced. */
int sq_wal_sync(struct sq_db *db);

/* Execute SQL text without results (no caching; migrations, pragmas). */
int sq_exec(struct sq_db *db, const char *sql, const char *what);

/* Map a SQLite result code to HS_E_*, logging the SQLite message with
 * `what` (the operation) under "store". Constraint violations map to
 * HS_E_EXISTS (logged at debug level only). */
int sq_fail(struct sq_db *db, int src, const char *what);

/* Bind helpers (return the SQLite code). Text/blob are bound
 * SQLITE_STATIC: the caller keeps them alive until sq_done(). */
int sq_bind_text(sqlite3_stmt *s, int i, const char *t);
int sq_bind_blob(sqlite3_stmt *s, int i, const uint8_t *p, size_t n);

/* Copy a column out (xmalloc); NULL column gives NULL / 0. */
char *sq_col_text(sqlite3_stmt *s, int i);
uint8_t *sq_col_blob(sqlite3_stmt *s, int i, size_t *len);

/* The schema (sqlite_schema.c). sq_schema_check reads the file without
 * writing: HS_E_DB_SCHEMA for a file that is not SQLite, is damaged, is
 * another application's database or has a newer schema. sq_migrate
 * applies the pending migrations, one transaction each. */
int sq_schema_check(struct sq_db *db, hs_errmsg_t *em);
int sq_migrate(struct sq_db *db, hs_errmsg_t *em);
/* PRAGMA integrity_check + foreign_key_check. */
int sq_integrity(struct sq_db *db, hs_errmsg_t *em);

#endif
