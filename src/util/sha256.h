/*
 * sha256.h -- SHA-256 (FIPS 180-4) for layers that may not use OpenSSL.
 *
 * OpenSSL is confined to src/hpke and src/sig0 (STYLE.md item 9); the
 * engine needs a hash only to derive stable provider-group ids, so this
 * small portable implementation lives in the bottom layer. It is not
 * constant-time hardened for secrets and must not be used for keys.
 */
#ifndef HS_UTIL_SHA256_H
#define HS_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HS_SHA256_LEN 32

typedef struct hs_sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t block[64];
	size_t fill; /* bytes waiting in block */
} hs_sha256_t;

void hs_sha256_init(hs_sha256_t *c);
void hs_sha256_update(hs_sha256_t *c, const void *data, size_t n);
/* Write the digest to `out` (32 bytes); the context must be re-initialised
 * before reuse. */
void hs_sha256_final(hs_sha256_t *c, uint8_t out[HS_SHA256_LEN]);
/* One-shot convenience. */
void hs_sha256(const void *data, size_t n, uint8_t out[HS_SHA256_LEN]);

#endif
