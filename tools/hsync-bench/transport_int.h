/* transport_int.h -- the parts of "hsync-bench transport". */
#ifndef HS_TOOLS_BENCH_TRANSPORT_INT_H
#define HS_TOOLS_BENCH_TRANSPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hpke/hpke.h"
#include "sig0/sig0.h"
#include "transport/node.h"

/* What the receiver child shows the parent (shared memory). */
struct bench_shared {
	tp_node_stats_t stats; /* written every 100 ms */
	volatile unsigned seq; /* odd while being written */
};

/* Two parties, alpha (sender, this process) and beta (receiver, child). */
struct bench_setup {
	char *dir;
	tp_conf_t alpha, beta;
	sig0_key_t *sig_a, *sig_b;
	hpke_key_t *hpke_a, *hpke_b;
	struct bench_shared *shared; /* the receiver's counters */
	uint16_t port_a, port_b;
};

struct bench_crypto {
	double seal_us, open_us;           /* 200 B message */
	double seal_big_us, open_big_us;   /* 64 KiB message */
	double sign_us, verify_us;         /* ~600 B DNS message */
	double sign_big_us, verify_big_us; /* ~60 KB DNS message (a chunk answer) */
	double bound_inline, bound_fetch;  /* messages/s, two cores */
};

struct bench_result {
	double rate, seconds, p50, p99;
	double cpu_us;               /* CPU time of both processes per message */
	double cpu_send_us;          /* of the sender alone */
	double per_commit;           /* sender: messages per group commit */
	double busy_s, busy_r;       /* cores the sender / receiver kept busy */
	double loop_s[2], loop_r[2]; /* their event loop threads: share of the wall
	                              * time on a CPU, and runnable waiting for one */
	tp_node_prof_t ps, pr;       /* stage profile of the run: sender, receiver */
};

double bench_mono(void);
/* CPU seconds (user + system) process `pid` has used (0 if unknown). */
double bench_proc_cpu(pid_t pid);

/* Keys, stores and configurations in a fresh directory under `base`.
 * `transport` (NULL: the throughput bench's) holds the lines of both
 * configurations' transport sections. */
int bench_setup_make(struct bench_setup *bs, const char *base, const char *transport);
/* The receiver's counters as of its last update. */
void bench_receiver_stats(const struct bench_setup *bs, tp_node_stats_t *out);
/* Wait (bounded) until the receiver has shared its counters once more. */
void bench_receiver_sync(const struct bench_setup *bs);
/* Print the stage profile of a run (sender and receiver). */
void bench_print_profile(const struct bench_result *r);
/* Remove the directory and free everything. */
void bench_setup_clear(struct bench_setup *bs);

/* The crypto bound of this machine, now. */
int bench_crypto_measure(const struct bench_setup *bs, double seconds, struct bench_crypto *out);
void bench_crypto_print(const struct bench_crypto *c);
void bench_print_row(const char *what, const struct bench_result *rate,
                     const struct bench_result *lat, double bound, double crypto_us);
/* Crypto time of one message on one core (microseconds). */
double bench_crypto_inline_us(const struct bench_crypto *c);
double bench_crypto_fetch_us(const struct bench_crypto *c);

/* Fork the receiver; returns its pid once it serves, -1 on failure. */
pid_t bench_receiver_fork(const struct bench_setup *bs);
/* The sender's node on `loop`. */
int bench_sender_start(const struct bench_setup *bs, tp_loop_t *loop, tp_node_t **out);
/* Where the sender's outcomes go. */
void bench_set_outcome_hook(void (*fn)(void *, const uint8_t *, const char *, enum tp_outcome,
                                       const char *),
                            void *arg);
/* The msgpack body {"data": bin(size)}. */
void bench_body(hs_buf_t *out, const uint8_t *data, size_t size);

#endif
