/*
 * xfr.h -- pulling a customer zone from its primary: AXFR over TCP on the
 * transport's loop, the SOA query that decides whether to transfer, and
 * the NOTIFY a primary sends (RFC 5936, RFC 1035 4.3.5, RFC 1996).
 *
 * Three layers, each usable alone:
 *
 *  - tp_xfr_zone_t: a transferred zone in memory (records in wire form,
 *    RDATA always uncompressed), with its SOA and its apex RRsets by type.
 *  - tp_xfr_parser_t: pure, no I/O: feed it the AXFR response messages
 *    one by one; it checks each message and each record, and at the end
 *    validates the zone as a whole (tp_xfr_zone_validate). What the
 *    client and the fuzz target both run.
 *  - tp_xfr_start(): the asynchronous client: non-blocking connect, query
 *    with 2-octet framing, messages read (partial reads and split frames
 *    handled) into the parser until the closing SOA, an overall and an
 *    idle timeout, size caps.
 *
 * What a transfer must satisfy (otherwise it fails as a whole, with a
 * one-line reason; the caller keeps its previous copy):
 *  - every message: QR=1, opcode QUERY, the query's id, RCODE NOERROR,
 *    TC=0, a well-formed message (strict walker, no trailing octets); a
 *    question, if present, is the zone / AXFR / IN;
 *  - the first answer record is the SOA of the zone; the transfer ends at
 *    the next SOA of the zone, whose serial must be the same, and nothing
 *    may follow it;
 *  - every record is class IN and owned by the zone or a name below it
 *    (label-wise, never a string suffix); no other SOA;
 *  - at most `max_records` records and `max_bytes` octets of messages;
 *  - every record of an hsync type (HSYNC3, HSYNCPARAM, DSYNC, HPKEKEY,
 *    CHUNK, legacy HSYNC/HSYNC2) decodes strictly; at most one HSYNCPARAM
 *    at the apex.
 * This AXFR client keeps the zone as a tp_xfr_zone_t (hsync-xfr uses it);
 * hsyncd's secondaries take IXFR with AXFR fallback into the zone
 * machinery through transport/zxfr.h instead.
 *
 * The process must ignore SIGPIPE (as every network daemon does): a
 * primary closing the connection early is reported as HS_E_NET.
 */
#ifndef HS_TRANSPORT_XFR_H
#define HS_TRANSPORT_XFR_H

#include <stddef.h>
#include <stdint.h>

#include "transport/endpoint.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/errmsg.h"
#include "wire/cursor.h"

/* ---- the zone ---------------------------------------------------------- */

typedef struct tp_xfr_zone tp_xfr_zone_t;

/* The SOA of a zone (RFC 1035 3.3.13); names uncompressed wire form. */
typedef struct tp_xfr_soa {
	uint8_t mname[WIRE_NAME_MAX];
	size_t mname_len;
	uint8_t rname[WIRE_NAME_MAX];
	size_t rname_len;
	uint32_t serial, refresh, retry, expire, minimum;
	uint32_t ttl;
} tp_xfr_soa_t;

/* One record of a zone, pointing into the zone (valid while it lives). */
typedef struct tp_xfr_rr {
	const uint8_t *owner; /* uncompressed wire form, case as received */
	size_t owner_len;
	uint16_t type, rclass;
	uint32_t ttl;
	const uint8_t *rdata; /* uncompressed */
	uint16_t rdlen;
} tp_xfr_rr_t;

/* One RDATA of an RRset, pointing into the zone. */
typedef struct tp_xfr_rdata {
	const uint8_t *data;
	uint16_t len;
	uint32_t ttl;
} tp_xfr_rdata_t;

void tp_xfr_zone_free(tp_xfr_zone_t *z); /* NULL-safe */
/* The zone's name, wire form, lowercase. */
const uint8_t *tp_xfr_zone_name(const tp_xfr_zone_t *z, size_t *len);
/* The SOA (always present in a zone that came out of a parser). */
const tp_xfr_soa_t *tp_xfr_zone_soa(const tp_xfr_zone_t *z);
/* Records, in transfer order, the SOA first (closing SOA not repeated). */
size_t tp_xfr_zone_count(const tp_xfr_zone_t *z);
/* The i-th record; HS_E_RANGE when i >= count. */
int tp_xfr_zone_rr(const tp_xfr_zone_t *z, size_t i, tp_xfr_rr_t *out) HS_CHECK_RESULT;
/*
 * The apex RRset of `type`: writes up to `max` RDATAs into `out` (may be
 * NULL with max 0) and returns how many the RRset has (so a first call
 * with max 0 sizes the array). 0 when the apex has no such RRset.
 */
size_t tp_xfr_zone_apex(const tp_xfr_zone_t *z, uint16_t type, tp_xfr_rdata_t *out, size_t max);
/* Octets of DNS messages the transfer took. */
size_t tp_xfr_zone_msg_bytes(const tp_xfr_zone_t *z);

/*
 * Zone-level checks on a complete zone: every hsync-type record decodes
 * (hs_rdata_to_text), at most one apex HSYNCPARAM. HS_OK or
 * HS_E_MALFORMED with `em` naming the record and the reason
 * ("HSYNC3 at 'example.test.': hsync3 identity: truncated input").
 */
int tp_xfr_zone_validate(const tp_xfr_zone_t *z, hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- the parser (pure) ------------------------------------------------- */

typedef struct tp_xfr_parser tp_xfr_parser_t;

typedef struct tp_xfr_limits {
	size_t max_records; /* 0 = 1,000,000 */
	size_t max_bytes;   /* octets of messages; 0 = 256 MiB */
} tp_xfr_limits_t;

/*
 * A parser for the AXFR of `zone` (wire form) answering query id `id`.
 * `lim` NULL = defaults. HS_E_NAME for a bad zone name.
 */
int tp_xfr_parser_new(const uint8_t *zone, size_t zone_len, uint16_t id, const tp_xfr_limits_t *lim,
                      tp_xfr_parser_t **out) HS_CHECK_RESULT;
void tp_xfr_parser_free(tp_xfr_parser_t *p); /* NULL-safe */

/*
 * One response message (without the TCP length prefix).
 * HS_E_AGAIN: fine, the closing SOA has not come yet.
 * HS_OK: the closing SOA was in this message; call tp_xfr_parser_finish.
 * Errors (the transfer is lost; further feeds return HS_E_STATE):
 * HS_E_MALFORMED (bad message, header, question, record, owner outside
 * the zone, serial mismatch, records after the end), HS_E_REFUSED (an
 * RCODE other than NOERROR; `em` names it), HS_E_LIMIT (a cap).
 */
int tp_xfr_parser_feed(tp_xfr_parser_t *p, const uint8_t *msg, size_t len,
                       hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * After HS_OK from feed: validate the zone (tp_xfr_zone_validate) and
 * hand it out in *out (the caller's; tp_xfr_zone_free). The parser is
 * spent either way. HS_E_STATE if the transfer is not complete;
 * HS_E_MALFORMED from validation.
 */
int tp_xfr_parser_finish(tp_xfr_parser_t *p, tp_xfr_zone_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Messages and records seen so far. */
size_t tp_xfr_parser_messages(const tp_xfr_parser_t *p);
size_t tp_xfr_parser_records(const tp_xfr_parser_t *p);

/* ---- the AXFR client --------------------------------------------------- */

typedef struct tp_xfr tp_xfr_t;

typedef struct tp_xfr_opts {
	unsigned timeout_ms; /* whole transfer, connect included; 0 = 120000 */
	unsigned idle_ms;    /* longest silence while waiting; 0 = 15000 */
	tp_xfr_limits_t limits;
	const hs_env_t *env; /* randomness for the query id; NULL = system */
} tp_xfr_opts_t;

/* What a transfer cost, for logs and the tool's summary. */
typedef struct tp_xfr_stats {
	size_t messages;
	size_t records;
	size_t bytes;
} tp_xfr_stats_t;

/*
 * Completion, called exactly once unless cancelled, never from inside
 * tp_xfr_start(). HS_OK: `zone` is the validated zone, now the callee's
 * (tp_xfr_zone_free). Otherwise `zone` is NULL and `em` says why:
 * HS_E_NET (connect failed, connection closed before the end),
 * HS_E_TIMEOUT (overall or idle), or a parser error. The tp_xfr_t handle
 * is gone when the callback starts.
 */
typedef void (*tp_xfr_fn)(void *arg, int status, tp_xfr_zone_t *zone, const tp_xfr_stats_t *st,
                          const hs_errmsg_t *em);

/*
 * Start the AXFR of `zone` (presentation, e.g. "example.test.") from
 * `primary` on `loop`. `opts` NULL = defaults. `handle` (may be NULL)
 * gets a handle for tp_xfr_cancel, valid until the callback starts.
 * Errors (no callback): HS_E_INVAL, HS_E_NAME, HS_E_NET (no socket).
 */
int tp_xfr_start(tp_loop_t *loop, const tp_peer_addr_t *primary, const char *zone,
                 const tp_xfr_opts_t *opts, tp_xfr_fn cb, void *arg,
                 tp_xfr_t **handle) HS_CHECK_RESULT;
/* Abandon a transfer; its callback is not called. NULL-safe. */
void tp_xfr_cancel(tp_xfr_t *x);

/* ---- the SOA query ----------------------------------------------------- */

/*
 * Check a response to a SOA query for `zone` (wire form) with id `id`:
 * QR=1, the id, RCODE NOERROR, AA=1, an answer SOA owned by the zone.
 * `*serial` gets its serial. Errors: HS_E_MALFORMED, HS_E_REFUSED (rcode
 * not NOERROR or not authoritative), HS_E_NOTFOUND (no SOA in the answer).
 */
int tp_xfr_soa_parse(const uint8_t *msg, size_t len, const uint8_t *zone, size_t zone_len,
                     uint16_t id, uint32_t *serial, hs_errmsg_t *em) HS_CHECK_RESULT;

typedef struct tp_xfr_soa_q tp_xfr_soa_q_t;
/* Completion: HS_OK with the serial, or an error and its reason. */
typedef void (*tp_xfr_soa_fn)(void *arg, int status, uint32_t serial, const hs_errmsg_t *em);

/*
 * Ask `primary` for the SOA of `zone` through `ep` (tp_send: UDP, TCP on
 * TC=1; `opts` NULL = defaults). `env` NULL = system randomness for the
 * id. Errors (no callback): those of tp_send, HS_E_NAME.
 */
int tp_xfr_soa_query(tp_endpoint_t *ep, const tp_peer_addr_t *primary, const char *zone,
                     const tp_send_opts_t *opts, const hs_env_t *env, tp_xfr_soa_fn cb, void *arg,
                     tp_xfr_soa_q_t **handle) HS_CHECK_RESULT;
void tp_xfr_soa_cancel(tp_xfr_soa_q_t *q); /* NULL-safe */

/* ---- NOTIFY from a primary --------------------------------------------- */

/* What a NOTIFY (RFC 1996) says. */
typedef struct tp_xfr_notify {
	uint16_t id;
	uint8_t zone[WIRE_NAME_MAX]; /* wire form */
	size_t zone_len;
	char zone_text[WIRE_NAME_MAX * 4 + 2]; /* presentation, lowercase */
	int has_serial;                        /* an answer SOA for the zone */
	uint32_t serial;
} tp_xfr_notify_t;

/*
 * Parse a request: opcode NOTIFY, QR=0, one question of type SOA class
 * IN. HS_E_MALFORMED otherwise (em says why). The daemon then asks
 * zsec_notify() (src/engine/zonesec.h) with the zone and the source
 * address, and answers with tp_xfr_notify_reply().
 */
int tp_xfr_notify_parse(const uint8_t *msg, size_t len, tp_xfr_notify_t *out,
                        hs_errmsg_t *em) HS_CHECK_RESULT;

/* DNS RCODEs a NOTIFY answer uses. */
enum { TP_RCODE_NOERROR = 0, TP_RCODE_FORMERR = 1, TP_RCODE_REFUSED = 5, TP_RCODE_NOTAUTH = 9 };

/*
 * Append the answer to the request `req`: same id, QR=1, AA=1, opcode
 * NOTIFY, `rcode`, the question echoed, no other records. HS_E_MALFORMED
 * when `req` has no parsable question (nothing appended).
 */
int tp_xfr_notify_reply(const uint8_t *req, size_t len, uint8_t rcode,
                        hs_buf_t *out) HS_CHECK_RESULT;

#endif
