/* hsync-update's DNS side, blocking: plain queries with tp_query(), the
 * validated ones through the sans-I/O discovery (disc_lookup) driven by
 * a queue here, the receiver found by DSYNC (PS-29), its SVCB (PS-30) and
 * KEY (PS-31), and the exchange with it (PS-34, PS-36). */
#include "hsync-update/hsync-update.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "engine/discovery.h"
#include "util/env.h"
#include "util/log.h"
#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"
#include "wire/text.h"

#define T_A     1
#define T_KEY   25
#define T_AAAA  28
#define T_SVCB  64
#define T_DSYNC 66

static uint16_t rand16(void)
{
	const hs_env_t *e = hs_env_system();
	uint8_t b[2] = {0, 0};
	(void)e->random(e->arg, b, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void say(const struct hu_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const struct hu_opts *o, const char *fmt, ...)
{
	va_list ap;
	if (o->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* One plain query (RD set) to the resolver: the response in `ans`. */
static int plain_query(const struct hu_opts *o, const char *name, uint16_t type, hs_buf_t *ans,
                       hs_errmsg_t *em)
{
	hs_buf_t msg = HS_BUF_INIT;
	tp_question_t q = {.name = name,
	                   .qtype = type,
	                   .qclass = 1,
	                   .opcode = TP_OPCODE_QUERY,
	                   .flags = TP_FLAG_RD,
	                   .edns = 1,
	                   .udp_size = 1232};
	tp_query_opts_t qo = {.proto = o->tcp ? TP_PROTO_TCP : TP_PROTO_UDP,
	                      .timeout_ms = o->timeout_s * 1000,
	                      .tries = 2};
	int rc = tp_msg_build(&q, rand16(), &msg, em);
	if (rc == HS_OK)
		rc = tp_query(&o->resolver, msg.data, msg.len, &qo, ans, NULL, em);
	hs_buf_free(&msg);
	return rc;
}

/* The RDATAs of (name, type) in the answer section. */
static size_t answers(const uint8_t *msg, size_t len, const char *name, uint16_t type,
                      hs_buf_t *out, size_t max)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	uint8_t qw[WIRE_NAME_MAX], ow[WIRE_NAME_MAX];
	size_t ql, ol, n = 0;
	if (hs_name_from_text(name, strlen(name), qw, &ql) != HS_OK ||
	    dnsmsg_check(msg, len, NULL) != HS_OK || dnsmsg_open(&it, msg, len) != HS_OK)
		return 0;
	while (dnsmsg_next(&it, &rr) == HS_OK && n < max) {
		if (rr.section != DNSMSG_ANSWER || rr.type != type ||
		    dnsmsg_name_expand(msg, len, rr.off, ow, &ol, NULL) != HS_OK ||
		    !dnsmsg_name_equal(ow, ol, qw, ql))
			continue;
		hs_buf_reset(&out[n]);
		if (dnsmsg_rdata_expand(msg, len, &rr, &out[n]) == HS_OK)
			n++;
	}
	return n;
}

/* ---- validated lookups: discovery driven by a blocking queue ---- */

struct vq {
	char name[256];
	uint16_t type;
	uint64_t token;
};

struct vrun {
	const struct hu_opts *o;
	struct vq q[256];
	size_t head, tail;
	int done;
	int status;
	int secure;
	hs_buf_t rd[8];
	size_t n;
	char why[256];
};

static int vq_add(void *arg, const char *name, uint16_t type, uint64_t token)
{
	struct vrun *v = arg;
	if (v->tail - v->head >= 256)
		return HS_E_LIMIT;
	struct vq *q = &v->q[v->tail++ % 256];
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->type = type;
	q->token = token;
	return HS_OK;
}

static void v_done(void *arg, uint64_t id, const disc_lookup_result_t *r)
{
	struct vrun *v = arg;
	(void)id;
	v->done = 1;
	v->status = r->status;
	v->secure = r->status == HS_OK && r->n > 0 && r->security == DV_SECURE;
	snprintf(v->why, sizeof(v->why), "%s", r->why);
	for (size_t i = 0; i < r->n && v->n < 8; i++) {
		hs_buf_reset(&v->rd[v->n]);
		hs_buf_append(&v->rd[v->n++], r->rdatas[i].data, r->rdatas[i].len);
	}
	if (r->status == HS_OK && r->n > 0 && r->security == DV_INSECURE)
		v->secure = 2; /* accepted in insecure lab mode */
}

/* (name, type) validated from the anchors (or insecure with --insecure):
 * RDATAs in v->rd; HS_OK when found and accepted. */
static int validated(const struct hu_opts *o, const char *name, uint16_t type, struct vrun *v)
{
	disc_t *d = NULL;
	memset(v, 0, sizeof(*v));
	v->o = o;
	disc_config_t cfg = {
	    .env = hs_env_system(),
	    .anchors = o->anchors,
	    .insecure = o->insecure,
	    .query = vq_add,
	    .query_arg = v,
	    .query_timeout_ms = 3600 * 1000,
	};
	if (disc_new(&cfg, &d) != HS_OK) {
		snprintf(v->why, sizeof(v->why),
		         "no trust anchor (give --trust-anchor or --insecure)");
		return HS_E_CONFIG;
	}
	int rc = disc_lookup(d, name, type, v_done, v, NULL);
	for (unsigned steps = 0; rc == HS_OK && !v->done && v->head < v->tail && steps < 1000;
	     steps++) {
		struct vq q = v->q[v->head++ % 256];
		hs_buf_t msg = HS_BUF_INIT, ans = HS_BUF_INIT;
		hs_errmsg_t em;
		tp_query_opts_t qo = {.proto = o->tcp ? TP_PROTO_TCP : TP_PROTO_UDP,
		                      .timeout_ms = o->timeout_s * 1000,
		                      .tries = 2};
		int qrc = disc_query_build(q.name, q.type, rand16(), &msg);
		if (qrc == HS_OK)
			qrc = tp_query(&o->resolver, msg.data, msg.len, &qo, &ans, NULL, &em);
		(void)disc_on_answer(d, q.token, qrc, qrc == HS_OK ? ans.data : NULL, ans.len);
		hs_buf_free(&msg);
		hs_buf_free(&ans);
	}
	disc_free(d);
	if (rc != HS_OK)
		return rc;
	if (!v->done) {
		snprintf(v->why, sizeof(v->why), "no answer");
		return HS_E_TIMEOUT;
	}
	if (v->status != HS_OK)
		return v->status;
	if (v->n == 0)
		return HS_E_NOTFOUND;
	return v->secure ? HS_OK : HS_E_BADSIG;
}

/* ---- the receiver ---- */

static int addr_of(const struct hu_opts *o, const char *name, uint16_t port, tp_addr_t *out)
{
	hs_buf_t ans = HS_BUF_INIT, rd[4] = {HS_BUF_INIT, HS_BUF_INIT, HS_BUF_INIT, HS_BUF_INIT};
	hs_errmsg_t em;
	char ip[64];
	int rc = HS_E_NOTFOUND;
	for (uint16_t t = T_A; t != 0 && rc != HS_OK; t = t == T_A ? T_AAAA : 0) {
		hs_buf_reset(&ans);
		if (plain_query(o, name, t, &ans, &em) != HS_OK)
			continue;
		if (answers(ans.data, ans.len, name, t, rd, 4) > 0 &&
		    inet_ntop(t == T_A ? AF_INET : AF_INET6, rd[0].data, ip, sizeof(ip)) != NULL &&
		    tp_addr_parse(ip, port, out, NULL) == HS_OK)
			rc = HS_OK;
	}
	hs_buf_free(&ans);
	for (int i = 0; i < 4; i++)
		hs_buf_free(&rd[i]);
	return rc;
}

void hu_target_free(hu_target_t *t)
{
	for (size_t i = 0; i < t->nkeys; i++)
		sig0_key_free(t->keys[i]);
	memset(t, 0, sizeof(*t));
}

int hu_find_target(struct hu_opts *o, hu_target_t *t, int need_key)
{
	hs_errmsg_t em;
	char a[80];
	struct vrun v;
	int rc;

	memset(t, 0, sizeof(*t));
	hs_errmsg_clear(&em);
	if (o->parent != NULL && o->has_server) {
		snprintf(t->t.parent, sizeof(t->t.parent), "%s", o->parent);
		t->addr = o->server;
	} else {
		chd_dsync_walk_t w;
		hs_buf_t ans = HS_BUF_INIT;
		if (chd_dsync_start(o->zone, &w) != HS_OK)
			return cli_err(HU_EXIT_USAGE, "'%s' has no parent to ask", o->zone);
		do {
			hs_buf_reset(&ans);
			rc = plain_query(o, w.qname, T_DSYNC, &ans, &em);
			say(o, ";; DSYNC lookup: %s%s\n", w.qname,
			    rc == HS_OK ? "" : " (no answer)");
			rc = chd_dsync_next(&w, rc == HS_OK ? ans.data : NULL, ans.len, &t->t, &em);
		} while (rc == HS_E_AGAIN);
		hs_buf_free(&ans);
		if (rc != HS_OK)
			return cli_err(HU_EXIT_NOTARGET, "%s", hs_errmsg_str(&em));
		/* the DSYNC RRset validated where the parent is signed (PS-29) */
		if (o->anchors != NULL) {
			rc = validated(o, t->t.owner, T_DSYNC, &v);
			if (rc != HS_OK)
				return cli_err(HU_EXIT_NOTARGET, "DSYNC at '%s' not validated: %s",
				               t->t.owner, v.why);
		}
		if (o->parent != NULL)
			snprintf(t->t.parent, sizeof(t->t.parent), "%s", o->parent);
		say(o, ";; target %s port %u (DSYNC at %s), parent zone %s\n", t->t.target,
		    t->t.port, t->t.owner, t->t.parent);
		if (o->has_server)
			t->addr = o->server;
		else if (addr_of(o, t->t.target, t->t.port, &t->addr) != HS_OK)
			return cli_err(HU_EXIT_NOTARGET, "no address for '%s'", t->t.target);
	}
	tp_addr_str(&t->addr, a, sizeof(a));
	say(o, ";; receiver at %s\n", a);
	/* the SVCB: which bootstrap methods (PS-30) */
	if (t->t.target[0]) {
		hs_buf_t ans = HS_BUF_INIT,
		         rd[4] = {HS_BUF_INIT, HS_BUF_INIT, HS_BUF_INIT, HS_BUF_INIT};
		if (plain_query(o, t->t.target, T_SVCB, &ans, &em) == HS_OK) {
			size_t n = answers(ans.data, ans.len, t->t.target, T_SVCB, rd, 4);
			for (size_t i = 0; i < n; i++) {
				unsigned m = 0;
				if (chd_svcb_methods(rd[i].data, rd[i].len, &m) == HS_OK) {
					t->methods |= m;
					t->have_svcb = 1;
				}
			}
		}
		hs_buf_free(&ans);
		for (int i = 0; i < 4; i++)
			hs_buf_free(&rd[i]);
	}
	/* the receiver's key (PS-31) */
	if (o->receiver != NULL) {
		size_t len;
		const uint8_t *rd = sig0_key_rdata(o->receiver, &len);
		const uint8_t *ow;
		size_t ol;
		ow = sig0_key_owner(o->receiver, &ol);
		if (sig0_key_from_rdata(ow, ol, rd, len, &t->keys[0], NULL) == HS_OK)
			t->nkeys = 1;
		snprintf(t->key_trust, sizeof(t->key_trust), "given");
	} else if (need_key) {
		const char *kname = t->t.target;
		if (!kname[0])
			return cli_err(
			    HU_EXIT_NOTARGET,
			    "the receiver's key: give --receiver-key (no DSYNC target known)");
		if (o->anchors == NULL && !o->insecure)
			return cli_err(HU_EXIT_USAGE,
			               "the receiver's KEY at '%s' needs --trust-anchor "
			               "(or --insecure in a lab, or --receiver-key)",
			               kname);
		rc = validated(o, kname, T_KEY, &v);
		if (rc != HS_OK)
			return cli_err(HU_EXIT_NOTARGET, "KEY at '%s': %s", kname,
			               v.why[0] ? v.why : hs_strerror(rc));
		uint8_t w[WIRE_NAME_MAX];
		size_t wl;
		if (hs_name_from_text(kname, strlen(kname), w, &wl) == HS_OK)
			for (size_t i = 0; i < v.n && t->nkeys < 4; i++)
				if (sig0_key_from_rdata(w, wl, v.rd[i].data, v.rd[i].len,
				                        &t->keys[t->nkeys], NULL) == HS_OK)
					t->nkeys++;
		for (int i = 0; i < 8; i++)
			hs_buf_free(&v.rd[i]);
		snprintf(t->key_trust, sizeof(t->key_trust), "%s",
		         v.secure == 2 ? "insecure (lab)" : "secure");
		if (t->nkeys == 0)
			return cli_err(HU_EXIT_NOTARGET, "no usable KEY at '%s'", kname);
	}
	return HU_EXIT_OK;
}

/* ---- the exchange ---- */

int hu_exchange(struct hu_opts *o, const hu_target_t *t, hu_build_fn build, const char *what)
{
	hs_buf_t msg = HS_BUF_INIT, resp = HS_BUF_INIT;
	hs_errmsg_t em;
	chd_result_t r;
	char rn[16], kd[300];
	int ex = HU_EXIT_NOANSWER;
	unsigned backoff_ms = 1000;

	for (unsigned attempt = 1; attempt <= o->tries; attempt++) {
		/* every attempt signed anew (PS-36) */
		const hs_env_t *env = hs_env_system();
		hs_errmsg_clear(&em);
		hs_buf_reset(&msg);
		if (build(o, t, rand16(), hs_now_s(env), &msg) != HS_OK) {
			ex = cli_err(HU_EXIT_USAGE, "cannot build the %s", what);
			break;
		}
		if (o->save != NULL) {
			FILE *f = fopen(o->save, "wb");
			if (f == NULL || fwrite(msg.data, 1, msg.len, f) != msg.len)
				fprintf(stderr, "hsync-update: --save: cannot write '%s'\n",
				        o->save);
			if (f != NULL)
				fclose(f);
		}
		tp_query_opts_t qo = {.proto = o->tcp ? TP_PROTO_TCP : TP_PROTO_UDP,
		                      .timeout_ms = o->timeout_s * 1000,
		                      .tries = 1};
		tp_query_info_t qi;
		hs_buf_reset(&resp);
		int rc = tp_query(&t->addr, msg.data, msg.len, &qo, &resp, &qi, &em);
		if (rc != HS_OK) {
			say(o, ";; attempt %u: %s\n", attempt, hs_errmsg_str(&em));
		} else {
			const sig0_key_t *const *keys = (const sig0_key_t *const *)t->keys;
			rc = chd_response_check(msg.data, msg.len, resp.data, resp.len, keys,
			                        t->nkeys, hs_now_s(env), &r);
			if (rc == HS_OK) {
				say(o, ";; %s: %s in %llu ms%s, signed by %s (%s)\n", what,
				    hs_rcode_name(r.r.rcode, rn, sizeof(rn)),
				    (unsigned long long)qi.rtt_ms, qi.used_tcp ? " over TCP" : "",
				    sig0_key_describe(r.v.key, kd, sizeof(kd)), t->key_trust);
				if (r.r.has_ede)
					say(o, ";; ede: %u %s\n", r.r.ede, r.r.ede_text);
				if (r.r.has_keystate)
					say(o, ";; keystate: %s key %u: %s\n",
					    hs_keystate_name(r.r.ks_state)
					        ? hs_keystate_name(r.r.ks_state)
					        : "?",
					    r.r.ks_key_id, r.r.ks_text);
				say(o, ";; meaning: %s\n", r.meaning);
				o->has_ks = r.r.has_keystate;
				o->ks_state = r.r.ks_state;
				ex = r.r.rcode == 0 ? HU_EXIT_OK : HU_EXIT_REFUSED;
				/* SERVFAIL: the parent failed; a later attempt may do */
				if (r.r.rcode != 2)
					break;
			} else {
				say(o, ";; attempt %u: answer %s (%s): %s\n", attempt,
				    hs_rcode_name(r.r.rcode, rn, sizeof(rn)), r.why, r.meaning);
				ex = HU_EXIT_NOANSWER;
			}
		}
		if (attempt < o->tries) {
			struct timespec ts = {backoff_ms / 1000,
			                      (long)(backoff_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
			backoff_ms = backoff_ms * 2 > 300000 ? 300000 : backoff_ms * 2;
		}
	}
	if (ex == HU_EXIT_NOANSWER && !o->quiet)
		fprintf(stderr, "hsync-update: no answer that counts from the receiver\n");
	hs_buf_free(&msg);
	hs_buf_free(&resp);
	return ex;
}
