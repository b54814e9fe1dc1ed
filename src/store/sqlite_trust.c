/*
 * sqlite_trust.c -- the truststore on SQLite: table `trust`.
 *
 * A row is one public key of another party, identified by its bytes, so a
 * key tag shared by two keys gives two rows and a lookup returns both.
 * The source text only changes together with the state: it records why
 * the key reached the state it is in.
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"

#define TRUST_COLUMNS                                                                        \
	"id, owner, kind, alg, keytag, rdata, state, source, first_seen, last_seen, last_changed"
#define TRUST_REF "owner = ?1 AND kind = ?2 AND alg = ?3 AND keytag = ?4 AND rdata = ?5"

static const char SQL_FIND_ONE[] = "SELECT id, state FROM trust WHERE " TRUST_REF;
static const char SQL_INSERT[] =
	"INSERT INTO trust (owner, kind, alg, keytag, rdata, state, source, first_seen,"
	" last_seen, last_changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8)";
static const char SQL_SEEN[] = "UPDATE trust SET last_seen = ?2 WHERE id = ?1";
static const char SQL_CHANGE[] = "UPDATE trust SET state = ?2, source = ?3, last_seen = ?4,"
				 " last_changed = ?4 WHERE id = ?1";
static const char SQL_LOOKUP[] = "SELECT " TRUST_COLUMNS " FROM trust WHERE owner = ?1 AND"
				 " kind = ?2 AND alg = ?3 AND keytag = ?4 ORDER BY first_seen, id";
static const char SQL_LIST[] = "SELECT " TRUST_COLUMNS " FROM trust WHERE (?1 IS NULL OR"
			       " owner = ?1) ORDER BY owner, kind, alg, keytag, id";
static const char SQL_DELETE[] = "DELETE FROM trust WHERE " TRUST_REF;

static void bind_ref(sqlite3_stmt *s, const st_trust_ref_t *ref)
{
	sq_bind_text(s, 1, ref->owner);
	sqlite3_bind_int(s, 2, (int)ref->kind);
	sqlite3_bind_int(s, 3, ref->alg);
	sqlite3_bind_int64(s, 4, ref->keytag);
	sq_bind_blob(s, 5, ref->rdata, ref->rdlen);
}

static int step_done(struct sq_db *db, sqlite3_stmt *s, const char *what)
{
	int src = sqlite3_step(s);
	sq_done(s);
	return src == SQLITE_DONE ? HS_OK : sq_fail(db, src, what);
}

/* Insert a new row, or refresh / change an existing one (see store.h). */
static int put(struct sq_db *db, const st_trust_ref_t *ref, enum st_trust_state state,
	       const char *source, unsigned flags, int64_t now, int *from)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_FIND_ONE, &s);
	if (rc != HS_OK)
		return rc;
	bind_ref(s, ref);
	int src = sqlite3_step(s);
	int64_t id = sqlite3_column_int64(s, 0);
	*from = src == SQLITE_ROW ? sqlite3_column_int(s, 1) : -1;
	sq_done(s);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return sq_fail(db, src, "trust lookup");

	if (*from < 0) {
		rc = sq_stmt(db, SQL_INSERT, &s);
		if (rc != HS_OK)
			return rc;
		bind_ref(s, ref);
		sqlite3_bind_int(s, 6, (int)state);
		sq_bind_text(s, 7, source);
		sqlite3_bind_int64(s, 8, now);
		return step_done(db, s, "trust insert");
	}
	if (*from == (int)state) {
		rc = sq_stmt(db, SQL_SEEN, &s);
		if (rc != HS_OK)
			return rc;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, now);
		return step_done(db, s, "trust refresh");
	}
	if (!(flags & ST_FORCE) && !st_trust_transition_ok(*from, (int)state)) {
		log_notice(SUB, "trust '%s' alg %u tag %u: '%s' -> '%s' not allowed ('%s')",
			   ref->owner, ref->alg, ref->keytag, st_trust_state_name(*from),
			   st_trust_state_name((int)state), source);
		return HS_E_STATE;
	}
	rc = sq_stmt(db, SQL_CHANGE, &s);
	if (rc != HS_OK)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, (int)state);
	sq_bind_text(s, 3, source);
	sqlite3_bind_int64(s, 4, now);
	return step_done(db, s, "trust update");
}

int sqt_put(void *be, const st_trust_ref_t *ref, enum st_trust_state state, const char *source,
	    unsigned flags, int64_t now)
{
	struct sq_db *db = be;
	int from = -1;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	rc = put(db, ref, state, source, flags, now, &from);
	if (rc == HS_OK)
		rc = sq_commit(db);
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	if (from != (int)state)
		log_info(SUB, "trust %s '%s' alg %u tag %u: '%s' -> '%s' ('%s')",
			 st_key_kind_name((int)ref->kind), ref->owner, ref->alg, ref->keytag,
			 from < 0 ? "new" : st_trust_state_name(from),
			 st_trust_state_name((int)state), source);
	return HS_OK;
}

static void read_row(sqlite3_stmt *s, st_trust_t *t)
{
	t->owner = sq_col_text(s, 1);
	t->kind = (enum st_key_kind)sqlite3_column_int(s, 2);
	t->alg = (uint16_t)sqlite3_column_int(s, 3);
	t->keytag = (uint32_t)sqlite3_column_int64(s, 4);
	t->rdata = sq_col_blob(s, 5, &t->rdlen);
	t->state = (enum st_trust_state)sqlite3_column_int(s, 6);
	t->source = sq_col_text(s, 7);
	t->first_seen = sqlite3_column_int64(s, 8);
	t->last_seen = sqlite3_column_int64(s, 9);
	t->last_changed = sqlite3_column_int64(s, 10);
}

/* Run a bound SELECT of TRUST_COLUMNS into a list. */
static int collect(struct sq_db *db, sqlite3_stmt *s, st_trust_list_t *out)
{
	st_trust_list_t l = {NULL, 0};
	size_t cap = 0;
	int rc = HS_OK, src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (l.n == cap) {
			cap = cap ? 2 * cap : 8;
			l.v = xrealloc(l.v, cap * sizeof(*l.v));
		}
		read_row(s, &l.v[l.n++]);
	}
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "trust query");
	sq_done(s);
	if (rc != HS_OK) {
		st_trust_list_free(&l);
		return rc;
	}
	*out = l;
	return HS_OK;
}

int sqt_lookup(void *be, const char *owner, enum st_key_kind kind, uint16_t alg,
	       uint32_t keytag, st_trust_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_trust_list_t l = {NULL, 0};
	int rc = sq_stmt(db, SQL_LOOKUP, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, owner);
	sqlite3_bind_int(s, 2, (int)kind);
	sqlite3_bind_int(s, 3, alg);
	sqlite3_bind_int64(s, 4, keytag);
	rc = collect(db, s, &l);
	if (rc != HS_OK)
		return rc;
	if (l.n == 0)
		return HS_E_NOTFOUND;
	*out = l;
	return HS_OK;
}

int sqt_list(void *be, const char *owner, st_trust_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_LIST, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, owner);
	return collect(db, s, out);
}

int sqt_delete(void *be, const st_trust_ref_t *ref)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, SQL_DELETE, &s);
	if (rc != HS_OK)
		goto cleanup;
	bind_ref(s, ref);
	rc = step_done(db, s, "trust delete");
	if (rc == HS_OK && sqlite3_changes(db->h) == 0)
		rc = HS_E_NOTFOUND;
	if (rc == HS_OK)
		rc = sq_commit(db);
cleanup:
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	log_info(SUB, "trust %s '%s' alg %u tag %u: deleted", st_key_kind_name((int)ref->kind),
		 ref->owner, ref->alg, ref->keytag);
	return HS_OK;
}
