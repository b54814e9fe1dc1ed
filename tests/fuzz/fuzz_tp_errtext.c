/*
 * fuzz_tp_errtext.c -- arbitrary bytes as a peer's error response, through
 * the description the transport logs and keeps for `peer show`
 * (dns_error_text: RCODE and Extended DNS Error with its text, from bytes
 * whose signature may not verify). It must never crash, always write a
 * NUL-terminated line of printable ASCII that fits, and never read past
 * the message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/core_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = {1, 8, 40, 100};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char out[101];
		memset(out, 'x', sizeof(out));
		uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees overreads */
		if (copy == NULL)
			return 0;
		memcpy(copy, data, size);
		dns_error_text(copy, size, out, sizes[i]);
		free(copy);
		size_t n = strnlen(out, sizes[i]);
		if (n >= sizes[i])
			abort();
		for (size_t k = 0; k < n; k++)
			if (out[k] < 0x20 || out[k] > 0x7e)
				abort();
	}
	return 0;
}
