/* ELECT bodies (proto/elect_messages.md): call, vote, confirm. */
#include "engine/elect/el_msg.h"

#include <stdlib.h>
#include <string.h>

#include "engine/mp.h"
#include "util/xmalloc.h"

static const char *const kind_names[] = {"none",
#define X(n, s) s,
                                         EL_MSG_KINDS(X)
#undef X
};

static const char *const refusal_names[] = {"",
#define X(n, s) s,
                                            EL_REFUSALS(X)
#undef X
};

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

const char *el_msg_kind_name(el_msg_kind_t k)
{
	return (unsigned)k < NROWS(kind_names) ? kind_names[k] : "unknown";
}

const char *el_refusal_name(el_refusal_t r)
{
	return (unsigned)r < NROWS(refusal_names) ? refusal_names[r] : "";
}

/* A name as the decoder would leave it: canonical already. */
static int name_ok(const char *s)
{
	char c[ENG_NAME_MAX];
	return s[0] != '\0' && eng_name_canon(s, strlen(s), c) == HS_OK && strcmp(c, s) == 0;
}

static int text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* The rules of EL-4 on a struct, shared by the encoder and the decoder
 * (which checks the wire-level ones itself). NULL when fine. */
static const char *kind_rules(const el_msg_t *m)
{
	if (m->term == 0)
		return "term 0";
	switch (m->kind) {
	case EL_MSG_CALL:
		return m->ballot == 0 ? "a call with ballot 0" : NULL;
	case EL_MSG_VOTE:
		return NULL;
	case EL_MSG_CONFIRM:
		if (m->round == 0 && m->nballots == 0)
			return "a result (round 0) without ballots";
		if (m->lease_ms > EL_MSG_LEASE_MAX)
			return "lease over 3600000 ms";
		return NULL;
	default:
		return "unknown kind";
	}
}

int el_msg_encode(const el_msg_t *m, hs_buf_t *out)
{
	msgpack_packer pk;
	size_t nkeys = 3;
	int vote = m->kind == EL_MSG_VOTE, confirm = m->kind == EL_MSG_CONFIRM;

	if (!eng_group_id_ok(m->group) || kind_rules(m) != NULL || m->nballots > EL_MSG_MAX_BALLOTS)
		return HS_E_INVAL;
	if ((vote && m->leader[0] && !name_ok(m->leader)) ||
	    (vote && m->reason[0] && !text_ok(m->reason, EL_MSG_REASON_MAX)) ||
	    (confirm && !name_ok(m->winner)))
		return HS_E_INVAL;
	for (size_t i = 0; i < m->nballots; i++) {
		if (!name_ok(m->ballots[i].name))
			return HS_E_INVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->ballots[i].name, m->ballots[j].name) == 0)
				return HS_E_INVAL;
	}
	if (!confirm)
		nkeys += 1 + (vote && m->leader[0]) + (vote && m->reason[0]);
	else
		nkeys += 2 + (m->lease_ms != 0) + (m->nballots != 0);
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, nkeys);
	eng_mp_pack_str(&pk, "group");
	eng_mp_pack_str(&pk, m->group);
	eng_mp_pack_str(&pk, "kind");
	eng_mp_pack_str(&pk, el_msg_kind_name(m->kind));
	eng_mp_pack_str(&pk, "term");
	msgpack_pack_uint64(&pk, m->term);
	if (!confirm) {
		eng_mp_pack_str(&pk, "ballot");
		msgpack_pack_uint64(&pk, m->ballot);
	}
	if (vote && m->leader[0]) {
		eng_mp_pack_str(&pk, "leader");
		eng_mp_pack_str(&pk, m->leader);
	}
	if (vote && m->reason[0]) {
		eng_mp_pack_str(&pk, "reason");
		eng_mp_pack_str(&pk, m->reason);
	}
	if (confirm) {
		eng_mp_pack_str(&pk, "winner");
		eng_mp_pack_str(&pk, m->winner);
		eng_mp_pack_str(&pk, "round");
		msgpack_pack_uint64(&pk, m->round);
		if (m->lease_ms != 0) {
			eng_mp_pack_str(&pk, "lease");
			msgpack_pack_uint32(&pk, m->lease_ms);
		}
		if (m->nballots != 0) {
			eng_mp_pack_str(&pk, "ballots");
			msgpack_pack_map(&pk, m->nballots);
			for (size_t i = 0; i < m->nballots; i++) {
				eng_mp_pack_str(&pk, m->ballots[i].name);
				msgpack_pack_uint64(&pk, m->ballots[i].ballot);
			}
		}
	}
	return HS_OK;
}

void el_msg_free(el_msg_t *m)
{
	if (m == NULL)
		return;
	free(m->ballots);
	memset(m, 0, sizeof(*m));
}

/* An optional string field: "" when absent. */
static int opt_str(const msgpack_object *m, const char *key, size_t max, char *out, int name,
                   hs_errmsg_t *em)
{
	int dup = 0;
	char raw[ENG_NAME_MAX];
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	out[0] = '\0';
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (o == NULL)
		return HS_OK;
	if (!name)
		return eng_mp_str(o, max, out) == HS_OK
		           ? HS_OK
		           : hs_fail(em, HS_E_MALFORMED, "'%s' is not text of 1..%zu octets", key,
		                     max);
	if (eng_mp_str(o, ENG_NAME_MAX - 1, raw) != HS_OK ||
	    eng_name_canon(raw, strlen(raw), out) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not a valid name", key);
	return HS_OK;
}

/* An optional unsigned field: *present 0 when absent. */
static int opt_uint(const msgpack_object *m, const char *key, uint64_t max, uint64_t *out,
                    int *present, hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	*present = o != NULL;
	*out = 0;
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (o != NULL && eng_mp_uint(o, max, out) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not an unsigned integer <= %llu", key,
		               (unsigned long long)max);
	return HS_OK;
}

static int decode_ballots(const msgpack_object *m, el_msg_t *out, hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *b = eng_mp_get(m, "ballots", &dup);
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key 'ballots' given twice");
	if (b == NULL)
		return HS_OK;
	if (b->type != MSGPACK_OBJECT_MAP)
		return hs_fail(em, HS_E_MALFORMED, "'ballots' is not a map");
	if (b->via.map.size == 0 || b->via.map.size > EL_MSG_MAX_BALLOTS)
		return hs_fail(em, HS_E_LIMIT, "'ballots' has %u entries (1..%d)", b->via.map.size,
		               EL_MSG_MAX_BALLOTS);
	out->ballots = xcalloc(b->via.map.size, sizeof(*out->ballots));
	for (uint32_t i = 0; i < b->via.map.size; i++) {
		const msgpack_object_kv *kv = &b->via.map.ptr[i];
		el_ballot_t *e = &out->ballots[out->nballots];
		char raw[ENG_NAME_MAX];
		if (eng_mp_str(&kv->key, ENG_NAME_MAX - 1, raw) != HS_OK ||
		    eng_name_canon(raw, strlen(raw), e->name) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "ballot %u: key is not a valid name",
			               i + 1);
		if (eng_mp_uint(&kv->val, UINT64_MAX, &e->ballot) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED,
			               "ballot of '%s' is not an unsigned integer", e->name);
		for (size_t j = 0; j < out->nballots; j++)
			if (strcmp(out->ballots[j].name, e->name) == 0)
				return hs_fail(em, HS_E_MALFORMED, "ballot of '%s' given twice",
				               e->name);
		out->nballots++;
	}
	return HS_OK;
}

int el_msg_decode(const uint8_t *p, size_t n, el_msg_t *out, hs_errmsg_t *em)
{
	msgpack_unpacked up;
	el_msg_t m;
	char kind[16];
	uint64_t v;
	int rc, has_ballot = 0, has_round = 0, has_lease = 0, dup = 0;
	const char *why;

	memset(&m, 0, sizeof(m));
	msgpack_unpacked_init(&up);
	rc = eng_mp_unpack(p, n, &up);
	if (rc != HS_OK) {
		msgpack_unpacked_destroy(&up);
		return hs_fail(em, rc, "elect: not one bounded msgpack map");
	}
	const msgpack_object *o = &up.data;
	const msgpack_object *g = eng_mp_get(o, "group", &dup);
	const msgpack_object *k = eng_mp_get(o, "kind", &dup);
	if (dup) {
		rc = hs_fail(em, HS_E_MALFORMED, "'group' or 'kind' given twice");
		goto cleanup;
	}
	if (eng_mp_str(g, ENG_GROUP_ID_LEN, m.group) != HS_OK || !eng_group_id_ok(m.group)) {
		rc = hs_fail(em, HS_E_MALFORMED, "'group' is not %d lowercase hex digits",
		             ENG_GROUP_ID_LEN);
		goto cleanup;
	}
	if (eng_mp_str(k, sizeof(kind) - 1, kind) != HS_OK) {
		rc = hs_fail(em, HS_E_MALFORMED, "'kind' missing or not text");
		goto cleanup;
	}
	for (int i = EL_MSG_CALL; i <= EL_MSG_CONFIRM; i++)
		if (strcmp(kind, kind_names[i]) == 0)
			m.kind = (el_msg_kind_t)i;
	if (m.kind == EL_MSG_NONE) {
		rc = hs_fail(em, HS_E_MALFORMED, "unknown kind '%s'", kind);
		goto cleanup;
	}
	if ((rc = eng_mp_field_uint(o, "term", UINT64_MAX, &m.term, em)) != HS_OK)
		goto cleanup;
	switch (m.kind) {
	case EL_MSG_CALL:
	case EL_MSG_VOTE:
		rc = opt_uint(o, "ballot", UINT64_MAX, &m.ballot, &has_ballot, em);
		if (rc == HS_OK && !has_ballot)
			rc = hs_fail(em, HS_E_MALFORMED, "a %s without 'ballot'", kind);
		if (rc == HS_OK && m.kind == EL_MSG_VOTE)
			rc = opt_str(o, "leader", 0, m.leader, 1, em);
		if (rc == HS_OK && m.kind == EL_MSG_VOTE)
			rc = opt_str(o, "reason", EL_MSG_REASON_MAX, m.reason, 0, em);
		break;
	default:
		rc = eng_mp_field_name(o, "winner", m.winner, em);
		if (rc == HS_OK)
			rc = opt_uint(o, "round", UINT64_MAX, &m.round, &has_round, em);
		if (rc == HS_OK && !has_round)
			rc = hs_fail(em, HS_E_MALFORMED, "a confirm without 'round'");
		if (rc == HS_OK)
			rc = opt_uint(o, "lease", EL_MSG_LEASE_MAX, &v, &has_lease, em);
		if (rc == HS_OK && has_lease && v == 0)
			rc = hs_fail(em, HS_E_MALFORMED, "'lease' 0");
		m.lease_ms = (uint32_t)v;
		if (rc == HS_OK)
			rc = decode_ballots(o, &m, em);
		break;
	}
	if (rc == HS_OK && (why = kind_rules(&m)) != NULL)
		rc = hs_fail(em, HS_E_MALFORMED, "%s", why);
cleanup:
	msgpack_unpacked_destroy(&up);
	if (rc != HS_OK) {
		el_msg_free(&m);
		return rc;
	}
	*out = m;
	return HS_OK;
}
