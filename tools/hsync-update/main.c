/* hsync-update -- change a child's delegation at its parent by SIG(0)-
 * signed DNS UPDATE (draft-hsync-parent section 9): find the receiver by
 * DSYNC, send, check the signed answer; bootstrap, roll and ask about the
 * child's key. */
#include "hsync-update/hsync-update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "engine/parent/par.h"
#include "util/log.h"
#include "wire/proto.h"

static const char usage[] =
    "usage: hsync-update COMMAND [OPTIONS]\n"
    "\n"
    "Change a child zone's delegation (NS, glue, DS) at its parent with one\n"
    "SIG(0)-signed DNS UPDATE (RFC 2136, RFC 2931), the way an hsync agent does\n"
    "(rfc-drafts/draft-hsync-parent.md section 9): the parent's UPDATE receiver\n"
    "is found by DSYNC (RFC 9859: <label>._dsync.<parent>, then _dsync.<zone>),\n"
    "its bootstrap methods are read from the SVCB at the target, and an answer\n"
    "counts only when it is SIG(0)-signed by the KEY published at the target\n"
    "(validated with DNSSEC from --trust-anchor; --insecure in a lab; or given\n"
    "with --receiver-key). Every attempt is signed anew. Keys are BIND's\n"
    "K<name>+<alg>+<tag> files ('hsync-keygen sig0', 'dnssec-keygen -T KEY').\n"
    "Run 'hsync-update COMMAND --help' for the options of one command.\n"
    "\n"
    "Exit status: 0 the receiver answered NOERROR (signed); 1 it answered\n"
    "something else (signed); 2 usage error or unreadable key; 3 no answer that\n"
    "counts (timeout, unsigned, bad signature); 4 no receiver found, or its key\n"
    "could not be found or validated.\n";

#define COMMON_OPTS                                                                                \
	"  -z, --zone CHILD         the child zone (default: the owner of --key)\n"                \
	"  -p, --parent ZONE        the parent zone (default: from the DSYNC lookup)\n"            \
	"  -s, --server ADDR[@PORT] send to this address (default: the DSYNC target's,\n"          \
	"                           on the DSYNC port); with --parent no DSYNC lookup\n"           \
	"  -r, --resolver ADDR[@PORT]\n"                                                           \
	"                           where DSYNC, SVCB, KEY and address lookups go\n"               \
	"                           (default 127.0.0.1@53)\n"                                      \
	"  -R, --receiver-key FILE|RR\n"                                                           \
	"                           the receiver's public key (a .key file or the KEY\n"           \
	"                           record as text) instead of the KEY at the target\n"            \
	"  -a, --trust-anchor FILE|RR\n"                                                           \
	"                           DS/DNSKEY anchors the receiver's KEY (and the DSYNC)\n"        \
	"                           are validated from; may be repeated\n"                         \
	"      --insecure           lab only: accept the KEY at the target without DNSSEC\n"       \
	"  -t, --tcp                TCP only (default: UDP, TCP on TC=1)\n"                        \
	"  -w, --timeout SECS       wait per attempt (default 5)\n"                                \
	"  -T, --tries N            attempts, 1 s, 2 s, 4 s ... apart, each signed anew\n"         \
	"                           (default 3)\n"                                                 \
	"  -q, --quiet              print nothing but errors\n"                                    \
	"      --save FILE          write the message sent (wire form, the last attempt)\n"        \
	"  -v, --verbose            log the lookups (debug level) to stderr\n"                     \
	"  -h, --help               this text\n"

static const char send_help[] =
    "usage: hsync-update send --key FILE [OPTIONS] {--add RR | --del RR | --del-rrset "
    "'NAME TYPE'}...\n"
    "\n"
    "Send one UPDATE with the records given, in order: deletions and additions of\n"
    "one change together (PS-32), e.g. a nameserver replaced with its glue. The\n"
    "parent takes NS and DS at the child's apex and A/AAAA glue below it, nothing\n"
    "else (PS-11).\n"
    "\n"
    "Options:\n"
    "  -k, --key FILE           the child's trusted SIG(0) key pair (K*.private)\n"
    "  -A, --add RR             add 'OWNER [TTL] [IN] TYPE RDATA' (names absolute)\n"
    "  -D, --del RR             delete that one record ('OWNER TYPE RDATA')\n"
    "  -X, --del-rrset 'OWNER TYPE'\n"
    "                           delete the whole RRset\n"
    "  -L, --ttl SECS           TTL of added records without one (default 3600)\n" COMMON_OPTS "\n"
    "Example:\n"
    "  hsync-update send -k Kexample.lab.+015+12345 -a lab.ds \\\n"
    "      -D 'example.lab. NS ns1.example.lab.' -A 'example.lab. NS ns3.example.lab.' \\\n"
    "      -A 'ns3.example.lab. 300 A 192.0.2.3'\n";

static const char upload_help[] =
    "usage: hsync-update upload --key FILE [OPTIONS]\n"
    "\n"
    "Upload the key self-signed to start its bootstrap (PS-16): 'DEL CHILD ANY KEY'\n"
    "and 'ADD CHILD KEY key', signed with the key itself. The parent trusts it\n"
    "once one of its bootstrap methods (at-apex, at-ns, unsigned, manual; shown\n"
    "from the SVCB) succeeds; follow with 'hsync-update inquire'.\n"
    "\n"
    "Options:\n"
    "  -k, --key FILE           the key to upload\n"
    "  -N, --no-delete          leave 'DEL CHILD ANY KEY' out\n"
    "  -L, --ttl SECS           TTL of the KEY record (default 3600)\n" COMMON_OPTS;

static const char rollover_help[] =
    "usage: hsync-update rollover --key OLD --new-key NEW [OPTIONS]\n"
    "\n"
    "Replace the trusted key by a new one (PS-27): 'ADD CHILD KEY new' and\n"
    "'DEL CHILD KEY old' signed with the old key. After it only the new key\n"
    "signs. A child that lost its key re-bootstraps instead (PS-28): publish the\n"
    "new key where the parent's methods look, without the lost one, and upload.\n"
    "\n"
    "Options:\n"
    "  -k, --key FILE           the trusted key (signs)\n"
    "  -n, --new-key FILE       the new key\n"
    "  -L, --ttl SECS           TTL of the KEY record (default 3600)\n" COMMON_OPTS;

static const char inquire_help[] =
    "usage: hsync-update inquire --key FILE [OPTIONS]\n"
    "\n"
    "Ask the parent where the key stands (KeyState EDNS(0) option, PS-25): a\n"
    "signed QUERY CHILD KEY with {key-id, INTENT_INQUIRE_KEY}. The answer is one of\n"
    "KEY_TRUSTED, KEY_BOOTSTRAP_AUTO, KEY_BOOTSTRAP_MANUAL, KEY_VALIDATION_FAILED,\n"
    "KEY_REFUSED (retired), KEY_UNKNOWN. Exit 0 when the key is trusted, 1\n"
    "otherwise.\n"
    "\n"
    "Options:\n"
    "  -k, --key FILE           the key asked about (signs the inquiry)\n" COMMON_OPTS;

static const char target_help[] =
    "usage: hsync-update target --zone CHILD [OPTIONS]\n"
    "\n"
    "Find and show the parent's UPDATE receiver: the DSYNC lookup step by step,\n"
    "the target, its address and port, the bootstrap methods its SVCB announces\n"
    "and its KEY (validated with --trust-anchor, or --insecure).\n"
    "\n"
    "Options:\n" COMMON_OPTS;

static int b_send(struct hu_opts *o, const hu_target_t *t, uint16_t id, uint32_t now, hs_buf_t *out)
{
	return chd_update_build(o->key, t->t.parent, o->rrs, o->nrrs, id, now, out, NULL);
}

static int b_upload(struct hu_opts *o, const hu_target_t *t, uint16_t id, uint32_t now,
                    hs_buf_t *out)
{
	return chd_upload_build(o->key, t->t.parent, o->ttl, !o->no_delete, id, now, out, NULL);
}

static int b_rollover(struct hu_opts *o, const hu_target_t *t, uint16_t id, uint32_t now,
                      hs_buf_t *out)
{
	return chd_rollover_build(o->key, o->new_key, t->t.parent, o->ttl, id, now, out, NULL);
}

static int b_inquire(struct hu_opts *o, const hu_target_t *t, uint16_t id, uint32_t now,
                     hs_buf_t *out)
{
	(void)t;
	return chd_inquiry_build(o->key, o->zone, id, now, out, NULL);
}

static int run(int argc, char **argv, const char *help, int need_key_file, int need_new,
               hu_build_fn build, const char *what)
{
	struct hu_opts o;
	hu_target_t t;
	int rc = hu_parse(argc, argv, help, &o);
	memset(&t, 0, sizeof(t));
	if (rc >= 0)
		goto cleanup;
	if (need_key_file && o.key == NULL) {
		rc = cli_err(HU_EXIT_USAGE, "%s needs --key", o.cmd);
		goto cleanup;
	}
	if (need_new && o.new_key == NULL) {
		rc = cli_err(HU_EXIT_USAGE, "%s needs --new-key", o.cmd);
		goto cleanup;
	}
	if (build == b_send && o.nrrs == 0) {
		rc = cli_err(HU_EXIT_USAGE, "send: nothing to send (--add, --del, --del-rrset)");
		goto cleanup;
	}
	rc = hu_find_target(&o, &t, build != NULL);
	if (rc != HU_EXIT_OK || build == NULL) {
		if (rc == HU_EXIT_OK) {
			char m[64];
			printf(";; bootstrap methods: %s\n",
			       t.have_svcb ? par_methods_text(t.methods, m, sizeof(m))
			                   : "none announced (manual assumed)");
			for (size_t i = 0; i < t.nkeys; i++) {
				hs_buf_t k = HS_BUF_INIT;
				sig0_key_rr_text(t.keys[i], &k);
				printf("%s\n", hs_buf_cstr(&k));
				hs_buf_free(&k);
			}
		}
		goto cleanup;
	}
	if (build == b_upload && !o.quiet) {
		char m[64];
		printf(";; the parent offers: %s\n", t.have_svcb
		                                         ? par_methods_text(t.methods, m, sizeof(m))
		                                         : "no SVCB (manual assumed)");
	}
	rc = hu_exchange(&o, &t, build, what);
cleanup:
	hu_target_free(&t);
	hu_opts_free(&o);
	return rc;
}

int hu_cmd_send(int argc, char **argv)
{
	return run(argc, argv, send_help, 1, 0, b_send, "update");
}

int hu_cmd_upload(int argc, char **argv)
{
	return run(argc, argv, upload_help, 1, 0, b_upload, "upload");
}

int hu_cmd_rollover(int argc, char **argv)
{
	return run(argc, argv, rollover_help, 1, 1, b_rollover, "rollover");
}

int hu_cmd_inquire(int argc, char **argv)
{
	/* exit 0 only for KEY_TRUSTED: the answer's KeyState decides */
	struct hu_opts o;
	hu_target_t t;
	int rc = hu_parse(argc, argv, inquire_help, &o);
	memset(&t, 0, sizeof(t));
	if (rc >= 0)
		goto cleanup;
	if (o.key == NULL) {
		rc = cli_err(HU_EXIT_USAGE, "inquire needs --key");
		goto cleanup;
	}
	rc = hu_find_target(&o, &t, 1);
	if (rc == HU_EXIT_OK)
		rc = hu_exchange(&o, &t, b_inquire, "inquiry");
	if (rc == HU_EXIT_OK && (!o.has_ks || o.ks_state != HS_KEYSTATE_TRUSTED))
		rc = HU_EXIT_REFUSED;
cleanup:
	hu_target_free(&t);
	hu_opts_free(&o);
	return rc;
}

int hu_cmd_target(int argc, char **argv)
{
	return run(argc, argv, target_help, 0, 0, NULL, "target");
}

static const struct cli_subcmd cmds[] = {
    {"send", hu_cmd_send, "send one UPDATE: the delegation change (DEL + ADD)"},
    {"upload", hu_cmd_upload, "upload the key self-signed (bootstrap)"},
    {"rollover", hu_cmd_rollover, "replace the trusted key by a new one, signed by the old"},
    {"inquire", hu_cmd_inquire, "ask the parent where the key stands (KeyState)"},
    {"target", hu_cmd_target, "find and show the parent's UPDATE receiver"},
    {"notify", hu_cmd_notify, "NOTIFY(CDS) or NOTIFY(CSYNC) to the parent's scanner"},
};

int main(int argc, char **argv)
{
	hs_log_set_ident("hsync-update");
	hs_log_set_level(HS_LOG_WARN);
	return cli_dispatch("hsync-update", usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc,
	                    argv);
}
