/*
 * test_http_reply - response heads, byte for byte: the status line, Date,
 * Server, the handler's fields in order, Content-Type, Content-Length (not
 * for 304), the Connection field each version and choice needs, and a
 * head that does not fit is refused whole, never cut.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http_date.h"
#include "http_reply.h"

#define SERVER	"Server: preforkd/" PACKAGE_VERSION "\r\n"

/* "Date: <now>\r\n", as the head must carry it. */
static void
date_line(char *buf, size_t len)
{
	char date[HTTP_DATE_LEN + 1];

	http_date_format(time(NULL), date);
	snprintf(buf, len, "Date: %s\r\n", date);
}

/* The head of rp, checked against want with its Date line in place of
 * "@DATE@" (retried once if the second turned meanwhile). */
static void
assert_head(const struct http_reply *rp, int minor, bool keep,
    const char *want)
{
	char head[HTTP_HEAD_MAX], expect[HTTP_HEAD_MAX], date[64];
	const char *at = strstr(want, "@DATE@");
	size_t n;

	for (int attempt = 0; attempt < 2; attempt++) {
		date_line(date, sizeof(date));
		n = http_reply_head(rp, minor, keep, head, sizeof(head));
		assert_true(at != NULL);
		snprintf(expect, sizeof(expect), "%.*s%s%s", (int)(at - want),
		    want, date, at + strlen("@DATE@"));
		if (n == strlen(expect) && memcmp(head, expect, n) == 0)
			return;
	}
	head[n < sizeof(head) ? n : sizeof(head) - 1] = '\0';
	assert_string_equal(head, expect);
}

static void
test_a_file_head_with_fields_type_and_length(void **state)
{
	struct http_reply rp;

	(void)state;
	http_reply_init(&rp);
	rp.status = 200;
	assert_true(http_reply_field(&rp, "ETag", "%s", "\"1-2\""));
	assert_true(http_reply_field_str(&rp, "Accept-Ranges", "bytes"));
	rp.content_type = "text/plain; charset=utf-8";
	rp.length = 4096;
	assert_head(&rp, 1, true, "HTTP/1.1 200 OK\r\n@DATE@" SERVER
	    "ETag: \"1-2\"\r\nAccept-Ranges: bytes\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 4096\r\n\r\n");
	assert_head(&rp, 1, false, "HTTP/1.1 200 OK\r\n@DATE@" SERVER
	    "ETag: \"1-2\"\r\nAccept-Ranges: bytes\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 4096\r\nConnection: close\r\n\r\n");
	assert_head(&rp, 0, true, "HTTP/1.0 200 OK\r\n@DATE@" SERVER
	    "ETag: \"1-2\"\r\nAccept-Ranges: bytes\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 4096\r\nConnection: keep-alive\r\n\r\n");
	http_reply_done(&rp);
}

static void
test_no_length_for_304_and_the_largest_length_for_206(void **state)
{
	struct http_reply rp;

	(void)state;
	http_reply_init(&rp);
	rp.status = 304;
	rp.no_length = true;
	assert_head(&rp, 1, true, "HTTP/1.1 304 Not Modified\r\n@DATE@" SERVER
	    "\r\n");
	rp.status = 206;
	rp.no_length = false;
	rp.length = 18446744073709551615ULL;
	assert_head(&rp, 1, true, "HTTP/1.1 206 Partial Content\r\n@DATE@"
	    SERVER "Content-Length: 18446744073709551615\r\n\r\n");
	http_reply_done(&rp);
}

static void
test_a_head_that_does_not_fit_is_refused_whole(void **state)
{
	struct http_reply rp;
	char head[HTTP_HEAD_MAX];
	size_t full;

	(void)state;
	http_reply_init(&rp);
	rp.status = 200;
	rp.length = 1;
	full = http_reply_head(&rp, 1, true, head, sizeof(head));
	assert_true(full > 0);
	for (size_t len = 0; len <= full; len++)
		assert_int_equal(http_reply_head(&rp, 1, true, head, len), 0);
	assert_int_equal(http_reply_head(&rp, 1, true, head, full + 1), full);
	http_reply_done(&rp);
}

static void
test_a_field_that_does_not_fit_is_left_out_and_said(void **state)
{
	struct http_reply rp;
	char big[HTTP_FIELDS_MAX];

	(void)state;
	http_reply_init(&rp);
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(http_reply_field_str(&rp, "A", "1"));
	assert_false(http_reply_field_str(&rp, "Big", big));
	assert_true(rp.fields_full);
	assert_false(http_reply_field(&rp, "Big", "%s", big));
	assert_int_equal(rp.fields_len, strlen("A: 1\r\n"));
	assert_memory_equal(rp.fields, "A: 1\r\n", rp.fields_len);
	http_reply_done(&rp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_file_head_with_fields_type_and_length),
		cmocka_unit_test(test_no_length_for_304_and_the_largest_length_for_206),
		cmocka_unit_test(test_a_head_that_does_not_fit_is_refused_whole),
		cmocka_unit_test(test_a_field_that_does_not_fit_is_left_out_and_said),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
