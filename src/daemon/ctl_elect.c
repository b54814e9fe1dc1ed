/* ctl_elect.c -- the leader election on the control socket: the election
 * members of `gossip show` and the command `group show GROUP`
 * (doc/control-protocol.md; rfc-drafts/draft-hsync-election.md EL-61). */
#include <string.h>

#include "daemon/hd_int.h"

#define S(ms) ((ms) / 1000)

void hd_ctl_election(hs_jw_t *w, hd_t *d, const char *group, int all)
{
	el_info_t in;

	if (el_info(d->eng, group, &in) != HS_OK)
		return;
	el_jw_members(d->eng, group, w, all);
	hs_jw_kv_u64(w, "lease_until", S(in.until_ms)); /* seconds, for ages */
	if (all)
		hs_jw_kv_u64(w, "settled_at", S(in.settled_ms));
}

/* The group `arg` names: a group id, or a zone of the group. */
static const char *find_group(hd_t *d, const char *arg, eng_group_info_t *gi)
{
	const char *id = arg;

	if (eng_group_get(d->eng, id, gi) != HS_OK) {
		id = eng_zone_group(d->eng, arg);
		if (id == NULL || eng_group_get(d->eng, id, gi) != HS_OK)
			return NULL;
	}
	return gi->id;
}

int hd_ctl_group_show(tp_ctl_call_t *c, void *arg)
{
	hd_t *d = arg;
	eng_group_info_t gi;
	const char *id;
	size_t i;

	if (c->argc != 1)
		return hs_fail(c->em, HS_E_INVAL, "usage: group show GROUP|ZONE");
	id = find_group(d, c->argv[0], &gi);
	if (id == NULL)
		return hs_fail(c->em, HS_E_NOTFOUND, "no group '%s'", c->argv[0]);
	hs_jw_obj_begin(c->out);
	hs_jw_kv_str(c->out, "group", gi.id);
	hs_jw_kv_str(c->out, "state", gi.operational ? "OPERATIONAL" : "DEGRADED");
	hs_jw_kv_u64(c->out, "since", S(gi.since_ms));
	hs_jw_key(c->out, "members");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < gi.nmembers; i++)
		hs_jw_str(c->out, gi.members[i]);
	hs_jw_arr_end(c->out);
	hs_jw_key(c->out, "zones");
	hs_jw_arr_begin(c->out);
	for (i = 0; i < eng_zone_count(d->eng); i++) {
		const eng_zone_t *z = eng_zone_at(d->eng, i);
		const char *g = z != NULL ? eng_zone_group(d->eng, z->name) : NULL;
		if (g != NULL && strcmp(g, gi.id) == 0)
			hs_jw_str(c->out, z->name);
	}
	hs_jw_arr_end(c->out);
	hd_ctl_election(c->out, d, gi.id, 1);
	hs_jw_obj_end(c->out);
	return HS_OK;
}
