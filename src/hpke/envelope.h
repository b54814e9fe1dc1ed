/*
 * envelope.h -- the HPKE envelope of the hsync transport (DESIGN.md 4.2;
 * specified in rfc-drafts/draft-hsync-hpke-envelope.md).
 *
 * One envelope carries one message from sender S to recipient R, sealed
 * in HPKE Auth mode with S's static key to R's HPKEKEY, suite
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM:
 *
 *   offset  size  field
 *   0       1     version (1)
 *   1       2     kem_id  (0x0020)
 *   3       2     kdf_id  (0x0001)
 *   5       2     aead_id (0x0002)
 *   7       8     recipient key id = SHA-256(kem_id || pkRm)[0..7]
 *   15      32    enc
 *   47      rest  ciphertext (plaintext length + 16-octet tag)
 *
 *   info = "hsync-envelope" || version || u8 len || sender name (wire)
 *                           || u8 len || recipient name (wire)
 *   aad  = header (octets 0..46 as received) || u8 len || distribution id
 *
 * Names are party identities ("alpha.example." or without the final dot),
 * put in canonical DNS wire form: lowercase, uncompressed, root label
 * included. The distribution id is 1..63 lowercase hex characters.
 */
#ifndef HS_HPKE_ENVELOPE_H
#define HS_HPKE_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "hpke/hpke.h"
#include "util/buf.h"
#include "util/env.h"

#define HPKE_ENV_VERSION    1
#define HPKE_ENV_KEM        HPKE_KEM_X25519_SHA256
#define HPKE_ENV_KDF        HPKE_KDF_SHA256
#define HPKE_ENV_AEAD       HPKE_AEAD_AES256GCM
#define HPKE_ENV_KEY_ID_LEN 8
#define HPKE_ENV_ENC_LEN    32
#define HPKE_ENV_HEADER_LEN (1 + 2 + 2 + 2 + HPKE_ENV_KEY_ID_LEN + HPKE_ENV_ENC_LEN) /* 47 */
#define HPKE_ENV_OVERHEAD   (HPKE_ENV_HEADER_LEN + HPKE_TAG_LEN)                     /* 63 */
#define HPKE_ENV_MAX_DISTID 63
#define HPKE_ENV_INFO_LABEL "hsync-envelope"

/* A parsed envelope: views into the caller's bytes. */
typedef struct hpke_env_hdr {
	uint8_t version;
	hpke_suite_t suite;
	uint8_t key_id[HPKE_ENV_KEY_ID_LEN];
	const uint8_t *header; /* octets 0 .. header_len-1, as received */
	size_t header_len;
	const uint8_t *enc;
	size_t enc_len;
	const uint8_t *ct;
	size_t ct_len;
} hpke_env_hdr_t;

/* Who and what an envelope is bound to (info and aad). */
typedef struct hpke_env_ids {
	const char *sender;    /* sender identity, e.g. "alpha.example." */
	const char *recipient; /* recipient identity */
	const char *distid;    /* distribution id, lowercase hex */
} hpke_env_ids_t;

/* The key id of a public key (or key pair): the first 8 octets of
 * SHA-256(I2OSP(kem_id, 2) || SerializePublicKey(pk)). HS_E_CRYPTO. */
int hpke_env_key_id(uint8_t out[HPKE_ENV_KEY_ID_LEN], const hpke_key_t *key) HS_CHECK_RESULT;

/*
 * Strict parse of an envelope. Errors: HS_E_TRUNC (shorter than header +
 * tag), HS_E_NOTSUP (version other than 1, or a suite other than the
 * one above). Never fails on the content of key id, enc or ciphertext.
 */
int hpke_env_parse(hpke_env_hdr_t *out, const uint8_t *env, size_t len) HS_CHECK_RESULT;

/*
 * Seal `msg` for `recipient` (public key, KEM 0x0020) with the sender's
 * key pair `sender`; appends the envelope to `out`. The ephemeral key
 * comes from env->random. Errors: HS_E_INVAL (keys of another KEM, a
 * sender key without private part), HS_E_NAME (an identity that is not a
 * plain DNS name), HS_E_SYNTAX (distribution id not 1..63 lowercase hex),
 * HS_E_CRYPTO.
 */
int hpke_env_seal(hs_buf_t *out, const hpke_env_ids_t *ids, const hpke_key_t *sender,
                  const hpke_key_t *recipient, const hs_env_t *env, const uint8_t *msg,
                  size_t len) HS_CHECK_RESULT;

/*
 * Open an envelope with whichever of the recipient's key pairs `keys`
 * (e.g. current and previous during a rollover) has the envelope's key id,
 * checking that it was sealed by `sender` (public key) for `ids`.
 * Appends the plaintext to `out` only on success.
 * Errors: those of hpke_env_parse; HS_E_NOKEY (no key with that id);
 * HS_E_DECRYPT (wrong sender, wrong ids or distribution id, altered
 * bytes: one code, on purpose); HS_E_INVAL, HS_E_NAME, HS_E_SYNTAX for bad
 * arguments; HS_E_CRYPTO when the check could not be made.
 */
int hpke_env_open(hs_buf_t *out, const hpke_env_ids_t *ids, const hpke_key_t *const *keys,
                  size_t nkeys, const hpke_key_t *sender, const uint8_t *env,
                  size_t len) HS_CHECK_RESULT;

/* Canonical lowercase wire form of a DNS name in text form (no escapes;
 * letters, digits, '-' and '_'; the final dot optional). `out` needs 255
 * octets; HS_E_NAME otherwise. Exposed for the transport and tests. */
int hpke_env_name_wire(uint8_t *out, size_t *out_len, const char *name) HS_CHECK_RESULT;

#endif
