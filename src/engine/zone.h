/*
 * zone.h -- multi-provider analysis of one zone's apex (prefix eng_zone_).
 *
 * Input: the zone name, its apex HSYNC3 and HSYNCPARAM records as wire
 * RDATA, and our own identity. Output: an eng_zone_t saying whether the
 * zone is multi-provider for us and, when not, why (one reason code per
 * cause, with text), our label, the peers (other identities listed ON),
 * the identities listed OFF, and the policy from HSYNCPARAM.
 *
 * Names (zones, identities) are handled in canonical text form: lowercase,
 * one trailing dot, labels of letters, digits, '-' and '_' only (see
 * eng_name_canon()). HSYNC3 labels are kept with one trailing dot
 * stripped, which is how they are compared (DESIGN.md section 3 quirk).
 * An identity listed more than once counts as ON if any of its records
 * says ON (and its label is taken from the first ON record).
 */
#ifndef HS_ENGINE_ZONE_H
#define HS_ENGINE_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"

#define ENG_NAME_MAX 256 /* canonical text name incl. NUL */

/* Why a zone is or is not multi-provider for us (checked in this order). */
#define ENG_ZONE_REASONS(X)                                                                        \
	X(OK, "multi-provider")                                                                    \
	X(MALFORMED, "malformed HSYNC3 or HSYNCPARAM record")                                      \
	X(NO_HSYNC3, "no HSYNC3 at the apex")                                                      \
	X(NO_HSYNCPARAM, "no HSYNCPARAM at the apex")                                              \
	X(MANY_HSYNCPARAM, "more than one HSYNCPARAM at the apex")                                 \
	X(NOT_LISTED, "our identity is not listed in HSYNC3")                                      \
	X(LISTED_OFF, "our identity is listed OFF in HSYNC3")                                      \
	X(NO_PEERS, "no other identity is listed ON in HSYNC3")

typedef enum eng_zone_reason {
#define X(n, t) ENG_ZONE_##n,
	ENG_ZONE_REASONS(X)
#undef X
} eng_zone_reason_t;

/* Short name ("no-hsyncparam") of a reason code, for JSON and logs. */
const char *eng_zone_reason_name(eng_zone_reason_t r);

/* One provider listed in HSYNC3. */
typedef struct eng_provider {
	char *identity; /* canonical text */
	char *label;    /* one trailing dot stripped */
	char *upstream; /* as on the wire; "." = none */
	int on;         /* 1 ON, 0 OFF */
} eng_provider_t;

/* HSYNCPARAM as understood; lists are the comma-joined values as
 * published (NULL when absent). Defaults when absent: nsmgmt owner,
 * parentsync owner, pubcds 0. */
typedef struct eng_zone_policy {
	uint8_t nsmgmt;     /* HS_NSMGMT_OWNER / HS_NSMGMT_AGENT */
	uint8_t parentsync; /* HS_PARENTSYNC_OWNER / HS_PARENTSYNC_AGENT */
	int pubcds;
	char *servers;
	char *signers;
	char *auditors;
	char *suffix;
} eng_zone_policy_t;

typedef struct eng_zone {
	char *name; /* canonical */
	int multi;  /* 1 when multi-provider for us */
	eng_zone_reason_t reason;
	char reason_text[256];
	char *our_label;           /* NULL unless listed */
	size_t nproviders;         /* every HSYNC3 identity, in record order */
	eng_provider_t *providers; /* deduplicated by identity */
	eng_zone_policy_t policy;  /* valid when exactly one HSYNCPARAM */
} eng_zone_t;

/* Canonicalise a text name of `n` octets into `out` (ENG_NAME_MAX):
 * lowercase, one trailing dot, labels 1..63 octets of [a-z0-9-_], at most
 * 253 octets without the dot. Root and empty names are refused.
 * Returns HS_OK or HS_E_NAME. */
int eng_name_canon(const char *in, size_t n, char out[ENG_NAME_MAX]) HS_CHECK_RESULT;

/* Wire-form name → canonical text (same character rules): HS_E_NAME. */
int eng_name_from_wire(const uint8_t *wire, size_t len, char out[ENG_NAME_MAX]) HS_CHECK_RESULT;

/*
 * Analyse a zone. `zone` and `self` are text names (canonicalised here);
 * `hsync3[i]`/`hsync3_len[i]` are the n3 HSYNC3 RDATAs, `param[i]`/
 * `param_len[i]` the np HSYNCPARAM RDATAs. On HS_OK `*out` is filled (free
 * with eng_zone_clear()); a zone that is not multi-provider is still
 * HS_OK, with `multi` 0 and the reason set. Returns HS_E_NAME (detail in
 * `em`) when `zone` or `self` is not a valid name.
 */
int eng_zone_analyse(const char *zone, const char *self, const uint8_t *const *hsync3,
                     const size_t *hsync3_len, size_t n3, const uint8_t *const *param,
                     const size_t *param_len, size_t np, eng_zone_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;

/* Release what eng_zone_analyse() allocated (NULL-safe; zeroes *z). */
void eng_zone_clear(eng_zone_t *z);

/* The provider entry for `identity` (canonical), or NULL. */
const eng_provider_t *eng_zone_provider(const eng_zone_t *z, const char *identity);
/* 1 if `identity` (canonical) is listed ON. */
int eng_zone_lists_on(const eng_zone_t *z, const char *identity);

#endif
