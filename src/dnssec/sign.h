/*
 * sign.h -- an agent's own identity zone, built and DNSSEC-signed in
 * memory, and answered from (prefix ds_).
 *
 * The zone of identity <id> (its apex) holds exactly:
 *
 *   <id>               SOA   dns.<id>. hostmaster.<id>. SERIAL 3600 600 1209600 TTL
 *   <id>               NS    the configured names (default dns.<id>.)
 *   <id>               DNSKEY every configured key
 *   dns.<id>           A / AAAA  the configured addresses
 *   dns.<id>           KEY     our SIG(0) public key (RDATA as given)
 *   dns.<id>           HPKEKEY our HPKE public key (type 65290, RDATA as given)
 *   _dns._tcp.<id>     URI   10 1 "dns://dns.<id>:PORT/"
 *
 * signed with NSEC by ldns with the caller's keys (KSK: flags 257, from
 * the .key file). Signatures are valid from now - 1 h to now + validity;
 * `now` comes from the caller (no clock is read here). The SOA serial is
 * max(previous + 1, now), so it increases on every re-sign.
 *
 * Names below the apex that are not in the zone (the transport's
 * <distid>.<id>, <seq>.<R-id>.<distid>.<id>) are the transport's business:
 * the daemon sends CHUNK queries, NOTIFYs and signed messages elsewhere
 * before asking ds_zone_answer.
 */
#ifndef HS_DNSSEC_SIGN_H
#define HS_DNSSEC_SIGN_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "zone/zone.h"

/* ---- keys ------------------------------------------------------------- */

typedef struct ds_keys ds_keys_t;

/*
 * Load the DNSSEC signing keys for `zone` (presentation, absolute or not):
 * `paths[i]` names a key pair in BIND/ldns format -- the .private file, the
 * .key file or their common base name; both files must exist. The .key
 * file gives owner, flags (257 = KSK) and the public key, which must match
 * the private one. `*out` is the caller's (ds_keys_free).
 * Errors (detail in `em`, naming the file): HS_E_INVAL (no paths, NULL),
 * HS_E_NAME (bad zone), HS_E_IO (a file cannot be read), HS_E_SYNTAX
 * (not a key file / no DNSKEY in the .key file), HS_E_NOTSUP (an algorithm
 * we do not sign with: supported are 8, 10, 13, 14, 15, 16), HS_E_CONFIG
 * (the key belongs to another zone, or it lacks the Zone Key flag),
 * HS_E_BADKEY (private and public halves differ).
 */
int ds_keys_load(const char *zone, const char *const *paths, size_t n, ds_keys_t **out,
                 hs_errmsg_t *em) HS_CHECK_RESULT;
void ds_keys_free(ds_keys_t *k); /* NULL-safe; ldns frees the private material */

/*
 * Make a new Ed25519 key pair for `zone` with flags 257 (KSK: it signs
 * everything when alone) and write it in BIND/ldns format to `dir`:
 * K<zone>+015+<tag>.key and .private (mode 0600). `base_out` (may be
 * NULL) gets "dir/K<zone>+015+<tag>", the caller's (free). For tools that
 * serve an identity zone of their own (hsync-conform); ds_keys_load reads
 * the result. Errors: HS_E_INVAL, HS_E_NAME, HS_E_CRYPTO (ldns could not
 * generate), HS_E_IO (a file).
 */
int ds_keys_generate(const char *zone, const char *dir, char **base_out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;
size_t ds_keys_count(const ds_keys_t *k);

/*
 * The DS records (SHA-256) for the parent, one line per SEP key (every
 * key when none has the SEP flag): "<zone>\t<ttl>\tIN\tDS\t<tag> <alg> 2
 * <hex>\n", appended to `out`. HS_E_INVAL on NULL.
 */
int ds_keys_ds_text(const ds_keys_t *k, uint32_t ttl, hs_buf_t *out) HS_CHECK_RESULT;

/* ---- the zone ---------------------------------------------------------- */

/* What goes into the zone (pointers borrowed during ds_zone_sign). */
typedef struct ds_idzone_spec {
	const char *apex;      /* the identity, e.g. "agent.a.example." */
	const char *const *ns; /* NS targets; nns == 0: "dns.<apex>" */
	size_t nns;
	const char *const *addrs; /* IPv4/IPv6 literals of dns.<apex> (may be none) */
	size_t naddrs;
	uint16_t port;            /* of the URI */
	const uint8_t *key_rdata; /* KEY RDATA (flags, protocol, alg, key) */
	size_t key_rdlen;
	const uint8_t *hpke_rdata; /* HPKEKEY RDATA (kem, kdf, aead, key) */
	size_t hpke_rdlen;
	uint32_t ttl;      /* of every record; SOA minimum too; 0 = 3600 */
	uint32_t validity; /* seconds signatures stay valid; 0 = 14 days */
} ds_idzone_spec_t;

#define DS_DEFAULT_TTL      3600u
#define DS_DEFAULT_VALIDITY (14u * 86400u)
#define DS_INCEPTION_SLACK  3600u

typedef struct ds_zone ds_zone_t;

/*
 * Build and sign the zone of `spec` at time `now` (Unix seconds) with
 * `keys` (their signing window is set on them). `prev_serial` is the
 * serial last served (0 if none). `*out` is the caller's (ds_zone_free).
 * Errors: HS_E_INVAL (NULL, no keys, empty KEY or HPKEKEY RDATA), HS_E_NAME
 * (bad apex or NS name), HS_E_SYNTAX (an address that is not a literal),
 * HS_E_CRYPTO (ldns could not sign; em says why).
 */
int ds_zone_sign(const ds_idzone_spec_t *spec, ds_keys_t *keys, uint32_t now, uint32_t prev_serial,
                 ds_zone_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;
void ds_zone_free(ds_zone_t *z);

uint32_t ds_zone_serial(const ds_zone_t *z);
uint32_t ds_zone_inception(const ds_zone_t *z);
uint32_t ds_zone_expiration(const ds_zone_t *z);
/* When to sign again: half the validity after signing. */
uint32_t ds_zone_resign_at(const ds_zone_t *z);
/* RRsets (owner, type) other than RRSIG, NSEC included. */
size_t ds_zone_rrset_count(const ds_zone_t *z);
/* The apex, lowercase presentation with final dot. */
const char *ds_zone_apex(const ds_zone_t *z);
/* Every record in canonical order, SOA first (borrowed). */
const ldns_rr_list *ds_zone_rrs(const ds_zone_t *z);
/* Zone-file text of every record, appended to `out`. */
void ds_zone_text(const ds_zone_t *z, hs_buf_t *out);

/* ---- into the zone machinery --------------------------------------------- */

/*
 * Every signed record as a builder of the zone machinery (zone/zone.h)
 * for the apex, the caller's: the identity zone is served, transferred
 * (AXFR/IXFR) and answered from a zn_zone_t like every other served zone
 * (transport/zserve.h, zone/answer.h). HS_E_MALFORMED when a record does
 * not fit (em says which).
 */
int ds_zone_builder(const ds_zone_t *z, zn_builder_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
