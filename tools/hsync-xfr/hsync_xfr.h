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

#endif
