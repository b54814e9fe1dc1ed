/*
 * par.h -- the parent's UPDATE receiver (prefix par_): the logic of
 * rfc-drafts/draft-hsync-parent.md, sans I/O.
 *
 * The driver (hsyncd's parent role, or a test) feeds it events and pops
 * the actions it produced:
 *
 *   par_request()      a DNS message from the network (UPDATE, or a QUERY
 *                      with a KeyState option): 1 when it is the
 *                      receiver's, then ANSWER follows (now or later)
 *   par_applied()      the backend finished an APPLY
 *   par_lookup_done()  a LOOKUP was answered (or failed)
 *   par_tick()         at par_next_deadline(): lookup timeouts, the rounds
 *                      of the unsigned bootstrap method
 *   par_approve()      operator: trust a child's candidate key (manual)
 *   par_forget()       operator: retire every key of a child
 *
 * Actions (par_next_action):
 *   ANSWER  the response to request `id` (bytes to send as they are);
 *           `id` 0 never occurs
 *   APPLY   apply a checked change to the parent zone: the records of an
 *           RFC 2136 update section (class IN add, ANY delete RRset, NONE
 *           delete RR), names uncompressed, TTLs capped; answer with
 *           par_applied(id, ...) in the order the APPLYs came
 *   LOOKUP  bootstrap work: ask something of the DNS, answer with
 *           par_lookup_done(token, ...)
 *
 * Time: the wall clock of `env` for SIG(0) windows and the times stored;
 * its monotonic clock for budgets and timers. Randomness: none.
 *
 * Persistence (the store given to par_new, shared with the caller): child
 * keys in the trust store (kind SIG(0), owner the child, source text
 * starting "parent:"), the replay cache (sender "parent:<child>"), and the
 * decisions (st_par_decision_*). Every trust change is written before
 * anything that reports it; a store failure refuses the request with
 * SERVFAIL and changes nothing in memory.
 *
 * Names in and out are canonical text (lowercase, one trailing dot) unless
 * a field says wire form.
 */
#ifndef HS_ENGINE_PARENT_PAR_H
#define HS_ENGINE_PARENT_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "sig0/sig0.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "wire/update.h"

#define PAR_NAME_MAX     256
#define PAR_ADDR_MAX     64 /* an address in text, without port */
#define PAR_MAX_KEYS     8  /* keys kept per child (trusted, candidate, retired) */
#define PAR_MAX_NS       16 /* nameservers of a delegation looked at */
#define PAR_MAX_NS_ADDRS 8  /* addresses per nameserver */

typedef struct par par_t;

typedef struct par_cfg {
	const char *zone;      /* the parent zone P; required */
	const sig0_key_t *key; /* the receiver's key pair (owner = the target T): signs
	                        * every answer; borrowed for the engine's life */
	unsigned methods;      /* bootstrap methods offered: HS_BOOT_* bits (wire/proto.h) */
	uint32_t max_ttl;      /* PS-12; 0 = 86400 */
	/* budgets (PS-8); 0 = the defaults of the draft */
	uint32_t src_rate, src_burst;     /* per source network: 20, 40 */
	uint32_t child_rate, child_burst; /* per (child, source address): 5, 10 */
	uint32_t udp_rate, udp_burst;     /* every UDP verification together: 200, 400 */
	unsigned v4_prefix, v6_prefix;    /* source networks: 24, 56 */
	/* the unsigned method (PS-22) */
	unsigned unsigned_rounds;     /* 0 = 3 */
	uint32_t unsigned_interval_s; /* 0 = 60 */
	uint32_t lookup_timeout_s;    /* an unanswered LOOKUP fails after this; 0 = 30 */
	uint32_t candidate_life_s;    /* a candidate is forgotten after this; 0 = 7 days */
	uint32_t skew, max_window;    /* SIG(0) verification; 0 = draft-hsync-sig0 defaults */
	/* the CDS/CSYNC scanner (NOTIFY scheme, PS-50..PS-62) */
	int scan;                         /* accept NOTIFY(CDS) / NOTIFY(CSYNC) */
	uint32_t scan_interval_s;         /* periodic scan of opted-in children; 0 = none */
	uint32_t scan_min_interval_s;     /* per child: scans start at most this often; 0 = 60 */
	uint32_t ds_ttl;                  /* TTL of the DS records the scanner writes; 0 = 3600 */
	int cds_bootstrap;                /* take the first DS of an insecure delegation from a
	                                   * CDS every nameserver answers alike (PS-55) */
	const char *const *scan_children; /* opted in by configuration */
	size_t nscan_children;
} par_cfg_t;

/*
 * A receiver for cfg->zone over `store` (both must outlive it; the store
 * is the caller's). Loads the child keys the store holds. HS_E_CONFIG
 * (detail in `em`) for a bad zone or a key without its private half;
 * store codes.
 */
int par_new(par_t **out, const par_cfg_t *cfg, st_t *store, const hs_env_t *env,
            hs_errmsg_t *em) HS_CHECK_RESULT;
void par_free(par_t *p); /* NULL-safe: pending actions and requests are dropped */

/* Which bootstrap methods are offered (a reload). Running jobs finish
 * with the methods they started with. */
void par_set_methods(par_t *p, unsigned methods);

/* ---- events ---- */

/*
 * A request from the network: `msg` (`len` octets as received), from
 * address `addr` (text, no port), over TCP when `tcp` is set. Returns 1
 * when it is the receiver's (PS-4): an ANSWER for *id follows, now or
 * after the backend answered; 0 when it is not (the driver handles the
 * message otherwise; no action is produced).
 */
int par_request(par_t *p, const uint8_t *msg, size_t len, const char *addr, int tcp, uint64_t *id);

/*
 * The backend applied (rc HS_OK) or could not apply (any other code,
 * `why` one line) the APPLY of request `id`. Produces its ANSWER and writes
 * the decision's outcome. HS_E_NOTFOUND for an unknown id.
 */
int par_applied(par_t *p, uint64_t id, int rc, const char *why) HS_CHECK_RESULT;

/* ---- lookups (bootstrap work) ---- */

typedef enum par_lk_kind {
	PAR_LK_DELEG = 1, /* name: the child; the NS RRset of its delegation in P and the glue */
	PAR_LK_SECURE,    /* name/type through the resolver, validated (DO, CD) */
	PAR_LK_DIRECT,    /* name/type asked of `addr` directly, RD clear, no validation */
	PAR_LK_ADDRS,     /* name: A and AAAA through the resolver (no validation needed) */
	PAR_LK_PARENT_DS, /* name: the child; its DS RRset in P as the parent zone holds it
	                   * (rdatas; empty = none) */
} par_lk_kind_t;

typedef struct par_ns {
	char name[PAR_NAME_MAX];
	char addrs[PAR_MAX_NS_ADDRS][PAR_ADDR_MAX]; /* glue, text */
	size_t naddrs;
} par_ns_t;

/* What a lookup found. Pointers are borrowed for the call. */
typedef struct par_lookup_res {
	int status; /* HS_OK: answered (the set may be empty); else it failed */
	int secure; /* SECURE: the RRset validated as secure */
	int aa;     /* DIRECT: the answer had AA */
	unsigned rcode;
	const hs_buf_t *rdatas; /* SECURE, DIRECT: RDATAs of (name, type); ADDRS: 4 or 16 octets */
	size_t n;
	const par_ns_t *ns; /* DELEG */
	size_t nns;
	const char *why; /* one line when status is not HS_OK or the answer is not secure */
} par_lookup_res_t;

/* An answer for LOOKUP `token`. HS_E_NOTFOUND for an unknown or stale
 * token (a job that ended; nothing happens). */
int par_lookup_done(par_t *p, uint64_t token, const par_lookup_res_t *res) HS_CHECK_RESULT;

/* Timers. */
void par_tick(par_t *p);
/* Monotonic ms of the next timer; UINT64_MAX when none. */
uint64_t par_next_deadline(const par_t *p);

/* ---- actions ---- */

typedef enum par_act_kind {
	PAR_ACT_ANSWER = 1,
	PAR_ACT_APPLY,
	PAR_ACT_LOOKUP,
} par_act_kind_t;

typedef struct par_action {
	par_act_kind_t kind;
	uint64_t id;  /* ANSWER, APPLY: the request; LOOKUP: the token */
	hs_buf_t msg; /* ANSWER: the response */
	int tcp_hint; /* ANSWER: a TC=1 response (send as it is) */
	char child[PAR_NAME_MAX];
	hs_upd_rr_t *rrs; /* APPLY: rdata points into `store` */
	size_t nrrs;
	hs_buf_t store;
	par_lk_kind_t lk; /* LOOKUP */
	char name[PAR_NAME_MAX];
	uint16_t type;
	char addr[PAR_ADDR_MAX]; /* DIRECT */
} par_action_t;

/* Pop the oldest action into *act (release with par_action_clear).
 * HS_OK, or HS_E_NOTFOUND when there is none. */
int par_next_action(par_t *p, par_action_t *act) HS_CHECK_RESULT;
void par_action_clear(par_action_t *act);
const char *par_act_kind_name(par_act_kind_t k);
const char *par_lk_kind_name(par_lk_kind_t k);

/* ---- operator ---- */

/* Trust `child`'s candidate (with key tag `tag`, or any when tag < 0)
 * (PS-23). HS_E_NOTFOUND: no such candidate; store codes. `why` gets a
 * line for the operator. */
int par_approve(par_t *p, const char *child, int tag, char *why, size_t whylen) HS_CHECK_RESULT;
/* Retire every key of `child` and stop its bootstrap (PS-28 step 4).
 * HS_E_NOTFOUND: the child has no key. */
int par_forget(par_t *p, const char *child, char *why, size_t whylen) HS_CHECK_RESULT;

/* ---- the scanner (NOTIFY scheme) ---- */

/* Scan `child` now as if it had sent NOTIFY(CDS) (`csync` 0) or
 * NOTIFY(CSYNC) (1) (operator, tests); rate limited like a NOTIFY.
 * HS_E_NOTFOUND when the name is not below P. */
int par_scan_request(par_t *p, const char *child, int csync) HS_CHECK_RESULT;
/* What the last scan of `child` did, one line ("" when never scanned). */
const char *par_scan_last(const par_t *p, const char *child);

/*
 * Pure (the fuzz target's): judge a child's CDS and CDNSKEY RRsets
 * (RDATAs) for child `cw` (wire) (PS-53, PS-54): HS_OK with the DS
 * RDATAs the parent should hold in `ds` (each as a 2-octet length and the
 * RDATA; none at all for the delete sentinel, `*del` set), or
 * HS_E_REFUSED with the reason in `why`: a malformed record, a sentinel
 * mixed with other records, CDS and CDNSKEY that do not match, an
 * unknown digest type, more than 16 records.
 */
int par_cds_judge(const uint8_t *cw, size_t cwl, const uint8_t *const *cds, const size_t *cdslen,
                  size_t ncds, const uint8_t *const *cdk, const size_t *cdklen, size_t ncdk,
                  hs_buf_t *ds, int *del, char *why, size_t whylen) HS_CHECK_RESULT;

/* ---- views ---- */

typedef struct par_key_info {
	uint16_t tag;
	uint8_t alg;
	const char *state; /* "trusted", "candidate", "retired" */
	char source[200];
	int64_t since; /* Unix seconds of its last change */
} par_key_info_t;

typedef struct par_child_info {
	char name[PAR_NAME_MAX];
	par_key_info_t keys[PAR_MAX_KEYS];
	size_t nkeys;
	const char *bootstrap; /* "-", "running", "failed", "done" */
	char methods[64];      /* running or failed methods */
	char detail[256];      /* why the last method failed, or what runs */
	int64_t last_change;
} par_child_info_t;

size_t par_child_count(const par_t *p);
/* Children in name order. HS_E_RANGE past the end. */
int par_child_at(const par_t *p, size_t i, par_child_info_t *out) HS_CHECK_RESULT;
/* One child by name: HS_E_NOTFOUND. */
int par_child_get(const par_t *p, const char *name, par_child_info_t *out) HS_CHECK_RESULT;

typedef struct par_stats {
	uint64_t requests, updates, inquiries;
	uint64_t accepted, applied, failed, refused;
	uint64_t budget_refused, truncated, verifications, signatures;
	uint64_t uploads, bootstraps, rollovers;
	uint64_t replays, scope_refused, badkey, badsig, badtime, malformed, unsigned_;
	uint64_t notifies, scans, scans_refused, scans_applied, scans_limited;
} par_stats_t;
void par_stats(const par_t *p, par_stats_t *out);

/* The parent zone (canonical) and the receiver key. */
const char *par_zone(const par_t *p);

/* ---- pure parts: also for the fuzz target ---- */

/*
 * The scope rule of PS-11 for one record of an update section sent by
 * child `child` (wire) of parent zone `apex` (wire): HS_OK; HS_E_REFUSED
 * (outside the child's scope: apex, outside the child, a type not allowed
 * where it is); HS_E_NOTSUP (class ANY type ANY); HS_E_MALFORMED (a class,
 * TTL or RDATA shape RFC 2136 or PS-6 do not allow). `why` (may be NULL)
 * gets one line naming the record.
 */
int par_scope_check(const uint8_t *apex, size_t apex_len, const uint8_t *child, size_t child_len,
                    const hs_upd_rr_t *rr, char *why, size_t whylen) HS_CHECK_RESULT;

/* The SVCB RDATA of PS-3 for `methods` (priority 1, target ".", key
 * 65282) appended to `out`. HS_E_INVAL when no method is set. */
int par_svcb_rdata(unsigned methods, hs_buf_t *out) HS_CHECK_RESULT;
/* "at-apex,at-ns" for `methods` into buf. */
const char *par_methods_text(unsigned methods, char *buf, size_t n);
/* Parse "at-apex,manual" (commas or blanks) into HS_BOOT_* bits: HS_OK,
 * HS_E_SYNTAX (an unknown or empty name). */
int par_methods_parse(const char *text, unsigned *out) HS_CHECK_RESULT;

#endif
