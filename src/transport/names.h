/*
 * names.h -- the transport's DNS names (draft-hsync-transport section 3):
 *
 *   distid        16 random octets as 32 lowercase hex characters
 *   NOTIFY QNAME  <distid>.<S-id>
 *   chunk QNAME   <seq>.<R-id>.<distid>.<S-id>   (seq decimal, 0 = manifest)
 *
 * Identities are plain host names (letters, digits, '-', '_'); names are
 * handled in uncompressed wire form, compared case-insensitively, and
 * returned as canonical text (lowercase, trailing dot).
 */
#ifndef HS_TRANSPORT_NAMES_H
#define HS_TRANSPORT_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "transport/registry.h"
#include "util/env.h"
#include "util/hs_err.h"
#include "wire/cursor.h"

#define TP_DISTID_LEN 32 /* hex characters of a distid we make */
#define TP_DISTID_MAX 63 /* longest distid label accepted */

/* A fresh distid from env's randomness into `out` (33 bytes). */
int tp_distid_new(const hs_env_t *env, char out[TP_DISTID_LEN + 1]) HS_CHECK_RESULT;

/* Text identity -> wire; HS_E_NAME. */
int tp_name_wire(const char *ident, uint8_t out[WIRE_NAME_MAX], size_t *len) HS_CHECK_RESULT;
/* Wire -> canonical text (plain host-name characters only); HS_E_NAME. */
int tp_name_text(const uint8_t *wire, size_t len, char out[TP_IDENT_MAX]) HS_CHECK_RESULT;

/* Build a NOTIFY / chunk QNAME. HS_E_NAME when it would exceed 255 octets
 * or a part is not a name; HS_E_SYNTAX for a bad distid. */
int tp_name_notify(const char *distid, const char *sender, uint8_t out[WIRE_NAME_MAX],
                   size_t *len) HS_CHECK_RESULT;
int tp_name_chunk(unsigned seq, const char *receiver, const char *distid, const char *sender,
                  uint8_t out[WIRE_NAME_MAX], size_t *len) HS_CHECK_RESULT;

/* Split a NOTIFY QNAME into distid (lowercased) and sender identity.
 * HS_E_NAME when it does not have that shape. */
int tp_name_parse_notify(const uint8_t *qname, size_t len, char distid[TP_DISTID_MAX + 1],
                         char sender[TP_IDENT_MAX]) HS_CHECK_RESULT;
/* Split a chunk QNAME that must end in `self` (wire): sequence number,
 * distid and receiver identity. HS_E_NAME when it does not parse. */
int tp_name_parse_chunk(const uint8_t *qname, size_t len, const uint8_t *self, size_t self_len,
                        unsigned *seq, char distid[TP_DISTID_MAX + 1],
                        char receiver[TP_IDENT_MAX]) HS_CHECK_RESULT;

/* 1 when `signer` (text, any case, final dot optional) is dns.<identity>:
 * the name a party's SIG(0) KEY is published at and signs with
 * (draft-hsync-transport section 3.4, TP-9). */
int tp_signer_name_ok(const char *signer, const char *identity);

/* 1 for a valid distid label: 1..63 lowercase hex characters. */
int tp_distid_ok(const char *s);

#endif
