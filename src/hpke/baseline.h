/*
 * baseline.h -- the raw OpenSSL operations HPKE is measured against.
 *
 * hsync-bench compares HPKE seal/open with what the primitives underneath
 * reach on the same machine in the same run. OpenSSL stays inside
 * src/hpke (STYLE.md item 9), so the raw loops live here and the tool only
 * times them.
 */
#ifndef HS_HPKE_BASELINE_H
#define HS_HPKE_BASELINE_H

#include <stddef.h>

#include "util/hs_err.h"

typedef struct hpke_baseline hpke_baseline_t;

/* Two X25519 key pairs with a derive context set up once, and an
 * AES-256-GCM context keyed once over a `msg_len`-byte message.
 * Errors: HS_E_CRYPTO. */
int hpke_baseline_new(hpke_baseline_t **out, size_t msg_len) HS_CHECK_RESULT;

/* `n` X25519 scalar multiplications through EVP_PKEY_derive. */
int hpke_baseline_x25519(hpke_baseline_t *b, unsigned n) HS_CHECK_RESULT;

/* `n` AES-256-GCM encryptions of the message (new nonce, no AAD, tag). */
int hpke_baseline_aes256gcm(hpke_baseline_t *b, unsigned n) HS_CHECK_RESULT;

void hpke_baseline_free(hpke_baseline_t *b);

#endif
