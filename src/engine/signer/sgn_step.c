/* sgn_step.c -- the key lifecycle: the gate on the combiners' verdicts,
 * the waits for TTLs, rollovers by policy, what a zone publishes, and the
 * inventory sent to the agent. */
#include "engine/signer/sgn_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/zsign.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/text.h"

static int own(const struct sgn_key *k)
{
	return !k->foreign && k->state >= 0;
}

/* Own keys a signer publishes (KS-20). */
static int published_state(int st)
{
	return st == ST_DKEY_MPDIST || st == ST_DKEY_PUBLISHED || st == ST_DKEY_STANDBY ||
	       st == ST_DKEY_ACTIVE || st == ST_DKEY_RETIRED;
}

static const struct sgn_verdict *verdict_of(const struct sgn_key *k, const char *provider)
{
	for (size_t i = 0; i < k->nv; i++)
		if (strcmp(k->v[i].provider, provider) == 0)
			return &k->v[i];
	return NULL;
}

int sgn_gate(const sgn_t *s, const struct sgn_zone *z, const struct sgn_key *k, const char *want,
             char *why, size_t whylen)
{
	int applied = strcmp(want, "applied") == 0;
	if (!s->has_agent)
		return 1;
	if (!z->peers_known) {
		snprintf(why, whylen, "no KEYSTATE status from the agent yet");
		return 0;
	}
	for (size_t i = 0; i < z->npeers; i++) {
		const struct sgn_verdict *v = verdict_of(k, z->peers[i]);
		if (v == NULL) {
			snprintf(why, whylen, "waiting for %s: no verdict yet", z->peers[i]);
			return 0;
		}
		if (strcmp(v->verdict, want) == 0)
			continue;
		/* a provider that does not sign serves a signer's output and
		 * combines no DNSKEY (draft-hsync-sync SYNC-44 rule 12) */
		if (strcmp(v->verdict, "ignored") == 0 &&
		    (!applied || strncmp(v->reason, "not-signing-here", 16) == 0))
			continue;
		if (strcmp(v->verdict, "rejected") == 0)
			snprintf(why, whylen, "rejected by %s: %s", z->peers[i],
			         v->reason[0] ? v->reason : "no reason");
		else
			snprintf(why, whylen, "waiting for %s: %s%s", z->peers[i], v->verdict,
			         strcmp(v->verdict, "unconfirmed") == 0 ? " (silent)" : "");
		return 0;
	}
	return 1;
}

static uint32_t retire_wait(const sgn_policy_t *p, uint8_t role)
{
	uint32_t sig = p->max_ttl, key = p->dnskey_ttl;
	if (role == ST_DKEY_ZSK)
		return sig + p->propagation;
	if (role == ST_DKEY_KSK)
		return key + p->propagation;
	return (sig > key ? sig : key) + p->propagation;
}

static uint32_t lifetime(const sgn_policy_t *p, uint8_t role)
{
	return role == ST_DKEY_ZSK ? p->zsk_lifetime : p->ksk_lifetime;
}

static struct sgn_key *active_of(struct sgn_zone *z, uint8_t role, const struct sgn_key * not )
{
	for (size_t i = 0; i < z->nk; i++)
		if (&z->k[i] != not &&z->k[i].state == ST_DKEY_ACTIVE && z->k[i].role == role)
			return &z->k[i];
	return NULL;
}

/* A key of `role` on its way in (created .. standby). */
static int incoming(const struct sgn_zone *z, uint8_t role)
{
	for (size_t i = 0; i < z->nk; i++) {
		int st = z->k[i].state;
		if (z->k[i].role == role && (st == ST_DKEY_CREATED || st == ST_DKEY_MPDIST ||
		                             st == ST_DKEY_PUBLISHED || st == ST_DKEY_STANDBY))
			return 1;
	}
	for (size_t i = 0; i < z->npend; i++)
		if (z->pend[i].role == role)
			return 1;
	return 0;
}

static void request_key(sgn_t *s, struct sgn_zone *z, uint8_t role)
{
	sgn_action_t a;
	if (z->npend >= sizeof(z->pend) / sizeof(z->pend[0]))
		return;
	memset(&a, 0, sizeof(a));
	a.kind = SGN_ACT_GENERATE;
	snprintf(a.zone, sizeof(a.zone), "%s", z->name);
	a.req = s->next_req++;
	a.alg = z->p.alg;
	a.role = role;
	a.flags = role == ST_DKEY_ZSK ? 256 : 257;
	z->pend[z->npend].req = a.req;
	z->pend[z->npend].role = role;
	z->npend++;
	sgn_push(s, &a);
}

int sgn_rollover(sgn_t *s, const char *zone, uint8_t role, hs_errmsg_t *em)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	if (z == NULL)
		return hs_fail(em, HS_E_NOTFOUND, "zone '%s' is not signed here", zone);
	if (role < 1 || role > 3 || (z->p.csk ? role != ST_DKEY_CSK : role == ST_DKEY_CSK))
		return hs_fail(em, HS_E_INVAL, "the zone's policy has no such key role");
	if (z->rolling[role] || incoming(z, role))
		return hs_fail(em, HS_E_STATE, "a rollover of that role is under way");
	if (active_of(z, role, NULL) == NULL)
		return hs_fail(em, HS_E_STATE, "no active key of that role to roll");
	z->rolling[role] = 1;
	request_key(s, z, role);
	log_notice(SGN_LOG, "zone '%s': rollover of the %s started", z->name,
	           role == ST_DKEY_KSK   ? "KSK"
	           : role == ST_DKEY_ZSK ? "ZSK"
	                                 : "CSK");
	return HS_OK;
}

/* One pass over the keys; 1 when something moved. */
static int step_once(sgn_t *s, struct sgn_zone *z, int64_t now)
{
	char why[256];
	int moved = 0;
	for (size_t i = 0; i < z->nk; i++) {
		struct sgn_key *k = &z->k[i];
		struct sgn_key *cur;
		if (!own(k))
			continue;
		switch (k->state) {
		case ST_DKEY_CREATED:
			moved |= s->has_agent
			             ? sgn_set_state(s, z, k, ST_DKEY_MPDIST,
			                             "distributed to the other providers")
			             : sgn_set_state(s, z, k, ST_DKEY_PUBLISHED,
			                             "single provider: nothing to distribute");
			break;
		case ST_DKEY_MPDIST:
			if (sgn_gate(s, z, k, "applied", why, sizeof(why)))
				moved |=
				    sgn_set_state(s, z, k, ST_DKEY_PUBLISHED,
				                  z->npeers ? "every peer's combiner applied it"
				                            : "the zone has no peers");
			else
				snprintf(k->waiting, sizeof(k->waiting), "%s", why);
			break;
		case ST_DKEY_PUBLISHED:
			if (now >= k->since + z->p.propagation + z->p.dnskey_ttl)
				moved |= sgn_set_state(s, z, k, ST_DKEY_STANDBY,
				                       "published past propagation and DNSKEY TTL");
			else
				snprintf(
				    k->waiting, sizeof(k->waiting),
				    "caches: until %lld (propagation + DNSKEY TTL)",
				    (long long)(k->since + z->p.propagation + z->p.dnskey_ttl));
			break;
		case ST_DKEY_STANDBY:
			/* a peer added since the gate opened must have it too (KS-42) */
			if (!sgn_gate(s, z, k, "applied", why, sizeof(why))) {
				snprintf(k->waiting, sizeof(k->waiting), "%s", why);
				break;
			}
			cur = active_of(z, k->role, k);
			if (cur == NULL) {
				moved |=
				    sgn_set_state(s, z, k, ST_DKEY_ACTIVE, "first key of its role");
				break;
			}
			if (!z->rolling[k->role]) {
				snprintf(k->waiting, sizeof(k->waiting), "standby");
				break;
			}
			if (k->role != ST_DKEY_ZSK && !k->ds_seen) {
				snprintf(k->waiting, sizeof(k->waiting),
				         "CDS published; waiting for the parent's DS for key %u",
				         k->tag);
				break;
			}
			moved |= sgn_set_state(s, z, k, ST_DKEY_ACTIVE, "rollover: successor");
			sgn_set_state(s, z, cur, ST_DKEY_RETIRED, "rollover: replaced");
			z->rolling[k->role] = 0;
			break;
		case ST_DKEY_ACTIVE: {
			uint32_t life = lifetime(&z->p, k->role);
			if (life && now >= k->since + life && !z->rolling[k->role] &&
			    !incoming(z, k->role)) {
				z->rolling[k->role] = 1;
				request_key(s, z, k->role);
				snprintf(k->waiting, sizeof(k->waiting), "lifetime over: rolling");
			}
			break;
		}
		case ST_DKEY_RETIRED:
			if (now >= k->since + retire_wait(&z->p, k->role))
				moved |= sgn_set_state(s, z, k, ST_DKEY_MPREMOVE,
				                       "retired past the TTLs of what it signed");
			else
				snprintf(k->waiting, sizeof(k->waiting), "caches: until %lld",
				         (long long)(k->since + retire_wait(&z->p, k->role)));
			break;
		case ST_DKEY_MPREMOVE:
			if (sgn_gate(s, z, k, "removed", why, sizeof(why)))
				moved |= sgn_set_state(
				    s, z, k, ST_DKEY_REMOVED,
				    z->npeers ? "every peer's combiner removed it" : "withdrawn");
			else
				snprintf(k->waiting, sizeof(k->waiting), "%s", why);
			break;
		default:
			break;
		}
	}
	return moved;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t inventory_print(const struct sgn_zone *z)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < z->nk; i++) {
		if (!own(&z->k[i]))
			continue;
		h = fnv(h, z->k[i].rdata, z->k[i].len);
		h = fnv(h, &z->k[i].state, sizeof(int));
	}
	return h;
}

void sgn_send_inventory(sgn_t *s, struct sgn_zone *z)
{
	sgn_keystate_t ks;
	sgn_action_t a;
	hs_buf_t body = HS_BUF_INIT;
	if (!s->has_agent)
		return;
	memset(&ks, 0, sizeof(ks));
	snprintf(ks.zone, sizeof(ks.zone), "%s", z->name);
	ks.kind = SGN_KS_INVENTORY;
	ks.seq = ++z->inv_seq;
	ks.keys = xcalloc(z->nk ? z->nk : 1, sizeof(*ks.keys));
	for (size_t i = 0; i < z->nk; i++) {
		const struct sgn_key *k = &z->k[i];
		if (!own(k) || k->state == ST_DKEY_REMOVED)
			continue;
		ks.keys[ks.nkeys].rdata = k->rdata;
		ks.keys[ks.nkeys].len = k->len;
		snprintf(ks.keys[ks.nkeys].state, sizeof(ks.keys[0].state), "%s",
		         st_dkey_state_name(k->state));
		ks.nkeys++;
	}
	if (sgn_ks_encode(&ks, &body) == HS_OK) {
		memset(&a, 0, sizeof(a));
		a.kind = SGN_ACT_SEND;
		snprintf(a.zone, sizeof(a.zone), "%s", z->name);
		snprintf(a.to, sizeof(a.to), "%s", s->agent);
		a.type = "KEYSTATE";
		a.body = body.data;
		a.blen = body.len;
		sgn_push(s, &a);
	} else {
		hs_buf_free(&body);
	}
	free(ks.keys);
	z->inv_print = inventory_print(z);
}

static uint64_t publish_print(const sgn_t *s, const struct sgn_zone *z)
{
	sgn_publish_t p;
	uint64_t h = 0xcbf29ce484222325ull;
	if (sgn_zone_publish(s, z->name, &p) != HS_OK)
		return 0;
	for (size_t i = 0; i < p.ndnskey; i++)
		h = fnv(h, p.dnskey[i].rdata, p.dnskey[i].len);
	h = fnv(h, "|", 1);
	for (size_t i = 0; i < p.ncds; i++)
		h = fnv(h, p.cds[i].rdata, p.cds[i].len);
	h = fnv(h, "|", 1);
	for (size_t i = 0; i < p.nsigners; i++)
		h = fnv(h, p.signers[i].rdata, p.signers[i].len);
	sgn_publish_free(&p);
	return h;
}

void sgn_zone_step(sgn_t *s, struct sgn_zone *z)
{
	int64_t now = sgn_now(s);
	int own_keys = 0;
	for (size_t i = 0; i < z->nk; i++)
		own_keys += own(&z->k[i]) && z->k[i].state != ST_DKEY_REMOVED &&
		            z->k[i].state != ST_DKEY_MPREMOVE;
	/* a zone without keys asks for its first ones (KS-50) */
	if (own_keys == 0 && z->npend == 0) {
		if (z->p.csk) {
			request_key(s, z, ST_DKEY_CSK);
		} else {
			request_key(s, z, ST_DKEY_KSK);
			request_key(s, z, ST_DKEY_ZSK);
		}
	}
	for (int guard = 0; guard < 4 * SGN_MAX_KEYS && step_once(s, z, now); guard++)
		continue;
	if (inventory_print(z) != z->inv_print)
		sgn_send_inventory(s, z);
	uint64_t pp = publish_print(s, z);
	if (pp != z->pub_print) {
		sgn_action_t a;
		z->pub_print = pp;
		memset(&a, 0, sizeof(a));
		a.kind = SGN_ACT_RESIGN;
		snprintf(a.zone, sizeof(a.zone), "%s", z->name);
		sgn_push(s, &a);
	}
}

int64_t sgn_next_deadline(const sgn_t *s)
{
	int64_t best = INT64_MAX;
	for (size_t zi = 0; zi < s->nz; zi++) {
		const struct sgn_zone *z = s->z[zi];
		for (size_t i = 0; i < z->nk; i++) {
			const struct sgn_key *k = &z->k[i];
			int64_t t = INT64_MAX;
			uint32_t life = lifetime(&z->p, k->role);
			if (k->state == ST_DKEY_PUBLISHED)
				t = k->since + z->p.propagation + z->p.dnskey_ttl;
			else if (k->state == ST_DKEY_RETIRED)
				t = k->since + retire_wait(&z->p, k->role);
			else if (k->state == ST_DKEY_ACTIVE && life && !z->rolling[k->role])
				t = k->since + life;
			if (t < best)
				best = t;
		}
	}
	return best;
}

/* ---- what a zone publishes ---- */

static int rr_cmp(const void *a, const void *b)
{
	const sgn_rr_t *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->rdata, y->rdata, m);
	return c ? c : (x->len < y->len ? -1 : x->len > y->len);
}

static void rr_push(sgn_rr_t **v, size_t *n, const uint8_t *p, size_t len)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].rdata = xmalloc(len);
	memcpy((*v)[*n].rdata, p, len);
	(*v)[*n].len = len;
	(*n)++;
}

int sgn_zone_publish(const sgn_t *s, const char *zone, sgn_publish_t *out)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	uint8_t apex[256];
	size_t alen;
	sgn_publish_t p;
	if (z == NULL || out == NULL)
		return HS_E_NOTFOUND;
	if (hs_name_from_text(z->name, strlen(z->name), apex, &alen) != HS_OK)
		return HS_E_NAME;
	memset(&p, 0, sizeof(p));
	for (size_t i = 0; i < z->nk; i++) {
		const struct sgn_key *k = &z->k[i];
		int pub = k->state == ST_DKEY_FOREIGN || published_state(k->state);
		int sep = (k->flags & ZS_FLAG_SEP) != 0;
		if (pub)
			rr_push(&p.dnskey, &p.ndnskey, k->rdata, k->len);
		/* CDS/CDNSKEY: every signer's SEP keys that are (or are about to
		 * be) in use; own ones from standby (double-DS) to active */
		if (pub && sep && z->p.cds && z->cds_allowed &&
		    (k->state == ST_DKEY_FOREIGN || k->state == ST_DKEY_STANDBY ||
		     k->state == ST_DKEY_ACTIVE)) {
			hs_buf_t ds = HS_BUF_INIT;
			rr_push(&p.cdnskey, &p.ncdnskey, k->rdata, k->len);
			if (zs_ds_rdata(apex, alen, k->rdata, k->len, 2, &ds) == HS_OK)
				rr_push(&p.cds, &p.ncds, ds.data, ds.len);
			hs_buf_free(&ds);
		}
		if (k->state == ST_DKEY_ACTIVE) {
			rr_push(&p.signers, &p.nsigners, k->rdata, k->len);
			p.roles = xrealloc(p.roles, p.nsigners);
			p.roles[p.nsigners - 1] = k->role;
		}
	}
	if (p.ndnskey)
		qsort(p.dnskey, p.ndnskey, sizeof(*p.dnskey), rr_cmp);
	if (p.ncds)
		qsort(p.cds, p.ncds, sizeof(*p.cds), rr_cmp);
	if (p.ncdnskey)
		qsort(p.cdnskey, p.ncdnskey, sizeof(*p.cdnskey), rr_cmp);
	*out = p;
	return HS_OK;
}

static void rr_free(sgn_rr_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].rdata);
	free(v);
}

void sgn_publish_free(sgn_publish_t *p)
{
	if (p == NULL)
		return;
	rr_free(p->dnskey, p->ndnskey);
	rr_free(p->cds, p->ncds);
	rr_free(p->cdnskey, p->ncdnskey);
	rr_free(p->signers, p->nsigners);
	free(p->roles);
	memset(p, 0, sizeof(*p));
}

/* ---- the dry run ---- */

void sgn_dry_run(const sgn_policy_t *pin, uint8_t role, int64_t start, hs_buf_t *out)
{
	sgn_policy_t p = *pin;
	const char *r = role == ST_DKEY_KSK ? "KSK" : role == ST_DKEY_ZSK ? "ZSK" : "CSK";
	int64_t t = 0;
	sgn_policy_fill(&p);
	hs_buf_printf(out, "rollover of the %s from %lld (times in seconds from the start)\n", r,
	              (long long)start);
	hs_buf_printf(out, "+%-9lld new %s created and distributed to every peer (mpdist)\n",
	              (long long)t, r);
	hs_buf_printf(out,
	              "+%-9lld gate: every peer's combiner applied it -> published "
	              "(assumed at once here; waits as long as a peer is silent)\n",
	              (long long)t);
	t += p.propagation + p.dnskey_ttl;
	hs_buf_printf(out, "+%-9lld standby (propagation %u + DNSKEY TTL %u)\n", (long long)t,
	              p.propagation, p.dnskey_ttl);
	if (role != ST_DKEY_ZSK) {
		hs_buf_printf(out,
		              "+%-9lld CDS/CDNSKEY for the old and the new key (when parentsync "
		              "allows); DS of the new key computed\n",
		              (long long)t);
		t += p.propagation + p.ds_ttl;
		hs_buf_printf(out,
		              "+%-9lld the parent serves the new DS (parent sync; assumed after "
		              "propagation + DS TTL %u)\n",
		              (long long)t, p.ds_ttl);
	}
	hs_buf_printf(out, "+%-9lld new %s active, old %s retired; zone re-signed\n", (long long)t,
	              r, r);
	t += retire_wait(&p, role);
	hs_buf_printf(out, "+%-9lld old %s withdrawn from every provider (mpremove)\n",
	              (long long)t, r);
	hs_buf_printf(out, "+%-9lld gate: every peer's combiner removed it -> removed\n",
	              (long long)t);
}
