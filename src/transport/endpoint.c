/*
 * endpoint.c -- the endpoint object: binding UDP and TCP on one port,
 * the UDP socket, dispatch of requests, replies and counters.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport/endpoint_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define BIND_TRIES          8
#define LISTEN_BACKLOG      128
#define UDP_READS_PER_EVENT 64

void tp_endpoint_config_default(tp_endpoint_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->udp_max = 1232;
	cfg->tcp_idle_ms = 10000;
	cfg->tcp_max_conns = 64;
	cfg->tcp_max_per_source = 8;
	cfg->tcp_max_inflight = 32;
	cfg->tcp_max_buffered = 262144;
	cfg->tcp_max_msg = TP_MSG_MAX;
	cfg->tcp_client_idle_ms = 2000;
}

/* Zero means the default; sizes are kept within what DNS allows. */
static void config_fix(tp_endpoint_config_t *cfg)
{
	tp_endpoint_config_t d;
	tp_endpoint_config_default(&d);
	if (cfg->udp_max == 0)
		cfg->udp_max = d.udp_max;
	if (cfg->udp_max < TP_UDP_MIN_SIZE)
		cfg->udp_max = TP_UDP_MIN_SIZE;
	if (cfg->udp_max > TP_MSG_MAX)
		cfg->udp_max = TP_MSG_MAX;
	if (cfg->tcp_idle_ms == 0)
		cfg->tcp_idle_ms = d.tcp_idle_ms;
	if (cfg->tcp_max_conns == 0)
		cfg->tcp_max_conns = d.tcp_max_conns;
	if (cfg->tcp_max_per_source == 0)
		cfg->tcp_max_per_source = d.tcp_max_per_source;
	if (cfg->tcp_max_inflight == 0)
		cfg->tcp_max_inflight = d.tcp_max_inflight;
	if (cfg->tcp_max_buffered == 0)
		cfg->tcp_max_buffered = d.tcp_max_buffered;
	if (cfg->tcp_max_msg == 0 || cfg->tcp_max_msg > TP_MSG_MAX)
		cfg->tcp_max_msg = TP_MSG_MAX;
	if (cfg->tcp_max_msg < TP_DNS_HDR_LEN)
		cfg->tcp_max_msg = TP_DNS_HDR_LEN;
	if (cfg->tcp_client_idle_ms == 0)
		cfg->tcp_client_idle_ms = d.tcp_client_idle_ms;
}

static int open_socket(const tp_peer_addr_t *addr, int type)
{
	int fd = socket(addr->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	if (addr->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* UDP first (the kernel picks the port when it is 0), then TCP on the same
 * port; when the kernel's pick is taken for TCP, start over. */
static int bind_both(const tp_peer_addr_t *want, int *udp_out, int *tcp_out, tp_peer_addr_t *bound)
{
	char txt[80];
	tp_peer_addr_str(want, txt, sizeof(txt));
	for (int attempt = 0; attempt < BIND_TRIES; attempt++) {
		tp_peer_addr_t a = *want;
		int udp = open_socket(&a, SOCK_DGRAM);
		if (udp < 0) {
			int e = errno;
			log_debug(TP_LOG, "cannot bind udp '%s': %s", txt, strerror(e));
			errno = e; /* the caller reports it (log_debug may clobber it) */
			return HS_E_NET;
		}
		a.len = sizeof(a.ss);
		if (getsockname(udp, (struct sockaddr *)&a.ss, &a.len) != 0) {
			log_err(TP_LOG, "getsockname: %s", strerror(errno));
			close(udp);
			return HS_E_NET;
		}
		int tcp = open_socket(&a, SOCK_STREAM);
		if (tcp >= 0 && listen(tcp, LISTEN_BACKLOG) == 0) {
			*udp_out = udp;
			*tcp_out = tcp;
			*bound = a;
			return HS_OK;
		}
		int e = errno;
		if (tcp >= 0)
			close(tcp);
		close(udp);
		if (e != EADDRINUSE || tp_peer_addr_port(want) != 0) {
			log_debug(TP_LOG, "cannot bind tcp '%s': %s", txt, strerror(e));
			errno = e;
			return HS_E_NET;
		}
		log_debug(TP_LOG, "port %u taken for tcp, trying another", tp_peer_addr_port(&a));
	}
	log_err(TP_LOG, "no common udp/tcp port for '%s'", txt);
	return HS_E_NET;
}

tp_reply_t *ep_reply_new(tp_endpoint_t *ep, int proto, const tp_peer_addr_t *src, size_t limit,
                         struct srv_conn *conn)
{
	tp_reply_t *r = xcalloc(1, sizeof(*r));
	r->ep = ep;
	r->proto = proto;
	r->src = *src;
	r->limit = limit;
	r->conn = conn;
	LIST_INSERT_HEAD(&ep->replies, r, link);
	return r;
}

static void reply_free(tp_reply_t *r)
{
	LIST_REMOVE(r, link);
	free(r);
}

void ep_dispatch(tp_endpoint_t *ep, const tp_peer_addr_t *src, int proto, const uint8_t *msg,
                 size_t len, tp_reply_t *reply)
{
	ep->ctr.requests++;
	ep->handler(ep, src, proto, msg, len, reply, ep->arg);
}

static void udp_datagram(tp_endpoint_t *ep, const tp_peer_addr_t *src, const uint8_t *msg,
                         size_t len)
{
	tp_req_info_t info;
	if (tp_req_parse_header(msg, len, &info) != HS_OK) {
		ep->ctr.udp_dropped++;
		return;
	}
	if (info.flags & EP_FLAG_QR) {
		ep_cli_udp_response(ep, src, msg, len);
		return;
	}
	if (ep->handler == NULL) {
		ep->ctr.udp_dropped++;
		return;
	}
	/* a request whose OPT cannot be read gets the RFC 1035 size */
	if (tp_req_parse(msg, len, &info) != HS_OK)
		info.has_opt = 0;
	size_t limit = tp_req_udp_limit(&info, ep->cfg.udp_max);
	ep_dispatch(ep, src, TP_EP_UDP, msg, len, ep_reply_new(ep, TP_EP_UDP, src, limit, NULL));
}

/* Send the replies made during a burst: one sendmmsg for all of them. */
static void udp_out_flush(tp_endpoint_t *ep)
{
	struct mmsghdr mm[EP_TX_BATCH];
	struct iovec iov[EP_TX_BATCH];
	unsigned i, done = 0;

	for (i = 0; i < ep->nout; i++) {
		iov[i].iov_base = ep->out[i].msg;
		iov[i].iov_len = ep->out[i].len;
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_name = &ep->out[i].dst.ss;
		mm[i].msg_hdr.msg_namelen = ep->out[i].dst.len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < ep->nout) {
		int n = sendmmsg(ep->udp_fd, mm + done, ep->nout - done, 0);
		if (n <= 0) {
			/* this one failed (a full buffer, say): the rest still go */
			log_debug(TP_LOG, "udp reply sendmmsg: %s", strerror(errno));
			ep->ctr.udp_send_err++;
			done++;
			continue;
		}
		ep->ctr.udp_out += (uint64_t)n;
		done += (unsigned)n;
	}
	for (i = 0; i < ep->nout; i++)
		free(ep->out[i].msg);
	ep->nout = 0;
}

static void udp_readable(evutil_socket_t fd, short what, void *arg)
{
	tp_endpoint_t *ep = arg;
	struct mmsghdr mm[EP_RX_BATCH];
	struct iovec iov[EP_RX_BATCH];
	tp_peer_addr_t src[EP_RX_BATCH];
	int rounds = UDP_READS_PER_EVENT / EP_RX_BATCH;

	ep->in_burst = 1;
	while (rounds-- > 0) {
		for (int i = 0; i < EP_RX_BATCH; i++) {
			iov[i].iov_base = ep->rxbufs + (size_t)i * ep->rx_size;
			iov[i].iov_len = ep->rx_size;
			memset(&mm[i], 0, sizeof(mm[i]));
			memset(&src[i], 0, sizeof(src[i]));
			mm[i].msg_hdr.msg_name = &src[i].ss;
			mm[i].msg_hdr.msg_namelen = sizeof(src[i].ss);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(fd, mm, EP_RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_debug(TP_LOG, "udp recvmmsg: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			ep->ctr.udp_in++;
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) { /* larger than we take */
				ep->ctr.udp_dropped++;
				continue;
			}
			src[i].len = mm[i].msg_hdr.msg_namelen;
			udp_datagram(ep, &src[i], iov[i].iov_base, mm[i].msg_len);
		}
		if (n < EP_RX_BATCH)
			break;
	}
	ep->in_burst = 0;
	udp_out_flush(ep);
}

static void listener_error(struct evconnlistener *l, void *arg)
{
	/* e.g. EMFILE: libevent keeps the listener; log and go on */
	log_warn(TP_LOG, "tcp accept: %s", strerror(errno));
}

int tp_endpoint_new(tp_loop_t *loop, const tp_peer_addr_t *addr, const tp_endpoint_config_t *cfg,
                    tp_request_fn handler, void *arg, tp_endpoint_t **out)
{
	tp_endpoint_t *ep = NULL;
	int udp = -1, tcp = -1, rc;
	tp_peer_addr_t bound;

	if (loop == NULL || addr == NULL || out == NULL ||
	    (addr->ss.ss_family != AF_INET && addr->ss.ss_family != AF_INET6))
		return HS_E_INVAL;
	rc = bind_both(addr, &udp, &tcp, &bound);
	if (rc != HS_OK)
		goto cleanup;
	ep = xcalloc(1, sizeof(*ep));
	ep->loop = loop;
	if (cfg != NULL)
		ep->cfg = *cfg;
	else
		tp_endpoint_config_default(&ep->cfg);
	config_fix(&ep->cfg);
	ep->addr = bound;
	/* any datagram (a peer's udp-max may exceed ours): EP_RX_BATCH
	 * buffers of the largest DNS message, 1 MiB per endpoint */
	ep->rx_size = TP_MSG_MAX;
	ep->rxbufs = xmalloc(EP_RX_BATCH * ep->rx_size);
	ep->handler = handler;
	ep->arg = arg;
	ep->udp_fd = udp;
	LIST_INIT(&ep->srv);
	LIST_INIT(&ep->cli);
	LIST_INIT(&ep->sends);
	LIST_INIT(&ep->replies);
	ep->udp_ev = event_new(loop->base, udp, EV_READ | EV_PERSIST, udp_readable, ep);
	ep->listener =
	    evconnlistener_new(loop->base, ep_srv_accept, ep, LEV_OPT_CLOSE_ON_FREE, 0, tcp);
	if (ep->udp_ev == NULL || ep->listener == NULL || event_add(ep->udp_ev, NULL) != 0) {
		log_err(TP_LOG, "cannot register endpoint sockets");
		rc = HS_E_INTERNAL;
		goto cleanup;
	}
	tcp = -1; /* owned by the listener */
	evconnlistener_set_error_cb(ep->listener, listener_error);
	char txt[80];
	tp_peer_addr_str(&bound, txt, sizeof(txt));
	log_debug(TP_LOG, "endpoint listening on '%s' (udp and tcp)", txt);
	*out = ep;
	ep = NULL;
	udp = -1;
	rc = HS_OK;
cleanup:
	if (ep != NULL) {
		if (ep->udp_ev != NULL)
			event_free(ep->udp_ev);
		if (ep->listener != NULL) {
			evconnlistener_free(ep->listener);
			tcp = -1;
		}
		free(ep->rxbufs);
		free(ep);
	}
	if (udp >= 0)
		close(udp);
	if (tcp >= 0)
		close(tcp);
	return rc;
}

void tp_endpoint_free(tp_endpoint_t *ep)
{
	if (ep == NULL)
		return;
	ep->closing = 1;
	while (!LIST_EMPTY(&ep->sends))
		ep_send_complete(LIST_FIRST(&ep->sends), HS_E_STATE, NULL, 0);
	while (!LIST_EMPTY(&ep->cli))
		ep_cli_conn_free(LIST_FIRST(&ep->cli));
	while (!LIST_EMPTY(&ep->srv))
		ep_srv_close(LIST_FIRST(&ep->srv), "endpoint closing");
	while (!LIST_EMPTY(&ep->replies))
		reply_free(LIST_FIRST(&ep->replies));
	evconnlistener_free(ep->listener);
	event_free(ep->udp_ev);
	udp_out_flush(ep);
	close(ep->udp_fd);
	free(ep->rxbufs);
	free(ep);
}

void tp_endpoint_addr(const tp_endpoint_t *ep, tp_peer_addr_t *out)
{
	*out = ep->addr;
}

uint16_t tp_endpoint_port(const tp_endpoint_t *ep)
{
	return tp_peer_addr_port(&ep->addr);
}

void tp_endpoint_flush_replies(tp_endpoint_t *ep)
{
	if (ep != NULL && ep->nout > 0)
		udp_out_flush(ep);
}

void tp_endpoint_counters(const tp_endpoint_t *ep, tp_counters_t *out)
{
	*out = ep->ctr;
}

int tp_reply_proto(const tp_reply_t *r)
{
	return r->proto;
}

size_t tp_reply_limit(const tp_reply_t *r)
{
	return r->limit;
}

int tp_reply_send(tp_reply_t *r, const uint8_t *msg, size_t len)
{
	tp_endpoint_t *ep;
	int rc = HS_OK;

	if (r == NULL || msg == NULL || len < TP_DNS_HDR_LEN)
		return HS_E_INVAL;
	ep = r->ep;
	if (len > r->limit) {
		ep->ctr.oversize++;
		return HS_E_RANGE;
	}
	if (r->proto == TP_EP_UDP && ep->in_burst) {
		/* leaves with the burst's other replies (udp_out_flush) */
		if (ep->nout == EP_TX_BATCH)
			udp_out_flush(ep);
		struct ep_udp_out *o = &ep->out[ep->nout++];
		o->msg = xmemdup(msg, len);
		o->len = len;
		o->dst = r->src;
		ep->ctr.replies++;
		if (msg[2] & (EP_FLAG_TC >> 8))
			ep->ctr.truncated++;
	} else if (r->proto == TP_EP_UDP) {
		ssize_t n = sendto(ep->udp_fd, msg, len, 0, (const struct sockaddr *)&r->src.ss,
		                   r->src.len);
		if (n != (ssize_t)len) {
			log_debug(TP_LOG, "udp reply sendto: %s", strerror(errno));
			ep->ctr.udp_send_err++;
			rc = HS_E_NET;
		} else {
			ep->ctr.udp_out++;
			ep->ctr.replies++;
			if (msg[2] & (EP_FLAG_TC >> 8))
				ep->ctr.truncated++;
		}
	} else if (r->conn == NULL) {
		ep->ctr.replies_lost++;
		rc = HS_E_NET;
	} else {
		ep_srv_write(r->conn, msg, len);
		ep->ctr.replies++;
		ep_srv_reply_done(r->conn);
	}
	reply_free(r);
	return rc;
}

void tp_reply_accept(tp_reply_t *r)
{
	if (r != NULL && r->proto == TP_EP_TCP && r->conn != NULL)
		ep_srv_accepted(r->conn);
}

void tp_reply_drop(tp_reply_t *r)
{
	if (r == NULL)
		return;
	if (r->proto == TP_EP_TCP && r->conn != NULL)
		ep_srv_reply_done(r->conn);
	reply_free(r);
}
