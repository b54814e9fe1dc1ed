/* hsync-conform -- an over-the-wire conformance suite for implementations
 * of the hsync protocol (main.c: command line and the run). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "hsync-conform/conform.h"
#include "transport/names.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum { CFX_OK = 0, CFX_FAIL = 1, CFX_USAGE = 2, CFX_SETUP = 3, CFX_NOTHING = 4 };

static const cf_suite_t *const suites[] = {&cf_suite_discovery, &cf_suite_transport,
                                           &cf_suite_agents};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

static const char usage[] =
    "usage: hsync-conform --target ADDR@PORT --identity ID [--keys DIR] [options]\n"
    "       hsync-conform keygen --identity ID [--dir DIR]\n"
    "       hsync-conform list\n"
    "\n"
    "Test an implementation of the hsync protocol over the network. hsync-conform\n"
    "plays the other parties against the implementation under test (the\n"
    "\"target\"): a peer agent that sends it well-formed and deliberately wrong\n"
    "DNS messages, a zone owner's primary serving it a shared zone, and the\n"
    "publisher of its own DNSSEC-signed identity zone. Every scenario of the\n"
    "catalogue checks requirements of the drafts (rfc-drafts/, ids such as\n"
    "TP-12 listed in rfc-drafts/requirements.md) and gets one verdict:\n"
    "\n"
    "  pass            the target did what the requirements say\n"
    "  FAIL            it did not; the report shows what was sent and what came\n"
    "                  back (decoded DNS messages)\n"
    "  n/a             not applicable: the target does not implement an optional\n"
    "                  part (a SHOULD or MAY), e.g. it does not answer PING echo\n"
    "  could not run   a precondition failed (no keys for the target, no HELLO\n"
    "                  from it); the reason is shown\n"
    "\n"
    "Suites (--suite, default all of them):\n"
    "  discovery   what the target publishes (draft-hsync-discovery section 2),\n"
    "              looked up through --resolver (default: the target itself) and\n"
    "              validated from --anchor\n"
    "  transport   NOTIFY and CHUNK both ways, inline and fetched, receipts, every\n"
    "              refusal of draft-hsync-transport section 8 and draft-hsync-sig0,\n"
    "              replays, time windows, sizes and TCP\n"
    "  agents      HELLO accepted and refused, BEAT timing and state, the gossip\n"
    "              matrix and the group id (draft-hsync-agents)\n"
    "'hsync-conform list' prints every scenario with its requirement ids.\n"
    "\n"
    "Keys. conform brings its own: 'hsync-conform keygen' makes them once and\n"
    "prints what the target must be told (conform's KEY and HPKEKEY records,\n"
    "or the DS of conform's identity zone for DNSSEC-validated discovery). The\n"
    "target's keys come either from its published records (discovery suite:\n"
    "give --anchor) or explicitly (--target-key, --target-hpkekey), for an\n"
    "implementation with a static peer table. The report names the key mode.\n"
    "\n"
    "Setting up the target (see README, \"Testing your implementation with\n"
    "hsync-conform\"):\n"
    "  - transport: the target knows conform (identity ID of --keys) as a peer\n"
    "    at the --listen address, with the keys keygen printed;\n"
    "  - agents: the target serves --zone with conform (--listen) as its primary,\n"
    "    finds conform by discovery with --listen as its resolver (conform serves\n"
    "    its own identity zone there) and the DS keygen printed as trust anchor;\n"
    "    the zone lists the target, conform and a third provider --ghost ON.\n"
    "\n"
    "Options:\n"
    "  --target ADDR@PORT    the target's address (ADDR:PORT and [v6]:PORT too)\n"
    "  --identity ID         the target's identity\n"
    "  --keys DIR            conform's keys, made by 'hsync-conform keygen' (.)\n"
    "  --listen ADDR@PORT    where conform serves (default 127.0.0.1, any port);\n"
    "                        the target sends its messages, transfers and\n"
    "                        discovery queries there\n"
    "  --suite LIST          comma-separated suites to run\n"
    "  --scenario ID         run only this scenario (repeatable)\n"
    "  --target-key KEY      the target's SIG(0) KEY: a record or a .key file\n"
    "                        (repeatable); with --target-hpkekey: no discovery\n"
    "  --target-hpkekey REC  its HPKEKEY: a record, or a file holding one\n"
    "  --anchor FILE         trust anchors (DS or DNSKEY records) for validating\n"
    "                        the target's identity zone\n"
    "  --insecure-discovery  accept the target's records without DNSSEC (labs;\n"
    "                        the report says so)\n"
    "  --resolver ADDR@PORT  where to look the target's records up (default:\n"
    "                        the target, which may serve its own identity zone)\n"
    "  --zone NAME           the shared zone conform serves (hsync-conform.test.)\n"
    "  --ghost ID            a third provider listed ON in it, which never answers\n"
    "                        (ghost.hsync-conform.test.)\n"
    "  --alt-source ADDR     a second local address to send replays from\n"
    "                        (default 127.0.0.2 for a loopback target)\n"
    "  --wait MS             longest wait for one answer or event (5000)\n"
    "  --json                the report as JSON on standard output\n"
    "  --junit FILE          also write a JUnit XML report to FILE\n"
    "  -v                    verbose: details of passing scenarios, and the log\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 every scenario that ran passed, 1 a scenario failed,\n"
    "2 usage error, 3 set-up failed (keys, address), 4 nothing could be checked.\n";

static void list(FILE *f)
{
	for (size_t s = 0; s < NSUITES; s++) {
		fprintf(f, "%s: %s\n", suites[s]->name, suites[s]->what);
		for (size_t i = 0; i < suites[s]->n; i++)
			fprintf(f, "  %-28s %-26s %s\n", suites[s]->rows[i].id,
			        suites[s]->rows[i].reqs, suites[s]->rows[i].title);
	}
}

/* "ADDR@PORT", "ADDR:PORT" (IPv4), "[V6]:PORT", or an address alone
 * (port 0). */
static int parse_addr(const char *s, char ip[64], uint16_t *port)
{
	char buf[64], *p = NULL, *end;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", s);
	*port = 0;
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');
		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return -1;
		*rb = '\0';
		snprintf(ip, 64, "%s", buf + 1);
		if (rb[1] == '\0')
			return 0;
		p = rb + 1;
	} else if ((p = strrchr(buf, '@')) != NULL ||
	           ((p = strchr(buf, ':')) != NULL && strchr(p + 1, ':') == NULL)) {
		*p = '\0';
		snprintf(ip, 64, "%s", buf);
	} else {
		snprintf(ip, 64, "%s", buf);
		return 0;
	}
	v = strtoul(p + 1, &end, 10);
	if (p[1] == '\0' || *end != '\0' || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int want(const char *list_csv, const char *name)
{
	size_t n = strlen(name);
	const char *p = list_csv;
	while (p != NULL && *p) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && strncmp(p, name, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static void run_suite(cf_t *c, const cf_suite_t *s, const char **only, size_t nonly)
{
	char why[512] = "";
	int prepared = -1;

	for (size_t i = 0; i < s->n; i++) {
		const cf_scenario_t *sc = &s->rows[i];
		size_t k;
		for (k = 0; k < nonly && strcmp(only[k], sc->id) != 0; k++)
			;
		if (nonly > 0 && k == nonly)
			continue;
		if (prepared < 0)
			prepared = s->prepare == NULL ? HS_OK : s->prepare(c, why, sizeof(why));
		cf_result_t *r = &c->res[c->nres++];
		memset(r, 0, sizeof(*r));
		r->suite = s->name;
		r->sc = sc;
		c->cur = r;
		c->cur_suite = s->name;
		uint64_t t0 = cf_now_ms(c);
		if (prepared != HS_OK)
			cf_norun(c, "%s", why);
		else
			sc->run(c);
		r->ms = cf_now_ms(c) - t0;
		c->cur = NULL;
		if (c->verbose)
			fprintf(stderr, "%s: %s %s\n", CF_PROG, sc->id,
			        cf_verdict_name(r->verdict));
	}
}

static int run_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"target", required_argument, NULL, 't'},
	    {"identity", required_argument, NULL, 'i'},
	    {"keys", required_argument, NULL, 'k'},
	    {"listen", required_argument, NULL, 'l'},
	    {"suite", required_argument, NULL, 's'},
	    {"scenario", required_argument, NULL, 'S'},
	    {"target-key", required_argument, NULL, 'K'},
	    {"target-hpkekey", required_argument, NULL, 'H'},
	    {"anchor", required_argument, NULL, 'a'},
	    {"insecure-discovery", no_argument, NULL, 'I'},
	    {"resolver", required_argument, NULL, 'r'},
	    {"zone", required_argument, NULL, 'z'},
	    {"ghost", required_argument, NULL, 'g'},
	    {"alt-source", required_argument, NULL, 'A'},
	    {"wait", required_argument, NULL, 'w'},
	    {"json", no_argument, NULL, 'j'},
	    {"junit", required_argument, NULL, 'J'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	cf_t c;
	const char *target = NULL, *ident = NULL, *listen = "127.0.0.1@0", *suite_csv = NULL;
	const char *junit = NULL, *resolver = NULL;
	const char **only = xcalloc((size_t)argc + 1, sizeof(*only));
	const char **tkeys = xcalloc((size_t)argc + 1, sizeof(*tkeys));
	size_t nonly = 0, total = 0;
	int json = 0, opt, rc = CFX_USAGE;
	hs_errmsg_t em;
	char *end;

	memset(&c, 0, sizeof(c));
	c.keydir = ".";
	c.zone = "hsync-conform.test.";
	c.ghost = "ghost.hsync-conform.test.";
	c.wait_ms = 5000;
	c.target_key_args = tkeys;
	hs_log_set_level(HS_LOG_WARN);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			target = optarg;
			break;
		case 'i':
			ident = optarg;
			break;
		case 'k':
			c.keydir = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 's':
			suite_csv = optarg;
			break;
		case 'S':
			only[nonly++] = optarg;
			break;
		case 'K':
			tkeys[c.ntarget_key_args++] = optarg;
			break;
		case 'H':
			c.target_hpke_arg = optarg;
			break;
		case 'a':
			c.anchor_file = optarg;
			break;
		case 'I':
			c.insecure_discovery = 1;
			break;
		case 'r':
			resolver = optarg;
			break;
		case 'z':
			c.zone = optarg;
			break;
		case 'g':
			c.ghost = optarg;
			break;
		case 'A':
			snprintf(c.alt_ip, sizeof(c.alt_ip), "%s", optarg);
			break;
		case 'w':
			c.wait_ms = (unsigned)strtoul(optarg, &end, 10);
			if (*end != '\0' || c.wait_ms < 100 || c.wait_ms > 600000) {
				rc = cli_err(CFX_USAGE, "--wait: 100..600000 milliseconds");
				goto cleanup;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'J':
			junit = optarg;
			break;
		case 'v':
			c.verbose = 1;
			hs_log_set_level(HS_LOG_INFO);
			break;
		case 'h':
			fputs(usage, stdout);
			rc = CFX_OK;
			goto cleanup;
		default:
			fputs(usage, stderr);
			goto cleanup;
		}
	}
	if (target == NULL || ident == NULL || optind != argc) {
		fputs(usage, stderr);
		goto cleanup;
	}
	if ((c.ntarget_key_args > 0) != (c.target_hpke_arg != NULL)) {
		rc = cli_err(CFX_USAGE, "--target-key and --target-hpkekey go together");
		goto cleanup;
	}
	if (parse_addr(target, c.target_ip, &c.target_port) != 0 || c.target_port == 0 ||
	    tp_peer_addr_parse(c.target_ip, c.target_port, &c.target) != HS_OK) {
		rc = cli_err(CFX_USAGE, "--target: ADDR@PORT with an address literal and a port");
		goto cleanup;
	}
	if (tp_ident_canon(ident, c.target_id) != HS_OK) {
		rc = cli_err(CFX_USAGE, "--identity: '%s' is not a plain host name", ident);
		goto cleanup;
	}
	if (parse_addr(listen, c.listen_ip, &c.listen_port) != 0) {
		rc = cli_err(CFX_USAGE, "--listen: ADDR@PORT");
		goto cleanup;
	}
	{
		char rip[64];
		uint16_t rport = 0;
		if (resolver != NULL &&
		    (parse_addr(resolver, rip, &rport) != 0 ||
		     tp_peer_addr_parse(rip, rport ? rport : 53, &c.resolver) != HS_OK)) {
			rc = cli_err(CFX_USAGE, "--resolver: ADDR@PORT");
			goto cleanup;
		}
		if (resolver == NULL)
			c.resolver = c.target;
		c.have_resolver = 1;
	}
	if (c.alt_ip[0] == '\0' && strncmp(c.target_ip, "127.", 4) == 0)
		snprintf(c.alt_ip, sizeof(c.alt_ip), "127.0.0.2");
	for (size_t s = 0; s < NSUITES; s++)
		total += suites[s]->n;
	c.res = xcalloc(total, sizeof(*c.res));

	hs_errmsg_clear(&em);
	if (cf_setup(&c, &em) != HS_OK) {
		rc = cli_err(CFX_SETUP, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (!json)
		printf("hsync-conform: target %s at %s port %u; conform is %s at %s port %u\n",
		       c.target_id, c.target_ip, (unsigned)c.target_port, c.self, c.listen_ip,
		       (unsigned)c.listen_port);
	fflush(stdout);
	for (size_t s = 0; s < NSUITES; s++)
		if (suite_csv == NULL || want(suite_csv, suites[s]->name))
			run_suite(&c, suites[s], only, nonly);
	if (json) {
		if (cf_report_json(&c, "-") != HS_OK)
			cli_err(CFX_FAIL, "cannot write the JSON report");
	} else {
		printf("keys of the target: %s\n",
		       c.key_mode[0] ? c.key_mode : "none (nothing needed them)");
		cf_report_table(&c, stdout);
	}
	if (junit != NULL && cf_report_junit(&c, junit) != HS_OK)
		cli_err(CFX_FAIL, "cannot write '%s'", junit);
	{
		size_t pass = 0, fail = 0;
		for (size_t i = 0; i < c.nres; i++) {
			pass += c.res[i].verdict == CF_PASS;
			fail += c.res[i].verdict == CF_FAIL;
		}
		rc = fail > 0 ? CFX_FAIL : pass == 0 ? CFX_NOTHING : CFX_OK;
	}
cleanup:
	for (size_t i = 0; i < c.nres; i++)
		hs_buf_free(&c.res[i].detail);
	free(c.res);
	cf_teardown(&c);
	free(only);
	free(tkeys);
	return rc;
}

static int list_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	list(stdout);
	return CFX_OK;
}

int main(int argc, char **argv)
{
	static const struct cli_subcmd cmds[] = {
	    {"keygen", cf_keygen_main, "make the keys conform brings, print what to configure"},
	    {"list", list_main, "print the catalogue: scenarios and requirement ids"},
	    {"run", run_main, "test a target (the default when options come first)"},
	};
	cli_prog = CF_PROG;
	hs_log_set_ident(CF_PROG);
	/* options first mean "run"; the options every hsync program has
	 * (help, version, man page) are the dispatcher's */
	static const char *const common[] = {"-h", "--help", "-V", "--version", "--help-man"};
	int is_common = 0;
	for (size_t i = 0; argc >= 2 && i < sizeof(common) / sizeof(common[0]); i++)
		is_common |= strcmp(argv[1], common[i]) == 0;
	if (argc >= 2 && argv[1][0] == '-' && !is_common)
		return run_main(argc, argv);
	return cli_dispatch(CF_PROG, usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
