/*
 * hsync-vectors rr FILE -- run a record/option wire vector file
 * (shared/vectors/rr-wire.txt format) through the codecs of src/wire.
 *
 * Record lines `TYPE | presentation | hex` are checked both ways: the
 * presentation must encode to the hex, and the hex must decode to the
 * presentation (case and spacing aside). Option lines
 * `OPTION | description | code+length+data hex` have free-text
 * descriptions, so the hex is decoded, the result re-encoded to the same
 * bytes, and the decoded text checked against the description: its first
 * word names the option, and every number of two or more digits and every
 * WORD_WITH_UNDERSCORES in it appears in the decoded text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cli.h"
#include "hsync-vectors/hsync-vectors.h"
#include "util/buf.h"
#include "util/encoding.h"
#include "util/errmsg.h"
#include "util/file.h"
#include "util/xmalloc.h"
#include "wire/edns_opts.h"
#include "wire/rdata.h"

/* Lowercase, whitespace collapsed to single spaces, trimmed. */
static char *normalize(const char *s)
{
	hs_buf_t b = HS_BUF_INIT;
	int space = 0;
	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space)
			hs_buf_append_u8(&b, ' ');
		space = 0;
		hs_buf_append_u8(&b, (uint8_t)tolower((unsigned char)*s));
	}
	hs_buf_cstr(&b);
	return (char *)b.data;
}

static char *trim(char *s)
{
	char *e;
	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int hex_bytes(const char *hex, hs_buf_t *out)
{
	size_t n = strlen(hex) / 2 + 1;
	hs_buf_reserve(out, n);
	if (hs_hex_decode(out->data, &n, hex, strlen(hex)) != HS_OK)
		return -1;
	out->len = n;
	return 0;
}

static char *to_hex(const hs_buf_t *b)
{
	char *hex = xmalloc(2 * b->len + 1);
	hs_hex_encode(hex, b->data, b->len);
	return hex;
}

/* One record vector; 0 pass, 1 fail (a line printed). */
static int run_record(int line, const char *tname, const char *pres, const char *hex)
{
	hs_buf_t enc = HS_BUF_INIT, wire = HS_BUF_INIT, dec = HS_BUF_INIT;
	hs_errmsg_t em;
	char *got = NULL, *a = NULL, *b = NULL;
	uint16_t type;
	int fail = 1;

	hs_errmsg_clear(&em);
	if (hs_rrtype_parse(tname, &type) != HS_OK) {
		printf("line %d: %s: unknown type\n", line, tname);
		goto cleanup;
	}
	if (hs_rdata_from_text(type, pres, &enc, &em) != HS_OK) {
		printf("line %d: %s encode: %s\n", line, tname, hs_errmsg_str(&em));
		goto cleanup;
	}
	got = to_hex(&enc);
	if (strcasecmp(got, hex) != 0) {
		printf("line %d: %s encode: got %s, want %s\n", line, tname, got, hex);
		goto cleanup;
	}
	if (hex_bytes(hex, &wire) != 0) {
		printf("line %d: %s: bad hex column\n", line, tname);
		goto cleanup;
	}
	if (hs_rdata_to_text(type, wire.data, wire.len, &dec, &em) != HS_OK) {
		printf("line %d: %s decode: %s\n", line, tname, hs_errmsg_str(&em));
		goto cleanup;
	}
	a = normalize(hs_buf_cstr(&dec));
	b = normalize(pres);
	if (strcmp(a, b) != 0) {
		printf("line %d: %s decode: got '%s', want '%s'\n", line, tname, hs_buf_cstr(&dec),
		       pres);
		goto cleanup;
	}
	fail = 0;
cleanup:
	free(got);
	free(a);
	free(b);
	hs_buf_free(&enc);
	hs_buf_free(&wire);
	hs_buf_free(&dec);
	return fail;
}

/* Does the decoded option text agree with the free-text description? */
static const char *describe_mismatch(const char *name, const char *desc, const char *text)
{
	static char why[160];
	char *d = normalize(desc), *t = normalize(text), *n = normalize(name);
	const char *p;
	size_t wl = strcspn(d, " ,(");
	const char *res = NULL;

	/* first word names the option: "KeyState" ~ KEYSTATE, "CHUNK" ~ CHUNK-ENDPOINT */
	if (wl == 0 || strncmp(n, d, wl) != 0) {
		snprintf(why, sizeof(why), "description does not start with the option name");
		res = why;
		goto cleanup;
	}
	for (p = d; *p;) {
		size_t len;
		if (isdigit((unsigned char)*p)) {
			len = strspn(p, "0123456789");
			if (len >= 2) {
				char num[24];
				snprintf(num, sizeof(num), "%.*s", (int)(len < 20 ? len : 20), p);
				if (strstr(t, num) == NULL) {
					snprintf(why, sizeof(why), "number %s not in decoded text",
					         num);
					res = why;
					goto cleanup;
				}
			}
			p += len;
		} else if (isalpha((unsigned char)*p)) {
			len = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
			char word[64];
			snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), p);
			if (strchr(word, '_') && strstr(t, word) == NULL) {
				snprintf(why, sizeof(why), "%s not in decoded text", word);
				res = why;
				goto cleanup;
			}
			p += len;
		} else {
			p++;
		}
	}
cleanup:
	free(d);
	free(t);
	free(n);
	return res;
}

static int run_option(int line, const char *desc, const char *hex)
{
	hs_buf_t wire = HS_BUF_INIT, text = HS_BUF_INIT, enc = HS_BUF_INIT;
	hs_errmsg_t em;
	const uint8_t *data;
	size_t dlen;
	uint16_t code;
	char *got = NULL;
	const char *why;
	int fail = 1;

	hs_errmsg_clear(&em);
	if (hex_bytes(hex, &wire) != 0) {
		printf("line %d: OPTION: bad hex column\n", line);
		goto cleanup;
	}
	if (hs_edns_opt_split(wire.data, wire.len, &code, &data, &dlen, &em) != HS_OK ||
	    hs_edns_opt_to_text(code, data, dlen, &text, &em) != HS_OK) {
		printf("line %d: OPTION decode: %s\n", line, hs_errmsg_str(&em));
		goto cleanup;
	}
	if (hs_edns_opt_from_text(hs_edns_opt_name(code), hs_buf_cstr(&text), &enc, &em) != HS_OK) {
		printf("line %d: OPTION re-encode of '%s': %s\n", line, hs_buf_cstr(&text),
		       hs_errmsg_str(&em));
		goto cleanup;
	}
	got = to_hex(&enc);
	if (strcasecmp(got, hex) != 0) {
		printf("line %d: OPTION re-encode: got %s, want %s\n", line, got, hex);
		goto cleanup;
	}
	if ((why = describe_mismatch(hs_edns_opt_name(code), desc, hs_buf_cstr(&text))) != NULL) {
		printf("line %d: OPTION decoded as '%s %s': %s\n", line, hs_edns_opt_name(code),
		       hs_buf_cstr(&text), why);
		goto cleanup;
	}
	fail = 0;
cleanup:
	free(got);
	hs_buf_free(&wire);
	hs_buf_free(&text);
	hs_buf_free(&enc);
	return fail;
}

int vectors_rr_main(int argc, char **argv)
{
	hs_buf_t file = HS_BUF_INIT;
	int passed = 0, failed = 0, rc = 0, lineno = 0;
	char *line, *next;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: hsync-vectors rr FILE\n\n"
		       "Each line 'TYPE | presentation | hex' is encoded and decoded; each line\n"
		       "'OPTION | description | code+length+data hex' is decoded, re-encoded and\n"
		       "checked against its description. Prints one line per failure and\n"
		       "'N passed, M failed'. Exit 0 all passed, 1 some failed, 2 unreadable\n"
		       "or malformed file.\n");
		return 0;
	}
	if (argc != 2)
		return cli_err(2, "usage: hsync-vectors rr FILE");
	if (hs_read_file(argv[1], &file, 1u << 24) != HS_OK)
		return cli_err(2, "cannot read '%s'", argv[1]);
	hs_buf_cstr(&file);
	for (line = (char *)file.data; line != NULL; line = next) {
		char *bar1, *bar2, *f1, *f2, *f3;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		f1 = trim(line);
		if (*f1 == '\0' || *f1 == '#')
			continue;
		bar1 = strchr(f1, '|');
		bar2 = strrchr(f1, '|');
		if (bar1 == NULL || bar2 == bar1) {
			rc = cli_err(2, "%s:%d: expected 'TYPE | text | hex'", argv[1], lineno);
			goto cleanup;
		}
		*bar1 = *bar2 = '\0';
		f1 = trim(f1);
		f2 = trim(bar1 + 1);
		f3 = trim(bar2 + 1);
		int f = strcasecmp(f1, "OPTION") == 0 ? run_option(lineno, f2, f3)
		                                      : run_record(lineno, f1, f2, f3);
		failed += f;
		passed += !f;
	}
	printf("%d passed, %d failed\n", passed, failed);
	rc = failed ? 1 : 0;
cleanup:
	hs_buf_free(&file);
	return rc;
}
