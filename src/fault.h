/*
 * fault - a switch the integration tests use to make workers fail.
 *
 * When the environment variable PREFORKD_TEST_FAULT_FILE names a file,
 * every worker started while that file exists exits with status 1 before
 * it reports ready: a startup fault on demand, so the tests can watch the
 * crash backoff and the recovery once the file is removed.  When the file
 * begins with "hang", the worker stops instead, never ready, until it is
 * killed.  Without the variable nothing changes; with it the master says
 * so at start.
 */
#ifndef PREFORKD_FAULT_H
#define PREFORKD_FAULT_H

#include <stdbool.h>

#define FAULT_ENV "PREFORKD_TEST_FAULT_FILE"

/* Logs a warning at start when the switch is armed. */
void fault_announce(void);
enum fault_start {
	FAULT_START_OK,		/* start as usual */
	FAULT_START_EXIT,	/* exit with status 1 before ready */
	FAULT_START_HANG,	/* never get ready */
};

/* What this worker must do at startup. */
enum fault_start fault_worker_start(void);

#endif
