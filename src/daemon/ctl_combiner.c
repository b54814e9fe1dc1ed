/*
 * ctl_combiner.c -- the combiner's control commands (combiner
 * contributions, purge, reapply, edits approve|reject) and its part of
 * status, zone list and zone show. Each operator decision is one call of
 * the combiner engine; its CONFIRMs and the served zone follow at once.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "wire/rdata.h"

/* `arg` as a canonical zone name the combiner knows, or an error. */
static int cmb_zone_arg(tp_ctl_call_t *c, hd_t *d, const char *arg, char name[ENG_NAME_MAX])
{
	cmb_zone_info_t zi;
	if (eng_name_canon(arg, strlen(arg), name) != HS_OK ||
	    cmb_zone_get(d->cmb, name, &zi) != HS_OK)
		return hs_fail(c->em, HS_E_NOTFOUND, "the combiner knows no zone '%s'", arg);
	return HS_OK;
}

static void record_json(hs_jw_t *w, const cmb_record_t *r)
{
	hs_buf_t t = HS_BUF_INIT;
	hs_jw_obj_begin(w);
	hs_jw_kv_str(w, "origin", r->origin);
	hs_rrtype_any_print(&t, r->type);
	hs_jw_kv_str(w, "type", hs_buf_cstr(&t));
	hs_jw_kv_str(w, "owner", r->owner);
	hs_jw_kv_u64(w, "ttl", r->ttl);
	t.len = 0;
	cmb_rdata_text(r->type, r->rdata, r->rdlen, &t);
	hs_jw_kv_str(w, "rdata", hs_buf_cstr(&t));
	hs_jw_kv_str(w, "verdict", sm_verdict_name(r->verdict));
	hs_jw_kv_str(w, "reason", r->reason);
	hs_jw_kv_bool(w, "approved", r->approved);
	hs_jw_kv_str(w, "change", r->change);
	hs_jw_kv_u64(w, "version", r->version);
	hs_jw_kv_u64(w, "updated", (uint64_t)(r->updated_ms / 1000));
	hs_jw_obj_end(w);
	hs_buf_free(&t);
}

/* combiner contributions ZONE: every stored record and the combined apex. */
static int h_contributions(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX];
	cmb_zone_info_t zi;
	cmb_record_t r;
	cmb_apex_t apex;
	hs_buf_t t = HS_BUF_INIT;
	int rc;

	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: combiner contributions ZONE");
	if ((rc = cmb_zone_arg(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	hd_ignore(cmb_zone_get(d->cmb, zone, &zi));
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "zone", zone);
	hs_jw_kv_str(c->out, "provider", cmb_provider(d->cmb));
	hs_jw_kv_str(c->out, "approval", d->cfg.cmb.manual ? "manual" : "auto");
	hs_jw_kv_bool(c->out, "loaded", zi.loaded);
	hs_jw_kv_bool(c->out, "multi_provider", zi.multi);
	hs_jw_kv_str(c->out, "reason", zi.multi ? NULL : zi.reason);
	hs_jw_kv_bool(c->out, "owner_signed", zi.owner_signed);
	hs_jw_kv_u64(c->out, "serial_in", zi.serial_in);
	hs_jw_kv_u64(c->out, "serial_served", zi.serial_served);
	hs_jw_kv_u64(c->out, "sets", zi.nsets);
	hs_jw_key(c->out, "records");
	hs_jw_arr_begin(c->out);
	for (size_t i = 0; cmb_record_at(d->cmb, zone, i, &r) == HS_OK; i++)
		record_json(c->out, &r);
	hs_jw_arr_end(c->out);
	hs_jw_key(c->out, "apex");
	hs_jw_arr_begin(c->out);
	if (cmb_apex_get(d->cmb, zone, &apex) == HS_OK) {
		for (size_t i = 0; i < apex.n; i++) {
			const cmb_rrset_t *s = &apex.sets[i];
			for (size_t k = 0; s->replaced && k < s->n; k++) {
				hs_jw_obj_begin(c->out);
				t.len = 0;
				hs_rrtype_any_print(&t, s->type);
				hs_jw_kv_str(c->out, "type", hs_buf_cstr(&t));
				hs_jw_kv_u64(c->out, "ttl", s->ttl);
				t.len = 0;
				cmb_rdata_text(s->type, s->rd[k].p, s->rd[k].len, &t);
				hs_jw_kv_str(c->out, "rdata", hs_buf_cstr(&t));
				hs_jw_obj_end(c->out);
			}
		}
		cmb_apex_clear(&apex);
	}
	hs_jw_arr_end(c->out);
	hs_jw_obj_end(c->out);
	hs_buf_free(&t);
	return HS_OK;
}

/* combiner purge ZONE --origin ID */
static int h_purge(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX], origin[ENG_NAME_MAX], msg[600];
	size_t n = 0;
	int rc;

	if (c->argc != 3 || strcmp(c->argv[1], "--origin") != 0)
		return hs_fail(c->em, HS_E_INVAL, "usage: combiner purge ZONE --origin ID");
	if ((rc = cmb_zone_arg(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	if (eng_name_canon(c->argv[2], strlen(c->argv[2]), origin) != HS_OK)
		return hs_fail(c->em, HS_E_INVAL, "'%s' is not an identity", c->argv[2]);
	rc = cmb_purge(d->cmb, zone, origin, &n);
	if (rc == HS_E_NOTFOUND)
		return hs_fail(c->em, rc, "zone '%s': nothing stored from '%s'", zone, origin);
	if (rc != HS_OK)
		return hs_fail(c->em, rc, "zone '%s': purge of '%s' failed: %s", zone, origin,
		               hs_strerror(rc));
	snprintf(msg, sizeof(msg), "zone '%s': %zu set%s of '%s' deleted", zone, n,
	         n == 1 ? "" : "s", origin);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message", msg);
	hs_jw_kv_u64(c->out, "sets", n);
	hs_jw_obj_end(c->out);
	hd_pump(d);
	return HS_OK;
}

/* combiner reapply [ZONE] */
static int h_reapply(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX], msg[400];
	size_t changed = 0;
	int rc;

	if (c->argc > 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: combiner reapply [ZONE]");
	if (c->argc == 1 && (rc = cmb_zone_arg(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	rc = cmb_reapply(d->cmb, c->argc == 1 ? zone : NULL, &changed);
	if (rc == HS_E_NOTFOUND)
		return hs_fail(c->em, rc, "zone '%s' is not loaded", zone);
	if (rc != HS_OK)
		return hs_fail(c->em, rc, "re-evaluation failed: %s", hs_strerror(rc));
	snprintf(msg, sizeof(msg), "%s re-evaluated: %zu verdict%s changed",
	         c->argc == 1 ? zone : "every zone", changed, changed == 1 ? "" : "s");
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message", msg);
	hs_jw_kv_u64(c->out, "changed", changed);
	hs_jw_obj_end(c->out);
	hd_pump(d);
	return HS_OK;
}

/* combiner edits approve|reject ZONE ORIGIN ['RR'] */
static int decide(tp_ctl_call_t *c, hd_t *d, int approve)
{
	char zone[ENG_NAME_MAX], origin[ENG_NAME_MAX], owner[ENG_NAME_MAX + 8], msg[600];
	hs_buf_t rd = HS_BUF_INIT;
	hs_errmsg_t em;
	uint16_t type = 0;
	uint32_t ttl;
	size_t n = 0;
	int rc;

	if (c->argc < 2 || c->argc > 3)
		return hs_fail(c->em, HS_E_INVAL, "usage: combiner edits %s ZONE ORIGIN ['RR']",
		               approve ? "approve" : "reject");
	if ((rc = cmb_zone_arg(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	if (eng_name_canon(c->argv[1], strlen(c->argv[1]), origin) != HS_OK)
		return hs_fail(c->em, HS_E_INVAL, "'%s' is not an identity", c->argv[1]);
	hs_errmsg_clear(&em);
	if (c->argc == 3 && (rc = hd_rr_parse(zone, c->argv[2], 0, owner, sizeof(owner), &ttl,
	                                      &type, &rd, &em)) != HS_OK) {
		hs_buf_free(&rd);
		return hs_fail(c->em, rc, "%s", hs_errmsg_str(&em));
	}
	rc =
	    approve
	        ? cmb_approve(d->cmb, zone, origin, type, c->argc == 3 ? rd.data : NULL, rd.len, &n)
	        : cmb_reject(d->cmb, zone, origin, type, c->argc == 3 ? rd.data : NULL, rd.len, &n);
	hs_buf_free(&rd);
	if (rc == HS_E_NOTFOUND)
		return hs_fail(c->em, rc, "zone '%s': no pending record of '%s' matches", zone,
		               origin);
	if (rc != HS_OK)
		return hs_fail(c->em, rc, "zone '%s': %s failed: %s", zone,
		               approve ? "approval" : "rejection", hs_strerror(rc));
	snprintf(msg, sizeof(msg), "zone '%s': %zu record%s of '%s' %s", zone, n, n == 1 ? "" : "s",
	         origin, approve ? "approved" : "rejected");
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message", msg);
	hs_jw_kv_u64(c->out, "records", n);
	hs_jw_obj_end(c->out);
	hd_pump(d);
	return HS_OK;
}

static int h_approve(tp_ctl_call_t *c, void *arg)
{
	return decide(c, arg, 1);
}

static int h_reject(tp_ctl_call_t *c, void *arg)
{
	return decide(c, arg, 0);
}

void hd_combiner_status(hd_t *d, hs_jw_t *w)
{
	cmb_counters_t k;
	cmb_get_counters(d->cmb, &k);
	hs_jw_kv_str(w, "agent", cmb_provider(d->cmb));
	hs_jw_kv_str(w, "approval", d->cfg.cmb.manual ? "manual" : "auto");
	hs_jw_kv_u64(w, "combiner_zones", cmb_zone_count(d->cmb));
	hs_jw_key(w, "combiner");
	hs_jw_obj_begin(w);
	hs_jw_kv_u64(w, "updates", k.updates);
	hs_jw_kv_u64(w, "duplicates", k.duplicates);
	hs_jw_kv_u64(w, "stale", k.stale);
	hs_jw_kv_u64(w, "refused", k.refused);
	hs_jw_kv_u64(w, "malformed", k.malformed);
	hs_jw_kv_u64(w, "rejected_rrs", k.rejected_rrs);
	hs_jw_kv_u64(w, "withdrawn", k.withdrawn);
	hs_jw_kv_u64(w, "changed_rrs", k.changed_rrs);
	hs_jw_kv_u64(w, "confirms", k.confirms);
	hs_jw_kv_u64(w, "edits", k.edits);
	hs_jw_kv_u64(w, "configs", k.configs);
	hs_jw_kv_u64(w, "publishes", k.publishes);
	hs_jw_kv_u64(w, "confirms_in", k.confirms_in);
	hs_jw_obj_end(w);
}

void hd_combiner_zone_json(hd_t *d, struct hd_zone *hz, hs_jw_t *w, int detail)
{
	cmb_zone_info_t zi;
	uint32_t served = 0;
	int have = cmb_zone_get(d->cmb, hz->name, &zi) == HS_OK;
	int has_served = hz->out != NULL && zn_zone_serial(hz->out, &served) == HS_OK;

	hs_jw_kv_str(w, "role", !have ? "-" : zi.multi ? "combined" : "owner-apex");
	if (has_served)
		hs_jw_kv_u64(w, "served", served);
	else
		hs_jw_kv_str(w, "served", NULL);
	if (!detail)
		return;
	if (have && !zi.multi)
		hs_jw_kv_str(w, "why_owner_apex", zi.reason);
	hs_jw_kv_u64(w, "contributed_sets", have ? zi.nsets : 0);
	hs_jw_kv_u64(w, "contributed_records", have ? zi.nrecords : 0);
	hs_jw_kv_u64(w, "served_versions", hz->served_versions);
	/* the owner's HSYNC3/HSYNCPARAM as this combiner reads them, for its
	 * own provider */
	zn_snap_t *s = zn_zone_snapshot(hz->zn);
	if (s != NULL) {
		hd_apex_params_t ap;
		eng_zone_t z;
		hd_apex_params(s, &ap);
		memset(&z, 0, sizeof(z));
		if (eng_zone_analyse(hz->name, cmb_provider(d->cmb), ap.p3, ap.l3, ap.n3, ap.pp,
		                     ap.lp, ap.np, &z, NULL) == HS_OK) {
			hd_zone_analysis_json(d, &z, w, NULL);
			eng_zone_clear(&z);
		}
		zn_snap_release(s);
	}
}

const hd_cmd_t hd_combiner_cmds[] = {
    {"combiner contributions", h_contributions,
     "one zone: every stored contribution, its verdict, and the combined apex"},
    {"combiner purge", h_purge, "delete every set of one originator (--origin ID) in a zone"},
    {"combiner reapply", h_reapply, "re-evaluate the stored records (after a policy change)"},
    {"combiner edits approve", h_approve, "manual approval: apply pending records"},
    {"combiner edits reject", h_reject, "manual approval: reject pending records"},
    {NULL, NULL, NULL},
};
