/* par_keys.c -- the children's keys: the trust store rows the receiver
 * owns (source "parent: ..."), held in memory per child. The store is
 * written first, memory after (a failed write changes nothing). */
#include "engine/parent/par_int.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "wire/dname.h"
#include "wire/text.h"

const char *par_key_state_name(enum par_key_state s)
{
	switch (s) {
	case PAR_KEY_TRUSTED:
		return "trusted";
	case PAR_KEY_CANDIDATE:
		return "candidate";
	case PAR_KEY_RETIRED:
		return "retired";
	}
	return "?";
}

/* Trust states as the receiver reads them (par_int.h): unknown is a
 * candidate, refused retired, the rest trusted. */
static enum par_key_state state_of(int trust)
{
	switch (trust) {
	case ST_TRUST_UNKNOWN:
		return PAR_KEY_CANDIDATE;
	case ST_TRUST_REFUSED:
		return PAR_KEY_RETIRED;
	default:
		return PAR_KEY_TRUSTED;
	}
}

int par_candidate_live(const par_t *p, const struct par_key *k)
{
	return k->state == PAR_KEY_CANDIDATE &&
	       (int64_t)hs_now_s(p->env) - k->changed < (int64_t)p->cfg.candidate_life_s;
}

static int fill_key(struct par_key *k, const struct par_child *c, const uint8_t *rdata, size_t len)
{
	hs_errmsg_t em;
	sig0_key_t *key = NULL;
	if (len > sizeof(k->rdata) ||
	    sig0_key_from_rdata(c->wire, c->wlen, rdata, len, &key, &em) != HS_OK)
		return HS_E_BADKEY;
	sig0_key_free(k->key);
	memset(k, 0, sizeof(*k));
	k->key = key;
	memcpy(k->rdata, rdata, len);
	k->rdlen = len;
	k->tag = sig0_key_tag(key);
	k->alg = sig0_key_alg(key);
	return HS_OK;
}

int par_keys_load(par_t *p, hs_errmsg_t *em)
{
	st_trust_list_t l = {NULL, 0};
	int rc = st_trust_list(p->st, NULL, &l);
	if (rc != HS_OK)
		return hs_fail(em, rc, "parent: cannot read the trust store: %s", hs_strerror(rc));
	for (size_t i = 0; i < l.n; i++) {
		const st_trust_t *t = &l.v[i];
		uint8_t w[WIRE_NAME_MAX];
		size_t wl;
		size_t nl;
		if (t->kind != ST_KIND_SIG0 ||
		    strncmp(t->source, PAR_SRC_PREFIX, strlen(PAR_SRC_PREFIX)) != 0)
			continue;
		if (hs_name_from_text(t->owner, strlen(t->owner), w, &wl) != HS_OK ||
		    !wire_name_valid(w, wl, &nl) || wl == p->apex_len ||
		    !wire_name_under(w, wl, p->apex, p->apex_len))
			continue; /* another zone's child: not ours */
		struct par_child *c = par_child_make(p, w, wl);
		if (c->nkeys == PAR_MAX_KEYS) {
			hs_log(HS_LOG_WARN, PAR_SUB, "child '%s': more than %d keys; ignoring more",
			       c->name, PAR_MAX_KEYS);
			continue;
		}
		struct par_key *k = &c->keys[c->nkeys];
		memset(k, 0, sizeof(*k));
		if (fill_key(k, c, t->rdata, t->rdlen) != HS_OK) {
			hs_log(HS_LOG_WARN, PAR_SUB, "child '%s': unusable key %u in the store",
			       c->name, (unsigned)t->keytag);
			continue;
		}
		k->trust = t->state;
		k->state = state_of(t->state);
		snprintf(k->source, sizeof(k->source), "%s", t->source + strlen(PAR_SRC_PREFIX));
		k->first_seen = t->first_seen;
		k->changed = t->last_changed;
		if (k->changed > c->last_change)
			c->last_change = k->changed;
		c->nkeys++;
	}
	st_trust_list_free(&l);
	return HS_OK;
}

size_t par_keys_select(const struct par_child *c, int states, uint8_t alg, uint16_t tag,
                       const sig0_key_t **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nkeys && n < max; i++)
		if ((states & (1 << c->keys[i].state)) && c->keys[i].alg == alg &&
		    c->keys[i].tag == tag)
			out[n++] = c->keys[i].key;
	return n;
}

struct par_key *par_key_find(struct par_child *c, const uint8_t *rdata, size_t len)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (c->keys[i].rdlen == len && memcmp(c->keys[i].rdata, rdata, len) == 0)
			return &c->keys[i];
	return NULL;
}

size_t par_trusted_count(const struct par_child *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nkeys; i++)
		n += c->keys[i].state == PAR_KEY_TRUSTED;
	return n;
}

int par_key_set(par_t *p, struct par_child *c, const uint8_t *rdata, size_t len, int trust,
                const char *why)
{
	struct par_key tmp, *k = par_key_find(c, rdata, len);
	char source[240];
	st_trust_ref_t ref;
	int64_t now = hs_now_s(p->env);
	int rc, flags = 0, was_new = k == NULL;

	memset(&tmp, 0, sizeof(tmp));
	if (k == NULL) {
		if (c->nkeys == PAR_MAX_KEYS) {
			/* make room: forget the oldest retired or expired candidate */
			size_t drop = PAR_MAX_KEYS;
			for (size_t i = 0; i < c->nkeys; i++)
				if ((c->keys[i].state == PAR_KEY_RETIRED ||
				     (c->keys[i].state == PAR_KEY_CANDIDATE &&
				      !par_candidate_live(p, &c->keys[i]))) &&
				    (drop == PAR_MAX_KEYS ||
				     c->keys[i].changed < c->keys[drop].changed))
					drop = i;
			if (drop == PAR_MAX_KEYS)
				return HS_E_LIMIT;
			sig0_key_free(c->keys[drop].key);
			memmove(&c->keys[drop], &c->keys[drop + 1],
			        (c->nkeys - drop - 1) * sizeof(c->keys[0]));
			c->nkeys--;
		}
		rc = fill_key(&tmp, c, rdata, len);
		if (rc != HS_OK)
			return rc;
	} else {
		tmp = *k;
		/* a retired key trusted again, a key changing state the table
		 * does not allow: the receiver decides, the store records it */
		if (!st_trust_transition_ok(k->trust, trust))
			flags = ST_FORCE;
	}
	snprintf(source, sizeof(source), PAR_SRC_PREFIX "%s", why);
	memset(&ref, 0, sizeof(ref));
	ref.owner = c->name;
	ref.kind = ST_KIND_SIG0;
	ref.alg = tmp.alg;
	ref.keytag = tmp.tag;
	ref.rdata = rdata;
	ref.rdlen = len;
	rc = st_trust_put(p->st, &ref, trust, source, (unsigned)flags, now);
	if (rc != HS_OK) {
		if (k == NULL)
			sig0_key_free(tmp.key);
		hs_log(HS_LOG_ERR, PAR_SUB, "child '%s': key %u not stored: %s", c->name, tmp.tag,
		       hs_strerror(rc));
		return rc;
	}
	if (k == NULL) {
		k = &c->keys[c->nkeys++];
		*k = tmp;
		k->first_seen = now;
	}
	enum par_key_state old = k->state;
	k->trust = trust;
	k->state = state_of(trust);
	snprintf(k->source, sizeof(k->source), "%s", why);
	k->changed = now;
	c->last_change = now;
	hs_log(HS_LOG_NOTICE, PAR_SUB, "child '%s' key %u: %s -> %s (%s)", c->name, k->tag,
	       was_new ? "new" : par_key_state_name(old), par_key_state_name(k->state), why);
	return HS_OK;
}
