/*
 * el.h -- leader election per provider group (prefix el_): one leader per
 * group, holding a lease that a quorum of members renews, so that only
 * the leader does the group's parent-facing work.
 *
 * Part of the engine's public API (engine.h includes it). The logic lives
 * in src/engine/elect/ and runs inside the sans-I/O agent engine: ELECT
 * messages (call, vote, confirm) come in through eng_message(), go out as
 * ENG_ACT_SEND actions, timers run in eng_tick(); every change of this
 * member's view of the leader is an ENG_ACT_LEADER action. Clock and
 * randomness are the engine's hs_env_t. Rules and requirement ids:
 * rfc-drafts/draft-hsync-election.md (EL-n); body: proto/elect_messages.md.
 *
 * Time: `*_mono` values are the env's monotonic milliseconds (the clock
 * of eng_next_deadline), `*_ms` values its wall clock, for display.
 */
#ifndef HS_ENGINE_ELECT_EL_H
#define HS_ENGINE_ELECT_EL_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/hs_err.h"
#include "util/json_out.h"

typedef struct eng eng_t;

/* Defaults and ranges of the engine's election settings (eng_cfg_t). */
#define EL_LEASE_DEFAULT 60000u /* L, EL-20 */
#define EL_LEASE_MIN     1000u
#define EL_LEASE_MAX     3600000u
#define EL_VOTE_MIN      100u /* E, EL-12: default L / 8, at most L / 2 */

/* A member's role in one group's election (draft section 5). */
#define EL_ROLES(X)                                                                                \
	X(NONE, "NONE")           /* no leader known */                                            \
	X(CANDIDATE, "CANDIDATE") /* calling: collecting votes */                                  \
	X(FOLLOWER, "FOLLOWER")   /* a leader is known (by a result or a round) */                 \
	X(LEADER, "LEADER")       /* won a term, sends rounds */

typedef enum el_role {
#define X(n, s) EL_ROLE_##n,
	EL_ROLES(X)
#undef X
} el_role_t;

const char *el_role_name(el_role_t r);

#define EL_COUNTERS(X)                                                                             \
	X(calls)        /* elections this member started */                                        \
	X(calls_failed) /* of which failed (no quorum of votes, refused) */                        \
	X(votes)        /* non-zero ballots sent to callers */                                     \
	X(refusals)     /* votes with ballot 0 sent */                                             \
	X(results)      /* results (round 0) sent as a caller */                                   \
	X(wins)         /* times this member became LEADER */                                      \
	X(rounds)       /* rounds sent as LEADER */                                                \
	X(renewals)     /* rounds acknowledged by a quorum */                                      \
	X(acks)         /* rounds of a leader acknowledged */                                      \
	X(stepdowns)    /* times this member stopped being LEADER */                               \
	X(refused_in)   /* ELECT refused: undecodable, not a member, bad winner */

typedef struct el_counters {
#define X(n) uint64_t n;
	EL_COUNTERS(X)
#undef X
} el_counters_t;

/* One group's election as this member sees it (pointers valid until the
 * next event of the engine). */
typedef struct el_info {
	const char *group;
	el_role_t role;
	uint64_t term;
	const char *leader;  /* the leader of this member's view; NULL = none */
	int valid;           /* its lease (we lead) or our promise to it runs */
	int leading;         /* we lead now: el_leading() says yes */
	uint64_t until_mono; /* end of that lease or promise; 0 = none */
	uint64_t until_ms;   /* the same on the wall clock */
	int settled;         /* EL-50: we take part */
	uint64_t settled_ms; /* wall clock when we do (or did) */
	uint32_t lease_ms;   /* L */
	uint32_t vote_ms;    /* E */
	const char *reason;  /* of the last role change */
	el_counters_t cnt;
} el_info_t;

/* HS_OK and *out, or HS_E_NOTFOUND when there is no such group. */
int el_info(const eng_t *e, const char *group, el_info_t *out) HS_CHECK_RESULT;

/*
 * The observer question of EL-60, for the code that does the leader's
 * work (parent synchronisation): 1 when this member leads group `group`
 * now (it is LEADER and a quorum acknowledged a round whose lease has not
 * run out), with *until_mono (may be NULL) the end of that lease on the
 * env's monotonic clock; 0 otherwise (*until_mono untouched). Start work
 * only after a 1, and finish each step before *until_mono or make it
 * harmless to repeat. el_leading_zone() asks for the group of a
 * multi-provider zone (0 when the zone has no group).
 */
int el_leading(const eng_t *e, const char *group, uint64_t *until_mono);
int el_leading_zone(const eng_t *e, const char *zone, uint64_t *until_mono);

/* One group's election as members of the JSON object `w` is writing:
 * role, term, leader (null when none), leader_valid, leading,
 * lease_until_ms (wall clock; 0 = none), settled, settled_ms, lease_ms,
 * vote_ms, reason, and with `counters` one member per counter of
 * EL_COUNTERS. Nothing for an unknown group. */
void el_jw_members(const eng_t *e, const char *group, hs_jw_t *w, int counters);
/* The same as one JSON object appended to `out`. */
void el_json(const eng_t *e, const char *group, hs_buf_t *out);

#endif
