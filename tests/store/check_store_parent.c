/* check_store_parent.c -- a parent's UPDATE decisions in the store
 * (draft-hsync-parent PS-38). */
#include "store/store_test.h"

static st_par_decision_t row(const char *child, const char *kind, const char *outcome)
{
	st_par_decision_t d;
	memset(&d, 0, sizeof(d));
	d.at = 1000;
	d.zone = "Lab";
	d.child = (char *)child;
	d.source = "192.0.2.7";
	d.signer = "example.lab./15/4242";
	d.kind = (char *)kind;
	d.outcome = (char *)outcome;
	d.rcode = 0;
	d.ede = -1;
	d.reason = "ok";
	d.records = "example.lab. 300 IN NS ns1.example.lab.\nns1.example.lab. 300 IN A 192.0.2.1";
	d.count = 1;
	return d;
}

/* PS-38: who, what, why, when; the outcome of an accepted change later */
START_TEST(test_decision_roundtrip)
{
	char *path = stt_path("par");
	st_t *st = stt_open(path);
	st_par_decision_t d = row("Example.LAB", "update", "accepted");
	int64_t id1 = 0, id2 = 0;
	ck_assert_int_eq(st_par_decision_add(st, &d, &id1), HS_OK);
	d = row("", "refusal", "refused");
	d.rcode = 5;
	d.ede = 65281;
	d.count = 17;
	d.signer = "";
	ck_assert_int_eq(st_par_decision_add(st, &d, &id2), HS_OK);
	ck_assert_int_gt(id2, id1);
	ck_assert_int_eq(
	    st_par_decision_finish(st, id1, "applied", 0, -1, "primary: NOERROR", 1002), HS_OK);
	ck_assert_int_eq(st_par_decision_finish(st, 9999, "applied", 0, -1, "x", 1), HS_E_NOTFOUND);

	st_par_decision_list_t l;
	ck_assert_int_eq(st_par_decision_list(st, NULL, 0, &l), HS_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.v[0].id, id2); /* newest first */
	ck_assert_str_eq(l.v[0].child, "");
	ck_assert_uint_eq(l.v[0].count, 17);
	ck_assert_int_eq(l.v[0].ede, 65281);
	ck_assert_str_eq(l.v[1].child, "example.lab.");
	ck_assert_str_eq(l.v[1].zone, "lab.");
	ck_assert_str_eq(l.v[1].outcome, "applied");
	ck_assert_str_eq(l.v[1].reason, "primary: NOERROR");
	ck_assert_int_eq(l.v[1].finished, 1002);
	ck_assert_int_eq(l.v[1].at, 1000);
	ck_assert_ptr_nonnull(strchr(l.v[1].records, '\n'));
	st_par_decision_list_free(&l);

	ck_assert_int_eq(st_par_decision_list(st, "EXAMPLE.lab.", 0, &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	st_par_decision_list_free(&l);
	ck_assert_int_eq(st_par_decision_list(st, NULL, 1, &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	st_par_decision_list_free(&l);
	st_close(st);
	free(path);
}
END_TEST

START_TEST(test_decision_invalid)
{
	char *path = stt_path("parinv");
	st_t *st = stt_open(path);
	st_par_decision_t d = row("example.lab.", "guess", "accepted");
	ck_assert_int_eq(st_par_decision_add(st, &d, NULL), HS_E_INVAL);
	d = row("example.lab.", "update", "maybe");
	ck_assert_int_eq(st_par_decision_add(st, &d, NULL), HS_E_INVAL);
	d = row("example.lab.", "update", "accepted");
	d.count = 0;
	ck_assert_int_eq(st_par_decision_add(st, &d, NULL), HS_E_INVAL);
	d = row("example.lab.", "update", "accepted");
	d.reason = "two\nlines";
	ck_assert_int_eq(st_par_decision_add(st, &d, NULL), HS_E_INVAL);
	d = row("a..b", "update", "accepted");
	ck_assert_int_eq(st_par_decision_add(st, &d, NULL), HS_E_INVAL);
	ck_assert_int_eq(st_par_decision_finish(st, 1, "guess", 0, -1, "", 1), HS_E_INVAL);
	st_close(st);
	free(path);
}
END_TEST

static Suite *store_parent_suite(void)
{
	Suite *s = suite_create("store_parent");
	TCase *tc = tcase_create("decisions");
	tcase_add_unchecked_fixture(tc, stt_setup, stt_teardown);
	tcase_add_test(tc, test_decision_roundtrip);
	tcase_add_test(tc, test_decision_invalid);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(store_parent_suite)
