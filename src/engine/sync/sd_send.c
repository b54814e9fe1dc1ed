/* Messages the synchronised data sends: SYNC, UPDATE, CONFIRM, RFI. */
#include "engine/sync/sd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

void sd_new_change(eng_t *e, char out[SM_CHANGE_LEN + 1])
{
	snprintf(out, SM_CHANGE_LEN + 1, "%016llx", (unsigned long long)eng_random_u64(e));
}

/* ---- CONFIRM ---- */

void sd_cb_init(sd_cb_t *cb, const char *zone, const char *origin, const char *change,
                const char *by, const char *provider)
{
	memset(cb, 0, sizeof(*cb));
	eng_strfmt(cb->c.zone, sizeof(cb->c.zone), "%s", zone);
	eng_strfmt(cb->c.origin, sizeof(cb->c.origin), "%s", origin);
	eng_strfmt(cb->c.change, sizeof(cb->c.change), "%s", change);
	eng_strfmt(cb->c.by, sizeof(cb->c.by), "%s", by);
	eng_strfmt(cb->c.provider, sizeof(cb->c.provider), "%s", provider);
}

void sd_cb_add(sd_cb_t *cb, uint16_t type, uint64_t version, const char *owner,
               const uint8_t *rdata, size_t rdlen, sm_verdict_t v, sm_reason_t reason,
               const char *detail)
{
	if (cb->c.nresults == SM_MAX_RESULTS)
		return; /* cannot happen: 8 sets of 64 at most */
	if (cb->c.nresults == cb->cap) {
		cb->cap = cb->cap ? cb->cap * 2 : 8;
		cb->c.results = xrealloc(cb->c.results, cb->cap * sizeof(*cb->c.results));
	}
	sm_result_t *r = &cb->c.results[cb->c.nresults++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->version = version;
	r->rr.owner = xstrdup(owner);
	r->rr.rdlen = (uint16_t)rdlen;
	if (rdlen) {
		r->rr.rdata = xmalloc(rdlen);
		memcpy(r->rr.rdata, rdata, rdlen);
	}
	r->rr.verdict = v;
	if (reason != SM_R_NONE) {
		char why[SM_REASON_MAX + 1];
		if (detail != NULL)
			eng_strfmt(why, sizeof(why), "%s: %s", sm_reason_name(reason), detail);
		else
			eng_strfmt(why, sizeof(why), "%s", sm_reason_name(reason));
		r->rr.reason = xstrdup(why);
	}
}

void sd_cb_free(sd_cb_t *cb)
{
	sm_confirm_free(&cb->c);
	cb->cap = 0;
}

void sd_send_confirm(eng_t *e, sd_zone_t *zs, const char *to, const sm_confirm_t *c)
{
	hs_buf_t body = HS_BUF_INIT;
	if (sm_confirm_encode(c, &body) != HS_OK) {
		log_warn("engine", "confirm for zone '%s' change %s cannot be encoded", c->zone,
		         c->change);
		hs_buf_free(&body);
		return;
	}
	eng_send(e, to, ENG_MSG_CONFIRM, &body);
	SD_COUNT(e, zs, confirms_sent);
}

void sd_cb_send(eng_t *e, sd_zone_t *zs, const char *to, sd_cb_t *cb)
{
	cb->c.final = 0;
	for (size_t i = 0; i < cb->c.nresults; i++)
		if (cb->c.results[i].rr.verdict != SM_V_PENDING)
			cb->c.final = 1;
	if (cb->c.nresults > 0)
		sd_send_confirm(e, zs, to, &cb->c);
	sd_cb_free(cb);
}

/* ---- SYNC and UPDATE ---- */

void sd_send_set(eng_t *e, eng_zent_t *ent, const sd_set_t *s, const char *to, int update)
{
	sm_sync_t m;
	hs_buf_t body = HS_BUF_INIT;
	memset(&m, 0, sizeof(m));
	eng_strfmt(m.zone, sizeof(m.zone), "%s", ent->z.name);
	eng_strfmt(m.origin, sizeof(m.origin), "%s", s->origin);
	memcpy(m.change, s->change, sizeof(m.change));
	m.nsets = 1;
	m.sets[0].type = s->type;
	m.sets[0].version = s->version;
	m.sets[0].rrs = s->nrrs ? xcalloc(s->nrrs, sizeof(sm_rr_t)) : NULL;
	for (size_t i = 0; i < s->nrrs; i++) {
		const sd_rr_t *r = &s->rrs[i];
		if (!r->in_set)
			continue;
		/* borrowed: encoded at once, never freed through m */
		sm_rr_t *o = &m.sets[0].rrs[m.sets[0].nrrs++];
		o->owner = r->owner;
		o->ttl = r->ttl;
		o->rdata = r->rdata;
		o->rdlen = r->rdlen;
	}
	int rc = sm_sync_encode(&m, &body);
	free(m.sets[0].rrs);
	if (rc != HS_OK) {
		log_warn("engine", "%s for zone '%s' change %s cannot be encoded",
		         update ? "update" : "sync", ent->z.name, s->change);
		hs_buf_free(&body);
		return;
	}
	eng_send(e, to, update ? ENG_MSG_UPDATE : ENG_MSG_SYNC, &body);
	if (update)
		SD_COUNT(e, ent->sd, updates_sent);
	else
		SD_COUNT(e, ent->sd, syncs_sent);
}

void sd_send_set_peers(eng_t *e, eng_zent_t *ent, const sd_set_t *s)
{
	const eng_zone_t *z = &ent->z;
	for (size_t i = 0; z->multi && i < z->nproviders; i++) {
		const eng_provider_t *p = &z->providers[i];
		if (p->on && !sd_is_self(e, p->identity) && sd_peer_ready(e, p->identity))
			sd_send_set(e, ent, s, p->identity, 0);
	}
}

/* ---- RFI ---- */

void sd_send_rfi(eng_t *e, const char *to, sm_rfi_what_t what, char **zones, size_t n)
{
	size_t off = 0;
	do {
		sm_rfi_t r;
		hs_buf_t body = HS_BUF_INIT;
		r.what = what;
		r.nzones = n - off > SD_RFI_BATCH ? SD_RFI_BATCH : n - off;
		r.zones = zones + off;
		off += r.nzones;
		if (sm_rfi_encode(&r, &body) != HS_OK) {
			hs_buf_free(&body);
			return;
		}
		eng_send(e, to, ENG_MSG_RFI, &body);
		SD_COUNT(e, NULL, rfis_sent);
	} while (off < n);
}

void sd_ask_combiner(eng_t *e, eng_zent_t **ents, size_t n)
{
	if (!sd_have_combiner(e) || n == 0)
		return;
	char **names = xcalloc(n, sizeof(*names));
	uint64_t now = eng_mono(e);
	for (size_t i = 0; i < n; i++) {
		if (ents[i]->sd == NULL)
			ents[i]->sd = xcalloc(1, sizeof(*ents[i]->sd));
		names[i] = ents[i]->z.name;
		ents[i]->sd->edits_asked = 1;
		ents[i]->sd->asked_mono = now;
	}
	/* SYNC-33: the combiner's view restores ours */
	sd_send_rfi(e, e->sd->combiner, SM_RFI_EDITS, names, n);
	sd_send_rfi(e, e->sd->combiner, SM_RFI_CONFIG, names, n);
	log_info("engine", "asked combiner '%s' for edits and config of %zu zones", e->sd->combiner,
	         n);
	free(names);
}
