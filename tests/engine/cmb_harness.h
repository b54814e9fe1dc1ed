/*
 * cmb_harness.h -- helpers for the combiner tests (header-only): a
 * combiner over a temporary store on a virtual clock, zones and RDATA from
 * presentation text, UPDATE bodies, and the actions decoded back.
 *
 * The cast: zone example.test., the combiner combiner.alpha.lab. acting
 * for agent.alpha.lab. (label alpha), and the other providers
 * agent.beta.lab. (beta) and agent.gamma.lab. (gamma).
 */
#ifndef HS_TESTS_ENGINE_CMB_HARNESS_H
#define HS_TESTS_ENGINE_CMB_HARNESS_H

#include "lib/testutil.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/combiner/combiner.h"
#include "engine/syncmsg.h"
#include "util/env.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/ldns_glue.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"

#define ZONE   "example.test."
#define SELF   "combiner.alpha.lab."
#define ALPHA  "agent.alpha.lab."
#define BETA   "agent.beta.lab."
#define GAMMA  "agent.gamma.lab."
#define CHANGE "00000000000000c1"

#define T_NS     2
#define T_KEY    25
#define T_DNSKEY 48
#define T_CDS    59
#define T_CSYNC  62

/* HSYNC3 of the three providers, all ON. */
#define H3_ABC                                                                                     \
	"ON alpha agent.alpha.lab. .", "ON beta agent.beta.lab. .", "ON gamma agent.gamma.lab. ."
#define PARAM_AGENT "nsmgmt=\"agent\" parentsync=\"agent\" signers=\"alpha,beta\""
#define PARAM_OWNER "nsmgmt=\"owner\" parentsync=\"owner\" signers=\"alpha,beta\""

typedef struct ch {
	hs_env_fake_t env;
	char *dir;
	char *path;
	st_t *st;
	cmb_t *c;
	const char *protect[4];
	cmb_cfg_t cfg;
} ch_t;

/* One RDATA from "TYPE RDATA" presentation (ldns), with its TTL. */
typedef struct ch_rd {
	uint16_t type;
	uint32_t ttl;
	uint8_t d[SM_RDATA_MAX];
	size_t n;
} ch_rd_t;

static inline ch_rd_t ch_rd(const char *line)
{
	ch_rd_t r;
	ldns_rr *rr = NULL;
	hs_buf_t b = HS_BUF_INIT;
	/* "TTL TYPE RDATA" or "TYPE RDATA" (TTL 3600) */
	char *full = line[0] >= '0' && line[0] <= '9' ? xasprintf(ZONE " %s", line)
	                                              : xasprintf(ZONE " 3600 IN %s", line);
	memset(&r, 0, sizeof(r));
	ck_assert_msg(ldns_rr_new_frm_str(&rr, full, 3600, NULL, NULL) == LDNS_STATUS_OK, "rr '%s'",
	              full);
	ck_assert_int_eq(hs_ldns_rr_rdata(rr, &b, NULL), HS_OK);
	ck_assert_uint_le(b.len, sizeof(r.d));
	r.type = (uint16_t)ldns_rr_get_type(rr);
	r.ttl = ldns_rr_ttl(rr);
	memcpy(r.d, b.data, b.len);
	r.n = b.len;
	hs_buf_free(&b);
	ldns_rr_free(rr);
	free(full);
	return r;
}

static inline ch_rd_t ch_raw(uint16_t type, const uint8_t *p, size_t n)
{
	ch_rd_t r;
	memset(&r, 0, sizeof(r));
	ck_assert_uint_le(n, sizeof(r.d));
	r.type = type;
	r.ttl = 3600;
	memcpy(r.d, p, n);
	r.n = n;
	return r;
}

static inline void ch_quiet(void)
{
	hs_log_set_level(HS_LOG_ERR);
}

static inline void ch_open(ch_t *h)
{
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	ck_assert_int_eq(st_open(h->path, &h->st, &em), HS_OK);
	ck_assert_msg(cmb_new(&h->c, &h->cfg, h->st, &h->env.env, &em) == HS_OK, "cmb_new: %s",
	              hs_errmsg_str(&em));
}

static inline void ch_init(ch_t *h, int manual)
{
	memset(h, 0, sizeof(*h));
	ch_quiet();
	hs_env_fake_init(&h->env, 1795000000000ULL, 7);
	h->dir = tu_tmpdir();
	h->path = xasprintf("%s/combiner.db", h->dir);
	h->protect[0] = "alpha.lab.";
	h->cfg = (cmb_cfg_t){.identity = SELF,
	                     .provider = ALPHA,
	                     .protect = h->protect,
	                     .nprotect = 1,
	                     .manual = manual};
	ch_open(h);
}

/* Free the combiner and close the store (a restart is ch_close + ch_open). */
static inline void ch_close(ch_t *h)
{
	cmb_free(h->c);
	st_close(h->st);
	h->c = NULL;
	h->st = NULL;
}

static inline void ch_fini(ch_t *h)
{
	ch_close(h);
	tu_rmtree(h->dir);
	free(h->dir);
	free(h->path);
}

/*
 * Load ZONE: HSYNC3 presentations (NULL-terminated), one HSYNCPARAM (NULL
 * for none), and the owner's apex RRs as "TYPE RDATA" lines (TTL 3600, or
 * "TTL TYPE RDATA").
 */
static inline int ch_load_rc(ch_t *h, const char *const *h3, const char *param,
                             const char *const *own, uint32_t serial)
{
	hs_buf_t b[16];
	ch_rd_t rd[16];
	cmb_rr_in_t in[32];
	size_t n = 0, nb = 0;
	for (; h3 && *h3; h3++, nb++) {
		memset(&b[nb], 0, sizeof(b[nb]));
		ck_assert_int_eq(hs_hsync3_from_text(*h3, &b[nb], NULL), HS_OK);
		in[n++] = (cmb_rr_in_t){65285, 3600, b[nb].data, (uint16_t)b[nb].len};
	}
	if (param) {
		memset(&b[nb], 0, sizeof(b[nb]));
		ck_assert_int_eq(hs_hsyncparam_from_text(param, &b[nb], NULL), HS_OK);
		in[n++] = (cmb_rr_in_t){65286, 3600, b[nb].data, (uint16_t)b[nb].len};
		nb++;
	}
	for (size_t i = 0; own && own[i]; i++) {
		rd[i] = ch_rd(own[i]);
		in[n++] = (cmb_rr_in_t){rd[i].type, rd[i].ttl, rd[i].d, (uint16_t)rd[i].n};
	}
	int rc = cmb_zone_loaded(h->c, ZONE, serial, in, n, NULL);
	for (size_t i = 0; i < nb; i++)
		hs_buf_free(&b[i]);
	return rc;
}

static const char *const CH_OWN_NS[] = {"NS ns1.owner.test.", "NS ns2.owner.test.", NULL};

static inline void ch_load(ch_t *h, const char *const *h3, const char *param)
{
	ck_assert_int_eq(ch_load_rc(h, h3, param, CH_OWN_NS, 2024010101), HS_OK);
}

static inline void ch_load_std(ch_t *h)
{
	static const char *const h3[] = {H3_ABC, NULL};
	ch_load(h, h3, PARAM_AGENT);
}

/* ---- UPDATE bodies ---- */

static inline void upd_init(sm_sync_t *u, const char *origin, const char *change)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->zone, sizeof(u->zone), "%s", ZONE);
	snprintf(u->origin, sizeof(u->origin), "%s", origin);
	snprintf(u->change, sizeof(u->change), "%s", change ? change : CHANGE);
}

/* Add a set: records as ch_rd_t with an owner (NULL = ZONE). */
static inline sm_set_t *upd_set(sm_sync_t *u, uint16_t type, uint64_t version)
{
	ck_assert_uint_lt(u->nsets, SM_MAX_SETS);
	sm_set_t *s = &u->sets[u->nsets++];
	s->type = type;
	s->version = version;
	return s;
}

static inline void upd_rr(sm_set_t *s, const char *owner, const ch_rd_t *rd)
{
	s->rrs = xrealloc(s->rrs, (s->nrrs + 1) * sizeof(*s->rrs));
	sm_rr_t *r = &s->rrs[s->nrrs++];
	memset(r, 0, sizeof(*r));
	r->owner = xstrdup(owner ? owner : ZONE);
	r->ttl = rd->ttl;
	r->rdlen = (uint16_t)rd->n;
	r->rdata = rd->n ? xmemdup(rd->d, rd->n) : NULL;
}

/* Add "TYPE RDATA" lines (NULL-terminated) at the apex. */
static inline void upd_lines(sm_set_t *s, const char *const *lines)
{
	for (; lines && *lines; lines++) {
		ch_rd_t rd = ch_rd(*lines);
		upd_rr(s, NULL, &rd);
	}
}

static inline int ch_send(ch_t *h, const char *from, const char *type, const hs_buf_t *b)
{
	return cmb_message(h->c, from, type, b->data, b->len);
}

/* Encode, send as UPDATE from `from`, free. */
static inline int ch_update(ch_t *h, const char *from, sm_sync_t *u)
{
	hs_buf_t b = HS_BUF_INIT;
	ck_assert_int_eq(sm_sync_encode(u, &b), HS_OK);
	int rc = ch_send(h, from, "UPDATE", &b);
	hs_buf_free(&b);
	sm_sync_free(u);
	return rc;
}

/* One set of "TYPE RDATA" lines from `origin`, from the agent. */
static inline int ch_set1(ch_t *h, const char *origin, uint16_t type, uint64_t version,
                          const char *const *lines)
{
	sm_sync_t u;
	upd_init(&u, origin, NULL);
	upd_lines(upd_set(&u, type, version), lines);
	return ch_update(h, ALPHA, &u);
}

/* ---- actions, decoded ---- */

#define CH_MAXOUT 64

typedef struct ch_out {
	sm_confirm_t cf[CH_MAXOUT];
	size_t ncf;
	sm_edits_t ed[CH_MAXOUT];
	size_t ned;
	sm_config_t cfg[CH_MAXOUT];
	size_t ncfg;
	size_t npublish;
	size_t nother;
} ch_out_t;

static inline void ch_drain(ch_t *h, ch_out_t *o)
{
	cmb_action_t a;
	memset(o, 0, sizeof(*o));
	while (cmb_next_action(h->c, &a) == HS_OK) {
		if (a.kind == CMB_ACT_PUBLISH) {
			ck_assert_str_eq(a.zone, ZONE);
			o->npublish++;
		} else if (a.kind == CMB_ACT_SEND) {
			ck_assert_str_eq(a.peer, ALPHA);
			if (strcmp(a.type_name, "CONFIRM") == 0) {
				ck_assert_uint_lt(o->ncf, CH_MAXOUT);
				ck_assert_int_eq(
				    sm_confirm_decode(a.body, a.len, &o->cf[o->ncf++], NULL),
				    HS_OK);
			} else if (strcmp(a.type_name, "EDITS") == 0) {
				ck_assert_uint_lt(o->ned, CH_MAXOUT);
				ck_assert_int_eq(
				    sm_edits_decode(a.body, a.len, &o->ed[o->ned++], NULL), HS_OK);
			} else if (strcmp(a.type_name, "CONFIG") == 0) {
				ck_assert_uint_lt(o->ncfg, CH_MAXOUT);
				ck_assert_int_eq(
				    sm_config_decode(a.body, a.len, &o->cfg[o->ncfg++], NULL),
				    HS_OK);
			} else {
				o->nother++;
			}
		} else {
			o->nother++;
		}
		cmb_action_clear(&a);
	}
}

static inline void ch_out_free(ch_out_t *o)
{
	for (size_t i = 0; i < o->ncf; i++)
		sm_confirm_free(&o->cf[i]);
	for (size_t i = 0; i < o->ned; i++)
		sm_edits_free(&o->ed[i]);
	for (size_t i = 0; i < o->ncfg; i++)
		sm_config_free(&o->cfg[i]);
	memset(o, 0, sizeof(*o));
}

static inline void ch_flush(ch_t *h)
{
	ch_out_t o;
	ch_drain(h, &o);
	ch_out_free(&o);
}

/* The result for (type, rdata) in any CONFIRM of `o`, or NULL. */
static inline const sm_result_t *ch_result(const ch_out_t *o, const ch_rd_t *rd)
{
	for (size_t i = 0; i < o->ncf; i++)
		for (size_t j = 0; j < o->cf[i].nresults; j++) {
			const sm_result_t *r = &o->cf[i].results[j];
			if (r->type == rd->type && r->rr.rdlen == rd->n &&
			    memcmp(r->rr.rdata, rd->d, rd->n) == 0)
				return r;
		}
	return NULL;
}

/* Assert the verdict (and reason code, NULL = none) of one result. */
static inline void ch_result_is(const ch_out_t *o, const char *line, sm_verdict_t want,
                                const char *why, int at)
{
	ch_rd_t rd = ch_rd(line);
	const sm_result_t *r = ch_result(o, &rd);
	ck_assert_msg(r != NULL, "line %d: no result for '%s'", at, line);
	ck_assert_msg(r->rr.verdict == want, "line %d: '%s': verdict %s, want %s", at, line,
	              sm_verdict_name(r->rr.verdict), sm_verdict_name(want));
	if (why == NULL)
		ck_assert_msg(r->rr.reason == NULL, "line %d: '%s': reason '%s'", at, line,
		              r->rr.reason);
	else
		ck_assert_msg(r->rr.reason != NULL &&
		                  sm_reason_parse(r->rr.reason) == sm_reason_parse(why),
		              "line %d: '%s': reason '%s', want '%s'", at, line,
		              r->rr.reason ? r->rr.reason : "(none)", why);
}

#define ck_result(o, line, want, why) ch_result_is(o, line, want, why, __LINE__)

/* The stored verdict of (origin, "TYPE RDATA"), or -1 when not stored. */
static inline int ch_stored(ch_t *h, const char *origin, const char *line)
{
	ch_rd_t rd = ch_rd(line);
	cmb_record_t r;
	if (cmb_record_find(h->c, ZONE, origin, rd.type, rd.d, rd.n, &r) != HS_OK)
		return -1;
	return (int)r.verdict;
}

/* The combined apex of ZONE as canonical bytes. */
static inline void ch_apex_bytes(ch_t *h, hs_buf_t *out)
{
	cmb_apex_t a;
	ck_assert_int_eq(cmb_apex_get(h->c, ZONE, &a), HS_OK);
	cmb_apex_bytes(&a, out);
	cmb_apex_clear(&a);
}

/* Is "TYPE RDATA" served in the combined apex? -1 when the type is served
 * as the owner has it. */
static inline int ch_served(ch_t *h, const char *line)
{
	ch_rd_t rd = ch_rd(line);
	cmb_apex_t a;
	int found = -1;
	ck_assert_int_eq(cmb_apex_get(h->c, ZONE, &a), HS_OK);
	for (size_t i = 0; i < a.n; i++) {
		if (a.sets[i].type != rd.type || !a.sets[i].replaced)
			continue;
		found = 0;
		for (size_t j = 0; j < a.sets[i].n; j++)
			if (a.sets[i].rd[j].len == rd.n &&
			    memcmp(a.sets[i].rd[j].p, rd.d, rd.n) == 0)
				found = 1;
	}
	cmb_apex_clear(&a);
	return found;
}

static inline uint64_t ch_nsets(ch_t *h)
{
	uint64_t n = 0;
	ck_assert_int_eq(st_contrib_count(h->st, NULL, &n, NULL), HS_OK);
	return n;
}

#endif
