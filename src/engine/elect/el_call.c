/* Calls, votes and results: who becomes leader (EL-12 .. EL-17). */
#include "engine/elect/el_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

#define SUBSYS "elect"

static uint64_t nonzero_ballot(eng_t *e)
{
	uint64_t b;
	while ((b = eng_random_u64(e)) == 0)
		;
	return b;
}

static size_t popcount(uint64_t v)
{
	size_t n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

static size_t nvotes(const eng_group_t *g)
{
	size_t k = 0;
	for (size_t i = 0; i < g->n; i++)
		k += g->el->votes[i] != 0;
	return k;
}

/* Leave our candidacy (if any) for NONE, or FOLLOWER of a known winner. */
static void leave_candidacy(eng_t *e, eng_group_t *g, const char *why)
{
	el_grp_t *x = g->el;
	if (x->role != EL_ROLE_CANDIDATE)
		return;
	el_set_role(e, g, x->accepted >= 0 ? EL_ROLE_FOLLOWER : EL_ROLE_NONE, "%s", why);
}

void el_start_call(eng_t *e, eng_group_t *g, uint64_t now)
{
	el_grp_t *x = g->el;
	el_msg_t m;
	uint64_t t = (x->term > x->seen ? x->term : x->seen) + 1;

	x->term = x->seen = t;
	x->ballot = nonzero_ballot(e);
	x->voted_for = (long)g->self;
	x->accepted = -1;
	if (x->votes == NULL)
		x->votes = xcalloc(g->n, sizeof(*x->votes));
	memset(x->votes, 0, g->n * sizeof(*x->votes));
	x->votes[g->self] = x->ballot;
	x->refused = 0;
	x->window_end = now + el_vote(e);
	x->cnt.calls++;
	el_set_role(e, g, EL_ROLE_CANDIDATE, "calling, %s",
	            x->had_leader ? "no valid leader" : "group operational, no leader yet");
	memset(&m, 0, sizeof(m));
	memcpy(m.group, g->id, sizeof(g->id));
	m.kind = EL_MSG_CALL;
	m.term = t;
	m.ballot = x->ballot;
	el_send_all(e, g, &m);
}

static void fail_call(eng_t *e, eng_group_t *g, const char *why)
{
	el_grp_t *x = g->el;
	x->failed++;
	x->cnt.calls_failed++;
	x->call_at = 0;
	leave_candidacy(e, g, why);
}

/* EL-15: the highest ballot among the voters that may win; ties to the
 * smallest identity (members are sorted, so the smallest index). */
static long winner_of(const eng_group_t *g)
{
	long best = -1;
	for (size_t i = 0; i < g->n; i++) {
		uint64_t b = g->el->votes[i];
		if (b == 0 || el_reported_down(g, i))
			continue;
		if (best < 0 || b > g->el->votes[best])
			best = (long)i;
	}
	return best;
}

static void decide(eng_t *e, eng_group_t *g, uint64_t now)
{
	el_grp_t *x = g->el;
	size_t k = nvotes(g);
	long w = winner_of(g);
	el_msg_t m;

	if (w < 0) {
		fail_call(e, g, "every voter is reported down by the matrix");
		return;
	}
	x->accepted = w;
	x->failed = 0;
	if ((size_t)w == g->self) {
		el_become_leader(e, g, now, "won our own call");
		return;
	}
	/* EL-16: tell every member; the winner starts its rounds on it */
	memset(&m, 0, sizeof(m));
	memcpy(m.group, g->id, sizeof(g->id));
	m.kind = EL_MSG_CONFIRM;
	m.term = x->term;
	eng_strfmt(m.winner, sizeof(m.winner), "%s", g->members[w]);
	m.round = 0;
	m.ballots = xcalloc(k, sizeof(*m.ballots));
	for (size_t i = 0; i < g->n; i++) {
		if (x->votes[i] == 0)
			continue;
		eng_strfmt(m.ballots[m.nballots].name, ENG_NAME_MAX, "%s", g->members[i]);
		m.ballots[m.nballots++].ballot = x->votes[i];
	}
	x->cnt.results++;
	x->quiet_until = now + 2 * el_vote(e);
	el_set_role(e, g, EL_ROLE_FOLLOWER, "'%s' won with %zu of %zu votes", g->members[w], k,
	            g->n);
	el_send_all(e, g, &m);
	el_msg_free(&m);
}

void el_end_call(eng_t *e, eng_group_t *g, uint64_t now)
{
	size_t k = nvotes(g), q = el_quorum(g);
	char why[ENG_REASON_MAX + 1];
	if (k >= q) {
		decide(e, g, now);
		return;
	}
	eng_strfmt(why, sizeof(why), "%zu votes in the window, %zu needed", k, q);
	fail_call(e, g, why);
}

void el_on_call(eng_t *e, eng_group_t *g, size_t from, const el_msg_t *m, uint64_t now)
{
	el_grp_t *x = g->el;

	if (!el_settled(e, x, now)) {
		el_refuse(e, g, from, EL_REFUSAL_STARTING, -1);
		return;
	}
	if (m->term < x->term) {
		el_refuse(e, g, from, EL_REFUSAL_STALE_TERM, -1);
		return;
	}
	if (x->role == EL_ROLE_LEADER) {
		if (now < x->lease_until) { /* EL-33: the next round moves to a newer term */
			el_refuse(e, g, from, EL_REFUSAL_LEADING, (long)g->self);
			return;
		}
		if (m->term > x->term)
			el_step_down(e, g, now, "lease ran out, and a call of a newer term came");
	}
	if (el_promise_runs(x, now) && x->promise_to != (long)from) {
		el_refuse(e, g, from, EL_REFUSAL_PROMISED, x->promise_to);
		return;
	}
	if (m->term == x->term) {
		if (x->voted_for == (long)from)
			el_send_vote(e, g, from); /* a resent call: the same vote */
		else
			el_refuse(e, g, from, EL_REFUSAL_VOTED, -1);
		return;
	}
	x->term = m->term;
	x->voted_for = (long)from;
	x->ballot = nonzero_ballot(e);
	x->accepted = -1;
	x->call_at = 0;
	x->quiet_until = now + 2 * el_vote(e);
	if (x->role == EL_ROLE_CANDIDATE) { /* ours lost the race */
		x->failed++;
		x->cnt.calls_failed++;
	}
	el_set_role(e, g, EL_ROLE_NONE, "voted for '%s'", g->members[from]);
	el_send_vote(e, g, from);
}

void el_on_vote(eng_t *e, eng_group_t *g, size_t from, const el_msg_t *m, uint64_t now)
{
	el_grp_t *x = g->el;

	if (x->role == EL_ROLE_LEADER) {
		/* refusals answer our rounds; a newer term there is EL-33/EL-34's
		 * business, handled by the leader's step through `seen` */
		return;
	}
	if (x->role != EL_ROLE_CANDIDATE)
		return;
	if (m->ballot == 0) {
		size_t q = el_quorum(g);
		char why[ENG_REASON_MAX + 1];
		if (m->term > x->term) {
			eng_strfmt(why, sizeof(why), "'%s' is in a newer term (%llu)",
			           g->members[from], (unsigned long long)m->term);
			fail_call(e, g, why);
			return;
		}
		x->refused |= 1ULL << from;
		log_info(SUBSYS, "group '%s': '%s' refused our call (%s)", g->id, g->members[from],
		         m->reason[0] ? m->reason : "no reason");
		if (g->n - popcount(x->refused) < q) {
			eng_strfmt(why, sizeof(why), "refused by %zu of %zu members",
			           popcount(x->refused), g->n);
			fail_call(e, g, why);
		}
		return;
	}
	if (m->term != x->term || x->votes[from] != 0)
		return; /* EL-14: not for this call, or a second ballot */
	x->votes[from] = m->ballot;
	if (nvotes(g) == g->n)
		decide(e, g, now);
}

/* EL-17: the result names a member of `ballots`, which has a quorum. */
static int result_ok(const eng_group_t *g, long winner, const el_msg_t *m)
{
	int found = 0;
	if (m->nballots < el_quorum(g))
		return 0;
	for (size_t i = 0; i < m->nballots; i++)
		if (m->ballots[i].ballot != 0 &&
		    strcmp(m->ballots[i].name, g->members[winner]) == 0)
			found = 1;
	return found;
}

void el_on_result(eng_t *e, eng_group_t *g, size_t from, long winner, const el_msg_t *m,
                  uint64_t now)
{
	el_grp_t *x = g->el;

	if (!result_ok(g, winner, m)) {
		log_notice(SUBSYS, "group '%s': result from '%s' ignored: %zu ballots, winner '%s'",
		           g->id, g->members[from], m->nballots, m->winner);
		return;
	}
	if (m->term < x->term) {
		el_refuse(e, g, from, EL_REFUSAL_STALE_TERM, -1);
		return;
	}
	if (x->role == EL_ROLE_LEADER) {
		if (m->term == x->term)
			return; /* ours: a second winner of one term cannot be followed */
		el_step_down(e, g, now, "a newer term elected another member");
	}
	if (m->term == x->term && x->accepted >= 0 && x->accepted != winner)
		return;
	if ((size_t)winner == g->self) {
		if (!el_settled(e, x, now) ||
		    (el_promise_runs(x, now) && x->promise_to != (long)g->self)) {
			log_info(SUBSYS, "group '%s': won term %llu but cannot lead yet", g->id,
			         (unsigned long long)m->term);
			return;
		}
		x->term = m->term;
		x->accepted = winner;
		x->failed = 0;
		el_become_leader(e, g, now, "our ballot won");
		return;
	}
	if (el_promise_runs(x, now) && x->promise_to != winner)
		return;
	x->term = m->term;
	x->accepted = winner;
	x->failed = 0;
	x->call_at = 0;
	x->quiet_until = now + 2 * el_vote(e);
	el_set_role(e, g, EL_ROLE_FOLLOWER, "'%s' won (result from '%s')", g->members[winner],
	            g->members[from]);
}
