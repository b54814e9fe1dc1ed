/* zs_names.c -- what a name is for the denial chain (authoritative, a
 * delegation, an empty non-terminal, occluded) and its bitmap types. */
#include "dnssec/zs_walk.h"

#include <string.h>

#include "zone/nav.h"

static size_t add_sorted(uint16_t *v, size_t n, uint16_t t)
{
	size_t i = n;
	for (size_t k = 0; k < n; k++)
		if (v[k] == t)
			return n;
	while (i > 0 && v[i - 1] > t) {
		v[i] = v[i - 1];
		i--;
	}
	v[i] = t;
	return n + 1;
}

size_t zs_name_bitmap_types(const zs_signer_t *s, enum zs_name_kind kind, int is_apex,
                            const uint16_t *present, size_t n, uint16_t *out)
{
	size_t m = 0;
	int has_ds = 0;
	if (kind == ZS_NAME_ENT || kind == ZS_NAME_NONE || kind == ZS_NAME_OPTOUT)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (zs_type_is_dnssec(present[i]))
			continue;
		has_ds |= present[i] == ZS_TYPE_DS;
		/* at a delegation the parent is authoritative for NS (its cut)
		 * and DS only (RFC 4035 2.3) */
		if (kind == ZS_NAME_CUT && present[i] != ZS_TYPE_NS && present[i] != ZS_TYPE_DS)
			continue;
		m = add_sorted(out, m, present[i]);
	}
	if (s->p.denial == ZS_NSEC) {
		m = add_sorted(out, m, ZS_TYPE_RRSIG);
		m = add_sorted(out, m, ZS_TYPE_NSEC);
	} else {
		if (kind == ZS_NAME_AUTH || has_ds)
			m = add_sorted(out, m, ZS_TYPE_RRSIG);
		if (is_apex)
			m = add_sorted(out, m, ZS_TYPE_NSEC3PARAM);
	}
	return m;
}

enum zs_name_kind zs_name_classify(const zs_signer_t *s, const zn_snap_t *v, const uint8_t *name,
                                   size_t len, uint16_t *types, size_t *ntypes)
{
	zn_rrset_t sets[64];
	uint16_t present[64];
	uint8_t cut[WIRE_NAME_MAX];
	size_t cut_len = 0, n = 0, np = 0;
	int is_apex = len == s->apex_len && memcmp(name, s->apex, len) == 0;
	enum zs_name_kind kind = ZS_NAME_AUTH;
	int has_ds = 0;

	*ntypes = 0;
	if (!is_apex && zn_snap_find_cut(v, name, len, cut, &cut_len) == HS_OK) {
		if (cut_len != len)
			return ZS_NAME_NONE; /* occluded */
		kind = ZS_NAME_CUT;
	}
	if (zn_snap_owner_sets(v, name, len, sets, 64, &n) != HS_OK) {
		if (s->p.denial == ZS_NSEC3 && zn_snap_name_exists(v, name, len))
			return ZS_NAME_ENT;
		return ZS_NAME_NONE;
	}
	for (size_t i = 0; i < n && i < 64; i++) {
		if (zs_type_is_dnssec(sets[i].type))
			continue;
		has_ds |= sets[i].type == ZS_TYPE_DS;
		present[np++] = sets[i].type;
	}
	if (np == 0) {
		/* only records a signer makes: like an empty non-terminal */
		if (s->p.denial == ZS_NSEC3)
			return ZS_NAME_ENT;
		return ZS_NAME_NONE;
	}
	if (kind == ZS_NAME_CUT && !has_ds && s->p.denial == ZS_NSEC3 && s->p.nsec3_optout)
		return ZS_NAME_OPTOUT;
	*ntypes = zs_name_bitmap_types(s, kind, is_apex, present, np, types);
	return kind;
}
