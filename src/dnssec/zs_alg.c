/* zs_alg.c -- the signing algorithm table and the calls into OpenSSL
 * that every algorithm shares (sign, verify, generate, error queue). */
#include "dnssec/zs_int.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <strings.h>

#include "util/log.h"

static const struct zs_alg algs[] = {
    {13, "ECDSAP256SHA256", "SHA256", "P-256", 32, 80, &zs_ops_ecdsa},
    {14, "ECDSAP384SHA384", "SHA384", "P-384", 48, 112, &zs_ops_ecdsa},
    {15, "ED25519", NULL, "ED25519", 32, 64, &zs_ops_eddsa},
};

const struct zs_alg *zs_alg_find(uint8_t number)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].number == number)
			return &algs[i];
	return NULL;
}

int zs_alg_supported(uint8_t alg)
{
	return zs_alg_find(alg) != NULL;
}

const char *zs_alg_name(uint8_t alg)
{
	const struct zs_alg *a = zs_alg_find(alg);
	return a ? a->name : NULL;
}

int zs_alg_parse(const char *text, uint8_t *alg)
{
	if (text == NULL || *text == '\0' || alg == NULL)
		return HS_E_INVAL;
	if (text[0] >= '0' && text[0] <= '9') {
		char *end;
		unsigned long v = strtoul(text, &end, 10);
		if (*end || v > 255 || !zs_alg_find((uint8_t)v))
			return HS_E_NOTSUP;
		*alg = (uint8_t)v;
		return HS_OK;
	}
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(text, algs[i].name) == 0) {
			*alg = algs[i].number;
			return HS_OK;
		}
	return HS_E_NOTSUP;
}

int zs_ossl_fail(const char *what)
{
	unsigned long e;
	char line[256] = "";
	if ((e = ERR_get_error()) != 0)
		ERR_error_string_n(e, line, sizeof(line));
	ERR_clear_error();
	log_warn(ZS_LOG, "%s failed: '%s'", what, line[0] ? line : "no detail");
	return HS_E_CRYPTO;
}

uint16_t zs_keytag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

int zs_key_sign(const zs_key_t *k, const uint8_t *data, size_t n, hs_buf_t *out)
{
	int rc = HS_E_CRYPTO;
	uint8_t sig[128];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx;

	if (k == NULL || !k->has_private)
		return HS_E_STATE;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL ||
	    EVP_DigestSignInit_ex(ctx, NULL, k->alg->md, NULL, NULL, k->pkey, NULL) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, data, n) != 1) {
		rc = zs_ossl_fail("signing");
		goto cleanup;
	}
	rc = k->alg->ops->sig_to_wire(k->alg, sig, siglen, out);
cleanup:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int zs_key_sign_cached(struct zs_sigcache *sc, const zs_key_t *k, const uint8_t *data, size_t n,
                       hs_buf_t *out)
{
	uint8_t sig[128];
	size_t siglen = sizeof(sig), i;

	if (sc == NULL || k == NULL || !k->has_private)
		return zs_key_sign(k, data, n, out);
	for (i = 0; i < sc->n && sc->c[i].key != k; i++)
		continue;
	if (i == sc->n) {
		if (sc->n == sizeof(sc->c) / sizeof(sc->c[0]))
			return zs_key_sign(k, data, n, out);
		sc->c[i].key = k;
		sc->c[i].tmpl = EVP_MD_CTX_new();
		sc->c[i].work = EVP_MD_CTX_new();
		sc->n++;
		if (sc->c[i].tmpl == NULL || sc->c[i].work == NULL ||
		    EVP_DigestSignInit_ex(sc->c[i].tmpl, NULL, k->alg->md, NULL, NULL, k->pkey,
		                          NULL) != 1) {
			EVP_MD_CTX_free(sc->c[i].tmpl);
			sc->c[i].tmpl = NULL;
			ERR_clear_error();
		}
	}
	if (sc->c[i].tmpl == NULL || EVP_MD_CTX_copy_ex(sc->c[i].work, sc->c[i].tmpl) != 1 ||
	    EVP_DigestSign(sc->c[i].work, sig, &siglen, data, n) != 1) {
		ERR_clear_error();
		return zs_key_sign(k, data, n, out);
	}
	return k->alg->ops->sig_to_wire(k->alg, sig, siglen, out);
}

void zs_sigcache_free(struct zs_sigcache *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		EVP_MD_CTX_free(sc->c[i].tmpl);
		EVP_MD_CTX_free(sc->c[i].work);
	}
	sc->n = 0;
}

int zs_key_verify(const zs_key_t *k, const uint8_t *data, size_t n, const uint8_t *sig,
                  size_t siglen)
{
	int rc;
	EVP_MD_CTX *ctx = NULL;
	hs_buf_t conv = HS_BUF_INIT;

	rc = k->alg->ops->sig_from_wire(k->alg, sig, siglen, &conv);
	if (rc != HS_OK)
		goto cleanup;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, k->alg->md, NULL, NULL, k->pkey, NULL) != 1) {
		rc = zs_ossl_fail("verification init");
		goto cleanup;
	}
	if (EVP_DigestVerify(ctx, conv.data, conv.len, data, n) == 1) {
		rc = HS_OK;
	} else {
		ERR_clear_error();
		rc = HS_E_BADSIG;
	}
cleanup:
	EVP_MD_CTX_free(ctx);
	hs_buf_free(&conv);
	return rc;
}

int zs_key_generate(uint8_t alg, uint16_t flags, zs_key_t **out, hs_errmsg_t *em)
{
	const struct zs_alg *a = zs_alg_find(alg);
	EVP_PKEY *pk = NULL;
	int rc;

	if (out == NULL)
		return HS_E_INVAL;
	if (a == NULL)
		return hs_fail(em, HS_E_NOTSUP, "algorithm %u is not supported for signing", alg);
	rc = a->ops->generate(a, &pk);
	if (rc != HS_OK)
		return hs_fail(em, rc, "cannot generate a %s key", a->name);
	rc = zs_key_make(a, pk, 1, flags, out);
	if (rc != HS_OK)
		return hs_fail(em, rc, "cannot export the new %s key", a->name);
	return HS_OK;
}
