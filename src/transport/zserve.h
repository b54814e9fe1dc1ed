/*
 * zserve.h -- serving zones made with src/zone to ordinary DNS servers:
 * AXFR and IXFR over TCP (streamed, with backpressure), IXFR over UDP,
 * authoritative answers (SOA and the rest), access control per zone,
 * TSIG, and NOTIFY to downstreams with retries (prefix tp_zs_).
 *
 * The I/O half of rfc-drafts/draft-hsync-zones.md; the answers themselves
 * are the pure builders of zone/zxfr.h and zone/answer.h. Single-threaded
 * on the endpoint's loop.
 *
 * Zones and journals are the caller's (borrowed): the server takes a
 * snapshot of the zone for every answer, so a transfer being streamed
 * delivers exactly the version it started with while the caller applies
 * new ones (ZONE-6).
 *
 * Access (ZONE-7): AXFR/IXFR only to addresses listed for the zone; an
 * entry may name a TSIG key, and then the request must carry a TSIG with
 * that key that verifies. Otherwise REFUSED, with a log line naming the
 * zone, the client and the reason. An allowed transfer is an accepted
 * request for the endpoint (tp_reply_accept: over TCP it keeps its
 * connection from idle eviction, draft-hsync-transport TCP-2). A request with a TSIG under a key we
 * do not know, or one that does not verify, gets NOTAUTH (RFC 8945 5.2;
 * sent without a TSIG record). Plain queries are answered to anyone.
 *
 * NOTIFY (ZONE-8, RFC 1996): after tp_zs_changed(), to every configured
 * downstream: UDP, up to 5 tries 2, 4, 8, 16 s apart, stopping at the
 * first answer (any RCODE); signed with the downstream's key when it has
 * one. A newer change restarts the round with the new serial.
 */
#ifndef HS_TRANSPORT_ZSERVE_H
#define HS_TRANSPORT_ZSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "transport/endpoint.h"
#include "transport/tsig.h"
#include "util/env.h"
#include "zone/journal.h"
#include "zone/zone.h"

typedef struct tp_zs tp_zs_t;

/* One provide-xfr entry: an address prefix and optionally a key name. */
typedef struct tp_zs_acl {
	tp_peer_addr_t addr;        /* the port is ignored */
	unsigned prefix;            /* bits compared; 0 = the whole address */
	char key[TP_TSIG_NAME_MAX]; /* "" = no TSIG needed */
} tp_zs_acl_t;

/* One NOTIFY target. */
typedef struct tp_zs_notify {
	tp_peer_addr_t addr;
	char key[TP_TSIG_NAME_MAX]; /* "" = unsigned */
} tp_zs_notify_t;

typedef struct tp_zs_zone_conf {
	const tp_zs_acl_t *acl;
	size_t nacl;
	const tp_zs_notify_t *notify;
	size_t nnotify;
} tp_zs_zone_conf_t;

/* `env` NULL = the system clock and randomness. Never fails. */
tp_zs_t *tp_zs_new(tp_loop_t *loop, tp_endpoint_t *ep, const hs_env_t *env);
/* Cancels pending NOTIFYs; transfers under way end when their
 * connections do (they hold their own snapshot). NULL-safe. */
void tp_zs_free(tp_zs_t *zs);

/* The TSIG keys (copied; replaces the previous set). */
void tp_zs_set_keys(tp_zs_t *zs, const tp_tsig_key_t *keys, size_t n);

/*
 * A step every answer sent in one message goes through before it is
 * TSIG-signed and sent (hsyncd: tp_node_answer_step, the node's server
 * cookies and answer rate limit, draft-hsync-transport COOKIE-5 and
 * LOAD-7). `accepted`: the request proved who sent it (a transfer to an
 * allowed address, a verified TSIG). The step may rewrite `answer` (add
 * a COOKIE, replace it by TC=1) or empty it (nothing is sent). Answers
 * are built `room` octets below the requester's limit so that what the
 * step adds fits. Streamed transfers (TCP) do not go through it. NULL
 * removes it.
 */
typedef void (*tp_zs_answer_fn)(void *arg, const tp_peer_addr_t *src, int proto, const uint8_t *req,
                                size_t reqlen, size_t limit, int accepted, hs_buf_t *answer);
void tp_zs_set_answer_step(tp_zs_t *zs, tp_zs_answer_fn fn, void *arg, size_t room);

/*
 * Serve zone `z` (its apex names it) with journal `j` (may be NULL),
 * both borrowed until tp_zs_zone_remove or tp_zs_free; `conf` is copied
 * (a zone served again gets the new configuration; its downstream
 * records stay). HS_E_INVAL. HS_E_NOTFOUND when a key named in `conf` is
 * not among the keys (set the keys first).
 */
int tp_zs_zone_set(tp_zs_t *zs, zn_zone_t *z, zn_journal_t *j,
                   const tp_zs_zone_conf_t *conf) HS_CHECK_RESULT;
void tp_zs_zone_remove(tp_zs_t *zs, const uint8_t *apex, size_t apex_len);

/*
 * A request from the endpoint: 1 when it is for a served zone (a QUERY
 * whose name is at or below a served apex; nothing else in the
 * additional section but OPT and TSIG): the reply is taken (answered,
 * streamed or dropped). 0: not ours, `reply` untouched.
 */
int tp_zs_request(tp_zs_t *zs, const tp_peer_addr_t *src, int proto, const uint8_t *msg, size_t len,
                  tp_reply_t *reply);

/* The zone changed: NOTIFY its downstreams (see above). */
void tp_zs_changed(tp_zs_t *zs, const uint8_t *apex, size_t apex_len);

/* What a downstream was last told and given (for hsyncctl zone show). */
enum tp_zs_notify_state {
	TP_ZS_NOTIFY_NONE = 0,
	TP_ZS_NOTIFY_PENDING,
	TP_ZS_NOTIFY_ANSWERED,
	TP_ZS_NOTIFY_FAILED,
};

typedef struct tp_zs_down {
	char addr[80];  /* the address (NOTIFY targets with their port) */
	int configured; /* a NOTIFY target of the zone */
	enum tp_zs_notify_state notify_state;
	uint32_t notify_serial;
	unsigned notify_tries;
	uint8_t notify_rcode;
	int64_t notify_at; /* Unix seconds of the last send or answer */
	int has_xfr;
	uint32_t xfr_serial;
	char xfr_kind[24]; /* zn_out_kind_name */
	size_t xfr_messages, xfr_bytes;
	int64_t xfr_at;
	unsigned refused; /* transfers refused to this address */
} tp_zs_down_t;

/* The zone's downstreams (the NOTIFY targets, and up to 256 addresses
 * that asked for a transfer): writes up to `max` into `out` and returns
 * how many there are. 0 for a zone not served. */
size_t tp_zs_downstreams(const tp_zs_t *zs, const uint8_t *apex, size_t apex_len, tp_zs_down_t *out,
                         size_t max);

typedef struct tp_zs_stats {
	uint64_t queries, xfrs, refused, notauth, notifies_sent;
} tp_zs_stats_t;
void tp_zs_stats(const tp_zs_t *zs, const uint8_t *apex, size_t apex_len, tp_zs_stats_t *out);

#endif
