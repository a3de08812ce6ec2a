/*
 * http_range - the Range header, for one representation of known size.
 *
 * Owns nothing: a single pass over the value, no allocation.  The grammar
 * is RFC 9110 section 14.1.2 cut down to one byte range:
 *
 *   "bytes" "=" OWS ( first-pos "-" [ last-pos ] / "-" suffix-length ) OWS
 *
 * Anything the grammar does not match, several ranges included, is
 * HTTP_RANGE_NONE: ignoring a Range header is always allowed, while a 416
 * for a header we merely fail to understand would break a client that
 * would have been happy with the whole file.  *first and *last are written
 * only for HTTP_RANGE_OK.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_chars.h"
#include "http_range.h"

struct http_range_spec {
	bool has_first;		/* false: "-N", a suffix */
	bool has_last;		/* false: "A-", to the end */
	uint64_t first;
	uint64_t last;		/* the suffix length when !has_first */
};

/*
 * 1*DIGIT at *p; false when there is none or it does not fit: a number
 * past 2^64 is no byte position of any file, so the header is not one we
 * can honour.
 */
static bool
http_range_number(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t n = 0;

	if (s == end || !http_char_is_digit(*s))
		return false;
	for (; s < end && http_char_is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (n > UINT64_MAX / 10 || n * 10 > UINT64_MAX - d)
			return false;
		n = n * 10 + d;
	}
	*p = s;
	*out = n;
	return true;
}

/* The unit, case-insensitively, and "=" right after it. */
static bool
http_range_unit(const char **p, const char *end)
{
	static const char unit[] = "bytes=";

	if ((size_t)(end - *p) < sizeof(unit) - 1 ||
	    !http_chars_caseeq(*p, unit, sizeof(unit) - 1))
		return false;
	*p += sizeof(unit) - 1;
	return true;
}

static bool
http_range_syntax(const char *value, size_t len, struct http_range_spec *r)
{
	const char *p = value, *end = value + len;

	if (!http_range_unit(&p, end))
		return false;
	while (p < end && http_char_is_ows(*p))
		p++;
	r->has_first = http_range_number(&p, end, &r->first);
	if (p == end || *p++ != '-')
		return false;
	r->has_last = http_range_number(&p, end, &r->last);
	if (!r->has_first && !r->has_last)
		return false;
	while (p < end && http_char_is_ows(*p))
		p++;
	/* a ',' (another range) or any other byte left over */
	return p == end;
}

enum http_range_result
http_range_parse(const char *value, size_t len, uint64_t size,
    uint64_t *first, uint64_t *last)
{
	struct http_range_spec r = { 0 };

	if (value == NULL || !http_range_syntax(value, len, &r))
		return HTTP_RANGE_NONE;
	if (r.has_first && r.has_last && r.first > r.last)
		return HTTP_RANGE_NONE;		/* invalid, RFC 9110 14.1.1 */
	if (size == 0)
		return HTTP_RANGE_UNSATISFIABLE;
	if (!r.has_first) {
		if (r.last == 0)
			return HTTP_RANGE_UNSATISFIABLE;
		*first = r.last >= size ? 0 : size - r.last;
		*last = size - 1;
		return HTTP_RANGE_OK;
	}
	if (r.first >= size)
		return HTTP_RANGE_UNSATISFIABLE;
	*first = r.first;
	*last = !r.has_last || r.last >= size ? size - 1 : r.last;
	return HTTP_RANGE_OK;
}
