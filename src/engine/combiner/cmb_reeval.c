/*
 * cmb_reeval.c -- events that re-judge what is stored: a zone load (SYNC-46,
 * SYNC-47), an operator's reapply, approval, rejection and purge
 * (SYNC-56). Each is one store transaction, then CONFIRMs for what
 * changed, then a PUBLISH when the combined apex changed.
 */
#include "engine/combiner/cmb_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

enum { T_HSYNC3 = 65285, T_HSYNCPARAM = 65286 };

static int same_reason(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* A new result list for set `s` of the zone (stable address: a batch
 * change points to it). */
static cmb_results_t *results_push(cmb_reslist_t *l, const char *zone, const cmb_set_t *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n] = xmalloc(sizeof(**l->v));
	cmb_results_init(l->v[l->n], zone, s->origin, s->change);
	return l->v[l->n++];
}

static void results_send_all(cmb_t *c, cmb_reslist_t *l)
{
	for (size_t i = 0; i < l->n; i++)
		cmb_results_send(c, l->v[i], 0);
	cmb_reslist_free(l);
}

void cmb_reslist_free(cmb_reslist_t *l)
{
	for (size_t i = 0; i < l->n; i++) {
		cmb_results_free(l->v[i]);
		free(l->v[i]);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

size_t cmb_reeval_prepare(cmb_t *c, cmb_zone_t *z, cmb_batch_t *b, cmb_reslist_t *res)
{
	size_t changed = 0;
	/* rule 1: a zone that is not multi-provider here keeps its sets as they
	 * are until it is again (SYNC-48) */
	if (!cmb_zone_active(z))
		return 0;
	for (size_t i = 0; i < z->nsets; i++) {
		const cmb_set_t *s = z->sets[i];
		cmb_set_t *neu = NULL;
		cmb_results_t *r = NULL;
		if (!eng_zone_lists_on(&z->v.an, s->origin)) {
			/* SYNC-47: withdrawn as a whole, in this transaction */
			r = results_push(res, z->name, s);
			for (size_t j = 0; j < s->n; j++)
				cmb_results_add(r, s->type, s->version, s->rrs[j].owner,
				                s->rrs[j].rdata, s->rrs[j].rdlen, SM_V_REMOVED,
				                sm_reason_name(SM_R_WITHDRAWN));
			cmb_batch_add(b, z, (cmb_set_t *)s, NULL, r);
			b->withdrawn++;
			changed += s->n;
			log_notice(SUB,
			           "zone '%s': '%s' is no longer a provider, its type %u set is"
			           " withdrawn",
			           z->name, s->origin, s->type);
			continue;
		}
		for (size_t j = 0; j < s->n; j++) {
			const cmb_rr_t *o = &s->rrs[j];
			char why[SM_REASON_MAX + 1];
			sm_verdict_t v;
			if (o->verdict == SM_V_REMOVED)
				continue; /* kept only to answer duplicates (SYNC-43) */
			cmb_pctx_t p = {.c = c,
			                .z = z,
			                .origin = s->origin,
			                .type = s->type,
			                .owner = o->owner,
			                .ttl = o->ttl,
			                .rdata = o->rdata,
			                .rdlen = o->rdlen,
			                .approved = o->approved};
			cmb_policy_rr(&p, &v, why);
			if (v == o->verdict && same_reason(why, o->reason))
				continue;
			if (neu == NULL) {
				neu = cmb_set_dup(s);
				neu->updated_ms = cmb_now_ms(c);
				r = results_push(res, z->name, s);
			}
			cmb_results_add(r, s->type, s->version, o->owner, o->rdata, o->rdlen, v,
			                why);
			changed++;
			/* SYNC-46: rejected on re-evaluation means deleted */
			long k = cmb_set_rr_index(neu, o->owner, o->rdata, o->rdlen);
			if (v == SM_V_REJECTED) {
				cmb_set_remove(neu, (size_t)k);
				b->rejected++;
				continue;
			}
			cmb_rr_t *nr = &neu->rrs[k];
			nr->verdict = v;
			free(nr->reason);
			nr->reason = why[0] ? xstrdup(why) : NULL;
		}
		if (neu != NULL)
			cmb_batch_add(b, z, (cmb_set_t *)s, neu, r);
	}
	return changed;
}

/* Commit a prepared batch for the zones touched, then report. */
static int finish(cmb_t *c, cmb_batch_t *b, cmb_reslist_t *res, cmb_zone_t **zs, size_t nz)
{
	int rc = cmb_batch_commit(c, b);
	if (rc != HS_OK) {
		cmb_reslist_free(res);
		return rc;
	}
	results_send_all(c, res);
	for (size_t i = 0; i < nz; i++)
		cmb_publish_check(c, zs[i]);
	for (size_t i = 0; i < nz; i++)
		cmb_zone_drop_if_empty(c, zs[i]);
	return HS_OK;
}

/* ---- zone events ---- */

static void view_build(const cmb_t *c, const char *zone, uint32_t serial, const cmb_rr_in_t *apex,
                       size_t n, cmb_zview_t *v, hs_errmsg_t *em, int *rc)
{
	const uint8_t **p3 = xcalloc(n + 1, sizeof(*p3)), **pp = xcalloc(n + 1, sizeof(*pp));
	size_t *l3 = xcalloc(n + 1, sizeof(*l3)), *lp = xcalloc(n + 1, sizeof(*lp));
	size_t n3 = 0, np = 0;
	memset(v, 0, sizeof(*v));
	v->own = n ? xcalloc(n, sizeof(*v->own)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const cmb_rr_in_t *r = &apex[i];
		if (r->type == T_HSYNC3) {
			p3[n3] = r->rdata;
			l3[n3++] = r->rdlen;
		} else if (r->type == T_HSYNCPARAM) {
			pp[np] = r->rdata;
			lp[np++] = r->rdlen;
		} else if (sm_type_synced(r->type, NULL)) {
			v->own[v->nown++] =
			    (cmb_own_t){r->type, r->ttl,
			                r->rdlen ? xmemdup(r->rdata, r->rdlen) : NULL, r->rdlen};
		}
	}
	/* the zone as the own provider sees it: "multi-provider here" */
	*rc = eng_zone_analyse(zone, c->provider, p3, l3, n3, pp, lp, np, &v->an, em);
	v->loaded = *rc == HS_OK;
	v->serial_in = serial;
	free(p3);
	free(pp);
	free(l3);
	free(lp);
}

int cmb_zone_loaded(cmb_t *c, const char *zone, uint32_t serial, const cmb_rr_in_t *apex, size_t n,
                    hs_errmsg_t *em)
{
	char canon[ENG_NAME_MAX];
	cmb_zview_t nv, old;
	cmb_batch_t b = {0};
	cmb_reslist_t res = {NULL, 0};
	int rc;
	if (c == NULL || zone == NULL || (n && apex == NULL))
		return HS_E_INVAL;
	if (eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return hs_fail(em, HS_E_NAME, "zone '%s' is not a valid name", zone);
	view_build(c, canon, serial, apex, n, &nv, em, &rc);
	if (rc != HS_OK) {
		cmb_zview_clear(&nv);
		return rc;
	}
	cmb_zone_t *z = cmb_zone_ensure(c, canon);
	int first = !z->v.loaded;
	old = z->v;
	z->v = nv;
	size_t changed = cmb_reeval_prepare(c, z, &b, &res);
	rc = cmb_batch_commit(c, &b);
	if (rc != HS_OK) { /* keep the previous load: nothing changed */
		cmb_zview_clear(&z->v);
		z->v = old;
		cmb_reslist_free(&res);
		cmb_zone_drop_if_empty(c, z);
		return hs_fail(em, rc, "zone '%s': cannot store the re-evaluation", canon);
	}
	cmb_zview_clear(&old);
	c->cnt.changed_rrs += changed;
	log_info(SUB, "zone '%s' %s: serial %u, %s, %zu stored sets, %zu verdicts changed", canon,
	         first ? "loaded" : "reloaded", serial,
	         z->v.an.multi ? "multi-provider" : eng_zone_reason_name(z->v.an.reason), z->nsets,
	         changed);
	results_send_all(c, &res);
	cmb_publish_check(c, z);
	return HS_OK;
}

int cmb_zone_removed(cmb_t *c, const char *zone)
{
	char canon[ENG_NAME_MAX];
	if (c == NULL || zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return HS_E_NOTFOUND;
	cmb_zone_t *z = cmb_zone_find(c, canon);
	if (z == NULL || !z->v.loaded)
		return HS_E_NOTFOUND;
	cmb_zview_clear(&z->v);
	hs_buf_free(&z->published);
	z->has_published = 0;
	z->serial_served = 0;
	log_info(SUB, "zone '%s' removed, %zu stored sets kept", canon, z->nsets);
	cmb_zone_drop_if_empty(c, z);
	return HS_OK;
}

int cmb_zone_served(cmb_t *c, const char *zone, uint32_t serial)
{
	char canon[ENG_NAME_MAX];
	if (c == NULL || zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return HS_E_NOTFOUND;
	cmb_zone_t *z = cmb_zone_find(c, canon);
	if (z == NULL || !z->v.loaded)
		return HS_E_NOTFOUND;
	z->serial_served = serial;
	return HS_OK;
}

/* ---- operator actions ---- */

/* Zones an operator action applies to: one named, or all. */
static int pick_zones(cmb_t *c, const char *zone, int loaded_only, cmb_zone_t ***out, size_t *n)
{
	char canon[ENG_NAME_MAX];
	*out = NULL;
	*n = 0;
	if (zone != NULL) {
		if (eng_name_canon(zone, strlen(zone), canon) != HS_OK)
			return HS_E_NOTFOUND;
		cmb_zone_t *z = cmb_zone_find(c, canon);
		if (z == NULL || (loaded_only && !z->v.loaded))
			return HS_E_NOTFOUND;
		*out = xcalloc(1, sizeof(**out));
		(*out)[(*n)++] = z;
		return HS_OK;
	}
	*out = c->nzones ? xcalloc(c->nzones, sizeof(**out)) : NULL;
	for (size_t i = 0; i < c->nzones; i++)
		if (!loaded_only || c->zones[i]->v.loaded)
			(*out)[(*n)++] = c->zones[i];
	return HS_OK;
}

int cmb_reapply(cmb_t *c, const char *zone, size_t *changed)
{
	cmb_zone_t **zs = NULL;
	size_t nz = 0, total = 0;
	if (c == NULL)
		return HS_E_INVAL;
	int rc = pick_zones(c, zone, 1, &zs, &nz);
	/* one transaction per zone: each zone's re-evaluation is one change */
	for (size_t i = 0; rc == HS_OK && i < nz; i++) {
		cmb_batch_t b = {0};
		cmb_reslist_t res = {NULL, 0};
		size_t k = cmb_reeval_prepare(c, zs[i], &b, &res);
		rc = finish(c, &b, &res, &zs[i], 1);
		if (rc == HS_OK)
			total += k;
	}
	c->cnt.changed_rrs += total;
	free(zs);
	if (rc == HS_OK) {
		log_notice(SUB, "reapply: %zu verdicts changed", total);
		if (changed)
			*changed = total;
	}
	return rc;
}

static int origin_match(const char *want, const char *origin)
{
	return want == NULL || strcmp(want, origin) == 0;
}

/* Approve or reject pending records (SYNC-56). */
static int decide(cmb_t *c, const char *zone, const char *origin, uint16_t type,
                  const uint8_t *rdata, size_t rdlen, int approve, size_t *nout)
{
	char oc[ENG_NAME_MAX];
	cmb_zone_t **zs = NULL;
	size_t nz = 0, count = 0;
	cmb_batch_t b = {0};
	cmb_reslist_t res = {NULL, 0};
	if (c == NULL || zone == NULL ||
	    (origin != NULL && eng_name_canon(origin, strlen(origin), oc) != HS_OK))
		return HS_E_NOTFOUND;
	int rc = pick_zones(c, zone, 0, &zs, &nz);
	if (rc != HS_OK)
		return rc;
	cmb_zone_t *z = zs[0];
	for (size_t i = 0; i < z->nsets; i++) {
		const cmb_set_t *s = z->sets[i];
		cmb_set_t *neu = NULL;
		cmb_results_t *r = NULL;
		if (!origin_match(origin ? oc : NULL, s->origin) || (type && s->type != type))
			continue;
		for (size_t j = 0; j < s->n; j++) {
			const cmb_rr_t *o = &s->rrs[j];
			if (o->verdict != SM_V_PENDING ||
			    (rdata && (o->rdlen != rdlen || memcmp(o->rdata, rdata, rdlen) != 0)))
				continue;
			if (neu == NULL) {
				neu = cmb_set_dup(s);
				neu->updated_ms = cmb_now_ms(c);
				r = results_push(&res, z->name, s);
			}
			long k = cmb_set_rr_index(neu, o->owner, o->rdata, o->rdlen);
			count++;
			if (approve) {
				cmb_rr_t *nr = &neu->rrs[k];
				nr->verdict = SM_V_APPLIED;
				nr->approved = 1;
				free(nr->reason);
				nr->reason = NULL;
				cmb_results_add(r, s->type, s->version, o->owner, o->rdata,
				                o->rdlen, SM_V_APPLIED, NULL);
			} else {
				cmb_set_remove(neu, (size_t)k);
				b.rejected++;
				cmb_results_add(r, s->type, s->version, o->owner, o->rdata,
				                o->rdlen, SM_V_REJECTED,
				                sm_reason_name(SM_R_OPERATOR));
			}
		}
		if (neu != NULL)
			cmb_batch_add(&b, z, (cmb_set_t *)s, neu, r);
	}
	if (count == 0) {
		free(zs);
		return HS_E_NOTFOUND;
	}
	rc = finish(c, &b, &res, zs, nz);
	free(zs);
	if (rc == HS_OK) {
		log_notice(SUB, "zone '%s': operator %s %zu pending records", zone,
		           approve ? "approved" : "rejected", count);
		if (nout)
			*nout = count;
	}
	return rc;
}

int cmb_approve(cmb_t *c, const char *zone, const char *origin, uint16_t type, const uint8_t *rdata,
                size_t rdlen, size_t *n)
{
	return decide(c, zone, origin, type, rdata, rdlen, 1, n);
}

int cmb_reject(cmb_t *c, const char *zone, const char *origin, uint16_t type, const uint8_t *rdata,
               size_t rdlen, size_t *n)
{
	return decide(c, zone, origin, type, rdata, rdlen, 0, n);
}

int cmb_purge(cmb_t *c, const char *zone, const char *origin, size_t *nout)
{
	char oc[ENG_NAME_MAX];
	cmb_zone_t **zs = NULL, **touched = NULL;
	size_t nz = 0, nt = 0, count = 0;
	cmb_batch_t b = {0};
	cmb_reslist_t res = {NULL, 0};
	if (c == NULL || origin == NULL || eng_name_canon(origin, strlen(origin), oc) != HS_OK)
		return HS_E_NOTFOUND;
	int rc = pick_zones(c, zone, 0, &zs, &nz);
	if (rc != HS_OK)
		return rc;
	touched = nz ? xcalloc(nz, sizeof(*touched)) : NULL;
	for (size_t i = 0; i < nz; i++) {
		cmb_zone_t *z = zs[i];
		int any = 0;
		for (size_t j = 0; j < z->nsets; j++) {
			const cmb_set_t *s = z->sets[j];
			if (strcmp(s->origin, oc) != 0)
				continue;
			cmb_results_t *r = results_push(&res, z->name, s);
			for (size_t k = 0; k < s->n; k++)
				cmb_results_add(r, s->type, s->version, s->rrs[k].owner,
				                s->rrs[k].rdata, s->rrs[k].rdlen, SM_V_REJECTED,
				                sm_reason_name(SM_R_OPERATOR));
			cmb_batch_add(&b, z, (cmb_set_t *)s, NULL, r);
			count++;
			any = 1;
		}
		if (any)
			touched[nt++] = z;
	}
	free(zs);
	if (count == 0) {
		free(touched);
		return HS_E_NOTFOUND;
	}
	rc = finish(c, &b, &res, touched, nt);
	free(touched);
	if (rc == HS_OK) {
		log_notice(SUB, "purge of '%s': %zu sets deleted", oc, count);
		if (nout)
			*nout = count;
	}
	return rc;
}
