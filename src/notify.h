/*
 * notify - what the master tells its service manager (sd_notify).
 *
 * The only module that talks to systemd, and only the master calls it.
 * Every call is a no-op when NOTIFY_SOCKET is not set, so the daemon runs
 * the same by hand.  Times are the master's monotonic milliseconds.
 *
 *   notify_ready       READY=1 and STATUS=, at start and after each reload
 *   notify_reloading   RELOADING=1 with MONOTONIC_USEC=, on HUP
 *   notify_stopping    STOPPING=1, at the start of a stop
 *   notify_extend      EXTEND_TIMEOUT_USEC=, at most once a second, while
 *                      a stop drains busy workers
 *   notify_status      STATUS=, when it changed, at most once a second
 *   notify_watchdog    WATCHDOG=1, at half the manager's WATCHDOG_USEC
 */
#ifndef PREFORKD_NOTIFY_H
#define PREFORKD_NOTIFY_H

#include <stdint.h>

#define NOTIFY_STATUS_MS	1000	/* STATUS= and EXTEND_TIMEOUT_USEC= */

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC; logs what it found. */
void notify_init(uint64_t now_ms);
void notify_ready(const char *status, uint64_t now_ms);
void notify_reloading(void);
void notify_stopping(const char *status, uint64_t now_ms);
/* Asks for `left_ms` more from now, at most once a second. */
void notify_extend(uint64_t left_ms, uint64_t now_ms);
void notify_status(const char *status, uint64_t now_ms);
/* Sends WATCHDOG=1 when due; ms until the next one is due (-1: never). */
int notify_watchdog(uint64_t now_ms);

#endif
