/* hsync-bench signer -- the signer role's path from a combined version to
 * the served signed version (daemon/signpath.h, what hsyncd's signer
 * runs for every version its combiner serves), on one zone: the time of
 * a one-record change signed incrementally against the same kind of
 * change signed in full (the path before SIGN-10: zs_sign_full, the
 * difference to the served version, applied), measured in the same run,
 * and what reaches the public secondaries (the served difference). */
#include "hsync-bench/hsync-bench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/signpath.h"
#include "util/env.h"
#include "wire/text.h"
#include "zone/journal.h"
#include "zone/zone.h"

#define ORIGIN "bench.test."

static const char usage[] =
    "usage: hsync-bench signer [--records N] [--rounds N] [--alg 13|15] [--nsec3]\n"
    "\n"
    "Build a combined zone of N records (default 100000: hosts with A/AAAA,\n"
    "mail names with MX/TXT, delegations with glue and DS), sign it as the\n"
    "signer role does (daemon/signpath.c: the unsigned version with the\n"
    "published DNSKEYs, a KSK and a ZSK), then, ROUNDS times (default 5), one\n"
    "record added to the combined zone and the new version signed and served:\n"
    "once by the incremental path (zs_sign_diff, what hsyncd does now) and\n"
    "once by the full path (zs_sign_full compared with the served version,\n"
    "what it did before), alternating. Prints the median time of each from\n"
    "the combined version to the served version, their ratio (goal: the\n"
    "incremental path under 1% of the full one) and the records each served\n"
    "difference holds (what an IXFR carries to the public secondaries).\n"
    "\n"
    "Options:\n"
    "  --records N   zone size (default 100000)\n"
    "  --rounds N    changes per path (default 5)\n"
    "  --alg A       13 (ECDSAP256SHA256, default) or 15 (ED25519)\n"
    "  --nsec3       NSEC3 with RFC 9276 parameters\n"
    "  -h, --help    this text\n"
    "\n"
    "In process, no store: the daemon also writes the served difference to\n"
    "its store (one journal row) and sends NOTIFY. Exit status: 0 measured,\n"
    "1 error, 2 usage error.\n";

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int add(zn_builder_t *b, const char *owner, uint16_t type, const uint8_t *rd, size_t rl)
{
	uint8_t o[256];
	size_t ol;
	if (hs_name_from_text(owner, strlen(owner), o, &ol) != HS_OK)
		return HS_E_NAME;
	zn_rr_t rr = {o, ol, type, 3600, rd, (uint16_t)rl};
	return zn_builder_add(b, &rr, NULL);
}

static size_t wname(const char *text, uint8_t *out)
{
	size_t l = 0;
	if (hs_name_from_text(text, strlen(text), out, &l) != HS_OK)
		return 0;
	return l;
}

/* The combined zone: about n records. */
static int gen(size_t n, zn_zone_t **out)
{
	uint8_t apex[256], rd[600];
	size_t alen = wname(ORIGIN, apex), c = 0, l;
	zn_builder_t *b = zn_builder_new(apex, alen);
	char o[128], t[128];
	int rc = HS_OK;

	l = wname("ns1." ORIGIN, rd);
	l += wname("hostmaster." ORIGIN, rd + l);
	memcpy(rd + l, "\0\0\0\1\0\0\x1c\x20\0\0\x0e\x10\0\x12\x75\0\0\0\1\x2c", 20);
	rc = add(b, ORIGIN, 6, rd, l + 20);
	if (rc == HS_OK)
		rc = add(b, ORIGIN, 2, rd, wname("ns1." ORIGIN, rd));
	c = 2;
	for (size_t i = 0; c < n && rc == HS_OK; i++) {
		unsigned r = (unsigned)(i % 10);
		uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		if (r < 6) {
			snprintf(o, sizeof(o), "h%zu." ORIGIN, i);
			rc = add(b, o, 1, a, 4);
			c++;
			if (rc == HS_OK && r < 2) {
				uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8};
				memcpy(a6 + 12, a, 4);
				rc = add(b, o, 28, a6, 16);
				c++;
			}
		} else if (r < 8) {
			snprintf(o, sizeof(o), "m%zu." ORIGIN, i);
			snprintf(t, sizeof(t), "h%zu." ORIGIN, i - 1);
			rd[0] = 0;
			rd[1] = 10;
			rc = add(b, o, 15, rd, 2 + wname(t, rd + 2));
			int tl = snprintf((char *)rd + 1, 200, "v=spf1 -all %zu", i);
			rd[0] = (uint8_t)tl;
			if (rc == HS_OK)
				rc = add(b, o, 16, rd, 1 + (size_t)tl);
			c += 2;
		} else {
			snprintf(o, sizeof(o), "d%zu." ORIGIN, i);
			snprintf(t, sizeof(t), "ns.d%zu." ORIGIN, i);
			rc = add(b, o, 2, rd, wname(t, rd));
			if (rc == HS_OK)
				rc = add(b, t, 1, a, 4);
			c += 2;
			if (rc == HS_OK && r == 9) {
				memset(rd, (int)(i & 255), 36);
				rd[2] = 13;
				rd[3] = 2;
				rc = add(b, o, 43, rd, 36);
				c++;
			}
		}
	}
	if (rc == HS_OK && (rc = zn_zone_new(apex, alen, out)) == HS_OK &&
	    (rc = zn_zone_set(*out, b, NULL)) != HS_OK) {
		zn_zone_free(*out);
		*out = NULL;
	}
	if (rc != HS_OK && b != NULL)
		zn_builder_free(b);
	return rc;
}

/* One record more in the combined zone, a new serial (an IXFR in). */
static int change(zn_zone_t *in, unsigned k)
{
	zn_snap_t *s = zn_zone_snapshot(in);
	zn_diff_t *d = zn_diff_new();
	zn_rr_t soa;
	uint8_t rd[600], o[256];
	char name[64];
	int rc;
	zn_snap_soa(s, &soa);
	memcpy(rd, soa.rdata, soa.rdlen);
	uint32_t serial = zn_snap_serial(s) + 1;
	for (int i = 0; i < 4; i++)
		rd[soa.rdlen - 20 + i] = (uint8_t)(serial >> (24 - 8 * i));
	rc = zn_diff_set_from(d, soa.ttl, soa.rdata, soa.rdlen);
	if (rc == HS_OK)
		rc = zn_diff_set_to(d, soa.ttl, rd, soa.rdlen);
	snprintf(name, sizeof(name), "new%u." ORIGIN, k);
	uint8_t a[4] = {192, 0, 2, (uint8_t)k};
	zn_rr_t rr = {o, wname(name, o), 1, 3600, a, 4};
	if (rc == HS_OK)
		rc = zn_diff_add(d, &rr);
	if (rc == HS_OK)
		rc = zn_apply(in, d, NULL);
	zn_diff_free(d);
	zn_snap_release(s);
	return rc;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int bench_signer_main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"records", required_argument, NULL, 'n'}, {"rounds", required_argument, NULL, 'r'},
	    {"alg", required_argument, NULL, 'a'},     {"nsec3", no_argument, NULL, '3'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
	unsigned long records = 100000, rounds = 5, alg = 13;
	int nsec3 = 0, c, rc, ret = 1;
	zn_zone_t *in = NULL, *out = NULL;
	zn_journal_t *jn = zn_journal_new(NULL);
	zs_signer_t *zs = NULL;
	zs_key_t *keys[2] = {NULL, NULL};
	unsigned roles[2] = {ZS_ROLE_KSK, ZS_ROLE_ZSK};
	sgn_rr_t dnskey[2], signers[2];
	uint8_t sroles[2] = {ST_DKEY_KSK, ST_DKEY_ZSK};
	sgn_publish_t pub;
	hd_sp_t *sp = hd_sp_new();
	hd_sp_result_t r;
	hs_errmsg_t em;
	zs_params_t p;
	double *tdiff = NULL, *tfull = NULL;
	size_t ndiff_rec = 0, nfull_rec = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			records = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 10);
			break;
		case 'a':
			alg = strtoul(optarg, NULL, 10);
			break;
		case '3':
			nsec3 = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			ret = 0;
			goto cleanup;
		default:
			fputs(usage, stderr);
			ret = 2;
			goto cleanup;
		}
	}
	if (records < 10 || rounds < 1 || rounds > 1000 || (alg != 13 && alg != 15)) {
		fputs(usage, stderr);
		ret = 2;
		goto cleanup;
	}
	tdiff = calloc(rounds, sizeof(double));
	tfull = calloc(rounds, sizeof(double));
	hs_errmsg_clear(&em);
	memset(&p, 0, sizeof(p));
	p.denial = nsec3 ? ZS_NSEC3 : ZS_NSEC;
	rc = gen(records, &in);
	for (int i = 0; i < 2 && rc == HS_OK; i++) {
		size_t l;
		rc = zs_key_generate((uint8_t)alg, i == 0 ? 257 : 256, &keys[i], &em);
		if (rc != HS_OK)
			break;
		dnskey[i].rdata = signers[i].rdata = (uint8_t *)zs_key_dnskey(keys[i], &l);
		dnskey[i].len = signers[i].len = l;
	}
	if (rc == HS_OK) {
		size_t alen;
		const uint8_t *apex = zn_zone_apex(in, &alen);
		rc = zs_signer_new(apex, alen, &p, hs_env_system(), &zs);
		if (rc == HS_OK)
			rc = zs_signer_set_keys(zs, keys, roles, 2);
		if (rc == HS_OK)
			rc = zn_zone_new(apex, alen, &out);
	}
	if (rc != HS_OK) {
		fprintf(stderr, "hsync-bench signer: setup failed: %s\n",
		        em.text[0] ? hs_errmsg_str(&em) : hs_strerror(rc));
		goto cleanup;
	}
	memset(&pub, 0, sizeof(pub));
	pub.dnskey = dnskey;
	pub.ndnskey = 2;
	pub.signers = signers;
	pub.roles = sroles;
	pub.nsigners = 2;

	uint32_t now = (uint32_t)time(NULL);
	zn_snap_t *s = zn_zone_snapshot(in);
	double t0 = mono();
	rc = hd_sp_sign(sp, zs, s, &pub, 3600, now, 0, out, jn, now, NULL, &r, &em);
	double first = mono() - t0;
	zn_snap_release(s);
	if (rc != HS_OK) {
		fprintf(stderr, "hsync-bench signer: first signing failed: %s\n",
		        hs_errmsg_str(&em));
		goto cleanup;
	}
	{
		zn_snap_t *a = zn_zone_snapshot(in), *b = zn_zone_snapshot(out);
		printf("zone: %zu records combined, %zu signed (%s, %s); first version signed in "
		       "%.3f s\n",
		       zn_snap_records(a), zn_snap_records(b),
		       alg == 13 ? "ECDSAP256SHA256" : "ED25519", nsec3 ? "NSEC3" : "NSEC", first);
		zn_snap_release(a);
		zn_snap_release(b);
	}
	for (unsigned long i = 0; i < 2 * rounds; i++) {
		int full = (int)(i % 2);
		rc = change(in, (unsigned)i);
		if (rc != HS_OK)
			break;
		s = zn_zone_snapshot(in);
		t0 = mono();
		rc = hd_sp_sign(sp, zs, s, &pub, 3600, now, full, out, jn, now, NULL, &r, &em);
		double t = mono() - t0;
		zn_snap_release(s);
		if (rc != HS_OK)
			break;
		if (full) {
			tfull[i / 2] = t;
			nfull_rec = r.changed;
		} else {
			tdiff[i / 2] = t;
			ndiff_rec = r.changed;
			if (r.path != HD_SP_DIFF) {
				fprintf(stderr, "hsync-bench signer: the change was not signed "
				                "incrementally\n");
				goto cleanup;
			}
		}
	}
	if (rc != HS_OK) {
		fprintf(stderr, "hsync-bench signer: signing failed: %s\n",
		        em.text[0] ? hs_errmsg_str(&em) : hs_strerror(rc));
		goto cleanup;
	}
	qsort(tdiff, rounds, sizeof(double), dcmp);
	qsort(tfull, rounds, sizeof(double), dcmp);
	double md = tdiff[rounds / 2], mf = tfull[rounds / 2];
	printf("one record added, combined version to served version (median of %lu):\n", rounds);
	printf("  incremental path (zs_sign_diff)   %10.3f ms   served difference %zu records\n",
	       md * 1e3, ndiff_rec);
	printf("  full path (zs_sign_full + diff)   %10.3f ms   served difference %zu records\n",
	       mf * 1e3, nfull_rec);
	printf("  ratio incremental / full          %10.5f  (%.3f%%; goal < 1%%: %s)\n", md / mf,
	       100 * md / mf, md / mf < 0.01 ? "met" : "NOT met");
	ret = 0;
cleanup:
	free(tdiff);
	free(tfull);
	hd_sp_free(sp);
	zs_signer_free(zs);
	zs_key_free(keys[0]);
	zs_key_free(keys[1]);
	zn_zone_free(in);
	zn_zone_free(out);
	zn_journal_free(jn);
	return ret;
}
