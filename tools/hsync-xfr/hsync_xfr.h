/* hsync-xfr -- one AXFR with the project's client; shared declarations. */
#ifndef HS_TOOLS_HSYNC_XFR_H
#define HS_TOOLS_HSYNC_XFR_H

#include <stdio.h>

#include "transport/xfr.h"

/* The summary: serial, counts, SOA timers, apex HSYNC3/HSYNCPARAM and
 * what they mean; `identity` (may be NULL) is checked against HSYNC3. */
void xfr_print_summary(FILE *f, const tp_xfr_zone_t *z, const tp_xfr_stats_t *st,
                       const char *primary, const char *identity);
/* Every record in presentation form, hsync types decoded. */
void xfr_print_dump(FILE *f, const tp_xfr_zone_t *z);

/* --follow settings. */
struct xfr_follow_opts {
	const char *listen;                          /* IP literal for the NOTIFY listener */
	uint16_t listen_port;                        /* 0 = any free port (printed) */
	uint32_t refresh_min, retry_min, expire_min; /* 0 = zonesec defaults */
};
/* Keep `zone` as a secondary until SIGINT/SIGTERM; one line per copy.
 * Returns the exit code: 0 if a copy was loaded, 1 if none, 2 usage. */
int xfr_follow(const tp_peer_addr_t *primary, const char *zone, const tp_xfr_opts_t *xopts,
               const struct xfr_follow_opts *fo);

#endif
