/* wire_zones.c -- the customer zones: secondaries (zonesec on the loop)
 * taking IXFR/AXFR into the zone machinery, each new version's apex
 * HSYNC3/HSYNCPARAM into the engine, the copy and its journal kept in the
 * store and served onward (zone server: provide-xfr, notify), NOTIFY from
 * a primary through the node's request hook. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "util/xmalloc.h"
#include "wire/text.h"

#define SUBSYS        "zones"
#define T_HSYNC3      65285
#define T_HSYNCPARAM  65286
#define OPCODE_NOTIFY 4
#define T_SOA         6

struct hd_zone *hd_zone_get(hd_t *d, const char *name)
{
	uintptr_t at;

	if (d->zone_idx == NULL)
		d->zone_idx = hs_strmap_new(1);
	at = (uintptr_t)hs_strmap_get(d->zone_idx, name);
	if (at != 0)
		return &d->zones[at - 1];
	if (d->nzones == d->capzones) {
		d->capzones = d->capzones ? d->capzones * 2 : 16;
		d->zones = xrealloc(d->zones, d->capzones * sizeof(*d->zones));
	}
	memset(&d->zones[d->nzones], 0, sizeof(d->zones[0]));
	snprintf(d->zones[d->nzones].name, sizeof(d->zones[0].name), "%s", name);
	if (hs_strmap_put(d->zone_idx, d->zones[d->nzones].name,
	                  (void *)(uintptr_t)(d->nzones + 1)) != HS_OK)
		abort(); /* not found above */
	return &d->zones[d->nzones++];
}

struct hd_zone *hd_zone_find(hd_t *d, const char *name)
{
	uintptr_t at = d->zone_idx != NULL ? (uintptr_t)hs_strmap_get(d->zone_idx, name) : 0;
	return at != 0 ? &d->zones[at - 1] : NULL;
}

/* The zone's configuration: the index remembered on the zone, checked,
 * else a search that remembers it (zones are many: no walk per transfer). */
const hd_zone_conf_t *hd_zone_conf(hd_t *d, const char *name)
{
	struct hd_zone *hz = hd_zone_find(d, name);
	if (hz != NULL && hz->conf_ix < d->cfg.nzones &&
	    strcasecmp(d->cfg.zones[hz->conf_ix].name, name) == 0)
		return &d->cfg.zones[hz->conf_ix];
	for (size_t i = 0; i < d->cfg.nzones; i++)
		if (strcasecmp(d->cfg.zones[i].name, name) == 0) {
			if (hz != NULL)
				hz->conf_ix = i;
			return &d->cfg.zones[i];
		}
	return NULL;
}

static st_t *store_of(hd_t *d, const struct hd_zone *hz)
{
	return hz->persist ? tp_node_store(d->node) : NULL;
}

/* A new version of our copy: remembered, then the role's. */
static void tell_role(hd_t *d, struct hd_zone *hz)
{
	zn_snap_t *s = zn_zone_snapshot(hz->zn);
	if (s == NULL)
		return;
	hz->serial = zn_snap_serial(s);
	hz->loaded = 1;
	hz->loaded_at = hs_now_s(d->env);
	zn_snap_release(s);
	if (d->role->zone_loaded != NULL)
		d->role->zone_loaded(d, hz);
}

void hd_apex_params(const zn_snap_t *s, hd_apex_params_t *out)
{
	zn_rrset_t set;
	size_t alen, off = 0;
	const uint8_t *apex = zn_snap_apex(s, &alen), *rd;
	uint16_t rl;

	out->n3 = out->np = 0;
	if (zn_snap_find(s, apex, alen, T_HSYNC3, &set, NULL) == HS_OK)
		while (out->n3 < HD_MAX_APEX && zn_rrset_next(&set, &off, &rd, &rl)) {
			out->p3[out->n3] = rd;
			out->l3[out->n3++] = rl;
		}
	off = 0;
	if (zn_snap_find(s, apex, alen, T_HSYNCPARAM, &set, NULL) == HS_OK)
		while (out->np < HD_MAX_APEX && zn_rrset_next(&set, &off, &rd, &rl)) {
			out->pp[out->np] = rd;
			out->lp[out->np++] = rl;
		}
}

static void on_loaded(void *arg, const char *zone, uint32_t serial, tp_xfr_zone_t *z)
{
	hd_t *d = arg;
	(void)serial;
	tp_xfr_zone_free(z); /* NULL: the zone machinery holds the copy */
	tell_role(d, hd_zone_get(d, zone));
	hd_pump(d);
}

static void on_expired(void *arg, const char *zone)
{
	hd_t *d = arg;

	hs_log(HS_LOG_WARN, SUBSYS, "zone '%s' expired", zone);
	hd_zone_get(d, zone)->loaded = 0;
	if (d->role->zone_gone != NULL)
		d->role->zone_gone(d, hd_zone_get(d, zone));
	hd_pump(d);
}

/* ---- transfers in through the zone machinery ---------------------------- */

static void xfr_params(void *arg, const char *zone, tp_zx_opts_t *o)
{
	hd_t *d = arg;
	struct hd_zone *hz = hd_zone_get(d, zone);
	const hd_zone_conf_t *zc = hd_zone_conf(d, zone);
	zn_snap_t *s = zn_zone_snapshot(hz->zn);
	if (s != NULL) {
		zn_rr_t soa;
		zn_snap_soa(s, &soa);
		if (soa.rdlen <= sizeof(hz->soa)) {
			memcpy(hz->soa, soa.rdata, soa.rdlen);
			o->have_copy = 1;
			o->serial = zn_snap_serial(s);
			o->ttl = soa.ttl;
			o->soa_rdata = hz->soa;
			o->soa_rdlen = soa.rdlen;
		}
		zn_snap_release(s);
	}
	/* after a bad IXFR, the next transfer (only) is an AXFR */
	o->force_axfr = hz->force_axfr;
	hz->force_axfr = 0;
	if (zc != NULL && zc->primary_key[0])
		for (size_t i = 0; i < d->cfg.nkeys; i++)
			if (strcmp(d->cfg.keys[i].name, zc->primary_key) == 0)
				o->tsig = &d->cfg.keys[i];
}

static void timers_of(zn_zone_t *z, zsec_soa_timers_t *t)
{
	zn_snap_t *s = zn_zone_snapshot(z);
	zn_rr_t rr;
	zn_soa_t soa;
	zn_snap_soa(s, &rr);
	if (zn_soa_parse(rr.rdata, rr.rdlen, &soa) == HS_OK) {
		t->serial = soa.serial;
		t->refresh = soa.refresh;
		t->retry = soa.retry;
		t->expire = soa.expire;
	}
	zn_snap_release(s);
}

/* Persist after a new version: journal rows for differences, a snapshot
 * for a whole zone, the first time, or when compaction is due. */
void hd_zone_persist(hd_t *d, struct hd_zone *hz, zn_diff_t *const *diffs, size_t n, int whole)
{
	st_t *st = store_of(d, hz);
	size_t alen;
	const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
	int64_t now = hs_now_s(d->env);
	int rc = HS_OK;
	if (st == NULL)
		return;
	for (size_t i = 0; !whole && i < n && rc == HS_OK; i++)
		rc = zn_store_append(st, apex, alen, diffs[i], now);
	if (whole || rc != HS_OK || zn_store_should_compact(st, apex, alen))
		rc = zn_store_snapshot(st, hz->zn, hz->jn, now);
	if (rc != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': not stored: %s", hz->name, hs_strerror(rc));
}

/* An incremental answer: every difference applied and checked, or none. */
static int apply_diffs(hd_t *d, struct hd_zone *hz, zn_ixfr_t *res, hs_errmsg_t *em)
{
	zn_diff_t **diffs = NULL;
	size_t n = 0, i, jn_before = zn_journal_count(hz->jn), recs = 0;
	int rc = zn_ixfr_take_diffs(res, &diffs, &n);
	if (rc != HS_OK)
		return hs_fail(em, rc, "no differences in the answer");
	zn_snap_t *before = zn_zone_snapshot(hz->zn);
	int64_t now = hs_now_s(d->env);
	for (i = 0; i < n && rc == HS_OK; i++) {
		rc = zn_update(hz->zn, hz->jn, diffs[i], now, em);
		if (rc == HS_OK) {
			zn_snap_t *s = zn_zone_snapshot(hz->zn);
			rc = zn_snap_validate_diff(s, diffs[i], em);
			zn_snap_release(s);
		}
		recs += zn_diff_ndel(diffs[i]) + zn_diff_nadd(diffs[i]);
	}
	if (rc != HS_OK) {
		/* all or nothing: back to the version we had */
		hd_ignore(zn_zone_set_snap(hz->zn, before));
		zn_journal_truncate(hz->jn, jn_before);
	} else {
		hd_zone_persist(d, hz, diffs, n, 0);
		hs_log(HS_LOG_NOTICE, SUBSYS,
		       "zone '%s': IXFR applied: %zu difference%s, %zu records", hz->name, n,
		       n == 1 ? "" : "s", recs);
	}
	zn_snap_release(before);
	for (i = 0; i < n; i++)
		zn_diff_free(diffs[i]);
	free(diffs);
	return rc;
}

/* A whole zone (AXFR, or IXFR in AXFR form): built and checked apart,
 * then made current with its difference in the journal. */
static int apply_full(hd_t *d, struct hd_zone *hz, zn_ixfr_t *res, hs_errmsg_t *em)
{
	zn_builder_t *b = NULL;
	zn_zone_t *scratch = NULL;
	zn_snap_t *old = zn_zone_snapshot(hz->zn), *s = NULL;
	zn_diff_t *diff = NULL;
	size_t alen;
	const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
	int rc = zn_ixfr_take_full(res, &b);
	if (rc == HS_OK)
		rc = zn_zone_new(apex, alen, &scratch);
	if (rc == HS_OK) {
		rc = zn_zone_set(scratch, b, em);
		b = NULL;
	}
	if (rc == HS_OK) {
		s = zn_zone_snapshot(scratch);
		rc = zn_snap_validate(s, em);
	}
	if (rc != HS_OK)
		goto cleanup;
	if (old != NULL && zn_snap_serial(s) == zn_snap_serial(old))
		goto cleanup; /* the same serial: keep ours (and its journal) */
	if (old != NULL && zn_serial_lt(zn_snap_serial(s), zn_snap_serial(old))) {
		rc = hs_fail(em, HS_E_MALFORMED, "serial going backwards: %u after %u",
		             zn_snap_serial(s), zn_snap_serial(old));
		goto cleanup;
	}
	if (old != NULL && zn_serial_gt(zn_snap_serial(s), zn_snap_serial(old)) &&
	    zn_diff_snaps(old, s, &diff) == HS_OK) {
		if (zn_journal_append(hz->jn, diff, hs_now_s(d->env)) != HS_OK)
			hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s': journal restarted", hz->name);
	} else {
		zn_journal_clear(hz->jn);
	}
	rc = zn_zone_set_snap(hz->zn, s);
	if (rc == HS_OK) {
		hd_zone_persist(d, hz, NULL, 0, 1);
		hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s': whole zone taken: serial %u, %zu records",
		       hz->name, zn_snap_serial(s), zn_snap_records(s));
	}
cleanup:
	zn_builder_free(b);
	zn_snap_release(s);
	zn_snap_release(old);
	zn_zone_free(scratch);
	return rc;
}

static int xfr_apply(void *arg, const char *zone, const tp_peer_addr_t *primary, zn_ixfr_t *res,
                     const tp_zx_stats_t *st, zsec_soa_timers_t *t, hs_errmsg_t *em)
{
	hd_t *d = arg;
	struct hd_zone *hz = hd_zone_get(d, zone);
	char from[80];
	uint32_t cur = 0;
	int have = zn_zone_serial(hz->zn, &cur) == HS_OK, rc = HS_OK;
	tp_peer_addr_str(primary, from, sizeof(from));
	switch (zn_ixfr_kind(res)) {
	case ZN_IXFR_UPTODATE:
		if (!have || zn_ixfr_serial(res) != cur)
			rc = hs_fail(em, HS_E_MALFORMED, "single SOA with serial %u, we are at %u",
			             zn_ixfr_serial(res), cur);
		break;
	case ZN_IXFR_INCREMENTAL:
		rc = have ? apply_diffs(d, hz, res, em)
		          : hs_fail(em, HS_E_STATE, "differences but no copy to apply them to");
		if (rc == HS_OK)
			hz->ixfr_in++;
		break;
	case ZN_IXFR_FULL:
		rc = apply_full(d, hz, res, em);
		if (rc == HS_OK)
			hz->axfr_in++;
		break;
	}
	zn_ixfr_free(res);
	if (rc != HS_OK) {
		hz->refused_in++;
		hz->force_axfr = st->ixfr_asked && !st->fell_back;
		hs_log(HS_LOG_WARN, SUBSYS,
		       "zone '%s': transfer from '%s' refused, old version kept: %s", zone, from,
		       hs_errmsg_str(em));
		snprintf(hz->last_in, sizeof(hz->last_in), "refused: %.140s", hs_errmsg_str(em));
		return rc;
	}
	hz->force_axfr = 0;
	snprintf(hz->last_in, sizeof(hz->last_in), "%s from %s",
	         st->fell_back    ? "AXFR after IXFR"
	         : st->ixfr_asked ? "IXFR"
	                          : "AXFR",
	         from);
	timers_of(hz->zn, t);
	size_t alen;
	const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
	if ((!have || t->serial != cur) && d->role->serves_copy)
		tp_zs_changed(d->zsrv, apex, alen); /* else the role serves a zone of its own */
	return HS_OK;
}

/* ---- requests ------------------------------------------------------------ */

int hd_on_reply(void *arg, const tp_peer_addr_t *src, int proto, const uint8_t *msg, size_t len,
                tp_reply_t *reply)
{
	hd_t *d = arg;
	int taken = d->role->request != NULL && d->role->request(d, src, proto, msg, len, reply);
	if (!taken)
		taken = tp_zs_request(d->zsrv, src, proto, msg, len, reply);
	if (taken)
		hd_pump(d);
	return taken;
}

int hd_on_request(void *arg, const tp_peer_addr_t *src, int proto, size_t limit, const uint8_t *msg,
                  size_t len, hs_buf_t *reply)
{
	hd_t *d = arg;
	tp_req_info_t ri;

	(void)proto;
	(void)limit;
	if (tp_req_parse(msg, len, &ri) != HS_OK)
		return 0;
	/* a NOTIFY for a zone's SOA is the secondary's; CHUNK NOTIFYs are the core's */
	if (((ri.flags >> 11) & 0xf) != OPCODE_NOTIFY || !ri.has_question || ri.qtype != T_SOA)
		return 0;
	(void)zsec_run_notify(d->zrun, src, msg, len, reply);
	hd_pump(d);
	return 1;
}

/* ---- zones ------------------------------------------------------------- */

/* The zone's refresh-min/retry-min (checked against zonesec's maxima). */
static void set_floors(hd_t *d, const hd_zone_conf_t *zc)
{
	if (zsec_zone_set_floors(d->zs, zc->name, zc->refresh_min_s, zc->retry_min_s) != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS,
		       "zone '%s': refresh-min %u s / retry-min %u s above the timer maxima; "
		       "defaults kept",
		       zc->name, zc->refresh_min_s, zc->retry_min_s);
}

/* A role that serves its copy onward as it is (the agent). */
void hd_zone_serve_copy(hd_t *d, struct hd_zone *hz, const hd_zone_conf_t *zc)
{
	tp_zs_zone_conf_t sc = {zc->acl, zc->nacl, zc->notify, zc->nnotify};
	if (tp_zs_zone_set(d->zsrv, hz->zn, hz->jn, &sc) != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': not served onward (unknown key)", zc->name);
}

/* The zone machinery side of a zone: its copy (from the store when there
 * is one), its journal, and what the role serves of it. */
static void setup_copy(hd_t *d, const hd_zone_conf_t *zc, size_t ix)
{
	struct hd_zone *hz = hd_zone_get(d, zc->name);
	hz->conf_ix = ix; /* in the configuration the daemon has, or is taking */
	uint8_t apex[WIRE_NAME_MAX];
	size_t alen;
	hs_errmsg_t em;
	int stored = 0;
	if (hs_name_from_text(zc->name, strlen(zc->name), apex, &alen) != HS_OK)
		return;
	hz->persist = zc->persist;
	if (hz->zn == NULL) {
		st_t *st = store_of(d, hz);
		hs_errmsg_clear(&em);
		if (st != NULL && zn_store_load(st, apex, alen, &zc->journal, hs_now_s(d->env),
		                                &hz->zn, &hz->jn, &em) == HS_OK) {
			zn_journal_span_t sp;
			zn_journal_span(hz->jn, &sp);
			hs_log(HS_LOG_NOTICE, SUBSYS,
			       "zone '%s': stored copy loaded, journal of %zu entries", zc->name,
			       sp.entries);
			stored = 1;
		} else if (zn_zone_new(apex, alen, &hz->zn) == HS_OK) {
			hz->jn = zn_journal_new(&zc->journal);
		} else {
			return;
		}
	}
	zn_journal_set_limits(hz->jn, &zc->journal);
	if (d->role->zone_setup != NULL)
		d->role->zone_setup(d, hz, zc);
	if (stored)
		tell_role(d, hz);
}

static int add_zone(hd_t *d, const hd_zone_conf_t *zc, size_t ix)
{
	int rc = zsec_zone_add(d->zs, zc->name, zc->primaries, zc->nprimaries);

	if (rc == HS_OK) {
		setup_copy(d, zc, ix);
		set_floors(d, zc);
	} else
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s' not added: %s", zc->name, hs_strerror(rc));
	return rc;
}

int hd_zones_start(hd_t *d, hs_errmsg_t *em)
{
	zsec_config_t zc;
	zsec_run_hooks_t hooks;
	size_t i;
	int rc;

	memset(&hooks, 0, sizeof(hooks));
	hooks.loaded = on_loaded;
	hooks.expired = on_expired;
	hooks.arg = d;
	hooks.xfr_params = xfr_params;
	hooks.xfr_apply = xfr_apply;
	d->zsrv = tp_zs_new(d->loop, tp_node_endpoint(d->node), d->env);
	tp_zs_set_keys(d->zsrv, d->cfg.keys, d->cfg.nkeys);
	tp_node_set_reply_hook(d->node, hd_on_reply, d);
	memset(&zc, 0, sizeof(zc));
	rc = zsec_new(d->env, &zc, &d->zs);
	if (rc != HS_OK)
		return hs_fail(em, rc, "zones: inconsistent timer limits");
	for (i = 0; i < d->cfg.nzones; i++)
		(void)add_zone(d, &d->cfg.zones[i], i);
	rc = zsec_run_new(d->loop, tp_node_endpoint(d->node), d->zs, d->env, NULL, &hooks,
	                  d->cfg.transfers_in, &d->zrun);
	if (rc != HS_OK)
		return hs_fail(em, rc, "zones: cannot start: %s", hs_strerror(rc));
	return HS_OK;
}

static void drop_copy(hd_t *d, struct hd_zone *hz)
{
	size_t alen;
	if (hz->zn == NULL)
		return;
	const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
	tp_zs_zone_remove(d->zsrv, apex, alen);
	hd_served_free(d, hz);
	zn_zone_free(hz->zn);
	zn_journal_free(hz->jn);
	hz->zn = NULL;
	hz->jn = NULL;
}

int hd_zones_apply(hd_t *d, hd_config_t *nc)
{
	hs_strmap_t *wanted = hs_strmap_new(1);
	size_t i, j;

	/* new keys first: the zones below may name them */
	tp_tsig_key_t *ok = d->cfg.keys;
	size_t onk = d->cfg.nkeys;
	d->cfg.keys = nc->keys;
	d->cfg.nkeys = nc->nkeys;
	nc->keys = ok;
	nc->nkeys = onk;
	tp_zs_set_keys(d->zsrv, d->cfg.keys, d->cfg.nkeys);
	for (j = 0; j < nc->nzones; j++)
		hd_ignore(hs_strmap_set(wanted, nc->zones[j].name, (void *)nc->zones[j].name));
	/* removed zones */
	for (i = zsec_zone_count(d->zs); i-- > 0;) {
		char name[256];
		snprintf(name, sizeof(name), "%s", zsec_zone_name(d->zs, i));
		if (hs_strmap_get(wanted, name) == NULL) {
			hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s' no longer served", name);
			hd_ignore(zsec_zone_remove(d->zs, name));
			hd_zone_get(d, name)->loaded = 0;
			if (d->role->zone_gone != NULL)
				d->role->zone_gone(d, hd_zone_get(d, name));
			drop_copy(d, hd_zone_get(d, name));
		}
	}
	/* new zones */
	for (j = 0; j < nc->nzones; j++) {
		zsec_zone_info_t info;
		if (zsec_zone_info(d->zs, nc->zones[j].name, &info) == HS_OK) {
			/* new primaries start a refresh from them; else a reload
			 * refreshes what we serve from the first one */
			hd_ignore(zsec_zone_set_primaries(d->zs, nc->zones[j].name,
			                                  nc->zones[j].primaries,
			                                  nc->zones[j].nprimaries));
			set_floors(d, &nc->zones[j]);
			setup_copy(d, &nc->zones[j], j);
			hd_ignore(zsec_notify(d->zs, nc->zones[j].name, &nc->zones[j].primaries[0],
			                      0, 0));
			continue;
		}
		hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s' added", nc->zones[j].name);
		(void)add_zone(d, &nc->zones[j], j);
	}
	hs_strmap_free(wanted);
	zsec_run_kick(d->zrun);
	hd_pump(d);
	return HS_OK;
}

void hd_zones_free(hd_t *d)
{
	tp_zs_free(d->zsrv);
	d->zsrv = NULL;
	for (size_t i = 0; i < d->nzones; i++) {
		hd_served_free(d, &d->zones[i]);
		zn_zone_free(d->zones[i].zn);
		zn_journal_free(d->zones[i].jn);
	}
}
