/*
 * http_reply - response heads, error pages and the Date cache.
 *
 * The Date value is formatted once a second at most: every response needs
 * it, and the wall clock (vDSO) is far cheaper than formatting.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http_date.h"
#include "http_parse.h"
#include "http_reply.h"

#define HTTP_SERVER	"preforkd/" PACKAGE_VERSION

void
http_reply_init(struct http_reply *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->body_fd = -1;
}

void
http_reply_done(struct http_reply *rp)
{
	if (rp->body_fd >= 0 && !rp->body_fd_kept)
		(void)close(rp->body_fd);
	if (rp->body_owned)
		free(rp->body);
	rp->body_fd = -1;
	rp->body = NULL;
	rp->body_owned = false;
}

bool
http_reply_field(struct http_reply *rp, const char *name, const char *fmt,
    ...)
{
	size_t room = sizeof(rp->fields) - rp->fields_len;
	char *p = rp->fields + rp->fields_len;
	va_list ap;
	int n, m;

	n = snprintf(p, room, "%s: ", name);
	if (n < 0 || (size_t)n >= room) {
		rp->fields_full = true;
		return false;
	}
	va_start(ap, fmt);
	m = vsnprintf(p + n, room - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m + 2) >= room) {
		rp->fields_full = true;
		p[0] = '\0';
		return false;
	}
	memcpy(p + n + m, "\r\n", 3);
	rp->fields_len += (size_t)(n + m + 2);
	return true;
}

void
http_reply_body(struct http_reply *rp, int status, const char *type,
    char *body, size_t len, bool owned)
{
	rp->status = status;
	rp->content_type = type;
	rp->body = body;
	rp->body_owned = owned;
	rp->length = len;
}

void
http_reply_error(struct http_reply *rp, int status)
{
	static char page[256];
	int n;

	http_reply_done(rp);
	n = snprintf(page, sizeof(page), "<!DOCTYPE html>\n<html><head>"
	    "<title>%d %s</title></head>\n<body><h1>%d %s</h1></body>"
	    "</html>\n", status, http_reason(status), status,
	    http_reason(status));
	http_reply_body(rp, status, HTTP_HTML, page,
	    n > 0 ? (size_t)n : 0, false);
	if (status >= 400 && status != HTTP_NOT_FOUND &&
	    status != HTTP_FORBIDDEN && status != HTTP_RANGE_NOT_SATISFIABLE)
		rp->close = true;
}

/* The current IMF-fixdate, formatted at most once a second. */
static const char *
http_reply_date(void)
{
	static char date[HTTP_DATE_LEN + 1];
	static time_t at = -1;
	time_t now = time(NULL);

	if (now != at) {
		http_date_format(now, date);
		at = now;
	}
	return date;
}

size_t
http_reply_head(const struct http_reply *rp, int minor, bool keep,
    char *buf, size_t len)
{
	const char *type = rp->content_type;
	const char *conn = !keep ? "Connection: close\r\n" :
	    minor == 0 ? "Connection: keep-alive\r\n" : "";
	int n;

	/* One format: nothing is cut in the middle of a line, the whole head
	 * fits or the answer is 0. */
	n = snprintf(buf, len, "HTTP/1.%d %d %s\r\nDate: %s\r\nServer: %s\r\n"
	    "%.*s%s%s%s", minor, rp->status, http_reason(rp->status),
	    http_reply_date(), HTTP_SERVER, (int)rp->fields_len, rp->fields,
	    type != NULL ? "Content-Type: " : "", type != NULL ? type : "",
	    type != NULL ? "\r\n" : "");
	if (n >= 0 && (size_t)n < len && !rp->no_length)
		n += snprintf(buf + n, len - (size_t)n,
		    "Content-Length: %llu\r\n", (unsigned long long)rp->length);
	if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "%s\r\n", conn);
	if (n < 0 || (size_t)n >= len)
		return 0;
	return (size_t)n;
}
