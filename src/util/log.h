/*
 * log.h -- per-subsystem, levelled, printf-checked logging.
 *
 * Messages are lowercase, have no trailing period and quote variable text:
 *     log_info("transport", "peer '%s' delivered %u messages", id, n);
 * The sink is stderr by default; hs_log_use_syslog() switches to syslog,
 * hs_log_use_file() to a file of its own (lines as on stderr, appended).
 * Logging configuration is the one piece of process-global state: it is
 * set once by main() and read everywhere.
 */
#ifndef HS_UTIL_LOG_H
#define HS_UTIL_LOG_H

#include <stdarg.h>

#include "util/errmsg.h"

enum hs_log_level {
	HS_LOG_ERR = 0,
	HS_LOG_WARN,
	HS_LOG_NOTICE,
	HS_LOG_INFO,
	HS_LOG_DEBUG,
};

/* Only messages at or below `level` are emitted. Default HS_LOG_NOTICE. */
void hs_log_set_level(enum hs_log_level level);
enum hs_log_level hs_log_get_level(void);
/* Parse "err", "warn", "notice", "info", "debug"; HS_E_INVAL otherwise. */
int hs_log_level_parse(const char *s, enum hs_log_level *out);
/* Prefix every line with this program name (default "hsync"). */
void hs_log_set_ident(const char *ident);
/* Send log lines to syslog(3) (facility daemon) instead of stderr (on
 * = 1), or back to stderr (on = 0). HS_OK, or HS_E_NOTFOUND when there is
 * no syslog socket (HS_LOG_SYSLOG_PATH): syslog(3) would drop every line
 * silently, so the sink is left as it was. */
int hs_log_use_syslog(int on) HS_CHECK_RESULT;
#define HS_LOG_SYSLOG_PATH "/dev/log"

/* Append log lines to the file at `path` (created 0640 if missing)
 * instead of stderr or syslog; NULL goes back to stderr. HS_E_IO with
 * the path and errno text in `em` when it cannot be opened (the sink is
 * left as it was). */
int hs_log_use_file(const char *path, hs_errmsg_t *em) HS_CHECK_RESULT;
/* Open the log file again under its name (after a log rotation); no-op
 * without one. HS_E_IO as hs_log_use_file (the old file stays in use). */
int hs_log_reopen(hs_errmsg_t *em) HS_CHECK_RESULT;
/* "stderr", "syslog" or the log file's path: where lines go now. */
const char *hs_log_sink(void);

/* A test or tool may capture lines: called instead of the sink. */
typedef void (*hs_log_hook_fn)(enum hs_log_level level, const char *subsys, const char *line,
                               void *arg);
void hs_log_set_hook(hs_log_hook_fn fn, void *arg);

void hs_log(enum hs_log_level level, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hs_vlog(enum hs_log_level level, const char *subsys, const char *fmt, va_list ap);

#define log_err(sub, ...)    hs_log(HS_LOG_ERR, sub, __VA_ARGS__)
#define log_warn(sub, ...)   hs_log(HS_LOG_WARN, sub, __VA_ARGS__)
#define log_notice(sub, ...) hs_log(HS_LOG_NOTICE, sub, __VA_ARGS__)
#define log_info(sub, ...)   hs_log(HS_LOG_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...)                                                                        \
	do {                                                                                       \
		if (hs_log_get_level() >= HS_LOG_DEBUG)                                            \
			hs_log(HS_LOG_DEBUG, sub, __VA_ARGS__);                                    \
	} while (0)

#endif
