/*
 * Tests for src/zone/journal.h: journal chain and bounds (size, entries,
 * age), zn_update/zn_replace, the store encodings, and persistence as
 * snapshot + journal including a kill -9 in the middle of updates.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/testutil.h"
#include "tests/zone/zn_test.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "zone/journal.h"

static void dump(zn_snap_t *s, hs_buf_t *out)
{
	out->len = 0;
	zn_snap_encode(s, out);
}

/* A diff serial -> serial+1 changing hN's address. */
static zn_diff_t *step(uint32_t serial, unsigned n)
{
	char owner[64];
	zn_diff_t *d = zt_diff(serial, serial + 1);
	snprintf(owner, sizeof(owner), "s%u.example.test.", serial);
	zt_diff_a(d, 1, owner, n);
	return d;
}

/* ZONE-14: the chain, and bounds on entries, octets and age. */
START_TEST(test_journal_bounds)
{
	zn_journal_limits_t lim = {0, 100, 5};
	zn_journal_t *j = zn_journal_new(&lim);
	zn_journal_span_t sp;
	size_t idx;
	zn_journal_span(j, &sp);
	ck_assert_uint_eq(sp.entries, 0);
	for (uint32_t s = 10; s < 20; s++)
		ck_assert_int_eq(zn_journal_append(j, step(s, s), 1000 + s), HS_OK);
	zn_journal_span(j, &sp);
	ck_assert_uint_eq(sp.entries, 5); /* entry bound */
	ck_assert_uint_eq(sp.oldest, 15);
	ck_assert_uint_eq(sp.newest, 20);
	ck_assert_uint_gt(sp.bytes, 0);
	ck_assert_int_eq(zn_journal_find(j, 17, &idx), HS_OK);
	ck_assert_uint_eq(idx, 2);
	ck_assert_int_eq(zn_journal_find(j, 14, &idx), HS_E_NOTFOUND);
	ck_assert_int_eq(zn_journal_find(j, 20, &idx), HS_E_NOTFOUND);

	/* age: entries older than 100 s go, the newest stays */
	zn_journal_expire(j, 1017 + 101);
	zn_journal_span(j, &sp);
	ck_assert_uint_eq(sp.entries, 2);
	ck_assert_uint_eq(sp.oldest, 18);
	zn_journal_expire(j, 99999);
	zn_journal_span(j, &sp);
	ck_assert_uint_eq(sp.entries, 1);
	ck_assert_uint_eq(sp.oldest, 19);

	/* a gap clears the journal */
	ck_assert_int_eq(zn_journal_append(j, step(30, 1), 2000), HS_E_STATE);
	ck_assert_uint_eq(zn_journal_count(j), 0);

	/* octet bound */
	zn_journal_limits_t small = {200, 0, 0};
	zn_journal_set_limits(j, &small);
	for (uint32_t s = 40; s < 50; s++)
		ck_assert_int_eq(zn_journal_append(j, step(s, s), 3000), HS_OK);
	zn_journal_span(j, &sp);
	ck_assert_uint_le(sp.bytes, 200);
	ck_assert_uint_ge(sp.entries, 1);
	ck_assert_uint_eq(sp.newest, 50);
	/* one entry bigger than the bound is still kept (the newest) */
	zn_diff_t *big = zt_diff(50, 51);
	for (unsigned i = 0; i < 20; i++) {
		char o[64];
		snprintf(o, sizeof(o), "big%u.example.test.", i);
		zt_diff_a(big, 1, o, i);
	}
	ck_assert_int_eq(zn_journal_append(j, big, 3001), HS_OK);
	zn_journal_span(j, &sp);
	ck_assert_uint_eq(sp.entries, 1);
	ck_assert_uint_eq(sp.oldest, 50);
	zn_journal_free(j);
}
END_TEST

START_TEST(test_update_replace)
{
	zn_zone_t *z = zt_zone(1, 10);
	zn_journal_t *j = zn_journal_new(NULL);
	zn_diff_t *d = step(1, 7), *got = NULL;
	zn_journal_span_t sp;
	ck_assert_int_eq(zn_update(z, j, d, 100, NULL), HS_OK);
	ck_assert_int_eq(zn_update(z, j, d, 100, NULL), HS_E_STATE); /* zone moved on */
	zn_diff_free(d);
	ck_assert_uint_eq(zn_journal_count(j), 1);

	/* a whole new version (an AXFR): the difference joins the journal */
	zt_name_t apex = zt_name("example.test.");
	zn_builder_t *b = zn_builder_new(apex.w, apex.n);
	zt_add_soa(b, 5);
	for (unsigned i = 0; i < 10; i++) {
		char o[64];
		snprintf(o, sizeof(o), "h%u.example.test.", i);
		zt_add_a(b, o, 0x0a000000u + (i == 4 ? 99 : i));
	}
	ck_assert_int_eq(zn_replace(z, j, b, 200, &got, NULL), HS_OK);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(zn_diff_from_serial(got), 2);
	ck_assert_uint_eq(zn_diff_to_serial(got), 5);
	ck_assert_uint_eq(zn_diff_ndel(got), 2); /* s1 A, h4's old A */
	ck_assert_uint_eq(zn_diff_nadd(got), 1);
	zn_diff_free(got);
	zn_journal_span(j, &sp);
	ck_assert_uint_eq(sp.entries, 2);
	ck_assert_uint_eq(sp.oldest, 1);
	ck_assert_uint_eq(sp.newest, 5);

	/* a serial going backwards: replaced, journal cleared */
	b = zn_builder_new(apex.w, apex.n);
	zt_add_soa(b, 3);
	ck_assert_int_eq(zn_replace(z, j, b, 300, &got, NULL), HS_OK);
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(zn_journal_count(j), 0);
	zn_journal_free(j);
	zn_zone_free(z);
}
END_TEST

START_TEST(test_codec)
{
	zn_zone_t *z = zt_zone(9, 100);
	zn_snap_t *s = zn_zone_snapshot(z);
	hs_buf_t a = HS_BUF_INIT, b = HS_BUF_INIT;
	zn_builder_t *bl = NULL;
	dump(s, &a);
	zt_name_t apex = zt_name("example.test.");
	ck_assert_int_eq(zn_snap_decode(a.data, a.len, apex.w, apex.n, &bl), HS_OK);
	zn_zone_t *z2 = NULL;
	ck_assert_int_eq(zn_zone_new(apex.w, apex.n, &z2), HS_OK);
	ck_assert_int_eq(zn_zone_set(z2, bl, NULL), HS_OK);
	zn_snap_t *s2 = zn_zone_snapshot(z2);
	dump(s2, &b);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.data, b.data, a.len);
	/* every truncation is refused */
	for (size_t cut = 0; cut < a.len; cut += 7) {
		ck_assert_int_eq(zn_snap_decode(a.data, cut, apex.w, apex.n, &bl), HS_E_MALFORMED);
	}

	zn_diff_t *d = step(9, 3), *d2 = NULL;
	zt_diff_a(d, 0, "h1.example.test.", 0x0a000001);
	a.len = 0;
	zn_diff_encode(d, &a);
	ck_assert_int_eq(zn_diff_decode(a.data, a.len, &d2), HS_OK);
	b.len = 0;
	zn_diff_encode(d2, &b);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.data, b.data, a.len);
	for (size_t cut = 0; cut < a.len; cut++)
		ck_assert_int_eq(zn_diff_decode(a.data, cut, &d2 /* untouched */), HS_E_MALFORMED);
	zn_diff_free(d2);
	zn_diff_free(d);
	zn_snap_release(s);
	zn_snap_release(s2);
	zn_zone_free(z);
	zn_zone_free(z2);
	hs_buf_free(&a);
	hs_buf_free(&b);
}
END_TEST

static char *tmpdir;

static st_t *open_store(const char *path)
{
	st_t *st = NULL;
	ck_assert_int_eq(st_open(path, &st, NULL), HS_OK);
	return st;
}

/* ZONE-11: snapshot + journal rows, loaded back identical. */
START_TEST(test_persist_roundtrip)
{
	tmpdir = tu_tmpdir();
	char *path = xasprintf("%s/z.db", tmpdir);
	st_t *st = open_store(path);
	zn_zone_t *z = zt_zone(1, 2000);
	zn_journal_t *j = zn_journal_new(NULL);
	zt_name_t apex = zt_name("example.test.");
	hs_buf_t want = HS_BUF_INIT, got = HS_BUF_INIT;
	uint64_t sb = 0, jb = 0;

	ck_assert_int_eq(zn_store_snapshot(st, z, j, 10), HS_OK);
	for (uint32_t s = 1; s < 6; s++) {
		zn_diff_t *d = step(s, s);
		ck_assert_int_eq(zn_update(z, j, d, 10 + s, NULL), HS_OK);
		ck_assert_int_eq(zn_store_append(st, apex.w, apex.n, d, 10 + s), HS_OK);
		zn_diff_free(d);
	}
	/* five small changes on a 2,000-record zone wrote five small rows */
	ck_assert_int_eq(st_zone_sizes(st, "example.test.", &sb, &jb), HS_OK);
	ck_assert_uint_lt(jb * 20, sb);
	ck_assert(!zn_store_should_compact(st, apex.w, apex.n));
	zn_snap_t *s = zn_zone_snapshot(z);
	dump(s, &want);
	zn_snap_release(s);
	st_close(st);

	st = open_store(path);
	zn_zone_t *z2 = NULL;
	zn_journal_t *j2 = NULL;
	ck_assert_int_eq(zn_store_load(st, apex.w, apex.n, NULL, 20, &z2, &j2, NULL), HS_OK);
	s = zn_zone_snapshot(z2);
	dump(s, &got);
	zn_snap_release(s);
	ck_assert_uint_eq(want.len, got.len);
	ck_assert_mem_eq(want.data, got.data, want.len);
	zn_journal_span_t sp;
	zn_journal_span(j2, &sp);
	ck_assert_uint_eq(sp.entries, 5);
	ck_assert_uint_eq(sp.oldest, 1);
	ck_assert_uint_eq(sp.newest, 6);

	/* compaction: a new snapshot; the journal rows stay as history for
	 * IXFR and are not replayed */
	ck_assert_int_eq(zn_store_snapshot(st, z2, j2, 30), HS_OK);
	ck_assert_int_eq(st_zone_sizes(st, "example.test.", &sb, &jb), HS_OK);
	ck_assert_uint_eq(jb, 0);
	zn_zone_free(z2);
	zn_journal_free(j2);
	ck_assert_int_eq(zn_store_load(st, apex.w, apex.n, NULL, 40, &z2, &j2, NULL), HS_OK);
	zn_journal_span(j2, &sp);
	ck_assert_uint_eq(sp.entries, 5);
	ck_assert_uint_eq(sp.newest, 6);
	s = zn_zone_snapshot(z2);
	dump(s, &got);
	zn_snap_release(s);
	ck_assert_mem_eq(want.data, got.data, want.len);

	/* a journal bound of 2 entries: the next snapshot trims the rows */
	zn_journal_limits_t lim = {0, 0, 2};
	zn_journal_set_limits(j2, &lim);
	zn_journal_expire(j2, 40);
	ck_assert_int_eq(zn_store_snapshot(st, z2, j2, 41), HS_OK);
	zn_zone_free(z2);
	zn_journal_free(j2);
	ck_assert_int_eq(zn_store_load(st, apex.w, apex.n, NULL, 42, &z2, &j2, NULL), HS_OK);
	zn_journal_span(j2, &sp);
	ck_assert_uint_eq(sp.entries, 2);
	ck_assert_uint_eq(sp.oldest, 4);

	/* unknown zone */
	zt_name_t other = zt_name("other.test.");
	zn_zone_t *z3 = NULL;
	zn_journal_t *j3 = NULL;
	ck_assert_int_eq(zn_store_load(st, other.w, other.n, NULL, 1, &z3, &j3, NULL),
	                 HS_E_NOTFOUND);
	ck_assert_int_eq(zn_store_drop(st, apex.w, apex.n), HS_OK);
	ck_assert_int_eq(zn_store_load(st, apex.w, apex.n, NULL, 1, &z3, &j3, NULL), HS_E_NOTFOUND);

	zn_zone_free(z2);
	zn_journal_free(j2);
	zn_zone_free(z);
	zn_journal_free(j);
	st_close(st);
	hs_buf_free(&want);
	hs_buf_free(&got);
	free(path);
	tu_rmtree(tmpdir);
	free(tmpdir);
}
END_TEST

/* ZONE-11: a child applies and stores diffs and is killed with
 * SIGKILL at once after its N-th store write returned; the parent then
 * loads exactly serial 1 + N. */
START_TEST(test_persist_kill9)
{
	tmpdir = tu_tmpdir();
	char *path = xasprintf("%s/k.db", tmpdir);
	zt_name_t apex = zt_name("example.test.");
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		st_t *st = open_store(path);
		zn_zone_t *z = zt_zone(1, 500);
		zn_journal_t *j = zn_journal_new(NULL);
		if (zn_store_snapshot(st, z, j, 1) != HS_OK)
			_exit(2);
		for (uint32_t s = 1;; s++) {
			zn_diff_t *d = step(s, s);
			if (zn_update(z, j, d, 1, NULL) != HS_OK ||
			    zn_store_append(st, apex.w, apex.n, d, 1) != HS_OK)
				_exit(3);
			zn_diff_free(d);
			/* tell the parent how far the store is, then go on */
			if (write(fds[1], &s, sizeof(s)) != (ssize_t)sizeof(s))
				_exit(4);
			if (s == 40)
				raise(SIGKILL);
		}
	}
	close(fds[1]);
	uint32_t last = 0, v;
	while (read(fds[0], &v, sizeof(v)) == (ssize_t)sizeof(v))
		last = v;
	close(fds[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_uint_eq(last, 40);

	st_t *st = open_store(path);
	zn_zone_t *z = NULL;
	zn_journal_t *j = NULL;
	uint32_t serial;
	ck_assert_int_eq(zn_store_load(st, apex.w, apex.n, NULL, 2, &z, &j, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_serial(z, &serial), HS_OK);
	ck_assert_uint_eq(serial, 41);
	zn_journal_span_t sp;
	zn_journal_span(j, &sp);
	ck_assert_uint_eq(sp.entries, 40);
	ck_assert_uint_eq(sp.newest, 41);
	/* an IXFR client at serial 30 still finds its difference */
	size_t idx;
	ck_assert_int_eq(zn_journal_find(j, 30, &idx), HS_OK);
	zn_zone_free(z);
	zn_journal_free(j);
	st_close(st);
	free(path);
	tu_rmtree(tmpdir);
	free(tmpdir);
}
END_TEST

/* A damaged journal row: replay stops before it, later rows deleted. */
START_TEST(test_persist_damaged_row)
{
	tmpdir = tu_tmpdir();
	char *path = xasprintf("%s/d.db", tmpdir);
	st_t *st = open_store(path);
	zn_zone_t *z = zt_zone(1, 10);
	zn_journal_t *j = zn_journal_new(NULL);
	zt_name_t apex = zt_name("example.test.");
	ck_assert_int_eq(zn_store_snapshot(st, z, j, 1), HS_OK);
	zn_diff_t *d = step(1, 1);
	ck_assert_int_eq(zn_store_append(st, apex.w, apex.n, d, 1), HS_OK);
	zn_diff_free(d);
	ck_assert_int_eq(
	    st_zone_add_journal(st, "example.test.", 2, 3, 1, (const uint8_t *)"junk", 4, NULL),
	    HS_OK);
	d = step(3, 1);
	ck_assert_int_eq(zn_store_append(st, apex.w, apex.n, d, 1), HS_OK);
	zn_diff_free(d);
	zn_zone_free(z);
	zn_journal_free(j);
	z = NULL;
	j = NULL;
	uint32_t serial;
	ck_assert_int_eq(zn_store_load(st, apex.w, apex.n, NULL, 2, &z, &j, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_serial(z, &serial), HS_OK);
	ck_assert_uint_eq(serial, 2);
	st_zone_data_t data;
	ck_assert_int_eq(st_zone_load(st, "example.test.", &data), HS_OK);
	ck_assert_uint_eq(data.nrows, 1);
	st_zone_data_clear(&data);
	zn_zone_free(z);
	zn_journal_free(j);
	st_close(st);
	free(path);
	tu_rmtree(tmpdir);
	free(tmpdir);
}
END_TEST

static Suite *journal_suite(void)
{
	Suite *s = suite_create("zone_journal");
	TCase *tc = tcase_create("core");
	hs_log_set_level(HS_LOG_ERR);
	tcase_add_test(tc, test_journal_bounds);
	tcase_add_test(tc, test_update_replace);
	tcase_add_test(tc, test_codec);
	tcase_add_test(tc, test_persist_roundtrip);
	tcase_add_test(tc, test_persist_kill9);
	tcase_add_test(tc, test_persist_damaged_row);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(journal_suite)
