/*
 * kem_ops.c -- the per-curve operations of DHKEM (RFC 9180 section 7.1):
 * one ops table for X25519, one for the NIST curves P-256 and P-521.
 */
#include "hpke/hpke_int.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

/* DeriveKeyPair's first step, shared by both families. */
static int dkp_prk(const struct hpke_kem_alg *kem, hpke_kdf_t *k, uint8_t *prk, const uint8_t *ikm,
                   size_t ikm_len)
{
	int rc = hpke_kdf_init_kem(k, kem);
	if (rc != HS_OK)
		return rc;
	return hpke_labeled_extract(k, prk, NULL, 0, "dkp_prk", ikm, ikm_len);
}

/* ---- X25519 ---- */

static int x_from_private(const struct hpke_kem_alg *kem, const uint8_t *sk, EVP_PKEY **pkey,
                          uint8_t *pub)
{
	size_t n = kem->npk;
	EVP_PKEY *k = NULL;
	OSSL_PARAM params[2] = {
	    OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, (void *)sk, kem->nsk),
	    OSSL_PARAM_construct_end(),
	};
	/* OpenSSL computes the public key from the private one here */
	if (hpke_pkey_fromdata(kem, &k, EVP_PKEY_KEYPAIR, params) != HS_OK)
		return hpke_ossl_err("x25519 private key");
	if (!EVP_PKEY_get_raw_public_key(k, pub, &n) || n != kem->npk) {
		EVP_PKEY_free(k);
		return hpke_ossl_err("x25519 public key");
	}
	*pkey = k;
	return HS_OK;
}

static int x_from_public(const struct hpke_kem_alg *kem, const uint8_t *pk, EVP_PKEY **pkey)
{
	OSSL_PARAM params[2] = {
	    OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pk, kem->npk),
	    OSSL_PARAM_construct_end(),
	};
	if (hpke_pkey_fromdata(kem, pkey, EVP_PKEY_PUBLIC_KEY, params) != HS_OK)
		return hpke_ossl_err("x25519 public key");
	return HS_OK;
}

static int x_check_private(const struct hpke_kem_alg *kem, const uint8_t *sk)
{
	return HS_OK; /* every 32-byte string is an X25519 scalar (clamped on use) */
}

static int x_derive_sk(const struct hpke_kem_alg *kem, const uint8_t *ikm, size_t ikm_len,
                       uint8_t *sk)
{
	hpke_kdf_t k = {0};
	uint8_t prk[HPKE_MAX_SECRET];
	int rc = dkp_prk(kem, &k, prk, ikm, ikm_len);
	if (rc == HS_OK)
		rc = hpke_labeled_expand(&k, sk, kem->nsk, prk, "sk", NULL, 0);
	hpke_kdf_done(&k);
	OPENSSL_cleanse(prk, sizeof(prk));
	return rc;
}

static int x_random_sk(const struct hpke_kem_alg *kem, const hs_env_t *env, uint8_t *sk)
{
	return env->random(env->arg, sk, kem->nsk);
}

const struct hpke_kem_ops hpke_x25519_ops = {
    x_from_private, x_from_public, x_check_private, x_derive_sk, x_random_sk, 1,
};

/* ---- NIST curves ---- */

/* 0 < sk < order; constant time is not needed: rejection only reveals
 * that a candidate was discarded. */
static int ec_check_private(const struct hpke_kem_alg *kem, const uint8_t *sk)
{
	const EC_GROUP *g = kem->impl;
	BIGNUM *bn = BN_bin2bn(sk, (int)kem->nsk, NULL);
	int rc;
	if (bn == NULL)
		return hpke_ossl_err("bignum");
	rc = (BN_is_zero(bn) || BN_cmp(bn, EC_GROUP_get0_order(g)) >= 0) ? HS_E_BADKEY : HS_OK;
	BN_clear_free(bn);
	return rc;
}

static int ec_build(const struct hpke_kem_alg *kem, const BIGNUM *priv, const uint8_t *pub,
                    EVP_PKEY **pkey)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	int rc = HS_OK;

	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, kem->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, kem->npk) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		rc = hpke_ossl_err("ec key parameters");
	else if (hpke_pkey_fromdata(kem, pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	                            params) != HS_OK)
		rc = hpke_ossl_err("ec key");
	OSSL_PARAM_free(params); /* a secure BN's copy is clear-freed here */
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

static int ec_from_private(const struct hpke_kem_alg *kem, const uint8_t *sk, EVP_PKEY **pkey,
                           uint8_t *pub)
{
	const EC_GROUP *g = kem->impl;
	/* BN_FLG_SECURE: the parameter builder then keeps its copy of the
	 * scalar where OSSL_PARAM_free wipes it */
	BIGNUM *bn = BN_secure_new();
	EC_POINT *pt = NULL;
	int rc = HS_E_CRYPTO;

	if (bn == NULL || BN_bin2bn(sk, (int)kem->nsk, bn) == NULL ||
	    (pt = EC_POINT_new(g)) == NULL) {
		rc = hpke_ossl_err("ec point");
		goto cleanup;
	}
	BN_set_flags(bn, BN_FLG_CONSTTIME);
	if (!EC_POINT_mul(g, pt, bn, NULL, NULL, NULL) ||
	    EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub, kem->npk, NULL) !=
	        kem->npk) {
		rc = hpke_ossl_err("ec public from private");
		goto cleanup;
	}
	rc = ec_build(kem, bn, pub, pkey);
cleanup:
	BN_clear_free(bn);
	EC_POINT_free(pt);
	return rc;
}

/* RFC 9180 7.1.4: the point must be on the curve (and not the identity,
 * which has no 0x04 encoding). Checked here before OpenSSL sees it. */
static int ec_from_public(const struct hpke_kem_alg *kem, const uint8_t *pk, EVP_PKEY **pkey)
{
	const EC_GROUP *g = kem->impl;
	EC_POINT *pt = NULL;
	int rc = HS_E_BADKEY;

	if (pk[0] != 0x04)
		return HS_E_BADKEY;
	if ((pt = EC_POINT_new(g)) == NULL)
		return hpke_ossl_err("ec point");
	if (!EC_POINT_oct2point(g, pt, pk, kem->npk, NULL) || EC_POINT_is_at_infinity(g, pt) ||
	    EC_POINT_is_on_curve(g, pt, NULL) != 1) {
		ERR_clear_error();
		goto cleanup;
	}
	rc = ec_build(kem, NULL, pk, pkey);
cleanup:
	EC_POINT_free(pt);
	return rc;
}

static int ec_derive_sk(const struct hpke_kem_alg *kem, const uint8_t *ikm, size_t ikm_len,
                        uint8_t *sk)
{
	hpke_kdf_t k = {0};
	uint8_t prk[HPKE_MAX_SECRET];
	int rc = dkp_prk(kem, &k, prk, ikm, ikm_len);

	for (unsigned counter = 0; rc == HS_OK; counter++) {
		const uint8_t c = (uint8_t)counter;
		if (counter > 255) {
			rc = HS_E_INTERNAL; /* DeriveKeyPairError */
			break;
		}
		rc = hpke_labeled_expand(&k, sk, kem->nsk, prk, "candidate", &c, 1);
		if (rc != HS_OK)
			break;
		sk[0] &= kem->bitmask;
		rc = ec_check_private(kem, sk);
		if (rc == HS_OK)
			break;
		if (rc == HS_E_BADKEY)
			rc = HS_OK; /* next candidate */
	}
	hpke_kdf_done(&k);
	OPENSSL_cleanse(prk, sizeof(prk));
	return rc;
}

static int ec_random_sk(const struct hpke_kem_alg *kem, const hs_env_t *env, uint8_t *sk)
{
	uint8_t ikm[HPKE_MAX_PRIVATE_KEY];
	int rc = env->random(env->arg, ikm, kem->nsk);
	if (rc == HS_OK)
		rc = ec_derive_sk(kem, ikm, kem->nsk, sk);
	OPENSSL_cleanse(ikm, sizeof(ikm));
	return rc;
}

const struct hpke_kem_ops hpke_ec_ops = {
    ec_from_private, ec_from_public, ec_check_private, ec_derive_sk, ec_random_sk, 0,
};
