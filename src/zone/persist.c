/*
 * persist.c -- a zone in the store as a snapshot plus journal rows:
 * load (snapshot, then replay), append one row per difference, and
 * compaction (a new snapshot, old rows trimmed to what the in-memory
 * journal still holds).
 */
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "wire/text.h"
#include "zone/journal.h"
#include "zone/zone_int.h"

static void zone_text(const uint8_t *apex, size_t apex_len, hs_buf_t *out)
{
	out->len = 0;
	hs_name_print(out, apex, apex_len);
	hs_buf_cstr(out);
}

/* The store's key of a zone: its name, or the caller's own key. */
static void zone_key(const char *key, const uint8_t *apex, size_t apex_len, hs_buf_t *out)
{
	if (key == NULL) {
		zone_text(apex, apex_len, out);
		return;
	}
	out->len = 0;
	hs_buf_printf(out, "%s", key);
	hs_buf_cstr(out);
}

int zn_store_load(st_t *st, const uint8_t *apex, size_t apex_len, const zn_journal_limits_t *lim,
                  int64_t now, zn_zone_t **zone, zn_journal_t **journal, hs_errmsg_t *em)
{
	return zn_store_load_as(st, NULL, apex, apex_len, lim, now, zone, journal, em);
}

int zn_store_load_as(st_t *st, const char *key, const uint8_t *apex, size_t apex_len,
                     const zn_journal_limits_t *lim, int64_t now, zn_zone_t **zone,
                     zn_journal_t **journal, hs_errmsg_t *em)
{
	hs_buf_t name = HS_BUF_INIT;
	st_zone_data_t data;
	zn_zone_t *z = NULL;
	zn_journal_t *j = NULL;
	zn_builder_t *b = NULL;
	zn_diff_t *d = NULL;
	int rc;
	memset(&data, 0, sizeof(data));
	if (st == NULL || apex == NULL || zone == NULL || journal == NULL)
		return HS_E_INVAL;
	zone_key(key, apex, apex_len, &name);
	if ((rc = st_zone_load(st, (const char *)name.data, &data)) != HS_OK) {
		if (rc == HS_E_NOTFOUND)
			hs_fail(em, rc, "no stored copy of zone '%s'", (const char *)name.data);
		else
			hs_fail(em, rc, "zone '%s': store load failed", (const char *)name.data);
		goto cleanup;
	}
	if ((rc = zn_zone_new(apex, apex_len, &z)) != HS_OK)
		goto cleanup;
	if ((rc = zn_snap_decode(data.snap, data.snap_len, apex, apex_len, &b)) != HS_OK) {
		rc = hs_fail(em, HS_E_MALFORMED, "zone '%s': stored snapshot is damaged",
		             (const char *)name.data);
		goto cleanup;
	}
	rc = zn_zone_set(z, b, em);
	b = NULL;
	if (rc != HS_OK)
		goto cleanup;
	j = zn_journal_new(lim);
	for (size_t i = 0; i < data.nrows; i++) {
		const st_zone_row_t *r = &data.rows[i];
		hs_errmsg_t sub;
		hs_errmsg_clear(&sub);
		if (zn_diff_decode(r->data, r->len, &d) != HS_OK) {
			hs_fail(&sub, HS_E_MALFORMED, "damaged row");
		} else if (r->seq <= data.snap_seq) {
			/* history: in the snapshot already, kept for IXFR-out */
			(void)!zn_journal_append(j, d, r->at);
			d = NULL;
			continue;
		} else if (zn_update(z, j, d, r->at, &sub) == HS_OK) {
			zn_diff_free(d);
			d = NULL;
			continue;
		}
		log_warn(
		    ZN_LOG,
		    "zone '%s': stored journal row %lld (serial %u to %u) does not apply (%s): "
		    "replay stops, later rows deleted",
		    (const char *)name.data, (long long)r->seq, r->from_serial, r->to_serial,
		    hs_errmsg_str(&sub));
		zn_diff_free(d);
		d = NULL;
		if (st_zone_trim(st, (const char *)name.data, r->seq - 1) != HS_OK)
			log_warn(ZN_LOG, "zone '%s': could not delete the bad journal rows",
			         (const char *)name.data);
		break;
	}
	zn_journal_expire(j, now);
	*zone = z;
	*journal = j;
	z = NULL;
	j = NULL;
	rc = HS_OK;
cleanup:
	zn_builder_free(b);
	zn_zone_free(z);
	zn_journal_free(j);
	st_zone_data_clear(&data);
	hs_buf_free(&name);
	return rc;
}

int zn_store_append(st_t *st, const uint8_t *apex, size_t apex_len, const zn_diff_t *d, int64_t now)
{
	return zn_store_append_as(st, NULL, apex, apex_len, d, now);
}

int zn_store_append_as(st_t *st, const char *key, const uint8_t *apex, size_t apex_len,
                       const zn_diff_t *d, int64_t now)
{
	hs_buf_t name = HS_BUF_INIT, blob = HS_BUF_INIT;
	if (st == NULL || apex == NULL || d == NULL)
		return HS_E_INVAL;
	zone_key(key, apex, apex_len, &name);
	zn_diff_encode(d, &blob);
	int rc = st_zone_add_journal(st, (const char *)name.data, d->from_serial, d->to_serial, now,
	                             blob.data, blob.len, NULL);
	hs_buf_free(&name);
	hs_buf_free(&blob);
	return rc;
}

int zn_store_snapshot(st_t *st, const zn_zone_t *z, const zn_journal_t *j, int64_t now)
{
	return zn_store_snapshot_as(st, NULL, z, j, now);
}

int zn_store_snapshot_as(st_t *st, const char *key, const zn_zone_t *z, const zn_journal_t *j,
                         int64_t now)
{
	hs_buf_t name = HS_BUF_INIT, blob = HS_BUF_INIT;
	zn_journal_span_t span;
	if (st == NULL || z == NULL || z->cur == NULL)
		return HS_E_INVAL;
	zone_key(key, z->apex, z->apex_len, &name);
	zn_snap_encode(z->cur, &blob);
	zn_journal_span(j, &span);
	int rc = st_zone_put_snapshot(st, (const char *)name.data, z->cur->serial, blob.data,
	                              blob.len, now, span.entries > 0, span.oldest);
	hs_buf_free(&name);
	hs_buf_free(&blob);
	return rc;
}

int zn_store_should_compact(st_t *st, const uint8_t *apex, size_t apex_len)
{
	return zn_store_should_compact_as(st, NULL, apex, apex_len);
}

int zn_store_should_compact_as(st_t *st, const char *key, const uint8_t *apex, size_t apex_len)
{
	hs_buf_t name = HS_BUF_INIT;
	uint64_t snap = 0, jb = 0;
	zone_key(key, apex, apex_len, &name);
	int rc = st_zone_sizes(st, (const char *)name.data, &snap, &jb);
	hs_buf_free(&name);
	return rc == HS_OK && jb > snap / 2;
}

int zn_store_drop(st_t *st, const uint8_t *apex, size_t apex_len)
{
	return zn_store_drop_as(st, NULL, apex, apex_len);
}

int zn_store_drop_as(st_t *st, const char *key, const uint8_t *apex, size_t apex_len)
{
	hs_buf_t name = HS_BUF_INIT;
	zone_key(key, apex, apex_len, &name);
	int rc = st_zone_drop(st, (const char *)name.data);
	hs_buf_free(&name);
	return rc;
}
