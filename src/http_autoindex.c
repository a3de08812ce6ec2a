/*
 * http_autoindex - the HTML listing of a directory (http.autoindex).
 *
 * Entries are read with scandirat() relative to the open directory and
 * sorted by name; names beginning with '.' are not shown (dotfiles are
 * usually private: .git, .htpasswd).  Every name is percent-encoded in its
 * link and HTML-escaped in its text, so no file name can inject markup.
 * A directory is shown with a trailing '/', a file with its size and date.
 * A symlink is not followed here (it may lead out of the root, and its
 * target's size or date is none of the client's business): it is shown by
 * name only, and following its link resolves it beneath the root like any
 * request.  At most HTTP_AUTOINDEX_MAX entries are listed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "http_chars.h"

#define HTTP_AUTOINDEX_MAX	10000

/* A string literal, its length counted by the compiler. */
#define http_buf_lit(b, s)	http_buf_add((b), (s), sizeof(s) - 1)

struct http_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void
http_buf_add(struct http_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
http_buf_printf(struct http_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = true;
		return;
	}
	http_buf_add(b, tmp, (size_t)n);
}

/* Text: & < > " ' escaped. */
static void
http_buf_html(struct http_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': http_buf_lit(b, "&amp;"); break;
		case '<': http_buf_lit(b, "&lt;"); break;
		case '>': http_buf_lit(b, "&gt;"); break;
		case '"': http_buf_lit(b, "&quot;"); break;
		case '\'': http_buf_lit(b, "&#39;"); break;
		default: http_buf_add(b, &s[i], 1); break;
		}
	}
}

/* A link target: everything but unreserved characters percent-encoded. */
static void
http_buf_url(struct http_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		char esc[3];

		if (http_char_is_unreserved(*s)) {
			http_buf_add(b, s, 1);
		} else {
			http_char_pct_encode((unsigned char)*s, esc);
			http_buf_add(b, esc, 3);
		}
	}
}

static int
http_autoindex_shown(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void
http_autoindex_entry(struct http_buf *b, int dirfd, const char *name)
{
	struct stat st;
	char when[32] = "-", size[32] = "-";
	struct tm tm;
	bool known, dir;

	known = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISLNK(st.st_mode);
	dir = known && S_ISDIR(st.st_mode);
	if (known && gmtime_r(&st.st_mtim.tv_sec, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	if (known && !dir)
		snprintf(size, sizeof(size), "%lld", (long long)st.st_size);
	http_buf_lit(b, "<tr><td><a href=\"");
	http_buf_url(b, name);
	http_buf_add(b, dir ? "/\">" : "\">", dir ? 3 : 2);
	http_buf_html(b, name, strlen(name));
	http_buf_add(b, dir ? "/" : "", dir ? 1 : 0);
	http_buf_printf(b, "</a></td><td>%s</td><td>%s</td></tr>\n", size,
	    when);
}

void
http_autoindex_reply(int dirfd, struct http_str shown, struct http_reply *rp)
{
	struct dirent **names = NULL;
	struct http_buf b = { NULL, 0, 0, false };
	int n = scandirat(dirfd, ".", &names, http_autoindex_shown, alphasort);

	if (n < 0) {
		int status = errno == EACCES ? HTTP_FORBIDDEN :
		    HTTP_INTERNAL_ERROR;

		(void)close(dirfd);
		http_reply_error(rp, status);
		return;
	}
	http_buf_lit(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Index of ");
	http_buf_html(&b, shown.ptr, shown.len);
	http_buf_lit(&b, "</title></head>\n<body><h1>Index of ");
	http_buf_html(&b, shown.ptr, shown.len);
	http_buf_lit(&b, "</h1>\n<table>\n<tr><th>Name</th><th>Size</th>"
	    "<th>Modified (UTC)</th></tr>\n");
	if (shown.len > 1)
		http_buf_lit(&b, "<tr><td><a href=\"../\">../</a></td><td>-</td>"
		    "<td></td></tr>\n");
	for (int i = 0; i < n; i++) {
		if (i < HTTP_AUTOINDEX_MAX)
			http_autoindex_entry(&b, dirfd, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	if (n > HTTP_AUTOINDEX_MAX)
		http_buf_printf(&b, "<tr><td colspan=\"3\">(%d more not shown)"
		    "</td></tr>\n", n - HTTP_AUTOINDEX_MAX);
	http_buf_lit(&b, "</table>\n</body></html>\n");
	(void)close(dirfd);
	if (b.failed) {
		free(b.p);
		http_reply_error(rp, HTTP_INTERNAL_ERROR);
		return;
	}
	http_reply_body(rp, HTTP_OK, HTTP_HTML, b.p, b.len, true);
}
