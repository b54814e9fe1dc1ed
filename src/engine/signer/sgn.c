/* sgn.c -- the signer engine: zones, keys, events and the action queue. */
#include "engine/signer/sgn_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/zsign.h"
#include "engine/zone.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/text.h"

int64_t sgn_now(const sgn_t *s)
{
	return (int64_t)(hs_now_ms(s->env) / 1000);
}

int sgn_new(const sgn_cfg_t *cfg, const hs_env_t *env, sgn_t **out, hs_errmsg_t *em)
{
	sgn_t *s;
	if (cfg == NULL || env == NULL || out == NULL || cfg->identity == NULL)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	s = xcalloc(1, sizeof(*s));
	if (eng_name_canon(cfg->identity, strlen(cfg->identity), s->identity) != HS_OK ||
	    (cfg->agent != NULL &&
	     eng_name_canon(cfg->agent, strlen(cfg->agent), s->agent) != HS_OK)) {
		free(s);
		return hs_fail(em, HS_E_CONFIG, "signer or agent identity is not a name");
	}
	s->has_agent = cfg->agent != NULL;
	s->env = env;
	s->next_req = 1;
	*out = s;
	return HS_OK;
}

static void zone_free(struct sgn_zone *z)
{
	for (size_t i = 0; i < z->nk; i++) {
		free(z->k[i].rdata);
		free(z->k[i].v);
	}
	free(z->peers);
	free(z);
}

void sgn_free(sgn_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nz; i++)
		zone_free(s->z[i]);
	free(s->z);
	for (size_t i = 0; i < s->qlen; i++)
		sgn_action_clear(&s->q[(s->qhead + i) % s->qcap]);
	free(s->q);
	free(s);
}

void sgn_push(sgn_t *s, const sgn_action_t *a)
{
	if (s->qlen == s->qcap) {
		size_t ncap = s->qcap ? s->qcap * 2 : 16;
		sgn_action_t *nq = xmalloc(ncap * sizeof(*nq));
		for (size_t i = 0; i < s->qlen; i++)
			nq[i] = s->q[(s->qhead + i) % s->qcap];
		free(s->q);
		s->q = nq;
		s->qcap = ncap;
		s->qhead = 0;
	}
	s->q[(s->qhead + s->qlen) % s->qcap] = *a;
	s->qlen++;
}

int sgn_next_action(sgn_t *s, sgn_action_t *a)
{
	if (s == NULL || a == NULL || s->qlen == 0)
		return HS_E_NOTFOUND;
	*a = s->q[s->qhead];
	s->qhead = (s->qhead + 1) % s->qcap;
	s->qlen--;
	return HS_OK;
}

void sgn_action_clear(sgn_action_t *a)
{
	if (a == NULL)
		return;
	free(a->rdata);
	free(a->body);
	memset(a, 0, sizeof(*a));
}

uint64_t sgn_refused(const sgn_t *s)
{
	return s->refused;
}

struct sgn_zone *sgn_zone_find(const sgn_t *s, const char *zone)
{
	char c[256];
	if (zone == NULL || eng_name_canon(zone, strlen(zone), c) != HS_OK)
		return NULL;
	for (size_t i = 0; i < s->nz; i++)
		if (strcmp(s->z[i]->name, c) == 0)
			return s->z[i];
	return NULL;
}

void sgn_policy_fill(sgn_policy_t *p)
{
	if (p->alg == 0)
		p->alg = 13;
	if (p->propagation == 0)
		p->propagation = 300;
	if (p->dnskey_ttl == 0)
		p->dnskey_ttl = 3600;
	if (p->max_ttl == 0)
		p->max_ttl = 86400;
	if (p->ds_ttl == 0)
		p->ds_ttl = 86400;
}

int sgn_zone_add(sgn_t *s, const char *zone, const sgn_policy_t *p, hs_errmsg_t *em)
{
	struct sgn_zone *z;
	sgn_policy_t pol;
	memset(&pol, 0, sizeof(pol));
	if (p != NULL)
		pol = *p;
	sgn_policy_fill(&pol);
	if (!zs_alg_supported(pol.alg))
		return hs_fail(em, HS_E_CONFIG, "algorithm %u is not one the signer uses", pol.alg);
	z = sgn_zone_find(s, zone);
	if (z != NULL) {
		z->p = pol;
		return HS_OK;
	}
	if (s->nz >= SGN_MAX_ZONES)
		return hs_fail(em, HS_E_LIMIT, "too many zones");
	z = xcalloc(1, sizeof(*z));
	if (eng_name_canon(zone, strlen(zone), z->name) != HS_OK) {
		free(z);
		return hs_fail(em, HS_E_NAME, "'%s' is not a zone name", zone);
	}
	z->p = pol;
	/* inventories stay newer than a previous run's (the agent ignores one
	 * not newer than the last it took, KS-12): the wall clock in ms */
	z->inv_seq = hs_now_ms(s->env);
	s->z = xrealloc(s->z, (s->nz + 1) * sizeof(*s->z));
	s->z[s->nz++] = z;
	return HS_OK;
}

struct sgn_key *sgn_key_find(struct sgn_zone *z, const uint8_t *rdata, size_t len)
{
	for (size_t i = 0; i < z->nk; i++)
		if (z->k[i].len == len && memcmp(z->k[i].rdata, rdata, len) == 0)
			return &z->k[i];
	return NULL;
}

/* A key entry; NULL when the zone is full. */
static struct sgn_key *key_new(struct sgn_zone *z, uint8_t role, const uint8_t *rdata, size_t len,
                               int state, int64_t since)
{
	if (z->nk >= SGN_MAX_KEYS) {
		/* drop removed keys to make room: they are history in the store */
		size_t w = 0;
		for (size_t i = 0; i < z->nk; i++) {
			if (z->k[i].state == ST_DKEY_REMOVED) {
				free(z->k[i].rdata);
				free(z->k[i].v);
				continue;
			}
			z->k[w++] = z->k[i];
		}
		z->nk = w;
		if (z->nk >= SGN_MAX_KEYS)
			return NULL;
	}
	struct sgn_key *k = &z->k[z->nk++];
	memset(k, 0, sizeof(*k));
	k->role = role;
	k->state = state;
	k->since = since;
	k->rdata = xmalloc(len);
	memcpy(k->rdata, rdata, len);
	k->len = len;
	k->flags = (uint16_t)(rdata[0] << 8 | rdata[1]);
	k->alg = rdata[3];
	k->tag = zs_keytag(rdata, len);
	return k;
}

int sgn_set_state(sgn_t *s, struct sgn_zone *z, struct sgn_key *k, int to, const char *why)
{
	sgn_action_t a;
	if (!st_dkey_transition_ok(k->state, to)) {
		log_err(SGN_LOG, "zone '%s' key %u: '%s' -> '%s' is not in the table", z->name,
		        k->tag, st_dkey_state_name(k->state), st_dkey_state_name(to));
		return 0;
	}
	log_notice(SGN_LOG, "zone '%s' key %u: %s -> %s (%s)", z->name, k->tag,
	           st_dkey_state_name(k->state), st_dkey_state_name(to), why);
	memset(&a, 0, sizeof(a));
	a.kind = SGN_ACT_KEY_STATE;
	snprintf(a.zone, sizeof(a.zone), "%s", z->name);
	a.rdata = xmalloc(k->len);
	memcpy(a.rdata, k->rdata, k->len);
	a.len = k->len;
	a.role = k->role;
	a.old_state = k->state;
	a.new_state = to;
	snprintf(a.reason, sizeof(a.reason), "%s", why);
	sgn_push(s, &a);
	k->state = to;
	k->since = sgn_now(s);
	k->waiting[0] = '\0';
	return 1;
}

int sgn_key_restore(sgn_t *s, const char *zone, uint8_t role, const uint8_t *rdata, size_t len,
                    int state, int64_t since)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	if (z == NULL)
		return HS_E_NOTFOUND;
	if (rdata == NULL || len < 4 || role < 1 || role > 3 || state < 0 ||
	    state >= ST_DKEY_NSTATES)
		return HS_E_MALFORMED;
	if (sgn_key_find(z, rdata, len) != NULL)
		return HS_E_EXISTS;
	struct sgn_key *k = key_new(z, role, rdata, len, state, since);
	if (k == NULL)
		return HS_E_LIMIT;
	k->foreign = state == ST_DKEY_FOREIGN;
	return HS_OK;
}

int sgn_key_generated(sgn_t *s, const char *zone, uint64_t req, const uint8_t *rdata, size_t len)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	size_t i;
	if (z == NULL || rdata == NULL || len < 4)
		return HS_E_NOTFOUND;
	for (i = 0; i < z->npend && z->pend[i].req != req; i++)
		continue;
	if (i == z->npend)
		return HS_E_NOTFOUND;
	uint8_t role = z->pend[i].role;
	z->pend[i] = z->pend[--z->npend];
	if (sgn_key_find(z, rdata, len) != NULL)
		return HS_E_EXISTS;
	if (key_new(z, role, rdata, len, ST_DKEY_CREATED, sgn_now(s)) == NULL)
		return HS_E_LIMIT;
	log_notice(SGN_LOG, "zone '%s' key %u: new %s (created)", z->name, zs_keytag(rdata, len),
	           role == ST_DKEY_KSK   ? "KSK"
	           : role == ST_DKEY_ZSK ? "ZSK"
	                                 : "CSK");
	sgn_zone_step(s, z);
	return HS_OK;
}

int sgn_zone_input(sgn_t *s, const char *zone, const uint8_t *const *rdata, const size_t *len,
                   size_t n, int cds_allowed)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	if (z == NULL)
		return HS_E_NOTFOUND;
	z->cds_allowed = cds_allowed;
	/* foreign keys no longer in the combined zone are gone */
	for (size_t i = 0; i < z->nk; i++) {
		struct sgn_key *k = &z->k[i];
		int present = 0;
		if (k->state != ST_DKEY_FOREIGN)
			continue;
		for (size_t j = 0; j < n && !present; j++)
			present = len[j] == k->len && memcmp(rdata[j], k->rdata, k->len) == 0;
		if (!present)
			sgn_set_state(s, z, k, ST_DKEY_REMOVED, "no longer in the combined zone");
	}
	for (size_t j = 0; j < n; j++) {
		struct sgn_key *k = sgn_key_find(z, rdata[j], len[j]);
		zs_key_t *pub = NULL;
		hs_errmsg_t em;
		if (k != NULL && k->state != ST_DKEY_REMOVED)
			continue; /* ours, or known already */
		hs_errmsg_clear(&em);
		if (zs_key_from_dnskey(rdata[j], len[j], &pub, &em) != HS_OK) {
			s->refused++;
			snprintf(z->refused, sizeof(z->refused), "DNSKEY of %zu octets refused: %s",
			         len[j], hs_errmsg_str(&em));
			log_warn(SGN_LOG, "zone '%s': %s", z->name, z->refused);
			continue;
		}
		zs_key_free(pub);
		if (k != NULL) {
			/* another signer's key that comes back is published again
			 * (every signer must publish the same set); an own
			 * removed key never comes back */
			if (k->foreign)
				sgn_set_state(s, z, k, ST_DKEY_FOREIGN,
				              "back in the combined zone");
			continue;
		}
		k = key_new(z, (rdata[j][1] & 1) ? ST_DKEY_KSK : ST_DKEY_ZSK, rdata[j], len[j], -1,
		            sgn_now(s));
		if (k == NULL) {
			s->refused++;
			snprintf(z->refused, sizeof(z->refused), "too many keys");
			continue;
		}
		k->foreign = 1;
		sgn_set_state(s, z, k, ST_DKEY_FOREIGN,
		              "another signer's key in the combined zone");
	}
	sgn_zone_step(s, z);
	return HS_OK;
}

/* Mark the keys the parent serves a DS for (SIGN-60): `seen(k)` says
 * whether key k is among them. A key seen for the first time starts its
 * DS-TTL wait now; a key no longer seen loses it. */
static void ds_mark(sgn_t *s, struct sgn_zone *z, int (*seen)(const struct sgn_key *, void *),
                    void *arg)
{
	int64_t now = sgn_now(s);
	z->ds_known = 1;
	for (size_t i = 0; i < z->nk; i++) {
		struct sgn_key *k = &z->k[i];
		int was = k->ds_seen;
		k->ds_seen = seen(k, arg);
		if (k->ds_seen && !was) {
			k->ds_since = now;
			log_info(SGN_LOG, "zone '%s' key %u: DS at the parent (seen)", z->name,
			         k->tag);
		} else if (!k->ds_seen) {
			if (was)
				log_info(SGN_LOG, "zone '%s' key %u: DS at the parent (gone)",
				         z->name, k->tag);
			k->ds_since = 0;
		}
	}
	sgn_zone_step(s, z);
}

struct ds_tags {
	const uint16_t *tags;
	size_t n;
};

static int seen_tag(const struct sgn_key *k, void *arg)
{
	const struct ds_tags *t = arg;
	for (size_t j = 0; j < t->n; j++)
		if (k->tag == t->tags[j])
			return 1;
	return 0;
}

int sgn_parent_ds(sgn_t *s, const char *zone, const uint16_t *tags, size_t n)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	struct ds_tags t = {tags, n};
	if (z == NULL)
		return HS_E_NOTFOUND;
	ds_mark(s, z, seen_tag, &t);
	return HS_OK;
}

struct ds_set {
	const uint8_t *apex;
	size_t alen;
	const uint8_t *const *ds;
	const size_t *len;
	size_t n;
};

/* A DS matches a key on tag, algorithm and digest (never the tag alone:
 * tags collide). */
static int seen_digest(const struct sgn_key *k, void *arg)
{
	const struct ds_set *d = arg;
	for (size_t j = 0; j < d->n; j++) {
		const uint8_t *r = d->ds[j];
		hs_buf_t b = HS_BUF_INIT;
		int eq;
		if (d->len[j] < 5 || (uint16_t)(r[0] << 8 | r[1]) != k->tag || r[2] != k->alg)
			continue;
		eq = zs_ds_rdata(d->apex, d->alen, k->rdata, k->len, r[3], &b) == HS_OK &&
		     b.len == d->len[j] && memcmp(b.data, r, b.len) == 0;
		hs_buf_free(&b);
		if (eq)
			return 1;
	}
	return 0;
}

int sgn_parent_ds_set(sgn_t *s, const char *zone, const uint8_t *const *ds, const size_t *len,
                      size_t n, uint32_t ttl)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	uint8_t apex[256];
	struct ds_set d;
	if (z == NULL)
		return HS_E_NOTFOUND;
	if (hs_name_from_text(z->name, strlen(z->name), apex, &d.alen) != HS_OK)
		return HS_E_NAME;
	d.apex = apex;
	d.ds = ds;
	d.len = len;
	d.n = n;
	if (n > 0)
		z->ds_ttl_seen = ttl;
	ds_mark(s, z, seen_digest, &d);
	return HS_OK;
}

int sgn_tick(sgn_t *s)
{
	for (size_t i = 0; i < s->nz; i++)
		sgn_zone_step(s, s->z[i]);
	return HS_OK;
}

size_t sgn_zone_key_count(const sgn_t *s, const char *zone)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	return z ? z->nk : 0;
}

int sgn_zone_key_at(const sgn_t *s, const char *zone, size_t i, sgn_key_view_t *out)
{
	struct sgn_zone *z = sgn_zone_find(s, zone);
	if (z == NULL || i >= z->nk || out == NULL)
		return HS_E_NOTFOUND;
	const struct sgn_key *k = &z->k[i];
	memset(out, 0, sizeof(*out));
	out->tag = k->tag;
	out->alg = k->alg;
	out->role = k->role;
	out->flags = k->flags;
	out->state = k->state;
	out->foreign = k->foreign;
	out->since = k->since;
	out->rdata = k->rdata;
	out->len = k->len;
	snprintf(out->waiting, sizeof(out->waiting), "%s", k->waiting);
	return HS_OK;
}

static void json_str(hs_buf_t *out, const char *s)
{
	hs_buf_append_u8(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			hs_buf_append_u8(out, '\\');
		if ((unsigned char)*s >= 0x20)
			hs_buf_append_u8(out, (uint8_t)*s);
	}
	hs_buf_append_u8(out, '"');
}

void sgn_zone_json(const sgn_t *s, const char *zone, hs_buf_t *out)
{
	static const char *const roles[] = {"?", "KSK", "ZSK", "CSK"};
	struct sgn_zone *z = sgn_zone_find(s, zone);
	if (z == NULL) {
		hs_buf_printf(out, "{}");
		return;
	}
	hs_buf_printf(out, "{\"zone\":");
	json_str(out, z->name);
	hs_buf_printf(out, ",\"peers_known\":%s,\"peers\":[", z->peers_known ? "true" : "false");
	for (size_t i = 0; i < z->npeers; i++) {
		if (i)
			hs_buf_append_u8(out, ',');
		json_str(out, z->peers[i]);
	}
	hs_buf_printf(out, "],\"refused\":");
	json_str(out, z->refused);
	hs_buf_printf(out, ",\"keys\":[");
	for (size_t i = 0; i < z->nk; i++) {
		const struct sgn_key *k = &z->k[i];
		hs_buf_printf(out,
		              "%s{\"tag\":%u,\"alg\":%u,\"role\":\"%s\",\"state\":\"%s\","
		              "\"since\":%lld,\"waiting\":",
		              i ? "," : "", k->tag, k->alg, roles[k->role & 3],
		              st_dkey_state_name(k->state), (long long)k->since);
		json_str(out, k->waiting);
		hs_buf_printf(out, ",\"verdicts\":[");
		for (size_t j = 0; j < k->nv; j++) {
			hs_buf_printf(out, "%s{\"provider\":", j ? "," : "");
			json_str(out, k->v[j].provider);
			hs_buf_printf(out, ",\"verdict\":");
			json_str(out, k->v[j].verdict);
			hs_buf_printf(out, ",\"reason\":");
			json_str(out, k->v[j].reason);
			hs_buf_append_u8(out, '}');
		}
		hs_buf_printf(out, "]}");
	}
	hs_buf_printf(out, "]}");
}
