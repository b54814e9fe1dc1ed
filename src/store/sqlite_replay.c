/*
 * sqlite_replay.c -- the replay cache on SQLite: table `replay`.
 *
 * check-and-add is one UPSERT inside one transaction: a new (sender, id)
 * is inserted; an existing one whose expiry has passed is renewed (it
 * counts as forgotten); a live one is left alone. The number of rows the
 * statement changed tells which case happened, so no second query can
 * race with another writer.
 */
#include "store/sqlite_backend.h"

#include "util/hs_err.h"
#include "util/log.h"

#define SUB "store"

static const char SQL_UPSERT[] =
	"INSERT INTO replay (sender, msgid, expiry) VALUES (?1, ?2, ?3)"
	" ON CONFLICT (sender, msgid) DO UPDATE SET expiry = excluded.expiry"
	" WHERE replay.expiry <= ?4";
static const char SQL_PRUNE[] = "DELETE FROM replay WHERE expiry <= ?1";
static const char SQL_COUNT[] = "SELECT count(*) FROM replay";

int sqr_check_and_add(void *be, const char *sender, const uint8_t *id, size_t idlen,
		      int64_t expiry, int64_t now, int *was_seen)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int seen = 0;
	int rc = sq_begin(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_UPSERT, &s);
	if (rc != HS_OK)
		goto cleanup;
	sq_bind_text(s, 1, sender);
	sq_bind_blob(s, 2, id, idlen);
	sqlite3_bind_int64(s, 3, expiry);
	sqlite3_bind_int64(s, 4, now);
	int src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "replay check");
		goto cleanup;
	}
	seen = sqlite3_changes(db->h) == 0;
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	if (seen)
		log_debug(SUB, "replay: message id from '%s' seen before", sender);
	*was_seen = seen;
	return HS_OK;
}

int sqr_prune(void *be, int64_t now, uint64_t *n)
{
	uint64_t gone = 0;
	int rc = sq_write_int(be, SQL_PRUNE, now, "replay prune", &gone);
	if (rc != HS_OK)
		return rc;
	if (gone > 0)
		log_debug(SUB, "replay: pruned %llu expired ids", (unsigned long long)gone);
	*n = gone;
	return HS_OK;
}

int sqr_count(void *be, uint64_t *n)
{
	return sq_count(be, SQL_COUNT, -1, "replay count", n);
}
