/*
 * fuzz_ixfr_stream.c -- an IXFR (or AXFR) answer stream as a secondary
 * reads it, for "example.test.": octets 0-1 the query id, 2-5 our serial,
 * 6 bit 0 set for an AXFR query; then 2-octet-framed messages fed one by
 * one to zn_ixfr_feed(). A complete answer is used as a secondary would:
 * differences applied (strictly) to a small zone at our serial and the
 * result validated, a whole zone built, validated and compared.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/endpoint.h"
#include "util/log.h"
#include "zone/zxfr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t apex[] = "\007example\004test";

/* example.test. at `serial`: SOA, NS, a few A records. */
static zn_zone_t *base(uint32_t serial)
{
	static const uint8_t mn[] = "\002ns\007example\004test";
	static const uint8_t h1[] = "\002h1\007example\004test";
	uint8_t soa[64];
	size_t o = 0;
	zn_zone_t *z = NULL;
	if (zn_zone_new(apex, sizeof(apex), &z) != HS_OK)
		abort();
	memcpy(soa, mn, sizeof(mn));
	o = sizeof(mn);
	memcpy(soa + o, mn, sizeof(mn));
	o += sizeof(mn);
	uint32_t v[5] = {serial, 3600, 600, 86400, 300};
	for (int i = 0; i < 5; i++) {
		soa[o++] = (uint8_t)(v[i] >> 24);
		soa[o++] = (uint8_t)(v[i] >> 16);
		soa[o++] = (uint8_t)(v[i] >> 8);
		soa[o++] = (uint8_t)v[i];
	}
	zn_builder_t *b = zn_builder_new(apex, sizeof(apex));
	zn_rr_t rrs[] = {
	    {apex, sizeof(apex), 6, 3600, soa, (uint16_t)o},
	    {apex, sizeof(apex), 2, 3600, mn, sizeof(mn)},
	    {h1, sizeof(h1), 1, 300, (const uint8_t *)"\x0a\0\0\1", 4},
	    {h1, sizeof(h1), 1, 300, (const uint8_t *)"\x0a\0\0\2", 4},
	};
	for (size_t i = 0; i < sizeof(rrs) / sizeof(rrs[0]); i++)
		if (zn_builder_add(b, &rrs[i], NULL) != HS_OK)
			abort();
	if (zn_zone_set(z, b, NULL) != HS_OK)
		abort();
	return z;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	zn_ixfr_t *p = NULL;
	zn_ixfr_limits_t lim = {5000, 1u << 20};
	hs_errmsg_t em;
	size_t off = 7, n;
	int rc = HS_E_AGAIN;

	hs_log_set_level(HS_LOG_ERR);
	if (size < 7)
		return 0;
	uint16_t id = (uint16_t)(data[0] << 8 | data[1]);
	uint32_t ours =
	    (uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 8 | data[5];
	int axfr = data[6] & 1;
	if (zn_ixfr_new(apex, sizeof(apex), id, ours, axfr, &lim, &p) != HS_OK)
		abort();
	while (tp_frame_peek(data + off, size - off, TP_MSG_MAX, &n) == HS_OK) {
		rc = zn_ixfr_feed(p, data + off + 2, n, &em);
		off += 2 + n;
		if (rc != HS_E_AGAIN)
			break;
	}
	if (rc != HS_OK)
		goto cleanup;
	zn_zone_t *z = base(ours);
	if (zn_ixfr_kind(p) == ZN_IXFR_INCREMENTAL) {
		zn_diff_t **diffs = NULL;
		size_t nd = 0, i;
		if (zn_ixfr_take_diffs(p, &diffs, &nd) != HS_OK || nd == 0)
			abort();
		for (i = 0; i < nd; i++) {
			if (zn_apply(z, diffs[i], &em) != HS_OK)
				break;
			zn_snap_t *s = zn_zone_snapshot(z);
			(void)!zn_snap_validate_diff(s, diffs[i], &em);
			zn_snap_release(s);
		}
		for (i = 0; i < nd; i++)
			zn_diff_free(diffs[i]);
		free(diffs);
	} else if (zn_ixfr_kind(p) == ZN_IXFR_FULL) {
		zn_builder_t *b = NULL;
		zn_zone_t *full = NULL;
		if (zn_ixfr_take_full(p, &b) != HS_OK)
			abort();
		if (zn_zone_new(apex, sizeof(apex), &full) != HS_OK)
			abort();
		if (zn_zone_set(full, b, &em) == HS_OK) {
			zn_snap_t *a = zn_zone_snapshot(z), *s = zn_zone_snapshot(full);
			zn_diff_t *d = NULL;
			(void)!zn_snap_validate(s, &em);
			if (zn_diff_snaps(a, s, &d) != HS_OK)
				abort();
			zn_diff_free(d);
			zn_snap_release(a);
			zn_snap_release(s);
		}
		zn_zone_free(full);
	}
	zn_zone_free(z);
cleanup:
	zn_ixfr_free(p);
	return 0;
}
