/* record.h -- the --record file of "hsync-tp listen" (see record.c). */
#ifndef HS_TOOLS_HSYNC_TP_RECORD_H
#define HS_TOOLS_HSYNC_TP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "transport/core.h"
#include "util/errmsg.h"

typedef struct tptool_record tptool_record_t;

/* Open (create) the file, load its ids, cut off a torn last line.
 * HS_E_IO, HS_E_SYNTAX (not a record file). */
int tptool_record_open(const char *path, tptool_record_t **out, hs_errmsg_t *em);
/* 1 if `id` has a line already. */
int tptool_record_has(const tptool_record_t *r, const uint8_t id[TP_MSGID_LEN]);
/* Append "id sha256" and fsync. HS_E_EXISTS (already recorded: nothing
 * written), HS_E_IO. */
int tptool_record_add(tptool_record_t *r, const uint8_t id[TP_MSGID_LEN], const char *sha256hex);
size_t tptool_record_count(const tptool_record_t *r);
void tptool_record_close(tptool_record_t *r);

#endif
