/* Tests for the keystore of src/store: names, CRUD, the state-transition
 * table, history, erasure of private keys, and that they are never logged. */
#include "store/store_test.h"

#include "util/encoding.h"

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
	for (int i = 0; i < 4; i++) { /* four 63-character labels: 256 with the dots */
		memset(long_name + i * 64, 'c', 63);
		long_name[i * 64 + 63] = '.';
	}
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
		int from = i == 0 ? ST_KEY_CREATED : (int)path_states[i - 1];
		ck_assert_int_eq(ev.v[i + 1].from_state, from);
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

static Suite *store_keys_suite(void)
{
	Suite *s = suite_create("store_keys");
	TCase *tc = tcase_create("keys");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_add_test(tc, test_names_canonical);
	tcase_add_test(tc, test_key_crud);
	tcase_add_test(tc, test_key_transition_table);
	tcase_add_test(tc, test_key_lifecycle);
	tcase_add_test(tc, test_private_key_not_logged);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(store_keys_suite)
