/*
 * strmap.h -- a hash map from NUL-terminated strings to pointers, for
 * lookups that would otherwise scan a list (thousands of zones by name).
 * Keys are copied; values are borrowed (the map never frees them).
 * Case-insensitive maps compare and hash ASCII letters without case.
 * Expected O(1) put/get/del; the table doubles as it fills.
 */
#ifndef HS_UTIL_STRMAP_H
#define HS_UTIL_STRMAP_H

#include <stddef.h>

#include "util/hs_err.h"

typedef struct hs_strmap hs_strmap_t;

/* An empty map; `nocase` non-zero for ASCII case-insensitive keys.
 * Never NULL (allocation failure aborts). */
hs_strmap_t *hs_strmap_new(int nocase);
/* Free the map and its key copies (not the values). NULL-safe. */
void hs_strmap_free(hs_strmap_t *m);

/* Add `key` -> `val`. HS_OK, or HS_E_EXISTS (the map is unchanged),
 * HS_E_INVAL for a NULL map or key. */
int hs_strmap_put(hs_strmap_t *m, const char *key, void *val) HS_CHECK_RESULT;
/* Replace or add. HS_E_INVAL for a NULL map or key. */
int hs_strmap_set(hs_strmap_t *m, const char *key, void *val) HS_CHECK_RESULT;
/* The value of `key`, or NULL when absent (or the map/key is NULL). */
void *hs_strmap_get(const hs_strmap_t *m, const char *key);
/* Remove `key`: HS_OK, or HS_E_NOTFOUND. */
int hs_strmap_del(hs_strmap_t *m, const char *key);
/* Number of keys. */
size_t hs_strmap_count(const hs_strmap_t *m);

#endif
