/*
 * role_agent.c -- the agent role: the agent engine (peers, HELLO/BEAT,
 * gossip, the synchronised data) and discovery on the loop; engine
 * actions out to the transport, its inbox and outcomes back in; each new
 * zone version's HSYNC3/HSYNCPARAM into the engine; the provider's own
 * nameservers from the configuration (zone.ns) into its NS set; its own
 * sets kept in the store's contribution table (origin = our identity,
 * SYNC-57): stored before they are sent, given back to the engine at start.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "util/xmalloc.h"
#include "wire/text.h"

#define SUBSYS "hsyncd"
#define T_NS   2

/* ---- sends in flight: the transport's id and the engine's ---- */

static void map_add(hd_t *d, const uint8_t tp[TP_MSGID_LEN], uint64_t eng)
{
	if (d->nmap == d->capmap) {
		d->capmap = d->capmap ? 2 * d->capmap : 32;
		d->map = xrealloc(d->map, d->capmap * sizeof(*d->map));
	}
	memcpy(d->map[d->nmap].tp, tp, TP_MSGID_LEN);
	d->map[d->nmap++].eng = eng;
}

/* The engine id of a transport id (removed from the map); 0 = none. */
static int map_take(hd_t *d, const uint8_t tp[TP_MSGID_LEN], uint64_t *eng)
{
	for (size_t i = 0; i < d->nmap; i++)
		if (memcmp(d->map[i].tp, tp, TP_MSGID_LEN) == 0) {
			*eng = d->map[i].eng;
			d->map[i] = d->map[--d->nmap];
			return 1;
		}
	return 0;
}

static void do_send(hd_t *d, eng_action_t *a)
{
	uint8_t id[TP_MSGID_LEN];
	int rc = tp_node_send(d->node, a->peer, a->type_name, a->body, a->len, NULL, id);

	if (rc == HS_OK) {
		map_add(d, id, a->msgid);
		return;
	}
	hs_log(HS_LOG_INFO, SUBSYS, "cannot queue %s to '%s': %s", a->type_name, a->peer,
	       hs_strerror(rc));
	hd_ignore(eng_send_result(d->eng, a->msgid, 0));
}

/* ---- our own sets in the store (SYNC-57) ---- */

/* Store one version of an own set: HS_OK or the store's error. */
static int own_put(hd_t *d, const eng_sd_own_t *o)
{
	st_contrib_t c;
	st_contrib_rr_t *rr = xcalloc(o->nrrs + 1, sizeof(*rr));
	int rc;

	memset(&c, 0, sizeof(c));
	c.zone = (char *)(uintptr_t)o->zone; /* the store only reads its input */
	c.origin = (char *)(uintptr_t)eng_identity(d->eng);
	c.type = o->type;
	c.version = o->version;
	c.change = (char *)(uintptr_t)o->change;
	c.updated_ms = (int64_t)hs_now_ms(d->env);
	c.nrrs = o->nrrs;
	c.rrs = rr;
	for (size_t i = 0; i < o->nrrs; i++) {
		rr[i].owner = (char *)(uintptr_t)o->rrs[i].owner;
		rr[i].ttl = o->rrs[i].ttl;
		rr[i].rdata = (uint8_t *)(uintptr_t)o->rrs[i].rdata;
		rr[i].rdlen = o->rrs[i].rdlen;
		rr[i].verdict = "pending"; /* the combiners judge it, not this table */
		rr[i].reason = "";
	}
	rc = st_contrib_put(tp_node_store(d->node), &c);
	free(rr);
	return rc;
}

/* Give the engine one stored own set (`c` NULL: none of that type). */
static int own_give(hd_t *d, const char *zone, uint16_t type, const st_contrib_t *c,
                    hs_errmsg_t *em)
{
	eng_sd_rr_t *rrs = xcalloc(c ? c->nrrs + 1 : 1, sizeof(*rrs));
	int rc;

	for (size_t i = 0; c != NULL && i < c->nrrs; i++)
		rrs[i] =
		    (eng_sd_rr_t){c->rrs[i].owner, c->rrs[i].ttl, c->rrs[i].rdata, c->rrs[i].rdlen};
	rc = eng_sd_restore_own(d->eng, zone, type, c ? c->version : 0, c ? c->change : NULL, rrs,
	                        c ? c->nrrs : 0, em);
	free(rrs);
	return rc;
}

/* The own sets of `zone` (NULL = every zone) from the store into the
 * engine; with `type` nonzero only that type, and "none stored" drops
 * the engine's set (undoing a change that was not stored). */
static int own_load(hd_t *d, const char *zone, uint16_t type, hs_errmsg_t *em)
{
	st_contrib_list_t l;
	const char *self = eng_identity(d->eng);
	size_t n = 0;
	int found = 0, rc;

	memset(&l, 0, sizeof(l));
	rc = st_contrib_list(tp_node_store(d->node), zone, &l);
	if (rc != HS_OK)
		return hs_fail(em, rc, "cannot read the own sets from the store");
	for (size_t i = 0; i < l.n; i++) {
		const st_contrib_t *c = &l.v[i];
		hs_errmsg_t why;
		if (strcmp(c->origin, self) != 0 || (type != 0 && c->type != type))
			continue;
		found = 1;
		hs_errmsg_clear(&why);
		if (own_give(d, c->zone, c->type, c, &why) != HS_OK) {
			hs_log(HS_LOG_WARN, SUBSYS,
			       "zone '%s': stored own type %u set not used: %s", c->zone, c->type,
			       hs_errmsg_str(&why));
			continue;
		}
		n++;
	}
	st_contrib_list_free(&l);
	if (type != 0 && !found && zone != NULL)
		return own_give(d, zone, type, NULL, em);
	if (type == 0 && n > 0)
		hs_log(HS_LOG_NOTICE, SUBSYS, "%zu own sets restored from the store", n);
	return HS_OK;
}

/* ENG_ACT_OWN_SET: 1 when stored; 0 when not (logged, counted, and a
 * local change undone: the engine gets the last stored version back). */
static int own_store(hd_t *d, const eng_sd_own_t *o)
{
	hs_errmsg_t em;
	int rc = own_put(d, o);

	if (rc == HS_OK)
		return 1;
	d->own_failures++;
	snprintf(d->own_error, sizeof(d->own_error), "%s", hs_strerror(rc));
	hs_log(HS_LOG_ERR, SUBSYS,
	       "zone '%s': own type %u set version %llu not stored: %s; not sent", o->zone, o->type,
	       (unsigned long long)o->version, hs_strerror(rc));
	if (o->restored)
		return 0; /* the combiner holds it: keep it */
	hs_errmsg_clear(&em);
	if (own_load(d, o->zone, o->type, &em) != HS_OK)
		hs_log(HS_LOG_ERR, SUBSYS, "zone '%s': own type %u set not undone: %s", o->zone,
		       o->type, hs_errmsg_str(&em));
	return 0;
}

static void run_action(hd_t *d, eng_action_t *a)
{
	int rc;

	switch (a->kind) {
	case ENG_ACT_SEND:
		do_send(d, a);
		break;
	case ENG_ACT_DISCOVER:
		rc = disc_add_peer(d->disc, a->peer);
		if (rc == HS_E_EXISTS) { /* asked again: hand over what we have */
			const disc_result_t *r;
			char why[512] = "";
			if (disc_peer_result(d->disc, a->peer, &r) == HS_OK &&
			    r->state != DISC_PENDING) {
				if (r->state != DISC_OK)
					disc_failures_str(r, why, sizeof(why));
				hd_ignore(
				    eng_peer_discovered(d->eng, a->peer, r->state == DISC_OK, why));
			}
		} else if (rc != HS_OK) {
			hd_ignore(eng_peer_discovered(d->eng, a->peer, 0, hs_strerror(rc)));
		}
		break;
	case ENG_ACT_GROUP_OPERATIONAL:
		hs_log(HS_LOG_NOTICE, SUBSYS, "group '%s' operational", a->group);
		break;
	case ENG_ACT_GROUP_DEGRADED:
		hs_log(HS_LOG_NOTICE, SUBSYS, "group '%s' degraded (%s)", a->group, a->reason);
		break;
	case ENG_ACT_OWN_SET:    /* agent_pump carries it out */
	case ENG_ACT_LEADER:     /* the election logs its view itself */
	case ENG_ACT_PEER_STATE: /* the engine logs transitions itself */
	default:
		break;
	}
}

/* ---- the configured nameservers (zone.ns, SYNC-10) ---- */

static int same_name(const uint8_t *a, size_t al, const char *text)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	return hs_name_from_text(text, strlen(text), w, &wl) == HS_OK &&
	       zn_name_cmp(a, al, w, wl) == 0;
}

static int listed(char **v, size_t n, const uint8_t *rd, size_t rl)
{
	for (size_t i = 0; i < n; i++)
		if (same_name(rd, rl, v[i]))
			return 1;
	return 0;
}

static void ns_merged_set(struct hd_zone *hz, const hd_zone_conf_t *zc)
{
	for (size_t i = 0; i < hz->nns_merged; i++)
		free(hz->ns_merged[i]);
	free(hz->ns_merged);
	hz->ns_merged = zc->nns ? xcalloc(zc->nns, sizeof(char *)) : NULL;
	for (size_t i = 0; i < zc->nns; i++)
		hz->ns_merged[i] = xstrdup(zc->ns[i]);
	hz->nns_merged = zc->nns;
}

/*
 * The own NS set after the configuration's nameservers are merged in:
 * the current set, less the configured NS removed from the configuration
 * since the last merge, plus every configured NS. Records added with
 * hsyncctl stay. Waits while the own data is being rebuilt (SYNC-33:
 * a set made before would drop what the combiner still has to tell).
 * Returns 1 when done (or nothing to do), 0 to try again later.
 */
static int ns_merge(hd_t *d, struct hd_zone *hz)
{
	const hd_zone_conf_t *zc = hd_zone_conf(d, hz->name);
	const eng_zone_t *z = eng_zone_find(d->eng, hz->name);
	eng_sd_view_t *v = NULL;
	eng_sd_rr_t rrs[SM_MAX_RRS];
	uint8_t wire[64][WIRE_NAME_MAX];
	size_t n = 0, changed = 0;
	hs_errmsg_t em;
	int rc;

	if (zc == NULL || (zc->nns == 0 && hz->nns_merged == 0))
		return 1;
	if (z == NULL || !z->multi)
		return 1; /* nothing to contribute to; the next load looks again */
	if (!eng_sd_editable(d->eng, hz->name))
		return 0;
	if (eng_sd_view(d->eng, hz->name, &v) != HS_OK)
		return 0;
	for (size_t i = 0; i < v->nrrs && n < SM_MAX_RRS; i++) {
		const eng_sd_rr_info_t *r = &v->rrs[i];
		if (!r->own || !r->in_set || r->type != T_NS)
			continue;
		if (listed(hz->ns_merged, hz->nns_merged, r->rdata, r->rdlen) &&
		    !listed(zc->ns, zc->nns, r->rdata, r->rdlen)) {
			changed++; /* no longer configured */
			continue;
		}
		rrs[n++] = (eng_sd_rr_t){r->owner, r->ttl, r->rdata, r->rdlen};
	}
	for (size_t i = 0; i < zc->nns && i < 64 && n < SM_MAX_RRS; i++) {
		size_t wl, k;
		if (hs_name_from_text(zc->ns[i], strlen(zc->ns[i]), wire[i], &wl) != HS_OK)
			continue;
		for (k = 0; k < n; k++)
			if (zn_name_cmp(rrs[k].rdata, rrs[k].rdlen, wire[i], wl) == 0)
				break;
		if (k < n)
			continue;
		rrs[n++] = (eng_sd_rr_t){hz->name, zc->ns_ttl, wire[i], wl};
		changed++;
	}
	hs_errmsg_clear(&em);
	rc = changed ? eng_sd_set_own(d->eng, hz->name, T_NS, rrs, n, &em) : HS_OK;
	eng_sd_view_free(v);
	if (rc != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': configured NS not contributed: %s",
		       hz->name, hs_errmsg_str(&em));
		return rc == HS_E_AGAIN ? 0 : 1;
	}
	if (changed)
		hs_log(HS_LOG_NOTICE, SUBSYS,
		       "zone '%s': the %zu configured NS are in the own NS set (%zu records)",
		       hz->name, zc->nns, n);
	ns_merged_set(hz, zc);
	return 1;
}

static void ns_wait(hd_t *d, struct hd_zone *hz)
{
	if (hz->nns_conf == 0 && hz->nns_merged == 0)
		return;
	if (!hz->ns_pending) {
		hz->ns_pending = 1;
		d->ns_waiting++;
	}
}

static void ns_merge_waiting(hd_t *d)
{
	for (size_t i = 0; d->ns_waiting > 0 && i < d->nzones; i++) {
		struct hd_zone *hz = &d->zones[i];
		if (hz->ns_pending && ns_merge(d, hz)) {
			hz->ns_pending = 0;
			d->ns_waiting--;
		}
	}
}

/* ---- hooks ---- */

static int agent_init(hd_t *d, hs_errmsg_t *em)
{
	eng_cfg_t ec;

	memset(&ec, 0, sizeof(ec));
	ec.identity = d->cfg.tp.identity;
	ec.beat_interval_ms = d->cfg.beat_ms; /* HELLO retry: the draft's 2 s .. 60 s */
	ec.combiner = d->cfg.partner[0] ? d->cfg.partner : NULL;
	ec.confirm_timeout_ms = d->cfg.confirm_timeout_ms;
	ec.elect_lease_ms = d->cfg.elect_lease_ms;
	ec.elect_vote_ms = d->cfg.elect_vote_ms;
	ec.signer = d->cfg.partner2[0] ? d->cfg.partner2 : NULL;
	int rc = eng_new(&d->eng, &ec, d->env, em);
	if (rc != HS_OK)
		return rc;
	rc = own_load(d, NULL, 0, em); /* SYNC-57: before the first tick */
	if (rc == HS_OK)
		rc = hd_psync_init(d, em);
	return rc;
}

static int agent_start(hd_t *d, hs_errmsg_t *em)
{
	return hd_disc_start(d, em);
}

static void agent_fini(hd_t *d)
{
	hd_psync_free(d);
	disc_free(d->disc);
	d->disc = NULL;
	eng_free(d->eng);
	d->eng = NULL;
	for (size_t i = 0; i < d->nzones; i++) {
		for (size_t j = 0; j < d->zones[i].nns_merged; j++)
			free(d->zones[i].ns_merged[j]);
		free(d->zones[i].ns_merged);
		d->zones[i].ns_merged = NULL;
		d->zones[i].nns_merged = 0;
	}
}

static int agent_message(hd_t *d, const char *from, const char *type, const uint8_t *body,
                         size_t len)
{
	if (strcmp(type, "STATUS") == 0 && hd_psync_status_in(d, from, body, len))
		return HS_OK;
	return eng_message(d->eng, from, type, body, len);
}

static void agent_sent(hd_t *d, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                       enum tp_outcome outcome, const char *reason)
{
	uint64_t eid;

	if (!map_take(d, msgid, &eid))
		return;
	if (outcome != TP_OUT_DELIVERED)
		hs_log(HS_LOG_NOTICE, SUBSYS, "message to '%s' not delivered: %s%s%s", peer,
		       outcome == TP_OUT_EXPIRED ? "expired" : "rejected",
		       reason != NULL && reason[0] ? " " : "", reason != NULL ? reason : "");
	/* the peer no longer has the HPKE key we sealed to: it may have rolled
	 * its key, so fetch what it publishes now */
	if (outcome == TP_OUT_REJECTED && reason != NULL && strcmp(reason, "unknown-key") == 0 &&
	    strcmp(peer, d->cfg.partner) != 0 && strcmp(peer, d->cfg.partner2) != 0)
		hd_ignore(disc_refresh_peer(d->disc, peer, "it refused our message: unknown-key"));
	hd_ignore(eng_send_result(d->eng, eid, outcome == TP_OUT_DELIVERED));
}

/* Messages to the own combiner first: they are on the way to the
 * provider's public servers, a CONFIRM to a peer is not (each queued
 * message is a store write). Otherwise in the engine's order. An own set
 * is stored before anything after it runs; when it cannot be, the SENDs
 * that follow it (its UPDATE and SYNCs) are dropped (SYNC-57). */
static void agent_pump(hd_t *d)
{
	eng_action_t a, *later = NULL;
	size_t n = 0, cap = 0;
	int drop = 0;

	while (eng_next_action(d->eng, &a) == HS_OK) {
		if (a.kind == ENG_ACT_OWN_SET) {
			drop = !own_store(d, a.own);
			eng_action_clear(&a);
			continue;
		}
		if (a.kind != ENG_ACT_SEND)
			drop = 0;
		if (drop) {
			hd_ignore(eng_send_result(d->eng, a.msgid, 0));
			eng_action_clear(&a);
			continue;
		}
		if (a.kind == ENG_ACT_SEND && d->cfg.partner[0] &&
		    strcmp(a.peer, d->cfg.partner) != 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				later = xrealloc(later, cap * sizeof(*later));
			}
			later[n++] = a;
			continue;
		}
		run_action(d, &a);
		eng_action_clear(&a);
	}
	for (size_t i = 0; i < n; i++) {
		run_action(d, &later[i]);
		eng_action_clear(&later[i]);
	}
	free(later);
	if (d->ns_waiting > 0)
		ns_merge_waiting(d);
	hd_psync_pump(d);
}

static uint64_t agent_deadline(hd_t *d)
{
	uint64_t t = eng_next_deadline(d->eng), t2 = disc_next_deadline(d->disc),
	         t3 = hd_psync_deadline(d);
	t = t2 < t ? t2 : t;
	return t3 < t ? t3 : t;
}

static void agent_tick(hd_t *d)
{
	disc_tick(d->disc);
	(void)eng_tick(d->eng);
	hd_psync_tick(d);
}

/* The agent serves its copy onward as it is. */
static void agent_zone_setup(hd_t *d, struct hd_zone *hz, const hd_zone_conf_t *zc)
{
	hz->nns_conf = zc->nns;
	hd_zone_serve_copy(d, hz, zc);
}

/* The apex HSYNC3 and HSYNCPARAM of our copy into the engine. */
static void agent_zone_loaded(hd_t *d, struct hd_zone *hz)
{
	hd_apex_params_t ap;
	hs_errmsg_t em;
	zn_snap_t *s = zn_zone_snapshot(hz->zn);
	if (s == NULL)
		return;
	hd_apex_params(s, &ap);
	hs_log(HS_LOG_NOTICE, "zones", "zone '%s' serial %u loaded: %zu HSYNC3, %zu HSYNCPARAM",
	       hz->name, zn_snap_serial(s), ap.n3, ap.np);
	hs_errmsg_clear(&em);
	if (eng_zone_loaded(d->eng, hz->name, ap.p3, ap.l3, ap.n3, ap.pp, ap.lp, ap.np, &em) !=
	    HS_OK)
		hs_log(HS_LOG_WARN, "zones", "zone '%s': %s", hz->name, hs_errmsg_str(&em));
	zn_snap_release(s);
	ns_wait(d, hz);
}

static void agent_zone_gone(hd_t *d, struct hd_zone *hz)
{
	hd_ignore(eng_zone_removed(d->eng, hz->name));
}

/* A reload: BEAT interval, discovery's trust, the configured NS. */
static void agent_reload(hd_t *d, hd_config_t *nc)
{
	if (nc->beat_ms != d->cfg.beat_ms) {
		eng_set_beat_interval(d->eng, nc->beat_ms);
		d->cfg.beat_ms = nc->beat_ms;
	}
	/* discovery: the anchors are borrowed by the disc_t until replaced */
	if (disc_set_trust(d->disc, nc->anchors, nc->insecure) == HS_OK) {
		dv_anchors_t *old = d->cfg.anchors;
		d->cfg.anchors = nc->anchors;
		d->cfg.insecure = nc->insecure;
		nc->anchors = old;
	}
	d->cfg.resolver = nc->resolver;
	/* the zones' configuration is nc's from now on: merge its NS again */
	for (size_t i = 0; i < d->nzones; i++)
		if (d->zones[i].loaded)
			ns_wait(d, &d->zones[i]);
}

const hd_role_t hd_role_agent = {
    .name = "agent",
    .help = "talks to the other providers' agents: discovery, HELLO/BEAT, gossip, SYNC",
    .discovers = 1,
    .partner = "combiner",
    .partner_required = 0,
    .partner2 = "signer",
    .serves_copy = 1,
    .init = agent_init,
    .start = agent_start,
    .fini = agent_fini,
    .message = agent_message,
    .sent = agent_sent,
    .pump = agent_pump,
    .deadline = agent_deadline,
    .tick = agent_tick,
    .zone_setup = agent_zone_setup,
    .zone_loaded = agent_zone_loaded,
    .zone_gone = agent_zone_gone,
    .reload = agent_reload,
    .status = hd_agent_status,
    .zone_json = hd_agent_zone_json,
    .cmds = hd_agent_cmds,
};
