/*
 * xmalloc.h -- allocation that never returns NULL.
 *
 * Out-of-memory is not a recoverable condition in hsync: these functions
 * log and abort() instead of returning NULL, so callers never check.
 */
#ifndef HS_UTIL_XMALLOC_H
#define HS_UTIL_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void *xmemdup(const void *p, size_t n);
/* printf into a fresh allocation. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
