/*
 * sync_harness.h -- agents with their synchronised data and fake
 * combiners in one process, on one virtual clock (header-only, for the
 * check_sync*.c suites).
 *
 * A fake combiner is a test double of draft-hsync-sync §7, reduced to
 * what the agent sees: it stores the sets its agent sends by UPDATE
 * (SYNC-2 versions), answers each UPDATE with one final CONFIRM (every
 * RR applied, or rejected with a scripted reason when the originator is
 * the scripted one; RRs gone from the previous set removed; duplicates
 * and stale sets answered with what it stores), and answers RFI EDITS and
 * RFI CONFIG. It can be silent (drops everything) or hold its input until
 * released. Every message is logged with its body so tests can replay or
 * compare them.
 */
#ifndef HS_TESTS_ENGINE_SYNC_HARNESS_H
#define HS_TESTS_ENGINE_SYNC_HARNESS_H

#include "engine/harness.h"
#include "engine/syncmsg.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"

#define SN_MAX 6

/* ---- the fake combiner ---- */

typedef struct fc_set {
	char zone[ENG_NAME_MAX], origin[ENG_NAME_MAX];
	char change[SM_CHANGE_LEN + 1];
	uint16_t type;
	uint64_t version;
	size_t n;
	sm_rr_t *rrs; /* with their verdicts */
} fc_set_t;

typedef struct fc_msg {
	char type[16];
	hs_buf_t body;
} fc_msg_t;

typedef struct fc {
	char id[ENG_NAME_MAX];    /* the combiner's identity */
	char agent[ENG_NAME_MAX]; /* its own provider */
	int silent, hold;
	char reject_origin[ENG_NAME_MAX]; /* scripted rejection */
	char reject_reason[SM_REASON_MAX + 1];
	fc_set_t *sets;
	size_t nsets, setcap;
	fc_msg_t *held, *out;
	size_t nheld, nout, heldcap, outcap;
	size_t updates, rfis, dropped;
} fc_t;

static inline fc_set_t *fc_find(fc_t *f, const char *zone, const char *origin, uint16_t type)
{
	for (size_t i = 0; i < f->nsets; i++)
		if (f->sets[i].type == type && strcmp(f->sets[i].zone, zone) == 0 &&
		    strcmp(f->sets[i].origin, origin) == 0)
			return &f->sets[i];
	return NULL;
}

static inline void fc_out(fc_t *f, const char *type, hs_buf_t *body)
{
	if (f->nout == f->outcap) {
		f->outcap = f->outcap ? f->outcap * 2 : 16;
		f->out = xrealloc(f->out, f->outcap * sizeof(*f->out));
	}
	snprintf(f->out[f->nout].type, sizeof(f->out[0].type), "%s", type);
	f->out[f->nout++].body = *body;
	memset(body, 0, sizeof(*body));
}

static inline void fc_result(sm_confirm_t *c, uint16_t type, uint64_t version, const sm_rr_t *rr,
                             sm_verdict_t v, const char *reason)
{
	sm_result_t *r = &c->results[c->nresults++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->version = version;
	sm_rr_copy(&r->rr, rr);
	r->rr.verdict = v;
	free(r->rr.reason);
	r->rr.reason = reason ? xstrdup(reason) : NULL;
}

static inline int fc_same(const sm_rr_t *a, const sm_rr_t *b)
{
	return a->rdlen == b->rdlen && strcmp(a->owner, b->owner) == 0 &&
	       (a->rdlen == 0 || memcmp(a->rdata, b->rdata, a->rdlen) == 0);
}

static inline void fc_update(fc_t *f, const uint8_t *b, size_t n)
{
	sm_sync_t u;
	sm_confirm_t c;
	hs_buf_t out = HS_BUF_INIT;
	ck_assert_int_eq(sm_sync_decode(b, n, &u, NULL), HS_OK);
	f->updates++;
	memset(&c, 0, sizeof(c));
	strcpy(c.zone, u.zone);
	strcpy(c.origin, u.origin);
	strcpy(c.change, u.change);
	strcpy(c.by, f->id);
	strcpy(c.provider, f->agent);
	c.final = 1;
	c.results = xcalloc(SM_MAX_RESULTS * 2, sizeof(*c.results));
	for (size_t i = 0; i < u.nsets; i++) {
		sm_set_t *s = &u.sets[i];
		fc_set_t *held = fc_find(f, u.zone, u.origin, s->type);
		if (held != NULL && s->version <= held->version) {
			/* SYNC-43: duplicate or stale, answered with what is stored */
			for (size_t j = 0; j < held->n; j++)
				fc_result(&c, held->type, held->version, &held->rrs[j],
				          held->rrs[j].verdict, held->rrs[j].reason);
			continue;
		}
		int reject = strcmp(u.origin, f->reject_origin) == 0;
		sm_rr_t *keep = xcalloc(s->nrrs + 1, sizeof(*keep));
		size_t nkeep = 0;
		for (size_t j = 0; j < s->nrrs; j++) {
			fc_result(&c, s->type, s->version, &s->rrs[j],
			          reject ? SM_V_REJECTED : SM_V_APPLIED,
			          reject ? f->reject_reason : NULL);
			if (!reject) {
				sm_rr_copy(&keep[nkeep], &s->rrs[j]);
				keep[nkeep++].verdict = SM_V_APPLIED;
			}
		}
		if (held == NULL) {
			if (f->nsets == f->setcap) {
				f->setcap = f->setcap ? f->setcap * 2 : 16;
				f->sets = xrealloc(f->sets, f->setcap * sizeof(*f->sets));
			}
			held = &f->sets[f->nsets++];
			memset(held, 0, sizeof(*held));
			strcpy(held->zone, u.zone);
			strcpy(held->origin, u.origin);
			held->type = s->type;
		} else {
			for (size_t j = 0; j < held->n; j++) {
				int still = 0;
				for (size_t k = 0; k < s->nrrs && !still; k++)
					still = fc_same(&held->rrs[j], &s->rrs[k]);
				if (!still)
					fc_result(&c, s->type, s->version, &held->rrs[j],
					          SM_V_REMOVED, NULL);
				sm_rr_clear(&held->rrs[j]);
			}
			free(held->rrs);
		}
		held->rrs = keep;
		held->n = nkeep;
		held->version = s->version;
		strcpy(held->change, u.change);
	}
	ck_assert_int_eq(sm_confirm_encode(&c, &out), HS_OK);
	fc_out(f, "CONFIRM", &out);
	sm_confirm_free(&c);
	sm_sync_free(&u);
}

static inline void fc_edits(fc_t *f, const char *zone)
{
	sm_edits_t ed;
	hs_buf_t out = HS_BUF_INIT;
	memset(&ed, 0, sizeof(ed));
	strcpy(ed.zone, zone);
	ed.serial = 2026010101;
	ed.contrib = xcalloc(f->nsets + 1, sizeof(*ed.contrib));
	for (size_t i = 0; i < f->nsets; i++) {
		fc_set_t *s = &f->sets[i];
		if (strcmp(s->zone, zone) != 0)
			continue;
		sm_contrib_t *ct = &ed.contrib[ed.ncontrib++];
		ct->origin = xstrdup(s->origin);
		ct->type = s->type;
		ct->version = s->version;
		strcpy(ct->change, s->change);
		ct->nrrs = s->n;
		ct->rrs = xcalloc(s->n + 1, sizeof(*ct->rrs));
		for (size_t j = 0; j < s->n; j++)
			sm_rr_copy(&ct->rrs[j], &s->rrs[j]);
	}
	ck_assert_int_eq(sm_edits_encode(&ed, &out), HS_OK);
	fc_out(f, "EDITS", &out);
	sm_edits_free(&ed);
}

static inline void fc_config(fc_t *f, const char *zone)
{
	sm_config_t c;
	hs_buf_t out = HS_BUF_INIT;
	static char prot[] = "alpha.lab.";
	char *protv[] = {prot};
	memset(&c, 0, sizeof(c));
	strcpy(c.zone, zone);
	strcpy(c.provider, f->agent);
	c.nprotected = 1;
	c.protected = protv;
	c.ttl_min = 60;
	c.ttl_max = 604800;
	c.nsmgmt_agent = 1;
	ck_assert_int_eq(sm_config_encode(&c, &out), HS_OK);
	fc_out(f, "CONFIG", &out);
}

static inline void fc_handle(fc_t *f, const char *type, const uint8_t *b, size_t n)
{
	if (f->silent) {
		f->dropped++;
		return;
	}
	if (f->hold) {
		if (f->nheld == f->heldcap) {
			f->heldcap = f->heldcap ? f->heldcap * 2 : 16;
			f->held = xrealloc(f->held, f->heldcap * sizeof(*f->held));
		}
		snprintf(f->held[f->nheld].type, sizeof(f->held[0].type), "%s", type);
		memset(&f->held[f->nheld].body, 0, sizeof(hs_buf_t));
		hs_buf_append(&f->held[f->nheld].body, b, n);
		f->nheld++;
		return;
	}
	if (strcmp(type, "UPDATE") == 0) {
		fc_update(f, b, n);
	} else if (strcmp(type, "RFI") == 0) {
		sm_rfi_t r;
		ck_assert_int_eq(sm_rfi_decode(b, n, &r, NULL), HS_OK);
		f->rfis++;
		for (size_t i = 0; i < r.nzones; i++) {
			if (r.what == SM_RFI_EDITS)
				fc_edits(f, r.zones[i]);
			else if (r.what == SM_RFI_CONFIG)
				fc_config(f, r.zones[i]);
		}
		sm_rfi_free(&r);
	} else {
		ck_abort_msg("fake combiner got a %s", type);
	}
}

/* Process what was held. */
static inline void fc_release(fc_t *f)
{
	fc_msg_t *held = f->held;
	size_t n = f->nheld;
	f->held = NULL;
	f->nheld = f->heldcap = 0;
	f->hold = 0;
	for (size_t i = 0; i < n; i++) {
		fc_handle(f, held[i].type, held[i].body.data, held[i].body.len);
		hs_buf_free(&held[i].body);
	}
	free(held);
}

static inline void fc_free(fc_t *f)
{
	for (size_t i = 0; i < f->nsets; i++) {
		for (size_t j = 0; j < f->sets[i].n; j++)
			sm_rr_clear(&f->sets[i].rrs[j]);
		free(f->sets[i].rrs);
	}
	free(f->sets);
	for (size_t i = 0; i < f->nheld; i++)
		hs_buf_free(&f->held[i].body);
	free(f->held);
	for (size_t i = 0; i < f->nout; i++)
		hs_buf_free(&f->out[i].body);
	free(f->out);
	memset(f, 0, sizeof(*f));
}

/* ---- the network ---- */

typedef struct sn_log {
	uint64_t t; /* mono */
	char from[ENG_NAME_MAX], to[ENG_NAME_MAX], type[16];
	hs_buf_t body;
	int rc; /* of eng_message at the receiver; 1 = not delivered */
} sn_log_t;

typedef struct sn {
	hs_env_fake_t clock;
	eng_t *e[SN_MAX];
	const char *name[SN_MAX];
	const char *comb[SN_MAX]; /* NULL = no combiner */
	const char *sig[SN_MAX];  /* NULL = no signer (set before sn_add) */
	fc_t fc[SN_MAX];
	int down[SN_MAX];
	size_t n;
	uint32_t timeout;
	/* a party that is neither an agent nor a combiner here (a signer):
	 * returns its answer's rc, or -1 when `to` is not it */
	int (*other)(void *arg, const char *from, const char *to, const char *type,
	             const uint8_t *b, size_t n);
	void *other_arg;
	sn_log_t *log;
	size_t nlog, logcap;
	/* each agent's store of its own sets (ENG_ACT_OWN_SET, SYNC-57): the
	 * latest per (zone, type), and the log index at which it was stored */
	eng_sd_own_t **own[SN_MAX];
	size_t *own_at[SN_MAX];
	size_t nown[SN_MAX], capown[SN_MAX];
} sn_t;

#define SN_BEAT 1000

static inline void sn_init(sn_t *net, uint32_t timeout)
{
	memset(net, 0, sizeof(*net));
	hs_env_fake_init(&net->clock, 1795000000000ULL, 7);
	net->timeout = timeout;
}

static inline void sn_new_engine(sn_t *net, size_t i)
{
	eng_cfg_t cfg = {.identity = net->name[i],
	                 .beat_interval_ms = SN_BEAT,
	                 .hello_retry_ms = 500,
	                 .hello_retry_max_ms = 4000,
	                 .combiner = net->comb[i],
	                 .confirm_timeout_ms = net->timeout,
	                 .signer = net->sig[i]};
	ck_assert_int_eq(eng_new(&net->e[i], &cfg, &net->clock.env, NULL), HS_OK);
}

/* An agent and (comb not NULL) its fake combiner. */
static inline size_t sn_add(sn_t *net, const char *agent, const char *comb)
{
	size_t i = net->n++;
	net->name[i] = agent;
	net->comb[i] = comb;
	sn_new_engine(net, i);
	if (comb != NULL) {
		ck_assert_int_eq(eng_name_canon(comb, strlen(comb), net->fc[i].id), HS_OK);
		ck_assert_int_eq(eng_name_canon(agent, strlen(agent), net->fc[i].agent), HS_OK);
	}
	return i;
}

static inline long sn_agent(const sn_t *net, const char *id)
{
	for (size_t i = 0; i < net->n; i++)
		if (strcmp(eng_identity(net->e[i]), id) == 0)
			return (long)i;
	return -1;
}

static inline long sn_comb(const sn_t *net, const char *id)
{
	for (size_t i = 0; i < net->n; i++)
		if (net->comb[i] != NULL && strcmp(net->fc[i].id, id) == 0)
			return (long)i;
	return -1;
}

static inline sn_log_t *sn_note(sn_t *net, const char *from, const char *to, const char *type,
                                const uint8_t *b, size_t n)
{
	if (net->nlog == net->logcap) {
		net->logcap = net->logcap ? net->logcap * 2 : 1024;
		net->log = xrealloc(net->log, net->logcap * sizeof(*net->log));
	}
	sn_log_t *l = &net->log[net->nlog++];
	memset(l, 0, sizeof(*l));
	l->t = net->clock.mono_ms;
	snprintf(l->from, sizeof(l->from), "%s", from);
	snprintf(l->to, sizeof(l->to), "%s", to);
	snprintf(l->type, sizeof(l->type), "%s", type);
	hs_buf_append(&l->body, b, n);
	l->rc = 1;
	return l;
}

/* Agent i stores a version of one of its own sets (the action's). */
static inline void sn_own_keep(sn_t *net, size_t i, eng_action_t *a)
{
	size_t k;
	for (k = 0; k < net->nown[i]; k++)
		if (net->own[i][k]->type == a->own->type &&
		    strcmp(net->own[i][k]->zone, a->own->zone) == 0)
			break;
	if (k == net->nown[i]) {
		if (k == net->capown[i]) {
			net->capown[i] = k ? 2 * k : 8;
			net->own[i] = xrealloc(net->own[i], net->capown[i] * sizeof(*net->own[i]));
			net->own_at[i] =
			    xrealloc(net->own_at[i], net->capown[i] * sizeof(*net->own_at[i]));
		}
		net->nown[i]++;
	} else {
		eng_sd_own_free(net->own[i][k]);
	}
	net->own[i][k] = a->own;
	net->own_at[i][k] = net->nlog;
	a->own = NULL;
}

/* Agent i's stored own set of (zone, type), or NULL. */
static inline const eng_sd_own_t *sn_own(const sn_t *net, size_t i, const char *zone, uint16_t type,
                                         size_t *at)
{
	for (size_t k = 0; k < net->nown[i]; k++)
		if (net->own[i][k]->type == type && strcmp(net->own[i][k]->zone, zone) == 0) {
			if (at != NULL)
				*at = net->own_at[i][k];
			return net->own[i][k];
		}
	return NULL;
}

/* Deliver every pending action and combiner answer once. */
static inline size_t sn_pump(sn_t *net)
{
	size_t handled = 0;
	for (size_t i = 0; i < net->n; i++) {
		eng_action_t a;
		while (eng_next_action(net->e[i], &a) == HS_OK) {
			handled++;
			if (a.kind == ENG_ACT_SEND) {
				sn_log_t *l = sn_note(net, eng_identity(net->e[i]), a.peer,
				                      a.type_name, a.body, a.len);
				if (a.type == ENG_MSG_BEAT)
					hs_buf_free(&l->body); /* many, never looked at */
				long to = sn_agent(net, a.peer), c = sn_comb(net, a.peer);
				int ok = 0;
				if (to >= 0 && !net->down[i] && !net->down[to]) {
					l->rc = eng_message(net->e[to], eng_identity(net->e[i]),
					                    a.type_name, a.body, a.len);
					ok = 1;
				} else if (c >= 0 && !net->down[i]) {
					ck_assert_int_eq(c, (long)i); /* only its own agent */
					fc_handle(&net->fc[c], a.type_name, a.body, a.len);
					l->rc = HS_OK;
					ok = 1;
				} else if (to < 0 && c < 0 && net->other != NULL && !net->down[i]) {
					int r = net->other(net->other_arg, eng_identity(net->e[i]),
					                   a.peer, a.type_name, a.body, a.len);
					if (r != -1) {
						l->rc = r;
						ok = 1;
					}
				}
				/* the engine tracks at most 4096 sends (bursts of
				 * thousands of zones outrun it): NOTFOUND is fine */
				int src = eng_send_result(net->e[i], a.msgid, ok);
				ck_assert(src == HS_OK || src == HS_E_NOTFOUND);
			} else if (a.kind == ENG_ACT_DISCOVER) {
				int known = sn_agent(net, a.peer) >= 0;
				ck_assert_int_eq(
				    eng_peer_discovered(net->e[i], a.peer, known,
				                        known ? NULL : "no such agent"),
				    HS_OK);
			} else if (a.kind == ENG_ACT_OWN_SET) {
				sn_own_keep(net, i, &a);
			}
			eng_action_clear(&a);
		}
		fc_t *f = &net->fc[i];
		for (size_t k = 0; net->comb[i] != NULL && k < f->nout; k++) {
			handled++;
			sn_log_t *l = sn_note(net, f->id, f->agent, f->out[k].type,
			                      f->out[k].body.data, f->out[k].body.len);
			if (!net->down[i])
				l->rc = eng_message(net->e[i], f->id, f->out[k].type,
				                    f->out[k].body.data, f->out[k].body.len);
			hs_buf_free(&f->out[k].body);
		}
		f->nout = 0;
	}
	return handled;
}

static inline void sn_settle(sn_t *net)
{
	while (sn_pump(net) > 0)
		;
}

/* Run `ms` of virtual time, pumping and ticking. */
static inline void sn_run(sn_t *net, uint64_t ms)
{
	uint64_t end = net->clock.mono_ms + ms;
	for (;;) {
		sn_settle(net);
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < net->n; i++) {
			uint64_t d = eng_next_deadline(net->e[i]);
			if (d < next)
				next = d;
		}
		if (next > end)
			next = end;
		if (next <= net->clock.mono_ms)
			next = net->clock.mono_ms + 1;
		if (next > net->clock.mono_ms)
			hs_env_fake_advance(&net->clock, next - net->clock.mono_ms);
		for (size_t i = 0; i < net->n; i++)
			(void)eng_tick(net->e[i]);
		sn_settle(net);
		if (net->clock.mono_ms >= end)
			break;
	}
}

static inline void sn_free(sn_t *net)
{
	for (size_t i = 0; i < net->n; i++) {
		eng_free(net->e[i]);
		fc_free(&net->fc[i]);
		for (size_t k = 0; k < net->nown[i]; k++)
			eng_sd_own_free(net->own[i][k]);
		free(net->own[i]);
		free(net->own_at[i]);
	}
	for (size_t i = 0; i < net->nlog; i++)
		hs_buf_free(&net->log[i].body);
	free(net->log);
}

/* Messages logged since index `from` matching (NULL = any). */
static inline size_t sn_count(const sn_t *net, size_t since, const char *src, const char *dst,
                              const char *type)
{
	size_t c = 0;
	for (size_t i = since; i < net->nlog; i++) {
		const sn_log_t *l = &net->log[i];
		if ((src == NULL || strcmp(l->from, src) == 0) &&
		    (dst == NULL || strcmp(l->to, dst) == 0) &&
		    (type == NULL || strcmp(l->type, type) == 0))
			c++;
	}
	return c;
}

/* The last logged message matching, or NULL. */
static inline const sn_log_t *sn_last(const sn_t *net, const char *src, const char *dst,
                                      const char *type)
{
	for (size_t i = net->nlog; i-- > 0;) {
		const sn_log_t *l = &net->log[i];
		if ((src == NULL || strcmp(l->from, src) == 0) &&
		    (dst == NULL || strcmp(l->to, dst) == 0) &&
		    (type == NULL || strcmp(l->type, type) == 0))
			return l;
	}
	return NULL;
}

/* ---- records and views ---- */

/* NS RDATA of a target name. */
static inline hs_buf_t sn_ns(const char *target)
{
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(hs_ldns_rdata_from_text(2, target, &b, NULL), HS_OK);
	return b;
}

/* Add (add 1) or delete one NS of `e`'s own set, TTL 3600. */
static inline int sn_edit_ns(eng_t *e, const char *zone, const char *target, int add,
                             hs_errmsg_t *em)
{
	hs_buf_t b = sn_ns(target);
	eng_sd_rr_t rr = {.owner = zone, .ttl = 3600, .rdata = b.data, .rdlen = b.len};
	int rc = add ? eng_sd_add_rr(e, zone, 2, &rr, em) : eng_sd_del_rr(e, zone, 2, &rr, em);
	hs_buf_free(&b);
	return rc;
}
#define sn_add_ns(e, z, t, em) sn_edit_ns(e, z, t, 1, em)
#define sn_del_ns(e, z, t, em) sn_edit_ns(e, z, t, 0, em)

/* Make `e`'s own NS set the one record `target`. */
static inline void sn_set_own_ns(eng_t *e, const char *zone, const char *target, uint32_t ttl)
{
	hs_buf_t b = sn_ns(target);
	eng_sd_rr_t rr = {.owner = zone, .ttl = ttl, .rdata = b.data, .rdlen = b.len};
	ck_assert_int_eq(eng_sd_set_own(e, zone, 2, &rr, 1, NULL), HS_OK);
	hs_buf_free(&b);
}

/* Agent i restarts with empty state (and, fresh_combiner, its combiner
 * too) and loads `zone` again. */
static inline void sn_restart(sn_t *net, size_t i, const char *zone, const char *const *h3,
                              const char *const *param, int fresh_combiner)
{
	eng_free(net->e[i]);
	if (fresh_combiner) {
		fc_t fresh;
		memset(&fresh, 0, sizeof(fresh));
		strcpy(fresh.id, net->fc[i].id);
		strcpy(fresh.agent, net->fc[i].agent);
		fc_free(&net->fc[i]);
		net->fc[i] = fresh;
	}
	sn_new_engine(net, i);
	h_load(net->e[i], zone, h3, param);
}

/* Agent i is killed: its engine is gone, and what its combiner holds
 * unprocessed (the transport's queue) is lost. It restarts with the own
 * sets it stored (SYNC-57), given back before the zone is loaded. */
static inline void sn_kill_restart_own(sn_t *net, size_t i, const char *zone, const char *const *h3,
                                       const char *const *param)
{
	fc_t *f = &net->fc[i];
	eng_free(net->e[i]);
	for (size_t k = 0; k < f->nheld; k++)
		hs_buf_free(&f->held[k].body);
	f->nheld = 0;
	f->hold = 0;
	sn_new_engine(net, i);
	for (size_t k = 0; k < net->nown[i]; k++) {
		const eng_sd_own_t *o = net->own[i][k];
		ck_assert_int_eq(eng_sd_restore_own(net->e[i], o->zone, o->type, o->version,
		                                    o->change, o->rrs, o->nrrs, NULL),
		                 HS_OK);
	}
	h_load(net->e[i], zone, h3, param);
}

/* The view's record of `origin` with RDATA text `rdata`, or NULL. */
static inline const eng_sd_rr_info_t *sn_find(const eng_sd_view_t *v, const char *origin,
                                              const char *rdata)
{
	for (size_t i = 0; i < v->nrrs; i++)
		if (strcmp(v->rrs[i].origin, origin) == 0 &&
		    strcmp(v->rrs[i].rdata_text, rdata) == 0)
			return &v->rrs[i];
	return NULL;
}

/* State of a record at agent i; -1 when it does not hold it. */
static inline int sn_state(const sn_t *net, size_t i, const char *zone, const char *origin,
                           const char *rdata)
{
	eng_sd_view_t *v = NULL;
	ck_assert_int_eq(eng_sd_view(net->e[i], zone, &v), HS_OK);
	const eng_sd_rr_info_t *r = sn_find(v, origin, rdata);
	int s = r ? (int)r->state : -1;
	eng_sd_view_free(v);
	return s;
}

/* The verdict record of `provider` on a record, copied out. */
typedef struct sn_vd {
	int found, have;
	sm_verdict_t verdict;
	char by[ENG_NAME_MAX];
	char reason[SM_REASON_MAX + 1];
	int unconfirmed;
} sn_vd_t;

static inline sn_vd_t sn_verdict(const sn_t *net, size_t i, const char *zone, const char *origin,
                                 const char *rdata, const char *provider)
{
	sn_vd_t out;
	eng_sd_view_t *v = NULL;
	memset(&out, 0, sizeof(out));
	ck_assert_int_eq(eng_sd_view(net->e[i], zone, &v), HS_OK);
	const eng_sd_rr_info_t *r = sn_find(v, origin, rdata);
	for (size_t j = 0; r != NULL && j < r->nverdicts; j++) {
		const eng_sd_verdict_info_t *w = &r->verdicts[j];
		if (strcmp(w->provider, provider) != 0)
			continue;
		out.found = 1;
		out.have = w->have;
		out.verdict = w->verdict;
		snprintf(out.by, sizeof(out.by), "%s", w->by ? w->by : "");
		snprintf(out.reason, sizeof(out.reason), "%s", w->reason ? w->reason : "");
		out.unconfirmed = w->unconfirmed;
	}
	eng_sd_view_free(v);
	return out;
}

/* The records part of the JSON view (counters left out), for
 * "nothing changed" comparisons. */
static inline char *sn_rrs_json(const sn_t *net, size_t i, const char *zone)
{
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(eng_sd_json(net->e[i], zone, &b), HS_OK);
	const char *s = strstr(hs_buf_cstr(&b), "\"rrs\":");
	ck_assert_ptr_nonnull(s);
	char *out = xstrdup(s);
	hs_buf_free(&b);
	return out;
}

#endif
