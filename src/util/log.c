#include "util/log.h"

#include "util/hs_err.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static enum hs_log_level cur_level = HS_LOG_NOTICE;
static const char *cur_ident = "hsync";
static int use_syslog;
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

void hs_log_use_syslog(int on)
{
	use_syslog = on;
	if (on)
		openlog(cur_ident, LOG_PID, LOG_DAEMON);
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
