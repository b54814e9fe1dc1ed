/*
 * The chain walk: RRset -> DNSKEY of its signer -> DS at the parent ->
 * ... -> a configured anchor. Signatures are checked by ldns, which
 * canonicalises a copy of the RRset (lowercase owner, RRSIG original TTL,
 * canonical sort, RFC 4034 6.2-6.3) before hashing; nothing here relies
 * on the order or case the records arrived in.
 */
#include "dnssec/dv_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

#define DNSKEY_FLAG_ZONE 0x0100
#define DNSKEY_PROTOCOL  3

static const struct {
	const char *name, *text;
} reason_rows[] = {
    {"NONE", "ok"},
#define DV_REASON(n, t) {#n, t},
#include "dnssec/dv_reasons.def"
#undef DV_REASON
};

const char *dv_reason_str(enum dv_reason r)
{
	return (unsigned)r < DV_R__END ? reason_rows[r].text : "unknown";
}

const char *dv_reason_name(enum dv_reason r)
{
	return (unsigned)r < DV_R__END ? reason_rows[r].name : "UNKNOWN";
}

const char *dv_security_str(enum dv_security s)
{
	static const char *const names[] = {"secure", "insecure", "bogus"};
	return (unsigned)s <= DV_BOGUS ? names[s] : "unknown";
}

/* ---- results ---------------------------------------------------------- */

static void res_secure(dv_result_t *r)
{
	memset(r, 0, sizeof(*r));
	r->security = DV_SECURE;
	r->ttl = UINT32_MAX;
	r->expire = UINT32_MAX;
}

static void res_fail(dv_result_t *r, enum dv_security sec, enum dv_reason why, const char *name,
                     uint16_t type, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void res_fail(dv_result_t *r, enum dv_security sec, enum dv_reason why, const char *name,
                     uint16_t type, const char *fmt, ...)
{
	char ts[32], extra[160] = "";
	va_list ap;
	memset(r, 0, sizeof(*r));
	r->security = sec;
	r->reason = why;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(extra, sizeof(extra), fmt, ap);
		va_end(ap);
	}
	dv_type_str(type, ts, sizeof(ts));
	snprintf(r->text, sizeof(r->text), "%s/%s: %s%s%s%s", name, ts, dv_reason_str(why),
	         *extra ? " (" : "", extra, *extra ? ")" : "");
}

static void res_limit(dv_result_t *r, uint32_t ttl, uint32_t expire)
{
	if (ttl < r->ttl)
		r->ttl = ttl;
	if (expire < r->expire)
		r->expire = expire;
}

static enum dv_reason reason_of(ldns_status st)
{
	switch (st) {
	case LDNS_STATUS_CRYPTO_SIG_EXPIRED:
		return DV_R_EXPIRED;
	case LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED:
		return DV_R_NOT_YET_VALID;
	case LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY:
	case LDNS_STATUS_CRYPTO_NO_DNSKEY:
		return DV_R_NO_KEY;
	case LDNS_STATUS_CRYPTO_UNKNOWN_ALGO:
	case LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL:
		return DV_R_UNSUPPORTED_ALG;
	default:
		return DV_R_BAD_SIG;
	}
}

/* Is a failure from a later signature more telling than the one we hold?
 * Problems with the signature itself beat "this RRSIG is not for us". */
static int rank(enum dv_reason r)
{
	return (r == DV_R_BAD_SIGNER || r == DV_R_WILDCARD) ? 0 : 1;
}

/* ---- walking ------------------------------------------------------------ */

struct walk {
	const dv_ctx_t *ctx;
	unsigned max_depth;
	hs_errmsg_t *em;
};

static int fetch(struct walk *w, const ldns_rdf *name, uint16_t type, const dv_rrset_t **out)
{
	char ns[256], ts[32];
	hs_errmsg_t sub;
	dv_name_str(name, ns, sizeof(ns));
	hs_errmsg_clear(&sub);
	int rc = w->ctx->fetch(w->ctx->fetch_arg, ns, type, out, &sub);
	if (rc == HS_OK && !*out)
		rc = HS_E_INTERNAL;
	if (rc != HS_OK && rc != HS_E_AGAIN) {
		dv_type_str(type, ts, sizeof(ts));
		return hs_fail(w->em, rc, "%s/%s: lookup failed: %s", ns, ts,
		               sub.code ? hs_errmsg_str(&sub) : hs_strerror(rc));
	}
	return rc;
}

static int rdata_equal(const ldns_rr *a, const ldns_rr *b)
{
	if (ldns_rr_rd_count(a) != ldns_rr_rd_count(b))
		return 0;
	for (size_t i = 0; i < ldns_rr_rd_count(a); i++)
		if (ldns_rdf_compare(ldns_rr_rdf(a, i), ldns_rr_rdf(b, i)) != 0)
			return 0;
	return 1;
}

static int is_zone_key(const ldns_rr *k)
{
	if (ldns_rr_get_type(k) != LDNS_RR_TYPE_DNSKEY || ldns_rr_rd_count(k) != 4)
		return 0;
	const ldns_rdf *f = ldns_rr_rdf(k, 0), *p = ldns_rr_rdf(k, 1);
	if (ldns_rdf_size(f) != 2 || ldns_rdf_size(p) != 1)
		return 0;
	return (ldns_rdf2native_int16(f) & DNSKEY_FLAG_ZONE) &&
	       ldns_rdf2native_int8(p) == DNSKEY_PROTOCOL;
}

/* Does the DS or DNSKEY anchor/DS record `t` vouch for DNSKEY `k`? */
static int vouches(const ldns_rr *t, const ldns_rr *k)
{
	if (ldns_rr_get_type(t) == LDNS_RR_TYPE_DNSKEY)
		return rdata_equal(t, k);
	if (ldns_rr_get_type(t) == LDNS_RR_TYPE_DS)
		return ldns_rr_compare_ds(t, k);
	return 0;
}

static uint32_t sig_ttl_cap(const ldns_rr *sig, uint32_t ttl)
{
	uint32_t orig = ldns_rdf2native_int32(ldns_rr_rrsig_origttl(sig));
	if (orig < ttl)
		ttl = orig;
	if (ldns_rr_ttl(sig) < ttl)
		ttl = ldns_rr_ttl(sig);
	return ttl;
}

static uint32_t sig_expiration(const ldns_rr *sig)
{
	return ldns_rdf2native_int32(ldns_rr_rrsig_expiration(sig));
}

/* RRSIGs of ldns_wire2rr always have 9 rdfs; ones added by a caller may not. */
static int sig_complete(const ldns_rr *sig)
{
	return ldns_rr_rd_count(sig) == 9 && ldns_rdf_size(ldns_rr_rrsig_origttl(sig)) == 4 &&
	       ldns_rdf_size(ldns_rr_rrsig_expiration(sig)) == 4 &&
	       ldns_rdf_size(ldns_rr_rrsig_labels(sig)) == 1 &&
	       ldns_rdf_get_type(ldns_rr_rrsig_signame(sig)) == LDNS_RDF_TYPE_DNAME;
}

static int zone_keys(struct walk *w, const ldns_rdf *zone, unsigned depth, ldns_rr_list *keys,
                     dv_result_t *res);

/*
 * Verify `set` (owner `owner`) against its RRSIGs. `is_ds`: the RRset is a
 * DS set, signed by the parent, so the signer must lie strictly above.
 */
static int verify_rrset(struct walk *w, const dv_rrset_t *set, const ldns_rdf *owner, int is_ds,
                        unsigned depth, dv_result_t *res)
{
	ldns_rdf *above = is_ds ? ldns_dname_left_chop(owner) : NULL;
	const ldns_rdf *anchor = dv_anchors_closest_rdf(w->ctx->anchors, is_ds ? above : owner);
	ldns_rr_list *keys = NULL;
	uint32_t set_ttl = dv_rrset_min_ttl(set);
	int have_fail = 0, rc = HS_OK;
	dv_result_t kres;

	if (!anchor) {
		if (w->ctx->allow_insecure) {
			memset(res, 0, sizeof(*res));
			res->security = DV_INSECURE;
			res->reason = DV_R_NO_ANCHOR;
			res->ttl = set_ttl;
			snprintf(res->text, sizeof(res->text),
			         "insecure mode, no trust anchor covers '%.200s'", set->name);
			log_warn("dnssec", "insecure mode: accepting unvalidated '%s' type %u",
			         set->name, set->type);
		} else {
			res_fail(res, DV_BOGUS, DV_R_NO_ANCHOR, set->name, set->type, NULL);
		}
		goto cleanup;
	}
	if (ldns_rr_list_rr_count(set->sigs) == 0) {
		res_fail(res, DV_BOGUS, DV_R_NO_RRSIG, set->name, set->type, NULL);
		goto cleanup;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(set->sigs); i++) {
		const ldns_rr *sig = ldns_rr_list_rr(set->sigs, i);
		dv_result_t cand;
		char signame[256];

		if (!sig_complete(sig)) {
			res_fail(&cand, DV_BOGUS, DV_R_BAD_SIG, set->name, set->type,
			         "incomplete RRSIG");
			goto candidate;
		}
		const ldns_rdf *signer = ldns_rr_rrsig_signame(sig);
		dv_name_str(signer, signame, sizeof(signame));
		if (!dv_name_at_or_below(owner, signer) || !dv_name_at_or_below(signer, anchor) ||
		    (is_ds && ldns_dname_compare(signer, owner) == 0)) {
			res_fail(&cand, DV_BOGUS, DV_R_BAD_SIGNER, set->name, set->type,
			         "signer '%s'", signame);
			goto candidate;
		}
		if (ldns_rdf2native_int8(ldns_rr_rrsig_labels(sig)) <
		    ldns_dname_label_count(owner)) {
			res_fail(&cand, DV_BOGUS, DV_R_WILDCARD, set->name, set->type, NULL);
			goto candidate;
		}
		ldns_rr_list_free(keys);
		keys = ldns_rr_list_new();
		rc = zone_keys(w, signer, depth, keys, &kres);
		if (rc != HS_OK)
			goto cleanup;
		if (kres.security != DV_SECURE) {
			cand = kres;
			goto candidate;
		}
		ldns_status st =
		    ldns_verify_rrsig_keylist_time(set->rrs, sig, keys, (time_t)w->ctx->now, NULL);
		if (st == LDNS_STATUS_OK) {
			*res = kres;
			res_limit(res, sig_ttl_cap(sig, set_ttl), sig_expiration(sig));
			goto cleanup;
		}
		res_fail(&cand, DV_BOGUS, reason_of(st), set->name, set->type, "signer '%s': %s",
		         signame, ldns_get_errorstr_by_id(st));
	candidate:
		if (!have_fail || rank(cand.reason) > rank(res->reason))
			*res = cand;
		have_fail = 1;
	}

cleanup:
	ldns_rr_list_free(keys);
	ldns_rdf_deep_free(above);
	return rc;
}

/* The validated zone keys of `zone` (shallow, pointing into the fetched
 * DNSKEY RRset) into `keys`, with the chain's TTL and expiry in `res`. */
static int zone_keys(struct walk *w, const ldns_rdf *zone, unsigned depth, ldns_rr_list *keys,
                     dv_result_t *res)
{
	const dv_rrset_t *ks = NULL, *ds = NULL;
	ldns_rr_list *anchors = ldns_rr_list_new(), *trusted = ldns_rr_list_new();
	const ldns_rr_list *vouchers;
	char zs[256];
	int rc;
	dv_result_t chain;

	dv_name_str(zone, zs, sizeof(zs));
	if (depth >= w->max_depth) {
		res_fail(res, DV_BOGUS, DV_R_DEPTH, zs, LDNS_RR_TYPE_DNSKEY, "limit %u",
		         w->max_depth);
		rc = HS_OK;
		goto cleanup;
	}
	rc = fetch(w, zone, LDNS_RR_TYPE_DNSKEY, &ks);
	if (rc != HS_OK)
		goto cleanup;
	if (dv_rrset_count(ks) == 0) {
		res_fail(res, DV_BOGUS, DV_R_NO_DNSKEY, zs, LDNS_RR_TYPE_DNSKEY, NULL);
		goto cleanup;
	}
	dv_anchors_at(w->ctx->anchors, zone, anchors);
	if (ldns_rr_list_rr_count(anchors) > 0) {
		res_secure(&chain);
		vouchers = anchors;
	} else {
		rc = fetch(w, zone, LDNS_RR_TYPE_DS, &ds);
		if (rc != HS_OK)
			goto cleanup;
		if (dv_rrset_count(ds) == 0) {
			res_fail(res, DV_BOGUS, DV_R_NO_DS, zs, LDNS_RR_TYPE_DS, NULL);
			goto cleanup;
		}
		rc = verify_rrset(w, ds, zone, 1, depth + 1, &chain);
		if (rc != HS_OK)
			goto cleanup;
		if (chain.security != DV_SECURE) {
			*res = chain;
			if (chain.security == DV_INSECURE) /* cannot happen: an anchor is above */
				res_fail(res, DV_BOGUS, DV_R_NO_ANCHOR, zs, LDNS_RR_TYPE_DS, NULL);
			goto cleanup;
		}
		vouchers = ds->rrs;
	}
	for (size_t i = 0; i < dv_rrset_count(ks); i++) {
		ldns_rr *k = ldns_rr_list_rr(ks->rrs, i);
		if (!is_zone_key(k))
			continue;
		for (size_t j = 0; j < ldns_rr_list_rr_count(vouchers); j++)
			if (vouches(ldns_rr_list_rr(vouchers, j), k)) {
				ldns_rr_list_push_rr(trusted, k);
				break;
			}
	}
	if (ldns_rr_list_rr_count(trusted) == 0) {
		res_fail(res, DV_BOGUS, DV_R_DNSKEY_MISMATCH, zs, LDNS_RR_TYPE_DNSKEY,
		         ds ? "against the DS at the parent" : "against the trust anchor");
		goto cleanup;
	}
	/* The DNSKEY RRset must be self-signed by a vouched-for key. */
	int have_fail = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ks->sigs); i++) {
		const ldns_rr *sig = ldns_rr_list_rr(ks->sigs, i);
		dv_result_t cand;
		if (!sig_complete(sig) || ldns_dname_compare(ldns_rr_rrsig_signame(sig), zone) != 0)
			continue;
		ldns_status st = ldns_verify_rrsig_keylist_time(ks->rrs, sig, trusted,
		                                                (time_t)w->ctx->now, NULL);
		if (st == LDNS_STATUS_OK) {
			*res = chain;
			res_limit(res, sig_ttl_cap(sig, dv_rrset_min_ttl(ks)), sig_expiration(sig));
			for (size_t j = 0; j < dv_rrset_count(ks); j++)
				if (is_zone_key(ldns_rr_list_rr(ks->rrs, j)))
					ldns_rr_list_push_rr(keys, ldns_rr_list_rr(ks->rrs, j));
			goto cleanup;
		}
		res_fail(&cand, DV_BOGUS, reason_of(st), zs, LDNS_RR_TYPE_DNSKEY, "%s",
		         ldns_get_errorstr_by_id(st));
		if (!have_fail || cand.reason != DV_R_NO_KEY)
			*res = cand;
		have_fail = 1;
	}
	if (!have_fail)
		res_fail(res, DV_BOGUS, DV_R_NO_RRSIG, zs, LDNS_RR_TYPE_DNSKEY, "none by the zone");

cleanup:
	ldns_rr_list_free(anchors);
	ldns_rr_list_free(trusted);
	return rc;
}

static int walk_init(struct walk *w, const dv_ctx_t *ctx, hs_errmsg_t *em)
{
	if (!ctx || !ctx->fetch)
		return hs_fail(em, HS_E_INVAL, "dnssec: no context");
	w->ctx = ctx;
	w->max_depth = ctx->max_depth ? ctx->max_depth : DV_DEFAULT_MAX_DEPTH;
	w->em = em;
	return HS_OK;
}

int dv_validate(const dv_ctx_t *ctx, const dv_rrset_t *rrset, dv_result_t *out, hs_errmsg_t *em)
{
	struct walk w;
	ldns_rdf *owner = NULL;
	dv_result_t res;
	int rc = walk_init(&w, ctx, em);
	if (rc != HS_OK)
		return rc;
	if (!rrset || !out || dv_rrset_count(rrset) == 0)
		return hs_fail(em, HS_E_INVAL, "dnssec: nothing to validate");
	if (ldns_str2rdf_dname(&owner, rrset->name) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_NAME, "dnssec: bad owner '%s'", rrset->name);
	rc = verify_rrset(&w, rrset, owner, rrset->type == LDNS_RR_TYPE_DS, 0, &res);
	if (rc == HS_OK)
		*out = res;
	ldns_rdf_deep_free(owner);
	return rc;
}

int dv_validate_zone_keys(const dv_ctx_t *ctx, const char *zone, dv_result_t *out, hs_errmsg_t *em)
{
	struct walk w;
	ldns_rdf *z = NULL;
	ldns_rr_list *keys = NULL;
	dv_result_t res;
	int rc = walk_init(&w, ctx, em);
	if (rc != HS_OK)
		return rc;
	if (!zone || !out)
		return hs_fail(em, HS_E_INVAL, "dnssec: no zone");
	if (ldns_str2rdf_dname(&z, zone) != LDNS_STATUS_OK)
		return hs_fail(em, HS_E_NAME, "dnssec: bad zone '%s'", zone);
	if (!dv_anchors_closest_rdf(ctx->anchors, z)) {
		if (ctx->allow_insecure) {
			memset(&res, 0, sizeof(res));
			res.security = DV_INSECURE;
			res.reason = DV_R_NO_ANCHOR;
			snprintf(res.text, sizeof(res.text),
			         "insecure mode, no trust anchor covers '%.200s'", zone);
		} else {
			res_fail(&res, DV_BOGUS, DV_R_NO_ANCHOR, zone, LDNS_RR_TYPE_DNSKEY, NULL);
		}
		*out = res;
		goto cleanup;
	}
	keys = ldns_rr_list_new();
	rc = zone_keys(&w, z, 0, keys, &res);
	if (rc == HS_OK)
		*out = res;
cleanup:
	ldns_rr_list_free(keys);
	ldns_rdf_deep_free(z);
	return rc;
}
