/*
 * log - one readable line per event on stderr.
 *
 * Every line carries the time, the process id and the level, and is written
 * with a single write(2) so that lines from the master and its workers never
 * interleave.  Messages above the configured level are dropped.  The *_errno
 * variants append ": strerror(errno)"; the others do not.  Logging never
 * fails from the caller's point of view: a lost line is not an error.
 */
#ifndef PREFORKD_LOG_H
#define PREFORKD_LOG_H

#include <syslog.h>	/* LOG_ERR .. LOG_DEBUG */

void log_init(const char *ident);
void log_reset_pid(void);		/* call in a freshly forked child */
void log_set_level(int level);
int log_level_parse(const char *name);	/* -1 if not a level name */
const char *log_level_name(int level);
int log_enabled(int level);

void log_emit(int level, int with_errno, const char *file, int line,
    const char *func, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#define LOG_AT(lvl, e, ...) \
	log_emit((lvl), (e), __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_error(...)		LOG_AT(LOG_ERR, 0, __VA_ARGS__)
#define log_error_errno(...)	LOG_AT(LOG_ERR, 1, __VA_ARGS__)
#define log_warning(...)	LOG_AT(LOG_WARNING, 0, __VA_ARGS__)
#define log_warning_errno(...)	LOG_AT(LOG_WARNING, 1, __VA_ARGS__)
#define log_notice(...)		LOG_AT(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...)		LOG_AT(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...)		LOG_AT(LOG_DEBUG, 0, __VA_ARGS__)

#endif
