#include "common/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/version.h"

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

void cli_version(FILE *out)
{
	fprintf(out, "%s (%s) %s\n", cli_prog, HS_PACKAGE, HS_VERSION);
}

/* What a help function prints, as a malloc'd string. */
static char *help_text(cli_help_fn fn)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	fn(f);
	fclose(f);
	return text;
}

/* Which of -V/--version (1) or --help-man (2) is asked for, if any. */
static int common_option(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
			return 1;
		if (strcmp(argv[i], "--help-man") == 0)
			return 2;
	}
	return 0;
}

int cli_start(const char *prog, int argc, char **argv, const char *help, cli_help_fn help_fn)
{
	char *text;

	cli_prog = prog;
	if (argc > 0)
		argv[0] = (char *)prog; /* getopt's messages use it */
	switch (common_option(argc, argv)) {
	case 1:
		cli_version(stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	case 2:
		text = help != NULL ? NULL : help_text(help_fn);
		cli_man_page(stdout, prog, help != NULL ? help : text, NULL, NULL, 0);
		free(text);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	return -1;
}

static void print_usage(FILE *f, const char *usage, const struct cli_subcmd *cmds, size_t n)
{
	fputs(usage, f);
	fputs("\nCommands:\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-14s %s\n", cmds[i].name, cmds[i].summary);
}

/* A subcommand's --help, captured from its standard output. */
static char *sub_help(const struct cli_subcmd *c)
{
	char name[64], opt[] = "--help";
	char *av[] = {name, opt, NULL};
	FILE *tmp = tmpfile();
	char *text = NULL;
	off_t len;
	int saved, fd;

	snprintf(name, sizeof(name), "%s", c->name);
	if (tmp == NULL)
		return NULL;
	fd = fileno(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fd, STDOUT_FILENO) < 0) {
		fclose(tmp);
		return NULL;
	}
	optind = 0; /* each subcommand parses afresh (GNU: full re-initialisation) */
	(void)c->run(2, av);
	fflush(stdout);
	(void)dup2(saved, STDOUT_FILENO);
	close(saved);
	len = lseek(fd, 0, SEEK_END);
	if (len > 0 && len < (1 << 20) && lseek(fd, 0, SEEK_SET) == 0) {
		text = calloc(1, (size_t)len + 1);
		if (text != NULL && read(fd, text, (size_t)len) != (ssize_t)len) {
			free(text);
			text = NULL;
		}
	}
	fclose(tmp);
	return text;
}

static int dispatch_man(const char *prog, const char *usage, const struct cli_subcmd *cmds,
                        size_t n)
{
	char *top = NULL, *subs[32] = {0}, *titles[32] = {0};
	size_t len = 0, k = n < 32 ? n : 32;
	FILE *f = open_memstream(&top, &len);

	if (f == NULL)
		return 1;
	print_usage(f, usage, cmds, n);
	fclose(f);
	for (size_t i = 0; i < k; i++) {
		subs[i] = sub_help(&cmds[i]);
		/* a subcommand that prints the tool's own usage adds nothing */
		for (size_t j = 0; subs[i] != NULL && j <= i; j++)
			if (strcmp(subs[i], j < i ? subs[j] : usage) == 0) {
				subs[i][0] = '\0';
				break;
			}
		titles[i] = malloc(strlen(prog) + strlen(cmds[i].name) + 2);
		if (titles[i] != NULL)
			sprintf(titles[i], "%s %s", prog, cmds[i].name);
		if (subs[i] == NULL)
			subs[i] = calloc(1, 1);
	}
	cli_man_page(stdout, prog, top, (const char *const *)titles, (const char *const *)subs, k);
	for (size_t i = 0; i < k; i++) {
		free(subs[i]);
		free(titles[i]);
	}
	free(top);
	return fflush(stdout) == 0 ? 0 : 1;
}

int cli_dispatch(const char *prog, const char *usage, const struct cli_subcmd *cmds, size_t ncmds,
                 int argc, char **argv)
{
	cli_prog = prog;
	if (argc > 0)
		argv[0] = (char *)prog;
	if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
		cli_version(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--help-man") == 0)
		return dispatch_man(prog, usage, cmds, ncmds);
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
		if (strcmp(argv[1], cmds[i].name) == 0) {
			/* getopt inside the subcommand names "prog sub" */
			static char name[96];
			snprintf(name, sizeof(name), "%s %s", prog, cmds[i].name);
			argv[1] = name;
			optind = 0; /* the subcommand parses afresh */
			return cmds[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "%s: unknown command '%s' (try '%s --help')\n", prog, argv[1], prog);
	return 2;
}

int cli_dname_ok(const char *name)
{
	size_t n = strlen(name), lab = 0;
	char prev = '.';

	if (n == 0 || n > 254 || (n == 254 && name[253] != '.') || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '.') {
			if (lab == 0 || prev == '-')
				return 0;
			lab = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '_' || (c == '-' && lab > 0)) {
			if (++lab > 63)
				return 0;
		} else {
			return 0;
		}
		prev = c;
	}
	return prev != '-';
}
