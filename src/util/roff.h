/*
 * roff.h -- writing man pages (man(7) macros) from the same text the
 * programs print for --help and --help-config, so the two never drift.
 *
 *   hs_roff_header(fp, "HSYNCD", 8, "hsync 0.2.0", "System Manager's Manual")
 *   hs_roff_section(fp, "DESCRIPTION")
 *   hs_roff_text(fp, "any text, escaped\n")
 */
#ifndef HS_UTIL_ROFF_H
#define HS_UTIL_ROFF_H

#include <stddef.h>
#include <stdio.h>

/* ".TH TITLE SECTION "" "SOURCE" "MANUAL"" plus a comment saying the
 * page is generated. */
void hs_roff_header(FILE *fp, const char *title, int section, const char *source,
                    const char *manual);
/* ".SH NAME" (upper case as given). */
void hs_roff_section(FILE *fp, const char *name);
/*
 * Write `len` octets of plain text escaped for roff: backslashes as \e,
 * every '-' as \- (so options copy and paste as ASCII), and a line that
 * would start with '.' or '\'' protected with \&. Newlines are kept.
 */
void hs_roff_textn(FILE *fp, const char *text, size_t len);
void hs_roff_text(FILE *fp, const char *text);

#endif
