/* Round-trip properties of the record codecs over random valid records
 * (seeded PRNG): struct -> wire -> struct, and wire -> text -> wire. */
#include "lib/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "wire/proto.h"
#include "wire/rdata.h"
#include "wire/rr_chunk.h"
#include "wire/rr_dsync.h"
#include "wire/rr_hpkekey.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"
#include "wire/rr_legacy.h"

#define ROUNDS 3000

static uint64_t rng_state;

static uint32_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (uint32_t)(x >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

static void rnd_from(uint8_t *p, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)alphabet[rnd_below((uint32_t)k)];
}

/* random valid wire name of any octets */
static size_t rnd_name(uint8_t *out)
{
	size_t len = 0, labels = rnd_below(5);
	for (size_t i = 0; i < labels; i++) {
		size_t l = 1 + rnd_below(i == 0 ? 63 : 30);
		if (len + 1 + l + 1 > WIRE_NAME_MAX)
			break;
		out[len++] = (uint8_t)l;
		if (rnd_below(2))
			rnd_bytes(out + len, l);
		else
			rnd_from(out + len, l, "abcdefghijklmnopqrstuvwxyz0123456789-");
		len += l;
	}
	out[len++] = 0;
	return len;
}

/* wire -> text -> wire must give the same octets; returns the text */
static void text_roundtrip(uint16_t type, const hs_buf_t *wire)
{
	hs_buf_t text = HS_BUF_INIT, again = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_msg(hs_rdata_to_text(type, wire->data, wire->len, &text, &em) == HS_OK, "%s: %s",
	              hs_rrtype_name(type), em.text);
	ck_assert_msg(hs_rdata_from_text(type, hs_buf_cstr(&text), &again, &em) == HS_OK,
	              "%s '%s': %s", hs_rrtype_name(type), hs_buf_cstr(&text), em.text);
	ck_assert_msg(again.len == wire->len &&
	                  (wire->len == 0 || memcmp(again.data, wire->data, wire->len) == 0),
	              "%s: '%s' re-encodes differently", hs_rrtype_name(type), hs_buf_cstr(&text));
	/* the generic form reads back to the same octets as well */
	hs_buf_reset(&text);
	hs_buf_reset(&again);
	hs_rdata_generic_print(&text, wire->data, wire->len);
	ck_assert_int_eq(hs_rdata_from_text(type, hs_buf_cstr(&text), &again, &em), HS_OK);
	ck_assert(wire->len == 0 || memcmp(again.data, wire->data, wire->len) == 0);
	hs_buf_free(&text);
	hs_buf_free(&again);
}

/* requirements: REC-2 REC-3 REC-4 */
START_TEST(test_dsync_random)
{
	rng_state = 0x5eed0001;
	for (int i = 0; i < ROUNDS; i++) {
		hs_dsync_t d, back;
		hs_buf_t w = HS_BUF_INIT;
		d.rrtype = (uint16_t)rnd();
		d.scheme = (uint8_t)rnd();
		d.port = (uint16_t)rnd();
		d.target_len = rnd_name(d.target);
		ck_assert_int_eq(hs_dsync_encode(&d, &w, NULL), HS_OK);
		ck_assert_int_eq(hs_dsync_decode(w.data, w.len, &back, NULL), HS_OK);
		ck_assert_uint_eq(back.rrtype, d.rrtype);
		ck_assert_uint_eq(back.scheme, d.scheme);
		ck_assert_uint_eq(back.port, d.port);
		ck_assert_uint_eq(back.target_len, d.target_len);
		ck_assert_mem_eq(back.target, d.target, d.target_len);
		text_roundtrip(HS_RRTYPE_DSYNC, &w);
		hs_buf_free(&w);
	}
}
END_TEST

/* requirements: REC-2 REC-5 */
START_TEST(test_hsync3_random)
{
	rng_state = 0x5eed0002;
	for (int i = 0; i < ROUNDS; i++) {
		uint8_t label[255], up[255];
		hs_hsync3_t h, back;
		hs_buf_t w = HS_BUF_INIT;
		h.state = rnd_below(4) ? (uint8_t)rnd_below(2) : (uint8_t)rnd();
		h.label_len = rnd_below(3) ? rnd_below(20) : rnd_below(256);
		if (rnd_below(2))
			rnd_bytes(label, h.label_len);
		else
			rnd_from(label, h.label_len, "abc.-");
		h.label = label;
		h.upstream_len = rnd_below(4) ? 1 + rnd_below(12) : rnd_below(256);
		rnd_from(up, h.upstream_len, rnd_below(2) ? "xyz." : "\"\\ \t.a");
		h.upstream = up;
		h.identity_len = rnd_name(h.identity);
		ck_assert_int_eq(hs_hsync3_encode(&h, &w, NULL), HS_OK);
		ck_assert_int_eq(hs_hsync3_decode(w.data, w.len, &back, NULL), HS_OK);
		ck_assert_uint_eq(back.state, h.state);
		ck_assert_uint_eq(back.label_len, h.label_len);
		ck_assert_mem_eq(back.label, h.label, h.label_len);
		ck_assert_uint_eq(back.upstream_len, h.upstream_len);
		ck_assert_mem_eq(back.upstream, h.upstream, h.upstream_len);
		ck_assert_mem_eq(back.identity, h.identity, h.identity_len);
		text_roundtrip(HS_RRTYPE_HSYNC3, &w);
		hs_buf_free(&w);
	}
}
END_TEST

static size_t rnd_list(uint8_t *p)
{
	size_t n = 0, items = rnd_below(4);
	for (size_t i = 0; i < items; i++) {
		size_t l = 1 + rnd_below(12);
		if (i)
			p[n++] = ',';
		rnd_from(p + n, l, "abcdefghijklmnopqrstuvwxyz0123456789-_.\"\\");
		n += l;
	}
	return n;
}

/* requirements: REC-7 */
START_TEST(test_hsyncparam_random)
{
	rng_state = 0x5eed0003;
	for (int i = 0; i < ROUNDS; i++) {
		static uint8_t vals[16][200];
		hs_hsyncparam_t h, back;
		hs_buf_t w = HS_BUF_INIT;
		h.n = 0;
		for (uint16_t key = 0; key < 8; key++) {
			if (rnd_below(2))
				continue;
			hs_hsp_param_t *p = &h.p[h.n];
			uint8_t *v = vals[h.n];
			p->key = key;
			p->val = v;
			switch (key) {
			case HS_HSP_NSMGMT:
			case HS_HSP_PARENTSYNC:
				v[0] = rnd_below(3) ? (uint8_t)rnd_below(3) : (uint8_t)rnd();
				p->len = 1;
				break;
			case HS_HSP_PUBCDS:
				p->len = 0;
				break;
			case HS_HSP_SUFFIX:
				p->len = (uint16_t)(1 + rnd_below(20));
				rnd_from(v, p->len, "abcxyz019");
				if (rnd_below(2) && p->len > 2)
					v[1] = '-';
				break;
			case HS_HSP_PUBKEY:
				p->len = (uint16_t)(rnd_below(2) ? 0 : rnd_below(100));
				rnd_bytes(v, p->len);
				break;
			default:
				p->len = (uint16_t)rnd_list(v);
				break;
			}
			h.n++;
		}
		uint16_t key = 8;
		while (h.n < 12 && rnd_below(3) == 0) {
			key = (uint16_t)(key + 1 + rnd_below(9000));
			if (key >= 65535)
				break;
			h.p[h.n].key = key;
			h.p[h.n].len = (uint16_t)rnd_below(60);
			rnd_bytes(vals[h.n], h.p[h.n].len);
			h.p[h.n].val = vals[h.n];
			h.n++;
		}
		ck_assert_int_eq(hs_hsyncparam_encode(&h, &w, NULL), HS_OK);
		ck_assert_int_eq(hs_hsyncparam_decode(w.data, w.len, &back, NULL), HS_OK);
		ck_assert_uint_eq(back.n, h.n);
		for (size_t j = 0; j < h.n; j++) {
			ck_assert_uint_eq(back.p[j].key, h.p[j].key);
			ck_assert_uint_eq(back.p[j].len, h.p[j].len);
			ck_assert_mem_eq(back.p[j].val, h.p[j].val, h.p[j].len);
		}
		text_roundtrip(HS_RRTYPE_HSYNCPARAM, &w);
		hs_buf_free(&w);
	}
}
END_TEST

/* requirements: REC-8 REC-9 */
START_TEST(test_chunk_random)
{
	rng_state = 0x5eed0004;
	for (int i = 0; i < ROUNDS; i++) {
		static uint8_t hmac[64], data[600];
		hs_chunk_t c, back;
		hs_buf_t w = HS_BUF_INIT;
		c.format = rnd_below(2) ? (uint8_t)(1 + rnd_below(4)) : (uint8_t)rnd();
		c.hmac_len = (uint16_t)(rnd_below(2) ? 0 : rnd_below(64));
		rnd_bytes(hmac, c.hmac_len);
		c.hmac = hmac;
		c.sequence = (uint16_t)(rnd_below(3) ? rnd_below(2) : rnd());
		c.total = (uint16_t)rnd();
		c.data_len = (uint16_t)rnd_below(600);
		if (rnd_below(2))
			rnd_bytes(data, c.data_len);
		else
			rnd_from(data, c.data_len, "{}[]\":,abc 1\\");
		c.data = data;
		ck_assert_int_eq(hs_chunk_encode(&c, &w, NULL), HS_OK);
		ck_assert_int_eq(hs_chunk_decode(w.data, w.len, &back, NULL), HS_OK);
		ck_assert_uint_eq(back.format, c.format);
		ck_assert_uint_eq(back.sequence, c.sequence);
		ck_assert_uint_eq(back.total, c.total);
		ck_assert_uint_eq(back.hmac_len, c.hmac_len);
		ck_assert_uint_eq(back.data_len, c.data_len);
		ck_assert_mem_eq(back.data, c.data, c.data_len);
		text_roundtrip(HS_RRTYPE_CHUNK, &w);
		hs_buf_free(&w);
	}
}
END_TEST

/* requirements: REC-10 */
START_TEST(test_hpkekey_random)
{
	static const uint16_t kems[] = {0x10, 0x11, 0x12, 0x20, 0x21};
	rng_state = 0x5eed0005;
	for (int i = 0; i < ROUNDS; i++) {
		uint8_t pub[133];
		hs_hpkekey_t k, back;
		hs_buf_t w = HS_BUF_INIT;
		k.kem = kems[rnd_below(5)];
		k.kdf = (uint16_t)rnd();
		k.aead = (uint16_t)rnd();
		k.pub_len = hs_hpke_kem_pklen(k.kem);
		rnd_bytes(pub, k.pub_len);
		k.pub = pub;
		ck_assert_int_eq(hs_hpkekey_encode(&k, &w, NULL), HS_OK);
		ck_assert_int_eq(hs_hpkekey_decode(w.data, w.len, &back, NULL), HS_OK);
		ck_assert_uint_eq(back.kem, k.kem);
		ck_assert_uint_eq(back.kdf, k.kdf);
		ck_assert_uint_eq(back.aead, k.aead);
		ck_assert_mem_eq(back.pub, k.pub, k.pub_len);
		text_roundtrip(HS_RRTYPE_HPKEKEY, &w);
		/* one octet more or less is always wrong */
		ck_assert_int_eq(hs_hpkekey_decode(w.data, w.len - 1, &back, NULL), HS_E_MALFORMED);
		hs_buf_free(&w);
	}
}
END_TEST

/* requirements: REC-11 */
START_TEST(test_legacy_random)
{
	rng_state = 0x5eed0006;
	for (int i = 0; i < ROUNDS; i++) {
		uint8_t id[WIRE_NAME_MAX], up[WIRE_NAME_MAX];
		size_t idl = rnd_name(id), upl = rnd_name(up);
		uint16_t type = rnd_below(2) ? HS_RRTYPE_HSYNC : HS_RRTYPE_HSYNC2;
		hs_buf_t w = HS_BUF_INIT, t1 = HS_BUF_INIT;
		hs_hsync_legacy_t h;
		hs_buf_append_u8(&w, (uint8_t)rnd());
		hs_buf_append_u16(&w, (uint16_t)rnd());
		hs_buf_append(&w, id, idl);
		hs_buf_append(&w, up, upl);
		ck_assert_int_eq(hs_hsync_legacy_decode(type, w.data, w.len, &h, NULL), HS_OK);
		ck_assert_mem_eq(h.identity, id, idl);
		ck_assert_mem_eq(h.upstream, up, upl);
		ck_assert_int_eq(hs_rdata_to_text(type, w.data, w.len, &t1, NULL), HS_OK);
		/* decode-only: text is refused, the generic form reads back */
		hs_buf_t again = HS_BUF_INIT;
		ck_assert_int_eq(hs_rdata_from_text(type, hs_buf_cstr(&t1), &again, NULL),
		                 HS_E_NOTSUP);
		hs_buf_reset(&t1);
		hs_rdata_generic_print(&t1, w.data, w.len);
		ck_assert_int_eq(hs_rdata_from_text(type, hs_buf_cstr(&t1), &again, NULL), HS_OK);
		ck_assert_mem_eq(again.data, w.data, w.len);
		hs_buf_free(&again);
		hs_buf_free(&w);
		hs_buf_free(&t1);
	}
}
END_TEST

START_TEST(test_dsync_any)
{
	/* RRtype 255 prints as ANY (tdns and ldns write it so) and reads back */
	static const uint8_t wire[] = {0x00, 0xff, 0x01, 0x14, 0xe9, 0x03, 'n', 's', '1', 0x00};
	hs_buf_t t = HS_BUF_INIT, w = HS_BUF_INIT;
	ck_assert_int_eq(hs_rdata_to_text(HS_RRTYPE_DSYNC, wire, sizeof(wire), &t, NULL), HS_OK);
	ck_assert_str_eq(hs_buf_cstr(&t), "ANY NOTIFY 5353 ns1.");
	ck_assert_int_eq(hs_rdata_from_text(HS_RRTYPE_DSYNC, "any NOTIFY 5353 ns1.", &w, NULL),
	                 HS_OK);
	ck_assert_mem_eq(w.data, wire, sizeof(wire));
	hs_buf_reset(&w);
	ck_assert_int_eq(hs_rdata_from_text(HS_RRTYPE_DSYNC, "TYPE255 NOTIFY 5353 ns1.", &w, NULL),
	                 HS_OK);
	ck_assert_mem_eq(w.data, wire, sizeof(wire));
	hs_buf_free(&t);
	hs_buf_free(&w);
}
END_TEST

/* requirements: REC-1 */
START_TEST(test_truncations_fail)
{
	/* every strict prefix of a valid RDATA fails to decode (HSYNCPARAM
	 * prefixes at a parameter boundary are valid records themselves) */
	static const char *const texts[][2] = {
	    {"DSYNC", "CDS NOTIFY 5359 ns1.example.com."},
	    {"HSYNC3", "ON cloudflare agent.cloudflare.com. netnod"},
	    {"CHUNK", "1 2 JSON \"\" aGVsbG8gd29ybGQ="},
	    {"HPKEKEY", "32 1 2 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		uint16_t type;
		hs_buf_t w = HS_BUF_INIT, t = HS_BUF_INIT;
		ck_assert_int_eq(hs_rrtype_parse(texts[i][0], &type), HS_OK);
		ck_assert_int_eq(hs_rdata_from_text(type, texts[i][1], &w, NULL), HS_OK);
		for (size_t n = 0; n < w.len; n++)
			ck_assert_int_ne(hs_rdata_to_text(type, w.data, n, &t, NULL), HS_OK);
		hs_buf_append_u8(&w, 0);
		ck_assert_int_ne(hs_rdata_to_text(type, w.data, w.len, &t, NULL), HS_OK);
		hs_buf_free(&w);
		hs_buf_free(&t);
	}
}
END_TEST

/* requirements: REC-6 */
START_TEST(test_hsync3_quirk)
{
	hs_hsync3_t h;
	hs_buf_t w = HS_BUF_INIT;
	ck_assert_int_eq(hs_rdata_from_text(HS_RRTYPE_HSYNC3, "ON alpha a. beta", &w, NULL), HS_OK);
	ck_assert_int_eq(hs_hsync3_decode(w.data, w.len, &h, NULL), HS_OK);
	ck_assert_uint_eq(h.label_len, 6);
	ck_assert_mem_eq(h.label, "alpha.", 6);
	ck_assert(hs_hsync3_label_eq(h.label, h.label_len, (const uint8_t *)"alpha", 5));
	ck_assert(hs_hsync3_label_eq(h.label, h.label_len, (const uint8_t *)"ALPHA.", 6));
	ck_assert(!hs_hsync3_label_eq(h.label, h.label_len, (const uint8_t *)"alpha..", 7));
	ck_assert(!hs_hsync3_label_eq(h.label, h.label_len, (const uint8_t *)"alph", 4));
	ck_assert(!hs_hsync3_label_eq((const uint8_t *)"a\0x", 3, (const uint8_t *)"a\0y", 3));
	ck_assert(hs_hsync3_has_upstream(&h));
	hs_buf_reset(&w);
	ck_assert_int_eq(hs_rdata_from_text(HS_RRTYPE_HSYNC3, "ON alpha a. .", &w, NULL), HS_OK);
	ck_assert_int_eq(hs_hsync3_decode(w.data, w.len, &h, NULL), HS_OK);
	ck_assert(!hs_hsync3_has_upstream(&h));
	hs_buf_free(&w);
}
END_TEST

START_TEST(test_hsyncparam_access)
{
	hs_hsyncparam_t h;
	hs_buf_t w = HS_BUF_INIT;
	ck_assert_int_eq(hs_rdata_from_text(HS_RRTYPE_HSYNCPARAM,
	                                    "signers=\"alpha.,beta\" nsmgmt=\"agent\"", &w, NULL),
	                 HS_OK);
	ck_assert_int_eq(hs_hsyncparam_decode(w.data, w.len, &h, NULL), HS_OK);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_uint_eq(hs_hsyncparam_nsmgmt(&h), HS_NSMGMT_AGENT);
	ck_assert_uint_eq(hs_hsyncparam_parentsync(&h), HS_PARENTSYNC_OWNER);
	ck_assert(hs_hsyncparam_list_has(&h, HS_HSP_SIGNERS, (const uint8_t *)"alpha", 5));
	ck_assert(hs_hsyncparam_list_has(&h, HS_HSP_SIGNERS, (const uint8_t *)"beta.", 5));
	ck_assert(!hs_hsyncparam_list_has(&h, HS_HSP_SIGNERS, (const uint8_t *)"gamma", 5));
	ck_assert(!hs_hsyncparam_list_has(&h, HS_HSP_SERVERS, (const uint8_t *)"alpha", 5));
	ck_assert(!hs_hsyncparam_list_has(&h, HS_HSP_NSMGMT, (const uint8_t *)"agent", 5));
	ck_assert_ptr_null(hs_hsyncparam_find(&h, HS_HSP_SUFFIX));
	/* encode refuses what decode would refuse */
	hs_hsyncparam_t bad = {2, {{3, 1, (const uint8_t *)"a"}, {2, 1, (const uint8_t *)"b"}}};
	ck_assert_int_eq(hs_hsyncparam_encode(&bad, &w, NULL), HS_E_ORDER);
	hs_buf_free(&w);
}
END_TEST

static Suite *roundtrip_suite(void)
{
	Suite *s = suite_create("rr_roundtrip");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_dsync_random);
	tcase_add_test(tc, test_dsync_any);
	tcase_add_test(tc, test_hsync3_random);
	tcase_add_test(tc, test_hsyncparam_random);
	tcase_add_test(tc, test_chunk_random);
	tcase_add_test(tc, test_hpkekey_random);
	tcase_add_test(tc, test_legacy_random);
	tcase_add_test(tc, test_truncations_fail);
	tcase_add_test(tc, test_hsync3_quirk);
	tcase_add_test(tc, test_hsyncparam_access);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(roundtrip_suite)
