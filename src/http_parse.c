/*
 * http_parse - the HTTP/1.x request head: status codes and the parser.
 *
 * Owns nothing: one left-to-right pass over the buffer, no allocation, no
 * state kept between calls (the caller parses again from the start when
 * more bytes arrive; the head is bounded by max_header_size, so that stays
 * cheap).  Because every rule is checked at the first byte that breaks it
 * and the scan never looks beyond min(len, max_header_size), a refusal is
 * final: more bytes give the same status, and a complete head gives the
 * same head_len whatever follows it (a pipelined request).
 *
 * Decisions the header leaves open:
 * - a request line and a head may both use up to max_header_size bytes,
 *   line ends included; running out of room inside the request line is
 *   414, anywhere after it 431.
 * - checks on a complete request line, in order: the version (505 for a
 *   major other than 1), then for GET and HEAD the form of the target
 *   (400).  Another method is 405 after the fields (Host and the framing
 *   first), whatever its target: so "OPTIONS *" and "CONNECT host:443"
 *   are 405, "GET *" is 400.
 * - no empty line is skipped before the request line: it is 400.
 * - '#' anywhere in the target is 400 (a client never sends a fragment).
 * - absolute-form: "http://" or "https://" (any case), a non-empty
 *   authority without userinfo ('@' is 400), then an optional path and
 *   query.  An empty path is "/": r->path points at the last '/' of "://",
 *   so every string in r stays inside the head.  The authority is
 *   checked as a Host value is.  As RFC 9112 section 3.2.2
 *   asks, r->host is then the target's authority, not the Host field
 *   (which HTTP/1.1 must still send, once).
 * - field values may hold obs-text (bytes 0x80-0xFF); field names and the
 *   target may not.
 * - Content-Length up to 2^63 - 1; more is 400.  A Connection element that
 *   is neither "close" nor "keep-alive" is ignored, whatever it holds.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http_chars.h"
#include "http_parse.h"

/* Where the scan is, and whether running out of bytes is a limit. */
struct http_scan {
	const char *buf;
	size_t p;		/* the next byte to look at */
	size_t lim;		/* min(len, max_header_size) */
	bool capped;		/* lim is max_header_size: no more will come */
};

const char *
http_reason(int status)
{
	switch (status) {
	case HTTP_OK:
		return "OK";
	case HTTP_PARTIAL_CONTENT:
		return "Partial Content";
	case HTTP_MOVED_PERMANENTLY:
		return "Moved Permanently";
	case HTTP_NOT_MODIFIED:
		return "Not Modified";
	case HTTP_BAD_REQUEST:
		return "Bad Request";
	case HTTP_FORBIDDEN:
		return "Forbidden";
	case HTTP_NOT_FOUND:
		return "Not Found";
	case HTTP_METHOD_NOT_ALLOWED:
		return "Method Not Allowed";
	case HTTP_REQUEST_TIMEOUT:
		return "Request Timeout";
	case HTTP_URI_TOO_LONG:
		return "URI Too Long";
	case HTTP_RANGE_NOT_SATISFIABLE:
		return "Range Not Satisfiable";
	case HTTP_HEADERS_TOO_LARGE:
		return "Request Header Fields Too Large";
	case HTTP_INTERNAL_ERROR:
		return "Internal Server Error";
	case HTTP_NOT_IMPLEMENTED:
		return "Not Implemented";
	case HTTP_VERSION_NOT_SUPPORTED:
		return "HTTP Version Not Supported";
	}
	return "Unknown";
}

bool
http_str_eq(struct http_str s, const char *word)
{
	size_t n = strlen(word);

	return s.ptr != NULL && s.len == n && http_chars_caseeq(s.ptr, word, n);
}

/* Visible ASCII; '#' too would be, but a fragment is never sent. */
static bool
http_is_target_char(char c)
{
	return c >= 0x21 && c <= 0x7e && c != '#';
}

static struct http_str
http_trim(const char *p, size_t len)
{
	struct http_str s;

	while (len > 0 && http_char_is_ows(p[0])) {
		p++;
		len--;
	}
	while (len > 0 && http_char_is_ows(p[len - 1]))
		len--;
	s.ptr = p;
	s.len = len;
	return s;
}

static struct http_str
http_piece(const char *p, size_t len)
{
	struct http_str s = { p, len };

	return s;
}

/* Out of bytes: a wait while the limit is not reached, else the limit. */
static int
http_more(const struct http_scan *s, int limit_status)
{
	return s->capped ? limit_status : HTTP_INCOMPLETE;
}

/*
 * Consumes the line end at s->p: CRLF or a bare LF.  A CR must be followed
 * by LF; smuggling tricks live in the difference between parsers that
 * treat a lone CR as a line end and those that do not.
 */
static int
http_line_end(struct http_scan *s, int limit_status)
{
	if (s->p == s->lim)
		return http_more(s, limit_status);
	if (s->buf[s->p] == '\r') {
		if (s->p + 1 == s->lim)
			return http_more(s, limit_status);
		if (s->buf[s->p + 1] != '\n')
			return HTTP_BAD_REQUEST;
		s->p += 2;
		return HTTP_OK;
	}
	if (s->buf[s->p] != '\n')
		return HTTP_BAD_REQUEST;
	s->p++;
	return HTTP_OK;
}

/* RFC 3986 unreserved / sub-delims: what a reg-name holds besides "%HH". */
static bool
http_is_host_char(char c)
{
	return http_char_is_unreserved(c) ||
	    (c != '\0' && strchr("!$&'()*+,;=", c) != NULL);
}

/*
 * uri-host [ ":" port ] (RFC 3986 section 3.2.2, RFC 9112 section 3.2):
 * an IP-literal in brackets (hex digits, ':', '.', and what IPvFuture and
 * a zone may hold), or a reg-name or IPv4 address (unreserved,
 * sub-delims, "%HH"); then digits after one colon.  Empty as a whole is
 * valid (a client with no authority sends "Host:"), an empty host before
 * a port is not (RFC 9110 section 4.2.1: an http URI has a host).
 */
static bool
http_host_valid(struct http_str v)
{
	const char *p = v.ptr;
	size_t n = v.len, i = 0;

	if (n == 0)
		return true;
	if (p[0] == '[') {
		for (i = 1; i < n && p[i] != ']'; i++)
			if (!http_is_host_char(p[i]) && p[i] != ':' &&
			    p[i] != '%')
				return false;
		if (i == n || i == 1)
			return false;
		i++;
	} else {
		for (; i < n && p[i] != ':'; i++) {
			if (p[i] == '%') {
				if (i + 2 >= n || http_char_hex(p[i + 1]) < 0 ||
				    http_char_hex(p[i + 2]) < 0)
					return false;
				i += 2;
			} else if (!http_is_host_char(p[i])) {
				return false;
			}
		}
		if (i == 0)
			return false;
	}
	if (i == n)
		return true;
	if (p[i] != ':')
		return false;
	for (i++; i < n; i++)
		if (!http_char_is_digit(p[i]))
			return false;
	return true;
}

/*
 * Splits the target into path and query.  false: neither origin-form nor
 * a usable absolute-form (the caller decides between 400 and 405).
 */
static bool
http_split_target(struct http_request *r, struct http_str *authority)
{
	const char *t = r->target.ptr;
	size_t len = r->target.len, i, skip = 0, path;

	authority->ptr = NULL;
	authority->len = 0;
	if (t[0] == '/') {
		path = 0;
	} else {
		if (len >= 7 && http_str_eq(http_piece(t, 7), "http://"))
			skip = 7;
		else if (len >= 8 && http_str_eq(http_piece(t, 8), "https://"))
			skip = 8;
		else
			return false;
		for (i = skip; i < len && t[i] != '/' && t[i] != '?'; i++)
			if (t[i] == '@')
				return false;
		if (i == skip)
			return false;
		*authority = http_piece(t + skip, i - skip);
		if (!http_host_valid(*authority))
			return false;
		path = i;
	}
	for (i = path; i < len && t[i] != '?'; i++)
		continue;
	if (i == path)
		r->path = http_piece(t + skip - 1, 1);	/* the '/' of "://" */
	else
		r->path = http_piece(t + path, i - path);
	if (i < len)
		r->query = http_piece(t + i + 1, len - i - 1);
	return true;
}

/* METHOD SP request-target SP HTTP-version, and what it implies. */
static int
http_request_line(struct http_scan *s, struct http_request *r,
    struct http_str *authority)
{
	static const char version[] = "HTTP/9.9";	/* 9: any digit */
	const char *b = s->buf;
	size_t p = 0, start;
	int status;
	bool form_ok;

	while (p < s->lim && http_char_is_tchar(b[p]))
		p++;
	if (p == s->lim)
		return http_more(s, HTTP_URI_TOO_LONG);
	if (b[p] != ' ' || p == 0)
		return HTTP_BAD_REQUEST;
	r->method_name = http_piece(b, p);
	/* methods are case-sensitive: "get" is some other method */
	if (p == 3 && memcmp(b, "GET", 3) == 0)
		r->method = HTTP_METHOD_GET;
	else if (p == 4 && memcmp(b, "HEAD", 4) == 0)
		r->method = HTTP_METHOD_HEAD;
	else
		r->method = HTTP_METHOD_OTHER;

	start = ++p;
	while (p < s->lim && http_is_target_char(b[p]))
		p++;
	if (p == s->lim)
		return http_more(s, HTTP_URI_TOO_LONG);
	if (b[p] != ' ' || p == start)
		return HTTP_BAD_REQUEST;
	r->target = http_piece(b + start, p - start);

	start = ++p;
	for (size_t k = 0; k < sizeof(version) - 1; k++, p++) {
		if (p == s->lim)
			return http_more(s, HTTP_URI_TOO_LONG);
		if (version[k] == '9' ? !http_char_is_digit(b[p]) :
		    b[p] != version[k])
			return HTTP_BAD_REQUEST;
	}
	s->p = p;
	if ((status = http_line_end(s, HTTP_URI_TOO_LONG)) != HTTP_OK)
		return status;

	if (b[start + 5] != '1')
		return HTTP_VERSION_NOT_SUPPORTED;
	r->version_known = true;
	r->version_minor = b[start + 7] == '0' ? 0 : 1;
	form_ok = http_split_target(r, authority);
	/* another method is told 405 only once the head shows sound framing */
	if (r->method == HTTP_METHOD_OTHER)
		return HTTP_OK;
	return form_ok ? HTTP_OK : HTTP_BAD_REQUEST;
}

/* 1*DIGIT, at most 2^63 - 1. */
static bool
http_content_length(struct http_str v, uint64_t *n)
{
	uint64_t x = 0;

	if (v.len == 0)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned d;

		if (!http_char_is_digit(v.ptr[i]))
			return false;
		d = (unsigned)(v.ptr[i] - '0');
		if (x > ((uint64_t)INT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*n = x;
	return true;
}

/* #token: only the two connection options the server acts on matter. */
static void
http_connection(struct http_request *r, struct http_str v)
{
	size_t i = 0, start;

	while (i <= v.len) {
		struct http_str e;

		for (start = i; i < v.len && v.ptr[i] != ','; i++)
			continue;
		e = http_trim(v.ptr + start, i - start);
		if (http_str_eq(e, "close"))
			r->conn_close = true;
		else if (http_str_eq(e, "keep-alive"))
			r->conn_keep_alive = true;
		i++;			/* past the ',' (or the end) */
	}
}

/* What the fields said about the framing, judged once the head is whole. */
struct http_seen {
	bool host;
	bool content_length;
	bool transfer_encoding;	/* the field was given (any number of times) */
	bool te_malformed;	/* an element that is no coding, chunked twice
				   or with parameters */
	bool te_chunked;	/* chunked was given */
	bool te_chunked_last;	/* and the last coding so far is chunked */
	bool te_other;		/* a coding other than chunked */
};

/*
 * Transfer-Encoding: #transfer-coding, each a token with optional
 * parameters; several fields make one list.  Only where chunked stands
 * matters for the framing: a request's body length is known only when
 * chunked is the final coding, applied once (RFC 9112 sections 6.1, 6.3).
 */
static void
http_transfer_encoding(struct http_seen *seen, struct http_str v)
{
	size_t i = 0, start;

	seen->transfer_encoding = true;
	while (i <= v.len) {
		struct http_str e, name;
		size_t k;

		for (start = i; i < v.len && v.ptr[i] != ','; i++)
			continue;
		e = http_trim(v.ptr + start, i - start);
		i++;			/* past the ',' (or the end) */
		if (e.len == 0)
			continue;	/* empty list elements are allowed */
		for (k = 0; k < e.len && http_char_is_tchar(e.ptr[k]); k++)
			continue;
		name = http_piece(e.ptr, k);
		if (k == 0 || (k < e.len && http_trim(e.ptr + k,
		    e.len - k).ptr[0] != ';')) {
			seen->te_malformed = true;
		} else if (http_str_eq(name, "chunked")) {
			if (seen->te_chunked || k < e.len)
				seen->te_malformed = true;
			seen->te_chunked = seen->te_chunked_last = true;
		} else {
			seen->te_other = true;
			seen->te_chunked_last = false;
		}
	}
}

/*
 * The framing of a whole head, before the method is judged: a wrong
 * framing decision is how a request is smuggled past a proxy.
 * Transfer-Encoding in HTTP/1.0, with Content-Length, or without chunked
 * as its single final coding is 400; a coding other than chunked that
 * leaves the framing sound is 501 (not understood).  HTTP_OK otherwise.
 */
static int
http_framing(struct http_request *r, const struct http_seen *seen)
{
	if (!seen->transfer_encoding)
		return HTTP_OK;
	if (r->version_minor == 0 || seen->content_length ||
	    seen->te_malformed || !seen->te_chunked_last)
		return HTTP_BAD_REQUEST;
	r->has_body = true;
	return seen->te_other ? HTTP_NOT_IMPLEMENTED : HTTP_OK;
}

/* Is s the literal field name lit?  (Lengths first: no strlen, and most
 * names are told apart by their length alone.) */
#define HTTP_NAME_IS(s, lit) \
	((s).len == sizeof(lit) - 1 && \
	    http_chars_caseeq((s).ptr, (lit), sizeof(lit) - 1))

static int
http_field(struct http_request *r, struct http_seen *seen,
    struct http_str name, struct http_str value)
{
	uint64_t n;

	if (HTTP_NAME_IS(name, "Host")) {
		if (seen->host || !http_host_valid(value))
			return HTTP_BAD_REQUEST;
		seen->host = true;
		r->host = value;
	} else if (HTTP_NAME_IS(name, "Transfer-Encoding")) {
		http_transfer_encoding(seen, value);
		/* faults no later field can mend, told at once */
		if (r->version_minor == 0 || seen->content_length ||
		    seen->te_malformed ||
		    (seen->te_chunked && !seen->te_chunked_last))
			return HTTP_BAD_REQUEST;
	} else if (HTTP_NAME_IS(name, "Content-Length")) {
		/* even an equal second one: smuggling hides in lengths */
		if (seen->content_length || seen->transfer_encoding ||
		    !http_content_length(value, &n))
			return HTTP_BAD_REQUEST;
		seen->content_length = true;
		r->has_body = n > 0;
	} else if (HTTP_NAME_IS(name, "Connection")) {
		http_connection(r, value);
	} else if (HTTP_NAME_IS(name, "Range")) {
		r->range = value;
	} else if (HTTP_NAME_IS(name, "If-Modified-Since")) {
		r->if_modified_since = value;
	} else if (HTTP_NAME_IS(name, "If-None-Match")) {
		r->if_none_match = value;
	}
	return HTTP_OK;
}

/* field-name ":" OWS field-value OWS line-end */
static int
http_field_line(struct http_scan *s, struct http_request *r,
    struct http_seen *seen)
{
	const char *b = s->buf;
	size_t p = s->p, start = s->p, vstart;
	struct http_str name;
	unsigned char c;
	int status;

	/* a leading SP or HTAB (obs-fold) fails here, as does "Name :" */
	while (p < s->lim && http_char_is_tchar(b[p]))
		p++;
	if (p == s->lim)
		return http_more(s, HTTP_HEADERS_TOO_LARGE);
	if (b[p] != ':' || p == start)
		return HTTP_BAD_REQUEST;
	name = http_piece(b + start, p - start);

	vstart = ++p;
	for (; p < s->lim; p++) {
		c = (unsigned char)b[p];
		if (c == '\r' || c == '\n')
			break;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return HTTP_BAD_REQUEST;
	}
	s->p = p;
	if ((status = http_line_end(s, HTTP_HEADERS_TOO_LARGE)) != HTTP_OK)
		return status;
	return http_field(r, seen, name, http_trim(b + vstart, p - vstart));
}

int
http_parse_request(const char *buf, size_t len, size_t max_header_size,
    struct http_request *r)
{
	struct http_scan s;
	struct http_seen seen;
	struct http_str authority = { NULL, 0 };
	int status;

	memset(r, 0, sizeof(*r));
	memset(&seen, 0, sizeof(seen));
	s.buf = buf;
	s.p = 0;
	s.capped = len >= max_header_size;
	s.lim = s.capped ? max_header_size : len;

	if ((status = http_request_line(&s, r, &authority)) != HTTP_OK)
		return status;
	for (;;) {
		if (s.p == s.lim)
			return http_more(&s, HTTP_HEADERS_TOO_LARGE);
		if (buf[s.p] == '\r' || buf[s.p] == '\n')
			break;
		if ((status = http_field_line(&s, r, &seen)) != HTTP_OK)
			return status;
	}
	if ((status = http_line_end(&s, HTTP_HEADERS_TOO_LARGE)) != HTTP_OK)
		return status;

	if (r->version_minor == 1 && !seen.host)
		return HTTP_BAD_REQUEST;
	if ((status = http_framing(r, &seen)) != HTTP_OK)
		return status;
	if (r->method == HTTP_METHOD_OTHER)
		return HTTP_METHOD_NOT_ALLOWED;
	/* a sound chunked body on GET or HEAD: not taken */
	if (seen.transfer_encoding)
		return HTTP_NOT_IMPLEMENTED;
	if (authority.ptr != NULL)
		r->host = authority;
	r->head_len = s.p;
	return HTTP_OK;
}
