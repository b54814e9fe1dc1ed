/* hsyncd -- the hsync agent daemon (all the work lives in src/daemon). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cli.h"
#include "daemon/hd.h"
#include "daemon/svc.h"

static const char usage[] =
    "usage: hsyncd -c FILE [-f|--foreground] [-d|--daemon] [--check-config]\n"
    "              [--help-config] [-v] [-V]\n"
    "\n"
    "Run an hsync agent: serve the configured customer zones as a secondary\n"
    "(AXFR, SOA refresh, NOTIFY from the primary), find the other providers\n"
    "listed in each zone's HSYNC3 through DNSSEC-validated DNS, introduce\n"
    "ourselves (HELLO), keep heartbeats (BEAT) and the provider groups'\n"
    "gossip matrix, and answer hsyncctl on the control socket.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE   configuration file (see --help-config and hsyncd.conf(5))\n"
    "  -f, --foreground    stay in the foreground, log to stderr (default)\n"
    "  -d, --daemon        detach once started: the keys, the store, the ports\n"
    "                      and the control socket are opened first, and a\n"
    "                      start that fails exits non-zero with the reason on\n"
    "                      stderr; the log goes to syslog (or log-file)\n"
    "      --check-config  check the configuration and what a start needs (key\n"
    "                      files private and loadable, the directories of the\n"
    "                      store, control socket, pidfile and log file), as the\n"
    "                      configured user when run as root; then exit\n"
    "      --help-config   print every configuration option and exit\n"
    "      --help-config-man  the same as the man page hsyncd.conf(5)\n"
    "  -v, --verbose       log at level debug (overrides log-level)\n"
    "  -V, --version       print the version and exit (-v is verbose, unlike\n"
    "                      nsd -v, because -v means verbose in every hsync tool)\n"
    "  -h, --help          this text\n"
    "\n"
    "Service: started as root with username: set, hsyncd switches to that\n"
    "user before it opens anything, keeping only the right to bind ports\n"
    "below 1024 (and to give the control socket its group) until the ports\n"
    "are bound; then it holds no privilege at all. The store is locked: a\n"
    "second hsyncd on the same store is refused, naming the first one's pid.\n"
    "Under systemd (Type=notify) it reports READY, RELOADING and STOPPING\n"
    "over $NOTIFY_SOCKET. The pidfile: is written once the start succeeded.\n"
    "\n"
    "Signals: SIGHUP (or hsyncctl reload) re-reads the configuration and\n"
    "applies, with peers kept up: log-level, beat-interval (a BEAT with the\n"
    "new interval goes out at once), zones added or removed, new primaries,\n"
    "zone refresh-min/retry-min, the resolver and the trust anchors (every\n"
    "peer is looked up and judged again); the log file is opened again. The\n"
    "identity, listen, store, the key files, control-socket and its mode and\n"
    "group, username, pidfile, log-file, syslog, transfers-in and the\n"
    "transport section keep their running values until a restart; the log\n"
    "(and hsyncctl reload) names any that changed. A file that does not load\n"
    "is refused and nothing changes; hsyncctl reload then exits 1 with the\n"
    "reason. SIGTERM and SIGINT stop cleanly (the message queue is kept in\n"
    "the store).\n"
    "\n"
    "Exit status: 0 stopped cleanly or the configuration is valid; 1 runtime\n"
    "failure; 2 usage error; 3 configuration, key, store or bind failure.\n";

static const char conf_intro[] =
    "hsyncd(8) reads its configuration from the file named with -c, conventionally\n"
    "/etc/hsync/hsyncd.conf. The same file is read again on SIGHUP and\n"
    "'hsyncctl reload'; hsyncctl -c reads the control-socket option from it.\n"
    "'hsyncd -c FILE --check-config' checks a file and what a start needs;\n"
    "'hsyncd --help-config' prints the reference below as a commented\n"
    "configuration.\n"
    "\n"
    "Paths are used as written: give absolute paths for a service. The files\n"
    "hsyncd reads (this file, the key files, trust anchor files) must be\n"
    "readable by the user it runs as (username), because a reload reads them\n"
    "again; private key files must have mode 0600 or 0640.\n";

static const char conf_files[] =
    "/etc/hsync/hsyncd.conf (the configuration), /var/lib/hsync/ (the store and\n"
    "its lock file), /run/hsync/hsyncd.sock (the control socket),\n"
    "/run/hsync/hsyncd.pid (the pidfile), as installed by 'make install' with the\n"
    "default sysconfdir, localstatedir and the tmpfiles.d rule.\n";

static void print_conf_man(void)
{
	char source[64];
	conf_man_t m = {"hsyncd.conf", "configuration file of hsyncd, the hsync agent",
	                source,        conf_intro,
	                conf_files,    "hsyncd(8), hsyncctl(8), hsync-keygen(1)"};

	snprintf(source, sizeof(source), "%s %s", HS_PACKAGE, HS_VERSION);
	conf_dump_man(hd_conf_schema(), &m, stdout);
}

/* What a start needs, checked as the user hsyncd would run as: root
 * checks in a child that gives up root first. */
static int check_files(const hd_config_t *cfg)
{
	hs_errmsg_t em;
	svc_user_t u;
	pid_t pid;
	int st;

	hs_errmsg_clear(&em);
	if (cfg->username != NULL && svc_user_lookup(cfg->username, &u, &em) != HS_OK)
		return cli_err(3, "%s: server.username: %s", cfg->path, hs_errmsg_str(&em));
	if (cfg->username != NULL && geteuid() == 0 && u.uid != 0) {
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return cli_err(1, "cannot check as '%s': fork failed", cfg->username);
		if (pid == 0) {
			if (svc_become_user(&u, 0, &em) != HS_OK ||
			    hd_config_check_files(cfg, &em) != HS_OK)
				_exit(cli_err(3, "%s (checked as user '%s')", hs_errmsg_str(&em),
				              u.name));
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			return cli_err(1, "the check as '%s' did not finish", cfg->username);
		return WEXITSTATUS(st);
	}
	if (cfg->username != NULL && geteuid() != u.uid)
		return cli_err(3, "%s: server.username: '%s': only root can switch to it",
		               cfg->path, cfg->username);
	if (hd_config_check_files(cfg, &em) != HS_OK)
		return cli_err(3, "%s", hs_errmsg_str(&em));
	return 0;
}

/* Where the log goes: log-file, else syslog (daemon mode or syslog: yes),
 * else stderr. Without a syslog socket the log stays on stderr, which a
 * daemon then keeps open (*keep_stderr). */
static int setup_log(const hd_config_t *c, int daemon_mode, int *keep_stderr, hs_errmsg_t *em)
{
	*keep_stderr = 0;
	if (c->log_file != NULL)
		return hs_log_use_file(c->log_file, em);
	if (daemon_mode || c->syslog) {
		if (hs_log_use_syslog(1) == HS_OK)
			return HS_OK;
		fprintf(stderr,
		        "hsyncd: warning: no syslog socket at '%s': logging to stderr instead%s "
		        "(set log-file: for a file)\n",
		        HS_LOG_SYSLOG_PATH,
		        daemon_mode ? ", which stays open after detaching" : "");
	}
	*keep_stderr = 1;
	return HS_OK;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"config", required_argument, NULL, 'c'}, {"foreground", no_argument, NULL, 'f'},
	    {"daemon", no_argument, NULL, 'd'},       {"check-config", no_argument, NULL, 'C'},
	    {"help-config", no_argument, NULL, 'H'},  {"help-config-man", no_argument, NULL, 'M'},
	    {"verbose", no_argument, NULL, 'v'},      {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *path = NULL;
	int daemon_mode = 0, check = 0, verbose = 0, keep_stderr = 1, report = -1, c, rc;
	hd_config_t cfg;
	hd_t *d = NULL;
	hs_errmsg_t em;

	rc = cli_start("hsyncd", argc, argv, usage, NULL);
	if (rc >= 0)
		return rc;
	while ((c = getopt_long(argc, argv, "c:fdvVh", lo, NULL)) != -1) {
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
		case 'M':
			print_conf_man();
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("try 'hsyncd --help'\n", stderr);
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
		rc = check_files(&cfg);
		if (rc == 0)
			printf("%s: configuration ok (%zu zone%s)\n", path, cfg.nzones,
			       cfg.nzones == 1 ? "" : "s");
		hd_config_clear(&cfg);
		return rc;
	}
	hs_log_set_ident("hsyncd");
	hs_log_set_level(verbose ? HS_LOG_DEBUG : cfg.log_level);
	if (daemon_mode && svc_detach(&report, &em) != HS_OK) {
		hd_config_clear(&cfg);
		return cli_err(1, "%s", hs_errmsg_str(&em));
	}
	hd_signals_install();
	/* the user first: the log file is opened (and reopened after a
	 * rotation) by the user the daemon runs as */
	if (hd_become_user(&cfg, &em) != HS_OK ||
	    setup_log(&cfg, daemon_mode, &keep_stderr, &em) != HS_OK ||
	    hd_start(&cfg, &d, &em) != HS_OK) {
		hd_config_clear(&cfg);
		/* said once: on stderr, and in the log when the log is elsewhere */
		if (strcmp(hs_log_sink(), "stderr") != 0)
			hs_log(HS_LOG_ERR, "hsyncd", "cannot start: %s", hs_errmsg_str(&em));
		if (report >= 0) {
			svc_detach_done(report, 3, hs_errmsg_str(&em), keep_stderr);
			return 3;
		}
		return cli_err(3, "%s", hs_errmsg_str(&em));
	}
	svc_detach_done(report, 0, NULL, keep_stderr);
	(void)svc_notify("READY=1\nSTATUS=agent '%s' running", hd_identity(d));
	rc = hd_run(d);
	hd_free(d);
	hs_log(HS_LOG_NOTICE, "hsyncd", "stopped");
	return rc == HS_OK ? 0 : 1;
}
