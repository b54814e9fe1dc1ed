/*
 * preflight.c -- what a start needs besides a valid file: the key files
 * readable, private and loadable, the directories of the store, the
 * control socket, the pidfile and the log file present and writable. Run
 * by --check-config and by every start (as the user the daemon runs as),
 * so a configuration that checks out also starts.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/hd.h"
#include "hpke/keyfile.h"
#include "sig0/sig0.h"
#include "transport/ctl.h"
#include "util/file.h"
#include "util/xmalloc.h"

/* The directory of `path` exists, is one, and we may create files in it. */
static int dir_writable(const char *what, const char *path, hs_errmsg_t *em)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	struct stat st;
	int rc = HS_OK;

	if (stat(dir, &st) != 0)
		rc = hs_fail(em, HS_E_CONFIG, "%s '%s': directory '%s': %s", what, path, dir,
		             strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = hs_fail(em, HS_E_CONFIG, "%s '%s': '%s' is not a directory", what, path, dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = hs_fail(em, HS_E_CONFIG, "%s '%s': cannot create files in '%s': %s", what,
		             path, dir, strerror(errno));
	free(copy);
	return rc;
}

/* An existing `path` is a regular file we may read and write. */
static int file_usable(const char *what, const char *path, hs_errmsg_t *em)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT
		           ? HS_OK
		           : hs_fail(em, HS_E_CONFIG, "%s '%s': %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hs_fail(em, HS_E_CONFIG, "%s '%s' is not a regular file", what, path);
	if (access(path, R_OK | W_OK) != 0)
		return hs_fail(em, HS_E_CONFIG, "%s '%s': %s", what, path, strerror(errno));
	return HS_OK;
}

/* The .private file of a DNSSEC key named by its .private, .key or base name. */
static char *private_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 8 && strcmp(path + n - 8, ".private") == 0)
		return xstrdup(path);
	if (n > 4 && strcmp(path + n - 4, ".key") == 0)
		n -= 4;
	return xasprintf("%.*s.private", (int)n, path);
}

static int keys_ok(const hd_config_t *c, hs_errmsg_t *em)
{
	hs_errmsg_t kem;
	sig0_key_t *k = NULL;
	hpke_keyfile_t kf;
	int rc;

	hs_errmsg_clear(&kem);
	rc = hs_file_check_private(c->tp.sig0_key, &kem);
	if (rc == HS_OK)
		rc = sig0_key_load_private(c->tp.sig0_key, &k, &kem);
	sig0_key_free(k);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "%s: server.sig0-key: %s", c->path,
		               hs_errmsg_str(&kem));
	memset(&kf, 0, sizeof(kf));
	rc = hs_file_check_private(c->tp.hpke_key, &kem);
	if (rc == HS_OK)
		rc = hpke_keyfile_read(&kf, c->tp.hpke_key, &kem);
	hpke_keyfile_clear(&kf);
	if (rc != HS_OK)
		return hs_fail(em, HS_E_CONFIG, "%s: server.hpke-key: %s", c->path,
		               hs_errmsg_str(&kem));
	for (size_t i = 0; c->idz.enable && i < c->idz.nkeys; i++) {
		char *priv = private_of(c->idz.key_files[i]);
		rc = hs_file_check_private(priv, &kem);
		free(priv);
		if (rc != HS_OK)
			return hs_fail(em, HS_E_CONFIG, "%s: identity-zone.key: %s", c->path,
			               hs_errmsg_str(&kem));
	}
	return HS_OK;
}

int hd_config_check_files(const hd_config_t *c, hs_errmsg_t *em)
{
	hs_errmsg_t e;
	int rc;

	hs_errmsg_clear(&e);
	rc = keys_ok(c, em);
	if (rc != HS_OK)
		return rc;
	rc = dir_writable("server.store", c->tp.store, &e);
	if (rc == HS_OK)
		rc = file_usable("server.store", c->tp.store, &e);
	if (rc == HS_OK)
		rc = dir_writable("server.control-socket",
		                  c->control_socket ? c->control_socket : TP_CTL_DEFAULT_PATH, &e);
	if (rc == HS_OK && c->pidfile != NULL)
		rc = dir_writable("server.pidfile", c->pidfile, &e);
	if (rc == HS_OK && c->log_file != NULL) {
		rc = dir_writable("server.log-file", c->log_file, &e);
		if (rc == HS_OK)
			rc = file_usable("server.log-file", c->log_file, &e);
	}
	if (rc != HS_OK)
		return hs_fail(em, rc, "%s: %s", c->path, hs_errmsg_str(&e));
	return HS_OK;
}
