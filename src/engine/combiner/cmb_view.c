/* The combiner's state for operators: zones, stored records, the JSON of
 * `hsyncctl combiner contributions Z --json`. */
#include "engine/combiner/cmb_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "util/json_out.h"
#include "util/xmalloc.h"
#include "wire/rdata.h"
#include "wire/rr_hsyncparam.h"

static const cmb_zone_t *zone_of(const cmb_t *c, const char *zone)
{
	char canon[ENG_NAME_MAX];
	if (c == NULL || zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return NULL;
	return cmb_zone_find(c, canon);
}

static size_t zone_records(const cmb_zone_t *z)
{
	size_t n = 0;
	for (size_t i = 0; i < z->nsets; i++)
		n += z->sets[i]->n;
	return n;
}

static void zone_info(const cmb_zone_t *z, cmb_zone_info_t *out)
{
	memset(out, 0, sizeof(*out));
	out->name = z->name;
	out->loaded = z->v.loaded;
	out->multi = z->v.loaded && z->v.an.multi;
	out->owner_signed = cmb_zone_owner_signed(z);
	out->reason = z->v.loaded ? eng_zone_reason_name(z->v.an.reason) : "not-loaded";
	out->label = z->v.loaded ? z->v.an.our_label : NULL;
	out->serial_in = z->v.serial_in;
	out->serial_served = z->serial_served;
	out->nsets = z->nsets;
	out->nrecords = zone_records(z);
}

size_t cmb_zone_count(const cmb_t *c)
{
	return c ? c->nzones : 0;
}

int cmb_zone_at(const cmb_t *c, size_t i, cmb_zone_info_t *out)
{
	if (c == NULL || i >= c->nzones)
		return HS_E_NOTFOUND;
	zone_info(c->zones[i], out);
	return HS_OK;
}

int cmb_zone_get(const cmb_t *c, const char *zone, cmb_zone_info_t *out)
{
	const cmb_zone_t *z = zone_of(c, zone);
	if (z == NULL)
		return HS_E_NOTFOUND;
	zone_info(z, out);
	return HS_OK;
}

static void record_of(const cmb_set_t *s, const cmb_rr_t *r, cmb_record_t *out)
{
	*out =
	    (cmb_record_t){s->origin, s->type,  s->version, s->change,  s->updated_ms, r->owner,
	                   r->ttl,    r->rdata, r->rdlen,   r->verdict, r->reason,     r->approved};
}

size_t cmb_record_count(const cmb_t *c, const char *zone)
{
	const cmb_zone_t *z = zone_of(c, zone);
	return z ? zone_records(z) : 0;
}

int cmb_record_at(const cmb_t *c, const char *zone, size_t i, cmb_record_t *out)
{
	const cmb_zone_t *z = zone_of(c, zone);
	for (size_t k = 0; z != NULL && k < z->nsets; k++) {
		if (i < z->sets[k]->n) {
			record_of(z->sets[k], &z->sets[k]->rrs[i], out);
			return HS_OK;
		}
		i -= z->sets[k]->n;
	}
	return HS_E_NOTFOUND;
}

int cmb_record_find(const cmb_t *c, const char *zone, const char *origin, uint16_t type,
                    const uint8_t *rdata, size_t rdlen, cmb_record_t *out)
{
	char oc[ENG_NAME_MAX];
	const cmb_zone_t *z = zone_of(c, zone);
	if (z == NULL || origin == NULL || eng_name_canon(origin, strlen(origin), oc) != HS_OK)
		return HS_E_NOTFOUND;
	const cmb_set_t *s = cmb_set_find(z, oc, type);
	long i = cmb_set_rr_index(s, z->name, rdata, rdlen);
	if (i < 0)
		return HS_E_NOTFOUND;
	record_of(s, &s->rrs[i], out);
	return HS_OK;
}

/* ---- JSON ---- */

static void jw_type(hs_jw_t *w, const char *key, uint16_t type)
{
	hs_buf_t t = HS_BUF_INIT;
	hs_rrtype_any_print(&t, type);
	hs_jw_kv_str(w, key, hs_buf_cstr(&t));
	hs_buf_free(&t);
}

static void jw_rdata(hs_jw_t *w, uint16_t type, const uint8_t *p, size_t n, int hex)
{
	hs_buf_t t = HS_BUF_INIT;
	cmb_rdata_text(type, p, n, &t);
	if (hex) {
		char *h = xmalloc(2 * n + 1);
		hs_hex_encode(h, p, n);
		hs_jw_kv_str(w, "rdata", hs_buf_cstr(&t));
		hs_jw_kv_str(w, "rdata_hex", h);
		free(h);
	} else {
		hs_jw_str(w, hs_buf_cstr(&t));
	}
	hs_buf_free(&t);
}

static void json_sets(hs_jw_t *w, const cmb_zone_t *z)
{
	hs_jw_key(w, "contributions");
	hs_jw_arr_begin(w);
	for (size_t i = 0; i < z->nsets; i++) {
		const cmb_set_t *s = z->sets[i];
		hs_jw_obj_begin(w);
		hs_jw_kv_str(w, "origin", s->origin);
		hs_jw_kv_u64(w, "type", s->type);
		jw_type(w, "type_name", s->type);
		hs_jw_kv_u64(w, "version", s->version);
		hs_jw_kv_str(w, "change", s->change);
		hs_jw_kv_i64(w, "updated_ms", s->updated_ms);
		hs_jw_key(w, "rrs");
		hs_jw_arr_begin(w);
		for (size_t j = 0; j < s->n; j++) {
			const cmb_rr_t *r = &s->rrs[j];
			hs_jw_obj_begin(w);
			hs_jw_kv_str(w, "owner", r->owner);
			hs_jw_kv_u64(w, "ttl", r->ttl);
			jw_rdata(w, s->type, r->rdata, r->rdlen, 1);
			hs_jw_kv_str(w, "verdict", sm_verdict_name(r->verdict));
			hs_jw_kv_str(w, "reason", r->reason);
			hs_jw_kv_str(w, "reason_text",
			             r->reason ? sm_reason_text(sm_reason_parse(r->reason)) : NULL);
			hs_jw_kv_bool(w, "approved", r->approved);
			hs_jw_obj_end(w);
		}
		hs_jw_arr_end(w);
		hs_jw_obj_end(w);
	}
	hs_jw_arr_end(w);
}

static void json_apex(hs_jw_t *w, const cmb_t *c, const cmb_zone_t *z)
{
	cmb_apex_t a;
	hs_jw_key(w, "apex");
	if (cmb_apex_get(c, z->name, &a) != HS_OK) {
		hs_jw_null(w);
		return;
	}
	hs_jw_arr_begin(w);
	for (size_t i = 0; i < a.n; i++) {
		const cmb_rrset_t *s = &a.sets[i];
		hs_jw_obj_begin(w);
		hs_jw_kv_u64(w, "type", s->type);
		jw_type(w, "type_name", s->type);
		hs_jw_kv_bool(w, "replaced", s->replaced);
		if (s->replaced) {
			hs_jw_kv_u64(w, "ttl", s->ttl);
			hs_jw_key(w, "rdata");
			hs_jw_arr_begin(w);
			for (size_t j = 0; j < s->n; j++)
				jw_rdata(w, s->type, s->rd[j].p, s->rd[j].len, 0);
			hs_jw_arr_end(w);
		}
		hs_jw_obj_end(w);
	}
	hs_jw_arr_end(w);
	cmb_apex_clear(&a);
}

static void json_zone(hs_jw_t *w, const cmb_t *c, const cmb_zone_t *z)
{
	cmb_zone_info_t zi;
	zone_info(z, &zi);
	hs_jw_obj_begin(w);
	hs_jw_kv_str(w, "name", z->name);
	hs_jw_kv_bool(w, "loaded", zi.loaded);
	hs_jw_kv_bool(w, "multi_provider", zi.multi);
	hs_jw_kv_str(w, "reason", zi.reason);
	hs_jw_kv_str(w, "label", zi.label);
	hs_jw_kv_u64(w, "serial_in", zi.serial_in);
	hs_jw_kv_u64(w, "serial_served", zi.serial_served);
	if (zi.multi) {
		hs_jw_kv_str(w, "nsmgmt",
		             z->v.an.policy.nsmgmt == HS_NSMGMT_AGENT ? "agent" : "owner");
		hs_jw_kv_str(w, "parentsync",
		             z->v.an.policy.parentsync == HS_PARENTSYNC_AGENT ? "agent" : "owner");
		hs_jw_kv_bool(w, "signing", cmb_zone_signing(z));
		hs_jw_kv_bool(w, "owner_signed", zi.owner_signed);
	}
	hs_jw_kv_u64(w, "sets", zi.nsets);
	hs_jw_kv_u64(w, "records", zi.nrecords);
	json_sets(w, z);
	json_apex(w, c, z);
	hs_jw_obj_end(w);
}

static void json_policy(hs_jw_t *w)
{
	hs_jw_key(w, "policy");
	hs_jw_arr_begin(w);
	for (size_t i = 0; i < cmb_rule_count(); i++) {
		cmb_rule_info_t r;
		if (cmb_rule_at(i, &r) != HS_OK)
			break;
		hs_jw_obj_begin(w);
		hs_jw_kv_u64(w, "order", (uint64_t)r.order);
		hs_jw_kv_str(w, "scope", r.whole_set ? "set" : "record");
		hs_jw_kv_str(w, "verdict", sm_verdict_name(r.verdict));
		hs_jw_kv_str(w, "reason", r.reason == SM_R_NONE ? NULL : sm_reason_name(r.reason));
		hs_jw_kv_str(w, "rule", r.text);
		hs_jw_obj_end(w);
	}
	hs_jw_arr_end(w);
}

void cmb_json(const cmb_t *c, const char *zone, hs_buf_t *out)
{
	hs_jw_t w;
	const cmb_counters_t *k = &c->cnt;
	hs_jw_init(&w, out);
	hs_jw_obj_begin(&w);
	hs_jw_kv_str(&w, "identity", c->identity);
	hs_jw_kv_str(&w, "provider", c->provider);
	hs_jw_kv_str(&w, "approval", c->manual ? "manual" : "auto");
	hs_jw_kv_u64(&w, "ttl_min", c->ttl_min);
	hs_jw_kv_u64(&w, "ttl_max", c->ttl_max);
	hs_jw_key(&w, "protected");
	hs_jw_arr_begin(&w);
	for (size_t i = 0; i < c->nprotect; i++)
		hs_jw_str(&w, c->protect[i].name);
	hs_jw_arr_end(&w);
	hs_jw_key(&w, "counters");
	hs_jw_obj_begin(&w);
	hs_jw_kv_u64(&w, "updates", k->updates);
	hs_jw_kv_u64(&w, "duplicates", k->duplicates);
	hs_jw_kv_u64(&w, "stale", k->stale);
	hs_jw_kv_u64(&w, "refused", k->refused);
	hs_jw_kv_u64(&w, "malformed", k->malformed);
	hs_jw_kv_u64(&w, "rejected_rrs", k->rejected_rrs);
	hs_jw_kv_u64(&w, "withdrawn", k->withdrawn);
	hs_jw_kv_u64(&w, "changed_rrs", k->changed_rrs);
	hs_jw_kv_u64(&w, "confirms", k->confirms);
	hs_jw_kv_u64(&w, "edits", k->edits);
	hs_jw_kv_u64(&w, "configs", k->configs);
	hs_jw_kv_u64(&w, "publishes", k->publishes);
	hs_jw_kv_u64(&w, "confirms_in", k->confirms_in);
	hs_jw_obj_end(&w);
	json_policy(&w);
	hs_jw_key(&w, "zones");
	hs_jw_arr_begin(&w);
	if (zone != NULL) {
		const cmb_zone_t *z = zone_of(c, zone);
		if (z != NULL)
			json_zone(&w, c, z);
	} else {
		for (size_t i = 0; i < c->nzones; i++)
			json_zone(&w, c, c->zones[i]);
	}
	hs_jw_arr_end(&w);
	hs_jw_obj_end(&w);
}
