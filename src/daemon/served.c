/*
 * served.c -- a combiner's served zones (SYNC-50..53): per zone its own
 * zone machinery version, journal and place in the store, made from the
 * inbound copy and the combined apex (cmb_served_build/diff), applied as
 * a difference so downstreams get an IXFR, and served by the zone server
 * (provide-xfr, notify of the zone's configuration).
 *
 * The served zone is kept in the store under "@served.NAME" (the inbound
 * copy is under NAME), so a restart serves it at once, byte for byte,
 * before any transfer; the first update after the restart compares it
 * with what the inbound zone and the contributions give and changes
 * nothing when they agree.
 */
#include <stdio.h>
#include <string.h>

#include "daemon/hd_int.h"

#define SUBSYS "combiner"

static st_t *store_of(hd_t *d, const struct hd_zone *hz)
{
	return hz->persist ? tp_node_store(d->node) : NULL;
}

static void served_key(const struct hd_zone *hz, char *out, size_t len)
{
	snprintf(out, len, "@served.%s", strcmp(hz->name, ".") == 0 ? "" : hz->name);
}

void hd_served_setup(hd_t *d, struct hd_zone *hz, const hd_zone_conf_t *zc)
{
	size_t alen;
	const uint8_t *apex = zn_zone_apex(hz->zn, &alen);
	char key[300];
	hs_errmsg_t em;
	st_t *st = store_of(d, hz);

	served_key(hz, key, sizeof(key));
	if (hz->out == NULL) {
		hs_errmsg_clear(&em);
		if (st != NULL &&
		    zn_store_load_as(st, key, apex, alen, &zc->journal, hs_now_s(d->env), &hz->out,
		                     &hz->outjn, &em) == HS_OK) {
			uint32_t serial = 0;
			hd_ignore(zn_zone_serial(hz->out, &serial));
			hs_log(HS_LOG_NOTICE, SUBSYS,
			       "zone '%s': stored served zone loaded: serial %u", hz->name, serial);
		} else if (zn_zone_new(apex, alen, &hz->out) == HS_OK) {
			hz->outjn = zn_journal_new(&zc->journal);
		} else {
			return;
		}
	}
	zn_journal_set_limits(hz->outjn, &zc->journal);
	tp_zs_zone_conf_t sc = {zc->acl, zc->nacl, zc->notify, zc->nnotify};
	if (tp_zs_zone_set(d->zsrv, hz->out, hz->outjn, &sc) != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': not served (unknown key)", zc->name);
	hz->served_setup = 1;
}

void hd_served_free(hd_t *d, struct hd_zone *hz)
{
	(void)d;
	zn_snap_release(hz->base);
	hz->base = NULL;
	zn_zone_free(hz->out);
	zn_journal_free(hz->outjn);
	hz->out = NULL;
	hz->outjn = NULL;
	hz->served_setup = 0;
}

/* A new served version in the store: a journal row, or a snapshot the
 * first time and when compaction is due. */
void hd_served_persist(hd_t *d, struct hd_zone *hz, const zn_diff_t *diff)
{
	st_t *st = store_of(d, hz);
	char key[300];
	size_t alen;
	const uint8_t *apex = zn_zone_apex(hz->out, &alen);
	int64_t now = hs_now_s(d->env);
	int rc = HS_OK;
	if (st == NULL)
		return;
	served_key(hz, key, sizeof(key));
	if (diff != NULL)
		rc = zn_store_append_as(st, key, apex, alen, diff, now);
	if (diff == NULL || rc != HS_OK || zn_store_should_compact_as(st, key, apex, alen))
		rc = zn_store_snapshot_as(st, key, hz->out, hz->outjn, now);
	if (rc != HS_OK)
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': served zone not stored: %s", hz->name,
		       hs_strerror(rc));
}

/* The first version: made whole. */
static int first(hd_t *d, struct hd_zone *hz, const zn_snap_t *in, const cmb_apex_t *apex)
{
	zn_builder_t *b = NULL;
	hs_errmsg_t em;
	hs_errmsg_clear(&em);
	int rc = cmb_served_build(in, apex, &b, &em);
	if (rc == HS_OK)
		rc = zn_zone_set(hz->out, b, &em);
	if (rc != HS_OK) {
		hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': served zone not made: %s", hz->name,
		       hs_errmsg_str(&em));
		return rc;
	}
	zn_journal_clear(hz->outjn);
	hd_served_persist(d, hz, NULL);
	return HS_OK;
}

/* A difference from `base` (NULL: from the whole zones), applied. *n =
 * records it changed, 0 when nothing changed. */
static int next(hd_t *d, struct hd_zone *hz, const zn_snap_t *base, const zn_snap_t *in,
                const cmb_apex_t *apex, size_t *n)
{
	zn_snap_t *cur = zn_zone_snapshot(hz->out);
	zn_diff_t *diff = NULL;
	hs_errmsg_t em;
	int rc = cmb_served_diff(cur, base, in, apex, &diff);
	hs_errmsg_clear(&em);
	*n = 0;
	if (rc == HS_OK && diff != NULL) {
		rc = zn_update(hz->out, hz->outjn, diff, hs_now_s(d->env), &em);
		if (rc == HS_OK) {
			*n = zn_diff_ndel(diff) + zn_diff_nadd(diff);
			hd_served_persist(d, hz, diff);
		} else if (base == NULL) {
			hs_log(HS_LOG_WARN, SUBSYS, "zone '%s': served zone not updated: %s",
			       hz->name, hs_errmsg_str(&em));
		}
	}
	zn_diff_free(diff);
	zn_snap_release(cur);
	return rc;
}

void hd_served_update(hd_t *d, struct hd_zone *hz)
{
	zn_snap_t *in = zn_zone_snapshot(hz->zn);
	cmb_apex_t apex;
	int have_apex, rc;
	size_t n = 0, alen;
	uint32_t before = 0, after = 0;
	int had = hz->out != NULL && zn_zone_serial(hz->out, &before) == HS_OK;

	if (in == NULL || !hz->served_setup)
		goto cleanup;
	memset(&apex, 0, sizeof(apex));
	have_apex = cmb_apex_get(d->cmb, hz->name, &apex) == HS_OK;
	if (!had) {
		rc = first(d, hz, in, have_apex ? &apex : NULL);
		n = zn_snap_records(in);
	} else {
		rc = next(d, hz, hz->base, in, have_apex ? &apex : NULL, &n);
		if (rc == HS_E_STATE) {
			/* SYNC-58: an owner-signed version is served under its own
			 * serial or not at all */
			hs_log(HS_LOG_WARN, SUBSYS,
			       "zone '%s': owner-signed serial %u not served: not above the "
			       "served serial %u",
			       hz->name, zn_snap_serial(in), before);
			goto cleanup;
		}
		if (rc != HS_OK && hz->base != NULL) {
			/* the served zone is not what `base` made of it (a crash
			 * between two writes): compare the whole zones instead */
			hz->served_rebuilds++;
			hs_log(HS_LOG_NOTICE, SUBSYS,
			       "zone '%s': served zone compared in full (%s)", hz->name,
			       hs_strerror(rc));
			rc = next(d, hz, NULL, in, have_apex ? &apex : NULL, &n);
		}
	}
	if (have_apex)
		cmb_apex_clear(&apex);
	if (rc != HS_OK)
		goto cleanup;
	zn_snap_release(hz->base);
	hz->base = zn_snap_ref(in);
	hd_ignore(zn_zone_serial(hz->out, &after));
	if (n > 0) {
		hz->served_versions++;
		hs_log(HS_LOG_NOTICE, SUBSYS,
		       "zone '%s': serving serial %u (inbound %u, %zu record%s changed)", hz->name,
		       after, zn_snap_serial(in), n, n == 1 ? "" : "s");
		const uint8_t *a = zn_zone_apex(hz->out, &alen);
		tp_zs_changed(d->zsrv, a, alen); /* NOTIFY downstreams (SYNC-53) */
	}
	hd_ignore(cmb_zone_served(d->cmb, hz->name, after));
cleanup:
	zn_snap_release(in);
}
