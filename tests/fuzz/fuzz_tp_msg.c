/* fuzz_tp_msg.c -- the message and receipt msgpack decoders; a decoded
 * message re-encodes to something that decodes the same. */
#include <stdlib.h>
#include <string.h>

#include "transport/tpmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_msg_t m, d;
	tp_receipt_t r;
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
	hs_buf_free(&b);
	return 0;
}
