/* hsync-keygen -- make the key pairs a party publishes (SIG(0) KEY, HPKEKEY). */
#include "hsync-keygen/hsync-keygen.h"

#include "common/cli.h"

static const char usage[] =
	"usage: hsync-keygen COMMAND [OPTIONS]\n"
	"\n"
	"Generate key pairs for an hsync party and print the DNS record to publish.\n"
	"Run 'hsync-keygen COMMAND --help' for the options of one command.\n";

static const struct cli_subcmd cmds[] = {
	{"sig0", keygen_sig0_main, "SIG(0) key pair in BIND's K<name>+<alg>+<tag> files; prints the KEY record"},
	{"hpke", keygen_hpke_main, "HPKE (X25519) key pair file; prints the HPKEKEY record"},
};

int main(int argc, char **argv)
{
	return cli_dispatch("hsync-keygen", usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
