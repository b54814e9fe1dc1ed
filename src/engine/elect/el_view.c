/* Read-only views of the election: the plain struct, the observer
 * question (EL-60) and JSON (EL-61). */
#include "engine/elect/el_int.h"

#include <string.h>

int el_info(const eng_t *e, const char *group, el_info_t *out)
{
	const eng_group_t *g = eng_group_find(e, group);
	if (g == NULL)
		return HS_E_NOTFOUND;
	const el_grp_t *x = g->el;
	uint64_t now = eng_mono(e), wall = eng_wall(e), until, settle;
	int valid;
	long l = el_view(e, g, now, &valid, &until);
	memset(out, 0, sizeof(*out));
	out->group = g->id;
	out->role = x->role;
	out->term = x->term;
	out->leader = l >= 0 ? g->members[l] : NULL;
	out->valid = valid;
	out->leading = x->role == EL_ROLE_LEADER && valid;
	out->until_mono = until;
	out->until_ms = until > now ? wall + (until - now) : 0;
	settle = x->formed + el_promise_ms(el_lease(e));
	out->settled = now >= settle;
	out->settled_ms = out->settled ? wall - (now - settle) : wall + (settle - now);
	out->lease_ms = (uint32_t)el_lease(e);
	out->vote_ms = (uint32_t)el_vote(e);
	out->reason = x->reason;
	out->cnt = x->cnt;
	return HS_OK;
}

int el_leading(const eng_t *e, const char *group, uint64_t *until_mono)
{
	const eng_group_t *g = group ? eng_group_find(e, group) : NULL;
	if (g == NULL)
		return 0;
	const el_grp_t *x = g->el;
	/* EL-20, EL-60: LEADER and a quorum-backed lease that has not run out */
	if (x->role != EL_ROLE_LEADER || eng_mono(e) >= x->lease_until)
		return 0;
	if (until_mono != NULL)
		*until_mono = x->lease_until;
	return 1;
}

int el_leading_zone(const eng_t *e, const char *zone, uint64_t *until_mono)
{
	return el_leading(e, eng_zone_group(e, zone), until_mono);
}

void el_jw_members(const eng_t *e, const char *group, hs_jw_t *w, int counters)
{
	el_info_t in;
	if (el_info(e, group, &in) != HS_OK)
		return;
	hs_jw_kv_str(w, "role", el_role_name(in.role));
	hs_jw_kv_u64(w, "term", in.term);
	hs_jw_kv_str(w, "leader", in.leader);
	hs_jw_kv_bool(w, "leader_valid", in.valid);
	hs_jw_kv_bool(w, "leading", in.leading);
	hs_jw_kv_u64(w, "lease_until_ms", in.until_ms);
	hs_jw_kv_bool(w, "settled", in.settled);
	hs_jw_kv_u64(w, "settled_ms", in.settled_ms);
	hs_jw_kv_u64(w, "lease_ms", in.lease_ms);
	hs_jw_kv_u64(w, "vote_ms", in.vote_ms);
	hs_jw_kv_str(w, "reason", in.reason);
	if (!counters)
		return;
#define X(n) hs_jw_kv_u64(w, #n, in.cnt.n);
	EL_COUNTERS(X)
#undef X
}

void el_json(const eng_t *e, const char *group, hs_buf_t *out)
{
	hs_jw_t w;
	hs_jw_init(&w, out);
	hs_jw_obj_begin(&w);
	el_jw_members(e, group, &w, 1);
	hs_jw_obj_end(&w);
}
