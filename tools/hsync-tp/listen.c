/* hsync-tp listen */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "hsync-tp/hsync-tp.h"
#include "hsync-tp/record.h"
#include "transport/tpmsg.h"
#include "util/log.h"

static const char listen_usage[] =
    "usage: hsync-tp listen -c FILE [--record FILE] [--exit-after N] [--port N]\n"
    "                       [--no-echo] [--log-level LEVEL | -v]\n"
    "\n"
    "Serve the node of configuration FILE on its address and port (UDP and\n"
    "TCP): answer NOTIFYs and CHUNK queries, fetch large messages, put every\n"
    "accepted message into the inbox of the store, then take each one out of\n"
    "the inbox, print it and acknowledge it. Messages queued in the store\n"
    "(e.g. by 'hsync-tp send' without --wait) are sent as well.\n"
    "\n"
    "For each message one line goes to standard output:\n"
    "    recv id=<32 hex> from=<identity> type=<TYPE> size=<octets> sha256=<hex>\n"
    "size and sha256 are those of the \"data\" octets of the body (what\n"
    "'hsync-tp send' sends). Standard error gets the log and, once the node\n"
    "serves, the line \"listening on ADDRESS:PORT as IDENTITY\".\n"
    "\n"
    "A PING whose body asks for an echo ({\"data\": ..., \"echo\": true},\n"
    "draft-hsync-transport section 4.1) is answered with a PING carrying the\n"
    "same data back to its sender (small ones inline, large ones fetched), so\n"
    "that a peer, or hsync-conform, can see this node send in both modes.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE   the node's configuration (required; options below)\n"
    "  --record FILE       append \"<id> <sha256>\" per message in the order they\n"
    "                      are acknowledged; each line is fsync'd before the\n"
    "                      acknowledgement, and ids already in FILE are\n"
    "                      acknowledged without a new line, so a crash (even\n"
    "                      SIGKILL) never loses or duplicates a line\n"
    "  --exit-after N      stop after acknowledging N messages\n"
    "  --port N            serve on port N instead of the configured one\n"
    "  --no-echo           do not answer PING echo requests\n"
    "  --test-only-break CHECK\n"
    "                      TEST ONLY, never in production: skip one check of\n"
    "                      the protocol on purpose, so that a conformance run\n"
    "                      can be seen to fail: opt-always (an OPT RR in every\n"
    "                      error reply, against RFC 6891 section 7) or\n"
    "                      chunk-replay (serve replayed chunk queries)\n"
    "  --log-level LEVEL   err, warn, notice (default), info or debug\n"
    "  -v                  the same as --log-level debug\n"
    "  -h, --help          this text\n"
    "\n"
    "SIGINT and SIGTERM stop the node gracefully; nothing queued is lost\n"
    "either way. The counters are written to <store>.stats every second\n"
    "and at exit ('hsync-tp status' shows them).\n"
    "\n"
    "Exit status: 0 stopped (signal or --exit-after), 1 runtime failure,\n"
    "2 usage error, 3 configuration, key, store or bind failure.\n"
    "\n"
    "The configuration file:\n";

struct listen_state {
	tp_node_t *node;
	tp_loop_t *loop;
	tptool_record_t *rec;
	char *stats_path;
	unsigned long handled, exit_after;
	int failed, no_echo;
};

/* TP-14: a PING asking for an echo gets its data back. */
static void echo_ping(struct listen_state *ls, const st_inbox_msg_t *m)
{
	tp_msg_t tm;
	tp_ping_t pg;
	hs_buf_t body = HS_BUF_INIT;

	if (ls->no_echo || strcmp(m->type, "PING") != 0 ||
	    tp_msg_decode(m->msg, m->len, &tm) != HS_OK ||
	    tp_ping_decode(tm.body, tm.body_len, &pg) != HS_OK || !pg.echo)
		return;
	tp_ping_encode(&body, pg.data, pg.data_len, 0);
	if (tp_node_send(ls->node, m->sender, "PING", body.data, body.len, NULL, NULL) != HS_OK)
		log_warn("hsync-tp", "cannot queue the echo to '%s'", m->sender);
	hs_buf_free(&body);
}

static int handle_one(struct listen_state *ls)
{
	st_inbox_msg_t m;
	char id[2 * TP_MSGID_LEN + 1], sha[65];
	size_t size = 0;
	int rc;

	rc = st_inbox_next(tp_node_store(ls->node), &m);
	if (rc != HS_OK)
		return rc;
	tptool_id_hex(m.msgid, id);
	if (tptool_msg_digest(m.msg, m.len, &size, sha) != HS_OK) {
		snprintf(sha, sizeof(sha), "-");
		size = 0;
	}
	if (ls->rec != NULL) {
		rc = tptool_record_add(ls->rec, m.msgid, sha);
		if (rc == HS_E_EXISTS) {
			log_notice("hsync-tp", "message \"%s\" recorded before a restart", id);
		} else if (rc != HS_OK) {
			log_err("hsync-tp", "cannot record message \"%s\": %s", id,
			        hs_strerror(rc));
			st_inbox_msg_clear(&m);
			return rc;
		}
	}
	printf("recv id=%s from=%s type=%s size=%zu sha256=%s\n", id, m.sender, m.type, size, sha);
	fflush(stdout);
	echo_ping(ls, &m);
	rc = st_inbox_ack(tp_node_store(ls->node), m.seq);
	st_inbox_msg_clear(&m);
	if (rc != HS_OK) {
		log_err("hsync-tp", "cannot acknowledge message \"%s\": %s", id, hs_strerror(rc));
		return rc;
	}
	ls->handled++;
	return HS_OK;
}

static void on_inbox(void *arg)
{
	struct listen_state *ls = arg;
	int rc;

	for (;;) {
		if (ls->exit_after != 0 && ls->handled >= ls->exit_after)
			break;
		rc = handle_one(ls);
		if (rc == HS_E_NOTFOUND)
			return;
		if (rc != HS_OK) {
			ls->failed = 1;
			break;
		}
	}
	tp_node_request_stop(ls->node);
}

static void stats_tick(void *arg)
{
	struct listen_state *ls = arg;

	tptool_stats_write(ls->node, ls->stats_path);
	(void)tp_timer_add(ls->loop, 1000, stats_tick, ls);
}

static void print_usage(FILE *f)
{
	hs_buf_t b = HS_BUF_INIT;

	tp_conf_help(&b);
	fputs(listen_usage, f);
	fputs(hs_buf_cstr(&b), f);
	hs_buf_free(&b);
}

int tptool_listen_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"record", required_argument, NULL, 'r'},
	    {"exit-after", required_argument, NULL, 'x'},
	    {"port", required_argument, NULL, 'p'},
	    {"no-echo", no_argument, NULL, 'E'},
	    {"test-only-break", required_argument, NULL, 'B'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cfgpath = NULL, *recpath = NULL;
	struct listen_state ls;
	tp_conf_t conf;
	tp_loop_t *loop = NULL;
	tp_node_hooks_t hooks = {NULL, NULL, NULL};
	tp_node_opts_t opts;
	hs_errmsg_t em;
	char *end;
	unsigned long port = 0;
	int c, rc = TPX_CONFIG;

	memset(&ls, 0, sizeof(ls));
	memset(&conf, 0, sizeof(conf));
	memset(&opts, 0, sizeof(opts));
	hs_log_set_ident("hsync-tp");
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'r':
			recpath = optarg;
			break;
		case 'x':
			ls.exit_after = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || ls.exit_after == 0)
				return cli_err(TPX_USAGE, "--exit-after: a positive number");
			break;
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port == 0 || port > 65535)
				return cli_err(TPX_USAGE, "--port: 1..65535");
			break;
		case 'E':
			ls.no_echo = 1;
			break;
		case 'B':
			opts.test_break |= tp_test_break_parse(optarg);
			if (tp_test_break_parse(optarg) == 0)
				return cli_err(TPX_USAGE,
				               "--test-only-break: opt-always or chunk-replay");
			fprintf(stderr, "TEST ONLY: check '%s' deliberately broken\n", optarg);
			break;
		case 'l':
			if (tptool_log_level(optarg) != 0)
				return cli_err(TPX_USAGE,
				               "--log-level: err, warn, notice, info or debug");
			break;
		case 'v':
			hs_log_set_level(HS_LOG_DEBUG);
			break;
		case 'h':
			print_usage(stdout);
			return TPX_OK;
		default:
			print_usage(stderr);
			return TPX_USAGE;
		}
	}
	if (cfgpath == NULL || optind != argc) {
		print_usage(stderr);
		return TPX_USAGE;
	}
	if (tp_conf_load(cfgpath, &conf, &em) != HS_OK) {
		rc = cli_err(TPX_CONFIG, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (recpath != NULL && tptool_record_open(recpath, &ls.rec, &em) != HS_OK) {
		rc = cli_err(TPX_CONFIG, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (tp_loop_new(&loop) != HS_OK) {
		rc = cli_err(TPX_FAIL, "cannot start the event loop");
		goto cleanup;
	}
	hooks.on_inbox = on_inbox;
	hooks.arg = &ls;
	opts.listen_port = (int)port;
	if (tp_node_new(loop, &conf, hs_env_system(), &hooks, &opts, &ls.node, &em) != HS_OK) {
		rc = cli_err(TPX_CONFIG, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	ls.loop = loop;
	ls.stats_path = tptool_stats_path(&conf);
	tptool_signals_install(loop, ls.node);
	(void)tp_timer_add(loop, 1000, stats_tick, &ls);
	fprintf(stderr, "listening on %s:%u as %s\n", conf.listen.ip,
	        (unsigned)tp_node_port(ls.node), tp_node_identity(ls.node));
	if (tp_loop_run(loop) != HS_OK) {
		rc = cli_err(TPX_FAIL, "event loop failed");
		goto cleanup;
	}
	tptool_stats_write(ls.node, ls.stats_path);
	rc = ls.failed ? TPX_FAIL : TPX_OK;
	log_notice("hsync-tp", "stopped after %lu messages", ls.handled);
cleanup:
	tp_node_free(ls.node);
	tp_loop_free(loop);
	tptool_record_close(ls.rec);
	free(ls.stats_path);
	tp_conf_clear(&conf);
	return rc;
}
