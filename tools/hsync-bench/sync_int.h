/* sync_int.h -- the parts of "hsync-bench sync": the latency of one
 * change through the providers' agents and combiners to their public
 * NSDs against a plain NOTIFY/IXFR chain (sync.c, sync_chain.c), and one
 * combiner's restart with many zones (sync_restart.c). The process
 * helpers are discovery's (discovery_int.h). */
#ifndef HS_TOOLS_BENCH_SYNC_INT_H
#define HS_TOOLS_BENCH_SYNC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SB_MAXP    5 /* providers at most */
#define SB_PATH    512
#define SB_MAXCHG  1000 /* changes at most */
#define SB_ZONE    "example.test."
#define SB_TIMEOUT 30.0 /* one change may take this long before the run fails */

/* Samples of one chain: seconds from the change to every public server
 * answering it. */
struct sb_samples {
	double v[SB_MAXCHG];
	size_t n;
};

/* The p-quantile (0..1) of the samples (nearest rank), in seconds. */
double sb_quantile(const struct sb_samples *s, double p);

/*
 * Poll every server (127.0.0.1@ports[i]) with NS queries for `zone` until
 * each answers with `target` among its NS (want 1) or without it (want 0).
 * Returns the seconds it took from `t0` (db_mono time), or -1 on timeout
 * (`timeout` seconds after t0) or error.
 */
double sb_wait_ns(const uint16_t *ports, size_t n, const char *zone, const char *target, int want,
                  double t0, double timeout);

/* The same, with the seconds each server took in each[i] (n + 1 servers
 * at most: the providers' and a parent); the servers of bit mask `slow`
 * are asked every tenth round only (about every 20 ms: a server whose
 * per-source limits the polling must not trip). */
double sb_wait_ns_each(const uint16_t *ports, size_t n, const char *zone, const char *target,
                       int want, double t0, double timeout, unsigned slow, double *each);

/* Run a bash script in `dir` that sources scripts/lab/lib.sh (`lib`),
 * sets the lab's defaults (BEAT 1 s, combiners), the lines of `env`
 * (NULL = none), IDS (the first n provider names) and lab_init DIR/lab,
 * then runs `body`. Its exit status (0 = success), -1 when it cannot. */
int sb_lab_script(const char *dir, const char *lib, const char *bindir, size_t n, const char *env,
                  const char *body);
/* One NS change (add or delete `target` at the apex of SB_ZONE) through
 * the agent's control socket `sock`: the request's db_mono time, -1. */
double sb_agent_change(const char *sock, const char *target, int add);
/* This program's directory and the tree's scripts/lab/lib.sh. 0 or -1. */
int sb_find_paths(char *bindir, size_t blen, char *lib, size_t llen);

/* ---- the plain chain (sync_chain.c) ---- */

/* A Knot primary for SB_ZONE and `n` NSD secondaries of it (NOTIFY,
 * IXFR), in `dir`; started. 0 or -1 (message printed). */
struct sb_plain {
	char dir[SB_PATH];
	uint16_t knot_port;
	uint16_t ports[SB_MAXP];
	size_t n;
	pid_t knot_pid;
	pid_t nsd_pid[SB_MAXP];
};
int sb_plain_start(struct sb_plain *p, const char *dir, size_t n);
/* One change at the owner (add or delete NS `target`): the Knot
 * transaction is prepared, then committed at the returned db_mono time
 * (the moment the owner's change is made). -1.0 on error. */
double sb_plain_change(struct sb_plain *p, const char *target, int add);
void sb_plain_stop(struct sb_plain *p);

/* ---- one combiner's restart (sync_restart.c) ---- */

struct sb_restart {
	size_t zones;
	double t_serve;    /* s from exec to every zone answered with its served serial */
	double t_nsd;      /* the same for NSD with the same zones (the limit) */
	long rss, nsd_rss; /* octets after serving */
	long store;        /* octets of the combiner's store (file + WAL) */
	double t_first;    /* s of the first start: transfer, combine, persist */
};
/* `bindir` holds hsyncd and hsync-keygen; `dir` is a fresh directory. */
int sb_restart_run(const char *bindir, const char *dir, size_t zones, struct sb_restart *out);

#endif
