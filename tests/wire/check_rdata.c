/* Tests for src/wire/rdata.h: the shared vectors both ways, malformed
 * wire and text per type, the RFC 3597 generic form and type names. */
#include "lib/testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "util/file.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"
#include "wire/rdata.h"

static char *hexstr(const hs_buf_t *b)
{
	char *h = malloc(2 * b->len + 1);
	hs_hex_encode(h, b->data, b->len);
	return h;
}

/* lowercase, whitespace collapsed */
static void norm(char *dst, size_t n, const char *s)
{
	size_t j = 0;
	int sp = 0;
	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s && j + 2 < n; s++) {
		if (isspace((unsigned char)*s)) {
			sp = 1;
			continue;
		}
		if (sp)
			dst[j++] = ' ';
		sp = 0;
		dst[j++] = (char)tolower((unsigned char)*s);
	}
	dst[j] = '\0';
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* requirements: REC-4 REC-5 REC-8 */
START_TEST(test_vectors_both_ways)
{
	hs_buf_t file = HS_BUF_INIT;
	int records = 0, options = 0;
	ck_assert_int_eq(hs_read_file(tu_vector_path("rr-wire.txt"), &file, 1 << 20), HS_OK);
	hs_buf_cstr(&file);
	for (char *line = strtok((char *)file.data, "\n"); line; line = strtok(NULL, "\n")) {
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		char *b1 = strchr(line, '|'), *b2 = strrchr(line, '|');
		ck_assert_ptr_nonnull(b1);
		ck_assert_ptr_ne(b1, b2);
		*b1 = *b2 = '\0';
		char *tname = trim(line), *pres = trim(b1 + 1), *hex = trim(b2 + 1);
		hs_buf_t wire = HS_BUF_INIT, out = HS_BUF_INIT, again = HS_BUF_INIT;
		hs_errmsg_t em;
		tu_hex(&wire, hex);
		if (strcmp(tname, "OPTION") == 0) {
			const uint8_t *d;
			size_t dl;
			uint16_t code;
			ck_assert_int_eq(
			    hs_edns_opt_split(wire.data, wire.len, &code, &d, &dl, &em), HS_OK);
			ck_assert_msg(hs_edns_opt_to_text(code, d, dl, &out, &em) == HS_OK,
			              "%s: %s", hex, em.text);
			ck_assert_msg(hs_edns_opt_from_text(hs_edns_opt_name(code),
			                                    hs_buf_cstr(&out), &again,
			                                    &em) == HS_OK,
			              "%s", em.text);
			char *got = hexstr(&again);
			ck_assert_str_eq(got, hex);
			free(got);
			options++;
		} else {
			uint16_t type;
			char a[1024], b[1024];
			ck_assert_int_eq(hs_rrtype_parse(tname, &type), HS_OK);
			ck_assert_msg(hs_rdata_from_text(type, pres, &again, &em) == HS_OK,
			              "%s: %s", pres, em.text);
			char *got = hexstr(&again);
			ck_assert_str_eq(got, hex);
			free(got);
			ck_assert_msg(hs_rdata_to_text(type, wire.data, wire.len, &out, &em) ==
			                  HS_OK,
			              "%s: %s", hex, em.text);
			norm(a, sizeof(a), hs_buf_cstr(&out));
			norm(b, sizeof(b), pres);
			ck_assert_str_eq(a, b);
			records++;
		}
		hs_buf_free(&wire);
		hs_buf_free(&out);
		hs_buf_free(&again);
	}
	ck_assert_int_ge(records, 5);
	ck_assert_int_ge(options, 4);
	hs_buf_free(&file);
}
END_TEST

static const struct bad_wire {
	uint16_t type;
	const char *hex;
	int err;
	const char *field; /* expected in the message */
} bad_wire[] = {
    {HS_RRTYPE_DSYNC, "", HS_E_TRUNC, "dsync rrtype"},
    {HS_RRTYPE_DSYNC, "003b01", HS_E_TRUNC, "dsync port"},
    {HS_RRTYPE_DSYNC, "003b0114ef", HS_E_TRUNC, "dsync target"},
    {HS_RRTYPE_DSYNC, "003b0114ef036e7331c00c", HS_E_COMPRESSED, "dsync target"},
    {HS_RRTYPE_DSYNC, "003b0114ef4000", HS_E_NAME, "dsync target"},
    {HS_RRTYPE_DSYNC, "003b0114ef036e73", HS_E_TRUNC, "dsync target"},
    {HS_RRTYPE_DSYNC, "003b0114ef036e733100ff", HS_E_TRAILING, "dsync"},
    {HS_RRTYPE_HSYNC3, "", HS_E_TRUNC, "hsync3 state"},
    {HS_RRTYPE_HSYNC3, "01", HS_E_TRUNC, "hsync3 label"},
    {HS_RRTYPE_HSYNC3, "0106616c706861", HS_E_TRUNC, "hsync3 label"},
    {HS_RRTYPE_HSYNC3, "0106616c7068612e", HS_E_TRUNC, "hsync3 identity"},
    {HS_RRTYPE_HSYNC3, "0106616c7068612ec00c012e", HS_E_COMPRESSED, "hsync3 identity"},
    {HS_RRTYPE_HSYNC3, "0106616c7068612e00", HS_E_TRUNC, "hsync3 upstream"},
    {HS_RRTYPE_HSYNC3, "0106616c7068612e00052e", HS_E_TRUNC, "hsync3 upstream"},
    {HS_RRTYPE_HSYNC3, "0106616c7068612e00012e00", HS_E_TRAILING, "hsync3"},
    {HS_RRTYPE_HSYNCPARAM, "0000", HS_E_TRUNC, "hsyncparam"},
    {HS_RRTYPE_HSYNCPARAM, "00000001", HS_E_TRUNC, "hsyncparam"},
    {HS_RRTYPE_HSYNCPARAM, "00020001610001000101", HS_E_ORDER, "hsyncparam parentsync"},
    {HS_RRTYPE_HSYNCPARAM, "00000001010000000102", HS_E_ORDER, "hsyncparam nsmgmt"},
    {HS_RRTYPE_HSYNCPARAM, "000000020102", HS_E_MALFORMED, "hsyncparam nsmgmt"},
    {HS_RRTYPE_HSYNCPARAM, "0005000101", HS_E_MALFORMED, "hsyncparam pubcds"},
    {HS_RRTYPE_HSYNCPARAM, "000600022d61", HS_E_MALFORMED, "hsyncparam suffix"},
    {HS_RRTYPE_HSYNCPARAM, "00060000", HS_E_MALFORMED, "hsyncparam suffix"},
    {HS_RRTYPE_HSYNCPARAM, "00020002612c", HS_E_MALFORMED, "hsyncparam servers"},
    {HS_RRTYPE_HSYNCPARAM, "00030003612062", HS_E_MALFORMED, "hsyncparam signers"},
    {HS_RRTYPE_HSYNCPARAM, "000700022c61", HS_E_MALFORMED, "hsyncparam auditors"},
    {HS_RRTYPE_HSYNCPARAM, "ffff0000", HS_E_MALFORMED, "hsyncparam key65535"},
    {HS_RRTYPE_CHUNK, "", HS_E_TRUNC, "chunk format"},
    {HS_RRTYPE_CHUNK, "01", HS_E_TRUNC, "chunk hmac"},
    {HS_RRTYPE_CHUNK, "010005aabb", HS_E_TRUNC, "chunk hmac"},
    {HS_RRTYPE_CHUNK, "01000000", HS_E_TRUNC, "chunk sequence"},
    {HS_RRTYPE_CHUNK, "0100000001000200", HS_E_TRUNC, "chunk data"},
    {HS_RRTYPE_CHUNK, "01000000010002000568656c6c", HS_E_TRUNC, "chunk data"},
    {HS_RRTYPE_CHUNK, "01000000010002000568656c6c6f00", HS_E_TRAILING, "chunk"},
    {HS_RRTYPE_HPKEKEY, "0020", HS_E_TRUNC, "hpkekey kdf"},
    {HS_RRTYPE_HPKEKEY, "00200001", HS_E_TRUNC, "hpkekey aead"},
    {HS_RRTYPE_HPKEKEY, "002000010002", HS_E_MALFORMED, "hpkekey public key"},
    {HS_RRTYPE_HPKEKEY,
     "002000010002"
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
     HS_E_MALFORMED, "hpkekey public key"},
    {HS_RRTYPE_HPKEKEY,
     "002000010002"
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
     HS_E_MALFORMED, "hpkekey public key"},
    {HS_RRTYPE_HPKEKEY,
     "009900010002"
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     HS_E_NOTSUP, "hpkekey kem"},
    {HS_RRTYPE_HSYNC, "0102", HS_E_TRUNC, "hsync nsmgmt"},
    {HS_RRTYPE_HSYNC, "010201c00c", HS_E_COMPRESSED, "hsync identity"},
    {HS_RRTYPE_HSYNC, "01020100", HS_E_TRUNC, "hsync upstream"},
    {HS_RRTYPE_HSYNC, "0102010000ff", HS_E_TRAILING, "hsync"},
    {HS_RRTYPE_HSYNC2, "01000300", HS_E_TRUNC, "hsync2 upstream"},
    {HS_RRTYPE_HSYNC2, "0100030000c000", HS_E_TRAILING, "hsync2"},
    {HS_RRTYPE_HSYNC2, "01000300c000", HS_E_COMPRESSED, "hsync2 upstream"},
};

/* requirements: REC-1 REC-7 REC-10 */
START_TEST(test_bad_wire)
{
	const struct bad_wire *t = &bad_wire[_i];
	hs_buf_t in = HS_BUF_INIT, out = HS_BUF_INIT;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	tu_hex(&in, t->hex);
	hs_buf_append(&out, "keep", 4);
	int rc =
	    hs_rdata_to_text(t->type, in.data ? in.data : (const uint8_t *)"", in.len, &out, &em);
	ck_assert_msg(rc == t->err, "%s %s: got %s (%s), want %s", hs_rrtype_name(t->type), t->hex,
	              hs_errname(rc), em.text, hs_errname(t->err));
	ck_assert_int_eq(em.code, t->err);
	ck_assert_msg(strstr(em.text, t->field) != NULL, "'%s' does not name '%s'", em.text,
	              t->field);
	ck_assert_uint_eq(out.len, 4); /* output untouched */
	hs_buf_free(&in);
	hs_buf_free(&out);
}
END_TEST

static const struct bad_text {
	uint16_t type;
	const char *text;
	int err;
} bad_text[] = {
    {HS_RRTYPE_DSYNC, "", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC, "CDS NOTIFY 5359", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC, "CDS NOTIFY 70000 ns1.", HS_E_RANGE},
    {HS_RRTYPE_DSYNC, "CDS NOTIFY -1 ns1.", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC, "BOGUS NOTIFY 53 ns1.", HS_E_UNKNOWN_TYPE},
    {HS_RRTYPE_DSYNC, "CDS FOO 53 ns1.", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC, "CDS 256 53 ns1.", HS_E_RANGE},
    {HS_RRTYPE_DSYNC, "CDS NOTIFY 53 a..b.", HS_E_NAME},
    {HS_RRTYPE_DSYNC, "CDS NOTIFY 53 .a.", HS_E_NAME},
    {HS_RRTYPE_DSYNC, "CDS NOTIFY 53 ns1. extra", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC, "CDS NOTIFY 53 a\\999.", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC,
     "CDS NOTIFY 53 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.", HS_E_NAME},
    {HS_RRTYPE_HSYNC3, "MAYBE a b. c", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC3, "ON a", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC3, "ON a b.. c", HS_E_NAME},
    {HS_RRTYPE_HSYNC3, "ON a b. c d", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC3, "ON \"a b. c", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC3, "ON \"a\"x b. c", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC3, "ON a\\1 b. c", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC3, "ON a b. c\\", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "nsmgmt=\"maybe\"", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "nsmgmt=256", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "nsmgmt=\"agent\" nsmgmt=\"owner\"", HS_E_EXISTS},
    {HS_RRTYPE_HSYNCPARAM, "servers=\"a\" pubcds servers=\"b\"", HS_E_EXISTS},
    {HS_RRTYPE_HSYNCPARAM, "bogus=\"x\"", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "=\"x\"", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "key0=\"x\"", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "key65535=\"x\"", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "key007=\"x\"", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNCPARAM, "pubcds=\"x\"", HS_E_MALFORMED},
    {HS_RRTYPE_HSYNCPARAM, "suffix=\"a.b\"", HS_E_MALFORMED},
    {HS_RRTYPE_HSYNCPARAM, "suffix", HS_E_MALFORMED},
    {HS_RRTYPE_HSYNCPARAM, "servers=\"a,,b\"", HS_E_MALFORMED},
    {HS_RRTYPE_HSYNCPARAM, "servers=\",a\"", HS_E_MALFORMED},
    {HS_RRTYPE_HSYNCPARAM, "servers=\"a b\"", HS_E_MALFORMED},
    {HS_RRTYPE_HSYNCPARAM, "servers=\"abc", HS_E_SYNTAX},
    {HS_RRTYPE_CHUNK, "1 2 JSON \"\"", HS_E_SYNTAX},
    {HS_RRTYPE_CHUNK, "1 2 BOGUS \"\" aGk=", HS_E_SYNTAX},
    {HS_RRTYPE_CHUNK, "1 2 JSON zz aGk=", HS_E_SYNTAX},
    {HS_RRTYPE_CHUNK, "1 2 JSON abc aGk=", HS_E_SYNTAX},
    {HS_RRTYPE_CHUNK, "1 2 JSON \"\" !!!", HS_E_SYNTAX},
    {HS_RRTYPE_CHUNK, "70000 2 JSON \"\" aGk=", HS_E_SYNTAX},
    {HS_RRTYPE_CHUNK, "0 2 JSON \"\" {\"a\":1} extra", HS_E_SYNTAX},
    {HS_RRTYPE_HPKEKEY, "32 1 2", HS_E_SYNTAX},
    {HS_RRTYPE_HPKEKEY, "32 1 2 AAAA", HS_E_MALFORMED},
    {HS_RRTYPE_HPKEKEY, "153 1 2 AAAA", HS_E_NOTSUP},
    {HS_RRTYPE_HPKEKEY, "x 1 2 AAAA", HS_E_SYNTAX},
    {HS_RRTYPE_HPKEKEY, "32 1 2 A*AA", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC, "ON AGENT SIGN a. b.", HS_E_NOTSUP},
    {HS_RRTYPE_HSYNC2, "ON \"nsmgmt=agent\" a. b.", HS_E_NOTSUP},
    {HS_RRTYPE_DSYNC, "\\# 3 0102", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC, "\\# 2 0102", HS_E_TRUNC},
    {HS_RRTYPE_DSYNC, "\\# x", HS_E_SYNTAX},
    {HS_RRTYPE_DSYNC, "\\# 1 zz", HS_E_SYNTAX},
    {HS_RRTYPE_HSYNC, "\\# 5 010201c00c", HS_E_COMPRESSED},
    {HS_RRTYPE_HPKEKEY, "\\# 6 002000010002", HS_E_MALFORMED},
};

START_TEST(test_bad_text)
{
	const struct bad_text *t = &bad_text[_i];
	hs_buf_t out = HS_BUF_INIT;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	hs_buf_append(&out, "keep", 4);
	int rc = hs_rdata_from_text(t->type, t->text, &out, &em);
	ck_assert_msg(rc == t->err, "%s '%s': got %s (%s), want %s", hs_rrtype_name(t->type),
	              t->text, hs_errname(rc), em.text, hs_errname(t->err));
	ck_assert_int_eq(em.code, t->err);
	ck_assert_uint_eq(out.len, 4);
	hs_buf_free(&out);
}
END_TEST

static void check_text(uint16_t type, const char *text, const char *hex, const char *back)
{
	hs_buf_t out = HS_BUF_INIT, wire = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_msg(hs_rdata_from_text(type, text, &out, &em) == HS_OK, "'%s': %s", text,
	              em.text);
	char *got = hexstr(&out), want[1024];
	size_t j = 0;
	for (const char *p = hex; *p && j + 1 < sizeof(want); p++)
		if (*p != ' ')
			want[j++] = *p;
	want[j] = '\0';
	ck_assert_str_eq(got, want);
	free(got);
	tu_hex(&wire, hex);
	hs_buf_reset(&out);
	ck_assert_msg(hs_rdata_to_text(type, wire.data, wire.len, &out, &em) == HS_OK, "%s",
	              em.text);
	ck_assert_str_eq(hs_buf_cstr(&out), back);
	hs_buf_free(&out);
	hs_buf_free(&wire);
}

/* requirements: REC-3 REC-9 */
START_TEST(test_good_forms)
{
	/* numeric scheme and type, TYPEnnn, relative target made absolute */
	check_text(HS_RRTYPE_DSYNC, "59 1 5359 ns1.example.com",
	           "003b0114ef036e7331076578616d706c6503636f6d00",
	           "CDS NOTIFY 5359 ns1.example.com.");
	check_text(HS_RRTYPE_DSYNC, "TYPE65285 update 53 .", "ff0502003500", "HSYNC3 UPDATE 53 .");
	check_text(HS_RRTYPE_DSYNC, "TYPE4000 200 53 a\\.b.", "0fa0c800350361 2e6200",
	           "TYPE4000 200 53 a\\.b.");
	/* HSYNC3: bare labels get the dot, quoted ones are verbatim */
	check_text(HS_RRTYPE_HSYNC3, "on alpha. a. .", "0106616c7068612e016100012e",
	           "ON alpha a. .");
	check_text(HS_RRTYPE_HSYNC3, "OFF \"alpha\" a. \"\"", "0005616c706861016100 00",
	           "OFF \"alpha\" a. \"\"");
	check_text(HS_RRTYPE_HSYNC3, "7 \"a..\" a. x\\ y", "0703612e2e016100 04782079 2e",
	           "7 \"a..\" a. x\\ y");
	/* HSYNCPARAM: any order in, sorted out; flags; unknown keys */
	check_text(HS_RRTYPE_HSYNCPARAM,
	           "auditors=audit key300=\"a\\\"b\" pubcds parentsync=agent nsmgmt=owner "
	           "servers=\" alpha , echo \" suffix=\"prov\" pubkey",
	           "0000000101 0001000101 0002000a616c7068612c6563686f 00040000 00050000"
	           "000600 0470726f76 0007000561756469 74 012c0003 61 22 62",
	           "nsmgmt=\"owner\" parentsync=\"agent\" servers=\"alpha,echo\" pubkey pubcds "
	           "suffix=\"prov\" auditors=\"audit\" key300=\"a\\\"b\"");
	check_text(HS_RRTYPE_HSYNCPARAM, "", "", "");
	check_text(HS_RRTYPE_HSYNCPARAM, "nsmgmt=7 key9", "0000000107 00090000",
	           "nsmgmt=\"7\" key9");
	/* CHUNK manifest: JSON bare as tdns prints it; quoted when needed */
	check_text(HS_RRTYPE_CHUNK, "0 9 JSON a889 {\"chunk_count\":9}",
	           "010002a889 0000 0009 0011 7b226368756e6b5f636f756e74223a397d",
	           "0 9 JSON a889 {\"chunk_count\":9}");
	check_text(HS_RRTYPE_CHUNK, "0 1 FORMAT9 \"\" \"{\\\"a\\\": 1}\"",
	           "090000 0000 0001 0008 7b2261223a20317d", "0 1 FORMAT9 \"\" \"{\\\"a\\\": 1}\"");
	check_text(HS_RRTYPE_CHUNK, "3 4 HPKE \"\" aGVs bG8=", "030000 0003 0004 0005 68656c6c6f",
	           "3 4 HPKE \"\" aGVsbG8=");
	check_text(HS_RRTYPE_CHUNK, "2 2 4 \"\" \"\"", "040000 0002 0002 0000",
	           "2 2 MSGPACK \"\" \"\"");
	/* HPKEKEY, hex numbers accepted on input */
	check_text(HS_RRTYPE_HPKEKEY, "0x20 1 0x2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	           "002000010002000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	           "32 1 2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	/* generic form of a writable type, validated and equal */
	check_text(HS_RRTYPE_HSYNC3, "\\# 6 00016100012e", "00016100012e", "OFF \"a\" . .");
	/* legacy decode */
	check_text(HS_RRTYPE_HSYNC, "\\# 9 0102010161000162 00", "0102010161000162 00",
	           "ON AGENT SIGN a. b.");
	check_text(HS_RRTYPE_HSYNC2, "\\# 5 0140 0f 00 00", "01400f0000",
	           "ON \"nsmgmt=agent; sign=yes; audit=yes; parentsync=notify; flags=0x400f\" . .");
	check_text(HS_RRTYPE_HSYNC2, "\\# 5 00 00 30 00 00", "0000300000",
	           "OFF \"nsmgmt=owner; sign=no; audit=no; parentsync=6\" . .");
}
END_TEST

START_TEST(test_type_names)
{
	uint16_t t;
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(hs_rrtype_parse("hsync3", &t), HS_OK);
	ck_assert_uint_eq(t, 65285);
	ck_assert_int_eq(hs_rrtype_parse("TYPE65290", &t), HS_OK);
	ck_assert_uint_eq(t, HS_RRTYPE_HPKEKEY);
	ck_assert_int_eq(hs_rrtype_parse("TYPE66", &t), HS_OK);
	ck_assert_int_eq(hs_rrtype_parse("A", &t), HS_E_UNKNOWN_TYPE);
	ck_assert_int_eq(hs_rrtype_parse("TYPE1", &t), HS_E_UNKNOWN_TYPE);
	ck_assert_int_eq(hs_rrtype_parse("TYPE", &t), HS_E_UNKNOWN_TYPE);
	ck_assert_int_eq(hs_rrtype_parse(NULL, &t), HS_E_UNKNOWN_TYPE);
	ck_assert_str_eq(hs_rrtype_name(65288), "CHUNK");
	ck_assert_ptr_null(hs_rrtype_name(1));
	ck_assert_int_eq(hs_rrtype_writable(HS_RRTYPE_HSYNC3), 1);
	ck_assert_int_eq(hs_rrtype_writable(HS_RRTYPE_HSYNC2), 0);
	ck_assert_int_eq(hs_rrtype_any_parse("cdnskey", &t), HS_OK);
	ck_assert_uint_eq(t, 60);
	ck_assert_int_eq(hs_rrtype_any_parse("NOPE", &t), HS_E_UNKNOWN_TYPE);
	hs_rrtype_any_print(&b, 62);
	hs_buf_append_u8(&b, ' ');
	hs_rrtype_any_print(&b, 66);
	hs_buf_append_u8(&b, ' ');
	hs_rrtype_any_print(&b, 65000);
	ck_assert_str_eq(hs_buf_cstr(&b), "CSYNC DSYNC TYPE65000");
	hs_buf_free(&b);
	/* an unknown type is refused by the text codec */
	hs_errmsg_t em;
	ck_assert_int_eq(hs_rdata_from_text(1, "1.2.3.4", &b, &em), HS_E_UNKNOWN_TYPE);
	ck_assert_int_eq(hs_rdata_to_text(1, (const uint8_t *)"\1\2\3\4", 4, &b, &em),
	                 HS_E_UNKNOWN_TYPE);
}
END_TEST

START_TEST(test_error_text)
{
	hs_buf_t in = HS_BUF_INIT, out = HS_BUF_INIT;
	hs_errmsg_t em;
	tu_hex(&in, "0106616c7068612ec00c012e");
	ck_assert_int_eq(hs_rdata_to_text(HS_RRTYPE_HSYNC3, in.data, in.len, &out, &em),
	                 HS_E_COMPRESSED);
	ck_assert_str_eq(em.text, "hsync3 identity: compression pointer not allowed");
	ck_assert_int_eq(hs_rdata_to_text(HS_RRTYPE_HSYNC3, in.data, in.len, &out, NULL),
	                 HS_E_COMPRESSED);
	hs_buf_free(&in);
	hs_buf_free(&out);
}
END_TEST

static Suite *rdata_suite(void)
{
	Suite *s = suite_create("rdata");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_vectors_both_ways);
	tcase_add_loop_test(tc, test_bad_wire, 0, sizeof(bad_wire) / sizeof(bad_wire[0]));
	tcase_add_loop_test(tc, test_bad_text, 0, sizeof(bad_text) / sizeof(bad_text[0]));
	tcase_add_test(tc, test_good_forms);
	tcase_add_test(tc, test_type_names);
	tcase_add_test(tc, test_error_text);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(rdata_suite)
