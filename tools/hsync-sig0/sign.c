/* hsync-sig0 sign */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "hsync-sig0/hsync-sig0.h"
#include "sig0/sig0.h"
#include "util/file.h"

static const char sign_usage[] =
    "usage: hsync-sig0 sign --key Kname+alg+tag.private [--signer NAME]\n"
    "                       [--now UNIXTIME] [--fudge S] [--lifetime S] < msg > signed\n"
    "\n"
    "Read one DNS message in wire form from standard input, append a SIG(0)\n"
    "record (RFC 2931: owner '.', class ANY, TTL 0, type covered 0) and\n"
    "write the signed message to standard output. The message must be well\n"
    "formed; names in it may be compressed.\n"
    "\n"
    "Options:\n"
    "  --key FILE       the key pair: a BIND .private file (the .key file beside\n"
    "                   it gives the name), or either file's common base name\n"
    "  --signer NAME    signer name written in the SIG (default: the key's owner)\n"
    "  --now UNIXTIME   the time to sign at (default: the system clock)\n"
    "  --fudge S        inception = now - S (default 300)\n"
    "  --lifetime S     expiration = now + S (default 300)\n"
    "  -h, --help       this text\n"
    "\n"
    "Exit status: 0 signed, 1 the message or key was rejected, 2 usage error.\n";

int sig0tool_sign_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"signer", required_argument, NULL, 's'},
	    {"now", required_argument, NULL, 'n'},
	    {"fudge", required_argument, NULL, 'f'},
	    {"lifetime", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *keypath = NULL;
	sig0_sign_opts_t opts;
	uint32_t now = 0;
	int have_now = 0, c, rc = 1;
	sig0_key_t *key = NULL;
	hs_buf_t msg = HS_BUF_INIT;
	hs_errmsg_t em;

	sig0_sign_opts_default(&opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			keypath = optarg;
			break;
		case 's':
			opts.signer = optarg;
			break;
		case 'n':
			if (sig0tool_u32("--now", optarg, &now) != 0)
				return 2;
			have_now = 1;
			break;
		case 'f':
			if (sig0tool_u32("--fudge", optarg, &opts.fudge) != 0)
				return 2;
			break;
		case 'l':
			if (sig0tool_u32("--lifetime", optarg, &opts.lifetime) != 0)
				return 2;
			break;
		case 'h':
			fputs(sign_usage, stdout);
			return 0;
		default:
			fputs(sign_usage, stderr);
			return 2;
		}
	}
	if (!keypath || optind != argc) {
		fputs(sign_usage, stderr);
		return 2;
	}
	if (!have_now)
		now = hs_now_s(hs_env_system());
	hs_errmsg_clear(&em);
	if (sig0_key_load_private(keypath, &key, &em) != HS_OK) {
		rc = cli_err(1, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (hs_read_file("-", &msg, 65535) != HS_OK) {
		rc =
		    cli_err(1, "cannot read the message from standard input (at most 65535 bytes)");
		goto cleanup;
	}
	if (sig0_sign(key, &msg, now, &opts, &em) != HS_OK) {
		rc = cli_err(1, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	if (fwrite(msg.data, 1, msg.len, stdout) != msg.len || fflush(stdout) != 0) {
		rc = cli_err(1, "cannot write the signed message");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sig0_key_free(key);
	hs_buf_free(&msg);
	return rc;
}
