/* flood.h -- the datagram flood generator of "hsync-bench flood" and
 * "hsync-bench attack" (loopback only: every source address is in
 * 127.0.0.0/8, which the Linux loopback answers for, so spoofing needs
 * no raw socket and never leaves the host). */
#ifndef HS_TOOLS_BENCH_FLOOD_H
#define HS_TOOLS_BENCH_FLOOD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum flood_kind {
	FLOOD_TEMPLATE = 1, /* the template's octets (a forged NOTIFY, say) */
	FLOOD_UNSIGNED,     /* a CHUNK NOTIFY for alpha.example. without SIG */
	FLOOD_GARBAGE,      /* a header and 40 random octets */
	FLOOD_GARBAGE12,    /* a bare 12-octet header */
};

struct flood_spec {
	uint16_t port;       /* 127.0.0.1:port */
	double pps;          /* datagrams per second */
	double seconds;      /* how long (at most 600) */
	const char *sources; /* "24:A.B.C" (127.A.B.C counting up in one /24) or
	                      * "nets:N" (127.x.y.9 in N /24s) */
	enum flood_kind kind;
	const uint8_t *tmpl;
	size_t tmpl_len;
	int flip; /* invert the template's last octet (a bad signature) */
};

struct flood_result {
	uint64_t sent, failed; /* sendmmsg accepted / refused */
	uint64_t answers, answer_octets, request_octets;
	double seconds;
};

/* Run the flood in this process; 0, or -1 (bad spec, no sockets). */
int flood_run(const struct flood_spec *f, struct flood_result *out);

/* The same in a child process; its result comes back through flood_wait. */
pid_t flood_start(const struct flood_spec *f, int *result_fd);
int flood_wait(pid_t pid, int result_fd, struct flood_result *out);

/* Parse "template", "unsigned", "garbage", "garbage12". */
int flood_kind_parse(const char *s, enum flood_kind *out);

#endif
