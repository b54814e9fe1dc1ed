/*
 * sig0.h -- SIG(0) transaction signatures (RFC 2931) over DNS messages,
 * with keys in BIND's K<name>+<alg>+<tag>.{key,private} files.
 *
 * What is signed and verified (rfc-drafts/draft-hsync-sig0.md has the
 * full byte layout): the SIG RDATA up to and including the signer name
 * (uncompressed, lowercase), followed by the DNS message as it was before
 * the SIG RR was appended (ARCOUNT not counting the SIG). Verification
 * always runs over the bytes as received, never over a re-packed copy.
 *
 * Algorithms (one row each in alg.c): ED25519 (15, the default),
 * ECDSAP256SHA256 (13), ECDSAP384SHA384 (14), RSASHA256 (8), RSASHA512
 * (10). Key tags are computed over the KEY RDATA as in RFC 4034 App. B.
 *
 * Time never comes from inside: every call takes an explicit `now`
 * (seconds since the Unix epoch); callers with an hs_env_t pass
 * hs_now_s(env).
 *
 * Safety against CPU exhaustion (CVE-2024-1975 class): exactly one SIG is
 * considered (the last RR of the additional section), every cheap check
 * (structure, time, signer name, key tag, algorithm) runs before any
 * public-key operation, at most `max_candidates` keys are tried per
 * message, and an optional per-source budget (sig0_budget_t) is charged
 * one token per public-key operation.
 *
 * A client (e.g. hsdig +sig0=Kfile) signs its query and checks the answer:
 *
 *     sig0_key_t *mine, *theirs;
 *     sig0_key_load_private("Kme.example.+015+12345.private", &mine, &em);
 *     sig0_key_from_rr_text("ns.example. IN KEY 512 3 15 ...", &theirs, &em);
 *     sig0_sign(mine, &query, hs_now_s(env), NULL, &em);   // query: hs_buf_t
 *     ... send query, receive `resp` (bytes as received) ...
 *     const sig0_key_t *set[] = {theirs};
 *     sig0_verdict_t v;
 *     if (sig0_verify(resp, resp_len, set, 1, hs_now_s(env), NULL, &v) != HS_OK)
 *             printf(";; SIG(0) %s: %s\n", sig0_status_name(v.status), v.reason);
 */
#ifndef HS_SIG0_SIG0_H
#define HS_SIG0_SIG0_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

/* DNSSEC algorithm numbers hsync handles. */
enum sig0_alg_number {
	SIG0_ALG_RSASHA256 = 8,
	SIG0_ALG_RSASHA512 = 10,
	SIG0_ALG_ECDSAP256SHA256 = 13,
	SIG0_ALG_ECDSAP384SHA384 = 14,
	SIG0_ALG_ED25519 = 15,
};

#define SIG0_TYPE_SIG       24
#define SIG0_TYPE_KEY       25
#define SIG0_CLASS_ANY      255
#define SIG0_KEY_FLAGS_HOST 512 /* BIND's -n HOST: zone key bit off, "host/entity" */
#define SIG0_KEY_PROTOCOL   3

#define SIG0_DEFAULT_ALG        SIG0_ALG_ED25519
#define SIG0_DEFAULT_FUDGE      300 /* inception = now - fudge */
#define SIG0_DEFAULT_LIFETIME   300 /* expiration = now + lifetime */
#define SIG0_DEFAULT_SKEW       60  /* verifier's clock allowance */
#define SIG0_DEFAULT_MAX_WINDOW 86400
#define SIG0_DEFAULT_CANDIDATES 4
#define SIG0_MAX_CANDIDATES     16 /* hard ceiling for max_candidates */

/* ------------------------------------------------------------------ */
/* Algorithms                                                          */

/* Parse "ED25519", "ecdsap256sha256", or a number ("15") into `*alg`.
 * HS_E_NOTSUP for an algorithm hsync does not implement. */
int sig0_alg_parse(const char *text, uint8_t *alg) HS_CHECK_RESULT;
/* BIND's mnemonic ("ED25519"), or NULL when unsupported. */
const char *sig0_alg_name(uint8_t alg);
/* 1 if hsync can make signatures with `alg` (all supported ones can). */
int sig0_alg_can_sign(uint8_t alg);

/* RFC 4034 Appendix B key tag over a KEY/DNSKEY RDATA. */
uint16_t sig0_key_tag_rdata(const uint8_t *rdata, size_t len);

/* ------------------------------------------------------------------ */
/* Keys                                                                */

/* A public key, or a key pair; immutable once made, so one key may be
 * shared by many threads verifying at once. */
typedef struct sig0_key sig0_key_t;

/*
 * Make a new key pair for owner `name` (presentation form, trailing dot
 * optional). `bits` is the RSA modulus size (0 = 2048; 1024..4096) and
 * must be 0 for the other algorithms. Flags 512, protocol 3.
 * Returns HS_OK, HS_E_NOTSUP (algorithm), HS_E_RANGE (bits), HS_E_NAME,
 * HS_E_CRYPTO. `*out` is the caller's, freed with sig0_key_free().
 */
int sig0_key_generate(uint8_t alg, unsigned bits, const char *name, sig0_key_t **out,
                      hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * A public key from a KEY RR in presentation form:
 *     "child.example. IN KEY 512 3 15 Qfk6n1Ko..."   (TTL and class optional;
 *     base64 may be split by spaces; a trailing "; comment" is ignored).
 * Errors: HS_E_SYNTAX, HS_E_NAME, HS_E_NOTSUP (algorithm), HS_E_BADKEY
 * (public key bytes unusable), HS_E_CRYPTO.
 */
int sig0_key_from_rr_text(const char *text, sig0_key_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* A public key from owner (uncompressed wire name) + KEY RDATA as found in
 * DNS. Errors as sig0_key_from_rr_text, plus HS_E_MALFORMED. */
int sig0_key_from_rdata(const uint8_t *owner, size_t owner_len, const uint8_t *rdata, size_t len,
                        sig0_key_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Read BIND key files. `path` may name the .key file, the .private file
 * or the common base ("Kchild.example.+015+40748").
 * sig0_key_load_public reads the .key file only (comment lines starting
 * with ';' and blank lines are skipped; exactly one KEY RR). A `path`
 * that is not a file but holds a KEY RR text is NOT accepted here: use
 * sig0_key_from_rr_text.
 * sig0_key_load_private reads both files (the name comes from the .key
 * file), checks that the algorithm lines agree and that the private key
 * matches the public one.
 * Errors: HS_E_IO (file), HS_E_SYNTAX, HS_E_NOTSUP, HS_E_BADKEY,
 * HS_E_CRYPTO.
 */
int sig0_key_load_public(const char *path, sig0_key_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;
int sig0_key_load_private(const char *path, sig0_key_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Write `key` (which must hold a private key) as BIND does:
 * DIR/K<name>+<alg>+<tag>.key (mode 0644) and .private (mode 0600), with
 * Created/Publish/Activate set to `created` (Unix seconds). `*base_out`
 * (may be NULL) gets a malloc'd "K<name>+<alg>+<tag>" (no directory).
 * Errors: HS_E_STATE (public-only key), HS_E_IO, HS_E_CRYPTO.
 */
int sig0_key_write_files(const sig0_key_t *key, const char *dir, uint32_t created, char **base_out,
                         hs_errmsg_t *em) HS_CHECK_RESULT;

void sig0_key_free(sig0_key_t *key); /* NULL-safe; wipes private material */

uint16_t sig0_key_tag(const sig0_key_t *key);
uint8_t sig0_key_alg(const sig0_key_t *key);
uint16_t sig0_key_flags(const sig0_key_t *key);
int sig0_key_has_private(const sig0_key_t *key);
/* Owner name, uncompressed wire form, lowercase; valid while the key lives. */
const uint8_t *sig0_key_owner(const sig0_key_t *key, size_t *len);
/* Owner name in presentation form with the trailing dot. */
const char *sig0_key_owner_text(const sig0_key_t *key);
/* The KEY RDATA (flags, protocol, algorithm, public key). */
const uint8_t *sig0_key_rdata(const sig0_key_t *key, size_t *len);
/* Append "name. IN KEY 512 3 15 base64" (no newline) to `out`. */
void sig0_key_rr_text(const sig0_key_t *key, hs_buf_t *out);
/* "name./ALG/TAG" for log lines and tool output (static-free: into buf). */
const char *sig0_key_describe(const sig0_key_t *key, char *buf, size_t n);

/* ------------------------------------------------------------------ */
/* Signing                                                             */

typedef struct sig0_sign_opts {
	uint32_t fudge;    /* inception = now - fudge (default 300) */
	uint32_t lifetime; /* expiration = now + lifetime (default 300) */
	/* signer name in presentation form; NULL = the key's owner */
	const char *signer;
} sig0_sign_opts_t;

void sig0_sign_opts_default(sig0_sign_opts_t *opts);

/*
 * Sign the DNS message held in `msg` (wire form) with `key` and append the
 * SIG RR (owner root, type SIG, class ANY, TTL 0; RDATA: type covered 0,
 * algorithm, labels 0, original TTL 0, expiration, inception, key tag,
 * uncompressed signer name, signature), incrementing ARCOUNT. `opts` may
 * be NULL (defaults). This is the call a client (hsdig +sig0) makes with
 * a key from sig0_key_load_private().
 * On any error `msg` is left as it was.
 * Errors: HS_E_INVAL, HS_E_STATE (no private key), HS_E_MALFORMED or the
 * walker's code (msg is not a well-formed message), HS_E_LIMIT (ARCOUNT
 * would overflow or the message would exceed 65535 bytes), HS_E_NAME
 * (signer), HS_E_CRYPTO.
 */
int sig0_sign(const sig0_key_t *key, hs_buf_t *msg, uint32_t now, const sig0_sign_opts_t *opts,
              hs_errmsg_t *em) HS_CHECK_RESULT;

/* ------------------------------------------------------------------ */
/* Verification budget: token buckets per source                       */

typedef struct sig0_budget sig0_budget_t;

typedef struct sig0_budget_cfg {
	uint32_t rate;        /* tokens added per second per source (> 0) */
	uint32_t burst;       /* bucket size (>= 1) */
	uint32_t max_sources; /* sources remembered; the least recently used
	                       * is forgotten beyond this (0 = 4096) */
} sig0_budget_cfg_t;

/* A budget using `env`'s monotonic clock (borrowed for the budget's
 * life). Never NULL; HS_E_INVAL cases (rate 0, burst 0) are clamped to 1. */
sig0_budget_t *sig0_budget_new(const hs_env_t *env, const sig0_budget_cfg_t *cfg);
void sig0_budget_free(sig0_budget_t *b);

/* HS_OK if `source` has at least `n` tokens (they are taken), else
 * HS_E_RATELIMIT (nothing taken). */
int sig0_budget_take(sig0_budget_t *b, const char *source, unsigned n) HS_CHECK_RESULT;
/* HS_OK if `source` has a token left (none taken), else HS_E_RATELIMIT:
 * the transport's check before it even parses. */
int sig0_budget_check(sig0_budget_t *b, const char *source) HS_CHECK_RESULT;

/*
 * Reduce an address string ("192.0.2.7", "2001:db8::1") to its budget key:
 * the network of the first `v4_prefix` / `v6_prefix` bits in text
 * ("192.0.2.0/24"). HS_E_INVAL for text that is not an address, HS_E_SPACE
 * when `out` (at least 64 bytes is enough) is too small.
 */
int sig0_budget_source(const char *addr, unsigned v4_prefix, unsigned v6_prefix, char *out,
                       size_t outlen) HS_CHECK_RESULT;

/* ------------------------------------------------------------------ */
/* Verification                                                        */

enum sig0_status {
	SIG0_VALID = 0,
	SIG0_UNSIGNED,    /* no SIG RR at the end of the message */
	SIG0_MALFORMED,   /* message or SIG RR not well formed, SIG not last, two SIGs */
	SIG0_BADTIME,     /* outside inception - skew .. expiration + skew */
	SIG0_UNKNOWN_KEY, /* no key with this signer name, algorithm and tag */
	SIG0_BADSIG,      /* every candidate key rejected the signature */
	SIG0_RATELIMITED, /* budget exhausted before a public-key operation */
	SIG0_ERROR,       /* could not check: crypto library error */
};

typedef struct sig0_verify_opts {
	uint32_t skew;           /* clock allowance on both ends (default 60) */
	uint32_t max_window;     /* expiration - inception at most this (0 = any) */
	unsigned max_candidates; /* keys tried per message (0 = 4; capped at 16) */
	sig0_budget_t *budget;   /* optional; charged per public-key operation */
	const char *source;      /* budget key for this message (with budget) */
} sig0_verify_opts_t;

void sig0_verify_opts_default(sig0_verify_opts_t *opts);

/* The outcome of one verification; always filled by sig0_verify. */
typedef struct sig0_verdict {
	enum sig0_status status;
	int err;               /* HS_OK or the HS_E_* code sig0_verify returned */
	const sig0_key_t *key; /* the key that verified (VALID only), from `keys` */
	size_t key_index;      /* its index in `keys` */
	uint8_t alg;           /* from the SIG RR, once parsed */
	uint16_t key_tag;
	uint32_t inception, expiration;
	size_t sig_off;      /* offset of the SIG RR in the message */
	unsigned candidates; /* keys that matched name, algorithm and tag */
	unsigned crypto_ops; /* public-key operations done */
	char signer[256];    /* signer name, presentation form, if parsed */
	char reason[160];    /* one line: why (lowercase, no period) */
} sig0_verdict_t;

/*
 * Verify the SIG(0) of the message `msg` (`len` bytes exactly as received)
 * against `keys` (`nkeys` public keys, any owners; NULL entries skipped).
 * `opts` may be NULL (defaults). This is the call a client makes on a
 * response and a server on a request.
 *
 * Returns and sets verdict->status:
 *   HS_OK           SIG0_VALID (verdict->key is the key)
 *   HS_E_NOTFOUND   SIG0_UNSIGNED
 *   HS_E_MALFORMED  SIG0_MALFORMED (also for bad walker codes)
 *   HS_E_BADTIME    SIG0_BADTIME
 *   HS_E_NOKEY      SIG0_UNKNOWN_KEY
 *   HS_E_BADSIG     SIG0_BADSIG
 *   HS_E_RATELIMIT  SIG0_RATELIMITED (no public-key operation was done
 *                   after the budget ran out)
 *   HS_E_CRYPTO     SIG0_ERROR (could not check)
 *   HS_E_INVAL      bad arguments (verdict is SIG0_ERROR)
 */
int sig0_verify(const uint8_t *msg, size_t len, const sig0_key_t *const *keys, size_t nkeys,
                uint32_t now, const sig0_verify_opts_t *opts, sig0_verdict_t *verdict);

/* "valid", "unsigned", "malformed", "bad time", "unknown key", "bad
 * signature", "rate limited", "could not check". */
const char *sig0_status_name(enum sig0_status s);

/*
 * How a responder answers a request whose verification ended in `s`
 * (draft-hsync-sig0 "Signalling failures"): the 12-bit RCODE and the EDE
 * code. Extended RCODEs (BADKEY 17, BADTIME 18) need an OPT RR in the
 * response; when the request had none (`have_opt` 0) REFUSED is used.
 * BADSIG (16) is never sent: in an OPT RR 16 means BADVERS.
 * For SIG0_VALID both are 0.
 */
uint16_t sig0_status_rcode(enum sig0_status s, int have_opt);
uint16_t sig0_status_ede(enum sig0_status s);

#endif
