/* hsync-bench sync -- how long one change of a provider's contribution
 * takes to be served by every provider's public NSD (agent -> own
 * combiner and the other agents -> their combiners -> NOTIFY/IXFR ->
 * NSD), against the plain chain without hsync (the owner changes its
 * zone, NSD secondaries follow by NOTIFY/IXFR) measured in the same run;
 * and one combiner's restart with many zones (sync_restart.c). */
#include "hsync-bench/hsync-bench.h"

#include <errno.h>
#include <getopt.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/ctlclient.h"
#include "hsync-bench/discovery_int.h"
#include "hsync-bench/sync_int.h"
#include "util/buf.h"
#include "util/json_out.h"

static const char bench_sync_usage[] =
    "usage: hsync-bench sync [--providers P[,P...]] [--changes N] [--zones Z]\n"
    "                        [--no-latency] [--no-restart] [--keep DIR] [--json]\n"
    "\n"
    "1. Latency, for each P: the lab of scripts/lab.sh (scripts/lab/lib.sh:\n"
    "   the owner's NSD, and per provider an hsyncd agent, an hsyncd combiner\n"
    "   and a public NSD, every party on loopback) with P providers. N\n"
    "   changes at the first provider, in turn adding a new NS with\n"
    "   'hsyncctl zone add-rr' (its control socket) and deleting it with\n"
    "   'zone del-rr'; each is timed from the request to the moment every\n"
    "   provider's public NSD answers the new NS set (UDP NS queries every\n"
    "   millisecond or so). The limit, in the same run: a Knot primary\n"
    "   and P NSD secondaries (NOTIFY, IXFR), the same N changes made by\n"
    "   the owner (knotc zone-begin, zone-set/unset, then zone-commit,\n"
    "   timed from the commit) until every secondary answers them.\n"
    "   Figures: p50 and p99 of both chains and their ratios; goals p99\n"
    "   under 500 ms and within 3x of the plain chain.\n"
    "2. Restart: one hsyncd combiner with Z zones (from an NSD), 3 providers\n"
    "   contributing to each (stored contributions), first start (transfer,\n"
    "   combine, persist the served zones), then stopped and started again:\n"
    "   time from exec until every zone is answered with its served serial,\n"
    "   against NSD starting with the same zones; bytes per zone of the\n"
    "   store and of the combiner's memory, against NSD's memory.\n"
    "Progress goes to stderr. Needs nsd, knotd, knotc, ldns-keygen,\n"
    "ldns-signzone and dig on PATH, hsyncd and hsync-keygen next to this\n"
    "program and scripts/lab/lib.sh of the source tree it was built in.\n"
    "\n"
    "Options:\n"
    "  --providers LIST  provider counts, 2..5 (default 3,5)\n"
    "  --changes N       changes per chain, at least 2 (default 60)\n"
    "  --zones Z         zones of the restart (default 10000)\n"
    "  --no-latency      skip part 1\n"
    "  --no-restart      skip part 2\n"
    "  --keep DIR        work in DIR and keep it (default: a temp dir, removed)\n"
    "  --json            one JSON line after the tables\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 measured, 1 error, 2 usage error.\n";

static const char *const prov_names[SB_MAXP] = {"alpha", "bravo", "charlie", "delta", "echo"};

double sb_quantile(const struct sb_samples *s, double p)
{
	double v[SB_MAXCHG];
	size_t n = s->n, k;
	if (n == 0)
		return 0;
	memcpy(v, s->v, n * sizeof(v[0]));
	for (size_t i = 1; i < n; i++) /* insertion sort: n is small */
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	k = (size_t)(p * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	return v[k - 1];
}

/* ---- polling the public servers ---- */

/* 1 when `msg` is an answer whose NS RRset holds `target`, 0 when it
 * does not, -1 when it is no usable answer. */
static int answer_has(const uint8_t *msg, size_t len, uint16_t id, const char *target)
{
	ldns_pkt *p = NULL;
	int rc = -1;
	if (ldns_wire2pkt(&p, msg, len) != LDNS_STATUS_OK)
		return -1;
	if (ldns_pkt_id(p) != id || ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR || ldns_pkt_tc(p))
		goto cleanup;
	rc = 0;
	/* the answer, or a parent's referral (authority section) */
	for (size_t i = 0; i < ldns_pkt_ancount(p) + ldns_pkt_nscount(p); i++) {
		ldns_rr *rr = i < ldns_pkt_ancount(p)
		                  ? ldns_rr_list_rr(ldns_pkt_answer(p), i)
		                  : ldns_rr_list_rr(ldns_pkt_authority(p), i - ldns_pkt_ancount(p));
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_rr_rd_count(rr) < 1)
			continue;
		char *t = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		if (t != NULL && strcasecmp(t, target) == 0)
			rc = 1;
		free(t);
	}
cleanup:
	ldns_pkt_free(p);
	return rc;
}

static int query_wire(const char *zone, uint16_t id, uint8_t **out, size_t *len)
{
	ldns_pkt *q = NULL;
	if (ldns_pkt_query_new_frm_str(&q, zone, LDNS_RR_TYPE_NS, LDNS_RR_CLASS_IN, 0) !=
	    LDNS_STATUS_OK)
		return -1;
	ldns_pkt_set_id(q, id);
	int rc = ldns_pkt2wire(out, q, len) == LDNS_STATUS_OK ? 0 : -1;
	ldns_pkt_free(q);
	return rc;
}

double sb_wait_ns(const uint16_t *ports, size_t n, const char *zone, const char *target, int want,
                  double t0, double timeout)
{
	double each[SB_MAXP + 1];
	return sb_wait_ns_each(ports, n, zone, target, want, t0, timeout, 0, each);
}

double sb_wait_ns_each(const uint16_t *ports, size_t n, const char *zone, const char *target,
                       int want, double t0, double timeout, unsigned slow, double *each)
{
	unsigned round = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int done[SB_MAXP + 1] = {0};
	size_t left = n;
	uint8_t *q = NULL;
	size_t qlen = 0;
	uint16_t id = (uint16_t)(getpid() ^ (unsigned)(t0 * 1000));
	double end = t0 + timeout, t = -1;
	if (fd < 0 || n > SB_MAXP + 1 || query_wire(zone, id, &q, &qlen) != 0)
		goto cleanup;
	while (left > 0 && !db_stop) {
		double now = db_mono();
		if (now > end)
			goto cleanup;
		for (size_t i = 0; i < n; i++) {
			struct sockaddr_in sa = {.sin_family = AF_INET,
			                         .sin_port = htons(ports[i]),
			                         .sin_addr.s_addr = htonl(0x7f000001)};
			if (!done[i] && (!(slow & (1u << i)) || round % 10 == 0))
				(void)!sendto(fd, q, qlen, 0, (struct sockaddr *)&sa, sizeof(sa));
		}
		round++;
		/* the answers of this round, then the next round */
		struct pollfd pf = {fd, POLLIN, 0};
		double round_end = db_mono() + 0.002;
		while (left > 0 && db_mono() < round_end) {
			if (poll(&pf, 1, 1) <= 0)
				continue;
			uint8_t buf[4096];
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t r =
			    recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (r <= 0)
				continue;
			for (size_t i = 0; i < n; i++)
				if (!done[i] && ntohs(from.sin_port) == ports[i] &&
				    answer_has(buf, (size_t)r, id, target) == want) {
					done[i] = 1;
					each[i] = db_mono() - t0;
					left--;
				}
		}
	}
	if (left == 0)
		t = db_mono() - t0;
cleanup:
	free(q);
	if (fd >= 0)
		close(fd);
	return t;
}

/* ---- the hsync chain: the lab of scripts/lab/lib.sh ---- */

struct sb_lab {
	char dir[SB_PATH];
	char lib[SB_PATH];
	char bindir[SB_PATH];
	size_t n;
	uint16_t ports[SB_MAXP]; /* the public NSDs */
};

int sb_lab_script(const char *dir, const char *lib, const char *bindir, size_t n, const char *env,
                  const char *body)
{
	char path[SB_PATH + 32], ids[128] = "";
	FILE *f;
	snprintf(path, sizeof(path), "%s/step.sh", dir);
	for (size_t i = 0; i < n && i < SB_MAXP; i++)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s", i ? " " : "",
		         prov_names[i]);
	f = fopen(path, "w");
	if (f == NULL)
		return cli_err(-1, "cannot write '%s': %s", path, strerror(errno));
	fprintf(f,
	        "set -u\nexec 1>&2\n. '%s'\nLAB_BEAT=1s\nLAB_CONFIRM=5s\nLAB_COMBINERS=1\n%s\n"
	        "IDS='%s'\nlab_init '%s/lab' '%s'\n%s\n",
	        lib, env != NULL ? env : "", ids, dir, bindir, body);
	fclose(f);
	char *argv[] = {"bash", path, NULL};
	char out[64];
	return db_run(argv, NULL, out, sizeof(out));
}

/* Run a bash script that sources lib.sh with the lab's state. */
static int lab_sh(const struct sb_lab *l, const char *body)
{
	return sb_lab_script(l->dir, l->lib, l->bindir, l->n, NULL, body);
}

static int lab_up(struct sb_lab *l)
{
	char want[512] = "ns.lab.";
	char body[2048];
	for (size_t i = 0; i < l->n; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), " ns1.%s.lab.",
		         prov_names[i]);
	snprintf(body, sizeof(body),
	         "lab_build $IDS || exit 1\n. \"$LAB_DIR/ports\"\nlab_nsd_start || exit 1\n"
	         "for id in $IDS; do lab_provider_start $id || exit 1; done\n"
	         "lab_wait_all_operational 120 $IDS >/dev/null || exit 1\n"
	         "lab_wait_ns 120 \"%s\" $IDS || exit 1\n",
	         want);
	if (lab_sh(l, body) != 0)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		char path[SB_PATH + 64];
		FILE *f;
		unsigned p = 0;
		snprintf(path, sizeof(path), "%s/lab/%s/nsd/port", l->dir, prov_names[i]);
		f = fopen(path, "r");
		if (f == NULL || fscanf(f, "%u", &p) != 1) {
			if (f)
				fclose(f);
			return cli_err(-1, "no port in '%s'", path);
		}
		fclose(f);
		l->ports[i] = (uint16_t)p;
	}
	return 0;
}

static void lab_down(const struct sb_lab *l)
{
	(void)lab_sh(l, ". \"$LAB_DIR/ports\" 2>/dev/null; lab_cleanup");
}

/* One change at the first provider: the request's db_mono time, or -1. */
static double lab_change(const struct sb_lab *l, const char *target, int add)
{
	char sock[SB_PATH + 64];
	snprintf(sock, sizeof(sock), "%s/lab/%s/ctl.sock", l->dir, prov_names[0]);
	return sb_agent_change(sock, target, add);
}

double sb_agent_change(const char *sock, const char *target, int add)
{
	char req[512];
	hs_buf_t resp = HS_BUF_INIT;
	hs_errmsg_t em;
	double t0;
	snprintf(req, sizeof(req),
	         "{\"argv\":[\"zone\",\"%s\",\"" SB_ZONE "\",\"@ 3600 IN NS %s\"]}",
	         add ? "add-rr" : "del-rr", target);
	hs_errmsg_clear(&em);
	t0 = db_mono();
	int rc = ctl_client_call(sock, req, 10000, &resp, &em);
	if (rc != HS_OK || strstr(hs_buf_cstr(&resp), "\"ok\":true") == NULL) {
		cli_err(1, "%s of %s refused: %s", add ? "add-rr" : "del-rr", target,
		        rc != HS_OK ? hs_errmsg_str(&em) : hs_buf_cstr(&resp));
		t0 = -1;
	}
	hs_buf_free(&resp);
	return t0;
}

/* ---- one run: both chains with n providers ---- */

struct sb_result {
	size_t providers, changes;
	double h50, h99, p50, p99; /* seconds */
};

static int measure_chain(int plain, void *ctx, const uint16_t *ports, size_t n, size_t changes,
                         struct sb_samples *s)
{
	char target[128];
	s->n = 0;
	for (size_t i = 0; i < changes && !db_stop; i++) {
		int add = i % 2 == 0;
		snprintf(target, sizeof(target), "b%zu.%s.test.", i / 2, plain ? "plain" : "hsync");
		double t0 =
		    plain ? sb_plain_change(ctx, target, add) : lab_change(ctx, target, add);
		if (t0 < 0)
			return -1;
		double t = sb_wait_ns(ports, n, SB_ZONE, target, add, t0, SB_TIMEOUT);
		if (t < 0)
			return cli_err(
			    -1, "%s chain: change %zu (%s %s) not served by every server in %.0f s",
			    plain ? "plain" : "hsync", i + 1, add ? "add" : "delete", target,
			    SB_TIMEOUT);
		s->v[s->n++] = t;
	}
	return 0;
}

static int run_one(const char *bindir, const char *lib, const char *dir, size_t n, size_t changes,
                   struct sb_result *r)
{
	struct sb_lab l;
	struct sb_plain p;
	struct sb_samples hs, ps;
	int rc = -1;
	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	if (snprintf(l.dir, sizeof(l.dir), "%s/sync%zu", dir, n) >= (int)sizeof(l.dir))
		return cli_err(-1, "directory name too long");
	snprintf(l.lib, sizeof(l.lib), "%s", lib);
	snprintf(l.bindir, sizeof(l.bindir), "%s", bindir);
	l.n = n;
	if (mkdir(l.dir, 0700) != 0 && errno != EEXIST)
		return cli_err(-1, "cannot make '%s': %s", l.dir, strerror(errno));
	fprintf(stderr, "sync: %zu providers: building and starting the lab\n", n);
	if (lab_up(&l) != 0) {
		cli_err(1, "the lab of %zu providers did not come up (logs in %s/lab)", n, l.dir);
		goto cleanup;
	}
	fprintf(stderr, "sync: %zu providers: %zu changes through hsync\n", n, changes);
	if (measure_chain(0, &l, l.ports, n, changes, &hs) != 0)
		goto cleanup;
	lab_down(&l);
	fprintf(stderr, "sync: %zu providers: %zu changes through the plain chain\n", n, changes);
	if (sb_plain_start(&p, l.dir, n) != 0 ||
	    measure_chain(1, &p, p.ports, n, changes, &ps) != 0)
		goto cleanup;
	r->providers = n;
	r->changes = changes;
	r->h50 = sb_quantile(&hs, 0.5);
	r->h99 = sb_quantile(&hs, 0.99);
	r->p50 = sb_quantile(&ps, 0.5);
	r->p99 = sb_quantile(&ps, 0.99);
	rc = 0;
cleanup:
	lab_down(&l);
	sb_plain_stop(&p);
	return rc;
}

/* ---- main ---- */

int sb_find_paths(char *bindir, size_t blen, char *lib, size_t llen)
{
	char exe[SB_PATH];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return cli_err(-1, "cannot find this program's directory");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	*slash = '\0';
	snprintf(bindir, blen, "%s", exe);
	if (snprintf(lib, llen, "%s/../../scripts/lab/lib.sh", exe) >= (int)llen)
		return cli_err(-1, "path too long");
	if (access(lib, R_OK) != 0)
		return cli_err(
		    -1, "no scripts/lab/lib.sh at '%s' (run the hsync-bench of a build tree)", lib);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	db_stop = 1;
}

int bench_sync_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"providers", required_argument, NULL, 'p'},
	    {"changes", required_argument, NULL, 'n'},
	    {"zones", required_argument, NULL, 'z'},
	    {"no-latency", no_argument, NULL, 'L'},
	    {"no-restart", no_argument, NULL, 'R'},
	    {"keep", required_argument, NULL, 'k'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	size_t provs[4] = {3, 5}, nprov = 2, changes = 60, zones = 10000;
	int latency = 1, restart = 1, json = 0, opt, rc = 1;
	const char *keep = NULL;
	char bindir[SB_PATH], lib[SB_PATH], dir[SB_PATH], log[SB_PATH + 16];
	struct sb_result res[4];
	struct sb_restart rs;
	size_t nres = 0;

	rc = cli_start("hsync-bench sync", argc, argv, bench_sync_usage, NULL);
	if (rc >= 0)
		return rc;
	rc = 1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end, *p;
		switch (opt) {
		case 'p':
			nprov = 0;
			for (p = optarg; *p && nprov < 4; p = *end ? end + 1 : end) {
				unsigned long v = strtoul(p, &end, 10);
				if (end == p || v < 2 || v > SB_MAXP || (*end && *end != ','))
					return cli_err(2, "--providers: counts from 2 to %d",
					               SB_MAXP);
				provs[nprov++] = v;
			}
			break;
		case 'n':
			changes = strtoul(optarg, &end, 10);
			if (*end || changes < 2 || changes > SB_MAXCHG)
				return cli_err(2, "--changes: 2..%d", SB_MAXCHG);
			break;
		case 'z':
			zones = strtoul(optarg, &end, 10);
			if (*end || zones < 1 || zones > 100000)
				return cli_err(2, "--zones: 1..100000");
			break;
		case 'L':
			latency = 0;
			break;
		case 'R':
			restart = 0;
			break;
		case 'k':
			keep = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(bench_sync_usage, stdout);
			return 0;
		default:
			return cli_err(2, "try 'hsync-bench sync --help'");
		}
	}
	if (sb_find_paths(bindir, sizeof(bindir), lib, sizeof(lib)) != 0)
		return 1;
	if (keep != NULL) {
		snprintf(dir, sizeof(dir), "%s", keep);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return cli_err(1, "cannot make '%s': %s", dir, strerror(errno));
	} else {
		snprintf(dir, sizeof(dir), "/tmp/hsync-bench-sync.XXXXXX");
		if (mkdtemp(dir) == NULL)
			return cli_err(1, "mkdtemp: %s", strerror(errno));
	}
	snprintf(log, sizeof(log), "%s/run.log", dir);
	db_run_log = log;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; latency && i < nprov; i++) {
		if (run_one(bindir, lib, dir, provs[i], changes, &res[nres]) != 0)
			goto cleanup;
		nres++;
	}
	memset(&rs, 0, sizeof(rs));
	if (restart) {
		char rdir[SB_PATH + 16];
		snprintf(rdir, sizeof(rdir), "%s/restart", dir);
		fprintf(stderr, "sync: one combiner with %zu zones x 3 providers\n", zones);
		if (sb_restart_run(bindir, rdir, zones, &rs) != 0)
			goto cleanup;
	}
	if (nres > 0) {
		printf(
		    "one change (add or delete an NS at the first provider) until every provider's "
		    "public NSD serves it\n");
		printf("%-9s %7s  %-17s %-17s %-11s %-6s\n", "providers", "changes",
		       "hsync p50 / p99", "plain p50 / p99", "ratio p99", "goal");
		for (size_t i = 0; i < nres; i++) {
			const struct sb_result *r = &res[i];
			double ratio = r->p99 > 0 ? r->h99 / r->p99 : 0;
			printf(
			    "%-9zu %7zu  %5.0f / %5.0f ms  %5.0f / %5.0f ms  %5.2f (p50 %.2f) %s\n",
			    r->providers, r->changes, r->h50 * 1e3, r->h99 * 1e3, r->p50 * 1e3,
			    r->p99 * 1e3, ratio, r->p50 > 0 ? r->h50 / r->p50 : 0,
			    r->h99 < 0.5 && ratio <= 3.0 ? "met" : "MISSED");
		}
	}
	if (restart) {
		printf(
		    "one combiner, %zu zones x 3 contributing providers: restart until every zone "
		    "is served\n",
		    rs.zones);
		printf("  first start (transfer, combine, persist): %.2f s\n", rs.t_first);
		printf("  restart to serving: %.2f s; NSD starting with the same zones: %.2f s "
		       "(ratio %.2f)\n",
		       rs.t_serve, rs.t_nsd, rs.t_nsd > 0 ? rs.t_serve / rs.t_nsd : 0);
		printf("  bytes per zone: store %.0f, memory %.0f; NSD memory %.0f (ratio %.2f)\n",
		       (double)rs.store / (double)rs.zones, (double)rs.rss / (double)rs.zones,
		       (double)rs.nsd_rss / (double)rs.zones,
		       rs.nsd_rss > 0 ? (double)rs.rss / (double)rs.nsd_rss : 0);
	}
	if (json) {
		hs_buf_t b = HS_BUF_INIT;
		hs_jw_t w;
		hs_jw_init(&w, &b);
		hs_jw_obj_begin(&w);
		hs_jw_key(&w, "latency");
		hs_jw_arr_begin(&w);
		for (size_t i = 0; i < nres; i++) {
			hs_jw_obj_begin(&w);
			hs_jw_kv_u64(&w, "providers", res[i].providers);
			hs_jw_kv_u64(&w, "changes", res[i].changes);
			hs_jw_kv_u64(&w, "hsync_p50_us", (uint64_t)(res[i].h50 * 1e6));
			hs_jw_kv_u64(&w, "hsync_p99_us", (uint64_t)(res[i].h99 * 1e6));
			hs_jw_kv_u64(&w, "plain_p50_us", (uint64_t)(res[i].p50 * 1e6));
			hs_jw_kv_u64(&w, "plain_p99_us", (uint64_t)(res[i].p99 * 1e6));
			hs_jw_obj_end(&w);
		}
		hs_jw_arr_end(&w);
		if (restart) {
			hs_jw_key(&w, "restart");
			hs_jw_obj_begin(&w);
			hs_jw_kv_u64(&w, "zones", rs.zones);
			hs_jw_kv_u64(&w, "serve_ms", (uint64_t)(rs.t_serve * 1e3));
			hs_jw_kv_u64(&w, "nsd_ms", (uint64_t)(rs.t_nsd * 1e3));
			hs_jw_kv_u64(&w, "store_bytes", (uint64_t)rs.store);
			hs_jw_kv_u64(&w, "rss_bytes", (uint64_t)rs.rss);
			hs_jw_kv_u64(&w, "nsd_rss_bytes", (uint64_t)rs.nsd_rss);
			hs_jw_obj_end(&w);
		}
		hs_jw_obj_end(&w);
		if (hs_jw_finish(&w) == HS_OK)
			printf("%s\n", hs_buf_cstr(&b));
		hs_buf_free(&b);
	}
	rc = 0;
cleanup:
	if (keep == NULL && rc == 0)
		db_rmtree(dir);
	else
		fprintf(stderr, "sync: work directory kept: %s\n", dir);
	return rc;
}
