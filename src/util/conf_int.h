/*
 * conf_int.h -- private parts of the configuration parser (conf*.c only).
 */
#ifndef HS_UTIL_CONF_INT_H
#define HS_UTIL_CONF_INT_H

#include "util/conf.h"

/* Values of one option in one block. */
struct conf_item {
	const conf_opt_t *opt;
	conf_val_t *vals;
	size_t n;
};

struct conf_sec {
	const conf_section_def_t *def;
	unsigned line;
	int present;             /* written in the file (not only defaults) */
	struct conf_item *items; /* one per option of this section, in schema order */
	size_t nitems;
	const struct conf *conf;
};

struct conf {
	const conf_schema_t *schema;
	char *fname;            /* as given to conf_parse, for messages */
	conf_val_t *defaults;   /* per schema option; text NULL when none */
	struct conf_sec **secs; /* every block, in file order */
	size_t nsecs;
	struct conf_sec ***blocks; /* per schema section: its blocks */
	size_t *nblocks;
};

/*
 * Parse `text` as a value of `opt`'s type into *v (v->text set to a fresh
 * normalised copy on success). On failure returns HS_E_CONFIG and writes
 * a reason ("not a number") into `why`.
 */
int conf_value_parse(const conf_opt_t *opt, const char *text, conf_val_t *v, char *why,
                     size_t whylen);

#endif
