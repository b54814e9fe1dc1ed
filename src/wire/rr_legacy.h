/*
 * rr_legacy.h -- the reference implementation's older enrollment records,
 * decoded so that zones still carrying them can be read. hsync never
 * writes them (from text they are only accepted in \# generic form).
 *
 * HSYNC  (65282): state u8, nsmgmt u8 (1 OWNER, 2 AGENT), sign u8
 *                 (1 SIGN, 0 NOSIGN), identity name, upstream name.
 *   Presentation: `ON AGENT SIGN agent.example. upstream.example.`
 * HSYNC2 (65283): state u8, flags u16, identity name, upstream name.
 *   flags: bit 0 nsmgmt agent, bit 1 sign, bit 2 audit, bits 3-5
 *   parentsync (0 owner, 1 notify, 2 update, 3 api).
 *   Presentation: `ON "nsmgmt=agent; sign=yes; audit=no; parentsync=owner"
 *   agent.example. .`, other bits shown as `; flags=0xNNNN`.
 * Names are uncompressed; strict decoding as for every hsync type.
 */
#ifndef HS_WIRE_RR_LEGACY_H
#define HS_WIRE_RR_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"
#include "wire/cursor.h"

typedef struct hs_hsync_legacy {
	uint16_t type; /* HS_RRTYPE_HSYNC or HS_RRTYPE_HSYNC2 */
	uint8_t state;
	uint8_t nsmgmt; /* HSYNC only */
	uint8_t sign;   /* HSYNC only */
	uint16_t flags; /* HSYNC2 only */
	uint8_t identity[WIRE_NAME_MAX];
	size_t identity_len;
	uint8_t upstream[WIRE_NAME_MAX];
	size_t upstream_len;
} hs_hsync_legacy_t;

/* Strict decode of `type` RDATA (HSYNC or HSYNC2; HS_E_UNKNOWN_TYPE for
 * anything else): HS_E_TRUNC, HS_E_COMPRESSED, HS_E_NAME, HS_E_TRAILING. */
int hs_hsync_legacy_decode(uint16_t type, const uint8_t *rdata, size_t len, hs_hsync_legacy_t *out,
                           hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hsync_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out,
                     hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hsync2_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out,
                      hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
