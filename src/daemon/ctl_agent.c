/*
 * ctl_agent.c -- the agent's control commands: peers and the gossip
 * matrix, the synchronised data (zone add-rr, del-rr, edits), and the
 * agent's part of status, zone list and zone show.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "wire/rdata.h"
#include "wire/text.h"

#define S(ms) ((ms) / 1000)
#define T_NS  2

static const char *zone_role(const eng_zone_t *z)
{
	if (z == NULL)
		return "-";
	return z->multi ? "provider" : (z->our_label != NULL ? "listed" : "not-listed");
}

/* The transport's counters for the peer (since this daemon started) and
 * the engine's BEAT counts. */
static void peer_counters(hs_jw_t *w, hd_t *d, const eng_peer_info_t *pi)
{
	tp_peer_stats_t ps;

	(void)tp_node_peer_stats(d->node, pi->identity, &ps); /* zeroed when none */
	hs_jw_kv_u64(w, "sent", ps.queued);
	hs_jw_kv_u64(w, "delivered", ps.delivered);
	hs_jw_kv_u64(w, "pending", ps.pending);
	hs_jw_kv_u64(w, "retried", ps.retried);
	/* refusals by the transport (receipts) and by the engine (HELLO_ACK
	 * accept false, AG-18) count alike */
	hs_jw_kv_u64(w, "rejected", ps.rejected + pi->refused_out);
	hs_jw_kv_u64(w, "expired", ps.expired);
	hs_jw_kv_u64(w, "failed", ps.rejected + ps.expired);
	hs_jw_kv_u64(w, "received", ps.received);
	hs_jw_kv_u64(w, "duplicates", ps.duplicates);
	hs_jw_kv_u64(w, "refused", ps.refused + pi->refused_in);
	hs_jw_kv_u64(w, "forged", ps.forged);
	hs_jw_kv_u64(w, "last_delivered", S(ps.last_delivered_ms));
	hs_jw_kv_u64(w, "last_received", S(ps.last_received_ms));
	hs_jw_kv_u64(w, "beats_rx", pi->beats_rx);
	hs_jw_kv_u64(w, "beats_tx", pi->beats_tx);
	hs_jw_kv_u64(w, "beats_skipped", pi->beats_skipped);
	hs_jw_kv_str(w, "last_error", ps.last_error);
	hs_jw_kv_u64(w, "last_error_at", S(ps.last_error_ms));
	hs_jw_kv_bool(w, "failing", ps.failing != 0);
}

static int h_peer_list(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	eng_peer_info_t pi;
	size_t i;

	hs_jw_arr_begin(c->out);
	for (i = 0; i < eng_peer_count(d->eng); i++) {
		if (eng_peer_at(d->eng, i, &pi) != HS_OK)
			continue;
		hs_jw_obj_begin(c->out);
		hs_jw_kv_str(c->out, "peer", pi.identity);
		hs_jw_kv_str(c->out, "state", eng_peer_state_name(pi.state));
		hs_jw_kv_u64(c->out, "since", S(pi.since_ms));
		hs_jw_kv_u64(c->out, "last_beat", S(pi.last_beat_ms));
		peer_counters(c->out, d, &pi);
		hs_jw_obj_end(c->out);
	}
	hs_jw_arr_end(c->out);
	return HS_OK;
}

static int h_peer_show(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	eng_peer_info_t pi;
	eng_group_info_t gi;
	const disc_result_t *r = NULL;
	char name[ENG_NAME_MAX], a[80];
	size_t i, j;

	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: peer show ID");
	if (eng_name_canon(c->argv[0], strlen(c->argv[0]), name) != HS_OK ||
	    eng_peer_get(d->eng, name, &pi) != HS_OK)
		return hs_fail(c->em, HS_E_NOTFOUND, "no peer '%s'", c->argv[0]);
	if (disc_peer_result(d->disc, name, &r) != HS_OK)
		r = NULL;
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "peer", pi.identity);
	hs_jw_kv_str(c->out, "state", eng_peer_state_name(pi.state));
	hs_jw_kv_u64(c->out, "since", S(pi.since_ms));
	hs_jw_kv_str(c->out, "reason", pi.reason != NULL ? pi.reason : "");
	if (r != NULL && r->state == DISC_OK && r->naddrs > 0) {
		tp_peer_addr_t pa;
		char ip[64];
		inet_ntop(r->addrs[0].family, r->addrs[0].addr, ip, sizeof(ip));
		if (tp_peer_addr_parse(ip, r->port, &pa) == HS_OK) {
			tp_peer_addr_str(&pa, a, sizeof(a));
			hs_jw_kv_str(c->out, "address", a);
		}
		hs_jw_kv_u64(c->out, "keys_expire", S(r->expires_ms));
	}
	if (r != NULL) {
		snprintf(a, sizeof(a), "%s%s%s", disc_state_str(r->state),
		         r->state == DISC_OK ? " " : "",
		         r->state == DISC_OK ? disc_trust_str(r->trust) : "");
		hs_jw_kv_str(c->out, "discovery", a);
	}
	hs_jw_kv_str(c->out, "last_hello",
	             pi.hello_sent_ok && pi.hello_rcvd_ok ? "exchanged"
	             : pi.hello_sent_ok                   ? "ours accepted"
	             : pi.hello_rcvd_ok                   ? "theirs accepted"
	                                                  : "none");
	hs_jw_kv_u64(c->out, "last_beat", S(pi.last_beat_ms));
	hs_jw_kv_u64(c->out, "beat_interval_ms", pi.beat_interval_ms);
	hs_jw_key(c->out, "zones");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < eng_zone_count(d->eng); i++) {
		const eng_zone_t *z = eng_zone_at(d->eng, i);
		if (z != NULL && z->multi && eng_zone_lists_on(z, name))
			hs_jw_str(c->out, z->name);
	}
	hs_jw_arr_end(c->out);
	hs_jw_key(c->out, "groups");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < eng_group_count(d->eng); i++)
		if (eng_group_at(d->eng, i, &gi) == HS_OK)
			for (j = 0; j < gi.nmembers; j++)
				if (strcmp(gi.members[j], name) == 0)
					hs_jw_str(c->out, gi.id);
	hs_jw_arr_end(c->out);
	peer_counters(c->out, d, &pi);
	hs_jw_obj_end(c->out);
	return HS_OK;
}

static int h_gossip_show(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	eng_group_info_t gi;
	size_t i, r, k;
	int found = 0;

	if (c->argc > 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: gossip show [GROUP]");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < eng_group_count(d->eng); i++) {
		if (eng_group_at(d->eng, i, &gi) != HS_OK)
			continue;
		if (c->argc == 1 && strcmp(c->argv[0], gi.id) != 0)
			continue;
		found = 1;
		hs_jw_obj_begin(c->out);
		hs_jw_kv_str(c->out, "group", gi.id);
		hs_jw_kv_str(c->out, "state", gi.operational ? "OPERATIONAL" : "DEGRADED");
		hs_jw_kv_u64(c->out, "since", S(gi.since_ms));
		hs_jw_kv_u64(c->out, "zones", gi.nzones);
		hd_ctl_election(c->out, d, gi.id, 0);
		hs_jw_key(c->out, "members");
		hs_jw_arr_begin(c->out);
		for (k = 0; k < gi.nmembers; k++)
			hs_jw_str(c->out, gi.members[k]);
		hs_jw_arr_end(c->out);
		hs_jw_key(c->out, "matrix");
		hs_jw_arr_begin(c->out);
		for (r = 0; r < gi.nmembers; r++) {
			hs_jw_arr_begin(c->out);
			for (k = 0; k < gi.nmembers; k++) {
				eng_peer_state_t s = eng_group_cell(d->eng, gi.id, r, k, NULL);
				if (r == k || s == ENG_PEER_NONE)
					hs_jw_null(c->out);
				else
					hs_jw_str(c->out, eng_peer_state_name(s));
			}
			hs_jw_arr_end(c->out);
		}
		hs_jw_arr_end(c->out);
		hs_jw_obj_end(c->out);
	}
	hs_jw_arr_end(c->out);
	if (c->argc == 1 && !found)
		return hs_fail(c->em, HS_E_NOTFOUND, "no group '%s'", c->argv[0]);
	return HS_OK;
}

/* ---- the synchronised data ---- */

/* `zone` canonical into `name`, or a one-line error. */
static int agent_zone_arg(tp_ctl_call_t *c, hd_t *d, const char *arg, char name[ENG_NAME_MAX])
{
	if (eng_name_canon(arg, strlen(arg), name) != HS_OK || eng_zone_find(d->eng, name) == NULL)
		return hs_fail(c->em, HS_E_NOTFOUND, "no zone '%s' here", arg);
	return HS_OK;
}

/* The configured NS (zone.ns) the record names, if it is one. */
static int configured_ns(hd_t *d, const char *zone, uint16_t type, const hs_buf_t *rd)
{
	if (type != T_NS)
		return 0;
	for (size_t i = 0; i < d->cfg.nzones; i++) {
		const hd_zone_conf_t *zc = &d->cfg.zones[i];
		if (strcasecmp(zc->name, zone) != 0)
			continue;
		for (size_t k = 0; k < zc->nns; k++) {
			uint8_t w[WIRE_NAME_MAX];
			size_t wl;
			if (hs_name_from_text(zc->ns[k], strlen(zc->ns[k]), w, &wl) == HS_OK &&
			    zn_name_cmp(w, wl, rd->data, rd->len) == 0)
				return 1;
		}
	}
	return 0;
}

static int edit_rr(tp_ctl_call_t *c, hd_t *d, int add)
{
	char zone[ENG_NAME_MAX], owner[ENG_NAME_MAX + 8];
	hs_buf_t rd = HS_BUF_INIT, ty = HS_BUF_INIT;
	uint32_t ttl;
	uint16_t type;
	hs_errmsg_t em;
	int rc;

	if (c->argc != 2)
		return hs_fail(c->em, HS_E_INVAL,
		               "usage: zone %s ZONE 'OWNER [TTL] [IN] TYPE RDATA'",
		               add ? "add-rr" : "del-rr");
	if ((rc = agent_zone_arg(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	hs_errmsg_clear(&em);
	rc = hd_rr_parse(zone, c->argv[1], 3600, owner, sizeof(owner), &ttl, &type, &rd, &em);
	if (rc != HS_OK) {
		rc = hs_fail(c->em, rc, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (!add && configured_ns(d, zone, type, &rd)) {
		rc = hs_fail(c->em, HS_E_STATE,
		             "zone '%s': that NS is configured (zone.ns); remove it from the "
		             "configuration and reload",
		             zone);
		goto cleanup;
	}
	eng_sd_rr_t rr = {owner, ttl, rd.data, rd.len};
	uint64_t failures = d->own_failures;
	rc = add ? eng_sd_add_rr(d->eng, zone, type, &rr, &em)
	         : eng_sd_del_rr(d->eng, zone, type, &rr, &em);
	if (rc != HS_OK) {
		rc = hs_fail(c->em, rc, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	hd_pump(d); /* stores the new version before sending it (SYNC-57) */
	if (d->own_failures != failures) {
		rc = hs_fail(c->em, HS_E_IO,
		             "zone '%s': the own set could not be stored (%s): change refused, "
		             "nothing sent",
		             zone, d->own_error);
		goto cleanup;
	}
	hs_rrtype_any_print(&ty, type);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message",
	             add ? "added to the own set; distributing"
	                 : "deleted from the own set; distributing");
	hs_jw_kv_str(c->out, "zone", zone);
	hs_jw_kv_str(c->out, "owner", owner);
	hs_jw_kv_str(c->out, "type", hs_buf_cstr(&ty));
	hs_jw_kv_u64(c->out, "ttl", ttl);
	hs_jw_obj_end(c->out);
cleanup:
	hs_buf_free(&rd);
	hs_buf_free(&ty);
	return rc;
}

static int h_add_rr(tp_ctl_call_t *c, void *arg)
{
	return edit_rr(c, arg, 1);
}

static int h_del_rr(tp_ctl_call_t *c, void *arg)
{
	return edit_rr(c, arg, 0);
}

static int h_edits(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX];
	hs_buf_t b = HS_BUF_INIT;
	int rc;

	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: zone edits ZONE");
	if ((rc = agent_zone_arg(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	rc = eng_sd_json(d->eng, zone, &b);
	if (rc == HS_OK)
		hs_jw_raw(c->out, hs_buf_cstr(&b));
	else
		rc = hs_fail(c->em, rc, "zone '%s': no synchronised data", zone);
	hs_buf_free(&b);
	return rc;
}

/* ---- the agent's part of the shared commands ---- */

void hd_agent_status(hd_t *d, hs_jw_t *w)
{
	size_t i, np = eng_peer_count(d->eng), ng = eng_group_count(d->eng), pop = 0, gop = 0;
	eng_peer_info_t pi;
	eng_group_info_t gi;
	eng_sd_counters_t sc;

	for (i = 0; i < np; i++)
		if (eng_peer_at(d->eng, i, &pi) == HS_OK && pi.state == ENG_PEER_OPERATIONAL)
			pop++;
	for (i = 0; i < ng; i++)
		if (eng_group_at(d->eng, i, &gi) == HS_OK && gi.operational)
			gop++;
	hs_jw_kv_u64(w, "peers", np);
	hs_jw_kv_u64(w, "peers_operational", pop);
	hs_jw_kv_u64(w, "groups", ng);
	hs_jw_kv_u64(w, "groups_operational", gop);
	hs_jw_kv_u64(w, "beat_interval_ms", eng_beat_interval(d->eng));
	hs_jw_kv_str(w, "combiner", d->cfg.partner[0] ? d->cfg.partner : NULL);
	hs_jw_kv_str(w, "signer", d->cfg.partner2[0] ? d->cfg.partner2 : NULL);
	eng_sd_counters(d->eng, &sc);
	hs_jw_key(w, "sync");
	hs_jw_obj_begin(w);
#define X(n) hs_jw_kv_u64(w, #n, sc.n);
	ENG_SD_COUNTERS(X)
#undef X
	hs_jw_obj_end(w);
}

static const char *agent_peer_state(hd_t *d, const char *id)
{
	eng_peer_info_t pi;
	if (strcmp(id, eng_identity(d->eng)) == 0)
		return "self";
	if (eng_peer_get(d->eng, id, &pi) == HS_OK)
		return eng_peer_state_name(pi.state);
	return "-";
}

void hd_agent_zone_json(hd_t *d, struct hd_zone *hz, hs_jw_t *w, int detail)
{
	const eng_zone_t *z = eng_zone_find(d->eng, hz->name);
	const char *g = eng_zone_group(d->eng, hz->name);

	hs_jw_kv_str(w, "role", zone_role(z));
	hs_jw_kv_str(w, "group", g != NULL ? g : "-");
	if (!detail) {
		hs_jw_kv_u64(w, "providers", z != NULL ? z->nproviders : 0);
		return;
	}
	hd_zone_analysis_json(d, z, w, agent_peer_state);
}

const hd_cmd_t hd_agent_cmds[] = {
    {"peer list", h_peer_list, "peers and their states"},
    {"peer show", h_peer_show, "one peer in detail"},
    {"gossip show", h_gossip_show, "provider groups, their leader and gossip matrix"},
    {"group show", hd_ctl_group_show, "one provider group: members, zones, its election"},
    {"zone add-rr", h_add_rr, "add a record to our own contribution (NS, DNSKEY, CDS, CSYNC, KEY)"},
    {"zone del-rr", h_del_rr, "delete a record from our own contribution"},
    {"zone edits", h_edits, "every contributed record, its state and who confirmed it"},
    {"parent-sync show", hd_ctl_psync_show,
     "parent sync per zone: leading, the last run and the leader's last report"},
    {NULL, NULL, NULL},
};
