/*
 * tp_harness.h -- two or three transport cores wired together in-process
 * (no sockets): each action's bytes go to the named peer's
 * tp_core_on_request and the reply back through tp_core_on_response, on
 * one virtual clock (hs_env_fake_t). Stores are temporary files.
 */
#ifndef HS_TESTS_TP_HARNESS_H
#define HS_TESTS_TP_HARNESS_H

#include "lib/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpke/envelope.h"
#include "sig0/sig0.h"
#include "store/store.h"
#include "transport/core.h"
#include "transport/registry.h"
#include "util/env.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define H_NPARTY 3
#define H_MAXOUT 64

typedef struct h_outcome {
	uint8_t id[TP_MSGID_LEN];
	enum tp_outcome outcome;
	char reason[32];
	uint64_t at_mono;
} h_outcome_t;

typedef struct h_party {
	char name[64];
	sig0_key_t *sig0;
	hpke_key_t *hpke;
	const hpke_key_t *hpke_set[1];
	char *dbpath;
	st_t *st;
	tp_registry_t *reg;
	tp_core_t *core;
	tp_core_cfg_t cfg;
	h_outcome_t out[H_MAXOUT];
	int nout;
	int inbox_calls;
	struct h_world *w;
} h_party_t;

typedef struct h_world {
	hs_env_fake_t fake;
	char *dir;
	h_party_t p[H_NPARTY];
	/* drop the next N replies to NOTIFYs / chunk queries (the request
	 * arrived, the answer was lost: the sender sees HS_E_TIMEOUT) */
	int drop_notify_replies;
	int drop_chunk_replies;
	/* drop the next N NOTIFY requests before they arrive */
	int drop_notify_requests;
	/* drop the reply to the Nth chunk query (1 = the first; 0 = none) */
	int drop_chunk_reply_nth;
	int chunk_replies;
	uint64_t notify_times[256]; /* mono time of each NOTIFY sent */
	int nnotify;
	int requests;
	int last_has_id; /* check_core_refuse: the last receipt named a message */
} h_world_t;

static inline void h_on_inbox(void *arg)
{
	((h_party_t *)arg)->inbox_calls++;
}

static inline void h_on_outcome(void *arg, const uint8_t msgid[TP_MSGID_LEN], const char *peer,
                                enum tp_outcome outcome, const char *reason)
{
	h_party_t *p = arg;
	(void)peer;
	ck_assert_int_lt(p->nout, H_MAXOUT);
	h_outcome_t *o = &p->out[p->nout++];
	memcpy(o->id, msgid, TP_MSGID_LEN);
	o->outcome = outcome;
	snprintf(o->reason, sizeof(o->reason), "%s", reason ? reason : "");
	o->at_mono = p->w->fake.mono_ms;
}

static inline void h_core_open(h_world_t *w, int i)
{
	h_party_t *p = &w->p[i];
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(st_open(p->dbpath, &p->st, NULL), HS_OK);
	int rc = tp_core_new(&p->core, &p->cfg, &w->fake.env, p->st, p->reg, &em);
	ck_assert_msg(rc == HS_OK, "tp_core_new: %s", hs_errmsg_str(&em));
}

static inline void h_core_close(h_world_t *w, int i)
{
	h_party_t *p = &w->p[i];
	tp_core_free(p->core);
	p->core = NULL;
	st_close(p->st);
	p->st = NULL;
}

/* Give `reg` peer j of the world with copies of its public keys. */
static inline void h_register(h_world_t *w, tp_registry_t *reg, int j)
{
	h_party_t *q = &w->p[j];
	size_t olen = 0, rlen = 0, pklen = 64;
	const uint8_t *owner = sig0_key_owner(q->sig0, &olen);
	const uint8_t *rd = sig0_key_rdata(q->sig0, &rlen);
	sig0_key_t *k = NULL;
	hpke_key_t *h = NULL;
	uint8_t pk[64];
	ck_assert_int_eq(tp_registry_add(reg, q->name, "127.0.0.1", (uint16_t)(5300 + j)), HS_OK);
	ck_assert_int_eq(sig0_key_from_rdata(owner, olen, rd, rlen, &k, NULL), HS_OK);
	ck_assert_int_eq(tp_registry_add_sig0(reg, q->name, k), HS_OK);
	ck_assert_int_eq(hpke_key_public(pk, &pklen, q->hpke), HS_OK);
	ck_assert_int_eq(hpke_key_from_public(&h, HPKE_KEM_X25519_SHA256, pk, pklen), HS_OK);
	ck_assert_int_eq(tp_registry_set_hpke(reg, q->name, h), HS_OK);
}

/* Parties 0 (alpha) and 1 (beta) know each other and party 2 (gamma);
 * gamma has keys and a registry but no core unless opened. */
static inline void h_world_init(h_world_t *w)
{
	static const char *const names[H_NPARTY] = {"alpha.example.", "beta.example.",
	                                            "gamma.example."};
	memset(w, 0, sizeof(*w));
	hs_env_fake_init(&w->fake, 1795412772000ull, 42);
	w->dir = tu_tmpdir();
	for (int i = 0; i < H_NPARTY; i++) {
		h_party_t *p = &w->p[i];
		p->w = w;
		snprintf(p->name, sizeof(p->name), "%s", names[i]);
		char owner[300];
		snprintf(owner, sizeof(owner), "dns.%s", p->name); /* TP-9 */
		ck_assert_int_eq(sig0_key_generate(SIG0_ALG_ED25519, 0, owner, &p->sig0, NULL),
		                 HS_OK);
		ck_assert_int_eq(hpke_key_generate(&p->hpke, HPKE_KEM_X25519_SHA256, &w->fake.env),
		                 HS_OK);
		p->hpke_set[0] = p->hpke;
		p->dbpath = xasprintf("%s/p%d.db", w->dir, i);
		p->reg = tp_registry_new();
		memset(&p->cfg, 0, sizeof(p->cfg));
		p->cfg.identity = p->name;
		p->cfg.sig0_key = p->sig0;
		p->cfg.hpke_keys = p->hpke_set;
		p->cfg.nhpke = 1;
		p->cfg.budget_rate = 100000;
		p->cfg.budget_burst = 100000;
		p->cfg.on_inbox = h_on_inbox;
		p->cfg.on_outcome = h_on_outcome;
		p->cfg.cb_arg = p;
	}
	for (int i = 0; i < H_NPARTY; i++)
		for (int j = 0; j < H_NPARTY; j++)
			if (i != j)
				h_register(w, w->p[i].reg, j);
}

static inline void h_world_open(h_world_t *w, int n)
{
	for (int i = 0; i < n; i++)
		h_core_open(w, i);
}

static inline void h_world_free(h_world_t *w)
{
	for (int i = 0; i < H_NPARTY; i++) {
		h_party_t *p = &w->p[i];
		if (p->core)
			h_core_close(w, i);
		tp_registry_free(p->reg);
		sig0_key_free(p->sig0);
		hpke_key_free(p->hpke);
		free(p->dbpath);
	}
	tu_rmtree(w->dir);
	free(w->dir);
}

static inline int h_party_of(h_world_t *w, const char *name)
{
	for (int i = 0; i < H_NPARTY; i++)
		if (strcmp(w->p[i].name, name) == 0)
			return i;
	return -1;
}

/* Deliver one request to party j as the endpoint would (UDP first with
 * a 1232 limit unless TCP is preferred, TCP after TC=1). HS_OK with the
 * reply in `reply`, else the code the driver would report. */
static inline int h_exchange(h_world_t *w, int j, const uint8_t *msg, size_t len, int tcp,
                             hs_buf_t *reply)
{
	w->requests++;
	hs_buf_reset(reply);
	if (j < 0 || w->p[j].core == NULL)
		return HS_E_TIMEOUT;
	int rc = tp_core_on_request(w->p[j].core, "127.0.0.1", msg, len, tcp ? 65535 : 1232, reply);
	if (rc != HS_OK)
		return HS_E_TIMEOUT;
	if (!tcp && reply->len >= 4 && (reply->data[2] & 0x02)) {
		hs_buf_reset(reply);
		rc = tp_core_on_request(w->p[j].core, "127.0.0.1", msg, len, 65535, reply);
		if (rc != HS_OK)
			return HS_E_TIMEOUT;
	}
	return HS_OK;
}

/* Move every queued action until none is left. Returns actions moved. */
static inline int h_pump(h_world_t *w)
{
	int moved = 0, again = 1;
	hs_buf_t reply = {0};
	while (again) {
		again = 0;
		for (int i = 0; i < H_NPARTY; i++) {
			tp_action_t a;
			while (w->p[i].core && tp_core_next_action(w->p[i].core, &a) == HS_OK) {
				again = 1;
				moved++;
				int j = h_party_of(w, a.peer);
				int rc;
				if (a.kind == TP_ACT_NOTIFY && w->nnotify < 256)
					w->notify_times[w->nnotify++] = w->fake.mono_ms;
				if (a.kind == TP_ACT_NOTIFY && w->drop_notify_requests > 0) {
					w->drop_notify_requests--;
					rc = HS_E_TIMEOUT;
				} else {
					rc = h_exchange(w, j, a.msg, a.len, a.prefer_tcp, &reply);
				}
				if (rc == HS_OK && a.kind == TP_ACT_NOTIFY &&
				    w->drop_notify_replies > 0) {
					w->drop_notify_replies--;
					rc = HS_E_TIMEOUT;
				}
				if (rc == HS_OK && a.kind == TP_ACT_CHUNK &&
				    w->drop_chunk_replies > 0) {
					w->drop_chunk_replies--;
					rc = HS_E_TIMEOUT;
				}
				if (rc == HS_OK && a.kind == TP_ACT_CHUNK &&
				    ++w->chunk_replies == w->drop_chunk_reply_nth)
					rc = HS_E_TIMEOUT;
				if (w->p[i].core)
					(void)tp_core_on_response(w->p[i].core, a.token, rc,
					                          rc == HS_OK ? reply.data : NULL,
					                          rc == HS_OK ? reply.len : 0);
				tp_action_clear(&a);
			}
		}
	}
	hs_buf_free(&reply);
	return moved;
}

/* Pump, then advance virtual time to the next deadline and tick, until
 * `cond` holds or `max_ms` of virtual time pass. 1 when cond held. */
static inline int h_run(h_world_t *w, int (*cond)(h_world_t *), uint64_t max_ms)
{
	uint64_t start = w->fake.mono_ms;
	for (;;) {
		h_pump(w);
		if (cond && cond(w))
			return 1;
		uint64_t best = UINT64_MAX, d;
		for (int i = 0; i < H_NPARTY; i++)
			if (w->p[i].core && tp_core_next_deadline(w->p[i].core, &d) == HS_OK &&
			    d < best)
				best = d;
		if (best == UINT64_MAX)
			return cond ? cond(w) : 1;
		if (best == 0)
			best = 1;
		if (w->fake.mono_ms + best - start > max_ms)
			return cond ? cond(w) : 0;
		hs_env_fake_advance(&w->fake, best);
		for (int i = 0; i < H_NPARTY; i++)
			if (w->p[i].core)
				tp_core_tick(w->p[i].core);
	}
}

static inline uint64_t h_inbox_count(h_party_t *p)
{
	uint64_t n = 0;
	ck_assert_int_eq(st_inbox_count(p->st, &n), HS_OK);
	return n;
}

static inline uint64_t h_outq_count(h_party_t *p, int state)
{
	uint64_t n = 0;
	ck_assert_int_eq(st_outq_count(p->st, state, &n), HS_OK);
	return n;
}

#endif
