/* libFuzzer target: the synchronisation body decoders (SYNC/UPDATE,
 * CONFIRM, RFI, EDITS, CONFIG). Whatever decodes re-encodes, and the
 * re-encoding is a fixed point: decode(encode(x)) encodes to the same
 * octets (the encoding is canonical). */
#include <stdlib.h>
#include <string.h>

#include "engine/syncmsg.h"

#define FIXED_POINT(T, dec, enc, fr)                                                               \
	do {                                                                                       \
		T a_, b_;                                                                          \
		hs_buf_t w1_ = HS_BUF_INIT, w2_ = HS_BUF_INIT;                                     \
		if (dec(data, size, &a_, NULL) == HS_OK) {                                         \
			if (enc(&a_, &w1_) != HS_OK || dec(w1_.data, w1_.len, &b_, NULL) != HS_OK) \
				abort();                                                           \
			if (enc(&b_, &w2_) != HS_OK || w1_.len != w2_.len ||                       \
			    memcmp(w1_.data, w2_.data, w1_.len) != 0)                              \
				abort();                                                           \
			fr(&b_);                                                                   \
			fr(&a_);                                                                   \
		}                                                                                  \
		hs_buf_free(&w1_);                                                                 \
		hs_buf_free(&w2_);                                                                 \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FIXED_POINT(sm_sync_t, sm_sync_decode, sm_sync_encode, sm_sync_free);
	FIXED_POINT(sm_confirm_t, sm_confirm_decode, sm_confirm_encode, sm_confirm_free);
	FIXED_POINT(sm_rfi_t, sm_rfi_decode, sm_rfi_encode, sm_rfi_free);
	FIXED_POINT(sm_edits_t, sm_edits_decode, sm_edits_encode, sm_edits_free);
	FIXED_POINT(sm_config_t, sm_config_decode, sm_config_encode, sm_config_free);
	return 0;
}
