/*
 * rr_hsyncparam.h -- HSYNCPARAM (65286): zone-wide multi-provider policy.
 *
 * RDATA: a list of {key u16, length u16, value} in strictly increasing key
 * order (SVCB style, RFC 9460). Keys (proto/hsyncparam_keys.def):
 *   0 nsmgmt     one octet: 1 owner, 2 agent
 *   1 parentsync one octet: 0 owner, 1 agent
 *   2 servers    comma-joined labels (each 1-63 octets, no whitespace)
 *   3 signers    idem
 *   4 pubkey     opaque; empty = flag (how tdns writes it)
 *   5 pubcds     flag: empty value
 *   6 suffix     one LDH label
 *   7 auditors   comma-joined labels
 *   other        kept opaque, presented as keyNNNNN
 * Presentation: `nsmgmt="agent" servers="alpha,echo" pubcds key42="x"`.
 * Text may list keys in any order (they are sorted); a key given twice
 * is HS_E_EXISTS. Wire keys not strictly increasing are HS_E_ORDER.
 * Unknown enum octets print as decimal numbers and read back.
 */
#ifndef HS_WIRE_RR_HSYNCPARAM_H
#define HS_WIRE_RR_HSYNCPARAM_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

#define HS_HSP_MAX 64 /* parameters per record; more is HS_E_LIMIT */

enum { HS_NSMGMT_OWNER = 1, HS_NSMGMT_AGENT = 2 };
enum { HS_PARENTSYNC_OWNER = 0, HS_PARENTSYNC_AGENT = 1 };

typedef struct hs_hsp_param {
	uint16_t key;
	uint16_t len;
	const uint8_t *val; /* borrowed */
} hs_hsp_param_t;

typedef struct hs_hsyncparam {
	size_t n;
	hs_hsp_param_t p[HS_HSP_MAX]; /* strictly increasing keys */
} hs_hsyncparam_t;

/* Strict decode: HS_E_TRUNC, HS_E_ORDER, HS_E_LIMIT, HS_E_MALFORMED (a
 * value that does not fit its key's kind). Values borrow from `rdata`. */
int hs_hsyncparam_decode(const uint8_t *rdata, size_t len, hs_hsyncparam_t *out,
                         hs_errmsg_t *em) HS_CHECK_RESULT;
/* Append RDATA; the params must already be strictly increasing and
 * valid for their keys (same errors as decode). */
int hs_hsyncparam_encode(const hs_hsyncparam_t *h, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
/* HS_E_SYNTAX, HS_E_EXISTS (duplicate key), HS_E_MALFORMED, HS_E_LIMIT. */
int hs_hsyncparam_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
int hs_hsyncparam_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out,
                          hs_errmsg_t *em) HS_CHECK_RESULT;

/* The parameter with `key`, or NULL. */
const hs_hsp_param_t *hs_hsyncparam_find(const hs_hsyncparam_t *h, uint16_t key);
/* nsmgmt / parentsync with their defaults (owner) when absent. */
uint8_t hs_hsyncparam_nsmgmt(const hs_hsyncparam_t *h);
uint8_t hs_hsyncparam_parentsync(const hs_hsyncparam_t *h);
/* 1 if the list value of `key` (servers, signers, auditors) contains
 * `label` (`n` octets; compared case-insensitively, one trailing dot
 * ignored as for HSYNC3 labels). */
int hs_hsyncparam_list_has(const hs_hsyncparam_t *h, uint16_t key, const uint8_t *label, size_t n);
/* Presentation name of a key ("servers"), NULL for unknown keys. */
const char *hs_hsyncparam_key_name(uint16_t key);

#endif
