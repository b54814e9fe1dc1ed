/* zs_alg_fam.c -- the two algorithm families: ECDSA (RFC 6605: public
 * key x||y, signature r||s fixed width) and EdDSA (RFC 8080: raw). */
#include "dnssec/zs_int.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <string.h>

static int ec_pub_export(const struct zs_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	/* the coordinates, whatever point format the key was made with */
	BIGNUM *x = NULL, *y = NULL;
	uint8_t xy[2 * 66];
	int rc = HS_OK;
	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1 ||
	    BN_bn2binpad(x, xy, (int)a->size) < 0 ||
	    BN_bn2binpad(y, xy + a->size, (int)a->size) < 0)
		rc = zs_ossl_fail("ecdsa public key export");
	else
		hs_buf_append(out, xy, 2 * a->size);
	BN_free(x);
	BN_free(y);
	return rc;
}

static int ec_pub_import(const struct zs_alg *a, const uint8_t *p, size_t n, EVP_PKEY **out)
{
	int rc = HS_E_BADKEY;
	uint8_t point[1 + 2 * 66];
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *k = NULL;

	if (n != 2 * a->size)
		return HS_E_BADKEY;
	point[0] = 0x04;
	memcpy(point + 1, p, n);
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, a->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, n + 1) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1) {
		rc = zs_ossl_fail("ecdsa key import");
		goto cleanup;
	}
	if (EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto cleanup;
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	if (chk == NULL || EVP_PKEY_public_check(chk) != 1)
		goto cleanup;
	*out = k;
	k = NULL;
	rc = HS_OK;
cleanup:
	ERR_clear_error();
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

static int ec_sig_to_wire(const struct zs_alg *a, const uint8_t *s, size_t n, hs_buf_t *out)
{
	const uint8_t *p = s;
	const BIGNUM *r, *ss;
	uint8_t raw[2 * 66];
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
	if (sig == NULL)
		return zs_ossl_fail("ecdsa signature decode");
	ECDSA_SIG_get0(sig, &r, &ss);
	if (BN_bn2binpad(r, raw, (int)a->size) < 0 ||
	    BN_bn2binpad(ss, raw + a->size, (int)a->size) < 0) {
		ECDSA_SIG_free(sig);
		return zs_ossl_fail("ecdsa signature encode");
	}
	ECDSA_SIG_free(sig);
	hs_buf_append(out, raw, 2 * a->size);
	return HS_OK;
}

static int ec_sig_from_wire(const struct zs_alg *a, const uint8_t *s, size_t n, hs_buf_t *out)
{
	int rc = HS_E_CRYPTO;
	uint8_t *der = NULL;
	BIGNUM *r = NULL, *ss = NULL;
	ECDSA_SIG *sig = NULL;
	int dlen;

	if (n != 2 * a->size)
		return HS_E_BADSIG;
	r = BN_bin2bn(s, (int)a->size, NULL);
	ss = BN_bin2bn(s + a->size, (int)a->size, NULL);
	sig = ECDSA_SIG_new();
	if (r == NULL || ss == NULL || sig == NULL || ECDSA_SIG_set0(sig, r, ss) != 1) {
		rc = zs_ossl_fail("ecdsa signature conversion");
		goto cleanup;
	}
	r = ss = NULL;
	dlen = i2d_ECDSA_SIG(sig, &der);
	if (dlen <= 0) {
		rc = zs_ossl_fail("ecdsa signature conversion");
		goto cleanup;
	}
	hs_buf_append(out, der, (size_t)dlen);
	rc = HS_OK;
cleanup:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(sig);
	return rc;
}

static int ec_generate(const struct zs_alg *a, EVP_PKEY **out)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", a->group);
	if (k == NULL)
		return zs_ossl_fail("ecdsa key generation");
	*out = k;
	return HS_OK;
}

const struct zs_alg_ops zs_ops_ecdsa = {
    ec_pub_export, ec_pub_import, ec_sig_to_wire, ec_sig_from_wire, ec_generate,
};

static int ed_pub_export(const struct zs_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	uint8_t pub[64];
	size_t n = sizeof(pub);
	if (EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 || n != a->size)
		return zs_ossl_fail("eddsa public key export");
	hs_buf_append(out, pub, n);
	return HS_OK;
}

static int ed_pub_import(const struct zs_alg *a, const uint8_t *p, size_t n, EVP_PKEY **out)
{
	EVP_PKEY *k;
	if (n != a->size)
		return HS_E_BADKEY;
	k = EVP_PKEY_new_raw_public_key_ex(NULL, a->group, NULL, p, n);
	if (k == NULL) {
		ERR_clear_error();
		return HS_E_BADKEY;
	}
	*out = k;
	return HS_OK;
}

static int ed_sig_same(const struct zs_alg *a, const uint8_t *s, size_t n, hs_buf_t *out)
{
	if (n != 2 * a->size)
		return HS_E_BADSIG;
	hs_buf_append(out, s, n);
	return HS_OK;
}

static int ed_generate(const struct zs_alg *a, EVP_PKEY **out)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, a->group);
	if (k == NULL)
		return zs_ossl_fail("eddsa key generation");
	*out = k;
	return HS_OK;
}

const struct zs_alg_ops zs_ops_eddsa = {
    ed_pub_export, ed_pub_import, ed_sig_same, ed_sig_same, ed_generate,
};
