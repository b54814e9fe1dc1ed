/* Tests for src/wire/dname.c: label-wise "at or below" (draft-hsync-sync
 * SYNC-44 rule 7 depends on it). */
#include "lib/testutil.h"

#include <string.h>

#include "wire/dname.h"
#include "wire/text.h"

typedef struct {
	uint8_t w[256];
	size_t n;
} wn_t;

static wn_t wn(const char *text)
{
	wn_t r;
	ck_assert_int_eq(hs_name_from_text(text, strlen(text), r.w, &r.n), HS_OK);
	return r;
}

static int under(const char *name, const char *apex)
{
	wn_t a = wn(name), b = wn(apex);
	return wire_name_under(a.w, a.n, b.w, b.n);
}

START_TEST(test_label_wise)
{
	ck_assert_int_eq(under("example.lab.", "example.lab."), 1);
	ck_assert_int_eq(under("ns1.example.lab.", "example.lab."), 1);
	ck_assert_int_eq(under("a.b.ns1.EXAMPLE.Lab", "example.lab."), 1);
	/* a string suffix is not a label suffix */
	ck_assert_int_eq(under("ample.lab.", "example.lab."), 0);
	ck_assert_int_eq(under("example.lab.", "ample.lab."), 0);
	ck_assert_int_eq(under("ns.xample.net.", "example.net."), 0);
	ck_assert_int_eq(under("xample.net.", "example.net."), 0);
	ck_assert_int_eq(under("lab.", "example.lab."), 0);
	ck_assert_int_eq(under("example.lab.", "example.la."), 0);
	ck_assert_int_eq(under("example.lab.", "."), 1);
	ck_assert_int_eq(under(".", "."), 1);
	ck_assert_int_eq(under(".", "lab."), 0);
	/* a label holding a dot is one label */
	ck_assert_int_eq(under("a\\.example.lab.", "example.lab."), 0);
}
END_TEST

START_TEST(test_malformed)
{
	static const uint8_t ok[] = {3, 'l', 'a', 'b', 0};
	static const uint8_t trunc[] = {3, 'l', 'a'};
	static const uint8_t noroot[] = {3, 'l', 'a', 'b'};
	static const uint8_t trailing[] = {3, 'l', 'a', 'b', 0, 0};
	static const uint8_t ptr[] = {0xc0, 0x0c};
	static const uint8_t big[] = {64, 'a'};
	size_t n = 99;
	ck_assert_int_eq(wire_name_valid(ok, sizeof(ok), &n), 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(wire_name_valid(trunc, sizeof(trunc), NULL), 0);
	ck_assert_int_eq(wire_name_valid(noroot, sizeof(noroot), NULL), 0);
	ck_assert_int_eq(wire_name_valid(trailing, sizeof(trailing), NULL), 0);
	ck_assert_int_eq(wire_name_valid(ptr, sizeof(ptr), NULL), 0);
	ck_assert_int_eq(wire_name_valid(big, sizeof(big), NULL), 0);
	ck_assert_int_eq(wire_name_valid(ok, 0, NULL), 0);
	ck_assert_int_eq(wire_name_valid(NULL, 5, NULL), 0);
	ck_assert_int_eq(wire_name_under(trunc, sizeof(trunc), ok, sizeof(ok)), 0);
	ck_assert_int_eq(wire_name_under(ok, sizeof(ok), ptr, sizeof(ptr)), 0);
	uint8_t long_name[256];
	memset(long_name, 1, sizeof(long_name));
	for (size_t i = 0; i + 1 < sizeof(long_name); i += 2)
		long_name[i] = 1;
	long_name[255] = 0;
	ck_assert_int_eq(wire_name_valid(long_name, sizeof(long_name), NULL), 0); /* 256 octets */
	ck_assert_int_eq(wire_name_valid(long_name + 1, 255, NULL), 1);
}
END_TEST

static Suite *dname_suite(void)
{
	Suite *s = suite_create("dname");
	TCase *tc = tcase_create("dname");
	tcase_add_test(tc, test_label_wise);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(dname_suite)
