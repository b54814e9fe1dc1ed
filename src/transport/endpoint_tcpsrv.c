/*
 * endpoint_tcpsrv.c -- the TCP server side: accepted connections, 2-octet
 * length framing, pipelining, idle timeout, connection and buffer caps.
 *
 * Policy (draft-hsync-transport 9.8, 9.9, TCP-1..TCP-4): a connection is
 * idle when no request is in flight and no output is queued. It is closed
 * when it has been idle tcp_idle_ms after it was accepted or after its
 * last ACCEPTED request (tp_reply_accept: a verified SIG(0)); requests
 * that prove nothing do not keep it open, so a client without a key
 * cannot hold slots by sending something now and then. At tcp_max_conns
 * (or tcp_max_per_source from one address) a new connection evicts the
 * idle one that has gone longest without an accepted request, those that
 * never had one first; when none is idle the newcomer is closed. Reading
 * stops (no new requests are parsed) while tcp_max_inflight requests
 * await replies or more than tcp_max_buffered octets of replies are
 * queued; it resumes when both drop.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "transport/endpoint_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

static void srv_process(struct srv_conn *c);

static void conn_log(const struct srv_conn *c, const char *what)
{
	if (hs_log_get_level() < HS_LOG_DEBUG)
		return;
	char txt[80];
	tp_peer_addr_str(&c->peer, txt, sizeof(txt));
	log_debug(TP_LOG, "tcp server conn %llu from '%s': %s", (unsigned long long)c->serial, txt,
	          what);
}

void ep_srv_close(struct srv_conn *c, const char *why)
{
	tp_endpoint_t *ep = c->ep;
	tp_reply_t *r;
	conn_log(c, why);
	/* replies still held by the upper layer learn the client is gone */
	for (r = LIST_FIRST(&ep->replies); r != NULL; r = LIST_NEXT(r, link)) {
		if (r->conn == c)
			r->conn = NULL;
	}
	ep_stream_abort(c);
	LIST_REMOVE(c, link);
	ep->n_srv--;
	ep->ctr.tcp_closed++;
	event_free(c->kick);
	event_free(c->idle);
	bufferevent_free(c->bev);
	free(c);
}

static size_t out_len(const struct srv_conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

uint64_t ep_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void arm_idle(struct srv_conn *c)
{
	unsigned ms = c->ep->cfg.tcp_idle_ms;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	evtimer_add(c->idle, &tv);
}

/* A streamed reply (an AXFR going out) holds its request's in-flight
 * count until it ends; streams is checked too so that no change there
 * can make a streaming connection idle (evictable). */
static int is_idle(const struct srv_conn *c)
{
	return c->inflight == 0 && c->streams == NULL && out_len(c) == 0;
}

void ep_srv_accepted(struct srv_conn *c)
{
	c->verified = 1;
	c->last_ok = ep_mono_ms();
	arm_idle(c);
}

static void srv_idle(evutil_socket_t fd, short what, void *arg)
{
	struct srv_conn *c = arg;
	if (!is_idle(c)) {
		/* waiting for our own replies is not idleness */
		arm_idle(c);
		return;
	}
	c->ep->ctr.tcp_idle_closed++;
	ep_srv_close(c, "idle timeout");
}

/* Pause or resume reading after the in-flight count or the output changed. */
static void srv_update(struct srv_conn *c)
{
	const tp_endpoint_config_t *cfg = &c->ep->cfg;
	int want = c->inflight < cfg->tcp_max_inflight && out_len(c) <= cfg->tcp_max_buffered;
	if (want && c->paused) {
		c->paused = 0;
		bufferevent_enable(c->bev, EV_READ);
		event_active(c->kick, 0, 0); /* frames may already wait in the input */
	} else if (!want && !c->paused) {
		c->paused = 1;
		bufferevent_disable(c->bev, EV_READ);
		conn_log(c, "reading paused");
	}
}

void ep_srv_write(struct srv_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add(out, hdr, 2);
	evbuffer_add(out, msg, len);
	c->ep->ctr.tcp_msgs_out++;
}

void ep_srv_reply_done(struct srv_conn *c)
{
	c->inflight--;
	srv_update(c);
}

/* Returns 1 if the connection was closed. */
static int srv_one_message(struct srv_conn *c, const uint8_t *msg, size_t len)
{
	tp_endpoint_t *ep = c->ep;
	tp_req_info_t info;
	ep->ctr.tcp_msgs_in++;
	if (tp_req_parse_header(msg, len, &info) != HS_OK || (info.flags & EP_FLAG_QR)) {
		ep->ctr.tcp_bad_frame++;
		ep_srv_close(c, "not a request");
		return 1;
	}
	if (ep->handler == NULL)
		return 0;
	tp_reply_t *r = ep_reply_new(ep, TP_EP_TCP, &c->peer, TP_MSG_MAX, c);
	c->inflight++;
	ep_dispatch(ep, &c->peer, TP_EP_TCP, msg, len, r);
	return 0;
}

static void srv_process(struct srv_conn *c)
{
	tp_endpoint_t *ep = c->ep;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t max = ep->cfg.tcp_max_msg;

	while (!c->paused) {
		const uint8_t *p;
		size_t n;
		int rc = ep_frame_next(in, max, &p, &n);
		if (rc == HS_E_AGAIN)
			break;
		if (rc != HS_OK) {
			ep->ctr.tcp_bad_frame++;
			ep_srv_close(c, "bad length prefix");
			return;
		}
		if (srv_one_message(c, p, n))
			return;
		evbuffer_drain(in, 2 + n);
		srv_update(c);
	}
}

int ep_frame_next(struct evbuffer *in, size_t max, const uint8_t **msg, size_t *len)
{
	uint8_t hdr[2];
	size_t n, avail = evbuffer_get_length(in);
	if (avail < 2)
		return HS_E_AGAIN;
	evbuffer_copyout(in, hdr, 2);
	/* check the length first, and linearise only a whole frame */
	int rc = tp_frame_peek(hdr, 2, max, &n);
	if (rc == HS_E_MALFORMED)
		return rc;
	n = (size_t)hdr[0] << 8 | hdr[1];
	if (avail < 2 + n)
		return HS_E_AGAIN;
	const uint8_t *p = evbuffer_pullup(in, (ssize_t)(2 + n));
	rc = tp_frame_peek(p, 2 + n, max, &n);
	if (rc != HS_OK)
		return rc;
	*msg = p + 2;
	*len = n;
	return HS_OK;
}

static void srv_kick(evutil_socket_t fd, short what, void *arg)
{
	srv_process(arg);
}

static void srv_read(struct bufferevent *bev, void *arg)
{
	srv_process(arg);
}

static void srv_write(struct bufferevent *bev, void *arg)
{
	ep_stream_pump(arg);
	srv_update(arg);
}

static void srv_event(struct bufferevent *bev, short what, void *arg)
{
	struct srv_conn *c = arg;

	if (what & BEV_EVENT_TIMEOUT) {
		/* only writes have a bufferevent timeout (idleness is srv_idle) */
		ep_srv_close(c, "write stalled");
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* like NSD: the client closing (even half-closing) ends the
		 * connection; replies still pending are lost (HS_E_NET) */
		struct evbuffer *in = bufferevent_get_input(bev);
		ep_srv_close(c, evbuffer_get_length(in) > 0 ? "eof inside a message"
		                                            : "closed by peer");
		return;
	}
	ep_srv_close(c, "connection error");
}

static void count_in(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	tp_endpoint_t *ep = arg;
	ep->ctr.tcp_bytes_in += info->n_added;
}

/* Same address, any port. */
static int same_host(const tp_peer_addr_t *a, const tp_peer_addr_t *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&a->ss)->sin_addr,
		              &((const struct sockaddr_in *)&b->ss)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
	              &((const struct sockaddr_in6 *)&b->ss)->sin6_addr, 16) == 0;
}

/* The idle connection to give up for a newcomer (of `host` only, if not
 * NULL): never verified before verified, then the longest without an
 * accepted request. NULL when none is idle. */
static struct srv_conn *victim(tp_endpoint_t *ep, const tp_peer_addr_t *host)
{
	struct srv_conn *c, *best = NULL;
	LIST_FOREACH(c, &ep->srv, link)
	{
		if (!is_idle(c) || (host != NULL && !same_host(&c->peer, host)))
			continue;
		if (best == NULL || c->verified < best->verified ||
		    (c->verified == best->verified &&
		     (c->last_ok < best->last_ok ||
		      (c->last_ok == best->last_ok && c->serial < best->serial))))
			best = c;
	}
	return best;
}

/* Room for a connection from `peer`: 1 (an idle one may have been
 * evicted for it), 0 when it must be closed. */
static int make_room(tp_endpoint_t *ep, const tp_peer_addr_t *peer)
{
	struct srv_conn *c, *v;
	unsigned same = 0;
	LIST_FOREACH(c, &ep->srv, link)
	same += same_host(&c->peer, peer);
	if (same >= ep->cfg.tcp_max_per_source) {
		v = victim(ep, peer);
		if (v == NULL) {
			ep->ctr.tcp_refused_source++;
			return 0;
		}
		ep->ctr.tcp_evicted++;
		ep_srv_close(v, "evicted: per-source connection cap");
	}
	if (ep->n_srv >= ep->cfg.tcp_max_conns) {
		v = victim(ep, NULL);
		if (v == NULL) {
			ep->ctr.tcp_refused_cap++;
			return 0;
		}
		ep->ctr.tcp_evicted++;
		ep_srv_close(v, "evicted: connection cap");
	}
	return 1;
}

void ep_srv_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                   void *arg)
{
	tp_endpoint_t *ep = arg;
	tp_peer_addr_t peer;
	char txt[80];

	ep_addr_from_sa(&peer, sa, (socklen_t)salen);
	if (ep->closing || !make_room(ep, &peer)) {
		close(fd);
		if (hs_log_get_level() >= HS_LOG_DEBUG) {
			tp_peer_addr_str(&peer, txt, sizeof(txt));
			log_debug(TP_LOG, "tcp connection from '%s' closed: %u connections open",
			          txt, ep->n_srv);
		}
		return;
	}
	struct bufferevent *bev = bufferevent_socket_new(ep->loop->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct srv_conn *c = xcalloc(1, sizeof(*c));
	c->ep = ep;
	c->bev = bev;
	c->peer = peer;
	c->serial = ++ep->serial;
	c->kick = event_new(ep->loop->base, -1, 0, srv_kick, c);
	c->idle = evtimer_new(ep->loop->base, srv_idle, c);
	if (c->kick == NULL || c->idle == NULL)
		abort();
	c->last_ok = ep_mono_ms();
	arm_idle(c);
	struct timeval stall = {(time_t)(ep->cfg.tcp_idle_ms / 1000),
	                        (suseconds_t)(ep->cfg.tcp_idle_ms % 1000) * 1000};
	bufferevent_setcb(bev, srv_read, srv_write, srv_event, c);
	bufferevent_set_timeouts(bev, NULL, &stall);
	/* input never holds more than one largest frame beyond what is parsed */
	bufferevent_setwatermark(bev, EV_READ, 0, 2 + (size_t)ep->cfg.tcp_max_msg);
	bufferevent_setwatermark(bev, EV_WRITE, ep->cfg.tcp_max_buffered / 2, 0);
	evbuffer_add_cb(bufferevent_get_input(bev), count_in, ep);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	LIST_INSERT_HEAD(&ep->srv, c, link);
	ep->n_srv++;
	ep->ctr.tcp_accepted++;
	conn_log(c, "accepted");
}
