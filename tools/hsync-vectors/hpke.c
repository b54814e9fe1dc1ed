/* hsync-vectors hpke FILE.json -- RFC 9180 known-answer vectors. */
#include "hsync-vectors/hsync-vectors.h"

#include <stdio.h>
#include <string.h>

#include "common/cli.h"
#include "hpke/kat.h"
#include "util/buf.h"
#include "util/file.h"

static const char usage[] =
    "usage: hsync-vectors hpke FILE.json\n"
    "\n"
    "Run RFC 9180 (HPKE) known-answer vectors in the CFRG JSON layout: a list\n"
    "of objects with mode, kem_id, kdf_id, aead_id, info, ikmE/ikmR/ikmS,\n"
    "pkEm/skEm/..., psk/psk_id, enc, shared_secret, key_schedule_context,\n"
    "secret, key, base_nonce, exporter_secret, encryptions and exports.\n"
    "\n"
    "For every vector the key pairs are derived from ikmE/ikmR/ikmS\n"
    "(DeriveKeyPair) and compared, the sender and receiver setups are run and\n"
    "every intermediate value compared, every encryption is sealed and opened\n"
    "at the sequence number its nonce implies, and every export is checked on\n"
    "both sides. Vectors of suites hsync does not implement are skipped.\n"
    "\n"
    "Output: one line per failing (or skipped) vector naming its mode, suite\n"
    "and the values that did not match, then 'N passed, M failed'.\n"
    "\n"
    "Exit status: 0 all vectors passed, 1 a vector failed, 2 the file cannot\n"
    "be read or is not a JSON vector list.\n";

static void report(void *arg, const char *line)
{
	(void)arg;
	printf("%s\n", line);
}

int vectors_hpke_main(int argc, char **argv)
{
	hs_buf_t text = HS_BUF_INIT;
	hpke_kat_result_t res;
	hs_errmsg_t em;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	hs_errmsg_clear(&em);
	if (hs_read_file(argv[1], &text, 64u << 20) != HS_OK)
		return cli_err(2, "cannot read '%s'", argv[1]);
	rc = hpke_kat_run(&res, (const char *)text.data, text.len, report, NULL, &em);
	hs_buf_free(&text);
	if (rc != HS_OK)
		return cli_err(2, "'%s': %s", argv[1], hs_errmsg_str(&em));
	if (res.skipped)
		printf("%u skipped (suite not implemented)\n", res.skipped);
	printf("%u passed, %u failed\n", res.passed, res.failed);
	return res.failed ? 1 : 0;
}
