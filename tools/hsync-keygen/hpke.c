#include "hsync-keygen/hsync-keygen.h"

#include "common/cli.h"

/* Placeholder: the work item that owns 'hsync-keygen hpke' replaces this file. */
int keygen_hpke_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_err(2, "'hpke' is not built yet");
}
