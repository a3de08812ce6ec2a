/*
 * test_score - scoreboard transitions and the checks on untrusted records.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "score.h"

static int
setup(void **state)
{
	static struct score s;

	if (score_init(&s, 4) != 0)
		return -1;
	*state = &s;
	return 0;
}

static int
teardown(void **state)
{
	score_free(*state);
	return 0;
}

static struct health_record
record(pid_t pid, uint32_t cookie, uint32_t seq, enum health_state st,
    uint64_t served)
{
	struct health_record r;

	memset(&r, 0, sizeof(r));
	r.version = HEALTH_VERSION;
	r.pid = (uint32_t)pid;
	r.cookie = cookie;
	r.seq = seq;
	r.state = (uint8_t)st;
	r.served = served;
	return r;
}

static enum score_result
apply(struct score *s, struct health_record r, uint64_t now)
{
	return score_apply(s, &r, now, NULL);
}

static void
test_score_worker_goes_starting_idle_busy_idle_exiting(void **state)
{
	struct score *s = *state;
	struct health_record busy = record(100, 9, 2, HEALTH_BUSY, 0);

	score_start(s, 1, 100, 9, 1, 1000);
	assert_int_equal(s->slot[1].state, SCORE_STARTING);
	assert_int_equal(apply(s, record(100, 9, 1, HEALTH_READY, 0), 1010),
	    SCORE_APPLIED);
	assert_int_equal(s->slot[1].state, SCORE_IDLE);
	busy.client.family = 2;
	busy.client.port = 5555;
	assert_int_equal(apply(s, busy, 1020), SCORE_APPLIED);
	assert_int_equal(s->slot[1].state, SCORE_BUSY);
	assert_int_equal(s->slot[1].busy_since_ms, 1020);
	assert_int_equal(s->slot[1].client.port, 5555);
	assert_int_equal(apply(s, record(100, 9, 3, HEALTH_IDLE, 1), 1030),
	    SCORE_APPLIED);
	assert_int_equal(s->slot[1].state, SCORE_IDLE);
	assert_int_equal(s->slot[1].busy_since_ms, 0);
	assert_int_equal(s->slot[1].served, 1);
	assert_int_equal(s->slot[1].last_report_ms, 1030);
	assert_int_equal(apply(s, record(100, 9, 4, HEALTH_EXITING, 1), 1040),
	    SCORE_APPLIED);
	assert_int_equal(s->slot[1].state, SCORE_EXITING);
}

static void
test_score_rejects_a_record_from_an_unknown_pid(void **state)
{
	struct score *s = *state;

	score_start(s, 0, 100, 9, 1, 0);
	assert_int_equal(apply(s, record(101, 9, 1, HEALTH_READY, 0), 1),
	    SCORE_UNKNOWN_PID);
	assert_int_equal(s->slot[0].state, SCORE_STARTING);
}

static void
test_score_rejects_a_reused_pid_with_a_stale_cookie(void **state)
{
	struct score *s = *state;

	/* pid 100 died; the kernel gave 100 to the next spawn (cookie 10) */
	score_start(s, 0, 100, 10, 1, 0);
	assert_int_equal(apply(s, record(100, 9, 7, HEALTH_IDLE, 5), 1),
	    SCORE_STALE_COOKIE);
	assert_int_equal(s->slot[0].state, SCORE_STARTING);
	assert_int_equal(s->slot[0].served, 0);
}

static void
test_score_rejects_an_old_sequence_number(void **state)
{
	struct score *s = *state;

	score_start(s, 0, 100, 9, 1, 0);
	assert_int_equal(apply(s, record(100, 9, 5, HEALTH_BUSY, 0), 1),
	    SCORE_APPLIED);
	assert_int_equal(apply(s, record(100, 9, 5, HEALTH_IDLE, 1), 2),
	    SCORE_STALE_SEQ);
	assert_int_equal(apply(s, record(100, 9, 4, HEALTH_IDLE, 1), 3),
	    SCORE_STALE_SEQ);
	assert_int_equal(s->slot[0].state, SCORE_BUSY);
}

static void
test_score_sequence_numbers_survive_wrap_around(void **state)
{
	struct score *s = *state;

	score_start(s, 0, 100, 9, 1, 0);
	assert_int_equal(apply(s, record(100, 9, UINT32_MAX, HEALTH_READY, 0),
	    1), SCORE_APPLIED);
	assert_int_equal(apply(s, record(100, 9, 0, HEALTH_BUSY, 0), 2),
	    SCORE_APPLIED);
	assert_int_equal(s->slot[0].state, SCORE_BUSY);
}

static void
test_score_ignores_records_after_the_worker_said_it_exits(void **state)
{
	struct score *s = *state;

	score_start(s, 0, 100, 9, 1, 0);
	assert_int_equal(apply(s, record(100, 9, 1, HEALTH_EXITING, 0), 1),
	    SCORE_APPLIED);
	assert_int_equal(apply(s, record(100, 9, 2, HEALTH_BUSY, 0), 2),
	    SCORE_AFTER_EXIT);
	assert_int_equal(s->slot[0].state, SCORE_EXITING);
}

static void
test_score_a_dropped_ready_record_does_not_block_busy(void **state)
{
	struct score *s = *state;

	score_start(s, 0, 100, 9, 1, 0);
	assert_int_equal(apply(s, record(100, 9, 2, HEALTH_BUSY, 0), 1),
	    SCORE_APPLIED);
	assert_int_equal(s->slot[0].state, SCORE_BUSY);
}

static void
test_score_vacate_keeps_served_and_counts_crashes(void **state)
{
	struct score *s = *state;
	struct score_totals t;

	score_start(s, 0, 100, 9, 1, 0);
	score_start(s, 1, 101, 10, 1, 0);
	apply(s, record(100, 9, 1, HEALTH_IDLE, 40), 1);
	apply(s, record(101, 10, 1, HEALTH_IDLE, 2), 1);
	score_vacate(s, 0, true);
	assert_int_equal(s->slot[0].state, SCORE_EMPTY);
	assert_int_equal(score_find(s, 100), -1);
	score_totals(s, &t);
	assert_int_equal(t.workers, 1);
	assert_int_equal(t.served, 42);
	assert_int_equal(t.crashes, 1);
	score_vacate(s, 1, false);
	score_totals(s, &t);
	assert_int_equal(t.workers, 0);
	assert_int_equal(t.served, 42);
	assert_int_equal(t.crashes, 1);
}

static void
test_score_status_line_counts_each_state(void **state)
{
	struct score *s = *state;
	char buf[128];

	score_start(s, 0, 100, 1, 1, 0);
	score_start(s, 1, 101, 2, 1, 0);
	score_start(s, 2, 102, 3, 1, 0);
	score_start(s, 3, 103, 4, 1, 0);
	apply(s, record(100, 1, 1, HEALTH_BUSY, 1230), 1);
	apply(s, record(101, 2, 1, HEALTH_IDLE, 4), 1);
	apply(s, record(102, 3, 1, HEALTH_IDLE, 0), 1);
	apply(s, record(103, 4, 1, HEALTH_IDLE, 0), 1);
	score_status(s, buf, sizeof(buf));
	assert_string_equal(buf,
	    "4 workers: 1 busy, 3 idle; 1234 served; 0 crashes");
	score_vacate(s, 3, true);
	score_start(s, 3, 104, 5, 1, 2);
	score_status(s, buf, sizeof(buf));
	assert_string_equal(buf, "4 workers: 1 busy, 2 idle, 1 starting; "
	    "1234 served; 1 crash");
}

static void
test_score_cookies_are_never_zero_or_repeated(void **state)
{
	struct score *s = *state;
	uint32_t a, b;

	s->last_cookie = UINT32_MAX - 1;
	a = score_next_cookie(s);
	b = score_next_cookie(s);
	assert_int_equal(a, UINT32_MAX);
	assert_int_not_equal(b, 0);
	assert_int_not_equal(a, b);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_score_worker_goes_starting_idle_busy_idle_exiting),
		T(test_score_rejects_a_record_from_an_unknown_pid),
		T(test_score_rejects_a_reused_pid_with_a_stale_cookie),
		T(test_score_rejects_an_old_sequence_number),
		T(test_score_sequence_numbers_survive_wrap_around),
		T(test_score_ignores_records_after_the_worker_said_it_exits),
		T(test_score_a_dropped_ready_record_does_not_block_busy),
		T(test_score_vacate_keeps_served_and_counts_crashes),
		T(test_score_status_line_counts_each_state),
		T(test_score_cookies_are_never_zero_or_repeated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
