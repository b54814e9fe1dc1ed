/* wire_zones.c -- the customer zones: secondaries (zonesec on the loop),
 * each new copy's apex HSYNC3/HSYNCPARAM into the engine, NOTIFY from a
 * primary through the node's request hook. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "util/xmalloc.h"

#define SUBSYS        "zones"
#define T_HSYNC3      65285
#define T_HSYNCPARAM  65286
#define OPCODE_NOTIFY 4
#define T_SOA         6
#define MAX_APEX      256

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

static void on_loaded(void *arg, const char *zone, uint32_t serial, tp_xfr_zone_t *z)
{
	hd_t *d = arg;
	tp_xfr_rdata_t h3[MAX_APEX], hp[MAX_APEX];
	const uint8_t *p3[MAX_APEX], *pp[MAX_APEX];
	size_t l3[MAX_APEX], lp[MAX_APEX], n3, np, i;
	struct hd_zone *hz = hd_zone_get(d, zone);
	hs_errmsg_t em;
	int rc;

	hs_errmsg_clear(&em);
	n3 = tp_xfr_zone_apex(z, T_HSYNC3, h3, MAX_APEX);
	np = tp_xfr_zone_apex(z, T_HSYNCPARAM, hp, MAX_APEX);
	if (n3 > MAX_APEX)
		n3 = MAX_APEX;
	if (np > MAX_APEX)
		np = MAX_APEX;
	for (i = 0; i < n3; i++) {
		p3[i] = h3[i].data;
		l3[i] = h3[i].len;
	}
	for (i = 0; i < np; i++) {
		pp[i] = hp[i].data;
		lp[i] = hp[i].len;
	}
	hz->serial = serial;
	hz->loaded = 1;
	hz->loaded_at = hs_now_s(d->env);
	hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s' serial %u loaded: %zu HSYNC3, %zu HSYNCPARAM",
	       zone, serial, n3, np);
	rc = eng_zone_loaded(d->eng, zone, p3, l3, n3, pp, lp, np, &em);
	if (rc != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': %s", zone, hs_errmsg_str(&em));
	tp_xfr_zone_free(z);
	hd_pump(d);
}

static void on_expired(void *arg, const char *zone)
{
	hd_t *d = arg;

	hs_log(HS_LOG_WARN, SUBSYS, "zone '%s' expired", zone);
	hd_zone_get(d, zone)->loaded = 0;
	hd_ignore(eng_zone_removed(d->eng, zone));
	hd_pump(d);
}

int hd_on_request(void *arg, const tp_peer_addr_t *src, int proto, size_t limit, const uint8_t *msg,
                  size_t len, hs_buf_t *reply)
{
	hd_t *d = arg;
	tp_req_info_t ri;

	if (tp_req_parse(msg, len, &ri) != HS_OK)
		return 0;
	/* plain queries for our identity zone are its responder's */
	if (hd_idzone_request(d, src, proto, limit, &ri, reply))
		return 1;
	/* a NOTIFY for a zone's SOA is the secondary's; CHUNK NOTIFYs are the core's */
	if (((ri.flags >> 11) & 0xf) != OPCODE_NOTIFY || !ri.has_question || ri.qtype != T_SOA)
		return 0;
	(void)zsec_run_notify(d->zrun, src, msg, len, reply);
	hd_pump(d);
	return 1;
}

/* The zone's refresh-min/retry-min (checked against zonesec's maxima). */
static void set_floors(hd_t *d, const hd_zone_conf_t *zc)
{
	if (zsec_zone_set_floors(d->zs, zc->name, zc->refresh_min_s, zc->retry_min_s) != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS,
		       "zone '%s': refresh-min %u s / retry-min %u s above the timer maxima; "
		       "defaults kept",
		       zc->name, zc->refresh_min_s, zc->retry_min_s);
}

static int add_zone(hd_t *d, const hd_zone_conf_t *zc)
{
	int rc = zsec_zone_add(d->zs, zc->name, zc->primaries, zc->nprimaries);

	if (rc == HS_OK) {
		(void)hd_zone_get(d, zc->name);
		set_floors(d, zc);
	} else
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s' not added: %s", zc->name, hs_strerror(rc));
	return rc;
}

int hd_zones_start(hd_t *d, hs_errmsg_t *em)
{
	zsec_config_t zc;
	zsec_run_hooks_t hooks = {on_loaded, on_expired, d};
	size_t i;
	int rc;

	memset(&zc, 0, sizeof(zc));
	rc = zsec_new(d->env, &zc, &d->zs);
	if (rc != HS_OK)
		return hs_fail(em, rc, "zones: inconsistent timer limits");
	for (i = 0; i < d->cfg.nzones; i++)
		(void)add_zone(d, &d->cfg.zones[i]);
	rc = zsec_run_new(d->loop, tp_node_endpoint(d->node), d->zs, d->env, NULL, &hooks,
	                  d->cfg.transfers_in, &d->zrun);
	if (rc != HS_OK)
		return hs_fail(em, rc, "zones: cannot start: %s", hs_strerror(rc));
	return HS_OK;
}

int hd_zones_apply(hd_t *d, const hd_config_t *nc)
{
	hs_strmap_t *wanted = hs_strmap_new(1);
	size_t i, j;

	for (j = 0; j < nc->nzones; j++)
		hd_ignore(hs_strmap_set(wanted, nc->zones[j].name, (void *)nc->zones[j].name));
	/* removed zones */
	for (i = zsec_zone_count(d->zs); i-- > 0;) {
		char name[256];
		snprintf(name, sizeof(name), "%s", zsec_zone_name(d->zs, i));
		if (hs_strmap_get(wanted, name) == NULL) {
			hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s' no longer served", name);
			hd_ignore(zsec_zone_remove(d->zs, name));
			hd_ignore(eng_zone_removed(d->eng, name));
			hd_zone_get(d, name)->loaded = 0;
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
			hd_ignore(zsec_notify(d->zs, nc->zones[j].name, &nc->zones[j].primaries[0],
			                      0, 0));
			continue;
		}
		hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s' added", nc->zones[j].name);
		(void)add_zone(d, &nc->zones[j]);
	}
	hs_strmap_free(wanted);
	zsec_run_kick(d->zrun);
	hd_pump(d);
	return HS_OK;
}
