/*
 * zserve.c -- the zone server: requests for served zones (transfers,
 * answers), access control and TSIG, and the per-downstream record.
 * NOTIFY out is zserve_notify.c.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/zserve_int.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"
#include "zone/answer.h"
#include "zone/zxfr.h"

#define OPCODE_QUERY 0
#define T_CHUNK      65288
#define RC_FORMERR   1
#define RC_NOTIMP    4
#define RC_REFUSED   5
#define RC_NOTAUTH   9

tp_zs_t *tp_zs_new(tp_loop_t *loop, tp_endpoint_t *ep, const hs_env_t *env)
{
	tp_zs_t *zs = xcalloc(1, sizeof(*zs));
	zs->loop = loop;
	zs->ep = ep;
	zs->env = env ? env : hs_env_system();
	zs->idx = hs_strmap_new(1);
	return zs;
}

/* The index key of a name: its presentation (any case: the map ignores it). */
static const char *name_key(const uint8_t *name, size_t len, hs_buf_t *b)
{
	b->len = 0;
	hs_name_print(b, name, len);
	return hs_buf_cstr(b);
}

static void zone_free(struct zs_zone *zz)
{
	for (size_t i = 0; i < zz->ndowns; i++)
		zs_down_free(zz->downs[i]);
	free(zz->downs);
	free(zz->acl);
	free(zz);
}

void tp_zs_free(tp_zs_t *zs)
{
	if (zs == NULL)
		return;
	for (size_t i = 0; i < zs->nzones; i++)
		zone_free(zs->zones[i]);
	free(zs->zones);
	hs_strmap_free(zs->idx);
	if (zs->keys)
		memset(zs->keys, 0, zs->nkeys * sizeof(*zs->keys));
	free(zs->keys);
	free(zs);
}

void tp_zs_set_keys(tp_zs_t *zs, const tp_tsig_key_t *keys, size_t n)
{
	if (zs->keys)
		memset(zs->keys, 0, zs->nkeys * sizeof(*zs->keys));
	free(zs->keys);
	zs->keys = n ? xmemdup(keys, n * sizeof(*keys)) : NULL;
	zs->nkeys = n;
}

void tp_zs_set_answer_step(tp_zs_t *zs, tp_zs_answer_fn fn, void *arg, size_t room)
{
	zs->step = fn;
	zs->step_arg = arg;
	zs->step_room = fn != NULL ? room : 0;
}

const tp_tsig_key_t *zs_key(const tp_zs_t *zs, const char *name)
{
	for (size_t i = 0; i < zs->nkeys; i++)
		if (strcmp(zs->keys[i].name, name) == 0)
			return &zs->keys[i];
	return NULL;
}

/* Zones are found through the index by name (thousands of zones: a
 * lookup per query and per zone set must not walk them all). */
struct zs_zone *zs_zone_find(const tp_zs_t *zs, const uint8_t *apex, size_t apex_len)
{
	hs_buf_t b = HS_BUF_INIT;
	struct zs_zone *zz = hs_strmap_get(zs->idx, name_key(apex, apex_len, &b));
	hs_buf_free(&b);
	return zz;
}

/* The served zone `name` is in (the longest apex: the name itself, then
 * each parent in turn); exact: the apex only. */
static struct zs_zone *zone_for(const tp_zs_t *zs, const uint8_t *name, size_t len, int exact)
{
	struct zs_zone *zz = NULL;
	size_t off = 0;
	while (zz == NULL && off < len) {
		zz = zs_zone_find(zs, name + off, len - off);
		if (exact || name[off] == 0)
			break;
		off += 1 + (size_t)name[off];
	}
	return zz;
}

static int key_known(const tp_zs_t *zs, const char *k)
{
	return k[0] == 0 || zs_key(zs, k) != NULL;
}

int tp_zs_zone_set(tp_zs_t *zs, zn_zone_t *z, zn_journal_t *j, const tp_zs_zone_conf_t *conf)
{
	size_t alen;
	if (zs == NULL || z == NULL || conf == NULL)
		return HS_E_INVAL;
	for (size_t i = 0; i < conf->nacl; i++)
		if (!key_known(zs, conf->acl[i].key))
			return HS_E_NOTFOUND;
	for (size_t i = 0; i < conf->nnotify; i++)
		if (!key_known(zs, conf->notify[i].key))
			return HS_E_NOTFOUND;
	const uint8_t *apex = zn_zone_apex(z, &alen);
	struct zs_zone *zz = zs_zone_find(zs, apex, alen);
	if (zz == NULL) {
		zz = xcalloc(1, sizeof(*zz));
		memcpy(zz->apex, apex, alen);
		zz->apex_len = alen;
		hs_buf_t t = HS_BUF_INIT;
		hs_name_print(&t, apex, alen);
		snprintf(zz->name, sizeof(zz->name), "%s", hs_buf_cstr(&t));
		hs_buf_free(&t);
		zz->zs = zs;
		if (zs->nzones == zs->capzones) {
			zs->capzones = zs->capzones ? zs->capzones * 2 : 16;
			zs->zones = xrealloc(zs->zones, zs->capzones * sizeof(*zs->zones));
		}
		zs->zones[zs->nzones++] = zz;
		hs_buf_t b = HS_BUF_INIT;
		if (hs_strmap_set(zs->idx, name_key(apex, alen, &b), zz) != HS_OK)
			abort(); /* allocation */
		hs_buf_free(&b);
	}
	zz->z = z;
	zz->j = j;
	free(zz->acl);
	zz->acl = conf->nacl ? xmemdup(conf->acl, conf->nacl * sizeof(*conf->acl)) : NULL;
	zz->nacl = conf->nacl;
	zs_notify_configure(zz, conf->notify, conf->nnotify);
	return HS_OK;
}

void tp_zs_zone_remove(tp_zs_t *zs, const uint8_t *apex, size_t apex_len)
{
	for (size_t i = 0; zs && i < zs->nzones; i++) {
		if (!dnsmsg_name_equal(zs->zones[i]->apex, zs->zones[i]->apex_len, apex, apex_len))
			continue;
		hs_buf_t b = HS_BUF_INIT;
		(void)hs_strmap_del(zs->idx, name_key(apex, apex_len, &b));
		hs_buf_free(&b);
		zone_free(zs->zones[i]);
		zs->zones[i] = zs->zones[--zs->nzones];
		return;
	}
}

/* ---- downstream records ------------------------------------------------ */

void zs_addr_ip(const tp_peer_addr_t *a, char *out, size_t n)
{
	char full[80];
	tp_peer_addr_str(a, full, sizeof(full));
	/* "1.2.3.4:53" or "[::1]:53": keep the address */
	char *colon = strrchr(full, ':');
	if (colon)
		*colon = 0;
	snprintf(out, n, "%s", full);
}

struct zs_down *zs_down_get(struct zs_zone *zz, const char *addr, int configured)
{
	for (size_t i = 0; i < zz->ndowns; i++)
		if (strcmp(zz->downs[i]->pub.addr, addr) == 0 &&
		    zz->downs[i]->pub.configured == configured)
			return zz->downs[i];
	if (!configured && zz->ndowns >= ZS_MAX_DOWNS)
		return NULL; /* a flood of clients cannot grow the records */
	struct zs_down *d = xcalloc(1, sizeof(*d));
	snprintf(d->pub.addr, sizeof(d->pub.addr), "%s", addr);
	d->pub.configured = configured;
	d->zone = zz;
	zz->downs = xrealloc(zz->downs, (zz->ndowns + 1) * sizeof(*zz->downs));
	zz->downs[zz->ndowns++] = d;
	return d;
}

size_t tp_zs_downstreams(const tp_zs_t *zs, const uint8_t *apex, size_t apex_len, tp_zs_down_t *out,
                         size_t max)
{
	const struct zs_zone *zz = zs ? zs_zone_find(zs, apex, apex_len) : NULL;
	if (zz == NULL)
		return 0;
	for (size_t i = 0; i < zz->ndowns && i < max; i++)
		out[i] = zz->downs[i]->pub;
	return zz->ndowns;
}

void tp_zs_stats(const tp_zs_t *zs, const uint8_t *apex, size_t apex_len, tp_zs_stats_t *out)
{
	const struct zs_zone *zz = zs ? zs_zone_find(zs, apex, apex_len) : NULL;
	memset(out, 0, sizeof(*out));
	if (zz)
		*out = zz->st;
}

/* The transfer record of the client at `src` (its address, any port). */
static struct zs_down *xfr_down(struct zs_zone *zz, const tp_peer_addr_t *src)
{
	char ip[80];
	zs_addr_ip(src, ip, sizeof(ip));
	/* a NOTIFY target at that address takes the record */
	for (size_t i = 0; i < zz->ndowns; i++) {
		char tip[80];
		if (!zz->downs[i]->pub.configured)
			continue;
		zs_addr_ip(&zz->downs[i]->naddr, tip, sizeof(tip));
		if (strcmp(tip, ip) == 0)
			return zz->downs[i];
	}
	return zs_down_get(zz, ip, 0);
}

/* ---- access ------------------------------------------------------------ */

static int prefix_match(const uint8_t *a, const uint8_t *b, size_t bytes, unsigned bits)
{
	if (bits == 0 || bits > bytes * 8)
		bits = (unsigned)(bytes * 8);
	size_t full = bits / 8;
	if (memcmp(a, b, full) != 0)
		return 0;
	unsigned rest = bits % 8;
	if (rest == 0)
		return 1;
	uint8_t mask = (uint8_t)(0xFF << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

static int addr_match(const tp_zs_acl_t *e, const tp_peer_addr_t *src)
{
	const struct sockaddr_storage *a = &e->addr.ss, *b = &src->ss;
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return prefix_match((const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr,
		                    (const uint8_t *)&((const struct sockaddr_in *)b)->sin_addr, 4,
		                    e->prefix);
	if (a->ss_family == AF_INET6)
		return prefix_match((const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr,
		                    (const uint8_t *)&((const struct sockaddr_in6 *)b)->sin6_addr,
		                    16, e->prefix);
	return 0;
}

/* ZONE-7: HS_OK, or why not in `why`. */
static int xfr_allowed(const struct zs_zone *zz, const tp_peer_addr_t *src, const char *key,
                       const char **why)
{
	int listed = 0;
	for (size_t i = 0; i < zz->nacl; i++) {
		if (!addr_match(&zz->acl[i], src))
			continue;
		listed = 1;
		if (zz->acl[i].key[0] == 0 || strcmp(zz->acl[i].key, key) == 0)
			return HS_OK;
	}
	*why = listed ? "the TSIG key it needs is missing" : "not in provide-xfr";
	return HS_E_REFUSED;
}

/* ---- answers ----------------------------------------------------------- */

struct zs_xfr {
	tp_zs_t *zs;
	zn_out_t *out;
	tp_tsig_ctx_t *tsig;
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	tp_peer_addr_t src;
	uint32_t serial;
	hs_buf_t tmp;
};

/* Sign `msg` in place when the exchange uses TSIG. */
static int maybe_sign(tp_tsig_ctx_t *ctx, hs_buf_t *msg)
{
	hs_buf_t s = HS_BUF_INIT;
	if (ctx == NULL)
		return HS_OK;
	int rc = tp_tsig_sign(ctx, msg->data, msg->len, &s, NULL);
	if (rc == HS_OK) {
		msg->len = 0;
		hs_buf_append(msg, s.data, s.len);
	}
	hs_buf_free(&s);
	return rc;
}

static void record_xfr(struct zs_zone *zz, const tp_peer_addr_t *src, const zn_out_t *o,
                       uint32_t serial, int64_t now)
{
	struct zs_down *d = xfr_down(zz, src);
	if (d == NULL)
		return;
	d->pub.has_xfr = 1;
	d->pub.xfr_serial = serial;
	snprintf(d->pub.xfr_kind, sizeof(d->pub.xfr_kind), "%s", zn_out_kind_name(zn_out_kind(o)));
	d->pub.xfr_messages = zn_out_messages(o);
	d->pub.xfr_bytes = zn_out_bytes(o);
	d->pub.xfr_at = now;
}

static int xfr_next(void *arg, hs_buf_t *msg)
{
	struct zs_xfr *x = arg;
	int rc = zn_out_next(x->out, msg);
	if (rc == HS_OK)
		rc = maybe_sign(x->tsig, msg);
	return rc;
}

static void xfr_done(void *arg, int status)
{
	struct zs_xfr *x = arg;
	struct zs_zone *zz = zs_zone_find(x->zs, x->apex, x->apex_len);
	char from[80];
	tp_peer_addr_str(&x->src, from, sizeof(from));
	if (zz != NULL && status == HS_OK) {
		record_xfr(zz, &x->src, x->out, x->serial, hs_now_s(x->zs->env));
		log_info(ZS_LOG,
		         "zone '%s' serial %u to '%s': %s, %zu records in %zu messages, %zu octets",
		         zz->name, x->serial, from, zn_out_kind_name(zn_out_kind(x->out)),
		         zn_out_records(x->out), zn_out_messages(x->out), zn_out_bytes(x->out));
	} else {
		log_notice(ZS_LOG, "zone transfer to '%s' not completed: %s", from,
		           hs_strerror(status));
	}
	zn_out_free(x->out);
	tp_tsig_ctx_free(x->tsig);
	hs_buf_free(&x->tmp);
	free(x);
}

/* One request being answered. */
struct zs_rq {
	tp_zs_t *zs;
	const tp_peer_addr_t *src;
	int proto;
	const uint8_t *msg;
	size_t len;
	tp_reply_t *reply;
	tp_tsig_ctx_t *ctx; /* the exchange's TSIG; NULL: unsigned */
	int accepted;       /* it proved who sent it (allowed transfer, TSIG) */
};

/* The room an answer is built in: the requester's limit less what the
 * answer step and the TSIG add. */
static size_t answer_limit(const struct zs_rq *rq)
{
	size_t lim = tp_reply_limit(rq->reply), less = rq->zs->step_room + (rq->ctx ? 120 : 0);
	return lim >= 512 + less ? lim - less : lim;
}

/* Send `m`, one message, as the answer: through the answer step (COOKIE,
 * rate limit), then TSIG-signed. The reply is consumed either way. */
static int send_answer(const struct zs_rq *rq, hs_buf_t *m)
{
	tp_zs_t *zs = rq->zs;
	int rc = HS_OK;
	if (zs->step != NULL)
		zs->step(zs->step_arg, rq->src, rq->proto, rq->msg, rq->len,
		         tp_reply_limit(rq->reply) - (rq->ctx ? 120 : 0), rq->accepted, m);
	if (m->len == 0)
		rc = HS_E_NOTFOUND; /* rate limited: no answer */
	if (rc == HS_OK)
		rc = maybe_sign(rq->ctx, m);
	if (rc == HS_OK) {
		rc = tp_reply_send(rq->reply, m->data, m->len);
		if (rc != HS_E_RANGE)
			return rc; /* sent, or the client has gone (consumed) */
	}
	tp_reply_drop(rq->reply);
	return rc;
}

static void send_rcode(const struct zs_rq *rq, const zn_query_t *q, unsigned rcode)
{
	hs_buf_t m = HS_BUF_INIT;
	if (zn_answer_rcode(q, rcode, 0, &m) == HS_OK)
		(void)send_answer(rq, &m);
	else
		tp_reply_drop(rq->reply);
	hs_buf_free(&m);
}

/* AXFR / IXFR for zone zz. */
static void serve_xfr(struct zs_rq *rq, struct zs_zone *zz, const zn_query_t *q, const char *key)
{
	tp_zs_t *zs = rq->zs;
	tp_tsig_ctx_t *ctx = rq->ctx;
	char from[80];
	const char *why = NULL;
	zn_xfr_req_t req;
	zn_out_t *o = NULL;
	hs_errmsg_t em;
	tp_peer_addr_str(rq->src, from, sizeof(from));
	if (xfr_allowed(zz, rq->src, key, &why) != HS_OK) {
		zz->st.refused++;
		struct zs_down *d = xfr_down(zz, rq->src);
		if (d != NULL)
			d->pub.refused++;
		log_notice(ZS_LOG, "zone transfer of '%s' to '%s' refused: %s", zz->name, from,
		           why);
		send_rcode(rq, q, RC_REFUSED);
		return;
	}
	/* TCP-2: an allowed transfer proves its sender; over TCP its
	 * connection is kept (not idle while streaming, not evicted first) */
	rq->accepted = 1;
	tp_reply_accept(rq->reply);
	if (q->qtype == ZN_TYPE_AXFR && rq->proto != TP_EP_TCP) {
		send_rcode(rq, q, RC_NOTIMP); /* AXFR is TCP only (RFC 5936 4.2) */
		return;
	}
	if (zn_xfr_req_parse(rq->msg, rq->len, &req, &em) != HS_OK) {
		log_info(ZS_LOG, "zone transfer request from '%s': %s", from, em.text);
		send_rcode(rq, q, RC_FORMERR);
		return;
	}
	zn_snap_t *snap = zn_zone_snapshot(zz->z);
	zn_out_opts_t opts = {0, 0};
	if (rq->proto != TP_EP_TCP) {
		opts.udp = 1;
		/* room for the TSIG of the answer and the answer step */
		opts.max_msg = answer_limit(rq);
	}
	int rc = zn_out_new(snap, zz->j, &req, &opts, &o);
	uint32_t serial = zn_snap_serial(snap);
	zn_snap_release(snap);
	if (rc != HS_OK) {
		send_rcode(rq, q, RC_FORMERR);
		return;
	}
	zz->st.xfrs++;
	if (rq->proto != TP_EP_TCP) {
		hs_buf_t m = HS_BUF_INIT;
		if (zn_out_next(o, &m) != HS_OK)
			tp_reply_drop(rq->reply);
		else if (send_answer(rq, &m) == HS_OK) {
			record_xfr(zz, rq->src, o, serial, hs_now_s(zs->env));
			log_info(ZS_LOG, "zone '%s' serial %u to '%s' over UDP: %s", zz->name,
			         serial, from, zn_out_kind_name(zn_out_kind(o)));
		}
		hs_buf_free(&m);
		zn_out_free(o);
		return;
	}
	struct zs_xfr *x = xcalloc(1, sizeof(*x));
	x->zs = zs;
	x->out = o;
	x->tsig = ctx;
	memcpy(x->apex, zz->apex, zz->apex_len);
	x->apex_len = zz->apex_len;
	x->src = *rq->src;
	x->serial = serial;
	rq->ctx = NULL; /* the stream's now */
	if (tp_reply_stream(rq->reply, xfr_next, xfr_done, x) != HS_OK) {
		zn_out_free(o);
		tp_tsig_ctx_free(ctx);
		free(x);
	}
}

int tp_zs_request(tp_zs_t *zs, const tp_peer_addr_t *src, int proto, const uint8_t *msg, size_t len,
                  tp_reply_t *reply)
{
	tp_req_info_t ri;
	char key[TP_TSIG_NAME_MAX] = "", from[80];
	hs_errmsg_t em;
	if (zs == NULL || msg == NULL || reply == NULL)
		return 0;
	if (tp_req_parse(msg, len, &ri) != HS_OK || !ri.has_question ||
	    ((ri.flags >> 11) & 0xf) != OPCODE_QUERY || ri.qtype == T_CHUNK)
		return 0;
	int xfr = ri.qtype == ZN_TYPE_AXFR || ri.qtype == ZN_TYPE_IXFR;
	struct zs_zone *zz = zone_for(zs, ri.qname, ri.qname_len, xfr);
	if (zz == NULL || !zn_zone_loaded(zz->z))
		return 0;
	int has_tsig = tp_tsig_key_name(msg, len, key) == HS_OK;
	/* SIG(0) and other additional records are the transport's */
	if (ri.arcount > (unsigned)(ri.has_opt ? 1 : 0) + (has_tsig ? 1 : 0))
		return 0;
	struct zs_rq rq = {zs, src, proto, msg, len, reply, NULL, 0};
	zn_query_t q;
	memset(&q, 0, sizeof(q));
	q.id = ri.id;
	q.flags = ri.flags;
	q.qname = ri.qname;
	q.qname_len = ri.qname_len;
	q.qtype = ri.qtype;
	q.qclass = ri.qclass;
	q.has_opt = ri.has_opt;
	q.edns_version = ri.edns_version;
	q.dnssec_ok = ri.has_opt && (ri.edns_flags & 0x8000) != 0;
	q.tcp = proto == TP_EP_TCP;
	zz->st.queries++;
	if (has_tsig) {
		const tp_tsig_key_t *k = zs_key(zs, key);
		int rc = HS_E_NOKEY;
		hs_errmsg_clear(&em);
		if (k != NULL) {
			rq.ctx = tp_tsig_ctx_new(k);
			rc = tp_tsig_verify(rq.ctx, msg, len, &em);
		}
		if (rc != HS_OK) {
			tp_peer_addr_str(src, from, sizeof(from));
			log_notice(ZS_LOG, "request for '%s' from '%s' refused: %s", zz->name, from,
			           k ? hs_errmsg_str(&em) : "unknown TSIG key");
			zz->st.notauth++;
			tp_tsig_ctx_free(rq.ctx);
			rq.ctx = NULL;
			q.limit = answer_limit(&rq);
			send_rcode(&rq, &q, RC_NOTAUTH);
			return 1;
		}
		/* a verified TSIG proves who sent the request */
		rq.accepted = 1;
		tp_reply_accept(reply);
	}
	q.limit = answer_limit(&rq);
	if (xfr) {
		serve_xfr(&rq, zz, &q, key);
		tp_tsig_ctx_free(rq.ctx);
		return 1;
	}
	hs_buf_t m = HS_BUF_INIT;
	zn_snap_t *snap = zn_zone_snapshot(zz->z);
	int rc = zn_answer(snap, &q, &m);
	zn_snap_release(snap);
	if (rc == HS_OK)
		(void)send_answer(&rq, &m);
	else
		tp_reply_drop(reply);
	hs_buf_free(&m);
	tp_tsig_ctx_free(rq.ctx);
	return 1;
}
