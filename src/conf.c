/*
 * conf - the configuration file, read into a plain struct conf.
 *
 * Owns the libconfuse option tables, the validators and the copy of every
 * value into struct conf; no libconfuse object outlives conf_load().
 * Exports conf_load(), conf_free() and conf_print().  Reports the first
 * error only, in the caller's buffer: "FILE:LINE: KEY: reason", libconfuse's
 * own messages as "FILE:LINE: message", or "cannot open FILE: reason".
 * Logs nothing.
 *
 * The file is read here and given to libconfuse as text with its comments
 * blanked out (newlines kept): libconfuse 3.3 counts two extra lines for
 * every '#' or '//' comment and one for every C comment, and its scanner
 * exits the process when the file is a directory.
 */
#include "config.h"

#include <arpa/inet.h>
#include <confuse.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "service.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define CONF_FILE_MAX	(1024 * 1024)	/* bytes: a larger file is a mistake */
#define CONF_KEYS_MAX	64		/* more than the tables will ever hold */
#define CONF_MSG_MAX	256

/* Integer keys and their ranges; "section|key" inside a section. */
static const struct conf_range {
	const char *key;
	long min;
	long max;
} conf_ranges[] = {
	{ "port",			CONF_PORT_MIN, CONF_PORT_MAX },
	{ "workers",			CONF_WORKERS_MIN, CONF_WORKERS_MAX },
	{ "backlog",			1, 65535 },
	{ "max_requests",		0, INT_MAX },
	{ "max_requests_jitter",	0, INT_MAX },
	{ "timeouts|read",		1, 86400 },
	{ "timeouts|write",		1, 86400 },
	{ "timeouts|keepalive",		1, 3600 },
	{ "timeouts|linger",		0, 300 },
	{ "timeouts|graceful",		0, 86400 },
	{ "timeouts|hang",		1, 86400 },
	{ "timeouts|min_rate",		0, 1 << 30 },
	{ "parker|connections",		0, CONF_PARKER_MAX },
	{ "http|keepalive_requests",	1, 1000000 },
	{ "http|max_header_size",	CONF_HEADER_MIN, CONF_HEADER_MAX },
};

/* Where a key was first assigned; for a list, also its last call. */
struct conf_seen {
	const cfg_opt_t *opt;
	int line;
	unsigned int nvalues;
	char last[64];
	bool closed;		/* that call was a closing brace's */
};

/* The load in progress: libconfuse's callbacks take no user pointer. */
static struct {
	const char *path;
	char *err;
	size_t errlen;
	cfg_t *root;
	struct conf_seen seen[CONF_KEYS_MAX];
	size_t nseen;
} conf_run;

/* ---- errors ------------------------------------------------------------ */

static void __attribute__((format(printf, 2, 0)))
conf_verror(int line, const char *fmt, va_list ap)
{
	char *err = conf_run.err;
	size_t len = conf_run.errlen;
	int n;

	if (err == NULL || len == 0 || err[0] != '\0')
		return;			/* the first error stays */
	if (line > 0)
		n = snprintf(err, len, "%s:%d: ", conf_run.path, line);
	else
		n = snprintf(err, len, "%s: ", conf_run.path);
	if (n > 0 && (size_t)n < len)
		vsnprintf(err + n, len - (size_t)n, fmt, ap);
}

static void __attribute__((format(printf, 2, 3)))
conf_error(int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verror(line, fmt, ap);
	va_end(ap);
}

/*
 * libconfuse's messages about one key, told again in our own form,
 * "KEY: reason", with the key first as in every other error.
 */
static const struct {
	const char *fmt;	/* libconfuse's, with one '%s': the key */
	const char *reason;
} conf_key_messages[] = {
	{ "no such option '%s'", "unknown key" },
	{ "invalid boolean value for option '%s'",
	    "not a boolean (true or false)" },
	{ "attempt to append to non-list option '%s'",
	    "not a list: += does not apply" },
	{ "missing equal sign after option '%s'", "missing '=' after the key" },
	{ "missing opening brace for section '%s'",
	    "missing '{' after the section name" },
};

/* libconfuse's messages; cfg is the section being parsed. */
static void __attribute__((format(printf, 2, 0)))
conf_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	bool nested = cfg != NULL && cfg != conf_run.root;
	int line = cfg != NULL ? cfg->line : 0;
	char msg[CONF_MSG_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(conf_key_messages); i++) {
		if (strcmp(fmt, conf_key_messages[i].fmt) != 0)
			continue;
		conf_error(line, "%s%s%s: %s", nested ? cfg_name(cfg) : "",
		    nested ? "." : "", va_arg(ap, const char *),
		    conf_key_messages[i].reason);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (nested)
		conf_error(line, "%s: %s", cfg_name(cfg), msg);
	else
		conf_error(line, "%s", msg);
}

/* "timeouts.read" with sep '.', "timeouts|read" with '|', "port" on top. */
static const char *
conf_key(cfg_t *cfg, cfg_opt_t *opt, char sep, char *buf, size_t len)
{
	if (cfg == conf_run.root)
		return cfg_opt_name(opt);
	snprintf(buf, len, "%s%c%s", cfg_name(cfg), sep, cfg_opt_name(opt));
	return buf;
}

/* "FILE:LINE: KEY: reason" at the line being parsed; -1 for validators. */
static int __attribute__((format(printf, 3, 4)))
conf_reject(cfg_t *cfg, cfg_opt_t *opt, const char *fmt, ...)
{
	char key[CONF_MSG_MAX], msg[CONF_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_error(cfg->line, "%s: %s",
	    conf_key(cfg, opt, '.', key, sizeof(key)), msg);
	return -1;
}

/* ---- keys given twice -------------------------------------------------- */

static struct conf_seen *
conf_seen_find(const cfg_opt_t *opt)
{
	for (size_t i = 0; i < conf_run.nseen; i++)
		if (conf_run.seen[i].opt == opt)
			return &conf_run.seen[i];
	return NULL;
}

/* A key may be assigned once: the line of the first time is remembered. */
static int
conf_check_once(cfg_t *cfg, cfg_opt_t *opt)
{
	struct conf_seen *s = conf_seen_find(opt);

	if (s != NULL)
		return conf_reject(cfg, opt, "set twice (first on line %d)",
		    s->line);
	if (conf_run.nseen == CONF_KEYS_MAX)
		return 0;
	s = &conf_run.seen[conf_run.nseen++];
	s->opt = opt;
	s->line = cfg->line;
	return 0;
}

/*
 * A list's validator runs once per value as it is added, then again at a
 * closing brace, repeating the call before.  A call adding the first value
 * starts an assignment ('='); one adding a later value continues it or
 * appends to the list ('+=').  Only `bind = "x"` given twice with the same
 * single unbraced value looks like one assignment; it changes nothing.
 */
static int
conf_check_list_once(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned int n = cfg_opt_size(opt);
	const char *v = cfg_opt_getnstr(opt, n - 1);
	struct conf_seen *s = conf_seen_find(opt);

	if (s != NULL && !s->closed && s->nvalues == n &&
	    strcmp(s->last, v) == 0) {
		s->closed = true;
		return 0;
	}
	if ((s == NULL || n == 1) && conf_check_once(cfg, opt) != 0)
		return -1;
	s = conf_seen_find(opt);
	if (s != NULL) {
		s->nvalues = n;
		snprintf(s->last, sizeof(s->last), "%s", v);
		s->closed = false;
	}
	return 0;
}

/* ---- validators -------------------------------------------------------- */

/*
 * libconfuse calls a validator for each value read from the file, never for
 * a default; a list's once per value and again at its closing brace; a
 * section's at its closing brace, with the line of that brace.  Every key
 * has one: conf_check_once() in it is what catches a key given twice.
 */

static const struct conf_range *
conf_range_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_ranges); i++)
		if (strcmp(conf_ranges[i].key, key) == 0)
			return &conf_ranges[i];
	return NULL;
}

static int
conf_validate_range(cfg_t *cfg, cfg_opt_t *opt)
{
	char key[CONF_MSG_MAX];
	const struct conf_range *r;
	long v = cfg_opt_getnint(opt, 0);

	if (conf_check_once(cfg, opt) != 0)
		return -1;
	r = conf_range_find(conf_key(cfg, opt, '|', key, sizeof(key)));
	if (r == NULL || (v >= r->min && v <= r->max))
		return 0;
	return conf_reject(cfg, opt, "%ld is out of range %ld..%ld",
	    v, r->min, r->max);
}

/*
 * Integers are decimal, whatever libconfuse's strtol(..., 0) would make of
 * them: "010" is ten, not eight, and "0x10" is refused.
 */
static int
conf_parse_int(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	char key[CONF_MSG_MAX];
	const struct conf_range *r;
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (end == value || *end != '\0')
		return conf_reject(cfg, opt, "\"%s\" is not a decimal integer",
		    value);
	r = conf_range_find(conf_key(cfg, opt, '|', key, sizeof(key)));
	if (errno == ERANGE && r != NULL)
		return conf_reject(cfg, opt, "%s is out of range %ld..%ld",
		    value, r->min, r->max);
	if (errno == ERANGE)
		return conf_reject(cfg, opt, "%s is out of range", value);
	*(long *)result = v;
	return 0;
}

static int
conf_validate_once(cfg_t *cfg, cfg_opt_t *opt)
{
	return conf_check_once(cfg, opt);
}

static int
conf_validate_service(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *name = cfg_opt_getnstr(opt, 0);

	if (conf_check_once(cfg, opt) != 0)
		return -1;
	if (service_find(name) != NULL)
		return 0;
	return conf_reject(cfg, opt, "unknown service \"%s\" (available: %s)",
	    name, service_names());
}

static int
conf_validate_dotfiles(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (conf_check_once(cfg, opt) != 0)
		return -1;
	if (strcmp(v, "deny") == 0 || strcmp(v, "allow") == 0)
		return 0;
	return conf_reject(cfg, opt, "\"%s\": deny or allow", v);
}

static int
conf_validate_log_level(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *name = cfg_opt_getnstr(opt, 0);

	if (conf_check_once(cfg, opt) != 0)
		return -1;
	if (log_level_parse(name) >= 0)
		return 0;
	return conf_reject(cfg, opt,
	    "unknown level \"%s\" (err, warning, notice, info, debug)", name);
}

struct conf_addr {
	int family;
	unsigned char bytes[16];
};

static int
conf_addr_parse(const char *s, struct conf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->bytes) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

/* The value before the last equal to address a, NULL if none. */
static const char *
conf_bind_earlier(cfg_opt_t *opt, unsigned int n, const struct conf_addr *a)
{
	struct conf_addr b;

	for (unsigned int i = 0; i + 1 < n; i++) {
		const char *w = cfg_opt_getnstr(opt, i);

		if (conf_addr_parse(w, &b) == 0 && memcmp(a, &b, sizeof(b)) == 0)
			return w;
	}
	return NULL;
}

/* Checks the value just added: numeric, and not an address already given. */
static int
conf_validate_bind(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned int n = cfg_opt_size(opt);
	struct conf_addr a;
	const char *v, *w;

	if (n == 0)
		return 0;
	if (conf_check_list_once(cfg, opt) != 0)
		return -1;
	v = cfg_opt_getnstr(opt, n - 1);
	if (conf_addr_parse(v, &a) != 0)
		return conf_reject(cfg, opt,
		    "\"%s\" is not a numeric IPv4 or IPv6 address", v);
	if ((w = conf_bind_earlier(opt, n, &a)) == NULL)
		return 0;
	if (strcmp(v, w) == 0)
		return conf_reject(cfg, opt, "\"%s\" is listed twice", v);
	return conf_reject(cfg, opt, "\"%s\" is listed twice (as \"%s\")",
	    v, w);
}

/*
 * hang must exceed the longest time a healthy worker can go without a
 * report.  Its last progress report may be up to a second older than its
 * last transfer (reports are rate-limited); then comes one wait (a read,
 * a write that makes no progress, a keep-alive wait), then the lingering
 * drain.  With whole seconds, hang > max(read, write, keepalive) + linger
 * covers all of it.  Told on hang's line if the file sets it.
 */
static int
conf_check_hang(cfg_t *t, int line)
{
	long rd = cfg_getint(t, "read");
	long wr = cfg_getint(t, "write");
	long ka = cfg_getint(t, "keepalive");
	long lg = cfg_getint(t, "linger");
	long hang = cfg_getint(t, "hang");
	long wait = rd > wr ? rd : wr;
	struct conf_seen *s = conf_seen_find(cfg_getopt(t, "hang"));

	if (ka > wait)
		wait = ka;
	if (hang > wait + lg)
		return 0;
	conf_error(s != NULL ? s->line : line, "timeouts.hang: %ld must be "
	    "greater than %ld, the longest of timeouts.read (%ld), "
	    "timeouts.write (%ld) and timeouts.keepalive (%ld), plus "
	    "timeouts.linger (%ld)", hang, wait + lg, rd, wr, ka, lg);
	return -1;
}

static int
conf_validate_root(cfg_t *cfg, cfg_opt_t *opt)
{
	if (conf_check_once(cfg, opt) != 0)
		return -1;
	if (cfg_opt_getnstr(opt, 0)[0] == '\0')
		return conf_reject(cfg, opt, "empty; give a directory");
	return 0;
}

/* A file name in the directory asked for: no '/', not "." or "..". */
static int
conf_validate_index(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (conf_check_once(cfg, opt) != 0)
		return -1;
	if (v[0] == '\0' || strchr(v, '/') != NULL || strcmp(v, ".") == 0 ||
	    strcmp(v, "..") == 0)
		return conf_reject(cfg, opt, "\"%s\" is not a file name", v);
	return 0;
}

/* "" or an absolute path of visible ASCII, without '?' or '#'. */
static int
conf_validate_status_path(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (conf_check_once(cfg, opt) != 0)
		return -1;
	if (v[0] == '\0')
		return 0;
	if (v[0] != '/')
		return conf_reject(cfg, opt, "\"%s\" does not begin with '/' "
		    "(\"\" disables the page)", v);
	for (const char *p = v; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '#' ||
		    *p == '%')
			return conf_reject(cfg, opt, "\"%s\": only visible "
			    "ASCII, no '?', '#' or '%%'", v);
	return 0;
}

/* Runs at the section's closing brace. */
static int
conf_validate_timeouts(cfg_t *cfg, cfg_opt_t *opt)
{
	if (conf_check_once(cfg, opt) != 0)
		return -1;
	return conf_check_hang(cfg_opt_getnsec(opt, 0), cfg->line);
}

/* Every key not in conf_ranges; "section|key" inside a section. */
static const struct conf_check {
	const char *key;
	cfg_validate_callback_t validate;
} conf_checks[] = {
	{ "bind",		conf_validate_bind },
	{ "service",		conf_validate_service },
	{ "user",		conf_validate_once },
	{ "log_level",		conf_validate_log_level },
	{ "access_log",		conf_validate_once },
	{ "timeouts",		conf_validate_timeouts },
	{ "http",		conf_validate_once },
	{ "parker",		conf_validate_once },
	{ "http|root",		conf_validate_root },
	{ "http|index",		conf_validate_index },
	{ "http|autoindex",	conf_validate_once },
	{ "http|dotfiles",	conf_validate_dotfiles },
	{ "http|status_path",	conf_validate_status_path },
};

static cfg_t *
conf_cfg_new(void)
{
	cfg_opt_t timeouts_opts[] = {
		CFG_INT_CB("read", 30, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("write", 30, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("keepalive", 5, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("linger", 2, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("graceful", 30, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("hang", 120, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("min_rate", 1024, CFGF_NONE, conf_parse_int),
		CFG_END()
	};
	cfg_opt_t parker_opts[] = {
		CFG_INT_CB("connections", 10000, CFGF_NONE, conf_parse_int),
		CFG_END()
	};
	cfg_opt_t http_opts[] = {
		CFG_STR("root", "/var/www/html", CFGF_NONE),
		CFG_STR("index", "index.html", CFGF_NONE),
		CFG_BOOL("autoindex", cfg_false, CFGF_NONE),
		CFG_STR("dotfiles", "deny", CFGF_NONE),
		CFG_INT_CB("keepalive_requests", 100, CFGF_NONE,
		    conf_parse_int),
		CFG_INT_CB("max_header_size", 8192, CFGF_NONE, conf_parse_int),
		CFG_STR("status_path", "/server-status", CFGF_NONE),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_INT_CB("port", 8080, CFGF_NONE, conf_parse_int),
		CFG_STR_LIST("bind", "{\"0.0.0.0\", \"::\"}", CFGF_NONE),
		CFG_INT_CB("workers", 4, CFGF_NONE, conf_parse_int),
		CFG_STR("service", "http", CFGF_NONE),
		CFG_STR("user", "", CFGF_NONE),
		CFG_INT_CB("backlog", 511, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("max_requests", 0, CFGF_NONE, conf_parse_int),
		CFG_INT_CB("max_requests_jitter", 0, CFGF_NONE, conf_parse_int),
		CFG_STR("log_level", "info", CFGF_NONE),
		CFG_BOOL("access_log", cfg_true, CFGF_NONE),
		CFG_SEC("timeouts", timeouts_opts, CFGF_NONE),
		CFG_SEC("http", http_opts, CFGF_NONE),
		CFG_SEC("parker", parker_opts, CFGF_NONE),
		CFG_END()
	};
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);

	if (cfg == NULL)
		return NULL;
	conf_run.root = cfg;
	cfg_set_error_function(cfg, conf_errfunc);
	for (size_t i = 0; i < ARRAY_SIZE(conf_ranges); i++)
		cfg_set_validate_func(cfg, conf_ranges[i].key,
		    conf_validate_range);
	for (size_t i = 0; i < ARRAY_SIZE(conf_checks); i++)
		cfg_set_validate_func(cfg, conf_checks[i].key,
		    conf_checks[i].validate);
	return cfg;
}

/* ---- the text ---------------------------------------------------------- */

static int
conf_grow(char **buf, size_t *cap)
{
	size_t want = *cap == 0 ? 4096 : 2 * *cap;
	char *p;

	if (*cap >= CONF_FILE_MAX) {
		errno = EFBIG;
		return -1;
	}
	p = realloc(*buf, want);
	if (p == NULL)
		return -1;
	*buf = p;
	*cap = want;
	return 0;
}

/* NUL-terminated contents of fp, or NULL with errno set. */
static char *
conf_read_fp(FILE *fp, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int saved;

	while (!feof(fp) && !ferror(fp)) {
		if (len + 1 >= cap && conf_grow(&buf, &cap) != 0)
			break;
		len += fread(buf + len, 1, cap - 1 - len, fp);
	}
	if (!feof(fp)) {		/* errno from read(2) or conf_grow() */
		saved = errno;
		free(buf);
		errno = saved;
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static void
conf_cannot_open(int errnum)
{
	if (conf_run.err != NULL)
		snprintf(conf_run.err, conf_run.errlen, "cannot open %s: %s",
		    conf_run.path, strerror(errnum));
}

/* The whole file; a directory fails here, with EISDIR from read(2). */
static char *
conf_read(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "re");
	char *text;
	int saved;

	if (fp == NULL) {
		conf_cannot_open(errno);
		return NULL;
	}
	text = conf_read_fp(fp, lenp);
	saved = errno;
	fclose(fp);
	if (text == NULL)
		conf_cannot_open(saved);
	return text;
}

/* One past the closing quote of the string opening at s[i]. */
static size_t
conf_skip_quoted(const char *s, size_t len, size_t i)
{
	char quote = s[i++];

	while (i < len && s[i] != quote)
		i += s[i] == '\\' ? 2 : 1;
	return i < len ? i + 1 : len;
}

/* Blanks the comment at s[i], keeping newlines; returns where it ends. */
static size_t
conf_blank_comment(char *s, size_t len, size_t i)
{
	bool block = s[i] == '/' && s[i + 1] == '*';

	if (block) {
		s[i++] = ' ';
		s[i++] = ' ';
	}
	for (; i < len; i++) {
		if (block && s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
			s[i] = s[i + 1] = ' ';
			return i + 2;
		}
		if (s[i] == '\n' && !block)
			return i;
		if (s[i] != '\n')
			s[i] = ' ';
	}
	return len;
}

/*
 * As libconfuse's lexer: no comment inside quotes; '#' starts one anywhere
 * else; '//' and '/ *' only where a word may start, since inside an
 * unquoted word (http://x) a '/' is an ordinary character.
 */
static void
conf_strip_comments(char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		bool word = i > 0 && strchr(" \t\r\n#\"'={}()+,*", s[i - 1]) == NULL;

		if (s[i] == '"' || s[i] == '\'')
			i = conf_skip_quoted(s, len, i);
		else if (s[i] == '#' || (s[i] == '/' && i + 1 < len && !word &&
		    (s[i + 1] == '/' || s[i + 1] == '*')))
			i = conf_blank_comment(s, len, i);
		else
			i++;
	}
}

/* The line of the first '{' left open, 0 if none: libconfuse takes the end
 * of the file for the end of an open section. */
static int
conf_unclosed_brace(const char *s, size_t len)
{
	int line = 1, depth = 0, open = 0;
	size_t i = 0;

	while (i < len) {
		size_t next = i + 1;

		if (s[i] == '"' || s[i] == '\'')
			next = conf_skip_quoted(s, len, i);
		else if (s[i] == '{' && depth++ == 0)
			open = line;
		else if (s[i] == '}' && depth > 0)
			depth--;
		for (; i < next; i++)
			line += s[i] == '\n';
	}
	return depth > 0 ? open : 0;
}

/* The line of the last assignment to a top-level key, found by its name
 * at the start of a line; 0 if none.  For an empty list only, of which
 * libconfuse tells nothing. */
static int
conf_key_line(const char *s, size_t len, const char *key)
{
	size_t klen = strlen(key);
	int line = 1, found = 0;

	for (size_t i = 0; i < len; i++) {
		if (i == 0 || s[i - 1] == '\n') {
			const char *p = s + i + strspn(s + i, " \t");

			if (strncmp(p, key, klen) == 0 && p[klen] != '\0' &&
			    strchr(" \t=+", p[klen]) != NULL)
				found = line;
		}
		line += s[i] == '\n';
	}
	return found;
}

/* ---- parsing ----------------------------------------------------------- */

static int
conf_parse_text(cfg_t *cfg, char *text, size_t len)
{
	FILE *fp;
	int rc;

	if (len == 0)
		return 0;		/* fmemopen() may refuse an empty buffer */
	conf_strip_comments(text, len);
	fp = fmemopen(text, len, "r");
	if (fp == NULL) {
		conf_error(0, "%s", strerror(errno));
		return -1;
	}
	rc = cfg_parse_fp(cfg, fp);
	fclose(fp);
	return rc == CFG_SUCCESS ? 0 : -1;
}

/* What no validator can see: an open section, an empty list, and the
 * timeouts rule when the file has no timeouts section. */
static int
conf_check_after(cfg_t *cfg, const char *text, size_t len)
{
	int line = conf_unclosed_brace(text, len);

	if (line > 0) {
		conf_error(line, "this '{' is never closed");
		return -1;
	}
	if (cfg_size(cfg, "bind") == 0) {
		conf_error(conf_key_line(text, len, "bind"),
		    "bind: the list is empty; give at least one address");
		return -1;
	}
	return conf_check_hang(cfg_getsec(cfg, "timeouts"), cfg->line);
}

/* ---- the copy ---------------------------------------------------------- */

static int
conf_copy_bind(cfg_t *cfg, struct conf *out)
{
	size_t n = cfg_size(cfg, "bind");

	out->bind = calloc(n + 1, sizeof(*out->bind));
	if (out->bind == NULL)
		return -1;
	out->nbind = n;
	for (size_t i = 0; i < n; i++) {
		out->bind[i] = strdup(cfg_getnstr(cfg, "bind", (unsigned int)i));
		if (out->bind[i] == NULL)
			return -1;
	}
	return 0;
}

static void
conf_copy_timeouts(cfg_t *t, struct conf_timeouts *out)
{
	out->read = (int)cfg_getint(t, "read");
	out->write = (int)cfg_getint(t, "write");
	out->keepalive = (int)cfg_getint(t, "keepalive");
	out->linger = (int)cfg_getint(t, "linger");
	out->graceful = (int)cfg_getint(t, "graceful");
	out->hang = (int)cfg_getint(t, "hang");
	out->min_rate = (int)cfg_getint(t, "min_rate");
}

/* The absolute directory holding the file: realpath of its dirname. */
static int
conf_copy_dir(const char *path, struct conf *out)
{
	char *copy = strdup(path);
	int saved;

	if (copy == NULL)
		return -1;
	out->dir = realpath(dirname(copy), NULL);
	saved = errno;
	free(copy);
	if (out->dir != NULL)
		return 0;
	conf_error(0, "cannot resolve its directory: %s", strerror(saved));
	return -1;
}

/* root, relative to the file's directory unless absolute. */
static char *
conf_root_path(const char *dir, const char *root)
{
	char *p;

	if (root[0] == '/')
		return strdup(root);
	if (asprintf(&p, "%s/%s", dir, root) < 0)
		return NULL;
	return p;
}

static int
conf_copy_http(cfg_t *h, const char *dir, struct conf_http *out)
{
	struct conf_seen *seen = conf_seen_find(cfg_getopt(h, "root"));

	out->root_line = seen != NULL ? seen->line : 0;
	out->root = conf_root_path(dir, cfg_getstr(h, "root"));
	out->index = strdup(cfg_getstr(h, "index"));
	out->status_path = strdup(cfg_getstr(h, "status_path"));
	out->autoindex = cfg_getbool(h, "autoindex") == cfg_true;
	out->dotfiles = strcmp(cfg_getstr(h, "dotfiles"), "allow") == 0;
	out->keepalive_requests = (int)cfg_getint(h, "keepalive_requests");
	out->max_header_size = (int)cfg_getint(h, "max_header_size");
	return out->root != NULL && out->index != NULL &&
	    out->status_path != NULL ? 0 : -1;
}

static int
conf_copy(cfg_t *cfg, const char *path, struct conf *out)
{
	out->port = (int)cfg_getint(cfg, "port");
	out->workers = (int)cfg_getint(cfg, "workers");
	out->backlog = (int)cfg_getint(cfg, "backlog");
	out->max_requests = cfg_getint(cfg, "max_requests");
	out->max_requests_jitter = cfg_getint(cfg, "max_requests_jitter");
	out->log_level = log_level_parse(cfg_getstr(cfg, "log_level"));
	out->access_log = cfg_getbool(cfg, "access_log") == cfg_true;
	conf_copy_timeouts(cfg_getsec(cfg, "timeouts"), &out->timeouts);
	out->parker.connections = (int)cfg_getint(cfg_getsec(cfg, "parker"),
	    "connections");
	out->path = strdup(path);
	out->service = strdup(cfg_getstr(cfg, "service"));
	out->user = strdup(cfg_getstr(cfg, "user"));
	if (out->path == NULL || out->service == NULL || out->user == NULL ||
	    conf_copy_bind(cfg, out) != 0 || conf_copy_dir(path, out) != 0 ||
	    conf_copy_http(cfg_getsec(cfg, "http"), out->dir,
	    &out->http) != 0) {
		conf_error(0, "%s", strerror(ENOMEM));	/* unless said */
		return -1;
	}
	return 0;
}

/* ---- exported ---------------------------------------------------------- */

static void
conf_run_begin(const char *path, char *err, size_t errlen)
{
	memset(&conf_run, 0, sizeof(conf_run));
	conf_run.path = path;
	conf_run.err = errlen > 0 ? err : NULL;
	conf_run.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
}

int
conf_load(const char *path, struct conf *out, char *err, size_t errlen)
{
	cfg_t *cfg = NULL;
	size_t len = 0;
	char *text;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	conf_run_begin(path, err, errlen);
	text = conf_read(path, &len);
	if (text != NULL)
		cfg = conf_cfg_new();
	if (cfg != NULL && conf_parse_text(cfg, text, len) == 0 &&
	    conf_check_after(cfg, text, len) == 0 &&
	    conf_copy(cfg, path, out) == 0)
		rc = 0;
	if (rc != 0) {
		conf_error(0, "%s", cfg == NULL ? strerror(ENOMEM) : "invalid");
		conf_free(out);
	}
	if (cfg != NULL)
		cfg_free(cfg);
	free(text);
	memset(&conf_run, 0, sizeof(conf_run));
	return rc;
}

void
conf_override(struct conf *cf, const struct conf_overrides *ov)
{
	if (ov->port > 0)
		cf->port = ov->port;
	if (ov->workers > 0)
		cf->workers = ov->workers;
	if (ov->log_level >= 0)
		cf->log_level = ov->log_level;
}

void
conf_free(struct conf *cf)
{
	if (cf == NULL)
		return;
	for (size_t i = 0; cf->bind != NULL && i < cf->nbind; i++)
		free(cf->bind[i]);
	free(cf->bind);
	free(cf->path);
	free(cf->dir);
	free(cf->service);
	free(cf->user);
	free(cf->http.root);
	free(cf->http.index);
	free(cf->http.status_path);
	memset(cf, 0, sizeof(*cf));
}

/* Double-quoted so that libconfuse reads back the same bytes: no ${...}
 * expansion, every control character escaped. */
static void
conf_print_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\' || c == '$')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void
conf_print_str(FILE *fp, const char *key, const char *value)
{
	fprintf(fp, "%s = ", key);
	conf_print_quoted(fp, value);
	fputc('\n', fp);
}

static void
conf_print_bind(FILE *fp, char *const *bind, size_t nbind)
{
	fputs("bind = {", fp);
	for (size_t i = 0; i < nbind; i++) {
		fputs(i > 0 ? ", " : "", fp);
		conf_print_quoted(fp, bind[i]);
	}
	fputs("}\n", fp);
}

static void
conf_print_timeouts(FILE *fp, const struct conf_timeouts *t)
{
	fputs("timeouts {\n", fp);
	fprintf(fp, "\tread = %d\n", t->read);
	fprintf(fp, "\twrite = %d\n", t->write);
	fprintf(fp, "\tkeepalive = %d\n", t->keepalive);
	fprintf(fp, "\tlinger = %d\n", t->linger);
	fprintf(fp, "\tgraceful = %d\n", t->graceful);
	fprintf(fp, "\thang = %d\n", t->hang);
	fprintf(fp, "\tmin_rate = %d\n", t->min_rate);
	fputs("}\n", fp);
}

static void
conf_print_http(FILE *fp, const struct conf_http *h)
{
	fputs("http {\n\t", fp);
	conf_print_str(fp, "root", h->root);
	fputc('\t', fp);
	conf_print_str(fp, "index", h->index);
	fprintf(fp, "\tautoindex = %s\n", h->autoindex ? "true" : "false");
	fprintf(fp, "\tdotfiles = %s\n", h->dotfiles ? "allow" : "deny");
	fprintf(fp, "\tkeepalive_requests = %d\n", h->keepalive_requests);
	fprintf(fp, "\tmax_header_size = %d\n", h->max_header_size);
	fputc('\t', fp);
	conf_print_str(fp, "status_path", h->status_path);
	fputs("}\n", fp);
}

void
conf_print(const struct conf *cf, FILE *fp)
{
	fprintf(fp, "port = %d\n", cf->port);
	conf_print_bind(fp, cf->bind, cf->nbind);
	fprintf(fp, "workers = %d\n", cf->workers);
	conf_print_str(fp, "service", cf->service);
	conf_print_str(fp, "user", cf->user);
	fprintf(fp, "backlog = %d\n", cf->backlog);
	fprintf(fp, "max_requests = %ld\n", cf->max_requests);
	fprintf(fp, "max_requests_jitter = %ld\n", cf->max_requests_jitter);
	conf_print_str(fp, "log_level", log_level_name(cf->log_level));
	fprintf(fp, "access_log = %s\n", cf->access_log ? "true" : "false");
	conf_print_timeouts(fp, &cf->timeouts);
	conf_print_http(fp, &cf->http);
	fprintf(fp, "parker {\n\tconnections = %d\n}\n",
	    cf->parker.connections);
}
