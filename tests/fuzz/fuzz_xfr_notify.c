/*
 * fuzz_xfr_notify.c -- the single messages a secondary receives besides
 * the AXFR stream: a NOTIFY from the primary (parsed, answered) and the
 * response to its SOA query (serial extracted).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/xfr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t zone[] = "\007example\004test";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_xfr_notify_t n;
	hs_buf_t out = HS_BUF_INIT;
	uint32_t serial;

	if (tp_xfr_notify_parse(data, size, &n, NULL) == HS_OK) {
		if (n.zone_len == 0 || n.zone_len > WIRE_NAME_MAX ||
		    strlen(n.zone_text) >= sizeof(n.zone_text))
			abort();
		if (tp_xfr_notify_reply(data, size, TP_RCODE_NOERROR, &out) != HS_OK)
			abort(); /* a parsed NOTIFY can always be answered */
		if (out.len < 12 + n.zone_len + 4 || !(out.data[2] & 0x80))
			abort();
	}
	out.len = 0;
	if (tp_xfr_notify_reply(data, size, TP_RCODE_REFUSED, &out) != HS_OK && out.len != 0)
		abort(); /* nothing appended on failure */
	uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	serial = 0xdeadbeef;
	if (tp_xfr_soa_parse(data, size, zone, sizeof(zone), id, &serial, NULL) != HS_OK &&
	    serial != 0xdeadbeef)
		abort(); /* out-parameter written only on success */
	hs_buf_free(&out);
	return 0;
}
