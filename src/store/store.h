/*
 * store.h -- persistence for keys, trust, the replay cache, the transport's
 * queues and the combiner's contributions.
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
 *     commit): it survives a process kill and a power loss.
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

/* ---- contributions (combiner) ------------------------------------------ */

/* A combiner's stored contribution sets (rfc-drafts/draft-hsync-sync.md
 * 7.1): per (zone, origin, type) the set with the highest version it
 * accepted, and its records with their verdicts. The store does not judge
 * contents; it keeps what the combiner decided. Rejected records are never
 * stored, so the verdict of a stored record is one of ST_CONTRIB_VERDICTS
 * ("removed": a record the set's version removed, kept to answer a
 * duplicate, never served).
 * A set may have no records (an empty set withdraws, but its version still
 * counts). Zone, origin and owner names are canonical as above. */
#define ST_CONTRIB_VERDICTS   "pending", "applied", "ignored", "removed"
#define ST_CONTRIB_REASON_MAX 255
#define ST_CONTRIB_CHANGE_MAX 64
#define ST_CONTRIB_RRS_MAX    1024

typedef struct st_contrib_rr {
	char *owner;
	uint32_t ttl;
	uint8_t *rdata; /* 1..65535 octets */
	size_t rdlen;
	char *verdict; /* one of ST_CONTRIB_VERDICTS */
	char *reason;  /* 0..ST_CONTRIB_REASON_MAX printable octets ("" = none) */
	int approved;  /* an operator approved it (manual approval) */
} st_contrib_rr_t;

/* One set. As input, the strings and arrays are the caller's; as output
 * (st_contrib_list) everything is owned by the list. */
typedef struct st_contrib {
	char *zone;
	char *origin;
	uint16_t type;
	uint64_t version;   /* stored as its 64 bits; any value round-trips */
	char *change;       /* 1..ST_CONTRIB_CHANGE_MAX printable octets */
	int64_t updated_ms; /* caller's clock, Unix milliseconds */
	size_t nrrs;        /* 0..ST_CONTRIB_RRS_MAX, records kept in this order */
	st_contrib_rr_t *rrs;
} st_contrib_t;

typedef struct st_contrib_list {
	st_contrib_t *v;
	size_t n;
} st_contrib_list_t;

/* Identifies one set. */
typedef struct st_contrib_key {
	const char *zone;
	const char *origin;
	uint16_t type;
} st_contrib_key_t;

/* Store `set`, replacing the set of the same (zone, origin, type) and all
 * its records, in one transaction. */
int st_contrib_put(st_t *st, const st_contrib_t *set) HS_CHECK_RESULT;

/* In ONE transaction: delete the sets named by `dels` (absent ones are
 * skipped), then store every set of `puts` as st_contrib_put does (later
 * puts of the same key win). Either every change is applied or none (also
 * across a crash). Every argument is checked before anything is written:
 * HS_E_INVAL names nothing partially done. nputs + ndels may be 0 (HS_OK,
 * nothing happens). */
int st_contrib_apply(st_t *st, const st_contrib_t *puts, size_t nputs, const st_contrib_key_t *dels,
                     size_t ndels) HS_CHECK_RESULT;

/* Delete one set and its records. HS_E_NOTFOUND when absent. */
int st_contrib_delete(st_t *st, const char *zone, const char *origin,
                      uint16_t type) HS_CHECK_RESULT;

/* Every set of `zone` (NULL = of every zone), ordered by zone, origin and
 * type, each with its records in stored order. Release with
 * st_contrib_list_free(). An empty result is HS_OK with n = 0. */
int st_contrib_list(st_t *st, const char *zone, st_contrib_list_t *out) HS_CHECK_RESULT;

/* Number of sets and of records of `zone` (NULL = all); either out
 * pointer may be NULL. */
int st_contrib_count(st_t *st, const char *zone, uint64_t *nsets, uint64_t *nrrs) HS_CHECK_RESULT;

void st_contrib_clear(st_contrib_t *c);
void st_contrib_list_free(st_contrib_list_t *l);
/* ---- zones: snapshot + journal (src/zone/journal.h) ------------------- */

/* The store keeps bytes only; src/zone encodes and decodes them. Zone
 * names are canonical like every other name. */
#define ST_ZONE_BLOB_MAX ((size_t)1 << 30)

/* One journal row. */
typedef struct st_zone_row {
	int64_t seq; /* order within the zone */
	uint32_t from_serial, to_serial;
	int64_t at;
	uint8_t *data;
	size_t len;
} st_zone_row_t;

/* What the store holds for a zone (the caller's: st_zone_data_clear). */
typedef struct st_zone_data {
	uint32_t serial;  /* the snapshot's */
	int64_t snap_seq; /* journal rows with seq <= snap_seq are in the snapshot */
	int64_t at;
	uint8_t *snap;
	size_t snap_len;
	st_zone_row_t *rows; /* every journal row, in seq order */
	size_t nrows;
} st_zone_data_t;

/* In one transaction: the zone's snapshot becomes (serial, data), taken
 * after every journal row written so far (snap_seq = the newest row's
 * seq); then journal rows older than the newest row whose from_serial is
 * `keep_from` are deleted, or every row when `has_keep` is 0. */
int st_zone_put_snapshot(st_t *st, const char *zone, uint32_t serial, const uint8_t *data,
                         size_t len, int64_t at, int has_keep,
                         uint32_t keep_from) HS_CHECK_RESULT;
/* Append a journal row (one transaction); *seq (may be NULL) gets its
 * seq. HS_E_NOTFOUND when the zone has no snapshot. */
int st_zone_add_journal(st_t *st, const char *zone, uint32_t from_serial, uint32_t to_serial,
                        int64_t at, const uint8_t *data, size_t len,
                        int64_t *seq) HS_CHECK_RESULT;
/* Everything for `zone` (one read snapshot). HS_E_NOTFOUND: no snapshot. */
int st_zone_load(st_t *st, const char *zone, st_zone_data_t *out) HS_CHECK_RESULT;
void st_zone_data_clear(st_zone_data_t *d);
/* Delete the zone's journal rows with seq > after_seq. */
int st_zone_trim(st_t *st, const char *zone, int64_t after_seq) HS_CHECK_RESULT;
/* Octets of the snapshot and of the journal rows written after it. */
int st_zone_sizes(st_t *st, const char *zone, uint64_t *snap_bytes,
                  uint64_t *journal_bytes) HS_CHECK_RESULT;
/* Remove the zone's snapshot and journal. */
int st_zone_drop(st_t *st, const char *zone) HS_CHECK_RESULT;

/* ---- DNSSEC zone keys of a signer (src/engine/signer) ------------------- */

/* The states of a signer's zone keys (rfc-drafts/draft-hsync-keystate.md):
 * its own keys go created -> mpdist -> published -> standby -> active ->
 * retired -> mpremove -> removed; another signer's keys are `foreign`. */
enum st_dkey_state {
	ST_DKEY_CREATED = 0, /* generated, in no DNSKEY RRset */
	ST_DKEY_MPDIST,      /* distributed to the other providers, not yet applied by all */
	ST_DKEY_PUBLISHED,   /* in every provider's DNSKEY RRset; caches still catching up */
	ST_DKEY_STANDBY,     /* published long enough to be used */
	ST_DKEY_ACTIVE,      /* signing */
	ST_DKEY_RETIRED,     /* no longer signing, still published */
	ST_DKEY_MPREMOVE,    /* being withdrawn from every provider */
	ST_DKEY_REMOVED,     /* gone everywhere; private key erased; final */
	ST_DKEY_FOREIGN,     /* another signer's key, published here */
};
#define ST_DKEY_NSTATES 9

/* Allowed transitions (from = -1 for a new key):
 *   (new)    -> created | active (import of a key in use) | foreign
 *   created  -> mpdist | published | removed
 *   mpdist   -> published | mpremove
 *   published -> standby | mpremove
 *   standby  -> active | mpremove
 *   active   -> retired
 *   retired  -> mpremove
 *   mpremove -> removed
 *   foreign  -> removed
 *   removed  -> foreign (another signer's key back in the combined zone;
 *               the signer engine does this for foreign keys only)
 * Returns 1 when allowed, else 0. */
int st_dkey_transition_ok(int from, int to);
/* "created", "mpdist", ...; "?" for anything else. */
const char *st_dkey_state_name(int state);
/* HS_OK and *state for a name above, else HS_E_INVAL. */
int st_dkey_state_parse(const char *name, int *state) HS_CHECK_RESULT;

/* Roles of a zone key. */
#define ST_DKEY_KSK 1
#define ST_DKEY_ZSK 2
#define ST_DKEY_CSK 3

/* One zone key as stored (the caller's: st_dkey_list_free). Identity:
 * (zone, DNSKEY RDATA). */
typedef struct st_dkey {
	char *zone; /* canonical */
	uint8_t role;
	uint16_t tag;
	uint8_t alg;
	uint16_t flags;
	uint8_t *dnskey; /* DNSKEY RDATA */
	size_t dnskey_len;
	uint8_t *priv; /* only with ST_WITH_PRIVATE; NULL for foreign and removed keys */
	size_t privlen;
	int state;
	int64_t created_at;
	int64_t state_changed_at;
} st_dkey_t;

typedef struct st_dkey_list {
	st_dkey_t *v;
	size_t n;
} st_dkey_list_t;

/* Add a key in `state` (a valid first state) with one history row.
 * `dnskey` 4..65535 octets (flags, protocol, algorithm, key: tag and
 * algorithm are derived from it), `priv` 0..65535 (0 = none), role 1..3.
 * HS_E_EXISTS: the zone has this key already; HS_E_STATE. */
int st_dkey_add(st_t *st, const char *zone, uint8_t role, const uint8_t *dnskey, size_t len,
                const uint8_t *priv, size_t privlen, int state, int64_t now,
                const char *reason) HS_CHECK_RESULT;
/* Move a key to `to` with a history row, atomically; to `removed` erases
 * the private key. HS_E_NOTFOUND, HS_E_STATE (not in the table above,
 * nothing changes). */
int st_dkey_set_state(st_t *st, const char *zone, const uint8_t *dnskey, size_t len, int to,
                      int64_t now, const char *reason) HS_CHECK_RESULT;
/* The keys of `zone` (NULL = every zone), ordered by zone then creation;
 * ST_WITH_PRIVATE copies private keys too. */
int st_dkey_list(st_t *st, const char *zone, unsigned flags, st_dkey_list_t *out) HS_CHECK_RESULT;
/* The history of one key, oldest first. HS_E_NOTFOUND. */
int st_dkey_history(st_t *st, const char *zone, const uint8_t *dnskey, size_t len,
                    st_key_event_list_t *out) HS_CHECK_RESULT;
void st_dkey_list_free(st_dkey_list_t *l); /* wipes private keys */

/* ---- parent decisions (src/engine/parent, draft-hsync-parent PS-38) ---- */

/* One decision of a parent's UPDATE receiver: who (source, signer,
 * child), what (kind, records), why (outcome, RCODE, EDE, reason), when.
 * As input the strings are the caller's; as output (st_par_decision_list)
 * the list's. Text fields are printable octets; `records` may hold
 * newlines (one record per line). */
#define ST_PAR_TEXT_MAX    1024  /* reason, signer, source */
#define ST_PAR_RECORDS_MAX 65535 /* records */
#define ST_PAR_KINDS    "update", "upload", "rollover", "inquiry", "approve", "forget", "bootstrap", "refusal"
#define ST_PAR_OUTCOMES "accepted", "applied", "refused", "failed", "trusted"

typedef struct st_par_decision {
	int64_t id; /* assigned by st_par_decision_add; ignored on input */
	int64_t at; /* Unix seconds (caller's clock) */
	char *zone;    /* the parent zone */
	char *child;   /* "" when no child could be named (canonical otherwise) */
	char *source;  /* the sender's address, "" for operator actions */
	char *signer;  /* "name/alg/tag", "" when unsigned */
	char *kind;    /* one of ST_PAR_KINDS */
	char *outcome; /* one of ST_PAR_OUTCOMES */
	uint16_t rcode;
	int32_t ede;    /* -1 = none */
	char *reason;   /* one line */
	char *records;  /* the update section in presentation form */
	uint32_t count; /* messages this row stands for (folded refusals, PS-39); >= 1 */
	int64_t finished; /* when the outcome was last written (= at for final rows) */
} st_par_decision_t;

typedef struct st_par_decision_list {
	st_par_decision_t *v;
	size_t n;
} st_par_decision_list_t;

/* Keep a decision; *id (may be NULL) gets its id. HS_E_INVAL for a kind
 * or outcome not in the lists, text too long, count 0. */
int st_par_decision_add(st_t *st, const st_par_decision_t *d, int64_t *id) HS_CHECK_RESULT;
/* Write the outcome of decision `id` (an accepted change the backend has
 * answered). HS_E_NOTFOUND. */
int st_par_decision_finish(st_t *st, int64_t id, const char *outcome, uint16_t rcode, int32_t ede,
                           const char *reason, int64_t at) HS_CHECK_RESULT;
/* The newest `limit` (0 = 100) decisions of `child` (NULL = all), newest
 * first. Release with st_par_decision_list_free(). */
int st_par_decision_list(st_t *st, const char *child, size_t limit,
                         st_par_decision_list_t *out) HS_CHECK_RESULT;
void st_par_decision_list_free(st_par_decision_list_t *l);

#endif
