/* One discovery round of a peer: the five lookups, their validation and
 * the result built from what validated. */
#include "engine/discovery_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "util/log.h"
#include "wire/ldns_glue.h"
#include "wire/rr_hpkekey.h"

enum need_kind { NEED_URI, NEED_ADDR, NEED_KEY, NEED_HPKE };

/* What a peer publishes: a table, one row per RRset looked up. */
static const struct need {
	const char *prefix; /* prepended to the identity */
	uint16_t type;
	int required; /* absent = failure */
	enum need_kind kind;
} needs[] = {
    {"_dns._tcp.", DISC_TYPE_URI, 0, NEED_URI}, {"dns.", LDNS_RR_TYPE_A, 0, NEED_ADDR},
    {"dns.", LDNS_RR_TYPE_AAAA, 0, NEED_ADDR},  {"dns.", LDNS_RR_TYPE_KEY, 1, NEED_KEY},
    {"dns.", DISC_TYPE_HPKEKEY, 1, NEED_HPKE},
};
#define NNEEDS (sizeof(needs) / sizeof(needs[0]))

void disc_result_clear(disc_result_t *r)
{
	for (size_t i = 0; i < DISC_MAX_KEYS; i++) {
		hs_buf_free(&r->keys[i]);
		hs_buf_free(&r->hpke[i]);
	}
	char id[sizeof(r->identity)];
	memcpy(id, r->identity, sizeof(id));
	memset(r, 0, sizeof(*r));
	memcpy(r->identity, id, sizeof(id));
}

void disc_result_copy(disc_result_t *dst, const disc_result_t *src)
{
	disc_result_clear(dst);
	*dst = *src;
	for (size_t i = 0; i < DISC_MAX_KEYS; i++) {
		dst->keys[i] = (hs_buf_t)HS_BUF_INIT;
		dst->hpke[i] = (hs_buf_t)HS_BUF_INIT;
		if (src->keys[i].len)
			hs_buf_append(&dst->keys[i], src->keys[i].data, src->keys[i].len);
		if (src->hpke[i].len)
			hs_buf_append(&dst->hpke[i], src->hpke[i].data, src->hpke[i].len);
	}
}

static int bufs_same(const hs_buf_t *a, const hs_buf_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].len != b[i].len || (a[i].len && memcmp(a[i].data, b[i].data, a[i].len)))
			return 0;
	return 1;
}

/* Same state and, when OK, the same data (TTL and expiry aside). */
int disc_result_same(const disc_result_t *a, const disc_result_t *b)
{
	if (a->state != b->state)
		return 0;
	if (a->state != DISC_OK)
		return 1;
	return a->trust == b->trust && a->port == b->port && a->naddrs == b->naddrs &&
	       memcmp(a->addrs, b->addrs, sizeof(a->addrs[0]) * a->naddrs) == 0 &&
	       a->nkeys == b->nkeys && a->nhpke == b->nhpke &&
	       bufs_same(a->keys, b->keys, a->nkeys) && bufs_same(a->hpke, b->hpke, a->nhpke);
}

static void add_failure(disc_result_t *r, const char *name, uint16_t type, int code,
                        enum dv_reason reason, const char *text)
{
	if (r->nfailures >= DISC_MAX_FAILURES)
		return;
	disc_failure_t *f = &r->failures[r->nfailures++];
	snprintf(f->name, sizeof(f->name), "%.255s", name);
	f->type = type;
	f->code = code;
	f->reason = reason;
	snprintf(f->text, sizeof(f->text), "%s", text);
}

static void owner_of(const struct disc_peer *p, const struct need *n, char *out, size_t len)
{
	snprintf(out, len, "%s%s", n->prefix, p->id);
}

static void type_name(uint16_t type, char *out, size_t len)
{
	if (type == DISC_TYPE_HPKEKEY)
		snprintf(out, len, "HPKEKEY");
	else if (type == DISC_TYPE_URI)
		snprintf(out, len, "URI");
	else {
		char *s = ldns_rr_type2str((ldns_rr_type)type);
		snprintf(out, len, "%s", s ? s : "?");
		LDNS_FREE(s);
	}
}

static void fail_fmt(disc_result_t *r, const char *name, uint16_t type, int code,
                     enum dv_reason reason, const char *why)
{
	char ts[24], text[256];
	type_name(type, ts, sizeof(ts));
	snprintf(text, sizeof(text), "%.100s/%s: %.128s", name, ts, why);
	add_failure(r, name, type, code, reason, text);
}

/* Take the records of a validated RRset into the result. */
static void take(const struct disc_peer *p, const struct need *n, const dv_rrset_t *set,
                 disc_result_t *r, const disc_uri_t **best_uri, disc_uri_t *uri_store)
{
	char owner[300];
	owner_of(p, n, owner, sizeof(owner));
	for (size_t i = 0; i < dv_rrset_count(set); i++) {
		hs_buf_t rd = HS_BUF_INIT;
		hs_errmsg_t em;
		hs_errmsg_clear(&em);
		if (hs_ldns_rr_rdata(ldns_rr_list_rr(set->rrs, i), &rd, &em) != HS_OK) {
			fail_fmt(r, owner, n->type, HS_E_MALFORMED, DV_R_NONE, hs_errmsg_str(&em));
			continue;
		}
		switch (n->kind) {
		case NEED_ADDR: {
			size_t want = n->type == LDNS_RR_TYPE_A ? 4 : 16;
			if (rd.len != want) {
				fail_fmt(r, owner, n->type, HS_E_MALFORMED, DV_R_NONE,
				         "bad address length");
			} else if (r->naddrs < DISC_MAX_ADDRS) {
				disc_addr_t *a = &r->addrs[r->naddrs++];
				a->family = want == 4 ? AF_INET : AF_INET6;
				memcpy(a->addr, rd.data, want);
			}
			break;
		}
		case NEED_KEY:
			/* KEY RDATA: flags u16, protocol u8 (3 = DNSSEC), alg u8, key */
			if (rd.len < 5 || rd.data[2] != 3)
				fail_fmt(r, owner, n->type, HS_E_MALFORMED, DV_R_NONE,
				         "not a usable KEY (protocol must be 3)");
			else if (r->nkeys < DISC_MAX_KEYS)
				hs_buf_append(&r->keys[r->nkeys++], rd.data, rd.len);
			break;
		case NEED_HPKE: {
			hs_hpkekey_t hk;
			if (hs_hpkekey_decode(rd.data, rd.len, &hk, &em) != HS_OK)
				fail_fmt(r, owner, n->type, em.code, DV_R_NONE, hs_errmsg_str(&em));
			else if (r->nhpke < DISC_MAX_KEYS)
				hs_buf_append(&r->hpke[r->nhpke++], rd.data, rd.len);
			break;
		}
		case NEED_URI: {
			disc_uri_t u;
			char want[300];
			if (disc_uri_parse(rd.data, rd.len, &u, &em) != HS_OK) {
				fail_fmt(r, owner, n->type, em.code, DV_R_NONE, hs_errmsg_str(&em));
				break;
			}
			snprintf(want, sizeof(want), "dns.%s", p->id);
			want[strlen(want) - 1] = '\0'; /* URI host carries no final dot */
			if (strcasecmp(u.host, want) != 0) {
				char why[400];
				snprintf(why, sizeof(why), "uri host '%.100s' is not '%.100s'",
				         u.host, want);
				fail_fmt(r, owner, n->type, HS_E_REFUSED, DV_R_NONE, why);
				break;
			}
			/* lowest priority wins, then highest weight: deterministic */
			if (!*best_uri || u.priority < (*best_uri)->priority ||
			    (u.priority == (*best_uri)->priority &&
			     u.weight > (*best_uri)->weight)) {
				*uri_store = u;
				*best_uri = uri_store;
			}
			break;
		}
		}
		hs_buf_free(&rd);
	}
}

int disc_eval(struct disc *d, struct disc_peer *p, disc_result_t *r)
{
	struct disc_entry *es[NNEEDS];
	struct disc_fetch_arg fa = {d, p->round_seq};
	dv_ctx_t ctx = disc_dv_ctx(d, &fa);
	const disc_uri_t *best_uri = NULL;
	disc_uri_t uri_store;
	int waiting = 0, insecure = 0;
	uint32_t ttl = UINT32_MAX, expire = UINT32_MAX;
	char owner[300];

	/* 1. the peer's own RRsets, fetched fresh in this round */
	for (size_t i = 0; i < NNEEDS; i++) {
		owner_of(p, &needs[i], owner, sizeof(owner));
		es[i] = disc_entry_get(d, owner, needs[i].type);
		if (!disc_entry_fresh(es[i], p->round_seq)) {
			if (disc_entry_issue(d, es[i]) == HS_OK || es[i]->token)
				waiting = 1;
		}
	}
	if (waiting)
		return 0;

	/* 2. validate each (may ask for more DNSKEY/DS) */
	disc_result_clear(r);
	dv_result_t vr[NNEEDS];
	int ok[NNEEDS] = {0};
	for (size_t i = 0; i < NNEEDS; i++) {
		const struct need *n = &needs[i];
		struct disc_entry *e = es[i];
		hs_errmsg_t em;
		owner_of(p, n, owner, sizeof(owner));
		if (e->err != HS_OK) {
			char why[300];
			snprintf(why, sizeof(why), "lookup failed: %.200s", e->errtext);
			fail_fmt(r, owner, n->type, e->err, DV_R_NONE, why);
			continue;
		}
		if (dv_rrset_count(e->set) == 0) {
			if (n->required)
				fail_fmt(r, owner, n->type, HS_OK, DV_R_NONE,
				         e->set && e->set->rcode == 3 ? "no such name (NXDOMAIN)"
				                                      : "no records");
			continue;
		}
		hs_errmsg_clear(&em);
		int rc = dv_validate(&ctx, e->set, &vr[i], &em);
		if (rc == HS_E_AGAIN) {
			waiting = 1;
			continue;
		}
		if (rc != HS_OK) {
			add_failure(r, owner, n->type, rc, DV_R_NONE, hs_errmsg_str(&em));
			continue;
		}
		if (vr[i].security == DV_BOGUS) {
			/* a broken chain names the link that broke; say which of
			 * the peer's RRsets it was walked for */
			size_t ol = strlen(owner);
			if (strncmp(vr[i].text, owner, ol) == 0 && vr[i].text[ol] == '/')
				add_failure(r, owner, n->type, HS_OK, vr[i].reason, vr[i].text);
			else
				fail_fmt(r, owner, n->type, HS_OK, vr[i].reason, vr[i].text);
			continue;
		}
		ok[i] = 1;
	}
	if (waiting) {
		disc_result_clear(r);
		return 0;
	}

	/* 3. build the result from what validated */
	for (size_t i = 0; i < NNEEDS; i++) {
		if (!ok[i])
			continue;
		if (vr[i].security == DV_INSECURE)
			insecure = 1;
		else if (vr[i].expire < expire)
			expire = vr[i].expire;
		if (vr[i].ttl < ttl)
			ttl = vr[i].ttl;
		take(p, &needs[i], es[i]->set, r, &best_uri, &uri_store);
	}
	if (r->nfailures == 0 && r->naddrs == 0) {
		snprintf(owner, sizeof(owner), "dns.%s", p->id);
		fail_fmt(r, owner, LDNS_RR_TYPE_A, HS_OK, DV_R_NONE, "no A or AAAA records");
	}
	if (r->nfailures > 0) {
		/* nothing of a refused peer is kept */
		disc_failure_t f[DISC_MAX_FAILURES];
		size_t nf = r->nfailures;
		memcpy(f, r->failures, sizeof(f));
		disc_result_clear(r);
		memcpy(r->failures, f, sizeof(f));
		r->nfailures = nf;
		r->state = DISC_FAILED;
		return 1;
	}
	r->state = DISC_OK;
	r->trust = insecure ? DISC_TRUST_INSECURE_LAB : DISC_TRUST_SECURE;
	r->port = best_uri && best_uri->port ? best_uri->port : DISC_DEFAULT_PORT;
	/* lifetime: min TTL, and never past an RRSIG expiration */
	uint32_t now_s = ctx.now;
	if (ttl < d->cfg.min_lifetime_s)
		ttl = d->cfg.min_lifetime_s;
	if (ttl > d->cfg.max_lifetime_s)
		ttl = d->cfg.max_lifetime_s;
	if (expire != UINT32_MAX && expire - now_s < ttl) /* expire > now: it validated */
		ttl = expire - now_s;
	r->ttl = ttl;
	r->expires_ms = hs_now_ms(d->cfg.env) + (uint64_t)ttl * 1000;
	return 1;
}
