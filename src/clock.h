/*
 * clock - monotonic milliseconds, the one time base of timeouts and the
 * scoreboard.  CLOCK_MONOTONIC is system-wide, so times taken by a worker
 * and by the master compare directly.
 */
#ifndef PREFORKD_CLOCK_H
#define PREFORKD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
clock_now_ms(void)
{
	struct timespec ts;

	/* Cannot fail with a valid clock id and pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
