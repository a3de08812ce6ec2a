/*
 * test_http_parse - the request-head parser: what it accepts, what it
 * refuses and with which status, the limits, incomplete heads, pipelining,
 * and the small helpers (reason phrases, case-insensitive comparison).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http_parse.h"

#define MAX	8192

/* Literals may hold a NUL: their length is taken from sizeof. */
#define LIT(s)	(s), (sizeof(s) - 1)

static int
parse(const char *s, struct http_request *r)
{
	return http_parse_request(s, strlen(s), MAX, r);
}

static void
assert_str(struct http_str s, const char *want)
{
	assert_non_null(s.ptr);
	assert_int_equal(s.len, strlen(want));
	assert_memory_equal(s.ptr, want, s.len);
}

/* The same status, and the same head, with more bytes after it. */
static void
assert_stable(const char *buf, size_t len, size_t max, int status)
{
	static const char more[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\r\0";
	char big[1024];
	struct http_request r1, r2;

	assert_true(len + sizeof(more) <= sizeof(big));
	memcpy(big, buf, len);
	memcpy(big + len, more, sizeof(more));
	assert_int_equal(http_parse_request(buf, len, max, &r1), status);
	assert_int_equal(http_parse_request(big, len + sizeof(more), max, &r2),
	    status);
	assert_int_equal(r1.head_len, r2.head_len);
	assert_int_equal(r1.method, r2.method);
	assert_int_equal(r1.target.len, r2.target.len);
}

static void
test_http_parse_simple_get_with_headers(void **state)
{
	static const char req[] =
	    "GET /index.html HTTP/1.1\r\n"
	    "Host: example.com\r\n"
	    "User-Agent: test/1.0\r\n"
	    "Accept: */*\r\n"
	    "\r\n";
	struct http_request r;

	(void)state;
	assert_int_equal(parse(req, &r), HTTP_OK);
	assert_int_equal(r.method, HTTP_METHOD_GET);
	assert_str(r.method_name, "GET");
	assert_str(r.target, "/index.html");
	assert_str(r.path, "/index.html");
	assert_null(r.query.ptr);
	assert_true(r.version_known);
	assert_int_equal(r.version_minor, 1);
	assert_str(r.host, "example.com");
	assert_false(r.conn_close);
	assert_false(r.conn_keep_alive);
	assert_false(r.has_body);
	assert_null(r.range.ptr);
	assert_null(r.if_modified_since.ptr);
	assert_null(r.if_none_match.ptr);
	assert_int_equal(r.head_len, sizeof(req) - 1);
}

static void
test_http_parse_head(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n", &r),
	    HTTP_OK);
	assert_int_equal(r.method, HTTP_METHOD_HEAD);
	assert_str(r.method_name, "HEAD");
	assert_str(r.path, "/a");
}

static void
test_http_parse_http10_needs_no_host(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &r), HTTP_OK);
	assert_true(r.version_known);
	assert_int_equal(r.version_minor, 0);
	assert_null(r.host.ptr);
	assert_int_equal(r.head_len, 18);
}

static void
test_http_parse_minor_above_one_is_11(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n", &r),
	    HTTP_OK);
	assert_int_equal(r.version_minor, 1);
	assert_int_equal(parse("GET / HTTP/1.9\r\n\r\n", &r),
	    HTTP_BAD_REQUEST);		/* 1.1 rules: Host is required */
	assert_int_equal(r.version_minor, 1);
}

static void
test_http_parse_absolute_form(void **state)
{
	struct http_request r;
	static const char bare[] = "GET HTTPS://h.example HTTP/1.1\r\n"
	    "Host: h.example\r\n\r\n";
	static const char qonly[] =
	    "GET http://h?q=1 HTTP/1.1\r\nHost: h\r\n\r\n";

	(void)state;
	assert_int_equal(parse("GET http://example.com:8080/a/b?x=1&y "
	    "HTTP/1.1\r\nHost: other.example\r\n\r\n", &r), HTTP_OK);
	assert_str(r.target, "http://example.com:8080/a/b?x=1&y");
	assert_str(r.path, "/a/b");
	assert_str(r.query, "x=1&y");
	/* RFC 9112 3.2.2: the target's authority, not the Host field */
	assert_str(r.host, "example.com:8080");

	/* an empty path is "/", and it still points into the buffer */
	assert_int_equal(parse(bare, &r), HTTP_OK);
	assert_str(r.path, "/");
	assert_true(r.path.ptr >= bare && r.path.ptr < bare + r.head_len);
	assert_null(r.query.ptr);
	assert_str(r.host, "h.example");

	assert_int_equal(parse(qonly, &r), HTTP_OK);
	assert_str(r.path, "/");
	assert_str(r.query, "q=1");
}

static void
test_http_parse_query(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET /s?q=a+b&x=%20 HTTP/1.1\r\nHost: h\r\n\r\n",
	    &r), HTTP_OK);
	assert_str(r.path, "/s");
	assert_str(r.query, "q=a+b&x=%20");
	/* only the first '?' splits */
	assert_int_equal(parse("GET /s?a?b HTTP/1.1\r\nHost: h\r\n\r\n", &r),
	    HTTP_OK);
	assert_str(r.path, "/s");
	assert_str(r.query, "a?b");
}

static void
test_http_parse_bare_question_mark(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET /s? HTTP/1.1\r\nHost: h\r\n\r\n", &r),
	    HTTP_OK);
	assert_str(r.path, "/s");
	assert_non_null(r.query.ptr);
	assert_int_equal(r.query.len, 0);
}

static void
test_http_parse_pipelined_requests(void **state)
{
	static const char first[] = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char both[] = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
	    "HEAD /two HTTP/1.0\n\n";
	struct http_request r;
	size_t n = sizeof(both) - 1;

	(void)state;
	assert_int_equal(http_parse_request(both, n, MAX, &r), HTTP_OK);
	assert_int_equal(r.head_len, sizeof(first) - 1);
	assert_str(r.path, "/one");
	assert_int_equal(http_parse_request(both + r.head_len, n - r.head_len,
	    MAX, &r), HTTP_OK);
	assert_int_equal(r.method, HTTP_METHOD_HEAD);
	assert_str(r.path, "/two");
	assert_int_equal(r.head_len, n - (sizeof(first) - 1));
}

static void
test_http_parse_every_prefix_is_incomplete(void **state)
{
	static const char *const reqs[] = {
		"GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\n"
		    "Connection: keep-alive\r\nRange: bytes=0-1\r\n"
		    "Content-Length: 0\r\n\r\n",
		"HEAD http://h:80/x?y HTTP/1.0\nX:\n\n",
		"GET / HTTP/1.1\r\nHost:\r\n\r\n",
	};
	struct http_request r;

	(void)state;
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		size_t n = strlen(reqs[i]);

		for (size_t len = 0; len < n; len++) {
			if (http_parse_request(reqs[i], len, MAX, &r) != 0)
				fail_msg("request %zu, prefix %zu: not 0", i,
				    len);
			/* still a wait with the limit just out of reach */
			if (http_parse_request(reqs[i], len, n, &r) != 0)
				fail_msg("request %zu, prefix %zu, max %zu",
				    i, len, n);
		}
		/* a head of exactly max_header_size bytes fits */
		assert_int_equal(http_parse_request(reqs[i], n, n, &r),
		    HTTP_OK);
		assert_int_equal(r.head_len, n);
	}
}

static void
test_http_parse_bare_lf_everywhere(void **state)
{
	static const char req[] =
	    "GET /x HTTP/1.1\nHost: h\nRange: bytes=1-\n\n";
	struct http_request r;

	(void)state;
	assert_int_equal(parse(req, &r), HTTP_OK);
	assert_str(r.host, "h");
	assert_str(r.range, "bytes=1-");
	assert_int_equal(r.head_len, sizeof(req) - 1);
	/* mixed */
	assert_int_equal(parse("GET /x HTTP/1.1\r\nHost: h\n\r\n", &r),
	    HTTP_OK);
	assert_int_equal(parse("GET /x HTTP/1.1\nHost: h\r\n\n", &r), HTTP_OK);
}

struct status_case {
	const char *name;
	const char *req;
	size_t len;
	int status;
};

#define CASE(name, req, status)	{ name, LIT(req), status }

static const struct status_case status_cases[] = {
	CASE("1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
	CASE("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
	CASE("two Hosts, other case",
	    "GET / HTTP/1.0\r\nHost: a\r\nhOST: b\r\n\r\n", 400),
	CASE("1.1, empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 200),
	/* Host: uri-host [":" port] (RFC 9112 3.2, RFC 3986 3.2.2) */
	CASE("Host with a space", "GET / HTTP/1.1\r\nHost: bad host\r\n\r\n",
	    400),
	CASE("Host with a space, 1.0",
	    "GET / HTTP/1.0\r\nHost: bad host\r\n\r\n", 400),
	CASE("Host with a space, POST",
	    "POST / HTTP/1.1\r\nHost: bad host\r\n\r\n", 400),
	CASE("Host name and port",
	    "GET / HTTP/1.1\r\nHost: www.example.com:8080\r\n\r\n", 200),
	CASE("Host IPv4 and port",
	    "GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n", 200),
	CASE("Host IPv6 literal and port",
	    "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200),
	CASE("Host IPv6 literal", "GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n",
	    200),
	CASE("Host with a port and no digits",
	    "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", 200),
	CASE("Host with pct-encoding and sub-delims",
	    "GET / HTTP/1.1\r\nHost: a%2Db!$&'()*+,;=_~\r\n\r\n", 200),
	CASE("Host with a bad pct-encoding",
	    "GET / HTTP/1.1\r\nHost: a%2\r\n\r\n", 400),
	CASE("Host with a non-hex pct-encoding",
	    "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400),
	CASE("Host port not digits",
	    "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", 400),
	CASE("Host with two ports",
	    "GET / HTTP/1.1\r\nHost: a:1:2\r\n\r\n", 400),
	CASE("Host port alone", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400),
	CASE("Host with userinfo",
	    "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
	CASE("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
	CASE("Host with a backslash",
	    "GET / HTTP/1.1\r\nHost: a\\b\r\n\r\n", 400),
	CASE("Host with obs-text",
	    "GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n", 400),
	CASE("Host IPv6 unclosed", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
	    400),
	CASE("Host IPv6 empty", "GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400),
	CASE("Host IPv6 then junk",
	    "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400),
	CASE("Host IPv6 with a space",
	    "GET / HTTP/1.1\r\nHost: [::1 ]\r\n\r\n", 400),
	CASE("absolute-form with a bad authority",
	    "GET http://bad%zz/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("absolute-form authority with a port",
	    "GET http://h:8080/ HTTP/1.1\r\nHost: a\r\n\r\n", 200),
	CASE("absolute-form, bad Host field",
	    "GET http://h/ HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
	CASE("1.0, empty Host", "GET / HTTP/1.0\r\nHost: \r\n\r\n", 200),
	CASE("field names any case", "GET / HTTP/1.1\r\nhost: h\r\n\r\n", 200),

	CASE("bare CR ending the request line",
	    "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
	CASE("bare CR in a value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400),
	CASE("bare CR ending a field",
	    "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
	CASE("bare CR in the empty line",
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", 400),
	CASE("bare CR in the target", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	CASE("CR in a field name", "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n", 400),

	CASE("obs-fold with SP",
	    "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", 400),
	CASE("obs-fold with HTAB",
	    "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", 400),
	CASE("whitespace before the first field",
	    "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400),
	CASE("space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
	    400),
	CASE("HTAB before the colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
	    400),
	CASE("space in a field name", "GET / HTTP/1.1\r\nHo st: a\r\n\r\n",
	    400),
	CASE("empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n",
	    400),
	CASE("field without a colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", 400),
	CASE("non-token field name", "GET / HTTP/1.1\r\nX(y): a\r\n\r\n", 400),

	CASE("NUL in the target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("NUL in a value", "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 400),
	CASE("NUL in a field name", "GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n", 400),
	CASE("NUL in the method", "G\0T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("control char in the target",
	    "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("DEL in the target", "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	CASE("non-ASCII in the target",
	    "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("ESC in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: \x1b[m\r\n\r\n",
	    400),
	CASE("DEL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n",
	    400),
	CASE("HTAB in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb\r\n\r\n",
	    200),
	CASE("obs-text in a value",
	    "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n", 200),

	CASE("unknown method", "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 405),
	CASE("lowercase get is another method",
	    "get / HTTP/1.1\r\nHost: a\r\n\r\n", 405),
	CASE("POST", "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n",
	    405),
	CASE("space inside the method", "GE T / HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	CASE("non-token method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("empty line before the request",
	    "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("HTAB after the method", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),

	CASE("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
	CASE("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505),
	CASE("HTTP/3.0", "GET / HTTP/3.0\r\n\r\n", 505),
	CASE("505 before 405", "BREW / HTTP/2.0\r\n\r\n", 505),
	CASE("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 200),
	CASE("HTTP/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400),
	CASE("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("HTTP/1", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
	CASE("HTTP/11.1", "GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400),
	CASE("HTTP/1.x", "GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400),
	CASE("no version", "GET /\r\n\r\n", 400),
	CASE("empty version", "GET / \r\n\r\n", 400),
	CASE("space after the version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
	    400),
	CASE("double space before the target",
	    "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("double space before the version",
	    "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400),

	/* framing: judged whatever the method, before it (RFC 9112 6.1, 6.3) */
	CASE("chunked on GET: sound, not taken",
	    "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
	    501),
	CASE("chunked on POST: sound, another method",
	    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
	    405),
	CASE("chunked, any case, with OWS",
	    "POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding:  Chunked \r\n"
	    "\r\n", 405),
	CASE("Transfer-Encoding in HTTP/1.0, GET",
	    "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	CASE("Transfer-Encoding in HTTP/1.0, POST",
	    "POST / HTTP/1.0\r\nHost: localhost\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	    400),
	CASE("Transfer-Encoding and Content-Length, POST",
	    "POST / HTTP/1.1\r\nHost: localhost\r\n"
	    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
	    400),
	CASE("Content-Length then Transfer-Encoding, GET",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400),
	CASE("gzip alone, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
	    400),
	CASE("identity alone, GET",
	    "GET / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: identity\r\n\r\n",
	    400),
	CASE("chunked, gzip: chunked not last, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked, gzip\r\n\r\n", 400),
	CASE("chunked then gzip in two fields, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n", 400),
	CASE("gzip, chunked: sound, not understood, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
	CASE("gzip then chunked in two fields, GET",
	    "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 501),
	CASE("chunked twice, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked, chunked\r\n\r\n", 400),
	CASE("chunked with a parameter, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked;x=1\r\n\r\n", 400),
	CASE("empty Transfer-Encoding, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n",
	    400),
	CASE("Transfer-Encoding that is no coding, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: \"chunked\"\r\n\r\n", 400),
	CASE("empty list elements around chunked, POST",
	    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked ,\r\n"
	    "\r\n", 405),
	CASE("Content-Length xyz, POST",
	    "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: xyz\r\n"
	    "\r\nhello", 400),
	CASE("Content-Length xyz, HTTP/1.0 POST",
	    "POST / HTTP/1.0\r\nContent-Length: xyz\r\n\r\n", 400),
	CASE("two different Content-Lengths, POST",
	    "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\nhello", 400),
	CASE("Content-Length 5, 6, POST",
	    "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5, 6\r\n"
	    "\r\nhello", 400),
	CASE("Content-Length 5, POST: sound, another method",
	    "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
	    "\r\nhello", 405),
	CASE("HTTP/1.0 POST, no body", "POST / HTTP/1.0\r\n\r\n", 405),
	CASE("1.1 POST without Host", "POST / HTTP/1.1\r\n\r\n", 400),
	CASE("POST with two Hosts",
	    "POST / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
	CASE("two Content-Lengths",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", 400),
	CASE("two equal Content-Lengths",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
	    "Content-Length: 0\r\n\r\n", 400),
	CASE("Content-Length +5",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400),
	CASE("Content-Length -1",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
	CASE("Content-Length 5 5",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", 400),
	CASE("Content-Length 5,5",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,5\r\n\r\n", 400),
	CASE("Content-Length abc",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400),
	CASE("Content-Length empty",
	    "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400),
	CASE("Content-Length 2^63",
	    "GET / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 9223372036854775808\r\n\r\n", 400),
	CASE("Content-Length huge",
	    "GET / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 99999999999999999999999\r\n\r\n", 400),
	CASE("Content-Length 2^63 - 1",
	    "GET / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 9223372036854775807\r\n\r\n", 200),

	CASE("fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("fragment in absolute-form",
	    "GET http://h/a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("asterisk with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 405),
	CASE("CONNECT authority-form",
	    "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", 405),
	CASE("authority-form with GET", "GET h:443 HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	CASE("relative path", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("other scheme", "GET ftp://h/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("scheme without slashes",
	    "GET http:h/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("empty authority", "GET http:///a HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	CASE("empty authority, nothing else",
	    "GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("userinfo", "GET http://u:p@h/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
	CASE("'@' after the authority is path",
	    "GET http://h/@a HTTP/1.1\r\nHost: a\r\n\r\n", 200),
};

static void
test_http_parse_status_table(void **state)
{
	struct http_request r;

	(void)state;
	for (size_t i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]);
	    i++) {
		const struct status_case *c = &status_cases[i];
		int got = http_parse_request(c->req, c->len, MAX, &r);

		if (got != c->status)
			fail_msg("%s: got %d, want %d", c->name, got,
			    c->status);
		assert_stable(c->req, c->len, MAX, c->status);
		if (got == HTTP_OK)
			assert_int_equal(r.head_len, c->len);
	}
}

static void
test_http_parse_405_keeps_the_request_line(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("BREW /pot?milk HTTP/1.1\r\nHost: a\r\n\r\n",
	    &r), HTTP_METHOD_NOT_ALLOWED);
	assert_int_equal(r.method, HTTP_METHOD_OTHER);
	assert_str(r.method_name, "BREW");
	assert_str(r.target, "/pot?milk");
	assert_str(r.path, "/pot");
	assert_str(r.query, "milk");
	assert_true(r.version_known);
	assert_int_equal(r.version_minor, 1);

	/* judged only on the whole head: its framing comes first */
	assert_int_equal(parse("OPTIONS * HTTP/1.1\r\n", &r),
	    HTTP_INCOMPLETE);
	assert_int_equal(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &r),
	    HTTP_METHOD_NOT_ALLOWED);
	assert_str(r.method_name, "OPTIONS");
	assert_str(r.target, "*");
	assert_null(r.path.ptr);
	assert_false(r.has_body);

	/* a 405 with a body, counted or chunked, closes the connection */
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\n\r\nhello", &r), HTTP_METHOD_NOT_ALLOWED);
	assert_true(r.has_body);
	assert_str(r.host, "a");
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	    &r), HTTP_METHOD_NOT_ALLOWED);
	assert_true(r.has_body);
}

static void
test_http_parse_errors_keep_what_was_parsed(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET /x?y HTTP/1.1\r\n\r\n", &r),
	    HTTP_BAD_REQUEST);
	assert_int_equal(r.method, HTTP_METHOD_GET);
	assert_str(r.target, "/x?y");
	assert_str(r.path, "/x");
	assert_str(r.query, "y");
	assert_true(r.version_known);

	assert_int_equal(parse("GET /x HTTP/2.0\r\n\r\n", &r),
	    HTTP_VERSION_NOT_SUPPORTED);
	assert_str(r.method_name, "GET");
	assert_str(r.target, "/x");
	assert_false(r.version_known);

	assert_int_equal(parse("HEAD /a\x01", &r), HTTP_BAD_REQUEST);
	assert_int_equal(r.method, HTTP_METHOD_HEAD);
	assert_null(r.target.ptr);
}

static void
test_http_parse_errors_need_no_full_head(void **state)
{
	/* (another method, and a coding that chunked may still follow,
	 * wait for the whole head: the framing is judged first) */
	static const char *const prefixes[] = {
		"GE T /", "G(T", "\r", " ", "GET  ", "GET /a#", "GET /a\x01",
		"GET / http", "GET / HTTP/1.10", "GET / HTTP/1.1 ",
		"GET / HTTP/1.1\r\r", "GET / HTTP/1.1\r\n ",
		"GET / HTTP/1.1\r\nHost :", "GET / HTTP/1.1\r\n:",
		"GET / HTTP/1.1\r\nX: \x7f", "GET / HTTP/1.1\r\nX: a\rb",
		"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 1\r\n"
		"Transfer-Encoding: chunked\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		"Content-Length: 1\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked;x\r\n",
		"POST / HTTP/1.1\r\nContent-Length: x\r\n",
		"BREW / HTTP/1.1\r\nHost: a b\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n",
		"GET / HTTP/2.0\r\n",
	};
	struct http_request r;

	(void)state;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (parse(prefixes[i], &r) == HTTP_INCOMPLETE)
			fail_msg("prefix %zu waits for more", i);
}

static void
test_http_parse_long_request_line_414(void **state)
{
	char buf[300];
	struct http_request r;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	/* incomplete, no line end yet */
	assert_int_equal(http_parse_request(buf, 63, 64, &r), 0);
	assert_int_equal(http_parse_request(buf, 64, 64, &r),
	    HTTP_URI_TOO_LONG);
	assert_int_equal(http_parse_request(buf, sizeof(buf), 64, &r),
	    HTTP_URI_TOO_LONG);
	assert_str(r.method_name, "GET");
	assert_null(r.target.ptr);

	/* the line and its LF fill the limit: the empty line cannot fit */
	memcpy(buf + 54, " HTTP/1.0\n\n", 11);
	assert_int_equal(http_parse_request(buf, 65, 64, &r),
	    HTTP_HEADERS_TOO_LARGE);
	assert_int_equal(http_parse_request(buf, 65, 65, &r), HTTP_OK);
	assert_int_equal(r.head_len, 65);

	/* one byte more and the line's LF is past the limit */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "GET /", 5);
	memcpy(buf + 55, " HTTP/1.0\n\n", 11);
	assert_int_equal(http_parse_request(buf, 66, 64, &r),
	    HTTP_URI_TOO_LONG);

	/* the CR of the line is the last byte allowed: its LF is not */
	memcpy(buf + 54, " HTTP/1.0\r\n\n", 12);
	assert_int_equal(http_parse_request(buf, 64, 64, &r),
	    HTTP_URI_TOO_LONG);
	assert_int_equal(http_parse_request(buf, 64, 65, &r), 0);
}

static void
test_http_parse_head_over_the_limit_is_431(void **state)
{
	char buf[300];
	struct http_request r;
	static const char line[] = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ";

	(void)state;
	memset(buf, 'p', sizeof(buf));
	memcpy(buf, line, sizeof(line) - 1);
	assert_int_equal(http_parse_request(buf, 99, 100, &r), 0);
	assert_int_equal(http_parse_request(buf, 100, 100, &r),
	    HTTP_HEADERS_TOO_LARGE);
	assert_int_equal(http_parse_request(buf, sizeof(buf), 100, &r),
	    HTTP_HEADERS_TOO_LARGE);
	assert_str(r.path, "/");
	assert_str(r.host, "h");

	/* many short fields add up too */
	for (size_t i = 16; i + 5 <= sizeof(buf); i += 5)
		memcpy(buf + i, "X:y\r\n", 5);
	assert_int_equal(http_parse_request(buf, sizeof(buf), 200, &r),
	    HTTP_HEADERS_TOO_LARGE);
	assert_int_equal(http_parse_request(buf, 150, 200, &r), 0);
}

static void
test_http_parse_content_length(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 0\r\n\r\n", &r), HTTP_OK);
	assert_false(r.has_body);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n"
	    "content-length:  12 \r\n\r\n", &r), HTTP_OK);
	assert_true(r.has_body);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 000\r\n\r\n", &r), HTTP_OK);
	assert_false(r.has_body);
}

static void
test_http_parse_connection(void **state)
{
	static const struct {
		const char *fields;
		bool close;
		bool keep_alive;
	} cases[] = {
		{ "Connection: close\r\n", true, false },
		{ "Connection: Keep-Alive\r\n", false, true },
		{ "connection: CLOSE\r\n", true, false },
		{ "Connection: foo, close\r\n", true, false },
		{ "Connection: foo ,\tclose\t, bar\r\n", true, false },
		{ "Connection: ,,keep-alive,,\r\n", false, true },
		{ "Connection: keep-alive\r\nConnection: close\r\n", true,
		    true },
		{ "Connection: keep-alive, close\r\n", true, true },
		{ "Connection: closed, keep-alive2, x-close\r\n", false,
		    false },
		{ "Connection: keep alive\r\n", false, false },
		{ "Connection:\r\n", false, false },
		{ "X-Connection: close\r\n", false, false },
	};
	char buf[256];
	struct http_request r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf),
		    "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n", cases[i].fields);
		assert_int_equal(parse(buf, &r), HTTP_OK);
		if (r.conn_close != cases[i].close ||
		    r.conn_keep_alive != cases[i].keep_alive)
			fail_msg("case %zu: close %d keep-alive %d", i,
			    r.conn_close, r.conn_keep_alive);
	}
}

static void
test_http_parse_conditional_last_wins(void **state)
{
	struct http_request r;

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n"
	    "Range: bytes=0-1\r\n"
	    "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n"
	    "If-None-Match: \"a\"\r\n"
	    "range:\t bytes=5-  \t\r\n"
	    "IF-MODIFIED-SINCE:   Sun, 02 Jan 2000 00:00:00 GMT \r\n"
	    "If-None-Match:\"b\", W/\"c\"\r\n"
	    "\r\n", &r), HTTP_OK);
	assert_str(r.range, "bytes=5-");
	assert_str(r.if_modified_since, "Sun, 02 Jan 2000 00:00:00 GMT");
	assert_str(r.if_none_match, "\"b\", W/\"c\"");

	/* present but empty is not absent */
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nRange:  \r\n\r\n",
	    &r), HTTP_OK);
	assert_non_null(r.range.ptr);
	assert_int_equal(r.range.len, 0);
}

static void
test_http_parse_zeroes_the_request(void **state)
{
	struct http_request r;

	(void)state;
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &r), HTTP_OK);
	assert_null(r.query.ptr);
	assert_null(r.host.ptr);
	assert_null(r.range.ptr);
	assert_false(r.conn_close);
	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(parse("", &r), 0);
	assert_int_equal(r.method, HTTP_METHOD_NONE);
	assert_null(r.method_name.ptr);
	assert_int_equal(r.head_len, 0);
}

static void
test_http_reason_for_every_status(void **state)
{
	static const struct {
		int status;
		const char *reason;
	} cases[] = {
		{ HTTP_OK, "OK" },
		{ HTTP_PARTIAL_CONTENT, "Partial Content" },
		{ HTTP_MOVED_PERMANENTLY, "Moved Permanently" },
		{ HTTP_NOT_MODIFIED, "Not Modified" },
		{ HTTP_BAD_REQUEST, "Bad Request" },
		{ HTTP_FORBIDDEN, "Forbidden" },
		{ HTTP_NOT_FOUND, "Not Found" },
		{ HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed" },
		{ HTTP_REQUEST_TIMEOUT, "Request Timeout" },
		{ HTTP_URI_TOO_LONG, "URI Too Long" },
		{ HTTP_RANGE_NOT_SATISFIABLE, "Range Not Satisfiable" },
		{ HTTP_HEADERS_TOO_LARGE, "Request Header Fields Too Large" },
		{ HTTP_INTERNAL_ERROR, "Internal Server Error" },
		{ HTTP_NOT_IMPLEMENTED, "Not Implemented" },
		{ HTTP_VERSION_NOT_SUPPORTED, "HTTP Version Not Supported" },
		{ 0, "Unknown" },
		{ 201, "Unknown" },
		{ 418, "Unknown" },
		{ -1, "Unknown" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(http_reason(cases[i].status),
		    cases[i].reason);
}

static void
test_http_str_eq(void **state)
{
	struct http_str s = { "Keep-Alive, x", 10 };
	struct http_str none = { NULL, 0 };
	struct http_str empty = { "x", 0 };

	(void)state;
	assert_true(http_str_eq(s, "keep-alive"));
	assert_true(http_str_eq(s, "KEEP-ALIVE"));
	assert_false(http_str_eq(s, "keep-aliv"));
	assert_false(http_str_eq(s, "keep-alive,"));
	assert_false(http_str_eq(s, "keep_alive"));
	assert_true(http_str_eq(empty, ""));
	assert_false(http_str_eq(none, ""));	/* absent is not empty */
	/* only ASCII letters fold: '@' (0x40) is not '`' (0x60) */
	s.ptr = "@[";
	s.len = 2;
	assert_false(http_str_eq(s, "`{"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_parse_simple_get_with_headers),
		cmocka_unit_test(test_http_parse_head),
		cmocka_unit_test(test_http_parse_http10_needs_no_host),
		cmocka_unit_test(test_http_parse_minor_above_one_is_11),
		cmocka_unit_test(test_http_parse_absolute_form),
		cmocka_unit_test(test_http_parse_query),
		cmocka_unit_test(test_http_parse_bare_question_mark),
		cmocka_unit_test(test_http_parse_pipelined_requests),
		cmocka_unit_test(test_http_parse_every_prefix_is_incomplete),
		cmocka_unit_test(test_http_parse_bare_lf_everywhere),
		cmocka_unit_test(test_http_parse_status_table),
		cmocka_unit_test(test_http_parse_405_keeps_the_request_line),
		cmocka_unit_test(test_http_parse_errors_keep_what_was_parsed),
		cmocka_unit_test(test_http_parse_errors_need_no_full_head),
		cmocka_unit_test(test_http_parse_long_request_line_414),
		cmocka_unit_test(test_http_parse_head_over_the_limit_is_431),
		cmocka_unit_test(test_http_parse_content_length),
		cmocka_unit_test(test_http_parse_connection),
		cmocka_unit_test(test_http_parse_conditional_last_wins),
		cmocka_unit_test(test_http_parse_zeroes_the_request),
		cmocka_unit_test(test_http_reason_for_every_status),
		cmocka_unit_test(test_http_str_eq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
