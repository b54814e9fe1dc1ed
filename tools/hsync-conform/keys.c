/* keys.c -- `hsync-conform keygen`: the keys conform brings, and reading
 * them back for a run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "hpke/keyfile.h"
#include "hsync-conform/conform.h"
#include "transport/names.h"
#include "util/conf.h"
#include "util/file.h"
#include "util/xmalloc.h"

#define KEYS_FILE "conform.keys"

static const conf_section_def_t sections[] = {
    {"keys", 0, "what hsync-conform keygen made"},
};
static const conf_opt_t opts[] = {
    {"keys", "identity", CONF_DNAME, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "conform's identity (its KEY is at dns.<identity>)"},
    {"keys", "sig0-key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "SIG(0) key pair, BIND .private file, owner dns.<identity>"},
    {"keys", "hpke-key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "HPKE key pair (hsync-hpke-v1)"},
    {"keys", "dnssec-key", CONF_PATH, 0, 0, NULL, 0, NULL, CONF_REQUIRED,
     "DNSSEC key pair of the identity zone <identity> (KSK, Ed25519)"},
};
static const conf_schema_t schema = {sections, 1, opts, sizeof(opts) / sizeof(opts[0])};

static const char keygen_usage[] =
    "usage: hsync-conform keygen --identity ID [--dir DIR] [--address IP]\n"
    "\n"
    "Make the keys hsync-conform brings to a run, write them to DIR (default\n"
    "the current directory) with the file " KEYS_FILE " that names them, and\n"
    "print what the implementation under test must be told about conform:\n"
    "\n"
    "  - its SIG(0) KEY (owner dns.ID, Ed25519) and HPKEKEY (X25519) records,\n"
    "    for a static peer table (the `peer:` block of hsync-tp is printed);\n"
    "  - the DS of conform's identity zone ID, to use as a trust anchor when\n"
    "    the implementation finds its peers by DNSSEC-validated discovery\n"
    "    (conform serves that zone itself during a run).\n"
    "\n"
    "Options:\n"
    "  --identity ID   conform's identity, e.g. conform.example.\n"
    "  --dir DIR       where to write (created if missing)\n"
    "  --address IP    the address conform will listen on, for the printed\n"
    "                  peer block (default 127.0.0.1)\n"
    "  --port N        its port, for the printed peer block (default 53)\n"
    "  -h, --help      this text\n"
    "\n"
    "Exit status: 0 written, 1 failure, 2 usage error.\n";

static int write_keys_file(const char *dir, const char *id, const char *sig0, const char *hpke,
                           const char *dnssec)
{
	hs_buf_t b = HS_BUF_INIT;
	char *path = xasprintf("%s/%s", dir, KEYS_FILE);
	int rc;

	hs_buf_printf(&b,
	              "# made by hsync-conform keygen\n"
	              "keys:\n"
	              "    identity: %s\n"
	              "    sig0-key: %s\n"
	              "    hpke-key: %s\n"
	              "    dnssec-key: %s\n",
	              id, sig0, hpke, dnssec);
	rc = hs_write_file_atomic(path, b.data, b.len, 0644);
	free(path);
	hs_buf_free(&b);
	return rc;
}

/* "dir/name" -> "name" */
static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int cf_keygen_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"identity", required_argument, NULL, 'i'}, {"dir", required_argument, NULL, 'd'},
	    {"address", required_argument, NULL, 'a'},  {"port", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	const char *ident = NULL, *dir = ".", *addr = "127.0.0.1", *port = "53";
	char id[TP_IDENT_MAX], owner[TP_IDENT_MAX + 8];
	char *sig0_base = NULL, *dnssec_base = NULL, *hpke_path = NULL;
	sig0_key_t *k = NULL;
	hpke_keyfile_t kf;
	hs_buf_t keyrr = HS_BUF_INIT, hpkerr = HS_BUF_INIT, ds = HS_BUF_INIT;
	ds_keys_t *dk = NULL;
	hs_errmsg_t em;
	int c, rc = 1;

	memset(&kf, 0, sizeof(kf));
	hs_errmsg_clear(&em);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ident = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'h':
			fputs(keygen_usage, stdout);
			return 0;
		default:
			fputs(keygen_usage, stderr);
			return 2;
		}
	}
	if (ident == NULL || optind != argc) {
		fputs(keygen_usage, stderr);
		return 2;
	}
	if (tp_ident_canon(ident, id) != HS_OK)
		return cli_err(2, "--identity: '%s' is not a plain host name", ident);
	struct stat st;
	if (mkdir(dir, 0700) != 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
		return cli_err(1, "cannot create '%s'", dir);
	snprintf(owner, sizeof(owner), "dns.%s", id);
	if (sig0_key_generate(SIG0_ALG_ED25519, 0, owner, &k, &em) != HS_OK ||
	    sig0_key_write_files(k, dir, hs_now_s(hs_env_system()), &sig0_base, &em) != HS_OK) {
		cli_err(1, "SIG(0) key: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	sig0_key_rr_text(k, &keyrr);
	while (keyrr.len > 0 && keyrr.data[keyrr.len - 1] == '\n')
		keyrr.len--;
	kf.suite.kem = HPKE_KEM_X25519_SHA256;
	kf.suite.kdf = HPKE_KDF_SHA256;
	kf.suite.aead = HPKE_AEAD_AES256GCM;
	snprintf(kf.name, sizeof(kf.name), "%s", id);
	hpke_path = xasprintf("%s/%shpke", dir, id);
	if (hpke_key_generate(&kf.key, kf.suite.kem, hs_env_system()) != HS_OK ||
	    hpke_keyfile_write(hpke_path, &kf) != HS_OK ||
	    hpke_keyfile_record(&hpkerr, &kf, owner) != HS_OK) {
		cli_err(1, "HPKE key: cannot make or write '%s'", hpke_path);
		goto cleanup;
	}
	while (hpkerr.len > 0 && hpkerr.data[hpkerr.len - 1] == '\n')
		hpkerr.len--;
	if (ds_keys_generate(id, dir, &dnssec_base, &em) != HS_OK) {
		cli_err(1, "DNSSEC key: %s", hs_errmsg_str(&em));
		goto cleanup;
	}
	{
		char *p = xasprintf("%s.private", dnssec_base);
		const char *paths[1] = {p};
		int lrc = ds_keys_load(id, paths, 1, &dk, &em);
		free(p);
		if (lrc != HS_OK || ds_keys_ds_text(dk, 3600, &ds) != HS_OK) {
			cli_err(1, "DNSSEC key: %s", hs_errmsg_str(&em));
			goto cleanup;
		}
	}
	{
		char *s = xasprintf("%s.private", base_name(sig0_base));
		char *d = xasprintf("%s.private", base_name(dnssec_base));
		rc = write_keys_file(dir, id, s, base_name(hpke_path), d);
		free(s);
		free(d);
		if (rc != HS_OK) {
			rc = cli_err(1, "cannot write %s/%s", dir, KEYS_FILE);
			goto cleanup;
		}
	}
	printf("; hsync-conform keys for %s in %s/%s\n", id, dir, KEYS_FILE);
	printf("; SIG(0) and HPKE keys to publish at dns.%s (or to configure):\n", id);
	printf("%s\n%s\n", hs_buf_cstr(&keyrr), hs_buf_cstr(&hpkerr));
	printf("; the DS of the identity zone %s (a trust anchor):\n%s", id, hs_buf_cstr(&ds));
	printf("; a static peer block (hsync-tp; run conform with --listen %s@%s):\n", addr, port);
	printf("peer:\n    identity: %s\n    address: %s@%s\n    key: \"%s\"\n    hpkekey: "
	       "\"%s\"\n",
	       id, addr, port, hs_buf_cstr(&keyrr), hs_buf_cstr(&hpkerr));
	rc = 0;
cleanup:
	sig0_key_free(k);
	hpke_keyfile_clear(&kf);
	ds_keys_free(dk);
	free(sig0_base);
	free(dnssec_base);
	free(hpke_path);
	hs_buf_free(&keyrr);
	hs_buf_free(&hpkerr);
	hs_buf_free(&ds);
	return rc;
}

int cf_keys_load(cf_t *c, hs_errmsg_t *em)
{
	conf_t *cf = NULL;
	char *path = xasprintf("%s/%s", c->keydir, KEYS_FILE);
	const conf_sec_t *s;
	hpke_keyfile_t kf;
	hs_errmsg_t sub;
	int rc;

	memset(&kf, 0, sizeof(kf));
	rc = conf_load(&schema, path, 0, &cf, em);
	if (rc != HS_OK)
		goto cleanup;
	s = conf_sec_at(cf, "keys", 0);
	if (tp_ident_canon(conf_str(s, "identity"), c->self) != HS_OK) {
		rc = hs_fail(em, HS_E_CONFIG, "%s: identity is not a plain host name", path);
		goto cleanup;
	}
	c->sig0_path = xasprintf("%s/%s", c->keydir, conf_str(s, "sig0-key"));
	c->hpke_path = xasprintf("%s/%s", c->keydir, conf_str(s, "hpke-key"));
	c->dnssec_path = xasprintf("%s/%s", c->keydir, conf_str(s, "dnssec-key"));
	rc = sig0_key_load_private(c->sig0_path, &c->sig0, &sub);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc, "%s", hs_errmsg_str(&sub));
		goto cleanup;
	}
	rc = hpke_keyfile_read(&kf, c->hpke_path, &sub);
	if (rc != HS_OK) {
		rc = hs_fail(em, rc, "%s", hs_errmsg_str(&sub));
		goto cleanup;
	}
	c->hpke = kf.key;
	kf.key = NULL;
	{
		const char *paths[1] = {c->dnssec_path};
		rc = ds_keys_load(c->self, paths, 1, &c->dkeys, em);
	}
cleanup:
	hpke_keyfile_clear(&kf);
	conf_free(cf);
	free(path);
	return rc;
}
