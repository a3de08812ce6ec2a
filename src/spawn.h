/*
 * spawn - fork workers into scoreboard slots, reap them, respawn them.
 *
 * Mechanism for the master: spawn_due() fills every empty slot whose
 * respawn time has come; spawn_reap() collects every dead child, logs how
 * and when in its life it died, and schedules its slot.  A worker that dies
 * before it ever reported ready is respawned only after a pause, so a
 * worker that cannot start does not turn into a fork loop.
 */
#ifndef PREFORKD_SPAWN_H
#define PREFORKD_SPAWN_H

#include <stdint.h>

struct master;

#define SPAWN_STARTUP_FAIL_DELAY_MS 1000

void spawn_due(struct master *m, uint64_t now_ms);
/* Milliseconds until the next slot is due, or -1 if none is waiting. */
int spawn_next_timeout(const struct master *m, uint64_t now_ms);
void spawn_reap(struct master *m, uint64_t now_ms);
/* Sends sig to every live worker; returns how many were signalled. */
unsigned spawn_signal_all(struct master *m, int sig);

#endif
