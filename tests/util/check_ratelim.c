/* Tests for src/util/ratelim: refill from the virtual clock, the burst
 * cap, the denied counter (RRL slip), bounded memory under many keys. */
#include "lib/testutil.h"

#include <stdio.h>
#include <string.h>

#include "util/ratelim.h"

START_TEST(test_rate_and_burst)
{
	hs_env_fake_t f;
	hs_env_fake_init(&f, 1000000, 1);
	hs_rl_cfg_t cfg = {10, 5, 16};
	hs_rl_t *rl = hs_rl_new(&f.env, &cfg);
	uint32_t denied = 99;
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(hs_rl_take(rl, "a", 1, 1, &denied), HS_OK);
	ck_assert_uint_eq(denied, 0);
	ck_assert_int_eq(hs_rl_peek(rl, "a", 1), HS_E_RATELIMIT);
	ck_assert_int_eq(hs_rl_take(rl, "a", 1, 1, &denied), HS_E_RATELIMIT);
	ck_assert_uint_eq(denied, 1);
	ck_assert_int_eq(hs_rl_take(rl, "a", 1, 1, &denied), HS_E_RATELIMIT);
	ck_assert_uint_eq(denied, 2);
	/* another key is independent */
	ck_assert_int_eq(hs_rl_take(rl, "b", 1, 5, NULL), HS_OK);
	/* 10 tokens/s: 100 ms gives one */
	hs_env_fake_advance(&f, 100);
	ck_assert_int_eq(hs_rl_take(rl, "a", 1, 1, &denied), HS_OK);
	ck_assert_uint_eq(denied, 0);
	ck_assert_int_eq(hs_rl_take(rl, "a", 1, 1, NULL), HS_E_RATELIMIT);
	/* a long pause fills the bucket up to the burst only */
	hs_env_fake_advance(&f, 3600 * 1000);
	ck_assert_int_eq(hs_rl_take(rl, "a", 1, 6, NULL), HS_E_RATELIMIT);
	ck_assert_int_eq(hs_rl_take(rl, "a", 1, 5, NULL), HS_OK);
	hs_rl_free(rl);
	hs_rl_free(NULL);
}
END_TEST

START_TEST(test_many_keys_bounded)
{
	hs_env_fake_t f;
	hs_env_fake_init(&f, 1000000, 2);
	hs_rl_cfg_t cfg = {1, 1, 64};
	hs_rl_t *rl = hs_rl_new(&f.env, &cfg);
	char k[32];
	/* far more keys than slots: every new one starts full, none fails */
	for (int i = 0; i < 10000; i++) {
		snprintf(k, sizeof(k), "10.%d.%d.0/24", i / 256, i % 256);
		ck_assert_int_eq(hs_rl_take(rl, k, strlen(k), 1, NULL), HS_OK);
	}
	/* the most recent key is still remembered (and empty) */
	ck_assert_int_eq(hs_rl_take(rl, k, strlen(k), 1, NULL), HS_E_RATELIMIT);
	/* keys longer than HS_RL_KEY_MAX are cut */
	char a[100], b[100];
	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	b[99] = 'y';
	ck_assert_int_eq(hs_rl_take(rl, a, sizeof(a), 1, NULL), HS_OK);
	ck_assert_int_eq(hs_rl_take(rl, b, sizeof(b), 1, NULL), HS_E_RATELIMIT);
	hs_rl_free(rl);
}
END_TEST

static Suite *ratelim_suite(void)
{
	Suite *s = suite_create("ratelim");
	TCase *tc = tcase_create("ratelim");
	tcase_add_test(tc, test_rate_and_burst);
	tcase_add_test(tc, test_many_keys_bounded);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(ratelim_suite)
