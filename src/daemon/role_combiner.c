/*
 * role_combiner.c -- the combiner role: the combiner engine
 * (engine/combiner/combiner.h) over the daemon's store, fed by its own
 * agent's messages and by every new version of the owner's zone; its
 * CONFIRM/EDITS/CONFIG go back to the agent over the transport, and each
 * PUBLISH (and each inbound version) brings the served zone up to date
 * (served.c). No discovery: the only party it talks to is its own agent,
 * given in the agent: section (SYNC-41).
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "util/xmalloc.h"

#define SUBSYS "combiner"

/* The RRsets of the apex the combiner reads (draft-hsync-sync 7.1). */
static const uint16_t apex_types[] = {2, 25, 48, 59, 62, 65285, 65286};
#define NAPEX_TYPES (sizeof(apex_types) / sizeof(apex_types[0]))
#define MAX_APEX_RR 1024

static void policy_of(const hd_config_t *c, cmb_cfg_t *out)
{
	memset(out, 0, sizeof(*out));
	out->identity = c->tp.identity;
	out->provider = c->partner;
	out->protect = (const char *const *)c->cmb.protect;
	out->nprotect = c->cmb.nprotect;
	out->ttl_min = c->cmb.ttl_min;
	out->ttl_max = c->cmb.ttl_max;
	out->manual = c->cmb.manual;
}

static int combiner_init(hd_t *d, hs_errmsg_t *em)
{
	cmb_cfg_t cc;

	policy_of(&d->cfg, &cc);
	return cmb_new(&d->cmb, &cc, tp_node_store(d->node), d->env, em);
}

static void combiner_fini(hd_t *d)
{
	cmb_free(d->cmb);
	d->cmb = NULL;
}

static int combiner_message(hd_t *d, const char *from, const char *type, const uint8_t *body,
                            size_t len)
{
	return cmb_message(d->cmb, from, type, body, len);
}

static void combiner_sent(hd_t *d, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                          enum tp_outcome outcome, const char *reason)
{
	(void)d;
	(void)msgid;
	/* the agent's re-send (SYNC-31) brings the question again */
	if (outcome != TP_OUT_DELIVERED)
		hs_log(HS_LOG_NOTICE, SUBSYS, "message to '%s' not delivered: %s%s%s", peer,
		       outcome == TP_OUT_EXPIRED ? "expired" : "rejected",
		       reason != NULL && reason[0] ? " " : "", reason != NULL ? reason : "");
}

/* The served zones first: their NOTIFY is what the public servers wait
 * for, the CONFIRMs to the agent can follow (each queued message is a
 * store write). */
static void combiner_pump(hd_t *d)
{
	cmb_action_t a, *sends = NULL;
	size_t n = 0, cap = 0;

	while (cmb_next_action(d->cmb, &a) == HS_OK) {
		if (a.kind == CMB_ACT_PUBLISH) {
			struct hd_zone *hz = hd_zone_find(d, a.zone);
			if (hz != NULL && hz->zn != NULL)
				hd_served_update(d, hz);
			cmb_action_clear(&a);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			sends = xrealloc(sends, cap * sizeof(*sends));
		}
		sends[n++] = a;
	}
	for (size_t i = 0; i < n; i++) {
		cmb_action_t *s = &sends[i];
		int rc = tp_node_send(d->node, s->peer, s->type_name, s->body, s->len, NULL, NULL);
		if (rc != HS_OK)
			hs_log(HS_LOG_WARN, SUBSYS, "cannot queue %s to '%s': %s", s->type_name,
			       s->peer, hs_strerror(rc));
		cmb_action_clear(s);
	}
	free(sends);
}

/* Every new inbound version: its apex into the combiner (SYNC-40),
 * then the served zone follows. */
static void combiner_zone_loaded(hd_t *d, struct hd_zone *hz)
{
	cmb_rr_in_t *rrs = NULL;
	size_t n = 0, alen;
	hs_errmsg_t em;
	zn_snap_t *s = zn_zone_snapshot(hz->zn);
	if (s == NULL)
		return;
	const uint8_t *apex = zn_snap_apex(s, &alen);
	rrs = calloc(MAX_APEX_RR, sizeof(*rrs));
	if (rrs == NULL)
		abort();
	for (size_t t = 0; t < NAPEX_TYPES; t++) {
		zn_rrset_t set;
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rl;
		if (zn_snap_find(s, apex, alen, apex_types[t], &set, NULL) != HS_OK)
			continue;
		while (n < MAX_APEX_RR && zn_rrset_next(&set, &off, &rd, &rl))
			rrs[n++] = (cmb_rr_in_t){apex_types[t], set.ttl, rd, rl};
	}
	hs_errmsg_clear(&em);
	if (cmb_zone_loaded(d->cmb, hz->name, zn_snap_serial(s), rrs, n, &em) != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': %s", hz->name, hs_errmsg_str(&em));
	else
		hs_log(HS_LOG_NOTICE, "zones", "zone '%s' serial %u loaded: %zu apex records read",
		       hz->name, zn_snap_serial(s), n);
	free(rrs);
	zn_snap_release(s);
	hd_served_update(d, hz);
}

static void combiner_zone_gone(hd_t *d, struct hd_zone *hz)
{
	hd_ignore(cmb_zone_removed(d->cmb, hz->name));
}

static void combiner_reload(hd_t *d, hd_config_t *nc)
{
	cmb_cfg_t cc;
	hs_errmsg_t em;

	policy_of(nc, &cc);
	cc.provider = d->cfg.partner; /* a new agent needs a restart */
	hs_errmsg_clear(&em);
	if (cmb_configure(d->cmb, &cc, &em) != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "combiner policy not changed: %s", hs_errmsg_str(&em));
		return;
	}
	/* the policy's strings are borrowed: keep nc's */
	hd_cmb_conf_t old = d->cfg.cmb;
	d->cfg.cmb = nc->cmb;
	nc->cmb = old;
	hs_log(HS_LOG_NOTICE, SUBSYS,
	       "combiner policy: %zu protected namespaces, ttl %u..%u s, approval %s; "
	       "'hsyncctl combiner reapply' re-evaluates what is stored",
	       d->cfg.cmb.nprotect, d->cfg.cmb.ttl_min, d->cfg.cmb.ttl_max,
	       d->cfg.cmb.manual ? "manual" : "auto");
}

const hd_role_t hd_role_combiner = {
    .name = "combiner",
    .help = "merges the providers' contributions into the zone it serves",
    .discovers = 0,
    .partner = "agent",
    .partner_required = 1,
    .init = combiner_init,
    .fini = combiner_fini,
    .message = combiner_message,
    .sent = combiner_sent,
    .pump = combiner_pump,
    .zone_setup = hd_served_setup,
    .zone_loaded = combiner_zone_loaded,
    .zone_gone = combiner_zone_gone,
    .reload = combiner_reload,
    .status = hd_combiner_status,
    .zone_json = hd_combiner_zone_json,
    .cmds = hd_combiner_cmds,
};
