/*
 * test_http_range - which Range values give 206, which 416 and which are
 * ignored (200), over a table of values and file sizes.
 */
#include "config.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http_range.h"

#define NONE	HTTP_RANGE_NONE
#define OK	HTTP_RANGE_OK
#define UNSAT	HTTP_RANGE_UNSATISFIABLE

struct range_case {
	const char *value;
	uint64_t size;
	enum http_range_result want;
	uint64_t first;
	uint64_t last;
};

static const struct range_case range_cases[] = {
	/* first-last */
	{ "bytes=0-0", 10, OK, 0, 0 },
	{ "bytes=0-9", 10, OK, 0, 9 },
	{ "bytes=2-5", 10, OK, 2, 5 },
	{ "bytes=9-9", 10, OK, 9, 9 },
	{ "bytes=0-99", 10, OK, 0, 9 },
	{ "bytes=3-18446744073709551615", 10, OK, 3, 9 },
	{ "bytes=5-3", 10, NONE, 0, 0 },
	{ "bytes=10-10", 10, UNSAT, 0, 0 },
	{ "bytes=10-20", 10, UNSAT, 0, 0 },
	{ "bytes=0-0", 1, OK, 0, 0 },
	{ "bytes=007-008", 10, OK, 7, 8 },
	/* first- */
	{ "bytes=0-", 10, OK, 0, 9 },
	{ "bytes=4-", 10, OK, 4, 9 },
	{ "bytes=9-", 10, OK, 9, 9 },
	{ "bytes=10-", 10, UNSAT, 0, 0 },
	{ "bytes=11-", 10, UNSAT, 0, 0 },
	/* -suffix */
	{ "bytes=-1", 10, OK, 9, 9 },
	{ "bytes=-5", 10, OK, 5, 9 },
	{ "bytes=-10", 10, OK, 0, 9 },
	{ "bytes=-5", 3, OK, 0, 2 },
	{ "bytes=-18446744073709551615", 3, OK, 0, 2 },
	{ "bytes=-0", 10, UNSAT, 0, 0 },
	{ "bytes=-000", 10, UNSAT, 0, 0 },
	/* an empty file: every valid single range is unsatisfiable */
	{ "bytes=0-0", 0, UNSAT, 0, 0 },
	{ "bytes=0-", 0, UNSAT, 0, 0 },
	{ "bytes=-1", 0, UNSAT, 0, 0 },
	{ "bytes=-0", 0, UNSAT, 0, 0 },
	{ "bytes=5-3", 0, NONE, 0, 0 },
	{ "bytes=0-1,3-4", 0, NONE, 0, 0 },
	/* the unit, any case; no whitespace around "=" */
	{ "BYTES=1-2", 10, OK, 1, 2 },
	{ "Bytes=1-2", 10, OK, 1, 2 },
	{ "bYtEs=-2", 10, OK, 8, 9 },
	{ "bytes =1-2", 10, NONE, 0, 0 },
	{ "bytes\t=1-2", 10, NONE, 0, 0 },
	{ " bytes=1-2", 10, NONE, 0, 0 },
	{ "byte=1-2", 10, NONE, 0, 0 },
	{ "bytess=1-2", 10, NONE, 0, 0 },
	{ "items=0-1", 10, NONE, 0, 0 },
	{ "bytes\x1d" "1-2", 10, NONE, 0, 0 },	/* 0x1d | 0x20 is '=' */
	/* whitespace around the range-spec */
	{ "bytes= 1-2", 10, OK, 1, 2 },
	{ "bytes=\t1-2\t", 10, OK, 1, 2 },
	{ "bytes= \t 1-2 \t ", 10, OK, 1, 2 },
	{ "bytes= -3 ", 10, OK, 7, 9 },
	{ "bytes= 3- ", 10, OK, 3, 9 },
	{ "bytes=1 -2", 10, NONE, 0, 0 },
	{ "bytes=1- 2", 10, NONE, 0, 0 },
	{ "bytes=- 2", 10, NONE, 0, 0 },
	{ "bytes=1-2\r", 10, NONE, 0, 0 },
	{ "bytes=1-2\n", 10, NONE, 0, 0 },
	/* several ranges: the whole file */
	{ "bytes=0-1,3-4", 10, NONE, 0, 0 },
	{ "bytes=0-1, 3-4", 10, NONE, 0, 0 },
	{ "bytes=0-1,", 10, NONE, 0, 0 },
	{ "bytes=,0-1", 10, NONE, 0, 0 },
	{ "bytes=-1,-2", 10, NONE, 0, 0 },
	/* syntax errors */
	{ "", 10, NONE, 0, 0 },
	{ "bytes", 10, NONE, 0, 0 },
	{ "bytes=", 10, NONE, 0, 0 },
	{ "bytes= ", 10, NONE, 0, 0 },
	{ "bytes=-", 10, NONE, 0, 0 },
	{ "bytes=--1", 10, NONE, 0, 0 },
	{ "bytes=1", 10, NONE, 0, 0 },
	{ "bytes=a-b", 10, NONE, 0, 0 },
	{ "bytes=1-b", 10, NONE, 0, 0 },
	{ "bytes=1-2-3", 10, NONE, 0, 0 },
	{ "bytes=-5-", 10, NONE, 0, 0 },
	{ "bytes=+1-2", 10, NONE, 0, 0 },
	{ "bytes=1-+2", 10, NONE, 0, 0 },
	{ "bytes=0x1-2", 10, NONE, 0, 0 },
	{ "bytes=1.0-2", 10, NONE, 0, 0 },
	{ "bytes==1-2", 10, NONE, 0, 0 },
	{ "bytes=1-2;", 10, NONE, 0, 0 },
	/* numbers past 2^64 - 1 make the header invalid */
	{ "bytes=18446744073709551616-", 10, NONE, 0, 0 },
	{ "bytes=0-18446744073709551616", 10, NONE, 0, 0 },
	{ "bytes=-18446744073709551616", 10, NONE, 0, 0 },
	{ "bytes=0-99999999999999999999999", 10, NONE, 0, 0 },
	{ "bytes=18446744073709551615-", 10, UNSAT, 0, 0 },
	{ "bytes=18446744073709551614-", UINT64_MAX, OK,
	    UINT64_MAX - 1, UINT64_MAX - 1 },
	{ "bytes=-1", UINT64_MAX, OK, UINT64_MAX - 1, UINT64_MAX - 1 },
	{ "bytes=0-", UINT64_MAX, OK, 0, UINT64_MAX - 1 },
};

static void
test_http_range_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]);
	    i++) {
		const struct range_case *c = &range_cases[i];
		uint64_t first = 12345, last = 67890;
		enum http_range_result got;

		got = http_range_parse(c->value, strlen(c->value), c->size,
		    &first, &last);
		if (got != c->want) {
			print_error("\"%s\" of %" PRIu64 " bytes: got %d, "
			    "want %d\n", c->value, c->size, got, c->want);
			fail();
		}
		if (c->want == OK) {
			assert_int_equal(first, c->first);
			assert_int_equal(last, c->last);
		} else {
			/* untouched when there is no range to send */
			assert_int_equal(first, 12345);
			assert_int_equal(last, 67890);
		}
	}
}

static void
test_http_range_null_is_no_header(void **state)
{
	uint64_t first = 1, last = 2;

	(void)state;
	assert_int_equal(http_range_parse(NULL, 0, 10, &first, &last), NONE);
	assert_int_equal(http_range_parse(NULL, 9, 10, &first, &last), NONE);
	assert_int_equal(first, 1);
	assert_int_equal(last, 2);
}

static void
test_http_range_reads_only_len_bytes(void **state)
{
	const char buf[] = "bytes=1-2,5-6";
	uint64_t first, last;

	(void)state;
	/* the value is a piece of the request buffer, not a C string */
	assert_int_equal(http_range_parse(buf, 9, 10, &first, &last), OK);
	assert_int_equal(first, 1);
	assert_int_equal(last, 2);
	assert_int_equal(http_range_parse(buf, 8, 10, &first, &last), OK);
	assert_int_equal(first, 1);
	assert_int_equal(last, 9);
	assert_int_equal(http_range_parse(buf, 7, 10, &first, &last), NONE);
	assert_int_equal(http_range_parse(buf, 0, 10, &first, &last), NONE);
	assert_int_equal(http_range_parse(buf, sizeof(buf) - 1, 10, &first,
	    &last), NONE);
}

static void
test_http_range_embedded_nul_is_not_the_end(void **state)
{
	const char buf[] = "bytes=1-2\0junk";
	uint64_t first, last;

	(void)state;
	assert_int_equal(http_range_parse(buf, sizeof(buf) - 1, 10, &first,
	    &last), NONE);
}

/* Every range of every small file: 206 exactly when it selects a byte. */
static void
test_http_range_agrees_with_a_brute_force_model(void **state)
{
	char value[64];

	(void)state;
	for (uint64_t size = 0; size < 6; size++)
		for (uint64_t a = 0; a < 8; a++)
			for (uint64_t b = 0; b < 8; b++) {
				uint64_t first, last;
				int len = snprintf(value, sizeof(value),
				    "bytes=%" PRIu64 "-%" PRIu64, a, b);
				enum http_range_result got =
				    http_range_parse(value, (size_t)len, size,
				    &first, &last);

				if (a > b) {
					assert_int_equal(got, NONE);
				} else if (a >= size) {
					assert_int_equal(got, UNSAT);
				} else {
					assert_int_equal(got, OK);
					assert_int_equal(first, a);
					assert_int_equal(last,
					    b < size ? b : size - 1);
				}
			}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_range_table),
		cmocka_unit_test(test_http_range_null_is_no_header),
		cmocka_unit_test(test_http_range_reads_only_len_bytes),
		cmocka_unit_test(test_http_range_embedded_nul_is_not_the_end),
		cmocka_unit_test(
		    test_http_range_agrees_with_a_brute_force_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
