/*
 * pressure - the yield and slow-reader decisions, as pure functions.
 *
 * No syscalls: the caller passes the time and what it saw.  See
 * pressure.h for the rules.
 */
#include "config.h"

#include "pressure.h"

enum pressure_step
pressure_next(const struct pressure_wait *pw, uint64_t now_ms,
    uint64_t *until_ms)
{
	if (pw->seen_ms == 0) {
		if (now_ms >= pw->grace_ms)
			return PRESSURE_WATCH;
		*until_ms = pw->grace_ms;
		return PRESSURE_HOLD;
	}
	if (now_ms < pw->seen_ms + PRESSURE_SETTLE_MS) {
		*until_ms = pw->seen_ms + PRESSURE_SETTLE_MS;
		return PRESSURE_HOLD;
	}
	return PRESSURE_PROBE;
}

void
pressure_begin(struct pressure_wait *pw, uint64_t now_ms, bool fresh)
{
	pw->grace_ms = fresh ? now_ms + PRESSURE_GRACE_MS : 0;
}

void
pressure_seen(struct pressure_wait *pw, uint64_t now_ms)
{
	if (pw->seen_ms == 0)
		pw->seen_ms = now_ms > 0 ? now_ms : 1;
}

bool
pressure_probed(struct pressure_wait *pw, bool pressed)
{
	if (!pressed)
		pw->seen_ms = 0;
	return pressed;
}

bool
pressure_rate_short(uint64_t acked, uint64_t since_ms, uint64_t now_ms,
    unsigned min_rate)
{
	uint64_t elapsed;

	if (min_rate == 0 || now_ms < since_ms)
		return false;
	elapsed = now_ms - since_ms;
	if (elapsed < PRESSURE_RATE_WINDOW_MS)
		return false;
	/* acked / elapsed_s < min_rate, without dividing. */
	return acked * 1000 < (uint64_t)min_rate * elapsed;
}
