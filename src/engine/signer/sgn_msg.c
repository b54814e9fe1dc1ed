/* sgn_msg.c -- KEYSTATE bodies (proto/keystate_messages.md). */
#include "engine/signer/sgn_msg.h"

#include <stdlib.h>
#include <string.h>

#include "engine/mp.h"
#include "engine/zone.h"
#include "util/xmalloc.h"

static const char *const kinds[] = {NULL,         "inventory", "status",
                                    "propagated", "rejected",  "removed"};
static const char *const verdicts[] = {"pending", "applied",  "removed",
                                       "ignored", "rejected", "unconfirmed"};

const char *sgn_ks_kind_name(enum sgn_ks_kind k)
{
	return k >= SGN_KS_INVENTORY && k <= SGN_KS_REMOVED ? kinds[k] : "?";
}

int sgn_ks_verdict_final(const char *v)
{
	return strcmp(v, "applied") == 0 || strcmp(v, "removed") == 0 ||
	       strcmp(v, "ignored") == 0 || strcmp(v, "rejected") == 0;
}

static int verdict_ok(const char *v)
{
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (strcmp(v, verdicts[i]) == 0)
			return 1;
	return 0;
}

static const char *const states[] = {"created", "mpdist",   "published", "standby", "active",
                                     "retired", "mpremove", "removed",   "foreign"};

static int state_ok(const char *s)
{
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(s, states[i]) == 0)
			return 1;
	return 0;
}

void sgn_ks_free(sgn_keystate_t *ks)
{
	if (ks == NULL)
		return;
	for (size_t i = 0; i < ks->nkeys; i++)
		free(ks->keys[i].rdata);
	for (size_t i = 0; i < ks->nverdicts; i++)
		free(ks->verdicts[i].rdata);
	free(ks->keys);
	free(ks->peers);
	free(ks->verdicts);
	memset(ks, 0, sizeof(*ks));
}

static void pack_bin(msgpack_packer *pk, const uint8_t *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

int sgn_ks_encode(const sgn_keystate_t *ks, hs_buf_t *out)
{
	msgpack_packer pk;
	size_t nmap = 3;
	if (ks == NULL || ks->zone[0] == '\0' || ks->kind < SGN_KS_INVENTORY ||
	    ks->kind > SGN_KS_REMOVED || ks->nkeys > SGN_KS_MAX_KEYS ||
	    ks->npeers > SGN_KS_MAX_PEERS || ks->nverdicts > SGN_KS_MAX_VERDICTS)
		return HS_E_INVAL;
	for (size_t i = 0; i < ks->nkeys; i++)
		if (ks->keys[i].len < SGN_KS_RDATA_MIN || ks->keys[i].len > SGN_KS_RDATA_MAX ||
		    !state_ok(ks->keys[i].state))
			return HS_E_INVAL;
	for (size_t i = 0; i < ks->nverdicts; i++)
		if (ks->verdicts[i].len < SGN_KS_RDATA_MIN ||
		    ks->verdicts[i].len > SGN_KS_RDATA_MAX ||
		    !verdict_ok(ks->verdicts[i].verdict) || ks->verdicts[i].provider[0] == '\0')
			return HS_E_INVAL;
	nmap += ks->nkeys > 0 || ks->kind == SGN_KS_INVENTORY;
	nmap += ks->has_peers;
	nmap += ks->nverdicts > 0;
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, nmap);
	eng_mp_pack_str(&pk, "zone");
	eng_mp_pack_str(&pk, ks->zone);
	eng_mp_pack_str(&pk, "kind");
	eng_mp_pack_str(&pk, kinds[ks->kind]);
	eng_mp_pack_str(&pk, "seq");
	msgpack_pack_uint64(&pk, ks->seq);
	if (ks->nkeys > 0 || ks->kind == SGN_KS_INVENTORY) {
		eng_mp_pack_str(&pk, "keys");
		msgpack_pack_array(&pk, ks->nkeys);
		for (size_t i = 0; i < ks->nkeys; i++) {
			msgpack_pack_map(&pk, 2);
			eng_mp_pack_str(&pk, "rdata");
			pack_bin(&pk, ks->keys[i].rdata, ks->keys[i].len);
			eng_mp_pack_str(&pk, "state");
			eng_mp_pack_str(&pk, ks->keys[i].state);
		}
	}
	if (ks->has_peers) {
		eng_mp_pack_str(&pk, "peers");
		msgpack_pack_array(&pk, ks->npeers);
		for (size_t i = 0; i < ks->npeers; i++)
			eng_mp_pack_str(&pk, ks->peers[i]);
	}
	if (ks->nverdicts > 0) {
		eng_mp_pack_str(&pk, "verdicts");
		msgpack_pack_array(&pk, ks->nverdicts);
		for (size_t i = 0; i < ks->nverdicts; i++) {
			const sgn_ks_verdict_t *v = &ks->verdicts[i];
			msgpack_pack_map(&pk, v->reason[0] ? 4 : 3);
			eng_mp_pack_str(&pk, "rdata");
			pack_bin(&pk, v->rdata, v->len);
			eng_mp_pack_str(&pk, "provider");
			eng_mp_pack_str(&pk, v->provider);
			eng_mp_pack_str(&pk, "verdict");
			eng_mp_pack_str(&pk, v->verdict);
			if (v->reason[0]) {
				eng_mp_pack_str(&pk, "reason");
				eng_mp_pack_str(&pk, v->reason);
			}
		}
	}
	return HS_OK;
}

/* An optional list under `key`: NULL when absent, else must be an array
 * of at most `max`. */
static int get_array(const msgpack_object *m, const char *key, size_t max,
                     const msgpack_object **out, hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	*out = NULL;
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (o == NULL)
		return HS_OK;
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not a list", key);
	if (o->via.array.size > max)
		return hs_fail(em, HS_E_LIMIT, "'%s' has more than %zu entries", key, max);
	*out = o;
	return HS_OK;
}

static int get_rdata(const msgpack_object *m, uint8_t **p, size_t *n, hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, "rdata", &dup);
	if (dup || o == NULL || o->type != MSGPACK_OBJECT_BIN)
		return hs_fail(em, HS_E_MALFORMED, "'rdata' missing or not bytes");
	if (o->via.bin.size < SGN_KS_RDATA_MIN || o->via.bin.size > SGN_KS_RDATA_MAX)
		return hs_fail(em, HS_E_MALFORMED, "'rdata' of %u octets", o->via.bin.size);
	*n = o->via.bin.size;
	*p = xmalloc(*n);
	memcpy(*p, o->via.bin.ptr, *n);
	return HS_OK;
}

static int get_str(const msgpack_object *m, const char *key, size_t max, char *out, int required,
                   hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	out[0] = '\0';
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (o == NULL)
		return required ? hs_fail(em, HS_E_MALFORMED, "'%s' missing", key) : HS_OK;
	if (eng_mp_str(o, max, out) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not text of 1..%zu octets", key, max);
	return HS_OK;
}

int sgn_ks_decode(const uint8_t *p, size_t n, sgn_keystate_t *out, hs_errmsg_t *em)
{
	msgpack_unpacked up;
	sgn_keystate_t ks;
	const msgpack_object *m, *a;
	char kind[16];
	int rc;

	memset(&ks, 0, sizeof(ks));
	msgpack_unpacked_init(&up);
	rc = eng_mp_unpack(p, n, &up);
	if (rc != HS_OK) {
		msgpack_unpacked_destroy(&up);
		return hs_fail(em, rc, "not one bounded msgpack map");
	}
	m = &up.data;
	rc = eng_mp_field_name(m, "zone", ks.zone, em);
	if (rc == HS_OK)
		rc = get_str(m, "kind", sizeof(kind) - 1, kind, 1, em);
	if (rc == HS_OK) {
		for (int k = SGN_KS_INVENTORY; k <= SGN_KS_REMOVED; k++)
			if (strcmp(kind, kinds[k]) == 0)
				ks.kind = (enum sgn_ks_kind)k;
		if (ks.kind == 0)
			rc = hs_fail(em, HS_E_MALFORMED, "unknown kind '%s'", kind);
	}
	if (rc == HS_OK)
		rc = eng_mp_field_uint(m, "seq", UINT64_MAX, &ks.seq, em);
	if (rc == HS_OK)
		rc = get_array(m, "keys", SGN_KS_MAX_KEYS, &a, em);
	if (rc == HS_OK && a == NULL && ks.kind == SGN_KS_INVENTORY)
		rc = hs_fail(em, HS_E_MALFORMED, "an inventory without 'keys'");
	if (rc == HS_OK && a != NULL && a->via.array.size) {
		ks.keys = xcalloc(a->via.array.size, sizeof(*ks.keys));
		for (uint32_t i = 0; i < a->via.array.size && rc == HS_OK; i++) {
			const msgpack_object *e = &a->via.array.ptr[i];
			sgn_ks_key_t *k = &ks.keys[ks.nkeys];
			if (e->type != MSGPACK_OBJECT_MAP) {
				rc = hs_fail(em, HS_E_MALFORMED, "a key is not a map");
				break;
			}
			rc = get_rdata(e, &k->rdata, &k->len, em);
			if (rc != HS_OK)
				break;
			ks.nkeys++;
			rc = get_str(e, "state", sizeof(k->state) - 1, k->state, 1, em);
			if (rc == HS_OK && !state_ok(k->state))
				rc =
				    hs_fail(em, HS_E_MALFORMED, "unknown key state '%s'", k->state);
		}
	}
	if (rc == HS_OK)
		rc = get_array(m, "peers", SGN_KS_MAX_PEERS, &a, em);
	if (rc == HS_OK && a != NULL) {
		ks.has_peers = 1;
		ks.peers = xcalloc(a->via.array.size ? a->via.array.size : 1, sizeof(*ks.peers));
		for (uint32_t i = 0; i < a->via.array.size && rc == HS_OK; i++) {
			char raw[256];
			if (eng_mp_str(&a->via.array.ptr[i], 255, raw) != HS_OK ||
			    eng_name_canon(raw, strlen(raw), ks.peers[ks.npeers]) != HS_OK)
				rc = hs_fail(em, HS_E_MALFORMED, "a peer is not a name");
			else
				ks.npeers++;
		}
	}
	if (rc == HS_OK)
		rc = get_array(m, "verdicts", SGN_KS_MAX_VERDICTS, &a, em);
	if (rc == HS_OK && a != NULL && a->via.array.size) {
		ks.verdicts = xcalloc(a->via.array.size, sizeof(*ks.verdicts));
		for (uint32_t i = 0; i < a->via.array.size && rc == HS_OK; i++) {
			const msgpack_object *e = &a->via.array.ptr[i];
			sgn_ks_verdict_t *v = &ks.verdicts[ks.nverdicts];
			if (e->type != MSGPACK_OBJECT_MAP) {
				rc = hs_fail(em, HS_E_MALFORMED, "a verdict is not a map");
				break;
			}
			rc = get_rdata(e, &v->rdata, &v->len, em);
			if (rc != HS_OK)
				break;
			ks.nverdicts++;
			rc = eng_mp_field_name(e, "provider", v->provider, em);
			if (rc == HS_OK)
				rc = get_str(e, "verdict", sizeof(v->verdict) - 1, v->verdict, 1,
				             em);
			if (rc == HS_OK && !verdict_ok(v->verdict))
				rc =
				    hs_fail(em, HS_E_MALFORMED, "unknown verdict '%s'", v->verdict);
			if (rc == HS_OK)
				rc = get_str(e, "reason", 255, v->reason, 0, em);
		}
	}
	msgpack_unpacked_destroy(&up);
	if (rc != HS_OK) {
		sgn_ks_free(&ks);
		return rc;
	}
	*out = ks;
	return HS_OK;
}
