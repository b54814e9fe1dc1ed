/* hsync-sig0 verify */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-sig0/hsync-sig0.h"
#include "sig0/sig0.h"
#include "util/file.h"
#include "util/xmalloc.h"

#define MAX_KEYS 64

static const char verify_usage[] =
    "usage: hsync-sig0 verify --key KEY [--key KEY ...] [--now UNIXTIME] [--skew S]\n"
    "                         [--max-window S] FILE\n"
    "\n"
    "Verify the SIG(0) of the DNS message in FILE ('-' for standard input)\n"
    "over its bytes exactly as received. The SIG must be the last record of\n"
    "the additional section and the only SIG; at most 4 keys with the SIG's\n"
    "signer name, algorithm and key tag are tried.\n"
    "\n"
    "Options:\n"
    "  --key KEY        a public key: a BIND .key file (or the .private file or\n"
    "                   base name beside it), or a KEY record as text, e.g.\n"
    "                   'child.example. IN KEY 512 3 15 Qfk6...'; repeatable\n"
    "  --now UNIXTIME   the time to check the validity window at (default: the\n"
    "                   system clock)\n"
    "  --skew S         clock allowance on both ends of the window (default 60)\n"
    "  --max-window S   reject signatures valid for longer than S seconds\n"
    "                   (default 86400; 0 = no limit)\n"
    "  -h, --help       this text\n"
    "\n"
    "Output: on success 'valid: signed by NAME/ALG/TAG' on standard error;\n"
    "otherwise one line with the reason.\n"
    "\n"
    "Exit status: 0 valid; 1 invalid signature (no candidate key verifies);\n"
    "2 could not check (malformed message, no SIG, bad time, no matching\n"
    "key, unreadable key or file, usage error).\n";

static int load_key(const char *arg, sig0_key_t **out)
{
	hs_errmsg_t em;
	struct stat st;
	hs_errmsg_clear(&em);
	/* text with spaces and no such file: a KEY record */
	if (strchr(arg, ' ') && stat(arg, &st) != 0) {
		if (sig0_key_from_rr_text(arg, out, &em) != HS_OK)
			return cli_err(-1, "key '%s': %s", arg, hs_errmsg_str(&em));
		return 0;
	}
	if (sig0_key_load_public(arg, out, &em) != HS_OK)
		return cli_err(-1, "%s", hs_errmsg_str(&em));
	return 0;
}

int sig0tool_verify_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},  {"now", required_argument, NULL, 'n'},
	    {"skew", required_argument, NULL, 's'}, {"max-window", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	sig0_key_t *keys[MAX_KEYS];
	size_t nkeys = 0;
	sig0_verify_opts_t opts;
	uint32_t now = 0;
	int have_now = 0, c, rc = 2;
	hs_buf_t msg = HS_BUF_INIT;
	sig0_verdict_t v;

	sig0_verify_opts_default(&opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (nkeys == MAX_KEYS) {
				rc = cli_err(2, "at most %d keys", MAX_KEYS);
				goto cleanup;
			}
			if (load_key(optarg, &keys[nkeys]) != 0)
				goto cleanup;
			nkeys++;
			break;
		case 'n':
			if (sig0tool_u32("--now", optarg, &now) != 0)
				goto cleanup;
			have_now = 1;
			break;
		case 's':
			if (sig0tool_u32("--skew", optarg, &opts.skew) != 0)
				goto cleanup;
			break;
		case 'w':
			if (sig0tool_u32("--max-window", optarg, &opts.max_window) != 0)
				goto cleanup;
			break;
		case 'h':
			fputs(verify_usage, stdout);
			rc = 0;
			goto cleanup;
		default:
			fputs(verify_usage, stderr);
			goto cleanup;
		}
	}
	if (nkeys == 0 || optind != argc - 1) {
		fputs(verify_usage, stderr);
		goto cleanup;
	}
	if (!have_now)
		now = hs_now_s(hs_env_system());
	if (hs_read_file(argv[optind], &msg, 65535) != HS_OK) {
		rc = cli_err(2, "cannot read '%s' (at most 65535 bytes)", argv[optind]);
		goto cleanup;
	}
	int r = sig0_verify(msg.data ? msg.data : (const uint8_t *)"", msg.len,
	                    (const sig0_key_t *const *)keys, nkeys, now, &opts, &v);
	if (r == HS_OK) {
		fprintf(stderr, "valid: %s\n", v.reason);
		rc = 0;
	} else {
		rc = v.status == SIG0_BADSIG ? 1 : 2;
		cli_err(rc, "%s: %s", sig0_status_name(v.status), v.reason);
	}
cleanup:
	for (size_t i = 0; i < nkeys; i++)
		sig0_key_free(keys[i]);
	hs_buf_free(&msg);
	return rc;
}
