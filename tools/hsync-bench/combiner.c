/* hsync-bench combiner -- one combiner's cost: UPDATEs taken in (each one
 * store transaction before its CONFIRM, SYNC-42) against bare SQLite
 * commits of the same durability, and a restart with N zones x 3
 * contributing providers (load the store, load every zone, compute every
 * combined apex) against reading the same rows with a bare SELECT. */
#include "hsync-bench/hsync-bench.h"

#include <ftw.h>
#include <getopt.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/cli.h"
#include "engine/combiner/combiner.h"
#include "engine/syncmsg.h"
#include "util/env.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"
#include "wire/text.h"

static const char bench_combiner_usage[] =
    "usage: hsync-bench combiner [--zones N] [--updates M] [--json]\n"
    "\n"
    "1. M UPDATEs (one NS set each) from the agent into one combiner over a\n"
    "   fresh store, each stored in its own transaction before its CONFIRM\n"
    "   is queued; the limit is M bare SQLite commits (WAL, synchronous=FULL,\n"
    "   one row each) on the same file system in the same run.\n"
    "2. A store holding N zones x 3 contributing providers (2 NS each) is\n"
    "   reopened: the combiner loads it, every zone is loaded (HSYNC3,\n"
    "   HSYNCPARAM, the owner's NS) and every combined apex computed; the\n"
    "   limit is reading the same rows with one bare SELECT. Bytes per zone:\n"
    "   the store file, and the combiner's heap (glibc mallinfo2).\n"
    "\n"
    "Options:\n"
    "  --zones N    zones for the restart (default 10000)\n"
    "  --updates M  UPDATEs for the ingest (default 300)\n"
    "  --json       one JSON line after the table\n"
    "  -h, --help   this text\n"
    "\n"
    "Exit status: 0 measured, 1 error, 2 usage error.\n";

#define AGENT "agent.alpha.bench."
static const char *const providers[3] = {"agent.beta.bench.", "agent.gamma.bench.",
                                         "agent.delta.bench."};
static const char *const h3_text[4] = {
    "ON alpha agent.alpha.bench. .", "ON beta agent.beta.bench. .", "ON gamma agent.gamma.bench. .",
    "ON delta agent.delta.bench. ."};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void zname(char *out, size_t n, size_t z)
{
	snprintf(out, n, "z%06zu.bench.example.", z);
}

static void ns_rdata(uint8_t *out, size_t *len, size_t p, size_t i)
{
	char t[64];
	snprintf(t, sizeof(t), "ns%zu.%s", i, providers[p] + 6); /* ns1.beta.bench. */
	if (hs_name_from_text(t, strlen(t), out, len) != HS_OK)
		*len = 0;
}

/* The apex every zone has: HSYNC3 x4, HSYNCPARAM, two owner NS. */
struct apex {
	hs_buf_t b[5];
	uint8_t ns[2][256];
	size_t nslen[2];
	cmb_rr_in_t rr[7];
};

static int apex_build(struct apex *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < 4; i++) {
		if (hs_hsync3_from_text(h3_text[i], &a->b[i], NULL) != HS_OK)
			return -1;
		a->rr[i] = (cmb_rr_in_t){65285, 3600, a->b[i].data, (uint16_t)a->b[i].len};
	}
	if (hs_hsyncparam_from_text("nsmgmt=\"agent\" parentsync=\"agent\"", &a->b[4], NULL) !=
	    HS_OK)
		return -1;
	a->rr[4] = (cmb_rr_in_t){65286, 3600, a->b[4].data, (uint16_t)a->b[4].len};
	for (int i = 0; i < 2; i++) {
		char t[32];
		snprintf(t, sizeof(t), "ns%d.owner.example.", i + 1);
		if (hs_name_from_text(t, strlen(t), a->ns[i], &a->nslen[i]) != HS_OK)
			return -1;
		a->rr[5 + i] = (cmb_rr_in_t){2, 3600, a->ns[i], (uint16_t)a->nslen[i]};
	}
	return 0;
}

static void apex_free(struct apex *a)
{
	for (int i = 0; i < 5; i++)
		hs_buf_free(&a->b[i]);
}

static void drain(cmb_t *c)
{
	cmb_action_t a;
	while (cmb_next_action(c, &a) == HS_OK)
		cmb_action_clear(&a);
}

static int open_combiner(const char *path, const hs_env_t *env, st_t **st, cmb_t **c)
{
	hs_errmsg_t em;
	cmb_cfg_t cfg = {.identity = "combiner.alpha.bench.", .provider = AGENT};
	hs_errmsg_clear(&em);
	if (st_open(path, st, &em) != HS_OK || cmb_new(c, &cfg, *st, env, &em) != HS_OK) {
		fprintf(stderr, "hsync-bench: %s\n", hs_errmsg_str(&em));
		return -1;
	}
	return 0;
}

/* ---- 1. ingest ---- */

static int ingest(const char *dir, size_t m, const hs_env_t *env, const struct apex *ap,
                  double *t_cmb)
{
	char *path = xasprintf("%s/ingest.db", dir);
	st_t *st = NULL;
	cmb_t *c = NULL;
	int rc = -1;
	if (open_combiner(path, env, &st, &c) != 0)
		goto cleanup;
	char zone[64];
	zname(zone, sizeof(zone), 0);
	if (cmb_zone_loaded(c, zone, 1, ap->rr, 7, NULL) != HS_OK)
		goto cleanup;
	drain(c);
	double t0 = mono();
	for (size_t i = 0; i < m; i++) {
		sm_sync_t u;
		hs_buf_t b = HS_BUF_INIT;
		uint8_t rd[2][256];
		size_t len[2];
		memset(&u, 0, sizeof(u));
		snprintf(u.zone, sizeof(u.zone), "%s", zone);
		snprintf(u.origin, sizeof(u.origin), "%s", providers[i % 3]);
		snprintf(u.change, sizeof(u.change), "%016zx", i + 1);
		u.nsets = 1;
		u.sets[0].type = 2;
		u.sets[0].version = i + 1;
		sm_rr_t rrs[2];
		for (int k = 0; k < 2; k++) {
			ns_rdata(rd[k], &len[k], i % 3, (i + (size_t)k) % 7 + 1);
			rrs[k] = (sm_rr_t){zone, 3600, rd[k], (uint16_t)len[k], SM_V_PENDING, NULL};
		}
		u.sets[0].rrs = rrs;
		u.sets[0].nrrs = 2;
		int ok = sm_sync_encode(&u, &b) == HS_OK &&
		         cmb_message(c, AGENT, "UPDATE", b.data, b.len) == HS_OK;
		hs_buf_free(&b);
		drain(c);
		if (!ok) {
			fprintf(stderr, "hsync-bench: update %zu failed\n", i);
			goto cleanup;
		}
	}
	*t_cmb = mono() - t0;
	rc = 0;
cleanup:
	cmb_free(c);
	st_close(st);
	free(path);
	return rc;
}

/* The limit: m commits of one row each, same pragmas as the store (also
 * the durability bound of hsync-bench parent). */
int bench_bare_commits(const char *dir, size_t m, double *t)
{
	char *path = xasprintf("%s/bare.db", dir);
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc = -1;
	uint8_t blob[64];
	memset(blob, 0x5a, sizeof(blob));
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 " CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?1)", -1, &s, NULL) != SQLITE_OK)
		goto cleanup;
	double t0 = mono();
	for (size_t i = 0; i < m; i++) {
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			goto cleanup;
		sqlite3_bind_blob(s, 1, blob, sizeof(blob), SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto cleanup;
		sqlite3_reset(s);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto cleanup;
	}
	*t = mono() - t0;
	rc = 0;
cleanup:
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(path);
	return rc;
}

/* ---- 2. restart ---- */

/* N zones x 3 providers, written in large transactions (set-up only). */
static int populate(const char *path, size_t n)
{
	st_t *st = NULL;
	hs_errmsg_t em;
	int rc = -1;
	size_t chunk = 600, done = 0;
	st_contrib_t *sets = xcalloc(chunk, sizeof(*sets));
	st_contrib_rr_t(*rrs)[2] = xcalloc(chunk, sizeof(*rrs));
	uint8_t(*rd)[2][256] = xcalloc(chunk, sizeof(*rd));
	char(*zones)[64] = xcalloc(chunk, sizeof(*zones));
	if (st_open(path, &st, &em) != HS_OK)
		goto cleanup;
	while (done < n * 3) {
		size_t k = 0;
		for (; k < chunk && done < n * 3; k++, done++) {
			size_t z = done / 3, p = done % 3;
			zname(zones[k], sizeof(zones[k]), z);
			for (int i = 0; i < 2; i++) {
				size_t len = 0;
				ns_rdata(rd[k][i], &len, p, (size_t)i + 1);
				rrs[k][i] = (st_contrib_rr_t){zones[k],  3600, rd[k][i], len,
				                              "applied", "",   0};
			}
			sets[k] =
			    (st_contrib_t){zones[k],           (char *)providers[p], 2, 1,
			                   "0000000000000001", 1795000000000LL,      2, rrs[k]};
		}
		if (st_contrib_apply(st, sets, k, NULL, 0) != HS_OK)
			goto cleanup;
	}
	rc = 0;
cleanup:
	st_close(st);
	free(sets);
	free(rrs);
	free(rd);
	free(zones);
	return rc;
}

static int bare_select(const char *path, double *t, uint64_t *rows)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	uint64_t n = 0, sum = 0;
	int rc = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "SELECT s.zone, s.origin, s.type, s.version, s.change, r.owner,"
	                       " r.ttl, r.rdata, r.verdict, r.reason FROM contrib_set s JOIN"
	                       " contrib_rr r ON r.set_id = s.id ORDER BY s.zone, s.origin,"
	                       " s.type, r.pos",
	                       -1, &s, NULL) != SQLITE_OK)
		goto cleanup;
	double t0 = mono();
	while (sqlite3_step(s) == SQLITE_ROW) {
		n++;
		sum += (uint64_t)sqlite3_column_bytes(s, 7) + (uint64_t)sqlite3_column_bytes(s, 0);
	}
	*t = mono() - t0;
	*rows = n + (sum == 0); /* keep the loop */
	rc = 0;
cleanup:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

static int restart(const char *path, size_t n, const hs_env_t *env, const struct apex *ap,
                   double *t_open, double *t_serve, double *heap_per_zone)
{
	st_t *st = NULL;
	cmb_t *c = NULL;
	int rc = -1;
	size_t replaced = 0;
	struct mallinfo2 m0 = mallinfo2();
	double t0 = mono();
	if (open_combiner(path, env, &st, &c) != 0)
		goto cleanup;
	double t1 = mono();
	for (size_t z = 0; z < n; z++) {
		char zone[64];
		cmb_apex_t a;
		zname(zone, sizeof(zone), z);
		if (cmb_zone_loaded(c, zone, 1, ap->rr, 7, NULL) != HS_OK ||
		    cmb_apex_get(c, zone, &a) != HS_OK)
			goto cleanup;
		replaced += a.sets[0].replaced && a.sets[0].n == 8; /* 2 owner + 3 x 2 */
		cmb_apex_clear(&a);
		drain(c);
	}
	double t2 = mono();
	struct mallinfo2 m1 = mallinfo2();
	if (replaced != n) {
		fprintf(stderr, "hsync-bench: %zu of %zu zones combined as expected\n", replaced,
		        n);
		goto cleanup;
	}
	*t_open = t1 - t0;
	*t_serve = t2 - t1;
	*heap_per_zone = (double)(m1.uordblks - m0.uordblks) / (double)n;
	rc = 0;
cleanup:
	cmb_free(c);
	st_close(st);
	return rc;
}

static double file_bytes(const char *path)
{
	struct stat sb;
	double total = 0;
	char *wal = xasprintf("%s-wal", path);
	if (stat(path, &sb) == 0)
		total += (double)sb.st_size;
	if (stat(wal, &sb) == 0)
		total += (double)sb.st_size;
	free(wal);
	return total;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int bench_rmrf(const char *dir)
{
	return nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int bench_combiner_main(int argc, char **argv)
{
	static const struct option opts[] = {{"zones", required_argument, NULL, 'z'},
	                                     {"updates", required_argument, NULL, 'u'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	unsigned long zones = 10000, updates = 300;
	int json = 0, c, rc = 1;
	char *end;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'z':
			zones = strtoul(optarg, &end, 10);
			if (*end || zones == 0 || zones > 1000000)
				return cli_err(2, "bad zone count '%s'", optarg);
			break;
		case 'u':
			updates = strtoul(optarg, &end, 10);
			if (*end || updates == 0 || updates > 1000000)
				return cli_err(2, "bad update count '%s'", optarg);
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			fputs(bench_combiner_usage, stdout);
			return 0;
		default:
			fputs(bench_combiner_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(bench_combiner_usage, stderr);
		return 2;
	}
	hs_log_set_level(HS_LOG_WARN); /* verdict transitions would dominate the timing */
	char tmpl[] = "/tmp/hsync-bench-combiner-XXXXXX";
	const char *base = getenv("TMPDIR");
	char *dir = base ? xasprintf("%s/hsync-bench-combiner-XXXXXX", base) : xstrdup(tmpl);
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return cli_err(1, "cannot make a temporary directory");
	}
	char *path = xasprintf("%s/restart.db", dir);
	struct apex ap;
	double t_cmb = 0, t_bare = 0, t_sel = 0, t_open = 0, t_serve = 0, heap = 0;
	uint64_t rows = 0;
	if (apex_build(&ap) != 0)
		goto cleanup;
	if (ingest(dir, updates, hs_env_system(), &ap, &t_cmb) != 0 ||
	    bench_bare_commits(dir, updates, &t_bare) != 0)
		goto cleanup;
	if (populate(path, zones) != 0 || bare_select(path, &t_sel, &rows) != 0 ||
	    restart(path, zones, hs_env_system(), &ap, &t_open, &t_serve, &heap) != 0)
		goto cleanup;
	double disk = file_bytes(path) / (double)zones;
	double t_restart = t_open + t_serve;
	printf("%-34s %12s %12s %8s\n", "figure", "hsync", "limit", "ratio");
	printf("%-34s %12.0f %12.0f %8.2f\n", "update ingest, updates/s", updates / t_cmb,
	       updates / t_bare, t_cmb / t_bare);
	printf("%-34s %12.3f %12.3f %8.2f\n", "restart, s (load + zones + apex)", t_restart, t_sel,
	       t_restart / t_sel);
	printf("%-34s %12.3f\n", "  of which store load, s", t_open);
	printf("%-34s %12.0f\n", "restart, zones/s", zones / t_restart);
	printf("%-34s %12.0f\n", "store bytes/zone", disk);
	printf("%-34s %12.0f\n", "heap bytes/zone", heap);
	printf("(%lu zones x 3 providers, %llu rows; ingest limit: bare SQLite commits, restart"
	       " limit: bare SELECT of the same rows)\n",
	       zones, (unsigned long long)rows);
	if (json)
		printf(
		    "{\"zones\":%lu,\"updates\":%lu,\"update_s\":%.6f,\"bare_commit_s\":%.6f,"
		    "\"update_ratio\":%.3f,\"restart_s\":%.6f,\"store_load_s\":%.6f,"
		    "\"bare_select_s\":%.6f,\"restart_ratio\":%.3f,\"store_bytes_per_zone\":%.0f,"
		    "\"heap_bytes_per_zone\":%.0f}\n",
		    zones, updates, t_cmb, t_bare, t_cmb / t_bare, t_restart, t_open, t_sel,
		    t_restart / t_sel, disk, heap);
	rc = 0;
cleanup:
	apex_free(&ap);
	if (bench_rmrf(dir) != 0)
		fprintf(stderr, "hsync-bench: could not remove '%s'\n", dir);
	free(path);
	free(dir);
	if (rc != 0)
		fprintf(stderr, "hsync-bench: combiner measurement failed\n");
	return rc;
}
