/*
 * pktprint.h -- print a DNS message the way dig does, with hsync's record
 * types and EDNS(0) options decoded.
 *
 * The message is untrusted bytes: it is parsed with ldns (ldns_wire2pkt)
 * and every hsync RDATA and option goes through the strict codecs of
 * wire/rdata.h. A record whose RDATA does not decode is printed in RFC
 * 3597 form ("\# LEN HEX") followed by "; decode error: WHY", so one bad
 * record never hides the rest of the message.
 *
 * Layout of the full form:
 *
 *   ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4711
 *   ;; flags: qr aa; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1
 *
 *   ;; OPT PSEUDOSECTION:
 *   ; EDNS: version: 0, flags: do; udp: 1232
 *   ; EDE: 18 (Prohibited): (extra text)
 *   ; KEYSTATE: <fields>
 *   ; OPT=65001: 0a0b
 *
 *   ;; QUESTION SECTION:
 *   ;example.test.		IN	HSYNC3
 *
 *   ;; ANSWER SECTION:
 *   example.test.	3600	IN	HSYNC3	ON alpha. agent.alpha.test. .
 *
 * Type mnemonics are hsync's where it has one, also as the type covered
 * by an RRSIG or SIG ("RRSIG HPKEKEY 15 3 3600 ...").
 */
#ifndef HS_WIRE_PKTPRINT_H
#define HS_WIRE_PKTPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

enum pkt_print_flags {
	/* Only the RDATA of the answer section, one record a line (+short). */
	PKT_PRINT_SHORT = 1u << 0,
	/* Leave out parts of the full form (dig's +nocomments, +noquestion,
	 * ...): the header, OPT pseudosection and section titles; a section. */
	PKT_PRINT_NO_COMMENTS = 1u << 1,
	PKT_PRINT_NO_QUESTION = 1u << 2,
	PKT_PRINT_NO_ANSWER = 1u << 3,
	PKT_PRINT_NO_AUTHORITY = 1u << 4,
	PKT_PRINT_NO_ADDITIONAL = 1u << 5,
};

/*
 * Append the presentation of the DNS message `wire` (`len` bytes) to
 * `out` (NUL-terminated via hs_buf_cstr). On failure `out` is left as it
 * was. Errors: HS_E_TRUNC (shorter than a header), HS_E_MALFORMED (ldns
 * cannot parse it; `em` carries ldns's reason), HS_E_INVAL (NULL args).
 */
int pkt_print(const uint8_t *wire, size_t len, unsigned flags, hs_buf_t *out,
              hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Append the presentation RDATA of one record of `type`: hsync types via
 * hs_rdata_to_text (falling back to "\# LEN HEX ; decode error: WHY"),
 * every other type in RFC 3597 form. Never fails.
 */
void pkt_rdata_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out);

/*
 * Append one line per EDNS(0) option found in `opts` (the OPT record's
 * RDATA), each "; NAME: text\n". Malformed framing prints the rest as
 * hex with a comment. Never fails.
 */
void pkt_edns_opts_text(const uint8_t *opts, size_t len, hs_buf_t *out);

/* "NOERROR", "BADSIG", ... or NULL; "QUERY", "NOTIFY", ... or NULL. */
const char *pkt_rcode_name(unsigned rcode);
const char *pkt_opcode_name(unsigned opcode);
/* RFC 8914 / hsync name of an Extended DNS Error code, or NULL. */
const char *pkt_ede_name(unsigned code);

#endif
