/* roff.c -- man(7) output helpers. */
#include "util/roff.h"

#include <string.h>

void hs_roff_header(FILE *fp, const char *title, int section, const char *source,
                    const char *manual)
{
	fprintf(fp, ".\\\" Generated from the program's own help text; do not edit.\n");
	fprintf(fp, ".TH \"%s\" \"%d\" \"\" \"%s\" \"%s\"\n", title, section, source, manual);
}

void hs_roff_section(FILE *fp, const char *name)
{
	fputs(".SH ", fp);
	for (const char *p = name; *p; p++)
		fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, fp);
	fputc('\n', fp);
}

void hs_roff_textn(FILE *fp, const char *text, size_t len)
{
	int bol = 1;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (bol && (c == '.' || c == '\''))
			fputs("\\&", fp);
		bol = c == '\n';
		if (c == '\\')
			fputs("\\e", fp);
		else if (c == '-')
			fputs("\\-", fp);
		else
			fputc(c, fp);
	}
}

void hs_roff_text(FILE *fp, const char *text)
{
	hs_roff_textn(fp, text, strlen(text));
}
