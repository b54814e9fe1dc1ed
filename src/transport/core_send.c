/*
 * core_send.c -- the sender: queue items in memory, attempts (seal, NOTIFY
 * inline or fetch), receipts, backoff, expiry and outcomes.
 */
#include "transport/core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpke/envelope.h"
#include "util/encoding.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"

static void id_hex(const uint8_t id[TP_MSGID_LEN], char out[2 * TP_MSGID_LEN + 1])
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < TP_MSGID_LEN; i++) {
		out[2 * i] = d[id[i] >> 4];
		out[2 * i + 1] = d[id[i] & 15];
	}
	out[2 * TP_MSGID_LEN] = '\0';
}

static out_item_t *item_new(const st_outq_item_t *it)
{
	out_item_t *o = xcalloc(1, sizeof(*o));
	memcpy(o->msgid, it->msgid, TP_MSGID_LEN);
	snprintf(o->peer, sizeof(o->peer), "%s", it->peer);
	snprintf(o->type, sizeof(o->type), "%s", it->type);
	o->order_key = it->order_key ? xstrdup(it->order_key) : NULL;
	o->body = xmalloc(it->bodylen);
	memcpy(o->body, it->body, it->bodylen);
	o->bodylen = it->bodylen;
	o->seq = it->seq;
	o->expires_ms = it->expires_ms;
	o->attempts = it->attempts;
	return o;
}

static void item_free(out_item_t *o)
{
	if (o == NULL)
		return;
	free(o->order_key);
	free(o->body);
	free(o);
}

static void item_append(tp_core_t *c, out_item_t *o)
{
	out_item_t **pp = &c->items;
	while (*pp)
		pp = &(*pp)->next;
	*pp = o;
}

void send_load(tp_core_t *c, st_outq_list_t *l)
{
	uint64_t now = core_mono(c);
	for (size_t i = 0; i < l->n; i++) {
		out_item_t *o = item_new(&l->v[i]);
		o->next_mono = now;
		item_append(c, o);
	}
}

void send_free_all(tp_core_t *c)
{
	while (c->items) {
		out_item_t *o = c->items;
		c->items = o->next;
		item_free(o);
	}
}

/* Octets an envelope adds to a body (msgpack keys, ids, HPKE header,
 * enc and tag), generously: for the chunk count check only. */
#define ENV_OVERHEAD 1024

int tp_core_send(tp_core_t *c, const char *to, const char *type, const uint8_t *body, size_t len,
                 const char *order_key, uint8_t msgid_out[TP_MSGID_LEN])
{
	tp_msg_opts_t o = {order_key, 0};
	return tp_core_send_ex(c, to, type, body, len, &o, msgid_out);
}

int tp_core_send_ex(tp_core_t *c, const char *to, const char *type, const uint8_t *body, size_t len,
                    const tp_msg_opts_t *opts, uint8_t msgid_out[TP_MSGID_LEN])
{
	static const uint8_t empty_map = 0x80;
	st_outq_item_t it;
	char hex[2 * TP_MSGID_LEN + 1];
	const char *order_key = opts ? opts->order_key : NULL;
	uint64_t life;
	if (c == NULL || to == NULL || type == NULL || (body == NULL && len > 0))
		return HS_E_INVAL;
	const tp_peer_t *p = tp_registry_find(c->reg, to);
	if (p == NULL)
		return HS_E_NOTFOUND;
	if (!tp_msg_type_known(type))
		return HS_E_UNKNOWN_TYPE;
	if (len > TP_BODY_MAX)
		return HS_E_LIMIT;
	/* QUEUE-3: a message that needs more chunks than a CHUNK sequence
	 * number counts is refused now, not retried until it expires */
	if ((len + ENV_OVERHEAD + c->cfg.chunk_size - 1) / c->cfg.chunk_size > 65535)
		return HS_E_LIMIT;
	life = opts && opts->lifetime_ms && opts->lifetime_ms < c->cfg.lifetime_ms
	           ? opts->lifetime_ms
	           : c->cfg.lifetime_ms;
	if (len == 0) {
		body = &empty_map;
		len = 1;
	}
	int rc = tp_mp_check_map(body, len);
	if (rc != HS_OK)
		return HS_E_MALFORMED;
	memset(&it, 0, sizeof(it));
	rc = c->env->random(c->env->arg, it.msgid, TP_MSGID_LEN);
	if (rc != HS_OK)
		return rc;
	it.peer = (char *)p->identity;
	it.type = (char *)type;
	it.order_key = (char *)order_key;
	it.body = (uint8_t *)body;
	it.bodylen = len;
	it.created_ms = core_wall_ms(c);
	it.expires_ms = it.created_ms + (int64_t)life;
	rc = st_outq_add(c->st, &it, &it.seq);
	if (rc != HS_OK)
		return rc;
	out_item_t *o = item_new(&it);
	o->next_mono = core_mono(c);
	item_append(c, o);
	c->stats.queued++;
	core_pstats(c, p->identity)->queued++;
	id_hex(it.msgid, hex);
	log_info(SUB, "'%s': queued %s message '%s' for '%s' (%zu octets)", c->self, type, hex,
	         p->identity, len);
	if (msgid_out)
		memcpy(msgid_out, it.msgid, TP_MSGID_LEN);
	send_run(c);
	return HS_OK;
}

/* ---- outcomes and backoff ------------------------------------------------ */

static void finish(tp_core_t *c, out_item_t *o, enum tp_outcome outcome, int reason)
{
	static const enum st_outq_state states[] = {0, ST_OUTQ_DELIVERED, ST_OUTQ_REJECTED,
	                                            ST_OUTQ_EXPIRED};
	static const char *const names[] = {"", "delivered", "rejected", "expired"};
	char hex[2 * TP_MSGID_LEN + 1];
	const char *rs = outcome == TP_OUT_REJECTED ? tp_reason_name(reason) : "";
	int rc = st_outq_finish(c->st, o->msgid, states[outcome], rs, core_wall_ms(c));
	id_hex(o->msgid, hex);
	if (rc != HS_OK)
		log_err(SUB, "'%s': cannot record outcome of '%s': %s", c->self, hex,
		        hs_strerror(rc));
	log_info(SUB, "'%s': message '%s' to '%s' %s%s%s after %u attempt%s", c->self, hex, o->peer,
	         names[outcome], *rs ? " " : "", rs, o->attempts, o->attempts == 1 ? "" : "s");
	tp_peer_stats_t *ps = core_pstats(c, o->peer);
	if (outcome == TP_OUT_DELIVERED) {
		if (ps->failing)
			log_notice(SUB, "'%s': '%s' reachable again (last failure: %s)", c->self,
			           o->peer, ps->last_error);
		ps->failing = 0;
		c->stats.delivered++;
		ps->delivered++;
		ps->last_delivered_ms = (uint64_t)core_wall_ms(c);
	} else if (outcome == TP_OUT_EXPIRED) {
		c->stats.expired++;
		ps->expired++;
	} else {
		c->stats.rejected[reason > 0 && reason < TP_REASON_COUNT ? reason : 0]++;
		ps->rejected++;
	}
	if (o->distid[0] && outcome == TP_OUT_DELIVERED)
		dist_linger(c, o->distid); /* re-asked chunks are still answered */
	else if (o->distid[0])
		dist_drop(c, o->distid);
	if (o->token)
		core_tok_drop(c, o->token);
	out_item_t **pp = &c->items;
	while (*pp && *pp != o)
		pp = &(*pp)->next;
	if (*pp)
		*pp = o->next;
	uint8_t id[TP_MSGID_LEN];
	char peer[TP_IDENT_MAX];
	memcpy(id, o->msgid, TP_MSGID_LEN);
	memcpy(peer, o->peer, sizeof(peer));
	item_free(o);
	if (c->cfg.on_outcome)
		c->cfg.on_outcome(c->cfg.cb_arg, id, peer, outcome, rs);
}

/* min(retry_min * 2^(k-1), retry_max) times a factor uniform in [0.5, 1.5]. */
static uint64_t backoff(tp_core_t *c, uint32_t k)
{
	uint64_t base = c->cfg.retry_min_ms;
	for (uint32_t i = 1; i < k && base < c->cfg.retry_max_ms; i++)
		base *= 2;
	if (base > c->cfg.retry_max_ms)
		base = c->cfg.retry_max_ms;
	uint8_t r[4] = {0};
	if (c->env->random(c->env->arg, r, 4) != HS_OK)
		return base;
	uint64_t u = (uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3];
	return base / 2 + ((base * u) >> 32);
}

/* An operator must see why a peer cannot be reached: the reason is kept
 * for `peer show`, and logged when sends to the peer start failing or
 * fail for a new reason; not at every attempt, which would flood the log
 * while a peer is down. */
static void note_failure(tp_core_t *c, const out_item_t *o, const char *why)
{
	tp_peer_stats_t *ps = core_pstats(c, o->peer);
	const tp_peer_t *p = tp_registry_find(c->reg, o->peer);
	char now[sizeof(ps->last_error)];

	snprintf(now, sizeof(now), "%s", why);
	if (!ps->failing || strcmp(now, ps->last_error) != 0)
		log_notice(SUB, "'%s': sending to '%s' at %s#%u fails: %s", c->self, o->peer,
		           p != NULL ? p->addr : "?", p != NULL ? (unsigned)p->port : 0u, now);
	memcpy(ps->last_error, now, sizeof(now));
	ps->last_error_ms = (uint64_t)core_wall_ms(c);
	ps->failing = 1;
}

static void fail_attempt(tp_core_t *c, out_item_t *o, const char *why)
{
	char hex[2 * TP_MSGID_LEN + 1];
	note_failure(c, o, why);
	if (o->distid[0])
		dist_drop(c, o->distid);
	o->distid[0] = '\0';
	if (o->token)
		core_tok_drop(c, o->token);
	o->token = 0;
	o->failures++;
	o->confirming = 0;
	o->confirms = 0;
	uint64_t d = backoff(c, o->failures);
	o->next_mono = core_mono(c) + d;
	o->state = IT_IDLE;
	id_hex(o->msgid, hex);
	log_debug(SUB, "'%s': attempt %u of '%s' to '%s' failed (%s); next in %llu ms", c->self,
	          o->attempts, hex, o->peer, why, (unsigned long long)d);
}

/*
 * COOKIE-4: R answered BADCOOKIE (it is under load and we had no valid
 * server cookie); cc_learn has taken the fresh one. Send again at once,
 * without counting a failure; after a second BADCOOKIE in a row, over
 * TCP, where no cookie is needed.
 */
static void cookie_again(tp_core_t *c, out_item_t *o)
{
	char hex[2 * TP_MSGID_LEN + 1];
	c->stats.cookie_retries++;
	if (++o->cookie_retries >= 2)
		o->force_tcp = 1;
	if (o->distid[0] && !o->confirming)
		dist_drop(c, o->distid);
	if (!o->confirming)
		o->distid[0] = '\0';
	if (o->token)
		core_tok_drop(c, o->token);
	o->token = 0;
	o->state = o->confirming ? IT_FETCHING : IT_IDLE;
	o->next_mono = core_mono(c);
	id_hex(o->msgid, hex);
	log_debug(SUB, "'%s': BADCOOKIE from '%s' for '%s'; again%s", c->self, o->peer, hex,
	          o->force_tcp ? " over TCP" : "");
}

/* ---- attempts ------------------------------------------------------------- */

static int seal(tp_core_t *c, out_item_t *o, const tp_peer_t *p, const char *distid, hs_buf_t *env)
{
	tp_msg_t m;
	hs_buf_t pt = {0};
	memset(&m, 0, sizeof(m));
	m.v = TP_MSG_VERSION;
	memcpy(m.id, o->msgid, TP_MSGID_LEN);
	m.ts = hs_now_s(c->env);
	snprintf(m.from, sizeof(m.from), "%s", c->self);
	snprintf(m.to, sizeof(m.to), "%s", p->identity);
	snprintf(m.type, sizeof(m.type), "%s", o->type);
	m.body = o->body;
	m.body_len = o->bodylen;
	int rc = tp_msg_encode(&pt, &m);
	if (rc == HS_OK) {
		hpke_env_ids_t ids = {c->self, p->identity, distid};
		rc =
		    hpke_env_seal(env, &ids, c->cfg.hpke_keys[0], p->hpke, c->env, pt.data, pt.len);
	}
	hs_buf_free_secret(&pt);
	return rc;
}

static void attempt(tp_core_t *c, out_item_t *o)
{
	hs_buf_t env = {0}, msg = {0}, opt = {0};
	uint8_t qname[WIRE_NAME_MAX];
	size_t qlen = 0;
	int inl = 0;
	const tp_peer_t *p = tp_registry_find(c->reg, o->peer);
	const char *why = "sealing failed";
	if (p == NULL || p->hpke == NULL) {
		/* QUEUE-2: nothing to seal to; no attempt until the peer changes
		 * (tp_core_peer_changed) or the message expires */
		char hex[2 * TP_MSGID_LEN + 1];
		id_hex(o->msgid, hex);
		c->stats.parked++;
		o->state = IT_IDLE;
		o->next_mono = UINT64_MAX;
		log_info(SUB, "'%s': message '%s' waits: no HPKE key for '%s'", c->self, hex,
		         o->peer);
		return;
	}
	/* MEM-1: a fetch-mode envelope must fit the distribution memory;
	 * otherwise wait for distributions to finish (no failure counted) */
	if (o->bodylen + ENV_OVERHEAD > c->cfg.inline_limit && c->stats.dist_bytes > 0 &&
	    c->stats.dist_bytes + o->bodylen + ENV_OVERHEAD > c->cfg.dist_memory) {
		c->stats.dist_waits++;
		o->state = IT_IDLE;
		o->next_mono = core_mono(c) + c->cfg.retry_min_ms;
		return;
	}
	if (tp_distid_new(c->env, o->distid) != HS_OK || seal(c, o, p, o->distid, &env) != HS_OK)
		goto fail;
	why = "cannot build the NOTIFY";
	if (tp_name_notify(o->distid, c->self, qname, &qlen) != HS_OK)
		goto fail;
	if (env.len <= c->cfg.inline_limit && env.len <= TP_CHUNK_DATA_MAX) {
		hs_opt_chunk_t ch = {HS_CHUNK_FMT_HPKE, NULL, 0, env.data, (uint16_t)env.len};
		if (hs_opt_chunk_encode(&ch, &opt, NULL) == HS_OK &&
		    dns_build_query(c, p->identity, TP_OP_NOTIFY, qname, qlen, opt.data, opt.len,
		                    &msg) == HS_OK &&
		    msg.len <= c->cfg.inline_limit)
			inl = 1;
	}
	if (!inl) {
		if (dns_build_query(c, p->identity, TP_OP_NOTIFY, qname, qlen, NULL, 0, &msg) !=
		    HS_OK)
			goto fail;
		why = "distribution too large";
		if (dist_new(c, p->identity, o->distid, o->msgid, env.data, env.len) == NULL)
			goto fail;
	}
	tp_peer_stats_t *ps = core_pstats(c, p->identity);
	if (o->attempts > 0) {
		c->stats.retried++;
		ps->retried++;
	}
	ps->attempts++;
	o->attempts++;
	if (st_outq_attempt(c->st, o->msgid) != HS_OK)
		log_warn(SUB, "'%s': cannot count an attempt in the store", c->self);
	c->stats.notifies_sent++;
	if (inl)
		c->stats.sent_inline++;
	else
		c->stats.sent_fetch++;
	size_t mlen = msg.len;
	o->token = core_push_action(c, TP_ACT_NOTIFY, p->identity,
	                            msg.len > TP_EDNS_SIZE || o->force_tcp, &msg);
	core_action_msgid(c, o->msgid);
	tok_t *t = core_tok_add(c, o->token, TP_ACT_NOTIFY);
	memcpy(t->msgid, o->msgid, TP_MSGID_LEN);
	snprintf(t->peer, sizeof(t->peer), "%s", p->identity);
	snprintf(t->distid, sizeof(t->distid), "%s", o->distid);
	o->state = IT_INFLIGHT;
	o->deadline = core_mono(c) + c->cfg.attempt_timeout_ms;
	log_debug(SUB, "'%s': NOTIFY %s.%s to '%s' (%s, %zu octets, envelope %zu)", c->self,
	          o->distid, c->self, p->identity, inl ? "inline" : "fetch", mlen, env.len);
	goto cleanup;
fail:
	o->attempts++;
	fail_attempt(c, o, why);
cleanup:
	hs_buf_free(&env);
	hs_buf_free(&msg);
	hs_buf_free(&opt);
}

static int same_key(const out_item_t *a, const out_item_t *b)
{
	return a->order_key && b->order_key && strcmp(a->peer, b->peer) == 0 &&
	       strcmp(a->order_key, b->order_key) == 0;
}

/* Only the oldest pending item of an order key may be in flight. */
static int eligible(const tp_core_t *c, const out_item_t *o)
{
	if (o->order_key == NULL)
		return 1;
	for (const out_item_t *x = c->items; x && x != o; x = x->next)
		if (same_key(x, o))
			return 0;
	return 1;
}

static size_t inflight(const tp_core_t *c)
{
	size_t n = 0;
	for (const out_item_t *x = c->items; x; x = x->next)
		n += x->state != IT_IDLE;
	return n;
}

static void confirm(tp_core_t *c, out_item_t *o);
static void confirm_later(tp_core_t *c, out_item_t *o, const char *why);

void send_run(tp_core_t *c)
{
	uint64_t now = core_mono(c);
	int64_t wall = core_wall_ms(c);
	size_t busy = inflight(c);
	out_item_t *o = c->items, *next;
	for (; o; o = next) {
		next = o->next;
		if (wall >= o->expires_ms) {
			busy -= o->state != IT_IDLE;
			finish(c, o, TP_OUT_EXPIRED, 0);
			continue;
		}
		if (o->state == IT_INFLIGHT && o->deadline <= now) {
			if (o->confirming) {
				confirm_later(c, o, "no response to confirming NOTIFYs");
				continue;
			}
			fail_attempt(c, o, "no answer in time");
			busy--;
		} else if (o->state == IT_FETCHING && o->next_mono <= now) {
			if (o->confirming && o->confirms < TP_CONFIRM_MAX) {
				confirm(c, o);
				continue;
			}
			fail_attempt(c, o, "chunks not fetched in time");
			busy--;
		}
		if (o->state == IT_IDLE && o->next_mono <= now && busy < c->cfg.max_inflight &&
		    eligible(c, o)) {
			attempt(c, o);
			busy += o->state != IT_IDLE;
		}
	}
}

void tp_core_peer_changed(tp_core_t *c, const char *identity)
{
	char canon[TP_IDENT_MAX];
	if (c == NULL || identity == NULL || tp_ident_canon(identity, canon) != HS_OK)
		return;
	for (out_item_t *o = c->items; o; o = o->next)
		if (o->state == IT_IDLE && o->next_mono == UINT64_MAX &&
		    strcmp(o->peer, canon) == 0)
			o->next_mono = core_mono(c);
	send_run(c);
}

void send_deadline(tp_core_t *c, uint64_t now, uint64_t *best)
{
	int64_t wall = core_wall_ms(c);
	int room = inflight(c) < c->cfg.max_inflight;
	for (out_item_t *o = c->items; o; o = o->next) {
		uint64_t t = UINT64_MAX;
		if (o->state == IT_INFLIGHT)
			t = o->deadline;
		else if (o->state == IT_FETCHING || (room && eligible(c, o)))
			t = o->next_mono;
		uint64_t ex = o->expires_ms > wall ? now + (uint64_t)(o->expires_ms - wall) : now;
		if (ex < t)
			t = ex;
		if (t < *best)
			*best = t;
	}
}

static out_item_t *find_item(tp_core_t *c, const uint8_t msgid[TP_MSGID_LEN])
{
	for (out_item_t *o = c->items; o; o = o->next)
		if (memcmp(o->msgid, msgid, TP_MSGID_LEN) == 0)
			return o;
	return NULL;
}

/*
 * Every chunk has been served, but an answer may have been lost, or R may
 * have died before it stored the message: ask R with the NOTIFY for the
 * same distid (no payload). R answers "duplicate" (or "rejected") from
 * its list of finished distributions, or "fetching" when it has to fetch
 * again (the distribution is still here). Only that answer completes the
 * message.
 */
static void confirm(tp_core_t *c, out_item_t *o)
{
	hs_buf_t msg = {0};
	uint8_t qname[WIRE_NAME_MAX];
	size_t qlen = 0;
	const tp_peer_t *p = tp_registry_find(c->reg, o->peer);
	if (p == NULL || tp_name_notify(o->distid, c->self, qname, &qlen) != HS_OK ||
	    dns_build_query(c, p->identity, TP_OP_NOTIFY, qname, qlen, NULL, 0, &msg) != HS_OK) {
		hs_buf_free(&msg);
		fail_attempt(c, o, "cannot build the confirming NOTIFY");
		return;
	}
	o->confirming = 1;
	o->confirms++;
	c->stats.confirms_sent++;
	o->token = core_push_action(c, TP_ACT_NOTIFY, p->identity, o->force_tcp, &msg);
	core_action_msgid(c, o->msgid);
	tok_t *t = core_tok_add(c, o->token, TP_ACT_NOTIFY);
	memcpy(t->msgid, o->msgid, TP_MSGID_LEN);
	snprintf(t->peer, sizeof(t->peer), "%s", p->identity);
	snprintf(t->distid, sizeof(t->distid), "%s", o->distid);
	o->state = IT_INFLIGHT;
	o->deadline = core_mono(c) + c->cfg.attempt_timeout_ms;
	log_debug(SUB, "'%s': confirming NOTIFY %s.%s to '%s'", c->self, o->distid, c->self,
	          p->identity);
	hs_buf_free(&msg);
}

/* The pause before confirming NOTIFY number k+1: R usually answers
 * "fetching" to the first one only because it is still storing the
 * message, so start short (2 ms) and double, up to retry_max_ms. */
static uint64_t confirm_pause(const tp_core_t *c, unsigned k)
{
	uint64_t d = TP_CONFIRM_PAUSE;
	for (unsigned i = 1; i < k && d < c->cfg.retry_max_ms; i++)
		d *= 2;
	return d < c->cfg.retry_max_ms ? d : c->cfg.retry_max_ms;
}

/* While confirming, a lost answer is asked again after a pause; after
 * TP_CONFIRM_MAX tries the message is sent anew. */
static void confirm_later(tp_core_t *c, out_item_t *o, const char *why)
{
	if (o->confirms >= TP_CONFIRM_MAX) {
		fail_attempt(c, o, why);
		return;
	}
	if (o->token)
		core_tok_drop(c, o->token);
	o->token = 0;
	o->state = IT_FETCHING;
	o->next_mono = core_mono(c) + confirm_pause(c, o->confirms);
}

void send_dist_complete(tp_core_t *c, const uint8_t msgid[TP_MSGID_LEN])
{
	out_item_t *o = find_item(c, msgid);
	if (o != NULL && o->state == IT_FETCHING)
		confirm(c, o);
}

/* The receipt in a verified NOERROR response, or an error code. */
static int read_receipt(const dns_req_t *r, tp_receipt_t *rcpt)
{
	const uint8_t *d = NULL;
	size_t dl = 0;
	hs_opt_chunk_t ch;
	if (!r->has_opt || dns_find_option(r->opt_rdata, r->opt_rdlen, HS_OPT_CHUNK, &d, &dl))
		return HS_E_NOTFOUND;
	if (hs_opt_chunk_decode(d, dl, &ch, NULL) != HS_OK || ch.format != HS_CHUNK_FMT_MSGPACK)
		return HS_E_MALFORMED;
	return tp_receipt_decode(ch.data, ch.data_len, rcpt);
}

void send_on_response(tp_core_t *c, const tok_t *t, int status, const uint8_t *resp, size_t len)
{
	out_item_t *o = find_item(c, t->msgid);
	dns_req_t r;
	unsigned rcode = 0;
	tp_receipt_t rcpt;
	if (o == NULL || o->token != t->token)
		return;
	o->token = 0;
	char why[240], desc[100];
	if (status != HS_OK) {
		snprintf(why, sizeof(why), "no answer: %s", hs_strerror(status));
		if (o->confirming)
			confirm_later(c, o, why);
		else
			fail_attempt(c, o, why);
		return;
	}
	const tp_peer_t *p = tp_registry_find(c->reg, t->peer);
	unsigned rc12 = 0;
	int echoed = cc_learn(c, t->peer, resp, len, &rc12);
	int rc = dns_verify_response(c, p, resp, len, &r, &rcode);
	if (rc != HS_OK && echoed && rc12 == TP_RCODE_BADCOOKIE) {
		cookie_again(c, o);
		return;
	}
	if (rc != HS_OK || rcode != TP_RC_NOERROR) {
		dns_error_text(resp, len, desc, sizeof(desc));
		if (rc != HS_OK)
			snprintf(why, sizeof(why), "%s answer not accepted (%s)", desc,
			         hs_strerror(rc));
		else
			snprintf(why, sizeof(why), "%s", desc);
		c->stats.bad_responses++;
		fail_attempt(c, o, why);
		return;
	}
	if (rc == HS_OK)
		rc = read_receipt(&r, &rcpt);
	if (rc == HS_OK && rcpt.has_id && memcmp(rcpt.id, o->msgid, TP_MSGID_LEN) != 0)
		rc = HS_E_MALFORMED;
	if (rc != HS_OK) {
		snprintf(why, sizeof(why), "bad receipt: %s", hs_strerror(rc));
		c->stats.bad_responses++;
		fail_attempt(c, o, why);
		return;
	}
	dist_t *d = o->distid[0] ? dist_find(c, o->distid) : NULL;
	o->cookie_retries = 0;
	switch (rcpt.status) {
	case TP_RCPT_RECEIVED:
	case TP_RCPT_DUPLICATE:
		finish(c, o, TP_OUT_DELIVERED, 0);
		return;
	case TP_RCPT_REJECTED:
		finish(c, o, TP_OUT_REJECTED, rcpt.reason ? rcpt.reason : TP_REASON_MALFORMED);
		return;
	case TP_RCPT_FETCHING:
		if (d == NULL) {
			c->stats.bad_responses++;
			fail_attempt(c, o, "fetching receipt for an inline message");
			return;
		}
		d->receipt_fetching = 1;
		o->state = IT_FETCHING;
		if (o->confirming) {
			/* R fetches again (it restarted) or still: serve it all
			 * again, and ask again after a pause in any case */
			memset(d->served, 0, d->man.chunk_count + 1u);
			d->nserved = 0;
			o->next_mono = core_mono(c) + confirm_pause(c, o->confirms);
			return;
		}
		if (d->nserved == d->man.chunk_count) { /* served before the receipt came */
			confirm(c, o);
			return;
		}
		o->next_mono = core_mono(c) + c->cfg.fetch_timeout_ms;
		return;
	}
}
