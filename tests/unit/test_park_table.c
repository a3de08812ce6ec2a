/*
 * test_park_table - the parker's bookkeeping: capacity, the order of
 * shedding, deadlines, the ready FIFO, and slots reused safely.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "handoff.h"
#include "park_table.h"

/* A message the table will own (it frees it). */
static uint8_t *
msg(void)
{
	uint8_t *m = malloc(16);

	assert_non_null(m);
	memset(m, 'm', 16);
	return m;
}

static uint32_t
add(struct park_table *t, int fd, uint8_t kind, uint64_t deadline,
    uint64_t now)
{
	return park_table_add(t, fd, -1, kind, deadline, now, msg(), 16);
}

/* Removes slot, checks its fd, frees its message. */
static void
take(struct park_table *t, uint32_t slot, int fd)
{
	struct park_entry e;

	park_table_remove(t, slot, &e);
	assert_int_equal(e.fd, fd);
	assert_int_equal(e.msg_len, 16);
	free(e.msg);
}

static void
test_park_table_holds_up_to_its_capacity(void **state)
{
	struct park_table t;

	(void)state;
	assert_int_equal(park_table_init(&t, 3), 0);
	for (int fd = 10; fd < 13; fd++)
		assert_int_not_equal(add(&t, fd, HANDOFF_IDLE, 5000, 0),
		    PARK_NONE);
	assert_int_equal(t.used, 3);
	{
		uint8_t *m = msg();

		assert_int_equal(park_table_add(&t, 13, -1, HANDOFF_IDLE, 5000,
		    0, m, 16), PARK_NONE);
		free(m);	/* refused: still the caller's */
	}
	park_table_free(&t);	/* frees the messages it holds */
}

static void
test_park_table_refuses_a_capacity_of_zero(void **state)
{
	struct park_table t;

	(void)state;
	assert_int_equal(park_table_init(&t, 0), -1);
}

/* A connection in its lingering close was answered: it goes first. */
static void
test_park_table_closes_a_lingering_one_before_any_idle(void **state)
{
	struct park_table t;
	uint32_t i1, c1, c2;

	(void)state;
	assert_int_equal(park_table_init(&t, 8), 0);
	i1 = add(&t, 10, HANDOFF_IDLE, 9000, 100);
	c1 = add(&t, 11, HANDOFF_CLOSING, 2000, 200);
	c2 = add(&t, 12, HANDOFF_CLOSING, 2000, 300);
	assert_int_equal(t.count[PARK_LIST_CLOSING], 2);
	assert_int_equal(park_table_victim(&t), c1);
	take(&t, c1, 11);
	assert_int_equal(park_table_victim(&t), c2);
	take(&t, c2, 12);
	assert_int_equal(park_table_victim(&t), i1);
	/* and its deadline is kept like any other */
	c1 = add(&t, 13, HANDOFF_CLOSING, 1000, 400);
	assert_int_equal(park_table_next_deadline(&t), 1000);
	assert_int_equal(park_table_expired(&t, 1000), c1);
	park_table_free(&t);
}

static void
test_park_table_sheds_the_oldest_idle_before_any_reading(void **state)
{
	struct park_table t;
	uint32_t r1, i1, i2;

	(void)state;
	assert_int_equal(park_table_init(&t, 8), 0);
	r1 = add(&t, 10, HANDOFF_READING, 9000, 100);
	i1 = add(&t, 11, HANDOFF_IDLE, 9000, 200);
	i2 = add(&t, 12, HANDOFF_IDLE, 9000, 300);
	assert_int_equal(t.count[PARK_LIST_IDLE], 2);
	assert_int_equal(t.count[PARK_LIST_READING], 1);
	assert_int_equal(park_table_victim(&t), i1);
	take(&t, i1, 11);
	assert_int_equal(park_table_victim(&t), i2);
	take(&t, i2, 12);
	/* No idle one left: the oldest reading goes. */
	assert_int_equal(park_table_victim(&t), r1);
	park_table_free(&t);
}

static void
test_park_table_sheds_a_waiting_response_last_and_keeps_its_file(
    void **state)
{
	struct park_table t;
	struct park_entry e;
	uint32_t s1, r1, i1;

	(void)state;
	assert_int_equal(park_table_init(&t, 8), 0);
	s1 = park_table_add(&t, 10, 40, HANDOFF_SENDING, 9000, 50, msg(), 16);
	r1 = add(&t, 11, HANDOFF_READING, 9000, 100);
	i1 = add(&t, 12, HANDOFF_IDLE, 9000, 200);
	assert_int_equal(t.count[PARK_LIST_SENDING], 1);
	assert_int_equal(t.e[s1].file_fd, 40);
	assert_int_equal(t.e[r1].file_fd, -1);
	/* Oldest of all, yet the last to go: its client got part of a
	 * response, and closing it would cut that response. */
	assert_int_equal(park_table_victim(&t), i1);
	take(&t, i1, 12);
	assert_int_equal(park_table_victim(&t), r1);
	take(&t, r1, 11);
	assert_int_equal(park_table_victim(&t), s1);
	park_table_remove(&t, s1, &e);
	assert_int_equal(e.fd, 10);
	assert_int_equal(e.file_fd, 40);
	free(e.msg);
	assert_int_equal(park_table_victim(&t), PARK_NONE);
	park_table_free(&t);
}

static void
test_park_table_never_sheds_a_connection_whose_client_spoke(void **state)
{
	struct park_table t;
	uint32_t a, b;

	(void)state;
	assert_int_equal(park_table_init(&t, 2), 0);
	a = add(&t, 10, HANDOFF_IDLE, 9000, 0);
	b = add(&t, 11, HANDOFF_READING, 9000, 0);
	park_table_ready(&t, a);
	assert_int_equal(park_table_victim(&t), b);
	park_table_ready(&t, b);
	assert_int_equal(park_table_victim(&t), PARK_NONE);
	assert_int_equal(t.count[PARK_LIST_READY], 2);
	park_table_free(&t);
}

static void
test_park_table_ready_is_first_in_first_out(void **state)
{
	struct park_table t;
	uint32_t s[4];

	(void)state;
	assert_int_equal(park_table_init(&t, 4), 0);
	for (int i = 0; i < 4; i++)
		s[i] = add(&t, 20 + i, HANDOFF_IDLE, 9000, 0);
	park_table_ready(&t, s[2]);
	park_table_ready(&t, s[0]);
	park_table_ready(&t, s[0]);	/* twice: no change */
	park_table_ready(&t, s[3]);
	assert_int_equal(park_table_first(&t, PARK_LIST_READY), s[2]);
	take(&t, s[2], 22);
	assert_int_equal(park_table_first(&t, PARK_LIST_READY), s[0]);
	take(&t, s[0], 20);
	assert_int_equal(park_table_first(&t, PARK_LIST_READY), s[3]);
	take(&t, s[3], 23);
	assert_int_equal(park_table_first(&t, PARK_LIST_READY), PARK_NONE);
	assert_int_equal(park_table_first(&t, PARK_LIST_IDLE), s[1]);
	park_table_free(&t);
}

static void
test_park_table_expires_the_earliest_deadline_first(void **state)
{
	struct park_table t;
	uint32_t late, early;

	(void)state;
	assert_int_equal(park_table_init(&t, 4), 0);
	assert_int_equal(park_table_next_deadline(&t), UINT64_MAX);
	late = add(&t, 10, HANDOFF_IDLE, 7000, 0);
	early = add(&t, 11, HANDOFF_READING, 3000, 0);
	assert_int_equal(park_table_next_deadline(&t), 3000);
	assert_int_equal(park_table_expired(&t, 2999), PARK_NONE);
	assert_int_equal(park_table_expired(&t, 3000), early);
	/* Ready: out of the deadline heap. */
	park_table_ready(&t, early);
	assert_int_equal(park_table_next_deadline(&t), 7000);
	assert_int_equal(park_table_expired(&t, 6000), PARK_NONE);
	assert_int_equal(park_table_expired(&t, 9000), late);
	park_table_free(&t);
}

static void
test_park_table_tells_a_reused_slot_from_the_old_entry(void **state)
{
	struct park_table t;
	uint32_t s, again, serial;

	(void)state;
	assert_int_equal(park_table_init(&t, 1), 0);
	s = add(&t, 10, HANDOFF_IDLE, 9000, 0);
	serial = t.e[s].serial;
	assert_non_null(park_table_get(&t, s, serial));
	take(&t, s, 10);
	assert_null(park_table_get(&t, s, serial));
	again = add(&t, 11, HANDOFF_IDLE, 9000, 0);
	assert_int_equal(again, s);
	assert_null(park_table_get(&t, s, serial));
	assert_non_null(park_table_get(&t, s, t.e[s].serial));
	assert_null(park_table_get(&t, 5, 0));	/* out of range */
	park_table_free(&t);
}

/*
 * A big table touches only the slots it has used: a freed slot is taken
 * again before a new one, and a slot never used is not an entry.
 */
static void
test_park_table_uses_slots_from_the_front(void **state)
{
	struct park_table t;
	uint32_t a, b;

	(void)state;
	assert_int_equal(park_table_init(&t, 100000), 0);
	a = add(&t, 10, HANDOFF_IDLE, 9000, 0);
	b = add(&t, 11, HANDOFF_READING, 9000, 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_null(park_table_get(&t, 2, 0));
	assert_null(park_table_get(&t, 99999, 0));
	take(&t, a, 10);
	assert_int_equal(add(&t, 12, HANDOFF_IDLE, 9000, 0), a);
	assert_int_equal(add(&t, 13, HANDOFF_IDLE, 9000, 0), 2);
	assert_int_equal(t.fresh, 3);
	park_table_free(&t);
}

/* The brute-force earliest deadline of the waiting entries. */
static uint64_t
earliest(const struct park_table *t)
{
	uint64_t best = UINT64_MAX;

	for (uint32_t i = 0; i < t->fresh; i++)
		if (t->e[i].fd >= 0 && t->e[i].list != PARK_LIST_READY &&
		    t->e[i].deadline_ms < best)
			best = t->e[i].deadline_ms;
	return best;
}

static void
test_park_table_heap_agrees_with_a_scan_under_random_changes(void **state)
{
	struct park_table t;
	unsigned seed = 12345;

	(void)state;
	assert_int_equal(park_table_init(&t, 64), 0);
	for (int step = 0; step < 20000; step++) {
		uint32_t slot = (uint32_t)(rand_r(&seed) % 64);
		int op = rand_r(&seed) % 3;
		int held = slot < t.fresh && t.e[slot].fd >= 0;

		if (!held && op != 2) {
			/* Takes the next free slot, not necessarily this one. */
			assert_int_not_equal(add(&t, 100 + step,
			    (uint8_t)(1 + rand_r(&seed) % 2),
			    (uint64_t)(rand_r(&seed) % 1000), 0), PARK_NONE);
		} else if (held && op == 1) {
			park_table_ready(&t, slot);
		} else if (held) {
			take(&t, slot, t.e[slot].fd);
		}
		assert_int_equal(park_table_next_deadline(&t), earliest(&t));
		assert_int_equal(t.count[PARK_LIST_IDLE] +
		    t.count[PARK_LIST_READING] + t.count[PARK_LIST_READY],
		    t.used);
	}
	park_table_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_park_table_holds_up_to_its_capacity),
		cmocka_unit_test(test_park_table_refuses_a_capacity_of_zero),
		cmocka_unit_test(
		    test_park_table_closes_a_lingering_one_before_any_idle),
		cmocka_unit_test(
		    test_park_table_sheds_the_oldest_idle_before_any_reading),
		cmocka_unit_test(
		    test_park_table_sheds_a_waiting_response_last_and_keeps_its_file),
		cmocka_unit_test(
		    test_park_table_never_sheds_a_connection_whose_client_spoke),
		cmocka_unit_test(test_park_table_ready_is_first_in_first_out),
		cmocka_unit_test(
		    test_park_table_expires_the_earliest_deadline_first),
		cmocka_unit_test(
		    test_park_table_tells_a_reused_slot_from_the_old_entry),
		cmocka_unit_test(test_park_table_uses_slots_from_the_front),
		cmocka_unit_test(
		    test_park_table_heap_agrees_with_a_scan_under_random_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
