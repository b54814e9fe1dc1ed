/* libFuzzer target: RDATA of any type to text (hs_ldns_rdata_to_text),
 * which the synchronised data uses to show records received from peers
 * and combiners. The first octet picks a type (the synchronised apex
 * types, A, and an hsync type); the rest is the RDATA. Whatever prints
 * is NUL-free text; when that text parses back it must give the same
 * octets (the printer is strict, so the round trip is exact). */
#include <stdlib.h>
#include <string.h>

#include "wire/ldns_glue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {2, 25, 48, 59, 62, 1, 65285, 65400};
	hs_buf_t text = HS_BUF_INIT, back = HS_BUF_INIT;
	if (size < 1 || size > 5000)
		return 0;
	uint16_t type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	if (hs_ldns_rdata_to_text(type, data + 1, size - 1, &text, NULL) == HS_OK) {
		const char *s = hs_buf_cstr(&text);
		if (strlen(s) != text.len)
			abort();
		if (hs_ldns_rdata_from_text(type, s, &back, NULL) == HS_OK &&
		    (back.len != size - 1 ||
		     (back.len > 0 && memcmp(back.data, data + 1, back.len) != 0)))
			abort();
	}
	hs_buf_free(&text);
	hs_buf_free(&back);
	return 0;
}
