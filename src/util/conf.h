/*
 * conf.h -- the table-driven configuration parser (STYLE.md item 11).
 *
 * The file format is the one NSD and Knot operators know:
 *
 *     # comment
 *     server:
 *         identity: agent.provider-a.example.
 *         listen: 127.0.0.1@5301          # ADDRESS[@PORT]
 *         beat-interval: 15s
 *     zone:
 *         name: example.com.
 *         primary: [192.0.2.1, "192.0.2.2@5353"]
 *     zone:
 *         name: example.net.
 *
 * A line starting in column 0 opens a section ("name:" and nothing else);
 * indented lines are "key: value" options of the open section. A section
 * declared repeatable may appear many times (one block per zone); others
 * at most once. A value is a bare word (up to a '#' or the end of the
 * line, outer blanks removed), a "quoted string" (escapes \" \\ \t \n), or
 * a list [a, b, "c"] for a repeatable option (the same as writing the key
 * once per element). Tabs count as indentation. A value starting with
 * '[' is always a list: write IPv6 addresses as ::1@53 (or quote "[::1]:53").
 *
 * The schema is a table: one row per section, one row per option
 * (section, name, type, range, default, flags, help). Values are checked
 * against their row as they are read. Errors are HS_E_CONFIG with the
 * text "FILE:LINE: section.option: why": unknown section or option,
 * bad value for its type, number out of range, value not in an enum,
 * a single-valued option or section given twice, a list for a
 * single-valued option, two sections with the same key option, a
 * required option missing (reported at the section's line), and syntax
 * (unterminated quote, option outside a section, missing value).
 *
 * The parsed configuration is read-only: sections are found by name and
 * index, values by option name; an option not given reads as its default.
 */
#ifndef HS_UTIL_CONF_H
#define HS_UTIL_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "util/errmsg.h"

/* Value types (one row each in conf.c's type table). */
enum conf_type {
	CONF_STR = 1, /* any text */
	CONF_INT,     /* signed decimal, checked against [min, max] */
	CONF_BOOL,    /* yes/no, true/false, on/off */
	CONF_DUR,     /* 500ms, 30s, 5m, 1h, 2d, 1w, combinations (1h30m); a bare number is seconds;
	                 [min, max] in ms */
	CONF_ADDR,    /* IPv4/IPv6 literal with an optional port: 192.0.2.1@53, ::1@53, [::1]:53 */
	CONF_DNAME,   /* domain name; stored lowercase and absolute (trailing dot) */
	CONF_PATH,    /* a file name: non-empty */
	CONF_ENUM,    /* one of the words in `choices` ("agent|combiner|signer") */
};

/* Option flags. */
#define CONF_MULTI    0x01u /* may be given several times (a list) */
#define CONF_REQUIRED 0x02u /* the section is incomplete without it */
#define CONF_KEY                                                                                   \
	0x04u /* identifies a repeatable section: unique across its blocks; implies required */

/* Section flags. */
#define CONF_SEC_MULTI 0x01u /* may appear several times (zone:, peer:) */

typedef struct conf_section_def {
	const char *name;
	unsigned flags;
	const char *help;
} conf_section_def_t;

typedef struct conf_opt {
	const char *section;
	const char *name;
	enum conf_type type;
	int64_t min, max;    /* CONF_INT, CONF_DUR (ms); both 0 = no range */
	const char *choices; /* CONF_ENUM: "a|b|c" */
	uint16_t port;       /* CONF_ADDR: port when none is written */
	const char *def;     /* default, written as in the file; NULL = none */
	unsigned flags;
	const char *help;
} conf_opt_t;

typedef struct conf_schema {
	const conf_section_def_t *sections;
	size_t nsections;
	const conf_opt_t *opts;
	size_t nopts;
} conf_schema_t;

/* Parse flags. */
#define CONF_LENIENT 0x01u /* skip unknown sections and options (tools reading one setting) */

/* A parsed address. */
typedef struct conf_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t port;
} conf_addr_t;

/* One value as read (or as defaulted). */
typedef struct conf_val {
	const char *text; /* the value as written (unquoted); DNAME: normalised */
	unsigned line;    /* 0 for a default */
	int64_t i;        /* CONF_INT; CONF_DUR in ms; CONF_BOOL 0/1; CONF_ENUM index */
	conf_addr_t addr; /* CONF_ADDR */
} conf_val_t;

typedef struct conf conf_t;
typedef struct conf_sec conf_sec_t;

/*
 * Check a schema: every option's section exists, names are unique,
 * defaults parse with their type, ranges are ordered, enums have
 * choices. For tests of schemas and for the daemon at start-up.
 * HS_E_INVAL with the offending row in `em`.
 */
int conf_schema_check(const conf_schema_t *schema, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Parse `len` bytes of configuration text. `fname` is used in messages
 * only. On HS_OK *out is the configuration (conf_free). Errors:
 * HS_E_CONFIG (the first problem, "FILE:LINE: ..." in `em`), HS_E_LIMIT
 * (a line longer than 4096 octets, more than 100000 values).
 */
int conf_parse(const conf_schema_t *schema, const char *text, size_t len, const char *fname,
               unsigned flags, conf_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Read and parse the file at `path` (at most 4 MiB). Errors: those of
 * conf_parse, HS_E_IO when it cannot be read, HS_E_LIMIT when too big. */
int conf_load(const conf_schema_t *schema, const char *path, unsigned flags, conf_t **out,
              hs_errmsg_t *em) HS_CHECK_RESULT;

void conf_free(conf_t *c);

/* ---- reading ------------------------------------------------------------- */

/* The file name given to conf_parse (or conf_load's path), for messages
 * of checks made after parsing. */
const char *conf_file(const conf_t *c);

/* Blocks of `section` present in the file. A single (non-repeatable)
 * section that is absent still reads as one block of defaults: its count
 * is 1. Unknown section names: 0. */
size_t conf_sec_count(const conf_t *c, const char *section);
/* Block `i` of `section`, or NULL. */
const conf_sec_t *conf_sec_at(const conf_t *c, const char *section, size_t i);
/* Line of the section header (0 for a defaulted single section). */
unsigned conf_sec_line(const conf_sec_t *s);

/* Values of option `name` in block `s`: as given, else the default (one
 * value), else none. */
size_t conf_count(const conf_sec_t *s, const char *name);
/* Value `i`, or NULL when absent. */
const conf_val_t *conf_val(const conf_sec_t *s, const char *name, size_t i);

/* Shorthands for the first value (NULL/`dflt` when absent). */
const char *conf_str(const conf_sec_t *s, const char *name);
int64_t conf_int(const conf_sec_t *s, const char *name, int64_t dflt);
int conf_bool(const conf_sec_t *s, const char *name, int dflt);
uint64_t conf_dur_ms(const conf_sec_t *s, const char *name, uint64_t dflt);
const conf_addr_t *conf_addr(const conf_sec_t *s, const char *name);

/* The first block of `section`, then as conf_str: for single sections. */
const char *conf_get_str(const conf_t *c, const char *section, const char *name);

/* ---- reference ----------------------------------------------------------- */

/* Print the option reference (sections, options, types, defaults, help)
 * to `fp`, in the file format itself, as comments. */
void conf_dump_help(const conf_schema_t *schema, FILE *fp);

/* The syntax of a configuration file as text for operators (lines end
 * in newlines). Static. */
const char *conf_format_help(void);

/* What the man page of a configuration file says besides its options. */
typedef struct conf_man {
	const char *name;     /* "hsyncd.conf" (the page's title, section 5) */
	const char *summary;  /* the NAME line: "configuration file of hsyncd" */
	const char *source;   /* the footer: "hsync 0.2.0" */
	const char *intro;    /* DESCRIPTION before the syntax; blank line = new paragraph */
	const char *files;    /* FILES, or NULL */
	const char *see_also; /* SEE ALSO ("hsyncd(8), hsyncctl(8)"), or NULL */
} conf_man_t;

/* The man page (man(7) macros) of a file of this schema: NAME,
 * DESCRIPTION (m->intro, then the syntax), OPTIONS (every section and
 * option with the help and the details --help-config prints), FILES, SEE
 * ALSO. */
void conf_dump_man(const conf_schema_t *schema, const conf_man_t *m, FILE *fp);

/* The name of a type as shown in messages and the reference ("duration"). */
const char *conf_type_name(enum conf_type t);

#endif
