/*
 * notify - sd_notify(3) for the master.
 *
 * Messages are small and datagram-sized; sd_notify() sends each in one
 * sendmsg().  A failure is logged once (the manager may be restarting) and
 * never stops the daemon: serving matters more than reporting.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "clock.h"
#include "log.h"
#include "notify.h"

static struct {
	bool on;		/* NOTIFY_SOCKET is set */
	bool failed;		/* a send failed; logged once */
	uint64_t watchdog_ms;	/* the period we send at; 0 = none */
	uint64_t watchdog_due;
	uint64_t status_due;	/* no STATUS= before */
	uint64_t extend_due;	/* no EXTEND_TIMEOUT_USEC= before */
	char status[512];	/* as last sent */
} notify;

static void
notify_send(const char *msg)
{
	int r;

	if (!notify.on)
		return;
	r = sd_notify(0, msg);
	if (r > 0) {
		if (notify.failed)
			log_notice("service manager notifications work again");
		notify.failed = false;
		return;
	}
	if (!notify.failed)
		log_warning("cannot notify the service manager: %s",
		    r < 0 ? strerror(-r) : "NOTIFY_SOCKET is gone");
	notify.failed = true;
}

static void
notify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
notify_sendf(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	notify_send(msg);		/* a long STATUS= is cut, still sent */
}

void
notify_init(uint64_t now_ms)
{
	uint64_t usec = 0;
	int r;

	notify.on = getenv("NOTIFY_SOCKET") != NULL;
	if (!notify.on)
		return;
	r = sd_watchdog_enabled(0, &usec);
	if (r < 0)
		log_warning("WATCHDOG_USEC ignored: %s", strerror(-r));
	if (r > 0 && usec > 0) {
		notify.watchdog_ms = usec / 2000 > 0 ? usec / 2000 : 1;
		notify.watchdog_due = now_ms;
		log_info("service manager watchdog: %" PRIu64 " ms, "
		    "answered every %" PRIu64 " ms", usec / 1000,
		    notify.watchdog_ms);
	}
}

static void
notify_remember(const char *status, uint64_t now_ms)
{
	snprintf(notify.status, sizeof(notify.status), "%s", status);
	notify.status_due = now_ms + NOTIFY_STATUS_MS;
}

void
notify_ready(const char *status, uint64_t now_ms)
{
	notify_sendf("READY=1\nSTATUS=%s", status);
	notify_remember(status, now_ms);
}

void
notify_reloading(void)
{
	if (notify.on)
		notify_sendf("RELOADING=1\nSTATUS=reloading\n"
		    "MONOTONIC_USEC=%" PRIu64, clock_now_us());
}

void
notify_stopping(const char *status, uint64_t now_ms)
{
	notify_sendf("STOPPING=1\nSTATUS=%s", status);
	notify_remember(status, now_ms);
}

void
notify_extend(uint64_t left_ms, uint64_t now_ms)
{
	if (!notify.on || now_ms < notify.extend_due)
		return;
	notify_sendf("EXTEND_TIMEOUT_USEC=%" PRIu64, left_ms * 1000);
	notify.extend_due = now_ms + NOTIFY_STATUS_MS;
}

void
notify_status(const char *status, uint64_t now_ms)
{
	if (!notify.on || now_ms < notify.status_due ||
	    strcmp(status, notify.status) == 0)
		return;
	notify_sendf("STATUS=%s", status);
	notify_remember(status, now_ms);
}

int
notify_watchdog(uint64_t now_ms)
{
	if (notify.watchdog_ms == 0)
		return -1;
	if (now_ms >= notify.watchdog_due) {
		notify_send("WATCHDOG=1");
		notify.watchdog_due = now_ms + notify.watchdog_ms;
	}
	return (int)(notify.watchdog_due - now_ms);
}
