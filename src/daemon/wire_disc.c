/* wire_disc.c -- discovery on the loop: queries to the configured
 * resolver over the node's endpoint; a validated result becomes the
 * peer's address and keys in the transport, then eng_peer_discovered. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/hd_int.h"
#include "hpke/hpke.h"
#include "transport/query.h"
#include "wire/cursor.h"
#include "wire/rr_hpkekey.h"
#include "wire/text.h"
#include "util/xmalloc.h"

#define SUBSYS "discovery"

struct dq {
	hd_t *d;
	uint64_t token;
};

static void query_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct dq *q = arg;
	hd_t *d = q->d;
	uint64_t token = q->token;

	free(q);
	if (status == HS_E_STATE) /* the endpoint is going */
		return;
	(void)disc_on_answer(d->disc, token, status, resp, len);
	hd_pump(d);
}

static int send_query(void *arg, const char *name, uint16_t type, uint64_t token)
{
	hd_t *d = arg;
	hs_buf_t msg = HS_BUF_INIT;
	uint8_t idb[2] = {0};
	tp_send_opts_t so;
	struct dq *q;
	int rc;

	memset(&so, 0, sizeof(so));
	so.timeout_ms = 2000;
	so.retries = 2;
	(void)d->env->random(d->env->arg, idb, sizeof(idb));
	rc = disc_query_build(name, type, (uint16_t)(idb[0] << 8 | idb[1]), &msg);
	if (rc == HS_OK) {
		q = xcalloc(1, sizeof(*q));
		q->d = d;
		q->token = token;
		rc = tp_send(tp_node_endpoint(d->node), &d->cfg.resolver, msg.data, msg.len, &so,
		             query_done, q, NULL);
		if (rc != HS_OK)
			free(q);
	}
	hs_buf_free(&msg);
	return rc;
}

/* The wire form of "dns.<identity>" (owner of the peer's KEY). */
static int key_owner(const char *identity, uint8_t *out, size_t *len)
{
	char name[300];

	snprintf(name, sizeof(name), "dns.%s", identity);
	return hs_name_from_text(name, strlen(name), out, len);
}

/* Hand a validated result to the transport registry. */
static int install_peer(hd_t *d, const char *identity, const disc_result_t *r, char *why,
                        size_t whylen)
{
	sig0_key_t *keys[DISC_MAX_KEYS] = {0};
	hpke_key_t *hk = NULL;
	hs_hpkekey_t hp;
	hs_errmsg_t em;
	uint8_t owner[WIRE_NAME_MAX];
	size_t i, olen = 0, nkeys = 0, ai;
	char ip[64];
	tp_peer_addr_t self;
	int rc, fam;

	hs_errmsg_clear(&em);
	tp_endpoint_addr(tp_node_endpoint(d->node), &self);
	fam = strchr(d->cfg.tp.listen.ip, ':') != NULL ? AF_INET6 : AF_INET;
	for (ai = 0; ai < r->naddrs && r->addrs[ai].family != fam; ai++)
		;
	if (ai == r->naddrs) {
		snprintf(why, whylen, "no address of our family");
		return HS_E_NOTFOUND;
	}
	inet_ntop(fam, r->addrs[ai].addr, ip, sizeof(ip));
	rc = key_owner(identity, owner, &olen);
	for (i = 0; rc == HS_OK && i < r->nkeys; i++) {
		rc = sig0_key_from_rdata(owner, olen, r->keys[i].data, r->keys[i].len, &keys[nkeys],
		                         &em);
		if (rc == HS_OK)
			nkeys++;
		else
			rc = HS_OK; /* skip a key we cannot use */
	}
	if (nkeys == 0) {
		snprintf(why, whylen, "no usable KEY");
		rc = HS_E_BADKEY;
		goto cleanup;
	}
	rc = HS_E_BADKEY;
	for (i = 0; i < r->nhpke && hk == NULL; i++)
		if (hs_hpkekey_decode(r->hpke[i].data, r->hpke[i].len, &hp, &em) == HS_OK &&
		    hpke_key_from_public(&hk, hp.kem, hp.pub, hp.pub_len) == HS_OK)
			rc = HS_OK;
	if (rc != HS_OK) {
		snprintf(why, whylen, "no usable HPKEKEY");
		goto cleanup;
	}
	rc = tp_node_set_peer(d->node, identity, ip, r->port, keys, nkeys, hk);
	if (rc == HS_OK) {
		memset(keys, 0, sizeof(keys));
		hk = NULL;
		hs_log(HS_LOG_INFO, SUBSYS, "peer '%s' at %s port %u, %zu key(s), %s", identity, ip,
		       (unsigned)r->port, nkeys, disc_trust_str(r->trust));
	} else {
		snprintf(why, whylen, "transport: %s", hs_strerror(rc));
	}
cleanup:
	for (i = 0; i < DISC_MAX_KEYS; i++)
		sig0_key_free(keys[i]);
	hpke_key_free(hk);
	return rc;
}

static void on_change(void *arg, const char *identity, const disc_result_t *r)
{
	hd_t *d = arg;
	char why[512] = "";

	if (r->state == DISC_PENDING)
		return;
	if (r->state == DISC_OK) {
		if (r->trust == DISC_TRUST_INSECURE_LAB)
			hs_log(HS_LOG_WARN, SUBSYS,
			       "peer '%s' accepted WITHOUT DNSSEC (insecure mode)", identity);
		if (install_peer(d, identity, r, why, sizeof(why)) == HS_OK) {
			hd_ignore(eng_peer_discovered(d->eng, identity, 1, ""));
			return;
		}
		hs_log(HS_LOG_NOTICE, SUBSYS, "peer '%s' not usable: %s", identity, why);
	} else {
		disc_failures_str(r, why, sizeof(why)); /* discovery logged it */
	}
	hd_ignore(eng_peer_discovered(d->eng, identity, 0, why));
}

int hd_disc_start(hd_t *d, hs_errmsg_t *em)
{
	disc_config_t dc;
	int rc;

	memset(&dc, 0, sizeof(dc));
	dc.env = d->env;
	dc.anchors = d->cfg.anchors;
	dc.insecure = d->cfg.insecure;
	dc.query = send_query;
	dc.query_arg = d;
	dc.on_change = on_change;
	dc.change_arg = d;
	/* retries: the draft's 5 s doubling to 300 s (the defaults); discovery
	 * owns this schedule alone and logs it (AG-9, DISC-14) */
	dc.query_timeout_ms = 8000;
	rc = disc_new(&dc, &d->disc);
	if (rc != HS_OK)
		return hs_fail(em, rc, "discovery: %s", hs_strerror(rc));
	return HS_OK;
}
