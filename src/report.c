/*
 * report - stamping and writing health records.
 *
 * Owns nothing but the struct it is given.  A write that fails with
 * EAGAIN (the master is behind) marks the record pending; EPIPE (the
 * master is gone) is left to the lifeline to tell; anything else is
 * logged, since it will not get better by retrying.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "report.h"

void
report_init(struct report *rp, int fd, pid_t pid, uint32_t cookie,
    uint32_t generation, uint8_t role)
{
	memset(rp, 0, sizeof(*rp));
	rp->fd = fd;
	rp->pid = (uint32_t)pid;
	rp->cookie = cookie;
	rp->generation = generation;
	rp->role = role;
}

static void
report_write(struct report *rp)
{
	uint8_t buf[HEALTH_RECORD_SIZE];
	ssize_t n;

	health_encode(&rp->last, buf);
	do
		n = write(rp->fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	/* Atomic: all or nothing. */
	rp->pending = n < 0 && errno == EAGAIN;
	if (n < 0 && errno != EAGAIN && errno != EPIPE)
		log_warning_errno("cannot write to the health pipe");
}

void
report_send(struct report *rp, const struct health_record *r)
{
	rp->last = *r;
	rp->last.pid = rp->pid;
	rp->last.cookie = rp->cookie;
	rp->last.generation = rp->generation;
	rp->last.role = rp->role;
	rp->last.seq = ++rp->seq;
	rp->last.time_ms = rp->last_ms = clock_now_ms();
	report_write(rp);
}

void
report_retry(struct report *rp)
{
	if (!rp->pending)
		return;
	/* A new sequence number and time: it is the state now. */
	report_send(rp, &rp->last);
}
