/* hsync-signzone -- sign a zone file with hsync's zone signer (zsign.h):
 * the tool behind the signer's interop tests and a way to look at what
 * the signer makes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "dnssec/zsign.h"
#include "util/buf.h"
#include "util/env.h"
#include "wire/text.h"
#include "zone/zone.h"

static const char usage[] =
    "usage: hsync-signzone [OPTIONS] ZONE ZONEFILE KEY...\n"
    "\n"
    "Sign ZONEFILE (master format) for ZONE with the BIND/ldns key pairs KEY...\n"
    "(each the .private, the .key or their base name) and print the signed zone.\n"
    "Keys with the SEP flag (257) sign DNSKEY, CDS and CDNSKEY, the others every\n"
    "other RRset; when every key has the flag, or none has, each key does both (CSK).\n"
    "\n"
    "  -3, --nsec3          NSEC3 (RFC 9276: SHA-1, 0 iterations, no salt) instead of NSEC\n"
    "      --optout         NSEC3 opt-out for delegations without DS\n"
    "  -j, --threads N      worker threads (default 1)\n"
    "  -e, --validity S     signature validity in seconds (default 14 days)\n"
    "  -t, --now T          signing time, Unix seconds (default: now)\n"
    "  -s, --serial N       SOA serial of the signed zone (default: the file's)\n"
    "  -n, --next FILE      then re-sign incrementally for the changes from ZONEFILE to\n"
    "                       FILE and print the resulting zone (serial + 1)\n"
    "  -r, --refresh-at T   then refresh the signatures due at time T and print the result\n"
    "  -o, --output FILE    write the zone to FILE instead of standard output\n"
    "  -q, --quiet          no statistics on standard error\n"
    "      --timing         print 'timing: read S sign S write S' (seconds) on standard error\n"
    "\n"
    "Exit status: 0 signed; 1 a file, key or signing error (one line on stderr);\n"
    "2 a usage error.\n";

struct opts {
	zs_params_t p;
	uint32_t now, serial;
	int has_serial, quiet, timing;
	const char *next, *output;
	uint32_t refresh_at;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read a zone file and add the keys' DNSKEYs (TTL 3600) unless there
 * already (the builder drops duplicates), as ldns-signzone does. */
static int load_zone(const char *path, const uint8_t *apex, size_t alen, zs_key_t **keys, int nkeys,
                     zn_zone_t **out)
{
	zn_builder_t *b = NULL;
	zn_zone_t *z = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	if (zs_zone_read_file(path, apex, alen, 0, &b, &em) != HS_OK)
		return cli_err(1, "%s", hs_errmsg_str(&em));
	for (int i = 0; i < nkeys; i++) {
		size_t l;
		const uint8_t *rd = zs_key_dnskey(keys[i], &l);
		zn_rr_t rr = {apex, alen, ZS_TYPE_DNSKEY, 3600, rd, (uint16_t)l};
		if (zn_builder_add(b, &rr, &em) != HS_OK) {
			zn_builder_free(b);
			return cli_err(1, "%s", hs_errmsg_str(&em));
		}
	}
	if (zn_zone_new(apex, alen, &z) != HS_OK || zn_zone_set(z, b, &em) != HS_OK) {
		zn_zone_free(z);
		return cli_err(1, "'%s': %s", path, hs_errmsg_str(&em));
	}
	*out = z;
	return 0;
}

static void stats(const struct opts *o, const char *what, const zs_stats_t *st)
{
	if (!o->quiet)
		fprintf(stderr,
		        "%s: %zu RRsets signed, %zu signatures, %zu denial records, %zu records, "
		        "%u threads\n",
		        what, st->rrsets_signed, st->signatures, st->denial, st->records,
		        st->threads);
}

static int run(const struct opts *o, const char *zone, const char *file, char **keyv, int nkeys)
{
	uint8_t apex[WIRE_NAME_MAX];
	size_t alen;
	zs_key_t *keys[32];
	unsigned roles[32];
	int nsep = 0, ret = 1;
	zs_signer_t *s = NULL;
	zn_zone_t *u = NULL, *u2 = NULL, *signd = NULL;
	zn_builder_t *b = NULL;
	zn_snap_t *snap = NULL, *snap2 = NULL, *ss = NULL;
	zn_diff_t *ud = NULL, *sd = NULL;
	hs_buf_t text = HS_BUF_INIT;
	hs_errmsg_t em;
	zs_stats_t st;
	uint32_t serial;

	hs_errmsg_clear(&em);
	if (nkeys > 32)
		return cli_err(2, "at most 32 keys");
	if (hs_name_from_text(zone, strlen(zone), apex, &alen) != HS_OK)
		return cli_err(2, "'%s' is not a domain name", zone);
	for (int i = 0; i < nkeys; i++) {
		if (zs_key_load(keyv[i], apex, alen, &keys[i], &em) != HS_OK) {
			for (int k = 0; k < i; k++)
				zs_key_free(keys[k]);
			return cli_err(1, "%s", hs_errmsg_str(&em));
		}
		nsep += (zs_key_flags(keys[i]) & ZS_FLAG_SEP) != 0;
	}
	for (int i = 0; i < nkeys; i++) {
		int sep = (zs_key_flags(keys[i]) & ZS_FLAG_SEP) != 0;
		roles[i] = (nsep == 0 || nsep == nkeys) ? ZS_ROLE_KSK | ZS_ROLE_ZSK
		           : sep                        ? ZS_ROLE_KSK
		                                        : ZS_ROLE_ZSK;
	}
	if (zs_signer_new(apex, alen, &o->p, hs_env_system(), &s) != HS_OK) {
		cli_err(2, "bad signing parameters");
		goto cleanup;
	}
	if (zs_signer_set_keys(s, keys, roles, (size_t)nkeys) != HS_OK) {
		cli_err(1, "the keys do not cover both roles");
		goto cleanup;
	}
	double t0 = mono(), t1, t2;
	if (load_zone(file, apex, alen, keys, nkeys, &u) != 0)
		goto cleanup;
	t1 = mono();
	snap = zn_zone_snapshot(u);
	serial = o->has_serial ? o->serial : zn_snap_serial(snap);
	if (zs_sign_full(s, snap, o->now, serial, &b, &st, &em) != HS_OK ||
	    zn_zone_new(apex, alen, &signd) != HS_OK || zn_zone_set(signd, b, &em) != HS_OK) {
		cli_err(1, "signing: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	t2 = mono();
	stats(o, "full", &st);
	if (o->next != NULL) {
		if (load_zone(o->next, apex, alen, keys, nkeys, &u2) != 0)
			goto cleanup;
		snap2 = zn_zone_snapshot(u2);
		ss = zn_zone_snapshot(signd);
		if (zn_diff_snaps(snap, snap2, &ud) != HS_OK ||
		    zs_sign_diff(s, snap2, ud, ss, o->now,
		                 zs_next_serial(zn_snap_serial(snap2), serial), &sd, &st,
		                 &em) != HS_OK ||
		    zn_apply(signd, sd, &em) != HS_OK) {
			cli_err(1, "incremental signing: %s", hs_errmsg_str(&em));
			goto cleanup;
		}
		stats(o, "incremental", &st);
		zn_snap_release(ss);
		ss = NULL;
	}
	if (o->refresh_at) {
		zn_diff_free(sd);
		sd = NULL;
		ss = zn_zone_snapshot(signd);
		if (zs_refresh(s, ss, o->refresh_at, zn_snap_serial(ss) + 1, 0, &sd, &st, &em) !=
		        HS_OK ||
		    (sd != NULL && zn_apply(signd, sd, &em) != HS_OK)) {
			cli_err(1, "refresh: %s", hs_errmsg_str(&em));
			goto cleanup;
		}
		stats(o, "refresh", &st);
		zn_snap_release(ss);
		ss = NULL;
	}
	ss = zn_zone_snapshot(signd);
	zs_zone_text(ss, &text);
	{
		/* plain stdio: the output may be a device or a pipe */
		FILE *f = o->output != NULL ? fopen(o->output, "w") : stdout;
		int bad = f == NULL || fwrite(text.data, 1, text.len, f) != text.len;
		if (f != NULL && f != stdout)
			bad |= fclose(f) != 0;
		if (bad) {
			cli_err(1, "cannot write '%s'", o->output ? o->output : "standard output");
			goto cleanup;
		}
	}
	ret = 0;
	if (o->timing)
		fprintf(stderr, "timing: read %.3f sign %.3f write %.3f records %zu\n", t1 - t0,
		        t2 - t1, mono() - t2, st.records);
cleanup:
	hs_buf_free(&text);
	zn_diff_free(ud);
	zn_diff_free(sd);
	zn_snap_release(snap);
	zn_snap_release(snap2);
	zn_snap_release(ss);
	zn_zone_free(u);
	zn_zone_free(u2);
	zn_zone_free(signd);
	zs_signer_free(s);
	for (int i = 0; i < nkeys; i++)
		zs_key_free(keys[i]);
	return ret;
}

static int num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"nsec3", no_argument, NULL, '3'},
	    {"optout", no_argument, NULL, 'O'},
	    {"threads", required_argument, NULL, 'j'},
	    {"validity", required_argument, NULL, 'e'},
	    {"now", required_argument, NULL, 't'},
	    {"serial", required_argument, NULL, 's'},
	    {"next", required_argument, NULL, 'n'},
	    {"refresh-at", required_argument, NULL, 'r'},
	    {"output", required_argument, NULL, 'o'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"timing", no_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct opts o;
	unsigned long v;
	int c;

	int rc = cli_start("hsync-signzone", argc, argv, usage, NULL);
	if (rc >= 0)
		return rc;
	memset(&o, 0, sizeof(o));
	o.p.denial = ZS_NSEC;
	o.now = hs_now_s(hs_env_system());
	while ((c = getopt_long(argc, argv, "3j:e:t:s:n:r:o:qh", lo, NULL)) != -1) {
		switch (c) {
		case '3':
			o.p.denial = ZS_NSEC3;
			break;
		case 'O':
			o.p.nsec3_optout = 1;
			break;
		case 'j':
			if (num(optarg, 64, &v) != 0)
				return cli_err(2, "--threads: 1..64");
			o.p.threads = (unsigned)v;
			break;
		case 'e':
			if (num(optarg, 0xffffffffu, &v) != 0 || v < 7200)
				return cli_err(2, "--validity: at least 7200 seconds");
			o.p.validity = (uint32_t)v;
			break;
		case 't':
		case 'r':
			if (num(optarg, 0xffffffffu, &v) != 0)
				return cli_err(2, "a time is Unix seconds");
			if (c == 't')
				o.now = (uint32_t)v;
			else
				o.refresh_at = (uint32_t)v;
			break;
		case 's':
			if (num(optarg, 0xffffffffu, &v) != 0)
				return cli_err(2, "--serial: 0..4294967295");
			o.serial = (uint32_t)v;
			o.has_serial = 1;
			break;
		case 'n':
			o.next = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'T':
			o.timing = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind < 3) {
		fputs(usage, stderr);
		return 2;
	}
	return run(&o, argv[optind], argv[optind + 1], argv + optind + 2, argc - optind - 2);
}
