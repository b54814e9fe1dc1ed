/*
 * service.c -- starting hsyncd as a service (svc.h has the order):
 * the user switch, the checks as that user, the daemon, the last
 * capabilities given up, the pidfile.
 */
#include <string.h>
#include <unistd.h>

#include "daemon/hd_int.h"
#include "daemon/svc.h"

#define SUBSYS "hsyncd"

int hd_become_user(const hd_config_t *cfg, hs_errmsg_t *em)
{
	hs_errmsg_t e2;
	svc_user_t u;
	int rc;

	if (cfg->username == NULL)
		return HS_OK;
	hs_errmsg_clear(&e2);
	rc = svc_user_lookup(cfg->username, &u, &e2);
	if (rc == HS_OK)
		rc = svc_become_user(&u, 1, &e2);
	if (rc != HS_OK)
		return hs_fail(em, rc, "%s: server.username: %s", cfg->path, hs_errmsg_str(&e2));
	return HS_OK;
}

int hd_start(hd_config_t *cfg, hd_t **out, hs_errmsg_t *em)
{
	hd_t *d = NULL;
	int rc;

	rc = hd_become_user(cfg, em); /* nothing to do when main() did it */
	if (rc != HS_OK)
		return rc;
	rc = hd_config_check_files(cfg, em);
	if (rc != HS_OK)
		return rc;
	rc = hd_new(cfg, &d, em);
	if (rc != HS_OK)
		return rc;
	if (d->cfg.username != NULL) {
		/* the port and the socket are there: nothing privileged is left to do */
		rc = svc_drop_caps(em);
		if (rc != HS_OK)
			goto fail;
		hs_log(HS_LOG_NOTICE, SUBSYS, "running as user '%s' (uid %u, gid %u)",
		       d->cfg.username, (unsigned)geteuid(), (unsigned)getegid());
	}
	if (d->cfg.pidfile != NULL) {
		rc = svc_pidfile_write(d->cfg.pidfile, em);
		if (rc != HS_OK)
			goto fail;
		d->pidfile_written = 1;
	}
	*out = d;
	return HS_OK;
fail:
	hd_free(d);
	return rc;
}
