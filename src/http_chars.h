/*
 * http_chars - the character classes of HTTP (RFC 9110), in ASCII only.
 *
 * Shared by the parsers (request head, Range, mime.types): the C library's
 * ctype and strcasecmp follow the locale, and the locale must never change
 * what a header means.
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
