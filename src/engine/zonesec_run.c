/*
 * zonesec_run.c -- zonesec actions executed on the loop (see
 * zonesec_run.h). The runner owns one record per operation in flight so
 * it can cancel them; every completion feeds zonesec and then drains the
 * actions that result, so a failure that moves on to the next primary
 * starts it in the same turn of the loop. SOA queries and transfers
 * beyond the cap wait in a FIFO of records (the action copied, the zone
 * name included, as zonesec may drop the zone meanwhile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "engine/zonesec_run.h"
#include "wire/text.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define ZR_LOG "zonesec"

struct zr_op {
	zsec_run_t *run;
	char zone[WIRE_NAME_MAX * 4 + 2];
	enum zsec_action_type type; /* QUERY_SOA or TRANSFER */
	tp_peer_addr_t primary;
	tp_xfr_t *xfr;
	tp_zx_t *zx;
	tp_xfr_soa_q_t *soa;
	LIST_ENTRY(zr_op) link;  /* in flight */
	TAILQ_ENTRY(zr_op) wait; /* waiting for a slot */
};

struct zsec_run {
	tp_loop_t *loop;
	tp_endpoint_t *ep;
	zsec_t *zs;
	const hs_env_t *env;
	tp_xfr_opts_t xopts;
	zsec_run_hooks_t hooks;
	tp_timer_t *timer;
	int draining;
	size_t max_ops;
	LIST_HEAD(, zr_op) ops;
	TAILQ_HEAD(, zr_op) waiting;
	zsec_run_stats_t st;
};

static void drain(zsec_run_t *r);

static struct zr_op *op_new(zsec_run_t *r, const zsec_action_t *a)
{
	struct zr_op *op = xcalloc(1, sizeof(*op));
	op->run = r;
	op->type = a->type;
	op->primary = a->primary;
	snprintf(op->zone, sizeof(op->zone), "%s", a->zone);
	return op;
}

/* An operation is in flight from here until op_free. */
static void op_fly(struct zr_op *op)
{
	zsec_run_t *r = op->run;
	LIST_INSERT_HEAD(&r->ops, op, link);
	r->st.in_flight++;
	r->st.started++;
	if (r->st.in_flight > r->st.peak)
		r->st.peak = r->st.in_flight;
}

static void op_free(struct zr_op *op)
{
	LIST_REMOVE(op, link);
	op->run->st.in_flight--;
	free(op);
}

static void on_soa(void *arg, int status, uint32_t serial, const hs_errmsg_t *em)
{
	struct zr_op *op = arg;
	zsec_run_t *r = op->run;
	int rc = zsec_soa_done(r->zs, op->zone, status, serial, status ? hs_errmsg_str(em) : NULL);
	if (rc != HS_OK)
		log_debug(ZR_LOG, "zone '%s': soa answer not wanted: %s", op->zone,
		          hs_strerror(rc));
	op_free(op);
	drain(r);
}

static void on_xfr(void *arg, int status, tp_xfr_zone_t *zone, const tp_xfr_stats_t *st,
                   const hs_errmsg_t *em)
{
	struct zr_op *op = arg;
	zsec_run_t *r = op->run;
	zsec_soa_timers_t t;
	memset(&t, 0, sizeof(t));
	if (status == HS_OK) {
		const tp_xfr_soa_t *soa = tp_xfr_zone_soa(zone);
		t.serial = soa->serial;
		t.refresh = soa->refresh;
		t.retry = soa->retry;
		t.expire = soa->expire;
	}
	int rc = zsec_transfer_done(r->zs, op->zone, status, status == HS_OK ? &t : NULL, zone,
	                            status ? hs_errmsg_str(em) : NULL);
	if (rc != HS_OK)
		tp_xfr_zone_free(zone); /* not taken: old copy kept, or zone gone */
	op_free(op);
	drain(r);
}

static void on_zx(void *arg, int status, zn_ixfr_t *res, const tp_zx_stats_t *st,
                  const hs_errmsg_t *em)
{
	struct zr_op *op = arg;
	zsec_run_t *r = op->run;
	zsec_soa_timers_t t;
	hs_errmsg_t aem;
	const char *why = status ? hs_errmsg_str(em) : NULL;
	static int sentinel; /* zonesec carries it to ZONE_LOADED; `loaded` gets NULL */
	memset(&t, 0, sizeof(t));
	hs_errmsg_clear(&aem);
	if (status == HS_OK) {
		status =
		    r->hooks.xfr_apply(r->hooks.arg, op->zone, &op->primary, res, st, &t, &aem);
		if (status != HS_OK)
			why = hs_errmsg_str(&aem);
	}
	int rc = zsec_transfer_done(r->zs, op->zone, status, status == HS_OK ? &t : NULL, &sentinel,
	                            why);
	if (rc != HS_OK && rc != HS_E_EXISTS && status == HS_OK)
		log_debug(ZR_LOG, "zone '%s': transfer outcome not wanted: %s", op->zone,
		          hs_strerror(rc));
	op_free(op);
	drain(r);
}

static void start_soa(zsec_run_t *r, struct zr_op *op)
{
	char zone[sizeof(op->zone)];
	op_fly(op);
	int rc =
	    tp_xfr_soa_query(r->ep, &op->primary, op->zone, NULL, r->env, on_soa, op, &op->soa);
	if (rc != HS_OK) {
		memcpy(zone, op->zone, sizeof(zone));
		op_free(op);
		if (zsec_soa_done(r->zs, zone, rc, 0, "cannot send the SOA query") != HS_OK)
			log_debug(ZR_LOG, "zone '%s': soa failure not wanted", zone);
	}
}

static void start_xfr(zsec_run_t *r, struct zr_op *op)
{
	char zone[sizeof(op->zone)];
	tp_xfr_opts_t o = r->xopts;
	o.env = r->env;
	op_fly(op);
	int rc;
	if (r->hooks.xfr_apply) {
		tp_zx_opts_t zo;
		uint8_t apex[WIRE_NAME_MAX];
		size_t alen;
		memset(&zo, 0, sizeof(zo));
		zo.timeout_ms = o.timeout_ms;
		zo.idle_ms = o.idle_ms;
		zo.limits.max_records = o.limits.max_records;
		zo.limits.max_bytes = o.limits.max_bytes;
		zo.env = r->env;
		r->hooks.xfr_params(r->hooks.arg, op->zone, &zo);
		rc = hs_name_from_text(op->zone, strlen(op->zone), apex, &alen);
		if (rc == HS_OK)
			rc =
			    tp_zx_start(r->loop, &op->primary, apex, alen, &zo, on_zx, op, &op->zx);
	} else {
		rc = tp_xfr_start(r->loop, &op->primary, op->zone, &o, on_xfr, op, &op->xfr);
	}
	if (rc != HS_OK) {
		memcpy(zone, op->zone, sizeof(zone));
		op_free(op);
		if (zsec_transfer_done(r->zs, zone, rc, NULL, NULL, "cannot start the transfer") ==
		    HS_OK)
			log_debug(ZR_LOG, "zone '%s': unexpected transfer state", zone);
	}
}

static void start_op(zsec_run_t *r, struct zr_op *op)
{
	if (op->type == ZSEC_ACT_QUERY_SOA)
		start_soa(r, op);
	else
		start_xfr(r, op);
}

/* Start waiting operations while there is room; one whose zone is gone
 * meanwhile is dropped. */
static void start_waiting(zsec_run_t *r)
{
	while (r->st.in_flight < r->max_ops && !TAILQ_EMPTY(&r->waiting)) {
		struct zr_op *op = TAILQ_FIRST(&r->waiting);
		zsec_zone_info_t zi;
		TAILQ_REMOVE(&r->waiting, op, wait);
		r->st.waiting--;
		if (zsec_zone_info(r->zs, op->zone, &zi) != HS_OK) {
			free(op);
			continue;
		}
		start_op(r, op);
	}
}

/* A QUERY_SOA or TRANSFER action: start it, or queue it behind the others
 * when the cap is reached. */
static void submit(zsec_run_t *r, const zsec_action_t *a)
{
	struct zr_op *op = op_new(r, a);
	if (r->st.in_flight < r->max_ops && TAILQ_EMPTY(&r->waiting)) {
		start_op(r, op);
		return;
	}
	TAILQ_INSERT_TAIL(&r->waiting, op, wait);
	r->st.waiting++;
}

static void on_timer(void *arg)
{
	zsec_run_t *r = arg;
	r->timer = NULL;
	zsec_tick(r->zs);
	drain(r);
}

static void arm(zsec_run_t *r)
{
	uint64_t at, now = r->env->mono_ms(r->env->arg);
	tp_timer_cancel(r->timer);
	r->timer = NULL;
	if (zsec_next_deadline(r->zs, &at) != HS_OK)
		return;
	r->timer = tp_timer_add(r->loop, at > now ? at - now : 0, on_timer, r);
}

/* Execute every queued action, then re-arm the timer. Re-entrant calls
 * (a hook adding a zone) fold into the running loop. */
static void drain(zsec_run_t *r)
{
	zsec_action_t a;
	if (r->draining)
		return;
	r->draining = 1;
	for (;;) {
		start_waiting(r);
		if (zsec_next_action(r->zs, &a) != HS_OK)
			break;
		switch (a.type) {
		case ZSEC_ACT_QUERY_SOA:
		case ZSEC_ACT_TRANSFER:
			submit(r, &a);
			break;
		case ZSEC_ACT_ZONE_LOADED:
			if (r->hooks.xfr_apply) {
				if (r->hooks.loaded)
					r->hooks.loaded(r->hooks.arg, a.zone, a.serial, NULL);
			} else if (r->hooks.loaded)
				r->hooks.loaded(r->hooks.arg, a.zone, a.serial, a.data);
			else
				tp_xfr_zone_free(a.data);
			break;
		case ZSEC_ACT_ZONE_EXPIRED:
			if (r->hooks.expired)
				r->hooks.expired(r->hooks.arg, a.zone);
			break;
		}
	}
	r->draining = 0;
	arm(r);
}

int zsec_run_new(tp_loop_t *loop, tp_endpoint_t *ep, zsec_t *zs, const hs_env_t *env,
                 const tp_xfr_opts_t *xopts, const zsec_run_hooks_t *hooks, unsigned max_ops,
                 zsec_run_t **out)
{
	if (loop == NULL || ep == NULL || zs == NULL || env == NULL || out == NULL)
		return HS_E_INVAL;
	zsec_run_t *r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->ep = ep;
	r->zs = zs;
	r->env = env;
	if (xopts)
		r->xopts = *xopts;
	if (hooks)
		r->hooks = *hooks;
	r->max_ops = max_ops ? max_ops : ZSEC_RUN_MAX_OPS;
	LIST_INIT(&r->ops);
	TAILQ_INIT(&r->waiting);
	*out = r;
	drain(r);
	return HS_OK;
}

void zsec_run_free(zsec_run_t *r)
{
	if (r == NULL)
		return;
	while (!LIST_EMPTY(&r->ops)) {
		struct zr_op *op = LIST_FIRST(&r->ops);
		tp_xfr_cancel(op->xfr);
		tp_zx_cancel(op->zx);
		tp_xfr_soa_cancel(op->soa);
		op_free(op);
	}
	while (!TAILQ_EMPTY(&r->waiting)) {
		struct zr_op *op = TAILQ_FIRST(&r->waiting);
		TAILQ_REMOVE(&r->waiting, op, wait);
		free(op);
	}
	tp_timer_cancel(r->timer);
	free(r);
}

void zsec_run_stats(const zsec_run_t *r, zsec_run_stats_t *out)
{
	memset(out, 0, sizeof(*out));
	if (r != NULL)
		*out = r->st;
}

void zsec_run_kick(zsec_run_t *r)
{
	if (r != NULL)
		drain(r);
}

int zsec_run_notify(zsec_run_t *r, const tp_peer_addr_t *src, const uint8_t *msg, size_t len,
                    hs_buf_t *reply)
{
	tp_xfr_notify_t n;
	hs_errmsg_t em;
	uint8_t rcode;
	char addr[64];
	tp_peer_addr_str(src, addr, sizeof(addr));
	hs_errmsg_clear(&em);
	if (tp_xfr_notify_parse(msg, len, &n, &em) != HS_OK) {
		log_info(ZR_LOG, "bad notify from '%s': %s", addr, hs_errmsg_str(&em));
		rcode = TP_RCODE_FORMERR;
	} else {
		switch (zsec_notify(r->zs, n.zone_text, src, n.has_serial, n.serial)) {
		case HS_OK:
			rcode = TP_RCODE_NOERROR;
			break;
		case HS_E_REFUSED:
			rcode = TP_RCODE_REFUSED;
			break;
		default:
			rcode = TP_RCODE_NOTAUTH;
			break;
		}
	}
	if (tp_xfr_notify_reply(msg, len, rcode, reply) != HS_OK)
		return -1;
	drain(r);
	return rcode;
}
