/* hsync-bench attack -- the transport under floods (issue 15, draft-hsync-
 * transport 9.10): a legitimate peer's delivery latency and loss while
 * bad signatures in its name arrive from spoofed addresses of its own /24
 * and of 200 other /24s, and the receiver's CPU under floods of unsigned
 * requests and of garbage; each next to a limit from the same run (the
 * same peer's latency without a flood; the CPU that signing every
 * refusal would take, with the signing time measured now). */
#include "hsync-bench/hsync-bench.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-bench/flood.h"
#include "hsync-bench/transport_int.h"
#include "transport/names.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/proto.h"

static const char attack_usage[] =
    "usage: hsync-bench attack [--seconds S] [--rate R] [--spoof-pps N] [--flood-pps N]\n"
    "                          [--dir DIR]\n"
    "\n"
    "Two transport nodes on loopback (this process sends, a forked child\n"
    "receives, both with the default limits) and a third process that floods\n"
    "the receiver. In each phase of S seconds (default 5) the sender sends R\n"
    "messages per second (default 50) and the figures are: the sender's\n"
    "delivery latency p50/p99 and its loss (not delivered 5 s after the\n"
    "phase), the flood rate reached, and the receiver's CPU (fraction of a\n"
    "core; per datagram received). Phases:\n"
    "  baseline       no flood: the limit for the latencies below\n"
    "  spoof-own-24   N/s NOTIFYs in the sender's name with bad signatures\n"
    "                 from spoofed addresses of its own /24 (default 10000)\n"
    "  spoof-200-nets the same rotated over 200 /24s\n"
    "  unsigned       N/s unsigned NOTIFYs from 200 /24s (default 20000)\n"
    "  garbage        N/s garbage datagrams from 200 /24s\n"
    "The goal: no loss and latency close to the baseline during the spoofed\n"
    "floods; under 30% of a core for the unsigned and garbage floods. Next to\n"
    "the CPU it prints what signing every refusal would take (the rate times\n"
    "the SIG(0) signing time measured in this run).\n"
    "\n"
    "Exit status: 0 measured (whether or not the goals are met), 1 error,\n"
    "2 usage error.\n";

struct phase {
	const char *name;
	const char *sources; /* NULL: no flood */
	enum flood_kind kind;
	double pps;
};

struct lat {
	tp_loop_t *loop;
	tp_node_t *node;
	size_t cap, queued, done;
	uint8_t (*ids)[TP_MSGID_LEN];
	double *t_queued, *lat_ms;
	unsigned char *finished;
	hs_buf_t body;
	int sending;
	unsigned interval_ms;
	tp_timer_t *tick;
};

static void on_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                       enum tp_outcome outcome, const char *reason)
{
	struct lat *l = arg;
	(void)peer;
	(void)reason;
	for (size_t i = 0; i < l->queued; i++)
		if (!l->finished[i] && memcmp(l->ids[i], msgid, TP_MSGID_LEN) == 0) {
			l->finished[i] = 1;
			if (outcome == TP_OUT_DELIVERED)
				l->lat_ms[l->done++] = (bench_mono() - l->t_queued[i]) * 1e3;
			return;
		}
}

static void on_tick(void *arg)
{
	struct lat *l = arg;
	l->tick = NULL;
	if (!l->sending || l->queued == l->cap)
		return;
	l->t_queued[l->queued] = bench_mono();
	if (tp_node_send(l->node, "beta.example.", "PING", l->body.data, l->body.len, NULL,
	                 l->ids[l->queued]) == HS_OK)
		l->queued++;
	l->tick = tp_timer_add(l->loop, l->interval_ms, on_tick, l);
}

/* A timer that breaks the loop; `t` is NULL once it fired (a timer's
 * handle is gone when its callback starts). */
struct stopper {
	tp_loop_t *loop;
	tp_timer_t *t;
};

static void on_stop(void *arg)
{
	struct stopper *s = arg;
	s->t = NULL;
	tp_loop_break(s->loop);
}

/* Run the loop for at most `ms`. */
static void run_for(tp_loop_t *loop, uint64_t ms)
{
	struct stopper s = {loop, NULL};
	s.t = tp_timer_add(loop, ms, on_stop, &s);
	(void)tp_loop_run(loop);
	tp_timer_cancel(s.t);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct figures {
	double p50, p99, loss, flood_pps, cpu, cpu_us, sign_share;
	size_t delivered, queued;
	uint64_t udp_in, forged, tc, badcookie, rrl;
};

static int run_phase(const struct bench_setup *bs, pid_t child, tp_loop_t *loop, tp_node_t *node,
                     const struct phase *ph, double seconds, unsigned rate, const uint8_t *tmpl,
                     size_t tlen, struct figures *fg)
{
	struct lat l;
	struct flood_spec fs;
	struct flood_result fr;
	tp_node_stats_t r0, r1;
	pid_t fpid = -1;
	int ffd = -1, rc = 0;
	double cpu0, t0;

	memset(&l, 0, sizeof(l));
	memset(fg, 0, sizeof(*fg));
	l.loop = loop;
	l.node = node;
	l.cap = (size_t)(seconds * rate) + 16;
	l.ids = xcalloc(l.cap, TP_MSGID_LEN);
	l.t_queued = xcalloc(l.cap, sizeof(double));
	l.lat_ms = xcalloc(l.cap, sizeof(double));
	l.finished = xcalloc(l.cap, 1);
	l.interval_ms = rate ? 1000 / rate : 1000;
	bench_body(&l.body, (const uint8_t *)"0123456789012345678901234567890123456789", 40);
	bench_set_outcome_hook(on_outcome, &l);
	bench_receiver_stats(bs, &r0);
	cpu0 = bench_proc_cpu(child);
	t0 = bench_mono();
	if (ph->sources != NULL) {
		memset(&fs, 0, sizeof(fs));
		fs.port = bs->port_b;
		fs.pps = ph->pps;
		fs.seconds = seconds;
		fs.sources = ph->sources;
		fs.kind = ph->kind;
		fs.tmpl = tmpl;
		fs.tmpl_len = tlen;
		fs.flip = 1;
		fpid = flood_start(&fs, &ffd);
		if (fpid < 0) {
			rc = -1;
			goto cleanup;
		}
	}
	l.sending = 1;
	on_tick(&l);
	run_for(loop, (uint64_t)(seconds * 1000));
	l.sending = 0;
	tp_timer_cancel(l.tick);
	l.tick = NULL;
	double wall = bench_mono() - t0;
	fg->cpu = (bench_proc_cpu(child) - cpu0) / wall;
	bench_receiver_stats(bs, &r1);
	if (fpid > 0) {
		if (flood_wait(fpid, ffd, &fr) != 0) {
			rc = -1;
			goto cleanup;
		}
		fg->flood_pps = fr.seconds > 0 ? (double)fr.sent / fr.seconds : 0;
	}
	/* stragglers: 5 s more to deliver what was queued */
	while (l.done < l.queued && bench_mono() - t0 < seconds + 5)
		run_for(loop, 100);
	fg->queued = l.queued;
	fg->delivered = l.done;
	fg->loss = l.queued ? 1.0 - (double)l.done / (double)l.queued : 0;
	qsort(l.lat_ms, l.done, sizeof(double), cmp_double);
	fg->p50 = l.done ? l.lat_ms[l.done / 2] : 0;
	fg->p99 =
	    l.done ? l.lat_ms[(l.done * 99) / 100 < l.done ? (l.done * 99) / 100 : l.done - 1] : 0;
	fg->udp_in = r1.ep.udp_in - r0.ep.udp_in;
	fg->cpu_us = fg->udp_in ? fg->cpu * wall * 1e6 / (double)fg->udp_in : 0;
	fg->forged = r1.core.forged - r0.core.forged;
	fg->tc = r1.core.tc_sent - r0.core.tc_sent;
	fg->badcookie = r1.core.badcookie_sent - r0.core.badcookie_sent;
	fg->rrl = r1.core.rrl_dropped - r0.core.rrl_dropped;
cleanup:
	bench_set_outcome_hook(NULL, NULL);
	free(l.ids);
	free(l.t_queued);
	free(l.lat_ms);
	free(l.finished);
	hs_buf_free(&l.body);
	return rc;
}

/* A NOTIFY in alpha's name signed with alpha's key: flipped by the flood. */
static int forged_template(const struct bench_setup *bs, hs_buf_t *out)
{
	uint8_t qn[WIRE_NAME_MAX];
	size_t ql = 0;
	if (tp_name_notify("0123456789abcdef0123456789abcdef", "alpha.example.", qn, &ql) != HS_OK)
		return -1;
	hs_buf_append(out, "\x42\x42\x24\x00\x00\x01\x00\x00\x00\x00\x00\x01", 12);
	hs_buf_append(out, qn, ql);
	hs_buf_append_u16(out, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(out, 1);
	hs_buf_append(out, "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
	return sig0_sign(bs->sig_a, out, hs_now_s(hs_env_system()), NULL, NULL) == HS_OK ? 0 : -1;
}

int bench_attack_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"seconds", required_argument, NULL, 's'},
	    {"rate", required_argument, NULL, 'r'},
	    {"spoof-pps", required_argument, NULL, 'S'},
	    {"flood-pps", required_argument, NULL, 'F'},
	    {"dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	double seconds = 5, spoof_pps = 10000, flood_pps = 20000;
	unsigned long rate = 50;
	const char *basedir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct bench_setup bs;
	struct bench_crypto cr;
	tp_loop_t *loop = NULL;
	tp_node_t *node = NULL;
	hs_buf_t tmpl = HS_BUF_INIT;
	pid_t child = -1;
	char *end;
	int c, rc = 1;
	double load[3] = {0, 0, 0};

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = strtod(optarg, &end);
			if (*end || seconds < 1 || seconds > 120)
				return cli_err(2, "--seconds: 1..120");
			break;
		case 'r':
			rate = strtoul(optarg, &end, 10);
			if (*end || rate < 1 || rate > 1000)
				return cli_err(2, "--rate: 1..1000");
			break;
		case 'S':
			spoof_pps = strtod(optarg, &end);
			if (*end || spoof_pps < 1 || spoof_pps > 1000000)
				return cli_err(2, "--spoof-pps: 1..1000000");
			break;
		case 'F':
			flood_pps = strtod(optarg, &end);
			if (*end || flood_pps < 1 || flood_pps > 1000000)
				return cli_err(2, "--flood-pps: 1..1000000");
			break;
		case 'd':
			basedir = optarg;
			break;
		case 'h':
			fputs(attack_usage, stdout);
			return 0;
		default:
			fputs(attack_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(attack_usage, stderr);
		return 2;
	}
	const struct phase phases[] = {
	    {"baseline", NULL, 0, 0},
	    {"spoof-own-24", "24:0.0.2", FLOOD_TEMPLATE, spoof_pps},
	    {"spoof-200-nets", "nets:200", FLOOD_TEMPLATE, spoof_pps},
	    {"unsigned", "nets:200", FLOOD_UNSIGNED, flood_pps},
	    {"garbage", "nets:200", FLOOD_GARBAGE, flood_pps},
	};
	struct figures fg[sizeof(phases) / sizeof(phases[0])];
	hs_log_set_level(HS_LOG_ERR);
	memset(&bs, 0, sizeof(bs));
	/* the defaults, except a quicker retry for the latency figures */
	if (bench_setup_make(&bs, basedir,
	                     "  retry-min: 200ms\n  retry-max: 2s\n  timeout: 1s\n") != 0)
		return cli_err(1, "cannot make keys and configurations under \"%s\"", basedir);
	if (bench_crypto_measure(&bs, 0.4, &cr) != 0 || forged_template(&bs, &tmpl) != 0) {
		cli_err(1, "crypto measurement failed");
		goto cleanup;
	}
	child = bench_receiver_fork(&bs);
	if (child < 0 || tp_loop_new(&loop) != HS_OK || bench_sender_start(&bs, loop, &node) != 0) {
		cli_err(1, "cannot start the two nodes");
		goto cleanup;
	}
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		if (run_phase(&bs, child, loop, node, &phases[i], seconds, (unsigned)rate,
		              tmpl.data, tmpl.len, &fg[i]) != 0) {
			cli_err(1, "phase %s failed", phases[i].name);
			goto cleanup;
		}
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("transport under attack on loopback (%ld CPUs, load %.2f); %lu msg/s from the peer, "
	       "%.0f s per phase\n",
	       sysconf(_SC_NPROCESSORS_ONLN), load[0], rate, seconds);
	printf("SIG(0) sign %.1f us, verify %.1f us (CPU time, this run)\n", cr.sign_us,
	       cr.verify_us);
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		const struct figures *f = &fg[i];
		printf(
		    "%-15s flood %7.0f/s  peer: %zu/%zu delivered (loss %.2f%%), p50 %.1f ms p99 "
		    "%.1f ms (baseline p50 %.1f p99 %.1f)\n",
		    phases[i].name, f->flood_pps, f->delivered, f->queued, f->loss * 100, f->p50,
		    f->p99, fg[0].p50, fg[0].p99);
		printf("%-15s receiver: %llu datagrams, CPU %.1f%% of a core (%.1f us each), "
		       "verified forgeries %llu, TC %llu, BADCOOKIE %llu, not answered %llu",
		       "", (unsigned long long)f->udp_in, f->cpu * 100, f->cpu_us,
		       (unsigned long long)f->forged, (unsigned long long)f->tc,
		       (unsigned long long)f->badcookie, (unsigned long long)f->rrl);
		if (phases[i].sources != NULL)
			printf("; signing a refusal to each would take %.0f%% of a core",
			       f->flood_pps * cr.sign_us / 1e4);
		printf("\n");
	}
	printf(
	    "goals: spoofed floods without loss: %s; unsigned and garbage floods under 30%% of a "
	    "core: %s (%.1f%%, %.1f%%)\n",
	    fg[1].loss == 0 && fg[2].loss == 0 ? "met" : "not met",
	    fg[3].cpu < 0.3 && fg[4].cpu < 0.3 ? "met" : "not met", fg[3].cpu * 100,
	    fg[4].cpu * 100);
	rc = 0;
cleanup:
	tp_node_free(node);
	tp_loop_free(loop);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	hs_buf_free(&tmpl);
	bench_setup_clear(&bs);
	return rc;
}
