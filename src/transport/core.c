/*
 * core.c -- the transport core's life cycle, action queue, tokens, timers
 * and counters.
 */
#include "transport/core_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

static void cfg_defaults(tp_core_cfg_t *c)
{
#define DEF(f, v)                                                                                  \
	if (c->f == 0)                                                                             \
		c->f = (v);
	DEF(inline_limit, 1232);
	DEF(chunk_size, 60000);
	DEF(chunk_tcp_min, 1200);
	DEF(fetch_window, 4);
	DEF(ts_window_s, 300);
	DEF(lifetime_ms, 24ull * 3600 * 1000);
	DEF(retry_min_ms, 2000);
	DEF(retry_max_ms, 60000);
	DEF(attempt_timeout_ms, 30000);
	DEF(fetch_timeout_ms, 60000);
	DEF(max_inflight, 64);
	DEF(budget_rate, 200);
	DEF(budget_burst, 400);
	DEF(unproven_rate, 100);
	DEF(unproven_burst, 200);
	DEF(rrl_rate, 20);
	DEF(rrl_slip, 2);
	DEF(log_interval_ms, 10000);
	DEF(dist_memory, (size_t)64 << 20);
	DEF(fetch_memory, (size_t)64 << 20);
	DEF(prune_interval_ms, 3600ull * 1000);
#undef DEF
	if (c->chunk_size > TP_CHUNK_DATA_MAX)
		c->chunk_size = TP_CHUNK_DATA_MAX;
}

int tp_core_new(tp_core_t **out, const tp_core_cfg_t *cfg, const hs_env_t *env, st_t *store,
                const tp_registry_t *reg, hs_errmsg_t *em)
{
	tp_core_t *c = NULL;
	st_outq_list_t l = {0};
	if (out == NULL || cfg == NULL || env == NULL || store == NULL || reg == NULL ||
	    cfg->identity == NULL || cfg->sig0_key == NULL ||
	    !sig0_key_has_private(cfg->sig0_key) || cfg->hpke_keys == NULL || cfg->nhpke == 0 ||
	    cfg->hpke_keys[0] == NULL)
		return hs_fail(em, HS_E_INVAL, "transport core: identity and keys are required");
	for (size_t i = 0; i < cfg->nhpke; i++)
		if (cfg->hpke_keys[i] == NULL || !hpke_key_has_private(cfg->hpke_keys[i]))
			return hs_fail(em, HS_E_INVAL,
			               "transport core: HPKE key %zu has no private part", i);
	c = xcalloc(1, sizeof(*c));
	c->cfg = *cfg;
	cfg_defaults(&c->cfg);
	int rc = tp_ident_canon(cfg->identity, c->self);
	if (rc == HS_OK)
		rc = tp_name_wire(c->self, c->self_wire, &c->self_wire_len);
	if (rc != HS_OK) {
		rc = hs_fail(em, HS_E_NAME, "transport core: bad identity '%s'", cfg->identity);
		goto cleanup;
	}
	c->cfg.identity = c->self;
	c->env = env;
	c->st = store;
	c->reg = reg;
	c->next_token = 1;
	c->next_prune = core_mono(c) + c->cfg.prune_interval_ms;
	guard_init(c);
	rc = st_outq_pending(store, &l);
	if (rc != HS_OK) {
		hs_fail(em, rc, "transport core: cannot read the outbound queue");
		goto cleanup;
	}
	send_load(c, &l);
	if (l.n > 0)
		log_info(SUB, "'%s': resuming %zu queued messages", c->self, l.n);
	st_outq_list_free(&l);
	send_run(c);
	*out = c;
	return HS_OK;
cleanup:
	tp_core_free(c);
	return rc;
}

void tp_action_clear(tp_action_t *a)
{
	if (a == NULL)
		return;
	free(a->msg);
	memset(a, 0, sizeof(*a));
}

void tp_core_free(tp_core_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->acts_n; i++)
		tp_action_clear(&c->acts[(c->acts_head + i) % c->acts_cap]);
	free(c->acts);
	free(c->toks);
	send_free_all(c);
	while (c->dists)
		dist_drop(c, c->dists->distid);
	fetch_free_all(c);
	done_free_all(c);
	core_pstats_free(c);
	seen_free(c);
	guard_free(c);
	cc_free(c);
	free(c);
}

unsigned tp_test_break_parse(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} rows[] = {
	    {"opt-always", TP_TEST_BREAK_OPT_ALWAYS},
	    {"chunk-replay", TP_TEST_BREAK_CHUNK_REPLAY},
	};
	for (size_t i = 0; name != NULL && i < sizeof(rows) / sizeof(rows[0]); i++)
		if (strcmp(rows[i].name, name) == 0)
			return rows[i].bit;
	return 0;
}

uint16_t core_rand16(tp_core_t *c)
{
	uint8_t b[2] = {0, 0};
	if (c->env->random(c->env->arg, b, 2) != HS_OK)
		b[0] = (uint8_t)c->next_token, b[1] = (uint8_t)(c->next_token >> 8);
	return (uint16_t)(b[0] << 8 | b[1]);
}

uint64_t core_push_action(tp_core_t *c, enum tp_action_kind kind, const char *peer, int prefer_tcp,
                          hs_buf_t *msg)
{
	const tp_peer_t *p = tp_registry_find(c->reg, peer);
	if (c->acts_n == c->acts_cap) {
		size_t ncap = c->acts_cap ? 2 * c->acts_cap : 16;
		tp_action_t *n = xcalloc(ncap, sizeof(*n));
		for (size_t i = 0; i < c->acts_n; i++)
			n[i] = c->acts[(c->acts_head + i) % c->acts_cap];
		free(c->acts);
		c->acts = n;
		c->acts_cap = ncap;
		c->acts_head = 0;
	}
	tp_action_t *a = &c->acts[(c->acts_head + c->acts_n++) % c->acts_cap];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->token = c->next_token++;
	snprintf(a->peer, sizeof(a->peer), "%s", peer);
	if (p != NULL) {
		snprintf(a->addr, sizeof(a->addr), "%s", p->addr);
		a->port = p->port;
	}
	a->prefer_tcp = prefer_tcp;
	a->len = msg->len;
	a->msg = xmalloc(msg->len ? msg->len : 1);
	memcpy(a->msg, msg->data, msg->len);
	hs_buf_reset(msg);
	return a->token;
}

void core_action_msgid(tp_core_t *c, const uint8_t msgid[TP_MSGID_LEN])
{
	if (c->acts_n > 0)
		memcpy(c->acts[(c->acts_head + c->acts_n - 1) % c->acts_cap].msgid, msgid,
		       TP_MSGID_LEN);
}

int tp_core_next_action(tp_core_t *c, tp_action_t *out)
{
	if (c == NULL || out == NULL)
		return HS_E_INVAL;
	if (c->acts_n == 0)
		return HS_E_NOTFOUND;
	*out = c->acts[c->acts_head];
	memset(&c->acts[c->acts_head], 0, sizeof(tp_action_t));
	c->acts_head = (c->acts_head + 1) % c->acts_cap;
	c->acts_n--;
	return HS_OK;
}

int tp_core_has_actions(const tp_core_t *c)
{
	return c != NULL && c->acts_n > 0;
}

void tp_core_store_lost(tp_core_t *c)
{
	if (c != NULL)
		done_free_all(c);
}

tok_t *core_tok_add(tp_core_t *c, uint64_t token, enum tp_action_kind kind)
{
	if (c->ntoks == c->toks_cap) {
		c->toks_cap = c->toks_cap ? 2 * c->toks_cap : 16;
		c->toks = xrealloc(c->toks, c->toks_cap * sizeof(*c->toks));
	}
	tok_t *t = &c->toks[c->ntoks++];
	memset(t, 0, sizeof(*t));
	t->token = token;
	t->kind = kind;
	return t;
}

void core_tok_drop(tp_core_t *c, uint64_t token)
{
	for (size_t i = 0; i < c->ntoks; i++)
		if (c->toks[i].token == token) {
			c->toks[i] = c->toks[--c->ntoks];
			return;
		}
}

int tp_core_on_response(tp_core_t *c, uint64_t token, int status, const uint8_t *resp, size_t len)
{
	if (c == NULL)
		return HS_E_INVAL;
	size_t i = 0;
	while (i < c->ntoks && c->toks[i].token != token)
		i++;
	if (i == c->ntoks)
		return HS_E_NOTFOUND;
	tok_t t = c->toks[i];
	c->toks[i] = c->toks[--c->ntoks];
	if (status == HS_OK && resp == NULL)
		status = HS_E_INVAL;
	if (t.kind == TP_ACT_NOTIFY)
		send_on_response(c, &t, status, resp, len);
	else
		fetch_on_response(c, &t, status, resp, len);
	send_run(c);
	return HS_OK;
}

/* Forget expired replay entries and finished queue rows older than one
 * message lifetime. Failures are logged and retried next time. */
static void prune(tp_core_t *c, uint64_t now)
{
	uint64_t n1 = 0, n2 = 0;
	int64_t wall = core_wall_ms(c);
	c->next_prune = now + c->cfg.prune_interval_ms;
	if (st_replay_prune(c->st, wall / 1000, &n1) != HS_OK ||
	    st_outq_prune(c->st, wall - (int64_t)c->cfg.lifetime_ms, &n2) != HS_OK)
		log_warn(SUB, "'%s': pruning the store failed", c->self);
	else if (n1 + n2 > 0)
		log_debug(SUB, "'%s': pruned %llu replay entries, %llu finished messages", c->self,
		          (unsigned long long)n1, (unsigned long long)n2);
}

void tp_core_tick(tp_core_t *c)
{
	if (c == NULL)
		return;
	uint64_t now = core_mono(c), best = UINT64_MAX;
	if (now >= c->next_prune)
		prune(c, now);
	dist_expire(c, now, &best);
	fetch_run(c, now, &best);
	guard_tick(c, now);
	send_run(c);
}

int tp_core_next_deadline(tp_core_t *c, uint64_t *delay_ms)
{
	if (c == NULL || delay_ms == NULL)
		return HS_E_INVAL;
	uint64_t now = core_mono(c), best = UINT64_MAX;
	send_deadline(c, now, &best);
	for (dist_t *d = c->dists; d; d = d->next)
		if (d->expires_mono < best)
			best = d->expires_mono;
	for (fetch_t *f = c->fetches; f; f = f->next) {
		if (f->deadline < best)
			best = f->deadline;
		if (f->nredo > 0 && f->resume_at < best)
			best = f->resume_at;
	}
	guard_deadline(c, &best);
	if (best == UINT64_MAX)
		return HS_E_NOTFOUND;
	*delay_ms = best > now ? best - now : 0;
	return HS_OK;
}

void tp_core_stats(const tp_core_t *c, tp_core_stats_t *out)
{
	if (c != NULL && out != NULL)
		*out = c->stats;
}

void tp_core_counts(const tp_core_t *c, size_t *pending, size_t *dists, size_t *fetches)
{
	size_t a = 0, b = 0, f = 0;
	if (c != NULL) {
		for (out_item_t *i = c->items; i; i = i->next)
			a++;
		for (dist_t *d = c->dists; d; d = d->next)
			b++;
		for (fetch_t *x = c->fetches; x; x = x->next)
			f++;
	}
	if (pending)
		*pending = a;
	if (dists)
		*dists = b;
	if (fetches)
		*fetches = f;
}
