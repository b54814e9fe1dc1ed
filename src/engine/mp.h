/*
 * mp.h -- bounded msgpack helpers for the engine's message codecs
 * (internal to src/engine; prefix eng_mp_).
 *
 * Untrusted bodies are first walked with the project's bounded cursor
 * (eng_mp_check): well-formed, one object, no trailing bytes, nesting at
 * most ENG_MP_MAX_DEPTH, and every array/map count no larger than the
 * bytes left to hold its elements. Only then does msgpack-c unpack them,
 * so what it allocates is bounded by a small multiple of the body size.
 * The accessors below look up keys in maps and check types.
 */
#ifndef HS_ENGINE_MP_H
#define HS_ENGINE_MP_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

#define ENG_MP_MAX_DEPTH 8
#define ENG_MP_MAX_BODY  (256 * 1024)

/* HS_OK, HS_E_MALFORMED, HS_E_TRUNC, HS_E_TRAILING or HS_E_LIMIT. */
int eng_mp_check(const uint8_t *p, size_t n);

/* eng_mp_check() then unpack into `out` (release with
 * msgpack_unpacked_destroy). The root must be a map: HS_E_MALFORMED. */
int eng_mp_unpack(const uint8_t *p, size_t n, msgpack_unpacked *out);

/* The value for string key `key` in map `m`, or NULL. A key present twice
 * sets *dup (when not NULL). */
const msgpack_object *eng_mp_get(const msgpack_object *m, const char *key, int *dup);

/* Typed reads; each returns HS_OK or HS_E_MALFORMED (wrong type / range). */
int eng_mp_uint(const msgpack_object *o, uint64_t max, uint64_t *out);
/* A string of 1..max octets, printable ASCII only, copied NUL-terminated
 * into out (max+1 bytes). */
int eng_mp_str(const msgpack_object *o, size_t max, char *out);

/* Required map fields with a detail in `em`: a name (canonicalised with
 * eng_name_canon) and an unsigned integer <= max. A key given twice, a
 * missing key or a wrong type is HS_E_MALFORMED. */
int eng_mp_field_name(const msgpack_object *m, const char *key, char out[256], hs_errmsg_t *em);
int eng_mp_field_uint(const msgpack_object *m, const char *key, uint64_t max, uint64_t *out,
                      hs_errmsg_t *em);

/* A packer that appends to an hs_buf_t. */
void eng_mp_packer(msgpack_packer *pk, hs_buf_t *b);
void eng_mp_pack_str(msgpack_packer *pk, const char *s);

#endif
