/* suite_agents.c -- the agents suite (draft-hsync-agents): conform is a
 * second provider of the shared zone; the target must find it, introduce
 * itself, accept and refuse HELLOs as the draft says, beat on time and
 * keep the gossip matrix of the group {target, conform, ghost}.
 *
 * The rows run in order and build on each other: the refusals first
 * (while the target still waits for conform's HELLO_ACK), then the
 * handshake, then BEATs and the matrix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/msg.h"
#include "hsync-conform/conform.h"
#include "transport/tpmsg.h"
#include "util/xmalloc.h"

#define INTRUDER "intruder.hsync-conform.test."

static struct {
	size_t hello_from; /* index of the target's first HELLO in c->msgs */
	uint64_t nonce;    /* of its HELLOs */
	char group[ENG_GROUP_ID_LEN + 1];
	uint32_t interval; /* the target's advertised BEAT interval */
	uint64_t ghost_version;
	int introduced;
	size_t beats_from;     /* index after the last BEAT looked at */
	uint64_t last_beat_ms; /* when conform last sent a BEAT (monotonic) */
} st;

static char zone_canon[ENG_NAME_MAX], ghost_canon[ENG_NAME_MAX];

static int prepare(cf_t *c, char *why, size_t n)
{
	hs_errmsg_t em;
	const cf_msg_t *m;
	unsigned ms = c->wait_ms * 8 > 40000 ? c->wait_ms * 8 : 40000;
	int rc;

	memset(&st, 0, sizeof(st));
	if (eng_name_canon(c->zone, strlen(c->zone), zone_canon) != HS_OK ||
	    eng_name_canon(c->ghost, strlen(c->ghost), ghost_canon) != HS_OK) {
		snprintf(why, n, "--zone or --ghost is not a valid name");
		return HS_E_CONFIG;
	}
	if (c->ntarget_key_args == 0 && !c->installed) {
		rc = cf_discover_target(c, why, n);
		if (rc != HS_OK)
			return rc;
	}
	hs_errmsg_clear(&em);
	rc = cf_target_install(c, &em);
	if (rc != HS_OK) {
		snprintf(why, n, "%s", hs_errmsg_str(&em));
		return rc;
	}
	{
		const char *ids[3] = {c->target_id, c->self, ghost_canon};
		eng_group_id(ids, 3, st.group);
	}
	size_t from = 0;
	m = cf_msg_wait(c, "HELLO", &from, ms);
	if (m == NULL) {
		snprintf(why, n,
		         "no HELLO from the target within %u s: it must serve zone %s from primary "
		         "%s@%u (which lists it, %s and %s ON), find %s by discovery through "
		         "%s@%u with conform's DS as trust anchor, and then introduce itself "
		         "(%llu queries and %llu transfers served so far)",
		         ms / 1000, zone_canon, c->listen_ip, (unsigned)c->listen_port, c->self,
		         ghost_canon, c->self, c->listen_ip, (unsigned)c->listen_port,
		         (unsigned long long)c->queries_served, (unsigned long long)c->xfrs_served);
		return HS_E_TIMEOUT;
	}
	st.hello_from = from - 1;
	return HS_OK;
}

/* ---- messages conform sends ------------------------------------------------ */

static int send_body(cf_t *c, const char *type, hs_buf_t *body)
{
	int rc = tp_node_send(c->node, c->target_id, type, body->data, body->len, NULL, NULL);
	hs_buf_free(body);
	if (rc != HS_OK)
		cf_norun(c, "conform cannot queue a %s: %s", type, hs_strerror(rc));
	return rc == HS_OK;
}

static int send_hello(cf_t *c, const char *ident, const char *zone, uint64_t nonce)
{
	eng_hello_t h;
	hs_buf_t b = HS_BUF_INIT;
	char *zones[1] = {(char *)zone};
	static char cap_beat[] = "beat", cap_gossip[] = "gossip";
	char *caps[2] = {cap_beat, cap_gossip};

	memset(&h, 0, sizeof(h));
	snprintf(h.identity, sizeof(h.identity), "%s", ident);
	h.zones = zones;
	h.nzones = 1;
	h.caps = caps;
	h.ncaps = 2;
	h.nonce = nonce;
	h.time_ms = hs_now_ms(c->env);
	if (eng_hello_encode(&h, &b) != HS_OK) {
		cf_norun(c, "cannot encode a HELLO");
		return 0;
	}
	return send_body(c, "HELLO", &b);
}

static int send_ack(cf_t *c, uint64_t nonce, int accept)
{
	eng_hello_ack_t a;
	hs_buf_t b = HS_BUF_INIT;
	memset(&a, 0, sizeof(a));
	snprintf(a.identity, sizeof(a.identity), "%s", c->self);
	a.nonce = nonce;
	a.accept = accept;
	if (!accept)
		snprintf(a.reason, sizeof(a.reason), "not-served");
	if (eng_hello_ack_encode(&a, &b) != HS_OK) {
		cf_norun(c, "cannot encode a HELLO_ACK");
		return 0;
	}
	return send_body(c, "HELLO_ACK", &b);
}

/* A BEAT of conform: its own row (target OPERATIONAL, ghost NEEDED), and
 * rows for `extra` owners with `version`. */
static int send_beat(cf_t *c, const char *const *extra, size_t nextra, uint64_t version,
                     eng_peer_state_t cell)
{
	eng_beat_t b;
	eng_beat_group_t g;
	eng_beat_row_t rows[4];
	eng_beat_cell_t own[2], other[2];
	hs_buf_t body = HS_BUF_INIT;
	static uint64_t seq;

	memset(&b, 0, sizeof(b));
	memset(&g, 0, sizeof(g));
	memset(rows, 0, sizeof(rows));
	own[0].identity = c->target_id;
	own[0].state = ENG_PEER_OPERATIONAL;
	own[1].identity = ghost_canon;
	own[1].state = ENG_PEER_NEEDED;
	other[0].identity = c->target_id;
	other[0].state = cell;
	other[1].identity = c->self;
	other[1].state = cell;
	rows[0].owner = c->self;
	rows[0].version = hs_now_ms(c->env);
	rows[0].cells = own;
	rows[0].ncells = 2;
	for (size_t i = 0; i < nextra && i < 3; i++) {
		rows[1 + i].owner = (char *)extra[i];
		rows[1 + i].version = version;
		rows[1 + i].cells = other;
		rows[1 + i].ncells = 2;
	}
	memcpy(g.id, st.group, sizeof(g.id));
	g.rows = rows;
	g.nrows = 1 + (nextra < 3 ? nextra : 3);
	b.seq = ++seq;
	b.interval_ms = 1000;
	st.last_beat_ms = cf_now_ms(c);
	b.groups = &g;
	b.ngroups = 1;
	if (eng_beat_encode(&b, &body) != HS_OK) {
		cf_norun(c, "cannot encode a BEAT");
		return 0;
	}
	return send_body(c, "BEAT", &body);
}

/* The next HELLO_ACK from the target after `*from`, decoded. */
static int wait_ack(cf_t *c, size_t *from, eng_hello_ack_t *a)
{
	const cf_msg_t *m = cf_msg_wait(c, "HELLO_ACK", from, 3 * c->wait_ms);
	hs_errmsg_t em;
	if (m == NULL) {
		cf_fail(c, "no HELLO_ACK from the target within %u ms", 3 * c->wait_ms);
		return 0;
	}
	if (eng_hello_ack_decode(m->body, m->len, a, &em) != HS_OK) {
		cf_fail(c, "the target's HELLO_ACK does not decode: %s (AG-27)",
		        hs_errmsg_str(&em));
		return 0;
	}
	return cf_expect(c, strcmp(a->identity, c->target_id) == 0,
	                 "HELLO_ACK identity '%s', want '%s' (AG-27)", a->identity, c->target_id);
}

static void expect_refusal(cf_t *c, size_t from, uint64_t nonce, const char *code)
{
	eng_hello_ack_t a;
	if (!wait_ack(c, &from, &a))
		return;
	cf_expect(c, !a.accept, "accepted; want a refusal");
	cf_expect(c, a.nonce == nonce, "nonce %llu, want %llu (AG-18)", (unsigned long long)a.nonce,
	          (unsigned long long)nonce);
	cf_expect(c, strcmp(a.reason, code) == 0, "reason '%s' (%s), want the code '%s' (AG-27)",
	          a.reason, a.text, code);
}

/* ---- scenarios ------------------------------------------------------------- */

static void hello_target(cf_t *c)
{
	eng_hello_t h;
	hs_errmsg_t em;
	const cf_msg_t *m = c->msgs[st.hello_from];
	int64_t skew;
	int listed = 0;

	if (eng_hello_decode(m->body, m->len, &h, &em) != HS_OK) {
		cf_fail(c, "the target's HELLO does not decode: %s (AG-26)", hs_errmsg_str(&em));
		return;
	}
	st.nonce = h.nonce;
	cf_expect(c, strcmp(h.identity, c->target_id) == 0, "identity '%s', want '%s'", h.identity,
	          c->target_id);
	cf_expect(c, h.nonce != 0, "nonce 0 (AG-17)");
	for (size_t i = 0; i < h.nzones; i++)
		listed |= strcmp(h.zones[i], zone_canon) == 0;
	cf_expect(c, listed, "zones do not list %s, which lists conform ON (AG-11)", zone_canon);
	cf_expect(c, h.nzones <= ENG_HELLO_SEND_ZONES, "%zu zones listed, at most 64 (AG-11)",
	          h.nzones);
	skew = (int64_t)h.time_ms - (int64_t)hs_now_ms(c->env);
	cf_expect(c, skew > -600000 && skew < 600000, "time %llu ms is %lld ms off",
	          (unsigned long long)h.time_ms, (long long)skew);
	eng_hello_free(&h);
}

static void beat_before_hello(cf_t *c)
{
	size_t from = c->nmsgs;
	if (send_beat(c, NULL, 0, 0, ENG_PEER_NONE))
		expect_refusal(c, from, 0, "not-introduced");
}

static void hello_nonce_zero(cf_t *c)
{
	size_t from = c->nmsgs;
	if (send_hello(c, c->self, zone_canon, 0))
		expect_refusal(c, from, 0, "bad-message");
}

static void hello_identity_mismatch(cf_t *c)
{
	size_t from = c->nmsgs;
	if (send_hello(c, "somebody-else.hsync-conform.test.", zone_canon, 4242))
		expect_refusal(c, from, 4242, "identity-mismatch");
}

static void hello_malformed(cf_t *c)
{
	/* {"identity": 1}: a map, but not a HELLO */
	static const uint8_t bad[] = {0x81, 0xa8, 'i', 'd', 'e', 'n', 't', 'i', 't', 'y', 0x01};
	hs_buf_t b = HS_BUF_INIT;
	size_t from = c->nmsgs;
	hs_buf_append(&b, bad, sizeof(bad));
	if (send_body(c, "HELLO", &b))
		expect_refusal(c, from, 0, "bad-message");
}

static void hello_not_served(cf_t *c)
{
	size_t from = c->nmsgs;
	if (send_hello(c, c->self, "not-served.hsync-conform.test.", 4343))
		expect_refusal(c, from, 4343, "not-served");
}

/* Unanswered, the target resends its HELLO with the same nonce, 2 s
 * after the first and doubling (AG-11). */
static void hello_retry(cf_t *c)
{
	uint64_t t[8];
	size_t n = 0, from = st.hello_from;
	const cf_msg_t *m;

	while (n < 3 && (m = cf_msg_wait(c, "HELLO", &from, 9000)) != NULL) {
		eng_hello_t h;
		if (eng_hello_decode(m->body, m->len, &h, NULL) != HS_OK)
			continue;
		cf_expect(c, h.nonce == st.nonce, "a resent HELLO has a new nonce (AG-11)");
		eng_hello_free(&h);
		t[n++] = m->at_ms;
	}
	if (!cf_expect(c, n >= 2,
	               "no second HELLO within 9 s while conform did not answer the "
	               "first (AG-11: resent after 2 s)"))
		return;
	uint64_t gap = t[1] - t[0];
	cf_expect(c, gap >= 1500, "the HELLO was resent after %llu ms (AG-11: 2 s, doubling)",
	          (unsigned long long)gap);
	if (n >= 3)
		cf_expect(c, t[2] - t[1] + 500 >= gap,
		          "the resend gaps do not grow: %llu ms then %llu ms (AG-11)",
		          (unsigned long long)gap, (unsigned long long)(t[2] - t[1]));
}

static void hello_accepted(cf_t *c)
{
	eng_hello_ack_t a;
	size_t from = c->nmsgs;
	if (!send_hello(c, c->self, zone_canon, 0x5151))
		return;
	if (!wait_ack(c, &from, &a))
		return;
	cf_expect(c, a.accept, "conform's HELLO for %s refused: '%s' (%s)", zone_canon, a.reason,
	          a.text);
	cf_expect(c, a.nonce == 0x5151, "nonce %llu not echoed (AG-12)",
	          (unsigned long long)a.nonce);
}

/* The next BEAT from the target after st.beats_from, decoded. */
static int next_beat(cf_t *c, eng_beat_t *b, const cf_msg_t **mout, unsigned ms)
{
	const cf_msg_t *m = cf_msg_wait(c, "BEAT", &st.beats_from, ms);
	hs_errmsg_t em;
	if (m == NULL)
		return 0;
	if (eng_beat_decode(m->body, m->len, b, &em) != HS_OK) {
		cf_fail(c, "the target's BEAT does not decode: %s (AG-28)", hs_errmsg_str(&em));
		return 0;
	}
	if (mout != NULL)
		*mout = m;
	return 1;
}

static const eng_beat_row_t *row_of(const eng_beat_t *b, const char *owner, int *group_ok)
{
	*group_ok = 0;
	for (size_t g = 0; g < b->ngroups; g++) {
		if (strcmp(b->groups[g].id, st.group) != 0)
			continue;
		*group_ok = 1;
		for (size_t r = 0; r < b->groups[g].nrows; r++)
			if (strcmp(b->groups[g].rows[r].owner, owner) == 0)
				return &b->groups[g].rows[r];
	}
	return NULL;
}

static eng_peer_state_t cell_of(const eng_beat_row_t *r, const char *who)
{
	for (size_t i = 0; r != NULL && i < r->ncells; i++)
		if (strcmp(r->cells[i].identity, who) == 0)
			return r->cells[i].state;
	return ENG_PEER_NONE;
}

static void introduced(cf_t *c)
{
	eng_beat_t b;
	/* accept the target's HELLO: both ways done, it must BEAT at once */
	st.beats_from = c->nmsgs;
	if (!send_ack(c, st.nonce, 1))
		return;
	if (!cf_expect(c, next_beat(c, &b, NULL, 3 * c->wait_ms),
	               "no BEAT within %u ms of the introduction (AG-15: at once)", 3 * c->wait_ms))
		return;
	st.introduced = 1;
	st.interval = b.interval_ms;
	eng_beat_free(&b);
}

static void beat_form(cf_t *c)
{
	eng_beat_t b;
	int gok = 0;
	if (!st.introduced) {
		cf_norun(c, "not introduced");
		return;
	}
	st.beats_from = c->nmsgs;
	if (!cf_expect(c, next_beat(c, &b, NULL, 3 * c->wait_ms + 2 * st.interval),
	               "no further BEAT"))
		return;
	const eng_beat_row_t *own = row_of(&b, c->target_id, &gok);
	cf_expect(c, gok, "no group %s {target, conform, ghost} in the BEAT (AG-5)", st.group);
	cf_expect(c, own != NULL && own->version > 0, "no row of the target's own (AG-21)");
	cf_expect(c, row_of(&b, c->self, &gok) == NULL,
	          "the BEAT carries conform's own row back to it (AG-21)");
	cf_expect(c, b.interval_ms >= 500 && b.interval_ms <= 3600000,
	          "interval %u ms outside 500 ms .. 1 h (AG-8)", b.interval_ms);
	if (own != NULL)
		cf_expect(c, cell_of(own, c->self) >= ENG_PEER_INTRODUCED,
		          "the target's row shows conform %s, want INTRODUCED or later (AG-7)",
		          eng_peer_state_name(cell_of(own, c->self)));
	eng_beat_free(&b);
}

/* A BEAT from conform makes it OPERATIONAL in the target's row. */
static void beat_state(cf_t *c)
{
	eng_beat_t b;
	int gok = 0, seen = 0;
	if (!st.introduced) {
		cf_norun(c, "not introduced");
		return;
	}
	if (!send_beat(c, NULL, 0, 0, ENG_PEER_NONE))
		return;
	st.beats_from = c->nmsgs;
	for (int i = 0; i < 4 && !seen; i++) {
		if (!next_beat(c, &b, NULL, 3 * c->wait_ms + 2 * st.interval))
			break;
		seen = cell_of(row_of(&b, c->target_id, &gok), c->self) == ENG_PEER_OPERATIONAL;
		eng_beat_free(&b);
		(void)send_beat(c, NULL, 0, 0, ENG_PEER_NONE);
	}
	cf_expect(c, seen,
	          "after conform's BEATs the target's row does not show conform "
	          "OPERATIONAL (AG-7)");
}

/* Rows conform relays: ghost's (a member) comes back, the intruder's
 * (not a member) never does. */
static void gossip_relay(cf_t *c)
{
	eng_beat_t b;
	int gok = 0, found = 0;
	const char *extra[2] = {ghost_canon, INTRUDER};
	if (!st.introduced) {
		cf_norun(c, "not introduced");
		return;
	}
	st.ghost_version = 1000;
	if (!send_beat(c, extra, 2, st.ghost_version, ENG_PEER_KNOWN))
		return;
	st.beats_from = c->nmsgs;
	for (int i = 0; i < 4 && !found; i++) {
		if (!next_beat(c, &b, NULL, 3 * c->wait_ms + 2 * st.interval))
			break;
		const eng_beat_row_t *g = row_of(&b, ghost_canon, &gok);
		if (g != NULL) {
			found = 1;
			cf_expect(c, g->version == st.ghost_version,
			          "ghost's row relayed with version %llu, sent %llu (AG-22)",
			          (unsigned long long)g->version,
			          (unsigned long long)st.ghost_version);
			cf_expect(c, cell_of(g, c->target_id) == ENG_PEER_KNOWN,
			          "ghost's row relayed with other cells (AG-22)");
		}
		cf_expect(c, row_of(&b, INTRUDER, &gok) == NULL,
		          "a row for the non-member %s is relayed (AG-22: never stored)", INTRUDER);
		eng_beat_free(&b);
	}
	cf_expect(c, found, "ghost's row, sent by conform, is not relayed back (AG-21)");
}

static void gossip_older(cf_t *c)
{
	eng_beat_t b;
	int gok = 0, found = 0;
	const char *extra[1] = {ghost_canon};
	if (st.ghost_version == 0) {
		cf_norun(c, "tp-gossip-relay did not run");
		return;
	}
	if (!send_beat(c, extra, 1, st.ghost_version - 1, ENG_PEER_DEGRADED))
		return;
	st.beats_from = c->nmsgs;
	for (int i = 0; i < 3 && !found; i++) {
		if (!next_beat(c, &b, NULL, 3 * c->wait_ms + 2 * st.interval))
			break;
		const eng_beat_row_t *g = row_of(&b, ghost_canon, &gok);
		if (g != NULL) {
			found = 1;
			cf_expect(c,
			          g->version == st.ghost_version &&
			              cell_of(g, c->target_id) == ENG_PEER_KNOWN,
			          "an older row replaced a newer one: version %llu (AG-22)",
			          (unsigned long long)g->version);
		}
		eng_beat_free(&b);
	}
	cf_expect(c, found, "ghost's row is no longer relayed");
}

static void beat_interval(cf_t *c)
{
	eng_beat_t b;
	const cf_msg_t *m1 = NULL, *m2 = NULL;
	if (!st.introduced) {
		cf_norun(c, "not introduced");
		return;
	}
	st.beats_from = c->nmsgs;
	(void)send_beat(c, NULL, 0, 0, ENG_PEER_NONE);
	if (!next_beat(c, &b, &m1, 3 * c->wait_ms + 2 * st.interval))
		goto none;
	eng_beat_free(&b);
	uint64_t t1 = m1->at_ms;
	(void)send_beat(c, NULL, 0, 0, ENG_PEER_NONE);
	if (!next_beat(c, &b, &m2, 3 * c->wait_ms + 2 * st.interval))
		goto none;
	eng_beat_free(&b);
	uint64_t gap = m2->at_ms - t1;
	cf_expect(c, gap * 2 >= st.interval && gap <= 2 * (uint64_t)st.interval + 2000,
	          "BEATs %llu ms apart with an advertised interval of %u ms (AG-19)",
	          (unsigned long long)gap, st.interval);
	return;
none:
	cf_fail(c, "BEATs stopped (AG-19)");
}

/* conform stops beating: after more than 2 x its 1000 ms interval the
 * target's row shows it DEGRADED; a BEAT makes it OPERATIONAL again. */
static void degraded(cf_t *c)
{
	eng_beat_t b;
	int gok = 0, deg = 0, back = 0;
	uint64_t start = cf_now_ms(c), limit = 2500 + 3 * (uint64_t)st.interval + c->wait_ms;
	uint64_t quiet_since = st.last_beat_ms; /* the target's silence starts later */
	if (!st.introduced) {
		cf_norun(c, "not introduced");
		return;
	}
	st.beats_from = c->nmsgs;
	while (!deg && cf_now_ms(c) - start < limit &&
	       next_beat(c, &b, NULL, (unsigned)(limit - (cf_now_ms(c) - start)))) {
		eng_peer_state_t s = cell_of(row_of(&b, c->target_id, &gok), c->self);
		deg = s == ENG_PEER_DEGRADED || s == ENG_PEER_INTERRUPTED;
		if (deg && cf_now_ms(c) - quiet_since <= 2000)
			cf_fail(
			    c,
			    "DEGRADED %llu ms after conform's last BEAT was sent; the threshold "
			    "is more than 2 x 1000 ms (AG-8)",
			    (unsigned long long)(cf_now_ms(c) - quiet_since));
		eng_beat_free(&b);
	}
	if (!cf_expect(c, deg, "still not DEGRADED after %llu ms without BEATs (AG-8)",
	               (unsigned long long)limit))
		return;
	for (int i = 0; i < 4 && !back; i++) {
		(void)send_beat(c, NULL, 0, 0, ENG_PEER_NONE);
		if (!next_beat(c, &b, NULL, 3 * c->wait_ms + 2 * st.interval))
			break;
		back = cell_of(row_of(&b, c->target_id, &gok), c->self) == ENG_PEER_OPERATIONAL;
		eng_beat_free(&b);
	}
	cf_expect(c, back, "a BEAT did not make conform OPERATIONAL again (AG-7)");
}

/* The target's lookups of conform (its discovery) and its transfer of the
 * shared zone, as conform received them. */
static void discovery_queries(cf_t *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nreqs; i++) {
		cf_reply_t r;
		const cf_req_t *q = &c->reqs[i];
		cf_reply_read(c, q->msg, q->len, &r);
		if (!r.has_question || ((r.flags >> 11) & 15) != 0 || (r.flags & 0x8000) ||
		    !(r.qtype == 25 || r.qtype == 65290 || r.qtype == 256 || r.qtype == 1 ||
		      r.qtype == 28 || r.qtype == 48 || r.qtype == 43))
			continue;
		n++;
		if (!cf_expect(
		        c,
		        (r.flags & 0x0100) && (r.flags & 0x0010) && r.has_opt &&
		            (r.opt_flags & 0x8000) && r.opt_size == 1232,
		        "a discovery query of the target: RD %d CD %d, OPT %d, DO %d, size %u "
		        "(DISC-5: RD, CD, DO and 1232)",
		        !!(r.flags & 0x0100), !!(r.flags & 0x0010), r.has_opt,
		        !!(r.opt_flags & 0x8000), r.opt_size)) {
			cf_note_msg(c, "got", q->msg, q->len);
			return;
		}
	}
	if (n == 0)
		cf_na(c, "the target made no lookups through conform (it has conform's keys from "
		         "elsewhere)");
}

static void zone_transfer(cf_t *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nreqs; i++) {
		cf_reply_t r;
		const cf_req_t *q = &c->reqs[i];
		cf_reply_read(c, q->msg, q->len, &r);
		if (!r.has_question || r.qtype != 252)
			continue;
		n++;
		if (!cf_expect(
		        c,
		        q->tcp && ((r.flags >> 11) & 15) == 0 && !r.has_opt &&
		            !(r.flags & 0x8000) && q->len >= 12 && (q->msg[10] | q->msg[11]) == 0,
		        "the target's AXFR query: TCP %d, EDNS %d, additional records %d "
		        "(AZ-2: over TCP, no EDNS, no TSIG)",
		        q->tcp, r.has_opt, q->len >= 12 ? (q->msg[10] << 8 | q->msg[11]) : -1)) {
			cf_note_msg(c, "got", q->msg, q->len);
			return;
		}
	}
	cf_expect(c, n > 0, "the target never transferred %s from conform", zone_canon);
}

static const cf_scenario_t rows[] = {
    {"ag-hello-target", "AG-11 AG-17 AG-26", "the target's HELLO: identity, nonce, zones, time",
     hello_target},
    {"ag-discovery-queries", "DISC-5", "the target's lookups of conform: RD, CD, DO, 1232",
     discovery_queries},
    {"ag-zone-transfer", "AZ-2", "the target's AXFR of the shared zone: TCP, no EDNS, no TSIG",
     zone_transfer},
    {"ag-beat-before-hello", "AG-18 AG-19",
     "a BEAT before the HELLOs: HELLO_ACK refusal not-introduced", beat_before_hello},
    {"ag-hello-nonce-zero", "AG-17 AG-18", "a HELLO with nonce 0: refused, bad-message",
     hello_nonce_zero},
    {"ag-hello-identity", "AG-12 AG-18",
     "a HELLO naming another identity: refused, identity-mismatch", hello_identity_mismatch},
    {"ag-hello-malformed", "AG-18 AG-25", "a HELLO body that is not a HELLO: refused, bad-message",
     hello_malformed},
    {"ag-hello-not-served", "AG-12 AG-27",
     "a HELLO for a zone the target lacks: refused, not-served", hello_not_served},
    {"ag-hello-retry", "AG-11 AG-13", "the target resends its HELLO, same nonce, backing off",
     hello_retry},
    {"ag-hello-accepted", "AG-12 AG-14 AG-27",
     "conform's HELLO for the shared zone: accepted, nonce echoed", hello_accepted},
    {"ag-introduced", "AG-14 AG-15 AG-19", "HELLOs both ways: the target BEATs at once",
     introduced},
    {"ag-beat-form", "AG-5 AG-7 AG-21 AG-28",
     "the BEAT: group id, own row, no row of the recipient", beat_form},
    {"ag-beat-state", "AG-7 AG-20", "conform's BEATs make it OPERATIONAL in the target's row",
     beat_state},
    {"ag-gossip-relay", "AG-21 AG-22 AG-24", "a member's row is relayed, a non-member's never",
     gossip_relay},
    {"ag-gossip-older", "AG-22", "an older row does not replace a newer one", gossip_older},
    {"ag-beat-interval", "AG-19", "BEATs come once per advertised interval", beat_interval},
    {"ag-degraded", "AG-7 AG-8", "silence over 2 x interval: DEGRADED; a BEAT: OPERATIONAL",
     degraded},
};

const cf_suite_t cf_suite_agents = {
    "agents", "HELLO accepted and refused, BEAT timing and state, gossip rows, group id",
    rows,     sizeof(rows) / sizeof(rows[0]),
    prepare,
};
