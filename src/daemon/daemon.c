/* daemon.c -- hsyncd's life cycle: start every part, run, reload, stop. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "daemon/svc.h"
#include "util/xmalloc.h"

#define SUBSYS "hsyncd"

void hd_stop(hd_t *d)
{
	hs_log(HS_LOG_NOTICE, SUBSYS, "stopping");
	(void)svc_notify("STOPPING=1");
	tp_loop_break(d->loop);
}

static int str_differs(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") != 0;
}

/* The options a running daemon cannot take over, as "a, b" in `out`. */
static void needs_restart(const hd_config_t *o, const hd_config_t *n, char *out, size_t len)
{
	const tp_conf_t *a = &o->tp, *b = &n->tp;
	struct {
		int changed;
		const char *name;
	} rows[] = {
	    {o->role != n->role, "server.role"},
	    {str_differs(o->partner, n->partner) || str_differs(o->partner2, n->partner2) ||
	         o->tp.npeers != n->tp.npeers,
	     "the partners"},
	    {o->confirm_timeout_ms != n->confirm_timeout_ms, "server.confirm-timeout"},
	    {str_differs(a->identity, b->identity), "server.identity"},
	    {str_differs(a->listen.ip, b->listen.ip) || a->listen.port != b->listen.port,
	     "server.listen"},
	    {str_differs(a->store, b->store), "server.store"},
	    {str_differs(a->sig0_key, b->sig0_key), "server.sig0-key"},
	    {str_differs(a->hpke_key, b->hpke_key), "server.hpke-key"},
	    {str_differs(o->control_socket, n->control_socket), "server.control-socket"},
	    {o->transfers_in != n->transfers_in, "server.transfers-in"},
	    /* a lease changed under running promises would break EL-3/EL-50 */
	    {o->elect_lease_ms != n->elect_lease_ms || o->elect_vote_ms != n->elect_vote_ms,
	     "server.election-lease/vote-window"},
	    {o->ctl_mode != n->ctl_mode || str_differs(o->ctl_group, n->ctl_group),
	     "server.control-socket-mode/group"},
	    {str_differs(o->username, n->username), "server.username"},
	    {str_differs(o->pidfile, n->pidfile), "server.pidfile"},
	    {str_differs(o->log_file, n->log_file) || o->syslog != n->syslog,
	     "server.log-file/syslog"},
	    {strcmp(o->parent.zone, n->parent.zone) != 0 ||
	         str_differs(o->parent.key_file, n->parent.key_file) ||
	         o->parent.backend != n->parent.backend ||
	         o->parent.has_primary != n->parent.has_primary ||
	         (o->parent.has_primary &&
	          !tp_peer_addr_eq(&o->parent.primary, &n->parent.primary)) ||
	         o->parent.max_ttl != n->parent.max_ttl ||
	         o->parent.src_rate != n->parent.src_rate ||
	         o->parent.src_burst != n->parent.src_burst ||
	         o->parent.child_rate != n->parent.child_rate ||
	         o->parent.udp_rate != n->parent.udp_rate,
	     "parent (all but bootstrap)"},
	    {a->inline_limit != b->inline_limit || a->chunk_size != b->chunk_size ||
	         a->udp_max != b->udp_max || a->timeout_ms != b->timeout_ms ||
	         a->retries != b->retries || a->replay_window != b->replay_window ||
	         a->expiry != b->expiry || a->max_in_flight != b->max_in_flight ||
	         a->retry_min_ms != b->retry_min_ms || a->retry_max_ms != b->retry_max_ms ||
	         a->fetch_timeout_ms != b->fetch_timeout_ms || a->budget_rate != b->budget_rate ||
	         a->budget_burst != b->budget_burst,
	     "transport"},
	};
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].changed && used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s", used ? ", " : "",
			                         rows[i].name);
}

int hd_reload_prepare(hd_t *d, hd_config_t *nc, char *kept, size_t keptlen, hs_errmsg_t *em)
{
	int rc;

	memset(nc, 0, sizeof(*nc));
	rc = hd_config_load(d->cfg.path, nc, em);
	if (rc != HS_OK)
		return rc;
	needs_restart(&d->cfg, nc, kept, keptlen);
	return HS_OK;
}

/*
 * Apply what a running agent can change without dropping a peer: log
 * level, BEAT interval, the zones (added, removed, primaries), the
 * resolver and the trust anchors (every peer is looked up again under
 * them), the identity zone. Options bound to sockets, keys or the store
 * keep their running values, and the log says which. The log file is
 * opened again (after a rotation).
 */
void hd_reload_apply(hd_t *d, hd_config_t *nc)
{
	hs_errmsg_t em;
	char kept[256];

	(void)svc_notify("RELOADING=1");
	hs_errmsg_clear(&em);
	if (hs_log_reopen(&em) != HS_OK)
		hs_log(HS_LOG_ERR, SUBSYS, "%s; still writing to the old file", hs_errmsg_str(&em));
	needs_restart(&d->cfg, nc, kept, sizeof(kept));
	if (kept[0] != '\0')
		hs_log(HS_LOG_WARN, SUBSYS, "changes of %s need a restart; running values kept",
		       kept);
	hs_log_set_level(nc->log_level);
	d->cfg.log_level = nc->log_level;
	hd_zones_apply(d, nc);
	if (strcmp(nc->tp.identity, d->cfg.tp.identity) == 0)
		hd_idzone_apply(d, nc); /* its keys were checked against the new identity */
	hd_zone_confs_free(d->cfg.zones, d->cfg.nzones);
	d->cfg.zones = nc->zones;
	d->cfg.nzones = nc->nzones;
	nc->zones = NULL;
	nc->nzones = 0;
	if (d->role->reload != NULL && nc->role == d->role)
		d->role->reload(d, nc); /* the zones are nc's already */
	hd_config_clear(nc);
	hs_log(HS_LOG_NOTICE, SUBSYS,
	       "configuration reloaded: %zu zone%s, beat %u ms, %zu anchor%s", d->cfg.nzones,
	       d->cfg.nzones == 1 ? "" : "s", d->cfg.beat_ms, dv_anchors_count(d->cfg.anchors),
	       dv_anchors_count(d->cfg.anchors) == 1 ? "" : "s");
	(void)svc_notify("READY=1\nSTATUS=serving %zu zone%s", d->cfg.nzones,
	                 d->cfg.nzones == 1 ? "" : "s");
	hd_pump(d);
}

/* SIGHUP: read the file again; a file that does not load changes nothing. */
void hd_reload(hd_t *d)
{
	hd_config_t nc;
	hs_errmsg_t em;
	char kept[256];

	hs_errmsg_clear(&em);
	if (hd_reload_prepare(d, &nc, kept, sizeof(kept), &em) != HS_OK) {
		hs_log(HS_LOG_ERR, SUBSYS, "reload refused, keeping the running configuration: %s",
		       hs_errmsg_str(&em));
		return;
	}
	hd_reload_apply(d, &nc);
}

int hd_new(hd_config_t *cfg, hd_t **out, hs_errmsg_t *em)
{
	hd_t *d = xcalloc(1, sizeof(*d));
	tp_node_hooks_t hooks;
	int rc;

	d->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	d->role = d->cfg.role != NULL ? d->cfg.role : hd_role_find("agent");
	d->env = hs_env_system();
	d->started = hs_now_s(d->env);
	rc = tp_loop_new(&d->loop);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc, "cannot create the event loop");
		goto cleanup;
	}
	memset(&hooks, 0, sizeof(hooks));
	hooks.on_inbox = hd_on_inbox;
	hooks.on_outcome = hd_on_outcome;
	hooks.arg = d;
	/* one daemon per store: a second would answer with the same queue */
	rc = svc_lock_store(d->cfg.tp.store, &d->lock, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = tp_node_new(d->loop, &d->cfg.tp, d->env, &hooks, NULL, &d->node, em);
	if (rc != HS_OK)
		goto cleanup;
	tp_node_set_request_hook(d->node, hd_on_request, d);
	rc = d->role->init != NULL ? d->role->init(d, em) : HS_OK;
	if (rc == HS_OK)
		rc = hd_zones_start(d, em);
	if (rc == HS_OK && d->role->start != NULL)
		rc = d->role->start(d, em);
	if (rc == HS_OK)
		rc = hd_idzone_start(d, em);
	if (rc == HS_OK)
		rc = hd_ctl_start(d, em);
	if (rc != HS_OK)
		goto cleanup;
	hs_log(HS_LOG_NOTICE, SUBSYS, "%s '%s' started: port %u, %zu zone%s, control '%s'",
	       d->role->name, d->cfg.tp.identity, (unsigned)tp_node_port(d->node), d->cfg.nzones,
	       d->cfg.nzones == 1 ? "" : "s", tp_ctl_path(d->ctl));
	if (d->cfg.partner[0])
		hs_log(HS_LOG_NOTICE, SUBSYS, "its %s is '%s'", d->role->partner, d->cfg.partner);
	if (d->cfg.partner2[0])
		hs_log(HS_LOG_NOTICE, SUBSYS, "its %s is '%s'", d->role->partner2, d->cfg.partner2);
	*out = d;
	d = NULL;
cleanup:
	hd_free(d);
	return rc;
}

const char *hd_identity(const hd_t *d)
{
	return d->cfg.tp.identity;
}

/* ---- signals: flags set by handlers, polled on the loop ---- */

static volatile sig_atomic_t stop_flag, reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

void hd_signal_stop(void)
{
	stop_flag = 1;
}

void hd_signal_reload(void)
{
	reload_flag = 1;
}

void hd_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void poll_signals(void *arg)
{
	hd_t *d = arg;

	d->poll = NULL;
	if (stop_flag) {
		stop_flag = 0;
		hd_stop(d);
		return;
	}
	if (reload_flag) {
		reload_flag = 0;
		hs_log(HS_LOG_NOTICE, SUBSYS, "SIGHUP: reloading");
		hd_reload(d);
	}
	d->poll = tp_timer_add(d->loop, 100, poll_signals, d);
}

int hd_run(hd_t *d)
{
	int rc;

	d->poll = tp_timer_add(d->loop, 100, poll_signals, d);
	hd_pump(d);
	rc = tp_loop_run(d->loop);
	tp_timer_cancel(d->poll);
	d->poll = NULL;
	return rc;
}

void hd_free(hd_t *d)
{
	if (d == NULL)
		return;
	tp_timer_cancel(d->timer);
	tp_timer_cancel(d->poll);
	hd_idzone_stop(d);
	tp_ctl_free(d->ctl);
	zsec_run_free(d->zrun);
	if (d->role != NULL && d->role->fini != NULL)
		d->role->fini(d); /* before the store closes */
	/* the node persists its queue; closing it closes the store */
	tp_node_free(d->node);
	hd_zones_free(d); /* after the node: transfers streamed out end with it */
	zsec_free(d->zs);
	tp_loop_free(d->loop);
	free(d->map);
	free(d->zones);
	hs_strmap_free(d->zone_idx);
	if (d->pidfile_written)
		svc_pidfile_remove(d->cfg.pidfile);
	svc_lock_release(d->lock);
	hd_config_clear(d->reload_next);
	free(d->reload_next);
	hd_config_clear(&d->cfg);
	free(d);
}
