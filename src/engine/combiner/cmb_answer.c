/*
 * cmb_answer.c -- what the combiner sends its agent: CONFIRM (SYNC-54), EDITS
 * and CONFIG (SYNC-55); and the RFI and CONFIRM it receives.
 */
#include "engine/combiner/cmb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mp.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/rr_hsyncparam.h"

/* ---- CONFIRM ---- */

/* Encoded size of one result beyond its strings (keys, integers, verdict),
 * generously, and the share of a body the results of one CONFIRM may use. */
#define CONFIRM_RESULT_OVERHEAD 80
#define CONFIRM_BODY_BUDGET     (ENG_MP_MAX_BODY - 4096)

void cmb_results_init(cmb_results_t *r, const char *zone, const char *origin, const char *change)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->zone, sizeof(r->zone), "%s", zone);
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	snprintf(r->change, sizeof(r->change), "%s", change);
}

void cmb_results_add(cmb_results_t *r, uint16_t type, uint64_t version, const char *owner,
                     const uint8_t *rdata, uint16_t rdlen, sm_verdict_t v, const char *reason)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	sm_result_t *x = &r->v[r->n++];
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->version = version;
	x->rr.owner = xstrdup(owner);
	x->rr.rdata = rdlen ? xmemdup(rdata, rdlen) : NULL;
	x->rr.rdlen = rdlen;
	x->rr.verdict = v;
	x->rr.reason = reason && reason[0] ? xstrdup(reason) : NULL;
}

void cmb_results_free(cmb_results_t *r)
{
	for (size_t i = 0; i < r->n; i++)
		sm_rr_clear(&r->v[i].rr);
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

void cmb_results_send(cmb_t *c, cmb_results_t *r, int always)
{
	size_t off = 0;
	if (r->n == 0 && !always)
		return;
	do {
		sm_confirm_t cf;
		hs_buf_t body = HS_BUF_INIT;
		size_t n = 0, bytes = 0;
		int pending = 0;
		/* at most SM_MAX_RESULTS, and well inside the body a receiver
		 * decodes (ENG_MP_MAX_BODY): results of large RDATA split sooner */
		while (off + n < r->n && n < SM_MAX_RESULTS) {
			const sm_result_t *x = &r->v[off + n];
			size_t sz = CONFIRM_RESULT_OVERHEAD + strlen(x->rr.owner) + x->rr.rdlen +
			            (x->rr.reason ? strlen(x->rr.reason) : 0);
			if (n > 0 && bytes + sz > CONFIRM_BODY_BUDGET)
				break;
			bytes += sz;
			n++;
		}
		memset(&cf, 0, sizeof(cf));
		snprintf(cf.zone, sizeof(cf.zone), "%s", r->zone);
		snprintf(cf.origin, sizeof(cf.origin), "%s", r->origin);
		snprintf(cf.change, sizeof(cf.change), "%s", r->change);
		snprintf(cf.by, sizeof(cf.by), "%s", c->identity);
		snprintf(cf.provider, sizeof(cf.provider), "%s", c->provider);
		cf.results = r->v + off;
		cf.nresults = n;
		for (size_t i = 0; i < n; i++)
			pending += r->v[off + i].rr.verdict == SM_V_PENDING;
		/* false exactly when there are results and all are pending */
		cf.final = !(n > 0 && (size_t)pending == n);
		if (sm_confirm_encode(&cf, &body) == HS_OK) {
			cmb_send(c, r->zone, "CONFIRM", &body);
			c->cnt.confirms++;
		} else {
			log_err(SUB, "zone '%s': cannot encode a confirm for '%s'", r->zone,
			        r->origin);
		}
		hs_buf_free(&body);
		off += n;
	} while (off < r->n);
}

/* ---- EDITS ---- */

static void edits_fill(const cmb_zone_t *z, sm_edits_t *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->zone, sizeof(e->zone), "%s", z->name);
	e->serial = z->serial_served;
	e->ncontrib = z->nsets;
	e->contrib = z->nsets ? xcalloc(z->nsets, sizeof(*e->contrib)) : NULL;
	for (size_t i = 0; i < z->nsets; i++) {
		const cmb_set_t *s = z->sets[i];
		sm_contrib_t *k = &e->contrib[i];
		k->origin = xstrdup(s->origin);
		k->type = s->type;
		k->version = s->version;
		memcpy(k->change, s->change, sizeof(k->change));
		k->rrs = s->n ? xcalloc(s->n, sizeof(*k->rrs)) : NULL;
		for (size_t j = 0; j < s->n; j++) {
			const cmb_rr_t *r = &s->rrs[j];
			sm_rr_t x = {(char *)r->owner, r->ttl,     r->rdata,
			             r->rdlen,         r->verdict, r->reason};
			if (r->verdict == SM_V_REMOVED)
				continue; /* not a contribution: kept for duplicates */
			sm_rr_copy(&k->rrs[k->nrrs++], &x);
		}
	}
}

int cmb_edits_body(const cmb_t *c, const char *zone, hs_buf_t *out)
{
	char canon[ENG_NAME_MAX];
	sm_edits_t e;
	if (c == NULL || zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return HS_E_NOTFOUND;
	const cmb_zone_t *z = cmb_zone_find(c, canon);
	if (z == NULL)
		return HS_E_NOTFOUND;
	edits_fill(z, &e);
	int rc = sm_edits_encode(&e, out);
	sm_edits_free(&e);
	return rc;
}

static void send_edits(cmb_t *c, const char *zone)
{
	hs_buf_t body = HS_BUF_INIT;
	sm_edits_t e;
	const cmb_zone_t *z = cmb_zone_find(c, zone);
	if (z != NULL) {
		edits_fill(z, &e);
	} else { /* nothing here: an empty answer says so */
		memset(&e, 0, sizeof(e));
		snprintf(e.zone, sizeof(e.zone), "%s", zone);
	}
	if (sm_edits_encode(&e, &body) != HS_OK) {
		log_err(SUB, "zone '%s': cannot encode edits", zone);
	} else if (body.len > ENG_MP_MAX_BODY) {
		/* the agent could not decode it: say so here rather than there */
		log_err(SUB,
		        "zone '%s': edits of %zu octets exceed the %d a body may have, not sent",
		        zone, body.len, ENG_MP_MAX_BODY);
	} else {
		cmb_send(c, zone, "EDITS", &body);
		c->cnt.edits++;
	}
	hs_buf_free(&body);
	sm_edits_free(&e);
}

/* ---- CONFIG ---- */

static void send_config(cmb_t *c, const cmb_zone_t *z)
{
	hs_buf_t body = HS_BUF_INIT;
	sm_config_t cf;
	char *prot[CMB_PROTECT_MAX];
	memset(&cf, 0, sizeof(cf));
	snprintf(cf.zone, sizeof(cf.zone), "%s", z->name);
	snprintf(cf.provider, sizeof(cf.provider), "%s", c->provider);
	cf.signing = cmb_zone_signing(z);
	cf.manual = c->manual;
	for (size_t i = 0; i < c->nprotect; i++)
		prot[i] = (char *)c->protect[i].name;
	cf.protected = prot;
	cf.nprotected = c->nprotect;
	cf.ttl_min = c->ttl_min;
	cf.ttl_max = c->ttl_max;
	cf.nsmgmt_agent = cmb_zone_active(z) && z->v.an.policy.nsmgmt == HS_NSMGMT_AGENT;
	cf.parentsync_agent =
	    cmb_zone_active(z) && z->v.an.policy.parentsync == HS_PARENTSYNC_AGENT;
	if (sm_config_encode(&cf, &body) == HS_OK) {
		cmb_send(c, z->name, "CONFIG", &body);
		c->cnt.configs++;
	} else {
		log_err(SUB, "zone '%s': cannot encode config", z->name);
	}
	hs_buf_free(&body);
}

/* ---- received ---- */

/* SYNC-55: one EDITS per zone named (every zone known when none is: the
 * loaded ones and those with stored sets, so an agent rebuilding its state
 * learns everything), one CONFIG per loaded zone named; RFI SYNC is not
 * answered by a combiner. */
int cmb_on_rfi(cmb_t *c, const uint8_t *b, size_t n)
{
	sm_rfi_t r;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = sm_rfi_decode(b, n, &r, &em);
	if (rc != HS_OK) {
		c->cnt.malformed++;
		log_notice(SUB, "rfi refused: %s", hs_errmsg_str(&em));
		return rc;
	}
	if (r.what == SM_RFI_SYNC || r.what == SM_RFI_KEYSTATE) {
		log_info(SUB, "rfi %s: not answered by a combiner", sm_rfi_what_name(r.what));
	} else if (r.nzones == 0) {
		for (size_t i = 0; i < c->nzones; i++) {
			const cmb_zone_t *z = c->zones[i];
			if (r.what == SM_RFI_EDITS)
				send_edits(c, z->name);
			else if (z->v.loaded)
				send_config(c, z);
		}
	} else {
		for (size_t i = 0; i < r.nzones; i++) {
			const cmb_zone_t *z = cmb_zone_find(c, r.zones[i]);
			if (r.what == SM_RFI_EDITS)
				send_edits(c, r.zones[i]);
			else if (z != NULL && z->v.loaded)
				send_config(c, z);
			else
				log_info(SUB, "rfi config: zone '%s' is not loaded here",
				         r.zones[i]);
		}
	}
	log_info(SUB, "rfi %s for %zu zones answered", sm_rfi_what_name(r.what), r.nzones);
	sm_rfi_free(&r);
	return HS_OK;
}

/* The draft gives a combiner nothing to do with a CONFIRM: it is checked,
 * logged and counted. */
int cmb_on_confirm(cmb_t *c, const uint8_t *b, size_t n)
{
	sm_confirm_t cf;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = sm_confirm_decode(b, n, &cf, &em);
	if (rc != HS_OK) {
		c->cnt.malformed++;
		log_notice(SUB, "confirm refused: %s", hs_errmsg_str(&em));
		return rc;
	}
	c->cnt.confirms_in++;
	log_info(SUB, "confirm for zone '%s' change %s from the agent: %zu results, ignored",
	         cf.zone, cf.change, cf.nresults);
	sm_confirm_free(&cf);
	return HS_OK;
}
