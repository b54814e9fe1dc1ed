/* zs_int.h -- what the files of the zone signer (zsign.h) share. */
#ifndef HS_DNSSEC_ZS_INT_H
#define HS_DNSSEC_ZS_INT_H

#include <openssl/evp.h>

#include "dnssec/zsign.h"
#include "wire/cursor.h"

#define ZS_LOG "zsign"

struct zs_alg;

/* Per family (ECDSA, EdDSA): what differs between OpenSSL and the DNS. */
struct zs_alg_ops {
	/* the public key as DNSKEY key octets, appended */
	int (*pub_export)(const struct zs_alg *a, EVP_PKEY *k, hs_buf_t *out);
	/* DNSKEY key octets -> a public key; HS_E_BADKEY when unusable */
	int (*pub_import)(const struct zs_alg *a, const uint8_t *p, size_t n, EVP_PKEY **out);
	/* OpenSSL's signature -> DNSSEC wire form, appended */
	int (*sig_to_wire)(const struct zs_alg *a, const uint8_t *s, size_t n, hs_buf_t *out);
	/* DNSSEC wire form -> what OpenSSL verifies; HS_E_BADSIG when unusable */
	int (*sig_from_wire)(const struct zs_alg *a, const uint8_t *s, size_t n, hs_buf_t *out);
	int (*generate)(const struct zs_alg *a, EVP_PKEY **out);
};

/* One row per algorithm (STYLE.md item 9). */
struct zs_alg {
	uint8_t number;
	const char *name;
	const char *md;    /* digest for EVP_DigestSign; NULL for EdDSA */
	const char *group; /* EC group or EdDSA key type */
	size_t size;       /* coordinate / key length in octets */
	size_t maxsig;     /* largest signature OpenSSL returns */
	const struct zs_alg_ops *ops;
};

const struct zs_alg *zs_alg_find(uint8_t number);
extern const struct zs_alg_ops zs_ops_ecdsa, zs_ops_eddsa;

struct zs_key {
	unsigned refs; /* atomic */
	const struct zs_alg *alg;
	EVP_PKEY *pkey;
	int has_private;
	uint16_t flags, tag;
	uint8_t *rdata; /* DNSKEY RDATA */
	size_t rdlen;
};

/* Per-thread signing contexts, one per key, initialised once and copied
 * for each signature (OpenSSL 3 makes every fresh initialisation fetch
 * the algorithm under a global lock). */
struct zs_sigcache {
	struct {
		const zs_key_t *key;
		EVP_MD_CTX *tmpl, *work;
	} c[16];
	size_t n;
};
/* zs_key_sign through the cache (NULL: no cache). */
int zs_key_sign_cached(struct zs_sigcache *sc, const zs_key_t *k, const uint8_t *data, size_t n,
                       hs_buf_t *out);
void zs_sigcache_free(struct zs_sigcache *sc);

/* A key from an EVP_PKEY (taken) and flags: RDATA and tag computed. */
int zs_key_make(const struct zs_alg *a, EVP_PKEY *pk, int has_private, uint16_t flags,
                zs_key_t **out);
/* Log OpenSSL's error queue (one line), clear it, return HS_E_CRYPTO. */
int zs_ossl_fail(const char *what);

/* ---- canonical form (zs_canon.c) ---- */

/* Copy `rd` into `out` with the names RFC 4034 6.2 (as amended by RFC
 * 6840 5.1) lowercases for `type` lowered; returns 1 when a byte changed. */
int zs_rdata_canon(uint16_t type, const uint8_t *rd, size_t len, uint8_t *out);
/* Labels of a wire name for the RRSIG Labels field (root 0, leading '*'
 * not counted). */
uint8_t zs_rrsig_labels(const uint8_t *name, size_t len);
/* 1 when `type` is one a signer makes and drops from its input. */
int zs_type_is_dnssec(uint16_t type);

/* One RRset to sign: owner, type, TTL and RDATAs: a zn_rrset_t view, or
 * (one != NULL) a single RDATA the signer made (NSEC, NSEC3, the SOA). */
struct zs_rrset {
	const uint8_t *owner;
	size_t owner_len;
	uint16_t type;
	uint32_t ttl;
	zn_rrset_t set;
	const uint8_t *one;
	uint16_t onelen;
};

/* The RRSIG RDATA of `r` by `k` valid from `inception` to `expiration`
 * with signer `apex`, appended to `out`. `scratch` is reused between
 * calls (the signed data). */
int zs_rrsig_make(const zs_key_t *k, const struct zs_rrset *r, const uint8_t *apex, size_t apex_len,
                  uint32_t inception, uint32_t expiration, hs_buf_t *scratch,
                  struct zs_sigcache *sc, hs_buf_t *out);

/* ---- denial (zs_denial.c) ---- */

/* Type bitmap (RFC 4034 4.1.2) of the sorted, unique `types`, appended. */
void zs_bitmap(const uint16_t *types, size_t n, hs_buf_t *out);
/* NSEC3 hash (RFC 5155 5) of a wire name (lowercased here) into out[20]. */
int zs_nsec3_hash(const uint8_t *name, size_t len, const uint8_t *salt, size_t saltlen,
                  uint16_t iterations, uint8_t out[20]);
/* base32hex, lowercase, no padding: 20 octets -> 32 characters. */
void zs_b32hex(const uint8_t in[20], char out[33]);
/* The wire name <b32hex(hash)>.<apex> into out (WIRE_NAME_MAX). */
size_t zs_nsec3_owner(const uint8_t hash[20], const uint8_t *apex, size_t apex_len, uint8_t *out);
/* Decode a 32-character base32hex label into 20 octets; 0 when it is not one. */
int zs_b32hex_decode(const uint8_t *label, size_t len, uint8_t out[20]);

/* ---- the signer (zs_signer.c) ---- */

struct zs_signer {
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	zs_params_t p;
	const hs_env_t *env;
	zs_key_t **keys;
	unsigned *roles;
	size_t nkeys;
};

/* Which keys sign `type` at a name: ZS_ROLE_KSK for the apex key types. */
unsigned zs_role_for(uint16_t type);
/* Inception and expiration for an RRset, jitter from `seed`. */
void zs_times(const zs_signer_t *s, uint64_t seed, const uint8_t *owner, size_t owner_len,
              uint16_t type, uint32_t now, uint32_t *inc, uint32_t *exp);
/* The denial TTL of a version with this SOA. */
uint32_t zs_denial_ttl(const zn_rr_t *soa);
/* A fresh jitter seed from the env. */
uint64_t zs_seed(const zs_signer_t *s);
/* Sign `r` with every key of the right role; RRSIG RDATAs appended to
 * `out` as (u16 length, octets) pairs; *count incremented. */
int zs_sign_rrset(const zs_signer_t *s, const struct zs_rrset *r, uint32_t inc, uint32_t exp,
                  hs_buf_t *scratch, struct zs_sigcache *sc, hs_buf_t *out, size_t *count);

#endif
