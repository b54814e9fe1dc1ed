/* Received SYNC (SYNC-20..23, SYNC-27) and CONFIRM (SYNC-24..26). */
#include "engine/sync/sd_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

/* ---- SYNC ---- */

/* Reject every RR of `set` for `reason`. */
static void reject_set(sd_cb_t *cb, const sm_set_t *set, sm_reason_t reason, const char *detail)
{
	for (size_t j = 0; j < set->nrrs; j++) {
		const sm_rr_t *r = &set->rrs[j];
		sd_cb_add(cb, set->type, set->version, r->owner, r->rdata, r->rdlen, SM_V_REJECTED,
		          reason, detail);
	}
}

/* Pending results for every RR of the set we hold. */
static void pending_set(sd_cb_t *cb, const sd_set_t *s)
{
	for (size_t j = 0; j < s->nrrs; j++) {
		const sd_rr_t *r = &s->rrs[j];
		if (r->in_set)
			sd_cb_add(cb, s->type, s->version, r->owner, r->rdata, r->rdlen,
			          SM_V_PENDING, SM_R_NONE, NULL);
	}
}

/* SYNC-21 rows 1-3: the checks that refuse the whole message. */
static sm_reason_t sync_refusal(const eng_t *e, const char *from, const sm_sync_t *s,
                                const eng_zent_t *ent, char *detail, size_t n)
{
	if (ent == NULL || !ent->z.multi) {
		eng_strfmt(detail, n, "zone '%s' %s", s->zone,
		           ent == NULL ? "is not served here" : "is not multi-provider here");
		return SM_R_UNKNOWN_ZONE;
	}
	if (strcmp(s->origin, from) != 0) {
		eng_strfmt(detail, n, "origin '%s' sent by '%s'", s->origin, from);
		return SM_R_ORIGIN_MISMATCH;
	}
	if (sd_is_self(e, from) || !eng_zone_lists_on(&ent->z, from)) {
		eng_strfmt(detail, n, "'%s' is not listed ON in HSYNC3 of '%s'", from, s->zone);
		return SM_R_NOT_PROVIDER;
	}
	return SM_R_NONE;
}

/* SYNC-23, SYNC-2, SYNC-27: one set that passed rows 1-3. Accepted sets go
 * into `fwd` (borrowed from the cache) to be forwarded as UPDATE. */
static int sync_set(eng_t *e, eng_zent_t *ent, const char *from, const sm_sync_t *m,
                    const sm_set_t *set, sd_cb_t *cb, sm_sync_t *fwd)
{
	sm_rr_t apex[SM_MAX_RRS];
	size_t napex = 0;
	int rejected = 0;
	if (!sm_type_synced(set->type, NULL)) {
		reject_set(cb, set, SM_R_TYPE_NOT_SYNCED, NULL);
		return 1;
	}
	for (size_t j = 0; j < set->nrrs; j++) {
		const sm_rr_t *r = &set->rrs[j];
		if (strcmp(r->owner, m->zone) == 0) {
			apex[napex++] = *r;
			continue;
		}
		sd_cb_add(cb, set->type, set->version, r->owner, r->rdata, r->rdlen, SM_V_REJECTED,
		          SM_R_NOT_APEX, NULL);
		rejected = 1;
	}
	sd_set_t *held = sd_set_find(ent->sd, from, set->type);
	if (held != NULL && set->version < held->version) {
		/* stale: answered for the version we hold, nothing forwarded */
		sd_cb_t old;
		sd_cb_init(&old, m->zone, from, held->change, e->identity, e->identity);
		pending_set(&old, held);
		sd_cb_send(e, ent->sd, from, &old);
		SD_COUNT(e, ent->sd, syncs_stale);
		log_info("engine", "zone '%s': stale type %u set from '%s' (version %llu < %llu)",
		         m->zone, set->type, from, (unsigned long long)set->version,
		         (unsigned long long)held->version);
		return rejected;
	}
	if (held != NULL && set->version == held->version) {
		SD_COUNT(e, ent->sd, syncs_duplicate);
	} else {
		held = sd_set_get(e, ent, from, set->type);
		sd_set_replace(e, ent, held, set->version, m->change, apex, napex);
		sd_set_refresh(e, ent, held, eng_mono(e));
	}
	pending_set(cb, held);
	/* a duplicate is forwarded again: idempotent at the combiner, and it
	 * recovers a lost UPDATE or a lost relayed CONFIRM (SYNC-27) */
	sm_set_t *f = &fwd->sets[fwd->nsets++];
	f->type = held->type;
	f->version = held->version;
	f->rrs = held->nrrs ? xcalloc(held->nrrs, sizeof(*f->rrs)) : NULL;
	f->nrrs = 0;
	for (size_t j = 0; j < held->nrrs; j++) {
		const sd_rr_t *r = &held->rrs[j];
		if (!r->in_set)
			continue;
		sm_rr_t *o = &f->rrs[f->nrrs++];
		o->owner = r->owner;
		o->ttl = r->ttl;
		o->rdata = r->rdata;
		o->rdlen = r->rdlen;
	}
	return rejected;
}

int sd_on_sync(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	sm_sync_t m, fwd;
	hs_errmsg_t em;
	sd_cb_t cb;
	char detail[SM_REASON_MAX + 1];
	int rc = sm_sync_decode(b, n, &m, &em);
	if (rc != HS_OK) {
		/* SYNC-20: no trustworthy change id, so no answer */
		SD_COUNT(e, NULL, syncs_refused);
		log_notice("engine", "sync from '%s' refused: %s", from, hs_errmsg_str(&em));
		return rc;
	}
	eng_zent_t *ent = eng_zent_find(e, m.zone);
	if (ent != NULL && ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	sd_zone_t *zs = ent ? ent->sd : NULL;
	SD_COUNT(e, zs, syncs_received);
	sd_cb_init(&cb, m.zone, m.origin, m.change, e->identity, e->identity);
	sm_reason_t why = sync_refusal(e, from, &m, ent, detail, sizeof(detail));
	if (why != SM_R_NONE) {
		for (size_t i = 0; i < m.nsets; i++)
			reject_set(&cb, &m.sets[i], why, detail);
		log_notice("engine", "sync from '%s' for zone '%s' rejected: %s (%s)", from, m.zone,
		           sm_reason_name(why), detail);
		SD_COUNT(e, zs, syncs_rejected);
		sd_cb_send(e, zs, from, &cb);
		sm_sync_free(&m);
		return HS_OK;
	}
	memset(&fwd, 0, sizeof(fwd));
	memcpy(fwd.zone, m.zone, sizeof(fwd.zone));
	memcpy(fwd.origin, m.origin, sizeof(fwd.origin));
	memcpy(fwd.change, m.change, sizeof(fwd.change));
	int rejected = 0;
	for (size_t i = 0; i < m.nsets; i++)
		rejected |= sync_set(e, ent, from, &m, &m.sets[i], &cb, &fwd);
	if (rejected)
		SD_COUNT(e, zs, syncs_rejected);
	sd_cb_send(e, zs, from, &cb); /* SYNC-23: at once */
	if (fwd.nsets > 0 && sd_have_combiner(e)) {
		hs_buf_t body = HS_BUF_INIT;
		if (sm_sync_encode(&fwd, &body) == HS_OK) {
			eng_send(e, e->sd->combiner, ENG_MSG_UPDATE, &body);
			SD_COUNT(e, zs, updates_sent);
		}
		hs_buf_free(&body);
	}
	for (size_t i = 0; i < fwd.nsets; i++)
		free(fwd.sets[i].rrs); /* the records themselves are the cache's */
	sm_sync_free(&m);
	return HS_OK;
}

/* ---- CONFIRM ---- */

/* A final result that shows the recipient stored the set at its version:
 * anything but a rejection of the whole set (rows 1-3 of SYNC-44, rows
 * 1-4 of SYNC-21), which leaves the stored set as it was. */
static int shows_stored(const sm_result_t *r)
{
	sm_reason_t why;
	if (!sm_verdict_final(r->rr.verdict))
		return 0;
	if (r->rr.verdict != SM_V_REJECTED)
		return 1;
	why = sm_reason_parse(r->rr.reason);
	return why != SM_R_UNKNOWN_ZONE && why != SM_R_ORIGIN_MISMATCH &&
	       why != SM_R_NOT_PROVIDER && why != SM_R_TYPE_NOT_SYNCED;
}

/* Apply the results of `c` as verdicts of `recipient`; how many applied. */
static size_t apply(eng_t *e, eng_zent_t *ent, const sm_confirm_t *c, const char *recipient)
{
	size_t applied = 0;
	for (size_t i = 0; i < c->nresults; i++) {
		const sm_result_t *r = &c->results[i];
		sd_set_t *s = sd_set_find(ent->sd, c->origin, r->type);
		if (s == NULL)
			continue;
		if (sd_verdict(e, ent, s, recipient, c->by, r->type, r->version, &r->rr) == HS_OK)
			applied++;
		/* SYNC-28: it holds this version, so not what earlier ones removed */
		if (r->version == s->version && shows_stored(r))
			applied += sd_removals_implied(e, s, recipient, c->by);
	}
	if (applied > 0)
		for (size_t i = 0; i < ent->sd->nsets; i++)
			if (strcmp(ent->sd->sets[i]->origin, c->origin) == 0)
				sd_set_refresh(e, ent, ent->sd->sets[i], eng_mono(e));
	return applied;
}

static int known_change(const sd_zone_t *zs, const char *origin, const char *change)
{
	for (size_t i = 0; i < zs->nsets; i++)
		if (strcmp(zs->sets[i]->origin, origin) == 0 &&
		    strcmp(zs->sets[i]->change, change) == 0)
			return 1;
	return 0;
}

/* From the own combiner: our records, or another originator's (SYNC-24). */
static int combiner_confirm(eng_t *e, eng_zent_t *ent, sm_confirm_t *c)
{
	sd_zone_t *zs = ent ? ent->sd : NULL;
	if (ent == NULL || !ent->z.multi) {
		SD_COUNT(e, zs, confirms_ignored);
		log_info("engine",
		         "confirm from combiner for zone '%s' ignored: not multi-provider "
		         "here",
		         c->zone);
		return HS_OK;
	}
	if (sd_is_self(e, c->origin)) {
		if (!known_change(zs, c->origin, c->change) || apply(e, ent, c, e->identity) == 0) {
			SD_COUNT(e, zs, confirms_ignored);
			log_info("engine",
			         "confirm from combiner for zone '%s' change %s changes nothing",
			         c->zone, c->change);
		}
		return HS_OK;
	}
	if (!eng_zone_lists_on(&ent->z, c->origin)) {
		SD_COUNT(e, zs, confirms_ignored);
		log_info("engine",
		         "confirm from combiner about '%s' in zone '%s' ignored: not listed "
		         "ON",
		         c->origin, c->zone);
		return HS_OK;
	}
	if (known_change(zs, c->origin, c->change))
		(void)apply(e, ent, c, e->identity);
	int final = 0;
	for (size_t i = 0; i < c->nresults; i++)
		final |= sm_verdict_final(c->results[i].rr.verdict);
	if (final) {
		/* SYNC-24: unchanged but for `provider`; the originator judges by
		 * SYNC-25 whether it knows the change */
		eng_strfmt(c->provider, sizeof(c->provider), "%s", e->identity);
		sd_send_confirm(e, zs, c->origin, c);
		SD_COUNT(e, zs, confirms_relayed);
	}
	return HS_OK;
}

int sd_on_confirm(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	sm_confirm_t c;
	hs_errmsg_t em;
	int rc = sm_confirm_decode(b, n, &c, &em);
	if (rc != HS_OK) {
		SD_COUNT(e, NULL, confirms_refused);
		log_notice("engine", "confirm from '%s' refused: %s", from, hs_errmsg_str(&em));
		return rc;
	}
	eng_zent_t *ent = eng_zent_find(e, c.zone);
	if (ent != NULL && ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	sd_zone_t *zs = ent ? ent->sd : NULL;
	if (sd_have_combiner(e) && strcmp(from, e->sd->combiner) == 0) {
		SD_COUNT(e, zs, confirms_received);
		rc = combiner_confirm(e, ent, &c);
		goto cleanup;
	}
	/* SYNC-25: otherwise only from a provider of the zone */
	if (ent == NULL || !ent->z.multi || sd_is_self(e, from) ||
	    !eng_zone_lists_on(&ent->z, from)) {
		SD_COUNT(e, zs, confirms_refused);
		log_notice("engine",
		           "confirm from '%s' for zone '%s' refused: not a provider of it", from,
		           c.zone);
		rc = HS_E_REFUSED;
		goto cleanup;
	}
	SD_COUNT(e, zs, confirms_received);
	if (!sd_is_self(e, c.origin) || !known_change(zs, c.origin, c.change)) {
		SD_COUNT(e, zs, confirms_ignored);
		log_info("engine", "confirm from '%s' for zone '%s' ignored: %s", from, c.zone,
		         sd_is_self(e, c.origin) ? "unknown change" : "not about our records");
		goto cleanup;
	}
	if (apply(e, ent, &c, from) == 0) {
		SD_COUNT(e, zs, confirms_ignored);
		log_info("engine", "confirm from '%s' for zone '%s' change %s changes nothing",
		         from, c.zone, c.change);
	}
cleanup:
	sm_confirm_free(&c);
	return rc;
}
