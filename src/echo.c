/*
 * echo - the RFC 862 echo service: every byte received goes back, until
 * the client's EOF.
 *
 * Owns one 64 KiB buffer per process (a worker serves one connection at a
 * time).  Exports echo_handle(), the service handler.  Each read waits at
 * most timeouts.read and each write that makes no progress at most
 * timeouts.write (both enforced by conn).  Under pressure a read's wait
 * may end in a yield (conn.h): the stream then waits in the parker and
 * goes on in whichever worker takes it back, with its counts and its
 * start; only the stint that ends the stream logs it.  How the exchange ended decides
 * the close and the access record "CLIENT echo IN OUT MS END" (under
 * journald also REMOTE_ADDR, REMOTE_PORT, BYTES_IN, BYTES (out),
 * DURATION_USEC and ECHO_END):
 *   eof            the client is done: lingering close;
 *   read-timeout   a silent client: lingering close too (see echo_finish);
 *   write-timeout  a client that does not read: abort;
 *   reset          the connection broke under us: abort;
 *   error          anything else: abort, and a warning, since only a bug
 *                  of ours or of the system gets there.
 * Timeouts and resets are the client's doing and stay at info level.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>

#include "addr.h"
#include "clock.h"
#include "conf.h"
#include "conn.h"
#include "handoff.h"
#include "log.h"
#include "service.h"

#define ECHO_BUF_SIZE	(64 * 1024)

enum echo_end {
	ECHO_EOF,
	ECHO_READ_TIMEOUT,
	ECHO_WRITE_TIMEOUT,
	ECHO_RESET,
	ECHO_ERROR,
	ECHO_YIELDED,		/* not an end: the parker has the stream */
};

static const char *const echo_end_names[] = {
	[ECHO_EOF] = "eof",
	[ECHO_READ_TIMEOUT] = "read-timeout",
	[ECHO_WRITE_TIMEOUT] = "write-timeout",
	[ECHO_RESET] = "reset",
	[ECHO_ERROR] = "error",
	[ECHO_YIELDED] = "yielded",
};

/*
 * What a failed conn_recv/conn_send_all means: the peer or the network
 * broke the connection (reset), it ran out of time (timed_out: which
 * timeout depends on the call), or something unexpected (error).
 */
static enum echo_end
echo_end_of(int err, enum echo_end timed_out)
{
	switch (err) {
	case ETIMEDOUT:
		return timed_out;
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
	case ENETRESET:
	case EHOSTUNREACH:
	case ENETUNREACH:
		return ECHO_RESET;
	default:
		return ECHO_ERROR;
	}
}

/* The stream goes to the parker, to wait for its client until
 * deadline_ms: 0, or -1 when the parker cannot take it. */
static int
echo_yield(struct conn *c, uint64_t start_us, uint64_t deadline_ms)
{
	const struct conn_unit u = {
		.kind = HANDOFF_IDLE,
		.start_us = start_us,
		.deadline_ms = deadline_ms,
	};

	return conn_yield(c, &u);
}

/*
 * Echoes until the client's EOF, a failure (errno tells which) or a
 * yield; the first read waits until deadline_ms, each next one
 * timeouts.read.
 */
static enum echo_end
echo_pump(struct conn *c, char *buf, size_t len, uint64_t start_us,
    uint64_t deadline_ms)
{
	ssize_t n;

	for (;;) {
		n = conn_recv_or_yield(c, buf, len, deadline_ms);
		if (n == CONN_YIELD) {
			if (echo_yield(c, start_us, deadline_ms) == 0)
				return ECHO_YIELDED;
			continue;
		}
		if (n == 0)
			return ECHO_EOF;
		if (n < 0)
			return echo_end_of(errno, ECHO_READ_TIMEOUT);
		if (conn_send_all(c, buf, (size_t)n) < 0)
			return echo_end_of(errno, ECHO_WRITE_TIMEOUT);
		deadline_ms = clock_deadline_ms((uint64_t)c->read_timeout_ms);
	}
}

/*
 * After EOF, and after a read timeout as well, every byte echoed is already
 * queued; what could still cut it is a reset from closing on unread input,
 * so both close lingering (bounded by timeouts.linger).  After a write
 * timeout the client is not reading: lingering would only wait for nothing.
 * After a reset or an error there is no connection left to be polite to.
 */
static void
echo_finish(struct conn *c, enum echo_end end)
{
	if (end == ECHO_EOF || end == ECHO_READ_TIMEOUT)
		conn_close(c);
	else
		conn_abort(c);
}

/* The access record: the line, and for the journal its facts as fields. */
static void
echo_log(const struct conn *c, enum echo_end end, uint64_t us)
{
	char host[ADDR_STR_MAX];
	unsigned port;

	if (!log_enabled(LOG_INFO))
		return;
	port = addr_host((const struct sockaddr *)&c->peer_addr, c->peer_len,
	    host, sizeof(host));
	log_info_fields(LOG_FIELDS(LOG_STR("REMOTE_ADDR", host),
	    LOG_U64("REMOTE_PORT", port),
	    LOG_U64("BYTES_IN", c->bytes_in),
	    LOG_U64("BYTES", c->bytes_out),
	    LOG_U64("DURATION_USEC", us),
	    LOG_STR("ECHO_END", echo_end_names[end])),
	    "%s echo %" PRIu64 " %" PRIu64 " %" PRIu64 " %s", c->peer,
	    c->bytes_in, c->bytes_out, us / 1000, echo_end_names[end]);
}

void
echo_handle(struct conn *c, const struct conf *cf, void *site)
{
	static char buf[ECHO_BUF_SIZE];
	uint64_t start_us = c->resumed ? c->resume.start_us : clock_now_us();
	uint64_t deadline_ms = c->resumed ? c->resume.deadline_ms :
	    clock_ceil_ms(start_us) + (uint64_t)c->read_timeout_ms;
	enum echo_end end = echo_pump(c, buf, sizeof(buf), start_us,
	    deadline_ms);

	(void)site;

	if (end == ECHO_YIELDED)
		return;
	if (end == ECHO_ERROR)
		log_warning_errno("%s: echo", c->peer);
	/* Logged before the close, so the record exists by the time the
	 * client sees our FIN. */
	if (cf->access_log)
		echo_log(c, end, clock_now_us() - start_us);
	echo_finish(c, end);
}
