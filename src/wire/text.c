#include "wire/text.h"

#include <string.h>
#include <strings.h>

#include "wire/cursor.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void hs_tok_init(hs_tok_t *t, const char *text)
{
	t->p = text ? text : "";
	t->end = t->p + strlen(t->p);
}

int hs_tok_more(hs_tok_t *t)
{
	while (t->p < t->end && is_ws(*t->p))
		t->p++;
	return t->p < t->end;
}

/* Resolve one escape at *pp (pointing after the backslash) into *c. */
static int unescape(const char **pp, const char *end, uint8_t *c)
{
	const char *p = *pp;
	if (p >= end)
		return HS_E_SYNTAX;
	if (is_digit(*p)) {
		if (end - p < 3 || !is_digit(p[1]) || !is_digit(p[2]))
			return HS_E_SYNTAX;
		int v = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (v > 255)
			return HS_E_SYNTAX;
		*c = (uint8_t)v;
		*pp = p + 3;
		return HS_OK;
	}
	*c = (uint8_t)*p;
	*pp = p + 1;
	return HS_OK;
}

/* Read a value starting at t->p: quoted if it starts with '"'. */
static int read_value(hs_tok_t *t, hs_token_t *tk, int may_quote)
{
	const char *p = t->p;
	uint8_t c;
	tk->quoted = may_quote && p < t->end && *p == '"';
	if (tk->quoted) {
		p++;
		tk->raw = p;
		for (;;) {
			if (p >= t->end)
				return HS_E_SYNTAX; /* unterminated quote */
			if (*p == '"')
				break;
			if (*p == '\\') {
				p++;
				if (unescape(&p, t->end, &c) != HS_OK)
					return HS_E_SYNTAX;
			} else {
				c = (uint8_t)*p++;
			}
			hs_buf_append_u8(&tk->val, c);
		}
		tk->rawlen = (size_t)(p - tk->raw);
		p++; /* closing quote */
		if (p < t->end && !is_ws(*p))
			return HS_E_SYNTAX;
	} else {
		tk->raw = p;
		while (p < t->end && !is_ws(*p)) {
			if (*p == '\\') {
				p++;
				if (unescape(&p, t->end, &c) != HS_OK)
					return HS_E_SYNTAX;
			} else {
				c = (uint8_t)*p++;
			}
			hs_buf_append_u8(&tk->val, c);
		}
		tk->rawlen = (size_t)(p - tk->raw);
	}
	t->p = p;
	return HS_OK;
}

int hs_tok_next(hs_tok_t *t, hs_token_t *tk, int mode, const char *field, hs_errmsg_t *em)
{
	tk->val.len = 0;
	tk->key = NULL;
	tk->keylen = 0;
	tk->has_eq = 0;
	tk->quoted = 0;
	tk->raw = NULL;
	tk->rawlen = 0;
	if (!hs_tok_more(t))
		return hs_fail(em, HS_E_SYNTAX, "%s: missing", field);
	if (mode == HS_TOK_KEYVAL) {
		const char *k = t->p;
		while (t->p < t->end && !is_ws(*t->p) && *t->p != '=')
			t->p++;
		tk->key = k;
		tk->keylen = (size_t)(t->p - k);
		if (t->p < t->end && *t->p == '=') {
			tk->has_eq = 1;
			t->p++;
		} else {
			tk->raw = t->p;
			return HS_OK;
		}
	}
	if (read_value(t, tk, 1) != HS_OK)
		return hs_fail(em, HS_E_SYNTAX, "%s: bad quoting or escape", field);
	return HS_OK;
}

int hs_tok_end(hs_tok_t *t, const char *field, hs_errmsg_t *em)
{
	if (hs_tok_more(t))
		return hs_fail(em, HS_E_SYNTAX, "%s: unexpected text '%.40s'", field, t->p);
	return HS_OK;
}

void hs_token_free(hs_token_t *tk)
{
	hs_buf_free(&tk->val);
}

int hs_token_is(const hs_token_t *tk, const char *s)
{
	size_t n = strlen(s);
	return tk->val.len == n && (n == 0 || strncasecmp((const char *)tk->val.data, s, n) == 0);
}

int hs_name_from_text(const char *s, size_t n, uint8_t *out, size_t *outlen)
{
	const char *p = s, *end = s + n;
	size_t len = 0;
	if (n == 1 && s[0] == '.') {
		out[0] = 0;
		*outlen = 1;
		return HS_OK;
	}
	if (n == 0)
		return HS_E_NAME;
	while (p < end) {
		size_t lpos = len++; /* length octet */
		size_t llen = 0;
		if (len > WIRE_NAME_MAX)
			return HS_E_NAME;
		while (p < end && *p != '.') {
			uint8_t c;
			if (*p == '\\') {
				p++;
				if (unescape(&p, end, &c) != HS_OK)
					return HS_E_SYNTAX;
			} else {
				c = (uint8_t)*p++;
			}
			if (++llen > WIRE_LABEL_MAX || len + 1 > WIRE_NAME_MAX)
				return HS_E_NAME;
			out[len++] = c;
		}
		if (llen == 0)
			return HS_E_NAME; /* empty label: "a..b" or leading dot */
		out[lpos] = (uint8_t)llen;
		if (p < end)
			p++; /* the dot; a trailing one ends the name */
	}
	if (len + 1 > WIRE_NAME_MAX)
		return HS_E_NAME;
	out[len++] = 0;
	*outlen = len;
	return HS_OK;
}

static void print_byte(hs_buf_t *out, uint8_t c, const char *special)
{
	if (c < 0x21 || c > 0x7e)
		hs_buf_printf(out, "\\%03u", c);
	else if (strchr(special, c) != NULL)
		hs_buf_printf(out, "\\%c", c);
	else
		hs_buf_append_u8(out, c);
}

void hs_name_print(hs_buf_t *out, const uint8_t *name, size_t len)
{
	size_t i = 0;
	if (len == 0 || name[0] == 0) {
		hs_buf_append(out, ".", 1);
		return;
	}
	while (i < len && name[i] != 0) {
		uint8_t l = name[i++];
		for (uint8_t j = 0; j < l && i < len; j++)
			print_byte(out, name[i++], ".\\\"();$@");
		hs_buf_append(out, ".", 1);
	}
}

void hs_str_print_quoted(hs_buf_t *out, const uint8_t *s, size_t n)
{
	hs_buf_append_u8(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			hs_buf_append_u8(out, ' ');
		else
			print_byte(out, s[i], "\"\\");
	}
	hs_buf_append_u8(out, '"');
}

void hs_str_print_bare(hs_buf_t *out, const uint8_t *s, size_t n)
{
	if (n == 0) {
		hs_buf_append(out, "\"\"", 2);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			hs_buf_append(out, "\\ ", 2);
		else
			print_byte(out, s[i], "\"\\;()");
	}
}

int hs_parse_uint(const char *s, size_t n, unsigned long max, int hex_ok, unsigned long *v)
{
	unsigned long acc = 0;
	unsigned base = 10;
	if (hex_ok && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (n == 0 || n > 20)
		return HS_E_SYNTAX;
	for (size_t i = 0; i < n; i++) {
		int d;
		if (is_digit(s[i]))
			d = s[i] - '0';
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return HS_E_SYNTAX;
		acc = acc * base + (unsigned long)d;
		if (acc > max)
			return HS_E_RANGE;
	}
	*v = acc;
	return HS_OK;
}

/* Reason text for the codes the wire cursor sets. */
static const struct {
	int code;
	const char *why;
} wire_reasons[] = {
    {HS_E_TRUNC, "truncated"},
    {HS_E_COMPRESSED, "compression pointer not allowed"},
    {HS_E_NAME, "invalid domain name"},
    {HS_E_TRAILING, "trailing bytes after the last field"},
};

int hs_wire_fail(hs_errmsg_t *em, int code, const char *field)
{
	const char *why = hs_strerror(code);
	for (size_t i = 0; i < sizeof(wire_reasons) / sizeof(wire_reasons[0]); i++)
		if (wire_reasons[i].code == code)
			why = wire_reasons[i].why;
	return hs_fail(em, code, "%s: %s", field, why);
}
