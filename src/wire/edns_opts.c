/*
 * edns_opts.c -- the EDNS(0) options of edns_opts.h and the option half
 * of rdata.h (presentation <-> wire).
 */
#include "wire/edns_opts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/cursor.h"
#include "wire/proto.h"
#include "wire/rdata.h"
#include "wire/rr_chunk.h"
#include "wire/text.h"

static const struct {
	uint16_t code;
	const char *name;
} opts[] = {
#define EDNS_OPT(name, code, mn) {code, mn},
#include "proto/edns_options.def"
#undef EDNS_OPT
};

static const struct {
	uint8_t code;
	const char *name;
	const char *text;
} keystates[] = {
#define KEYSTATE(name, code, mn, text) {code, mn, text},
#include "proto/keystate.def"
#undef KEYSTATE
};

const char *hs_edns_opt_name(uint16_t code)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].code == code)
			return opts[i].name;
	return NULL;
}

int hs_edns_opt_parse(const char *name, uint16_t *code)
{
	for (size_t i = 0; name && i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strcasecmp(name, opts[i].name) == 0) {
			*code = opts[i].code;
			return HS_OK;
		}
	}
	return HS_E_UNKNOWN_TYPE;
}

const char *hs_keystate_name(uint8_t state)
{
	for (size_t i = 0; i < sizeof(keystates) / sizeof(keystates[0]); i++)
		if (keystates[i].code == state)
			return keystates[i].name;
	return NULL;
}

const char *hs_keystate_text(uint8_t state)
{
	for (size_t i = 0; i < sizeof(keystates) / sizeof(keystates[0]); i++)
		if (keystates[i].code == state)
			return keystates[i].text;
	return NULL;
}

int hs_edns_opt_split(const uint8_t *opt, size_t len, uint16_t *code, const uint8_t **data,
                      size_t *dlen, hs_errmsg_t *em)
{
	wire_rd_t rd;
	wire_rd_init(&rd, opt, len);
	uint16_t c = wire_rd_u16(&rd);
	uint16_t n = wire_rd_u16(&rd);
	const uint8_t *d = wire_rd_take(&rd, n);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "edns option");
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, HS_E_TRAILING, "edns option");
	*code = c;
	*data = d;
	*dlen = n;
	return HS_OK;
}

static void put_header(hs_buf_t *out, uint16_t code, size_t len)
{
	hs_buf_append_u16(out, code);
	hs_buf_append_u16(out, (uint16_t)len);
}

/* ---- KEYSTATE ---- */

int hs_opt_keystate_decode(const uint8_t *data, size_t len, hs_opt_keystate_t *out, hs_errmsg_t *em)
{
	hs_opt_keystate_t k;
	wire_rd_t rd;
	wire_rd_init(&rd, data, len);
	k.key_id = wire_rd_u16(&rd);
	k.state = wire_rd_u8(&rd);
	k.data = wire_rd_u8(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "keystate");
	k.text_len = wire_rd_left(&rd);
	k.text = wire_rd_take(&rd, k.text_len);
	*out = k;
	return HS_OK;
}

int hs_opt_keystate_encode(const hs_opt_keystate_t *k, hs_buf_t *out, hs_errmsg_t *em)
{
	if (k->text_len > 65535 - 4)
		return hs_fail(em, HS_E_RANGE, "keystate text: too long");
	put_header(out, HS_OPT_KEYSTATE, 4 + k->text_len);
	hs_buf_append_u16(out, k->key_id);
	hs_buf_append_u8(out, k->state);
	hs_buf_append_u8(out, k->data);
	hs_buf_append(out, k->text, k->text_len);
	return HS_OK;
}

/* ---- CHUNK ---- */

int hs_opt_chunk_decode(const uint8_t *data, size_t len, hs_opt_chunk_t *out, hs_errmsg_t *em)
{
	hs_opt_chunk_t c;
	wire_rd_t rd;
	wire_rd_init(&rd, data, len);
	c.format = wire_rd_u8(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk option format");
	c.hmac_len = wire_rd_u16(&rd);
	if (!rd.err && c.hmac_len > HS_OPT_CHUNK_HMAC_MAX)
		return hs_fail(em, HS_E_RANGE, "chunk option hmac: %u octets, at most %d",
		               c.hmac_len, HS_OPT_CHUNK_HMAC_MAX);
	c.hmac = wire_rd_take(&rd, c.hmac_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk option hmac");
	c.data_len = wire_rd_u16(&rd);
	c.data = wire_rd_take(&rd, c.data_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "chunk option data");
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, HS_E_TRAILING, "chunk option");
	*out = c;
	return HS_OK;
}

int hs_opt_chunk_encode(const hs_opt_chunk_t *c, hs_buf_t *out, hs_errmsg_t *em)
{
	if (c->hmac_len > HS_OPT_CHUNK_HMAC_MAX)
		return hs_fail(em, HS_E_RANGE, "chunk option hmac: %u octets, at most %d",
		               c->hmac_len, HS_OPT_CHUNK_HMAC_MAX);
	if (5u + c->hmac_len + c->data_len > 65535u)
		return hs_fail(em, HS_E_RANGE, "chunk option: over 65535 octets");
	put_header(out, HS_OPT_CHUNK, 5u + c->hmac_len + c->data_len);
	hs_buf_append_u8(out, c->format);
	hs_buf_append_u16(out, c->hmac_len);
	hs_buf_append(out, c->hmac, c->hmac_len);
	hs_buf_append_u16(out, c->data_len);
	hs_buf_append(out, c->data, c->data_len);
	return HS_OK;
}

/* ---- CHUNK-ENDPOINT ---- */

/* Split "host:port" / "[v6]:port"; 0 if malformed. */
static int split_hostport(const uint8_t *s, size_t n, hs_opt_endpoint_t *e)
{
	size_t colon = n;
	unsigned long port;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
		if (s[i] == ':')
			colon = i;
	}
	if (colon == n || colon == 0 || colon + 1 == n)
		return 0;
	if (hs_parse_uint((const char *)s + colon + 1, n - colon - 1, 65535, 0, &port) != HS_OK)
		return 0;
	const char *host = (const char *)s;
	size_t hlen = colon;
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return 0;
		host++;
		hlen -= 2;
	} else if (memchr(host, ':', hlen) != NULL) {
		return 0; /* an IPv6 host must be in brackets */
	}
	if (hlen > 255 || memchr(host, '[', hlen) || memchr(host, ']', hlen))
		return 0;
	e->host = host;
	e->host_len = hlen;
	e->port = (uint16_t)port;
	return 1;
}

int hs_opt_endpoint_decode(const uint8_t *data, size_t len, hs_opt_endpoint_t *out, hs_errmsg_t *em)
{
	hs_opt_endpoint_t e;
	if (!split_hostport(data, len, &e))
		return hs_fail(em, HS_E_MALFORMED, "chunk-endpoint: not an ASCII host:port");
	*out = e;
	return HS_OK;
}

int hs_opt_endpoint_encode(const hs_opt_endpoint_t *e, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_buf_t s = HS_BUF_INIT;
	hs_opt_endpoint_t chk;
	int v6 = memchr(e->host, ':', e->host_len) != NULL;
	int rc = HS_OK;
	hs_buf_printf(&s, "%s%.*s%s:%u", v6 ? "[" : "", (int)e->host_len, e->host, v6 ? "]" : "",
	              e->port);
	if (e->host_len > 255 || !split_hostport(s.data, s.len, &chk) ||
	    chk.host_len != e->host_len) {
		rc = hs_fail(em, HS_E_MALFORMED, "chunk-endpoint: bad host");
		goto cleanup;
	}
	put_header(out, HS_OPT_CHUNK_ENDPOINT, s.len);
	hs_buf_append(out, s.data, s.len);
cleanup:
	hs_buf_free(&s);
	return rc;
}

/* ---- presentation ---- */

/* key=value fields of one option: slots filled by name, each once. */
struct kv_slot {
	const char *key;
	int seen;
	hs_token_t tk;
};

static int read_fields(const char *text, struct kv_slot *slots, size_t n, const char *opt,
                       hs_errmsg_t *em)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	int rc = HS_OK;
	hs_tok_init(&t, text);
	while (hs_tok_more(&t)) {
		size_t i;
		if ((rc = hs_tok_next(&t, &tk, HS_TOK_KEYVAL, opt, em)) != HS_OK)
			goto cleanup;
		for (i = 0; i < n; i++)
			if (strlen(slots[i].key) == tk.keylen &&
			    strncasecmp(tk.key, slots[i].key, tk.keylen) == 0)
				break;
		if (i == n) {
			rc = hs_fail(em, HS_E_SYNTAX, "%s: unknown field '%.*s'", opt,
			             (int)(tk.keylen > 40 ? 40 : tk.keylen), tk.key);
			goto cleanup;
		}
		if (slots[i].seen) {
			rc = hs_fail(em, HS_E_EXISTS, "%s %s: given twice", opt, slots[i].key);
			goto cleanup;
		}
		if (!tk.has_eq) {
			rc = hs_fail(em, HS_E_SYNTAX, "%s %s: missing '=value'", opt, slots[i].key);
			goto cleanup;
		}
		slots[i].seen = 1;
		hs_buf_append(&slots[i].tk.val, tk.val.data, tk.val.len);
		slots[i].tk.quoted = tk.quoted;
	}
cleanup:
	hs_token_free(&tk);
	return rc;
}

static int field_uint(const struct kv_slot *s, unsigned long max, const char *field,
                      unsigned long *v, hs_errmsg_t *em)
{
	if (hs_parse_uint((const char *)s->tk.val.data, s->tk.val.len, max, 1, v) != HS_OK)
		return hs_fail(em, HS_E_SYNTAX, "%s: not a number 0-%lu", field, max);
	return HS_OK;
}

static int keystate_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	struct kv_slot s[4] = {{"key-id", 0, HS_TOKEN_INIT},
	                       {"state", 0, HS_TOKEN_INIT},
	                       {"data", 0, HS_TOKEN_INIT},
	                       {"text", 0, HS_TOKEN_INIT}};
	hs_opt_keystate_t k = {0};
	unsigned long v;
	int rc;
	if ((rc = read_fields(text, s, 4, "keystate", em)) != HS_OK)
		goto cleanup;
	if (!s[0].seen || !s[1].seen) {
		rc = hs_fail(em, HS_E_SYNTAX, "keystate: key-id= and state= are required");
		goto cleanup;
	}
	if ((rc = field_uint(&s[0], 65535, "keystate key-id", &v, em)) != HS_OK)
		goto cleanup;
	k.key_id = (uint16_t)v;
	int found = 0;
	for (size_t i = 0; i < sizeof(keystates) / sizeof(keystates[0]); i++) {
		if (hs_token_is(&s[1].tk, keystates[i].name)) {
			k.state = keystates[i].code;
			found = 1;
		}
	}
	if (!found) {
		if ((rc = field_uint(&s[1], 255, "keystate state", &v, em)) != HS_OK)
			goto cleanup;
		k.state = (uint8_t)v;
	}
	if (s[2].seen) {
		if ((rc = field_uint(&s[2], 255, "keystate data", &v, em)) != HS_OK)
			goto cleanup;
		k.data = (uint8_t)v;
	}
	k.text = s[3].tk.val.data;
	k.text_len = s[3].tk.val.len;
	rc = hs_opt_keystate_encode(&k, out, em);
cleanup:
	for (int i = 0; i < 4; i++)
		hs_token_free(&s[i].tk);
	return rc;
}

static int chunk_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	struct kv_slot s[4] = {{"format", 0, HS_TOKEN_INIT},
	                       {"hmac", 0, HS_TOKEN_INIT},
	                       {"data", 0, HS_TOKEN_INIT},
	                       {"data64", 0, HS_TOKEN_INIT}};
	hs_buf_t hmac = HS_BUF_INIT, data = HS_BUF_INIT;
	hs_opt_chunk_t c = {0};
	size_t n;
	int rc;
	if ((rc = read_fields(text, s, 4, "chunk", em)) != HS_OK)
		goto cleanup;
	if (!s[0].seen || s[2].seen == s[3].seen) {
		rc =
		    hs_fail(em, HS_E_SYNTAX, "chunk: format= and one of data= or data64= required");
		goto cleanup;
	}
	if (hs_chunk_format_parse((const char *)s[0].tk.val.data, s[0].tk.val.len, &c.format) !=
	    HS_OK) {
		rc = hs_fail(em, HS_E_SYNTAX, "chunk format: unknown format");
		goto cleanup;
	}
	n = s[1].tk.val.len / 2 + 1;
	hs_buf_reserve(&hmac, n);
	if (hs_hex_decode(hmac.data, &n, (const char *)s[1].tk.val.data, s[1].tk.val.len) !=
	    HS_OK) {
		rc = hs_fail(em, HS_E_SYNTAX, "chunk hmac: bad hex");
		goto cleanup;
	}
	hmac.len = n;
	if (s[2].seen) {
		hs_buf_append(&data, s[2].tk.val.data, s[2].tk.val.len);
	} else {
		n = s[3].tk.val.len / 4 * 3 + 3;
		hs_buf_reserve(&data, n);
		if (hs_b64_decode(data.data, &n, (const char *)s[3].tk.val.data, s[3].tk.val.len) !=
		    HS_OK) {
			rc = hs_fail(em, HS_E_SYNTAX, "chunk data64: bad base64");
			goto cleanup;
		}
		data.len = n;
	}
	if (hmac.len > 65535 || data.len > 65535) {
		rc = hs_fail(em, HS_E_RANGE, "chunk: field over 65535 octets");
		goto cleanup;
	}
	c.hmac = hmac.data;
	c.hmac_len = (uint16_t)hmac.len;
	c.data = data.data;
	c.data_len = (uint16_t)data.len;
	rc = hs_opt_chunk_encode(&c, out, em);
cleanup:
	for (int i = 0; i < 4; i++)
		hs_token_free(&s[i].tk);
	hs_buf_free(&hmac);
	hs_buf_free(&data);
	return rc;
}

static int endpoint_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	hs_opt_endpoint_t e;
	int rc;
	hs_tok_init(&t, text);
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "chunk-endpoint", em)) != HS_OK ||
	    (rc = hs_tok_end(&t, "chunk-endpoint", em)) != HS_OK ||
	    (rc = hs_opt_endpoint_decode(tk.val.data ? tk.val.data : (const uint8_t *)"",
	                                 tk.val.len, &e, em)) != HS_OK)
		goto cleanup;
	put_header(out, HS_OPT_CHUNK_ENDPOINT, tk.val.len);
	hs_buf_append(out, tk.val.data, tk.val.len);
cleanup:
	hs_token_free(&tk);
	return rc;
}

static int keystate_to_text(const uint8_t *data, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_opt_keystate_t k;
	int rc = hs_opt_keystate_decode(data, len, &k, em);
	if (rc != HS_OK)
		return rc;
	const char *sn = hs_keystate_name(k.state);
	hs_buf_printf(out, "key-id=%u ", k.key_id);
	if (sn)
		hs_buf_printf(out, "state=%s", sn);
	else
		hs_buf_printf(out, "state=%u", k.state);
	hs_buf_printf(out, " data=%u", k.data);
	if (k.text_len) {
		hs_buf_printf(out, " text=");
		hs_str_print_quoted(out, k.text, k.text_len);
	}
	return HS_OK;
}

static int chunk_to_text(const uint8_t *data, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_opt_chunk_t c;
	int rc = hs_opt_chunk_decode(data, len, &c, em);
	if (rc != HS_OK)
		return rc;
	hs_buf_printf(out, "format=");
	hs_chunk_format_print(out, c.format);
	if (c.hmac_len) {
		char hex[2 * HS_OPT_CHUNK_HMAC_MAX + 1];
		hs_hex_encode(hex, c.hmac, c.hmac_len);
		hs_buf_printf(out, " hmac=%s", hex);
	}
	/* the text formats print as text, the others as base64 */
	if (c.format == HS_CHUNK_FMT_JSON || c.format == HS_CHUNK_FMT_JWT) {
		hs_buf_printf(out, " data=");
		hs_str_print_quoted(out, c.data, c.data_len);
	} else if (c.data_len == 0) {
		hs_buf_printf(out, " data64=\"\"");
	} else {
		char *b = xmalloc(hs_b64_enc_len(c.data_len));
		hs_b64_encode(b, c.data, c.data_len);
		hs_buf_printf(out, " data64=%s", b);
		free(b);
	}
	return HS_OK;
}

static int endpoint_to_text(const uint8_t *data, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_opt_endpoint_t e;
	int rc = hs_opt_endpoint_decode(data, len, &e, em);
	if (rc == HS_OK)
		hs_str_print_bare(out, data, len); /* escapes '\\' and quotes, if any */
	return rc;
}

/* One row per option of proto/edns_options.def. */
static const struct {
	uint16_t code;
	int (*from_text)(const char *fields, hs_buf_t *out, hs_errmsg_t *em);
	int (*to_text)(const uint8_t *data, size_t len, hs_buf_t *out, hs_errmsg_t *em);
} codecs[] = {
    {HS_OPT_KEYSTATE, keystate_from_text, keystate_to_text},
    {HS_OPT_CHUNK, chunk_from_text, chunk_to_text},
    {HS_OPT_CHUNK_ENDPOINT, endpoint_from_text, endpoint_to_text},
};

static int find_codec(uint16_t code)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (codecs[i].code == code)
			return (int)i;
	return -1;
}

int hs_edns_opt_from_text(const char *name, const char *fields, hs_buf_t *out, hs_errmsg_t *em)
{
	uint16_t code;
	size_t mark = out->len;
	int c, rc;
	if (hs_edns_opt_parse(name, &code) != HS_OK || (c = find_codec(code)) < 0)
		return hs_fail(em, HS_E_UNKNOWN_TYPE, "unknown option '%s'", name ? name : "");
	rc = codecs[c].from_text(fields ? fields : "", out, em);
	if (rc != HS_OK)
		out->len = mark;
	return rc;
}

int hs_edns_opt_to_text(uint16_t code, const uint8_t *data, size_t len, hs_buf_t *out,
                        hs_errmsg_t *em)
{
	size_t mark = out->len;
	int c = find_codec(code), rc;
	if (c < 0)
		return hs_fail(em, HS_E_UNKNOWN_TYPE, "option %u is not an hsync option", code);
	rc = codecs[c].to_text(data ? data : (const uint8_t *)"", len, out, em);
	if (rc != HS_OK)
		out->len = mark;
	else
		hs_buf_cstr(out);
	return rc;
}

int hs_edns_opt_find(const uint8_t *rdata, size_t len, uint16_t code, const uint8_t **data,
                     size_t *dlen)
{
	wire_rd_t rd;
	wire_rd_init(&rd, rdata, len);
	while (wire_rd_left(&rd) > 0) {
		uint16_t oc = wire_rd_u16(&rd);
		uint16_t ol = wire_rd_u16(&rd);
		const uint8_t *p = wire_rd_take(&rd, ol);
		if (rd.err)
			return HS_E_MALFORMED;
		if (oc == code) {
			*data = p;
			*dlen = ol;
			return HS_OK;
		}
	}
	return rd.err ? HS_E_MALFORMED : HS_E_NOTFOUND;
}
