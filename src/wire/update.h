/*
 * update.h -- DNS UPDATE messages (RFC 2136) and the answers to them
 * (prefix hs_upd_): a strict parser of a received UPDATE into uncompressed
 * records, a builder, and a reader of a response's RCODE, EDE and
 * KeyState option.
 *
 * The parser walks the message with the strict walker (wire/dnsmsg.h):
 * names may be compressed (nsupdate compresses) but every pointer points
 * backwards; RDATA names of the types RFC 3597 lets a receiver decompress
 * (NS among them) are expanded; owners are lowercased. It never decides
 * what a record means for the parent: that is src/engine/parent.
 *
 * Sections (RFC 2136 2.2): ZONE (the question position), PREREQUISITE
 * (answer), UPDATE (authority), ADDITIONAL.
 */
#ifndef HS_WIRE_UPDATE_H
#define HS_WIRE_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "util/hs_err.h"
#include "wire/cursor.h"

#define HS_UPD_MAX_RRS   64 /* records in the update section (PS-7) */
#define HS_OPCODE_QUERY  0
#define HS_OPCODE_NOTIFY 4
#define HS_OPCODE_UPDATE 5
#define HS_CLASS_IN      1
#define HS_CLASS_NONE    254
#define HS_CLASS_ANY     255
#define HS_TYPE_OPT      41
#define HS_TYPE_SIG      24
#define HS_TYPE_TSIG     250
#define HS_OPT_EDE       15 /* RFC 8914 */

/* One record of an update section: owner lowercase, RDATA names
 * expanded. In a parsed message `rdata` points into the hs_upd_t. */
typedef struct hs_upd_rr {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	uint16_t rclass; /* IN add, ANY delete RRset / name, NONE delete RR */
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
} hs_upd_rr_t;

/* A parsed UPDATE (or any message shaped like one). Plain data; free the
 * RDATA store with hs_upd_clear(). */
typedef struct hs_upd {
	uint16_t id;
	uint16_t flags; /* second header word */
	uint8_t opcode;
	uint16_t count[4];
	uint8_t zone[WIRE_NAME_MAX]; /* the zone section's name, lowercase */
	size_t zone_len;
	uint16_t zone_type, zone_class;
	size_t zone_off, zone_end; /* the zone section in the message */
	hs_upd_rr_t rrs[HS_UPD_MAX_RRS];
	size_t nrrs;
	int over; /* the update section had more than HS_UPD_MAX_RRS records */
	/* additional section */
	int has_opt;
	uint16_t opt_size;
	uint32_t opt_ttl; /* extended RCODE, version, DO */
	size_t opt_rdata_off, opt_rdlen;
	int has_sig;    /* a SIG RR, the last record */
	size_t nother;  /* additional records that are neither OPT nor the final SIG */
	hs_buf_t store; /* expanded RDATAs */
} hs_upd_t;

/*
 * Parse `msg` (`len` octets as received). Checks: the message walks
 * (dnsmsg_check), ZOCOUNT is 1, the update section has at most
 * HS_UPD_MAX_RRS records (else HS_E_LIMIT, with everything but the
 * records past the limit filled in), each record's RDATA expands
 * (HS_E_MALFORMED), at most one OPT (HS_E_MALFORMED). Nothing about
 * the opcode, prerequisites or the SIG is judged here; the counts and
 * flags say what was there. `out` is overwritten whole (it need not be
 * initialised, but an earlier parse into it must have been cleared):
 * hs_upd_clear it after use, also on error. Errors name the record in
 * `em`.
 */
int hs_upd_parse(const uint8_t *msg, size_t len, hs_upd_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
void hs_upd_clear(hs_upd_t *u);

/*
 * Build an UPDATE for `zone` (wire name; zone section `zone SOA IN`) with
 * message id `id`, no prerequisites, the `n` records of `rrs` in the
 * update section (names written uncompressed) and, when `edns` is set,
 * an OPT RR (version 0, UDP size 1232) carrying `opts` (whole options,
 * code + length + data; may be NULL). Appended to `out` (reset first).
 * HS_E_LIMIT when more than 65535 octets.
 */
int hs_upd_build(uint16_t id, const uint8_t *zone, size_t zone_len, const hs_upd_rr_t *rrs,
                 size_t n, int edns, const uint8_t *opts, size_t optlen,
                 hs_buf_t *out) HS_CHECK_RESULT;

/*
 * Append an OPT RR (owner root, UDP size `size`, extended RCODE bits of
 * `rcode` (>> 4), version 0) with an EDE option when `ede` >= 0 (info
 * code and `text`, may be NULL) and the whole options `opts` (may be
 * NULL). Does not touch ARCOUNT.
 */
void hs_opt_append(hs_buf_t *out, uint16_t size, unsigned rcode, int ede, const char *text,
                   const uint8_t *opts, size_t optlen);

/* What a response says (hs_upd_reply_parse). */
typedef struct hs_upd_reply {
	uint16_t id, flags;
	uint8_t opcode;
	unsigned rcode; /* 12 bits with the OPT's extended RCODE */
	int has_opt;
	int has_sig;
	int has_ede;
	uint16_t ede;
	char ede_text[256];
	int has_keystate;
	uint16_t ks_key_id;
	uint8_t ks_state, ks_data;
	char ks_text[256];
	uint8_t qname[WIRE_NAME_MAX]; /* first question / zone section */
	size_t qname_len;
	uint16_t qtype, qclass;
} hs_upd_reply_t;

/* Read a response: header, first question, OPT (extended RCODE, EDE,
 * KeyState), whether a SIG RR is last. HS_E_MALFORMED when it does not
 * walk or its options do not parse. Does not verify anything. */
int hs_upd_reply_parse(const uint8_t *msg, size_t len, hs_upd_reply_t *out) HS_CHECK_RESULT;

/* "NOERROR", "BADKEY", ... or "RCODE<n>" into buf. */
const char *hs_rcode_name(unsigned rcode, char *buf, size_t n);

#endif
