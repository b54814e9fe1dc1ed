/*
 * fuzz_tcp_framing.c -- a TCP byte stream as the endpoint sees it: split
 * into 2-octet length frames (tp_frame_peek), each message parsed, the
 * stream abandoned at the first bad length like the server does.
 */
#include <stdint.h>
#include <stdlib.h>

#include "transport/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, n;
	/* the first octet picks the configured maximum, as the server's
	 * tcp_max_msg would */
	size_t max = size > 0 ? 12 + (size_t)data[0] * 257 : TP_MSG_MAX;
	if (size > 0) {
		data++;
		size--;
	}
	for (;;) {
		int rc = tp_frame_peek(data + off, size - off, max, &n);
		if (rc != HS_OK)
			break;
		if (n < TP_DNS_HDR_LEN || n > max || off + 2 + n > size)
			abort();
		tp_req_info_t info;
		if (tp_req_parse(data + off + 2, n, &info) == HS_OK && info.question_end > n)
			abort();
		off += 2 + n;
	}
	return 0;
}
