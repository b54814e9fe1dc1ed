/*
 * json_out.c -- compact JSON writer.
 */
#include "util/json_out.h"

#include <inttypes.h>
#include <string.h>

static void misuse(hs_jw_t *w)
{
	if (w->err == HS_OK)
		w->err = HS_E_STATE;
}

/* Called before every value: separators, and the grammar checks. */
static int before_value(hs_jw_t *w)
{
	if (w->err)
		return 0;
	if (w->depth == 0) {
		if (w->done) {
			misuse(w);
			return 0;
		}
		return 1;
	}
	int top = w->depth - 1;
	if (w->kind[top] == '{') {
		if (!w->want_value) {
			misuse(w);
			return 0;
		}
		w->want_value = 0;
		return 1;
	}
	if (w->n[top]++ > 0)
		hs_buf_append_u8(w->out, ',');
	return 1;
}

static void after_value(hs_jw_t *w)
{
	if (w->depth == 0)
		w->done = 1;
}

void hs_jw_init(hs_jw_t *w, hs_buf_t *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static void open_c(hs_jw_t *w, char kind)
{
	if (!before_value(w))
		return;
	if (w->depth >= HS_JW_MAX_DEPTH) {
		misuse(w);
		return;
	}
	w->kind[w->depth] = kind;
	w->n[w->depth] = 0;
	w->depth++;
	hs_buf_append_u8(w->out, (uint8_t)kind);
}

static void close_c(hs_jw_t *w, char kind)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->kind[w->depth - 1] != kind || w->want_value) {
		misuse(w);
		return;
	}
	w->depth--;
	hs_buf_append_u8(w->out, kind == '{' ? '}' : ']');
	after_value(w);
}

void hs_jw_obj_begin(hs_jw_t *w)
{
	open_c(w, '{');
}

void hs_jw_obj_end(hs_jw_t *w)
{
	close_c(w, '{');
}

void hs_jw_arr_begin(hs_jw_t *w)
{
	open_c(w, '[');
}

void hs_jw_arr_end(hs_jw_t *w)
{
	close_c(w, '[');
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint32_t cp;
	size_t len;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

static void put_string(hs_buf_t *b, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	hs_buf_append_u8(b, '"');
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\') {
			hs_buf_append_u8(b, '\\');
			hs_buf_append_u8(b, c);
			i++;
		} else if (c == '\n') {
			hs_buf_append(b, "\\n", 2);
			i++;
		} else if (c == '\t') {
			hs_buf_append(b, "\\t", 2);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			hs_buf_printf(b, "\\u%04x", c);
			i++;
		} else {
			size_t len = utf8_len(p + i, n - i);
			if (len == 0) {
				hs_buf_append(b, "\\ufffd", 6);
				i++;
			} else {
				hs_buf_append(b, p + i, len);
				i += len;
			}
		}
	}
	hs_buf_append_u8(b, '"');
}

void hs_jw_key(hs_jw_t *w, const char *key)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->kind[w->depth - 1] != '{' || w->want_value || key == NULL) {
		misuse(w);
		return;
	}
	if (w->n[w->depth - 1]++ > 0)
		hs_buf_append_u8(w->out, ',');
	put_string(w->out, key, strlen(key));
	hs_buf_append_u8(w->out, ':');
	w->want_value = 1;
}

void hs_jw_strn(hs_jw_t *w, const char *s, size_t n)
{
	if (!before_value(w))
		return;
	put_string(w->out, s, n);
	after_value(w);
}

void hs_jw_str(hs_jw_t *w, const char *s)
{
	if (s == NULL)
		hs_jw_null(w);
	else
		hs_jw_strn(w, s, strlen(s));
}

void hs_jw_u64(hs_jw_t *w, uint64_t v)
{
	if (!before_value(w))
		return;
	hs_buf_printf(w->out, "%" PRIu64, v);
	after_value(w);
}

void hs_jw_i64(hs_jw_t *w, int64_t v)
{
	if (!before_value(w))
		return;
	hs_buf_printf(w->out, "%" PRId64, v);
	after_value(w);
}

void hs_jw_bool(hs_jw_t *w, int v)
{
	hs_jw_raw(w, v ? "true" : "false");
}

void hs_jw_null(hs_jw_t *w)
{
	hs_jw_raw(w, "null");
}

void hs_jw_raw(hs_jw_t *w, const char *json)
{
	if (!before_value(w))
		return;
	hs_buf_append(w->out, json, strlen(json));
	after_value(w);
}

void hs_jw_kv_str(hs_jw_t *w, const char *key, const char *s)
{
	hs_jw_key(w, key);
	hs_jw_str(w, s);
}

void hs_jw_kv_u64(hs_jw_t *w, const char *key, uint64_t v)
{
	hs_jw_key(w, key);
	hs_jw_u64(w, v);
}

void hs_jw_kv_i64(hs_jw_t *w, const char *key, int64_t v)
{
	hs_jw_key(w, key);
	hs_jw_i64(w, v);
}

void hs_jw_kv_bool(hs_jw_t *w, const char *key, int v)
{
	hs_jw_key(w, key);
	hs_jw_bool(w, v);
}

int hs_jw_empty(const hs_jw_t *w)
{
	return !w->done && w->depth == 0 && !w->err;
}

int hs_jw_finish(const hs_jw_t *w)
{
	if (w->err || w->depth != 0 || !w->done)
		return HS_E_STATE;
	return HS_OK;
}
