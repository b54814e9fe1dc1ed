/*
 * cmb_update.c -- an UPDATE from the own agent (SYNC-42..45, SYNC-54): each
 * set is judged by the policy, compared with the stored set of its key
 * (duplicate, stale or new), the new sets of the whole message are stored
 * in one transaction, and only then is the CONFIRM queued.
 */
#include "engine/combiner/cmb_int.h"

#include <string.h>

#include "util/log.h"

/* The first occurrence of (owner, rdata) in the set, SYNC-3. */
static int first_of(const sm_set_t *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (s->rrs[j].rdlen == s->rrs[i].rdlen &&
		    strcmp(s->rrs[j].owner, s->rrs[i].owner) == 0 &&
		    (s->rrs[i].rdlen == 0 ||
		     memcmp(s->rrs[j].rdata, s->rrs[i].rdata, s->rrs[i].rdlen) == 0))
			return 0;
	return 1;
}

/* Rules 1-3 refused the whole set: every record rejected, nothing kept. */
static void reject_set(cmb_batch_t *b, const sm_set_t *s, sm_reason_t why, cmb_results_t *res)
{
	for (size_t i = 0; i < s->nrrs; i++) {
		const sm_rr_t *r = &s->rrs[i];
		if (!first_of(s, i))
			continue;
		cmb_results_add(res, s->type, s->version, r->owner, r->rdata, r->rdlen,
		                SM_V_REJECTED, sm_reason_name(why));
		b->rejected++;
	}
}

/*
 * SYNC-43. A duplicate is answered with the stored verdicts; a record of
 * the message that is not stored was rejected (rejected records are not
 * kept): it is answered with the reason the policy gives now, or
 * `operator` when the policy would not reject it (an operator refused it,
 * or the policy has changed since). A stale set is answered with the
 * stored set, at its version.
 */
static void answer_stored(cmb_t *c, cmb_pctx_t *p, const sm_set_t *s, const cmb_set_t *old, int dup,
                          cmb_results_t *res)
{
	for (size_t i = 0; i < old->n; i++) {
		const cmb_rr_t *r = &old->rrs[i];
		cmb_results_add(res, old->type, old->version, r->owner, r->rdata, r->rdlen,
		                r->verdict, r->reason);
	}
	for (size_t i = 0; dup && i < s->nrrs; i++) {
		const sm_rr_t *r = &s->rrs[i];
		char why[SM_REASON_MAX + 1];
		sm_verdict_t v;
		if (!first_of(s, i) || cmb_set_rr_index(old, r->owner, r->rdata, r->rdlen) >= 0)
			continue;
		p->owner = r->owner;
		p->ttl = r->ttl;
		p->rdata = r->rdata;
		p->rdlen = r->rdlen;
		p->approved = 0;
		cmb_policy_rr(p, &v, why);
		cmb_results_add(res, s->type, s->version, r->owner, r->rdata, r->rdlen,
		                SM_V_REJECTED,
		                v == SM_V_REJECTED ? why : sm_reason_name(SM_R_OPERATOR));
	}
	(void)c;
}

/* A new version: judge every record, keep what is not rejected, report
 * the records of the old set that are gone (SYNC-45) and keep them in the
 * new set as `removed` (never served), so that a duplicate of this
 * version is answered with its removals too (SYNC-43). Records the old set
 * already held as removed are dropped without a word. */
static cmb_set_t *judge_set(cmb_t *c, cmb_batch_t *b, cmb_pctx_t *p, const sm_sync_t *u,
                            const sm_set_t *s, const cmb_set_t *old, cmb_results_t *res)
{
	cmb_set_t *neu = cmb_set_new(u->origin, s->type, s->version, u->change, cmb_now_ms(c));
	for (size_t i = 0; i < s->nrrs; i++) {
		const sm_rr_t *r = &s->rrs[i];
		char why[SM_REASON_MAX + 1];
		sm_verdict_t v;
		if (!first_of(s, i))
			continue; /* SYNC-3: one RR, the first TTL counts */
		long j = cmb_set_rr_index(old, r->owner, r->rdata, r->rdlen);
		p->owner = r->owner;
		p->ttl = r->ttl;
		p->rdata = r->rdata;
		p->rdlen = r->rdlen;
		p->approved = j >= 0 && old->rrs[j].approved;
		cmb_policy_rr(p, &v, why);
		cmb_results_add(res, s->type, s->version, r->owner, r->rdata, r->rdlen, v, why);
		if (v == SM_V_REJECTED)
			b->rejected++;
		else
			cmb_set_push(neu, r->owner, r->ttl, r->rdata, r->rdlen, v, why,
			             p->approved);
	}
	for (size_t i = 0; old != NULL && i < old->n; i++) {
		const cmb_rr_t *o = &old->rrs[i];
		int kept = 0;
		if (o->verdict == SM_V_REMOVED)
			continue;
		for (size_t k = 0; k < s->nrrs && !kept; k++)
			kept = s->rrs[k].rdlen == o->rdlen &&
			       strcmp(s->rrs[k].owner, o->owner) == 0 &&
			       memcmp(s->rrs[k].rdata, o->rdata, o->rdlen) == 0;
		if (!kept) {
			cmb_results_add(res, s->type, s->version, o->owner, o->rdata, o->rdlen,
			                SM_V_REMOVED, NULL);
			cmb_set_push(neu, o->owner, o->ttl, o->rdata, o->rdlen, SM_V_REMOVED, "",
			             0);
		}
	}
	return neu;
}

int cmb_on_update(cmb_t *c, const uint8_t *b, size_t n)
{
	sm_sync_t u;
	hs_errmsg_t em;
	cmb_results_t res;
	cmb_batch_t batch = {0};
	hs_errmsg_clear(&em);
	int rc = sm_sync_decode(b, n, &u, &em);
	if (rc != HS_OK) {
		/* SYNC-20 applies to the combiner as well: no change id to answer */
		c->cnt.malformed++;
		log_notice(SUB, "update refused: %s", hs_errmsg_str(&em));
		return rc;
	}
	cmb_zone_t *z = cmb_zone_find(c, u.zone);
	cmb_results_init(&res, u.zone, u.origin, u.change);
	for (size_t i = 0; i < u.nsets; i++) {
		const sm_set_t *s = &u.sets[i];
		cmb_pctx_t p = {.c = c, .z = z, .origin = u.origin, .type = s->type};
		sm_verdict_t v;
		sm_reason_t why;
		if (cmb_policy_set(&p, &v, &why)) {
			log_info(SUB, "zone '%s' type %u from '%s': set rejected (%s)", u.zone,
			         s->type, u.origin, sm_reason_name(why));
			reject_set(&batch, s, why, &res);
			continue;
		}
		cmb_set_t *old = cmb_set_find(z, u.origin, s->type);
		if (old != NULL && s->version <= old->version) {
			int dup = s->version == old->version;
			if (dup)
				c->cnt.duplicates++;
			else
				c->cnt.stale++;
			log_info(SUB, "zone '%s' type %u from '%s': %s version %llu (stored %llu)",
			         u.zone, s->type, u.origin, dup ? "duplicate" : "stale",
			         (unsigned long long)s->version, (unsigned long long)old->version);
			answer_stored(c, &p, s, old, dup, &res);
			continue;
		}
		cmb_batch_add(&batch, z, old, judge_set(c, &batch, &p, &u, s, old, &res), &res);
	}
	rc = cmb_batch_commit(c, &batch); /* SYNC-42: stored before it is confirmed */
	if (rc == HS_OK) {
		c->cnt.updates++;
		cmb_results_send(c, &res, 1);
		if (z != NULL)
			cmb_publish_check(c, z);
	}
	cmb_results_free(&res);
	sm_sync_free(&u);
	return rc;
}
