/* wire_parent.c -- role parent (its row of the role table): the UPDATE
 * receiver (src/engine/parent) on hsyncd's endpoint. Requests come
 * through the role's request hook (UPDATE, KeyState inquiries), answers
 * go back on their tp_reply_t when the receiver has them (after the
 * backend for an accepted change); APPLYs go to the backend one at a time
 * in order; LOOKUPs to discovery (validated, for at-apex and at-ns) or
 * straight to the DNS (wire_parent_io.c). The receiver's and discovery's
 * timers are the role's deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/wire_parent_int.h"
#include "util/xmalloc.h"

static uint64_t parent_deadline(hd_t *d)
{
	uint64_t t = d->par != NULL ? par_next_deadline(d->par->par) : UINT64_MAX;
	uint64_t t2 = d->disc != NULL ? disc_next_deadline(d->disc) : UINT64_MAX;
	uint64_t t3 = hdp_sign_deadline(d);
	t = t2 < t ? t2 : t;
	return t3 < t ? t3 : t;
}

static void parent_tick(hd_t *d)
{
	if (d->disc != NULL)
		disc_tick(d->disc);
	if (d->par != NULL)
		par_tick(d->par->par);
	hdp_sign_tick(d);
}

static void answer(hd_t *d, par_action_t *a)
{
	struct hd_par *hp = d->par;
	struct hd_par_req **pp = &hp->reqs, *r;
	while (*pp && (*pp)->id != a->id)
		pp = &(*pp)->next;
	if (*pp == NULL)
		return; /* the endpoint went away meanwhile */
	r = *pp;
	*pp = r->next;
	int rc = tp_reply_send(r->reply, a->msg.data, a->msg.len);
	if (rc == HS_E_RANGE) {
		hs_log(HS_LOG_WARN, PAR_SUBSYS, "answer of %zu octets over the requester's limit",
		       a->msg.len);
		tp_reply_drop(r->reply);
	}
	uint64_t ms = d->env->mono_ms(d->env->arg) - r->at_ms;
	hp->answers++;
	hp->answer_ms_total += ms;
	if (ms > hp->answer_ms_max)
		hp->answer_ms_max = ms;
	free(r);
}

static void parent_pump(hd_t *d)
{
	struct hd_par *hp = d->par;
	par_action_t a;

	if (hp == NULL || hp->pumping)
		return;
	hp->pumping = 1;
	while (par_next_action(hp->par, &a) == HS_OK) {
		switch (a.kind) {
		case PAR_ACT_ANSWER:
			answer(d, &a);
			break;
		case PAR_ACT_APPLY: {
			struct hd_par_job *j = xcalloc(1, sizeof(*j));
			j->id = a.id;
			snprintf(j->child, sizeof(j->child), "%s", a.child);
			j->rrs = a.rrs;
			j->nrrs = a.nrrs;
			j->store = a.store;
			a.rrs = NULL;
			a.store = (hs_buf_t)HS_BUF_INIT;
			*hp->jobs_tail = j;
			hp->jobs_tail = &j->next;
			break;
		}
		case PAR_ACT_LOOKUP:
			hdp_lookup(d, &a);
			break;
		}
		par_action_clear(&a);
	}
	hdp_backend_kick(d);
	hp->pumping = 0;
}

static int parent_request(hd_t *d, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                          size_t len, tp_reply_t *reply)
{
	struct hd_par *hp = d->par;
	char addr[80];
	uint64_t id = 0;

	tp_peer_addr_str(src, addr, sizeof(addr));
	/* "192.0.2.1:53" / "[::1]:53" -> the address alone */
	char *colon = strrchr(addr, ':');
	if (colon != NULL)
		*colon = '\0';
	if (addr[0] == '[') {
		memmove(addr, addr + 1, strlen(addr));
		char *b = strchr(addr, ']');
		if (b != NULL)
			*b = '\0';
	}
	if (!par_request(hp->par, msg, len, addr, proto == TP_EP_TCP, &id))
		return 0;
	struct hd_par_req *r = xcalloc(1, sizeof(*r));
	r->id = id;
	r->reply = reply;
	r->at_ms = d->env->mono_ms(d->env->arg);
	r->next = hp->reqs;
	hp->reqs = r;
	return 1; /* the daemon pumps after a request taken */
}

static void fill_cfg(const hd_config_t *c, const sig0_key_t *key, par_cfg_t *pc)
{
	const hd_parent_conf_t *p = &c->parent;
	memset(pc, 0, sizeof(*pc));
	pc->zone = p->zone;
	pc->key = key;
	pc->methods = p->methods;
	pc->max_ttl = p->max_ttl;
	pc->src_rate = p->src_rate;
	pc->src_burst = p->src_burst;
	pc->child_rate = p->child_rate;
	pc->child_burst = p->child_burst;
	pc->udp_rate = p->udp_rate;
	pc->udp_burst = p->udp_burst;
	pc->v4_prefix = p->v4_prefix;
	pc->v6_prefix = p->v6_prefix;
	pc->unsigned_rounds = p->unsigned_rounds;
	pc->unsigned_interval_s = p->unsigned_interval_s;
	pc->lookup_timeout_s = p->lookup_timeout_s;
	pc->scan = p->scan;
	pc->scan_interval_s = p->scan_interval_s;
	pc->scan_min_interval_s = p->scan_min_interval_s;
	pc->ds_ttl = p->ds_ttl;
	pc->cds_bootstrap = p->cds_bootstrap;
	pc->scan_children = (const char *const *)p->scan_children;
	pc->nscan_children = p->nscan_children;
}

static void parent_stop(hd_t *d);

/* Discovery for the validated lookups of at-apex and at-ns (no peers). */
static int parent_init(hd_t *d, hs_errmsg_t *em)
{
	return hd_disc_start(d, em);
}

static int parent_start(hd_t *d, hs_errmsg_t *em)
{
	struct hd_par *hp = xcalloc(1, sizeof(*hp));
	par_cfg_t pc;
	char m[64], kd[300];
	int rc;

	hp->jobs_tail = &hp->jobs;
	d->par = hp;
	rc = sig0_key_load_private(d->cfg.parent.key_file, &hp->key, em);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc, "parent.key: %s", hs_errmsg_str(em));
		goto fail;
	}
	fill_cfg(&d->cfg, hp->key, &pc);
	rc = par_new(&hp->par, &pc, tp_node_store(d->node), d->env, em);
	if (rc != HS_OK)
		goto fail;
	rc = hdp_backend_start(d, em);
	if (rc != HS_OK)
		goto fail;
	hs_log(HS_LOG_NOTICE, PAR_SUBSYS,
	       "receiver for '%s': target '%s' key %s, backend %s, "
	       "bootstrap %s",
	       par_zone(hp->par), sig0_key_owner_text(hp->key),
	       sig0_key_describe(hp->key, kd, sizeof(kd)),
	       d->cfg.parent.backend == HD_PAR_SERVE ? "serve" : "forward",
	       par_methods_text(d->cfg.parent.methods, m, sizeof(m)));
	hd_pump(d);
	return HS_OK;
fail:
	parent_stop(d);
	return rc;
}

static void parent_stop(hd_t *d)
{
	struct hd_par *hp = d->par;
	if (hp == NULL)
		return;
	hdp_backend_stop(d);
	while (hp->reqs) {
		struct hd_par_req *r = hp->reqs;
		hp->reqs = r->next;
		tp_reply_drop(r->reply);
		free(r);
	}
	while (hp->jobs) {
		struct hd_par_job *j = hp->jobs;
		hp->jobs = j->next;
		hdp_job_free(j);
	}
	par_free(hp->par);
	sig0_key_free(hp->key);
	free(hp);
	d->par = NULL;
}

static void parent_fini(hd_t *d)
{
	parent_stop(d);
	disc_free(d->disc);
	d->disc = NULL;
}

static void parent_reload(hd_t *d, hd_config_t *nc)
{
	struct hd_par *hp = d->par;
	char m[64];
	/* discovery: the anchors are borrowed by the disc_t until replaced */
	if (disc_set_trust(d->disc, nc->anchors, nc->insecure) == HS_OK) {
		dv_anchors_t *old = d->cfg.anchors;
		d->cfg.anchors = nc->anchors;
		d->cfg.insecure = nc->insecure;
		nc->anchors = old;
	}
	d->cfg.resolver = nc->resolver;
	if (hp == NULL)
		return;
	/* what a reload changes: the methods offered (and so the SVCB that
	 * announces them); the rest needs a restart */
	if (nc->parent.methods == d->cfg.parent.methods)
		return;
	par_set_methods(hp->par, nc->parent.methods);
	d->cfg.parent.methods = nc->parent.methods;
	hs_log(HS_LOG_NOTICE, PAR_SUBSYS, "bootstrap methods now %s",
	       par_methods_text(nc->parent.methods, m, sizeof(m)));
	if (d->cfg.parent.publish) {
		struct hd_par_job *j = xcalloc(1, sizeof(*j));
		if (hdp_publish_records(d, j, NULL) == HS_OK) {
			*hp->jobs_tail = j;
			hp->jobs_tail = &j->next;
			hd_pump(d);
		} else {
			hdp_job_free(j);
		}
	}
}

const hd_role_t hd_role_parent = {
    .name = "parent",
    .help = "the UPDATE receiver of a parent zone: children change their delegation by "
            "SIG(0)-signed UPDATE (draft-hsync-parent)",
    .discovers = 0, /* anchors only for at-apex and at-ns (hd_parent_conf_load) */
    .serves_copy = 1,
    .conf = hd_parent_conf_load,
    .init = parent_init,
    .start = parent_start,
    .fini = parent_fini,
    .request = parent_request,
    .pump = parent_pump,
    .deadline = parent_deadline,
    .tick = parent_tick,
    .zone_setup = hd_zone_serve_copy,
    .reload = parent_reload,
    .status = hdp_status,
    .cmds = hdp_cmds,
};
