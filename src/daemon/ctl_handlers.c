/* ctl_handlers.c -- the control socket's commands (doc/control-protocol.md). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "hpke/keyfile.h"
#include "sig0/sig0.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"
#include "wire/rdata.h"

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

	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "identity", d->cfg.tp.identity);
	hs_jw_kv_str(c->out, "role", d->role->name);
	hs_jw_kv_str(c->out, "version", HD_VERSION);
	hs_jw_kv_u64(c->out, "started", d->started);
	hs_jw_kv_u64(c->out, "zones", zsec_zone_count(d->zs));
	hs_jw_kv_u64(c->out, "control_clients", tp_ctl_nclients(d->ctl));
	hs_jw_kv_u64(c->out, "port", tp_node_port(d->node));
	transport_counters(c->out, d);
	if (d->role->status != NULL)
		d->role->status(d, c->out);
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
		struct hd_zone *hz = hd_zone_get(d, name);

		hs_jw_obj_begin(c->out);
		hs_jw_kv_str(c->out, "zone", name);
		hs_jw_kv_u64(c->out, "serial", hz->serial);
		hs_jw_kv_str(c->out, "state", zone_state(d, name));
		hs_jw_kv_u64(c->out, "loaded", hz->loaded_at);
		if (d->role->zone_json != NULL)
			d->role->zone_json(d, hz, c->out, 0);
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
	/* what downstreams get: a combiner's own zone, else the copy */
	zn_journal_span(hz->out != NULL ? hz->outjn : hz->jn, &sp);
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

void hd_zone_analysis_json(hd_t *d, const eng_zone_t *z, hs_jw_t *w,
                           const char *(*peer_state)(hd_t *d, const char *id))
{
	char pol[1024];

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
		hs_jw_kv_str(w, "hsyncparam", pol);
	} else {
		hs_jw_kv_str(w, "hsyncparam", "-");
	}
	if (z == NULL || !z->multi)
		hs_jw_kv_str(w, "problem", z == NULL ? "not loaded" : z->reason_text);
	hs_jw_key(w, "hsync3");
	hs_jw_arr_begin(w);
	for (size_t i = 0; z != NULL && i < z->nproviders; i++) {
		const eng_provider_t *p = &z->providers[i];
		hs_jw_obj_begin(w);
		hs_jw_kv_str(w, "state", p->on ? "ON" : "OFF");
		hs_jw_kv_str(w, "label", p->label);
		hs_jw_kv_str(w, "identity", p->identity);
		hs_jw_kv_str(w, "upstream", p->upstream);
		hs_jw_kv_str(w, "peer_state",
		             peer_state != NULL ? peer_state(d, p->identity) : "-");
		hs_jw_obj_end(w);
	}
	hs_jw_arr_end(w);
}

static int h_zone_show(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	struct hd_zone *hz;
	char name[ENG_NAME_MAX], a[80];
	zsec_zone_info_t zi;
	size_t i, j;

	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: zone show ZONE");
	if (eng_name_canon(c->argv[0], strlen(c->argv[0]), name) != HS_OK ||
	    zsec_zone_info(d->zs, name, &zi) != HS_OK)
		return hs_fail(c->em, HS_E_NOTFOUND, "no zone '%s'", c->argv[0]);
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
	zone_machinery(c, d, hz);
	if (d->role->zone_json != NULL)
		d->role->zone_json(d, hz, c->out, 1);
	hs_jw_obj_end(c->out);
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

static const hd_cmd_t cmds[] = {
    {"status", h_status, "identity, role, counts of zones, peers and groups"},
    {"zone list", h_zone_list, "the zones served"},
    {"zone show", h_zone_show, "one zone: HSYNC3/HSYNCPARAM as understood"},
    {"identity records", h_identity, "the records to publish for our identity"},
    {"reload", h_reload, "re-read the configuration and refresh the zones"},
    {"stop", h_stop, "stop the daemon (the queue is kept)"},
    {NULL, NULL, NULL},
};

static int register_cmds(hd_t *d, const hd_cmd_t *t, hs_errmsg_t *em)
{
	for (size_t i = 0; t != NULL && t[i].name != NULL; i++) {
		int rc = tp_ctl_register(d->ctl, t[i].name, t[i].fn, d, t[i].help);
		if (rc != HS_OK)
			return hs_fail(em, rc, "control command '%s'", t[i].name);
	}
	return HS_OK;
}

int hd_ctl_start(hd_t *d, hs_errmsg_t *em)
{
	tp_ctl_config_t cc;
	int rc;

	memset(&cc, 0, sizeof(cc));
	cc.path = d->cfg.control_socket;
	cc.env = d->env;
	cc.mode = d->cfg.ctl_mode;
	cc.has_group = d->cfg.ctl_group != NULL;
	cc.group = d->cfg.ctl_gid;
	rc = tp_ctl_new(d->loop, &cc, &d->ctl, em);
	if (rc == HS_OK)
		rc = register_cmds(d, cmds, em);
	if (rc == HS_OK)
		rc = register_cmds(d, d->role->cmds, em);
	return rc;
}

/* ---- record arguments ---- */

int hd_rr_parse(const char *zone, const char *text, uint32_t default_ttl, char *owner,
                size_t owner_len, uint32_t *ttl, uint16_t *type, hs_buf_t *rdata, hs_errmsg_t *em)
{
	char tok[4][256];
	const char *p = text;
	size_t nt = 0;
	uint32_t t = default_ttl;
	uint16_t ty = 0;
	int rc;

	/* owner, then up to TTL and class before the type; the rest is RDATA */
	while (nt < 4) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n == 0 || n >= sizeof(tok[0]))
			break;
		memcpy(tok[nt], p, n);
		tok[nt][n] = '\0';
		p += n;
		nt++;
		if (nt > 1 && strspn(tok[nt - 1], "0123456789") != n &&
		    strcasecmp(tok[nt - 1], "IN") != 0 &&
		    hs_rrtype_any_parse(tok[nt - 1], &ty) == HS_OK)
			break; /* a TTL is all digits: never a type here */
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (nt < 2 || ty == 0 || *p == '\0')
		return hs_fail(em, HS_E_SYNTAX,
		               "expected 'OWNER [TTL] [IN] TYPE RDATA', e.g. '%s 3600 IN NS "
		               "ns1.example.', got '%s'",
		               zone, text);
	for (size_t i = 1; i + 1 < nt; i++) {
		char *end;
		unsigned long v;
		if (strcasecmp(tok[i], "IN") == 0)
			continue;
		v = strtoul(tok[i], &end, 10);
		if (*end != '\0' || end == tok[i] || v > 2147483647UL)
			return hs_fail(em, HS_E_SYNTAX, "'%s' is neither a TTL nor the class IN",
			               tok[i]);
		t = (uint32_t)v;
	}
	if (strcmp(tok[0], "@") == 0)
		snprintf(owner, owner_len, "%s", zone);
	else if (tok[0][strlen(tok[0]) - 1] == '.')
		snprintf(owner, owner_len, "%s", tok[0]);
	else
		snprintf(owner, owner_len, "%s.%s", tok[0], zone);
	rdata->len = 0;
	rc = hs_ldns_rdata_from_text(ty, p, rdata, em);
	if (rc != HS_OK)
		return rc;
	*ttl = t;
	*type = ty;
	return HS_OK;
}
