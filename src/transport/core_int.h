/*
 * core_int.h -- the transport core's internal state, shared by the
 * core_*.c files (internal to src/transport).
 *
 *   core.c        life cycle, action queue, tokens, timers, stats
 *   core_dns.c    building and reading the DNS messages (signed)
 *   core_send.c   sender: queue items, attempts, receipts, outcomes
 *   core_serve.c  sender: distributions in memory, chunk answers
 *   core_recv.c   receiver: request dispatch, NOTIFY, envelope accept
 *   core_fetch.c  receiver: manifest + chunk fetch and reassembly
 *   core_seen.c   sender: the seen cache of chunk queries (replays)
 *   core_guard.c  receiver: admission (cookies, budgets), unsigned minimal
 *                 refusals with response rate limiting, refusal log lines
 *   core_cookie.c sender: the client side of DNS Cookies per peer
 */
#ifndef HS_TRANSPORT_CORE_INT_H
#define HS_TRANSPORT_CORE_INT_H

#include "transport/cookie.h"
#include "transport/core.h"
#include "transport/manifest.h"
#include "transport/names.h"
#include "transport/tpmsg.h"
#include "util/ratelim.h"
#include "wire/cursor.h"

#define SUB "transport"

/* DNS header bits and codes used here. */
#define TP_QR          0x8000u
#define TP_AA          0x0400u
#define TP_TC          0x0200u
#define TP_RD          0x0100u
#define TP_OP_QUERY    0
#define TP_OP_NOTIFY   4
#define TP_RC_NOERROR  0
#define TP_RC_FORMERR  1
#define TP_RC_SERVFAIL 2
#define TP_RC_REFUSED  5
#define TP_TYPE_OPT    41
#define TP_CLASS_IN    1
#define TP_EDNS_SIZE   1232
#define TP_OPT_EDE     15

#define TP_CHUNK_RETRIES      3
#define TP_RATELIMIT_PAUSE_MS 1000

enum item_state {
	IT_IDLE = 0, /* waiting for next_mono */
	IT_INFLIGHT, /* NOTIFY sent, waiting for the receipt */
	IT_FETCHING, /* "fetching" receipt; waiting for the chunk queries */
};

/* One pending outq item in memory (mirror of its store row). */
typedef struct out_item {
	struct out_item *next;
	uint8_t msgid[TP_MSGID_LEN];
	char peer[TP_IDENT_MAX];
	char type[TP_MSG_TYPE_MAX + 1];
	char *order_key;
	uint8_t *body;
	size_t bodylen;
	int64_t seq;
	int64_t expires_ms; /* wall clock */
	uint32_t attempts;  /* attempts made (this run and before) */
	uint32_t failures;  /* consecutive failed attempts (backoff exponent) */
	enum item_state state;
	uint64_t next_mono;             /* IDLE: next attempt (UINT64_MAX: parked until the
	                                 * peer changes); FETCHING: give up waiting */
	uint64_t token;                 /* INFLIGHT: the NOTIFY's token */
	uint64_t deadline;              /* INFLIGHT: attempt timeout */
	char distid[TP_DISTID_LEN + 1]; /* current attempt */
	int confirming;                 /* every chunk served: asking R whether it has it */
	unsigned confirms;              /* confirming NOTIFYs sent for this distid */
	unsigned cookie_retries;        /* BADCOOKIE answers in a row (COOKIE-4) */
	int force_tcp;                  /* after two of them: over TCP */
} out_item_t;

/* A fetch-mode distribution kept for its receiver. */
typedef struct dist {
	struct dist *next;
	char distid[TP_DISTID_LEN + 1];
	char receiver[TP_IDENT_MAX];
	uint8_t msgid[TP_MSGID_LEN];
	tp_manifest_t man;
	hs_buf_t manifest; /* JSON text */
	hs_buf_t env;      /* the envelope */
	uint8_t *served;   /* [chunk_count + 1] flags */
	uint32_t nserved;  /* data chunks served at least once */
	int receipt_fetching;
	uint64_t expires_mono;
} dist_t;

/* A fetch in progress at the receiver. */
typedef struct fetch {
	struct fetch *next;
	char distid[TP_DISTID_MAX + 1];
	char sender[TP_IDENT_MAX];
	int have_manifest;
	tp_manifest_t man;
	uint8_t *buf;   /* [man.size] */
	uint8_t *got;   /* [chunk_count + 1] */
	uint8_t *tries; /* [chunk_count + 1] */
	uint8_t tries0; /* manifest query retries */
	uint32_t ngot;
	uint32_t next_seq; /* next data chunk not yet asked for */
	unsigned inflight;
	uint64_t deadline; /* no progress until then: give up */
	uint32_t *redo;    /* sequences refused by the sender's budget */
	size_t nredo;
	uint64_t resume_at; /* when to ask them again (0: nothing waits) */
} fetch_t;

/* A distribution R finished (fetched and accepted or rejected): a later
 * NOTIFY for it is answered from here instead of fetching again. */
typedef struct done {
	struct done *next;
	char sender[TP_IDENT_MAX];
	char distid[TP_DISTID_MAX + 1];
	tp_receipt_t rcpt; /* the outcome: duplicate or rejected + reason */
	int failed;        /* the fetch was abandoned: a NOTIFY for it (a replay,
	                    * or S confirming) starts no new fetch (FETCH-1) */
	uint64_t expires_mono;
} done_t;
#define TP_DONE_MAX      4096 /* finished distributions remembered */
#define TP_CONFIRM_MAX   12   /* confirming NOTIFYs per distribution */
#define TP_CONFIRM_PAUSE 2    /* ms before the 2nd one; doubles each time */

/* An action's token, waiting for tp_core_on_response. */
typedef struct tok {
	uint64_t token;
	enum tp_action_kind kind;
	uint8_t msgid[TP_MSGID_LEN]; /* NOTIFY */
	char distid[TP_DISTID_MAX + 1];
	char peer[TP_IDENT_MAX];
	uint32_t seq;           /* CHUNK */
	uint8_t cookie_retries; /* CHUNK: BADCOOKIE answers so far (COOKIE-4) */
} tok_t;

/* What the guard knows about one request's source (core_guard.c). */
typedef struct guard_req {
	int tcp;        /* arrived over TCP: the address is proven */
	int proven;     /* TCP, or a server cookie that verifies */
	size_t reqlen;  /* an unauthenticated answer is never longer */
	uint8_t ip[16]; /* the source address (iplen 0: not an address) */
	size_t iplen;
	const char *src; /* as the driver gave it (may be NULL) */
	uint8_t key[20]; /* binary key of the source for rate limits and logs:
	                  * its address when proven, else its network */
	size_t keylen;
	char addr[48]; /* text of the address ("" until guard_addr) */
	char net[64];  /* text of its /24 or /56 ("" until guard_net) */
	enum tp_cookie_verdict verdict;
	int cookie_malformed; /* a COOKIE option that does not parse */
} guard_req_t;

struct reflog;  /* rate-limited refusal log lines (core_guard.c) */
struct ccookie; /* client cookies per peer (core_cookie.c) */

struct tp_core {
	tp_core_cfg_t cfg;
	char self[TP_IDENT_MAX];
	uint8_t self_wire[WIRE_NAME_MAX];
	size_t self_wire_len;
	const hs_env_t *env;
	st_t *st;
	const tp_registry_t *reg;
	sig0_budget_t *budget;     /* proven sources: per address */
	sig0_budget_t *budget_net; /* unproven sources: per network */
	hs_rl_t *unproven;         /* unproven sources all together: one key */
	hs_rl_t *rrl;              /* unauthenticated answers per source */
	tp_cookie_srv_t *cookies;  /* server cookies */
	struct reflog *reflog;
	struct ccookie *cc; /* client cookies, per peer */
	size_t ncc, capcc;
	uint64_t next_token;
	uint64_t next_prune; /* mono ms */
	tp_action_t *acts;   /* FIFO */
	size_t acts_head, acts_n, acts_cap;
	tok_t *toks;
	size_t ntoks, toks_cap;
	out_item_t *items; /* queue order */
	dist_t *dists;
	fetch_t *fetches;
	done_t *done; /* newest first */
	size_t ndone;
	tp_core_stats_t stats;
	struct core_pstat *pst;  /* per-peer counters (core_pstats.c) */
	struct seen_entry *seen; /* [TP_SEEN_SLOTS] chunk queries (core_seen.c) */
	size_t npst, cappst;
};

static inline uint64_t core_mono(const tp_core_t *c)
{
	return c->env->mono_ms(c->env->arg);
}

static inline int64_t core_wall_ms(const tp_core_t *c)
{
	return (int64_t)c->env->now_ms(c->env->arg);
}

/* core.c */
uint64_t core_push_action(tp_core_t *c, enum tp_action_kind kind, const char *peer, int prefer_tcp,
                          hs_buf_t *msg); /* takes msg's bytes */
/* The message id of the action pushed last (a NOTIFY's). */
void core_action_msgid(tp_core_t *c, const uint8_t msgid[TP_MSGID_LEN]);
tok_t *core_tok_add(tp_core_t *c, uint64_t token, enum tp_action_kind kind);
void core_tok_drop(tp_core_t *c, uint64_t token);
uint16_t core_rand16(tp_core_t *c);

/* core_pstats.c: the counters of `peer`, created on first use. */
tp_peer_stats_t *core_pstats(tp_core_t *c, const char *peer);
void core_pstats_free(tp_core_t *c);

/* core_dns.c */
/* A query to `peer` (opcode, QNAME, QTYPE CHUNK, OPT 1232 with our COOKIE
 * for the peer and `opt` appended to its RDATA if non-NULL), signed. */
int dns_build_query(tp_core_t *c, const char *peer, unsigned opcode, const uint8_t *qname,
                    size_t qlen, const uint8_t *opt, size_t optlen, hs_buf_t *out) HS_CHECK_RESULT;
/* Request facts the replies need. */
typedef struct dns_req {
	uint16_t id, flags;
	unsigned opcode;
	int has_question;
	const uint8_t *question; /* wire bytes of the first question */
	size_t question_len;
	uint8_t qname[WIRE_NAME_MAX];
	size_t qname_len;
	uint16_t qtype;
	int has_opt;
	const uint8_t *opt_rdata; /* the OPT RR's options */
	size_t opt_rdlen;
	uint8_t opt_ext_rcode; /* upper 8 bits of the RCODE */
	/* set by the guard: a COOKIE to put into the reply (the request's
	 * client cookie with a fresh server cookie) */
	int has_cookie;
	tp_cookie_t cookie;
} dns_req_t;
int dns_parse_request(const uint8_t *msg, size_t len, dns_req_t *out) HS_CHECK_RESULT;
/* Signed reply: rcode (12-bit), EDE code (0 = none), answer RRs bytes
 * (already encoded, each with owner 0xc00c), an extra option. The OPT RR
 * (with the EDE, the extended RCODE bits and `opt`) is added only when the
 * request had one (RFC 6891 section 7): without it, rcode must be <= 15
 * and optlen 0 (HS_E_INVAL otherwise). */
int dns_build_reply(tp_core_t *c, const dns_req_t *rq, unsigned rcode, unsigned ede,
                    const uint8_t *answer, size_t answer_len, unsigned ancount, const uint8_t *opt,
                    size_t optlen, hs_buf_t *out) HS_CHECK_RESULT;
/* The class (enum tp_err_class) a refusal with EDE `ede` is counted in. */
int dns_err_class(unsigned ede);
/* Replace an oversize reply by a signed TC=1 one. */
int dns_tc_reply(tp_core_t *c, const uint8_t *req, size_t len, hs_buf_t *out) HS_CHECK_RESULT;
/* Find EDNS option `code` in OPT RDATA. HS_E_NOTFOUND, HS_E_MALFORMED. */
int dns_find_option(const uint8_t *rdata, size_t len, uint16_t code, const uint8_t **data,
                    size_t *dlen) HS_CHECK_RESULT;
/* Verify a response from `peer`: SIG(0) with its keys (HS_E_BADSIG..),
 * and give the parsed header facts. */
int dns_verify_response(tp_core_t *c, const tp_peer_t *peer, const uint8_t *msg, size_t len,
                        dns_req_t *out, unsigned *rcode) HS_CHECK_RESULT;
/* What an error response says, for operators: "REFUSED", "NOTAUTH, EDE
 * 18 (Prohibited): why" (the EDE text as sent, cut to fit). Works on
 * bytes whose signature did not verify: for the log only, never a
 * decision. "unparseable response" when the header cannot be read. */
void dns_error_text(const uint8_t *msg, size_t len, char *out, size_t n);
/* The first answer RR of type `type`: its RDATA. */
int dns_answer_rdata(const uint8_t *msg, size_t len, uint16_t type, const uint8_t **rdata,
                     size_t *rdlen) HS_CHECK_RESULT;

/* core_guard.c */
void guard_init(tp_core_t *c);
void guard_free(tp_core_t *c);
/* Classify the source of a request (`rq` may be NULL when it did not
 * parse); fills `g` and, for a request with a COOKIE, rq's reply cookie. */
void guard_classify(tp_core_t *c, const tp_core_req_t *in, dns_req_t *rq, size_t reqlen,
                    guard_req_t *g);
/* Admission before any public-key work: 0 to go on, or 1 with the answer
 * (unsigned: BADCOOKIE, TC=1 or REFUSED; possibly none) in `out`. */
int guard_admit(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, hs_buf_t *out);
/* Verification options charging the right budget for `g`; 0, or 1 when
 * the unproven sources' budget ran out just now (answer guard_pressure). */
int guard_verify_opts(tp_core_t *c, guard_req_t *g, sig0_verify_opts_t *vo);
/* The answer to an unproven request under load: BADCOOKIE with a fresh
 * server cookie, or TC=1 (unsigned, rate limited). HS_OK. */
int guard_pressure(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, hs_buf_t *out);
/* The unsigned, minimal answer to a request that proved nothing: `rcode`
 * and `ede`, never longer than the request, rate limited per source.
 * HS_OK with the answer in `out`, or with `out` empty: send nothing. */
int guard_refuse(tp_core_t *c, guard_req_t *g, const dns_req_t *rq, unsigned rcode, unsigned ede,
                 hs_buf_t *out);
/* The whole source address of `g` in binary (family and octets; the
 * source text when it is no address): its length, at most 20. */
size_t guard_src_id(const guard_req_t *g, uint8_t out[20]);
/* Write the refusal log lines that are due. */
void guard_tick(tp_core_t *c, uint64_t now);
/* The next time a log line is due, if earlier than *best. */
void guard_deadline(const tp_core_t *c, uint64_t *best);

/* core_cookie.c */
/* Append our COOKIE option for `peer` (client cookie, and the server
 * cookie learned from it if it is fresh). */
void cc_option(tp_core_t *c, const char *peer, hs_buf_t *opt);
/* Learn the server cookie from a response of `peer`: 1 when the response
 * echoed our client cookie (then *rcode holds its 12-bit RCODE), else 0. */
int cc_learn(tp_core_t *c, const char *peer, const uint8_t *resp, size_t len, unsigned *rcode);
/* The response's EDE INFO-CODE (0: none). */
unsigned cc_ede(const uint8_t *resp, size_t len);
void cc_free(tp_core_t *c);

/* core_send.c */
void send_load(tp_core_t *c, st_outq_list_t *l);
void send_run(tp_core_t *c); /* start due attempts, time out, expire */
void send_on_response(tp_core_t *c, const tok_t *t, int status, const uint8_t *resp, size_t len);
void send_dist_complete(tp_core_t *c, const uint8_t msgid[TP_MSGID_LEN]);
void send_free_all(tp_core_t *c);
void send_deadline(tp_core_t *c, uint64_t now, uint64_t *best);

/* core_fetch.c: finished distributions */
/* `rcpt` NULL: the fetch failed. */
void done_add(tp_core_t *c, const char *sender, const char *distid, const tp_receipt_t *rcpt);
const done_t *done_find(tp_core_t *c, const char *sender, const char *distid);
void done_free_all(tp_core_t *c);

/* core_serve.c */
dist_t *dist_new(tp_core_t *c, const char *receiver, const char *distid,
                 const uint8_t msgid[TP_MSGID_LEN], const uint8_t *env, size_t len);
dist_t *dist_find(tp_core_t *c, const char *distid);
void dist_drop(tp_core_t *c, const char *distid);
/* Keep a delivered distribution for fetch_timeout_ms more: the answer to
 * the last chunk query may have been lost, and the receiver asks again. */
void dist_linger(tp_core_t *c, const char *distid);
void dist_expire(tp_core_t *c, uint64_t now, uint64_t *best);
int serve_chunk(tp_core_t *c, const dns_req_t *rq, const char *receiver, const char *distid,
                unsigned seq, size_t limit, hs_buf_t *reply) HS_CHECK_RESULT;

/* core_seen.c: a verified chunk query for `receiver` from the source of
 * `g` whose SIG RR starts at sig_off and expires at `expiration` (Unix
 * seconds). HS_OK: first arrival or a retransmission from the same
 * address; HS_E_REPLAY: the same octets from another address, or too
 * many times. */
#define TP_SEEN_SLOTS       4096
#define TP_SEEN_MAX_ANSWERS 4  /* first answer and three retransmissions */
#define TP_SEEN_SKEW        60 /* the verifier's skew (draft-hsync-sig0 5.2) */
int seen_chunk_query(tp_core_t *c, const char *receiver, const guard_req_t *g, const uint8_t *msg,
                     size_t len, size_t sig_off, uint32_t expiration);
void seen_free(tp_core_t *c);

/* core_recv.c */
/* Open, check and accept an envelope from `peer`; fills the receipt.
 * HS_OK, or a store error (no receipt: answer SERVFAIL). */
int recv_accept(tp_core_t *c, const tp_peer_t *peer, const char *distid, const uint8_t *env,
                size_t len, tp_receipt_t *rcpt);

/* core_fetch.c */
int fetch_start(tp_core_t *c, const char *sender, const char *distid);
void fetch_on_response(tp_core_t *c, const tok_t *t, int status, const uint8_t *resp, size_t len);
void fetch_run(tp_core_t *c, uint64_t now, uint64_t *best);
void fetch_free_all(tp_core_t *c);

#endif
