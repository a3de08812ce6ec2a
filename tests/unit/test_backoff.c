/*
 * test_backoff - the crash backoff schedule and the spawn-rate cap.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"

static void
test_backoff_doubles_from_100_ms_to_30_s(void **state)
{
	static const uint64_t want[] = { 0, 100, 200, 400, 800, 1600, 3200,
	    6400, 12800, 25600, 30000, 30000 };

	(void)state;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_int_equal(backoff_delay_ms(i), want[i]);
	assert_int_equal(backoff_delay_ms(UINT32_MAX), 30000);
}

static void
test_backoff_counts_crashes_before_serving(void **state)
{
	unsigned f = 0;

	(void)state;
	assert_int_equal(backoff_after_exit(&f, true, false, 5), 100);
	assert_int_equal(backoff_after_exit(&f, true, false, 5), 200);
	assert_int_equal(backoff_after_exit(&f, true, false, 5000), 400);
	assert_int_equal(f, 3);
}

static void
test_backoff_counts_a_crash_in_the_first_second(void **state)
{
	unsigned f = 0;

	(void)state;
	assert_int_equal(backoff_after_exit(&f, true, true, 999), 100);
	assert_int_equal(f, 1);
}

static void
test_backoff_respawns_at_once_after_serving(void **state)
{
	unsigned f = 4;

	(void)state;
	assert_int_equal(backoff_after_exit(&f, true, true, 1000), 0);
	assert_int_equal(f, 0);
}

static void
test_backoff_a_clean_exit_clears_the_count(void **state)
{
	unsigned f = 4;

	(void)state;
	assert_int_equal(backoff_after_exit(&f, false, false, 10), 0);
	assert_int_equal(f, 0);
}

static void
test_backoff_a_stable_run_starts_the_schedule_again(void **state)
{
	unsigned f = 9;

	(void)state;
	/* lived 10 s without serving, then crashed: the first step only */
	assert_int_equal(backoff_after_exit(&f, true, false, 10000), 100);
	assert_int_equal(f, 1);
	f = 9;
	assert_int_equal(backoff_after_exit(&f, true, false, 9999), 30000);
	assert_int_equal(f, 10);
}

static void
test_ratecap_allows_a_burst_then_the_rate(void **state)
{
	struct ratecap rc;

	(void)state;
	ratecap_init(&rc, 3, 10, 1000);
	assert_true(ratecap_take(&rc, 1000));
	assert_true(ratecap_take(&rc, 1000));
	assert_true(ratecap_take(&rc, 1000));
	assert_false(ratecap_take(&rc, 1000));
	assert_int_equal(ratecap_wait_ms(&rc, 1000), 100);
	assert_int_equal(ratecap_wait_ms(&rc, 1060), 40);
	assert_false(ratecap_take(&rc, 1099));
	assert_true(ratecap_take(&rc, 1100));
	assert_false(ratecap_take(&rc, 1100));
	/* a long pause refills up to the burst, no more */
	assert_int_equal(ratecap_wait_ms(&rc, 100000), 0);
	for (int i = 0; i < 3; i++)
		assert_true(ratecap_take(&rc, 100000));
	assert_false(ratecap_take(&rc, 100000));
}

static void
test_ratecap_caps_a_loop_at_the_rate(void **state)
{
	struct ratecap rc;
	unsigned taken = 0;

	(void)state;
	ratecap_init(&rc, 5, 20, 0);
	/* try every millisecond for 10 s */
	for (uint64_t t = 0; t < 10000; t++)
		taken += ratecap_take(&rc, t);
	assert_in_range(taken, 5 + 199, 5 + 200);
}

static void
test_ratecap_new_limits_keep_the_saved_tokens(void **state)
{
	struct ratecap rc;

	(void)state;
	ratecap_init(&rc, 10, 10, 0);
	for (int i = 0; i < 8; i++)
		assert_true(ratecap_take(&rc, 0));
	ratecap_set(&rc, 4, 10, 0);		/* 2 saved, burst 4 */
	assert_true(ratecap_take(&rc, 0));
	assert_true(ratecap_take(&rc, 0));
	assert_false(ratecap_take(&rc, 0));
	ratecap_set(&rc, 1, 10, 10000);	/* refilled, then capped at 1 */
	assert_true(ratecap_take(&rc, 10000));
	assert_false(ratecap_take(&rc, 10000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_from_100_ms_to_30_s),
		cmocka_unit_test(test_backoff_counts_crashes_before_serving),
		cmocka_unit_test(test_backoff_counts_a_crash_in_the_first_second),
		cmocka_unit_test(test_backoff_respawns_at_once_after_serving),
		cmocka_unit_test(test_backoff_a_clean_exit_clears_the_count),
		cmocka_unit_test(test_backoff_a_stable_run_starts_the_schedule_again),
		cmocka_unit_test(test_ratecap_allows_a_burst_then_the_rate),
		cmocka_unit_test(test_ratecap_caps_a_loop_at_the_rate),
		cmocka_unit_test(test_ratecap_new_limits_keep_the_saved_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
