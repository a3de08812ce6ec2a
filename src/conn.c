/*
 * conn - the transfer loops of a client connection, written once.
 *
 * Owns the one loop every recv and send goes through (conn_transfer: try
 * first, wait only when the kernel would block, resume after EINTR), the
 * deadlines on CLOCK_MONOTONIC that bound its waits, the lingering close,
 * the process-wide wait mask, and the worker's side of occupancy: the
 * waits that may end in a yield, the handoff to the parker, the resumed
 * connection, and the slow-reader rule of the send waits (the decisions
 * are pressure.c's).  Exports the conn_* functions of conn.h.  Every recv
 * and send passes MSG_DONTWAIT and every send MSG_NOSIGNAL, so a dead
 * peer is EPIPE, never SIGPIPE.  sendfile() takes no flags: it needs the
 * socket's O_NONBLOCK (accept4 with SOCK_NONBLOCK) not to block, and
 * SIGPIPE ignored (it is, in every worker) not to kill.
 *
 * Errors: -1 with errno as the kernel set it, or ETIMEDOUT when a deadline
 * passed; a recv of 0 is the peer's EOF.  Nothing here logs.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "conf.h"
#include "conn.h"
#include "handoff.h"

#define CONN_MS_PER_S		1000
#define CONN_NS_PER_MS		INT64_C(1000000)
#define CONN_NS_PER_S		INT64_C(1000000000)
#define CONN_NEVER		INT64_MAX	/* a deadline that never comes */
#define CONN_DRAIN_BUF		4096
#define CONN_SENDFILE_MAX	(1 << 30)	/* bytes per sendfile() call */
#define CONN_PRESSURE_MAX	16		/* listeners and the channel */
#define CONN_YIELD_RETRY_MS	100		/* after a refused handoff */

/* What a wait returns, beyond 1 ready, 0 timed out and -1 error. */
#define CONN_WAIT_YIELD		2		/* let the client go */

/* How a transfer waits when the kernel would block. */
enum conn_wait {
	CONN_WAIT_PLAIN,	/* for the descriptor, until the deadline */
	CONN_WAIT_YIELDING,	/* a read or send that may end in a yield */
	CONN_WAIT_SENDING,	/* a send, with the slow-reader rule */
};

/* A file being sent: the descriptor and where the next byte is. */
struct conn_file {
	int fd;
	off_t offset;
};

/* The buffer of a transfer: filled by a recv, only read by a send, or the
 * file that sendfile() reads. */
union conn_buf {
	void *in;
	const void *out;
	struct conn_file *file;
};

/* recv or send on fd, never blocking. */
typedef ssize_t conn_op_fn(int fd, union conn_buf buf, size_t len);

static const sigset_t *conn_wait_mask;	/* NULL: keep the current mask */

/* The worker's park channel and pressure descriptors (conn_set_park).
 * Zero-initialised (.bss, not .data): a worker that writes it then does
 * not make a page of the binary's data its own. */
static struct {
	bool parks;		/* channel is the park channel */
	int channel;
	struct pollfd pressure[CONN_PRESSURE_MAX];
	size_t npressure;
	uint8_t service;
	bool (*may_yield)(void);
} conn_park;

void
conn_set_park(const struct conn_park *park)
{
	conn_park.parks = false;
	conn_park.npressure = 0;
	if (park == NULL)
		return;
	conn_park.parks = park->channel >= 0;
	conn_park.channel = park->channel;
	conn_park.service = park->service;
	conn_park.may_yield = park->may_yield;
	for (size_t i = 0; i < park->npressure && i < CONN_PRESSURE_MAX; i++) {
		conn_park.pressure[i] = park->pressure[i];
		conn_park.pressure[i].events = POLLIN;
		conn_park.npressure++;
	}
}

void
conn_set_wait_mask(const sigset_t *mask)
{
	conn_wait_mask = mask;
}

/* The deadline timeout_ms from now; CONN_NEVER when timeout_ms < 0. */
static int64_t
conn_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return CONN_NEVER;
	return clock_now_ns() + timeout_ms * CONN_NS_PER_MS;
}

/* The time left until deadline, as ppoll wants it; NULL: no deadline. */
static struct timespec *
conn_time_left(int64_t deadline, struct timespec *ts)
{
	int64_t left;

	if (deadline == CONN_NEVER)
		return NULL;
	left = deadline - clock_now_ns();
	if (left < 0)
		left = 0;	/* one last look, without waiting */
	ts->tv_sec = (time_t)(left / CONN_NS_PER_S);
	ts->tv_nsec = (long)(left % CONN_NS_PER_S);
	return ts;
}

/*
 * 1 when fd is ready, or in error (POLLHUP, POLLERR, POLLNVAL: the next
 * syscall on it tells what went wrong); 0 once deadline has passed; -1 on
 * error.  A signal (EINTR) is no error: the wait resumes for what is left.
 */
static int
conn_wait_until(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	struct timespec ts;
	int n;

	for (;;) {
		n = ppoll(&pfd, 1, conn_time_left(deadline, &ts),
		    conn_wait_mask);
		if (n >= 0)
			return n > 0;
		if (errno != EINTR)
			return -1;
	}
}

int
conn_wait(int fd, short events, int timeout_ms)
{
	return conn_wait_until(fd, events, conn_deadline(timeout_ms));
}

static ssize_t
conn_op_recv(int fd, union conn_buf buf, size_t len)
{
	return recv(fd, buf.in, len, MSG_DONTWAIT);
}

static ssize_t
conn_op_send(int fd, union conn_buf buf, size_t len)
{
	return send(fd, buf.out, len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* More follows at once: the kernel holds a partial segment for it. */
static ssize_t
conn_op_send_more(int fd, union conn_buf buf, size_t len)
{
	return send(fd, buf.out, len, MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE);
}

/* The socket is non-blocking, and SIGPIPE is ignored in the workers. */
static ssize_t
conn_op_sendfile(int fd, union conn_buf buf, size_t len)
{
	return sendfile(fd, buf.file->fd, &buf.file->offset, len);
}

/* The earlier of two deadlines. */
static int64_t
conn_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* deadline_ms (CLOCK_MONOTONIC) in ns; 0 and the unrepresentable: never. */
static int64_t
conn_deadline_of_ms(uint64_t deadline_ms)
{
	if (deadline_ms == 0 || deadline_ms > (uint64_t)(INT64_MAX /
	    CONN_NS_PER_MS))
		return CONN_NEVER;
	return (int64_t)deadline_ms * CONN_NS_PER_MS;
}

/* ---- pressure ---------------------------------------------------------- */

/* Does a connection wait for a worker now?  One look, no waiting. */
static bool
conn_pressed(void)
{
	struct pollfd p[CONN_PRESSURE_MAX];
	const struct timespec zero = { 0, 0 };
	int n;

	if (conn_park.npressure == 0)
		return false;
	memcpy(p, conn_park.pressure, conn_park.npressure * sizeof(p[0]));
	do
		n = ppoll(p, conn_park.npressure, &zero, NULL);
	while (n < 0 && errno == EINTR);
	for (size_t i = 0; n > 0 && i < conn_park.npressure; i++)
		if (p[i].revents & POLLIN)
			return true;
	return false;
}

static bool
conn_may_yield(const struct conn *c, uint64_t now_ms)
{
	return conn_park.parks && conn_park.npressure > 0 &&
	    now_ms >= c->yield_after_ms &&
	    (conn_park.may_yield == NULL || conn_park.may_yield());
}

#define CONN_WAIT_PRESSED	3	/* conn_watch: a connection waits */

/*
 * Waits for the client and for the pressure descriptors at once: 1 the
 * client is ready, 0 the deadline passed, -1 an error, CONN_WAIT_PRESSED
 * another connection waits.  A pressure descriptor in error or at its EOF
 * (the park channel once no parker is left) ends yielding on this
 * connection: it could only wake the wait again and again.
 */
static int
conn_watch(struct conn *c, short events, int64_t deadline)
{
	struct pollfd p[1 + CONN_PRESSURE_MAX];
	nfds_t n = 1 + conn_park.npressure;
	struct timespec ts;
	int r;

	p[0] = (struct pollfd){ .fd = c->fd, .events = events };
	memcpy(p + 1, conn_park.pressure, conn_park.npressure * sizeof(p[0]));
	do
		r = ppoll(p, n, conn_time_left(deadline, &ts), conn_wait_mask);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r;
	if (p[0].revents != 0)
		return 1;
	for (nfds_t i = 1; i < n; i++)
		if (p[i].revents & POLLIN)
			return CONN_WAIT_PRESSED;
	c->yield_after_ms = UINT64_MAX;
	return CONN_WAIT_PRESSED;
}

static int conn_wait_sending(struct conn *c, int64_t deadline);

/*
 * A wait for the client (events: POLLIN for a read, POLLOUT for a send)
 * as pressure_next() says: watch the client and the pressure, hold on to
 * the client alone for a while, or look at the pressure once more and
 * yield.  1 ready, 0 deadline, -1 error, CONN_WAIT_YIELD.  A connection
 * that may not yield now waits as it would without a parker.
 */
static int
conn_wait_yielding(struct conn *c, short events, int64_t deadline)
{
	uint64_t until_ms = 0;
	int r;

	pressure_begin(&c->pressure, clock_now_ms(), c->bytes_in == 0);
	for (;;) {
		uint64_t now_ms = clock_now_ms();

		if (!conn_may_yield(c, now_ms))
			return events == POLLOUT ?
			    conn_wait_sending(c, deadline) :
			    conn_wait_until(c->fd, events, deadline);
		switch (pressure_next(&c->pressure, now_ms, &until_ms)) {
		case PRESSURE_PROBE:
			if (pressure_probed(&c->pressure, conn_pressed()))
				return CONN_WAIT_YIELD;
			break;
		case PRESSURE_HOLD:
			r = conn_wait_until(c->fd, events, conn_min(deadline,
			    conn_deadline_of_ms(until_ms)));
			if (r != 0 || clock_now_ns() >= deadline)
				return r;
			break;
		case PRESSURE_WATCH:
			r = conn_watch(c, events, deadline);
			if (r != CONN_WAIT_PRESSED)
				return r;
			pressure_seen(&c->pressure, clock_now_ms());
			break;
		}
	}
}

/* The bytes the client has acknowledged; -1 when the kernel won't say. */
static int
conn_acked(int fd, uint64_t *acked)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_acked) +
	    sizeof(ti.tcpi_bytes_acked))
		return -1;
	*acked = ti.tcpi_bytes_acked;
	return 0;
}

/* A send must wait: start the slow-reader clock, once per response.
 * false when there is no rule to apply. */
static bool
conn_rate_start(struct conn *c)
{
	uint64_t acked;

	if (c->min_rate == 0)
		return false;
	if (c->send_wait_ms != 0)
		return true;
	if (conn_acked(c->fd, &acked) != 0)
		return false;
	c->send_wait_ms = clock_now_ms();
	c->send_wait_acked = acked;
	return true;
}

/*
 * Below timeouts.min_rate in the window now ending, while another
 * connection waits?  A window that passes starts the next one.
 */
static bool
conn_too_slow(struct conn *c)
{
	uint64_t acked, now_ms = clock_now_ms();

	if (conn_acked(c->fd, &acked) != 0 || acked < c->send_wait_acked ||
	    now_ms < c->send_wait_ms + PRESSURE_RATE_WINDOW_MS)
		return false;
	if (pressure_rate_short(acked - c->send_wait_acked, c->send_wait_ms,
	    now_ms, c->min_rate) && conn_pressed())
		return true;
	c->send_wait_ms = now_ms;
	c->send_wait_acked = acked;
	return false;
}

/*
 * A send's wait: until the socket takes more, or the deadline; every
 * PRESSURE_RATE_CHECK_MS the client's pace is judged, and a wait for a
 * client reading below timeouts.min_rate while others wait ends as a
 * timeout, with c->cut set.
 */
static int
conn_wait_sending(struct conn *c, int64_t deadline)
{
	int r;

	if (!conn_rate_start(c))
		return conn_wait_until(c->fd, POLLOUT, deadline);
	for (;;) {
		int64_t check = clock_now_ns() +
		    PRESSURE_RATE_CHECK_MS * CONN_NS_PER_MS;

		r = conn_wait_until(c->fd, POLLOUT, conn_min(deadline, check));
		if (r != 0 || clock_now_ns() >= deadline)
			return r;
		if (conn_too_slow(c)) {
			c->cut = true;
			return 0;
		}
	}
}

/* ---- the transfer loop ------------------------------------------------- */

static int
conn_wait_how(struct conn *c, int fd, short events, int64_t deadline,
    enum conn_wait how)
{
	switch (how) {
	case CONN_WAIT_YIELDING:
		return conn_wait_yielding(c, events, deadline);
	case CONN_WAIT_SENDING:
		return conn_wait_sending(c, deadline);
	case CONN_WAIT_PLAIN:
		break;
	}
	return conn_wait_until(fd, events, deadline);
}

/*
 * The one transfer loop.  Tries op at once; waits (as `how` says) only
 * when the kernel would block; retries after EINTR.  Returns what op
 * moved (0 is recv's EOF), CONN_YIELD when a yielding wait says so, or -1
 * with errno: ETIMEDOUT once deadline has passed.  c may be NULL for a
 * plain wait.
 */
static ssize_t
conn_transfer(struct conn *c, int fd, conn_op_fn *op, union conn_buf buf,
    size_t len, short events, int64_t deadline, enum conn_wait how)
{
	ssize_t n;
	int ready;

	for (;;) {
		n = op(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		ready = conn_wait_how(c, fd, events, deadline, how);
		if (ready == CONN_WAIT_YIELD)
			return CONN_YIELD;
		if (ready == 0)
			errno = ETIMEDOUT;
		if (ready <= 0)
			return -1;
	}
}

static void
conn_progress(struct conn *c)
{
	if (c->on_progress != NULL)
		c->on_progress(c->progress_arg);
}

/* A read until deadline, waiting as `how` says, with its accounting. */
static ssize_t
conn_recv_until(struct conn *c, void *buf, size_t len, int64_t deadline,
    enum conn_wait how)
{
	ssize_t n;

	if (len == 0) {
		errno = EINVAL;		/* a 0-byte read would look like EOF */
		return -1;
	}
	n = conn_transfer(c, c->fd, conn_op_recv, (union conn_buf){ .in = buf },
	    len, POLLIN, deadline, how);
	if (n > 0) {
		c->bytes_in += (uint64_t)n;
		c->send_wait_ms = 0;	/* what is sent next is a new reply */
		conn_progress(c);
	} else if (n == 0) {
		c->peer_eof = true;
	}
	return n;
}

ssize_t
conn_recv(struct conn *c, void *buf, size_t len, int timeout_ms)
{
	return conn_recv_until(c, buf, len, conn_deadline(timeout_ms),
	    CONN_WAIT_PLAIN);
}

ssize_t
conn_recv_or_yield(struct conn *c, void *buf, size_t len,
    uint64_t deadline_ms)
{
	return conn_recv_until(c, buf, len, conn_deadline_of_ms(deadline_ms),
	    CONN_WAIT_YIELDING);
}

int
conn_yield(struct conn *c, const struct conn_unit *u)
{
	bool sending = u->kind == HANDOFF_SENDING;
	bool file = sending && u->out.file_len > 0;
	uint8_t head[HANDOFF_HEAD_SIZE];
	struct handoff_part parts[4] = {
		{ head, sizeof(head) },
		{ u->data, u->len },
		{ sending ? u->out.head : NULL, sending ? u->out.head_len : 0 },
		{ sending ? u->out.body : NULL, sending ? u->out.body_len : 0 },
	};
	struct handoff h = {
		.kind = u->kind,
		.service = conn_park.service,
		.units = u->units,
		.deadline_ms = u->deadline_ms,
		.start_ms = c->start_ms,
		.unit_start_us = u->start_us,
		.bytes_in = c->bytes_in,
		.bytes_out = c->bytes_out,
		.peer = c->peer_addr,
		.peer_len = c->peer_len,
		.data = u->data,
		.data_len = u->len,
		.out_len = parts[2].len + parts[3].len,
		.has_file = file,
		.file_offset = file ? u->out.file_offset : 0,
		.file_len = file ? u->out.file_len : 0,
		.out_mark = sending ? u->out_mark : 0,
		.reply_status = sending ? u->reply_status : 0,
		.reply_flags = sending ? u->reply_flags : 0,
	};
	int saved;

	if (conn_park.parks && handoff_encode(&h, head) == 0 &&
	    handoff_send(conn_park.channel, parts, 4, c->fd,
	    file ? u->out.file_fd : -1) == 0) {
		conn_abort(c);		/* the parker's now, file and all */
		/* (a closing connection was served: only its drain moved) */
		c->yielded = u->kind != HANDOFF_CLOSING;
		return 0;
	}
	saved = errno;
	c->pressure.seen_ms = 0;
	c->yield_after_ms = clock_now_ms() + CONN_YIELD_RETRY_MS;
	errno = saved;
	return -1;
}

/* The deadline of a send's next transfer: timeouts.write from now, and
 * for a resumed send not after the one it came back with. */
static int64_t
conn_send_deadline(const struct conn *c)
{
	int64_t d = conn_deadline(c->write_timeout_ms);

	if (c->send_deadline_ms != 0)
		d = conn_min(d, conn_deadline_of_ms(c->send_deadline_ms));
	return d;
}

/* n bytes of a response left: the accounting of a send. */
static void
conn_sent(struct conn *c, size_t n)
{
	c->bytes_out += (uint64_t)n;
	c->send_deadline_ms = 0;	/* progress: the next wait is fresh */
	conn_progress(c);
}

/* How a send waits: yielding when it may and what is left fits in a
 * handoff message. */
static enum conn_wait
conn_send_how(const struct conn_out *o, bool may_yield)
{
	return may_yield && o->head_len + o->body_len <= HANDOFF_OUT_MAX ?
	    CONN_WAIT_YIELDING : CONN_WAIT_SENDING;
}

/*
 * Sends the bytes at *p (*len of them) with op, advancing both: 0 when
 * all are sent, CONN_YIELD, or -1 (EPIPE when a transfer moved nothing:
 * the stream is broken).
 */
static int
conn_send_bytes(struct conn *c, conn_op_fn *op, const void **p, size_t *len,
    const struct conn_out *o, bool may_yield)
{
	ssize_t n;

	while (*len > 0) {
		/* A deadline per transfer: any progress restarts the clock. */
		n = conn_transfer(c, c->fd, op, (union conn_buf){ .out = *p },
		    *len, POLLOUT, conn_send_deadline(c),
		    conn_send_how(o, may_yield));
		if (n == CONN_YIELD)
			return CONN_YIELD;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		*p = (const char *)*p + n;
		*len -= (size_t)n;
		conn_sent(c, (size_t)n);
	}
	return 0;
}

/* The file part of o, from file_offset on. */
static int
conn_send_file_part(struct conn *c, struct conn_out *o, bool may_yield)
{
	struct conn_file f = { o->file_fd, 0 };
	ssize_t n;

	while (o->file_len > 0) {
		size_t chunk = o->file_len > CONN_SENDFILE_MAX ?
		    CONN_SENDFILE_MAX : (size_t)o->file_len;

		if (o->file_offset > (uint64_t)INT64_MAX) {
			errno = EOVERFLOW;
			return -1;
		}
		f.offset = (off_t)o->file_offset;
		n = conn_transfer(c, c->fd, conn_op_sendfile,
		    (union conn_buf){ .file = &f }, chunk, POLLOUT,
		    conn_send_deadline(c), conn_send_how(o, may_yield));
		if (n == CONN_YIELD)
			return CONN_YIELD;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENODATA;	/* the file is shorter now */
			return -1;
		}
		o->file_offset += (uint64_t)n;
		o->file_len -= (uint64_t)n;
		conn_sent(c, (size_t)n);
	}
	return 0;
}

int
conn_send_out(struct conn *c, struct conn_out *o, bool may_yield)
{
	bool more = o->body_len > 0 || o->file_len > 0;
	int rc;

	rc = conn_send_bytes(c, more ? conn_op_send_more : conn_op_send,
	    &o->head, &o->head_len, o, may_yield);
	if (rc == 0)
		rc = conn_send_bytes(c, o->file_len > 0 ? conn_op_send_more :
		    conn_op_send, &o->body, &o->body_len, o, may_yield);
	if (rc == 0)
		rc = conn_send_file_part(c, o, may_yield);
	if (rc == 0 && c->file_fd >= 0 && o->file_fd == c->file_fd) {
		(void)close(c->file_fd);	/* a resumed response's, sent */
		c->file_fd = -1;
	}
	return rc;
}

int
conn_send_all(struct conn *c, const void *buf, size_t len)
{
	struct conn_out o = { .body = buf, .body_len = len, .file_fd = -1 };

	return conn_send_out(c, &o, false);
}

int
conn_send_more(struct conn *c, const void *buf, size_t len)
{
	/* As a head that more follows: MSG_MORE. */
	struct conn_out o = { .head = buf, .head_len = len, .file_fd = -1 };

	return conn_send_bytes(c, conn_op_send_more, &o.head, &o.head_len, &o,
	    false);
}

int
conn_send_file(struct conn *c, const void *head, size_t hlen, int fd,
    off_t offset, uint64_t len)
{
	struct conn_out o = {
		.head = head, .head_len = hlen,
		.file_fd = fd, .file_offset = (uint64_t)offset, .file_len = len,
	};

	return conn_send_out(c, &o, false);
}

/*
 * Reads and discards until the peer's EOF, an error, or the deadline,
 * whichever comes first: one deadline for the whole drain (linger_ms from
 * the shutdown), so a peer that keeps sending cannot hold the worker
 * longer.  A peer that sends nothing (a slow reader still taking in the
 * end of its answer) need not hold it at all: while another connection
 * waits, the rest of the drain goes to the parker, as HANDOFF_CLOSING.
 * true when it did (the connection is the parker's now).
 */
static bool
conn_drain(struct conn *c, int64_t deadline)
{
	char scratch[CONN_DRAIN_BUF];
	ssize_t n;

	while (clock_now_ns() < deadline) {
		n = conn_transfer(c, c->fd, conn_op_recv,
		    (union conn_buf){ .in = scratch }, sizeof(scratch), POLLIN,
		    deadline, CONN_WAIT_YIELDING);
		if (n == CONN_YIELD) {
			struct conn_unit u = {
				.kind = HANDOFF_CLOSING,
				.deadline_ms = (uint64_t)(deadline /
				    CONN_NS_PER_MS),
				.out = { .file_fd = -1 },
			};

			if (conn_yield(c, &u) == 0)
				return true;
			continue;
		}
		if (n <= 0)
			return false;
	}
	return false;
}

/*
 * A peer that said it sends nothing more (peer_done) and has indeed sent
 * nothing since: no reason to wait for its EOF.  One read that does not
 * wait tells; anything that did arrive is drained as usual.
 */
static bool
conn_peer_quiet(const struct conn *c)
{
	char scratch[CONN_DRAIN_BUF];
	ssize_t n;

	if (!c->peer_done)
		return false;
	do
		n = recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n <= 0;		/* EOF, nothing pending, or an error */
}

void
conn_close(struct conn *c)
{
	/* A drain the parker handed back ends when it would have. */
	int64_t deadline = c->resumed && c->resume.kind == HANDOFF_CLOSING ?
	    conn_deadline_of_ms(c->resume.deadline_ms) :
	    conn_deadline(c->linger_ms);

	if (c->fd < 0)
		return;
	/* shutdown fails (ENOTCONN...) when the peer is gone: nothing to
	 * drain then; nor once its EOF was read, or when it said it was done
	 * and is quiet.  linger_ms <= 0: FIN, then close at once.  (Again on
	 * a drain handed back: a second shutdown is harmless.) */
	if (shutdown(c->fd, SHUT_WR) == 0 && c->linger_ms > 0 &&
	    !c->peer_eof && !conn_peer_quiet(c) && conn_drain(c, deadline))
		return;
	conn_abort(c);
}

void
conn_abort(struct conn *c)
{
	if (c->file_fd >= 0) {
		(void)close(c->file_fd);
		c->file_fd = -1;
	}
	if (c->fd < 0)
		return;
	/* Never retried: on Linux the descriptor is released even when
	 * close() reports EINTR or EIO, and a retry could close a reused fd. */
	(void)close(c->fd);
	c->fd = -1;
}

/* Seconds from the configuration to ms, saturated; < 0 stays "forever". */
static int
conn_ms_from_s(int s)
{
	if (s < 0)
		return -1;
	if (s > INT_MAX / CONN_MS_PER_S)
		return INT_MAX;
	return s * CONN_MS_PER_S;
}

void
conn_init(struct conn *c, int fd, const struct sockaddr *peer,
    socklen_t peer_len, const struct conf_timeouts *to)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->file_fd = -1;
	c->start_ms = clock_now_ms();
	c->read_timeout_ms = conn_ms_from_s(to->read);
	c->write_timeout_ms = conn_ms_from_s(to->write);
	c->linger_ms = conn_ms_from_s(to->linger);
	c->keepalive_ms = conn_ms_from_s(to->keepalive);
	c->min_rate = to->min_rate > 0 ? (unsigned)to->min_rate : 0;
	if (peer == NULL || peer_len > sizeof(c->peer_addr))
		peer_len = 0;
	if (peer_len > 0)
		memcpy(&c->peer_addr, peer, peer_len);
	c->peer_len = peer_len;
	addr_format(peer_len > 0 ? (const struct sockaddr *)&c->peer_addr
	    : NULL, peer_len, c->peer, sizeof(c->peer));
}

void
conn_resume(struct conn *c, int fd, int file_fd, const struct handoff *h,
    const struct conf_timeouts *to)
{
	conn_init(c, fd, (const struct sockaddr *)&h->peer, h->peer_len, to);
	c->start_ms = h->start_ms;
	c->bytes_in = h->bytes_in;
	c->bytes_out = h->bytes_out;
	c->resumed = true;
	c->resume = (struct conn_unit){
		.kind = h->kind,
		.units = h->units,
		.start_us = h->unit_start_us,
		.deadline_ms = h->deadline_ms,
		.data = h->data,
		.len = h->data_len,
		.out = {
			.body = h->out,
			.body_len = h->out_len,
			.file_fd = h->has_file ? file_fd : -1,
			.file_offset = h->has_file ? h->file_offset : 0,
			.file_len = h->has_file ? h->file_len : 0,
		},
		.out_mark = h->out_mark,
		.reply_status = h->reply_status,
		.reply_flags = h->reply_flags,
	};
	c->file_fd = file_fd;
	if (h->kind == HANDOFF_SENDING)
		c->send_deadline_ms = h->deadline_ms;
}
