/* libFuzzer target: the presentation parsers. The first octet picks a
 * writable record type or an option; the rest is text. Whatever parses
 * must print and parse back to the same octets. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_rr_common.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {HS_RRTYPE_DSYNC, HS_RRTYPE_HSYNC3, HS_RRTYPE_HSYNCPARAM,
	                                 HS_RRTYPE_CHUNK, HS_RRTYPE_HPKEKEY};
	static const char *const opts[] = {"KEYSTATE", "CHUNK", "CHUNK-ENDPOINT"};
	hs_buf_t wire = HS_BUF_INIT, text = HS_BUF_INIT, again = HS_BUF_INIT;
	if (size < 1 || size > 70000)
		return 0;
	char *s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	unsigned pick = data[0] % 8;
	if (pick < 5) {
		if (hs_rdata_from_text(types[pick], s, &wire, NULL) == HS_OK &&
		    !fuzz_rr_roundtrip(types[pick], wire.data, wire.len))
			abort();
	} else if (hs_edns_opt_from_text(opts[pick - 5], s, &wire, NULL) == HS_OK) {
		const uint8_t *d;
		size_t dl;
		uint16_t code;
		if (hs_edns_opt_split(wire.data, wire.len, &code, &d, &dl, NULL) != HS_OK ||
		    hs_edns_opt_to_text(code, d, dl, &text, NULL) != HS_OK ||
		    hs_edns_opt_from_text(opts[pick - 5], hs_buf_cstr(&text), &again, NULL) !=
		        HS_OK ||
		    again.len != wire.len || memcmp(again.data, wire.data, wire.len) != 0)
			abort();
	}
	free(s);
	hs_buf_free(&wire);
	hs_buf_free(&text);
	hs_buf_free(&again);
	return 0;
}
