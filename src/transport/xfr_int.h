/*
 * xfr_int.h -- private structures of the AXFR client (src/transport only).
 */
#ifndef HS_TRANSPORT_XFR_INT_H
#define HS_TRANSPORT_XFR_INT_H

#include "transport/xfr.h"

#define XFR_LOG "xfr"

/* A record: offsets into the zone's arena (which grows while parsing). */
struct xfr_rec {
	size_t owner_off;
	size_t rdata_off;
	uint16_t owner_len;
	uint16_t rdlen;
	uint16_t type, rclass;
	uint32_t ttl;
};

struct tp_xfr_zone {
	uint8_t apex[WIRE_NAME_MAX];
	size_t apex_len;
	hs_buf_t arena;
	struct xfr_rec *recs;
	size_t n, cap;
	tp_xfr_soa_t soa;
	size_t msg_bytes;
};

/* xfr_conn.c: the connection of an incoming transfer. `feed` gets each
 * answer message: HS_E_AGAIN for more, anything else ends the transfer
 * with that status; `end` is called exactly once (the connection is gone
 * by then), unless xfr_conn_cancel() came first. */
struct xfr_conn;
typedef int (*xfr_feed_fn)(void *ctx, const uint8_t *msg, size_t len, hs_errmsg_t *em);
typedef void (*xfr_end_fn)(void *ctx, int status, const hs_errmsg_t *em);
int xfr_conn_start(tp_loop_t *loop, const tp_peer_addr_t *primary, const uint8_t *query,
                   size_t qlen, unsigned timeout_ms, unsigned idle_ms, xfr_feed_fn feed,
                   xfr_end_fn end, void *ctx, struct xfr_conn **out);
void xfr_conn_cancel(struct xfr_conn *c);
const char *xfr_conn_peer(const struct xfr_conn *c);

/* xfr_zone.c */
tp_xfr_zone_t *xfr_zone_new(const uint8_t *apex, size_t len);
void xfr_zone_add(tp_xfr_zone_t *z, const uint8_t *owner, size_t owner_len, uint16_t type,
                  uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlen);
/* Parse SOA RDATA (uncompressed). HS_E_MALFORMED when it does not fit. */
int xfr_soa_rdata(const uint8_t *rdata, size_t len, tp_xfr_soa_t *out);
/* 1 if `name` is `apex` or below it (whole labels, case-insensitive). */
int xfr_name_in_zone(const uint8_t *name, size_t len, const uint8_t *apex, size_t apex_len);

#endif
