/*
 * query.h -- a small blocking DNS client for tools and tests.
 *
 * Builds one DNS message (query or NOTIFY), sends it to one server over
 * UDP (timeout and retries) or TCP (RFC 1035 2-byte length framing,
 * partial reads and writes handled), and returns the response bytes.
 * Over UDP a response with TC=1 is retried over TCP unless the caller
 * forbids it. IPv4 and IPv6 literals only: no name resolution.
 *
 * No event loop, no libevent: the asynchronous transport of the daemon
 * lives elsewhere in src/transport. This module is for hsdig, hsyncctl
 * and test helpers that need one answer now.
 */
#ifndef HS_TRANSPORT_QUERY_H
#define HS_TRANSPORT_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"

/* A socket address (plain data). */
typedef struct tp_addr {
	struct sockaddr_storage ss;
	socklen_t len;
} tp_addr_t;

/*
 * Parse an IPv4 or IPv6 literal ("127.0.0.1", "::1", "[::1]") with `port`
 * into `out`. HS_E_INVAL for anything that is not a literal (em says so).
 */
int tp_addr_parse(const char *host, uint16_t port, tp_addr_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* "127.0.0.1#53" or "::1#53" (dig's notation) into `out` (>= 64 bytes). */
void tp_addr_str(const tp_addr_t *a, char *out, size_t outlen);
uint16_t tp_addr_port(const tp_addr_t *a);

/* ---- building a message ---------------------------------------------- */

enum {
	TP_OPCODE_QUERY = 0,
	TP_OPCODE_NOTIFY = 4,
	TP_OPCODE_UPDATE = 5,
};

/* Header flag bits as they sit in the second 16-bit word of the header. */
enum {
	TP_FLAG_QR = 0x8000,
	TP_FLAG_AA = 0x0400,
	TP_FLAG_TC = 0x0200,
	TP_FLAG_RD = 0x0100,
	TP_FLAG_RA = 0x0080,
	TP_FLAG_AD = 0x0020,
	TP_FLAG_CD = 0x0010,
};

/* What to ask. Plain data; the caller owns every pointer. */
typedef struct tp_question {
	const char *name; /* presentation form, "example.test" or "example.test." */
	uint16_t qtype;
	uint16_t qclass;
	uint8_t opcode;      /* TP_OPCODE_* */
	uint16_t flags;      /* TP_FLAG_* bits to set (RD, AA, CD, AD) */
	int edns;            /* add an OPT record */
	int edns_do;         /* DNSSEC OK bit (implies edns) */
	uint16_t udp_size;   /* advertised payload size (edns) */
	const uint8_t *opts; /* raw EDNS options (code, length, data)*, or NULL */
	size_t opts_len;
} tp_question_t;

/*
 * Build the wire message for `q` with message id `id`, appended to `out`.
 * Errors: HS_E_NAME (bad owner name), HS_E_RANGE (options too long).
 */
int tp_msg_build(const tp_question_t *q, uint16_t id, hs_buf_t *out,
                 hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- sending it ------------------------------------------------------- */

enum tp_proto {
	TP_PROTO_UDP = 0,      /* UDP, then TCP when the answer has TC=1 */
	TP_PROTO_TCP = 1,      /* TCP only */
	TP_PROTO_UDP_ONLY = 2, /* UDP, a TC=1 answer is returned as is */
};

typedef struct tp_query_opts {
	enum tp_proto proto;
	unsigned timeout_ms;   /* per try; 0 means 5000 */
	unsigned tries;        /* UDP sends before giving up; 0 means 3 */
	const tp_addr_t *bind; /* source address (port 0 = any), or NULL */
	const hs_env_t *env;   /* clock for the round-trip time; NULL = system */
} tp_query_opts_t;

/* What happened, for the caller's ";; Query time" and ";; SERVER" lines. */
typedef struct tp_query_info {
	int used_tcp;    /* the returned answer came over TCP */
	int tc_fallback; /* UDP said TC=1 and TCP was tried */
	unsigned tries;  /* UDP sends made */
	uint64_t rtt_ms; /* from first send to the answer */
} tp_query_info_t;

/*
 * Send `msg` (a whole DNS message, id in its first two bytes) to `server`
 * and append the response to `reply`. Over UDP only a datagram from the
 * server with the same id and QR set is accepted; others are ignored.
 * `info` (may be NULL) is written only on success.
 *
 * Errors: HS_E_TIMEOUT (no answer within tries x timeout, or TCP stalled),
 * HS_E_NET (socket, bind, connect or send failed; connection closed
 * early), HS_E_MALFORMED (a TCP answer shorter than a DNS header),
 * HS_E_INVAL (bad arguments). `em` says which step failed.
 */
int tp_query(const tp_addr_t *server, const uint8_t *msg, size_t len, const tp_query_opts_t *opts,
             hs_buf_t *reply, tp_query_info_t *info, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * An answer that spans several messages (AXFR, IXFR): send `msg` over
 * TCP, then hand each response message (its id and QR checked) to `fn`,
 * until `fn` returns 1 (done: HS_OK) or a negative HS_E_* code (that
 * error). `opts->timeout_ms` bounds each step (connect, each read), not
 * the whole stream; `proto` and `tries` are not used. `info` (may be
 * NULL) gets used_tcp = 1 and the time to the last message. Errors: those
 * of tp_query, and HS_E_NET when the server closes before `fn` is done.
 */
typedef int (*tp_query_msg_fn)(void *arg, const uint8_t *msg, size_t len);
int tp_query_stream(const tp_addr_t *server, const uint8_t *msg, size_t len,
                    const tp_query_opts_t *opts, tp_query_msg_fn fn, void *arg,
                    tp_query_info_t *info, hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
