/* Tests for the combiner's contributions in src/store (st_contrib_*):
 * round trip, replacement of a whole set, several sets in one
 * all-or-nothing transaction (SYNC-42, SYNC-46, SYNC-47), reopen, argument
 * checks, and a writer killed with SIGKILL between and during commits. */
#include "store/store_test.h"

static const uint8_t NS1[] = {3, 'n', 's', '1', 5, 'a', 'l', 'p', 'h', 'a', 3, 'l', 'a', 'b', 0};
static const uint8_t NS2[] = {3, 'n', 's', '2', 4, 'b', 'e', 't', 'a', 3, 'l', 'a', 'b', 0};
static const uint8_t KEY1[] = {1, 1, 3, 15, 0xaa, 0xbb};

static st_contrib_rr_t rr(const char *owner, uint32_t ttl, const uint8_t *rd, size_t n,
                          const char *verdict, const char *reason)
{
	st_contrib_rr_t r = {(char *)owner,  ttl, (uint8_t *)rd, n, (char *)verdict,
	                     (char *)reason, 0};
	return r;
}

static st_contrib_t set(const char *zone, const char *origin, uint16_t type, uint64_t version,
                        st_contrib_rr_t *rrs, size_t n)
{
	st_contrib_t c = {(char *)zone,       (char *)origin,  type, version,
	                  "0123456789abcdef", 1700000000123LL, n,    rrs};
	return c;
}

START_TEST(test_round_trip)
{
	char *path = stt_path("rt");
	st_t *st = stt_open(path);
	st_contrib_rr_t rrs[2] = {
	    rr("Example.Test", 3600, NS1, sizeof(NS1), "applied", ""),
	    rr("example.test.", 7200, NS2, sizeof(NS2), "ignored", "nsmgmt-owner")};
	rrs[1].approved = 1;
	st_contrib_t c = set("EXAMPLE.test", "Agent.Alpha.Lab", 2, UINT64_MAX, rrs, 2);
	ck_assert_int_eq(st_contrib_put(st, &c), HS_OK);

	st_contrib_list_t l;
	ck_assert_int_eq(st_contrib_list(st, "example.test.", &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].zone, "example.test.");
	ck_assert_str_eq(l.v[0].origin, "agent.alpha.lab.");
	ck_assert_uint_eq(l.v[0].type, 2);
	ck_assert(l.v[0].version == UINT64_MAX); /* all 64 bits survive */
	ck_assert_str_eq(l.v[0].change, "0123456789abcdef");
	ck_assert_int_eq(l.v[0].updated_ms, 1700000000123LL);
	ck_assert_uint_eq(l.v[0].nrrs, 2);
	ck_assert_str_eq(l.v[0].rrs[0].owner, "example.test.");
	ck_assert_uint_eq(l.v[0].rrs[0].ttl, 3600);
	ck_assert_uint_eq(l.v[0].rrs[0].rdlen, sizeof(NS1));
	ck_assert(memcmp(l.v[0].rrs[0].rdata, NS1, sizeof(NS1)) == 0);
	ck_assert_str_eq(l.v[0].rrs[0].verdict, "applied");
	ck_assert_str_eq(l.v[0].rrs[0].reason, "");
	ck_assert_int_eq(l.v[0].rrs[0].approved, 0);
	ck_assert_str_eq(l.v[0].rrs[1].verdict, "ignored");
	ck_assert_str_eq(l.v[0].rrs[1].reason, "nsmgmt-owner");
	ck_assert_int_eq(l.v[0].rrs[1].approved, 1);
	ck_assert(memcmp(l.v[0].rrs[1].rdata, NS2, sizeof(NS2)) == 0);
	st_contrib_list_free(&l);
	ck_assert_uint_eq(l.n, 0);

	uint64_t ns = 0, nr = 0;
	ck_assert_int_eq(st_contrib_count(st, NULL, &ns, &nr), HS_OK);
	ck_assert_uint_eq(ns, 1);
	ck_assert_uint_eq(nr, 2);
	ck_assert_int_eq(st_contrib_count(st, "other.test.", &ns, &nr), HS_OK);
	ck_assert_uint_eq(ns, 0);
	ck_assert_uint_eq(nr, 0);
	ck_assert_int_eq(st_check(st, NULL), HS_OK);
	st_close(st);
	free(path);
}
END_TEST

/* A put replaces the whole set: records not in the new one are gone. */
START_TEST(test_replace_whole_set)
{
	char *path = stt_path("replace");
	st_t *st = stt_open(path);
	st_contrib_rr_t a[2] = {rr("z.test.", 60, NS1, sizeof(NS1), "applied", ""),
	                        rr("z.test.", 60, NS2, sizeof(NS2), "applied", "")};
	st_contrib_t c = set("z.test.", "a.lab.", 2, 5, a, 2);
	ck_assert_int_eq(st_contrib_put(st, &c), HS_OK);
	st_contrib_rr_t b[1] = {
	    rr("z.test.", 90, NS2, sizeof(NS2), "pending", "awaiting-approval")};
	c = set("z.test.", "a.lab.", 2, 6, b, 1);
	ck_assert_int_eq(st_contrib_put(st, &c), HS_OK);
	/* an empty set is kept: its version still counts */
	c = set("z.test.", "a.lab.", 48, 9, NULL, 0);
	ck_assert_int_eq(st_contrib_put(st, &c), HS_OK);

	st_contrib_list_t l;
	ck_assert_int_eq(st_contrib_list(st, NULL, &l), HS_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.v[0].type, 2); /* ordered by type */
	ck_assert(l.v[0].version == 6);
	ck_assert_uint_eq(l.v[0].nrrs, 1);
	ck_assert_uint_eq(l.v[0].rrs[0].ttl, 90);
	ck_assert_str_eq(l.v[0].rrs[0].verdict, "pending");
	ck_assert_uint_eq(l.v[1].type, 48);
	ck_assert(l.v[1].version == 9);
	ck_assert_uint_eq(l.v[1].nrrs, 0);
	ck_assert_ptr_null(l.v[1].rrs);
	st_contrib_list_free(&l);
	/* no orphaned record rows */
	st_close(st);
	ck_assert_int_eq(stt_sql_int(path, "SELECT count(*) FROM contrib_rr"), 1);
	free(path);
}
END_TEST

/* SYNC-46/47: several puts and deletes commit together or not at all. A
 * trigger makes the last put fail inside the transaction. */
START_TEST(test_apply_all_or_nothing)
{
	char *path = stt_path("atomic");
	st_t *st = stt_open(path);
	st_contrib_rr_t a[1] = {rr("z.test.", 60, NS1, sizeof(NS1), "applied", "")};
	st_contrib_t base[2] = {set("z.test.", "a.lab.", 2, 1, a, 1),
	                        set("z.test.", "b.lab.", 2, 1, a, 1)};
	ck_assert_int_eq(st_contrib_apply(st, base, 2, NULL, 0), HS_OK);
	stt_sql_exec(path, "CREATE TRIGGER boom BEFORE INSERT ON contrib_set"
	                   " WHEN NEW.origin = 'boom.lab.' BEGIN SELECT RAISE(ABORT, 'boom'); END");

	st_contrib_rr_t b[1] = {rr("z.test.", 60, NS2, sizeof(NS2), "applied", "")};
	st_contrib_t puts[2] = {set("z.test.", "a.lab.", 2, 2, b, 1),
	                        set("z.test.", "boom.lab.", 2, 1, b, 1)};
	st_contrib_key_t dels[1] = {{"z.test.", "b.lab.", 2}};
	capture_logs(); /* the failure is expected, and logged */
	ck_assert_int_ne(st_contrib_apply(st, puts, 2, dels, 1), HS_OK);
	ck_assert_ptr_nonnull(strstr(captured(), "boom"));
	hs_log_set_hook(NULL, NULL);
	hs_log_set_level(HS_LOG_NOTICE);

	st_contrib_list_t l;
	ck_assert_int_eq(st_contrib_list(st, "z.test.", &l), HS_OK);
	ck_assert_uint_eq(l.n, 2); /* b.lab. not deleted */
	ck_assert_str_eq(l.v[0].origin, "a.lab.");
	ck_assert(l.v[0].version == 1); /* a.lab. not replaced */
	ck_assert(memcmp(l.v[0].rrs[0].rdata, NS1, sizeof(NS1)) == 0);
	ck_assert_str_eq(l.v[1].origin, "b.lab.");
	st_contrib_list_free(&l);

	/* without the failing put the same change goes through at once */
	ck_assert_int_eq(st_contrib_apply(st, puts, 1, dels, 1), HS_OK);
	ck_assert_int_eq(st_contrib_list(st, "z.test.", &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert(l.v[0].version == 2);
	st_contrib_list_free(&l);
	ck_assert_int_eq(st_check(st, NULL), HS_OK);
	st_close(st);
	free(path);
}
END_TEST

/* Bad arguments are refused before anything is written, even when an
 * earlier entry of the same call was fine. */
START_TEST(test_invalid_arguments)
{
	char *path = stt_path("inval");
	st_t *st = stt_open(path);
	st_contrib_rr_t ok[1] = {rr("z.test.", 60, NS1, sizeof(NS1), "applied", "")};
	st_contrib_rr_t bad[6] = {
	    rr("z.test.", 60, NS1, sizeof(NS1), "rejected", "not stored"), /* verdict */
	    rr("z..test.", 60, NS1, sizeof(NS1), "applied", ""),           /* owner */
	    rr("z.test.", 60, NS1, 0, "applied", ""),                      /* empty rdata */
	    rr("z.test.", 60, NS1, sizeof(NS1), "applied", "bad\nreason"), /* control char */
	    rr("z.test.", 60, NULL, 4, "applied", ""),                     /* no rdata */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st_contrib_t v[2] = {set("z.test.", "a.lab.", 2, 1, ok, 1),
		                     set("z.test.", "b.lab.", 2, 1, &bad[i], 1)};
		ck_assert_int_eq(st_contrib_apply(st, v, 2, NULL, 0), HS_E_INVAL);
	}
	st_contrib_t c = set("", "a.lab.", 2, 1, ok, 1);
	ck_assert_int_eq(st_contrib_put(st, &c), HS_E_INVAL);
	c = set("z.test.", "a.lab.", 2, 1, ok, 1);
	c.change = "";
	ck_assert_int_eq(st_contrib_put(st, &c), HS_E_INVAL);
	c.change = NULL;
	ck_assert_int_eq(st_contrib_put(st, &c), HS_E_INVAL);
	c = set("z.test.", "a.lab.", 2, 1, NULL, 3);
	ck_assert_int_eq(st_contrib_put(st, &c), HS_E_INVAL);
	st_contrib_key_t k = {"z.test.", NULL, 2};
	ck_assert_int_eq(st_contrib_apply(st, NULL, 0, &k, 1), HS_E_INVAL);
	ck_assert_int_eq(st_contrib_apply(NULL, NULL, 0, NULL, 0), HS_E_INVAL);
	ck_assert_int_eq(st_contrib_apply(st, NULL, 0, NULL, 0), HS_OK);
	ck_assert_int_eq(st_contrib_list(st, "a..b", NULL), HS_E_INVAL);

	uint64_t ns = 9;
	ck_assert_int_eq(st_contrib_count(st, NULL, &ns, NULL), HS_OK);
	ck_assert_uint_eq(ns, 0); /* nothing was written */
	st_close(st);
	free(path);
}
END_TEST

START_TEST(test_delete_and_reopen)
{
	char *path = stt_path("reopen");
	st_t *st = stt_open(path);
	st_contrib_rr_t a[1] = {
	    rr("z.test.", 60, KEY1, sizeof(KEY1), "ignored", "not-signing-here")};
	st_contrib_t v[3] = {set("z.test.", "a.lab.", 48, 3, a, 1),
	                     set("y.test.", "a.lab.", 48, 4, a, 1),
	                     set("z.test.", "c.lab.", 48, 5, a, 1)};
	ck_assert_int_eq(st_contrib_apply(st, v, 3, NULL, 0), HS_OK);
	ck_assert_int_eq(st_contrib_delete(st, "Z.test", "c.lab", 48), HS_OK);
	ck_assert_int_eq(st_contrib_delete(st, "z.test.", "c.lab.", 48), HS_E_NOTFOUND);
	ck_assert_int_eq(st_contrib_delete(st, "z.test.", "a.lab.", 2), HS_E_NOTFOUND);
	st_close(st);

	st = stt_open(path);
	st_contrib_list_t l;
	ck_assert_int_eq(st_contrib_list(st, NULL, &l), HS_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].zone, "y.test."); /* ordered by zone */
	ck_assert(l.v[0].version == 4);
	ck_assert_str_eq(l.v[1].zone, "z.test.");
	ck_assert_str_eq(l.v[1].rrs[0].reason, "not-signing-here");
	st_contrib_list_free(&l);
	st_close(st);
	free(path);
}
END_TEST

/* ---- SIGKILL during writes --------------------------------------------- */

/* Change i (i = 1, 2, ...) writes, in one st_contrib_apply, version i of
 * the NS set of three zones with 1 + i % 7 records each, and deletes the
 * DNSKEY set of i - 1 while adding the DNSKEY set of i. */
static void change_sets(uint32_t i, st_contrib_t out[4], st_contrib_rr_t rrs[8], uint8_t rd[8][4],
                        char org[2][32])
{
	size_t n = 1 + i % 7;
	for (size_t j = 0; j < n; j++) {
		rd[j][0] = 1;
		rd[j][1] = (uint8_t)j;
		rd[j][2] = 3;
		rd[j][3] = (uint8_t)i;
		rrs[j] = rr("z.test.", 60 + (uint32_t)j, rd[j], 4, "applied", "");
	}
	static const char *const zones[3] = {"a.test.", "b.test.", "c.test."};
	for (size_t z = 0; z < 3; z++) {
		out[z] = set(zones[z], "agent.lab.", 2, i, rrs, n);
		out[z].rrs = rrs;
	}
	snprintf(org[0], 32, "k%u.lab.", i);
	snprintf(org[1], 32, "k%u.lab.", i - 1);
	out[3] = set("a.test.", org[0], 48, i, rrs, 1);
}

static void contrib_child(const char *path, int progress_fd)
{
	st_t *st = NULL;
	if (st_open(path, &st, NULL) != HS_OK)
		_exit(10);
	for (uint32_t i = 1;; i++) {
		st_contrib_t puts[4];
		st_contrib_rr_t rrs[8];
		uint8_t rd[8][4];
		char org[2][32];
		change_sets(i, puts, rrs, rd, org);
		st_contrib_key_t del = {"a.test.", org[1], 48};
		if (st_contrib_apply(st, puts, 4, &del, 1) != HS_OK)
			_exit(12);
		if (write(progress_fd, &i, sizeof(i)) != (ssize_t)sizeof(i))
			_exit(12);
	}
}

/* The file holds exactly change h for some h >= min_done, whole. */
static void verify_contrib(const char *path, uint32_t min_done)
{
	st_t *st = stt_open(path);
	ck_assert_int_eq(st_check(st, NULL), HS_OK);
	st_contrib_list_t l;
	ck_assert_int_eq(st_contrib_list(st, NULL, &l), HS_OK);
	ck_assert_uint_eq(l.n, 4); /* 3 NS sets and exactly one DNSKEY set */
	uint64_t h = l.v[0].version;
	ck_assert_msg(h >= min_done, "version %llu < %u reported", (unsigned long long)h, min_done);
	st_contrib_t want[4];
	st_contrib_rr_t rrs[8];
	uint8_t rd[8][4];
	char org[2][32];
	change_sets((uint32_t)h, want, rrs, rd, org);
	for (size_t i = 0; i < l.n; i++) {
		const st_contrib_t *c = &l.v[i];
		ck_assert(c->version == h);
		if (c->type == 48) {
			ck_assert_str_eq(c->origin, org[0]);
			ck_assert_uint_eq(c->nrrs, 1);
			continue;
		}
		ck_assert_uint_eq(c->nrrs, want[0].nrrs);
		for (size_t j = 0; j < c->nrrs; j++) {
			ck_assert_uint_eq(c->rrs[j].ttl, 60 + j);
			ck_assert(memcmp(c->rrs[j].rdata, rd[j], 4) == 0);
		}
	}
	st_contrib_list_free(&l);
	st_close(st);
}

START_TEST(test_sigkill_during_writes)
{
	static const uint32_t targets[] = {1, 9, 33, 70};
	for (size_t round = 0; round < sizeof(targets) / sizeof(targets[0]); round++) {
		char *path = stt_path("kill");
		st_close(stt_open(path));
		uint32_t last =
		    stt_kill_writer(path, contrib_child, targets[round], (long)round * 500 * 1000);
		verify_contrib(path, last);
		free(path);
	}
}
END_TEST

static Suite *store_contrib_suite(void)
{
	Suite *s = suite_create("store_contrib");
	TCase *tc = tcase_create("contrib");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_replace_whole_set);
	tcase_add_test(tc, test_apply_all_or_nothing);
	tcase_add_test(tc, test_invalid_arguments);
	tcase_add_test(tc, test_delete_and_reopen);
	tcase_add_test(tc, test_sigkill_during_writes);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(store_contrib_suite)
