/*
 * check_psync.c -- the leader's parent synchronisation (src/engine/psync)
 * in virtual time against a made-up world: a resolver that knows the
 * DSYNC, the receiver's address and KEY and the parent zone's NS, and a
 * parent whose server answers the delegation and whose receiver applies
 * UPDATEs and signs its answers (draft-hsync-parent section 14).
 */
#include "lib/testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "engine/psync/ps.h"
#include "wire/dnsmsg.h"
#include "wire/rr_dsync.h"
#include "wire/text.h"
#include "wire/update.h"

#define T_A     1
#define T_NS    2
#define T_KEY   25
#define T_DS    43
#define T_CDS   59
#define T_DSYNC 66

#define MAXW 32

typedef struct wrr {
	char owner[64];
	uint16_t type;
	uint8_t rd[256];
	uint16_t rdlen;
} wrr_t;

/* the world */
typedef struct world world_t;
struct world {
	hs_env_fake_t fake;
	ps_t *ps;
	sig0_key_t *child, *recv;
	const char *dsync; /* the DSYNC text at example._dsync.lab. */
	wrr_t have[MAXW];  /* the parent's delegation */
	size_t nhave;
	int unsigned_answers; /* the receiver does not sign */
	int refuse;           /* the receiver answers REFUSED */
	size_t queries, updates, notifies, dones, dones_updated, fails_logged;
	uint16_t last_notify_type;
	char last_done[400];
	size_t hook_at; /* call hook before answering query number hook_at */
	void (*hook)(world_t *w);
};

static void name_w(const char *s, uint8_t *w, size_t *wl)
{
	ck_assert_int_eq(hs_name_from_text(s, strlen(s), w, wl), HS_OK);
}

static wrr_t mkrr(const char *owner, uint16_t type, const char *text)
{
	wrr_t r;
	memset(&r, 0, sizeof(r));
	snprintf(r.owner, sizeof(r.owner), "%s", owner);
	r.type = type;
	if (type == T_NS) {
		size_t l;
		name_w(text, r.rd, &l);
		r.rdlen = (uint16_t)l;
	} else if (type == T_A) {
		ck_assert_int_eq(inet_pton(AF_INET, text, r.rd), 1);
		r.rdlen = 4;
	} else { /* hex */
		hs_buf_t b = HS_BUF_INIT;
		tu_hex(&b, text);
		memcpy(r.rd, b.data, b.len);
		r.rdlen = (uint16_t)b.len;
		hs_buf_free(&b);
	}
	return r;
}

static void put_rr(hs_buf_t *b, const wrr_t *r)
{
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	name_w(r->owner, w, &wl);
	hs_buf_append(b, w, wl);
	hs_buf_append_u16(b, r->type);
	hs_buf_append_u16(b, 1);
	hs_buf_append_u32(b, 300);
	hs_buf_append_u16(b, r->rdlen);
	hs_buf_append(b, r->rd, r->rdlen);
}

/* A response to `q`: the question copied, then the sections. */
static void respond(hs_buf_t *out, const uint8_t *q, size_t qlen, int rcode, const wrr_t *an,
                    size_t nan, const wrr_t *au, size_t nau, const wrr_t *ad, size_t nad)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	ck_assert_int_eq(dnsmsg_open(&it, q, qlen), HS_OK);
	ck_assert_int_eq(dnsmsg_next(&it, &rr), HS_OK);
	hs_buf_reset(out);
	hs_buf_append_u16(out, it.hdr.id);
	hs_buf_append_u16(out, (uint16_t)(0x8400 | (it.hdr.flags & 0x7800) | rcode));
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, (uint16_t)nan);
	hs_buf_append_u16(out, (uint16_t)nau);
	hs_buf_append_u16(out, (uint16_t)nad);
	hs_buf_append(out, q + rr.off, rr.end - rr.off);
	for (size_t i = 0; i < nan; i++)
		put_rr(out, &an[i]);
	for (size_t i = 0; i < nau; i++)
		put_rr(out, &au[i]);
	for (size_t i = 0; i < nad; i++)
		put_rr(out, &ad[i]);
}

static void qname_of(const uint8_t *q, size_t len, char *name, size_t n, uint16_t *type,
                     uint8_t *opcode)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	uint8_t w[WIRE_NAME_MAX];
	size_t wl;
	ck_assert_int_eq(dnsmsg_open(&it, q, len), HS_OK);
	ck_assert_int_eq(dnsmsg_next(&it, &rr), HS_OK);
	ck_assert_int_eq(dnsmsg_name_expand(q, len, rr.off, w, &wl, NULL), HS_OK);
	hs_buf_t b = HS_BUF_INIT;
	hs_name_print(&b, w, wl);
	snprintf(name, n, "%s", hs_buf_cstr(&b));
	hs_buf_free(&b);
	*type = rr.type;
	*opcode = (uint8_t)((it.hdr.flags >> 11) & 0xf);
}

/* The resolver and the parent's server. */
static void answer_query(world_t *w, const ps_action_t *a, hs_buf_t *out)
{
	char name[256];
	uint16_t type;
	uint8_t op;
	wrr_t an[MAXW], ad[MAXW];
	size_t nan = 0, nad = 0;
	qname_of(a->msg.data, a->msg.len, name, sizeof(name), &type, &op);
	w->queries++;
	if (a->to_resolver) {
		if (type == T_DSYNC && strcmp(name, "example._dsync.lab.") == 0 && w->dsync) {
			wrr_t r = mkrr(name, T_DSYNC, "00");
			hs_buf_t b = HS_BUF_INIT;
			ck_assert_int_eq(hs_dsync_from_text(w->dsync, &b, NULL), HS_OK);
			memcpy(r.rd, b.data, b.len);
			r.rdlen = (uint16_t)b.len;
			hs_buf_free(&b);
			an[nan++] = r;
		} else if (type == T_A && strcmp(name, "update.lab.") == 0)
			an[nan++] = mkrr(name, T_A, "127.0.0.9");
		else if (type == T_A && strcmp(name, "ns.lab.") == 0)
			an[nan++] = mkrr(name, T_A, "127.0.0.10");
		else if (type == T_NS && strcmp(name, "lab.") == 0)
			an[nan++] = mkrr(name, T_NS, "ns.lab.");
		else if (type == T_KEY && strcmp(name, "update.lab.") == 0) {
			size_t l;
			const uint8_t *rd = sig0_key_rdata(w->recv, &l);
			wrr_t r = mkrr(name, T_KEY, "00");
			memcpy(r.rd, rd, l);
			r.rdlen = (uint16_t)l;
			an[nan++] = r;
		}
		respond(out, a->msg.data, a->msg.len, nan ? 0 : 3, an, nan, NULL, 0, NULL, 0);
		return;
	}
	ck_assert_str_eq(a->addr, "127.0.0.10");
	ck_assert(strcmp(name, "example.lab.") == 0);
	if (type == T_NS) { /* a referral */
		wrr_t au[MAXW];
		size_t nau = 0;
		for (size_t i = 0; i < w->nhave; i++)
			if (w->have[i].type == T_NS)
				au[nau++] = w->have[i];
			else if (w->have[i].type == T_A)
				ad[nad++] = w->have[i];
		respond(out, a->msg.data, a->msg.len, 0, NULL, 0, au, nau, ad, nad);
		return;
	}
	ck_assert_uint_eq(type, T_DS);
	for (size_t i = 0; i < w->nhave; i++)
		if (w->have[i].type == T_DS)
			an[nan++] = w->have[i];
	respond(out, a->msg.data, a->msg.len, 0, an, nan, NULL, 0, NULL, 0);
}

static void apply(world_t *w, const hs_upd_rr_t *u)
{
	hs_buf_t b = HS_BUF_INIT;
	hs_name_print(&b, u->owner, u->owner_len);
	if (u->rclass == HS_CLASS_NONE) {
		for (size_t i = 0; i < w->nhave; i++)
			if (w->have[i].type == u->type && w->have[i].rdlen == u->rdlen &&
			    strcasecmp(w->have[i].owner, hs_buf_cstr(&b)) == 0 &&
			    memcmp(w->have[i].rd, u->rdata, u->rdlen) == 0)
				w->have[i--] = w->have[--w->nhave];
	} else {
		wrr_t r;
		memset(&r, 0, sizeof(r));
		snprintf(r.owner, sizeof(r.owner), "%s", hs_buf_cstr(&b));
		r.type = u->type;
		memcpy(r.rd, u->rdata, u->rdlen);
		r.rdlen = u->rdlen;
		w->have[w->nhave++] = r;
	}
	hs_buf_free(&b);
}

/* The receiver: apply, answer signed with its key. */
static void answer_send(world_t *w, const ps_action_t *a, hs_buf_t *out)
{
	char name[256];
	uint16_t type;
	uint8_t op;
	qname_of(a->msg.data, a->msg.len, name, sizeof(name), &type, &op);
	if (op == 4) { /* NOTIFY scheme */
		w->notifies++;
		w->last_notify_type = type;
		respond(out, a->msg.data, a->msg.len, 0, NULL, 0, NULL, 0, NULL, 0);
		return;
	}
	ck_assert_uint_eq(op, 5);
	ck_assert_str_eq(a->addr, "127.0.0.9");
	hs_upd_t u;
	ck_assert_int_eq(hs_upd_parse(a->msg.data, a->msg.len, &u, NULL), HS_OK);
	ck_assert(u.has_sig); /* PS-33: SIG(0) last */
	w->updates++;
	if (!w->refuse && !w->unsigned_answers) /* a forger answers, nothing applied */
		for (size_t i = 0; i < u.nrrs; i++)
			apply(w, &u.rrs[i]);
	hs_upd_clear(&u);
	respond(out, a->msg.data, a->msg.len, w->refuse ? 5 : 0, NULL, 0, NULL, 0, NULL, 0);
	if (!w->unsigned_answers)
		ck_assert_int_eq(sig0_sign(w->recv, out, hs_now_s(&w->fake.env), NULL, NULL),
		                 HS_OK);
}

/* Drain the actions, answering each, until nothing is left. */
static void pump(world_t *w)
{
	ps_action_t a;
	hs_buf_t resp = HS_BUF_INIT;
	for (int guard = 0; guard < 1000 && ps_next_action(w->ps, &a) == HS_OK; guard++) {
		if (a.kind == PS_ACT_QUERY || a.kind == PS_ACT_SEND) {
			if (w->hook != NULL && w->queries + 1 == w->hook_at) {
				void (*h)(world_t *) = w->hook;
				w->hook = NULL;
				h(w);
			}
			if (a.kind == PS_ACT_QUERY)
				answer_query(w, &a, &resp);
			else
				answer_send(w, &a, &resp);
			uint64_t tok = a.token;
			ps_action_clear(&a);
			ps_answer(w->ps, tok, HS_OK, resp.data, resp.len);
			continue;
		}
		if (a.kind == PS_ACT_DONE) {
			w->dones++;
			w->dones_updated += a.updated;
			snprintf(w->last_done, sizeof(w->last_done), "%s", a.text);
		}
		if (getenv("PS_DEBUG") && a.kind == PS_ACT_LOG)
			fprintf(stderr, "%s\n", a.text);
		if (a.kind == PS_ACT_LOG && a.level == 2)
			w->fails_logged++;
		ps_action_clear(&a);
	}
	hs_buf_free(&resp);
}

static void setup(world_t *w, int is_signed)
{
	ps_cfg_t cfg;
	memset(w, 0, sizeof(*w));
	hs_env_fake_init(&w->fake, 1795000000000ull, 7);
	memset(&cfg, 0, sizeof(cfg));
	cfg.env = &w->fake.env;
	cfg.check_ms = 60000;
	ck_assert_int_eq(ps_new(&cfg, &w->ps), HS_OK);
	ck_assert_int_eq(sig0_key_generate(15, 0, "example.lab.", &w->child, NULL), HS_OK);
	ck_assert_int_eq(sig0_key_generate(15, 0, "update.lab.", &w->recv, NULL), HS_OK);
	w->dsync = "ANY UPDATE 53 update.lab.";
	w->have[w->nhave++] = mkrr("example.lab.", T_NS, "ns1.example.lab.");
	w->have[w->nhave++] = mkrr("ns1.example.lab.", T_A, "192.0.2.1");
	ck_assert_int_eq(ps_zone_add(w->ps, "example.lab.", w->child, is_signed), HS_OK);
}

static void teardown(world_t *w)
{
	ps_free(w->ps);
	sig0_key_free(w->child);
	sig0_key_free(w->recv);
}

static chd_rr_t crr(const wrr_t *r)
{
	chd_rr_t c;
	memset(&c, 0, sizeof(c));
	name_w(r->owner, c.owner, &c.owner_len);
	c.type = r->type;
	c.rdata = r->rd;
	c.rdlen = r->rdlen;
	return c;
}

/* The combined zone's delegation data: NS ns1 (+ ns2 when `two`). */
static void want(world_t *w, int two, const wrr_t *extra, size_t nextra)
{
	static wrr_t rr[16];
	chd_rr_t c[16];
	size_t n = 0;
	rr[n++] = mkrr("example.lab.", T_NS, "ns1.example.lab.");
	rr[n++] = mkrr("ns1.example.lab.", T_A, "192.0.2.1");
	if (two) {
		rr[n++] = mkrr("example.lab.", T_NS, "ns2.example.lab.");
		rr[n++] = mkrr("ns2.example.lab.", T_A, "192.0.2.2");
	}
	for (size_t i = 0; i < nextra; i++)
		rr[n++] = extra[i];
	for (size_t i = 0; i < n; i++)
		c[i] = crr(&rr[i]);
	ck_assert_int_eq(ps_want(w->ps, "example.lab.", c, n), HS_OK);
}

static uint64_t mono_now(world_t *w)
{
	return w->fake.env.mono_ms(w->fake.env.arg);
}

static void lead(world_t *w)
{
	ps_leading(w->ps, "example.lab.", 1, mono_now(w) + 60000);
}

static size_t count(const world_t *w, uint16_t type)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nhave; i++)
		n += w->have[i].type == type;
	return n;
}

/* PS-62, PS-32: in step, nothing is sent; PS-69: the key is the zone's */
START_TEST(test_in_step)
{
	world_t w;
	setup(&w, 0);
	ck_assert_int_eq(ps_zone_add(w.ps, "example.lab.", w.child, 0), HS_E_EXISTS);
	ck_assert_int_eq(ps_zone_add(w.ps, "other.lab.", w.child, 0), HS_E_INVAL);
	want(&w, 0, NULL, 0);
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 0);
	ck_assert_uint_eq(w.dones, 1);
	ck_assert_uint_eq(w.dones_updated, 0);
	ck_assert_ptr_nonnull(strstr(w.last_done, "parent in step"));
	teardown(&w);
}
END_TEST

/* PS-62, PS-63, PS-65: a nameserver added (+ glue) and removed, one
 * UPDATE each; glue out of bailiwick and non-NS-target addresses ignored;
 * PS-67: each run ends in a DONE for the group's STATUS */
START_TEST(test_ns_added_removed)
{
	world_t w;
	wrr_t extra[2] = {mkrr("ns.other.lab.", T_A, "192.0.2.99"),
	                  mkrr("www.example.lab.", T_A, "192.0.2.80")};
	ps_info_t in;
	setup(&w, 0);
	want(&w, 1, extra, 2);
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 1);
	ck_assert_uint_eq(w.dones_updated, 1);
	ck_assert_ptr_nonnull(strstr(w.last_done, "UPDATE applied by update.lab."));
	ck_assert_uint_eq(count(&w, T_NS), 2);
	ck_assert_uint_eq(count(&w, T_A), 2);
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab", &in), HS_OK);
	ck_assert_uint_eq(in.nwant, 4);
	ck_assert_str_eq(in.target, "update.lab.");
	ck_assert_str_eq(in.parent, "lab.");
	ck_assert(in.last_ok);
	/* removed: the change is a trigger of its own */
	want(&w, 0, NULL, 0);
	pump(&w);
	ck_assert_uint_eq(w.updates, 2);
	ck_assert_uint_eq(count(&w, T_NS), 1);
	ck_assert_uint_eq(count(&w, T_A), 1);
	ck_assert_str_eq(w.have[0].owner, "example.lab.");
	teardown(&w);
}
END_TEST

/* PS-61: only the leader, with margin on its lease */
START_TEST(test_only_leader)
{
	world_t w;
	setup(&w, 0);
	want(&w, 1, NULL, 0);
	pump(&w);
	ck_assert_uint_eq(w.queries, 0);
	/* a lease about to end: not enough margin */
	ps_leading(w.ps, "example.lab.", 1, mono_now(&w) + 1000);
	pump(&w);
	ck_assert_uint_eq(w.queries, 0);
	ck_assert_uint_eq(ps_next_deadline(w.ps) <= mono_now(&w), 1);
	/* a renewed lease: the pending run starts */
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 1);
	/* a follower does nothing on a trigger */
	ps_leading(w.ps, "example.lab.", 0, 0);
	ps_trigger(w.ps, "example.lab.", "ns-changed");
	pump(&w);
	ck_assert_uint_eq(w.dones, 1);
	/* becoming leader again: a run (the trigger kept) */
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.dones, 2);
	teardown(&w);
}
END_TEST

/* PS-34, PS-66: an unsigned answer does not count; back off 1 s, 2 s */
START_TEST(test_unsigned_answer_backoff)
{
	world_t w;
	ps_info_t in;
	setup(&w, 0);
	w.unsigned_answers = 1;
	want(&w, 1, NULL, 0);
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 1);
	ck_assert_uint_eq(w.dones, 0);
	ck_assert_uint_eq(w.fails_logged, 1);
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab.", &in), HS_OK);
	ck_assert_str_eq(in.state, "backoff");
	ck_assert_uint_eq(in.backoff_ms, 1000);
	ck_assert_ptr_nonnull(strstr(in.outcome, "does not count"));
	/* not before the backoff */
	hs_env_fake_advance(&w.fake, 999);
	lead(&w);
	ps_tick(w.ps);
	pump(&w);
	ck_assert_uint_eq(w.updates, 1);
	hs_env_fake_advance(&w.fake, 1);
	ps_tick(w.ps);
	pump(&w);
	ck_assert_uint_eq(w.updates, 2); /* built and signed anew (PS-36) */
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab.", &in), HS_OK);
	ck_assert_uint_eq(in.backoff_ms, 2000);
	/* the receiver signs again: the next attempt succeeds */
	w.unsigned_answers = 0;
	hs_env_fake_advance(&w.fake, 2000);
	ps_tick(w.ps);
	pump(&w);
	ck_assert_uint_eq(w.updates, 3);
	ck_assert_uint_eq(w.dones_updated, 1);
	ck_assert_uint_eq(count(&w, T_NS), 2);
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab.", &in), HS_OK);
	ck_assert_uint_eq(in.backoff_ms, 0);
	ck_assert_uint_eq(in.failures, 2);
	teardown(&w);
}
END_TEST

/* PS-66: a signed refusal is logged with why and retried later */
START_TEST(test_refused)
{
	world_t w;
	ps_info_t in;
	setup(&w, 0);
	w.refuse = 1;
	want(&w, 1, NULL, 0);
	lead(&w);
	pump(&w);
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab.", &in), HS_OK);
	ck_assert_ptr_nonnull(strstr(in.outcome, "REFUSED"));
	ck_assert_uint_eq(count(&w, T_NS), 1);
	teardown(&w);
}
END_TEST

/* PS-63: DS from the signers' CDS for a signed zone; CDS 0 0 0 00 removes */
START_TEST(test_ds_from_cds)
{
	world_t w;
	wrr_t cds[1] = {mkrr("example.lab.", T_CDS,
	                     "3039 0d 02 00112233445566778899aabbccddeeff"
	                     "00112233445566778899aabbccddeeff")};
	setup(&w, 1);
	want(&w, 0, cds, 1);
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 1);
	ck_assert_uint_eq(count(&w, T_DS), 1);
	ck_assert_uint_eq(count(&w, T_CDS), 0);
	wrr_t del[1] = {mkrr("example.lab.", T_CDS, "0000 00 00 00")};
	want(&w, 0, del, 1);
	pump(&w);
	ck_assert_uint_eq(w.updates, 2);
	ck_assert_uint_eq(count(&w, T_DS), 0);
	teardown(&w);
}
END_TEST

/* PS-63: no DS work for an unsigned zone */
START_TEST(test_unsigned_zone_no_ds)
{
	world_t w;
	wrr_t cds[1] = {mkrr("example.lab.", T_CDS, "3039 0d 02 0011")};
	setup(&w, 0);
	want(&w, 0, cds, 1);
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 0);
	ck_assert_uint_eq(w.dones, 1);
	teardown(&w);
}
END_TEST

/* PS-64: the periodic check finds a parent changed behind its back */
START_TEST(test_periodic)
{
	world_t w;
	setup(&w, 0);
	want(&w, 0, NULL, 0);
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.dones, 1);
	w.have[w.nhave++] = mkrr("example.lab.", T_NS, "ns.stale.lab.");
	hs_env_fake_advance(&w.fake, 59999);
	lead(&w);
	ps_tick(w.ps);
	pump(&w);
	ck_assert_uint_eq(w.dones, 1);
	hs_env_fake_advance(&w.fake, 1);
	ps_tick(w.ps);
	pump(&w);
	ck_assert_uint_eq(w.dones, 2);
	ck_assert_uint_eq(w.updates, 1);
	ck_assert_uint_eq(count(&w, T_NS), 1);
	teardown(&w);
}
END_TEST

/* PS-68: only the NOTIFY scheme: a NOTIFY(CDS), no UPDATE */
START_TEST(test_notify_scheme)
{
	world_t w;
	ps_info_t in;
	setup(&w, 1);
	w.dsync = "CDS NOTIFY 53 update.lab.";
	want(&w, 1, NULL, 0);
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 0);
	ck_assert_uint_eq(w.notifies, 1);
	ck_assert_uint_eq(w.last_notify_type, T_CDS);
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab.", &in), HS_OK);
	ck_assert_uint_eq(in.notifies, 1);
	teardown(&w);
}
END_TEST

/* PS-62: no DSYNC at all: logged, backed off */
START_TEST(test_no_receiver)
{
	world_t w;
	ps_info_t in;
	setup(&w, 0);
	w.dsync = NULL;
	want(&w, 1, NULL, 0);
	lead(&w);
	pump(&w);
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab.", &in), HS_OK);
	ck_assert_ptr_nonnull(strstr(in.outcome, "no receiver"));
	ck_assert_str_eq(in.state, "backoff");
	teardown(&w);
}
END_TEST

static void hook_more_ns(world_t *w)
{
	want(w, 1, NULL, 0);
}

/* PS-64: a change during a run runs again after it */
START_TEST(test_change_during_run)
{
	world_t w;
	setup(&w, 0);
	want(&w, 0, NULL, 0);
	w.hook_at = 3; /* during the run, before the KEY answer */
	w.hook = hook_more_ns;
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.dones, 2);
	ck_assert_uint_eq(count(&w, T_NS), 2);
	teardown(&w);
}
END_TEST

static void hook_lease_short(world_t *w)
{
	ps_leading(w->ps, "example.lab.", 1, mono_now(w) + 1000);
}

/* PS-61: a lease that runs short between two steps stops the run; it
 * resumes when the lease is renewed */
START_TEST(test_lease_short_mid_run)
{
	world_t w;
	ps_info_t in;
	setup(&w, 0);
	want(&w, 1, NULL, 0);
	w.hook_at = 4;
	w.hook = hook_lease_short;
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 0);
	ck_assert_uint_eq(w.dones, 0);
	ck_assert_int_eq(ps_info_get(w.ps, "example.lab.", &in), HS_OK);
	ck_assert_str_eq(in.state, "idle");
	lead(&w);
	pump(&w);
	ck_assert_uint_eq(w.updates, 1);
	ck_assert_uint_eq(count(&w, T_NS), 2);
	teardown(&w);
}
END_TEST

/* PS-67: the STATUS body, both ways; bad bodies refused */
START_TEST(test_status_body)
{
	ps_status_t a, b;
	hs_buf_t enc = HS_BUF_INIT;
	memset(&a, 0, sizeof(a));
	snprintf(a.zone, sizeof(a.zone), "example.lab.");
	snprintf(a.kind, sizeof(a.kind), "parentsync-done");
	snprintf(a.leader, sizeof(a.leader), "alpha.lab.");
	a.ok = 1;
	a.changed = 1;
	a.time_ms = 1795000000123ull;
	snprintf(a.outcome, sizeof(a.outcome), "parent in step");
	snprintf(a.parent, sizeof(a.parent), "lab.");
	snprintf(a.target, sizeof(a.target), "update.lab.");
	snprintf(a.rrs, sizeof(a.rrs),
	         "example.lab. NS ns1.example.lab.\nns1.example.lab. A 192.0.2.1\n");
	ck_assert_int_eq(ps_status_encode(&a, &enc), HS_OK);
	ck_assert_int_eq(ps_status_decode(enc.data, enc.len, &b), HS_OK);
	ck_assert_str_eq(b.zone, "example.lab.");
	ck_assert_str_eq(b.rrs, a.rrs);
	ck_assert_str_eq(b.outcome, a.outcome);
	ck_assert(b.ok && b.changed);
	ck_assert_uint_eq(b.time_ms, a.time_ms);
	/* truncated, trailing, not a map: refused */
	ck_assert_int_eq(ps_status_decode(enc.data, enc.len - 1, &b), HS_E_MALFORMED);
	hs_buf_append_u8(&enc, 0);
	ck_assert_int_eq(ps_status_decode(enc.data, enc.len, &b), HS_E_MALFORMED);
	static const uint8_t notmap[] = {0x91, 0x01};
	ck_assert_int_eq(ps_status_decode(notmap, sizeof(notmap), &b), HS_E_MALFORMED);
	/* another kind: zone and kind only */
	hs_buf_reset(&enc);
	snprintf(a.kind, sizeof(a.kind), "ns-changed");
	ck_assert_int_eq(ps_status_encode(&a, &enc), HS_OK);
	ck_assert_int_eq(ps_status_decode(enc.data, enc.len, &b), HS_OK);
	ck_assert_str_eq(b.kind, "ns-changed");
	ck_assert_str_eq(b.rrs, "");
	a.zone[0] = '\0';
	ck_assert_int_eq(ps_status_encode(&a, &enc), HS_E_INVAL);
	hs_buf_free(&enc);
}
END_TEST

static Suite *psync_suite(void)
{
	Suite *s = suite_create("psync");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_in_step);
	tcase_add_test(tc, test_ns_added_removed);
	tcase_add_test(tc, test_only_leader);
	tcase_add_test(tc, test_unsigned_answer_backoff);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_ds_from_cds);
	tcase_add_test(tc, test_unsigned_zone_no_ds);
	tcase_add_test(tc, test_periodic);
	tcase_add_test(tc, test_notify_scheme);
	tcase_add_test(tc, test_no_receiver);
	tcase_add_test(tc, test_change_during_run);
	tcase_add_test(tc, test_lease_short_mid_run);
	tcase_add_test(tc, test_status_body);
	suite_add_tcase(s, tc);
	return s;
}

TU_MAIN(psync_suite)
