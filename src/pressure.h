/*
 * pressure - when a worker lets go of a client that keeps it waiting.
 *
 * A worker serves one connection at a time, so a client that is idle
 * (a keep-alive connection between two requests), slow (a request head
 * that trickles in) or slow to read (a response it takes bytes at a time)
 * holds a whole worker.  That is harmless while other workers are idle,
 * and only then: under pressure (another connection waits for a worker:
 * one is queued on a listener, or the parker has handed back one whose
 * client spoke) the worker must move on.  These are the pure decisions;
 * conn.c makes the syscalls.
 *
 * Waiting for a client (struct pressure_wait, one per connection a worker
 * holds): the worker watches its client and the pressure descriptors.
 * Once it sees pressure it holds on for PRESSURE_SETTLE_MS, watching its
 * client only (an idle worker, if there is one, takes the waiting
 * connection meanwhile: it was woken at the same moment), then looks
 * again: pressure still there, it yields, and the connection goes to the
 * parker; gone, it watches again.  The time pressure was first seen
 * outlasts one wait, so a client that keeps the worker busy with a quick
 * request after each response still yields within a few milliseconds.
 *
 * A connection's first wait is usually short: its request is on its way
 * when the worker accepts it.  Watching the listeners during it would
 * wake the worker for every connection that arrives meanwhile (a poll on
 * a listener is no exclusive wait), so the wait for a client that has
 * sent nothing yet begins with PRESSURE_GRACE_MS on the client alone, and
 * watches only if it outlasts that.  (Later waits watch at once: a kept
 * connection's silence is what other connections wait behind.)
 *
 * Reading too slowly: once a response has to wait for its client (the
 * socket's buffer is full), the client must take at least min_rate bytes
 * in each PRESSURE_RATE_WINDOW_MS that it keeps the response waiting; a
 * client below the rate has its response cut, under pressure only, so a
 * slow client of an idle server is still served.  Windows, not the
 * average since the first wait: a client whose buffers swallowed
 * megabytes at first and which then stops reading is judged on what it
 * does now.
 */
#ifndef PREFORKD_PRESSURE_H
#define PREFORKD_PRESSURE_H

#include <stdbool.h>
#include <stdint.h>

#define PRESSURE_SETTLE_MS	2	/* pressure must last this long */
#define PRESSURE_GRACE_MS	5	/* a first wait's start, client alone */
#define PRESSURE_RATE_WINDOW_MS	1000	/* a slow reader is judged per window */
#define PRESSURE_RATE_CHECK_MS	250	/* how often it is judged then */

/* What a waiting worker does next. */
enum pressure_step {
	PRESSURE_WATCH,		/* wait on the client and the pressure */
	PRESSURE_HOLD,		/* wait on the client alone, until *until_ms */
	PRESSURE_PROBE,		/* look at the pressure now, without waiting */
};

struct pressure_wait {
	uint64_t seen_ms;	/* pressure first seen; 0: not seen */
	uint64_t grace_ms;	/* the current wait watches from then on */
};

/* The next step at now_ms; for PRESSURE_HOLD, until when. */
enum pressure_step pressure_next(const struct pressure_wait *pw,
    uint64_t now_ms, uint64_t *until_ms);
/* A wait for the client begins at now_ms; fresh: the client has sent
 * nothing yet (the grace applies). */
void pressure_begin(struct pressure_wait *pw, uint64_t now_ms, bool fresh);
/* The pressure descriptors were ready during a PRESSURE_WATCH wait. */
void pressure_seen(struct pressure_wait *pw, uint64_t now_ms);
/* The result of a PRESSURE_PROBE: true when the worker yields now. */
bool pressure_probed(struct pressure_wait *pw, bool pressed);

/*
 * Is a client that has acknowledged `acked` bytes in the ms since
 * since_ms (the start of the window) below min_rate bytes a second?
 * Never before a whole window has passed, never with min_rate 0.
 */
bool pressure_rate_short(uint64_t acked, uint64_t since_ms, uint64_t now_ms,
    unsigned min_rate);

#endif
