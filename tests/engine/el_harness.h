/*
 * el_harness.h -- a network of agent engines for the election tests, in
 * virtual time stepped one millisecond at a time (header-only).
 *
 * Beyond harness.h's h_net: every node has its own clock (a rate error
 * in parts per million, so the clock assumption of EL-2 can be tested),
 * messages take a random latency and may be lost, links can be cut in
 * either direction (partitions), a node can be killed (its engine freed)
 * and restarted with no state, a filter sees and may change or drop every
 * message, and after every millisecond the safety property EL-1 is
 * checked: at most one live node answers el_leading() yes.
 */
#ifndef HS_TESTS_ENGINE_EL_HARNESS_H
#define HS_TESTS_ENGINE_EL_HARNESS_H

#include "engine/elect/el_msg.h"
#include "engine/harness.h"

#define EH_MAX     6
#define EH_LOG_MAX 4096

typedef struct eh_net eh_net_t;

typedef struct eh_node {
	hs_env_t env;
	eh_net_t *net;
	int64_t ppm;                /* clock rate error, from t_rate on */
	uint64_t mono0, wall0;      /* readings at the start */
	uint64_t t_rate, mono_rate; /* real time and reading when ppm was set */
	uint64_t rng;
	eng_t *e;     /* NULL: killed */
	unsigned gen; /* incarnation: a restart makes a new one */
	char name[64];
	uint64_t led_ms; /* milliseconds it answered el_leading() yes */
	uint64_t leader_events;
} eh_node_t;

typedef struct eh_msg {
	size_t from, to;
	uint64_t at, msgid;
	unsigned gen; /* of the sender */
	int lost;
	char type[16];
	uint8_t *body;
	size_t len;
	struct eh_msg *next;
} eh_msg_t;

/* A message seen on the wire (ELECT only), decoded, for inspection. */
typedef struct eh_seen {
	size_t from, to;
	uint64_t t;
	el_msg_t m;
} eh_seen_t;

/* Return 0 to drop the message; may rewrite `body`. */
typedef int (*eh_filter_fn)(eh_net_t *net, size_t from, size_t to, const char *type, hs_buf_t *body,
                            void *arg);

struct eh_net {
	uint64_t t; /* real (virtual) ms since the start */
	eh_node_t node[EH_MAX];
	size_t n;
	int cut[EH_MAX][EH_MAX]; /* messages from i to j are lost */
	uint32_t loss_pm;        /* per mille of messages lost */
	uint32_t lat_min, lat_max;
	uint64_t rng;
	eh_msg_t *q;
	eh_filter_fn filter;
	void *filter_arg;
	/* zone every node loads */
	const char *zone;
	const char *const *h3;
	const char *const *param;
	eng_cfg_t cfg;
	/* safety (EL-1) */
	uint64_t violations, first_violation;
	/* ELECT messages sent, for inspection */
	eh_seen_t *seen;
	size_t nseen;
	uint64_t delivered, lost;
};

static inline uint64_t eh_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static inline uint64_t eh_mono(void *arg)
{
	eh_node_t *nd = arg;
	int64_t rate = 1000000 + nd->ppm;
	return nd->mono_rate + (nd->net->t - nd->t_rate) * (uint64_t)rate / 1000000;
}

/* From now on the node's clock runs `ppm` parts per million fast (< 0:
 * slow); it never goes back. */
static inline void eh_set_rate(eh_net_t *net, size_t i, int64_t ppm)
{
	eh_node_t *nd = &net->node[i];
	nd->mono_rate = eh_mono(nd);
	nd->t_rate = net->t;
	nd->ppm = ppm;
}

static inline uint64_t eh_wall(void *arg)
{
	eh_node_t *nd = arg;
	return nd->wall0 + eh_mono(arg) - nd->mono0;
}

static inline int eh_random(void *arg, uint8_t *out, size_t n)
{
	eh_node_t *nd = arg;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(eh_rand(&nd->rng) >> 24);
	return HS_OK;
}

static inline void eh_init(eh_net_t *net, uint64_t seed, uint32_t lease_ms)
{
	memset(net, 0, sizeof(*net));
	net->rng = seed * 2654435761ULL + 1;
	net->lat_min = 1;
	net->lat_max = 5;
	net->seen = calloc(EH_LOG_MAX, sizeof(*net->seen));
	net->cfg.beat_interval_ms = 1000;
	net->cfg.hello_retry_ms = 500;
	net->cfg.hello_retry_max_ms = 4000;
	net->cfg.elect_lease_ms = lease_ms;
}

static inline void eh_start(eh_net_t *net, size_t i)
{
	eh_node_t *nd = &net->node[i];
	eng_cfg_t cfg = net->cfg;
	cfg.identity = nd->name;
	nd->gen++;
	ck_assert_int_eq(eng_new(&nd->e, &cfg, &nd->env, NULL), HS_OK);
	if (net->zone != NULL)
		h_load(nd->e, net->zone, net->h3, net->param);
}

/* Add a node; `ppm` its clock rate error. */
static inline size_t eh_add(eh_net_t *net, const char *name, int64_t ppm)
{
	size_t i = net->n++;
	eh_node_t *nd = &net->node[i];
	ck_assert_uint_le(net->n, EH_MAX);
	nd->net = net;
	nd->ppm = ppm;
	nd->mono0 = 1000000 + 77777 * i; /* offsets differ: only durations count */
	nd->mono_rate = nd->mono0;
	nd->t_rate = net->t;
	nd->wall0 = 1795000000000ULL + 13 * i;
	nd->rng = net->rng ^ (0x9e3779b97f4a7c15ULL * (i + 1));
	nd->env.now_ms = eh_wall;
	nd->env.mono_ms = eh_mono;
	nd->env.random = eh_random;
	nd->env.arg = nd;
	snprintf(nd->name, sizeof(nd->name), "%s", name);
	eh_start(net, i);
	return i;
}

static inline long eh_find(const eh_net_t *net, const char *id)
{
	char c[ENG_NAME_MAX];
	if (eng_name_canon(id, strlen(id), c) != HS_OK)
		return -1;
	for (size_t i = 0; i < net->n; i++) {
		char d[ENG_NAME_MAX];
		if (eng_name_canon(net->node[i].name, strlen(net->node[i].name), d) == HS_OK &&
		    strcmp(c, d) == 0)
			return (long)i;
	}
	return -1;
}

/* The zone's group id as any live node computes it ("" when none). */
static inline const char *eh_group(const eh_net_t *net)
{
	for (size_t i = 0; i < net->n; i++) {
		const char *g;
		if (net->node[i].e != NULL &&
		    (g = eng_zone_group(net->node[i].e, net->zone)) != NULL)
			return g;
	}
	return "";
}

static inline void eh_kill(eh_net_t *net, size_t i)
{
	eng_free(net->node[i].e);
	net->node[i].e = NULL;
}

/* A start with no state (a restart: the clock goes on). */
static inline void eh_restart(eh_net_t *net, size_t i)
{
	if (net->node[i].e != NULL)
		eh_kill(net, i);
	eh_start(net, i);
}

static inline void eh_cut(eh_net_t *net, size_t a, size_t b, int down)
{
	net->cut[a][b] = net->cut[b][a] = down;
}

/* Cut every link between a node of `side` (a bit mask) and the others. */
static inline void eh_partition(eh_net_t *net, unsigned side)
{
	for (size_t i = 0; i < net->n; i++)
		for (size_t j = 0; j < net->n; j++)
			net->cut[i][j] = ((side >> i) & 1) != ((side >> j) & 1);
}

static inline void eh_heal(eh_net_t *net)
{
	memset(net->cut, 0, sizeof(net->cut));
}

static inline void eh_record(eh_net_t *net, size_t from, size_t to, const char *type,
                             const uint8_t *body, size_t len)
{
	if (strcmp(type, "ELECT") != 0 || net->nseen >= EH_LOG_MAX)
		return;
	eh_seen_t *s = &net->seen[net->nseen];
	if (el_msg_decode(body, len, &s->m, NULL) != HS_OK)
		return;
	s->from = from;
	s->to = to;
	s->t = net->t;
	net->nseen++;
}

static inline void eh_forget(eh_net_t *net)
{
	for (size_t i = 0; i < net->nseen; i++)
		el_msg_free(&net->seen[i].m);
	net->nseen = 0;
}

/* Queue every SEND of node i; answer discoveries (every node is known). */
static inline void eh_pump(eh_net_t *net, size_t i)
{
	eh_node_t *nd = &net->node[i];
	eng_action_t a;
	while (nd->e != NULL && eng_next_action(nd->e, &a) == HS_OK) {
		if (a.kind == ENG_ACT_SEND) {
			long to = eh_find(net, a.peer);
			eh_msg_t *m = calloc(1, sizeof(*m));
			m->from = i;
			m->to = to < 0 ? i : (size_t)to;
			m->msgid = a.msgid;
			m->gen = nd->gen;
			snprintf(m->type, sizeof(m->type), "%s", a.type_name);
			m->body = a.body;
			m->len = a.len;
			a.body = NULL;
			uint32_t span = net->lat_max - net->lat_min + 1;
			m->at = net->t + net->lat_min + eh_rand(&net->rng) % span;
			m->lost = to < 0 || eh_rand(&net->rng) % 1000 < net->loss_pm;
			eh_record(net, i, m->to, m->type, m->body, m->len);
			m->next = net->q;
			net->q = m;
		} else if (a.kind == ENG_ACT_DISCOVER) {
			int known = eh_find(net, a.peer) >= 0;
			ck_assert_int_eq(eng_peer_discovered(nd->e, a.peer, known, "no such agent"),
			                 HS_OK);
		} else if (a.kind == ENG_ACT_LEADER) {
			nd->leader_events++;
		}
		eng_action_clear(&a);
	}
}

static inline void eh_deliver(eh_net_t *net)
{
	for (eh_msg_t **pp = &net->q; *pp != NULL;) {
		eh_msg_t *m = *pp;
		if (m->at > net->t) {
			pp = &m->next;
			continue;
		}
		*pp = m->next;
		eh_node_t *to = &net->node[m->to], *from = &net->node[m->from];
		int ok = !m->lost && !net->cut[m->from][m->to] && to->e != NULL && m->to != m->from;
		if (ok && net->filter != NULL) {
			hs_buf_t b = HS_BUF_INIT;
			hs_buf_append(&b, m->body, m->len);
			ok = net->filter(net, m->from, m->to, m->type, &b, net->filter_arg);
			free(m->body);
			m->body = b.data;
			m->len = b.len;
		}
		if (ok) {
			int rc = eng_message(to->e, from->name, m->type, m->body, m->len);
			ck_assert_msg(rc == HS_OK || rc == HS_E_REFUSED, "%s from %s: %s", m->type,
			              from->name, hs_strerror(rc));
			net->delivered++;
		} else {
			net->lost++;
		}
		/* the transport's outcome, to the incarnation that sent it */
		if (from->e != NULL && from->gen == m->gen)
			ck_assert_int_eq(eng_send_result(from->e, m->msgid, ok), HS_OK);
		free(m->body);
		free(m);
	}
}

/* EL-1 at this millisecond: how many live nodes lead the group. */
static inline size_t eh_leaders(eh_net_t *net)
{
	const char *g = eh_group(net);
	size_t k = 0;
	for (size_t i = 0; i < net->n; i++) {
		if (net->node[i].e != NULL && el_leading(net->node[i].e, g, NULL)) {
			k++;
			net->node[i].led_ms++;
		}
	}
	return k;
}

/* Run `ms` milliseconds, one at a time: deliver, tick, send, check. */
static inline void eh_run(eh_net_t *net, uint64_t ms)
{
	for (uint64_t s = 0; s < ms; s++) {
		net->t++;
		eh_deliver(net);
		for (size_t i = 0; i < net->n; i++) {
			eh_pump(net, i);
			if (net->node[i].e != NULL)
				(void)eng_tick(net->node[i].e);
			eh_pump(net, i);
		}
		if (eh_leaders(net) > 1 && net->violations++ == 0)
			net->first_violation = net->t;
	}
}

/* Run until `pred` holds (checked every ms) or `max` ms passed; returns
 * the ms it took, or UINT64_MAX. */
static inline uint64_t eh_run_until(eh_net_t *net, int (*pred)(eh_net_t *), uint64_t max)
{
	for (uint64_t s = 0; s < max; s++) {
		if (pred(net))
			return s;
		eh_run(net, 1);
	}
	return pred(net) ? max : UINT64_MAX;
}

/* The index of the single live node that leads now, or -1. */
static inline long eh_leader(eh_net_t *net)
{
	const char *g = eh_group(net);
	long l = -1;
	for (size_t i = 0; i < net->n; i++)
		if (net->node[i].e != NULL && el_leading(net->node[i].e, g, NULL)) {
			if (l >= 0)
				return -1;
			l = (long)i;
		}
	return l;
}

/* 1 when a node leads and every live node's view names it, valid. */
static inline int eh_agreed(eh_net_t *net)
{
	long l = eh_leader(net);
	const char *g = eh_group(net);
	char want[ENG_NAME_MAX];
	if (l < 0)
		return 0;
	snprintf(want, sizeof(want), "%s", eng_identity(net->node[l].e));
	for (size_t i = 0; i < net->n; i++) {
		el_info_t in;
		if (net->node[i].e == NULL)
			continue;
		if (el_info(net->node[i].e, g, &in) != HS_OK || in.leader == NULL || !in.valid ||
		    strcmp(in.leader, want) != 0)
			return 0;
	}
	return 1;
}

static inline void eh_free(eh_net_t *net)
{
	for (size_t i = 0; i < net->n; i++)
		eng_free(net->node[i].e);
	while (net->q != NULL) {
		eh_msg_t *m = net->q;
		net->q = m->next;
		free(m->body);
		free(m);
	}
	eh_forget(net);
	free(net->seen);
}

#endif
