/*
 * endpoint_int.h -- private structures of the endpoint (src/transport only).
 *
 * Ownership: the endpoint owns its sockets, its server connections (srv),
 * its client connections (cli), its pending client requests (tp_send) and
 * the pending replies it handed out. Lists are intrusive (sys/queue.h).
 */
#ifndef HS_TRANSPORT_ENDPOINT_INT_H
#define HS_TRANSPORT_ENDPOINT_INT_H

#include <sys/queue.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "transport/endpoint.h"

#define TP_LOG "transport"

#define EP_RX_BATCH 16 /* datagrams per recvmmsg */
#define EP_TX_BATCH 32 /* replies per sendmmsg */

/* Header flag bits (second header word). */
#define EP_FLAG_QR     0x8000u
#define EP_FLAG_TC     0x0200u
#define EP_FLAG_RD     0x0100u
#define EP_OPCODE_MASK 0x7800u

struct tp_loop {
	struct event_base *base;
	LIST_HEAD(, tp_timer) timers;
};

struct tp_timer {
	tp_loop_t *loop;
	struct event *ev;
	tp_timer_fn cb;
	void *arg;
	LIST_ENTRY(tp_timer) link;
};

/* A TCP connection accepted by the server side. */
struct srv_conn {
	tp_endpoint_t *ep;
	struct bufferevent *bev;
	tp_peer_addr_t peer;
	uint64_t serial;    /* for log lines */
	unsigned inflight;  /* replies handed out, not yet sent or dropped */
	int paused;         /* reading disabled (inflight or output cap) */
	struct event *kick; /* resumes frame processing outside callbacks */
	struct event *idle; /* fires tcp_idle_ms after the last accepted request */
	int verified;       /* it has carried an accepted request */
	uint64_t last_ok;   /* mono ms: accepted, or its last accepted request */
	/* multi-message replies, oldest first (endpoint_stream.c) */
	struct ep_stream *streams;
	LIST_ENTRY(srv_conn) link;
};

/* A TCP connection opened by the client side to one destination. */
struct cli_conn {
	tp_endpoint_t *ep;
	struct bufferevent *bev;
	tp_peer_addr_t dst;
	uint64_t serial;
	unsigned inflight;  /* requests waiting for an answer on it */
	unsigned answered;  /* responses matched so far (it has been reused) */
	struct event *idle; /* closes the connection when nothing is in flight */
	int linked;         /* still in ep->cli (new requests may use it) */
	LIST_ENTRY(cli_conn) link;
};

struct tp_reply {
	tp_endpoint_t *ep;
	int proto;
	tp_peer_addr_t src;
	size_t limit;
	struct srv_conn *conn; /* TCP: NULL once the connection is gone */
	LIST_ENTRY(tp_reply) link;
};

struct tp_send {
	tp_endpoint_t *ep;
	tp_peer_addr_t dst;
	uint8_t *msg;
	size_t len;
	tp_req_info_t q;
	tp_send_opts_t opts;
	unsigned attempts; /* made so far */
	int on_tcp;
	int failed;            /* HS_E_NET when the last attempt could not be sent */
	int reuse_retried;     /* the free retry after a reused connection broke */
	struct cli_conn *conn; /* TCP: the connection carrying it */
	struct event *timer;
	tp_send_fn cb;
	void *arg;
	LIST_ENTRY(tp_send) link;
};

struct tp_endpoint {
	tp_loop_t *loop;
	tp_endpoint_config_t cfg;
	tp_peer_addr_t addr;
	int udp_fd;
	struct event *udp_ev;
	struct evconnlistener *listener;
	tp_request_fn handler;
	void *arg;
	tp_counters_t ctr;
	int closing;
	uint64_t serial;
	unsigned n_srv;
	LIST_HEAD(, srv_conn) srv;
	LIST_HEAD(, cli_conn) cli;
	LIST_HEAD(, tp_send) sends;
	LIST_HEAD(, tp_reply) replies;
	/* UDP in bursts: recvmmsg into EP_RX_BATCH buffers of rx_size, and
	 * the replies made during a burst leave together (sendmmsg) */
	uint8_t *rxbufs; /* EP_RX_BATCH x rx_size */
	size_t rx_size;
	int in_burst;
	struct ep_udp_out {
		uint8_t *msg;
		size_t len;
		tp_peer_addr_t dst;
	} out[EP_TX_BATCH];
	unsigned nout;
};

/* endpoint.c */
tp_reply_t *ep_reply_new(tp_endpoint_t *ep, int proto, const tp_peer_addr_t *src, size_t limit,
                         struct srv_conn *conn);
/* Dispatch one request to the handler (reply already made). */
void ep_dispatch(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                 size_t len, tp_reply_t *reply);

/* endpoint_tcpsrv.c */
void ep_srv_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                   void *arg);
/* Queue a framed reply on `c`. */
void ep_srv_write(struct srv_conn *c, const uint8_t *msg, size_t len);
/* A reply on `c` was sent or dropped: in-flight count and reading state. */
void ep_srv_reply_done(struct srv_conn *c);
void ep_srv_close(struct srv_conn *c, const char *why);
/* A request on `c` was accepted: renew its idle time. */
void ep_srv_accepted(struct srv_conn *c);
/* Monotonic milliseconds. */
uint64_t ep_mono_ms(void);
/* The next whole frame at the head of `in`: HS_OK with the message in
 * `msg`, `len` (valid until the input is drained), HS_E_AGAIN, or
 * HS_E_MALFORMED (see tp_frame_peek). Nothing is drained. */
int ep_frame_next(struct evbuffer *in, size_t max, const uint8_t **msg, size_t *len);

/* endpoint_stream.c */
/* Queue messages of the head stream while the output has room. */
void ep_stream_pump(struct srv_conn *c);
/* The connection closes: every stream ends with HS_E_NET. */
void ep_stream_abort(struct srv_conn *c);

/* endpoint_client.c */
/* A UDP response (QR=1) arrived on the endpoint's socket. */
void ep_cli_udp_response(tp_endpoint_t *ep, const tp_peer_addr_t *src, const uint8_t *msg,
                         size_t len);
/* A TCP response arrived on client connection `c`. */
void ep_cli_tcp_response(struct cli_conn *c, const uint8_t *msg, size_t len);
/* Client connection `c` failed or closed: its requests retry or fail. */
void ep_cli_conn_lost(struct cli_conn *c);
/* Complete a request: unlink, free, call back. */
void ep_send_complete(struct tp_send *s, int status, const uint8_t *resp, size_t len);

/* endpoint_tcpcli.c */
/* The open (or opening) connection to `dst`, made if there is none. */
int ep_cli_conn_get(tp_endpoint_t *ep, const tp_peer_addr_t *dst, struct cli_conn **out);
void ep_cli_conn_attach(struct cli_conn *c);
void ep_cli_conn_detach(struct cli_conn *c);
void ep_cli_conn_write(struct cli_conn *c, const uint8_t *msg, size_t len);
void ep_cli_conn_free(struct cli_conn *c);

/* A libevent socket address to tp_peer_addr_t. */
void ep_addr_from_sa(tp_peer_addr_t *out, const struct sockaddr *sa, socklen_t len);

#endif
