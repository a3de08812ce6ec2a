/*
 * fuzz_http_path - libFuzzer target for http_path_normalize.
 *
 * Each input is a request path, copied to a buffer of its exact size so
 * that ASan sees any read past its end, and normalised into outputs of
 * exactly 4096 and 16 bytes for the same reason.  Aborts when a result
 * breaks the contract: a status other than 0, 400 or 414; an output that
 * is not NUL-terminated, holds an empty, "." or ".." segment, a leading or
 * trailing '/' or a control byte; a result that normalises to something
 * else the second time; the two sizes disagreeing on anything but 414; or
 * a disagreement with the plain forward decode-then-stack reference below.
 * Then, for a result, its Location (http_path_encode) must be one '/'
 * and only unreserved characters, '/' and "%HH" (so never "//" or "/\\",
 * another host to a browser) and normalise back to the same result; and
 * http_path_hidden must say whether a segment begins with '.', the first
 * segment ".well-known" aside.  Opens no file.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_path.h"

#define BIG	4096
#define SMALL	16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The module's rules written the obvious way: decode, then use a stack. */
static int
fuzz_reference(const uint8_t *in, size_t len, char *out, bool *dir)
{
	char *dec, hex[3] = "";
	size_t n = 0, o = 0, depth = 0, i, j;

	if (len == 0 || in[0] != '/')
		return 400;
	if ((dec = malloc(len)) == NULL)
		abort();
	for (i = 0; i < len; i++) {
		unsigned char c = in[i];

		if (c == '%') {
			if (i + 2 >= len || !isxdigit(in[i + 1]) ||
			    !isxdigit(in[i + 2])) {
				free(dec);
				return 400;
			}
			memcpy(hex, in + i + 1, 2);
			c = (unsigned char)strtoul(hex, NULL, 16);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f) {
			free(dec);
			return 400;
		}
		dec[n++] = (char)c;
	}
	for (i = 0; i <= n; i = j + 1) {
		size_t seglen;

		for (j = i; j < n && dec[j] != '/'; j++)
			;
		seglen = j - i;
		*dir = seglen == 0 || (seglen == 1 && dec[i] == '.') ||
		    (seglen == 2 && dec[i] == '.' && dec[i + 1] == '.');
		if (seglen == 0 || (seglen == 1 && dec[i] == '.'))
			continue;
		if (seglen == 2 && dec[i] == '.' && dec[i + 1] == '.') {
			if (depth == 0) {
				free(dec);
				return 400;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			depth--;
			continue;
		}
		if (depth++ > 0)
			out[o++] = '/';
		memcpy(out + o, dec + i, seglen);
		o += seglen;
	}
	out[o] = '\0';
	free(dec);
	return 0;
}

static void
fuzz_check_segments(const char *out, size_t outlen)
{
	const char *s = out, *e;

	if (memchr(out, '\0', outlen) == NULL)
		abort();
	if (*out == '\0')
		return;
	for (;;) {
		size_t n;

		e = strchr(s, '/');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			abort();	/* also a leading, trailing or "//" */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				abort();
		if (e == NULL)
			break;
		s = e + 1;
	}
}

/* The result, escaped back ('%' alone needs it), must come out the same. */
static void
fuzz_check_idempotent(const char *out)
{
	size_t len = strlen(out), n = 0;
	char *in = malloc(1 + 3 * len), *again = malloc(len + 1);
	bool dir;

	if (in == NULL || again == NULL)
		abort();
	in[n++] = '/';
	for (size_t i = 0; i < len; i++) {
		if (out[i] == '%') {
			memcpy(in + n, "%25", 3);
			n += 3;
		} else
			in[n++] = out[i];
	}
	if (http_path_normalize(in, n, again, len + 1, &dir) != 0 ||
	    strcmp(again, out) != 0 || dir != (len == 0))
		abort();
	free(in);
	free(again);
}

/* The Location made of out: on this server, and the same path again. */
static void
fuzz_check_location(const char *out)
{
	size_t len = strlen(out), cap = 3 * len + 2, n;
	char *loc = malloc(cap), *again = malloc(len + 1);
	bool dir;

	if (loc == NULL || again == NULL)
		abort();
	n = http_path_encode(out, loc, cap);
	if (n == SIZE_MAX || n != strlen(loc) || loc[0] != '/' ||
	    (n > 1 && loc[1] == '/'))
		abort();
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)loc[i];

		if (c == '%') {
			if (i + 2 >= n || !isxdigit((unsigned char)loc[i + 1]) ||
			    !isxdigit((unsigned char)loc[i + 2]))
				abort();
			i += 2;
		} else if (!isalnum(c) && !strchr("-._~/", c)) {
			abort();
		}
	}
	if (http_path_encode(out, loc, n) != SIZE_MAX)
		abort();		/* no room for the NUL: refused */
	if (http_path_normalize(loc, n, again, len + 1, &dir) != 0 ||
	    strcmp(again, out) != 0)
		abort();
	free(loc);
	free(again);
}

/* Dotfiles, written the obvious way. */
static void
fuzz_check_hidden(const char *out)
{
	bool want = false;
	const char *s = out;

	if (strncmp(s, ".well-known", 11) == 0 && (s[11] == '/' || s[11] == '\0'))
		s = s[11] == '/' ? s + 12 : s + 11;
	for (const char *p = s; *p != '\0'; p++)
		if (*p == '.' && (p == s || p[-1] == '/'))
			want = true;
	if (http_path_hidden(out) != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size > 0 ? size : 1);
	char *big = malloc(BIG), *small = malloc(SMALL);
	char *ref = malloc(size + 1);
	bool big_dir, small_dir, ref_dir = false;
	int rb, rs, rr;

	if (in == NULL || big == NULL || small == NULL || ref == NULL)
		abort();
	if (size > 0)
		memcpy(in, data, size);
	else
		in[0] = '\0';	/* never read, but compilers cannot tell */
	rb = http_path_normalize(in, size, big, BIG, &big_dir);
	rs = http_path_normalize(in, size, small, SMALL, &small_dir);
	rr = fuzz_reference(data, size, ref, &ref_dir);
	if ((rb != 0 && rb != 400 && rb != 414) ||
	    (rs != 0 && rs != 400 && rs != 414))
		abort();
	if (memcmp(in, data, size) != 0)
		abort();
	/* the reference knows no 414: its out is as big as the input */
	if (rr == 400 ? rb != 400 || rs != 400 : rb == 400 || rs == 400)
		abort();
	if (rr == 0) {
		size_t len = strlen(ref);

		if (len > size)
			abort();
		if (len < BIG ? rb != 0 || strcmp(big, ref) != 0 ||
		    big_dir != ref_dir : rb != 414)
			abort();
		if (len < SMALL ? rs != 0 || strcmp(small, ref) != 0 ||
		    small_dir != ref_dir : rs != 414)
			abort();
	}
	if (rb == 0) {
		fuzz_check_segments(big, BIG);
		fuzz_check_idempotent(big);
		fuzz_check_location(big);
		fuzz_check_hidden(big);
	}
	if (rs == 0)
		fuzz_check_segments(small, SMALL);
	free(in);
	free(big);
	free(small);
	free(ref);
	return 0;
}
