/*
 * hs_err.h -- the one error type of the project.
 *
 * Every function that can fail returns `int`: HS_OK (0) on success or a
 * negative HS_E_* code. Results go through out-parameters, written only on
 * success. hs_strerror() never returns NULL.
 */
#ifndef HS_UTIL_HS_ERR_H
#define HS_UTIL_HS_ERR_H

enum hs_err {
	HS_OK = 0,
	HS_E__BASE = -1000,
#define HS_ERR(name, msg) HS_E_##name,
#include "util/errors.def"
#undef HS_ERR
	HS_E__END
};

/* Message for an HS_OK / HS_E_* value; "unknown error" for anything else. */
const char *hs_strerror(int err);

/* Symbolic name ("HS_E_TRUNC") for an error value, for tests and logs. */
const char *hs_errname(int err);

#define HS_CHECK_RESULT __attribute__((warn_unused_result))

#endif
