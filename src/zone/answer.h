/*
 * answer.h -- authoritative answers from a zone version (pure): what a
 * served zone (the identity zone, a followed or combined zone) says to a
 * standard query. Shared by every role; transfers are zxfr.h.
 *
 * The answer to `q`, for a name at or below the apex:
 *  - AA set; the RRset of the name and type (ANY: every RRset but NSEC;
 *    ANY over UDP gets an empty TC=1 answer, RFC 8482), or the CNAME the
 *    name owns;
 *  - below a delegation (an NS RRset under the apex): a referral, AA
 *    clear, the NS RRset in authority (with DO: its DS and their RRSIGs,
 *    or the NSEC proving there is none), glue in additional;
 *  - NODATA / NXDOMAIN: the SOA in authority; with DO its RRSIG and the
 *    NSEC records of the denial (the name's, or the one covering it and
 *    the one covering the wildcard at the closest encloser);
 *  - with DO, the RRSIGs covering every RRset given;
 *  - class other than IN: REFUSED; AXFR/IXFR here: NOTIMP (zxfr.h serves
 *    them); EDNS version above 0: BADVERS (RFC 6891 6.1.3);
 *  - an OPT (size ZN_EDNS_SIZE, DO echoed) when the query had one;
 *  - over `q->limit`: header, question (and OPT) with TC=1.
 * Wildcards are not expanded (the zones served today have none).
 */
#ifndef HS_ZONE_ANSWER_H
#define HS_ZONE_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "zone/zone.h"

#define ZN_EDNS_SIZE     1232
#define ZN_RCODE_BADVERS 16

typedef struct zn_query {
	uint16_t id;
	uint16_t flags; /* the request's second header word (RD is copied) */
	const uint8_t *qname;
	size_t qname_len;
	uint16_t qtype, qclass;
	int has_opt;
	uint8_t edns_version;
	int dnssec_ok;
	size_t limit; /* the largest reply the requester takes */
	int tcp;
} zn_query_t;

/* 1 when `qname` is the apex or below it. */
int zn_snap_covers(const zn_snap_t *s, const uint8_t *qname, size_t qname_len);

/*
 * The answer, appended to `out`. HS_E_NAME when the name is not the
 * zone's (nothing appended); HS_E_INVAL on NULL.
 */
int zn_answer(const zn_snap_t *s, const zn_query_t *q, hs_buf_t *out) HS_CHECK_RESULT;

/* An empty answer with `rcode` (BADVERS only with an OPT). HS_E_INVAL;
 * HS_E_NAME when qname is not one uncompressed wire name. */
int zn_answer_rcode(const zn_query_t *q, unsigned rcode, int aa, hs_buf_t *out) HS_CHECK_RESULT;

#endif
