/*
 * endpoint_client.c -- the asynchronous client: tp_send(), matching
 * responses, retries on loss and the fallback from UDP to TCP.
 *
 * A request lives in ep->sends until it completes or is cancelled. One
 * timer per request bounds each attempt; an attempt that could not even be
 * sent fails through the same timer (with a zero delay) so the callback
 * never runs inside tp_send().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "transport/endpoint_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define DEFAULT_TIMEOUT_MS 2000

static void arm(struct tp_send *s, unsigned ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	evtimer_add(s->timer, &tv);
}

static unsigned attempt_ms(const struct tp_send *s)
{
	return s->opts.timeout_ms ? s->opts.timeout_ms : DEFAULT_TIMEOUT_MS;
}

static void start_udp(struct tp_send *s)
{
	tp_endpoint_t *ep = s->ep;
	s->attempts++;
	s->failed = HS_OK;
	ssize_t n =
	    sendto(ep->udp_fd, s->msg, s->len, 0, (const struct sockaddr *)&s->dst.ss, s->dst.len);
	if (n != (ssize_t)s->len) {
		int e = errno;
		log_debug(TP_LOG, "udp sendto: %s", strerror(e));
		ep->ctr.udp_send_err++;
		s->failed = HS_E_NET;
		/* a full socket buffer clears up: wait the attempt out */
		arm(s, e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS ? attempt_ms(s) : 0);
		return;
	}
	ep->ctr.udp_out++;
	arm(s, attempt_ms(s));
}

static void start_tcp(struct tp_send *s)
{
	struct cli_conn *c;
	s->attempts++;
	s->on_tcp = 1;
	s->failed = HS_OK;
	if (ep_cli_conn_get(s->ep, &s->dst, &c) != HS_OK) {
		s->failed = HS_E_NET;
		arm(s, 0);
		return;
	}
	s->conn = c;
	ep_cli_conn_attach(c);
	ep_cli_conn_write(c, s->msg, s->len);
	arm(s, attempt_ms(s));
}

static void detach(struct tp_send *s)
{
	if (s->conn != NULL) {
		ep_cli_conn_detach(s->conn);
		s->conn = NULL;
	}
}

static void send_free(struct tp_send *s)
{
	LIST_REMOVE(s, link);
	event_free(s->timer);
	detach(s);
	free(s->msg);
	free(s);
}

void ep_send_complete(struct tp_send *s, int status, const uint8_t *resp, size_t len)
{
	tp_send_fn cb = s->cb;
	void *arg = s->arg;
	if (status == HS_E_TIMEOUT)
		s->ep->ctr.timeouts++;
	send_free(s);
	cb(arg, status, resp, len);
}

static void send_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct tp_send *s = arg;
	if (s->attempts < 1 + s->opts.retries) {
		s->ep->ctr.retries++;
		detach(s);
		if (s->on_tcp)
			start_tcp(s);
		else
			start_udp(s);
		return;
	}
	ep_send_complete(s, s->failed != HS_OK ? s->failed : HS_E_TIMEOUT, NULL, 0);
}

static int name_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

static int same_question(const tp_req_info_t *a, const tp_req_info_t *b)
{
	if (a->has_question != b->has_question)
		return 0;
	if (!a->has_question)
		return 1;
	return a->qtype == b->qtype && a->qclass == b->qclass && a->qname_len == b->qname_len &&
	       name_eq(a->qname, b->qname, a->qname_len);
}

static struct tp_send *find(tp_endpoint_t *ep, const tp_req_info_t *r, const tp_peer_addr_t *src,
                            const struct cli_conn *conn)
{
	struct tp_send *s;
	/* some servers truncate to the bare header: TC=1 without a question
	 * still matches on id and address (it can only move us to TCP) */
	int bare_tc = (r->flags & EP_FLAG_TC) && r->qdcount == 0;
	for (s = LIST_FIRST(&ep->sends); s != NULL; s = LIST_NEXT(s, link)) {
		if (s->q.id != r->id || (!same_question(&s->q, r) && !bare_tc))
			continue;
		if (conn != NULL ? s->conn == conn : (!s->on_tcp && tp_peer_addr_eq(&s->dst, src)))
			return s;
	}
	return NULL;
}

void ep_cli_udp_response(tp_endpoint_t *ep, const tp_peer_addr_t *src, const uint8_t *msg,
                         size_t len)
{
	tp_req_info_t r;
	struct tp_send *s;
	if (tp_req_parse(msg, len, &r) != HS_OK || (s = find(ep, &r, src, NULL)) == NULL) {
		ep->ctr.mismatched++;
		return;
	}
	if (r.flags & EP_FLAG_TC) {
		ep->ctr.tcp_fallbacks++;
		evtimer_del(s->timer);
		s->attempts = 0;
		start_tcp(s);
		return;
	}
	ep_send_complete(s, HS_OK, msg, len);
}

void ep_cli_tcp_response(struct cli_conn *c, const uint8_t *msg, size_t len)
{
	tp_req_info_t r;
	struct tp_send *s;
	if (tp_req_parse(msg, len, &r) != HS_OK || !(r.flags & EP_FLAG_QR) ||
	    (s = find(c->ep, &r, NULL, c)) == NULL) {
		c->ep->ctr.mismatched++;
		return;
	}
	c->answered++;
	ep_send_complete(s, HS_OK, msg, len);
}

void ep_cli_conn_lost(struct cli_conn *c)
{
	tp_endpoint_t *ep = c->ep;
	struct tp_send *s;
	if (c->linked) {
		LIST_REMOVE(c, link);
		c->linked = 0;
	}
	/* a callback may add or cancel requests: rescan after each one */
	for (;;) {
		for (s = LIST_FIRST(&ep->sends); s != NULL; s = LIST_NEXT(s, link)) {
			if (s->conn == c)
				break;
		}
		if (s == NULL)
			break;
		detach(s);
		evtimer_del(s->timer);
		if (c->answered > 0 && !s->reuse_retried && !ep->closing) {
			/* a reused connection may have been closed by the server
			 * as idle just as this request went out: one free retry */
			s->reuse_retried = 1;
			s->attempts--;
			ep->ctr.retries++;
			start_tcp(s);
		} else if (s->attempts < 1 + s->opts.retries && !ep->closing) {
			ep->ctr.retries++;
			start_tcp(s);
		} else {
			ep_send_complete(s, HS_E_NET, NULL, 0);
		}
	}
	ep_cli_conn_free(c);
}

int tp_send(tp_endpoint_t *ep, const tp_peer_addr_t *dst, const uint8_t *msg, size_t len,
            const tp_send_opts_t *opts, tp_send_fn cb, void *arg, tp_send_t **handle)
{
	tp_req_info_t q;
	struct tp_send *s;

	if (ep == NULL || dst == NULL || msg == NULL || cb == NULL || len > TP_MSG_MAX)
		return HS_E_INVAL;
	if (ep->closing)
		return HS_E_STATE;
	if (dst->ss.ss_family != ep->addr.ss.ss_family)
		return HS_E_INVAL;
	if (tp_req_parse(msg, len, &q) != HS_OK || (q.flags & EP_FLAG_QR))
		return HS_E_INVAL;
	for (s = LIST_FIRST(&ep->sends); s != NULL; s = LIST_NEXT(s, link)) {
		if (s->q.id == q.id && same_question(&s->q, &q) && tp_peer_addr_eq(&s->dst, dst))
			return HS_E_EXISTS;
	}
	s = xcalloc(1, sizeof(*s));
	s->ep = ep;
	s->dst = *dst;
	s->msg = xmemdup(msg, len);
	s->len = len;
	s->q = q;
	if (opts != NULL)
		s->opts = *opts;
	s->cb = cb;
	s->arg = arg;
	s->timer = evtimer_new(ep->loop->base, send_timeout, s);
	if (s->timer == NULL)
		abort();
	LIST_INSERT_HEAD(&ep->sends, s, link);
	ep->ctr.sends++;
	if (s->opts.force_tcp || len > ep->cfg.udp_max)
		start_tcp(s);
	else
		start_udp(s);
	if (handle != NULL)
		*handle = s;
	return HS_OK;
}

void tp_send_cancel(tp_send_t *s)
{
	if (s != NULL)
		send_free(s);
}
