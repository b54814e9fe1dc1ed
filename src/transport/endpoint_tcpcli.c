/*
 * endpoint_tcpcli.c -- client TCP connections, one per destination,
 * shared by every request to it (pipelined: all are written at once and
 * answers are matched by id and question, in any order). A connection
 * with nothing in flight closes after tcp_client_idle_ms.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>

#include <event2/buffer.h>

#include "transport/endpoint_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

static void conn_log(const struct cli_conn *c, const char *what)
{
	if (hs_log_get_level() < HS_LOG_DEBUG)
		return;
	char txt[80];
	tp_peer_addr_str(&c->dst, txt, sizeof(txt));
	log_debug(TP_LOG, "tcp client conn %llu to '%s': %s", (unsigned long long)c->serial, txt,
	          what);
}

void ep_cli_conn_free(struct cli_conn *c)
{
	if (c->linked)
		LIST_REMOVE(c, link);
	event_free(c->idle);
	bufferevent_free(c->bev);
	free(c);
}

static void cli_idle(evutil_socket_t fd, short what, void *arg)
{
	struct cli_conn *c = arg;
	conn_log(c, "idle, closing");
	ep_cli_conn_free(c);
}

static void cli_read(struct bufferevent *bev, void *arg)
{
	struct cli_conn *c = arg;
	tp_endpoint_t *ep = c->ep;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t max = ep->cfg.tcp_max_msg;

	for (;;) {
		const uint8_t *p;
		size_t n;
		int rc = ep_frame_next(in, max, &p, &n);
		if (rc == HS_E_AGAIN)
			return;
		if (rc != HS_OK) {
			ep->ctr.tcp_bad_frame++;
			conn_log(c, "bad length prefix");
			ep_cli_conn_lost(c);
			return;
		}
		ep->ctr.tcp_msgs_in++;
		ep_cli_tcp_response(c, p, n);
		evbuffer_drain(in, 2 + n);
	}
}

static void cli_event(struct bufferevent *bev, short what, void *arg)
{
	struct cli_conn *c = arg;
	if (what & BEV_EVENT_CONNECTED) {
		int one = 1;
		(void)setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one,
		                 sizeof(one));
		conn_log(c, "connected");
		return;
	}
	conn_log(c, (what & BEV_EVENT_EOF) ? "closed by peer" : "connection error");
	ep_cli_conn_lost(c);
}

static void count_in(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	tp_endpoint_t *ep = arg;
	ep->ctr.tcp_bytes_in += info->n_added;
}

int ep_cli_conn_get(tp_endpoint_t *ep, const tp_peer_addr_t *dst, struct cli_conn **out)
{
	struct cli_conn *c;
	for (c = LIST_FIRST(&ep->cli); c != NULL; c = LIST_NEXT(c, link)) {
		if (tp_peer_addr_eq(&c->dst, dst)) {
			*out = c;
			return HS_OK;
		}
	}
	struct bufferevent *bev = bufferevent_socket_new(ep->loop->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return HS_E_NET;
	if (bufferevent_socket_connect(bev, (const struct sockaddr *)&dst->ss, (int)dst->len) !=
	    0) {
		bufferevent_free(bev);
		return HS_E_NET;
	}
	c = xcalloc(1, sizeof(*c));
	c->ep = ep;
	c->bev = bev;
	c->dst = *dst;
	c->serial = ++ep->serial;
	c->idle = evtimer_new(ep->loop->base, cli_idle, c);
	if (c->idle == NULL)
		abort();
	bufferevent_setcb(bev, cli_read, NULL, cli_event, c);
	bufferevent_setwatermark(bev, EV_READ, 0, 2 + (size_t)ep->cfg.tcp_max_msg);
	evbuffer_add_cb(bufferevent_get_input(bev), count_in, ep);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	LIST_INSERT_HEAD(&ep->cli, c, link);
	c->linked = 1;
	ep->ctr.tcp_connects++;
	conn_log(c, "connecting");
	*out = c;
	return HS_OK;
}

void ep_cli_conn_attach(struct cli_conn *c)
{
	c->inflight++;
	evtimer_del(c->idle);
}

void ep_cli_conn_detach(struct cli_conn *c)
{
	if (--c->inflight == 0 && c->linked) {
		unsigned ms = c->ep->cfg.tcp_client_idle_ms;
		struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
		evtimer_add(c->idle, &tv);
	}
}

void ep_cli_conn_write(struct cli_conn *c, const uint8_t *msg, size_t len)
{
	uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add(out, hdr, 2);
	evbuffer_add(out, msg, len);
	c->ep->ctr.tcp_msgs_out++;
}
