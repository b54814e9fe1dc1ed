/* hsync-tp send */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "hsync-tp/hsync-tp.h"
#include "transport/tpmsg.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const char send_usage[] =
    "usage: hsync-tp send -c FILE --to IDENTITY [--type TYPE] [--size N | --file F]\n"
    "                     [--count K [--interval MS]] [--order KEY] [--wait [--timeout S]]\n"
    "                     [--log-level LEVEL | -v]\n"
    "\n"
    "Queue K messages for peer IDENTITY in the store of configuration FILE.\n"
    "Each body is the PING body {\"data\": <octets>}: N random octets (new\n"
    "ones per message), the contents of F, or none. For each message one line\n"
    "goes to standard output:\n"
    "    queued id=<32 hex> to=<identity> type=<TYPE> size=<octets> sha256=<hex>\n"
    "\n"
    "Without --wait the messages stay queued for the next node that runs on\n"
    "this store ('hsync-tp listen' or 'send --wait'). With --wait this\n"
    "command runs the node (serving on the configured address, so the peer\n"
    "can fetch large messages) until every message it queued is delivered,\n"
    "rejected or expired, and prints one line per outcome:\n"
    "    delivered id=<hex> to=<identity> ms=<queue to delivery>\n"
    "    rejected id=<hex> to=<identity> reason=<token>\n"
    "    expired id=<hex> to=<identity>\n"
    "and keeps serving for --linger milliseconds more, so that the receiver\n"
    "gets the answers to its last chunk queries.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE  the node's configuration (see 'hsync-tp listen --help')\n"
    "  --to IDENTITY      the receiver, a peer of the configuration (required)\n"
    "  --type TYPE        message type (default PING): HELLO, BEAT, SYNC, UPDATE,\n"
    "                     CONFIRM, RFI, EDITS, KEYSTATE, ELECT, STATUS or PING\n"
    "  --size N           N random octets of data per message (0..4000000)\n"
    "  --file F           the contents of file F as data\n"
    "  --count K          queue K messages (default 1, at most 100000)\n"
    "  --interval MS      with --wait: queue them MS milliseconds apart, not at once\n"
    "  --order KEY        deliver these messages one after the other, in order\n"
    "  --wait             run until every queued message has an outcome\n"
    "  --timeout S        with --wait: give up after S seconds (exit status 4)\n"
    "  --linger MS        with --wait: serve MS milliseconds after the last\n"
    "                     outcome (default 1000)\n"
    "  --clock-offset S   run with the wall clock S seconds off (may be negative):\n"
    "                     lab use, to test a receiver's time checks\n"
    "  --log-level LEVEL  err, warn, notice (default), info or debug; -v = debug\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 queued (and with --wait: all delivered), 1 a message was\n"
    "rejected or expired, or a runtime failure, 2 usage error, 3 configuration,\n"
    "key, store or bind failure, 4 --timeout reached.\n";

struct send_args {
	const char *cfgpath, *to, *type, *file, *order;
	unsigned long size, count, timeout, linger, interval;
	long clock_offset;
	int have_size, wait;
};

struct send_state {
	const struct send_args *args;
	const hs_buf_t *filedata;
	tp_node_t *node;
	uint8_t (*ids)[TP_MSGID_LEN];
	uint64_t *queued_ms;
	unsigned char *done;
	size_t n, ndone, nbad;
	const hs_env_t *env;
	tp_loop_t *loop;
	unsigned long linger_ms;
	int timed_out;
	int failed; /* a message could not be queued (--interval) */
};

/* A fetch-mode message counts as delivered when its last chunk answer is
 * handed to the endpoint; keep serving a little longer (--linger) so that
 * answer (and answers to re-sent queries) actually leave. */
#define LINGER_MS 1000

static void on_linger_end(void *arg)
{
	struct send_state *ss = arg;

	tp_loop_break(ss->loop);
}

static void on_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                       enum tp_outcome outcome, const char *reason)
{
	struct send_state *ss = arg;
	char id[2 * TP_MSGID_LEN + 1];
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (!ss->done[i] && memcmp(ss->ids[i], msgid, TP_MSGID_LEN) == 0)
			break;
	tptool_id_hex(msgid, id);
	if (outcome == TP_OUT_DELIVERED)
		printf("delivered id=%s to=%s ms=%llu\n", id, peer,
		       i < ss->n
		           ? (unsigned long long)(ss->env->mono_ms(ss->env->arg) - ss->queued_ms[i])
		           : 0ULL);
	else if (outcome == TP_OUT_REJECTED)
		printf("rejected id=%s to=%s reason=%s\n", id, peer, reason);
	else
		printf("expired id=%s to=%s\n", id, peer);
	fflush(stdout);
	if (i == ss->n)
		return; /* an item queued earlier, resumed from the store */
	ss->done[i] = 1;
	ss->ndone++;
	if (outcome != TP_OUT_DELIVERED)
		ss->nbad++;
	if (ss->ndone == ss->n && ss->n == ss->args->count) /* let the last chunk answers leave */
		(void)tp_timer_add(ss->loop, ss->linger_ms, on_linger_end, ss);
}

static void on_timeout(void *arg)
{
	struct send_state *ss = arg;

	ss->timed_out = 1;
	tp_loop_break(ss->loop);
}

static int parse_args(int argc, char **argv, struct send_args *a)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"to", required_argument, NULL, 't'},
	    {"type", required_argument, NULL, 'y'},
	    {"size", required_argument, NULL, 's'},
	    {"file", required_argument, NULL, 'f'},
	    {"count", required_argument, NULL, 'n'},
	    {"interval", required_argument, NULL, 'i'},
	    {"order", required_argument, NULL, 'o'},
	    {"wait", no_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"clock-offset", required_argument, NULL, 'O'},
	    {"linger", required_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned long *num;
	unsigned long max;
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	a->type = "PING";
	a->count = 1;
	a->linger = LINGER_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		num = NULL;
		switch (c) {
		case 'c':
			a->cfgpath = optarg;
			break;
		case 't':
			a->to = optarg;
			break;
		case 'y':
			a->type = optarg;
			break;
		case 'f':
			a->file = optarg;
			break;
		case 'o':
			a->order = optarg;
			break;
		case 'w':
			a->wait = 1;
			break;
		case 's':
			num = &a->size;
			max = 4000000;
			a->have_size = 1;
			break;
		case 'n':
			num = &a->count;
			max = 100000;
			break;
		case 'i':
			num = &a->interval;
			max = 3600000;
			break;
		case 'T':
			num = &a->timeout;
			max = 86400;
			break;
		case 'L':
			num = &a->linger;
			max = 60000;
			break;
		case 'l':
			if (tptool_log_level(optarg) != 0)
				return cli_err(TPX_USAGE,
				               "--log-level: err, warn, notice, info or debug");
			break;
		case 'v':
			hs_log_set_level(HS_LOG_DEBUG);
			break;
		case 'O':
			a->clock_offset = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a->clock_offset < -86400 * 365 ||
			    a->clock_offset > 86400 * 365)
				return cli_err(TPX_USAGE,
				               "--clock-offset: seconds, at most a year");
			break;
		case 'h':
			fputs(send_usage, stdout);
			return -1;
		default:
			fputs(send_usage, stderr);
			return TPX_USAGE;
		}
		if (num != NULL) {
			*num = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *optarg == '-' || *end != '\0' || *num > max)
				return cli_err(TPX_USAGE, "%s: a number 0..%lu", argv[optind - 1],
				               max);
		}
	}
	if (a->cfgpath == NULL || a->to == NULL || optind != argc) {
		fputs(send_usage, stderr);
		return TPX_USAGE;
	}
	if (a->have_size && a->file != NULL)
		return cli_err(TPX_USAGE, "--size and --file exclude each other");
	if (a->count == 0)
		return cli_err(TPX_USAGE, "--count: at least 1");
	if (a->timeout != 0 && !a->wait)
		return cli_err(TPX_USAGE, "--timeout needs --wait");
	if (a->interval != 0 && !a->wait)
		return cli_err(TPX_USAGE, "--interval needs --wait");
	return TPX_OK;
}

/* Queue message number `i`; prints its "queued" line. */
static int queue_one(struct send_state *ss, size_t i)
{
	const struct send_args *a = ss->args;
	hs_buf_t data = HS_BUF_INIT, body = HS_BUF_INIT;
	char id[2 * TP_MSGID_LEN + 1], sha[65];
	int rc = HS_OK;

	if (ss->filedata != NULL) {
		hs_buf_append(&data, ss->filedata->data, ss->filedata->len);
	} else if (a->size > 0) {
		hs_buf_reserve(&data, a->size);
		rc = ss->env->random(ss->env->arg, data.data, a->size);
		data.len = rc == HS_OK ? a->size : 0;
	}
	if (rc == HS_OK) {
		tp_ping_encode(&body, data.data, data.len, 0);
		ss->queued_ms[i] = ss->env->mono_ms(ss->env->arg);
		rc = tp_node_send(ss->node, a->to, a->type, body.data, body.len, a->order,
		                  ss->ids[i]);
		if (rc != HS_OK)
			cli_err(TPX_FAIL, "cannot queue for \"%s\": %s", a->to, hs_strerror(rc));
	}
	if (rc == HS_OK) {
		ss->n++;
		tptool_id_hex(ss->ids[i], id);
		tptool_sha256_hex(data.data, data.len, sha);
		printf("queued id=%s to=%s type=%s size=%zu sha256=%s\n", id, a->to, a->type,
		       data.len, sha);
		fflush(stdout);
	}
	hs_buf_free(&data);
	hs_buf_free(&body);
	return rc;
}

/* --interval: the next message, then the timer again. */
static void on_interval(void *arg)
{
	struct send_state *ss = arg;

	if (queue_one(ss, ss->n) != HS_OK) {
		ss->failed = 1;
		tp_loop_break(ss->loop);
		return;
	}
	if (ss->n < ss->args->count)
		(void)tp_timer_add(ss->loop, ss->args->interval, on_interval, ss);
}

/* Queue every message (with --interval: the first; a timer the rest). */
static int queue_all(struct send_state *ss)
{
	size_t i;
	int rc = HS_OK;

	for (i = 0; i < ss->args->count && rc == HS_OK; i++) {
		rc = queue_one(ss, i);
		if (rc == HS_OK && ss->args->interval != 0 && i + 1 < ss->args->count) {
			(void)tp_timer_add(ss->loop, ss->args->interval, on_interval, ss);
			break;
		}
	}
	return rc;
}

/* The system clock shifted by --clock-offset; the rest is the system's. */
static long offset_s;

static uint64_t offset_now_ms(void *arg)
{
	const hs_env_t *sys = hs_env_system();

	(void)arg;
	return (uint64_t)((int64_t)hs_now_ms(sys) + (int64_t)offset_s * 1000);
}

static uint64_t sys_mono_ms(void *arg)
{
	(void)arg;
	return hs_env_system()->mono_ms(hs_env_system()->arg);
}

static int sys_random(void *arg, uint8_t *out, size_t n)
{
	(void)arg;
	return hs_env_system()->random(hs_env_system()->arg, out, n);
}

static const hs_env_t offset_env = {offset_now_ms, sys_mono_ms, sys_random, NULL};

int tptool_send_main(int argc, char **argv)
{
	struct send_args a;
	struct send_state ss;
	tp_conf_t conf;
	tp_loop_t *loop = NULL;
	tp_node_hooks_t hooks = {NULL, on_outcome, NULL};
	tp_node_opts_t opts;
	hs_buf_t filedata = HS_BUF_INIT;
	hs_errmsg_t em;
	char *stats_path = NULL;
	int rc;

	hs_log_set_ident("hsync-tp");
	rc = parse_args(argc, argv, &a);
	if (rc != TPX_OK)
		return rc < 0 ? TPX_OK : rc;
	memset(&ss, 0, sizeof(ss));
	memset(&conf, 0, sizeof(conf));
	memset(&opts, 0, sizeof(opts));
	offset_s = a.clock_offset;
	ss.env = a.clock_offset != 0 ? &offset_env : hs_env_system();
	ss.ids = xcalloc(a.count, TP_MSGID_LEN);
	ss.queued_ms = xcalloc(a.count, sizeof(*ss.queued_ms));
	ss.done = xcalloc(a.count, 1);
	rc = TPX_CONFIG;
	if (a.file != NULL && hs_read_file(a.file, &filedata, TP_BODY_MAX) != HS_OK) {
		rc = cli_err(TPX_USAGE, "--file: cannot read \"%s\"", a.file);
		goto cleanup;
	}
	if (tp_conf_load(a.cfgpath, &conf, &em) != HS_OK) {
		rc = cli_err(TPX_CONFIG, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (tp_conf_peer_find(&conf, a.to) == NULL) {
		rc = cli_err(TPX_USAGE, "--to: \"%s\" is not a peer in %s", a.to, a.cfgpath);
		goto cleanup;
	}
	if (tp_loop_new(&loop) != HS_OK) {
		rc = cli_err(TPX_FAIL, "cannot start the event loop");
		goto cleanup;
	}
	if (!a.wait) { /* queue only: do not take the node's address */
		opts.listen_port = TP_NODE_ANY_PORT;
		opts.no_listen = 1;
	}
	hooks.arg = &ss;
	ss.loop = loop;
	ss.args = &a;
	ss.filedata = a.file != NULL ? &filedata : NULL;
	ss.linger_ms = a.linger;
	if (tp_node_new(loop, &conf, ss.env, &hooks, &opts, &ss.node, &em) != HS_OK) {
		rc = cli_err(TPX_CONFIG, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (queue_all(&ss) != HS_OK) {
		rc = TPX_FAIL;
		goto cleanup;
	}
	if (!a.wait) {
		rc = TPX_OK;
		goto cleanup;
	}
	stats_path = tptool_stats_path(&conf);
	tptool_signals_install(loop, ss.node);
	if (a.timeout != 0)
		(void)tp_timer_add(loop, a.timeout * 1000, on_timeout, &ss);
	if (ss.ndone < ss.n && tp_loop_run(loop) != HS_OK) {
		rc = cli_err(TPX_FAIL, "event loop failed");
		goto cleanup;
	}
	tptool_stats_write(ss.node, stats_path);
	if (ss.failed)
		rc = TPX_FAIL;
	else if (ss.ndone < a.count)
		rc = ss.timed_out ? cli_err(TPX_TIMEOUT, "%zu of %zu messages without an outcome",
		                            (size_t)a.count - ss.ndone, (size_t)a.count)
		                  : TPX_FAIL;
	else
		rc = ss.nbad > 0 ? TPX_FAIL : TPX_OK;
cleanup:
	tp_node_free(ss.node);
	tp_loop_free(loop);
	tp_conf_clear(&conf);
	hs_buf_free(&filedata);
	free(stats_path);
	free(ss.ids);
	free(ss.queued_ms);
	free(ss.done);
	return rc;
}
