/* wire_idzone.c -- our own identity zone: signed at start, on reload and
 * before its signatures pass half their life, each signing a new version
 * in the zone machinery; answered, transferred (AXFR/IXFR to the
 * provide-xfr addresses) and NOTIFYed by the zone server like every
 * served zone. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "hpke/keyfile.h"
#include "sig0/sig0.h"

#define SUBSYS "idzone"

/* The records of our keys: KEY and HPKEKEY RDATA. */
static int key_rdata(hd_t *d, hs_buf_t *key, hs_buf_t *hpke, hs_errmsg_t *em)
{
	sig0_key_t *k = NULL;
	hpke_keyfile_t kf;
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t len = sizeof(pub), klen = 0;
	int rc;

	memset(&kf, 0, sizeof(kf));
	rc = sig0_key_load_private(d->cfg.tp.sig0_key, &k, em);
	if (rc == HS_OK)
		rc = hpke_keyfile_read(&kf, d->cfg.tp.hpke_key, em);
	if (rc == HS_OK)
		rc = hpke_key_public(pub, &len, kf.key);
	if (rc == HS_OK) {
		const uint8_t *rd = sig0_key_rdata(k, &klen);
		hs_buf_append(key, rd, klen);
		hs_buf_append_u16(hpke, kf.suite.kem);
		hs_buf_append_u16(hpke, kf.suite.kdf);
		hs_buf_append_u16(hpke, kf.suite.aead);
		hs_buf_append(hpke, pub, len);
	}
	sig0_key_free(k);
	hpke_keyfile_clear(&kf);
	return rc;
}

/* The signed records into the zone machinery: a new version of the
 * identity zone (its difference to the previous one in the journal, so
 * secondaries take an IXFR), served by the zone server, NOTIFY sent. */
static int load_into_zone(hd_t *d, const ds_zone_t *z, hs_errmsg_t *em)
{
	zn_builder_t *b = NULL;
	int rc = ds_zone_builder(z, &b, em);
	if (rc != HS_OK)
		return rc;
	if (d->idzn == NULL) {
		ldns_rdf *apex = NULL;
		if (ldns_str2rdf_dname(&apex, ds_zone_apex(z)) != LDNS_STATUS_OK ||
		    zn_zone_new(ldns_rdf_data(apex), ldns_rdf_size(apex), &d->idzn) != HS_OK) {
			ldns_rdf_deep_free(apex);
			zn_builder_free(b);
			return hs_fail(em, HS_E_NAME, "identity zone: bad apex");
		}
		ldns_rdf_deep_free(apex);
		d->idjn = zn_journal_new(NULL);
	}
	rc = zn_replace(d->idzn, d->idjn, b, hs_now_s(d->env), NULL, em);
	if (rc != HS_OK)
		return rc;
	const hd_idzone_conf_t *c = &d->cfg.idz;
	tp_zs_zone_conf_t sc = {c->xfr, c->nxfr, c->notify, c->nnotify};
	if (tp_zs_zone_set(d->zsrv, d->idzn, d->idjn, &sc) != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "identity zone: provide-xfr names an unknown key");
	size_t alen;
	const uint8_t *aw = zn_zone_apex(d->idzn, &alen);
	tp_zs_changed(d->zsrv, aw, alen);
	return HS_OK;
}

static void on_resign(void *arg);

/* Sign the zone from the running configuration; keeps the old copy on failure. */
static int sign_now(hd_t *d, const char *why, hs_errmsg_t *em)
{
	const hd_idzone_conf_t *c = &d->cfg.idz;
	hs_buf_t key = HS_BUF_INIT, hpke = HS_BUF_INIT;
	const char *listen[1] = {d->cfg.tp.listen.ip};
	ds_idzone_spec_t s;
	ds_zone_t *z = NULL;
	uint32_t now = hs_now_s(d->env);
	int rc, wild = strcmp(listen[0], "0.0.0.0") == 0 || strcmp(listen[0], "::") == 0;

	rc = key_rdata(d, &key, &hpke, em);
	if (rc != HS_OK)
		goto cleanup;
	memset(&s, 0, sizeof(s));
	s.apex = d->cfg.tp.identity;
	s.ns = (const char *const *)c->ns;
	s.nns = c->nns;
	s.addrs = c->naddrs ? (const char *const *)c->addrs : (wild ? NULL : listen);
	s.naddrs = c->naddrs ? c->naddrs : (wild ? 0 : 1);
	s.port = tp_node_port(d->node);
	s.key_rdata = key.data;
	s.key_rdlen = key.len;
	s.hpke_rdata = hpke.data;
	s.hpke_rdlen = hpke.len;
	s.ttl = c->ttl;
	s.validity = c->validity;
	rc = ds_zone_sign(&s, c->keys, now, d->idz_serial, &z, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = load_into_zone(d, z, em);
	if (rc != HS_OK) {
		ds_zone_free(z);
		goto cleanup;
	}
	ds_zone_free(d->idz);
	d->idz = z;
	d->idz_serial = ds_zone_serial(z);
	hs_log(HS_LOG_NOTICE, SUBSYS,
	       "identity zone '%s' signed (%s): serial %u, %zu rrsets, %zu keys, expires %u, "
	       "re-sign at %u",
	       ds_zone_apex(z), why, ds_zone_serial(z), ds_zone_rrset_count(z),
	       ds_keys_count(c->keys), ds_zone_expiration(z), ds_zone_resign_at(z));
	tp_timer_cancel(d->idz_timer);
	d->idz_timer = tp_timer_add(
	    d->loop, (uint64_t)(ds_zone_resign_at(z) > now ? ds_zone_resign_at(z) - now : 1) * 1000,
	    on_resign, d);
cleanup:
	hs_buf_free(&key);
	hs_buf_free(&hpke);
	return rc;
}

static void on_resign(void *arg)
{
	hd_t *d = arg;
	hs_errmsg_t em;

	d->idz_timer = NULL;
	hs_errmsg_clear(&em);
	if (sign_now(d, "timer", &em) != HS_OK) {
		hs_log(HS_LOG_ERR, SUBSYS, "identity zone not re-signed, retrying in 60 s: %s",
		       hs_errmsg_str(&em));
		d->idz_timer = tp_timer_add(d->loop, 60000, on_resign, d);
	}
}

int hd_idzone_start(hd_t *d, hs_errmsg_t *em)
{
	if (!d->cfg.idz.enable)
		return HS_OK;
	return sign_now(d, "start", em);
}

void hd_idzone_apply(hd_t *d, hd_config_t *nc)
{
	hs_errmsg_t em;

	hd_idzone_conf_clear(&d->cfg.idz);
	d->cfg.idz = nc->idz;
	memset(&nc->idz, 0, sizeof(nc->idz));
	if (!d->cfg.idz.enable) {
		if (d->idz != NULL)
			hs_log(HS_LOG_NOTICE, SUBSYS, "identity zone no longer served");
		hd_idzone_stop(d);
		return;
	}
	hs_errmsg_clear(&em);
	if (sign_now(d, "reload", &em) != HS_OK)
		hs_log(HS_LOG_ERR, SUBSYS, "identity zone not signed on reload: %s",
		       hs_errmsg_str(&em));
}

void hd_idzone_stop(hd_t *d)
{
	tp_timer_cancel(d->idz_timer);
	d->idz_timer = NULL;
	ds_zone_free(d->idz);
	d->idz = NULL;
	if (d->idzn != NULL) {
		size_t alen;
		const uint8_t *apex = zn_zone_apex(d->idzn, &alen);
		tp_zs_zone_remove(d->zsrv, apex, alen);
	}
	zn_zone_free(d->idzn);
	zn_journal_free(d->idjn);
	d->idzn = NULL;
	d->idjn = NULL;
}
