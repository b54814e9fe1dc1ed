/*
 * dnsmsg.h -- a strict, read-only walker over a received DNS message.
 *
 * The walker never copies or re-packs the message: it reports where each
 * record sits in the bytes as received, so a verifier (SIG(0), src/sig0)
 * can hash exactly what arrived. Names may carry compression pointers
 * (RFC 1035 4.1.4) as any sender may use them; a pointer is accepted only
 * if it points strictly backwards, past the 12-byte header, and the
 * expanded name stays within 255 octets, so a name cannot loop and its
 * expansion costs at most a bounded number of steps.
 *
 * Usage:
 *     dnsmsg_iter_t it;
 *     dnsmsg_rr_t rr;
 *     if (dnsmsg_open(&it, msg, len) != HS_OK) ...
 *     while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) { ... }
 *     if (rc != HS_E_NOTFOUND) ... malformed ...
 *     dnsmsg_end(&it) says whether bytes trail the last record.
 */
#ifndef HS_WIRE_DNSMSG_H
#define HS_WIRE_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "util/hs_err.h"
#include "wire/cursor.h"

#define DNSMSG_HDR_LEN 12

/* Sections, in message order (RFC 2136 names them ZONE, PREREQUISITE,
 * UPDATE, ADDITIONAL: the same positions). */
enum dnsmsg_section {
	DNSMSG_QUESTION = 0,
	DNSMSG_ANSWER = 1,
	DNSMSG_AUTHORITY = 2,
	DNSMSG_ADDITIONAL = 3,
};

typedef struct dnsmsg_hdr {
	uint16_t id;
	uint16_t flags;    /* QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE */
	uint16_t count[4]; /* QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT */
} dnsmsg_hdr_t;

/* Where one record (or question) sits in the message. Offsets are from
 * the first byte of the message. For a question, ttl, rdata_off and
 * rdlen are 0. */
typedef struct dnsmsg_rr {
	enum dnsmsg_section section;
	uint16_t index; /* position within its section */
	size_t off;     /* first byte of the record (its owner name) */
	size_t end;     /* one past the last byte of the record */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	size_t rdata_off;
	uint16_t rdlen;
} dnsmsg_rr_t;

/* Iterator state; plain data, lives on the caller's stack. */
typedef struct dnsmsg_iter {
	const uint8_t *msg;
	size_t len;
	dnsmsg_hdr_t hdr;
	wire_rd_t rd;
	int section;    /* current section */
	uint16_t index; /* next index within the section */
} dnsmsg_iter_t;

/*
 * Read the header of `msg` (`len` bytes, borrowed for the iterator's life)
 * and position before the first question.
 * Returns HS_OK, HS_E_TRUNC (fewer than 12 bytes) or HS_E_INVAL (NULL).
 */
int dnsmsg_open(dnsmsg_iter_t *it, const uint8_t *msg, size_t len) HS_CHECK_RESULT;

/*
 * Step to the next question or record, in message order, and describe it
 * in `*rr`. Returns HS_OK; HS_E_NOTFOUND after the last record of the
 * additional section; or the first error: HS_E_TRUNC (the counts promise
 * more than the bytes hold), HS_E_NAME (bad label type, name over 255
 * octets), HS_E_MALFORMED (a compression pointer that does not point
 * strictly backwards into the message body). Errors are sticky.
 */
int dnsmsg_next(dnsmsg_iter_t *it, dnsmsg_rr_t *rr) HS_CHECK_RESULT;

/* After dnsmsg_next returned HS_E_NOTFOUND: HS_OK when the last record
 * ended exactly at the end of the message, HS_E_TRAILING otherwise. */
int dnsmsg_end(const dnsmsg_iter_t *it) HS_CHECK_RESULT;

/*
 * Expand the (possibly compressed) name at offset `off` of `msg` into
 * `out` (at least WIRE_NAME_MAX bytes) in uncompressed wire form;
 * `*outlen` gets its length, `*wirelen` (may be NULL) the number of bytes
 * the name occupies at `off` (up to and including the first pointer).
 * Errors as dnsmsg_next. Outputs are written only on success.
 */
int dnsmsg_name_expand(const uint8_t *msg, size_t len, size_t off, uint8_t *out, size_t *outlen,
                       size_t *wirelen) HS_CHECK_RESULT;

/* Walk the whole message: HS_OK if every count is honoured, every name is
 * well formed and no byte trails; else the first error. `hdr` may be NULL;
 * written only on success. */
int dnsmsg_check(const uint8_t *msg, size_t len, dnsmsg_hdr_t *hdr) HS_CHECK_RESULT;

/* Compare two uncompressed wire names ASCII-case-insensitively;
 * 1 if equal, 0 if not. */
int dnsmsg_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* Lowercase ASCII letters of an uncompressed wire name in place
 * (RFC 4034 6.2 canonical form). */
void dnsmsg_name_lower(uint8_t *name, size_t len);

/*
 * The RDATA of record `rr` of `msg`, names expanded, into `out` (reset
 * first): the RFC 1035 types and those RFC 3597 section 4 tells a
 * receiver to decompress (NS, CNAME, SOA, PTR, MX, SRV, NAPTR, ...) have
 * their names expanded; every other type is copied as received.
 * HS_E_MALFORMED when the RDATA does not match its type's layout.
 */
struct hs_buf;
struct hs_errmsg;
/*
 * The header checks of every message of a zone transfer answer (AXFR,
 * IXFR; RFC 5936 2.2): the query's `id`, QR set and opcode QUERY, RCODE
 * NOERROR (else HS_E_REFUSED, `em` naming the RCODE: "primary answered
 * NOTIMP"), TC clear, at most one question, and an answer in the first
 * message (`msgno` counts from 1). HS_E_MALFORMED otherwise.
 */
int dnsmsg_xfr_header(const dnsmsg_hdr_t *h, uint16_t id, size_t msgno,
                      struct hs_errmsg *em) HS_CHECK_RESULT;
int dnsmsg_rdata_expand(const uint8_t *msg, size_t len, const dnsmsg_rr_t *rr,
                        struct hs_buf *out) HS_CHECK_RESULT;

/*
 * The RDATAs (names expanded, dnsmsg_rdata_expand) of the records of
 * `type` in the sections `sections` (bits 1 << DNSMSG_*) of `msg` whose
 * owner is `owner` (uncompressed wire, compared case-insensitively; NULL =
 * any), appended to out[*n], out[*n + 1], ... (each reset first) while
 * *n < max (later ones are skipped); *ttl (may be NULL) is raised to the
 * largest TTL taken. The whole message is checked first (dnsmsg_check).
 * HS_E_MALFORMED.
 */
int dnsmsg_collect(const uint8_t *msg, size_t len, uint16_t type, unsigned sections,
                   const uint8_t *owner, size_t owner_len, struct hs_buf *out, size_t max,
                   size_t *n, uint32_t *ttl) HS_CHECK_RESULT;

#endif
