/*
 * conform.h -- hsync-conform: an over-the-wire conformance suite. It
 * plays the other party (a peer agent, a zone owner's primary, a
 * resolver for its own identity zone) against an implementation under
 * test, over DNS on the network, and gives one verdict per scenario.
 *
 * Files:
 *   main.c            command line, --help, the run
 *   keys.c            `keygen`: the keys and records conform brings
 *   setup.c           the run's context: keys, node, served zones, target keys
 *   serve.c           what conform serves: identity zone, shared zone, capture
 *   net.c             crafted DNS messages, raw exchanges, reading replies
 *   msgs.c            crafted transport messages (envelopes, receipts)
 *   discover.c        the target's published records, validated
 *   report.c          table, --json, --junit
 *   suite_*.c         the catalogue: one file per suite, one row per scenario
 *
 * A scenario is a row {id, requirement ids, title, function}; the function
 * talks to the target and records its verdict with cf_fail()/cf_na()/
 * cf_norun() (no call: pass). Later stages add suites and rows; nothing
 * else changes.
 */
#ifndef HS_TOOLS_CONFORM_H
#define HS_TOOLS_CONFORM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "dnssec/sign.h"
#include "engine/discovery.h"
#include "hpke/hpke.h"
#include "sig0/sig0.h"
#include "transport/endpoint.h"
#include "transport/node.h"
#include "util/buf.h"
#include "util/env.h"

#define CF_PROG "hsync-conform"

enum cf_verdict { CF_PASS = 0, CF_FAIL, CF_NA, CF_NORUN };
const char *cf_verdict_name(enum cf_verdict v);

typedef struct cf cf_t;

/* One row of the catalogue. */
typedef struct cf_scenario {
	const char *id;    /* "tp-notify-inline" */
	const char *reqs;  /* "TP-4 TP-15 TP-26": requirement ids it checks */
	const char *title; /* one line */
	void (*run)(cf_t *c);
} cf_scenario_t;

typedef struct cf_suite {
	const char *name; /* "transport" */
	const char *what; /* one line for --list */
	const cf_scenario_t *rows;
	size_t n;
	/* Before the first row: HS_OK, or a reason (into why) for which every
	 * row is "could not run" (NULL: nothing to prepare). */
	int (*prepare)(cf_t *c, char *why, size_t n);
} cf_suite_t;

extern const cf_suite_t cf_suite_transport, cf_suite_discovery, cf_suite_agents;

typedef struct cf_result {
	const char *suite;
	const cf_scenario_t *sc;
	enum cf_verdict verdict;
	hs_buf_t detail; /* failure: what was sent and what came back */
	uint64_t ms;
} cf_result_t;

/* A message the target sent to conform (taken from the node's inbox). */
typedef struct cf_msg {
	char type[33];
	uint8_t id[16];
	uint8_t *body;
	size_t len;
	uint64_t at_ms; /* monotonic */
} cf_msg_t;

/* A request the target sent to conform's address (before the node saw it). */
typedef struct cf_req {
	uint8_t *msg;
	size_t len;
	int tcp;
	uint64_t at_ms;
} cf_req_t;

#define CF_MAX_KEYS 4
#define CF_MAX_LOG  4096

struct cf {
	/* options */
	char self[256];      /* conform's identity, canonical */
	char target_id[256]; /* the target's identity, canonical */
	tp_peer_addr_t target;
	char target_ip[64];
	uint16_t target_port;
	char listen_ip[64];
	uint16_t listen_port;
	char alt_ip[64]; /* a second local address for "from elsewhere" */
	const char *keydir;
	const char *zone;  /* the shared zone conform serves as primary */
	const char *ghost; /* a third provider listed ON in it (never answers) */
	unsigned wait_ms;  /* longest wait for one answer or event */
	int verbose;
	int insecure_discovery;
	const char *anchor_file;
	tp_peer_addr_t resolver; /* where the target's records are looked up */
	int have_resolver;
	const char **target_key_args, *target_hpke_arg;
	size_t ntarget_key_args;

	/* own keys */
	sig0_key_t *sig0;
	hpke_key_t *hpke;
	char *sig0_path, *hpke_path, *dnssec_path;
	ds_keys_t *dkeys;

	/* the target's keys (explicit or discovered) */
	sig0_key_t *tkeys[CF_MAX_KEYS];
	size_t ntkeys;
	hpke_key_t *thpke;
	char key_mode[160];
	const disc_result_t *disc; /* when discovered; owned by `dsc` */
	disc_t *dsc;
	dv_anchors_t *anchors;

	/* running */
	const hs_env_t *env;
	tp_loop_t *loop;
	tp_node_t *node;
	char *workdir; /* store of the node */
	struct zn_snap *idsnap; /* our signed identity zone (serve.c) */
	struct cf_zone *shared; /* serve.c */
	cf_msg_t **msgs;        /* from the target, in arrival order */
	size_t nmsgs, capmsgs;
	cf_req_t *reqs;
	size_t nreqs, capreqs;
	struct cf_outcome {
		uint8_t id[16];
		int outcome; /* enum tp_outcome */
		char reason[32];
	} * outs; /* messages conform's node sent, finished */
	size_t nouts, capouts;
	int installed;           /* the target is in the node's registry */
	uint64_t queries_served; /* identity and shared zone */
	uint64_t xfrs_served;
	uint64_t last_unproven; /* cf_now_ms of the last CF_X_UNPROVEN over UDP */

	/* results */
	cf_result_t *res;
	size_t nres;
	cf_result_t *cur;
	const char *cur_suite;
};

/* ---- verdicts (inside a scenario) ---- */
void cf_fail(cf_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cf_na(cf_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cf_norun(cf_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add a line to the current detail without changing the verdict. */
void cf_note(cf_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when `ok`, else cf_fail(fmt) and 0. */
int cf_expect(cf_t *c, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int cf_failed(const cf_t *c);
/* Describe a DNS message (one line per section, hex of short ones) into
 * the detail: `label` "sent" or "got". */
void cf_note_msg(cf_t *c, const char *label, const uint8_t *msg, size_t len);

/* ---- setup.c ---- */
int cf_setup(cf_t *c, hs_errmsg_t *em);
void cf_teardown(cf_t *c);
/* Install the target's keys in conform's registry (the node). */
int cf_target_install(cf_t *c, hs_errmsg_t *em);
uint64_t cf_now_ms(const cf_t *c);
/* Wait until the target knows conform as a peer: a probe PING is
 * answered with a receipt rather than REFUSED/65286 (a target that
 * learns its peers by discovery first transfers the shared zone and
 * looks conform up). HS_OK, or the reason in `why`. */
int cf_wait_known(cf_t *c, char *why, size_t n);
/* Run the loop for `ms` (serving, taking messages). */
void cf_pump(cf_t *c, unsigned ms);
/* Run the loop until cond(c) or `ms`; 1 when cond held. */
int cf_wait(cf_t *c, int (*cond)(cf_t *c, void *arg), void *arg, unsigned ms);

/* ---- serve.c ---- */
int cf_serve_start(cf_t *c, hs_errmsg_t *em);
void cf_serve_stop(cf_t *c);
/* The node's inbox into c->msgs; its outcomes into c->outs. */
void cf_on_inbox(void *arg);
void cf_on_outcome(void *arg, const uint8_t msgid[16], const char *peer, enum tp_outcome outcome,
                   const char *reason);
/* The outcome of message `id` sent with tp_node_send, waiting up to `ms`:
 * enum tp_outcome, or 0 when none came. */
int cf_outcome_wait(cf_t *c, const uint8_t id[16], unsigned ms, const char **reason);
/* The first message of `type` from the target at or after index *from
 * (advanced past it); NULL when none. */
const cf_msg_t *cf_msg_next(cf_t *c, const char *type, size_t *from);
/* Wait for it. */
const cf_msg_t *cf_msg_wait(cf_t *c, const char *type, size_t *from, unsigned ms);

/* ---- net.c: crafted DNS ---- */
#define CF_OP_QUERY  0
#define CF_OP_NOTIFY 4
#define CF_OP_UPDATE 5
#define CF_T_CHUNK   65288

/* A request: header (random id, opcode, AA for NOTIFY, RD clear), one
 * question, and an OPT RR (1232) holding `opt` when with_opt. */
/* An EDNS Padding option (RFC 7830) of 64 octets, for the OPT RR of a
 * request that will be refused before it proves anything: its unsigned
 * answer is never longer than the request (draft-hsync-transport LOAD-4),
 * and this leaves room in it for the EDE that the scenario checks. */
#define CF_PADDING_LEN (4 + 64)
extern const uint8_t cf_padding[CF_PADDING_LEN];
void cf_dns_request(cf_t *c, hs_buf_t *out, unsigned opcode, const uint8_t *qname, size_t qlen,
                    uint16_t qtype, int with_opt, const uint8_t *opt, size_t optlen);
/* Sign with conform's key (or `key`), now + `offset` seconds. */
int cf_sign(cf_t *c, hs_buf_t *msg, const sig0_key_t *key, int32_t offset,
            const sig0_sign_opts_t *opts);

/* Flags for cf_exchange. */
#define CF_X_TCP 1 /* over TCP */
#define CF_X_ALT 2 /* from the second local address */
/* The request proves nothing (unsigned, or signed so that it cannot
 * verify): its answer is unsigned, no longer than the request, and over
 * UDP rate limited (draft-hsync-transport LOAD-4, LOAD-5; 20/s per source
 * by default). Over UDP such requests are sent at most CF_UNPROVEN_GAP_MS
 * apart, and a TC=1 answer (the rate limit's slip, or "come back over
 * TCP" under load, LOAD-3) or none at all is followed by the same request
 * over TCP, as a DNS client would. */
#define CF_X_UNPROVEN      4
#define CF_UNPROVEN_GAP_MS 100
/* Send one request to the target and wait for the reply with its ID:
 * HS_OK with *resp, HS_E_TIMEOUT, HS_E_NET. */
int cf_exchange(cf_t *c, const uint8_t *msg, size_t len, int flags, hs_buf_t *resp);

/* What a reply says. */
typedef struct cf_reply {
	int ok; /* parsed as a DNS response */
	uint16_t id, flags;
	unsigned rcode; /* 12 bits */
	int has_opt;
	uint16_t opt_size;
	uint8_t opt_version;
	uint16_t opt_flags;
	unsigned ede; /* 0 when none */
	int has_question;
	uint8_t qname[256];
	size_t qname_len;
	uint16_t qtype;
	unsigned ancount;
	int sig_valid;   /* SIG(0) verified with the target's keys */
	int sig_present; /* a SIG RR at the end, verified or not */
	char signer[256];
	char sig_why[160];
	const uint8_t *chunk_opt; /* option 65004 data */
	size_t chunk_opt_len;
} cf_reply_t;
void cf_reply_read(cf_t *c, const uint8_t *msg, size_t len, cf_reply_t *out);

/* The common checks of a reply to `req`: a response, same id and
 * question, signed by the target as dns.<target>, AA set, RD copied, and
 * OPT present exactly when the request had one (TP-39, TP-44). Records
 * failures; returns 1 when all held. */
int cf_check_reply(cf_t *c, const hs_buf_t *req, const hs_buf_t *resp, const cf_reply_t *r);
/* The same for the refusal of a request that proved nothing: NOT signed
 * (SIG-23) and no longer than the request (LOAD-4) instead of signed. */
int cf_check_refusal(cf_t *c, const hs_buf_t *req, const hs_buf_t *resp, const cf_reply_t *r);

/* Send `req` (cf_exchange `flags`), read the reply and check it as above
 * (cf_check_refusal with CF_X_UNPROVEN, else cf_check_reply) plus the
 * RCODE and EDE (ede 0: none expected). Returns 1 on a reply with those
 * codes. */
int cf_expect_error(cf_t *c, const hs_buf_t *req, int flags, unsigned rcode, unsigned ede);

/* ---- msgs.c: crafted transport messages ---- */
typedef struct cf_plain {
	uint64_t v;
	uint8_t id[16];
	int64_t ts_offset; /* seconds added to now */
	const char *from, *to, *type;
	const uint8_t *body; /* NULL: {} */
	size_t body_len;
} cf_plain_t;
/* A fresh message from conform to the target (PING, random id). */
void cf_plain_init(cf_t *c, cf_plain_t *p, const char *type);
/* Envelope of `p` sealed by conform to the target for `distid` (to
 * recipient key `to_key`, NULL = the target's). */
int cf_seal(cf_t *c, const cf_plain_t *p, const char *distid, const hpke_key_t *to_key,
            hs_buf_t *env);
/* A signed inline NOTIFY for `distid` carrying `env` with option format
 * `fmt` (3 normally). */
int cf_notify(cf_t *c, const char *distid, const uint8_t *env, size_t envlen, uint8_t fmt,
              int with_opt, hs_buf_t *out);
void cf_distid(cf_t *c, char out[33]);
/* The receipt in a NOTIFY reply. */
typedef struct cf_receipt {
	int ok;
	char status[16];
	int has_id;
	uint8_t id[16];
	char reason[40];
} cf_receipt_t;
void cf_receipt_read(const cf_reply_t *r, cf_receipt_t *out);
/* Seal `p`, send it inline in a NOTIFY, read the receipt. 1 when a
 * checked NOERROR reply with a receipt came back. */
int cf_send_plain(cf_t *c, const cf_plain_t *p, const char *distid, cf_receipt_t *rc);
/* The same, crafted: sealed under `seal_distid` to `to_key` (NULL: the
 * target's), named `name_distid`, option format `fmt` (0: no payload, a
 * fetch-mode NOTIFY), sent with cf_exchange `flags` (-1: TCP above 1232
 * octets, else UDP). */
typedef struct cf_craft {
	const char *seal_distid, *name_distid;
	const hpke_key_t *to_key;
	uint8_t fmt;
	int flags;
} cf_craft_t;
int cf_send_crafted(cf_t *c, const cf_plain_t *p, const cf_craft_t *how, cf_receipt_t *rc);
/* msgpack helpers for bodies conform writes. */
void cf_mp_ping(hs_buf_t *out, const uint8_t *data, size_t len, int echo);

/* ---- discover.c ---- */
/* Look the target up through c->resolver, validated from c->anchors (or
 * insecure): HS_OK and c->disc, or a reason. */
int cf_discover_target(cf_t *c, char *why, size_t n);

/* ---- report.c ---- */
void cf_report_table(const cf_t *c, FILE *f);
int cf_report_json(const cf_t *c, const char *path);
int cf_report_junit(const cf_t *c, const char *path);

/* ---- keys.c ---- */
int cf_keygen_main(int argc, char **argv);
/* Paths inside the keys directory. */
int cf_keys_load(cf_t *c, hs_errmsg_t *em);

#endif
