#include "wire/rr_dsync.h"

#include <string.h>
#include <strings.h>

#include "wire/proto.h"
#include "wire/rdata.h"
#include "wire/text.h"

static const struct {
	uint8_t code;
	const char *name;
} schemes[] = {
#define DSYNC_SCHEME(name, code, mn) {code, mn},
#include "proto/dsync_schemes.def"
#undef DSYNC_SCHEME
};

const char *hs_dsync_scheme_name(uint8_t scheme)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (schemes[i].code == scheme)
			return schemes[i].name;
	return NULL;
}

int hs_dsync_scheme_parse(const char *s, uint8_t *scheme)
{
	unsigned long v;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strcasecmp(s, schemes[i].name) == 0) {
			*scheme = schemes[i].code;
			return HS_OK;
		}
	}
	int rc = hs_parse_uint(s, strlen(s), 255, 0, &v);
	if (rc == HS_OK)
		*scheme = (uint8_t)v;
	return rc;
}

int hs_dsync_decode(const uint8_t *rdata, size_t len, hs_dsync_t *out, hs_errmsg_t *em)
{
	hs_dsync_t d;
	wire_rd_t rd;
	wire_rd_init(&rd, rdata, len);
	d.rrtype = wire_rd_u16(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "dsync rrtype");
	d.scheme = wire_rd_u8(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "dsync scheme");
	d.port = wire_rd_u16(&rd);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "dsync port");
	wire_rd_name(&rd, d.target, &d.target_len);
	if (rd.err)
		return hs_wire_fail(em, rd.err, "dsync target");
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, wire_rd_finish(&rd), "dsync");
	*out = d;
	return HS_OK;
}

int hs_dsync_encode(const hs_dsync_t *d, hs_buf_t *out, hs_errmsg_t *em)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t nlen;
	wire_rd_t rd;
	wire_rd_init(&rd, d->target, d->target_len);
	wire_rd_name(&rd, name, &nlen);
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, HS_E_NAME, "dsync target");
	hs_buf_append_u16(out, d->rrtype);
	hs_buf_append_u8(out, d->scheme);
	hs_buf_append_u16(out, d->port);
	hs_buf_append(out, name, nlen);
	return HS_OK;
}

int hs_dsync_from_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_tok_t t;
	hs_token_t tk = HS_TOKEN_INIT;
	hs_dsync_t d;
	unsigned long v;
	int rc;

	hs_tok_init(&t, text);
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "dsync rrtype", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_rrtype_any_parse(hs_buf_cstr(&tk.val), &d.rrtype)) != HS_OK) {
		rc = hs_fail(em, rc, "dsync rrtype: unknown type '%s'", hs_buf_cstr(&tk.val));
		goto cleanup;
	}
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "dsync scheme", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_dsync_scheme_parse(hs_buf_cstr(&tk.val), &d.scheme)) != HS_OK) {
		rc = hs_fail(em, rc, "dsync scheme: unknown scheme '%s'", hs_buf_cstr(&tk.val));
		goto cleanup;
	}
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "dsync port", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_parse_uint((const char *)tk.val.data, tk.val.len, 65535, 0, &v)) != HS_OK) {
		rc = hs_fail(em, rc, "dsync port: not a number 0-65535");
		goto cleanup;
	}
	d.port = (uint16_t)v;
	if ((rc = hs_tok_next(&t, &tk, HS_TOK_PLAIN, "dsync target", em)) != HS_OK)
		goto cleanup;
	if ((rc = hs_name_from_text(tk.raw, tk.rawlen, d.target, &d.target_len)) != HS_OK) {
		rc = hs_fail(em, rc, "dsync target: invalid domain name");
		goto cleanup;
	}
	if ((rc = hs_tok_end(&t, "dsync", em)) != HS_OK)
		goto cleanup;
	rc = hs_dsync_encode(&d, out, em);
cleanup:
	hs_token_free(&tk);
	return rc;
}

int hs_dsync_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_dsync_t d;
	int rc = hs_dsync_decode(rdata, len, &d, em);
	if (rc != HS_OK)
		return rc;
	hs_rrtype_any_print(out, d.rrtype);
	const char *s = hs_dsync_scheme_name(d.scheme);
	if (s)
		hs_buf_printf(out, " %s %u ", s, d.port);
	else
		hs_buf_printf(out, " %u %u ", d.scheme, d.port);
	hs_name_print(out, d.target, d.target_len);
	return HS_OK;
}
