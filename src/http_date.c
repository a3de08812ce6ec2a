/*
 * http_date - HTTP dates (RFC 9110 section 5.6.7).
 *
 * Owns nothing: the calendar arithmetic is done here on integers (Howard
 * Hinnant's days-from-civil and civil-from-days, proleptic Gregorian, UTC
 * with no leap seconds, as time_t is), so neither the locale, nor TZ, nor
 * a libc's tolerance for odd struct tm fields can change a result.
 *
 * Parsing is strict where the grammar is exact: case-sensitive names,
 * single spaces, two-digit fields, "GMT".  Choices the RFC leaves open:
 * - the weekday must be a weekday name but need not be the date's
 *   (section 5.6.7 lets a recipient ignore it, and it adds nothing);
 * - second 60 (a leap second, which IMF-fixdate allows) is read as 59 of
 *   the same minute, since time_t cannot name it;
 * - years before 1970 do not parse: no file or cache entry we compare a
 *   date with is older, and a negative time_t is nothing to compare;
 * - an RFC 850 two-digit year is 1970-2069, a fixed window, so a parse
 *   does not depend on the clock.
 * Formatting writes a four-digit year, so times before year 0 or after
 * 9999 are clamped to those years' ends.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "http_date.h"

#define HTTP_DATE_DAY		86400
/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define HTTP_DATE_MIN		INT64_C(-62167219200)
#define HTTP_DATE_MAX		INT64_C(253402300799)

#define HTTP_DATE_ASCTIME_LEN	24	/* "Sun Nov  6 08:49:37 1994" */

static const char http_date_wday[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const char *const http_date_weekday[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday",
};

static const char http_date_month[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

struct http_date_fields {
	int year, mon, day;	/* mon 1-12 */
	int hour, min, sec;
};

/* Days since 1970-01-01 of a proleptic Gregorian date; mon 1-12. */
static int64_t
http_date_days_from_civil(int64_t y, int mon, int day)
{
	int64_t era, yoe, doy, doe;

	y -= mon <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
http_date_civil_from_days(int64_t z, struct http_date_fields *f)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	f->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	f->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	f->year = (int)(yoe + era * 400 + (f->mon <= 2));
}

static bool
http_date_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
http_date_month_days(int y, int mon)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	return mon == 2 && http_date_leap(y) ? 29 : days[mon - 1];
}

static char *
http_date_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *
http_date_put_num(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

void
http_date_format(time_t t, char out[HTTP_DATE_LEN + 1])
{
	int64_t s = (int64_t)t, days, rem;
	struct http_date_fields f;
	char *p = out;

	if (s < HTTP_DATE_MIN)
		s = HTTP_DATE_MIN;
	if (s > HTTP_DATE_MAX)
		s = HTTP_DATE_MAX;
	/* floor division: a time before 1970 is still in its own day */
	days = s / HTTP_DATE_DAY;
	rem = s % HTTP_DATE_DAY;
	if (rem < 0) {
		rem += HTTP_DATE_DAY;
		days--;
	}
	http_date_civil_from_days(days, &f);
	/* 1970-01-01 was a Thursday */
	p = http_date_put(p, http_date_wday[((days % 7) + 11) % 7], 3);
	p = http_date_put(p, ", ", 2);
	p = http_date_put_num(p, f.day, 2);
	*p++ = ' ';
	p = http_date_put(p, http_date_month[f.mon - 1], 3);
	*p++ = ' ';
	p = http_date_put_num(p, f.year, 4);
	*p++ = ' ';
	p = http_date_put_num(p, (int)(rem / 3600), 2);
	*p++ = ':';
	p = http_date_put_num(p, (int)(rem / 60 % 60), 2);
	*p++ = ':';
	p = http_date_put_num(p, (int)(rem % 60), 2);
	p = http_date_put(p, " GMT", 4);
	*p = '\0';
}

/* n decimal digits, nothing else; -1 when they are not. */
static int
http_date_digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The index of the three-letter name at s in names, or -1. */
static int
http_date_name3(const char *s, const char (*names)[4], int count)
{
	for (int i = 0; i < count; i++)
		if (memcmp(s, names[i], 3) == 0)
			return i;
	return -1;
}

/* "HH:MM:SS", 8 bytes. */
static bool
http_date_time(const char *s, struct http_date_fields *f)
{
	if (s[2] != ':' || s[5] != ':')
		return false;
	f->hour = http_date_digits(s, 2);
	f->min = http_date_digits(s + 3, 2);
	f->sec = http_date_digits(s + 6, 2);
	return f->hour >= 0 && f->min >= 0 && f->sec >= 0;
}

static int
http_date_make(struct http_date_fields *f, time_t *t)
{
	int64_t v;

	if (f->year < 1970 || f->mon < 1 || f->mon > 12 || f->day < 1 ||
	    f->day > http_date_month_days(f->year, f->mon))
		return -1;
	if (f->hour > 23 || f->min > 59 || f->sec > 60)
		return -1;
	if (f->sec == 60)
		f->sec = 59;
	v = http_date_days_from_civil(f->year, f->mon, f->day) *
	    HTTP_DATE_DAY + f->hour * 3600 + f->min * 60 + f->sec;
	if ((int64_t)(time_t)v != v)
		return -1;	/* a 32-bit time_t after 2038 */
	*t = (time_t)v;
	return 0;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static int
http_date_parse_imf(const char *s, size_t len, struct http_date_fields *f)
{
	if (len != HTTP_DATE_LEN || http_date_name3(s, http_date_wday, 7) < 0 ||
	    memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' || s[11] != ' ' ||
	    s[16] != ' ' || memcmp(s + 25, " GMT", 4) != 0)
		return -1;
	f->day = http_date_digits(s + 5, 2);
	f->mon = http_date_name3(s + 8, http_date_month, 12) + 1;
	f->year = http_date_digits(s + 12, 4);
	if (!http_date_time(s + 17, f))
		return -1;
	return 0;
}

/* "Sunday, 06-Nov-94 08:49:37 GMT" */
static int
http_date_parse_rfc850(const char *s, size_t len, struct http_date_fields *f)
{
	size_t n = 0;
	int yy;

	for (int i = 0; i < 7; i++) {
		size_t wl = strlen(http_date_weekday[i]);

		if (len > wl && memcmp(s, http_date_weekday[i], wl) == 0 &&
		    s[wl] == ',') {
			n = wl;
			break;
		}
	}
	if (n == 0)
		return -1;
	s += n;
	len -= n;
	/* ", 06-Nov-94 08:49:37 GMT" */
	if (len != 24 || s[1] != ' ' || s[4] != '-' || s[8] != '-' ||
	    s[11] != ' ' || memcmp(s + 20, " GMT", 4) != 0)
		return -1;
	f->day = http_date_digits(s + 2, 2);
	f->mon = http_date_name3(s + 5, http_date_month, 12) + 1;
	if ((yy = http_date_digits(s + 9, 2)) < 0)
		return -1;
	f->year = yy < 70 ? 2000 + yy : 1900 + yy;
	if (!http_date_time(s + 12, f))
		return -1;
	return 0;
}

/* "Sun Nov  6 08:49:37 1994" or "Sun Nov 06 08:49:37 1994" */
static int
http_date_parse_asctime(const char *s, size_t len,
    struct http_date_fields *f)
{
	if (len != HTTP_DATE_ASCTIME_LEN ||
	    http_date_name3(s, http_date_wday, 7) < 0 || s[3] != ' ' ||
	    s[7] != ' ' || s[10] != ' ' || s[19] != ' ')
		return -1;
	f->mon = http_date_name3(s + 4, http_date_month, 12) + 1;
	if (s[8] == ' ')
		f->day = http_date_digits(s + 9, 1);
	else
		f->day = http_date_digits(s + 8, 2);
	f->year = http_date_digits(s + 20, 4);
	if (!http_date_time(s + 11, f))
		return -1;
	return 0;
}

int
http_date_parse(const char *s, size_t len, time_t *t)
{
	struct http_date_fields f;
	int rc;

	if (s == NULL || len < 4)
		return -1;
	/* the fourth byte tells the three forms apart */
	if (s[3] == ',')
		rc = http_date_parse_imf(s, len, &f);
	else if (s[3] == ' ')
		rc = http_date_parse_asctime(s, len, &f);
	else
		rc = http_date_parse_rfc850(s, len, &f);
	if (rc != 0)
		return -1;
	return http_date_make(&f, t);
}
