/* libFuzzer target: the DNS message walker (src/wire/dnsmsg.h). */
#include <stdint.h>
#include <stdlib.h>

#include "wire/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	uint8_t name[WIRE_NAME_MAX];
	size_t nlen, wlen;
	int rc;

	if (dnsmsg_open(&it, data, size) != HS_OK)
		return 0;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		/* every record the walker reports lies inside the message */
		if (rr.off >= rr.end || rr.end > size || rr.rdata_off + rr.rdlen > size)
			abort();
		if (dnsmsg_name_expand(data, size, rr.off, name, &nlen, &wlen) != HS_OK)
			abort();
		if (nlen == 0 || nlen > WIRE_NAME_MAX || rr.off + wlen > rr.end)
			abort();
	}
	int walked = rc == HS_E_NOTFOUND ? dnsmsg_end(&it) : rc;
	/* the one-call check agrees with the step-by-step walk */
	if (dnsmsg_check(data, size, NULL) != walked)
		abort();
	/* a name anywhere in the message: must never loop or overrun */
	if (size > DNSMSG_HDR_LEN &&
	    dnsmsg_name_expand(data, size, data[0] % size, name, &nlen, &wlen) == HS_OK &&
	    (nlen == 0 || nlen > WIRE_NAME_MAX))
		abort();
	return 0;
}
