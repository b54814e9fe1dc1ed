/* alg_rsa.c -- RSA/SHA-2 (RFC 5702): public key as in RFC 3110 (exponent
 * length, exponent, modulus), PKCS #1 v1.5 signatures. */
#include "sig0/sig0_int.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "util/xmalloc.h"

/* hsync refuses exponents over 32 bits: they make verification slow and
 * no key generator makes them. */
#define RSA_MAX_EXP_BYTES 4

/* .private field name -> OpenSSL parameter, in BIND's order. */
static const struct {
	const char *field;
	const char *param;
} rsa_fields[] = {
    {"Modulus", OSSL_PKEY_PARAM_RSA_N},           {"PublicExponent", OSSL_PKEY_PARAM_RSA_E},
    {"PrivateExponent", OSSL_PKEY_PARAM_RSA_D},   {"Prime1", OSSL_PKEY_PARAM_RSA_FACTOR1},
    {"Prime2", OSSL_PKEY_PARAM_RSA_FACTOR2},      {"Exponent1", OSSL_PKEY_PARAM_RSA_EXPONENT1},
    {"Exponent2", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"Coefficient", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
};
#define N_RSA_FIELDS (sizeof(rsa_fields) / sizeof(rsa_fields[0]))

/* Build from BIGNUMs: bn[0] = n, bn[1] = e, the rest NULL for a public key. */
static int rsa_from_bn(BIGNUM *const *bn, int pair, EVP_PKEY **out)
{
	int rc = HS_E_CRYPTO;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *k = NULL;

	if (!bld)
		goto fail;
	for (size_t i = 0; i < (pair ? N_RSA_FIELDS : 2); i++)
		if (!OSSL_PARAM_BLD_push_BN(bld, rsa_fields[i].param, bn[i]))
			goto fail;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		goto fail;
	/* the library refuses numbers that make no key: bad input, not a
	 * library failure, and not worth a log line per attempt */
	if (EVP_PKEY_fromdata(ctx, &k, pair ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) !=
	    1) {
		ERR_clear_error();
		rc = HS_E_BADKEY;
		goto cleanup;
	}
	if (pair) {
		chk = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
		if (!chk || EVP_PKEY_pairwise_check(chk) != 1) {
			ERR_clear_error();
			rc = HS_E_BADKEY;
			goto cleanup;
		}
	}
	*out = k;
	k = NULL;
	rc = HS_OK;
	goto cleanup;
fail:
	rc = sig0_ossl_fail("rsa key import");
cleanup:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(k);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

/* Split RFC 3110 bytes into exponent and modulus. */
static int rsa_split(const struct sig0_alg *a, const uint8_t *p, size_t n, const uint8_t **e,
                     size_t *elen, const uint8_t **m, size_t *mlen, hs_errmsg_t *em)
{
	wire_rd_t rd;
	wire_rd_init(&rd, p, n);
	size_t el = wire_rd_u8(&rd);
	if (el == 0)
		el = wire_rd_u16(&rd);
	*e = wire_rd_take(&rd, el);
	*elen = el;
	*mlen = wire_rd_left(&rd);
	*m = wire_rd_take(&rd, *mlen);
	if (rd.err || el == 0 || *mlen == 0)
		return hs_fail(em, HS_E_BADKEY, "rsa public key: bad exponent length");
	if (el > RSA_MAX_EXP_BYTES || (*e)[0] == 0)
		return hs_fail(em, HS_E_BADKEY, "rsa public key: exponent over 32 bits or padded");
	if ((*m)[0] == 0 || *mlen * 8 < a->min_bits || *mlen * 8 > a->max_bits)
		return hs_fail(em, HS_E_BADKEY, "rsa public key: modulus of %zu bytes not allowed",
		               *mlen);
	return HS_OK;
}

static int rsa_pub_load(const struct sig0_alg *a, const uint8_t *p, size_t n, EVP_PKEY **out,
                        hs_errmsg_t *em)
{
	const uint8_t *e, *m;
	size_t elen, mlen;
	BIGNUM *bn[2] = {NULL, NULL};
	int rc = rsa_split(a, p, n, &e, &elen, &m, &mlen, em);
	if (rc != HS_OK)
		return rc;
	bn[0] = BN_bin2bn(m, (int)mlen, NULL);
	bn[1] = BN_bin2bn(e, (int)elen, NULL);
	if (!bn[0] || !bn[1])
		rc = sig0_ossl_fail("rsa public key");
	else
		rc = rsa_from_bn(bn, 0, out);
	BN_free(bn[0]);
	BN_free(bn[1]);
	if (rc != HS_OK)
		return hs_fail(em, rc, "unusable rsa public key");
	return HS_OK;
}

static int rsa_pub_export(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	BIGNUM *nn = NULL, *e = NULL;
	int rc = HS_E_CRYPTO;
	(void)a;
	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &nn) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
		rc = sig0_ossl_fail("rsa public key export");
		goto cleanup;
	}
	size_t elen = (size_t)BN_num_bytes(e), mlen = (size_t)BN_num_bytes(nn);
	uint8_t *tmp = xmalloc(elen + mlen);
	BN_bn2bin(e, tmp);
	BN_bn2bin(nn, tmp + elen);
	if (elen <= 255) {
		hs_buf_append_u8(out, (uint8_t)elen);
	} else {
		hs_buf_append_u8(out, 0);
		hs_buf_append_u16(out, (uint16_t)elen);
	}
	hs_buf_append(out, tmp, elen + mlen);
	free(tmp);
	rc = HS_OK;
cleanup:
	BN_free(nn);
	BN_free(e);
	return rc;
}

static int rsa_sig_same(const struct sig0_alg *a, const uint8_t *s, size_t n, hs_buf_t *out)
{
	if (n == 0 || n * 8 > a->max_bits)
		return HS_E_BADSIG;
	hs_buf_append(out, s, n);
	return HS_OK;
}

static int rsa_generate(const struct sig0_alg *a, unsigned bits, EVP_PKEY **out)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)(bits ? bits : a->default_bits));
	if (!k)
		return sig0_ossl_fail("rsa key generation");
	*out = k;
	return HS_OK;
}

static int rsa_priv_load(const struct sig0_alg *a, const struct sig0_privfile *pf,
                         const uint8_t *pub, size_t publen, EVP_PKEY **out, hs_errmsg_t *em)
{
	int rc = HS_OK;
	BIGNUM *bn[N_RSA_FIELDS] = {NULL};
	uint8_t *raw = xmalloc(1024);
	const uint8_t *e, *m;
	size_t elen, mlen;

	rc = rsa_split(a, pub, publen, &e, &elen, &m, &mlen, em);
	if (rc != HS_OK)
		goto cleanup;
	for (size_t i = 0; i < N_RSA_FIELDS; i++) {
		const char *v = sig0_privfile_get(pf, rsa_fields[i].field);
		size_t n = 1024;
		if (!v) {
			rc = hs_fail(em, HS_E_SYNTAX, "private key file has no '%s' line",
			             rsa_fields[i].field);
			goto cleanup;
		}
		if (hs_b64_decode(raw, &n, v, strlen(v)) != HS_OK || n == 0) {
			rc = hs_fail(em, HS_E_BADKEY, "'%s' is not base64", rsa_fields[i].field);
			goto cleanup;
		}
		/* the public half must be the one in the .key file */
		if ((i == 0 && (n != mlen || memcmp(raw, m, n) != 0)) ||
		    (i == 1 && (n != elen || memcmp(raw, e, n) != 0))) {
			rc = hs_fail(em, HS_E_BADKEY, "private key does not match the public key");
			goto cleanup;
		}
		bn[i] = BN_secure_new();
		if (!bn[i] || !BN_bin2bn(raw, (int)n, bn[i])) {
			rc = hs_fail(em, sig0_ossl_fail("rsa private key"), "unusable private key");
			goto cleanup;
		}
	}
	rc = rsa_from_bn(bn, 1, out);
	if (rc != HS_OK)
		hs_fail(em, rc, "rsa private key is not consistent");
cleanup:
	OPENSSL_cleanse(raw, 1024);
	free(raw);
	for (size_t i = 0; i < N_RSA_FIELDS; i++)
		BN_clear_free(bn[i]);
	return rc;
}

static int rsa_priv_write(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	int rc = HS_OK;
	uint8_t *raw = xmalloc(1024);
	char *b64 = xmalloc(hs_b64_enc_len(1024));
	(void)a;
	for (size_t i = 0; i < N_RSA_FIELDS && rc == HS_OK; i++) {
		BIGNUM *bn = NULL;
		int n;
		if (EVP_PKEY_get_bn_param(k, rsa_fields[i].param, &bn) != 1 ||
		    (n = BN_num_bytes(bn)) > 1024 || BN_bn2bin(bn, raw) != n) {
			rc = sig0_ossl_fail("rsa private key export");
		} else {
			hs_b64_encode(b64, raw, (size_t)n);
			hs_buf_printf(out, "%s: %s\n", rsa_fields[i].field, b64);
		}
		BN_clear_free(bn);
	}
	OPENSSL_cleanse(raw, 1024);
	OPENSSL_cleanse(b64, hs_b64_enc_len(1024));
	free(raw);
	free(b64);
	return rc;
}

const struct sig0_alg_ops sig0_ops_rsa = {
    rsa_pub_load, rsa_pub_export, rsa_sig_same,   rsa_sig_same,
    rsa_generate, rsa_priv_load,  rsa_priv_write,
};
