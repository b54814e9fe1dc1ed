/* Provider groups and their gossip matrix; BEAT building and merging. */
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/encoding.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/xmalloc.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort and drop duplicates in place; returns the new count. */
static size_t sort_unique(const char **v, size_t n)
{
	size_t k = 0;
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	return k;
}

static void id_of_sorted(const char *const *v, size_t n, char out[ENG_GROUP_ID_LEN + 1])
{
	hs_sha256_t c;
	uint8_t d[HS_SHA256_LEN];
	hs_sha256_init(&c);
	for (size_t i = 0; i < n; i++) {
		hs_sha256_update(&c, v[i], strlen(v[i]));
		hs_sha256_update(&c, "\n", 1);
	}
	hs_sha256_final(&c, d);
	hs_hex_encode(out, d, ENG_GROUP_ID_LEN / 2);
}

void eng_group_id(const char *const *ids, size_t n, char out[ENG_GROUP_ID_LEN + 1])
{
	const char **v = xcalloc(n ? n : 1, sizeof(*v));
	memcpy(v, ids, n * sizeof(*v));
	n = sort_unique(v, n);
	id_of_sorted(v, n, out);
	free(v);
}

eng_group_t *eng_group_find(const eng_t *e, const char *id)
{
	for (size_t i = 0; i < e->ngroups; i++)
		if (strcmp(e->groups[i]->id, id) == 0)
			return e->groups[i];
	return NULL;
}

void eng_group_free(eng_group_t *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->members[i]);
		free(g->rows[i].cells);
	}
	free(g->members);
	free(g->rows);
	free(g);
}

eng_group_t *eng_group_ref(eng_t *e, const eng_zone_t *z)
{
	const char **v = xcalloc(z->nproviders + 1, sizeof(*v));
	size_t n = 0;
	char id[ENG_GROUP_ID_LEN + 1];
	v[n++] = e->identity;
	for (size_t i = 0; i < z->nproviders; i++)
		if (z->providers[i].on)
			v[n++] = z->providers[i].identity;
	n = sort_unique(v, n);
	id_of_sorted(v, n, id);
	eng_group_t *g = eng_group_find(e, id);
	if (g == NULL) {
		g = xcalloc(1, sizeof(*g));
		memcpy(g->id, id, sizeof(id));
		g->n = n;
		g->members = xcalloc(n, sizeof(*g->members));
		g->rows = xcalloc(n, sizeof(*g->rows));
		for (size_t i = 0; i < n; i++) {
			g->members[i] = xstrdup(v[i]);
			g->rows[i].cells = xcalloc(n, sizeof(*g->rows[i].cells));
			if (strcmp(v[i], e->identity) == 0)
				g->self = i;
		}
		g->rows[g->self].have = 1;
		g->since_wall = eng_wall(e);
		if (e->ngroups == e->gcap) {
			e->gcap = e->gcap ? e->gcap * 2 : 8;
			e->groups = xrealloc(e->groups, e->gcap * sizeof(*e->groups));
		}
		e->groups[e->ngroups++] = g;
		log_info("engine", "group '%s' formed with %zu members", g->id, g->n);
	}
	g->nzones++;
	free(v);
	return g;
}

void eng_group_unref(eng_t *e, eng_group_t *g)
{
	if (--g->nzones > 0)
		return;
	if (g->operational) {
		eng_action_t *a = eng_push_action(e, ENG_ACT_GROUP_DEGRADED);
		memcpy(a->group, g->id, sizeof(g->id));
		eng_strfmt(a->reason, sizeof(a->reason), "group dissolved: no zone left");
	}
	log_info("engine", "group '%s' dissolved", g->id);
	for (size_t i = 0; i < e->ngroups; i++) {
		if (e->groups[i] == g) {
			e->groups[i] = e->groups[--e->ngroups];
			break;
		}
	}
	eng_group_free(g);
}

static long member_index(const eng_group_t *g, const char *id)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->members[i], id) == 0)
			return (long)i;
	return -1;
}

/* Recompute our own rows and every group's operational flag. */
void eng_groups_refresh(eng_t *e)
{
	for (size_t gi = 0; gi < e->ngroups; gi++) {
		eng_group_t *g = e->groups[gi];
		eng_row_t *own = &g->rows[g->self];
		int changed = 0;
		for (size_t c = 0; c < g->n; c++) {
			eng_peer_state_t s = ENG_PEER_NONE;
			if (c != g->self) {
				const eng_peer_t *p = eng_peer_find(e, g->members[c]);
				s = p ? p->state : ENG_PEER_NONE;
			}
			if (own->cells[c] != s) {
				own->cells[c] = s;
				changed = 1;
			}
		}
		if (changed || own->version == 0) {
			uint64_t now = eng_wall(e);
			own->version = own->version + 1 > now ? own->version + 1 : now;
		}
		int op = g->n > 1;
		const char *why = "member not reporting";
		for (size_t r = 0; r < g->n && op; r++) {
			if (!g->rows[r].have) {
				op = 0;
				break;
			}
			for (size_t c = 0; c < g->n; c++) {
				if (c != r && g->rows[r].cells[c] != ENG_PEER_OPERATIONAL) {
					op = 0;
					why = "a member sees another not operational";
					break;
				}
			}
		}
		if (op == g->operational)
			continue;
		g->operational = op;
		g->since_wall = eng_wall(e);
		eng_action_t *a =
		    eng_push_action(e, op ? ENG_ACT_GROUP_OPERATIONAL : ENG_ACT_GROUP_DEGRADED);
		memcpy(a->group, g->id, sizeof(g->id));
		eng_strfmt(a->reason, sizeof(a->reason), "%s",
		           op ? "every member sees every other operational" : why);
		log_notice("engine", "group '%s': %s (%s)", g->id, op ? "operational" : "degraded",
		           a->reason);
	}
}

/* A BEAT to `p` handed to the transport and not yet delivered or failed. */
static int beat_pending(const eng_t *e, const eng_peer_t *p)
{
	for (size_t i = 0; i < e->npend; i++)
		if (e->pend[i].type == ENG_MSG_BEAT && strcmp(e->pend[i].peer, p->identity) == 0)
			return 1;
	return 0;
}

void eng_send_beat(eng_t *e, eng_peer_t *p)
{
	eng_beat_t b;
	hs_buf_t body = HS_BUF_INIT;
	size_t ng = 0;
	/* a BEAT is worth little once the next one is due: while one is still
	 * queued for an unreachable peer, do not pile more up behind it */
	if (beat_pending(e, p)) {
		if (p->beats_skipped++ == 0 || hs_log_get_level() >= HS_LOG_DEBUG)
			log_info("engine",
			         "beat to '%s' held back: the previous one is not delivered yet",
			         p->identity);
		return;
	}
	memset(&b, 0, sizeof(b));
	b.seq = ++e->beat_seq;
	b.interval_ms = e->cfg.beat_interval_ms;
	b.groups = xcalloc(e->ngroups ? e->ngroups : 1, sizeof(*b.groups));
	for (size_t gi = 0; gi < e->ngroups && ng < ENG_BEAT_MAX_GROUPS; gi++) {
		const eng_group_t *g = e->groups[gi];
		long dest = member_index(g, p->identity);
		if (dest < 0)
			continue;
		eng_beat_group_t *bg = &b.groups[ng++];
		memcpy(bg->id, g->id, sizeof(g->id));
		bg->rows = xcalloc(g->n, sizeof(*bg->rows));
		for (size_t r = 0; r < g->n; r++) {
			if (!g->rows[r].have || (long)r == dest)
				continue;
			eng_beat_row_t *br = &bg->rows[bg->nrows++];
			br->owner = g->members[r];
			br->version = g->rows[r].version;
			br->cells = xcalloc(g->n, sizeof(*br->cells));
			for (size_t c = 0; c < g->n; c++) {
				if (c == r)
					continue;
				br->cells[br->ncells].identity = g->members[c];
				br->cells[br->ncells++].state = g->rows[r].cells[c];
			}
		}
	}
	b.ngroups = ng;
	if (eng_beat_encode(&b, &body) == HS_OK) {
		eng_send(e, p->identity, ENG_MSG_BEAT, &body);
		p->beats_tx++;
	}
	hs_buf_free(&body);
	/* the strings are borrowed from the groups: free only the arrays */
	for (size_t g = 0; g < ng; g++) {
		for (size_t r = 0; r < b.groups[g].nrows; r++)
			free(b.groups[g].rows[r].cells);
		free(b.groups[g].rows);
	}
	free(b.groups);
}

static void merge_group(eng_t *e, eng_group_t *g, const eng_beat_group_t *bg)
{
	for (size_t r = 0; r < bg->nrows; r++) {
		const eng_beat_row_t *br = &bg->rows[r];
		long owner = member_index(g, br->owner);
		if (owner < 0 || (size_t)owner == g->self)
			continue;
		eng_row_t *row = &g->rows[owner];
		if (row->have && br->version <= row->version)
			continue;
		row->have = 1;
		row->version = br->version;
		for (size_t c = 0; c < g->n; c++)
			row->cells[c] = ENG_PEER_NONE;
		for (size_t c = 0; c < br->ncells; c++) {
			long col = member_index(g, br->cells[c].identity);
			if (col >= 0 && col != owner)
				row->cells[col] = br->cells[c].state;
		}
	}
}

int eng_on_beat(eng_t *e, const char *from, const uint8_t *b, size_t n)
{
	eng_beat_t beat;
	hs_errmsg_t em;
	int rc = eng_beat_decode(b, n, &beat, &em);
	if (rc != HS_OK) {
		eng_refuse(e, from, "beat", 0, eng_ack_reason_name(ENG_ACK_BAD_MESSAGE), "%s",
		           hs_errmsg_str(&em));
		return rc;
	}
	eng_peer_t *p = eng_peer_find(e, from);
	if (p == NULL || p->state < ENG_PEER_INTRODUCED || p->state == ENG_PEER_GONE) {
		eng_refuse(e, from, "beat", 0, eng_ack_reason_name(ENG_ACK_NOT_INTRODUCED),
		           "no hello exchanged both ways yet (state %s)",
		           eng_peer_state_name(p ? p->state : ENG_PEER_NONE));
		eng_beat_free(&beat);
		return HS_E_REFUSED;
	}
	uint64_t now = eng_mono(e), silent = now - p->last_beat_mono;
	int first = p->state == ENG_PEER_INTRODUCED;
	p->last_beat_mono = now;
	p->last_beat_wall = eng_wall(e);
	p->beats_rx++;
	/* AG-8: the advertised interval drives our silence checks,
	 * clamped to what a sender may configure */
	p->peer_interval = beat.interval_ms < ENG_BEAT_INTERVAL_MIN   ? ENG_BEAT_INTERVAL_MIN
	                   : beat.interval_ms > ENG_BEAT_INTERVAL_MAX ? ENG_BEAT_INTERVAL_MAX
	                                                              : beat.interval_ms;
	if (first)
		eng_peer_set_state(e, p, ENG_PEER_OPERATIONAL, "first beat received");
	else
		eng_peer_set_state(e, p, ENG_PEER_OPERATIONAL, "beat received after %llu ms",
		                   (unsigned long long)silent);
	for (size_t i = 0; i < beat.ngroups; i++) {
		eng_group_t *g = eng_group_find(e, beat.groups[i].id);
		if (g != NULL && member_index(g, from) >= 0)
			merge_group(e, g, &beat.groups[i]);
	}
	eng_beat_free(&beat);
	return HS_OK;
}
