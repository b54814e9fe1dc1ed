/*
 * text.h -- zone-file style presentation text for the RDATA codecs:
 * a tokenizer, domain names, character-strings and small numbers.
 *
 * Tokens are separated by ASCII whitespace. A token is either unquoted
 * (ends at whitespace) or quoted ("..." may contain whitespace). In both,
 * "\DDD" (exactly three decimal digits, at most 255) stands for one octet
 * and "\X" for the character X. Parentheses and comments are not
 * special: RDATA text here is one logical line.
 *
 * In key=value mode (HS_TOK_KEYVAL, for HSYNCPARAM and the EDNS option
 * fields) a token is `key`, `key=value` or `key="quoted value"`; the
 * quote may only open right after the '='. In plain mode a quote may only
 * open at the start of a token, so JSON such as {"a":1} is one unquoted
 * token.
 */
#ifndef HS_WIRE_TEXT_H
#define HS_WIRE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errmsg.h"

typedef struct hs_tok {
	const char *p;
	const char *end;
} hs_tok_t;

typedef struct hs_token {
	const char *raw; /* source text of the value (inside the quotes if quoted) */
	size_t rawlen;
	const char *key; /* HS_TOK_KEYVAL only: the key text, never escaped */
	size_t keylen;
	int has_eq;   /* HS_TOK_KEYVAL only: an '=' followed the key */
	int quoted;   /* the value was quoted */
	hs_buf_t val; /* the value with escapes resolved; owned, hs_token_free() */
} hs_token_t;

#define HS_TOKEN_INIT                                                                              \
	{                                                                                          \
		NULL, 0, NULL, 0, 0, 0, HS_BUF_INIT                                                \
	}

enum { HS_TOK_PLAIN = 0, HS_TOK_KEYVAL = 1 };

void hs_tok_init(hs_tok_t *t, const char *text);
/* Skip whitespace; 1 if another token follows, else 0. */
int hs_tok_more(hs_tok_t *t);
/*
 * Read the next token into `tk` (its previous value is replaced).
 * `field` names what is being read, for the error text.
 * HS_E_SYNTAX: no token left, unterminated quote, bad escape, text after
 * a closing quote.
 */
int hs_tok_next(hs_tok_t *t, hs_token_t *tk, int mode, const char *field,
                hs_errmsg_t *em) HS_CHECK_RESULT;
/* HS_E_SYNTAX ("<field>: unexpected text ...") if any token is left. */
int hs_tok_end(hs_tok_t *t, const char *field, hs_errmsg_t *em) HS_CHECK_RESULT;
void hs_token_free(hs_token_t *tk);
/* Case-insensitive comparison of the token value with `s`. */
int hs_token_is(const hs_token_t *tk, const char *s);

/*
 * Presentation domain name (`n` characters, escapes allowed, trailing dot
 * optional: names are always taken as absolute; "." is the root) -> wire
 * form in `out` (WIRE_NAME_MAX bytes). HS_E_NAME for empty or over-long
 * labels or a name over 255 octets, HS_E_SYNTAX for a bad escape.
 */
int hs_name_from_text(const char *s, size_t n, uint8_t *out, size_t *outlen) HS_CHECK_RESULT;
/* Append the presentation form of a valid uncompressed wire name. */
void hs_name_print(hs_buf_t *out, const uint8_t *name, size_t len);

/* Append bytes as a quoted string ("..." with \" \\ and \DDD escapes). */
void hs_str_print_quoted(hs_buf_t *out, const uint8_t *s, size_t n);
/* Append bytes as one unquoted token (escaping space, quotes, backslash,
 * ';', '(' and ')'; \DDD for the rest); "" when empty. */
void hs_str_print_bare(hs_buf_t *out, const uint8_t *s, size_t n);

/* Decimal (or 0x-hex when `hex_ok`) unsigned number <= max. */
int hs_parse_uint(const char *s, size_t n, unsigned long max, int hex_ok,
                  unsigned long *v) HS_CHECK_RESULT;

/* "<field>: <reason for code>" through hs_fail (reason from the wire
 * cursor codes: truncated, compression pointer not allowed, ...). */
int hs_wire_fail(hs_errmsg_t *em, int code, const char *field);

#endif
