#include "wire/rr_legacy.h"

#include <stdio.h>

#include "wire/proto.h"
#include "wire/text.h"

int hs_hsync_legacy_decode(uint16_t type, const uint8_t *rdata, size_t len, hs_hsync_legacy_t *out,
                           hs_errmsg_t *em)
{
	hs_hsync_legacy_t h = {0};
	const char *tn = type == HS_RRTYPE_HSYNC ? "hsync" : "hsync2";
	char field[32];
	wire_rd_t rd;

	if (type != HS_RRTYPE_HSYNC && type != HS_RRTYPE_HSYNC2)
		return hs_fail(em, HS_E_UNKNOWN_TYPE, "type %u is not a legacy hsync type", type);
	h.type = type;
	wire_rd_init(&rd, rdata, len);
	h.state = wire_rd_u8(&rd);
	snprintf(field, sizeof(field), "%s state", tn);
	if (rd.err)
		return hs_wire_fail(em, rd.err, field);
	if (type == HS_RRTYPE_HSYNC) {
		h.nsmgmt = wire_rd_u8(&rd);
		h.sign = wire_rd_u8(&rd);
		snprintf(field, sizeof(field), "%s nsmgmt/sign", tn);
	} else {
		h.flags = wire_rd_u16(&rd);
		snprintf(field, sizeof(field), "%s flags", tn);
	}
	if (rd.err)
		return hs_wire_fail(em, rd.err, field);
	wire_rd_name(&rd, h.identity, &h.identity_len);
	snprintf(field, sizeof(field), "%s identity", tn);
	if (rd.err)
		return hs_wire_fail(em, rd.err, field);
	wire_rd_name(&rd, h.upstream, &h.upstream_len);
	snprintf(field, sizeof(field), "%s upstream", tn);
	if (rd.err)
		return hs_wire_fail(em, rd.err, field);
	if (wire_rd_finish(&rd) != HS_OK)
		return hs_wire_fail(em, HS_E_TRAILING, tn);
	*out = h;
	return HS_OK;
}

static void print_state(hs_buf_t *out, uint8_t s)
{
	if (s <= 1)
		hs_buf_printf(out, "%s ", s ? "ON" : "OFF");
	else
		hs_buf_printf(out, "%u ", s);
}

static void print_names(hs_buf_t *out, const hs_hsync_legacy_t *h)
{
	hs_name_print(out, h->identity, h->identity_len);
	hs_buf_append_u8(out, ' ');
	hs_name_print(out, h->upstream, h->upstream_len);
}

int hs_hsync_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	static const char *const nsmgmt[] = {NULL, "OWNER", "AGENT"};
	static const char *const sign[] = {"NOSIGN", "SIGN"};
	hs_hsync_legacy_t h;
	int rc = hs_hsync_legacy_decode(HS_RRTYPE_HSYNC, rdata, len, &h, em);
	if (rc != HS_OK)
		return rc;
	print_state(out, h.state);
	if (h.nsmgmt >= 1 && h.nsmgmt <= 2)
		hs_buf_printf(out, "%s ", nsmgmt[h.nsmgmt]);
	else
		hs_buf_printf(out, "%u ", h.nsmgmt);
	if (h.sign <= 1)
		hs_buf_printf(out, "%s ", sign[h.sign]);
	else
		hs_buf_printf(out, "%u ", h.sign);
	print_names(out, &h);
	return HS_OK;
}

int hs_hsync2_to_text(const uint8_t *rdata, size_t len, hs_buf_t *out, hs_errmsg_t *em)
{
	static const char *const psync[] = {"owner", "notify", "update", "api"};
	hs_hsync_legacy_t h;
	int rc = hs_hsync_legacy_decode(HS_RRTYPE_HSYNC2, rdata, len, &h, em);
	if (rc != HS_OK)
		return rc;
	unsigned ps = (h.flags >> 3) & 0x7;
	print_state(out, h.state);
	hs_buf_printf(out, "\"nsmgmt=%s; sign=%s; audit=%s; ", (h.flags & 1) ? "agent" : "owner",
	              (h.flags & 2) ? "yes" : "no", (h.flags & 4) ? "yes" : "no");
	if (ps < 4)
		hs_buf_printf(out, "parentsync=%s", psync[ps]);
	else
		hs_buf_printf(out, "parentsync=%u", ps);
	if (h.flags & ~0x3fu)
		hs_buf_printf(out, "; flags=0x%04x", h.flags);
	hs_buf_printf(out, "\" ");
	print_names(out, &h);
	return HS_OK;
}
