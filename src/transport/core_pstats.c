/*
 * core_pstats.c -- per-peer transport counters for operators
 * (`hsyncctl peer list`): a small array searched linearly, since an agent
 * has a handful of peers and a counter is touched once per message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/core_int.h"
#include "util/xmalloc.h"

struct core_pstat {
	char peer[TP_IDENT_MAX];
	tp_peer_stats_t s;
};

static struct core_pstat *find(const tp_core_t *c, const char *peer)
{
	for (size_t i = 0; i < c->npst; i++)
		if (strcmp(c->pst[i].peer, peer) == 0)
			return &c->pst[i];
	return NULL;
}

tp_peer_stats_t *core_pstats(tp_core_t *c, const char *peer)
{
	struct core_pstat *p = find(c, peer);

	if (p != NULL)
		return &p->s;
	if (c->npst == c->cappst) {
		c->cappst = c->cappst ? 2 * c->cappst : 8;
		c->pst = xrealloc(c->pst, c->cappst * sizeof(*c->pst));
	}
	p = &c->pst[c->npst++];
	memset(p, 0, sizeof(*p));
	snprintf(p->peer, sizeof(p->peer), "%s", peer);
	return &p->s;
}

void core_pstats_free(tp_core_t *c)
{
	free(c->pst);
	c->pst = NULL;
	c->npst = c->cappst = 0;
}

int tp_core_peer_stats(const tp_core_t *c, const char *identity, tp_peer_stats_t *out)
{
	const struct core_pstat *p;

	memset(out, 0, sizeof(*out));
	if (c == NULL || identity == NULL || (p = find(c, identity)) == NULL)
		return HS_E_NOTFOUND;
	*out = p->s;
	for (const out_item_t *i = c->items; i; i = i->next)
		if (strcmp(i->peer, identity) == 0)
			out->pending++;
	return HS_OK;
}
