/*
 * endpoint_stream.c -- multi-message TCP replies with backpressure
 * (tp_reply_stream): the producer is pulled while the connection's output
 * holds less than half of tcp_max_buffered, and again from the write
 * callback (the output's low-water mark is that half) as it drains.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdlib.h>

#include "transport/endpoint_int.h"
#include "util/xmalloc.h"

struct ep_stream {
	tp_stream_next_fn next;
	tp_stream_done_fn done;
	void *arg;
	struct ep_stream *after;
};

static void finish(struct srv_conn *c, int status)
{
	struct ep_stream *s = c->streams;
	c->streams = s->after;
	if (s->done)
		s->done(s->arg, status);
	free(s);
}

void ep_stream_pump(struct srv_conn *c)
{
	hs_buf_t m = HS_BUF_INIT;
	size_t room = c->ep->cfg.tcp_max_buffered / 2;
	while (c->streams != NULL && evbuffer_get_length(bufferevent_get_output(c->bev)) < room) {
		m.len = 0;
		int rc = c->streams->next(c->streams->arg, &m);
		if (rc == HS_OK && m.len >= TP_DNS_HDR_LEN && m.len <= TP_MSG_MAX) {
			ep_srv_write(c, m.data, m.len);
			c->ep->ctr.replies++;
			continue;
		}
		finish(c, rc == HS_E_NOTFOUND ? HS_OK : (rc == HS_OK ? HS_E_RANGE : rc));
		ep_srv_reply_done(c);
		if (rc != HS_E_NOTFOUND) {
			hs_buf_free(&m);
			ep_srv_close(c, "streamed reply failed");
			return;
		}
	}
	hs_buf_free(&m);
}

void ep_stream_abort(struct srv_conn *c)
{
	while (c->streams != NULL)
		finish(c, HS_E_NET);
}

int tp_reply_stream(tp_reply_t *r, tp_stream_next_fn next, tp_stream_done_fn done, void *arg)
{
	if (r == NULL || next == NULL || r->proto != TP_EP_TCP)
		return HS_E_INVAL;
	struct srv_conn *c = r->conn;
	if (c == NULL) {
		r->ep->ctr.replies_lost++;
		LIST_REMOVE(r, link);
		free(r);
		return HS_E_NET;
	}
	struct ep_stream *s = xcalloc(1, sizeof(*s)), **tail = &c->streams;
	s->next = next;
	s->done = done;
	s->arg = arg;
	while (*tail)
		tail = &(*tail)->after;
	*tail = s;
	LIST_REMOVE(r, link);
	free(r);
	/* the in-flight count taken for this request stays until it ends */
	ep_stream_pump(c);
	return HS_OK;
}
