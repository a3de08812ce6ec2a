/*
 * test_http_mime - reading mime.types, the lookup by extension, the
 * built-in table and the fall back to it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "http_mime.h"

#define UTF8	"; charset=utf-8"

static const char sample[] =
	"# mime.types for the tests\n"
	"\n"
	"   \n"
	"\t\n"
	"text/html\t\t\thtml htm\t# the web\n"
	"text/plain txt TEXT txt\n"
	"application/json json\r\n"
	"image/png\tpng PNG Png\n"
	"  image/gif gif  \n"
	"text/x-first dup\n"
	"text/x-second dup html second\n"
	"application/x-no-extensions\n"
	"application/x-commented # ext1 ext2\n"
	"# application/x-commented-out cmt\n"
	"notatype foo\n"
	"/nobase bad1\n"
	"nosub/ bad2\n"
	"a/b/c bad3\n"
	"text/ht\001ml bad4\n"
	"application/x-long "
	    "abcdefghijklmnopqrstuvwxyz0123456 "		/* 33 */
	    "abcdefghijklmnopqrstuvwxyz012345\n"		/* 32 */
	"application/gzip gz tgz\n"
	"application/x-tar tar\n"
	"image/svg+xml svg svgz\n"
	"application/javascript js\n"
	"application/xml xml\n"
	"Text/X-Mixed MiXeD\n"
	"application/jsonl jsonl\n"
	"last/line-without-newline lastext";

/* html htm txt text json png gif dup second 32-byte gz tgz tar svg svgz js
 * xml mixed jsonl lastext */
#define SAMPLE_EXTENSIONS	20

static int
load_string(const char *s)
{
	FILE *fp = fmemopen((void *)s, strlen(s), "r");
	int n;

	assert_non_null(fp);
	n = http_mime_load(fp);
	fclose(fp);
	return n;
}

static int
setup_sample(void **state)
{
	(void)state;
	return load_string(sample) == SAMPLE_EXTENSIONS ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	http_mime_free();
	return 0;
}

static void
test_http_mime_load_counts_distinct_extensions(void **state)
{
	(void)state;
	assert_int_equal(load_string(sample), SAMPLE_EXTENSIONS);
	/* a reload replaces the table rather than adding to it */
	assert_int_equal(load_string(sample), SAMPLE_EXTENSIONS);
	assert_int_equal(load_string("text/plain a b c\n"), 3);
	assert_string_equal(http_mime_type("x.a"), "text/plain" UTF8);
	assert_string_equal(http_mime_type("x.html"), HTTP_MIME_DEFAULT);
}

static void
test_http_mime_reads_types_and_extensions(void **state)
{
	(void)state;
	assert_string_equal(http_mime_type("index.html"), "text/html" UTF8);
	assert_string_equal(http_mime_type("index.htm"), "text/html" UTF8);
	assert_string_equal(http_mime_type("a.txt"), "text/plain" UTF8);
	assert_string_equal(http_mime_type("a.text"), "text/plain" UTF8);
	assert_string_equal(http_mime_type("a.gif"), "image/gif");
	assert_string_equal(http_mime_type("a.tar"), "application/x-tar");
	assert_string_equal(http_mime_type("a.lastext"),
	    "last/line-without-newline");
}

static void
test_http_mime_skips_comments_and_bad_lines(void **state)
{
	static const char *const skipped[] = {
		"a.ext1", "a.ext2", "a.cmt", "a.foo", "a.bad1", "a.bad2",
		"a.bad3", "a.bad4", "a.abcdefghijklmnopqrstuvwxyz0123456",
		"a.#", "a.the", "a.web", "a.application",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		assert_string_equal(http_mime_type(skipped[i]),
		    HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type(
	    "a.abcdefghijklmnopqrstuvwxyz012345"), "application/x-long");
}

static void
test_http_mime_the_first_line_wins_for_an_extension(void **state)
{
	(void)state;
	assert_string_equal(http_mime_type("a.dup"), "text/x-first" UTF8);
	assert_string_equal(http_mime_type("a.html"), "text/html" UTF8);
	assert_string_equal(http_mime_type("a.second"), "text/x-second" UTF8);
}

static void
test_http_mime_lookup_is_case_insensitive(void **state)
{
	(void)state;
	assert_string_equal(http_mime_type("INDEX.HTML"), "text/html" UTF8);
	assert_string_equal(http_mime_type("a.HtM"), "text/html" UTF8);
	assert_string_equal(http_mime_type("a.png"), "image/png");
	assert_string_equal(http_mime_type("a.PNG"), "image/png");
	assert_string_equal(http_mime_type("a.mixed"),
	    "Text/X-Mixed" UTF8);
	assert_string_equal(http_mime_type("a.MIXED"),
	    "Text/X-Mixed" UTF8);
}

static void
test_http_mime_uses_the_last_dot_of_the_last_component(void **state)
{
	(void)state;
	assert_string_equal(http_mime_type("/var/www/site/index.html"),
	    "text/html" UTF8);
	assert_string_equal(http_mime_type("a.tar.gz"), "application/gzip");
	assert_string_equal(http_mime_type("dl/a.b.tgz"), "application/gzip");
	assert_string_equal(http_mime_type("dir.html/README"),
	    HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("dir.html/"), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("a.html.orig"), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("x..json"), "application/json"
	    UTF8);
}

static void
test_http_mime_without_an_extension_is_the_default(void **state)
{
	(void)state;
	assert_string_equal(http_mime_type("README"), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type(""), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("/"), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type(NULL), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("file."), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("dir/file."), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("."), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type(".."), HTTP_MIME_DEFAULT);
	/* a dotfile's only dot starts its name */
	assert_string_equal(http_mime_type(".html"), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("/home/u/.html"),
	    HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type(".profile"), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type(".config.json"),
	    "application/json" UTF8);
}

static void
test_http_mime_a_too_long_extension_is_the_default(void **state)
{
	(void)state;
	/* 33 bytes, whose first 32 are a known extension */
	assert_string_equal(http_mime_type(
	    "a.abcdefghijklmnopqrstuvwxyz0123456"), HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type(
	    "a.ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"), "application/x-long");
	assert_string_equal(http_mime_type("a.htmlhtmlhtmlhtmlhtmlhtmlhtml"
	    "htmlhtmlhtmlhtmlhtmlhtmlhtmlhtmlhtmlhtmlhtml"),
	    HTTP_MIME_DEFAULT);
}

static void
test_http_mime_charset_only_for_text_types(void **state)
{
	(void)state;
	assert_string_equal(http_mime_type("a.html"), "text/html" UTF8);
	assert_string_equal(http_mime_type("a.json"), "application/json"
	    UTF8);
	assert_string_equal(http_mime_type("a.js"), "application/javascript"
	    UTF8);
	assert_string_equal(http_mime_type("a.xml"), "application/xml" UTF8);
	assert_string_equal(http_mime_type("a.svg"), "image/svg+xml" UTF8);
	assert_string_equal(http_mime_type("a.png"), "image/png");
	assert_string_equal(http_mime_type("a.gz"), "application/gzip");
	/* a prefix of a text type is not one */
	assert_string_equal(http_mime_type("a.jsonl"), "application/jsonl");
}

static void
test_http_mime_lookups_return_the_same_string(void **state)
{
	(void)state;
	/* stored ready-made: no formatting, one string per type */
	assert_ptr_equal(http_mime_type("a.html"), http_mime_type("b.htm"));
	assert_ptr_equal(http_mime_type("a.gz"), http_mime_type("b.tgz"));
}

static void
test_http_mime_an_empty_stream_gives_an_empty_table(void **state)
{
	(void)state;
	assert_int_equal(load_string(""), 0);
	assert_string_equal(http_mime_type("a.html"), HTTP_MIME_DEFAULT);
	assert_int_equal(load_string("# only\n\ntext/plain\nfoo bar\n"), 0);
	assert_string_equal(http_mime_type("a.bar"), HTTP_MIME_DEFAULT);
}

static void
test_http_mime_a_read_error_keeps_the_table(void **state)
{
	FILE *fp = fopen("/dev/null", "we");

	(void)state;
	assert_non_null(fp);
	assert_int_equal(http_mime_load(fp), -1);	/* not readable */
	fclose(fp);
	assert_string_equal(http_mime_type("a.dup"), "text/x-first" UTF8);
}

static const char *const builtin_extensions[] = {
	"html", "htm", "css", "js", "mjs", "json", "xml", "txt", "md", "csv",
	"svg", "png", "jpg", "jpeg", "gif", "webp", "ico", "avif", "bmp",
	"tif", "tiff", "woff", "woff2", "ttf", "otf", "eot", "pdf", "zip",
	"gz", "tgz", "bz2", "xz", "zst", "tar", "7z", "wasm", "mp3", "ogg",
	"oga", "opus", "wav", "flac", "mp4", "m4a", "m4v", "webm", "mkv",
	"mov", "avi", "mpeg", "mpg", "iso", "deb", "rpm", "apk", "exe", "dmg",
	"sh", "c", "h", "py", "rs", "go", "java", "rtf", "doc", "docx", "xls",
	"xlsx", "ppt", "pptx", "odt", "ods", "odp", "epub",
};

#define NBUILTIN \
	(sizeof(builtin_extensions) / sizeof(builtin_extensions[0]))

/* Every listed extension is found: the hand-sorted table is sorted. */
static void
assert_builtin_table(void)
{
	char name[64];

	for (size_t i = 0; i < NBUILTIN; i++) {
		const char *type;

		snprintf(name, sizeof(name), "dir/file.%s",
		    builtin_extensions[i]);
		type = http_mime_type(name);
		if (strcmp(type, HTTP_MIME_DEFAULT) == 0) {
			print_error("%s: not in the built-in table\n", name);
			fail();
		}
		assert_non_null(strchr(type, '/'));
		/* and in upper case */
		for (char *p = strrchr(name, '.'); *p != '\0'; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		assert_string_equal(http_mime_type(name), type);
	}
	assert_string_equal(http_mime_type("index.html"), "text/html" UTF8);
	assert_string_equal(http_mime_type("style.css"), "text/css" UTF8);
	assert_string_equal(http_mime_type("app.js"), "text/javascript" UTF8);
	assert_string_equal(http_mime_type("a.json"), "application/json"
	    UTF8);
	assert_string_equal(http_mime_type("logo.svg"), "image/svg+xml" UTF8);
	assert_string_equal(http_mime_type("a.png"), "image/png");
	assert_string_equal(http_mime_type("a.JPG"), "image/jpeg");
	assert_string_equal(http_mime_type("a.tar.gz"), "application/gzip");
	assert_string_equal(http_mime_type("a.woff2"), "font/woff2");
	assert_string_equal(http_mime_type("a.mp4"), "video/mp4");
	assert_string_equal(http_mime_type("a.pdf"), "application/pdf");
	assert_string_equal(http_mime_type("main.c"), "text/x-csrc" UTF8);
	assert_string_equal(http_mime_type("a.unknownext"),
	    HTTP_MIME_DEFAULT);
	assert_string_equal(http_mime_type("Makefile"), HTTP_MIME_DEFAULT);
}

static void
test_http_mime_builtin_table(void **state)
{
	(void)state;
	http_mime_builtin();
	assert_builtin_table();
}

static void
test_http_mime_starts_with_the_builtin_table(void **state)
{
	(void)state;
	/* before any load, and after http_mime_free */
	assert_builtin_table();
	assert_int_equal(load_string("text/x-other html\n"), 1);
	http_mime_free();
	assert_builtin_table();
}

static void
test_http_mime_init_falls_back_to_the_builtin_table(void **state)
{
	int n;

	(void)state;
	assert_int_equal(load_string("text/x-other html\n"), 1);
	n = http_mime_init("/nonexistent/preforkd/mime.types");
	assert_true(n >= (int)NBUILTIN);
	assert_builtin_table();
	/* a readable file with nothing in it */
	assert_int_equal(load_string("text/x-other html\n"), 1);
	assert_int_equal(http_mime_init("/dev/null"), n);
	assert_builtin_table();
	/* a directory: fopen works, reading fails */
	assert_int_equal(http_mime_init("/"), n);
	assert_builtin_table();
	assert_int_equal(http_mime_init(NULL), n);
	assert_builtin_table();
}

static void
test_http_mime_init_reads_the_system_file(void **state)
{
	int n;

	(void)state;
	if (access(HTTP_MIME_FILE, R_OK) != 0)
		skip();
	n = http_mime_init(HTTP_MIME_FILE);
	assert_true(n > 100);
	assert_string_equal(http_mime_type("index.html"), "text/html" UTF8);
	assert_string_equal(http_mime_type("a.png"), "image/png");
	assert_string_equal(http_mime_type("a.json"), "application/json"
	    UTF8);
	assert_string_equal(http_mime_type("a.unknownext"),
	    HTTP_MIME_DEFAULT);
	/* and again: the first table is freed (valgrind checks) */
	assert_int_equal(http_mime_init(HTTP_MIME_FILE), n);
}

static void
test_http_mime_free_and_reload_leave_nothing_behind(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(load_string(sample), SAMPLE_EXTENSIONS);
		assert_int_equal(load_string(sample), SAMPLE_EXTENSIONS);
		http_mime_free();
		http_mime_free();	/* twice is harmless */
		assert_int_equal(load_string(sample), SAMPLE_EXTENSIONS);
		http_mime_builtin();
		assert_int_equal(load_string(sample), SAMPLE_EXTENSIONS);
		assert_string_equal(http_mime_type("a.dup"),
		    "text/x-first" UTF8);
	}
}

/* Many extensions: the arrays and the pool grow more than once. */
static void
test_http_mime_loads_a_large_file(void **state)
{
	static char big[200000];
	size_t off = 0;
	char name[32];

	(void)state;
	for (int i = 0; i < 5000; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off,
		    "type%d/sub e%d E%d x%d\n", i, i, i, 4999 - i);
	assert_true(off < sizeof(big) - 1);
	/* e<i> twice on one line counts once; x<i> is first seen at 4999-i */
	assert_int_equal(load_string(big), 10000);
	snprintf(name, sizeof(name), "f.e%d", 1234);
	assert_string_equal(http_mime_type(name), "type1234/sub");
	snprintf(name, sizeof(name), "f.x%d", 0);
	assert_string_equal(http_mime_type(name), "type4999/sub");
	snprintf(name, sizeof(name), "f.X%d", 4999);
	assert_string_equal(http_mime_type(name), "type0/sub");
}

#define S(f)	cmocka_unit_test_setup_teardown(f, setup_sample, teardown)
#define T(f)	cmocka_unit_test_teardown(f, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_http_mime_load_counts_distinct_extensions),
		S(test_http_mime_reads_types_and_extensions),
		S(test_http_mime_skips_comments_and_bad_lines),
		S(test_http_mime_the_first_line_wins_for_an_extension),
		S(test_http_mime_lookup_is_case_insensitive),
		S(test_http_mime_uses_the_last_dot_of_the_last_component),
		S(test_http_mime_without_an_extension_is_the_default),
		S(test_http_mime_a_too_long_extension_is_the_default),
		S(test_http_mime_charset_only_for_text_types),
		S(test_http_mime_lookups_return_the_same_string),
		S(test_http_mime_an_empty_stream_gives_an_empty_table),
		S(test_http_mime_a_read_error_keeps_the_table),
		T(test_http_mime_builtin_table),
		T(test_http_mime_starts_with_the_builtin_table),
		T(test_http_mime_init_falls_back_to_the_builtin_table),
		T(test_http_mime_init_reads_the_system_file),
		T(test_http_mime_free_and_reload_leave_nothing_behind),
		T(test_http_mime_loads_a_large_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
