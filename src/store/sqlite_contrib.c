/*
 * sqlite_contrib.c -- the combiner's contribution sets on SQLite: tables
 * `contrib_set` and `contrib_rr` (records cascade with their set).
 *
 * A put is delete-then-insert of the whole set: a set is replaced as a
 * whole (draft-hsync-sync SYNC-2), so there is nothing to merge. Every
 * st_contrib_apply is one transaction, however many sets it touches: a
 * re-evaluation or a withdrawal is one logical change (SYNC-42, SYNC-46,
 * SYNC-47).
 */
#include "store/sqlite_backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/hs_err.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SUB "store"

static const char SQL_DEL[] =
    "DELETE FROM contrib_set WHERE zone = ?1 AND origin = ?2 AND type = ?3";
static const char SQL_SET[] =
    "INSERT INTO contrib_set (zone, origin, type, version, change, updated_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_RR[] =
    "INSERT INTO contrib_rr (set_id, pos, owner, ttl, rdata, verdict, reason, approved)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/* Sets with their records in one pass (a set without records gives one
 * row of NULLs on the record side). */
#define LIST_COLS                                                                                  \
	"SELECT s.id, s.zone, s.origin, s.type, s.version, s.change, s.updated_ms,"                \
	" r.owner, r.ttl, r.rdata, r.verdict, r.reason, r.approved"                                \
	" FROM contrib_set s LEFT JOIN contrib_rr r ON r.set_id = s.id"
static const char SQL_LIST_ALL[] = LIST_COLS " ORDER BY s.zone, s.origin, s.type, r.pos";
static const char SQL_LIST_ZONE[] =
    LIST_COLS " WHERE s.zone = ?1 ORDER BY s.zone, s.origin, s.type, r.pos";
static const char SQL_COUNT[] =
    "SELECT (SELECT count(*) FROM contrib_set WHERE ?1 IS NULL OR zone = ?1),"
    " (SELECT count(*) FROM contrib_rr r JOIN contrib_set s ON s.id = r.set_id"
    "  WHERE ?1 IS NULL OR s.zone = ?1)";

static int step_done(struct sq_db *db, sqlite3_stmt *s, const char *what)
{
	int src = sqlite3_step(s);
	sq_done(s);
	return src == SQLITE_DONE ? HS_OK : sq_fail(db, src, what);
}

static int del_one(struct sq_db *db, const char *zone, const char *origin, uint16_t type,
                   uint64_t *deleted)
{
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_DEL, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, zone);
	sq_bind_text(s, 2, origin);
	sqlite3_bind_int(s, 3, type);
	rc = step_done(db, s, "contribution delete");
	if (rc == HS_OK)
		*deleted += (uint64_t)sqlite3_changes64(db->h) > 0;
	return rc;
}

static int put_one(struct sq_db *db, const st_contrib_t *c)
{
	sqlite3_stmt *s = NULL;
	uint64_t ignored = 0;
	int rc = del_one(db, c->zone, c->origin, c->type, &ignored);
	if (rc == HS_OK)
		rc = sq_stmt(db, SQL_SET, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, c->zone);
	sq_bind_text(s, 2, c->origin);
	sqlite3_bind_int(s, 3, c->type);
	sqlite3_bind_int64(s, 4, (int64_t)c->version);
	sq_bind_text(s, 5, c->change);
	sqlite3_bind_int64(s, 6, c->updated_ms);
	if ((rc = step_done(db, s, "contribution put")) != HS_OK)
		return rc;
	int64_t id = sqlite3_last_insert_rowid(db->h);
	for (size_t i = 0; i < c->nrrs && rc == HS_OK; i++) {
		const st_contrib_rr_t *r = &c->rrs[i];
		if ((rc = sq_stmt(db, SQL_RR, &s)) != HS_OK)
			break;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sq_bind_text(s, 3, r->owner);
		sqlite3_bind_int64(s, 4, r->ttl);
		sq_bind_blob(s, 5, r->rdata, r->rdlen);
		sq_bind_text(s, 6, r->verdict);
		sq_bind_text(s, 7, r->reason);
		sqlite3_bind_int(s, 8, r->approved ? 1 : 0);
		rc = step_done(db, s, "contribution record put");
	}
	return rc;
}

int sqc_apply(void *be, const st_contrib_t *puts, size_t nputs, const st_contrib_key_t *dels,
              size_t ndels, uint64_t *deleted)
{
	struct sq_db *db = be;
	uint64_t n = 0;
	int rc = sq_begin_durable(db);
	if (rc != HS_OK)
		return rc;
	for (size_t i = 0; i < ndels && rc == HS_OK; i++)
		rc = del_one(db, dels[i].zone, dels[i].origin, dels[i].type, &n);
	for (size_t i = 0; i < nputs && rc == HS_OK; i++)
		rc = put_one(db, &puts[i]);
	if (rc == HS_OK)
		rc = sq_commit(db);
	if (rc != HS_OK) {
		sq_rollback(db);
		return rc;
	}
	*deleted = n;
	return HS_OK;
}

static void list_push(st_contrib_list_t *l, size_t *cap, sqlite3_stmt *s)
{
	if (l->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		l->v = xrealloc(l->v, *cap * sizeof(*l->v));
	}
	st_contrib_t *c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	c->zone = sq_col_text(s, 1);
	c->origin = sq_col_text(s, 2);
	c->type = (uint16_t)sqlite3_column_int(s, 3);
	c->version = (uint64_t)sqlite3_column_int64(s, 4);
	c->change = sq_col_text(s, 5);
	c->updated_ms = sqlite3_column_int64(s, 6);
	if (c->zone == NULL)
		c->zone = xstrdup("");
	if (c->origin == NULL)
		c->origin = xstrdup("");
	if (c->change == NULL)
		c->change = xstrdup("");
}

static void rr_push(st_contrib_t *c, sqlite3_stmt *s)
{
	/* records arrive in order; grow by powers of two */
	if ((c->nrrs & (c->nrrs - 1)) == 0)
		c->rrs = xrealloc(c->rrs, (c->nrrs ? c->nrrs * 2 : 1) * sizeof(*c->rrs));
	st_contrib_rr_t *r = &c->rrs[c->nrrs++];
	memset(r, 0, sizeof(*r));
	r->owner = sq_col_text(s, 7);
	r->ttl = (uint32_t)sqlite3_column_int64(s, 8);
	r->rdata = sq_col_blob(s, 9, &r->rdlen);
	r->verdict = sq_col_text(s, 10);
	r->reason = sq_col_text(s, 11);
	r->approved = sqlite3_column_int(s, 12) != 0;
	if (r->owner == NULL)
		r->owner = xstrdup("");
	if (r->verdict == NULL)
		r->verdict = xstrdup("");
	if (r->reason == NULL)
		r->reason = xstrdup("");
}

int sqc_list(void *be, const char *zone, st_contrib_list_t *out)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	st_contrib_list_t l = {NULL, 0};
	size_t cap = 0;
	int64_t last = -1;
	int src;
	/* one read transaction: sets and records from one snapshot */
	int rc = sq_begin_read(db);
	if (rc != HS_OK)
		return rc;
	rc = sq_stmt(db, zone ? SQL_LIST_ZONE : SQL_LIST_ALL, &s);
	if (rc != HS_OK)
		goto cleanup;
	if (zone)
		sq_bind_text(s, 1, zone);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (id != last)
			list_push(&l, &cap, s);
		last = id;
		if (sqlite3_column_type(s, 7) != SQLITE_NULL)
			rr_push(&l.v[l.n - 1], s);
	}
	sq_done(s);
	if (src != SQLITE_DONE)
		rc = sq_fail(db, src, "contribution list");
cleanup:
	sq_rollback(db);
	if (rc != HS_OK) {
		st_contrib_list_free(&l);
		return rc;
	}
	*out = l;
	return HS_OK;
}

int sqc_count(void *be, const char *zone, uint64_t *nsets, uint64_t *nrrs)
{
	struct sq_db *db = be;
	sqlite3_stmt *s = NULL;
	int rc = sq_stmt(db, SQL_COUNT, &s);
	if (rc != HS_OK)
		return rc;
	sq_bind_text(s, 1, zone);
	int src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		*nsets = (uint64_t)sqlite3_column_int64(s, 0);
		*nrrs = (uint64_t)sqlite3_column_int64(s, 1);
	} else {
		rc = sq_fail(db, src, "contribution count");
	}
	sq_done(s);
	return rc;
}
