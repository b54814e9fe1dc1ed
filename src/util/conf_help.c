/*
 * conf_help.c -- checking a schema and printing its option reference.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf_int.h"

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

static void print_type(const conf_opt_t *o, FILE *fp)
{
	switch (o->type) {
	case CONF_ENUM:
		fprintf(fp, "%s", o->choices);
		break;
	case CONF_ADDR:
		fprintf(fp, "ADDRESS[@PORT]");
		if (o->port)
			fprintf(fp, ", port %u if none", o->port);
		break;
	default:
		fprintf(fp, "%s", conf_type_name(o->type));
		break;
	}
	if ((o->type == CONF_INT || o->type == CONF_DUR) && (o->min || o->max))
		fprintf(fp, ", %" PRId64 "..%" PRId64 "%s", o->min, o->max,
		        o->type == CONF_DUR ? " ms" : "");
}

void conf_dump_help(const conf_schema_t *s, FILE *fp)
{
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
			fprintf(fp, "    %s: %s\n", o->name, o->def ? o->def : "...");
			fprintf(fp, "        # ");
			print_type(o, fp);
			if (o->flags & CONF_KEY)
				fprintf(fp, "; required, unique per %s", sd->name);
			else if (o->flags & CONF_REQUIRED)
				fprintf(fp, "; required");
			if (o->flags & CONF_MULTI)
				fprintf(fp, "; may be repeated or [a, b]");
			if (o->def)
				fprintf(fp, "; default %s", o->def);
			fprintf(fp, "\n        # %s\n", o->help);
		}
	}
}
