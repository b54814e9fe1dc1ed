/*
 * fuzz_pktprint.c -- arbitrary bytes as a DNS response through the
 * dig-style printer (wire/pktprint.h), full and +short forms. It must
 * never crash, and on failure must leave its output buffer alone.
 */
#include <stdint.h>
#include <stdlib.h>

#include "util/buf.h"
#include "wire/pktprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned modes[] = {0, PKT_PRINT_SHORT,
	                                 PKT_PRINT_NO_COMMENTS | PKT_PRINT_NO_QUESTION |
	                                     PKT_PRINT_NO_AUTHORITY | PKT_PRINT_NO_ADDITIONAL};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		hs_buf_t out = HS_BUF_INIT;
		hs_errmsg_t em;
		if (pkt_print(data, size, modes[i], &out, &em) != HS_OK && out.len != 0)
			abort();
		hs_buf_free(&out);
	}
	return 0;
}
