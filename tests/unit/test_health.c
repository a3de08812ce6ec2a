/*
 * test_health - the health-pipe record codec.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "health.h"

static struct health_record
sample_record(void)
{
	struct health_record r;

	memset(&r, 0, sizeof(r));
	r.version = HEALTH_VERSION;
	r.state = HEALTH_BUSY;
	r.reason = HEALTH_EXIT_NONE;
	r.pid = 4242;
	r.cookie = 0xdeadbeef;
	r.generation = 7;
	r.seq = 0x01020304;
	r.time_ms = 0x1122334455667788ull;
	r.busy_since_ms = 123456789;
	r.served = 1ull << 40;
	r.client.family = AF_INET6;
	r.client.port = 65535;
	for (int i = 0; i < 16; i++)
		r.client.addr[i] = (uint8_t)(0xf0 + i);
	r.role = HEALTH_ROLE_PARKER;
	r.held = 100000;
	r.held_reading = 99999;
	r.held_sending = 99998;
	r.parked = (1ull << 33) + 5;
	r.shed = (1ull << 35) + 7;
	return r;
}

/* A stray byte, then records: the reader finds them again. */
static void
test_health_resync_finds_the_next_record_after_stray_bytes(void **state)
{
	struct health_record in = sample_record(), out;
	uint8_t buf[3 + 2 * HEALTH_RECORD_SIZE];
	size_t off;

	(void)state;
	buf[0] = 'x';
	buf[1] = 'P';		/* a "P" that is no record either */
	buf[2] = 'Q';
	health_encode(&in, buf + 3);
	health_encode(&in, buf + 3 + HEALTH_RECORD_SIZE);
	assert_int_not_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_OK);
	off = health_resync(buf, sizeof(buf));
	assert_int_equal(off, 3);
	assert_int_equal(health_decode(buf + off, sizeof(buf) - off, &out),
	    HEALTH_DECODE_OK);
	assert_int_equal(out.pid, in.pid);
	assert_int_equal(health_decode(buf + off + HEALTH_RECORD_SIZE,
	    sizeof(buf) - off - HEALTH_RECORD_SIZE, &out), HEALTH_DECODE_OK);
	/* a record starts again only after the first byte */
	assert_int_equal(health_resync(buf + 3, sizeof(buf) - 3),
	    HEALTH_RECORD_SIZE);
	/* nothing like one: all of it goes; the start of one at the end
	 * waits for the rest */
	assert_int_equal(health_resync((const uint8_t *)"abcdef", 6), 6);
	assert_int_equal(health_resync((const uint8_t *)"abcdP", 5), 4);
	assert_int_equal(health_resync((const uint8_t *)"abcdPF", 6), 4);
	assert_int_equal(health_resync((const uint8_t *)"abPFz", 5), 5);
}

static void
test_health_record_fits_in_an_atomic_pipe_write(void **state)
{
	(void)state;
	assert_true(HEALTH_RECORD_SIZE <= 512);	/* POSIX minimum PIPE_BUF */
}

static void
test_health_round_trip_keeps_every_field(void **state)
{
	struct health_record in = sample_record(), out;
	uint8_t buf[HEALTH_RECORD_SIZE];

	(void)state;
	health_encode(&in, buf);
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_OK);
	assert_int_equal(out.version, HEALTH_VERSION);
	assert_int_equal(out.state, in.state);
	assert_int_equal(out.reason, in.reason);
	assert_int_equal(out.pid, in.pid);
	assert_int_equal(out.cookie, in.cookie);
	assert_int_equal(out.generation, in.generation);
	assert_int_equal(out.seq, in.seq);
	assert_true(out.time_ms == in.time_ms);
	assert_true(out.busy_since_ms == in.busy_since_ms);
	assert_true(out.served == in.served);
	assert_int_equal(out.client.family, AF_INET6);
	assert_int_equal(out.client.port, 65535);
	assert_memory_equal(out.client.addr, in.client.addr, 16);
	assert_int_equal(out.role, HEALTH_ROLE_PARKER);
	assert_int_equal(out.held, in.held);
	assert_int_equal(out.held_reading, in.held_reading);
	assert_int_equal(out.held_sending, in.held_sending);
	assert_true(out.parked == in.parked);
	assert_true(out.shed == in.shed);
}

static void
test_health_encoding_is_big_endian(void **state)
{
	struct health_record in = sample_record();
	uint8_t buf[HEALTH_RECORD_SIZE];

	(void)state;
	health_encode(&in, buf);
	assert_int_equal(buf[0], 'P');
	assert_int_equal(buf[1], 'F');
	/* seq 0x01020304 at offset 16, most significant byte first */
	assert_int_equal(buf[16], 0x01);
	assert_int_equal(buf[19], 0x04);
}

static void
test_health_decode_rejects_a_short_record(void **state)
{
	struct health_record in = sample_record(), out;
	uint8_t buf[HEALTH_RECORD_SIZE];

	(void)state;
	health_encode(&in, buf);
	assert_int_equal(health_decode(buf, HEALTH_RECORD_SIZE - 1, &out),
	    HEALTH_DECODE_SHORT);
	assert_int_equal(health_decode(buf, 0, &out), HEALTH_DECODE_SHORT);
}

static void
test_health_decode_rejects_a_wrong_version(void **state)
{
	struct health_record in = sample_record(), out;
	uint8_t buf[HEALTH_RECORD_SIZE];

	(void)state;
	health_encode(&in, buf);
	buf[2] = HEALTH_VERSION + 1;
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_BAD_VERSION);
}

static void
test_health_decode_rejects_stray_bytes(void **state)
{
	uint8_t buf[HEALTH_RECORD_SIZE];
	struct health_record out;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_BAD_MAGIC);
}

static void
test_health_decode_rejects_an_unknown_state(void **state)
{
	struct health_record in = sample_record(), out;
	uint8_t buf[HEALTH_RECORD_SIZE];

	(void)state;
	health_encode(&in, buf);
	buf[3] = 0;
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_BAD_STATE);
	buf[3] = HEALTH_EXITING + 1;
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_BAD_STATE);
}

static void
test_health_decode_rejects_an_unknown_role(void **state)
{
	struct health_record in = sample_record(), out;
	uint8_t buf[HEALTH_RECORD_SIZE];

	(void)state;
	in.role = 0;
	health_encode(&in, buf);
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_BAD_ROLE);
	in.role = HEALTH_ROLE_PARKER + 1;
	health_encode(&in, buf);
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_BAD_ROLE);
	in.role = HEALTH_ROLE_WORKER;
	health_encode(&in, buf);
	assert_int_equal(health_decode(buf, sizeof(buf), &out),
	    HEALTH_DECODE_OK);
}

static void
test_health_client_formats_ipv4_and_ipv6(void **state)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct health_client hc;
	char buf[64];

	(void)state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(8080);
	inet_pton(AF_INET, "192.0.2.7", &sin.sin_addr);
	health_client_set(&hc, (struct sockaddr *)&sin);
	health_client_format(&hc, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.7:8080");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(443);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	health_client_set(&hc, (struct sockaddr *)&sin6);
	health_client_format(&hc, buf, sizeof(buf));
	assert_string_equal(buf, "[2001:db8::1]:443");
	assert_int_equal(health_client_host(&hc, buf, sizeof(buf)), 443);
	assert_string_equal(buf, "2001:db8::1");
}

static void
test_health_client_without_address_formats_as_dash(void **state)
{
	struct health_client hc;
	char buf[64];

	(void)state;
	health_client_set(&hc, NULL);
	health_client_format(&hc, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	assert_int_equal(health_client_host(&hc, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_record_fits_in_an_atomic_pipe_write),
		cmocka_unit_test(
		    test_health_resync_finds_the_next_record_after_stray_bytes),
		cmocka_unit_test(test_health_round_trip_keeps_every_field),
		cmocka_unit_test(test_health_encoding_is_big_endian),
		cmocka_unit_test(test_health_decode_rejects_a_short_record),
		cmocka_unit_test(test_health_decode_rejects_a_wrong_version),
		cmocka_unit_test(test_health_decode_rejects_stray_bytes),
		cmocka_unit_test(test_health_decode_rejects_an_unknown_state),
		cmocka_unit_test(test_health_decode_rejects_an_unknown_role),
		cmocka_unit_test(test_health_client_formats_ipv4_and_ipv6),
		cmocka_unit_test(test_health_client_without_address_formats_as_dash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
