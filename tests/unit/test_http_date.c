/*
 * test_http_date - IMF-fixdate out, the three HTTP date forms in, and the
 * impossible or malformed dates that must not parse.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "http_date.h"

/*
 * Parses a copy of exactly the string's bytes, with no NUL after them, so
 * that a read past len is caught by the sanitizers and valgrind.
 */
static int
parse_n(const char *s, size_t len, time_t *t)
{
	char *copy = malloc(len > 0 ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, len);
	rc = http_date_parse(copy, len, t);
	free(copy);
	return rc;
}

static int
parse(const char *s, time_t *t)
{
	return parse_n(s, strlen(s), t);
}

static void
assert_formats(time_t t, const char *want)
{
	char out[HTTP_DATE_LEN + 1];

	memset(out, 'x', sizeof(out));
	http_date_format(t, out);
	assert_string_equal(out, want);
	assert_int_equal(strlen(out), HTTP_DATE_LEN);
}

static void
assert_parses(const char *s, time_t want)
{
	time_t t = -12345;

	if (parse(s, &t) != 0) {
		print_error("\"%s\" did not parse\n", s);
		fail();
	}
	assert_int_equal(t, want);
}

static void
assert_rejects(const char *s)
{
	time_t t = -12345;

	if (parse(s, &t) != -1) {
		print_error("\"%s\" parsed as %lld\n", s, (long long)t);
		fail();
	}
	assert_int_equal(t, -12345);
}

static void
test_http_date_formats_the_epoch(void **state)
{
	(void)state;
	assert_formats(0, "Thu, 01 Jan 1970 00:00:00 GMT");
}

static void
test_http_date_formats_the_rfc_example(void **state)
{
	(void)state;
	assert_formats(784111777, "Sun, 06 Nov 1994 08:49:37 GMT");
}

static void
test_http_date_formats_a_leap_day(void **state)
{
	(void)state;
	assert_formats(1709164800, "Thu, 29 Feb 2024 00:00:00 GMT");
	assert_formats(1709210096, "Thu, 29 Feb 2024 12:34:56 GMT");
	assert_formats(1709164800 + 86400, "Fri, 01 Mar 2024 00:00:00 GMT");
	assert_formats(951782400, "Tue, 29 Feb 2000 00:00:00 GMT");
}

static void
test_http_date_formats_dates_after_2038(void **state)
{
	(void)state;
	if (sizeof(time_t) < 8)
		skip();
	assert_formats((time_t)INT64_C(2147483647),
	    "Tue, 19 Jan 2038 03:14:07 GMT");
	assert_formats((time_t)INT64_C(2147483648),
	    "Tue, 19 Jan 2038 03:14:08 GMT");
	assert_formats((time_t)INT64_C(4102444800),
	    "Fri, 01 Jan 2100 00:00:00 GMT");
	assert_formats((time_t)INT64_C(253402300799),
	    "Fri, 31 Dec 9999 23:59:59 GMT");
}

static void
test_http_date_format_clamps_to_four_digit_years(void **state)
{
	(void)state;
	if (sizeof(time_t) < 8)
		skip();
	assert_formats((time_t)INT64_C(253402300800),
	    "Fri, 31 Dec 9999 23:59:59 GMT");
	assert_formats((time_t)INT64_MAX, "Fri, 31 Dec 9999 23:59:59 GMT");
	assert_formats((time_t)INT64_MIN, "Sat, 01 Jan 0000 00:00:00 GMT");
}

static void
test_http_date_formats_times_before_1970(void **state)
{
	(void)state;
	assert_formats(-1, "Wed, 31 Dec 1969 23:59:59 GMT");
	assert_formats(-86400, "Wed, 31 Dec 1969 00:00:00 GMT");
	assert_formats(-86401, "Tue, 30 Dec 1969 23:59:59 GMT");
}

/* Against gmtime_r, which is locale-free for the numbers we take from it. */
static void
test_http_date_format_agrees_with_gmtime(void **state)
{
	static const char *const wday[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	int64_t end = sizeof(time_t) < 8 ? INT32_MAX : INT64_C(253402300799);
	int64_t step = end / 20011;

	(void)state;
	for (int64_t v = -INT64_C(86400) * 365 * 50; v <= end; v += step) {
		time_t t = (time_t)v;
		char want[64], out[HTTP_DATE_LEN + 1];
		struct tm tm;

		assert_non_null(gmtime_r(&t, &tm));
		snprintf(want, sizeof(want),
		    "%s, %02d %s %04d %02d:%02d:%02d GMT", wday[tm.tm_wday],
		    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
		    tm.tm_hour, tm.tm_min, tm.tm_sec);
		http_date_format(t, out);
		assert_string_equal(out, want);
	}
}

static void
test_http_date_parses_the_three_forms_of_one_instant(void **state)
{
	(void)state;
	assert_parses("Sun, 06 Nov 1994 08:49:37 GMT", 784111777);
	assert_parses("Sunday, 06-Nov-94 08:49:37 GMT", 784111777);
	assert_parses("Sun Nov  6 08:49:37 1994", 784111777);
	assert_parses("Sun Nov 06 08:49:37 1994", 784111777);
}

static void
test_http_date_parses_every_weekday_name(void **state)
{
	(void)state;
	assert_parses("Mon, 02 Jan 2023 00:00:00 GMT", 1672617600);
	assert_parses("Tue, 03 Jan 2023 00:00:00 GMT", 1672704000);
	assert_parses("Wednesday, 04-Jan-23 00:00:00 GMT", 1672790400);
	assert_parses("Thursday, 05-Jan-23 00:00:00 GMT", 1672876800);
	assert_parses("Friday, 06-Jan-23 00:00:00 GMT", 1672963200);
	assert_parses("Saturday, 07-Jan-23 00:00:00 GMT", 1673049600);
	assert_parses("Sunday, 08-Jan-23 00:00:00 GMT", 1673136000);
	assert_parses("Monday, 09-Jan-23 00:00:00 GMT", 1673222400);
	assert_parses("Tuesday, 10-Jan-23 00:00:00 GMT", 1673308800);
	assert_parses("Wed Jan 11 00:00:00 2023", 1673395200);
}

static void
test_http_date_parses_a_leap_day_and_after_2038(void **state)
{
	(void)state;
	assert_parses("Thu, 29 Feb 2024 12:34:56 GMT", 1709210096);
	assert_parses("Thu Feb 29 12:34:56 2024", 1709210096);
	assert_parses("Thursday, 29-Feb-24 12:34:56 GMT", 1709210096);
	assert_parses("Tue, 29 Feb 2000 00:00:00 GMT", 951782400);
	if (sizeof(time_t) < 8) {
		assert_rejects("Fri, 01 Jan 2100 00:00:00 GMT");
		return;
	}
	assert_parses("Tue, 19 Jan 2038 03:14:08 GMT",
	    (time_t)INT64_C(2147483648));
	assert_parses("Fri, 01 Jan 2100 00:00:00 GMT",
	    (time_t)INT64_C(4102444800));
	assert_parses("Fri, 31 Dec 9999 23:59:59 GMT",
	    (time_t)INT64_C(253402300799));
}

static void
test_http_date_rfc850_years_are_1970_to_2069(void **state)
{
	(void)state;
	assert_parses("Thursday, 01-Jan-70 00:00:00 GMT", 0);
	assert_parses("Friday, 31-Dec-99 23:59:59 GMT", 946684799);
	assert_parses("Saturday, 01-Jan-00 00:00:00 GMT", 946684800);
	if (sizeof(time_t) >= 8)
		assert_parses("Tuesday, 31-Dec-69 23:59:59 GMT",
		    (time_t)INT64_C(3155759999));
}

static void
test_http_date_ignores_a_weekday_that_does_not_match(void **state)
{
	(void)state;
	assert_parses("Mon, 06 Nov 1994 08:49:37 GMT", 784111777);
	assert_parses("Friday, 06-Nov-94 08:49:37 GMT", 784111777);
	assert_parses("Sat Nov  6 08:49:37 1994", 784111777);
}

static void
test_http_date_reads_a_leap_second_as_59(void **state)
{
	(void)state;
	assert_parses("Sat, 31 Dec 2016 23:59:60 GMT", 1483228799);
	assert_parses("Sat Dec 31 23:59:60 2016", 1483228799);
	assert_rejects("Sat, 31 Dec 2016 23:59:61 GMT");
}

static void
test_http_date_round_trips(void **state)
{
	const int64_t sixty_years = INT64_C(86400) * 365 * 60;
	char out[HTTP_DATE_LEN + 1];
	int n = 0;

	(void)state;
	for (int64_t v = 0; v <= sixty_years; v += 94693, n++) {
		time_t t = (time_t)v, back = -1;

		http_date_format(t, out);
		assert_int_equal(parse(out, &back), 0);
		assert_int_equal(back, t);
	}
	assert_true(n > 19000);
}

static void
test_http_date_rejects_impossible_dates(void **state)
{
	(void)state;
	assert_rejects("Sun, 31 Feb 1994 08:49:37 GMT");
	assert_rejects("Sun, 30 Feb 2024 08:49:37 GMT");
	assert_rejects("Sun, 29 Feb 2023 08:49:37 GMT");
	assert_rejects("Sun, 29 Feb 2100 08:49:37 GMT");
	assert_rejects("Sun, 31 Apr 1994 08:49:37 GMT");
	assert_rejects("Sun, 32 Jan 1994 08:49:37 GMT");
	assert_rejects("Sun, 00 Jan 1994 08:49:37 GMT");
	assert_rejects("Sun, 06 Nov 1994 24:00:00 GMT");
	assert_rejects("Sun, 06 Nov 1994 08:60:00 GMT");
	assert_rejects("Sun, 06 Nov 1994 99:99:99 GMT");
	assert_rejects("Sunday, 31-Feb-94 08:49:37 GMT");
	assert_rejects("Sunday, 06-Nov-94 24:00:00 GMT");
	assert_rejects("Sun Feb 31 08:49:37 1994");
	assert_rejects("Sun Nov  0 08:49:37 1994");
	assert_rejects("Sun Nov 06 24:49:37 1994");
}

static void
test_http_date_rejects_years_before_1970(void **state)
{
	(void)state;
	assert_rejects("Wed, 31 Dec 1969 23:59:59 GMT");
	assert_rejects("Sat, 01 Jan 0000 00:00:00 GMT");
	assert_rejects("Wed Dec 31 23:59:59 1969");
	assert_parses("Thu, 01 Jan 1970 00:00:00 GMT", 0);
}

static void
test_http_date_rejects_malformed_dates(void **state)
{
	static const char *const bad[] = {
		"",
		"Sun",
		"garbage",
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Nov 1994 08:49:37 gmt",
		"Sun, 06 Nov 1994 08:49:37 +0000",
		"Sun, 06 Nov 1994 08:49:37",
		"Sun, 06 nov 1994 08:49:37 GMT",
		"Sun, 06 NOV 1994 08:49:37 GMT",
		"sun, 06 Nov 1994 08:49:37 GMT",
		"Sux, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nox 1994 08:49:37 GMT",
		"Sun,  06 Nov 1994 08:49:37 GMT",
		"Sun, 06  Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov  1994 08:49:37 GMT",
		"Sun, 06 Nov 1994  08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37  GMT",
		" Sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT ",
		"Sun, 06 Nov 1994 08:49:37 GMT\r\n",
		"Sun,06 Nov 1994 08:49:37 GMT",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun,  6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 Nov 01994 08:49:37 GMT",
		"Sun, 06 Nov 1994 8:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:7 GMT",
		"Sun, 06 Nov 1994 08.49.37 GMT",
		"Sun, 06 Nov 1994 08:49:3x GMT",
		"Sun, 0x Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 19x4 08:49:37 GMT",
		"Sun, -6 Nov 1994 08:49:37 GMT",
		"Sun, 06-Nov-1994 08:49:37 GMT",
		"Sun\t06 Nov 1994 08:49:37 GMT",
		"Sun, 06\tNov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37\tGMT",
		"Sunday, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sunday, 6-Nov-94 08:49:37 GMT",
		"Sunday,  06-Nov-94 08:49:37 GMT",
		"Sunday, 06-nov-94 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 UTC",
		"Sunday, 06-Nov-94 08:49:37",
		"Sunday, 06-Nov-94 08:49:37 GMT ",
		"Sunday, 06 Nov 94 08:49:37 GMT",
		"Sunday 06-Nov-94 08:49:37 GMT",
		"sunday, 06-Nov-94 08:49:37 GMT",
		"Sundae, 06-Nov-94 08:49:37 GMT",
		"Sun, 06-Nov-94 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994",
		"Sun Nov   6 08:49:37 1994",
		"Sun Nov  6  08:49:37 1994",
		"Sun Nov  6 08:49:37  1994",
		"Sun Nov  6 08:49:37 94",
		"Sun Nov  6 08:49:37 1994 ",
		"Sun Nov  6 08:49:37 1994 GMT",
		"Sun nov  6 08:49:37 1994",
		"Sun  Nov 6 08:49:37 1994",
		"Sun Nov 6  08:49:37 1994",
		"Sun Nov  x 08:49:37 1994",
		"Sun Nov x6 08:49:37 1994",
		"Sun Nov 6x 08:49:37 1994",
		"Sun Nov  6 08:49:37 199x",
		"Sun Nov\t 6 08:49:37 1994",
		"1994-11-06T08:49:37Z",
		"784111777",
		"Sun, 06 Nov 1994 08:49:37 GMTSun, 06 Nov 1994 08:49:37 GMT",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_rejects(bad[i]);
}

static void
test_http_date_rejects_an_embedded_nul(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(parse_n("Sun, 06 Nov 1994 08:49:37 GM\0", 29, &t),
	    -1);
	assert_int_equal(parse_n("Sun, 06 Nov 1994\0" "08:49:37 GMT", 29,
	    &t),
	    -1);
	assert_int_equal(parse_n("Sun Nov \0006 08:49:37 1994", 24, &t), -1);
}

static void
test_http_date_rejects_every_truncation(void **state)
{
	static const char *const good[] = {
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Wednesday, 09-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
		"Sun Nov 16 08:49:37 1994",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t len = strlen(good[i]);
		time_t t;

		assert_int_equal(parse_n(good[i], len, &t), 0);
		for (size_t n = 0; n < len; n++) {
			/* the head of the string, and its tail */
			assert_int_equal(parse_n(good[i], n, &t), -1);
			assert_int_equal(parse_n(good[i] + len - n, n, &t),
			    -1);
		}
	}
}

static void
test_http_date_null_does_not_parse(void **state)
{
	time_t t;

	(void)state;
	assert_int_equal(http_date_parse(NULL, 0, &t), -1);
	assert_int_equal(http_date_parse(NULL, 29, &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_date_formats_the_epoch),
		cmocka_unit_test(test_http_date_formats_the_rfc_example),
		cmocka_unit_test(test_http_date_formats_a_leap_day),
		cmocka_unit_test(test_http_date_formats_dates_after_2038),
		cmocka_unit_test(
		    test_http_date_format_clamps_to_four_digit_years),
		cmocka_unit_test(test_http_date_formats_times_before_1970),
		cmocka_unit_test(test_http_date_format_agrees_with_gmtime),
		cmocka_unit_test(
		    test_http_date_parses_the_three_forms_of_one_instant),
		cmocka_unit_test(test_http_date_parses_every_weekday_name),
		cmocka_unit_test(
		    test_http_date_parses_a_leap_day_and_after_2038),
		cmocka_unit_test(test_http_date_rfc850_years_are_1970_to_2069),
		cmocka_unit_test(
		    test_http_date_ignores_a_weekday_that_does_not_match),
		cmocka_unit_test(test_http_date_reads_a_leap_second_as_59),
		cmocka_unit_test(test_http_date_round_trips),
		cmocka_unit_test(test_http_date_rejects_impossible_dates),
		cmocka_unit_test(test_http_date_rejects_years_before_1970),
		cmocka_unit_test(test_http_date_rejects_malformed_dates),
		cmocka_unit_test(test_http_date_rejects_an_embedded_nul),
		cmocka_unit_test(test_http_date_rejects_every_truncation),
		cmocka_unit_test(test_http_date_null_does_not_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
