/*
 * sgn.h -- the signer role's key engine (prefix sgn_): its zone keys and
 * their states, the multi-signer DNSKEY RRset, CDS/CDNSKEY, the gate on
 * the combiners' final verdicts, and automated rollovers by policy.
 * Semantics: rfc-drafts/draft-hsync-keystate.md (KS-n).
 *
 * Sans I/O like the agent's engine (STYLE.md item 7): the driver feeds
 * events (keys restored from the store, a key generated, the combined
 * zone's DNSKEY RRset, a KEYSTATE from the agent, the parent's DS, an
 * operator's rollover, time) and pops actions: generate a key, persist a
 * state change, send a KEYSTATE to the agent, re-sign a zone. Clock from
 * the hs_env_t (wall clock, seconds). Every key state change goes through
 * one function that logs `zone 'Z' key T: old -> new (why)` and queues a
 * SGN_ACT_KEY_STATE action; the transitions are the store's table
 * (st_dkey_transition_ok).
 *
 * What a zone publishes (KS-20..KS-23): the DNSKEY RRset is the signer's
 * own keys in mpdist, published, standby, active and retired plus every
 * foreign key (another signer's key in the combined zone); the active
 * keys sign (KSK: DNSKEY, CDS, CDNSKEY; ZSK: the rest; CSK: both); with
 * CDS on and parentsync allowing it, CDS (SHA-256) and CDNSKEY cover the
 * SEP keys of every signer (own ones in standby, active and retired: a
 * retired KSK keeps its DS at the parent until it is withdrawn, SIGN-63,
 * and every signer's CDS stays the same set as the others').
 */
#ifndef HS_ENGINE_SIGNER_SGN_H
#define HS_ENGINE_SIGNER_SGN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/signer/sgn_msg.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"

typedef struct sgn sgn_t;

typedef struct sgn_cfg {
	const char *identity; /* the signer's own identity (text); required */
	const char *agent;    /* its agent's identity; NULL = a single-provider signer
	                       * (no distribution: created -> published) */
} sgn_cfg_t;

/* A zone's key policy: one row per option in the daemon's configuration
 * table (signer-policy: section). Times in seconds. */
typedef struct sgn_policy {
	uint8_t alg;           /* 0 = 13 (ECDSAP256SHA256) */
	int csk;               /* one key type (CSK) instead of KSK + ZSK */
	uint32_t zsk_lifetime; /* active time before a ZSK rollover starts; 0 = manual */
	uint32_t ksk_lifetime; /* same for the KSK or CSK; 0 = manual */
	uint32_t propagation;  /* a change reaches every public server within; 0 = 300 */
	uint32_t dnskey_ttl;   /* 0 = 3600 */
	uint32_t max_ttl;      /* largest TTL of signed data; 0 = 86400 */
	uint32_t ds_ttl;       /* the parent's DS TTL; 0 = 86400 */
	int cds;               /* publish CDS/CDNSKEY when parentsync allows */
} sgn_policy_t;

/* Create an engine; `env` outlives it. HS_E_CONFIG (em) for a bad name. */
int sgn_new(const sgn_cfg_t *cfg, const hs_env_t *env, sgn_t **out,
            hs_errmsg_t *em) HS_CHECK_RESULT;
void sgn_free(sgn_t *s); /* NULL-safe */

/* ---- events ---- */

/* Sign `zone` with policy `p` (NULL = defaults); again = a new policy. A
 * zone without own keys asks for them at the next sgn_tick(). */
int sgn_zone_add(sgn_t *s, const char *zone, const sgn_policy_t *p,
                 hs_errmsg_t *em) HS_CHECK_RESULT;

/* A key as the store holds it (at start): role ST_DKEY_*, state, since
 * (Unix seconds of its last state change). HS_E_NOTFOUND (zone),
 * HS_E_MALFORMED (rdata), HS_E_LIMIT (too many keys). */
int sgn_key_restore(sgn_t *s, const char *zone, uint8_t role, const uint8_t *rdata, size_t len,
                    int state, int64_t since) HS_CHECK_RESULT;

/* The key asked for by SGN_ACT_GENERATE `req` exists (stored as created):
 * its DNSKEY RDATA. HS_E_NOTFOUND for an unknown request. */
int sgn_key_generated(sgn_t *s, const char *zone, uint64_t req, const uint8_t *rdata,
                      size_t len) HS_CHECK_RESULT;

/*
 * The DNSKEY RRset of the combined zone (the signer's input) and whether
 * parentsync lets the signer publish CDS/CDNSKEY. DNSKEYs that are not
 * the signer's own become foreign keys; a malformed one (KS-24) is
 * refused, logged and shown, never published; foreign keys gone from
 * the set are removed.
 */
int sgn_zone_input(sgn_t *s, const char *zone, const uint8_t *const *rdata, const size_t *len,
                   size_t n, int cds_allowed) HS_CHECK_RESULT;

/*
 * A message from `from` (authenticated by the transport). Only KEYSTATE
 * from the configured agent is taken (KS-30): HS_E_REFUSED otherwise,
 * with the reason in `em`; decoder codes for a bad body; HS_E_NOTFOUND
 * for an unknown zone. Nothing changes on error.
 */
int sgn_message(sgn_t *s, const char *from, const char *type, const uint8_t *body, size_t len,
                hs_errmsg_t *em) HS_CHECK_RESULT;

/* The agent asks for the inventory (RFI KEYSTATE, KS-11). */
int sgn_inventory_request(sgn_t *s, const char *from, const char *zone,
                          hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * The parent's DS RRset for `zone` as the driver found it (SIGN-60..64):
 * `n` DS RDATAs (n = 0: the parent serves none) with the RRset's TTL.
 * A key counts as "DS at the parent" when a DS matches it on key tag,
 * algorithm and digest (digest types zs_ds_rdata knows). A KSK or CSK
 * that is waiting to become active (the double-DS rollover) moves only
 * once its DS has been seen for the DS TTL (`ttl`, or the policy's ds_ttl
 * when the parent has not been asked yet), so that every cache holds a DS
 * set with the new key; a key whose DS goes away loses that and waits
 * again. Each call replaces the previous view. HS_E_NOTFOUND (zone).
 */
int sgn_parent_ds_set(sgn_t *s, const char *zone, const uint8_t *const *ds, const size_t *len,
                      size_t n, uint32_t ttl) HS_CHECK_RESULT;
/* The same by key tags alone (tests and an operator's override; the wait
 * is the policy's ds_ttl). */
int sgn_parent_ds(sgn_t *s, const char *zone, const uint16_t *tags, size_t n) HS_CHECK_RESULT;
/* Whether `zone` has a KSK or CSK waiting for its DS at the parent: the
 * driver asks the parent while this holds (and on its own timer). */
int sgn_zone_wants_ds(const sgn_t *s, const char *zone);

/* Start a rollover of `role` now (hsyncctl keys rollover). HS_E_STATE
 * when one is running for that role, HS_E_NOTFOUND. */
int sgn_rollover(sgn_t *s, const char *zone, uint8_t role, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Time passed: advance what may advance. Always HS_OK. */
int sgn_tick(sgn_t *s);
/* Wall-clock second of the next time-driven step; INT64_MAX if none. */
int64_t sgn_next_deadline(const sgn_t *s);

/* ---- actions ---- */

typedef enum sgn_act_kind {
	SGN_ACT_GENERATE = 1, /* zone, req, alg, flags, role: make a key, store it as
	                       * created, answer sgn_key_generated */
	SGN_ACT_KEY_STATE,    /* zone, rdata, old_state (-1 new), new_state, role, reason */
	SGN_ACT_SEND,         /* to, type ("KEYSTATE"), body */
	SGN_ACT_RESIGN,       /* zone: what it publishes or signs with changed */
} sgn_act_kind_t;

typedef struct sgn_action {
	sgn_act_kind_t kind;
	char zone[256];
	uint64_t req;
	uint8_t alg, role;
	uint16_t flags;
	uint8_t *rdata; /* owned by the action */
	size_t len;
	int old_state, new_state;
	char reason[256];
	char to[256];
	const char *type;
	uint8_t *body; /* owned by the action */
	size_t blen;
} sgn_action_t;

/* Pop the oldest action (the caller's: sgn_action_clear). HS_E_NOTFOUND
 * when none. */
int sgn_next_action(sgn_t *s, sgn_action_t *a) HS_CHECK_RESULT;
void sgn_action_clear(sgn_action_t *a);

/* ---- what a zone publishes and signs with ---- */

typedef struct sgn_rr {
	uint8_t *rdata;
	size_t len;
} sgn_rr_t;

typedef struct sgn_publish {
	sgn_rr_t *dnskey, *cds, *cdnskey; /* RDATAs, sorted by octets */
	size_t ndnskey, ncds, ncdnskey;
	sgn_rr_t *signers; /* DNSKEY RDATAs of the active own keys */
	uint8_t *roles;    /* their ST_DKEY_* roles */
	size_t nsigners;
} sgn_publish_t;

/* The RRsets `zone` publishes now and the keys that sign it (the
 * caller's: sgn_publish_free). HS_E_NOTFOUND. */
int sgn_zone_publish(const sgn_t *s, const char *zone, sgn_publish_t *out) HS_CHECK_RESULT;
void sgn_publish_free(sgn_publish_t *p);

/* ---- introspection (hsyncctl keys) ---- */

typedef struct sgn_key_view {
	uint16_t tag;
	uint8_t alg, role;
	uint16_t flags;
	int state;   /* st_dkey state */
	int foreign; /* another signer's key */
	int64_t since;
	const uint8_t *rdata; /* valid until the next event */
	size_t len;
	char waiting[256]; /* why it does not advance now ("" = nothing to wait for) */
} sgn_key_view_t;

size_t sgn_zone_key_count(const sgn_t *s, const char *zone);
int sgn_zone_key_at(const sgn_t *s, const char *zone, size_t i,
                    sgn_key_view_t *out) HS_CHECK_RESULT;
/* The zone's keys and their waits as JSON (hsyncctl keys list --json). */
void sgn_zone_json(const sgn_t *s, const char *zone, hs_buf_t *out);
/* Refusals so far (KEYSTATE not from the agent, malformed keys...). */
uint64_t sgn_refused(const sgn_t *s);

/*
 * The planned timeline of a rollover of `role` under `p` starting at
 * `start` with no waiting on peers, as text lines "+SECONDS  step"
 * (hsyncctl keys rollover --dry-run), appended to `out`.
 */
void sgn_dry_run(const sgn_policy_t *p, uint8_t role, int64_t start, hs_buf_t *out);

#endif
