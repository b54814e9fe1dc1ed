/* hsync-bench discovery -- one real hsyncd agent bringing up N
 * multi-provider zones shared with three peers (one provider group), from
 * a real NSD on loopback: zones/s and bytes/zone, each next to the limit
 * the same machine reaches in the same run. */
#include "hsync-bench/hsync-bench.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli.h"
#include "engine/zonesec_run.h"
#include "hsync-bench/discovery_int.h"
#include "util/buf.h"
#include "util/json_out.h"
#include "util/log.h"

static const char bench_disc_usage[] =
    "usage: hsync-bench discovery [--zones N[,N...]] [--baseline N0] [--peers P]\n"
    "                             [--beat MS] [--transfers C] [--timeout S]\n"
    "                             [--keep DIR] [--json]\n"
    "\n"
    "Build a lab on loopback the way scripts/lab/lib.sh does (keys from\n"
    "hsync-keygen, identity zones and the parent lab. signed with ldns-signzone,\n"
    "a trust anchor), with customer zones z00001.bench. ... whose apex lists\n"
    "the measured agent alpha.lab. and P peers in HSYNC3 with one HSYNCPARAM\n"
    "(RFC 3597 form), all served by one NSD. The peers serve the first N0\n"
    "zones, so all agents share one provider group. Then, for each N:\n"
    "\n"
    "  1. NSD serves the N zones; its memory (Pss of its processes) is read\n"
    "     next to NSD with N0 zones.\n"
    "  2. The peers start; the measured hsyncd starts with N0 zones, comes up\n"
    "     (memory baseline), stops; then it starts with all N zones.\n"
    "  3. Its control socket is polled (status, gossip show) for (a) all N\n"
    "     zones loaded and analysed into the shared group, (b) every peer and\n"
    "     the group OPERATIONAL with a converged gossip matrix. Wall time from\n"
    "     exec and CPU time (/proc/PID/stat) at both; VmRSS and VmHWM after (b).\n"
    "  4. The limit for intake: the same N zones from the same NSD through the\n"
    "     AXFR client alone (tp_xfr in this process, same parser and checks,\n"
    "     with the agent's transfer concurrency).\n"
    "\n"
    "Figures: zones/s = N / time to (a), and its ratio to the AXFR-only rate;\n"
    "bytes/zone = (RSS with N - RSS with N0) / (N - N0), and its ratio to NSD's\n"
    "own growth per zone for the same zones. Progress goes to stderr.\n"
    "Needs nsd, ldns-keygen and ldns-signzone on PATH, and hsyncd and\n"
    "hsync-keygen next to this program.\n"
    "\n"
    "Options:\n"
    "  --zones LIST     comma-separated zone counts (default 1000,10000)\n"
    "  --baseline N0    zones of the memory baseline and of each peer (default 10)\n"
    "  --peers P        peers, 1..3 (default 3)\n"
    "  --beat MS        the agents' beat interval in ms (default 1000)\n"
    "  --transfers C    the measured agent's server.transfers-in (SOA queries\n"
    "                   and transfers in flight), and the AXFR-only run's\n"
    "                   concurrency (default: hsyncd's default, 32)\n"
    "  --timeout S      give up on one bring-up after S seconds (default 600)\n"
    "  --keep DIR       build the lab in DIR (created) and leave it there with\n"
    "                   its logs; default a temporary directory, removed\n"
    "  --json           one JSON object per zone count instead of the table\n"
    "  -h, --help       this text\n"
    "\n"
    "Every process started is stopped at exit, also on error or Ctrl-C.\n"
    "Exit status: 0 measured, 1 error (or interrupted), 2 usage error.\n";

#define DEFAULT_TRANSFERS ZSEC_RUN_MAX_OPS /* hsyncd's transfers-in default */

struct opts {
	const char *zones, *keep;
	size_t n0;
	unsigned transfers;
	double timeout;
	int json;
};

struct result {
	size_t n;
	struct db_bringup up, base;
	double xfr_s;
	size_t xfr_failed;
	long nsd0, nsd;
};

static struct db_lab lab;

static void on_signal(int sig)
{
	(void)sig;
	db_stop = 1;
}

static int nsd_start(size_t n)
{
	char conf[DB_PATH + 32], log[DB_PATH + 32], last[64];
	if (db_nsd_conf(&lab, n) != 0)
		return -1;
	snprintf(conf, sizeof(conf), "%s/nsd/nsd.conf", lab.dir);
	snprintf(log, sizeof(log), "%s/nsd/nsd.out", lab.dir);
	char *argv[] = {"nsd", "-c", conf, "-d", NULL};
	lab.nsd_pid = db_spawn(argv, log, NULL);
	if (lab.nsd_pid <= 0)
		return -1;
	if (n > 0)
		db_zone_name(n, last, sizeof(last));
	else
		snprintf(last, sizeof(last), "lab.");
	double t0 = db_mono();
	while (!db_stop && db_mono() - t0 < 300) {
		if (db_soa_ok(lab.nsd_port, last) && db_soa_ok(lab.nsd_port, "lab."))
			return 0;
		if (!db_alive(lab.nsd_pid)) {
			lab.nsd_pid = -1;
			break;
		}
		usleep(100000);
	}
	return cli_err(-1, "nsd did not serve '%s'; see %s and %s/nsd/nsd.log", last, log, lab.dir);
}

static void stop_all(void)
{
	for (int i = 0; i < DB_NIDS; i++)
		db_stop_pid(&lab.agent_pid[i]);
	db_stop_pid(&lab.nsd_pid);
}

/* Start the peers and wait until each has its zones in the group, so
 * their start-up does not share the machine with the measured agent's. */
static int peers_start(size_t n0)
{
	struct db_view v;
	for (int i = 1; i < lab.nids; i++)
		if (db_agent_conf(&lab, i, n0) != 0 || db_agent_start(&lab, i) != 0)
			return -1;
	for (int i = 1; i < lab.nids; i++) {
		double t0 = db_mono();
		while (db_look(&lab, i, &v) != 0 || v.zones_in_groups < n0) {
			if (db_stop || db_mono() - t0 > 60 || !db_alive(lab.agent_pid[i]))
				return cli_err(
				    -1, "peer %s.lab. did not load its zones; see %s/%s/hsyncd.log",
				    db_ids[i], lab.dir, db_ids[i]);
			usleep(20000);
		}
	}
	return 0;
}

static int run_one(const struct opts *o, size_t n, long nsd0, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->nsd0 = nsd0;
	fprintf(stderr, "discovery: %zu zones: nsd\n", n);
	if (db_zones(&lab, n) != 0 || nsd_start(n) != 0)
		return -1;
	r->nsd = db_pss_tree(lab.nsd_pid);
	fprintf(stderr, "discovery: %zu zones: %d peers, and the agent with %zu zones (baseline)\n",
	        n, lab.nids - 1, o->n0);
	if (peers_start(o->n0) != 0 || db_agent_conf(&lab, 0, o->n0) != 0 ||
	    db_measure(&lab, o->n0, o->timeout, &r->base) != 0)
		return -1;
	db_stop_pid(&lab.agent_pid[0]);
	fprintf(stderr, "discovery: %zu zones: the agent with %zu zones\n", n, n);
	if (db_agent_conf(&lab, 0, n) != 0 || db_measure(&lab, n, o->timeout, &r->up) != 0)
		return -1;
	for (int i = 0; i < DB_NIDS; i++)
		db_stop_pid(&lab.agent_pid[i]);
	fprintf(stderr, "discovery: %zu zones: AXFR client alone, %u at once\n", n, o->transfers);
	r->xfr_s = db_xfr_limit(&lab, n, o->transfers, &r->xfr_failed);
	db_stop_pid(&lab.nsd_pid);
	if (r->xfr_s <= 0)
		return cli_err(-1, "the AXFR-only run did not finish");
	if (r->xfr_failed)
		fprintf(stderr, "discovery: warning: %zu of %zu AXFR-only transfers failed\n",
		        r->xfr_failed, n);
	return 0;
}

static double per_zone(long a, long b, size_t n, size_t n0)
{
	return n > n0 ? ((double)a - (double)b) / (double)(n - n0) : 0;
}

static void print_table_head(void)
{
	printf("%-7s %8s %9s %9s %6s %8s %7s %7s %8s %10s %10s %6s\n", "zones", "load s", "zones/s",
	       "axfr z/s", "ratio", "oper s", "cpu s", "start s", "RSS MiB", "bytes/zone",
	       "nsd B/zone", "ratio");
}

static void print_row(const struct opts *o, const struct result *r)
{
	double zps = (double)r->n / r->up.t_zones, lim = (double)r->n / r->xfr_s;
	double bpz = per_zone(r->up.rss, r->base.rss, r->n, o->n0);
	double nbpz = per_zone(r->nsd, r->nsd0, r->n, o->n0);
	if (!o->json) {
		printf(
		    "%-7zu %8.2f %9.0f %9.0f %6.2f %8.2f %7.2f %7.2f %8.1f %10.0f %10.0f %6.2f\n",
		    r->n, r->up.t_zones, zps, lim, zps / lim, r->up.t_oper, r->up.cpu_oper,
		    r->base.t_zones, (double)r->up.rss / 1048576.0, bpz, nbpz,
		    nbpz > 0 ? bpz / nbpz : 0);
		fflush(stdout);
		return;
	}
	hs_buf_t b = HS_BUF_INIT;
	hs_jw_t w;
	hs_jw_init(&w, &b);
	hs_jw_obj_begin(&w);
	hs_jw_kv_u64(&w, "zones", r->n);
	hs_jw_kv_u64(&w, "baseline_zones", o->n0);
	hs_jw_kv_u64(&w, "peers", (uint64_t)lab.nids - 1);
	hs_jw_kv_u64(&w, "transfers", o->transfers);
	hs_buf_printf(
	    &b,
	    ",\"baseline_load_s\":%.3f,\"load_s\":%.3f,\"zones_per_s\":%.1f,\"axfr_only_s\":%.3f,"
	    "\"axfr_only_zones_per_s\":%.1f,\"zones_per_s_ratio\":%.3f,"
	    "\"operational_s\":%.3f,\"cpu_load_s\":%.3f,\"cpu_operational_s\":%.3f,"
	    "\"rss\":%ld,\"hwm\":%ld,\"rss_baseline\":%ld,\"bytes_per_zone\":%.1f,"
	    "\"nsd_pss\":%ld,\"nsd_pss_baseline\":%ld,\"nsd_bytes_per_zone\":%.1f,"
	    "\"bytes_per_zone_ratio\":%.3f}",
	    r->base.t_zones, r->up.t_zones, zps, r->xfr_s, lim, zps / lim, r->up.t_oper,
	    r->up.cpu_zones, r->up.cpu_oper, r->up.rss, r->up.hwm, r->base.rss, bpz, r->nsd,
	    r->nsd0, nbpz, nbpz > 0 ? bpz / nbpz : 0);
	printf("%s\n", hs_buf_cstr(&b));
	fflush(stdout);
	hs_buf_free(&b);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"zones", required_argument, NULL, 'z'},
	                                   {"baseline", required_argument, NULL, 'b'},
	                                   {"peers", required_argument, NULL, 'p'},
	                                   {"beat", required_argument, NULL, 'B'},
	                                   {"transfers", required_argument, NULL, 't'},
	                                   {"timeout", required_argument, NULL, 'T'},
	                                   {"keep", required_argument, NULL, 'k'},
	                                   {"json", no_argument, NULL, 'j'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	int c;
	char *end;
	unsigned long v;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		v = optarg ? strtoul(optarg, &end, 10) : 0;
		int bad = optarg && (*end != '\0' || *optarg == '\0');
		switch (c) {
		case 'z':
			o->zones = optarg;
			break;
		case 'b':
			if (bad || v == 0 || v > 1000)
				return cli_err(2, "--baseline: a count 1..1000");
			o->n0 = v;
			break;
		case 'p':
			if (bad || v < 1 || v > DB_NIDS - 1)
				return cli_err(2, "--peers: 1..%d", DB_NIDS - 1);
			lab.nids = (int)v + 1;
			break;
		case 'B':
			if (bad || v < 500 || v > 60000)
				return cli_err(2, "--beat: 500..60000 ms");
			lab.beat_ms = (unsigned)v;
			break;
		case 't':
			if (bad || v < 1 || v > 4096)
				return cli_err(2, "--transfers: 1..4096");
			o->transfers = (unsigned)v;
			lab.xfr_max = (unsigned)v;
			break;
		case 'T':
			if (bad || v < 1)
				return cli_err(2, "--timeout: seconds");
			o->timeout = (double)v;
			break;
		case 'k':
			o->keep = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			fputs(bench_disc_usage, stdout);
			return 0;
		default:
			fputs(bench_disc_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(bench_disc_usage, stderr);
		return 2;
	}
	return -1; /* go on */
}

/* The zone counts of --zones, each > n0, into ns[]. */
static int parse_list(const char *list, size_t n0, size_t *ns, size_t max, size_t *count)
{
	char *copy = strdup(list), *save = NULL;
	*count = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long n = strtoul(t, &end, 10);
		if (*end != '\0' || n <= n0 || n > 99999 || *count == max) {
			free(copy);
			return cli_err(2, "--zones: counts %zu < N <= 99999, at most %zu of them",
			               n0, max);
		}
		ns[(*count)++] = n;
	}
	free(copy);
	return *count ? 0 : cli_err(2, "--zones: no count");
}

static int find_bindir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return cli_err(-1, "cannot find my own directory");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash == NULL || (size_t)(slash - exe) >= sizeof(lab.bindir))
		return cli_err(-1, "my directory '%s' is too long a path", exe);
	*slash = '\0';
	memcpy(lab.bindir, exe, (size_t)(slash - exe) + 1);
	return 0;
}

int bench_discovery_main(int argc, char **argv)
{
	struct opts o = {.zones = "1000,10000", .n0 = 10, .timeout = 600};
	size_t ns[16], count, n_done = 0;
	int rc = 1, made_dir = 0;
	long nsd0 = -1;

	memset(&lab, 0, sizeof(lab));
	lab.nids = DB_NIDS;
	lab.beat_ms = 1000;
	lab.nsd_pid = -1;
	for (int i = 0; i < DB_NIDS; i++)
		lab.agent_pid[i] = -1;
	int pr = parse_opts(argc, argv, &o);
	if (pr >= 0)
		return pr;
	if (o.transfers == 0)
		o.transfers = DEFAULT_TRANSFERS;
	if (parse_list(o.zones, o.n0, ns, 16, &count) != 0)
		return 2;
	if (find_bindir() != 0)
		return 1;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	hs_log_set_level(HS_LOG_WARN);

	if (o.keep) {
		if (mkdir(o.keep, 0700) != 0 && errno != EEXIST)
			return cli_err(1, "cannot create '%s': %s", o.keep, strerror(errno));
		char real[PATH_MAX];
		if (realpath(o.keep, real) == NULL || strlen(real) >= sizeof(lab.dir))
			return cli_err(1, "cannot resolve '%s'", o.keep);
		memcpy(lab.dir, real, strlen(real) + 1);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(lab.dir, sizeof(lab.dir), "%s/hsync-bench-disc.XXXXXX",
		         tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(lab.dir) == NULL)
			return cli_err(1, "cannot create a temporary directory: %s",
			               strerror(errno));
		made_dir = 1;
	}
	/* unix socket paths are short */
	if (strlen(lab.dir) > 80) { /* never true: DB_DIR */
		cli_err(1, "'%s' is too long a path for the control sockets", lab.dir);
		goto cleanup;
	}
	if (db_setup(&lab) != 0 || db_zones(&lab, o.n0) != 0)
		goto cleanup;
	fprintf(stderr, "discovery: nsd with %zu zones (baseline)\n", o.n0);
	if (nsd_start(o.n0) != 0)
		goto cleanup;
	nsd0 = db_pss_tree(lab.nsd_pid);
	db_stop_pid(&lab.nsd_pid);
	if (!o.json)
		print_table_head();
	for (size_t i = 0; i < count && !db_stop; i++) {
		struct result r;
		if (run_one(&o, ns[i], nsd0, &r) != 0) {
			stop_all();
			goto cleanup;
		}
		print_row(&o, &r);
		n_done++;
	}
	if (!o.json)
		printf("load: exec to all zones analysed into the group; oper: to every peer and\n"
		       "the group OPERATIONAL; start: load with the %zu baseline zones (the fixed\n"
		       "cost). axfr z/s: the AXFR client alone, %u at once. bytes/zone: agent RSS\n"
		       "growth over the baseline; nsd: NSD's Pss growth for the same zones.\n",
		       o.n0, o.transfers);
	rc = n_done == count ? 0 : 1;
cleanup:
	stop_all();
	if (db_stop)
		cli_err(1, "interrupted");
	if (made_dir)
		db_rmtree(lab.dir);
	else if (o.keep)
		fprintf(stderr, "discovery: the lab is kept in %s\n", lab.dir);
	return rc;
}
