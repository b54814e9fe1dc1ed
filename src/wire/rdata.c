/*
 * rdata.c -- the text-level dispatch of rdata.h: the type table, the
 * RFC 3597 generic form and the per-type codec rows.
 */
#include "wire/rdata.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/proto.h"
#include "wire/rr_chunk.h"
#include "wire/rr_dsync.h"
#include "wire/rr_hpkekey.h"
#include "wire/rr_hsync3.h"
#include "wire/rr_hsyncparam.h"
#include "wire/rr_legacy.h"
#include "wire/text.h"

/* One row per line of proto/rrtypes.def. */
static const struct {
	uint16_t code;
	const char *name;
	int writable;
} rrtypes[] = {
#define RRTYPE(name, code, mn, w) {code, mn, w},
#include "proto/rrtypes.def"
#undef RRTYPE
};
#define N_RRTYPES (sizeof(rrtypes) / sizeof(rrtypes[0]))

/* The codec of each type: text -> wire (NULL for decode-only types) and
 * wire -> text (which is also the strict validator). */
typedef int (*from_text_fn)(const char *text, hs_buf_t *out, hs_errmsg_t *em);
typedef int (*to_text_fn)(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em);
static const struct {
	uint16_t type;
	from_text_fn from_text;
	to_text_fn to_text;
} codecs[] = {
    {HS_RRTYPE_DSYNC, hs_dsync_from_text, hs_dsync_to_text},
    {HS_RRTYPE_HSYNC, NULL, hs_hsync_to_text},
    {HS_RRTYPE_HSYNC2, NULL, hs_hsync2_to_text},
    {HS_RRTYPE_HSYNC3, hs_hsync3_from_text, hs_hsync3_to_text},
    {HS_RRTYPE_HSYNCPARAM, hs_hsyncparam_from_text, hs_hsyncparam_to_text},
    {HS_RRTYPE_CHUNK, hs_chunk_from_text, hs_chunk_to_text},
    {HS_RRTYPE_HPKEKEY, hs_hpkekey_from_text, hs_hpkekey_to_text},
};

static int find_type(uint16_t type)
{
	for (size_t i = 0; i < N_RRTYPES; i++)
		if (rrtypes[i].code == type)
			return (int)i;
	return -1;
}

static int find_codec(uint16_t type)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (codecs[i].type == type)
			return (int)i;
	return -1;
}

const char *hs_rrtype_name(uint16_t type)
{
	int i = find_type(type);
	return i < 0 ? NULL : rrtypes[i].name;
}

int hs_rrtype_writable(uint16_t type)
{
	int i = find_type(type);
	return i >= 0 && rrtypes[i].writable;
}

/* "TYPEnnn" -> nnn */
static int parse_typennn(const char *name, uint16_t *type)
{
	unsigned long v;
	if (strncasecmp(name, "TYPE", 4) != 0)
		return HS_E_UNKNOWN_TYPE;
	if (hs_parse_uint(name + 4, strlen(name + 4), 65535, 0, &v) != HS_OK)
		return HS_E_UNKNOWN_TYPE;
	*type = (uint16_t)v;
	return HS_OK;
}

int hs_rrtype_parse(const char *name, uint16_t *type)
{
	uint16_t t;
	if (name == NULL)
		return HS_E_UNKNOWN_TYPE;
	for (size_t i = 0; i < N_RRTYPES; i++) {
		if (strcasecmp(name, rrtypes[i].name) == 0) {
			*type = rrtypes[i].code;
			return HS_OK;
		}
	}
	if (parse_typennn(name, &t) == HS_OK && find_type(t) >= 0) {
		*type = t;
		return HS_OK;
	}
	return HS_E_UNKNOWN_TYPE;
}

/* Query-only types that ldns's record table does not name but that tdns
 * and ldns write by name (a DSYNC for "every type" is "ANY"). */
static const struct {
	uint16_t code;
	const char *name;
} meta_types[] = {
    {251, "IXFR"}, {252, "AXFR"}, {253, "MAILB"}, {254, "MAILA"}, {255, "ANY"},
};

int hs_rrtype_any_parse(const char *name, uint16_t *type)
{
	unsigned long v;
	if (name == NULL || name[0] == '\0')
		return HS_E_UNKNOWN_TYPE;
	if (hs_rrtype_parse(name, type) == HS_OK || parse_typennn(name, type) == HS_OK)
		return HS_OK;
	for (size_t i = 0; i < sizeof(meta_types) / sizeof(meta_types[0]); i++)
		if (strcasecmp(name, meta_types[i].name) == 0) {
			*type = meta_types[i].code;
			return HS_OK;
		}
	if (hs_parse_uint(name, strlen(name), 65535, 0, &v) == HS_OK) {
		*type = (uint16_t)v;
		return HS_OK;
	}
	ldns_rr_type t = ldns_get_rr_type_by_name(name);
	if (t == 0)
		return HS_E_UNKNOWN_TYPE;
	*type = (uint16_t)t;
	return HS_OK;
}

void hs_rrtype_any_print(hs_buf_t *out, uint16_t type)
{
	const char *ours = hs_rrtype_name(type);
	if (ours) {
		hs_buf_printf(out, "%s", ours);
		return;
	}
	for (size_t i = 0; i < sizeof(meta_types) / sizeof(meta_types[0]); i++)
		if (meta_types[i].code == type) {
			hs_buf_printf(out, "%s", meta_types[i].name);
			return;
		}
	const ldns_rr_descriptor *d = ldns_rr_descript(type);
	/* only names that read back to the same number (ldns's table has a
	 * few placeholder rows) */
	if (d && d->_name && type != 0 &&
	    ldns_get_rr_type_by_name(d->_name) == (ldns_rr_type)type &&
	    strncasecmp(d->_name, "TYPE", 4) != 0) {
		hs_buf_printf(out, "%s", d->_name);
		return;
	}
	hs_buf_printf(out, "TYPE%u", type);
}

void hs_rdata_generic_print(hs_buf_t *out, const uint8_t *rdata, size_t len)
{
	hs_buf_printf(out, "\\# %zu", len);
	if (len) {
		char *hex = xmalloc(2 * len + 1);
		hs_hex_encode(hex, rdata, len);
		hs_buf_printf(out, " %s", hex);
		free(hex);
	}
}

static int starts_generic(const char *text)
{
	hs_tok_t t;
	hs_tok_init(&t, text);
	return hs_tok_more(&t) && t.end - t.p >= 2 && t.p[0] == '\\' && t.p[1] == '#' &&
	       (t.end - t.p == 2 || t.p[2] == ' ' || t.p[2] == '\t');
}

/* "\# LEN HEX..." -> bytes appended to `out`. */
static int generic_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	hs_buf_t hex = HS_BUF_INIT;
	unsigned long len;
	size_t n;
	int rc;

	hs_tok_init(&t, text);
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "generic rdata", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "generic rdata length", em)) != HS_OK)
		goto cleanup;
	if (hs_parse_uint((const char *)tk.val.data, tk.val.len, 65535, 0, &len) != HS_OK) {
		rc = hs_fail(em, HS_E_SYNTAX, "generic rdata length: not a number 0-65535");
		goto cleanup;
	}
	while (hs_tok_more(&t)) {
		if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "generic rdata hex", em)) != HS_OK)
			goto cleanup;
		hs_buf_append(&hex, tk.val.data, tk.val.len);
	}
	hs_buf_reserve(out, len + 1);
	n = len + 1;
	if (hs_hex_decode(out->data + out->len, &n, (const char *)hex.data, hex.len) != HS_OK ||
	    n != len) {
		rc = hs_fail(em, HS_E_SYNTAX, "generic rdata hex: bad hex or not %lu octets", len);
		goto cleanup;
	}
	out->len += n;
	rc = HS_OK;
cleanup:
	hs_token_free(&tk);
	hs_buf_free(&hex);
	return rc;
}

int hs_rdata_from_text(uint16_t type, const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	int c = find_codec(type);
	size_t mark = out->len;
	hs_buf_t scratch = HS_BUF_INIT;
	int rc;

	if (c < 0) {
		rc = hs_fail(em, HS_E_UNKNOWN_TYPE, "type %u is not an hsync type", type);
		goto cleanup;
	}
	if (text == NULL)
		text = "";
	if (starts_generic(text)) {
		rc = generic_from_text(text, out, em);
		/* generic bytes must still be valid RDATA of the type */
		if (rc == HS_OK)
			rc = codecs[c].to_text(out->data + mark, out->len - mark, &scratch, em);
	} else if (codecs[c].from_text == NULL) {
		rc = hs_fail(em, HS_E_NOTSUP, "%s: decode only; use the \\# generic form",
		             hs_rrtype_name(type));
	} else {
		rc = codecs[c].from_text(text, out, em);
	}
cleanup:
	if (rc != HS_OK)
		out->len = mark;
	hs_buf_free(&scratch);
	return rc;
}

int hs_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out,
                     hs_errmsg_t *em)
{
	int c = find_codec(type);
	size_t mark = out->len;
	int rc;
	if (c < 0)
		return hs_fail(em, HS_E_UNKNOWN_TYPE, "type %u is not an hsync type", type);
	if (rdata == NULL)
		rdata = (const uint8_t *)""; /* empty RDATA from an empty buffer */
	rc = codecs[c].to_text(rdata, len, out, em);
	if (rc != HS_OK)
		out->len = mark;
	else
		hs_buf_cstr(out);
	return rc;
}
