/*
 * pool - the master's policy over its workers: how many, which may stay,
 * and what the pool's state is.
 *
 * pool_grow / pool_shrink answer TTIN and TTOU.  pool_retire tells the
 * workers outside the pool to finish the connection in hand and go, once
 * the current generation serves.  pool_chores, once a second, kills a
 * busy worker that made no report for timeouts.hang and a retiring worker
 * past its timeouts.graceful deadline; pool_kill is that kill, with a
 * warning that says who it served and for how long (a stop's deadline
 * uses it too).  pool_status keeps the one-line status current and logs
 * when the pool becomes degraded and when it recovers; pool_dump logs the
 * scoreboard (USR1).
 */
#ifndef PREFORKD_POOL_H
#define PREFORKD_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "score.h"

struct master;

void pool_grow(struct master *m);
void pool_shrink(struct master *m, uint64_t now_ms);
/* true when the current generation began to serve just now. */
bool pool_retire(struct master *m, uint64_t now_ms);
void pool_chores(struct master *m, uint64_t now_ms);
void pool_kill(struct master *m, size_t i, enum score_kill why,
    uint64_t now_ms);
void pool_status(struct master *m);
void pool_dump(struct master *m, uint64_t now_ms);

#endif
