/*
 * fuzz_http_parse - libFuzzer target for the request-head parser.
 *
 * Parses each input with a few limits and aborts when an invariant breaks:
 * a known status; a wait only below the limit; an accepted head that is
 * within the input and the limit, is GET or HEAD and has a path; every
 * string of the request inside the bytes the parser may look at (the head
 * for a 200); and a verdict that more bytes do not change (the same status
 * and the same fields, so a pipelined request cannot alter the one before
 * it).  Inputs are copied into buffers of their exact size so that
 * AddressSanitizer sees any read past the end.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t fuzz_limits[] = { 64, 1024, 8192 };

/* Bytes a second request or a body might start with. */
static const char fuzz_tail[] =
    "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n\0\xff";

static void
fuzz_check_status(int status)
{
	switch (status) {
	case HTTP_INCOMPLETE:
	case HTTP_OK:
	case HTTP_BAD_REQUEST:
	case HTTP_METHOD_NOT_ALLOWED:
	case HTTP_URI_TOO_LONG:
	case HTTP_HEADERS_TOO_LARGE:
	case HTTP_NOT_IMPLEMENTED:
	case HTTP_VERSION_NOT_SUPPORTED:
		return;
	}
	abort();
}

/* Absent, or within buf[0..end). */
static void
fuzz_check_str(struct http_str s, const char *buf, size_t end)
{
	if (s.ptr == NULL) {
		if (s.len != 0)
			abort();
		return;
	}
	if (s.ptr < buf || s.ptr >= buf + end ||
	    s.len > (size_t)(buf + end - s.ptr))
		abort();
}

static void
fuzz_check_strs(const struct http_request *r, const char *buf, size_t end)
{
	fuzz_check_str(r->method_name, buf, end);
	fuzz_check_str(r->target, buf, end);
	fuzz_check_str(r->path, buf, end);
	fuzz_check_str(r->query, buf, end);
	fuzz_check_str(r->host, buf, end);
	fuzz_check_str(r->range, buf, end);
	fuzz_check_str(r->if_modified_since, buf, end);
	fuzz_check_str(r->if_none_match, buf, end);
}

static void
fuzz_same_str(struct http_str a, const char *abuf, struct http_str b,
    const char *bbuf)
{
	if ((a.ptr == NULL) != (b.ptr == NULL) || a.len != b.len)
		abort();
	if (a.ptr != NULL && a.ptr - abuf != b.ptr - bbuf)
		abort();
}

static void
fuzz_same(const struct http_request *a, const char *abuf,
    const struct http_request *b, const char *bbuf)
{
	if (a->method != b->method || a->version_minor != b->version_minor ||
	    a->version_known != b->version_known ||
	    a->conn_close != b->conn_close ||
	    a->conn_keep_alive != b->conn_keep_alive ||
	    a->has_body != b->has_body || a->head_len != b->head_len)
		abort();
	fuzz_same_str(a->method_name, abuf, b->method_name, bbuf);
	fuzz_same_str(a->target, abuf, b->target, bbuf);
	fuzz_same_str(a->path, abuf, b->path, bbuf);
	fuzz_same_str(a->query, abuf, b->query, bbuf);
	fuzz_same_str(a->host, abuf, b->host, bbuf);
	fuzz_same_str(a->range, abuf, b->range, bbuf);
	fuzz_same_str(a->if_modified_since, abuf, b->if_modified_since,
	    bbuf);
	fuzz_same_str(a->if_none_match, abuf, b->if_none_match, bbuf);
}

static void
fuzz_check_ok(const struct http_request *r, const char *buf, size_t size,
    size_t max)
{
	if (r->head_len == 0 || r->head_len > size || r->head_len > max)
		abort();
	if (r->method != HTTP_METHOD_GET && r->method != HTTP_METHOD_HEAD)
		abort();
	if (!r->version_known || r->path.ptr == NULL || r->path.len == 0 ||
	    r->path.ptr[0] != '/')
		abort();
	if (r->version_minor == 1 && r->host.ptr == NULL)
		abort();
	fuzz_check_strs(r, buf, r->head_len);
}

static void
fuzz_one(const char *buf, size_t size, char *big, size_t max)
{
	struct http_request r, r2;
	size_t seen = size < max ? size : max;
	int status, again;

	status = http_parse_request(buf, size, max, &r);
	fuzz_check_status(status);
	if (status == HTTP_INCOMPLETE) {
		if (size >= max)
			abort();
		fuzz_check_strs(&r, buf, size);
		return;
	}
	if (status == HTTP_OK)
		fuzz_check_ok(&r, buf, size, max);
	else
		fuzz_check_strs(&r, buf, seen);

	/* the verdict is final: more bytes change nothing */
	memcpy(big, buf, size);
	memcpy(big + size, fuzz_tail, sizeof(fuzz_tail));
	again = http_parse_request(big, size + sizeof(fuzz_tail), max, &r2);
	if (again != status)
		abort();
	fuzz_same(&r, buf, &r2, big);

	/* and an accepted head alone is the same head */
	if (status == HTTP_OK) {
		if (http_parse_request(buf, r.head_len, max, &r2) != HTTP_OK)
			abort();
		fuzz_same(&r, buf, &r2, buf);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *big;

	if ((buf = malloc(size > 0 ? size : 1)) == NULL ||
	    (big = malloc(size + sizeof(fuzz_tail))) == NULL) {
		free(buf);
		return 0;
	}
	if (size > 0)
		memcpy(buf, data, size);
	for (size_t i = 0; i < sizeof(fuzz_limits) / sizeof(fuzz_limits[0]);
	    i++)
		fuzz_one(buf, size, big, fuzz_limits[i]);
	free(big);
	free(buf);
	return 0;
}
