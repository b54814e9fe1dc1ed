/* Read-only views of the engine for hsyncctl and tests. */
#include "engine/engine_int.h"

#include <string.h>

const char *eng_identity(const eng_t *e)
{
	return e->identity;
}

uint32_t eng_beat_interval(const eng_t *e)
{
	return e->cfg.beat_interval_ms;
}

size_t eng_zone_count(const eng_t *e)
{
	return e->nzones;
}

const eng_zone_t *eng_zone_at(const eng_t *e, size_t i)
{
	return i < e->nzones ? &e->zones[i]->z : NULL;
}

static const eng_zent_t *zent_lookup(const eng_t *e, const char *zone)
{
	char canon[ENG_NAME_MAX];
	if (eng_name_canon(zone, strlen(zone), canon) != HS_OK)
		return NULL;
	return eng_zent_find(e, canon);
}

const eng_zone_t *eng_zone_find(const eng_t *e, const char *zone)
{
	const eng_zent_t *z = zent_lookup(e, zone);
	return z ? &z->z : NULL;
}

const char *eng_zone_group(const eng_t *e, const char *zone)
{
	const eng_zent_t *z = zent_lookup(e, zone);
	return z && z->group ? z->group->id : NULL;
}

static void peer_info(const eng_peer_t *p, eng_peer_info_t *out)
{
	memset(out, 0, sizeof(*out));
	out->identity = p->identity;
	out->state = p->state;
	out->since_ms = p->since_wall;
	out->last_beat_ms = p->last_beat_wall;
	out->beats_rx = p->beats_rx;
	out->beats_tx = p->beats_tx;
	out->beats_skipped = p->beats_skipped;
	out->sends_ok = p->sends_ok;
	out->sends_failed = p->sends_failed;
	out->refused_in = p->refused_in;
	out->refused_out = p->refused_out;
	out->beat_interval_ms = p->peer_interval;
	out->hello_sent_ok = p->hello_out_ok;
	out->hello_rcvd_ok = p->hello_in_ok;
	out->nzones = p->nzones;
	out->reason = p->reason;
}

size_t eng_peer_count(const eng_t *e)
{
	return e->npeers;
}

int eng_peer_at(const eng_t *e, size_t i, eng_peer_info_t *out)
{
	if (i >= e->npeers)
		return HS_E_NOTFOUND;
	peer_info(e->peers[i], out);
	return HS_OK;
}

int eng_peer_get(const eng_t *e, const char *identity, eng_peer_info_t *out)
{
	char canon[ENG_NAME_MAX];
	if (eng_name_canon(identity, strlen(identity), canon) != HS_OK)
		return HS_E_NOTFOUND;
	const eng_peer_t *p = eng_peer_find(e, canon);
	if (p == NULL)
		return HS_E_NOTFOUND;
	peer_info(p, out);
	return HS_OK;
}

static void group_info(const eng_group_t *g, eng_group_info_t *out)
{
	memset(out, 0, sizeof(*out));
	out->id = g->id;
	out->nmembers = g->n;
	out->members = (const char *const *)g->members;
	out->nzones = g->nzones;
	out->operational = g->operational;
	out->since_ms = g->since_wall;
}

size_t eng_group_count(const eng_t *e)
{
	return e->ngroups;
}

int eng_group_at(const eng_t *e, size_t i, eng_group_info_t *out)
{
	if (i >= e->ngroups)
		return HS_E_NOTFOUND;
	group_info(e->groups[i], out);
	return HS_OK;
}

int eng_group_get(const eng_t *e, const char *id, eng_group_info_t *out)
{
	const eng_group_t *g = eng_group_find(e, id);
	if (g == NULL)
		return HS_E_NOTFOUND;
	group_info(g, out);
	return HS_OK;
}

eng_peer_state_t eng_group_cell(const eng_t *e, const char *id, size_t row, size_t col,
                                uint64_t *version)
{
	const eng_group_t *g = eng_group_find(e, id);
	if (g == NULL || row >= g->n || col >= g->n) {
		if (version)
			*version = 0;
		return ENG_PEER_NONE;
	}
	if (version)
		*version = g->rows[row].have ? g->rows[row].version : 0;
	if (row == col || !g->rows[row].have)
		return ENG_PEER_NONE;
	return g->rows[row].cells[col];
}
