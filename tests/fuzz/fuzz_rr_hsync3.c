/* libFuzzer target: HSYNC3 RDATA decoder (round trip through text and struct). */
#include "fuzz/fuzz_rr_common.h"
#include "wire/proto.h"
#include "wire/rr_hsync3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_hsync3_t h;
	hs_buf_t w = HS_BUF_INIT;
	int dec = hs_hsync3_decode(data, size, &h, NULL) == HS_OK;
	if (dec != fuzz_rr_roundtrip(HS_RRTYPE_HSYNC3, data, size))
		abort();
	if (dec && (hs_hsync3_encode(&h, &w, NULL) != HS_OK || w.len != size ||
	            memcmp(w.data, data, size) != 0))
		abort();
	if (dec && !hs_hsync3_label_eq(h.label, h.label_len, h.label, h.label_len))
		abort();
	hs_buf_free(&w);
	return 0;
}
