/*
 * zsign.h -- DNSSEC signing of a zone held by the zone machinery
 * (src/zone): keys, RRSIGs over canonical RRsets, NSEC and NSEC3 chains,
 * full signing of a snapshot, incremental re-signing from a diff, and
 * signature refresh (prefix zs_).
 *
 * What a signed version holds (rfc-drafts/draft-hsync-signer.md, SIGN-n):
 *  - every record of the unsigned version, except the types a signer makes
 *    (RRSIG, NSEC, NSEC3, NSEC3PARAM), which are dropped from the input;
 *    the SOA with the serial the caller gives;
 *  - one RRSIG per RRset and signing key of the right role (RFC 4034
 *    3.1.8.1): keys with ZS_ROLE_KSK sign DNSKEY, CDS and CDNSKEY, keys
 *    with ZS_ROLE_ZSK sign every other RRset; a CSK has both roles (SIGN-1);
 *  - nothing signed below a zone cut: at a delegation only DS and the
 *    denial record are signed, NS and glue are not (SIGN-2);
 *  - NSEC (RFC 4034 4) or NSEC3 (RFC 5155) over the authoritative names
 *    and the delegations; NSEC3 with the RFC 9276 parameters by default
 *    (SHA-1, 0 extra iterations, empty salt, opt-out off) and NSEC3PARAM
 *    at the apex; empty non-terminals get an NSEC3 (SIGN-3, SIGN-4);
 *  - denial TTL min(SOA TTL, SOA minimum) (RFC 9077, SIGN-5);
 *  - inception now - inception_offset, expiration now + validity - jitter,
 *    the jitter a deterministic function of a per-run random seed and the
 *    RRset's owner and type, at most `jitter` seconds (SIGN-6).
 *
 * Output is deterministic in content order whatever the number of worker
 * threads (ECDSA signatures themselves are randomised by the algorithm).
 *
 * Not handled: names occluded by a DNAME are signed like other names; A6.
 *
 * Threads: a zs_signer_t is used by one thread at a time; full signing may
 * use worker threads internally (params.threads) and returns when they
 * are done. Keys are immutable once made and may be shared.
 *
 * Errors: HS_OK or a negative HS_E_*; out-parameters are written only on
 * success; `em` (may be NULL) says why in one lowercase line.
 */
#ifndef HS_DNSSEC_ZSIGN_H
#define HS_DNSSEC_ZSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "zone/zone.h"

#define ZS_TYPE_NS         2
#define ZS_TYPE_SOA        6
#define ZS_TYPE_DS         43
#define ZS_TYPE_RRSIG      46
#define ZS_TYPE_NSEC       47
#define ZS_TYPE_DNSKEY     48
#define ZS_TYPE_NSEC3      50
#define ZS_TYPE_NSEC3PARAM 51
#define ZS_TYPE_CDS        59
#define ZS_TYPE_CDNSKEY    60

#define ZS_FLAG_ZONE   0x0100 /* DNSKEY flags: Zone Key */
#define ZS_FLAG_SEP    0x0001 /* Secure Entry Point */
#define ZS_FLAG_REVOKE 0x0080

/* ---- algorithms -------------------------------------------------------- */

/* 1 when `alg` (DNSSEC algorithm number) can sign here: 13
 * ECDSAP256SHA256, 14 ECDSAP384SHA384, 15 ED25519. */
int zs_alg_supported(uint8_t alg);
/* "ECDSAP256SHA256"...; NULL when unsupported. */
const char *zs_alg_name(uint8_t alg);
/* Parse a mnemonic (any case) or a number; HS_E_NOTSUP otherwise. */
int zs_alg_parse(const char *text, uint8_t *alg) HS_CHECK_RESULT;

/* ---- keys -------------------------------------------------------------- */

/* A DNSSEC key pair (or a public key only): immutable, reference counted
 * (zs_key_ref / zs_key_free), shareable between threads. */
typedef struct zs_key zs_key_t;

/*
 * Load a key pair for zone `apex` (wire) from BIND/ldns key files: `path`
 * names the .private file, the .key file or their common base name.
 * Errors as ds_keys_load (sign.h): HS_E_IO, HS_E_SYNTAX, HS_E_NOTSUP
 * (an algorithm not in the table above), HS_E_CONFIG (another zone's
 * key, no Zone Key flag), HS_E_BADKEY.
 */
int zs_key_load(const char *path, const uint8_t *apex, size_t apex_len, zs_key_t **out,
                hs_errmsg_t *em) HS_CHECK_RESULT;
/* A new key pair of `alg` with DNSKEY `flags` (257 KSK/CSK, 256 ZSK).
 * HS_E_NOTSUP, HS_E_CRYPTO. */
int zs_key_generate(uint8_t alg, uint16_t flags, zs_key_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;
/*
 * The private key as bytes to persist (PKCS#8 DER, appended to `out`,
 * which the caller wipes: hs_buf_free_secret) and back. zs_key_from_private
 * checks the bytes against `dnskey` (the DNSKEY RDATA); HS_E_BADKEY when
 * they do not match or do not parse, HS_E_STATE for a public-only key.
 */
int zs_key_private(const zs_key_t *k, hs_buf_t *out) HS_CHECK_RESULT;
int zs_key_from_private(const uint8_t *dnskey, size_t dnskey_len, const uint8_t *priv,
                        size_t privlen, zs_key_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;
/*
 * A public key from DNSKEY RDATA (flags, protocol 3, algorithm, key), for
 * checking another signer's key: HS_E_MALFORMED (too short, protocol not
 * 3, no Zone Key flag), HS_E_NOTSUP (algorithm), HS_E_BADKEY (key bytes
 * unusable: wrong length, not on the curve).
 */
int zs_key_from_dnskey(const uint8_t *rdata, size_t len, zs_key_t **out,
                       hs_errmsg_t *em) HS_CHECK_RESULT;
zs_key_t *zs_key_ref(zs_key_t *k);
void zs_key_free(zs_key_t *k); /* drops a reference; NULL-safe; wipes private material */

uint16_t zs_key_tag(const zs_key_t *k);
uint8_t zs_key_alg(const zs_key_t *k);
uint16_t zs_key_flags(const zs_key_t *k);
int zs_key_has_private(const zs_key_t *k);
/* The DNSKEY RDATA; valid while the key lives. */
const uint8_t *zs_key_dnskey(const zs_key_t *k, size_t *len);
/* RFC 4034 Appendix B key tag of DNSKEY RDATA. */
uint16_t zs_keytag(const uint8_t *rdata, size_t len);

/*
 * DS RDATA (RFC 4034 5.1; digest 2 = SHA-256, 4 = SHA-384) of DNSKEY
 * `rdata` owned by `apex`, appended to `out` (also the CDS RDATA).
 * HS_E_NOTSUP for another digest, HS_E_MALFORMED for short RDATA.
 */
int zs_ds_rdata(const uint8_t *apex, size_t apex_len, const uint8_t *rdata, size_t len,
                uint8_t digest, hs_buf_t *out) HS_CHECK_RESULT;

/* Sign `data` with `k`; the DNSSEC-form signature appended to `out`
 * (ECDSA r||s). HS_E_STATE for a public-only key, HS_E_CRYPTO. */
int zs_key_sign(const zs_key_t *k, const uint8_t *data, size_t n, hs_buf_t *out) HS_CHECK_RESULT;
/* HS_OK valid, HS_E_BADSIG invalid, HS_E_CRYPTO could not check. */
int zs_key_verify(const zs_key_t *k, const uint8_t *data, size_t n, const uint8_t *sig,
                  size_t siglen) HS_CHECK_RESULT;

/* ---- signing parameters ------------------------------------------------ */

enum zs_denial {
	ZS_NSEC = 1,
	ZS_NSEC3 = 2,
};

#define ZS_DEF_VALIDITY   (14u * 86400u)
#define ZS_DEF_INCEPTION  3600u
#define ZS_NSEC3_SALT_MAX 255

typedef struct zs_params {
	enum zs_denial denial;     /* 0 = ZS_NSEC */
	int nsec3_optout;          /* delegations without DS left out of the chain */
	uint16_t nsec3_iterations; /* RFC 9276: 0 */
	uint8_t nsec3_salt[ZS_NSEC3_SALT_MAX];
	size_t nsec3_saltlen;      /* RFC 9276: 0 */
	uint32_t validity;         /* seconds; 0 = ZS_DEF_VALIDITY */
	uint32_t jitter;           /* seconds at most taken off expirations; 0 = validity / 16 */
	uint32_t inception_offset; /* seconds before now; 0 = ZS_DEF_INCEPTION */
	uint32_t refresh;          /* re-sign when expiring within; 0 = validity / 4 */
	unsigned threads;          /* workers for full signing; 0 or 1 = none */
} zs_params_t;

/* The key roles: a key with both is a CSK. */
#define ZS_ROLE_KSK 0x1u /* signs DNSKEY, CDS, CDNSKEY */
#define ZS_ROLE_ZSK 0x2u /* signs every other RRset */

/* What a signing call did. */
typedef struct zs_stats {
	size_t rrsets_signed; /* RRsets given new signatures */
	size_t signatures;    /* RRSIGs made */
	size_t denial;        /* NSEC/NSEC3 records made (or remade) */
	size_t records;       /* records in the output (full) or in the diff */
	unsigned threads;     /* threads that signed */
} zs_stats_t;

/* ---- the signer ------------------------------------------------------- */

typedef struct zs_signer zs_signer_t;

/* A signer for zone `apex`. `p` NULL = defaults; `env` (borrowed for the
 * signer's life) gives the jitter seeds. HS_E_NAME, HS_E_RANGE (a salt
 * over 255 octets, iterations over 65535 is impossible, validity shorter
 * than jitter + inception offset), HS_E_INVAL. */
int zs_signer_new(const uint8_t *apex, size_t apex_len, const zs_params_t *p, const hs_env_t *env,
                  zs_signer_t **out) HS_CHECK_RESULT;
void zs_signer_free(zs_signer_t *s); /* NULL-safe */
const zs_params_t *zs_signer_params(const zs_signer_t *s);

/*
 * The signing keys and their roles (ZS_ROLE_*; references taken, the
 * previous set released). Every key must have a private half
 * (HS_E_STATE) and at least one key must have each role (HS_E_INVAL),
 * since a zone needs both its DNSKEY RRset and its data signed.
 */
int zs_signer_set_keys(zs_signer_t *s, zs_key_t *const *keys, const unsigned *roles,
                       size_t n) HS_CHECK_RESULT;

/*
 * Sign version `u` (the unsigned zone) at time `now`: the signed version
 * as a builder (the caller's: zn_zone_set or zn_replace) whose SOA has
 * serial `serial`. HS_E_STATE (no keys), HS_E_INVAL (u of another apex),
 * HS_E_EXISTS (an NSEC3 hash collision), HS_E_CRYPTO.
 */
int zs_sign_full(zs_signer_t *s, const zn_snap_t *u, uint32_t now, uint32_t serial,
                 zn_builder_t **out, zs_stats_t *st, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Incremental re-signing. `u` is the new unsigned version, `ud` the diff
 * that led to it from the unsigned version `so` was signed from, `so`
 * the current signed version. The result is the diff that takes `so` to
 * the signed form of `u` with serial `serial`: the RRsets `ud` touched
 * are re-signed (or their signatures removed), the NSEC/NSEC3 records of
 * the names whose existence or types changed and of their chain
 * neighbours are remade, the SOA is re-signed; nothing else changes, so
 * the cost follows the size of `ud`, not of the zone. Another set of
 * keys signing DNSKEY (a KSK added, activated or retired) re-signs the
 * apex DNSKEY, CDS and CDNSKEY only (SIGN-7). A change that affects
 * every denial record (SOA TTL or minimum), another denial mode, or
 * another set of zone-signing keys (every RRset needs the new key's
 * signature) falls back to a full signing compared with `so`.
 * Errors as zs_sign_full, and HS_E_STATE when `so` was not made with the
 * current parameters (denial mode).
 */
int zs_sign_diff(zs_signer_t *s, const zn_snap_t *u, const zn_diff_t *ud, const zn_snap_t *so,
                 uint32_t now, uint32_t serial, zn_diff_t **out, zs_stats_t *st,
                 hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Signature refresh: the diff that re-signs, in `so`, every RRset with a
 * signature expiring before now + refresh, or made by a key that is no
 * longer in the signing set, or missing a signature of a current key, at
 * most `max_rrsets` of them (0 = no limit; the earliest expirations
 * first), and re-signs the SOA with serial `serial`. With nothing to do,
 * *out is NULL (HS_OK). Walks the whole version (reading only); signs
 * only what is due.
 */
int zs_refresh(zs_signer_t *s, const zn_snap_t *so, uint32_t now, uint32_t serial,
               size_t max_rrsets, zn_diff_t **out, zs_stats_t *st, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * The earliest expiration among the signatures of `so` (0 when none):
 * the caller schedules zs_refresh at that time minus the refresh window.
 */
uint32_t zs_earliest_expiry(const zn_snap_t *so);

/*
 * The serial of a new signed version: the unsigned serial when it is
 * newer (RFC 1982) than the last signed one, else the last signed one + 1.
 */
uint32_t zs_next_serial(uint32_t unsigned_serial, uint32_t last_signed);

/* ---- text -------------------------------------------------------------- */

/* Every record of `s` in zone-file form (one line each, canonical order,
 * SOA first), appended to `out`. For tests, verification and tools. */
void zs_zone_text(const zn_snap_t *s, hs_buf_t *out);

/*
 * Read a zone file (RFC 1035 master format as ldns reads it; $ORIGIN
 * defaults to `apex`, $TTL to 3600) into a builder for `apex` (the
 * caller's). `max_records` as zn_builder_limit. HS_E_IO, HS_E_SYNTAX
 * (line named), HS_E_MALFORMED (a record outside the zone), HS_E_LIMIT.
 */
int zs_zone_read_file(const char *path, const uint8_t *apex, size_t apex_len, size_t max_records,
                      zn_builder_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
