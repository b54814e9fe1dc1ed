/*
 * sd_int.h -- the synchronised data's internal state and the hooks the
 * agent engine calls (engine.c, peer.c). Shared by the src/engine/sync files
 * and those hooks only.
 *
 * Per zone (attached to the engine's zone entry): one sd_set_t per
 * (originator, type). Each set keeps its records, including records
 * removed by the latest versions whose removal is still being tracked,
 * and per record one sd_vd_t per expected recipient. Own sets also keep
 * one re-send schedule (sd_rs_t) per recipient.
 */
#ifndef HS_ENGINE_SYNC_SD_INT_H
#define HS_ENGINE_SYNC_SD_INT_H

#include "engine/engine_int.h"
#include "engine/sync/sd.h"

#define SD_BACKOFF_MAX_MS 3600000 /* SYNC-31: re-send backoff cap */
#define SD_RFI_BATCH      SM_MAX_ZONES
#define SD_KS_DNSKEY_TTL  3600 /* TTL of the signer's distributed DNSKEYs (KS-12) */

/* One recipient's last verdict on one RR. */
typedef struct sd_vd {
	char *provider; /* recipient key: provider identity (ours = own combiner) */
	char *by;
	int have;
	sm_verdict_t verdict;
	char *reason;
	uint64_t version;
	uint64_t time_wall;
	uint64_t since_mono; /* waiting for a final verdict since */
} sd_vd_t;

typedef struct sd_rr {
	char *owner;
	uint32_t ttl;
	uint8_t *rdata;
	uint16_t rdlen;
	int in_set;
	eng_sd_state_t state;
	uint64_t since_wall;
	uint64_t version;
	char change[SM_CHANGE_LEN + 1];
	sd_vd_t *vd;
	size_t nvd;
} sd_rr_t;

/* Re-send schedule of an own set towards one recipient (SYNC-31). */
typedef struct sd_rs {
	char *provider;
	uint64_t next; /* mono */
	uint64_t backoff;
} sd_rs_t;

typedef struct sd_set {
	char *origin;
	int own;
	uint16_t type;
	uint64_t version;
	char change[SM_CHANGE_LEN + 1];
	sd_rr_t *rrs;
	size_t nrrs;
	sd_rs_t *rs;
	size_t nrs;
	uint64_t due; /* mono; earliest re-send owed (own sets), UINT64_MAX = none */
} sd_set_t;

typedef struct sd_zone {
	sd_set_t **sets;
	size_t nsets;
	int edits_asked;     /* RFI EDITS sent */
	uint64_t asked_mono; /* when */
	int have_edits;      /* EDITS arrived */
	uint32_t serial;     /* combiner's, from EDITS */
	int have_config;
	sm_config_t config;
	struct sd_ks *ks; /* the signer's inventory and reports (sd_keys.c) */
	int ks_dirty;     /* verdicts or peers changed since the last report */
	eng_sd_counters_t cnt;
} sd_zone_t;

typedef struct sd {
	char combiner[ENG_NAME_MAX]; /* "" = none */
	uint64_t timeout;            /* confirm timeout, ms */
	int started;                 /* first tick done */
	uint64_t next_due;           /* mono; <= every set's due */
	char signer[ENG_NAME_MAX];   /* own signer (KS-11..13); "" = none */
	uint64_t ks_due;             /* mono; next inventory request owed */
	int ks_dirty;                /* some zone's ks_dirty is set */
	eng_sd_counters_t cnt;
	eng_sd_own_t **held; /* restored own sets of zones not loaded yet */
	size_t nheld;
} sd_t;

/* Count one event in the zone (may be NULL) and the engine. */
#define SD_COUNT(e, zs, field)                                                                     \
	do {                                                                                       \
		sd_zone_t *zs_ = (zs);                                                             \
		(e)->sd->cnt.field++;                                                              \
		if (zs_ != NULL)                                                                   \
			zs_->cnt.field++;                                                          \
	} while (0)

/* ---- hooks for the engine ---- */

/* sd_state.c */
int sd_new(eng_t *e, const eng_cfg_t *cfg, hs_errmsg_t *em) HS_CHECK_RESULT;
void sd_free(eng_t *e);
void sd_zone_free(sd_zone_t *z);
/* The zone was (re)loaded: provider changes (SYNC-32, SYNC-36, SYNC-37). */
void sd_zone_changed(eng_t *e, eng_zent_t *ent);
/* A peer became INTRODUCED (SYNC-34). */
void sd_peer_introduced(eng_t *e, const char *peer);

/* sd_timer.c */
void sd_tick(eng_t *e, uint64_t now);
uint64_t sd_deadline(const eng_t *e);

/* message handlers (rows of the engine's table) */
int sd_on_sync(eng_t *e, const char *from, const uint8_t *b, size_t n);
int sd_on_confirm(eng_t *e, const char *from, const uint8_t *b, size_t n);
int sd_on_rfi(eng_t *e, const char *from, const uint8_t *b, size_t n);
int sd_on_edits(eng_t *e, const char *from, const uint8_t *b, size_t n);
int sd_on_config(eng_t *e, const char *from, const uint8_t *b, size_t n);
int sd_on_keystate(eng_t *e, const char *from, const uint8_t *b, size_t n);

/* sd_keys.c: the agent's KEYSTATE side (draft-hsync-keystate KS-11..13) */
int sd_have_signer(const eng_t *e);
void sd_ks_free(sd_zone_t *z);
/* RFI KEYSTATE for these zones to the own signer (asked again with
 * backoff until an inventory arrives). */
void sd_ks_ask(eng_t *e, eng_zent_t **ents, size_t n);
void sd_ks_tick(eng_t *e, uint64_t now);
uint64_t sd_ks_deadline(const eng_t *e);
void sd_ks_zone_changed(eng_t *e, eng_zent_t *ent);
/* The zone's verdicts or peers changed: report at the next sd_ks_report. */
void sd_ks_dirty(eng_t *e, sd_zone_t *zs);
/* Send the reports owed (after every event). */
void sd_ks_report(eng_t *e);

/* ---- inside src/engine/sync ---- */

/* sd_state.c: sets and records */
int sd_have_combiner(const eng_t *e);
int sd_is_self(const eng_t *e, const char *id);
/* 1 when `provider` is an expected recipient of our own sets (SYNC-32). */
int sd_expected(const eng_t *e, const eng_zone_t *z, const char *provider);
/* 1 when `peer` is listed ON (not us) and at least INTRODUCED. */
int sd_peer_ready(const eng_t *e, const char *peer);
sd_set_t *sd_set_find(const sd_zone_t *z, const char *origin, uint16_t type);
sd_set_t *sd_set_get(eng_t *e, eng_zent_t *ent, const char *origin, uint16_t type);
void sd_set_drop(sd_zone_t *z, size_t i);
sd_rr_t *sd_rr_find(const sd_set_t *s, const char *owner, const uint8_t *rdata, size_t rdlen);
sd_vd_t *sd_vd_find(const sd_rr_t *r, const char *provider);
/* Make `s` hold `rrs` (version, change): new records start waiting, records
 * no longer listed are tracked as removals, unchanged ones keep their
 * verdicts. Returns the number of records whose membership or TTL changed. */
size_t sd_set_replace(eng_t *e, eng_zent_t *ent, sd_set_t *s, uint64_t version, const char *change,
                      const sm_rr_t *rrs, size_t n);
/* Bring the recipients of every record of `s` in line with the zone. */
void sd_set_recipients(eng_t *e, eng_zent_t *ent, sd_set_t *s);
/* Record a verdict of `provider` about `rr` (its verdict and reason) for
 * set version `version`: HS_OK; HS_E_NOTFOUND when the record or the
 * recipient is not tracked; HS_E_STATE when it is about an older version
 * (SYNC-26) or is a pending that would replace a final verdict. */
int sd_verdict(eng_t *e, eng_zent_t *ent, sd_set_t *s, const char *provider, const char *by,
               uint16_t type, uint64_t version, const sm_rr_t *rr);
/* SYNC-28: `provider` (through `by`) holds the current version of `s`:
 * records removed from the set and still waiting for its final verdict
 * get `removed`. Returns how many. */
size_t sd_removals_implied(eng_t *e, sd_set_t *s, const char *provider, const char *by);
/* Recompute every record's summary state of `s` (logs transitions). */
void sd_set_refresh(eng_t *e, eng_zent_t *ent, sd_set_t *s, uint64_t now);
/* The recipient's final verdict is the one the record waits for. */
int sd_vd_satisfied(const sd_rr_t *r, const sd_vd_t *v);
/* Some record of `s` still waits for a final verdict of `provider`. */
int sd_set_owes(const eng_t *e, const sd_set_t *s, const char *provider);
/* Summary state at `now`, and whether one verdict is overdue (SYNC-31). */
eng_sd_state_t sd_rr_state_now(const eng_t *e, const sd_set_t *s, const sd_rr_t *r, uint64_t now);
int sd_vd_unconfirmed(const eng_t *e, const sd_set_t *s, const sd_rr_t *r, const sd_vd_t *v,
                      uint64_t now);
/* Presentation of an RR's RDATA (RFC 3597 form when it does not decode). */
void sd_rdata_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out);

/* sd_own.c: durability of our own sets (SYNC-57) */
/* Queue ENG_ACT_OWN_SET for the current version of own set `s`: call it
 * before the UPDATE and SYNCs of that version. */
void sd_own_store(eng_t *e, eng_zent_t *ent, const sd_set_t *s, int restored);
/* Install the held restored own sets of the (just loaded) zone. */
void sd_own_held_install(eng_t *e, eng_zent_t *ent);
void sd_own_held_free(sd_t *sd);

/* sd_send.c: messages out */

/* A CONFIRM being built; results own their copies. */
typedef struct sd_cb {
	sm_confirm_t c;
	size_t cap;
} sd_cb_t;

void sd_cb_init(sd_cb_t *cb, const char *zone, const char *origin, const char *change,
                const char *by, const char *provider);
/* Add a result for `rr` (owner, RDATA) with verdict `v` and `reason`
 * (a code, NULL = none) followed by ": detail" when detail is not NULL. */
void sd_cb_add(sd_cb_t *cb, uint16_t type, uint64_t version, const char *owner,
               const uint8_t *rdata, size_t rdlen, sm_verdict_t v, sm_reason_t reason,
               const char *detail);
/* Send to `to` (when it has results) and release; `final` as SYNC-23. */
void sd_cb_send(eng_t *e, sd_zone_t *zs, const char *to, sd_cb_t *cb);
void sd_cb_free(sd_cb_t *cb);

/* SYNC (update 0) or UPDATE (update 1) of the current set `s` to `to`. */
void sd_send_set(eng_t *e, eng_zent_t *ent, const sd_set_t *s, const char *to, int update);
/* SYNC of `s` to every ready peer of the zone (SYNC-10). */
void sd_send_set_peers(eng_t *e, eng_zent_t *ent, const sd_set_t *s);
/* Encode and send a CONFIRM as it is. */
void sd_send_confirm(eng_t *e, sd_zone_t *zs, const char *to, const sm_confirm_t *c);
/* RFI `what` for `zones` (in batches of SM_MAX_ZONES) to `to`. */
void sd_send_rfi(eng_t *e, const char *to, sm_rfi_what_t what, char **zones, size_t n);
/* Fill *out with a new random change id. */
void sd_new_change(eng_t *e, char out[SM_CHANGE_LEN + 1]);
/* Ask the own combiner for EDITS and CONFIG of the given zones. */
void sd_ask_combiner(eng_t *e, eng_zent_t **ents, size_t n);

#endif
