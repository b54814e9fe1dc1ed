/* libFuzzer target: HELLO and HELLO_ACK body decoders (engine). A body that
 * decodes re-encodes to a body that decodes to the same fields. */
#include <stdlib.h>
#include <string.h>

#include "engine/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eng_hello_t h, h2;
	eng_hello_ack_t a, a2;
	hs_buf_t w = HS_BUF_INIT;
	if (eng_hello_decode(data, size, &h, NULL) == HS_OK) {
		if (eng_hello_encode(&h, &w) != HS_OK ||
		    eng_hello_decode(w.data, w.len, &h2, NULL) != HS_OK)
			abort();
		if (strcmp(h.identity, h2.identity) != 0 || h.nzones != h2.nzones ||
		    h.nonce != h2.nonce || h.time_ms != h2.time_ms)
			abort();
		for (size_t i = 0; i < h.nzones; i++)
			if (strcmp(h.zones[i], h2.zones[i]) != 0)
				abort();
		eng_hello_free(&h2);
		eng_hello_free(&h);
	}
	hs_buf_reset(&w);
	if (eng_hello_ack_decode(data, size, &a, NULL) == HS_OK) {
		if (eng_hello_ack_encode(&a, &w) != HS_OK ||
		    eng_hello_ack_decode(w.data, w.len, &a2, NULL) != HS_OK)
			abort();
		if (a.accept != a2.accept || a.nonce != a2.nonce ||
		    (!a.accept && strcmp(a.reason, a2.reason) != 0) ||
		    (!a.accept && strcmp(a.text, a2.text) != 0))
			abort();
	}
	hs_buf_free(&w);
	return 0;
}
