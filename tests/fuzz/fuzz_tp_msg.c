/* fuzz_tp_msg.c -- the message, receipt and PING body msgpack decoders;
 * a decoded message or PING body re-encodes to something that decodes
 * the same. */
#include <stdlib.h>
#include <string.h>

#include "transport/tpmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_msg_t m, d;
	tp_receipt_t r;
	tp_ping_t pg, pg2;
	hs_buf_t b = {0};
	if (tp_mp_check_map(data, size) == HS_OK && size > 0 && (data[0] & 0xf0) != 0x80 &&
	    data[0] != 0xde && data[0] != 0xdf)
		abort();
	if (tp_receipt_decode(data, size, &r) == HS_OK &&
	    (r.status < TP_RCPT_RECEIVED || r.status > TP_RCPT_REJECTED))
		abort();
	if (tp_msg_decode(data, size, &m) == HS_OK) {
		if (m.body == NULL || m.body < data || m.body + m.body_len > data + size)
			abort();
		if (tp_msg_encode(&b, &m) != HS_OK || tp_msg_decode(b.data, b.len, &d) != HS_OK ||
		    d.v != m.v || d.ts != m.ts || strcmp(d.from, m.from) ||
		    strcmp(d.type, m.type) || d.body_len != m.body_len ||
		    memcmp(d.body, m.body, m.body_len))
			abort();
	}
	hs_buf_reset(&b);
	if (tp_ping_decode(data, size, &pg) == HS_OK) {
		if (pg.data != NULL && (pg.data < data || pg.data + pg.data_len > data + size))
			abort();
		tp_ping_encode(&b, pg.data, pg.data_len, pg.echo);
		if (tp_ping_decode(b.data, b.len, &pg2) != HS_OK || pg2.echo != pg.echo ||
		    pg2.data_len != pg.data_len ||
		    (pg.data_len && memcmp(pg.data, pg2.data, pg.data_len) != 0))
			abort();
	}
	hs_buf_free(&b);
	return 0;
}
