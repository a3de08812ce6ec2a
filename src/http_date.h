/*
 * http_date - HTTP dates (RFC 9110 section 5.6.7).
 *
 * Pure, locale-free and thread-free: no strftime/strptime.  Formats the
 * preferred IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); parses that and
 * the two obsolete forms a recipient must accept, RFC 850 ("Sunday,
 * 06-Nov-94 08:49:37 GMT", two-digit years read as 1970-2069) and asctime
 * ("Sun Nov  6 08:49:37 1994").  Anything else, or an impossible date
 * (Feb 30, hour 24), does not parse.
 */
#ifndef PREFORKD_HTTP_DATE_H
#define PREFORKD_HTTP_DATE_H

#include <stddef.h>
#include <time.h>

#define HTTP_DATE_LEN	29	/* strlen("Sun, 06 Nov 1994 08:49:37 GMT") */

/* Writes the IMF-fixdate of t and a NUL into out. */
void http_date_format(time_t t, char out[HTTP_DATE_LEN + 1]);

/* 0 with *t set, or -1 when s[0..len) is not an HTTP date. */
int http_date_parse(const char *s, size_t len, time_t *t);

#endif
