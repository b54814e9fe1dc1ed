/* keyfile.c -- BIND's K<name>+<alg>+<tag>.key / .private files. */
#include "sig0/sig0_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/file.h"
#include "util/xmalloc.h"

#define KEYFILE_MAX 65536

/* "dir/Kname+015+12345.private" -> "dir/Kname+015+12345" (malloc'd). */
static char *key_base(const char *path)
{
	static const char *const sfx[] = {".key", ".private"};
	size_t n = strlen(path);
	for (size_t i = 0; i < 2; i++) {
		size_t s = strlen(sfx[i]);
		if (n > s && strcmp(path + n - s, sfx[i]) == 0)
			return xasprintf("%.*s", (int)(n - s), path);
	}
	return xstrdup(path);
}

/* The one KEY RR of a .key file: skip blank and ';' lines. */
static int parse_key_file(const char *path, const char *text, sig0_key_t **out, hs_errmsg_t *em)
{
	int rc = HS_OK, found = 0;
	char *copy = xstrdup(text), *save = NULL;
	sig0_key_t *k = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line + strspn(line, " \t\r");
		if (*p == '\0' || *p == ';')
			continue;
		if (found++) {
			rc = hs_fail(em, HS_E_SYNTAX, "'%s' holds more than one record", path);
			break;
		}
		rc = sig0_key_from_rr_text(p, &k, em);
		if (rc != HS_OK)
			break;
	}
	if (rc == HS_OK && !found)
		rc = hs_fail(em, HS_E_SYNTAX, "'%s' holds no KEY record", path);
	if (rc == HS_OK) {
		*out = k;
		k = NULL;
	}
	sig0_key_free(k);
	free(copy);
	return rc;
}

static int read_text(const char *path, hs_buf_t *b, hs_errmsg_t *em)
{
	errno = 0;
	int rc = hs_read_file(path, b, KEYFILE_MAX);
	if (rc != HS_OK)
		return hs_fail(em, rc, "cannot read '%s': %s", path,
		               rc == HS_E_IO && errno ? strerror(errno) : hs_strerror(rc));
	if (memchr(b->data, '\0', b->len))
		return hs_fail(em, HS_E_SYNTAX, "'%s' is not a text file", path);
	hs_buf_cstr(b);
	return HS_OK;
}

int sig0_key_load_public(const char *path, sig0_key_t **out, hs_errmsg_t *em)
{
	hs_buf_t b = HS_BUF_INIT;
	char *base = NULL, *file = NULL;
	int rc;

	if (!path || !out)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	base = key_base(path);
	file = xasprintf("%s.key", base);
	rc = read_text(file, &b, em);
	if (rc == HS_OK)
		rc = parse_key_file(file, (const char *)b.data, out, em);
	hs_buf_free(&b);
	free(base);
	free(file);
	return rc;
}

const char *sig0_privfile_get(const struct sig0_privfile *pf, const char *name)
{
	for (size_t i = 0; i < pf->n; i++)
		if (strcmp(pf->f[i].name, name) == 0)
			return pf->f[i].value;
	return NULL;
}

static void privfile_free(struct sig0_privfile *pf)
{
	for (size_t i = 0; i < pf->n; i++) {
		OPENSSL_cleanse(pf->f[i].value, strlen(pf->f[i].value));
		free(pf->f[i].value);
	}
	pf->n = 0;
}

/* "Name: value" lines; the format line must come first. */
static int parse_private(const char *path, char *text, struct sig0_privfile *pf, unsigned *alg,
                         hs_errmsg_t *em)
{
	char *save = NULL;
	int line_no = 0, have_alg = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		size_t l = strlen(line);
		while (l && (line[l - 1] == '\r' || line[l - 1] == ' '))
			line[--l] = '\0';
		if (l == 0)
			continue;
		if (!colon || (size_t)(colon - line) >= sizeof(pf->f[0].name))
			return hs_fail(em, HS_E_SYNTAX, "'%s': line without 'Name: value'", path);
		*colon = '\0';
		char *val = colon + 1 + strspn(colon + 1, " \t");
		if (line_no++ == 0) {
			if (strcmp(line, "Private-key-format") != 0 || strncmp(val, "v1.", 3) != 0)
				return hs_fail(em, HS_E_SYNTAX,
				               "'%s' is not a BIND v1.x private key file", path);
			continue;
		}
		if (strcmp(line, "Algorithm") == 0) {
			*alg = (unsigned)strtoul(val, NULL, 10);
			have_alg = 1;
			continue;
		}
		if (pf->n == sizeof(pf->f) / sizeof(pf->f[0]))
			return hs_fail(em, HS_E_SYNTAX, "'%s': too many lines", path);
		snprintf(pf->f[pf->n].name, sizeof(pf->f[0].name), "%s", line);
		pf->f[pf->n++].value = xstrdup(val);
	}
	if (!have_alg)
		return hs_fail(em, HS_E_SYNTAX, "'%s' has no 'Algorithm' line", path);
	return HS_OK;
}

int sig0_key_load_private(const char *path, sig0_key_t **out, hs_errmsg_t *em)
{
	int rc;
	hs_buf_t b = HS_BUF_INIT;
	char *base = NULL, *file = NULL;
	struct sig0_privfile pf;
	unsigned alg = 0;
	sig0_key_t *k = NULL;

	memset(&pf, 0, sizeof(pf));
	if (!path || !out)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	rc = sig0_key_load_public(path, &k, em);
	if (rc != HS_OK)
		goto cleanup;
	base = key_base(path);
	file = xasprintf("%s.private", base);
	rc = read_text(file, &b, em);
	if (rc != HS_OK)
		goto cleanup;
	rc = parse_private(file, (char *)b.data, &pf, &alg, em);
	if (rc != HS_OK)
		goto cleanup;
	if (alg != k->alg->number) {
		rc = hs_fail(em, HS_E_BADKEY, "'%s' is for algorithm %u, the .key file for %u",
		             file, alg, k->alg->number);
		goto cleanup;
	}
	EVP_PKEY *pair = NULL;
	rc = k->alg->ops->priv_load(k->alg, &pf, k->rdata + 4, k->rdata_len - 4, &pair, em);
	if (rc != HS_OK)
		goto cleanup;
	EVP_PKEY_free(k->pkey);
	k->pkey = pair;
	k->has_private = 1;
	*out = k;
	k = NULL;
cleanup:
	privfile_free(&pf);
	if (b.data)
		OPENSSL_cleanse(b.data, b.len);
	hs_buf_free(&b);
	sig0_key_free(k);
	free(base);
	free(file);
	return rc;
}

static void bind_time(char *out, size_t n, uint32_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y%m%d%H%M%S", &tm);
}

int sig0_key_write_files(const sig0_key_t *key, const char *dir, uint32_t created, char **base_out,
                         hs_errmsg_t *em)
{
	int rc;
	hs_buf_t pub = HS_BUF_INIT, priv = HS_BUF_INIT;
	char *base = NULL, *kpath = NULL, *ppath = NULL, when[32];

	if (!key || !dir)
		return hs_fail(em, HS_E_INVAL, "missing argument");
	if (!key->has_private)
		return hs_fail(em, HS_E_STATE, "key has no private half to write");
	if (strchr(key->owner_text, '/'))
		return hs_fail(em, HS_E_NAME, "key name '%s' cannot be part of a file name",
		               key->owner_text);
	base = xasprintf("K%s+%03u+%05u", key->owner_text, key->alg->number, key->tag);
	kpath = xasprintf("%s/%s.key", dir, base);
	ppath = xasprintf("%s/%s.private", dir, base);

	sig0_key_rr_text(key, &pub);
	hs_buf_append_u8(&pub, '\n');
	bind_time(when, sizeof(when), created);
	hs_buf_printf(&priv, "Private-key-format: v1.3\nAlgorithm: %u (%s)\n", key->alg->number,
	              key->alg->name);
	rc = key->alg->ops->priv_write(key->alg, key->pkey, &priv);
	if (rc != HS_OK) {
		hs_fail(em, rc, "cannot export the private key");
		goto cleanup;
	}
	hs_buf_printf(&priv, "Created: %s\nPublish: %s\nActivate: %s\n", when, when, when);
	rc = hs_write_file_atomic(ppath, priv.data, priv.len, 0600);
	if (rc == HS_OK)
		rc = hs_write_file_atomic(kpath, pub.data, pub.len, 0644);
	if (rc != HS_OK) {
		hs_fail(em, rc, "cannot write '%s'", rc == HS_OK ? kpath : ppath);
		goto cleanup;
	}
	if (base_out) {
		*base_out = base;
		base = NULL;
	}
cleanup:
	hs_buf_free(&pub);
	hs_buf_free_secret(&priv);
	free(base);
	free(kpath);
	free(ppath);
	return rc;
}
