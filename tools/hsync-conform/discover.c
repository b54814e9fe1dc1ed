/* discover.c -- the target's published records (draft-hsync-discovery
 * section 2), looked up and validated with the same discovery code an
 * hsync agent runs (src/engine/discovery.h), on conform's loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsync-conform/conform.h"
#include "transport/query.h"
#include "util/xmalloc.h"
#include "wire/rr_hpkekey.h"
#include "wire/text.h"

struct dq {
	cf_t *c;
	uint64_t token;
};

static void query_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	struct dq *q = arg;
	cf_t *c = q->c;
	uint64_t token = q->token;

	free(q);
	if (status == HS_E_STATE || c->dsc == NULL)
		return;
	(void)disc_on_answer(c->dsc, token, status, resp, len);
	disc_tick(c->dsc);
}

static int send_query(void *arg, const char *name, uint16_t type, uint64_t token)
{
	cf_t *c = arg;
	hs_buf_t msg = HS_BUF_INIT;
	uint8_t idb[2] = {0, 0};
	tp_send_opts_t so;
	int rc;

	memset(&so, 0, sizeof(so));
	so.timeout_ms = 1000;
	so.retries = 2;
	(void)c->env->random(c->env->arg, idb, sizeof(idb));
	rc = disc_query_build(name, type, (uint16_t)(idb[0] << 8 | idb[1]), &msg);
	if (rc == HS_OK) {
		struct dq *q = xcalloc(1, sizeof(*q));
		q->c = c;
		q->token = token;
		rc = tp_send(tp_node_endpoint(c->node), &c->resolver, msg.data, msg.len, &so,
		             query_done, q, NULL);
		if (rc != HS_OK)
			free(q);
	}
	hs_buf_free(&msg);
	return rc;
}

static int settled(cf_t *c, void *arg)
{
	const disc_result_t *r = NULL;
	(void)arg;
	disc_tick(c->dsc);
	return disc_peer_result(c->dsc, c->target_id, &r) == HS_OK && r->state != DISC_PENDING;
}

/* Keep the discovered keys as the target's (for verifying and sealing). */
static int take_keys(cf_t *c, const disc_result_t *r, char *why, size_t n)
{
	uint8_t owner[WIRE_NAME_MAX];
	size_t olen = 0;
	char name[300];
	hs_hpkekey_t hk;

	snprintf(name, sizeof(name), "dns.%s", c->target_id);
	if (hs_name_from_text(name, strlen(name), owner, &olen) != HS_OK) {
		snprintf(why, n, "bad identity");
		return HS_E_NAME;
	}
	for (size_t i = 0; i < c->ntkeys; i++)
		sig0_key_free(c->tkeys[i]);
	c->ntkeys = 0;
	for (size_t i = 0; i < r->nkeys && c->ntkeys < CF_MAX_KEYS; i++)
		if (sig0_key_from_rdata(owner, olen, r->keys[i].data, r->keys[i].len,
		                        &c->tkeys[c->ntkeys], NULL) == HS_OK)
			c->ntkeys++;
	hpke_key_free(c->thpke);
	c->thpke = NULL;
	for (size_t i = 0; i < r->nhpke && c->thpke == NULL; i++)
		if (hs_hpkekey_decode(r->hpke[i].data, r->hpke[i].len, &hk, NULL) == HS_OK &&
		    hpke_key_from_public(&c->thpke, hk.kem, hk.pub, hk.pub_len) != HS_OK)
			c->thpke = NULL;
	if (c->ntkeys == 0 || c->thpke == NULL) {
		snprintf(why, n, "no usable KEY or HPKEKEY among those published");
		return HS_E_BADKEY;
	}
	return HS_OK;
}

int cf_discover_target(cf_t *c, char *why, size_t n)
{
	disc_config_t dc;
	hs_errmsg_t em;
	const disc_result_t *r = NULL;
	int rc;

	if (c->dsc != NULL) {
		if (disc_peer_result(c->dsc, c->target_id, &r) == HS_OK && r->state == DISC_OK)
			return HS_OK;
		snprintf(why, n, "the target's records were refused before");
		return HS_E_REFUSED;
	}
	if (c->anchor_file == NULL && !c->insecure_discovery) {
		snprintf(why, n, "no trust anchor: give --anchor FILE (or --insecure-discovery)");
		return HS_E_CONFIG;
	}
	if (c->anchor_file != NULL) {
		c->anchors = dv_anchors_new();
		if (dv_anchors_load_file(c->anchors, c->anchor_file, &em) != HS_OK) {
			snprintf(why, n, "--anchor: %s", hs_errmsg_str(&em));
			return HS_E_CONFIG;
		}
	}
	memset(&dc, 0, sizeof(dc));
	dc.env = c->env;
	dc.anchors = c->anchors;
	dc.insecure = c->insecure_discovery;
	dc.query = send_query;
	dc.query_arg = c;
	dc.query_timeout_ms = c->wait_ms;
	rc = disc_new(&dc, &c->dsc);
	if (rc == HS_OK)
		rc = disc_add_peer(c->dsc, c->target_id);
	if (rc != HS_OK) {
		snprintf(why, n, "discovery: %s", hs_strerror(rc));
		return rc;
	}
	disc_tick(c->dsc);
	(void)cf_wait(c, settled, NULL, 4 * c->wait_ms);
	if (disc_peer_result(c->dsc, c->target_id, &r) != HS_OK || r->state == DISC_PENDING) {
		snprintf(why, n, "no answer to the discovery queries within %u ms", 4 * c->wait_ms);
		return HS_E_TIMEOUT;
	}
	c->disc = r;
	if (r->state != DISC_OK) {
		disc_failures_str(r, why, n);
		return HS_E_REFUSED;
	}
	rc = take_keys(c, r, why, n);
	if (rc == HS_OK)
		snprintf(c->key_mode, sizeof(c->key_mode), "discovered: %s%s",
		         r->trust == DISC_TRUST_SECURE ? "DNSSEC-validated from --anchor "
		                                       : "INSECURE (--insecure-discovery)",
		         r->trust == DISC_TRUST_SECURE ? c->anchor_file : "");
	return rc;
}
