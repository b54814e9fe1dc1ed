/*
 * buf.h -- a growable byte buffer (plain data: {data, len, cap}).
 *
 * Growth goes through xrealloc, so appends cannot fail. hs_buf_free()
 * is NULL-safe and leaves the buffer empty and reusable.
 */
#ifndef HS_UTIL_BUF_H
#define HS_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct hs_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
} hs_buf_t;

#define HS_BUF_INIT {NULL, 0, 0}

void hs_buf_reserve(hs_buf_t *b, size_t extra);
void hs_buf_append(hs_buf_t *b, const void *p, size_t n);
void hs_buf_append_u8(hs_buf_t *b, uint8_t v);
void hs_buf_append_u16(hs_buf_t *b, uint16_t v);
void hs_buf_append_u32(hs_buf_t *b, uint32_t v);
void hs_buf_printf(hs_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminate without counting the NUL in len (for text buffers). */
const char *hs_buf_cstr(hs_buf_t *b);
void hs_buf_reset(hs_buf_t *b);
/* Free the storage; wipes it first when `secret` is non-zero. */
void hs_buf_free(hs_buf_t *b);
void hs_buf_free_secret(hs_buf_t *b);

#endif
