/*
 * core_dns.c -- the DNS messages of the transport: signed queries and
 * replies, request parsing, EDNS option lookup, response verification.
 */
#include "transport/core_int.h"
#include "wire/pktprint.h"

#include <stdio.h>
#include <string.h>

#include "transport/endpoint.h"
#include "util/log.h"
#include "wire/dnsmsg.h"
#include "wire/edns_opts.h"
#include "wire/proto.h"

static int sign(tp_core_t *c, hs_buf_t *msg)
{
	int rc = sig0_sign(c->cfg.sig0_key, msg, hs_now_s(c->env), NULL, NULL);
	if (rc != HS_OK)
		log_err(SUB, "'%s': cannot sign a message: %s", c->self, hs_strerror(rc));
	return rc;
}

static void put_opt(hs_buf_t *b, unsigned ext_rcode, unsigned ede, const uint8_t *opt,
                    size_t optlen)
{
	const char *text = ede ? hs_ede_text(ede) : NULL;
	size_t tl = text ? strlen(text) : 0;
	size_t rdlen = optlen + (ede ? 4 + 2 + tl : 0);
	hs_buf_append_u8(b, 0);
	hs_buf_append_u16(b, TP_TYPE_OPT);
	hs_buf_append_u16(b, TP_EDNS_SIZE);
	hs_buf_append_u32(b, (uint32_t)(ext_rcode & 0xff) << 24);
	hs_buf_append_u16(b, (uint16_t)rdlen);
	if (ede) {
		hs_buf_append_u16(b, TP_OPT_EDE);
		hs_buf_append_u16(b, (uint16_t)(2 + tl));
		hs_buf_append_u16(b, (uint16_t)ede);
		hs_buf_append(b, text, tl);
	}
	if (optlen)
		hs_buf_append(b, opt, optlen);
}

int dns_build_query(tp_core_t *c, unsigned opcode, const uint8_t *qname, size_t qlen,
                    const uint8_t *opt, size_t optlen, hs_buf_t *out)
{
	if (optlen > 65535 - 64)
		return HS_E_LIMIT;
	hs_buf_reset(out);
	hs_buf_append_u16(out, core_rand16(c));
	hs_buf_append_u16(out,
	                  (uint16_t)((opcode & 15) << 11 | (opcode == TP_OP_NOTIFY ? TP_AA : 0)));
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 1);
	hs_buf_append(out, qname, qlen);
	hs_buf_append_u16(out, HS_RRTYPE_CHUNK);
	hs_buf_append_u16(out, TP_CLASS_IN);
	put_opt(out, 0, 0, opt, optlen);
	return sign(c, out);
}

int dns_parse_request(const uint8_t *msg, size_t len, dns_req_t *out)
{
	tp_req_info_t info;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	dns_req_t r;
	memset(&r, 0, sizeof(r));
	int rc = tp_req_parse(msg, len, &info);
	if (rc != HS_OK)
		return rc;
	rc = dnsmsg_open(&it, msg, len);
	while (rc == HS_OK && (rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section == DNSMSG_ADDITIONAL && rr.type == TP_TYPE_OPT && !r.has_opt) {
			r.has_opt = 1;
			r.opt_rdata = msg + rr.rdata_off;
			r.opt_rdlen = rr.rdlen;
			r.opt_ext_rcode = (uint8_t)(rr.ttl >> 24);
		}
	}
	if (rc != HS_E_NOTFOUND)
		return HS_E_MALFORMED;
	if (dnsmsg_end(&it) != HS_OK)
		return HS_E_MALFORMED;
	r.id = info.id;
	r.flags = info.flags;
	r.opcode = (info.flags >> 11) & 15;
	r.has_question = info.has_question;
	if (info.has_question) {
		r.question = msg + DNSMSG_HDR_LEN;
		r.question_len = info.question_end - DNSMSG_HDR_LEN;
		memcpy(r.qname, info.qname, info.qname_len);
		r.qname_len = info.qname_len;
		r.qtype = info.qtype;
	}
	*out = r;
	return HS_OK;
}

static const struct {
	unsigned ede;
	enum tp_err_class cls;
	const char *name;
} err_rows[] = {
    {0, TP_ERR_OTHER, "other"},
    {HS_EDE_SIG0_FORMAT_ERROR, TP_ERR_MALFORMED, "malformed"},
    {HS_EDE_HS_SIG0_MISSING, TP_ERR_UNSIGNED, "unsigned"},
    {HS_EDE_SIG0_BAD_TIME, TP_ERR_BADTIME, "bad-time"},
    {HS_EDE_HS_SIG0_RATELIMIT, TP_ERR_RATELIMIT, "rate-limited"},
    {HS_EDE_NOT_SUPPORTED, TP_ERR_NOTSUP, "not-supported"},
    {HS_EDE_HS_UNKNOWN_PEER, TP_ERR_UNKNOWN_PEER, "unknown-peer"},
    {HS_EDE_HS_NOT_RECIPIENT, TP_ERR_NOT_RECIPIENT, "not-recipient"},
    {HS_EDE_SIG0_KEY_NOT_KNOWN, TP_ERR_BADKEY, "unknown-key"},
    {HS_EDE_SIG0_BAD_SIGNATURE, TP_ERR_BADSIG, "bad-signature"},
    {HS_EDE_HS_NO_SUCH_DISTRIBUTION, TP_ERR_NO_DIST, "no-distribution"},
    {HS_EDE_HS_BAD_NAME, TP_ERR_BAD_NAME, "bad-name"},
    {HS_EDE_HS_REPLAY, TP_ERR_REPLAY, "replayed"},
};

static enum tp_err_class err_class(unsigned ede)
{
	for (size_t i = 1; i < sizeof(err_rows) / sizeof(err_rows[0]); i++)
		if (err_rows[i].ede == ede)
			return err_rows[i].cls;
	return TP_ERR_OTHER;
}

const char *tp_err_class_name(int cls)
{
	for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++)
		if ((int)err_rows[i].cls == cls)
			return err_rows[i].name;
	return "?";
}

int dns_build_reply(tp_core_t *c, const dns_req_t *rq, unsigned rcode, unsigned ede,
                    const uint8_t *answer, size_t answer_len, unsigned ancount, const uint8_t *opt,
                    size_t optlen, hs_buf_t *out)
{
	/* RFC 6891 section 7: no OPT RR in a reply to a request without one
	 * (so no EDE and no extended RCODE either; callers pass REFUSED for
	 * what would be BADKEY/BADTIME, see sig0_status_rcode) */
	int with_opt = rq->has_opt || (c->cfg.test_break & TP_TEST_BREAK_OPT_ALWAYS);
	if (!with_opt && (rcode > 15 || optlen > 0))
		return HS_E_INVAL;
	hs_buf_reset(out);
	hs_buf_append_u16(out, rq->id);
	hs_buf_append_u16(out, (uint16_t)(TP_QR | (rq->opcode & 15) << 11 | TP_AA |
	                                  (rq->flags & TP_RD) | (rcode & 15)));
	hs_buf_append_u16(out, rq->has_question ? 1 : 0);
	hs_buf_append_u16(out, (uint16_t)ancount);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, with_opt ? 1 : 0);
	if (rq->has_question)
		hs_buf_append(out, rq->question, rq->question_len);
	if (answer_len)
		hs_buf_append(out, answer, answer_len);
	if (with_opt)
		put_opt(out, rcode >> 4, ede, opt, optlen);
	if (rcode != TP_RC_NOERROR) {
		c->stats.errors_sent++;
		c->stats.errors[err_class(ede)]++;
	}
	return sign(c, out);
}

int dns_tc_reply(tp_core_t *c, const uint8_t *req, size_t len, hs_buf_t *out)
{
	hs_buf_reset(out);
	int rc = tp_req_tc_reply(req, len, TP_EDNS_SIZE, out);
	if (rc == HS_OK) {
		out->data[2] |= TP_AA >> 8; /* like every transport reply */
		rc = sign(c, out);
	}
	return rc;
}

int dns_find_option(const uint8_t *rdata, size_t len, uint16_t code, const uint8_t **data,
                    size_t *dlen)
{
	return hs_edns_opt_find(rdata, len, code, data, dlen);
}

int dns_verify_response(tp_core_t *c, const tp_peer_t *peer, const uint8_t *msg, size_t len,
                        dns_req_t *out, unsigned *rcode)
{
	dns_req_t r;
	sig0_verdict_t v;
	sig0_verify_opts_t vo;
	if (peer == NULL)
		return HS_E_NOKEY;
	int rc = dns_parse_request(msg, len, &r);
	if (rc != HS_OK || !(r.flags & TP_QR))
		return HS_E_MALFORMED;
	sig0_verify_opts_default(&vo);
	rc = sig0_verify(msg, len, peer->sig0, peer->nsig0, hs_now_s(c->env), &vo, &v);
	if (rc != HS_OK) {
		log_debug(SUB, "'%s': response from '%s' not accepted: %s", c->self, peer->identity,
		          v.reason);
		return rc;
	}
	*out = r;
	*rcode = (unsigned)(r.flags & 15) | (unsigned)r.opt_ext_rcode << 4;
	return HS_OK;
}

void dns_error_text(const uint8_t *msg, size_t len, char *out, size_t n)
{
	dns_req_t r;
	const uint8_t *ede;
	size_t elen;
	unsigned rcode;
	const char *name;
	int used;

	if (dns_parse_request(msg, len, &r) != HS_OK) {
		snprintf(out, n, "unparseable response");
		return;
	}
	rcode = (unsigned)(r.flags & 15) | (unsigned)r.opt_ext_rcode << 4;
	name = pkt_rcode_name(rcode);
	used = name ? snprintf(out, n, "%s", name) : snprintf(out, n, "RCODE%u", rcode);
	if (used < 0 || (size_t)used >= n || !r.has_opt ||
	    dns_find_option(r.opt_rdata, r.opt_rdlen, 15, &ede, &elen) != HS_OK || elen < 2)
		return;
	unsigned code = (unsigned)ede[0] << 8 | ede[1];
	const char *en = pkt_ede_name(code);
	int tl = (int)(elen - 2 > 80 ? 80 : elen - 2);
	for (int i = 0; i < tl; i++)
		if (ede[2 + i] < 0x20 || ede[2 + i] > 0x7e)
			tl = i; /* printable ASCII only: it goes into the log */
	snprintf(out + used, n - (size_t)used, ", EDE %u%s%s%s%s%.*s", code, en ? " (" : "",
	         en ? en : "", en ? ")" : "", tl > 0 ? ": " : "", tl, (const char *)ede + 2);
}

int dns_answer_rdata(const uint8_t *msg, size_t len, uint16_t type, const uint8_t **rdata,
                     size_t *rdlen)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	int rc = dnsmsg_open(&it, msg, len);
	while (rc == HS_OK && (rc = dnsmsg_next(&it, &rr)) == HS_OK)
		if (rr.section == DNSMSG_ANSWER && rr.type == type) {
			*rdata = msg + rr.rdata_off;
			*rdlen = rr.rdlen;
			return HS_OK;
		}
	return rc == HS_E_NOTFOUND ? HS_E_NOTFOUND : HS_E_MALFORMED;
}
