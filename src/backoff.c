/*
 * backoff - the crash backoff schedule and the spawn-rate token bucket.
 *
 * Both are pure: the caller passes the time, nothing here sleeps or reads a
 * clock.  Token counts are kept in thousandths so that refilling needs no
 * floating point: `per_sec` tokens a second is `per_sec` thousandths a
 * millisecond.
 */
#include "config.h"

#include "backoff.h"

uint64_t
backoff_delay_ms(unsigned failures)
{
	uint64_t d = BACKOFF_FIRST_MS;

	if (failures == 0)
		return 0;
	for (unsigned i = 1; i < failures && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

uint64_t
backoff_after_exit(unsigned *failures, bool crashed, bool served,
    uint64_t lifetime_ms)
{
	if (lifetime_ms >= BACKOFF_STABLE_MS)
		*failures = 0;
	if (!crashed || (served && lifetime_ms >= BACKOFF_YOUNG_MS)) {
		*failures = 0;
		return 0;
	}
	if (*failures < UINT16_MAX)	/* the delay is capped long before */
		(*failures)++;
	return backoff_delay_ms(*failures);
}

static void
ratecap_refill(struct ratecap *rc, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)rc->burst * 1000;

	if (now_ms > rc->last_ms) {
		uint64_t add = (now_ms - rc->last_ms) * rc->per_sec;

		rc->milli = cap - rc->milli < add ? cap : rc->milli + add;
		rc->last_ms = now_ms;
	}
	if (rc->milli > cap)
		rc->milli = cap;
}

void
ratecap_init(struct ratecap *rc, unsigned burst, unsigned per_sec,
    uint64_t now_ms)
{
	rc->burst = burst > 0 ? burst : 1;
	rc->per_sec = per_sec > 0 ? per_sec : 1;
	rc->milli = (uint64_t)rc->burst * 1000;
	rc->last_ms = now_ms;
}

void
ratecap_set(struct ratecap *rc, unsigned burst, unsigned per_sec,
    uint64_t now_ms)
{
	ratecap_refill(rc, now_ms);
	rc->burst = burst > 0 ? burst : 1;
	rc->per_sec = per_sec > 0 ? per_sec : 1;
	ratecap_refill(rc, now_ms);
}

bool
ratecap_take(struct ratecap *rc, uint64_t now_ms)
{
	ratecap_refill(rc, now_ms);
	if (rc->milli < 1000)
		return false;
	rc->milli -= 1000;
	return true;
}

uint64_t
ratecap_wait_ms(struct ratecap *rc, uint64_t now_ms)
{
	ratecap_refill(rc, now_ms);
	if (rc->milli >= 1000)
		return 0;
	return (1000 - rc->milli + rc->per_sec - 1) / rc->per_sec;
}
