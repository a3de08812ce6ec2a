/*
 * http_range - the Range header, for one representation of known size.
 *
 * Pure.  Only "bytes" ranges, and only one: "bytes=A-B", "bytes=A-" (from A
 * to the end) and "bytes=-N" (the last N bytes); the unit is matched
 * case-insensitively and whitespace around the range-spec is allowed.
 * A value that is not a valid single byte range (another unit, a syntax
 * error, A > B, several ranges) is ignored: the whole file is sent (200),
 * as RFC 9110 permits.  A valid range that selects nothing (A at or past
 * the end, "-0", any range of an empty file) is unsatisfiable: 416.
 * B past the end is cut to the last byte.
 */
#ifndef PREFORKD_HTTP_RANGE_H
#define PREFORKD_HTTP_RANGE_H

#include <stddef.h>
#include <stdint.h>

enum http_range_result {
	HTTP_RANGE_NONE = 0,		/* absent or ignored: send it all */
	HTTP_RANGE_OK,			/* 206: bytes *first..*last */
	HTTP_RANGE_UNSATISFIABLE,	/* 416 */
};

/* value: the header's value (NULL: no Range header). */
enum http_range_result http_range_parse(const char *value, size_t len,
    uint64_t size, uint64_t *first, uint64_t *last);

#endif
