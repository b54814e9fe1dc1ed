/*
 * cmb_int.h -- the combiner's internal state, shared by its .c files only.
 *
 * Memory mirrors the store: every set in a zone's `sets` is exactly what
 * the store holds for it. Changes are prepared as a batch of new sets
 * (copies), written in one store transaction, and only then swapped into
 * memory (cmb_batch_commit), so a store failure leaves both untouched.
 */
#ifndef HS_ENGINE_COMBINER_CMB_INT_H
#define HS_ENGINE_COMBINER_CMB_INT_H

#include "engine/combiner/combiner.h"
#include "util/strmap.h"
#include "wire/cursor.h"

#define SUB "combiner"

/* A stored record. */
typedef struct cmb_rr {
	char *owner;
	uint32_t ttl;
	uint8_t *rdata;
	uint16_t rdlen;
	sm_verdict_t verdict; /* pending, applied or ignored */
	char *reason;         /* NULL = none */
	int approved;
} cmb_rr_t;

/* A stored set of one (zone, origin, type). */
typedef struct cmb_set {
	char *origin;
	uint16_t type;
	uint64_t version;
	char change[SM_CHANGE_LEN + 1];
	int64_t updated_ms;
	size_t n;
	cmb_rr_t *rrs;
} cmb_set_t;

/* One apex RR of the owner's zone (synchronised types only). */
typedef struct cmb_own {
	uint16_t type;
	uint32_t ttl;
	uint8_t *rdata;
	uint16_t rdlen;
} cmb_own_t;

/* What a zone load brings: replaced as a whole on the next load. */
typedef struct cmb_zview {
	int loaded;
	eng_zone_t an; /* analysed for the own provider; valid when loaded */
	uint32_t serial_in;
	size_t nown;
	cmb_own_t *own;
} cmb_zview_t;

typedef struct cmb_zone {
	char name[ENG_NAME_MAX];
	cmb_zview_t v;
	uint32_t serial_served;
	cmb_set_t **sets; /* sorted by (origin, type) */
	size_t nsets, scap;
	hs_buf_t published; /* cmb_apex_bytes of the last PUBLISH */
	int has_published;
	size_t idx; /* in c->zones */
} cmb_zone_t;

typedef struct cmb_protect {
	char name[ENG_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX];
	size_t wlen;
} cmb_protect_t;

struct cmb {
	char identity[ENG_NAME_MAX];
	char provider[ENG_NAME_MAX];
	cmb_protect_t protect[CMB_PROTECT_MAX];
	size_t nprotect;
	uint32_t ttl_min, ttl_max;
	int manual;
	st_t *st;
	const hs_env_t *env;
	hs_strmap_t *zmap;
	cmb_zone_t **zones;
	size_t nzones, zcap;
	cmb_action_t *acts; /* FIFO */
	size_t ahead, atail, acap;
	cmb_counters_t cnt;
};

static inline int64_t cmb_now_ms(const cmb_t *c)
{
	return (int64_t)c->env->now_ms(c->env->arg);
}

/* ---- combiner.c ---- */
cmb_zone_t *cmb_zone_find(const cmb_t *c, const char *canon);
cmb_zone_t *cmb_zone_ensure(cmb_t *c, const char *canon);
/* Forget a zone that is neither loaded nor holds sets. */
void cmb_zone_drop_if_empty(cmb_t *c, cmb_zone_t *z);
cmb_set_t *cmb_set_find(const cmb_zone_t *z, const char *origin, uint16_t type);
/* The index of record (owner, rdata) in `s`, or -1. */
long cmb_set_rr_index(const cmb_set_t *s, const char *owner, const uint8_t *rdata, size_t n);
cmb_set_t *cmb_set_new(const char *origin, uint16_t type, uint64_t version, const char *change,
                       int64_t updated_ms);
cmb_set_t *cmb_set_dup(const cmb_set_t *s);
/* Append a copy of a record. */
void cmb_set_push(cmb_set_t *s, const char *owner, uint32_t ttl, const uint8_t *rdata,
                  uint16_t rdlen, sm_verdict_t v, const char *reason, int approved);
void cmb_set_remove(cmb_set_t *s, size_t i);
void cmb_set_free(cmb_set_t *s);
void cmb_zview_clear(cmb_zview_t *v);
cmb_action_t *cmb_push_action(cmb_t *c, cmb_act_kind_t kind, const char *zone);
/* Queue a SEND to the own agent (takes the buffer's memory). */
void cmb_send(cmb_t *c, const char *zone, const char *type_name, hs_buf_t *body);
/* The one place a stored record's verdict changes is logged. */
void cmb_log_verdict(const cmb_t *c, const char *zone, const char *origin, uint16_t type,
                     const uint8_t *rdata, size_t rdlen, sm_verdict_t from, int had,
                     sm_verdict_t to, const char *reason);
/* Emit PUBLISH when the zone's combined apex differs from the last one. */
void cmb_publish_check(cmb_t *c, cmb_zone_t *z);

/* ---- cmb_answer.c: results of one CONFIRM ---- */

/* Results of one CONFIRM (zone, origin, change); entries own their data. */
typedef struct cmb_results {
	char zone[ENG_NAME_MAX];
	char origin[ENG_NAME_MAX];
	char change[SM_CHANGE_LEN + 1];
	sm_result_t *v;
	size_t n, cap;
} cmb_results_t;

/* Several result lists, each at a stable address. */
typedef struct cmb_reslist {
	cmb_results_t **v;
	size_t n;
} cmb_reslist_t;

void cmb_results_init(cmb_results_t *r, const char *zone, const char *origin, const char *change);
void cmb_results_add(cmb_results_t *r, uint16_t type, uint64_t version, const char *owner,
                     const uint8_t *rdata, uint16_t rdlen, sm_verdict_t v, const char *reason);
void cmb_results_free(cmb_results_t *r);
void cmb_reslist_free(cmb_reslist_t *l); /* cmb_reeval.c */
/* Encode and queue as CONFIRMs of at most SM_MAX_RESULTS results each
 * (SYNC-54); nothing when there are no results and `always` is 0. */
void cmb_results_send(cmb_t *c, cmb_results_t *r, int always);

/* ---- combiner.c: prepared changes, one store transaction ---- */
typedef struct cmb_change {
	cmb_zone_t *z;
	cmb_set_t *old;           /* the stored set, or NULL (a new key) */
	cmb_set_t *neu;           /* its replacement, or NULL (delete) */
	const cmb_results_t *res; /* what is reported about it (for the log) */
} cmb_change_t;

typedef struct cmb_batch {
	cmb_change_t *v;
	size_t n, cap;
	uint64_t rejected, withdrawn; /* added to the counters on commit */
} cmb_batch_t;

void cmb_batch_add(cmb_batch_t *b, cmb_zone_t *z, cmb_set_t *old, cmb_set_t *neu,
                   const cmb_results_t *res);
/* Write the batch in one transaction; on HS_OK swap it into memory and
 * log each verdict that changed (from the results), on failure drop the
 * new sets. The batch is empty afterwards either way. */
int cmb_batch_commit(cmb_t *c, cmb_batch_t *b);
void cmb_batch_drop(cmb_batch_t *b);

/* ---- cmb_policy.c ---- */
typedef struct cmb_pctx {
	const cmb_t *c;
	const cmb_zone_t *z; /* NULL when unknown */
	const char *origin;
	uint16_t type;
	/* record scope */
	const char *owner;
	uint32_t ttl;
	const uint8_t *rdata;
	size_t rdlen;
	int approved;
	char detail[96]; /* free text a rule may add to its reason */
} cmb_pctx_t;

/* Rules 1-3: 1 and the verdict/reason of the first that matches, else 0. */
int cmb_policy_set(cmb_pctx_t *p, sm_verdict_t *v, sm_reason_t *r);
/* Rules 4-13 for one record: its verdict, and its reason text into `reason`
 * (the code, optionally ": " and detail; "" for applied). */
void cmb_policy_rr(cmb_pctx_t *p, sm_verdict_t *v, char reason[SM_REASON_MAX + 1]);
/* 1 when `label` (a trailing dot ignored, any case) is in the comma-joined
 * `list` (NULL = empty). */
int cmb_label_in(const char *list, const char *label);
/* SYNC-58 from the loaded view: active, a DNSKEY at the owner's apex and
 * no label in HSYNCPARAM signers (cmb_owner_signed() decides the same
 * from a zone version). */
int cmb_zone_owner_signed(const cmb_zone_t *z);
/* The own provider's label is in HSYNCPARAM signers. */
/* 1 when the combiner judges and combines for the zone: loaded, and
 * multi-provider here or only short of other providers (every other one
 * OFF or gone: their sets must still be withdrawn, SYNC-47, and UPDATEs
 * judged, SYNC-44 row 2). A malformed or missing HSYNC3/HSYNCPARAM, or our
 * own provider not ON, keeps the sets and serves the owner's apex
 * (SYNC-48). */
int cmb_zone_active(const cmb_zone_t *z);
int cmb_zone_signing(const cmb_zone_t *z);

/* ---- cmb_reeval.c ---- */
/* Prepare the re-evaluation of a loaded multi-provider zone into `b` and
 * one results list per changed set into `res` (the caller frees it after
 * the commit). Returns the number of records whose verdict changes. */
size_t cmb_reeval_prepare(cmb_t *c, cmb_zone_t *z, cmb_batch_t *b, cmb_reslist_t *res);

/* ---- cmb_update.c, cmb_answer.c: message handlers ---- */
int cmb_on_update(cmb_t *c, const uint8_t *b, size_t n);
int cmb_on_rfi(cmb_t *c, const uint8_t *b, size_t n);
int cmb_on_confirm(cmb_t *c, const uint8_t *b, size_t n);

#endif
