/*
 * store_test.h -- small helpers shared by the store's Check suites.
 *
 * Each suite makes one temporary root in an unchecked fixture (so it runs
 * in the parent process and is removed even when a forked test fails);
 * every test takes a fresh database path under it.
 */
#ifndef HS_TESTS_STORE_TEST_H
#define HS_TESTS_STORE_TEST_H

#include "lib/testutil.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

static char *stt_root;

static inline void stt_setup(void)
{
	stt_root = tu_tmpdir();
}

static inline void stt_teardown(void)
{
	tu_rmtree(stt_root);
	free(stt_root);
	stt_root = NULL;
}

/* A fresh path "<root>/<tag>-<n>.db" (caller frees). */
static inline char *stt_path(const char *tag)
{
	static int n;
	return xasprintf("%s/%s-%d-%d.db", stt_root, tag, (int)getpid(), n++);
}

static inline st_t *stt_open(const char *path)
{
	st_t *st = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = st_open(path, &st, &em);
	ck_assert_msg(rc == HS_OK, "st_open(%s): %s: %s", path, hs_errname(rc),
		      hs_errmsg_str(&em));
	return st;
}

/* One integer from SQL run on the file directly (not through the store). */
static inline long long stt_sql_int(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(h));
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	long long v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

/* Run SQL on the file directly. */
static inline void stt_sql_exec(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	ck_assert_int_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 NULL),
			 SQLITE_OK);
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(h));
	sqlite3_close(h);
}

/* ---- shared test data and helpers ---- */

__attribute__((unused)) static const uint8_t PUB[] = {1, 2, 3, 4, 5, 6, 7, 8};
/* Printable on purpose: a "%s" slip in a log call would show it verbatim. */
__attribute__((unused)) static const uint8_t PRIV[] =
	"PRIVATE-KEY-MATERIAL-do-not-log-0123456789";

static inline st_key_ref_t ref_of(const char *owner, enum st_key_kind kind, uint16_t alg,
				  uint32_t id)
{
	st_key_ref_t r = {owner, kind, alg, id};
	return r;
}

/* log capture */

static hs_buf_t logbuf;

static inline void log_hook(enum hs_log_level level, const char *subsys, const char *line,
			    void *arg)
{
	(void)arg;
	hs_buf_printf(&logbuf, "%d %s: %s\n", (int)level, subsys, line);
}

static inline void capture_logs(void)
{
	hs_buf_reset(&logbuf);
	hs_log_set_level(HS_LOG_DEBUG);
	hs_log_set_hook(log_hook, NULL);
}

static inline const char *captured(void)
{
	return hs_buf_cstr(&logbuf);
}

static inline void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* Does the file at `path` (missing = empty) contain these bytes? */
static inline int file_contains(const char *path, const uint8_t *p, size_t n)
{
	hs_buf_t b = HS_BUF_INIT;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	uint8_t chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		hs_buf_append(&b, chunk, got);
	fclose(f);
	int found = b.len >= n && memmem(b.data, b.len, p, n) != NULL;
	hs_buf_free(&b);
	return found;
}

/* ---- a writer killed with SIGKILL ---- */

/* Fork `child(path, fd)`, which reports each committed change as a
 * uint32_t on `fd` and never returns; read its reports until one is >=
 * `target`, wait `delay_ns` more, SIGKILL it and reap it. Returns the
 * last change reported (so changes up to it were committed). */
static inline uint32_t stt_kill_writer(const char *path, void (*child)(const char *, int),
				       uint32_t target, long delay_ns)
{
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		child(path, pfd[1]);
		_exit(1);
	}
	close(pfd[1]);
	uint32_t last = 0;
	int got_any = 0;
	while (!got_any || last < target) {
		uint32_t v;
		ssize_t n = read(pfd[0], &v, sizeof(v));
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n == (ssize_t)sizeof(v), "child stopped early");
		last = v;
		got_any = 1;
	}
	struct timespec ts = {0, delay_ns};
	nanosleep(&ts, NULL);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "child ended on its own: 0x%x", status);
	close(pfd[0]);
	return last;
}

#endif
