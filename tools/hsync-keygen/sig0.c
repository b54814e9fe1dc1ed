/* hsync-keygen sig0 -- a SIG(0) key pair in BIND's file format. */
#include "hsync-keygen/hsync-keygen.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cli.h"
#include "sig0/sig0.h"

static const char sig0_usage[] =
    "usage: hsync-keygen sig0 --name NAME [--alg ALG] [--bits N] [--dir DIR]\n"
    "\n"
    "Generate a SIG(0) key pair for NAME and write it as BIND does:\n"
    "DIR/K<name>+<alg>+<tag>.key (the KEY record, mode 0644) and\n"
    "DIR/K<name>+<alg>+<tag>.private (Private-key-format v1.3, mode 0600).\n"
    "The files work with 'nsupdate -k' and 'hsync-sig0'; keys made by\n"
    "'dnssec-keygen -T KEY -n HOST' work with hsync the same way.\n"
    "Prints the KEY record to publish at NAME, then the file base name.\n"
    "\n"
    "Options:\n"
    "  --name NAME   owner name of the key (e.g. dns.provider.example.)\n"
    "  --alg ALG     ED25519 (default), ECDSAP256SHA256, ECDSAP384SHA384,\n"
    "                RSASHA256 or RSASHA512 (names or numbers 15, 13, 14, 8, 10)\n"
    "  --bits N      RSA modulus size, 1024..4096 (default 2048); RSA only\n"
    "  --dir DIR     where to write the files (default: the current directory)\n"
    "  -h, --help    this text\n"
    "\n"
    "The KEY record has flags 512 (host/entity key, as BIND's -n HOST) and\n"
    "protocol 3. Created/Publish/Activate are set to the current time.\n"
    "\n"
    "Exit status: 0 written, 1 generation or writing failed, 2 usage error.\n";

int keygen_sig0_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'}, {"alg", required_argument, NULL, 'a'},
	    {"bits", required_argument, NULL, 'b'}, {"dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	const char *name = NULL, *dir = ".";
	uint8_t alg = SIG0_DEFAULT_ALG;
	unsigned bits = 0;
	int c, rc = 1;
	char *base = NULL, *end;
	sig0_key_t *key = NULL;
	hs_buf_t rr = HS_BUF_INIT;
	hs_errmsg_t em;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'a':
			if (sig0_alg_parse(optarg, &alg) != HS_OK)
				return cli_err(2, "unknown or unsupported algorithm '%s'", optarg);
			break;
		case 'b':
			bits = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg)
				return cli_err(2, "--bits needs a number");
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			fputs(sig0_usage, stdout);
			return 0;
		default:
			fputs(sig0_usage, stderr);
			return 2;
		}
	}
	if (!name || optind != argc) {
		fputs(sig0_usage, stderr);
		return 2;
	}
	if (!cli_dname_ok(name))
		return cli_err(2,
		               "--name: '%s' is not a DNS name (letters, digits, '-' and '_'; "
		               "no label starts or ends with '-')",
		               name);
	hs_errmsg_clear(&em);
	if (sig0_key_generate(alg, bits, name, &key, &em) != HS_OK) {
		rc = cli_err(em.code == HS_E_RANGE || em.code == HS_E_NAME ? 2 : 1, "%s",
		             hs_errmsg_str(&em));
		goto cleanup;
	}
	if (sig0_key_write_files(key, dir, hs_now_s(hs_env_system()), &base, &em) != HS_OK) {
		rc = cli_err(1, "%s", hs_errmsg_str(&em));
		goto cleanup;
	}
	sig0_key_rr_text(key, &rr);
	printf("%s\n%s\n", hs_buf_cstr(&rr), base);
	rc = 0;
cleanup:
	sig0_key_free(key);
	hs_buf_free(&rr);
	free(base);
	return rc;
}
