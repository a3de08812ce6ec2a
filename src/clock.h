/*
 * clock - monotonic milliseconds, the one time base of timeouts and the
 * scoreboard, and microseconds for the durations that access records
 * report.  CLOCK_MONOTONIC is system-wide, so times taken by a worker and
 * by the master compare directly.
 */
#ifndef PREFORKD_CLOCK_H
#define PREFORKD_CLOCK_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline int64_t
clock_now_ns(void)
{
	struct timespec ts;

	/* Fails only for a bad clock id or pointer: our bug, not the peer's. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline uint64_t
clock_now_us(void)
{
	return (uint64_t)clock_now_ns() / 1000u;
}

static inline uint64_t
clock_now_ms(void)
{
	return (uint64_t)clock_now_ns() / 1000000u;
}

/* A time in microseconds as whole milliseconds, rounded up: a deadline
 * made of it never comes early. */
static inline uint64_t
clock_ceil_ms(uint64_t us)
{
	return (us + 999u) / 1000u;
}

/* The deadline ms from now, in whole milliseconds, never early. */
static inline uint64_t
clock_deadline_ms(uint64_t ms)
{
	return clock_ceil_ms(clock_now_us()) + ms;
}

#endif
