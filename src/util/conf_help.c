/*
 * conf_help.c -- checking a schema and printing its option reference.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf_int.h"
#include "util/roff.h"

static const conf_section_def_t *sec_def(const conf_schema_t *s, const char *name)
{
	for (size_t i = 0; i < s->nsections; i++)
		if (strcmp(s->sections[i].name, name) == 0)
			return &s->sections[i];
	return NULL;
}

int conf_schema_check(const conf_schema_t *s, hs_errmsg_t *em)
{
	char why[160];
	for (size_t i = 0; i < s->nsections; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->sections[i].name, s->sections[k].name) == 0)
				return hs_fail(em, HS_E_INVAL, "schema: section '%s' twice",
				               s->sections[i].name);
	for (size_t i = 0; i < s->nopts; i++) {
		const conf_opt_t *o = &s->opts[i];
		const conf_section_def_t *sd = sec_def(s, o->section);
		if (sd == NULL)
			return hs_fail(em, HS_E_INVAL, "schema: %s.%s: no such section", o->section,
			               o->name);
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->opts[k].section, o->section) == 0 &&
			    strcmp(s->opts[k].name, o->name) == 0)
				return hs_fail(em, HS_E_INVAL, "schema: %s.%s twice", o->section,
				               o->name);
		if (o->min > o->max)
			return hs_fail(em, HS_E_INVAL, "schema: %s.%s: min above max", o->section,
			               o->name);
		if (o->type == CONF_ENUM && (o->choices == NULL || o->choices[0] == '\0'))
			return hs_fail(em, HS_E_INVAL, "schema: %s.%s: enum without choices",
			               o->section, o->name);
		if ((o->flags & CONF_KEY) &&
		    (!(sd->flags & CONF_SEC_MULTI) || (o->flags & CONF_MULTI)))
			return hs_fail(
			    em, HS_E_INVAL,
			    "schema: %s.%s: a key option is single and in a repeatable section",
			    o->section, o->name);
		if (o->help == NULL || o->help[0] == '\0')
			return hs_fail(em, HS_E_INVAL, "schema: %s.%s: no help", o->section,
			               o->name);
		if (o->def) {
			conf_val_t v;
			if (conf_value_parse(o, o->def, &v, why, sizeof(why)) != HS_OK)
				return hs_fail(em, HS_E_INVAL, "schema: %s.%s: default: %s",
				               o->section, o->name, why);
			free((char *)v.text);
		}
	}
	return HS_OK;
}

/* The one-line description of an option's value: type, range, whether it
 * is required or repeatable, its default ("# " lines of --help-config and
 * the man page say the same). */
static void opt_details(const conf_opt_t *o, const conf_section_def_t *sd, char *b, size_t n)
{
	size_t u = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (u < n)                                                                         \
			u += (size_t)snprintf(b + u, n - u, __VA_ARGS__);                          \
	} while (0)
	b[0] = '\0';
	switch (o->type) {
	case CONF_ENUM:
		ADD("%s", o->choices);
		break;
	case CONF_ADDR:
		ADD("ADDRESS[@PORT]");
		if (o->port)
			ADD(", port %u if none", o->port);
		break;
	default:
		ADD("%s", conf_type_name(o->type));
		break;
	}
	if ((o->type == CONF_INT || o->type == CONF_DUR) && (o->min || o->max))
		ADD(", %" PRId64 "..%" PRId64 "%s", o->min, o->max,
		    o->type == CONF_DUR ? " ms" : "");
	if (o->flags & CONF_KEY)
		ADD("; required, unique per %s", sd->name);
	else if (o->flags & CONF_REQUIRED)
		ADD("; required");
	if (o->flags & CONF_MULTI)
		ADD("; may be repeated or [a, b]");
	if (o->def)
		ADD("; default %s", o->def);
#undef ADD
}

static const char format_text[] =
    "The file is read line by line, in the format NSD and Knot operators know.\n"
    "A line that starts in column 0 opens a section (\"zone:\" and nothing\n"
    "else); indented lines are \"option: value\" lines of the open section.\n"
    "A section marked repeatable may appear many times (one block per zone);\n"
    "the others at most once. '#' starts a comment. A value is a bare word (up\n"
    "to a '#' or the end of the line), a \"quoted string\" (escapes \\\" \\\\ \\t\n"
    "\\n), or a list [a, b, \"c\"] for a repeatable option, the same as writing\n"
    "the option once per element. Write IPv6 addresses as ::1@53 (or quote\n"
    "\"[::1]:53\"). Durations are 500ms, 30s, 5m, 1h, 2d, 1w or combinations\n"
    "(1h30m); a bare number is seconds. An option not given has its default.\n"
    "Errors name the file, the line, the section and the option.\n";

const char *conf_format_help(void)
{
	return format_text;
}

void conf_dump_help(const conf_schema_t *s, FILE *fp)
{
	char det[256];

	for (size_t i = 0; i < s->nsections; i++) {
		const conf_section_def_t *sd = &s->sections[i];
		if (i)
			fputc('\n', fp);
		fprintf(fp, "%s:%s\n", sd->name,
		        sd->flags & CONF_SEC_MULTI ? "    # may be repeated" : "");
		if (sd->help)
			fprintf(fp, "    # %s\n", sd->help);
		for (size_t k = 0; k < s->nopts; k++) {
			const conf_opt_t *o = &s->opts[k];
			if (strcmp(o->section, sd->name) != 0)
				continue;
			opt_details(o, sd, det, sizeof(det));
			fprintf(fp, "    %s: %s\n", o->name, o->def ? o->def : "...");
			fprintf(fp, "        # %s\n        # %s\n", det, o->help);
		}
	}
}

/* Paragraphs separated by blank lines, each as .PP + escaped text. */
static void roff_paragraphs(FILE *fp, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *end = strstr(p, "\n\n");
		size_t len = end ? (size_t)(end - p) + 1 : strlen(p);
		fputs(".PP\n", fp);
		hs_roff_textn(fp, p, len);
		if (len == 0 || p[len - 1] != '\n')
			fputc('\n', fp);
		p += len;
		while (*p == '\n')
			p++;
	}
}

void conf_dump_man(const conf_schema_t *s, const conf_man_t *m, FILE *fp)
{
	char det[256], title[128];
	size_t i, k;

	for (i = 0; m->name[i] && i + 1 < sizeof(title); i++)
		title[i] =
		    m->name[i] >= 'a' && m->name[i] <= 'z' ? m->name[i] - 'a' + 'A' : m->name[i];
	title[i] = '\0';
	hs_roff_header(fp, title, 5, m->source, "File Formats Manual");
	hs_roff_section(fp, "NAME");
	hs_roff_text(fp, m->name);
	fputs(" \\- ", fp);
	hs_roff_text(fp, m->summary);
	fputc('\n', fp);
	hs_roff_section(fp, "DESCRIPTION");
	if (m->intro)
		roff_paragraphs(fp, m->intro);
	roff_paragraphs(fp, format_text);
	hs_roff_section(fp, "OPTIONS");
	for (i = 0; i < s->nsections; i++) {
		const conf_section_def_t *sd = &s->sections[i];
		fprintf(fp, ".SS \"");
		hs_roff_text(fp, sd->name);
		fprintf(fp, ":\"\n");
		if (sd->help) {
			fputs(".PP\n", fp);
			hs_roff_text(fp, sd->help);
			fputs(sd->flags & CONF_SEC_MULTI ? " (may be repeated)\n" : "\n", fp);
		}
		for (k = 0; k < s->nopts; k++) {
			const conf_opt_t *o = &s->opts[k];
			if (strcmp(o->section, sd->name) != 0)
				continue;
			opt_details(o, sd, det, sizeof(det));
			fputs(".TP\n.B ", fp);
			hs_roff_text(fp, o->name);
			fputs(":\n", fp);
			hs_roff_text(fp, o->help);
			fputs(".\n.br\n", fp);
			hs_roff_text(fp, det);
			fputs(".\n", fp);
		}
	}
	if (m->files) {
		hs_roff_section(fp, "FILES");
		roff_paragraphs(fp, m->files);
	}
	if (m->see_also) {
		hs_roff_section(fp, "SEE ALSO");
		hs_roff_text(fp, m->see_also);
		fputc('\n', fp);
	}
}
