/*
 * encoding.h -- hex and base64 text encodings, strict on input.
 *
 * Decoders skip ASCII whitespace (zone files split long base64 across
 * words) and reject anything else that is not part of the alphabet.
 * Output buffers are caller-owned; the *_len helpers give the sizes.
 */
#ifndef HS_UTIL_ENCODING_H
#define HS_UTIL_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "util/hs_err.h"

/* Lowercase hex of `n` bytes into `out` (2n+1 bytes, NUL-terminated). */
void hs_hex_encode(char *out, const uint8_t *in, size_t n);
/* Decode hex text; *outlen is the buffer size in, the byte count out.
 * HS_E_SYNTAX on a bad digit or odd count, HS_E_SPACE if it does not fit. */
int hs_hex_decode(uint8_t *out, size_t *outlen, const char *in, size_t inlen) HS_CHECK_RESULT;

/* Base64 (RFC 4648, padded) of `n` bytes; `out` needs hs_b64_enc_len(n). */
size_t hs_b64_enc_len(size_t n);
void hs_b64_encode(char *out, const uint8_t *in, size_t n);
/* Decode base64 text (padding required when the length is not a multiple
 * of 4 characters, as in DNS presentation format). */
int hs_b64_decode(uint8_t *out, size_t *outlen, const char *in, size_t inlen) HS_CHECK_RESULT;

#endif
