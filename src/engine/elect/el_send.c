/* ELECT messages out: one member, every other member, refusals, votes. */
#include "engine/elect/el_int.h"

#include <string.h>

#include "util/log.h"

void el_send(eng_t *e, const eng_group_t *g, size_t to, const el_msg_t *m)
{
	hs_buf_t body = HS_BUF_INIT;
	if (el_msg_encode(m, &body) == HS_OK)
		eng_send(e, g->members[to], ENG_MSG_ELECT, &body);
	else
		log_err("elect", "group '%s': cannot encode a %s", g->id,
		        el_msg_kind_name(m->kind));
	hs_buf_free(&body);
}

void el_send_all(eng_t *e, const eng_group_t *g, const el_msg_t *m)
{
	for (size_t i = 0; i < g->n; i++)
		if (i != g->self)
			el_send(e, g, i, m);
}

/* EL-13, EL-32: a vote with ballot 0, our term, and who we back. */
void el_refuse(eng_t *e, eng_group_t *g, size_t to, el_refusal_t why, long leader)
{
	el_msg_t m;
	memset(&m, 0, sizeof(m));
	memcpy(m.group, g->id, sizeof(g->id));
	m.kind = EL_MSG_VOTE;
	m.term = g->el->term ? g->el->term : 1; /* a term is never 0 on the wire */
	eng_strfmt(m.reason, sizeof(m.reason), "%s", el_refusal_name(why));
	if (leader >= 0)
		eng_strfmt(m.leader, sizeof(m.leader), "%s", g->members[leader]);
	log_info("elect", "group '%s': refusing '%s' (%s, term %llu)", g->id, g->members[to],
	         el_refusal_name(why), (unsigned long long)g->el->term);
	g->el->cnt.refusals++;
	el_send(e, g, to, &m);
}

/* Our vote of `term` to the caller `to`. */
void el_send_vote(eng_t *e, eng_group_t *g, size_t to)
{
	el_msg_t m;
	memset(&m, 0, sizeof(m));
	memcpy(m.group, g->id, sizeof(g->id));
	m.kind = EL_MSG_VOTE;
	m.term = g->el->term;
	m.ballot = g->el->ballot;
	g->el->cnt.votes++;
	el_send(e, g, to, &m);
}
