/*
 * fuzz_xfr_stream.c -- an AXFR response stream as the client reads it:
 * the first two octets are the query id, the rest 2-octet-framed messages
 * fed one by one to the parser for "example.test."; a complete transfer
 * is finished (zone validation: hsync types decoded) and every accessor
 * of the zone is walked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/xfr.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t zone[] = "\007example\004test";

static void walk(const tp_xfr_zone_t *z)
{
	tp_xfr_rr_t rr;
	tp_xfr_rdata_t rd[8];
	size_t n = tp_xfr_zone_count(z);
	for (size_t i = 0; i < n; i++) {
		if (tp_xfr_zone_rr(z, i, &rr) != HS_OK || rr.owner_len == 0 ||
		    rr.owner_len > WIRE_NAME_MAX || (rr.rdlen && rr.rdata == NULL))
			abort();
	}
	if (tp_xfr_zone_rr(z, n, &rr) != HS_E_RANGE)
		abort();
	static const uint16_t types[] = {2, 6, 48, 65285, 65286};
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		size_t k = tp_xfr_zone_apex(z, types[t], rd, 8);
		for (size_t j = 0; j < k && j < 8; j++)
			if (rd[j].len && rd[j].data == NULL)
				abort();
	}
	if (tp_xfr_zone_validate(z, NULL) != HS_OK)
		abort(); /* a finished zone was validated already */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_xfr_parser_t *p = NULL;
	tp_xfr_zone_t *z = NULL;
	tp_xfr_limits_t lim = {5000, 1u << 20};
	hs_errmsg_t em;
	size_t off = 2, n;

	hs_log_set_level(HS_LOG_ERR);
	if (size < 2)
		return 0;
	uint16_t id = (uint16_t)(data[0] << 8 | data[1]);
	if (tp_xfr_parser_new(zone, sizeof(zone), id, &lim, &p) != HS_OK)
		abort();
	for (;;) {
		if (tp_frame_peek(data + off, size - off, TP_MSG_MAX, &n) != HS_OK)
			break;
		int rc = tp_xfr_parser_feed(p, data + off + 2, n, &em);
		off += 2 + n;
		if (rc == HS_E_AGAIN)
			continue;
		if (rc == HS_OK && tp_xfr_parser_finish(p, &z, &em) == HS_OK) {
			if (tp_xfr_zone_soa(z) == NULL)
				abort();
			walk(z);
		}
		break;
	}
	tp_xfr_zone_free(z);
	tp_xfr_parser_free(p);
	return 0;
}
