#include "wire/ldns_glue.h"

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
