/* hsync-keygen hpke -- make a party's HPKE key pair and print its HPKEKEY. */
#include "hsync-keygen/hsync-keygen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "hpke/envelope.h"
#include "hpke/hpke.h"
#include "hpke/keyfile.h"
#include "util/buf.h"
#include "util/env.h"
#include "util/xmalloc.h"

static const char usage[] =
    "usage: hsync-keygen hpke --name NAME [--dir DIR] [--kem x25519|p256|p521] [--force]\n"
    "\n"
    "Generate an HPKE key pair for the party with identity NAME, write it to\n"
    "DIR/NAME.hpke (mode 0600; NAME without its final dot) and print the\n"
    "record to publish in the party's signed identity zone:\n"
    "\n"
    "    dns.NAME. IN HPKEKEY <kem> <kdf> <aead> <base64 public key>\n"
    "\n"
    "The HPKEKEY RDATA is kem u16, kdf u16, aead u16 and the serialised public\n"
    "key (RFC 9180 SerializePublicKey); the numbers are printed in decimal.\n"
    "\n"
    "Options:\n"
    "  --name NAME   the party's identity, e.g. alpha.example (required): a DNS\n"
    "                name of letters, digits, '-' and '_' (no label starts or\n"
    "                ends with '-')\n"
    "  --dir DIR     directory for the key file (default: the current one)\n"
    "  --kem KEM     x25519 (default: 32/1/2, the suite of the hsync\n"
    "                transport), p256 (16/1/2) or p521 (18/3/2)\n"
    "  --force       replace an existing key file\n"
    "  -h, --help    this text\n"
    "\n"
    "The key file format (hsync-hpke-v1) is line based: '; comments',\n"
    "'Format: hsync-hpke-v1', 'Name:', 'KEM:', 'KDF:', 'AEAD:', 'PrivateKey:'\n"
    "and 'PublicKey:' (base64). Randomness comes from the kernel (getrandom).\n"
    "\n"
    "Exit status: 0 written, 1 the file exists (without --force) or cannot be\n"
    "written, 2 usage error.\n";

static const struct {
	const char *name;
	hpke_suite_t suite;
} kems[] = {
    {"x25519", {HPKE_KEM_X25519_SHA256, HPKE_KDF_SHA256, HPKE_AEAD_AES256GCM}},
    {"p256", {HPKE_KEM_P256_SHA256, HPKE_KDF_SHA256, HPKE_AEAD_AES256GCM}},
    {"p521", {HPKE_KEM_P521_SHA512, HPKE_KDF_SHA512, HPKE_AEAD_AES256GCM}},
};

int keygen_hpke_main(int argc, char **argv)
{
	const char *name = NULL, *dir = ".", *kem = "x25519";
	hpke_keyfile_t kf;
	hs_buf_t rec = HS_BUF_INIT;
	char *path = NULL, *owner = NULL;
	int force = 0, rc, ret = 1;
	size_t k, nlen, wire_len;
	uint8_t wire[255];
	struct stat st;

	memset(&kf, 0, sizeof(kf));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
			name = argv[++i];
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--kem") == 0 && i + 1 < argc) {
			kem = argv[++i];
		} else if (strcmp(argv[i], "--force") == 0) {
			force = 1;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (name == NULL)
		return cli_err(2, "--name is required (try --help)");
	nlen = strlen(name);
	if (nlen > 1 && name[nlen - 1] == '.')
		nlen--;
	/* the envelope's rule: LDH (and '_') labels; also keeps '/' out of the
	 * path, and '-' (stdin to most tools) or '-x' from being a file name */
	if (!cli_dname_ok(name) || hpke_env_name_wire(wire, &wire_len, name) != HS_OK ||
	    nlen + 5 > sizeof(kf.name))
		return cli_err(2, "--name: '%s' is not a plain DNS name", name);
	for (k = 0; k < sizeof(kems) / sizeof(kems[0]); k++)
		if (strcmp(kem, kems[k].name) == 0)
			break;
	if (k == sizeof(kems) / sizeof(kems[0]))
		return cli_err(2, "--kem: expected x25519, p256 or p521, not '%s'", kem);

	kf.suite = kems[k].suite;
	snprintf(kf.name, sizeof(kf.name), "%.*s.", (int)nlen, name);
	path = xasprintf("%s/%.*s.hpke", dir, (int)nlen, name);
	owner = xasprintf("dns.%s", kf.name);
	if (!force && stat(path, &st) == 0) {
		cli_err(1, "'%s' exists (use --force to replace it)", path);
		goto cleanup;
	}
	if ((rc = hpke_key_generate(&kf.key, kf.suite.kem, hs_env_system())) != HS_OK) {
		cli_err(1, "key generation failed: %s", hs_strerror(rc));
		goto cleanup;
	}
	if ((rc = hpke_keyfile_write(path, &kf)) != HS_OK) {
		cli_err(1, "cannot write '%s': %s", path, hs_strerror(rc));
		goto cleanup;
	}
	if ((rc = hpke_keyfile_record(&rec, &kf, owner)) != HS_OK) {
		cli_err(1, "record: %s", hs_strerror(rc));
		goto cleanup;
	}
	fputs(hs_buf_cstr(&rec), stdout);
	fprintf(stderr, "wrote '%s'\n", path);
	ret = 0;
cleanup:
	hpke_keyfile_clear(&kf);
	hs_buf_free(&rec);
	free(path);
	free(owner);
	return ret;
}
