/*
 * fuzz_store_open.c -- opening and using a store whose file is arbitrary
 * bytes (damaged, truncated, foreign or hand-edited databases).
 *
 * The input is written to a database file in a private temporary
 * directory; st_open() must either refuse it with an error code or give a
 * handle on which every read and write either works or fails with an
 * error code. Crashes, sanitizer reports and leaks are the findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/log.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir, *db, *wal, *shm;
/* results the fuzzer does not judge (any error code is fine) */
static volatile int sink;

static void cleanup(void)
{
	unlink(db);
	unlink(wal);
	unlink(shm);
	rmdir(dir);
}

static void quiet(enum hs_log_level level, const char *subsys, const char *line, void *arg)
{
	(void)level;
	(void)subsys;
	(void)line;
	(void)arg;
}

static void init(void)
{
	char tmpl[] = "/tmp/hsync-fuzz-store-XXXXXX";
	if (mkdtemp(tmpl) == NULL)
		abort();
	dir = xstrdup(tmpl);
	db = xasprintf("%s/f.db", dir);
	wal = xasprintf("%s/f.db-wal", dir);
	shm = xasprintf("%s/f.db-shm", dir);
	atexit(cleanup);
	/* format every message (debug too) but print none */
	hs_log_set_level(HS_LOG_DEBUG);
	hs_log_set_hook(quiet, NULL);
}

static void exercise(st_t *st)
{
	static const uint8_t pub[] = {1, 2, 3}, priv[] = {4, 5, 6}, id[] = {7, 8};
	st_key_list_t kl;
	st_trust_list_t tl;
	st_key_event_list_t ev;
	st_key_t k;
	uint64_t n;
	int seen;
	sink = st_check(st, NULL);
	if (st_key_find(st, NULL, 0, ST_ANY, ST_WITH_PRIVATE, &kl) == HS_OK) {
		for (size_t i = 0; i < kl.n; i++) {
			st_key_ref_t r = {kl.v[i].owner, kl.v[i].kind, kl.v[i].alg, kl.v[i].keyid};
			if (st_key_history(st, &r, &ev) == HS_OK)
				st_key_event_list_free(&ev);
			sink = st_key_set_state(st, &r, ST_KEY_REMOVED, 2, "fuzz");
		}
		st_key_list_free(&kl);
	}
	if (st_trust_list(st, NULL, &tl) == HS_OK) {
		for (size_t i = 0; i < tl.n; i++) {
			st_trust_ref_t r = {tl.v[i].owner, tl.v[i].kind, tl.v[i].alg,
					    tl.v[i].keytag, tl.v[i].rdata, tl.v[i].rdlen};
			sink = st_trust_put(st, &r, ST_TRUST_REFUSED, "fuzz", 0, 3);
		}
		st_trust_list_free(&tl);
	}
	st_key_ref_t r = {"fuzz.example.", ST_KIND_SIG0, 15, 1};
	sink = st_key_add(st, &r, pub, sizeof(pub), priv, sizeof(priv), ST_KEY_CREATED, 1, NULL);
	if (st_key_get(st, &r, ST_WITH_PRIVATE, &k) == HS_OK)
		st_key_clear(&k);
	sink = st_replay_check_and_add(st, "fuzz.example.", id, sizeof(id), 10, 1, &seen);
	sink = st_replay_prune(st, 5, NULL);
	sink = st_replay_count(st, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (dir == NULL)
		init();
	unlink(wal);
	unlink(shm);
	FILE *f = fopen(db, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	st_t *st = NULL;
	if (st_open(db, &st, NULL) == HS_OK) {
		exercise(st);
		st_close(st);
	}
	unlink(db);
	unlink(wal);
	unlink(shm);
	return 0;
}
