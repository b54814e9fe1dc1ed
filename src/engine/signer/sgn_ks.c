/* sgn_ks.c -- KEYSTATE from the agent: who may send it, what each kind
 * must prove, and the verdicts it records (KS-30..KS-36). */
#include "engine/signer/sgn_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/zone.h"
#include "util/log.h"
#include "util/xmalloc.h"

static int from_agent(const sgn_t *s, const char *from, hs_errmsg_t *em)
{
	char c[256];
	if (!s->has_agent)
		return hs_fail(em, HS_E_REFUSED, "this signer has no agent");
	if (from == NULL || eng_name_canon(from, strlen(from), c) != HS_OK ||
	    strcmp(c, s->agent) != 0)
		return hs_fail(em, HS_E_REFUSED, "'%s' is not this signer's agent",
		               from ? from : "?");
	return HS_OK;
}

static const sgn_ks_verdict_t *msg_verdict(const sgn_keystate_t *ks, const uint8_t *rd, size_t len,
                                           const char *provider)
{
	for (size_t i = 0; i < ks->nverdicts; i++)
		if (ks->verdicts[i].len == len && memcmp(ks->verdicts[i].rdata, rd, len) == 0 &&
		    strcmp(ks->verdicts[i].provider, provider) == 0)
			return &ks->verdicts[i];
	return NULL;
}

/* What a report of kind `kind` must show for each key it lists (KS-33):
 * propagated -> every peer applied (or ignored: not-signing-here),
 * removed -> every peer removed, rejected -> some peer rejected. */
static int check_claim(const sgn_keystate_t *ks, struct sgn_zone *z, hs_errmsg_t *em)
{
	if ((ks->kind == SGN_KS_PROPAGATED || ks->kind == SGN_KS_REMOVED) && !ks->has_peers)
		return hs_fail(em, HS_E_MALFORMED, "%s without 'peers'",
		               sgn_ks_kind_name(ks->kind));
	for (size_t i = 0; i < ks->nkeys; i++) {
		const sgn_ks_key_t *key = &ks->keys[i];
		struct sgn_key *k = sgn_key_find(z, key->rdata, key->len);
		int any_rejected = 0;
		if (k == NULL || k->state == ST_DKEY_FOREIGN)
			return hs_fail(em, HS_E_REFUSED, "a %s report about a key that is not ours",
			               sgn_ks_kind_name(ks->kind));
		for (size_t p = 0; p < ks->npeers; p++) {
			const sgn_ks_verdict_t *v =
			    msg_verdict(ks, key->rdata, key->len, ks->peers[p]);
			const char *got = v ? v->verdict : "no verdict";
			if (v != NULL && strcmp(v->verdict, "rejected") == 0)
				any_rejected = 1;
			if (ks->kind == SGN_KS_PROPAGATED &&
			    !(v && (strcmp(got, "applied") == 0 ||
			            (strcmp(got, "ignored") == 0 &&
			             strncmp(v->reason, "not-signing-here", 16) == 0))))
				return hs_fail(
				    em, HS_E_REFUSED,
				    "propagated for key %u contradicts its verdicts (%s: %s)",
				    k->tag, ks->peers[p], got);
			if (ks->kind == SGN_KS_REMOVED &&
			    !(v && (strcmp(got, "removed") == 0 || strcmp(got, "ignored") == 0)))
				return hs_fail(
				    em, HS_E_REFUSED,
				    "removed for key %u contradicts its verdicts (%s: %s)", k->tag,
				    ks->peers[p], got);
		}
		if (ks->kind == SGN_KS_REJECTED && !any_rejected) {
			for (size_t v = 0; v < ks->nverdicts; v++)
				if (ks->verdicts[v].len == key->len &&
				    memcmp(ks->verdicts[v].rdata, key->rdata, key->len) == 0 &&
				    strcmp(ks->verdicts[v].verdict, "rejected") == 0)
					any_rejected = 1;
			if (!any_rejected)
				return hs_fail(em, HS_E_REFUSED,
				               "rejected for key %u without a rejecting verdict",
				               k->tag);
		}
	}
	return HS_OK;
}

static void record(struct sgn_key *k, const sgn_ks_verdict_t *v)
{
	struct sgn_verdict *d = NULL;
	for (size_t i = 0; i < k->nv; i++)
		if (strcmp(k->v[i].provider, v->provider) == 0)
			d = &k->v[i];
	if (d == NULL) {
		k->v = xrealloc(k->v, (k->nv + 1) * sizeof(*k->v));
		d = &k->v[k->nv++];
	}
	snprintf(d->provider, sizeof(d->provider), "%s", v->provider);
	snprintf(d->verdict, sizeof(d->verdict), "%s", v->verdict);
	snprintf(d->reason, sizeof(d->reason), "%s", v->reason);
}

int sgn_message(sgn_t *s, const char *from, const char *type, const uint8_t *body, size_t len,
                hs_errmsg_t *em)
{
	sgn_keystate_t ks;
	struct sgn_zone *z;
	int rc;

	if (s == NULL || type == NULL || (body == NULL && len))
		return hs_fail(em, HS_E_INVAL, "missing argument");
	rc = from_agent(s, from, em);
	if (rc != HS_OK) {
		s->refused++;
		log_warn(SGN_LOG, "message refused: %s", hs_errmsg_str(em));
		return rc;
	}
	if (strcmp(type, "KEYSTATE") != 0)
		return hs_fail(em, HS_E_UNKNOWN_TYPE, "a signer takes KEYSTATE only, not '%s'",
		               type);
	rc = sgn_ks_decode(body, len, &ks, em);
	if (rc != HS_OK) {
		s->refused++;
		return rc;
	}
	z = sgn_zone_find(s, ks.zone);
	if (z == NULL) {
		rc = hs_fail(em, HS_E_NOTFOUND, "zone '%s' is not signed here", ks.zone);
		goto cleanup;
	}
	if (ks.kind == SGN_KS_INVENTORY) {
		rc = hs_fail(em, HS_E_REFUSED, "an inventory comes from the signer, not to it");
		goto cleanup;
	}
	rc = check_claim(&ks, z, em);
	if (rc != HS_OK) {
		s->refused++;
		log_warn(SGN_LOG, "zone '%s': KEYSTATE %s refused: %s", z->name,
		         sgn_ks_kind_name(ks.kind), hs_errmsg_str(em));
		goto cleanup;
	}
	if (ks.has_peers) {
		free(z->peers);
		z->peers = xcalloc(ks.npeers ? ks.npeers : 1, sizeof(*z->peers));
		memcpy(z->peers, ks.peers, ks.npeers * sizeof(*z->peers));
		z->npeers = ks.npeers;
		z->peers_known = 1;
	}
	for (size_t i = 0; i < ks.nverdicts; i++) {
		struct sgn_key *k = sgn_key_find(z, ks.verdicts[i].rdata, ks.verdicts[i].len);
		if (k == NULL || k->state == ST_DKEY_FOREIGN) {
			log_info(SGN_LOG,
			         "zone '%s': a verdict about a key that is not ours ignored",
			         z->name);
			continue;
		}
		record(k, &ks.verdicts[i]);
	}
	sgn_zone_step(s, z);
cleanup:
	sgn_ks_free(&ks);
	return rc;
}

int sgn_inventory_request(sgn_t *s, const char *from, const char *zone, hs_errmsg_t *em)
{
	struct sgn_zone *z;
	int rc = from_agent(s, from, em);
	if (rc != HS_OK) {
		s->refused++;
		return rc;
	}
	if (zone == NULL) {
		for (size_t i = 0; i < s->nz; i++)
			sgn_send_inventory(s, s->z[i]);
		return HS_OK;
	}
	z = sgn_zone_find(s, zone);
	if (z == NULL)
		return hs_fail(em, HS_E_NOTFOUND, "zone '%s' is not signed here", zone);
	sgn_send_inventory(s, z);
	return HS_OK;
}
