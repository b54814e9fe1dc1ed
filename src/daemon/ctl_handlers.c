/* ctl_handlers.c -- the control socket's commands (doc/control-protocol.md). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "hpke/keyfile.h"
#include "sig0/sig0.h"
#include "util/xmalloc.h"

#define S(ms) ((ms) / 1000)

static const char *zone_state(hd_t *d, const char *zone)
{
	zsec_zone_info_t zi;

	if (zsec_zone_info(d->zs, zone, &zi) != HS_OK)
		return "unknown";
	switch (zi.state) {
	case ZSEC_NEVER_LOADED:
		return "never-loaded";
	case ZSEC_LOADED:
		return "loaded";
	case ZSEC_REFRESHING:
		return "refreshing";
	case ZSEC_EXPIRED:
		return "expired";
	}
	return "unknown";
}

static const char *zone_role(const eng_zone_t *z)
{
	if (z == NULL)
		return "-";
	return z->multi ? "provider" : (z->our_label != NULL ? "listed" : "not-listed");
}

/* The transport's defences (draft-hsync-transport 9.10) since the
 * daemon started: who proved its address, what was refused and how. */
static void transport_counters(hs_jw_t *w, hd_t *d)
{
	tp_node_stats_t ns;
	uint64_t refused = 0;

	tp_node_stats(d->node, &ns);
	for (int i = 0; i < TP_ERR_COUNT; i++)
		refused += ns.core.errors[i];
	hs_jw_kv_u64(w, "requests_proven", ns.core.req_proven);
	hs_jw_kv_u64(w, "requests_unproven", ns.core.req_unproven);
	hs_jw_kv_u64(w, "refused", refused);
	hs_jw_kv_u64(w, "forged", ns.core.forged);
	hs_jw_kv_u64(w, "cookies_bad", ns.core.cookies_bad);
	hs_jw_kv_u64(w, "badcookie_sent", ns.core.badcookie_sent);
	hs_jw_kv_u64(w, "tc_sent", ns.core.tc_sent);
	hs_jw_kv_u64(w, "rrl_dropped", ns.core.rrl_dropped);
	hs_jw_kv_u64(w, "rrl_slipped", ns.core.rrl_slipped);
	hs_jw_kv_u64(w, "notify_replays", ns.core.notify_replays);
	hs_jw_kv_u64(w, "tcp_evicted", ns.ep.tcp_evicted);
	hs_jw_kv_u64(w, "tcp_refused", ns.ep.tcp_refused_cap + ns.ep.tcp_refused_source);
	hs_jw_kv_u64(w, "group_commits", ns.commits);
}

static int h_status(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	size_t i, np = eng_peer_count(d->eng), ng = eng_group_count(d->eng), pop = 0, gop = 0;
	eng_peer_info_t pi;
	eng_group_info_t gi;

	for (i = 0; i < np; i++)
		if (eng_peer_at(d->eng, i, &pi) == HS_OK && pi.state == ENG_PEER_OPERATIONAL)
			pop++;
	for (i = 0; i < ng; i++)
		if (eng_group_at(d->eng, i, &gi) == HS_OK && gi.operational)
			gop++;
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "identity", eng_identity(d->eng));
	hs_jw_kv_str(c->out, "role", "agent");
	hs_jw_kv_str(c->out, "version", HD_VERSION);
	hs_jw_kv_u64(c->out, "started", d->started);
	hs_jw_kv_u64(c->out, "zones", zsec_zone_count(d->zs));
	hs_jw_kv_u64(c->out, "peers", np);
	hs_jw_kv_u64(c->out, "peers_operational", pop);
	hs_jw_kv_u64(c->out, "groups", ng);
	hs_jw_kv_u64(c->out, "groups_operational", gop);
	hs_jw_kv_u64(c->out, "control_clients", tp_ctl_nclients(d->ctl));
	hs_jw_kv_u64(c->out, "beat_interval_ms", eng_beat_interval(d->eng));
	hs_jw_kv_u64(c->out, "port", tp_node_port(d->node));
	transport_counters(c->out, d);
	if (d->idz != NULL && d->idzn != NULL) {
		tp_zs_stats_t zst;
		size_t alen;
		const uint8_t *apex = zn_zone_apex(d->idzn, &alen);
		tp_zs_stats(d->zsrv, apex, alen, &zst);
		hs_jw_key(c->out, "identity_zone");
		hs_jw_obj_begin(c->out);
		hs_jw_kv_u64(c->out, "serial", ds_zone_serial(d->idz));
		hs_jw_kv_u64(c->out, "rrsets", ds_zone_rrset_count(d->idz));
		hs_jw_kv_u64(c->out, "expires", ds_zone_expiration(d->idz));
		hs_jw_kv_u64(c->out, "resign_at", ds_zone_resign_at(d->idz));
		hs_jw_kv_u64(c->out, "queries", zst.queries);
		hs_jw_kv_u64(c->out, "transfers", zst.xfrs);
		hs_jw_kv_u64(c->out, "transfers_refused", zst.refused);
		tp_node_stats_t ns;
		tp_node_stats(d->node, &ns);
		hs_jw_kv_u64(c->out, "rate_limited", ns.answers_limited);
		hs_jw_obj_end(c->out);
	}
	hs_jw_obj_end(c->out);
	return HS_OK;
}

static int h_zone_list(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	size_t i;

	hs_jw_arr_begin(c->out);
	for (i = 0; i < zsec_zone_count(d->zs); i++) {
		const char *name = zsec_zone_name(d->zs, i);
		const eng_zone_t *z = eng_zone_find(d->eng, name);
		const char *g = eng_zone_group(d->eng, name);
		struct hd_zone *hz = hd_zone_get(d, name);

		hs_jw_obj_begin(c->out);
		hs_jw_kv_str(c->out, "zone", name);
		hs_jw_kv_u64(c->out, "serial", hz->serial);
		hs_jw_kv_str(c->out, "state", zone_state(d, name));
		hs_jw_kv_str(c->out, "role", zone_role(z));
		hs_jw_kv_u64(c->out, "providers", z != NULL ? z->nproviders : 0);
		hs_jw_kv_str(c->out, "group", g != NULL ? g : "-");
		hs_jw_kv_u64(c->out, "loaded", hz->loaded_at);
		hs_jw_obj_end(c->out);
	}
	hs_jw_arr_end(c->out);
	return HS_OK;
}

/* The zone machinery's view of a followed zone: journal span, transfers
 * in, and what each downstream was last told and given. */
static void zone_machinery(tp_ctl_call_t *c, hd_t *d, const struct hd_zone *hz)
{
	zn_journal_span_t sp;
	char line[512];
	size_t alen, n, i;
	uint64_t now = hs_now_s(d->env);
	zn_journal_span(hz->jn, &sp);
	if (sp.entries)
		snprintf(line, sizeof(line), "%u..%u, %zu entries, %zu octets", sp.oldest,
		         sp.newest, sp.entries, sp.bytes);
	else
		snprintf(line, sizeof(line), "empty");
	hs_jw_kv_str(c->out, "journal", line);
	hs_jw_key(c->out, "journal_span");
	hs_jw_obj_begin(c->out);
	hs_jw_kv_u64(c->out, "entries", sp.entries);
	hs_jw_kv_u64(c->out, "bytes", sp.bytes);
	hs_jw_kv_u64(c->out, "oldest", sp.oldest);
	hs_jw_kv_u64(c->out, "newest", sp.newest);
	hs_jw_obj_end(c->out);
	snprintf(line, sizeof(line), "%llu IXFR, %llu AXFR, %llu refused%s%s",
	         (unsigned long long)hz->ixfr_in, (unsigned long long)hz->axfr_in,
	         (unsigned long long)hz->refused_in, hz->last_in[0] ? "; last: " : "", hz->last_in);
	hs_jw_kv_str(c->out, "transfers_in", line);
	if (hz->zn == NULL)
		return;
	const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
	tp_zs_down_t dv[64];
	n = tp_zs_downstreams(d->zsrv, apex, alen, dv, 64);
	if (n > 64)
		n = 64;
	hs_jw_key(c->out, "downstreams");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < n; i++) {
		static const char *const st[] = {"-", "pending", "answered", "not answered"};
		int o = 0;
		o += snprintf(line + o, sizeof(line) - (size_t)o, "%s:", dv[i].addr);
		if (dv[i].configured)
			o += snprintf(line + o, sizeof(line) - (size_t)o,
			              " notify %u %s (%u tries, %llus ago)", dv[i].notify_serial,
			              st[dv[i].notify_state], dv[i].notify_tries,
			              (unsigned long long)(now - (uint64_t)dv[i].notify_at));
		if (dv[i].has_xfr)
			o += snprintf(line + o, sizeof(line) - (size_t)o,
			              " %s serial %u, %zu octets (%llus ago)", dv[i].xfr_kind,
			              dv[i].xfr_serial, dv[i].xfr_bytes,
			              (unsigned long long)(now - (uint64_t)dv[i].xfr_at));
		if (dv[i].refused)
			snprintf(line + o, sizeof(line) - (size_t)o, " %u refused", dv[i].refused);
		hs_jw_str(c->out, line);
	}
	hs_jw_arr_end(c->out);
	hs_jw_key(c->out, "downstream_detail");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < n; i++) {
		hs_jw_obj_begin(c->out);
		hs_jw_kv_str(c->out, "address", dv[i].addr);
		hs_jw_kv_bool(c->out, "notify_target", dv[i].configured);
		hs_jw_kv_u64(c->out, "notify_serial", dv[i].notify_serial);
		hs_jw_kv_u64(c->out, "notify_state", dv[i].notify_state);
		hs_jw_kv_u64(c->out, "notify_tries", dv[i].notify_tries);
		hs_jw_kv_i64(c->out, "notify_at", dv[i].notify_at);
		hs_jw_kv_u64(c->out, "xfr_serial", dv[i].xfr_serial);
		hs_jw_kv_str(c->out, "xfr_kind", dv[i].has_xfr ? dv[i].xfr_kind : "");
		hs_jw_kv_u64(c->out, "xfr_bytes", dv[i].xfr_bytes);
		hs_jw_kv_i64(c->out, "xfr_at", dv[i].xfr_at);
		hs_jw_kv_u64(c->out, "refused", dv[i].refused);
		hs_jw_obj_end(c->out);
	}
	hs_jw_arr_end(c->out);
}

static int h_zone_show(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	const eng_zone_t *z;
	const char *g;
	struct hd_zone *hz;
	char name[ENG_NAME_MAX], pol[1024], a[80];
	zsec_zone_info_t zi;
	size_t i, j;

	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: zone show ZONE");
	if (eng_name_canon(c->argv[0], strlen(c->argv[0]), name) != HS_OK ||
	    zsec_zone_info(d->zs, name, &zi) != HS_OK)
		return hs_fail(c->em, HS_E_NOTFOUND, "no zone '%s'", c->argv[0]);
	z = eng_zone_find(d->eng, name);
	g = eng_zone_group(d->eng, name);
	hz = hd_zone_get(d, name);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "zone", name);
	hs_jw_kv_u64(c->out, "serial", hz->serial);
	hs_jw_kv_str(c->out, "state", zone_state(d, name));
	hs_jw_kv_u64(c->out, "loaded", hz->loaded_at);
	hs_jw_key(c->out, "primaries");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < d->cfg.nzones; i++)
		if (strcasecmp(d->cfg.zones[i].name, name) == 0)
			for (j = 0; j < d->cfg.zones[i].nprimaries; j++) {
				tp_peer_addr_str(&d->cfg.zones[i].primaries[j], a, sizeof(a));
				hs_jw_str(c->out, a);
			}
	hs_jw_arr_end(c->out);
	hs_jw_kv_str(c->out, "role", zone_role(z));
	hs_jw_kv_str(c->out, "group", g != NULL ? g : "-");
	if (z != NULL && z->reason != ENG_ZONE_MALFORMED && z->reason != ENG_ZONE_NO_HSYNCPARAM &&
	    z->reason != ENG_ZONE_MANY_HSYNCPARAM && z->reason != ENG_ZONE_NO_HSYNC3) {
		/* the presentation form of the record (as hsdig and hsync-rr show it) */
		snprintf(pol, sizeof(pol), "nsmgmt=\"%s\" parentsync=\"%s\"%s%s%s%s%s%s%s",
		         z->policy.nsmgmt ? "agent" : "owner",
		         z->policy.parentsync ? "agent" : "owner",
		         z->policy.servers ? " servers=\"" : "",
		         z->policy.servers ? z->policy.servers : "", z->policy.servers ? "\"" : "",
		         z->policy.signers ? " signers=\"" : "",
		         z->policy.signers ? z->policy.signers : "", z->policy.signers ? "\"" : "",
		         z->policy.pubcds ? " pubcds" : "");
		hs_jw_kv_str(c->out, "hsyncparam", pol);
	} else {
		hs_jw_kv_str(c->out, "hsyncparam", "-");
	}
	if (z == NULL || !z->multi)
		hs_jw_kv_str(c->out, "problem", z == NULL ? "not loaded" : z->reason_text);
	zone_machinery(c, d, hz);
	hs_jw_key(c->out, "hsync3");
	hs_jw_arr_begin(c->out);
	for (i = 0; z != NULL && i < z->nproviders; i++) {
		const eng_provider_t *p = &z->providers[i];
		eng_peer_info_t pi;
		int self = strcmp(p->identity, eng_identity(d->eng)) == 0;
		hs_jw_obj_begin(c->out);
		hs_jw_kv_str(c->out, "state", p->on ? "ON" : "OFF");
		hs_jw_kv_str(c->out, "label", p->label);
		hs_jw_kv_str(c->out, "identity", p->identity);
		hs_jw_kv_str(c->out, "upstream", p->upstream);
		if (self)
			hs_jw_kv_str(c->out, "peer_state", "self");
		else if (eng_peer_get(d->eng, p->identity, &pi) == HS_OK)
			hs_jw_kv_str(c->out, "peer_state", eng_peer_state_name(pi.state));
		else
			hs_jw_kv_str(c->out, "peer_state", "-");
		hs_jw_obj_end(c->out);
	}
	hs_jw_arr_end(c->out);
	hs_jw_obj_end(c->out);
	return HS_OK;
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

/* A record text as one JSON string, without the newline it ends with. */
static void jw_line(hs_jw_t *w, const hs_buf_t *b)
{
	size_t n = b->len;

	while (n > 0 && (b->data[n - 1] == '\n' || b->data[n - 1] == '\r'))
		n--;
	hs_jw_strn(w, (const char *)b->data, n);
}

static int h_identity(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	sig0_key_t *k = NULL;
	hpke_keyfile_t kf;
	hs_buf_t b = HS_BUF_INIT;
	hs_errmsg_t em;
	char owner[300], line[600];
	int rc;

	memset(&kf, 0, sizeof(kf));
	hs_errmsg_clear(&em);
	snprintf(owner, sizeof(owner), "dns.%s", d->cfg.tp.identity);
	rc = sig0_key_load_private(d->cfg.tp.sig0_key, &k, &em);
	if (rc == HS_OK)
		rc = hpke_keyfile_read(&kf, d->cfg.tp.hpke_key, &em);
	if (rc != HS_OK) {
		rc = hs_fail(c->em, rc, "cannot read the keys");
		goto cleanup;
	}
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "identity", d->cfg.tp.identity);
	hs_jw_key(c->out, "records");
	hs_jw_arr_begin(c->out);
	snprintf(line, sizeof(line), "_dns._tcp.%s IN URI 10 1 \"dns://%.*s:%u/\"",
	         d->cfg.tp.identity, (int)strlen(owner) - 1, owner,
	         (unsigned)tp_node_port(d->node));
	hs_jw_str(c->out, line);
	snprintf(line, sizeof(line), "%s IN %s %s", owner,
	         strchr(d->cfg.tp.listen.ip, ':') ? "AAAA" : "A", d->cfg.tp.listen.ip);
	hs_jw_str(c->out, line);
	sig0_key_rr_text(k, &b);
	jw_line(c->out, &b);
	b.len = 0;
	if (hpke_keyfile_record(&b, &kf, owner) == HS_OK)
		jw_line(c->out, &b);
	if (d->idz != NULL) {
		/* the identity zone is ours: the parent needs its DS */
		const char *p, *nl;
		b.len = 0;
		if (ds_keys_ds_text(d->cfg.idz.keys, d->cfg.idz.ttl, &b) == HS_OK)
			for (p = hs_buf_cstr(&b); *p != '\0'; p = *nl ? nl + 1 : nl) {
				nl = strchr(p, '\n');
				if (nl == NULL)
					nl = p + strlen(p);
				if (nl > p)
					hs_jw_strn(c->out, p, (size_t)(nl - p));
			}
	}
	hs_jw_arr_end(c->out);
	hs_jw_obj_end(c->out);
cleanup:
	sig0_key_free(k);
	hpke_keyfile_clear(&kf);
	hs_buf_free(&b);
	return rc;
}

static void after_stop(void *arg)
{
	hd_stop(arg);
}

static void after_reload(void *arg)
{
	hd_t *d = arg;
	hd_config_t *nc = d->reload_next;

	d->reload_next = NULL;
	if (nc != NULL) {
		hd_reload_apply(d, nc);
		free(nc);
	}
}

static int h_stop(tp_ctl_call_t *c, void *arg)
{
	hs_jw_str(c->out, "stopping");
	tp_ctl_after_reply(c, after_stop, arg);
	return HS_OK;
}

/* The file is read and checked here, so the client hears a refusal;
 * what it changes is applied once the answer is out. */
static int h_reload(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	hd_config_t *nc;
	hs_errmsg_t em;
	char kept[256], msg[400];

	if (d->reload_next != NULL)
		return hs_fail(c->em, HS_E_AGAIN, "a reload is already under way");
	nc = xcalloc(1, sizeof(*nc));
	hs_errmsg_clear(&em);
	if (hd_reload_prepare(d, nc, kept, sizeof(kept), &em) != HS_OK) {
		free(nc);
		hs_log(HS_LOG_ERR, "hsyncd",
		       "reload refused, keeping the running configuration: %s", hs_errmsg_str(&em));
		return hs_fail(c->em, HS_E_CONFIG,
		               "reload refused, the running configuration is kept: %s",
		               hs_errmsg_str(&em));
	}
	snprintf(msg, sizeof(msg), "configuration reloaded: %zu zone%s%s%s%s", nc->nzones,
	         nc->nzones == 1 ? "" : "s", kept[0] ? "; changes of " : "", kept,
	         kept[0] ? " need a restart (running values kept)" : "");
	d->reload_next = nc;
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message", msg);
	hs_jw_kv_u64(c->out, "zones", nc->nzones);
	hs_jw_kv_str(c->out, "restart_needed", kept);
	hs_jw_obj_end(c->out);
	tp_ctl_after_reply(c, after_reload, d);
	return HS_OK;
}

static const struct {
	const char *name;
	tp_ctl_fn fn;
	const char *help;
} cmds[] = {
    {"status", h_status, "identity, counts of zones, peers and groups"},
    {"zone list", h_zone_list, "the zones served"},
    {"zone show", h_zone_show, "one zone: HSYNC3/HSYNCPARAM as understood"},
    {"peer list", h_peer_list, "peers and their states"},
    {"peer show", h_peer_show, "one peer in detail"},
    {"gossip show", h_gossip_show, "provider groups and their gossip matrix"},
    {"identity records", h_identity, "the records to publish for our identity"},
    {"reload", h_reload, "re-read the configuration and refresh the zones"},
    {"stop", h_stop, "stop the daemon (the queue is kept)"},
};

int hd_ctl_start(hd_t *d, hs_errmsg_t *em)
{
	tp_ctl_config_t cc;
	size_t i;
	int rc;

	memset(&cc, 0, sizeof(cc));
	cc.path = d->cfg.control_socket;
	cc.env = d->env;
	cc.mode = d->cfg.ctl_mode;
	cc.has_group = d->cfg.ctl_group != NULL;
	cc.group = d->cfg.ctl_gid;
	rc = tp_ctl_new(d->loop, &cc, &d->ctl, em);
	if (rc != HS_OK)
		return rc;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		rc = tp_ctl_register(d->ctl, cmds[i].name, cmds[i].fn, d, cmds[i].help);
		if (rc != HS_OK)
			return hs_fail(em, rc, "control command '%s'", cmds[i].name);
	}
	return HS_OK;
}
