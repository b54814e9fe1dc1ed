#include "wire/rr_chunk.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/proto.h"
#include "wire/text.h"

static const struct {
	uint8_t code;
	const char *name;
} formats[] = {
#define CHUNK_FORMAT(name, code, mn, ours) {code, mn},
#include "proto/chunk_formats.def"
#undef CHUNK_FORMAT
};

const char *hs_chunk_format_name(uint8_t format)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].code == format)
			return formats[i].name;
	return NULL;
}

int hs_chunk_format_parse(const char *s, size_t n, uint8_t *format)
{
	unsigned long v;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strlen(formats[i].name) == n && strncasecmp(s, formats[i].name, n) == 0) {
			*format = formats[i].code;
			return HS_OK;
		}
	}
	if (n > 6 && strncasecmp(s, "FORMAT", 6) == 0) {
		s += 6;
		n -= 6;
	}
	if (hs_parse_uint(s, n, 255, 0, &v) != HS_OK)
		return HS_E_SYNTAX;
	*format = (uint8_t)v;
	return HS_OK;
}

void hs_chunk_format_print(hs_buf_t *out, uint8_t format)
{
	const char *name = hs_chunk_format_name(format);
	if (name)
		hs_buf_printf(out, "%s", name);
	else
		hs_buf_printf(out, "FORMAT%u", format);
}

int hs_chunk_decode(const uint8_t *rdata, size_t len, hs_chunk_t *out, hs_errmsg_t *em)
{
	hs_chunk_t c;
	wire_rd_t rd;
	wire_rd_init(&rd, rdata, len);
	c.format = wire_rd_u8(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk format");
	c.hmac_len = wire_rd_u16(&rd);
	c.hmac = wire_rd_take(&rd, c.hmac_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk hmac");
	c.sequence = wire_rd_u16(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk sequence");
	c.total = wire_rd_u16(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk total");
	c.data_len = wire_rd_u16(&rd);
	c.data = wire_rd_take(&rd, c.data_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk data");
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, HS_E_TRAILING, "chunk");
	*out = c;
	return HS_OK;
}

int hs_chunk_encode(const hs_chunk_t *c, hs_buf_t *out, hs_errmsg_t *em)
{
	if (9u + c->hmac_len + c->data_len > 65535u)
		return hs_fail(em, HS_E_RANGE, "chunk: rdata over 65535 octets");
	hs_buf_append_u8(out, c->format);
	hs_buf_append_u16(out, c->hmac_len);
	hs_buf_append(out, c->hmac, c->hmac_len);
	hs_buf_append_u16(out, c->sequence);
	hs_buf_append_u16(out, c->total);
	hs_buf_append_u16(out, c->data_len);
	hs_buf_append(out, c->data, c->data_len);
	return HS_OK;
}

static int next_u16(hs_tok_t *t, hs_token_t *tk, const char *field, uint16_t *v, hs_errmsg_t *em)
{
	unsigned long x;
	int rc = hs_tok_next(t, tk, HS_TOK_PLAIN, field, em);
	if (rc != HS_OK)
		return rc;
	if (hs_parse_uint((const char *)tk->val.data, tk->val.len, 65535, 0, &x) != HS_OK)
		return hs_fail(em, HS_E_SYNTAX, "%s: not a number 0-65535", field);
	*v = (uint16_t)x;
	return HS_OK;
}

int hs_chunk_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	hs_buf_t hmac = HS_BUF_INIT, data = HS_BUF_INIT, b64 = HS_BUF_INIT;
	hs_chunk_t c;
	size_t n;
	int rc;

	hs_tok_init(&t, text);
	if ((rc = next_u16(&t, &tk, "chunk sequence", &c.sequence, em)) != HS_OK ||
	    (rc = next_u16(&t, &tk, "chunk total", &c.total, em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "chunk format", em)) != HS_OK)
		goto cleanup;
	if (hs_chunk_format_parse((const char *)tk.val.data, tk.val.len, &c.format) != HS_OK) {
		rc = hs_fail(em, HS_E_SYNTAX, "chunk format: unknown format '%s'",
		             hs_buf_cstr(&tk.val));
		goto cleanup;
	}
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "chunk hmac", em)) != HS_OK)
		goto cleanup;
	n = tk.val.len / 2 + 1;
	hs_buf_reserve(&hmac, n);
	if (hs_hex_decode(hmac.data, &n, (const char *)tk.val.data, tk.val.len) != HS_OK ||
	    n > 65535) {
		rc = hs_fail(em, HS_E_SYNTAX, "chunk hmac: expected hex or \"\"");
		goto cleanup;
	}
	hmac.len = n;
	if (c.sequence == 0) {
		if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "chunk data", em)) != HS_OK)
			goto cleanup;
		hs_buf_append(&data, tk.val.data, tk.val.len);
	} else {
		if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "chunk data", em)) != HS_OK)
			goto cleanup;
		do {
			hs_buf_append(&b64, tk.val.data, tk.val.len);
		} while (hs_tok_more(&t) &&
		         (rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "chunk data", em)) == HS_OK);
		if (rc != HS_OK)
			goto cleanup;
		n = b64.len / 4 * 3 + 3;
		hs_buf_reserve(&data, n);
		if (hs_b64_decode(data.data, &n, (const char *)b64.data, b64.len) != HS_OK) {
			rc = hs_fail(em, HS_E_SYNTAX, "chunk data: bad base64");
			goto cleanup;
		}
		data.len = n;
	}
	if ((rc = hs_tok_end(&t, "chunk", em)) != HS_OK)
		goto cleanup;
	if (data.len > 65535) {
		rc = hs_fail(em, HS_E_RANGE, "chunk data: over 65535 octets");
		goto cleanup;
	}
	c.hmac = hmac.data;
	c.hmac_len = (uint16_t)hmac.len;
	c.data = data.data;
	c.data_len = (uint16_t)data.len;
	rc = hs_chunk_encode(&c, out, em);
cleanup:
	hs_token_free(&tk);
	hs_buf_free(&hmac);
	hs_buf_free(&data);
	hs_buf_free(&b64);
	return rc;
}

/* Manifest text can go bare when it is one plain token (as tdns prints
 * JSON); ';' and parentheses are quoted too, as zone-file readers give
 * them meaning. */
static int bare_ok(const uint8_t *s, size_t n)
{
	if (n == 0 || s[0] == '"')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || strchr("\\;()", s[i]) != NULL)
			return 0;
	return 1;
}

int hs_chunk_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_chunk_t c;
	int rc = hs_chunk_decode(rdata, len, &c, em);
	if (rc != HS_OK)
		return rc;
	hs_buf_printf(out, "%u %u ", c.sequence, c.total);
	hs_chunk_format_print(out, c.format);
	hs_buf_append_u8(out, ' ');
	if (c.hmac_len) {
		char *hex = xmalloc(2u * c.hmac_len + 1);
		hs_hex_encode(hex, c.hmac, c.hmac_len);
		hs_buf_printf(out, "%s ", hex);
		free(hex);
	} else {
		hs_buf_printf(out, "\"\" ");
	}
	if (c.sequence == 0) {
		if (bare_ok(c.data, c.data_len))
			hs_buf_append(out, c.data, c.data_len);
		else
			hs_str_print_quoted(out, c.data, c.data_len);
	} else if (c.data_len == 0) {
		hs_buf_printf(out, "\"\"");
	} else {
		char *b = xmalloc(hs_b64_enc_len(c.data_len));
		hs_b64_encode(b, c.data, c.data_len);
		hs_buf_printf(out, "%s", b);
		free(b);
	}
	return HS_OK;
}
