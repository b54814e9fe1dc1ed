/* alg.c -- the algorithm table, key tags, and the calls into OpenSSL that
 * every algorithm shares (sign, verify, error queue). */
#include "sig0/sig0_int.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <strings.h>

#include "util/log.h"

/* One row per algorithm (STYLE.md item 9). */
static const struct sig0_alg algs[] = {
    {SIG0_ALG_RSASHA256, "RSASHA256", "SHA256", "RSA", 0, 1024, 4096, 2048, 1, &sig0_ops_rsa},
    {SIG0_ALG_RSASHA512, "RSASHA512", "SHA512", "RSA", 0, 1024, 4096, 2048, 1, &sig0_ops_rsa},
    {SIG0_ALG_ECDSAP256SHA256, "ECDSAP256SHA256", "SHA256", "P-256", 32, 0, 0, 0, 1,
     &sig0_ops_ecdsa},
    {SIG0_ALG_ECDSAP384SHA384, "ECDSAP384SHA384", "SHA384", "P-384", 48, 0, 0, 0, 1,
     &sig0_ops_ecdsa},
    {SIG0_ALG_ED25519, "ED25519", NULL, "ED25519", 32, 0, 0, 0, 1, &sig0_ops_eddsa},
};

const struct sig0_alg *sig0_alg_find(uint8_t number)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].number == number)
			return &algs[i];
	return NULL;
}

int sig0_alg_parse(const char *text, uint8_t *alg)
{
	if (!text || !*text)
		return HS_E_INVAL;
	if (text[0] >= '0' && text[0] <= '9') {
		char *end;
		unsigned long v = strtoul(text, &end, 10);
		if (*end || v > 255)
			return HS_E_SYNTAX;
		if (!sig0_alg_find((uint8_t)v))
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

const char *sig0_alg_name(uint8_t alg)
{
	const struct sig0_alg *a = sig0_alg_find(alg);
	return a ? a->name : NULL;
}

int sig0_alg_can_sign(uint8_t alg)
{
	const struct sig0_alg *a = sig0_alg_find(alg);
	return a && a->can_sign;
}

uint16_t sig0_key_tag_rdata(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

int sig0_ossl_fail(const char *what)
{
	unsigned long e;
	char line[256] = "";
	/* the earliest error says most; drain the rest */
	if ((e = ERR_get_error()) != 0)
		ERR_error_string_n(e, line, sizeof(line));
	while (ERR_get_error() != 0)
		continue;
	log_warn("sig0", "%s failed: '%s'", what, line[0] ? line : "no detail");
	return HS_E_CRYPTO;
}

int sig0_crypto_sign(const sig0_key_t *key, const uint8_t *data, size_t n, hs_buf_t *out)
{
	int rc = HS_E_CRYPTO;
	EVP_MD_CTX *ctx = NULL;
	uint8_t *sig = NULL;
	size_t siglen = 0;

	if (!key->has_private)
		return HS_E_STATE;
	ctx = EVP_MD_CTX_new();
	if (!ctx ||
	    EVP_DigestSignInit_ex(ctx, NULL, key->alg->md, NULL, NULL, key->pkey, NULL) != 1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, data, n) != 1) {
		rc = sig0_ossl_fail("signature init");
		goto cleanup;
	}
	sig = OPENSSL_malloc(siglen);
	if (!sig || EVP_DigestSign(ctx, sig, &siglen, data, n) != 1) {
		rc = sig0_ossl_fail("signing");
		goto cleanup;
	}
	rc = key->alg->ops->sig_to_wire(key->alg, sig, siglen, out);
cleanup:
	OPENSSL_free(sig);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int sig0_crypto_verify(const sig0_key_t *key, const uint8_t *data, size_t n, const uint8_t *sig,
                       size_t siglen)
{
	int rc;
	EVP_MD_CTX *ctx = NULL;
	hs_buf_t conv = HS_BUF_INIT;

	rc = key->alg->ops->sig_from_wire(key->alg, sig, siglen, &conv);
	if (rc != HS_OK)
		goto cleanup;
	ctx = EVP_MD_CTX_new();
	if (!ctx ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, key->alg->md, NULL, NULL, key->pkey, NULL) != 1) {
		rc = sig0_ossl_fail("verification init");
		goto cleanup;
	}
	/* 1 = valid; 0 or a negative value after a good init = the bytes do
	 * not verify (OpenSSL reports some malformed signatures as errors) */
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
