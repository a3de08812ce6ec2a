/*
 * test_addr - socket addresses as the logs show them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "addr.h"

static void
test_addr_format_writes_ipv4_as_address_colon_port(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char buf[ADDR_STR_MAX];

	(void)state;
	sin.sin_port = htons(8080);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr), 1);
	addr_format((struct sockaddr *)&sin, sizeof(sin), buf,
	    sizeof(buf));
	assert_string_equal(buf, "192.0.2.7:8080");
}

static void
test_addr_format_writes_ipv6_in_brackets(void **state)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	char buf[ADDR_STR_MAX];

	(void)state;
	sin6.sin6_port = htons(65535);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr),
	    1);
	addr_format((struct sockaddr *)&sin6, sizeof(sin6), buf,
	    sizeof(buf));
	assert_string_equal(buf, "[2001:db8::1]:65535");
}

static const char longest_ipv6[] = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

/* The longest IPv6 address, port 65535, formatted into buf. */
static void
format_longest(char *buf, size_t len)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	sin6.sin6_port = htons(65535);
	assert_int_equal(inet_pton(AF_INET6, longest_ipv6, &sin6.sin6_addr),
	    1);
	addr_format((struct sockaddr *)&sin6, sizeof(sin6), buf, len);
}

static void
test_addr_format_fits_the_longest_ipv6_in_addr_str_max(void **state)
{
	char buf[ADDR_STR_MAX];

	(void)state;
	format_longest(buf, sizeof(buf));
	assert_string_equal(buf,
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void
test_addr_format_says_unknown_for_unix_and_unknown_families(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_storage ss = { .ss_family = 12345 };
	char buf[ADDR_STR_MAX];

	(void)state;
	addr_format((struct sockaddr *)&sun, sizeof(sun), buf,
	    sizeof(buf));
	assert_string_equal(buf, "unknown");
	addr_format((struct sockaddr *)&ss, sizeof(ss), buf, sizeof(buf));
	assert_string_equal(buf, "unknown");
}

static void
test_addr_format_says_unknown_for_a_truncated_address(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char buf[ADDR_STR_MAX];

	(void)state;
	addr_format((struct sockaddr *)&sin, sizeof(sin) - 1, buf,
	    sizeof(buf));
	assert_string_equal(buf, "unknown");
}

static void
test_addr_host_takes_address_and_port_apart(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	char host[ADDR_STR_MAX];

	(void)state;
	sin.sin_port = htons(8080);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr), 1);
	assert_int_equal(addr_host((struct sockaddr *)&sin, sizeof(sin), host,
	    sizeof(host)), 8080);
	assert_string_equal(host, "192.0.2.7");
	sin6.sin6_port = htons(443);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.7",
	    &sin6.sin6_addr), 1);
	assert_int_equal(addr_host((struct sockaddr *)&sin6, sizeof(sin6), host,
	    sizeof(host)), 443);
	assert_string_equal(host, "::ffff:192.0.2.7");
}

static void
test_addr_host_agrees_with_addr_format_on_the_longest(void **state)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	char host[ADDR_STR_MAX];

	(void)state;
	sin6.sin6_port = htons(65535);
	assert_int_equal(inet_pton(AF_INET6, longest_ipv6, &sin6.sin6_addr), 1);
	assert_int_equal(addr_host((struct sockaddr *)&sin6, sizeof(sin6), host,
	    sizeof(host)), 65535);
	assert_string_equal(host, longest_ipv6);
}

static void
test_addr_host_says_unknown_for_other_families_and_cuts(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char host[5];

	(void)state;
	assert_int_equal(addr_host((struct sockaddr *)&sun, sizeof(sun), host,
	    sizeof(host)), 0);
	assert_string_equal(host, "unkn");
	assert_int_equal(addr_host((struct sockaddr *)&sin, 2, host,
	    sizeof(host)), 0);		/* too short for an AF_INET address */
	assert_string_equal(host, "unkn");
	sin.sin_port = htons(80);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr), 1);
	assert_int_equal(addr_host((struct sockaddr *)&sin, sizeof(sin), host,
	    sizeof(host)), 80);
	assert_string_equal(host, "192.");
	assert_int_equal(addr_host((struct sockaddr *)&sin, sizeof(sin), host,
	    0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_format_writes_ipv4_as_address_colon_port),
		cmocka_unit_test(test_addr_format_writes_ipv6_in_brackets),
		cmocka_unit_test(test_addr_format_fits_the_longest_ipv6_in_addr_str_max),
		cmocka_unit_test(test_addr_format_says_unknown_for_unix_and_unknown_families),
		cmocka_unit_test(test_addr_format_says_unknown_for_a_truncated_address),
		cmocka_unit_test(test_addr_host_takes_address_and_port_apart),
		cmocka_unit_test(test_addr_host_agrees_with_addr_format_on_the_longest),
		cmocka_unit_test(test_addr_host_says_unknown_for_other_families_and_cuts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
