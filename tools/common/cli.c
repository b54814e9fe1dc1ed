#include "common/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cli_prog = "hsync";

int cli_err(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static void print_usage(FILE *f, const char *usage, const struct cli_subcmd *cmds, size_t n)
{
	fputs(usage, f);
	fputs("\nCommands:\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].summary);
}

int cli_dispatch(const char *prog, const char *usage, const struct cli_subcmd *cmds,
		 size_t ncmds, int argc, char **argv)
{
	cli_prog = prog;
	if (argc < 2) {
		print_usage(stderr, usage, cmds, ncmds);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout, usage, cmds, ncmds);
		return 0;
	}
	for (size_t i = 0; i < ncmds; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s' (try '%s --help')\n", prog, argv[1], prog);
	return 2;
}
