/* libFuzzer target: what the zone signer reads from a received zone:
 * DNSKEY RDATA (zs_key_from_dnskey, the signer's check of other signers'
 * keys) and any RDATA put in canonical form (zs_rdata_canon via the
 * RRSIG of a one-record RRset). Input: type (2 octets) then RDATA. */
#include <stdlib.h>
#include <string.h>

#include "dnssec/zs_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	zs_key_t *k = NULL;
	hs_buf_t ds = HS_BUF_INIT;
	static const uint8_t apex[] = {4, 'f', 'u', 'z', 'z', 0};
	if (size < 2)
		return 0;
	if (zs_key_from_dnskey(data + 2, size - 2, &k, NULL) == HS_OK) {
		size_t l;
		const uint8_t *rd = zs_key_dnskey(k, &l);
		if (l != size - 2 || memcmp(rd, data + 2, l) != 0)
			abort();
		zs_key_free(k);
	}
	if (size - 2 <= 65535 &&
	    zs_ds_rdata(apex, sizeof(apex), data + 2, size - 2, 2, &ds) == HS_OK &&
	    ds.len != 4 + 32)
		abort();
	hs_buf_free(&ds);
	uint8_t *c = malloc(size);
	uint16_t type = (uint16_t)(data[0] << 8 | data[1]);
	if (c != NULL) {
		zs_rdata_canon(type, data + 2, size - 2, c);
		/* lowering never changes the length nor anything but letters */
		for (size_t i = 0; i + 2 < size; i++)
			if (c[i] != data[2 + i] &&
			    !(data[2 + i] >= 'A' && data[2 + i] <= 'Z' && c[i] == data[2 + i] + 32))
				abort();
		free(c);
	}
	return 0;
}
