/*
 * manpage.c -- a program's man page made from its --help text (one source
 * for both), and the table of program summaries and sections.
 *
 * The help texts follow one layout, which this reads back:
 *
 *   usage: prog [options] ARG        -> SYNOPSIS (with its continuation lines)
 *          [more options]
 *                                    (blank line: a new paragraph)
 *   Text in column 0 ...             -> a paragraph
 *   Options:                         -> a section (a line that is only "Words:")
 *     -x, --long ARG   what it does  -> a tagged paragraph (two blanks end the tag)
 *                      continued     -> more of the same description
 *     an indented line               -> kept verbatim (examples, formats)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "util/roff.h"
#include "util/version.h"

static const struct {
	const char *name;
	int section;
	const char *summary;
} progs[] = {
    {"hsyncd", 8, "the hsync agent: multi-provider DNS synchronisation over DNS alone"},
    {"hsyncctl", 8, "control a running hsyncd over its Unix socket"},
    {"hsdig", 1, "query DNS servers, with hsync's record types and EDNS options decoded"},
    {"hsync-keygen", 1, "make the SIG(0) and HPKE key pairs an hsync party publishes"},
    {"hsync-rr", 1, "hsync's records and EDNS options between presentation and wire form"},
    {"hsync-sig0", 1, "sign and verify DNS messages with SIG(0)"},
    {"hsync-tp", 1, "run one node of the hsync transport by hand"},
    {"hsync-discover", 1, "find hsync peers through DNSSEC-validated DNS"},
    {"hsync-xfr", 1, "transfer a zone the way an hsync agent does and explain its hsync records"},
    {"hsync-vectors", 1, "check hsync's known-answer vectors"},
    {"hsync-bench", 1, "hsync performance as ratios against limits measured in the same run"},
    {"hsync-signzone", 1,
     "sign a zone file with hsync's zone signer (NSEC or NSEC3, incremental-ready)"},
    {"hsync-conform", 1, "over-the-wire conformance suite for implementations of the hsync drafts"},
    {"hsync-update", 1,
     "change a delegation at the parent by SIG(0)-signed DNS UPDATE; bootstrap and roll its key"},
};

const char *cli_prog_summary(const char *prog, int *section)
{
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		if (strcmp(progs[i].name, prog) == 0) {
			*section = progs[i].section;
			return progs[i].summary;
		}
	*section = 1;
	return "";
}

/* ---- reading the help text back ---------------------------------------------- */

enum mode { M_NONE, M_PARA, M_ITEM, M_VERB };

struct man {
	FILE *out;
	enum mode mode;
	size_t desc_col; /* where the current item's description starts */
};

static size_t indent_of(const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && l[i] == ' ')
		i++;
	return i;
}

static void end_block(struct man *m)
{
	if (m->mode == M_VERB)
		fputs(".fi\n.RE\n", m->out);
	m->mode = M_NONE;
}

/* "Options:" or "Exit status:" alone on a line in column 0. */
static int is_heading(const char *l, size_t n)
{
	if (n < 2 || l[n - 1] != ':' || l[0] < 'A' || l[0] > 'Z' || n > 40)
		return 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (!((l[i] >= 'A' && l[i] <= 'Z') || (l[i] >= 'a' && l[i] <= 'z') || l[i] == ' ' ||
		      l[i] == '(' || l[i] == ')' || l[i] == '-' || l[i] == '/'))
			return 0;
	return 1;
}

/* An indented "TAG  description" line: the tag ends at two blanks. */
static int item_split(const char *l, size_t n, size_t ind, size_t *tag_end, size_t *desc)
{
	const char *gap;

	if (ind == 0 || ind > 10 || ind >= n)
		return 0;
	gap = NULL;
	for (size_t i = ind; i + 1 < n; i++)
		if (l[i] == ' ' && l[i + 1] == ' ') {
			gap = l + i;
			break;
		}
	if (gap == NULL) {
		/* a lone option ("  -h, --help") is an item without text */
		if (l[ind] == '-' || l[ind] == '+') {
			*tag_end = n;
			*desc = n;
			return 1;
		}
		return 0;
	}
	*tag_end = (size_t)(gap - l);
	*desc = *tag_end;
	while (*desc < n && l[*desc] == ' ')
		(*desc)++;
	/* a tag is short; long ones are sentences with a double blank */
	return *tag_end - ind <= 40 && *desc < n;
}

static void line_out(struct man *m, const char *l, size_t n)
{
	size_t ind = indent_of(l, n), tag_end, desc;

	if (n == 0) { /* a blank line ends a paragraph; lists go on */
		if (m->mode == M_PARA || m->mode == M_VERB)
			end_block(m);
		return;
	}
	if (ind == 0 && is_heading(l, n)) {
		end_block(m);
		fputs(".SH ", m->out);
		for (size_t i = 0; i + 1 < n; i++)
			fputc(l[i] >= 'a' && l[i] <= 'z' ? l[i] - 'a' + 'A' : l[i], m->out);
		fputc('\n', m->out);
		return;
	}
	if (m->mode == M_ITEM && ind > 0 && ind + 1 >= m->desc_col) {
		hs_roff_textn(m->out, l + ind, n - ind); /* the description goes on */
		fputc('\n', m->out);
		return;
	}
	if (ind > 0 && item_split(l, n, ind, &tag_end, &desc)) {
		end_block(m);
		fputs(".TP\n\\fB", m->out);
		hs_roff_textn(m->out, l + ind, tag_end - ind);
		fputs("\\fR\n", m->out);
		if (desc < n) {
			hs_roff_textn(m->out, l + desc, n - desc);
			fputc('\n', m->out);
		}
		m->mode = M_ITEM;
		m->desc_col = desc < n ? desc : ind + 4;
		return;
	}
	if (ind > 0) {
		if (m->mode != M_VERB) {
			end_block(m);
			fputs(".RS 4\n.nf\n", m->out);
			m->mode = M_VERB;
		}
		hs_roff_textn(m->out, l + 2 < l + ind ? l + 2 : l + ind, n - (ind > 2 ? 2 : ind));
		fputc('\n', m->out);
		return;
	}
	if (m->mode != M_PARA) {
		end_block(m);
		fputs(".PP\n", m->out);
		m->mode = M_PARA;
	}
	hs_roff_textn(m->out, l, n);
	fputc('\n', m->out);
}

/* The "usage:" lines (and their continuations) into SYNOPSIS; returns
 * where the rest starts. */
static const char *synopsis(struct man *m, const char *p, const char *prog)
{
	fputs(".SH SYNOPSIS\n.nf\n", m->out);
	while (*p && *p != '\n') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t ind = indent_of(p, n);
		if (n > 7 && strncmp(p, "usage: ", 7) == 0)
			ind = 7;
		else if (ind > 0 && strncmp(p + ind, prog, strlen(prog)) != 0)
			fputs("    ", m->out); /* options continued; another form starts flush */
		hs_roff_textn(m->out, p + ind, n - ind);
		fputc('\n', m->out);
		p += n + (nl != NULL);
	}
	fputs(".fi\n", m->out);
	return p;
}

static void body(struct man *m, const char *p)
{
	int first = 1;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (first && n > 0 && !is_heading(p, n)) {
			fputs(".SH DESCRIPTION\n", m->out);
			first = 0;
		}
		if (n > 0)
			first = 0;
		line_out(m, p, n);
		p += n + (nl != NULL);
	}
	end_block(m);
}

void cli_man_page(FILE *out, const char *prog, const char *text, const char *const *subtitles,
                  const char *const *subs, size_t nsubs)
{
	struct man m = {out, M_NONE, 0};
	char title[64], source[64];
	int section;
	const char *summary = cli_prog_summary(prog, &section);
	size_t i;

	for (i = 0; prog[i] && i + 1 < sizeof(title); i++)
		title[i] = prog[i] >= 'a' && prog[i] <= 'z' ? prog[i] - 'a' + 'A' : prog[i];
	title[i] = '\0';
	snprintf(source, sizeof(source), "%s %s", HS_PACKAGE, HS_VERSION);
	hs_roff_header(out, title, section, source,
	               section == 8 ? "System Manager's Manual" : "User Commands");
	fputs(".SH NAME\n", out);
	hs_roff_text(out, prog);
	fputs(" \\- ", out);
	hs_roff_text(out, summary);
	fputc('\n', out);
	text = synopsis(&m, text != NULL ? text : "", prog);
	body(&m, text);
	for (i = 0; i < nsubs; i++) {
		const char *s = subs[i];
		if (*s == '\0')
			continue;
		fputs(".SH \"", out);
		hs_roff_text(out, subtitles[i]);
		fputs("\"\n", out);
		/* the subcommand's usage lines, verbatim */
		fputs(".nf\n", out);
		while (*s && *s != '\n') {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			size_t ind = n > 7 && strncmp(s, "usage: ", 7) == 0 ? 7 : 0;
			hs_roff_textn(out, s + ind, n - ind);
			fputc('\n', out);
			s += n + (nl != NULL);
		}
		fputs(".fi\n", out);
		m.mode = M_NONE;
		while (*s) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			if (n > 0 && is_heading(s, n)) { /* sub-headings become .SS */
				end_block(&m);
				fputs(".SS ", out);
				hs_roff_textn(out, s, n - 1);
				fputc('\n', out);
			} else {
				line_out(&m, s, n);
			}
			s += n + (nl != NULL);
		}
		end_block(&m);
	}
	if (strcmp(prog, "hsyncd") == 0 || strcmp(prog, "hsyncctl") == 0)
		fputs(
		    ".SH SEE ALSO\n\\fBhsyncd\\fR(8), \\fBhsyncd.conf\\fR(5), \\fBhsyncctl\\fR(8), "
		    "\\fBhsdig\\fR(1), \\fBhsync\\-keygen\\fR(1)\n",
		    out);
	else
		fputs(".SH SEE ALSO\n\\fBhsyncd\\fR(8), \\fBhsyncctl\\fR(8)\n", out);
}
