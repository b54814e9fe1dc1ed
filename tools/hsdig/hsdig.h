/* hsdig -- internal interface between the option parser and main(). */
#ifndef HS_TOOLS_HSDIG_H
#define HS_TOOLS_HSDIG_H

#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"

/* Exit codes (as dig where dig has one). */
enum {
	HSDIG_EXIT_OK = 0,      /* got a response and printed it */
	HSDIG_EXIT_USAGE = 1,   /* bad command line */
	HSDIG_EXIT_NOREPLY = 9, /* no (usable) reply from the server */
	HSDIG_EXIT_INTERNAL = 10,
};

struct hsdig_opts {
	const char *server; /* NULL: first resolv.conf nameserver or 127.0.0.1 */
	unsigned port;
	const char *bind; /* source address, "addr" or "addr#port" */
	const char *name;
	uint16_t qtype, qclass;
	int qtype_set;
	int tcp, notify, rec, dnssec, edns, cd, shortform, comments;
	unsigned bufsize, time_s, tries;
	hs_buf_t edns_opts; /* raw option bytes from +opt= */
	int help;
};

/* Fill `o` from argv. Returns -1 to go on, else the exit code (after
 * printing help or a one-line error). Frees nothing; see hsdig_opts_free. */
int hsdig_parse_args(int argc, char **argv, struct hsdig_opts *o);
void hsdig_opts_free(struct hsdig_opts *o);
void hsdig_usage(FILE *f);

/* "HSYNC3", "a", "TYPE65285", "65285" -> type code; -1 if not a type. */
int hsdig_type_parse(const char *s, uint16_t *type);

#endif
