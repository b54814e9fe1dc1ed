/*
 * store_impl.h -- the backend contract behind store.h (internal).
 *
 * A backend is one `struct st_ops` row. store.c validates arguments,
 * canonicalises names and checks ranges before dispatching, so a backend
 * receives: non-NULL pointers, canonical owner names, lengths within the
 * documented limits, enum values in range. Each write function is one
 * transaction in the backend. Return codes are those of store.h.
 */
#ifndef HS_STORE_STORE_IMPL_H
#define HS_STORE_STORE_IMPL_H

#include "store/store.h"

/* Longest canonical name with its NUL. */
#define ST_NAME_MAX 255
/* Limits store.c enforces for the backends. */
#define ST_BLOB_MAX 65535u
#define ST_TEXT_MAX 1024u

struct st_ops {
	const char *name;
	int (*open)(const char *path, void **be, hs_errmsg_t *em);
	void (*close)(void *be);
	int (*check)(void *be, hs_errmsg_t *em);

	int (*key_add)(void *be, const st_key_ref_t *ref, const uint8_t *pub, size_t publen,
		       const uint8_t *priv, size_t privlen, enum st_key_state state,
		       int64_t now, const char *reason);
	int (*key_get)(void *be, const st_key_ref_t *ref, unsigned flags, st_key_t *out);
	int (*key_set_state)(void *be, const st_key_ref_t *ref, enum st_key_state to,
			     int64_t now, const char *reason);
	int (*key_find)(void *be, const char *owner, int kind, int state, unsigned flags,
			st_key_list_t *out);
	int (*key_history)(void *be, const st_key_ref_t *ref, st_key_event_list_t *out);

	int (*trust_put)(void *be, const st_trust_ref_t *ref, enum st_trust_state state,
			 const char *source, unsigned flags, int64_t now);
	int (*trust_lookup)(void *be, const char *owner, enum st_key_kind kind, uint16_t alg,
			    uint32_t keytag, st_trust_list_t *out);
	int (*trust_list)(void *be, const char *owner, st_trust_list_t *out);
	int (*trust_delete)(void *be, const st_trust_ref_t *ref);

	int (*replay_check_and_add)(void *be, const char *sender, const uint8_t *id,
				    size_t idlen, int64_t expiry, int64_t now, int *was_seen);
	int (*replay_prune)(void *be, int64_t now, uint64_t *n);
	int (*replay_count)(void *be, uint64_t *n);

	int (*outq_add)(void *be, const st_outq_item_t *in, int64_t *seq);
	int (*outq_get)(void *be, const uint8_t *msgid, st_outq_item_t *out);
	int (*outq_pending)(void *be, st_outq_list_t *out);
	int (*outq_attempt)(void *be, const uint8_t *msgid);
	int (*outq_finish)(void *be, const uint8_t *msgid, enum st_outq_state state,
			   const char *reason, int64_t now_ms);
	int (*outq_prune)(void *be, int64_t before_ms, uint64_t *n);
	int (*outq_count)(void *be, int state, uint64_t *n);

	int (*inbox_put)(void *be, const char *sender, const uint8_t *msgid, const char *type,
			 const uint8_t *msg, size_t len, int64_t replay_expiry, int64_t now,
			 int *was_seen);
	int (*inbox_next)(void *be, st_inbox_msg_t *out);
	int (*inbox_ack)(void *be, int64_t seq);
	int (*inbox_count)(void *be, uint64_t *n);

	int (*contrib_apply)(void *be, const st_contrib_t *puts, size_t nputs,
			     const st_contrib_key_t *dels, size_t ndels, uint64_t *deleted);
	int (*contrib_list)(void *be, const char *zone, st_contrib_list_t *out);
	int (*contrib_count)(void *be, const char *zone, uint64_t *nsets, uint64_t *nrrs);
	int (*zone_put_snapshot)(void *be, const char *zone, uint32_t serial, const uint8_t *data,
	                         size_t len, int64_t at, int has_keep, uint32_t keep_from);
	int (*zone_add_journal)(void *be, const char *zone, uint32_t from, uint32_t to, int64_t at,
	                        const uint8_t *data, size_t len, int64_t *seq);
	int (*zone_load)(void *be, const char *zone, st_zone_data_t *out);
	int (*zone_trim)(void *be, const char *zone, int64_t after_seq);
	int (*zone_sizes)(void *be, const char *zone, uint64_t *snap, uint64_t *journal);
	int (*zone_drop)(void *be, const char *zone);

	int (*dkey_add)(void *be, const char *zone, uint8_t role, const uint8_t *dnskey, size_t len,
	                const uint8_t *priv, size_t privlen, int state, int64_t now,
	                const char *reason);
	int (*dkey_set_state)(void *be, const char *zone, const uint8_t *dnskey, size_t len, int to,
	                      int64_t now, const char *reason);
	int (*dkey_list)(void *be, const char *zone, unsigned flags, st_dkey_list_t *out);
	int (*dkey_history)(void *be, const char *zone, const uint8_t *dnskey, size_t len,
	                    st_key_event_list_t *out);

	int (*par_add)(void *be, const st_par_decision_t *d, int64_t *id);
	int (*par_finish)(void *be, int64_t id, const char *outcome, uint16_t rcode, int32_t ede,
	                  const char *reason, int64_t at);
	int (*par_list)(void *be, const char *child, size_t limit, st_par_decision_list_t *out);
};

/* The handle: a backend row and its state (store.c, store_queue.c). */
struct st {
	const struct st_ops *ops;
	void *be;
};

/* The SQLite backend (store_sqlite.c). */
extern const struct st_ops st_sqlite_ops;

/* Canonicalise `in` into `out` (ST_NAME_MAX bytes): lowercase ASCII, one
 * trailing dot. HS_E_INVAL for an empty, too long or malformed name. */
int st_name_canon(const char *in, char out[ST_NAME_MAX]);

/* Wipe `n` bytes at `p` in a way the compiler keeps (NULL-safe). */
void st_wipe(void *p, size_t n);

#endif
