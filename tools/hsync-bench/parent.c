/* hsync-bench parent -- the parent's UPDATE receiver (src/engine/parent):
 * 1. M valid UPDATEs from C children through the receiver (checks, SIG(0)
 *    verification, replay cache, scope, the decision kept before and its
 *    outcome after the backend: 3 store commits) against the SIG(0)
 *    verify bound (sig0_verify of the same M messages) and the durability
 *    bound (bare SQLite commits / 3), all in the same run;
 * 2. a flood: F forged UPDATEs (bad signatures) from one source, then one
 *    real UPDATE from another child: how long that UPDATE waits behind
 *    the flood, against it alone and against what the flood would cost
 *    if every message were verified (F / the verify rate). */
#include "hsync-bench/hsync-bench.h"

#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "engine/child/chd.h"
#include "engine/parent/par.h"
#include "store/store.h"
#include "util/env.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/text.h"

static const char bench_parent_usage[] =
    "usage: hsync-bench parent [--updates M] [--children C] [--flood F] [--json]\n"
    "\n"
    "1. M SIG(0)-signed UPDATEs (an NS and its glue each) from C children go\n"
    "   through the receiver, each to its answer: structure, SIG(0)\n"
    "   verification (Ed25519), the replay cache, the scope rule, the decision\n"
    "   kept before the backend and its outcome after it (3 store commits).\n"
    "   Limits measured in the same run: the SIG(0) verify bound (sig0_verify\n"
    "   of the same messages) and the durability bound (bare SQLite commits,\n"
    "   WAL, synchronous=FULL, divided by the 3 an UPDATE needs).\n"
    "2. F forged UPDATEs (broken signatures, claiming a trusted child) from one\n"
    "   source, then one real UPDATE from another child: the time it waits\n"
    "   behind the flood, next to it alone and to the time the flood would\n"
    "   take if every message were verified (no budget).\n"
    "\n"
    "Options:\n"
    "  --updates M   UPDATEs for 1 (default 400)\n"
    "  --children C  trusted children (default 20)\n"
    "  --flood F     forged UPDATEs for 2 (default 20000)\n"
    "  --json        one JSON line after the table\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 measured, 1 error, 2 usage error.\n";

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct world {
	st_t *st;
	par_t *p;
	sig0_key_t *recv;
	sig0_key_t **keys; /* one per child */
	size_t nchildren;
};

static void child_name(char *out, size_t n, size_t i)
{
	snprintf(out, n, "c%04zu.bench.", i);
}

/* An NS change of child `c`, number `i`, signed now. */
static int make_update(const struct world *w, size_t c, size_t i, hs_buf_t *out)
{
	char owner[64], ns[128];
	uint8_t rd_ns[WIRE_NAME_MAX], a[4] = {192, 0, 2, (uint8_t)(i & 0xff)};
	size_t nl;
	hs_upd_rr_t rr[2];
	child_name(owner, sizeof(owner), c);
	snprintf(ns, sizeof(ns), "ns%zu.%s", i, owner);
	memset(rr, 0, sizeof(rr));
	if (hs_name_from_text(owner, strlen(owner), rr[0].owner, &rr[0].owner_len) != HS_OK ||
	    hs_name_from_text(ns, strlen(ns), rd_ns, &nl) != HS_OK ||
	    hs_name_from_text(ns, strlen(ns), rr[1].owner, &rr[1].owner_len) != HS_OK)
		return -1;
	rr[0].type = 2;
	rr[0].rclass = 1;
	rr[0].ttl = 300;
	rr[0].rdata = rd_ns;
	rr[0].rdlen = (uint16_t)nl;
	rr[1].type = 1;
	rr[1].rclass = 1;
	rr[1].ttl = 300;
	rr[1].rdata = a;
	rr[1].rdlen = 4;
	return chd_update_build(w->keys[c], "bench.", rr, 2, (uint16_t)i, hs_now_s(hs_env_system()),
	                        out, NULL) == HS_OK
	           ? 0
	           : -1;
}

/* One request to its answer (APPLY answered at once, as a backend). */
static int one(struct world *w, const uint8_t *msg, size_t len, const char *addr, int *answered)
{
	uint64_t id;
	par_action_t a;
	*answered = 0;
	if (!par_request(w->p, msg, len, addr, 0, &id))
		return -1;
	while (par_next_action(w->p, &a) == HS_OK) {
		if (a.kind == PAR_ACT_APPLY && par_applied(w->p, a.id, HS_OK, "") != HS_OK) {
			par_action_clear(&a);
			return -1;
		}
		if (a.kind == PAR_ACT_ANSWER && a.id == id)
			*answered = 1;
		par_action_clear(&a);
	}
	return 0;
}

static int setup(struct world *w, const char *dir, size_t children, int budgets)
{
	char *path = xasprintf("%s/parent.db", dir);
	hs_errmsg_t em;
	par_cfg_t pc;
	int rc = -1;
	hs_errmsg_clear(&em);
	memset(w, 0, sizeof(*w));
	w->nchildren = children;
	w->keys = xcalloc(children, sizeof(*w->keys));
	if (st_open(path, &w->st, &em) != HS_OK ||
	    sig0_key_generate(15, 0, "update.bench.", &w->recv, &em) != HS_OK)
		goto cleanup;
	for (size_t c = 0; c < children; c++) {
		char name[64];
		size_t len;
		child_name(name, sizeof(name), c);
		if (sig0_key_generate(15, 0, name, &w->keys[c], &em) != HS_OK)
			goto cleanup;
		const uint8_t *rd = sig0_key_rdata(w->keys[c], &len);
		st_trust_ref_t ref = {name, ST_KIND_SIG0, 15, sig0_key_tag(w->keys[c]), rd, len};
		if (st_trust_put(w->st, &ref, ST_TRUST_TRUSTED, "parent: bench", 0,
		                 hs_now_s(hs_env_system())) != HS_OK)
			goto cleanup;
	}
	memset(&pc, 0, sizeof(pc));
	pc.zone = "bench.";
	pc.key = w->recv;
	if (!budgets) { /* part 1 measures the work, not the budgets */
		pc.src_rate = pc.child_rate = pc.udp_rate = 1000000;
		pc.src_burst = pc.child_burst = pc.udp_burst = 1000000;
	}
	if (par_new(&w->p, &pc, w->st, hs_env_system(), &em) != HS_OK)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc != 0)
		fprintf(stderr, "hsync-bench: parent set-up: %s\n", hs_errmsg_str(&em));
	free(path);
	return rc;
}

static void teardown(struct world *w)
{
	par_free(w->p);
	st_close(w->st);
	for (size_t c = 0; w->keys != NULL && c < w->nchildren; c++)
		sig0_key_free(w->keys[c]);
	free(w->keys);
	sig0_key_free(w->recv);
	memset(w, 0, sizeof(*w));
}

/* Part 2: the real UPDATE alone, then behind `flood` forged ones. */
static int flood_run(const char *dir, size_t flood, double *t_alone, double *t_behind,
                     uint64_t *verified)
{
	struct world w;
	hs_buf_t forged = HS_BUF_INIT, real = HS_BUF_INIT;
	par_stats_t st0, st1;
	int rc = -1, answered = 0;
	char *sub = xasprintf("%s/flood", dir);
	if (mkdir(sub, 0700) != 0 || setup(&w, sub, 2, 1) != 0)
		goto cleanup;
	/* c0000 signs changes; c0001's key "signs" the forgeries: broken */
	if (make_update(&w, 0, 1, &real) != 0 || make_update(&w, 1, 2, &forged) != 0)
		goto cleanup;
	forged.data[forged.len - 1] ^= 0xff;
	double t0 = mono();
	if (one(&w, real.data, real.len, "192.0.2.1", &answered) != 0 || !answered)
		goto cleanup;
	*t_alone = mono() - t0;
	if (make_update(&w, 0, 3, &real) != 0)
		goto cleanup;
	par_stats(w.p, &st0);
	t0 = mono();
	for (size_t i = 0; i < flood; i++) {
		forged.data[0] = (uint8_t)(i >> 8); /* new ids: not one message */
		forged.data[1] = (uint8_t)i;
		if (one(&w, forged.data, forged.len, "203.0.113.5", &answered) != 0)
			goto cleanup;
	}
	if (one(&w, real.data, real.len, "192.0.2.1", &answered) != 0 || !answered)
		goto cleanup;
	*t_behind = mono() - t0;
	par_stats(w.p, &st1);
	*verified = st1.verifications - st0.verifications;
	rc = 0;
cleanup:
	teardown(&w);
	hs_buf_free(&forged);
	hs_buf_free(&real);
	free(sub);
	return rc;
}

int bench_parent_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"updates", required_argument, NULL, 'u'}, {"children", required_argument, NULL, 'c'},
	    {"flood", required_argument, NULL, 'f'},   {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
	unsigned long updates = 400, children = 20, flood = 20000;
	int json = 0, c, rc = 1, answered;
	char *end;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		unsigned long *v = c == 'u' ? &updates : c == 'c' ? &children : &flood;
		switch (c) {
		case 'u':
		case 'c':
		case 'f':
			*v = strtoul(optarg, &end, 10);
			if (*end || *v == 0 || *v > 10000000)
				return cli_err(2, "bad count '%s'", optarg);
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(bench_parent_usage, stdout);
			return 0;
		default:
			fputs(bench_parent_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(bench_parent_usage, stderr);
		return 2;
	}
	hs_log_set_level(HS_LOG_ERR); /* a log line per decision would dominate */
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/hsync-bench-parent-XXXXXX", base ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return cli_err(1, "cannot make a temporary directory");
	}
	struct world w;
	hs_buf_t *msgs = xcalloc(updates, sizeof(*msgs));
	double t_acc = 0, t_ver = 0, t_bare = 0, t_alone = 0, t_behind = 0;
	uint64_t verified = 0;
	memset(&w, 0, sizeof(w));
	if (setup(&w, dir, children, 0) != 0)
		goto cleanup;

	/* 1. accepted UPDATEs against the verify and durability bounds */
	for (size_t i = 0; i < updates; i++)
		if (make_update(&w, i % children, i, &msgs[i]) != 0)
			goto cleanup;
	double t0 = mono();
	for (size_t i = 0; i < updates; i++)
		if (one(&w, msgs[i].data, msgs[i].len, "192.0.2.1", &answered) != 0 || !answered)
			goto cleanup;
	t_acc = mono() - t0;
	t0 = mono();
	for (size_t i = 0; i < updates; i++) {
		sig0_verdict_t v;
		const sig0_key_t *k[1] = {w.keys[i % children]};
		if (sig0_verify(msgs[i].data, msgs[i].len, k, 1, hs_now_s(hs_env_system()), NULL,
		                &v) != HS_OK)
			goto cleanup;
	}
	t_ver = mono() - t0;
	if (bench_bare_commits(dir, updates * 3, &t_bare) != 0)
		goto cleanup;
	/* 2. a flood */
	if (flood_run(dir, flood, &t_alone, &t_behind, &verified) != 0)
		goto cleanup;

	double acc = updates / t_acc, ver = updates / t_ver, dur = updates / t_bare;
	double bound = ver < dur ? ver : dur;
	double unbudgeted = flood / ver; /* every forged message verified */
	printf("%-40s %12s %12s %8s\n", "figure", "hsync", "limit", "ratio");
	printf("%-40s %12.0f %12.0f %8.2f\n", "UPDATEs accepted/s vs SIG(0) verify/s", acc, ver,
	       acc / ver);
	printf("%-40s %12.0f %12.0f %8.2f\n", "UPDATEs accepted/s vs commits/s / 3", acc, dur,
	       acc / dur);
	printf("%-40s %12.0f %12.0f %8.2f\n", "UPDATEs accepted/s vs the lower bound", acc, bound,
	       acc / bound);
	printf("%-40s %12.2f %12.2f %8.2f\n", "UPDATE behind a flood, ms vs unbudgeted",
	       t_behind * 1000, unbudgeted * 1000, t_behind / unbudgeted);
	printf("%-40s %12.2f\n", "the same UPDATE alone, ms", t_alone * 1000);
	printf("%-40s %12.0f\n", "forged UPDATEs refused/s", flood / (t_behind - t_alone));
	printf("%-40s %12llu\n", "forged UPDATEs verified (the burst)",
	       (unsigned long long)verified);
	printf("(%lu UPDATEs from %lu children, each: verification, replay cache, scope, 3 store "
	       "commits; flood: %lu forged from one source, default budgets)\n",
	       updates, children, flood);
	if (json)
		printf("{\"updates\":%lu,\"children\":%lu,\"flood\":%lu,\"accepted_per_s\":%.1f,"
		       "\"verify_per_s\":%.1f,\"commit_bound_per_s\":%.1f,\"verify_ratio\":%.3f,"
		       "\"bound_ratio\":%.3f,\"behind_flood_ms\":%.3f,\"alone_ms\":%.3f,"
		       "\"unbudgeted_ms\":%.3f,\"flood_ratio\":%.4f,\"flood_verified\":%llu}\n",
		       updates, children, flood, acc, ver, dur, acc / ver, acc / bound,
		       t_behind * 1000, t_alone * 1000, unbudgeted * 1000, t_behind / unbudgeted,
		       (unsigned long long)verified);
	rc = 0;
cleanup:
	teardown(&w);
	for (size_t i = 0; i < updates; i++)
		hs_buf_free(&msgs[i]);
	free(msgs);
	if (bench_rmrf(dir) != 0)
		fprintf(stderr, "hsync-bench: could not remove '%s'\n", dir);
	free(dir);
	if (rc != 0)
		fprintf(stderr, "hsync-bench: parent measurement failed\n");
	return rc;
}
