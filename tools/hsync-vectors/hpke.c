#include "hsync-vectors/hsync-vectors.h"

#include "common/cli.h"

/* Placeholder: the work item that owns 'hsync-vectors hpke' replaces this file. */
int vectors_hpke_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_err(2, "'hpke' is not built yet");
}
