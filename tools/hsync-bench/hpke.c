#include "hsync-bench/hsync-bench.h"

#include "common/cli.h"

/* Placeholder: the work item that owns 'hsync-bench hpke' replaces this file. */
int bench_hpke_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_err(2, "'hpke' is not built yet");
}
