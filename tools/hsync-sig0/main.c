/* hsync-sig0 -- sign and verify DNS messages with SIG(0) (RFC 2931). */
#include <stdint.h>
#include <stdlib.h>

#include "common/cli.h"
#include "hsync-sig0/hsync-sig0.h"

static const char usage[] =
    "usage: hsync-sig0 COMMAND [OPTIONS]\n"
    "\n"
    "Sign a DNS message in wire form with a SIG(0) record, or verify the\n"
    "SIG(0) of a received message over its bytes exactly as they arrived.\n"
    "Keys are BIND's K<name>+<alg>+<tag>.key/.private files, as written by\n"
    "'hsync-keygen sig0' or 'dnssec-keygen -T KEY -n HOST'.\n"
    "Run 'hsync-sig0 COMMAND --help' for the options of one command.\n";

static const struct cli_subcmd cmds[] = {
    {"sign", sig0tool_sign_main, "append a SIG(0) to the message on stdin, write it to stdout"},
    {"verify", sig0tool_verify_main,
     "verify the SIG(0) of a message (exit 0 valid, 1 invalid, 2 could not check)"},
};

int sig0tool_u32(const char *opt, const char *text, uint32_t *out)
{
	char *end;
	if (!text || !*text || *text == '-')
		return cli_err(-1, "%s needs a non-negative number", opt);
	unsigned long long v = strtoull(text, &end, 10);
	if (*end || v > UINT32_MAX)
		return cli_err(-1, "%s: '%s' is not a number up to 4294967295", opt, text);
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	return cli_dispatch("hsync-sig0", usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
