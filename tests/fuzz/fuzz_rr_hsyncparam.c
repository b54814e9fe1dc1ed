/* libFuzzer target: HSYNCPARAM RDATA decoder (round trip through text and struct). */
#include "fuzz/fuzz_rr_common.h"
#include "wire/proto.h"
#include "wire/rr_hsyncparam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static hs_hsyncparam_t h;
	hs_buf_t w = HS_BUF_INIT;
	int dec = hs_hsyncparam_decode(data, size, &h, NULL) == HS_OK;
	if (dec != fuzz_rr_roundtrip(HS_RRTYPE_HSYNCPARAM, data, size))
		abort();
	if (dec && (hs_hsyncparam_encode(&h, &w, NULL) != HS_OK || w.len != size ||
	            (size && memcmp(w.data, data, size) != 0)))
		abort();
	if (dec)
		(void)hs_hsyncparam_list_has(&h, HS_HSP_SERVERS, (const uint8_t *)"alpha", 5);
	hs_buf_free(&w);
	return 0;
}
