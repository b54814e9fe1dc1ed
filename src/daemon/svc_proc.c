/*
 * svc_proc.c -- detaching with the start's outcome sent back to the
 * waiting parent (the pipe NSD and Unbound use), and giving up root.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/svc.h"

/* ---- detaching ------------------------------------------------------------ */

/* The original process: wait for the daemon's report, exit with it. */
static void __attribute__((noreturn)) parent_wait(int fd, pid_t child)
{
	char buf[1024];
	size_t used = 0;
	ssize_t n;
	int code = 1, st;

	while (used < sizeof(buf) - 1) {
		n = read(fd, buf + used, sizeof(buf) - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	(void)waitpid(child, &st, 0); /* the intermediate process, gone at once */
	if (used == 0) {
		fprintf(stderr, "hsyncd: the daemon exited while starting (see its log)\n");
		_exit(1);
	}
	char *nl = strchr(buf, '\n');
	code = atoi(buf);
	if (nl != NULL && nl[1] != '\0')
		fprintf(stderr, "hsyncd: %s\n", nl + 1);
	_exit(code);
}

int svc_detach(int *report_fd, hs_errmsg_t *em)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return hs_fail(em, HS_E_INTERNAL, "cannot detach: pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return hs_fail(em, HS_E_INTERNAL, "cannot detach: fork: %s", strerror(e));
	}
	if (pid > 0) {
		close(p[1]);
		parent_wait(p[0], pid);
	}
	/* the intermediate process: a new session, then the daemon in it,
	 * which can never get a controlling terminal back */
	close(p[0]);
	if (setsid() < 0) {
		dprintf(p[1], "1\ncannot detach: setsid: %s", strerror(errno));
		_exit(1);
	}
	pid = fork();
	if (pid < 0) {
		dprintf(p[1], "1\ncannot detach: fork: %s", strerror(errno));
		_exit(1);
	}
	if (pid > 0)
		_exit(0);
	*report_fd = p[1];
	return HS_OK;
}

void svc_detach_done(int fd, int code, const char *msg, int keep_stderr)
{
	int null;

	if (fd < 0)
		return;
	dprintf(fd, "%d\n%s", code, msg != NULL ? msg : "");
	close(fd);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return;
	(void)dup2(null, STDIN_FILENO);
	(void)dup2(null, STDOUT_FILENO);
	if (!keep_stderr)
		(void)dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
}

/* ---- users and groups --------------------------------------------------------- */

int svc_user_lookup(const char *name, svc_user_t *out, hs_errmsg_t *em)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL)
		return hs_fail(em, HS_E_NOTFOUND, "no user '%s' on this host%s%s", name,
		               errno ? ": " : "", errno ? strerror(errno) : "");
	if (strlen(name) >= sizeof(out->name))
		return hs_fail(em, HS_E_INVAL, "user name '%s' too long", name);
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	return HS_OK;
}

int svc_group_lookup(const char *name, gid_t *out, hs_errmsg_t *em)
{
	struct group *gr;
	char *end;
	unsigned long v;

	errno = 0;
	gr = getgrnam(name);
	if (gr != NULL) {
		*out = gr->gr_gid;
		return HS_OK;
	}
	v = strtoul(name, &end, 10);
	if (*name != '\0' && *end == '\0' && v < 0x7fffffffUL) {
		*out = (gid_t)v;
		return HS_OK;
	}
	return hs_fail(em, HS_E_NOTFOUND, "no group '%s' on this host", name);
}

/* ---- capabilities, by the raw system calls (no libcap) ------------------------- */

static int caps_set(uint32_t bits)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	d[0].effective = bits;
	d[0].permitted = bits;
	return (int)syscall(SYS_capset, &h, d);
}

int svc_become_user(const svc_user_t *u, int keep_bind, hs_errmsg_t *em)
{
	uint32_t keep = (1u << CAP_NET_BIND_SERVICE) | (1u << CAP_CHOWN);

	if (geteuid() == u->uid && getuid() == u->uid)
		return HS_OK;
	if (geteuid() != 0)
		return hs_fail(em, HS_E_STATE,
		               "username: '%s': only root can switch to it (running as uid %u)",
		               u->name, (unsigned)geteuid());
	if (keep_bind && prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0)
		return hs_fail(em, HS_E_INTERNAL, "prctl(PR_SET_KEEPCAPS): %s", strerror(errno));
	if (initgroups(u->name, u->gid) != 0)
		return hs_fail(em, HS_E_INTERNAL, "initgroups('%s'): %s", u->name, strerror(errno));
	if (setresgid(u->gid, u->gid, u->gid) != 0)
		return hs_fail(em, HS_E_INTERNAL, "setresgid(%u): %s", (unsigned)u->gid,
		               strerror(errno));
	if (setresuid(u->uid, u->uid, u->uid) != 0)
		return hs_fail(em, HS_E_INTERNAL, "setresuid(%u): %s", (unsigned)u->uid,
		               strerror(errno));
	if (keep_bind) {
		if (caps_set(keep) != 0)
			return hs_fail(em, HS_E_INTERNAL, "capset: %s", strerror(errno));
		(void)prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
	}
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return hs_fail(em, HS_E_INTERNAL, "root could be regained after the switch");
	return HS_OK;
}

int svc_drop_caps(hs_errmsg_t *em)
{
	if (caps_set(0) != 0)
		return hs_fail(em, HS_E_INTERNAL, "capset: %s", strerror(errno));
	return HS_OK;
}
