/* HELLO and HELLO_ACK bodies, plus the name tables shared by all messages. */
#include "engine/msg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/mp.h"
#include "util/xmalloc.h"

static const char *const state_names[] = {
#define X(n, s) s,
    ENG_PEER_STATES(X)
#undef X
};

const char *eng_peer_state_name(eng_peer_state_t s)
{
	if ((unsigned)s >= ENG_PEER__COUNT)
		return "UNKNOWN";
	return state_names[s];
}

int eng_peer_state_parse(const char *s, eng_peer_state_t *out)
{
	for (int i = 0; i < ENG_PEER__COUNT; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (eng_peer_state_t)i;
			return HS_OK;
		}
	}
	return HS_E_MALFORMED;
}

static const struct {
	eng_msg_type_t type;
	const char *name;
} type_rows[] = {
#define X(n, s) {ENG_MSG_##n, s},
    ENG_MSG_TYPES(X)
#undef X
};

const char *eng_msg_type_name(eng_msg_type_t t)
{
	for (size_t i = 0; i < sizeof(type_rows) / sizeof(type_rows[0]); i++)
		if (type_rows[i].type == t)
			return type_rows[i].name;
	return "NONE";
}

eng_msg_type_t eng_msg_type_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(type_rows) / sizeof(type_rows[0]); i++)
		if (strcasecmp(type_rows[i].name, s) == 0)
			return type_rows[i].type;
	return ENG_MSG_NONE;
}

static const char *const ack_reason_names[] = {"",
#define X(n, s) s,
                                               ENG_ACK_REASONS(X)
#undef X
};

const char *eng_ack_reason_name(eng_ack_reason_t r)
{
	if ((size_t)r >= sizeof(ack_reason_names) / sizeof(ack_reason_names[0]))
		return "";
	return ack_reason_names[r];
}

static void pack_str_list(msgpack_packer *pk, char *const *v, size_t n)
{
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		eng_mp_pack_str(pk, v[i]);
}

int eng_hello_encode(const eng_hello_t *h, hs_buf_t *out)
{
	msgpack_packer pk;
	if (h->nzones > ENG_HELLO_MAX_ZONES || h->ncaps > ENG_HELLO_MAX_CAPS ||
	    h->identity[0] == '\0')
		return HS_E_INVAL;
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, 5);
	eng_mp_pack_str(&pk, "identity");
	eng_mp_pack_str(&pk, h->identity);
	eng_mp_pack_str(&pk, "zones");
	pack_str_list(&pk, h->zones, h->nzones);
	eng_mp_pack_str(&pk, "caps");
	pack_str_list(&pk, h->caps, h->ncaps);
	eng_mp_pack_str(&pk, "nonce");
	msgpack_pack_uint64(&pk, h->nonce);
	eng_mp_pack_str(&pk, "time");
	msgpack_pack_uint64(&pk, h->time_ms);
	return HS_OK;
}

int eng_hello_ack_encode(const eng_hello_ack_t *a, hs_buf_t *out)
{
	msgpack_packer pk;
	if (a->identity[0] == '\0' || strlen(a->reason) > ENG_REASON_MAX)
		return HS_E_INVAL;
	int text = !a->accept && a->text[0] != '\0';
	if (strlen(a->text) > ENG_REASON_MAX)
		return HS_E_INVAL;
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, a->accept ? 3 : (text ? 5 : 4));
	eng_mp_pack_str(&pk, "identity");
	eng_mp_pack_str(&pk, a->identity);
	eng_mp_pack_str(&pk, "nonce");
	msgpack_pack_uint64(&pk, a->nonce);
	eng_mp_pack_str(&pk, "accept");
	if (a->accept)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
	if (!a->accept) {
		eng_mp_pack_str(&pk, "reason");
		eng_mp_pack_str(&pk, a->reason[0] ? a->reason : "rejected");
	}
	if (text) {
		eng_mp_pack_str(&pk, "text");
		eng_mp_pack_str(&pk, a->text);
	}
	return HS_OK;
}

/* A list of strings; names canonicalised when `names`. */
static int get_list(const msgpack_object *m, const char *key, size_t maxn, size_t maxlen, int names,
                    char ***out, size_t *nout, hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY)
		return hs_fail(em, HS_E_MALFORMED, "'%s' missing or not a list", key);
	if (o->via.array.size > maxn)
		return hs_fail(em, HS_E_LIMIT, "'%s' has more than %zu entries", key, maxn);
	char **v = o->via.array.size ? xcalloc(o->via.array.size, sizeof(*v)) : NULL;
	size_t n = 0;
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		char raw[ENG_NAME_MAX], canon[ENG_NAME_MAX];
		if (eng_mp_str(&o->via.array.ptr[i], maxlen, raw) != HS_OK ||
		    (names && eng_name_canon(raw, strlen(raw), canon) != HS_OK)) {
			for (size_t j = 0; j < n; j++)
				free(v[j]);
			free(v);
			return hs_fail(em, HS_E_MALFORMED, "'%s' entry %u is not valid", key,
			               i + 1);
		}
		v[n++] = xstrdup(names ? canon : raw);
	}
	*out = v;
	*nout = n;
	return HS_OK;
}

int eng_hello_decode(const uint8_t *p, size_t n, eng_hello_t *out, hs_errmsg_t *em)
{
	msgpack_unpacked u;
	eng_hello_t h;
	int rc = eng_mp_unpack(p, n, &u);
	if (rc != HS_OK)
		return hs_fail(em, rc, "hello: not a bounded msgpack map");
	memset(&h, 0, sizeof(h));
	const msgpack_object *m = &u.data;
	if ((rc = eng_mp_field_name(m, "identity", h.identity, em)) != HS_OK ||
	    (rc = get_list(m, "zones", ENG_HELLO_MAX_ZONES, ENG_NAME_MAX - 1, 1, &h.zones,
	                   &h.nzones, em)) != HS_OK ||
	    (rc = get_list(m, "caps", ENG_HELLO_MAX_CAPS, ENG_CAP_MAX, 0, &h.caps, &h.ncaps, em)) !=
	        HS_OK ||
	    (rc = eng_mp_field_uint(m, "nonce", UINT64_MAX, &h.nonce, em)) != HS_OK ||
	    (rc = eng_mp_field_uint(m, "time", UINT64_MAX, &h.time_ms, em)) != HS_OK)
		goto cleanup;
	*out = h;
	memset(&h, 0, sizeof(h));
cleanup:
	eng_hello_free(&h);
	msgpack_unpacked_destroy(&u);
	return rc;
}

int eng_hello_ack_decode(const uint8_t *p, size_t n, eng_hello_ack_t *out, hs_errmsg_t *em)
{
	msgpack_unpacked u;
	eng_hello_ack_t a;
	int dup = 0;
	int rc = eng_mp_unpack(p, n, &u);
	if (rc != HS_OK)
		return hs_fail(em, rc, "hello_ack: not a bounded msgpack map");
	memset(&a, 0, sizeof(a));
	const msgpack_object *m = &u.data;
	if ((rc = eng_mp_field_name(m, "identity", a.identity, em)) != HS_OK ||
	    (rc = eng_mp_field_uint(m, "nonce", UINT64_MAX, &a.nonce, em)) != HS_OK)
		goto cleanup;
	const msgpack_object *acc = eng_mp_get(m, "accept", &dup);
	const msgpack_object *why = eng_mp_get(m, "reason", &dup);
	const msgpack_object *txt = eng_mp_get(m, "text", &dup);
	rc = HS_E_MALFORMED;
	if (dup) {
		hs_fail(em, rc, "key given twice");
		goto cleanup;
	}
	if (acc == NULL || acc->type != MSGPACK_OBJECT_BOOLEAN) {
		hs_fail(em, rc, "'accept' missing or not a boolean");
		goto cleanup;
	}
	a.accept = acc->via.boolean;
	if (why != NULL && eng_mp_str(why, ENG_REASON_MAX, a.reason) != HS_OK) {
		hs_fail(em, rc, "'reason' is not printable text");
		goto cleanup;
	}
	if (txt != NULL && eng_mp_str(txt, ENG_REASON_MAX, a.text) != HS_OK) {
		hs_fail(em, rc, "'text' is not printable text");
		goto cleanup;
	}
	if (!a.accept && a.reason[0] == '\0') {
		hs_fail(em, rc, "a rejection needs a 'reason'");
		goto cleanup;
	}
	*out = a;
	rc = HS_OK;
cleanup:
	msgpack_unpacked_destroy(&u);
	return rc;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void eng_hello_free(eng_hello_t *h)
{
	if (h == NULL)
		return;
	free_list(h->zones, h->nzones);
	free_list(h->caps, h->ncaps);
	h->zones = h->caps = NULL;
	h->nzones = h->ncaps = 0;
}
