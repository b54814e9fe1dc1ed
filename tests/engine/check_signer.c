/*
 * check_signer.c -- the signer's key engine (src/engine/signer) in virtual
 * time: every key state transition and gate (KS-n), and concurrent
 * rollovers of two and three signers (the matrix of Knot DNS's
 * dnskey_sync tests: each signer rolling its ZSK, KSK or CSK at nearly
 * the same moment, CDS on and off) over a model of the agents and the
 * combiners, ending with identical DNSKEY RRsets and zones that verify.
 */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dnssec/zsign.h"
#include "engine/signer/sgn.h"
#include "store/store.h"
#include "util/env.h"
#include "util/log.h"
#include "wire/text.h"
#include "zone/zone.h"

#define ZONE  "ms.test."
#define MAXP  3
#define MAXK  64
#define T0_MS 1800000000000ull

/* ---- a model of the providers: agent + combiner per signer ---------- */

struct rd {
	uint8_t b[160];
	size_t len;
};

struct prov {
	char sid[64], aid[64];
	sgn_t *s;
	int combiner_up;
	char reject[64];     /* non-empty: the combiner rejects other providers' DNSKEYs */
	struct rd inv[MAXK]; /* the signer's last inventory: keys */
	char inv_state[MAXK][16];
	size_t ninv;
	int have_inv;
	/* the combiner: per originator, the set applied and the verdicts */
	struct rd applied[MAXP][MAXK];
	size_t napplied[MAXP];
	struct rd seen[MAXP][MAXK]; /* every key it gave a verdict for */
	char verdict[MAXP][MAXK][16];
	size_t nseen[MAXP];
	int resigns;
};

struct world {
	hs_env_fake_t env;
	struct prov p[MAXP];
	int n;
	int listed[MAXP]; /* the provider is a peer of the others */
	zs_key_t *keys[256];
	size_t nkeys;
	sgn_policy_t pol;
	int parent_ds; /* the model parent publishes DS for every CDS */
	char fail[512];
};

static int is_dist(const char *st)
{
	return !strcmp(st, "mpdist") || !strcmp(st, "published") || !strcmp(st, "standby") ||
	       !strcmp(st, "active") || !strcmp(st, "retired");
}

static int rd_eq(const struct rd *a, const uint8_t *b, size_t len)
{
	return a->len == len && memcmp(a->b, b, len) == 0;
}

static zs_key_t *key_of(struct world *w, const uint8_t *rd, size_t len)
{
	for (size_t i = 0; i < w->nkeys; i++) {
		size_t l;
		const uint8_t *k = zs_key_dnskey(w->keys[i], &l);
		if (l == len && memcmp(k, rd, l) == 0)
			return w->keys[i];
	}
	return NULL;
}

static void world_init(struct world *w, int n, const sgn_policy_t *pol)
{
	memset(w, 0, sizeof(*w));
	hs_env_fake_init(&w->env, T0_MS, 42);
	w->n = n;
	w->pol = *pol;
	w->parent_ds = 1;
	for (int i = 0; i < n; i++) {
		struct prov *p = &w->p[i];
		sgn_cfg_t cfg;
		snprintf(p->sid, sizeof(p->sid), "signer.p%d.test.", i);
		snprintf(p->aid, sizeof(p->aid), "agent.p%d.test.", i);
		cfg.identity = p->sid;
		cfg.agent = p->aid;
		ck_assert_int_eq(sgn_new(&cfg, &w->env.env, &p->s, NULL), HS_OK);
		ck_assert_int_eq(sgn_zone_add(p->s, ZONE, pol, NULL), HS_OK);
		p->combiner_up = 1;
		w->listed[i] = 1;
	}
}

static void world_free(struct world *w)
{
	for (int i = 0; i < w->n; i++)
		sgn_free(w->p[i].s);
	for (size_t i = 0; i < w->nkeys; i++)
		zs_key_free(w->keys[i]);
}

/* Take the signer's actions: make keys, keep the inventory. */
static void drain(struct world *w, int i)
{
	struct prov *p = &w->p[i];
	sgn_action_t a;
	while (sgn_next_action(p->s, &a) == HS_OK) {
		if (a.kind == SGN_ACT_GENERATE) {
			zs_key_t *k = NULL;
			size_t l;
			ck_assert_int_eq(zs_key_generate(a.alg, a.flags, &k, NULL), HS_OK);
			w->keys[w->nkeys++] = k;
			const uint8_t *rd = zs_key_dnskey(k, &l);
			ck_assert_int_eq(sgn_key_generated(p->s, a.zone, a.req, rd, l), HS_OK);
		} else if (a.kind == SGN_ACT_SEND) {
			sgn_keystate_t ks;
			ck_assert_str_eq(a.to, p->aid);
			ck_assert_int_eq(sgn_ks_decode(a.body, a.blen, &ks, NULL), HS_OK);
			ck_assert_int_eq(ks.kind, SGN_KS_INVENTORY);
			p->ninv = 0;
			for (size_t k = 0; k < ks.nkeys && k < MAXK; k++) {
				memcpy(p->inv[k].b, ks.keys[k].rdata, ks.keys[k].len);
				p->inv[k].len = ks.keys[k].len;
				snprintf(p->inv_state[k], 16, "%s", ks.keys[k].state);
				p->ninv++;
			}
			p->have_inv = 1;
			sgn_ks_free(&ks);
		} else if (a.kind == SGN_ACT_RESIGN) {
			p->resigns++;
		}
		sgn_action_clear(&a);
	}
}

/* Combiner of provider y takes originator x's current set (SYNC / UPDATE). */
static void combine(struct world *w, int y, int x)
{
	struct prov *c = &w->p[y], *o = &w->p[x];
	/* SYNC reaches only the combiners of listed providers; UPDATE the own */
	if (!c->combiner_up || !o->have_inv || !w->listed[x] || (y != x && !w->listed[y]))
		return;
	c->napplied[x] = 0;
	for (size_t k = 0; k < o->ninv; k++) {
		const char *v = "removed";
		size_t j;
		if (is_dist(o->inv_state[k])) {
			if (c->reject[0] && x != y) {
				v = "rejected";
			} else {
				v = "applied";
				c->applied[x][c->napplied[x]++] = o->inv[k];
			}
		}
		for (j = 0; j < c->nseen[x] && !rd_eq(&c->seen[x][j], o->inv[k].b, o->inv[k].len);
		     j++)
			continue;
		if (j == c->nseen[x]) {
			c->seen[x][j] = o->inv[k];
			c->nseen[x]++;
		}
		snprintf(c->verdict[x][j], 16, "%s", v);
	}
}

/* Agent x reports its peers' combiners' verdicts to its signer. */
static void report(struct world *w, int x)
{
	struct prov *o = &w->p[x];
	sgn_keystate_t ks;
	hs_buf_t b = HS_BUF_INIT;
	char peers[MAXP][256];
	sgn_ks_verdict_t v[MAXP * MAXK];
	memset(&ks, 0, sizeof(ks));
	snprintf(ks.zone, sizeof(ks.zone), "%s", ZONE);
	ks.kind = SGN_KS_STATUS;
	ks.has_peers = 1;
	ks.peers = peers;
	for (int y = 0; y < w->n; y++) {
		struct prov *c = &w->p[y];
		if (y == x || !w->listed[y])
			continue;
		snprintf(peers[ks.npeers++], 256, "%s", c->aid);
		for (size_t k = 0; k < o->ninv; k++) {
			sgn_ks_verdict_t *d = &v[ks.nverdicts];
			size_t j;
			memset(d, 0, sizeof(*d));
			d->rdata = o->inv[k].b;
			d->len = o->inv[k].len;
			snprintf(d->provider, sizeof(d->provider), "%s", c->aid);
			for (j = 0; j < c->nseen[x] && !rd_eq(&c->seen[x][j], d->rdata, d->len);
			     j++)
				continue;
			snprintf(d->verdict, sizeof(d->verdict), "%s",
			         j < c->nseen[x] ? c->verdict[x][j] : "pending");
			if (!strcmp(d->verdict, "rejected"))
				snprintf(d->reason, sizeof(d->reason), "%s", c->reject);
			ks.nverdicts++;
		}
	}
	ks.verdicts = v;
	ck_assert_int_eq(sgn_ks_encode(&ks, &b), HS_OK);
	ck_assert_int_eq(sgn_message(o->s, o->aid, "KEYSTATE", b.data, b.len, NULL), HS_OK);
	hs_buf_free(&b);
}

/* The combined zone of y: the union of what its combiner applied. */
static void feed_zone(struct world *w, int y)
{
	const uint8_t *rds[MAXP * MAXK];
	size_t lens[MAXP * MAXK], n = 0;
	struct prov *c = &w->p[y];
	for (int x = 0; x < w->n; x++)
		for (size_t k = 0; k < c->napplied[x]; k++) {
			rds[n] = c->applied[x][k].b;
			lens[n++] = c->applied[x][k].len;
		}
	ck_assert_int_eq(sgn_zone_input(c->s, ZONE, rds, lens, n, 1), HS_OK);
}

/* Parent: a DS for every key in some signer's CDS; without CDS the
 * operators upload the DS of their SEP keys in standby and active. */
static void parent(struct world *w)
{
	uint16_t tags[64];
	size_t nt = 0;
	for (int x = 0; x < w->n; x++) {
		sgn_publish_t pub;
		ck_assert_int_eq(sgn_zone_publish(w->p[x].s, ZONE, &pub), HS_OK);
		for (size_t i = 0; i < pub.ncdnskey && nt < 64; i++)
			tags[nt++] = zs_keytag(pub.cdnskey[i].rdata, pub.cdnskey[i].len);
		sgn_publish_free(&pub);
		if (w->pol.cds)
			continue;
		for (size_t i = 0; i < sgn_zone_key_count(w->p[x].s, ZONE) && nt < 64; i++) {
			sgn_key_view_t kv;
			ck_assert_int_eq(sgn_zone_key_at(w->p[x].s, ZONE, i, &kv), HS_OK);
			if (!kv.foreign && (kv.flags & 1) &&
			    (kv.state == ST_DKEY_STANDBY || kv.state == ST_DKEY_ACTIVE))
				tags[nt++] = kv.tag;
		}
	}
	for (int x = 0; x < w->n; x++)
		ck_assert_int_eq(sgn_parent_ds(w->p[x].s, ZONE, tags, nt), HS_OK);
}

static int has_rd(const sgn_publish_t *p, const uint8_t *rd, size_t len)
{
	for (size_t i = 0; i < p->ndnskey; i++)
		if (p->dnskey[i].len == len && memcmp(p->dnskey[i].rdata, rd, len) == 0)
			return 1;
	return 0;
}

/* Never break validation: a key that signs (or signed what caches may
 * still hold) data at any signer is in every signer's DNSKEY RRset. */
static void invariant(struct world *w)
{
	for (int x = 0; x < w->n; x++) {
		size_t nk = sgn_zone_key_count(w->p[x].s, ZONE);
		for (size_t i = 0; i < nk; i++) {
			sgn_key_view_t kv;
			ck_assert_int_eq(sgn_zone_key_at(w->p[x].s, ZONE, i, &kv), HS_OK);
			if (kv.role == ST_DKEY_KSK ||
			    (kv.state != ST_DKEY_ACTIVE && kv.state != ST_DKEY_RETIRED))
				continue;
			for (int y = 0; y < w->n; y++) {
				sgn_publish_t pub;
				if (!w->listed[y])
					continue;
				ck_assert_int_eq(sgn_zone_publish(w->p[y].s, ZONE, &pub), HS_OK);
				if (!has_rd(&pub, kv.rdata, kv.len) && !w->fail[0])
					snprintf(w->fail, sizeof(w->fail),
					         "key %u of p%d (%s) missing at p%d", kv.tag, x,
					         st_dkey_state_name(kv.state), y);
				sgn_publish_free(&pub);
			}
		}
	}
}

/* One round: signers act, combiners combine, agents report, zones feed. */
static void round_(struct world *w)
{
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < w->n; i++) {
			sgn_tick(w->p[i].s);
			drain(w, i);
		}
		for (int y = 0; y < w->n; y++)
			for (int x = 0; x < w->n; x++)
				combine(w, y, x);
		for (int i = 0; i < w->n; i++) {
			if (!w->listed[i])
				continue;
			report(w, i);
			feed_zone(w, i);
			drain(w, i);
		}
		if (w->parent_ds)
			parent(w);
		invariant(w);
	}
}

static void run_for(struct world *w, int64_t seconds, int64_t step)
{
	for (int64_t t = 0; t < seconds; t += step) {
		round_(w);
		hs_env_fake_advance(&w->env, (uint64_t)step * 1000);
	}
	round_(w);
}

static size_t count_state(struct world *w, int i, int state, int role)
{
	size_t n = 0, nk = sgn_zone_key_count(w->p[i].s, ZONE);
	for (size_t k = 0; k < nk; k++) {
		sgn_key_view_t kv;
		ck_assert_int_eq(sgn_zone_key_at(w->p[i].s, ZONE, k, &kv), HS_OK);
		n += !kv.foreign && kv.state == state && (role == 0 || kv.role == role);
	}
	return n;
}

static sgn_policy_t short_policy(int csk, int cds)
{
	sgn_policy_t p;
	memset(&p, 0, sizeof(p));
	p.alg = 13;
	p.csk = csk;
	p.propagation = 60;
	p.dnskey_ttl = 300;
	p.max_ttl = 600;
	p.ds_ttl = 300;
	p.cds = cds;
	return p;
}

/* ---- the multi-signer matrix --------------------------------------- */

static void same_dnskey_everywhere(struct world *w)
{
	sgn_publish_t a, b;
	ck_assert_int_eq(sgn_zone_publish(w->p[0].s, ZONE, &a), HS_OK);
	for (int y = 1; y < w->n; y++) {
		ck_assert_int_eq(sgn_zone_publish(w->p[y].s, ZONE, &b), HS_OK);
		ck_assert_uint_eq(a.ndnskey, b.ndnskey);
		for (size_t i = 0; i < a.ndnskey; i++) {
			ck_assert_uint_eq(a.dnskey[i].len, b.dnskey[i].len);
			ck_assert(memcmp(a.dnskey[i].rdata, b.dnskey[i].rdata, a.dnskey[i].len) ==
			          0);
		}
		ck_assert_uint_eq(a.ncds, b.ncds);
		sgn_publish_free(&b);
	}
	sgn_publish_free(&a);
}

/* Sign a small zone the way provider i publishes it and verify it with
 * ldns-verify-zone (when installed). */
static void sign_and_verify(struct world *w, int i)
{
	uint8_t apex[256];
	size_t alen;
	sgn_publish_t pub;
	zn_builder_t *b, *sb = NULL;
	zn_zone_t *z = NULL, *sz = NULL;
	zn_snap_t *snap, *ss;
	zs_signer_t *s = NULL;
	zs_key_t *keys[8];
	unsigned roles[8];
	hs_buf_t text = HS_BUF_INIT;
	char dir[256], cmd[600];
	static const uint8_t soa[] = {3,    'n', 's',  '1',  0, 4, 'h',  'o',  's', 't', 0,
	                              0,    0,   0,    1,    0, 0, 0x1c, 0x20, 0,   0,   0x0e,
	                              0x10, 0,   0x12, 0x75, 0, 0, 0,    0x01, 0x2c};
	static const uint8_t a[] = {192, 0, 2, 1};
	ck_assert_int_eq(hs_name_from_text(ZONE, strlen(ZONE), apex, &alen), HS_OK);
	ck_assert_int_eq(sgn_zone_publish(w->p[i].s, ZONE, &pub), HS_OK);
	b = zn_builder_new(apex, alen);
	zn_rr_t rr = {apex, alen, ZN_TYPE_SOA, 600, soa, sizeof(soa)};
	ck_assert_int_eq(zn_builder_add(b, &rr, NULL), HS_OK);
	uint8_t www[300];
	www[0] = 3;
	memcpy(www + 1, "www", 3);
	memcpy(www + 4, apex, alen);
	zn_rr_t ra = {www, alen + 4, 1, 600, a, 4};
	ck_assert_int_eq(zn_builder_add(b, &ra, NULL), HS_OK);
	for (size_t k = 0; k < pub.ndnskey; k++) {
		zn_rr_t rk = {apex,
		              alen,
		              ZS_TYPE_DNSKEY,
		              300,
		              pub.dnskey[k].rdata,
		              (uint16_t)pub.dnskey[k].len};
		ck_assert_int_eq(zn_builder_add(b, &rk, NULL), HS_OK);
	}
	for (size_t k = 0; k < pub.ncds; k++) {
		zn_rr_t rk = {
		    apex, alen, ZS_TYPE_CDS, 300, pub.cds[k].rdata, (uint16_t)pub.cds[k].len};
		ck_assert_int_eq(zn_builder_add(b, &rk, NULL), HS_OK);
	}
	ck_assert_int_eq(zn_zone_new(apex, alen, &z), HS_OK);
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);
	ck_assert_uint_ge(pub.nsigners, 1);
	for (size_t k = 0; k < pub.nsigners && k < 8; k++) {
		keys[k] = key_of(w, pub.signers[k].rdata, pub.signers[k].len);
		ck_assert_ptr_nonnull(keys[k]);
		roles[k] = pub.roles[k] == ST_DKEY_KSK   ? ZS_ROLE_KSK
		           : pub.roles[k] == ST_DKEY_ZSK ? ZS_ROLE_ZSK
		                                         : ZS_ROLE_KSK | ZS_ROLE_ZSK;
	}
	ck_assert_int_eq(zs_signer_new(apex, alen, NULL, &w->env.env, &s), HS_OK);
	ck_assert_int_eq(zs_signer_set_keys(s, keys, roles, pub.nsigners), HS_OK);
	snap = zn_zone_snapshot(z);
	ck_assert_int_eq(
	    zs_sign_full(s, snap, (uint32_t)(hs_now_ms(&w->env.env) / 1000), 1, &sb, NULL, NULL),
	    HS_OK);
	ck_assert_int_eq(zn_zone_new(apex, alen, &sz), HS_OK);
	ck_assert_int_eq(zn_zone_set(sz, sb, NULL), HS_OK);
	ss = zn_zone_snapshot(sz);
	zs_zone_text(ss, &text);
	if (access("/usr/bin/ldns-verify-zone", X_OK) == 0) {
		char *tmp = tu_tmpdir();
		snprintf(dir, sizeof(dir), "%s/z", tmp);
		FILE *f = fopen(dir, "w");
		ck_assert_ptr_nonnull(f);
		fwrite(text.data, 1, text.len, f);
		fclose(f);
		/* the virtual clock is in the future: verify at its time */
		char when[32];
		struct tm tm;
		time_t tt = (time_t)(hs_now_ms(&w->env.env) / 1000);
		gmtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y%m%d%H%M%S", &tm);
		snprintf(cmd, sizeof(cmd), "ldns-verify-zone -t %s %s >%s/out 2>&1", when, dir,
		         tmp);
		int rc = system(cmd);
		if (rc != 0) {
			snprintf(cmd, sizeof(cmd), "cat %s/out %s >&2", tmp, dir);
			(void)!system(cmd);
		}
		ck_assert_msg(rc == 0, "provider %d's signed zone does not verify", i);
		tu_rmtree(tmp);
		free(tmp);
	}
	hs_buf_free(&text);
	zn_snap_release(snap);
	zn_snap_release(ss);
	zn_zone_free(z);
	zn_zone_free(sz);
	zs_signer_free(s);
	sgn_publish_free(&pub);
}

/* Bring every signer's first keys to active. */
static void bring_up(struct world *w)
{
	run_for(w, 2000, 60);
	for (int i = 0; i < w->n; i++) {
		ck_assert_msg(w->fail[0] == 0, "%s", w->fail);
		if (!w->listed[i])
			continue;
		ck_assert_uint_eq(count_state(w, i, ST_DKEY_ACTIVE, 0), w->pol.csk ? 1 : 2);
	}
}

static void matrix_run(int n, int role, int cds)
{
	struct world w;
	sgn_policy_t pol = short_policy(role == ST_DKEY_CSK, cds);
	world_init(&w, n, &pol);
	bring_up(&w);
	same_dnskey_everywhere(&w);
	/* every signer rolls at nearly the same moment */
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(sgn_rollover(w.p[i].s, ZONE, (uint8_t)role, NULL), HS_OK);
		hs_env_fake_advance(&w.env, 7000);
		drain(&w, i);
	}
	run_for(&w, 6 * 3600, 60);
	ck_assert_msg(w.fail[0] == 0, "%s", w.fail);
	if (getenv("SGN_DEBUG")) {
		hs_buf_t j = HS_BUF_INIT;
		sgn_zone_json(w.p[0].s, ZONE, &j);
		fprintf(stderr, "%s\n", hs_buf_cstr(&j));
		hs_buf_free(&j);
	}
	for (int i = 0; i < n; i++) {
		ck_assert_uint_eq(count_state(&w, i, ST_DKEY_ACTIVE, 0),
		                  role == ST_DKEY_CSK ? 1 : 2);
		ck_assert_uint_eq(count_state(&w, i, ST_DKEY_REMOVED, (uint8_t)role), 1);
		ck_assert_uint_eq(count_state(&w, i, ST_DKEY_RETIRED, 0), 0);
		ck_assert_uint_eq(count_state(&w, i, ST_DKEY_MPREMOVE, 0), 0);
	}
	same_dnskey_everywhere(&w);
	for (int i = 0; i < n; i++) {
		sgn_publish_t pub;
		ck_assert_int_eq(sgn_zone_publish(w.p[i].s, ZONE, &pub), HS_OK);
		/* every signer's keys: n KSK/CSK (+ n ZSK) */
		ck_assert_uint_eq(pub.ndnskey, (size_t)(role == ST_DKEY_CSK ? n : 2 * n));
		ck_assert_uint_eq(pub.ncds, cds ? (size_t)n : 0);
		sgn_publish_free(&pub);
		sign_and_verify(&w, i);
	}
	world_free(&w);
}

/* requirements: KS-20 KS-21 KS-22 KS-23 KS-43 KS-52 KS-53 KS-54 KS-55 */
START_TEST(test_matrix)
{
	/* _i: signers 2..3 x roles ZSK/KSK/CSK x CDS off/on */
	int n = 2 + _i / 6, role = 1 + (_i / 2) % 3, cds = _i % 2;
	static const int roles[] = {0, ST_DKEY_ZSK, ST_DKEY_KSK, ST_DKEY_CSK};
	matrix_run(n, roles[role], cds);
}
END_TEST

/* ---- single transitions and gates ------------------------------------ */

static void status_with(struct world *w, int x, const char *verdict, const char *reason, int peers)
{
	struct prov *o = &w->p[x];
	sgn_keystate_t ks;
	hs_buf_t b = HS_BUF_INIT;
	char pr[1][256];
	sgn_ks_verdict_t v[MAXK];
	memset(&ks, 0, sizeof(ks));
	snprintf(ks.zone, sizeof(ks.zone), "%s", ZONE);
	ks.kind = SGN_KS_STATUS;
	ks.has_peers = 1;
	ks.peers = pr;
	ks.npeers = peers;
	snprintf(pr[0], 256, "agent.other.test.");
	for (size_t k = 0; peers && k < o->ninv; k++) {
		memset(&v[k], 0, sizeof(v[k]));
		v[k].rdata = o->inv[k].b;
		v[k].len = o->inv[k].len;
		snprintf(v[k].provider, 256, "agent.other.test.");
		snprintf(v[k].verdict, 16, "%s", verdict);
		snprintf(v[k].reason, 256, "%s", reason);
		ks.nverdicts++;
	}
	ks.verdicts = v;
	ck_assert_int_eq(sgn_ks_encode(&ks, &b), HS_OK);
	ck_assert_int_eq(sgn_message(o->s, o->aid, "KEYSTATE", b.data, b.len, NULL), HS_OK);
	hs_buf_free(&b);
	drain(w, x);
}

/* One signer whose peer is played by the test. */
static void solo(struct world *w)
{
	sgn_policy_t pol = short_policy(0, 1);
	world_init(w, 1, &pol);
	sgn_tick(w->p[0].s);
	drain(w, 0);
	drain(w, 0);
}

START_TEST(test_no_peers_advance_at_once)
{
	/* KS-41: a zone with no peers advances without waiting */
	struct world w;
	solo(&w);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_MPDIST, 0), 2);
	status_with(&w, 0, "applied", "", 0);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_PUBLISHED, 0), 2);
	hs_env_fake_advance(&w.env, 361000);
	sgn_tick(w.p[0].s);
	drain(&w, 0);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_ACTIVE, 0), 2);
	world_free(&w);
}
END_TEST

/* requirements: KS-34 KS-40 */
START_TEST(test_pending_keeps_gate_closed)
{
	/* KS-40: a PENDING never opens the gate; a "propagated" that a
	 * pending verdict contradicts is refused and changes nothing */
	struct world w;
	sgn_keystate_t ks;
	hs_buf_t b = HS_BUF_INIT;
	char pr[1][256] = {"agent.other.test."};
	sgn_ks_verdict_t v[2];
	sgn_ks_key_t keys[2];
	hs_errmsg_t em;
	solo(&w);
	status_with(&w, 0, "pending", "", 1);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_MPDIST, 0), 2);
	sgn_key_view_t kv;
	ck_assert_int_eq(sgn_zone_key_at(w.p[0].s, ZONE, 0, &kv), HS_OK);
	ck_assert(strstr(kv.waiting, "agent.other.test.: pending") != NULL);
	memset(&ks, 0, sizeof(ks));
	snprintf(ks.zone, sizeof(ks.zone), "%s", ZONE);
	ks.kind = SGN_KS_PROPAGATED;
	ks.has_peers = 1;
	ks.peers = pr;
	ks.npeers = 1;
	ks.keys = keys;
	ks.verdicts = v;
	for (int k = 0; k < 2; k++) {
		memset(&keys[k], 0, sizeof(keys[k]));
		keys[k].rdata = w.p[0].inv[k].b;
		keys[k].len = w.p[0].inv[k].len;
		snprintf(keys[k].state, 16, "mpdist");
		memset(&v[k], 0, sizeof(v[k]));
		v[k].rdata = keys[k].rdata;
		v[k].len = keys[k].len;
		snprintf(v[k].provider, 256, "agent.other.test.");
		snprintf(v[k].verdict, 16, k ? "pending" : "applied");
	}
	ks.nkeys = 2;
	ks.nverdicts = 2;
	ck_assert_int_eq(sgn_ks_encode(&ks, &b), HS_OK);
	hs_errmsg_clear(&em);
	ck_assert_int_eq(sgn_message(w.p[0].s, w.p[0].aid, "KEYSTATE", b.data, b.len, &em),
	                 HS_E_REFUSED);
	ck_assert(strstr(hs_errmsg_str(&em), "contradicts") != NULL);
	drain(&w, 0);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_MPDIST, 0), 2);
	/* the final verdicts open it */
	status_with(&w, 0, "applied", "", 1);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_PUBLISHED, 0), 2);
	hs_buf_free(&b);
	world_free(&w);
}
END_TEST

/* requirements: KS-33 KS-44 */
START_TEST(test_rejection_blocks_visibly)
{
	struct world w;
	sgn_key_view_t kv;
	hs_buf_t j = HS_BUF_INIT;
	solo(&w);
	status_with(&w, 0, "rejected", "not-signer", 1);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_MPDIST, 0), 2);
	ck_assert_int_eq(sgn_zone_key_at(w.p[0].s, ZONE, 1, &kv), HS_OK);
	ck_assert_str_eq(kv.waiting, "rejected by agent.other.test.: not-signer");
	sgn_zone_json(w.p[0].s, ZONE, &j);
	ck_assert(strstr(hs_buf_cstr(&j), "rejected by agent.other.test.") != NULL);
	/* time does not help */
	hs_env_fake_advance(&w.env, 86400000);
	sgn_tick(w.p[0].s);
	drain(&w, 0);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_MPDIST, 0), 2);
	hs_buf_free(&j);
	world_free(&w);
}
END_TEST

/* requirements: KS-40 KS-55 */
START_TEST(test_silent_peer_blocks_then_resumes)
{
	/* a three-provider rollover with one combiner down: it waits at the
	 * gate, shown, and resumes when the combiner is back */
	struct world w;
	sgn_policy_t pol = short_policy(0, 1);
	sgn_key_view_t kv;
	world_init(&w, 3, &pol);
	bring_up(&w);
	w.p[2].combiner_up = 0;
	ck_assert_int_eq(sgn_rollover(w.p[0].s, ZONE, ST_DKEY_ZSK, NULL), HS_OK);
	run_for(&w, 3 * 3600, 60);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_MPDIST, ST_DKEY_ZSK), 1);
	int found = 0;
	for (size_t i = 0; i < sgn_zone_key_count(w.p[0].s, ZONE); i++) {
		ck_assert_int_eq(sgn_zone_key_at(w.p[0].s, ZONE, i, &kv), HS_OK);
		if (kv.state == ST_DKEY_MPDIST) {
			ck_assert_str_eq(kv.waiting, "waiting for agent.p2.test.: pending");
			found = 1;
		}
	}
	ck_assert(found);
	w.p[2].combiner_up = 1;
	run_for(&w, 4 * 3600, 60);
	ck_assert_msg(w.fail[0] == 0, "%s", w.fail);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_REMOVED, ST_DKEY_ZSK), 1);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_ACTIVE, ST_DKEY_ZSK), 1);
	same_dnskey_everywhere(&w);
	world_free(&w);
}
END_TEST

START_TEST(test_peer_added_during_rollover)
{
	/* KS-42: a key in standby waits for a peer that joined after its
	 * gate opened */
	struct world w;
	sgn_policy_t pol = short_policy(0, 1);
	world_init(&w, 3, &pol);
	w.listed[2] = 0;
	bring_up(&w);
	ck_assert_int_eq(sgn_rollover(w.p[0].s, ZONE, ST_DKEY_ZSK, NULL), HS_OK);
	run_for(&w, 120, 60); /* gate open with p1 only: published */
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_PUBLISHED, ST_DKEY_ZSK), 1);
	/* p2 joins, its combiner down: the new key must not be used */
	w.listed[2] = 1;
	w.p[2].combiner_up = 0;
	run_for(&w, 3600, 60);
	if (getenv("SGN_DEBUG")) {
		hs_buf_t j = HS_BUF_INIT;
		sgn_zone_json(w.p[0].s, ZONE, &j);
		fprintf(stderr, "PEERADD %s\n", hs_buf_cstr(&j));
		hs_buf_free(&j);
	}
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_STANDBY, ST_DKEY_ZSK), 1);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_ACTIVE, ST_DKEY_ZSK), 1);
	w.p[2].combiner_up = 1;
	run_for(&w, 4 * 3600, 60);
	ck_assert_uint_eq(count_state(&w, 0, ST_DKEY_REMOVED, ST_DKEY_ZSK), 1);
	world_free(&w);
}
END_TEST

/* Log capture for KS-56: the signer's state-change lines. */
static char sg_log[64][256];
static size_t sg_nlog;
static void sg_log_hook(enum hs_log_level level, const char *subsys, const char *line, void *arg)
{
	(void)level;
	(void)subsys;
	(void)arg;
	if (strstr(line, " -> ") != NULL && sg_nlog < 64)
		snprintf(sg_log[sg_nlog++], sizeof(sg_log[0]), "%s", line);
}

static size_t sg_log_count(const char *needle)
{
	size_t c = 0;
	for (size_t i = 0; i < sg_nlog; i++)
		c += strstr(sg_log[i], needle) != NULL;
	return c;
}

/* requirements: KS-50 KS-51 KS-52 KS-56 */
START_TEST(test_single_provider_and_automatic_rollover)
{
	/* no agent: created -> published -> standby -> active; a ZSK
	 * lifetime starts the pre-publication rollover on its own */
	hs_env_fake_t env;
	sgn_t *s;
	sgn_cfg_t cfg = {"signer.solo.test.", NULL};
	sgn_policy_t pol = short_policy(0, 0);
	sgn_action_t a;
	zs_key_t *keys[16];
	size_t nk = 0;
	pol.zsk_lifetime = 7200;
	hs_env_fake_init(&env, T0_MS, 1);
	ck_assert_int_eq(sgn_new(&cfg, &env.env, &s, NULL), HS_OK);
	ck_assert_int_eq(sgn_zone_add(s, ZONE, &pol, NULL), HS_OK);
	sg_nlog = 0;
	hs_log_set_hook(sg_log_hook, NULL);
	for (int t = 0; t < 4 * 3600; t += 60) {
		sgn_tick(s);
		while (sgn_next_action(s, &a) == HS_OK) {
			if (a.kind == SGN_ACT_GENERATE) {
				size_t l;
				ck_assert_int_eq(zs_key_generate(a.alg, a.flags, &keys[nk], NULL),
				                 HS_OK);
				const uint8_t *rd = zs_key_dnskey(keys[nk++], &l);
				ck_assert_int_eq(sgn_key_generated(s, a.zone, a.req, rd, l), HS_OK);
			}
			ck_assert_int_ne(a.kind, SGN_ACT_SEND); /* no agent, nothing sent */
			sgn_action_clear(&a);
		}
		hs_env_fake_advance(&env, 60000);
	}
	/* KSK + first ZSK + the successor made by the lifetime */
	ck_assert_uint_eq(nk, 3);
	ck_assert_uint_eq(sgn_zone_key_count(s, ZONE), 3);
	sgn_key_view_t kv;
	ck_assert_int_eq(sgn_zone_key_at(s, ZONE, 1, &kv), HS_OK);
	ck_assert_int_eq(kv.state, ST_DKEY_REMOVED);
	ck_assert_int_eq(sgn_zone_key_at(s, ZONE, 2, &kv), HS_OK);
	ck_assert_int_eq(kv.state, ST_DKEY_ACTIVE);
	ck_assert_int_eq(sgn_message(s, "agent.x.test.", "KEYSTATE", (const uint8_t *)"", 0, NULL),
	                 HS_E_REFUSED);
	/* KS-56: every state change logged as "zone 'Z' key T: old -> new (why)" */
	hs_log_set_hook(NULL, NULL);
	ck_assert_uint_ge(sg_log_count(" -> published ("), 3);
	ck_assert_uint_ge(sg_log_count(" -> active ("), 2);
	ck_assert_uint_ge(sg_log_count(" -> retired ("), 1);
	ck_assert_uint_ge(sg_log_count(" -> removed ("), 1);
	for (size_t i = 0; i < sg_nlog; i++)
		ck_assert_msg(strncmp(sg_log[i], "zone '", 6) == 0 && strstr(sg_log[i], " key ") &&
		                  strchr(sg_log[i], '(') && sg_log[i][strlen(sg_log[i]) - 1] == ')',
		              "log line '%s'", sg_log[i]);
	for (size_t i = 0; i < nk; i++)
		zs_key_free(keys[i]);
	sgn_free(s);
}
END_TEST

/* The DS swap of a KSK rollover, driven by the parent's DS RRset
 * (SIGN-60..64): the successor waits for its DS at the parent (a tag
 * with the wrong digest does not count), then for the DS TTL, becomes
 * active; the old KSK stays in CDS while retired, and CDS names the new
 * key alone once it is withdrawn. */
struct solo {
	hs_env_fake_t env;
	sgn_t *s;
	zs_key_t *keys[16];
	size_t nk;
	int resigns;
};

static void solo_drain(struct solo *o)
{
	sgn_action_t a;
	sgn_tick(o->s);
	while (sgn_next_action(o->s, &a) == HS_OK) {
		if (a.kind == SGN_ACT_GENERATE) {
			size_t l;
			ck_assert_int_eq(zs_key_generate(a.alg, a.flags, &o->keys[o->nk], NULL),
			                 HS_OK);
			const uint8_t *rd = zs_key_dnskey(o->keys[o->nk++], &l);
			ck_assert_int_eq(sgn_key_generated(o->s, a.zone, a.req, rd, l), HS_OK);
		} else if (a.kind == SGN_ACT_RESIGN) {
			o->resigns++;
		}
		sgn_action_clear(&a);
	}
}

static void solo_run(struct solo *o, int seconds)
{
	for (int t = 0; t < seconds; t += 10) {
		solo_drain(o);
		hs_env_fake_advance(&o->env, 10000);
	}
	solo_drain(o);
}

/* The key (own, role KSK) in `state`; -1 when none. */
static int solo_ksk(struct solo *o, int state, sgn_key_view_t *out)
{
	for (size_t i = 0; i < sgn_zone_key_count(o->s, ZONE); i++) {
		ck_assert_int_eq(sgn_zone_key_at(o->s, ZONE, i, out), HS_OK);
		if (out->role == ST_DKEY_KSK && out->state == state)
			return (int)i;
	}
	return -1;
}

/* The DS (digest 2) of DNSKEY rd into b. */
static void ds_of(const uint8_t *rd, size_t len, hs_buf_t *b)
{
	uint8_t apex[256];
	size_t alen;
	ck_assert_int_eq(hs_name_from_text(ZONE, strlen(ZONE), apex, &alen), HS_OK);
	hs_buf_reset(b);
	ck_assert_int_eq(zs_ds_rdata(apex, alen, rd, len, 2, b), HS_OK);
}

static void feed_ds(struct solo *o, hs_buf_t *ds, size_t n, uint32_t ttl)
{
	const uint8_t *rd[4];
	size_t len[4];
	for (size_t i = 0; i < n; i++) {
		rd[i] = ds[i].data;
		len[i] = ds[i].len;
	}
	ck_assert_int_eq(sgn_parent_ds_set(o->s, ZONE, rd, len, n, ttl), HS_OK);
}

static size_t cds_count(struct solo *o, const hs_buf_t *ds)
{
	sgn_publish_t pub;
	size_t n = 0;
	ck_assert_int_eq(sgn_zone_publish(o->s, ZONE, &pub), HS_OK);
	for (size_t i = 0; i < pub.ncds; i++)
		n += ds == NULL || (pub.cds[i].len == ds->len &&
		                    memcmp(pub.cds[i].rdata, ds->data, ds->len) == 0);
	sgn_publish_free(&pub);
	return n;
}

/* requirements: SIGN-60 SIGN-61 SIGN-62 SIGN-63 SIGN-64 */
START_TEST(test_ds_swap_driven_by_parent)
{
	struct solo o;
	sgn_cfg_t cfg = {"signer.solo.test.", NULL};
	sgn_policy_t pol = short_policy(0, 1);
	sgn_key_view_t old, neu, kv;
	hs_buf_t ds[3] = {HS_BUF_INIT, HS_BUF_INIT, HS_BUF_INIT};
	memset(&o, 0, sizeof(o));
	hs_env_fake_init(&o.env, T0_MS, 7);
	ck_assert_int_eq(sgn_new(&cfg, &o.env.env, &o.s, NULL), HS_OK);
	ck_assert_int_eq(sgn_zone_add(o.s, ZONE, &pol, NULL), HS_OK);
	ck_assert_int_eq(sgn_zone_input(o.s, ZONE, NULL, NULL, 0, 1), HS_OK);
	solo_run(&o, 600);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_ACTIVE, &old), 0);
	ds_of(old.rdata, old.len, &ds[0]);
	feed_ds(&o, ds, 1, 120);
	ck_assert(!sgn_zone_wants_ds(o.s, ZONE));

	ck_assert_int_eq(sgn_rollover(o.s, ZONE, ST_DKEY_KSK, NULL), HS_OK);
	solo_run(&o, 600); /* past propagation + DNSKEY TTL: standby */
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_STANDBY, &neu), 0);
	ck_assert(strstr(neu.waiting, "waiting for DS at the parent") != NULL);
	ck_assert(sgn_zone_wants_ds(o.s, ZONE));
	ck_assert_uint_eq(cds_count(&o, NULL), 2); /* double-DS: old and new */
	ds_of(neu.rdata, neu.len, &ds[1]);

	/* the parent still has the old DS alone: nothing moves, however long */
	feed_ds(&o, ds, 1, 120);
	solo_run(&o, 3600);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_STANDBY, &kv), 0);
	ck_assert(strstr(kv.waiting, "waiting for DS at the parent") != NULL);

	/* a DS with the new key's tag and algorithm but another digest */
	hs_buf_append(&ds[2], ds[1].data, ds[1].len);
	ds[2].data[ds[2].len - 1] ^= 0xff;
	{
		hs_buf_t two[2] = {ds[0], ds[2]};
		feed_ds(&o, two, 2, 120);
	}
	solo_run(&o, 600);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_STANDBY, &kv), 0);
	ck_assert(strstr(kv.waiting, "waiting for DS at the parent") != NULL);

	/* both DS: the new key waits the DS TTL (120 s), then signs */
	feed_ds(&o, ds, 2, 120);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_STANDBY, &kv), 0);
	ck_assert(strstr(kv.waiting, "DS TTL") != NULL);
	/* the new DS goes away before its TTL passed: waiting again */
	hs_env_fake_advance(&o.env, 60000);
	feed_ds(&o, ds, 1, 120);
	hs_env_fake_advance(&o.env, 90000);
	solo_drain(&o);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_STANDBY, &kv), 0);
	ck_assert(strstr(kv.waiting, "waiting for DS at the parent") != NULL);
	feed_ds(&o, ds, 2, 120);
	hs_env_fake_advance(&o.env, 110000);
	solo_drain(&o);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_STANDBY, &kv), 0);
	ck_assert_int_lt(sgn_next_deadline(o.s), INT64_MAX);
	hs_env_fake_advance(&o.env, 11000);
	solo_drain(&o);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_ACTIVE, &kv), 0);
	ck_assert_uint_eq(kv.tag, neu.tag);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_RETIRED, &kv), 0);
	ck_assert_uint_eq(kv.tag, old.tag);
	ck_assert(!sgn_zone_wants_ds(o.s, ZONE));
	/* retired: still in CDS (the parent keeps its DS until it is withdrawn) */
	ck_assert_uint_eq(cds_count(&o, NULL), 2);
	/* past DNSKEY TTL + propagation: withdrawn; CDS names the new key alone */
	solo_run(&o, 600);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_REMOVED, &kv), 0);
	ck_assert_uint_eq(cds_count(&o, NULL), 1);
	ck_assert_uint_eq(cds_count(&o, &ds[1]), 1);
	/* the parent drops the old DS: nothing else changes */
	feed_ds(&o, &ds[1], 1, 120);
	ck_assert_int_ge(solo_ksk(&o, ST_DKEY_ACTIVE, &kv), 0);
	ck_assert_uint_eq(kv.tag, neu.tag);
	for (int i = 0; i < 3; i++)
		hs_buf_free(&ds[i]);
	for (size_t i = 0; i < o.nk; i++)
		zs_key_free(o.keys[i]);
	sgn_free(o.s);
}
END_TEST

/* requirements: KS-30 KS-31 */
START_TEST(test_bad_input_refused)
{
	struct world w;
	hs_errmsg_t em;
	hs_buf_t b = HS_BUF_INIT;
	sgn_keystate_t ks;
	uint8_t bad[] = {0x01, 0x01, 3, 13, 1, 2, 3}; /* a P-256 key of 3 octets */
	uint8_t notzone[] = {0x00, 0x00, 3, 15, 1, 2, 3, 4};
	const uint8_t *rds[2] = {bad, notzone};
	size_t lens[2] = {sizeof(bad), sizeof(notzone)};
	solo(&w);
	uint64_t before = sgn_refused(w.p[0].s);
	/* a KEYSTATE from a party that is not our agent */
	status_with(&w, 0, "applied", "", 0); /* (ours: fine) */
	memset(&ks, 0, sizeof(ks));
	snprintf(ks.zone, sizeof(ks.zone), "%s", ZONE);
	ks.kind = SGN_KS_STATUS;
	ks.has_peers = 1;
	ck_assert_int_eq(sgn_ks_encode(&ks, &b), HS_OK);
	hs_errmsg_clear(&em);
	ck_assert_int_eq(sgn_message(w.p[0].s, "agent.evil.test.", "KEYSTATE", b.data, b.len, &em),
	                 HS_E_REFUSED);
	ck_assert(strstr(hs_errmsg_str(&em), "is not this signer's agent") != NULL);
	ck_assert_int_eq(sgn_inventory_request(w.p[0].s, "agent.evil.test.", ZONE, NULL),
	                 HS_E_REFUSED);
	/* malformed bodies and an inventory sent to the signer */
	ck_assert_int_eq(sgn_message(w.p[0].s, w.p[0].aid, "KEYSTATE", b.data, b.len - 1, NULL),
	                 HS_E_TRUNC);
	hs_buf_reset(&b);
	ks.kind = SGN_KS_INVENTORY;
	ck_assert_int_eq(sgn_ks_encode(&ks, &b), HS_OK);
	ck_assert_int_eq(sgn_message(w.p[0].s, w.p[0].aid, "KEYSTATE", b.data, b.len, NULL),
	                 HS_E_REFUSED);
	/* malformed DNSKEYs in the combined zone: refused, never published */
	ck_assert_int_eq(sgn_zone_input(w.p[0].s, ZONE, rds, lens, 2, 1), HS_OK);
	drain(&w, 0);
	sgn_publish_t pub;
	ck_assert_int_eq(sgn_zone_publish(w.p[0].s, ZONE, &pub), HS_OK);
	ck_assert_uint_eq(pub.ndnskey, 2); /* our own two only */
	sgn_publish_free(&pub);
	ck_assert_uint_ge(sgn_refused(w.p[0].s), before + 4);
	hs_buf_t j = HS_BUF_INIT;
	sgn_zone_json(w.p[0].s, ZONE, &j);
	ck_assert(strstr(hs_buf_cstr(&j), "refused") != NULL);
	hs_buf_free(&j);
	hs_buf_free(&b);
	world_free(&w);
}
END_TEST

/* requirements: KS-24 */
START_TEST(test_foreign_key_leaves_and_returns)
{
	/* KS-24: a foreign key gone from the combined zone is removed, and
	 * published again when it returns, so every signer keeps one set */
	struct world w;
	zs_key_t *f = NULL;
	size_t l;
	sgn_publish_t pub;
	solo(&w);
	ck_assert_int_eq(zs_key_generate(13, 256, &f, NULL), HS_OK);
	const uint8_t *rd = zs_key_dnskey(f, &l);
	ck_assert_int_eq(sgn_zone_input(w.p[0].s, ZONE, &rd, &l, 1, 1), HS_OK);
	drain(&w, 0);
	ck_assert_int_eq(sgn_zone_publish(w.p[0].s, ZONE, &pub), HS_OK);
	ck_assert_uint_eq(pub.ndnskey, 3);
	sgn_publish_free(&pub);
	ck_assert_int_eq(sgn_zone_input(w.p[0].s, ZONE, NULL, NULL, 0, 1), HS_OK);
	drain(&w, 0);
	ck_assert_int_eq(sgn_zone_publish(w.p[0].s, ZONE, &pub), HS_OK);
	ck_assert_uint_eq(pub.ndnskey, 2);
	sgn_publish_free(&pub);
	ck_assert_int_eq(sgn_zone_input(w.p[0].s, ZONE, &rd, &l, 1, 1), HS_OK);
	drain(&w, 0);
	ck_assert_int_eq(sgn_zone_publish(w.p[0].s, ZONE, &pub), HS_OK);
	ck_assert_uint_eq(pub.ndnskey, 3);
	sgn_publish_free(&pub);
	zs_key_free(f);
	world_free(&w);
}
END_TEST

/* requirements: KS-32 */
START_TEST(test_codec_roundtrip_and_dry_run)
{
	sgn_keystate_t ks, d;
	hs_buf_t b = HS_BUF_INIT, t = HS_BUF_INIT;
	uint8_t rd[] = {1, 1, 3, 15, 9, 9, 9, 9};
	sgn_ks_key_t k = {rd, sizeof(rd), "standby"};
	char peers[2][256] = {"agent.a.test.", "agent.b.test."};
	sgn_ks_verdict_t v = {rd, sizeof(rd), "agent.a.test.", "rejected", "not-signer"};
	sgn_policy_t pol = short_policy(0, 1);
	memset(&ks, 0, sizeof(ks));
	snprintf(ks.zone, sizeof(ks.zone), "Example.Test");
	ks.kind = SGN_KS_REJECTED;
	ks.seq = 77;
	ks.keys = &k;
	ks.nkeys = 1;
	ks.has_peers = 1;
	ks.peers = peers;
	ks.npeers = 2;
	ks.verdicts = &v;
	ks.nverdicts = 1;
	ck_assert_int_eq(sgn_ks_encode(&ks, &b), HS_OK);
	ck_assert_int_eq(sgn_ks_decode(b.data, b.len, &d, NULL), HS_OK);
	ck_assert_str_eq(d.zone, "example.test.");
	ck_assert_int_eq(d.kind, SGN_KS_REJECTED);
	ck_assert_uint_eq(d.seq, 77);
	ck_assert_uint_eq(d.nkeys, 1);
	ck_assert_str_eq(d.keys[0].state, "standby");
	ck_assert_uint_eq(d.npeers, 2);
	ck_assert_str_eq(d.verdicts[0].reason, "not-signer");
	sgn_ks_free(&d);
	for (size_t n = 0; n < b.len; n++)
		ck_assert_int_ne(sgn_ks_decode(b.data, n, &d, NULL), HS_OK);
	sgn_dry_run(&pol, ST_DKEY_KSK, 1800000000, &t);
	ck_assert(strstr(hs_buf_cstr(&t), "CDS/CDNSKEY for the old and the new key") != NULL);
	ck_assert(strstr(hs_buf_cstr(&t), "+360") != NULL);
	hs_buf_free(&b);
	hs_buf_free(&t);
}
END_TEST

/* requirements: KS-1 KS-2 */
START_TEST(test_store_transitions_and_history)
{
	char *dir = tu_tmpdir(), path[512];
	st_t *st = NULL;
	st_dkey_list_t l;
	st_key_event_list_t h;
	uint8_t rd[] = {1, 1, 3, 13, 5, 6, 7, 8};
	uint8_t priv[] = {1, 2, 3};
	int to;
	snprintf(path, sizeof(path), "%s/st.db", dir);
	ck_assert_int_eq(st_open(path, &st, NULL), HS_OK);
	ck_assert_int_eq(st_dkey_add(st, "Ms.Test", ST_DKEY_KSK, rd, sizeof(rd), priv, 3,
	                             ST_DKEY_CREATED, 10, "generated"),
	                 HS_OK);
	ck_assert_int_eq(st_dkey_add(st, "ms.test.", ST_DKEY_KSK, rd, sizeof(rd), NULL, 0,
	                             ST_DKEY_CREATED, 10, NULL),
	                 HS_E_EXISTS);
	ck_assert_int_eq(st_dkey_set_state(st, "ms.test.", rd, sizeof(rd), ST_DKEY_ACTIVE, 11, "x"),
	                 HS_E_STATE);
	static const int path_[] = {ST_DKEY_MPDIST, ST_DKEY_PUBLISHED, ST_DKEY_STANDBY,
	                            ST_DKEY_ACTIVE, ST_DKEY_RETIRED,   ST_DKEY_MPREMOVE,
	                            ST_DKEY_REMOVED};
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(st_dkey_set_state(st, "ms.test.", rd, sizeof(rd), path_[i], 20 + i,
		                                   st_dkey_state_name(path_[i])),
		                 HS_OK);
	ck_assert_int_eq(st_dkey_list(st, "ms.test.", ST_WITH_PRIVATE, &l), HS_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.v[0].state, ST_DKEY_REMOVED);
	ck_assert_ptr_null(l.v[0].priv); /* erased */
	ck_assert_uint_eq(l.v[0].tag, zs_keytag(rd, sizeof(rd)));
	st_dkey_list_free(&l);
	ck_assert_int_eq(st_dkey_history(st, "ms.test.", rd, sizeof(rd), &h), HS_OK);
	ck_assert_uint_eq(h.n, 8);
	ck_assert_int_eq(h.v[0].from_state, -1);
	ck_assert_str_eq(h.v[7].reason, "removed");
	st_key_event_list_free(&h);
	/* the table: every state has a name and the names parse back */
	for (int s = 0; s < ST_DKEY_NSTATES; s++) {
		ck_assert_int_eq(st_dkey_state_parse(st_dkey_state_name(s), &to), HS_OK);
		ck_assert_int_eq(to, s);
	}
	ck_assert(!st_dkey_transition_ok(ST_DKEY_REMOVED, ST_DKEY_ACTIVE));
	ck_assert(!st_dkey_transition_ok(ST_DKEY_MPDIST, ST_DKEY_ACTIVE)); /* never skip the gate */
	ck_assert(st_dkey_transition_ok(-1, ST_DKEY_FOREIGN));
	st_close(st);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *signer_suite(void)
{
	Suite *s = suite_create("signer");
	TCase *tc = tcase_create("keys");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_codec_roundtrip_and_dry_run);
	tcase_add_test(tc, test_store_transitions_and_history);
	tcase_add_test(tc, test_no_peers_advance_at_once);
	tcase_add_test(tc, test_pending_keeps_gate_closed);
	tcase_add_test(tc, test_rejection_blocks_visibly);
	tcase_add_test(tc, test_single_provider_and_automatic_rollover);
	tcase_add_test(tc, test_bad_input_refused);
	tcase_add_test(tc, test_ds_swap_driven_by_parent);
	tcase_add_test(tc, test_foreign_key_leaves_and_returns);
	tcase_add_test(tc, test_silent_peer_blocks_then_resumes);
	tcase_add_test(tc, test_peer_added_during_rollover);
	tcase_add_loop_test(tc, test_matrix, 0, 12);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(signer_suite)
