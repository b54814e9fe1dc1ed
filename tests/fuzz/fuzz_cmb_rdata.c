/* libFuzzer target: the combiner's strict RDATA checks (SYNC-44 rule 5)
 * and what is built from RDATA that passes them. The first octet picks
 * the synchronised type, the rest is the RDATA. Whatever passes must be
 * printable and must combine into an apex whose records are the input's
 * canonical form; NS RDATA that passes is exactly one valid wire name. */
#include <stdlib.h>
#include <string.h>

#include "engine/combiner/combiner.h"
#include "wire/dname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = {2, 25, 48, 59, 62, 1};
	char detail[96];
	if (size == 0 || size > 1 + 4096)
		return 0;
	uint16_t type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	const uint8_t *rd = data + 1;
	size_t n = size - 1;
	int rc = cmb_rdata_check(type, rd, n, detail, sizeof(detail));
	if (rc != HS_OK) {
		if (type != 1 && rc != HS_E_MALFORMED)
			abort();
		if (detail[0] == '\0')
			abort(); /* every refusal says why */
		return 0;
	}
	if (type == 2 && !wire_name_valid(rd, n, NULL))
		abort();
	hs_buf_t t = HS_BUF_INIT;
	cmb_rdata_text(type, rd, n, &t);
	if (t.len == 0)
		abort();
	hs_buf_free(&t);
	/* as a contribution next to the same record from the owner: nothing
	 * changes; alone: exactly one record of the input's length */
	cmb_rr_in_t in = {type, 3600, rd, (uint16_t)n};
	cmb_apex_t a;
	cmb_combine(&in, 1, &in, 1, &a);
	for (size_t i = 0; i < a.n; i++)
		if (a.sets[i].replaced && type != 2)
			abort();
	cmb_apex_clear(&a);
	cmb_combine(NULL, 0, &in, 1, &a);
	for (size_t i = 0; i < a.n; i++)
		if (a.sets[i].type == type &&
		    (!a.sets[i].replaced || a.sets[i].n != 1 || a.sets[i].rd[0].len != n))
			abort();
	cmb_apex_clear(&a);
	return 0;
}
