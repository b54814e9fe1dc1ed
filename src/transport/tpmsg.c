/*
 * tpmsg.c -- message and receipt codecs (msgpack-c to write, a bounded
 * cursor reader to read).
 */
#include "transport/tpmsg.h"

#include <msgpack.h>
#include <string.h>

#include "wire/cursor.h"

static const char *const msg_types[] = {
#define MSG_TYPE(n, s) s,
#include "proto/msg_types.def"
#undef MSG_TYPE
};

static const char *const reason_names[TP_REASON_COUNT] = {"",
                                                          "envelope",
                                                          "stale",
                                                          "identity-mismatch",
                                                          "unknown-type",
                                                          "malformed",
                                                          "unknown-key",
                                                          "overload",
                                                          "digest"};

static const char *const status_names[] = {"", "received", "duplicate", "fetching", "rejected"};

int tp_msg_type_known(const char *type)
{
	for (size_t i = 0; i < sizeof(msg_types) / sizeof(msg_types[0]); i++)
		if (type != NULL && strcmp(type, msg_types[i]) == 0)
			return 1;
	return 0;
}

const char *tp_reason_name(int reason)
{
	return reason > 0 && reason < TP_REASON_COUNT ? reason_names[reason] : "";
}

int tp_reason_parse(const char *s, size_t n)
{
	for (int i = 1; i < TP_REASON_COUNT; i++)
		if (strlen(reason_names[i]) == n && memcmp(reason_names[i], s, n) == 0)
			return i;
	return TP_REASON_NONE;
}

const char *tp_receipt_status_name(int status)
{
	return status >= TP_RCPT_RECEIVED && status <= TP_RCPT_REJECTED ? status_names[status]
	                                                                : "?";
}

/* ---- reading ------------------------------------------------------------ */

enum mp_kind { MP_NIL, MP_BOOL, MP_UINT, MP_INT, MP_FLOAT, MP_STR, MP_BIN, MP_ARR, MP_MAP, MP_EXT };

/* The head of one value: its kind, and for str/bin/ext the payload, for
 * arrays/maps the element count, for ints the value. */
typedef struct mp_head {
	enum mp_kind kind;
	uint64_t u;
	const uint8_t *p;
	size_t n;
} mp_head_t;

static uint64_t rd_be(wire_rd_t *rd, size_t n)
{
	const uint8_t *p = wire_rd_take(rd, n);
	uint64_t v = 0;
	for (size_t i = 0; p != NULL && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void head_payload(wire_rd_t *rd, mp_head_t *h, enum mp_kind k, size_t n)
{
	h->kind = k;
	h->n = n;
	h->p = wire_rd_take(rd, n);
}

static int mp_head(wire_rd_t *rd, mp_head_t *h)
{
	uint8_t b = wire_rd_u8(rd);
	memset(h, 0, sizeof(*h));
	if (rd->err)
		return rd->err;
	if (b <= 0x7f) {
		h->kind = MP_UINT;
		h->u = b;
	} else if (b <= 0x8f) {
		h->kind = MP_MAP;
		h->n = b & 0x0f;
	} else if (b <= 0x9f) {
		h->kind = MP_ARR;
		h->n = b & 0x0f;
	} else if (b <= 0xbf) {
		head_payload(rd, h, MP_STR, b & 0x1f);
	} else if (b >= 0xe0) {
		h->kind = MP_INT;
	} else {
		switch (b) {
		case 0xc0:
			h->kind = MP_NIL;
			break;
		case 0xc2:
		case 0xc3:
			h->kind = MP_BOOL;
			h->u = b == 0xc3;
			break;
		case 0xc4:
			head_payload(rd, h, MP_BIN, (size_t)rd_be(rd, 1));
			break;
		case 0xc5:
			head_payload(rd, h, MP_BIN, (size_t)rd_be(rd, 2));
			break;
		case 0xc6:
			head_payload(rd, h, MP_BIN, (size_t)rd_be(rd, 4));
			break;
		case 0xc7: {
			size_t n = (size_t)rd_be(rd, 1);
			rd_be(rd, 1);
			head_payload(rd, h, MP_EXT, n);
			break;
		}
		case 0xc8: {
			size_t n = (size_t)rd_be(rd, 2);
			rd_be(rd, 1);
			head_payload(rd, h, MP_EXT, n);
			break;
		}
		case 0xc9: {
			size_t n = (size_t)rd_be(rd, 4);
			rd_be(rd, 1);
			head_payload(rd, h, MP_EXT, n);
			break;
		}
		case 0xca:
			h->kind = MP_FLOAT;
			wire_rd_take(rd, 4);
			break;
		case 0xcb:
			h->kind = MP_FLOAT;
			wire_rd_take(rd, 8);
			break;
		case 0xcc:
			h->kind = MP_UINT;
			h->u = rd_be(rd, 1);
			break;
		case 0xcd:
			h->kind = MP_UINT;
			h->u = rd_be(rd, 2);
			break;
		case 0xce:
			h->kind = MP_UINT;
			h->u = rd_be(rd, 4);
			break;
		case 0xcf:
			h->kind = MP_UINT;
			h->u = rd_be(rd, 8);
			break;
		case 0xd0:
			h->kind = MP_INT;
			wire_rd_take(rd, 1);
			break;
		case 0xd1:
			h->kind = MP_INT;
			wire_rd_take(rd, 2);
			break;
		case 0xd2:
			h->kind = MP_INT;
			wire_rd_take(rd, 4);
			break;
		case 0xd3:
			h->kind = MP_INT;
			wire_rd_take(rd, 8);
			break;
		case 0xd4:
			head_payload(rd, h, MP_EXT, 2);
			break; /* type + 1 */
		case 0xd5:
			head_payload(rd, h, MP_EXT, 3);
			break;
		case 0xd6:
			head_payload(rd, h, MP_EXT, 5);
			break;
		case 0xd7:
			head_payload(rd, h, MP_EXT, 9);
			break;
		case 0xd8:
			head_payload(rd, h, MP_EXT, 17);
			break;
		case 0xd9:
			head_payload(rd, h, MP_STR, (size_t)rd_be(rd, 1));
			break;
		case 0xda:
			head_payload(rd, h, MP_STR, (size_t)rd_be(rd, 2));
			break;
		case 0xdb:
			head_payload(rd, h, MP_STR, (size_t)rd_be(rd, 4));
			break;
		case 0xdc:
			h->kind = MP_ARR;
			h->n = (size_t)rd_be(rd, 2);
			break;
		case 0xdd:
			h->kind = MP_ARR;
			h->n = (size_t)rd_be(rd, 4);
			break;
		case 0xde:
			h->kind = MP_MAP;
			h->n = (size_t)rd_be(rd, 2);
			break;
		case 0xdf:
			h->kind = MP_MAP;
			h->n = (size_t)rd_be(rd, 4);
			break;
		default:
			wire_rd_fail(rd, HS_E_MALFORMED);
			break; /* 0xc1 */
		}
	}
	return rd->err;
}

/* Skip one value, nesting at most `depth` more levels. Every element
 * takes at least one byte, so a count beyond the bytes left fails fast. */
static int mp_skip(wire_rd_t *rd, unsigned depth)
{
	mp_head_t h;
	int rc = mp_head(rd, &h);
	if (rc != HS_OK)
		return rc;
	if (h.kind != MP_ARR && h.kind != MP_MAP)
		return HS_OK;
	if (depth == 0)
		return HS_E_LIMIT;
	uint64_t n = h.kind == MP_MAP ? 2 * (uint64_t)h.n : h.n;
	if (n > wire_rd_left(rd))
		return HS_E_TRUNC;
	for (uint64_t i = 0; i < n && rc == HS_OK; i++)
		rc = mp_skip(rd, depth - 1);
	return rc;
}

int tp_mp_check_map(const uint8_t *p, size_t len)
{
	wire_rd_t rd;
	if (p == NULL || len == 0 || (p[0] & 0xf0) != 0x80) {
		if (p == NULL || len == 0 || (p[0] != 0xde && p[0] != 0xdf))
			return HS_E_MALFORMED;
	}
	wire_rd_init(&rd, p, len);
	int rc = mp_skip(&rd, TP_MP_MAX_DEPTH);
	if (rc == HS_OK)
		rc = wire_rd_finish(&rd);
	return rc == HS_E_LIMIT ? rc : rc == HS_OK ? HS_OK : HS_E_MALFORMED;
}

/* Text without NUL or control characters, at most `max` bytes. */
static int text_copy(const mp_head_t *h, char *out, size_t max)
{
	if (h->kind != MP_STR || h->n == 0 || h->n > max)
		return HS_E_MALFORMED;
	for (size_t i = 0; i < h->n; i++)
		if (h->p[i] < 0x20 || h->p[i] == 0x7f)
			return HS_E_MALFORMED;
	memcpy(out, h->p, h->n);
	out[h->n] = '\0';
	return HS_OK;
}

/* Walk the top-level map of `p`; for each key call `field(key, keylen,
 * rd positioned at the value, arg)`, which must consume the value (or
 * return HS_E_NOTFOUND to have it skipped). Keys must be unique strings. */
typedef int (*field_fn)(const uint8_t *key, size_t klen, wire_rd_t *rd, void *arg);

static int walk_map(const uint8_t *p, size_t len, field_fn field, void *arg)
{
	wire_rd_t rd;
	mp_head_t h;
	const uint8_t *keys[TP_MSG_MAX_KEYS];
	size_t klens[TP_MSG_MAX_KEYS];
	if (p == NULL)
		return HS_E_MALFORMED;
	wire_rd_init(&rd, p, len);
	int rc = mp_head(&rd, &h);
	if (rc != HS_OK || h.kind != MP_MAP || h.n > TP_MSG_MAX_KEYS)
		return HS_E_MALFORMED;
	for (size_t i = 0; i < h.n; i++) {
		mp_head_t k;
		if (mp_head(&rd, &k) != HS_OK || k.kind != MP_STR)
			return HS_E_MALFORMED;
		for (size_t j = 0; j < i; j++)
			if (klens[j] == k.n && memcmp(keys[j], k.p, k.n) == 0)
				return HS_E_MALFORMED;
		keys[i] = k.p;
		klens[i] = k.n;
		rc = field(k.p, k.n, &rd, arg);
		if (rc == HS_E_NOTFOUND)
			rc = mp_skip(&rd, TP_MP_MAX_DEPTH - 1);
		if (rc != HS_OK)
			return rc == HS_E_LIMIT ? rc : HS_E_MALFORMED;
	}
	return wire_rd_finish(&rd) == HS_OK ? HS_OK : HS_E_MALFORMED;
}

static int key_is(const uint8_t *k, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(k, name, n) == 0;
}

enum { F_V = 1, F_ID = 2, F_TS = 4, F_FROM = 8, F_TO = 16, F_TYPE = 32, F_BODY = 64 };

typedef struct msg_walk {
	tp_msg_t *m;
	unsigned seen;
} msg_walk_t;

static int msg_field(const uint8_t *k, size_t n, wire_rd_t *rd, void *arg)
{
	msg_walk_t *w = arg;
	mp_head_t h;
	const uint8_t *start = rd->pos;
	if (key_is(k, n, "body")) {
		int rc = mp_skip(rd, TP_MP_MAX_DEPTH - 1);
		if (rc != HS_OK)
			return rc;
		if ((start[0] & 0xf0) != 0x80 && start[0] != 0xde && start[0] != 0xdf)
			return HS_E_MALFORMED;
		w->m->body = start;
		w->m->body_len = (size_t)(rd->pos - start);
		w->seen |= F_BODY;
		return HS_OK;
	}
	static const struct {
		const char *name;
		unsigned flag;
	} known[] = {{"v", F_V},       {"id", F_ID}, {"ts", F_TS},
	             {"from", F_FROM}, {"to", F_TO}, {"type", F_TYPE}};
	unsigned flag = 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (key_is(k, n, known[i].name))
			flag = known[i].flag;
	if (flag == 0)
		return HS_E_NOTFOUND;
	if (mp_head(rd, &h) != HS_OK)
		return HS_E_MALFORMED;
	w->seen |= flag;
	switch (flag) {
	case F_V:
		if (h.kind != MP_UINT)
			return HS_E_MALFORMED;
		w->m->v = h.u;
		return HS_OK;
	case F_TS:
		if (h.kind != MP_UINT)
			return HS_E_MALFORMED;
		w->m->ts = h.u;
		return HS_OK;
	case F_ID:
		if (h.kind != MP_BIN || h.n != TP_MSGID_LEN)
			return HS_E_MALFORMED;
		memcpy(w->m->id, h.p, TP_MSGID_LEN);
		return HS_OK;
	case F_FROM:
		return text_copy(&h, w->m->from, TP_IDENT_MAX - 1);
	case F_TO:
		return text_copy(&h, w->m->to, TP_IDENT_MAX - 1);
	default:
		return text_copy(&h, w->m->type, TP_MSG_TYPE_MAX);
	}
}

int tp_msg_decode(const uint8_t *p, size_t len, tp_msg_t *out)
{
	tp_msg_t m;
	msg_walk_t w = {&m, 0};
	memset(&m, 0, sizeof(m));
	int rc = walk_map(p, len, msg_field, &w);
	if (rc != HS_OK)
		return rc;
	if (w.seen != (F_V | F_ID | F_TS | F_FROM | F_TO | F_TYPE | F_BODY))
		return HS_E_MALFORMED;
	*out = m;
	return HS_OK;
}

/* ---- writing -------------------------------------------------------------- */

static int sbuf_write(void *data, const char *buf, size_t len)
{
	hs_buf_append(data, buf, len);
	return 0;
}

static void pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

int tp_msg_encode(hs_buf_t *out, const tp_msg_t *m)
{
	static const uint8_t empty_map = 0x80;
	const uint8_t *body = m->body_len ? m->body : &empty_map;
	size_t blen = m->body_len ? m->body_len : 1;
	if (tp_mp_check_map(body, blen) != HS_OK)
		return HS_E_MALFORMED;
	msgpack_packer pk;
	msgpack_packer_init(&pk, out, sbuf_write);
	msgpack_pack_map(&pk, 7);
	pack_str(&pk, "v");
	msgpack_pack_uint64(&pk, m->v);
	pack_str(&pk, "id");
	msgpack_pack_bin(&pk, TP_MSGID_LEN);
	msgpack_pack_bin_body(&pk, m->id, TP_MSGID_LEN);
	pack_str(&pk, "ts");
	msgpack_pack_uint64(&pk, m->ts);
	pack_str(&pk, "from");
	pack_str(&pk, m->from);
	pack_str(&pk, "to");
	pack_str(&pk, m->to);
	pack_str(&pk, "type");
	pack_str(&pk, m->type);
	pack_str(&pk, "body");
	hs_buf_append(out, body, blen);
	return HS_OK;
}

int tp_receipt_encode(hs_buf_t *out, const tp_receipt_t *r)
{
	if (r->status < TP_RCPT_RECEIVED || r->status > TP_RCPT_REJECTED)
		return HS_E_INVAL;
	int with_reason =
	    r->status == TP_RCPT_REJECTED && r->reason > 0 && r->reason < TP_REASON_COUNT;
	msgpack_packer pk;
	msgpack_packer_init(&pk, out, sbuf_write);
	msgpack_pack_map(&pk, 1 + (r->has_id ? 1 : 0) + (with_reason ? 1 : 0));
	pack_str(&pk, "status");
	pack_str(&pk, status_names[r->status]);
	if (r->has_id) {
		pack_str(&pk, "id");
		msgpack_pack_bin(&pk, TP_MSGID_LEN);
		msgpack_pack_bin_body(&pk, r->id, TP_MSGID_LEN);
	}
	if (with_reason) {
		pack_str(&pk, "reason");
		pack_str(&pk, reason_names[r->reason]);
	}
	return HS_OK;
}

static int rcpt_field(const uint8_t *k, size_t n, wire_rd_t *rd, void *arg)
{
	tp_receipt_t *r = arg;
	mp_head_t h;
	if (!key_is(k, n, "status") && !key_is(k, n, "id") && !key_is(k, n, "reason"))
		return HS_E_NOTFOUND;
	if (mp_head(rd, &h) != HS_OK)
		return HS_E_MALFORMED;
	if (key_is(k, n, "id")) {
		if (h.kind != MP_BIN || h.n != TP_MSGID_LEN)
			return HS_E_MALFORMED;
		memcpy(r->id, h.p, TP_MSGID_LEN);
		r->has_id = 1;
		return HS_OK;
	}
	if (h.kind != MP_STR)
		return HS_E_MALFORMED;
	if (key_is(k, n, "reason")) {
		r->reason = tp_reason_parse((const char *)h.p, h.n);
		return HS_OK;
	}
	for (int i = TP_RCPT_RECEIVED; i <= TP_RCPT_REJECTED; i++)
		if (strlen(status_names[i]) == h.n && memcmp(status_names[i], h.p, h.n) == 0)
			r->status = (enum tp_receipt_status)i;
	return r->status ? HS_OK : HS_E_MALFORMED;
}

int tp_receipt_decode(const uint8_t *p, size_t len, tp_receipt_t *out)
{
	tp_receipt_t r;
	memset(&r, 0, sizeof(r));
	int rc = walk_map(p, len, rcpt_field, &r);
	if (rc != HS_OK)
		return HS_E_MALFORMED;
	if (r.status == 0)
		return HS_E_MALFORMED;
	*out = r;
	return HS_OK;
}

/* ---- PING ----------------------------------------------------------------- */

void tp_ping_encode(hs_buf_t *out, const uint8_t *data, size_t len, int echo)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, out, sbuf_write);
	msgpack_pack_map(&pk, echo ? 2 : 1);
	pack_str(&pk, "data");
	msgpack_pack_bin(&pk, len);
	msgpack_pack_bin_body(&pk, data, len);
	if (echo) {
		pack_str(&pk, "echo");
		msgpack_pack_true(&pk);
	}
}

static int ping_field(const uint8_t *k, size_t n, wire_rd_t *rd, void *arg)
{
	tp_ping_t *pg = arg;
	mp_head_t h;
	if (!key_is(k, n, "data") && !key_is(k, n, "echo"))
		return HS_E_NOTFOUND;
	if (mp_head(rd, &h) != HS_OK)
		return HS_E_MALFORMED;
	if (key_is(k, n, "data")) {
		if (h.kind != MP_BIN)
			return HS_E_MALFORMED;
		pg->data = h.p ? h.p : (const uint8_t *)"";
		pg->data_len = h.n;
		return HS_OK;
	}
	if (h.kind != MP_BOOL)
		return HS_E_MALFORMED;
	pg->echo = h.u != 0;
	return HS_OK;
}

int tp_ping_decode(const uint8_t *p, size_t len, tp_ping_t *out)
{
	tp_ping_t pg;
	memset(&pg, 0, sizeof(pg));
	if (len == 0) { /* an empty body is the empty map */
		*out = pg;
		return HS_OK;
	}
	if (walk_map(p, len, ping_field, &pg) != HS_OK)
		return HS_E_MALFORMED;
	*out = pg;
	return HS_OK;
}
