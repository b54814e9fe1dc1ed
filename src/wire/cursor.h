/*
 * cursor.h -- the one bounded cursor for reading and writing wire bytes.
 *
 * Every parser of untrusted bytes uses wire_rd_t (STYLE.md item 6). The
 * cursor remembers its first error: once set, reads return zeros and
 * advance nothing, so a parser reads straight through and checks
 * `rd.err` (or wire_rd_finish()) once at the end. Writers work the same
 * way with HS_E_SPACE.
 *
 * Domain names read with wire_rd_name() must be uncompressed: a
 * compression pointer sets HS_E_COMPRESSED (RDATA of the hsync types
 * never carries compression; see DESIGN.md section 3).
 */
#ifndef HS_WIRE_CURSOR_H
#define HS_WIRE_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/hs_err.h"

#define WIRE_NAME_MAX 255
#define WIRE_LABEL_MAX 63

typedef struct wire_rd {
	const uint8_t *pos;
	const uint8_t *end;
	int err; /* first error, HS_OK while none */
} wire_rd_t;

typedef struct wire_wr {
	uint8_t *base;
	uint8_t *pos;
	uint8_t *end;
	int err;
} wire_wr_t;

static inline void wire_rd_init(wire_rd_t *rd, const uint8_t *p, size_t n)
{
	rd->pos = p;
	rd->end = p + n;
	rd->err = HS_OK;
}

static inline size_t wire_rd_left(const wire_rd_t *rd)
{
	return rd->err ? 0 : (size_t)(rd->end - rd->pos);
}

static inline void wire_rd_fail(wire_rd_t *rd, int err)
{
	if (rd->err == HS_OK)
		rd->err = err;
}

/* Returns a pointer to the next `n` bytes and advances, or NULL (error set). */
static inline const uint8_t *wire_rd_take(wire_rd_t *rd, size_t n)
{
	if (rd->err)
		return NULL;
	if ((size_t)(rd->end - rd->pos) < n) {
		rd->err = HS_E_TRUNC;
		return NULL;
	}
	const uint8_t *p = rd->pos;
	rd->pos += n;
	return p;
}

static inline uint8_t wire_rd_u8(wire_rd_t *rd)
{
	const uint8_t *p = wire_rd_take(rd, 1);
	return p ? p[0] : 0;
}

static inline uint16_t wire_rd_u16(wire_rd_t *rd)
{
	const uint8_t *p = wire_rd_take(rd, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t wire_rd_u32(wire_rd_t *rd)
{
	const uint8_t *p = wire_rd_take(rd, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline void wire_rd_bytes(wire_rd_t *rd, uint8_t *out, size_t n)
{
	const uint8_t *p = wire_rd_take(rd, n);
	if (p)
		memcpy(out, p, n);
	else if (n)
		memset(out, 0, n);
}

/* A sub-cursor over the next `n` bytes (the parent skips them). */
static inline wire_rd_t wire_rd_sub(wire_rd_t *rd, size_t n)
{
	wire_rd_t sub;
	const uint8_t *p = wire_rd_take(rd, n);
	wire_rd_init(&sub, p ? p : (const uint8_t *)"", p ? n : 0);
	if (!p)
		sub.err = rd->err;
	return sub;
}

/*
 * Read an uncompressed domain name in wire form into `out` (at least
 * WIRE_NAME_MAX bytes); `*outlen` gets its length including the root
 * label. Errors: HS_E_TRUNC, HS_E_COMPRESSED, HS_E_NAME (label type
 * 0x40/0x80 or over 255 octets).
 */
static inline void wire_rd_name(wire_rd_t *rd, uint8_t *out, size_t *outlen)
{
	size_t n = 0;
	for (;;) {
		uint8_t len = wire_rd_u8(rd);
		if (rd->err)
			break;
		if ((len & 0xC0) == 0xC0) {
			wire_rd_fail(rd, HS_E_COMPRESSED);
			break;
		}
		if (len & 0xC0) {
			wire_rd_fail(rd, HS_E_NAME);
			break;
		}
		if (n + 1 + len > WIRE_NAME_MAX) {
			wire_rd_fail(rd, HS_E_NAME);
			break;
		}
		out[n++] = len;
		if (len == 0)
			break;
		wire_rd_bytes(rd, out + n, len);
		n += len;
	}
	*outlen = rd->err ? 0 : n;
}

/* HS_OK when no error occurred and every byte was consumed; else the error
 * (HS_E_TRAILING for bytes left over). */
static inline int wire_rd_finish(const wire_rd_t *rd)
{
	if (rd->err)
		return rd->err;
	return rd->pos == rd->end ? HS_OK : HS_E_TRAILING;
}

static inline void wire_wr_init(wire_wr_t *wr, uint8_t *p, size_t n)
{
	wr->base = wr->pos = p;
	wr->end = p + n;
	wr->err = HS_OK;
}

static inline size_t wire_wr_len(const wire_wr_t *wr)
{
	return (size_t)(wr->pos - wr->base);
}

static inline uint8_t *wire_wr_reserve(wire_wr_t *wr, size_t n)
{
	if (wr->err)
		return NULL;
	if ((size_t)(wr->end - wr->pos) < n) {
		wr->err = HS_E_SPACE;
		return NULL;
	}
	uint8_t *p = wr->pos;
	wr->pos += n;
	return p;
}

static inline void wire_wr_u8(wire_wr_t *wr, uint8_t v)
{
	uint8_t *p = wire_wr_reserve(wr, 1);
	if (p)
		p[0] = v;
}

static inline void wire_wr_u16(wire_wr_t *wr, uint16_t v)
{
	uint8_t *p = wire_wr_reserve(wr, 2);
	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static inline void wire_wr_u32(wire_wr_t *wr, uint32_t v)
{
	uint8_t *p = wire_wr_reserve(wr, 4);
	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

static inline void wire_wr_bytes(wire_wr_t *wr, const void *src, size_t n)
{
	uint8_t *p = wire_wr_reserve(wr, n);
	if (p && n)
		memcpy(p, src, n);
}

#endif
