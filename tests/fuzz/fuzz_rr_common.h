/*
 * fuzz_rr_common.h -- the round-trip property the record fuzz targets
 * assert: any RDATA that decodes prints to text that encodes back to the
 * very same octets (abort() otherwise).
 */
#ifndef HS_FUZZ_RR_COMMON_H
#define HS_FUZZ_RR_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "wire/rdata.h"

/* Returns 1 if `data` decoded as `type` (and round-tripped), 0 if not. */
static inline int fuzz_rr_roundtrip(uint16_t type, const uint8_t *data, size_t size)
{
	hs_buf_t text = HS_BUF_INIT, again = HS_BUF_INIT;
	hs_errmsg_t em;
	int ok = 0;
	if (hs_rdata_to_text(type, data, size, &text, &em) != HS_OK)
		goto cleanup;
	ok = 1;
	if (!hs_rrtype_writable(type)) {
		/* decode-only: the generic form must read back instead */
		hs_buf_reset(&text);
		hs_rdata_generic_print(&text, data, size);
	}
	if (hs_rdata_from_text(type, hs_buf_cstr(&text), &again, &em) != HS_OK)
		abort();
	if (again.len != size || (size && memcmp(again.data, data, size) != 0))
		abort();
cleanup:
	hs_buf_free(&text);
	hs_buf_free(&again);
	return ok;
}

#endif
