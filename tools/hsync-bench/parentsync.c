/* hsync-bench parentsync -- how long an NS change at one provider's agent
 * takes to be served by the parent (draft-hsync-parent section 14: the
 * sync chain to the group's leader, its run, one UPDATE, the parent's
 * serve backend), against the sum of its unavoidable parts measured in
 * the same run: the sync chain until every provider's public NSD serves
 * the change (timed on the same changes) and one direct hsync-update
 * change at the parent until the parent serves it. */
#include "hsync-bench/hsync-bench.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-bench/discovery_int.h"
#include "hsync-bench/sync_int.h"
#include "util/buf.h"
#include "util/json_out.h"

#define PB_N 3 /* providers */

static const char usage[] =
    "usage: hsync-bench parentsync [--changes N] [--keep DIR] [--json]\n"
    "\n"
    "The lab of scripts/lab.sh with the parent test. (LAB_PARENT=1: three\n"
    "providers with agent, combiner and public NSD, hsyncd's parent role\n"
    "serving test., every agent's key trusted there). N changes at alpha's\n"
    "agent, in turn adding and deleting an NS with 'hsyncctl zone add-rr' /\n"
    "'zone del-rr'; each timed from the request until the parent's server\n"
    "answers the new delegation (asked every 20 ms or so: its per-source\n"
    "limits must not drop the leader's own queries), and in the same\n"
    "polling until every\n"
    "provider's public NSD answers the new NS set (the sync chain to the\n"
    "leader). Then N/2 direct changes (hsync-update send, signed with\n"
    "alpha's key: DSYNC lookup, the receiver's KEY, one UPDATE), each timed\n"
    "from the start of hsync-update until the parent serves it. The limit:\n"
    "the sync chain plus the direct change (p50 + p50, p99 + p99); the\n"
    "figure: the parent sync as a ratio of it. Goal: p99 under 5 s.\n"
    "Needs what 'hsync-bench sync' needs and hsync-update.\n"
    "\n"
    "Options:\n"
    "  --changes N  changes through the leader, 2..200 (default 20)\n"
    "  --keep DIR   work in DIR and keep it (default: a temp dir, removed)\n"
    "  --json       one JSON line after the table\n"
    "  -h, --help   this text\n"
    "\n"
    "Exit status: 0 measured, 1 error, 2 usage error.\n";

static void on_signal(int sig)
{
	(void)sig;
	db_stop = 1;
}

static int read_port(const char *path, const char *key, uint16_t *out)
{
	FILE *f = fopen(path, "r");
	char line[256];
	unsigned v = 0;
	int rc = -1;
	size_t kl = key != NULL ? strlen(key) : 0;
	if (f == NULL)
		return cli_err(-1, "cannot read '%s'", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if ((key == NULL && sscanf(line, "%u", &v) == 1) ||
		    (key != NULL && strncmp(line, key, kl) == 0 && line[kl] == '=' &&
		     sscanf(line + kl + 1, "%u", &v) == 1)) {
			*out = (uint16_t)v;
			rc = 0;
			break;
		}
	fclose(f);
	return rc == 0 ? 0 : cli_err(-1, "no port in '%s'", path);
}

/* One direct change at the parent with hsync-update: seconds from its
 * start until the parent serves it, -1. */
static double direct(const char *bindir, const char *dir, uint16_t nsd, uint16_t parent,
                     const char *target, int add)
{
	char exe[SB_PATH + 32], res[64], kb[SB_PATH], path[SB_PATH + 64], rr[300];
	FILE *f;
	snprintf(path, sizeof(path), "%s/lab/alpha/psync/key.base", dir);
	f = fopen(path, "r");
	if (f == NULL || fgets(kb, sizeof(kb), f) == NULL) {
		if (f != NULL)
			fclose(f);
		return cli_err(-1, "no key in '%s'", path);
	}
	fclose(f);
	kb[strcspn(kb, "\n")] = '\0';
	snprintf(exe, sizeof(exe), "%s/hsync-update", bindir);
	snprintf(res, sizeof(res), "127.0.0.1@%u", nsd);
	if (add)
		snprintf(rr, sizeof(rr), "%s 300 IN NS %s", SB_ZONE, target);
	else
		snprintf(rr, sizeof(rr), "%s NS %s", SB_ZONE, target);
	char *argv[] = {exe, "send", "-q", "-r", res, "--insecure",      "-T",
	                "1", "-w",   "5",  "-k", kb,  add ? "-A" : "-D", rr,
	                NULL};
	char out[256];
	double t0 = db_mono();
	if (db_run(argv, NULL, out, sizeof(out)) != 0)
		return cli_err(-1, "hsync-update send %s refused", target);
	double each[1];
	return sb_wait_ns_each(&parent, 1, SB_ZONE, target, add, t0, SB_TIMEOUT, 1, each);
}

int bench_parentsync_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"changes", required_argument, NULL, 'n'},
	    {"keep", required_argument, NULL, 'k'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	size_t changes = 20;
	int json = 0, opt, rc;
	const char *keep = NULL;
	char bindir[SB_PATH], lib[SB_PATH], dir[SB_PATH], log[SB_PATH + 16], path[SB_PATH + 64];
	uint16_t ports[PB_N + 1], nsd_port = 0;
	static struct sb_samples par, pub, dir_s;

	rc = cli_start("hsync-bench parentsync", argc, argv, usage, NULL);
	if (rc >= 0)
		return rc;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case 'n':
			changes = strtoul(optarg, &end, 10);
			if (*end || changes < 2 || changes > 200)
				return cli_err(2, "--changes: 2..200");
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
			return cli_err(2, "try 'hsync-bench parentsync --help'");
		}
	}
	if (sb_find_paths(bindir, sizeof(bindir), lib, sizeof(lib)) != 0)
		return 1;
	if (keep != NULL) {
		snprintf(dir, sizeof(dir), "%s", keep);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return cli_err(1, "cannot make '%s': %s", dir, strerror(errno));
	} else {
		snprintf(dir, sizeof(dir), "/tmp/hsync-bench-psync.XXXXXX");
		if (mkdtemp(dir) == NULL)
			return cli_err(1, "mkdtemp: %s", strerror(errno));
	}
	snprintf(log, sizeof(log), "%s/run.log", dir);
	db_run_log = log;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = 1;
	fprintf(stderr, "parentsync: building and starting the lab with the parent test.\n");
	if (sb_lab_script(dir, lib, bindir, PB_N, "LAB_PARENT=1",
	                  "lab_build $IDS || exit 1\n. \"$LAB_DIR/ports\"\n"
	                  "lab_nsd_start || exit 1\nlab_parent_start || exit 1\n"
	                  "lab_parent_bootstrap 60 || exit 1\n"
	                  "for id in $IDS; do lab_provider_start $id || exit 1; done\n"
	                  "lab_wait_all_operational 120 $IDS >/dev/null || exit 1\n"
	                  "NS0='ns.lab. ns1.alpha.lab. ns1.bravo.lab. ns1.charlie.lab.'\n"
	                  "lab_wait_ns 120 \"$NS0\" $IDS || exit 1\n"
	                  "lab_parent_wait_ns 120 \"$NS0\" || exit 1\n") != 0) {
		cli_err(1, "the lab did not come up (logs in %s/lab)", dir);
		goto cleanup;
	}
	static const char *const ids[PB_N] = {"alpha", "bravo", "charlie"};
	for (size_t i = 0; i < PB_N; i++) {
		snprintf(path, sizeof(path), "%s/lab/%s/nsd/port", dir, ids[i]);
		if (read_port(path, NULL, &ports[i]) != 0)
			goto cleanup;
	}
	snprintf(path, sizeof(path), "%s/lab/ports", dir);
	if (read_port(path, "PARENT_DNS_PORT", &ports[PB_N]) != 0 ||
	    read_port(path, "NSD_PORT", &nsd_port) != 0)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/lab/alpha/ctl.sock", dir);
	fprintf(stderr, "parentsync: %zu changes at alpha's agent until the parent serves them\n",
	        changes);
	for (size_t i = 0; i < changes && !db_stop; i++) {
		char target[128];
		double each[PB_N + 1] = {0};
		int add = i % 2 == 0;
		snprintf(target, sizeof(target), "p%zu.psync.test.", i / 2);
		double t0 = sb_agent_change(path, target, add);
		if (t0 < 0 || sb_wait_ns_each(ports, PB_N + 1, SB_ZONE, target, add, t0, SB_TIMEOUT,
		                              1u << PB_N, each) < 0) {
			cli_err(1, "change %zu (%s %s) not served everywhere in %.0f s", i + 1,
			        add ? "add" : "delete", target, SB_TIMEOUT);
			goto cleanup;
		}
		double m = 0;
		for (size_t k = 0; k < PB_N; k++)
			m = each[k] > m ? each[k] : m;
		pub.v[pub.n++] = m;
		par.v[par.n++] = each[PB_N];
	}
	size_t nd = changes / 2 < 3 ? 3 : changes / 2;
	fprintf(stderr, "parentsync: %zu direct changes with hsync-update\n", nd);
	for (size_t i = 0; i < nd && !db_stop; i++) {
		char target[128];
		snprintf(target, sizeof(target), "d%zu.direct.test.", i);
		double t = direct(bindir, dir, nsd_port, ports[PB_N], target, 1);
		if (t < 0 || direct(bindir, dir, nsd_port, ports[PB_N], target, 0) < 0) {
			cli_err(1, "direct change %zu failed", i + 1);
			goto cleanup;
		}
		dir_s.v[dir_s.n++] = t;
	}
	double p50 = sb_quantile(&par, 0.5), p99 = sb_quantile(&par, 0.99);
	double l50 = sb_quantile(&pub, 0.5) + sb_quantile(&dir_s, 0.5);
	double l99 = sb_quantile(&pub, 0.99) + sb_quantile(&dir_s, 0.99);
	printf("an NS change at alpha's agent until the parent test. serves it (the leader's "
	       "UPDATE), %zu changes\n",
	       par.n);
	printf("  parent sync          p50 %6.0f ms  p99 %6.0f ms\n", p50 * 1e3, p99 * 1e3);
	printf(
	    "  sync chain alone     p50 %6.0f ms  p99 %6.0f ms  (every public NSD, same changes)\n",
	    sb_quantile(&pub, 0.5) * 1e3, sb_quantile(&pub, 0.99) * 1e3);
	printf("  direct hsync-update  p50 %6.0f ms  p99 %6.0f ms  (%zu changes)\n",
	       sb_quantile(&dir_s, 0.5) * 1e3, sb_quantile(&dir_s, 0.99) * 1e3, dir_s.n);
	printf("  limit (sum)          p50 %6.0f ms  p99 %6.0f ms\n", l50 * 1e3, l99 * 1e3);
	printf("  ratio                p50 %6.2f     p99 %6.2f     goal p99 < 5 s: %s\n",
	       l50 > 0 ? p50 / l50 : 0, l99 > 0 ? p99 / l99 : 0, p99 < 5.0 ? "met" : "MISSED");
	if (json) {
		hs_buf_t b = HS_BUF_INIT;
		hs_jw_t w;
		hs_jw_init(&w, &b);
		hs_jw_obj_begin(&w);
		hs_jw_kv_u64(&w, "changes", par.n);
		hs_jw_kv_u64(&w, "parent_p50_us", (uint64_t)(p50 * 1e6));
		hs_jw_kv_u64(&w, "parent_p99_us", (uint64_t)(p99 * 1e6));
		hs_jw_kv_u64(&w, "chain_p50_us", (uint64_t)(sb_quantile(&pub, 0.5) * 1e6));
		hs_jw_kv_u64(&w, "chain_p99_us", (uint64_t)(sb_quantile(&pub, 0.99) * 1e6));
		hs_jw_kv_u64(&w, "direct_p50_us", (uint64_t)(sb_quantile(&dir_s, 0.5) * 1e6));
		hs_jw_kv_u64(&w, "direct_p99_us", (uint64_t)(sb_quantile(&dir_s, 0.99) * 1e6));
		hs_jw_obj_end(&w);
		printf("%s\n", hs_buf_cstr(&b));
		hs_buf_free(&b);
	}
	rc = 0;
cleanup:
	(void)sb_lab_script(dir, lib, bindir, PB_N, "LAB_PARENT=1",
	                    ". \"$LAB_DIR/ports\" 2>/dev/null; lab_cleanup");
	if (keep == NULL && rc == 0)
		db_rmtree(dir);
	return rc;
}
