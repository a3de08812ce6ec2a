/*
 * fault - a switch the integration tests use to make workers fail.
 *
 * When the environment variable PREFORKD_TEST_FAULT_FILE names a file,
 * every worker started while that file exists exits with status 1 before
 * it reports ready: a startup fault on demand, so the tests can watch the
 * crash backoff and the recovery once the file is removed.  Without the
 * variable nothing changes; with it the master says so at start.
 */
#ifndef PREFORKD_FAULT_H
#define PREFORKD_FAULT_H

#include <stdbool.h>

#define FAULT_ENV "PREFORKD_TEST_FAULT_FILE"

/* Logs a warning at start when the switch is armed. */
void fault_announce(void);
/* true: this worker must fail at startup. */
bool fault_worker_start(void);

#endif
