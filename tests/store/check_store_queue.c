/* check_store_queue.c -- the transport's outq and inbox tables, and the
 * migration that adds them to a version 1 file. */
#include "store_test.h"

#include <poll.h>

static const uint8_t ID1[ST_MSGID_LEN] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const uint8_t ID2[ST_MSGID_LEN] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
static const uint8_t ID3[ST_MSGID_LEN] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
static const uint8_t BODY[] = {0x81, 0xa1, 'k', 0x01};

static st_outq_item_t item(const uint8_t *id, const char *peer, const char *okey)
{
	st_outq_item_t it = {0};
	memcpy(it.msgid, id, ST_MSGID_LEN);
	it.peer = (char *)peer;
	it.type = (char *)"SYNC";
	it.order_key = (char *)okey;
	it.body = (uint8_t *)BODY;
	it.bodylen = sizeof(BODY);
	it.created_ms = 1000;
	it.expires_ms = 5000;
	return it;
}

START_TEST(test_outq_lifecycle)
{
	char *path = stt_path("outq");
	st_t *st = stt_open(path);
	int64_t s1 = 0, s2 = 0, s3 = 0;
	st_outq_item_t a = item(ID1, "B.Example", "zone.example."),
	               b = item(ID2, "b.example.", NULL);
	ck_assert_int_eq(st_outq_add(st, &a, &s1), HS_OK);
	ck_assert_int_eq(st_outq_add(st, &b, &s2), HS_OK);
	ck_assert_int_eq(st_outq_add(st, &a, NULL), HS_E_EXISTS);
	ck_assert_int_gt(s2, s1);
	/* bad arguments */
	st_outq_item_t bad = item(ID3, "b.example.", NULL);
	bad.expires_ms = bad.created_ms;
	ck_assert_int_eq(st_outq_add(st, &bad, &s3), HS_E_INVAL);
	bad = item(ID3, "b..example", NULL);
	ck_assert_int_eq(st_outq_add(st, &bad, &s3), HS_E_INVAL);
	bad = item(ID3, "b.example", NULL);
	bad.type = (char *)"";
	ck_assert_int_eq(st_outq_add(st, &bad, &s3), HS_E_INVAL);
	bad = item(ID3, "b.example", NULL);
	bad.bodylen = 0;
	ck_assert_int_eq(st_outq_add(st, &bad, &s3), HS_E_INVAL);

	st_outq_item_t got;
	ck_assert_int_eq(st_outq_get(st, ID1, &got), HS_OK);
	ck_assert_str_eq(got.peer, "b.example.");
	ck_assert_str_eq(got.type, "SYNC");
	ck_assert_str_eq(got.order_key, "zone.example.");
	ck_assert_uint_eq(got.bodylen, sizeof(BODY));
	ck_assert(memcmp(got.body, BODY, sizeof(BODY)) == 0);
	ck_assert_int_eq(got.state, ST_OUTQ_PENDING);
	ck_assert_int_eq(got.seq, s1);
	ck_assert_int_eq(got.expires_ms, 5000);
	st_outq_item_clear(&got);
	ck_assert_int_eq(st_outq_get(st, ID3, &got), HS_E_NOTFOUND);

	ck_assert_int_eq(st_outq_attempt(st, ID2), HS_OK);
	ck_assert_int_eq(st_outq_attempt(st, ID2), HS_OK);
	ck_assert_int_eq(st_outq_attempt(st, ID3), HS_E_NOTFOUND);

	st_outq_list_t l;
	ck_assert_int_eq(st_outq_pending(st, &l), HS_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert(memcmp(l.v[0].msgid, ID1, ST_MSGID_LEN) == 0);
	ck_assert_ptr_null(l.v[1].order_key);
	ck_assert_uint_eq(l.v[1].attempts, 2);
	st_outq_list_free(&l);

	ck_assert_int_eq(st_outq_finish(st, ID1, ST_OUTQ_REJECTED, "stale", 2000), HS_OK);
	ck_assert_int_eq(st_outq_finish(st, ID1, ST_OUTQ_DELIVERED, NULL, 2001), HS_E_STATE);
	ck_assert_int_eq(st_outq_finish(st, ID3, ST_OUTQ_DELIVERED, NULL, 2001), HS_E_NOTFOUND);
	ck_assert_int_eq(st_outq_finish(st, ID2, ST_OUTQ_PENDING, NULL, 2001), HS_E_INVAL);
	ck_assert_int_eq(st_outq_attempt(st, ID1), HS_E_NOTFOUND);
	ck_assert_int_eq(st_outq_get(st, ID1, &got), HS_OK);
	ck_assert_int_eq(got.state, ST_OUTQ_REJECTED);
	ck_assert_str_eq(got.reason, "stale");
	ck_assert_int_eq(got.finished_ms, 2000);
	st_outq_item_clear(&got);

	uint64_t n = 0;
	ck_assert_int_eq(st_outq_count(st, ST_OUTQ_PENDING, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(st_outq_count(st, ST_ANY, &n), HS_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(st_outq_prune(st, 1999, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(st_outq_prune(st, 2000, &n), HS_OK);
	ck_assert_uint_eq(n, 1); /* the pending one stays */
	st_close(st);

	/* survives a reopen */
	st = stt_open(path);
	ck_assert_int_eq(st_outq_pending(st, &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert(memcmp(l.v[0].msgid, ID2, ST_MSGID_LEN) == 0);
	st_outq_list_free(&l);
	st_close(st);
	free(path);
}
END_TEST

/* requirements: TP-35 TP-36 */
START_TEST(test_inbox_exactly_once)
{
	char *path = stt_path("inbox");
	st_t *st = stt_open(path);
	int seen = -1;
	uint64_t n = 9;
	st_inbox_msg_t m;
	ck_assert_int_eq(st_inbox_next(st, &m), HS_E_NOTFOUND);
	ck_assert_int_eq(
	    st_inbox_put(st, "A.example", ID1, "SYNC", BODY, sizeof(BODY), 200, 100, &seen), HS_OK);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 200, 150, &seen),
	    HS_OK);
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(st_inbox_put(st, "a.example.", ID2, "PING", BODY, 1, 200, 150, &seen),
	                 HS_OK);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(st_inbox_put(st, "a.example.", ID3, "PING", BODY, 1, 100, 150, &seen),
	                 HS_E_INVAL);
	ck_assert_int_eq(st_inbox_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(st_replay_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 2);

	ck_assert_int_eq(st_inbox_next(st, &m), HS_OK);
	ck_assert_str_eq(m.sender, "a.example.");
	ck_assert(memcmp(m.msgid, ID1, ST_MSGID_LEN) == 0);
	ck_assert_str_eq(m.type, "SYNC");
	ck_assert_uint_eq(m.len, sizeof(BODY));
	ck_assert_int_eq(m.received, 100);
	int64_t seq = m.seq;
	st_inbox_msg_clear(&m);
	ck_assert_int_eq(st_inbox_ack(st, seq), HS_OK);
	ck_assert_int_eq(st_inbox_ack(st, seq), HS_E_NOTFOUND);
	/* acknowledged: still a duplicate for the replay cache */
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 300, 160, &seen),
	    HS_OK);
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(st_inbox_next(st, &m), HS_OK);
	ck_assert(memcmp(m.msgid, ID2, ST_MSGID_LEN) == 0);
	st_inbox_msg_clear(&m);
	st_close(st);
	free(path);
}
END_TEST

/* When the inbox insert fails, the replay entry is not kept either. */
/* requirements: TP-36 */
START_TEST(test_inbox_atomic)
{
	char *path = stt_path("atomic");
	st_close(stt_open(path));
	stt_sql_exec(path, "CREATE TRIGGER boom BEFORE INSERT ON inbox"
	                   " BEGIN SELECT RAISE(ABORT, 'injected'); END");
	st_t *st = stt_open(path);
	int seen = -1;
	uint64_t n = 9;
	int rc = st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 200, 100, &seen);
	ck_assert_int_ne(rc, HS_OK);
	ck_assert_int_eq(seen, -1);
	ck_assert_int_eq(st_replay_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	st_close(st);
	stt_sql_exec(path, "DROP TRIGGER boom");
	st = stt_open(path);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(seen, 0); /* not a duplicate: the failed put left nothing */
	ck_assert_int_eq(st_inbox_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	st_close(st);
	free(path);
}
END_TEST

/* COMMIT-1: a group-commit batch. Writes inside it are visible to the
 * handle, each write stays atomic (a failing one leaves nothing, the
 * others stand), nothing is in the file before st_batch_commit, all of it
 * after; st_batch_abort (and closing with a batch open) keeps nothing. */
START_TEST(test_batch)
{
	char *path = stt_path("batch");
	st_t *st = stt_open(path);
	int seen = -1;
	uint64_t n = 9;
	ck_assert_int_eq(st_batch_commit(st), HS_E_STATE);
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(st_batch_begin(st), HS_E_STATE);
	ck_assert(st_batch_open(st));
	ck_assert(!st_batch_dirty(st));
	st_outq_item_t a = item(ID1, "b.example.", NULL), b = item(ID2, "b.example.", NULL);
	ck_assert_int_eq(st_outq_add(st, &a, NULL), HS_OK);
	ck_assert(st_batch_dirty(st));
	ck_assert_int_eq(st_outq_add(st, &a, NULL), HS_E_EXISTS); /* undone alone */
	ck_assert_int_eq(st_outq_add(st, &b, NULL), HS_OK);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID3, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID3, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(st_outq_finish(st, ID1, ST_OUTQ_DELIVERED, NULL, 3000), HS_OK);
	ck_assert_int_eq(st_outq_count(st, ST_OUTQ_PENDING, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	st_outq_list_t l;
	ck_assert_int_eq(st_outq_pending(st, &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	st_outq_list_free(&l);
	/* another connection sees nothing yet */
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM outq"), 0);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 0);
	ck_assert_int_eq(st_batch_commit(st), HS_OK);
	ck_assert(!st_batch_open(st));
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM outq"), 2);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 1);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM replay"), 1);
	/* aborted, or closed before the commit: gone */
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(st_outq_finish(st, ID2, ST_OUTQ_DELIVERED, NULL, 3000), HS_OK);
	st_batch_abort(st);
	ck_assert_int_eq(st_outq_count(st, ST_OUTQ_PENDING, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	st_close(st);
	st = stt_open(path);
	ck_assert_int_eq(st_inbox_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 1);
	/* an empty batch commits fine */
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(st_batch_commit(st), HS_OK);
	st_close(st);
	free(path);
}
END_TEST

/* A batch's write that fails inside the database (a trigger) leaves the
 * batch's other writes. */
START_TEST(test_batch_atomic_write)
{
	char *path = stt_path("batchatomic");
	st_close(stt_open(path));
	stt_sql_exec(path, "CREATE TRIGGER boom BEFORE INSERT ON inbox WHEN NEW.type = 'BOOM'"
	                   " BEGIN SELECT RAISE(ABORT, 'injected'); END");
	st_t *st = stt_open(path);
	int seen = -1;
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_ne(
	    st_inbox_put(st, "a.example.", ID2, "BOOM", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID3, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(st_batch_commit(st), HS_OK);
	st_close(st);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 2);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM replay"), 2);
	free(path);
}
END_TEST

/* COMMIT-3: a batch committed without waiting for the disk: visible at
 * once, durable when the background sync reports its ticket on the
 * descriptor; tickets grow; closing syncs what is left. */
START_TEST(test_batch_async)
{
	char *path = stt_path("async");
	st_t *st = stt_open(path);
	uint64_t t1 = 0, t2 = 0, t3 = 0;
	int seen = -1;
	ck_assert_int_eq(st_sync_fd(st), -1);
	ck_assert_uint_eq(st_sync_durable(st), UINT64_MAX);
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(st_batch_commit_async(st, &t1), HS_OK);
	ck_assert_uint_ge(t1, 1);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 1);
	int fd = st_sync_fd(st);
	ck_assert_int_ge(fd, 0);
	/* the report comes (bounded wait) */
	struct pollfd pf = {fd, POLLIN, 0};
	for (int i = 0; i < 100 && st_sync_durable(st) < t1; i++)
		(void)poll(&pf, 1, 100);
	ck_assert_uint_ge(st_sync_durable(st), t1);
	/* a batch without writes: no new ticket */
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(st_batch_commit_async(st, &t2), HS_OK);
	ck_assert_uint_eq(t2, t1);
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID2, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(st_batch_commit_async(st, &t3), HS_OK);
	ck_assert_uint_gt(t3, t1);
	/* a write outside batches is durable at once, as ever */
	st_outq_item_t a = item(ID3, "b.example.", NULL);
	ck_assert_int_eq(st_outq_add(st, &a, NULL), HS_OK);
	st_close(st);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 2);
	free(path);
}
END_TEST

/* COMMIT-2: only the transport's writes join a batch. A write of the
 * other tables (zones, contributions, zone keys, keys, trust) is durable
 * when it returns, batch or not, as without batches: it ends the batch's
 * transaction first (committed and synced, seen by another connection),
 * the batch stays open and its later writes commit with it. */
START_TEST(test_batch_durable_writes)
{
	char *path = stt_path("durable");
	st_t *st = stt_open(path);
	static const uint8_t snap[] = {1, 2, 3};
	int seen = -1;
	uint64_t t = 0;
	ck_assert_int_eq(st_batch_begin(st), HS_OK);
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert(st_batch_dirty(st));
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 0);
	ck_assert_int_eq(st_zone_put_snapshot(st, "z.example.", 7, snap, sizeof(snap), 100, 0, 0),
	                 HS_OK);
	/* on disk now, and what the batch held before it too */
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM zone_snapshot"), 1);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 1);
	ck_assert(st_batch_open(st));
	ck_assert(!st_batch_dirty(st));
	/* a write with nothing of the batch before it */
	ck_assert_int_eq(st_zone_add_journal(st, "z.example.", 7, 8, 101, snap, sizeof(snap), NULL),
	                 HS_OK);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM zone_journal"), 1);
	/* the batch goes on */
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID2, "SYNC", BODY, sizeof(BODY), 200, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 1);
	ck_assert_int_eq(st_batch_commit_async(st, &t), HS_OK);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM inbox"), 2);
	st_close(st);
	free(path);
}
END_TEST

/* A file written by the version 1 schema (keys, trust, replay) gains the
 * queue tables and keeps its rows. */
START_TEST(test_migrate_from_v1)
{
	char *path = stt_path("v1");
	stt_sql_exec(
	    path, "CREATE TABLE keys (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, kind INTEGER"
	          " NOT NULL, alg INTEGER NOT NULL, keyid INTEGER NOT NULL, pubkey BLOB NOT NULL,"
	          " privkey BLOB, state INTEGER NOT NULL, created_at INTEGER NOT NULL,"
	          " state_changed_at INTEGER NOT NULL, UNIQUE (owner, kind, alg, keyid)) STRICT;"
	          "CREATE TABLE key_history (id INTEGER PRIMARY KEY, key_id INTEGER NOT NULL"
	          " REFERENCES keys(id) ON DELETE CASCADE, from_state INTEGER, to_state INTEGER"
	          " NOT NULL, at INTEGER NOT NULL, reason TEXT NOT NULL) STRICT;"
	          "CREATE TABLE trust (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, kind INTEGER"
	          " NOT NULL, alg INTEGER NOT NULL, keytag INTEGER NOT NULL, rdata BLOB NOT NULL,"
	          " state INTEGER NOT NULL, source TEXT NOT NULL, first_seen INTEGER NOT NULL,"
	          " last_seen INTEGER NOT NULL, last_changed INTEGER NOT NULL,"
	          " UNIQUE (owner, kind, alg, keytag, rdata)) STRICT;"
	          "CREATE TABLE replay (sender TEXT NOT NULL, msgid BLOB NOT NULL, expiry INTEGER"
	          " NOT NULL, PRIMARY KEY (sender, msgid)) STRICT, WITHOUT ROWID;"
	          "INSERT INTO replay VALUES ('a.example.', x'01010101010101010101010101010101',"
	          " 1000);"
	          "PRAGMA user_version=1; PRAGMA application_id=1752398190;");
	capture_logs();
	st_t *st = stt_open(path);
	ck_assert_ptr_nonnull(strstr(captured(), "migrated to schema version 2"));
	ck_assert_ptr_null(strstr(captured(), "migrated to schema version 1"));
	hs_log_set_hook(NULL, NULL);
	int seen = -1;
	/* the v1 replay row still counts */
	ck_assert_int_eq(
	    st_inbox_put(st, "a.example.", ID1, "SYNC", BODY, sizeof(BODY), 900, 100, &seen),
	    HS_OK);
	ck_assert_int_eq(seen, 1);
	st_outq_item_t a = item(ID2, "b.example.", NULL);
	ck_assert_int_eq(st_outq_add(st, &a, NULL), HS_OK);
	ck_assert_int_eq(st_check(st, NULL), HS_OK);
	st_close(st);
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), st_schema_version());
	free(path);
}
END_TEST

static Suite *store_queue_suite(void)
{
	Suite *s = suite_create("store_queue");
	TCase *tc = tcase_create("queue");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_add_test(tc, test_outq_lifecycle);
	tcase_add_test(tc, test_inbox_exactly_once);
	tcase_add_test(tc, test_inbox_atomic);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_atomic_write);
	tcase_add_test(tc, test_batch_async);
	tcase_add_test(tc, test_batch_durable_writes);
	tcase_add_test(tc, test_migrate_from_v1);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(store_queue_suite)
