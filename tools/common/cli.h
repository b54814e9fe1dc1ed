/*
 * cli.h -- small helpers shared by the command-line tools.
 *
 * Every program's main() starts with cli_start(): it names the program
 * for messages (cli_prog, and argv[0] so getopt's own complaints say
 * "hsyncctl:" rather than "build/bin/hsyncctl:"), and answers the options
 * every hsync program has:
 *
 *   -V, --version   "PROG (hsync) VERSION", exit 0 (-v stays "verbose"
 *                   where a tool has it; NSD's "-v = version" is not used)
 *   --help-man      the man page, generated from the --help text itself
 *                   (cli_man_page), so the two never disagree
 *
 * Tools with subcommands ("hsync-keygen sig0 ...") describe them in a
 * table and call cli_dispatch() (which calls cli_start); each subcommand
 * lives in its own file and prints its own --help.
 */
#ifndef HS_TOOLS_CLI_H
#define HS_TOOLS_CLI_H

#include <stddef.h>
#include <stdio.h>

struct cli_subcmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
	const char *summary;
};

/* Prints a program's --help text. */
typedef void (*cli_help_fn)(FILE *out);

/*
 * Start a program named `prog` (see above). Its --help text is `help`,
 * or what `help_fn` prints when `help` is NULL. Scans argv for -V,
 * --version and --help-man up to a "--". Returns -1 to go on, else the
 * exit code after printing the version or the man page.
 */
int cli_start(const char *prog, int argc, char **argv, const char *help, cli_help_fn help_fn);

/* Run the subcommand named by argv[1]; prints `usage` and the table for
 * -h/--help or no argument; -V/--version and --help-man (the page holds
 * `usage`, the table and every subcommand's own --help) as cli_start.
 * Returns the process exit code. */
int cli_dispatch(const char *prog, const char *usage, const struct cli_subcmd *cmds, size_t ncmds,
                 int argc, char **argv);

/* Print "prog: message" to stderr; returns `code` for `return cli_err(...)`. */
int cli_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set by cli_start (and cli_dispatch) for cli_err's prefix. */
extern const char *cli_prog;

/* "PROG (hsync) VERSION\n" to `out`. */
void cli_version(FILE *out);

/*
 * A DNS name an operator may give as an identity or key owner: labels
 * of letters, digits, '-' and '_', none empty (but the final root), none
 * starting or ending with '-', at most 63 octets each, 253 in all. For
 * names that also become file names ("-" is not a name but a path).
 */
int cli_dname_ok(const char *name);

/*
 * The man page of program `prog` from its --help `text`: NAME (the
 * summary of cli_prog_summary), SYNOPSIS (the "usage:" lines), then the
 * paragraphs, with "Heading:" lines as sections, "  -x, --opt ARG  text"
 * lines as tagged paragraphs and other indented lines kept verbatim.
 * `subs` (may be NULL) are more texts (subcommands' --help), each under
 * the section title in `subtitles`.
 */
void cli_man_page(FILE *out, const char *prog, const char *text, const char *const *subtitles,
                  const char *const *subs, size_t nsubs);

/* The one-line summary and man section of an hsync program (progs table
 * in manpage.c); section 1 and "" for an unknown name. */
const char *cli_prog_summary(const char *prog, int *section);

#endif
