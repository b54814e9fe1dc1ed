/*
 * cli.h -- small helpers shared by the command-line tools.
 *
 * Tools with subcommands ("hsync-keygen sig0 ...") describe them in a
 * table and call cli_dispatch(); each subcommand lives in its own file.
 */
#ifndef HS_TOOLS_CLI_H
#define HS_TOOLS_CLI_H

#include <stddef.h>

struct cli_subcmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
	const char *summary;
};

/* Run the subcommand named by argv[1]; prints `usage` and the table for
 * -h/--help or no argument. Returns the process exit code. */
int cli_dispatch(const char *prog, const char *usage, const struct cli_subcmd *cmds,
		 size_t ncmds, int argc, char **argv);

/* Print "prog: message" to stderr; returns `code` for `return cli_err(...)`. */
int cli_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set by cli_dispatch (or main) for cli_err's prefix. */
extern const char *cli_prog;

#endif
