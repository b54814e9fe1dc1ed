/* setup.c -- the run's context: conform's own transport node on the
 * listen address, the target in its registry, and the loop helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsync-conform/conform.h"
#include "transport/nodeconf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/rr_hpkekey.h"

uint64_t cf_now_ms(const cf_t *c)
{
	return c->env->mono_ms(c->env->arg);
}

static int never(void *arg)
{
	(void)arg;
	return 0;
}

void cf_pump(cf_t *c, unsigned ms)
{
	(void)tp_loop_run_until(c->loop, never, NULL, ms);
}

struct wait_arg {
	cf_t *c;
	int (*cond)(cf_t *c, void *arg);
	void *arg;
};

static int wait_cond(void *arg)
{
	struct wait_arg *w = arg;
	return w->cond(w->c, w->arg);
}

int cf_wait(cf_t *c, int (*cond)(cf_t *c, void *arg), void *arg, unsigned ms)
{
	struct wait_arg w = {c, cond, arg};
	return tp_loop_run_until(c->loop, wait_cond, &w, ms) == HS_OK;
}

/* The node's configuration, written in the format every node reads so
 * that the shared rows give every default. Short timers: conform waits
 * for answers, it does not ride out outages. */
static int node_conf(cf_t *c, tp_conf_t *conf, hs_errmsg_t *em)
{
	hs_buf_t t = HS_BUF_INIT;
	int rc;

	hs_buf_printf(&t,
	              "server:\n"
	              "    identity: %s\n"
	              "    listen: %s@%u\n"
	              "    store: \"%s/store.db\"\n"
	              "    sig0-key: \"%s\"\n"
	              "    hpke-key: \"%s\"\n"
	              "transport:\n"
	              "    timeout: 1s\n"
	              "    retries: 2\n"
	              "    retry-min: 300ms\n"
	              "    retry-max: 2s\n"
	              "    fetch-timeout: 10s\n"
	              "    chunk-size: 1000\n"
	              "    budget-rate: 100000\n"
	              "    budget-burst: 100000\n",
	              c->self, c->listen_ip, (unsigned)c->listen_port, c->workdir, c->sig0_path,
	              c->hpke_path);
	rc = tp_conf_parse((const char *)t.data, t.len, NULL, conf, em);
	hs_buf_free(&t);
	return rc;
}

int cf_setup(cf_t *c, hs_errmsg_t *em)
{
	tp_conf_t conf;
	tp_node_hooks_t hooks;
	tp_node_opts_t opts;
	char tmpl[] = "/tmp/hsync-conform.XXXXXX";
	int rc;

	memset(&conf, 0, sizeof(conf));
	c->env = hs_env_system();
	rc = cf_keys_load(c, em);
	if (rc != HS_OK)
		return rc;
	if (mkdtemp(tmpl) == NULL)
		return hs_fail(em, HS_E_IO, "cannot make a work directory under /tmp");
	c->workdir = xstrdup(tmpl);
	rc = tp_loop_new(&c->loop);
	if (rc != HS_OK)
		return hs_fail(em, rc, "cannot start the event loop");
	rc = node_conf(c, &conf, em);
	if (rc != HS_OK)
		return rc;
	memset(&hooks, 0, sizeof(hooks));
	hooks.on_inbox = cf_on_inbox;
	hooks.on_outcome = cf_on_outcome;
	hooks.arg = c;
	memset(&opts, 0, sizeof(opts));
	opts.listen_port = c->listen_port ? c->listen_port : TP_NODE_ANY_PORT;
	rc = tp_node_new(c->loop, &conf, c->env, &hooks, &opts, &c->node, em);
	tp_conf_clear(&conf);
	if (rc != HS_OK)
		return rc;
	c->listen_port = tp_node_port(c->node);
	return cf_serve_start(c, em);
}

void cf_teardown(cf_t *c)
{
	cf_serve_stop(c);
	tp_node_free(c->node);
	c->node = NULL;
	tp_loop_free(c->loop);
	c->loop = NULL;
	if (c->workdir != NULL) {
		char *p = xasprintf("%s/store.db", c->workdir);
		static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
		for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			char *q = xasprintf("%s%s", p, sfx[i]);
			(void)unlink(q);
			free(q);
		}
		free(p);
		(void)rmdir(c->workdir);
		free(c->workdir);
		c->workdir = NULL;
	}
	for (size_t i = 0; i < c->ntkeys; i++)
		sig0_key_free(c->tkeys[i]);
	c->ntkeys = 0;
	hpke_key_free(c->thpke);
	c->thpke = NULL;
	disc_free(c->dsc);
	c->dsc = NULL;
	dv_anchors_free(c->anchors);
	c->anchors = NULL;
	sig0_key_free(c->sig0);
	hpke_key_free(c->hpke);
	ds_keys_free(c->dkeys);
	free(c->sig0_path);
	free(c->hpke_path);
	free(c->dnssec_path);
	for (size_t i = 0; i < c->nmsgs; i++) {
		free(c->msgs[i]->body);
		free(c->msgs[i]);
	}
	free(c->msgs);
	for (size_t i = 0; i < c->nreqs; i++)
		free(c->reqs[i].msg);
	free(c->reqs);
	free(c->outs);
}

/* --target-key / --target-hpkekey: record text or file, read like a
 * static peer block (nodeconf) so both accept the same forms. */
static int explicit_keys(cf_t *c, hs_errmsg_t *em)
{
	tp_conf_peer_t p;
	sig0_key_t **keys = NULL;
	size_t n = 0, i;
	hs_buf_t rd = HS_BUF_INIT;
	hs_hpkekey_t hk;
	int rc;

	memset(&p, 0, sizeof(p));
	snprintf(p.identity, sizeof(p.identity), "%s", c->target_id);
	for (i = 0; i < c->ntarget_key_args && i < TP_CONF_MAX_MULTI; i++) {
		if (strchr(c->target_key_args[i], ' ') != NULL)
			p.keys.v[p.keys.n++] = (char *)c->target_key_args[i];
		else
			p.key_files.v[p.key_files.n++] = (char *)c->target_key_args[i];
	}
	if (strchr(c->target_hpke_arg, ' ') != NULL)
		p.hpkekey = (char *)c->target_hpke_arg;
	else
		p.hpkekey_file = (char *)c->target_hpke_arg;
	rc = tp_conf_peer_keys(&p, &keys, &n, em);
	if (rc != HS_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (c->ntkeys < CF_MAX_KEYS)
			c->tkeys[c->ntkeys++] = keys[i];
		else
			sig0_key_free(keys[i]);
	}
	free(keys);
	rc = tp_conf_peer_hpkekey(&p, &rd, em);
	if (rc == HS_OK)
		rc = hs_hpkekey_decode(rd.data, rd.len, &hk, em);
	if (rc == HS_OK)
		rc = hpke_key_from_public(&c->thpke, hk.kem, hk.pub, hk.pub_len);
	hs_buf_free(&rd);
	if (rc != HS_OK)
		return hs_fail(em, rc, "--target-hpkekey: not a usable HPKEKEY");
	snprintf(c->key_mode, sizeof(c->key_mode),
	         "explicit keys (--target-key, --target-hpkekey): no discovery");
	return HS_OK;
}

/* Give the node copies of the target's keys (the registry owns them). */
int cf_target_install(cf_t *c, hs_errmsg_t *em)
{
	sig0_key_t *copies[CF_MAX_KEYS] = {0};
	hpke_key_t *h = NULL;
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t plen = sizeof(pub), i;
	int rc = HS_OK;

	if (c->installed)
		return HS_OK;
	if (c->ntkeys == 0 && c->thpke == NULL && c->ntarget_key_args > 0) {
		rc = explicit_keys(c, em);
		if (rc != HS_OK)
			return rc;
	}
	if (c->ntkeys == 0 || c->thpke == NULL)
		return hs_fail(em, HS_E_NOKEY, "the target's KEY and HPKEKEY are not known");
	for (i = 0; i < c->ntkeys && rc == HS_OK; i++) {
		size_t olen = 0, rlen = 0;
		const uint8_t *o = sig0_key_owner(c->tkeys[i], &olen);
		const uint8_t *r = sig0_key_rdata(c->tkeys[i], &rlen);
		rc = sig0_key_from_rdata(o, olen, r, rlen, &copies[i], em);
	}
	if (rc == HS_OK)
		rc = hpke_key_public(pub, &plen, c->thpke);
	if (rc == HS_OK)
		rc = hpke_key_from_public(&h, HPKE_KEM_X25519_SHA256, pub, plen);
	if (rc == HS_OK)
		rc = tp_node_set_peer(c->node, c->target_id, c->target_ip, c->target_port, copies,
		                      c->ntkeys, h);
	if (rc != HS_OK) {
		for (i = 0; i < CF_MAX_KEYS; i++)
			sig0_key_free(copies[i]);
		hpke_key_free(h);
		return hs_fail(em, rc, "cannot register the target: %s", hs_strerror(rc));
	}
	c->installed = 1;
	return HS_OK;
}
