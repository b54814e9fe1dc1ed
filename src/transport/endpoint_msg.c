/*
 * endpoint_msg.c -- the little the endpoint reads from DNS messages
 * (header, first question, OPT RR), the minimal TC=1 reply and the TCP
 * length framing. Pure functions over untrusted bytes, bounded cursor only.
 */
#include "transport/endpoint_int.h"

#define RRTYPE_OPT 41
#define EDNS_DO    0x8000u

/* Skip a possibly compressed name: labels up to a root label or a pointer. */
static void skip_name(wire_rd_t *rd, int *is_root)
{
	size_t total = 0;
	int first = 1;
	*is_root = 0;
	for (;;) {
		uint8_t len = wire_rd_u8(rd);
		if (rd->err)
			return;
		if ((len & 0xC0) == 0xC0) {
			(void)wire_rd_u8(rd);
			return;
		}
		if (len & 0xC0) {
			wire_rd_fail(rd, HS_E_NAME);
			return;
		}
		if (len == 0) {
			*is_root = first;
			return;
		}
		total += 1u + len;
		if (total + 1 > WIRE_NAME_MAX) {
			wire_rd_fail(rd, HS_E_NAME);
			return;
		}
		(void)wire_rd_take(rd, len);
		first = 0;
	}
}

/* Skip one RR; for an OPT RR fill the EDNS fields of `info`. */
static void read_rr(wire_rd_t *rd, tp_req_info_t *info, int additional)
{
	int root;
	skip_name(rd, &root);
	uint16_t type = wire_rd_u16(rd);
	uint16_t cls = wire_rd_u16(rd);
	uint32_t ttl = wire_rd_u32(rd);
	uint16_t rdlen = wire_rd_u16(rd);
	(void)wire_rd_take(rd, rdlen);
	if (rd->err || type != RRTYPE_OPT)
		return;
	/* RFC 6891 6.1.1: one OPT, owner root, additional section only */
	if (!additional || !root || info->has_opt) {
		wire_rd_fail(rd, HS_E_MALFORMED);
		return;
	}
	info->has_opt = 1;
	info->edns_size = cls;
	info->edns_version = (uint8_t)(ttl >> 16);
	info->edns_flags = (uint16_t)ttl;
}

static void read_header(wire_rd_t *rd, tp_req_info_t *info)
{
	info->id = wire_rd_u16(rd);
	info->flags = wire_rd_u16(rd);
	info->qdcount = wire_rd_u16(rd);
	info->ancount = wire_rd_u16(rd);
	info->nscount = wire_rd_u16(rd);
	info->arcount = wire_rd_u16(rd);
}

int tp_req_parse_header(const uint8_t *msg, size_t len, tp_req_info_t *out)
{
	tp_req_info_t info;
	wire_rd_t rd;

	memset(&info, 0, sizeof(info));
	wire_rd_init(&rd, msg, len);
	read_header(&rd, &info);
	if (rd.err)
		return rd.err;
	info.question_end = TP_DNS_HDR_LEN;
	*out = info;
	return HS_OK;
}

int tp_req_parse(const uint8_t *msg, size_t len, tp_req_info_t *out)
{
	tp_req_info_t info;
	wire_rd_t rd;

	memset(&info, 0, sizeof(info));
	wire_rd_init(&rd, msg, len);
	read_header(&rd, &info);
	if (info.qdcount > 1)
		wire_rd_fail(&rd, HS_E_MALFORMED);
	if (info.qdcount == 1) {
		wire_rd_name(&rd, info.qname, &info.qname_len);
		info.qtype = wire_rd_u16(&rd);
		info.qclass = wire_rd_u16(&rd);
		info.has_question = rd.err == HS_OK;
	}
	info.question_end = len - wire_rd_left(&rd);
	unsigned n = (unsigned)info.ancount + info.nscount;
	for (unsigned i = 0; i < n && !rd.err; i++)
		read_rr(&rd, &info, 0);
	for (unsigned i = 0; i < info.arcount && !rd.err; i++)
		read_rr(&rd, &info, 1);
	int rc = wire_rd_finish(&rd);
	if (rc != HS_OK)
		return rc;
	*out = info;
	return HS_OK;
}

size_t tp_req_udp_limit(const tp_req_info_t *info, size_t cap)
{
	size_t lim = TP_UDP_MIN_SIZE;
	if (info->has_opt && info->edns_size > lim)
		lim = info->edns_size;
	if (cap >= TP_UDP_MIN_SIZE && lim > cap)
		lim = cap;
	return lim;
}

int tp_req_tc_reply(const uint8_t *req, size_t len, uint16_t edns_size, hs_buf_t *out)
{
	tp_req_info_t q;
	int rc = tp_req_parse(req, len, &q);
	if (rc != HS_OK)
		return rc;
	int opt = q.has_opt && edns_size != 0;
	uint16_t flags =
	    (uint16_t)(EP_FLAG_QR | EP_FLAG_TC | (q.flags & (EP_OPCODE_MASK | EP_FLAG_RD)));
	hs_buf_append_u16(out, q.id);
	hs_buf_append_u16(out, flags);
	hs_buf_append_u16(out, q.has_question ? 1 : 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, opt ? 1 : 0);
	if (q.has_question) {
		hs_buf_append(out, q.qname, q.qname_len);
		hs_buf_append_u16(out, q.qtype);
		hs_buf_append_u16(out, q.qclass);
	}
	if (opt) {
		hs_buf_append_u8(out, 0);
		hs_buf_append_u16(out, RRTYPE_OPT);
		hs_buf_append_u16(out, edns_size);
		hs_buf_append_u32(out, q.edns_flags & EDNS_DO); /* rcode 0, version 0, DO copied */
		hs_buf_append_u16(out, 0);
	}
	return HS_OK;
}

int tp_frame_peek(const uint8_t *p, size_t avail, size_t max, size_t *msg_len)
{
	wire_rd_t rd;
	wire_rd_init(&rd, p, avail);
	size_t n = wire_rd_u16(&rd);
	if (rd.err)
		return HS_E_AGAIN;
	if (n < TP_DNS_HDR_LEN || n > max)
		return HS_E_MALFORMED;
	if (wire_rd_left(&rd) < n)
		return HS_E_AGAIN;
	*msg_len = n;
	return HS_OK;
}
