/* The synchronisation bodies (proto/sync_messages.md) and their code points. */
#include "engine/syncmsg.h"

#include <stdlib.h>
#include <string.h>

#include "engine/mp.h"
#include "util/xmalloc.h"

/* ---- code points ---- */

static const struct {
	const char *name;
	int final;
} verdict_rows[] = {
#define SYNC_VERDICT(n, s, f) {s, f},
#include "proto/sync_verdicts.def"
#undef SYNC_VERDICT
};

static const struct {
	const char *name;
	sm_verdict_t verdict;
	const char *text;
} reason_rows[] = {
    {"", SM_V_PENDING, "no reason"},
#define SYNC_REASON(n, s, v, d) {s, SM_V_##v, d},
#include "proto/sync_reasons.def"
#undef SYNC_REASON
};

static const struct {
	uint16_t code;
	int replace;
} type_rows[] = {
#define SYNC_TYPE(n, c, r) {c, r},
#include "proto/sync_types.def"
#undef SYNC_TYPE
};

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

const char *sm_verdict_name(sm_verdict_t v)
{
	return (unsigned)v < NROWS(verdict_rows) ? verdict_rows[v].name : "unknown";
}

int sm_verdict_final(sm_verdict_t v)
{
	return (unsigned)v < NROWS(verdict_rows) && verdict_rows[v].final;
}

int sm_verdict_parse(const char *s, sm_verdict_t *out)
{
	for (size_t i = 0; i < NROWS(verdict_rows); i++) {
		if (strcmp(s, verdict_rows[i].name) == 0) {
			*out = (sm_verdict_t)i;
			return HS_OK;
		}
	}
	return HS_E_MALFORMED;
}

const char *sm_reason_name(sm_reason_t r)
{
	return (unsigned)r < NROWS(reason_rows) ? reason_rows[r].name : "";
}

const char *sm_reason_text(sm_reason_t r)
{
	return (unsigned)r < NROWS(reason_rows) ? reason_rows[r].text : "unknown reason";
}

sm_verdict_t sm_reason_verdict(sm_reason_t r)
{
	return (unsigned)r < NROWS(reason_rows) ? reason_rows[r].verdict : SM_V_PENDING;
}

sm_reason_t sm_reason_parse(const char *s)
{
	if (s == NULL)
		return SM_R_NONE;
	size_t n = strcspn(s, ":");
	for (size_t i = 1; i < NROWS(reason_rows); i++) {
		if (strlen(reason_rows[i].name) == n && strncmp(s, reason_rows[i].name, n) == 0)
			return (sm_reason_t)i;
	}
	return SM_R_NONE;
}

int sm_type_synced(uint16_t type, int *replace)
{
	for (size_t i = 0; i < NROWS(type_rows); i++) {
		if (type_rows[i].code == type) {
			if (replace != NULL)
				*replace = type_rows[i].replace;
			return 1;
		}
	}
	return 0;
}

size_t sm_type_count(void)
{
	return NROWS(type_rows);
}

uint16_t sm_type_at(size_t i)
{
	return i < NROWS(type_rows) ? type_rows[i].code : 0;
}

int sm_change_valid(const char *s)
{
	if (s == NULL || strlen(s) != SM_CHANGE_LEN)
		return 0;
	for (size_t i = 0; i < SM_CHANGE_LEN; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}

static const char *const rfi_names[] = {"", "SYNC", "EDITS", "CONFIG", "KEYSTATE"};

const char *sm_rfi_what_name(sm_rfi_what_t w)
{
	return (unsigned)w < NROWS(rfi_names) && w != 0 ? rfi_names[w] : "unknown";
}

/* ---- freeing and copying ---- */

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sm_rr_clear(sm_rr_t *rr)
{
	if (rr == NULL)
		return;
	free(rr->owner);
	free(rr->rdata);
	free(rr->reason);
	memset(rr, 0, sizeof(*rr));
}

void sm_set_clear(sm_set_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nrrs; i++)
		sm_rr_clear(&s->rrs[i]);
	free(s->rrs);
	memset(s, 0, sizeof(*s));
}

void sm_sync_free(sm_sync_t *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsets; i++)
		sm_set_clear(&s->sets[i]);
	s->nsets = 0;
}

void sm_confirm_free(sm_confirm_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nresults; i++)
		sm_rr_clear(&c->results[i].rr);
	free(c->results);
	c->results = NULL;
	c->nresults = 0;
}

void sm_rfi_free(sm_rfi_t *r)
{
	if (r == NULL)
		return;
	free_names(r->zones, r->nzones);
	r->zones = NULL;
	r->nzones = 0;
}

void sm_contrib_clear(sm_contrib_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nrrs; i++)
		sm_rr_clear(&c->rrs[i]);
	free(c->rrs);
	free(c->origin);
	memset(c, 0, sizeof(*c));
}

void sm_edits_free(sm_edits_t *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->ncontrib; i++)
		sm_contrib_clear(&e->contrib[i]);
	free(e->contrib);
	e->contrib = NULL;
	e->ncontrib = 0;
}

void sm_config_free(sm_config_t *c)
{
	if (c == NULL)
		return;
	free_names(c->protected, c->nprotected);
	c->protected = NULL;
	c->nprotected = 0;
}

void sm_rr_copy(sm_rr_t *dst, const sm_rr_t *src)
{
	*dst = *src;
	dst->owner = src->owner ? xstrdup(src->owner) : NULL;
	dst->reason = src->reason ? xstrdup(src->reason) : NULL;
	dst->rdata = NULL;
	if (src->rdlen) {
		dst->rdata = xmalloc(src->rdlen);
		memcpy(dst->rdata, src->rdata, src->rdlen);
	}
}

void sm_set_copy(sm_set_t *dst, const sm_set_t *src)
{
	*dst = *src;
	dst->rrs = src->nrrs ? xcalloc(src->nrrs, sizeof(*dst->rrs)) : NULL;
	for (size_t i = 0; i < src->nrrs; i++)
		sm_rr_copy(&dst->rrs[i], &src->rrs[i]);
}

/* ---- encoding ---- */

static int name_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) < ENG_NAME_MAX;
}

static int reason_ok(const char *s)
{
	return s == NULL || (s[0] != '\0' && strlen(s) <= SM_REASON_MAX);
}

static int rr_ok(const sm_rr_t *rr)
{
	return name_ok(rr->owner) && rr->rdlen <= SM_RDATA_MAX && (rr->rdlen == 0 || rr->rdata) &&
	       reason_ok(rr->reason) && (unsigned)rr->verdict < SM_V__COUNT;
}

static void pack_bin(msgpack_packer *pk, const uint8_t *p, size_t n)
{
	msgpack_pack_bin(pk, n);
	if (n)
		msgpack_pack_bin_body(pk, p, n);
}

static void pack_bool(msgpack_packer *pk, int v)
{
	if (v)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

/* {owner, ttl, rdata} plus verdict and reason when `verdicts`. */
static void pack_rr(msgpack_packer *pk, const sm_rr_t *rr, int verdicts)
{
	msgpack_pack_map(pk, verdicts ? (rr->reason ? 5 : 4) : 3);
	eng_mp_pack_str(pk, "owner");
	eng_mp_pack_str(pk, rr->owner);
	eng_mp_pack_str(pk, "ttl");
	msgpack_pack_uint32(pk, rr->ttl);
	eng_mp_pack_str(pk, "rdata");
	pack_bin(pk, rr->rdata, rr->rdlen);
	if (verdicts) {
		eng_mp_pack_str(pk, "verdict");
		eng_mp_pack_str(pk, sm_verdict_name(rr->verdict));
		if (rr->reason) {
			eng_mp_pack_str(pk, "reason");
			eng_mp_pack_str(pk, rr->reason);
		}
	}
}

int sm_sync_encode(const sm_sync_t *s, hs_buf_t *out)
{
	msgpack_packer pk;
	if (!name_ok(s->zone) || !name_ok(s->origin) || !sm_change_valid(s->change) ||
	    s->nsets == 0 || s->nsets > SM_MAX_SETS)
		return HS_E_INVAL;
	for (size_t i = 0; i < s->nsets; i++) {
		if (s->sets[i].nrrs > SM_MAX_RRS || s->sets[i].version == 0)
			return HS_E_INVAL;
		for (size_t j = 0; j < s->sets[i].nrrs; j++)
			if (!rr_ok(&s->sets[i].rrs[j]))
				return HS_E_INVAL;
	}
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, 4);
	eng_mp_pack_str(&pk, "zone");
	eng_mp_pack_str(&pk, s->zone);
	eng_mp_pack_str(&pk, "origin");
	eng_mp_pack_str(&pk, s->origin);
	eng_mp_pack_str(&pk, "change");
	eng_mp_pack_str(&pk, s->change);
	eng_mp_pack_str(&pk, "sets");
	msgpack_pack_array(&pk, s->nsets);
	for (size_t i = 0; i < s->nsets; i++) {
		const sm_set_t *set = &s->sets[i];
		msgpack_pack_map(&pk, 3);
		eng_mp_pack_str(&pk, "type");
		msgpack_pack_uint16(&pk, set->type);
		eng_mp_pack_str(&pk, "version");
		msgpack_pack_uint64(&pk, set->version);
		eng_mp_pack_str(&pk, "rrs");
		msgpack_pack_array(&pk, set->nrrs);
		for (size_t j = 0; j < set->nrrs; j++)
			pack_rr(&pk, &set->rrs[j], 0);
	}
	return HS_OK;
}

int sm_confirm_encode(const sm_confirm_t *c, hs_buf_t *out)
{
	msgpack_packer pk;
	if (!name_ok(c->zone) || !name_ok(c->origin) || !name_ok(c->by) || !name_ok(c->provider) ||
	    !sm_change_valid(c->change) || c->nresults > SM_MAX_RESULTS)
		return HS_E_INVAL;
	for (size_t i = 0; i < c->nresults; i++)
		if (!rr_ok(&c->results[i].rr))
			return HS_E_INVAL;
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, 7);
	eng_mp_pack_str(&pk, "zone");
	eng_mp_pack_str(&pk, c->zone);
	eng_mp_pack_str(&pk, "origin");
	eng_mp_pack_str(&pk, c->origin);
	eng_mp_pack_str(&pk, "change");
	eng_mp_pack_str(&pk, c->change);
	eng_mp_pack_str(&pk, "by");
	eng_mp_pack_str(&pk, c->by);
	eng_mp_pack_str(&pk, "provider");
	eng_mp_pack_str(&pk, c->provider);
	eng_mp_pack_str(&pk, "final");
	pack_bool(&pk, c->final);
	eng_mp_pack_str(&pk, "results");
	msgpack_pack_array(&pk, c->nresults);
	for (size_t i = 0; i < c->nresults; i++) {
		const sm_result_t *r = &c->results[i];
		msgpack_pack_map(&pk, r->rr.reason ? 6 : 5);
		eng_mp_pack_str(&pk, "type");
		msgpack_pack_uint16(&pk, r->type);
		eng_mp_pack_str(&pk, "version");
		msgpack_pack_uint64(&pk, r->version);
		eng_mp_pack_str(&pk, "owner");
		eng_mp_pack_str(&pk, r->rr.owner);
		eng_mp_pack_str(&pk, "rdata");
		pack_bin(&pk, r->rr.rdata, r->rr.rdlen);
		eng_mp_pack_str(&pk, "verdict");
		eng_mp_pack_str(&pk, sm_verdict_name(r->rr.verdict));
		if (r->rr.reason) {
			eng_mp_pack_str(&pk, "reason");
			eng_mp_pack_str(&pk, r->rr.reason);
		}
	}
	return HS_OK;
}

static void pack_names(msgpack_packer *pk, char *const *v, size_t n)
{
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		eng_mp_pack_str(pk, v[i]);
}

int sm_rfi_encode(const sm_rfi_t *r, hs_buf_t *out)
{
	msgpack_packer pk;
	if (r->what < SM_RFI_SYNC || r->what > SM_RFI_KEYSTATE || r->nzones > SM_MAX_ZONES)
		return HS_E_INVAL;
	for (size_t i = 0; i < r->nzones; i++)
		if (!name_ok(r->zones[i]))
			return HS_E_INVAL;
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, 2);
	eng_mp_pack_str(&pk, "what");
	eng_mp_pack_str(&pk, sm_rfi_what_name(r->what));
	eng_mp_pack_str(&pk, "zones");
	pack_names(&pk, r->zones, r->nzones);
	return HS_OK;
}

int sm_edits_encode(const sm_edits_t *e, hs_buf_t *out)
{
	msgpack_packer pk;
	if (!name_ok(e->zone) || e->ncontrib > SM_MAX_CONTRIB)
		return HS_E_INVAL;
	for (size_t i = 0; i < e->ncontrib; i++) {
		const sm_contrib_t *c = &e->contrib[i];
		if (!name_ok(c->origin) || !sm_change_valid(c->change) || c->nrrs > SM_MAX_RRS ||
		    c->version == 0)
			return HS_E_INVAL;
		for (size_t j = 0; j < c->nrrs; j++)
			if (!rr_ok(&c->rrs[j]))
				return HS_E_INVAL;
	}
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, 3);
	eng_mp_pack_str(&pk, "zone");
	eng_mp_pack_str(&pk, e->zone);
	eng_mp_pack_str(&pk, "serial");
	msgpack_pack_uint32(&pk, e->serial);
	eng_mp_pack_str(&pk, "contributions");
	msgpack_pack_array(&pk, e->ncontrib);
	for (size_t i = 0; i < e->ncontrib; i++) {
		const sm_contrib_t *c = &e->contrib[i];
		msgpack_pack_map(&pk, 5);
		eng_mp_pack_str(&pk, "origin");
		eng_mp_pack_str(&pk, c->origin);
		eng_mp_pack_str(&pk, "type");
		msgpack_pack_uint16(&pk, c->type);
		eng_mp_pack_str(&pk, "version");
		msgpack_pack_uint64(&pk, c->version);
		eng_mp_pack_str(&pk, "change");
		eng_mp_pack_str(&pk, c->change);
		eng_mp_pack_str(&pk, "rrs");
		msgpack_pack_array(&pk, c->nrrs);
		for (size_t j = 0; j < c->nrrs; j++)
			pack_rr(&pk, &c->rrs[j], 1);
	}
	return HS_OK;
}

int sm_config_encode(const sm_config_t *c, hs_buf_t *out)
{
	msgpack_packer pk;
	if (!name_ok(c->zone) || !name_ok(c->provider) || c->nprotected > SM_MAX_PROTECT)
		return HS_E_INVAL;
	for (size_t i = 0; i < c->nprotected; i++)
		if (!name_ok(c->protected[i]))
			return HS_E_INVAL;
	eng_mp_packer(&pk, out);
	msgpack_pack_map(&pk, 9);
	eng_mp_pack_str(&pk, "zone");
	eng_mp_pack_str(&pk, c->zone);
	eng_mp_pack_str(&pk, "provider");
	eng_mp_pack_str(&pk, c->provider);
	eng_mp_pack_str(&pk, "signing");
	pack_bool(&pk, c->signing);
	eng_mp_pack_str(&pk, "approval");
	eng_mp_pack_str(&pk, c->manual ? "manual" : "auto");
	eng_mp_pack_str(&pk, "protected");
	pack_names(&pk, c->protected, c->nprotected);
	eng_mp_pack_str(&pk, "ttl_min");
	msgpack_pack_uint32(&pk, c->ttl_min);
	eng_mp_pack_str(&pk, "ttl_max");
	msgpack_pack_uint32(&pk, c->ttl_max);
	eng_mp_pack_str(&pk, "nsmgmt");
	eng_mp_pack_str(&pk, c->nsmgmt_agent ? "agent" : "owner");
	eng_mp_pack_str(&pk, "parentsync");
	eng_mp_pack_str(&pk, c->parentsync_agent ? "agent" : "owner");
	return HS_OK;
}

/* ---- decoding helpers ---- */

/* The value of a required key (present once). */
static int need(const msgpack_object *m, const char *key, const msgpack_object **out,
                hs_errmsg_t *em)
{
	int dup = 0;
	const msgpack_object *o = eng_mp_get(m, key, &dup);
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	if (o == NULL)
		return hs_fail(em, HS_E_MALFORMED, "'%s' missing", key);
	*out = o;
	return HS_OK;
}

/* An optional key: *out NULL when absent. */
static int maybe(const msgpack_object *m, const char *key, const msgpack_object **out,
                 hs_errmsg_t *em)
{
	int dup = 0;
	*out = eng_mp_get(m, key, &dup);
	if (dup)
		return hs_fail(em, HS_E_MALFORMED, "key '%s' given twice", key);
	return HS_OK;
}

static int get_array(const msgpack_object *m, const char *key, size_t min, size_t max,
                     const msgpack_object_array **out, hs_errmsg_t *em)
{
	const msgpack_object *o = NULL;
	int rc = need(m, key, &o, em);
	if (rc != HS_OK)
		return rc;
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not a list", key);
	if (o->via.array.size > max)
		return hs_fail(em, HS_E_LIMIT, "'%s' has more than %zu entries", key, max);
	if (o->via.array.size < min)
		return hs_fail(em, HS_E_MALFORMED, "'%s' has fewer than %zu entries", key, min);
	*out = &o->via.array;
	return HS_OK;
}

static int get_bool(const msgpack_object *m, const char *key, int *out, hs_errmsg_t *em)
{
	const msgpack_object *o = NULL;
	int rc = need(m, key, &o, em);
	if (rc != HS_OK)
		return rc;
	if (o->type != MSGPACK_OBJECT_BOOLEAN)
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not a boolean", key);
	*out = o->via.boolean;
	return HS_OK;
}

static int get_word(const msgpack_object *m, const char *key, char *out, size_t max,
                    hs_errmsg_t *em)
{
	const msgpack_object *o = NULL;
	int rc = need(m, key, &o, em);
	if (rc != HS_OK)
		return rc;
	if (eng_mp_str(o, max, out) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not text of at most %zu octets", key,
		               max);
	return HS_OK;
}

static int get_change(const msgpack_object *m, char out[SM_CHANGE_LEN + 1], hs_errmsg_t *em)
{
	char buf[SM_CHANGE_LEN + 2];
	int rc = get_word(m, "change", buf, SM_CHANGE_LEN + 1, em);
	if (rc != HS_OK)
		return rc;
	if (!sm_change_valid(buf))
		return hs_fail(em, HS_E_MALFORMED, "'change' is not 16 lowercase hex digits");
	memcpy(out, buf, SM_CHANGE_LEN + 1);
	return HS_OK;
}

static int get_u16(const msgpack_object *m, const char *key, uint16_t *out, hs_errmsg_t *em)
{
	uint64_t v;
	int rc = eng_mp_field_uint(m, key, UINT16_MAX, &v, em);
	if (rc == HS_OK)
		*out = (uint16_t)v;
	return rc;
}

static int get_u32(const msgpack_object *m, const char *key, uint32_t *out, hs_errmsg_t *em)
{
	uint64_t v;
	int rc = eng_mp_field_uint(m, key, UINT32_MAX, &v, em);
	if (rc == HS_OK)
		*out = (uint32_t)v;
	return rc;
}

static int get_version(const msgpack_object *m, uint64_t *out, hs_errmsg_t *em)
{
	int rc = eng_mp_field_uint(m, "version", UINT64_MAX, out, em);
	if (rc == HS_OK && *out == 0)
		return hs_fail(em, HS_E_MALFORMED, "'version' is 0");
	return rc;
}

static int get_names(const msgpack_object *m, const char *key, size_t max, char ***out,
                     size_t *nout, hs_errmsg_t *em)
{
	const msgpack_object_array *a;
	int rc = get_array(m, key, 0, max, &a, em);
	if (rc != HS_OK)
		return rc;
	char **v = a->size ? xcalloc(a->size, sizeof(*v)) : NULL;
	for (uint32_t i = 0; i < a->size; i++) {
		char raw[ENG_NAME_MAX], canon[ENG_NAME_MAX];
		if (eng_mp_str(&a->ptr[i], ENG_NAME_MAX - 1, raw) != HS_OK ||
		    eng_name_canon(raw, strlen(raw), canon) != HS_OK) {
			free_names(v, i);
			return hs_fail(em, HS_E_MALFORMED, "'%s' entry %u is not a name", key,
			               i + 1);
		}
		v[i] = xstrdup(canon);
	}
	*out = v;
	*nout = a->size;
	return HS_OK;
}

/* {owner, ttl?, rdata, verdict?, reason?}: `ttl` and `verdicts` say which
 * optional members the schema requires. */
static int get_rr(const msgpack_object *o, int ttl, int verdicts, sm_rr_t *out, hs_errmsg_t *em)
{
	sm_rr_t rr;
	char name[ENG_NAME_MAX];
	const msgpack_object *v = NULL;
	int rc;
	memset(&rr, 0, sizeof(rr));
	if (o->type != MSGPACK_OBJECT_MAP)
		return hs_fail(em, HS_E_MALFORMED, "a record is not a map");
	if ((rc = eng_mp_field_name(o, "owner", name, em)) != HS_OK)
		return rc;
	if (ttl && (rc = get_u32(o, "ttl", &rr.ttl, em)) != HS_OK)
		return rc;
	if ((rc = need(o, "rdata", &v, em)) != HS_OK)
		return rc;
	if (v->type != MSGPACK_OBJECT_BIN)
		return hs_fail(em, HS_E_MALFORMED, "'rdata' is not binary");
	if (v->via.bin.size > SM_RDATA_MAX)
		return hs_fail(em, HS_E_LIMIT, "'rdata' over %d octets", SM_RDATA_MAX);
	if (verdicts) {
		char word[16], why[SM_REASON_MAX + 1];
		const msgpack_object *r;
		if ((rc = get_word(o, "verdict", word, sizeof(word) - 1, em)) != HS_OK)
			return rc;
		if (sm_verdict_parse(word, &rr.verdict) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "'verdict' '%s' is not a verdict", word);
		if ((rc = maybe(o, "reason", &r, em)) != HS_OK)
			return rc;
		if (r != NULL) {
			if (eng_mp_str(r, SM_REASON_MAX, why) != HS_OK)
				return hs_fail(em, HS_E_MALFORMED, "'reason' is not text");
			rr.reason = xstrdup(why);
		}
	}
	rr.owner = xstrdup(name);
	rr.rdlen = (uint16_t)v->via.bin.size;
	if (rr.rdlen) {
		rr.rdata = xmalloc(rr.rdlen);
		memcpy(rr.rdata, v->via.bin.ptr, rr.rdlen);
	}
	*out = rr;
	return HS_OK;
}

static int get_rrs(const msgpack_object *m, int verdicts, sm_rr_t **out, size_t *nout,
                   hs_errmsg_t *em)
{
	const msgpack_object_array *a;
	int rc = get_array(m, "rrs", 0, SM_MAX_RRS, &a, em);
	if (rc != HS_OK)
		return rc;
	sm_rr_t *v = a->size ? xcalloc(a->size, sizeof(*v)) : NULL;
	for (uint32_t i = 0; i < a->size; i++) {
		if ((rc = get_rr(&a->ptr[i], 1, verdicts, &v[i], em)) != HS_OK) {
			for (uint32_t j = 0; j < i; j++)
				sm_rr_clear(&v[j]);
			free(v);
			return rc;
		}
	}
	*out = v;
	*nout = a->size;
	return HS_OK;
}

/* Unpack a body and run `fn` on its root map; the unpacked data is freed. */
typedef int (*root_fn)(const msgpack_object *m, void *out, hs_errmsg_t *em);

static int decode(const char *what, const uint8_t *p, size_t n, root_fn fn, void *out,
                  hs_errmsg_t *em)
{
	msgpack_unpacked u;
	int rc = eng_mp_unpack(p, n, &u);
	if (rc != HS_OK)
		return hs_fail(em, rc, "%s: not a bounded msgpack map", what);
	rc = fn(&u.data, out, em);
	msgpack_unpacked_destroy(&u);
	return rc;
}

/* ---- decoders ---- */

static int sync_root(const msgpack_object *m, void *outp, hs_errmsg_t *em)
{
	sm_sync_t s;
	const msgpack_object_array *a;
	int rc;
	memset(&s, 0, sizeof(s));
	if ((rc = eng_mp_field_name(m, "zone", s.zone, em)) != HS_OK ||
	    (rc = eng_mp_field_name(m, "origin", s.origin, em)) != HS_OK ||
	    (rc = get_change(m, s.change, em)) != HS_OK ||
	    (rc = get_array(m, "sets", 1, SM_MAX_SETS, &a, em)) != HS_OK)
		return rc;
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object *o = &a->ptr[i];
		sm_set_t *set = &s.sets[i];
		if (o->type != MSGPACK_OBJECT_MAP) {
			rc = hs_fail(em, HS_E_MALFORMED, "set %u is not a map", i + 1);
			goto fail;
		}
		if ((rc = get_u16(o, "type", &set->type, em)) != HS_OK ||
		    (rc = get_version(o, &set->version, em)) != HS_OK ||
		    (rc = get_rrs(o, 0, &set->rrs, &set->nrrs, em)) != HS_OK)
			goto fail;
		s.nsets = i + 1;
		for (uint32_t j = 0; j < i; j++) {
			if (s.sets[j].type == set->type) {
				rc = hs_fail(em, HS_E_MALFORMED, "two sets of type %u", set->type);
				goto fail;
			}
		}
	}
	*(sm_sync_t *)outp = s;
	return HS_OK;
fail:
	sm_sync_free(&s);
	return rc;
}

int sm_sync_decode(const uint8_t *p, size_t n, sm_sync_t *out, hs_errmsg_t *em)
{
	return decode("sync", p, n, sync_root, out, em);
}

static int confirm_root(const msgpack_object *m, void *outp, hs_errmsg_t *em)
{
	sm_confirm_t c;
	const msgpack_object_array *a;
	int rc;
	memset(&c, 0, sizeof(c));
	if ((rc = eng_mp_field_name(m, "zone", c.zone, em)) != HS_OK ||
	    (rc = eng_mp_field_name(m, "origin", c.origin, em)) != HS_OK ||
	    (rc = get_change(m, c.change, em)) != HS_OK ||
	    (rc = eng_mp_field_name(m, "by", c.by, em)) != HS_OK ||
	    (rc = eng_mp_field_name(m, "provider", c.provider, em)) != HS_OK ||
	    (rc = get_bool(m, "final", &c.final, em)) != HS_OK ||
	    (rc = get_array(m, "results", 0, SM_MAX_RESULTS, &a, em)) != HS_OK)
		return rc;
	c.results = a->size ? xcalloc(a->size, sizeof(*c.results)) : NULL;
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object *o = &a->ptr[i];
		sm_result_t *r = &c.results[i];
		if (o->type != MSGPACK_OBJECT_MAP) {
			rc = hs_fail(em, HS_E_MALFORMED, "result %u is not a map", i + 1);
			goto fail;
		}
		if ((rc = get_u16(o, "type", &r->type, em)) != HS_OK ||
		    (rc = get_version(o, &r->version, em)) != HS_OK ||
		    (rc = get_rr(o, 0, 1, &r->rr, em)) != HS_OK)
			goto fail;
		c.nresults = i + 1;
	}
	*(sm_confirm_t *)outp = c;
	return HS_OK;
fail:
	sm_confirm_free(&c);
	return rc;
}

int sm_confirm_decode(const uint8_t *p, size_t n, sm_confirm_t *out, hs_errmsg_t *em)
{
	return decode("confirm", p, n, confirm_root, out, em);
}

static int rfi_root(const msgpack_object *m, void *outp, hs_errmsg_t *em)
{
	sm_rfi_t r;
	char word[12];
	int rc;
	memset(&r, 0, sizeof(r));
	if ((rc = get_word(m, "what", word, sizeof(word) - 1, em)) != HS_OK)
		return rc;
	for (int w = SM_RFI_SYNC; w <= SM_RFI_KEYSTATE; w++)
		if (strcmp(word, rfi_names[w]) == 0)
			r.what = (sm_rfi_what_t)w;
	if (r.what == 0)
		return hs_fail(em, HS_E_MALFORMED,
		               "'what' '%s' is not SYNC, EDITS, CONFIG or KEYSTATE", word);
	if ((rc = get_names(m, "zones", SM_MAX_ZONES, &r.zones, &r.nzones, em)) != HS_OK)
		return rc;
	*(sm_rfi_t *)outp = r;
	return HS_OK;
}

int sm_rfi_decode(const uint8_t *p, size_t n, sm_rfi_t *out, hs_errmsg_t *em)
{
	return decode("rfi", p, n, rfi_root, out, em);
}

static int edits_root(const msgpack_object *m, void *outp, hs_errmsg_t *em)
{
	sm_edits_t e;
	const msgpack_object_array *a;
	int rc;
	memset(&e, 0, sizeof(e));
	if ((rc = eng_mp_field_name(m, "zone", e.zone, em)) != HS_OK ||
	    (rc = get_u32(m, "serial", &e.serial, em)) != HS_OK ||
	    (rc = get_array(m, "contributions", 0, SM_MAX_CONTRIB, &a, em)) != HS_OK)
		return rc;
	e.contrib = a->size ? xcalloc(a->size, sizeof(*e.contrib)) : NULL;
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object *o = &a->ptr[i];
		sm_contrib_t *c = &e.contrib[i];
		char origin[ENG_NAME_MAX];
		if (o->type != MSGPACK_OBJECT_MAP) {
			rc = hs_fail(em, HS_E_MALFORMED, "contribution %u is not a map", i + 1);
			goto fail;
		}
		if ((rc = eng_mp_field_name(o, "origin", origin, em)) != HS_OK ||
		    (rc = get_u16(o, "type", &c->type, em)) != HS_OK ||
		    (rc = get_version(o, &c->version, em)) != HS_OK ||
		    (rc = get_change(o, c->change, em)) != HS_OK ||
		    (rc = get_rrs(o, 1, &c->rrs, &c->nrrs, em)) != HS_OK)
			goto fail;
		c->origin = xstrdup(origin);
		e.ncontrib = i + 1;
	}
	*(sm_edits_t *)outp = e;
	return HS_OK;
fail:
	/* the failed entry may hold a partial decode: clear it as well */
	sm_contrib_clear(&e.contrib[e.ncontrib]);
	sm_edits_free(&e);
	return rc;
}

int sm_edits_decode(const uint8_t *p, size_t n, sm_edits_t *out, hs_errmsg_t *em)
{
	return decode("edits", p, n, edits_root, out, em);
}

static int get_role(const msgpack_object *m, const char *key, int *agent, hs_errmsg_t *em)
{
	char word[8];
	int rc = get_word(m, key, word, sizeof(word) - 1, em);
	if (rc != HS_OK)
		return rc;
	if (strcmp(word, "agent") == 0)
		*agent = 1;
	else if (strcmp(word, "owner") == 0)
		*agent = 0;
	else
		return hs_fail(em, HS_E_MALFORMED, "'%s' is not owner or agent", key);
	return HS_OK;
}

static int config_root(const msgpack_object *m, void *outp, hs_errmsg_t *em)
{
	sm_config_t c;
	char word[8];
	int rc;
	memset(&c, 0, sizeof(c));
	if ((rc = eng_mp_field_name(m, "zone", c.zone, em)) != HS_OK ||
	    (rc = eng_mp_field_name(m, "provider", c.provider, em)) != HS_OK ||
	    (rc = get_bool(m, "signing", &c.signing, em)) != HS_OK ||
	    (rc = get_word(m, "approval", word, sizeof(word) - 1, em)) != HS_OK ||
	    (rc = get_u32(m, "ttl_min", &c.ttl_min, em)) != HS_OK ||
	    (rc = get_u32(m, "ttl_max", &c.ttl_max, em)) != HS_OK ||
	    (rc = get_role(m, "nsmgmt", &c.nsmgmt_agent, em)) != HS_OK ||
	    (rc = get_role(m, "parentsync", &c.parentsync_agent, em)) != HS_OK)
		return rc;
	if (strcmp(word, "manual") == 0)
		c.manual = 1;
	else if (strcmp(word, "auto") != 0)
		return hs_fail(em, HS_E_MALFORMED, "'approval' is not auto or manual");
	if ((rc = get_names(m, "protected", SM_MAX_PROTECT, &c.protected, &c.nprotected, em)) !=
	    HS_OK)
		return rc;
	*(sm_config_t *)outp = c;
	return HS_OK;
}

int sm_config_decode(const uint8_t *p, size_t n, sm_config_t *out, hs_errmsg_t *em)
{
	return decode("config", p, n, config_root, out, em);
}
