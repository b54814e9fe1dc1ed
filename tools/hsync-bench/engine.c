/* hsync-bench engine -- time and memory for one agent's engine to take in
 * N multi-provider zones shared with 3 peers (one provider group), then
 * for the four engines to reach an operational group in virtual time. */
#include "hsync-bench/hsync-bench.h"

#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "engine/engine.h"
#include "util/log.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"

static const char bench_engine_usage[] =
    "usage: hsync-bench engine [--zones N[,N...]]\n"
    "\n"
    "Load N zones, each with the same four HSYNC3 providers (us and three\n"
    "peers) and one HSYNCPARAM, into one agent's engine and report zones\n"
    "per second and heap bytes per zone (glibc mallinfo2, the engine's\n"
    "growth only). Then give the same zones to three peer engines in the\n"
    "same process, wire them together with virtual time (1 s beats) and\n"
    "report the real time the four take to reach an operational group.\n"
    "No sockets, no DNS: this measures the protocol logic alone.\n"
    "\n"
    "Options:\n"
    "  --zones LIST  comma-separated zone counts (default 1000,10000)\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 measured, 1 error, 2 usage error.\n";

static const char *const ids[4] = {"agent.alpha.", "agent.bravo.", "agent.charlie.",
                                   "agent.delta."};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct recs {
	hs_buf_t b3[4], bp;
	const uint8_t *p3[4], *pp[1];
	size_t l3[4], lp[1];
};

static int recs_build(struct recs *r)
{
	static const char *const h3[4] = {"ON alpha agent.alpha. .", "ON bravo agent.bravo. .",
	                                  "ON charlie agent.charlie. .", "ON delta agent.delta. ."};
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 4; i++) {
		if (hs_hsync3_from_text(h3[i], &r->b3[i], NULL) != HS_OK)
			return -1;
		r->p3[i] = r->b3[i].data;
		r->l3[i] = r->b3[i].len;
	}
	if (hs_hsyncparam_from_text("nsmgmt=\"agent\" servers=\"alpha,bravo\"", &r->bp, NULL) !=
	    HS_OK)
		return -1;
	r->pp[0] = r->bp.data;
	r->lp[0] = r->bp.len;
	return 0;
}

static void recs_free(struct recs *r)
{
	for (int i = 0; i < 4; i++)
		hs_buf_free(&r->b3[i]);
	hs_buf_free(&r->bp);
}

static int load(eng_t *e, const struct recs *r, size_t n)
{
	for (size_t z = 0; z < n; z++) {
		char name[64];
		snprintf(name, sizeof(name), "z%06zu.bench.example", z);
		if (eng_zone_loaded(e, name, r->p3, r->l3, 4, r->pp, r->lp, 1, NULL) != HS_OK)
			return -1;
	}
	return 0;
}

static long find(eng_t *const *e, const char *id)
{
	for (long i = 0; i < 4; i++)
		if (strcmp(eng_identity(e[i]), id) == 0)
			return i;
	return -1;
}

static int pump(eng_t *const *e)
{
	int n = 0;
	for (int i = 0; i < 4; i++) {
		eng_action_t a;
		while (eng_next_action(e[i], &a) == HS_OK) {
			n++;
			if (a.kind == ENG_ACT_SEND) {
				long to = find(e, a.peer);
				if (to >= 0 && eng_message(e[to], eng_identity(e[i]), a.type_name,
				                           a.body, a.len) != HS_OK) {
					/* a BEAT may overtake an ACK: not an error here */
				}
				if (eng_send_result(e[i], a.msgid, to >= 0) != HS_OK) {
				}
			} else if (a.kind == ENG_ACT_DISCOVER) {
				if (eng_peer_discovered(e[i], a.peer, 1, NULL) != HS_OK) {
				}
			}
			eng_action_clear(&a);
		}
	}
	return n;
}

static int all_operational(eng_t *const *e)
{
	for (int i = 0; i < 4; i++) {
		eng_group_info_t gi;
		if (eng_group_count(e[i]) != 1 || eng_group_at(e[i], 0, &gi) != HS_OK ||
		    !gi.operational)
			return 0;
	}
	return 1;
}

static int run_one(size_t n)
{
	hs_env_fake_t clock;
	struct recs r;
	eng_t *e[4] = {NULL, NULL, NULL, NULL};
	int rc = 1;
	hs_env_fake_init(&clock, 1795000000000ULL, 1);
	if (recs_build(&r) != 0)
		goto cleanup;
	for (int i = 0; i < 4; i++) {
		eng_cfg_t cfg = {.identity = ids[i], .beat_interval_ms = 1000};
		if (eng_new(&e[i], &cfg, &clock.env, NULL) != HS_OK)
			goto cleanup;
	}
	struct mallinfo2 m0 = mallinfo2();
	double t0 = mono();
	if (load(e[0], &r, n) != 0)
		goto cleanup;
	double t1 = mono();
	struct mallinfo2 m1 = mallinfo2();
	for (int i = 1; i < 4; i++)
		if (load(e[i], &r, n) != 0)
			goto cleanup;
	double t2 = mono();
	uint64_t vstart = clock.mono_ms;
	for (int step = 0; step < 10000 && !all_operational(e); step++) {
		while (pump(e) > 0)
			;
		uint64_t next = UINT64_MAX;
		for (int i = 0; i < 4; i++) {
			uint64_t d = eng_next_deadline(e[i]);
			next = d < next ? d : next;
		}
		if (next == UINT64_MAX || next <= clock.mono_ms)
			next = clock.mono_ms + 1;
		hs_env_fake_advance(&clock, next - clock.mono_ms);
		for (int i = 0; i < 4; i++)
			(void)eng_tick(e[i]);
	}
	double t3 = mono();
	if (!all_operational(e)) {
		fprintf(stderr, "hsync-bench: engines did not reach an operational group\n");
		goto cleanup;
	}
	double bytes = (double)(m1.uordblks - m0.uordblks) / (double)n;
	printf("%-8zu %12.0f %12.1f %12.0f %14.1f %10llu\n", n, (double)n / (t1 - t0),
	       (t1 - t0) * 1e3, bytes, (t3 - t2) * 1e3,
	       (unsigned long long)(clock.mono_ms - vstart));
	rc = 0;
cleanup:
	for (int i = 0; i < 4; i++)
		eng_free(e[i]);
	recs_free(&r);
	return rc;
}

int bench_engine_main(int argc, char **argv)
{
	static const struct option opts[] = {{"zones", required_argument, NULL, 'z'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *list = "1000,10000";
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			list = optarg;
			break;
		case 'h':
			fputs(bench_engine_usage, stdout);
			return 0;
		default:
			fputs(bench_engine_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(bench_engine_usage, stderr);
		return 2;
	}
	hs_log_set_level(HS_LOG_WARN); /* transitions would dominate the timing */
	printf("%-8s %12s %12s %12s %14s %10s\n", "zones", "zones/s", "load ms", "bytes/zone",
	       "bring-up ms", "virtual ms");
	char *copy = strdup(list), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long n = strtoul(tok, &end, 10);
		if (*end != '\0' || n == 0 || n > 1000000) {
			fprintf(stderr, "hsync-bench: bad zone count '%s'\n", tok);
			free(copy);
			return 2;
		}
		if (run_one(n) != 0)
			rc = 1;
	}
	free(copy);
	return rc;
}
