/* hsync-bench -- performance figures, each as a ratio against a limit
 * measured in the same run on the same machine. */
#include "hsync-bench/hsync-bench.h"

#include "common/cli.h"

static const char usage[] =
    "usage: hsync-bench COMMAND [OPTIONS]\n"
    "\n"
    "Measure one part of hsync and print each figure next to the limit the\n"
    "same machine reaches in the same run, with their ratio and the goal.\n";

static const struct cli_subcmd cmds[] = {
    {"attack", bench_attack_main,
     "transport under floods: a peer's latency and loss, the receiver's CPU"},
    {"combiner", bench_combiner_main,
     "one combiner: UPDATE ingest vs bare commits, restart of N zones vs a bare SELECT"},
    {"discovery", bench_discovery_main,
     "one hsyncd bringing up N zones with 3 peers from NSD: zones/s, bytes/zone"},
    {"engine", bench_engine_main,
     "engine: zones/s and bytes/zone, 4 agents to an operational group"},
    {"flood", bench_flood_main, "send a datagram flood from spoofed loopback sources (lab use)"},
    {"hpke", bench_hpke_main, "HPKE auth-mode seal/open vs raw X25519 and AES-256-GCM"},
    {"parent", bench_parent_main,
     "the parent's UPDATE receiver: UPDATEs/s vs the SIG(0) verify bound, a flood's cost"},
    {"sig0", bench_sig0_main, "SIG(0) Ed25519 sign/verify vs raw OpenSSL Ed25519"},
    {"sign", bench_sign_main,
     "zone signing vs ldns-signzone: records/s, memory/record, one apex change"},
    {"signer", bench_signer_main,
     "the signer role: one-record change signed incrementally vs in full, same run"},
    {"sync", bench_sync_main,
     "one change to every provider's public NSD vs NOTIFY/IXFR alone; a combiner's restart"},
    {"transport", bench_transport_main,
     "two nodes on loopback: msg/s and latency vs the crypto bound"},
    {"zone", bench_zone_main,
     "zone machinery vs NSD: load, memory/record, one apex change by IXFR vs AXFR"},
};

int main(int argc, char **argv)
{
	return cli_dispatch("hsync-bench", usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
