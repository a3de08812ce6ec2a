/*
 * spawn - fork workers into scoreboard slots, reap them, respawn them.
 *
 * Mechanism for the master: spawn_due() fills every slot of the pool whose
 * wait is over, one token of the global spawn-rate cap per fork;
 * spawn_reap() collects every dead child, logs how and when in its life it
 * died, and lets the scoreboard schedule its slot (crash backoff, see
 * backoff.h).  spawn_kill() is the only place a worker is signalled.
 */
#ifndef PREFORKD_SPAWN_H
#define PREFORKD_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct master;

/*
 * The journal fields of a record about a worker, w a struct score_slot *
 * (or anything with pid and generation): log_warning_fields(
 * SPAWN_WORKER_FIELDS(w), "worker %ld ...", ...).  A worker's own records
 * carry the same two fields, from the context spawn sets in the child.
 */
#define SPAWN_WORKER_FIELD_LIST(w) \
	LOG_I64("WORKER_PID", (w)->pid), \
	LOG_U64("GENERATION", (w)->generation)
#define SPAWN_WORKER_FIELDS(w) LOG_FIELDS(SPAWN_WORKER_FIELD_LIST(w))

#define SPAWN_FORK_FAIL_DELAY_MS 1000	/* fork() failed: try again then */

/* Sets the spawn-rate cap for a pool of `workers`. */
void spawn_set_cap(struct master *m, unsigned workers, uint64_t now_ms);
void spawn_due(struct master *m, uint64_t now_ms);
/* Milliseconds until the next slot is due, or -1 if none is waiting. */
int spawn_next_timeout(struct master *m, uint64_t now_ms);
void spawn_reap(struct master *m, uint64_t now_ms);
/* Sends sig to the worker in slot i: 0, or -1 if it could not be sent. */
int spawn_kill(struct master *m, size_t i, int sig);
/* Sends sig to every live worker. */
void spawn_signal_all(struct master *m, int sig);

#endif
