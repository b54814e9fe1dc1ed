/* Tests for src/store across processes: concurrent writers on one file,
 * and a writer killed with SIGKILL in the middle of its work. What the
 * tests assert does not depend on timing: only the kill point varies. */
#include "store/store_test.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PER_CHILD 500

/* Exit codes of the writer children. */
enum { WR_OK = 0, WR_OPEN = 10, WR_BUSY = 11, WR_FAIL = 12, WR_SEEN = 13 };

static void wait_go(int fd)
{
	char c;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/* One writer: PER_CHILD transactions, alternately a trust row and a replay
 * id, all distinct. It opens the file only after the start signal, so the
 * two writers also race to create and migrate it. */
static _Noreturn void writer(const char *path, int who, int go_fd)
{
	wait_go(go_fd);
	st_t *st = NULL;
	if (st_open(path, &st, NULL) != HS_OK)
		_exit(WR_OPEN);
	int code = WR_OK;
	for (int i = 0; i < PER_CHILD && code == WR_OK; i++) {
		uint8_t bytes[4] = {(uint8_t)who, (uint8_t)(i >> 8), (uint8_t)i, 0x5a};
		int rc, seen = 0;
		if (i % 2 == 0) {
			char owner[64];
			snprintf(owner, sizeof(owner), "writer%d.example.", who);
			st_trust_ref_t r = {owner, ST_KIND_SIG0, 15, (uint32_t)i,
					    bytes, sizeof(bytes)};
			rc = st_trust_put(st, &r, ST_TRUST_DNSSEC, "dnssec:test", 0, 1000 + i);
		} else {
			rc = st_replay_check_and_add(st, "sender.example.", bytes, sizeof(bytes),
						     100000, 1000 + i, &seen);
		}
		if (rc == HS_E_DB_BUSY)
			code = WR_BUSY;
		else if (rc != HS_OK)
			code = WR_FAIL;
		else if (seen)
			code = WR_SEEN;
	}
	st_close(st);
	_exit(code);
}

START_TEST(test_concurrent_writers)
{
	char *path = stt_path("concurrent");
	int go[2];
	ck_assert_int_eq(pipe(go), 0);
	pid_t pid[2];
	for (int w = 0; w < 2; w++) {
		pid[w] = fork();
		ck_assert_int_ge(pid[w], 0);
		if (pid[w] == 0) {
			close(go[1]);
			writer(path, w + 1, go[0]);
		}
	}
	close(go[0]);
	close(go[1]); /* both start now */
	for (int w = 0; w < 2; w++) {
		int status = 0;
		ck_assert_int_eq(waitpid(pid[w], &status, 0), pid[w]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == WR_OK,
			      "writer %d: status 0x%x", w + 1, status);
	}
	/* nothing lost */
	st_t *st = stt_open(path);
	ck_assert_int_eq(st_check(st, NULL), HS_OK);
	st_trust_list_t l;
	ck_assert_int_eq(st_trust_list(st, "writer1.example.", &l), HS_OK);
	ck_assert_uint_eq(l.n, PER_CHILD / 2);
	st_trust_list_free(&l);
	ck_assert_int_eq(st_trust_list(st, "writer2.example.", &l), HS_OK);
	ck_assert_uint_eq(l.n, PER_CHILD / 2);
	st_trust_list_free(&l);
	uint64_t n = 0;
	ck_assert_int_eq(st_replay_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, PER_CHILD);
	st_close(st);
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), st_schema_version());
	free(path);
}
END_TEST

/* A writer that finds the file locked by another process waits for it
 * instead of failing (the lock is held far shorter than the bound). */
START_TEST(test_waits_for_lock)
{
	char *path = stt_path("locked");
	st_t *st = stt_open(path);
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sqlite3 *h = NULL;
		if (sqlite3_open(path, &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO replay VALUES"
				    " ('holder.example.', x'01', 99)",
				 NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		struct timespec ts = {0, 600 * 1000 * 1000};
		nanosleep(&ts, NULL);
		_exit(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : 1);
	}
	close(ready[1]);
	wait_go(ready[0]); /* the child holds the write lock now */
	close(ready[0]);
	const uint8_t id[] = {2};
	int seen = -1;
	ck_assert_int_eq(st_replay_check_and_add(st, "waiter.example.", id, 1, 50, 1, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 0);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	uint64_t n = 0;
	ck_assert_int_eq(st_replay_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 2); /* both writes are there */
	st_close(st);
	free(path);
}
END_TEST

/* ---- crash consistency ------------------------------------------------- */

/* Logical change i works on key i / 5: step 0 adds it (key row + history
 * row), steps 1..4 move it to published, active, retired, removed (key row
 * update + history row). Changes happen strictly in order. */
static const enum st_key_state step_state[5] = {ST_KEY_CREATED, ST_KEY_PUBLISHED, ST_KEY_ACTIVE,
						ST_KEY_RETIRED, ST_KEY_REMOVED};
static const uint8_t CPRIV[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

static void crash_child(const char *path, int progress_fd)
{
	st_t *st = NULL;
	if (st_open(path, &st, NULL) != HS_OK)
		_exit(WR_OPEN);
	for (uint32_t i = 0;; i++) {
		st_key_ref_t r = {"crash.example.", ST_KIND_SIG0, 15, i / 5};
		int rc;
		if (i % 5 == 0)
			rc = st_key_add(st, &r, CPRIV, 4, CPRIV, sizeof(CPRIV), ST_KEY_CREATED, i,
					"gen");
		else
			rc = st_key_set_state(st, &r, step_state[i % 5], i, "step");
		if (rc != HS_OK)
			_exit(WR_FAIL);
		/* reported only after the commit returned */
		if (write(progress_fd, &i, sizeof(i)) != (ssize_t)sizeof(i))
			_exit(WR_FAIL);
	}
}

/* Check that the file holds exactly changes 0..h-1 for some h >= min_done,
 * each one whole. */
static void verify_prefix(const char *path, long long min_done)
{
	st_t *st = stt_open(path);
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_msg(st_check(st, &em) == HS_OK, "integrity: %s", hs_errmsg_str(&em));
	st_close(st);

	long long h = stt_sql_int(path, "SELECT count(*) FROM key_history");
	ck_assert_msg(h >= min_done, "history %lld < %lld reported", h, min_done);
	long long nkeys = stt_sql_int(path, "SELECT count(*) FROM keys");
	ck_assert_int_eq(nkeys, (h + 4) / 5);
	/* per key: as many history rows as states entered, the last one
	 * matching the key row, the private key present until removal */
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM keys k WHERE (SELECT count(*)"
					   " FROM key_history h WHERE h.key_id = k.id)"
					   " != k.state + 1"),
			 0);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM keys k WHERE"
					   " (SELECT to_state || ':' || at FROM key_history h"
					   "  WHERE h.key_id = k.id ORDER BY h.id DESC LIMIT 1)"
					   " != k.state || ':' || k.state_changed_at"),
			 0);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM keys WHERE"
					   " (privkey IS NULL) != (state = 4)"),
			 0);
	/* and in order: key k is at state min(4, h - 5k - 1) */
	st = stt_open(path);
	for (long long k = 0; k < nkeys; k++) {
		st_key_ref_t r = {"crash.example.", ST_KIND_SIG0, 15, (uint32_t)k};
		st_key_t key;
		ck_assert_int_eq(st_key_get(st, &r, 0, &key), HS_OK);
		long long want = h - 5 * k - 1;
		ck_assert_int_eq(key.state, want > 4 ? 4 : want);
		st_key_clear(&key);
	}
	st_close(st);
}

START_TEST(test_crash_consistency)
{
	/* kill points: after this many reported changes, plus a small delay */
	static const uint32_t targets[] = {1, 13, 37, 64, 90};
	for (size_t round = 0; round < sizeof(targets) / sizeof(targets[0]); round++) {
		char *path = stt_path("crash");
		st_close(stt_open(path)); /* created and migrated before the child runs */
		uint32_t last = stt_kill_writer(path, crash_child, targets[round],
						(long)round * 700 * 1000);
		/* change `last` was committed, so changes 0..last are all there */
		verify_prefix(path, (long long)last + 1);
		free(path);
	}
}
END_TEST

/* A process killed while it creates and migrates a new file leaves
 * either an empty database or a complete schema: the next open works. */
START_TEST(test_crash_during_migration)
{
	static const long delays_us[] = {0, 150, 400, 900, 2000, 5000};
	for (size_t round = 0; round < sizeof(delays_us) / sizeof(delays_us[0]); round++) {
		char *path = stt_path("migrate");
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			st_t *st = NULL;
			_exit(st_open(path, &st, NULL) == HS_OK ? 0 : 1);
		}
		struct timespec ts = {0, delays_us[round] * 1000};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status = 0;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		/* killed, or finished first: either is fine, failing is not */
		ck_assert(WIFSIGNALED(status) || WEXITSTATUS(status) == 0);
		st_t *st = stt_open(path);
		ck_assert_int_eq(st_check(st, NULL), HS_OK);
		st_close(st);
		ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), st_schema_version());
		ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE"
						   " type = 'table'"),
				 14); /* 4 of v1, outq, inbox, sqlite_sequence, 2 of v3
				       * (contributions), 2 of v4 (zones), 2 of v5 (zone keys),
				       * 1 of v6 (parent decisions) */
		free(path);
	}
}
END_TEST

static Suite *store_crash_suite(void)
{
	Suite *s = suite_create("store_crash");
	TCase *tc = tcase_create("processes");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_concurrent_writers);
	tcase_add_test(tc, test_waits_for_lock);
	tcase_add_test(tc, test_crash_consistency);
	tcase_add_test(tc, test_crash_during_migration);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(store_crash_suite)
