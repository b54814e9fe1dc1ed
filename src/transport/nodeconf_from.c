/*
 * nodeconf_from.c -- a parsed configuration (util/conf) into a tp_conf_t:
 * the values of the rows into fields, and the checks that the rows
 * alone cannot make (identities, key texts, completeness of a peer).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/nodeconf.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/text.h"

/* Each numeric transport option and its field (a duration in ms). */
static const struct knob {
	const char *name;
	size_t off;
} knobs[] = {
    {"inline-limit", offsetof(tp_conf_t, inline_limit)},
    {"chunk-size", offsetof(tp_conf_t, chunk_size)},
    {"udp-max", offsetof(tp_conf_t, udp_max)},
    {"timeout", offsetof(tp_conf_t, timeout_ms)},
    {"retries", offsetof(tp_conf_t, retries)},
    {"replay-window", offsetof(tp_conf_t, replay_window)},
    {"expiry", offsetof(tp_conf_t, expiry)},
    {"max-in-flight", offsetof(tp_conf_t, max_in_flight)},
    {"retry-min", offsetof(tp_conf_t, retry_min_ms)},
    {"retry-max", offsetof(tp_conf_t, retry_max_ms)},
    {"fetch-timeout", offsetof(tp_conf_t, fetch_timeout_ms)},
    {"budget-rate", offsetof(tp_conf_t, budget_rate)},
    {"budget-burst", offsetof(tp_conf_t, budget_burst)},
    {"unproven-rate", offsetof(tp_conf_t, unproven_rate)},
    {"unproven-burst", offsetof(tp_conf_t, unproven_burst)},
    {"rrl-rate", offsetof(tp_conf_t, rrl_rate)},
    {"rrl-slip", offsetof(tp_conf_t, rrl_slip)},
    {"log-interval", offsetof(tp_conf_t, log_interval_ms)},
    {"tcp-max-conns", offsetof(tp_conf_t, tcp_max_conns)},
    {"tcp-max-per-source", offsetof(tp_conf_t, tcp_max_per_source)},
    {"tcp-idle", offsetof(tp_conf_t, tcp_idle_ms)},
    {"dist-memory", offsetof(tp_conf_t, dist_memory_mib)},
    {"fetch-memory", offsetof(tp_conf_t, fetch_memory_mib)},
    {"answer-rate", offsetof(tp_conf_t, answer_rate)},
};

struct from {
	const conf_t *cf;
	const char *basedir;
	hs_errmsg_t *em;
};

/* "FILE:LINE: text" (no line when `line` is 0), as util/conf writes them. */
static int ferr(const struct from *f, int code, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int ferr(const struct from *f, int code, unsigned line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line != 0)
		return hs_fail(f->em, code, "%s:%u: %s", conf_file(f->cf), line, msg);
	return hs_fail(f->em, code, "%s: %s", conf_file(f->cf), msg);
}

/* `s` as a canonical identity (lowercase, absolute, no escapes; not the
 * root) in `out`. */
static int canon_name(const char *s, char out[TP_CONF_NAME_MAX])
{
	uint8_t wire[WIRE_NAME_MAX];
	size_t wl;
	hs_buf_t b = HS_BUF_INIT;
	int rc = HS_E_NAME;

	if (s[0] == '\0' || hs_name_from_text(s, strlen(s), wire, &wl) != HS_OK || wl <= 1)
		return HS_E_NAME;
	for (size_t i = 0; i < wl; i++)
		if (wire[i] >= 'A' && wire[i] <= 'Z')
			wire[i] = (uint8_t)(wire[i] - 'A' + 'a');
	hs_name_print(&b, wire, wl);
	if (b.len < TP_CONF_NAME_MAX && strpbrk(hs_buf_cstr(&b), "\\ \"") == NULL) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
		rc = HS_OK;
	}
	hs_buf_free(&b);
	return rc;
}

static int take_identity(const struct from *f, const conf_sec_t *s, const char *sec,
                         char out[TP_CONF_NAME_MAX])
{
	const conf_val_t *v = conf_val(s, "identity", 0);

	if (v == NULL)
		return ferr(f, HS_E_CONFIG, conf_sec_line(s), "%s.identity: missing", sec);
	if (canon_name(v->text, out) != HS_OK)
		return ferr(f, HS_E_CONFIG, v->line, "%s.identity: '%s' is not an identity", sec,
		            v->text);
	return HS_OK;
}

static void take_addr(const conf_addr_t *a, tp_conf_addr_t *out)
{
	const void *p;

	if (a->ss.ss_family == AF_INET)
		p = &((const struct sockaddr_in *)&a->ss)->sin_addr;
	else
		p = &((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
	if (inet_ntop(a->ss.ss_family, p, out->ip, sizeof(out->ip)) == NULL)
		out->ip[0] = '\0'; /* cannot happen: util/conf parsed it */
	out->port = a->port;
}

/* A path as written, or joined to the base directory when relative. */
static char *take_path(const struct from *f, const char *v)
{
	if (v == NULL)
		return NULL;
	if (f->basedir == NULL || f->basedir[0] == '\0' || v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", f->basedir, v);
}

static int from_server(const struct from *f, tp_conf_t *c)
{
	const conf_sec_t *s = conf_sec_at(f->cf, "server", 0);
	const conf_sec_t *t = conf_sec_at(f->cf, "transport", 0);
	const conf_val_t *rmin = conf_val(t, "retry-min", 0), *rmax = conf_val(t, "retry-max", 0);
	int rc = take_identity(f, s, "server", c->identity);

	if (rc != HS_OK)
		return rc;
	take_addr(conf_addr(s, "listen"), &c->listen);
	c->store = take_path(f, conf_str(s, "store"));
	c->sig0_key = take_path(f, conf_str(s, "sig0-key"));
	c->hpke_key = take_path(f, conf_str(s, "hpke-key"));
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const conf_val_t *v = conf_val(t, knobs[i].name, 0); /* every row has a default */
		*(unsigned *)((char *)c + knobs[i].off) = v != NULL ? (unsigned)v->i : 0;
	}
	if (c->retry_min_ms > c->retry_max_ms)
		return ferr(f, HS_E_CONFIG, rmin->line ? rmin->line : rmax->line,
		            "transport.retry-min: %ums above retry-max %ums", c->retry_min_ms,
		            c->retry_max_ms);
	return HS_OK;
}

/* The values of repeatable option `name` (paths when `path`, else texts
 * checked by sig0_key_from_rr_text) into `out`. */
static int take_multi(const struct from *f, const conf_sec_t *s, const char *sec, const char *name,
                      int path, tp_conf_strs_t *out)
{
	size_t n = conf_count(s, name);

	for (size_t i = 0; i < n; i++) {
		const conf_val_t *v = conf_val(s, name, i);
		if (i == TP_CONF_MAX_MULTI)
			return ferr(f, HS_E_LIMIT, v->line, "%s.%s: more than %d values", sec, name,
			            TP_CONF_MAX_MULTI);
		if (!path) {
			sig0_key_t *k = NULL;
			hs_errmsg_t sub;
			hs_errmsg_clear(&sub);
			int rc = sig0_key_from_rr_text(v->text, &k, &sub);
			sig0_key_free(k);
			if (rc != HS_OK)
				return ferr(f, HS_E_CONFIG, v->line, "%s.%s: %s", sec, name,
				            hs_errmsg_str(&sub));
		}
		out->v[out->n++] = path ? take_path(f, v->text) : xstrdup(v->text);
	}
	return HS_OK;
}

static int from_peer(const struct from *f, const conf_sec_t *s, const char *sec, const char *self,
                     tp_conf_peer_t *p)
{
	unsigned line = conf_sec_line(s);
	const conf_val_t *hk = conf_val(s, "hpkekey", 0), *ad = conf_val(s, "address", 0);
	int rc = take_identity(f, s, sec, p->identity);

	if (rc != HS_OK)
		return rc;
	if (self != NULL && strcmp(p->identity, self) == 0)
		return ferr(f, HS_E_CONFIG, conf_val(s, "identity", 0)->line,
		            "%s.identity: '%s' is this node", sec, p->identity);
	if (ad == NULL)
		return ferr(f, HS_E_CONFIG, line, "%s.address: missing", sec);
	take_addr(&ad->addr, &p->address);
	if (p->address.port == 0)
		return ferr(f, HS_E_CONFIG, ad->line, "%s.address: port 0", sec);
	rc = take_multi(f, s, sec, "key", 0, &p->keys);
	if (rc == HS_OK)
		rc = take_multi(f, s, sec, "key-file", 1, &p->key_files);
	if (rc != HS_OK)
		return rc;
	if (hk != NULL) {
		hs_buf_t rd = HS_BUF_INIT;
		hs_errmsg_t sub;
		hs_errmsg_clear(&sub);
		rc = tp_conf_hpkekey_text(hk->text, &rd, &sub);
		hs_buf_free(&rd);
		if (rc != HS_OK)
			return ferr(f, HS_E_CONFIG, hk->line, "%s.hpkekey: %s", sec,
			            hs_errmsg_str(&sub));
		p->hpkekey = xstrdup(hk->text);
	}
	p->hpkekey_file = take_path(f, conf_str(s, "hpkekey-file"));
	if (p->keys.n + p->key_files.n == 0)
		return ferr(f, HS_E_CONFIG, line, "%s '%s': needs key or key-file", sec,
		            p->identity);
	if ((p->hpkekey != NULL) == (p->hpkekey_file != NULL))
		return ferr(f, HS_E_CONFIG, line,
		            "%s '%s': needs exactly one of hpkekey and hpkekey-file", sec,
		            p->identity);
	return HS_OK;
}

static int from_peers(const struct from *f, tp_conf_t *c)
{
	size_t n = conf_sec_count(f->cf, "peer");

	if (n > TP_CONF_MAX_PEERS)
		return ferr(f, HS_E_LIMIT,
		            conf_sec_line(conf_sec_at(f->cf, "peer", TP_CONF_MAX_PEERS)),
		            "more than %d peers", TP_CONF_MAX_PEERS);
	c->peers = n ? xcalloc(n, sizeof(*c->peers)) : NULL;
	for (size_t i = 0; i < n; i++) {
		c->npeers++; /* counted first: tp_conf_clear frees what is filled */
		int rc =
		    from_peer(f, conf_sec_at(f->cf, "peer", i), "peer", c->identity, &c->peers[i]);
		if (rc != HS_OK)
			return rc;
	}
	return HS_OK;
}

int tp_conf_from(const conf_t *cf, const char *basedir, tp_conf_t *out, hs_errmsg_t *em)
{
	struct from f = {cf, basedir, em};
	tp_conf_t c;
	int rc;

	memset(&c, 0, sizeof(c));
	if (cf == NULL || out == NULL)
		return hs_fail(em, HS_E_INVAL, "no configuration");
	rc = from_server(&f, &c);
	if (rc == HS_OK)
		rc = from_peers(&f, &c);
	if (rc != HS_OK) {
		tp_conf_clear(&c);
		return rc;
	}
	*out = c;
	return HS_OK;
}

int tp_conf_peer_from(const conf_t *cf, const char *section, size_t index, const char *basedir,
                      const char *self, tp_conf_peer_t *out, hs_errmsg_t *em)
{
	struct from f = {cf, basedir, em};
	tp_conf_peer_t p;
	const conf_sec_t *s;
	int rc;

	memset(&p, 0, sizeof(p));
	if (cf == NULL || section == NULL || out == NULL ||
	    (s = conf_sec_at(cf, section, index)) == NULL)
		return hs_fail(em, HS_E_INVAL, "no section '%s'", section ? section : "");
	rc = from_peer(&f, s, section, self, &p);
	if (rc != HS_OK) {
		tp_conf_peer_clear(&p);
		return rc;
	}
	*out = p;
	return HS_OK;
}

const tp_conf_peer_t *tp_conf_peer_find(const tp_conf_t *c, const char *identity)
{
	char canon[TP_CONF_NAME_MAX];

	if (c == NULL || identity == NULL || canon_name(identity, canon) != HS_OK)
		return NULL;
	for (size_t i = 0; i < c->npeers; i++)
		if (strcmp(c->peers[i].identity, canon) == 0)
			return &c->peers[i];
	return NULL;
}
