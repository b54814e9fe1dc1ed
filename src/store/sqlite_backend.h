/*
 * sqlite_backend.h -- the SQLite implementations of the st_ops entries
 * (internal to src/store; store_sqlite.c puts them into the ops table).
 * `be` is a `struct sq_db *`. Contracts: store_impl.h and store.h.
 */
#ifndef HS_STORE_SQLITE_BACKEND_H
#define HS_STORE_SQLITE_BACKEND_H

#include "store/sqlite_db.h"
#include "store/store_impl.h"

/* sqlite_keys.c */
int sqk_add(void *be, const st_key_ref_t *ref, const uint8_t *pub, size_t publen,
	    const uint8_t *priv, size_t privlen, enum st_key_state state, int64_t now,
	    const char *reason);
int sqk_get(void *be, const st_key_ref_t *ref, unsigned flags, st_key_t *out);
int sqk_set_state(void *be, const st_key_ref_t *ref, enum st_key_state to, int64_t now,
		  const char *reason);
int sqk_find(void *be, const char *owner, int kind, int state, unsigned flags,
	     st_key_list_t *out);
int sqk_history(void *be, const st_key_ref_t *ref, st_key_event_list_t *out);

/* sqlite_trust.c */
int sqt_put(void *be, const st_trust_ref_t *ref, enum st_trust_state state, const char *source,
	    unsigned flags, int64_t now);
int sqt_lookup(void *be, const char *owner, enum st_key_kind kind, uint16_t alg,
	       uint32_t keytag, st_trust_list_t *out);
int sqt_list(void *be, const char *owner, st_trust_list_t *out);
int sqt_delete(void *be, const st_trust_ref_t *ref);

/* sqlite_replay.c */
int sqr_check_and_add(void *be, const char *sender, const uint8_t *id, size_t idlen,
		      int64_t expiry, int64_t now, int *was_seen);
int sqr_prune(void *be, int64_t now, uint64_t *n);
int sqr_count(void *be, uint64_t *n);

/* sqlite_outq.c */
int sqo_add(void *be, const st_outq_item_t *in, int64_t *seq);
int sqo_get(void *be, const uint8_t *msgid, st_outq_item_t *out);
int sqo_pending(void *be, st_outq_list_t *out);
int sqo_attempt(void *be, const uint8_t *msgid);
int sqo_finish(void *be, const uint8_t *msgid, enum st_outq_state state, const char *reason,
	       int64_t now_ms);
int sqo_prune(void *be, int64_t before_ms, uint64_t *n);
int sqo_count(void *be, int state, uint64_t *n);

/* sqlite_inbox.c */
int sqi_put(void *be, const char *sender, const uint8_t *msgid, const char *type,
	    const uint8_t *msg, size_t len, int64_t replay_expiry, int64_t now, int *was_seen);
int sqi_next(void *be, st_inbox_msg_t *out);
int sqi_ack(void *be, int64_t seq);
int sqi_count(void *be, uint64_t *n);

/* sqlite_contrib.c */
int sqc_apply(void *be, const st_contrib_t *puts, size_t nputs, const st_contrib_key_t *dels,
	      size_t ndels, uint64_t *deleted);
int sqc_list(void *be, const char *zone, st_contrib_list_t *out);
int sqc_count(void *be, const char *zone, uint64_t *nsets, uint64_t *nrrs);
/* sqlite_zones.c */
int sqz_put_snapshot(void *be, const char *zone, uint32_t serial, const uint8_t *data, size_t len,
                     int64_t at, int has_keep, uint32_t keep_from);
int sqz_add_journal(void *be, const char *zone, uint32_t from, uint32_t to, int64_t at,
                    const uint8_t *data, size_t len, int64_t *seq);
int sqz_load(void *be, const char *zone, st_zone_data_t *out);
int sqz_trim(void *be, const char *zone, int64_t after_seq);
int sqz_sizes(void *be, const char *zone, uint64_t *snap, uint64_t *journal);
int sqz_drop(void *be, const char *zone);

/* sqlite_dkeys.c */
extern const char sqd_migration[];
int sqd_add(void *be, const char *zone, uint8_t role, const uint8_t *dnskey, size_t len,
            const uint8_t *priv, size_t privlen, int state, int64_t now, const char *reason);
int sqd_set_state(void *be, const char *zone, const uint8_t *dnskey, size_t len, int to,
                  int64_t now, const char *reason);
int sqd_list(void *be, const char *zone, unsigned flags, st_dkey_list_t *out);
int sqd_history(void *be, const char *zone, const uint8_t *dnskey, size_t len,
                st_key_event_list_t *out);

/* sqlite_parent.c */
extern const char sqp_migration[];
int sqp_add(void *be, const st_par_decision_t *d, int64_t *id);
int sqp_finish(void *be, int64_t id, const char *outcome, uint16_t rcode, int32_t ede,
               const char *reason, int64_t at);
int sqp_list(void *be, const char *child, size_t limit, st_par_decision_list_t *out);

#endif
