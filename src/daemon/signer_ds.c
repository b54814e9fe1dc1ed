/* signer_ds.c -- the signer role looks at the parent's DS RRset of each
 * zone it signs (signer_ds.h, draft-hsync-signer SIGN-60..66). */
#include "daemon/signer_ds.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/signer/sgn.h"
#include "transport/query.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"
#include "wire/update.h"

#define SUBSYS   "signer"
#define T_DS     43
#define MAX_DS   16
#define MAX_SRV  HD_SGN_MAX_PARENT_SERVERS
#define RC_NXDOM 3

/* One round of questions about one zone. */
struct round {
	size_t waiting;               /* answers still to come */
	int failed;                   /* a server did not answer usefully */
	char why[320];                /* the first failure */
	hs_buf_t ds[MAX_SRV][MAX_DS]; /* per server: the DS RDATAs answered */
	size_t nds[MAX_SRV];
	uint32_t ttl; /* the largest TTL answered */
};

struct sds_zone {
	char name[256];
	uint64_t next_ms; /* mono: next question; 0 = at once */
	struct round *r;  /* the round under way, or NULL */
	uint64_t gen;     /* rounds started (a stale answer is dropped) */
	/* what the last complete round found */
	char last[400];
	int64_t last_at;
	size_t last_n;
};

struct hd_sds {
	int resolver; /* ask through the resolver (validated) instead of the servers */
	struct sds_zone *z;
	size_t nz;
};

/* An answer's context. */
struct ask {
	hd_t *d;
	hd_sds_t *s;
	char zone[256];
	uint64_t gen;
	size_t srv;
};

static struct sds_zone *zone_find(const hd_sds_t *s, const char *name)
{
	for (size_t i = 0; s != NULL && i < s->nz; i++)
		if (strcmp(s->z[i].name, name) == 0)
			return &s->z[i];
	return NULL;
}

static void round_free(struct round *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < MAX_SRV; i++)
		for (size_t j = 0; j < MAX_DS; j++)
			hs_buf_free(&r->ds[i][j]);
	free(r);
}

static uint64_t mono(const hd_t *d)
{
	return d->env->mono_ms(d->env->arg);
}

static uint64_t next_delay_ms(const hd_t *d, const char *zone)
{
	uint32_t s = sgn_zone_wants_ds(hd_signer_engine(d), zone) ? d->cfg.pds.poll_s
	                                                          : d->cfg.pds.interval_s;
	return (uint64_t)(s ? s : 30) * 1000;
}

/* The round is complete: the DS every server serves (SIGN-65) goes to the
 * engine; a failed round changes nothing. */
static void round_end(hd_t *d, struct sds_zone *z, size_t nsrv)
{
	struct round *r = z->r;
	const uint8_t *rd[MAX_DS];
	size_t len[MAX_DS], n = 0;
	z->r = NULL;
	z->next_ms = mono(d) + next_delay_ms(d, z->name);
	z->last_at = hs_now_s(d->env);
	if (r->failed) {
		snprintf(z->last, sizeof(z->last), "not looked at: %s", r->why);
		hs_log(HS_LOG_INFO, SUBSYS, "zone '%s': the parent's DS %s", z->name, z->last);
		round_free(r);
		return;
	}
	/* the DS of the first server that every other one serves too */
	for (size_t j = 0; j < r->nds[0]; j++) {
		int all = 1;
		for (size_t i = 1; i < nsrv && all; i++) {
			int has = 0;
			for (size_t k = 0; k < r->nds[i] && !has; k++)
				has = r->ds[i][k].len == r->ds[0][j].len &&
				      memcmp(r->ds[i][k].data, r->ds[0][j].data, r->ds[0][j].len) ==
				          0;
			all = has;
		}
		if (all) {
			rd[n] = r->ds[0][j].data;
			len[n++] = r->ds[0][j].len;
		}
	}
	z->last_n = n;
	snprintf(z->last, sizeof(z->last), "%zu DS at every one of %zu %s", n, nsrv,
	         nsrv == 1 && d->cfg.pds.nservers == 0 ? "validated answer" : "servers");
	if (sgn_parent_ds_set(hd_signer_engine(d), z->name, rd, len, n, r->ttl) == HS_OK)
		hd_pump(d);
	round_free(r);
}

/* The DS RDATAs of `qw` in the answer section. */
static int take_answer(const uint8_t *msg, size_t len, const uint8_t *qw, size_t ql,
                       struct round *r, size_t srv)
{
	return dnsmsg_collect(msg, len, T_DS, 1u << DNSMSG_ANSWER, qw, ql, r->ds[srv], MAX_DS,
	                      &r->nds[srv], &r->ttl);
}

static void fail(struct round *r, const char *fmt, const char *a)
{
	if (!r->failed)
		snprintf(r->why, sizeof(r->why), fmt, a);
	r->failed = 1;
}

static void server_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct ask *a = arg;
	hd_t *d = a->d;
	struct sds_zone *z;
	hs_upd_reply_t h;
	uint8_t qw[WIRE_NAME_MAX];
	size_t ql;
	char srv[80];

	if (status == HS_E_STATE || (z = zone_find(a->s, a->zone)) == NULL || z->r == NULL ||
	    z->gen != a->gen) {
		free(a);
		return;
	}
	tp_peer_addr_str(&d->cfg.pds.servers[a->srv], srv, sizeof(srv));
	if (status != HS_OK) {
		fail(z->r, "parent server %s did not answer", srv);
	} else if (hs_upd_reply_parse(resp, len, &h) != HS_OK ||
	           hs_name_from_text(a->zone, strlen(a->zone), qw, &ql) != HS_OK) {
		fail(z->r, "the answer of %s does not parse", srv);
	} else if (h.rcode != 0 && h.rcode != RC_NXDOM) {
		fail(z->r, "parent server %s answered with an error", srv);
	} else if (!(h.flags & TP_FLAG_AA)) {
		fail(z->r, "parent server %s is not authoritative (AA clear)", srv);
	} else if (take_answer(resp, len, qw, ql, z->r, a->srv) != HS_OK) {
		fail(z->r, "the answer of %s does not parse", srv);
	}
	free(a);
	if (--z->r->waiting == 0)
		round_end(d, z, d->cfg.pds.nservers);
}

static void resolver_done(void *arg, uint64_t id, const disc_lookup_result_t *dr)
{
	struct ask *a = arg;
	hd_t *d = a->d;
	struct sds_zone *z = zone_find(a->s, a->zone);
	(void)id;
	if (z == NULL || z->r == NULL || z->gen != a->gen) {
		free(a);
		return;
	}
	if (dr->status != HS_OK) {
		fail(z->r, "the resolver's answer: %s", hs_strerror(dr->status));
	} else if (dr->n > 0 && dr->security != DV_SECURE && !d->cfg.insecure) {
		fail(z->r, "the DS RRset does not validate: %s", dr->why[0] ? dr->why : "insecure");
	} else {
		for (size_t i = 0; i < dr->n && i < MAX_DS; i++) {
			hs_buf_reset(&z->r->ds[0][i]);
			hs_buf_append(&z->r->ds[0][i], dr->rdatas[i].data, dr->rdatas[i].len);
			z->r->nds[0]++;
		}
		z->r->ttl = 0; /* not known here: the policy's ds-ttl (SIGN-61) */
	}
	free(a);
	z->r->waiting = 0;
	round_end(d, z, 1);
}

static int ask_server(hd_t *d, hd_sds_t *s, struct sds_zone *z, size_t i)
{
	hs_buf_t msg = HS_BUF_INIT;
	tp_send_opts_t so;
	tp_question_t q;
	uint8_t idb[2] = {0, 0};
	struct ask *a = xcalloc(1, sizeof(*a));
	int rc;
	a->d = d;
	a->s = s;
	a->gen = z->gen;
	a->srv = i;
	snprintf(a->zone, sizeof(a->zone), "%s", z->name);
	memset(&q, 0, sizeof(q));
	q.name = z->name;
	q.qtype = T_DS;
	q.qclass = 1;
	q.opcode = TP_OPCODE_QUERY;
	q.edns = 1;
	q.edns_do = 1;
	q.udp_size = 1232;
	memset(&so, 0, sizeof(so));
	so.timeout_ms = 2000;
	so.retries = 2;
	(void)d->env->random(d->env->arg, idb, 2);
	rc = tp_msg_build(&q, (uint16_t)(idb[0] << 8 | idb[1]), &msg, NULL);
	if (rc == HS_OK)
		rc = tp_send(tp_node_endpoint(d->node), &d->cfg.pds.servers[i], msg.data, msg.len,
		             &so, server_done, a, NULL);
	hs_buf_free(&msg);
	if (rc != HS_OK)
		free(a);
	return rc;
}

static void start_round(hd_t *d, hd_sds_t *s, struct sds_zone *z)
{
	z->r = xcalloc(1, sizeof(*z->r));
	z->gen++;
	if (s->resolver) {
		struct ask *a = xcalloc(1, sizeof(*a));
		a->d = d;
		a->s = s;
		a->gen = z->gen;
		snprintf(a->zone, sizeof(a->zone), "%s", z->name);
		z->r->waiting = 1;
		if (disc_lookup(d->disc, z->name, T_DS, resolver_done, a, NULL) != HS_OK) {
			free(a);
			fail(z->r, "%s", "the resolver cannot be asked");
			z->r->waiting = 0;
			round_end(d, z, 1);
		}
		return;
	}
	z->r->waiting = d->cfg.pds.nservers;
	for (size_t i = 0; i < d->cfg.pds.nservers; i++)
		if (ask_server(d, s, z, i) != HS_OK) {
			fail(z->r, "%s", "a query could not be sent");
			z->r->waiting--;
		}
	if (z->r->waiting == 0)
		round_end(d, z, d->cfg.pds.nservers);
}

int hd_sds_conf(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	const conf_sec_t *s = conf_sec_at(cf, "parent-ds", 0);
	size_t n = conf_count(s, "server");
	c->pds.nservers = 0;
	if (n > HD_SGN_MAX_PARENT_SERVERS)
		return hs_fail(em, HS_E_CONFIG, "%s: parent-ds.server: at most %d", c->path,
		               HD_SGN_MAX_PARENT_SERVERS);
	for (size_t i = 0; i < n; i++) {
		const conf_val_t *v = conf_val(s, "server", i);
		char ip[64];
		const void *a =
		    v->addr.ss.ss_family == AF_INET
		        ? (const void *)&((const struct sockaddr_in *)&v->addr.ss)->sin_addr
		        : (const void *)&((const struct sockaddr_in6 *)&v->addr.ss)->sin6_addr;
		if (inet_ntop(v->addr.ss.ss_family, a, ip, sizeof(ip)) == NULL ||
		    tp_peer_addr_parse(ip, v->addr.port, &c->pds.servers[i]) != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s:%u: parent-ds.server: '%s'", c->path,
			               v->line, v->text);
		c->pds.nservers++;
	}
	c->pds.interval_s = (uint32_t)(conf_dur_ms(s, "interval", 3600000) / 1000);
	c->pds.poll_s = (uint32_t)(conf_dur_ms(s, "poll", 30000) / 1000);
	return HS_OK;
}

int hd_sds_new(hd_t *d, hd_sds_t **out, hs_errmsg_t *em)
{
	hd_sds_t *s;
	int rc;
	*out = NULL;
	if (d->cfg.pds.nservers == 0 &&
	    (d->cfg.anchors == NULL || dv_anchors_count(d->cfg.anchors) == 0) && !d->cfg.insecure) {
		hs_log(HS_LOG_NOTICE, SUBSYS,
		       "the parent's DS is never asked (no parent-ds.server, no trust "
		       "anchor): a KSK rollover waits at 'waiting for DS at the parent'");
		return HS_OK;
	}
	s = xcalloc(1, sizeof(*s));
	if (d->cfg.pds.nservers == 0) {
		s->resolver = 1;
		if (d->disc == NULL && (rc = hd_disc_start(d, em)) != HS_OK) {
			free(s);
			return rc;
		}
	}
	*out = s;
	return HS_OK;
}

void hd_sds_free(hd_t *d, hd_sds_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nz; i++)
		round_free(s->z[i].r);
	free(s->z);
	if (s->resolver) {
		disc_free(d->disc);
		d->disc = NULL;
	}
	free(s);
}

void hd_sds_zone(hd_sds_t *s, const char *zone)
{
	if (s == NULL || zone_find(s, zone) != NULL)
		return;
	s->z = xrealloc(s->z, (s->nz + 1) * sizeof(*s->z));
	memset(&s->z[s->nz], 0, sizeof(s->z[0]));
	snprintf(s->z[s->nz].name, sizeof(s->z[0].name), "%s", zone);
	snprintf(s->z[s->nz].last, sizeof(s->z[0].last), "not asked yet");
	s->nz++;
}

void hd_sds_tick(hd_t *d, hd_sds_t *s)
{
	uint64_t now = mono(d);
	if (s == NULL)
		return;
	if (s->resolver && d->disc != NULL)
		disc_tick(d->disc);
	for (size_t i = 0; i < s->nz; i++) {
		struct sds_zone *z = &s->z[i];
		if (z->r != NULL)
			continue;
		/* a rollover that starts waiting asks at once, not at the interval */
		if (sgn_zone_wants_ds(hd_signer_engine(d), z->name) &&
		    z->next_ms > now + (uint64_t)d->cfg.pds.poll_s * 1000)
			z->next_ms = now;
		if (z->next_ms <= now)
			start_round(d, s, z);
	}
}

uint64_t hd_sds_deadline(hd_t *d, const hd_sds_t *s)
{
	uint64_t t = UINT64_MAX;
	if (s == NULL)
		return t;
	if (s->resolver && d->disc != NULL)
		t = disc_next_deadline(d->disc);
	for (size_t i = 0; i < s->nz; i++) {
		uint64_t n = s->z[i].next_ms;
		if (s->z[i].r == NULL && sgn_zone_wants_ds(hd_signer_engine(d), s->z[i].name) &&
		    n > mono(d) + (uint64_t)d->cfg.pds.poll_s * 1000)
			n = mono(d);
		if (s->z[i].r == NULL && n < t)
			t = n;
	}
	return t;
}

void hd_sds_json(const hd_sds_t *s, const char *zone, hs_jw_t *w)
{
	const struct sds_zone *z = zone_find(s, zone);
	hs_jw_key(w, "parent_ds");
	hs_jw_obj_begin(w);
	hs_jw_kv_str(w, "from",
	             s == NULL     ? "never asked"
	             : s->resolver ? "resolver (validated)"
	                           : "parent servers");
	if (z != NULL) {
		hs_jw_kv_str(w, "last", z->last);
		hs_jw_kv_i64(w, "at", z->last_at);
		hs_jw_kv_u64(w, "ds", z->last_n);
	}
	hs_jw_obj_end(w);
}
