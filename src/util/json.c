/*
 * json.c -- strict recursive-descent JSON reader over the wire cursor.
 */
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"

struct hs_json {
	enum hs_json_type type;
	char *text; /* string bytes or number text; "true"/"false" for bools */
	size_t len;
	char **keys; /* objects */
	struct hs_json **items;
	size_t n;
};

typedef struct jp {
	wire_rd_t rd;
	const uint8_t *start;
	hs_errmsg_t *em;
	int depth;
} jp_t;

static int peek(const jp_t *p)
{
	return (p->rd.err || p->rd.pos >= p->rd.end) ? -1 : *p->rd.pos;
}

static int fail(jp_t *p, const char *why)
{
	wire_rd_fail(&p->rd, HS_E_SYNTAX);
	return hs_fail(p->em, HS_E_SYNTAX, "json: %s at offset %zu", why,
	               (size_t)(p->rd.pos - p->start));
}

static void skip_ws(jp_t *p)
{
	int c;
	while ((c = peek(p)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		(void)wire_rd_u8(&p->rd);
}

static int expect_word(jp_t *p, const char *w)
{
	size_t n = strlen(w);
	const uint8_t *s = wire_rd_take(&p->rd, n);
	if (s == NULL || memcmp(s, w, n) != 0)
		return fail(p, "bad literal");
	return HS_OK;
}

static void put_utf8(hs_buf_t *b, uint32_t cp)
{
	if (cp < 0x80) {
		hs_buf_append_u8(b, (uint8_t)cp);
	} else if (cp < 0x800) {
		hs_buf_append_u8(b, (uint8_t)(0xC0 | cp >> 6));
		hs_buf_append_u8(b, (uint8_t)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		hs_buf_append_u8(b, (uint8_t)(0xE0 | cp >> 12));
		hs_buf_append_u8(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
		hs_buf_append_u8(b, (uint8_t)(0x80 | (cp & 0x3F)));
	} else {
		hs_buf_append_u8(b, (uint8_t)(0xF0 | cp >> 18));
		hs_buf_append_u8(b, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
		hs_buf_append_u8(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
		hs_buf_append_u8(b, (uint8_t)(0x80 | (cp & 0x3F)));
	}
}

static int hex4(jp_t *p, uint32_t *out)
{
	const uint8_t *s = wire_rd_take(&p->rd, 4);
	uint32_t v = 0;
	if (s == NULL)
		return fail(p, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		int c = s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return fail(p, "bad \\u escape");
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return HS_OK;
}

/* After the opening quote; the closing quote is consumed. */
static int parse_string(jp_t *p, hs_buf_t *b)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	for (;;) {
		int c = peek(p);
		if (c < 0)
			return fail(p, "unterminated string");
		(void)wire_rd_u8(&p->rd);
		if (c == '"')
			return HS_OK;
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c != '\\') {
			hs_buf_append_u8(b, (uint8_t)c);
			continue;
		}
		c = peek(p);
		(void)wire_rd_u8(&p->rd);
		const char *e = c > 0 ? strchr(esc_in, c) : NULL;
		if (e != NULL && c != 0) {
			hs_buf_append_u8(b, (uint8_t)esc_out[e - esc_in]);
			continue;
		}
		if (c != 'u')
			return fail(p, "bad escape");
		uint32_t cp, lo;
		if (hex4(p, &cp) != HS_OK)
			return HS_E_SYNTAX;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return fail(p, "lone low surrogate");
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (expect_word(p, "\\u") != HS_OK || hex4(p, &lo) != HS_OK)
				return HS_E_SYNTAX;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return fail(p, "bad surrogate pair");
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		}
		put_utf8(b, cp);
	}
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(jp_t *p, hs_buf_t *b)
{
	const uint8_t *s = p->rd.pos;
	if (peek(p) == '-')
		(void)wire_rd_u8(&p->rd);
	if (peek(p) == '0') {
		(void)wire_rd_u8(&p->rd);
	} else if (is_digit(peek(p))) {
		while (is_digit(peek(p)))
			(void)wire_rd_u8(&p->rd);
	} else {
		return fail(p, "bad number");
	}
	if (peek(p) == '.') {
		(void)wire_rd_u8(&p->rd);
		if (!is_digit(peek(p)))
			return fail(p, "bad fraction");
		while (is_digit(peek(p)))
			(void)wire_rd_u8(&p->rd);
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		(void)wire_rd_u8(&p->rd);
		if (peek(p) == '+' || peek(p) == '-')
			(void)wire_rd_u8(&p->rd);
		if (!is_digit(peek(p)))
			return fail(p, "bad exponent");
		while (is_digit(peek(p)))
			(void)wire_rd_u8(&p->rd);
	}
	hs_buf_append(b, s, (size_t)(p->rd.pos - s));
	return HS_OK;
}

static void add_item(hs_json_t *v, char *key, hs_json_t *item)
{
	v->items = xrealloc(v->items, (v->n + 1) * sizeof(*v->items));
	if (v->type == HS_JSON_OBJECT)
		v->keys = xrealloc(v->keys, (v->n + 1) * sizeof(*v->keys));
	if (key)
		v->keys[v->n] = key;
	v->items[v->n++] = item;
}

static int parse_value(jp_t *p, hs_json_t **out);

static char *take_text(hs_buf_t *b, size_t *len)
{
	char *s;
	*len = b->len;
	hs_buf_append_u8(b, 0);
	s = (char *)b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

static int parse_container(jp_t *p, hs_json_t *v, int close)
{
	int rc;
	skip_ws(p);
	if (peek(p) == close) {
		(void)wire_rd_u8(&p->rd);
		return HS_OK;
	}
	for (;;) {
		char *key = NULL;
		hs_json_t *item = NULL;
		skip_ws(p);
		if (v->type == HS_JSON_OBJECT) {
			hs_buf_t kb = HS_BUF_INIT;
			size_t klen;
			if (peek(p) != '"')
				return fail(p, "expected member name");
			(void)wire_rd_u8(&p->rd);
			if ((rc = parse_string(p, &kb)) != HS_OK) {
				hs_buf_free(&kb);
				return rc;
			}
			key = take_text(&kb, &klen);
			if (strlen(key) != klen || hs_json_get(v, key) != NULL) {
				free(key);
				return fail(p, "duplicate or NUL member name");
			}
			skip_ws(p);
			if (peek(p) != ':') {
				free(key);
				return fail(p, "expected ':'");
			}
			(void)wire_rd_u8(&p->rd);
		}
		if ((rc = parse_value(p, &item)) != HS_OK) {
			free(key);
			hs_json_free(item);
			return rc;
		}
		add_item(v, key, item);
		skip_ws(p);
		int c = peek(p);
		(void)wire_rd_u8(&p->rd);
		if (c == close)
			return HS_OK;
		if (c != ',')
			return fail(p, "expected ',' or end of container");
	}
}

static int parse_value(jp_t *p, hs_json_t **out)
{
	hs_json_t *v = xcalloc(1, sizeof(*v));
	hs_buf_t b = HS_BUF_INIT;
	int rc = HS_OK, c;

	*out = v; /* the caller frees partial trees */
	skip_ws(p);
	c = peek(p);
	switch (c) {
	case '{':
	case '[':
		if (++p->depth > HS_JSON_MAX_DEPTH) {
			wire_rd_fail(&p->rd, HS_E_LIMIT);
			return hs_fail(p->em, HS_E_LIMIT, "json: nesting too deep");
		}
		(void)wire_rd_u8(&p->rd);
		v->type = c == '{' ? HS_JSON_OBJECT : HS_JSON_ARRAY;
		rc = parse_container(p, v, c == '{' ? '}' : ']');
		p->depth--;
		return rc;
	case '"':
		(void)wire_rd_u8(&p->rd);
		v->type = HS_JSON_STRING;
		rc = parse_string(p, &b);
		break;
	case 't':
	case 'f':
		v->type = HS_JSON_BOOL;
		rc = expect_word(p, c == 't' ? "true" : "false");
		hs_buf_printf(&b, "%s", c == 't' ? "true" : "false");
		break;
	case 'n':
		v->type = HS_JSON_NULL;
		rc = expect_word(p, "null");
		break;
	default:
		v->type = HS_JSON_NUMBER;
		rc = parse_number(p, &b);
		break;
	}
	v->text = take_text(&b, &v->len);
	return rc;
}

int hs_json_parse(hs_json_t **out, const char *text, size_t len, hs_errmsg_t *em)
{
	jp_t p = {.start = (const uint8_t *)text, .em = em};
	hs_json_t *v = NULL;
	int rc;

	wire_rd_init(&p.rd, (const uint8_t *)text, len);
	rc = parse_value(&p, &v);
	if (rc == HS_OK) {
		skip_ws(&p);
		if (wire_rd_finish(&p.rd) != HS_OK)
			rc = fail(&p, "trailing data");
	}
	if (rc == HS_OK && p.rd.err)
		rc = hs_fail(em, HS_E_SYNTAX, "json: truncated");
	if (rc != HS_OK) {
		hs_json_free(v);
		return rc;
	}
	*out = v;
	return HS_OK;
}

void hs_json_free(hs_json_t *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		hs_json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	free(v);
}

enum hs_json_type hs_json_type(const hs_json_t *v)
{
	return v ? v->type : HS_JSON_NULL;
}

const hs_json_t *hs_json_get(const hs_json_t *obj, const char *key)
{
	if (obj == NULL || obj->type != HS_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

size_t hs_json_count(const hs_json_t *v)
{
	return v ? v->n : 0;
}

const hs_json_t *hs_json_at(const hs_json_t *arr, size_t i)
{
	if (arr == NULL || arr->type != HS_JSON_ARRAY || i >= arr->n)
		return NULL;
	return arr->items[i];
}

int hs_json_is_true(const hs_json_t *v)
{
	return v != NULL && v->type == HS_JSON_BOOL && strcmp(v->text, "true") == 0;
}

const char *hs_json_str(const hs_json_t *v, size_t *len)
{
	if (v == NULL || v->type != HS_JSON_STRING)
		return NULL;
	if (len)
		*len = v->len;
	return v->text;
}

int hs_json_u64(const hs_json_t *v, uint64_t *out)
{
	uint64_t r = 0;
	if (v == NULL || v->type != HS_JSON_NUMBER)
		return HS_E_INVAL;
	for (size_t i = 0; i < v->len; i++) {
		unsigned d = (unsigned)(v->text[i] - '0');
		if (d > 9 || r > (UINT64_MAX - d) / 10)
			return HS_E_RANGE;
		r = r * 10 + d;
	}
	*out = r;
	return HS_OK;
}
