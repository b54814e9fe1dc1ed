/*
 * siphash.h -- SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed
 * 64-bit hash RFC 9018 uses for DNS server cookies.
 *
 * It lives in util because it is a small pure function that several
 * layers need for keyed, per-packet decisions (cookies, rate-limit table
 * slots) at a few tens of nanoseconds, far below the cost of an OpenSSL
 * MAC context. The output is the 64-bit value written little-endian, as
 * the reference implementation and RFC 9018 do.
 */
#ifndef HS_UTIL_SIPHASH_H
#define HS_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define HS_SIPHASH_KEY_LEN 16
#define HS_SIPHASH_LEN     8

/* SipHash-2-4 of `len` octets at `data` under the 16-octet `key`. */
uint64_t hs_siphash24(const uint8_t key[HS_SIPHASH_KEY_LEN], const void *data, size_t len);
/* The same, written to `out` in little-endian order (the wire form). */
void hs_siphash24_bytes(const uint8_t key[HS_SIPHASH_KEY_LEN], const void *data, size_t len,
                        uint8_t out[HS_SIPHASH_LEN]);

#endif
