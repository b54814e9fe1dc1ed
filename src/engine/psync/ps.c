/* ps.c -- the leader's parent synchronisation (ps.h): zones, triggers,
 * the run's steps (PS-62) and the actions out. */
#include "engine/psync/ps_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/query.h"
#include "util/xmalloc.h"
#include "wire/dname.h"
#include "wire/dnsmsg.h"
#include "wire/rdata.h"
#include "wire/text.h"

#define SECT_ANS  (1u << DNSMSG_ANSWER)
#define SECT_AUTH (1u << DNSMSG_AUTHORITY)

static const char *step_name(enum ps_step s)
{
	static const char *const n[] = {
#define X(a, b) b,
	    PS_STEPS(X)
#undef X
	};
	return (size_t)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static uint64_t mono(const ps_t *p)
{
	return p->cfg.env->mono_ms(p->cfg.env->arg);
}

static uint16_t rand16(const ps_t *p)
{
	uint8_t b[2] = {0, 0};
	(void)p->cfg.env->random(p->cfg.env->arg, b, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* ---- actions ---- */

static ps_action_t *act_new(ps_t *p, ps_act_kind_t kind, const ps_zone_t *z)
{
	ps_action_t *a;
	if (p->atail - p->ahead >= PS_MAX_ACTS) /* drop the oldest log line */
		ps_action_clear(&p->acts[p->ahead++ % PS_MAX_ACTS]);
	a = &p->acts[p->atail++ % PS_MAX_ACTS];
	memset(a, 0, sizeof(*a));
	a->msg = (hs_buf_t)HS_BUF_INIT;
	a->kind = kind;
	snprintf(a->zone, sizeof(a->zone), "%s", z->name);
	return a;
}

static void logz(ps_t *p, const ps_zone_t *z, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void logz(ps_t *p, const ps_zone_t *z, int level, const char *fmt, ...)
{
	ps_action_t *a = act_new(p, PS_ACT_LOG, z);
	va_list ap;
	int k = snprintf(a->text, sizeof(a->text), "parent-sync %s: ", z->name);
	va_start(ap, fmt);
	if (k > 0 && (size_t)k < sizeof(a->text))
		vsnprintf(a->text + k, sizeof(a->text) - (size_t)k, fmt, ap);
	va_end(ap);
	a->level = level;
}

int ps_next_action(ps_t *p, ps_action_t *act)
{
	if (p->ahead == p->atail)
		return HS_E_NOTFOUND;
	*act = p->acts[p->ahead++ % PS_MAX_ACTS];
	return HS_OK;
}

void ps_action_clear(ps_action_t *act)
{
	hs_buf_free(&act->msg);
	memset(act, 0, sizeof(*act));
}

static void run_end(ps_t *p, ps_zone_t *z, int ok, int updated, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A query (RD set to the resolver, clear to the parent's server). */
static void query(ps_t *p, ps_zone_t *z, enum ps_step st, const char *name, uint16_t type,
                  const char *addr, uint16_t port)
{
	ps_action_t *a = act_new(p, PS_ACT_QUERY, z);
	tp_question_t q = {.name = name,
	                   .qtype = type,
	                   .qclass = 1,
	                   .opcode = TP_OPCODE_QUERY,
	                   .flags = addr == NULL ? TP_FLAG_RD : 0,
	                   .edns = 1,
	                   .udp_size = 1232};
	z->step = st;
	z->token = a->token = ++p->next_token;
	a->to_resolver = addr == NULL;
	if (addr != NULL)
		snprintf(a->addr, sizeof(a->addr), "%s", addr);
	a->port = port;
	if (tp_msg_build(&q, rand16(p), &a->msg, NULL) != HS_OK) {
		/* an unusable name: the run fails at once */
		a->kind = PS_ACT_LOG;
		hs_buf_free(&a->msg);
		snprintf(a->text, sizeof(a->text), "parent-sync %s: cannot ask '%s'", z->name,
		         name);
		run_end(p, z, 0, 0, "cannot ask '%s' %u", name, (unsigned)type);
	}
}

/* ---- the run ---- */

static void free_rkeys(ps_zone_t *z)
{
	for (size_t i = 0; i < z->nrkeys; i++)
		sig0_key_free(z->rkeys[i]);
	z->nrkeys = 0;
}

static void run_end(ps_t *p, ps_zone_t *z, int ok, int updated, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void run_end(ps_t *p, ps_zone_t *z, int ok, int updated, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(z->outcome, sizeof(z->outcome), fmt, ap);
	va_end(ap);
	z->token = 0;
	z->last_ok = ok;
	z->last_ms = hs_now_ms(p->cfg.env);
	free_rkeys(z);
	if (ok) {
		z->step = PS_ST_IDLE;
		z->backoff = 0;
		z->due = mono(p) + p->cfg.check_ms;
		logz(p, z, updated ? 1 : 0, "%s", z->outcome);
		ps_action_t *a = act_new(p, PS_ACT_DONE, z);
		a->ok = 1;
		a->updated = updated;
		snprintf(a->text, sizeof(a->text), "%s", z->outcome);
	} else {
		/* PS-66: back off, then start again from the walk */
		z->failures++;
		z->backoff = z->backoff == 0
		                 ? p->cfg.backoff_min_ms
		                 : (z->backoff * 2 > p->cfg.backoff_max_ms ? p->cfg.backoff_max_ms
		                                                           : z->backoff * 2);
		z->step = PS_ST_BACKOFF;
		z->due = mono(p) + z->backoff;
		z->pending = 1;
		snprintf(z->why, sizeof(z->why), "retry");
		logz(p, z, 2, "%s; next attempt in %u ms", z->outcome, (unsigned)z->backoff);
	}
}

/* PS-61: only while leading, with margin left on the lease */
static int lead_ok(const ps_t *p, const ps_zone_t *z)
{
	return z->leading && z->until > mono(p) + p->cfg.margin_ms;
}

static void run_start(ps_t *p, ps_zone_t *z)
{
	z->pending = 0;
	z->runs++;
	snprintf(z->last_why, sizeof(z->last_why), "%s", z->why[0] ? z->why : "periodic");
	z->why[0] = '\0';
	z->notify_only = 0;
	z->nhave = 0;
	z->npns = z->ipns = 0;
	free_rkeys(z);
	if (chd_dsync_start(z->name, &z->walk) != HS_OK) {
		run_end(p, z, 0, 0, "'%s' has no parent to ask", z->name);
		return;
	}
	logz(p, z, 0, "run started (%s)", z->last_why);
	query(p, z, PS_ST_DSYNC, z->walk.qname, T_DSYNC, NULL, 0);
}

/* Start what is due. */
static void consider(ps_t *p, ps_zone_t *z)
{
	if (z->token != 0 || !z->have_want)
		return;
	if (z->step == PS_ST_BACKOFF && mono(p) < z->due)
		return;
	if (!z->pending && mono(p) < z->due)
		return;
	if (!lead_ok(p, z)) {
		z->step = PS_ST_IDLE;
		return; /* the trigger stays pending for when we lead */
	}
	run_start(p, z);
}

/* The wanted records as the child library's view. */
static size_t as_chd(const ps_rr_t *rrs, size_t n, chd_rr_t *out)
{
	for (size_t i = 0; i < n; i++) {
		memcpy(out[i].owner, rrs[i].owner, rrs[i].owner_len);
		out[i].owner_len = rrs[i].owner_len;
		out[i].type = rrs[i].type;
		out[i].rdata = rrs[i].rdata;
		out[i].rdlen = rrs[i].rdlen;
	}
	return n;
}

static void send_update(ps_t *p, ps_zone_t *z)
{
	chd_rr_t have[PS_MAX_RRS], want[PS_MAX_RRS];
	hs_upd_rr_t upd[2 * PS_MAX_RRS];
	size_t nh = as_chd(z->have, z->nhave, have), nw = as_chd(z->want, z->nwant, want), n = 0;
	hs_errmsg_t em;

	hs_errmsg_clear(&em);
	if (chd_diff(have, nh, want, nw, p->cfg.ttl, upd, 2 * PS_MAX_RRS, &n) != HS_OK) {
		run_end(p, z, 0, 0, "the difference has more than %u records",
		        (unsigned)(2 * PS_MAX_RRS));
		return;
	}
	if (n == 0) { /* PS-32: an empty difference sends nothing */
		run_end(p, z, 1, 0, "parent in step (%zu records at %s, nothing to send)", nh,
		        z->tgt.parent);
		return;
	}
	if (!lead_ok(p, z)) {
		z->step = PS_ST_IDLE;
		z->token = 0;
		z->pending = 1; /* again when we lead with margin */
		snprintf(z->why, sizeof(z->why), "resumed");
		logz(p, z, 1, "no longer leading with margin: %zu changes left to the next leader",
		     n);
		return;
	}
	ps_action_t *a = act_new(p, PS_ACT_SEND, z);
	if (chd_update_build(z->key, z->tgt.parent, upd, n, rand16(p), hs_now_s(p->cfg.env),
	                     &a->msg, &em) != HS_OK) {
		a->kind = PS_ACT_LOG;
		run_end(p, z, 0, 0, "cannot build the UPDATE: %s", hs_errmsg_str(&em));
		return;
	}
	size_t dels = 0;
	for (size_t i = 0; i < n; i++)
		dels += upd[i].rclass == HS_CLASS_NONE;
	hs_buf_reset(&z->req);
	hs_buf_append(&z->req, a->msg.data, a->msg.len);
	snprintf(a->addr, sizeof(a->addr), "%s", z->taddr);
	a->port = z->tgt.port;
	z->step = PS_ST_UPDATE;
	z->token = a->token = ++p->next_token;
	logz(p, z, 1, "UPDATE to %s (%s port %u): %zu to delete, %zu to add", z->tgt.target,
	     z->taddr, (unsigned)z->tgt.port, dels, n - dels);
}

static void send_notify(ps_t *p, ps_zone_t *z)
{
	ps_action_t *a = act_new(p, PS_ACT_SEND, z);
	tp_question_t q = {.name = z->name,
	                   .qtype = z->nrrtype,
	                   .qclass = 1,
	                   .opcode = TP_OPCODE_NOTIFY,
	                   .flags = TP_FLAG_AA};
	if (tp_msg_build(&q, rand16(p), &a->msg, NULL) != HS_OK) {
		a->kind = PS_ACT_LOG;
		run_end(p, z, 0, 0, "cannot build the NOTIFY");
		return;
	}
	snprintf(a->addr, sizeof(a->addr), "%s", z->taddr);
	a->port = z->nport;
	z->step = PS_ST_NOTIFY;
	z->token = a->token = ++p->next_token;
	logz(p, z, 1, "only the NOTIFY scheme offered: NOTIFY(%s) to %s (%s port %u)",
	     z->nrrtype == T_CDS ? "CDS" : "CSYNC", z->ntarget, z->taddr, (unsigned)z->nport);
}

static int first_addr(const uint8_t *resp, size_t len, const char *name, char *out, size_t n)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl, k = 0;
	int rcode = 0;
	ps_rr_t rr;
	if (hs_name_from_text(name, strlen(name), w, &wl) != HS_OK ||
	    ps_msg_rrs(resp, len, SECT_ANS, w, wl, T_A, &rr, 1, &k, &rcode) == HS_E_MALFORMED ||
	    k == 0 || rr.rdlen != 4)
		return HS_E_NOTFOUND;
	snprintf(out, n, "%u.%u.%u.%u", rr.rdata[0], rr.rdata[1], rr.rdata[2], rr.rdata[3]);
	return HS_OK;
}

static void on_answer(ps_t *p, ps_zone_t *z, int status, const uint8_t *resp, size_t len)
{
	hs_errmsg_t em;
	uint8_t w[WIRE_NAME_MAX];
	size_t wl, n = 0;
	int rcode = 0, rc;

	hs_errmsg_clear(&em);
	z->token = 0;
	if (status != HS_OK)
		resp = NULL, len = 0;
	/* PS-61: every step only while still leading */
	if (!lead_ok(p, z) && z->step != PS_ST_UPDATE && z->step != PS_ST_NOTIFY) {
		logz(p, z, 1, "stopped at step %s: no longer leading with margin",
		     step_name(z->step));
		z->step = PS_ST_IDLE;
		z->pending = 1; /* again when we lead with margin */
		snprintf(z->why, sizeof(z->why), "resumed");
		return;
	}
	switch (z->step) {
	case PS_ST_DSYNC: {
		char nt[CHD_NAME_MAX];
		uint16_t np, nr;
		if (resp != NULL && !z->notify_only &&
		    ps_msg_notify_target(resp, len, nt, sizeof(nt), &np, &nr) == HS_OK) {
			snprintf(z->ntarget, sizeof(z->ntarget), "%s", nt);
			z->nport = np;
			z->nrrtype = nr;
			z->notify_only = 1; /* until an UPDATE scheme is found */
		}
		rc = chd_dsync_next(&z->walk, resp, len, &z->tgt, &em);
		if (rc == HS_E_AGAIN) {
			query(p, z, PS_ST_DSYNC, z->walk.qname, T_DSYNC, NULL, 0);
			return;
		}
		if (rc == HS_OK) {
			z->notify_only = 0;
			logz(p, z, 0, "receiver %s port %u (DSYNC at %s), parent zone %s",
			     z->tgt.target, (unsigned)z->tgt.port, z->tgt.owner, z->tgt.parent);
			query(p, z, PS_ST_TADDR, z->tgt.target, T_A, NULL, 0);
			return;
		}
		if (z->notify_only) {
			query(p, z, PS_ST_TADDR, z->ntarget, T_A, NULL, 0);
			return;
		}
		run_end(p, z, 0, 0, "no receiver: %s", hs_errmsg_str(&em));
		return;
	}
	case PS_ST_TADDR: {
		const char *t = z->notify_only ? z->ntarget : z->tgt.target;
		if (resp == NULL || first_addr(resp, len, t, z->taddr, sizeof(z->taddr)) != HS_OK) {
			run_end(p, z, 0, 0, "no address for the receiver '%s'", t);
			return;
		}
		if (z->notify_only)
			send_notify(p, z);
		else
			query(p, z, PS_ST_TKEY, z->tgt.target, T_KEY, NULL, 0);
		return;
	}
	case PS_ST_TKEY: {
		ps_rr_t rrs[PS_MAX_RKEYS];
		if (resp == NULL ||
		    hs_name_from_text(z->tgt.target, strlen(z->tgt.target), w, &wl) != HS_OK ||
		    ps_msg_rrs(resp, len, SECT_ANS, w, wl, T_KEY, rrs, PS_MAX_RKEYS, &n, &rcode) ==
		        HS_E_MALFORMED)
			n = 0;
		for (size_t i = 0; i < n && z->nrkeys < PS_MAX_RKEYS; i++)
			if (sig0_key_from_rdata(w, wl, rrs[i].rdata, rrs[i].rdlen,
			                        &z->rkeys[z->nrkeys], NULL) == HS_OK)
				z->nrkeys++;
		if (z->nrkeys == 0) {
			run_end(p, z, 0, 0, "no usable KEY at the receiver '%s'", z->tgt.target);
			return;
		}
		query(p, z, PS_ST_PNS, z->tgt.parent, T_NS, NULL, 0);
		return;
	}
	case PS_ST_PNS: {
		ps_rr_t rrs[4];
		if (resp == NULL ||
		    hs_name_from_text(z->tgt.parent, strlen(z->tgt.parent), w, &wl) != HS_OK ||
		    ps_msg_rrs(resp, len, SECT_ANS, w, wl, T_NS, rrs, 4, &n, &rcode) ==
		        HS_E_MALFORMED)
			n = 0;
		for (size_t i = 0; i < n; i++) {
			hs_buf_t b = HS_BUF_INIT;
			hs_name_print(&b, rrs[i].rdata, rrs[i].rdlen);
			snprintf(z->pns[i], sizeof(z->pns[i]), "%s", hs_buf_cstr(&b));
			hs_buf_free(&b);
		}
		z->npns = n;
		z->ipns = 0;
		if (n == 0) {
			run_end(p, z, 0, 0, "no NS for the parent zone %s", z->tgt.parent);
			return;
		}
		query(p, z, PS_ST_PADDR, z->pns[0], T_A, NULL, 0);
		return;
	}
	case PS_ST_PADDR:
		if (resp == NULL ||
		    first_addr(resp, len, z->pns[z->ipns], z->paddr, sizeof(z->paddr)) != HS_OK) {
			if (++z->ipns < z->npns) {
				query(p, z, PS_ST_PADDR, z->pns[z->ipns], T_A, NULL, 0);
				return;
			}
			run_end(p, z, 0, 0, "no address for any NS of %s", z->tgt.parent);
			return;
		}
		query(p, z, PS_ST_HAVE_NS, z->name, T_NS, z->paddr, p->cfg.server_port);
		return;
	case PS_ST_HAVE_NS: {
		size_t g = 0;
		z->nhave = 0;
		/* the referral: NS in the authority (or answer) section, glue in
		 * the additional one (PS-65) */
		if (resp == NULL ||
		    ps_msg_rrs(resp, len, SECT_ANS | SECT_AUTH, z->w, z->wl, T_NS, z->have,
		               PS_MAX_RRS, &z->nhave, &rcode) != HS_OK ||
		    (rcode != 0 && rcode != 3) ||
		    ps_msg_glue(resp, len, z->w, z->wl, z->have + z->nhave, PS_MAX_RRS - z->nhave,
		                &g) != HS_OK) {
			run_end(p, z, 0, 0, "the parent's server %s did not answer the delegation",
			        z->paddr);
			return;
		}
		z->nhave += g;
		if (z->is_signed)
			query(p, z, PS_ST_HAVE_DS, z->name, T_DS, z->paddr, p->cfg.server_port);
		else
			send_update(p, z);
		return;
	}
	case PS_ST_HAVE_DS:
		n = 0;
		if (resp == NULL ||
		    ps_msg_rrs(resp, len, SECT_ANS, z->w, z->wl, T_DS, z->have + z->nhave,
		               PS_MAX_RRS - z->nhave, &n, &rcode) != HS_OK) {
			run_end(p, z, 0, 0, "the parent's server %s did not answer the DS set",
			        z->paddr);
			return;
		}
		z->nhave += n;
		send_update(p, z);
		return;
	case PS_ST_UPDATE: {
		chd_result_t r;
		char rn[16];
		if (resp == NULL) {
			run_end(p, z, 0, 0, "no answer from the receiver %s (%s)", z->tgt.target,
			        hs_strerror(status));
			return;
		}
		rc = chd_response_check(z->req.data, z->req.len, resp, len,
		                        (const sig0_key_t *const *)z->rkeys, z->nrkeys,
		                        hs_now_s(p->cfg.env), &r);
		if (rc != HS_OK) { /* PS-34: does not count */
			run_end(p, z, 0, 0, "the receiver's answer does not count: %s", r.why);
			return;
		}
		if (r.r.rcode != 0) {
			run_end(p, z, 0, 0, "UPDATE refused by %s: %s%s%s (%s)", z->tgt.target,
			        hs_rcode_name(r.r.rcode, rn, sizeof(rn)), r.r.has_ede ? ", " : "",
			        r.r.has_ede ? r.r.ede_text : "", r.meaning);
			return;
		}
		z->updates++;
		run_end(p, z, 1, 1, "parent in step: UPDATE applied by %s (%zu records wanted)",
		        z->tgt.target, z->nwant);
		return;
	}
	case PS_ST_NOTIFY: {
		dnsmsg_hdr_t h;
		if (resp == NULL || dnsmsg_check(resp, len, &h) != HS_OK || !(h.flags & 0x8000) ||
		    (h.flags & 0xf) != 0) {
			run_end(p, z, 0, 0, "NOTIFY to %s not acknowledged", z->ntarget);
			return;
		}
		z->notifies++;
		run_end(p, z, 1, 1, "NOTIFY(%s) acknowledged by %s; the parent's scanner acts",
		        z->nrrtype == T_CDS ? "CDS" : "CSYNC", z->ntarget);
		return;
	}
	default:
		return;
	}
}

/* ---- zones ---- */

static ps_zone_t *find(const ps_t *p, const char *zone)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	if (hs_name_from_text(zone, strlen(zone), w, &wl) != HS_OK)
		return NULL;
	for (size_t i = 0; i < p->nz; i++)
		if (dnsmsg_name_equal(p->z[i]->w, p->z[i]->wl, w, wl))
			return p->z[i];
	return NULL;
}

int ps_new(const ps_cfg_t *cfg, ps_t **out)
{
	ps_t *p;
	if (cfg == NULL || cfg->env == NULL || out == NULL)
		return HS_E_INVAL;
	p = xcalloc(1, sizeof(*p));
	p->cfg = *cfg;
	if (p->cfg.check_ms == 0)
		p->cfg.check_ms = PS_CHECK_DEFAULT;
	if (p->cfg.margin_ms == 0)
		p->cfg.margin_ms = PS_MARGIN_DEFAULT;
	if (p->cfg.backoff_min_ms == 0)
		p->cfg.backoff_min_ms = PS_BACKOFF_MIN;
	if (p->cfg.backoff_max_ms == 0)
		p->cfg.backoff_max_ms = PS_BACKOFF_MAX;
	if (p->cfg.server_port == 0)
		p->cfg.server_port = 53;
	if (p->cfg.ttl == 0)
		p->cfg.ttl = PS_TTL_DEFAULT;
	*out = p;
	return HS_OK;
}

static void zone_free(ps_zone_t *z)
{
	free_rkeys(z);
	free(z->want);
	free(z->have);
	hs_buf_free(&z->req);
	free(z);
}

void ps_free(ps_t *p)
{
	ps_action_t a;
	if (p == NULL)
		return;
	while (ps_next_action(p, &a) == HS_OK)
		ps_action_clear(&a);
	for (size_t i = 0; i < p->nz; i++)
		zone_free(p->z[i]);
	free(p->z);
	free(p);
}

int ps_zone_add(ps_t *p, const char *zone, const sig0_key_t *key, int is_signed)
{
	ps_zone_t *z;
	if (key == NULL)
		return HS_E_INVAL;
	if (find(p, zone) != NULL)
		return HS_E_EXISTS;
	if (p->nz >= PS_MAX_ZONES)
		return HS_E_LIMIT;
	z = xcalloc(1, sizeof(*z));
	if (hs_name_from_text(zone, strlen(zone), z->w, &z->wl) != HS_OK) {
		free(z);
		return HS_E_NAME;
	}
	dnsmsg_name_lower(z->w, z->wl);
	/* PS-69: the agent's own key for the zone, owner the zone */
	size_t kl = 0;
	const uint8_t *ko = sig0_key_owner(key, &kl);
	if (ko == NULL || !dnsmsg_name_equal(ko, kl, z->w, z->wl)) {
		free(z);
		return HS_E_INVAL;
	}
	hs_buf_t b = HS_BUF_INIT;
	hs_name_print(&b, z->w, z->wl);
	snprintf(z->name, sizeof(z->name), "%s", hs_buf_cstr(&b));
	hs_buf_free(&b);
	z->key = key;
	z->is_signed = is_signed;
	z->want = xcalloc(PS_MAX_RRS, sizeof(ps_rr_t));
	z->have = xcalloc(PS_MAX_RRS, sizeof(ps_rr_t));
	z->req = (hs_buf_t)HS_BUF_INIT;
	z->pending = 1;
	snprintf(z->why, sizeof(z->why), "start");
	snprintf(z->outcome, sizeof(z->outcome), "not run yet");
	p->z = xrealloc(p->z, (p->nz + 1) * sizeof(*p->z));
	p->z[p->nz++] = z;
	return HS_OK;
}

int ps_zone_del(ps_t *p, const char *zone)
{
	ps_zone_t *z = find(p, zone);
	if (z == NULL)
		return HS_E_NOTFOUND;
	for (size_t i = 0; i < p->nz; i++)
		if (p->z[i] == z) {
			p->z[i] = p->z[--p->nz];
			break;
		}
	zone_free(z);
	return HS_OK;
}

static int same_set(const ps_rr_t *a, size_t na, const ps_rr_t *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		size_t j;
		for (j = 0; j < nb; j++)
			if (a[i].type == b[j].type && a[i].rdlen == b[j].rdlen &&
			    dnsmsg_name_equal(a[i].owner, a[i].owner_len, b[j].owner,
			                      b[j].owner_len) &&
			    memcmp(a[i].rdata, b[j].rdata, a[i].rdlen) == 0)
				break;
		if (j == nb)
			return 0;
	}
	return 1;
}

static int put(ps_rr_t *set, size_t *n, const chd_rr_t *r, uint16_t type)
{
	if (*n >= PS_MAX_RRS || r->rdlen > sizeof(set[0].rdata))
		return HS_E_LIMIT;
	ps_rr_t *o = &set[*n];
	memcpy(o->owner, r->owner, r->owner_len);
	o->owner_len = r->owner_len;
	dnsmsg_name_lower(o->owner, o->owner_len);
	o->type = type;
	o->rdlen = r->rdlen;
	memcpy(o->rdata, r->rdata, r->rdlen);
	for (size_t i = 0; i < *n; i++)
		if (same_set(&set[i], 1, o, 1))
			return HS_OK;
	(*n)++;
	return HS_OK;
}

/* The NS target (RDATA of an NS record, wire) equal to `name`? */
static int is_ns_target(const chd_rr_t *rrs, size_t n, const ps_zone_t *z, const uint8_t *name,
                        size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (rrs[i].type == T_NS &&
		    dnsmsg_name_equal(rrs[i].owner, rrs[i].owner_len, z->w, z->wl) &&
		    dnsmsg_name_equal(rrs[i].rdata, rrs[i].rdlen, name, len))
			return 1;
	return 0;
}

int ps_want(ps_t *p, const char *zone, const chd_rr_t *rrs, size_t n)
{
	ps_zone_t *z = find(p, zone);
	ps_rr_t *set;
	size_t k = 0;
	int del_ds = 0, rc = HS_OK;

	if (z == NULL)
		return HS_E_NOTFOUND;
	set = xcalloc(PS_MAX_RRS, sizeof(*set));
	for (size_t i = 0; i < n && rc == HS_OK; i++) {
		const chd_rr_t *r = &rrs[i];
		if (r->type == T_NS && dnsmsg_name_equal(r->owner, r->owner_len, z->w, z->wl))
			rc = put(set, &k, r, T_NS);
		else if ((r->type == T_A || r->type == T_AAAA) &&
		         wire_name_under(r->owner, r->owner_len, z->w, z->wl) &&
		         is_ns_target(rrs, n, z, r->owner, r->owner_len))
			rc = put(set, &k, r, r->type); /* PS-63: in-bailiwick glue only */
		else if (r->type == T_CDS && z->is_signed &&
		         dnsmsg_name_equal(r->owner, r->owner_len, z->w, z->wl)) {
			/* RFC 8078 section 4: CDS 0 0 0 00 asks for no DS */
			if (r->rdlen == 5 && r->rdata[0] == 0 && r->rdata[1] == 0 &&
			    r->rdata[2] == 0 && r->rdata[3] == 0 && r->rdata[4] == 0)
				del_ds = 1;
			else
				rc = put(set, &k, r, T_DS);
		}
	}
	if (rc == HS_OK && del_ds) { /* the delete request wins over other CDS */
		size_t j = 0;
		for (size_t i = 0; i < k; i++)
			if (set[i].type != T_DS)
				set[j++] = set[i];
		k = j;
	}
	if (rc != HS_OK) {
		free(set);
		return rc;
	}
	if (!z->have_want || !same_set(set, k, z->want, z->nwant)) {
		if (z->have_want) {
			z->pending = 1;
			snprintf(z->why, sizeof(z->why), "data-changed");
		}
		memcpy(z->want, set, k * sizeof(*set));
		z->nwant = k;
		z->have_want = 1;
		consider(p, z);
	}
	free(set);
	return HS_OK;
}

void ps_leading(ps_t *p, const char *zone, int leading, uint64_t until_mono)
{
	ps_zone_t *z = find(p, zone);
	if (z == NULL)
		return;
	if (leading && !z->leading) {
		z->pending = 1;
		snprintf(z->why, sizeof(z->why), "became-leader");
	}
	z->leading = leading;
	z->until = leading ? until_mono : 0;
	consider(p, z);
}

void ps_trigger(ps_t *p, const char *zone, const char *why)
{
	ps_zone_t *z = find(p, zone);
	if (z == NULL)
		return;
	z->pending = 1;
	snprintf(z->why, sizeof(z->why), "%s", why ? why : "trigger");
	if (z->step == PS_ST_BACKOFF) /* news: try now */
		z->due = 0;
	consider(p, z);
}

void ps_answer(ps_t *p, uint64_t token, int status, const uint8_t *resp, size_t len)
{
	if (token == 0)
		return;
	for (size_t i = 0; i < p->nz; i++)
		if (p->z[i]->token == token) {
			on_answer(p, p->z[i], status, resp, len);
			consider(p, p->z[i]);
			return;
		}
}

void ps_tick(ps_t *p)
{
	for (size_t i = 0; i < p->nz; i++)
		consider(p, p->z[i]);
}

uint64_t ps_next_deadline(const ps_t *p)
{
	uint64_t d = UINT64_MAX;
	for (size_t i = 0; i < p->nz; i++) {
		const ps_zone_t *z = p->z[i];
		if (z->token == 0 && z->have_want && z->leading && z->due < d)
			d = z->due;
	}
	return d;
}

size_t ps_zone_count(const ps_t *p)
{
	return p->nz;
}

static void info(const ps_t *p, const ps_zone_t *z, ps_info_t *o)
{
	memset(o, 0, sizeof(*o));
	o->zone = z->name;
	o->leading = lead_ok(p, z);
	o->state = step_name(z->step);
	o->last_why = z->last_why;
	o->last_ms = z->last_ms;
	o->last_ok = z->last_ok;
	o->outcome = z->outcome;
	o->target = z->tgt.target;
	o->parent = z->tgt.parent;
	o->runs = z->runs;
	o->updates = z->updates;
	o->failures = z->failures;
	o->notifies = z->notifies;
	o->backoff_ms = z->backoff;
	o->nwant = z->nwant;
}

int ps_info_at(const ps_t *p, size_t i, ps_info_t *out)
{
	if (i >= p->nz)
		return HS_E_NOTFOUND;
	info(p, p->z[i], out);
	return HS_OK;
}

int ps_info_get(const ps_t *p, const char *zone, ps_info_t *out)
{
	const ps_zone_t *z = find(p, zone);
	if (z == NULL)
		return HS_E_NOTFOUND;
	info(p, z, out);
	return HS_OK;
}

size_t ps_want_text(const ps_t *p, const char *zone, hs_buf_t *out)
{
	const ps_zone_t *z = find(p, zone);
	hs_buf_t n = HS_BUF_INIT, rd = HS_BUF_INIT;
	if (z == NULL)
		return 0;
	for (size_t i = 0; i < z->nwant; i++) {
		const ps_rr_t *r = &z->want[i];
		hs_buf_reset(&n);
		hs_buf_reset(&rd);
		hs_name_print(&n, r->owner, r->owner_len);
		if (hs_rdata_to_text(r->type, r->rdata, r->rdlen, &rd, NULL) != HS_OK) {
			hs_buf_reset(&rd);
			hs_rdata_generic_print(&rd, r->rdata, r->rdlen);
		}
		hs_buf_printf(out, "%s %s %s\n", hs_buf_cstr(&n),
		              r->type == T_NS     ? "NS"
		              : r->type == T_A    ? "A"
		              : r->type == T_AAAA ? "AAAA"
		                                  : "DS",
		              hs_buf_cstr(&rd));
	}
	hs_buf_free(&n);
	hs_buf_free(&rd);
	return z->nwant;
}
