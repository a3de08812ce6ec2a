/*
 * log - one record per event: a native journald record when stderr is the
 * journal, one readable line on stderr otherwise.
 *
 * Every stderr line carries the time, the process id and the level, and is
 * written with a single write(2) so that lines from the master and its
 * workers never interleave.  Under journald (JOURNAL_STREAM names stderr,
 * and journald's socket is there)
 * the same message goes out with sd_journal_sendv() as MESSAGE, with
 * PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE/LINE/FUNC, ERRNO for the *_errno
 * variants, the call's structured fields and the process's context fields;
 * a record the journal refuses is written as the stderr line instead.
 *
 * Messages above the configured level are dropped before any argument is
 * evaluated.  The *_errno variants append ": strerror(errno)"; the others
 * do not.  Logging never fails from the caller's point of view, and errno
 * is preserved.
 *
 * Structured fields go only to the journal:
 *	log_info_fields(LOG_FIELDS(LOG_STR("REMOTE_ADDR", host),
 *	    LOG_U64("BYTES", n)), "%s echo %" PRIu64, peer, n);
 * Names are journal field names (A-Z, 0-9, _, not starting with _, at most
 * 64 bytes); a field with any other name is left out.  Values longer than
 * LOG_VALUE_MAX bytes are cut and end in "...".
 */
#ifndef PREFORKD_LOG_H
#define PREFORKD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <syslog.h>	/* LOG_ERR .. LOG_DEBUG */

#define LOG_LINE_MAX	2048	/* a stderr line, and a MESSAGE */
#define LOG_VALUE_MAX	1024	/* one field's value */
#define LOG_FIELDS_MAX	12	/* fields of one call */
#define LOG_CONTEXT_MAX	4	/* context fields of a process */

enum log_field_kind {
	LOG_FIELD_STR,		/* NUL-terminated string */
	LOG_FIELD_MEM,		/* len bytes, any bytes */
	LOG_FIELD_U64,
	LOG_FIELD_I64,
};

struct log_field {
	const char *name;
	enum log_field_kind kind;
	size_t len;		/* LOG_FIELD_MEM */
	union {
		const char *str;
		uint64_t u64;
		int64_t i64;
	} v;
};

#define LOG_STR(n, s) ((struct log_field){ .name = (n), \
	.kind = LOG_FIELD_STR, .v.str = (s) })
#define LOG_MEM(n, p, l) ((struct log_field){ .name = (n), \
	.kind = LOG_FIELD_MEM, .len = (l), .v.str = (p) })
#define LOG_U64(n, x) ((struct log_field){ .name = (n), \
	.kind = LOG_FIELD_U64, .v.u64 = (uint64_t)(x) })
#define LOG_I64(n, x) ((struct log_field){ .name = (n), \
	.kind = LOG_FIELD_I64, .v.i64 = (int64_t)(x) })

/* An array of fields and its length: two arguments. */
#define LOG_FIELDS(...) \
	((const struct log_field[]){ __VA_ARGS__ }), \
	(sizeof((const struct log_field[]){ __VA_ARGS__ }) / \
	    sizeof(struct log_field))

void log_init(const char *ident);	/* also decides: journal or stderr */
void log_reset_pid(void);		/* call in a freshly forked child */
void log_set_level(int level);
int log_level_parse(const char *name);	/* -1 if not a level name */
const char *log_level_name(int level);
int log_enabled(int level);
bool log_to_journal(void);

/*
 * Fields added to every later journal record of this process (a worker's
 * WORKER_PID and GENERATION), copied; replaces the previous context.  A
 * field of the call wins over a context field of the same name.
 */
void log_set_context(const struct log_field *f, size_t n);

void log_emit(int level, int with_errno, const char *file, int line,
    const char *func, const struct log_field *f, size_t nf,
    const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* ---- the pure parts, exported for the tests ---- */

/* Does JOURNAL_STREAM ("DEV:INODE", decimal) name this device and inode? */
bool log_journal_stream_matches(const char *env, dev_t dev, ino_t ino);

/* Is name a field name journald accepts from a client? */
bool log_field_name_valid(const char *name);

#define LOG_RECORD_IOV_MAX	(7 + LOG_FIELDS_MAX + LOG_CONTEXT_MAX)
#define LOG_RECORD_TEXT_MAX	8192	/* what the fields share; a field
					   that finds no room is cut or left out */

/* A native journal record: iov[0..n) point into text or at static data. */
struct log_record {
	struct iovec iov[LOG_RECORD_IOV_MAX];
	size_t n;
	size_t used;			/* of text */
	char text[LOG_RECORD_TEXT_MAX];
};

/*
 * MESSAGE=msg (msglen bytes), PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE,
 * CODE_LINE, CODE_FUNC, ERRNO (err > 0 only), then the fields f[0..nf)
 * and the context entries ctx[0..nctx) ("NAME=value" each) whose names f
 * does not use.  Bounded: never more than LOG_RECORD_IOV_MAX entries or
 * LOG_RECORD_TEXT_MAX bytes.
 */
void log_record_build(struct log_record *r, int level, const char *ident,
    const char *file, int line, const char *func, const char *msg,
    size_t msglen, int err, const struct log_field *f, size_t nf,
    const struct iovec *ctx, size_t nctx);

/* f and nf are two arguments: the log_*_fields macros get them from
 * LOG_FIELDS(...), expanded before LOG_AT sees them. */
#define LOG_AT(lvl, e, f, nf, ...) do { \
	if (log_enabled(lvl)) \
		log_emit((lvl), (e), __FILE__, __LINE__, __func__, (f), (nf), \
		    __VA_ARGS__); \
} while (0)

#define log_error(...)		LOG_AT(LOG_ERR, 0, NULL, 0, __VA_ARGS__)
#define log_error_errno(...)	LOG_AT(LOG_ERR, 1, NULL, 0, __VA_ARGS__)
#define log_warning(...)	LOG_AT(LOG_WARNING, 0, NULL, 0, __VA_ARGS__)
#define log_warning_errno(...)	LOG_AT(LOG_WARNING, 1, NULL, 0, __VA_ARGS__)
#define log_notice(...)		LOG_AT(LOG_NOTICE, 0, NULL, 0, __VA_ARGS__)
#define log_info(...)		LOG_AT(LOG_INFO, 0, NULL, 0, __VA_ARGS__)
#define log_debug(...)		LOG_AT(LOG_DEBUG, 0, NULL, 0, __VA_ARGS__)

/*
 * The same with fields first, as two arguments: LOG_FIELDS(...), or an
 * array and its length.  log_info_fields(LOG_FIELDS(...), fmt, ...).
 */
#define log_error_fields(...)		LOG_AT(LOG_ERR, 0, __VA_ARGS__)
#define log_error_errno_fields(...)	LOG_AT(LOG_ERR, 1, __VA_ARGS__)
#define log_warning_fields(...)		LOG_AT(LOG_WARNING, 0, __VA_ARGS__)
#define log_warning_errno_fields(...)	LOG_AT(LOG_WARNING, 1, __VA_ARGS__)
#define log_notice_fields(...)		LOG_AT(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info_fields(...)		LOG_AT(LOG_INFO, 0, __VA_ARGS__)
#define log_debug_fields(...)		LOG_AT(LOG_DEBUG, 0, __VA_ARGS__)

#endif
