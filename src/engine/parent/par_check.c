/* par_check.c -- an UPDATE checked in the order of PS-5, and the
 * KeyState inquiry (PS-25): structure, zone, prerequisites, the SIG(0)
 * and its child, the budgets, the signature, replay, scope, then the
 * change handed to the backend (APPLY) or to the key logic. */
#include "engine/parent/par_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/sha256.h"
#include "util/xmalloc.h"
#include "wire/dname.h"
#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"
#include "wire/rdata.h"
#include "wire/text.h"

/* ---- record shape and scope (PS-6, PS-11) ---- */

static int type_name(uint16_t t, char *buf, size_t n)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_rrtype_any_print(&b, t);
	snprintf(buf, n, "%s", hs_buf_cstr(&b));
	hs_buf_free(&b);
	return 0;
}

static int why_rr(char *why, size_t n, int rc, const hs_upd_rr_t *rr, const char *what)
{
	char owner[PAR_NAME_MAX], type[24];
	if (why != NULL && n > 0) {
		par_name_text(rr->owner, rr->owner_len, owner, sizeof(owner));
		type_name(rr->type, type, sizeof(type));
		snprintf(why, n, "%s %s: %s", owner, type, what);
	}
	return rc;
}

/* The RDATA of an add or a single delete fits its type (PS-6). */
static int rdata_fits(const hs_upd_rr_t *rr)
{
	size_t nl;
	switch (rr->type) {
	case PAR_TYPE_A:
		return rr->rdlen == 4;
	case PAR_TYPE_AAAA:
		return rr->rdlen == 16;
	case PAR_TYPE_NS:
		return rr->rdlen > 0 && wire_name_valid(rr->rdata, rr->rdlen, &nl);
	case PAR_TYPE_DS:
		return rr->rdlen >= 5;
	case PAR_TYPE_KEY:
		return rr->rdlen >= 4 && rr->rdata[2] == SIG0_KEY_PROTOCOL;
	default:
		return 1; /* the scope rule refuses what it does not allow */
	}
}

static int rr_shape(const hs_upd_rr_t *rr, char *why, size_t n)
{
	switch (rr->rclass) {
	case HS_CLASS_IN:
		if (rr->type == PAR_TYPE_ANY)
			return why_rr(why, n, HS_E_MALFORMED, rr, "type ANY cannot be added");
		if (!rdata_fits(rr))
			return why_rr(why, n, HS_E_MALFORMED, rr, "RDATA does not fit the type");
		return HS_OK;
	case HS_CLASS_ANY:
		if (rr->ttl != 0 || rr->rdlen != 0)
			return why_rr(why, n, HS_E_MALFORMED, rr,
			              "an RRset deletion has TTL 0 and no RDATA");
		if (rr->type == PAR_TYPE_ANY)
			return why_rr(why, n, HS_E_NOTSUP, rr,
			              "deleting every RRset of a name is not supported");
		return HS_OK;
	case HS_CLASS_NONE:
		if (rr->ttl != 0 || rr->type == PAR_TYPE_ANY)
			return why_rr(why, n, HS_E_MALFORMED, rr,
			              "a single deletion has TTL 0 and a real type");
		if (!rdata_fits(rr))
			return why_rr(why, n, HS_E_MALFORMED, rr, "RDATA does not fit the type");
		return HS_OK;
	}
	return why_rr(why, n, HS_E_MALFORMED, rr, "class must be IN, ANY or NONE");
}

static int rr_scope(const uint8_t *apex, size_t alen, const uint8_t *child, size_t clen,
                    const hs_upd_rr_t *rr, char *why, size_t n)
{
	/* PS-1: label by label, never a string suffix */
	if (dnsmsg_name_equal(rr->owner, rr->owner_len, apex, alen))
		return why_rr(why, n, HS_E_REFUSED, rr, "nothing may change at the parent's apex");
	if (!wire_name_under(rr->owner, rr->owner_len, child, clen))
		return why_rr(why, n, HS_E_REFUSED, rr, "outside the signer's delegation");
	if (dnsmsg_name_equal(rr->owner, rr->owner_len, child, clen)) {
		if (rr->type == PAR_TYPE_NS || rr->type == PAR_TYPE_DS || rr->type == PAR_TYPE_KEY)
			return HS_OK;
		return why_rr(why, n, HS_E_REFUSED, rr,
		              "only NS and DS may change at the delegation point");
	}
	if (rr->type == PAR_TYPE_A || rr->type == PAR_TYPE_AAAA)
		return HS_OK;
	return why_rr(why, n, HS_E_REFUSED, rr, "only A and AAAA glue below the delegation point");
}

int par_scope_check(const uint8_t *apex, size_t apex_len, const uint8_t *child, size_t child_len,
                    const hs_upd_rr_t *rr, char *why, size_t whylen)
{
	int rc;
	if (apex == NULL || child == NULL || rr == NULL || !wire_name_valid(apex, apex_len, NULL) ||
	    !wire_name_valid(child, child_len, NULL) ||
	    !wire_name_valid(rr->owner, rr->owner_len, NULL))
		return HS_E_MALFORMED;
	rc = rr_shape(rr, why, whylen);
	if (rc == HS_OK)
		rc = rr_scope(apex, apex_len, child, child_len, rr, why, whylen);
	return rc;
}

/* ---- answers to refusals ---- */

static void refuse_unauth(par_t *p, uint64_t id, const struct par_ans *a, const char *child,
                          unsigned rcode, int ede, const char *why)
{
	p->stats.refused++;
	par_refusal(p, a->addr, child, why, rcode, ede);
	par_answer(p, id, a, rcode, ede, why, NULL, -1);
}

/* ---- steps 4 to 6: the child, the budgets, the signature ---- */

static int other_child(par_t *p, const uint8_t *cw, size_t cwl, char *who, size_t n)
{
	for (size_t i = 0; i < p->nchildren; i++) {
		const struct par_child *o = &p->children[i];
		if (o->nkeys == 0 || dnsmsg_name_equal(o->wire, o->wlen, cw, cwl))
			continue;
		if (wire_name_under(cw, cwl, o->wire, o->wlen) ||
		    wire_name_under(o->wire, o->wlen, cw, cwl)) {
			snprintf(who, n, "%s", o->name);
			return 1;
		}
	}
	return 0;
}

static int charge(par_t *p, uint64_t id, const struct par_ans *a, const char *child, unsigned n)
{
	char src[64], pair[PAR_NAME_MAX + PAR_ADDR_MAX + 2];
	if (sig0_budget_source(a->addr, p->cfg.v4_prefix, p->cfg.v6_prefix, src, sizeof(src)) !=
	    HS_OK)
		snprintf(src, sizeof(src), "%s", a->addr);
	snprintf(pair, sizeof(pair), "%s|%s", child, a->addr);
	if (sig0_budget_take(p->b_src, src, n) != HS_OK ||
	    sig0_budget_take(p->b_child, pair, n) != HS_OK) {
		p->stats.budget_refused++;
		p->stats.refused++;
		par_refusal(p, a->addr, child, "verification budget exhausted", PAR_RC_REFUSED,
		            HS_EDE_HS_SIG0_RATELIMIT);
		par_answer(p, id, a, PAR_RC_REFUSED, HS_EDE_HS_SIG0_RATELIMIT,
		           "verification budget exhausted", NULL, 0);
		return HS_E_RATELIMIT;
	}
	if (!a->tcp && sig0_budget_take(p->b_udp, "udp", n) != HS_OK) {
		par_answer_tc(p, id, a); /* PS-9: over TCP the source is proven */
		return HS_E_RATELIMIT;
	}
	return HS_OK;
}

/* ---- uploads: recognised before the signature is checked ---- */

static int is_key_rr(const hs_upd_rr_t *r, const struct par_auth *au)
{
	return r->type == PAR_TYPE_KEY &&
	       dnsmsg_name_equal(r->owner, r->owner_len, au->cw, au->cwl);
}

/* An upload (PS-16): [DEL C ANY KEY] ADD C KEY k, signed by k. */
static const hs_upd_rr_t *upload_of(const hs_upd_t *u, const struct par_auth *au)
{
	const hs_upd_rr_t *add = NULL;
	size_t ndel = 0;
	for (size_t i = 0; i < u->nrrs; i++) {
		const hs_upd_rr_t *r = &u->rrs[i];
		if (!is_key_rr(r, au))
			return NULL;
		if (r->rclass == HS_CLASS_IN && add == NULL)
			add = r;
		else if (r->rclass == HS_CLASS_ANY && ndel == 0)
			ndel++;
		else
			return NULL;
	}
	return add;
}

static int key_matches_sig(const struct par_auth *au, const hs_upd_rr_t *add)
{
	uint16_t tag = sig0_key_tag_rdata(add->rdata, add->rdlen);
	return add->rdlen >= 4 && add->rdata[3] == au->v.alg && tag == au->v.key_tag;
}

/*
 * Authenticate `msg` for its child. `upload` (may be NULL) is a key the
 * message carries for itself (a self-signed upload); `states` the key
 * states that may sign. HS_OK with `au` filled, else the answer is
 * pushed and the code returned.
 */
static int authenticate(par_t *p, uint64_t id, const uint8_t *msg, size_t len,
                        const struct par_ans *a, const hs_upd_t *u, int inquiry,
                        struct par_auth *au, struct par_child **cout)
{
	sig0_verify_opts_t vo;
	const sig0_key_t *keys[PAR_MAX_CAND];
	sig0_key_t *upload = NULL;
	struct par_child *c;
	char who[PAR_NAME_MAX], why[300];
	uint32_t now = hs_now_s(p->env);
	size_t nkeys = 0;
	int rc;

	memset(au, 0, sizeof(*au));
	sig0_verify_opts_default(&vo);
	vo.skew = p->cfg.skew;
	vo.max_window = p->cfg.max_window;
	vo.max_candidates = PAR_MAX_CAND;
	/* no keys: the cheap checks only, and the signer named */
	(void)sig0_verify(msg, len, NULL, 0, now, &vo, &au->v);
	if (au->v.status == SIG0_UNSIGNED) {
		p->stats.unsigned_++;
		refuse_unauth(p, id, a, "", PAR_RC_REFUSED, HS_EDE_HS_SIG0_MISSING,
		              "SIG(0) required");
		return HS_E_NOTFOUND;
	}
	if (au->v.status != SIG0_UNKNOWN_KEY) {
		p->stats.malformed++;
		snprintf(why, sizeof(why), "SIG(0): %s", au->v.reason);
		refuse_unauth(p, id, a, "", sig0_status_rcode(au->v.status, a->has_opt),
		              sig0_status_ede(au->v.status), why);
		return HS_E_MALFORMED;
	}
	if (hs_name_from_text(au->v.signer, strlen(au->v.signer), au->cw, &au->cwl) != HS_OK) {
		p->stats.malformed++;
		refuse_unauth(p, id, a, "", PAR_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR,
		              "SIG(0) signer name does not parse");
		return HS_E_MALFORMED;
	}
	dnsmsg_name_lower(au->cw, au->cwl);
	par_name_text(au->cw, au->cwl, au->child, sizeof(au->child));
	snprintf(au->signer_desc, sizeof(au->signer_desc), "%s/%u/%u", au->child, au->v.alg,
	         au->v.key_tag);
	if (au->cwl == p->apex_len || !wire_name_under(au->cw, au->cwl, p->apex, p->apex_len)) {
		snprintf(why, sizeof(why), "signer '%.120s' is not a child of '%.120s'", au->child,
		         p->zone);
		refuse_unauth(p, id, a, "", PAR_RC_NOTAUTH, HS_EDE_NOT_AUTHORITATIVE, why);
		return HS_E_REFUSED;
	}
	if (inquiry && !dnsmsg_name_equal(au->cw, au->cwl, u->zone, u->zone_len)) {
		p->stats.scope_refused++;
		refuse_unauth(p, id, a, au->child, PAR_RC_REFUSED, HS_EDE_PROHIBITED,
		              "an inquiry is signed by the child it names");
		return HS_E_REFUSED;
	}
	if (other_child(p, au->cw, au->cwl, who, sizeof(who))) {
		p->stats.scope_refused++;
		snprintf(why, sizeof(why), "'%.120s' is above or below child '%.120s'", au->child,
		         who);
		refuse_unauth(p, id, a, au->child, PAR_RC_REFUSED, HS_EDE_PROHIBITED, why);
		return HS_E_REFUSED;
	}
	c = par_child_find(p, au->child);
	/* the keys that may have signed: a self-signed upload carries its own */
	if (!inquiry) {
		const hs_upd_rr_t *add = upload_of(u, au);
		if (add != NULL && key_matches_sig(au, add) &&
		    sig0_key_from_rdata(au->cw, au->cwl, add->rdata, add->rdlen, &upload, NULL) !=
		        HS_OK)
			upload = NULL;
	}
	if (upload != NULL) {
		keys[nkeys++] = upload;
	} else if (c != NULL) {
		nkeys = par_keys_select(c, inquiry ? PAR_STATES_ALL : PAR_STATES_TRUSTED, au->v.alg,
		                        au->v.key_tag, keys, PAR_MAX_CAND);
	}
	if (nkeys == 0) {
		hs_buf_t ks = HS_BUF_INIT;
		p->stats.badkey++;
		p->stats.refused++;
		snprintf(why, sizeof(why), "key %u of '%s' is not trusted", au->v.key_tag,
		         au->child);
		par_refusal(p, a->addr, au->child, why, PAR_RC_BADKEY, HS_EDE_SIG0_KEY_NOT_KNOWN);
		if (inquiry)
			par_keystate_opt(&ks, au->v.key_tag, HS_KEYSTATE_UNKNOWN, "key not known");
		par_answer(p, id, a, PAR_RC_BADKEY, HS_EDE_SIG0_KEY_NOT_KNOWN, why,
		           ks.len ? &ks : NULL, -1);
		hs_buf_free(&ks);
		return HS_E_NOKEY;
	}
	rc = charge(p, id, a, au->child, (unsigned)nkeys);
	if (rc != HS_OK) {
		sig0_key_free(upload);
		return rc;
	}
	p->stats.verifications += nkeys;
	rc = sig0_verify(msg, len, keys, nkeys, now, &vo, &au->v);
	if (rc != HS_OK) {
		switch (au->v.status) {
		case SIG0_BADTIME:
			p->stats.badtime++;
			break;
		case SIG0_BADSIG:
			p->stats.badsig++;
			break;
		default:
			break;
		}
		snprintf(why, sizeof(why), "SIG(0) %s: %s", sig0_status_name(au->v.status),
		         au->v.reason);
		refuse_unauth(p, id, a, au->child, sig0_status_rcode(au->v.status, a->has_opt),
		              sig0_status_ede(au->v.status), why);
		sig0_key_free(upload);
		return rc;
	}
	au->v.key = NULL; /* may be the upload key, freed below */
	sig0_key_free(upload);
	*cout = c;
	return HS_OK;
}

/* ---- step 7: replay (PS-10) ---- */

/* SHA-256 of the signed data: the message before the SIG and the SIG
 * RDATA without its signature. Not of the signature (malleable). */
static int signed_digest(const uint8_t *msg, size_t len, size_t sig_off, uint8_t out[32])
{
	wire_rd_t rd;
	uint8_t name[WIRE_NAME_MAX];
	size_t nl;
	hs_sha256_t h;

	if (sig_off + 11 + 18 > len)
		return HS_E_MALFORMED;
	wire_rd_init(&rd, msg + sig_off + 11 + 18, len - sig_off - 11 - 18);
	wire_rd_name(&rd, name, &nl);
	if (rd.err)
		return HS_E_MALFORMED;
	hs_sha256_init(&h);
	hs_sha256_update(&h, msg, sig_off);
	hs_sha256_update(&h, msg + sig_off + 11, 18 + nl);
	hs_sha256_final(&h, out);
	return HS_OK;
}

static int replayed(par_t *p, uint64_t id, const uint8_t *msg, size_t len, const struct par_ans *a,
                    const struct par_auth *au, const char *kind, const char *records)
{
	uint8_t dg[32];
	char sender[PAR_NAME_MAX + 8];
	int seen = 0, rc;
	int64_t now = hs_now_s(p->env);
	int64_t expiry = (int64_t)au->v.expiration + p->cfg.skew;

	if (expiry <= now)
		expiry = now + 1;
	snprintf(sender, sizeof(sender), "parent:%s", au->child);
	rc = signed_digest(msg, len, au->v.sig_off, dg);
	if (rc == HS_OK)
		rc = st_replay_check_and_add(p->st, sender, dg, sizeof(dg), expiry, now, &seen);
	if (rc != HS_OK) {
		par_dec_t d = {
		    au->child, a->addr,         au->signer_desc, kind,
		    "failed",  PAR_RC_SERVFAIL, HS_EDE_OTHER,    "replay cache not written",
		    records};
		(void)par_decide(p, &d, NULL);
		par_answer(p, id, a, PAR_RC_SERVFAIL, HS_EDE_OTHER, "store failure", NULL, 1);
		return 1;
	}
	if (seen) {
		par_dec_t d = {au->child,        a->addr,
		               au->signer_desc,  kind,
		               "refused",        PAR_RC_REFUSED,
		               HS_EDE_HS_REPLAY, "replay of a message already received",
		               records};
		p->stats.replays++;
		p->stats.refused++;
		(void)par_decide(p, &d, NULL);
		par_answer(p, id, a, PAR_RC_REFUSED, HS_EDE_HS_REPLAY, "replayed message", NULL, 1);
		return 1;
	}
	return 0;
}

static void do_upload(par_t *p, uint64_t id, const struct par_ans *a, const struct par_auth *au,
                      struct par_child *c, const hs_upd_rr_t *add, const char *records)
{
	hs_buf_t ks = HS_BUF_INIT;
	char why[300];
	struct par_key *k = c ? par_key_find(c, add->rdata, add->rdlen) : NULL;
	uint16_t tag = sig0_key_tag_rdata(add->rdata, add->rdlen);
	int rc;

	p->stats.uploads++;
	if (k != NULL && k->state == PAR_KEY_TRUSTED) {
		par_dec_t d = {au->child, a->addr, au->signer_desc,       "upload", "accepted",
		               0,         -1,      "key already trusted", records};
		(void)par_decide(p, &d, NULL);
		par_keystate_opt(&ks, tag, HS_KEYSTATE_TRUSTED, "key trusted");
		par_answer(p, id, a, PAR_RC_NOERROR, -1, NULL, &ks, 1);
		goto cleanup;
	}
	if (k != NULL && k->state == PAR_KEY_RETIRED) {
		par_dec_t d = {au->child, a->addr,        au->signer_desc,   "upload",
		               "refused", PAR_RC_REFUSED, HS_EDE_PROHIBITED, "the key was retired",
		               records};
		p->stats.refused++;
		(void)par_decide(p, &d, NULL);
		par_keystate_opt(&ks, tag, HS_KEYSTATE_REFUSED, "key retired");
		par_answer(p, id, a, PAR_RC_REFUSED, HS_EDE_PROHIBITED, "the key was retired", &ks,
		           1);
		goto cleanup;
	}
	if (c == NULL)
		c = par_child_make(p, au->cw, au->cwl);
	if (par_trusted_count(c) > 0) {
		/* PS-17: never over a trusted key; a re-bootstrap candidate when
		 * DNSSEC evidence can decide (PS-28) */
		int keep = (p->cfg.methods & (HS_BOOT_AT_APEX | HS_BOOT_AT_NS)) != 0;
		snprintf(why, sizeof(why), "SIG(0) key already trusted for this child%s",
		         keep ? "; re-bootstrap candidate kept" : "");
		p->stats.refused++;
		if (keep && par_boot_start(p, c, add->rdata, add->rdlen, 1, a->addr) != HS_OK) {
			par_answer(p, id, a, PAR_RC_SERVFAIL, HS_EDE_OTHER, "store failure", NULL,
			           1);
			goto cleanup;
		}
		par_dec_t d = {au->child, a->addr,        au->signer_desc,       "upload",
		               "refused", PAR_RC_REFUSED, HS_EDE_HS_KEY_TRUSTED, why,
		               records};
		(void)par_decide(p, &d, NULL);
		if (keep)
			par_keystate_opt(&ks, tag, HS_KEYSTATE_BOOTSTRAP_AUTO,
			                 "re-bootstrap: validating the published key");
		par_answer(p, id, a, PAR_RC_REFUSED, HS_EDE_HS_KEY_TRUSTED,
		           "SIG(0) key already trusted for this child", ks.len ? &ks : NULL, 1);
		goto cleanup;
	}
	rc = par_boot_start(p, c, add->rdata, add->rdlen, 0, a->addr);
	if (rc != HS_OK) {
		par_dec_t d = {au->child,       a->addr,      au->signer_desc, "upload", "failed",
		               PAR_RC_SERVFAIL, HS_EDE_OTHER, "store failure", records};
		(void)par_decide(p, &d, NULL);
		par_answer(p, id, a, PAR_RC_SERVFAIL, HS_EDE_OTHER, "store failure", NULL, 1);
		goto cleanup;
	}
	{
		char text[200];
		uint8_t st = par_boot_keystate(p, c, tag, text, sizeof(text));
		par_dec_t d = {au->child, a->addr, au->signer_desc, "upload", "accepted", 0,
		               -1,        text,    records};
		(void)par_decide(p, &d, NULL);
		par_keystate_opt(&ks, tag, st, text);
		par_answer(p, id, a, PAR_RC_NOERROR, -1, NULL, &ks, 1);
	}
cleanup:
	hs_buf_free(&ks);
}

/* PS-27: KEY records only, signed by a trusted key. */
static void do_rollover(par_t *p, uint64_t id, const struct par_ans *a, const struct par_auth *au,
                        struct par_child *c, const hs_upd_t *u, const char *records)
{
	int keep[PAR_MAX_KEYS];
	char why[300];
	size_t nfinal = 0;
	int rc = HS_OK;

	/* the trusted set after the message; the old keys copied out, since
	 * adding keys may move them */
	uint8_t old_rd[PAR_MAX_KEYS][1024];
	size_t old_len[PAR_MAX_KEYS], nold = c->nkeys;
	for (size_t k = 0; k < c->nkeys; k++) {
		keep[k] = c->keys[k].state == PAR_KEY_TRUSTED;
		memcpy(old_rd[k], c->keys[k].rdata, c->keys[k].rdlen);
		old_len[k] = c->keys[k].rdlen;
	}
	for (size_t i = 0; i < u->nrrs; i++) {
		const hs_upd_rr_t *r = &u->rrs[i];
		if (r->rclass == HS_CLASS_ANY) {
			for (size_t k = 0; k < c->nkeys; k++)
				keep[k] = 0;
		} else if (r->rclass == HS_CLASS_NONE) {
			struct par_key *pk = par_key_find(c, r->rdata, r->rdlen);
			if (pk != NULL)
				keep[pk - c->keys] = 0;
		} else {
			sig0_key_t *nk = NULL;
			if (sig0_key_from_rdata(au->cw, au->cwl, r->rdata, r->rdlen, &nk, NULL) !=
			    HS_OK) {
				par_dec_t d = {au->child,
				               a->addr,
				               au->signer_desc,
				               "rollover",
				               "refused",
				               PAR_RC_FORMERR,
				               HS_EDE_SIG0_FORMAT_ERROR,
				               "a new KEY is not a usable SIG(0) key",
				               records};
				p->stats.refused++;
				(void)par_decide(p, &d, NULL);
				par_answer(p, id, a, PAR_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR,
				           "a new KEY is not a usable SIG(0) key", NULL, 1);
				return;
			}
			sig0_key_free(nk);
			struct par_key *pk = par_key_find(c, r->rdata, r->rdlen);
			if (pk != NULL)
				keep[pk - c->keys] = 2; /* added again */
			else
				nfinal++;
		}
	}
	for (size_t k = 0; k < nold; k++)
		nfinal += keep[k] != 0;
	if (nfinal == 0) {
		par_dec_t d = {
		    au->child, a->addr,        au->signer_desc,   "rollover",
		    "refused", PAR_RC_REFUSED, HS_EDE_PROHIBITED, "would leave no trusted key",
		    records};
		p->stats.refused++;
		p->stats.scope_refused++;
		(void)par_decide(p, &d, NULL);
		par_answer(p, id, a, PAR_RC_REFUSED, HS_EDE_PROHIBITED,
		           "would leave no trusted key", NULL, 1);
		return;
	}
	/* the signing key's trust is what the new keys inherit */
	int trust = ST_TRUST_TRUSTED;
	for (size_t k = 0; k < c->nkeys; k++)
		if (c->keys[k].state == PAR_KEY_TRUSTED && c->keys[k].tag == au->v.key_tag &&
		    c->keys[k].alg == au->v.alg)
			trust = c->keys[k].trust;
	snprintf(why, sizeof(why), "rollover signed by %u", au->v.key_tag);
	for (size_t i = 0; i < u->nrrs && rc == HS_OK; i++) {
		const hs_upd_rr_t *r = &u->rrs[i];
		struct par_key *pk;
		if (r->rclass != HS_CLASS_IN)
			continue;
		pk = par_key_find(c, r->rdata, r->rdlen);
		if (pk == NULL || pk->state != PAR_KEY_TRUSTED)
			rc = par_key_set(p, c, r->rdata, r->rdlen, trust, why);
	}
	snprintf(why, sizeof(why), "retired by a rollover signed by %u", au->v.key_tag);
	for (size_t k = 0; k < nold && rc == HS_OK; k++) {
		struct par_key *pk = par_key_find(c, old_rd[k], old_len[k]);
		if (pk != NULL && pk->state == PAR_KEY_TRUSTED && keep[k] == 0)
			rc = par_key_set(p, c, old_rd[k], old_len[k], ST_TRUST_REFUSED, why);
	}
	if (rc != HS_OK) {
		par_dec_t d = {au->child,       a->addr,      au->signer_desc, "rollover", "failed",
		               PAR_RC_SERVFAIL, HS_EDE_OTHER, "store failure", records};
		(void)par_decide(p, &d, NULL);
		par_answer(p, id, a, PAR_RC_SERVFAIL, HS_EDE_OTHER, "store failure", NULL, 1);
		return;
	}
	par_boot_stop(p, c);
	p->stats.rollovers++;
	p->stats.accepted++;
	par_dec_t d = {au->child, a->addr, au->signer_desc, "rollover", "applied",
	               0,         -1,      "keys replaced", records};
	(void)par_decide(p, &d, NULL);
	par_answer(p, id, a, PAR_RC_NOERROR, -1, NULL, NULL, 1);
}

static void do_change(par_t *p, uint64_t id, const struct par_ans *a, const struct par_auth *au,
                      const hs_upd_t *u, const char *records)
{
	par_action_t act;
	struct par_pending *x;
	int64_t row = 0;
	char why[300];

	memset(&act, 0, sizeof(act));
	act.kind = PAR_ACT_APPLY;
	act.id = id;
	snprintf(act.child, sizeof(act.child), "%s", au->child);
	act.rrs = xcalloc(u->nrrs, sizeof(*act.rrs));
	act.nrrs = u->nrrs;
	int capped = 0;
	for (size_t i = 0; i < u->nrrs; i++) {
		act.rrs[i] = u->rrs[i];
		if (act.rrs[i].rclass == HS_CLASS_IN && act.rrs[i].ttl > p->cfg.max_ttl) {
			act.rrs[i].ttl = p->cfg.max_ttl; /* PS-12 */
			capped = 1;
		}
		hs_buf_append(&act.store, u->rrs[i].rdata, u->rrs[i].rdlen);
	}
	for (size_t i = 0, off = 0; i < act.nrrs; i++) {
		act.rrs[i].rdata = act.rrs[i].rdlen ? act.store.data + off : NULL;
		off += act.rrs[i].rdlen;
	}
	snprintf(why, sizeof(why), "in scope%s; sent to the backend",
	         capped ? " (TTL capped at max-ttl)" : "");
	par_dec_t d = {au->child, a->addr, au->signer_desc, "update", "accepted", 0,
	               -1,        why,     records};
	if (par_decide(p, &d, &row) != HS_OK) {
		par_action_clear(&act);
		par_answer(p, id, a, PAR_RC_SERVFAIL, HS_EDE_OTHER, "store failure", NULL, 1);
		return;
	}
	x = xcalloc(1, sizeof(*x));
	x->id = id;
	x->decision = row;
	x->ans = *a;
	snprintf(x->child, sizeof(x->child), "%s", au->child);
	*p->pending_tail = x;
	p->pending_tail = &x->next;
	p->stats.accepted++;
	par_push(p, &act);
}

int par_update(par_t *p, uint64_t id, const uint8_t *msg, size_t len, hs_upd_t *u, const char *addr,
               int tcp)
{
	struct par_ans a;
	struct par_auth au;
	struct par_child *c = NULL;
	hs_buf_t recs = HS_BUF_INIT;
	char why[300];
	int rc = HS_OK;

	par_ans_from(&a, msg, len, u, addr, tcp);
	/* 1: structure (PS-6) */
	if (u->nother > 0 || u->nrrs == 0) {
		p->stats.malformed++;
		refuse_unauth(p, id, &a, "", PAR_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR,
		              u->nrrs == 0 ? "empty update section"
		                           : "additional section: only OPT and SIG(0) last");
		return HS_E_MALFORMED;
	}
	for (size_t i = 0; i < u->nrrs; i++) {
		rc = rr_shape(&u->rrs[i], why, sizeof(why));
		if (rc != HS_OK) {
			p->stats.malformed += rc == HS_E_MALFORMED;
			refuse_unauth(
			    p, id, &a, "", rc == HS_E_NOTSUP ? PAR_RC_REFUSED : PAR_RC_FORMERR,
			    rc == HS_E_NOTSUP ? HS_EDE_NOT_SUPPORTED : HS_EDE_SIG0_FORMAT_ERROR,
			    why);
			return rc;
		}
	}
	/* 2: the zone */
	if (u->zone_class != HS_CLASS_IN || u->zone_type != PAR_TYPE_SOA ||
	    !dnsmsg_name_equal(u->zone, u->zone_len, p->apex, p->apex_len)) {
		refuse_unauth(p, id, &a, "", PAR_RC_NOTAUTH, HS_EDE_NOT_AUTHORITATIVE,
		              "not a zone this receiver serves");
		return HS_E_REFUSED;
	}
	/* 3: prerequisites */
	if (u->count[DNSMSG_ANSWER] != 0) {
		refuse_unauth(p, id, &a, "", PAR_RC_REFUSED, HS_EDE_NOT_SUPPORTED,
		              "prerequisites are not supported");
		return HS_E_NOTSUP;
	}
	/* 4 to 6 */
	rc = authenticate(p, id, msg, len, &a, u, 0, &au, &c);
	if (rc != HS_OK)
		return rc;
	par_records_text(u->rrs, u->nrrs, &recs);
	const char *records = hs_buf_cstr(&recs);
	const hs_upd_rr_t *add = upload_of(u, &au);
	int is_upload = add != NULL && key_matches_sig(&au, add);
	/* 7: replay */
	if (replayed(p, id, msg, len, &a, &au, is_upload ? "upload" : "update", records)) {
		rc = HS_E_EXISTS;
		goto cleanup;
	}
	/* 8: what it asks, in scope */
	if (is_upload) {
		do_upload(p, id, &a, &au, c, add, records);
		goto cleanup;
	}
	size_t nkey = 0;
	for (size_t i = 0; i < u->nrrs; i++) {
		rc = rr_scope(p->apex, p->apex_len, au.cw, au.cwl, &u->rrs[i], why, sizeof(why));
		if (rc != HS_OK) {
			par_dec_t d = {au.child,          a.addr,    au.signer_desc,
			               "update",          "refused", PAR_RC_REFUSED,
			               HS_EDE_PROHIBITED, why,       records};
			p->stats.scope_refused++;
			p->stats.refused++;
			(void)par_decide(p, &d, NULL);
			par_answer(p, id, &a, PAR_RC_REFUSED, HS_EDE_PROHIBITED, why, NULL, 1);
			goto cleanup;
		}
		nkey += is_key_rr(&u->rrs[i], &au);
	}
	if (nkey > 0 && nkey < u->nrrs) {
		par_dec_t d = {
		    au.child,  a.addr,         au.signer_desc,    "update",
		    "refused", PAR_RC_REFUSED, HS_EDE_PROHIBITED, "key changes travel alone",
		    records};
		p->stats.scope_refused++;
		p->stats.refused++;
		(void)par_decide(p, &d, NULL);
		par_answer(p, id, &a, PAR_RC_REFUSED, HS_EDE_PROHIBITED, "key changes travel alone",
		           NULL, 1);
		rc = HS_E_REFUSED;
		goto cleanup;
	}
	if (nkey > 0)
		do_rollover(p, id, &a, &au, c, u, records);
	else
		do_change(p, id, &a, &au, u, records);
	rc = HS_OK;
cleanup:
	hs_buf_free(&recs);
	return rc;
}

/* ---- the KeyState inquiry (PS-25, PS-26) ---- */

int par_inquiry(par_t *p, uint64_t id, const uint8_t *msg, size_t len, hs_upd_t *u,
                const char *addr, int tcp)
{
	struct par_ans a;
	struct par_auth au;
	struct par_child *c = NULL;
	hs_opt_keystate_t ks;
	hs_buf_t opt = HS_BUF_INIT;
	const uint8_t *d;
	size_t dl;
	char text[200];
	uint8_t state;
	int rc;

	par_ans_from(&a, msg, len, u, addr, tcp);
	if (u->nother > 0 || u->nrrs > 0 || u->count[DNSMSG_ANSWER] > 0) {
		p->stats.malformed++;
		refuse_unauth(p, id, &a, "", PAR_RC_FORMERR, HS_EDE_SIG0_FORMAT_ERROR,
		              "an inquiry has a question, an OPT and a SIG(0) only");
		return HS_E_MALFORMED;
	}
	rc = authenticate(p, id, msg, len, &a, u, 1, &au, &c);
	if (rc != HS_OK)
		return rc;
	rc = hs_edns_opt_find(msg + u->opt_rdata_off, u->opt_rdlen, HS_OPT_KEYSTATE, &d, &dl);
	if (rc != HS_OK || hs_opt_keystate_decode(d, dl, &ks, NULL) != HS_OK ||
	    ks.state != HS_KEYSTATE_INQUIRE_KEY) {
		par_keystate_opt(&opt, rc == HS_OK && dl >= 2 ? (uint16_t)(d[0] << 8 | d[1]) : 0,
		                 HS_KEYSTATE_REQUEST_MALFORMED, "not a key inquiry");
		par_answer(p, id, &a, PAR_RC_NOERROR, -1, NULL, &opt, 1);
		hs_buf_free(&opt);
		return HS_OK;
	}
	state = par_boot_keystate(p, c, ks.key_id, text, sizeof(text));
	par_dec_t dec = {au.child, a.addr, au.signer_desc, "inquiry", "accepted", 0, -1, text, ""};
	(void)par_decide(p, &dec, NULL);
	par_keystate_opt(&opt, ks.key_id, state, text);
	par_answer(p, id, &a, PAR_RC_NOERROR, -1, NULL, &opt, 1);
	hs_buf_free(&opt);
	return HS_OK;
}
