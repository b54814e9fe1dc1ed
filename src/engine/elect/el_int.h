/*
 * el_int.h -- the election's internal state and the hooks the agent
 * engine calls (engine.c, gossip.c). Shared by src/engine/elect and those
 * hooks only.
 *
 * One el_grp_t per provider group, attached to the engine's group
 * (eng_group_t.el). Members are named by their index into the group's
 * sorted member list, which never changes for a group id.
 */
#ifndef HS_ENGINE_ELECT_EL_INT_H
#define HS_ENGINE_ELECT_EL_INT_H

#include "engine/elect/el.h"
#include "engine/elect/el_msg.h"
#include "engine/engine_int.h"

#define EL_ROUNDS 8 /* rounds whose acknowledgements still count (EL-23) */

/* P(L) = L + L / 8 (EL-30) */
static inline uint64_t el_promise_ms(uint64_t lease)
{
	return lease + lease / 8;
}

typedef struct el_round {
	uint64_t r;     /* 0 = unused slot */
	uint64_t sent;  /* mono */
	uint64_t acked; /* bit per member index */
	int quorum;     /* reached */
} el_round_t;

typedef struct el_grp {
	el_role_t role;
	char reason[ENG_REASON_MAX + 1];
	uint64_t formed; /* mono; settled at formed + P (EL-50) */
	uint64_t term;   /* voted, called or accepted in */
	uint64_t seen;   /* highest term seen */
	long voted_for;  /* in `term`; -1 none */
	uint64_t ballot; /* ours in `term` */
	long accepted;   /* winner of `term` we know; -1 none */
	long promise_to; /* the leader we back; -1 none (EL-30) */
	uint64_t promise_until;
	int had_leader; /* a leader of this group was known (EL-10 case 2) */
	/* calling */
	uint64_t call_at;     /* mono; 0 = no call scheduled */
	uint64_t round_seen;  /* mono; the last round we could follow came then */
	uint64_t quiet_until; /* no call before (EL-10) */
	unsigned failed;      /* calls in a row that failed (EL-11) */
	uint64_t window_end;
	uint64_t *votes;  /* n ballots of our candidacy, 0 = none */
	uint64_t refused; /* bit per member: refused our call */
	/* leading */
	uint64_t lease_until, next_round, round, last_quorum;
	el_round_t rounds[EL_ROUNDS];
	/* what was last reported to observers */
	long rep_leader;
	int rep_valid, rep_leading;
	uint64_t rep_term;
	int down_noted; /* "leader reported down" logged */
	el_counters_t cnt;
} el_grp_t;

/* ---- hooks for the engine ---- */

/* A group was formed / is being freed (gossip.c). */
el_grp_t *el_grp_new(eng_t *e);
void el_grp_free(el_grp_t *x); /* NULL-safe */
/* After any event: timers, triggers, observers, for every group. */
void el_step_all(eng_t *e);
uint64_t el_deadline(const eng_t *e);
/* message handler (a row of the engine's table) */
int el_on_elect(eng_t *e, const char *from, const uint8_t *b, size_t n);

/* ---- inside src/engine/elect ---- */

/* el_state.c */
uint64_t el_lease(const eng_t *e);
uint64_t el_vote(const eng_t *e);
int el_settled(const eng_t *e, const el_grp_t *x, uint64_t now);
int el_promise_runs(const el_grp_t *x, uint64_t now);
long el_member(const eng_group_t *g, const char *id);
size_t el_quorum(const eng_group_t *g);
/* EL-40: member `m` reported down in our matrix. */
int el_reported_down(const eng_group_t *g, size_t m);
/* Our row shows a quorum reachable (us included). */
int el_quorum_reachable(const eng_group_t *g);
/* The one place a role changes: logs `old -> new (term t: why)`. */
void el_set_role(eng_t *e, eng_group_t *g, el_role_t to, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Tell observers when our view of the leader changed (EL-61). */
void el_report(eng_t *e, eng_group_t *g, uint64_t now);
/* Our view: leader index (-1 none), whether it is valid and its end. */
long el_view(const eng_t *e, const eng_group_t *g, uint64_t now, int *valid, uint64_t *until);

/* el_send.c */
void el_send(eng_t *e, const eng_group_t *g, size_t to, const el_msg_t *m);
void el_send_all(eng_t *e, const eng_group_t *g, const el_msg_t *m);
void el_refuse(eng_t *e, eng_group_t *g, size_t to, el_refusal_t why, long leader);
void el_send_vote(eng_t *e, eng_group_t *g, size_t to);

/* el_call.c: calls, votes, results */
void el_start_call(eng_t *e, eng_group_t *g, uint64_t now);
void el_end_call(eng_t *e, eng_group_t *g, uint64_t now); /* at the window's end */
void el_on_call(eng_t *e, eng_group_t *g, size_t from, const el_msg_t *m, uint64_t now);
void el_on_vote(eng_t *e, eng_group_t *g, size_t from, const el_msg_t *m, uint64_t now);
void el_on_result(eng_t *e, eng_group_t *g, size_t from, long winner, const el_msg_t *m,
                  uint64_t now);

/* el_lead.c: rounds, acknowledgements, the lease, stepping down */
void el_become_leader(eng_t *e, eng_group_t *g, uint64_t now, const char *why);
void el_step_down(eng_t *e, eng_group_t *g, uint64_t now, const char *why);
void el_send_round(eng_t *e, eng_group_t *g, uint64_t now);
void el_lead_step(eng_t *e, eng_group_t *g, uint64_t now);
void el_on_round(eng_t *e, eng_group_t *g, size_t leader, const el_msg_t *m, uint64_t now);
void el_on_ack(eng_t *e, eng_group_t *g, size_t from, const el_msg_t *m, uint64_t now);

#endif
