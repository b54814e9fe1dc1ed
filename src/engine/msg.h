/*
 * msg.h -- the agent messages HELLO, HELLO_ACK and BEAT (prefix eng_msg_).
 *
 * Bodies are msgpack maps (schemas: proto/agent_messages.md). Decoders
 * take untrusted bytes: bounded (eng_mp_check first), strict about types
 * and required keys, tolerant of unknown keys, and they canonicalise
 * every name (eng_name_canon). Decoded structs own their memory; free
 * them with the matching *_free (NULL-safe). Encoders append to an
 * hs_buf_t.
 */
#ifndef HS_ENGINE_MSG_H
#define HS_ENGINE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "engine/zone.h"
#include "util/buf.h"

/* Peer states, also the cell values of the gossip matrix (as names). */
#define ENG_PEER_STATES(X)                                                                         \
	X(NONE, "NONE")                                                                            \
	X(NEEDED, "NEEDED")                                                                        \
	X(KNOWN, "KNOWN")                                                                          \
	X(INTRODUCED, "INTRODUCED")                                                                \
	X(OPERATIONAL, "OPERATIONAL")                                                              \
	X(DEGRADED, "DEGRADED")                                                                    \
	X(INTERRUPTED, "INTERRUPTED")                                                              \
	X(GONE, "GONE")

typedef enum eng_peer_state {
#define X(n, s) ENG_PEER_##n,
	ENG_PEER_STATES(X)
#undef X
	    ENG_PEER__COUNT
} eng_peer_state_t;

const char *eng_peer_state_name(eng_peer_state_t s);
/* HS_OK or HS_E_MALFORMED for an unknown name (exact, uppercase). */
int eng_peer_state_parse(const char *s, eng_peer_state_t *out) HS_CHECK_RESULT;

/* Message types the engine speaks: name on the wire ↔ code. */
#define ENG_MSG_TYPES(X)                                                                           \
	X(HELLO, "HELLO")                                                                          \
	X(HELLO_ACK, "HELLO_ACK")                                                                  \
	X(BEAT, "BEAT")                                                                            \
	X(SYNC, "SYNC")                                                                            \
	X(UPDATE, "UPDATE")                                                                        \
	X(CONFIRM, "CONFIRM")                                                                      \
	X(RFI, "RFI")                                                                              \
	X(EDITS, "EDITS")                                                                          \
	X(CONFIG, "CONFIG")                                                                        \
	X(ELECT, "ELECT")                                                                          \
	X(KEYSTATE, "KEYSTATE")

typedef enum eng_msg_type {
	ENG_MSG_NONE = 0,
#define X(n, s) ENG_MSG_##n,
	ENG_MSG_TYPES(X)
#undef X
} eng_msg_type_t;

const char *eng_msg_type_name(eng_msg_type_t t);
/* Case-insensitive; ENG_MSG_NONE when unknown. */
eng_msg_type_t eng_msg_type_parse(const char *s);

/* Limits enforced by the decoders (and respected by the encoders). */
#define ENG_HELLO_MAX_ZONES   1024 /* a sender lists at most ENG_HELLO_SEND_ZONES */
#define ENG_HELLO_SEND_ZONES  64
#define ENG_HELLO_MAX_CAPS    32
#define ENG_CAP_MAX           32
#define ENG_REASON_MAX        255
#define ENG_BEAT_MAX_GROUPS   1024
#define ENG_GROUP_MAX_MEMBERS 64
#define ENG_GROUP_ID_LEN      16 /* hex characters */

/* 1 when `id` is a group id as written on the wire: ENG_GROUP_ID_LEN
 * lowercase hex digits. */
int eng_group_id_ok(const char *id);

typedef struct eng_hello {
	char identity[ENG_NAME_MAX];
	size_t nzones;
	char **zones; /* canonical */
	size_t ncaps;
	char **caps;
	uint64_t nonce;
	uint64_t time_ms;
} eng_hello_t;

/*
 * HELLO_ACK reason codes (draft-hsync-agents section 7.2): why a HELLO was
 * not accepted, or why another message was refused (then the nonce is 0).
 * The zone codes of section 2 (eng_zone_reason_name: "malformed",
 * "no-hsync3", ...) are used as they are for "the first listed zone is not
 * multi-provider here".
 */
#define ENG_ACK_REASONS(X)                                                                         \
	X(PEER_NOT_LISTED, "peer-not-listed") /* zone multi-provider, sender not ON */             \
	X(NOT_SERVED, "not-served")           /* none of the zones listed is served */             \
	X(IDENTITY_MISMATCH, "identity-mismatch")                                                  \
	X(BAD_MESSAGE, "bad-message")       /* body does not decode, or nonce 0 */                 \
	X(NOT_INTRODUCED, "not-introduced") /* a BEAT before the HELLOs */

typedef enum eng_ack_reason {
	ENG_ACK_NONE = 0,
#define X(n, s) ENG_ACK_##n,
	ENG_ACK_REASONS(X)
#undef X
} eng_ack_reason_t;
const char *eng_ack_reason_name(eng_ack_reason_t r);

typedef struct eng_hello_ack {
	char identity[ENG_NAME_MAX];
	uint64_t nonce; /* the nonce of the HELLO being answered; 0 = a refusal
	                 * of a message that was not a valid HELLO */
	int accept;
	char reason[ENG_REASON_MAX + 1]; /* a reason code; "" when accepted */
	char text[ENG_REASON_MAX + 1];   /* optional detail for people; "" = none */
} eng_hello_ack_t;

typedef struct eng_beat_cell {
	char *identity;
	eng_peer_state_t state;
} eng_beat_cell_t;

typedef struct eng_beat_row {
	char *owner;
	uint64_t version;
	size_t ncells;
	eng_beat_cell_t *cells;
} eng_beat_row_t;

typedef struct eng_beat_group {
	char id[ENG_GROUP_ID_LEN + 1];
	size_t nrows;
	eng_beat_row_t *rows;
} eng_beat_group_t;

typedef struct eng_beat {
	uint64_t seq;
	uint32_t interval_ms;
	size_t ngroups;
	eng_beat_group_t *groups;
} eng_beat_t;

/* Encoders: append the body to `out`. HS_E_INVAL when a field breaks a
 * limit above (the output is then left as it was). */
int eng_hello_encode(const eng_hello_t *h, hs_buf_t *out) HS_CHECK_RESULT;
int eng_hello_ack_encode(const eng_hello_ack_t *a, hs_buf_t *out) HS_CHECK_RESULT;
int eng_beat_encode(const eng_beat_t *b, hs_buf_t *out) HS_CHECK_RESULT;

/* Decoders: HS_OK and *out filled, or HS_E_MALFORMED / HS_E_TRUNC /
 * HS_E_TRAILING / HS_E_LIMIT (detail in `em` when not NULL). */
int eng_hello_decode(const uint8_t *p, size_t n, eng_hello_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int eng_hello_ack_decode(const uint8_t *p, size_t n, eng_hello_ack_t *out,
                         hs_errmsg_t *em) HS_CHECK_RESULT;
int eng_beat_decode(const uint8_t *p, size_t n, eng_beat_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

void eng_hello_free(eng_hello_t *h);
void eng_beat_free(eng_beat_t *b);

#endif
