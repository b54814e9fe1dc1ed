/*
 * hpke.h -- Hybrid Public Key Encryption (RFC 9180) on OpenSSL 3.0.
 *
 * OpenSSL 3.0 has no HPKE API; this module builds it from EVP primitives
 * (X25519/EC key agreement, HMAC for HKDF, AES-GCM and ChaCha20-Poly1305).
 *
 * Supported:
 *   KEM   0x0010 DHKEM(P-256, HKDF-SHA256)
 *         0x0012 DHKEM(P-521, HKDF-SHA512)
 *         0x0020 DHKEM(X25519, HKDF-SHA256)
 *   KDF   0x0001 HKDF-SHA256, 0x0002 HKDF-SHA384, 0x0003 HKDF-SHA512
 *   AEAD  0x0001 AES-128-GCM, 0x0002 AES-256-GCM, 0x0003 ChaCha20-Poly1305,
 *         0xFFFF export-only
 *   modes base, psk, auth, auth_psk
 *
 * Conventions: outputs come first; a length in/out parameter (`*len`) holds
 * the buffer size on entry and the byte count on success (HS_E_SPACE when
 * the buffer is too small). Out-parameters are written only on success.
 * Every secret this module holds or computes is wiped with OPENSSL_cleanse
 * before its memory is released.
 *
 * Errors common to most calls:
 *   HS_E_INVAL    NULL where an object is required, bad mode/psk usage
 *                 (psk and psk_id must be both given or both empty; they are
 *                 required in the psk modes and forbidden in base and auth;
 *                 a sender key is required in the auth modes), a key of
 *                 another KEM than the suite's
 *   HS_E_NOTSUP   a KEM, KDF or AEAD id this module does not implement
 *   HS_E_BADKEY   a serialised key that is not a valid key of its KEM
 *                 (wrong length, point not on the curve, scalar out of range)
 *   HS_E_CRYPTO   OpenSSL failed; the error queue was logged (subsystem
 *                 "hpke") and cleared
 *   HS_E_DECRYPT  any failure to open: bad `enc`, zero shared secret, wrong
 *                 key, wrong info/aad/psk, altered ciphertext. The code does
 *                 not say which step failed, on purpose.
 *
 * Thread safety: algorithm tables are initialised once (pthread_once);
 * keys are immutable after creation and may be shared between threads;
 * a context must not be used by two threads at once.
 */
#ifndef HS_HPKE_HPKE_H
#define HS_HPKE_HPKE_H

#include <stddef.h>
#include <stdint.h>

#include "util/env.h"
#include "util/hs_err.h"

/* Algorithm identifiers (RFC 9180 section 7). */
#define HPKE_KEM_P256_SHA256   0x0010
#define HPKE_KEM_P521_SHA512   0x0012
#define HPKE_KEM_X25519_SHA256 0x0020
#define HPKE_KDF_SHA256        0x0001
#define HPKE_KDF_SHA384        0x0002
#define HPKE_KDF_SHA512        0x0003
#define HPKE_AEAD_AES128GCM    0x0001
#define HPKE_AEAD_AES256GCM    0x0002
#define HPKE_AEAD_CHACHA20     0x0003
#define HPKE_AEAD_EXPORT_ONLY  0xFFFF

/* Size limits over every supported algorithm. */
#define HPKE_MAX_ENC         133                     /* Nenc of P-521 (uncompressed point) */
#define HPKE_MAX_PUBLIC_KEY  133                     /* Npk */
#define HPKE_MAX_PRIVATE_KEY 66                      /* Nsk */
#define HPKE_MAX_SECRET      64                      /* Nsecret / Nh */
#define HPKE_MAX_KEY         32                      /* Nk */
#define HPKE_NONCE_LEN       12                      /* Nn of every supported AEAD */
#define HPKE_TAG_LEN         16                      /* Nt of every supported AEAD */
#define HPKE_MAX_EXPORT      (255 * HPKE_MAX_SECRET) /* L <= 255 * Nh */
/* key_schedule_context = mode || psk_id_hash || info_hash */
#define HPKE_MAX_KS_CONTEXT (1 + 2 * HPKE_MAX_SECRET)

enum hpke_mode {
	HPKE_MODE_BASE = 0x00,
	HPKE_MODE_PSK = 0x01,
	HPKE_MODE_AUTH = 0x02,
	HPKE_MODE_AUTH_PSK = 0x03,
};

typedef struct hpke_suite {
	uint16_t kem;
	uint16_t kdf;
	uint16_t aead;
} hpke_suite_t;

/* HS_OK when every id of `suite` is implemented, else HS_E_NOTSUP. */
int hpke_suite_check(hpke_suite_t suite) HS_CHECK_RESULT;

/* Sizes of one KEM: Nenc (= Npk for DHKEM), Nsk, Nsecret. Any pointer may
 * be NULL. HS_E_NOTSUP for an unknown KEM. */
int hpke_kem_sizes(uint16_t kem, size_t *npk, size_t *nsk, size_t *nsecret);

/* Tag length the AEAD adds to every ciphertext (0 for export-only). */
size_t hpke_aead_tag_len(uint16_t aead);

/* Short names for logs ("X25519", "HKDF-SHA256", "AES-256-GCM"); "?" if
 * unknown. */
const char *hpke_kem_name(uint16_t kem);
const char *hpke_kdf_name(uint16_t kdf);
const char *hpke_aead_name(uint16_t aead);

/* ------------------------------------------------------------------ */
/* Keys: opaque, immutable, either a public key or a key pair.         */

typedef struct hpke_key hpke_key_t;

/*
 * A fresh key pair. Randomness comes from `env->random` (the injected
 * source; not OpenSSL's RAND): Nsk bytes are the X25519 private key as is;
 * for the NIST curves they are the ikm of DeriveKeyPair (rejection sampling).
 * Errors: HS_E_NOTSUP, HS_E_IO (from env), HS_E_CRYPTO.
 */
int hpke_key_generate(hpke_key_t **out, uint16_t kem, const hs_env_t *env) HS_CHECK_RESULT;

/* DeriveKeyPair(ikm) of RFC 9180 7.1.3 (ikm should have >= Nsk bytes of
 * entropy; any length is accepted). Errors: HS_E_NOTSUP, HS_E_CRYPTO,
 * HS_E_INTERNAL when no candidate scalar was found (probability ~2^-256). */
int hpke_key_derive(hpke_key_t **out, uint16_t kem, const uint8_t *ikm,
                    size_t ikm_len) HS_CHECK_RESULT;

/* DeserializePublicKey: X25519 needs exactly 32 bytes; P-256/P-521 an
 * uncompressed point (0x04 || x || y) on the curve, not the identity.
 * Errors: HS_E_NOTSUP, HS_E_BADKEY, HS_E_CRYPTO. */
int hpke_key_from_public(hpke_key_t **out, uint16_t kem, const uint8_t *pk,
                         size_t len) HS_CHECK_RESULT;

/* DeserializePrivateKey: X25519 32 bytes (any value, clamped when used);
 * P-256/P-521 a big-endian scalar of exactly Nsk bytes, 0 < sk < order.
 * The public key is computed. Errors: as hpke_key_from_public. */
int hpke_key_from_private(hpke_key_t **out, uint16_t kem, const uint8_t *sk,
                          size_t len) HS_CHECK_RESULT;

/* SerializePublicKey / SerializePrivateKey into `out` (*len = size in,
 * count out). HS_E_SPACE if too small; HS_E_STATE for the private key of
 * a public-only key. */
int hpke_key_public(uint8_t *out, size_t *len, const hpke_key_t *key) HS_CHECK_RESULT;
int hpke_key_private(uint8_t *out, size_t *len, const hpke_key_t *key) HS_CHECK_RESULT;

/* The KEM of the key; 1 if it holds a private key. */
uint16_t hpke_key_kem(const hpke_key_t *key);
int hpke_key_has_private(const hpke_key_t *key);

/* Wipes and frees; NULL-safe. */
void hpke_key_free(hpke_key_t *key);

/* ------------------------------------------------------------------ */
/* Setup parameters shared by the sender and the receiver.             */

typedef struct hpke_params {
	hpke_suite_t suite;
	enum hpke_mode mode;
	const uint8_t *info; /* may be NULL when info_len is 0 */
	size_t info_len;
	const uint8_t *psk; /* psk modes only */
	size_t psk_len;
	const uint8_t *psk_id; /* psk modes only */
	size_t psk_id_len;
	/* Auth modes only: the sender's key pair (sender side) or the
	 * sender's public key (receiver side). NULL otherwise. */
	const hpke_key_t *auth_key;
} hpke_params_t;

/* ------------------------------------------------------------------ */
/* Contexts: one sender or receiver encryption context (opaque).       */

typedef struct hpke_ctx hpke_ctx_t;

/*
 * SetupBaseS / SetupPSKS / SetupAuthS / SetupAuthPSKS (by p->mode) to the
 * recipient public key `pk_r`. Writes the encapsulated key to `enc`
 * (*enc_len = size in, Nenc out; HPKE_MAX_ENC always suffices) and a new
 * context to `*out` (free with hpke_ctx_free). The ephemeral key comes
 * from `env->random`. Errors: common ones, HS_E_SPACE, HS_E_IO (env),
 * HS_E_BADKEY when a DH result is all zero (a low-order X25519 `pk_r`).
 */
int hpke_setup_sender(hpke_ctx_t **out, uint8_t *enc, size_t *enc_len, const hpke_params_t *p,
                      const hpke_key_t *pk_r, const hs_env_t *env) HS_CHECK_RESULT;

/*
 * As hpke_setup_sender with a caller-chosen ephemeral key pair `sk_e`
 * (same KEM). For known-answer tests only: reusing an ephemeral key with
 * the same recipient repeats every key and nonce.
 */
int hpke_setup_sender_with_ephemeral(hpke_ctx_t **out, uint8_t *enc, size_t *enc_len,
                                     const hpke_params_t *p, const hpke_key_t *pk_r,
                                     const hpke_key_t *sk_e) HS_CHECK_RESULT;

/*
 * SetupBaseR / ... with the recipient key pair `sk_r` and the sender's
 * `enc`. A malformed `enc` or an all-zero X25519 result is HS_E_DECRYPT;
 * HS_E_CRYPTO means the check could not be made (library failure).
 */
int hpke_setup_receiver(hpke_ctx_t **out, const hpke_params_t *p, const hpke_key_t *sk_r,
                        const uint8_t *enc, size_t enc_len) HS_CHECK_RESULT;

/*
 * ContextS.Seal: encrypts `pt` with the nonce for the current sequence
 * number and advances it. `ct` needs pt_len + HPKE_TAG_LEN bytes (may not
 * overlap `pt` except exactly in place). Errors: HS_E_STATE (receiver
 * context), HS_E_MODE (export-only AEAD), HS_E_SEQ_OVERFLOW (no nonce left;
 * the limit is 2^64 - 1 messages, below the RFC's 2^96 - 1 because the
 * counter is a uint64_t), HS_E_SPACE, HS_E_CRYPTO.
 */
int hpke_ctx_seal(hpke_ctx_t *ctx, uint8_t *ct, size_t *ct_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *pt, size_t pt_len) HS_CHECK_RESULT;

/*
 * ContextR.Open: decrypts `ct` (ciphertext || tag) with the nonce for the
 * current sequence number; the number advances only on success, so a
 * replayed, skipped or reordered ciphertext fails (HS_E_DECRYPT) and
 * leaves the context as it was. `pt` needs ct_len - HPKE_TAG_LEN bytes.
 * Errors: HS_E_DECRYPT, HS_E_STATE, HS_E_MODE, HS_E_SEQ_OVERFLOW, HS_E_SPACE.
 */
int hpke_ctx_open(hpke_ctx_t *ctx, uint8_t *pt, size_t *pt_len, const uint8_t *aad, size_t aad_len,
                  const uint8_t *ct, size_t ct_len) HS_CHECK_RESULT;

/* Context.Export: `out_len` (= L) bytes of LabeledExpand(exporter_secret,
 * "sec", exporter_context, L). HS_E_RANGE when L > 255 * Nh. */
int hpke_ctx_export(uint8_t *out, size_t out_len, const hpke_ctx_t *ctx,
                    const uint8_t *exporter_context, size_t exporter_context_len) HS_CHECK_RESULT;

/* The next sequence number to be used. */
uint64_t hpke_ctx_seq(const hpke_ctx_t *ctx);

/*
 * Moves the sequence number, for known-answer vectors and overflow tests
 * only: a sender that goes back reuses nonces.
 */
void hpke_ctx_set_seq(hpke_ctx_t *ctx, uint64_t seq);

/* Wipes and frees; NULL-safe. */
void hpke_ctx_free(hpke_ctx_t *ctx);

/* ------------------------------------------------------------------ */
/* Single-shot APIs (RFC 9180 section 6).                              */

/* Setup + one Seal. `ct` needs pt_len + HPKE_TAG_LEN bytes. */
int hpke_seal(uint8_t *enc, size_t *enc_len, uint8_t *ct, size_t *ct_len, const hpke_params_t *p,
              const hpke_key_t *pk_r, const hs_env_t *env, const uint8_t *aad, size_t aad_len,
              const uint8_t *pt, size_t pt_len) HS_CHECK_RESULT;

/* Setup + one Open; every failure to decrypt is HS_E_DECRYPT (argument
 * errors stay HS_E_INVAL etc., a library failure HS_E_CRYPTO). */
int hpke_open(uint8_t *pt, size_t *pt_len, const hpke_params_t *p, const hpke_key_t *sk_r,
              const uint8_t *enc, size_t enc_len, const uint8_t *aad, size_t aad_len,
              const uint8_t *ct, size_t ct_len) HS_CHECK_RESULT;

/* SendExport / ReceiveExport. */
int hpke_send_export(uint8_t *enc, size_t *enc_len, uint8_t *out, size_t out_len,
                     const hpke_params_t *p, const hpke_key_t *pk_r, const hs_env_t *env,
                     const uint8_t *exporter_context, size_t exporter_context_len) HS_CHECK_RESULT;
int hpke_receive_export(uint8_t *out, size_t out_len, const hpke_params_t *p,
                        const hpke_key_t *sk_r, const uint8_t *enc, size_t enc_len,
                        const uint8_t *exporter_context,
                        size_t exporter_context_len) HS_CHECK_RESULT;

#endif
