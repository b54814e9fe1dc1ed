/* hsyncctl -- operate a running hsyncd over its control socket. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "hsyncctl/hsyncctl.h"
#include "transport/ctl.h"
#include "util/conf.h"

static const char usage[] =
    "usage: hsyncctl [-s SOCKET | -c CONFIG] [--json] [-w SECONDS] COMMAND [ARG...]\n"
    "\n"
    "Ask a running hsyncd about its zones, peers and provider groups, change\n"
    "what its provider contributes, decide on contributions, or tell it to\n"
    "reload or stop. hsyncctl talks to the daemon over its Unix control\n"
    "socket only (never over the network) and shows the answer as aligned\n"
    "tables, or as the daemon's JSON with --json. Some commands belong to one\n"
    "role (server: role: of the daemon): the agent's and the combiner's are\n"
    "marked; the other role answers them with \"unknown command\".\n"
    "\n"
    "Options:\n"
    "  -s, --socket SOCKET  the daemon's control socket\n"
    "                       (default " TP_CTL_DEFAULT_PATH ")\n"
    "  -c, --config CONFIG  read the socket path from the daemon's configuration\n"
    "                       file (server: control-socket:)\n"
    "  -j, --json           print the daemon's JSON answer unchanged, one line:\n"
    "                       {\"ok\":true,\"time\":T,\"result\":...} or\n"
    "                       {\"ok\":false,\"time\":T,\"error\":\"...\"}\n"
    "  -w, --timeout SECS   wait at most SECS for the answer (default 30); -t is\n"
    "                       the old spelling, still accepted with a warning\n"
    "  -V, --version        print the version and exit\n"
    "  -h, --help           this text\n"
    "\n"
    "Commands:\n"
    "  status               identity, role, version, uptime, number of zones;\n"
    "                       an agent: peers and groups and how many are\n"
    "                       OPERATIONAL, its combiner and the synchronisation\n"
    "                       counters (JSON); a combiner: its agent, approval mode\n"
    "                       and its counters (JSON)\n"
    "  zone list            one line per zone: ZONE SERIAL STATE ROLE PROVIDERS\n"
    "                       GROUP SERVED (a combiner's own serial) LOADED\n"
    "  zone show ZONE       one zone: serial, primaries, our role, the provider\n"
    "                       group, HSYNCPARAM as understood, and its HSYNC3 rows\n"
    "                       (STATE LABEL IDENTITY UPSTREAM) with each provider's\n"
    "                       peer state\n"
    "  peer list            one line per peer: PEER STATE SINCE, LAST BEAT and\n"
    "                       the transport's counters since the daemon started:\n"
    "                       SENT (messages queued to the peer), DELIVERED,\n"
    "                       PENDING (still queued), RETRIED (NOTIFYs resent),\n"
    "                       FAILED (rejected by the peer or expired), RECEIVED\n"
    "                       (new messages from the peer)\n"
    "  peer show ID         one peer: state and why, address, discovery and when\n"
    "                       its keys expire, last HELLO and BEAT, shared zones and\n"
    "                       groups, every counter (also duplicates, refused, BEATs)\n"
    "  gossip show [GROUP]  every provider group (or one): its state and the N x N\n"
    "                       matrix, row = the member reporting, column = the peer\n"
    "                       it reports on\n"
    "  zone add-rr ZONE 'RR'  (agent) add one record of a synchronised type (NS,\n"
    "                       DNSKEY, CDS, CSYNC, KEY) at the apex to this\n"
    "                       provider's contribution: 'OWNER [TTL] [IN] TYPE RDATA',\n"
    "                       OWNER \"@\" or relative to ZONE, TTL 3600 when not given;\n"
    "                       it goes to the own combiner (UPDATE) and every other\n"
    "                       provider (SYNC)\n"
    "  zone del-rr ZONE 'RR'  (agent) delete one such record (a configured zone.ns\n"
    "                       cannot be deleted this way)\n"
    "  zone edits ZONE      (agent) every contributed record of the zone: ORIGIN\n"
    "                       TYPE RDATA TTL STATE (pending, accepted, ignored,\n"
    "                       rejected, pending-removal, removed, unconfirmed) CHANGE\n"
    "                       VERSION and, per expected recipient (our combiner under\n"
    "                       our identity, each other provider for its combiner),\n"
    "                       its verdict and reason, \"waiting\" or \"unconfirmed\"\n"
    "  combiner contributions ZONE\n"
    "                       (combiner) every stored contribution: ORIGIN TYPE RDATA\n"
    "                       TTL VERDICT REASON VERSION CHANGE; --json adds the\n"
    "                       combined apex\n"
    "  combiner purge ZONE --origin ID\n"
    "                       (combiner) delete every set of originator ID in ZONE;\n"
    "                       its records are reported rejected (operator)\n"
    "  combiner reapply [ZONE]\n"
    "                       (combiner) judge the stored records again with the\n"
    "                       current policy and zone (after a reload)\n"
    "  combiner edits approve ZONE ORIGIN ['RR']\n"
    "  combiner edits reject ZONE ORIGIN ['RR']\n"
    "                       (combiner, approval: manual) apply or reject the\n"
    "                       pending records of ORIGIN (all, or the one RR)\n"
    "  keys list ZONE       (signer) every key of ZONE: TAG ROLE ALG STATE SINCE and\n"
    "                       what it waits for (a peer's verdict, a TTL, the parent)\n"
    "  keys show ZONE [TAG] (signer) the policy in force and the keys in full:\n"
    "                       DNSKEY and, for SEP keys, DS\n"
    "  keys resign ZONE     (signer) sign ZONE in full now; records that differ from\n"
    "                       the incrementally signed version besides signatures and\n"
    "                       the SOA (0 expected)\n"
    "  keys rollover ZONE zsk|ksk|csk [--dry-run]\n"
    "                       (signer) start a rollover now; --dry-run prints the\n"
    "                       planned timeline from the policy instead\n"
    "  identity records     the DNS records to publish under our identity (KEY,\n"
    "                       HPKEKEY, URI, addresses), in zone-file form; when the\n"
    "                       daemon serves its own identity zone, also the DS\n"
    "                       record(s) the parent zone needs\n"
    "  reload               re-read the configuration and the zones; peers stay up\n"
    "                       (what a reload applies: hsyncd --help); a file the\n"
    "                       daemon refuses is reported with exit status 1 and the\n"
    "                       running configuration stays\n"
    "  stop                 stop the daemon cleanly (queues are kept)\n"
    "  parent status        role parent: the parent zone, the DSYNC target and its\n"
    "                       key, the backend, the bootstrap methods offered, whether\n"
    "                       DSYNC/KEY/SVCB are published, and the receiver's counters\n"
    "  parent children [CHILD]\n"
    "                       role parent: one line per child: CHILD KEYS (tag/alg\n"
    "                       state) BOOTSTRAP METHODS CHANGED DETAIL\n"
    "  parent decisions [CHILD] [N]\n"
    "                       role parent: the newest N (default 50) decisions: who\n"
    "                       (source, child), what (kind), the outcome, RCODE, EDE\n"
    "                       and why; --json has the signer and the records too\n"
    "  parent approve CHILD [KEYTAG]\n"
    "                       role parent: trust the child's uploaded key (manual\n"
    "                       bootstrap)\n"
    "  parent forget CHILD  role parent: retire every key of the child, so that it\n"
    "                       can bootstrap a new one (after it lost its key)\n"
    "  parent records       role parent: the DSYNC, KEY, SVCB and address records\n"
    "                       the parent zone needs, in zone-file form\n"
    "  help                 the commands the running daemon knows\n"
    "A command the daemon knows and hsyncctl does not is sent as given and its\n"
    "result printed as JSON.\n"
    "\n"
    "Ages (SINCE, LAST BEAT, ...) are measured on the daemon's clock: \"12s ago\",\n"
    "\"3m05s ago\", \"2h10m ago\", \"4d02h ago\"; times still to come read \"in 13m20s\";\n"
    "\"-\" means never or unknown.\n"
    "\n"
    "The daemon answers root, its own user and members of its\n"
    "control-socket-group only (peer credentials are checked whatever the\n"
    "socket's mode).\n"
    "\n"
    "Exit status: 0 success; 1 the daemon answered with an error (the message\n"
    "goes to stderr) or the answer could not be read; 2 usage error; 3 cannot\n"
    "connect to the socket (the daemon is not running, or the path is wrong).\n"
    "\n"
    "Examples:\n"
    "  hsyncctl peer list\n"
    "  hsyncctl -s /tmp/lab/a.sock gossip show\n"
    "  hsyncctl --json zone show example.com. | jq .result.hsync3\n"
    "  hsyncctl zone add-rr example.com. '@ 3600 IN NS ns2.provider-a.example.'\n"
    "  hsyncctl zone edits example.com.\n"
    "  hsyncctl -s /run/hsync/combiner.sock combiner contributions example.com.\n";

static const conf_section_def_t cfg_sections[] = {{"server", 0, "the daemon"}};
static const conf_opt_t cfg_opts[] = {
    {"server", "control-socket", CONF_PATH, 0, 0, NULL, 0, TP_CTL_DEFAULT_PATH, 0,
     "Unix socket for hsyncctl"},
};
static const conf_schema_t cfg_schema = {cfg_sections, 1, cfg_opts, 1};

/* The socket path from the daemon's configuration (other options are
 * the daemon's business: parsed leniently). */
static int socket_from_config(const char *file, char **out)
{
	conf_t *c = NULL;
	hs_errmsg_t em;
	if (conf_load(&cfg_schema, file, CONF_LENIENT, &c, &em) != HS_OK)
		return cli_err(CTL_EXIT_USAGE, "%s", hs_errmsg_str(&em));
	*out = strdup(conf_get_str(c, "server", "control-socket"));
	conf_free(c);
	return CTL_EXIT_OK;
}

static int show(const char *raw, const struct view *v, int json)
{
	hs_json_t *resp = NULL;
	hs_errmsg_t em;
	uint64_t now = 0;
	int rc;

	if (hs_json_parse(&resp, raw, strlen(raw), &em) != HS_OK ||
	    hs_json_type(resp) != HS_JSON_OBJECT) {
		rc = cli_err(CTL_EXIT_ERROR, "unreadable answer from the daemon: %s",
		             hs_errmsg_str(&em));
		goto cleanup;
	}
	const hs_json_t *err = hs_json_get(resp, "error");
	const hs_json_t *res = hs_json_get(resp, "result");
	if (json)
		printf("%s\n", raw);
	if (hs_json_type(err) == HS_JSON_STRING) {
		rc = json ? CTL_EXIT_ERROR : cli_err(CTL_EXIT_ERROR, "%s", hs_json_str(err, NULL));
		goto cleanup;
	}
	if (res == NULL) {
		rc = cli_err(CTL_EXIT_ERROR, "answer without result or error");
		goto cleanup;
	}
	rc = CTL_EXIT_OK;
	if (json)
		goto cleanup;
	if (hs_json_u64(hs_json_get(resp, "time"), &now) != HS_OK)
		now = 0; /* no daemon clock: ages show as 0s */
	if (v)
		ctl_render(stdout, v, res, now);
	else
		printf("%s\n", raw);
cleanup:
	hs_json_free(resp);
	return rc;
}

/* "hsyncctl zone": a command word that needs a subcommand. */
static int usage_of_group(const char *word)
{
	fprintf(stderr, "hsyncctl: '%s' needs a subcommand:\n", word);
	for (size_t i = 0; i < ctl_nviews; i++) {
		size_t wl = strcspn(ctl_views[i].cmd, " ");
		if (ctl_views[i].cmd[wl] == ' ' && strlen(word) == wl &&
		    strncmp(ctl_views[i].cmd, word, wl) == 0)
			fprintf(stderr, "  hsyncctl %s%s%s\n", ctl_views[i].cmd,
			        ctl_views[i].args[0] ? " " : "", ctl_views[i].args);
	}
	return CTL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},         {"timeout", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *sock = NULL, *config = NULL;
	char *from_config = NULL;
	int json = 0, opt, rc;
	unsigned timeout_s = 30;
	hs_buf_t raw = HS_BUF_INIT;

	rc = cli_start("hsyncctl", argc, argv, usage, NULL);
	if (rc >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt_long(argc, argv, "+s:c:jw:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 't':
			fprintf(stderr, "hsyncctl: -t is the old spelling of -w/--timeout\n");
			/* fall through */
		case 'w': {
			char *end;
			unsigned long t = strtoul(optarg, &end, 10);
			if (*end || t == 0 || t > 86400)
				return cli_err(CTL_EXIT_USAGE,
				               "bad timeout '%s' (1..86400 seconds)", optarg);
			timeout_s = (unsigned)t;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return CTL_EXIT_OK;
		default:
			fprintf(stderr, "try 'hsyncctl --help'\n");
			return CTL_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fputs(usage, stderr);
		return CTL_EXIT_USAGE;
	}
	if (sock && config)
		return cli_err(CTL_EXIT_USAGE, "-s and -c are exclusive");

	const struct view *v = ctl_view_find(argc, argv);
	if (v == NULL && ctl_view_group(argv[0]))
		return usage_of_group(argv[0]);
	if (v) {
		int words = 1;
		for (const char *p = v->cmd; *p; p++)
			words += *p == ' ';
		int nargs = argc - words;
		if (nargs < v->min_args || nargs > v->max_args)
			return cli_err(CTL_EXIT_USAGE, "usage: hsyncctl %s%s%s", v->cmd,
			               v->args[0] ? " " : "", v->args);
	}
	if (config) {
		rc = socket_from_config(config, &from_config);
		if (rc != CTL_EXIT_OK)
			return rc;
		sock = from_config;
	}
	if (sock == NULL)
		sock = TP_CTL_DEFAULT_PATH;

	rc = ctl_exchange(sock, argc, argv, timeout_s * 1000, &raw);
	if (rc == CTL_EXIT_OK)
		rc = show((const char *)raw.data, v, json);
	hs_buf_free(&raw);
	free(from_config);
	return rc;
}
