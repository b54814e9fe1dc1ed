/* hsync-tp status */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/cli.h"
#include "hsync-tp/hsync-tp.h"
#include "util/file.h"
#include "util/log.h"

static const char status_usage[] =
    "usage: hsync-tp status -c FILE [--list]\n"
    "\n"
    "Print the state of the node of configuration FILE, read from its store\n"
    "(works while the node runs, and when it does not), as \"name value\" lines:\n"
    "    outq_pending, outq_delivered, outq_rejected, outq_expired\n"
    "    inbox              messages received but not yet acknowledged\n"
    "    replay_entries     ids in the seen-id cache\n"
    "then the counters the last running node wrote to <store>.stats (and\n"
    "\"stats_age_s\", seconds since they were written), if any.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE  the node's configuration\n"
    "  --list             also one line per pending queue item:\n"
    "                     pending id=<hex> to=<identity> type=<TYPE> attempts=<n>\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 printed, 2 usage error, 3 configuration or store failure.\n";

static int print_store(st_t *st, int list)
{
	static const struct {
		const char *name;
		int state;
	} states[] = {
	    {"outq_pending", ST_OUTQ_PENDING},
	    {"outq_delivered", ST_OUTQ_DELIVERED},
	    {"outq_rejected", ST_OUTQ_REJECTED},
	    {"outq_expired", ST_OUTQ_EXPIRED},
	};
	st_outq_list_t l = {NULL, 0};
	char id[2 * TP_MSGID_LEN + 1];
	uint64_t n;
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (st_outq_count(st, states[i].state, &n) != HS_OK)
			return -1;
		printf("%s %llu\n", states[i].name, (unsigned long long)n);
	}
	if (st_inbox_count(st, &n) != HS_OK)
		return -1;
	printf("inbox %llu\n", (unsigned long long)n);
	if (st_replay_count(st, &n) != HS_OK)
		return -1;
	printf("replay_entries %llu\n", (unsigned long long)n);
	if (!list)
		return 0;
	if (st_outq_pending(st, &l) != HS_OK)
		return -1;
	for (i = 0; i < l.n; i++) {
		tptool_id_hex(l.v[i].msgid, id);
		printf("pending id=%s to=%s type=%s attempts=%u\n", id, l.v[i].peer, l.v[i].type,
		       (unsigned)l.v[i].attempts);
	}
	st_outq_list_free(&l);
	return 0;
}

int tptool_status_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"list", no_argument, NULL, 'L'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *cfgpath = NULL;
	tp_conf_t conf;
	st_t *st = NULL;
	hs_errmsg_t em;
	hs_buf_t stats = HS_BUF_INIT;
	char *stats_path = NULL;
	struct stat sb;
	int c, list = 0, rc = TPX_CONFIG;

	memset(&conf, 0, sizeof(conf));
	hs_log_set_ident("hsync-tp");
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'L':
			list = 1;
			break;
		case 'h':
			fputs(status_usage, stdout);
			return TPX_OK;
		default:
			fputs(status_usage, stderr);
			return TPX_USAGE;
		}
	}
	if (cfgpath == NULL || optind != argc) {
		fputs(status_usage, stderr);
		return TPX_USAGE;
	}
	if (tp_conf_load(cfgpath, &conf, &em) != HS_OK) {
		rc = cli_err(TPX_CONFIG, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (st_open(conf.store, &st, &em) != HS_OK) {
		rc = cli_err(TPX_CONFIG, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (print_store(st, list) != 0) {
		rc = cli_err(TPX_CONFIG, "cannot read the store \"%s\"", conf.store);
		goto cleanup;
	}
	stats_path = tptool_stats_path(&conf);
	if (stat(stats_path, &sb) == 0 && hs_read_file(stats_path, &stats, 65536) == HS_OK) {
		printf("stats_age_s %lld\n", (long long)(time(NULL) - sb.st_mtime));
		fwrite(stats.data, 1, stats.len, stdout);
	}
	rc = TPX_OK;
cleanup:
	st_close(st);
	tp_conf_clear(&conf);
	hs_buf_free(&stats);
	free(stats_path);
	return rc;
}
