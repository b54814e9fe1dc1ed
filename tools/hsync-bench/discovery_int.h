/* discovery_int.h -- the parts of "hsync-bench discovery": the lab it
 * builds (discovery_setup.c), the processes it runs and reads
 * (discovery_proc.c), the control-socket polls (discovery_ctl.c) and the
 * AXFR-only limit (discovery_xfr.c). */
#ifndef HS_TOOLS_BENCH_DISCOVERY_INT_H
#define HS_TOOLS_BENCH_DISCOVERY_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DB_NIDS 4 /* the measured agent (index 0) and three peers */
#define DB_PATH 512
#define DB_DIR  100

/* Set by SIGINT/SIGTERM: every wait loop gives up and cleanup runs. */
extern volatile sig_atomic_t db_stop;

struct db_lab {
	char dir[DB_DIR];    /* the temp dir (or --keep DIR); short: sockets live in it */
	char bindir[DB_DIR]; /* where hsyncd, hsync-keygen live */
	uint16_t nsd_port;
	uint16_t port[DB_NIDS]; /* each agent's DNS port */
	size_t zones_made;      /* customer zone files z00001.. written */
	int nids;               /* the measured agent and 1..3 peers */
	unsigned beat_ms;       /* agents' beat interval */
	unsigned xfr_max;       /* agents' transfers-max (0 = not written) */
	pid_t nsd_pid;
	pid_t agent_pid[DB_NIDS];
};

extern const char *const db_ids[DB_NIDS];

/* ---- setup (discovery_setup.c) ---- */
/* Keys, signed identity zones, the signed parent lab. and its trust
 * anchor; ports. Progress on stderr. 0 or -1 (message printed). */
int db_setup(struct db_lab *lab);
/* Customer zone files up to n (z00001.bench. ...). */
int db_zones(struct db_lab *lab, size_t n);
/* The customer zone's name for index i (1-based). */
void db_zone_name(size_t i, char *out, size_t len);
/* NSD configuration serving lab., the identity zones and zones 1..n. */
int db_nsd_conf(const struct db_lab *lab, size_t n);
/* Agent `id`'s configuration with zones 1..n and a fresh store. */
int db_agent_conf(const struct db_lab *lab, int id, size_t n);

/* ---- processes (discovery_proc.c) ---- */
double db_mono(void);
/* fork+exec argv with stdout/stderr to `log` (NULL = /dev/null), in
 * `cwd` (NULL = ours). The pid, or -1. */
pid_t db_spawn(char *const argv[], const char *log, const char *cwd);
/* Run argv to completion, its stdout into `out` (NUL-terminated, cut at
 * `len`), its stderr appended to db_run_log (when set; else ours). 0 on
 * exit status 0, -1 otherwise (message and the log's tail printed). */
extern const char *db_run_log;
int db_run(char *const argv[], const char *cwd, char *out, size_t len);
/* TERM, wait up to 5 s, then KILL; reaps. NULL-safe on pid <= 0. */
void db_stop_pid(pid_t *pid);
int db_alive(pid_t pid);
/* Sum of the process's and its children's Pss (smaps_rollup), octets. */
long db_pss_tree(pid_t pid);
/* VmRSS / VmHWM of one process, octets (-1 if unreadable). */
long db_vm(pid_t pid, const char *field);
/* utime+stime in seconds. */
double db_cpu(pid_t pid);
/* A free loopback port for UDP and TCP. 0 on failure. */
uint16_t db_free_port(void);
/* Blocking UDP SOA query to 127.0.0.1@port for `zone` (presentation):
 * 1 when an authoritative answer came. */
int db_soa_ok(uint16_t port, const char *zone);
/* rm -rf */
void db_rmtree(const char *dir);

/* ---- the agents over their control sockets (discovery_ctl.c) ---- */
struct db_view {
	size_t zones_in_groups; /* sum of "zones" over gossip groups */
	size_t groups, groups_operational;
	size_t peers, peers_operational;
	int matrix_ok; /* one group, 4 members, every off-diagonal cell OPERATIONAL */
};
/* One look at agent `id` (status + gossip show). 0, or -1 if the socket
 * does not answer yet. */
int db_look(const struct db_lab *lab, int id, struct db_view *v);
/* Start agent `id` (its log appended in its directory). */
int db_agent_start(struct db_lab *lab, int id);

/* Bring-up of the measured agent. */
struct db_bringup {
	double t_zones, t_oper; /* s from exec to (a) all zones in the group, (b) all operational */
	double cpu_zones, cpu_oper; /* CPU s at those moments */
	long rss, hwm;              /* octets, after (b) */
};
/* Start agent 0 with its current configuration (n zones) and wait for
 * (a) and (b), at most `timeout_s`. 0 or -1. */
int db_measure(struct db_lab *lab, size_t n, double timeout_s, struct db_bringup *out);

/* ---- the limit: AXFR alone (discovery_xfr.c) ---- */
/* Transfer zones 1..n from the lab's NSD with at most `conc` at once (0 =
 * all at once, as an agent without a cap). Seconds for all, -1 on error. */
double db_xfr_limit(const struct db_lab *lab, size_t n, unsigned conc, size_t *failed);

#endif
