#include "engine/mp.h"

#include <string.h>

#include "engine/zone.h"
#include "util/errmsg.h"
#include "util/hs_err.h"
#include "wire/cursor.h"

static void skip_len(wire_rd_t *rd, size_t n)
{
	(void)wire_rd_take(rd, n);
}

/* Counts must fit in what is left: each element takes at least one octet. */
static void need_items(wire_rd_t *rd, uint64_t items)
{
	if (items > wire_rd_left(rd))
		wire_rd_fail(rd, HS_E_LIMIT);
}

static void walk(wire_rd_t *rd, int depth)
{
	if (depth > ENG_MP_MAX_DEPTH) {
		wire_rd_fail(rd, HS_E_LIMIT);
		return;
	}
	uint8_t t = wire_rd_u8(rd);
	uint64_t count = 0;
	int is_map = 0, container = 0;
	if (rd->err)
		return;
	if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
		return; /* fixint, nil, bool */
	if ((t & 0xf0) == 0x80) {
		count = t & 0x0f;
		is_map = container = 1;
	} else if ((t & 0xf0) == 0x90) {
		count = t & 0x0f;
		container = 1;
	} else if ((t & 0xe0) == 0xa0) {
		skip_len(rd, t & 0x1f);
		return;
	} else {
		switch (t) {
		case 0xc4:
		case 0xd9:
			skip_len(rd, wire_rd_u8(rd));
			return;
		case 0xc5:
		case 0xda:
			skip_len(rd, wire_rd_u16(rd));
			return;
		case 0xc6:
		case 0xdb:
			skip_len(rd, wire_rd_u32(rd));
			return;
		case 0xc7:
			skip_len(rd, (size_t)wire_rd_u8(rd) + 1);
			return;
		case 0xc8:
			skip_len(rd, (size_t)wire_rd_u16(rd) + 1);
			return;
		case 0xc9:
			skip_len(rd, (size_t)wire_rd_u32(rd) + 1);
			return;
		case 0xca:
		case 0xce:
		case 0xd2:
			skip_len(rd, 4);
			return;
		case 0xcb:
		case 0xcf:
		case 0xd3:
			skip_len(rd, 8);
			return;
		case 0xcc:
		case 0xd0:
			skip_len(rd, 1);
			return;
		case 0xcd:
		case 0xd1:
			skip_len(rd, 2);
			return;
		case 0xd4:
			skip_len(rd, 2);
			return;
		case 0xd5:
			skip_len(rd, 3);
			return;
		case 0xd6:
			skip_len(rd, 5);
			return;
		case 0xd7:
			skip_len(rd, 9);
			return;
		case 0xd8:
			skip_len(rd, 17);
			return;
		case 0xdc:
			count = wire_rd_u16(rd);
			container = 1;
			break;
		case 0xdd:
			count = wire_rd_u32(rd);
			container = 1;
			break;
		case 0xde:
			count = wire_rd_u16(rd);
			is_map = container = 1;
			break;
		case 0xdf:
			count = wire_rd_u32(rd);
			is_map = container = 1;
			break;
		default:
			wire_rd_fail(rd, HS_E_MALFORMED);
			return; /* 0xc1 */
		}
	}
	if (!container)
		return;
	if (is_map)
		count *= 2;
	need_items(rd, count);
	for (uint64_t i = 0; i < count && !rd->err; i++)
		walk(rd, depth + 1);
}

int eng_mp_check(const uint8_t *p, size_t n)
{
	wire_rd_t rd;
	if (n > ENG_MP_MAX_BODY)
		return HS_E_LIMIT;
	wire_rd_init(&rd, p, n);
	walk(&rd, 0);
	return wire_rd_finish(&rd);
}

int eng_mp_unpack(const uint8_t *p, size_t n, msgpack_unpacked *out)
{
	int rc = eng_mp_check(p, n);
	if (rc != HS_OK)
		return rc;
	size_t off = 0;
	msgpack_unpacked_init(out);
	if (msgpack_unpack_next(out, (const char *)p, n, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != n || out->data.type != MSGPACK_OBJECT_MAP) {
		msgpack_unpacked_destroy(out);
		return HS_E_MALFORMED;
	}
	return HS_OK;
}

static int key_is(const msgpack_object *k, const char *key)
{
	size_t n = strlen(key);
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
	       memcmp(k->via.str.ptr, key, n) == 0;
}

const msgpack_object *eng_mp_get(const msgpack_object *m, const char *key, int *dup)
{
	const msgpack_object *found = NULL;
	if (m->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		if (!key_is(&m->via.map.ptr[i].key, key))
			continue;
		if (found != NULL && dup != NULL)
			*dup = 1;
		found = &m->via.map.ptr[i].val;
	}
	return found;
}

int eng_mp_uint(const msgpack_object *o, uint64_t max, uint64_t *out)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > max)
		return HS_E_MALFORMED;
	*out = o->via.u64;
	return HS_OK;
}

int eng_mp_str(const msgpack_object *o, size_t max, char *out)
{
	if (o == NULL || o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 ||
	    o->via.str.size > max)
		return HS_E_MALFORMED;
	for (uint32_t i = 0; i < o->via.str.size; i++) {
		unsigned char c = (unsigned char)o->via.str.ptr[i];
		if (c < 0x20 || c > 0x7e)
			return HS_E_MALFORMED;
	}
	memcpy(out, o->via.str.ptr, o->via.str.size);
	out[o->via.str.size] = '\0';
	return HS_OK;
}

static int buf_write(void *data, const char *p, size_t n)
{
	hs_buf_append(data, p, n);
	return 0;
}

void eng_mp_packer(msgpack_packer *pk, hs_buf_t *b)
{
	msgpack_packer_init(pk, b, buf_write);
}

void eng_mp_pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

/* A required name field, canonicalised. */
int eng_mp_field_name(const msgpack_object *m, const char *key, char out[256], hs_errmsg_t *em)
{
	int dup = 0;
	char raw[ENG_NAME_MAX];
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (eng_mp_str(o, ENG_NAME_MAX - 1, raw) != HS_OK ||
	    eng_name_canon(raw, strlen(raw), out) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "'%s' missing or not a valid name", key);
	return HS_OK;
}

int eng_mp_field_uint(const msgpack_object *m, const char *key, uint64_t max, uint64_t *out,
                      hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (eng_mp_uint(o, max, out) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "'%s' missing or not an unsigned integer", key);
	return HS_OK;
}
