/* par.c -- the receiver's life cycle, its action queue, the children
 * table, the request dispatch and the views. */
#include "engine/parent/par_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/dname.h"
#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"
#include "wire/text.h"

uint64_t par_mono(const par_t *p)
{
	return p->env->mono_ms(p->env->arg);
}

void par_name_text(const uint8_t *w, size_t wl, char *out, size_t n)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_name_print(&b, w, wl);
	snprintf(out, n, "%s", hs_buf_cstr(&b));
	hs_buf_free(&b);
	for (char *s = out; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static uint32_t or_default(uint32_t v, uint32_t d)
{
	return v ? v : d;
}

int par_new(par_t **out, const par_cfg_t *cfg, st_t *store, const hs_env_t *env, hs_errmsg_t *em)
{
	par_t *p;
	sig0_budget_cfg_t bc;
	int rc;

	if (out == NULL || cfg == NULL || cfg->zone == NULL || store == NULL || env == NULL)
		return hs_fail(em, HS_E_INVAL, "parent: missing argument");
	if (cfg->key == NULL || !sig0_key_has_private(cfg->key))
		return hs_fail(em, HS_E_CONFIG, "parent: the receiver key needs its private half");
	p = xcalloc(1, sizeof(*p));
	p->cfg = *cfg;
	p->st = store;
	p->env = env;
	p->pending_tail = &p->pending;
	p->next_id = 1;
	p->next_token = 1;
	if (hs_name_from_text(cfg->zone, strlen(cfg->zone), p->apex, &p->apex_len) != HS_OK) {
		par_free(p);
		return hs_fail(em, HS_E_CONFIG, "parent: bad zone name '%s'", cfg->zone);
	}
	dnsmsg_name_lower(p->apex, p->apex_len);
	par_name_text(p->apex, p->apex_len, p->zone, sizeof(p->zone));
	p->cfg.zone = p->zone;
	p->cfg.max_ttl = or_default(cfg->max_ttl, 86400);
	p->cfg.src_rate = or_default(cfg->src_rate, 20);
	p->cfg.src_burst = or_default(cfg->src_burst, 40);
	p->cfg.child_rate = or_default(cfg->child_rate, 5);
	p->cfg.child_burst = or_default(cfg->child_burst, 10);
	p->cfg.udp_rate = or_default(cfg->udp_rate, 200);
	p->cfg.udp_burst = or_default(cfg->udp_burst, 400);
	p->cfg.v4_prefix = cfg->v4_prefix ? cfg->v4_prefix : 24;
	p->cfg.v6_prefix = cfg->v6_prefix ? cfg->v6_prefix : 56;
	p->cfg.unsigned_rounds = cfg->unsigned_rounds ? cfg->unsigned_rounds : 3;
	p->cfg.unsigned_interval_s = or_default(cfg->unsigned_interval_s, 60);
	p->cfg.lookup_timeout_s = or_default(cfg->lookup_timeout_s, 30);
	p->cfg.candidate_life_s = or_default(cfg->candidate_life_s, 7 * 86400);
	p->cfg.skew = or_default(cfg->skew, SIG0_DEFAULT_SKEW);
	p->cfg.max_window = or_default(cfg->max_window, SIG0_DEFAULT_MAX_WINDOW);
	p->cfg.scan_min_interval_s = or_default(cfg->scan_min_interval_s, 60);
	p->cfg.ds_ttl = or_default(cfg->ds_ttl, 3600);

	memset(&bc, 0, sizeof(bc));
	bc.rate = p->cfg.src_rate;
	bc.burst = p->cfg.src_burst;
	p->b_src = sig0_budget_new(env, &bc);
	bc.rate = p->cfg.child_rate;
	bc.burst = p->cfg.child_burst;
	p->b_child = sig0_budget_new(env, &bc);
	bc.rate = p->cfg.udp_rate;
	bc.burst = p->cfg.udp_burst;
	bc.max_sources = 1;
	p->b_udp = sig0_budget_new(env, &bc);

	rc = par_keys_load(p, em);
	if (rc != HS_OK) {
		par_free(p);
		return rc;
	}
	hs_log(HS_LOG_NOTICE, PAR_SUB, "receiver for '%s': %zu child%s with keys", p->zone,
	       p->nchildren, p->nchildren == 1 ? "" : "ren");
	*out = p;
	return HS_OK;
}

void par_action_clear(par_action_t *a)
{
	if (a == NULL)
		return;
	hs_buf_free(&a->msg);
	hs_buf_free(&a->store);
	free(a->rrs);
	memset(a, 0, sizeof(*a));
}

void par_free(par_t *p)
{
	if (p == NULL)
		return;
	for (size_t i = p->q.head; i < p->q.n; i++)
		par_action_clear(&p->q.v[i]);
	free(p->q.v);
	while (p->lookups) {
		struct par_lookup *l = p->lookups;
		p->lookups = l->next;
		free(l);
	}
	while (p->pending) {
		struct par_pending *x = p->pending;
		p->pending = x->next;
		free(x);
	}
	for (size_t i = 0; i < p->nchildren; i++) {
		for (size_t k = 0; k < p->children[i].nkeys; k++)
			sig0_key_free(p->children[i].keys[k].key);
		par_scan_free(p->children[i].scan);
	}
	free(p->children);
	sig0_budget_free(p->b_src);
	sig0_budget_free(p->b_child);
	sig0_budget_free(p->b_udp);
	free(p);
}

void par_set_methods(par_t *p, unsigned methods)
{
	p->cfg.methods = methods & HS_BOOT_ALL;
}

const char *par_zone(const par_t *p)
{
	return p->zone;
}

/* ---- actions ---- */

void par_push(par_t *p, par_action_t *a)
{
	struct par_actq *q = &p->q;
	if (q->head > 0 && q->head == q->n) {
		q->head = q->n = 0;
	}
	if (q->n == q->cap) {
		if (q->head > 0) {
			memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(*q->v));
			q->n -= q->head;
			q->head = 0;
		}
		if (q->n == q->cap) {
			q->cap = q->cap ? 2 * q->cap : 16;
			q->v = xrealloc(q->v, q->cap * sizeof(*q->v));
		}
	}
	q->v[q->n++] = *a;
	memset(a, 0, sizeof(*a));
}

int par_next_action(par_t *p, par_action_t *act)
{
	struct par_actq *q = &p->q;
	if (q->head == q->n)
		return HS_E_NOTFOUND;
	*act = q->v[q->head++];
	if (q->head == q->n)
		q->head = q->n = 0;
	return HS_OK;
}

const char *par_act_kind_name(par_act_kind_t k)
{
	switch (k) {
	case PAR_ACT_ANSWER:
		return "answer";
	case PAR_ACT_APPLY:
		return "apply";
	case PAR_ACT_LOOKUP:
		return "lookup";
	}
	return "?";
}

const char *par_lk_kind_name(par_lk_kind_t k)
{
	switch (k) {
	case PAR_LK_DELEG:
		return "delegation";
	case PAR_LK_SECURE:
		return "validated";
	case PAR_LK_DIRECT:
		return "direct";
	case PAR_LK_ADDRS:
		return "addresses";
	case PAR_LK_PARENT_DS:
		return "parent DS";
	}
	return "?";
}

/* ---- children ---- */

static int child_cmp(const struct par_child *c, const char *name)
{
	return strcmp(c->name, name);
}

struct par_child *par_child_find(par_t *p, const char *name)
{
	size_t lo = 0, hi = p->nchildren;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = child_cmp(&p->children[mid], name);
		if (c == 0)
			return &p->children[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct par_child *par_child_find_wire(par_t *p, const uint8_t *w, size_t wl)
{
	char name[PAR_NAME_MAX];
	par_name_text(w, wl, name, sizeof(name));
	return par_child_find(p, name);
}

struct par_child *par_child_make(par_t *p, const uint8_t *w, size_t wl)
{
	char name[PAR_NAME_MAX];
	size_t at = 0;
	struct par_child *c;

	par_name_text(w, wl, name, sizeof(name));
	c = par_child_find(p, name);
	if (c != NULL)
		return c;
	if (p->nchildren == p->capchildren) {
		p->capchildren = p->capchildren ? 2 * p->capchildren : 16;
		p->children = xrealloc(p->children, p->capchildren * sizeof(*p->children));
	}
	while (at < p->nchildren && child_cmp(&p->children[at], name) < 0)
		at++;
	memmove(&p->children[at + 1], &p->children[at], (p->nchildren - at) * sizeof(*c));
	p->nchildren++;
	c = &p->children[at];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	memcpy(c->wire, w, wl);
	c->wlen = wl;
	dnsmsg_name_lower(c->wire, c->wlen);
	return c;
}

/* ---- requests ---- */

/* Is `u` a KeyState inquiry below P (PS-4)? */
static int is_inquiry(const par_t *p, const uint8_t *msg, const hs_upd_t *u)
{
	const uint8_t *d;
	size_t dl;
	if (!u->has_opt || u->zone_len == p->apex_len ||
	    !wire_name_under(u->zone, u->zone_len, p->apex, p->apex_len))
		return 0;
	return hs_edns_opt_find(msg + u->opt_rdata_off, u->opt_rdlen, HS_OPT_KEYSTATE, &d, &dl) !=
	       HS_E_NOTFOUND;
}

int par_request(par_t *p, const uint8_t *msg, size_t len, const char *addr, int tcp, uint64_t *id)
{
	hs_upd_t *u;
	hs_errmsg_t em;
	uint8_t opcode;
	int rc, ours = 0;

	if (len < DNSMSG_HDR_LEN || (msg[2] & 0x80))
		return 0;
	opcode = (uint8_t)((msg[2] >> 3) & 15);
	if (opcode != HS_OPCODE_UPDATE && opcode != HS_OPCODE_QUERY &&
	    !(opcode == HS_OPCODE_NOTIFY && p->cfg.scan))
		return 0;
	u = xcalloc(1, sizeof(*u));
	hs_errmsg_clear(&em);
	rc = hs_upd_parse(msg, len, u, &em);
	if (opcode == HS_OPCODE_NOTIFY) {
		/* NOTIFY(CDS/CDNSKEY/CSYNC) for a name below P is the scanner's (PS-50) */
		if (rc != HS_OK || u->zone_len == p->apex_len ||
		    !wire_name_under(u->zone, u->zone_len, p->apex, p->apex_len) ||
		    (u->zone_type != 59 && u->zone_type != 60 && u->zone_type != 62))
			goto cleanup;
		ours = 1;
		*id = p->next_id++;
		p->stats.requests++;
		p->stats.notifies++;
		(void)par_notify(p, *id, msg, len, u, addr, tcp);
		goto cleanup;
	}
	if (opcode == HS_OPCODE_QUERY) {
		/* only a well-formed inquiry is ours; anything else goes on */
		if (rc != HS_OK || !is_inquiry(p, msg, u))
			goto cleanup;
		ours = 1;
		*id = p->next_id++;
		p->stats.requests++;
		p->stats.inquiries++;
		(void)par_inquiry(p, *id, msg, len, u, addr, tcp);
		goto cleanup;
	}
	ours = 1;
	*id = p->next_id++;
	p->stats.requests++;
	p->stats.updates++;
	if (rc != HS_OK) {
		struct par_ans a;
		/* PS-7: more records than allowed is a scope refusal, the rest
		 * FORMERR; answered from the header alone */
		par_ans_from(&a, msg, len, rc == HS_E_LIMIT ? u : NULL, addr, tcp);
		p->stats.malformed += rc != HS_E_LIMIT;
		p->stats.refused++;
		par_refusal(p, addr, "", hs_errmsg_str(&em),
		            rc == HS_E_LIMIT ? PAR_RC_REFUSED : PAR_RC_FORMERR,
		            rc == HS_E_LIMIT ? HS_EDE_PROHIBITED : HS_EDE_SIG0_FORMAT_ERROR);
		par_answer(p, *id, &a, rc == HS_E_LIMIT ? PAR_RC_REFUSED : PAR_RC_FORMERR,
		           rc == HS_E_LIMIT ? HS_EDE_PROHIBITED : HS_EDE_SIG0_FORMAT_ERROR,
		           hs_errmsg_str(&em), NULL, -1);
		goto cleanup;
	}
	(void)par_update(p, *id, msg, len, u, addr, tcp);
cleanup:
	hs_upd_clear(u);
	free(u);
	return ours;
}

int par_applied(par_t *p, uint64_t id, int rc, const char *why)
{
	struct par_pending **pp = &p->pending, *x;
	char text[300];

	while (*pp && (*pp)->id != id)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return HS_E_NOTFOUND;
	x = *pp;
	*pp = x->next;
	if (p->pending_tail == &x->next)
		p->pending_tail = pp;
	if (rc == HS_OK) {
		p->stats.applied++;
		snprintf(text, sizeof(text), "applied%s%s", why && *why ? ": " : "",
		         why ? why : "");
		if (st_par_decision_finish(p->st, x->decision, "applied", PAR_RC_NOERROR, -1, text,
		                           hs_now_s(p->env)) != HS_OK)
			hs_log(HS_LOG_ERR, PAR_SUB, "child '%s': decision %lld not updated",
			       x->child, (long long)x->decision);
		hs_log(HS_LOG_NOTICE, PAR_SUB, "child '%s': change applied (decision %lld)",
		       x->child, (long long)x->decision);
		if (x->scan)
			par_scan_applied(p, x->child, HS_OK);
		else
			par_answer(p, id, &x->ans, PAR_RC_NOERROR, -1, NULL, NULL, 1);
	} else {
		p->stats.failed++;
		snprintf(text, sizeof(text), "backend: %s", why && *why ? why : hs_strerror(rc));
		if (st_par_decision_finish(p->st, x->decision, "failed", PAR_RC_SERVFAIL,
		                           HS_EDE_OTHER, text, hs_now_s(p->env)) != HS_OK)
			hs_log(HS_LOG_ERR, PAR_SUB, "child '%s': decision %lld not updated",
			       x->child, (long long)x->decision);
		hs_log(HS_LOG_WARN, PAR_SUB, "child '%s': change not applied: %s", x->child, text);
		if (x->scan)
			par_scan_applied(p, x->child, rc);
		else
			par_answer(p, id, &x->ans, PAR_RC_SERVFAIL, HS_EDE_OTHER, text, NULL, 1);
	}
	free(x);
	return HS_OK;
}

/* ---- timers ---- */

void par_tick(par_t *p)
{
	par_boot_tick(p);
	par_scan_tick(p);
}

uint64_t par_next_deadline(const par_t *p)
{
	uint64_t a = par_boot_deadline(p), b = par_scan_deadline(p);
	return a < b ? a : b;
}

/* ---- views ---- */

size_t par_child_count(const par_t *p)
{
	return p->nchildren;
}

static void child_info(const par_t *p, const struct par_child *c, par_child_info_t *out)
{
	static const char *const jobs[] = {"-", "running", "failed", "done"};
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", c->name);
	for (size_t i = 0; i < c->nkeys && i < PAR_MAX_KEYS; i++) {
		const struct par_key *k = &c->keys[i];
		par_key_info_t *ki = &out->keys[out->nkeys++];
		ki->tag = k->tag;
		ki->alg = k->alg;
		ki->state = par_key_state_name(k->state);
		if (k->state == PAR_KEY_CANDIDATE && !par_candidate_live(p, k))
			ki->state = "expired";
		snprintf(ki->source, sizeof(ki->source), "%s", k->source);
		ki->since = k->changed;
	}
	out->bootstrap = jobs[c->job.state];
	par_methods_text(c->job.state == PAR_JOB_RUNNING ? c->job.running : c->job.failed,
	                 out->methods, sizeof(out->methods));
	snprintf(out->detail, sizeof(out->detail), "%s", c->job.why);
	out->last_change = c->last_change;
}

int par_child_at(const par_t *p, size_t i, par_child_info_t *out)
{
	if (i >= p->nchildren)
		return HS_E_RANGE;
	child_info(p, &p->children[i], out);
	return HS_OK;
}

int par_child_get(const par_t *p, const char *name, par_child_info_t *out)
{
	char canon[PAR_NAME_MAX];
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	if (name == NULL || hs_name_from_text(name, strlen(name), w, &wl) != HS_OK)
		return HS_E_NOTFOUND;
	par_name_text(w, wl, canon, sizeof(canon));
	const struct par_child *c = par_child_find((par_t *)p, canon);
	if (c == NULL)
		return HS_E_NOTFOUND;
	child_info(p, c, out);
	return HS_OK;
}

void par_stats(const par_t *p, par_stats_t *out)
{
	*out = p->stats;
}

/* ---- the SVCB bootstrap parameter (PS-3) ---- */

static const struct {
	unsigned bit;
	const char *name;
} methods[] = {
#define BOOT_METHOD(name, bit, mn) {bit, mn},
#include "proto/bootstrap_methods.def"
#undef BOOT_METHOD
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

const char *par_methods_text(unsigned m, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NMETHODS; i++)
		if ((m & methods[i].bit) && used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? "," : "",
			                         methods[i].name);
	return buf;
}

int par_methods_parse(const char *text, unsigned *out)
{
	unsigned m = 0;
	const char *s = text;
	if (text == NULL)
		return HS_E_SYNTAX;
	while (*s) {
		size_t n = strcspn(s, ", \t"), i;
		if (n == 0) {
			s++;
			continue;
		}
		for (i = 0; i < NMETHODS; i++)
			if (strlen(methods[i].name) == n && strncmp(methods[i].name, s, n) == 0)
				break;
		if (i == NMETHODS)
			return HS_E_SYNTAX;
		m |= methods[i].bit;
		s += n;
	}
	*out = m;
	return HS_OK;
}

int par_svcb_rdata(unsigned m, hs_buf_t *out)
{
	char v[64];
	if ((m & HS_BOOT_ALL) == 0)
		return HS_E_INVAL;
	par_methods_text(m & HS_BOOT_ALL, v, sizeof(v));
	hs_buf_append_u16(out, 1); /* ServiceMode */
	hs_buf_append_u8(out, 0);  /* TargetName "." */
	hs_buf_append_u16(out, HS_SVCB_BOOTSTRAP);
	hs_buf_append_u16(out, (uint16_t)strlen(v));
	hs_buf_append(out, v, strlen(v));
	return HS_OK;
}
