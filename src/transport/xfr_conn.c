/*
 * xfr_conn.c -- the TCP side of an incoming zone transfer, shared by the
 * AXFR client (xfr_client.c) and the IXFR/AXFR client of the zone
 * machinery (zxfr_client.c): non-blocking connect, the query written
 * with its 2-octet frame, answer frames read as they come (partial reads
 * and split frames handled) and handed to a feed function, an overall
 * and an idle timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "transport/endpoint_int.h"
#include "transport/xfr_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DEF_TIMEOUT_MS 120000u
#define DEF_IDLE_MS    15000u

struct xfr_conn {
	struct bufferevent *bev;
	struct event *overall;
	struct event *idle;
	unsigned idle_ms;
	xfr_feed_fn feed;
	xfr_end_fn end;
	void *ctx;
	char peer[64];
};

static void ms_tv(unsigned ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

void xfr_conn_cancel(struct xfr_conn *c)
{
	if (c == NULL)
		return;
	if (c->bev)
		bufferevent_free(c->bev);
	if (c->overall)
		event_free(c->overall);
	if (c->idle)
		event_free(c->idle);
	free(c);
}

const char *xfr_conn_peer(const struct xfr_conn *c)
{
	return c->peer;
}

/* The end: free the connection, then tell the owner. */
static void end(struct xfr_conn *c, int status, const hs_errmsg_t *em)
{
	xfr_end_fn fn = c->end;
	void *ctx = c->ctx;
	xfr_conn_cancel(c);
	fn(ctx, status, em);
}

static void fail(struct xfr_conn *c, int code, const char *fmt, const char *detail)
{
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	hs_fail(&em, code, fmt, detail);
	end(c, code, &em);
}

static void on_overall(evutil_socket_t fd, short what, void *arg)
{
	fail(arg, HS_E_TIMEOUT, "transfer took too long%s", "");
}

static void on_idle(evutil_socket_t fd, short what, void *arg)
{
	struct xfr_conn *c = arg;
	char s[48];
	snprintf(s, sizeof(s), "%u ms", c->idle_ms);
	fail(c, HS_E_TIMEOUT, "primary silent for %s", s);
}

static void idle_rearm(struct xfr_conn *c)
{
	struct timeval tv;
	ms_tv(c->idle_ms, &tv);
	evtimer_add(c->idle, &tv);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct xfr_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	idle_rearm(c);
	for (;;) {
		size_t avail = evbuffer_get_length(in), mlen;
		if (avail < 2)
			return;
		const uint8_t *p = evbuffer_pullup(in, 2);
		size_t need = 2 + ((size_t)p[0] << 8 | p[1]);
		if (avail < need)
			return;
		p = evbuffer_pullup(in, (ssize_t)need);
		int rc = tp_frame_peek(p, need, TP_MSG_MAX, &mlen);
		if (rc != HS_OK) {
			fail(c, HS_E_MALFORMED, "bad TCP frame length%s", "");
			return;
		}
		rc = c->feed(c->ctx, p + 2, mlen, &em);
		evbuffer_drain(in, need);
		if (rc == HS_E_AGAIN)
			continue;
		end(c, rc, &em);
		return;
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct xfr_conn *c = arg;
	if (what & BEV_EVENT_CONNECTED) {
		log_debug(XFR_LOG, "connected to '%s'", c->peer);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		fail(c, HS_E_NET, "connection closed before the closing SOA%s", "");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		int e = EVUTIL_SOCKET_ERROR();
		fail(c, HS_E_NET, "connection failed: %s", evutil_socket_error_to_string(e));
		return;
	}
}

int xfr_conn_start(tp_loop_t *loop, const tp_peer_addr_t *primary, const uint8_t *query,
                   size_t qlen, unsigned timeout_ms, unsigned idle_ms, xfr_feed_fn feed,
                   xfr_end_fn endfn, void *ctx, struct xfr_conn **out)
{
	uint8_t frame[2] = {(uint8_t)(qlen >> 8), (uint8_t)qlen};
	struct xfr_conn *c = xcalloc(1, sizeof(*c));
	c->feed = feed;
	c->end = endfn;
	c->ctx = ctx;
	c->idle_ms = idle_ms ? idle_ms : DEF_IDLE_MS;
	tp_peer_addr_str(primary, c->peer, sizeof(c->peer));
	c->bev = bufferevent_socket_new(loop->base, -1, BEV_OPT_CLOSE_ON_FREE);
	c->overall = evtimer_new(loop->base, on_overall, c);
	c->idle = evtimer_new(loop->base, on_idle, c);
	if (c->bev == NULL || c->overall == NULL || c->idle == NULL) {
		xfr_conn_cancel(c);
		return HS_E_NET;
	}
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&primary->ss, (int)primary->len) <
	    0) {
		log_info(XFR_LOG, "cannot connect to '%s'", c->peer);
		xfr_conn_cancel(c);
		return HS_E_NET;
	}
	bufferevent_write(c->bev, frame, 2);
	bufferevent_write(c->bev, query, qlen);
	bufferevent_enable(c->bev, EV_READ);
	struct timeval tv;
	ms_tv(timeout_ms ? timeout_ms : DEF_TIMEOUT_MS, &tv);
	evtimer_add(c->overall, &tv);
	idle_rearm(c);
	*out = c;
	return HS_OK;
}
