/* The combiner object: configuration, zones and sets in memory, loading
 * from the store, the action queue, the message table, and the one
 * function that logs verdict changes. */
#include "engine/combiner/cmb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/rdata.h"
#include "wire/text.h"

/* ---- configuration ---- */

static int apply_cfg(cmb_t *c, const cmb_cfg_t *cfg, hs_errmsg_t *em)
{
	cmb_protect_t prot[CMB_PROTECT_MAX];
	uint32_t lo = cfg->ttl_min ? cfg->ttl_min : CMB_TTL_MIN_DEFAULT;
	uint32_t hi = cfg->ttl_max ? cfg->ttl_max : CMB_TTL_MAX_DEFAULT;
	if (lo > hi)
		return hs_fail(em, HS_E_CONFIG, "ttl-min %u is above ttl-max %u", lo, hi);
	if (cfg->nprotect > CMB_PROTECT_MAX || (cfg->nprotect && cfg->protect == NULL))
		return hs_fail(em, HS_E_CONFIG, "at most %d protected namespaces", CMB_PROTECT_MAX);
	for (size_t i = 0; i < cfg->nprotect; i++) {
		const char *p = cfg->protect[i];
		if (p == NULL || eng_name_canon(p, strlen(p), prot[i].name) != HS_OK ||
		    hs_name_from_text(prot[i].name, strlen(prot[i].name), prot[i].wire,
		                      &prot[i].wlen) != HS_OK)
			return hs_fail(em, HS_E_CONFIG,
			               "protected namespace '%s' is not a valid name", p ? p : "");
	}
	memcpy(c->protect, prot, cfg->nprotect * sizeof(prot[0]));
	c->nprotect = cfg->nprotect;
	c->ttl_min = lo;
	c->ttl_max = hi;
	c->manual = cfg->manual != 0;
	return HS_OK;
}

static int canon_cfg_name(const char *in, const char *what, char out[ENG_NAME_MAX], hs_errmsg_t *em)
{
	if (in == NULL || eng_name_canon(in, strlen(in), out) != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "combiner %s '%s' is not a valid name", what,
		               in ? in : "");
	return HS_OK;
}

/* Turn a stored set into memory; records whose verdict the store cannot
 * hold are skipped (the schema refuses them anyway). */
static void load_set(cmb_t *c, const st_contrib_t *sc)
{
	char zone[ENG_NAME_MAX], origin[ENG_NAME_MAX];
	if (eng_name_canon(sc->zone, strlen(sc->zone), zone) != HS_OK ||
	    eng_name_canon(sc->origin, strlen(sc->origin), origin) != HS_OK ||
	    !sm_change_valid(sc->change)) {
		log_warn(SUB, "stored set of zone '%s' origin '%s' is not usable, skipped",
		         sc->zone, sc->origin);
		return;
	}
	cmb_zone_t *z = cmb_zone_ensure(c, zone);
	cmb_set_t *s = cmb_set_new(origin, sc->type, sc->version, sc->change, sc->updated_ms);
	for (size_t i = 0; i < sc->nrrs; i++) {
		const st_contrib_rr_t *r = &sc->rrs[i];
		sm_verdict_t v;
		if (sm_verdict_parse(r->verdict, &v) != HS_OK || r->rdlen > SM_RDATA_MAX)
			continue;
		cmb_set_push(s, r->owner, r->ttl, r->rdata, (uint16_t)r->rdlen, v,
		             r->reason[0] ? r->reason : NULL, r->approved);
	}
	/* the list comes ordered by (origin, type): appending keeps the order */
	if (z->nsets == z->scap) {
		z->scap = z->scap ? z->scap * 2 : 4;
		z->sets = xrealloc(z->sets, z->scap * sizeof(*z->sets));
	}
	z->sets[z->nsets++] = s;
}

int cmb_new(cmb_t **out, const cmb_cfg_t *cfg, st_t *store, const hs_env_t *env, hs_errmsg_t *em)
{
	cmb_t *c = NULL;
	st_contrib_list_t l = {NULL, 0};
	int rc;
	if (cfg == NULL || store == NULL || env == NULL)
		return hs_fail(em, HS_E_CONFIG,
		               "combiner needs a configuration, a store and an env");
	c = xcalloc(1, sizeof(*c));
	c->st = store;
	c->env = env;
	c->zmap = hs_strmap_new(0);
	if ((rc = canon_cfg_name(cfg->identity, "identity", c->identity, em)) != HS_OK ||
	    (rc = canon_cfg_name(cfg->provider, "provider", c->provider, em)) != HS_OK ||
	    (rc = apply_cfg(c, cfg, em)) != HS_OK)
		goto cleanup;
	rc = st_contrib_list(store, NULL, &l);
	if (rc != HS_OK) {
		hs_fail(em, rc, "cannot load the stored contributions");
		goto cleanup;
	}
	for (size_t i = 0; i < l.n; i++)
		load_set(c, &l.v[i]);
	log_info(SUB, "combiner '%s' for '%s': %zu stored sets in %zu zones", c->identity,
	         c->provider, l.n, c->nzones);
cleanup:
	st_contrib_list_free(&l);
	if (rc != HS_OK) {
		cmb_free(c);
		return rc;
	}
	*out = c;
	return HS_OK;
}

int cmb_configure(cmb_t *c, const cmb_cfg_t *cfg, hs_errmsg_t *em)
{
	char id[ENG_NAME_MAX], prov[ENG_NAME_MAX];
	int rc;
	if (c == NULL || cfg == NULL)
		return HS_E_INVAL;
	if ((rc = canon_cfg_name(cfg->identity, "identity", id, em)) != HS_OK ||
	    (rc = canon_cfg_name(cfg->provider, "provider", prov, em)) != HS_OK)
		return rc;
	if (strcmp(id, c->identity) != 0 || strcmp(prov, c->provider) != 0)
		return hs_fail(em, HS_E_CONFIG,
		               "a running combiner cannot change its identity or"
		               " provider");
	return apply_cfg(c, cfg, em);
}

void cmb_zview_clear(cmb_zview_t *v)
{
	if (v == NULL)
		return;
	eng_zone_clear(&v->an);
	for (size_t i = 0; i < v->nown; i++)
		free(v->own[i].rdata);
	free(v->own);
	memset(v, 0, sizeof(*v));
}

static void zone_free(cmb_zone_t *z)
{
	cmb_zview_clear(&z->v);
	for (size_t i = 0; i < z->nsets; i++)
		cmb_set_free(z->sets[i]);
	free(z->sets);
	hs_buf_free(&z->published);
	free(z);
}

void cmb_action_clear(cmb_action_t *act)
{
	if (act == NULL)
		return;
	free(act->body);
	memset(act, 0, sizeof(*act));
}

void cmb_free(cmb_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nzones; i++)
		zone_free(c->zones[i]);
	free(c->zones);
	hs_strmap_free(c->zmap);
	for (size_t i = c->ahead; i < c->atail; i++)
		cmb_action_clear(&c->acts[i]);
	free(c->acts);
	free(c);
}

/* ---- zones and sets ---- */

cmb_zone_t *cmb_zone_find(const cmb_t *c, const char *canon)
{
	return hs_strmap_get(c->zmap, canon);
}

cmb_zone_t *cmb_zone_ensure(cmb_t *c, const char *canon)
{
	cmb_zone_t *z = cmb_zone_find(c, canon);
	if (z != NULL)
		return z;
	z = xcalloc(1, sizeof(*z));
	snprintf(z->name, sizeof(z->name), "%s", canon);
	if (c->nzones == c->zcap) {
		c->zcap = c->zcap ? c->zcap * 2 : 16;
		c->zones = xrealloc(c->zones, c->zcap * sizeof(*c->zones));
	}
	z->idx = c->nzones;
	c->zones[c->nzones++] = z;
	if (hs_strmap_put(c->zmap, z->name, z) != HS_OK)
		abort(); /* absent a moment ago */
	return z;
}

void cmb_zone_drop_if_empty(cmb_t *c, cmb_zone_t *z)
{
	if (z->v.loaded || z->nsets > 0)
		return;
	(void)hs_strmap_del(c->zmap, z->name);
	c->zones[z->idx] = c->zones[--c->nzones];
	c->zones[z->idx]->idx = z->idx;
	zone_free(z);
}

static int set_cmp_key(const cmb_set_t *s, const char *origin, uint16_t type)
{
	int d = strcmp(s->origin, origin);
	return d ? d : (int)s->type - (int)type;
}

cmb_set_t *cmb_set_find(const cmb_zone_t *z, const char *origin, uint16_t type)
{
	size_t lo = 0, hi = z ? z->nsets : 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = set_cmp_key(z->sets[mid], origin, type);
		if (d == 0)
			return z->sets[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Insert, replace or (neu NULL) remove the set of old's or neu's key. */
static void zone_put_set(cmb_zone_t *z, cmb_set_t *old, cmb_set_t *neu)
{
	const cmb_set_t *k = neu ? neu : old;
	size_t lo = 0, hi = z->nsets;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (set_cmp_key(z->sets[mid], k->origin, k->type) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	int found = lo < z->nsets && set_cmp_key(z->sets[lo], k->origin, k->type) == 0;
	if (found) {
		cmb_set_free(z->sets[lo]);
		if (neu != NULL) {
			z->sets[lo] = neu;
		} else {
			memmove(&z->sets[lo], &z->sets[lo + 1],
			        (z->nsets - lo - 1) * sizeof(*z->sets));
			z->nsets--;
		}
		return;
	}
	if (neu == NULL)
		return;
	if (z->nsets == z->scap) {
		z->scap = z->scap ? z->scap * 2 : 4;
		z->sets = xrealloc(z->sets, z->scap * sizeof(*z->sets));
	}
	memmove(&z->sets[lo + 1], &z->sets[lo], (z->nsets - lo) * sizeof(*z->sets));
	z->sets[lo] = neu;
	z->nsets++;
}

long cmb_set_rr_index(const cmb_set_t *s, const char *owner, const uint8_t *rdata, size_t n)
{
	for (size_t i = 0; s != NULL && i < s->n; i++)
		if (s->rrs[i].rdlen == n && strcmp(s->rrs[i].owner, owner) == 0 &&
		    (n == 0 || memcmp(s->rrs[i].rdata, rdata, n) == 0))
			return (long)i;
	return -1;
}

cmb_set_t *cmb_set_new(const char *origin, uint16_t type, uint64_t version, const char *change,
                       int64_t updated_ms)
{
	cmb_set_t *s = xcalloc(1, sizeof(*s));
	s->origin = xstrdup(origin);
	s->type = type;
	s->version = version;
	snprintf(s->change, sizeof(s->change), "%s", change);
	s->updated_ms = updated_ms;
	return s;
}

void cmb_set_push(cmb_set_t *s, const char *owner, uint32_t ttl, const uint8_t *rdata,
                  uint16_t rdlen, sm_verdict_t v, const char *reason, int approved)
{
	if ((s->n & (s->n - 1)) == 0)
		s->rrs = xrealloc(s->rrs, (s->n ? s->n * 2 : 1) * sizeof(*s->rrs));
	cmb_rr_t *r = &s->rrs[s->n++];
	r->owner = xstrdup(owner);
	r->ttl = ttl;
	r->rdata = rdlen ? xmemdup(rdata, rdlen) : NULL;
	r->rdlen = rdlen;
	r->verdict = v;
	r->reason = reason && reason[0] ? xstrdup(reason) : NULL;
	r->approved = approved;
}

cmb_set_t *cmb_set_dup(const cmb_set_t *s)
{
	cmb_set_t *d = cmb_set_new(s->origin, s->type, s->version, s->change, s->updated_ms);
	for (size_t i = 0; i < s->n; i++) {
		const cmb_rr_t *r = &s->rrs[i];
		cmb_set_push(d, r->owner, r->ttl, r->rdata, r->rdlen, r->verdict, r->reason,
		             r->approved);
	}
	return d;
}

static void rr_clear(cmb_rr_t *r)
{
	free(r->owner);
	free(r->rdata);
	free(r->reason);
}

void cmb_set_remove(cmb_set_t *s, size_t i)
{
	rr_clear(&s->rrs[i]);
	memmove(&s->rrs[i], &s->rrs[i + 1], (s->n - i - 1) * sizeof(*s->rrs));
	s->n--;
}

void cmb_set_free(cmb_set_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		rr_clear(&s->rrs[i]);
	free(s->rrs);
	free(s->origin);
	free(s);
}

/* ---- batches ---- */

void cmb_batch_add(cmb_batch_t *b, cmb_zone_t *z, cmb_set_t *old, cmb_set_t *neu,
                   const cmb_results_t *res)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	b->v[b->n++] = (cmb_change_t){z, old, neu, res};
}

void cmb_batch_drop(cmb_batch_t *b)
{
	for (size_t i = 0; i < b->n; i++)
		cmb_set_free(b->v[i].neu);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static void to_store(const cmb_zone_t *z, const cmb_set_t *s, st_contrib_t *out,
                     st_contrib_rr_t *rrs)
{
	out->zone = (char *)z->name;
	out->origin = s->origin;
	out->type = s->type;
	out->version = s->version;
	out->change = (char *)s->change;
	out->updated_ms = s->updated_ms;
	out->nrrs = s->n;
	out->rrs = rrs;
	for (size_t i = 0; i < s->n; i++) {
		const cmb_rr_t *r = &s->rrs[i];
		rrs[i] = (st_contrib_rr_t){r->owner,
		                           r->ttl,
		                           r->rdata,
		                           r->rdlen,
		                           (char *)sm_verdict_name(r->verdict),
		                           r->reason ? r->reason : "",
		                           r->approved};
	}
}

static int same_reason(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Log every reported verdict of the change's key that differs from the
 * stored one (or is new). */
static void log_change(const cmb_t *c, const cmb_change_t *ch)
{
	const cmb_set_t *k = ch->neu ? ch->neu : ch->old;
	for (size_t i = 0; ch->res != NULL && i < ch->res->n; i++) {
		const sm_result_t *r = &ch->res->v[i];
		if (r->type != k->type)
			continue;
		long j = cmb_set_rr_index(ch->old, r->rr.owner, r->rr.rdata, r->rr.rdlen);
		const cmb_rr_t *o = j >= 0 ? &ch->old->rrs[j] : NULL;
		if (o != NULL && o->verdict == r->rr.verdict &&
		    same_reason(o->reason, r->rr.reason))
			continue;
		cmb_log_verdict(c, ch->z->name, k->origin, k->type, r->rr.rdata, r->rr.rdlen,
		                o ? o->verdict : SM_V_PENDING, o != NULL, r->rr.verdict,
		                r->rr.reason);
	}
}

int cmb_batch_commit(cmb_t *c, cmb_batch_t *b)
{
	st_contrib_t *puts = NULL;
	st_contrib_key_t *dels = NULL;
	st_contrib_rr_t **rrs = NULL;
	size_t np = 0, nd = 0;
	int rc = HS_OK;
	if (b->n == 0)
		goto cleanup;
	puts = xcalloc(b->n, sizeof(*puts));
	dels = xcalloc(b->n, sizeof(*dels));
	rrs = xcalloc(b->n, sizeof(*rrs));
	for (size_t i = 0; i < b->n; i++) {
		const cmb_change_t *ch = &b->v[i];
		if (ch->neu != NULL) {
			rrs[np] = ch->neu->n ? xcalloc(ch->neu->n, sizeof(**rrs)) : NULL;
			to_store(ch->z, ch->neu, &puts[np], rrs[np]);
			np++;
		} else if (ch->old != NULL) {
			dels[nd++] =
			    (st_contrib_key_t){ch->z->name, ch->old->origin, ch->old->type};
		}
	}
	rc = st_contrib_apply(c->st, puts, np, dels, nd);
	if (rc != HS_OK) {
		log_err(SUB, "cannot store %zu contribution changes: %s", b->n, hs_strerror(rc));
		goto cleanup;
	}
	for (size_t i = 0; i < b->n; i++) {
		cmb_change_t *ch = &b->v[i];
		log_change(c, ch);
		if (ch->old != NULL || ch->neu != NULL)
			zone_put_set(ch->z, ch->old, ch->neu);
		ch->neu = NULL; /* owned by the zone now */
	}
cleanup:
	if (rc == HS_OK) { /* counted when they happened, not when prepared */
		c->cnt.rejected_rrs += b->rejected;
		c->cnt.withdrawn += b->withdrawn;
	}
	for (size_t i = 0; rrs && i < np; i++)
		free(rrs[i]);
	free(rrs);
	free(puts);
	free(dels);
	cmb_batch_drop(b);
	return rc;
}

/* ---- actions ---- */

cmb_action_t *cmb_push_action(cmb_t *c, cmb_act_kind_t kind, const char *zone)
{
	if (c->atail == c->acap) {
		if (c->ahead > 0) {
			memmove(c->acts, c->acts + c->ahead,
			        (c->atail - c->ahead) * sizeof(*c->acts));
			c->atail -= c->ahead;
			c->ahead = 0;
		}
		if (c->atail == c->acap) {
			c->acap = c->acap ? c->acap * 2 : 16;
			c->acts = xrealloc(c->acts, c->acap * sizeof(*c->acts));
		}
	}
	cmb_action_t *a = &c->acts[c->atail++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	snprintf(a->zone, sizeof(a->zone), "%s", zone ? zone : "");
	return a;
}

void cmb_send(cmb_t *c, const char *zone, const char *type_name, hs_buf_t *body)
{
	cmb_action_t *a = cmb_push_action(c, CMB_ACT_SEND, zone);
	snprintf(a->peer, sizeof(a->peer), "%s", c->provider);
	a->type_name = type_name;
	a->body = body->data;
	a->len = body->len;
	body->data = NULL;
	body->len = body->cap = 0;
}

int cmb_next_action(cmb_t *c, cmb_action_t *act)
{
	if (c == NULL || act == NULL || c->ahead == c->atail)
		return HS_E_NOTFOUND;
	*act = c->acts[c->ahead++];
	if (c->ahead == c->atail)
		c->ahead = c->atail = 0;
	return HS_OK;
}

const char *cmb_act_kind_name(cmb_act_kind_t k)
{
	static const char *const names[] = {"none", "send", "publish"};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

void cmb_log_verdict(const cmb_t *c, const char *zone, const char *origin, uint16_t type,
                     const uint8_t *rdata, size_t rdlen, sm_verdict_t from, int had,
                     sm_verdict_t to, const char *reason)
{
	hs_buf_t t = HS_BUF_INIT, ty = HS_BUF_INIT;
	cmb_rdata_text(type, rdata, rdlen, &t);
	hs_rrtype_any_print(&ty, type);
	const char *txt = hs_buf_cstr(&t);
	log_notice(SUB, "zone '%s' %s '%.80s%s' from '%s': %s -> %s%s%s%s", zone, hs_buf_cstr(&ty),
	           txt, strlen(txt) > 80 ? "..." : "", origin, had ? sm_verdict_name(from) : "none",
	           sm_verdict_name(to), reason ? " (" : "", reason ? reason : "",
	           reason ? ")" : "");
	hs_buf_free(&t);
	hs_buf_free(&ty);
	(void)c;
}

void cmb_publish_check(cmb_t *c, cmb_zone_t *z)
{
	cmb_apex_t a;
	hs_buf_t b = HS_BUF_INIT;
	if (!z->v.loaded || cmb_apex_get(c, z->name, &a) != HS_OK)
		return;
	cmb_apex_bytes(&a, &b);
	cmb_apex_clear(&a);
	if (!z->has_published || b.len != z->published.len ||
	    memcmp(b.data, z->published.data, b.len) != 0) {
		hs_buf_free(&z->published);
		z->published = b;
		z->has_published = 1;
		cmb_push_action(c, CMB_ACT_PUBLISH, z->name);
		c->cnt.publishes++;
		log_info(SUB, "zone '%s': combined apex changed, publish", z->name);
		return;
	}
	hs_buf_free(&b);
}

/* ---- messages: one row per type ---- */

static const struct {
	const char *type;
	int (*handler)(cmb_t *c, const uint8_t *b, size_t n);
	const char *name;
} handlers[] = {
    {"UPDATE", cmb_on_update, "update"},
    {"RFI", cmb_on_rfi, "rfi"},
    {"CONFIRM", cmb_on_confirm, "confirm"},
};

int cmb_message(cmb_t *c, const char *from, const char *type, const uint8_t *body, size_t len)
{
	char canon[ENG_NAME_MAX];
	if (c == NULL || type == NULL || (body == NULL && len > 0))
		return HS_E_INVAL;
	/* SYNC-41: the own provider's agent, nobody else */
	if (from == NULL || eng_name_canon(from, strlen(from), canon) != HS_OK ||
	    strcmp(canon, c->provider) != 0) {
		c->cnt.refused++;
		log_notice(SUB, "%s from '%s' refused: only '%s' may send to this combiner", type,
		           from ? from : "", c->provider);
		return HS_E_REFUSED;
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (strcmp(handlers[i].type, type) != 0)
			continue;
		int rc = handlers[i].handler(c, body ? body : (const uint8_t *)"", len);
		if (rc != HS_OK)
			log_notice(SUB, "%s from '%s' not accepted: %s", handlers[i].name, canon,
			           hs_strerror(rc));
		return rc;
	}
	c->cnt.refused++;
	log_notice(SUB, "message type '%s' from '%s' is not handled by a combiner", type, canon);
	return HS_E_UNKNOWN_TYPE;
}

/* ---- simple getters ---- */

void cmb_get_counters(const cmb_t *c, cmb_counters_t *out)
{
	*out = c->cnt;
}

const char *cmb_identity(const cmb_t *c)
{
	return c->identity;
}

const char *cmb_provider(const cmb_t *c)
{
	return c->provider;
}
