/* wire_idzone.c -- our own identity zone: signed at start, on reload and
 * before its signatures pass half their life; plain queries for it
 * answered ahead of the transport; AXFR to the provide-xfr addresses;
 * NOTIFY to the configured secondaries after every signing. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hd_int.h"
#include "hpke/keyfile.h"
#include "sig0/sig0.h"

#define SUBSYS        "idzone"
#define OPCODE_QUERY  0
#define OPCODE_NOTIFY 4
#define T_SOA         6
#define T_IXFR        251
#define T_AXFR        252
#define T_CHUNK       65288
#define RCODE_REFUSED 5

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

static void notify_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	(void)arg;
	(void)resp;
	(void)len;
	if (status != HS_OK)
		hs_log(HS_LOG_INFO, SUBSYS, "notify not answered: %s", hs_strerror(status));
}

/* NOTIFY (opcode 4, AA, apex SOA) to every configured secondary. */
static void send_notifies(hd_t *d)
{
	const hd_idzone_conf_t *c = &d->cfg.idz;
	ldns_rdf *apex = NULL;
	hs_buf_t m = HS_BUF_INIT;
	uint8_t idb[2];
	size_t i;

	if (c->nnotify == 0 || ldns_str2rdf_dname(&apex, ds_zone_apex(d->idz)) != LDNS_STATUS_OK)
		return;
	for (i = 0; i < c->nnotify; i++) {
		char where[80];
		if (d->env->random(d->env->arg, idb, 2) != HS_OK)
			break;
		hs_buf_reset(&m);
		hs_buf_append(&m, idb, 2);
		hs_buf_append_u16(&m, (uint16_t)(OPCODE_NOTIFY << 11 | 0x0400));
		hs_buf_append_u16(&m, 1);
		hs_buf_append_u16(&m, 0);
		hs_buf_append_u16(&m, 0);
		hs_buf_append_u16(&m, 0);
		hs_buf_append(&m, ldns_rdf_data(apex), ldns_rdf_size(apex));
		hs_buf_append_u16(&m, T_SOA);
		hs_buf_append_u16(&m, 1);
		tp_peer_addr_str(&c->notify[i], where, sizeof(where));
		if (tp_send(tp_node_endpoint(d->node), &c->notify[i], m.data, m.len, NULL,
		            notify_done, NULL, NULL) != HS_OK)
			hs_log(HS_LOG_WARN, SUBSYS, "cannot notify '%s'", where);
		else
			hs_log(HS_LOG_INFO, SUBSYS, "notify for '%s' sent to '%s'",
			       ds_zone_apex(d->idz), where);
	}
	ldns_rdf_deep_free(apex);
	hs_buf_free(&m);
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
	send_notifies(d);
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
}

/* provide-xfr: the address (any port) is listed. */
static int xfr_allowed(const hd_idzone_conf_t *c, const tp_peer_addr_t *src)
{
	size_t i;

	for (i = 0; i < c->nxfr; i++) {
		const struct sockaddr_storage *a = &c->xfr[i].ss, *b = &src->ss;
		if (a->ss_family != b->ss_family)
			continue;
		if (a->ss_family == AF_INET &&
		    memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		           &((const struct sockaddr_in *)b)->sin_addr, 4) == 0)
			return 1;
		if (a->ss_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		           &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0)
			return 1;
	}
	return 0;
}

int hd_idzone_request(hd_t *d, const tp_peer_addr_t *src, int proto, size_t limit,
                      const tp_req_info_t *ri, hs_buf_t *reply)
{
	ds_query_t q;
	char from[80];
	int rc;

	/* only plain queries for zone data: NOTIFYs, CHUNK, anything carrying
	 * more than an OPT (SIG(0), TSIG) stay the transport's */
	if (d->idz == NULL || !ri->has_question || ((ri->flags >> 11) & 0xf) != OPCODE_QUERY ||
	    ri->qtype == T_CHUNK || ri->arcount > (ri->has_opt ? 1 : 0) ||
	    !ds_zone_covers(d->idz, ri->qname, ri->qname_len))
		return 0;
	memset(&q, 0, sizeof(q));
	q.id = ri->id;
	q.flags = ri->flags;
	q.qname = ri->qname;
	q.qname_len = ri->qname_len;
	q.qtype = ri->qtype;
	q.qclass = ri->qclass;
	q.has_opt = ri->has_opt;
	q.dnssec_ok = ri->has_opt && (ri->edns_flags & 0x8000) != 0;
	q.limit = limit;
	q.tcp = proto == TP_EP_TCP;
	d->idz_queries++;
	if (ri->has_opt && ri->edns_version != 0) /* RFC 6891 6.1.3: we speak version 0 */
		rc = ds_reply_rcode(&q, DS_RCODE_BADVERS, 0, reply);
	else if ((ri->qtype == T_AXFR || ri->qtype == T_IXFR) && proto == TP_EP_TCP) {
		tp_peer_addr_str(src, from, sizeof(from));
		if (!xfr_allowed(&d->cfg.idz, src)) {
			d->idz_refused++;
			hs_log(HS_LOG_NOTICE, SUBSYS, "zone transfer of '%s' to '%s' refused",
			       ds_zone_apex(d->idz), from);
			rc = ds_reply_rcode(&q, RCODE_REFUSED, 0, reply);
		} else {
			d->idz_xfrs++;
			tp_node_request_accepted(d->node); /* an allowed transfer: TCP-2 */
			rc = ds_zone_axfr(d->idz, &q, reply);
			hs_log(HS_LOG_INFO, SUBSYS, "zone transfer of '%s' serial %u to '%s': %s",
			       ds_zone_apex(d->idz), ds_zone_serial(d->idz), from, hs_strerror(rc));
		}
	} else {
		rc = ds_zone_answer(d->idz, &q, reply);
	}
	if (rc != HS_OK)
		reply->len = 0; /* no answer */
	return 1;
}
