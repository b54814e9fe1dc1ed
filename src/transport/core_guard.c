/*
 * core_guard.c -- admission control of requests (draft-hsync-transport
 * section 9.10, "Operating under load"):
 *
 *   - a source is PROVEN when the request came over TCP or carries a
 *     server cookie that verifies (cookie.h); only then can its address
 *     not be spoofed. Proven sources have a verification budget per
 *     address (LOAD-2);
 *   - unproven sources (UDP without a valid server cookie) share one
 *     budget for all of them, and one per /24 or /56. When either is
 *     spent the transport is "under load" and an unproven request gets
 *     no public-key work: BADCOOKIE with a fresh server cookie when it
 *     sent a client cookie, TC=1 otherwise, so that a real peer comes
 *     back proven (LOAD-3);
 *   - every answer to a request that proved nothing (it did not parse,
 *     is unsigned, did not verify, or was not admitted) is unsigned,
 *     minimal and never longer than the request (LOAD-4), and over UDP
 *     rate limited per source with a slip to TC=1 (LOAD-5);
 *   - refusals are logged at the default level, one line per source per
 *     interval with counts (LOAD-6).
 */
#include "transport/core_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/proto.h"

#define RFL_SLOTS    64       /* sources with a log line pending */
#define RFL_LINES    16       /* lines per interval before "other sources" */
#define RRL_OFF      1000000u /* rrl_rate at or above: no limit */
#define UNPROVEN_KEY "unproven"

/* What the log lines count: the refusal classes, then these two. */
enum { RK_BADCOOKIE = TP_ERR_COUNT, RK_TC, RK_N };

struct reflog_ent {
	int used;
	uint8_t key[20]; /* guard_req_t.key; its text only when a line is written */
	size_t keylen;
	uint64_t first; /* mono ms of the first refusal counted */
	uint64_t n[RK_N];
	uint64_t dropped; /* not answered (rate limit) */
	uint64_t sources; /* "other": how many sources were folded in */
};

struct reflog {
	struct reflog_ent e[RFL_SLOTS];
	struct reflog_ent other; /* sources beyond RFL_LINES lines */
	uint64_t window;         /* start of the current line-count window */
	unsigned lines;          /* lines written in it */
};

void guard_init(tp_core_t *c)
{
	sig0_budget_cfg_t bc = {c->cfg.budget_rate, c->cfg.budget_burst, 0};
	hs_rl_cfg_t u = {c->cfg.unproven_rate, c->cfg.unproven_burst, 8};
	hs_rl_cfg_t r = {c->cfg.rrl_rate, c->cfg.rrl_rate, 0};
	c->budget = sig0_budget_new(c->env, &bc);
	c->budget_net = sig0_budget_new(c->env, &bc);
	c->unproven = hs_rl_new(c->env, &u);
	c->rrl = hs_rl_new(c->env, &r);
	c->cookies = tp_cookie_srv_new(c->env, 0);
	c->reflog = xcalloc(1, sizeof(*c->reflog));
}

void guard_free(tp_core_t *c)
{
	sig0_budget_free(c->budget);
	sig0_budget_free(c->budget_net);
	hs_rl_free(c->unproven);
	hs_rl_free(c->rrl);
	tp_cookie_srv_free(c->cookies);
	free(c->reflog);
}

/* ---- classification ------------------------------------------------------ */

/* The text of the source address (a proven source's budget key). */
static const char *guard_addr(guard_req_t *g)
{
	if (g->addr[0] == '\0') {
		if (g->iplen == 0 ||
		    !inet_ntop(g->iplen == 4 ? AF_INET : AF_INET6, g->ip, g->addr, sizeof(g->addr)))
			snprintf(g->addr, sizeof(g->addr), "%s", g->src ? g->src : "?");
	}
	return g->addr;
}

/* The text of its /24 or /56 (an unproven source's budget key). */
static const char *guard_net(guard_req_t *g)
{
	if (g->net[0] == '\0' &&
	    (g->iplen == 0 || sig0_budget_source(guard_addr(g), 24, 56, g->net, sizeof(g->net))))
		snprintf(g->net, sizeof(g->net), "%s", guard_addr(g));
	return g->net;
}

/* The binary form of a source, `n` octets of its address: 'A' or 'N'
 * (whole address or network), the family, the octets; a source that is
 * no address: 'S' and its text. */
static size_t src_bytes(const guard_req_t *g, int whole, size_t n, uint8_t out[20])
{
	if (g->iplen == 0) {
		const char *s = g->src ? g->src : "";
		size_t l = strnlen(s, 19);
		out[0] = 'S';
		memcpy(out + 1, s, l);
		return 1 + l;
	}
	out[0] = (uint8_t)(whole ? 'A' : 'N');
	out[1] = (uint8_t)g->iplen;
	memcpy(out + 2, g->ip, n);
	return 2 + n;
}

size_t guard_src_id(const guard_req_t *g, uint8_t out[20])
{
	return src_bytes(g, 1, g->iplen, out);
}

/* The binary key of `g` for rate limits and log lines: the family and
 * the whole address when proven, its /24 or /56 otherwise. */
static void guard_key(guard_req_t *g)
{
	size_t n = g->iplen == 4 ? (g->proven ? 4 : 3) : (g->proven ? 16 : 7);
	g->keylen = src_bytes(g, g->proven, n, g->key);
}

void guard_classify(tp_core_t *c, const tp_core_req_t *in, dns_req_t *rq, size_t reqlen,
                    guard_req_t *g)
{
	uint32_t now = hs_now_s(c->env);
	memset(g, 0, sizeof(*g));
	g->tcp = in->tcp;
	g->reqlen = reqlen;
	g->src = in->src;
	if (in->iplen == 4 || in->iplen == 16) {
		memcpy(g->ip, in->ip, in->iplen);
		g->iplen = in->iplen;
	} else if (tp_cookie_addr(in->src, g->ip, &g->iplen) != HS_OK) {
		g->iplen = 0;
	}
	if (rq != NULL && rq->has_opt) {
		tp_cookie_t ck;
		int rc = tp_cookie_find(rq->opt_rdata, rq->opt_rdlen, &ck);
		if (rc == HS_E_MALFORMED) {
			g->cookie_malformed = 1;
		} else if (rc == HS_OK) {
			g->verdict = g->iplen
			                 ? tp_cookie_check(c->cookies, &ck, g->ip, g->iplen, now)
			                 : TP_COOKIE_CLIENT_ONLY;
			if (g->verdict == TP_COOKIE_BAD)
				c->stats.cookies_bad++;
			/* every answer to a cookie carries a fresh server cookie
			 * (RFC 7873 section 5.2) */
			rq->has_cookie = 1;
			rq->cookie = ck;
			rq->cookie.server_len = 0;
			if (g->iplen)
				tp_cookie_issue(c->cookies, &rq->cookie, g->ip, g->iplen, now);
		}
	}
	g->proven = g->tcp || g->verdict == TP_COOKIE_VALID;
	guard_key(g);
	if (g->proven)
		c->stats.req_proven++;
	else
		c->stats.req_unproven++;
}

/* ---- log lines ------------------------------------------------------------ */

static const char *kind_name(int k)
{
	if (k == RK_BADCOOKIE)
		return "bad-cookie";
	if (k == RK_TC)
		return "sent-to-tcp";
	return tp_err_class_name(k);
}

/* The text of a source key (guard_key): "192.0.2.7", "192.0.2.0/24". */
static void key_text(const uint8_t *key, size_t keylen, char *out, size_t outlen)
{
	uint8_t a[16] = {0};
	char ip[INET6_ADDRSTRLEN] = "?";
	if (keylen < 2 || key[0] == 'S') {
		snprintf(out, outlen, "%.*s", keylen > 0 ? (int)keylen - 1 : 0,
		         (const char *)key + 1);
		return;
	}
	memcpy(a, key + 2, keylen - 2);
	(void)inet_ntop(key[1] == 4 ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	if (key[0] == 'A')
		snprintf(out, outlen, "%s", ip);
	else
		snprintf(out, outlen, "%s/%d", ip, key[1] == 4 ? 24 : 56);
}

static void rfl_emit(tp_core_t *c, struct reflog_ent *e, uint64_t now)
{
	char src[64];
	key_text(e->key, e->keylen, src, sizeof(src));
	char detail[400];
	size_t off = 0;
	uint64_t total = 0;
	for (int k = 0; k < RK_N; k++) {
		if (e->n[k] == 0)
			continue;
		total += e->n[k];
		int w = snprintf(detail + off, sizeof(detail) - off, "%s%s %llu", off ? ", " : "",
		                 kind_name(k), (unsigned long long)e->n[k]);
		if (w > 0 && (size_t)w < sizeof(detail) - off)
			off += (size_t)w;
	}
	detail[off] = '\0';
	char dropped[64] = "";
	if (e->dropped)
		snprintf(dropped, sizeof(dropped), "; %llu not answered (rate limit)",
		         (unsigned long long)e->dropped);
	unsigned long long secs = (unsigned long long)((now - e->first) / 1000);
	if (e->sources)
		log_notice(SUB,
		           "'%s': refused %llu requests from %llu other sources in %llu s (%s)%s",
		           c->self, (unsigned long long)total, (unsigned long long)e->sources, secs,
		           detail, dropped);
	else
		log_notice(SUB, "'%s': refused %llu requests from '%s' in %llu s (%s)%s", c->self,
		           (unsigned long long)total, src, secs, detail, dropped);
	memset(e, 0, sizeof(*e));
}

/* Write `e`'s line, or fold it into "other sources" when this interval
 * has had its lines already (a flood from many networks must not become
 * a flood of log lines). */
static void rfl_flush(tp_core_t *c, struct reflog_ent *e, uint64_t now)
{
	struct reflog *r = c->reflog;
	if (now - r->window >= c->cfg.log_interval_ms) {
		r->window = now;
		r->lines = 0;
	}
	if (r->lines < RFL_LINES) {
		r->lines++;
		rfl_emit(c, e, now);
		return;
	}
	struct reflog_ent *o = &r->other;
	if (!o->used) {
		o->used = 1;
		o->first = e->first;
	}
	for (int k = 0; k < RK_N; k++)
		o->n[k] += e->n[k];
	o->dropped += e->dropped;
	o->sources++;
	memset(e, 0, sizeof(*e));
}

static void rfl_note(tp_core_t *c, guard_req_t *g, int kind, int dropped)
{
	struct reflog *r = c->reflog;
	struct reflog_ent *e = NULL, *free_slot = NULL, *oldest = NULL;
	uint64_t now = core_mono(c);
	for (size_t i = 0; i < RFL_SLOTS; i++) {
		struct reflog_ent *x = &r->e[i];
		if (!x->used) {
			if (free_slot == NULL)
				free_slot = x;
		} else if (x->keylen == g->keylen && memcmp(x->key, g->key, g->keylen) == 0) {
			e = x;
			break;
		} else if (oldest == NULL || x->first < oldest->first) {
			oldest = x;
		}
	}
	if (e == NULL) {
		e = free_slot != NULL ? free_slot : oldest;
		if (e->used)
			rfl_flush(c, e, now);
		e->used = 1;
		e->first = now;
		memcpy(e->key, g->key, g->keylen);
		e->keylen = g->keylen;
	}
	e->n[kind]++;
	if (dropped)
		e->dropped++;
}

void guard_tick(tp_core_t *c, uint64_t now)
{
	struct reflog *r = c->reflog;
	for (size_t i = 0; i < RFL_SLOTS; i++)
		if (r->e[i].used && now - r->e[i].first >= c->cfg.log_interval_ms)
			rfl_flush(c, &r->e[i], now);
	if (r->other.used && now - r->other.first >= c->cfg.log_interval_ms)
		rfl_emit(c, &r->other, now);
}

void guard_deadline(const tp_core_t *c, uint64_t *best)
{
	const struct reflog *r = c->reflog;
	for (size_t i = 0; i < RFL_SLOTS; i++)
		if (r->e[i].used && r->e[i].first + c->cfg.log_interval_ms < *best)
			*best = r->e[i].first + c->cfg.log_interval_ms;
	if (r->other.used && r->other.first + c->cfg.log_interval_ms < *best)
		*best = r->other.first + c->cfg.log_interval_ms;
}

/* ---- minimal unsigned answers --------------------------------------------- */

struct shape {
	int q, opt, cookie, ede, text;
};

static void put_min(const dns_req_t *rq, unsigned rcode, unsigned ede, int tc,
                    const struct shape *s, hs_buf_t *out)
{
	const char *text = s->text && ede ? hs_ede_text(ede) : NULL;
	size_t tl = text ? strlen(text) : 0;
	uint16_t flags = (uint16_t)(TP_QR | (rq->opcode & 15) << 11 | (rq->flags & TP_RD) |
	                            (tc ? TP_TC : TP_AA) | (rcode & 15));
	hs_buf_reset(out);
	hs_buf_append_u16(out, rq->id);
	hs_buf_append_u16(out, flags);
	hs_buf_append_u16(out, s->q ? 1 : 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, s->opt ? 1 : 0);
	if (s->q)
		hs_buf_append(out, rq->question, rq->question_len);
	if (!s->opt)
		return;
	size_t rdlen = (s->cookie ? 4 + TP_COOKIE_CLIENT_LEN + rq->cookie.server_len : 0) +
	               (s->ede && ede ? 6 + tl : 0);
	hs_buf_append_u8(out, 0);
	hs_buf_append_u16(out, TP_TYPE_OPT);
	hs_buf_append_u16(out, TP_EDNS_SIZE);
	hs_buf_append_u32(out, (uint32_t)((rcode >> 4) & 0xff) << 24);
	hs_buf_append_u16(out, (uint16_t)rdlen);
	if (s->cookie)
		tp_cookie_put(&rq->cookie, out);
	if (s->ede && ede) {
		hs_buf_append_u16(out, TP_OPT_EDE);
		hs_buf_append_u16(out, (uint16_t)(2 + tl));
		hs_buf_append_u16(out, (uint16_t)ede);
		hs_buf_append(out, text, tl);
	}
}

/*
 * The answer in `out`, in the first of these shapes that is no longer
 * than the request (LOAD-4): everything; without the EDE's text; without
 * the cookie (then with the EDE's text, or its code only); the cookie
 * alone; the bare OPT RR; the question alone; the header alone (12
 * octets, never longer than a request). An extended RCODE without its
 * OPT RR becomes REFUSED; a BADCOOKIE without its cookie is useless and
 * becomes TC=1. `force_opt` (TEST ONLY): the first shape, with an OPT RR
 * the request did not have.
 */
static void build_min(const guard_req_t *g, const dns_req_t *rq, unsigned rcode, unsigned ede,
                      int tc, int force_opt, hs_buf_t *out, unsigned *rc_out, int *tc_out)
{
	static const struct shape shapes[] = {
	    /* q, opt, cookie, ede, text */
	    {1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}, {1, 1, 0, 1, 1}, {1, 1, 0, 1, 0},
	    {1, 1, 1, 0, 0}, {1, 1, 0, 0, 0}, {1, 0, 0, 0, 0}, {0, 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct shape s = shapes[i];
		s.q = s.q && rq->has_question;
		s.opt = force_opt || (s.opt && rq->has_opt);
		s.cookie = s.cookie && s.opt && rq->has_cookie;
		unsigned rc = rcode;
		int t = tc;
		if (rc == TP_RCODE_BADCOOKIE && !s.cookie) {
			rc = 0;
			t = 1;
		}
		if (rc > 15 && !s.opt)
			rc = TP_RC_REFUSED;
		put_min(rq, rc, ede, t, &s, out);
		*rc_out = rc;
		*tc_out = t;
		if (out->len <= g->reqlen || force_opt)
			return;
	}
}

/*
 * Response rate limiting over UDP (LOAD-5): one bucket per source (its
 * address when proven, else its network). Over the rate an answer is
 * dropped, except every rrl_slip-th, which goes out as TC=1 so that a
 * real client sharing the network with a flood still reaches us by TCP.
 * 0: send as built; 1: slip to TC=1; 2: drop.
 */
static int rrl(tp_core_t *c, guard_req_t *g)
{
	uint32_t denied = 0;
	if (g->tcp || c->cfg.rrl_rate >= RRL_OFF)
		return 0;
	if (hs_rl_take(c->rrl, g->key, g->keylen, 1, &denied) == HS_OK)
		return 0;
	if (c->cfg.rrl_slip != UINT32_MAX && c->cfg.rrl_slip > 0 && denied % c->cfg.rrl_slip == 0)
		return 1;
	return 2;
}

/* One unauthenticated answer: rate limited, built minimal, counted and
 * logged. `kind` is a refusal class or RK_BADCOOKIE / RK_TC. */
static int answer(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, unsigned rcode, unsigned ede,
                  int tc, int kind, hs_buf_t *out)
{
	int r = rrl(c, g);
	hs_buf_reset(out);
	if (r == 1 && rq->has_question) {
		c->stats.rrl_slipped++;
		rcode = 0;
		ede = 0;
		tc = 1;
	} else if (r != 0) {
		c->stats.rrl_dropped++;
		rfl_note(c, g, kind, 1);
		return HS_OK;
	}
	unsigned rc12 = rcode;
	int t = tc;
	/* TEST ONLY: the OPT RR of RFC 6891 section 7's violation, whatever
	 * the length (hsync-conform must see TP-39 fail) */
	int force_opt = (c->cfg.test_break & TP_TEST_BREAK_OPT_ALWAYS) && !rq->has_opt;
	build_min(g, rq, rcode, ede, tc, force_opt, out, &rc12, &t);
	c->stats.unsigned_sent++;
	if (t)
		c->stats.tc_sent++;
	else if (rc12 == TP_RCODE_BADCOOKIE)
		c->stats.badcookie_sent++;
	else if (rc12 != 0) {
		c->stats.errors_sent++;
		c->stats.errors[dns_err_class(ede)]++;
	}
	rfl_note(c, g, kind, 0);
	return HS_OK;
}

int guard_refuse(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, unsigned rcode, unsigned ede,
                 hs_buf_t *out)
{
	log_debug(SUB, "'%s': request from '%s' refused: rcode %u ede %u (%s source)", c->self,
	          guard_addr(g), rcode, ede, g->proven ? "proven" : "unproven");
	return answer(c, g, rq, rcode, ede, 0, dns_err_class(ede), out);
}

int guard_pressure(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, hs_buf_t *out)
{
	log_debug(SUB, "'%s': unproven request from '%s' not verified under load (%s)", c->self,
	          guard_addr(g), rq->has_cookie ? "BADCOOKIE" : "TC=1");
	if (rq->has_cookie && g->iplen)
		return answer(c, g, rq, TP_RCODE_BADCOOKIE, 0, 0, RK_BADCOOKIE, out);
	return answer(c, g, rq, 0, 0, 1, RK_TC, out);
}

/* ---- budgets ---------------------------------------------------------------- */

int guard_admit(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, hs_buf_t *out)
{
	if (g->proven) {
		if (sig0_budget_check(c->budget, guard_addr(g)) == HS_OK)
			return 0;
		(void)guard_refuse(c, g, rq, TP_RC_REFUSED, HS_EDE_HS_SIG0_RATELIMIT, out);
		return 1;
	}
	if (hs_rl_peek(c->unproven, UNPROVEN_KEY, strlen(UNPROVEN_KEY)) == HS_OK &&
	    sig0_budget_check(c->budget_net, guard_net(g)) == HS_OK)
		return 0;
	(void)guard_pressure(c, g, rq, out);
	return 1;
}

int guard_verify_opts(tp_core_t *c, guard_req_t *g, sig0_verify_opts_t *vo)
{
	if (g->proven) {
		vo->budget = c->budget;
		vo->source = guard_addr(g);
		return 0;
	}
	if (hs_rl_take(c->unproven, UNPROVEN_KEY, strlen(UNPROVEN_KEY), 1, NULL) != HS_OK)
		return 1;
	vo->budget = c->budget_net;
	vo->source = guard_net(g);
	return 0;
}

/* ---- cookies on answers the application builds ---------------------------- */

/* The offset of the OPT RR's RDLEN in `m` and its RDATA's end. */
static int find_opt(const uint8_t *m, size_t len, size_t *rdlen_off, size_t *rdata_end)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	int rc = dnsmsg_open(&it, m, len);
	while (rc == HS_OK && (rc = dnsmsg_next(&it, &rr)) == HS_OK)
		if (rr.section == DNSMSG_ADDITIONAL && rr.type == TP_TYPE_OPT) {
			*rdlen_off = rr.rdata_off - 2;
			*rdata_end = rr.rdata_off + rr.rdlen;
			return HS_OK;
		}
	return HS_E_NOTFOUND;
}

int tp_core_cookie_reply(tp_core_t *c, const char *src, const uint8_t *req, size_t reqlen,
                         hs_buf_t *reply, size_t limit, int *proven)
{
	dns_req_t rq;
	tp_core_req_t in = {.src = src, .limit = limit};
	guard_req_t g;
	hs_buf_t opt = HS_BUF_INIT;
	size_t rdlen_off, end;
	if (proven != NULL)
		*proven = 0;
	if (c == NULL || req == NULL || reply == NULL ||
	    dns_parse_request(req, reqlen, &rq) != HS_OK)
		return HS_E_NOTFOUND;
	uint64_t p0 = c->stats.req_proven, u0 = c->stats.req_unproven;
	guard_classify(c, &in, &rq, reqlen, &g);
	/* not counted with the transport's own requests */
	c->stats.req_proven = p0;
	c->stats.req_unproven = u0;
	if (!rq.has_cookie)
		return HS_E_NOTFOUND;
	if (proven != NULL)
		*proven = g.verdict == TP_COOKIE_VALID;
	tp_cookie_put(&rq.cookie, &opt);
	if (reply->len + opt.len <= limit &&
	    find_opt(reply->data, reply->len, &rdlen_off, &end) == HS_OK) {
		uint16_t rdlen =
		    (uint16_t)(reply->data[rdlen_off] << 8 | reply->data[rdlen_off + 1]);
		size_t tail = reply->len - end;
		hs_buf_append(reply, opt.data, opt.len); /* room; moved into place below */
		memmove(reply->data + end + opt.len, reply->data + end, tail);
		memcpy(reply->data + end, opt.data, opt.len);
		rdlen = (uint16_t)(rdlen + opt.len);
		reply->data[rdlen_off] = (uint8_t)(rdlen >> 8);
		reply->data[rdlen_off + 1] = (uint8_t)rdlen;
	}
	hs_buf_free(&opt);
	return HS_OK;
}
