/* check_sign.c -- the identity zone signer (ds_) and its answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec/dnssec.h"
#include "dnssec/sign.h"
#include "lib/testutil.h"
#include "zone/answer.h"
#include "zone/zxfr.h"

#define APEX   "agent.a.example."
#define NOW    1800000000u
#define T_HPKE 65290

static char *dir;

/* Write an ldns-made key pair for `owner` with `flags` as DIR/NAME.key and
 * .private; returns the base path (static buffer per call slot). */
static const char *write_key(const char *name, const char *owner, uint16_t flags, int alg)
{
	static char base[4][512];
	static int slot;
	char *b = base[slot++ % 4];
	char path[600];
	ldns_key *k =
	    ldns_key_new_frm_algorithm((ldns_signing_algorithm)alg, alg == 8 ? 1024 : 256);
	ldns_rr *rr;
	FILE *f;

	ck_assert_ptr_nonnull(k);
	ldns_key_set_pubkey_owner(k, ldns_dname_new_frm_str(owner));
	ldns_key_set_flags(k, flags);
	rr = ldns_key2rr(k);
	snprintf(b, 512, "%s/%s", dir, name);
	snprintf(path, sizeof(path), "%s.key", b);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "; a comment as BIND writes\n");
	ldns_rr_print(f, rr);
	fclose(f);
	snprintf(path, sizeof(path), "%s.private", b);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ldns_key_print(f, k);
	fclose(f);
	ldns_rr_free(rr);
	ldns_key_deep_free(k);
	return b;
}

static void setup(void)
{
	dir = tu_tmpdir();
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

static ds_keys_t *load(const char *zone, const char *path, int want)
{
	ds_keys_t *k = NULL;
	hs_errmsg_t em;
	const char *p[1] = {path};

	hs_errmsg_clear(&em);
	ck_assert_msg(ds_keys_load(zone, p, 1, &k, &em) == want, "%s: %s", path,
	              hs_errmsg_str(&em));
	return k;
}

static const uint8_t key_rd[] = {0x02, 0x00, 0x03, 0x0f, 1,  2,  3,  4,  5,  6,  7,  8,
                                 9,    10,   11,   12,   13, 14, 15, 16, 17, 18, 19, 20,
                                 21,   22,   23,   24,   25, 26, 27, 28, 29, 30, 31, 32};
static uint8_t hpke_rd[38] = {0x00, 0x20, 0x00, 0x01, 0x00, 0x02, 0xaa};

static void spec_init(ds_idzone_spec_t *s, const char *const *addrs, size_t naddrs)
{
	memset(s, 0, sizeof(*s));
	s->apex = APEX;
	s->addrs = addrs;
	s->naddrs = naddrs;
	s->port = 5301;
	s->key_rdata = key_rd;
	s->key_rdlen = sizeof(key_rd);
	s->hpke_rdata = hpke_rd;
	s->hpke_rdlen = sizeof(hpke_rd);
	s->ttl = 300;
	s->validity = 86400;
}

static ds_zone_t *sign_at(ds_keys_t *k, uint32_t now, uint32_t prev)
{
	static const char *const addrs[] = {"127.0.0.1", "::1"};
	ds_idzone_spec_t s;
	ds_zone_t *z = NULL;
	hs_errmsg_t em;

	spec_init(&s, addrs, 2);
	hs_errmsg_clear(&em);
	ck_assert_msg(ds_zone_sign(&s, k, now, prev, &z, &em) == HS_OK, "%s", hs_errmsg_str(&em));
	return z;
}

/* ---- validation with our own validator ----------------------------------- */

struct vfetch {
	const ds_zone_t *z;
	dv_rrset_t *held[16];
	int n;
};

static dv_rrset_t *rrset_of(const ds_zone_t *z, const char *name, uint16_t type)
{
	const ldns_rr_list *l = ds_zone_rrs(z);
	dv_rrset_t *s = NULL;
	ldns_rdf *o = ldns_dname_new_frm_str(name);
	size_t i;

	ck_assert_int_eq(dv_rrset_new(name, type, &s), HS_OK);
	for (i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		uint16_t t = (uint16_t)ldns_rr_get_type(rr);
		if (ldns_dname_compare(ldns_rr_owner(rr), o) != 0)
			continue;
		if (t == LDNS_RR_TYPE_RRSIG)
			t = (uint16_t)ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr));
		if (t == type)
			ck_assert_int_eq(dv_rrset_add(s, rr), HS_OK);
	}
	ldns_rdf_deep_free(o);
	return s;
}

static int vf_fetch(void *arg, const char *name, uint16_t type, const dv_rrset_t **out,
                    hs_errmsg_t *em)
{
	struct vfetch *f = arg;

	(void)em;
	ck_assert_int_lt(f->n, 16);
	f->held[f->n] = rrset_of(f->z, name, type);
	*out = f->held[f->n++];
	return HS_OK;
}

/* Validate (name, type) of `z` from a DS anchor made of `k`: the security. */
static enum dv_security validate(const ds_zone_t *z, ds_keys_t *k, const char *name, uint16_t type,
                                 uint32_t now, enum dv_reason *why)
{
	hs_buf_t ds = HS_BUF_INIT;
	dv_anchors_t *a = dv_anchors_new();
	struct vfetch f = {z, {NULL}, 0};
	dv_ctx_t ctx = {a, vf_fetch, &f, now, 0, 0};
	dv_rrset_t *s = rrset_of(z, name, type);
	dv_result_t r;
	hs_errmsg_t em;
	int i;

	hs_errmsg_clear(&em);
	ck_assert_int_eq(ds_keys_ds_text(k, 300, &ds), HS_OK);
	ck_assert_int_eq(dv_anchors_add_text(a, hs_buf_cstr(&ds), &em), HS_OK);
	ck_assert_msg(dv_rrset_count(s) > 0, "no %s/%u in the zone", name, type);
	ck_assert_int_eq(dv_validate(&ctx, s, &r, &em), HS_OK);
	*why = r.reason;
	for (i = 0; i < f.n; i++)
		dv_rrset_free(f.held[i]);
	dv_rrset_free(s);
	dv_anchors_free(a);
	hs_buf_free(&ds);
	return r.security;
}

START_TEST(keys_load_forms)
{
	const char *b = write_key("ksk", APEX, 257, LDNS_SIGN_ED25519);
	char p[600];
	ds_keys_t *k;
	hs_buf_t ds = HS_BUF_INIT;

	k = load(APEX, b, HS_OK);
	ck_assert_uint_eq(ds_keys_count(k), 1);
	ck_assert_int_eq(ds_keys_ds_text(k, 300, &ds), HS_OK);
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&ds), APEX "\t300\tIN\tDS\t"));
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&ds), " 15 2 "));
	ds_keys_free(k);
	snprintf(p, sizeof(p), "%s.private", b);
	ds_keys_free(load("AGENT.a.example", p, HS_OK)); /* case, no final dot */
	snprintf(p, sizeof(p), "%s.key", b);
	ds_keys_free(load(APEX, p, HS_OK));
	hs_buf_free(&ds);
}
END_TEST

START_TEST(keys_refused)
{
	const char *other = write_key("other", "agent.b.example.", 257, LDNS_SIGN_ED25519);
	const char *a = write_key("a", APEX, 257, LDNS_SIGN_ED25519);
	const char *b = write_key("b", APEX, 257, LDNS_SIGN_ED25519);
	const char *nz = write_key("nozone", APEX, 0, LDNS_SIGN_ED25519);
	char cmd[2048], p[600];
	FILE *f;

	ck_assert_ptr_null(load(APEX, other, HS_E_CONFIG)); /* another zone's key */
	ck_assert_ptr_null(load(APEX, nz, HS_E_CONFIG));    /* no Zone Key flag */
	snprintf(p, sizeof(p), "%s/missing", dir);
	ck_assert_ptr_null(load(APEX, p, HS_E_IO));
	/* a's public half with b's private half */
	snprintf(cmd, sizeof(cmd), "cp %s.private %s.private", b, a);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_ptr_null(load(APEX, a, HS_E_BADKEY));
	/* an algorithm we do not sign with (RSASHA1) */
	snprintf(p, sizeof(p), "%s/old.key", dir);
	f = fopen(p, "w");
	fprintf(f,
	        "%s IN DNSKEY 257 3 5 AwEAAcMnWBKLuvG/LwnPVykcmpvnntwxfshHlHRhlY0F3oz8AMcuF8gw\n",
	        APEX);
	fclose(f);
	ck_assert_ptr_null(load(APEX, p, HS_E_NOTSUP));
	/* not a key file */
	snprintf(p, sizeof(p), "%s/junk.key", dir);
	f = fopen(p, "w");
	fprintf(f, "%s IN A 192.0.2.1\n", APEX);
	fclose(f);
	ck_assert_ptr_null(load(APEX, p, HS_E_SYNTAX));
	ck_assert_ptr_null(load(APEX, NULL, HS_E_INVAL));
}
END_TEST

/* requirements: DISC-17 DISC-18 */
START_TEST(signed_zone_validates)
{
	ds_keys_t *k = load(APEX, write_key("ksk", APEX, 257, LDNS_SIGN_ED25519), HS_OK);
	ds_zone_t *z = sign_at(k, NOW, 0);
	enum dv_reason why;
	hs_buf_t t = HS_BUF_INIT;

	ck_assert_uint_eq(ds_zone_serial(z), NOW);
	ck_assert_uint_eq(ds_zone_inception(z), NOW - 3600);
	ck_assert_uint_eq(ds_zone_expiration(z), NOW + 86400);
	ck_assert_uint_eq(ds_zone_resign_at(z), NOW + 43200);
	/* SOA NS DNSKEY NSEC | dns: A AAAA KEY HPKEKEY NSEC | _dns._tcp: URI NSEC */
	ck_assert_uint_eq(ds_zone_rrset_count(z), 11);
	ck_assert_int_eq(ldns_rr_get_type(ldns_rr_list_rr(ds_zone_rrs(z), 0)), LDNS_RR_TYPE_SOA);
	ds_zone_text(z, &t);
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&t), "\"dns://dns.agent.a.example:5301/\""));
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&t), "dns." APEX "\t300\tIN\tTYPE65290\t"));
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&t), "NS\tdns." APEX));
	ck_assert_uint_eq(validate(z, k, "dns." APEX, LDNS_RR_TYPE_KEY, NOW, &why), DV_SECURE);
	ck_assert_uint_eq(validate(z, k, "dns." APEX, T_HPKE, NOW, &why), DV_SECURE);
	ck_assert_uint_eq(validate(z, k, "dns." APEX, LDNS_RR_TYPE_A, NOW, &why), DV_SECURE);
	ck_assert_uint_eq(validate(z, k, "_dns._tcp." APEX, LDNS_RR_TYPE_URI, NOW, &why),
	                  DV_SECURE);
	/* after the validity the signatures are expired */
	ck_assert_uint_eq(validate(z, k, "dns." APEX, LDNS_RR_TYPE_KEY, NOW + 86401, &why),
	                  DV_BOGUS);
	ds_zone_free(z);
	ds_keys_free(k);
	hs_buf_free(&t);
}
END_TEST

/* ds_keys_generate: a KSK in BIND/ldns files that ds_keys_load reads and
 * that signs a zone validating from its own DS (DISC-18). */
START_TEST(keys_generated)
{
	char *kdir = tu_tmpdir(), *base = NULL, *priv;
	hs_errmsg_t em;
	ds_keys_t *k = NULL;
	hs_buf_t ds = HS_BUF_INIT;
	enum dv_reason why;

	ck_assert_int_eq(ds_keys_generate(APEX, kdir, &base, &em), HS_OK);
	priv = malloc(strlen(base) + 9);
	sprintf(priv, "%s.private", base);
	k = load(APEX, priv, HS_OK);
	ck_assert_int_eq(ds_keys_ds_text(k, 3600, &ds), HS_OK);
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&ds), " 15 2 "));
	ds_zone_t *z = sign_at(k, NOW, 0);
	ck_assert_uint_eq(validate(z, k, "dns." APEX, LDNS_RR_TYPE_KEY, NOW, &why), DV_SECURE);
	ds_zone_free(z);
	ds_keys_free(k);
	ck_assert_int_eq(ds_keys_generate("not a name..", kdir, NULL, &em), HS_E_NAME);
	ck_assert_int_eq(ds_keys_generate(APEX, "/nonexistent/dir", NULL, &em), HS_E_IO);
	hs_buf_free(&ds);
	free(priv);
	free(base);
	tu_rmtree(kdir);
	free(kdir);
}
END_TEST

START_TEST(ksk_zsk_and_wrong_anchor)
{
	const char *ksk = write_key("ksk", APEX, 257, LDNS_SIGN_ED25519);
	const char *zsk = write_key("zsk", APEX, 256, LDNS_SIGN_ECDSAP256SHA256);
	const char *paths[2] = {ksk, zsk};
	ds_keys_t *k = NULL,
	          *other = load(APEX, write_key("x", APEX, 257, LDNS_SIGN_ED25519), HS_OK);
	hs_buf_t ds = HS_BUF_INIT;
	hs_errmsg_t em;
	ds_zone_t *z;
	enum dv_reason why;

	hs_errmsg_clear(&em);
	ck_assert_int_eq(ds_keys_load(APEX, paths, 2, &k, &em), HS_OK);
	ck_assert_int_eq(ds_keys_ds_text(k, 60, &ds), HS_OK); /* only the KSK gets a DS */
	ck_assert_ptr_nonnull(strstr(hs_buf_cstr(&ds), " 15 2 "));
	ck_assert_ptr_null(strstr(hs_buf_cstr(&ds), " 13 2 "));
	z = sign_at(k, NOW, 0);
	ck_assert_uint_eq(validate(z, k, "dns." APEX, LDNS_RR_TYPE_KEY, NOW, &why), DV_SECURE);
	/* a DS made of a key that did not sign */
	ck_assert_uint_eq(validate(z, other, "dns." APEX, LDNS_RR_TYPE_KEY, NOW, &why), DV_BOGUS);
	ds_zone_free(z);
	ds_keys_free(k);
	ds_keys_free(other);
	hs_buf_free(&ds);
}
END_TEST

/* requirements: DISC-19 */
START_TEST(resign_serial_increases)
{
	ds_keys_t *k = load(APEX, write_key("ksk", APEX, 257, LDNS_SIGN_ED25519), HS_OK);
	ds_zone_t *a = sign_at(k, NOW, 0), *b = sign_at(k, NOW, ds_zone_serial(a)),
	          *c = sign_at(k, NOW + 100000, ds_zone_serial(b));
	enum dv_reason why;

	ck_assert_uint_eq(ds_zone_serial(b), NOW + 1);      /* same second: +1 */
	ck_assert_uint_eq(ds_zone_serial(c), NOW + 100000); /* later: the time */
	ck_assert_uint_eq(ds_zone_expiration(c), NOW + 100000 + 86400);
	/* the old copy has expired then, the new one is good */
	ck_assert_uint_eq(validate(a, k, "dns." APEX, LDNS_RR_TYPE_A, NOW + 100000, &why),
	                  DV_BOGUS);
	ck_assert_uint_eq(validate(c, k, "dns." APEX, LDNS_RR_TYPE_A, NOW + 100000, &why),
	                  DV_SECURE);
	ds_zone_free(a);
	ds_zone_free(b);
	ds_zone_free(c);
	ds_keys_free(k);
}
END_TEST

START_TEST(sign_bad_spec)
{
	ds_keys_t *k = load(APEX, write_key("ksk", APEX, 257, LDNS_SIGN_ED25519), HS_OK);
	static const char *const bad[] = {"not-an-address"};
	ds_idzone_spec_t s;
	ds_zone_t *z = NULL;

	spec_init(&s, bad, 1);
	ck_assert_int_eq(ds_zone_sign(&s, k, NOW, 0, &z, NULL), HS_E_SYNTAX);
	spec_init(&s, NULL, 0);
	s.hpke_rdlen = 0;
	ck_assert_int_eq(ds_zone_sign(&s, k, NOW, 0, &z, NULL), HS_E_INVAL);
	ck_assert_ptr_null(z);
	ds_keys_free(k);
}
END_TEST

/* ---- answers --------------------------------------------------------------- */

static int ask_tcp; /* the next asks come over TCP */

/* The identity zone as the zone server holds it. */
static zn_snap_t *snap_of(const ds_zone_t *z)
{
	zn_builder_t *b = NULL;
	zn_zone_t *zz = NULL;
	ldns_rdf *apex = ldns_dname_new_frm_str(ds_zone_apex(z));
	ck_assert_int_eq(ds_zone_builder(z, &b, NULL), HS_OK);
	ck_assert_int_eq(zn_zone_new(ldns_rdf_data(apex), ldns_rdf_size(apex), &zz), HS_OK);
	ck_assert_int_eq(zn_zone_set(zz, b, NULL), HS_OK);
	zn_snap_t *s = zn_zone_snapshot(zz);
	zn_zone_free(zz);
	ldns_rdf_deep_free(apex);
	return s;
}

static ldns_pkt *ask(const ds_zone_t *z, const char *name, uint16_t type, int edns, int dok,
                     size_t limit, int want)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	zn_query_t q;
	hs_buf_t out = HS_BUF_INIT;
	ldns_pkt *p = NULL;
	zn_snap_t *s = snap_of(z);
	int rc;

	memset(&q, 0, sizeof(q));
	q.id = 0x1234;
	q.flags = 0x0100;
	q.qname = ldns_rdf_data(n);
	q.qname_len = ldns_rdf_size(n);
	q.qtype = type;
	q.qclass = LDNS_RR_CLASS_IN;
	q.has_opt = edns;
	q.dnssec_ok = dok;
	q.limit = limit;
	q.tcp = ask_tcp;
	if (type == 252) {
		zn_xfr_req_t req;
		zn_out_t *o = NULL;
		memset(&req, 0, sizeof(req));
		req.id = q.id;
		req.flags = q.flags;
		memcpy(req.qname, q.qname, q.qname_len);
		req.qname_len = q.qname_len;
		req.qtype = type;
		rc = zn_out_new(s, NULL, &req, NULL, &o) == HS_OK ? HS_OK : HS_E_NAME;
		if (rc == HS_OK) {
			ck_assert_int_eq(zn_out_next(o, &out), HS_OK);
			hs_buf_t more = HS_BUF_INIT;
			ck_assert_int_eq(zn_out_next(o, &more), HS_E_NOTFOUND); /* one message */
			hs_buf_free(&more);
		}
		zn_out_free(o);
	} else {
		rc = zn_answer(s, &q, &out);
	}
	ck_assert_int_eq(rc, want);
	if (want == HS_OK) {
		ck_assert_int_eq(ldns_wire2pkt(&p, out.data, out.len), LDNS_STATUS_OK);
		ck_assert_uint_eq(ldns_pkt_id(p), 0x1234);
		ck_assert(ldns_pkt_qr(p));
		ck_assert(ldns_pkt_rd(p));
	}
	zn_snap_release(s);
	ldns_rdf_deep_free(n);
	hs_buf_free(&out);
	return p;
}

static size_t count_type(const ldns_rr_list *l, ldns_rr_type t)
{
	size_t i, n = 0;

	for (i = 0; i < ldns_rr_list_rr_count(l); i++)
		n += ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t;
	return n;
}

/* requirements: DISC-20 */
START_TEST(answers)
{
	ds_keys_t *k = load(APEX, write_key("ksk", APEX, 257, LDNS_SIGN_ED25519), HS_OK);
	ds_zone_t *z = sign_at(k, NOW, 0);
	ldns_pkt *p;

	/* positive, with and without DO, mixed case */
	p = ask(z, "DNS.Agent.a.example.", LDNS_RR_TYPE_A, 1, 1, 1232, HS_OK);
	ck_assert(ldns_pkt_aa(p));
	ck_assert_int_eq(ldns_pkt_get_rcode(p), 0);
	ck_assert_uint_eq(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_A), 1);
	ck_assert_uint_eq(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG), 1);
	ck_assert(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	p = ask(z, "dns." APEX, T_HPKE, 0, 0, 512, HS_OK);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
	ck_assert(!ldns_pkt_edns(p));
	ldns_pkt_free(p);
	p = ask(z, APEX, LDNS_RR_TYPE_DNSKEY, 1, 1, 1232, HS_OK);
	ck_assert_uint_eq(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_DNSKEY), 1);
	ck_assert_uint_eq(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_RRSIG), 1);
	ldns_pkt_free(p);
	/* NXDOMAIN: SOA, the NSEC covering the name and the wildcard's */
	p = ask(z, "nope." APEX, LDNS_RR_TYPE_A, 1, 1, 1232, HS_OK);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), 3);
	ck_assert(ldns_pkt_aa(p));
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ck_assert_uint_eq(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_SOA), 1);
	ck_assert_uint_ge(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_NSEC), 1);
	ck_assert_uint_ge(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_RRSIG), 2);
	ldns_pkt_free(p);
	/* NODATA at a name, and at the empty non-terminal _tcp */
	p = ask(z, "dns." APEX, LDNS_RR_TYPE_MX, 1, 1, 1232, HS_OK);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), 0);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ck_assert_uint_eq(count_type(ldns_pkt_authority(p), LDNS_RR_TYPE_NSEC), 1);
	ldns_pkt_free(p);
	p = ask(z, "_tcp." APEX, LDNS_RR_TYPE_A, 0, 0, 512, HS_OK);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), 0);
	ck_assert_uint_eq(ldns_pkt_nscount(p), 1); /* the SOA, no NSEC without DO */
	ldns_pkt_free(p);
	/* malformed names are never covered or answered */
	{
		static const uint8_t overrun[] = {3, 'd', 'n', 's', 9, 'a', 'g', 'e', 'n', 't', 0};
		static const uint8_t pointer[] = {3, 'd', 'n', 's', 0xc0, 12};
		static const uint8_t trailing[] = {5,   'a', 'g', 'e', 'n', 't', 1,   'a', 7,
		                                   'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,   0};
		zn_query_t q;
		hs_buf_t out = HS_BUF_INIT;
		zn_snap_t *s = snap_of(z);

		ck_assert(!zn_snap_covers(s, overrun, sizeof(overrun)));
		ck_assert(!zn_snap_covers(s, pointer, sizeof(pointer)));
		ck_assert(!zn_snap_covers(s, trailing, sizeof(trailing)));
		ck_assert(zn_snap_covers(s, trailing, sizeof(trailing) - 1));
		memset(&q, 0, sizeof(q));
		q.qname = overrun;
		q.qname_len = sizeof(overrun);
		q.qclass = 1;
		ck_assert_int_eq(zn_answer(s, &q, &out), HS_E_NAME);
		ck_assert_int_eq(zn_answer_rcode(&q, 1, 0, &out), HS_E_NAME);
		ck_assert_uint_eq(out.len, 0);
		zn_snap_release(s);
	}
	/* outside the zone, other classes, zone transfers */
	ck_assert_ptr_null(ask(z, "agent.b.example.", LDNS_RR_TYPE_A, 0, 0, 512, HS_E_NAME));
	p = ask(z, APEX, 251, 0, 0, 512, HS_OK);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), 4);
	ldns_pkt_free(p);
	ds_zone_free(z);
	ds_keys_free(k);
}
END_TEST

/* requirements: DISC-20 */
START_TEST(truncation_and_axfr)
{
	ds_keys_t *k = load(APEX, write_key("ksk", APEX, 257, LDNS_SIGN_ED25519), HS_OK);
	static const char *const many[] = {
	    "2001:db8::1",  "2001:db8::2",  "2001:db8::3", "2001:db8::4", "2001:db8::5",
	    "2001:db8::6",  "2001:db8::7",  "2001:db8::8", "2001:db8::9", "2001:db8::a",
	    "2001:db8::b",  "2001:db8::c",  "2001:db8::d", "2001:db8::e", "2001:db8::f",
	    "2001:db8::10", "2001:db8::11", "2001:db8::12"};
	ds_idzone_spec_t s;
	ds_zone_t *z = NULL;
	ldns_pkt *p;
	ldns_rr_list *an;
	size_t n;

	spec_init(&s, many, sizeof(many) / sizeof(many[0]));
	ck_assert_int_eq(ds_zone_sign(&s, k, NOW, 0, &z, NULL), HS_OK);
	/* 18 AAAA and an RRSIG do not fit in 512 octets: TC=1, nothing inside */
	p = ask(z, "dns." APEX, LDNS_RR_TYPE_AAAA, 0, 1, 512, HS_OK);
	ck_assert(ldns_pkt_tc(p));
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	p = ask(z, "dns." APEX, LDNS_RR_TYPE_AAAA, 1, 1, 1232, HS_OK);
	ck_assert(!ldns_pkt_tc(p));
	ck_assert_uint_eq(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_AAAA), 18);
	ldns_pkt_free(p);
	/* ANY over UDP: TC=1 however large the requester's size (RFC 8482) */
	p = ask(z, "dns." APEX, LDNS_RR_TYPE_ANY, 1, 1, 65535, HS_OK);
	ck_assert(ldns_pkt_tc(p));
	ck_assert(ldns_pkt_aa(p));
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	ask_tcp = 1;
	p = ask(z, "dns." APEX, LDNS_RR_TYPE_ANY, 1, 1, 65535, HS_OK);
	ask_tcp = 0;
	ck_assert(!ldns_pkt_tc(p));
	ck_assert_uint_eq(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_AAAA), 18);
	ck_assert_uint_ge(count_type(ldns_pkt_answer(p), LDNS_RR_TYPE_KEY), 1);
	ldns_pkt_free(p);
	/* AXFR: SOA first and last, every record once */
	p = ask(z, APEX, 252, 0, 0, 65535, HS_OK);
	an = ldns_pkt_answer(p);
	n = ldns_rr_list_rr_count(an);
	ck_assert_uint_eq(n, ldns_rr_list_rr_count(ds_zone_rrs(z)) + 1);
	ck_assert_int_eq(ldns_rr_get_type(ldns_rr_list_rr(an, 0)), LDNS_RR_TYPE_SOA);
	ck_assert_int_eq(ldns_rr_get_type(ldns_rr_list_rr(an, n - 1)), LDNS_RR_TYPE_SOA);
	ck_assert_uint_eq(count_type(an, LDNS_RR_TYPE_SOA), 2);
	ldns_pkt_free(p);
	ck_assert_ptr_null(ask(z, "dns." APEX, 252, 0, 0, 65535, HS_E_NAME));
	ds_zone_free(z);
	ds_keys_free(k);
}
END_TEST

static Suite *sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tk = tcase_create("keys");
	TCase *tz = tcase_create("zone");
	TCase *ta = tcase_create("answer");

	tcase_add_checked_fixture(tk, setup, teardown);
	tcase_add_checked_fixture(tz, setup, teardown);
	tcase_add_checked_fixture(ta, setup, teardown);
	tcase_set_timeout(tz, 30);
	tcase_add_test(tk, keys_load_forms);
	tcase_add_test(tk, keys_refused);
	tcase_add_test(tz, signed_zone_validates);
	tcase_add_test(tz, ksk_zsk_and_wrong_anchor);
	tcase_add_test(tz, keys_generated);
	tcase_add_test(tz, resign_serial_increases);
	tcase_add_test(tz, sign_bad_spec);
	tcase_add_test(ta, answers);
	tcase_add_test(ta, truncation_and_axfr);
	suite_add_tcase(s, tk);
	suite_add_tcase(s, tz);
	suite_add_tcase(s, ta);
	return s;
}

TU_MAIN(sign_suite)
