/*
 * log - readable stderr lines: "TIME IDENT[PID]: LEVEL: message".
 *
 * Owns the process-wide level and identity.  A line is formatted into one
 * buffer and written with a loop that survives EINTR and short writes; lines
 * longer than the buffer are truncated with "...".  errno is preserved
 * across every call so that callers can log and then still test it.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048

static const char *log_ident = "preforkd";
static int log_level = LOG_INFO;
static pid_t log_pid;

static const struct {
	int level;
	const char *name;
} log_levels[] = {
	{ LOG_ERR, "err" },
	{ LOG_WARNING, "warning" },
	{ LOG_NOTICE, "notice" },
	{ LOG_INFO, "info" },
	{ LOG_DEBUG, "debug" },
};

void
log_init(const char *ident)
{
	if (ident != NULL)
		log_ident = ident;
	log_pid = getpid();
}

void
log_reset_pid(void)
{
	log_pid = getpid();
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_enabled(int level)
{
	return level <= log_level;
}

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (strcasecmp(name, log_levels[i].name) == 0)
			return log_levels[i].level;
	return -1;
}

const char *
log_level_name(int level)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (log_levels[i].level == level)
			return log_levels[i].name;
	return level < LOG_ERR ? "crit" : "debug";
}

static size_t
log_format_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 ||
	    localtime_r(&ts.tv_sec, &tm) == NULL)
		return 0;
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	if (n == 0)
		return 0;
	int m = snprintf(buf + n, len - n, ".%03ld ", ts.tv_nsec / 1000000);
	return m > 0 && (size_t)m < len - n ? n + (size_t)m : n;
}

static void
log_write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* nowhere to report a lost line */
		buf += n;
		len -= (size_t)n;
	}
}

/* Appends to buf[*n..len), keeping room for the newline; never overruns. */
static __attribute__((format(printf, 4, 0))) void
log_append(char *buf, size_t len, size_t *n, const char *fmt, va_list ap)
{
	int m;

	if (*n >= len - 1)
		return;
	m = vsnprintf(buf + *n, len - 1 - *n, fmt, ap);
	if (m < 0)
		return;
	if ((size_t)m >= len - 1 - *n) {	/* truncated: say so */
		*n = len - 1;
		memcpy(buf + *n - 3, "...", 3);
	} else {
		*n += (size_t)m;
	}
}

static __attribute__((format(printf, 4, 5))) void
log_appendf(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_append(buf, len, n, fmt, ap);
	va_end(ap);
}

void
log_emit(int level, int with_errno, const char *file, int line,
    const char *func, const char *fmt, ...)
{
	char buf[LOG_LINE_MAX];
	int saved_errno = errno;
	size_t n;
	va_list ap;

	(void)file; (void)line; (void)func;
	if (!log_enabled(level))
		return;
	if (log_pid == 0)
		log_pid = getpid();

	n = log_format_time(buf, sizeof(buf));
	log_appendf(buf, sizeof(buf), &n, "%s[%ld]: %s: ", log_ident,
	    (long)log_pid, log_level_name(level));
	va_start(ap, fmt);
	log_append(buf, sizeof(buf), &n, fmt, ap);
	va_end(ap);
	if (with_errno)
		log_appendf(buf, sizeof(buf), &n, ": %s", strerror(saved_errno));
	buf[n++] = '\n';
	log_write_all(buf, n);
	errno = saved_errno;
}
