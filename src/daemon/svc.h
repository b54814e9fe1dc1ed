/*
 * svc.h -- what makes hsyncd a service (prefix svc_): detaching with the
 * outcome of the start reported to the waiting parent, the store lock,
 * the pidfile, giving up root, and telling systemd where we are.
 *
 * The order hsyncd follows (tools/hsyncd/main.c, service.c):
 *
 *   configuration read and checked      as started (root or not)
 *   svc_detach()                        -d only: the parent waits
 *   svc_become_user()                   username: root -> the user, keeping
 *                                       only CAP_NET_BIND_SERVICE and CAP_CHOWN
 *   the log file, keys, store (svc_lock_store), ports, control socket
 *                                       as the user
 *   svc_drop_caps()                     nothing privileged is left
 *   svc_pidfile_write(), svc_detach_done(), svc_notify("READY=1")
 *
 * Everything the daemon opens is opened as the user it runs as, so the
 * store, its WAL and the control socket belong to that user and a reload
 * (which reads the configuration, the trust anchors and the identity
 * zone's keys again) sees the same files the start saw.
 */
#ifndef HS_DAEMON_SVC_H
#define HS_DAEMON_SVC_H

#include <sys/types.h>

#include "util/errmsg.h"

/* ---- detaching (-d) ------------------------------------------------------ */

/*
 * Fork into the background (fork, setsid, fork). The original process
 * waits until the daemon calls svc_detach_done() and exits with the code
 * it reports, printing its message (if any) on stderr, or with 1 and
 * "the daemon exited while starting" when the daemon dies first. Returns
 * only in the daemon: HS_OK with *report_fd the pipe to report on; or, in
 * the original process, HS_E_INTERNAL when pipe/fork failed (em says).
 */
int svc_detach(int *report_fd, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * In the daemon: tell the waiting parent `code` (0: started; it becomes
 * the parent's exit status) and `msg` (NULL or "" for none; printed on
 * the parent's stderr), close the pipe, and point stdin and stdout at
 * /dev/null; stderr too unless `keep_stderr` (the log's sink). fd < 0:
 * nothing to report (not detached).
 */
void svc_detach_done(int report_fd, int code, const char *msg, int keep_stderr);

/* ---- the store lock ------------------------------------------------------ */

typedef struct svc_lock svc_lock_t;

/*
 * Lock the store at `store` for this process: an exclusive flock on
 * "<store>.lock" (created 0600 beside it, left in place), which then
 * holds our pid. Errors: HS_E_EXISTS ("store 'X' is in use by another
 * hsyncd (pid N)"), HS_E_IO (cannot create or lock the file).
 */
int svc_lock_store(const char *store, svc_lock_t **out, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Write our pid again (after a fork that kept the lock). NULL-safe. */
void svc_lock_update_pid(svc_lock_t *l);
void svc_lock_release(svc_lock_t *l); /* NULL-safe */

/* ---- the pidfile --------------------------------------------------------- */

/* Write our pid and a newline to `path` (temp file and rename, mode
 * 0644). HS_E_IO with the path and errno text in `em`. */
int svc_pidfile_write(const char *path, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Remove `path` if it still holds our pid. NULL-safe. */
void svc_pidfile_remove(const char *path);

/* ---- privileges ---------------------------------------------------------- */

typedef struct svc_user {
	char name[64];
	uid_t uid;
	gid_t gid;
} svc_user_t;

/* Look the user up (getpwnam). HS_E_NOTFOUND: "no user 'x' on this host". */
int svc_user_lookup(const char *name, svc_user_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Look a group up (getgrnam, or a number). HS_E_NOTFOUND. */
int svc_group_lookup(const char *name, gid_t *out, hs_errmsg_t *em) HS_CHECK_RESULT;

/*
 * Become user `u`: its groups (initgroups), gid and uid, real, effective
 * and saved; keep `keep_bind` CAP_NET_BIND_SERVICE and CAP_CHOWN in the
 * effective and permitted sets until svc_drop_caps(), so that ports below
 * 1024 can still be bound and the control socket given its group. Checks
 * that root cannot be regained. Running as `u` already: HS_OK, nothing
 * done. Errors: HS_E_STATE (not root, and not `u`), HS_E_INTERNAL (a
 * call failed; which one and errno in `em`).
 */
int svc_become_user(const svc_user_t *u, int keep_bind, hs_errmsg_t *em) HS_CHECK_RESULT;

/* Give up every capability still held (effective, permitted, inheritable).
 * HS_E_INTERNAL when capset fails. */
int svc_drop_caps(hs_errmsg_t *em) HS_CHECK_RESULT;

/* ---- systemd ------------------------------------------------------------- */

/*
 * Send a state line of the sd_notify protocol ("READY=1", "RELOADING=1",
 * "STOPPING=1", "STATUS=...") to $NOTIFY_SOCKET, written here over an
 * AF_UNIX datagram socket (no libsystemd). Nothing without
 * $NOTIFY_SOCKET. HS_OK, or HS_E_NET when sending failed.
 */
int svc_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
