/* node_keys.c -- the node's own key pairs and its static peer registry. */
#include <stdlib.h>
#include <string.h>

#include "transport/names.h"
#include "transport/node_int.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/rr_hpkekey.h"

int node_load_keys(tp_node_t *n, const tp_conf_t *conf, hs_errmsg_t *em)
{
	hs_errmsg_t sub;
	int rc;

	rc = sig0_key_load_private(conf->sig0_key, &n->sig0, &sub);
	if (rc != HS_OK)
		return hs_fail(em, rc, "sig0-key: %s", hs_errmsg_str(&sub));
	if (!tp_signer_name_ok(sig0_key_owner_text(n->sig0), n->identity))
		return hs_fail(em, HS_E_CONFIG, "sig0-key: owner \"%s\" is not \"dns.%s\"",
		               sig0_key_owner_text(n->sig0), n->identity);
	rc = hpke_keyfile_read(&n->hpke, conf->hpke_key, &sub);
	if (rc != HS_OK)
		return hs_fail(em, rc, "hpke-key: %s", hs_errmsg_str(&sub));
	return HS_OK;
}

static int add_peer(tp_registry_t *reg, const tp_conf_peer_t *p, hs_errmsg_t *em)
{
	sig0_key_t **keys = NULL;
	size_t nkeys = 0, i;
	hs_buf_t rd = HS_BUF_INIT;
	hs_hpkekey_t hk;
	hpke_key_t *hpub = NULL;
	int rc;

	rc = tp_registry_add(reg, p->identity, p->address.ip, p->address.port);
	if (rc != HS_OK) {
		rc = hs_fail(em, HS_E_CONFIG, "peer \"%s\": %s", p->identity, hs_strerror(rc));
		goto cleanup;
	}
	rc = tp_conf_peer_keys(p, &keys, &nkeys, em);
	if (rc != HS_OK)
		goto cleanup;
	for (i = 0; i < nkeys; i++) {
		rc = tp_registry_add_sig0(reg, p->identity, keys[i]);
		if (rc != HS_OK) {
			rc = hs_fail(em, HS_E_CONFIG, "peer \"%s\": key: %s", p->identity,
			             hs_strerror(rc));
			goto cleanup;
		}
		keys[i] = NULL; /* the registry owns it */
	}
	rc = tp_conf_peer_hpkekey(p, &rd, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = hs_hpkekey_decode(rd.data, rd.len, &hk, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = hpke_key_from_public(&hpub, hk.kem, hk.pub, hk.pub_len);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc, "peer \"%s\": hpkekey: %s", p->identity, hs_strerror(rc));
		goto cleanup;
	}
	rc = tp_registry_set_hpke(reg, p->identity, hpub);
	if (rc != HS_OK) {
		rc = hs_fail(em, HS_E_CONFIG, "peer \"%s\": hpkekey: %s", p->identity,
		             hs_strerror(rc));
		goto cleanup;
	}
	hpub = NULL;
cleanup:
	for (i = 0; i < nkeys; i++)
		sig0_key_free(keys[i]);
	free(keys);
	hpke_key_free(hpub);
	hs_buf_free(&rd);
	return rc;
}

int node_load_registry(tp_node_t *n, const tp_conf_t *conf, hs_errmsg_t *em)
{
	size_t i;
	int rc;

	n->reg = tp_registry_new();
	for (i = 0; i < conf->npeers; i++) {
		rc = add_peer(n->reg, &conf->peers[i], em);
		if (rc != HS_OK)
			return rc;
	}
	return HS_OK;
}

void node_unload(tp_node_t *n)
{
	tp_registry_free(n->reg);
	n->reg = NULL;
	sig0_key_free(n->sig0);
	n->sig0 = NULL;
	hpke_keyfile_clear(&n->hpke);
}
