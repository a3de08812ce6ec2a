/*
 * reload - SIGHUP: a new generation from a re-read configuration.
 *
 * reload_run() validates the whole file first (the same checks as at
 * start) and opens the listeners it adds; on any error it logs the error
 * with file, line and key and changes nothing.  On success it switches the
 * master to the new configuration and listeners and starts generation N+1:
 * its pool is filled at once, while the workers of generation N go on
 * serving.  Once every new worker has reported ready, pool_retire() tells
 * the old ones to finish the connection in hand and exit, and closes the
 * listeners the new configuration dropped.
 */
#ifndef PREFORKD_RELOAD_H
#define PREFORKD_RELOAD_H

#include <stdint.h>

struct master;

/* Also RELOADING=1 first, then READY=1 at once when the file is refused. */
void reload_run(struct master *m, uint64_t now_ms);
/* READY=1 for a new generation that did not become ready within
 * timeouts.graceful (the old one still serves); called with the chores. */
void reload_check_late(struct master *m, uint64_t now_ms);

#endif
