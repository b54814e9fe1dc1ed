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

#define HSDIG_MAX_SIG0KEYS 8

struct hsdig_opts {
	const char
	    *server; /* NULL: first resolv.conf nameserver or 127.0.0.1; a name is resolved */
	unsigned port;
	const char *bind; /* source address, "addr" or "addr#port" */
	const char *name;
	uint16_t qtype, qclass;
	int qtype_set;
	int tcp, notify, rec, dnssec, edns, cd, shortform, comments;
	int cmd, question, answer, authority, additional, stats; /* what is shown */
	unsigned bufsize, time_s, tries;
	hs_buf_t edns_opts;                        /* raw option bytes from +opt= */
	const char *sig0_file;                     /* +sig0=: private key to sign with */
	const char *sig0_keys[HSDIG_MAX_SIG0KEYS]; /* +sig0key=: keys to verify with */
	size_t nsig0_keys;
	int help, version;
};

/* SIG(0) (sig0.c): sign the message about to be sent with +sig0's key,
 * writing a one-line note for the output; then report on the response's
 * SIG(0) (verified against +sig0key= keys when given). Exit-code style
 * returns as hsdig_parse_args: -1 to go on, else the exit code. */
int hsdig_sig0_sign(const struct hsdig_opts *o, hs_buf_t *msg, char *note, size_t notelen);
void hsdig_sig0_report(const struct hsdig_opts *o, const uint8_t *ans, size_t len, FILE *f);

/* Fill `o` from argv. Returns -1 to go on, else the exit code (after
 * printing help or a one-line error). Frees nothing; see hsdig_opts_free. */
int hsdig_parse_args(int argc, char **argv, struct hsdig_opts *o);
void hsdig_opts_free(struct hsdig_opts *o);
void hsdig_usage(FILE *f);

/* "HSYNC3", "a", "TYPE65285", "65285" -> type code; -1 if not a type. */
int hsdig_type_parse(const char *s, uint16_t *type);

#endif
