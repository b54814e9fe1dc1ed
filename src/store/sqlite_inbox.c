/*
 * sqlite_inbox.c -- the transport's inbox on SQLite: table `inbox`.
 *
 * st_inbox_put is the receiver's exactly-once point: the replay-cache
 * UPSERT (as in sqlite_replay.c) and the inbox INSERT commit together, so
 * a crash leaves either both or neither.
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"

static const char SQL_REPLAY[] =
    "INSERT INTO replay (sender, msgid, expiry) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (sender, msgid) DO UPDATE SET expiry = excluded.expiry"
    " WHERE replay.expiry <= ?4";
/* A renewed (expired) replay entry may meet an old unacknowledged inbox
 * row of the same id: the message is then still waiting, keep that row. */
static const char SQL_PUT[] = "INSERT INTO inbox (sender, msgid, type, msg, received)"
                              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sender, msgid) DO NOTHING";
static const char SQL_NEXT[] =
    "SELECT seq, sender, msgid, type, msg, received FROM inbox ORDER BY seq LIMIT 1";
static const char SQL_ACK[] = "DELETE FROM inbox WHERE seq = ?1";
static const char SQL_COUNT[] = "SELECT count(*) FROM inbox";

int sqi_put(void *be, const char *sender, const uint8_t *msgid, const char *type,
            const uint8_t *msg, size_t len, int64_t replay_expiry, int64_t now, int *was_seen)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int seen = 0, src;
	int rc = sq_begin(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_REPLAY, &s);
	if (rc != HS_OK)
		goto cleanup;
	sq_bind_text(s, 1, sender);
	sq_bind_blob(s, 2, msgid, ST_MSGID_LEN);
	sqlite3_bind_int64(s, 3, replay_expiry);
	sqlite3_bind_int64(s, 4, now);
	src = sqlite3_step(s);
	sq_done(s);
	if (src != SQLITE_DONE) {
		rc = sq_fail(db, src, "inbox replay check");
		goto cleanup;
	}
	seen = sqlite3_changes(db->h) == 0;
	if (!seen) {
		rc = sq_stmt(db, SQL_PUT, &s);
		if (rc != HS_OK)
			goto cleanup;
		sq_bind_text(s, 1, sender);
		sq_bind_blob(s, 2, msgid, ST_MSGID_LEN);
		sq_bind_text(s, 3, type);
		sq_bind_blob(s, 4, msg, len);
		sqlite3_bind_int64(s, 5, now);
		src = sqlite3_step(s);
		sq_done(s);
		if (src != SQLITE_DONE) {
			rc = sq_fail(db, src, "inbox put");
			goto cleanup;
		}
	}
	rc = sq_commit(db);
cleanup:
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	if (seen)
		log_debug(SUB, "inbox: message from '%s' seen before", sender);
	*was_seen = seen;
	return HS_OK;
}

int sqi_next(void *be, st_inbox_msg_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_NEXT, &s);
	if (rc != HS_OK)
		return rc;
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		st_inbox_msg_t m = {0};
		size_t idlen = 0;
		uint8_t *id = sq_col_blob(s, 2, &idlen);
		m.seq = sqlite3_column_int64(s, 0);
		m.sender = sq_col_text(s, 1);
		if (id != NULL && idlen == ST_MSGID_LEN)
			memcpy(m.msgid, id, ST_MSGID_LEN);
		free(id);
		m.type = sq_col_text(s, 3);
		m.msg = sq_col_blob(s, 4, &m.len);
		m.received = sqlite3_column_int64(s, 5);
		if (m.sender == NULL)
			m.sender = xstrdup("");
		if (m.type == NULL)
			m.type = xstrdup("");
		*out = m;
	} else if (src == SQLITE_DONE) {
		rc = HS_E_NOTFOUND;
	} else {
		rc = sq_fail(db, src, "inbox next");
	}
	sq_done(s);
	return rc;
}

int sqi_ack(void *be, int64_t seq)
{
	uint64_t n = 0;
	int rc = sq_write_int(be, SQL_ACK, seq, "inbox ack", &n);
	if (rc == HS_OK && n == 0)
		rc = HS_E_NOTFOUND; /* nothing was changed: the commit was empty */
	return rc;
}

int sqi_count(void *be, uint64_t *n)
{
	return sq_count(be, SQL_COUNT, -1, "inbox count", n);
}
