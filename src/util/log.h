/*
 * log.h -- per-subsystem, levelled, printf-checked logging.
 *
 * Messages are lowercase, have no trailing period and quote variable text:
 *     log_info("transport", "peer '%s' delivered %u messages", id, n);
 * The sink is stderr by default; hs_log_use_syslog() switches to syslog.
 * Logging configuration is the one piece of process-global state: it is
 * set once by main() and read everywhere.
 */
#ifndef HS_UTIL_LOG_H
#define HS_UTIL_LOG_H

#include <stdarg.h>

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
/* Send log lines to syslog(3) (facility daemon) instead of stderr. */
void hs_log_use_syslog(int on);

/* A test or tool may capture lines: called instead of the sink. */
typedef void (*hs_log_hook_fn)(enum hs_log_level level, const char *subsys,
			       const char *line, void *arg);
void hs_log_set_hook(hs_log_hook_fn fn, void *arg);

void hs_log(enum hs_log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void hs_vlog(enum hs_log_level level, const char *subsys, const char *fmt, va_list ap);

#define log_err(sub, ...) hs_log(HS_LOG_ERR, sub, __VA_ARGS__)
#define log_warn(sub, ...) hs_log(HS_LOG_WARN, sub, __VA_ARGS__)
#define log_notice(sub, ...) hs_log(HS_LOG_NOTICE, sub, __VA_ARGS__)
#define log_info(sub, ...) hs_log(HS_LOG_INFO, sub, __VA_ARGS__)
#define log_debug(sub, ...)                                          \
	do {                                                         \
		if (hs_log_get_level() >= HS_LOG_DEBUG)              \
			hs_log(HS_LOG_DEBUG, sub, __VA_ARGS__);      \
	} while (0)

#endif
