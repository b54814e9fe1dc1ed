/*
 * hpke_int.h -- internals shared by the files of src/hpke (not a public
 * header: nothing outside src/hpke includes it, except the module's own
 * tests).
 *
 * Algorithms are rows of three tables (suite.c). The OpenSSL objects a row
 * needs (EVP_MD, EVP_CIPHER, EC_GROUP) are fetched once, at first use, by
 * hpke_algs_init(); the hot path never fetches.
 */
#ifndef HS_HPKE_HPKE_INT_H
#define HS_HPKE_HPKE_INT_H

#include <pthread.h>

#include <openssl/evp.h>

#include "hpke/hpke.h"

struct hpke_kem_alg;

struct hpke_kdf_alg {
	uint16_t id;
	const char *name;   /* "HKDF-SHA256" */
	const char *digest; /* OpenSSL digest name */
	size_t nh;
};

struct hpke_aead_alg {
	uint16_t id;
	const char *name;
	const char *cipher; /* OpenSSL cipher name; NULL for export-only */
	size_t nk, nn, nt;
	EVP_CIPHER *evp; /* fetched once */
};

/* The operations that differ between the X25519 and the NIST-curve DHKEMs. */
struct hpke_kem_ops {
	/* Build the EVP_PKEY of a validated private key `sk` (nsk bytes) and
	 * write its serialised public key to `pub` (npk bytes). */
	int (*from_private)(const struct hpke_kem_alg *kem, const uint8_t *sk, EVP_PKEY **pkey,
	                    uint8_t *pub);
	/* Build the EVP_PKEY of a serialised public key (length checked by
	 * the caller); HS_E_BADKEY when it is not a valid point. */
	int (*from_public)(const struct hpke_kem_alg *kem, const uint8_t *pk, EVP_PKEY **pkey);
	/* HS_OK when `sk` (nsk bytes) is a valid private key, else HS_E_BADKEY. */
	int (*check_private)(const struct hpke_kem_alg *kem, const uint8_t *sk);
	/* DeriveKeyPair's choice of the private key from ikm. */
	int (*derive_sk)(const struct hpke_kem_alg *kem, const uint8_t *ikm, size_t ikm_len,
	                 uint8_t *sk);
	/* GenerateKeyPair's private key from the injected randomness. */
	int (*random_sk)(const struct hpke_kem_alg *kem, const hs_env_t *env, uint8_t *sk);
	/* RFC 9180 7.1.4: an all-zero DH output must be rejected (X25519). */
	int reject_zero_dh;
};

struct hpke_kem_alg {
	uint16_t id;
	const char *name;
	uint16_t kdf_id; /* the KEM's own KDF (ExtractAndExpand, DeriveKeyPair) */
	size_t nsecret, npk, nsk, ndh;
	uint8_t bitmask;     /* DeriveKeyPair candidate mask (NIST curves) */
	const char *group;   /* OpenSSL group name (NIST curves) */
	const char *keytype; /* OpenSSL key type: "X25519", "EC" */
	const struct hpke_kem_ops *ops;
	const struct hpke_kdf_alg *kdf; /* resolved at init */
	void *impl;                     /* EC_GROUP * for the NIST curves */
	struct hpke_pkey_cache *cache;  /* see hpke_pkey_fromdata() */
};

struct hpke_key {
	const struct hpke_kem_alg *kem;
	EVP_PKEY *pkey;
	/* A derive context for this private key, prepared once and reused
	 * under `lock` (a busy lock means: make a fresh one), so keys stay
	 * shareable between threads. */
	pthread_mutex_t lock;
	EVP_PKEY_CTX *dctx;
	uint8_t pub[HPKE_MAX_PUBLIC_KEY]; /* serialised, kem->npk bytes */
	uint8_t priv[HPKE_MAX_PRIVATE_KEY];
	int has_priv;
};

/* Fetch everything once; HS_OK or HS_E_CRYPTO. Every public entry point
 * that touches a table calls it (cheap after the first call). */
int hpke_algs_init(void);
const struct hpke_kem_alg *hpke_kem_find(uint16_t id);
const struct hpke_kdf_alg *hpke_kdf_find(uint16_t id);
const struct hpke_aead_alg *hpke_aead_find(uint16_t id);
EVP_MAC *hpke_hmac(void);
EVP_MD *hpke_sha256(void);

/* EVP_PKEY_fromdata with the KEM's key type through a fromdata context
 * kept per KEM (creating one per key costs a provider lookup; OpenSSL's
 * EVP_PKEY_new_raw_*_key_ex pay it on every call). Thread-safe. */
int hpke_pkey_fromdata(const struct hpke_kem_alg *kem, EVP_PKEY **out, int selection,
                       OSSL_PARAM *params);

/* The one place that turns OpenSSL's error queue into a log line: logs
 * "<what>: <openssl reason>" under "hpke", clears the queue, returns
 * HS_E_CRYPTO. */
int hpke_ossl_err(const char *what);

/* ---- kdf.c: HKDF over one reusable HMAC context ---- */

typedef struct hpke_kdf {
	const struct hpke_kdf_alg *alg;
	EVP_MAC_CTX *mac;
	uint8_t suite_id[10];
	size_t suite_id_len;
	/* the HMAC key in `mac`: a call with the same key only re-initialises
	 * (no new ipad/opad hashing); wiped by hpke_kdf_done */
	uint8_t key[HPKE_MAX_SECRET];
	size_t key_len; /* 0: no key yet */
} hpke_kdf_t;

/* Bind `k` (zeroed, or bound before) to the KEM ("KEM" || kem_id) or the
 * key schedule ("HPKE" || ids); an HMAC context of the same digest is
 * kept. Release with hpke_kdf_done (NULL-safe on a zeroed struct). */
int hpke_kdf_init_kem(hpke_kdf_t *k, const struct hpke_kem_alg *kem);
int hpke_kdf_init_suite(hpke_kdf_t *k, const struct hpke_kdf_alg *kdf, hpke_suite_t s);
void hpke_kdf_done(hpke_kdf_t *k);

/* LabeledExtract(salt, label, ikm) -> prk (Nh bytes). Empty salt is Nh zeros. */
int hpke_labeled_extract(hpke_kdf_t *k, uint8_t *prk, const uint8_t *salt, size_t salt_len,
                         const char *label, const uint8_t *ikm, size_t ikm_len);
/* LabeledExpand(prk, label, info, L); L <= 255 * Nh (HS_E_RANGE). */
int hpke_labeled_expand(hpke_kdf_t *k, uint8_t *out, size_t L, const uint8_t *prk,
                        const char *label, const uint8_t *info, size_t info_len);

/* ---- kem.c ---- */

/* Encap / AuthEncap (sk_s NULL = not auth) with ephemeral key `sk_e`;
 * `kdf` is scratch (bound here to the KEM; the caller releases or reuses it);
 * HS_E_BADKEY when a DH result is all zero (a low-order pk_r). */
int hpke_kem_encap(uint8_t *shared, uint8_t *enc, hpke_kdf_t *kdf, const hpke_key_t *pk_r,
                   const hpke_key_t *sk_e, const hpke_key_t *sk_s);
/* Decap / AuthDecap (pk_s NULL = not auth); HS_E_DECRYPT on a bad `enc`
 * or a zero DH result, HS_E_CRYPTO when OpenSSL itself failed. */
int hpke_kem_decap(uint8_t *shared, hpke_kdf_t *kdf, const uint8_t *enc, size_t enc_len,
                   const hpke_key_t *sk_r, const hpke_key_t *pk_s);

/* ---- ctx.c: the values of one setup, for known-answer tests ---- */

typedef struct hpke_trace {
	uint8_t shared_secret[HPKE_MAX_SECRET];
	size_t shared_secret_len;
	uint8_t ks_context[HPKE_MAX_KS_CONTEXT];
	size_t ks_context_len;
	uint8_t secret[HPKE_MAX_SECRET];
	size_t secret_len;
	uint8_t key[HPKE_MAX_KEY];
	size_t key_len;
	uint8_t base_nonce[HPKE_NONCE_LEN];
	size_t base_nonce_len;
	uint8_t exporter_secret[HPKE_MAX_SECRET];
	size_t exporter_secret_len;
} hpke_trace_t;

/* Setups that also fill `trace` (may be NULL). */
int hpke_setup_sender_trace(hpke_ctx_t **out, uint8_t *enc, size_t *enc_len, const hpke_params_t *p,
                            const hpke_key_t *pk_r, const hpke_key_t *sk_e, hpke_trace_t *trace);
int hpke_setup_receiver_trace(hpke_ctx_t **out, const hpke_params_t *p, const hpke_key_t *sk_r,
                              const uint8_t *enc, size_t enc_len, hpke_trace_t *trace);

#endif
