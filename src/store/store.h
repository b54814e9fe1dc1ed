/*
 * store.h -- persistence for keys, trust and the replay cache.
 *
 * The store is an opaque handle (st_t) over a table of functions (one
 * backend: SQLite, see store_impl.h). It deals in bytes and plain types
 * only: it never parses or builds SIG(0) or HPKE objects.
 *
 * Conventions for every function below:
 *   - Returns HS_OK or a negative HS_E_* code. Out-parameters are written
 *     only on success.
 *   - HS_E_INVAL: a NULL handle or argument, an empty or malformed name, a
 *     length out of range, an enum value out of range.
 *   - HS_E_DB: the database failed (the SQLite message is logged under the
 *     subsystem "store"); HS_E_DB_BUSY: another process held the database
 *     longer than the bounded wait (busy timeout plus retries, about 20 s);
 *     HS_E_DB_SCHEMA: the file is not an hsync database, is damaged, or has
 *     a schema newer than this code; HS_E_IO: the file cannot be opened.
 *   - Names (key owners, trust owners, replay senders) are stored
 *     canonical: ASCII letters folded to lowercase and exactly one trailing
 *     dot ("Dns.Example.COM" and "dns.example.com." are the same name). The
 *     root is ".". Labels are 1..63 characters, the whole name at most 254
 *     characters with the dot; empty labels ("a..b") are HS_E_INVAL, so
 *     are spaces and control characters. Presentation escapes ("\.",
 *     "\065") are not decoded: pass names in the form ldns prints them.
 *     Strings the store returns are canonical.
 *   - Times are int64_t Unix seconds supplied by the caller (its injected
 *     clock); the store never reads a clock.
 *   - Every write is one transaction (BEGIN IMMEDIATE ... COMMIT): a
 *     logical change is wholly applied or not at all, also across a crash.
 *     When a write returns HS_OK its commit is on disk (WAL, fsync per
 *     commit): it survives a process kill and a power loss. Inside a
 *     group-commit batch (st_batch_begin) that holds only once the batch
 *     is committed.
 *   - Private key bytes are never logged. Copies the store hands out are
 *     wiped by st_key_clear(); SQLite's own page cache may hold them while
 *     the handle is open. st_key_set_state(.., ST_KEY_REMOVED, ..) erases
 *     them from the database file and the WAL (at once when no other
 *     process is reading an older snapshot, else at a later checkpoint).
 *   - A handle is used by one thread at a time and not across fork(); a
 *     child opens its own. Several processes may open the same file at
 *     once; writers wait for each other.
 */
#ifndef HS_STORE_STORE_H
#define HS_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"
#include "util/hs_err.h"

typedef struct st st_t;

/* ---- opening ---------------------------------------------------------- */

/* Open (creating if missing, mode 0600) the database file at `path` and
 * apply any pending schema migrations. An existing file readable by other
 * users is used with a warning. ":memory:" is HS_E_INVAL. `em` (may be
 * NULL) receives a one-line reason on failure. On success *out owns the
 * handle; release with st_close().
 * HS_E_DB_SCHEMA: newer schema than this code, not an hsync database, or
 * damaged; HS_E_IO: cannot open the file; HS_E_DB: other SQLite failure. */
int st_open(const char *path, st_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Close the handle (NULL-safe). */
void st_close(st_t *st);

/* The schema version this code writes (PRAGMA user_version). */
int st_schema_version(void);

/* Full consistency check of the database file (PRAGMA integrity_check and
 * foreign keys). HS_OK when clean, HS_E_DB_SCHEMA when damaged (the first
 * problem is logged and put in `em`). */
int st_check(st_t *st, hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- group commit ------------------------------------------------------ */

/*
 * Collect the writes that follow into ONE transaction, committed (one
 * fsync) by st_batch_commit, so that concurrent messages share a commit
 * (draft-hsync-transport COMMIT-1). Each write stays atomic on its own: a
 * write that fails inside the batch leaves none of its changes and the
 * others stand. Reads see the batch's writes.
 *
 * While a batch is open a write that returned HS_OK is NOT yet durable:
 * it becomes durable when st_batch_commit returns HS_OK, and is lost if
 * that fails (every write since st_batch_begin is then rolled back) or
 * the process dies first. A caller must therefore not act on such a
 * write towards anyone else (send a receipt, report a delivery) before
 * st_batch_commit returned HS_OK. The database stays locked for other
 * writers from the first write of the batch until its commit.
 *
 * HS_E_STATE: a batch is already open (st_batch_begin) or none is
 * (st_batch_commit). st_batch_commit's other errors are those of a
 * write. st_batch_abort rolls the batch back (NULL-safe, no-op without
 * a batch); st_close with a batch open aborts it.
 */
int st_batch_begin(st_t *st) HS_CHECK_RESULT;
int st_batch_commit(st_t *st) HS_CHECK_RESULT;
void st_batch_abort(st_t *st);
/*
 * COMMIT-3: commit the batch without waiting for the disk. The writes are
 * committed (visible, and safe from a process crash) when this returns
 * HS_OK, and durable against power loss once st_sync_durable() reports
 * `*ticket` or more; until then the caller must not act on them towards
 * anyone else. The sync runs in a background thread of the store;
 * st_sync_fd() becomes readable when it finishes (poll it, then call
 * st_sync_durable, which also clears it). Errors: those of
 * st_batch_commit.
 */
int st_batch_commit_async(st_t *st, uint64_t *ticket) HS_CHECK_RESULT;
/* A descriptor readable after each background sync; -1 before the first
 * st_batch_commit_async that wrote (then nothing is pending). */
int st_sync_fd(const st_t *st);
/* The newest durable ticket (UINT64_MAX when no background sync ever ran:
 * every commit was synchronous). */
uint64_t st_sync_durable(st_t *st);

/* 1 while a batch is open. */
int st_batch_open(const st_t *st);
/* 1 when the open batch holds writes (its commit would write). */
int st_batch_dirty(const st_t *st);

/* ---- keystore: our own key pairs -------------------------------------- */

enum st_key_kind {
	ST_KIND_SIG0 = 1, /* alg: DNSSEC algorithm number; keyid: RFC 4034 key tag */
	ST_KIND_HPKE = 2, /* alg: HPKE KEM id; keyid: the envelope's recipient key id */
};

enum st_key_state {
	ST_KEY_CREATED = 0, /* generated, not yet in the DNS */
	ST_KEY_PUBLISHED,   /* in the DNS, not yet used */
	ST_KEY_ACTIVE,      /* used to sign / accepted for decryption */
	ST_KEY_RETIRED,     /* no longer used, still published */
	ST_KEY_REMOVED,     /* gone from the DNS; private key erased; final */
};
#define ST_KEY_NSTATES 5

/* Which key transitions are allowed (one row per allowed pair):
 *   (new)     -> created | published | active  (active = import of a key in use)
 *   created   -> published | removed
 *   published -> active | retired | removed
 *   active    -> retired
 *   retired   -> removed
 * Pass from = -1 for "new". Returns 1 when allowed, else 0. */
int st_key_transition_ok(int from, int to);
/* "created", "published", ...; "?" for anything else. */
const char *st_key_state_name(int state);
const char *st_key_kind_name(int kind);

/* Identifies one key pair. */
typedef struct st_key_ref {
	const char *owner; /* owner name (any case, dot optional) */
	enum st_key_kind kind;
	uint16_t alg;
	uint32_t keyid;
} st_key_ref_t;

/* A key pair as stored. Returned copies are owned by the caller and
 * released with st_key_clear(), which wipes the private key. */
typedef struct st_key {
	char *owner; /* canonical */
	enum st_key_kind kind;
	uint16_t alg;
	uint32_t keyid;
	uint8_t *pub;
	size_t publen;
	uint8_t *priv; /* NULL unless asked for with ST_WITH_PRIVATE */
	size_t privlen;
	enum st_key_state state;
	int64_t created_at;
	int64_t state_changed_at;
} st_key_t;

typedef struct st_key_list {
	st_key_t *v;
	size_t n;
} st_key_list_t;

/* One row of a key's history: from_state is -1 for the creation row. */
typedef struct st_key_event {
	int from_state;
	enum st_key_state to_state;
	int64_t at;
	char *reason;
} st_key_event_t;

typedef struct st_key_event_list {
	st_key_event_t *v;
	size_t n;
} st_key_event_list_t;

#define ST_WITH_PRIVATE 0x1u /* flags: copy the private key out as well */
#define ST_ANY (-1)          /* filters: any state */

/* Add a key pair in state `state` (allowed as a first state, see above)
 * with one history row (-1 -> state, `reason`). `pub` must be 1..65535
 * bytes, `priv` 0..65535 (0 = no private key stored). The private key is
 * never logged. `reason` may be NULL (stored as "").
 * HS_E_EXISTS: a key with the same reference exists; HS_E_STATE: `state`
 * is not a valid first state. */
int st_key_add(st_t *st, const st_key_ref_t *ref, const uint8_t *pub, size_t publen,
	       const uint8_t *priv, size_t privlen, enum st_key_state state, int64_t now,
	       const char *reason) HS_CHECK_RESULT;

/* Fetch one key; ST_WITH_PRIVATE in `flags` copies the private key too.
 * HS_E_NOTFOUND when there is no such key. */
int st_key_get(st_t *st, const st_key_ref_t *ref, unsigned flags,
	       st_key_t *out) HS_CHECK_RESULT;

/* Move a key to state `to` and append a history row, atomically.
 * Moving to ST_KEY_REMOVED erases the private key from the database.
 * HS_E_NOTFOUND: no such key; HS_E_STATE: the transition is not in the
 * table (nothing is changed); moving to the current state is HS_E_STATE. */
int st_key_set_state(st_t *st, const st_key_ref_t *ref, enum st_key_state to, int64_t now,
		     const char *reason) HS_CHECK_RESULT;

/* Keys matching all given criteria, ordered by (owner, kind, alg, keyid):
 * owner NULL = any, kind 0 = any, state ST_ANY = any. An empty result is
 * HS_OK with n = 0. Release with st_key_list_free(). */
int st_key_find(st_t *st, const char *owner, int kind, int state, unsigned flags,
		st_key_list_t *out) HS_CHECK_RESULT;

/* The history of one key, oldest first. HS_E_NOTFOUND: no such key. */
int st_key_history(st_t *st, const st_key_ref_t *ref,
		   st_key_event_list_t *out) HS_CHECK_RESULT;

void st_key_clear(st_key_t *k);
void st_key_list_free(st_key_list_t *l);
void st_key_event_list_free(st_key_event_list_t *l);

/* ---- truststore: other parties' public keys --------------------------- */

enum st_trust_state {
	ST_TRUST_UNKNOWN = 0, /* seen, not vouched for */
	ST_TRUST_BOOTSTRAP,   /* accepted on first use (self-signed upload) */
	ST_TRUST_DNSSEC,      /* found in a DNSSEC-validated answer */
	ST_TRUST_TRUSTED,     /* trusted by configuration */
	ST_TRUST_REFUSED,     /* must not be used */
};
#define ST_TRUST_NSTATES 5

/* Trust transitions allowed without ST_FORCE (one row per pair):
 *   unknown   -> bootstrap | dnssec | trusted | refused
 *   bootstrap -> dnssec | trusted | refused
 *   dnssec    -> trusted | refused
 *   trusted   -> refused
 *   refused   -> (none)
 * Staying in the same state is always allowed. Returns 1 or 0. */
int st_trust_transition_ok(int from, int to);
const char *st_trust_state_name(int state);

/* One public key of another party. Identity: (owner, kind, alg, keytag,
 * rdata); several rows may share (owner, kind, alg, keytag). */
typedef struct st_trust {
	char *owner; /* canonical */
	enum st_key_kind kind;
	uint16_t alg;
	uint32_t keytag;
	uint8_t *rdata; /* the KEY / HPKEKEY RDATA */
	size_t rdlen;
	enum st_trust_state state;
	char *source; /* why: "dnssec:validated via anchor example.", "config", ... */
	int64_t first_seen;
	int64_t last_seen;
	int64_t last_changed;
} st_trust_t;

typedef struct st_trust_list {
	st_trust_t *v;
	size_t n;
} st_trust_list_t;

/* Identifies one trust row. */
typedef struct st_trust_ref {
	const char *owner;
	enum st_key_kind kind;
	uint16_t alg;
	uint32_t keytag;
	const uint8_t *rdata; /* 1..65535 bytes */
	size_t rdlen;
} st_trust_ref_t;

#define ST_FORCE 0x2u /* flags: allow any trust transition (operator action) */

/* Record that the key `ref` was seen with trust `state` because of
 * `source` (1..1024 bytes of text). A new key is inserted (first_seen =
 * last_seen = last_changed = now). A known key gets last_seen = now, and
 * if `state` differs, state/source/last_changed are updated when the
 * transition is allowed (ST_FORCE in `flags` allows any). HS_E_STATE:
 * transition refused; nothing is changed, not even last_seen. */
int st_trust_put(st_t *st, const st_trust_ref_t *ref, enum st_trust_state state,
		 const char *source, unsigned flags, int64_t now) HS_CHECK_RESULT;

/* All keys of (owner, kind, alg, keytag): every candidate of a key tag
 * collision, oldest first. HS_E_NOTFOUND when there is none. */
int st_trust_lookup(st_t *st, const char *owner, enum st_key_kind kind, uint16_t alg,
		    uint32_t keytag, st_trust_list_t *out) HS_CHECK_RESULT;

/* Every key of `owner` (NULL = all owners), ordered by owner, kind, alg,
 * keytag. Empty result is HS_OK with n = 0. */
int st_trust_list(st_t *st, const char *owner, st_trust_list_t *out) HS_CHECK_RESULT;

/* Forget one key. HS_E_NOTFOUND when absent. */
int st_trust_delete(st_t *st, const st_trust_ref_t *ref) HS_CHECK_RESULT;

void st_trust_clear(st_trust_t *t);
void st_trust_list_free(st_trust_list_t *l);

/* ---- replay cache ------------------------------------------------------ */

#define ST_REPLAY_ID_MAX 255

/* Atomically test and remember message id `id` (1..ST_REPLAY_ID_MAX
 * bytes) from `sender` until `expiry`. *was_seen = 1 when the pair is
 * already remembered with an expiry later than `now` (a replay: nothing
 * changes); otherwise *was_seen = 0 and the pair is remembered until
 * `expiry`. An entry whose expiry is <= now counts as forgotten whether
 * or not it was pruned, so the answer never depends on pruning.
 * HS_E_INVAL: expiry <= now. */
int st_replay_check_and_add(st_t *st, const char *sender, const uint8_t *id, size_t idlen,
			    int64_t expiry, int64_t now, int *was_seen) HS_CHECK_RESULT;

/* Delete entries with expiry <= now; *n (may be NULL) = rows deleted. */
int st_replay_prune(st_t *st, int64_t now, uint64_t *n) HS_CHECK_RESULT;

/* Number of entries stored (expired ones included until pruned). */
int st_replay_count(st_t *st, uint64_t *n) HS_CHECK_RESULT;

/* ---- outbound queue (transport sender) --------------------------------- */

/* Message bodies in the queue and inbox: 1..ST_MSG_MAX bytes. */
#define ST_MSG_MAX  (8u << 20)
#define ST_MSGID_LEN 16

enum st_outq_state {
	ST_OUTQ_PENDING = 0,   /* waiting for delivery */
	ST_OUTQ_DELIVERED = 1, /* final */
	ST_OUTQ_REJECTED = 2,  /* final; reason set */
	ST_OUTQ_EXPIRED = 3,   /* final */
};

/* One queued message. Strings and body are owned by the caller of
 * st_outq_get/st_outq_pending (st_outq_item_clear). Times are Unix
 * milliseconds (the queue schedules retries in milliseconds). */
typedef struct st_outq_item {
	int64_t seq;              /* queue order, assigned by st_outq_add */
	uint8_t msgid[ST_MSGID_LEN];
	char *peer;               /* canonical receiver identity */
	char *type;               /* message type, 1..32 characters */
	char *order_key;          /* NULL = none; 1..255 characters */
	uint8_t *body;
	size_t bodylen;
	int64_t created_ms;
	int64_t expires_ms;
	enum st_outq_state state;
	char *reason;             /* "" unless rejected */
	int64_t finished_ms;      /* 0 while pending */
	uint32_t attempts;
} st_outq_item_t;

typedef struct st_outq_list {
	st_outq_item_t *v;
	size_t n;
} st_outq_list_t;

/* Append a pending message (fields seq, state, reason, finished_ms and
 * attempts of `in` are ignored); *seq (may be NULL) gets its position.
 * HS_E_EXISTS: the message id is queued already; HS_E_INVAL: bad sizes,
 * expires_ms <= created_ms. */
int st_outq_add(st_t *st, const st_outq_item_t *in, int64_t *seq) HS_CHECK_RESULT;
/* One item by id. HS_E_NOTFOUND. */
int st_outq_get(st_t *st, const uint8_t msgid[ST_MSGID_LEN], st_outq_item_t *out) HS_CHECK_RESULT;
/* Every pending item, in queue order. */
int st_outq_pending(st_t *st, st_outq_list_t *out) HS_CHECK_RESULT;
/* Count one attempt of a pending item (attempts += 1). HS_E_NOTFOUND
 * when no pending item has this id. */
int st_outq_attempt(st_t *st, const uint8_t msgid[ST_MSGID_LEN]) HS_CHECK_RESULT;
/* Move a pending item to a final state (`state` != PENDING) with
 * `reason` (NULL = ""). HS_E_NOTFOUND: no such item; HS_E_STATE: it is
 * final already (nothing changes). */
int st_outq_finish(st_t *st, const uint8_t msgid[ST_MSGID_LEN], enum st_outq_state state,
		   const char *reason, int64_t now_ms) HS_CHECK_RESULT;
/* Delete final items finished at or before `before_ms`; *n (may be NULL)
 * = rows deleted. */
int st_outq_prune(st_t *st, int64_t before_ms, uint64_t *n) HS_CHECK_RESULT;
/* Items in `state` (ST_ANY = all). */
int st_outq_count(st_t *st, int state, uint64_t *n) HS_CHECK_RESULT;
void st_outq_item_clear(st_outq_item_t *it);
void st_outq_list_free(st_outq_list_t *l);

/* ---- inbox (transport receiver) ---------------------------------------- */

/* One received message (owned by the caller: st_inbox_msg_clear). */
typedef struct st_inbox_msg {
	int64_t seq;     /* arrival order; the handle for st_inbox_ack */
	char *sender;    /* canonical */
	uint8_t msgid[ST_MSGID_LEN];
	char *type;
	uint8_t *msg;    /* the whole plaintext message as received */
	size_t len;
	int64_t received; /* Unix seconds */
} st_inbox_msg_t;

/* In ONE transaction: the replay check-and-add of (sender, msgid) until
 * `replay_expiry` (as st_replay_check_and_add) and, when it was not seen,
 * the message into the inbox. *was_seen = 1 for a replay (nothing
 * changes). HS_E_INVAL: expiry <= now, bad sizes. */
int st_inbox_put(st_t *st, const char *sender, const uint8_t msgid[ST_MSGID_LEN],
		 const char *type, const uint8_t *msg, size_t len, int64_t replay_expiry,
		 int64_t now, int *was_seen) HS_CHECK_RESULT;
/* The oldest message not yet acknowledged. HS_E_NOTFOUND when empty. */
int st_inbox_next(st_t *st, st_inbox_msg_t *out) HS_CHECK_RESULT;
/* Remove message `seq` (the application has handled it). HS_E_NOTFOUND. */
int st_inbox_ack(st_t *st, int64_t seq) HS_CHECK_RESULT;
int st_inbox_count(st_t *st, uint64_t *n) HS_CHECK_RESULT;
void st_inbox_msg_clear(st_inbox_msg_t *m);

#endif
