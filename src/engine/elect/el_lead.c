/* Leading: rounds, acknowledgements, the lease, promises, stepping down
 * (EL-20 .. EL-34, EL-40). */
#include "engine/elect/el_int.h"

#include <string.h>

#include "util/log.h"

#define SUBSYS "elect"

static size_t popcount(uint64_t v)
{
	size_t n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

void el_become_leader(eng_t *e, eng_group_t *g, uint64_t now, const char *why)
{
	el_grp_t *x = g->el;
	x->accepted = (long)g->self;
	x->had_leader = 1;
	x->lease_until = 0;
	x->round = 0;
	memset(x->rounds, 0, sizeof(x->rounds));
	x->last_quorum = now;
	x->call_at = 0;
	x->cnt.wins++;
	el_set_role(e, g, EL_ROLE_LEADER, "%s", why);
	el_send_round(e, g, now);
}

void el_step_down(eng_t *e, eng_group_t *g, uint64_t now, const char *why)
{
	el_grp_t *x = g->el;
	if (x->role != EL_ROLE_LEADER)
		return;
	/* our acting stops here, so the promises we gave ourselves end too */
	x->lease_until = 0;
	x->promise_to = -1;
	x->promise_until = 0;
	x->accepted = -1;
	x->quiet_until = 0;
	x->cnt.stepdowns++;
	el_set_role(e, g, EL_ROLE_NONE, "stepped down: %s", why);
	el_report(e, g, now);
}

/* EL-20, EL-21: claim the lead (again) for the next round. */
void el_send_round(eng_t *e, eng_group_t *g, uint64_t now)
{
	el_grp_t *x = g->el;
	uint64_t L = el_lease(e);
	el_msg_t m;

	if (x->seen > x->term) { /* EL-33: lead on in a term above every one seen */
		log_notice(SUBSYS, "group '%s': leading on in term %llu (term %llu seen)", g->id,
		           (unsigned long long)(x->seen + 1), (unsigned long long)x->seen);
		x->term = x->seen + 1;
		x->seen = x->term;
		x->round = 0;
		memset(x->rounds, 0, sizeof(x->rounds));
	}
	el_round_t *r = &x->rounds[++x->round % EL_ROUNDS];
	r->r = x->round;
	r->sent = now;
	r->acked = 1ULL << g->self;
	r->quorum = 0;
	x->promise_to = (long)g->self; /* EL-31: we back ourselves */
	x->promise_until = now + el_promise_ms(L);
	x->next_round = now + L / 4;
	x->cnt.rounds++;
	memset(&m, 0, sizeof(m));
	memcpy(m.group, g->id, sizeof(g->id));
	m.kind = EL_MSG_CONFIRM;
	m.term = x->term;
	eng_strfmt(m.winner, sizeof(m.winner), "%s", g->members[g->self]);
	m.round = x->round;
	m.lease_ms = (uint32_t)L;
	el_send_all(e, g, &m);
}

void el_lead_step(eng_t *e, eng_group_t *g, uint64_t now)
{
	el_grp_t *x = g->el;
	uint64_t P = el_promise_ms(el_lease(e));
	if (el_reported_down(g, g->self)) {
		el_step_down(e, g, now, "the matrix reports us down");
		return;
	}
	if (now > x->last_quorum + P) {
		el_step_down(e, g, now, "no quorum acknowledged a round for P");
		return;
	}
	/* a newer term seen (a call we refused, a refusal of a round): EL-33 */
	if (now >= x->next_round || x->seen > x->term)
		el_send_round(e, g, now);
}

void el_on_ack(eng_t *e, eng_group_t *g, size_t from, const el_msg_t *m, uint64_t now)
{
	el_grp_t *x = g->el;
	if (x->role != EL_ROLE_LEADER || (size_t)el_member(g, m->winner) != g->self ||
	    m->term != x->term || m->round == 0)
		return;
	el_round_t *r = &x->rounds[m->round % EL_ROUNDS];
	if (r->r != m->round)
		return; /* older than the rounds we keep */
	r->acked |= 1ULL << from;
	if (r->quorum || popcount(r->acked) < el_quorum(g))
		return;
	r->quorum = 1;
	x->last_quorum = now;
	x->cnt.renewals++;
	if (r->sent + el_lease(e) > x->lease_until)
		x->lease_until = r->sent + el_lease(e);
}

/* EL-22: a round of leader `w`. */
void el_on_round(eng_t *e, eng_group_t *g, size_t w, const el_msg_t *m, uint64_t now)
{
	el_grp_t *x = g->el;
	el_msg_t ack;

	if (m->term < x->term) {
		el_refuse(e, g, w, EL_REFUSAL_STALE_TERM, -1);
		return;
	}
	if (x->role == EL_ROLE_LEADER) {
		if (m->term == x->term)
			return; /* a second winner of our own term cannot be followed */
		el_step_down(e, g, now, "a round of a newer term came");
	}
	if (!el_settled(e, x, now)) {
		x->term = m->term;
		x->accepted = (long)w;
		x->round_seen = now;
		el_set_role(e, g, EL_ROLE_FOLLOWER, "'%s' leads (we are not settled)",
		            g->members[w]);
		return;
	}
	if (el_promise_runs(x, now) && x->promise_to != (long)w) {
		el_refuse(e, g, w, EL_REFUSAL_PROMISED, x->promise_to);
		return;
	}
	if (m->term == x->term && x->accepted >= 0 && x->accepted != (long)w)
		return;
	if (m->lease_ms > el_lease(e)) {
		log_notice(SUBSYS,
		           "group '%s': not acknowledging '%s': lease %u ms is over ours (%llu)",
		           g->id, g->members[w], m->lease_ms, (unsigned long long)el_lease(e));
		return;
	}
	if (el_reported_down(g, w)) {
		if (!x->down_noted)
			log_notice(SUBSYS,
			           "group '%s': not acknowledging '%s': the matrix reports it down",
			           g->id, g->members[w]);
		x->down_noted = 1;
		return;
	}
	x->down_noted = 0;
	x->round_seen = now;
	x->term = m->term;
	x->accepted = (long)w;
	x->had_leader = 1;
	x->failed = 0;
	x->call_at = 0;
	if (x->promise_to != (long)w)
		x->promise_until = 0;
	x->promise_to = (long)w;
	if (now + el_promise_ms(m->lease_ms) > x->promise_until)
		x->promise_until = now + el_promise_ms(m->lease_ms);
	x->cnt.acks++;
	el_set_role(e, g, EL_ROLE_FOLLOWER, "following '%s'", g->members[w]);
	memset(&ack, 0, sizeof(ack));
	memcpy(ack.group, g->id, sizeof(g->id));
	ack.kind = EL_MSG_CONFIRM;
	ack.term = m->term;
	eng_strfmt(ack.winner, sizeof(ack.winner), "%s", g->members[w]);
	ack.round = m->round;
	el_send(e, g, w, &ack);
}
