/* Tests for src/hpke/hpke.h: keys, setups, contexts, single-shot calls and
 * every way an open must fail. Known-answer vectors: check_hpke_vectors. */
#include "lib/testutil.h"

#include <pthread.h>
#include <string.h>

#include "hpke/hpke.h"

static const hpke_suite_t S_X25519 = {HPKE_KEM_X25519_SHA256, HPKE_KDF_SHA256, HPKE_AEAD_AES256GCM};

static hs_env_fake_t fenv;

static const hs_env_t *env(void)
{
	static int init;
	if (!init) {
		hs_env_fake_init(&fenv, 1795412772000ull, 7);
		init = 1;
	}
	return &fenv.env;
}

static hpke_key_t *gen(uint16_t kem)
{
	hpke_key_t *k = NULL;
	ck_assert_int_eq(hpke_key_generate(&k, kem, env()), HS_OK);
	return k;
}

/* The public half of a key pair, as a peer would hold it. */
static hpke_key_t *pub_of(const hpke_key_t *kp)
{
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t n = sizeof(pub);
	hpke_key_t *k = NULL;
	ck_assert_int_eq(hpke_key_public(pub, &n, kp), HS_OK);
	ck_assert_int_eq(hpke_key_from_public(&k, hpke_key_kem(kp), pub, n), HS_OK);
	return k;
}

static const uint8_t PSK[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t PSK_ID[] = "psk id";
static const uint8_t INFO[] = "test info";
static const uint8_t AAD[] = "test aad";
static const uint8_t MSG[] = "the quick brown fox jumps over the lazy dog";

/* A sender/receiver pair of parameter sets for one mode. */
typedef struct pair {
	hpke_key_t *skr, *pkr, *sks, *pks;
	hpke_params_t ps, pr;
} pair_t;

static void pair_init(pair_t *p, hpke_suite_t suite, enum hpke_mode mode)
{
	memset(p, 0, sizeof(*p));
	p->skr = gen(suite.kem);
	p->pkr = pub_of(p->skr);
	p->sks = gen(suite.kem);
	p->pks = pub_of(p->sks);
	p->ps.suite = suite;
	p->ps.mode = mode;
	p->ps.info = INFO;
	p->ps.info_len = sizeof(INFO);
	if (mode == HPKE_MODE_PSK || mode == HPKE_MODE_AUTH_PSK) {
		p->ps.psk = PSK;
		p->ps.psk_len = sizeof(PSK);
		p->ps.psk_id = PSK_ID;
		p->ps.psk_id_len = sizeof(PSK_ID);
	}
	p->pr = p->ps;
	if (mode == HPKE_MODE_AUTH || mode == HPKE_MODE_AUTH_PSK) {
		p->ps.auth_key = p->sks;
		p->pr.auth_key = p->pks;
	}
}

static void pair_free(pair_t *p)
{
	hpke_key_free(p->skr);
	hpke_key_free(p->pkr);
	hpke_key_free(p->sks);
	hpke_key_free(p->pks);
}

typedef struct sealed {
	uint8_t enc[HPKE_MAX_ENC];
	size_t enc_len;
	uint8_t ct[sizeof(MSG) + HPKE_TAG_LEN];
	size_t ct_len;
} sealed_t;

static void seal_msg(sealed_t *s, const pair_t *p)
{
	s->enc_len = sizeof(s->enc);
	s->ct_len = sizeof(s->ct);
	ck_assert_int_eq(hpke_seal(s->enc, &s->enc_len, s->ct, &s->ct_len, &p->ps, p->pkr, env(),
	                           AAD, sizeof(AAD), MSG, sizeof(MSG)),
	                 HS_OK);
	ck_assert_uint_eq(s->ct_len, sizeof(MSG) + HPKE_TAG_LEN);
}

static int open_msg(const sealed_t *s, const hpke_params_t *pr, const hpke_key_t *skr,
                    const uint8_t *aad, size_t aad_len)
{
	uint8_t pt[sizeof(MSG) + 8];
	size_t n = sizeof(pt);
	int rc = hpke_open(pt, &n, pr, skr, s->enc, s->enc_len, aad, aad_len, s->ct, s->ct_len);
	if (rc == HS_OK) {
		ck_assert_uint_eq(n, sizeof(MSG));
		ck_assert_mem_eq(pt, MSG, n);
	}
	return rc;
}

/* Every KEM x AEAD x mode seals and opens. */
START_TEST(test_roundtrip_all)
{
	static const uint16_t kems[] = {HPKE_KEM_X25519_SHA256, HPKE_KEM_P256_SHA256,
	                                HPKE_KEM_P521_SHA512};
	static const uint16_t kdfs[] = {HPKE_KDF_SHA256, HPKE_KDF_SHA384, HPKE_KDF_SHA512};
	static const uint16_t aeads[] = {HPKE_AEAD_AES128GCM, HPKE_AEAD_AES256GCM,
	                                 HPKE_AEAD_CHACHA20};
	for (size_t k = 0; k < 3; k++)
		for (size_t a = 0; a < 3; a++)
			for (int mode = 0; mode < 4; mode++) {
				hpke_suite_t suite = {kems[k], kdfs[(k + a) % 3], aeads[a]};
				pair_t p;
				sealed_t s;
				pair_init(&p, suite, (enum hpke_mode)mode);
				seal_msg(&s, &p);
				ck_assert_int_eq(open_msg(&s, &p.pr, p.skr, AAD, sizeof(AAD)),
				                 HS_OK);
				pair_free(&p);
			}
}
END_TEST

/* Each wrong input makes open fail with the same code. */
START_TEST(test_open_failures)
{
	for (int mode = 0; mode < 4; mode++) {
		pair_t p, other;
		sealed_t s, t;
		hpke_params_t pr;
		int psk = mode & 1, auth = mode & 2;
		pair_init(&p, S_X25519, (enum hpke_mode)mode);
		pair_init(&other, S_X25519, (enum hpke_mode)mode);
		seal_msg(&s, &p);

		/* wrong recipient key */
		ck_assert_int_eq(open_msg(&s, &p.pr, other.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		/* flipped bits in ct, tag and enc */
		for (size_t bit = 0; bit < 8 * s.ct_len; bit += 37) {
			t = s;
			t.ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ck_assert_int_eq(open_msg(&t, &p.pr, p.skr, AAD, sizeof(AAD)),
			                 HS_E_DECRYPT);
		}
		t = s;
		t.enc[5] ^= 0x40;
		ck_assert_int_eq(open_msg(&t, &p.pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		/* truncated: shorter than a tag, and one octet short */
		t = s;
		t.ct_len = HPKE_TAG_LEN - 1;
		ck_assert_int_eq(open_msg(&t, &p.pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		t = s;
		t.ct_len--;
		ck_assert_int_eq(open_msg(&t, &p.pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		/* wrong aad, missing aad */
		ck_assert_int_eq(open_msg(&s, &p.pr, p.skr, AAD, sizeof(AAD) - 1), HS_E_DECRYPT);
		ck_assert_int_eq(open_msg(&s, &p.pr, p.skr, NULL, 0), HS_E_DECRYPT);
		/* wrong info */
		pr = p.pr;
		pr.info_len--;
		ck_assert_int_eq(open_msg(&s, &pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		if (psk) {
			static const uint8_t psk2[32] = "0123456789abcdef0123456789abcdeX";
			pr = p.pr;
			pr.psk = psk2;
			ck_assert_int_eq(open_msg(&s, &pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
			pr = p.pr;
			pr.psk_id = (const uint8_t *)"psk iX";
			ck_assert_int_eq(open_msg(&s, &pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		}
		if (auth) {
			/* wrong sender key */
			pr = p.pr;
			pr.auth_key = other.pks;
			ck_assert_int_eq(open_msg(&s, &pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
			/* an auth message opened as base (or psk) */
			pr = p.pr;
			pr.auth_key = NULL;
			pr.mode = psk ? HPKE_MODE_PSK : HPKE_MODE_BASE;
			ck_assert_int_eq(open_msg(&s, &pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		}
		/* and the right inputs still work */
		ck_assert_int_eq(open_msg(&s, &p.pr, p.skr, AAD, sizeof(AAD)), HS_OK);
		pair_free(&p);
		pair_free(&other);
	}
}
END_TEST

/* psk and psk_id: both or neither; required in psk modes, forbidden
 * otherwise; auth key exactly in the auth modes. */
START_TEST(test_psk_and_auth_rules)
{
	pair_t p;
	sealed_t s;
	hpke_params_t bad;
	pair_init(&p, S_X25519, HPKE_MODE_PSK);
	s.enc_len = sizeof(s.enc);
	s.ct_len = sizeof(s.ct);
#define SEAL_RC(pp)                                                                                \
	hpke_seal(s.enc, &s.enc_len, s.ct, &s.ct_len, (pp), p.pkr, env(), NULL, 0, MSG, sizeof(MSG))
	bad = p.ps;
	bad.psk_id_len = 0;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL);
	bad = p.ps;
	bad.psk_len = 0;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL);
	bad = p.ps;
	bad.psk_len = bad.psk_id_len = 0;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL); /* psk mode without psk */
	bad = p.ps;
	bad.mode = HPKE_MODE_BASE;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL); /* base mode with psk */
	bad.mode = HPKE_MODE_AUTH;
	bad.auth_key = p.sks;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL); /* auth mode with psk */
	bad = p.ps;
	bad.mode = HPKE_MODE_AUTH_PSK;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL); /* auth mode without key */
	bad = p.ps;
	bad.auth_key = p.sks;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL); /* key outside auth mode */
	bad = p.ps;
	bad.mode = HPKE_MODE_AUTH_PSK;
	bad.auth_key = p.pks; /* sender needs the private key */
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL);
	bad = p.ps;
	bad.mode = (enum hpke_mode)4;
	ck_assert_int_eq(SEAL_RC(&bad), HS_E_INVAL);
	/* receiver side: the same rules */
	seal_msg(&s, &p);
	bad = p.pr;
	bad.psk_id_len = 0;
	ck_assert_int_eq(open_msg(&s, &bad, p.skr, AAD, sizeof(AAD)), HS_E_INVAL);
	bad = p.pr;
	bad.mode = HPKE_MODE_BASE;
	ck_assert_int_eq(open_msg(&s, &bad, p.skr, AAD, sizeof(AAD)), HS_E_INVAL);
	/* a public key cannot open */
	ck_assert_int_eq(open_msg(&s, &p.pr, p.pkr, AAD, sizeof(AAD)), HS_E_INVAL);
	ck_assert_int_eq(open_msg(&s, &p.pr, p.skr, AAD, sizeof(AAD)), HS_OK);
#undef SEAL_RC
	pair_free(&p);
}
END_TEST

/* Contexts: many messages in order; replay, skip and reorder fail and do
 * not advance the receiver. */
START_TEST(test_context_sequence)
{
	pair_t p;
	hpke_ctx_t *cs = NULL, *cr = NULL;
	uint8_t enc[HPKE_MAX_ENC], ct[20][sizeof(MSG) + HPKE_TAG_LEN], pt[sizeof(MSG)];
	size_t enc_len = sizeof(enc), n;
	pair_init(&p, S_X25519, HPKE_MODE_AUTH);
	ck_assert_int_eq(hpke_setup_sender(&cs, enc, &enc_len, &p.ps, p.pkr, env()), HS_OK);
	ck_assert_int_eq(hpke_setup_receiver(&cr, &p.pr, p.skr, enc, enc_len), HS_OK);
	for (int i = 0; i < 20; i++) {
		n = sizeof(ct[i]);
		ck_assert_int_eq(hpke_ctx_seal(cs, ct[i], &n, AAD, sizeof(AAD), MSG, sizeof(MSG)),
		                 HS_OK);
	}
	ck_assert_uint_eq(hpke_ctx_seq(cs), 20);
	/* the same plaintext gives different ciphertexts */
	ck_assert(memcmp(ct[0], ct[1], sizeof(ct[0])) != 0);
	for (int i = 0; i < 10; i++) {
		n = sizeof(pt);
		ck_assert_int_eq(hpke_ctx_open(cr, pt, &n, AAD, sizeof(AAD), ct[i], sizeof(ct[i])),
		                 HS_OK);
		ck_assert_mem_eq(pt, MSG, sizeof(MSG));
	}
	/* replay of 9 and skip to 11: both fail, the receiver stays at 10 */
	n = sizeof(pt);
	ck_assert_int_eq(hpke_ctx_open(cr, pt, &n, AAD, sizeof(AAD), ct[9], sizeof(ct[9])),
	                 HS_E_DECRYPT);
	ck_assert_int_eq(hpke_ctx_open(cr, pt, &n, AAD, sizeof(AAD), ct[11], sizeof(ct[11])),
	                 HS_E_DECRYPT);
	ck_assert_uint_eq(hpke_ctx_seq(cr), 10);
	ck_assert_int_eq(hpke_ctx_open(cr, pt, &n, AAD, sizeof(AAD), ct[10], sizeof(ct[10])),
	                 HS_OK);
	ck_assert_uint_eq(hpke_ctx_seq(cr), 11);
	/* roles: a receiver cannot seal, a sender cannot open */
	n = sizeof(ct[0]);
	ck_assert_int_eq(hpke_ctx_seal(cr, ct[0], &n, NULL, 0, MSG, sizeof(MSG)), HS_E_STATE);
	n = sizeof(pt);
	ck_assert_int_eq(hpke_ctx_open(cs, pt, &n, NULL, 0, ct[1], sizeof(ct[1])), HS_E_STATE);
	/* output too small */
	n = sizeof(MSG) + HPKE_TAG_LEN - 1;
	ck_assert_int_eq(hpke_ctx_seal(cs, ct[0], &n, NULL, 0, MSG, sizeof(MSG)), HS_E_SPACE);
	/* both sides export the same secret; L bounded by 255 * Nh */
	uint8_t e1[64], e2[64], big[1];
	ck_assert_int_eq(hpke_ctx_export(e1, sizeof(e1), cs, (const uint8_t *)"x", 1), HS_OK);
	ck_assert_int_eq(hpke_ctx_export(e2, sizeof(e2), cr, (const uint8_t *)"x", 1), HS_OK);
	ck_assert_mem_eq(e1, e2, sizeof(e1));
	ck_assert_int_eq(hpke_ctx_export(e2, sizeof(e2), cr, (const uint8_t *)"y", 1), HS_OK);
	ck_assert(memcmp(e1, e2, sizeof(e1)) != 0);
	ck_assert_int_eq(hpke_ctx_export(big, 255 * 32 + 1, cr, NULL, 0), HS_E_RANGE);
	hpke_ctx_free(cs);
	hpke_ctx_free(cr);
	pair_free(&p);
}
END_TEST

START_TEST(test_sequence_overflow)
{
	pair_t p;
	hpke_ctx_t *cs = NULL, *cr = NULL;
	uint8_t enc[HPKE_MAX_ENC], ct[sizeof(MSG) + HPKE_TAG_LEN], pt[sizeof(MSG)];
	size_t enc_len = sizeof(enc), n;
	pair_init(&p, S_X25519, HPKE_MODE_BASE);
	ck_assert_int_eq(hpke_setup_sender(&cs, enc, &enc_len, &p.ps, p.pkr, env()), HS_OK);
	ck_assert_int_eq(hpke_setup_receiver(&cr, &p.pr, p.skr, enc, enc_len), HS_OK);
	hpke_ctx_set_seq(cs, UINT64_MAX - 1);
	hpke_ctx_set_seq(cr, UINT64_MAX - 1);
	n = sizeof(ct);
	ck_assert_int_eq(hpke_ctx_seal(cs, ct, &n, NULL, 0, MSG, sizeof(MSG)), HS_OK);
	n = sizeof(pt);
	ck_assert_int_eq(hpke_ctx_open(cr, pt, &n, NULL, 0, ct, sizeof(ct)), HS_OK);
	ck_assert_mem_eq(pt, MSG, sizeof(MSG));
	n = sizeof(ct);
	ck_assert_int_eq(hpke_ctx_seal(cs, ct, &n, NULL, 0, MSG, sizeof(MSG)), HS_E_SEQ_OVERFLOW);
	n = sizeof(pt);
	ck_assert_int_eq(hpke_ctx_open(cr, pt, &n, NULL, 0, ct, sizeof(ct)), HS_E_SEQ_OVERFLOW);
	ck_assert_uint_eq(hpke_ctx_seq(cs), UINT64_MAX);
	hpke_ctx_free(cs);
	hpke_ctx_free(cr);
	pair_free(&p);
}
END_TEST

START_TEST(test_export_only)
{
	hpke_suite_t suite = {HPKE_KEM_X25519_SHA256, HPKE_KDF_SHA256, HPKE_AEAD_EXPORT_ONLY};
	pair_t p;
	uint8_t enc[HPKE_MAX_ENC], e1[48], e2[48], ct[64];
	size_t enc_len = sizeof(enc), n = sizeof(ct);
	hpke_ctx_t *cs = NULL;
	pair_init(&p, suite, HPKE_MODE_AUTH);
	ck_assert_int_eq(hpke_seal(enc, &enc_len, ct, &n, &p.ps, p.pkr, env(), NULL, 0, MSG, 4),
	                 HS_E_MODE);
	ck_assert_int_eq(hpke_send_export(enc, &enc_len, e1, sizeof(e1), &p.ps, p.pkr, env(),
	                                  (const uint8_t *)"ctx", 3),
	                 HS_OK);
	ck_assert_int_eq(hpke_receive_export(e2, sizeof(e2), &p.pr, p.skr, enc, enc_len,
	                                     (const uint8_t *)"ctx", 3),
	                 HS_OK);
	ck_assert_mem_eq(e1, e2, sizeof(e1));
	enc_len = sizeof(enc);
	ck_assert_int_eq(hpke_setup_sender(&cs, enc, &enc_len, &p.ps, p.pkr, env()), HS_OK);
	n = sizeof(ct);
	ck_assert_int_eq(hpke_ctx_seal(cs, ct, &n, NULL, 0, MSG, 4), HS_E_MODE);
	hpke_ctx_free(cs);
	pair_free(&p);
}
END_TEST

static int from_hex_pub(uint16_t kem, const char *hex)
{
	hs_buf_t b = HS_BUF_INIT;
	hpke_key_t *k = NULL;
	int rc;
	tu_hex(&b, hex);
	rc = hpke_key_from_public(&k, kem, b.data, b.len);
	hpke_key_free(k);
	hs_buf_free(&b);
	return rc;
}

static int from_hex_priv(uint16_t kem, const char *hex)
{
	hs_buf_t b = HS_BUF_INIT;
	hpke_key_t *k = NULL;
	int rc;
	tu_hex(&b, hex);
	rc = hpke_key_from_private(&k, kem, b.data, b.len);
	hpke_key_free(k);
	hs_buf_free(&b);
	return rc;
}

START_TEST(test_key_validation)
{
	/* P-256: RFC 9180 A.3 pkRm is valid; changing y puts it off the curve */
	const char *p256 = "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a82"
	                   "6a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0";
	const char *p256_off = "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a82"
	                       "6a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea1";
	ck_assert_int_eq(from_hex_pub(HPKE_KEM_P256_SHA256, p256), HS_OK);
	ck_assert_int_eq(from_hex_pub(HPKE_KEM_P256_SHA256, p256_off), HS_E_BADKEY);
	/* compressed form, wrong prefix, wrong length, all zero */
	ck_assert_int_eq(
	    from_hex_pub(HPKE_KEM_P256_SHA256,
	                 "02fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a82"),
	    HS_E_BADKEY);
	char buf[200];
	strcpy(buf, p256);
	buf[1] = '5';
	ck_assert_int_eq(from_hex_pub(HPKE_KEM_P256_SHA256, buf), HS_E_BADKEY);
	buf[1] = '4';
	buf[128] = '\0';
	ck_assert_int_eq(from_hex_pub(HPKE_KEM_P256_SHA256, buf), HS_E_BADKEY);
	memset(buf, '0', 130);
	buf[130] = '\0';
	ck_assert_int_eq(from_hex_pub(HPKE_KEM_P256_SHA256, buf), HS_E_BADKEY);
	/* P-521: a valid generated key; flip the last octet of y */
	hpke_key_t *k = gen(HPKE_KEM_P521_SHA512);
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t n = sizeof(pub);
	hpke_key_t *k2 = NULL;
	ck_assert_int_eq(hpke_key_public(pub, &n, k), HS_OK);
	ck_assert_uint_eq(n, 133);
	ck_assert_int_eq(hpke_key_from_public(&k2, HPKE_KEM_P521_SHA512, pub, n), HS_OK);
	hpke_key_free(k2);
	pub[132] ^= 1;
	ck_assert_int_eq(hpke_key_from_public(&k2, HPKE_KEM_P521_SHA512, pub, n), HS_E_BADKEY);
	hpke_key_free(k);
	/* X25519: length only */
	ck_assert_int_eq(from_hex_pub(HPKE_KEM_X25519_SHA256, "00"), HS_E_BADKEY);
	/* private scalars: zero and the group order are out of range */
	memset(buf, '0', 64);
	buf[64] = '\0';
	ck_assert_int_eq(from_hex_priv(HPKE_KEM_P256_SHA256, buf), HS_E_BADKEY);
	ck_assert_int_eq(
	    from_hex_priv(HPKE_KEM_P256_SHA256,
	                  "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
	    HS_E_BADKEY);
	ck_assert_int_eq(
	    from_hex_priv(HPKE_KEM_P256_SHA256,
	                  "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"),
	    HS_OK);
	ck_assert_int_eq(from_hex_priv(HPKE_KEM_X25519_SHA256, "0102"), HS_E_BADKEY);
	/* unknown KEM */
	ck_assert_int_eq(from_hex_pub(0x0021, "00"), HS_E_NOTSUP);
}
END_TEST

/* A low-order X25519 point gives an all-zero shared secret: sealing to it
 * is refused, and as `enc` it cannot be opened. */
/* requirements: ENV-7 */
START_TEST(test_x25519_zero_shared_secret)
{
	static const char *low[] = {
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "0100000000000000000000000000000000000000000000000000000000000000",
	    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	};
	pair_t p;
	pair_init(&p, S_X25519, HPKE_MODE_BASE);
	for (size_t i = 0; i < 3; i++) {
		hs_buf_t b = HS_BUF_INIT;
		hpke_key_t *bad = NULL;
		sealed_t s;
		tu_hex(&b, low[i]);
		ck_assert_int_eq(hpke_key_from_public(&bad, HPKE_KEM_X25519_SHA256, b.data, b.len),
		                 HS_OK);
		s.enc_len = sizeof(s.enc);
		s.ct_len = sizeof(s.ct);
		ck_assert_int_eq(hpke_seal(s.enc, &s.enc_len, s.ct, &s.ct_len, &p.ps, bad, env(),
		                           NULL, 0, MSG, sizeof(MSG)),
		                 HS_E_BADKEY);
		seal_msg(&s, &p);
		memcpy(s.enc, b.data, 32);
		ck_assert_int_eq(open_msg(&s, &p.pr, p.skr, AAD, sizeof(AAD)), HS_E_DECRYPT);
		hpke_key_free(bad);
		hs_buf_free(&b);
	}
	pair_free(&p);
}
END_TEST

START_TEST(test_key_serialisation)
{
	static const uint16_t kems[] = {HPKE_KEM_X25519_SHA256, HPKE_KEM_P256_SHA256,
	                                HPKE_KEM_P521_SHA512};
	for (size_t i = 0; i < 3; i++) {
		hpke_key_t *k = gen(kems[i]), *k2 = NULL;
		uint8_t sk[HPKE_MAX_PRIVATE_KEY], pk[HPKE_MAX_PUBLIC_KEY], pk2[HPKE_MAX_PUBLIC_KEY];
		size_t skn = sizeof(sk), pkn = sizeof(pk), pkn2 = sizeof(pk2), npk, nsk;
		ck_assert_int_eq(hpke_kem_sizes(kems[i], &npk, &nsk, NULL), HS_OK);
		ck_assert_int_eq(hpke_key_private(sk, &skn, k), HS_OK);
		ck_assert_int_eq(hpke_key_public(pk, &pkn, k), HS_OK);
		ck_assert_uint_eq(skn, nsk);
		ck_assert_uint_eq(pkn, npk);
		ck_assert_int_eq(hpke_key_from_private(&k2, kems[i], sk, skn), HS_OK);
		ck_assert_int_eq(hpke_key_public(pk2, &pkn2, k2), HS_OK);
		ck_assert_mem_eq(pk, pk2, pkn);
		ck_assert(hpke_key_has_private(k2));
		hpke_key_free(k2);
		k2 = pub_of(k);
		ck_assert(!hpke_key_has_private(k2));
		skn = sizeof(sk);
		ck_assert_int_eq(hpke_key_private(sk, &skn, k2), HS_E_STATE);
		pkn = npk - 1;
		ck_assert_int_eq(hpke_key_public(pk, &pkn, k), HS_E_SPACE);
		hpke_key_free(k);
		hpke_key_free(k2);
	}
	/* the injected randomness decides the key */
	hs_env_fake_t a, b;
	hpke_key_t *ka = NULL, *kb = NULL;
	uint8_t pa[32], pb[32];
	size_t na = 32, nb = 32;
	hs_env_fake_init(&a, 0, 99);
	hs_env_fake_init(&b, 0, 99);
	ck_assert_int_eq(hpke_key_generate(&ka, HPKE_KEM_X25519_SHA256, &a.env), HS_OK);
	ck_assert_int_eq(hpke_key_generate(&kb, HPKE_KEM_X25519_SHA256, &b.env), HS_OK);
	ck_assert_int_eq(hpke_key_public(pa, &na, ka), HS_OK);
	ck_assert_int_eq(hpke_key_public(pb, &nb, kb), HS_OK);
	ck_assert_mem_eq(pa, pb, 32);
	hpke_key_free(ka);
	hpke_key_free(kb);
	hpke_key_free(NULL);
}
END_TEST

START_TEST(test_suite_table)
{
	ck_assert_int_eq(hpke_suite_check(S_X25519), HS_OK);
	ck_assert_int_eq(hpke_suite_check((hpke_suite_t){0x0021, 1, 1}), HS_E_NOTSUP);
	ck_assert_int_eq(hpke_suite_check((hpke_suite_t){0x0020, 4, 1}), HS_E_NOTSUP);
	ck_assert_int_eq(hpke_suite_check((hpke_suite_t){0x0020, 1, 4}), HS_E_NOTSUP);
	ck_assert_str_eq(hpke_kem_name(0x0020), "X25519");
	ck_assert_str_eq(hpke_aead_name(2), "AES-256-GCM");
	ck_assert_str_eq(hpke_kdf_name(9), "?");
	ck_assert_uint_eq(hpke_aead_tag_len(HPKE_AEAD_EXPORT_ONLY), 0);
	ck_assert_uint_eq(hpke_aead_tag_len(HPKE_AEAD_CHACHA20), 16);
	/* a key of another KEM than the suite's */
	pair_t p;
	sealed_t s;
	hpke_params_t ps;
	pair_init(&p, S_X25519, HPKE_MODE_BASE);
	ps = p.ps;
	ps.suite.kem = HPKE_KEM_P256_SHA256;
	s.enc_len = sizeof(s.enc);
	s.ct_len = sizeof(s.ct);
	ck_assert_int_eq(hpke_seal(s.enc, &s.enc_len, s.ct, &s.ct_len, &ps, p.pkr, env(), NULL, 0,
	                           MSG, sizeof(MSG)),
	                 HS_E_INVAL);
	pair_free(&p);
}
END_TEST

/* Keys are shared between threads: their cached OpenSSL contexts are taken
 * under a try-lock, and a thread that finds one busy makes its own. Many
 * threads opening with one key pair must all succeed. */
struct worker {
	const pair_t *p;
	const sealed_t *s;
	int ok;
};

static void *open_many(void *arg)
{
	struct worker *w = arg;
	w->ok = 0;
	for (int i = 0; i < 40; i++) {
		uint8_t pt[sizeof(MSG)];
		size_t n = sizeof(pt);
		if (hpke_open(pt, &n, &w->p->pr, w->p->skr, w->s->enc, w->s->enc_len, AAD,
		              sizeof(AAD), w->s->ct, w->s->ct_len) == HS_OK &&
		    n == sizeof(MSG) && memcmp(pt, MSG, n) == 0)
			w->ok++;
	}
	return NULL;
}

START_TEST(test_threads_share_keys)
{
	pair_t p;
	sealed_t s;
	pthread_t t[4];
	struct worker w[4];
	pair_init(&p, S_X25519, HPKE_MODE_AUTH);
	seal_msg(&s, &p);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){&p, &s, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, open_many, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].ok, 40);
	}
	pair_free(&p);
}
END_TEST

static Suite *hpke_suite(void)
{
	Suite *s = suite_create("hpke");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_roundtrip_all);
	tcase_add_test(tc, test_open_failures);
	tcase_add_test(tc, test_psk_and_auth_rules);
	tcase_add_test(tc, test_context_sequence);
	tcase_add_test(tc, test_sequence_overflow);
	tcase_add_test(tc, test_export_only);
	tcase_add_test(tc, test_key_validation);
	tcase_add_test(tc, test_x25519_zero_shared_secret);
	tcase_add_test(tc, test_key_serialisation);
	tcase_add_test(tc, test_suite_table);
	tcase_add_test(tc, test_threads_share_keys);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(hpke_suite)
