#include "util/buf.h"

#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hs_buf_reserve(hs_buf_t *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void hs_buf_append(hs_buf_t *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	hs_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void hs_buf_append_u8(hs_buf_t *b, uint8_t v)
{
	hs_buf_append(b, &v, 1);
}

void hs_buf_append_u16(hs_buf_t *b, uint16_t v)
{
	uint8_t t[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	hs_buf_append(b, t, 2);
}

void hs_buf_append_u32(hs_buf_t *b, uint32_t v)
{
	uint8_t t[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	hs_buf_append(b, t, 4);
}

void hs_buf_printf(hs_buf_t *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	hs_buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *hs_buf_cstr(hs_buf_t *b)
{
	hs_buf_reserve(b, 1);
	b->data[b->len] = '\0';
	return (const char *)b->data;
}

void hs_buf_reset(hs_buf_t *b)
{
	b->len = 0;
}

void hs_buf_free(hs_buf_t *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void hs_buf_free_secret(hs_buf_t *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap); /* a wipe the compiler keeps */
	hs_buf_free(b);
}
