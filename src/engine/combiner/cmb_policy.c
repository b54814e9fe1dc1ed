/*
 * cmb_policy.c -- SYNC-44 as one table: the verdict of one record is the row
 * of the first predicate that matches, in order. Rows 1-3 judge a whole
 * set, rows 4-13 one record. Tests cite the rows by their order.
 */
#include "engine/combiner/cmb_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "wire/dname.h"
#include "wire/rr_hsyncparam.h"

enum { T_NS = 2, T_KEY = 25, T_DNSKEY = 48, T_CDS = 59, T_CSYNC = 62 };

int cmb_label_in(const char *list, const char *label)
{
	size_t ll;
	if (list == NULL || label == NULL)
		return 0;
	ll = strlen(label);
	if (ll > 0 && label[ll - 1] == '.')
		ll--;
	if (ll == 0)
		return 0;
	while (*list) {
		size_t n = strcspn(list, ",");
		size_t m = n;
		if (m > 0 && list[m - 1] == '.')
			m--;
		if (m == ll && strncasecmp(list, label, ll) == 0)
			return 1;
		list += n;
		if (*list == ',')
			list++;
	}
	return 0;
}

/* The HSYNC3 label of `identity` in the zone, or NULL. */
static const char *label_of(const cmb_zone_t *z, const char *identity)
{
	const eng_provider_t *p = eng_zone_provider(&z->v.an, identity);
	return p ? p->label : NULL;
}

int cmb_zone_active(const cmb_zone_t *z)
{
	return z != NULL && z->v.loaded && (z->v.an.multi || z->v.an.reason == ENG_ZONE_NO_PEERS);
}

int cmb_zone_owner_signed(const cmb_zone_t *z)
{
	const char *signers = z->v.an.policy.signers;
	if (!cmb_zone_active(z) || (signers != NULL && signers[0] != '\0'))
		return 0;
	for (size_t i = 0; i < z->v.nown; i++)
		if (z->v.own[i].type == T_DNSKEY)
			return 1;
	return 0;
}

int cmb_zone_signing(const cmb_zone_t *z)
{
	return cmb_zone_active(z) && cmb_label_in(z->v.an.policy.signers, z->v.an.our_label);
}

/* ---- predicates: 1 when the rule matches ---- */

static int p_unknown_zone(cmb_pctx_t *p)
{
	return !cmb_zone_active(p->z);
}

static int p_not_provider(cmb_pctx_t *p)
{
	return !eng_zone_lists_on(&p->z->v.an, p->origin);
}

static int p_type_not_synced(cmb_pctx_t *p)
{
	return !sm_type_synced(p->type, NULL);
}

static int p_not_apex(cmb_pctx_t *p)
{
	return strcmp(p->owner, p->z->name) != 0;
}

static int p_bad_rdata(cmb_pctx_t *p)
{
	return cmb_rdata_check(p->type, p->rdata, p->rdlen, p->detail, sizeof(p->detail)) != HS_OK;
}

static int p_ttl_range(cmb_pctx_t *p)
{
	if (p->ttl >= p->c->ttl_min && p->ttl <= p->c->ttl_max)
		return 0;
	snprintf(p->detail, sizeof(p->detail), "%u not in %u..%u", p->ttl, p->c->ttl_min,
	         p->c->ttl_max);
	return 1;
}

static int p_protected_ns(cmb_pctx_t *p)
{
	if (p->type != T_NS || strcmp(p->origin, p->c->provider) == 0)
		return 0;
	/* rule 5 passed: the RDATA is exactly one wire name */
	for (size_t i = 0; i < p->c->nprotect; i++) {
		const cmb_protect_t *n = &p->c->protect[i];
		if (wire_name_under(p->rdata, p->rdlen, n->wire, n->wlen)) {
			snprintf(p->detail, sizeof(p->detail), "under '%s'", n->name);
			return 1;
		}
	}
	return 0;
}

static int p_not_signer(cmb_pctx_t *p)
{
	return p->type == T_DNSKEY &&
	       !cmb_label_in(p->z->v.an.policy.signers, label_of(p->z, p->origin));
}

/* SYNC-58: the owner signs; nothing contributed may change the zone */
static int p_owner_signed(cmb_pctx_t *p)
{
	return cmb_zone_owner_signed(p->z);
}

static int p_nsmgmt_owner(cmb_pctx_t *p)
{
	return p->type == T_NS && p->z->v.an.policy.nsmgmt != HS_NSMGMT_AGENT;
}

static int p_parentsync_owner(cmb_pctx_t *p)
{
	return (p->type == T_CDS || p->type == T_CSYNC || p->type == T_KEY) &&
	       p->z->v.an.policy.parentsync != HS_PARENTSYNC_AGENT;
}

static int p_not_signing_here(cmb_pctx_t *p)
{
	return p->type == T_DNSKEY && !cmb_zone_signing(p->z);
}

static int p_manual(cmb_pctx_t *p)
{
	return p->c->manual && !p->approved;
}

static int p_always(cmb_pctx_t *p)
{
	(void)p;
	return 1;
}

/* ---- the table ---- */

static const struct cmb_rule {
	int order;
	int whole_set;
	int (*match)(cmb_pctx_t *p);
	sm_verdict_t verdict;
	sm_reason_t reason;
	const char *text;
} rules[] = {
    {1, 1, p_unknown_zone, SM_V_REJECTED, SM_R_UNKNOWN_ZONE,
     "the zone is not served here or not multi-provider here"},
    {2, 1, p_not_provider, SM_V_REJECTED, SM_R_NOT_PROVIDER,
     "origin not listed ON in the zone's HSYNC3"},
    {3, 1, p_type_not_synced, SM_V_REJECTED, SM_R_TYPE_NOT_SYNCED, "the type is not synchronised"},
    {4, 0, p_not_apex, SM_V_REJECTED, SM_R_NOT_APEX, "owner is not the apex"},
    {5, 0, p_bad_rdata, SM_V_REJECTED, SM_R_BAD_RDATA,
     "RDATA does not decode strictly as the type"},
    {6, 0, p_ttl_range, SM_V_REJECTED, SM_R_TTL_RANGE, "TTL < ttl-min or > ttl-max"},
    {7, 0, p_protected_ns, SM_V_REJECTED, SM_R_PROTECTED_NS,
     "NS from another provider with its target at or below a protected name"},
    {8, 0, p_not_signer, SM_V_REJECTED, SM_R_NOT_SIGNER,
     "DNSKEY and the originator's label is not in signers"},
    {9, 0, p_owner_signed, SM_V_IGNORED, SM_R_OWNER_SIGNED,
     "the zone is owner-signed: DNSKEY at the apex, no signers"},
    {10, 0, p_nsmgmt_owner, SM_V_IGNORED, SM_R_NSMGMT_OWNER, "NS and nsmgmt is not agent"},
    {11, 0, p_parentsync_owner, SM_V_IGNORED, SM_R_PARENTSYNC_OWNER,
     "CDS, CSYNC or KEY and parentsync is not agent"},
    {12, 0, p_not_signing_here, SM_V_IGNORED, SM_R_NOT_SIGNING_HERE,
     "DNSKEY and the own provider's label is not in signers"},
    {13, 0, p_manual, SM_V_PENDING, SM_R_AWAITING_APPROVAL, "manual approval is configured"},
    {14, 0, p_always, SM_V_APPLIED, SM_R_NONE, "otherwise"},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

size_t cmb_rule_count(void)
{
	return NRULES;
}

int cmb_rule_at(size_t i, cmb_rule_info_t *out)
{
	if (i >= NRULES)
		return HS_E_NOTFOUND;
	*out = (cmb_rule_info_t){rules[i].order, rules[i].whole_set, rules[i].verdict,
	                         rules[i].reason, rules[i].text};
	return HS_OK;
}

int cmb_policy_set(cmb_pctx_t *p, sm_verdict_t *v, sm_reason_t *r)
{
	for (size_t i = 0; i < NRULES && rules[i].whole_set; i++) {
		if (rules[i].match(p)) {
			*v = rules[i].verdict;
			*r = rules[i].reason;
			return 1;
		}
	}
	return 0;
}

void cmb_policy_rr(cmb_pctx_t *p, sm_verdict_t *v, char reason[SM_REASON_MAX + 1])
{
	p->detail[0] = '\0';
	for (size_t i = 0; i < NRULES; i++) {
		if (rules[i].whole_set || !rules[i].match(p))
			continue;
		*v = rules[i].verdict;
		if (rules[i].reason == SM_R_NONE)
			reason[0] = '\0';
		else
			snprintf(reason, SM_REASON_MAX + 1, "%s%s%s",
			         sm_reason_name(rules[i].reason), p->detail[0] ? ": " : "",
			         p->detail);
		return;
	}
}
