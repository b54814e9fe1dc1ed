/* par_int.h -- internals shared by src/engine/parent/par*.c. */
#ifndef HS_ENGINE_PARENT_PAR_INT_H
#define HS_ENGINE_PARENT_PAR_INT_H

#include "engine/parent/par.h"

#include "wire/proto.h"

#define PAR_SUB           "parent"
#define PAR_SRC_PREFIX    "parent: "
#define PAR_TYPE_A        1
#define PAR_TYPE_NS       2
#define PAR_TYPE_SOA      6
#define PAR_TYPE_AAAA     28
#define PAR_TYPE_DS       43
#define PAR_TYPE_KEY      25
#define PAR_TYPE_ANY      255
#define PAR_MAX_CAND      4 /* keys tried per message (draft-hsync-sig0 SIG-15) */
#define PAR_REFUSAL_SLOTS 256

/* RCODEs the receiver sends. */
enum {
	PAR_RC_NOERROR = 0,
	PAR_RC_FORMERR = 1,
	PAR_RC_SERVFAIL = 2,
	PAR_RC_REFUSED = 5,
	PAR_RC_NOTAUTH = 9,
	PAR_RC_BADKEY = 17,
	PAR_RC_BADTIME = 18,
};

enum par_key_state {
	PAR_KEY_TRUSTED = 0,
	PAR_KEY_CANDIDATE,
	PAR_KEY_RETIRED,
};

/* One key of a child, as the trust store holds it. */
struct par_key {
	sig0_key_t *key;
	uint8_t rdata[1024];
	size_t rdlen;
	uint16_t tag;
	uint8_t alg;
	enum par_key_state state;
	int trust; /* the st_trust_state it has in the store */
	char source[200];
	int64_t first_seen, changed;
};

/* A bootstrap job (section 6 of the draft). */
enum par_job_state { PAR_JOB_NONE = 0, PAR_JOB_RUNNING, PAR_JOB_FAILED, PAR_JOB_DONE };

struct par_job {
	enum par_job_state state;
	int rebootstrap;    /* over a trusted key (PS-28) */
	uint8_t cand[1024]; /* the candidate's KEY RDATA */
	size_t candlen;
	uint16_t tag;
	unsigned running, failed; /* HS_BOOT_* bits */
	char why[256];            /* the last failure, or what runs */
	/* the delegation (at-ns, unsigned) */
	int deleg_state; /* 0 not asked, 1 asked, 2 have it, -1 failed */
	par_ns_t ns[PAR_MAX_NS];
	size_t nns;
	/* at-ns: per NS 0 waiting, 1 ok */
	unsigned char atns_ok[PAR_MAX_NS];
	/* unsigned: the addresses, rounds */
	char addrs[PAR_MAX_NS * PAR_MAX_NS_ADDRS][PAR_ADDR_MAX];
	size_t naddrs;
	size_t addrs_wait;      /* ADDRS lookups outstanding */
	unsigned round;         /* rounds completed */
	size_t round_ok;        /* answers of the current round that passed */
	uint64_t next_round_ms; /* mono; 0 = none scheduled */
	uint64_t started_ms;
};

/* A scan of the child's CDS/CDNSKEY or CSYNC (par_scan.c). */
#define PAR_SCAN_CDS    1u
#define PAR_SCAN_CSYNC  2u
#define PAR_SCAN_METHOD 0x100u /* par_lookup.method of the scanner's lookups */
#define PAR_SCAN_NT     6      /* CDS, CDNSKEY, CSYNC, NS, A, AAAA */
struct par_scan {
	int running;
	unsigned want;  /* kinds asked for since the last scan started */
	unsigned kinds; /* the running scan's */
	int opted;      /* scanned periodically (it sent a NOTIFY, or configured) */
	uint64_t last_ms, due_ms, periodic_ms;
	char source[PAR_ADDR_MAX];
	int phase; /* 1 delegation and addresses, 2 the answers */
	size_t outstanding;
	par_ns_t ns[PAR_MAX_NS];
	size_t nns;
	char addrs[PAR_MAX_NS * PAR_MAX_NS_ADDRS][PAR_ADDR_MAX];
	char addr_ns[PAR_MAX_NS * PAR_MAX_NS_ADDRS][PAR_NAME_MAX];
	size_t naddrs;
	hs_buf_t ref[PAR_SCAN_NT]; /* per type: the set the first nameserver answered */
	int have_ref[PAR_SCAN_NT];
	char ref_from[PAR_SCAN_NT][PAR_ADDR_MAX];
	hs_buf_t sec[PAR_SCAN_NT]; /* per type: the validated set */
	int have_sec[PAR_SCAN_NT];
	hs_buf_t cur; /* the DS the parent holds now */
	int have_cur;
	int failed;
	char why[400];
	char last[512];
};

struct par_child {
	char name[PAR_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX];
	size_t wlen;
	struct par_key keys[PAR_MAX_KEYS];
	size_t nkeys;
	struct par_job job;
	struct par_scan *scan; /* NULL until the child is first scanned */
	int64_t last_change;
};

/* An outstanding LOOKUP. */
struct par_lookup {
	uint64_t token;
	char child[PAR_NAME_MAX];
	par_lk_kind_t kind;
	unsigned method; /* HS_BOOT_* it serves (0 = the delegation, shared) */
	size_t index;    /* NS index (at-ns, ADDRS) or address index (DIRECT) */
	uint64_t deadline_ms;
	struct par_lookup *next;
};

/* What an answer needs from its request (kept while the backend works). */
struct par_ans {
	uint16_t id;
	uint16_t flags;
	uint8_t q[WIRE_NAME_MAX + 4]; /* the zone section / question as received */
	size_t qlen;
	int has_q;
	int has_opt;
	int tcp;
	char addr[PAR_ADDR_MAX];
};

struct par_pending {
	uint64_t id;
	int scan;         /* a scanner's change: no request to answer */
	int64_t decision; /* store row */
	struct par_ans ans;
	char child[PAR_NAME_MAX];
	struct par_pending *next;
};

struct par_actq {
	par_action_t *v;
	size_t n, cap, head;
};

struct par_refusal_slot {
	uint32_t hash;
	uint64_t last_ms; /* mono: last row stored */
	uint32_t folded;  /* refusals since */
};

struct par {
	par_cfg_t cfg;
	char zone[PAR_NAME_MAX];
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	st_t *st;
	const hs_env_t *env;
	sig0_budget_t *b_src, *b_child, *b_udp;
	struct par_child *children; /* sorted by name */
	size_t nchildren, capchildren;
	struct par_lookup *lookups;
	uint64_t next_token;
	uint64_t next_id;
	struct par_pending *pending, **pending_tail;
	struct par_actq q;
	struct par_refusal_slot refusals[PAR_REFUSAL_SLOTS];
	uint64_t refusal_window_ms; /* global gate: rows stored this minute */
	unsigned refusal_rows;
	par_stats_t stats;
};

/* par.c */
void par_push(par_t *p, par_action_t *a); /* takes *a over */
struct par_child *par_child_find(par_t *p, const char *name);
struct par_child *par_child_find_wire(par_t *p, const uint8_t *w, size_t wl);
struct par_child *par_child_make(par_t *p, const uint8_t *w, size_t wl);
uint64_t par_mono(const par_t *p);
void par_name_text(const uint8_t *w, size_t wl, char *out, size_t n);

/* par_answer.c */
void par_ans_from(struct par_ans *a, const uint8_t *msg, size_t len, const hs_upd_t *u,
                  const char *addr, int tcp);
/* Build, sign, and push the ANSWER of request `id`. `ede` < 0: none;
 * `ks` (may be NULL) a whole KeyState option. `sign`: 1 always (an
 * authenticated request), -1 when the budgets of the requester have a
 * token for it (an unauthenticated one, PS-15), 0 never. */
void par_answer(par_t *p, uint64_t id, const struct par_ans *a, unsigned rcode, int ede,
                const char *text, const hs_buf_t *ks, int sign);
/* A minimal TC=1 answer (unsigned, PS-9). */
void par_answer_tc(par_t *p, uint64_t id, const struct par_ans *a);
/* A KeyState option (code, length, data) into `out` (reset first). */
void par_keystate_opt(hs_buf_t *out, uint16_t key_id, uint8_t state, const char *text);

/* par_keys.c */
int par_keys_load(par_t *p, hs_errmsg_t *em);
/* Keys of `c` in `state` with (alg, tag), up to `max`, into `out`. */
size_t par_keys_select(const struct par_child *c, int states, uint8_t alg, uint16_t tag,
                       const sig0_key_t **out, size_t max);
#define PAR_STATES_TRUSTED   (1 << PAR_KEY_TRUSTED)
#define PAR_STATES_CANDIDATE (1 << PAR_KEY_CANDIDATE)
#define PAR_STATES_ALL       7
struct par_key *par_key_find(struct par_child *c, const uint8_t *rdata, size_t len);
size_t par_trusted_count(const struct par_child *c);
/* Write a key's new trust to the store, then to memory. `trust` is an
 * st_trust_state; `why` follows "parent: ". A key not held yet is added. */
int par_key_set(par_t *p, struct par_child *c, const uint8_t *rdata, size_t len, int trust,
                const char *why) HS_CHECK_RESULT;
const char *par_key_state_name(enum par_key_state s);
int par_candidate_live(const par_t *p, const struct par_key *k);

/* par_log.c */
typedef struct par_dec {
	const char *child;
	const char *source;
	const char *signer;
	const char *kind;
	const char *outcome;
	unsigned rcode;
	int ede;
	const char *reason;
	const char *records;
} par_dec_t;
/* Keep and log an authenticated decision; *row (may be NULL) its id. */
int par_decide(par_t *p, const par_dec_t *d, int64_t *row);
/* An unauthenticated refusal: counted, logged and kept at most once a
 * minute per (source network, reason) (PS-39). */
void par_refusal(par_t *p, const char *addr, const char *child, const char *reason, unsigned rcode,
                 int ede);
/* The update section in presentation form, one record a line. */
void par_records_text(const hs_upd_rr_t *rrs, size_t n, hs_buf_t *out);

/* par_check.c */
int par_update(par_t *p, uint64_t id, const uint8_t *msg, size_t len, hs_upd_t *u, const char *addr,
               int tcp);
int par_inquiry(par_t *p, uint64_t id, const uint8_t *msg, size_t len, hs_upd_t *u,
                const char *addr, int tcp);
/* Steps 4 to 6 shared by UPDATE and inquiry: find the child, charge the
 * budgets, verify. */
struct par_auth {
	char signer[PAR_NAME_MAX];
	uint8_t cw[WIRE_NAME_MAX]; /* the child, wire */
	size_t cwl;
	char child[PAR_NAME_MAX];
	sig0_verdict_t v;
	char signer_desc[300];
};

/* par_scan.c */
int par_notify(par_t *p, uint64_t id, const uint8_t *msg, size_t len, const hs_upd_t *u,
               const char *addr, int tcp);
int par_scan_lookup_done(par_t *p, struct par_child *c, const struct par_lookup *l,
                         const par_lookup_res_t *r);
void par_scan_applied(par_t *p, const char *child, int rc);
void par_scan_tick(par_t *p);
uint64_t par_scan_deadline(const par_t *p);
void par_scan_free(struct par_scan *s);

/* par_boot.c */
/* Queue a LOOKUP for child `c` (method: HS_BOOT_* or PAR_SCAN_METHOD). */
void par_lookup_push(par_t *p, struct par_child *c, par_lk_kind_t kind, unsigned method,
                     size_t index, const char *name, uint16_t type, const char *addr);
/* A verified upload of `rdata` for child `c` (which has no trusted key,
 * or a re-bootstrap when `rebootstrap`). Starts the job. */
int par_boot_start(par_t *p, struct par_child *c, const uint8_t *rdata, size_t len, int rebootstrap,
                   const char *addr) HS_CHECK_RESULT;
void par_boot_stop(par_t *p, struct par_child *c);
/* The KeyState of key `tag` of `c` and a text. */
uint8_t par_boot_keystate(const par_t *p, const struct par_child *c, uint16_t tag, char *text,
                          size_t n);
void par_boot_tick(par_t *p);
uint64_t par_boot_deadline(const par_t *p);
int par_boot_lookup_done(par_t *p, uint64_t token, const par_lookup_res_t *r);

#endif
