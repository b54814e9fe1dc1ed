/* The election's per-group state, its one role-change function, the
 * observers, and the engine's hooks (dispatch, step, deadline). */
#include "engine/elect/el_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

#define SUBSYS "elect"

static const char *const role_names[] = {
#define X(n, s) s,
    EL_ROLES(X)
#undef X
};

const char *el_role_name(el_role_t r)
{
	return (unsigned)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "?";
}

uint64_t el_lease(const eng_t *e)
{
	return e->cfg.elect_lease_ms;
}

uint64_t el_vote(const eng_t *e)
{
	return e->cfg.elect_vote_ms;
}

el_grp_t *el_grp_new(eng_t *e)
{
	el_grp_t *x = xcalloc(1, sizeof(*x));
	x->formed = eng_mono(e);
	x->voted_for = x->accepted = x->promise_to = x->rep_leader = -1;
	return x;
}

void el_grp_free(el_grp_t *x)
{
	if (x == NULL)
		return;
	free(x->votes);
	free(x);
}

int el_settled(const eng_t *e, const el_grp_t *x, uint64_t now)
{
	return now >= x->formed + el_promise_ms(el_lease(e));
}

int el_promise_runs(const el_grp_t *x, uint64_t now)
{
	return x->promise_to >= 0 && now < x->promise_until;
}

long el_member(const eng_group_t *g, const char *id)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->members[i], id) == 0)
			return (long)i;
	return -1;
}

size_t el_quorum(const eng_group_t *g)
{
	return g->n / 2 + 1;
}

int el_reported_down(const eng_group_t *g, size_t m)
{
	size_t count = 0, need = (g->n - 1) / 2 + 1;
	/* AG-24: the matrix holds members' rows only, so nothing but a
	 * member's report can count here */
	for (size_t r = 0; r < g->n; r++) {
		if (r == m || !g->rows[r].have)
			continue;
		if (g->rows[r].cells[m] != ENG_PEER_OPERATIONAL)
			count++;
	}
	return count >= need;
}

int el_quorum_reachable(const eng_group_t *g)
{
	size_t up = 1;
	for (size_t c = 0; c < g->n; c++)
		if (c != g->self && g->rows[g->self].cells[c] == ENG_PEER_OPERATIONAL)
			up++;
	return up >= el_quorum(g);
}

void el_set_role(eng_t *e, eng_group_t *g, el_role_t to, const char *fmt, ...)
{
	el_grp_t *x = g->el;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->reason, sizeof(x->reason), fmt, ap);
	va_end(ap);
	if (x->role == to)
		return;
	log_notice(SUBSYS, "group '%s': election %s -> %s (term %llu: %s)", g->id,
	           el_role_name(x->role), el_role_name(to), (unsigned long long)x->term, x->reason);
	x->role = to;
}

long el_view(const eng_t *e, const eng_group_t *g, uint64_t now, int *valid, uint64_t *until)
{
	const el_grp_t *x = g->el;
	*valid = 0;
	*until = 0;
	if (x->role == EL_ROLE_LEADER) {
		*valid = now < x->lease_until;
		*until = x->lease_until;
		return (long)g->self;
	}
	if (el_promise_runs(x, now)) {
		*valid = 1;
		*until = x->promise_until;
		return x->promise_to;
	}
	return x->accepted;
}

void el_report(eng_t *e, eng_group_t *g, uint64_t now)
{
	el_grp_t *x = g->el;
	int valid;
	uint64_t until;
	long l = el_view(e, g, now, &valid, &until);
	int leading = x->role == EL_ROLE_LEADER && valid;
	if (l == x->rep_leader && valid == x->rep_valid && leading == x->rep_leading &&
	    (l < 0 || x->term == x->rep_term))
		return;
	eng_action_t *a = eng_push_action(e, ENG_ACT_LEADER);
	memcpy(a->group, g->id, sizeof(g->id));
	if (l >= 0)
		eng_strfmt(a->peer, sizeof(a->peer), "%s", g->members[l]);
	a->term = x->term;
	a->leading = leading;
	if (leading)
		eng_strfmt(a->reason, sizeof(a->reason), "we lead (term %llu, lease %llu ms left)",
		           (unsigned long long)x->term, (unsigned long long)(until - now));
	else if (l >= 0 && valid)
		eng_strfmt(a->reason, sizeof(a->reason), "leader '%s' (term %llu, %llu ms left)",
		           g->members[l], (unsigned long long)x->term,
		           (unsigned long long)(until - now));
	else if (l >= 0)
		eng_strfmt(a->reason, sizeof(a->reason), "leader '%s' not confirmed (term %llu)",
		           g->members[l], (unsigned long long)x->term);
	else
		eng_strfmt(a->reason, sizeof(a->reason), "no leader (term %llu)",
		           (unsigned long long)x->term);
	log_notice(SUBSYS, "group '%s': %s", g->id, a->reason);
	x->rep_leader = l;
	x->rep_valid = valid;
	x->rep_leading = leading;
	x->rep_term = x->term;
}

/* A random delay in [lo, lo + span). */
static uint64_t jitter(eng_t *e, uint64_t lo, uint64_t span)
{
	return lo + (span ? eng_random_u64(e) % span : 0);
}

/* EL-10 without its waits (settling, the 2 E after a vote or result):
 * nobody leads for us, and we could reach a quorum to elect one. A
 * leader whose rounds we could follow came within L / 2 is alive: we
 * follow its next round instead (after settling, say). */
static int need_leader(const eng_t *e, const eng_group_t *g, uint64_t now)
{
	const el_grp_t *x = g->el;
	return x->role != EL_ROLE_LEADER && x->role != EL_ROLE_CANDIDATE &&
	       !el_promise_runs(x, now) && el_quorum_reachable(g) &&
	       (g->operational || x->had_leader) &&
	       (x->round_seen == 0 || now >= x->round_seen + el_lease(e) / 2);
}

/* EL-10, EL-11: start an election when nobody leads and we may. */
static void maybe_call(eng_t *e, eng_group_t *g, uint64_t now)
{
	el_grp_t *x = g->el;
	uint64_t E = el_vote(e);
	if (!need_leader(e, g, now) || !el_settled(e, x, now) || now < x->quiet_until) {
		x->call_at = 0;
		return;
	}
	if (x->call_at == 0) {
		unsigned m = x->failed < 4 ? x->failed : 4;
		x->call_at =
		    m == 0 ? now + jitter(e, 0, E) : now + jitter(e, E << (m - 1), E << (m - 1));
		return;
	}
	if (now >= x->call_at) {
		x->call_at = 0;
		el_start_call(e, g, now);
	}
}

static void step(eng_t *e, eng_group_t *g, uint64_t now)
{
	el_grp_t *x = g->el;
	if (x->role == EL_ROLE_LEADER)
		el_lead_step(e, g, now);
	if (x->role == EL_ROLE_CANDIDATE && now >= x->window_end)
		el_end_call(e, g, now);
	if (x->role != EL_ROLE_LEADER && x->promise_to >= 0 && now >= x->promise_until) {
		log_info(SUBSYS, "group '%s': our promise to '%s' ran out (term %llu)", g->id,
		         g->members[x->promise_to], (unsigned long long)x->term);
		x->promise_to = -1;
	}
	maybe_call(e, g, now);
	el_report(e, g, now);
}

void el_step_all(eng_t *e)
{
	uint64_t now = eng_mono(e);
	for (size_t i = 0; i < e->ngroups; i++)
		step(e, e->groups[i], now);
}

static void dl_min(uint64_t *d, uint64_t t)
{
	if (t != 0 && t < *d)
		*d = t;
}

uint64_t el_deadline(const eng_t *e)
{
	uint64_t d = UINT64_MAX, P = el_promise_ms(el_lease(e));
	uint64_t now = eng_mono(e);
	for (size_t i = 0; i < e->ngroups; i++) {
		const el_grp_t *x = e->groups[i]->el;
		/* the waits of EL-10 matter only when a call is wanted */
		if (need_leader(e, e->groups[i], now)) {
			if (!el_settled(e, x, now))
				dl_min(&d, x->formed + P);
			if (x->quiet_until > now)
				dl_min(&d, x->quiet_until);
		}
		if (x->round_seen != 0 && now < x->round_seen + el_lease(e) / 2)
			dl_min(&d, x->round_seen + el_lease(e) / 2);
		dl_min(&d, x->call_at);
		if (x->role == EL_ROLE_CANDIDATE)
			dl_min(&d, x->window_end);
		if (x->role == EL_ROLE_LEADER) {
			dl_min(&d, x->next_round);
			if (x->lease_until > now)
				dl_min(&d, x->lease_until);
			dl_min(&d, x->last_quorum + P + 1);
		} else if (x->promise_to >= 0) {
			dl_min(&d, x->promise_until);
		}
	}
	return d;
}

int el_on_elect(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	el_msg_t m;
	hs_errmsg_t em;
	uint64_t now = eng_mono(e);
	int rc = el_msg_decode(b, n, &m, &em);
	if (rc != HS_OK) {
		log_notice(SUBSYS, "elect from '%s' refused: %s", from, hs_errmsg_str(&em));
		return rc;
	}
	eng_group_t *g = eng_group_find(e, m.group);
	if (g == NULL) { /* not (yet) a group of ours: the zone may load later */
		log_info(SUBSYS, "elect %s from '%s' for unknown group '%s' ignored",
		         el_msg_kind_name(m.kind), from, m.group);
		el_msg_free(&m);
		return HS_OK;
	}
	el_grp_t *x = g->el;
	long s = el_member(g, from);
	long w = m.kind == EL_MSG_CONFIRM ? el_member(g, m.winner) : 0;
	rc = HS_E_REFUSED;
	if (s < 0 || (size_t)s == g->self) { /* EL-5 */
		log_notice(SUBSYS, "elect from '%s' refused: not a member of group '%s'", from,
		           g->id);
		goto refused;
	}
	if (w < 0) {
		log_notice(SUBSYS, "elect confirm from '%s' refused: winner '%s' is not a member",
		           from, m.winner);
		goto refused;
	}
	for (size_t i = 0; i < m.nballots; i++) {
		if (el_member(g, m.ballots[i].name) < 0) {
			log_notice(SUBSYS, "elect result from '%s' refused: '%s' is not a member",
			           from, m.ballots[i].name);
			goto refused;
		}
	}
	if (m.term > x->seen)
		x->seen = m.term;
	log_debug(SUBSYS, "group '%s': %s from '%s' term %llu", g->id, el_msg_kind_name(m.kind),
	          from, (unsigned long long)m.term);
	if (m.kind == EL_MSG_CALL)
		el_on_call(e, g, (size_t)s, &m, now);
	else if (m.kind == EL_MSG_VOTE)
		el_on_vote(e, g, (size_t)s, &m, now);
	else if (m.round == 0)
		el_on_result(e, g, (size_t)s, w, &m, now);
	else if (s == w && m.lease_ms == 0) {
		log_notice(SUBSYS, "elect round from '%s' refused: no lease", from);
		rc = HS_E_MALFORMED;
		goto refused;
	} else if (s == w)
		el_on_round(e, g, (size_t)s, &m, now);
	else
		el_on_ack(e, g, (size_t)s, &m, now);
	el_msg_free(&m);
	return HS_OK;
refused:
	x->cnt.refused_in++;
	el_msg_free(&m);
	return rc;
}
