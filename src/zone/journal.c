/*
 * journal.c -- the bounded chain of differences, and updating a zone and
 * its journal together.
 */
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "zone/journal.h"
#include "zone/zone_int.h"

struct jent {
	zn_diff_t *d;
	int64_t at;
	size_t bytes;
};

struct zn_journal {
	zn_journal_limits_t lim;
	struct jent *v; /* ring would save moves; entries are few */
	size_t n, cap;
	size_t bytes;
};

static void set_limits(zn_journal_t *j, const zn_journal_limits_t *lim)
{
	j->lim.max_bytes = lim && lim->max_bytes ? lim->max_bytes : ZN_JOURNAL_DEF_BYTES;
	j->lim.max_age_s = lim && lim->max_age_s ? lim->max_age_s : ZN_JOURNAL_DEF_AGE;
	j->lim.max_entries = lim && lim->max_entries ? lim->max_entries : ZN_JOURNAL_DEF_ENTRIES;
}

zn_journal_t *zn_journal_new(const zn_journal_limits_t *lim)
{
	zn_journal_t *j = xcalloc(1, sizeof(*j));
	set_limits(j, lim);
	return j;
}

void zn_journal_clear(zn_journal_t *j)
{
	for (size_t i = 0; i < j->n; i++)
		zn_diff_free(j->v[i].d);
	j->n = 0;
	j->bytes = 0;
}

void zn_journal_truncate(zn_journal_t *j, size_t n)
{
	while (j && j->n > n) {
		j->n--;
		j->bytes -= j->v[j->n].bytes;
		zn_diff_free(j->v[j->n].d);
	}
}

void zn_journal_free(zn_journal_t *j)
{
	if (j == NULL)
		return;
	zn_journal_clear(j);
	free(j->v);
	free(j);
}

static void drop_oldest(zn_journal_t *j, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		j->bytes -= j->v[i].bytes;
		zn_diff_free(j->v[i].d);
	}
	memmove(j->v, j->v + k, (j->n - k) * sizeof(*j->v));
	j->n -= k;
}

static void enforce(zn_journal_t *j, int64_t now)
{
	size_t k = 0, bytes = j->bytes;
	/* the newest entry always stays */
	while (j->n - k > 1 && (bytes > j->lim.max_bytes || j->n - k > j->lim.max_entries ||
	                        (now - j->v[k].at > (int64_t)j->lim.max_age_s))) {
		bytes -= j->v[k].bytes;
		k++;
	}
	if (k)
		drop_oldest(j, k);
}

void zn_journal_set_limits(zn_journal_t *j, const zn_journal_limits_t *lim)
{
	set_limits(j, lim);
}

void zn_journal_expire(zn_journal_t *j, int64_t now)
{
	enforce(j, now);
}

int zn_journal_append(zn_journal_t *j, zn_diff_t *d, int64_t now)
{
	if (j == NULL || d == NULL) {
		zn_diff_free(d);
		return HS_E_INVAL;
	}
	if (!d->has_from || !d->has_to) {
		zn_diff_free(d);
		return HS_E_INVAL;
	}
	if (j->n && j->v[j->n - 1].d->to_serial != d->from_serial) {
		log_warn(ZN_LOG,
		         "journal: diff from serial %u does not follow serial %u, journal "
		         "cleared",
		         d->from_serial, j->v[j->n - 1].d->to_serial);
		zn_journal_clear(j);
		zn_diff_free(d);
		return HS_E_STATE;
	}
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 16;
		j->v = xrealloc(j->v, j->cap * sizeof(*j->v));
	}
	struct jent *e = &j->v[j->n++];
	e->d = d;
	e->at = now;
	e->bytes = zn_diff_wire_size(d);
	j->bytes += e->bytes;
	enforce(j, now);
	return HS_OK;
}

void zn_journal_span(const zn_journal_t *j, zn_journal_span_t *out)
{
	memset(out, 0, sizeof(*out));
	if (j == NULL || j->n == 0)
		return;
	out->entries = j->n;
	out->bytes = j->bytes;
	out->oldest = j->v[0].d->from_serial;
	out->newest = j->v[j->n - 1].d->to_serial;
	out->oldest_at = j->v[0].at;
	out->newest_at = j->v[j->n - 1].at;
}

size_t zn_journal_count(const zn_journal_t *j)
{
	return j ? j->n : 0;
}

const zn_diff_t *zn_journal_entry(const zn_journal_t *j, size_t i)
{
	return j && i < j->n ? j->v[i].d : NULL;
}

int64_t zn_journal_entry_time(const zn_journal_t *j, size_t i)
{
	return j && i < j->n ? j->v[i].at : 0;
}

int zn_journal_find(const zn_journal_t *j, uint32_t from, size_t *index)
{
	if (j == NULL || index == NULL)
		return HS_E_INVAL;
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].d->from_serial == from) {
			*index = i;
			return HS_OK;
		}
	return HS_E_NOTFOUND;
}

int zn_update(zn_zone_t *z, zn_journal_t *j, const zn_diff_t *d, int64_t now, hs_errmsg_t *em)
{
	int rc = zn_apply(z, d, em);
	if (rc != HS_OK || j == NULL)
		return rc;
	if (zn_journal_append(j, zn_diff_copy(d), now) != HS_OK)
		log_warn(ZN_LOG, "journal restarted at serial %u", d->to_serial);
	return HS_OK;
}

int zn_replace(zn_zone_t *z, zn_journal_t *j, zn_builder_t *b, int64_t now, zn_diff_t **diff_out,
               hs_errmsg_t *em)
{
	zn_snap_t *old = zn_zone_snapshot(z);
	zn_diff_t *d = NULL;
	int rc = zn_zone_set(z, b, em);
	if (rc != HS_OK)
		goto cleanup;
	if (diff_out)
		*diff_out = NULL;
	if (old == NULL || j == NULL)
		goto cleanup;
	zn_snap_t *cur = zn_zone_snapshot(z);
	if (!zn_serial_gt(cur->serial, old->serial)) {
		log_notice(ZN_LOG, "zone replaced at serial %u after %u: journal cleared",
		           cur->serial, old->serial);
		zn_journal_clear(j);
	} else if (zn_diff_snaps(old, cur, &d) == HS_OK) {
		if (diff_out)
			*diff_out = zn_diff_copy(d);
		if (zn_journal_append(j, d, now) != HS_OK)
			log_warn(ZN_LOG, "journal restarted at serial %u", cur->serial);
		d = NULL;
	}
	zn_snap_release(cur);
cleanup:
	zn_diff_free(d);
	zn_snap_release(old);
	return rc;
}
