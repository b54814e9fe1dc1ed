/* node_prof.c -- where one message's time goes (tp_node_set_profile):
 * stage times per message at the sender (by message id) and per verified
 * request at the receiver (carried by the held reply). Off by default. */
#include <stdlib.h>
#include <string.h>

#include "transport/node_int.h"
#include "util/xmalloc.h"

/* A message followed at the sender: when it reached each point. */
struct node_pmsg {
	uint8_t msgid[TP_MSGID_LEN];
	uint64_t queued, sent, answered; /* 0: not yet */
};

/* Messages followed at once; beyond, new ones are not followed. */
#define NODE_PROF_MAX 4096

static const char *const stage_names[TP_PROF_COUNT] = {
    "queued-sent",  "sent-answered", "answered-outcome",
    "request-core", "core-commit",   "commit-durable-sent",
};

const char *tp_prof_stage_name(int stage)
{
	return stage >= 0 && stage < TP_PROF_COUNT ? stage_names[stage] : "?";
}

void tp_node_set_profile(tp_node_t *n, uint64_t (*now_us)(void *arg), void *arg)
{
	if (n == NULL)
		return;
	n->prof_now = now_us;
	n->prof_arg = arg;
	n->npmsg = 0;
}

uint64_t node_prof_now(const tp_node_t *n)
{
	return n->prof_now != NULL ? n->prof_now(n->prof_arg) : 0;
}

void node_prof_add(tp_node_t *n, int stage, uint64_t from, uint64_t to)
{
	tp_prof_stat_t *s;
	uint64_t d;

	if (n->prof_now == NULL || from == 0 || to < from)
		return;
	d = to - from;
	s = &n->prof.st[stage];
	s->n++;
	s->sum_us += d;
	if (d > s->max_us)
		s->max_us = d;
}

static struct node_pmsg *pmsg_find(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN])
{
	/* newest first: the window in flight is at the end */
	for (size_t i = n->npmsg; i-- > 0;)
		if (memcmp(n->pmsg[i].msgid, msgid, TP_MSGID_LEN) == 0)
			return &n->pmsg[i];
	return NULL;
}

void node_prof_queued(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN])
{
	struct node_pmsg *m;

	if (n->prof_now == NULL || n->npmsg == NODE_PROF_MAX)
		return;
	if (n->npmsg == n->cappmsg) {
		n->cappmsg = n->cappmsg ? 2 * n->cappmsg : 64;
		n->pmsg = xrealloc(n->pmsg, n->cappmsg * sizeof(*n->pmsg));
	}
	m = &n->pmsg[n->npmsg++];
	memset(m, 0, sizeof(*m));
	memcpy(m->msgid, msgid, TP_MSGID_LEN);
	m->queued = node_prof_now(n);
}

void node_prof_sent(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN])
{
	struct node_pmsg *m = n->prof_now != NULL ? pmsg_find(n, msgid) : NULL;

	if (m != NULL) {
		m->sent = node_prof_now(n);
		m->answered = 0;
	}
}

void node_prof_answered(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN])
{
	struct node_pmsg *m = n->prof_now != NULL ? pmsg_find(n, msgid) : NULL;

	if (m != NULL && m->sent != 0)
		m->answered = node_prof_now(n);
}

void node_prof_outcome(tp_node_t *n, const uint8_t msgid[TP_MSGID_LEN])
{
	struct node_pmsg *m = n->prof_now != NULL ? pmsg_find(n, msgid) : NULL;
	uint64_t now;

	if (m == NULL)
		return;
	now = node_prof_now(n);
	node_prof_add(n, TP_PROF_QUEUED_SENT, m->queued, m->sent);
	node_prof_add(n, TP_PROF_SENT_ANSWERED, m->sent, m->answered);
	node_prof_add(n, TP_PROF_ANSWERED_OUTCOME, m->answered, now);
	*m = n->pmsg[--n->npmsg];
}

void node_prof_free(tp_node_t *n)
{
	free(n->pmsg);
	n->pmsg = NULL;
	n->npmsg = n->cappmsg = 0;
}
