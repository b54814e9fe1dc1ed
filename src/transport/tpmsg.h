/*
 * tpmsg.h -- the transport's msgpack objects: the plaintext message inside
 * an envelope and the receipt in a NOTIFY response (proto/messages.md,
 * draft-hsync-transport sections 4 and 6).
 *
 * Encoding uses msgpack-c. Decoding is a strict bounded reader over the
 * wire cursor (msgpack-c's unpacker allocates for declared counts before
 * it sees the bytes): exactly one value, no trailing bytes, nesting at
 * most TP_MP_MAX_DEPTH, map keys of the top level must be strings and
 * unique, the known keys must have their types, unknown keys are skipped.
 */
#ifndef HS_TRANSPORT_TPMSG_H
#define HS_TRANSPORT_TPMSG_H

#include <stddef.h>
#include <stdint.h>

#include "transport/core.h"
#include "util/buf.h"
#include "util/hs_err.h"

#define TP_MSG_VERSION  1
#define TP_MP_MAX_DEPTH 32
#define TP_MSG_TYPE_MAX 32
#define TP_MSG_MAX_KEYS 64

/* The plaintext message. `body` is the raw msgpack map, a view into the
 * decoded bytes (decode) or the caller's bytes (encode; len 0 = {}). */
typedef struct tp_msg {
	uint64_t v;
	uint8_t id[TP_MSGID_LEN];
	uint64_t ts;
	char from[TP_IDENT_MAX];
	char to[TP_IDENT_MAX];
	char type[TP_MSG_TYPE_MAX + 1];
	const uint8_t *body;
	size_t body_len;
} tp_msg_t;

/* Append the map {v, id, ts, from, to, type, body}. HS_E_MALFORMED: body
 * is not exactly one msgpack map. */
int tp_msg_encode(hs_buf_t *out, const tp_msg_t *m) HS_CHECK_RESULT;
/* Strict decode (see above). HS_E_MALFORMED for anything off: missing or
 * mistyped key, id not 16 octets, text too long or with NUL/control
 * characters, body not a map; HS_E_LIMIT nesting too deep. */
int tp_msg_decode(const uint8_t *p, size_t len, tp_msg_t *out) HS_CHECK_RESULT;
/* 1 for the message types of draft section 4. */
int tp_msg_type_known(const char *type);

/* Whether `p` holds exactly one msgpack map (bounded walk). */
int tp_mp_check_map(const uint8_t *p, size_t len) HS_CHECK_RESULT;

/*
 * The PING body (proto/messages.md, TP-PING): {"data": bin (optional),
 * "echo": bool (optional)}; unknown keys ignored. A party that answers
 * echo sends back a PING with the same data and echo absent.
 */
typedef struct tp_ping {
	const uint8_t *data; /* a view into the decoded bytes; NULL when absent */
	size_t data_len;
	int echo;
} tp_ping_t;
void tp_ping_encode(hs_buf_t *out, const uint8_t *data, size_t len, int echo);
/* HS_E_MALFORMED: not one map, or a known key of the wrong type. */
int tp_ping_decode(const uint8_t *p, size_t len, tp_ping_t *out) HS_CHECK_RESULT;

enum tp_receipt_status {
	TP_RCPT_RECEIVED = 1,
	TP_RCPT_DUPLICATE = 2,
	TP_RCPT_FETCHING = 3,
	TP_RCPT_REJECTED = 4,
};

typedef struct tp_receipt {
	enum tp_receipt_status status;
	int has_id;
	uint8_t id[TP_MSGID_LEN];
	int reason; /* enum tp_reason; TP_REASON_NONE when absent or unknown */
} tp_receipt_t;

int tp_receipt_encode(hs_buf_t *out, const tp_receipt_t *r) HS_CHECK_RESULT;
/* HS_E_MALFORMED: not a map, unknown status, id not 16 octets; an
 * unknown reason token is kept as TP_REASON_NONE. */
int tp_receipt_decode(const uint8_t *p, size_t len, tp_receipt_t *out) HS_CHECK_RESULT;
const char *tp_receipt_status_name(int status);
/* enum tp_reason from its token; TP_REASON_NONE if unknown. */
int tp_reason_parse(const char *s, size_t n);

#endif
