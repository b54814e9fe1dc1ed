/* hsync-xfr -- transfer one zone by AXFR with hsync's own client and
 * validation (src/transport/xfr.h), and say what its hsync records mean. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "hsync-xfr/hsync_xfr.h"
#include "util/log.h"

static const char usage[] =
    "usage: hsync-xfr [OPTIONS] @PRIMARY ZONE\n"
    "       hsync-xfr --follow [OPTIONS] @PRIMARY ZONE\n"
    "\n"
    "Transfer ZONE from PRIMARY by AXFR over TCP, exactly as an hsync agent\n"
    "does when it acts as a secondary for a customer zone, validate what\n"
    "arrives, and print a summary of the zone's multi-provider setup.\n"
    "\n"
    "PRIMARY is an IPv4 or IPv6 literal (127.0.0.1, ::1, [::1]); no name\n"
    "resolution is done. ZONE is a domain name (trailing dot optional).\n"
    "\n"
    "Validation (any failure rejects the whole transfer):\n"
    "  every message answers our query (id, QR, opcode), RCODE NOERROR, TC\n"
    "  clear, and is well formed; the first record is the zone's SOA and the\n"
    "  transfer ends with the same SOA serial; every record is class IN and\n"
    "  owned by the zone or a name below it; no other SOA; the record and\n"
    "  size caps hold; every HSYNC3, HSYNCPARAM, DSYNC, HPKEKEY and CHUNK\n"
    "  record decodes strictly; at most one HSYNCPARAM at the apex.\n"
    "\n"
    "Options:\n"
    "  -p, --port PORT        port of the primary (default 53)\n"
    "  -w, --timeout S        limit for the whole transfer, seconds\n"
    "                         (default 120); -t is the old spelling\n"
    "      --idle S           longest silence from the primary, seconds\n"
    "                         (default 15)\n"
    "      --max-records N    refuse zones with more records (default 1000000)\n"
    "      --max-bytes N      refuse transfers above N octets (default 256 MiB)\n"
    "  -i, --identity NAME    also say whether provider identity NAME is\n"
    "                         listed in the apex HSYNC3 RRset, and its state\n"
    "  -d, --dump             print the zone in presentation form instead of\n"
    "                         the summary (hsync types decoded; other types\n"
    "                         as ldns prints them; the closing SOA last)\n"
    "  -v, --verbose          log the client's steps to stderr\n"
    "\n"
    "Follow mode (-f, --follow): keep the zone the way an hsync agent does:\n"
    "transfer it, check the primary's SOA serial on the SOA refresh timer\n"
    "(retry timer after a failure, expiry after the expire time), and\n"
    "answer NOTIFY from the primary's address on a UDP/TCP listener, which\n"
    "starts a check at once. One line per new copy on stdout (\"zone Z\n"
    "serial N loaded: ...\"), one per expiry; failures are logged to\n"
    "stderr. Runs until SIGINT or SIGTERM.\n"
    "      --listen ADDR      listener address for NOTIFY (default 127.0.0.1)\n"
    "      --listen-port P    listener port (default 0: any free port; the\n"
    "                         first output line says which)\n"
    "      --refresh-min S    lower bound on the SOA refresh (default 30)\n"
    "      --retry-min S      lower bound on the SOA retry (default 10)\n"
    "      --expire-min S     lower bound on the SOA expire (default 300)\n"
    "  -V, --version          print the version and exit\n"
    "  -h, --help             this text\n"
    "\n"
    "Summary: zone, primary, serial, number of records, messages and octets,\n"
    "the SOA timers, each apex HSYNC3 (state, provider label, identity,\n"
    "upstream), whether the zone is multi-provider (HSYNC3 and HSYNCPARAM\n"
    "both present at the apex) and the HSYNCPARAM policy explained.\n"
    "IXFR is not used: an hsync secondary always transfers the whole zone.\n"
    "\n"
    "Exit status: 0 transfer complete and valid; 1 transfer or validation\n"
    "failed (one line on stderr says why); 2 usage error. With --follow:\n"
    "0 if at least one copy was loaded before the signal, else 1.\n"
    "\n"
    "Example:\n"
    "  hsync-xfr -p 5353 @127.0.0.1 example.test\n";

struct job {
	int done;
	int status;
	tp_xfr_zone_t *zone;
	tp_xfr_stats_t st;
	char why[300];
};

static void on_done(void *arg, int status, tp_xfr_zone_t *zone, const tp_xfr_stats_t *st,
                    const hs_errmsg_t *em)
{
	struct job *j = arg;
	j->done = 1;
	j->status = status;
	j->zone = zone;
	j->st = *st;
	if (status != HS_OK)
		snprintf(j->why, sizeof(j->why), "%s", hs_errmsg_str(em));
}

static int is_done(void *arg)
{
	return ((struct job *)arg)->done;
}

static int parse_num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"port", required_argument, NULL, 'p'},
	    {"timeout", required_argument, NULL, 'w'},
	    {"idle", required_argument, NULL, 'I'},
	    {"max-records", required_argument, NULL, 'R'},
	    {"max-bytes", required_argument, NULL, 'B'},
	    {"identity", required_argument, NULL, 'i'},
	    {"dump", no_argument, NULL, 'd'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"follow", no_argument, NULL, 'f'},
	    {"listen", required_argument, NULL, 'L'},
	    {"listen-port", required_argument, NULL, 'P'},
	    {"refresh-min", required_argument, NULL, 'F'},
	    {"retry-min", required_argument, NULL, 'Y'},
	    {"expire-min", required_argument, NULL, 'E'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned long port = 53, timeout_s = 120, idle_s = 15, v;
	tp_xfr_opts_t opts;
	const char *identity = NULL, *server = NULL, *zone = NULL;
	int dump = 0, follow = 0, c, rc = 1;
	struct xfr_follow_opts fo = {"127.0.0.1", 0, 0, 0, 0};
	tp_loop_t *loop = NULL;
	struct job job;

	rc = cli_start("hsync-xfr", argc, argv, usage, NULL);
	if (rc >= 0)
		return rc;
	rc = 1;
	signal(SIGPIPE, SIG_IGN); /* a primary closing early is an error, not a kill */
	memset(&opts, 0, sizeof(opts));
	memset(&job, 0, sizeof(job));
	hs_log_set_level(HS_LOG_WARN);
	while ((c = getopt_long(argc, argv, "p:t:w:i:dvhf", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_num(optarg, 65535, &port) || port == 0)
				return cli_err(2, "bad port '%s'", optarg);
			break;
		case 't':
			fprintf(stderr, "hsync-xfr: -t is the old spelling of -w/--timeout\n");
			/* fall through */
		case 'w':
			if (parse_num(optarg, 86400, &timeout_s) || timeout_s == 0)
				return cli_err(2, "bad timeout '%s'", optarg);
			break;
		case 'I':
			if (parse_num(optarg, 86400, &idle_s) || idle_s == 0)
				return cli_err(2, "bad idle time '%s'", optarg);
			break;
		case 'R':
			if (parse_num(optarg, 100000000, &v) || v == 0)
				return cli_err(2, "bad record cap '%s'", optarg);
			opts.limits.max_records = v;
			break;
		case 'B':
			if (parse_num(optarg, (unsigned long)1 << 40, &v) || v == 0)
				return cli_err(2, "bad size cap '%s'", optarg);
			opts.limits.max_bytes = v;
			break;
		case 'i':
			identity = optarg;
			break;
		case 'd':
			dump = 1;
			break;
		case 'f':
			follow = 1;
			break;
		case 'L':
			fo.listen = optarg;
			break;
		case 'P':
			if (parse_num(optarg, 65535, &v))
				return cli_err(2, "bad listen port '%s'", optarg);
			fo.listen_port = (uint16_t)v;
			break;
		case 'F':
		case 'Y':
		case 'E':
			if (parse_num(optarg, 100000000, &v) || v == 0)
				return cli_err(2, "bad timer bound '%s'", optarg);
			*(c == 'F'   ? &fo.refresh_min
			  : c == 'Y' ? &fo.retry_min
			             : &fo.expire_min) = (uint32_t)v;
			break;
		case 'v':
			hs_log_set_level(HS_LOG_DEBUG);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] == '@' && server == NULL)
			server = argv[i] + 1;
		else if (zone == NULL)
			zone = argv[i];
		else
			return cli_err(2, "unexpected argument '%s' (see --help)", argv[i]);
	}
	if (server == NULL || zone == NULL)
		return cli_err(2, "need @PRIMARY and ZONE (see --help)");

	tp_peer_addr_t primary;
	if (tp_peer_addr_parse(server, (uint16_t)port, &primary) != HS_OK)
		return cli_err(2, "primary '%s' is not an IP address literal", server);
	opts.timeout_ms = (unsigned)(timeout_s * 1000);
	opts.idle_ms = (unsigned)(idle_s * 1000);
	char peer[64];
	tp_peer_addr_str(&primary, peer, sizeof(peer));

	if (follow)
		return xfr_follow(&primary, zone, &opts, &fo);
	if (tp_loop_new(&loop) != HS_OK) {
		cli_err(1, "cannot start the event loop");
		goto cleanup;
	}
	int s = tp_xfr_start(loop, &primary, zone, &opts, on_done, &job, NULL);
	if (s == HS_E_NAME) {
		rc = cli_err(2, "bad zone name '%s'", zone);
		goto cleanup;
	}
	if (s != HS_OK) {
		cli_err(1, "cannot start the transfer: %s", hs_strerror(s));
		goto cleanup;
	}
	/* the client's own timeout fires first; this is only a backstop */
	if (tp_loop_run_until(loop, is_done, &job, opts.timeout_ms + 5000) != HS_OK || !job.done) {
		cli_err(1, "transfer of '%s' from %s did not finish", zone, peer);
		goto cleanup;
	}
	if (job.status != HS_OK) {
		cli_err(1, "transfer of '%s' from %s failed: %s", zone, peer, job.why);
		goto cleanup;
	}
	if (dump)
		xfr_print_dump(stdout, job.zone);
	else
		xfr_print_summary(stdout, job.zone, &job.st, peer, identity);
	rc = 0;
cleanup:
	tp_xfr_zone_free(job.zone);
	tp_loop_free(loop);
	return rc;
}
