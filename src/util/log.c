#include "util/log.h"

#include "util/hs_err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/xmalloc.h"

static enum hs_log_level cur_level = HS_LOG_NOTICE;
static const char *cur_ident = "hsync";
static int use_syslog;
static int log_fd = -1; /* the log file, when one is in use */
static char *log_path;  /* its name, for hs_log_reopen */
static hs_log_hook_fn hook;
static void *hook_arg;

static const char *const level_names[] = {"err", "warn", "notice", "info", "debug"};
static const int syslog_prio[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

void hs_log_set_level(enum hs_log_level level)
{
	cur_level = level;
}

enum hs_log_level hs_log_get_level(void)
{
	return cur_level;
}

int hs_log_level_parse(const char *s, enum hs_log_level *out)
{
	for (int i = 0; i <= HS_LOG_DEBUG; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum hs_log_level)i;
			return HS_OK;
		}
	}
	if (strcmp(s, "error") == 0) {
		*out = HS_LOG_ERR;
		return HS_OK;
	}
	if (strcmp(s, "warning") == 0) {
		*out = HS_LOG_WARN;
		return HS_OK;
	}
	return HS_E_INVAL;
}

void hs_log_set_ident(const char *ident)
{
	cur_ident = ident;
}

static void close_file(void)
{
	if (log_fd >= 0)
		close(log_fd);
	free(log_path);
	log_fd = -1;
	log_path = NULL;
}

int hs_log_use_syslog(int on)
{
	struct stat st;

	if (on && (stat(HS_LOG_SYSLOG_PATH, &st) != 0 || !S_ISSOCK(st.st_mode)))
		return HS_E_NOTFOUND;
	use_syslog = on;
	if (on) {
		openlog(cur_ident, LOG_PID, LOG_DAEMON);
		close_file();
	}
	return HS_OK;
}

static int open_log(const char *path, hs_errmsg_t *em)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return hs_fail(em, HS_E_IO, "cannot open log file '%s': %s", path, strerror(errno));
	return fd;
}

int hs_log_use_file(const char *path, hs_errmsg_t *em)
{
	int fd = -1;

	if (path != NULL) {
		fd = open_log(path, em);
		if (fd < 0)
			return fd;
		use_syslog = 0;
	}
	close_file();
	log_fd = fd;
	log_path = path != NULL ? xstrdup(path) : NULL;
	return HS_OK;
}

int hs_log_reopen(hs_errmsg_t *em)
{
	int fd;

	if (log_fd < 0 || log_path == NULL)
		return HS_OK;
	fd = open_log(log_path, em);
	if (fd < 0)
		return fd;
	close(log_fd);
	log_fd = fd;
	return HS_OK;
}

const char *hs_log_sink(void)
{
	if (log_fd >= 0)
		return log_path;
	return use_syslog ? "syslog" : "stderr";
}

void hs_log_set_hook(hs_log_hook_fn fn, void *arg)
{
	hook = fn;
	hook_arg = arg;
}

void hs_vlog(enum hs_log_level level, const char *subsys, const char *fmt, va_list ap)
{
	if (level > cur_level)
		return;
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (hook != NULL) {
		hook(level, subsys, line, hook_arg);
		return;
	}
	if (use_syslog) {
		syslog(syslog_prio[level], "%s: %s", subsys, line);
		return;
	}
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (log_fd >= 0) {
		/* one write per line: O_APPEND keeps lines whole */
		char full[1200];
		int n =
		    snprintf(full, sizeof(full), "%s.%03ldZ %s %s %s: %s\n", stamp,
		             ts.tv_nsec / 1000000L, cur_ident, level_names[level], subsys, line);
		if (n > (int)sizeof(full) - 1) {
			n = (int)sizeof(full) - 1;
			full[n - 1] = '\n';
		}
		if (n > 0 && write(log_fd, full, (size_t)n) < 0)
			(void)0; /* nowhere left to say so */
		return;
	}
	fprintf(stderr, "%s.%03ldZ %s %s %s: %s\n", stamp, ts.tv_nsec / 1000000L, cur_ident,
	        level_names[level], subsys, line);
}

void hs_log(enum hs_log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hs_vlog(level, subsys, fmt, ap);
	va_end(ap);
}
