/* fuzz_tp_manifest.c -- the manifest JSON reader; whatever it accepts
 * must be consistent and survive a re-encode. */
#include <stdlib.h>
#include <string.h>

#include "transport/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_manifest_t m, d;
	hs_buf_t b = {0};
	if (tp_manifest_decode((const char *)data, size, &m) != HS_OK)
		return 0;
	if (m.chunk_count == 0 || (uint64_t)(m.chunk_count - 1) * m.chunk_size >= m.size ||
	    m.size > (uint64_t)m.chunk_count * m.chunk_size ||
	    tp_manifest_slice_len(&m, m.chunk_count) == 0)
		abort();
	if (tp_manifest_encode(&b, &m) != HS_OK ||
	    tp_manifest_decode((const char *)b.data, b.len, &d) != HS_OK ||
	    memcmp(&m, &d, sizeof(m)) != 0)
		abort();
	hs_buf_free(&b);
	return 0;
}
