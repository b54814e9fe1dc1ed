/* Tests for src/util/strmap.h: the string hash map. */
#include "lib/testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/strmap.h"

START_TEST(test_basic)
{
	hs_strmap_t *m = hs_strmap_new(0);
	int a = 1, b = 2;
	char key[16] = "alpha";

	ck_assert_uint_eq(hs_strmap_count(m), 0);
	ck_assert_ptr_null(hs_strmap_get(m, "alpha"));
	ck_assert_int_eq(hs_strmap_put(m, key, &a), HS_OK);
	strcpy(key, "zzzzz"); /* the key was copied */
	ck_assert_ptr_eq(hs_strmap_get(m, "alpha"), &a);
	ck_assert_ptr_null(hs_strmap_get(m, "zzzzz"));
	ck_assert_int_eq(hs_strmap_put(m, "alpha", &b), HS_E_EXISTS);
	ck_assert_ptr_eq(hs_strmap_get(m, "alpha"), &a);
	ck_assert_ptr_null(hs_strmap_get(m, "Alpha")); /* case matters */
	ck_assert_int_eq(hs_strmap_set(m, "alpha", &b), HS_OK);
	ck_assert_ptr_eq(hs_strmap_get(m, "alpha"), &b);
	ck_assert_uint_eq(hs_strmap_count(m), 1);
	ck_assert_int_eq(hs_strmap_put(m, "", &a), HS_OK); /* the empty key is a key */
	ck_assert_ptr_eq(hs_strmap_get(m, ""), &a);
	ck_assert_int_eq(hs_strmap_del(m, "alpha"), HS_OK);
	ck_assert_int_eq(hs_strmap_del(m, "alpha"), HS_E_NOTFOUND);
	ck_assert_ptr_null(hs_strmap_get(m, "alpha"));
	ck_assert_uint_eq(hs_strmap_count(m), 1);
	hs_strmap_free(m);
}
END_TEST

START_TEST(test_nocase)
{
	hs_strmap_t *m = hs_strmap_new(1);
	int a = 1;
	ck_assert_int_eq(hs_strmap_put(m, "Example.TEST.", &a), HS_OK);
	ck_assert_ptr_eq(hs_strmap_get(m, "example.test."), &a);
	ck_assert_ptr_eq(hs_strmap_get(m, "EXAMPLE.test."), &a);
	ck_assert_ptr_null(hs_strmap_get(m, "example.test"));
	ck_assert_int_eq(hs_strmap_put(m, "EXAMPLE.TEST.", &a), HS_E_EXISTS);
	ck_assert_int_eq(hs_strmap_del(m, "example.Test."), HS_OK);
	ck_assert_uint_eq(hs_strmap_count(m), 0);
	hs_strmap_free(m);
}
END_TEST

/* Many keys: growth keeps every entry; deletes leave the others. */
START_TEST(test_many)
{
	hs_strmap_t *m = hs_strmap_new(0);
	char k[32];
	const size_t n = 20000;
	for (size_t i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "z%05zu.bench.", i);
		ck_assert_int_eq(hs_strmap_put(m, k, (void *)(uintptr_t)(i + 1)), HS_OK);
	}
	ck_assert_uint_eq(hs_strmap_count(m), n);
	for (size_t i = 0; i < n; i += 2) {
		snprintf(k, sizeof(k), "z%05zu.bench.", i);
		ck_assert_int_eq(hs_strmap_del(m, k), HS_OK);
	}
	ck_assert_uint_eq(hs_strmap_count(m), n / 2);
	for (size_t i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "z%05zu.bench.", i);
		uintptr_t v = (uintptr_t)hs_strmap_get(m, k);
		ck_assert_uint_eq(v, i % 2 ? i + 1 : 0);
	}
	hs_strmap_free(m);
}
END_TEST

START_TEST(test_null)
{
	int a;
	ck_assert_int_eq(hs_strmap_put(NULL, "a", &a), HS_E_INVAL);
	hs_strmap_t *m = hs_strmap_new(0);
	ck_assert_int_eq(hs_strmap_put(m, NULL, &a), HS_E_INVAL);
	ck_assert_int_eq(hs_strmap_set(m, NULL, &a), HS_E_INVAL);
	ck_assert_ptr_null(hs_strmap_get(m, NULL));
	ck_assert_ptr_null(hs_strmap_get(NULL, "a"));
	ck_assert_int_eq(hs_strmap_del(m, NULL), HS_E_NOTFOUND);
	ck_assert_uint_eq(hs_strmap_count(NULL), 0);
	hs_strmap_free(m);
	hs_strmap_free(NULL);
}
END_TEST

static Suite *strmap_suite(void)
{
	Suite *s = suite_create("strmap");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_nocase);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_null);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(strmap_suite)
