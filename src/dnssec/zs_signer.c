/* zs_signer.c -- the signer object: parameters, keys and roles, the
 * signing times with their jitter, one RRset signed by every key of its
 * role. */
#include "dnssec/zs_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "zone/zone.h"

int zs_signer_new(const uint8_t *apex, size_t apex_len, const zs_params_t *p, const hs_env_t *env,
                  zs_signer_t **out)
{
	zs_signer_t *s;
	if (apex == NULL || env == NULL || out == NULL)
		return HS_E_INVAL;
	/* an NSEC3 owner adds a 32-octet label */
	if (apex_len == 0 || apex_len > WIRE_NAME_MAX - 33 || apex[apex_len - 1] != 0)
		return HS_E_NAME;
	s = xcalloc(1, sizeof(*s));
	memcpy(s->apex, apex, apex_len);
	s->apex_len = apex_len;
	dnsmsg_name_lower(s->apex, s->apex_len);
	if (p != NULL)
		s->p = *p;
	if (s->p.denial == 0)
		s->p.denial = ZS_NSEC;
	if (s->p.validity == 0)
		s->p.validity = ZS_DEF_VALIDITY;
	if (s->p.jitter == 0)
		s->p.jitter = s->p.validity / 16;
	if (s->p.inception_offset == 0)
		s->p.inception_offset = ZS_DEF_INCEPTION;
	if (s->p.refresh == 0)
		s->p.refresh = s->p.validity / 4;
	if (s->p.threads == 0)
		s->p.threads = 1;
	if ((s->p.denial != ZS_NSEC && s->p.denial != ZS_NSEC3) ||
	    s->p.nsec3_saltlen > ZS_NSEC3_SALT_MAX || s->p.jitter >= s->p.validity ||
	    s->p.refresh >= s->p.validity - s->p.jitter || s->p.threads > 64) {
		free(s);
		return HS_E_RANGE;
	}
	s->env = env;
	*out = s;
	return HS_OK;
}

static void drop_keys(zs_signer_t *s)
{
	for (size_t i = 0; i < s->nkeys; i++)
		zs_key_free(s->keys[i]);
	free(s->keys);
	free(s->roles);
	s->keys = NULL;
	s->roles = NULL;
	s->nkeys = 0;
}

void zs_signer_free(zs_signer_t *s)
{
	if (s == NULL)
		return;
	drop_keys(s);
	free(s);
}

const zs_params_t *zs_signer_params(const zs_signer_t *s)
{
	return &s->p;
}

int zs_signer_set_keys(zs_signer_t *s, zs_key_t *const *keys, const unsigned *roles, size_t n)
{
	unsigned all = 0;
	if (s == NULL || (n && (keys == NULL || roles == NULL)))
		return HS_E_INVAL;
	for (size_t i = 0; i < n; i++) {
		if (keys[i] == NULL || (roles[i] & ~(ZS_ROLE_KSK | ZS_ROLE_ZSK)) || !roles[i])
			return HS_E_INVAL;
		if (!keys[i]->has_private)
			return HS_E_STATE;
		all |= roles[i];
	}
	if (all != (ZS_ROLE_KSK | ZS_ROLE_ZSK))
		return HS_E_INVAL;
	drop_keys(s);
	s->keys = xmalloc(n * sizeof(*s->keys));
	s->roles = xmalloc(n * sizeof(*s->roles));
	for (size_t i = 0; i < n; i++) {
		s->keys[i] = zs_key_ref(keys[i]);
		s->roles[i] = roles[i];
	}
	s->nkeys = n;
	return HS_OK;
}

unsigned zs_role_for(uint16_t type)
{
	return (type == ZS_TYPE_DNSKEY || type == ZS_TYPE_CDS || type == ZS_TYPE_CDNSKEY)
	           ? ZS_ROLE_KSK
	           : ZS_ROLE_ZSK;
}

uint64_t zs_seed(const zs_signer_t *s)
{
	uint64_t seed = 0;
	if (s->env->random(s->env->arg, (uint8_t *)&seed, sizeof(seed)) != HS_OK)
		seed = 0x9e3779b97f4a7c15ull; /* jitter is spread, not secret */
	return seed;
}

void zs_times(const zs_signer_t *s, uint64_t seed, const uint8_t *owner, size_t owner_len,
              uint16_t type, uint32_t now, uint32_t *inc, uint32_t *exp)
{
	/* FNV-1a over seed, owner, type: the same RRset gets the same jitter
	 * in one run whatever thread signs it */
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	for (size_t i = 0; i < owner_len; i++)
		h = (h ^ owner[i]) * 0x100000001b3ull;
	h = (h ^ (type >> 8)) * 0x100000001b3ull;
	h = (h ^ (type & 0xff)) * 0x100000001b3ull;
	h ^= h >> 29;
	*inc = now - s->p.inception_offset;
	*exp = now + s->p.validity - (uint32_t)(h % ((uint64_t)s->p.jitter + 1));
}

uint32_t zs_denial_ttl(const zn_rr_t *soa)
{
	zn_soa_t f;
	if (zn_soa_parse(soa->rdata, soa->rdlen, &f) != HS_OK)
		return soa->ttl;
	return f.minimum < soa->ttl ? f.minimum : soa->ttl;
}

int zs_sign_rrset(const zs_signer_t *s, const struct zs_rrset *r, uint32_t inc, uint32_t exp,
                  hs_buf_t *scratch, struct zs_sigcache *sc, hs_buf_t *out, size_t *count)
{
	unsigned want = zs_role_for(r->type);
	for (size_t i = 0; i < s->nkeys; i++) {
		if (!(s->roles[i] & want))
			continue;
		size_t at = out->len;
		hs_buf_append_u16(out, 0);
		int rc =
		    zs_rrsig_make(s->keys[i], r, s->apex, s->apex_len, inc, exp, scratch, sc, out);
		if (rc != HS_OK) {
			out->len = at;
			return rc;
		}
		size_t l = out->len - at - 2;
		out->data[at] = (uint8_t)(l >> 8);
		out->data[at + 1] = (uint8_t)l;
		(*count)++;
	}
	return HS_OK;
}

uint32_t zs_next_serial(uint32_t unsigned_serial, uint32_t last_signed)
{
	if (zn_serial_gt(unsigned_serial, last_signed))
		return unsigned_serial;
	return last_signed + 1;
}
