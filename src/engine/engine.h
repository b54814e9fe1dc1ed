/*
 * engine.h -- the agent's protocol logic (prefix eng_): zones, peers,
 * HELLO/BEAT, provider groups and their gossip matrix.
 *
 * The engine does no I/O (STYLE.md item 7). The driver feeds it events
 * (a zone loaded, discovery finished, a message arrived, a send finished,
 * time passed) and pops the actions it produced with eng_next_action():
 * send a message, ask discovery to look a peer up, and notifications for
 * observers (peer state changes, a group became operational or degraded).
 * Time and randomness come from the hs_env_t given to eng_new(); timers
 * use its monotonic clock, "since" times its wall clock. After any event
 * the driver calls eng_tick() no later than eng_next_deadline().
 *
 * The synchronised data (engine/sync/sd.h, included at the end) lives
 * inside the same engine: local changes, SYNC/CONFIRM/RFI/EDITS/CONFIG.
 *
 * Every peer state transition goes through one function that logs
 * `peer 'X': OLD -> NEW (reason)` once (subsystem "engine", level notice)
 * and queues an ENG_ACT_PEER_STATE action. Semantics and payloads:
 * rfc-drafts/draft-hsync-agents.md, proto/agent_messages.md.
 */
#ifndef HS_ENGINE_ENGINE_H
#define HS_ENGINE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/msg.h"
#include "engine/zone.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"

typedef struct eng eng_t;

typedef struct eng_cfg {
	const char *identity;        /* our identity (text name); required */
	uint32_t beat_interval_ms;   /* 0 = 15000 */
	uint32_t hello_retry_ms;     /* first HELLO retry; 0 = 2000 */
	uint32_t hello_retry_max_ms; /* backoff cap; 0 = 60000 */
	/* synchronised data (engine/sync/sd.h) */
	const char *combiner;        /* own combiner's identity; NULL = none */
	uint32_t confirm_timeout_ms; /* SYNC-31; 0 = 60000 */
	/* leader election (engine/elect/el.h) */
	uint32_t elect_lease_ms; /* L, EL-20; 0 = 60000; clamped to 1 s .. 1 h */
	uint32_t elect_vote_ms;  /* E, EL-12; 0 = L / 8; clamped to 100 ms .. L / 2 */
	/* the own signer (draft-hsync-keystate KS-11..13): its inventories
	 * become our DNSKEY set, the peers' verdicts go back as KEYSTATE */
	const char *signer; /* identity; NULL = none */
} eng_cfg_t;
/* Discovery retries are discovery's own (discovery.h, AG-9, DISC-14): the
 * engine asks once when a peer becomes NEEDED and is told of every change. */

/* Silence thresholds, in multiples of the peer's advertised beat interval:
 * DEGRADED after more than 2x, INTERRUPTED after more than 10x. */
#define ENG_DEGRADED_MULT    2
#define ENG_INTERRUPTED_MULT 10
/* A BEAT interval is 500 ms .. 1 h: what a sender may configure, and the
 * range a receiver clamps an advertised interval into (AG-8). */
#define ENG_BEAT_INTERVAL_MIN 500u
#define ENG_BEAT_INTERVAL_MAX 3600000u

/* Create an engine. `env` must outlive it. HS_E_CONFIG (detail in `em`)
 * for a bad identity or combiner identity. *out is written only on success. */
int eng_new(eng_t **out, const eng_cfg_t *cfg, const hs_env_t *env,
            hs_errmsg_t *em) HS_CHECK_RESULT;
void eng_free(eng_t *e); /* NULL-safe; drops pending actions */

/* ---- events ---- */

/* A zone was (re)loaded: its apex HSYNC3 and HSYNCPARAM RDATAs. Replaces
 * the previous analysis; peers, groups and timers follow. HS_E_NAME for
 * an invalid zone name; a zone that is not multi-provider is HS_OK. */
int eng_zone_loaded(eng_t *e, const char *zone, const uint8_t *const *hsync3,
                    const size_t *hsync3_len, size_t n3, const uint8_t *const *param,
                    const size_t *param_len, size_t np, hs_errmsg_t *em) HS_CHECK_RESULT;
/* The zone is no longer served: HS_OK, or HS_E_NOTFOUND. */
int eng_zone_removed(eng_t *e, const char *zone) HS_CHECK_RESULT;

/* Discovery finished for a peer: ok 1 = address and keys found (NEEDED ->
 * KNOWN), ok 0 = failed (stays NEEDED with "discovery failed: <reason>";
 * discovery retries on its own schedule and reports again when its
 * result changes). HS_E_NOTFOUND when `identity` is not a peer. */
int eng_peer_discovered(eng_t *e, const char *identity, int ok, const char *reason) HS_CHECK_RESULT;

/* A message arrived (already authenticated by the transport as coming
 * from `from`). `type` is the wire type name ("HELLO", "HELLO_ACK",
 * "BEAT", SYNC, CONFIRM, RFI, EDITS, CONFIG of the synchronised data,
 * engine/sync/sd.h, and ELECT of the election, engine/elect/el.h; UPDATE
 * is a combiner's and not handled here).
 * Returns HS_OK when handled, HS_E_UNKNOWN_TYPE, HS_E_MALFORMED
 * (and the other decoder codes) for a bad body, HS_E_REFUSED when the
 * sender may not send this now (not a peer, not introduced, identity
 * mismatch). Nothing changes on error, except that a refused HELLO or
 * BEAT is answered with a HELLO_ACK accept false and a reason code (nonce
 * 0 unless a HELLO's nonce could be read; AG-18), counted on the peer
 * (refused_in) and logged at notice. A HELLO that fails the shared-zone
 * check is still HS_OK: it is answered the same way and the reason is
 * kept on the peer. A HELLO_ACK for an older HELLO is ignored and HS_OK;
 * one with nonce 0 and accept false tells that the peer refused a
 * message of ours (refused_out; "not-introduced" makes us send our HELLO
 * again). A refused HELLO_ACK is never answered. */
int eng_message(eng_t *e, const char *from, const char *type, const uint8_t *body,
                size_t len) HS_CHECK_RESULT;

/* The transport finished with a SEND action: delivered 1 / failed 0.
 * HS_E_NOTFOUND for an id the engine no longer tracks. Until then the
 * message counts as pending: while a BEAT to a peer is pending no other
 * BEAT to it is queued (counted in beats_skipped), so an unreachable peer
 * holds at most one BEAT in the transport's queue. */
int eng_send_result(eng_t *e, uint64_t msgid, int delivered) HS_CHECK_RESULT;

/* Time passed: fire due timers (HELLO retries, BEATs, silence checks,
 * discovery retries). Always HS_OK. */
int eng_tick(eng_t *e);

/* Monotonic time (ms, env clock) of the next timer; UINT64_MAX if none. */
uint64_t eng_next_deadline(const eng_t *e);

/* ---- actions ---- */

typedef enum eng_act_kind {
	ENG_ACT_SEND = 1,          /* peer, msgid, type, body/len */
	ENG_ACT_DISCOVER,          /* peer */
	ENG_ACT_PEER_STATE,        /* peer, old_state, new_state, reason */
	ENG_ACT_GROUP_OPERATIONAL, /* group */
	ENG_ACT_GROUP_DEGRADED,    /* group, reason */
	ENG_ACT_LEADER,            /* group, peer (leader; "" = none), term, leading, reason */
	ENG_ACT_OWN_SET,           /* own: a new version of one of our own sets */
} eng_act_kind_t;

/*
 * ENG_ACT_OWN_SET (SYNC-57): one of our own sets changed (a local edit,
 * eng_sd_set_own, or a restore from the combiner's EDITS). The driver
 * MUST store it durably (replacing the stored set of the same zone and
 * type) before it carries out any action that follows it in the queue:
 * the UPDATE and SYNC actions of that change always follow it. When the
 * store write fails, the driver MUST NOT send those UPDATE/SYNC actions
 * (drop the SEND actions that follow it up to the next non-SEND action)
 * and should undo the change with eng_sd_restore_own() and the last
 * stored version.
 */

typedef struct eng_action {
	eng_act_kind_t kind;
	char peer[ENG_NAME_MAX];
	uint64_t msgid;
	eng_msg_type_t type;
	const char *type_name; /* static */
	uint8_t *body;         /* owned by the action */
	size_t len;
	char group[ENG_GROUP_ID_LEN + 1];
	eng_peer_state_t old_state, new_state;
	char reason[ENG_REASON_MAX + 1];
	uint64_t term;          /* ENG_ACT_LEADER: the election term */
	int leading;            /* ENG_ACT_LEADER: we lead now (el_leading) */
	struct eng_sd_own *own; /* ENG_ACT_OWN_SET: owned by the action */
} eng_action_t;

/* Pop the oldest action into *act (the caller owns it and releases it with
 * eng_action_clear). HS_OK, or HS_E_NOTFOUND when there is none. */
int eng_next_action(eng_t *e, eng_action_t *act) HS_CHECK_RESULT;
void eng_action_clear(eng_action_t *act);
const char *eng_act_kind_name(eng_act_kind_t k);

/* ---- introspection (plain structs; pointers valid until the next event) ---- */

const char *eng_identity(const eng_t *e);
uint32_t eng_beat_interval(const eng_t *e);
/* Change our BEAT interval (a reload): a BEAT carrying the new interval
 * (from which peers derive their thresholds) goes to every introduced
 * peer at the next eng_tick(), then one every `ms`. 0 = 15000. */
void eng_set_beat_interval(eng_t *e, uint32_t ms);

size_t eng_zone_count(const eng_t *e);
/* The i-th zone (arbitrary stable order between events), or NULL. */
const eng_zone_t *eng_zone_at(const eng_t *e, size_t i);
const eng_zone_t *eng_zone_find(const eng_t *e, const char *zone);
/* The group id of a multi-provider zone, or NULL. */
const char *eng_zone_group(const eng_t *e, const char *zone);

typedef struct eng_peer_info {
	const char *identity;
	eng_peer_state_t state;
	uint64_t since_ms;     /* wall clock of the last transition */
	uint64_t last_beat_ms; /* wall clock of the last BEAT received, 0 = never */
	uint64_t beats_rx, beats_tx, sends_ok, sends_failed;
	uint64_t refused_in;       /* its messages we refused (HELLO_ACK accept false) */
	uint64_t refused_out;      /* our messages it refused */
	uint64_t beats_skipped;    /* BEATs not queued: the previous one still pending */
	uint32_t beat_interval_ms; /* as advertised by the peer (0 = none yet) */
	int hello_sent_ok;         /* our HELLO accepted by the peer */
	int hello_rcvd_ok;         /* its HELLO accepted by us */
	size_t nzones;             /* multi-provider zones that list it ON */
	const char *reason;        /* of the last transition or failure */
} eng_peer_info_t;

size_t eng_peer_count(const eng_t *e);
int eng_peer_at(const eng_t *e, size_t i, eng_peer_info_t *out) HS_CHECK_RESULT;
/* HS_OK or HS_E_NOTFOUND. */
int eng_peer_get(const eng_t *e, const char *identity, eng_peer_info_t *out) HS_CHECK_RESULT;

typedef struct eng_group_info {
	const char *id;
	size_t nmembers;
	const char *const *members; /* sorted canonical identities, us included */
	size_t nzones;
	int operational;
	uint64_t since_ms; /* wall clock of the last operational change */
} eng_group_info_t;

size_t eng_group_count(const eng_t *e);
int eng_group_at(const eng_t *e, size_t i, eng_group_info_t *out) HS_CHECK_RESULT;
int eng_group_get(const eng_t *e, const char *id, eng_group_info_t *out) HS_CHECK_RESULT;
/* Matrix cell: what member `row` reports about member `col` (indices into
 * members). ENG_PEER_NONE when unknown or on the diagonal. *version gets
 * the row's version (0 = no row yet) when not NULL. */
eng_peer_state_t eng_group_cell(const eng_t *e, const char *id, size_t row, size_t col,
                                uint64_t *version);

/* Append the whole state as one JSON object (UTF-8, no trailing newline):
 * {"identity", "beat_interval_ms", "zones": [{name, multi_provider, reason,
 * reason_text, label, group, providers: [{identity, label, state, upstream}],
 * policy: {nsmgmt, parentsync, pubcds, servers, signers, auditors, suffix}}],
 * "peers": [{identity, state, since_ms, last_beat_ms, beat_interval_ms,
 * hello_sent_ok, hello_rcvd_ok, zones, beats_rx, beats_tx, sends_ok,
 * sends_failed, refused_in, refused_out, reason}], "groups": [{id, operational, since_ms, zones,
 * members: [...], matrix: [{owner, version, cells: [state per member]}],
 * election: {el_json(): role, term, leader, lease, counters}}]}.
 * Times are wall-clock ms since the epoch (0 = never). */
void eng_json(const eng_t *e, hs_buf_t *out);

/* The stable id of a set of canonical identities (any order, duplicates
 * ignored): first 8 octets of SHA-256 over the sorted names joined by
 * '\n', as 16 lowercase hex digits. */
void eng_group_id(const char *const *ids, size_t n, char out[ENG_GROUP_ID_LEN + 1]);

/* The synchronised data: local changes, its view and counters. */
#include "engine/sync/sd.h"
/* Leader election per group: the observer question and its view. */
#include "engine/elect/el.h"

#endif
