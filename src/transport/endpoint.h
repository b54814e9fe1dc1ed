/*
 * endpoint.h -- the DNS endpoint of the transport: one address and port
 * serving UDP and TCP, and an asynchronous client sending from it.
 *
 * Everything runs single-threaded on a tp_loop_t (an event loop; libevent
 * stays behind this header). No global state: several loops and
 * endpoints may live in one process.
 *
 * Server side: every DNS request (QR=0) arriving over UDP or TCP is handed
 * to the endpoint's request handler together with a tp_reply_t. The
 * handler answers at once or later with tp_reply_send(), or never with
 * tp_reply_drop(). Over UDP a reply may not exceed tp_reply_limit(): the
 * requester's size (512, or its EDNS(0) size) capped by the configured
 * maximum; the upper layer truncates (tp_req_tc_reply()).
 *
 * Client side: tp_send() sends a whole DNS message (the caller chooses the
 * id, so a SIG(0) signature over it stays valid) from the endpoint's own
 * UDP socket, retries on loss, falls back to TCP on TC=1, and calls back
 * once with the response.
 *
 * Request parsing (tp_req_parse) and TCP framing (tp_frame_peek) are pure
 * functions over untrusted bytes, exposed for the upper layer and fuzzing.
 */
#ifndef HS_TRANSPORT_ENDPOINT_H
#define HS_TRANSPORT_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/buf.h"
#include "util/hs_err.h"
#include "wire/cursor.h"

/* ---- the loop and its timers ------------------------------------------ */

typedef struct tp_loop tp_loop_t;
typedef struct tp_timer tp_timer_t;
typedef void (*tp_timer_fn)(void *arg);

/* A new loop in *out. Errors: HS_E_INTERNAL (libevent could not start). */
int tp_loop_new(tp_loop_t **out) HS_CHECK_RESULT;
/* Free the loop and every timer still pending (their callbacks are not
 * called). Free the endpoints on it first. NULL-safe. */
void tp_loop_free(tp_loop_t *loop);
/* Run until tp_loop_break() or until nothing is left to wait for.
 * HS_OK, or HS_E_INTERNAL if the event backend failed. */
int tp_loop_run(tp_loop_t *loop);
/* Make tp_loop_run() return after the current callback. */
void tp_loop_break(tp_loop_t *loop);
/*
 * Run the loop until `cond(arg)` returns non-zero (checked before the first
 * iteration and at least every 10 ms) or `timeout_ms` passes. For tests
 * and tools. HS_OK when the condition held, HS_E_TIMEOUT otherwise.
 */
int tp_loop_run_until(tp_loop_t *loop, int (*cond)(void *arg), void *arg, unsigned timeout_ms);

/*
 * One-shot timer: `cb(arg)` runs once on the loop after `ms` milliseconds.
 * The handle stays valid until the callback starts or tp_timer_cancel() is
 * called, whichever comes first; after that it must not be used. Never
 * NULL (allocation failure aborts).
 */
tp_timer_t *tp_timer_add(tp_loop_t *loop, uint64_t ms, tp_timer_fn cb, void *arg);
/* Cancel a pending timer; its callback will not run. NULL-safe. */
void tp_timer_cancel(tp_timer_t *t);

/*
 * Watch descriptor `fd` (not owned): `cb(arg)` runs on the loop each time
 * it is readable, until tp_watch_free. Never NULL (allocation failure
 * aborts). Free the watches before their loop.
 */
typedef struct tp_watch tp_watch_t;
tp_watch_t *tp_watch_add(tp_loop_t *loop, int fd, tp_timer_fn cb, void *arg);
void tp_watch_free(tp_watch_t *w); /* NULL-safe */

/* ---- addresses ---------------------------------------------------------- */

/* A socket address (plain data). */
typedef struct tp_peer_addr {
	struct sockaddr_storage ss;
	socklen_t len;
} tp_peer_addr_t;

/* Parse an IPv4 or IPv6 literal ("127.0.0.1", "::1", "[::1]") and a port.
 * HS_E_INVAL when `ip` is not a literal. */
int tp_peer_addr_parse(const char *ip, uint16_t port, tp_peer_addr_t *out) HS_CHECK_RESULT;
/* "127.0.0.1:53" or "[::1]:53" into out (at least 64 bytes is enough). */
void tp_peer_addr_str(const tp_peer_addr_t *a, char *out, size_t outlen);
uint16_t tp_peer_addr_port(const tp_peer_addr_t *a);
/* 1 when family, address and port are equal. */
int tp_peer_addr_eq(const tp_peer_addr_t *a, const tp_peer_addr_t *b);

/* ---- parsing a request (pure, untrusted input) ------------------------- */

#define TP_DNS_HDR_LEN  12
#define TP_UDP_MIN_SIZE 512   /* RFC 1035: without EDNS(0) */
#define TP_MSG_MAX      65535 /* largest DNS message (2-octet TCP length) */

/* What the endpoint reads from a message: header, first question, OPT. */
typedef struct tp_req_info {
	uint16_t id;
	uint16_t flags; /* second header word: QR, opcode, AA, TC, RD, RA, Z, rcode */
	uint16_t qdcount, ancount, nscount, arcount;
	int has_question; /* qdcount >= 1 and the first question parsed */
	uint8_t qname[WIRE_NAME_MAX];
	size_t qname_len;
	uint16_t qtype, qclass;
	size_t question_end; /* offset just after the first question */
	int has_opt;         /* an OPT RR was found in the additional section */
	uint16_t edns_size;  /* OPT CLASS: requester's UDP payload size */
	uint8_t edns_version;
	uint16_t edns_flags; /* DO etc. */
} tp_req_info_t;

/*
 * Parse header, first question and the OPT RR of `msg`. Names in the
 * answer, authority and additional sections may be compressed (they are
 * only skipped); the question name must not be. Every length is checked.
 * `*out` is written only on success.
 * Errors: HS_E_TRUNC (shorter than its counts say), HS_E_COMPRESSED or
 * HS_E_NAME (bad question name), HS_E_MALFORMED (two OPT RRs, OPT with a
 * non-root owner, qdcount > 1).
 */
int tp_req_parse(const uint8_t *msg, size_t len, tp_req_info_t *out) HS_CHECK_RESULT;

/* Only the header (12 octets). HS_E_TRUNC when shorter. */
int tp_req_parse_header(const uint8_t *msg, size_t len, tp_req_info_t *out) HS_CHECK_RESULT;

/*
 * The largest UDP reply the requester accepts: 512 without OPT, else the
 * OPT size (never below 512), then capped by `cap` (if cap >= 512).
 */
size_t tp_req_udp_limit(const tp_req_info_t *info, size_t cap);

/*
 * Append to `out` a minimal truncated reply to the request `req`: same id
 * and opcode, QR=1, TC=1, RD copied, rcode NOERROR, the first question
 * copied, no answer/authority; if the request had an OPT RR and
 * `edns_size` is non-zero, an OPT RR advertising `edns_size`.
 * Errors: those of tp_req_parse (nothing is appended).
 */
int tp_req_tc_reply(const uint8_t *req, size_t len, uint16_t edns_size,
                    hs_buf_t *out) HS_CHECK_RESULT;

/*
 * TCP framing (RFC 1035 4.2.2): `p` holds the `avail` octets received so
 * far on a stream. HS_OK: a whole message is there, its length in
 * *msg_len (the frame is 2 + *msg_len octets). HS_E_AGAIN: need more.
 * HS_E_MALFORMED: length 0, shorter than a DNS header, or above `max`;
 * the stream must be closed.
 */
int tp_frame_peek(const uint8_t *p, size_t avail, size_t max, size_t *msg_len);

/* ---- the endpoint ------------------------------------------------------ */

typedef struct tp_endpoint tp_endpoint_t;
typedef struct tp_reply tp_reply_t;

enum tp_ep_proto {
	TP_EP_UDP = 1,
	TP_EP_TCP = 2,
};

/* Endpoint settings; a field left 0 takes its default. */
typedef struct tp_endpoint_config {
	/* UDP: the largest reply sent and request size advertised by the
	 * upper layer; client messages above it go over TCP. Default 1232. */
	unsigned udp_max;
	/* TCP server: a connection with nothing in flight is closed this
	 * long after it was accepted or after its last ACCEPTED request
	 * (tp_reply_accept): requests that prove nothing do not keep it
	 * open. Also the stall limit for writes. Default 10000 ms. */
	unsigned tcp_idle_ms;
	/* TCP server: concurrent connections. At the cap a new connection
	 * evicts the idle one (nothing in flight) that has gone longest
	 * without an accepted request, those that never had one first; if
	 * none is idle the newcomer is closed at once. Default 64. */
	unsigned tcp_max_conns;
	/* TCP server: connections from one address; at the cap a new one
	 * evicts that address's oldest idle connection, or is closed.
	 * Default 8. */
	unsigned tcp_max_per_source;
	/* TCP server: requests in flight on one connection before the
	 * endpoint stops reading from it. Default 32. */
	unsigned tcp_max_inflight;
	/* TCP server: octets of queued replies per connection before the
	 * endpoint stops reading requests from it. Default 262144. */
	size_t tcp_max_buffered;
	/* TCP (both sides): the largest message accepted; a length prefix
	 * above it closes the connection. Default 65535. */
	unsigned tcp_max_msg;
	/* TCP client: a connection with nothing in flight is closed after
	 * this long. Default 2000 ms. */
	unsigned tcp_client_idle_ms;
} tp_endpoint_config_t;

void tp_endpoint_config_default(tp_endpoint_config_t *cfg);

/*
 * Request handler. `src` and `msg` are valid during the call only. The
 * handler answers through `reply` now or later (see tp_reply_send); if it
 * does neither send nor drop before returning, the reply stays pending.
 * Messages shorter than a DNS header and responses (QR=1) never reach it.
 */
typedef void (*tp_request_fn)(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto,
                              const uint8_t *msg, size_t len, tp_reply_t *reply, void *arg);

/*
 * Bind `addr` (IPv4 or IPv6; port 0 lets the kernel pick one) for UDP and
 * TCP on the same port and start serving on `loop`. `cfg` NULL = defaults.
 * `handler` NULL = a client-only endpoint (requests are dropped).
 * Errors: HS_E_INVAL (bad argument), HS_E_NET (socket/bind/listen failed,
 * or no common free port after several tries; errno then says why).
 */
int tp_endpoint_new(tp_loop_t *loop, const tp_peer_addr_t *addr, const tp_endpoint_config_t *cfg,
                    tp_request_fn handler, void *arg, tp_endpoint_t **out) HS_CHECK_RESULT;

/*
 * Close both sockets and every connection. Pending tp_send() requests
 * complete with HS_E_STATE (no bytes) before this returns; pending replies
 * are freed and must not be used afterwards. Must not be called from
 * inside one of this endpoint's callbacks (defer it with a timer). NULL-safe.
 */
void tp_endpoint_free(tp_endpoint_t *ep);

/* The bound address (with the port the kernel picked). */
void tp_endpoint_addr(const tp_endpoint_t *ep, tp_peer_addr_t *out);
uint16_t tp_endpoint_port(const tp_endpoint_t *ep);

/* ---- replies ----------------------------------------------------------- */

/* TP_EP_UDP or TP_EP_TCP. */
int tp_reply_proto(const tp_reply_t *r);
/* The largest reply this requester accepts (UDP limit; TCP: 65535). */
size_t tp_reply_limit(const tp_reply_t *r);

/*
 * Send `msg` as the reply. On HS_OK and HS_E_NET the reply is consumed
 * (freed). Errors: HS_E_RANGE (longer than tp_reply_limit(); the reply is
 * NOT consumed, send a truncated one), HS_E_NET (the TCP client has gone
 * away or the datagram could not be sent; nothing was sent).
 */
int tp_reply_send(tp_reply_t *r, const uint8_t *msg, size_t len);
/* Do not answer; the reply is consumed. NULL-safe. */
void tp_reply_drop(tp_reply_t *r);

/*
 * The request of this (pending) reply was accepted: it proved who sent
 * it (a verified SIG(0), an allowed zone transfer). Over TCP this renews
 * the connection's idle time and protects it from eviction before
 * connections without accepted requests. No effect over UDP. NULL-safe.
 */
void tp_reply_accept(tp_reply_t *r);

/*
 * A reply of several messages on TCP (an AXFR or IXFR): `next` is asked
 * for one message at a time, appended to `msg` (without framing),
 * whenever the connection's queued output is below half of
 * tcp_max_buffered (backpressure: a slow reader is never sent more than
 * that ahead). It returns HS_OK (a message; more may follow),
 * HS_E_NOTFOUND (the answer is complete) or an error (the connection is
 * closed). `done` (may be NULL) is called exactly once when the stream
 * ends: HS_OK after the last message was queued, HS_E_NET when the
 * client went away, or `next`'s error; it must not call into the
 * endpoint, and may run before tp_reply_stream returns (a short answer).
 * Streams on one connection are sent one after the other; the
 * stream counts as an in-flight reply until it ends. The reply is
 * consumed. Errors (nothing consumed, no callback): HS_E_INVAL (a UDP
 * reply, NULL `next`), HS_E_NET (the client has gone: the reply is
 * consumed, no callback).
 */
typedef int (*tp_stream_next_fn)(void *arg, hs_buf_t *msg);
typedef void (*tp_stream_done_fn)(void *arg, int status);
int tp_reply_stream(tp_reply_t *r, tp_stream_next_fn next, tp_stream_done_fn done,
                    void *arg) HS_CHECK_RESULT;

/* ---- client ------------------------------------------------------------ */

typedef struct tp_send tp_send_t;

typedef struct tp_send_opts {
	unsigned timeout_ms; /* per attempt; 0 = 2000 */
	unsigned retries;    /* attempts after the first (UDP loss, TCP break) */
	int force_tcp;       /* skip UDP */
} tp_send_opts_t;

/*
 * Completion: called exactly once (unless cancelled). `status` HS_OK with
 * the response in `resp`/`len` (valid during the call only), HS_E_TIMEOUT
 * (no answer after every attempt), HS_E_NET (could not send or the
 * connection failed on the last attempt), HS_E_STATE (the endpoint is
 * being freed).
 */
typedef void (*tp_send_fn)(void *arg, int status, const uint8_t *resp, size_t len);

/*
 * Send the DNS message `msg` (copied) to `dst`. A UDP response is accepted
 * only from `dst`, with the message's id, QR=1 and the same first question
 * (name compared case-insensitively); others are discarded. TC=1 in a
 * response, a message above cfg.udp_max, or opts->force_tcp means TCP;
 * TCP connections are shared per destination and pipelined; when a
 * connection that already carried an answer breaks, its requests get one
 * retry on a new connection that does not count against opts->retries
 * (the server may have closed it as idle). `opts` NULL = defaults. `handle` (may be NULL) receives
 * a handle valid until the callback starts, for tp_send_cancel(). Errors (the callback will not be
 * called): HS_E_INVAL (bad argument, not a query, address family of `dst` differs from the
 * endpoint's), HS_E_EXISTS (a request with this id and question to `dst` is pending), HS_E_STATE
 * (the endpoint is being freed).
 */
int tp_send(tp_endpoint_t *ep, const tp_peer_addr_t *dst, const uint8_t *msg, size_t len,
            const tp_send_opts_t *opts, tp_send_fn cb, void *arg,
            tp_send_t **handle) HS_CHECK_RESULT;

/* Forget a pending request; its callback is not called. NULL-safe. */
void tp_send_cancel(tp_send_t *s);

/* ---- counters ---------------------------------------------------------- */

typedef struct tp_counters {
	uint64_t udp_in;             /* datagrams received */
	uint64_t udp_out;            /* datagrams sent */
	uint64_t udp_dropped;        /* datagrams ignored: short, unmatched, no handler */
	uint64_t udp_send_err;       /* sendto failures */
	uint64_t tcp_accepted;       /* server connections accepted */
	uint64_t tcp_refused_cap;    /* closed at once: connection cap reached, none idle */
	uint64_t tcp_refused_source; /* closed at once: per-source cap, none idle */
	uint64_t tcp_evicted;        /* idle connections closed to admit a new one */
	uint64_t tcp_idle_closed;    /* server connections closed as idle */
	uint64_t tcp_closed;         /* server connections closed, any reason */
	uint64_t tcp_bad_frame;      /* connections closed for a bad length/message */
	uint64_t tcp_msgs_in;        /* messages received over TCP (both sides) */
	uint64_t tcp_msgs_out;       /* messages sent over TCP (both sides) */
	uint64_t tcp_bytes_in;       /* octets received over TCP (both sides) */
	uint64_t tcp_connects;       /* client connections opened */
	uint64_t requests;           /* requests handed to the handler */
	uint64_t replies;            /* replies sent */
	uint64_t replies_lost;       /* replies for a TCP client that had gone */
	uint64_t truncated;          /* UDP replies sent with TC=1 */
	uint64_t oversize;           /* tp_reply_send refused: above the limit */
	uint64_t sends;              /* tp_send calls accepted */
	uint64_t tcp_fallbacks;      /* client: TC=1 answers retried over TCP */
	uint64_t retries;            /* client: attempts after the first */
	uint64_t timeouts;           /* client: requests failed with HS_E_TIMEOUT */
	uint64_t mismatched;         /* client: responses discarded (id/addr/question) */
} tp_counters_t;

void tp_endpoint_counters(const tp_endpoint_t *ep, tp_counters_t *out);

/* UDP replies sent during a burst of requests leave together when the
 * burst ends; this sends those queued so far now (answers released in the
 * middle of a burst need not wait for its last request). NULL-safe. */
void tp_endpoint_flush_replies(tp_endpoint_t *ep);

#endif
