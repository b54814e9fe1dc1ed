/* net.c -- crafted DNS requests, one request/reply exchange with the
 * target over UDP or TCP from a socket of our own, and reading replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hsync-conform/conform.h"
#include "transport/names.h"
#include "wire/dnsmsg.h"

#define T_OPT 41
#define T_SIG 24

const uint8_t cf_padding[CF_PADDING_LEN] = {0, 12, 0, CF_PADDING_LEN - 4};

void cf_dns_request(cf_t *c, hs_buf_t *out, unsigned opcode, const uint8_t *qname, size_t qlen,
                    uint16_t qtype, int with_opt, const uint8_t *opt, size_t optlen)
{
	uint8_t id[2] = {0, 0};

	(void)c->env->random(c->env->arg, id, sizeof(id));
	hs_buf_reset(out);
	hs_buf_append(out, id, 2);
	hs_buf_append_u16(out,
	                  (uint16_t)((opcode & 15) << 11 | (opcode == CF_OP_NOTIFY ? 0x0400 : 0)));
	hs_buf_append_u16(out, 1);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, 0);
	hs_buf_append_u16(out, with_opt ? 1 : 0);
	hs_buf_append(out, qname, qlen);
	hs_buf_append_u16(out, qtype);
	hs_buf_append_u16(out, 1);
	if (with_opt) {
		hs_buf_append_u8(out, 0);
		hs_buf_append_u16(out, T_OPT);
		hs_buf_append_u16(out, 1232);
		hs_buf_append_u32(out, 0);
		hs_buf_append_u16(out, (uint16_t)optlen);
		if (optlen)
			hs_buf_append(out, opt, optlen);
	}
}

int cf_sign(cf_t *c, hs_buf_t *msg, const sig0_key_t *key, int32_t offset,
            const sig0_sign_opts_t *opts)
{
	return sig0_sign(key ? key : c->sig0, msg, (uint32_t)((int64_t)hs_now_s(c->env) + offset),
	                 opts, NULL);
}

/* A socket to the target, bound to the second local address with CF_X_ALT. */
static int open_to(cf_t *c, int tcp, int alt, int *fd_out)
{
	int fd = socket(c->target.ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return HS_E_NET;
	if (alt) {
		tp_peer_addr_t a;
		if (c->alt_ip[0] == '\0' || tp_peer_addr_parse(c->alt_ip, 0, &a) != HS_OK ||
		    a.ss.ss_family != c->target.ss.ss_family ||
		    bind(fd, (const struct sockaddr *)&a.ss, a.len) != 0) {
			close(fd);
			return HS_E_NOTSUP;
		}
	}
	*fd_out = fd;
	return HS_OK;
}

static int wait_fd(int fd, short ev, uint64_t deadline, const cf_t *c)
{
	struct pollfd p = {fd, ev, 0};
	uint64_t now = cf_now_ms(c);

	if (now >= deadline)
		return HS_E_TIMEOUT;
	int n = poll(&p, 1, (int)(deadline - now));
	if (n == 0)
		return HS_E_TIMEOUT;
	return n < 0 ? HS_E_NET : HS_OK;
}

static int xchg_udp(cf_t *c, int fd, const uint8_t *msg, size_t len, hs_buf_t *resp)
{
	uint8_t buf[65536];
	uint64_t deadline = cf_now_ms(c) + c->wait_ms;

	if (sendto(fd, msg, len, 0, (const struct sockaddr *)&c->target.ss, c->target.len) !=
	    (ssize_t)len)
		return HS_E_NET;
	for (;;) {
		int rc = wait_fd(fd, POLLIN, deadline, c);
		if (rc != HS_OK)
			return rc;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == ECONNREFUSED ? HS_E_NET : HS_E_TIMEOUT;
		if (n >= 2 && buf[0] == msg[0] && buf[1] == msg[1]) {
			hs_buf_reset(resp);
			hs_buf_append(resp, buf, (size_t)n);
			return HS_OK;
		}
	}
}

static int read_all(cf_t *c, int fd, uint8_t *p, size_t n, uint64_t deadline)
{
	while (n > 0) {
		int rc = wait_fd(fd, POLLIN, deadline, c);
		if (rc != HS_OK)
			return rc;
		ssize_t k = read(fd, p, n);
		if (k <= 0)
			return HS_E_NET;
		p += k;
		n -= (size_t)k;
	}
	return HS_OK;
}

static int xchg_tcp(cf_t *c, int fd, const uint8_t *msg, size_t len, hs_buf_t *resp)
{
	uint8_t hdr[2];
	uint64_t deadline = cf_now_ms(c) + c->wait_ms;
	hs_buf_t out = HS_BUF_INIT;
	int rc;

	if (connect(fd, (const struct sockaddr *)&c->target.ss, c->target.len) != 0)
		return HS_E_NET;
	hs_buf_append_u16(&out, (uint16_t)len);
	hs_buf_append(&out, msg, len);
	rc = write(fd, out.data, out.len) == (ssize_t)out.len ? HS_OK : HS_E_NET;
	hs_buf_free(&out);
	if (rc == HS_OK)
		rc = read_all(c, fd, hdr, 2, deadline);
	if (rc != HS_OK)
		return rc;
	size_t n = (size_t)(hdr[0] << 8 | hdr[1]);
	hs_buf_reset(resp);
	hs_buf_reserve(resp, n);
	rc = read_all(c, fd, resp->data, n, deadline);
	if (rc == HS_OK)
		resp->len = n;
	return rc;
}

static int exchange_once(cf_t *c, const uint8_t *msg, size_t len, int flags, hs_buf_t *resp)
{
	int fd = -1, rc = open_to(c, flags & CF_X_TCP, flags & CF_X_ALT, &fd);

	if (rc != HS_OK)
		return rc;
	rc = (flags & CF_X_TCP) ? xchg_tcp(c, fd, msg, len, resp) : xchg_udp(c, fd, msg, len, resp);
	close(fd);
	/* what the target sent us meanwhile (its HELLOs, fetches) */
	cf_pump(c, 0);
	return rc;
}

/* A truncated answer without records: TC=1, ANCOUNT 0. */
static int truncated(const hs_buf_t *resp)
{
	return resp->len >= 12 && (resp->data[2] & 0x02) && resp->data[6] == 0 &&
	       resp->data[7] == 0;
}

int cf_exchange(cf_t *c, const uint8_t *msg, size_t len, int flags, hs_buf_t *resp)
{
	if (!(flags & CF_X_UNPROVEN) || (flags & CF_X_TCP))
		return exchange_once(c, msg, len, flags, resp);
	/* LOAD-5: stay below the target's rate limit of unsigned answers */
	uint64_t now = cf_now_ms(c);
	if (c->last_unproven != 0 && now < c->last_unproven + CF_UNPROVEN_GAP_MS)
		cf_pump(c, (unsigned)(c->last_unproven + CF_UNPROVEN_GAP_MS - now));
	int rc = exchange_once(c, msg, len, flags, resp);
	c->last_unproven = cf_now_ms(c);
	if (rc == HS_E_TIMEOUT || (rc == HS_OK && truncated(resp)))
		rc = exchange_once(c, msg, len, flags | CF_X_TCP, resp);
	return rc;
}

/* EDE info code and option 65004 in OPT RDATA. */
static void read_opt(cf_reply_t *r, const uint8_t *p, size_t n)
{
	while (n >= 4) {
		unsigned code = (unsigned)(p[0] << 8 | p[1]), ol = (unsigned)(p[2] << 8 | p[3]);
		if (4 + (size_t)ol > n)
			return;
		if (code == 15 && ol >= 2 && r->ede == 0)
			r->ede = (unsigned)(p[4] << 8 | p[5]);
		if (code == 65004) {
			r->chunk_opt = p + 4;
			r->chunk_opt_len = ol;
		}
		p += 4 + ol;
		n -= 4 + ol;
	}
}

void cf_reply_read(cf_t *c, const uint8_t *msg, size_t len, cf_reply_t *r)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	sig0_verdict_t v;
	int rc;

	memset(r, 0, sizeof(*r));
	if (dnsmsg_open(&it, msg, len) != HS_OK)
		return;
	r->id = it.hdr.id;
	r->flags = it.hdr.flags;
	r->rcode = it.hdr.flags & 15;
	r->ancount = it.hdr.count[1];
	while ((rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section == DNSMSG_QUESTION && rr.index == 0) {
			if (dnsmsg_name_expand(msg, len, rr.off, r->qname, &r->qname_len, NULL) ==
			    HS_OK) {
				r->has_question = 1;
				r->qtype = rr.type;
			}
		} else if (rr.section == DNSMSG_ADDITIONAL && rr.type == T_OPT && !r->has_opt) {
			r->has_opt = 1;
			r->opt_size = rr.rclass;
			r->opt_version = (uint8_t)(rr.ttl >> 16);
			r->opt_flags = (uint16_t)rr.ttl;
			r->rcode |= (rr.ttl >> 24) << 4;
			read_opt(r, msg + rr.rdata_off, rr.rdlen);
		}
	}
	r->ok = rc == HS_E_NOTFOUND && dnsmsg_end(&it) == HS_OK && (r->flags & 0x8000);
	rc = sig0_verify(msg, len, (const sig0_key_t *const *)c->tkeys, c->ntkeys, hs_now_s(c->env),
	                 NULL, &v);
	r->sig_valid = rc == HS_OK;
	r->sig_present = v.status != SIG0_UNSIGNED;
	snprintf(r->signer, sizeof(r->signer), "%s", v.signer);
	snprintf(r->sig_why, sizeof(r->sig_why), "%s", v.reason);
}

/* The question of a request we built: QNAME and QTYPE. */
static int req_question(const hs_buf_t *req, uint8_t *qname, size_t *qlen, uint16_t *qtype)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;

	if (dnsmsg_open(&it, req->data, req->len) != HS_OK || it.hdr.count[0] == 0 ||
	    dnsmsg_next(&it, &rr) != HS_OK ||
	    dnsmsg_name_expand(req->data, req->len, rr.off, qname, qlen, NULL) != HS_OK)
		return 0;
	*qtype = rr.type;
	return 1;
}

/* 1 when the request has an OPT RR that parses. */
static int req_has_opt(const hs_buf_t *req)
{
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;

	if (dnsmsg_open(&it, req->data, req->len) != HS_OK)
		return 0;
	while (dnsmsg_next(&it, &rr) == HS_OK)
		if (rr.section == DNSMSG_ADDITIONAL && rr.type == T_OPT)
			return 1;
	return 0;
}

static int check_reply(cf_t *c, const hs_buf_t *req, const hs_buf_t *resp, const cf_reply_t *r,
                       int unproven)
{
	uint8_t qn[256];
	size_t ql = 0;
	uint16_t qt = 0;
	char want[300];
	int before = cf_failed(c);

	snprintf(want, sizeof(want), "dns.%s", c->target_id);
	if (!cf_expect(c, r->ok, "the reply is not a well-formed DNS response"))
		return 0;
	cf_expect(c, r->id == (uint16_t)(req->data[0] << 8 | req->data[1]),
	          "reply id %u is not the request's", r->id);
	if (req_question(req, qn, &ql, &qt))
		cf_expect(c,
		          r->has_question && r->qtype == qt &&
		              dnsmsg_name_equal(r->qname, r->qname_len, qn, ql),
		          "the question is not echoed (TP-38)");
	if (unproven) {
		/* SIG-23, LOAD-4: the request proved nothing, so the answer
		 * is not signed and never longer than the request */
		cf_expect(
		    c, !r->sig_present,
		    "the refusal of a request that proved nothing is signed (SIG-23, LOAD-4)");
		cf_expect(c, resp->len <= req->len,
		          "the refusal (%zu octets) is longer than the request (%zu) (LOAD-4)",
		          resp->len, req->len);
	} else {
		/* TP-9, SIG-26: every other reply signed by the responder under dns.<id> */
		cf_expect(c, r->sig_valid,
		          "the reply's SIG(0) does not verify with the target's KEY: %s",
		          r->sig_why);
	}
	if (r->sig_valid) {
		char signer[TP_IDENT_MAX];
		cf_expect(c,
		          tp_ident_canon(r->signer, signer) == HS_OK &&
		              tp_signer_name_ok(signer, c->target_id),
		          "the reply is signed as '%s', not as '%s' (TP-9)", r->signer, want);
	}
	/* TP-44: QR, opcode copied, AA set, RD copied */
	cf_expect(c, (r->flags & 0x7800) == (req->data[2] << 8 & 0x7800),
	          "the reply's opcode is not the request's (TP-44)");
	cf_expect(c, (r->flags & 0x0400) != 0, "AA is not set in the reply (TP-44)");
	cf_expect(c, (r->flags & 0x0100) == (req->data[2] << 8 & 0x0100),
	          "RD is not copied into the reply (TP-44)");
	/* TP-39: an OPT RR exactly when the request had one (RFC 6891 7) */
	int want_opt = req_has_opt(req);
	if (want_opt)
		cf_expect(c, r->has_opt, "no OPT RR in the reply to a request with one (TP-39)");
	else
		cf_expect(c, !r->has_opt,
		          "an OPT RR in the reply to a request without one (TP-39, RFC 6891 7)");
	if (r->has_opt)
		cf_expect(c, r->opt_size == 1232 && r->opt_version == 0,
		          "the reply's OPT advertises %u octets, version %u (TP-44: 1232, 0)",
		          r->opt_size, r->opt_version);
	if (cf_failed(c) && !before) {
		cf_note_msg(c, "sent", req->data, req->len);
		cf_note_msg(c, "got", resp->data, resp->len);
	}
	return !cf_failed(c);
}

int cf_check_reply(cf_t *c, const hs_buf_t *req, const hs_buf_t *resp, const cf_reply_t *r)
{
	return check_reply(c, req, resp, r, 0);
}

int cf_check_refusal(cf_t *c, const hs_buf_t *req, const hs_buf_t *resp, const cf_reply_t *r)
{
	return check_reply(c, req, resp, r, 1);
}

int cf_expect_error(cf_t *c, const hs_buf_t *req, int flags, unsigned rcode, unsigned ede)
{
	hs_buf_t resp = HS_BUF_INIT;
	cf_reply_t r;
	int rc = cf_exchange(c, req->data, req->len, flags, &resp), ok = 0;

	if (rc != HS_OK) {
		cf_fail(c, "no reply: %s", hs_strerror(rc));
		cf_note_msg(c, "sent", req->data, req->len);
		goto cleanup;
	}
	cf_reply_read(c, resp.data, resp.len, &r);
	/* notes the messages on failure */
	(void)check_reply(c, req, &resp, &r, (flags & CF_X_UNPROVEN) != 0);
	int before = cf_failed(c);
	cf_expect(c, r.rcode == rcode, "RCODE %u, want %u", r.rcode, rcode);
	if (ede != 0)
		cf_expect(c, r.ede == ede, "EDE %u, want %u", r.ede, ede);
	else
		cf_expect(c, r.ede == 0, "EDE %u where none can be sent", r.ede);
	if (cf_failed(c) && !before) {
		cf_note_msg(c, "sent", req->data, req->len);
		cf_note_msg(c, "got", resp.data, resp.len);
	}
	ok = r.ok && r.rcode == rcode && r.ede == ede;
cleanup:
	hs_buf_free(&resp);
	return ok;
}
