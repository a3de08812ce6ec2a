/*
 * http_reply - one HTTP response: status, header fields, body.
 *
 * The handlers (files, directories, the status page, errors) fill a
 * struct http_reply; the connection driver (http.c) adds the fields every
 * response carries (Date, Server, Content-Length, Connection), writes the
 * head into one buffer and sends head and body together.  A body is a
 * file range (sent with sendfile) or bytes in memory (an error page, a
 * listing, the status page).
 */
#ifndef PREFORKD_HTTP_REPLY_H
#define PREFORKD_HTTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTP_FIELDS_MAX		1024	/* the handler's own header fields */
#define HTTP_HEAD_MAX		2048	/* the whole response head */
#define HTTP_HTML		"text/html; charset=utf-8"

struct http_reply {
	int status;
	const char *content_type;	/* NULL: no body, no Content-Type */
	char fields[HTTP_FIELDS_MAX];	/* "Name: value\r\n"... */
	size_t fields_len;
	bool fields_full;		/* a field did not fit: not sent */
	bool no_length;			/* 304: no Content-Length */
	bool close;			/* the connection ends after this */
	uint64_t length;		/* of the body (also for HEAD) */
	int body_fd;			/* file body, or -1 */
	bool body_fd_kept;		/* not ours to close (cached) */
	off_t body_offset;
	char *body;			/* memory body, or NULL */
	bool body_owned;		/* free(body) when done */
};

void http_reply_init(struct http_reply *rp);
/* Releases the body: closes body_fd, frees an owned body. */
void http_reply_done(struct http_reply *rp);

/*
 * Appends "name: value\r\n" (value printf-style).  false when it does not
 * fit in HTTP_FIELDS_MAX: the reply is then marked fields_full and is
 * never sent as it is (the driver refuses it); a handler whose field may
 * be long starts over with http_reply_init() and another answer.
 */
bool http_reply_field(struct http_reply *rp, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with a plain value, without formatting. */
bool http_reply_field_str(struct http_reply *rp, const char *name,
    const char *value);

/* A memory body of len bytes; owned: freed by http_reply_done. */
void http_reply_body(struct http_reply *rp, int status, const char *type,
    char *body, size_t len, bool owned);

/* An error page: a small HTML body naming the status; closes the
 * connection for every status >= 400 except 404, 403 and 416.  Fields
 * already added stay (Location for 301, Content-Range for 416). */
void http_reply_error(struct http_reply *rp, int status);

/*
 * Writes the head: status line for HTTP/1.minor, Date, Server, the
 * handler's fields, Content-Type and Content-Length, Connection (close,
 * or keep-alive for an HTTP/1.0 client that keeps it), the empty line.
 * Returns its length, or 0 if it does not fit in len.
 */
size_t http_reply_head(const struct http_reply *rp, int minor, bool keep,
    char *buf, size_t len);

#endif
