/* wire_parent_sign.c -- role parent, backend serve with parent.sign on
 * (draft-hsync-parent PS-42): the parent zone hsyncd serves is signed
 * with the signer's code (src/dnssec/zsign: NSEC, ECDSAP256SHA256). One
 * CSK, kept in the store (st_dkey, role CSK, active; made at the first
 * start); the unsigned zone (the backend's copy, where every accepted
 * change lands) plus the DNSKEY is signed after each change and served
 * as its own version (served.c: journal, IXFR, NOTIFY, the store), and
 * re-signed before the signatures come within a quarter of their
 * validity of expiring. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/wire_parent_int.h"
#include "dnssec/zsign.h"
#include "util/xmalloc.h"

struct hdp_sign {
	zs_signer_t *zs;
	zs_key_t *key;
	int64_t refresh_at; /* Unix seconds; 0 = none */
	uint64_t signs;
};

/* The zone's CSK from the store, or a new one stored as active. */
static int load_key(hd_t *d, const char *zone, zs_key_t **out, hs_errmsg_t *em)
{
	st_t *st = tp_node_store(d->node);
	st_dkey_list_t l;
	hs_buf_t priv = HS_BUF_INIT;
	zs_key_t *k = NULL;
	const uint8_t *rd;
	size_t len;
	int rc = st_dkey_list(st, zone, ST_WITH_PRIVATE, &l);
	if (rc != HS_OK)
		return hs_fail(em, rc, "parent zone keys not read from the store");
	for (size_t i = 0; i < l.n && k == NULL; i++)
		if (l.v[i].role == ST_DKEY_CSK && l.v[i].state == ST_DKEY_ACTIVE &&
		    l.v[i].priv != NULL)
			if (zs_key_from_private(l.v[i].dnskey, l.v[i].dnskey_len, l.v[i].priv,
			                        l.v[i].privlen, &k, NULL) != HS_OK)
				k = NULL;
	st_dkey_list_free(&l);
	if (k != NULL) {
		*out = k;
		return HS_OK;
	}
	rc = zs_key_generate(13, 257, &k, em);
	if (rc == HS_OK)
		rc = zs_key_private(k, &priv);
	rd = rc == HS_OK ? zs_key_dnskey(k, &len) : NULL;
	if (rc == HS_OK)
		rc = st_dkey_add(st, zone, ST_DKEY_CSK, rd, len, priv.data, priv.len,
		                 ST_DKEY_ACTIVE, hs_now_s(d->env), "parent zone signing key");
	hs_buf_free(&priv);
	if (rc != HS_OK) {
		zs_key_free(k);
		return hs_fail(em, rc, "parent zone key not made or not stored");
	}
	hs_log(HS_LOG_NOTICE, PAR_SUBSYS, "parent zone '%s': new CSK %u (stored)", zone,
	       zs_keytag(rd, len));
	*out = k;
	return HS_OK;
}

/* The unsigned zone with the apex DNSKEY (any DNSKEY it held replaced). */
static int prepare(const zn_snap_t *in, const zs_key_t *key, uint32_t ttl, zn_zone_t **out)
{
	size_t alen, klen;
	const uint8_t *apex = zn_snap_apex(in, &alen), *krd = zs_key_dnskey(key, &klen);
	zn_builder_t *b = zn_builder_new(apex, alen);
	zn_iter_t *it = zn_iter_new((zn_snap_t *)in);
	const uint8_t *owner;
	size_t olen;
	zn_rrset_t set;
	int rc = HS_OK;
	while (rc == HS_OK && zn_iter_next(it, &owner, &olen, &set)) {
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rl;
		if (set.type == ZS_TYPE_DNSKEY || set.type == ZS_TYPE_RRSIG ||
		    set.type == ZS_TYPE_NSEC)
			continue;
		while (rc == HS_OK && zn_rrset_next(&set, &off, &rd, &rl)) {
			zn_rr_t rr = {owner, olen, set.type, set.ttl, rd, rl};
			rc = zn_builder_add(b, &rr, NULL);
		}
	}
	zn_iter_free(it);
	if (rc == HS_OK) {
		zn_rr_t rr = {apex, alen, ZS_TYPE_DNSKEY, ttl, krd, (uint16_t)klen};
		rc = zn_builder_add(b, &rr, NULL);
	}
	if (rc == HS_OK)
		rc = zn_zone_new(apex, alen, out);
	if (rc == HS_OK && (rc = zn_zone_set(*out, b, NULL)) != HS_OK) {
		zn_zone_free(*out);
		*out = NULL;
	}
	if (rc != HS_OK)
		zn_builder_free(b);
	return rc;
}

void hdp_sign_now(hd_t *d)
{
	struct hd_par *hp = d->par;
	struct hdp_sign *g = hp->sign;
	struct hd_zone *hz = hp->hz;
	zn_snap_t *in, *us = NULL;
	zn_zone_t *u = NULL;
	zn_builder_t *sb = NULL;
	zs_stats_t st;
	hs_errmsg_t em;
	uint32_t last = 0, serial, now = (uint32_t)hs_now_s(d->env);
	int had, rc;
	size_t alen;

	if (g == NULL || hz == NULL || hz->out == NULL || (in = zn_zone_snapshot(hz->zn)) == NULL)
		return;
	hs_errmsg_clear(&em);
	had = zn_zone_loaded(hz->out) && zn_zone_serial(hz->out, &last) == HS_OK;
	rc = prepare(in, g->key, d->cfg.parent.ttl, &u);
	if (rc == HS_OK) {
		us = zn_zone_snapshot(u);
		serial = had ? zs_next_serial(zn_snap_serial(in), last) : zn_snap_serial(in);
		rc = zs_sign_full(g->zs, us, now, serial, &sb, &st, &em);
	}
	if (rc == HS_OK) {
		rc = hd_served_replace(d, hz, sb, &em);
		sb = NULL;
	}
	if (rc != HS_OK) {
		hs_log(HS_LOG_WARN, PAR_SUBSYS, "parent zone not signed: %s",
		       em.text[0] ? hs_errmsg_str(&em) : hs_strerror(rc));
		g->refresh_at = now + 60;
		goto cleanup;
	}
	g->signs++;
	{
		zn_snap_t *s = zn_zone_snapshot(hz->out);
		const zs_params_t *p = zs_signer_params(g->zs);
		uint32_t window = p->refresh ? p->refresh : p->validity / 4;
		uint32_t exp = s != NULL ? zs_earliest_expiry(s) : 0;
		g->refresh_at = exp > window ? (int64_t)exp - window : now + 60;
		if (g->refresh_at < (int64_t)now + 60)
			g->refresh_at = (int64_t)now + 60;
		zn_snap_release(s);
	}
	hd_ignore(zn_zone_serial(hz->out, &serial));
	hs_log(HS_LOG_NOTICE, PAR_SUBSYS, "parent zone: serving signed serial %u (%zu signatures)",
	       serial, st.signatures);
	{
		const uint8_t *a = zn_zone_apex(hz->out, &alen);
		tp_zs_changed(d->zsrv, a, alen);
	}
cleanup:
	zn_builder_free(sb);
	zn_snap_release(us);
	zn_snap_release(in);
	zn_zone_free(u);
}

int hdp_sign_start(hd_t *d, hs_errmsg_t *em)
{
	struct hd_par *hp = d->par;
	const hd_parent_conf_t *pc = &d->cfg.parent;
	struct hdp_sign *g = xcalloc(1, sizeof(*g));
	hd_zone_conf_t zc;
	size_t alen;
	const uint8_t *apex = zn_zone_apex(hp->hz->zn, &alen);
	unsigned role = ZS_ROLE_KSK | ZS_ROLE_ZSK;
	int rc;

	hp->sign = g;
	rc = load_key(d, pc->zone, &g->key, em);
	if (rc == HS_OK && (rc = zs_signer_new(apex, alen, NULL, d->env, &g->zs)) != HS_OK)
		hs_fail(em, rc, "parent zone: signer not made");
	if (rc == HS_OK && (rc = zs_signer_set_keys(g->zs, &g->key, &role, 1)) != HS_OK)
		hs_fail(em, rc, "parent zone: the key does not sign");
	if (rc != HS_OK)
		return rc;
	memset(&zc, 0, sizeof(zc));
	snprintf(zc.name, sizeof(zc.name), "%s", pc->zone);
	zc.acl = pc->acl;
	zc.nacl = pc->nacl;
	zc.notify = pc->notify;
	zc.nnotify = pc->nnotify;
	zc.journal = pc->journal;
	hd_served_setup(d, hp->hz, &zc); /* the signed version is what is served */
	if (!hp->hz->served_setup)
		return hs_fail(em, HS_E_CONFIG, "parent zone: signed zone not served");
	hdp_sign_now(d);
	return HS_OK;
}

void hdp_sign_tick(hd_t *d)
{
	struct hdp_sign *g = d->par != NULL ? d->par->sign : NULL;
	if (g != NULL && g->refresh_at != 0 && g->refresh_at <= (int64_t)hs_now_s(d->env))
		hdp_sign_now(d); /* a whole new signing: a parent zone is small */
}

uint64_t hdp_sign_deadline(hd_t *d)
{
	struct hdp_sign *g = d->par != NULL ? d->par->sign : NULL;
	int64_t now = hs_now_s(d->env);
	uint64_t mono = d->env->mono_ms(d->env->arg);
	if (g == NULL || g->refresh_at == 0)
		return UINT64_MAX;
	return g->refresh_at <= now ? mono : mono + (uint64_t)(g->refresh_at - now) * 1000;
}

void hdp_sign_stop(hd_t *d)
{
	struct hdp_sign *g = d->par != NULL ? d->par->sign : NULL;
	if (g == NULL)
		return;
	if (d->par->hz != NULL)
		hd_served_free(d, d->par->hz);
	zs_signer_free(g->zs);
	zs_key_free(g->key);
	free(g);
	d->par->sign = NULL;
}
