/* The engine object, its event entry points and its action queue. */
#include "engine/engine_int.h"
#include "engine/elect/el_int.h"
#include "engine/sync/sd_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

#define PEND_MAX 4096

/* The election's L and E: defaults and clamps (el.h, EL-12, EL-20). */
static void elect_cfg(eng_cfg_t *c)
{
	uint32_t L = c->elect_lease_ms ? c->elect_lease_ms : EL_LEASE_DEFAULT;
	L = L < EL_LEASE_MIN ? EL_LEASE_MIN : L > EL_LEASE_MAX ? EL_LEASE_MAX : L;
	uint32_t E = c->elect_vote_ms ? c->elect_vote_ms : L / 8;
	E = E < EL_VOTE_MIN ? EL_VOTE_MIN : E > L / 2 ? L / 2 : E;
	c->elect_lease_ms = L;
	c->elect_vote_ms = E;
}

int eng_new(eng_t **out, const eng_cfg_t *cfg, const hs_env_t *env, hs_errmsg_t *em)
{
	char id[ENG_NAME_MAX];
	if (cfg == NULL || env == NULL || cfg->identity == NULL)
		return hs_fail(em, HS_E_CONFIG, "engine needs an identity and an env");
	if (eng_name_canon(cfg->identity, strlen(cfg->identity), id) != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "identity '%s' is not a valid name", cfg->identity);
	eng_t *e = xcalloc(1, sizeof(*e));
	memcpy(e->identity, id, sizeof(id));
	int rc = sd_new(e, cfg, em);
	if (rc != HS_OK) {
		free(e);
		return rc;
	}
	e->cfg = *cfg;
	e->cfg.identity = e->identity;
	e->cfg.combiner = e->sd->combiner[0] ? e->sd->combiner : NULL;
	e->cfg.signer = e->sd->signer[0] ? e->sd->signer : NULL;
	e->cfg.confirm_timeout_ms = (uint32_t)e->sd->timeout;
	if (!e->cfg.beat_interval_ms)
		e->cfg.beat_interval_ms = 15000;
	if (!e->cfg.hello_retry_ms)
		e->cfg.hello_retry_ms = 2000;
	if (!e->cfg.hello_retry_max_ms)
		e->cfg.hello_retry_max_ms = 60000;
	elect_cfg(&e->cfg);
	e->env = env;
	e->nbuckets = 256;
	e->buckets = xcalloc(e->nbuckets, sizeof(*e->buckets));
	e->next_beat = eng_mono(e) + e->cfg.beat_interval_ms;
	*out = e;
	return HS_OK;
}

void eng_action_clear(eng_action_t *act)
{
	if (act == NULL)
		return;
	free(act->body);
	eng_sd_own_free(act->own);
	memset(act, 0, sizeof(*act));
}

void eng_free(eng_t *e)
{
	if (e == NULL)
		return;
	sd_free(e);
	for (size_t i = 0; i < e->nzones; i++) {
		eng_zone_clear(&e->zones[i]->z);
		free(e->zones[i]);
	}
	free(e->zones);
	free(e->buckets);
	for (size_t i = 0; i < e->npeers; i++) {
		free(e->peers[i]->identity);
		free(e->peers[i]);
	}
	free(e->peers);
	for (size_t i = 0; i < e->ngroups; i++)
		eng_group_free(e->groups[i]);
	free(e->groups);
	for (size_t i = e->ahead; i < e->atail; i++)
		eng_action_clear(&e->acts[i]);
	free(e->acts);
	for (size_t i = 0; i < e->npend; i++)
		free(e->pend[i].peer);
	free(e->pend);
	free(e);
}

void eng_strfmt(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, n, fmt, ap);
	va_end(ap);
}

/* ---- actions ---- */

eng_action_t *eng_push_action(eng_t *e, eng_act_kind_t kind)
{
	if (e->atail == e->acap) {
		if (e->ahead > 0) {
			memmove(e->acts, e->acts + e->ahead,
			        (e->atail - e->ahead) * sizeof(*e->acts));
			e->atail -= e->ahead;
			e->ahead = 0;
		}
		if (e->atail == e->acap) {
			e->acap = e->acap ? e->acap * 2 : 16;
			e->acts = xrealloc(e->acts, e->acap * sizeof(*e->acts));
		}
	}
	eng_action_t *a = &e->acts[e->atail++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

int eng_next_action(eng_t *e, eng_action_t *act)
{
	if (e->ahead == e->atail)
		return HS_E_NOTFOUND;
	*act = e->acts[e->ahead++];
	if (e->ahead == e->atail)
		e->ahead = e->atail = 0;
	return HS_OK;
}

const char *eng_act_kind_name(eng_act_kind_t k)
{
	static const char *const names[] = {
	    "none",           "send",   "discover", "peer-state", "group-operational",
	    "group-degraded", "leader", "own-set"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

uint64_t eng_random_u64(eng_t *e)
{
	uint8_t b[8];
	uint64_t v = 0;
	if (e->env->random(e->env->arg, b, sizeof(b)) != HS_OK)
		b[0] ^= (uint8_t)eng_mono(e); /* still unique enough to match an ack */
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

void eng_send(eng_t *e, const char *peer, eng_msg_type_t type, hs_buf_t *body)
{
	eng_action_t *a = eng_push_action(e, ENG_ACT_SEND);
	eng_strfmt(a->peer, sizeof(a->peer), "%s", peer);
	a->msgid = ++e->next_msgid;
	a->type = type;
	a->type_name = eng_msg_type_name(type);
	a->body = body->data;
	a->len = body->len;
	body->data = NULL;
	body->len = body->cap = 0;
	if (e->npend == PEND_MAX) {
		free(e->pend[0].peer);
		memmove(e->pend, e->pend + 1, (PEND_MAX - 1) * sizeof(*e->pend));
		e->npend--;
	}
	if (e->npend == e->pendcap) {
		e->pendcap = e->pendcap ? e->pendcap * 2 : 16;
		e->pend = xrealloc(e->pend, e->pendcap * sizeof(*e->pend));
	}
	e->pend[e->npend].msgid = a->msgid;
	e->pend[e->npend].peer = xstrdup(peer);
	e->pend[e->npend].type = type;
	e->npend++;
}

int eng_send_result(eng_t *e, uint64_t msgid, int delivered)
{
	for (size_t i = 0; i < e->npend; i++) {
		if (e->pend[i].msgid != msgid)
			continue;
		eng_peer_t *p = eng_peer_find(e, e->pend[i].peer);
		if (p != NULL) {
			if (delivered)
				p->sends_ok++;
			else
				p->sends_failed++;
		}
		if (!delivered)
			log_info("engine", "%s to '%s' was not delivered",
			         eng_msg_type_name(e->pend[i].type), e->pend[i].peer);
		free(e->pend[i].peer);
		e->pend[i] = e->pend[--e->npend];
		return HS_OK;
	}
	return HS_E_NOTFOUND;
}

/* ---- zones ---- */

static size_t zhash(const char *s, size_t nb)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return (size_t)(h % nb);
}

eng_zent_t *eng_zent_find(const eng_t *e, const char *canon)
{
	for (eng_zent_t *z = e->buckets[zhash(canon, e->nbuckets)]; z; z = z->hnext)
		if (strcmp(z->z.name, canon) == 0)
			return z;
	return NULL;
}

static void zent_link(eng_t *e, eng_zent_t *z)
{
	size_t b = zhash(z->z.name, e->nbuckets);
	z->hnext = e->buckets[b];
	e->buckets[b] = z;
}

static void zent_unlink(eng_t *e, eng_zent_t *z)
{
	eng_zent_t **pp = &e->buckets[zhash(z->z.name, e->nbuckets)];
	while (*pp != z)
		pp = &(*pp)->hnext;
	*pp = z->hnext;
}

static void zones_grow(eng_t *e)
{
	if (e->nzones < e->nbuckets * 2)
		return;
	free(e->buckets);
	e->nbuckets *= 4;
	e->buckets = xcalloc(e->nbuckets, sizeof(*e->buckets));
	for (size_t i = 0; i < e->nzones; i++)
		zent_link(e, e->zones[i]);
}

/* Add (+1) or take away (-1) a zone's references to its ON peers. */
static void account_peers(eng_t *e, const eng_zone_t *z, int delta)
{
	if (!z->multi)
		return;
	for (size_t i = 0; i < z->nproviders; i++) {
		const eng_provider_t *pr = &z->providers[i];
		if (!pr->on || strcmp(pr->identity, e->identity) == 0)
			continue;
		eng_peer_t *p = eng_peer_find(e, pr->identity);
		if (delta > 0) {
			if (p == NULL)
				p = eng_peer_add(e, pr->identity);
			p->nzones++;
		} else if (p != NULL && p->nzones > 0) {
			p->nzones--;
		}
	}
}

/* Peers no longer listed ON in any multi-provider zone leave. */
static void peers_prune(eng_t *e, const eng_zone_t *changed, int removed)
{
	for (size_t i = e->npeers; i-- > 0;) {
		eng_peer_t *p = e->peers[i];
		if (p->nzones > 0)
			continue;
		char why[ENG_REASON_MAX + 1];
		const eng_provider_t *pr = changed ? eng_zone_provider(changed, p->identity) : NULL;
		if (removed)
			eng_strfmt(why, sizeof(why), "zone '%s' removed, no shared zone left",
			           changed->name);
		else if (pr != NULL && !pr->on && changed->multi)
			eng_strfmt(why, sizeof(why), "turned OFF in HSYNC3 of zone '%s'",
			           changed->name);
		else if (changed != NULL && !changed->multi)
			eng_strfmt(why, sizeof(why), "zone '%s' is no longer multi-provider (%s)",
			           changed->name, changed->reason_text);
		else
			eng_strfmt(why, sizeof(why), "no longer listed in HSYNC3 of zone '%s'",
			           changed ? changed->name : "?");
		eng_peer_leave(e, i, why);
	}
}

int eng_zone_loaded(eng_t *e, const char *zone, const uint8_t *const *hsync3,
                    const size_t *hsync3_len, size_t n3, const uint8_t *const *param,
                    const size_t *param_len, size_t np, hs_errmsg_t *em)
{
	eng_zone_t z;
	int rc = eng_zone_analyse(zone, e->identity, hsync3, hsync3_len, n3, param, param_len, np,
	                          &z, em);
	if (rc != HS_OK)
		return rc;
	eng_zone_t old;
	eng_group_t *old_group = NULL;
	memset(&old, 0, sizeof(old));
	eng_zent_t *ent = eng_zent_find(e, z.name);
	if (ent != NULL) {
		old = ent->z;
		old_group = ent->group;
	} else {
		ent = xcalloc(1, sizeof(*ent));
		if (e->nzones == e->zcap) {
			e->zcap = e->zcap ? e->zcap * 2 : 64;
			e->zones = xrealloc(e->zones, e->zcap * sizeof(*e->zones));
		}
		ent->idx = e->nzones;
		e->zones[e->nzones++] = ent;
		ent->z = z;
		zent_link(e, ent);
		zones_grow(e);
	}
	/* take the new references before dropping the old ones, so an
	 * unchanged reload neither drops a peer nor dissolves its group */
	ent->z = z;
	account_peers(e, &ent->z, +1);
	ent->group = z.multi ? eng_group_ref(e, &ent->z) : NULL;
	account_peers(e, &old, -1);
	if (old_group != NULL)
		eng_group_unref(e, old_group);
	eng_zone_clear(&old);
	if (z.multi)
		log_info("engine", "zone '%s' is multi-provider (label '%s')", z.name, z.our_label);
	else
		log_info("engine", "zone '%s' is not multi-provider: %s", z.name, z.reason_text);
	peers_prune(e, &ent->z, 0);
	sd_zone_changed(e, ent);
	sd_ks_report(e);
	eng_groups_refresh(e);
	return HS_OK;
}

int eng_zone_removed(eng_t *e, const char *zone)
{
	char canon[ENG_NAME_MAX];
	if (eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return HS_E_NOTFOUND;
	eng_zent_t *ent = eng_zent_find(e, canon);
	if (ent == NULL)
		return HS_E_NOTFOUND;
	account_peers(e, &ent->z, -1);
	if (ent->group != NULL)
		eng_group_unref(e, ent->group);
	ent->group = NULL;
	zent_unlink(e, ent);
	e->zones[ent->idx] = e->zones[--e->nzones];
	e->zones[ent->idx]->idx = ent->idx;
	log_info("engine", "zone '%s' removed", canon);
	peers_prune(e, &ent->z, 1);
	sd_zone_free(ent->sd);
	eng_zone_clear(&ent->z);
	free(ent);
	eng_groups_refresh(e);
	return HS_OK;
}

/* ---- discovery ---- */

int eng_peer_discovered(eng_t *e, const char *identity, int ok, const char *reason)
{
	char canon[ENG_NAME_MAX];
	if (eng_name_canon(identity, strlen(identity), canon) != HS_OK)
		return HS_E_NOTFOUND;
	eng_peer_t *p = eng_peer_find(e, canon);
	if (p == NULL)
		return HS_E_NOTFOUND;
	if (ok) {
		if (p->state == ENG_PEER_NEEDED) {
			eng_peer_set_state(e, p, ENG_PEER_KNOWN,
			                   "discovery found address and keys");
			eng_peer_send_hello(e, p);
		}
	} else {
		/* the retry schedule is discovery's, and discovery logs it */
		eng_strfmt(p->reason, sizeof(p->reason), "discovery failed: %s",
		           reason && reason[0] ? reason : "no reason given");
		log_notice("engine", "peer '%s': %s (state %s)", p->identity, p->reason,
		           eng_peer_state_name(p->state));
	}
	eng_groups_refresh(e);
	return HS_OK;
}

/* ---- messages: one row per type ---- */

typedef int (*eng_handler_fn)(eng_t *e, const char *from, const uint8_t *b, size_t n);

static const struct {
	eng_msg_type_t type;
	eng_handler_fn handler;
	const char *name;
} handlers[] = {
    {ENG_MSG_HELLO, eng_on_hello, "hello"},
    {ENG_MSG_HELLO_ACK, eng_on_hello_ack, "hello-ack"},
    {ENG_MSG_BEAT, eng_on_beat, "beat"},
    {ENG_MSG_SYNC, sd_on_sync, "sync"},
    {ENG_MSG_CONFIRM, sd_on_confirm, "confirm"},
    {ENG_MSG_RFI, sd_on_rfi, "rfi"},
    {ENG_MSG_EDITS, sd_on_edits, "edits"},
    {ENG_MSG_CONFIG, sd_on_config, "config"},
    {ENG_MSG_KEYSTATE, sd_on_keystate, "keystate"},
    {ENG_MSG_ELECT, el_on_elect, "elect"},
};

int eng_message(eng_t *e, const char *from, const char *type, const uint8_t *body, size_t len)
{
	char canon[ENG_NAME_MAX];
	eng_msg_type_t t = eng_msg_type_parse(type);
	if (eng_name_canon(from, strlen(from), canon) != HS_OK)
		return HS_E_REFUSED;
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (handlers[i].type != t)
			continue;
		int rc = handlers[i].handler(e, canon, body, len);
		if (rc != HS_OK) /* the handler logged the refusal at notice */
			log_debug("engine", "%s from '%s' not accepted: %s", handlers[i].name,
			          canon, hs_strerror(rc));
		sd_ks_report(e); /* verdicts that changed go to the signer (KS-13) */
		eng_groups_refresh(e);
		return rc;
	}
	log_info("engine", "message type '%s' from '%s' is not handled here", type, canon);
	return HS_E_UNKNOWN_TYPE;
}

/* ---- time ---- */

int eng_tick(eng_t *e)
{
	uint64_t now = eng_mono(e);
	eng_peer_tick(e, now);
	if (now >= e->next_beat) {
		for (size_t i = 0; i < e->npeers; i++)
			if (e->peers[i]->state >= ENG_PEER_INTRODUCED)
				eng_send_beat(e, e->peers[i]);
		e->next_beat = now + e->cfg.beat_interval_ms;
	}
	sd_tick(e, now);
	eng_groups_refresh(e);
	return HS_OK;
}

void eng_set_beat_interval(eng_t *e, uint32_t ms)
{
	if (ms == 0)
		ms = 15000;
	if (ms == e->cfg.beat_interval_ms)
		return;
	log_notice("engine", "beat interval %u ms -> %u ms", e->cfg.beat_interval_ms, ms);
	e->cfg.beat_interval_ms = ms;
	/* peers judge our silence by the interval we last advertised: tell
	 * them the new one now, before a longer gap could look like an outage */
	e->next_beat = eng_mono(e);
}

uint64_t eng_next_deadline(const eng_t *e)
{
	uint64_t d = eng_peer_deadline(e);
	for (size_t i = 0; i < e->npeers; i++) {
		if (e->peers[i]->state >= ENG_PEER_INTRODUCED) {
			if (e->next_beat < d)
				d = e->next_beat;
			break;
		}
	}
	uint64_t s = sd_deadline(e);
	if (s < d)
		d = s;
	s = el_deadline(e);
	return s < d ? s : d;
}
