/*
 * http_parse - the HTTP/1.x request head: status codes and the parser.
 *
 * Pure and bounded: no allocation, no syscalls.  The parser reads one
 * request head (request line and header fields, up to the empty line) at
 * the start of a buffer and fills a struct http_request whose strings point
 * into that buffer (not NUL-terminated: pointer and length).  It returns
 * the HTTP status to act on, so an error is already the reply (as in
 * quark): HTTP_OK when the head is complete and acceptable, 0 when more
 * bytes are needed, any other status for a request that must be refused
 * (the caller answers it and closes the connection).  r->head_len tells
 * where the head ends, so bytes after it (a pipelined request) are kept.
 *
 * Rules (RFC 9110/9112, strict where leniency could be abused):
 * - request line: METHOD SP request-target SP HTTP-version, single spaces;
 *   method a token (else 400); GET and HEAD served, any other well-formed
 *   method 405 once the whole head shows sound framing (below); target in
 *   origin-form ("/path?query") or absolute-form ("http://host/path?query";
 *   its path is used); anything else 400; version "HTTP/1.0" or
 *   "HTTP/1.1"; "HTTP/1.x" with a single digit x > 1 is 1.1; another major
 *   digit 505; anything else 400.
 * - lines end in CRLF or a bare LF; a bare CR anywhere is 400; a NUL or
 *   other control character (except HTAB in field values) is 400.
 * - a request line longer than max_header_size: 414; the whole head
 *   longer than max_header_size: 431.  Both are known before the head is
 *   complete.
 * - field: token ":" OWS value OWS; whitespace before the colon 400;
 *   obs-fold (a line starting with SP or HTAB) 400.
 * - Host: uri-host [":" port] (RFC 3986) or empty; HTTP/1.1 without Host,
 *   more than one Host, or an invalid value (in any version): 400.
 * - framing, judged before the method, whatever the method (RFC 9112
 *   sections 6.1 and 6.3): Content-Length digits only, at most one (else
 *   400).  Transfer-Encoding in HTTP/1.0, with Content-Length, with
 *   chunked not the single final coding, or with an element that is no
 *   coding: 400; a sound list with another coding than chunked
 *   ("gzip, chunked"): 501; a sound chunked body: the method decides (405
 *   for another, 501 for GET and HEAD, whose body is never taken).  A
 *   non-zero length or a chunked body sets has_body (the caller answers
 *   and closes, so the body is never taken for a request).
 * - Connection: comma-separated tokens, case-insensitive; "close" and
 *   "keep-alive" are noted.  Field names are case-insensitive.
 * - Range, If-Modified-Since, If-None-Match: the last one given is kept,
 *   its value without surrounding whitespace.
 * Fields parsed before an error stay set in r (e.g. the method and target
 * for the access log of a 405).
 */
#ifndef PREFORKD_HTTP_PARSE_H
#define PREFORKD_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum http_status {
	HTTP_INCOMPLETE = 0,		/* parser: more bytes needed */
	HTTP_OK = 200,
	HTTP_PARTIAL_CONTENT = 206,
	HTTP_MOVED_PERMANENTLY = 301,
	HTTP_NOT_MODIFIED = 304,
	HTTP_BAD_REQUEST = 400,
	HTTP_FORBIDDEN = 403,
	HTTP_NOT_FOUND = 404,
	HTTP_METHOD_NOT_ALLOWED = 405,
	HTTP_REQUEST_TIMEOUT = 408,
	HTTP_URI_TOO_LONG = 414,
	HTTP_RANGE_NOT_SATISFIABLE = 416,
	HTTP_HEADERS_TOO_LARGE = 431,
	HTTP_INTERNAL_ERROR = 500,
	HTTP_NOT_IMPLEMENTED = 501,
	HTTP_VERSION_NOT_SUPPORTED = 505,
};

/* "OK", "Not Found", ...; "Unknown" for any other number. */
const char *http_reason(int status);

enum http_method {
	HTTP_METHOD_NONE = 0,	/* not parsed (yet) */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_OTHER,	/* well-formed, not served: 405 */
};

/* A piece of the request buffer: not NUL-terminated.  ptr NULL: absent. */
struct http_str {
	const char *ptr;
	size_t len;
};

struct http_request {
	enum http_method method;
	struct http_str method_name;	/* the token as sent */
	struct http_str target;		/* the request-target as sent */
	struct http_str path;		/* its path: "/..." (still encoded) */
	struct http_str query;		/* after '?', without it */
	int version_minor;		/* 0 or 1 (after the 1.x rule) */
	bool version_known;		/* the version was parsed */
	struct http_str host;
	bool conn_close;		/* Connection: close */
	bool conn_keep_alive;		/* Connection: keep-alive */
	bool has_body;			/* Content-Length > 0 */
	struct http_str range;
	struct http_str if_modified_since;
	struct http_str if_none_match;
	size_t head_len;		/* bytes up to and with the empty line */
};

/*
 * Parses the request head at the start of buf[0..len).  Returns HTTP_OK
 * (complete, r filled, r->head_len set), HTTP_INCOMPLETE (need more;
 * never when the bytes so far already break a rule or a limit), or the
 * error status to answer.  r is zeroed first.
 */
int http_parse_request(const char *buf, size_t len, size_t max_header_size,
    struct http_request *r);

/* Case-insensitive comparison of a piece with a NUL-terminated word. */
bool http_str_eq(struct http_str s, const char *word);

#endif
