/*
 * options.c -- hsdig's command line: one table row per option, the help
 * text generated from the same rows. A new option (e.g. +sig0=FILE) is one
 * row, a field in struct hsdig_opts and, if it is not a plain flag or
 * number, one small setter.
 */
#include "hsdig/hsdig.h"

#include <errno.h>
#include <ldns/ldns.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cli.h"
#include "util/encoding.h"
#include "util/xmalloc.h"
#include "wire/proto.h"
#include "wire/rdata.h"

enum opt_kind {
	K_ALL,  /* +all / +noall: every display flag below at once */
	K_FLAG, /* +name / +noname */
	K_UINT, /* +name=N within [min, max] */
	K_FUNC, /* +name=VALUE through a setter */
};

struct plus_opt {
	const char *name;
	enum opt_kind kind;
	size_t off; /* field in struct hsdig_opts (int or unsigned) */
	unsigned min, max;
	int (*set)(struct hsdig_opts *o, const char *val);
	const char *arg, *help;
};

static int set_opt(struct hsdig_opts *o, const char *val);
static int set_sig0(struct hsdig_opts *o, const char *val);
static int set_sig0key(struct hsdig_opts *o, const char *val);

#define F(field) offsetof(struct hsdig_opts, field)
static const struct plus_opt plus_opts[] = {
    {"tcp", K_FLAG, F(tcp), 0, 0, NULL, NULL,
     "use TCP only (default: UDP, then TCP when the answer has TC=1)"},
    {"notify", K_FLAG, F(notify), 0, 0, NULL, NULL,
     "send a NOTIFY (opcode 4, AA set, RD clear) instead of a query; TYPE defaults to SOA"},
    {"rec", K_FLAG, F(rec), 0, 0, NULL, NULL,
     "set RD, recursion desired (default on; +norec clears it)"},
    {"recurse", K_FLAG, F(rec), 0, 0, NULL, NULL, "same as +rec"},
    {"dnssec", K_FLAG, F(dnssec), 0, 0, NULL, NULL,
     "set the DO bit in the OPT record (asks for DNSSEC records)"},
    {"cd", K_FLAG, F(cd), 0, 0, NULL, NULL, "set CD, checking disabled"},
    {"edns", K_FLAG, F(edns), 0, 0, NULL, NULL,
     "add an OPT record (default on; +noedns sends a plain RFC 1035 message)"},
    {"bufsize", K_UINT, F(bufsize), 512, 65535, NULL, "N",
     "advertise an EDNS UDP payload size of N bytes (default 1232)"},
    {"time", K_UINT, F(time_s), 1, 300, NULL, "S", "wait S seconds for each answer (default 5)"},
    {"tries", K_UINT, F(tries), 1, 50, NULL, "N", "send a UDP query at most N times (default 3)"},
    {"short", K_FLAG, F(shortform), 0, 0, NULL, NULL,
     "print only the RDATA of the answer section, one record per line"},
    {"comments", K_FLAG, F(comments), 0, 0, NULL, NULL,
     "print the header, the OPT pseudosection and the section titles (default on)"},
    {"all", K_ALL, 0, 0, 0, NULL, NULL,
     "set or clear every display flag: cmd, comments, question, answer, authority, "
     "additional, stats (+noall +answer prints the answer records alone)"},
    {"cmd", K_FLAG, F(cmd), 0, 0, NULL, NULL, "print the '; <<>> hsdig <<>>' line (default on)"},
    {"question", K_FLAG, F(question), 0, 0, NULL, NULL, "print the question section (default on)"},
    {"answer", K_FLAG, F(answer), 0, 0, NULL, NULL, "print the answer section (default on)"},
    {"authority", K_FLAG, F(authority), 0, 0, NULL, NULL,
     "print the authority section (default on)"},
    {"additional", K_FLAG, F(additional), 0, 0, NULL, NULL,
     "print the additional section (default on)"},
    {"stats", K_FLAG, F(stats), 0, 0, NULL, NULL,
     "print the query time, server and size lines (default on)"},
    {"opt", K_FUNC, 0, 0, 0, set_opt, "CODE:HEX",
     "add EDNS option CODE (number or KEYSTATE, CHUNK, CHUNK-ENDPOINT) with data HEX; "
     "may be repeated, HEX may be empty"},
    {"sig0", K_FUNC, 0, 0, 0, set_sig0, "KFILE",
     "sign the message with SIG(0) using the private key KFILE (BIND format: "
     "Kname+alg+tag.private, its .key, or the base name), as hsync parties do"},
    {"sig0key", K_FUNC, 0, 0, 0, set_sig0key, "KEY",
     "verify the response's SIG(0) against KEY: a Kname+alg+tag.key file or a KEY "
     "record in quotes ('name. IN KEY 512 3 15 ...'); may be repeated (up to 8). "
     "Without it a SIG(0) in the response is shown but not checked"},
};
#undef F

static const char usage_head[] =
    "usage: hsdig [@SERVER] [-p PORT] [-b ADDR] [-t TYPE] [-c CLASS] [-q NAME]\n"
    "             [+OPTION...] NAME [TYPE] [CLASS]\n"
    "       hsdig -v | -V | --version\n"
    "\n"
    "Send one DNS query (or NOTIFY) and print the response the way dig does,\n"
    "with hsync's record types (DSYNC, HSYNC3, HSYNCPARAM, CHUNK, HPKEKEY and\n"
    "the legacy HSYNC, HSYNC2) and EDNS(0) options (KEYSTATE, CHUNK,\n"
    "CHUNK-ENDPOINT, EDE) decoded. A record that does not decode is shown as\n"
    "\\# LEN HEX followed by '; decode error: WHY'.\n"
    "\n"
    "Arguments:\n"
    "  @SERVER      the server: an IPv4 or IPv6 address, or a host name (its\n"
    "               first address from the system's resolver); default: the\n"
    "               first nameserver in /etc/resolv.conf, else 127.0.0.1\n"
    "  NAME         the query name (QNAME)\n"
    "  TYPE         query type: a mnemonic known to ldns (A, SOA, SIG, ...),\n"
    "               an hsync mnemonic (HSYNC3, HSYNCPARAM, DSYNC, CHUNK,\n"
    "               HPKEKEY, HSYNC, HSYNC2), TYPEnnn or a number; default A\n"
    "               (SOA with +notify). AXFR and IXFR go over TCP and every\n"
    "               message of the transfer is printed\n"
    "  CLASS        IN (default), CH, HS, ANY, NONE or CLASSnnn\n"
    "\n"
    "Options:\n"
    "  -p PORT      server port (default 53)\n"
    "  -b ADDR      send from this source address (ADDR or ADDR#PORT)\n"
    "  -t TYPE      query type (as TYPE above)\n"
    "  -c CLASS     query class (as CLASS above)\n"
    "  -q NAME      query name, for a NAME that looks like a type or class\n"
    "  -v, -V, --version  print the version and exit (dig's -v)\n"
    "  -h, --help   print this help and exit\n";

static const char usage_tail[] =
    "\n"
    "Output: the response (header, OPT PSEUDOSECTION, QUESTION, ANSWER,\n"
    "AUTHORITY, ADDITIONAL sections), then ';; Query time', ';; SERVER:\n"
    "ADDR#PORT(UDP|TCP)' and ';; MSG SIZE  rcvd'.\n"
    "\n"
    "Exit status:\n"
    "  0   a response was received and printed (whatever its RCODE)\n"
    "  1   usage error\n"
    "  9   no reply from the server, or a reply that does not parse\n"
    "  10  internal error\n"
    "\n"
    "Examples:\n"
    "  hsdig @127.0.0.1 -p 5353 example.test HSYNC3\n"
    "  hsdig @::1 -p 5353 +tcp example.test HSYNCPARAM\n"
    "  hsdig @127.0.0.1 -p 5353 +notify example.test\n"
    "  hsdig @127.0.0.1 +opt=KEYSTATE:10920200 dns.alpha.test KEY\n";

/* `text` word-wrapped to 78 columns, continuation lines indented. */
static void print_wrapped(FILE *f, const char *text, int indent)
{
	int col = indent;
	const char *p = text;

	while (*p) {
		size_t w = strcspn(p, " ");
		if (col > indent && col + 1 + (int)w > 78) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void hsdig_usage(FILE *f)
{
	char left[64];

	fputs(usage_head, f);
	for (size_t i = 0; i < sizeof(plus_opts) / sizeof(plus_opts[0]); i++) {
		const struct plus_opt *p = &plus_opts[i];
		if (p->kind == K_FLAG || p->kind == K_ALL)
			snprintf(left, sizeof(left), "+[no]%s", p->name);
		else
			snprintf(left, sizeof(left), "+%s=%s", p->name, p->arg);
		fprintf(f, "  %-16s ", left);
		print_wrapped(f, p->help, 19);
	}
	fputs(usage_tail, f);
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int edns_opt_code(const char *s, uint16_t *code)
{
	static const struct {
		const char *name;
		uint16_t code;
	} rows[] = {
#define EDNS_OPT(name, code, mn) {mn, code},
#include "proto/edns_options.def"
#undef EDNS_OPT
	    {"EDE", 15},
	    {"NSID", 3},
	    {"COOKIE", 10},
	};
	unsigned v;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (strcasecmp(s, rows[i].name) == 0) {
			*code = rows[i].code;
			return 0;
		}
	if (parse_uint(s, 0, 65535, &v) != 0)
		return -1;
	*code = (uint16_t)v;
	return 0;
}

static int set_opt(struct hsdig_opts *o, const char *val)
{
	const char *colon = strchr(val, ':');
	char *code_s = xstrdup(val);
	uint8_t *data = NULL;
	uint16_t code;
	int rc = -1;

	if (colon)
		code_s[colon - val] = '\0';
	if (edns_opt_code(code_s, &code) != 0) {
		cli_err(HSDIG_EXIT_USAGE, "+opt: '%s' is not an option code or name", code_s);
		goto cleanup;
	}
	const char *hex = colon ? colon + 1 : "";
	size_t n = strlen(hex) / 2 + 1;
	data = xmalloc(n);
	if (hs_hex_decode(data, &n, hex, strlen(hex)) != HS_OK || n > 65535) {
		cli_err(HSDIG_EXIT_USAGE, "+opt: '%s' is not hex option data", hex);
		goto cleanup;
	}
	hs_buf_append_u16(&o->edns_opts, code);
	hs_buf_append_u16(&o->edns_opts, (uint16_t)n);
	hs_buf_append(&o->edns_opts, data, n);
	rc = 0;

cleanup:
	free(code_s);
	free(data);
	return rc;
}

static int set_sig0(struct hsdig_opts *o, const char *val)
{
	if (*val == '\0')
		return cli_err(HSDIG_EXIT_USAGE, "+sig0 needs a key file");
	o->sig0_file = val;
	return 0;
}

static int set_sig0key(struct hsdig_opts *o, const char *val)
{
	if (*val == '\0')
		return cli_err(HSDIG_EXIT_USAGE, "+sig0key needs a key file or KEY record");
	if (o->nsig0_keys >= HSDIG_MAX_SIG0KEYS)
		return cli_err(HSDIG_EXIT_USAGE, "at most %d +sig0key options", HSDIG_MAX_SIG0KEYS);
	o->sig0_keys[o->nsig0_keys++] = val;
	return 0;
}

static int plus_option(struct hsdig_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
	int neg = 0;

	if (nlen > 2 && strncmp(arg, "no", 2) == 0) {
		/* "+noX": a flag X, unless an option is itself called "no..." */
		neg = 1;
		for (size_t i = 0; i < sizeof(plus_opts) / sizeof(plus_opts[0]); i++)
			if (strlen(plus_opts[i].name) == nlen &&
			    strncmp(plus_opts[i].name, arg, nlen) == 0)
				neg = 0;
	}
	const char *name = neg ? arg + 2 : arg;
	nlen -= neg ? 2 : 0;
	for (size_t i = 0; i < sizeof(plus_opts) / sizeof(plus_opts[0]); i++) {
		const struct plus_opt *p = &plus_opts[i];
		if (strlen(p->name) != nlen || strncmp(p->name, name, nlen) != 0)
			continue;
		void *field = (char *)o + p->off;
		switch (p->kind) {
		case K_ALL:
			if (eq)
				return cli_err(-2, "+%s takes no value", p->name);
			o->cmd = o->comments = o->question = o->answer = o->authority =
			    o->additional = o->stats = !neg;
			return 0;
		case K_FLAG:
			if (eq)
				return cli_err(-2, "+%s takes no value", p->name);
			*(int *)field = !neg;
			return 0;
		case K_UINT:
			if (neg || !eq ||
			    parse_uint(eq + 1, p->min, p->max, (unsigned *)field) != 0)
				return cli_err(-2, "+%s needs a number from %u to %u", p->name,
				               p->min, p->max);
			return 0;
		case K_FUNC:
			if (neg || !eq)
				return cli_err(-2, "+%s needs a value (+%s=%s)", p->name, p->name,
				               p->arg);
			return p->set(o, eq + 1) == 0 ? 0 : -2;
		}
	}
	return cli_err(-2, "unknown option '+%s' (try 'hsdig --help')", arg);
}

int hsdig_type_parse(const char *s, uint16_t *type)
{
	unsigned v;
	uint16_t t;

	if (hs_rrtype_parse(s, &t) == HS_OK) {
		*type = t;
		return 0;
	}
	if (parse_uint(s, 0, 65535, &v) == 0) {
		*type = (uint16_t)v;
		return 0;
	}
	t = (uint16_t)ldns_get_rr_type_by_name(s);
	if (t == 0)
		return -1;
	*type = t;
	return 0;
}

static int class_parse(const char *s, uint16_t *cls)
{
	uint16_t c = (uint16_t)ldns_get_rr_class_by_name(s);
	if (c == 0)
		return -1;
	*cls = c;
	return 0;
}

/* The value of "-x VALUE" or "-xVALUE"; NULL (after an error) if missing. */
static const char *dash_value(int argc, char **argv, int *i)
{
	if (argv[*i][2])
		return argv[*i] + 2;
	if (*i + 1 >= argc) {
		cli_err(HSDIG_EXIT_USAGE, "option '%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int dash_option(struct hsdig_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char *v;

	if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
		o->help = 1;
		return 0;
	}
	if (strcmp(a, "-v") == 0) {
		o->version = 1;
		return 0;
	}
	if (strlen(a) < 2 || !strchr("pbtcq", a[1]))
		return cli_err(-2, "unknown option '%s' (try 'hsdig --help')", a);
	if (!(v = dash_value(argc, argv, i)))
		return -2;
	switch (a[1]) {
	case 'p':
		if (parse_uint(v, 1, 65535, &o->port) != 0)
			return cli_err(-2, "-p: '%s' is not a port number", v);
		break;
	case 'b':
		o->bind = v;
		break;
	case 't':
		if (hsdig_type_parse(v, &o->qtype) != 0)
			return cli_err(-2, "-t: unknown type '%s'", v);
		o->qtype_set = 1;
		break;
	case 'c':
		if (class_parse(v, &o->qclass) != 0)
			return cli_err(-2, "-c: unknown class '%s'", v);
		break;
	case 'q':
		o->name = v;
		break;
	}
	return 0;
}

int hsdig_parse_args(int argc, char **argv, struct hsdig_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 53;
	o->qclass = 1;
	o->rec = 1;
	o->edns = 1;
	o->comments = o->cmd = o->question = o->answer = o->authority = o->additional = o->stats =
	    1;
	o->bufsize = 1232;
	o->time_s = 5;
	o->tries = 3;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int rc = 0;
		if (a[0] == '@')
			o->server = a + 1;
		else if (a[0] == '+')
			rc = plus_option(o, a + 1);
		else if (a[0] == '-' && a[1])
			rc = dash_option(o, argc, argv, &i);
		else if (!o->name)
			o->name = a;
		else if (!o->qtype_set && hsdig_type_parse(a, &o->qtype) == 0)
			o->qtype_set = 1;
		else if (class_parse(a, &o->qclass) != 0)
			rc = cli_err(-2, "unexpected argument '%s' (not a type or class)", a);
		if (rc)
			return HSDIG_EXIT_USAGE;
		if (o->help) {
			hsdig_usage(stdout);
			return HSDIG_EXIT_OK;
		}
		if (o->version) {
			cli_version(stdout);
			return HSDIG_EXIT_OK;
		}
	}
	if (!o->name) {
		cli_err(0, "no query name given (try 'hsdig --help')");
		return HSDIG_EXIT_USAGE;
	}
	if (!o->qtype_set)
		o->qtype = o->notify ? LDNS_RR_TYPE_SOA : LDNS_RR_TYPE_A;
	if (o->qtype == LDNS_RR_TYPE_AXFR || o->qtype == LDNS_RR_TYPE_IXFR)
		o->tcp = 1; /* a transfer is a TCP stream (RFC 5936 4.2) */
	return -1;
}

void hsdig_opts_free(struct hsdig_opts *o)
{
	hs_buf_free(&o->edns_opts);
}
