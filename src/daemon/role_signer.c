/*
 * role_signer.c -- the signer role: a secondary of its provider's
 * combiner (the zone's primary: is the combiner's served zone) that signs
 * each combined version and serves the signed zone to the provider's
 * public secondaries through the zone machinery (served.c's storage and
 * zone server registration). The key engine (engine/signer/sgn.h) runs
 * over the daemon's store: its keys are restored at start, its actions
 * carried out here (GENERATE with zs_key_generate, KEY_STATE through
 * st_dkey_*, SEND of KEYSTATE to the own agent over the transport,
 * RESIGN). Its only party is its own agent (the agent: section);
 * KEYSTATE and RFI KEYSTATE from anyone else are refused by the engine
 * (KS-30). Policy: the signer-policy: rows, each zone the one its zone:
 * section names (signer-policy: NAME) or the default row (SIGN-11).
 *
 * Each new combined version, and each RESIGN, goes through signpath.h:
 * signed incrementally (zs_sign_diff of the difference the combined zone
 * went through; in full the first time and when the zone-signing keys
 * changed) and served as the difference to the previous signed version
 * (IXFR from the journal, SIGN-10); signatures are refreshed (zs_refresh)
 * when the earliest expiration comes within the refresh window (SIGN-12).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/hd_int.h"
#include "daemon/signpath.h"
#include "dnssec/zsign.h"
#include "engine/signer/sgn.h"
#include "engine/syncmsg.h"
#include "wire/rr_hsyncparam.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"

#define SUBSYS "signer"

/* A key pair the signer holds (private half from the store). */
struct sg_key {
	char zone[256];
	zs_key_t *k;
};

struct sg_zone {
	char name[256];
	zs_signer_t *zs;
	hd_sp_t *sp;         /* the way to the served version (signpath.h) */
	hd_sgn_policy_t pol; /* the policy in force */
	uint64_t signs, diff_signs, refreshes;
	enum hd_sp_path last_path;
	uint64_t last_ms;      /* the last signing, combined version to served version */
	size_t last_changed;   /* records it changed in the served zone */
	size_t last_differs;   /* a full signing: records besides signatures and SOA */
	int64_t refresh_at;    /* Unix seconds of the next signature refresh; 0 = none */
	uint32_t last_refresh; /* Unix seconds of the last one */
};

struct hd_signer {
	sgn_t *s;
	struct sg_key *keys;
	size_t nkeys;
	struct sg_zone *zones;
	size_t nzones;
};

/* ---- configuration (signer-policy:, zone.signer-policy) ---- */

/* One signer-policy: block (NULL: none written, the defaults). */
static int policy_conf(const conf_sec_t *s, const hd_config_t *c, hd_sgn_policy_t *out,
                       hs_errmsg_t *em)
{
	sgn_policy_t *p = &out->pol;
	zs_params_t *z = &out->zp;
	const char *alg = conf_str(s, "algorithm");
	const char *name = conf_str(s, "name");
	unsigned line = conf_sec_line(s);

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s",
	         name != NULL && name[0] ? name : HD_SGN_POLICY_DEFAULT);
	if (alg == NULL)
		alg = "ECDSAP256SHA256";
	if (zs_alg_parse(alg, &p->alg) != HS_OK || !zs_alg_supported(p->alg))
		return hs_fail(em, HS_E_CONFIG,
		               "%s:%u: signer-policy.algorithm: '%s' is not one "
		               "the signer uses",
		               c->path, line, alg);
	p->csk = conf_bool(s, "csk", 0);
	p->zsk_lifetime = (uint32_t)(conf_dur_ms(s, "zsk-lifetime", 0) / 1000);
	p->ksk_lifetime = (uint32_t)(conf_dur_ms(s, "ksk-lifetime", 0) / 1000);
	p->propagation = (uint32_t)(conf_dur_ms(s, "propagation", 300000) / 1000);
	p->dnskey_ttl = (uint32_t)(conf_dur_ms(s, "dnskey-ttl", 3600000) / 1000);
	p->max_ttl = (uint32_t)(conf_dur_ms(s, "max-ttl", 86400000) / 1000);
	p->ds_ttl = (uint32_t)(conf_dur_ms(s, "ds-ttl", 86400000) / 1000);
	p->cds = conf_bool(s, "cds", 1);
	z->denial = conf_bool(s, "nsec3", 0) ? ZS_NSEC3 : ZS_NSEC;
	z->validity = (uint32_t)(conf_dur_ms(s, "validity", 14ull * 86400000) / 1000);
	z->jitter = (uint32_t)(conf_dur_ms(s, "jitter", 0) / 1000);
	z->refresh = (uint32_t)(conf_dur_ms(s, "refresh", 0) / 1000);
	z->inception_offset = 0;
	{
		uint32_t refresh = z->refresh ? z->refresh : z->validity / 4;
		uint32_t jitter = z->jitter ? z->jitter : z->validity / 16;
		/* SIGN-6: short values (validity 60 s and up) are for tests;
		 * a signature is refreshed at the latest `refresh` before it
		 * expires, which must come after it was made */
		if (refresh < HD_SGN_REFRESH_MIN)
			return hs_fail(em, HS_E_CONFIG,
			               "%s:%u: signer-policy '%s': refresh %u s is below %u s",
			               c->path, line, out->name, refresh, HD_SGN_REFRESH_MIN);
		if ((uint64_t)refresh + jitter >= z->validity)
			return hs_fail(em, HS_E_CONFIG,
			               "%s:%u: signer-policy '%s': refresh %u s + jitter %u s must "
			               "stay below the validity (%u s)",
			               c->path, line, out->name, refresh, jitter, z->validity);
	}
	return HS_OK;
}

/* The signer-policy: row of that name ("" = the default), or NULL. */
static const hd_sgn_policy_t *policy_find(const hd_config_t *c, const char *name)
{
	if (name == NULL || name[0] == '\0')
		name = HD_SGN_POLICY_DEFAULT;
	for (size_t i = 0; i < c->sgn.n; i++)
		if (strcasecmp(c->sgn.v[i].name, name) == 0)
			return &c->sgn.v[i];
	return NULL;
}

/* Every signer-policy: row, one default; each zone's policy exists. */
static int signer_conf(const conf_t *cf, hd_config_t *c, hs_errmsg_t *em)
{
	size_t n = conf_sec_count(cf, "signer-policy");
	const hd_sgn_policy_t *def;
	int rc = HS_OK;

	c->sgn.v = xcalloc(n ? n + 1 : 1, sizeof(*c->sgn.v));
	c->sgn.n = 0;
	for (size_t i = 0; i < n && rc == HS_OK; i++) {
		const conf_sec_t *s = conf_sec_at(cf, "signer-policy", i);
		rc = policy_conf(s, c, &c->sgn.v[c->sgn.n], em);
		if (rc == HS_OK && policy_find(c, c->sgn.v[c->sgn.n].name) != NULL)
			rc = hs_fail(em, HS_E_CONFIG, "%s:%u: signer-policy '%s': defined twice",
			             c->path, conf_sec_line(s), c->sgn.v[c->sgn.n].name);
		if (rc == HS_OK)
			c->sgn.n++;
	}
	/* no row without a name: the defaults are the default policy */
	if (rc == HS_OK && policy_find(c, NULL) == NULL)
		rc = policy_conf(NULL, c, &c->sgn.v[c->sgn.n++], em);
	for (size_t i = 0; i < c->nzones && rc == HS_OK; i++)
		if (policy_find(c, c->zones[i].signer_policy) == NULL)
			rc = hs_fail(em, HS_E_CONFIG,
			             "%s: zone '%s': signer-policy '%s' is not defined "
			             "(signer-policy: name)",
			             c->path, c->zones[i].name, c->zones[i].signer_policy);
	if (rc != HS_OK)
		return rc;
	def = policy_find(c, NULL);
	c->sgn.pol = def->pol;
	c->sgn.zp = def->zp;
	return HS_OK;
}

/* ---- keys ---- */

static zs_key_t *key_get(struct hd_signer *g, const char *zone, const uint8_t *rd, size_t len)
{
	for (size_t i = 0; i < g->nkeys; i++) {
		size_t l;
		const uint8_t *k = zs_key_dnskey(g->keys[i].k, &l);
		if (l == len && memcmp(k, rd, l) == 0 && strcmp(g->keys[i].zone, zone) == 0)
			return g->keys[i].k;
	}
	return NULL;
}

static void key_keep(struct hd_signer *g, const char *zone, zs_key_t *k)
{
	g->keys = xrealloc(g->keys, (g->nkeys + 1) * sizeof(*g->keys));
	snprintf(g->keys[g->nkeys].zone, sizeof(g->keys[0].zone), "%s", zone);
	g->keys[g->nkeys++].k = k;
}

static struct sg_zone *zone_get(struct hd_signer *g, const char *name)
{
	for (size_t i = 0; i < g->nzones; i++)
		if (strcmp(g->zones[i].name, name) == 0)
			return &g->zones[i];
	return NULL;
}

static int signer_init(hd_t *d, hs_errmsg_t *em)
{
	sgn_cfg_t sc = {.identity = d->cfg.tp.identity, .agent = d->cfg.partner};
	struct hd_signer *g = xcalloc(1, sizeof(*g));
	int rc = sgn_new(&sc, d->env, &g->s, em);
	if (rc != HS_OK) {
		free(g);
		return rc;
	}
	d->sg = g;
	return HS_OK;
}

static void signer_fini(hd_t *d)
{
	struct hd_signer *g = d->sg;
	if (g == NULL)
		return;
	sgn_free(g->s);
	for (size_t i = 0; i < g->nkeys; i++)
		zs_key_free(g->keys[i].k);
	free(g->keys);
	for (size_t i = 0; i < g->nzones; i++) {
		zs_signer_free(g->zones[i].zs);
		hd_sp_free(g->zones[i].sp);
	}
	free(g->zones);
	free(g);
	d->sg = NULL;
}

static void restore_keys(hd_t *d, const char *zone);

/* The zone is signed here: its key engine entry and its signer. */
static void signer_zone_setup(hd_t *d, struct hd_zone *hz, const hd_zone_conf_t *zc)
{
	struct hd_signer *g = d->sg;
	hs_errmsg_t em;
	size_t alen;
	const uint8_t *apex = zn_zone_apex(hz->zn, &alen);

	const hd_sgn_policy_t *pol = policy_find(&d->cfg, zc->signer_policy);

	hd_served_setup(d, hz, zc);
	if (zone_get(g, hz->name) != NULL)
		return;
	/* a reload brings zones before their policies (signer_reload) */
	if (pol == NULL)
		pol = policy_find(&d->cfg, NULL);
	hs_errmsg_clear(&em);
	if (sgn_zone_add(g->s, hz->name, &pol->pol, &em) != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': not signed: %s", hz->name,
		       hs_errmsg_str(&em));
		return;
	}
	g->zones = xrealloc(g->zones, (g->nzones + 1) * sizeof(*g->zones));
	struct sg_zone *z = &g->zones[g->nzones];
	memset(z, 0, sizeof(*z));
	snprintf(z->name, sizeof(z->name), "%s", hz->name);
	z->pol = *pol;
	if (zs_signer_new(apex, alen, &pol->zp, d->env, &z->zs) != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': signing parameters refused", hz->name);
		return;
	}
	z->sp = hd_sp_new();
	g->nzones++;
	hs_log(HS_LOG_INFO, SUBSYS, "zone '%s': signer-policy '%s' (%s, %s)", hz->name, pol->name,
	       zs_alg_name(pol->pol.alg), pol->zp.denial == ZS_NSEC3 ? "NSEC3" : "NSEC");
	restore_keys(d, hz->name);
}

/* The zone's keys in the store back into the engine (KS-1), before
 * anything of the zone reaches it (a stored copy is told at once). */
static void restore_keys(hd_t *d, const char *zone)
{
	struct hd_signer *g = d->sg;
	st_dkey_list_t l;
	size_t n = 0;
	int rc = st_dkey_list(tp_node_store(d->node), zone, ST_WITH_PRIVATE, &l);
	if (rc != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': keys not read from the store: %s", zone,
		       hs_strerror(rc));
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		const st_dkey_t *k = &l.v[i];
		zs_key_t *zk = NULL;
		rc = sgn_key_restore(g->s, k->zone, k->role, k->dnskey, k->dnskey_len, k->state,
		                     k->state_changed_at);
		if (rc != HS_OK) {
			hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': key %u not restored: %s", k->zone,
			       k->tag, hs_strerror(rc));
			continue;
		}
		n++;
		if (k->priv != NULL && zs_key_from_private(k->dnskey, k->dnskey_len, k->priv,
		                                           k->privlen, &zk, NULL) == HS_OK)
			key_keep(g, k->zone, zk);
	}
	if (n > 0)
		hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s': %zu keys restored from the store", zone,
		       n);
	st_dkey_list_free(&l);
}

/* ---- signing ---- */

/* The engine's signing keys into the zone's signer. */
static int set_keys(struct hd_signer *g, struct sg_zone *z, const sgn_publish_t *pub,
                    hs_errmsg_t *em)
{
	zs_key_t *keys[64];
	unsigned roles[64];
	size_t n = 0;
	for (size_t i = 0; i < pub->nsigners && n < 64; i++) {
		zs_key_t *k = key_get(g, z->name, pub->signers[i].rdata, pub->signers[i].len);
		if (k == NULL)
			return hs_fail(em, HS_E_STATE, "an active key without its private half");
		keys[n] = k;
		roles[n++] = pub->roles[i] == ST_DKEY_KSK   ? ZS_ROLE_KSK
		             : pub->roles[i] == ST_DKEY_ZSK ? ZS_ROLE_ZSK
		                                            : ZS_ROLE_KSK | ZS_ROLE_ZSK;
	}
	return zs_signer_set_keys(z->zs, keys, roles, n);
}

/* When the signatures of the served version need refreshing. */
static void plan_refresh(struct sg_zone *z, struct hd_zone *hz)
{
	zn_snap_t *s = zn_zone_snapshot(hz->out);
	const zs_params_t *p = zs_signer_params(z->zs);
	uint32_t window = p->refresh ? p->refresh : p->validity / 4;
	uint32_t exp = s != NULL ? zs_earliest_expiry(s) : 0;
	/* the earliest signature is due (zs_refresh: expiring before now +
	 * window) one second after exp - window */
	uint32_t floor = window / 2 < 60 ? window / 2 : 60;
	z->refresh_at = exp > window ? (int64_t)exp - window + 1 : (exp ? 1 : 0);
	/* never a refresh loop: at most one a minute (half the window when
	 * that is shorter: test policies) */
	if (z->refresh_at != 0 && z->refresh_at < (int64_t)z->last_refresh + floor)
		z->refresh_at = (int64_t)z->last_refresh + floor;
	zn_snap_release(s);
}

/* Signatures about to expire re-signed (SIGN-6): the difference served. */
static void refresh_zone(hd_t *d, struct hd_zone *hz, struct sg_zone *z)
{
	zn_snap_t *cur = hz->out ? zn_zone_snapshot(hz->out) : NULL;
	zn_diff_t *diff = NULL;
	zs_stats_t st;
	hs_errmsg_t em;
	uint32_t now = (uint32_t)hs_now_s(d->env);
	size_t alen;
	int rc;

	hs_errmsg_clear(&em);
	z->refresh_at = 0;
	z->last_refresh = now;
	if (cur == NULL || !zn_zone_loaded(hz->out))
		goto cleanup;
	rc = zs_refresh(z->zs, cur, now, zs_next_serial(zn_snap_serial(cur), zn_snap_serial(cur)),
	                0, &diff, &st, &em);
	if (rc == HS_OK && diff != NULL)
		rc = zn_update(hz->out, hz->outjn, diff, hs_now_s(d->env), &em);
	if (rc != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': signatures not refreshed: %s", hz->name,
		       em.text[0] ? hs_errmsg_str(&em) : hs_strerror(rc));
		z->refresh_at = now + 60; /* try again */
		goto cleanup;
	}
	if (diff != NULL) {
		hd_served_persist(d, hz, diff);
		z->refreshes++;
		hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s': %zu RRsets re-signed before expiry",
		       hz->name, st.rrsets_signed);
		const uint8_t *a = zn_zone_apex(hz->out, &alen);
		tp_zs_changed(d->zsrv, a, alen);
	}
	plan_refresh(z, hz);
cleanup:
	zn_diff_free(diff);
	zn_snap_release(cur);
}

static const char *path_name(enum hd_sp_path p)
{
	return p == HD_SP_DIFF ? "incremental" : p == HD_SP_FULL ? "full" : "none";
}

/* Sign the combined version (incrementally unless `full`) and serve it. */
static void sign_zone(hd_t *d, struct hd_zone *hz, int full)
{
	struct hd_signer *g = d->sg;
	struct sg_zone *z = zone_get(g, hz->name);
	zn_snap_t *in = hz->zn ? zn_zone_snapshot(hz->zn) : NULL;
	zn_diff_t *diff = NULL;
	sgn_publish_t pub;
	hd_sp_result_t r;
	hs_errmsg_t em;
	uint32_t now = (uint32_t)hs_now_s(d->env);
	uint64_t t0 = d->env->mono_ms(d->env->arg);
	size_t alen;
	int rc;

	memset(&pub, 0, sizeof(pub));
	hs_errmsg_clear(&em);
	if (z == NULL || in == NULL || !hz->served_setup)
		goto cleanup;
	if (sgn_zone_publish(g->s, hz->name, &pub) != HS_OK)
		goto cleanup;
	rc = set_keys(g, z, &pub, &em);
	if (rc != HS_OK) {
		hs_log(HS_LOG_INFO, SUBSYS, "zone '%s': not signed yet: %s", hz->name,
		       rc == HS_E_INVAL ? "no active key of each role" : hs_errmsg_str(&em));
		goto cleanup;
	}
	rc = hd_sp_sign(z->sp, z->zs, in, &pub, z->pol.pol.dnskey_ttl, now, full, hz->out,
	                hz->outjn, hs_now_s(d->env), &diff, &r, &em);
	if (rc != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': signed zone not served: %s", hz->name,
		       em.text[0] ? hs_errmsg_str(&em) : hs_strerror(rc));
		goto cleanup;
	}
	if (r.path == HD_SP_NONE) {
		hs_log(HS_LOG_INFO, SUBSYS, "zone '%s': signed serial %u stays (nothing changed)",
		       hz->name, r.serial);
		goto cleanup;
	}
	hd_served_persist(d, hz, diff);
	z->signs++;
	z->last_path = r.path;
	z->last_ms = d->env->mono_ms(d->env->arg) - t0;
	z->last_changed = r.changed;
	z->last_differs = r.differs;
	if (r.path == HD_SP_DIFF)
		z->diff_signs++;
	hz->served_versions++;
	plan_refresh(z, hz);
	hs_log(HS_LOG_NOTICE, SUBSYS,
	       "zone '%s': serving signed serial %u (inbound %u, %s signing, %zu signatures, "
	       "%zu records changed, %zu keys published, %llu ms)",
	       hz->name, r.serial, zn_snap_serial(in), path_name(r.path), r.st.signatures,
	       r.changed, pub.ndnskey, (unsigned long long)z->last_ms);
	if (r.path == HD_SP_FULL && diff != NULL)
		hs_log(r.differs ? HS_LOG_WARN : HS_LOG_INFO, SUBSYS,
		       "zone '%s': full signing changed %zu records besides signatures and the SOA",
		       hz->name, r.differs);
	{
		const uint8_t *a = zn_zone_apex(hz->out, &alen);
		tp_zs_changed(d->zsrv, a, alen);
	}
cleanup:
	zn_diff_free(diff);
	zn_snap_release(in);
	sgn_publish_free(&pub);
}

/* Every new combined version: its DNSKEY RRset and parentsync into the
 * key engine (KS-24), then signed. */
static void signer_zone_loaded(hd_t *d, struct hd_zone *hz)
{
	struct hd_signer *g = d->sg;
	zn_snap_t *s = zn_zone_snapshot(hz->zn);
	const uint8_t *rd[256];
	size_t len[256], n = 0, alen;
	zn_rrset_t set;
	hd_apex_params_t ap;
	eng_zone_t ez;
	int cds = 0;

	if (s == NULL || zone_get(g, hz->name) == NULL)
		goto cleanup;
	const uint8_t *apex = zn_snap_apex(s, &alen);
	if (zn_snap_find(s, apex, alen, ZS_TYPE_DNSKEY, &set, NULL) == HS_OK) {
		size_t off = 0;
		const uint8_t *r;
		uint16_t rl;
		while (n < 256 && zn_rrset_next(&set, &off, &r, &rl)) {
			rd[n] = r;
			len[n++] = rl;
		}
	}
	hd_apex_params(s, &ap);
	memset(&ez, 0, sizeof(ez));
	if (eng_zone_analyse(hz->name, d->cfg.tp.identity, ap.p3, ap.l3, ap.n3, ap.pp, ap.lp, ap.np,
	                     &ez, NULL) == HS_OK) {
		cds = ap.np == 1 && ez.policy.parentsync == HS_PARENTSYNC_AGENT;
		eng_zone_clear(&ez);
	}
	if (sgn_zone_input(g->s, hz->name, rd, len, n, cds) != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': DNSKEY RRset not taken", hz->name);
	hs_log(HS_LOG_NOTICE, "zones", "zone '%s' serial %u loaded: %zu DNSKEY in the input",
	       hz->name, zn_snap_serial(s), n);
	sign_zone(d, hz, 0);
cleanup:
	zn_snap_release(s);
}

static int same_policy(const hd_sgn_policy_t *a, const hd_sgn_policy_t *b)
{
	const sgn_policy_t *p = &a->pol, *q = &b->pol;
	const zs_params_t *x = &a->zp, *y = &b->zp;
	return strcmp(a->name, b->name) == 0 && p->alg == q->alg && p->csk == q->csk &&
	       p->zsk_lifetime == q->zsk_lifetime && p->ksk_lifetime == q->ksk_lifetime &&
	       p->propagation == q->propagation && p->dnskey_ttl == q->dnskey_ttl &&
	       p->max_ttl == q->max_ttl && p->ds_ttl == q->ds_ttl && p->cds == q->cds &&
	       x->denial == y->denial && x->nsec3_optout == y->nsec3_optout &&
	       x->nsec3_iterations == y->nsec3_iterations && x->nsec3_saltlen == y->nsec3_saltlen &&
	       memcmp(x->nsec3_salt, y->nsec3_salt, x->nsec3_saltlen) == 0 &&
	       x->validity == y->validity && x->jitter == y->jitter &&
	       x->inception_offset == y->inception_offset && x->refresh == y->refresh &&
	       x->threads == y->threads;
}

/* A reload: the new signer-policy: rows, and each zone's policy (its key
 * engine entry and its signer) when it changed; such a zone is signed
 * again (in full when the denial mode changed, zs_sign_diff decides). A
 * new algorithm applies to the zone's next keys. */
static void signer_reload(hd_t *d, hd_config_t *nc)
{
	struct hd_signer *g = d->sg;
	free(d->cfg.sgn.v);
	d->cfg.sgn = nc->sgn;
	memset(&nc->sgn, 0, sizeof(nc->sgn));
	for (size_t i = 0; i < g->nzones; i++) {
		struct sg_zone *z = &g->zones[i];
		const hd_zone_conf_t *zc = hd_zone_conf(d, z->name);
		struct hd_zone *hz = hd_zone_find(d, z->name);
		const hd_sgn_policy_t *pol;
		zs_signer_t *nzs = NULL;
		hs_errmsg_t em;
		size_t alen;
		if (zc == NULL || hz == NULL || hz->zn == NULL)
			continue;
		pol = policy_find(&d->cfg, zc->signer_policy);
		if (pol == NULL || same_policy(pol, &z->pol))
			continue;
		hs_errmsg_clear(&em);
		const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
		if (zs_signer_new(apex, alen, &pol->zp, d->env, &nzs) != HS_OK ||
		    sgn_zone_add(g->s, z->name, &pol->pol, &em) != HS_OK) {
			hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': signer-policy '%s' not taken: %s",
			       z->name, pol->name, em.text[0] ? hs_errmsg_str(&em) : "parameters");
			zs_signer_free(nzs);
			continue;
		}
		zs_signer_free(z->zs);
		z->zs = nzs;
		z->pol = *pol;
		hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s': signer-policy '%s' in force (%s, %s)",
		       z->name, pol->name, zs_alg_name(pol->pol.alg),
		       pol->zp.denial == ZS_NSEC3 ? "NSEC3" : "NSEC");
		if (hz->loaded)
			sign_zone(d, hz, 0);
	}
}

static void signer_zone_gone(hd_t *d, struct hd_zone *hz)
{
	struct sg_zone *z = zone_get(d->sg, hz->name);
	/* what was kept belongs to a served zone that may not come back as
	 * it was: the next version is compared with what is served then */
	if (z != NULL)
		hd_sp_reset(z->sp);
	hs_log(HS_LOG_NOTICE, SUBSYS, "zone '%s': no longer signed here", hz->name);
}

/* ---- messages and actions ---- */

static int signer_message(hd_t *d, const char *from, const char *type, const uint8_t *body,
                          size_t len)
{
	hs_errmsg_t em;
	int rc;
	hs_errmsg_clear(&em);
	if (strcmp(type, "RFI") == 0) {
		sm_rfi_t r;
		rc = sm_rfi_decode(body, len, &r, &em);
		if (rc != HS_OK)
			goto done;
		if (r.what != SM_RFI_KEYSTATE)
			rc = hs_fail(&em, HS_E_REFUSED, "a signer answers rfi KEYSTATE only");
		for (size_t i = 0; rc == HS_OK && i < r.nzones; i++)
			rc = sgn_inventory_request(d->sg->s, from, r.zones[i], &em);
		if (rc == HS_OK && r.nzones == 0)
			rc = sgn_inventory_request(d->sg->s, from, NULL, &em);
		sm_rfi_free(&r);
	} else {
		rc = sgn_message(d->sg->s, from, type, body, len, &em);
	}
done:
	if (rc != HS_OK)
		hs_log(HS_LOG_NOTICE, SUBSYS, "%s from '%s' refused: %s", type, from,
		       em.text[0] ? hs_errmsg_str(&em) : hs_strerror(rc));
	return rc;
}

static void signer_sent(hd_t *d, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                        enum tp_outcome outcome, const char *reason)
{
	(void)d;
	(void)msgid;
	/* the agent asks for the inventory again (KS-11) */
	if (outcome != TP_OUT_DELIVERED)
		hs_log(HS_LOG_NOTICE, SUBSYS, "message to '%s' not delivered: %s%s%s", peer,
		       outcome == TP_OUT_EXPIRED ? "expired" : "rejected",
		       reason != NULL && reason[0] ? " " : "", reason != NULL ? reason : "");
}

static void generate(hd_t *d, const sgn_action_t *a)
{
	struct hd_signer *g = d->sg;
	zs_key_t *k = NULL;
	hs_buf_t priv = HS_BUF_INIT;
	hs_errmsg_t em;
	size_t len;
	const uint8_t *rd;
	int rc;

	hs_errmsg_clear(&em);
	rc = zs_key_generate(a->alg, a->flags, &k, &em);
	if (rc == HS_OK)
		rc = zs_key_private(k, &priv);
	rd = rc == HS_OK ? zs_key_dnskey(k, &len) : NULL;
	if (rc == HS_OK)
		rc = st_dkey_add(tp_node_store(d->node), a->zone, a->role, rd, len, priv.data,
		                 priv.len, ST_DKEY_CREATED, hs_now_s(d->env), "generated");
	if (rc == HS_OK)
		rc = sgn_key_generated(g->s, a->zone, a->req, rd, len);
	hs_buf_free(&priv);
	if (rc != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': key not made: %s", a->zone,
		       em.text[0] ? hs_errmsg_str(&em) : hs_strerror(rc));
		zs_key_free(k);
		return;
	}
	key_keep(g, a->zone, k);
}

static void signer_pump(hd_t *d)
{
	struct hd_signer *g = d->sg;
	sgn_action_t a;
	while (sgn_next_action(g->s, &a) == HS_OK) {
		int rc;
		struct hd_zone *hz;
		switch (a.kind) {
		case SGN_ACT_GENERATE:
			generate(d, &a);
			break;
		case SGN_ACT_KEY_STATE:
			if (a.old_state < 0)
				break; /* added with the key (generate) */
			rc = st_dkey_set_state(tp_node_store(d->node), a.zone, a.rdata, a.len,
			                       a.new_state, hs_now_s(d->env), a.reason);
			if (rc != HS_OK && rc != HS_E_NOTFOUND)
				hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': key state not stored: %s",
				       a.zone, hs_strerror(rc));
			break;
		case SGN_ACT_SEND:
			rc = tp_node_send(d->node, a.to, a.type, a.body, a.blen, NULL, NULL);
			if (rc != HS_OK)
				hs_log(HS_LOG_WARN, SUBSYS, "cannot queue %s to '%s': %s", a.type,
				       a.to, hs_strerror(rc));
			break;
		case SGN_ACT_RESIGN:
			hz = hd_zone_find(d, a.zone);
			if (hz != NULL && hz->loaded)
				sign_zone(d, hz, 0);
			break;
		}
		sgn_action_clear(&a);
	}
}

static uint64_t signer_deadline(hd_t *d)
{
	int64_t t = sgn_next_deadline(d->sg->s);
	int64_t now = hs_now_s(d->env);
	for (size_t i = 0; i < d->sg->nzones; i++)
		if (d->sg->zones[i].refresh_at && d->sg->zones[i].refresh_at < t)
			t = d->sg->zones[i].refresh_at;
	uint64_t mono = d->env->mono_ms(d->env->arg);
	if (t == INT64_MAX)
		return UINT64_MAX;
	return t <= now ? mono : mono + (uint64_t)(t - now) * 1000;
}

static void signer_tick(hd_t *d)
{
	int64_t now = hs_now_s(d->env);
	(void)sgn_tick(d->sg->s);
	for (size_t i = 0; i < d->sg->nzones; i++) {
		struct sg_zone *z = &d->sg->zones[i];
		struct hd_zone *hz;
		if (z->refresh_at == 0 || z->refresh_at > now)
			continue;
		if ((hz = hd_zone_find(d, z->name)) != NULL && hz->loaded)
			refresh_zone(d, hz, z);
		else
			z->refresh_at = 0;
	}
}

static void signer_status(hd_t *d, hs_jw_t *w)
{
	hs_jw_kv_str(w, "agent", d->cfg.partner[0] ? d->cfg.partner : NULL);
	hs_jw_kv_u64(w, "keys_refused", sgn_refused(d->sg->s));
}

static void signer_zone_json(hd_t *d, struct hd_zone *hz, hs_jw_t *w, int detail)
{
	hs_buf_t b = HS_BUF_INIT;
	const struct sg_zone *z = zone_get(d->sg, hz->name);
	(void)detail;
	if (z != NULL) {
		hs_jw_kv_str(w, "signer_policy", z->pol.name);
		hs_jw_key(w, "signing");
		hs_jw_obj_begin(w);
		hs_jw_kv_u64(w, "signs", z->signs);
		hs_jw_kv_u64(w, "incremental", z->diff_signs);
		hs_jw_kv_u64(w, "refreshes", z->refreshes);
		hs_jw_kv_str(w, "last_path", z->signs ? path_name(z->last_path) : NULL);
		hs_jw_kv_u64(w, "last_ms", z->last_ms);
		hs_jw_kv_u64(w, "last_changed", z->last_changed);
		hs_jw_kv_i64(w, "refresh_at", z->refresh_at);
		hs_jw_obj_end(w);
	}
	sgn_zone_json(d->sg->s, hz->name, &b);
	if (b.len > 0) {
		hs_jw_key(w, "keys");
		hs_jw_raw(w, hs_buf_cstr(&b));
	}
	hs_buf_free(&b);
}

/* ---- control: keys list|show|rollover ---- */

static int keys_zone(tp_ctl_call_t *c, hd_t *d, const char *arg, char zone[ENG_NAME_MAX])
{
	if (eng_name_canon(arg, strlen(arg), zone) != HS_OK || zone_get(d->sg, zone) == NULL)
		return hs_fail(c->em, HS_E_NOTFOUND, "no zone '%s' is signed here", arg);
	return HS_OK;
}

static int parse_role(const char *s, uint8_t *role)
{
	if (strcasecmp(s, "ksk") == 0)
		*role = ST_DKEY_KSK;
	else if (strcasecmp(s, "zsk") == 0)
		*role = ST_DKEY_ZSK;
	else if (strcasecmp(s, "csk") == 0)
		*role = ST_DKEY_CSK;
	else
		return HS_E_INVAL;
	return HS_OK;
}

/* keys list ZONE: every key, its state and what it waits for. */
static int h_keys_list(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX];
	hs_buf_t b = HS_BUF_INIT;
	int rc;
	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: keys list ZONE");
	if ((rc = keys_zone(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	sgn_zone_json(d->sg->s, zone, &b);
	hs_jw_raw(c->out, hs_buf_cstr(&b));
	hs_buf_free(&b);
	return HS_OK;
}

static const char *role_name(uint8_t r)
{
	return r == ST_DKEY_KSK ? "KSK" : r == ST_DKEY_ZSK ? "ZSK" : "CSK";
}

/* keys show ZONE [TAG]: the keys in full (DNSKEY, DS of SEP keys). */
static int h_keys_show(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX];
	uint8_t apex[256];
	size_t alen = 0, shown = 0;
	long tag = -1;
	int rc;
	if (c->argc < 1 || c->argc > 2)
		return hs_fail(c->em, HS_E_INVAL, "usage: keys show ZONE [TAG]");
	if ((rc = keys_zone(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	if (c->argc == 2) {
		char *end;
		tag = strtol(c->argv[1], &end, 10);
		if (*end != '\0' || tag < 0 || tag > 65535)
			return hs_fail(c->em, HS_E_INVAL, "'%s' is not a key tag", c->argv[1]);
	}
	struct hd_zone *hz = hd_zone_find(d, zone);
	if (hz != NULL && hz->zn != NULL) {
		const uint8_t *a = zn_zone_apex(hz->zn, &alen);
		memcpy(apex, a, alen);
	}
	const struct sg_zone *sz = zone_get(d->sg, zone);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "zone", zone);
	hs_jw_kv_str(c->out, "policy", sz->pol.name);
	hs_jw_kv_str(c->out, "algorithm", zs_alg_name(sz->pol.pol.alg));
	hs_jw_kv_str(c->out, "denial", sz->pol.zp.denial == ZS_NSEC3 ? "NSEC3" : "NSEC");
	hs_jw_key(c->out, "keys");
	hs_jw_arr_begin(c->out);
	for (size_t i = 0; i < sgn_zone_key_count(d->sg->s, zone); i++) {
		sgn_key_view_t kv;
		hs_buf_t t = HS_BUF_INIT, ds = HS_BUF_INIT;
		if (sgn_zone_key_at(d->sg->s, zone, i, &kv) != HS_OK || (tag >= 0 && kv.tag != tag))
			continue;
		shown++;
		hs_jw_obj_begin(c->out);
		hs_jw_kv_u64(c->out, "tag", kv.tag);
		hs_jw_kv_str(c->out, "role", role_name(kv.role));
		hs_jw_kv_u64(c->out, "alg", kv.alg);
		hs_jw_kv_u64(c->out, "flags", kv.flags);
		hs_jw_kv_str(c->out, "state", st_dkey_state_name(kv.state));
		hs_jw_kv_bool(c->out, "foreign", kv.foreign);
		hs_jw_kv_i64(c->out, "since", kv.since);
		hs_jw_kv_str(c->out, "waiting", kv.waiting[0] ? kv.waiting : NULL);
		if (hs_ldns_rdata_to_text(ZS_TYPE_DNSKEY, kv.rdata, kv.len, &t, NULL) == HS_OK)
			hs_jw_kv_str(c->out, "dnskey", hs_buf_cstr(&t));
		if ((kv.flags & ZS_FLAG_SEP) && alen > 0 &&
		    zs_ds_rdata(apex, alen, kv.rdata, kv.len, 2, &ds) == HS_OK) {
			t.len = 0;
			if (hs_ldns_rdata_to_text(ZS_TYPE_DS, ds.data, ds.len, &t, NULL) == HS_OK)
				hs_jw_kv_str(c->out, "ds", hs_buf_cstr(&t));
		}
		hs_jw_obj_end(c->out);
		hs_buf_free(&t);
		hs_buf_free(&ds);
	}
	hs_jw_arr_end(c->out);
	hs_jw_obj_end(c->out);
	if (tag >= 0 && shown == 0)
		return hs_fail(c->em, HS_E_NOTFOUND, "zone '%s' has no key %ld", zone, tag);
	return HS_OK;
}

/* keys rollover ZONE zsk|ksk|csk [--dry-run] */
static int h_keys_rollover(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX], msg[400];
	uint8_t role;
	int dry = c->argc == 3 && strcmp(c->argv[2], "--dry-run") == 0;
	int rc;
	if ((c->argc != 2 && !dry) || parse_role(c->argv[1], &role) != HS_OK)
		return hs_fail(c->em, HS_E_INVAL,
		               "usage: keys rollover ZONE zsk|ksk|csk [--dry-run]");
	if ((rc = keys_zone(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	if (dry) {
		hs_buf_t b = HS_BUF_INIT;
		char *line, *save = NULL;
		sgn_dry_run(&zone_get(d->sg, zone)->pol.pol, role, hs_now_s(d->env), &b);
		hs_jw_obj_begin(c->out);
		hs_jw_key(c->out, "lines");
		hs_jw_arr_begin(c->out);
		for (line = strtok_r((char *)hs_buf_cstr(&b), "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			hs_jw_str(c->out, line);
		hs_jw_arr_end(c->out);
		hs_jw_obj_end(c->out);
		hs_buf_free(&b);
		return HS_OK;
	}
	rc = sgn_rollover(d->sg->s, zone, role, c->em);
	if (rc != HS_OK)
		return rc;
	snprintf(msg, sizeof(msg), "zone '%s': rollover of the %s started", zone, role_name(role));
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "message", msg);
	hs_jw_key(c->out, "lines");
	hs_jw_arr_begin(c->out);
	hs_jw_str(c->out, msg);
	hs_jw_arr_end(c->out);
	hs_jw_obj_end(c->out);
	hd_pump(d);
	return HS_OK;
}

/* keys resign ZONE: a full signing now, compared with what is served. */
static int h_keys_resign(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	char zone[ENG_NAME_MAX];
	struct hd_zone *hz;
	struct sg_zone *z;
	uint64_t before;
	int rc;
	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: keys resign ZONE");
	if ((rc = keys_zone(c, d, c->argv[0], zone)) != HS_OK)
		return rc;
	z = zone_get(d->sg, zone);
	hz = hd_zone_find(d, zone);
	if (hz == NULL || !hz->loaded)
		return hs_fail(c->em, HS_E_STATE, "zone '%s' has no combined version yet", zone);
	before = z->signs;
	sign_zone(d, hz, 1);
	if (z->signs == before)
		return hs_fail(c->em, HS_E_STATE, "zone '%s' was not signed (see the log)", zone);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "zone", zone);
	hs_jw_kv_u64(c->out, "changed", z->last_changed);
	hs_jw_kv_u64(c->out, "differs", z->last_differs);
	hs_jw_kv_u64(c->out, "ms", z->last_ms);
	hs_jw_obj_end(c->out);
	hd_pump(d);
	return HS_OK;
}

static const hd_cmd_t signer_cmds[] = {
    {"keys list", h_keys_list, "one zone: every key, its state and what it waits for"},
    {"keys show", h_keys_show, "one zone's keys (or the one TAG) in full: DNSKEY, DS"},
    {"keys resign", h_keys_resign,
     "sign one zone in full now; says how many records besides signatures and the SOA "
     "differ from the incrementally signed version it replaces (0 expected)"},
    {"keys rollover", h_keys_rollover,
     "start a ZSK, KSK or CSK rollover; --dry-run prints the planned timeline"},
    {NULL, NULL, NULL},
};

const hd_role_t hd_role_signer = {
    .name = "signer",
    .help = "signs the zone its combiner serves and serves the signed zone",
    .discovers = 0,
    .partner = "agent",
    .partner_required = 1,
    .conf = signer_conf,
    .init = signer_init,
    .fini = signer_fini,
    .message = signer_message,
    .sent = signer_sent,
    .pump = signer_pump,
    .deadline = signer_deadline,
    .tick = signer_tick,
    .zone_setup = signer_zone_setup,
    .zone_loaded = signer_zone_loaded,
    .zone_gone = signer_zone_gone,
    .reload = signer_reload,
    .status = signer_status,
    .zone_json = signer_zone_json,
    .cmds = signer_cmds,
};
