#include "util/errmsg.h"

#include <stdarg.h>
#include <stdio.h>

int hs_fail(hs_errmsg_t *em, int code, const char *fmt, ...)
{
	if (em != NULL) {
		va_list ap;
		em->code = code;
		va_start(ap, fmt);
		vsnprintf(em->text, sizeof(em->text), fmt, ap);
		va_end(ap);
	}
	return code;
}

void hs_errmsg_clear(hs_errmsg_t *em)
{
	if (em != NULL) {
		em->code = HS_OK;
		em->text[0] = '\0';
	}
}

const char *hs_errmsg_str(const hs_errmsg_t *em)
{
	if (em == NULL)
		return "";
	return em->text[0] ? em->text : hs_strerror(em->code);
}
