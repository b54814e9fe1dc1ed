/*
 * conf.c -- reading configuration text against a schema, and the
 * read-only accessors. Value types live in conf_types.c, the schema
 * check and the reference in conf_help.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/conf_int.h"
#include "util/file.h"
#include "util/xmalloc.h"

#define CONF_LINE_MAX   4096
#define CONF_VALUES_MAX 100000
#define CONF_FILE_MAX   (4u << 20)

typedef struct parser {
	conf_t *c;
	const char *fname;
	unsigned flags;
	unsigned line;
	struct conf_sec *cur; /* open section, NULL before the first or when skipped */
	int skipping;         /* lenient: inside an unknown section */
	size_t nvalues;
	hs_errmsg_t *em;
} parser_t;

#define PERR(p, ...) conf_perr(p, __VA_ARGS__)

static int conf_perr(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int conf_perr(parser_t *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line)
		return hs_fail(p->em, HS_E_CONFIG, "%s:%u: %s", p->fname, p->line, msg);
	return hs_fail(p->em, HS_E_CONFIG, "%s: %s", p->fname, msg);
}

/* ---- schema lookups ------------------------------------------------------ */

static const conf_section_def_t *find_section(const conf_schema_t *s, const char *name)
{
	for (size_t i = 0; i < s->nsections; i++)
		if (strcmp(s->sections[i].name, name) == 0)
			return &s->sections[i];
	return NULL;
}

static struct conf_item *find_item(const conf_sec_t *sec, const char *name)
{
	if (sec == NULL)
		return NULL;
	for (size_t i = 0; i < sec->nitems; i++)
		if (strcmp(sec->items[i].opt->name, name) == 0)
			return &sec->items[i];
	return NULL;
}

static struct conf_sec *sec_new(conf_t *c, const conf_section_def_t *def, unsigned line)
{
	const conf_schema_t *s = c->schema;
	struct conf_sec *sec = xcalloc(1, sizeof(*sec));
	sec->def = def;
	sec->line = line;
	sec->conf = c;
	for (size_t i = 0; i < s->nopts; i++)
		if (strcmp(s->opts[i].section, def->name) == 0)
			sec->nitems++;
	sec->items = xcalloc(sec->nitems ? sec->nitems : 1, sizeof(*sec->items));
	for (size_t i = 0, k = 0; i < s->nopts; i++)
		if (strcmp(s->opts[i].section, def->name) == 0)
			sec->items[k++].opt = &s->opts[i];
	c->secs = xrealloc(c->secs, (c->nsecs + 1) * sizeof(*c->secs));
	c->secs[c->nsecs++] = sec;
	size_t d = (size_t)(def - s->sections);
	c->blocks[d] = xrealloc(c->blocks[d], (c->nblocks[d] + 1) * sizeof(*c->blocks[d]));
	c->blocks[d][c->nblocks[d]++] = sec;
	return sec;
}

/* The block of a single section (created for defaults at start). */
static struct conf_sec *single_block(conf_t *c, const conf_section_def_t *def)
{
	return c->blocks[def - c->schema->sections][0];
}

/* ---- values -------------------------------------------------------------- */

static const conf_val_t *default_of(const conf_t *c, const conf_opt_t *opt)
{
	const conf_val_t *d = &c->defaults[opt - c->schema->opts];
	return d->text ? d : NULL;
}

static int add_value(parser_t *p, const char *key, const char *text, int from_list)
{
	struct conf_item *it = find_item(p->cur, key);
	const char *sec = p->cur->def->name;
	char why[160];

	if (it == NULL) {
		if (p->flags & CONF_LENIENT)
			return HS_OK;
		return PERR(p, "%s.%s: unknown option", sec, key);
	}
	const conf_opt_t *o = it->opt;
	if (!(o->flags & CONF_MULTI)) {
		if (from_list)
			return PERR(p, "%s.%s: takes one value, not a list", sec, key);
		if (it->n > 0)
			return PERR(p, "%s.%s: given twice (first at line %u)", sec, key,
			            it->vals[0].line);
	}
	if (++p->nvalues > CONF_VALUES_MAX)
		return hs_fail(p->em, HS_E_LIMIT, "%s:%u: more than %d values", p->fname, p->line,
		               CONF_VALUES_MAX);
	conf_val_t v;
	if (conf_value_parse(o, text, &v, why, sizeof(why)) != HS_OK)
		return PERR(p, "%s.%s: %s", sec, key, why);
	v.line = p->line;
	it->vals = xrealloc(it->vals, (it->n + 1) * sizeof(*it->vals));
	it->vals[it->n++] = v;
	return HS_OK;
}

/* ---- lexing one line ----------------------------------------------------- */

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_keych(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

/* A quoted string at *s (at the opening quote) into `out`; advances *s. */
static int lex_quoted(parser_t *p, const char **s, hs_buf_t *out)
{
	const char *q = *s + 1;
	hs_buf_reset(out);
	for (;;) {
		char ch = *q++;
		if (ch == '\0')
			return PERR(p, "unterminated quoted string");
		if (ch == '"')
			break;
		if (ch == '\\') {
			char e = *q++;
			if (e == '"' || e == '\\')
				ch = e;
			else if (e == 'n')
				ch = '\n';
			else if (e == 't')
				ch = '\t';
			else
				return PERR(p, "bad escape '\\%c' in quoted string", e ? e : '0');
		}
		hs_buf_append_u8(out, (uint8_t)ch);
	}
	hs_buf_cstr(out);
	*s = q;
	return HS_OK;
}

/* A bare word up to one of `stops` (or end), blanks trimmed. */
static void lex_bare(const char **s, const char *stops, hs_buf_t *out)
{
	const char *q = *s;
	size_t n = strcspn(q, stops);
	size_t m = n;
	while (m > 0 && is_blank(q[m - 1]))
		m--;
	hs_buf_reset(out);
	hs_buf_append(out, q, m);
	hs_buf_cstr(out);
	*s = q + n;
}

/* After a value: only blanks and an optional comment may follow. */
static int expect_end(parser_t *p, const char *s)
{
	while (is_blank(*s))
		s++;
	if (*s != '\0' && *s != '#')
		return PERR(p, "unexpected text after the value: '%.20s'", s);
	return HS_OK;
}

static int parse_list(parser_t *p, const char *key, const char *s)
{
	hs_buf_t w = HS_BUF_INIT;
	int rc = HS_OK, n = 0;
	s++; /* '[' */
	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == ']' && n == 0) {
			rc = PERR(p, "empty list");
			goto cleanup;
		}
		if (*s == '"') {
			rc = lex_quoted(p, &s, &w);
			if (rc != HS_OK)
				goto cleanup;
			while (is_blank(*s))
				s++;
		} else {
			lex_bare(&s, ",]#", &w);
			if (w.len == 0) {
				rc = PERR(p, "empty list element");
				goto cleanup;
			}
		}
		rc = add_value(p, key, (const char *)w.data, 1);
		if (rc != HS_OK)
			goto cleanup;
		n++;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == ']')
			break;
		rc = PERR(p, "list not closed with ']'");
		goto cleanup;
	}
	rc = expect_end(p, s + 1);
cleanup:
	hs_buf_free(&w);
	return rc;
}

static int section_header(parser_t *p, const char *name)
{
	const conf_section_def_t *def = find_section(p->c->schema, name);
	p->cur = NULL;
	p->skipping = 0;
	if (def == NULL) {
		if (p->flags & CONF_LENIENT) {
			p->skipping = 1;
			return HS_OK;
		}
		return PERR(p, "unknown section '%s'", name);
	}
	if (def->flags & CONF_SEC_MULTI) {
		p->cur = sec_new(p->c, def, p->line);
		p->cur->present = 1;
		return HS_OK;
	}
	struct conf_sec *sec = single_block(p->c, def);
	if (sec->present)
		return PERR(p, "section '%s' given twice (first at line %u)", name, sec->line);
	sec->present = 1;
	sec->line = p->line;
	p->cur = sec;
	return HS_OK;
}

static int parse_line(parser_t *p, const char *s)
{
	char key[64];
	size_t kl = 0;
	int indented = is_blank(*s);
	hs_buf_t w = HS_BUF_INIT;
	int rc;

	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return HS_OK;
	while (is_keych(s[kl]))
		kl++;
	if (kl == 0 || s[kl] != ':')
		return PERR(p, "expected 'name:' at '%.20s'", s);
	if (kl >= sizeof(key))
		return PERR(p, "name '%.20s...' too long", s);
	memcpy(key, s, kl);
	key[kl] = '\0';
	s += kl + 1;
	while (is_blank(*s))
		s++;
	int empty = *s == '\0' || *s == '#';

	if (!indented) {
		if (!empty)
			return PERR(p, "section '%s:' takes no value (indent options under it)",
			            key);
		return section_header(p, key);
	}
	if (p->skipping)
		return HS_OK;
	if (p->cur == NULL)
		return PERR(p, "option '%s' outside a section", key);
	if (empty)
		return PERR(p, "%s.%s: missing value", p->cur->def->name, key);
	if (*s == '[')
		return parse_list(p, key, s);
	if (*s == '"')
		rc = lex_quoted(p, &s, &w);
	else {
		lex_bare(&s, "#", &w);
		rc = HS_OK;
	}
	if (rc == HS_OK)
		rc = expect_end(p, s);
	if (rc == HS_OK)
		rc = add_value(p, key, (const char *)w.data, 0);
	hs_buf_free(&w);
	return rc;
}

/* Required options of every block, and every key option. */
static int check_required(parser_t *p)
{
	p->line = 0;
	for (size_t i = 0; i < p->c->nsecs; i++) {
		const struct conf_sec *sec = p->c->secs[i];
		for (size_t k = 0; k < sec->nitems; k++) {
			const struct conf_item *it = &sec->items[k];
			if (!(it->opt->flags & (CONF_REQUIRED | CONF_KEY)) || it->n > 0 ||
			    default_of(p->c, it->opt))
				continue;
			p->line = sec->line;
			if (sec->present)
				return PERR(p, "%s.%s: required option missing", sec->def->name,
				            it->opt->name);
			return PERR(p, "section '%s' missing (it needs '%s')", sec->def->name,
			            it->opt->name);
		}
	}
	return HS_OK;
}

/* Key options: unique across the blocks of their section. Sorted, so a
 * configuration with many zones is checked in n log n. */
struct key_ref {
	const char *text;
	unsigned line;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int r = strcmp(x->text, y->text);
	if (r == 0)
		r = (x->line > y->line) - (x->line < y->line);
	return r;
}

static int check_keys(parser_t *p)
{
	const conf_schema_t *s = p->c->schema;
	int rc = HS_OK;
	for (size_t k = 0; k < s->nopts && rc == HS_OK; k++) {
		const conf_opt_t *o = &s->opts[k];
		const conf_section_def_t *def = find_section(s, o->section);
		if (!(o->flags & CONF_KEY) || def == NULL)
			continue;
		size_t d = (size_t)(def - s->sections), n = 0;
		struct key_ref *refs = xcalloc(p->c->nblocks[d] + 1, sizeof(*refs));
		for (size_t i = 0; i < p->c->nblocks[d]; i++) {
			const struct conf_item *it = find_item(p->c->blocks[d][i], o->name);
			if (it && it->n > 0)
				refs[n++] = (struct key_ref){it->vals[0].text, it->vals[0].line};
		}
		qsort(refs, n, sizeof(*refs), key_cmp);
		for (size_t i = 1; i < n; i++) {
			if (strcmp(refs[i].text, refs[i - 1].text) == 0) {
				p->line = refs[i].line;
				rc = PERR(p, "%s.%s: '%s' already defined at line %u", o->section,
				          o->name, refs[i].text, refs[i - 1].line);
				break;
			}
		}
		free(refs);
	}
	return rc;
}

/* ---- entry points -------------------------------------------------------- */

int conf_parse(const conf_schema_t *schema, const char *text, size_t len, const char *fname,
               unsigned flags, conf_t **out, hs_errmsg_t *em)
{
	parser_t p = {.fname = fname ? fname : "(config)", .flags = flags, .em = em};
	hs_buf_t line = HS_BUF_INIT;
	char why[160];
	int rc = HS_OK;

	p.c = xcalloc(1, sizeof(*p.c));
	p.c->schema = schema;
	p.c->fname = xstrdup(p.fname);
	p.c->defaults = xcalloc(schema->nopts ? schema->nopts : 1, sizeof(*p.c->defaults));
	p.c->blocks = xcalloc(schema->nsections ? schema->nsections : 1, sizeof(*p.c->blocks));
	p.c->nblocks = xcalloc(schema->nsections ? schema->nsections : 1, sizeof(*p.c->nblocks));
	for (size_t i = 0; i < schema->nopts; i++) {
		const conf_opt_t *o = &schema->opts[i];
		if (o->def &&
		    conf_value_parse(o, o->def, &p.c->defaults[i], why, sizeof(why)) != HS_OK) {
			rc = hs_fail(em, HS_E_INVAL, "schema: %s.%s: default: %s", o->section,
			             o->name, why);
			goto cleanup;
		}
	}
	for (size_t i = 0; i < schema->nsections; i++)
		if (!(schema->sections[i].flags & CONF_SEC_MULTI))
			(void)sec_new(p.c, &schema->sections[i], 0);

	for (size_t pos = 0; pos < len;) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl != NULL);
		p.line++;
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n > CONF_LINE_MAX) {
			rc = hs_fail(em, HS_E_LIMIT, "%s:%u: line longer than %d octets", p.fname,
			             p.line, CONF_LINE_MAX);
			goto cleanup;
		}
		if (memchr(start, '\0', n) != NULL) {
			rc = PERR(&p, "NUL octet in the line");
			goto cleanup;
		}
		hs_buf_reset(&line);
		hs_buf_append(&line, start, n);
		rc = parse_line(&p, hs_buf_cstr(&line));
		if (rc != HS_OK)
			goto cleanup;
	}
	rc = check_keys(&p);
	if (rc == HS_OK)
		rc = check_required(&p);
	if (rc != HS_OK)
		goto cleanup;
	*out = p.c;
	p.c = NULL;
cleanup:
	hs_buf_free(&line);
	conf_free(p.c);
	return rc;
}

int conf_load(const conf_schema_t *schema, const char *path, unsigned flags, conf_t **out,
              hs_errmsg_t *em)
{
	hs_buf_t b = HS_BUF_INIT;
	int rc = hs_read_file(path, &b, CONF_FILE_MAX);
	int e = errno; /* hs_read_file keeps it on HS_E_IO */
	if (rc == HS_E_LIMIT)
		rc = hs_fail(em, rc, "%s: larger than %u octets", path, CONF_FILE_MAX);
	else if (rc == HS_E_IO && e != 0)
		rc = hs_fail(em, rc, "cannot read '%s': %s", path, strerror(e));
	else if (rc != HS_OK)
		rc = hs_fail(em, rc, "cannot read '%s': %s", path, hs_strerror(rc));
	else
		rc = conf_parse(schema, (const char *)b.data, b.len, path, flags, out, em);
	hs_buf_free(&b);
	return rc;
}

void conf_free(conf_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nsecs; i++) {
		struct conf_sec *sec = c->secs[i];
		for (size_t k = 0; k < sec->nitems; k++) {
			for (size_t j = 0; j < sec->items[k].n; j++)
				free((char *)sec->items[k].vals[j].text);
			free(sec->items[k].vals);
		}
		free(sec->items);
		free(sec);
	}
	for (size_t i = 0; i < c->schema->nopts; i++)
		free((char *)c->defaults[i].text);
	free(c->defaults);
	for (size_t i = 0; i < c->schema->nsections; i++)
		free(c->blocks[i]);
	free(c->blocks);
	free(c->nblocks);
	free(c->secs);
	free(c->fname);
	free(c);
}

/* ---- reading ------------------------------------------------------------- */

/* Index of `section` in the schema, or -1. */
static long def_index(const conf_t *c, const char *section)
{
	const conf_section_def_t *def = c ? find_section(c->schema, section) : NULL;
	return def ? (long)(def - c->schema->sections) : -1;
}

size_t conf_sec_count(const conf_t *c, const char *section)
{
	long d = def_index(c, section);
	return d < 0 ? 0 : c->nblocks[d];
}

const conf_sec_t *conf_sec_at(const conf_t *c, const char *section, size_t idx)
{
	long d = def_index(c, section);
	return d < 0 || idx >= c->nblocks[d] ? NULL : c->blocks[d][idx];
}

const char *conf_file(const conf_t *c)
{
	return c ? c->fname : NULL;
}

unsigned conf_sec_line(const conf_sec_t *s)
{
	return s ? s->line : 0;
}

size_t conf_count(const conf_sec_t *s, const char *name)
{
	const struct conf_item *it = find_item(s, name);
	if (it == NULL)
		return 0;
	if (it->n > 0)
		return it->n;
	return default_of(s->conf, it->opt) ? 1 : 0;
}

const conf_val_t *conf_val(const conf_sec_t *s, const char *name, size_t i)
{
	const struct conf_item *it = find_item(s, name);
	if (it == NULL)
		return NULL;
	if (it->n > 0)
		return i < it->n ? &it->vals[i] : NULL;
	return i == 0 ? default_of(s->conf, it->opt) : NULL;
}

const char *conf_str(const conf_sec_t *s, const char *name)
{
	const conf_val_t *v = conf_val(s, name, 0);
	return v ? v->text : NULL;
}

int64_t conf_int(const conf_sec_t *s, const char *name, int64_t dflt)
{
	const conf_val_t *v = conf_val(s, name, 0);
	return v ? v->i : dflt;
}

int conf_bool(const conf_sec_t *s, const char *name, int dflt)
{
	const conf_val_t *v = conf_val(s, name, 0);
	return v ? (int)v->i : dflt;
}

uint64_t conf_dur_ms(const conf_sec_t *s, const char *name, uint64_t dflt)
{
	const conf_val_t *v = conf_val(s, name, 0);
	return v ? (uint64_t)v->i : dflt;
}

const conf_addr_t *conf_addr(const conf_sec_t *s, const char *name)
{
	const conf_val_t *v = conf_val(s, name, 0);
	return v ? &v->addr : NULL;
}

const char *conf_get_str(const conf_t *c, const char *section, const char *name)
{
	return conf_str(conf_sec_at(c, section, 0), name);
}
