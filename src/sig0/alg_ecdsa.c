/* alg_ecdsa.c -- ECDSA P-256/P-384 (RFC 6605): public key x||y, signature
 * r||s as fixed-width big-endian integers (OpenSSL speaks DER). */
#include "sig0/sig0_int.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <string.h>

#include "util/encoding.h"

/* Build an EC key of `a`'s group from an uncompressed point (x||y) and,
 * when priv is not NULL, the private scalar. */
static int ec_from_parts(const struct sig0_alg *a, const uint8_t *xy, size_t n, const BIGNUM *priv,
                         EVP_PKEY **out)
{
	int rc = HS_E_CRYPTO;
	uint8_t point[1 + 2 * 66];
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *k = NULL;

	point[0] = 0x04;
	memcpy(point + 1, xy, n);
	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, a->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, n + 1) ||
	    (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto fail;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		goto fail;
	/* the library refuses numbers that make no key: bad input, not a
	 * library failure, and not worth a log line per attempt */
	if (EVP_PKEY_fromdata(ctx, &k, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) !=
	    1) {
		ERR_clear_error();
		rc = HS_E_BADKEY;
		goto cleanup;
	}
	/* the point must lie on the curve; with a private key, match it */
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	if (!chk || (priv ? EVP_PKEY_pairwise_check(chk) : EVP_PKEY_public_check(chk)) != 1) {
		ERR_clear_error();
		rc = HS_E_BADKEY;
		goto cleanup;
	}
	*out = k;
	k = NULL;
	rc = HS_OK;
	goto cleanup;
fail:
	rc = sig0_ossl_fail("ecdsa key import");
cleanup:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

static int ec_pub_load(const struct sig0_alg *a, const uint8_t *p, size_t n, EVP_PKEY **out,
                       hs_errmsg_t *em)
{
	if (n != 2 * a->size)
		return hs_fail(em, HS_E_BADKEY, "%s public key is %zu bytes, not %zu", a->name, n,
		               2 * a->size);
	int rc = ec_from_parts(a, p, n, NULL, out);
	if (rc != HS_OK)
		return hs_fail(em, rc, "%s public key is not a point on the curve", a->name);
	return HS_OK;
}

static int ec_pub_export(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	uint8_t point[1 + 2 * 66];
	size_t n = 0;
	if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &n) !=
	        1 ||
	    n != 1 + 2 * a->size || point[0] != 0x04)
		return sig0_ossl_fail("ecdsa public key export");
	hs_buf_append(out, point + 1, n - 1);
	return HS_OK;
}

static int ec_sig_to_wire(const struct sig0_alg *a, const uint8_t *s, size_t n, hs_buf_t *out)
{
	const uint8_t *p = s;
	const BIGNUM *r, *ss;
	uint8_t raw[2 * 66];
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
	if (!sig)
		return sig0_ossl_fail("ecdsa signature decode");
	ECDSA_SIG_get0(sig, &r, &ss);
	if (BN_bn2binpad(r, raw, (int)a->size) < 0 ||
	    BN_bn2binpad(ss, raw + a->size, (int)a->size) < 0) {
		ECDSA_SIG_free(sig);
		return sig0_ossl_fail("ecdsa signature encode");
	}
	ECDSA_SIG_free(sig);
	hs_buf_append(out, raw, 2 * a->size);
	return HS_OK;
}

static int ec_sig_from_wire(const struct sig0_alg *a, const uint8_t *s, size_t n, hs_buf_t *out)
{
	int rc = HS_E_CRYPTO;
	uint8_t *der = NULL;
	BIGNUM *r = NULL, *ss = NULL;
	ECDSA_SIG *sig = NULL;

	if (n != 2 * a->size)
		return HS_E_BADSIG;
	r = BN_bin2bn(s, (int)a->size, NULL);
	ss = BN_bin2bn(s + a->size, (int)a->size, NULL);
	sig = ECDSA_SIG_new();
	if (!r || !ss || !sig || ECDSA_SIG_set0(sig, r, ss) != 1)
		goto fail;
	r = ss = NULL; /* owned by sig now */
	int dlen = i2d_ECDSA_SIG(sig, &der);
	if (dlen <= 0)
		goto fail;
	hs_buf_append(out, der, (size_t)dlen);
	rc = HS_OK;
	goto cleanup;
fail:
	rc = sig0_ossl_fail("ecdsa signature conversion");
cleanup:
	OPENSSL_free(der);
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(sig);
	return rc;
}

static int ec_generate(const struct sig0_alg *a, unsigned bits, EVP_PKEY **out)
{
	(void)bits;
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", a->group);
	if (!k)
		return sig0_ossl_fail("ecdsa key generation");
	*out = k;
	return HS_OK;
}

static int ec_priv_load(const struct sig0_alg *a, const struct sig0_privfile *pf,
                        const uint8_t *pub, size_t publen, EVP_PKEY **out, hs_errmsg_t *em)
{
	int rc;
	uint8_t raw[66];
	size_t n = sizeof(raw);
	BIGNUM *priv = NULL;
	const char *v = sig0_privfile_get(pf, "PrivateKey");

	if (!v) {
		rc = hs_fail(em, HS_E_SYNTAX, "private key file has no 'PrivateKey' line");
		goto cleanup;
	}
	if (hs_b64_decode(raw, &n, v, strlen(v)) != HS_OK || n != a->size) {
		rc = hs_fail(em, HS_E_BADKEY, "'PrivateKey' is not %zu bytes of base64", a->size);
		goto cleanup;
	}
	priv = BN_secure_new();
	if (!priv || !BN_bin2bn(raw, (int)n, priv)) {
		rc = hs_fail(em, sig0_ossl_fail("ecdsa private key"), "unusable private key");
		goto cleanup;
	}
	rc = ec_from_parts(a, pub, publen, priv, out);
	if (rc != HS_OK)
		hs_fail(em, rc, "private key does not match the public key");
cleanup:
	OPENSSL_cleanse(raw, sizeof(raw));
	BN_clear_free(priv);
	return rc;
}

static int ec_priv_write(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	BIGNUM *priv = NULL;
	uint8_t raw[66];
	char b64[128];
	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1 ||
	    BN_bn2binpad(priv, raw, (int)a->size) < 0) {
		BN_clear_free(priv);
		return sig0_ossl_fail("ecdsa private key export");
	}
	hs_b64_encode(b64, raw, a->size);
	hs_buf_printf(out, "PrivateKey: %s\n", b64);
	BN_clear_free(priv);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(b64, sizeof(b64));
	return HS_OK;
}

const struct sig0_alg_ops sig0_ops_ecdsa = {
    ec_pub_load, ec_pub_export, ec_sig_to_wire, ec_sig_from_wire,
    ec_generate, ec_priv_load,  ec_priv_write,
};
