/*
 * json.h -- a small strict JSON (RFC 8259) reader for known-answer files.
 *
 * Enough for the CFRG test-vector layout: objects, arrays, strings,
 * numbers, true/false/null. Strict: no trailing commas, no leading zeros,
 * no control characters in strings, no duplicate keys, valid \u escapes
 * (surrogate pairs joined, lone surrogates rejected), nesting at most
 * HPKE_JSON_MAX_DEPTH, nothing but whitespace after the value.
 * The tree is owned by the caller (hpke_json_free); every accessor is
 * NULL-safe and returns NULL/0 for a value of the wrong type.
 */
#ifndef HS_HPKE_JSON_H
#define HS_HPKE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"

#define HPKE_JSON_MAX_DEPTH 64

enum hpke_json_type {
	HPKE_JSON_NULL,
	HPKE_JSON_BOOL,
	HPKE_JSON_NUMBER,
	HPKE_JSON_STRING,
	HPKE_JSON_ARRAY,
	HPKE_JSON_OBJECT,
};

typedef struct hpke_json hpke_json_t;

/* Parse `len` bytes. HS_E_SYNTAX (detail with the byte offset in `em`),
 * HS_E_LIMIT for nesting deeper than HPKE_JSON_MAX_DEPTH. */
int hpke_json_parse(hpke_json_t **out, const char *text, size_t len,
                    hs_errmsg_t *em) HS_CHECK_RESULT;
void hpke_json_free(hpke_json_t *v);

enum hpke_json_type hpke_json_type(const hpke_json_t *v);
/* Member `key` of an object, or NULL. */
const hpke_json_t *hpke_json_get(const hpke_json_t *obj, const char *key);
/* Element count of an array or object; element `i` of an array. */
size_t hpke_json_count(const hpke_json_t *v);
const hpke_json_t *hpke_json_at(const hpke_json_t *arr, size_t i);
/* A string's bytes (NUL-terminated; *len without the NUL, may be NULL). */
const char *hpke_json_str(const hpke_json_t *v, size_t *len);
/* A number that is a non-negative integer fitting uint64_t: HS_OK, else
 * HS_E_RANGE (or HS_E_INVAL for a non-number). */
int hpke_json_u64(const hpke_json_t *v, uint64_t *out) HS_CHECK_RESULT;

#endif
