/* wire_parent_ctl.c -- role parent: its control commands (hsyncctl
 * parent status|children|decisions|approve|forget|records). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/wire_parent_int.h"

static int h_status(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	struct hd_par *hp = d->par;
	par_stats_t st;
	char m[64], kd[300];
	size_t njobs = 0;
	for (const struct hd_par_job *j = hp->jobs; j; j = j->next)
		njobs++;
	par_stats(hp->par, &st);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "zone", par_zone(hp->par));
	hs_jw_kv_str(c->out, "target", sig0_key_owner_text(hp->key));
	hs_jw_kv_str(c->out, "key", sig0_key_describe(hp->key, kd, sizeof(kd)));
	hs_jw_kv_str(c->out, "backend",
	             d->cfg.parent.backend == HD_PAR_SERVE ? "serve" : "forward");
	if (hp->hz != NULL)
		hs_jw_kv_u64(c->out, "serial", hp->hz->serial);
	hs_jw_kv_str(c->out, "bootstrap", par_methods_text(d->cfg.parent.methods, m, sizeof(m)));
	hs_jw_kv_str(c->out, "published", hp->publish_state);
	hs_jw_kv_u64(c->out, "children", par_child_count(hp->par));
	hs_jw_kv_u64(c->out, "requests", st.requests);
	hs_jw_kv_u64(c->out, "updates", st.updates);
	hs_jw_kv_u64(c->out, "inquiries", st.inquiries);
	hs_jw_kv_u64(c->out, "accepted", st.accepted);
	hs_jw_kv_u64(c->out, "applied", st.applied);
	hs_jw_kv_u64(c->out, "failed", st.failed);
	hs_jw_kv_u64(c->out, "refused", st.refused);
	hs_jw_kv_u64(c->out, "budget_refused", st.budget_refused);
	hs_jw_kv_u64(c->out, "truncated", st.truncated);
	hs_jw_kv_u64(c->out, "verifications", st.verifications);
	hs_jw_kv_u64(c->out, "signatures", st.signatures);
	hs_jw_kv_u64(c->out, "scope_refused", st.scope_refused);
	hs_jw_kv_u64(c->out, "replays", st.replays);
	hs_jw_kv_u64(c->out, "uploads", st.uploads);
	hs_jw_kv_u64(c->out, "bootstraps", st.bootstraps);
	hs_jw_kv_u64(c->out, "rollovers", st.rollovers);
	hs_jw_kv_u64(c->out, "backend_queue", njobs);
	hs_jw_kv_u64(c->out, "lookups", hp->lookups);
	hs_jw_kv_u64(c->out, "lookups_failed", hp->lookups_failed);
	hs_jw_kv_u64(c->out, "answers", hp->answers);
	hs_jw_kv_u64(c->out, "answer_ms_max", hp->answer_ms_max);
	hs_jw_kv_u64(c->out, "answer_ms_avg", hp->answers ? hp->answer_ms_total / hp->answers : 0);
	hs_jw_obj_end(c->out);
	return HS_OK;
}

static void child_json(hs_jw_t *o, const par_child_info_t *ci)
{
	char k[64];
	hs_jw_obj_begin(o);
	hs_jw_kv_str(o, "child", ci->name);
	hs_jw_key(o, "keys");
	hs_jw_arr_begin(o);
	for (size_t i = 0; i < ci->nkeys; i++) {
		snprintf(k, sizeof(k), "%u/%u %s", ci->keys[i].tag, ci->keys[i].alg,
		         ci->keys[i].state);
		hs_jw_str(o, k);
	}
	hs_jw_arr_end(o);
	hs_jw_key(o, "key_detail");
	hs_jw_arr_begin(o);
	for (size_t i = 0; i < ci->nkeys; i++) {
		hs_jw_obj_begin(o);
		hs_jw_kv_u64(o, "tag", ci->keys[i].tag);
		hs_jw_kv_u64(o, "alg", ci->keys[i].alg);
		hs_jw_kv_str(o, "state", ci->keys[i].state);
		hs_jw_kv_str(o, "source", ci->keys[i].source);
		hs_jw_kv_u64(o, "since", (uint64_t)ci->keys[i].since);
		hs_jw_obj_end(o);
	}
	hs_jw_arr_end(o);
	hs_jw_kv_str(o, "bootstrap", ci->bootstrap);
	hs_jw_kv_str(o, "methods", ci->methods);
	hs_jw_kv_str(o, "detail", ci->detail);
	hs_jw_kv_u64(o, "changed", (uint64_t)ci->last_change);
	hs_jw_obj_end(o);
}

static int h_children(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	par_child_info_t ci;
	if (c->argc > 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: parent children [CHILD]");
	if (c->argc == 1) {
		if (par_child_get(d->par->par, c->argv[0], &ci) != HS_OK)
			return hs_fail(c->em, HS_E_NOTFOUND, "no child '%s'", c->argv[0]);
		hs_jw_arr_begin(c->out);
		child_json(c->out, &ci);
		hs_jw_arr_end(c->out);
		return HS_OK;
	}
	hs_jw_arr_begin(c->out);
	for (size_t i = 0; par_child_at(d->par->par, i, &ci) == HS_OK; i++)
		child_json(c->out, &ci);
	hs_jw_arr_end(c->out);
	return HS_OK;
}

static int h_decisions(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	st_par_decision_list_t l;
	const char *child = NULL;
	size_t limit = 50;
	for (int i = 0; i < c->argc; i++) {
		char *end;
		unsigned long v = strtoul(c->argv[i], &end, 10);
		if (*end == '\0' && v > 0)
			limit = v;
		else
			child = c->argv[i];
	}
	int rc = st_par_decision_list(tp_node_store(d->node), child, limit, &l);
	if (rc != HS_OK)
		return hs_fail(c->em, rc, "cannot read the decisions: %s", hs_strerror(rc));
	hs_jw_arr_begin(c->out);
	for (size_t i = 0; i < l.n; i++) {
		const st_par_decision_t *x = &l.v[i];
		hs_jw_obj_begin(c->out);
		hs_jw_kv_u64(c->out, "id", (uint64_t)x->id);
		hs_jw_kv_u64(c->out, "at", (uint64_t)x->at);
		hs_jw_kv_str(c->out, "child", x->child[0] ? x->child : "-");
		hs_jw_kv_str(c->out, "source", x->source);
		hs_jw_kv_str(c->out, "signer", x->signer);
		hs_jw_kv_str(c->out, "kind", x->kind);
		hs_jw_kv_str(c->out, "outcome", x->outcome);
		hs_jw_kv_u64(c->out, "rcode", x->rcode);
		if (x->ede >= 0)
			hs_jw_kv_u64(c->out, "ede", (uint64_t)x->ede);
		hs_jw_kv_str(c->out, "reason", x->reason);
		hs_jw_kv_str(c->out, "records", x->records);
		hs_jw_kv_u64(c->out, "count", x->count);
		hs_jw_kv_u64(c->out, "finished", (uint64_t)x->finished);
		hs_jw_obj_end(c->out);
	}
	hs_jw_arr_end(c->out);
	st_par_decision_list_free(&l);
	return HS_OK;
}

static int h_approve(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char why[300];
	int tag = -1;
	if (c->argc < 1 || c->argc > 2)
		return hs_fail(c->em, HS_E_INVAL, "usage: parent approve CHILD [KEYTAG]");
	if (c->argc == 2) {
		char *end;
		unsigned long v = strtoul(c->argv[1], &end, 10);
		if (*end || v > 65535)
			return hs_fail(c->em, HS_E_INVAL, "KEYTAG is a number 0..65535");
		tag = (int)v;
	}
	int rc = par_approve(d->par->par, c->argv[0], tag, why, sizeof(why));
	if (rc != HS_OK)
		return hs_fail(c->em, rc, "%s", why);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message", why);
	hs_jw_obj_end(c->out);
	return HS_OK;
}

static int h_forget(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char why[300];
	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: parent forget CHILD");
	int rc = par_forget(d->par->par, c->argv[0], why, sizeof(why));
	if (rc != HS_OK)
		return hs_fail(c->em, rc, "%s", why);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message", why);
	hs_jw_obj_end(c->out);
	return HS_OK;
}

static int h_records(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	hs_buf_t text = HS_BUF_INIT;
	int rc = hdp_publish_records(d, NULL, &text);
	if (rc != HS_OK && rc != HS_E_STATE) {
		hs_buf_free(&text);
		return hs_fail(c->em, rc, "no bootstrap method offered (parent.bootstrap)");
	}
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "published", d->par->publish_state);
	hs_jw_key(c->out, "lines");
	hs_jw_arr_begin(c->out);
	const char *s = hs_buf_cstr(&text);
	while (*s) {
		size_t n = strcspn(s, "\n");
		char line[1024];
		snprintf(line, sizeof(line), "%.*s",
		         (int)(n < sizeof(line) - 1 ? n : sizeof(line) - 1), s);
		hs_jw_str(c->out, line);
		s += n + (s[n] == '\n');
	}
	hs_jw_arr_end(c->out);
	hs_jw_obj_end(c->out);
	hs_buf_free(&text);
	return HS_OK;
}

const hd_cmd_t hdp_cmds[] = {
    {"parent status", h_status, "the UPDATE receiver: zone, target, backend, counters"},
    {"parent children", h_children, "children and their keys, bootstrap state"},
    {"parent decisions", h_decisions, "the receiver's decisions, newest first [CHILD] [N]"},
    {"parent approve", h_approve, "trust a child's candidate key (manual bootstrap)"},
    {"parent forget", h_forget, "retire every key of a child (re-bootstrap)"},
    {"parent records", h_records, "the DSYNC, KEY, SVCB and address records of the target"},
    {NULL, NULL, NULL},
};

void hdp_status(hd_t *d, hs_jw_t *w)
{
	struct hd_par *hp = d->par;
	if (hp == NULL)
		return;
	hs_jw_kv_str(w, "parent_zone", par_zone(hp->par));
	hs_jw_kv_str(w, "parent_backend",
	             d->cfg.parent.backend == HD_PAR_SERVE ? "serve" : "forward");
	hs_jw_kv_u64(w, "children", par_child_count(hp->par));
}
