#include "wire/ldns_glue.h"

#include <stdlib.h>
#include <string.h>

#include "wire/rdata.h"

int hs_ldns_rr_rdata(const ldns_rr *rr, hs_buf_t *out, hs_errmsg_t *em)
{
	ldns_buffer *b = NULL;
	int rc = HS_OK;
	if (rr == NULL)
		return hs_fail(em, HS_E_INVAL, "ldns rr: none given");
	b = ldns_buffer_new(512);
	if (b == NULL)
		return hs_fail(em, HS_E_NOMEM, "ldns rr: no memory");
	if (ldns_rr_rdata2buffer_wire(b, rr) != LDNS_STATUS_OK) {
		rc = hs_fail(em, HS_E_INTERNAL, "ldns rr: cannot serialise rdata");
		goto cleanup;
	}
	hs_buf_append(out, ldns_buffer_begin(b), ldns_buffer_position(b));
cleanup:
	ldns_buffer_free(b);
	return rc;
}

int hs_ldns_rr_new_wire(const char *owner, uint32_t ttl, uint16_t type, const uint8_t *rdata,
                        size_t len, ldns_rr **out, hs_errmsg_t *em)
{
	ldns_rr *rr = NULL;
	ldns_rdf *name = NULL, *rd = NULL;
	int rc = HS_OK;

	if (ldns_str2rdf_dname(&name, owner ? owner : "") != LDNS_STATUS_OK) {
		rc = hs_fail(em, HS_E_NAME, "owner: invalid domain name");
		goto cleanup;
	}
	rr = ldns_rr_new_frm_type((ldns_rr_type)type);
	if (rr == NULL) {
		rc = hs_fail(em, HS_E_NOMEM, "ldns rr: no memory");
		goto cleanup;
	}
	ldns_rr_set_owner(rr, name);
	name = NULL;
	ldns_rr_set_ttl(rr, ttl);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	/* ldns_rr_new_frm_type pre-allocates rdfs for types it knows; our
	 * RDATA is one opaque rdf, so drop those */
	while (ldns_rr_rd_count(rr) > 0)
		ldns_rdf_deep_free(ldns_rr_pop_rdf(rr));
	if (len > 0) {
		rd = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, len, rdata);
		if (rd == NULL || !ldns_rr_push_rdf(rr, rd)) {
			rc = hs_fail(em, HS_E_NOMEM, "ldns rr: no memory");
			goto cleanup;
		}
		rd = NULL;
	}
	*out = rr;
	rr = NULL;
cleanup:
	ldns_rdf_deep_free(name);
	ldns_rdf_deep_free(rd);
	ldns_rr_free(rr);
	return rc;
}

int hs_ldns_rr_new(const char *owner, uint32_t ttl, uint16_t type, const char *rdata_text,
                   ldns_rr **out, hs_errmsg_t *em)
{
	hs_buf_t wire = HS_BUF_INIT;
	int rc = hs_rdata_from_text(type, rdata_text, &wire, em);
	if (rc == HS_OK)
		rc = hs_ldns_rr_new_wire(owner, ttl, type, wire.data, wire.len, out, em);
	hs_buf_free(&wire);
	return rc;
}

int hs_ldns_rr_to_text(const ldns_rr *rr, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_buf_t wire = HS_BUF_INIT;
	int rc = hs_ldns_rr_rdata(rr, &wire, em);
	if (rc == HS_OK)
		rc = hs_rdata_to_text((uint16_t)ldns_rr_get_type(rr), wire.data, wire.len, out, em);
	hs_buf_free(&wire);
	return rc;
}

/* The fields of `rdata` as ldns reads them for `type`: strict, the fields
 * must serialise back to the same octets. */
static int ldns_fields(uint16_t type, const uint8_t *rdata, size_t len, ldns_rr **out,
                       hs_errmsg_t *em)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);
	hs_buf_t in = HS_BUF_INIT, back = HS_BUF_INIT;
	ldns_rr *rr = ldns_rr_new();
	size_t pos = 0;
	int rc = HS_OK;

	if (rr == NULL)
		return hs_fail(em, HS_E_NOMEM, "ldns rr: no memory");
	ldns_rr_set_type(rr, (ldns_rr_type)type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	hs_buf_append_u16(&in, (uint16_t)len);
	hs_buf_append(&in, rdata, len);
	if (len > UINT16_MAX || ldns_wire2rdf(rr, in.data, in.len, &pos) != LDNS_STATUS_OK ||
	    pos != in.len) {
		rc = hs_fail(em, HS_E_MALFORMED, "rdata: does not decode as its type");
		goto cleanup;
	}
	if (d != NULL && ldns_rr_rd_count(rr) < ldns_rr_descriptor_minimum(d)) {
		rc = hs_fail(em, HS_E_MALFORMED, "rdata: fewer fields than the type needs");
		goto cleanup;
	}
	if ((rc = hs_ldns_rr_rdata(rr, &back, em)) != HS_OK)
		goto cleanup;
	if (back.len != len || (len > 0 && memcmp(back.data, rdata, len) != 0)) {
		rc = hs_fail(em, HS_E_MALFORMED,
		             "rdata: not in canonical uncompressed form (compression pointer or "
		             "stray octets)");
		goto cleanup;
	}
	*out = rr;
	rr = NULL;
cleanup:
	ldns_rr_free(rr);
	hs_buf_free(&in);
	hs_buf_free(&back);
	return rc;
}

int hs_ldns_rdata_to_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out,
                          hs_errmsg_t *em)
{
	ldns_rr *rr = NULL;
	hs_buf_t txt = HS_BUF_INIT;
	int rc;

	if (hs_rrtype_name(type) != NULL)
		return hs_rdata_to_text(type, rdata, len, out, em);
	if (ldns_rr_descript(type) == NULL) {
		hs_rdata_generic_print(out, rdata, len);
		return HS_OK;
	}
	if ((rc = ldns_fields(type, rdata, len, &rr, em)) != HS_OK)
		return rc;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		char *s = ldns_rdf2str(ldns_rr_rdf(rr, i));
		if (s == NULL) {
			rc = hs_fail(em, HS_E_NOMEM, "rdata: no memory");
			goto cleanup;
		}
		size_t n = strlen(s);
		while (n > 0 && s[n - 1] == ' ') /* ldns ends type bitmaps with one */
			n--;
		if (i)
			hs_buf_append_u8(&txt, ' ');
		hs_buf_append(&txt, s, n);
		free(s);
	}
	/* fields ldns keeps raw (type bitmaps) print in canonical form: the
	 * octets are canonical only if the text reads back to them */
	hs_buf_t back = HS_BUF_INIT;
	rc = hs_ldns_rdata_from_text(type, hs_buf_cstr(&txt), &back, NULL);
	int same =
	    rc == HS_OK && back.len == len && (len == 0 || memcmp(back.data, rdata, len) == 0);
	hs_buf_free(&back);
	if (!same) {
		rc = hs_fail(em, HS_E_MALFORMED,
		             "rdata: not in canonical form (reads back as other octets)");
		goto cleanup;
	}
	hs_buf_append(out, txt.data, txt.len);
cleanup:
	hs_buf_free(&txt);
	ldns_rr_free(rr);
	return rc;
}

int hs_ldns_rdata_from_text(uint16_t type, const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	ldns_rr *rr = NULL;
	hs_buf_t line = HS_BUF_INIT, wire = HS_BUF_INIT;
	ldns_status st;
	int rc = HS_OK;

	if (hs_rrtype_name(type) != NULL)
		return hs_rdata_from_text(type, text, out, em);
	if (text == NULL || strchr(text, '\n') != NULL)
		return hs_fail(em, HS_E_SYNTAX, "rdata: one line of text expected");
	hs_buf_printf(&line, ". 0 IN ");
	hs_rrtype_any_print(&line, type);
	hs_buf_printf(&line, " %s", text);
	/* origin "." makes every relative name absolute */
	ldns_rdf *origin = ldns_dname_new_frm_str(".");
	st = ldns_rr_new_frm_str(&rr, hs_buf_cstr(&line), 0, origin, NULL);
	ldns_rdf_deep_free(origin);
	if (st != LDNS_STATUS_OK || rr == NULL) {
		rc = hs_fail(em, HS_E_SYNTAX, "rdata: %s", ldns_get_errorstr_by_id(st));
		goto cleanup;
	}
	if ((rc = hs_ldns_rr_rdata(rr, &wire, em)) != HS_OK)
		goto cleanup;
	hs_buf_append(out, wire.data, wire.len);
cleanup:
	ldns_rr_free(rr);
	hs_buf_free(&line);
	hs_buf_free(&wire);
	return rc;
}
