/* hsdig -- the operator's dig-like query tool. Options: options.c; the work
 * is done by src/transport/query.h and src/wire/pktprint.h. */
#include "hsdig/hsdig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "transport/query.h"
#include "util/encoding.h"
#include "util/env.h"
#include "util/xmalloc.h"
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
	if (tp_addr_parse(host, (uint16_t)o->port, &server, &em) != HS_OK) {
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
	if (tp_query(&server, msg.data, msg.len, &qo, &ans, &info, &em) != HS_OK) {
		rc = cli_err(HSDIG_EXIT_NOREPLY, "no reply from %s: %s", who, hs_errmsg_str(&em));
		goto cleanup;
	}
	if (pkt_print(ans.data, ans.len, o->shortform ? PKT_PRINT_SHORT : 0, &txt, &em) != HS_OK) {
		print_bad(&ans, &em);
		rc = HSDIG_EXIT_NOREPLY;
		goto cleanup;
	}
	if (o->shortform) {
		fputs(hs_buf_cstr(&txt), stdout);
	} else {
		if (o->comments) {
			print_cmdline(argc, argv);
			if (info.tc_fallback)
				printf(";; Truncated, retrying in TCP mode.\n");
			printf(";; Got answer:\n");
		}
		fputs(hs_buf_cstr(&txt), stdout);
		if (o->comments) {
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
	int rc = hsdig_parse_args(argc, argv, &o);
	if (rc < 0)
		rc = run(&o, argc, argv);
	hsdig_opts_free(&o);
	return fflush(stdout) == 0 ? rc : HSDIG_EXIT_INTERNAL;
}
