/* zs_text.c -- a version in zone-file form (ldns prints each record), and
 * the earliest signature expiry of a version. */
#include "dnssec/zs_int.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

static void print_rr(const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
                     const uint8_t *rd, uint16_t rdlen, hs_buf_t *wire, hs_buf_t *out)
{
	ldns_rr *rr = NULL;
	size_t pos = 0;
	char *s;

	hs_buf_reset(wire);
	hs_buf_append(wire, owner, olen);
	hs_buf_append_u16(wire, type);
	hs_buf_append_u16(wire, ZN_CLASS_IN);
	hs_buf_append_u32(wire, ttl);
	hs_buf_append_u16(wire, rdlen);
	hs_buf_append(wire, rd, rdlen);
	if (ldns_wire2rr(&rr, wire->data, wire->len, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		return;
	s = ldns_rr2str(rr);
	if (s != NULL)
		hs_buf_printf(out, "%s", s);
	free(s);
	ldns_rr_free(rr);
}

void zs_zone_text(const zn_snap_t *s, hs_buf_t *out)
{
	hs_buf_t wire = HS_BUF_INIT;
	zn_iter_t *it = zn_iter_new((zn_snap_t *)s);
	const uint8_t *owner;
	size_t olen;
	zn_rrset_t set;
	zn_rr_t soa;

	zn_snap_soa(s, &soa);
	print_rr(soa.owner, soa.owner_len, soa.type, soa.ttl, soa.rdata, soa.rdlen, &wire, out);
	while (zn_iter_next(it, &owner, &olen, &set)) {
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rdlen;
		if (set.type == ZN_TYPE_SOA)
			continue;
		while (zn_rrset_next(&set, &off, &rd, &rdlen))
			print_rr(owner, olen, set.type, set.ttl, rd, rdlen, &wire, out);
	}
	zn_iter_free(it);
	hs_buf_free(&wire);
}

uint32_t zs_earliest_expiry(const zn_snap_t *so)
{
	zn_iter_t *it = zn_iter_new((zn_snap_t *)so);
	const uint8_t *owner;
	size_t olen;
	zn_rrset_t set;
	uint32_t best = 0;

	while (zn_iter_next(it, &owner, &olen, &set)) {
		size_t off = 0;
		const uint8_t *rd;
		uint16_t rdlen;
		if (set.type != ZS_TYPE_RRSIG)
			continue;
		while (zn_rrset_next(&set, &off, &rd, &rdlen)) {
			if (rdlen < 18)
				continue;
			uint32_t e = (uint32_t)rd[8] << 24 | (uint32_t)rd[9] << 16 |
			             (uint32_t)rd[10] << 8 | rd[11];
			if (best == 0 || (int32_t)(e - best) < 0)
				best = e;
		}
	}
	zn_iter_free(it);
	return best;
}

int zs_zone_read_file(const char *path, const uint8_t *apex, size_t apex_len, size_t max_records,
                      zn_builder_t **out, hs_errmsg_t *em)
{
	FILE *f = NULL;
	ldns_rdf *origin = NULL, *prev = NULL;
	ldns_buffer *rdbuf = NULL;
	zn_builder_t *b = NULL;
	uint32_t ttl = 3600;
	int line = 1, rc = HS_OK;

	if (path == NULL || apex == NULL || out == NULL)
		return HS_E_INVAL;
	f = fopen(path, "r");
	if (f == NULL)
		return hs_fail(em, HS_E_IO, "cannot read '%s'", path);
	origin = ldns_dname_new_frm_data((uint16_t)apex_len, apex);
	rdbuf = ldns_buffer_new(4096);
	b = zn_builder_new(apex, apex_len);
	zn_builder_limit(b, max_records);
	while (!feof(f) && rc == HS_OK) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN || st == LDNS_STATUS_SYNTAX_INCLUDE)
			continue;
		if (st != LDNS_STATUS_OK) {
			if (feof(f))
				break;
			rc = hs_fail(em, HS_E_SYNTAX, "'%s' line %d: %s", path, line,
			             ldns_get_errorstr_by_id(st));
			break;
		}
		ldns_buffer_clear(rdbuf);
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_rr_rdata2buffer_wire(rdbuf, rr) != LDNS_STATUS_OK ||
		    ldns_buffer_position(rdbuf) > ZN_RDATA_MAX) {
			rc = hs_fail(em, HS_E_SYNTAX, "'%s' line %d: unusable record", path, line);
		} else {
			const ldns_rdf *o = ldns_rr_owner(rr);
			zn_rr_t zr = {ldns_rdf_data(o),
			              ldns_rdf_size(o),
			              (uint16_t)ldns_rr_get_type(rr),
			              ldns_rr_ttl(rr),
			              ldns_buffer_begin(rdbuf),
			              (uint16_t)ldns_buffer_position(rdbuf)};
			uint8_t low[WIRE_NAME_MAX];
			if (zr.owner_len <= WIRE_NAME_MAX) {
				memcpy(low, zr.owner, zr.owner_len);
				for (size_t i = 0; i < zr.owner_len; i++)
					if (low[i] >= 'A' && low[i] <= 'Z')
						low[i] = (uint8_t)(low[i] + 32);
				zr.owner = low;
			}
			rc = zn_builder_add(b, &zr, em);
		}
		ldns_rr_free(rr);
	}
	fclose(f);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	ldns_buffer_free(rdbuf);
	if (rc != HS_OK) {
		zn_builder_free(b);
		return rc;
	}
	*out = b;
	return HS_OK;
}
