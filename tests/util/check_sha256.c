/* Tests for src/util/sha256 (OpenSSL-backed): FIPS 180-4 / NIST example vectors. */
#include "lib/testutil.h"

#include <string.h>

#include "util/encoding.h"
#include "util/sha256.h"

static void hex_of(const void *msg, size_t n, char out[65])
{
	uint8_t d[HS_SHA256_LEN];
	hs_sha256(msg, n, d);
	hs_hex_encode(out, d, sizeof(d));
}

START_TEST(test_vectors)
{
	static const struct {
		const char *msg, *hex;
	} v[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmno"
	     "pqrlmnopqrsmnopqrstnopqrstu",
	     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char out[65];
		hex_of(v[i].msg, strlen(v[i].msg), out);
		ck_assert_str_eq(out, v[i].hex);
	}
}
END_TEST

START_TEST(test_million_a_incremental)
{
	hs_sha256_t c;
	uint8_t chunk[1000], d[HS_SHA256_LEN];
	memset(chunk, 'a', sizeof(chunk));
	hs_sha256_init(&c);
	/* uneven pieces exercise the block buffer */
	size_t done = 0, step = 1;
	while (done < 1000000) {
		size_t n = step;
		if (n > sizeof(chunk))
			n = sizeof(chunk);
		if (n > 1000000 - done)
			n = 1000000 - done;
		hs_sha256_update(&c, chunk, n);
		done += n;
		step = step * 3 + 1;
	}
	hs_sha256_final(&c, d);
	char out[65];
	hs_hex_encode(out, d, sizeof(d));
	ck_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(test_split_points)
{
	/* every split of messages around the padding edges gives the one-shot digest */
	uint8_t m[130];
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (uint8_t)(i * 7 + 1);
	static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 130};
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		uint8_t one[HS_SHA256_LEN];
		hs_sha256(m, lens[li], one);
		for (size_t cut = 0; cut <= lens[li]; cut++) {
			hs_sha256_t c;
			uint8_t two[HS_SHA256_LEN];
			hs_sha256_init(&c);
			hs_sha256_update(&c, m, cut);
			hs_sha256_update(&c, m + cut, lens[li] - cut);
			hs_sha256_final(&c, two);
			ck_assert_mem_eq(one, two, sizeof(one));
		}
	}
	uint8_t a[HS_SHA256_LEN], b[HS_SHA256_LEN];
	hs_sha256(m, 55, a);
	hs_sha256(m, 56, b);
	ck_assert_mem_ne(a, b, sizeof(a));
}
END_TEST

static Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("sha256");
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_million_a_incremental);
	tcase_add_test(tc, test_split_points);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(sha256_suite)
