/* Tests for src/store: opening and migrations, keystore, truststore,
 * replay cache, and that private keys never reach the log. */
#include "store/store_test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/encoding.h"
#include "util/log.h"

static const uint8_t PUB[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
/* Printable on purpose: a "%s" slip in a log call would show it verbatim. */
static const uint8_t PRIV[] = "PRIVATE-KEY-MATERIAL-do-not-log-0123456789";

static st_key_ref_t ref_of(const char *owner, enum st_key_kind kind, uint16_t alg, uint32_t id)
{
	st_key_ref_t r = {owner, kind, alg, id};
	return r;
}

/* ---- log capture ---------------------------------------------------------- */

static hs_buf_t logbuf;

static void log_hook(enum hs_log_level level, const char *subsys, const char *line, void *arg)
{
	(void)arg;
	hs_buf_printf(&logbuf, "%d %s: %s\n", (int)level, subsys, line);
}

static void capture_logs(void)
{
	hs_buf_reset(&logbuf);
	hs_log_set_level(HS_LOG_DEBUG);
	hs_log_set_hook(log_hook, NULL);
}

static const char *captured(void)
{
	return hs_buf_cstr(&logbuf);
}

/* ---- opening and migrations ---------------------------------------------- */

START_TEST(test_open_fresh)
{
	char *path = stt_path("fresh");
	capture_logs();
	st_t *st = stt_open(path);
	ck_assert_ptr_nonnull(strstr(captured(), "migrated to schema version 1"));
	/* private keys live here: owner-only, the WAL too */
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	char *wal = xasprintf("%s-wal", path);
	ck_assert_int_eq(stat(wal, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	free(wal);
	st_close(st);
	ck_assert_int_eq(st_schema_version(), 1);
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), st_schema_version());
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA application_id"), 0x6873796e);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
					   " AND name IN ('keys', 'key_history', 'trust', 'replay')"),
			 4);
	/* WAL is a property of the file: a plain connection sees it too. */
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(h);
	free(path);
}
END_TEST

START_TEST(test_reopen_keeps_data)
{
	char *path = stt_path("reopen");
	st_t *st = stt_open(path);
	st_key_ref_t r = ref_of("a.example.", ST_KIND_SIG0, 15, 4711);
	ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), PRIV, sizeof(PRIV), ST_KEY_CREATED,
				    100, "keygen"),
			 HS_OK);
	st_close(st);

	capture_logs();
	st = stt_open(path);
	ck_assert_ptr_null(strstr(captured(), "migrated"));
	st_key_t k;
	ck_assert_int_eq(st_key_get(st, &r, ST_WITH_PRIVATE, &k), HS_OK);
	ck_assert_uint_eq(k.privlen, sizeof(PRIV));
	ck_assert(memcmp(k.priv, PRIV, sizeof(PRIV)) == 0);
	ck_assert_int_eq(k.created_at, 100);
	st_key_clear(&k);
	st_close(st);
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), 1);
	free(path);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	char *path = stt_path("newer");
	st_close(stt_open(path));
	stt_sql_exec(path, "PRAGMA user_version=99");
	st_t *st = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	capture_logs();
	ck_assert_int_eq(st_open(path, &st, &em), HS_E_DB_SCHEMA);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "schema version 99"));
	ck_assert_ptr_nonnull(strstr(captured(), "newer"));
	/* refused without touching the file */
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), 99);
	free(path);
}
END_TEST

START_TEST(test_foreign_database_refused)
{
	char *path = stt_path("foreign");
	stt_sql_exec(path, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)");
	st_t *st = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(st_open(path, &st, &em), HS_E_DB_SCHEMA);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "not an hsync database"));
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM sqlite_schema"), 1);
	/* another application's id, otherwise empty */
	char *path2 = stt_path("foreign-id");
	stt_sql_exec(path2, "PRAGMA application_id=12345");
	ck_assert_int_eq(st_open(path2, &st, NULL), HS_E_DB_SCHEMA);
	free(path);
	free(path2);
}
END_TEST

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

START_TEST(test_not_sqlite_refused)
{
	char *path = stt_path("garbage");
	char junk[8192];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)('a' + i % 23);
	write_bytes(path, junk, sizeof(junk));
	st_t *st = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	capture_logs();
	ck_assert_int_eq(st_open(path, &st, &em), HS_E_DB_SCHEMA);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "not a database"));
	ck_assert_ptr_nonnull(strstr(captured(), "not a database"));
	/* the file is left as it was */
	hs_buf_t b = HS_BUF_INIT;
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	char back[sizeof(junk) + 1];
	ck_assert_uint_eq(fread(back, 1, sizeof(back), f), sizeof(junk));
	fclose(f);
	ck_assert(memcmp(back, junk, sizeof(junk)) == 0);
	hs_buf_free(&b);

	/* a truncated SQLite header is no better */
	char *path2 = stt_path("header");
	write_bytes(path2, "SQLite format 3\0\x10\0\x01\x01", 20);
	ck_assert_int_eq(st_open(path2, &st, NULL), HS_E_DB_SCHEMA);
	free(path);
	free(path2);
}
END_TEST

START_TEST(test_damaged_database_refused)
{
	char *path = stt_path("damaged");
	st_t *st = stt_open(path);
	for (uint32_t i = 0; i < 50; i++) {
		st_key_ref_t r = ref_of("damage.example.", ST_KIND_HPKE, 32, i);
		ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), PRIV, sizeof(PRIV),
					    ST_KEY_CREATED, 1, NULL),
				 HS_OK);
	}
	ck_assert_int_eq(st_check(st, NULL), HS_OK);
	st_close(st);
	stt_sql_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)");
	/* Overwrite everything after page 1 (the schema page) with junk. */
	long long pagesize = stt_sql_int(path, "PRAGMA page_size");
	long long npages = stt_sql_int(path, "PRAGMA page_count");
	ck_assert_int_gt(npages, 2);
	int fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	char junk[512];
	memset(junk, 0xa5, sizeof(junk));
	for (off_t off = pagesize; off < pagesize * npages; off += sizeof(junk))
		ck_assert_int_eq(pwrite(fd, junk, sizeof(junk), off), (ssize_t)sizeof(junk));
	close(fd);

	/* Opening reads only the schema page; the damage shows when the data is
	 * read or checked, as HS_E_DB_SCHEMA and never as a crash. */
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = st_open(path, &st, &em);
	if (rc == HS_OK) {
		ck_assert_int_eq(st_check(st, &em), HS_E_DB_SCHEMA);
		ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "damaged"));
		st_key_list_t l;
		rc = st_key_find(st, NULL, 0, ST_ANY, 0, &l);
		ck_assert_int_eq(rc, HS_E_DB_SCHEMA);
		st_close(st);
	} else {
		ck_assert_int_eq(rc, HS_E_DB_SCHEMA);
	}
	free(path);
}
END_TEST

START_TEST(test_empty_file_and_bad_paths)
{
	char *path = stt_path("empty");
	write_bytes(path, "", 0);
	st_close(stt_open(path)); /* an empty file is an empty database */
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), 1);

	st_t *st = NULL;
	char *missing = xasprintf("%s/no/such/dir/x.db", stt_root);
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(st_open(missing, &st, &em), HS_E_IO);
	ck_assert_ptr_nonnull(strstr(hs_errmsg_str(&em), "cannot open"));
	ck_assert_int_eq(st_open(stt_root, &st, NULL), HS_E_IO); /* a directory */
	ck_assert_int_eq(st_open("", &st, NULL), HS_E_INVAL);
	ck_assert_int_eq(st_open(":memory:", &st, NULL), HS_E_INVAL);
	/* an existing file others can read is used, with a warning */
	char *open_path = stt_path("world-readable");
	write_bytes(open_path, "", 0);
	ck_assert_int_eq(chmod(open_path, 0644), 0);
	capture_logs();
	st_close(stt_open(open_path));
	ck_assert_ptr_nonnull(strstr(captured(), "accessible to other users (mode 0644)"));
	free(open_path);
	ck_assert_int_eq(st_open(NULL, &st, NULL), HS_E_INVAL);
	ck_assert_ptr_null(st);
	st_close(NULL);
	free(path);
	free(missing);
}
END_TEST

/* ---- keystore --------------------------------------------------------------- */

START_TEST(test_names_canonical)
{
	char *path = stt_path("names");
	st_t *st = stt_open(path);
	st_key_ref_t r = ref_of("Dns.Alpha.EXAMPLE", ST_KIND_SIG0, 15, 1);
	ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), NULL, 0, ST_KEY_CREATED, 1, NULL),
			 HS_OK);
	st_key_ref_t r2 = ref_of("dns.alpha.example.", ST_KIND_SIG0, 15, 1);
	st_key_t k;
	ck_assert_int_eq(st_key_get(st, &r2, ST_WITH_PRIVATE, &k), HS_OK);
	ck_assert_str_eq(k.owner, "dns.alpha.example.");
	ck_assert_ptr_null(k.priv); /* stored without a private key */
	st_key_clear(&k);
	ck_assert_int_eq(st_key_add(st, &r2, PUB, sizeof(PUB), NULL, 0, ST_KEY_CREATED, 1, NULL),
			 HS_E_EXISTS);
	char long_label[80], long_name[300];
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	for (int i = 0; i < 4; i++)
		memcpy(long_name + i * 64, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk.", 64);
	long_name[256] = '\0';
	const char *bad[] = {"", "a..b", ".a", "a b.", "a\tb", long_label, long_name, "..", NULL};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st_key_ref_t rb = ref_of(bad[i], ST_KIND_SIG0, 15, 2);
		ck_assert_msg(st_key_add(st, &rb, PUB, sizeof(PUB), NULL, 0, ST_KEY_CREATED, 1,
					 NULL) == HS_E_INVAL,
			      "accepted name %zu", i);
	}
	st_key_ref_t root = ref_of(".", ST_KIND_SIG0, 15, 3);
	ck_assert_int_eq(st_key_add(st, &root, PUB, sizeof(PUB), NULL, 0, ST_KEY_CREATED, 1, NULL),
			 HS_OK);
	/* 63-character labels and a 253-character name (254 with the dot) are fine */
	char ok_name[260];
	memset(ok_name, 'b', 253);
	for (int i = 63; i < 253; i += 64)
		ok_name[i] = '.';
	ok_name[253] = '\0';
	st_key_ref_t rl = ref_of(ok_name, ST_KIND_SIG0, 15, 4);
	ck_assert_int_eq(st_key_add(st, &rl, PUB, sizeof(PUB), NULL, 0, ST_KEY_CREATED, 1, NULL),
			 HS_OK);
	st_close(st);
	free(path);
}
END_TEST

START_TEST(test_key_crud)
{
	char *path = stt_path("keys");
	st_t *st = stt_open(path);
	st_key_ref_t a = ref_of("a.example.", ST_KIND_SIG0, 15, 100);
	st_key_ref_t b = ref_of("a.example.", ST_KIND_HPKE, 32, 100);
	st_key_ref_t c = ref_of("b.example.", ST_KIND_SIG0, 13, 7);
	ck_assert_int_eq(st_key_add(st, &a, PUB, sizeof(PUB), PRIV, sizeof(PRIV), ST_KEY_CREATED,
				    10, "new"),
			 HS_OK);
	ck_assert_int_eq(st_key_add(st, &b, PUB, 4, PRIV, 5, ST_KEY_ACTIVE, 11, "import"), HS_OK);
	ck_assert_int_eq(st_key_add(st, &c, PUB, 2, PRIV, 3, ST_KEY_PUBLISHED, 12, NULL), HS_OK);
	ck_assert_int_eq(st_key_add(st, &a, PUB, 1, PRIV, 1, ST_KEY_CREATED, 13, NULL),
			 HS_E_EXISTS);

	st_key_t k;
	ck_assert_int_eq(st_key_get(st, &a, 0, &k), HS_OK);
	ck_assert_ptr_null(k.priv);
	ck_assert_uint_eq(k.privlen, 0);
	ck_assert_uint_eq(k.publen, sizeof(PUB));
	ck_assert(memcmp(k.pub, PUB, sizeof(PUB)) == 0);
	ck_assert_int_eq(k.kind, ST_KIND_SIG0);
	ck_assert_uint_eq(k.alg, 15);
	ck_assert_uint_eq(k.keyid, 100);
	ck_assert_int_eq(k.state, ST_KEY_CREATED);
	ck_assert_int_eq(k.created_at, 10);
	ck_assert_int_eq(k.state_changed_at, 10);
	st_key_clear(&k);
	ck_assert_ptr_null(k.pub);

	st_key_ref_t missing = ref_of("a.example.", ST_KIND_SIG0, 15, 101);
	ck_assert_int_eq(st_key_get(st, &missing, 0, &k), HS_E_NOTFOUND);
	ck_assert_int_eq(st_key_set_state(st, &missing, ST_KEY_PUBLISHED, 1, NULL), HS_E_NOTFOUND);
	st_key_event_list_t ev;
	ck_assert_int_eq(st_key_history(st, &missing, &ev), HS_E_NOTFOUND);

	/* key ids beyond 16 bits (HPKE key ids) round-trip */
	st_key_ref_t big = ref_of("a.example.", ST_KIND_HPKE, 32, 0xfffffffeu);
	ck_assert_int_eq(st_key_add(st, &big, PUB, 1, NULL, 0, ST_KEY_CREATED, 1, NULL), HS_OK);
	ck_assert_int_eq(st_key_get(st, &big, 0, &k), HS_OK);
	ck_assert_uint_eq(k.keyid, 0xfffffffeu);
	st_key_clear(&k);

	st_key_list_t l;
	ck_assert_int_eq(st_key_find(st, "A.Example", 0, ST_ANY, 0, &l), HS_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(l.v[0].kind, ST_KIND_SIG0);
	ck_assert_ptr_null(l.v[0].priv);
	st_key_list_free(&l);
	ck_assert_int_eq(st_key_find(st, NULL, ST_KIND_SIG0, ST_ANY, ST_WITH_PRIVATE, &l), HS_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].owner, "a.example.");
	ck_assert_str_eq(l.v[1].owner, "b.example.");
	ck_assert_uint_eq(l.v[1].privlen, 3);
	st_key_list_free(&l);
	ck_assert_int_eq(st_key_find(st, NULL, 0, ST_KEY_ACTIVE, 0, &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].alg, 32);
	st_key_list_free(&l);
	ck_assert_int_eq(st_key_find(st, "c.example.", 0, ST_ANY, 0, &l), HS_OK);
	ck_assert_uint_eq(l.n, 0);
	st_key_list_free(&l);

	/* bad arguments */
	ck_assert_int_eq(st_key_find(st, NULL, 9, ST_ANY, 0, &l), HS_E_INVAL);
	ck_assert_int_eq(st_key_find(st, NULL, 0, 7, 0, &l), HS_E_INVAL);
	ck_assert_int_eq(st_key_add(st, &a, NULL, 0, NULL, 0, ST_KEY_CREATED, 1, NULL), HS_E_INVAL);
	ck_assert_int_eq(st_key_add(st, &a, PUB, 1, NULL, 3, ST_KEY_CREATED, 1, NULL), HS_E_INVAL);
	ck_assert_int_eq(st_key_add(NULL, &a, PUB, 1, NULL, 0, ST_KEY_CREATED, 1, NULL),
			 HS_E_INVAL);
	st_key_ref_t badkind = ref_of("a.example.", (enum st_key_kind)3, 15, 1);
	ck_assert_int_eq(st_key_get(st, &badkind, 0, &k), HS_E_INVAL);
	ck_assert_int_eq(st_key_set_state(st, &a, (enum st_key_state)9, 1, NULL), HS_E_INVAL);
	st_close(st);
	free(path);
}
END_TEST

START_TEST(test_key_transition_table)
{
	/* expected[from + 1][to]: row 0 is "new" */
	static const int expected[ST_KEY_NSTATES + 1][ST_KEY_NSTATES] = {
		{1, 1, 1, 0, 0}, /* new */
		{0, 1, 0, 0, 1}, /* created */
		{0, 0, 1, 1, 1}, /* published */
		{0, 0, 0, 1, 0}, /* active */
		{0, 0, 0, 0, 1}, /* retired */
		{0, 0, 0, 0, 0}, /* removed */
	};
	for (int from = -1; from < ST_KEY_NSTATES; from++)
		for (int to = 0; to < ST_KEY_NSTATES; to++)
			ck_assert_msg(st_key_transition_ok(from, to) == expected[from + 1][to],
				      "%d -> %d", from, to);
	ck_assert_int_eq(st_key_transition_ok(0, 9), 0);
	ck_assert_str_eq(st_key_state_name(ST_KEY_RETIRED), "retired");
	ck_assert_str_eq(st_key_state_name(9), "?");
	ck_assert_str_eq(st_key_kind_name(ST_KIND_HPKE), "hpke");
	ck_assert_str_eq(st_key_kind_name(0), "?");
}
END_TEST

/* Does the file at `path` (missing = empty) contain these bytes? */
static int file_contains(const char *path, const uint8_t *p, size_t n)
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

START_TEST(test_key_lifecycle)
{
	char *path = stt_path("life");
	st_t *st = stt_open(path);
	st_key_ref_t r = ref_of("dns.a.example.", ST_KIND_SIG0, 15, 555);
	ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), PRIV, sizeof(PRIV), ST_KEY_REMOVED,
				    1, NULL),
			 HS_E_STATE);
	ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), PRIV, sizeof(PRIV), ST_KEY_RETIRED,
				    1, NULL),
			 HS_E_STATE);
	ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), PRIV, sizeof(PRIV), ST_KEY_CREATED,
				    100, "keygen"),
			 HS_OK);
	/* refused: skipping published, staying put */
	ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_ACTIVE, 101, "x"), HS_E_STATE);
	ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_CREATED, 101, "x"), HS_E_STATE);

	static const enum st_key_state path_states[] = {ST_KEY_PUBLISHED, ST_KEY_ACTIVE,
							ST_KEY_RETIRED, ST_KEY_REMOVED};
	static const char *const why[] = {"in dns", "in use", "rolled", "gone"};
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(st_key_set_state(st, &r, path_states[i], 200 + i, why[i]), HS_OK);
		st_key_t k;
		ck_assert_int_eq(st_key_get(st, &r, ST_WITH_PRIVATE, &k), HS_OK);
		ck_assert_int_eq(k.state, path_states[i]);
		ck_assert_int_eq(k.state_changed_at, 200 + i);
		ck_assert_int_eq(k.created_at, 100);
		if (path_states[i] == ST_KEY_REMOVED) {
			ck_assert_ptr_null(k.priv); /* erased */
			ck_assert_uint_eq(k.publen, sizeof(PUB));
		} else {
			ck_assert_uint_eq(k.privlen, sizeof(PRIV));
		}
		st_key_clear(&k);
		/* refused backwards moves change nothing */
		if (i >= 1)
			ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_PUBLISHED, 300, "back"),
					 HS_E_STATE);
	}
	ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_ACTIVE, 400, "revive"), HS_E_STATE);
	ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_REMOVED, 400, "again"), HS_E_STATE);

	st_key_event_list_t ev;
	ck_assert_int_eq(st_key_history(st, &r, &ev), HS_OK);
	ck_assert_uint_eq(ev.n, 5);
	ck_assert_int_eq(ev.v[0].from_state, -1);
	ck_assert_int_eq(ev.v[0].to_state, ST_KEY_CREATED);
	ck_assert_int_eq(ev.v[0].at, 100);
	ck_assert_str_eq(ev.v[0].reason, "keygen");
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(ev.v[i + 1].from_state, i == 0 ? ST_KEY_CREATED : path_states[i - 1]);
		ck_assert_int_eq(ev.v[i + 1].to_state, path_states[i]);
		ck_assert_int_eq(ev.v[i + 1].at, 200 + i);
		ck_assert_str_eq(ev.v[i + 1].reason, why[i]);
	}
	st_key_event_list_free(&ev);
	ck_assert_uint_eq(ev.n, 0);
	/* The erased private key is gone from the files, not just from the API,
	 * already while the store is open (closing checkpoints anyway). */
	ck_assert_msg(!file_contains(path, PRIV, sizeof(PRIV) - 1), "private key left in db");
	char *wal = xasprintf("%s-wal", path);
	ck_assert_msg(!file_contains(wal, PRIV, sizeof(PRIV) - 1), "private key left in wal");
	free(wal);
	st_close(st);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM keys WHERE privkey IS NOT NULL"),
			 0);
	free(path);
}
END_TEST

START_TEST(test_private_key_not_logged)
{
	char *path = stt_path("secret");
	capture_logs();
	st_t *st = stt_open(path);
	st_key_ref_t r = ref_of("Secret.Example", ST_KIND_HPKE, 32, 9);
	ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), PRIV, sizeof(PRIV), ST_KEY_CREATED,
				    1, "gen"),
			 HS_OK);
	ck_assert_int_eq(st_key_add(st, &r, PUB, sizeof(PUB), PRIV, sizeof(PRIV), ST_KEY_CREATED,
				    1, "dup"),
			 HS_E_EXISTS);
	ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_ACTIVE, 2, "skip"), HS_E_STATE);
	ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_PUBLISHED, 3, "pub"), HS_OK);
	st_key_t k;
	ck_assert_int_eq(st_key_get(st, &r, ST_WITH_PRIVATE, &k), HS_OK);
	st_key_clear(&k);
	st_key_list_t l;
	ck_assert_int_eq(st_key_find(st, NULL, 0, ST_ANY, ST_WITH_PRIVATE, &l), HS_OK);
	st_key_list_free(&l);
	ck_assert_int_eq(st_key_set_state(st, &r, ST_KEY_REMOVED, 4, "bye"), HS_OK);
	st_close(st);

	const char *log = captured();
	/* the operations were logged (so the check below looks at real output) */
	ck_assert_ptr_nonnull(strstr(log, "'secret.example.'"));
	ck_assert_ptr_nonnull(strstr(log, "'published' -> 'removed'"));
	ck_assert_ptr_nonnull(strstr(log, "not allowed"));
	/* ...and no form of the private key is in it */
	char hex[2 * sizeof(PRIV) + 1], b64[128];
	hs_hex_encode(hex, PRIV, sizeof(PRIV) - 1);
	hs_b64_encode(b64, PRIV, sizeof(PRIV) - 1);
	ck_assert_ptr_null(strstr(log, "PRIVATE-KEY"));
	ck_assert_ptr_null(strstr(log, hex));
	ck_assert_ptr_null(strcasestr(log, hex));
	ck_assert_ptr_null(strstr(log, b64));
	hex[16] = '\0'; /* a prefix too */
	ck_assert_ptr_null(strcasestr(log, hex));
	b64[16] = '\0';
	ck_assert_ptr_null(strstr(log, b64));
	free(path);
}
END_TEST

/* ---- truststore ------------------------------------------------------------- */

static const uint8_t RD1[] = {0x02, 0x00, 0x03, 0x0f, 0xaa, 0xbb};
static const uint8_t RD2[] = {0x02, 0x00, 0x03, 0x0f, 0xcc, 0xdd, 0xee};

static st_trust_ref_t tref(const char *owner, uint16_t tag, const uint8_t *rd, size_t n)
{
	st_trust_ref_t r = {owner, ST_KIND_SIG0, 15, tag, rd, n};
	return r;
}

START_TEST(test_trust_crud_and_collisions)
{
	char *path = stt_path("trust");
	st_t *st = stt_open(path);
	st_trust_ref_t a1 = tref("dns.Beta.example", 1234, RD1, sizeof(RD1));
	st_trust_ref_t a2 = tref("dns.beta.example.", 1234, RD2, sizeof(RD2)); /* same tag */
	st_trust_ref_t b1 = tref("dns.gamma.example.", 1234, RD1, sizeof(RD1));
	ck_assert_int_eq(st_trust_put(st, &a1, ST_TRUST_DNSSEC, "dnssec:validated via anchor example.", 0, 50),
			 HS_OK);
	ck_assert_int_eq(st_trust_put(st, &a2, ST_TRUST_BOOTSTRAP, "bootstrap:self-signed", 0, 60),
			 HS_OK);
	ck_assert_int_eq(st_trust_put(st, &b1, ST_TRUST_TRUSTED, "config", 0, 70), HS_OK);

	st_trust_list_t l;
	ck_assert_int_eq(st_trust_lookup(st, "DNS.BETA.EXAMPLE.", ST_KIND_SIG0, 15, 1234, &l),
			 HS_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.v[0].rdlen, sizeof(RD1));
	ck_assert(memcmp(l.v[0].rdata, RD1, sizeof(RD1)) == 0);
	ck_assert_int_eq(l.v[0].state, ST_TRUST_DNSSEC);
	ck_assert_str_eq(l.v[0].source, "dnssec:validated via anchor example.");
	ck_assert_int_eq(l.v[0].first_seen, 50);
	ck_assert_int_eq(l.v[0].last_seen, 50);
	ck_assert_int_eq(l.v[0].last_changed, 50);
	ck_assert_uint_eq(l.v[1].rdlen, sizeof(RD2));
	ck_assert_int_eq(l.v[1].state, ST_TRUST_BOOTSTRAP);
	ck_assert_str_eq(l.v[1].owner, "dns.beta.example.");
	st_trust_list_free(&l);

	ck_assert_int_eq(st_trust_lookup(st, "dns.beta.example.", ST_KIND_SIG0, 15, 1235, &l),
			 HS_E_NOTFOUND);
	ck_assert_int_eq(st_trust_lookup(st, "dns.beta.example.", ST_KIND_SIG0, 13, 1234, &l),
			 HS_E_NOTFOUND);
	ck_assert_int_eq(st_trust_lookup(st, "dns.beta.example.", ST_KIND_HPKE, 15, 1234, &l),
			 HS_E_NOTFOUND);

	ck_assert_int_eq(st_trust_list(st, "dns.beta.example", &l), HS_OK);
	ck_assert_uint_eq(l.n, 2);
	st_trust_list_free(&l);
	ck_assert_int_eq(st_trust_list(st, NULL, &l), HS_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[2].owner, "dns.gamma.example.");
	st_trust_list_free(&l);
	ck_assert_int_eq(st_trust_list(st, "nobody.example.", &l), HS_OK);
	ck_assert_uint_eq(l.n, 0);
	st_trust_list_free(&l);

	ck_assert_int_eq(st_trust_delete(st, &a1), HS_OK);
	ck_assert_int_eq(st_trust_delete(st, &a1), HS_E_NOTFOUND);
	ck_assert_int_eq(st_trust_lookup(st, "dns.beta.example.", ST_KIND_SIG0, 15, 1234, &l),
			 HS_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.v[0].rdlen, sizeof(RD2));
	st_trust_list_free(&l);

	/* bad arguments */
	st_trust_ref_t empty = tref("x.example.", 1, RD1, 0);
	ck_assert_int_eq(st_trust_put(st, &empty, ST_TRUST_UNKNOWN, "x", 0, 1), HS_E_INVAL);
	ck_assert_int_eq(st_trust_put(st, &a1, ST_TRUST_UNKNOWN, "", 0, 1), HS_E_INVAL);
	ck_assert_int_eq(st_trust_put(st, &a1, ST_TRUST_UNKNOWN, NULL, 0, 1), HS_E_INVAL);
	ck_assert_int_eq(st_trust_put(st, &a1, (enum st_trust_state)5, "x", 0, 1), HS_E_INVAL);
	ck_assert_int_eq(st_trust_lookup(st, "", ST_KIND_SIG0, 15, 1, &l), HS_E_INVAL);
	st_close(st);
	free(path);
}
END_TEST

START_TEST(test_trust_transitions)
{
	static const int expected[ST_TRUST_NSTATES][ST_TRUST_NSTATES] = {
		{1, 1, 1, 1, 1}, /* unknown */
		{0, 1, 1, 1, 1}, /* bootstrap */
		{0, 0, 1, 1, 1}, /* dnssec */
		{0, 0, 0, 1, 1}, /* trusted */
		{0, 0, 0, 0, 1}, /* refused */
	};
	for (int f = 0; f < ST_TRUST_NSTATES; f++)
		for (int t = 0; t < ST_TRUST_NSTATES; t++)
			ck_assert_msg(st_trust_transition_ok(f, t) == expected[f][t], "%d -> %d",
				      f, t);
	ck_assert_int_eq(st_trust_transition_ok(-1, 0), 0);
	ck_assert_str_eq(st_trust_state_name(ST_TRUST_DNSSEC), "dnssec-validated");

	char *path = stt_path("trans");
	st_t *st = stt_open(path);
	st_trust_ref_t r = tref("peer.example.", 42, RD1, sizeof(RD1));
	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_UNKNOWN, "seen", 0, 10), HS_OK);
	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_DNSSEC, "dnssec:anchor", 0, 20), HS_OK);
	/* same state again: last_seen moves, last_changed and source stay */
	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_DNSSEC, "dnssec:other", 0, 30), HS_OK);
	/* a downgrade is refused and changes nothing, not even last_seen */
	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_BOOTSTRAP, "bootstrap", 0, 40), HS_E_STATE);
	st_trust_list_t l;
	ck_assert_int_eq(st_trust_lookup(st, "peer.example.", ST_KIND_SIG0, 15, 42, &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].state, ST_TRUST_DNSSEC);
	ck_assert_str_eq(l.v[0].source, "dnssec:anchor");
	ck_assert_int_eq(l.v[0].first_seen, 10);
	ck_assert_int_eq(l.v[0].last_seen, 30);
	ck_assert_int_eq(l.v[0].last_changed, 20);
	st_trust_list_free(&l);

	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_REFUSED, "operator", 0, 50), HS_OK);
	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_DNSSEC, "dnssec:anchor", 0, 60), HS_E_STATE);
	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_TRUSTED, "config", 0, 60), HS_E_STATE);
	/* the operator can override */
	ck_assert_int_eq(st_trust_put(st, &r, ST_TRUST_TRUSTED, "config:forced", ST_FORCE, 70),
			 HS_OK);
	ck_assert_int_eq(st_trust_lookup(st, "peer.example.", ST_KIND_SIG0, 15, 42, &l), HS_OK);
	ck_assert_int_eq(l.v[0].state, ST_TRUST_TRUSTED);
	ck_assert_str_eq(l.v[0].source, "config:forced");
	ck_assert_int_eq(l.v[0].last_seen, 70);
	ck_assert_int_eq(l.v[0].last_changed, 70);
	ck_assert_int_eq(l.v[0].first_seen, 10);
	st_trust_list_free(&l);
	st_close(st);
	free(path);
}
END_TEST

/* ---- replay cache --------------------------------------------------------- */

START_TEST(test_replay)
{
	char *path = stt_path("replay");
	st_t *st = stt_open(path);
	const uint8_t id1[] = {1, 2, 3, 4, 5, 6, 7, 8};
	const uint8_t id2[] = {1, 2, 3, 4, 5, 6, 7, 9};
	int seen = -1;
	ck_assert_int_eq(st_replay_check_and_add(st, "a.example.", id1, 8, 1100, 1000, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(st_replay_check_and_add(st, "A.EXAMPLE", id1, 8, 1200, 1010, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.example.", id1, 7, 1100, 1010, &seen),
			 HS_OK); /* a prefix is another id */
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.example.", id2, 8, 1100, 1010, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(st_replay_check_and_add(st, "b.example.", id1, 8, 2000, 1010, &seen),
			 HS_OK); /* the same id from another sender */
	ck_assert_int_eq(seen, 0);
	uint64_t n = 0;
	ck_assert_int_eq(st_replay_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 4);

	/* survives close and re-open */
	st_close(st);
	st = stt_open(path);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.example.", id1, 8, 1300, 1099, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 1);
	/* at its expiry the entry is forgotten, pruned or not, and renewed */
	ck_assert_int_eq(st_replay_check_and_add(st, "a.example.", id1, 8, 1300, 1100, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 0);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.example.", id1, 8, 1400, 1200, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 1); /* renewed until 1300 */

	/* prune: expiry <= now goes; count follows */
	ck_assert_int_eq(st_replay_prune(st, 1099, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(st_replay_prune(st, 1100, &n), HS_OK);
	ck_assert_uint_eq(n, 2); /* the 7-byte id and id2 */
	ck_assert_int_eq(st_replay_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(st_replay_prune(st, 5000, NULL), HS_OK);
	ck_assert_int_eq(st_replay_count(st, &n), HS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(st_replay_check_and_add(st, "b.example.", id1, 8, 6000, 5000, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 0);

	/* bad arguments; *was_seen untouched */
	uint8_t big[ST_REPLAY_ID_MAX + 1] = {0};
	seen = 7;
	ck_assert_int_eq(st_replay_check_and_add(st, "a.", id1, 0, 10, 5, &seen), HS_E_INVAL);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.", big, sizeof(big), 10, 5, &seen),
			 HS_E_INVAL);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.", big, ST_REPLAY_ID_MAX, 10, 5, &seen),
			 HS_OK);
	ck_assert_int_eq(seen, 0);
	seen = 7;
	ck_assert_int_eq(st_replay_check_and_add(st, "a.", id1, 8, 5, 5, &seen), HS_E_INVAL);
	ck_assert_int_eq(st_replay_check_and_add(st, "a..", id1, 8, 10, 5, &seen), HS_E_INVAL);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.", NULL, 8, 10, 5, &seen), HS_E_INVAL);
	ck_assert_int_eq(st_replay_check_and_add(st, "a.", id1, 8, 10, 5, NULL), HS_E_INVAL);
	ck_assert_int_eq(seen, 7);
	ck_assert_int_eq(st_replay_count(st, NULL), HS_E_INVAL);
	ck_assert_int_eq(st_replay_prune(NULL, 1, NULL), HS_E_INVAL);
	st_close(st);
	free(path);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("open");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_add_test(tc, test_open_fresh);
	tcase_add_test(tc, test_reopen_keeps_data);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_foreign_database_refused);
	tcase_add_test(tc, test_not_sqlite_refused);
	tcase_add_test(tc, test_damaged_database_refused);
	tcase_add_test(tc, test_empty_file_and_bad_paths);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_add_test(tc, test_names_canonical);
	tcase_add_test(tc, test_key_crud);
	tcase_add_test(tc, test_key_transition_table);
	tcase_add_test(tc, test_key_lifecycle);
	tcase_add_test(tc, test_private_key_not_logged);
	suite_add_tcase(s, tc);

	tc = tcase_create("trust");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_add_test(tc, test_trust_crud_and_collisions);
	tcase_add_test(tc, test_trust_transitions);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_add_test(tc, test_replay);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(store_suite)
