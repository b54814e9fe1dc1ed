/*
 * xfr_soa.c -- the SOA query a secondary sends before transferring, and
 * the NOTIFY (RFC 1996) a primary sends to say the zone changed: parsing
 * it and building the answer. Plain DNS: a primary such as NSD or BIND
 * neither signs NOTIFY nor expects signed answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/query.h"
#include "transport/xfr_int.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/text.h"

#define TYPE_SOA      6
#define CLASS_IN      1
#define OPCODE_NOTIFY 4

/* The SOA RDATA at `rr` (possibly compressed names) -> serial. */
static int soa_serial_at(const uint8_t *msg, size_t len, const dnsmsg_rr_t *rr, uint32_t *serial)
{
	uint8_t n[WIRE_NAME_MAX];
	size_t nl, wl, off = rr->rdata_off, end = rr->rdata_off + rr->rdlen;
	for (int i = 0; i < 2; i++) {
		if (off >= end || dnsmsg_name_expand(msg, len, off, n, &nl, &wl) != HS_OK ||
		    wl > end - off)
			return HS_E_MALFORMED;
		off += wl;
	}
	if (end - off != 20)
		return HS_E_MALFORMED;
	const uint8_t *p = msg + off;
	*serial = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return HS_OK;
}

int tp_xfr_soa_parse(const uint8_t *msg, size_t len, const uint8_t *zone, size_t zone_len,
                     uint16_t id, uint32_t *serial, hs_errmsg_t *em)
{
	dnsmsg_hdr_t h;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	int rc;
	if (msg == NULL || zone == NULL || serial == NULL)
		return HS_E_INVAL;
	if (dnsmsg_check(msg, len, &h) != HS_OK || dnsmsg_open(&it, msg, len) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "malformed SOA response");
	if (h.id != id || !(h.flags & 0x8000) || (h.flags & 0x7800))
		return hs_fail(em, HS_E_MALFORMED, "not a response to the SOA query");
	if ((h.flags & 0x000f) != 0)
		return hs_fail(em, HS_E_REFUSED, "SOA query answered with RCODE %u", h.flags & 0xf);
	if (!(h.flags & 0x0400))
		return hs_fail(em, HS_E_REFUSED, "SOA answer is not authoritative");
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		uint8_t owner[WIRE_NAME_MAX];
		size_t olen;
		if (rr.section != DNSMSG_ANSWER || rr.type != TYPE_SOA || rr.rclass != CLASS_IN)
			continue;
		if (dnsmsg_name_expand(msg, len, rr.off, owner, &olen, NULL) != HS_OK ||
		    !dnsmsg_name_equal(owner, olen, zone, zone_len))
			continue;
		uint32_t s;
		if (soa_serial_at(msg, len, &rr, &s) != HS_OK)
			return hs_fail(em, HS_E_MALFORMED, "bad SOA RDATA");
		*serial = s;
		return HS_OK;
	}
	return hs_fail(em, HS_E_NOTFOUND, "no SOA for the zone in the answer");
}

struct tp_xfr_soa_q {
	tp_send_t *send;
	uint8_t zone[WIRE_NAME_MAX];
	size_t zone_len;
	uint16_t id;
	tp_xfr_soa_fn cb;
	void *arg;
};

static void soa_done(void *arg, int status, const uint8_t *resp, size_t len)
{
	tp_xfr_soa_q_t *q = arg;
	hs_errmsg_t em;
	uint32_t serial = 0;
	hs_errmsg_clear(&em);
	if (status == HS_OK)
		status = tp_xfr_soa_parse(resp, len, q->zone, q->zone_len, q->id, &serial, &em);
	else
		hs_fail(&em, status, "SOA query: %s", hs_strerror(status));
	tp_xfr_soa_fn cb = q->cb;
	void *cbarg = q->arg;
	free(q);
	cb(cbarg, status, serial, &em);
}

int tp_xfr_soa_query(tp_endpoint_t *ep, const tp_peer_addr_t *primary, const char *zone,
                     const tp_send_opts_t *opts, const hs_env_t *env, tp_xfr_soa_fn cb, void *arg,
                     tp_xfr_soa_q_t **handle)
{
	hs_buf_t msg = HS_BUF_INIT;
	tp_xfr_soa_q_t *q = NULL;
	int rc;
	if (ep == NULL || primary == NULL || zone == NULL || cb == NULL)
		return HS_E_INVAL;
	if (env == NULL)
		env = hs_env_system();
	q = xcalloc(1, sizeof(*q));
	if (hs_name_from_text(zone, strlen(zone), q->zone, &q->zone_len) != HS_OK) {
		rc = HS_E_NAME;
		goto cleanup;
	}
	if ((rc = env->random(env->arg, (uint8_t *)&q->id, sizeof(q->id))) != HS_OK)
		goto cleanup;
	tp_question_t qq = {
	    .name = zone, .qtype = TYPE_SOA, .qclass = CLASS_IN, .opcode = TP_OPCODE_QUERY};
	if ((rc = tp_msg_build(&qq, q->id, &msg, NULL)) != HS_OK)
		goto cleanup;
	q->cb = cb;
	q->arg = arg;
	if ((rc = tp_send(ep, primary, msg.data, msg.len, opts, soa_done, q, &q->send)) != HS_OK)
		goto cleanup;
	if (handle)
		*handle = q;
	q = NULL;
cleanup:
	free(q);
	hs_buf_free(&msg);
	return rc;
}

void tp_xfr_soa_cancel(tp_xfr_soa_q_t *q)
{
	if (q == NULL)
		return;
	tp_send_cancel(q->send);
	free(q);
}

int tp_xfr_notify_parse(const uint8_t *msg, size_t len, tp_xfr_notify_t *out, hs_errmsg_t *em)
{
	dnsmsg_hdr_t h;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	tp_xfr_notify_t n;
	hs_buf_t txt = HS_BUF_INIT;
	int rc;

	memset(&n, 0, sizeof(n));
	if (msg == NULL || out == NULL)
		return HS_E_INVAL;
	if (dnsmsg_check(msg, len, &h) != HS_OK || dnsmsg_open(&it, msg, len) != HS_OK)
		return hs_fail(em, HS_E_MALFORMED, "malformed NOTIFY");
	if ((h.flags & 0x8000) || ((h.flags >> 11) & 0xf) != OPCODE_NOTIFY)
		return hs_fail(em, HS_E_MALFORMED, "not a NOTIFY request");
	if (h.count[DNSMSG_QUESTION] != 1)
		return hs_fail(em, HS_E_MALFORMED, "NOTIFY with %u questions",
		               h.count[DNSMSG_QUESTION]);
	n.id = h.id;
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section == DNSMSG_QUESTION) {
			if (dnsmsg_name_expand(msg, len, rr.off, n.zone, &n.zone_len, NULL) !=
			    HS_OK)
				return hs_fail(em, HS_E_MALFORMED, "bad NOTIFY question name");
			if (rr.type != TYPE_SOA || rr.rclass != CLASS_IN)
				return hs_fail(em, HS_E_MALFORMED, "NOTIFY not for SOA/IN");
			continue;
		}
		if (rr.section != DNSMSG_ANSWER || rr.type != TYPE_SOA || n.has_serial)
			continue;
		uint8_t owner[WIRE_NAME_MAX];
		size_t olen;
		if (dnsmsg_name_expand(msg, len, rr.off, owner, &olen, NULL) == HS_OK &&
		    dnsmsg_name_equal(owner, olen, n.zone, n.zone_len) &&
		    soa_serial_at(msg, len, &rr, &n.serial) == HS_OK)
			n.has_serial = 1;
	}
	dnsmsg_name_lower(n.zone, n.zone_len);
	hs_name_print(&txt, n.zone, n.zone_len);
	snprintf(n.zone_text, sizeof(n.zone_text), "%s", hs_buf_cstr(&txt));
	hs_buf_free(&txt);
	*out = n;
	return HS_OK;
}

int tp_xfr_notify_reply(const uint8_t *req, size_t len, uint8_t rcode, hs_buf_t *out)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	if (req == NULL || out == NULL || dnsmsg_open(&it, req, len) != HS_OK ||
	    it.hdr.count[DNSMSG_QUESTION] < 1 || dnsmsg_next(&it, &rr) != HS_OK ||
	    rr.section != DNSMSG_QUESTION)
		return HS_E_MALFORMED;
	uint8_t name[WIRE_NAME_MAX];
	size_t nlen;
	if (dnsmsg_name_expand(req, len, rr.off, name, &nlen, NULL) != HS_OK)
		return HS_E_MALFORMED;
	uint16_t flags = (uint16_t)(0x8000 | (it.hdr.flags & 0x7800) | 0x0400 | (rcode & 0xf));
	hs_buf_append_u16(out, it.hdr.id);
	hs_buf_append_u16(out, flags);
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append(out, name, nlen);
	hs_buf_append_u16(out, rr.type);
	hs_buf_append_u16(out, rr.rclass);
	return HS_OK;
}
