/*
 * registry.h -- the peers the transport core talks to.
 *
 * One row per peer identity: where it listens (address literal + port),
 * its SIG(0) public keys (KEY records) and its HPKE public key (HPKEKEY).
 * For now the registry is filled from static configuration; the engine
 * will fill it from validated DNS later. The core only reads it, so the
 * caller may add peers or keys between calls into the core (not during).
 *
 * Identities are DNS names in presentation form; they are stored
 * canonical (lowercase, one trailing dot), and lookups are
 * case-insensitive with or without the trailing dot.
 */
#ifndef HS_TRANSPORT_REGISTRY_H
#define HS_TRANSPORT_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "hpke/hpke.h"
#include "sig0/sig0.h"
#include "util/hs_err.h"

#define TP_REG_MAX_SIG0 8 /* SIG(0) keys per peer (a rollover needs 2) */
#define TP_IDENT_MAX    256

typedef struct tp_registry tp_registry_t;

/* One peer, as the core sees it; valid until the registry changes. */
typedef struct tp_peer {
	char identity[TP_IDENT_MAX]; /* canonical */
	char addr[64];               /* IPv4/IPv6 literal */
	uint16_t port;
	const sig0_key_t *sig0[TP_REG_MAX_SIG0];
	size_t nsig0;
	const hpke_key_t *hpke; /* public key (may be NULL: cannot seal to it) */
} tp_peer_t;

tp_registry_t *tp_registry_new(void);
/* Frees every key the registry owns. NULL-safe. */
void tp_registry_free(tp_registry_t *reg);

/* Add (or update the address of) peer `identity`. Errors: HS_E_INVAL
 * (NULL, empty address), HS_E_NAME (not a DNS name). */
int tp_registry_add(tp_registry_t *reg, const char *identity, const char *addr,
                    uint16_t port) HS_CHECK_RESULT;
/* Give the peer a SIG(0) public key; the registry takes ownership of
 * `key` on HS_OK only. HS_E_NOTFOUND (no such peer), HS_E_LIMIT (more
 * than TP_REG_MAX_SIG0 keys), HS_E_INVAL. */
int tp_registry_add_sig0(tp_registry_t *reg, const char *identity, sig0_key_t *key) HS_CHECK_RESULT;
/* Drop every SIG(0) key of the peer (before giving it new ones). */
void tp_registry_clear_sig0(tp_registry_t *reg, const char *identity);
/* Set the peer's HPKE public key, replacing an older one; ownership as
 * above. HS_E_NOTFOUND, HS_E_INVAL. */
int tp_registry_set_hpke(tp_registry_t *reg, const char *identity, hpke_key_t *key) HS_CHECK_RESULT;
/* The peer, or NULL. */
const tp_peer_t *tp_registry_find(const tp_registry_t *reg, const char *identity);
/* The peer whose identity is the uncompressed wire name `name`, or NULL. */
const tp_peer_t *tp_registry_find_wire(const tp_registry_t *reg, const uint8_t *name, size_t len);
size_t tp_registry_count(const tp_registry_t *reg);

/* Canonical presentation form of a plain DNS name (letters, digits, '-',
 * '_'; labels 1..63; at most 253 characters plus the dot) into `out`
 * (TP_IDENT_MAX). HS_E_NAME otherwise. */
int tp_ident_canon(const char *in, char out[TP_IDENT_MAX]) HS_CHECK_RESULT;

#endif
