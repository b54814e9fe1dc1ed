/* digest.c -- SHA-256 through the HPKE layer's OpenSSL tables. */
#include "hpke/digest.h"

#include <openssl/evp.h>

#include "hpke/hpke_int.h"

int hpke_digest_sha256(const void *p, size_t len, uint8_t out[HPKE_SHA256_LEN])
{
	static const uint8_t empty[1];
	unsigned int n = 0;

	if (hpke_algs_init() != HS_OK)
		return HS_E_CRYPTO;
	if (!EVP_Digest(len ? p : empty, len, out, &n, hpke_sha256(), NULL) || n != HPKE_SHA256_LEN)
		return HS_E_CRYPTO;
	return HS_OK;
}

int hpke_digest_sha256_hex(const void *p, size_t len, char hex[2 * HPKE_SHA256_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t md[HPKE_SHA256_LEN];
	size_t i;
	int rc;

	rc = hpke_digest_sha256(p, len, md);
	if (rc != HS_OK)
		return rc;
	for (i = 0; i < HPKE_SHA256_LEN; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * HPKE_SHA256_LEN] = '\0';
	return HS_OK;
}
