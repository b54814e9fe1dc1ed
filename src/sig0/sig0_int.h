/*
 * sig0_int.h -- what the files of src/sig0 share; not for other layers.
 */
#ifndef HS_SIG0_SIG0_INT_H
#define HS_SIG0_SIG0_INT_H

#include <openssl/evp.h>

#include "sig0/sig0.h"
#include "wire/cursor.h"

struct sig0_alg;

/* One "Name: value" line of a BIND .private file. */
struct sig0_privfield {
	char name[32];
	char *value; /* malloc'd, wiped on free */
};

struct sig0_privfile {
	struct sig0_privfield f[16];
	size_t n;
};

/* The private-file fields of one algorithm family, in BIND's order. */
const char *sig0_privfile_get(const struct sig0_privfile *pf, const char *name);

/*
 * The per-family operations (EdDSA, ECDSA, RSA). Every algorithm row
 * points at one of these; nothing outside alg_*.c knows the families.
 */
struct sig0_alg_ops {
	/* public key bytes of the KEY RDATA (after flags/proto/alg) -> key */
	int (*pub_load)(const struct sig0_alg *a, const uint8_t *p, size_t n, EVP_PKEY **out,
	                hs_errmsg_t *em);
	/* key -> public key bytes of the KEY RDATA, appended */
	int (*pub_export)(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out);
	/* OpenSSL signature -> DNSSEC wire form, appended (ECDSA: DER -> r||s) */
	int (*sig_to_wire)(const struct sig0_alg *a, const uint8_t *s, size_t n, hs_buf_t *out);
	/* DNSSEC wire form -> what OpenSSL verifies; HS_E_BADSIG if unusable */
	int (*sig_from_wire)(const struct sig0_alg *a, const uint8_t *s, size_t n, hs_buf_t *out);
	int (*generate)(const struct sig0_alg *a, unsigned bits, EVP_PKEY **out);
	/* .private fields + the public key of the .key file -> key pair */
	int (*priv_load)(const struct sig0_alg *a, const struct sig0_privfile *pf,
	                 const uint8_t *pub, size_t publen, EVP_PKEY **out, hs_errmsg_t *em);
	/* key pair -> "Name: base64" lines after the Algorithm line, appended */
	int (*priv_write)(const struct sig0_alg *a, EVP_PKEY *k, hs_buf_t *out);
};

struct sig0_alg {
	uint8_t number;
	const char *name;                          /* BIND's mnemonic */
	const char *md;                            /* OpenSSL digest name; NULL for EdDSA */
	const char *group;                         /* EC group / EdDSA key type / "RSA" */
	size_t size;                               /* EC/EdDSA: coordinate or key length in bytes */
	unsigned min_bits, max_bits, default_bits; /* RSA modulus */
	int can_sign;
	const struct sig0_alg_ops *ops;
};

const struct sig0_alg *sig0_alg_find(uint8_t number);

extern const struct sig0_alg_ops sig0_ops_eddsa, sig0_ops_ecdsa, sig0_ops_rsa;

struct sig0_key {
	const struct sig0_alg *alg;
	uint16_t flags;
	uint8_t protocol;
	uint16_t tag;
	uint8_t owner[WIRE_NAME_MAX]; /* lowercase wire form */
	size_t owner_len;
	char owner_text[WIRE_NAME_MAX * 4 + 2];
	uint8_t *rdata; /* whole KEY RDATA */
	size_t rdata_len;
	EVP_PKEY *pkey;
	int has_private;
};

/* Build a key from owner + RDATA (public part); takes no ownership. */
int sig0_key_build(const uint8_t *owner, size_t owner_len, const uint8_t *rdata, size_t len,
                   sig0_key_t **out, hs_errmsg_t *em);

/* Log OpenSSL's error queue (one line, `what` first), clear it, and
 * return HS_E_CRYPTO. */
int sig0_ossl_fail(const char *what);

/* Sign `data` with the key's private half; the DNSSEC-form signature is
 * appended to `out`. HS_E_CRYPTO on library failure. */
int sig0_crypto_sign(const sig0_key_t *key, const uint8_t *data, size_t n, hs_buf_t *out);
/* HS_OK (valid), HS_E_BADSIG (invalid), HS_E_CRYPTO (could not check). */
int sig0_crypto_verify(const sig0_key_t *key, const uint8_t *data, size_t n, const uint8_t *sig,
                       size_t siglen);

/* Presentation name <-> uncompressed wire name (absolute; trailing dot
 * optional on input, always written on output). */
int sig0_name_from_text(const char *s, size_t n, uint8_t *out, size_t *outlen) HS_CHECK_RESULT;
void sig0_name_to_text(const uint8_t *name, size_t len, char *out, size_t outlen);

#endif
