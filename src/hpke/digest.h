/*
 * digest.h -- SHA-256 for the layers above that must not touch OpenSSL
 * (the transport's manifests, tools printing message digests).
 */
#ifndef HS_HPKE_DIGEST_H
#define HS_HPKE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/hs_err.h"

#define HPKE_SHA256_LEN 32

/* SHA-256 of `len` octets at `p` (p may be NULL when len is 0) into
 * `out`. HS_OK or HS_E_CRYPTO. */
int hpke_digest_sha256(const void *p, size_t len, uint8_t out[HPKE_SHA256_LEN]) HS_CHECK_RESULT;

/* The same as 64 lowercase hex digits and a NUL into `hex`. */
int hpke_digest_sha256_hex(const void *p, size_t len, char hex[2 * HPKE_SHA256_LEN + 1]) HS_CHECK_RESULT;

#endif
