/*
 * par_harness.h -- the parent's UPDATE receiver (src/engine/parent) in
 * virtual time: a store in a temporary directory, the receiver's key, the
 * children's keys, UPDATEs and inquiries built and signed like a child
 * does (src/engine/child), the actions drained and kept for the checks.
 * "The parent zone did not change" is checked as "no APPLY came out".
 */
#ifndef HS_TESTS_PAR_HARNESS_H
#define HS_TESTS_PAR_HARNESS_H

#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/child/chd.h"
#include "engine/parent/par.h"
#include "sig0/sig0.h"
#include "store/store.h"
#include "util/env.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/edns_opts.h"
#include "wire/ldns_glue.h"
#include "wire/proto.h"
#include "wire/text.h"
#include "wire/update.h"

#define PH_T0_MS 1795000000000ULL
#define PH_ZONE  "lab."
#define PH_MAXLK 64
#define PH_MAXRR 80

#define T_A    1
#define T_NS   2
#define T_DS   43
#define T_KEY  25
#define T_AAAA 28
#define T_ANY  255
#define C_IN   1
#define C_NONE 254
#define C_ANY  255

struct ph {
	hs_env_fake_t env;
	char *dir;
	char dbpath[512];
	st_t *st;
	par_t *p;
	par_cfg_t cfg;
	sig0_key_t *recv;
	/* the last answer */
	int got;
	uint64_t id;
	hs_buf_t ans;
	int tc;
	hs_upd_reply_t r;
	int signed_ok;
	/* APPLYs not yet answered, in order */
	par_action_t apply[16];
	size_t napply;
	size_t applies_seen;
	/* LOOKUPs not yet answered */
	par_action_t lk[PH_MAXLK];
	size_t nlk;
	/* the last message sent */
	hs_buf_t last;
	/* records under construction */
	hs_upd_rr_t rrs[PH_MAXRR];
	size_t nrrs;
	uint8_t pool[PH_MAXRR][1024];
};

static inline void ph_drain(struct ph *h)
{
	par_action_t a;
	while (par_next_action(h->p, &a) == HS_OK) {
		switch (a.kind) {
		case PAR_ACT_ANSWER: {
			sig0_verdict_t v;
			const sig0_key_t *set[] = {h->recv};
			h->got = 1;
			h->id = a.id;
			hs_buf_reset(&h->ans);
			hs_buf_append(&h->ans, a.msg.data, a.msg.len);
			h->tc = a.tcp_hint;
			par_action_clear(&a);
			ck_assert_int_eq(hs_upd_reply_parse(h->ans.data, h->ans.len, &h->r), HS_OK);
			h->signed_ok = sig0_verify(h->ans.data, h->ans.len, set, 1,
			                           hs_now_s(&h->env.env), NULL, &v) == HS_OK;
			break;
		}
		case PAR_ACT_APPLY:
			ck_assert_uint_lt(h->napply, 16);
			h->apply[h->napply++] = a;
			h->applies_seen++;
			break;
		case PAR_ACT_LOOKUP:
			ck_assert_uint_lt(h->nlk, PH_MAXLK);
			h->lk[h->nlk++] = a;
			break;
		}
	}
}

static inline void ph_start(struct ph *h)
{
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = par_new(&h->p, &h->cfg, h->st, &h->env.env, &em);
	ck_assert_msg(rc == HS_OK, "par_new: %s", hs_errmsg_str(&em));
}

static inline void ph_stop(struct ph *h)
{
	for (size_t i = 0; i < h->napply; i++)
		par_action_clear(&h->apply[i]);
	for (size_t i = 0; i < h->nlk; i++)
		par_action_clear(&h->lk[i]);
	h->napply = h->nlk = 0;
	par_free(h->p);
	h->p = NULL;
}

/* A fresh receiver for lab. offering `methods`. */
static inline void ph_init(struct ph *h, unsigned methods)
{
	hs_errmsg_t em;
	memset(h, 0, sizeof(*h));
	hs_log_set_level(HS_LOG_ERR);
	hs_env_fake_init(&h->env, PH_T0_MS, 11);
	h->dir = tu_tmpdir();
	snprintf(h->dbpath, sizeof(h->dbpath), "%s/par.db", h->dir);
	ck_assert_int_eq(st_open(h->dbpath, &h->st, &em), HS_OK);
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, "update.lab.", &h->recv, &em),
	                 HS_OK);
	memset(&h->cfg, 0, sizeof(h->cfg));
	h->cfg.zone = PH_ZONE;
	h->cfg.key = h->recv;
	h->cfg.methods = methods;
	ph_start(h);
}

static inline void ph_fini(struct ph *h)
{
	ph_stop(h);
	st_close(h->st);
	sig0_key_free(h->recv);
	hs_buf_free(&h->ans);
	hs_buf_free(&h->last);
	tu_rmtree(h->dir);
	free(h->dir);
}

/* The receiver again over the same store (a restart). */
static inline void ph_restart(struct ph *h)
{
	ph_stop(h);
	ph_start(h);
}

static inline sig0_key_t *ph_key(const char *owner)
{
	sig0_key_t *k = NULL;
	hs_errmsg_t em;
	ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, owner, &k, &em), HS_OK);
	return k;
}

/* Put `k` in the trust store as the receiver keeps it, and restart. */
static inline void ph_trust(struct ph *h, const sig0_key_t *k, int state)
{
	size_t len;
	const uint8_t *rd = sig0_key_rdata(k, &len);
	st_trust_ref_t ref = {sig0_key_owner_text(k), ST_KIND_SIG0, sig0_key_alg(k),
	                      sig0_key_tag(k),        rd,           len};
	ck_assert_int_eq(
	    st_trust_put(h->st, &ref, state, "parent: test", ST_FORCE, hs_now_s(&h->env.env)),
	    HS_OK);
	ph_restart(h);
}

static inline void ph_advance(struct ph *h, uint64_t ms)
{
	hs_env_fake_advance(&h->env, ms);
	par_tick(h->p);
	ph_drain(h);
}

/* ---- building messages ---- */

static inline void ph_clear(struct ph *h)
{
	h->nrrs = 0;
}

/* Add one record: owner, ttl, class, type, RDATA text ("" for none). */
static inline void ph_rr(struct ph *h, const char *owner, uint32_t ttl, uint16_t cls, uint16_t type,
                         const char *rdata)
{
	hs_upd_rr_t *r = &h->rrs[h->nrrs];
	hs_buf_t b = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_uint_lt(h->nrrs, PH_MAXRR);
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(hs_name_from_text(owner, strlen(owner), r->owner, &r->owner_len), HS_OK);
	r->ttl = ttl;
	r->rclass = cls;
	r->type = type;
	if (rdata != NULL && strncmp(rdata, "\\# ", 3) == 0) {
		/* RFC 3597 text taken as it is, also when it does not fit the type */
		const char *hex = strchr(rdata + 3, ' ');
		tu_hex(&b, hex ? hex + 1 : "");
		memcpy(h->pool[h->nrrs], b.data, b.len);
		r->rdata = h->pool[h->nrrs];
		r->rdlen = (uint16_t)b.len;
	} else if (rdata != NULL && *rdata) {
		hs_errmsg_clear(&em);
		ck_assert_msg(hs_ldns_rdata_from_text(type, rdata, &b, &em) == HS_OK, "%s: %s",
		              rdata, hs_errmsg_str(&em));
		ck_assert_uint_le(b.len, sizeof(h->pool[0]));
		memcpy(h->pool[h->nrrs], b.data, b.len);
		r->rdata = h->pool[h->nrrs];
		r->rdlen = (uint16_t)b.len;
	}
	hs_buf_free(&b);
	h->nrrs++;
}

/* A KEY record of `k` at its owner (add). */
static inline void ph_rr_key(struct ph *h, const sig0_key_t *k, uint16_t cls)
{
	size_t len;
	const uint8_t *rd = sig0_key_rdata(k, &len);
	hs_upd_rr_t *r = &h->rrs[h->nrrs];
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(hs_name_from_text(sig0_key_owner_text(k), strlen(sig0_key_owner_text(k)),
	                                   r->owner, &r->owner_len),
	                 HS_OK);
	r->ttl = cls == C_IN ? 300 : 0;
	r->rclass = cls;
	r->type = T_KEY;
	memcpy(h->pool[h->nrrs], rd, len);
	r->rdata = h->pool[h->nrrs];
	r->rdlen = (uint16_t)len;
	h->nrrs++;
}

/* Send the records built so far as an UPDATE for `zone`, signed by
 * `key` (NULL: unsigned), from `addr`. The answer (if any) is checked
 * for a valid signature of the receiver. */
static inline void ph_send_msg(struct ph *h, const uint8_t *msg, size_t len, const char *addr,
                               int tcp)
{
	uint64_t id = 0;
	h->got = 0;
	h->signed_ok = 0;
	memset(&h->r, 0, sizeof(h->r));
	hs_buf_reset(&h->last);
	hs_buf_append(&h->last, msg, len);
	int ours = par_request(h->p, msg, len, addr, tcp, &id);
	ck_assert_int_eq(ours, 1);
	ph_drain(h);
	if (h->got)
		ck_assert_uint_eq(h->id, id);
}

static inline void ph_update_ex(struct ph *h, const char *zone, const sig0_key_t *key, int edns,
                                const char *addr, int tcp)
{
	hs_buf_t msg = HS_BUF_INIT;
	uint8_t zw[WIRE_NAME_MAX];
	size_t zl;
	uint8_t rnd[2];
	(void)h->env.env.random(h->env.env.arg, rnd, 2);
	ck_assert_int_eq(hs_name_from_text(zone, strlen(zone), zw, &zl), HS_OK);
	ck_assert_int_eq(hs_upd_build((uint16_t)(rnd[0] << 8 | rnd[1]), zw, zl, h->rrs, h->nrrs,
	                              edns, NULL, 0, &msg),
	                 HS_OK);
	if (key != NULL)
		ck_assert_int_eq(sig0_sign(key, &msg, hs_now_s(&h->env.env), NULL, NULL), HS_OK);
	ph_send_msg(h, msg.data, msg.len, addr, tcp);
	hs_buf_free(&msg);
}

static inline void ph_update(struct ph *h, const sig0_key_t *key)
{
	ph_update_ex(h, PH_ZONE, key, 1, "192.0.2.1", 0);
}

/* The answer: RCODE, EDE (-1: none), signed by the receiver. */
#define ph_expect(h, rc_, ede_)                                                                    \
	do {                                                                                       \
		ck_assert_msg((h)->got, "no answer");                                              \
		ck_assert_msg((h)->r.rcode == (unsigned)(rc_), "rcode %u, expected %u (%s)",       \
		              (h)->r.rcode, (unsigned)(rc_), (h)->r.ede_text);                     \
		if ((ede_) < 0)                                                                    \
			ck_assert_msg(!(h)->r.has_ede, "unexpected EDE %u", (h)->r.ede);           \
		else                                                                               \
			ck_assert_msg((h)->r.has_ede && (h)->r.ede == (unsigned)(ede_),            \
			              "ede %u (%s), expected %d", (h)->r.ede, (h)->r.ede_text,     \
			              (int)(ede_));                                                \
	} while (0)

/* Answer the oldest APPLY. */
static inline void ph_applied(struct ph *h, int rc)
{
	ck_assert_uint_gt(h->napply, 0);
	uint64_t id = h->apply[0].id;
	par_action_clear(&h->apply[0]);
	memmove(&h->apply[0], &h->apply[1], (h->napply - 1) * sizeof(h->apply[0]));
	h->napply--;
	ck_assert_int_eq(par_applied(h->p, id, rc, rc == HS_OK ? "" : "primary said REFUSED"),
	                 HS_OK);
	ph_drain(h);
}

/* The index of an outstanding lookup of `kind` for `name`, or -1. */
static inline int ph_lookup_find(struct ph *h, par_lk_kind_t kind, const char *name,
                                 const char *addr)
{
	for (size_t i = 0; i < h->nlk; i++)
		if (h->lk[i].lk == kind && strcasecmp(h->lk[i].name, name) == 0 &&
		    (addr == NULL || strcmp(h->lk[i].addr, addr) == 0))
			return (int)i;
	return -1;
}

static inline void ph_lookup_answer(struct ph *h, int i, const par_lookup_res_t *r)
{
	ck_assert_int_ge(i, 0);
	uint64_t tok = h->lk[i].id;
	par_action_clear(&h->lk[i]);
	memmove(&h->lk[i], &h->lk[i + 1], (h->nlk - (size_t)i - 1) * sizeof(h->lk[0]));
	h->nlk--;
	ck_assert_int_eq(par_lookup_done(h->p, tok, r), HS_OK);
	ph_drain(h);
}

/* Answer a KEY lookup with the RDATAs of `keys`. */
static inline void ph_answer_keys(struct ph *h, int i, int secure, int aa,
                                  const sig0_key_t *const *keys, size_t n)
{
	hs_buf_t rd[8];
	par_lookup_res_t r;
	memset(&r, 0, sizeof(r));
	for (size_t k = 0; k < n; k++) {
		size_t len;
		const uint8_t *p = sig0_key_rdata(keys[k], &len);
		rd[k] = (hs_buf_t)HS_BUF_INIT;
		hs_buf_append(&rd[k], p, len);
	}
	r.status = HS_OK;
	r.secure = secure;
	r.aa = aa;
	r.rdatas = rd;
	r.n = n;
	r.why = secure ? NULL : "insecure";
	ph_lookup_answer(h, i, &r);
	for (size_t k = 0; k < n; k++)
		hs_buf_free(&rd[k]);
}

/* The KeyState the receiver tells about `key` (an inquiry signed by it). */
static inline int ph_inquire(struct ph *h, const sig0_key_t *key)
{
	hs_buf_t msg = HS_BUF_INIT;
	hs_errmsg_t em;
	ck_assert_int_eq(chd_inquiry_build(key, sig0_key_owner_text(key), 4242,
	                                   hs_now_s(&h->env.env), &msg, &em),
	                 HS_OK);
	ph_send_msg(h, msg.data, msg.len, "192.0.2.1", 0);
	hs_buf_free(&msg);
	ck_assert(h->got);
	ck_assert(h->signed_ok);
	ck_assert(h->r.has_keystate);
	ck_assert_uint_eq(h->r.ks_key_id, sig0_key_tag(key));
	return h->r.ks_state;
}

static inline int ph_trusted(struct ph *h, const char *child, uint16_t tag)
{
	par_child_info_t ci;
	if (par_child_get(h->p, child, &ci) != HS_OK)
		return 0;
	for (size_t i = 0; i < ci.nkeys; i++)
		if (ci.keys[i].tag == tag && strcmp(ci.keys[i].state, "trusted") == 0)
			return 1;
	return 0;
}

/* Decisions kept in the store, newest first. */
static inline size_t ph_decisions(struct ph *h, const char *kind, const char *outcome)
{
	st_par_decision_list_t l;
	size_t n = 0;
	ck_assert_int_eq(st_par_decision_list(h->st, NULL, 1000, &l), HS_OK);
	for (size_t i = 0; i < l.n; i++)
		n += (kind == NULL || strcmp(l.v[i].kind, kind) == 0) &&
		     (outcome == NULL || strcmp(l.v[i].outcome, outcome) == 0);
	st_par_decision_list_free(&l);
	return n;
}

#endif
