/* nodeconf_keys.c -- reading the peers' public keys named by the configuration. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hpke/keyfile.h"
#include "transport/names.h"
#include "transport/nodeconf.h"
#include "util/file.h"
#include "util/xmalloc.h"
#include "wire/rr_hpkekey.h"

int tp_conf_peer_keys(const tp_conf_peer_t *p, sig0_key_t ***keys, size_t *n, hs_errmsg_t *em)
{
	sig0_key_t **v = NULL;
	size_t nv = 0, i, total;
	int rc = HS_OK;

	if (p == NULL || keys == NULL || n == NULL)
		return hs_fail(em, HS_E_INVAL, "no peer");
	total = p->keys.n + p->key_files.n;
	v = xcalloc(total + 1, sizeof(*v));
	for (i = 0; i < p->keys.n && rc == HS_OK; i++)
		rc = sig0_key_from_rr_text(p->keys.v[i], &v[nv++], em);
	for (i = 0; i < p->key_files.n && rc == HS_OK; i++)
		rc = sig0_key_load_public(p->key_files.v[i], &v[nv++], em);
	if (rc != HS_OK) {
		nv--; /* the failed slot holds nothing */
		goto cleanup;
	}
	for (i = 0; i < nv; i++) {
		if (!tp_signer_name_ok(sig0_key_owner_text(v[i]), p->identity)) {
			rc = hs_fail(em, HS_E_NAME,
			             "peer \"%s\": key owner \"%s\" is not \"dns.%s\"", p->identity,
			             sig0_key_owner_text(v[i]), p->identity);
			goto cleanup;
		}
	}
	*keys = v;
	*n = nv;
	v = NULL;
cleanup:
	if (v != NULL) {
		for (i = 0; i < nv; i++)
			sig0_key_free(v[i]);
		free(v);
	}
	return rc;
}

int tp_conf_hpkekey_text(const char *text, hs_buf_t *out, hs_errmsg_t *em)
{
	const char *p = text, *rd = text;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (strncasecmp(p, "HPKEKEY", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
			rd = p + 7;
			break;
		}
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
	}
	return hs_hpkekey_from_text(rd, out, em);
}

int tp_conf_peer_hpkekey(const tp_conf_peer_t *p, hs_buf_t *out, hs_errmsg_t *em)
{
	hs_buf_t file = HS_BUF_INIT;
	hpke_keyfile_t kf;
	hs_hpkekey_t k;
	uint8_t pub[HPKE_MAX_PUBLIC_KEY];
	size_t publen = sizeof(pub), n;
	char *text;
	int rc;

	memset(&kf, 0, sizeof(kf));
	if (p == NULL || out == NULL)
		return hs_fail(em, HS_E_INVAL, "no peer");
	if (p->hpkekey != NULL)
		return tp_conf_hpkekey_text(p->hpkekey, out, em);
	rc = hs_read_file(p->hpkekey_file, &file, HPKE_KEYFILE_MAX_SIZE);
	if (rc != HS_OK) {
		rc = hs_fail(em, HS_E_IO, "%s: cannot read (%s)", p->hpkekey_file, hs_strerror(rc));
		goto cleanup;
	}
	text = (char *)hs_buf_cstr(&file);
	if (strncmp(text, "Format: ", 8) == 0 || strstr(text, "\nFormat: ") != NULL) {
		rc = hpke_keyfile_parse(&kf, text, file.len, em);
		if (rc != HS_OK)
			goto cleanup;
		rc = hpke_key_public(pub, &publen, kf.key);
		if (rc != HS_OK)
			goto cleanup;
		k.kem = kf.suite.kem;
		k.kdf = kf.suite.kdf;
		k.aead = kf.suite.aead;
		k.pub = pub;
		k.pub_len = publen;
		rc = hs_hpkekey_encode(&k, out, em);
		goto cleanup;
	}
	n = strcspn(text, "\n"); /* the first line holds the record */
	text[n] = '\0';
	rc = tp_conf_hpkekey_text(text, out, em);
cleanup:
	hpke_keyfile_clear(&kf);
	hs_buf_free_secret(&file);
	return rc;
}
