/*
 * endpoint_loop.c -- the event loop (a libevent event_base) and its
 * one-shot timers.
 */
#include <stdlib.h>

#include "transport/endpoint_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

int tp_loop_new(tp_loop_t **out)
{
	struct event_base *base = event_base_new();
	if (base == NULL) {
		log_err(TP_LOG, "cannot create event base");
		return HS_E_INTERNAL;
	}
	tp_loop_t *loop = xcalloc(1, sizeof(*loop));
	loop->base = base;
	LIST_INIT(&loop->timers);
	*out = loop;
	return HS_OK;
}

void tp_loop_free(tp_loop_t *loop)
{
	if (loop == NULL)
		return;
	while (!LIST_EMPTY(&loop->timers))
		tp_timer_cancel(LIST_FIRST(&loop->timers));
	event_base_free(loop->base);
	free(loop);
}

int tp_loop_run(tp_loop_t *loop)
{
	return event_base_dispatch(loop->base) < 0 ? HS_E_INTERNAL : HS_OK;
}

void tp_loop_break(tp_loop_t *loop)
{
	event_base_loopbreak(loop->base);
}

static void ms_to_tv(uint64_t ms, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

static void timer_fire(evutil_socket_t fd, short what, void *arg)
{
	tp_timer_t *t = arg;
	tp_timer_fn cb = t->cb;
	void *cbarg = t->arg;
	/* the handle dies before the callback runs: the callback may add timers
	 * or free things that would cancel this one */
	LIST_REMOVE(t, link);
	event_free(t->ev);
	free(t);
	cb(cbarg);
}

tp_timer_t *tp_timer_add(tp_loop_t *loop, uint64_t ms, tp_timer_fn cb, void *arg)
{
	tp_timer_t *t = xcalloc(1, sizeof(*t));
	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
	t->ev = evtimer_new(loop->base, timer_fire, t);
	if (t->ev == NULL) {
		log_err(TP_LOG, "cannot create timer event");
		abort();
	}
	struct timeval tv;
	ms_to_tv(ms, &tv);
	evtimer_add(t->ev, &tv);
	LIST_INSERT_HEAD(&loop->timers, t, link);
	return t;
}

void tp_timer_cancel(tp_timer_t *t)
{
	if (t == NULL)
		return;
	LIST_REMOVE(t, link);
	event_free(t->ev);
	free(t);
}

struct run_until {
	tp_loop_t *loop;
	int expired;
};

static void run_until_expire(evutil_socket_t fd, short what, void *arg)
{
	struct run_until *ru = arg;
	ru->expired = 1;
}

static void run_until_tick(evutil_socket_t fd, short what, void *arg)
{
	/* nothing: the tick only makes the loop return to check the condition */
}

int tp_loop_run_until(tp_loop_t *loop, int (*cond)(void *arg), void *arg, unsigned timeout_ms)
{
	struct run_until ru = {loop, 0};
	struct timeval tv, tick = {0, 10000};
	struct event *deadline = evtimer_new(loop->base, run_until_expire, &ru);
	struct event *ticker = event_new(loop->base, -1, EV_PERSIST, run_until_tick, NULL);
	int rc = HS_E_TIMEOUT;

	if (deadline == NULL || ticker == NULL) {
		rc = HS_E_INTERNAL;
		goto cleanup;
	}
	ms_to_tv(timeout_ms, &tv);
	evtimer_add(deadline, &tv);
	event_add(ticker, &tick);
	for (;;) {
		if (cond(arg)) {
			rc = HS_OK;
			break;
		}
		if (ru.expired)
			break;
		if (event_base_loop(loop->base, EVLOOP_ONCE) < 0) {
			rc = HS_E_INTERNAL;
			break;
		}
	}
cleanup:
	if (deadline != NULL)
		event_free(deadline);
	if (ticker != NULL)
		event_free(ticker);
	return rc;
}

struct tp_watch {
	struct event *ev;
	tp_timer_fn cb;
	void *arg;
};

static void watch_fire(evutil_socket_t fd, short what, void *arg)
{
	tp_watch_t *w = arg;
	w->cb(w->arg);
}

tp_watch_t *tp_watch_add(tp_loop_t *loop, int fd, tp_timer_fn cb, void *arg)
{
	tp_watch_t *w = xcalloc(1, sizeof(*w));
	w->cb = cb;
	w->arg = arg;
	w->ev = event_new(loop->base, fd, EV_READ | EV_PERSIST, watch_fire, w);
	if (w->ev == NULL || event_add(w->ev, NULL) != 0) {
		log_err(TP_LOG, "cannot watch descriptor %d", fd);
		abort();
	}
	return w;
}

void tp_watch_free(tp_watch_t *w)
{
	if (w == NULL)
		return;
	event_free(w->ev);
	free(w);
}
