#include "wire/rr_hsync3.h"

#include <ctype.h>
#include <string.h>

#include "wire/text.h"

int hs_hsync3_decode(const uint8_t *rdata, size_t len, hs_hsync3_t *out, hs_errmsg_t *em)
{
	hs_hsync3_t h;
	wire_rd_t rd;
	wire_rd_init(&rd, rdata, len);
	h.state = wire_rd_u8(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "hsync3 state");
	h.label_len = wire_rd_u8(&rd);
	h.label = wire_rd_take(&rd, h.label_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "hsync3 label");
	wire_rd_name(&rd, h.identity, &h.identity_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "hsync3 identity");
	h.upstream_len = wire_rd_u8(&rd);
	h.upstream = wire_rd_take(&rd, h.upstream_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "hsync3 upstream");
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, HS_E_TRAILING, "hsync3");
	*out = h;
	return HS_OK;
}

int hs_hsync3_encode(const hs_hsync3_t *h, hs_buf_t *out, hs_errmsg_t *em)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t nlen;
	wire_rd_t rd;
	if (h->label_len > 255)
		return hs_fail(em, HS_E_RANGE, "hsync3 label: longer than 255 octets");
	if (h->upstream_len > 255)
		return hs_fail(em, HS_E_RANGE, "hsync3 upstream: longer than 255 octets");
	wire_rd_init(&rd, h->identity, h->identity_len);
	wire_rd_name(&rd, name, &nlen);
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, HS_E_NAME, "hsync3 identity");
	hs_buf_append_u8(out, h->state);
	hs_buf_append_u8(out, (uint8_t)h->label_len);
	hs_buf_append(out, h->label, h->label_len);
	hs_buf_append(out, name, nlen);
	hs_buf_append_u8(out, (uint8_t)h->upstream_len);
	hs_buf_append(out, h->upstream, h->upstream_len);
	return HS_OK;
}

/* Text value of a label/upstream token -> octets (the quirk: bare values
 * get a trailing dot). */
static int tag_from_token(hs_token_t *tk, const char *field, hs_errmsg_t *em)
{
	if (!tk->quoted && (tk->val.len == 0 || tk->val.data[tk->val.len - 1] != '.'))
		hs_buf_append_u8(&tk->val, '.');
	if (tk->val.len > 255)
		return hs_fail(em, HS_E_RANGE, "%s: longer than 255 octets", field);
	return HS_OK;
}

static void tag_print(hs_buf_t *out, const uint8_t *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		hs_buf_append_u8(out, '.');
	else if (n >= 2 && s[n - 1] == '.' && s[n - 2] != '.')
		hs_str_print_bare(out, s, n - 1);
	else
		hs_str_print_quoted(out, s, n);
}

int hs_hsync3_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT, label = HS_TOKEN_INIT, up = HS_TOKEN_INIT;
	hs_hsync3_t h;
	unsigned long v;
	int rc;

	hs_tok_init(&t, text);
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "hsync3 state", em)) != HS_OK)
		goto cleanup;
	if (hs_token_is(&tk, "ON"))
		h.state = HS_HSYNC3_ON;
	else if (hs_token_is(&tk, "OFF"))
		h.state = HS_HSYNC3_OFF;
	else if (hs_parse_uint((const char *)tk.val.data, tk.val.len, 255, 0, &v) == HS_OK)
		h.state = (uint8_t)v;
	else {
		rc = hs_fail(em, HS_E_SYNTAX, "hsync3 state: expected ON or OFF");
		goto cleanup;
	}
	if ((rc = hs_tok_next(&t, &label, HS_TOK_PLAIN, "hsync3 label", em)) != HS_OK ||
	    (rc = tag_from_token(&label, "hsync3 label", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "hsync3 identity", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_name_from_text(tk.raw, tk.rawlen, h.identity, &h.identity_len)) != HS_OK) {
		rc = hs_fail(em, rc, "hsync3 identity: invalid domain name");
		goto cleanup;
	}
	if ((rc = hs_tok_next(&t, &up, HS_TOK_PLAIN, "hsync3 upstream", em)) != HS_OK ||
	    (rc = tag_from_token(&up, "hsync3 upstream", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_tok_end(&t, "hsync3", em)) != HS_OK)
		goto cleanup;
	h.label = label.val.data;
	h.label_len = label.val.len;
	h.upstream = up.val.data;
	h.upstream_len = up.val.len;
	rc = hs_hsync3_encode(&h, out, em);
cleanup:
	hs_token_free(&tk);
	hs_token_free(&label);
	hs_token_free(&up);
	return rc;
}

int hs_hsync3_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_hsync3_t h;
	int rc = hs_hsync3_decode(rdata, len, &h, em);
	if (rc != HS_OK)
		return rc;
	if (h.state == HS_HSYNC3_ON)
		hs_buf_printf(out, "ON ");
	else if (h.state == HS_HSYNC3_OFF)
		hs_buf_printf(out, "OFF ");
	else
		hs_buf_printf(out, "%u ", h.state);
	tag_print(out, h.label, h.label_len);
	hs_buf_append_u8(out, ' ');
	hs_name_print(out, h.identity, h.identity_len);
	hs_buf_append_u8(out, ' ');
	tag_print(out, h.upstream, h.upstream_len);
	return HS_OK;
}

int hs_hsync3_label_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return 0;
	return 1;
}

int hs_hsync3_has_upstream(const hs_hsync3_t *h)
{
	return !(h->upstream_len == 0 || (h->upstream_len == 1 && h->upstream[0] == '.'));
}
