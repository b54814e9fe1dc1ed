/*
 * dnssec.h -- DNSSEC validation from configured trust anchors (prefix dv_).
 *
 * hsync never trusts an AD bit: it asks for the records with DO=1 and
 * CD=1 and checks every signature itself, walking from the signer of an
 * RRset up to the closest configured trust anchor:
 *
 *   RRset --RRSIG--> DNSKEY(signer) --matches--> anchor at signer, or
 *                                    --matches--> DS(signer) --RRSIG-->
 *                                    DNSKEY(parent) --> ... --> anchor
 *
 * Three pieces:
 *   - dv_anchors_t: trust anchors (DS or DNSKEY records in zone-file text,
 *     also unbound's `trust-anchor: "..."` lines), for any zone.
 *   - dv_rrset_t: one RRset and its RRSIGs taken from an answer message
 *     (dv_rrset_from_wire: the parser of untrusted bytes).
 *   - dv_validate(): the chain walk. It does no I/O: every DNSKEY and DS
 *     it needs comes from the caller's fetch function, which may say "not
 *     yet" (HS_E_AGAIN) so that an asynchronous caller can query and run
 *     the validation again when the answer is in.
 *
 * Limits (deliberate; see rfc-drafts/draft-hsync-discovery.md):
 *   - no NSEC/NSEC3 proofs: an empty answer is just "no records"; an
 *     unsigned delegation below an anchor is bogus (missing DS), never
 *     "provably insecure";
 *   - wildcard-expanded answers are bogus;
 *   - DNSKEYs count only with the Zone Key flag and protocol 3.
 */
#ifndef HS_DNSSEC_DNSSEC_H
#define HS_DNSSEC_DNSSEC_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"

/* ---- results ------------------------------------------------------ */

enum dv_security {
	DV_SECURE = 0, /* every signature on the chain verified */
	DV_INSECURE,   /* no trust anchor covers the name (insecure mode only) */
	DV_BOGUS,      /* an anchor covers it and the chain is broken */
};

enum dv_reason {
	DV_R_NONE = 0,
#define DV_REASON(name, text) DV_R_##name,
#include "dnssec/dv_reasons.def"
#undef DV_REASON
	DV_R__END
};

/* Outcome of one validation (plain data). */
typedef struct dv_result {
	enum dv_security security;
	enum dv_reason reason; /* DV_R_NONE when secure */
	uint32_t ttl;          /* min TTL over the chain, each capped by its RRSIG
	                          original TTL; for insecure: the RRset TTL */
	uint32_t expire;       /* earliest RRSIG expiration used (Unix s); 0 if insecure */
	char text[256];        /* "lab./DNSKEY: no DNSKEY matches the trust anchor" */
} dv_result_t;

/* "secure", "insecure", "bogus". */
const char *dv_security_str(enum dv_security s);
/* The row text of a reason; "ok" for DV_R_NONE, "unknown" out of range. */
const char *dv_reason_str(enum dv_reason r);
/* Symbolic name ("NO_RRSIG") of a reason, for tests and logs. */
const char *dv_reason_name(enum dv_reason r);

/* ---- trust anchors ------------------------------------------------ */

typedef struct dv_anchors dv_anchors_t;

dv_anchors_t *dv_anchors_new(void);
void dv_anchors_free(dv_anchors_t *a);

/*
 * Add the DS and DNSKEY records in `text`: one record per line, zone-file
 * syntax with owner, optional TTL and class ("lab. 3600 IN DS 1234 15 2
 * ABCD..."), or unbound's `trust-anchor: "lab. DS ..."`. Empty lines and
 * ';' or '#' comments are skipped; $TTL/$ORIGIN lines are accepted.
 * Errors: HS_E_SYNTAX (a line that is not a record; em gives the line
 * number), HS_E_UNKNOWN_TYPE (a record other than DS or DNSKEY),
 * HS_E_INVAL (NULL). Nothing is added when an error is returned.
 */
int dv_anchors_add_text(dv_anchors_t *a, const char *text, hs_errmsg_t *em) HS_CHECK_RESULT;

/* The same from a file. HS_E_IO if it cannot be read. */
int dv_anchors_load_file(dv_anchors_t *a, const char *path, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Number of anchor records held. */
size_t dv_anchors_count(const dv_anchors_t *a);

/*
 * The closest anchor owner at or above `name` (presentation form), written
 * to `out` (>= 256 bytes). HS_E_NOTFOUND when no anchor covers `name`.
 */
int dv_anchors_closest(const dv_anchors_t *a, const char *name, char *out, size_t outlen);

/* ---- RRsets from answers -------------------------------------------- */

/*
 * One RRset as answered, with the RRSIGs that cover it. Plain data; the
 * ldns objects belong to the dv_rrset_t (dv_rrset_free).
 */
typedef struct dv_rrset {
	char name[256]; /* owner, lowercase presentation with final dot */
	uint16_t type;
	uint8_t rcode;      /* RCODE of the answer (0 NOERROR, 3 NXDOMAIN) */
	ldns_rr_list *rrs;  /* answer records of (name, type); may be empty */
	ldns_rr_list *sigs; /* answer RRSIGs covering (name, type); may be empty */
} dv_rrset_t;

/*
 * Parse the answer message `wire` to a question (`qname`, `qtype`): the
 * message must be a response (QR=1) whose question is exactly that
 * (name compared case-insensitively) with RCODE NOERROR or NXDOMAIN.
 * Records of other names or types (CNAMEs included: they are not
 * followed) are ignored. The message is walked with the project's strict
 * walker (wire/dnsmsg.h) before ldns reads it.
 * `*out` is the caller's (dv_rrset_free). Errors: HS_E_MALFORMED (not a
 * well-formed DNS message), HS_E_REFUSED (an RCODE other than NOERROR or
 * NXDOMAIN; em names it), HS_E_STATE (not a response, or another question),
 * HS_E_NAME (bad qname), HS_E_INVAL.
 */
int dv_rrset_from_wire(const uint8_t *wire, size_t len, const char *qname, uint16_t qtype,
                       dv_rrset_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* A new empty RRset for (name, type) with RCODE 0; for tests and callers
 * that build RRsets from other sources. HS_E_NAME for a bad name. */
int dv_rrset_new(const char *name, uint16_t type, dv_rrset_t **out) HS_CHECK_RESULT;

/* Add a copy of `rr` to the records or (RRSIG) signatures of `s`:
 * HS_E_INVAL if its owner or (covered) type is not the RRset's. */
int dv_rrset_add(dv_rrset_t *s, const ldns_rr *rr) HS_CHECK_RESULT;

void dv_rrset_free(dv_rrset_t *s);

/* Number of records (not signatures). */
size_t dv_rrset_count(const dv_rrset_t *s);

/* Smallest TTL of the records; 0 when empty. */
uint32_t dv_rrset_min_ttl(const dv_rrset_t *s);

/* ---- validation ----------------------------------------------------- */

/*
 * The caller's source of DNSKEY and DS RRsets. For `name` (lowercase
 * presentation with final dot) and `type` (DNSKEY or DS) return:
 *   HS_OK       *out set (borrowed until dv_validate returns); an empty
 *               RRset means "no such records";
 *   HS_E_AGAIN  not available yet (the caller has asked for it and will
 *               run the validation again when it arrives);
 *   other       the lookup failed; `em` (may be NULL) says why.
 */
typedef int (*dv_fetch_fn)(void *arg, const char *name, uint16_t type, const dv_rrset_t **out,
                           hs_errmsg_t *em);

#define DV_DEFAULT_MAX_DEPTH 8

/* What a validation works with (plain data; pointers borrowed). */
typedef struct dv_ctx {
	const dv_anchors_t *anchors;
	dv_fetch_fn fetch;
	void *fetch_arg;
	uint32_t now;       /* Unix seconds the signatures must be valid at */
	unsigned max_depth; /* DS steps from the RRset to its anchor; 0 = default */
	int allow_insecure; /* insecure lab mode: accept names no anchor covers */
} dv_ctx_t;

/*
 * Validate `rrset` (at least one record) and fill `*out`:
 *   DV_SECURE   a signature verified with a DNSKEY that chains to an anchor;
 *   DV_INSECURE no anchor covers the owner and ctx->allow_insecure is set
 *               (logged as a warning every time);
 *   DV_BOGUS    anything else, with a reason (no anchor without insecure
 *               mode is DV_R_NO_ANCHOR).
 * Returns HS_OK (*out written), HS_E_AGAIN (the fetch function has not got
 * some record yet; run again later), HS_E_INVAL (NULL, empty RRset), or
 * the fetch function's error when a lookup failed ("could not check":
 * `em` names the name/type and why).
 */
int dv_validate(const dv_ctx_t *ctx, const dv_rrset_t *rrset, dv_result_t *out,
                hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Validate the DNSKEY RRset of `zone` alone (the step of the chain walk),
 * for callers and tests that want the zone's keys. As dv_validate.
 */
int dv_validate_zone_keys(const dv_ctx_t *ctx, const char *zone, dv_result_t *out,
                          hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
