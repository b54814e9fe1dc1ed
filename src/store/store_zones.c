/*
 * store_zones.c -- the public zone snapshot/journal API: argument checks
 * and name canonicalisation, then the backend.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

int st_zone_put_snapshot(st_t *st, const char *zone, uint32_t serial, const uint8_t *data,
                         size_t len, int64_t at, int has_keep, uint32_t keep_from)
{
	char name[ST_NAME_MAX];
	if (st == NULL || data == NULL || len == 0 || len > ST_ZONE_BLOB_MAX)
		return HS_E_INVAL;
	int rc = st_name_canon(zone, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->zone_put_snapshot(st->be, name, serial, data, len, at, has_keep, keep_from);
}

int st_zone_add_journal(st_t *st, const char *zone, uint32_t from_serial, uint32_t to_serial,
                        int64_t at, const uint8_t *data, size_t len, int64_t *seq)
{
	char name[ST_NAME_MAX];
	if (st == NULL || data == NULL || len == 0 || len > ST_ZONE_BLOB_MAX)
		return HS_E_INVAL;
	int rc = st_name_canon(zone, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->zone_add_journal(st->be, name, from_serial, to_serial, at, data, len, seq);
}

int st_zone_load(st_t *st, const char *zone, st_zone_data_t *out)
{
	char name[ST_NAME_MAX];
	if (st == NULL || out == NULL)
		return HS_E_INVAL;
	int rc = st_name_canon(zone, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->zone_load(st->be, name, out);
}

void st_zone_data_clear(st_zone_data_t *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nrows; i++)
		free(d->rows[i].data);
	free(d->rows);
	free(d->snap);
	memset(d, 0, sizeof(*d));
}

int st_zone_trim(st_t *st, const char *zone, int64_t after_seq)
{
	char name[ST_NAME_MAX];
	if (st == NULL)
		return HS_E_INVAL;
	int rc = st_name_canon(zone, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->zone_trim(st->be, name, after_seq);
}

int st_zone_sizes(st_t *st, const char *zone, uint64_t *snap_bytes, uint64_t *journal_bytes)
{
	char name[ST_NAME_MAX];
	if (st == NULL || snap_bytes == NULL || journal_bytes == NULL)
		return HS_E_INVAL;
	int rc = st_name_canon(zone, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->zone_sizes(st->be, name, snap_bytes, journal_bytes);
}

int st_zone_drop(st_t *st, const char *zone)
{
	char name[ST_NAME_MAX];
	if (st == NULL)
		return HS_E_INVAL;
	int rc = st_name_canon(zone, name);
	if (rc != HS_OK)
		return rc;
	return st->ops->zone_drop(st->be, name);
}
