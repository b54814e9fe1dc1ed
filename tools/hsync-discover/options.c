/* hsync-discover's command line and help text. */
#include "hsync-discover/hsync-discover.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "util/log.h"

const char hd_usage_text[] =
    "usage: hsync-discover [@SERVER] [-p PORT] --anchor FILE|'RR' [--anchor ...]\n"
    "                      [--insecure] [--now T] [-w S] [--tcp] [-v] IDENTITY...\n"
    "\n"
    "Find hsync peers through DNS and validate what is found with DNSSEC from\n"
    "the given trust anchors. For each IDENTITY the records a party publishes\n"
    "are looked up through SERVER (with DO=1, CD=1, RD=1):\n"
    "\n"
    "    _dns._tcp.IDENTITY  URI      \"dns://dns.IDENTITY:PORT/\" (absent: port 53)\n"
    "    dns.IDENTITY        A, AAAA  addresses (at least one)\n"
    "    dns.IDENTITY        KEY      SIG(0) key(s)\n"
    "    dns.IDENTITY        HPKEKEY  HPKE key(s) (type 65290)\n"
    "\n"
    "together with every DNSKEY and DS on the way from each RRset's signer up\n"
    "to the closest trust anchor. Every signature is checked here; the AD bit\n"
    "of the server is ignored. SERVER may be an authoritative server for all\n"
    "the zones involved (as in a lab) or a recursive resolver.\n"
    "\n"
    "Options:\n"
    "  @SERVER             IPv4 or IPv6 literal of the server (default 127.0.0.1);\n"
    "      --server ADDR   the same; -s ADDR is the old spelling, still accepted\n"
    "  -p, --port PORT     its port (default 53)\n"
    "  -a, --anchor A      a trust anchor: a file of DS and/or DNSKEY records (zone\n"
    "                      file syntax or unbound's 'trust-anchor: \"...\"' lines), or\n"
    "                      one such record given as text, e.g.\n"
    "                      'lab. IN DS 12345 15 2 4F3A...'; may be repeated. Anchors\n"
    "                      may be for any zone: the root, a TLD, an identity zone\n"
    "      --insecure      lab mode: accept RRsets that no anchor covers, without\n"
    "                      validation; warns on stderr at every use. RRsets under an\n"
    "                      anchor are still validated and refused when bogus\n"
    "      --now T         validate RRSIG time windows as of Unix time T (seconds)\n"
    "                      instead of the clock\n"
    "  -w, --timeout S     seconds to wait for each answer (default 3; 3 UDP tries);\n"
    "                      -t is the old spelling, still accepted\n"
    "      --tcp           query over TCP only\n"
    "  -v, --verbose       log every query and answer (debug level) to stderr\n"
    "  -V, --version       print the version and exit\n"
    "  -h, --help          this text\n"
    "\n"
    "Output: per identity a header line 'IDENTITY  ACCEPTED secure' (or\n"
    "'ACCEPTED insecure-lab', or 'REFUSED'), then one line per address, the port,\n"
    "each KEY and HPKEKEY in presentation form, and the lifetime: the smallest\n"
    "TTL on the chain, cut short by the earliest RRSIG expiration. A refused\n"
    "identity lists every name/type that failed and why (no RRSIG, signature\n"
    "does not verify, expired, no DNSKEY matches the trust anchor or DS, no DS\n"
    "at the parent, lookup failed, ...). Nothing of a refused identity is shown.\n"
    "\n"
    "Examples:\n"
    "  hsync-discover @127.0.0.1 -p 5300 --anchor Klab.+015+12345.ds alpha.lab\n"
    "  hsync-discover @::1 --anchor /etc/hsync/anchors.conf alpha.example bravo.example\n"
    "  hsync-discover -p 5300 --insecure alpha.lab      (lab only: no validation)\n"
    "\n"
    "Exit status: 0 every identity accepted (secure, or insecure-lab with\n"
    "--insecure), 1 at least one refused, 2 usage error or unreadable anchor.\n";

static const struct option longopts[] = {
    {"server", required_argument, NULL, 's'}, {"port", required_argument, NULL, 'p'},
    {"anchor", required_argument, NULL, 'a'}, {"insecure", no_argument, NULL, 'I'},
    {"now", required_argument, NULL, 'N'},    {"timeout", required_argument, NULL, 'w'},
    {"tcp", no_argument, NULL, 'T'},          {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
};

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int add_anchor(struct hd_opts *o, const char *arg)
{
	hs_errmsg_t em;
	int rc;
	hs_errmsg_clear(&em);
	if (access(arg, R_OK) == 0)
		rc = dv_anchors_load_file(o->anchors, arg, &em);
	else
		rc = dv_anchors_add_text(o->anchors, arg, &em);
	if (rc != HS_OK)
		return cli_err(HD_EXIT_USAGE, "--anchor '%s': %s", arg, hs_errmsg_str(&em));
	o->nanchors++;
	return -1;
}

int hd_parse_args(int argc, char **argv, struct hd_opts *o)
{
	unsigned long long v;
	int c, rc;
	memset(o, 0, sizeof(*o));
	o->server = "127.0.0.1";
	o->port = 53;
	o->timeout_s = 3;
	o->anchors = dv_anchors_new();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:p:a:t:w:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (strcmp(argv[optind - 1], "--server") != 0 &&
			    strncmp(argv[optind - 1], "--server=", 9) != 0)
				fprintf(stderr, "hsync-discover: -s is the old spelling of "
				                "@SERVER (or --server)\n");
			o->server = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, 65535, &v) || v == 0)
				return cli_err(HD_EXIT_USAGE, "-p: '%s' is not a port", optarg);
			o->port = (unsigned)v;
			break;
		case 'a':
			if ((rc = add_anchor(o, optarg)) >= 0)
				return rc;
			break;
		case 'I':
			o->insecure = 1;
			break;
		case 'N':
			if (parse_uint(optarg, 0xFFFFFFFFull, &v))
				return cli_err(HD_EXIT_USAGE, "--now: '%s' is not a Unix time",
				               optarg);
			o->have_now = 1;
			o->now_s = v;
			break;
		case 't':
			fprintf(stderr, "hsync-discover: -t is the old spelling of -w/--timeout\n");
			/* fall through */
		case 'w':
			if (parse_uint(optarg, 300, &v) || v == 0)
				return cli_err(HD_EXIT_USAGE, "-t: '%s' is not 1..300 seconds",
				               optarg);
			o->timeout_s = (unsigned)v;
			break;
		case 'T':
			o->tcp = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			fputs(hd_usage_text, stdout);
			return HD_EXIT_OK;
		default:
			return cli_err(HD_EXIT_USAGE,
			               "unknown or incomplete option '%s' (try --help)",
			               argv[optind - 1]);
		}
	}
	/* @SERVER anywhere among the identities, as hsdig and dig take it */
	o->ids = argv + optind;
	o->nids = 0;
	for (int i = optind; i < argc; i++) {
		if (argv[i][0] == '@')
			o->server = argv[i] + 1;
		else
			o->ids[o->nids++] = argv[i];
	}
	if (o->nids == 0)
		return cli_err(HD_EXIT_USAGE, "no IDENTITY given (try --help)");
	if (o->nanchors == 0 && !o->insecure)
		return cli_err(HD_EXIT_USAGE,
		               "no trust anchor: give --anchor, or --insecure for a lab");
	if (o->verbose)
		hs_log_set_level(HS_LOG_DEBUG);
	return -1;
}

void hd_opts_free(struct hd_opts *o)
{
	dv_anchors_free(o->anchors);
	o->anchors = NULL;
}
