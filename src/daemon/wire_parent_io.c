/* wire_parent_io.c -- role parent: the backends (a TSIG UPDATE to the
 * parent zone's primary, PS-40; or the parent zone served here, PS-41),
 * the bootstrap lookups (validated through discovery, direct to a
 * nameserver, addresses, the delegation), and what the role publishes
 * (PS-2). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/wire_parent_int.h"
#include "dnssec/zsign.h"
#include "transport/query.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/ldns_glue.h"
#include "wire/proto.h"
#include "wire/rdata.h"
#include "wire/rr_dsync.h"
#include "wire/text.h"
#include "zone/rfc2136.h"

#define T_A     1
#define T_NS    2
#define T_KEY   25
#define T_AAAA  28
#define T_SVCB  64
#define T_DSYNC 66
#define T_DS    43
#define T_CDS   59
#define T_CSYNC 62
#define T_ANY   255

void hdp_job_free(struct hd_par_job *j)
{
	if (j == NULL)
		return;
	free(j->rrs);
	hs_buf_free(&j->store);
	free(j);
}

static uint16_t rand16(hd_t *d)
{
	uint8_t b[2] = {0, 0};
	(void)d->env->random(d->env->arg, b, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* ---- job done ---- */

static void job_done(hd_t *d, int rc, const char *why)
{
	struct hd_par *hp = d->par;
	struct hd_par_job *j = hp->jobs;
	if (j == NULL)
		return;
	hp->jobs = j->next;
	if (hp->jobs == NULL)
		hp->jobs_tail = &hp->jobs;
	hp->busy = 0;
	if (j->id == 0) {
		snprintf(hp->publish_state, sizeof(hp->publish_state), "%s%s%s",
		         rc == HS_OK ? "published" : "not published", why && *why ? ": " : "",
		         why ? why : "");
		hs_log(rc == HS_OK ? HS_LOG_NOTICE : HS_LOG_WARN, PAR_SUBSYS,
		       "DSYNC, KEY and SVCB %s", hp->publish_state);
	} else {
		if (rc == HS_OK)
			hp->applied++;
		else
			hp->apply_failed++;
		if (par_applied(hp->par, j->id, rc, why) != HS_OK)
			hs_log(HS_LOG_WARN, PAR_SUBSYS, "backend answer for an unknown change");
	}
	hdp_job_free(j);
	hd_pump(d);
}

/* ---- backend forward: a TSIG UPDATE to the primary (PS-40) ---- */

struct fwd {
	hd_t *d;
	tp_tsig_ctx_t *tsig;
};

static const tp_tsig_key_t *primary_key(hd_t *d)
{
	for (size_t i = 0; d->cfg.parent.primary_key[0] && i < d->cfg.nkeys; i++)
		if (strcmp(d->cfg.keys[i].name, d->cfg.parent.primary_key) == 0)
			return &d->cfg.keys[i];
	return NULL;
}

static void fwd_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct fwd *f = arg;
	hd_t *d = f->d;
	hs_upd_reply_t r;
	hs_errmsg_t em;
	char why[200], rn[16];
	int rc = status;

	hs_errmsg_clear(&em);
	if (rc == HS_E_STATE) { /* the endpoint is going */
		tp_tsig_ctx_free(f->tsig);
		free(f);
		return;
	}
	if (rc != HS_OK)
		snprintf(why, sizeof(why), "primary: %s", hs_strerror(rc));
	else if (f->tsig != NULL && (rc = tp_tsig_verify(f->tsig, resp, len, &em)) != HS_OK)
		snprintf(why, sizeof(why), "primary's TSIG: %.150s", hs_errmsg_str(&em));
	else if ((rc = hs_upd_reply_parse(resp, len, &r)) != HS_OK)
		snprintf(why, sizeof(why), "primary's answer does not parse");
	else if (r.rcode != 0) {
		rc = HS_E_REFUSED;
		snprintf(why, sizeof(why), "primary answered %s",
		         hs_rcode_name(r.rcode, rn, sizeof(rn)));
	} else
		snprintf(why, sizeof(why), "primary: NOERROR");
	tp_tsig_ctx_free(f->tsig);
	free(f);
	job_done(d, rc, why);
}

static int fwd_send(hd_t *d, const struct hd_par_job *j)
{
	const hd_parent_conf_t *pc = &d->cfg.parent;
	const tp_tsig_key_t *key = primary_key(d);
	uint8_t zw[WIRE_NAME_MAX];
	size_t zl;
	hs_buf_t msg = HS_BUF_INIT, signed_msg = HS_BUF_INIT;
	hs_errmsg_t em;
	tp_send_opts_t so;
	struct fwd *f = xcalloc(1, sizeof(*f));
	int rc;

	f->d = d;
	hs_errmsg_clear(&em);
	rc = hs_name_from_text(pc->zone, strlen(pc->zone), zw, &zl);
	if (rc == HS_OK)
		rc = hs_upd_build(rand16(d), zw, zl, j->rrs, j->nrrs, 0, NULL, 0, &msg);
	if (rc == HS_OK && key != NULL) {
		f->tsig = tp_tsig_ctx_new(key);
		rc = tp_tsig_sign(f->tsig, msg.data, msg.len, &signed_msg, &em);
	} else if (rc == HS_OK) {
		hs_buf_append(&signed_msg, msg.data, msg.len);
	}
	memset(&so, 0, sizeof(so));
	so.timeout_ms = 3000;
	so.retries = 2;
	if (rc == HS_OK)
		rc = tp_send(tp_node_endpoint(d->node), &pc->primary, signed_msg.data,
		             signed_msg.len, &so, fwd_done, f, NULL);
	if (rc != HS_OK) {
		tp_tsig_ctx_free(f->tsig);
		free(f);
	}
	hs_buf_free(&msg);
	hs_buf_free(&signed_msg);
	return rc;
}

/* ---- backend serve: the parent zone here (PS-41) ---- */

static int serve_apply(hd_t *d, const struct hd_par_job *j, char *why, size_t n)
{
	struct hd_zone *hz = d->par->hz;
	zn_snap_t *s = zn_zone_snapshot(hz->zn);
	zn_diff_t *diff = NULL;
	hs_errmsg_t em;
	int changed = 0, rc;

	hs_errmsg_clear(&em);
	if (s == NULL) {
		snprintf(why, n, "the parent zone is not loaded");
		return HS_E_STATE;
	}
	rc = zn_rfc2136_diff(s, j->rrs, j->nrrs, &diff, &changed, &em);
	if (rc == HS_OK && changed)
		rc = zn_update(hz->zn, hz->jn, diff, hs_now_s(d->env), &em);
	if (rc == HS_OK && changed) {
		size_t alen;
		const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
		hd_zone_persist(d, hz, &diff, 1, 0);
		hz->serial = zn_diff_to_serial(diff);
		if (d->par->sign != NULL)
			hdp_sign_now(d); /* the signed version follows (PS-42) */
		else
			tp_zs_changed(d->zsrv, apex, alen);
		snprintf(why, n, "serial %u", hz->serial);
	} else if (rc == HS_OK) {
		snprintf(why, n, "no change");
	} else {
		snprintf(why, n, "%.180s", hs_errmsg_str(&em));
	}
	zn_diff_free(diff);
	zn_snap_release(s);
	return rc;
}

void hdp_backend_kick(hd_t *d)
{
	struct hd_par *hp = d->par;
	char why[200];
	while (hp->jobs != NULL && !hp->busy) {
		if (d->cfg.parent.backend == HD_PAR_SERVE) {
			int rc = serve_apply(d, hp->jobs, why, sizeof(why));
			hp->busy = 1;
			job_done(d, rc, why); /* pumps: may start the next job */
			return;
		}
		hp->busy = 1;
		if (fwd_send(d, hp->jobs) != HS_OK) {
			job_done(d, HS_E_NET, "cannot send to the primary");
			return;
		}
	}
}

/* The parent zone for backend serve: the stored copy, else the file. */
static int serve_start(hd_t *d, hs_errmsg_t *em)
{
	const hd_parent_conf_t *pc = &d->cfg.parent;
	struct hd_zone *hz = hd_zone_get(d, pc->zone);
	uint8_t apex[WIRE_NAME_MAX];
	size_t alen;
	st_t *st = tp_node_store(d->node);
	int rc;

	if (hs_name_from_text(pc->zone, strlen(pc->zone), apex, &alen) != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "parent.zone: bad name");
	d->par->hz = hz;
	hz->persist = 1;
	if (hz->zn == NULL && zn_store_load(st, apex, alen, &pc->journal, hs_now_s(d->env), &hz->zn,
	                                    &hz->jn, NULL) == HS_OK) {
		hs_log(HS_LOG_NOTICE, PAR_SUBSYS, "parent zone '%s': stored copy loaded", pc->zone);
	} else if (hz->zn == NULL) {
		zn_builder_t *b = NULL;
		if (pc->zone_file == NULL)
			return hs_fail(em, HS_E_CONFIG, "parent.zone-file: needed, no stored copy");
		rc = zs_zone_read_file(pc->zone_file, apex, alen, 0, &b, em);
		if (rc == HS_OK)
			rc = zn_zone_new(apex, alen, &hz->zn);
		if (rc == HS_OK) {
			rc = zn_zone_set(hz->zn, b, em);
			b = NULL;
		}
		zn_builder_free(b);
		if (rc != HS_OK)
			return hs_fail(em, rc, "parent.zone-file '%s': %s", pc->zone_file,
			               hs_errmsg_str(em));
		hz->jn = zn_journal_new(&pc->journal);
		hd_zone_persist(d, hz, NULL, 0, 1);
		hs_log(HS_LOG_NOTICE, PAR_SUBSYS, "parent zone '%s' loaded from '%s'", pc->zone,
		       pc->zone_file);
	}
	hz->loaded = 1;
	if (zn_zone_serial(hz->zn, &hz->serial) != HS_OK)
		hz->serial = 0;
	if (pc->sign)
		return hdp_sign_start(d, em);
	tp_zs_zone_conf_t sc = {pc->acl, pc->nacl, pc->notify, pc->nnotify};
	rc = tp_zs_zone_set(d->zsrv, hz->zn, hz->jn, &sc);
	if (rc != HS_OK)
		return hs_fail(em, rc, "parent zone: not served (a key of provide-xfr or notify?)");
	return HS_OK;
}

int hdp_backend_start(hd_t *d, hs_errmsg_t *em)
{
	struct hd_par *hp = d->par;
	int rc = HS_OK;
	if (d->cfg.parent.backend == HD_PAR_SERVE)
		rc = serve_start(d, em);
	if (rc != HS_OK || !d->cfg.parent.publish)
		return rc;
	struct hd_par_job *j = xcalloc(1, sizeof(*j));
	if (hdp_publish_records(d, j, NULL) != HS_OK) {
		snprintf(hp->publish_state, sizeof(hp->publish_state),
		         "not published: the target is not in the parent zone");
		hs_log(HS_LOG_WARN, PAR_SUBSYS, "%s ('hsyncctl parent records' prints them)",
		       hp->publish_state);
		hdp_job_free(j);
		return HS_OK;
	}
	/* first in line: before any change a child sends */
	j->next = hp->jobs;
	hp->jobs = j;
	if (hp->jobs_tail == &hp->jobs)
		hp->jobs_tail = &j->next;
	snprintf(hp->publish_state, sizeof(hp->publish_state), "publishing");
	return HS_OK;
}

void hdp_backend_stop(hd_t *d)
{
	struct hd_par *hp = d->par;
	if (hp->hz != NULL) {
		size_t alen;
		if (hp->hz->zn != NULL) {
			const uint8_t *apex = zn_zone_apex(hp->hz->zn, &alen);
			tp_zs_zone_remove(d->zsrv, apex, alen);
		}
	}
	hdp_sign_stop(d);
}

/* ---- what the role publishes (PS-2) ---- */

static void add_rr(struct hd_par_job *j, const uint8_t *owner, size_t ol, uint16_t type,
                   uint16_t cls, uint32_t ttl, const uint8_t *rd, size_t rl, size_t *offs)
{
	hs_upd_rr_t *r;
	j->rrs = xrealloc(j->rrs, (j->nrrs + 1) * sizeof(*j->rrs));
	r = &j->rrs[j->nrrs];
	memset(r, 0, sizeof(*r));
	memcpy(r->owner, owner, ol);
	r->owner_len = ol;
	r->type = type;
	r->rclass = cls;
	r->ttl = ttl;
	r->rdlen = (uint16_t)rl;
	offs[j->nrrs++] = j->store.len;
	if (rl)
		hs_buf_append(&j->store, rd, rl);
}

static void text_rr(hs_buf_t *text, const uint8_t *owner, size_t ol, uint32_t ttl, uint16_t type,
                    const uint8_t *rd, size_t rl)
{
	if (text == NULL)
		return;
	hs_name_print(text, owner, ol);
	hs_buf_printf(text, " %u IN ", ttl);
	hs_rrtype_any_print(text, type);
	hs_buf_append_u8(text, ' ');
	if (type == T_SVCB) { /* ldns may not know the private key: RFC 9460 text */
		hs_buf_printf(text, "1 . key%u=\"", HS_SVCB_BOOTSTRAP);
		hs_buf_append(text, rd + 7, rl - 7);
		hs_buf_append_u8(text, '"');
	} else if (hs_ldns_rdata_to_text(type, rd, rl, text, NULL) != HS_OK) {
		hs_rdata_generic_print(text, rd, rl);
	}
	hs_buf_append_u8(text, '\n');
}

int hdp_publish_records(hd_t *d, struct hd_par_job *j, hs_buf_t *text)
{
	const hd_parent_conf_t *pc = &d->cfg.parent;
	uint8_t apex[WIRE_NAME_MAX], dso[WIRE_NAME_MAX];
	size_t alen, tlen, dsl, klen, offs[64];
	const uint8_t *target = sig0_key_owner(d->par->key, &tlen);
	const uint8_t *krd = sig0_key_rdata(d->par->key, &klen);
	hs_buf_t ds = HS_BUF_INIT, svcb = HS_BUF_INIT, dsn[2] = {HS_BUF_INIT, HS_BUF_INIT};
	hs_dsync_t dsync;
	uint32_t ttl = pc->ttl;
	int in_zone, rc = HS_OK;

	if (hs_name_from_text(pc->zone, strlen(pc->zone), apex, &alen) != HS_OK)
		return HS_E_CONFIG;
	in_zone = zn_name_in(target, tlen, apex, alen);
	/* _dsync.P DSYNC ANY UPDATE port T */
	dso[0] = 6;
	memcpy(dso + 1, "_dsync", 6);
	memcpy(dso + 7, apex, alen);
	dsl = 7 + alen;
	memset(&dsync, 0, sizeof(dsync));
	dsync.rrtype = T_ANY;
	dsync.scheme = HS_DSYNC_UPDATE;
	dsync.port = pc->dsync_port ? pc->dsync_port : tp_node_port(d->node);
	memcpy(dsync.target, target, tlen);
	dsync.target_len = tlen;
	if (hs_dsync_encode(&dsync, &ds, NULL) != HS_OK ||
	    par_svcb_rdata(pc->methods, &svcb) != HS_OK)
		rc = HS_E_CONFIG;
	/* the scanner: DSYNC CDS NOTIFY and DSYNC CSYNC NOTIFY to the same target (PS-50) */
	for (int i = 0; pc->scan && rc == HS_OK && i < 2; i++) {
		hs_dsync_t n = dsync;
		n.rrtype = i == 0 ? T_CDS : T_CSYNC;
		n.scheme = HS_DSYNC_NOTIFY;
		if (hs_dsync_encode(&n, &dsn[i], NULL) != HS_OK)
			rc = HS_E_CONFIG;
	}
	if (rc == HS_OK && pc->methods == 0)
		rc = HS_E_CONFIG;
	if (rc != HS_OK)
		goto cleanup;
	text_rr(text, dso, dsl, ttl, T_DSYNC, ds.data, ds.len);
	for (int i = 0; pc->scan && i < 2; i++)
		text_rr(text, dso, dsl, ttl, T_DSYNC, dsn[i].data, dsn[i].len);
	text_rr(text, target, tlen, ttl, T_KEY, krd, klen);
	text_rr(text, target, tlen, ttl, T_SVCB, svcb.data, svcb.len);
	/* the target's addresses: configured, else the listen address */
	size_t naddr = 0;
	uint8_t addrs[8][16];
	uint16_t alens[8];
	const char *lst[9];
	size_t nl = 0;
	for (size_t i = 0; i < pc->naddrs && nl < 8; i++)
		lst[nl++] = pc->addrs[i];
	if (nl == 0 && strcmp(d->cfg.tp.listen.ip, "0.0.0.0") != 0 &&
	    strcmp(d->cfg.tp.listen.ip, "::") != 0)
		lst[nl++] = d->cfg.tp.listen.ip;
	for (size_t i = 0; i < nl; i++) {
		if (inet_pton(AF_INET, lst[i], addrs[naddr]) == 1)
			alens[naddr++] = 4;
		else if (inet_pton(AF_INET6, lst[i], addrs[naddr]) == 1)
			alens[naddr++] = 16;
	}
	for (size_t i = 0; i < naddr; i++)
		text_rr(text, target, tlen, ttl, alens[i] == 4 ? T_A : T_AAAA, addrs[i], alens[i]);
	if (!in_zone) {
		rc = HS_E_STATE;
		goto cleanup;
	}
	if (j == NULL)
		goto cleanup;
	/* each RRset replaced: delete, then add */
	add_rr(j, dso, dsl, T_DSYNC, HS_CLASS_ANY, 0, NULL, 0, offs);
	add_rr(j, dso, dsl, T_DSYNC, HS_CLASS_IN, ttl, ds.data, ds.len, offs);
	for (int i = 0; pc->scan && i < 2; i++)
		add_rr(j, dso, dsl, T_DSYNC, HS_CLASS_IN, ttl, dsn[i].data, dsn[i].len, offs);
	add_rr(j, target, tlen, T_KEY, HS_CLASS_ANY, 0, NULL, 0, offs);
	add_rr(j, target, tlen, T_KEY, HS_CLASS_IN, ttl, krd, klen, offs);
	add_rr(j, target, tlen, T_SVCB, HS_CLASS_ANY, 0, NULL, 0, offs);
	add_rr(j, target, tlen, T_SVCB, HS_CLASS_IN, ttl, svcb.data, svcb.len, offs);
	if (naddr > 0) {
		add_rr(j, target, tlen, T_A, HS_CLASS_ANY, 0, NULL, 0, offs);
		add_rr(j, target, tlen, T_AAAA, HS_CLASS_ANY, 0, NULL, 0, offs);
	}
	for (size_t i = 0; i < naddr; i++)
		add_rr(j, target, tlen, alens[i] == 4 ? T_A : T_AAAA, HS_CLASS_IN, ttl, addrs[i],
		       alens[i], offs);
	for (size_t i = 0; i < j->nrrs; i++)
		j->rrs[i].rdata = j->rrs[i].rdlen ? j->store.data + offs[i] : NULL;
cleanup:
	hs_buf_free(&ds);
	hs_buf_free(&svcb);
	hs_buf_free(&dsn[0]);
	hs_buf_free(&dsn[1]);
	return rc;
}

/* ---- lookups ---- */

struct lk {
	hd_t *d;
	uint64_t token;
	par_lk_kind_t kind;
	char name[256];
	uint16_t type;
	uint8_t qw[WIRE_NAME_MAX];
	size_t ql;
	int waiting; /* ADDRS: answers still to come */
	hs_buf_t rd[16];
	size_t n;
	int failed;
	char why[200];
};

static void lk_free(struct lk *l)
{
	for (size_t i = 0; i < 16; i++)
		hs_buf_free(&l->rd[i]);
	free(l);
}

static void lk_finish(struct lk *l, par_lookup_res_t *r)
{
	hd_t *d = l->d;
	if (d->par != NULL) {
		d->par->lookups++;
		d->par->lookups_failed += r->status != HS_OK;
		if (par_lookup_done(d->par->par, l->token, r) != HS_OK)
			hs_log(HS_LOG_DEBUG, PAR_SUBSYS, "lookup %llu answered after its job",
			       (unsigned long long)l->token);
	}
	lk_free(l);
}

static void lk_fail(struct lk *l, int rc, const char *why)
{
	par_lookup_res_t r;
	memset(&r, 0, sizeof(r));
	r.status = rc;
	r.why = why;
	lk_finish(l, &r);
}

/* The RDATAs of (l->qw, type) in the answer/authority (`sections` bits
 * 1 << DNSMSG_*) of `msg`, names expanded. */
static int collect(struct lk *l, const uint8_t *msg, size_t len, uint16_t type, unsigned sections,
                   const uint8_t *owner, size_t ol)
{
	return dnsmsg_collect(msg, len, type, sections, owner, ol, l->rd, 16, &l->n, NULL);
}

static int send_query(struct lk *l, const tp_peer_addr_t *to, uint16_t type, int rd, tp_send_fn cb)
{
	hd_t *d = l->d;
	hs_buf_t msg = HS_BUF_INIT;
	tp_send_opts_t so;
	tp_question_t q;
	memset(&q, 0, sizeof(q));
	q.name = l->name;
	q.qtype = type;
	q.qclass = 1;
	q.opcode = TP_OPCODE_QUERY;
	q.flags = rd ? TP_FLAG_RD : 0;
	q.edns = 1;
	q.udp_size = 1232;
	memset(&so, 0, sizeof(so));
	so.timeout_ms = 2000;
	so.retries = 2;
	int rc = tp_msg_build(&q, rand16(d), &msg, NULL);
	if (rc == HS_OK)
		rc = tp_send(tp_node_endpoint(d->node), to, msg.data, msg.len, &so, cb, l, NULL);
	hs_buf_free(&msg);
	return rc;
}

static void direct_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct lk *l = arg;
	par_lookup_res_t r;
	hs_upd_reply_t h;
	if (status == HS_E_STATE) {
		lk_free(l);
		return;
	}
	memset(&r, 0, sizeof(r));
	if (status != HS_OK) {
		lk_fail(l, status, hs_strerror(status));
		return;
	}
	if (hs_upd_reply_parse(resp, len, &h) != HS_OK ||
	    collect(l, resp, len, l->type, 1u << DNSMSG_ANSWER, l->qw, l->ql) != HS_OK) {
		lk_fail(l, HS_E_MALFORMED, "the answer does not parse");
		return;
	}
	r.status = HS_OK;
	r.aa = (h.flags & 0x0400) != 0;
	r.rcode = h.rcode;
	r.rdatas = l->rd;
	r.n = l->n;
	lk_finish(l, &r);
}

static void addrs_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct lk *l = arg;
	if (status == HS_E_STATE) {
		if (--l->waiting == 0)
			lk_free(l);
		return;
	}
	if (status == HS_OK) {
		if (collect(l, resp, len, T_A, 1u << DNSMSG_ANSWER, l->qw, l->ql) != HS_OK ||
		    collect(l, resp, len, T_AAAA, 1u << DNSMSG_ANSWER, l->qw, l->ql) != HS_OK)
			l->failed = 1;
	}
	if (--l->waiting > 0)
		return;
	par_lookup_res_t r;
	memset(&r, 0, sizeof(r));
	r.status = HS_OK;
	r.rdatas = l->rd;
	r.n = l->n;
	lk_finish(l, &r);
}

/* The delegation from a referral (or an answer) of the primary. */
static void deleg_from_msg(struct lk *l, const uint8_t *msg, size_t len)
{
	par_ns_t ns[PAR_MAX_NS];
	size_t nns = 0;
	par_lookup_res_t r;
	memset(&r, 0, sizeof(r));
	if (collect(l, msg, len, T_NS, (1u << DNSMSG_ANSWER) | (1u << DNSMSG_AUTHORITY), l->qw,
	            l->ql) != HS_OK) {
		lk_fail(l, HS_E_MALFORMED, "the primary's answer does not parse");
		return;
	}
	memset(ns, 0, sizeof(ns));
	for (size_t i = 0; i < l->n && nns < PAR_MAX_NS; i++) {
		hs_buf_t b = HS_BUF_INIT;
		struct lk g;
		hs_name_print(&b, l->rd[i].data, l->rd[i].len);
		snprintf(ns[nns].name, sizeof(ns[nns].name), "%s", hs_buf_cstr(&b));
		hs_buf_free(&b);
		/* glue from the additional section */
		memset(&g, 0, sizeof(g));
		(void)collect(&g, msg, len, T_A, 1u << DNSMSG_ADDITIONAL, l->rd[i].data,
		              l->rd[i].len);
		(void)collect(&g, msg, len, T_AAAA, 1u << DNSMSG_ADDITIONAL, l->rd[i].data,
		              l->rd[i].len);
		for (size_t k = 0; k < g.n && ns[nns].naddrs < PAR_MAX_NS_ADDRS; k++)
			inet_ntop(g.rd[k].len == 4 ? AF_INET : AF_INET6, g.rd[k].data,
			          ns[nns].addrs[ns[nns].naddrs++], PAR_ADDR_MAX);
		for (size_t k = 0; k < 16; k++)
			hs_buf_free(&g.rd[k]);
		nns++;
	}
	r.status = HS_OK;
	r.ns = ns;
	r.nns = nns;
	r.why = nns == 0 ? "the primary has no NS for the child" : NULL;
	lk_finish(l, &r);
}

static void deleg_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct lk *l = arg;
	if (status == HS_E_STATE) {
		lk_free(l);
		return;
	}
	if (status != HS_OK) {
		lk_fail(l, status, "the primary did not answer");
		return;
	}
	deleg_from_msg(l, resp, len);
}

/* The delegation from the zone served here. */
static void deleg_from_zone(struct lk *l)
{
	hd_t *d = l->d;
	zn_snap_t *s = d->par->hz ? zn_zone_snapshot(d->par->hz->zn) : NULL;
	par_ns_t ns[PAR_MAX_NS];
	size_t nns = 0, off = 0;
	zn_rrset_t set;
	const uint8_t *rd;
	uint16_t rl;
	par_lookup_res_t r;
	memset(&r, 0, sizeof(r));
	memset(ns, 0, sizeof(ns));
	if (s != NULL && zn_snap_find(s, l->qw, l->ql, T_NS, &set, NULL) == HS_OK)
		while (nns < PAR_MAX_NS && zn_rrset_next(&set, &off, &rd, &rl)) {
			hs_buf_t b = HS_BUF_INIT;
			hs_name_print(&b, rd, rl);
			snprintf(ns[nns].name, sizeof(ns[nns].name), "%s", hs_buf_cstr(&b));
			hs_buf_free(&b);
			for (uint16_t t = T_A; t != 0; t = t == T_A ? T_AAAA : 0) {
				zn_rrset_t g;
				size_t go = 0;
				const uint8_t *gd;
				uint16_t gl;
				if (zn_snap_find(s, rd, rl, t, &g, NULL) != HS_OK)
					continue;
				while (ns[nns].naddrs < PAR_MAX_NS_ADDRS &&
				       zn_rrset_next(&g, &go, &gd, &gl))
					inet_ntop(gl == 4 ? AF_INET : AF_INET6, gd,
					          ns[nns].addrs[ns[nns].naddrs++], PAR_ADDR_MAX);
			}
			nns++;
		}
	zn_snap_release(s);
	r.status = HS_OK;
	r.ns = ns;
	r.nns = nns;
	lk_finish(l, &r);
}

/* The child's DS RRset in the zone served here. */
static void ds_from_zone(struct lk *l)
{
	hd_t *d = l->d;
	zn_snap_t *s = d->par->hz ? zn_zone_snapshot(d->par->hz->zn) : NULL;
	zn_rrset_t set;
	size_t off = 0;
	const uint8_t *rd;
	uint16_t rl;
	par_lookup_res_t r;
	memset(&r, 0, sizeof(r));
	if (s != NULL && zn_snap_find(s, l->qw, l->ql, T_DS, &set, NULL) == HS_OK)
		while (l->n < 16 && zn_rrset_next(&set, &off, &rd, &rl)) {
			hs_buf_reset(&l->rd[l->n]);
			hs_buf_append(&l->rd[l->n++], rd, rl);
		}
	zn_snap_release(s);
	r.status = s != NULL || d->par->hz == NULL ? HS_OK : HS_E_STATE;
	r.rdatas = l->rd;
	r.n = l->n;
	lk_finish(l, &r);
}

static void secure_done(void *arg, uint64_t id, const disc_lookup_result_t *dr)
{
	struct lk *l = arg;
	par_lookup_res_t r;
	(void)id;
	memset(&r, 0, sizeof(r));
	r.status = dr->status;
	r.secure = dr->status == HS_OK && dr->n > 0 && dr->security == DV_SECURE;
	r.rdatas = dr->rdatas;
	r.n = dr->n;
	r.why = dr->why[0] ? dr->why : NULL;
	lk_finish(l, &r);
}

void hdp_lookup(hd_t *d, const par_action_t *a)
{
	struct lk *l = xcalloc(1, sizeof(*l));
	tp_peer_addr_t to;
	int rc = HS_OK;

	l->d = d;
	l->token = a->id;
	l->kind = a->lk;
	l->type = a->type;
	snprintf(l->name, sizeof(l->name), "%s", a->name);
	if (hs_name_from_text(l->name, strlen(l->name), l->qw, &l->ql) != HS_OK) {
		lk_fail(l, HS_E_NAME, "bad name");
		return;
	}
	switch (a->lk) {
	case PAR_LK_SECURE:
		rc = disc_lookup(d->disc, l->name, l->type, secure_done, l, NULL);
		break;
	case PAR_LK_DIRECT:
		rc = tp_peer_addr_parse(a->addr, d->cfg.parent.lookup_port, &to);
		if (rc == HS_OK)
			rc = send_query(l, &to, l->type, 0, direct_done);
		break;
	case PAR_LK_ADDRS:
		l->waiting = 2;
		rc = send_query(l, &d->cfg.resolver, T_A, 1, addrs_done);
		if (rc == HS_OK && send_query(l, &d->cfg.resolver, T_AAAA, 1, addrs_done) != HS_OK)
			l->waiting = 1;
		break;
	case PAR_LK_DELEG:
		if (d->cfg.parent.backend == HD_PAR_SERVE) {
			deleg_from_zone(l);
			return;
		}
		rc = send_query(l, &d->cfg.parent.primary, T_NS, 0, deleg_done);
		break;
	case PAR_LK_PARENT_DS: /* the scanner: the DS the parent zone holds now */
		if (d->cfg.parent.backend == HD_PAR_SERVE) {
			ds_from_zone(l);
			return;
		}
		rc = send_query(l, &d->cfg.parent.primary, T_DS, 0, direct_done);
		break;
	}
	if (rc != HS_OK)
		lk_fail(l, rc, "the query could not be sent");
}
