/*
 * conn - the transfer loops of a client connection, written once.
 *
 * Owns the one loop every recv and send goes through (conn_transfer: try
 * first, ppoll only when the kernel would block, resume after EINTR), the
 * deadlines on CLOCK_MONOTONIC that bound its waits, the lingering close,
 * and the process-wide wait mask.  Exports the conn_* functions of conn.h.
 * Every recv and send passes MSG_DONTWAIT and every send MSG_NOSIGNAL, so
 * a dead peer is EPIPE, never SIGPIPE.  sendfile() takes no flags: it
 * needs the socket's O_NONBLOCK (accept4 with SOCK_NONBLOCK) not to block,
 * and SIGPIPE ignored (it is, in every worker) not to kill.
 *
 * Errors: -1 with errno as the kernel set it, or ETIMEDOUT when a deadline
 * passed; a recv of 0 is the peer's EOF.  Nothing here logs.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
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

#define CONN_MS_PER_S		1000
#define CONN_NS_PER_MS		INT64_C(1000000)
#define CONN_NS_PER_S		INT64_C(1000000000)
#define CONN_NEVER		INT64_MAX	/* a deadline that never comes */
#define CONN_DRAIN_BUF		4096
#define CONN_SENDFILE_MAX	(1 << 30)	/* bytes per sendfile() call */

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

/*
 * The one transfer loop.  Tries op at once; waits for events only when the
 * kernel would block; retries after EINTR.  Returns what op moved (0 is
 * recv's EOF), or -1 with errno: ETIMEDOUT once deadline has passed.
 */
static ssize_t
conn_transfer(int fd, conn_op_fn *op, union conn_buf buf, size_t len,
    short events, int64_t deadline)
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
		ready = conn_wait_until(fd, events, deadline);
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

ssize_t
conn_recv(struct conn *c, void *buf, size_t len, int timeout_ms)
{
	ssize_t n;

	if (len == 0) {
		errno = EINVAL;		/* a 0-byte read would look like EOF */
		return -1;
	}
	n = conn_transfer(c->fd, conn_op_recv, (union conn_buf){ .in = buf },
	    len, POLLIN, conn_deadline(timeout_ms));
	if (n > 0) {
		c->bytes_in += (uint64_t)n;
		conn_progress(c);
	} else if (n == 0) {
		c->peer_eof = true;
	}
	return n;
}

/* Sends all of buf with op; a deadline per transfer. */
static int
conn_send_with(struct conn *c, conn_op_fn *op, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		/* A deadline per transfer: any progress restarts the clock. */
		n = conn_transfer(c->fd, op, (union conn_buf){ .out = p }, len,
		    POLLOUT, conn_deadline(c->write_timeout_ms));
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EPIPE;	/* a stream moved nothing: broken */
			return -1;
		}
		p += n;
		len -= (size_t)n;
		c->bytes_out += (uint64_t)n;
		conn_progress(c);
	}
	return 0;
}

int
conn_send_all(struct conn *c, const void *buf, size_t len)
{
	return conn_send_with(c, conn_op_send, buf, len);
}

int
conn_send_more(struct conn *c, const void *buf, size_t len)
{
	return conn_send_with(c, conn_op_send_more, buf, len);
}

int
conn_send_file(struct conn *c, const void *head, size_t hlen, int fd,
    off_t offset, uint64_t len)
{
	struct conn_file f = { fd, offset };
	ssize_t n;

	if (conn_send_with(c, len > 0 ? conn_op_send_more : conn_op_send,
	    head, hlen) != 0)
		return -1;
	while (len > 0) {
		size_t chunk = len > CONN_SENDFILE_MAX ? CONN_SENDFILE_MAX :
		    (size_t)len;

		n = conn_transfer(c->fd, conn_op_sendfile,
		    (union conn_buf){ .file = &f }, chunk, POLLOUT,
		    conn_deadline(c->write_timeout_ms));
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENODATA;	/* the file is shorter now */
			return -1;
		}
		len -= (uint64_t)n;
		c->bytes_out += (uint64_t)n;
		conn_progress(c);
	}
	return 0;
}

/*
 * Reads and discards until the peer's EOF, an error, or linger_ms after the
 * start, whichever comes first: one deadline for the whole drain, so a peer
 * that keeps sending cannot hold the worker longer than linger_ms.
 */
static void
conn_drain(int fd, int linger_ms)
{
	char scratch[CONN_DRAIN_BUF];
	int64_t deadline = conn_deadline(linger_ms);

	while (clock_now_ns() < deadline)
		if (conn_transfer(fd, conn_op_recv,
		    (union conn_buf){ .in = scratch }, sizeof(scratch), POLLIN,
		    deadline) <= 0)
			return;
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
	if (c->fd < 0)
		return;
	/* shutdown fails (ENOTCONN...) when the peer is gone: nothing to
	 * drain then; nor once its EOF was read, or when it said it was done
	 * and is quiet.  linger_ms <= 0: FIN, then close at once. */
	if (shutdown(c->fd, SHUT_WR) == 0 && c->linger_ms > 0 &&
	    !c->peer_eof && !conn_peer_quiet(c))
		conn_drain(c->fd, c->linger_ms);
	conn_abort(c);
}

void
conn_abort(struct conn *c)
{
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
	c->start_ms = clock_now_ms();
	c->read_timeout_ms = conn_ms_from_s(to->read);
	c->write_timeout_ms = conn_ms_from_s(to->write);
	c->linger_ms = conn_ms_from_s(to->linger);
	c->keepalive_ms = conn_ms_from_s(to->keepalive);
	if (peer == NULL || peer_len > sizeof(c->peer_addr))
		peer_len = 0;
	if (peer_len > 0)
		memcpy(&c->peer_addr, peer, peer_len);
	c->peer_len = peer_len;
	addr_format(peer_len > 0 ? (const struct sockaddr *)&c->peer_addr
	    : NULL, peer_len, c->peer, sizeof(c->peer));
}
