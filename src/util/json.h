/*
 * json.h -- a small strict JSON (RFC 8259) reader (known-answer files, manifests).
 *
 * Enough for the CFRG test-vector layout: objects, arrays, strings,
 * numbers, true/false/null. Strict: no trailing commas, no leading zeros,
 * no control characters in strings, no duplicate keys, valid \u escapes
 * (surrogate pairs joined, lone surrogates rejected), nesting at most
 * HS_JSON_MAX_DEPTH, nothing but whitespace after the value.
 * The tree is owned by the caller (hs_json_free); every accessor is
 * NULL-safe and returns NULL/0 for a value of the wrong type.
 */
#ifndef HS_HS_JSON_H
#define HS_HS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"

#define HS_JSON_MAX_DEPTH 64

enum hs_json_type {
	HS_JSON_NULL,
	HS_JSON_BOOL,
	HS_JSON_NUMBER,
	HS_JSON_STRING,
	HS_JSON_ARRAY,
	HS_JSON_OBJECT,
};

typedef struct hs_json hs_json_t;

/* Parse `len` bytes. HS_E_SYNTAX (detail with the byte offset in `em`),
 * HS_E_LIMIT for nesting deeper than HS_JSON_MAX_DEPTH. */
int hs_json_parse(hs_json_t **out, const char *text, size_t len, hs_errmsg_t *em) HS_CHECK_RESULT;
void hs_json_free(hs_json_t *v);

enum hs_json_type hs_json_type(const hs_json_t *v);
/* Member `key` of an object, or NULL. */
const hs_json_t *hs_json_get(const hs_json_t *obj, const char *key);
/* Element count of an array or object; element `i` of an array. */
size_t hs_json_count(const hs_json_t *v);
const hs_json_t *hs_json_at(const hs_json_t *arr, size_t i);
/* 1 for the value true, 0 for anything else (false, absent, not a bool). */
int hs_json_is_true(const hs_json_t *v);
/* A string's bytes (NUL-terminated; *len without the NUL, may be NULL). */
const char *hs_json_str(const hs_json_t *v, size_t *len);
/* A number that is a non-negative integer fitting uint64_t: HS_OK, else
 * HS_E_RANGE (or HS_E_INVAL for a non-number). */
int hs_json_u64(const hs_json_t *v, uint64_t *out) HS_CHECK_RESULT;

#endif
