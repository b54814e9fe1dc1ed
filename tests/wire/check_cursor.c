/* Tests for src/wire/cursor.h: the bounded reader and writer. */
#include "lib/testutil.h"

#include "wire/cursor.h"

START_TEST(test_read_sticky_error)
{
	const uint8_t in[] = {0x01, 0x02, 0x03};
	wire_rd_t rd;
	wire_rd_init(&rd, in, sizeof(in));
	ck_assert_uint_eq(wire_rd_u16(&rd), 0x0102);
	ck_assert_uint_eq(wire_rd_u16(&rd), 0); /* only one byte left */
	ck_assert_int_eq(rd.err, HS_E_TRUNC);
	ck_assert_uint_eq(wire_rd_u8(&rd), 0); /* error is sticky */
	ck_assert_int_eq(wire_rd_finish(&rd), HS_E_TRUNC);
}
END_TEST

START_TEST(test_read_trailing)
{
	const uint8_t in[] = {0x01, 0x02, 0x03};
	wire_rd_t rd;
	wire_rd_init(&rd, in, sizeof(in));
	(void)wire_rd_u16(&rd);
	ck_assert_int_eq(wire_rd_finish(&rd), HS_E_TRAILING);
	(void)wire_rd_u8(&rd);
	ck_assert_int_eq(wire_rd_finish(&rd), HS_OK);
}
END_TEST

START_TEST(test_read_name)
{
	const uint8_t ok[] = {3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
	uint8_t name[WIRE_NAME_MAX];
	size_t n;
	wire_rd_t rd;
	wire_rd_init(&rd, ok, sizeof(ok));
	wire_rd_name(&rd, name, &n);
	ck_assert_int_eq(wire_rd_finish(&rd), HS_OK);
	ck_assert_uint_eq(n, sizeof(ok));

	const uint8_t ptr[] = {3, 'n', 's', '1', 0xc0, 0x0c};
	wire_rd_init(&rd, ptr, sizeof(ptr));
	wire_rd_name(&rd, name, &n);
	ck_assert_int_eq(rd.err, HS_E_COMPRESSED);

	const uint8_t cut[] = {3, 'n', 's'};
	wire_rd_init(&rd, cut, sizeof(cut));
	wire_rd_name(&rd, name, &n);
	ck_assert_int_eq(rd.err, HS_E_TRUNC);

	uint8_t longname[300];
	for (int i = 0; i < 5; i++) {
		longname[i * 60] = 59;
		memset(longname + i * 60 + 1, 'a', 59);
	}
	longname[299] = 0;
	wire_rd_init(&rd, longname, sizeof(longname));
	wire_rd_name(&rd, name, &n);
	ck_assert_int_eq(rd.err, HS_E_NAME);
}
END_TEST

START_TEST(test_write)
{
	uint8_t buf[5];
	wire_wr_t wr;
	wire_wr_init(&wr, buf, sizeof(buf));
	wire_wr_u16(&wr, 0xfdea);
	wire_wr_u16(&wr, 4);
	ck_assert_int_eq(wr.err, HS_OK);
	wire_wr_u16(&wr, 1);
	ck_assert_int_eq(wr.err, HS_E_SPACE);
	ck_assert_uint_eq(wire_wr_len(&wr), 4);
	ck_assert_uint_eq(buf[0], 0xfd);
}
END_TEST

static Suite *cursor_suite(void)
{
	Suite *s = suite_create("wire_cursor");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_read_sticky_error);
	tcase_add_test(tc, test_read_trailing);
	tcase_add_test(tc, test_read_name);
	tcase_add_test(tc, test_write);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(cursor_suite)
