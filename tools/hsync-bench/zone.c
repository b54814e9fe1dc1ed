/*
 * zone.c -- "hsync-bench zone": the zone machinery against NSD in the
 * same run, for a generated zone of N records (delegations with NS and
 * glue, A, AAAA, TXT):
 *
 *  load   NSD loading the zone file (time to its first SOA answer, and
 *         the PSS of its processes above an NSD serving an empty zone),
 *         against hsyncd taking the same zone by AXFR from that NSD into
 *         the zone machinery (time, and RSS above an idle hsyncd), and
 *         the in-process cost of building the version (zn_builder) and
 *         its own memory per record (zn_snap_memory);
 *  ixfr   a second NSD as secondary of hsyncd: its first copy by AXFR
 *         (time from its start to the serial, octets hsyncd sent), then
 *         one apex change at the first NSD (new serial, one NS more):
 *         hsyncd takes it, NOTIFYs, and the second NSD takes the
 *         difference by IXFR (time from hsyncd serving the serial to the
 *         second NSD serving it, octets sent). Targets: IXFR octets under
 *         1 % of the AXFR's, IXFR time under 5 % of the AXFR's.
 *
 * Everything on 127.0.0.1, free ports, one temporary directory removed at
 * the end (--keep DIR keeps it).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-bench/discovery_int.h"
#include "hsync-bench/hsync-bench.h"
#include "util/log.h"
#include "wire/text.h"
#include "zone/zone.h"

#define ZB_APEX "bench.test."

struct zb {
	char dir[DB_DIR];
	char bindir[DB_DIR];
	size_t n;
	double timeout;
	uint16_t nsd_port, nsd2_port, hs_port, nsd0_port, hs0_port;
	pid_t nsd, nsd2, hs, nsd0, hs0;
};

/* The i-th generated name's records, appended to `f` (zone file text). */
static size_t gen_records(FILE *f, size_t i)
{
	switch (i % 4) {
	case 0: /* a delegation: two NS and glue */
		fprintf(f, "d%zu\tNS\tns1.d%zu\nd%zu\tNS\tns2.provider%zu.example.\n", i, i, i,
		        i % 50);
		fprintf(f, "ns1.d%zu\tA\t10.%zu.%zu.%zu\n", i, (i >> 16) & 255, (i >> 8) & 255,
		        i & 255);
		return 3;
	case 1:
		fprintf(f, "www%zu\tA\t192.0.%zu.%zu\nwww%zu\tAAAA\t2001:db8::%zx\n", i,
		        (i >> 8) & 255, i & 255, i, i & 0xffff);
		return 2;
	case 2:
		fprintf(f, "mail%zu\tA\t198.51.%zu.%zu\n", i, (i >> 8) & 255, i & 255);
		return 1;
	default:
		fprintf(f, "txt%zu\tTXT\t\"v=spf1 ip4:203.0.113.%zu -all\"\n", i, i & 255);
		return 1;
	}
}

static int write_zone(const char *path, uint32_t serial, size_t n, int extra_ns)
{
	FILE *f = fopen(path, "w");
	size_t recs = 3, i = 0;
	if (f == NULL)
		return cli_err(-1, "cannot write '%s'", path);
	fprintf(f, "$ORIGIN %s\n$TTL 3600\n@\tSOA\tns1 hostmaster %u 3600 600 86400 300\n", ZB_APEX,
	        serial);
	fprintf(f, "@\tNS\tns1\nns1\tA\t127.0.0.1\n");
	if (extra_ns)
		fprintf(f, "@\tNS\tns2.provider1.example.\n");
	while (recs < n)
		recs += gen_records(f, i++);
	return fclose(f) == 0 ? 0 : cli_err(-1, "cannot write '%s'", path);
}

static int write_nsd_conf(const struct zb *b, const char *name, uint16_t port,
                          const char *zone_opts)
{
	char p[DB_PATH];
	snprintf(p, sizeof(p), "%s/%s", b->dir, name);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/%s/nsd.conf", b->dir, name);
	FILE *f = fopen(p, "w");
	if (f == NULL)
		return cli_err(-1, "cannot write '%s'", p);
	fprintf(
	    f,
	    "server:\n\tip-address: 127.0.0.1@%u\n\tport: %u\n\tusername: \"\"\n\tchroot: \"\"\n"
	    "\tdatabase: \"\"\n\tzonesdir: \"%s/%s\"\n\tpidfile: \"%s/%s/nsd.pid\"\n"
	    "\tzonelistfile: \"%s/%s/zone.list\"\n\txfrdfile: \"%s/%s/xfrd.state\"\n"
	    "\txfrdir: \"%s/%s\"\n\tlogfile: \"%s/%s/nsd.log\"\n\tverbosity: 1\n"
	    "\tserver-count: 1\n\trrl-ratelimit: 0\n\trrl-whitelist-ratelimit: 0\n"
	    "remote-control:\n\tcontrol-enable: no\nzone:\n\tname: \"%s\"\n%s",
	    port, port, b->dir, name, b->dir, name, b->dir, name, b->dir, name, b->dir, name,
	    b->dir, name, ZB_APEX, zone_opts);
	return fclose(f) == 0 ? 0 : cli_err(-1, "cannot write '%s'", p);
}

static int write_hs_conf(const struct zb *b, const char *name, uint16_t port, int with_zone)
{
	char d[DB_PATH], p[DB_PATH + 32], out[1024];
	snprintf(d, sizeof(d), "%s/%s", b->dir, name);
	mkdir(d, 0700);
	char keygen[DB_PATH];
	snprintf(keygen, sizeof(keygen), "%s/hsync-keygen", b->bindir);
	char *a1[] = {keygen, "sig0", "--name", "dns.agent.bench.", "--dir", d, NULL};
	char *a2[] = {keygen, "hpke", "--name", "agent.bench", "--dir", d, NULL};
	if (db_run(a1, NULL, out, sizeof(out)) != 0 || db_run(a2, NULL, NULL, 0) != 0)
		return -1;
	char *l2 = strchr(out, '\n');
	char *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
	if (l2 == NULL || l3 == NULL)
		return cli_err(-1, "hsync-keygen printed no key name");
	*l3 = 0;
	snprintf(p, sizeof(p), "%s/hsyncd.conf", d);
	FILE *f = fopen(p, "w");
	if (f == NULL)
		return cli_err(-1, "cannot write '%s'", p);
	fprintf(f,
	        "server:\n    identity: agent.bench.\n    listen: 127.0.0.1@%u\n"
	        "    control-socket: %s/ctl.sock\n    store: %s/store.db\n"
	        "    sig0-key: %s/%s.private\n    hpke-key: %s/agent.bench.hpke\n"
	        "    log-level: info\ndnssec:\n    insecure: yes\n    resolver: 127.0.0.1@9\n",
	        port, d, d, d, l2 + 1, d);
	if (with_zone)
		fprintf(
		    f,
		    "zone:\n    name: %s\n    primary: 127.0.0.1@%u\n    refresh-min: 1h\n"
		    "    provide-xfr: 127.0.0.1\n    notify: 127.0.0.1@%u\n    store-zone: no\n",
		    ZB_APEX, b->nsd_port, b->nsd2_port);
	return fclose(f) == 0 ? 0 : cli_err(-1, "cannot write '%s'", p);
}

static pid_t start_nsd(const struct zb *b, const char *name)
{
	char conf[DB_PATH + 16], log[DB_PATH + 16];
	snprintf(conf, sizeof(conf), "%s/%s/nsd.conf", b->dir, name);
	snprintf(log, sizeof(log), "%s/%s/nsd.out", b->dir, name);
	char *argv[] = {"nsd", "-d", "-c", conf, NULL};
	return db_spawn(argv, log, NULL);
}

static pid_t start_hs(const struct zb *b, const char *name)
{
	char conf[DB_PATH + 16], log[DB_PATH + 16], bin[DB_PATH];
	snprintf(conf, sizeof(conf), "%s/%s/hsyncd.conf", b->dir, name);
	snprintf(log, sizeof(log), "%s/%s/hsyncd.log", b->dir, name);
	snprintf(bin, sizeof(bin), "%s/hsyncd", b->bindir);
	char *argv[] = {bin, "-f", "-c", conf, NULL};
	return db_spawn(argv, log, NULL);
}

/* The SOA serial served at `port`, or -1. */
static long serial_at(uint16_t port)
{
	char cmd[160], out[512] = "";
	unsigned long s;
	snprintf(cmd, sizeof(cmd),
	         "dig @127.0.0.1 -p %u +short +norec +time=1 +tries=1 %s SOA 2>/dev/null", port,
	         ZB_APEX);
	FILE *f = popen(cmd, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	pclose(f);
	if (sscanf(out, "%*s %*s %lu", &s) != 1)
		return -1;
	return (long)s;
}

/* Seconds until `port` serves `serial` (polled every 20 ms), or -1. */
static double wait_serial(const struct zb *b, uint16_t port, long serial, pid_t pid)
{
	double t0 = db_mono();
	while (db_mono() - t0 < b->timeout && !db_stop) {
		if (serial_at(port) == serial)
			return db_mono() - t0;
		if (!db_alive(pid))
			return -1;
		usleep(20000);
	}
	return -1;
}

/* Octets hsyncd sent in its last transfer of `serial` ("... serial S to
 * ...: KIND, R records in M messages, B octets" in its log), or 0. */
static size_t xfr_octets(const struct zb *b, long serial, const char *kind)
{
	char p[DB_PATH + 32], line[1024], want[64];
	size_t octets = 0;
	snprintf(p, sizeof(p), "%s/hs/hsyncd.log", b->dir);
	snprintf(want, sizeof(want), "serial %ld to ", serial);
	FILE *f = fopen(p, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *k = strstr(line, want), *o = strstr(line, " octets");
		if (k == NULL || o == NULL || strstr(k, kind) == NULL)
			continue;
		while (o > line && o[-1] >= '0' && o[-1] <= '9')
			o--;
		octets = strtoull(o, NULL, 10);
	}
	if (f)
		fclose(f);
	return octets;
}

/* In process: the zone machinery's own cost for n records. */
static void in_process(size_t n, double *build_s, double *bytes_per_rr, size_t *records)
{
	uint8_t apex[WIRE_NAME_MAX], owner[WIRE_NAME_MAX], soa[128];
	size_t alen, ol;
	zn_zone_t *z = NULL;
	if (hs_name_from_text(ZB_APEX, strlen(ZB_APEX), apex, &alen) != HS_OK ||
	    zn_zone_new(apex, alen, &z) != HS_OK)
		return;
	double t0 = db_mono();
	zn_builder_t *bl = zn_builder_new(apex, alen);
	static const uint8_t names[] = "\3ns1\5bench\4test\0\12hostmaster\5bench\4test";
	size_t so = sizeof(names);
	memcpy(soa, names, so);
	uint32_t v[5] = {1, 3600, 600, 86400, 300};
	for (int i = 0; i < 5; i++)
		for (int k = 3; k >= 0; k--)
			soa[so++] = (uint8_t)(v[i] >> (8 * k));
	zn_rr_t s = {apex, alen, ZN_TYPE_SOA, 3600, soa, (uint16_t)so};
	(void)!zn_builder_add(bl, &s, NULL);
	for (size_t i = 0; i < n; i++) {
		char name[64];
		uint8_t rd[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		snprintf(name, sizeof(name), "www%zu.%s", i / 2, ZB_APEX);
		if (hs_name_from_text(name, strlen(name), owner, &ol) != HS_OK)
			break;
		zn_rr_t r = {owner, ol, 1, 300, rd, 4};
		(void)!zn_builder_add(bl, &r, NULL);
	}
	if (zn_zone_set(z, bl, NULL) == HS_OK) {
		*build_s = db_mono() - t0;
		zn_snap_t *sn = zn_zone_snapshot(z);
		*records = zn_snap_records(sn);
		*bytes_per_rr = (double)zn_snap_memory(sn) / (double)*records;
		zn_snap_release(sn);
	}
	zn_zone_free(z);
}

static void on_sig(int sig)
{
	(void)sig;
	db_stop = 1;
}

static void stop_all(struct zb *b)
{
	db_stop_pid(&b->nsd2);
	db_stop_pid(&b->hs);
	db_stop_pid(&b->nsd);
	db_stop_pid(&b->hs0);
	db_stop_pid(&b->nsd0);
}

static const char usage[] =
    "usage: hsync-bench zone [--records N] [--timeout S] [--keep DIR] [--json]\n"
    "\n"
    "The zone machinery against NSD in one run, for a generated zone of N\n"
    "records (default 10000): load time and memory per record (hsyncd taking\n"
    "it by AXFR vs NSD loading the file), and one apex change reaching an NSD\n"
    "secondary of hsyncd by IXFR vs that NSD's AXFR of the whole zone\n"
    "(targets: octets < 1 %, time < 5 %).\n";

int bench_zone_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"records", required_argument, NULL, 'n'}, {"timeout", required_argument, NULL, 't'},
	    {"keep", required_argument, NULL, 'k'},    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
	struct zb b;
	int c, json = 0, rc = 1;
	const char *keep = NULL;
	char p[DB_PATH + 64], q[DB_PATH + 64];
	memset(&b, 0, sizeof(b));
	b.n = 10000;
	b.timeout = 600;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			b.n = strtoul(optarg, NULL, 10);
			break;
		case 't':
			b.timeout = strtod(optarg, NULL);
			break;
		case 'k':
			keep = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc || b.n < 100 || b.n > 20000000 || b.timeout <= 0) {
		fputs(usage, stderr);
		return 2;
	}
	hs_log_set_level(HS_LOG_ERR);
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	/* the programs beside this one */
	ssize_t l = readlink("/proc/self/exe", b.bindir, sizeof(b.bindir) - 1);
	if (l <= 0)
		return cli_err(1, "cannot find my own directory");
	b.bindir[l] = 0;
	*strrchr(b.bindir, '/') = 0;
	if (keep) {
		snprintf(b.dir, sizeof(b.dir), "%s", keep);
		mkdir(b.dir, 0700);
	} else {
		const char *t = getenv("TMPDIR");
		snprintf(b.dir, sizeof(b.dir), "%s/hsbz.XXXXXX", t ? t : "/tmp");
		if (mkdtemp(b.dir) == NULL)
			return cli_err(1, "cannot make a temporary directory");
	}
	snprintf(p, sizeof(p), "%s/run.log", b.dir);
	db_run_log = p;

	double ip_build = 0, ip_bpr = 0;
	size_t ip_recs = 0;
	in_process(b.n, &ip_build, &ip_bpr, &ip_recs);

	b.nsd_port = db_free_port();
	b.nsd2_port = db_free_port();
	b.hs_port = db_free_port();
	b.nsd0_port = db_free_port();
	b.hs0_port = db_free_port();
	char zopts[DB_PATH * 2];
	/* baselines: NSD with a tiny zone, hsyncd without zones */
	snprintf(q, sizeof(q), "%s/nsd0/bench.zone", b.dir);
	snprintf(zopts, sizeof(zopts), "\tzonefile: \"%s\"\n", q);
	if (write_nsd_conf(&b, "nsd0", b.nsd0_port, zopts) || write_zone(q, 1, 10, 0) ||
	    write_hs_conf(&b, "hs0", b.hs0_port, 0))
		goto cleanup;
	b.nsd0 = start_nsd(&b, "nsd0");
	b.hs0 = start_hs(&b, "hs0");
	if (wait_serial(&b, b.nsd0_port, 1, b.nsd0) < 0)
		goto fail;
	sleep(1);
	long nsd_base = db_pss_tree(b.nsd0), hs_base = db_vm(b.hs0, "VmRSS");
	db_stop_pid(&b.nsd0);
	db_stop_pid(&b.hs0);

	/* load: NSD from the file, hsyncd by AXFR from it */
	snprintf(q, sizeof(q), "%s/nsd/bench.zone", b.dir);
	snprintf(
	    zopts, sizeof(zopts),
	    "\tzonefile: \"%s\"\n\tprovide-xfr: 127.0.0.1 NOKEY\n\tnotify: 127.0.0.1@%u NOKEY\n", q,
	    b.hs_port);
	if (write_nsd_conf(&b, "nsd", b.nsd_port, zopts) || write_zone(q, 1, b.n, 0))
		goto cleanup;
	b.nsd = start_nsd(&b, "nsd");
	double nsd_load = wait_serial(&b, b.nsd_port, 1, b.nsd);
	if (nsd_load < 0)
		goto fail;
	sleep(1);
	long nsd_mem = db_pss_tree(b.nsd) - nsd_base;
	if (write_hs_conf(&b, "hs", b.hs_port, 1))
		goto cleanup;
	b.hs = start_hs(&b, "hs");
	double hs_load = wait_serial(&b, b.hs_port, 1, b.hs);
	if (hs_load < 0)
		goto fail;
	sleep(1);
	long hs_mem = db_vm(b.hs, "VmRSS") - hs_base;

	/* ixfr: a second NSD as secondary of hsyncd */
	snprintf(zopts, sizeof(zopts),
	         "\trequest-xfr: 127.0.0.1@%u NOKEY\n\tallow-notify: 127.0.0.1 NOKEY\n", b.hs_port);
	if (write_nsd_conf(&b, "nsd2", b.nsd2_port, zopts))
		goto cleanup;
	b.nsd2 = start_nsd(&b, "nsd2");
	double axfr_s = wait_serial(&b, b.nsd2_port, 1, b.nsd2);
	if (axfr_s < 0)
		goto fail;
	size_t axfr_octets = xfr_octets(&b, 1, "AXFR");
	/* one apex change at the owner's NSD: SIGHUP reloads its zone file */
	snprintf(q, sizeof(q), "%s/nsd/bench.zone", b.dir);
	if (write_zone(q, 2, b.n, 1))
		goto cleanup;
	kill(b.nsd, SIGHUP);
	if (wait_serial(&b, b.hs_port, 2, b.hs) < 0)
		goto fail;
	double ixfr_s = wait_serial(&b, b.nsd2_port, 2, b.nsd2);
	if (ixfr_s < 0)
		goto fail;
	size_t ixfr_octets = xfr_octets(&b, 2, "IXFR");

	double oct_ratio = axfr_octets ? (double)ixfr_octets / (double)axfr_octets : -1;
	double t_ratio = axfr_s > 0 ? ixfr_s / axfr_s : -1;
	double nsd_bpr = (double)nsd_mem / (double)b.n; /* db_pss_tree, db_vm: octets */
	double hs_bpr = (double)hs_mem / (double)b.n;
	if (json) {
		printf("{\"records\":%zu,\"nsd_load_s\":%.3f,\"hsyncd_load_s\":%.3f,"
		       "\"load_ratio\":%.3f,\"nsd_bytes_per_record\":%.1f,"
		       "\"hsyncd_bytes_per_record\":%.1f,\"memory_ratio\":%.3f,"
		       "\"zn_build_s\":%.3f,\"zn_bytes_per_record\":%.1f,"
		       "\"axfr_s\":%.3f,\"axfr_octets\":%zu,\"ixfr_s\":%.3f,\"ixfr_octets\":%zu,"
		       "\"ixfr_octets_ratio\":%.6f,\"ixfr_time_ratio\":%.4f}\n",
		       b.n, nsd_load, hs_load, hs_load / nsd_load, nsd_bpr, hs_bpr,
		       hs_bpr / nsd_bpr, ip_build, ip_bpr, axfr_s, axfr_octets, ixfr_s, ixfr_octets,
		       oct_ratio, t_ratio);
	} else {
		printf("zone of %zu records (delegations, A, AAAA, TXT)\n", b.n);
		printf("%-44s %12s %12s %8s\n", "figure", "hsync", "limit", "ratio");
		printf("%-44s %11.3fs %11.3fs %8.3f  (NSD loading the file)\n",
		       "load: hsyncd by AXFR from NSD", hs_load, nsd_load, hs_load / nsd_load);
		printf("%-44s %12.1f %12.1f %8.3f  (NSD, octets per record)\n",
		       "memory per record: hsyncd RSS", hs_bpr, nsd_bpr, hs_bpr / nsd_bpr);
		printf("%-44s %12.1f %12s %8s  (in process: build %.3f s)\n",
		       "memory per record: zn version's own", ip_bpr, "-", "-", ip_build);
		printf("%-44s %12zu %12zu %8.5f  (goal < 0.01)\n",
		       "apex change: IXFR octets vs AXFR", ixfr_octets, axfr_octets, oct_ratio);
		printf("%-44s %11.3fs %11.3fs %8.4f  (goal < 0.05)\n",
		       "apex change: IXFR time vs AXFR", ixfr_s, axfr_s, t_ratio);
	}
	rc = (oct_ratio >= 0 && t_ratio >= 0) ? 0 : 1;
	goto cleanup;
fail:
	cli_err(1, "the lab did not come up in %.0f s (logs in '%s'%s)", b.timeout, b.dir,
	        keep ? "" : ", removed");
cleanup:
	stop_all(&b);
	if (!keep)
		db_rmtree(b.dir);
	return db_stop ? 130 : rc;
}
