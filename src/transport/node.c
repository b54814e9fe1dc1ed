/* node.c -- the transport core driven on the libevent endpoint. */
#include "transport/node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport/node_int.h"
#include "util/log.h"
#include "util/ratelim.h"
#include "util/xmalloc.h"

#define SUBSYS "transport"

/* One tp_send in flight: the core's token travels with it. */
struct node_send {
	tp_node_t *node;
	uint64_t token;
	int notify; /* the profile follows its message */
	uint8_t msgid[TP_MSGID_LEN];
};

/* Something to tell the application (outside core calls): an outcome, or
 * (inbox set) that the inbox has messages. `tag`: the group commit whose
 * writes it reports -- 0 while that is the batch still open. */
struct node_event {
	uint8_t msgid[TP_MSGID_LEN];
	char peer[TP_IDENT_MAX];
	enum tp_outcome outcome;
	char reason[64];
	int inbox;
	uint64_t tag;
};

static void pump(tp_node_t *n);
static void arm_timer(tp_node_t *n);
static void batch_enter(tp_node_t *n);
static void on_sync(void *arg);

/* ---- core callbacks: remembered, told after the core call returns ---- */

static struct node_event *event_new(tp_node_t *n)
{
	struct node_event *e;

	if (n->nevents == n->capevents) {
		n->capevents = n->capevents ? 2 * n->capevents : 16;
		n->events = xrealloc(n->events, n->capevents * sizeof(*n->events));
	}
	e = &n->events[n->nevents++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void core_on_inbox(void *arg)
{
	tp_node_t *n = arg;

	event_new(n)->inbox = 1;
}

static void core_on_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                            enum tp_outcome outcome, const char *reason)
{
	tp_node_t *n = arg;
	struct node_event *e = event_new(n);

	memcpy(e->msgid, msgid, TP_MSGID_LEN);
	snprintf(e->peer, sizeof(e->peer), "%s", peer != NULL ? peer : "");
	e->outcome = outcome;
	snprintf(e->reason, sizeof(e->reason), "%s", reason != NULL ? reason : "");
}

/*
 * Tell the application what it may act on now, in order: an outcome once
 * the commit that recorded it is done (a crash before that commit is on
 * disk can only make the message go again, and R answers "duplicate"),
 * new inbox messages once their commit is durable (COMMIT-2: the
 * application must not act on a message that a power loss could take
 * back). Hooks may call tp_node_send (events of the next commit).
 */
static void deliver_events(tp_node_t *n)
{
	size_t i, k = 0, cnt = 0;
	int inbox = 0;
	struct node_event *ev;

	for (i = 0; i < n->nevents; i++)
		if (n->events[i].tag != 0 &&
		    (!n->events[i].inbox || n->events[i].tag <= n->durable))
			cnt++;
	if (cnt == 0)
		return;
	ev = xmalloc(cnt * sizeof(*ev));
	cnt = 0;
	for (i = 0; i < n->nevents; i++) {
		struct node_event *e = &n->events[i];
		if (e->tag != 0 && (!e->inbox || e->tag <= n->durable))
			ev[cnt++] = *e;
		else
			n->events[k++] = *e;
	}
	n->nevents = k;
	for (i = 0; i < cnt; i++) {
		if (ev[i].inbox)
			inbox = 1;
		else {
			node_prof_outcome(n, ev[i].msgid);
			if (n->hooks.on_outcome != NULL)
				n->hooks.on_outcome(n->hooks.arg, ev[i].msgid, ev[i].peer,
				                    ev[i].outcome, ev[i].reason);
		}
	}
	free(ev);
	if (inbox && n->hooks.on_inbox != NULL)
		n->hooks.on_inbox(n->hooks.arg);
}

/* ---- actions: the core's DNS messages out, their outcomes back -------- */

static void send_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct node_send *s = arg;
	tp_node_t *n = s->node;
	uint64_t token = s->token;

	if (s->notify && !n->stopping)
		node_prof_answered(n, s->msgid);
	free(s);
	if (n->stopping) /* HS_E_STATE from tp_endpoint_free: the core is going */
		return;
	batch_enter(n);
	n->work++;
	(void)tp_core_on_response(n->core, token, status, resp, len);
	pump(n);
}

static void start_action(tp_node_t *n, const tp_action_t *a)
{
	tp_peer_addr_t dst;
	tp_send_opts_t opts = n->send_opts;
	struct node_send *s;
	int rc;

	rc = tp_peer_addr_parse(a->addr, a->port, &dst);
	if (rc == HS_OK) {
		s = xcalloc(1, sizeof(*s));
		s->node = n;
		s->token = a->token;
		if (a->kind == TP_ACT_NOTIFY) {
			s->notify = 1;
			memcpy(s->msgid, a->msgid, TP_MSGID_LEN);
			node_prof_sent(n, a->msgid);
		}
		opts.force_tcp = a->prefer_tcp;
		/* no handle kept: tp_endpoint_free completes every send */
		rc = tp_send(n->ep, &dst, a->msg, a->len, &opts, send_done, s, NULL);
		if (rc == HS_OK)
			return;
		free(s);
	}
	n->sends_failed++;
	log_debug(SUBSYS, "cannot send to \"%s\" at \"%s\" port %u: %s", a->peer, a->addr,
	          (unsigned)a->port, hs_strerror(rc));
	(void)tp_core_on_response(n->core, a->token, rc, NULL, 0);
}

/*
 * ---- group commit (COMMIT-1..COMMIT-3) --------------------------------
 *
 * Every call into the core runs inside a store batch (st_batch_begin).
 * flush() commits it -- from a zero-delay timer once the loop has handled
 * what was ready, so that the requests and responses of one burst share
 * one commit; or at once when NODE_HOLD_MAX replies wait -- without
 * waiting for the disk (st_batch_commit_async): the store syncs the WAL
 * in the background, and each commit's ticket is reported durable on its
 * sync descriptor. Replies made while writes are not yet durable
 * (receipts) and what the application hears wait for the durable point
 * of the writes they depend on; NOTIFYs and chunk queries go after the
 * commit. A receipt thus still leaves only after its message and replay
 * id are on disk, while the loop goes on with the next messages. A round
 * may end before the burst does (pump, COMMIT-4).
 */
#define NODE_HOLD_MAX  256
#define NODE_ROUND_MAX 16 /* core calls a round waits for at most (COMMIT-4) */

struct node_held {
	tp_reply_t *r;
	uint8_t *msg;
	size_t len;
	uint64_t tag;              /* the commit it waits for; 0: the batch still open */
	uint64_t t_core, t_commit; /* profile: answer made, its commit */
};

static void flush(tp_node_t *n);

static void on_flush(void *arg)
{
	tp_node_t *n = arg;

	n->flush_timer = NULL; /* the handle is gone once its callback runs */
	flush(n);
}

/* The core may write now: into a batch that a flush will commit (pump
 * arranges the flush after the core call). */
static void batch_enter(tp_node_t *n)
{
	if (n->stopping)
		return;
	if (!st_batch_open(n->st) && st_batch_begin(n->st) != HS_OK)
		log_warn(SUBSYS, "no group commit: every write commits alone");
}

/* Nothing waits: every commit is durable and the batch holds no write. */
static int all_durable(const tp_node_t *n)
{
	return n->last_ticket <= n->durable && !st_batch_dirty(n->st);
}

/* Send `out` as the answer to `reply` once what it may depend on is on
 * disk: the open batch's writes, or the last commit's. */
static void hold_reply(tp_node_t *n, tp_reply_t *reply, const hs_buf_t *out)
{
	if (n->nheld == n->capheld) {
		n->capheld = n->capheld ? 2 * n->capheld : 32;
		n->held = xrealloc(n->held, n->capheld * sizeof(*n->held));
	}
	struct node_held *h = &n->held[n->nheld++];
	h->r = reply;
	h->len = out->len;
	h->msg = xmemdup(out->data, out->len);
	h->tag = st_batch_dirty(n->st) ? 0 : n->last_ticket;
	h->t_core = node_prof_now(n);
	h->t_commit = h->tag != 0 ? h->t_core : 0;
	if (n->nheld >= NODE_HOLD_MAX)
		flush(n);
}

/* Send the held replies that are durable now (all of them with `all`;
 * dropped instead with `drop`: their writes are gone). */
static void release_held(tp_node_t *n, int all, int drop)
{
	size_t i, k = 0;

	for (i = 0; i < n->nheld; i++) {
		struct node_held *h = &n->held[i];
		if (!all && !drop && (h->tag == 0 || h->tag > n->durable)) {
			n->held[k++] = *h;
			continue;
		}
		if (!drop)
			node_prof_add(n, TP_PROF_REQ_DURABLE_SENT, h->t_commit, node_prof_now(n));
		if (drop) {
			tp_reply_drop(h->r);
		} else if (tp_reply_send(h->r, h->msg, h->len) == HS_E_RANGE) {
			/* the core truncates to the limit; never expected */
			log_warn(SUBSYS, "reply of %zu octets over the limit", h->len);
			tp_reply_drop(h->r);
		}
		free(h->msg);
		n->committed_replies++;
	}
	n->nheld = k;
}

/* Commit the open batch: what waited for it now waits for its ticket. */
static int commit(tp_node_t *n)
{
	uint64_t t = 0;
	int dirty, rc;
	size_t i;

	if (!st_batch_open(n->st))
		return HS_OK;
	dirty = st_batch_dirty(n->st);
	rc = st_batch_commit_async(n->st, &t);
	if (rc != HS_OK) {
		size_t k = 0;
		log_err(SUBSYS,
		        "group commit failed (%s): the answers that waited for it are not sent",
		        hs_strerror(rc));
		tp_core_store_lost(n->core);
		for (i = 0; i < n->nheld; i++) /* drop those of the lost batch */
			if (n->held[i].tag == 0) {
				tp_reply_drop(n->held[i].r);
				free(n->held[i].msg);
			} else {
				n->held[k++] = n->held[i];
			}
		n->nheld = k;
		t = n->last_ticket; /* the events still go: the inbox is re-read */
	} else if (dirty) {
		n->commits++;
		n->last_ticket = t ? t : 1; /* 0: synced at once (no background sync) */
	} else {
		t = n->last_ticket;
	}
	t = n->last_ticket;
	if (n->work > 0) {
		n->prof.rounds++;
		n->prof.round_work += n->work;
		n->work = 0;
	}
	uint64_t now = node_prof_now(n);
	for (i = 0; i < n->nheld; i++)
		if (n->held[i].tag == 0) {
			n->held[i].tag = t;
			n->held[i].t_commit = now;
			node_prof_add(n, TP_PROF_REQ_COMMIT, n->held[i].t_core, now);
		}
	for (i = 0; i < n->nevents; i++)
		if (n->events[i].tag == 0)
			n->events[i].tag = t;
	return rc;
}

/* What the background sync made durable: replies and events go. Not
 * again from a hook of the application while they go. */
static void release(tp_node_t *n)
{
	size_t sent = n->committed_replies;

	if (n->releasing)
		return;
	n->releasing = 1;
	n->durable = st_sync_durable(n->st);
	release_held(n, 0, 0);
	/* receipts released in the middle of a burst of requests leave now,
	 * not with the burst's last answer (COMMIT-4) */
	if (n->committed_replies != sent)
		tp_endpoint_flush_replies(n->ep);
	deliver_events(n);
	n->releasing = 0;
}

/* End the round: commit what it wrote (without waiting for the disk),
 * start a new batch, and send the actions that waited for the commit. */
static void round_end(tp_node_t *n)
{
	tp_action_t a;

	(void)commit(n);
	/* what follows may write again: a new batch */
	if (st_batch_begin(n->st) != HS_OK)
		log_warn(SUBSYS, "no group commit: every write commits alone");
	if (n->sync_watch == NULL && st_sync_fd(n->st) >= 0)
		n->sync_watch = tp_watch_add(n->loop, st_sync_fd(n->st), on_sync, n);
	while (tp_core_next_action(n->core, &a) == HS_OK) {
		start_action(n, &a);
		tp_action_clear(&a);
	}
}

static void flush(tp_node_t *n)
{
	tp_timer_cancel(n->flush_timer);
	n->flush_timer = NULL;
	if (n->flushing || n->stopping)
		return;
	n->flushing = 1;
	round_end(n);
	release(n);
	n->flushing = 0;
	if (st_batch_dirty(n->st) || tp_core_has_actions(n->core) ||
	    (n->nheld > 0 && n->held[n->nheld - 1].tag == 0) ||
	    (n->nevents > 0 && n->events[n->nevents - 1].tag == 0))
		n->flush_timer = tp_timer_add(n->loop, 0, on_flush, n);
	else
		(void)commit(n); /* nothing written: just close it */
	arm_timer(n);
}

/* The background sync finished one round. */
static void on_sync(void *arg)
{
	tp_node_t *n = arg;

	if (n->stopping || n->flushing)
		return;
	batch_enter(n); /* the application may send from its hooks */
	release(n);
	pump(n);
}

/* Something of the open batch waits for its commit: an action, an
 * outcome, a receipt or the inbox hand-over (these two also for its sync). */
static int round_waits(const tp_node_t *n)
{
	return tp_core_has_actions(n->core) || (n->nheld > 0 && n->held[n->nheld - 1].tag == 0) ||
	       (n->nevents > 0 && n->events[n->nevents - 1].tag == 0);
}

/*
 * After a call into the core: its results go out with the next flush,
 * or at once when nothing waits for a commit. A round ends early
 * (COMMIT-4) -- its writes committed, its actions sent -- once
 * NODE_ROUND_MAX core calls wait for it: the first receipts, NOTIFYs and
 * outcomes of a burst do not wait for its last message, so the peer works
 * on them while this side works on the rest. What the background sync
 * made durable meanwhile goes at once too. (Ending a round at every idle
 * sync as well cost 10-20 % more CPU per message in hsync-bench
 * transport, for the same overlap.)
 */
static void pump(tp_node_t *n)
{
	batch_enter(n);
	if (n->stopping)
		return;
	if (!n->flushing && (n->nheld > 0 || n->nevents > 0) && n->durable < n->last_ticket &&
	    st_sync_durable(n->st) > n->durable)
		release(n);
	if (n->work >= NODE_ROUND_MAX && round_waits(n)) {
		round_end(n);
		if (!n->flushing)
			release(n);
		arm_timer(n);
	}
	if (n->flushing)
		return; /* flush() goes on when it returns */
	if (n->nheld == 0 && n->nevents == 0 && all_durable(n))
		flush(n);
	else if (n->flush_timer == NULL)
		n->flush_timer = tp_timer_add(n->loop, 0, on_flush, n);
}

static void on_timer(void *arg)
{
	tp_node_t *n = arg;

	n->timer = NULL; /* the handle is gone once its callback runs */
	batch_enter(n);
	n->work++;
	tp_core_tick(n->core);
	pump(n);
}

/* Keep one timer at the core's next deadline. A timer already set for
 * an earlier time stays (it fires, the core has nothing to do, and it is
 * set again): no cancel and re-add for every request of a flood. */
static void arm_timer(tp_node_t *n)
{
	uint64_t delay, now;

	if (n->stopping)
		return;
	if (tp_core_next_deadline(n->core, &delay) != HS_OK)
		return; /* a timer set earlier just finds nothing to do */
	now = n->env->mono_ms(n->env->arg);
	if (n->timer != NULL && n->timer_due <= now + delay)
		return;
	tp_timer_cancel(n->timer);
	n->timer = tp_timer_add(n->loop, delay, on_timer, n);
	n->timer_due = now + delay;
}

static void on_kick(void *arg)
{
	tp_node_t *n = arg;

	n->kick = NULL;
	pump(n);
}

/* ---- requests --------------------------------------------------------- */

/* The /24 or /56 of a source address, as text. */
static void src_net(const tp_peer_addr_t *a, char *net, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "";
	const void *p = a->ss.ss_family == AF_INET
	                    ? (const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr
	                    : (const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (inet_ntop(a->ss.ss_family, p, ip, sizeof(ip)) == NULL ||
	    sig0_budget_source(ip, 24, 56, net, len) != HS_OK)
		snprintf(net, len, "%s", ip);
}

void tp_node_answer_step(tp_node_t *n, const tp_peer_addr_t *src, int proto, const uint8_t *req,
                         size_t reqlen, size_t limit, int accepted, hs_buf_t *answer)
{
	char from[80], net[64];
	int proven = 0;
	uint32_t denied = 0;

	if (n == NULL || src == NULL || req == NULL || answer == NULL || answer->len == 0)
		return;
	tp_peer_addr_str(src, from, sizeof(from));
	(void)tp_core_cookie_reply(n->core, from, req, reqlen, answer, limit, &proven);
	if (proto != TP_EP_UDP || proven || accepted || n->answer_rl == NULL)
		return;
	src_net(src, net, sizeof(net));
	if (hs_rl_take(n->answer_rl, net, strlen(net), 1, &denied) == HS_OK)
		return;
	n->answers_limited++;
	hs_buf_reset(answer);
	if (n->slip > 0 && denied % n->slip == 0 &&
	    tp_req_tc_reply(req, reqlen, 1232, answer) != HS_OK)
		hs_buf_reset(answer);
}

static void on_request(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                       size_t len, tp_reply_t *reply, void *arg)
{
	tp_node_t *n = arg;
	hs_buf_t out = HS_BUF_INIT;
	char from[80];
	tp_core_req_t in;
	int rc, took;

	if (n->reply_hook != NULL && n->reply_hook(n->reply_arg, src, proto, msg, len, reply)) {
		pump(n);
		return;
	}
	if (n->req_hook != NULL) {
		size_t limit = tp_reply_limit(reply);
		n->hook_accepted = 0;
		/* room for a COOKIE option (COOKIE-5) */
		took = n->req_hook(n->req_arg, src, proto,
		                   limit >= TP_UDP_MIN_SIZE + TP_NODE_ANSWER_ROOM
		                       ? limit - TP_NODE_ANSWER_ROOM
		                       : limit,
		                   msg, len, &out);
		if (took) {
			if (n->hook_accepted)
				tp_reply_accept(reply);
			tp_node_answer_step(n, src, proto, msg, len, limit, n->hook_accepted, &out);
			/* HS_E_RANGE leaves the reply ours: drop it; HS_E_NET consumed it */
			if (out.len == 0 || tp_reply_send(reply, out.data, out.len) == HS_E_RANGE)
				tp_reply_drop(reply);
			hs_buf_free(&out);
			return;
		}
	}
	/* the address in octets: no text per request (a flood has many) */
	memset(&in, 0, sizeof(in));
	from[0] = '\0';
	if (src->ss.ss_family == AF_INET) {
		memcpy(in.ip, &((const struct sockaddr_in *)&src->ss)->sin_addr, 4);
		in.iplen = 4;
	} else if (src->ss.ss_family == AF_INET6) {
		memcpy(in.ip, &((const struct sockaddr_in6 *)&src->ss)->sin6_addr, 16);
		in.iplen = 16;
	} else {
		tp_peer_addr_str(src, from, sizeof(from));
	}
	in.src = from;
	in.tcp = proto == TP_EP_TCP;
	in.limit = tp_reply_limit(reply);
	batch_enter(n);
	n->work++;
	uint64_t t_in = node_prof_now(n);
	rc = tp_core_on_request_ex(n->core, &in, msg, len, &out);
	if (in.accepted)
		node_prof_add(n, TP_PROF_REQ_CORE, t_in, node_prof_now(n));
	if (in.accepted)
		tp_reply_accept(reply);
	if (rc == HS_OK && out.len == 0) { /* rate limited: no answer */
		tp_reply_drop(reply);
	} else if (rc == HS_OK && (!in.accepted || all_durable(n))) {
		/* a refusal, or nothing waits for the disk: the answer cannot
		 * depend on anything that is not on disk */
		if (tp_reply_send(reply, out.data, out.len) == HS_E_RANGE)
			tp_reply_drop(reply);
	} else if (rc == HS_OK) {
		hold_reply(n, reply, &out);
	} else {
		if (hs_log_get_level() >= HS_LOG_DEBUG) {
			tp_peer_addr_str(src, from, sizeof(from));
			log_debug(SUBSYS, "request from \"%s\" not answered: %s", from,
			          hs_strerror(rc));
		}
		tp_reply_drop(reply);
	}
	hs_buf_free(&out);
	pump(n);
}

/* ---- life cycle -------------------------------------------------------- */

int tp_node_new(tp_loop_t *loop, const tp_conf_t *conf, const hs_env_t *env,
                const tp_node_hooks_t *hooks, const tp_node_opts_t *opts, tp_node_t **out,
                hs_errmsg_t *em)
{
	tp_node_t *n = NULL;
	tp_core_cfg_t cc;
	tp_endpoint_config_t ec;
	tp_peer_addr_t bind;
	uint64_t inbox = 0;
	int rc, port;

	if (loop == NULL || conf == NULL || env == NULL || out == NULL)
		return hs_fail(em, HS_E_INVAL, "node: missing argument");
	n = xcalloc(1, sizeof(*n));
	n->loop = loop;
	n->env = env;
	if (hooks != NULL)
		n->hooks = *hooks;
	snprintf(n->identity, sizeof(n->identity), "%s", conf->identity);

	rc = node_load_keys(n, conf, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = node_load_registry(n, conf, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = st_open(conf->store, &n->st, em);
	if (rc != HS_OK)
		goto cleanup;

	memset(&cc, 0, sizeof(cc));
	cc.identity = n->identity;
	cc.sig0_key = n->sig0;
	n->hpke_keys[0] = n->hpke.key;
	cc.hpke_keys = n->hpke_keys;
	cc.nhpke = 1;
	/* 0 in the file means "never inline"; 0 in the core means "default" */
	cc.inline_limit = conf->inline_limit == 0 ? 1 : conf->inline_limit;
	cc.chunk_size = conf->chunk_size;
	cc.ts_window_s = conf->replay_window;
	cc.lifetime_ms = (uint64_t)conf->expiry * 1000;
	cc.retry_min_ms = conf->retry_min_ms;
	cc.retry_max_ms = conf->retry_max_ms;
	cc.max_inflight = conf->max_in_flight;
	cc.fetch_timeout_ms = conf->fetch_timeout_ms;
	cc.budget_rate = conf->budget_rate;
	cc.budget_burst = conf->budget_burst;
	cc.unproven_rate = conf->unproven_rate;
	cc.unproven_burst = conf->unproven_burst;
	/* 0 in the file means "no limit" / "never"; 0 in the core: default */
	cc.rrl_rate = conf->rrl_rate == 0 ? 1000000 : conf->rrl_rate;
	cc.rrl_slip = conf->rrl_slip == 0 ? UINT32_MAX : conf->rrl_slip;
	cc.log_interval_ms = conf->log_interval_ms;
	cc.dist_memory = (size_t)conf->dist_memory_mib << 20;
	cc.fetch_memory = (size_t)conf->fetch_memory_mib << 20;
	cc.test_break = opts != NULL ? opts->test_break : 0;
	cc.on_inbox = core_on_inbox;
	cc.on_outcome = core_on_outcome;
	cc.cb_arg = n;
	rc = tp_core_new(&n->core, &cc, env, n->st, n->reg, em);
	if (rc != HS_OK)
		goto cleanup;

	tp_endpoint_config_default(&ec);
	ec.udp_max = conf->udp_max;
	ec.tcp_max_conns = conf->tcp_max_conns;
	ec.tcp_max_per_source = conf->tcp_max_per_source;
	ec.tcp_idle_ms = conf->tcp_idle_ms;
	n->send_opts.timeout_ms = conf->timeout_ms;
	n->send_opts.retries = conf->retries;
	port = conf->listen.port;
	if (opts != NULL && opts->listen_port != 0)
		port = opts->listen_port == TP_NODE_ANY_PORT ? 0 : opts->listen_port;
	rc = tp_peer_addr_parse(conf->listen.ip, (uint16_t)port, &bind);
	if (rc != HS_OK) {
		rc = hs_fail(em, HS_E_CONFIG, "listen address \"%s\" is not an address",
		             conf->listen.ip);
		goto cleanup;
	}
	errno = 0;
	rc = tp_endpoint_new(loop, &bind, &ec,
	                     (opts != NULL && opts->no_listen) ? NULL : on_request, n, &n->ep);
	if (rc != HS_OK) {
		int e = errno;
		rc = hs_fail(em, rc, "cannot listen on %s@%d (udp and tcp): %s", conf->listen.ip,
		             port, rc == HS_E_NET && e != 0 ? strerror(e) : hs_strerror(rc));
		goto cleanup;
	}
	n->listening = !(opts != NULL && opts->no_listen);
	if (conf->answer_rate > 0) {
		hs_rl_cfg_t rl = {conf->answer_rate, conf->answer_rate, 0};
		n->answer_rl = hs_rl_new(env, &rl);
	}
	n->slip = conf->rrl_slip;
	n->last_ticket = 1; /* tickets of the store's async commits start at 1 */
	n->durable = st_sync_durable(n->st);
	if (st_inbox_count(n->st, &inbox) == HS_OK && inbox > 0) {
		struct node_event *e = event_new(n);
		e->inbox = 1;
		e->tag = n->last_ticket;
	}
	/* first round (resumed queue, left-over inbox) from the loop */
	n->kick = tp_timer_add(loop, 0, on_kick, n);
	log_info(SUBSYS, "node \"%s\" serving on %s port %u with %zu peer%s", n->identity,
	         conf->listen.ip, (unsigned)tp_endpoint_port(n->ep), conf->npeers,
	         conf->npeers == 1 ? "" : "s");
	*out = n;
	n = NULL;
cleanup:
	tp_node_free(n);
	return rc;
}

void tp_node_free(tp_node_t *n)
{
	if (n == NULL)
		return;
	/* what was written is kept, and the answers that waited for it go
	 * once it is on disk (a bounded wait for the background sync) */
	if (n->st != NULL && n->core != NULL && commit(n) == HS_OK) {
		for (int i = 0; i < 500 && st_sync_durable(n->st) < n->last_ticket; i++)
			usleep(10000);
		n->durable = st_sync_durable(n->st);
		release_held(n, 0, 0);
	}
	release_held(n, 0, 1); /* not on disk: not sent */
	tp_watch_free(n->sync_watch);
	n->sync_watch = NULL;
	n->stopping = 1;
	tp_timer_cancel(n->timer);
	tp_timer_cancel(n->kick);
	tp_timer_cancel(n->flush_timer);
	/* completes every outstanding tp_send with HS_E_STATE: send_done
	 * frees its record without calling the core */
	tp_endpoint_free(n->ep);
	tp_core_free(n->core);
	st_close(n->st);
	node_unload(n);
	free(n->events);
	free(n->held);
	node_prof_free(n);
	hs_rl_free(n->answer_rl);
	free(n);
}

void tp_node_request_stop(tp_node_t *n)
{
	if (n != NULL)
		tp_loop_break(n->loop);
}

int tp_node_send(tp_node_t *n, const char *to, const char *type, const uint8_t *body, size_t len,
                 const char *order_key, uint8_t msgid_out[TP_MSGID_LEN])
{
	tp_msg_opts_t o = {order_key, 0};
	return tp_node_send_ex(n, to, type, body, len, &o, msgid_out);
}

int tp_node_send_ex(tp_node_t *n, const char *to, const char *type, const uint8_t *body, size_t len,
                    const tp_msg_opts_t *opts, uint8_t msgid_out[TP_MSGID_LEN])
{
	int rc;

	if (n == NULL || n->stopping)
		return HS_E_STATE;
	uint8_t id[TP_MSGID_LEN];

	batch_enter(n);
	n->work++;
	rc = tp_core_send_ex(n->core, to, type, body, len, opts, id);
	if (rc == HS_OK) {
		node_prof_queued(n, id);
		if (msgid_out != NULL)
			memcpy(msgid_out, id, TP_MSGID_LEN);
	}
	pump(n);
	return rc;
}

int tp_node_set_peer_address(tp_node_t *n, const char *identity, const char *ip, uint16_t port)
{
	tp_peer_addr_t pa;

	if (n == NULL || identity == NULL || ip == NULL ||
	    tp_peer_addr_parse(ip, port, &pa) != HS_OK)
		return HS_E_INVAL;
	if (tp_registry_find(n->reg, identity) == NULL)
		return HS_E_NOTFOUND;
	int rc = tp_registry_add(n->reg, identity, ip, port);
	if (rc == HS_OK) {
		batch_enter(n);
		tp_core_peer_changed(n->core, identity);
		pump(n);
	}
	return rc;
}

st_t *tp_node_store(tp_node_t *n)
{
	return n->st;
}

uint16_t tp_node_port(const tp_node_t *n)
{
	return n->listening ? tp_endpoint_port(n->ep) : 0;
}

const char *tp_node_identity(const tp_node_t *n)
{
	return n->identity;
}

void tp_node_stats(const tp_node_t *n, tp_node_stats_t *out)
{
	memset(out, 0, sizeof(*out));
	tp_core_stats(n->core, &out->core);
	tp_core_counts(n->core, &out->pending, &out->dists, &out->fetches);
	tp_endpoint_counters(n->ep, &out->ep);
	out->sends_failed = n->sends_failed;
	out->commits = n->commits;
	out->answers_limited = n->answers_limited;
	out->committed_replies = n->committed_replies;
	out->prof = n->prof;
}

int tp_node_peer_stats(const tp_node_t *n, const char *identity, tp_peer_stats_t *out)
{
	return tp_core_peer_stats(n->core, identity, out);
}

tp_endpoint_t *tp_node_endpoint(tp_node_t *n)
{
	return n->ep;
}

int tp_node_set_peer(tp_node_t *n, const char *identity, const char *ip, uint16_t port,
                     sig0_key_t **keys, size_t nkeys, hpke_key_t *hpke)
{
	tp_peer_addr_t pa;
	size_t i;
	int rc;

	if (n == NULL || identity == NULL || ip == NULL || keys == NULL || nkeys == 0 ||
	    hpke == NULL || tp_peer_addr_parse(ip, port, &pa) != HS_OK)
		return HS_E_INVAL;
	if (nkeys > TP_REG_MAX_SIG0)
		return HS_E_LIMIT;
	rc = tp_registry_add(n->reg, identity, ip, port);
	if (rc != HS_OK)
		return rc;
	tp_registry_clear_sig0(n->reg, identity);
	for (i = 0; i < nkeys; i++)
		if (tp_registry_add_sig0(n->reg, identity, keys[i]) != HS_OK)
			return HS_E_INVAL; /* not reached: found and under the limit */
	rc = tp_registry_set_hpke(n->reg, identity, hpke);
	if (rc == HS_OK) {
		batch_enter(n);
		tp_core_peer_changed(n->core, identity); /* QUEUE-2: parked messages go */
		pump(n);
	}
	return rc;
}

void tp_node_set_reply_hook(tp_node_t *n, tp_node_reply_fn fn, void *arg)
{
	n->reply_hook = fn;
	n->reply_arg = arg;
}

void tp_node_set_request_hook(tp_node_t *n, tp_node_request_fn fn, void *arg)
{
	n->req_hook = fn;
	n->req_arg = arg;
}

void tp_node_request_accepted(tp_node_t *n)
{
	n->hook_accepted = 1;
}
