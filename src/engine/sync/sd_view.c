/* Read-only views of the synchronised data: a snapshot per zone, its JSON
 * form (hsyncctl zone edits Z --json) and the counters. */
#include "engine/sync/sd_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/json_out.h"
#include "util/xmalloc.h"
#include "wire/rdata.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Own sets first, then by originator, then by type. */
static int set_cmp(const void *a, const void *b)
{
	const sd_set_t *x = *(const sd_set_t *const *)a, *y = *(const sd_set_t *const *)b;
	if (x->own != y->own)
		return x->own ? -1 : 1;
	int c = strcmp(x->origin, y->origin);
	if (c != 0)
		return c;
	return (int)x->type - (int)y->type;
}

static void rr_info(const eng_t *e, const sd_set_t *s, const sd_rr_t *r, uint64_t now,
                    eng_sd_rr_info_t *o)
{
	hs_buf_t t = HS_BUF_INIT;
	memset(o, 0, sizeof(*o));
	o->origin = xstrdup(s->origin);
	o->own = s->own;
	o->type = s->type;
	o->owner = xstrdup(r->owner);
	o->ttl = r->ttl;
	o->rdlen = r->rdlen;
	if (r->rdlen) {
		o->rdata = xmalloc(r->rdlen);
		memcpy(o->rdata, r->rdata, r->rdlen);
	}
	sd_rdata_text(s->type, r->rdata, r->rdlen, &t);
	o->rdata_text = xstrdup(hs_buf_cstr(&t));
	hs_buf_free(&t);
	o->state = sd_rr_state_now(e, s, r, now);
	o->in_set = r->in_set;
	memcpy(o->change, r->change, sizeof(o->change));
	o->version = r->version;
	o->since_ms = r->since_wall;
	o->nverdicts = r->nvd;
	o->verdicts = r->nvd ? xcalloc(r->nvd, sizeof(*o->verdicts)) : NULL;
	for (size_t i = 0; i < r->nvd; i++) {
		const sd_vd_t *v = &r->vd[i];
		eng_sd_verdict_info_t *w = &o->verdicts[i];
		w->provider = xstrdup(v->provider);
		w->by = dup_or_null(v->by);
		w->have = v->have;
		w->verdict = v->verdict;
		w->reason = dup_or_null(v->reason);
		w->version = v->version;
		w->time_ms = v->time_wall;
		w->unconfirmed = sd_vd_unconfirmed(e, s, r, v, now);
	}
}

static void config_copy(sm_config_t *dst, const sm_config_t *src)
{
	*dst = *src;
	dst->protected = src->nprotected ? xcalloc(src->nprotected, sizeof(char *)) : NULL;
	for (size_t i = 0; i < src->nprotected; i++)
		dst->protected[i] = xstrdup(src->protected[i]);
}

int eng_sd_view(const eng_t *e, const char *zone, eng_sd_view_t **out)
{
	char canon[ENG_NAME_MAX];
	const eng_zent_t *ent = NULL;
	if (zone == NULL || eng_name_canon(zone, strlen(zone), canon) != HS_OK ||
	    (ent = eng_zent_find(e, canon)) == NULL)
		return HS_E_NOTFOUND;
	uint64_t now = eng_mono(e);
	const sd_zone_t *zs = ent->sd;
	eng_sd_view_t *v = xcalloc(1, sizeof(*v));
	v->zone = xstrdup(canon);
	v->combiner = sd_have_combiner(e) ? xstrdup(e->sd->combiner) : NULL;
	if (zs != NULL) {
		v->rebuilt = !sd_have_combiner(e) || zs->have_edits;
		v->combiner_serial = zs->serial;
		v->counters = zs->cnt;
		if (zs->have_config) {
			v->have_config = 1;
			config_copy(&v->config, &zs->config);
		}
		sd_set_t **sets = xcalloc(zs->nsets + 1, sizeof(*sets));
		size_t total = 0;
		for (size_t i = 0; i < zs->nsets; i++) {
			sets[i] = zs->sets[i];
			total += sets[i]->nrrs;
		}
		qsort(sets, zs->nsets, sizeof(*sets), set_cmp);
		v->rrs = xcalloc(total + 1, sizeof(*v->rrs));
		for (size_t i = 0; i < zs->nsets; i++)
			for (size_t j = 0; j < sets[i]->nrrs; j++) {
				eng_sd_rr_info_t *o = &v->rrs[v->nrrs++];
				rr_info(e, sets[i], &sets[i]->rrs[j], now, o);
				v->unconfirmed += o->state == ENG_SD_UNCONFIRMED;
			}
		free(sets);
	} else {
		v->rebuilt = !sd_have_combiner(e);
	}
	*out = v;
	return HS_OK;
}

void eng_sd_view_free(eng_sd_view_t *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nrrs; i++) {
		eng_sd_rr_info_t *o = &v->rrs[i];
		for (size_t j = 0; j < o->nverdicts; j++) {
			free(o->verdicts[j].provider);
			free(o->verdicts[j].by);
			free(o->verdicts[j].reason);
		}
		free(o->verdicts);
		free(o->origin);
		free(o->owner);
		free(o->rdata);
		free(o->rdata_text);
	}
	free(v->rrs);
	sm_config_free(&v->config);
	free(v->zone);
	free(v->combiner);
	free(v);
}

void eng_sd_counters(const eng_t *e, eng_sd_counters_t *out)
{
	*out = e->sd->cnt;
}

/* ---- JSON ---- */

static void counters_json(hs_jw_t *w, const eng_sd_counters_t *c)
{
	hs_jw_obj_begin(w);
#define X(n) hs_jw_kv_u64(w, #n, c->n);
	ENG_SD_COUNTERS(X)
#undef X
	hs_jw_obj_end(w);
}

static void config_json(hs_jw_t *w, const sm_config_t *c)
{
	hs_jw_obj_begin(w);
	hs_jw_kv_str(w, "provider", c->provider);
	hs_jw_kv_bool(w, "signing", c->signing);
	hs_jw_kv_str(w, "approval", c->manual ? "manual" : "auto");
	hs_jw_key(w, "protected");
	hs_jw_arr_begin(w);
	for (size_t i = 0; i < c->nprotected; i++)
		hs_jw_str(w, c->protected[i]);
	hs_jw_arr_end(w);
	hs_jw_kv_u64(w, "ttl_min", c->ttl_min);
	hs_jw_kv_u64(w, "ttl_max", c->ttl_max);
	hs_jw_kv_str(w, "nsmgmt", c->nsmgmt_agent ? "agent" : "owner");
	hs_jw_kv_str(w, "parentsync", c->parentsync_agent ? "agent" : "owner");
	hs_jw_obj_end(w);
}

static void rr_json(hs_jw_t *w, const eng_sd_rr_info_t *o)
{
	hs_buf_t ty = HS_BUF_INIT;
	hs_rrtype_any_print(&ty, o->type);
	hs_jw_obj_begin(w);
	hs_jw_kv_str(w, "origin", o->origin);
	hs_jw_kv_bool(w, "own", o->own);
	hs_jw_kv_str(w, "type", hs_buf_cstr(&ty));
	hs_jw_kv_u64(w, "type_code", o->type);
	hs_jw_kv_str(w, "owner", o->owner);
	hs_jw_kv_u64(w, "ttl", o->ttl);
	hs_jw_kv_str(w, "rdata", o->rdata_text);
	hs_jw_kv_str(w, "state", eng_sd_state_name(o->state));
	hs_jw_kv_bool(w, "in_set", o->in_set);
	hs_jw_kv_str(w, "change", o->change);
	hs_jw_kv_u64(w, "version", o->version);
	hs_jw_kv_u64(w, "since_ms", o->since_ms);
	hs_jw_key(w, "verdicts");
	hs_jw_arr_begin(w);
	for (size_t i = 0; i < o->nverdicts; i++) {
		const eng_sd_verdict_info_t *v = &o->verdicts[i];
		hs_jw_obj_begin(w);
		hs_jw_kv_str(w, "provider", v->provider);
		hs_jw_kv_str(w, "by", v->by);
		hs_jw_kv_str(w, "verdict", v->have ? sm_verdict_name(v->verdict) : NULL);
		hs_jw_kv_bool(w, "final", v->have && sm_verdict_final(v->verdict));
		hs_jw_kv_str(w, "reason", v->reason);
		hs_jw_kv_u64(w, "version", v->version);
		hs_jw_kv_u64(w, "time_ms", v->time_ms);
		hs_jw_kv_bool(w, "unconfirmed", v->unconfirmed);
		hs_jw_obj_end(w);
	}
	hs_jw_arr_end(w);
	hs_jw_obj_end(w);
	hs_buf_free(&ty);
}

int eng_sd_json(const eng_t *e, const char *zone, hs_buf_t *out)
{
	eng_sd_view_t *v = NULL;
	hs_jw_t w;
	int rc = eng_sd_view(e, zone, &v);
	if (rc != HS_OK)
		return rc;
	hs_jw_init(&w, out);
	hs_jw_obj_begin(&w);
	hs_jw_kv_str(&w, "zone", v->zone);
	hs_jw_kv_str(&w, "combiner", v->combiner);
	hs_jw_kv_bool(&w, "rebuilt", v->rebuilt);
	hs_jw_kv_u64(&w, "combiner_serial", v->combiner_serial);
	hs_jw_key(&w, "config");
	if (v->have_config)
		config_json(&w, &v->config);
	else
		hs_jw_null(&w);
	hs_jw_kv_u64(&w, "unconfirmed", v->unconfirmed);
	hs_jw_key(&w, "counters");
	counters_json(&w, &v->counters);
	hs_jw_key(&w, "rrs");
	hs_jw_arr_begin(&w);
	for (size_t i = 0; i < v->nrrs; i++)
		rr_json(&w, &v->rrs[i]);
	hs_jw_arr_end(&w);
	hs_jw_obj_end(&w);
	rc = hs_jw_finish(&w);
	eng_sd_view_free(v);
	return rc;
}
