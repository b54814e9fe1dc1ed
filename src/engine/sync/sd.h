/*
 * sd.h -- the agent's synchronised data (prefix eng_sd_): what every
 * provider contributes to a zone's shared apex RRsets (NS, DNSKEY, CDS,
 * CSYNC, KEY), per originator and type, with per-record tracking of what
 * every expected recipient did with our own records.
 *
 * Part of the engine's public API (engine.h includes it); the logic lives
 * in src/engine/sync/ and runs inside the sans-I/O agent engine: local
 * changes and received SYNC, CONFIRM, RFI, EDITS and CONFIG messages
 * produce ENG_ACT_SEND actions (SYNC to peers, UPDATE, RFI to the own
 * combiner named by eng_cfg_t.combiner, CONFIRM to originators). Rules
 * and requirement ids: rfc-drafts/draft-hsync-sync.md §5 (SYNC-10..37);
 * bodies: proto/sync_messages.md.
 *
 * Names are canonical text (lowercase, one trailing dot); RDATA is the
 * uncompressed wire form of its type.
 */
#ifndef HS_ENGINE_SYNC_SD_H
#define HS_ENGINE_SYNC_SD_H

#include <stddef.h>
#include <stdint.h>

#include "engine/syncmsg.h"
#include "util/buf.h"
#include "util/errmsg.h"

typedef struct eng eng_t;

/* ---- local changes (SYNC-10, SYNC-11) ---- */

/* One RR of a local contribution. `owner` must be the zone apex. */
typedef struct eng_sd_rr {
	const char *owner;
	uint32_t ttl;
	const uint8_t *rdata;
	size_t rdlen;
} eng_sd_rr_t;

/*
 * Replace our whole own set of `type` in `zone` by `rrs` (n may be 0: the
 * type is withdrawn), e.g. this provider's nameservers from configuration
 * at zone load. RRs equal in (owner, RDATA) are one (the first TTL
 * counts). A set equal to the current one (same RRs, same TTLs) changes
 * nothing and sends nothing. Otherwise a new version (SYNC-1, from the
 * env's wall clock) and change id (random) are made, and UPDATE goes to
 * the own combiner and SYNC to every peer listed ON and introduced
 * (the others get it when they become INTRODUCED, SYNC-34), preceded in
 * the action queue by one ENG_ACT_OWN_SET carrying the new version
 * (SYNC-57: the driver stores it before it sends anything after it).
 *
 * Errors (nothing changes; detail in `em`): HS_E_NOTFOUND the zone is not
 * served here; HS_E_STATE the zone is not multi-provider here;
 * HS_E_NOTSUP the type is not synchronised; HS_E_INVAL an owner that is
 * not the apex (or not a name); HS_E_MALFORMED RDATA that does not decode
 * strictly as its type; HS_E_LIMIT more than SM_MAX_RRS RRs or RDATA over
 * SM_RDATA_MAX octets.
 */
int eng_sd_set_own(eng_t *e, const char *zone, uint16_t type, const eng_sd_rr_t *rrs, size_t n,
                   hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Add or delete one RR of our own set (hsyncctl zone add-rr / del-rr):
 * the current set plus or minus that RR, then as eng_sd_set_own(). Errors
 * of eng_sd_set_own(), and HS_E_EXISTS (add: the RR is in the set, TTL
 * aside), HS_E_NOTFOUND (del: the RR is not in the set), HS_E_AGAIN (own
 * data not rebuilt yet: the combiner's EDITS answer has not arrived and
 * the confirmation timeout since asking has not passed, SYNC-33; an edit
 * now could drop records we do not know about yet).
 */
int eng_sd_add_rr(eng_t *e, const char *zone, uint16_t type, const eng_sd_rr_t *rr,
                  hs_errmsg_t *em) HS_CHECK_RESULT;
int eng_sd_del_rr(eng_t *e, const char *zone, uint16_t type, const eng_sd_rr_t *rr,
                  hs_errmsg_t *em) HS_CHECK_RESULT;

/* 1 when one RR of our own sets of `zone` may be added or deleted now
 * (eng_sd_add_rr/del_rr would not answer HS_E_AGAIN, SYNC-33); 0 while
 * the own data is being rebuilt, or when the zone is not served or not
 * multi-provider here. */
int eng_sd_editable(const eng_t *e, const char *zone);

/* ---- durability of our own sets (SYNC-57) ---- */

/*
 * One version of an own set, as the engine asks the driver to store it
 * (ENG_ACT_OWN_SET, engine.h) or as the driver gives it back at start
 * (eng_sd_restore_own). One allocation: `rrs` and the owners and RDATA
 * they point to live in the same block (eng_sd_own_free). n = 0 with
 * version 0 means "no set".
 */
typedef struct eng_sd_own {
	char zone[256]; /* canonical, ENG_NAME_MAX */
	uint16_t type;
	uint64_t version;
	char change[SM_CHANGE_LEN + 1];
	int restored; /* ENG_ACT_OWN_SET: restored from the combiner's EDITS
	               * (the combiner holds it), not a local change */
	size_t nrrs;
	eng_sd_rr_t *rrs;
} eng_sd_own_t;

void eng_sd_own_free(eng_sd_own_t *o); /* NULL-safe */

/*
 * Install a persisted own set of `type` in `zone` (version, change id,
 * records) without sending anything and without asking to store it
 * again: the driver calls it at start, before the first eng_tick(), with
 * every own set its store holds (and again after a failed store write,
 * with the last stored version, to undo the change that was not stored).
 * It replaces the own set of (zone, type) the engine holds; n = 0 with
 * version 0 drops it. A zone not loaded yet keeps the set until
 * eng_zone_loaded(). The combiner's EDITS then compares versions as
 * usual (SYNC-33): an older EDITS gets UPDATE, a newer one restores.
 * Errors (nothing changes): HS_E_NAME a bad zone name, HS_E_NOTSUP a
 * type not synchronised, HS_E_INVAL an owner that is not the apex or an
 * empty change id, HS_E_LIMIT over SM_MAX_RRS RRs or SM_RDATA_MAX octets.
 */
int eng_sd_restore_own(eng_t *e, const char *zone, uint16_t type, uint64_t version,
                       const char *change, const eng_sd_rr_t *rrs, size_t n,
                       hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- introspection (hsyncctl zone edits) ---- */

/* Summary state of one RR (SYNC-30, SYNC-31). For other originators'
 * RRs the state follows the own combiner's verdict. */
#define ENG_SD_STATES(X)                                                                           \
	X(PENDING, "pending")                                                                      \
	X(ACCEPTED, "accepted")                                                                    \
	X(IGNORED, "ignored")                                                                      \
	X(REJECTED, "rejected")                                                                    \
	X(PENDING_REMOVAL, "pending-removal")                                                      \
	X(REMOVED, "removed")                                                                      \
	X(UNCONFIRMED, "unconfirmed")

typedef enum eng_sd_state {
#define X(n, s) ENG_SD_##n,
	ENG_SD_STATES(X)
#undef X
	    ENG_SD__COUNT
} eng_sd_state_t;

const char *eng_sd_state_name(eng_sd_state_t s);

/* Counters, per zone and for the whole engine. */
#define ENG_SD_COUNTERS(X)                                                                         \
	X(syncs_sent)                                                                              \
	X(syncs_received)                                                                          \
	X(syncs_refused)   /* undecodable or over the limits: no answer (SYNC-20) */               \
	X(syncs_rejected)  /* answered with rejections (SYNC-21) */                                \
	X(syncs_duplicate) /* same version again (SYNC-2) */                                       \
	X(syncs_stale)     /* lower version (SYNC-2) */                                            \
	X(updates_sent)                                                                            \
	X(confirms_sent)                                                                           \
	X(confirms_received)                                                                       \
	X(confirms_ignored) /* unknown change, not about us, stale (SYNC-25) */                    \
	X(confirms_refused) /* from neither the own combiner nor a provider */                     \
	X(confirms_relayed) /* combiner's final verdicts relayed (SYNC-24) */                      \
	X(resends)          /* re-sent to a silent recipient (SYNC-31) */                          \
	X(unconfirmed)      /* records that became unconfirmed */                                  \
	X(rfis_sent)                                                                               \
	X(rfis_received)                                                                           \
	X(edits_received)                                                                          \
	X(configs_received)                                                                        \
	X(keystates_received)    /* inventories from the own signer (KS-12) */                     \
	X(keystates_refused)     /* not from our signer, undecodable, bad keys */                  \
	X(keystates_stale)       /* an inventory not newer than the last */                        \
	X(keystate_reports_sent) /* status, propagated, rejected, removed (KS-13) */               \
	X(keystate_rfis_sent)    /* RFI KEYSTATE to the own signer (KS-11) */

typedef struct eng_sd_counters {
#define X(n) uint64_t n;
	ENG_SD_COUNTERS(X)
#undef X
} eng_sd_counters_t;

/* What one expected recipient said about one RR. */
typedef struct eng_sd_verdict_info {
	char *provider;       /* recipient: a provider; our own identity = own combiner */
	char *by;             /* party that reached the verdict; NULL while none */
	int have;             /* a verdict arrived */
	sm_verdict_t verdict; /* valid when have */
	char *reason;         /* NULL or text */
	uint64_t version;     /* set version the verdict is for */
	uint64_t time_ms;     /* wall clock of its arrival; 0 = none */
	int unconfirmed;      /* no final verdict within the confirmation timeout */
} eng_sd_verdict_info_t;

typedef struct eng_sd_rr_info {
	char *origin; /* originator */
	int own;      /* 1 for our own records */
	uint16_t type;
	char *owner;
	uint32_t ttl;
	uint8_t *rdata;
	size_t rdlen;
	char *rdata_text; /* presentation; RFC 3597 form when it does not decode */
	eng_sd_state_t state;
	int in_set;                      /* 0: removed from the set, removal tracked */
	char change[SM_CHANGE_LEN + 1];  /* change that last touched the record */
	uint64_t version;                /* version of that change */
	uint64_t since_ms;               /* wall clock of the last state change */
	size_t nverdicts;                /* own records: one per expected recipient; */
	eng_sd_verdict_info_t *verdicts; /* others': the own combiner's (if any) */
} eng_sd_rr_info_t;

typedef struct eng_sd_view {
	char *zone;
	char *combiner;           /* NULL when none is configured */
	int rebuilt;              /* the combiner's EDITS arrived (or no combiner) */
	uint32_t combiner_serial; /* from the last EDITS; 0 = none */
	int have_config;
	sm_config_t config; /* the combiner's CONFIG, when have_config */
	size_t unconfirmed; /* own records unconfirmed now */
	eng_sd_counters_t counters;
	size_t nrrs; /* own records first, then by originator and type */
	eng_sd_rr_info_t *rrs;
} eng_sd_view_t;

/* A snapshot of one zone's synchronised data; *out is the caller's
 * (eng_sd_view_free). HS_E_NOTFOUND when the zone is not served here. */
int eng_sd_view(const eng_t *e, const char *zone, eng_sd_view_t **out) HS_CHECK_RESULT;
void eng_sd_view_free(eng_sd_view_t *v); /* NULL-safe */

/* The same as one JSON object (no trailing newline): {zone, combiner,
 * rebuilt, combiner_serial, config, unconfirmed, counters, rrs: [{origin,
 * own, type, type_code, owner, ttl, rdata, state, in_set, change,
 * version, since_ms, verdicts: [{provider, by, verdict, final, reason,
 * version, time_ms, unconfirmed}]}]}. HS_E_NOTFOUND as above. */
int eng_sd_json(const eng_t *e, const char *zone, hs_buf_t *out) HS_CHECK_RESULT;

/* Engine-wide counters (every zone, including removed ones). */
void eng_sd_counters(const eng_t *e, eng_sd_counters_t *out);

#endif
