/*
 * rr_hpkekey.h -- HPKEKEY (65290, new in hsync): a party's HPKE public key.
 *
 * RDATA: kem u16, kdf u16, aead u16 (RFC 9180 identifiers), public key
 * (the rest of the RDATA; its length is fixed by the KEM):
 *   0x0010 DHKEM(P-256)  65     0x0020 DHKEM(X25519) 32
 *   0x0011 DHKEM(P-384)  97     0x0021 DHKEM(X448)   56
 *   0x0012 DHKEM(P-521) 133
 * Any other KEM is rejected (HS_E_NOTSUP); a key of the wrong length is
 * HS_E_MALFORMED. KDF and AEAD are carried as given.
 * Presentation: `<kem> <kdf> <aead> <base64>` in decimal (0x-hex is also
 * read), e.g. `32 1 2 <base64 of 32 octets>`; the base64 may be split
 * over several tokens.
 */
#ifndef HS_WIRE_RR_HPKEKEY_H
#define HS_WIRE_RR_HPKEKEY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

typedef struct hs_hpkekey {
	uint16_t kem;
	uint16_t kdf;
	uint16_t aead;
	const uint8_t *pub; /* borrowed */
	size_t pub_len;
} hs_hpkekey_t;

/* Public key length of a KEM, 0 if the KEM is not one we know. */
size_t hs_hpke_kem_pklen(uint16_t kem);
/* Name of a KEM ("X25519"), NULL if unknown. */
const char *hs_hpke_kem_name(uint16_t kem);

/* Strict decode: HS_E_TRUNC, HS_E_NOTSUP (KEM), HS_E_MALFORMED (length). */
int hs_hpkekey_decode(const uint8_t *rdata, size_t len, hs_hpkekey_t *out,
                      hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hpkekey_encode(const hs_hpkekey_t *k, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hpkekey_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hpkekey_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out,
                       hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
