/*
 * sha256.h -- SHA-256 (FIPS 180-4), backed by OpenSSL's EVP digest.
 *
 * OpenSSL's public-key code stays in src/hpke and src/sig0 (STYLE.md item
 * 9); a plain digest is needed lower down (the engine's provider-group
 * ids, the transport's envelope digests over up to several MiB), so this
 * bottom-layer API calls OpenSSL's SHA-256 directly instead of keeping a
 * second, slower implementation. Allocation failure aborts, like xmalloc.
 */
#ifndef HS_UTIL_SHA256_H
#define HS_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define HS_SHA256_LEN 32

/* A streaming context: hs_sha256_init, any number of updates, then
 * hs_sha256_final, which also releases it (every init needs its final). */
typedef struct hs_sha256 {
	void *md; /* EVP_MD_CTX */
} hs_sha256_t;

void hs_sha256_init(hs_sha256_t *c);
void hs_sha256_update(hs_sha256_t *c, const void *data, size_t n);
/* Write the digest to `out` (32 bytes) and release the context; it must
 * be initialised again before reuse. */
void hs_sha256_final(hs_sha256_t *c, uint8_t out[HS_SHA256_LEN]);
/* One-shot convenience. */
void hs_sha256(const void *data, size_t n, uint8_t out[HS_SHA256_LEN]);

#endif
