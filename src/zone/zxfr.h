/*
 * zxfr.h -- zone transfers as pure functions over the zone machinery:
 * the AXFR and IXFR answers a primary sends (message by message, so the
 * transport can stream them with backpressure), and the parser of the
 * IXFR answers a secondary receives (RFC 1995, RFC 5936).
 *
 * No I/O, no clock. TSIG is not handled here: the transport signs each
 * message it takes from zn_out_next() and verifies each message before
 * it feeds zn_ixfr_feed() (ldns), and the parser ignores the additional
 * section where TSIG lives.
 *
 * What a downstream gets (rfc-drafts/draft-hsync-zones.md, ZONE-n):
 *  - AXFR: the current version, first and last record its SOA (ZONE-1).
 *  - IXFR with a serial equal to or newer than ours: one answer with our
 *    SOA alone ("up to date", ZONE-2).
 *  - IXFR from a serial the journal reaches: the condensed differences
 *    per journal entry, RFC 1995 section 4 form (ZONE-3).
 *  - IXFR from a serial the journal does not reach: the whole zone in
 *    AXFR form inside the IXFR answer (ZONE-4).
 *  - IXFR over UDP: the incremental answer when it fits in one message of
 *    the allowed size, else our SOA alone so that the client retries over
 *    TCP (RFC 1995 section 2, ZONE-5).
 */
#ifndef HS_ZONE_ZXFR_H
#define HS_ZONE_ZXFR_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "zone/journal.h"
#include "zone/zone.h"

#define ZN_TYPE_IXFR 251
#define ZN_TYPE_AXFR 252

/* ---- requests ---------------------------------------------------------- */

/* A transfer or SOA request as the primary reads it. */
typedef struct zn_xfr_req {
	uint16_t id;
	uint16_t flags;               /* the request's header flags (RD echoed) */
	uint8_t qname[WIRE_NAME_MAX]; /* lowercase */
	size_t qname_len;
	uint16_t qtype; /* ZN_TYPE_AXFR, ZN_TYPE_IXFR or another type */
	int has_serial; /* IXFR: the client's SOA from the authority section */
	uint32_t serial;
	size_t tsig_off; /* offset of a TSIG record in the additional section, 0 = none */
} zn_xfr_req_t;

/*
 * Parse a QUERY request with one question (class IN). For IXFR the
 * authority section must hold one SOA of the question's name (its serial
 * is taken; RFC 1995 section 3): HS_E_MALFORMED without it.
 * HS_E_MALFORMED for anything not a well-formed query.
 */
int zn_xfr_req_parse(const uint8_t *msg, size_t len, zn_xfr_req_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- answers ----------------------------------------------------------- */

/* How an answer is made. */
typedef struct zn_out_opts {
	size_t max_msg; /* octets per message; 0 = 65535 (TCP). UDP callers pass
	                 * the client's EDNS size or 512 */
	int udp;        /* IXFR over UDP: one message or the single SOA */
} zn_out_opts_t;

/* What an answer turned out to be (for the per-downstream record). */
enum zn_out_kind {
	ZN_OUT_AXFR = 1,    /* an AXFR */
	ZN_OUT_IXFR,        /* incremental */
	ZN_OUT_IXFR_AXFR,   /* IXFR answered with the whole zone */
	ZN_OUT_UPTODATE,    /* single SOA */
	ZN_OUT_UDP_TOO_BIG, /* UDP IXFR answered with the single SOA */
};
const char *zn_out_kind_name(enum zn_out_kind k);

typedef struct zn_out zn_out_t;

/*
 * An answer to `req` (AXFR or IXFR for the zone of `snap`; the question's
 * name must be the apex: HS_E_INVAL otherwise). `j` may be NULL (no
 * journal: every IXFR is answered in AXFR form unless up to date). The
 * answer holds its own reference to the snapshot and copies what it
 * needs from the journal, so the zone may change while it is streamed.
 */
int zn_out_new(zn_snap_t *snap, const zn_journal_t *j, const zn_xfr_req_t *req,
               const zn_out_opts_t *opts, zn_out_t **out) HS_CHECK_RESULT;
void zn_out_free(zn_out_t *o); /* NULL-safe */
enum zn_out_kind zn_out_kind(const zn_out_t *o);
/*
 * The next message, appended to `msg` (without TCP framing): HS_OK, or
 * HS_E_NOTFOUND when every message has been produced. Every message is a
 * response with the request's id and question, AA set; records are never
 * split across messages. HS_E_SPACE if one record does not fit max_msg.
 */
int zn_out_next(zn_out_t *o, hs_buf_t *msg) HS_CHECK_RESULT;
/* Messages, records and octets produced so far. */
size_t zn_out_messages(const zn_out_t *o);
size_t zn_out_records(const zn_out_t *o);
size_t zn_out_bytes(const zn_out_t *o);

/* ---- the IXFR answer parser (secondary side) ----------------------------- */

typedef struct zn_ixfr zn_ixfr_t;

typedef struct zn_ixfr_limits {
	size_t max_records; /* 0 = 10,000,000 */
	size_t max_bytes;   /* octets of messages; 0 = 256 MiB */
} zn_ixfr_limits_t;

enum zn_ixfr_kind {
	ZN_IXFR_UPTODATE = 1, /* a single SOA not newer than ours */
	ZN_IXFR_INCREMENTAL,  /* a chain of differences */
	ZN_IXFR_FULL,         /* the whole zone (AXFR-style answer) */
};

/*
 * A parser for the answer to IXFR query `id` for `apex`, our version
 * being `serial`. Also accepts an AXFR answer when `axfr` is non-zero
 * (the query asked AXFR: only the FULL form is then valid). `lim` NULL =
 * defaults. HS_E_NAME for a bad apex.
 */
int zn_ixfr_new(const uint8_t *apex, size_t apex_len, uint16_t id, uint32_t serial, int axfr,
                const zn_ixfr_limits_t *lim, zn_ixfr_t **out) HS_CHECK_RESULT;
void zn_ixfr_free(zn_ixfr_t *p); /* NULL-safe */

/*
 * Feed one response message (without framing). HS_E_AGAIN: fine, more to
 * come. HS_OK: the answer is complete (call zn_ixfr_kind and take the
 * result). Errors (the transfer is lost; later feeds return HS_E_STATE):
 * HS_E_MALFORMED (bad message or record, owner outside the zone, an SOA
 * chain that does not link, records after the end, an answer that
 * starts a difference from a serial other than ours), HS_E_REFUSED (an
 * RCODE other than NOERROR: `em` names it, so the caller falls back to
 * AXFR on NOTIMP/REFUSED/FORMERR), HS_E_LIMIT.
 */
int zn_ixfr_feed(zn_ixfr_t *p, const uint8_t *msg, size_t len, hs_errmsg_t *em) HS_CHECK_RESULT;

/* After HS_OK from feed. */
enum zn_ixfr_kind zn_ixfr_kind(const zn_ixfr_t *p);
/* The serial the answer leads to (the first SOA's). */
uint32_t zn_ixfr_serial(const zn_ixfr_t *p);
/* INCREMENTAL: the differences, oldest first (taken: the caller frees
 * each with zn_diff_free and the array with free()). HS_E_STATE for
 * another kind. */
int zn_ixfr_take_diffs(zn_ixfr_t *p, zn_diff_t ***diffs, size_t *n) HS_CHECK_RESULT;
/* FULL: the records as a builder (the caller's). HS_E_STATE otherwise. */
int zn_ixfr_take_full(zn_ixfr_t *p, zn_builder_t **out) HS_CHECK_RESULT;
size_t zn_ixfr_messages(const zn_ixfr_t *p);
size_t zn_ixfr_records(const zn_ixfr_t *p);
size_t zn_ixfr_bytes(const zn_ixfr_t *p);

#endif
