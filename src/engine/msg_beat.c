/* BEAT bodies: sequence, interval and the gossip rows of shared groups. */
#include "engine/msg.h"

#include <stdlib.h>
#include <string.h>

#include "engine/mp.h"
#include "util/xmalloc.h"

int eng_group_id_ok(const char *id)
{
	if (strlen(id) != ENG_GROUP_ID_LEN)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

int eng_beat_encode(const eng_beat_t *b, hs_buf_t *out)
{
	msgpack_packer pk;
	if (b->ngroups > ENG_BEAT_MAX_GROUPS)
		return HS_E_INVAL;
	for (size_t g = 0; g < b->ngroups; g++) {
		if (!eng_group_id_ok(b->groups[g].id) || b->groups[g].nrows > ENG_GROUP_MAX_MEMBERS)
			return HS_E_INVAL;
		for (size_t r = 0; r < b->groups[g].nrows; r++)
			if (b->groups[g].rows[r].ncells > ENG_GROUP_MAX_MEMBERS)
				return HS_E_INVAL;
	}
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, 3);
	eng_mp_pack_str(&pk, "seq");
	msgpack_pack_uint64(&pk, b->seq);
	eng_mp_pack_str(&pk, "interval");
	msgpack_pack_uint32(&pk, b->interval_ms);
	eng_mp_pack_str(&pk, "groups");
	msgpack_pack_array(&pk, b->ngroups);
	for (size_t g = 0; g < b->ngroups; g++) {
		const eng_beat_group_t *gr = &b->groups[g];
		msgpack_pack_map(&pk, 2);
		eng_mp_pack_str(&pk, "id");
		eng_mp_pack_str(&pk, gr->id);
		eng_mp_pack_str(&pk, "rows");
		msgpack_pack_array(&pk, gr->nrows);
		for (size_t r = 0; r < gr->nrows; r++) {
			const eng_beat_row_t *row = &gr->rows[r];
			msgpack_pack_map(&pk, 3);
			eng_mp_pack_str(&pk, "owner");
			eng_mp_pack_str(&pk, row->owner);
			eng_mp_pack_str(&pk, "version");
			msgpack_pack_uint64(&pk, row->version);
			eng_mp_pack_str(&pk, "cells");
			msgpack_pack_map(&pk, row->ncells);
			for (size_t c = 0; c < row->ncells; c++) {
				eng_mp_pack_str(&pk, row->cells[c].identity);
				eng_mp_pack_str(&pk, eng_peer_state_name(row->cells[c].state));
			}
		}
	}
	return HS_OK;
}

static int decode_row(const msgpack_object *m, eng_beat_row_t *row, hs_errmsg_t *em)
{
	char owner[ENG_NAME_MAX];
	int rc, dup = 0;
	if (m->type != MSGPACK_OBJECT_MAP)
		return hs_fail(em, HS_E_MALFORMED, "row is not a map");
	if ((rc = eng_mp_field_name(m, "owner", owner, em)) != HS_OK ||
	    (rc = eng_mp_field_uint(m, "version", UINT64_MAX, &row->version, em)) != HS_OK)
		return rc;
	const msgpack_object *cells = eng_mp_get(m, "cells", &dup);
	if (dup || cells == NULL || cells->type != MSGPACK_OBJECT_MAP)
		return hs_fail(em, HS_E_MALFORMED, "'cells' missing or not a map");
	if (cells->via.map.size > ENG_GROUP_MAX_MEMBERS)
		return hs_fail(em, HS_E_LIMIT, "row has more than %d cells", ENG_GROUP_MAX_MEMBERS);
	row->owner = xstrdup(owner);
	if (cells->via.map.size > 0)
		row->cells = xcalloc(cells->via.map.size, sizeof(*row->cells));
	for (uint32_t i = 0; i < cells->via.map.size; i++) {
		char raw[ENG_NAME_MAX], id[ENG_NAME_MAX], st[16];
		eng_peer_state_t s;
		const msgpack_object_kv *kv = &cells->via.map.ptr[i];
		if (eng_mp_str(&kv->key, ENG_NAME_MAX - 1, raw) != HS_OK ||
		    eng_name_canon(raw, strlen(raw), id) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "cell %u: key is not a valid name",
			               i + 1);
		if (eng_mp_str(&kv->val, sizeof(st) - 1, st) != HS_OK ||
		    eng_peer_state_parse(st, &s) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "cell '%s': unknown state", id);
		for (size_t j = 0; j < row->ncells; j++)
			if (strcmp(row->cells[j].identity, id) == 0)
				return hs_fail(em, HS_E_MALFORMED, "cell '%s' given twice", id);
		row->cells[row->ncells].identity = xstrdup(id);
		row->cells[row->ncells].state = s;
		row->ncells++;
	}
	return HS_OK;
}

static int decode_group(const msgpack_object *m, eng_beat_group_t *g, hs_errmsg_t *em)
{
	int dup = 0;
	if (m->type != MSGPACK_OBJECT_MAP)
		return hs_fail(em, HS_E_MALFORMED, "group is not a map");
	const msgpack_object *id = eng_mp_get(m, "id", &dup);
	const msgpack_object *rows = eng_mp_get(m, "rows", &dup);
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "group key given twice");
	if (eng_mp_str(id, ENG_GROUP_ID_LEN, g->id) != HS_OK || !eng_group_id_ok(g->id))
		return hs_fail(em, HS_E_MALFORMED, "group 'id' is not %d lowercase hex digits",
		               ENG_GROUP_ID_LEN);
	if (rows == NULL || rows->type != MSGPACK_OBJECT_ARRAY)
		return hs_fail(em, HS_E_MALFORMED, "group '%s': 'rows' missing or not a list",
		               g->id);
	if (rows->via.array.size > ENG_GROUP_MAX_MEMBERS)
		return hs_fail(em, HS_E_LIMIT, "group '%s': too many rows", g->id);
	if (rows->via.array.size > 0)
		g->rows = xcalloc(rows->via.array.size, sizeof(*g->rows));
	for (uint32_t i = 0; i < rows->via.array.size; i++) {
		int rc = decode_row(&rows->via.array.ptr[i], &g->rows[g->nrows++], em);
		if (rc != HS_OK)
			return rc;
	}
	return HS_OK;
}

int eng_beat_decode(const uint8_t *p, size_t n, eng_beat_t *out, hs_errmsg_t *em)
{
	msgpack_unpacked u;
	eng_beat_t b;
	uint64_t iv = 0;
	int dup = 0;
	int rc = eng_mp_unpack(p, n, &u);
	if (rc != HS_OK)
		return hs_fail(em, rc, "beat: not a bounded msgpack map");
	memset(&b, 0, sizeof(b));
	const msgpack_object *m = &u.data;
	if ((rc = eng_mp_field_uint(m, "seq", UINT64_MAX, &b.seq, em)) != HS_OK ||
	    (rc = eng_mp_field_uint(m, "interval", UINT32_MAX, &iv, em)) != HS_OK)
		goto cleanup;
	b.interval_ms = (uint32_t)iv;
	const msgpack_object *groups = eng_mp_get(m, "groups", &dup);
	rc = HS_E_MALFORMED;
	if (dup || groups == NULL || groups->type != MSGPACK_OBJECT_ARRAY) {
		hs_fail(em, rc, "'groups' missing or not a list");
		goto cleanup;
	}
	if (groups->via.array.size > ENG_BEAT_MAX_GROUPS) {
		rc = hs_fail(em, HS_E_LIMIT, "more than %d groups", ENG_BEAT_MAX_GROUPS);
		goto cleanup;
	}
	if (groups->via.array.size > 0)
		b.groups = xcalloc(groups->via.array.size, sizeof(*b.groups));
	for (uint32_t i = 0; i < groups->via.array.size; i++)
		if ((rc = decode_group(&groups->via.array.ptr[i], &b.groups[b.ngroups++], em)) !=
		    HS_OK)
			goto cleanup;
	*out = b;
	memset(&b, 0, sizeof(b));
	rc = HS_OK;
cleanup:
	eng_beat_free(&b);
	msgpack_unpacked_destroy(&u);
	return rc;
}

void eng_beat_free(eng_beat_t *b)
{
	if (b == NULL)
		return;
	for (size_t g = 0; g < b->ngroups; g++) {
		eng_beat_group_t *gr = &b->groups[g];
		for (size_t r = 0; r < gr->nrows; r++) {
			for (size_t c = 0; c < gr->rows[r].ncells; c++)
				free(gr->rows[r].cells[c].identity);
			free(gr->rows[r].cells);
			free(gr->rows[r].owner);
		}
		free(gr->rows);
	}
	free(b->groups);
	memset(b, 0, sizeof(*b));
}
