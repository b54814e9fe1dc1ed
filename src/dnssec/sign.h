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

/* ---- answers ----------------------------------------------------------- */

/* One query, as parsed by the caller (transport/endpoint.h tp_req_parse). */
typedef struct ds_query {
	uint16_t id;
	uint16_t flags;       /* the request's second header word (RD is copied) */
	const uint8_t *qname; /* uncompressed wire name */
	size_t qname_len;
	uint16_t qtype, qclass;
	int has_opt;   /* the request had EDNS(0) */
	int dnssec_ok; /* DO bit */
	size_t limit;  /* largest reply the requester takes */
	int tcp;       /* it came over TCP */
} ds_query_t;

/* EDNS(0) UDP size we announce in answers. */
#define DS_EDNS_SIZE 1232

/* 1 if `qname` is one uncompressed wire name at or below the apex (0 for
 * anything else, malformed bytes included). */
int ds_zone_covers(const ds_zone_t *z, const uint8_t *qname, size_t qname_len);

/*
 * The authoritative answer to `q` (a standard query for a name the zone
 * covers), appended to `out`: AA set, the RRset (or every RRset for ANY);
 * NXDOMAIN/NODATA with the SOA in authority; with DO the RRSIGs and the
 * NSEC records proving the denial (and the wildcard's). A class other than
 * IN is REFUSED; a reply over `q->limit` becomes header + question (+ OPT)
 * with TC=1, and so does every ANY over UDP (RFC 8482: the zone is not an
 * amplifier; ANY over TCP gets every RRset). AXFR and IXFR get NOTIMP here (see ds_zone_axfr).
 * Errors: HS_E_INVAL (NULL), HS_E_NAME (qname not a name, or outside the zone).
 */
int ds_zone_answer(const ds_zone_t *z, const ds_query_t *q, hs_buf_t *out) HS_CHECK_RESULT;

/*
 * The whole zone as one AXFR response message (SOA, every record with its
 * signatures, SOA) for `q` (qtype AXFR at the apex), appended to `out`.
 * Errors: HS_E_INVAL, HS_E_NAME (not the apex, or not a name), HS_E_LIMIT (over 65535
 * octets).
 */
int ds_zone_axfr(const ds_zone_t *z, const ds_query_t *q, hs_buf_t *out) HS_CHECK_RESULT;

/* An empty reply to `q` with RCODE `rcode` (REFUSED, FORMERR, NOTIMP, or
 * DS_RCODE_BADVERS: its upper bits go into the OPT, so only when
 * q->has_opt). HS_E_INVAL (NULL, BADVERS without EDNS), HS_E_NAME (qname
 * not one uncompressed wire name). */
#define DS_RCODE_BADVERS 16
int ds_reply_rcode(const ds_query_t *q, uint8_t rcode, int aa, hs_buf_t *out) HS_CHECK_RESULT;

#endif
