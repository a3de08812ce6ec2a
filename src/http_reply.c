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

bool
http_reply_field_str(struct http_reply *rp, const char *name,
    const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);
	char *p = rp->fields + rp->fields_len;

	if (nlen + vlen + 4 >= sizeof(rp->fields) - rp->fields_len) {
		rp->fields_full = true;
		return false;
	}
	memcpy(p, name, nlen);
	memcpy(p + nlen, ": ", 2);
	memcpy(p + nlen + 2, value, vlen);
	memcpy(p + nlen + 2 + vlen, "\r\n", 3);
	rp->fields_len += nlen + vlen + 4;
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

/* A head being built: what does not fit sets full, and nothing else is
 * added. */
struct http_head {
	char *buf;
	size_t len;
	size_t n;
	bool full;
};

static void
http_head_add(struct http_head *h, const char *s, size_t len)
{
	if (h->full || len >= h->len - h->n) {	/* room for a NUL too */
		h->full = true;
		return;
	}
	memcpy(h->buf + h->n, s, len);
	h->n += len;
}

static void
http_head_str(struct http_head *h, const char *s)
{
	http_head_add(h, s, strlen(s));
}

static void
http_head_u64(struct http_head *h, uint64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do
		digits[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	http_head_add(h, digits + i, sizeof(digits) - i);
}

size_t
http_reply_head(const struct http_reply *rp, int minor, bool keep,
    char *buf, size_t len)
{
	struct http_head h = { buf, len, 0, len == 0 };
	char status[] = "HTTP/1.1 000 ";
	unsigned code = (unsigned)rp->status % 1000;

	/* Built from pieces, no format: nothing is cut in the middle of a
	 * line, the whole head fits or the answer is 0. */
	status[7] = minor == 0 ? '0' : '1';
	status[9] = (char)('0' + code / 100);
	status[10] = (char)('0' + code / 10 % 10);
	status[11] = (char)('0' + code % 10);
	http_head_add(&h, status, sizeof(status) - 1);
	http_head_str(&h, http_reason(rp->status));
	http_head_add(&h, "\r\nDate: ", 8);
	http_head_add(&h, http_reply_date(), HTTP_DATE_LEN);
	http_head_str(&h, "\r\nServer: " HTTP_SERVER "\r\n");
	http_head_add(&h, rp->fields, rp->fields_len);
	if (rp->content_type != NULL) {
		http_head_add(&h, "Content-Type: ", 14);
		http_head_str(&h, rp->content_type);
		http_head_add(&h, "\r\n", 2);
	}
	if (!rp->no_length) {
		http_head_add(&h, "Content-Length: ", 16);
		http_head_u64(&h, rp->length);
		http_head_add(&h, "\r\n", 2);
	}
	if (!keep)
		http_head_str(&h, "Connection: close\r\n");
	else if (minor == 0)
		http_head_str(&h, "Connection: keep-alive\r\n");
	http_head_add(&h, "\r\n", 2);
	return h.full ? 0 : h.n;
}
