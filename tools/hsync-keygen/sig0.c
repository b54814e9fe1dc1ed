#include "hsync-keygen/hsync-keygen.h"

#include "common/cli.h"

/* Placeholder: the work item that owns 'hsync-keygen sig0' replaces this file. */
int keygen_sig0_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_err(2, "'sig0' is not built yet");
}
