#include "wire/proto.h"

#include <stddef.h>

static const struct {
	unsigned code;
	const char *text;
} ede_rows[] = {
#define EDE(name, code, text) {code, text},
#include "proto/ede.def"
#undef EDE
};

const char *hs_ede_text(unsigned code)
{
	for (size_t i = 0; i < sizeof(ede_rows) / sizeof(ede_rows[0]); i++)
		if (ede_rows[i].code == code)
			return ede_rows[i].text;
	return NULL;
}
