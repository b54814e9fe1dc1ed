/*
 * discovery.h -- find peers through DNS and validate what is found (disc_).
 *
 * For a peer identity <id> discovery looks up, through the caller's
 * resolver, with DO=1 and CD=1:
 *
 *   _dns._tcp.<id>  URI      dns://dns.<id>:<port>/   (absent: port 53)
 *   dns.<id>        A, AAAA  the addresses (at least one)
 *   dns.<id>        KEY      the SIG(0) key(s)        (required)
 *   dns.<id>        HPKEKEY  the HPKE key(s)          (required)
 *
 * plus every DNSKEY and DS the chain to a trust anchor needs, and checks
 * every signature itself (src/dnssec; an AD bit is never trusted). The
 * outcome per peer is a disc_result_t: what was found, or why it was
 * refused (one line per name/type that failed). Nothing of a refused
 * peer's data is published.
 *
 * Sans-I/O: the caller sends the queries (disc_query_fn), feeds answers
 * back with disc_on_answer(), and calls disc_tick() at
 * disc_next_deadline(). Time comes from the hs_env_t (monotonic clock for
 * timers, wall clock for RRSIG windows); jitter from its randomness.
 *
 * Timers: a result lives min(TTLs on the chain, RRSIG expiry - now),
 * clamped to [min_lifetime_s, max_lifetime_s]; it is refreshed at 90 % of
 * that. A failed round is retried after backoff_min_ms doubling up to
 * backoff_max_ms, minus up to 10 % jitter; a previous good result stays
 * in force until its own expiry, then the peer fails.
 */
#ifndef HS_ENGINE_DISCOVERY_H
#define HS_ENGINE_DISCOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "dnssec/dnssec.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"

#define DISC_MAX_ADDRS    8
#define DISC_MAX_KEYS     4
#define DISC_MAX_FAILURES 8
#define DISC_DEFAULT_PORT 53

enum disc_state {
	DISC_PENDING = 0, /* first lookup not finished */
	DISC_OK,          /* found and validated */
	DISC_FAILED,      /* refused; see failures */
};

enum disc_trust {
	DISC_TRUST_SECURE = 0,   /* every RRset validated from a trust anchor */
	DISC_TRUST_INSECURE_LAB, /* insecure lab mode: some RRset had no anchor */
};

typedef struct disc_addr {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* 4 or 16 octets, network order */
} disc_addr_t;

/* One name/type that failed, and why. */
typedef struct disc_failure {
	char name[256];
	uint16_t type;
	int code;              /* HS_E_* of a failed lookup, HS_OK if it was answered */
	enum dv_reason reason; /* DV_R_* when the answer was bogus, else DV_R_NONE */
	char text[256];        /* "dns.alpha.lab./KEY: signature does not verify (...)" */
} disc_failure_t;

/* A peer's result (plain data, owned by the disc_t; see disc_peer_result). */
typedef struct disc_result {
	char identity[256]; /* lowercase, final dot */
	enum disc_state state;
	/* valid when state == DISC_OK: */
	enum disc_trust trust;
	disc_addr_t addrs[DISC_MAX_ADDRS];
	size_t naddrs;
	uint16_t port;                /* from the URI; 53 when there is none */
	hs_buf_t keys[DISC_MAX_KEYS]; /* SIG(0) KEY RDATAs */
	size_t nkeys;
	hs_buf_t hpke[DISC_MAX_KEYS]; /* HPKEKEY RDATAs (decoded fine) */
	size_t nhpke;
	uint32_t ttl;        /* lifetime in seconds when found */
	uint64_t expires_ms; /* wall clock (hs_now_ms) when it lapses */
	/* valid when state == DISC_FAILED: */
	disc_failure_t failures[DISC_MAX_FAILURES];
	size_t nfailures;
} disc_result_t;

typedef struct disc disc_t;

/*
 * Send one query: `name` (presentation, final dot), `type`, with DO=1,
 * CD=1, RD=1. Answer later with disc_on_answer(token, ...). Return HS_OK
 * or an HS_E_* code when it cannot be sent (the lookup then fails). Must
 * not call back into the disc_t.
 */
typedef int (*disc_query_fn)(void *arg, const char *name, uint16_t type, uint64_t token);

/* A peer's result changed state (PENDING/OK/FAILED) or, while OK, its
 * data. `res` is valid during the call only. The callback may read
 * results but must not add or remove peers or free the disc_t. */
typedef void (*disc_change_fn)(void *arg, const char *identity, const disc_result_t *res);

typedef struct disc_config {
	const hs_env_t *env;         /* required */
	const dv_anchors_t *anchors; /* borrowed; may be NULL only with insecure */
	int insecure;                /* lab mode: accept names no anchor covers (warns) */
	disc_query_fn query;         /* required */
	void *query_arg;
	disc_change_fn on_change; /* may be NULL */
	void *change_arg;
	uint32_t backoff_min_ms;   /* 0 = 5000 */
	uint32_t backoff_max_ms;   /* 0 = 300000 */
	uint32_t query_timeout_ms; /* an unanswered query fails after this; 0 = 10000 */
	uint32_t min_lifetime_s;   /* 0 = 30 */
	uint32_t max_lifetime_s;   /* 0 = 86400 */
	unsigned max_depth;        /* chain steps; 0 = DV_DEFAULT_MAX_DEPTH */
} disc_config_t;

/* HS_E_INVAL (no env or query function; no anchors without insecure). */
int disc_new(const disc_config_t *cfg, disc_t **out) HS_CHECK_RESULT;
void disc_free(disc_t *d);

/*
 * Start discovering `identity` ("alpha.lab" or "alpha.lab."); its first
 * round starts at the next disc_tick(). HS_E_EXISTS if already there,
 * HS_E_NAME for a name that cannot carry the "_dns._tcp." and "dns."
 * prefixes.
 */
int disc_add_peer(disc_t *d, const char *identity) HS_CHECK_RESULT;

/*
 * New trust anchors and insecure setting (a reload): `anchors` is borrowed
 * like the configuration's and replaces it; every peer not in the middle
 * of a round starts a new one at the next disc_tick(), so the new anchors
 * judge every result. HS_E_INVAL (no anchors without insecure).
 */
int disc_set_trust(disc_t *d, const dv_anchors_t *anchors, int insecure) HS_CHECK_RESULT;

/*
 * Look `identity` up again at the next disc_tick() because something
 * suggests its published data changed (`why`, logged), e.g. it refused a
 * message sealed to an HPKE key it no longer has. Nothing happens while a
 * round runs or within DISC_REFRESH_MIN_MS of the last round's start.
 * HS_E_NOTFOUND if unknown.
 */
#define DISC_REFRESH_MIN_MS 10000
int disc_refresh_peer(disc_t *d, const char *identity, const char *why) HS_CHECK_RESULT;

/* Forget a peer (no callback). HS_E_NOTFOUND if unknown. */
int disc_remove_peer(disc_t *d, const char *identity) HS_CHECK_RESULT;

/*
 * An answer (or failure) for the query sent with `token`: `status` HS_OK
 * with the response message in `wire`, or the HS_E_* why there is none
 * (timeout, network). Unknown or stale tokens: HS_E_NOTFOUND, nothing
 * changes. A malformed answer or one to another question fails that
 * lookup (returns HS_OK: the answer was consumed).
 */
int disc_on_answer(disc_t *d, uint64_t token, int status, const uint8_t *wire, size_t len);

/* Run due timers: start rounds, time out queries, lapse old results. */
void disc_tick(disc_t *d);

/* Monotonic ms (env->mono_ms) of the next timer; UINT64_MAX when none. */
uint64_t disc_next_deadline(const disc_t *d);

/* The current result of a peer, borrowed until the next call into `d`.
 * HS_E_NOTFOUND if unknown. */
int disc_peer_result(const disc_t *d, const char *identity,
                     const disc_result_t **out) HS_CHECK_RESULT;

/*
 * The wire form of one discovery query (draft-hsync-discovery DISC-5):
 * `name` `type` IN with message id `id`, RD and CD set, and an OPT RR
 * with DO and a UDP size of 1232, appended to `out`. The one place these
 * flags are written: hsyncd, hsync-discover and hsync-conform build their
 * queries with it. HS_E_NAME for a bad name.
 */
#define DISC_UDP_SIZE 1232
int disc_query_build(const char *name, uint16_t type, uint16_t id, hs_buf_t *out) HS_CHECK_RESULT;

/* ---- one validated lookup of anything ------------------------------- */

/*
 * What disc_lookup() found: `status` HS_OK when the RRset was answered
 * (possibly empty: n = 0, no validation possible) or the lookup's error;
 * with records, `security` and, when not secure, `why`. The RDATAs
 * (uncompressed, as validated) are borrowed for the callback's duration.
 */
typedef struct disc_lookup_result {
	int status;
	enum dv_security security;
	const hs_buf_t *rdatas;
	size_t n;
	char why[256];
} disc_lookup_result_t;

/* Called once per disc_lookup, from inside disc_on_answer/disc_tick: it
 * must not call into the disc_t. */
typedef void (*disc_lookup_fn)(void *arg, uint64_t id, const disc_lookup_result_t *r);

/*
 * Look `name` (presentation) `type` up now, fresh (not from an earlier
 * answer), with the same DO/CD queries, cache of chain records and
 * validation as a peer's round (dv_validate from the configured anchors;
 * insecure lab mode as configured). `cb(arg, id, result)` follows once
 * the answer and every chain record are in, or a query failed or timed
 * out. *id (may be NULL) identifies it. HS_E_NAME for a bad name.
 * For the parent role's key bootstrap (draft-hsync-parent PS-20, PS-21).
 */
int disc_lookup(disc_t *d, const char *name, uint16_t type, disc_lookup_fn cb, void *arg,
                uint64_t *id) HS_CHECK_RESULT;

/* Number of queries sent so far (for tests and statistics). */
uint64_t disc_queries_sent(const disc_t *d);

/* "pending", "ok", "failed"; "secure", "insecure-lab". */
const char *disc_state_str(enum disc_state s);
const char *disc_trust_str(enum disc_trust t);

/* One line naming every failure ("a; b; c") into `out`. */
void disc_failures_str(const disc_result_t *r, char *out, size_t outlen);

/* ---- URI RDATA (type 256) ------------------------------------------- */

typedef struct disc_uri {
	uint16_t priority;
	uint16_t weight;
	char host[256]; /* as written, without a final dot */
	uint16_t port;  /* 0 when the URI has none */
} disc_uri_t;

/*
 * Parse URI RDATA (priority u16, weight u16, target = the rest) whose
 * target must be `dns://HOST[:PORT][/]`: scheme case-insensitive, HOST a
 * domain name or bracketed IPv6 literal, PORT 1..65535. Errors:
 * HS_E_TRUNC (under 5 octets), HS_E_SYNTAX (target not of that form).
 */
int disc_uri_parse(const uint8_t *rdata, size_t len, disc_uri_t *out,
                   hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
