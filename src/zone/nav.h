/*
 * nav.h -- moving between owner names of a version in canonical order
 * (RFC 4034 6.1), and the RRsets of one owner. An addition to zone.h for
 * the signer, which needs the neighbours of a name in the NSEC and NSEC3
 * chains without walking the zone. Same conventions as zone.h; every call
 * costs O(log n) (plus the size of the answer).
 */
#ifndef HS_ZONE_NAV_H
#define HS_ZONE_NAV_H

#include "zone/zone.h"

/*
 * The greatest owner name of `s` before `name` (which need not exist),
 * into `out` (WIRE_NAME_MAX octets): HS_OK, or HS_E_NOTFOUND when there
 * is none (name is the apex or before it). HS_E_NAME when `name` is not
 * at or below the apex.
 */
int zn_snap_prev_owner(const zn_snap_t *s, const uint8_t *name, size_t len, uint8_t *out,
                       size_t *out_len) HS_CHECK_RESULT;
/*
 * The smallest owner name after `name` that is not below it when
 * `skip_below` (the next name outside name's subtree), else after it.
 * HS_E_NOTFOUND at the end.
 */
int zn_snap_next_owner(const zn_snap_t *s, const uint8_t *name, size_t len, int skip_below,
                       uint8_t *out, size_t *out_len) HS_CHECK_RESULT;

/*
 * The RRsets of `owner`, in type order: up to `max` into `out`, *n the
 * number it has (may exceed max). HS_E_NOTFOUND when the name owns none
 * (absent or an empty non-terminal). RRSIGs are one RRset here, as
 * zn_snap_find() gives it (each RDATA's TTL by zn_rrset_next_rr).
 */
int zn_snap_owner_sets(const zn_snap_t *s, const uint8_t *owner, size_t len, zn_rrset_t *out,
                       size_t max, size_t *n) HS_CHECK_RESULT;

#endif
