#include "util/hs_err.h"

static const char *const messages[] = {
#define HS_ERR(name, msg) msg,
#include "util/errors.def"
#undef HS_ERR
};

static const char *const names[] = {
#define HS_ERR(name, msg) "HS_E_" #name,
#include "util/errors.def"
#undef HS_ERR
};

#define NERR ((int)(sizeof(messages) / sizeof(messages[0])))

static int index_of(int err)
{
	int i = err - HS_E__BASE - 1;
	return (i >= 0 && i < NERR) ? i : -1;
}

const char *hs_strerror(int err)
{
	if (err == HS_OK)
		return "success";
	int i = index_of(err);
	return i < 0 ? "unknown error" : messages[i];
}

const char *hs_errname(int err)
{
	if (err == HS_OK)
		return "HS_OK";
	int i = index_of(err);
	return i < 0 ? "HS_E_?" : names[i];
}
