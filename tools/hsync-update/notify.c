/* hsync-update notify cds|csync: tell the parent's scanner that the
 * child's CDS/CDNSKEY or CSYNC changed (RFC 9859 NOTIFY scheme,
 * draft-hsync-parent PS-50). A NOTIFY is not signed: the scanner asks the
 * child's nameservers itself and trusts only what they answer. */
#include "hsync-update/hsync-update.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/cli.h"
#include "wire/update.h"

static const char notify_help[] =
    "usage: hsync-update notify cds|csync --zone CHILD --server ADDR[@PORT] [OPTIONS]\n"
    "\n"
    "Send NOTIFY(CDS) or NOTIFY(CSYNC) for CHILD to the parent's scanner (the\n"
    "target of its DSYNC record with the NOTIFY scheme; give its address with\n"
    "--server). The scanner answers NOERROR at once and then asks every\n"
    "nameserver of the child's delegation for its CDS/CDNSKEY (or CSYNC); a\n"
    "NOTIFY only makes it look sooner (PS-50..PS-57). Exit 0 on NOERROR.\n"
    "\n"
    "Options:\n"
    "  -z, --zone CHILD         the child zone\n"
    "  -s, --server ADDR[@PORT] the scanner's address\n"
    "  -t, --tcp                over TCP\n"
    "  -w, --timeout SECS       per try (default 5)\n"
    "  -T, --tries N            UDP tries (default 3)\n"
    "  -q, --quiet              print nothing\n";

int hu_cmd_notify(int argc, char **argv)
{
	struct hu_opts o;
	hs_buf_t msg = HS_BUF_INIT, ans = HS_BUF_INIT;
	tp_question_t q;
	tp_query_opts_t qo;
	hs_upd_reply_t r;
	hs_errmsg_t em;
	uint16_t type;
	uint8_t idb[2] = {0, 0};
	int rc;
	FILE *ur;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			fputs(notify_help, stdout);
			return HU_EXIT_OK;
		}
		return cli_err(HU_EXIT_USAGE, "notify: cds or csync first");
	}
	if (strcasecmp(argv[1], "cds") == 0)
		type = 59;
	else if (strcasecmp(argv[1], "csync") == 0)
		type = 62;
	else
		return cli_err(HU_EXIT_USAGE, "notify: '%s': cds or csync", argv[1]);
	rc = hu_parse(argc - 1, argv + 1, notify_help, &o);
	if (rc >= 0)
		return rc;
	if (o.zone == NULL || !o.has_server) {
		rc = cli_err(HU_EXIT_USAGE, "notify needs --zone and --server");
		goto cleanup;
	}
	memset(&q, 0, sizeof(q));
	q.name = o.zone;
	q.qtype = type;
	q.qclass = 1;
	q.opcode = TP_OPCODE_NOTIFY;
	q.flags = TP_FLAG_AA;
	ur = fopen("/dev/urandom", "rb");
	if (ur != NULL) {
		if (fread(idb, 1, 2, ur) != 2)
			idb[0] = idb[1] = 0;
		fclose(ur);
	}
	hs_errmsg_clear(&em);
	if (tp_msg_build(&q, (uint16_t)(idb[0] << 8 | idb[1]), &msg, &em) != HS_OK) {
		rc = cli_err(HU_EXIT_USAGE, "notify: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	memset(&qo, 0, sizeof(qo));
	qo.proto = o.tcp ? TP_PROTO_TCP : TP_PROTO_UDP;
	qo.timeout_ms = o.timeout_s * 1000;
	qo.tries = o.tries;
	if (tp_query(&o.server, msg.data, msg.len, &qo, &ans, NULL, &em) != HS_OK) {
		rc = cli_err(HU_EXIT_NOANSWER, "notify: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (hs_upd_reply_parse(ans.data, ans.len, &r) != HS_OK || r.opcode != 4) {
		rc = cli_err(HU_EXIT_NOANSWER, "notify: the answer is not a NOTIFY response");
		goto cleanup;
	}
	if (!o.quiet) {
		char b[32];
		printf(";; NOTIFY(%s) %s: %s%s%s\n", type == 59 ? "CDS" : "CSYNC", o.zone,
		       hs_rcode_name(r.rcode, b, sizeof(b)), r.has_ede ? " " : "",
		       r.has_ede ? r.ede_text : "");
	}
	rc = r.rcode == 0 ? HU_EXIT_OK : HU_EXIT_REFUSED;
cleanup:
	hs_buf_free(&msg);
	hs_buf_free(&ans);
	hu_opts_free(&o);
	return rc;
}
