/* hsync-bench sign -- full signing by hsync's zone signer against
 * ldns-signzone on the same generated zone, keys, algorithm and denial
 * mode in the same run (records/s and peak memory per record of the two
 * whole processes), then the cost of one apex change on the largest zone
 * as a fraction of its full signing, in process. */
#include "hsync-bench/hsync-bench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "dnssec/zsign.h"
#include "util/env.h"
#include "wire/text.h"
#include "zone/zone.h"

#define ORIGIN "bench.test."
#define NOW    1800000000u

static const char usage[] =
    "usage: hsync-bench sign [--records N]... [--alg 13|15] [--nsec3] [--threads N] [--verify]\n"
    "\n"
    "Generate a zone of N records (hosts with A/AAAA, mail names with MX/TXT,\n"
    "delegations with glue, a tenth of them with DS), make a KSK and a ZSK with\n"
    "ldns-keygen, and sign the same zone file with the same keys, algorithm and\n"
    "denial mode by ldns-signzone and by hsync-signzone (both whole processes:\n"
    "read, sign, write). Prints records/s of each and their ratio (goal >= 1.0),\n"
    "CPU seconds, the peak resident memory per record of each (wait4's\n"
    "ru_maxrss) and their ratio. Then, on the largest zone, in this process:\n"
    "a full signing, one apex change signed incrementally (zs_sign_diff), the\n"
    "time of the change as a fraction of the full signing (goal < 1%) and the\n"
    "records of the diff (what an IXFR carries to the public secondaries).\n"
    "\n"
    "Options:\n"
    "  --records N   zone size, repeatable (default 10000 and 1000000)\n"
    "  --alg A       13 (ECDSAP256SHA256, default) or 15 (ED25519)\n"
    "  --nsec3       NSEC3 with RFC 9276 parameters (ldns-signzone -n -t 0)\n"
    "  --threads N   hsync signing threads (default 2: both cores)\n"
    "  --verify      check hsync's output with ldns-verify-zone\n"
    "  -h, --help    this text\n"
    "\n"
    "Needs ldns-signzone and ldns-keygen (ldnsutils). Exit status: 0 measured\n"
    "(goals met or not), 1 error, 2 usage error.\n";

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The zone: about n records. */
static size_t gen_zone(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t c = 5;
	if (f == NULL)
		return 0;
	fprintf(f,
	        "$ORIGIN %s\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	        "@ IN NS ns1\n@ IN NS ns2\nns1 IN A 192.0.2.1\nns2 IN A 192.0.2.2\n",
	        ORIGIN);
	for (size_t i = 0; c < n; i++) {
		unsigned r = (unsigned)(i % 10);
		if (r < 6) {
			fprintf(f, "h%zu IN A 10.%zu.%zu.%zu\n", i, (i >> 16) & 255, (i >> 8) & 255,
			        i & 255);
			c++;
			if (r < 2) {
				fprintf(f, "h%zu IN AAAA 2001:db8::%zx:%zx\n", i, i >> 16,
				        i & 0xffff);
				c++;
			}
		} else if (r < 8) {
			fprintf(f, "m%zu IN MX 10 h%zu\nm%zu IN TXT \"v=spf1 -all %zu\"\n", i,
			        i - 1, i, i);
			c += 2;
		} else {
			fprintf(f, "d%zu IN NS ns.d%zu\nns.d%zu IN A 10.200.%zu.%zu\n", i, i, i,
			        (i >> 8) & 255, i & 255);
			c += 2;
			if (r == 9) {
				fprintf(f, "d%zu IN DS %zu 13 2 %064zx\n", i, i & 65535, i);
				c++;
			}
		}
	}
	fclose(f);
	return c;
}

struct run {
	double wall, cpu;
	long maxrss_kb;
	int status;
};

/* Run argv with stdout/stderr to `log`; whole-process figures. */
static int run_child(char *const argv[], const char *log, struct run *r)
{
	struct rusage ru;
	int st = 0;
	double t0 = mono();
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);
		if (f == NULL || dup2(fileno(stdout), 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		return -1;
	r->wall = mono() - t0;
	r->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	         (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	r->maxrss_kb = ru.ru_maxrss;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return r->status == 0 ? 0 : -1;
}

static int keygen(const char *dir, int alg, int ksk, char *base, size_t blen)
{
	char cmd[512];
	FILE *p;
	snprintf(cmd, sizeof(cmd), "cd '%s' && ldns-keygen -a %d %s %s", dir, alg, ksk ? "-k" : "",
	         ORIGIN);
	p = popen(cmd, "r");
	if (p == NULL || fgets(base, (int)blen, p) == NULL) {
		if (p)
			pclose(p);
		return -1;
	}
	pclose(p);
	base[strcspn(base, "\n")] = '\0';
	return 0;
}

/* The apex change, in process: full signing, then one TXT added at the
 * apex signed incrementally. */
static int apex_change(const char *zonefile, const char *dir, const char *ksk, const char *zsk,
                       int nsec3, unsigned threads)
{
	uint8_t apex[256];
	size_t alen;
	zs_key_t *keys[2] = {NULL, NULL};
	unsigned roles[2] = {ZS_ROLE_KSK, ZS_ROLE_ZSK};
	zn_builder_t *b = NULL, *sb = NULL;
	zn_zone_t *u = NULL, *sz = NULL;
	zn_snap_t *us = NULL, *u2 = NULL, *ss = NULL;
	zn_diff_t *ud = NULL, *sd = NULL;
	zs_signer_t *s = NULL;
	zs_params_t p;
	zs_stats_t st;
	hs_errmsg_t em;
	char path[1024];
	int ret = 1;
	double t0, t1, t2;
	static const uint8_t txt[] = {11, 'a', 'p', 'e', 'x', '-', 'c', 'h', 'a', 'n', 'g', 'e'};

	hs_errmsg_clear(&em);
	memset(&p, 0, sizeof(p));
	p.denial = nsec3 ? ZS_NSEC3 : ZS_NSEC;
	p.threads = threads;
	if (hs_name_from_text(ORIGIN, strlen(ORIGIN), apex, &alen) != HS_OK)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, ksk);
	if (zs_key_load(path, apex, alen, &keys[0], &em) != HS_OK)
		goto fail;
	snprintf(path, sizeof(path), "%s/%s", dir, zsk);
	if (zs_key_load(path, apex, alen, &keys[1], &em) != HS_OK)
		goto fail;
	if (zs_zone_read_file(zonefile, apex, alen, 0, &b, &em) != HS_OK)
		goto fail;
	for (int i = 0; i < 2; i++) {
		size_t l;
		const uint8_t *rd = zs_key_dnskey(keys[i], &l);
		zn_rr_t rr = {apex, alen, ZS_TYPE_DNSKEY, 3600, rd, (uint16_t)l};
		if (zn_builder_add(b, &rr, &em) != HS_OK)
			goto fail;
	}
	if (zn_zone_new(apex, alen, &u) != HS_OK || zn_zone_set(u, b, &em) != HS_OK)
		goto fail;
	b = NULL;
	us = zn_zone_snapshot(u);
	if (zs_signer_new(apex, alen, &p, hs_env_system(), &s) != HS_OK ||
	    zs_signer_set_keys(s, keys, roles, 2) != HS_OK)
		goto fail;
	t0 = mono();
	if (zs_sign_full(s, us, NOW, 1, &sb, &st, &em) != HS_OK ||
	    zn_zone_new(apex, alen, &sz) != HS_OK || zn_zone_set(sz, sb, &em) != HS_OK)
		goto fail;
	sb = NULL;
	t1 = mono();
	/* the unsigned change: serial 2 and a TXT at the apex */
	{
		zn_rr_t soa;
		uint8_t rd[600];
		zn_snap_soa(us, &soa);
		memcpy(rd, soa.rdata, soa.rdlen);
		rd[soa.rdlen - 17] = 2;
		ud = zn_diff_new();
		zn_rr_t t = {apex, alen, 16, 3600, txt, sizeof(txt)};
		if (zn_diff_set_from(ud, soa.ttl, soa.rdata, soa.rdlen) != HS_OK ||
		    zn_diff_set_to(ud, soa.ttl, rd, soa.rdlen) != HS_OK ||
		    zn_diff_add(ud, &t) != HS_OK || zn_apply(u, ud, &em) != HS_OK)
			goto fail;
	}
	u2 = zn_zone_snapshot(u);
	ss = zn_zone_snapshot(sz);
	t2 = mono();
	if (zs_sign_diff(s, u2, ud, ss, NOW, 2, &sd, &st, &em) != HS_OK)
		goto fail;
	double tinc = mono() - t2;
	if (zn_apply(sz, sd, &em) != HS_OK)
		goto fail;
	printf("  apex change: incremental %.4f s vs full signing %.2f s = %.3f %% (goal < 1 %%)\n",
	       tinc, t1 - t0, 100.0 * tinc / (t1 - t0));
	printf("  what the public secondaries get: an IXFR of %zu records deleted, %zu added, "
	       "%zu octets (zone: %zu records)\n",
	       zn_diff_ndel(sd), zn_diff_nadd(sd), zn_diff_wire_size(sd), zn_snap_records(ss));
	ret = 0;
	goto cleanup;
fail:
	fprintf(stderr, "hsync-bench sign: apex change: %s\n", hs_errmsg_str(&em));
cleanup:
	zn_diff_free(ud);
	zn_diff_free(sd);
	zn_snap_release(us);
	zn_snap_release(u2);
	zn_snap_release(ss);
	zn_zone_free(u);
	zn_zone_free(sz);
	zn_builder_free(b);
	zn_builder_free(sb);
	zs_signer_free(s);
	zs_key_free(keys[0]);
	zs_key_free(keys[1]);
	return ret;
}

static int self_dir(char *out, size_t n)
{
	ssize_t l = readlink("/proc/self/exe", out, n - 1);
	if (l <= 0)
		return -1;
	out[l] = '\0';
	char *slash = strrchr(out, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	return 0;
}

int bench_sign_main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"records", required_argument, NULL, 'n'},
	    {"alg", required_argument, NULL, 'a'},
	    {"nsec3", no_argument, NULL, '3'},
	    {"threads", required_argument, NULL, 'j'},
	    {"verify", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	size_t sizes[8], nsizes = 0;
	int alg = 13, nsec3 = 0, verify = 0, c, ret = 0;
	unsigned threads = 2;
	char tmpl[1024], bin[1024], ksk[256], zsk[256];
	const char *dir;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (nsizes == 8 || (sizes[nsizes] = strtoul(optarg, NULL, 10)) < 10)
				return cli_err(2, "--records: at least 10, at most 8 sizes");
			nsizes++;
			break;
		case 'a':
			alg = atoi(optarg);
			if (alg != 13 && alg != 15)
				return cli_err(2, "--alg: 13 or 15");
			break;
		case '3':
			nsec3 = 1;
			break;
		case 'j':
			threads = (unsigned)atoi(optarg);
			if (threads < 1 || threads > 64)
				return cli_err(2, "--threads: 1..64");
			break;
		case 'v':
			verify = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (nsizes == 0) {
		sizes[0] = 10000;
		sizes[1] = 1000000;
		nsizes = 2;
	}
	if (self_dir(bin, sizeof(bin)) != 0)
		return cli_err(1, "cannot find my own directory");
	snprintf(tmpl, sizeof(tmpl), "%s/hsync-bench-sign.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	dir = mkdtemp(tmpl);
	if (dir == NULL)
		return cli_err(1, "cannot make a temporary directory");
	if (keygen(dir, alg, 1, ksk, sizeof(ksk)) != 0 ||
	    keygen(dir, alg, 0, zsk, sizeof(zsk)) != 0) {
		cli_err(1, "ldns-keygen failed (is ldnsutils installed?)");
		ret = 1;
		goto cleanup;
	}
	printf("sign: %s, %s, hsync with %u thread%s, ldns-signzone with 1\n",
	       zs_alg_name((uint8_t)alg), nsec3 ? "NSEC3 (0 iterations, no salt)" : "NSEC", threads,
	       threads == 1 ? "" : "s");
	for (size_t i = 0; i < nsizes && ret == 0; i++) {
		char zone[1024], out_h[1024], out_l[1024], log_h[1024], log_l[1024], kk[1024],
		    kz[1024], kkey[1100], zkey[1100], hs[1280], jt[16];
		struct run rh, rl;
		snprintf(zone, sizeof(zone), "%s/zone.%zu", dir, sizes[i]);
		size_t n = gen_zone(zone, sizes[i]);
		snprintf(out_h, sizeof(out_h), "%s/hsync.%zu", dir, sizes[i]);
		snprintf(out_l, sizeof(out_l), "%s/ldns.%zu", dir, sizes[i]);
		snprintf(log_h, sizeof(log_h), "%s/hsync.log", dir);
		snprintf(log_l, sizeof(log_l), "%s/ldns.log", dir);
		snprintf(kk, sizeof(kk), "%s/%s", dir, ksk);
		snprintf(kz, sizeof(kz), "%s/%s", dir, zsk);
		snprintf(kkey, sizeof(kkey), "%s.key", kk);
		snprintf(zkey, sizeof(zkey), "%s.key", kz);
		snprintf(hs, sizeof(hs), "%s/hsync-signzone", bin);
		snprintf(jt, sizeof(jt), "%u", threads);
		char *la[16] = {"ldns-signzone", "-o", ORIGIN,    "-f", out_l, "-e",
		                "20500101",      "-i", "20200101"},
		     *ha[16] = {hs,    "-q",   "--timing", "-j", jt,  "-o",
		                out_h, ORIGIN, zone,       kkey, zkey};
		int nl = 9, nh = 11;
		if (nsec3) {
			la[nl++] = "-n";
			la[nl++] = "-t";
			la[nl++] = "0";
			ha[nh++] = "-3";
		}
		la[nl++] = zone;
		la[nl++] = kk;
		la[nl++] = kz;
		la[nl] = NULL;
		ha[nh] = NULL;
		if (run_child(la, log_l, &rl) != 0) {
			cli_err(1, "ldns-signzone failed (see %s)", log_l);
			ret = 1;
			break;
		}
		if (run_child(ha, log_h, &rh) != 0) {
			cli_err(1, "hsync-signzone failed (see %s)", log_h);
			ret = 1;
			break;
		}
		printf("zone of %zu records\n", n);
		printf(
		    "  hsync-signzone  wall %8.2f s  cpu %8.2f s  %9.0f records/s  peak %7.1f MiB "
		    "(%5.0f B/record)\n",
		    rh.wall, rh.cpu, n / rh.wall, rh.maxrss_kb / 1024.0, rh.maxrss_kb * 1024.0 / n);
		printf(
		    "  ldns-signzone   wall %8.2f s  cpu %8.2f s  %9.0f records/s  peak %7.1f MiB "
		    "(%5.0f B/record)\n",
		    rl.wall, rl.cpu, n / rl.wall, rl.maxrss_kb / 1024.0, rl.maxrss_kb * 1024.0 / n);
		printf("  ratio records/s hsync/ldns %.2f (goal >= 1.0); per CPU second %.2f; "
		       "peak memory per record hsync/ldns %.2f\n",
		       rl.wall / rh.wall, rl.cpu / rh.cpu, (double)rh.maxrss_kb / rl.maxrss_kb);
		if (verify) {
			char cmd[1200];
			snprintf(cmd, sizeof(cmd), "ldns-verify-zone '%s' >/dev/null 2>&1", out_h);
			printf("  ldns-verify-zone on hsync's output: %s\n",
			       system(cmd) == 0 ? "verified" : "FAILED");
		}
		if (i + 1 == nsizes)
			ret = apex_change(zone, dir, ksk, zsk, nsec3, threads);
		unlink(out_h);
		unlink(out_l);
		if (i + 1 < nsizes)
			unlink(zone);
	}
cleanup : {
	char cmd[1100];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "hsync-bench sign: could not remove %s\n", dir);
}
	return ret;
}
