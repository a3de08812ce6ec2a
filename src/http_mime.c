/*
 * http_mime - Content-Type by file name extension.
 *
 * Owns the process-wide table: a sorted array of { extension, type } and,
 * for a table read from a mime.types file, the one string pool both point
 * into.  Each type is stored as the finished Content-Type value (charset
 * included), so a lookup is a bsearch and nothing else: no formatting and
 * no allocation in a worker.  Until a file is loaded, and again after
 * http_mime_free, the built-in table (static, sorted by hand) is used.
 *
 * mime.types reading rules: '#' starts a comment, whitespace separates
 * fields, the first field is the type and the others its extensions.  A
 * type that is not token "/" token is skipped (it would be sent verbatim in
 * a header), and so are extensions longer than HTTP_MIME_EXT_MAX, which no
 * lookup could match.  When an extension is listed twice, the first
 * listing wins (Debian's file has "sh" under application/x-sh, then under
 * text/x-sh).  A table is built whole and then swapped in, so a failed
 * load leaves the previous table in place.
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "http_chars.h"
#include "http_mime.h"

#define HTTP_MIME_EXT_MAX	32
#define HTTP_MIME_CHARSET	"; charset=utf-8"

struct http_mime_entry {
	const char *ext;	/* lowercase */
	const char *type;	/* the Content-Type value */
};

/* While loading: offsets, since the pool moves as it grows. */
struct http_mime_pending {
	size_t ext;
	size_t type;
	size_t seq;		/* the order read: the first one wins */
};

struct http_mime_build {
	char *pool;
	size_t pool_len, pool_cap;
	struct http_mime_pending *v;
	size_t n, cap;
};

#define HTTP_MIME_TEXT(t)	t HTTP_MIME_CHARSET

/* Sorted by extension (strcmp order): it is searched with bsearch. */
static const struct http_mime_entry http_mime_builtin_table[] = {
	{ "7z",		"application/x-7z-compressed" },
	{ "apk",	"application/vnd.android.package-archive" },
	{ "avi",	"video/x-msvideo" },
	{ "avif",	"image/avif" },
	{ "bmp",	"image/bmp" },
	{ "bz2",	"application/x-bzip2" },
	{ "c",		HTTP_MIME_TEXT("text/x-csrc") },
	{ "css",	HTTP_MIME_TEXT("text/css") },
	{ "csv",	HTTP_MIME_TEXT("text/csv") },
	{ "deb",	"application/vnd.debian.binary-package" },
	{ "dmg",	"application/x-apple-diskimage" },
	{ "doc",	"application/msword" },
	{ "docx",	"application/vnd.openxmlformats-officedocument."
			"wordprocessingml.document" },
	{ "eot",	"application/vnd.ms-fontobject" },
	{ "epub",	"application/epub+zip" },
	{ "exe",	"application/x-msdos-program" },
	{ "flac",	"audio/flac" },
	{ "gif",	"image/gif" },
	{ "go",		HTTP_MIME_TEXT("text/x-go") },
	{ "gz",		"application/gzip" },
	{ "h",		HTTP_MIME_TEXT("text/x-chdr") },
	{ "htm",	HTTP_MIME_TEXT("text/html") },
	{ "html",	HTTP_MIME_TEXT("text/html") },
	{ "ico",	"image/vnd.microsoft.icon" },
	{ "iso",	"application/x-iso9660-image" },
	{ "java",	HTTP_MIME_TEXT("text/x-java") },
	{ "jpeg",	"image/jpeg" },
	{ "jpg",	"image/jpeg" },
	{ "js",		HTTP_MIME_TEXT("text/javascript") },
	{ "json",	HTTP_MIME_TEXT("application/json") },
	{ "m4a",	"audio/mp4" },
	{ "m4v",	"video/mp4" },
	{ "md",		HTTP_MIME_TEXT("text/markdown") },
	{ "mjs",	HTTP_MIME_TEXT("text/javascript") },
	{ "mkv",	"video/x-matroska" },
	{ "mov",	"video/quicktime" },
	{ "mp3",	"audio/mpeg" },
	{ "mp4",	"video/mp4" },
	{ "mpeg",	"video/mpeg" },
	{ "mpg",	"video/mpeg" },
	{ "odp",	"application/vnd.oasis.opendocument.presentation" },
	{ "ods",	"application/vnd.oasis.opendocument.spreadsheet" },
	{ "odt",	"application/vnd.oasis.opendocument.text" },
	{ "oga",	"audio/ogg" },
	{ "ogg",	"audio/ogg" },
	{ "opus",	"audio/ogg" },
	{ "otf",	"font/otf" },
	{ "pdf",	"application/pdf" },
	{ "png",	"image/png" },
	{ "ppt",	"application/vnd.ms-powerpoint" },
	{ "pptx",	"application/vnd.openxmlformats-officedocument."
			"presentationml.presentation" },
	{ "py",		HTTP_MIME_TEXT("text/x-python") },
	{ "rpm",	"application/x-redhat-package-manager" },
	{ "rs",		HTTP_MIME_TEXT("text/x-rust") },
	{ "rtf",	"application/rtf" },
	{ "sh",		"application/x-sh" },
	{ "svg",	HTTP_MIME_TEXT("image/svg+xml") },
	{ "tar",	"application/x-tar" },
	{ "tgz",	"application/gzip" },
	{ "tif",	"image/tiff" },
	{ "tiff",	"image/tiff" },
	{ "ttf",	"font/ttf" },
	{ "txt",	HTTP_MIME_TEXT("text/plain") },
	{ "wasm",	"application/wasm" },
	{ "wav",	"audio/wav" },
	{ "webm",	"video/webm" },
	{ "webp",	"image/webp" },
	{ "woff",	"font/woff" },
	{ "woff2",	"font/woff2" },
	{ "xls",	"application/vnd.ms-excel" },
	{ "xlsx",	"application/vnd.openxmlformats-officedocument."
			"spreadsheetml.sheet" },
	{ "xml",	HTTP_MIME_TEXT("application/xml") },
	{ "xz",		"application/x-xz" },
	{ "zip",	"application/zip" },
	{ "zst",	"application/zstd" },
};

#undef HTTP_MIME_TEXT

static struct {
	const struct http_mime_entry *v;
	size_t n;
	struct http_mime_entry *owned_v;	/* NULL: the built-in */
	char *owned_pool;
} http_mime_table = {
	http_mime_builtin_table,
	sizeof(http_mime_builtin_table) / sizeof(http_mime_builtin_table[0]),
	NULL,
	NULL,
};

static bool
http_mime_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/* token "/" token */
static bool
http_mime_valid_type(const char *s, size_t len)
{
	size_t slash = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '/') {
			if (slash != 0 || i == 0)
				return false;
			slash = i;
		} else if (!http_char_is_tchar(s[i])) {
			return false;
		}
	}
	return slash != 0 && slash + 1 < len;
}

/* Text types are sent as UTF-8; the rest carry no charset. */
static bool
http_mime_is_text(const char *s, size_t len)
{
	static const char *const text[] = {
		"application/javascript", "application/json",
		"application/xml", "image/svg+xml",
	};

	if (len > 5 && http_chars_caseeq(s, "text/", 5))
		return true;
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (len == strlen(text[i]) && http_chars_caseeq(s, text[i], len))
			return true;
	return false;
}

static void
http_mime_build_free(struct http_mime_build *b)
{
	free(b->pool);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* Appends len bytes and a NUL to the pool; the offset, or -1. */
static ssize_t
http_mime_pool_add(struct http_mime_build *b, const char *s, size_t len,
    bool lower, const char *suffix)
{
	size_t slen = suffix != NULL ? strlen(suffix) : 0;
	size_t need = b->pool_len + len + slen + 1, off = b->pool_len;

	if (need > b->pool_cap) {
		size_t cap = b->pool_cap > 0 ? b->pool_cap : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		if ((p = realloc(b->pool, cap)) == NULL)
			return -1;
		b->pool = p;
		b->pool_cap = cap;
	}
	for (size_t i = 0; i < len; i++)
		b->pool[off + i] = lower ? http_char_lower(s[i]) : s[i];
	memcpy(b->pool + off + len, suffix != NULL ? suffix : "", slen + 1);
	b->pool_len = need;
	return (ssize_t)off;
}

static int
http_mime_pending_add(struct http_mime_build *b, size_t ext, size_t type)
{
	if (b->n == b->cap) {
		size_t cap = b->cap > 0 ? b->cap * 2 : 256;
		struct http_mime_pending *p;

		if ((p = reallocarray(b->v, cap, sizeof(*p))) == NULL)
			return -1;
		b->v = p;
		b->cap = cap;
	}
	b->v[b->n].ext = ext;
	b->v[b->n].type = type;
	b->v[b->n].seq = b->n;
	b->n++;
	return 0;
}

/* One line of mime.types, already cut at any '#'. */
static int
http_mime_load_line(struct http_mime_build *b, const char *p)
{
	const char *type;
	size_t type_len;
	ssize_t type_off = -1;

	while (http_mime_is_space(*p))
		p++;
	type = p;
	while (*p != '\0' && !http_mime_is_space(*p))
		p++;
	type_len = (size_t)(p - type);
	if (type_len == 0 || !http_mime_valid_type(type, type_len))
		return 0;
	for (;;) {
		const char *ext;
		size_t ext_len;
		ssize_t ext_off;

		while (http_mime_is_space(*p))
			p++;
		if (*p == '\0')
			break;
		ext = p;
		while (*p != '\0' && !http_mime_is_space(*p))
			p++;
		ext_len = (size_t)(p - ext);
		if (ext_len > HTTP_MIME_EXT_MAX)
			continue;
		/* the type goes in once, with its first extension */
		if (type_off < 0 && (type_off = http_mime_pool_add(b, type,
		    type_len, false, http_mime_is_text(type, type_len) ?
		    HTTP_MIME_CHARSET : NULL)) < 0)
			return -1;
		if ((ext_off = http_mime_pool_add(b, ext, ext_len, true,
		    NULL)) < 0)
			return -1;
		if (http_mime_pending_add(b, (size_t)ext_off,
		    (size_t)type_off) != 0)
			return -1;
	}
	return 0;
}

static int
http_mime_pending_cmp(const void *a, const void *b, void *pool)
{
	const struct http_mime_pending *x = a, *y = b;
	int c = strcmp((const char *)pool + x->ext,
	    (const char *)pool + y->ext);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
http_mime_table_free(void)
{
	free(http_mime_table.owned_v);
	free(http_mime_table.owned_pool);
	http_mime_table.owned_v = NULL;
	http_mime_table.owned_pool = NULL;
}

/* Sorts, drops all but the first of each extension, and swaps it in. */
static int
http_mime_install(struct http_mime_build *b)
{
	struct http_mime_entry *v = NULL;
	size_t n = 0;

	if (b->n > 0) {
		qsort_r(b->v, b->n, sizeof(b->v[0]), http_mime_pending_cmp,
		    b->pool);
		if ((v = calloc(b->n, sizeof(*v))) == NULL)
			return -1;
		for (size_t i = 0; i < b->n; i++) {
			const char *ext = b->pool + b->v[i].ext;

			if (n > 0 && strcmp(v[n - 1].ext, ext) == 0)
				continue;
			v[n].ext = ext;
			v[n].type = b->pool + b->v[i].type;
			n++;
		}
	}
	http_mime_table_free();
	http_mime_table.v = v;
	http_mime_table.n = n;
	http_mime_table.owned_v = v;
	http_mime_table.owned_pool = b->pool;
	b->pool = NULL;
	http_mime_build_free(b);
	return 0;
}

int
http_mime_load(FILE *fp)
{
	struct http_mime_build b = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	while (getline(&line, &cap, fp) >= 0) {
		char *hash = strchr(line, '#');

		if (hash != NULL)
			*hash = '\0';
		if ((rc = http_mime_load_line(&b, line)) != 0)
			break;
	}
	/* getline fails at the end of the stream and on an error (ENOMEM) */
	if (rc == 0 && (ferror(fp) || !feof(fp) || b.n > INT_MAX))
		rc = -1;
	free(line);
	if (rc == 0)
		rc = http_mime_install(&b);
	http_mime_build_free(&b);
	return rc == 0 ? (int)http_mime_table.n : -1;
}

void
http_mime_builtin(void)
{
	http_mime_table_free();
	http_mime_table.v = http_mime_builtin_table;
	http_mime_table.n = sizeof(http_mime_builtin_table) /
	    sizeof(http_mime_builtin_table[0]);
}

int
http_mime_init(const char *path)
{
	FILE *fp;
	int n = -1;

	if (path != NULL && (fp = fopen(path, "re")) != NULL) {
		n = http_mime_load(fp);
		fclose(fp);
	}
	if (n <= 0) {
		http_mime_builtin();
		n = (int)http_mime_table.n;
	}
	return n;
}

void
http_mime_free(void)
{
	http_mime_builtin();
}

static int
http_mime_entry_cmp(const void *key, const void *elem)
{
	const struct http_mime_entry *e = elem;

	return strcmp(key, e->ext);
}

const char *
http_mime_type(const char *name)
{
	char ext[HTTP_MIME_EXT_MAX + 1];
	const char *base, *dot;
	const struct http_mime_entry *e;
	size_t len;

	if (name == NULL || http_mime_table.n == 0)
		return HTTP_MIME_DEFAULT;
	base = strrchr(name, '/');
	base = base != NULL ? base + 1 : name;
	/* no dot, or only the leading one of a dotfile such as ".profile" */
	if ((dot = strrchr(base, '.')) == NULL || dot == base)
		return HTTP_MIME_DEFAULT;
	len = strlen(dot + 1);
	if (len == 0 || len > HTTP_MIME_EXT_MAX)
		return HTTP_MIME_DEFAULT;
	for (size_t i = 0; i <= len; i++)
		ext[i] = http_char_lower(dot[1 + i]);
	e = bsearch(ext, http_mime_table.v, http_mime_table.n,
	    sizeof(http_mime_table.v[0]), http_mime_entry_cmp);
	return e != NULL ? e->type : HTTP_MIME_DEFAULT;
}
