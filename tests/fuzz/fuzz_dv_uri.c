/* libFuzzer target: URI RDATA as discovery reads it (disc_uri_parse). */
#include <stdlib.h>
#include <string.h>

#include "engine/discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	disc_uri_t u;
	hs_errmsg_t em;
	if (disc_uri_parse(data, size, &u, &em) != HS_OK)
		return 0;
	/* what parsed is bounded and printable */
	size_t n = strlen(u.host);
	if (n == 0 || n >= sizeof(u.host))
		abort();
	if (size < 5 || u.priority != (uint16_t)(data[0] << 8 | data[1]))
		abort();
	return 0;
}
