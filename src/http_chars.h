/*
 * http_chars - the character classes of HTTP (RFC 9110), in ASCII only.
 *
 * Shared by the parsers (request head, Range, mime.types) and the URL
 * writers (redirects, listings): the C library's ctype and strcasecmp
 * follow the locale, and the locale must never change what a header or a
 * URL means.
 */
#ifndef PREFORKD_HTTP_CHARS_H
#define PREFORKD_HTTP_CHARS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline char
http_char_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline bool
http_char_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* OWS: space or horizontal tab. */
static inline bool
http_char_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* tchar: the characters of a token (method, field name, media type). */
static inline bool
http_char_is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    http_char_is_digit(c))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A hex digit's value, or -1. */
static inline int
http_char_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static inline bool
http_char_is_unreserved(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    http_char_is_digit(c) || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* c as "%HH" in out[0..3). */
static inline void
http_char_pct_encode(unsigned char c, char out[3])
{
	static const char hex[] = "0123456789ABCDEF";

	out[0] = '%';
	out[1] = hex[c >> 4];
	out[2] = hex[c & 15];
}

/* The first n bytes of a and b, case-insensitively. */
static inline bool
http_chars_caseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (http_char_lower(a[i]) != http_char_lower(b[i]))
			return false;
	return true;
}

#endif
