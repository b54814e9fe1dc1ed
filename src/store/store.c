/*
 * store.c -- the public store API: argument checks, canonical names, the
 * state-transition tables, and dispatch through the backend's ops table.
 */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"

/* ---- transition tables ------------------------------------------------- */

#define NEW (-1)

static const struct {
	int from, to;
} key_transitions[] = {
	{NEW, ST_KEY_CREATED},
	{NEW, ST_KEY_PUBLISHED},
	{NEW, ST_KEY_ACTIVE},
	{ST_KEY_CREATED, ST_KEY_PUBLISHED},
	{ST_KEY_CREATED, ST_KEY_REMOVED},
	{ST_KEY_PUBLISHED, ST_KEY_ACTIVE},
	{ST_KEY_PUBLISHED, ST_KEY_RETIRED},
	{ST_KEY_PUBLISHED, ST_KEY_REMOVED},
	{ST_KEY_ACTIVE, ST_KEY_RETIRED},
	{ST_KEY_RETIRED, ST_KEY_REMOVED},
};

static const struct {
	int from, to;
} trust_transitions[] = {
	{ST_TRUST_UNKNOWN, ST_TRUST_BOOTSTRAP},
	{ST_TRUST_UNKNOWN, ST_TRUST_DNSSEC},
	{ST_TRUST_UNKNOWN, ST_TRUST_TRUSTED},
	{ST_TRUST_UNKNOWN, ST_TRUST_REFUSED},
	{ST_TRUST_BOOTSTRAP, ST_TRUST_DNSSEC},
	{ST_TRUST_BOOTSTRAP, ST_TRUST_TRUSTED},
	{ST_TRUST_BOOTSTRAP, ST_TRUST_REFUSED},
	{ST_TRUST_DNSSEC, ST_TRUST_TRUSTED},
	{ST_TRUST_DNSSEC, ST_TRUST_REFUSED},
	{ST_TRUST_TRUSTED, ST_TRUST_REFUSED},
};

static const char *const key_state_names[ST_KEY_NSTATES] = {"created", "published", "active",
							    "retired", "removed"};
static const char *const trust_state_names[ST_TRUST_NSTATES] = {
	"unknown", "bootstrap", "dnssec-validated", "trusted", "refused"};

int st_key_transition_ok(int from, int to)
{
	for (size_t i = 0; i < sizeof(key_transitions) / sizeof(key_transitions[0]); i++)
		if (key_transitions[i].from == from && key_transitions[i].to == to)
			return 1;
	return 0;
}

int st_trust_transition_ok(int from, int to)
{
	if (from == to && from >= 0 && from < ST_TRUST_NSTATES)
		return 1;
	for (size_t i = 0; i < sizeof(trust_transitions) / sizeof(trust_transitions[0]); i++)
		if (trust_transitions[i].from == from && trust_transitions[i].to == to)
			return 1;
	return 0;
}

const char *st_key_state_name(int state)
{
	return (state >= 0 && state < ST_KEY_NSTATES) ? key_state_names[state] : "?";
}

const char *st_trust_state_name(int state)
{
	return (state >= 0 && state < ST_TRUST_NSTATES) ? trust_state_names[state] : "?";
}

static const char *const kind_names[] = {"?", "sig0", "hpke"};

const char *st_key_kind_name(int kind)
{
	return (kind == ST_KIND_SIG0 || kind == ST_KIND_HPKE) ? kind_names[kind] : "?";
}

/* ---- helpers ----------------------------------------------------------- */

void st_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

int st_name_canon(const char *in, char out[ST_NAME_MAX])
{
	if (in == NULL || in[0] == '\0')
		return HS_E_INVAL;
	if (strcmp(in, ".") == 0) {
		strcpy(out, ".");
		return HS_OK;
	}
	size_t n = strlen(in);
	if (in[n - 1] == '.')
		n--;
	/* n + dot + NUL must fit; 254 characters with the dot at most */
	if (n == 0 || n + 2 > ST_NAME_MAX)
		return HS_E_INVAL;
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '.') {
			if (label == 0)
				return HS_E_INVAL;
			label = 0;
		} else if (++label > 63) {
			return HS_E_INVAL;
		}
		if (c < 0x21 || c == 0x7f)
			return HS_E_INVAL; /* no spaces or control characters */
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
	}
	if (label == 0)
		return HS_E_INVAL; /* "a.." */
	out[n] = '.';
	out[n + 1] = '\0';
	return HS_OK;
}

static int valid_kind(int kind)
{
	return kind == ST_KIND_SIG0 || kind == ST_KIND_HPKE;
}

static int text_ok(const char *s)
{
	return s == NULL || strlen(s) <= ST_TEXT_MAX;
}

/* Copy `ref` into `c` with its owner canonicalised into `name`. */
static int canon_key_ref(const st_key_ref_t *ref, st_key_ref_t *c, char name[ST_NAME_MAX])
{
	if (ref == NULL || !valid_kind((int)ref->kind))
		return HS_E_INVAL;
	int rc = st_name_canon(ref->owner, name);
	if (rc != HS_OK)
		return rc;
	*c = *ref;
	c->owner = name;
	return HS_OK;
}

static int canon_trust_ref(const st_trust_ref_t *ref, st_trust_ref_t *c, char name[ST_NAME_MAX])
{
	if (ref == NULL || !valid_kind((int)ref->kind) || ref->rdata == NULL || ref->rdlen == 0 ||
	    ref->rdlen > ST_BLOB_MAX)
		return HS_E_INVAL;
	int rc = st_name_canon(ref->owner, name);
	if (rc != HS_OK)
		return rc;
	*c = *ref;
	c->owner = name;
	return HS_OK;
}

/* ---- lifecycle ----------------------------------------------------------- */

int st_open(const char *path, st_t **out, hs_errmsg_t *em)
{
	if (path == NULL || path[0] == '\0' || out == NULL)
		return hs_fail(em, HS_E_INVAL, "no database path");
	const struct st_ops *ops = &st_sqlite_ops;
	void *be = NULL;
	int rc = ops->open(path, &be, em);
	if (rc != HS_OK)
		return rc;
	st_t *st = xcalloc(1, sizeof(*st));
	st->ops = ops;
	st->be = be;
	*out = st;
	return HS_OK;
}

void st_close(st_t *st)
{
	if (st == NULL)
		return;
	if (st->batch) /* not committed: not durable, by contract */
		st_batch_abort(st);
	st->ops->close(st->be);
	free(st);
}

int st_batch_begin(st_t *st)
{
	if (st == NULL)
		return HS_E_INVAL;
	if (st->batch)
		return HS_E_STATE;
	int rc = st->ops->batch_begin(st->be);
	if (rc == HS_OK)
		st->batch = 1;
	return rc;
}

int st_batch_commit(st_t *st)
{
	if (st == NULL)
		return HS_E_INVAL;
	if (!st->batch)
		return HS_E_STATE;
	st->batch = 0;
	return st->ops->batch_commit(st->be);
}

int st_batch_commit_async(st_t *st, uint64_t *ticket)
{
	uint64_t t = 0;
	if (st == NULL || ticket == NULL)
		return HS_E_INVAL;
	if (!st->batch)
		return HS_E_STATE;
	st->batch = 0;
	int rc = st->ops->batch_commit_async(st->be, &t);
	if (rc == HS_OK)
		*ticket = t;
	return rc;
}

int st_sync_fd(const st_t *st)
{
	return st != NULL ? st->ops->sync_fd(st->be) : -1;
}

uint64_t st_sync_durable(st_t *st)
{
	return st != NULL ? st->ops->sync_durable(st->be) : UINT64_MAX;
}

void st_batch_abort(st_t *st)
{
	if (st == NULL || !st->batch)
		return;
	st->batch = 0;
	st->ops->batch_abort(st->be);
}

int st_batch_open(const st_t *st)
{
	return st != NULL && st->batch;
}

int st_batch_dirty(const st_t *st)
{
	return st != NULL && st->batch && st->ops->batch_dirty(st->be);
}

int st_check(st_t *st, hs_errmsg_t *em)
{
	if (st == NULL)
		return hs_fail(em, HS_E_INVAL, "no store");
	return st->ops->check(st->be, em);
}

/* ---- keys ---------------------------------------------------------------- */

int st_key_add(st_t *st, const st_key_ref_t *ref, const uint8_t *pub, size_t publen,
	       const uint8_t *priv, size_t privlen, enum st_key_state state, int64_t now,
	       const char *reason)
{
	char name[ST_NAME_MAX];
	st_key_ref_t c;
	if (st == NULL || pub == NULL || publen == 0 || publen > ST_BLOB_MAX ||
	    (priv == NULL && privlen > 0) || privlen > ST_BLOB_MAX || !text_ok(reason))
		return HS_E_INVAL;
	int rc = canon_key_ref(ref, &c, name);
	if (rc != HS_OK)
		return rc;
	if (!st_key_transition_ok(NEW, (int)state))
		return HS_E_STATE;
	return st->ops->key_add(st->be, &c, pub, publen, privlen ? priv : NULL, privlen, state,
				now, reason ? reason : "");
}

int st_key_get(st_t *st, const st_key_ref_t *ref, unsigned flags, st_key_t *out)
{
	char name[ST_NAME_MAX];
	st_key_ref_t c;
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	int rc = canon_key_ref(ref, &c, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->key_get(st->be, &c, flags, out);
}

int st_key_set_state(st_t *st, const st_key_ref_t *ref, enum st_key_state to, int64_t now,
		     const char *reason)
{
	char name[ST_NAME_MAX];
	st_key_ref_t c;
	if (st == NULL || (int)to < 0 || (int)to >= ST_KEY_NSTATES || !text_ok(reason))
		return HS_E_INVAL;
	int rc = canon_key_ref(ref, &c, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->key_set_state(st->be, &c, to, now, reason ? reason : "");
}

int st_key_find(st_t *st, const char *owner, int kind, int state, unsigned flags,
		st_key_list_t *out)
{
	char name[ST_NAME_MAX];
	if (st == NULL || out == NULL || (kind != 0 && !valid_kind(kind)) ||
	    (state != ST_ANY && (state < 0 || state >= ST_KEY_NSTATES)))
		return HS_E_INVAL;
	if (owner != NULL) {
		int rc = st_name_canon(owner, name);
		if (rc != HS_OK)
			return rc;
	}
	return st->ops->key_find(st->be, owner ? name : NULL, kind, state, flags, out);
}

int st_key_history(st_t *st, const st_key_ref_t *ref, st_key_event_list_t *out)
{
	char name[ST_NAME_MAX];
	st_key_ref_t c;
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	int rc = canon_key_ref(ref, &c, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->key_history(st->be, &c, out);
}

void st_key_clear(st_key_t *k)
{
	if (k == NULL)
		return;
	free(k->owner);
	free(k->pub);
	st_wipe(k->priv, k->privlen);
	free(k->priv);
	memset(k, 0, sizeof(*k));
}

void st_key_list_free(st_key_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_key_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void st_key_event_list_free(st_key_event_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].reason);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- trust --------------------------------------------------------------- */

int st_trust_put(st_t *st, const st_trust_ref_t *ref, enum st_trust_state state,
		 const char *source, unsigned flags, int64_t now)
{
	char name[ST_NAME_MAX];
	st_trust_ref_t c;
	if (st == NULL || (int)state < 0 || (int)state >= ST_TRUST_NSTATES || source == NULL ||
	    source[0] == '\0' || !text_ok(source))
		return HS_E_INVAL;
	int rc = canon_trust_ref(ref, &c, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->trust_put(st->be, &c, state, source, flags, now);
}

int st_trust_lookup(st_t *st, const char *owner, enum st_key_kind kind, uint16_t alg,
		    uint32_t keytag, st_trust_list_t *out)
{
	char name[ST_NAME_MAX];
	if (st == NULL || out == NULL || !valid_kind((int)kind))
		return HS_E_INVAL;
	int rc = st_name_canon(owner, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->trust_lookup(st->be, name, kind, alg, keytag, out);
}

int st_trust_list(st_t *st, const char *owner, st_trust_list_t *out)
{
	char name[ST_NAME_MAX];
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	if (owner != NULL) {
		int rc = st_name_canon(owner, name);
		if (rc != HS_OK)
			return rc;
	}
	return st->ops->trust_list(st->be, owner ? name : NULL, out);
}

int st_trust_delete(st_t *st, const st_trust_ref_t *ref)
{
	char name[ST_NAME_MAX];
	st_trust_ref_t c;
	if (st == NULL)
		return HS_E_INVAL;
	int rc = canon_trust_ref(ref, &c, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->trust_delete(st->be, &c);
}

void st_trust_clear(st_trust_t *t)
{
	if (t == NULL)
		return;
	free(t->owner);
	free(t->rdata);
	free(t->source);
	memset(t, 0, sizeof(*t));
}

void st_trust_list_free(st_trust_list_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		st_trust_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---- replay -------------------------------------------------------------- */

int st_replay_check_and_add(st_t *st, const char *sender, const uint8_t *id, size_t idlen,
			    int64_t expiry, int64_t now, int *was_seen)
{
	char name[ST_NAME_MAX];
	if (st == NULL || id == NULL || idlen == 0 || idlen > ST_REPLAY_ID_MAX ||
	    was_seen == NULL || expiry <= now)
		return HS_E_INVAL;
	int rc = st_name_canon(sender, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->replay_check_and_add(st->be, name, id, idlen, expiry, now, was_seen);
}

int st_replay_prune(st_t *st, int64_t now, uint64_t *n)
{
	if (st == NULL)
		return HS_E_INVAL;
	uint64_t dummy;
	return st->ops->replay_prune(st->be, now, n ? n : &dummy);
}

int st_replay_count(st_t *st, uint64_t *n)
{
	if (st == NULL || n == NULL)
		return HS_E_INVAL;
	return st->ops->replay_count(st->be, n);
}
