/* Tests for src/store: opening and migrations, truststore, replay cache.
 * The keystore has its own file (check_store_keys.c). */
#include "store/store_test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
	ck_assert_int_eq(st_schema_version(), 6); /* 6: a parent's UPDATE decisions */
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), st_schema_version());
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA application_id"), 0x6873796e);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE type ="
					   " 'table' AND name IN ('keys', 'key_history', 'trust',"
					   " 'replay')"),
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
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), st_schema_version());
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
	ck_assert_int_eq(stt_sql_int(path, "PRAGMA user_version"), st_schema_version());

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
	ck_assert_int_eq(st_trust_put(st, &a1, ST_TRUST_DNSSEC,
				      "dnssec:validated via anchor example.", 0, 50),
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
