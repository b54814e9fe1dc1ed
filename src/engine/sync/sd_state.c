/* The synchronised data: sets, records, expected recipients, summary
 * states (SYNC-11, SYNC-30, SYNC-32) and provider changes (SYNC-36). */
#include "engine/sync/sd_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"
#include "wire/rdata.h"

static const char *const state_names[] = {
#define X(n, s) s,
    ENG_SD_STATES(X)
#undef X
};

const char *eng_sd_state_name(eng_sd_state_t s)
{
	return (unsigned)s < ENG_SD__COUNT ? state_names[s] : "unknown";
}

/* ---- the engine's hooks ---- */

int sd_new(eng_t *e, const eng_cfg_t *cfg, hs_errmsg_t *em)
{
	sd_t *sd = xcalloc(1, sizeof(*sd));
	if (cfg->combiner != NULL && cfg->combiner[0] != '\0') {
		if (eng_name_canon(cfg->combiner, strlen(cfg->combiner), sd->combiner) != HS_OK) {
			free(sd);
			return hs_fail(em, HS_E_CONFIG, "combiner '%s' is not a valid name",
			               cfg->combiner);
		}
		if (strcmp(sd->combiner, e->identity) == 0) {
			free(sd);
			return hs_fail(em, HS_E_CONFIG,
			               "combiner '%s' must not be the agent's own identity",
			               cfg->combiner);
		}
	}
	if (cfg->signer != NULL && cfg->signer[0] != '\0') {
		if (eng_name_canon(cfg->signer, strlen(cfg->signer), sd->signer) != HS_OK ||
		    strcmp(sd->signer, e->identity) == 0 || strcmp(sd->signer, sd->combiner) == 0) {
			free(sd);
			return hs_fail(em, HS_E_CONFIG,
			               "signer '%s' is not a valid name apart from the agent's "
			               "and its combiner's",
			               cfg->signer);
		}
	}
	sd->timeout = cfg->confirm_timeout_ms ? cfg->confirm_timeout_ms : 60000;
	sd->next_due = UINT64_MAX;
	e->sd = sd;
	return HS_OK;
}

static void vd_clear(sd_vd_t *v)
{
	free(v->provider);
	free(v->by);
	free(v->reason);
	memset(v, 0, sizeof(*v));
}

static void rr_clear(sd_rr_t *r)
{
	for (size_t i = 0; i < r->nvd; i++)
		vd_clear(&r->vd[i]);
	free(r->vd);
	free(r->owner);
	free(r->rdata);
	memset(r, 0, sizeof(*r));
}

static void set_free(sd_set_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nrrs; i++)
		rr_clear(&s->rrs[i]);
	free(s->rrs);
	for (size_t i = 0; i < s->nrs; i++)
		free(s->rs[i].provider);
	free(s->rs);
	free(s->origin);
	free(s);
}

void sd_zone_free(sd_zone_t *z)
{
	if (z == NULL)
		return;
	for (size_t i = 0; i < z->nsets; i++)
		set_free(z->sets[i]);
	free(z->sets);
	sm_config_free(&z->config);
	sd_ks_free(z);
	free(z);
}

void sd_free(eng_t *e)
{
	for (size_t i = 0; i < e->nzones; i++) {
		sd_zone_free(e->zones[i]->sd);
		e->zones[i]->sd = NULL;
	}
	sd_own_held_free(e->sd);
	free(e->sd);
	e->sd = NULL;
}

/* ---- small questions ---- */

int sd_have_combiner(const eng_t *e)
{
	return e->sd->combiner[0] != '\0';
}

int sd_is_self(const eng_t *e, const char *id)
{
	return strcmp(id, e->identity) == 0;
}

int sd_expected(const eng_t *e, const eng_zone_t *z, const char *provider)
{
	if (sd_is_self(e, provider))
		return sd_have_combiner(e);
	return z->multi && eng_zone_lists_on(z, provider);
}

int sd_peer_ready(const eng_t *e, const char *peer)
{
	const eng_peer_t *p = eng_peer_find(e, peer);
	return p != NULL && p->state >= ENG_PEER_INTRODUCED && p->state < ENG_PEER_GONE;
}

void sd_rdata_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out)
{
	if (hs_ldns_rdata_to_text(type, rdata, len, out, NULL) != HS_OK)
		hs_rdata_generic_print(out, rdata, len);
}

/* ---- sets and records ---- */

sd_set_t *sd_set_find(const sd_zone_t *z, const char *origin, uint16_t type)
{
	if (z == NULL)
		return NULL;
	for (size_t i = 0; i < z->nsets; i++)
		if (z->sets[i]->type == type && strcmp(z->sets[i]->origin, origin) == 0)
			return z->sets[i];
	return NULL;
}

sd_set_t *sd_set_get(eng_t *e, eng_zent_t *ent, const char *origin, uint16_t type)
{
	if (ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	sd_set_t *s = sd_set_find(ent->sd, origin, type);
	if (s != NULL)
		return s;
	s = xcalloc(1, sizeof(*s));
	s->origin = xstrdup(origin);
	s->own = sd_is_self(e, origin);
	s->type = type;
	s->due = UINT64_MAX;
	ent->sd->sets = xrealloc(ent->sd->sets, (ent->sd->nsets + 1) * sizeof(*ent->sd->sets));
	ent->sd->sets[ent->sd->nsets++] = s;
	return s;
}

void sd_set_drop(sd_zone_t *z, size_t i)
{
	set_free(z->sets[i]);
	memmove(&z->sets[i], &z->sets[i + 1], (z->nsets - i - 1) * sizeof(*z->sets));
	z->nsets--;
}

sd_rr_t *sd_rr_find(const sd_set_t *s, const char *owner, const uint8_t *rdata, size_t rdlen)
{
	for (size_t i = 0; i < s->nrrs; i++) {
		const sd_rr_t *r = &s->rrs[i];
		if (r->rdlen == rdlen && strcmp(r->owner, owner) == 0 &&
		    (rdlen == 0 || memcmp(r->rdata, rdata, rdlen) == 0))
			return &s->rrs[i];
	}
	return NULL;
}

sd_vd_t *sd_vd_find(const sd_rr_t *r, const char *provider)
{
	for (size_t i = 0; i < r->nvd; i++)
		if (strcmp(r->vd[i].provider, provider) == 0)
			return &r->vd[i];
	return NULL;
}

/* Forget a verdict: the recipient owes one again from `now`. */
static void vd_reset(sd_vd_t *v, uint64_t now)
{
	v->have = 0;
	v->verdict = SM_V_PENDING;
	free(v->by);
	free(v->reason);
	v->by = v->reason = NULL;
	v->version = 0;
	v->time_wall = 0;
	v->since_mono = now;
}

/* The recipients the records of `s` answer to: the own combiner, and for
 * own sets every other provider listed ON (SYNC-32). */
static int wanted(const eng_t *e, const eng_zone_t *z, const sd_set_t *s, const char *provider)
{
	if (sd_is_self(e, provider))
		return sd_have_combiner(e);
	return s->own && sd_expected(e, z, provider);
}

static void add_vd(sd_rr_t *r, const char *provider, uint64_t now)
{
	if (sd_vd_find(r, provider) != NULL)
		return;
	r->vd = xrealloc(r->vd, (r->nvd + 1) * sizeof(*r->vd));
	sd_vd_t *v = &r->vd[r->nvd++];
	memset(v, 0, sizeof(*v));
	v->provider = xstrdup(provider);
	v->since_mono = now;
}

static void add_rs(eng_t *e, sd_set_t *s, const char *provider, uint64_t now)
{
	for (size_t i = 0; i < s->nrs; i++)
		if (strcmp(s->rs[i].provider, provider) == 0)
			return;
	s->rs = xrealloc(s->rs, (s->nrs + 1) * sizeof(*s->rs));
	sd_rs_t *x = &s->rs[s->nrs++];
	memset(x, 0, sizeof(*x));
	x->provider = xstrdup(provider);
	x->backoff = e->sd->timeout;
	x->next = now + e->sd->timeout;
}

void sd_set_recipients(eng_t *e, eng_zent_t *ent, sd_set_t *s)
{
	const eng_zone_t *z = &ent->z;
	uint64_t now = eng_mono(e);
	for (size_t i = 0; i < s->nrrs; i++) {
		sd_rr_t *r = &s->rrs[i];
		size_t k = 0;
		for (size_t j = 0; j < r->nvd; j++) {
			if (wanted(e, z, s, r->vd[j].provider))
				r->vd[k++] = r->vd[j];
			else
				vd_clear(&r->vd[j]); /* SYNC-32: its verdicts are forgotten */
		}
		r->nvd = k;
		if (sd_have_combiner(e))
			add_vd(r, e->identity, now);
		for (size_t p = 0; s->own && z->multi && p < z->nproviders; p++)
			if (wanted(e, z, s, z->providers[p].identity))
				add_vd(r, z->providers[p].identity, now);
	}
	if (!s->own)
		return;
	size_t k = 0;
	for (size_t j = 0; j < s->nrs; j++) {
		if (wanted(e, z, s, s->rs[j].provider))
			s->rs[k++] = s->rs[j];
		else
			free(s->rs[j].provider);
	}
	s->nrs = k;
	if (sd_have_combiner(e))
		add_rs(e, s, e->identity, now);
	for (size_t p = 0; z->multi && p < z->nproviders; p++)
		if (wanted(e, z, s, z->providers[p].identity))
			add_rs(e, s, z->providers[p].identity, now);
}

static void touch(sd_rr_t *r, uint64_t version, const char *change)
{
	r->version = version;
	memcpy(r->change, change, sizeof(r->change));
}

size_t sd_set_replace(eng_t *e, eng_zent_t *ent, sd_set_t *s, uint64_t version, const char *change,
                      const sm_rr_t *rrs, size_t n)
{
	uint64_t now = eng_mono(e), wall = eng_wall(e);
	size_t changed = 0;
	/* removals confirmed under an earlier version are done */
	for (size_t i = s->nrrs; i-- > 0;) {
		if (!s->rrs[i].in_set && s->rrs[i].state == ENG_SD_REMOVED) {
			rr_clear(&s->rrs[i]);
			memmove(&s->rrs[i], &s->rrs[i + 1], (s->nrrs - i - 1) * sizeof(*s->rrs));
			s->nrrs--;
		}
	}
	size_t old = s->nrrs;
	uint8_t *seen = xcalloc(old + 1, 1);
	for (size_t i = 0; i < n; i++) {
		const sm_rr_t *in = &rrs[i];
		sd_rr_t *r = sd_rr_find(s, in->owner, in->rdata, in->rdlen);
		int touched = 0;
		if (r != NULL) {
			size_t idx = (size_t)(r - s->rrs);
			if (idx >= old || seen[idx])
				continue; /* SYNC-3: the same RR twice is one (the first TTL) */
			seen[idx] = 1;
			if (!r->in_set || r->ttl != in->ttl) {
				r->in_set = 1;
				r->ttl = in->ttl;
				for (size_t j = 0; j < r->nvd; j++)
					vd_reset(&r->vd[j], now);
				touched = 1;
			}
		} else {
			s->rrs = xrealloc(s->rrs, (s->nrrs + 1) * sizeof(*s->rrs));
			r = &s->rrs[s->nrrs++];
			memset(r, 0, sizeof(*r));
			r->owner = xstrdup(in->owner);
			r->ttl = in->ttl;
			r->rdlen = in->rdlen;
			if (in->rdlen) {
				r->rdata = xmalloc(in->rdlen);
				memcpy(r->rdata, in->rdata, in->rdlen);
			}
			r->in_set = 1;
			r->state = ENG_SD_PENDING;
			r->since_wall = wall;
			touched = 1;
		}
		if (touched) {
			touch(r, version, change);
			changed++;
		}
	}
	for (size_t i = 0; i < old; i++) {
		sd_rr_t *r = &s->rrs[i];
		if (seen[i] || !r->in_set)
			continue;
		r->in_set = 0;
		/* a recipient that refused the record never held it: its
		 * rejection stands for the removal (SYNC-30) */
		for (size_t j = 0; j < r->nvd; j++)
			if (!(r->vd[j].have && r->vd[j].verdict == SM_V_REJECTED))
				vd_reset(&r->vd[j], now);
		touch(r, version, change);
		changed++;
	}
	free(seen);
	s->version = version;
	memcpy(s->change, change, sizeof(s->change));
	sd_set_recipients(e, ent, s);
	for (size_t i = 0; i < s->nrs; i++) {
		s->rs[i].backoff = e->sd->timeout;
		s->rs[i].next = now + e->sd->timeout;
	}
	return changed;
}

int sd_verdict(eng_t *e, eng_zent_t *ent, sd_set_t *s, const char *provider, const char *by,
               uint16_t type, uint64_t version, const sm_rr_t *rr)
{
	(void)ent;
	(void)type;
	if (version < s->version)
		return HS_E_STATE; /* SYNC-26: about an older version */
	sd_rr_t *r = sd_rr_find(s, rr->owner, rr->rdata, rr->rdlen);
	sd_vd_t *v = r ? sd_vd_find(r, provider) : NULL;
	if (v == NULL)
		return HS_E_NOTFOUND;
	/* a pending never replaces a final verdict: the record is unchanged
	 * since (a change forgets the verdicts it makes stale) */
	if (!sm_verdict_final(rr->verdict) && v->have && sm_verdict_final(v->verdict))
		return HS_E_STATE;
	if (v->have && v->verdict == rr->verdict && v->version == version &&
	    strcmp(v->by, by) == 0 &&
	    (v->reason == NULL ? rr->reason == NULL
	                       : rr->reason != NULL && strcmp(v->reason, rr->reason) == 0))
		return HS_OK; /* said again: keep the time it was first said */
	v->have = 1;
	v->verdict = rr->verdict;
	free(v->by);
	free(v->reason);
	v->by = xstrdup(by);
	v->reason = rr->reason ? xstrdup(rr->reason) : NULL;
	v->version = version;
	v->time_wall = eng_wall(e);
	return HS_OK;
}

size_t sd_removals_implied(eng_t *e, sd_set_t *s, const char *provider, const char *by)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nrrs; i++) {
		sd_rr_t *r = &s->rrs[i];
		sd_vd_t *v = r->in_set ? NULL : sd_vd_find(r, provider);
		if (v == NULL || sd_vd_satisfied(r, v))
			continue;
		v->have = 1;
		v->verdict = SM_V_REMOVED;
		free(v->by);
		free(v->reason);
		v->by = xstrdup(by);
		v->reason = NULL;
		v->version = s->version;
		v->time_wall = eng_wall(e);
		n++;
	}
	return n;
}

/* ---- summary state (SYNC-30, SYNC-31) ---- */

int sd_vd_satisfied(const sd_rr_t *r, const sd_vd_t *v)
{
	if (!v->have || !sm_verdict_final(v->verdict))
		return 0;
	if (v->verdict == SM_V_REJECTED)
		return 1;
	if (r->in_set)
		return v->verdict == SM_V_APPLIED || v->verdict == SM_V_IGNORED;
	return v->verdict == SM_V_REMOVED;
}

static int vd_late(const eng_t *e, const sd_set_t *s, const sd_rr_t *r, const sd_vd_t *v,
                   uint64_t now)
{
	return s->own && !sd_vd_satisfied(r, v) && now - v->since_mono >= e->sd->timeout;
}

static eng_sd_state_t summary(const eng_t *e, const sd_set_t *s, const sd_rr_t *r, uint64_t now,
                              char *why, size_t whylen)
{
	size_t applied = 0, ignored = 0, removed = 0, waiting = 0;
	const sd_vd_t *rej = NULL, *late = NULL;
	for (size_t i = 0; i < r->nvd; i++) {
		const sd_vd_t *v = &r->vd[i];
		if (!sd_vd_satisfied(r, v)) {
			waiting++;
			if (late == NULL && vd_late(e, s, r, v, now))
				late = v;
			continue;
		}
		if (v->verdict == SM_V_REJECTED && r->in_set && rej == NULL)
			rej = v;
		applied += v->verdict == SM_V_APPLIED;
		ignored += v->verdict == SM_V_IGNORED;
		removed += v->verdict == SM_V_REMOVED || v->verdict == SM_V_REJECTED;
	}
	if (rej != NULL) {
		eng_strfmt(why, whylen, "rejected by '%s' for '%s': %s", rej->by, rej->provider,
		           rej->reason ? rej->reason : "no reason given");
		return ENG_SD_REJECTED;
	}
	if (late != NULL) {
		eng_strfmt(why, whylen, "no final verdict for '%s' within %llu ms", late->provider,
		           (unsigned long long)e->sd->timeout);
		return ENG_SD_UNCONFIRMED;
	}
	if (r->in_set) {
		if (r->nvd > 0 && waiting == 0) {
			eng_strfmt(why, whylen, "final verdicts of all %zu recipients", r->nvd);
			return applied ? ENG_SD_ACCEPTED : ENG_SD_IGNORED;
		}
		eng_strfmt(why, whylen, "waiting for %zu of %zu recipients", waiting, r->nvd);
		return ENG_SD_PENDING;
	}
	if (waiting == 0) {
		eng_strfmt(why, whylen, "removal confirmed by all %zu recipients", r->nvd);
		return ENG_SD_REMOVED;
	}
	eng_strfmt(why, whylen, "removal: waiting for %zu of %zu recipients", waiting, r->nvd);
	return ENG_SD_PENDING_REMOVAL;
}

/* The one place a record changes state. */
static void rr_set_state(eng_t *e, const eng_zent_t *ent, const sd_set_t *s, sd_rr_t *r,
                         eng_sd_state_t to, const char *why)
{
	if (r->state == to)
		return;
	hs_buf_t t = HS_BUF_INIT;
	hs_buf_t ty = HS_BUF_INIT;
	sd_rdata_text(s->type, r->rdata, r->rdlen, &t);
	hs_rrtype_any_print(&ty, s->type);
	/* notice for what an operator must look at, info for the rest */
	hs_log(to == ENG_SD_REJECTED || to == ENG_SD_UNCONFIRMED ? HS_LOG_NOTICE : HS_LOG_INFO,
	       "engine", "zone '%s': %s '%s' of '%s': %s -> %s (%s)", ent->z.name, hs_buf_cstr(&ty),
	       hs_buf_cstr(&t), s->origin, eng_sd_state_name(r->state), eng_sd_state_name(to), why);
	hs_buf_free(&t);
	hs_buf_free(&ty);
	if (to == ENG_SD_UNCONFIRMED)
		SD_COUNT(e, ent->sd, unconfirmed);
	r->state = to;
	r->since_wall = eng_wall(e);
}

int sd_set_owes(const eng_t *e, const sd_set_t *s, const char *provider)
{
	(void)e;
	for (size_t i = 0; i < s->nrrs; i++) {
		const sd_vd_t *v = sd_vd_find(&s->rrs[i], provider);
		if (v != NULL && !sd_vd_satisfied(&s->rrs[i], v))
			return 1;
	}
	return 0;
}

void sd_set_refresh(eng_t *e, eng_zent_t *ent, sd_set_t *s, uint64_t now)
{
	char why[ENG_REASON_MAX + 1];
	for (size_t i = 0; i < s->nrrs; i++) {
		sd_rr_t *r = &s->rrs[i];
		eng_sd_state_t st = summary(e, s, r, now, why, sizeof(why));
		rr_set_state(e, ent, s, r, st, why);
	}
	/* the set's next re-send; the engine's deadline is a lower bound of
	 * these (an early tick finds nothing due and tightens it) */
	s->due = UINT64_MAX;
	for (size_t i = 0; s->own && i < s->nrs; i++)
		if (s->rs[i].next < s->due && sd_set_owes(e, s, s->rs[i].provider))
			s->due = s->rs[i].next;
	if (s->due < e->sd->next_due)
		e->sd->next_due = s->due;
	if (s->own && s->type == 48 /* DNSKEY: the signer's keys */)
		sd_ks_dirty(e, ent->sd);
}

eng_sd_state_t sd_rr_state_now(const eng_t *e, const sd_set_t *s, const sd_rr_t *r, uint64_t now)
{
	char why[ENG_REASON_MAX + 1];
	return summary(e, s, r, now, why, sizeof(why));
}

int sd_vd_unconfirmed(const eng_t *e, const sd_set_t *s, const sd_rr_t *r, const sd_vd_t *v,
                      uint64_t now)
{
	return vd_late(e, s, r, v, now);
}

/* ---- provider changes ---- */

void sd_zone_changed(eng_t *e, eng_zent_t *ent)
{
	if (ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	sd_own_held_install(e, ent); /* SYNC-57 */
	sd_zone_t *zs = ent->sd;
	const eng_zone_t *z = &ent->z;
	uint64_t now = eng_mono(e);
	for (size_t i = zs->nsets; i-- > 0;) {
		sd_set_t *s = zs->sets[i];
		if (s->own || (z->multi && eng_zone_lists_on(z, s->origin)))
			continue;
		/* SYNC-36: OFF or removed; merely unreachable providers keep theirs */
		log_notice("engine",
		           "zone '%s': dropping the type %u set of '%s': no longer listed ON in "
		           "HSYNC3",
		           z->name, s->type, s->origin);
		sd_set_drop(zs, i);
	}
	for (size_t i = 0; i < zs->nsets; i++) {
		sd_set_recipients(e, ent, zs->sets[i]);
		sd_set_refresh(e, ent, zs->sets[i], now);
	}
	if (z->multi && e->sd->started && sd_have_combiner(e) && !zs->edits_asked)
		sd_ask_combiner(e, &ent, 1);
	sd_ks_zone_changed(e, ent);
}
