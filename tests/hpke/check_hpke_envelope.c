/* Tests for src/hpke/envelope.h: the transport's HPKE envelope. */
#include "lib/testutil.h"

#include <string.h>

#include "hpke/envelope.h"
#include "wire/cursor.h"

static hs_env_fake_t fenv;

typedef struct parties {
	hpke_key_t *s, *s_pub, *r, *r_pub, *r_old, *other;
} parties_t;

static hpke_key_t *pub_of(const hpke_key_t *kp)
{
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t n = sizeof(pub);
	hpke_key_t *k = NULL;
	ck_assert_int_eq(hpke_key_public(pub, &n, kp), HS_OK);
	ck_assert_int_eq(hpke_key_from_public(&k, hpke_key_kem(kp), pub, n), HS_OK);
	return k;
}

static void parties_init(parties_t *p)
{
	hs_env_fake_init(&fenv, 1795412772000ull, 11);
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(hpke_key_generate(&p->s, HPKE_ENV_KEM, &fenv.env), HS_OK);
	ck_assert_int_eq(hpke_key_generate(&p->r, HPKE_ENV_KEM, &fenv.env), HS_OK);
	ck_assert_int_eq(hpke_key_generate(&p->r_old, HPKE_ENV_KEM, &fenv.env), HS_OK);
	ck_assert_int_eq(hpke_key_generate(&p->other, HPKE_ENV_KEM, &fenv.env), HS_OK);
	p->s_pub = pub_of(p->s);
	p->r_pub = pub_of(p->r);
}

static void parties_free(parties_t *p)
{
	hpke_key_free(p->s);
	hpke_key_free(p->s_pub);
	hpke_key_free(p->r);
	hpke_key_free(p->r_pub);
	hpke_key_free(p->r_old);
	hpke_key_free(p->other);
}

static const hpke_env_ids_t IDS = {"alpha.example.", "beta.example.", "0a1b2c3d4e5f"};
static const uint8_t MSG[] = "\x82\xa4type\xa4SYNC"; /* a msgpack-ish body */

static int open_env(hs_buf_t *out, const hpke_env_ids_t *ids, const parties_t *p,
                    const hpke_key_t *sender, const hs_buf_t *env)
{
	const hpke_key_t *keys[2] = {p->r_old, p->r};
	hs_buf_reset(out);
	return hpke_env_open(out, ids, keys, 2, sender, env->data, env->len);
}

/* requirements: ENV-1 ENV-4 ENV-5 ENV-6 */
START_TEST(test_roundtrip_and_layout)
{
	parties_t p;
	hs_buf_t env = HS_BUF_INIT, out = HS_BUF_INIT;
	hpke_env_hdr_t h;
	uint8_t kid[HPKE_ENV_KEY_ID_LEN];
	parties_init(&p);
	hs_buf_append(&env, "xyz", 3); /* seal appends */
	ck_assert_int_eq(hpke_env_seal(&env, &IDS, p.s, p.r_pub, &fenv.env, MSG, sizeof(MSG)),
	                 HS_OK);
	ck_assert_uint_eq(env.len, 3 + HPKE_ENV_OVERHEAD + sizeof(MSG));
	ck_assert_mem_eq(env.data, "xyz", 3);
	memmove(env.data, env.data + 3, env.len - 3);
	env.len -= 3;

	ck_assert_int_eq(hpke_env_parse(&h, env.data, env.len), HS_OK);
	ck_assert_uint_eq(h.version, 1);
	ck_assert_uint_eq(h.suite.kem, 0x0020);
	ck_assert_uint_eq(h.suite.kdf, 0x0001);
	ck_assert_uint_eq(h.suite.aead, 0x0002);
	ck_assert_mem_eq(env.data, "\x01\x00\x20\x00\x01\x00\x02", 7);
	ck_assert_int_eq(hpke_env_key_id(kid, p.r_pub), HS_OK);
	ck_assert_mem_eq(h.key_id, kid, sizeof(kid));
	ck_assert_mem_eq(env.data + 7, kid, sizeof(kid));
	ck_assert_ptr_eq(h.enc, env.data + 15);
	ck_assert_uint_eq(h.enc_len, 32);
	ck_assert_ptr_eq(h.ct, env.data + 47);
	ck_assert_uint_eq(h.ct_len, sizeof(MSG) + HPKE_TAG_LEN);

	ck_assert_int_eq(open_env(&out, &IDS, &p, p.s_pub, &env), HS_OK);
	ck_assert_uint_eq(out.len, sizeof(MSG));
	ck_assert_mem_eq(out.data, MSG, sizeof(MSG));

	/* The draft's info and aad, rebuilt here by hand, open it with the raw
	 * HPKE API: the implementation binds exactly what the draft says. */
	static const uint8_t info[] = "hsync-envelope\x01"
	                              "\x0f\x05"
	                              "alpha\x07"
	                              "example\x00"
	                              "\x0e\x04"
	                              "beta\x07"
	                              "example\x00";
	uint8_t aad[HPKE_ENV_HEADER_LEN + 1 + 12];
	memcpy(aad, env.data, HPKE_ENV_HEADER_LEN);
	aad[HPKE_ENV_HEADER_LEN] = 12;
	memcpy(aad + HPKE_ENV_HEADER_LEN + 1, "0a1b2c3d4e5f", 12);
	hpke_params_t pr = {.suite = {0x0020, 1, 2},
	                    .mode = HPKE_MODE_AUTH,
	                    .info = info,
	                    .info_len = sizeof(info) - 1,
	                    .auth_key = p.s_pub};
	uint8_t pt[sizeof(MSG)];
	size_t n = sizeof(pt);
	ck_assert_int_eq(
	    hpke_open(pt, &n, &pr, p.r, h.enc, h.enc_len, aad, sizeof(aad), h.ct, h.ct_len), HS_OK);
	ck_assert_mem_eq(pt, MSG, sizeof(MSG));
	hs_buf_free(&env);
	hs_buf_free(&out);
	parties_free(&p);
}
END_TEST

/* key id = SHA-256(kem_id || pkRm)[0..7], here for RFC 9180 A.1's pkRm */
/* requirements: ENV-3 */
START_TEST(test_key_id)
{
	hs_buf_t ikm = HS_BUF_INIT;
	hpke_key_t *k = NULL;
	uint8_t kid[HPKE_ENV_KEY_ID_LEN];
	tu_hex(&ikm, "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037");
	ck_assert_int_eq(hpke_key_derive(&k, HPKE_KEM_X25519_SHA256, ikm.data, ikm.len), HS_OK);
	ck_assert_int_eq(hpke_env_key_id(kid, k), HS_OK);
	ck_assert_mem_eq(kid, "\xb2\x2c\xe6\x62\x14\x8e\x0c\x8b", 8);
	hpke_key_free(k);
	hs_buf_free(&ikm);
}
END_TEST

/* requirements: ENV-8 ENV-10 ENV-11 */
START_TEST(test_open_failures)
{
	parties_t p;
	hs_buf_t env = HS_BUF_INIT, bad = HS_BUF_INIT, out = HS_BUF_INIT;
	hpke_env_ids_t ids;
	parties_init(&p);
	ck_assert_int_eq(hpke_env_seal(&env, &IDS, p.s, p.r_pub, &fenv.env, MSG, sizeof(MSG)),
	                 HS_OK);
	/* every single-bit change of key id, enc or ciphertext fails to open;
	 * version/suite changes are refused by the parser */
	for (size_t i = 0; i < env.len; i++) {
		hs_buf_reset(&bad);
		hs_buf_append(&bad, env.data, env.len);
		bad.data[i] ^= 0x10;
		int rc = open_env(&out, &IDS, &p, p.s_pub, &bad);
		if (i < 7)
			ck_assert_int_eq(rc, HS_E_NOTSUP);
		else if (i < 15)
			ck_assert_int_eq(rc, HS_E_NOKEY);
		else
			ck_assert_int_eq(rc, HS_E_DECRYPT);
		ck_assert_uint_eq(out.len, 0);
	}
	/* wrong sender key, swapped or altered identities, other distid */
	ck_assert_int_eq(open_env(&out, &IDS, &p, p.r_pub, &env), HS_E_DECRYPT);
	ids = IDS;
	ids.sender = "beta.example.";
	ids.recipient = "alpha.example.";
	ck_assert_int_eq(open_env(&out, &ids, &p, p.s_pub, &env), HS_E_DECRYPT);
	ids = IDS;
	ids.recipient = "gamma.example.";
	ck_assert_int_eq(open_env(&out, &ids, &p, p.s_pub, &env), HS_E_DECRYPT);
	ids = IDS;
	ids.distid = "0a1b2c3d4e5e";
	ck_assert_int_eq(open_env(&out, &ids, &p, p.s_pub, &env), HS_E_DECRYPT);
	/* names are compared in canonical form: case and final dot do not matter */
	ids = IDS;
	ids.sender = "ALPHA.Example";
	ids.recipient = "beta.EXAMPLE";
	ck_assert_int_eq(open_env(&out, &ids, &p, p.s_pub, &env), HS_OK);
	/* no key of the recipient has that key id */
	const hpke_key_t *only_other[1] = {p.other};
	ck_assert_int_eq(hpke_env_open(&out, &IDS, only_other, 1, p.s_pub, env.data, env.len),
	                 HS_E_NOKEY);
	ck_assert_int_eq(hpke_env_open(&out, &IDS, NULL, 0, p.s_pub, env.data, env.len),
	                 HS_E_NOKEY);
	/* truncated: no room for the tag */
	ck_assert_int_eq(
	    open_env(&out, &IDS, &p, p.s_pub, &(hs_buf_t){env.data, HPKE_ENV_OVERHEAD - 1, 0}),
	    HS_E_TRUNC);
	ck_assert_int_eq(open_env(&out, &IDS, &p, p.s_pub, &(hs_buf_t){env.data, 3, 0}),
	                 HS_E_TRUNC);
	hs_buf_free(&env);
	hs_buf_free(&bad);
	hs_buf_free(&out);
	parties_free(&p);
}
END_TEST

/* During a rollover the recipient holds old and new keys; the key id
 * picks the right one. */
/* requirements: ENV-9 ENV-14 */
START_TEST(test_rollover)
{
	parties_t p;
	hs_buf_t env = HS_BUF_INIT, out = HS_BUF_INIT;
	hpke_key_t *old_pub;
	parties_init(&p);
	old_pub = pub_of(p.r_old);
	ck_assert_int_eq(hpke_env_seal(&env, &IDS, p.s, old_pub, &fenv.env, MSG, sizeof(MSG)),
	                 HS_OK);
	ck_assert_int_eq(open_env(&out, &IDS, &p, p.s_pub, &env), HS_OK);
	ck_assert_mem_eq(out.data, MSG, sizeof(MSG));
	/* once the old key is dropped, its envelopes name an unknown key */
	const hpke_key_t *new_only[1] = {p.r};
	ck_assert_int_eq(hpke_env_open(&out, &IDS, new_only, 1, p.s_pub, env.data, env.len),
	                 HS_E_NOKEY);
	hpke_key_free(old_pub);
	hs_buf_free(&env);
	hs_buf_free(&out);
	parties_free(&p);
}
END_TEST

START_TEST(test_bad_arguments)
{
	parties_t p;
	hs_buf_t env = HS_BUF_INIT;
	hpke_env_ids_t ids;
	hpke_key_t *p256 = NULL;
	parties_init(&p);
	static const char *bad_names[] = {"",      ".",          "a..b",  ".a", "a b",
	                                  "a\\.b", "\xc3\xa9.x", "a.b..", NULL};
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		ids = IDS;
		ids.recipient = bad_names[i];
		ck_assert_int_eq(hpke_env_seal(&env, &ids, p.s, p.r_pub, &fenv.env, MSG, 1),
		                 HS_E_NAME);
	}
	static const char *bad_distids[] = {"", "0A", "xyz",
	                                    "0123456789abcdef0123456789abcdef"
	                                    "0123456789abcdef0123456789abcdef",
	                                    NULL};
	for (size_t i = 0; i < sizeof(bad_distids) / sizeof(bad_distids[0]); i++) {
		ids = IDS;
		ids.distid = bad_distids[i];
		ck_assert_int_eq(hpke_env_seal(&env, &ids, p.s, p.r_pub, &fenv.env, MSG, 1),
		                 HS_E_SYNTAX);
	}
	ck_assert_uint_eq(env.len, 0);
	/* a public key cannot send; a P-256 key is not the envelope's KEM */
	ck_assert_int_eq(hpke_env_seal(&env, &IDS, p.s_pub, p.r_pub, &fenv.env, MSG, 1),
	                 HS_E_INVAL);
	ck_assert_int_eq(hpke_key_generate(&p256, HPKE_KEM_P256_SHA256, &fenv.env), HS_OK);
	ck_assert_int_eq(hpke_env_seal(&env, &IDS, p.s, p256, &fenv.env, MSG, 1), HS_E_INVAL);
	/* label and name limits */
	uint8_t wire[WIRE_NAME_MAX];
	size_t n;
	char label64[80];
	memset(label64, 'a', 64);
	label64[64] = '\0';
	ck_assert_int_eq(hpke_env_name_wire(wire, &n, label64), HS_E_NAME);
	label64[63] = '\0';
	ck_assert_int_eq(hpke_env_name_wire(wire, &n, label64), HS_OK);
	ck_assert_uint_eq(n, 65);
	char longname[300];
	for (int i = 0; i < 4; i++) {
		memset(longname + i * 64, 'b', 63);
		longname[i * 64 + 63] = '.';
	}
	longname[253] = '\0'; /* 4 labels: 3 x 63 + 61, wire 254 + root = 255 */
	ck_assert_int_eq(hpke_env_name_wire(wire, &n, longname), HS_OK);
	ck_assert_uint_eq(n, 255);
	longname[253] = 'b';
	longname[254] = '\0';
	ck_assert_int_eq(hpke_env_name_wire(wire, &n, longname), HS_E_NAME);
	ck_assert_int_eq(hpke_env_name_wire(wire, &n, "Dns.Alpha-1.example"), HS_OK);
	ck_assert_mem_eq(wire,
	                 "\x03"
	                 "dns\x07"
	                 "alpha-1\x07"
	                 "example\x00",
	                 n);
	hpke_key_free(p256);
	hs_buf_free(&env);
	parties_free(&p);
}
END_TEST

static Suite *envelope_suite(void)
{
	Suite *s = suite_create("hpke_envelope");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_roundtrip_and_layout);
	tcase_add_test(tc, test_key_id);
	tcase_add_test(tc, test_open_failures);
	tcase_add_test(tc, test_rollover);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(envelope_suite)
