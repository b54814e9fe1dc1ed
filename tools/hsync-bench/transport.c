/* hsync-bench transport -- two transport nodes in two processes on
 * loopback: delivered messages per second and queue-to-delivery latency,
 * next to the rate the same machine's crypto alone allows for the same
 * messages (HPKE seal + open, SIG(0) signs + verifies), measured in the
 * same run. */
#include "hsync-bench/hsync-bench.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-bench/transport_int.h"
#include "transport/node.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const char bench_tp_usage[] =
    "usage: hsync-bench transport [--count N] [--window W] [--dir DIR] [--seconds S]\n"
    "\n"
    "Run two transport nodes on loopback in two processes (this one sends,\n"
    "a forked child receives, consumes and acknowledges) and measure, for\n"
    "200-octet messages (inline in the NOTIFY) and 64 KiB messages (fetched\n"
    "as CHUNKs over TCP): delivered messages per second with W messages in\n"
    "flight, and the latency from queueing to the delivery outcome at the\n"
    "sender (p50, p99), with W in flight and with one at a time.\n"
    "\n"
    "Next to each rate it prints the crypto bound measured in this run: the\n"
    "CPU time (not wall time: other processes on a busy machine do not\n"
    "lower the bound) of the message's public-key and AEAD work (one HPKE Auth seal\n"
    "and open, and a SIG(0) sign and verify for every DNS message: 4 for an\n"
    "inline message, 4 per exchange for a fetched one: NOTIFY, manifest, 2\n"
    "chunks, confirmation) spread over the two\n"
    "processes, i.e. 2 / (time per message) when both cores work. The goal\n"
    "for 200-octet messages is a ratio >= 0.50 and p99 < 20 ms with W in\n"
    "flight. Below each row: the CPU time both processes spent per message\n"
    "and the share of it that is crypto (what the rate would reach with\n"
    "two idle cores), and how many messages shared one group commit.\n"
    "\n"
    "Then where the time goes: the cores each process kept busy; the share\n"
    "of the wall time each event loop ran, waited for a CPU (other processes\n"
    "had it) or had nothing to do (it waited for the other side: the two\n"
    "take turns instead of working at the same time); and the mean time of a\n"
    "message in each stage at the sender (queued -> NOTIFY out -> response\n"
    "in -> outcome) and of a verified request at the receiver (in -> answer\n"
    "made -> group commit -> durable and sent), the rest of the round trip\n"
    "being socket queues and the wire. With W always in flight the mean\n"
    "latency is W / rate (Little's law): the last lines say what rate a p99\n"
    "under 20 ms needs.\n"
    "\n"
    "Every message is persisted (sender queue, receiver inbox: SQLite, WAL,\n"
    "fsync per group commit; a receipt leaves only after its commit), so\n"
    "the figures depend on the file system of DIR.\n"
    "\n"
    "Options:\n"
    "  --count N     messages per payload size (default 2000 small, N/10 large)\n"
    "  --window W    messages in flight for the rate (default 32)\n"
    "  --dir DIR     where keys and stores go (default $TMPDIR or /tmp)\n"
    "  --seconds S   time per crypto figure (default 1)\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 measured (whether or not the goal is met), 1 error,\n"
    "2 usage error.\n";

double bench_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the sender's run ------------------------------------------------------ */

struct run {
	tp_loop_t *loop;
	tp_node_t *node;
	size_t size, total, window;
	size_t queued, done, failed;
	double *lat_ms; /* per completed message */
	uint8_t (*ids)[TP_MSGID_LEN];
	double *t_queued;
	hs_buf_t body;
};

static void queue_more(struct run *r);

static void on_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                       enum tp_outcome outcome, const char *reason)
{
	struct run *r = arg;
	size_t i;

	(void)peer;
	(void)reason;
	/* the window is small: search from the oldest outstanding */
	for (i = r->done; i < r->queued; i++)
		if (memcmp(r->ids[i], msgid, TP_MSGID_LEN) == 0)
			break;
	if (i == r->queued) {
		for (i = 0; i < r->queued; i++)
			if (memcmp(r->ids[i], msgid, TP_MSGID_LEN) == 0)
				break;
		if (i == r->queued)
			return;
	}
	r->lat_ms[r->done] = (bench_mono() - r->t_queued[i]) * 1e3;
	if (outcome != TP_OUT_DELIVERED)
		r->failed++;
	r->done++;
	if (r->done == r->total)
		tp_loop_break(r->loop);
	else
		queue_more(r);
}

static void queue_more(struct run *r)
{
	while (r->queued < r->total && r->queued - r->done < r->window) {
		r->t_queued[r->queued] = bench_mono();
		if (tp_node_send(r->node, "beta.example.", "PING", r->body.data, r->body.len, NULL,
		                 r->ids[r->queued]) != HS_OK) {
			r->failed++;
			r->done++;
		}
		r->queued++;
	}
}

static void on_deadline(void *arg)
{
	tp_loop_break(arg);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static pid_t receiver_pid;

/* ---- how much of the machine this run gets ---------------------------------- */

struct spin {
	double seconds, cpu;
};

static void *spin_main(void *arg)
{
	struct spin *s = arg;
	struct timespec c;
	double t0 = bench_mono();
	volatile unsigned long x = 0;
	while (bench_mono() - t0 < s->seconds)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c);
	s->cpu = (double)c.tv_sec + (double)c.tv_nsec / 1e9;
	return NULL;
}

/* Cores this process can have now: two threads spin for `seconds` and
 * their CPU time over the wall time is the answer (at most 2; less when
 * other processes on the machine take their share). */
static double cores_available(double seconds)
{
	pthread_t th[2];
	struct spin s[2] = {{seconds, 0}, {seconds, 0}};
	double got = 0;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, spin_main, &s[i]) != 0)
			return 0;
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		got += s[i].cpu / seconds;
	}
	return got;
}

double bench_proc_cpu(pid_t pid)
{
	char path[64];
	unsigned long ut = 0, st = 0;
	FILE *f;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = pid > 0 ? fopen(path, "r") : NULL;
	if (f == NULL)
		return 0;
	/* fields 14 and 15 (utime, stime), after "pid (comm) state" */
	if (fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		ut = st = 0;
	fclose(f);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds (user + system) of this process. */
static double cpu_self(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Nanoseconds the main thread of `pid` (0: this process) ran on a CPU and
 * waited for one while runnable (/proc/PID/schedstat; 0 when unknown). */
static void sched_ns(pid_t pid, double *run, double *wait)
{
	char path[64];
	unsigned long long r = 0, w = 0;
	FILE *f;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/schedstat");
	f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%llu %llu", &r, &w) != 2)
			r = w = 0;
		fclose(f);
	}
	*run = (double)r / 1e9;
	*wait = (double)w / 1e9;
}

/* b - a, stage by stage */
static void prof_diff(const tp_node_prof_t *a, const tp_node_prof_t *b, tp_node_prof_t *out)
{
	for (int i = 0; i < TP_PROF_COUNT; i++) {
		out->st[i].n = b->st[i].n - a->st[i].n;
		out->st[i].sum_us = b->st[i].sum_us - a->st[i].sum_us;
		out->st[i].max_us = b->st[i].max_us; /* of the whole life: an upper bound */
	}
	out->rounds = b->rounds - a->rounds;
	out->round_work = b->round_work - a->round_work;
}

/* Send `total` messages of `size` octets, `window` at a time. */
static int run_size(const struct bench_setup *bs, tp_loop_t *loop, tp_node_t *node, size_t size,
                    size_t total, size_t window, struct bench_result *res)
{
	tp_node_stats_t st0, st1, rs0, rs1;
	double cs0, cr0, cs, cr, rs_run0, rs_wait0, rr_run0, rr_wait0, x, y;
	struct run r;
	double t0;
	tp_timer_t *deadline;
	uint8_t *data;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.loop = loop;
	r.node = node;
	r.size = size;
	r.total = total;
	r.window = window;
	r.lat_ms = xcalloc(total, sizeof(double));
	r.t_queued = xcalloc(total, sizeof(double));
	r.ids = xcalloc(total, TP_MSGID_LEN);
	data = xcalloc(1, size);
	bench_body(&r.body, data, size);
	free(data);
	bench_set_outcome_hook(on_outcome, &r);
	deadline = tp_timer_add(loop, 120000, on_deadline, loop);
	bench_receiver_sync(bs);
	bench_receiver_stats(bs, &rs0);
	tp_node_stats(node, &st0);
	cs0 = cpu_self();
	cr0 = bench_proc_cpu(receiver_pid);
	sched_ns(0, &rs_run0, &rs_wait0);
	sched_ns(receiver_pid, &rr_run0, &rr_wait0);
	t0 = bench_mono();
	queue_more(&r);
	if (r.done < r.total)
		(void)tp_loop_run(loop);
	res->seconds = bench_mono() - t0;
	sched_ns(0, &x, &y);
	res->loop_s[0] = (x - rs_run0) / res->seconds;
	res->loop_s[1] = (y - rs_wait0) / res->seconds;
	sched_ns(receiver_pid, &x, &y);
	res->loop_r[0] = (x - rr_run0) / res->seconds;
	res->loop_r[1] = (y - rr_wait0) / res->seconds;
	cs = cpu_self() - cs0;
	cr = bench_proc_cpu(receiver_pid) - cr0;
	res->cpu_us = r.done ? (cs + cr) * 1e6 / (double)r.done : 0;
	res->cpu_send_us = r.done ? cs * 1e6 / (double)r.done : 0;
	res->busy_s = res->seconds > 0 ? cs / res->seconds : 0;
	res->busy_r = res->seconds > 0 ? cr / res->seconds : 0;
	tp_node_stats(node, &st1);
	bench_receiver_sync(bs);
	bench_receiver_stats(bs, &rs1);
	prof_diff(&st0.prof, &st1.prof, &res->ps);
	prof_diff(&rs0.prof, &rs1.prof, &res->pr);
	res->per_commit =
	    st1.commits > st0.commits ? (double)r.done / (double)(st1.commits - st0.commits) : 0;
	tp_timer_cancel(deadline);
	bench_set_outcome_hook(NULL, NULL);
	if (r.done < r.total || r.failed > 0) {
		fprintf(stderr, "hsync-bench: %zu of %zu messages of %zu octets delivered\n",
		        r.done - r.failed, r.total, size);
		rc = -1;
	}
	qsort(r.lat_ms, r.done, sizeof(double), cmp_double);
	res->rate = (double)r.done / res->seconds;
	res->p50 = r.done ? r.lat_ms[r.done / 2] : 0;
	res->p99 =
	    r.done ? r.lat_ms[(r.done * 99) / 100 < r.done ? (r.done * 99) / 100 : r.done - 1] : 0;
	free(r.lat_ms);
	free(r.t_queued);
	free(r.ids);
	hs_buf_free(&r.body);
	return rc;
}

/* ---- main ---------------------------------------------------------------- */

static const char *fs_name(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf) != 0)
		return "?";
	return sf.f_type == 0x01021994 ? "tmpfs" : "disk";
}

int bench_transport_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"count", required_argument, NULL, 'n'}, {"window", required_argument, NULL, 'w'},
	    {"dir", required_argument, NULL, 'd'},   {"seconds", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	unsigned long count = 2000, window = 32;
	double seconds = 1;
	const char *basedir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct bench_setup bs;
	struct bench_crypto cr;
	struct bench_result small_lat, small_rate, big_lat, big_rate;
	tp_loop_t *loop = NULL;
	tp_node_t *node = NULL;
	pid_t child = -1;
	char *end;
	int c, rc = 1, ok = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double load[3] = {0, 0, 0}, avail = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = strtoul(optarg, &end, 10);
			if (*end || count < 10 || count > 1000000)
				return cli_err(2, "--count: 10..1000000");
			break;
		case 'w':
			window = strtoul(optarg, &end, 10);
			if (*end || window < 1 || window > 1024)
				return cli_err(2, "--window: 1..1024");
			break;
		case 'd':
			basedir = optarg;
			break;
		case 's':
			seconds = strtod(optarg, &end);
			if (*end || seconds <= 0 || seconds > 60)
				return cli_err(2, "--seconds: (0..60]");
			break;
		case 'h':
			fputs(bench_tp_usage, stdout);
			return 0;
		default:
			fputs(bench_tp_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(bench_tp_usage, stderr);
		return 2;
	}
	hs_log_set_level(HS_LOG_ERR);
	memset(&bs, 0, sizeof(bs));
	if (bench_setup_make(&bs, basedir, NULL) != 0)
		return cli_err(1, "cannot make keys and configurations under \"%s\"", basedir);
	if (bench_crypto_measure(&bs, seconds, &cr) != 0) {
		cli_err(1, "crypto measurement failed");
		goto cleanup;
	}
	child = bench_receiver_fork(&bs);
	receiver_pid = child;
	if (child < 0) {
		cli_err(1, "cannot start the receiver");
		goto cleanup;
	}
	if (tp_loop_new(&loop) != HS_OK || bench_sender_start(&bs, loop, &node) != 0) {
		cli_err(1, "cannot start the sender");
		goto cleanup;
	}
	if (run_size(&bs, loop, node, 200, 20, 1, &small_lat) != 0) /* warm-up */
		goto cleanup;
	avail = cores_available(seconds);
	if (run_size(&bs, loop, node, 200, count / 4, 1, &small_lat) != 0 ||
	    run_size(&bs, loop, node, 200, count, window, &small_rate) != 0 ||
	    run_size(&bs, loop, node, 65536, count / 40 < 10 ? 10 : count / 40, 1, &big_lat) != 0 ||
	    run_size(&bs, loop, node, 65536, count / 10 < 10 ? 10 : count / 10, window,
	             &big_rate) != 0)
		goto cleanup;
	ok = 1;
cleanup:
	tp_node_free(node);
	tp_loop_free(loop);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (ok) {
		if (getloadavg(load, 3) < 0)
			load[0] = -1;
		printf("transport on loopback, two processes (%ld CPUs, load %.2f), stores on %s "
		       "(%s)\n",
		       ncpu, load[0], bs.dir, fs_name(bs.dir));
		bench_crypto_print(&cr);
		bench_print_row("200 B inline", &small_rate, &small_lat, cr.bound_inline,
		                bench_crypto_inline_us(&cr));
		bench_print_profile(&small_rate);
		bench_print_row("64 KiB fetch", &big_rate, &big_lat, cr.bound_fetch,
		                bench_crypto_fetch_us(&cr));
		bench_print_profile(&big_rate);
		printf(
		    "the machine: two spinning threads got %.2f cores just before the runs (other "
		    "processes take the rest); 200 B inline used %.2f cores, i.e. %.2f of the "
		    "crypto "
		    "bound scaled to the cores available\n",
		    avail, small_rate.rate * small_rate.cpu_us / 1e6,
		    avail > 0 ? small_rate.rate / (cr.bound_inline * avail / 2) : 0);
		/* Little's law: W always in flight, so the mean latency is W / rate */
		printf(
		    "with %lu always in flight the mean latency is %lu / rate: a p99 under 20 ms "
		    "needs at least %.0f msg/s (%.2f of the crypto bound)\n",
		    window, window, (double)window / 0.020,
		    (double)window / 0.020 / cr.bound_inline);
		printf("goal (200 B): ratio >= 0.50 of the 2-core crypto bound, p99 with %lu in "
		       "flight < 20 ms: %s\n",
		       window,
		       small_rate.rate >= 0.5 * cr.bound_inline && small_rate.p99 < 20 ? "met"
		                                                                       : "not met");
		rc = 0;
	}
	bench_setup_clear(&bs);
	return rc;
}
