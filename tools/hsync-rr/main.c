/* hsync-rr -- convert hsync RDATA and EDNS(0) options between text and wire. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "util/buf.h"
#include "util/encoding.h"
#include "util/errmsg.h"
#include "util/xmalloc.h"
#include "wire/edns_opts.h"
#include "wire/rdata.h"

static const char usage[] =
    "usage: hsync-rr COMMAND ARGS...\n"
    "\n"
    "Convert the RDATA of hsync's record types and its EDNS(0) options between\n"
    "presentation text and wire form (lowercase hex).\n"
    "\n"
    "  hsync-rr encode TYPE 'RDATA...'          print the RDATA as hex\n"
    "  hsync-rr decode TYPE HEX                 print the presentation RDATA\n"
    "  hsync-rr option-encode NAME 'FIELDS...'  print option code+length+data as hex\n"
    "  hsync-rr option-decode HEX               print 'NAME FIELDS' for code+length+data\n"
    "\n"
    "TYPE is DSYNC, HSYNC3, HSYNCPARAM, CHUNK, HPKEKEY or the decode-only legacy\n"
    "HSYNC and HSYNC2, in any case, or TYPEnnnnn (TYPE65285). RDATA is written as\n"
    "in a zone file after the type; several arguments are joined with spaces.\n"
    "RFC 3597 generic RDATA ('\\# LEN HEX') is accepted for every type and must\n"
    "still be valid for it. HEX may contain whitespace.\n"
    "\n"
    "Presentation forms:\n"
    "  DSYNC       CDS NOTIFY 5359 ns1.example.com.\n"
    "  HSYNC3      ON netnod agent.netnod.se. .\n"
    "  HSYNCPARAM  nsmgmt=\"agent\" servers=\"alpha,echo\" signers=\"alpha\" pubcds\n"
    "  CHUNK       1 2 JSON \"\" aGVsbG8gd29ybGQ=   (sequence total format hmac data)\n"
    "  HPKEKEY     32 1 2 <base64 public key>     (kem kdf aead key)\n"
    "Options (NAME FIELDS):\n"
    "  KEYSTATE        key-id=4242 state=KEY_TRUSTED data=0 text=\"Key state: Trusted\"\n"
    "  CHUNK           format=JSON hmac=<hex> data=\"{...}\"   (or data64=<base64>)\n"
    "  CHUNK-ENDPOINT  192.0.2.10:5399\n"
    "\n"
    "Exit status: 0 on success; 1 on bad input, with one line on stderr naming\n"
    "the field that failed; 2 on a usage error.\n";

/* Join argv[from..argc) with single spaces (caller frees). */
static char *join_args(int argc, char **argv, int from)
{
	hs_buf_t b = HS_BUF_INIT;
	for (int i = from; i < argc; i++) {
		if (i > from)
			hs_buf_append_u8(&b, ' ');
		hs_buf_append(&b, argv[i], strlen(argv[i]));
	}
	hs_buf_cstr(&b);
	return (char *)b.data;
}

static void print_hex(const uint8_t *p, size_t n)
{
	char *hex = xmalloc(2 * n + 1);
	hs_hex_encode(hex, p, n);
	puts(hex);
	free(hex);
}

/* Hex arguments -> bytes; 0 on success. */
static int read_hex(int argc, char **argv, int from, hs_buf_t *out)
{
	char *hex = join_args(argc, argv, from);
	size_t n = strlen(hex) / 2 + 1;
	int rc;
	hs_buf_reserve(out, n);
	rc = hs_hex_decode(out->data, &n, hex, strlen(hex));
	if (rc == HS_OK)
		out->len = n;
	free(hex);
	return rc;
}

static int want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

static int cmd_encode(int argc, char **argv)
{
	hs_buf_t out = HS_BUF_INIT;
	hs_errmsg_t em;
	uint16_t type;
	char *text;
	int rc;
	if (want_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2)
		return cli_err(2, "usage: hsync-rr encode TYPE 'RDATA...'");
	if (hs_rrtype_parse(argv[1], &type) != HS_OK)
		return cli_err(2, "unknown type '%s' (try --help)", argv[1]);
	hs_errmsg_clear(&em);
	text = join_args(argc, argv, 2);
	rc = hs_rdata_from_text(type, text, &out, &em);
	free(text);
	if (rc != HS_OK) {
		hs_buf_free(&out);
		return cli_err(1, "%s", hs_errmsg_str(&em));
	}
	print_hex(out.data, out.len);
	hs_buf_free(&out);
	return 0;
}

static int cmd_decode(int argc, char **argv)
{
	hs_buf_t in = HS_BUF_INIT, out = HS_BUF_INIT;
	hs_errmsg_t em;
	uint16_t type;
	int rc = 0;
	if (want_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2)
		return cli_err(2, "usage: hsync-rr decode TYPE HEX");
	if (hs_rrtype_parse(argv[1], &type) != HS_OK)
		return cli_err(2, "unknown type '%s' (try --help)", argv[1]);
	hs_errmsg_clear(&em);
	if (read_hex(argc, argv, 2, &in) != HS_OK) {
		rc = cli_err(1, "rdata: bad hex");
		goto cleanup;
	}
	if (hs_rdata_to_text(type, in.data, in.len, &out, &em) != HS_OK) {
		rc = cli_err(1, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	puts(hs_buf_cstr(&out));
cleanup:
	hs_buf_free(&in);
	hs_buf_free(&out);
	return rc;
}

static int cmd_option_encode(int argc, char **argv)
{
	hs_buf_t out = HS_BUF_INIT;
	hs_errmsg_t em;
	uint16_t code;
	char *text;
	int rc;
	if (want_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2)
		return cli_err(2, "usage: hsync-rr option-encode NAME 'FIELDS...'");
	if (hs_edns_opt_parse(argv[1], &code) != HS_OK)
		return cli_err(2, "unknown option '%s' (KEYSTATE, CHUNK, CHUNK-ENDPOINT)", argv[1]);
	hs_errmsg_clear(&em);
	text = join_args(argc, argv, 2);
	rc = hs_edns_opt_from_text(argv[1], text, &out, &em);
	free(text);
	if (rc != HS_OK) {
		hs_buf_free(&out);
		return cli_err(1, "%s", hs_errmsg_str(&em));
	}
	print_hex(out.data, out.len);
	hs_buf_free(&out);
	return 0;
}

static int cmd_option_decode(int argc, char **argv)
{
	hs_buf_t in = HS_BUF_INIT, out = HS_BUF_INIT;
	hs_errmsg_t em;
	const uint8_t *data;
	size_t dlen;
	uint16_t code;
	int rc = 0;
	if (want_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2)
		return cli_err(2, "usage: hsync-rr option-decode HEX");
	hs_errmsg_clear(&em);
	if (read_hex(argc, argv, 1, &in) != HS_OK) {
		rc = cli_err(1, "option: bad hex");
		goto cleanup;
	}
	if (hs_edns_opt_split(in.data, in.len, &code, &data, &dlen, &em) != HS_OK ||
	    hs_edns_opt_to_text(code, data, dlen, &out, &em) != HS_OK) {
		rc = cli_err(1, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	printf("%s %s\n", hs_edns_opt_name(code), hs_buf_cstr(&out));
cleanup:
	hs_buf_free(&in);
	hs_buf_free(&out);
	return rc;
}

static const struct cli_subcmd cmds[] = {
    {"encode", cmd_encode, "presentation RDATA -> RDATA hex"},
    {"decode", cmd_decode, "RDATA hex -> presentation RDATA"},
    {"option-encode", cmd_option_encode, "option NAME and fields -> code+length+data hex"},
    {"option-decode", cmd_option_decode, "code+length+data hex -> NAME and fields"},
};

int main(int argc, char **argv)
{
	return cli_dispatch("hsync-rr", usage, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
