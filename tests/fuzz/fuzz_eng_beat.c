/* libFuzzer target: BEAT body decoder (engine). A body that decodes
 * re-encodes, and that encoding is a fixed point. */
#include <stdlib.h>
#include <string.h>

#include "engine/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eng_beat_t b, b2;
	hs_buf_t w = HS_BUF_INIT, w2 = HS_BUF_INIT;
	if (eng_beat_decode(data, size, &b, NULL) != HS_OK)
		return 0;
	if (eng_beat_encode(&b, &w) != HS_OK || eng_beat_decode(w.data, w.len, &b2, NULL) != HS_OK)
		abort();
	if (eng_beat_encode(&b2, &w2) != HS_OK || w.len != w2.len ||
	    memcmp(w.data, w2.data, w.len) != 0)
		abort();
	eng_beat_free(&b);
	eng_beat_free(&b2);
	hs_buf_free(&w);
	hs_buf_free(&w2);
	return 0;
}
