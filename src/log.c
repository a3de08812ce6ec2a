/*
 * log - readable stderr lines, "TIME IDENT[PID]: LEVEL: message", or
 * native journald records when stderr is the journal.
 *
 * Owns the process-wide level, identity, destination and context fields.
 * log_init() decides the destination once, as systemd.exec(5) documents:
 * JOURNAL_STREAM holds "DEV:INODE" of the stream it connected to stderr,
 * and only if fd 2 is still that very stream, and journald's native socket
 * is there to write to, does the journal get native records; workers
 * inherit the decision across fork().  (The socket is checked because
 * sd_journal_sendv() reports success when it is missing; it is checked
 * once, so records sent while journald is gone later are lost.)
 *
 * A message is formatted into one buffer (cut with "..." when longer).  A
 * stderr line is written with a loop that survives EINTR and short writes.
 * A journal record is built on the stack (log_record_build, pure: bounded
 * sizes, no allocation) and sent with sd_journal_sendv(); when that fails,
 * the record is written as the stderr line, so no message is lost unseen.
 * errno is preserved across every call so that callers can log and then
 * still test it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Our records carry the caller's CODE_* fields, not log.c's. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "log.h"

#define LOG_JOURNAL_SOCKET "/run/systemd/journal/socket"
#define LOG_NAME_MAX	64	/* journald's limit on a field name */
#define LOG_CODE_MAX	256	/* CODE_FILE, CODE_FUNC, SYSLOG_IDENTIFIER */
#define LOG_CONTEXT_LEN	128	/* one "NAME=value" of the context */

static const char *log_ident = "preforkd";
static int log_level = LOG_INFO;
static pid_t log_pid;
static bool log_inited;
static bool log_journal;

static char log_ctx_text[LOG_CONTEXT_MAX][LOG_CONTEXT_LEN];
static struct iovec log_ctx[LOG_CONTEXT_MAX];
static size_t log_nctx;

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

/* Digits only, at least one, no overflow, then stop: where stop is. */
static const char *
log_parse_u64(const char *s, char stop, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == s || *p != stop)
		return NULL;
	*out = v;
	return p;
}

bool
log_journal_stream_matches(const char *env, dev_t dev, ino_t ino)
{
	uint64_t d, i;
	const char *p;

	if (env == NULL || (p = log_parse_u64(env, ':', &d)) == NULL ||
	    log_parse_u64(p + 1, '\0', &i) == NULL)
		return false;
	return d == (uint64_t)dev && i == (uint64_t)ino;
}

void
log_init(const char *ident)
{
	const char *env = getenv("JOURNAL_STREAM");
	struct stat st;

	if (ident != NULL)
		log_ident = ident;
	log_pid = getpid();
	log_journal = env != NULL && fstat(STDERR_FILENO, &st) == 0 &&
	    log_journal_stream_matches(env, st.st_dev, st.st_ino) &&
	    access(LOG_JOURNAL_SOCKET, W_OK) == 0;
	log_inited = true;
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

bool
log_to_journal(void)
{
	return log_journal;
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

/* ---- journal records ---- */

bool
log_field_name_valid(const char *name)
{
	size_t n;

	if (name == NULL || name[0] == '\0' || name[0] == '_' ||
	    (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (n = 0; name[n] != '\0'; n++)
		if (n == LOG_NAME_MAX || !((name[n] >= 'A' && name[n] <= 'Z') ||
		    (name[n] >= '0' && name[n] <= '9') || name[n] == '_'))
			return false;
	return true;
}

/* The value of f as bytes: v and its length (at most cap + 1 for a
 * string, so that an endless one is never scanned to its end). */
static size_t
log_field_value(const struct log_field *f, size_t cap, char *num,
    size_t numlen, const char **v)
{
	int n;

	switch (f->kind) {
	case LOG_FIELD_STR:
		*v = f->v.str != NULL ? f->v.str : "";
		return strnlen(*v, cap + 1);
	case LOG_FIELD_MEM:
		*v = f->v.str != NULL ? f->v.str : "";
		return f->v.str != NULL ? f->len : 0;
	case LOG_FIELD_U64:
		n = snprintf(num, numlen, "%" PRIu64, f->v.u64);
		break;
	case LOG_FIELD_I64:
		n = snprintf(num, numlen, "%" PRId64, f->v.i64);
		break;
	default:
		return SIZE_MAX;
	}
	*v = num;
	return n > 0 ? (size_t)n : 0;
}

/*
 * "NAME=value" into buf[0..len): the value cut to at most cap bytes and to
 * what fits, a cut value ending in "...".  The length written; 0 when the
 * name is not valid or not even "NAME=..." fits.
 */
static size_t
log_field_format(const struct log_field *f, size_t cap, char *buf,
    size_t len)
{
	char num[24];
	const char *v;
	size_t nlen, vlen, room;

	if (!log_field_name_valid(f->name))
		return 0;
	vlen = log_field_value(f, cap, num, sizeof(num), &v);
	nlen = strlen(f->name);
	if (vlen == SIZE_MAX || len < nlen + 1)
		return 0;
	room = len - nlen - 1 < cap ? len - nlen - 1 : cap;
	memcpy(buf, f->name, nlen);
	buf[nlen] = '=';
	if (vlen <= room) {
		memcpy(buf + nlen + 1, v, vlen);
		return nlen + 1 + vlen;
	}
	if (room < 3)
		return 0;
	memcpy(buf + nlen + 1, v, room - 3);
	memcpy(buf + nlen + 1 + room - 3, "...", 3);
	return nlen + 1 + room;
}

static void
log_record_add(struct log_record *r, const struct log_field *f, size_t cap)
{
	size_t n;

	if (r->n >= LOG_RECORD_IOV_MAX)
		return;
	n = log_field_format(f, cap, r->text + r->used,
	    sizeof(r->text) - r->used);
	if (n == 0)
		return;
	r->iov[r->n].iov_base = r->text + r->used;
	r->iov[r->n].iov_len = n;
	r->n++;
	r->used += n;
}

/* Does one of f[0..nf) have the name that "NAME=value" in iov has? */
static bool
log_fields_name(const struct log_field *f, size_t nf, const struct iovec *iov)
{
	const char *eq = memchr(iov->iov_base, '=', iov->iov_len);
	size_t len = eq != NULL ? (size_t)(eq - (const char *)iov->iov_base) :
	    iov->iov_len;

	for (size_t i = 0; i < nf; i++)
		if (log_field_name_valid(f[i].name) &&
		    strlen(f[i].name) == len &&
		    memcmp(f[i].name, iov->iov_base, len) == 0)
			return true;
	return false;
}

void
log_record_build(struct log_record *r, int level, const char *ident,
    const char *file, int line, const char *func, const char *msg,
    size_t msglen, int err, const struct log_field *f, size_t nf,
    const struct iovec *ctx, size_t nctx)
{
	r->n = 0;
	r->used = 0;
	log_record_add(r, &LOG_MEM("MESSAGE", msg, msglen), LOG_LINE_MAX);
	log_record_add(r, &LOG_I64("PRIORITY", level), LOG_CODE_MAX);
	log_record_add(r, &LOG_STR("SYSLOG_IDENTIFIER", ident), LOG_CODE_MAX);
	log_record_add(r, &LOG_STR("CODE_FILE", file), LOG_CODE_MAX);
	log_record_add(r, &LOG_I64("CODE_LINE", line), LOG_CODE_MAX);
	log_record_add(r, &LOG_STR("CODE_FUNC", func), LOG_CODE_MAX);
	if (err > 0)
		log_record_add(r, &LOG_I64("ERRNO", err), LOG_CODE_MAX);
	if (nf > LOG_FIELDS_MAX)
		nf = LOG_FIELDS_MAX;
	for (size_t i = 0; i < nf; i++)
		log_record_add(r, &f[i], LOG_VALUE_MAX);
	for (size_t i = 0; i < nctx && r->n < LOG_RECORD_IOV_MAX; i++)
		if (!log_fields_name(f, nf, &ctx[i]))
			r->iov[r->n++] = ctx[i];
}

void
log_set_context(const struct log_field *f, size_t n)
{
	log_nctx = 0;
	for (size_t i = 0; i < n && log_nctx < LOG_CONTEXT_MAX; i++) {
		size_t len = log_field_format(&f[i], LOG_CONTEXT_LEN,
		    log_ctx_text[log_nctx], sizeof(log_ctx_text[0]));

		if (len == 0)
			continue;
		log_ctx[log_nctx].iov_base = log_ctx_text[log_nctx];
		log_ctx[log_nctx].iov_len = len;
		log_nctx++;
	}
}

/* 0 when journald took the record. */
static int
log_send_journal(int level, int err, const char *file, int line,
    const char *func, const char *msg, size_t len,
    const struct log_field *f, size_t nf)
{
	struct log_record r;

	log_record_build(&r, level, log_ident, file, line, func, msg, len,
	    err, f, nf, log_ctx, log_nctx);
	return sd_journal_sendv(r.iov, (int)r.n) < 0 ? -1 : 0;
}

/* ---- stderr lines ---- */

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

static void
log_write_line(int level, const char *msg, size_t len)
{
	char buf[LOG_LINE_MAX];
	size_t n;

	n = log_format_time(buf, sizeof(buf));
	log_appendf(buf, sizeof(buf), &n, "%s[%ld]: %s: %.*s", log_ident,
	    (long)log_pid, log_level_name(level), (int)len, msg);
	buf[n++] = '\n';
	log_write_all(buf, n);
}

void
log_emit(int level, int with_errno, const char *file, int line,
    const char *func, const struct log_field *f, size_t nf,
    const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	int saved_errno = errno;
	size_t n = 0;
	va_list ap;

	if (!log_enabled(level))
		return;
	if (!log_inited)
		log_init(NULL);

	va_start(ap, fmt);
	log_append(msg, sizeof(msg), &n, fmt, ap);
	va_end(ap);
	if (with_errno)
		log_appendf(msg, sizeof(msg), &n, ": %s",
		    strerror(saved_errno));
	if (!log_journal || log_send_journal(level,
	    with_errno ? saved_errno : 0, file, line, func, msg, n, f, nf) != 0)
		log_write_line(level, msg, n);
	errno = saved_errno;
}
