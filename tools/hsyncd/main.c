/* hsyncd -- the hsync agent daemon (all the work lives in src/daemon). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "daemon/hd.h"

static const char usage[] =
    "usage: hsyncd -c FILE [-f|--foreground] [-d|--daemon] [--check-config]\n"
    "              [--help-config] [-v]\n"
    "\n"
    "Run an hsync agent: serve the configured customer zones as a secondary\n"
    "(AXFR, SOA refresh, NOTIFY from the primary), find the other providers\n"
    "listed in each zone's HSYNC3 through DNSSEC-validated DNS, introduce\n"
    "ourselves (HELLO), keep heartbeats (BEAT) and the provider groups'\n"
    "gossip matrix, and answer hsyncctl on the control socket.\n"
    "\n"
    "  -c, --config FILE   configuration file (see --help-config)\n"
    "  -f, --foreground    stay in the foreground, log to stderr (default)\n"
    "  -d, --daemon        detach and log to syslog\n"
    "      --check-config  read and check the configuration, then exit\n"
    "      --help-config   print every configuration option and exit\n"
    "  -v, --verbose       log at level debug (overrides log-level)\n"
    "  -h, --help          this text\n"
    "\n"
    "Signals: SIGHUP (or hsyncctl reload) re-reads the configuration and\n"
    "applies, with peers kept up: log-level, beat-interval (a BEAT with the\n"
    "new interval goes out at once), zones added or removed, new primaries,\n"
    "zone refresh-min/retry-min, the resolver and the trust anchors (every\n"
    "peer is looked up and judged again). identity, listen, store, the key\n"
    "files, control-socket, transfers-in and the transport section keep\n"
    "their running values until a restart; the log names any that changed.\n"
    "A file that does not parse is refused and nothing changes.\n"
    "SIGTERM and SIGINT stop cleanly (the message queue is kept in the store).\n"
    "\n"
    "Exit status: 0 stopped cleanly or the configuration is valid; 1 runtime\n"
    "failure; 2 usage error; 3 configuration, key, store or bind failure.\n";

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"config", required_argument, NULL, 'c'}, {"foreground", no_argument, NULL, 'f'},
	    {"daemon", no_argument, NULL, 'd'},       {"check-config", no_argument, NULL, 'C'},
	    {"help-config", no_argument, NULL, 'H'},  {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int daemon_mode = 0, check = 0, verbose = 0, c, rc;
	hd_config_t cfg;
	hd_t *d = NULL;
	hs_errmsg_t em;

	while ((c = getopt_long(argc, argv, "c:fdvh", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			daemon_mode = 0;
			break;
		case 'd':
			daemon_mode = 1;
			break;
		case 'C':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'H':
			conf_dump_help(hd_conf_schema(), stdout);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (path == NULL || optind != argc)
		return cli_err(2, "usage: hsyncd -c FILE [options]; hsyncd --help for more");
	hs_errmsg_clear(&em);
	memset(&cfg, 0, sizeof(cfg));
	if (hd_config_load(path, &cfg, &em) != HS_OK)
		return cli_err(3, "%s", hs_errmsg_str(&em));
	if (check) {
		printf("%s: configuration ok (%zu zones)\n", path, cfg.nzones);
		hd_config_clear(&cfg);
		return 0;
	}
	hs_log_set_ident("hsyncd");
	hs_log_set_level(verbose ? HS_LOG_DEBUG : cfg.log_level);
	if (daemon_mode) {
		if (daemon(1, 0) != 0) {
			hd_config_clear(&cfg);
			return cli_err(1, "cannot detach");
		}
		hs_log_use_syslog(1);
	} else if (cfg.syslog) {
		hs_log_use_syslog(1);
	}
	hd_signals_install();
	if (hd_new(&cfg, &d, &em) != HS_OK) {
		hd_config_clear(&cfg);
		hs_log(HS_LOG_ERR, "hsyncd", "cannot start: %s", hs_errmsg_str(&em));
		return daemon_mode ? 3 : cli_err(3, "%s", hs_errmsg_str(&em));
	}
	rc = hd_run(d);
	hd_free(d);
	hs_log(HS_LOG_NOTICE, "hsyncd", "stopped");
	return rc == HS_OK ? 0 : 1;
}
