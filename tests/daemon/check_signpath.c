/*
 * check_signpath.c -- the signer role's way from a combined version to
 * the served signed version (daemon/signpath.h), SIGN-7:
 *  - random changes of the combined zone (names, delegations with glue
 *    and DS, empty non-terminals, TTLs) signed incrementally give, after
 *    each step, the zone a full signing of the same version gives: the
 *    same records apart from RRSIGs and the SOA serial, an RRSIG for
 *    exactly the RRsets the full signing signs, one per key, each
 *    verifying over the served RRset (and ldns-verify-zone when
 *    installed), for NSEC and NSEC3;
 *  - key changes: a key published only re-signs the DNSKEY RRset, a new
 *    KSK re-signs the apex key sets only, a new ZSK re-signs everything;
 *  - a restart (nothing kept, served zone restored) with the same
 *    combined version changes nothing served (not even the SOA), and
 *    the next change is signed incrementally.
 * requirements: SIGN-7 SIGN-10
 */
#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/signpath.h"
#include "dnssec/zs_int.h"
#include "util/env.h"
#include "wire/text.h"

static uint32_t NOW; /* the real clock: ldns-verify-zone checks the times */
static uint8_t apex[256];
static size_t alen;
static uint64_t rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static size_t name(const char *text, uint8_t *out)
{
	size_t l;
	ck_assert_int_eq(hs_name_from_text(text, strlen(text), out, &l), HS_OK);
	return l;
}

static void add_rr(zn_builder_t *b, zn_diff_t *d, int del, const char *owner, uint16_t type,
                   uint32_t ttl, const uint8_t *rd, size_t rl)
{
	uint8_t o[256];
	size_t ol = name(owner, o);
	zn_rr_t rr = {o, ol, type, ttl, rd, (uint16_t)rl};
	if (b != NULL)
		ck_assert_int_eq(zn_builder_add(b, &rr, NULL), HS_OK);
	else if (del)
		ck_assert_int_eq(zn_diff_del(d, &rr), HS_OK);
	else
		ck_assert_int_eq(zn_diff_add(d, &rr), HS_OK);
}

static void a_rr(zn_builder_t *b, zn_diff_t *d, int del, const char *owner, unsigned i,
                 uint32_t ttl)
{
	uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
	add_rr(b, d, del, owner, 1, ttl, a, 4);
}

/* A delegation: NS to a glue name below it, the glue, a DS for some. */
static void deleg(zn_builder_t *b, zn_diff_t *d, int del, unsigned i)
{
	char cut[64], ns[80];
	uint8_t rd[256], ds[36];
	snprintf(cut, sizeof(cut), "d%u.sp.test.", i);
	snprintf(ns, sizeof(ns), "ns.d%u.sp.test.", i);
	add_rr(b, d, del, cut, ZS_TYPE_NS, 300, rd, name(ns, rd));
	a_rr(b, d, del, ns, i, 300);
	if (i % 2 == 0) {
		memset(ds, (int)i, sizeof(ds));
		ds[2] = 13;
		ds[3] = 2;
		add_rr(b, d, del, cut, ZS_TYPE_DS, 300, ds, sizeof(ds));
	}
}

/* The state of the combined zone the random changes keep. */
#define NH 64
#define ND 16
struct model {
	unsigned char host[NH]; /* host i present (h<i>.e<i%5>.sp.test: empty non-terminals) */
	unsigned char ttl[NH];  /* its TTL choice */
	unsigned char dl[ND];   /* delegation i present */
};

static void host_name(unsigned i, char *out, size_t n)
{
	snprintf(out, n, "h%u.e%u.sp.test.", i, i % 5);
}

static uint32_t host_ttl(const struct model *m, unsigned i)
{
	return m->ttl[i] ? 600 : 300;
}

static zn_zone_t *initial(struct model *m)
{
	zn_builder_t *b = zn_builder_new(apex, alen);
	zn_zone_t *z = NULL;
	uint8_t soa[256], rd[256];
	size_t l = name("ns1.sp.test.", soa);
	l += name("hostmaster.sp.test.", soa + l);
	memcpy(soa + l, "\0\0\0\1\0\0\x1c\x20\0\0\x0e\x10\0\x12\x75\0\0\0\1\x2c", 20);
	add_rr(b, NULL, 0, "sp.test.", ZS_TYPE_SOA, 3600, soa, l + 20);
	add_rr(b, NULL, 0, "sp.test.", ZS_TYPE_NS, 3600, rd, name("ns1.sp.test.", rd));
	a_rr(b, NULL, 0, "ns1.sp.test.", 1, 3600);
	/* what a combined zone brings that the signer replaces or drops */
	add_rr(b, NULL, 0, "sp.test.", ZS_TYPE_DNSKEY, 3600, (const uint8_t *)"\1\1\3\15abcd", 8);
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < NH; i += 2) {
		char h[64];
		host_name(i, h, sizeof(h));
		a_rr(b, NULL, 0, h, i, 300);
		m->host[i] = 1;
	}
	for (unsigned i = 0; i < ND; i += 3) {
		deleg(b, NULL, 0, i);
		m->dl[i] = 1;
	}
	ck_assert_int_eq(zn_zone_new(apex, alen, &z), HS_OK);
	ck_assert_int_eq(zn_zone_set(z, b, NULL), HS_OK);
	return z;
}

/* One to three random changes to the combined zone, a new serial. */
static void change(zn_zone_t *in, struct model *m)
{
	zn_snap_t *s = zn_zone_snapshot(in);
	zn_diff_t *d = zn_diff_new();
	zn_rr_t soa;
	uint8_t rd[600];
	unsigned n = 1 + rnd(3);
	zn_snap_soa(s, &soa);
	ck_assert_int_eq(zn_diff_set_from(d, soa.ttl, soa.rdata, soa.rdlen), HS_OK);
	memcpy(rd, soa.rdata, soa.rdlen);
	uint32_t serial = zn_snap_serial(s) + 1;
	rd[soa.rdlen - 20] = (uint8_t)(serial >> 24);
	rd[soa.rdlen - 19] = (uint8_t)(serial >> 16);
	rd[soa.rdlen - 18] = (uint8_t)(serial >> 8);
	rd[soa.rdlen - 17] = (uint8_t)serial;
	ck_assert_int_eq(zn_diff_set_to(d, soa.ttl, rd, soa.rdlen), HS_OK);
	unsigned char used_h[NH] = {0}, used_d[ND] = {0};
	for (unsigned k = 0; k < n; k++) {
		unsigned what = rnd(4);
		if (what <= 1) {
			unsigned i = rnd(NH);
			char h[64];
			if (used_h[i])
				continue;
			used_h[i] = 1;
			host_name(i, h, sizeof(h));
			if (!m->host[i]) {
				a_rr(NULL, d, 0, h, i, host_ttl(m, i));
			} else if (what == 0) {
				a_rr(NULL, d, 1, h, i, host_ttl(m, i));
			} else {
				/* a TTL change */
				a_rr(NULL, d, 1, h, i, host_ttl(m, i));
				m->ttl[i] ^= 1;
				a_rr(NULL, d, 0, h, i, host_ttl(m, i));
				continue;
			}
			m->host[i] ^= 1;
		} else {
			unsigned i = rnd(ND);
			if (used_d[i])
				continue;
			used_d[i] = 1;
			deleg(NULL, d, m->dl[i], i);
			m->dl[i] ^= 1;
		}
	}
	ck_assert_int_eq(zn_apply(in, d, NULL), HS_OK);
	zn_diff_free(d);
	zn_snap_release(s);
}

struct keys {
	zs_key_t *k[8];
	unsigned roles[8];
	size_t n;
	sgn_rr_t dnskey[8], signers[8];
	uint8_t sroles[8];
	size_t ndnskey;
	zs_key_t *all[8]; /* every key made, for keys_free */
};

static sgn_publish_t publish(struct keys *ks)
{
	sgn_publish_t p;
	memset(&p, 0, sizeof(p));
	p.dnskey = ks->dnskey;
	p.ndnskey = ks->ndnskey;
	p.signers = ks->signers;
	p.roles = ks->sroles;
	p.nsigners = ks->n;
	return p;
}

static void key_add(struct keys *ks, uint16_t flags, int signs)
{
	zs_key_t *k = NULL;
	size_t l;
	ck_assert_int_eq(zs_key_generate(13, flags, &k, NULL), HS_OK);
	ks->all[ks->ndnskey] = k;
	const uint8_t *rd = zs_key_dnskey(k, &l);
	ks->dnskey[ks->ndnskey].rdata = (uint8_t *)rd;
	ks->dnskey[ks->ndnskey++].len = l;
	if (signs) {
		ks->k[ks->n] = k;
		ks->roles[ks->n] = flags == 257 ? ZS_ROLE_KSK : ZS_ROLE_ZSK;
		ks->signers[ks->n].rdata = (uint8_t *)rd;
		ks->signers[ks->n].len = l;
		ks->sroles[ks->n] = flags == 257 ? ST_DKEY_KSK : ST_DKEY_ZSK;
		ks->n++;
	}
}

/* Stop signing with the key of `role` that came first (it stays published). */
static void key_retire(struct keys *ks, unsigned role)
{
	for (size_t i = 0; i < ks->n; i++)
		if (ks->roles[i] == role) {
			memmove(&ks->k[i], &ks->k[i + 1], (ks->n - i - 1) * sizeof(ks->k[0]));
			memmove(&ks->roles[i], &ks->roles[i + 1],
			        (ks->n - i - 1) * sizeof(unsigned));
			memmove(&ks->signers[i], &ks->signers[i + 1],
			        (ks->n - i - 1) * sizeof(ks->signers[0]));
			memmove(&ks->sroles[i], &ks->sroles[i + 1], ks->n - i - 1);
			ks->n--;
			return;
		}
}

/* Records besides RRSIG that differ between two versions. */
static size_t non_sig_diff(const zn_snap_t *a, const zn_snap_t *b)
{
	zn_diff_t *d = NULL;
	zn_rr_t rr;
	size_t n = 0;
	ck_assert_int_eq(zn_diff_snaps(a, b, &d), HS_OK);
	for (size_t i = 0; i < zn_diff_ndel(d); i++)
		n += zn_diff_del_rr(d, i, &rr) == HS_OK && rr.type != ZS_TYPE_RRSIG;
	for (size_t i = 0; i < zn_diff_nadd(d); i++)
		n += zn_diff_add_rr(d, i, &rr) == HS_OK && rr.type != ZS_TYPE_RRSIG;
	zn_diff_free(d);
	return n;
}

/* (owner, covered type) of every RRSIG, one line each, and checks that
 * each verifies over the served RRset with one of the keys and that no
 * RRset has two signatures of one key. */
static void sig_index(const zn_snap_t *s, const struct keys *ks, hs_buf_t *out)
{
	zn_iter_t *it = zn_iter_new((zn_snap_t *)s);
	const uint8_t *owner;
	size_t olen;
	zn_rrset_t set;
	hs_buf_t scratch = HS_BUF_INIT, mine = HS_BUF_INIT;
	while (zn_iter_next(it, &owner, &olen, &set)) {
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rl;
		uint32_t seen[64];
		size_t nseen = 0;
		if (set.type != ZS_TYPE_RRSIG)
			continue;
		while (zn_rrset_next(&set, &off, &rd, &rl)) {
			uint16_t t = (uint16_t)(rd[0] << 8 | rd[1]);
			uint16_t tag = (uint16_t)(rd[16] << 8 | rd[17]);
			zn_rrset_t cov;
			const zs_key_t *k = NULL;
			ck_assert_msg(zn_snap_find(s, owner, olen, t, &cov, NULL) == HS_OK,
			              "an RRSIG covers type %u that is not there", t);
			for (size_t i = 0; i < ks->n; i++)
				if (zs_key_tag(ks->k[i]) == tag)
					k = ks->k[i];
			ck_assert_msg(k != NULL, "an RRSIG by key %u, not a signing key", tag);
			for (size_t i = 0; i < nseen; i++)
				ck_assert_msg(seen[i] != ((uint32_t)t << 16 | tag),
				              "two RRSIGs of type %u by key %u", t, tag);
			if (nseen < 64)
				seen[nseen++] = (uint32_t)t << 16 | tag;
			/* the same signed data, re-made over the served RRset,
			 * verifies with the key */
			struct zs_rrset r;
			memset(&r, 0, sizeof(r));
			r.owner = owner;
			r.owner_len = olen;
			r.type = t;
			r.ttl = cov.ttl;
			r.set = cov;
			uint32_t exp = (uint32_t)rd[8] << 24 | (uint32_t)rd[9] << 16 |
			               (uint32_t)rd[10] << 8 | rd[11];
			uint32_t inc = (uint32_t)rd[12] << 24 | (uint32_t)rd[13] << 16 |
			               (uint32_t)rd[14] << 8 | rd[15];
			mine.len = 0;
			ck_assert_int_eq(
			    zs_rrsig_make(k, &r, apex, alen, inc, exp, &scratch, NULL, &mine),
			    HS_OK);
			size_t hdr = mine.len - 64; /* P-256 and Ed25519: 64 octets */
			ck_assert_uint_eq(memcmp(mine.data, rd, hdr), 0);
			ck_assert_msg(zs_key_verify(k, scratch.data, scratch.len, rd + hdr,
			                            rl - hdr) == HS_OK,
			              "an RRSIG does not verify over the served RRset");
			hs_name_print(out, owner, olen);
			hs_buf_printf(out, " %u %u\n", t, tag);
		}
	}
	zn_iter_free(it);
	hs_buf_free(&scratch);
	hs_buf_free(&mine);
}

static int ldns_verify(const zn_snap_t *s)
{
	char dir[] = "/tmp/check_signpath.XXXXXX", path[64], cmd[256];
	hs_buf_t t = HS_BUF_INIT;
	int rc;
	if (system("command -v ldns-verify-zone >/dev/null 2>&1") != 0)
		return 0;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/z", dir);
	zs_zone_text(s, &t);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(t.data, 1, t.len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "ldns-verify-zone '%s' >'%s.out' 2>&1", path, path);
	rc = system(cmd);
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "head -5 '%s.out' >&2", path);
		(void)system(cmd);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
	hs_buf_free(&t);
	return rc == 0 ? 1 : -1;
}

/* The served zone against a full signing of combined version `in`. */
static void same_as_full(zn_zone_t *out, const zn_snap_t *in, const struct keys *ks,
                         const zs_params_t *p, const hs_env_t *env)
{
	zs_signer_t *zs = NULL;
	zn_zone_t *ref = NULL;
	zn_journal_t *rj = zn_journal_new(NULL);
	hd_sp_t *sp = hd_sp_new();
	hd_sp_result_t r;
	sgn_publish_t pub = publish((struct keys *)ks);
	hs_buf_t a = HS_BUF_INIT, b = HS_BUF_INIT;
	ck_assert_int_eq(zs_signer_new(apex, alen, p, env, &zs), HS_OK);
	ck_assert_int_eq(zs_signer_set_keys(zs, ks->k, ks->roles, ks->n), HS_OK);
	ck_assert_int_eq(zn_zone_new(apex, alen, &ref), HS_OK);
	ck_assert_int_eq(hd_sp_sign(sp, zs, in, &pub, 3600, NOW, 1, ref, rj, NOW, NULL, &r, NULL),
	                 HS_OK);
	zn_snap_t *x = zn_zone_snapshot(out), *y = zn_zone_snapshot(ref);
	ck_assert_uint_eq(non_sig_diff(x, y), 0);
	sig_index(x, ks, &a);
	sig_index(y, ks, &b);
	ck_assert_msg(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
	              "the RRsets signed differ from a full signing");
	ck_assert_int_ge(ldns_verify(x), 0);
	zn_snap_release(x);
	zn_snap_release(y);
	hs_buf_free(&a);
	hs_buf_free(&b);
	hd_sp_free(sp);
	zn_zone_free(ref);
	zn_journal_free(rj);
	zs_signer_free(zs);
}

static void keys_free(struct keys *ks)
{
	for (size_t i = 0; i < ks->ndnskey; i++)
		zs_key_free(ks->all[i]);
}

static void random_changes(enum zs_denial denial)
{
	hs_env_fake_t fe;
	zs_params_t p;
	zs_signer_t *zs = NULL;
	struct keys ks;
	struct model m;
	zn_zone_t *in, *out = NULL;
	zn_journal_t *jn = zn_journal_new(NULL);
	hd_sp_t *sp = hd_sp_new();
	hd_sp_result_t r;
	hs_errmsg_t em;

	NOW = (uint32_t)time(NULL);
	hs_env_fake_init(&fe, (uint64_t)NOW * 1000, 7);
	alen = name("sp.test.", apex);
	memset(&p, 0, sizeof(p));
	p.denial = denial;
	memset(&ks, 0, sizeof(ks));
	key_add(&ks, 257, 1);
	key_add(&ks, 256, 1);
	in = initial(&m);
	ck_assert_int_eq(zs_signer_new(apex, alen, &p, &fe.env, &zs), HS_OK);
	ck_assert_int_eq(zs_signer_set_keys(zs, ks.k, ks.roles, ks.n), HS_OK);
	ck_assert_int_eq(zn_zone_new(apex, alen, &out), HS_OK);
	sgn_publish_t pub = publish(&ks);
	zn_snap_t *s = zn_zone_snapshot(in);
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_int_eq(r.path, HD_SP_FULL);
	zn_snap_release(s);
	same_as_full(out, (s = zn_zone_snapshot(in)), &ks, &p, &fe.env);
	zn_snap_release(s);
	for (int step = 1; step <= 60; step++) {
		change(in, &m);
		s = zn_zone_snapshot(in);
		hs_errmsg_clear(&em);
		ck_assert_msg(
		    hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, &em) == HS_OK,
		    "step %d: %s", step, hs_errmsg_str(&em));
		ck_assert_int_eq(r.path, HD_SP_DIFF);
		/* the cost follows the change: a few RRsets, never the zone */
		ck_assert_uint_lt(r.st.rrsets_signed, 40);
		if (step % 10 == 0)
			same_as_full(out, s, &ks, &p, &fe.env);
		zn_snap_release(s);
	}
	/* the journal holds one difference per step (IXFR to downstreams) */
	ck_assert_uint_eq(zn_journal_count(jn), 60);
	hd_sp_free(sp);
	zn_zone_free(in);
	zn_zone_free(out);
	zn_journal_free(jn);
	zs_signer_free(zs);
	keys_free(&ks);
}

START_TEST(test_random_changes_nsec)
{
	random_changes(ZS_NSEC);
}
END_TEST

START_TEST(test_random_changes_nsec3)
{
	random_changes(ZS_NSEC3);
}
END_TEST

START_TEST(test_key_changes_and_restart)
{
	hs_env_fake_t fe;
	zs_params_t p;
	zs_signer_t *zs = NULL;
	struct keys ks;
	struct model m;
	zn_zone_t *in, *out = NULL;
	zn_journal_t *jn = zn_journal_new(NULL);
	hd_sp_t *sp = hd_sp_new();
	hd_sp_result_t r;
	sgn_publish_t pub;
	size_t rrsets;

	NOW = (uint32_t)time(NULL);
	hs_env_fake_init(&fe, (uint64_t)NOW * 1000, 9);
	alen = name("sp.test.", apex);
	memset(&p, 0, sizeof(p));
	memset(&ks, 0, sizeof(ks));
	key_add(&ks, 257, 1);
	key_add(&ks, 256, 1);
	in = initial(&m);
	zn_snap_t *s = zn_zone_snapshot(in);
	ck_assert_int_eq(zs_signer_new(apex, alen, &p, &fe.env, &zs), HS_OK);
	ck_assert_int_eq(zs_signer_set_keys(zs, ks.k, ks.roles, ks.n), HS_OK);
	ck_assert_int_eq(zn_zone_new(apex, alen, &out), HS_OK);
	pub = publish(&ks);
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	rrsets = r.st.rrsets_signed;
	ck_assert_uint_gt(rrsets, 20);

	/* a ZSK published, not signing: the DNSKEY RRset and the SOA only */
	key_add(&ks, 256, 0);
	pub = publish(&ks);
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_int_eq(r.path, HD_SP_DIFF);
	ck_assert_uint_eq(r.st.rrsets_signed, 2);
	same_as_full(out, s, &ks, &p, &fe.env);

	/* a new KSK signing, the old one retired: the apex key sets only */
	key_add(&ks, 257, 1);
	key_retire(&ks, ZS_ROLE_KSK);
	ck_assert_int_eq(zs_signer_set_keys(zs, ks.k, ks.roles, ks.n), HS_OK);
	pub = publish(&ks);
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_uint_le(r.st.rrsets_signed, 2); /* DNSKEY (no CDS here) and the SOA */
	same_as_full(out, s, &ks, &p, &fe.env);

	/* a new ZSK signing, the old one retired: every RRset again */
	key_add(&ks, 256, 1);
	key_retire(&ks, ZS_ROLE_ZSK);
	ck_assert_int_eq(zs_signer_set_keys(zs, ks.k, ks.roles, ks.n), HS_OK);
	pub = publish(&ks);
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_uint_ge(r.st.rrsets_signed, rrsets);
	same_as_full(out, s, &ks, &p, &fe.env);

	/* a restart: nothing kept, the served zone as stored; the same
	 * combined version makes only a new SOA and its signature */
	hd_sp_free(sp);
	sp = hd_sp_new();
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_int_eq(r.path, HD_SP_NONE);
	ck_assert_uint_eq(r.unsigned_changes, 0);
	ck_assert_uint_eq(r.changed, 0);
	{
		uint32_t was = 0;
		ck_assert_int_eq(zn_zone_serial(out, &was), HS_OK);
		ck_assert_uint_eq(r.serial, was);
	}
	/* the same again, with the kept unsigned version this time */
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_int_eq(r.path, HD_SP_NONE);
	/* and then a change after the restart is incremental */
	change(in, &m);
	zn_snap_release(s);
	s = zn_zone_snapshot(in);
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 0, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_int_eq(r.path, HD_SP_DIFF);
	ck_assert_uint_lt(r.st.rrsets_signed, 40);
	same_as_full(out, s, &ks, &p, &fe.env);
	/* asked for in full: the result is the same zone (SIGN-7) */
	ck_assert_int_eq(hd_sp_sign(sp, zs, s, &pub, 3600, NOW, 1, out, jn, NOW, NULL, &r, NULL),
	                 HS_OK);
	ck_assert_int_eq(r.path, HD_SP_FULL);
	ck_assert_uint_eq(r.differs, 0);

	zn_snap_release(s);
	hd_sp_free(sp);
	zn_zone_free(in);
	zn_zone_free(out);
	zn_journal_free(jn);
	zs_signer_free(zs);
	keys_free(&ks);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("signpath");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_random_changes_nsec);
	tcase_add_test(tc, test_random_changes_nsec3);
	tcase_add_test(tc, test_key_changes_and_restart);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(suite)
