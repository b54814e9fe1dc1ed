/* libFuzzer target: DSYNC RDATA decoder (round trip through text and struct). */
#include "fuzz/fuzz_rr_common.h"
#include "wire/proto.h"
#include "wire/rr_dsync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_dsync_t d;
	hs_buf_t w = HS_BUF_INIT;
	int dec = hs_dsync_decode(data, size, &d, NULL) == HS_OK;
	if (dec != fuzz_rr_roundtrip(HS_RRTYPE_DSYNC, data, size))
		abort();
	if (dec && (hs_dsync_encode(&d, &w, NULL) != HS_OK || w.len != size ||
	            memcmp(w.data, data, size) != 0))
		abort();
	hs_buf_free(&w);
	return 0;
}
