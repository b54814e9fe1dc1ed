/* libFuzzer target: the EDNS(0) option decoders. The first octet picks the
 * option (KEYSTATE, CHUNK, CHUNK-ENDPOINT); the rest is option data. What
 * decodes must print to fields that encode back to the same option. */
#include <stdlib.h>
#include <string.h>

#include "wire/edns_opts.h"
#include "wire/proto.h"
#include "wire/rdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t codes[] = {HS_OPT_KEYSTATE, HS_OPT_CHUNK, HS_OPT_CHUNK_ENDPOINT};
	hs_buf_t text = HS_BUF_INIT, again = HS_BUF_INIT;
	if (size < 1 || size > 65536)
		return 0;
	uint16_t code = codes[data[0] % 3];
	data++;
	size--;
	if (hs_edns_opt_to_text(code, data, size, &text, NULL) == HS_OK) {
		const uint8_t *d;
		size_t dl;
		uint16_t c2;
		if (hs_edns_opt_from_text(hs_edns_opt_name(code), hs_buf_cstr(&text), &again,
		                          NULL) != HS_OK)
			abort();
		if (hs_edns_opt_split(again.data, again.len, &c2, &d, &dl, NULL) != HS_OK ||
		    c2 != code || dl != size || (size && memcmp(d, data, size) != 0))
			abort();
	}
	hs_buf_free(&text);
	hs_buf_free(&again);
	return 0;
}
