/* Durability of our own sets (SYNC-57): every new version goes out as an
 * ENG_ACT_OWN_SET before its UPDATE and SYNCs; the driver gives the stored
 * versions back at start (eng_sd_restore_own). */
#include "engine/sync/sd_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

void eng_sd_own_free(eng_sd_own_t *o)
{
	free(o);
}

/* One block: the header, the RR array, then owners and RDATA. */
static eng_sd_own_t *own_new(const char *zone, uint16_t type, uint64_t version, const char *change,
                             const sm_rr_t *rrs, size_t n)
{
	size_t size = sizeof(eng_sd_own_t) + n * sizeof(eng_sd_rr_t);
	for (size_t i = 0; i < n; i++)
		size += strlen(rrs[i].owner) + 1 + rrs[i].rdlen;
	eng_sd_own_t *o = xcalloc(1, size);
	eng_strfmt(o->zone, sizeof(o->zone), "%s", zone);
	o->type = type;
	o->version = version;
	eng_strfmt(o->change, sizeof(o->change), "%s", change);
	o->nrrs = n;
	o->rrs = (eng_sd_rr_t *)(o + 1);
	uint8_t *p = (uint8_t *)(o->rrs + n);
	for (size_t i = 0; i < n; i++) {
		size_t ol = strlen(rrs[i].owner) + 1;
		memcpy(p, rrs[i].owner, ol);
		o->rrs[i].owner = (const char *)p;
		p += ol;
		if (rrs[i].rdlen)
			memcpy(p, rrs[i].rdata, rrs[i].rdlen);
		o->rrs[i].rdata = p;
		o->rrs[i].rdlen = rrs[i].rdlen;
		o->rrs[i].ttl = rrs[i].ttl;
		p += rrs[i].rdlen;
	}
	return o;
}

void sd_own_store(eng_t *e, eng_zent_t *ent, const sd_set_t *s, int restored)
{
	sm_rr_t *v = xcalloc(s->nrrs + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < s->nrrs; i++) {
		const sd_rr_t *r = &s->rrs[i];
		if (!r->in_set)
			continue;
		v[n].owner = r->owner;
		v[n].ttl = r->ttl;
		v[n].rdata = r->rdata;
		v[n].rdlen = r->rdlen;
		n++;
	}
	eng_action_t *a = eng_push_action(e, ENG_ACT_OWN_SET);
	a->own = own_new(ent->z.name, s->type, s->version, s->change, v, n);
	a->own->restored = restored;
	free(v);
}

/* Put a held or given own set in place in a loaded zone, sending nothing. */
static void install(eng_t *e, eng_zent_t *ent, const eng_sd_own_t *o)
{
	if (ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	for (size_t i = 0; i < ent->sd->nsets; i++)
		if (ent->sd->sets[i]->own && ent->sd->sets[i]->type == o->type) {
			sd_set_drop(ent->sd, i);
			break;
		}
	if (o->nrrs == 0 && o->version == 0)
		return;
	sm_rr_t *v = xcalloc(o->nrrs + 1, sizeof(*v));
	for (size_t i = 0; i < o->nrrs; i++) {
		v[i].owner = (char *)(uintptr_t)o->rrs[i].owner; /* borrowed, never written */
		v[i].ttl = o->rrs[i].ttl;
		v[i].rdata = (uint8_t *)(uintptr_t)o->rrs[i].rdata;
		v[i].rdlen = (uint16_t)o->rrs[i].rdlen;
	}
	sd_set_t *s = sd_set_get(e, ent, e->identity, o->type);
	sd_set_replace(e, ent, s, o->version, o->change, v, o->nrrs);
	sd_set_refresh(e, ent, s, eng_mono(e));
	free(v);
	log_info("engine",
	         "zone '%s': own type %u set restored from the store (version %llu, %zu "
	         "records)",
	         ent->z.name, o->type, (unsigned long long)o->version, o->nrrs);
}

void sd_own_held_install(eng_t *e, eng_zent_t *ent)
{
	sd_t *sd = e->sd;
	for (size_t i = 0; i < sd->nheld;) {
		if (strcmp(sd->held[i]->zone, ent->z.name) != 0) {
			i++;
			continue;
		}
		install(e, ent, sd->held[i]);
		eng_sd_own_free(sd->held[i]);
		sd->held[i] = sd->held[--sd->nheld];
	}
}

void sd_own_held_free(sd_t *sd)
{
	for (size_t i = 0; i < sd->nheld; i++)
		eng_sd_own_free(sd->held[i]);
	free(sd->held);
	sd->held = NULL;
	sd->nheld = 0;
}

int eng_sd_restore_own(eng_t *e, const char *zone, uint16_t type, uint64_t version,
                       const char *change, const eng_sd_rr_t *rrs, size_t n, hs_errmsg_t *em)
{
	char canon[ENG_NAME_MAX], owner[ENG_NAME_MAX];
	if (zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return hs_fail(em, HS_E_NAME, "zone '%s' is not a name", zone ? zone : "");
	if (!sm_type_synced(type, NULL))
		return hs_fail(em, HS_E_NOTSUP, "type %u is not synchronised", type);
	if (n > SM_MAX_RRS)
		return hs_fail(em, HS_E_LIMIT, "%zu records: at most %d per set", n, SM_MAX_RRS);
	if ((n > 0 || version != 0) &&
	    (change == NULL || change[0] == '\0' || strlen(change) > SM_CHANGE_LEN))
		return hs_fail(em, HS_E_INVAL, "zone '%s': own set without a valid change id",
		               canon);
	sm_rr_t *v = xcalloc(n + 1, sizeof(*v));
	int rc = HS_OK;
	for (size_t i = 0; i < n; i++) {
		if (rrs[i].owner == NULL ||
		    eng_name_canon(rrs[i].owner, strlen(rrs[i].owner), owner) != HS_OK ||
		    strcmp(owner, canon) != 0) {
			rc =
			    hs_fail(em, HS_E_INVAL, "zone '%s': own record not at the apex", canon);
			goto cleanup;
		}
		if (rrs[i].rdlen > SM_RDATA_MAX) {
			rc = hs_fail(em, HS_E_LIMIT, "rdata of %zu octets is over %d", rrs[i].rdlen,
			             SM_RDATA_MAX);
			goto cleanup;
		}
		v[i].owner = canon;
		v[i].ttl = rrs[i].ttl;
		v[i].rdata = (uint8_t *)(uintptr_t)rrs[i].rdata; /* borrowed, never written */
		v[i].rdlen = (uint16_t)rrs[i].rdlen;
	}
	eng_sd_own_t *o = own_new(canon, type, version, change ? change : "", v, n);
	eng_zent_t *ent = eng_zent_find(e, canon);
	if (ent != NULL) {
		install(e, ent, o);
		eng_sd_own_free(o);
		goto cleanup;
	}
	/* the zone is not loaded yet: held until it is (a later one wins) */
	sd_t *sd = e->sd;
	for (size_t i = 0; i < sd->nheld; i++)
		if (sd->held[i]->type == type && strcmp(sd->held[i]->zone, canon) == 0) {
			eng_sd_own_free(sd->held[i]);
			sd->held[i] = o;
			goto cleanup;
		}
	sd->held = xrealloc(sd->held, (sd->nheld + 1) * sizeof(*sd->held));
	sd->held[sd->nheld++] = o;
cleanup:
	free(v);
	return rc;
}
