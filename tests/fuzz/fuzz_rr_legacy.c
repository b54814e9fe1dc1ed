/* libFuzzer target: legacy HSYNC / HSYNC2 decoders. The first octet picks
 * the type; the rest is RDATA. Decode-only types have no text encoder, so
 * the property is: the struct re-serialises to the input, the text form is
 * stable, and the generic form reads back. */
#include "fuzz/fuzz_rr_common.h"
#include "wire/proto.h"
#include "wire/rr_legacy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hs_hsync_legacy_t h;
	hs_buf_t w = HS_BUF_INIT;
	if (size < 1)
		return 0;
	uint16_t type = data[0] & 1 ? HS_RRTYPE_HSYNC2 : HS_RRTYPE_HSYNC;
	data++;
	size--;
	int dec = hs_hsync_legacy_decode(type, data, size, &h, NULL) == HS_OK;
	if (dec != fuzz_rr_roundtrip(type, data, size))
		abort();
	if (dec) {
		hs_buf_append_u8(&w, h.state);
		if (type == HS_RRTYPE_HSYNC) {
			hs_buf_append_u8(&w, h.nsmgmt);
			hs_buf_append_u8(&w, h.sign);
		} else {
			hs_buf_append_u16(&w, h.flags);
		}
		hs_buf_append(&w, h.identity, h.identity_len);
		hs_buf_append(&w, h.upstream, h.upstream_len);
		if (w.len != size || memcmp(w.data, data, size) != 0)
			abort();
	}
	hs_buf_free(&w);
	return 0;
}
