/* libFuzzer target: HPKEKEY RDATA decoder (round trip through text and struct). */
#include "fuzz/fuzz_rr_common.h"
#include "wire/proto.h"
#include "wire/rr_hpkekey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_hpkekey_t k;
	hs_buf_t w = HS_BUF_INIT;
	int dec = hs_hpkekey_decode(data, size, &k, NULL) == HS_OK;
	if (dec != fuzz_rr_roundtrip(HS_RRTYPE_HPKEKEY, data, size))
		abort();
	if (dec &&
	    (k.pub_len != hs_hpke_kem_pklen(k.kem) || hs_hpkekey_encode(&k, &w, NULL) != HS_OK ||
	     w.len != size || memcmp(w.data, data, size) != 0))
		abort();
	hs_buf_free(&w);
	return 0;
}
