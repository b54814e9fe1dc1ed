/* wire_psync.c -- the agent's parent synchronisation on the loop
 * (rfc-drafts/draft-hsync-parent.md section 14): the engine of
 * src/engine/psync fed with the zone's wanted delegation (the owner's NS
 * and glue from our copy, the synchronised NS and CDS that the combiners
 * accepted), with whether we lead the zone's group (el_leading_zone),
 * its queries and UPDATEs sent over the node's endpoint, its outcomes
 * logged and told to the group (STATUS parentsync-done, PS-67), and the
 * members' last reports kept for `hsyncctl parent-sync show`. */
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "engine/psync/ps.h"
#include "engine/sync/sd.h"
#include "util/xmalloc.h"
#include "wire/dname.h"
#include "wire/dnsmsg.h"
#include "wire/rr_hsyncparam.h"
#include "wire/text.h"

#define SUBSYS  "parent-sync"
#define T_A     1
#define T_NS    2
#define T_AAAA  28
#define T_CDS   59
#define MAXWANT 48

/* the last parentsync-done of a zone (ours or a member's) */
struct psdone {
	char zone[256];
	char leader[256];
	int ok, changed;
	uint64_t time_ms;
	char outcome[400];
	char rrs[4096];
};

struct psz {
	char zone[256];
	sig0_key_t *key;
	int added;
};

struct hd_psync {
	ps_t *ps;
	struct psz *z;
	size_t nz;
	struct psdone *done;
	size_t ndone;
	uint64_t status_sent, status_in;
};

struct psq {
	hd_t *d;
	uint64_t token;
	uint64_t sent_ms;
	char to[80];
};

/* ---- the wanted delegation (PS-63) ---- */

/* A wanted record: the child library's view and its RDATA's storage. */
struct wrr {
	chd_rr_t rr;
	uint8_t data[512];
};

static void want_add(struct wrr *w, size_t *n, const uint8_t *owner, size_t ol, uint16_t type,
                     const uint8_t *rd, size_t rdlen)
{
	if (*n >= MAXWANT || rdlen > sizeof(w[0].data) || ol > sizeof(w[0].rr.owner))
		return;
	memcpy(w[*n].rr.owner, owner, ol);
	w[*n].rr.owner_len = ol;
	w[*n].rr.type = type;
	w[*n].rr.rdlen = (uint16_t)rdlen;
	memcpy(w[*n].data, rd, rdlen);
	w[*n].rr.rdata = w[*n].data;
	(*n)++;
}

static void want_rrset(const zn_snap_t *s, const uint8_t *owner, size_t ol, uint16_t type,
                       struct wrr *w, size_t *n)
{
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	if (zn_snap_find(s, owner, ol, type, &set, NULL) != HS_OK)
		return;
	while (zn_rrset_next(&set, &off, &rd, &rl))
		want_add(w, n, owner, ol, type, rd, rl);
}

/* Our copy's apex NS, CDS and the in-bailiwick addresses of NS targets,
 * then the synchronised NS/CDS records the combiners accepted. */
static size_t want_of(hd_t *d, struct hd_zone *hz, struct wrr *w)
{
	uint8_t apex[WIRE_NAME_MAX];
	size_t al, n = 0, nns;
	eng_sd_view_t *v = NULL;
	zn_snap_t *s;

	if (hs_name_from_text(hz->name, strlen(hz->name), apex, &al) != HS_OK)
		return 0;
	s = hz->zn != NULL ? zn_zone_snapshot(hz->zn) : NULL;
	if (s != NULL) {
		want_rrset(s, apex, al, T_NS, w, &n);
		want_rrset(s, apex, al, T_CDS, w, &n);
	}
	if (eng_sd_view(d->eng, hz->name, &v) == HS_OK) {
		for (size_t i = 0; i < v->nrrs; i++) {
			const eng_sd_rr_info_t *r = &v->rrs[i];
			uint8_t ow[WIRE_NAME_MAX];
			size_t ol;
			if (!r->in_set || r->state != ENG_SD_ACCEPTED ||
			    (r->type != T_NS && r->type != T_CDS) ||
			    hs_name_from_text(r->owner, strlen(r->owner), ow, &ol) != HS_OK)
				continue;
			want_add(w, &n, ow, ol, r->type, r->rdata, r->rdlen);
		}
		eng_sd_view_free(v);
	}
	/* glue: the addresses our copy has for NS targets inside the zone */
	nns = n;
	for (size_t i = 0; s != NULL && i < nns; i++)
		if (w[i].rr.type == T_NS && wire_name_under(w[i].data, w[i].rr.rdlen, apex, al)) {
			uint8_t t[WIRE_NAME_MAX];
			size_t tl = w[i].rr.rdlen;
			memcpy(t, w[i].data, tl);
			want_rrset(s, t, tl, T_A, w, &n);
			want_rrset(s, t, tl, T_AAAA, w, &n);
		}
	zn_snap_release(s);
	return n;
}

/* ---- the engine's actions ---- */

static void answered(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct psq *q = arg;
	hd_t *d = q->d;
	uint64_t tok = q->token;

	if (status == HS_E_STATE || d->psync == NULL) {
		free(q);
		return;
	}
	uint64_t ms = hs_now_ms(d->env) - q->sent_ms;
	if (status != HS_OK || ms > 1000)
		hs_log(HS_LOG_INFO, SUBSYS, "query to %s: %s after %llu ms", q->to,
		       status == HS_OK ? "answered" : hs_strerror(status), (unsigned long long)ms);
	free(q);
	ps_answer(d->psync->ps, tok, status, resp, len);
	hd_pump(d);
}

static void send_action(hd_t *d, const ps_action_t *a)
{
	tp_peer_addr_t dst;
	tp_send_opts_t so;
	struct psq *q;

	memset(&so, 0, sizeof(so));
	so.timeout_ms = 2000;
	so.retries = a->kind == PS_ACT_QUERY ? 2 : 0; /* an UPDATE is signed anew (PS-36) */
	if (a->to_resolver)
		dst = d->cfg.resolver;
	else if (tp_peer_addr_parse(a->addr, a->port, &dst) != HS_OK) {
		ps_answer(d->psync->ps, a->token, HS_E_NET, NULL, 0);
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->d = d;
	q->token = a->token;
	q->sent_ms = hs_now_ms(d->env);
	tp_peer_addr_str(&dst, q->to, sizeof(q->to));
	int rc = tp_send(tp_node_endpoint(d->node), &dst, a->msg.data, a->msg.len, &so, answered, q,
	                 NULL);
	if (rc != HS_OK) {
		free(q);
		ps_answer(d->psync->ps, a->token, rc, NULL, 0);
	}
}

static struct psdone *done_slot(struct hd_psync *p, const char *zone)
{
	for (size_t i = 0; i < p->ndone; i++)
		if (strcasecmp(p->done[i].zone, zone) == 0)
			return &p->done[i];
	p->done = xrealloc(p->done, (p->ndone + 1) * sizeof(*p->done));
	memset(&p->done[p->ndone], 0, sizeof(p->done[0]));
	snprintf(p->done[p->ndone].zone, sizeof(p->done[0].zone), "%s", zone);
	return &p->done[p->ndone++];
}

static void on_done(hd_t *d, const ps_action_t *a)
{
	struct hd_psync *p = d->psync;
	struct psdone *r = done_slot(p, a->zone);
	hs_buf_t rrs = HS_BUF_INIT, body = HS_BUF_INIT;
	ps_info_t in;
	const char *g = eng_zone_group(d->eng, a->zone);
	eng_group_info_t gi;

	snprintf(r->leader, sizeof(r->leader), "%s", eng_identity(d->eng));
	r->ok = a->ok;
	r->changed = a->updated;
	r->time_ms = hs_now_ms(d->env);
	snprintf(r->outcome, sizeof(r->outcome), "%s", a->text);
	ps_want_text(p->ps, a->zone, &rrs);
	snprintf(r->rrs, sizeof(r->rrs), "%s", rrs.len ? hs_buf_cstr(&rrs) : "");
	if (ps_info_get(p->ps, a->zone, &in) != HS_OK || g == NULL ||
	    eng_group_get(d->eng, g, &gi) != HS_OK)
		goto cleanup;
	ps_status_t st;
	memset(&st, 0, sizeof(st));
	snprintf(st.zone, sizeof(st.zone), "%s", r->zone);
	snprintf(st.kind, sizeof(st.kind), "parentsync-done");
	snprintf(st.leader, sizeof(st.leader), "%s", eng_identity(d->eng));
	st.ok = r->ok;
	st.changed = r->changed;
	st.time_ms = r->time_ms;
	snprintf(st.outcome, sizeof(st.outcome), "%s", r->outcome);
	snprintf(st.parent, sizeof(st.parent), "%s", in.parent);
	snprintf(st.target, sizeof(st.target), "%s", in.target);
	snprintf(st.rrs, sizeof(st.rrs), "%s", r->rrs);
	if (ps_status_encode(&st, &body) != HS_OK)
		goto cleanup;
	for (size_t i = 0; i < gi.nmembers; i++) {
		uint8_t id[TP_MSGID_LEN];
		if (strcmp(gi.members[i], eng_identity(d->eng)) == 0)
			continue;
		if (tp_node_send(d->node, gi.members[i], "STATUS", body.data, body.len, NULL, id) ==
		    HS_OK)
			p->status_sent++;
	}
cleanup:
	hs_buf_free(&rrs);
	hs_buf_free(&body);
}

/* ---- the loop's side ---- */

int hd_psync_init(hd_t *d, hs_errmsg_t *em)
{
	struct hd_psync *p;
	ps_cfg_t cfg;
	size_t n = 0;

	for (size_t i = 0; i < d->cfg.nzones; i++)
		n += d->cfg.zones[i].psync_key != NULL;
	if (n == 0)
		return HS_OK;
	p = xcalloc(1, sizeof(*p));
	memset(&cfg, 0, sizeof(cfg));
	cfg.env = d->env;
	cfg.check_ms = d->cfg.psync_check_ms;
	cfg.server_port = d->cfg.psync_port;
	/* PS-61: a fifth of the lease, at most 5 s (renewals come every
	 * quarter of it, so a leader keeps more than this between them) */
	cfg.margin_ms = d->cfg.elect_lease_ms / 5 < PS_MARGIN_DEFAULT ? d->cfg.elect_lease_ms / 5
	                                                              : PS_MARGIN_DEFAULT;
	if (cfg.margin_ms == 0)
		cfg.margin_ms = 1;
	if (ps_new(&cfg, &p->ps) != HS_OK) {
		free(p);
		return hs_fail(em, HS_E_INTERNAL, "parent sync: cannot start");
	}
	p->z = xcalloc(n, sizeof(*p->z));
	d->psync = p;
	for (size_t i = 0; i < d->cfg.nzones; i++) {
		const hd_zone_conf_t *zc = &d->cfg.zones[i];
		struct psz *z;
		if (zc->psync_key == NULL)
			continue;
		z = &p->z[p->nz++];
		snprintf(z->zone, sizeof(z->zone), "%s", zc->name);
		int rc = sig0_key_load_private(zc->psync_key, &z->key, em);
		if (rc == HS_OK && (rc = ps_zone_add(p->ps, zc->name, z->key,
		                                     d->cfg.partner2[0] != '\0')) != HS_OK)
			rc = hs_fail(em, rc,
			             "zone '%s': parent-sync-key '%s': its owner must be the zone",
			             zc->name, zc->psync_key);
		if (rc != HS_OK)
			return rc;
		z->added = 1;
		hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s': parent sync with key %u (%s)", zc->name,
		       (unsigned)sig0_key_tag(z->key), zc->psync_key);
	}
	return HS_OK;
}

void hd_psync_free(hd_t *d)
{
	struct hd_psync *p = d->psync;
	if (p == NULL)
		return;
	ps_free(p->ps);
	for (size_t i = 0; i < p->nz; i++)
		sig0_key_free(p->z[i].key);
	free(p->z);
	free(p->done);
	free(p);
	d->psync = NULL;
}

/* After every engine event: what we want, whether we lead, the actions. */
void hd_psync_pump(hd_t *d)
{
	struct hd_psync *p = d->psync;
	ps_action_t a;
	struct wrr *w;

	if (p == NULL)
		return;
	w = xcalloc(MAXWANT, sizeof(*w));
	for (size_t i = 0; i < p->nz; i++) {
		struct hd_zone *hz = NULL;
		const eng_zone_t *ez = eng_zone_find(d->eng, p->z[i].zone);
		uint64_t until = 0;
		for (size_t j = 0; j < d->nzones; j++)
			if (strcasecmp(d->zones[j].name, p->z[i].zone) == 0)
				hz = &d->zones[j];
		int agent = ez != NULL && ez->multi && ez->policy.parentsync == HS_PARENTSYNC_AGENT;
		int lead = agent && el_leading_zone(d->eng, p->z[i].zone, &until);
		if (hz != NULL && hz->loaded && agent) {
			chd_rr_t c[MAXWANT];
			size_t n = want_of(d, hz, w);
			for (size_t k = 0; k < n; k++)
				c[k] = w[k].rr;
			if (n > 0)
				hd_ignore(ps_want(p->ps, p->z[i].zone, c, n));
		}
		ps_leading(p->ps, p->z[i].zone, lead, until);
	}
	free(w);
	while (ps_next_action(p->ps, &a) == HS_OK) {
		switch (a.kind) {
		case PS_ACT_QUERY:
		case PS_ACT_SEND:
			send_action(d, &a);
			break;
		case PS_ACT_LOG:
			hs_log(a.level == 2   ? HS_LOG_WARN
			       : a.level == 1 ? HS_LOG_NOTICE
			                      : HS_LOG_INFO,
			       SUBSYS, "%s", a.text);
			break;
		case PS_ACT_DONE:
			on_done(d, &a);
			break;
		}
		ps_action_clear(&a);
	}
}

uint64_t hd_psync_deadline(hd_t *d)
{
	return d->psync != NULL ? ps_next_deadline(d->psync->ps) : UINT64_MAX;
}

void hd_psync_tick(hd_t *d)
{
	if (d->psync != NULL)
		ps_tick(d->psync->ps);
}

/* A STATUS from a member (proto/status_messages.md): 1 when it was one. */
int hd_psync_status_in(hd_t *d, const char *from, const uint8_t *body, size_t len)
{
	ps_status_t st;
	struct psdone *r;

	if (ps_status_decode(body, len, &st) != HS_OK) {
		hs_log(HS_LOG_INFO, SUBSYS, "STATUS from '%s' refused: undecodable", from);
		return 1;
	}
	if (d->psync == NULL || strcmp(st.kind, "parentsync-done") != 0) {
		hs_log(HS_LOG_INFO, SUBSYS, "STATUS %s for '%s' from '%s' ignored", st.kind,
		       st.zone, from);
		return 1;
	}
	r = done_slot(d->psync, st.zone);
	snprintf(r->leader, sizeof(r->leader), "%s", from);
	r->ok = st.ok;
	r->changed = st.changed;
	r->time_ms = st.time_ms;
	snprintf(r->outcome, sizeof(r->outcome), "%s", st.outcome);
	snprintf(r->rrs, sizeof(r->rrs), "%s", st.rrs);
	d->psync->status_in++;
	hs_log(HS_LOG_INFO, SUBSYS, "zone '%s': parentsync-done from '%s': %s", st.zone, from,
	       st.outcome);
	return 1;
}

/* Two zone names equal, with or without the trailing dot. */
static int same_zone(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

/* hsyncctl parent-sync show [ZONE] */
int hd_ctl_psync_show(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	struct hd_psync *p = d->psync;

	if (c->argc > 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: parent-sync show [ZONE]");
	hs_jw_obj_begin(c->out);
	hs_jw_key(c->out, "zones");
	hs_jw_arr_begin(c->out);
	for (size_t i = 0; p != NULL && i < p->nz; i++) {
		ps_info_t in;
		const struct psdone *r = NULL;
		if (c->argc == 1 && !same_zone(c->argv[0], p->z[i].zone))
			continue;
		if (ps_info_get(p->ps, p->z[i].zone, &in) != HS_OK)
			continue;
		for (size_t k = 0; k < p->ndone; k++)
			if (strcasecmp(p->done[k].zone, p->z[i].zone) == 0)
				r = &p->done[k];
		hs_jw_obj_begin(c->out);
		hs_jw_kv_str(c->out, "zone", in.zone);
		hs_jw_kv_bool(c->out, "leading", in.leading);
		hs_jw_kv_str(c->out, "state", in.state);
		hs_jw_kv_str(c->out, "parent", in.parent);
		hs_jw_kv_str(c->out, "target", in.target);
		hs_jw_kv_str(c->out, "last_why", in.last_why);
		hs_jw_kv_u64(c->out, "last", in.last_ms / 1000);
		hs_jw_kv_bool(c->out, "last_ok", in.last_ok);
		hs_jw_kv_str(c->out, "outcome", in.outcome);
		hs_jw_kv_u64(c->out, "runs", in.runs);
		hs_jw_kv_u64(c->out, "updates", in.updates);
		hs_jw_kv_u64(c->out, "notifies", in.notifies);
		hs_jw_kv_u64(c->out, "failures", in.failures);
		hs_jw_kv_u64(c->out, "backoff_ms", in.backoff_ms);
		hs_jw_kv_u64(c->out, "wanted", in.nwant);
		hs_jw_kv_str(c->out, "done_by", r != NULL ? r->leader : "");
		hs_jw_kv_u64(c->out, "done_at", r != NULL ? r->time_ms / 1000 : 0);
		hs_jw_kv_str(c->out, "done_outcome", r != NULL ? r->outcome : "");
		hs_jw_kv_str(c->out, "at_parent", r != NULL ? r->rrs : "");
		hs_jw_obj_end(c->out);
	}
	hs_jw_arr_end(c->out);
	hs_jw_kv_u64(c->out, "status_sent", p != NULL ? p->status_sent : 0);
	hs_jw_kv_u64(c->out, "status_received", p != NULL ? p->status_in : 0);
	hs_jw_obj_end(c->out);
	return HS_OK;
}
