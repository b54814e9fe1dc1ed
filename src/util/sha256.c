/* sha256.c -- hs_sha256 on OpenSSL's EVP SHA-256 (see sha256.h). */
#include "util/sha256.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

/* A digest on a valid context cannot fail short of memory exhaustion. */
static void must(int ok)
{
	if (!ok) {
		fputs("hsync: OpenSSL SHA-256 failed\n", stderr);
		abort();
	}
}

void hs_sha256_init(hs_sha256_t *c)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	must(md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1);
	c->md = md;
}

void hs_sha256_update(hs_sha256_t *c, const void *data, size_t n)
{
	if (n > 0)
		must(EVP_DigestUpdate(c->md, data, n) == 1);
}

void hs_sha256_final(hs_sha256_t *c, uint8_t out[HS_SHA256_LEN])
{
	unsigned int len = 0;
	must(EVP_DigestFinal_ex(c->md, out, &len) == 1 && len == HS_SHA256_LEN);
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

void hs_sha256(const void *data, size_t n, uint8_t out[HS_SHA256_LEN])
{
	unsigned int len = 0;
	static const uint8_t none = 0;
	must(EVP_Digest(n > 0 ? data : &none, n, out, &len, EVP_sha256(), NULL) == 1 &&
	     len == HS_SHA256_LEN);
}
