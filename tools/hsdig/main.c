/* hsdig -- the operator's dig-like query tool. Options: options.c; the work
 * is done by src/transport/query.h and src/wire/pktprint.h. */
#include "hsdig/hsdig.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "transport/query.h"
#include "util/encoding.h"
#include "util/env.h"
#include "util/xmalloc.h"
#include "wire/dnsmsg.h"
#include "wire/pktprint.h"

/* First IP-literal nameserver of /etc/resolv.conf, else 127.0.0.1. */
static const char *default_server(char *buf, size_t len)
{
	FILE *f = fopen("/etc/resolv.conf", "r");
	char line[256];
	const char *found = "127.0.0.1";

	if (!f)
		return found;
	while (fgets(line, sizeof(line), f)) {
		char *tok = strtok(line, " \t\r\n");
		char *addr = tok ? strtok(NULL, " \t\r\n") : NULL;
		tp_addr_t a;
		if (tok && addr && strcmp(tok, "nameserver") == 0 &&
		    tp_addr_parse(addr, 53, &a, NULL) == HS_OK) {
			snprintf(buf, len, "%s", addr);
			found = buf;
			break;
		}
	}
	fclose(f);
	return found;
}

/* @SERVER as an address literal, else a host name's first address
 * (dig takes both). */
static int server_addr(const char *host, uint16_t port, tp_addr_t *out, hs_errmsg_t *em)
{
	struct addrinfo hints, *res = NULL;
	char ip[INET6_ADDRSTRLEN];
	int rc;

	if (tp_addr_parse(host, port, out, NULL) == HS_OK)
		return HS_OK;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || res == NULL)
		return hs_fail(em, HS_E_INVAL, "couldn't get address for '%s': %s", host,
		               rc != 0 ? gai_strerror(rc) : "no address");
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip, sizeof(ip));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, ip,
		          sizeof(ip));
	freeaddrinfo(res);
	return tp_addr_parse(ip, port, out, em);
}

/* What the display flags leave of the full form. */
static unsigned print_flags(const struct hsdig_opts *o)
{
	return (o->comments ? 0 : PKT_PRINT_NO_COMMENTS) |
	       (o->question ? 0 : PKT_PRINT_NO_QUESTION) | (o->answer ? 0 : PKT_PRINT_NO_ANSWER) |
	       (o->authority ? 0 : PKT_PRINT_NO_AUTHORITY) |
	       (o->additional ? 0 : PKT_PRINT_NO_ADDITIONAL);
}

/* ---- zone transfers: every message's answer, until the closing SOA ---- */

struct xfr {
	const struct hsdig_opts *o;
	unsigned msgs, soas, rrs;
	size_t bytes;
	uint32_t first_serial;
	int bad;
	hs_errmsg_t em;
};

static int xfr_msg(void *arg, const uint8_t *msg, size_t len)
{
	struct xfr *x = arg;
	hs_buf_t txt = HS_BUF_INIT;
	dnsmsg_iter_t it;
	dnsmsg_rr_t rr;
	int rc, done = 0;
	unsigned flags = x->o->shortform ? PKT_PRINT_SHORT
	                                 : PKT_PRINT_NO_COMMENTS | PKT_PRINT_NO_QUESTION |
	                                       PKT_PRINT_NO_AUTHORITY | PKT_PRINT_NO_ADDITIONAL;

	x->msgs++;
	x->bytes += len;
	if ((msg[3] & 0x0f) != 0) /* refused or failed: show the whole answer */
		flags = x->o->shortform ? PKT_PRINT_SHORT : print_flags(x->o);
	if (pkt_print(msg, len, flags, &txt, &x->em) != HS_OK) {
		hs_buf_free(&txt);
		x->bad = 1;
		return HS_E_MALFORMED;
	}
	fputs(hs_buf_cstr(&txt), stdout);
	hs_buf_free(&txt);
	if ((msg[3] & 0x0f) != 0)
		return 1; /* the server said no: nothing follows */
	rc = dnsmsg_open(&it, msg, len);
	while (rc == HS_OK && (rc = dnsmsg_next(&it, &rr)) == HS_OK) {
		if (rr.section != DNSMSG_ANSWER)
			continue;
		x->rrs++;
		done = 0;
		if (rr.type == 6 && rr.rdlen >= 20) {
			const uint8_t *s = msg + rr.rdata_off + rr.rdlen - 20;
			uint32_t serial = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
			                  (uint32_t)s[2] << 8 | s[3];
			if (x->soas++ == 0)
				x->first_serial = serial;
			else if (serial == x->first_serial)
				done = 1; /* the closing SOA, if nothing follows it */
		}
	}
	/* an IXFR answer that is only the SOA: the zone is current */
	if (x->soas == 1 && x->rrs == 1 && x->o->qtype == 251)
		done = 1;
	return done;
}

static int run_xfr(const struct hsdig_opts *o, const tp_addr_t *server, const hs_buf_t *msg,
                   const tp_query_opts_t *qo, const char *who, int argc, char **argv)
{
	struct xfr x;
	tp_query_info_t info;
	hs_errmsg_t em;

	memset(&x, 0, sizeof(x));
	x.o = o;
	hs_errmsg_clear(&em);
	if (o->cmd && !o->shortform) {
		printf("\n; <<>> hsdig <<>>");
		for (int i = 1; i < argc; i++)
			printf(" %s", argv[i]);
		printf("\n");
	}
	if (tp_query_stream(server, msg->data, msg->len, qo, xfr_msg, &x, &info, &em) != HS_OK) {
		if (x.bad)
			return cli_err(HSDIG_EXIT_NOREPLY, "bad message in the transfer: %s",
			               hs_errmsg_str(&x.em));
		return cli_err(HSDIG_EXIT_NOREPLY, "transfer from %s failed: %s", who,
		               hs_errmsg_str(&em));
	}
	if (o->stats && !o->shortform) {
		printf(";; Query time: %llu msec\n", (unsigned long long)info.rtt_ms);
		printf(";; SERVER: %s(TCP)\n", who);
		printf(";; XFR size: %u records (messages %u, bytes %zu)\n\n", x.rrs, x.msgs,
		       x.bytes);
	}
	return HSDIG_EXIT_OK;
}

static void print_cmdline(int argc, char **argv)
{
	printf("\n; <<>> hsdig <<>>");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
}

/* A reply that does not parse: say why and show the bytes. */
static void print_bad(const hs_buf_t *ans, const hs_errmsg_t *em)
{
	char *hex = xmalloc(2 * ans->len + 1);
	hs_hex_encode(hex, ans->data, ans->len);
	printf(";; Got bad packet: %s\n;; %zu bytes\n", hs_errmsg_str(em), ans->len);
	for (size_t i = 0; i < 2 * ans->len; i += 64)
		printf("%.64s\n", hex + i);
	free(hex);
}

static int run(const struct hsdig_opts *o, int argc, char **argv)
{
	char sbuf[128], bindbuf[128], who[80];
	hs_buf_t msg = HS_BUF_INIT, ans = HS_BUF_INIT, txt = HS_BUF_INIT;
	tp_addr_t server, src;
	tp_query_info_t info;
	hs_errmsg_t em;
	uint8_t idb[2];
	int rc = HSDIG_EXIT_INTERNAL;

	hs_errmsg_clear(&em);
	const char *host = o->server ? o->server : default_server(sbuf, sizeof(sbuf));
	if (server_addr(host, (uint16_t)o->port, &server, &em) != HS_OK) {
		rc = cli_err(HSDIG_EXIT_USAGE, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	tp_query_opts_t qo = {
	    .proto = o->tcp ? TP_PROTO_TCP : TP_PROTO_UDP,
	    .timeout_ms = o->time_s * 1000,
	    .tries = o->tries,
	};
	if (o->bind) {
		unsigned bport = 0;
		snprintf(bindbuf, sizeof(bindbuf), "%s", o->bind);
		char *hash = strrchr(bindbuf, '#');
		if (hash) {
			*hash = '\0';
			bport = (unsigned)atoi(hash + 1);
		}
		if (bport > 65535 || tp_addr_parse(bindbuf, (uint16_t)bport, &src, &em) != HS_OK) {
			rc = cli_err(HSDIG_EXIT_USAGE, "-b: %s", hs_errmsg_str(&em));
			goto cleanup;
		}
		qo.bind = &src;
	}

	tp_question_t q = {
	    .name = o->name,
	    .qtype = o->qtype,
	    .qclass = o->qclass,
	    .opcode = o->notify ? TP_OPCODE_NOTIFY : TP_OPCODE_QUERY,
	    .flags = (uint16_t)(o->notify ? TP_FLAG_AA : (o->rec ? TP_FLAG_RD : 0)) |
	             (o->cd ? TP_FLAG_CD : 0),
	    .edns = o->edns,
	    .edns_do = o->dnssec,
	    .udp_size = (uint16_t)o->bufsize,
	    .opts = o->edns_opts.data,
	    .opts_len = o->edns_opts.len,
	};
	const hs_env_t *env = hs_env_system();
	if (env->random(env->arg, idb, sizeof(idb)) != HS_OK) {
		rc = cli_err(HSDIG_EXIT_INTERNAL, "no randomness for the message id");
		goto cleanup;
	}
	if (tp_msg_build(&q, (uint16_t)(idb[0] << 8 | idb[1]), &msg, &em) != HS_OK) {
		rc = cli_err(HSDIG_EXIT_USAGE, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	char signote[320];
	int sigrc = hsdig_sig0_sign(o, &msg, signote, sizeof(signote));
	if (sigrc >= 0) {
		rc = sigrc;
		goto cleanup;
	}
	tp_addr_str(&server, who, sizeof(who));
	if (o->qtype == 252 || o->qtype == 251) {
		rc = run_xfr(o, &server, &msg, &qo, who, argc, argv);
		goto cleanup;
	}
	if (tp_query(&server, msg.data, msg.len, &qo, &ans, &info, &em) != HS_OK) {
		rc = cli_err(HSDIG_EXIT_NOREPLY, "no reply from %s: %s", who, hs_errmsg_str(&em));
		goto cleanup;
	}
	if (pkt_print(ans.data, ans.len, o->shortform ? PKT_PRINT_SHORT : print_flags(o), &txt,
	              &em) != HS_OK) {
		print_bad(&ans, &em);
		rc = HSDIG_EXIT_NOREPLY;
		goto cleanup;
	}
	if (o->shortform) {
		fputs(hs_buf_cstr(&txt), stdout);
	} else {
		if (o->cmd)
			print_cmdline(argc, argv);
		if (o->comments) {
			if (info.tc_fallback)
				printf(";; Truncated, retrying in TCP mode.\n");
			printf(";; Got answer:\n");
		}
		fputs(hs_buf_cstr(&txt), stdout);
		if (o->stats) {
			printf("\n;; Query time: %llu msec\n", (unsigned long long)info.rtt_ms);
			printf(";; SERVER: %s(%s)\n", who, info.used_tcp ? "TCP" : "UDP");
			printf(";; MSG SIZE  rcvd: %zu\n", ans.len);
			fputs(signote, stdout);
			hsdig_sig0_report(o, ans.data, ans.len, stdout);
			printf("\n");
		}
	}
	rc = HSDIG_EXIT_OK;

cleanup:
	hs_buf_free(&msg);
	hs_buf_free(&ans);
	hs_buf_free(&txt);
	return rc;
}

int main(int argc, char **argv)
{
	struct hsdig_opts o;
	int rc = cli_start("hsdig", argc, argv, NULL, hsdig_usage);
	if (rc >= 0)
		return rc;
	rc = hsdig_parse_args(argc, argv, &o);
	if (rc < 0)
		rc = run(&o, argc, argv);
	hsdig_opts_free(&o);
	return fflush(stdout) == 0 ? rc : HSDIG_EXIT_INTERNAL;
}
