/* Tests for src/wire/dnsmsg.h: the strict walker over received messages. */
#include "lib/testutil.h"

#include "util/file.h"
#include "wire/dnsmsg.h"

/* An UPDATE as nsupdate sends it: compressed owner names throughout. */
static void load_vector(hs_buf_t *b)
{
	ck_assert_int_eq(hs_read_file(tu_vector_path("sig0/nsupdate-ed25519.bin"), b, 65535),
	                 HS_OK);
}

START_TEST(test_walk_vector)
{
	hs_buf_t b = HS_BUF_INIT;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr, last;
	int rc, n = 0;
	memset(&last, 0, sizeof(last));
	load_vector(&b);
	ck_assert_int_eq(dnsmsg_open(&it, b.data, b.len), HS_OK);
	ck_assert_uint_eq(it.hdr.count[0], 1);
	ck_assert_uint_eq(it.hdr.count[2], 5);
	ck_assert_uint_eq(it.hdr.count[3], 1);
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		ck_assert_uint_le(rr.end, b.len);
		last = rr;
		n++;
	}
	ck_assert_int_eq(rc, HS_E_NOTFOUND);
	ck_assert_int_eq(dnsmsg_end(&it), HS_OK);
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(last.section, DNSMSG_ADDITIONAL);
	ck_assert_uint_eq(last.type, 24);
	ck_assert_uint_eq(last.rclass, 255);
	ck_assert_uint_eq(last.end, b.len);
	ck_assert_uint_eq(last.rdata_off + last.rdlen, b.len);
	ck_assert_int_eq(dnsmsg_check(b.data, b.len, NULL), HS_OK);

	/* the prerequisite owner: "child" then a pointer to example. */
	uint8_t name[WIRE_NAME_MAX];
	size_t nlen, wlen;
	const uint8_t want[] = {5,   'c', 'h', 'i', 'l', 'd', 7, 'e',
	                        'x', 'a', 'm', 'p', 'l', 'e', 0};
	ck_assert_int_eq(dnsmsg_name_expand(b.data, b.len, 0x19, name, &nlen, &wlen), HS_OK);
	ck_assert_uint_eq(nlen, sizeof(want));
	ck_assert_uint_eq(wlen, 8);
	ck_assert_mem_eq(name, want, sizeof(want));
	hs_buf_free(&b);
}
END_TEST

static void hdr(hs_buf_t *b, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	hs_buf_append_u16(b, 0x1234);
	hs_buf_append_u16(b, 0);
	hs_buf_append_u16(b, qd);
	hs_buf_append_u16(b, an);
	hs_buf_append_u16(b, ns);
	hs_buf_append_u16(b, ar);
}

/* requirements: SIG-12 */
START_TEST(test_pointer_rules)
{
	hs_buf_t b = HS_BUF_INIT;
	uint8_t name[WIRE_NAME_MAX];
	size_t nlen;

	/* a pointer to itself: a loop */
	hdr(&b, 1, 0, 0, 0);
	hs_buf_append(&b, "\xc0\x0c\x00\x01\x00\x01", 6);
	ck_assert_int_eq(dnsmsg_check(b.data, b.len, NULL), HS_E_MALFORMED);
	/* a forward pointer */
	hs_buf_reset(&b);
	hdr(&b, 1, 0, 0, 0);
	hs_buf_append(&b, "\xc0\x0e\x00\x01\x00\x01\x00", 7);
	ck_assert_int_eq(dnsmsg_name_expand(b.data, b.len, 12, name, &nlen, NULL), HS_E_MALFORMED);
	/* a pointer into the header */
	hs_buf_reset(&b);
	hdr(&b, 1, 0, 0, 0);
	hs_buf_append(&b,
	              "\x01"
	              "a\xc0\x02\x00\x01\x00\x01",
	              8);
	ck_assert_int_eq(dnsmsg_check(b.data, b.len, NULL), HS_E_MALFORMED);
	/* a chain of backward pointers that would expand past 255 octets */
	hs_buf_reset(&b);
	hdr(&b, 0, 0, 0, 0);
	hs_buf_append(&b, "\x3f", 1);
	for (int i = 0; i < 63; i++)
		hs_buf_append_u8(&b, 'a');
	hs_buf_append_u8(&b, 0);
	size_t prev = 12;
	for (int i = 0; i < 5; i++) {
		size_t here = b.len;
		hs_buf_append(&b, "\x3f", 1);
		for (int j = 0; j < 63; j++)
			hs_buf_append_u8(&b, 'b');
		hs_buf_append_u16(&b, (uint16_t)(0xC000 | prev));
		prev = here;
	}
	ck_assert_int_eq(dnsmsg_name_expand(b.data, b.len, prev, name, &nlen, NULL), HS_E_NAME);
	/* 0x40 label type */
	hs_buf_reset(&b);
	hdr(&b, 1, 0, 0, 0);
	hs_buf_append(&b,
	              "\x41"
	              "a\x00\x00\x01\x00\x01",
	              7);
	ck_assert_int_eq(dnsmsg_check(b.data, b.len, NULL), HS_E_NAME);
	hs_buf_free(&b);
}
END_TEST

/* requirements: SIG-12 */
START_TEST(test_counts_and_trailing)
{
	hs_buf_t b = HS_BUF_INIT;
	dnsmsg_hdr_t h;
	/* one A record in the answer */
	hdr(&b, 0, 1, 0, 0);
	hs_buf_append(&b, "\x00\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01", 15);
	ck_assert_int_eq(dnsmsg_check(b.data, b.len, &h), HS_OK);
	ck_assert_uint_eq(h.count[1], 1);
	ck_assert_int_eq(dnsmsg_check(b.data, b.len - 1, NULL), HS_E_TRUNC);
	hs_buf_append_u8(&b, 0);
	ck_assert_int_eq(dnsmsg_check(b.data, b.len, NULL), HS_E_TRAILING);
	/* counts promise more than the bytes hold */
	b.data[7] = 2;
	ck_assert_int_eq(dnsmsg_check(b.data, b.len, NULL), HS_E_TRUNC);
	ck_assert_int_eq(dnsmsg_check(b.data, 11, NULL), HS_E_TRUNC);
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_every_truncation)
{
	hs_buf_t b = HS_BUF_INIT;
	load_vector(&b);
	for (size_t n = 0; n < b.len; n++)
		ck_assert_int_ne(dnsmsg_check(b.data, n, NULL), HS_OK);
	hs_buf_free(&b);
}
END_TEST

START_TEST(test_name_equal)
{
	const uint8_t a[] = {3, 'F', 'o', 'O', 0}, c[] = {3, 'f', 'o', 'o', 0},
	              d[] = {3, 'f', 'o', 'x', 0};
	uint8_t m[5];
	ck_assert_int_eq(dnsmsg_name_equal(a, 5, c, 5), 1);
	ck_assert_int_eq(dnsmsg_name_equal(a, 5, d, 5), 0);
	ck_assert_int_eq(dnsmsg_name_equal(a, 5, c, 4), 0);
	memcpy(m, a, 5);
	dnsmsg_name_lower(m, 5);
	ck_assert_mem_eq(m, c, 5);
}
END_TEST

static Suite *dnsmsg_suite(void)
{
	Suite *s = suite_create("dnsmsg");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_walk_vector);
	tcase_add_test(tc, test_pointer_rules);
	tcase_add_test(tc, test_counts_and_trailing);
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_name_equal);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(dnsmsg_suite)
