/*
 * sha256.h -- SHA-256 (FIPS 180-4) in plain C, for integrity digests
 * outside the crypto modules (the transport's manifest digest). Not for
 * secrets: no constant-time claims are needed for public data.
 */
#ifndef HS_UTIL_SHA256_H
#define HS_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HS_SHA256_LEN 32

typedef struct hs_sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t block[64];
	size_t fill;
} hs_sha256_t;

void hs_sha256_init(hs_sha256_t *c);
void hs_sha256_update(hs_sha256_t *c, const void *data, size_t len);
void hs_sha256_final(hs_sha256_t *c, uint8_t out[HS_SHA256_LEN]);
/* One-shot. */
void hs_sha256(const void *data, size_t len, uint8_t out[HS_SHA256_LEN]);

#endif
