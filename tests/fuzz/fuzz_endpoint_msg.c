/*
 * fuzz_endpoint_msg.c -- what the endpoint reads from every request it
 * receives (header, first question, OPT) and the TC=1 reply it derives.
 */
#include <stdint.h>
#include <stdlib.h>

#include "transport/endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_req_info_t info, again;
	hs_buf_t out = HS_BUF_INIT;

	if (tp_req_parse_header(data, size, &info) == HS_OK && size < TP_DNS_HDR_LEN)
		abort();
	if (tp_req_parse(data, size, &info) != HS_OK)
		return 0;
	size_t lim = tp_req_udp_limit(&info, 1232);
	if (lim < TP_UDP_MIN_SIZE || lim > 1232 || info.question_end > size)
		abort();
	if (info.has_question && (info.qname_len == 0 || info.qname_len > WIRE_NAME_MAX))
		abort();
	/* the TC reply of a parseable request parses and keeps id and question */
	if (tp_req_tc_reply(data, size, 1232, &out) != HS_OK)
		abort();
	if (tp_req_parse(out.data, out.len, &again) != HS_OK || again.id != info.id ||
	    again.has_question != info.has_question || again.qtype != info.qtype ||
	    !(again.flags & 0x8200) || again.ancount != 0 || again.nscount != 0)
		abort();
	hs_buf_free(&out);
	return 0;
}
