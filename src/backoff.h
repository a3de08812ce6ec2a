/*
 * backoff - when a worker slot may be refilled: crash backoff per slot and
 * a global cap on the spawn rate.
 *
 * Pure policy: no syscalls, time passed in by the caller.  A worker that
 * crashes before it ever served a connection, or within BACKOFF_YOUNG_MS of
 * its start, is a startup fault: its slot waits 100 ms, then 200, 400 ...
 * up to 30 s before the next try.  Any other exit refills the slot at once.
 * A worker that lived BACKOFF_STABLE_MS clears its slot's record first, so
 * one fault after a long good run costs only the first step.  On top of
 * that, every spawn takes a token from a bucket shared by all slots, so no
 * pattern of exits can turn the master into a fork loop.
 */
#ifndef PREFORKD_BACKOFF_H
#define PREFORKD_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#define BACKOFF_FIRST_MS	100
#define BACKOFF_MAX_MS		30000
#define BACKOFF_YOUNG_MS	1000	/* died sooner: a startup fault */
#define BACKOFF_STABLE_MS	10000	/* lived longer: slot record cleared */

/* The wait before the next spawn after `failures` startup faults in a row. */
uint64_t backoff_delay_ms(unsigned failures);

/*
 * A worker left its slot: updates the slot's count of startup faults and
 * returns how long the slot must wait before it is refilled.
 * crashed: killed by a signal or a non-zero exit; served: it had taken at
 * least one connection; lifetime_ms: from fork to reap.
 */
uint64_t backoff_after_exit(unsigned *failures, bool crashed, bool served,
    uint64_t lifetime_ms);

/* A token bucket: `burst` spawns at once, then `per_sec` a second. */
struct ratecap {
	uint64_t milli;		/* tokens available, in thousandths */
	uint64_t last_ms;	/* when milli was last topped up */
	unsigned burst;
	unsigned per_sec;
};

/* A full bucket. */
void ratecap_init(struct ratecap *rc, unsigned burst, unsigned per_sec,
    uint64_t now_ms);
/* New limits (on reload); the tokens saved so far are kept, up to burst. */
void ratecap_set(struct ratecap *rc, unsigned burst, unsigned per_sec,
    uint64_t now_ms);
/* Takes one token: true if there was one. */
bool ratecap_take(struct ratecap *rc, uint64_t now_ms);
/* Milliseconds until a token is available (0: one is). */
uint64_t ratecap_wait_ms(struct ratecap *rc, uint64_t now_ms);

#endif
