/*
 * cmb_rdata.c -- strict RDATA checks of the synchronised types (SYNC-44
 * rule 5), one row per type, each a straight read through the bounded
 * cursor checked once at the end. Also the presentation of RDATA for
 * logs and operators.
 */
#include "engine/combiner/cmb_int.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>

#include "wire/rdata.h"

#define DETAIL(...)                                                                                \
	do {                                                                                       \
		if (detail)                                                                        \
			snprintf(detail, dlen, __VA_ARGS__);                                       \
	} while (0)

static int chk_ns(wire_rd_t *rd, char *detail, size_t dlen)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t n = 0;
	wire_rd_name(rd, name, &n);
	int rc = wire_rd_finish(rd);
	if (rc == HS_E_COMPRESSED)
		DETAIL("compressed name");
	else if (rc == HS_E_TRAILING)
		DETAIL("octets after the name");
	else if (rc != HS_OK)
		DETAIL("not a name");
	return rc;
}

/* DNSKEY and KEY (RFC 4034 2.1, RFC 2535 3.1): protocol 3. */
static int chk_key(wire_rd_t *rd, char *detail, size_t dlen)
{
	(void)wire_rd_u16(rd); /* flags */
	uint8_t proto = wire_rd_u8(rd);
	(void)wire_rd_u8(rd); /* algorithm */
	size_t key = wire_rd_left(rd);
	(void)wire_rd_take(rd, key);
	if (rd->err) {
		DETAIL("shorter than flags, protocol and algorithm");
		return rd->err;
	}
	if (proto != 3) {
		DETAIL("protocol %u, not 3", proto);
		return HS_E_MALFORMED;
	}
	if (key == 0) {
		DETAIL("no public key");
		return HS_E_MALFORMED;
	}
	return HS_OK;
}

/* CDS (RFC 7344 3.1, the DS format); RFC 8078 4: the delete form is
 * exactly 0 0 0 00, and algorithm or digest type 0 means nothing else. */
static int chk_cds(wire_rd_t *rd, char *detail, size_t dlen)
{
	uint16_t tag = wire_rd_u16(rd);
	uint8_t alg = wire_rd_u8(rd);
	uint8_t dtype = wire_rd_u8(rd);
	size_t dn = wire_rd_left(rd);
	const uint8_t *dg = wire_rd_take(rd, dn);
	if (rd->err) {
		DETAIL("shorter than key tag, algorithm and digest type");
		return rd->err;
	}
	if (dn == 0) {
		DETAIL("no digest");
		return HS_E_MALFORMED;
	}
	if ((alg == 0 || dtype == 0) &&
	    !(tag == 0 && alg == 0 && dtype == 0 && dn == 1 && dg[0] == 0)) {
		DETAIL("algorithm or digest type 0 outside the delete form 0 0 0 00");
		return HS_E_MALFORMED;
	}
	return HS_OK;
}

/* CSYNC (RFC 7477 2.1.1): serial, flags, type bitmap (RFC 4034 4.1.2). */
static int chk_csync(wire_rd_t *rd, char *detail, size_t dlen)
{
	int prev = -1;
	(void)wire_rd_u32(rd);
	(void)wire_rd_u16(rd);
	if (rd->err) {
		DETAIL("shorter than serial and flags");
		return rd->err;
	}
	while (wire_rd_left(rd) > 0) {
		uint8_t win = wire_rd_u8(rd);
		uint8_t len = wire_rd_u8(rd);
		const uint8_t *bits = wire_rd_take(rd, len);
		if (rd->err) {
			DETAIL("type bitmap truncated");
			return rd->err;
		}
		if ((int)win <= prev) {
			DETAIL("type bitmap windows not ascending");
			return HS_E_MALFORMED;
		}
		if (len == 0 || len > 32 || bits[len - 1] == 0) {
			DETAIL("type bitmap window %u of %u octets", win, len);
			return HS_E_MALFORMED;
		}
		prev = win;
	}
	return HS_OK;
}

static const struct {
	uint16_t type;
	int (*check)(wire_rd_t *rd, char *detail, size_t dlen);
} checks[] = {
    {2, chk_ns},     /* NS */
    {25, chk_key},   /* KEY */
    {48, chk_key},   /* DNSKEY */
    {59, chk_cds},   /* CDS */
    {62, chk_csync}, /* CSYNC */
};

int cmb_rdata_check(uint16_t type, const uint8_t *rdata, size_t len, char *detail, size_t dlen)
{
	wire_rd_t rd;
	if (detail && dlen)
		detail[0] = '\0';
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (checks[i].type != type)
			continue;
		if (len == 0) {
			DETAIL("empty");
			return HS_E_MALFORMED;
		}
		wire_rd_init(&rd, rdata, len);
		int rc = checks[i].check(&rd, detail, dlen);
		return rc == HS_OK ? HS_OK : HS_E_MALFORMED;
	}
	DETAIL("type %u is not synchronised", type);
	return HS_E_UNKNOWN_TYPE;
}

void cmb_rdata_text(uint16_t type, const uint8_t *rdata, size_t len, hs_buf_t *out)
{
	/* let ldns type the fields: an RR of owner "." around the RDATA */
	hs_buf_t w = HS_BUF_INIT;
	ldns_rr *rr = NULL;
	ldns_buffer *lb = NULL;
	size_t pos = 0;
	int ok = 0;
	if (len > 65535)
		goto cleanup;
	hs_buf_append_u8(&w, 0);
	hs_buf_append_u16(&w, type);
	hs_buf_append_u16(&w, 1);
	hs_buf_append_u32(&w, 0);
	hs_buf_append_u16(&w, (uint16_t)len);
	hs_buf_append(&w, rdata, len);
	if (cmb_rdata_check(type, rdata, len, NULL, 0) != HS_OK ||
	    ldns_wire2rr(&rr, w.data, w.len, &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		goto cleanup;
	lb = ldns_buffer_new(256);
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		if (i)
			ldns_buffer_printf(lb, " ");
		if (ldns_rdf2buffer_str(lb, ldns_rr_rdf(rr, i)) != LDNS_STATUS_OK)
			goto cleanup;
	}
	if (ldns_buffer_status(lb) != LDNS_STATUS_OK)
		goto cleanup;
	hs_buf_append(out, ldns_buffer_begin(lb), ldns_buffer_position(lb));
	ok = 1;
cleanup:
	if (!ok)
		hs_rdata_generic_print(out, rdata, len);
	ldns_buffer_free(lb);
	ldns_rr_free(rr);
	hs_buf_free(&w);
}
