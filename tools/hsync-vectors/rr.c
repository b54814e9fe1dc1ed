#include "hsync-vectors/hsync-vectors.h"

#include "common/cli.h"

/* Placeholder: the work item that owns 'hsync-vectors rr' replaces this file. */
int vectors_rr_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_err(2, "'rr' is not built yet");
}
