/*
 * rfc2136.h -- the records of an RFC 2136 update section turned into a
 * strict difference of the zone machinery (zone.h), for a zone a role
 * serves itself (the parent role's own parent zone, draft-hsync-parent
 * PS-41).
 *
 * Pure: reads a snapshot, builds a diff; the caller applies it with
 * zn_update() (zn_apply plus the journal).
 */
#ifndef HS_ZONE_RFC2136_H
#define HS_ZONE_RFC2136_H

#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"
#include "wire/update.h"
#include "zone/zone.h"

/*
 * Process `rrs` in order against snapshot `s` with the semantics of RFC
 * 2136 section 3.4.2 (class IN: add unless the record is there; ANY with
 * a type: delete that RRset; NONE: delete that record if it is there;
 * every step sees the ones before it) and return in *out the difference
 * from `s` to the result: the SOA serial incremented by one (RFC 1982),
 * the records deleted and added. *changed (may be NULL) is 0 when the
 * records change nothing (the diff then only moves the serial). Owners
 * must be at or below the apex; SOA records and type ANY are refused
 * (HS_E_MALFORMED with `em` naming the record). *out is the caller's.
 */
int zn_rfc2136_diff(const zn_snap_t *s, const hs_upd_rr_t *rrs, size_t n, zn_diff_t **out,
                    int *changed, hs_errmsg_t *em) HS_CHECK_RESULT;

#endif
