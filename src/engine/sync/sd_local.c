/* Local changes: the provider's own contribution (SYNC-1, SYNC-10). */
#include "engine/sync/sd_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"
#include "wire/rdata.h"

/* The zone an own change may go to, or an error saying why not. */
static int change_zone(eng_t *e, const char *zone, uint16_t type, eng_zent_t **out, hs_errmsg_t *em)
{
	char canon[ENG_NAME_MAX];
	eng_zent_t *ent = NULL;
	if (zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK ||
	    (ent = eng_zent_find(e, canon)) == NULL)
		return hs_fail(em, HS_E_NOTFOUND, "zone '%s' is not served here", zone ? zone : "");
	if (!ent->z.multi)
		return hs_fail(em, HS_E_STATE, "zone '%s' is not multi-provider here: %s", canon,
		               ent->z.reason_text);
	if (!sm_type_synced(type, NULL)) {
		hs_buf_t t = HS_BUF_INIT;
		hs_rrtype_any_print(&t, type);
		int rc = hs_fail(em, HS_E_NOTSUP,
		                 "type %s is not synchronised (NS, DNSKEY, CDS, CSYNC, KEY only)",
		                 hs_buf_cstr(&t));
		hs_buf_free(&t);
		return rc;
	}
	if (ent->sd == NULL)
		ent->sd = xcalloc(1, sizeof(*ent->sd));
	*out = ent;
	return HS_OK;
}

/* One RR checked and put in canonical form: `owner` receives the name. */
static int check_rr(const eng_zone_t *z, uint16_t type, const eng_sd_rr_t *in,
                    char owner[ENG_NAME_MAX], sm_rr_t *out, hs_errmsg_t *em)
{
	hs_buf_t t = HS_BUF_INIT;
	hs_errmsg_t why;
	if (in->owner == NULL || eng_name_canon(in->owner, strlen(in->owner), owner) != HS_OK)
		return hs_fail(em, HS_E_INVAL, "owner '%s' is not a name",
		               in->owner ? in->owner : "");
	if (strcmp(owner, z->name) != 0)
		return hs_fail(em, HS_E_INVAL, "owner '%s' is not the apex of zone '%s'", owner,
		               z->name);
	if (in->rdlen > SM_RDATA_MAX)
		return hs_fail(em, HS_E_LIMIT, "rdata of %zu octets is over %d", in->rdlen,
		               SM_RDATA_MAX);
	int rc = hs_ldns_rdata_to_text(type, in->rdata, in->rdlen, &t, &why);
	hs_buf_free(&t);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "%s", hs_errmsg_str(&why));
	memset(out, 0, sizeof(*out));
	out->owner = owner;
	out->ttl = in->ttl;
	out->rdata = (uint8_t *)(uintptr_t)in->rdata; /* borrowed, never written */
	out->rdlen = (uint16_t)in->rdlen;
	return HS_OK;
}

/* Is `rrs` exactly the current set (same RRs, same TTLs)? */
static int same_set(const sd_set_t *s, const sm_rr_t *rrs, size_t n)
{
	size_t in = 0;
	for (size_t i = 0; i < s->nrrs; i++)
		in += s->rrs[i].in_set;
	if (in != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const sd_rr_t *r = sd_rr_find(s, rrs[i].owner, rrs[i].rdata, rrs[i].rdlen);
		if (r == NULL || !r->in_set || r->ttl != rrs[i].ttl)
			return 0;
	}
	return 1;
}

/* Make `rrs` (deduplicated) our set of `type` and distribute it. */
static void own_change(eng_t *e, eng_zent_t *ent, uint16_t type, const sm_rr_t *rrs, size_t n)
{
	sd_set_t *s = sd_set_find(ent->sd, e->identity, type);
	if ((s == NULL && n == 0) || (s != NULL && same_set(s, rrs, n)))
		return; /* nothing changes: nothing to send */
	s = sd_set_get(e, ent, e->identity, type);
	/* SYNC-1: increasing, and still increasing after a restart */
	uint64_t version = eng_wall(e);
	if (version <= s->version)
		version = s->version + 1;
	char change[SM_CHANGE_LEN + 1];
	sd_new_change(e, change);
	size_t changed = sd_set_replace(e, ent, s, version, change, rrs, n);
	hs_buf_t ty = HS_BUF_INIT;
	hs_rrtype_any_print(&ty, type);
	log_notice("engine",
	           "zone '%s': own %s set now %zu records, version %llu change %s (%zu changed)",
	           ent->z.name, hs_buf_cstr(&ty), n, (unsigned long long)version, change, changed);
	hs_buf_free(&ty);
	sd_set_refresh(e, ent, s, eng_mono(e));
	sd_own_store(e, ent, s, 0); /* SYNC-57: stored before it is sent */
	if (sd_have_combiner(e))
		sd_send_set(e, ent, s, e->sd->combiner, 1);
	sd_send_set_peers(e, ent, s);
}

/* Drop later copies of an RR (owner, RDATA) from `v` (SYNC-3). */
static size_t dedup(sm_rr_t *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		int dup = 0;
		for (size_t j = 0; j < k && !dup; j++)
			dup = v[j].rdlen == v[i].rdlen && strcmp(v[j].owner, v[i].owner) == 0 &&
			      (v[i].rdlen == 0 || memcmp(v[j].rdata, v[i].rdata, v[i].rdlen) == 0);
		if (!dup)
			v[k++] = v[i];
	}
	return k;
}

int eng_sd_set_own(eng_t *e, const char *zone, uint16_t type, const eng_sd_rr_t *rrs, size_t n,
                   hs_errmsg_t *em)
{
	eng_zent_t *ent;
	sm_rr_t *v = NULL;
	char(*owners)[ENG_NAME_MAX] = NULL;
	int rc = change_zone(e, zone, type, &ent, em);
	if (rc != HS_OK)
		return rc;
	if (n > SM_MAX_RRS)
		return hs_fail(em, HS_E_LIMIT, "%zu records: at most %d per set", n, SM_MAX_RRS);
	v = xcalloc(n + 1, sizeof(*v));
	owners = xcalloc(n + 1, sizeof(*owners));
	for (size_t i = 0; i < n; i++)
		if ((rc = check_rr(&ent->z, type, &rrs[i], owners[i], &v[i], em)) != HS_OK)
			goto cleanup;
	own_change(e, ent, type, v, dedup(v, n));
cleanup:
	free(v);
	free(owners);
	return rc;
}

/* Our current set of `type` plus room for one more, in `v`. */
static size_t current(const sd_set_t *s, sm_rr_t *v)
{
	size_t k = 0;
	for (size_t i = 0; s != NULL && i < s->nrrs; i++) {
		const sd_rr_t *r = &s->rrs[i];
		if (!r->in_set)
			continue;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].owner = r->owner;
		v[k].ttl = r->ttl;
		v[k].rdata = r->rdata;
		v[k].rdlen = r->rdlen;
		k++;
	}
	return k;
}

/* May own sets be edited one RR at a time yet (SYNC-33)? */
static int rebuilt(const eng_t *e, const sd_zone_t *zs)
{
	return !sd_have_combiner(e) || zs->have_edits ||
	       (zs->edits_asked && eng_mono(e) - zs->asked_mono >= e->sd->timeout);
}

int eng_sd_editable(const eng_t *e, const char *zone)
{
	char canon[ENG_NAME_MAX];
	eng_zent_t *ent;
	if (zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK ||
	    (ent = eng_zent_find(e, canon)) == NULL || !ent->z.multi)
		return 0;
	if (ent->sd == NULL)
		return !sd_have_combiner(e);
	return rebuilt(e, ent->sd);
}

static int edit_one(eng_t *e, const char *zone, uint16_t type, const eng_sd_rr_t *rr, int add,
                    hs_errmsg_t *em)
{
	eng_zent_t *ent;
	char owner[ENG_NAME_MAX];
	sm_rr_t one;
	sm_rr_t v[SM_MAX_RRS + 1];
	int rc = change_zone(e, zone, type, &ent, em);
	if (rc != HS_OK)
		return rc;
	if (rr == NULL)
		return hs_fail(em, HS_E_INVAL, "no record given");
	if (!rebuilt(e, ent->sd))
		return hs_fail(em, HS_E_AGAIN,
		               "zone '%s': own data not rebuilt yet (waiting for the edits of "
		               "combiner '%s')",
		               ent->z.name, e->sd->combiner);
	if ((rc = check_rr(&ent->z, type, rr, owner, &one, em)) != HS_OK)
		return rc;
	sd_set_t *s = sd_set_find(ent->sd, e->identity, type);
	sd_rr_t *have = s ? sd_rr_find(s, one.owner, one.rdata, one.rdlen) : NULL;
	int in = have != NULL && have->in_set;
	if (add && in)
		return hs_fail(em, HS_E_EXISTS, "zone '%s': the record is already in the own set",
		               ent->z.name);
	if (!add && !in)
		return hs_fail(em, HS_E_NOTFOUND, "zone '%s': the record is not in the own set",
		               ent->z.name);
	size_t n = current(s, v);
	if (add) {
		if (n == SM_MAX_RRS)
			return hs_fail(em, HS_E_LIMIT,
			               "zone '%s': the own set has %d records already", ent->z.name,
			               SM_MAX_RRS);
		v[n++] = one;
	} else {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!(v[i].rdlen == one.rdlen && strcmp(v[i].owner, one.owner) == 0 &&
			      (one.rdlen == 0 || memcmp(v[i].rdata, one.rdata, one.rdlen) == 0)))
				v[k++] = v[i];
		n = k;
	}
	own_change(e, ent, type, v, n);
	return HS_OK;
}

int eng_sd_add_rr(eng_t *e, const char *zone, uint16_t type, const eng_sd_rr_t *rr, hs_errmsg_t *em)
{
	return edit_one(e, zone, type, rr, 1, em);
}

int eng_sd_del_rr(eng_t *e, const char *zone, uint16_t type, const eng_sd_rr_t *rr, hs_errmsg_t *em)
{
	return edit_one(e, zone, type, rr, 0, em);
}
