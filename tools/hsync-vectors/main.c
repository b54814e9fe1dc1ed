/* hsync-vectors -- run known-answer vector files against hsync's code. */
#include "hsync-vectors/hsync-vectors.h"

#include "common/cli.h"

static const char usage[] =
	"usage: hsync-vectors COMMAND FILE\n"
	"\n"
	"Run a known-answer vector file. Prints one line per failing vector and a\n"
	"closing line 'N passed, M failed'; exits 1 if any vector failed, 2 on a\n"
	"file that cannot be read or parsed.\n";

static const struct cli_subcmd cmds[] = {
	{"rr", vectors_rr_main, "record and EDNS(0) option wire vectors (rr-wire.txt format)"},
	{"hpke", vectors_hpke_main, "RFC 9180 vectors in the CFRG JSON layout"},
};

int main(int argc, char **argv)
{
	return cli_dispatch("hsync-vectors", usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
