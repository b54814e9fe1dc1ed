/*
 * harness.h -- helpers for the engine tests: zones from presentation
 * text, action capture, and an in-process network of engines driven in
 * virtual time (header-only: each check_*.c is its own binary).
 */
#ifndef HS_TESTS_ENGINE_HARNESS_H
#define HS_TESTS_ENGINE_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/env.h"
#include "util/log.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"

#define H_MAXREC 16

/* RDATA built from text lists; NULL-terminated arrays of presentations. */
typedef struct h_rrs {
	hs_buf_t b3[H_MAXREC], bp[H_MAXREC];
	const uint8_t *p3[H_MAXREC], *pp[H_MAXREC];
	size_t l3[H_MAXREC], lp[H_MAXREC];
	size_t n3, np;
} h_rrs_t;

static inline void h_rrs_build(h_rrs_t *r, const char *const *h3, const char *const *hp)
{
	memset(r, 0, sizeof(*r));
	for (; h3 && *h3; h3++, r->n3++) {
		ck_assert_int_eq(hs_hsync3_from_text(*h3, &r->b3[r->n3], NULL), HS_OK);
		r->p3[r->n3] = r->b3[r->n3].data;
		r->l3[r->n3] = r->b3[r->n3].len;
	}
	for (; hp && *hp; hp++, r->np++) {
		ck_assert_int_eq(hs_hsyncparam_from_text(*hp, &r->bp[r->np], NULL), HS_OK);
		r->pp[r->np] = r->bp[r->np].data;
		r->lp[r->np] = r->bp[r->np].len;
	}
}

static inline void h_rrs_free(h_rrs_t *r)
{
	for (size_t i = 0; i < H_MAXREC; i++) {
		hs_buf_free(&r->b3[i]);
		hs_buf_free(&r->bp[i]);
	}
}

/* Load a zone into an engine from text records. */
static inline void h_load(eng_t *e, const char *zone, const char *const *h3, const char *const *hp)
{
	h_rrs_t r;
	hs_errmsg_t em;
	h_rrs_build(&r, h3, hp);
	ck_assert_int_eq(eng_zone_loaded(e, zone, r.p3, r.l3, r.n3, r.pp, r.lp, r.np, &em), HS_OK);
	h_rrs_free(&r);
}

/* Log capture: every "engine" line at notice or above. */
typedef struct h_log {
	char lines[256][300];
	size_t n;
} h_log_t;

static inline void h_log_hook(enum hs_log_level level, const char *subsys, const char *line,
                              void *arg)
{
	h_log_t *l = arg;
	if (strcmp(subsys, "engine") == 0 && l->n < 256)
		snprintf(l->lines[l->n++], sizeof(l->lines[0]), "%s", line);
}

static inline size_t h_log_count(const h_log_t *l, const char *needle)
{
	size_t c = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->lines[i], needle) != NULL)
			c++;
	return c;
}

/* Pop every action; SENDs are kept (up to 64) for inspection. */
typedef struct h_acts {
	eng_action_t a[256];
	size_t n;
} h_acts_t;

static inline void h_drain(eng_t *e, h_acts_t *out)
{
	eng_action_t a;
	while (eng_next_action(e, &a) == HS_OK) {
		if (out != NULL && out->n < 256)
			out->a[out->n++] = a;
		else
			eng_action_clear(&a);
	}
}

static inline void h_acts_clear(h_acts_t *x)
{
	for (size_t i = 0; i < x->n; i++)
		eng_action_clear(&x->a[i]);
	x->n = 0;
}

/* The last action of `kind` (and `type` for SEND, peer if not NULL). */
static inline const eng_action_t *h_find(const h_acts_t *x, eng_act_kind_t kind,
                                         eng_msg_type_t type, const char *peer)
{
	for (size_t i = x->n; i-- > 0;) {
		const eng_action_t *a = &x->a[i];
		if (a->kind == kind && (kind != ENG_ACT_SEND || a->type == type) &&
		    (peer == NULL || strcmp(a->peer, peer) == 0))
			return a;
	}
	return NULL;
}

static inline size_t h_count(const h_acts_t *x, eng_act_kind_t kind, eng_msg_type_t type)
{
	size_t c = 0;
	for (size_t i = 0; i < x->n; i++)
		if (x->a[i].kind == kind && (kind != ENG_ACT_SEND || x->a[i].type == type))
			c++;
	return c;
}

static inline eng_peer_state_t h_state(const eng_t *e, const char *peer)
{
	eng_peer_info_t pi;
	if (eng_peer_get(e, peer, &pi) != HS_OK)
		return ENG_PEER_GONE;
	return pi.state;
}

/* ---- a network of engines on one virtual clock ---- */

#define H_NET_MAX 6

typedef struct h_net {
	hs_env_fake_t clock;
	eng_t *e[H_NET_MAX];
	const char *name[H_NET_MAX];
	int down[H_NET_MAX]; /* messages from and to it are lost */
	size_t n;
	uint64_t group_op[H_NET_MAX], group_deg[H_NET_MAX];
	uint64_t delivered;
} h_net_t;

static inline void h_net_init(h_net_t *net, uint32_t beat_ms)
{
	memset(net, 0, sizeof(*net));
	hs_env_fake_init(&net->clock, 1795000000000ULL, 42);
	(void)beat_ms;
}

static inline size_t h_net_add(h_net_t *net, const char *name, uint32_t beat_ms)
{
	eng_cfg_t cfg = {.identity = name,
	                 .beat_interval_ms = beat_ms,
	                 .hello_retry_ms = 500,
	                 .hello_retry_max_ms = 4000};
	size_t i = net->n++;
	net->name[i] = name;
	ck_assert_int_eq(eng_new(&net->e[i], &cfg, &net->clock.env, NULL), HS_OK);
	return i;
}

static inline long h_net_find(const h_net_t *net, const char *id)
{
	for (size_t i = 0; i < net->n; i++)
		if (strcmp(eng_identity(net->e[i]), id) == 0)
			return (long)i;
	return -1;
}

/* Deliver every pending action once; returns how many were handled. */
static inline size_t h_net_pump(h_net_t *net)
{
	size_t handled = 0;
	for (size_t i = 0; i < net->n; i++) {
		eng_action_t a;
		while (eng_next_action(net->e[i], &a) == HS_OK) {
			handled++;
			if (a.kind == ENG_ACT_SEND) {
				long to = h_net_find(net, a.peer);
				int ok = to >= 0 && !net->down[i] && !net->down[to];
				if (ok) {
					int rc = eng_message(net->e[to], eng_identity(net->e[i]),
					                     a.type_name, a.body, a.len);
					/* a BEAT may overtake the ACK that introduces */
					ck_assert(rc == HS_OK || rc == HS_E_REFUSED);
					net->delivered++;
				}
				ck_assert_int_eq(eng_send_result(net->e[i], a.msgid, ok), HS_OK);
			} else if (a.kind == ENG_ACT_DISCOVER) {
				int known = h_net_find(net, a.peer) >= 0;
				ck_assert_int_eq(
				    eng_peer_discovered(net->e[i], a.peer, known,
				                        known ? NULL : "no such agent"),
				    HS_OK);
			} else if (a.kind == ENG_ACT_GROUP_OPERATIONAL) {
				net->group_op[i]++;
			} else if (a.kind == ENG_ACT_GROUP_DEGRADED) {
				net->group_deg[i]++;
			}
			eng_action_clear(&a);
		}
	}
	return handled;
}

/* Run until virtual time `until` (ms from now), pumping and ticking. */
static inline void h_net_run(h_net_t *net, uint64_t ms)
{
	uint64_t end = net->clock.mono_ms + ms;
	for (;;) {
		while (h_net_pump(net) > 0)
			;
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < net->n; i++) {
			uint64_t d = eng_next_deadline(net->e[i]);
			if (d < next)
				next = d;
		}
		if (next > end)
			next = end;
		if (next <= net->clock.mono_ms)
			next = net->clock.mono_ms + 1; /* a timer that does not move: do not spin */
		if (next > net->clock.mono_ms)
			hs_env_fake_advance(&net->clock, next - net->clock.mono_ms);
		for (size_t i = 0; i < net->n; i++)
			(void)eng_tick(net->e[i]);
		while (h_net_pump(net) > 0)
			;
		if (net->clock.mono_ms >= end)
			break;
	}
}

static inline void h_net_free(h_net_t *net)
{
	for (size_t i = 0; i < net->n; i++)
		eng_free(net->e[i]);
}

#endif
