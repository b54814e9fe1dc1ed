/* Label-wise relations between wire names (dname.h). */
#include "wire/dname.h"

#include "wire/cursor.h"

int wire_name_valid(const uint8_t *name, size_t len, size_t *nlabels)
{
	size_t off = 0, n = 0;
	if (name == NULL || len == 0 || len > WIRE_NAME_MAX)
		return 0;
	while (off < len) {
		uint8_t l = name[off];
		if (l == 0) {
			if (off + 1 != len)
				return 0;
			if (nlabels)
				*nlabels = n;
			return 1;
		}
		if (l > WIRE_LABEL_MAX || off + 1 + l >= len)
			return 0;
		off += 1 + (size_t)l;
		n++;
	}
	return 0;
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

int wire_name_under(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len)
{
	size_t nn = 0, na = 0, off = 0;
	if (!wire_name_valid(name, len, &nn) || !wire_name_valid(apex, apex_len, &na) || nn < na)
		return 0;
	/* drop the labels `name` has in excess, then compare the rest whole */
	for (size_t i = 0; i < nn - na; i++)
		off += 1 + (size_t)name[off];
	if (len - off != apex_len)
		return 0;
	for (size_t i = 0; i < apex_len; i++)
		if (lower(name[off + i]) != lower(apex[i]))
			return 0;
	return 1;
}
