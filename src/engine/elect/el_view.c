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

static void jkv_str(hs_buf_t *b, const char *k, const char *v, int first)
{
	hs_buf_printf(b, "%s\"%s\":", first ? "" : ",", k);
	if (v == NULL) {
		hs_buf_printf(b, "null");
		return;
	}
	/* names, role names and reasons we wrote: printable, but escape anyway */
	hs_buf_append_u8(b, '"');
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\')
			hs_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			hs_buf_printf(b, "\\u%04x", c);
		else
			hs_buf_append_u8(b, c);
	}
	hs_buf_append_u8(b, '"');
}

static void jkv_u64(hs_buf_t *b, const char *k, uint64_t v)
{
	hs_buf_printf(b, ",\"%s\":%llu", k, (unsigned long long)v);
}

static void jkv_bool(hs_buf_t *b, const char *k, int v)
{
	hs_buf_printf(b, ",\"%s\":%s", k, v ? "true" : "false");
}

void el_json(const eng_t *e, const char *group, hs_buf_t *out)
{
	el_info_t in;
	if (el_info(e, group, &in) != HS_OK)
		return;
	hs_buf_append_u8(out, '{');
	jkv_str(out, "role", el_role_name(in.role), 1);
	jkv_u64(out, "term", in.term);
	jkv_str(out, "leader", in.leader, 0);
	jkv_bool(out, "valid", in.valid);
	jkv_bool(out, "leading", in.leading);
	jkv_u64(out, "until_ms", in.until_ms);
	jkv_bool(out, "settled", in.settled);
	jkv_u64(out, "settled_ms", in.settled_ms);
	jkv_u64(out, "lease_ms", in.lease_ms);
	jkv_u64(out, "vote_ms", in.vote_ms);
	jkv_str(out, "reason", in.reason, 0);
	hs_buf_printf(out, ",\"counters\":{");
	int first = 1;
#define X(n)                                                                                       \
	hs_buf_printf(out, "%s\"" #n "\":%llu", first ? "" : ",", (unsigned long long)in.cnt.n);   \
	first = 0;
	EL_COUNTERS(X)
#undef X
	hs_buf_printf(out, "}}");
}
