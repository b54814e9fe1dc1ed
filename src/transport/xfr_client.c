/*
 * xfr_client.c -- the AXFR client on the transport's loop: one TCP
 * connection per transfer (RFC 5936 allows reuse; a secondary of a few
 * zones gains nothing from it), frames read as they come into the parser.
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
#include "wire/text.h"

#define DEF_TIMEOUT_MS 120000u
#define DEF_IDLE_MS    15000u
#define TYPE_AXFR      252

struct tp_xfr {
	tp_loop_t *loop;
	struct bufferevent *bev;
	struct event *overall;
	struct event *idle;
	unsigned idle_ms;
	tp_xfr_parser_t *parser;
	tp_xfr_fn cb;
	void *arg;
	char peer[64];
	char zone[WIRE_NAME_MAX * 4 + 2];
};

static void ms_tv(unsigned ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

static void xfr_free(tp_xfr_t *x)
{
	if (x->bev)
		bufferevent_free(x->bev);
	if (x->overall)
		event_free(x->overall);
	if (x->idle)
		event_free(x->idle);
	tp_xfr_parser_free(x->parser);
	free(x);
}

void tp_xfr_cancel(tp_xfr_t *x)
{
	if (x != NULL)
		xfr_free(x);
}

/* The end, one way or another: free everything, then call back. */
static void finish(tp_xfr_t *x, int status, tp_xfr_zone_t *zone, const hs_errmsg_t *em)
{
	tp_xfr_stats_t st = {tp_xfr_parser_messages(x->parser), tp_xfr_parser_records(x->parser),
	                     zone ? tp_xfr_zone_msg_bytes(zone) : 0};
	tp_xfr_fn cb = x->cb;
	void *arg = x->arg;
	if (status == HS_OK)
		log_info(XFR_LOG, "zone '%s' from '%s': %zu records in %zu messages", x->zone,
		         x->peer, st.records, st.messages);
	else
		log_info(XFR_LOG, "zone '%s' from '%s': transfer failed: %s", x->zone, x->peer,
		         hs_errmsg_str(em));
	xfr_free(x);
	cb(arg, status, zone, &st, em);
}

static void fail(tp_xfr_t *x, int code, const char *fmt, const char *detail)
{
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	hs_fail(&em, code, fmt, detail);
	finish(x, code, NULL, &em);
}

static void on_overall(evutil_socket_t fd, short what, void *arg)
{
	fail(arg, HS_E_TIMEOUT, "transfer took too long%s", "");
}

static void on_idle(evutil_socket_t fd, short what, void *arg)
{
	tp_xfr_t *x = arg;
	char s[48];
	snprintf(s, sizeof(s), "%u ms", x->idle_ms);
	fail(x, HS_E_TIMEOUT, "primary silent for %s", s);
}

static void idle_rearm(tp_xfr_t *x)
{
	struct timeval tv;
	ms_tv(x->idle_ms, &tv);
	evtimer_add(x->idle, &tv);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	tp_xfr_t *x = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	idle_rearm(x);
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
			fail(x, HS_E_MALFORMED, "bad TCP frame length%s", "");
			return;
		}
		rc = tp_xfr_parser_feed(x->parser, p + 2, mlen, &em);
		evbuffer_drain(in, need);
		if (rc == HS_E_AGAIN)
			continue;
		if (rc == HS_OK) {
			tp_xfr_zone_t *z = NULL;
			rc = tp_xfr_parser_finish(x->parser, &z, &em);
			finish(x, rc, rc == HS_OK ? z : NULL, &em);
			return;
		}
		finish(x, rc, NULL, &em);
		return;
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	tp_xfr_t *x = arg;
	if (what & BEV_EVENT_CONNECTED) {
		log_debug(XFR_LOG, "connected to '%s'", x->peer);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		fail(x, HS_E_NET, "connection closed before the closing SOA%s", "");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		int e = EVUTIL_SOCKET_ERROR();
		fail(x, HS_E_NET, "connection failed: %s", evutil_socket_error_to_string(e));
		return;
	}
}

int tp_xfr_start(tp_loop_t *loop, const tp_peer_addr_t *primary, const char *zone,
                 const tp_xfr_opts_t *opts, tp_xfr_fn cb, void *arg, tp_xfr_t **handle)
{
	uint8_t wire[WIRE_NAME_MAX];
	size_t wlen;
	uint16_t id;
	hs_buf_t q = HS_BUF_INIT, txt = HS_BUF_INIT;
	tp_xfr_t *x = NULL;
	int rc;

	if (loop == NULL || primary == NULL || zone == NULL || cb == NULL)
		return HS_E_INVAL;
	if (hs_name_from_text(zone, strlen(zone), wire, &wlen) != HS_OK)
		return HS_E_NAME;
	const hs_env_t *env = opts && opts->env ? opts->env : hs_env_system();
	if ((rc = env->random(env->arg, (uint8_t *)&id, sizeof(id))) != HS_OK)
		return rc;

	x = xcalloc(1, sizeof(*x));
	x->loop = loop;
	x->cb = cb;
	x->arg = arg;
	x->idle_ms = opts && opts->idle_ms ? opts->idle_ms : DEF_IDLE_MS;
	tp_peer_addr_str(primary, x->peer, sizeof(x->peer));
	hs_name_print(&txt, wire, wlen);
	snprintf(x->zone, sizeof(x->zone), "%s", hs_buf_cstr(&txt));
	if ((rc = tp_xfr_parser_new(wire, wlen, id, opts ? &opts->limits : NULL, &x->parser)) !=
	    HS_OK)
		goto cleanup;

	/* the query: header, question zone/AXFR/IN, no EDNS */
	hs_buf_append_u16(&q, 0); /* frame length, set below */
	hs_buf_append_u16(&q, id);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, 1);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, 0);
	hs_buf_append_u16(&q, 0);
	hs_buf_append(&q, wire, wlen);
	hs_buf_append_u16(&q, TYPE_AXFR);
	hs_buf_append_u16(&q, 1);
	q.data[0] = (uint8_t)((q.len - 2) >> 8);
	q.data[1] = (uint8_t)(q.len - 2);

	x->bev = bufferevent_socket_new(loop->base, -1, BEV_OPT_CLOSE_ON_FREE);
	x->overall = evtimer_new(loop->base, on_overall, x);
	x->idle = evtimer_new(loop->base, on_idle, x);
	if (x->bev == NULL || x->overall == NULL || x->idle == NULL) {
		rc = HS_E_NET;
		goto cleanup;
	}
	bufferevent_setcb(x->bev, on_read, NULL, on_event, x);
	if (bufferevent_socket_connect(x->bev, (struct sockaddr *)&primary->ss, (int)primary->len) <
	    0) {
		log_info(XFR_LOG, "zone '%s': cannot connect to '%s'", x->zone, x->peer);
		rc = HS_E_NET;
		goto cleanup;
	}
	bufferevent_write(x->bev, q.data, q.len);
	bufferevent_enable(x->bev, EV_READ);
	struct timeval tv;
	ms_tv(opts && opts->timeout_ms ? opts->timeout_ms : DEF_TIMEOUT_MS, &tv);
	evtimer_add(x->overall, &tv);
	idle_rearm(x);
	log_debug(XFR_LOG, "zone '%s': axfr from '%s' id %u", x->zone, x->peer, id);
	if (handle)
		*handle = x;
	x = NULL;
	rc = HS_OK;
cleanup:
	if (x)
		xfr_free(x);
	hs_buf_free(&q);
	hs_buf_free(&txt);
	return rc;
}
