/*
 * test_pressure - when a waiting worker yields, and when a slow reader is
 * cut: the pure decisions of pressure.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pressure.h"

static void
test_pressure_watches_while_nothing_else_waits(void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	assert_int_equal(pressure_next(&pw, 1000, &until), PRESSURE_WATCH);
	assert_int_equal(pressure_next(&pw, 900000, &until), PRESSURE_WATCH);
}

/*
 * The first wait of a client that has sent nothing begins on the client
 * alone: no watch of the listeners (each new connection would wake the
 * worker) while its request is on its way.
 */
static void
test_pressure_a_first_wait_begins_with_a_grace_on_the_client_alone(
    void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	pressure_begin(&pw, 1000, true);
	assert_int_equal(pressure_next(&pw, 1000, &until), PRESSURE_HOLD);
	assert_int_equal(until, 1000 + PRESSURE_GRACE_MS);
	assert_int_equal(pressure_next(&pw, 1000 + PRESSURE_GRACE_MS - 1,
	    &until), PRESSURE_HOLD);
	/* a wait that outlasts its grace watches */
	assert_int_equal(pressure_next(&pw, 1000 + PRESSURE_GRACE_MS, &until),
	    PRESSURE_WATCH);
}

/* A client that has spoken (a kept connection, part of a head) is watched
 * at once: its silence is what others wait behind. */
static void
test_pressure_a_later_wait_watches_at_once(void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	pressure_begin(&pw, 1000, true);
	pressure_begin(&pw, 1001, false);
	assert_int_equal(pressure_next(&pw, 1001, &until), PRESSURE_WATCH);
	/* and pressure seen during the grace settles as usual */
	pressure_begin(&pw, 2000, true);
	pressure_seen(&pw, 2000);
	assert_int_equal(pressure_next(&pw, 2000, &until), PRESSURE_HOLD);
	assert_int_equal(until, 2000 + PRESSURE_SETTLE_MS);
}

static void
test_pressure_holds_on_to_the_client_for_the_settle_time_once_seen(
    void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	pressure_seen(&pw, 5000);
	assert_int_equal(pressure_next(&pw, 5000, &until), PRESSURE_HOLD);
	assert_int_equal(until, 5000 + PRESSURE_SETTLE_MS);
	assert_int_equal(pressure_next(&pw, 5000 + PRESSURE_SETTLE_MS - 1,
	    &until), PRESSURE_HOLD);
	assert_int_equal(until, 5000 + PRESSURE_SETTLE_MS);
	assert_int_equal(pressure_next(&pw, 5000 + PRESSURE_SETTLE_MS, &until),
	    PRESSURE_PROBE);
}

static void
test_pressure_yields_when_the_other_connection_still_waits(void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	pressure_seen(&pw, 5000);
	assert_int_equal(pressure_next(&pw, 5010, &until), PRESSURE_PROBE);
	assert_true(pressure_probed(&pw, true));
}

static void
test_pressure_gone_at_the_probe_means_watching_again(void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	pressure_seen(&pw, 5000);
	assert_false(pressure_probed(&pw, false));
	assert_int_equal(pressure_next(&pw, 5010, &until), PRESSURE_WATCH);
}

/* A client that answers quickly after each response still yields: the
 * first sighting counts, not the last. */
static void
test_pressure_seen_again_keeps_the_first_time(void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	pressure_seen(&pw, 5000);
	pressure_seen(&pw, 5001);
	assert_int_equal(pressure_next(&pw, 5000 + PRESSURE_SETTLE_MS, &until),
	    PRESSURE_PROBE);
}

static void
test_pressure_seen_at_time_zero_still_counts(void **state)
{
	struct pressure_wait pw = { 0 };
	uint64_t until = 0;

	(void)state;
	pressure_seen(&pw, 0);
	assert_int_not_equal(pressure_next(&pw, 0, &until), PRESSURE_WATCH);
}

static void
test_pressure_rate_judges_only_a_whole_window(void **state)
{
	(void)state;
	/* Nothing acknowledged at all, but the window is not over. */
	assert_false(pressure_rate_short(0, 1000, 1000, 1024));
	assert_false(pressure_rate_short(0, 1000,
	    1000 + PRESSURE_RATE_WINDOW_MS - 1, 1024));
	assert_true(pressure_rate_short(0, 1000, 1000 + PRESSURE_RATE_WINDOW_MS,
	    1024));
}

static void
test_pressure_rate_compares_the_average_over_the_window(void **state)
{
	(void)state;
	/* 1024 B/s over 4 s: 4096 bytes is exactly enough. */
	assert_false(pressure_rate_short(4096, 10000, 14000, 1024));
	assert_true(pressure_rate_short(4095, 10000, 14000, 1024));
	/* 32 bytes a second, a slow-read attack. */
	assert_true(pressure_rate_short(32 * 5, 10000, 15000, 1024));
}

static void
test_pressure_rate_of_zero_never_cuts(void **state)
{
	(void)state;
	assert_false(pressure_rate_short(0, 0, UINT32_MAX, 0));
}

static void
test_pressure_rate_ignores_a_clock_before_the_start(void **state)
{
	(void)state;
	assert_false(pressure_rate_short(0, 5000, 4000, 1024));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pressure_watches_while_nothing_else_waits),
		cmocka_unit_test(
		    test_pressure_a_first_wait_begins_with_a_grace_on_the_client_alone),
		cmocka_unit_test(test_pressure_a_later_wait_watches_at_once),
		cmocka_unit_test(
		    test_pressure_holds_on_to_the_client_for_the_settle_time_once_seen),
		cmocka_unit_test(
		    test_pressure_yields_when_the_other_connection_still_waits),
		cmocka_unit_test(
		    test_pressure_gone_at_the_probe_means_watching_again),
		cmocka_unit_test(test_pressure_seen_again_keeps_the_first_time),
		cmocka_unit_test(test_pressure_seen_at_time_zero_still_counts),
		cmocka_unit_test(
		    test_pressure_rate_judges_only_a_whole_window),
		cmocka_unit_test(
		    test_pressure_rate_compares_the_average_over_the_window),
		cmocka_unit_test(test_pressure_rate_of_zero_never_cuts),
		cmocka_unit_test(
		    test_pressure_rate_ignores_a_clock_before_the_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
