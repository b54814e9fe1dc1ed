/*
 * combiner.h -- the combiner's protocol logic (prefix cmb_): the
 * contributions its own agent forwards, the policy that gives each record
 * its verdict, the combined apex, and the CONFIRM, EDITS and CONFIG answers
 * (rfc-drafts/draft-hsync-sync.md section 7; bodies: engine/syncmsg.h).
 *
 * Like the agent engine (engine/engine.h) the combiner does no I/O: the
 * driver feeds it events (the owner's zone loaded or removed, a message
 * from the transport, an operator's decision) and pops the actions it
 * produced with cmb_next_action(): SEND a body to the own agent, and
 * PUBLISH a zone whose combined apex changed (the driver then reads it
 * with cmb_apex_get() and applies it to the served zone; the SOA serial
 * and the served zone itself are the zone machinery's business). Time
 * comes from the hs_env_t given to cmb_new() (wall clock, for the times
 * shown to operators); there are no timers.
 *
 * Persistence: every accepted contribution is written to the store
 * (st_contrib_*) in one transaction per logical change BEFORE any action
 * that reports it is queued (SYNC-42). cmb_new() loads what the store
 * holds, so a restart gives the same verdicts, EDITS and combined apex. A
 * store failure changes nothing (in memory or on disk) and is returned.
 *
 * Every change of a stored record's verdict goes through one function that
 * logs `zone 'Z' TYPE 'RDATA' from 'ORIGIN': OLD -> NEW (reason)` once
 * (subsystem "combiner", level notice).
 *
 * Names in and out are canonical text (engine/zone.h): lowercase, one
 * trailing dot.
 */
#ifndef HS_ENGINE_COMBINER_COMBINER_H
#define HS_ENGINE_COMBINER_COMBINER_H

#include <stddef.h>
#include <stdint.h>

#include "engine/syncmsg.h"
#include "engine/zone.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "zone/zone.h"

typedef struct cmb cmb_t;

#define CMB_TTL_MIN_DEFAULT 60
#define CMB_TTL_MAX_DEFAULT 604800
#define CMB_PROTECT_MAX     SM_MAX_PROTECT
/* The synchronised types (proto/sync_types.def). */
#define CMB_NTYPES 5

typedef struct cmb_cfg {
	const char *identity;       /* the combiner's own identity; required */
	const char *provider;       /* its own provider (the agent it acts for); required */
	const char *const *protect; /* namespaces this provider protects (SYNC-44 rule 7) */
	size_t nprotect;            /* 0..CMB_PROTECT_MAX */
	uint32_t ttl_min, ttl_max;  /* TTL bounds (rule 6); 0 = the defaults above */
	int manual;                 /* 1: manual approval (rule 13, SYNC-56) */
} cmb_cfg_t;

/*
 * Create a combiner over `store` (opened by the caller; it must outlive the
 * combiner) and load every contribution set it holds. `env` must outlive
 * it. HS_E_CONFIG (detail in `em`) for a bad identity, provider, protected
 * name or TTL bounds; the store's codes when loading fails. *out is
 * written only on success.
 */
int cmb_new(cmb_t **out, const cmb_cfg_t *cfg, st_t *store, const hs_env_t *env,
            hs_errmsg_t *em) HS_CHECK_RESULT;
void cmb_free(cmb_t *c); /* NULL-safe; drops pending actions */

/* Replace the policy settings (protect, TTL bounds, approval) after a
 * configuration reload. Stored verdicts are not touched until the next
 * re-evaluation (cmb_reapply(), or a zone load). The identity and the
 * provider cannot change: HS_E_CONFIG. */
int cmb_configure(cmb_t *c, const cmb_cfg_t *cfg, hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- events ---- */

/* One apex RR of the owner's zone, as the combiner's copy holds it. */
typedef struct cmb_rr_in {
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata; /* uncompressed wire RDATA */
	uint16_t rdlen;
} cmb_rr_in_t;

/*
 * The owner's zone was (re)loaded (SYNC-40): its SOA serial and its apex
 * RRs. The combiner reads HSYNC3 and HSYNCPARAM (draft-hsync-agents) and
 * the RRsets of the synchronised types from `apex`; other types are
 * ignored. Stored records are re-evaluated with the new zone (SYNC-46),
 * sets of originators no longer listed ON are withdrawn (SYNC-47), both in
 * one store transaction; changed verdicts are reported by CONFIRM, and a
 * PUBLISH follows when the combined apex changed (always after the first
 * load). HS_E_NAME for an invalid zone name; store codes (nothing changed).
 * A zone that is not multi-provider here is HS_OK: its stored sets are
 * kept as they are and its apex is served as the owner has it.
 */
int cmb_zone_loaded(cmb_t *c, const char *zone, uint32_t serial, const cmb_rr_in_t *apex, size_t n,
                    hs_errmsg_t *em) HS_CHECK_RESULT;
/* The zone is no longer served: its stored sets are kept. HS_OK or
 * HS_E_NOTFOUND (not loaded). */
int cmb_zone_removed(cmb_t *c, const char *zone) HS_CHECK_RESULT;
/* The driver serves `serial` for the zone now (reported in EDITS).
 * HS_OK or HS_E_NOTFOUND (not loaded). */
int cmb_zone_served(cmb_t *c, const char *zone, uint32_t serial) HS_CHECK_RESULT;

/*
 * A message arrived, already authenticated by the transport as coming from
 * `from`; `type` is the wire type name (exact case). UPDATE, RFI and
 * CONFIRM are accepted from the own provider's agent only (SYNC-41).
 * Returns HS_OK when handled (an UPDATE whose sets are rejected is handled:
 * its CONFIRM says why), HS_E_REFUSED for any other sender,
 * HS_E_UNKNOWN_TYPE for another type, the decoder's code (HS_E_MALFORMED,
 * HS_E_LIMIT, ...) for a body that does not decode or breaks a limit of
 * SYNC-4 (no CONFIRM: there is no trustworthy change id), a store code
 * when persisting failed. Nothing changes on error; every refusal is
 * logged and counted.
 */
int cmb_message(cmb_t *c, const char *from, const char *type, const uint8_t *body,
                size_t len) HS_CHECK_RESULT;

/*
 * Operator decisions on pending records (manual approval, SYNC-56): every
 * pending record of `zone` matching `origin` (NULL = any), `type` (0 =
 * any) and `rdata` (NULL = any) is approved (verdict applied; the approval
 * is kept while the record stays in its originator's sets) or rejected
 * (deleted, verdict rejected `operator`). One store transaction; a final
 * CONFIRM per set to the own agent. *n (may be NULL) = records decided.
 * HS_E_NOTFOUND when nothing matched.
 */
int cmb_approve(cmb_t *c, const char *zone, const char *origin, uint16_t type, const uint8_t *rdata,
                size_t rdlen, size_t *n) HS_CHECK_RESULT;
int cmb_reject(cmb_t *c, const char *zone, const char *origin, uint16_t type, const uint8_t *rdata,
               size_t rdlen, size_t *n) HS_CHECK_RESULT;

/* Delete every stored set of `origin` in `zone` (NULL = every zone) in
 * one transaction; each record is reported rejected `operator` by CONFIRM.
 * *n (may be NULL) = sets deleted. HS_E_NOTFOUND when there was none. */
int cmb_purge(cmb_t *c, const char *zone, const char *origin, size_t *n) HS_CHECK_RESULT;

/* Re-evaluate the stored records of `zone` (NULL = every loaded zone) as
 * a zone load does (SYNC-46, SYNC-47), e.g. after cmb_configure().
 * *changed (may be NULL) = records whose verdict changed. HS_E_NOTFOUND
 * for a named zone that is not loaded. */
int cmb_reapply(cmb_t *c, const char *zone, size_t *changed) HS_CHECK_RESULT;

/* ---- actions ---- */

typedef enum cmb_act_kind {
	CMB_ACT_SEND = 1, /* peer (the own agent), type_name, body/len, zone */
	CMB_ACT_PUBLISH,  /* zone: its combined apex changed */
} cmb_act_kind_t;

typedef struct cmb_action {
	cmb_act_kind_t kind;
	char peer[ENG_NAME_MAX];
	const char *type_name; /* static: "CONFIRM", "EDITS", "CONFIG" */
	uint8_t *body;         /* owned by the action */
	size_t len;
	char zone[ENG_NAME_MAX];
} cmb_action_t;

/* Pop the oldest action into *act (the caller releases it with
 * cmb_action_clear). HS_OK, or HS_E_NOTFOUND when there is none. */
int cmb_next_action(cmb_t *c, cmb_action_t *act) HS_CHECK_RESULT;
void cmb_action_clear(cmb_action_t *act);
const char *cmb_act_kind_name(cmb_act_kind_t k);

/* ---- the combined apex (SYNC-50, SYNC-51) ---- */

typedef struct cmb_rdata {
	uint8_t *p;
	uint16_t len;
} cmb_rdata_t;

/* What to serve for one synchronised type at the apex. */
typedef struct cmb_rrset {
	uint16_t type;
	int replaced;    /* 0: the owner's RRset of this type (if any), unchanged */
	uint32_t ttl;    /* replaced only */
	size_t n;        /* replaced only: >= 1 */
	cmb_rdata_t *rd; /* canonical form (RFC 4034 6.2), canonical order (6.3) */
} cmb_rrset_t;

/* One entry per synchronised type, in ascending type order. */
typedef struct cmb_apex {
	size_t n;
	cmb_rrset_t sets[CMB_NTYPES];
} cmb_apex_t;

/*
 * The pure function of SYNC-51: from the owner's apex RRs (`owner`, any
 * types; only the synchronised ones matter) and the applied contributed
 * RRs of originators listed ON (`applied`), the RRsets to serve. The
 * result depends on the sets of inputs only, never on their order or on
 * duplicates. NS is the union of the owner's NS and the contributed ones;
 * the other types are replaced by the contributions when there are any;
 * TTL: the owner's (the smallest of its RRset) when it has the type, else
 * the smallest contributed. A type whose result equals the owner's RRset
 * is reported unchanged. The caller frees *out with cmb_apex_clear().
 */
void cmb_combine(const cmb_rr_in_t *owner, size_t nowner, const cmb_rr_in_t *applied,
                 size_t napplied, cmb_apex_t *out);
/* The combined apex of a loaded zone from the combiner's state (the
 * owner's apex and the stored applied records). HS_E_NOTFOUND when the
 * zone is not loaded. */
int cmb_apex_get(const cmb_t *c, const char *zone, cmb_apex_t *out) HS_CHECK_RESULT;
void cmb_apex_clear(cmb_apex_t *a);
/* A canonical serialisation of *a (for comparisons and digests): per
 * entry type(2) replaced(1), and when replaced ttl(4) count(2) then
 * length(2) + RDATA per record. */
void cmb_apex_bytes(const cmb_apex_t *a, hs_buf_t *out);

/* ---- the served zone (SYNC-50, SYNC-51, SYNC-52) ---- */

/*
 * The served zone is the inbound zone with the apex RRsets of the
 * synchronised types taken from a combined apex (replaced ones; the
 * others as the inbound zone has them) and an SOA of its own: the
 * inbound SOA with serial cmb_served_serial(). These functions compute
 * it from zone machinery versions (zone/zone.h) (an owner-signed inbound
 * version is served as it is: SYNC-58); keeping, journaling,
 * persisting and serving it is the driver's business. `apex` may be NULL
 * (the zone is not loaded in the combiner: the owner's apex is served).
 */

/*
 * SYNC-58: 1 when inbound version `in` is owner-signed: its apex holds a
 * DNSKEY RRset and no HSYNCPARAM at the apex lists a label in `signers`
 * (no HSYNCPARAM, one that does not decode, or one without signers). Then
 * cmb_served_build() and cmb_served_diff() serve `in` exactly as it came,
 * SOA serial included, whatever `apex` says; cmb_served_diff() returns
 * HS_E_STATE (nothing served) when the owner's serial is not greater
 * (RFC 1982) than the served one and the content differs.
 */
int cmb_owner_signed(const zn_snap_t *in);

/* SYNC-52: one more than the larger, in RFC 1982 order, of the owner's
 * serial and the last served one (have_served 0: the owner's + 1). */
uint32_t cmb_served_serial(uint32_t owner, int have_served, uint32_t served);

/* The first served version made from inbound version `in`: a builder
 * for zn_zone_set() (*out the caller's). HS_E_MALFORMED for an inbound
 * SOA that does not parse, and zn_builder_add's errors. */
int cmb_served_build(const zn_snap_t *in, const cmb_apex_t *apex, zn_builder_t **out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * The difference that makes `served` the served zone of inbound version
 * `in` and `apex`, for zn_apply() on the served zone; *out = NULL when its
 * content is already that (no new version, no new serial: SYNC-52).
 * `base` is the inbound version `served` was made from: then only the
 * change from `base` to `in` is looked at (time proportional to it when
 * one came from the other through zn_apply, zn_diff_snaps) besides the
 * few apex RRsets. `base` NULL (unknown, e.g. after a restart, or a diff
 * that did not apply) compares `served` with `in` as a whole. HS_OK, or
 * HS_E_MALFORMED (an SOA that does not parse) and the zone's codes.
 */
int cmb_served_diff(const zn_snap_t *served, const zn_snap_t *base, const zn_snap_t *in,
                    const cmb_apex_t *apex, zn_diff_t **out) HS_CHECK_RESULT;

/* ---- strict RDATA checks (SYNC-44 rule 5) ---- */

/* HS_OK when `rdata` decodes strictly as `type`: NS one uncompressed wire
 * name filling the RDATA; DNSKEY and KEY flags(2) protocol(1) = 3
 * algorithm(1) key(>= 1); CDS key tag(2) algorithm(1) digest type(1)
 * digest(>= 1), algorithm or digest type 0 only in the RFC 8078 delete
 * form 0 0 0 00; CSYNC serial(4) flags(2) and a well-formed type bitmap
 * (RFC 4034 4.1.2: windows ascending, 1..32 octets, no trailing zero
 * octet). HS_E_MALFORMED with a short reason in `detail` (may be NULL),
 * HS_E_UNKNOWN_TYPE for a type that is not synchronised. */
int cmb_rdata_check(uint16_t type, const uint8_t *rdata, size_t len, char *detail,
                    size_t dlen) HS_CHECK_RESULT;

/* Append a presentation form of `rdata` (ldns's, or RFC 3597 generic). */
void cmb_rdata_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out);

/* ---- the policy table (SYNC-44) ---- */

typedef struct cmb_rule_info {
	int order;
	int whole_set; /* rules 1-3 judge a whole set */
	sm_verdict_t verdict;
	sm_reason_t reason; /* SM_R_NONE for the last row (applied) */
	const char *text;
} cmb_rule_info_t;

size_t cmb_rule_count(void);
/* The i-th row in order; HS_E_NOTFOUND past the end. */
int cmb_rule_at(size_t i, cmb_rule_info_t *out) HS_CHECK_RESULT;

/* ---- introspection (pointers valid until the next event) ---- */

typedef struct cmb_counters {
	uint64_t updates;      /* UPDATEs handled */
	uint64_t duplicates;   /* sets with the stored version (SYNC-43) */
	uint64_t stale;        /* sets older than the stored version */
	uint64_t refused;      /* messages refused: sender, type (SYNC-41) */
	uint64_t malformed;    /* bodies that did not decode or broke a limit */
	uint64_t rejected_rrs; /* records rejected by policy or an operator */
	uint64_t withdrawn;    /* sets withdrawn (SYNC-47) */
	uint64_t changed_rrs;  /* verdicts changed by re-evaluation (SYNC-46) */
	uint64_t confirms;     /* CONFIRMs sent */
	uint64_t edits;        /* EDITS sent */
	uint64_t configs;      /* CONFIGs sent */
	uint64_t publishes;    /* PUBLISH actions */
	uint64_t confirms_in;  /* CONFIRMs received from the agent (logged only) */
} cmb_counters_t;

void cmb_get_counters(const cmb_t *c, cmb_counters_t *out);
const char *cmb_identity(const cmb_t *c);
const char *cmb_provider(const cmb_t *c);

typedef struct cmb_zone_info {
	const char *name;
	int loaded; /* a zone load was seen and no removal since */
	int multi;  /* multi-provider here (for the own provider) */
	const char *reason;
	const char *label; /* the own provider's HSYNC3 label, or NULL */
	uint32_t serial_in, serial_served;
	size_t nsets, nrecords;
} cmb_zone_info_t;

/* Zones known: loaded ones and ones with stored sets. */
size_t cmb_zone_count(const cmb_t *c);
int cmb_zone_at(const cmb_t *c, size_t i, cmb_zone_info_t *out) HS_CHECK_RESULT;
int cmb_zone_get(const cmb_t *c, const char *zone, cmb_zone_info_t *out) HS_CHECK_RESULT;

/* One stored record with its set. */
typedef struct cmb_record {
	const char *origin;
	uint16_t type;
	uint64_t version;
	const char *change;
	int64_t updated_ms;
	const char *owner;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
	sm_verdict_t verdict;
	const char *reason; /* NULL when none */
	int approved;
} cmb_record_t;

/* The stored records of `zone`, ordered by origin, type and position in
 * the set. HS_E_NOTFOUND past the end or for an unknown zone. */
size_t cmb_record_count(const cmb_t *c, const char *zone);
int cmb_record_at(const cmb_t *c, const char *zone, size_t i, cmb_record_t *out) HS_CHECK_RESULT;
/* The stored record (zone, origin, type, rdata) at the apex. HS_E_NOTFOUND. */
int cmb_record_find(const cmb_t *c, const char *zone, const char *origin, uint16_t type,
                    const uint8_t *rdata, size_t rdlen, cmb_record_t *out) HS_CHECK_RESULT;

/* The EDITS body the combiner would send for `zone` now (SYNC-55), into
 * `out`. HS_E_NOTFOUND for a zone it knows nothing about. */
int cmb_edits_body(const cmb_t *c, const char *zone, hs_buf_t *out) HS_CHECK_RESULT;

/*
 * Append the state as one JSON object (no trailing newline), for
 * `hsyncctl combiner contributions Z --json`: {"identity", "provider",
 * "approval", "ttl_min", "ttl_max", "protected": [...], "counters": {...},
 * "policy": [{order, scope, verdict, reason, rule}], "zones": [{name,
 * loaded, multi_provider, reason, label, serial_in, serial_served, nsmgmt,
 * parentsync, signing, sets, records, contributions: [{origin, type,
 * type_name, version, change, updated_ms, rrs: [{owner, ttl, rdata,
 * rdata_hex, verdict, reason, reason_text, approved}]}], apex: [{type,
 * type_name, replaced, ttl, rdata: [...]}]}]}. `zone` NULL = every zone;
 * an unknown zone gives "zones": [].
 */
void cmb_json(const cmb_t *c, const char *zone, hs_buf_t *out);

#endif
