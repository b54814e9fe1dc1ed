/*
 * node.h -- one running transport node: the protocol core (core.h) driven
 * on a libevent endpoint (endpoint.h), with its store, keys and the
 * static peer registry from a configuration (nodeconf.h).
 *
 * The node is the I/O half of the transport:
 *   - every DNS request the endpoint receives goes to tp_core_on_request_ex
 *     and its reply is sent at once (the core truncates to the endpoint's
 *     UDP limit itself, signed, with TC=1), or not at all when the core
 *     rate limits it; a request the core accepted (verified SIG(0))
 *     renews its TCP connection (tp_reply_accept);
 *   - every action the core produces (a NOTIFY, a CHUNK query) is sent
 *     with tp_send (UDP first, TCP on TC=1 or when the core prefers TCP)
 *     and its outcome handed back with tp_core_on_response;
 *   - one timer is kept armed at tp_core_next_deadline and runs
 *     tp_core_tick.
 * Nothing of the queue lives only in the node: messages are written to
 * the store before tp_node_send returns and committed with the loop
 * round's group commit before any of their NOTIFYs leave; a receipt,
 * the inbox hook and the outcome hook wait for the commit of the writes
 * they report (COMMIT-1, COMMIT-2). Stopping (or killing) a node loses
 * nothing that was sent or acknowledged; a new node on the same store
 * resumes the queue.
 *
 * Single-threaded: every call runs on the loop's thread. Callbacks run
 * inside loop callbacks and may call tp_node_send and the store's inbox
 * functions, but must not free the node (use tp_node_stop).
 */
#ifndef HS_TRANSPORT_NODE_H
#define HS_TRANSPORT_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "transport/core.h"
#include "transport/endpoint.h"
#include "transport/nodeconf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "util/hs_err.h"

typedef struct tp_node tp_node_t;

/* What the application hears; every field may be NULL. */
typedef struct tp_node_hooks {
	/* One or more messages are waiting in the inbox (tp_node_store +
	 * st_inbox_next / st_inbox_ack). Also called once right after
	 * tp_node_new when the inbox is not empty (left from a previous run). */
	void (*on_inbox)(void *arg);
	/* A queued message finished (delivered, rejected with `reason`,
	 * expired). */
	void (*on_outcome)(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
	                   enum tp_outcome outcome, const char *reason);
	void *arg;
} tp_node_hooks_t;

/* Knobs that are not in the configuration file (tests, tools). */
typedef struct tp_node_opts {
	/* Bind this port instead of the configured one (0: as configured;
	 * tests that want the kernel to choose use TP_NODE_ANY_PORT). */
	int listen_port;
	/* Do not serve at all: a sender-only node (its UDP socket still
	 * sends and receives responses). */
	int no_listen;
	/* TEST ONLY: tp_core_cfg.test_break (deliberately non-conforming) */
	unsigned test_break;
} tp_node_opts_t;
#define TP_NODE_ANY_PORT (-1)

/*
 * Start a node on `loop` from `conf`: load the own SIG(0) and HPKE key
 * pairs and every peer's public keys, open the store, build the core
 * (which resumes undelivered messages), bind the endpoint and arm the
 * timer. `env` is borrowed for the node's life; `conf` only during the
 * call. `hooks` and `opts` may be NULL.
 * Errors (detail in `em`): HS_E_IO, HS_E_SYNTAX, HS_E_BADKEY and the other
 * key loaders' codes (a key file), HS_E_CONFIG (a peer's keys or the own
 * keys do not fit the configuration), store errors, HS_E_NET (bind).
 */
int tp_node_new(tp_loop_t *loop, const tp_conf_t *conf, const hs_env_t *env,
                const tp_node_hooks_t *hooks, const tp_node_opts_t *opts, tp_node_t **out,
                hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Stop: close the endpoint (outstanding DNS queries are abandoned; their
 * messages stay in the queue), free the core, close the store. NULL-safe.
 * Must not be called from inside a node callback: from there call
 * tp_node_request_stop() and free the node after the loop returns.
 */
void tp_node_free(tp_node_t *node);

/* Ask the loop to return (tp_loop_break) after the current callback;
 * safe inside callbacks. */
void tp_node_request_stop(tp_node_t *node);

/*
 * Queue a message (see tp_core_send for the arguments and errors) and
 * start sending it at once.
 */
int tp_node_send(tp_node_t *node, const char *to, const char *type, const uint8_t *body, size_t len,
                 const char *order_key, uint8_t msgid_out[TP_MSGID_LEN]) HS_CHECK_RESULT;
/* The same with per-message options (tp_core_send_ex: order key,
 * lifetime). */
int tp_node_send_ex(tp_node_t *node, const char *to, const char *type, const uint8_t *body,
                    size_t len, const tp_msg_opts_t *opts,
                    uint8_t msgid_out[TP_MSGID_LEN]) HS_CHECK_RESULT;

/*
 * Point peer `identity` at a new address and port (the registry's entry
 * changes; messages in flight keep their old destination). For tests
 * whose nodes bind port 0, and later for the engine. HS_E_NOTFOUND: not
 * a configured peer; HS_E_INVAL: `ip` is not an address literal.
 */
int tp_node_set_peer_address(tp_node_t *node, const char *identity, const char *ip,
                             uint16_t port) HS_CHECK_RESULT;

/*
 * Add peer `identity` or replace its address and keys (from discovery):
 * `keys` (n >= 1 SIG(0) public keys) and `hpke` (public key) become the
 * registry's on HS_OK only; the previous keys are freed. Call outside
 * node callbacks' core calls. HS_E_INVAL, HS_E_NAME, HS_E_LIMIT.
 */
int tp_node_set_peer(tp_node_t *node, const char *identity, const char *ip, uint16_t port,
                     sig0_key_t **keys, size_t nkeys, hpke_key_t *hpke) HS_CHECK_RESULT;

/*
 * A request the application may want before the core (hsyncd: a
 * primary's NOTIFY for a zone, queries for its identity zone). `proto` is
 * TP_EP_UDP or TP_EP_TCP and `limit` the largest reply the requester
 * takes (tp_reply_limit: its EDNS size or 512 over UDP, 65535 over TCP);
 * a longer answer is dropped, so the hook truncates itself. `fn` returns
 * 1 when it took the request (its answer appended to `reply`; nothing
 * appended = no answer), 0 to hand it to the core as usual. NULL removes
 * the hook.
 */
typedef int (*tp_node_request_fn)(void *arg, const tp_peer_addr_t *src, int proto, size_t limit,
                                  const uint8_t *msg, size_t len, hs_buf_t *reply);
void tp_node_set_request_hook(tp_node_t *node, tp_node_request_fn fn, void *arg);
/* Called by the hook during its call: the request proved who sent it (a
 * zone transfer to an allowed address, say). Over TCP this keeps the
 * connection from being closed as idle or evicted first (TCP-2), and the
 * answer is not rate limited (below). */
void tp_node_request_accepted(tp_node_t *node);

/*
 * The step every answer the application builds goes through before it is
 * sent: the request hook's (done by the node), and those of hsyncd's zone
 * server (tp_zs_set_answer_step). The answer gets a COOKIE option with a
 * fresh server cookie when the request `req` carried a COOKIE and the
 * answer stays within `limit` octets (draft-hsync-transport COOKIE-5).
 * Over UDP, unless the source proved its address with a valid server
 * cookie or `accepted` (the request proved who sent it: an allowed
 * transfer, a verified TSIG), answers are limited per /24 or /56 at the
 * configured answer-rate (LOAD-7): over it `answer` is emptied (send
 * nothing), every rrl-slip-th replaced by a TC=1 reply. An empty `answer`
 * is left alone. NULL-safe.
 */
void tp_node_answer_step(tp_node_t *node, const tp_peer_addr_t *src, int proto, const uint8_t *req,
                         size_t reqlen, size_t limit, int accepted, hs_buf_t *answer);
/* What tp_node_answer_step may add to an answer (its COOKIE option):
 * build answers this much below the requester's limit. */
#define TP_NODE_ANSWER_ROOM 40

/*
 * A request the application answers itself with the endpoint's reply in
 * hand (hsyncd's zone server: streamed AXFR/IXFR over TCP). Asked before
 * the request hook above; returns 1 when it took `reply` (it must then
 * send, stream or drop it, now or later), 0 otherwise. NULL removes it.
 * The node does nothing to such answers: the hook passes its answers
 * through tp_node_answer_step and accepts (tp_reply_accept) what proved
 * its sender itself.
 */
typedef int (*tp_node_reply_fn)(void *arg, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                                size_t len, tp_reply_t *reply);
void tp_node_set_reply_hook(tp_node_t *node, tp_node_reply_fn fn, void *arg);

/* The node's endpoint (for other queries on the same socket). */
tp_endpoint_t *tp_node_endpoint(tp_node_t *node);

/* The store (for the inbox and queue counts); owned by the node. */
st_t *tp_node_store(tp_node_t *node);
/* The bound port (0 when not listening). */
uint16_t tp_node_port(const tp_node_t *node);
/* The own identity, canonical. */
const char *tp_node_identity(const tp_node_t *node);

/*
 * Where one message's time goes (hsync-bench transport's breakdown), per
 * stage: how many messages passed it, their total and their longest time.
 * Sender stages follow one message by id from tp_node_send to the outcome
 * the application hears; receiver stages follow one verified request from
 * its arrival to its answer leaving. Retries count their last attempt.
 */
enum tp_prof_stage {
	TP_PROF_QUEUED_SENT,      /* sender: tp_node_send .. its NOTIFY handed to
	                           * the endpoint (seal, sign, the round's commit) */
	TP_PROF_SENT_ANSWERED,    /* sender: NOTIFY out .. its response in (the
	                           * network, both socket queues, the receiver) */
	TP_PROF_ANSWERED_OUTCOME, /* sender: response in .. outcome to the
	                           * application (verify, the round's commit) */
	TP_PROF_REQ_CORE,         /* receiver: request in .. the core's answer
	                           * (verify, open, inbox and replay writes) */
	TP_PROF_REQ_COMMIT,       /* receiver: core answer .. its group commit */
	TP_PROF_REQ_DURABLE_SENT, /* receiver: commit .. durable and the receipt
	                           * handed to the endpoint */
	TP_PROF_COUNT
};
typedef struct tp_prof_stat {
	uint64_t n, sum_us, max_us;
} tp_prof_stat_t;
typedef struct tp_node_prof {
	tp_prof_stat_t st[TP_PROF_COUNT];
	uint64_t rounds;     /* group commits, written or not, with work */
	uint64_t round_work; /* core calls in those rounds */
} tp_node_prof_t;
/* Stage names for reports ("queued-sent", ...). */
const char *tp_prof_stage_name(int stage);
/*
 * Profile the stages above with the clock `now_us` (monotonic
 * microseconds; NULL turns profiling off, the default: no cost). The
 * figures come with tp_node_stats.
 */
void tp_node_set_profile(tp_node_t *node, uint64_t (*now_us)(void *arg), void *arg);

/* Everything countable: the core's statistics, the in-memory counts and
 * the endpoint's counters. */
typedef struct tp_node_stats {
	tp_core_stats_t core;
	size_t pending, dists, fetches;
	tp_counters_t ep;
	uint64_t sends_failed;      /* actions that tp_send could not even start */
	uint64_t commits;           /* group commits that wrote something */
	uint64_t committed_replies; /* replies that waited for one of them */
	uint64_t answers_limited;   /* request-hook answers dropped or sent as
	                             * TC=1 by the answer rate limit */
	tp_node_prof_t prof;        /* stages per message (tp_node_set_profile) */
} tp_node_stats_t;
void tp_node_stats(const tp_node_t *node, tp_node_stats_t *out);
/* The core's counters for one peer (tp_core_peer_stats): HS_OK, or
 * HS_E_NOTFOUND when nothing was sent to or received from it yet. */
int tp_node_peer_stats(const tp_node_t *node, const char *identity, tp_peer_stats_t *out);

#endif
