/*
 * core.h -- the sans-I/O protocol core of the hsync transport
 * (rfc-drafts/draft-hsync-transport.md).
 *
 * The core does no I/O and reads no clock of its own: it consumes events
 * and produces actions. A driver (src/transport node glue, or a test that
 * wires two cores together in-process) does the rest:
 *
 *   - a DNS request arrives      -> tp_core_on_request() fills the reply
 *   - the app wants to send      -> tp_core_send() (persisted, returns at once)
 *   - after EVERY call into the core, the driver drains
 *     tp_core_next_action() and sends each action's bytes to its
 *     address; the outcome comes back through tp_core_on_response()
 *     with the action's token (exactly once per token)
 *   - timers: after every call, tp_core_next_deadline() says when to call
 *     tp_core_tick() next
 *
 * Sender side: a message is first written to the store's outq; each
 * attempt re-seals it (fresh ts, same id, new distid), sends it inline in
 * the NOTIFY when the signed NOTIFY fits cfg.inline_limit, otherwise keeps
 * manifest + chunks in memory and sends a NOTIFY without payload. Retries
 * use jittered exponential backoff; outcomes (delivered / rejected /
 * expired) are written to the outq and reported through cfg.on_outcome.
 *
 * Receiver side: accepted messages are written to the store's inbox in
 * one transaction with the replay-cache entry; cfg.on_inbox tells the
 * application to take them (st_inbox_next / st_inbox_ack).
 *
 * Threading: one thread at a time; callbacks run inside core calls and
 * must not call back into the core (except the st_inbox_* functions).
 *
 * Driver contract (what the endpoint glue does):
 *   - request handler: tp_core_on_request(core, "<src ip>", msg, len,
 *     tp_reply_limit(reply), &buf); HS_OK -> tp_reply_send(buf), else
 *     tp_reply_drop. The reply already respects the limit (a signed TC=1
 *     reply when the answer is too big for UDP; the client retries on TCP).
 *   - action: tp_send(ep, {a.addr, a.port}, a.msg, a.len,
 *     {.force_tcp = a.prefer_tcp}, cb, token) and in cb
 *     tp_core_on_response(core, token, status, resp, len); if tp_send
 *     itself fails, call tp_core_on_response(core, token, that code, NULL,
 *     0) at once. Every token gets exactly one tp_core_on_response; a
 *     token the core gave up on returns HS_E_NOTFOUND (harmless).
 *   - timer: after each call above and after tp_core_tick, re-arm one
 *     timer to tp_core_next_deadline's delay (none on HS_E_NOTFOUND) and
 *     call tp_core_tick when it fires.
 *   - the core never blocks on the network: a NOTIFY without a response
 *     counts as failed after cfg.attempt_timeout_ms, a fetch without
 *     progress is abandoned after cfg.fetch_timeout_ms, even if the
 *     driver never reports back.
 */
#ifndef HS_TRANSPORT_CORE_H
#define HS_TRANSPORT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "hpke/hpke.h"
#include "sig0/sig0.h"
#include "store/store.h"
#include "transport/registry.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

#define TP_MSGID_LEN 16

typedef struct tp_core tp_core_t;

/* How a message ended at the sender. */
enum tp_outcome {
	TP_OUT_DELIVERED = 1,
	TP_OUT_REJECTED = 2, /* reason: a receipt reason token */
	TP_OUT_EXPIRED = 3,
};

/* Receipt reasons (draft section 6); the token text via tp_reason_name. */
enum tp_reason {
	TP_REASON_NONE = 0,
	TP_REASON_ENVELOPE,          /* "envelope" */
	TP_REASON_STALE,             /* "stale" */
	TP_REASON_IDENTITY_MISMATCH, /* "identity-mismatch" */
	TP_REASON_UNKNOWN_TYPE,      /* "unknown-type" */
	TP_REASON_MALFORMED,         /* "malformed" */
	TP_REASON_UNKNOWN_KEY,       /* "unknown-key" */
	TP_REASON_OVERLOAD,          /* "overload" */
	TP_REASON_DIGEST,            /* "digest": fetched envelope != manifest */
	TP_REASON_COUNT
};
const char *tp_reason_name(int reason);

typedef void (*tp_inbox_fn)(void *arg);
typedef void (*tp_outcome_fn)(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                              enum tp_outcome outcome, const char *reason);

/* Settings; a numeric field left 0 takes its default. */
typedef struct tp_core_cfg {
	const char *identity;               /* own identity (required) */
	const sig0_key_t *sig0_key;         /* own SIG(0) key pair (required, borrowed) */
	const hpke_key_t *const *hpke_keys; /* own HPKE key pairs (borrowed): [0]
	                                     * seals (Auth mode sender key) and all open */
	size_t nhpke;
	size_t inline_limit;         /* signed NOTIFY size for inline; 1232 */
	size_t chunk_size;           /* fetch-mode slice size; 60000 */
	size_t chunk_tcp_min;        /* chunk queries prefer TCP when chunk_size
	                              * is at least this; 1200 */
	unsigned fetch_window;       /* chunk queries in flight per fetch; 4 */
	unsigned ts_window_s;        /* +-W for the envelope ts; 300 */
	uint64_t lifetime_ms;        /* message expiry after queueing; 24 h */
	uint64_t retry_min_ms;       /* first retry delay; 2000 */
	uint64_t retry_max_ms;       /* delay cap; 60000 */
	uint64_t attempt_timeout_ms; /* NOTIFY without response counts as
	                              * failed after this; 30000 */
	uint64_t fetch_timeout_ms;   /* after a "fetching" receipt, wait this long
	                              * for the chunks before re-sending; 60000 */
	unsigned max_inflight;       /* NOTIFYs in flight (all peers); 64 */
	uint32_t budget_rate;        /* SIG(0) verifications per second of one
	                              * source: per address once it is proven
	                              * (TCP, or a valid server cookie), else
	                              * per /24 (IPv4) or /56 (IPv6); 200 */
	uint32_t budget_burst;       /* and bucket size; 400 */
	uint32_t unproven_rate;      /* verifications per second for every
	                              * unproven source together; beyond it
	                              * ("under load") they get BADCOOKIE or
	                              * TC=1 instead; 100 */
	uint32_t unproven_burst;     /* and bucket size; 200 */
	uint32_t rrl_rate;           /* unsigned answers to unauthenticated
	                              * UDP requests per second per source
	                              * (network when unproven); 20. A
	                              * value >= 1000000 turns the limit off */
	uint32_t rrl_slip;           /* every rrl_slip-th answer over the
	                              * rate goes out as TC=1; 2 (1: all,
	                              * UINT32_MAX: none) */
	uint64_t log_interval_ms;    /* refusals are logged once per source
	                              * per interval, with counts; 10000 */
	size_t dist_memory;          /* octets of envelopes served in fetch
	                              * mode at once; an attempt that would
	                              * exceed it waits (MEM-1); 64 MiB */
	size_t fetch_memory;         /* octets of envelopes being fetched at
	                              * once; a fetch beyond it fails and the
	                              * sender retries later (MEM-2); 64 MiB */
	uint64_t prune_interval_ms;  /* tick prunes the replay cache and old
	                              * finished outq rows this often; 1 h */
	unsigned test_break;         /* TEST ONLY: TP_TEST_BREAK_* bits make the
	                              * core deliberately non-conforming, so that
	                              * hsync-conform can be seen to fail; 0 always
	                              * in production */
	tp_inbox_fn on_inbox;        /* optional: a message landed in the inbox */
	tp_outcome_fn on_outcome;    /* optional: an outq item finished */
	void *cb_arg;
} tp_core_cfg_t;

/* TEST ONLY deviations (tp_core_cfg.test_break), one bit per check skipped. */
#define TP_TEST_BREAK_OPT_ALWAYS                                                                   \
	0x1u                            /* error replies carry an OPT RR even when                 \
	                                 * the request had none (RFC 6891 7), the                  \
	                                 * unsigned ones whatever their length */
#define TP_TEST_BREAK_CHUNK_REPLAY 0x2u /* no seen cache of chunk queries */
/* "opt-always" / "chunk-replay" -> bit; 0 when unknown. */
unsigned tp_test_break_parse(const char *name);

/*
 * A new core. `env`, `store` and `reg` are borrowed for the core's life;
 * cfg's keys too. Undelivered outq items of the store are loaded and
 * scheduled for an attempt at once (a restart resumes the queue).
 * Errors: HS_E_INVAL (missing identity/keys, a key without private part),
 * HS_E_NAME (identity), store errors.
 */
int tp_core_new(tp_core_t **out, const tp_core_cfg_t *cfg, const hs_env_t *env, st_t *store,
                const tp_registry_t *reg, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Frees pending actions and in-memory distributions/fetches. NULL-safe. */
void tp_core_free(tp_core_t *core);

/*
 * Queue one message for `to` (a registry peer). `type` is a message type
 * (HELLO, HELLO_ACK, BEAT, SYNC, UPDATE, CONFIRM, RFI, EDITS, CONFIG, KEYSTATE, ELECT,
 * STATUS, PING); `body` the msgpack encoding of a map (len 0 = empty map).
 * `order_key` (may be NULL): messages to one peer with the same key are
 * delivered one after the other in queue order. The message is in the
 * outq when this returns; *msgid_out (may be NULL) gets its id.
 * Errors: HS_E_NOTFOUND (unknown peer), HS_E_UNKNOWN_TYPE, HS_E_MALFORMED
 * (body not one msgpack map), HS_E_LIMIT (body above TP_BODY_MAX),
 * store errors.
 */
#define TP_BODY_MAX (4u << 20)
int tp_core_send(tp_core_t *core, const char *to, const char *type, const uint8_t *body, size_t len,
                 const char *order_key, uint8_t msgid_out[TP_MSGID_LEN]) HS_CHECK_RESULT;

/* Per-message options (tp_core_send_ex). */
typedef struct tp_msg_opts {
	const char *order_key; /* as for tp_core_send; NULL = none */
	/* How long the message is worth sending (QUEUE-1): it expires this
	 * long after it was queued, with no further attempt. 0 = the core's
	 * lifetime_ms; longer values are cut to lifetime_ms (the receiver
	 * remembers message ids for that long, so a longer life could
	 * deliver twice). A BEAT, say, is worthless after two intervals. */
	uint64_t lifetime_ms;
} tp_msg_opts_t;

/*
 * tp_core_send with per-message options (`opts` may be NULL). Also
 * HS_E_LIMIT when the message would need more than 65535 chunks at the
 * configured chunk size (QUEUE-3): it could never be sent.
 */
int tp_core_send_ex(tp_core_t *core, const char *to, const char *type, const uint8_t *body,
                    size_t len, const tp_msg_opts_t *opts,
                    uint8_t msgid_out[TP_MSGID_LEN]) HS_CHECK_RESULT;

/*
 * Peer `identity`'s registry entry changed (address, keys): messages
 * waiting for it (QUEUE-2: a peer without an HPKE key gets no attempts
 * until it has one or the message expires) are tried at once.
 */
void tp_core_peer_changed(tp_core_t *core, const char *identity);

/*
 * A DNS request arrived from `src` (address text, "192.0.2.1" or
 * "2001:db8::1", optionally with ":port"/"[..]:port": used as the sig0
 * budget key after reduction to its network) -- a NOTIFY from a peer or
 * a CHUNK query. Appends the SIG(0)-signed reply to `reply`; a reply
 * larger than `udp_limit` (the endpoint's tp_reply_limit) is replaced by
 * a signed TC=1 reply. Errors are answered in the reply (RCODE + EDE) and
 * change no state. The request counts as UDP (tp_core_on_request_ex).
 * Returns HS_OK when `reply` holds a reply to send (nothing appended:
 * send nothing, see tp_core_on_request_ex); HS_E_MALFORMED when
 * the request cannot be answered at all (shorter than a header, or a
 * response): drop it; HS_E_CRYPTO/HS_E_INTERNAL when signing failed.
 */
int tp_core_on_request(tp_core_t *core, const char *src, const uint8_t *msg, size_t len,
                       size_t udp_limit, hs_buf_t *reply) HS_CHECK_RESULT;

/* A request's circumstances, for tp_core_on_request_ex. */
typedef struct tp_core_req {
	const char *src; /* address text, as for tp_core_on_request */
	int tcp;         /* it came over TCP: the source address is proven */
	size_t limit;    /* the endpoint's tp_reply_limit */
	int accepted;    /* out: 1 when the request's SIG(0) verified (a TCP
	                  * server renews a connection's idle time only
	                  * for such requests) */
	uint8_t ip[16];  /* optional: the source address in octets (iplen 4
	                  * or 16), so that `src` need not be parsed per
	                  * request; iplen 0: parse `src` */
	size_t iplen;
} tp_core_req_t;

/*
 * tp_core_on_request with the transport the request came over. Requests
 * that prove nothing (unparsable, unsigned, not verifying, from a source
 * whose budget is spent) get an UNSIGNED answer never longer than the
 * request, rate limited per source (draft-hsync-transport, "Operating
 * under load"): HS_OK with nothing appended to `reply` means "send
 * nothing". Other returns as tp_core_on_request.
 */
int tp_core_on_request_ex(tp_core_t *core, tp_core_req_t *req, const uint8_t *msg, size_t len,
                          hs_buf_t *reply) HS_CHECK_RESULT;

enum tp_action_kind {
	TP_ACT_NOTIFY = 1, /* a NOTIFY to a receiver (response: receipt) */
	TP_ACT_CHUNK = 2,  /* a CHUNK query to a sender (response: chunk) */
};

/* One thing to send. After tp_core_next_action the action is the
 * caller's: release with tp_action_clear. */
typedef struct tp_action {
	enum tp_action_kind kind;
	uint64_t token;          /* give back to tp_core_on_response */
	char peer[TP_IDENT_MAX]; /* the peer's identity */
	char addr[64];           /* its address literal */
	uint16_t port;
	int prefer_tcp; /* large answer expected, or large message */
	uint8_t *msg;   /* signed DNS message */
	size_t len;
	uint8_t msgid[TP_MSGID_LEN]; /* NOTIFY: the message it carries */
} tp_action_t;

/* Pop the next action into `out`: HS_OK, or HS_E_NOTFOUND when none. */
int tp_core_next_action(tp_core_t *core, tp_action_t *out) HS_CHECK_RESULT;
/* 1 when an action waits. */
int tp_core_has_actions(const tp_core_t *core);

/*
 * The driver's group commit failed: the store writes made since the last
 * commit are gone (the receipts that depended on them were not sent).
 * The core forgets what it learnt from them: the list of finished
 * distributions, so that a sender's confirming NOTIFY fetches again.
 */
void tp_core_store_lost(tp_core_t *core);
void tp_action_clear(tp_action_t *a);

/*
 * The outcome of action `token`: `status` HS_OK with the response bytes,
 * or HS_E_TIMEOUT / HS_E_NET / any other code for "no usable answer".
 * Responses are SIG(0)-verified with the peer's keys before anything in
 * them is believed. Returns HS_OK, or HS_E_NOTFOUND for a token the core
 * no longer waits for (late or duplicate; ignored).
 */
int tp_core_on_response(tp_core_t *core, uint64_t token, int status, const uint8_t *resp,
                        size_t len);

/* Run due retries, expiries and timeouts (reads env's clocks). */
void tp_core_tick(tp_core_t *core);
/* Milliseconds until tp_core_tick should run next (0: now).
 * HS_E_NOTFOUND when nothing is scheduled. */
int tp_core_next_deadline(tp_core_t *core, uint64_t *delay_ms) HS_CHECK_RESULT;

/*
 * For answers the application builds itself (tp_node's request hook: the
 * identity zone): check the request's COOKIE with the transport's secret
 * and give the answer a fresh server cookie, as RFC 7873 asks (COOKIE-5).
 * `reply` is the answer (with an OPT RR if the request had one); the
 * COOKIE option is appended to that OPT RR when the answer stays within
 * `limit` octets. *proven (may be NULL): 1 when the request carried a
 * server cookie that verifies. HS_OK, or HS_E_NOTFOUND when the request
 * had no cookie (nothing changed).
 */
int tp_core_cookie_reply(tp_core_t *core, const char *src, const uint8_t *req, size_t reqlen,
                         hs_buf_t *reply, size_t limit, int *proven);

/* Classes of error answers the core sent (tp_core_stats.errors). */
enum tp_err_class {
	TP_ERR_OTHER = 0,     /* e.g. SERVFAIL when the store failed */
	TP_ERR_MALFORMED,     /* FORMERR, EDE 530 */
	TP_ERR_UNSIGNED,      /* EDE 65280 */
	TP_ERR_BADTIME,       /* EDE 528 */
	TP_ERR_RATELIMIT,     /* EDE 65281 */
	TP_ERR_NOTSUP,        /* EDE 21: opcode/qtype not served */
	TP_ERR_UNKNOWN_PEER,  /* EDE 65286 */
	TP_ERR_NOT_RECIPIENT, /* EDE 65282 */
	TP_ERR_BADKEY,        /* EDE 514 */
	TP_ERR_BADSIG,        /* EDE 529 */
	TP_ERR_NO_DIST,       /* EDE 65287 */
	TP_ERR_BAD_NAME,      /* EDE 65288: NOTIFY or chunk name does not parse */
	TP_ERR_REPLAY,        /* EDE 65283: chunk query replayed */
	TP_ERR_COUNT
};
/* "malformed", "unsigned", ... for status output. */
const char *tp_err_class_name(int cls);

typedef struct tp_core_stats {
	/* sender */
	uint64_t queued;        /* tp_core_send accepted */
	uint64_t notifies_sent; /* NOTIFY attempts (first and retries) */
	uint64_t sent_inline;
	uint64_t sent_fetch;
	uint64_t retried; /* attempts after the first */
	uint64_t delivered;
	uint64_t expired;
	uint64_t rejected[TP_REASON_COUNT]; /* by receipt reason */
	uint64_t confirms_sent;             /* NOTIFYs re-sent after the last chunk was served */
	uint64_t bad_responses;             /* unverifiable / malformed / error responses */
	uint64_t chunks_served;             /* chunk answers (manifest included) */
	/* receiver */
	uint64_t received; /* new messages put into the inbox */
	uint64_t duplicates;
	uint64_t refused[TP_REASON_COUNT]; /* receipts "rejected", by reason */
	uint64_t errors_sent;              /* RCODE != NOERROR replies */
	uint64_t errors[TP_ERR_COUNT];     /* the same, by class */
	uint64_t fetches_started;
	uint64_t fetches_failed;
	uint64_t chunk_queries_sent;
	/* admission (draft-hsync-transport, "Operating under load") */
	uint64_t req_proven;     /* requests from proven sources (TCP or a valid cookie) */
	uint64_t req_unproven;   /* UDP requests without a valid server cookie */
	uint64_t cookies_bad;    /* server cookies that did not verify */
	uint64_t badcookie_sent; /* BADCOOKIE answers (a fresh server cookie) */
	uint64_t tc_sent;        /* TC=1 answers moving an unproven source to TCP */
	uint64_t unsigned_sent;  /* unsigned answers to unauthenticated requests */
	uint64_t rrl_dropped;    /* such answers not sent (rate limit) */
	uint64_t rrl_slipped;    /* such answers sent as TC=1 instead (slip) */
	uint64_t forged;         /* requests naming a known peer whose SIG(0) failed */
	uint64_t notify_replays; /* replayed fetch NOTIFYs answered without new work */
	uint64_t cookie_retries; /* our requests sent again after a BADCOOKIE */
	uint64_t parked;         /* attempts not made: the peer has no HPKE key */
	uint64_t dist_waits;     /* attempts put off: distribution memory full */
	uint64_t fetch_refused;  /* fetches abandoned: fetch memory full */
	size_t dist_bytes;       /* envelope octets served in fetch mode now */
	size_t fetch_bytes;      /* envelope octets being fetched now */
} tp_core_stats_t;
void tp_core_stats(const tp_core_t *core, tp_core_stats_t *out);

/* What the core counted for one peer since it started (the sender's
 * side by message, the receiver's by envelope). `pending` is the number
 * of queue items for the peer now in memory. */
typedef struct tp_peer_stats {
	uint64_t queued;   /* messages accepted by tp_core_send */
	uint64_t attempts; /* NOTIFYs sent (first and retries) */
	uint64_t retried;  /* attempts after the first */
	uint64_t delivered;
	uint64_t rejected; /* receipts "rejected" */
	uint64_t expired;
	uint64_t received; /* new messages from the peer into the inbox */
	uint64_t duplicates;
	uint64_t refused; /* envelopes from the peer we rejected */
	uint64_t forged;  /* requests naming the peer whose SIG(0) did not verify */
	uint64_t last_delivered_ms, last_received_ms; /* wall clock; 0 never */
	size_t pending;
	/* why the latest attempt failed ("no answer: timed out", "REFUSED,
	 * EDE 18 (Prohibited): ...", "bad response: ..."), when (wall clock
	 * ms; 0 never), and whether attempts have failed since the last
	 * delivery (the log says so once when it starts and once when it ends) */
	char last_error[120];
	uint64_t last_error_ms;
	int failing;
} tp_peer_stats_t;
/* The counters of `identity` (canonical): HS_OK, or HS_E_NOTFOUND when the
 * core has neither queued for nor received from it (*out zeroed then). */
int tp_core_peer_stats(const tp_core_t *core, const char *identity, tp_peer_stats_t *out);

/* Items currently in memory: outq items pending, distributions served,
 * fetches running. For tests and status output. */
void tp_core_counts(const tp_core_t *core, size_t *pending, size_t *dists, size_t *fetches);

#endif
