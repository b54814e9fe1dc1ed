/* ps_status.c -- the body of STATUS (proto/status_messages.md): encoding
 * the leader's parentsync-done, decoding any STATUS a peer sends (one
 * bounded msgpack map, unique keys, typed and bounded values, unknown keys
 * ignored: the common rules of proto/agent_messages.md). */
#include <msgpack.h>
#include <stdio.h>
#include <string.h>

#include "engine/mp.h"
#include "engine/psync/ps.h"

static void pack_bool(msgpack_packer *pk, const char *key, int v)
{
	eng_mp_pack_str(pk, key);
	if (v)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

int ps_status_encode(const ps_status_t *s, hs_buf_t *out)
{
	msgpack_packer pk;
	const char *p = s->rrs;
	size_t nrr = 0, done = s->kind[0] && strcmp(s->kind, "parentsync-done") == 0;

	if (!s->zone[0] || !s->kind[0])
		return HS_E_INVAL;
	for (const char *q = s->rrs; *q && nrr < PS_STATUS_RRS; q++)
		nrr += *q == '\n';
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, done ? 10 : 2);
	eng_mp_pack_str(&pk, "zone");
	eng_mp_pack_str(&pk, s->zone);
	eng_mp_pack_str(&pk, "kind");
	eng_mp_pack_str(&pk, s->kind);
	if (!done)
		return HS_OK;
	eng_mp_pack_str(&pk, "leader");
	eng_mp_pack_str(&pk, s->leader);
	pack_bool(&pk, "ok", s->ok);
	pack_bool(&pk, "changed", s->changed);
	eng_mp_pack_str(&pk, "outcome");
	eng_mp_pack_str(&pk, s->outcome);
	eng_mp_pack_str(&pk, "time");
	msgpack_pack_uint64(&pk, s->time_ms);
	eng_mp_pack_str(&pk, "parent");
	eng_mp_pack_str(&pk, s->parent);
	eng_mp_pack_str(&pk, "target");
	eng_mp_pack_str(&pk, s->target);
	eng_mp_pack_str(&pk, "rrs");
	msgpack_pack_array(&pk, nrr);
	for (size_t i = 0; i < nrr; i++) {
		const char *e = strchr(p, '\n');
		msgpack_pack_str(&pk, (size_t)(e - p));
		msgpack_pack_str_body(&pk, p, (size_t)(e - p));
		p = e + 1;
	}
	return HS_OK;
}

/* An optional string: absent is "", present must be valid. */
static int opt_str(const msgpack_object *m, const char *key, size_t max, char *out)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	out[0] = '\0';
	if (dup)
		return HS_E_MALFORMED;
	return o == NULL ? HS_OK : eng_mp_str(o, max, out);
}

static int opt_bool(const msgpack_object *m, const char *key, int *out)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	*out = 0;
	if (dup || (o != NULL && o->type != MSGPACK_OBJECT_BOOLEAN))
		return HS_E_MALFORMED;
	*out = o != NULL && o->via.boolean;
	return HS_OK;
}

int ps_status_decode(const uint8_t *b, size_t n, ps_status_t *out)
{
	msgpack_unpacked u;
	const msgpack_object *o;
	int dup = 0, rc;

	memset(out, 0, sizeof(*out));
	if (eng_mp_unpack(b, n, &u) != HS_OK)
		return HS_E_MALFORMED;
	rc = eng_mp_field_name(&u.data, "zone", out->zone, NULL);
	if (rc == HS_OK && ((o = eng_mp_get(&u.data, "kind", &dup)) == NULL || dup ||
	                    eng_mp_str(o, sizeof(out->kind) - 1, out->kind) != HS_OK))
		rc = HS_E_MALFORMED;
	if (rc == HS_OK && strcmp(out->kind, "parentsync-done") == 0) {
		if (opt_str(&u.data, "leader", sizeof(out->leader) - 1, out->leader) != HS_OK ||
		    opt_str(&u.data, "outcome", sizeof(out->outcome) - 1, out->outcome) != HS_OK ||
		    opt_str(&u.data, "parent", sizeof(out->parent) - 1, out->parent) != HS_OK ||
		    opt_str(&u.data, "target", sizeof(out->target) - 1, out->target) != HS_OK ||
		    opt_bool(&u.data, "ok", &out->ok) != HS_OK ||
		    opt_bool(&u.data, "changed", &out->changed) != HS_OK)
			rc = HS_E_MALFORMED;
		o = eng_mp_get(&u.data, "time", &dup);
		if (rc == HS_OK &&
		    (dup || (o != NULL && eng_mp_uint(o, UINT64_MAX, &out->time_ms) != HS_OK)))
			rc = HS_E_MALFORMED;
		o = eng_mp_get(&u.data, "rrs", &dup);
		if (rc == HS_OK && o != NULL &&
		    (dup || o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size > PS_STATUS_RRS))
			rc = HS_E_MALFORMED;
		for (uint32_t i = 0; rc == HS_OK && o != NULL && i < o->via.array.size; i++) {
			char line[256];
			size_t k = strlen(out->rrs);
			if (eng_mp_str(&o->via.array.ptr[i], sizeof(line) - 1, line) != HS_OK ||
			    k + strlen(line) + 2 > sizeof(out->rrs))
				rc = HS_E_MALFORMED;
			else
				snprintf(out->rrs + k, sizeof(out->rrs) - k, "%s\n", line);
		}
	}
	msgpack_unpacked_destroy(&u);
	if (rc != HS_OK)
		memset(out, 0, sizeof(*out));
	return rc == HS_OK ? HS_OK : HS_E_MALFORMED;
}
