/* alg_eddsa.c -- Ed25519 (RFC 8080): raw 32-byte keys, raw 64-byte signatures. */
#include "sig0/sig0_int.h"

#include <string.h>

#include "util/encoding.h"

static int key_type(const struct sig0_alg *a)
{
	(void)a;
	return EVP_PKEY_ED25519; /* the only EdDSA row; Ed448 would add a column */
}

static int ed_pub_load(const struct sig0_alg *a, const uint8_t *p, size_t n, EVP_PKEY **out,
                       hs_errmsg_t *em)
{
	if (n != a->size)
		return hs_fail(em, HS_E_BADKEY, "%s public key is %zu bytes, not %zu", a->name, n,
		               a->size);
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(key_type(a), NULL, p, n);
	if (!k)
		return hs_fail(em, sig0_ossl_fail("ed25519 public key"), "unusable public key");
	*out = k;
	return HS_OK;
}

static int ed_pub_export(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	uint8_t pub[64];
	size_t n = sizeof(pub);
	if (EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 || n != a->size)
		return sig0_ossl_fail("ed25519 public key export");
	hs_buf_append(out, pub, n);
	return HS_OK;
}

static int ed_sig_same(const struct sig0_alg *a, const uint8_t *s, size_t n, hs_buf_t *out)
{
	if (n != 2 * a->size)
		return HS_E_BADSIG;
	hs_buf_append(out, s, n);
	return HS_OK;
}

static int ed_generate(const struct sig0_alg *a, unsigned bits, EVP_PKEY **out)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(key_type(a), NULL);
	(void)bits;
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &k) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return sig0_ossl_fail("ed25519 key generation");
	}
	EVP_PKEY_CTX_free(ctx);
	*out = k;
	return HS_OK;
}

static int ed_priv_load(const struct sig0_alg *a, const struct sig0_privfile *pf,
                        const uint8_t *pub, size_t publen, EVP_PKEY **out, hs_errmsg_t *em)
{
	int rc;
	uint8_t priv[64], derived[64];
	size_t n = sizeof(priv), dn = sizeof(derived);
	EVP_PKEY *k = NULL;
	const char *v = sig0_privfile_get(pf, "PrivateKey");

	if (!v) {
		rc = hs_fail(em, HS_E_SYNTAX, "private key file has no 'PrivateKey' line");
		goto cleanup;
	}
	if (hs_b64_decode(priv, &n, v, strlen(v)) != HS_OK || n != a->size) {
		rc = hs_fail(em, HS_E_BADKEY, "'PrivateKey' is not %zu bytes of base64", a->size);
		goto cleanup;
	}
	k = EVP_PKEY_new_raw_private_key(key_type(a), NULL, priv, n);
	if (!k) {
		rc = hs_fail(em, sig0_ossl_fail("ed25519 private key"), "unusable private key");
		goto cleanup;
	}
	if (EVP_PKEY_get_raw_public_key(k, derived, &dn) != 1 || dn != publen ||
	    memcmp(derived, pub, dn) != 0) {
		rc = hs_fail(em, HS_E_BADKEY, "private key does not match the public key");
		goto cleanup;
	}
	*out = k;
	k = NULL;
	rc = HS_OK;
cleanup:
	OPENSSL_cleanse(priv, sizeof(priv));
	EVP_PKEY_free(k);
	return rc;
}

static int ed_priv_write(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out)
{
	uint8_t priv[64];
	char b64[128];
	size_t n = sizeof(priv);
	if (EVP_PKEY_get_raw_private_key(k, priv, &n) != 1 || n != a->size)
		return sig0_ossl_fail("ed25519 private key export");
	hs_b64_encode(b64, priv, n);
	hs_buf_printf(out, "PrivateKey: %s\n", b64);
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(b64, sizeof(b64));
	return HS_OK;
}

const struct sig0_alg_ops sig0_ops_eddsa = {
    ed_pub_load, ed_pub_export, ed_sig_same, ed_sig_same, ed_generate, ed_priv_load, ed_priv_write,
};
