/*
 * el_msg.h -- the ELECT message body (prefix el_msg_): call, vote and
 * confirm of the leader election. Schema: proto/elect_messages.md;
 * semantics: rfc-drafts/draft-hsync-election.md (EL-n).
 *
 * The decoder takes untrusted bytes: bounded (eng_mp_check first), strict
 * about types, required keys and the rules of each kind (EL-4), tolerant
 * of unknown keys, names made canonical. The decoded struct owns its
 * memory (el_msg_free). Whether the sender may send it (membership, EL-5)
 * is the engine's business, not the decoder's.
 */
#ifndef HS_ENGINE_ELECT_EL_MSG_H
#define HS_ENGINE_ELECT_EL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "engine/msg.h"
#include "util/buf.h"
#include "util/errmsg.h"

#define EL_MSG_MAX_BALLOTS ENG_GROUP_MAX_MEMBERS
#define EL_MSG_LEASE_MAX   3600000u /* ms */
#define EL_MSG_REASON_MAX  32

/* The three kinds of ELECT (EL-4). */
#define EL_MSG_KINDS(X)                                                                            \
	X(CALL, "call")                                                                            \
	X(VOTE, "vote")                                                                            \
	X(CONFIRM, "confirm")

typedef enum el_msg_kind {
	EL_MSG_NONE = 0,
#define X(n, s) EL_MSG_##n,
	EL_MSG_KINDS(X)
#undef X
} el_msg_kind_t;

const char *el_msg_kind_name(el_msg_kind_t k);

/* Refusal codes of a vote with ballot 0 (EL-13). */
#define EL_REFUSALS(X)                                                                             \
	X(STARTING, "starting")     /* not settled yet (EL-50) */                                  \
	X(LEADING, "leading")       /* the refuser leads and its lease runs */                     \
	X(PROMISED, "promised")     /* the refuser backs another leader */                         \
	X(STALE_TERM, "stale-term") /* the term is older than the refuser's */                     \
	X(VOTED, "voted")           /* the refuser voted for another caller in that term */

typedef enum el_refusal {
	EL_REFUSAL_NONE = 0,
#define X(n, s) EL_REFUSAL_##n,
	EL_REFUSALS(X)
#undef X
} el_refusal_t;

const char *el_refusal_name(el_refusal_t r);

typedef struct el_ballot {
	char name[ENG_NAME_MAX]; /* canonical */
	uint64_t ballot;
} el_ballot_t;

typedef struct el_msg {
	char group[ENG_GROUP_ID_LEN + 1];
	el_msg_kind_t kind;
	uint64_t term;   /* >= 1 */
	uint64_t ballot; /* call: != 0; vote: 0 = refusal */
	/* vote, with a refusal */
	char leader[ENG_NAME_MAX];          /* "" = not given */
	char reason[EL_MSG_REASON_MAX + 1]; /* "" = not given; kept as received */
	/* confirm */
	char winner[ENG_NAME_MAX];
	uint64_t round;       /* 0 = the caller's result */
	uint32_t lease_ms;    /* 0 = not given */
	el_ballot_t *ballots; /* owned; nballots entries, names unique */
	size_t nballots;
} el_msg_t;

/* Append the body to `out`. HS_E_INVAL (output unchanged) when a field
 * breaks a rule of EL-4 or a limit above. */
int el_msg_encode(const el_msg_t *m, hs_buf_t *out) HS_CHECK_RESULT;

/* HS_OK and *out filled, or HS_E_MALFORMED / HS_E_TRUNC / HS_E_TRAILING /
 * HS_E_LIMIT with the detail in `em` (may be NULL). *out is written only
 * on success. */
int el_msg_decode(const uint8_t *p, size_t n, el_msg_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

void el_msg_free(el_msg_t *m); /* NULL-safe; leaves it empty */

#endif
