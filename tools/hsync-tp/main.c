/* hsync-tp -- run one hsync transport node (lab and operator tool). */
#include "hsync-tp/hsync-tp.h"

#include "common/cli.h"

static const char usage[] =
    "usage: hsync-tp COMMAND -c FILE [OPTIONS]\n"
    "\n"
    "Run one node of the hsync transport (NOTIFY + CHUNK over DNS, SIG(0) on\n"
    "every message, HPKE envelopes, persistent queue) from a configuration\n"
    "file: own identity, address, store and keys, and the peers. See\n"
    "'hsync-tp listen --help' for the file's options.\n"
    "\n"
    "Exit status: 0 success; 1 runtime failure or a message rejected or\n"
    "expired; 2 usage error; 3 configuration, key, store or bind failure;\n"
    "4 --timeout reached.\n";

static const struct cli_subcmd cmds[] = {
    {"listen", tptool_listen_main, "serve: receive, log, record and acknowledge messages"},
    {"send", tptool_send_main, "queue messages for a peer, optionally run until delivered"},
    {"status", tptool_status_main, "queue, inbox and replay counts, and the last counters"},
};

int main(int argc, char **argv)
{
	return cli_dispatch("hsync-tp", usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
