/*
 * test_score - scoreboard transitions, the checks on untrusted records, and
 * the bookkeeping of generations, pool size and crash backoff.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "score.h"

#define HANG_MS	120000		/* timeouts.hang of the workers started */

static int
setup(void **state)
{
	static struct score s;

	if (score_init(&s, 4, false) != 0)
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
	r.role = HEALTH_ROLE_WORKER;
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

	score_start(s, 1, 100, 9, HANG_MS, 1000);
	assert_int_equal(s->slot[1].state, SCORE_STARTING);
	assert_int_equal(s->slot[1].hang_ms, HANG_MS);
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

	score_start(s, 0, 100, 9, HANG_MS, 0);
	assert_int_equal(apply(s, record(101, 9, 1, HEALTH_READY, 0), 1),
	    SCORE_UNKNOWN_PID);
	assert_int_equal(s->slot[0].state, SCORE_STARTING);
}

static void
test_score_rejects_a_reused_pid_with_a_stale_cookie(void **state)
{
	struct score *s = *state;

	/* pid 100 died; the kernel gave 100 to the next spawn (cookie 10) */
	score_start(s, 0, 100, 10, HANG_MS, 0);
	assert_int_equal(apply(s, record(100, 9, 7, HEALTH_IDLE, 5), 1),
	    SCORE_STALE_COOKIE);
	assert_int_equal(s->slot[0].state, SCORE_STARTING);
	assert_int_equal(s->slot[0].served, 0);
}

static void
test_score_rejects_an_old_sequence_number(void **state)
{
	struct score *s = *state;

	score_start(s, 0, 100, 9, HANG_MS, 0);
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

	score_start(s, 0, 100, 9, HANG_MS, 0);
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

	score_start(s, 0, 100, 9, HANG_MS, 0);
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

	score_start(s, 0, 100, 9, HANG_MS, 0);
	assert_int_equal(apply(s, record(100, 9, 2, HEALTH_BUSY, 0), 1),
	    SCORE_APPLIED);
	assert_int_equal(s->slot[0].state, SCORE_BUSY);
}

static void
test_score_vacate_keeps_served_and_counts_crashes(void **state)
{
	struct score *s = *state;
	struct score_totals t;

	score_start(s, 0, 100, 9, HANG_MS, 0);
	score_start(s, 1, 101, 10, HANG_MS, 0);
	apply(s, record(100, 9, 1, HEALTH_IDLE, 40), 1);
	apply(s, record(101, 10, 1, HEALTH_IDLE, 2), 1);
	score_vacate(s, 0, true, 100);
	assert_int_equal(s->slot[0].state, SCORE_EMPTY);
	assert_int_equal(score_find(s, 100), -1);
	score_totals(s, &t);
	assert_int_equal(t.workers, 1);
	assert_int_equal(t.served, 42);
	assert_int_equal(t.crashes, 1);
	score_vacate(s, 1, false, 100);
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

	score_start(s, 0, 100, 1, HANG_MS, 0);
	score_start(s, 1, 101, 2, HANG_MS, 0);
	score_start(s, 2, 102, 3, HANG_MS, 0);
	score_start(s, 3, 103, 4, HANG_MS, 0);
	apply(s, record(100, 1, 1, HEALTH_BUSY, 1230), 1);
	apply(s, record(101, 2, 1, HEALTH_IDLE, 4), 1);
	apply(s, record(102, 3, 1, HEALTH_IDLE, 0), 1);
	apply(s, record(103, 4, 1, HEALTH_IDLE, 0), 1);
	score_status(s, buf, sizeof(buf));
	assert_string_equal(buf,
	    "4 workers: 1 busy, 3 idle; 1234 served; 0 crashes");
	score_vacate(s, 3, true, 100);
	score_start(s, 3, 104, 5, HANG_MS, 2);
	score_status(s, buf, sizeof(buf));
	assert_string_equal(buf, "4 workers: 1 busy, 2 idle, 1 starting; "
	    "1234 served; 1 crash");
}

static void
test_score_cookies_are_never_zero_or_repeated(void **state)
{
	struct score *s = *state;
	uint32_t a, b;

	/* the random draw, as given */
	assert_int_equal(score_next_cookie(s, 0x9e3779b9u), 0x9e3779b9u);
	assert_int_equal(score_next_cookie(s, 0x12345678u), 0x12345678u);
	/* no draw (0), or the same twice: counted on from the last */
	assert_int_equal(score_next_cookie(s, 0x12345678u), 0x12345679u);
	assert_int_equal(score_next_cookie(s, 0), 0x1234567au);
	s->last_cookie = UINT32_MAX - 1;
	a = score_next_cookie(s, 0);
	b = score_next_cookie(s, 0);
	assert_int_equal(a, UINT32_MAX);
	assert_int_not_equal(b, 0);
	assert_int_not_equal(a, b);
}

static void
test_score_a_progress_report_keeps_the_start_of_the_connection(void **state)
{
	struct score *s = *state;
	struct health_record busy = record(100, 9, 1, HEALTH_BUSY, 0);

	score_start(s, 0, 100, 9, HANG_MS, 1000);
	busy.busy_since_ms = 1200;
	assert_int_equal(apply(s, busy, 1210), SCORE_APPLIED);
	busy.seq = 2;		/* the same connection, a second later */
	assert_int_equal(apply(s, busy, 2300), SCORE_APPLIED);
	assert_int_equal(s->slot[0].busy_since_ms, 1200);
	assert_int_equal(s->slot[0].last_report_ms, 2300);
	/* a time from before the worker's birth or from the future */
	busy.seq = 3;
	busy.busy_since_ms = 10;
	apply(s, busy, 2400);
	assert_int_equal(s->slot[0].busy_since_ms, 1000);
	busy.seq = 4;
	busy.busy_since_ms = 99999;
	apply(s, busy, 2500);
	assert_int_equal(s->slot[0].busy_since_ms, 2500);
}

/* Starts a worker in slot i and has it report ready. */
static void
ready(struct score *s, size_t i, pid_t pid, uint64_t now)
{
	uint32_t cookie = score_next_cookie(s, 0);

	score_start(s, i, pid, cookie, HANG_MS, now);
	assert_int_equal(apply(s, record(pid, cookie, 1, HEALTH_READY, 0),
	    now), SCORE_APPLIED);
}

static size_t
count_wanted(const struct score *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nslots; i++)
		n += s->slot[i].wanted;
	return n;
}

static void
test_score_serves_once_every_slot_of_the_pool_is_ready(void **state)
{
	struct score *s = *state;

	assert_int_equal(s->generation, 1);
	assert_int_equal(s->serving, 0);
	for (size_t i = 0; i < 3; i++)
		ready(s, i, (pid_t)(100 + i), 10);
	assert_false(score_update_serving(s));
	ready(s, 3, 103, 10);
	assert_true(score_update_serving(s));
	assert_int_equal(s->serving, 1);
	assert_false(score_update_serving(s));	/* once */
}

static void
test_score_reload_keeps_old_workers_until_the_new_pool_serves(void **state)
{
	struct score *s = *state;
	size_t old_slots;

	for (size_t i = 0; i < 4; i++)
		ready(s, i, (pid_t)(100 + i), 10);
	assert_true(score_update_serving(s));
	old_slots = s->nslots;

	assert_int_equal(score_reload(s, 2, false), 0);
	assert_int_equal(s->generation, 2);
	assert_int_equal(count_wanted(s), 2);
	assert_int_equal(s->nslots, old_slots + 2);	/* none was free */
	for (size_t i = 0; i < 4; i++) {
		assert_false(s->slot[i].wanted);
		assert_false(score_retirable(s, i));	/* still serving */
	}
	ready(s, 4, 200, 20);
	assert_false(score_update_serving(s));
	for (size_t i = 0; i < 4; i++)
		assert_false(score_retirable(s, i));
	ready(s, 5, 201, 20);
	assert_true(score_update_serving(s));
	for (size_t i = 0; i < 4; i++)
		assert_true(score_retirable(s, i));
	assert_false(score_retirable(s, 4));
	score_retire(s, 0, 5000);
	assert_false(score_retirable(s, 0));	/* told once */
	assert_true(s->slot[0].retiring);
	assert_int_equal(s->slot[0].retire_deadline_ms, 5000);
	/* a retired worker that leaves frees its slot for good */
	score_vacate(s, 0, false, 30);
	assert_int_equal(s->slot[0].state, SCORE_EMPTY);
	assert_false(score_due(s, 0, 1000000));
}

static void
test_score_reload_reuses_free_slots(void **state)
{
	struct score *s = *state;

	for (size_t i = 0; i < 4; i++)
		ready(s, i, (pid_t)(100 + i), 10);
	assert_int_equal(score_reload(s, 4, false), 0);
	for (size_t i = 0; i < 4; i++)
		score_vacate(s, i, false, 20);
	assert_int_equal(s->nslots, 8);
	assert_int_equal(score_reload(s, 3, false), 0);
	assert_int_equal(s->nslots, 8);
	assert_int_equal(count_wanted(s), 3);
	for (size_t i = 0; i < 3; i++)
		assert_true(s->slot[i].wanted);
	for (size_t i = 4; i < 8; i++)
		assert_false(s->slot[i].wanted);
}

static void
test_score_a_generation_that_never_served_is_retired_at_once(void **state)
{
	struct score *s = *state;

	for (size_t i = 0; i < 4; i++)
		ready(s, i, (pid_t)(100 + i), 10);
	assert_true(score_update_serving(s));
	assert_int_equal(score_reload(s, 1, false), 0);	/* generation 2 */
	score_start(s, 4, 200, score_next_cookie(s, 0), HANG_MS, 20);	/* starting */
	assert_int_equal(score_reload(s, 1, false), 0);	/* generation 3 */
	assert_int_equal(s->serving, 1);
	assert_true(score_retirable(s, 4));		/* generation 2 */
	assert_false(score_retirable(s, 0));		/* generation 1 */
}

static void
test_score_a_failing_slot_backs_off_and_is_due_after_the_wait(void **state)
{
	struct score *s = *state;

	score_start(s, 0, 100, 9, HANG_MS, 1000);
	assert_int_equal(score_vacate(s, 0, true, 1050), 100);
	assert_true(s->slot[0].wanted);
	assert_int_equal(s->slot[0].failures, 1);
	assert_false(score_due(s, 0, 1149));
	assert_true(score_due(s, 0, 1150));
	score_start(s, 0, 101, 10, HANG_MS, 1150);
	assert_int_equal(score_vacate(s, 0, true, 1160), 200);
	assert_int_equal(s->slot[0].failures, 2);
	/* one that served and lived past its first second: at once */
	ready(s, 0, 102, 2000);
	apply(s, record(102, s->last_cookie, 2, HEALTH_IDLE, 3), 3500);
	assert_int_equal(score_vacate(s, 0, true, 3600), 0);
	assert_int_equal(s->slot[0].failures, 0);
	assert_true(score_due(s, 0, 3600));
	assert_int_equal(s->crashes, 3);
}

/* A respawn after faults is on trial: the pool stays degraded until it
 * reports ready, so "recovered" is never said between two faults. */
static void
test_score_a_slot_stays_failing_until_its_worker_is_ready(void **state)
{
	struct score *s = *state;
	struct score_totals t;

	score_start(s, 0, 100, 9, HANG_MS, 1000);
	score_vacate(s, 0, true, 1050);
	score_totals(s, &t);
	assert_int_equal(t.failing, 1);
	score_start(s, 0, 101, 10, HANG_MS, 1150);		/* the respawn */
	score_totals(s, &t);
	assert_int_equal(t.failing, 1);
	apply(s, record(101, 10, 1, HEALTH_READY, 0), 1160);
	score_totals(s, &t);
	assert_int_equal(t.failing, 0);
}

static void
test_score_describes_what_a_worker_was_doing(void **state)
{
	struct score *s = *state;
	struct health_record busy = record(100, 9, 2, HEALTH_BUSY, 3);
	char buf[128];

	score_start(s, 0, 100, 9, HANG_MS, 1000);
	score_describe_work(&s->slot[0], 1000, buf, sizeof(buf));
	assert_string_equal(buf, "before it was ready");
	apply(s, record(100, 9, 1, HEALTH_READY, 1), 1010);
	score_describe_work(&s->slot[0], 1010, buf, sizeof(buf));
	assert_string_equal(buf, "while idle, after 1 connection");
	busy.client.family = AF_INET;
	busy.client.port = 80;
	memcpy(busy.client.addr, "\x0a\x00\x00\x07", 4);
	busy.busy_since_ms = 1100;
	apply(s, busy, 1100);
	score_describe_work(&s->slot[0], 1350, buf, sizeof(buf));
	assert_string_equal(buf, "while serving 10.0.0.7:80 for 250 ms");
	apply(s, record(100, 9, 3, HEALTH_EXITING, 4), 1400);
	score_describe_work(&s->slot[0], 1400, buf, sizeof(buf));
	assert_string_equal(buf, "while exiting, after 4 connections");
}

static void
test_score_ttin_adds_a_slot_and_ttou_drops_the_least_busy(void **state)
{
	struct score *s = *state;
	struct health_record busy;

	ready(s, 0, 100, 10);
	ready(s, 1, 101, 10);
	score_start(s, 2, 102, score_next_cookie(s, 0), HANG_MS, 10);	/* starting */
	/* slot 3 stays empty: down, waiting for its spawn */
	busy = record(100, s->slot[0].cookie, 2, HEALTH_BUSY, 0);
	apply(s, busy, 20);

	assert_int_equal(score_add_slot(s), 4);
	assert_int_equal(count_wanted(s), 5);
	assert_int_equal(score_drop_slot(s), 4);	/* empty, highest */
	assert_int_equal(score_drop_slot(s), 3);	/* empty */
	assert_int_equal(score_drop_slot(s), 2);	/* starting */
	assert_int_equal(score_drop_slot(s), 1);	/* idle */
	assert_int_equal(score_drop_slot(s), -1);	/* never below 1 */
	assert_int_equal(count_wanted(s), 1);
	assert_true(s->slot[0].wanted);
	/* TTIN after TTOU takes a free slot back before growing */
	assert_int_equal(score_add_slot(s), 3);
}

static void
test_score_formats_one_line_per_worker_beginning_with_its_pid(void **state)
{
	struct score *s = *state;
	struct health_record busy = record(4321, 9, 2, HEALTH_BUSY, 17);
	char line[256];

	score_start(s, 0, 4321, 9, HANG_MS, 1000);
	busy.client.family = AF_INET;
	busy.client.port = 5555;
	memcpy(busy.client.addr, "\x7f\x00\x00\x01", 4);
	busy.busy_since_ms = 1500;
	apply(s, busy, 1500);
	score_format_slot(&s->slot[0], 2700, line, sizeof(line));
	assert_string_equal(line, "4321 generation=1 state=busy served=17 "
	    "busy_ms=1200 client=127.0.0.1:5555");
	score_retire(s, 0, 9000);
	apply(s, record(4321, 9, 3, HEALTH_IDLE, 18), 2800);
	score_format_slot(&s->slot[0], 2900, line, sizeof(line));
	assert_string_equal(line, "4321 generation=1 state=idle served=18 "
	    "busy_ms=0 client=127.0.0.1:5555 retiring");
}

/* ---- the parker ---- */

/* A pool of 2 workers and a parker, in slots 0, 1 and 2. */
static void
parker_pool(struct score *s)
{
	score_free(s);
	assert_int_equal(score_init(s, 2, true), 0);
	assert_int_equal(s->slot[2].role, HEALTH_ROLE_PARKER);
}

/* A record of the parker in slot 2 (pid 300). */
static struct health_record
parker_record(const struct score *s, uint32_t seq, enum health_state st)
{
	struct health_record r = record(300, s->slot[2].cookie, seq, st, 0);

	r.role = HEALTH_ROLE_PARKER;
	return r;
}

static void
test_score_the_parker_is_no_worker_in_the_counts(void **state)
{
	struct score *s = *state;
	struct health_record r;
	struct score_totals t;

	parker_pool(s);
	ready(s, 0, 100, 10);
	ready(s, 1, 101, 10);
	score_start(s, 2, 300, score_next_cookie(s, 0), HANG_MS, 10);
	r = parker_record(s, 1, HEALTH_BUSY);
	r.held = 40;
	r.held_reading = 30;
	r.shed = 2;
	assert_int_equal(apply(s, r, 20), SCORE_APPLIED);
	score_totals(s, &t);
	assert_int_equal(t.workers, 2);
	assert_int_equal(t.pool, 2);
	assert_int_equal(t.busy, 0);
	assert_int_equal(t.parkers, 1);
	assert_true(t.parker_wanted);
	assert_int_equal(t.held, 40);
	assert_int_equal(t.held_reading, 30);
	assert_int_equal(t.shed, 2);
}

static void
test_score_a_record_of_the_wrong_role_is_refused(void **state)
{
	struct score *s = *state;
	struct health_record r;

	parker_pool(s);
	score_start(s, 2, 300, score_next_cookie(s, 0), HANG_MS, 10);
	r = parker_record(s, 1, HEALTH_READY);
	r.role = HEALTH_ROLE_WORKER;
	assert_int_equal(apply(s, r, 20), SCORE_WRONG_ROLE);
	ready(s, 0, 100, 10);
	r = record(100, s->slot[0].cookie, 2, HEALTH_IDLE, 0);
	r.role = HEALTH_ROLE_PARKER;
	assert_int_equal(apply(s, r, 20), SCORE_WRONG_ROLE);
}

static void
test_score_a_generation_serves_once_its_parker_is_ready_too(void **state)
{
	struct score *s = *state;

	parker_pool(s);
	ready(s, 0, 100, 10);
	ready(s, 1, 101, 10);
	assert_false(score_update_serving(s));
	assert_false(score_parker_up(s));
	score_start(s, 2, 300, score_next_cookie(s, 0), HANG_MS, 10);
	assert_false(score_update_serving(s));
	assert_int_equal(apply(s, parker_record(s, 1, HEALTH_READY), 20),
	    SCORE_APPLIED);
	assert_true(score_parker_up(s));
	assert_true(score_update_serving(s));
}

static void
test_score_the_parker_is_down_once_retired_or_gone(void **state)
{
	struct score *s = *state;

	parker_pool(s);
	score_start(s, 2, 300, score_next_cookie(s, 0), HANG_MS, 10);
	assert_int_equal(apply(s, parker_record(s, 1, HEALTH_READY), 20),
	    SCORE_APPLIED);
	assert_true(score_parker_up(s));
	(void)score_vacate(s, 2, true, 5000);
	assert_false(score_parker_up(s));
	assert_true(s->slot[2].wanted);			/* to be respawned */
	assert_int_equal(s->slot[2].role, HEALTH_ROLE_PARKER);
	score_start(s, 2, 301, score_next_cookie(s, 0), HANG_MS, 6000);
	assert_false(score_parker_up(s));		/* until it is ready */
	/* A reload: the old parker leaves the pool; a new one is wanted. */
	assert_int_equal(score_reload(s, 2, true), 0);
	assert_false(score_parker_up(s));
}

static void
test_score_ttou_never_drops_the_parker(void **state)
{
	struct score *s = *state;

	parker_pool(s);
	assert_int_equal(score_drop_slot(s), 1);
	assert_int_equal(score_drop_slot(s), -1);	/* one worker left */
	assert_true(s->slot[2].wanted);
	assert_int_equal(score_add_slot(s), 1);
	assert_int_equal(s->slot[1].role, HEALTH_ROLE_WORKER);
}

static void
test_score_status_and_line_of_the_parker(void **state)
{
	struct score *s = *state;
	struct health_record r;
	char line[256];

	parker_pool(s);
	ready(s, 0, 100, 10);
	ready(s, 1, 101, 10);
	score_start(s, 2, 300, score_next_cookie(s, 0), HANG_MS, 10);
	r = parker_record(s, 1, HEALTH_BUSY);
	r.held = 12;
	r.held_reading = 3;
	r.held_sending = 4;
	r.parked = 40;
	r.served = 28;
	r.shed = 5;
	assert_int_equal(apply(s, r, 20), SCORE_APPLIED);
	r = record(100, s->slot[0].cookie, 2, HEALTH_IDLE, 7);
	r.shed = 2;
	assert_int_equal(apply(s, r, 20), SCORE_APPLIED);
	score_status(s, line, sizeof(line));
	assert_string_equal(line, "2 workers: 0 busy, 2 idle; 7 served; "
	    "0 crashes; parker holds 12 (3 reading, 4 sending); 5 shed; "
	    "2 slow readers cut");
	score_format_slot(&s->slot[2], 30, line, sizeof(line));
	assert_string_equal(line, "parker 300 generation=1 state=busy "
	    "held=12 reading=3 sending=4 taken=40 returned=28 shed=5");
	score_describe_work(&s->slot[2], 30, line, sizeof(line));
	assert_string_equal(line, "while busy, holding 12 connections");
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
		T(test_score_a_progress_report_keeps_the_start_of_the_connection),
		T(test_score_serves_once_every_slot_of_the_pool_is_ready),
		T(test_score_reload_keeps_old_workers_until_the_new_pool_serves),
		T(test_score_reload_reuses_free_slots),
		T(test_score_a_generation_that_never_served_is_retired_at_once),
		T(test_score_a_failing_slot_backs_off_and_is_due_after_the_wait),
		T(test_score_a_slot_stays_failing_until_its_worker_is_ready),
		T(test_score_describes_what_a_worker_was_doing),
		T(test_score_ttin_adds_a_slot_and_ttou_drops_the_least_busy),
		T(test_score_formats_one_line_per_worker_beginning_with_its_pid),
		T(test_score_the_parker_is_no_worker_in_the_counts),
		T(test_score_a_record_of_the_wrong_role_is_refused),
		T(test_score_a_generation_serves_once_its_parker_is_ready_too),
		T(test_score_the_parker_is_down_once_retired_or_gone),
		T(test_score_ttou_never_drops_the_parker),
		T(test_score_status_and_line_of_the_parker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
