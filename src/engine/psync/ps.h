/*
 * ps.h -- the leader's parent synchronisation (prefix ps_), sans I/O:
 * for each zone with parentsync=agent, while this agent leads the zone's
 * group, keep the parent's delegation (NS, in-bailiwick glue, DS) equal
 * to the combined zone's. Rules and requirement ids:
 * rfc-drafts/draft-hsync-parent.md section 14 (PS-61..PS-69); the STATUS
 * body: proto/status_messages.md.
 *
 * A run for one zone, in order (PS-62): the DSYNC walk of RFC 9859 at the
 * resolver (chd_dsync_*), the receiver's address and KEY, the parent
 * zone's NS and one of its addresses, the parent's delegation asked at
 * that server (NS + glue from the referral, DS), the difference
 * (chd_diff), ONE SIG(0)-signed UPDATE to the receiver, and its response
 * checked (chd_response_check: only an answer signed by the receiver's
 * key counts). A failure anywhere backs off (PS-66) and starts again from
 * the walk. A parent whose DSYNC offers only the NOTIFY scheme gets a
 * NOTIFY(CDS) or NOTIFY(CSYNC) instead (PS-68).
 *
 * The caller (src/daemon) feeds: the zone and its key (ps_zone_add), the
 * delegation it wants (ps_want: from the combined zone and the signer's
 * CDS), leadership (ps_leading, from el_leading_zone), triggers
 * (ps_trigger: ns-changed, ksk-changed, a STATUS), answers (ps_answer)
 * and time (ps_tick); it drains actions (ps_next_action): a query or an
 * UPDATE/NOTIFY to send, a log line, a finished run to tell the group.
 * Clock and randomness: the hs_env_t of the config. Not thread-safe.
 */
#ifndef HS_ENGINE_PSYNC_PS_H
#define HS_ENGINE_PSYNC_PS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/child/chd.h"
#include "sig0/sig0.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/hs_err.h"

#define PS_CHECK_DEFAULT  300000u /* periodic safety-net run (PS-64) */
#define PS_MARGIN_DEFAULT 5000u   /* lease left needed to start a run (PS-61) */
#define PS_BACKOFF_MIN    1000u   /* PS-66 */
#define PS_BACKOFF_MAX    300000u
#define PS_TTL_DEFAULT    3600u /* TTL of the records an UPDATE adds */
#define PS_MAX_RRS        48    /* records of one delegation (NS + glue + DS) */
#define PS_ADDR_MAX       64

typedef struct ps ps_t;

typedef struct ps_cfg {
	const hs_env_t *env;
	uint32_t check_ms;                       /* 0 = PS_CHECK_DEFAULT */
	uint32_t margin_ms;                      /* 0 = PS_MARGIN_DEFAULT */
	uint32_t backoff_min_ms, backoff_max_ms; /* 0 = defaults */
	uint32_t ttl;                            /* 0 = PS_TTL_DEFAULT */
	uint16_t server_port;                    /* of the parent's servers (PS-65); 0 = 53 */
} ps_cfg_t;

int ps_new(const ps_cfg_t *cfg, ps_t **out) HS_CHECK_RESULT;
void ps_free(ps_t *p); /* NULL-safe */

/* Start keeping `zone` in step, signing with `key` (borrowed: keep it
 * alive until ps_zone_del or ps_free; its owner must be the zone, PS-69).
 * `is_signed`: the zone is signed, the DS set is part of the delegation
 * (PS-63). HS_E_EXISTS, HS_E_NAME, HS_E_LIMIT, HS_E_INVAL (no key, or
 * its owner is not the zone). */
int ps_zone_add(ps_t *p, const char *zone, const sig0_key_t *key, int is_signed) HS_CHECK_RESULT;
int ps_zone_del(ps_t *p, const char *zone) HS_CHECK_RESULT;

/*
 * The delegation the zone wants (PS-63), copied: NS records at the apex,
 * A/AAAA records (only those of in-bailiwick NS targets are kept: glue),
 * CDS records (their RDATA is the DS wanted; a CDS "0 0 0 00" deletes
 * the DS set; ignored for an unsigned zone). Other records are ignored.
 * A changed set is a trigger ("data-changed"). HS_E_NOTFOUND, HS_E_LIMIT.
 */
int ps_want(ps_t *p, const char *zone, const chd_rr_t *rrs, size_t n) HS_CHECK_RESULT;

/* This agent leads the zone's group until `until_mono` (0: it does not).
 * Becoming leader is a trigger ("became-leader"); losing it stops the
 * run after its current step (PS-61). */
void ps_leading(ps_t *p, const char *zone, int leading, uint64_t until_mono);

/* Something says the parent may be out of step: `why` is logged
 * ("ns-changed", "ksk-changed", "operator"). A trigger during a run
 * runs again after it. Unknown zone: nothing. */
void ps_trigger(ps_t *p, const char *zone, const char *why);

/* ---- actions ---- */

typedef enum ps_act_kind {
	PS_ACT_QUERY = 1, /* send `msg` to `addr` (or the resolver), answer with ps_answer(token) */
	PS_ACT_SEND,      /* the UPDATE or NOTIFY: the same, to the receiver */
	PS_ACT_LOG,       /* a line to log (`level`: 0 info, 1 notice, 2 warning) */
	PS_ACT_DONE,      /* a run ended: tell the group (STATUS parentsync-done, PS-67) */
} ps_act_kind_t;

typedef struct ps_action {
	ps_act_kind_t kind;
	char zone[CHD_NAME_MAX];
	uint64_t token;
	int to_resolver;        /* QUERY: to the configured resolver */
	char addr[PS_ADDR_MAX]; /* else this address (text) */
	uint16_t port;          /* and port */
	hs_buf_t msg;           /* the message, as sent (owned by the action) */
	int level;              /* LOG */
	char text[400];         /* LOG: the line; DONE: the outcome in words */
	int ok;                 /* DONE: the parent is in step */
	int updated;            /* DONE: an UPDATE (or NOTIFY) was accepted in this run */
} ps_action_t;

/* HS_OK with the next action in *act (clear it with ps_action_clear),
 * HS_E_NOTFOUND when there is none. */
int ps_next_action(ps_t *p, ps_action_t *act) HS_CHECK_RESULT;
void ps_action_clear(ps_action_t *act);

/* The answer to action `token`: status HS_OK with the response as
 * received, or the error of the exchange (timeout, ...; resp NULL).
 * Stale tokens are ignored. */
void ps_answer(ps_t *p, uint64_t token, int status, const uint8_t *resp, size_t len);

/* Time moves: starts due runs (periodic check, backoff over). */
void ps_tick(ps_t *p);
/* The env monotonic time of the next due run; UINT64_MAX for none. */
uint64_t ps_next_deadline(const ps_t *p);

/* ---- what it shows (hsyncctl parent-sync show) ---- */

typedef struct ps_info {
	const char *zone;
	int leading;
	const char *state;    /* "idle", "dsync", "parent-ns", ... "backoff" */
	const char *last_why; /* what started the last run */
	uint64_t last_ms;     /* wall clock of the last run's end; 0 = none */
	int last_ok;          /* it left the parent in step */
	const char *outcome;  /* in words */
	const char *target;   /* the receiver found ("" = none yet) */
	const char *parent;   /* the parent zone found */
	uint64_t runs, updates, failures, notifies;
	uint32_t backoff_ms;
	size_t nwant;
} ps_info_t;

size_t ps_zone_count(const ps_t *p);
/* The wanted delegation (after a run in step: what the parent serves) as
 * presentation lines ("OWNER TYPE RDATA\n") appended to `out`; the
 * number of records. 0 for an unknown zone. */
size_t ps_want_text(const ps_t *p, const char *zone, hs_buf_t *out);
/* HS_OK, HS_E_NOTFOUND. Pointers valid until the next call into p. */
int ps_info_at(const ps_t *p, size_t i, ps_info_t *out) HS_CHECK_RESULT;
int ps_info_get(const ps_t *p, const char *zone, ps_info_t *out) HS_CHECK_RESULT;

/* ---- the STATUS body (proto/status_messages.md, PS-67) ---- */

#define PS_STATUS_RRS 64

typedef struct ps_status {
	char zone[256];   /* canonical */
	char kind[33];    /* "parentsync-done", "ns-changed", "ksk-changed", ... */
	char leader[256]; /* parentsync-done: the members below */
	int ok, changed;
	uint64_t time_ms;
	char outcome[400];
	char parent[256];
	char target[256];
	char rrs[4096]; /* one record a line, "\n"-terminated */
} ps_status_t;

/* Append the body of `s` (zone and kind required: HS_E_INVAL) to `out`;
 * the members after `kind` only for parentsync-done, at most
 * PS_STATUS_RRS lines of `rrs`. */
int ps_status_encode(const ps_status_t *s, hs_buf_t *out) HS_CHECK_RESULT;
/* Decode a received body: HS_OK (a kind it does not know is returned as
 * read, for the caller to ignore) or HS_E_MALFORMED (*out zeroed). */
int ps_status_decode(const uint8_t *b, size_t n, ps_status_t *out) HS_CHECK_RESULT;

#endif
