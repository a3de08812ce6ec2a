/*
 * test_conn - the transfer loops of conn.c against faked syscalls.
 *
 * conn.o (and echo.o, for the last two tests) are linked with
 *   -Wl,--wrap=recv,--wrap=send,--wrap=ppoll,--wrap=shutdown,--wrap=close
 *   -Wl,--wrap=clock_gettime,--wrap=sendfile,--wrap=getsockopt
 * so every syscall they make lands in a __wrap_ fake below, scripted with
 * will_return/expect_value.  CLOCK_MONOTONIC is a fake clock that moves
 * only when a test says so (a fake ppoll that "waits", a flooding peer);
 * other clocks (log.c's wall clock) reach the real clock_gettime.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/tcp.h>

#include "conf.h"
#include "conn.h"
#include "service.h"

#define FAKE_FD		7
#define NS_PER_MS	INT64_C(1000000)
#define NS_PER_S	INT64_C(1000000000)
#define MS(n)		((int64_t)(n) * NS_PER_MS)
#define NO_TIMEOUT	INT64_C(-1)	/* ppoll given no timespec */

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);
int __wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
    const sigset_t *mask);
int __wrap_shutdown(int fd, int how);
int __wrap_close(int fd);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);
ssize_t __wrap_sendfile(int out_fd, int in_fd, off_t *offset, size_t count);
int __wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int __real_clock_gettime(clockid_t id, struct timespec *ts);

/* ---- the fake kernel ---- */

static int64_t fake_now;		/* CLOCK_MONOTONIC, ns */
static char wire[1024];			/* every byte send accepted, in order */
static size_t wire_len;
static int last_send_flags;
static const sigset_t *last_ppoll_mask;
static int close_calls;
static int recv_calls;
static bool acked_known;		/* TCP_INFO answers, with: */
static uint64_t acked;			/* the peer's acknowledged bytes */
static uint64_t acked_per_s;		/* more of them each second */
static int acked_stop_after_s;		/* > 0: only in the first seconds */
static size_t flood_len;		/* > 0: a peer that never stops */
static int64_t flood_cost;		/* time each flooded recv takes */

int
__wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	if (id != CLOCK_MONOTONIC)
		return __real_clock_gettime(id, ts);
	ts->tv_sec = (time_t)(fake_now / NS_PER_S);
	ts->tv_nsec = (long)(fake_now % NS_PER_S);
	return 0;
}

/* TCP_INFO with tcpi_bytes_acked = acked, or ENOTSOCK. */
int
__wrap_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct tcp_info ti;
	int64_t elapsed;

	assert_int_equal(fd, FAKE_FD);
	assert_int_equal(level, IPPROTO_TCP);
	assert_int_equal(name, TCP_INFO);
	if (!acked_known) {
		errno = ENOTSOCK;
		return -1;
	}
	memset(&ti, 0, sizeof(ti));
	elapsed = fake_now - 1000 * NS_PER_S;
	if (acked_stop_after_s > 0 && elapsed > acked_stop_after_s * NS_PER_S)
		elapsed = acked_stop_after_s * NS_PER_S;
	ti.tcpi_bytes_acked = acked + acked_per_s * (uint64_t)elapsed /
	    (uint64_t)NS_PER_S;
	assert_true(*len >= sizeof(ti));
	memcpy(val, &ti, sizeof(ti));
	*len = sizeof(ti);
	return 0;
}

/* Scripted: a length, then the bytes (> 0) or the errno (< 0). */
ssize_t
__wrap_recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t ret;

	assert_int_equal(fd, FAKE_FD);
	assert_true(flags & MSG_DONTWAIT);
	recv_calls++;
	if (flood_len > 0) {
		assert_true(recv_calls < 1000);	/* a drain that never stops */
		assert_true(len >= flood_len);
		memset(buf, 'x', flood_len);
		fake_now += flood_cost;
		return (ssize_t)flood_len;
	}
	ret = mock_type(ssize_t);
	if (ret > 0) {
		assert_true((size_t)ret <= len);
		memcpy(buf, mock_ptr_type(const char *), (size_t)ret);
	} else if (ret < 0) {
		errno = mock_type(int);
	}
	return ret;
}

static void
will_recv_data(const char *s)
{
	will_return(__wrap_recv, (ssize_t)strlen(s));
	will_return(__wrap_recv, s);
}

static void
will_recv_eof(void)
{
	will_return(__wrap_recv, 0);
}

static void
will_recv_error(int err)
{
	will_return(__wrap_recv, -1);
	will_return(__wrap_recv, err);
}

/* Scripted: the exact bytes send must be given, what it returns, errno. */
ssize_t
__wrap_send(int fd, const void *buf, size_t len, int flags)
{
	const char *given = mock_ptr_type(const char *);
	ssize_t ret = mock_type(ssize_t);

	assert_int_equal(fd, FAKE_FD);
	last_send_flags = flags;
	assert_int_equal(len, strlen(given));
	assert_memory_equal(buf, given, len);
	if (ret > 0) {
		assert_true(wire_len + (size_t)ret <= sizeof(wire));
		memcpy(wire + wire_len, buf, (size_t)ret);
		wire_len += (size_t)ret;
	} else if (ret < 0) {
		errno = mock_type(int);
	}
	return ret;
}

static void
will_send_accept(const char *given, size_t n)
{
	will_return(__wrap_send, given);
	will_return(__wrap_send, (ssize_t)n);
}

static void
will_send_error(const char *given, int err)
{
	will_return(__wrap_send, given);
	will_return(__wrap_send, -1);
	will_return(__wrap_send, err);
}

#define FAKE_FILE	9

/* Scripted: the offset and count it must be given, then what it returns
 * (> 0: that many bytes "sent", the offset moved) or -1 and the errno. */
ssize_t
__wrap_sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
	ssize_t ret;

	assert_int_equal(out_fd, FAKE_FD);
	assert_int_equal(in_fd, FAKE_FILE);
	assert_non_null(offset);
	check_expected(*offset);
	check_expected(count);
	ret = mock_type(ssize_t);
	if (ret > 0)
		*offset += ret;
	else if (ret < 0)
		errno = mock_type(int);
	return ret;
}

static void
expect_sendfile(off_t offset, size_t count, ssize_t ret)
{
	expect_value(__wrap_sendfile, *offset, offset);
	expect_value(__wrap_sendfile, count, count);
	will_return(__wrap_sendfile, ret);
}

static void
expect_sendfile_error(off_t offset, size_t count, int err)
{
	expect_sendfile(offset, count, -1);
	will_return(__wrap_sendfile, err);
}

/*
 * Checks the descriptors (how many, the first one), the events of the
 * first and the timeout it is given (ns, NO_TIMEOUT for none); then lets
 * `took` ns pass on the fake clock and returns the scripted result: when
 * ready, revents for the first descriptor and for every other one (the
 * pressure descriptors of a yielding wait); errno when -1.
 */
int
__wrap_ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
    const sigset_t *mask)
{
	int64_t timeout_ns = tmo == NULL ? NO_TIMEOUT :
	    (int64_t)tmo->tv_sec * NS_PER_S + tmo->tv_nsec;
	int first_fd = fds[0].fd, events = fds[0].events, ret, others;

	check_expected(nfds);
	check_expected(first_fd);
	check_expected(events);
	check_expected(timeout_ns);
	last_ppoll_mask = mask;
	fake_now += mock_type(int64_t);
	ret = mock_type(int);
	if (ret < 0) {
		errno = mock_type(int);
		return ret;
	}
	fds[0].revents = (short)mock_type(int);
	others = mock_type(int);
	for (nfds_t i = 1; i < nfds; i++)
		fds[i].revents = (short)others;
	return ret;
}

/* A ppoll of nfds descriptors, the first being first_fd. */
static void
expect_ppoll_of(nfds_t nfds, int first_fd, int events, int64_t timeout_ns,
    int64_t took, int ret, int aux, int others)
{
	expect_value(__wrap_ppoll, nfds, nfds);
	expect_value(__wrap_ppoll, first_fd, first_fd);
	expect_value(__wrap_ppoll, events, events);
	expect_value(__wrap_ppoll, timeout_ns, timeout_ns);
	will_return(__wrap_ppoll, took);
	will_return(__wrap_ppoll, ret);
	will_return(__wrap_ppoll, aux);
	if (ret >= 0)
		will_return(__wrap_ppoll, others);
}

static void
expect_ppoll(int events, int64_t timeout_ns, int64_t took, int ret, int aux)
{
	expect_ppoll_of(1, FAKE_FD, events, timeout_ns, took, ret, aux, 0);
}

static void
expect_ppoll_ready(int events, int64_t timeout_ns, int64_t took, int revents)
{
	expect_ppoll(events, timeout_ns, took, 1, revents);
}

static void
expect_ppoll_timeout(int events, int64_t timeout_ns)
{
	expect_ppoll(events, timeout_ns, timeout_ns, 0, 0);
}

static void
expect_ppoll_interrupted(int events, int64_t timeout_ns, int64_t took)
{
	expect_ppoll(events, timeout_ns, took, -1, EINTR);
}

int
__wrap_shutdown(int fd, int how)
{
	int ret;

	assert_int_equal(fd, FAKE_FD);
	check_expected(how);
	ret = mock_type(int);
	if (ret < 0)
		errno = mock_type(int);
	return ret;
}

static void
expect_shutdown(int ret, int err)
{
	expect_value(__wrap_shutdown, how, SHUT_WR);
	will_return(__wrap_shutdown, ret);
	if (ret < 0)
		will_return(__wrap_shutdown, err);
}

int
__wrap_close(int fd)
{
	check_expected(fd);
	close_calls++;
	return 0;
}

static void
expect_close(void)
{
	expect_value(__wrap_close, fd, FAKE_FD);
}

static int progress_calls;

static void
count_progress(void *arg)
{
	(void)arg;
	progress_calls++;
}

/* ---- fixture ---- */

#define PRESSURE_FD	11	/* a listener, say */

static bool test_may_yield;

static bool
allow_yield(void)
{
	return test_may_yield;
}

/* A worker with a parker, one pressure descriptor. */
static void
set_park(void)
{
	static const struct pollfd p[] = {
		{ .fd = PRESSURE_FD, .events = POLLIN },
	};
	const struct conn_park park = {
		.channel = 3,
		.pressure = p,
		.npressure = 1,
		.service = 1,
		.may_yield = allow_yield,
	};

	conn_set_park(&park);
}

static const struct conf_timeouts test_timeouts = {
	.read = 5, .write = 3, .keepalive = 5, .linger = 2,
	.graceful = 30, .hang = 120,
};

static int
setup(void **state)
{
	static struct conn c;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	fake_now = 1000 * NS_PER_S;
	wire_len = 0;
	last_send_flags = 0;
	last_ppoll_mask = NULL;
	close_calls = 0;
	recv_calls = 0;
	flood_len = 0;
	flood_cost = 0;
	progress_calls = 0;
	acked_known = false;
	acked = 0;
	acked_per_s = 0;
	acked_stop_after_s = 0;
	conn_set_wait_mask(NULL);
	conn_set_park(NULL);
	test_may_yield = true;
	sin.sin_port = htons(40312);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	conn_init(&c, FAKE_FD, (struct sockaddr *)&sin, sizeof(sin),
	    &test_timeouts);
	*state = &c;
	return 0;
}

static void
assert_wire(const char *s)
{
	assert_int_equal(wire_len, strlen(s));
	assert_memory_equal(wire, s, wire_len);
}

/* ---- conn_init ---- */

static void
test_conn_init_converts_timeouts_to_ms_and_formats_the_peer(void **state)
{
	struct conn *c = *state;

	assert_int_equal(c->fd, FAKE_FD);
	assert_int_equal(c->read_timeout_ms, 5000);
	assert_int_equal(c->write_timeout_ms, 3000);
	assert_int_equal(c->linger_ms, 2000);
	assert_string_equal(c->peer, "127.0.0.1:40312");
	assert_int_equal(c->peer_len, sizeof(struct sockaddr_in));
	assert_int_equal(c->bytes_in, 0);
	assert_int_equal(c->bytes_out, 0);
}

static void
test_conn_init_without_a_peer_says_unknown(void **state)
{
	struct conn c;

	(void)state;
	conn_init(&c, FAKE_FD, NULL, 0, &test_timeouts);
	assert_string_equal(c.peer, "unknown");
	assert_int_equal(c.peer_len, 0);
}

/* ---- conn_recv ---- */

static void
test_conn_recv_returns_the_bytes_read_and_counts_them(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_data("hello");
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(c->bytes_in, 5);
}

static void
test_conn_recv_returns_0_at_eof(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_eof();
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), 0);
	assert_int_equal(c->bytes_in, 0);
}

static void
test_conn_recv_retries_after_eintr(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_error(EINTR);
	will_recv_data("abc");
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), 3);
	assert_memory_equal(buf, "abc", 3);
}

static void
test_conn_recv_waits_for_pollin_on_eagain_then_reads(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_error(EAGAIN);
	expect_ppoll_ready(POLLIN, MS(1000), MS(10), POLLIN);
	will_recv_data("late");
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), 4);
	assert_memory_equal(buf, "late", 4);
	assert_int_equal(c->bytes_in, 4);
}

static void
test_conn_recv_fails_with_etimedout_when_nothing_comes(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_error(EWOULDBLOCK);
	expect_ppoll_timeout(POLLIN, MS(1000));
	errno = 0;
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), -1);
	assert_int_equal(errno, ETIMEDOUT);
}

static void
test_conn_recv_keeps_one_deadline_across_spurious_wakeups(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_error(EAGAIN);
	expect_ppoll_ready(POLLIN, MS(1000), MS(400), POLLIN);
	will_recv_error(EAGAIN);
	expect_ppoll_timeout(POLLIN, MS(600));
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), -1);
	assert_int_equal(errno, ETIMEDOUT);
}

static void
test_conn_recv_lets_the_read_report_the_error_after_pollhup(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_error(EAGAIN);
	expect_ppoll_ready(POLLIN, MS(1000), 0, POLLHUP | POLLERR);
	will_recv_error(ECONNRESET);
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), -1);
	assert_int_equal(errno, ECONNRESET);
}

static void
test_conn_recv_reports_errors_as_they_are(void **state)
{
	struct conn *c = *state;
	char buf[16];

	will_recv_error(ECONNRESET);
	assert_int_equal(conn_recv(c, buf, sizeof(buf), 1000), -1);
	assert_int_equal(errno, ECONNRESET);
}

static void
test_conn_recv_of_0_bytes_is_einval_not_eof(void **state)
{
	struct conn *c = *state;
	char buf[1];

	assert_int_equal(conn_recv(c, buf, 0, 1000), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(recv_calls, 0);
}

/* ---- conn_recv_or_yield ---- */

#define NOW_MS		1000000		/* the fixture's fake clock, in ms */

/* The pressure descriptor, polled once without waiting: pressed or not. */
static void
expect_probe(bool pressed)
{
	expect_ppoll_of(1, PRESSURE_FD, POLLIN, 0, 0, pressed ? 1 : 0,
	    pressed ? POLLIN : 0, 0);
}

/* A connection that has spoken before (a kept one): its waits watch the
 * pressure at once.  A fresh one has its grace first (below). */
#define KEPT_BYTES	100
static void
kept(struct conn *c)
{
	c->bytes_in = KEPT_BYTES;
}

static void
test_conn_recv_or_yield_waits_as_conn_recv_without_a_parker(void **state)
{
	struct conn *c = *state;
	char buf[16];

	(void)state;
	will_recv_error(EAGAIN);
	expect_ppoll_ready(POLLIN, MS(5000), MS(10), POLLIN);
	will_recv_data("GET");
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), 3);
}

static void
test_conn_recv_or_yield_yields_when_another_connection_still_waits(
    void **state)
{
	struct conn *c = *state;
	char buf[16];

	set_park();
	kept(c);
	will_recv_error(EAGAIN);
	/* Client and pressure watched together; a connection waits. */
	expect_ppoll_of(2, FAKE_FD, POLLIN, MS(5000), MS(1), 1, 0, POLLIN);
	/* Held on to the client alone for the settle time... */
	expect_ppoll_timeout(POLLIN, MS(PRESSURE_SETTLE_MS));
	/* ...and the connection still waits: yield. */
	expect_probe(true);
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), CONN_YIELD);
	assert_int_equal(c->bytes_in, KEPT_BYTES);
	assert_false(c->yielded);	/* only conn_yield gives it away */
}

static void
test_conn_recv_or_yield_watches_again_when_the_pressure_is_gone(
    void **state)
{
	struct conn *c = *state;
	char buf[16];

	set_park();
	kept(c);
	will_recv_error(EAGAIN);
	expect_ppoll_of(2, FAKE_FD, POLLIN, MS(5000), MS(1), 1, 0, POLLIN);
	expect_ppoll_timeout(POLLIN, MS(PRESSURE_SETTLE_MS));
	expect_probe(false);	/* an idle worker took it meanwhile */
	expect_ppoll_of(2, FAKE_FD, POLLIN, MS(5000 - 1 - PRESSURE_SETTLE_MS),
	    MS(40), 1, POLLIN, 0);
	will_recv_data("GET");
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), 3);
}

static void
test_conn_recv_or_yield_keeps_the_client_that_speaks_in_the_settle_time(
    void **state)
{
	struct conn *c = *state;
	char buf[16];

	set_park();
	kept(c);
	will_recv_error(EAGAIN);
	expect_ppoll_of(2, FAKE_FD, POLLIN, MS(5000), 0, 1, 0, POLLIN);
	expect_ppoll_ready(POLLIN, MS(PRESSURE_SETTLE_MS), MS(1), POLLIN);
	will_recv_data("GET");
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), 3);
	/* The pressure seen is remembered: the next wait probes at once. */
	will_recv_error(EAGAIN);
	expect_ppoll_timeout(POLLIN, MS(1));
	expect_probe(true);
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), CONN_YIELD);
}

static void
test_conn_recv_or_yield_still_ends_at_its_deadline(void **state)
{
	struct conn *c = *state;
	char buf[16];

	set_park();
	kept(c);
	will_recv_error(EAGAIN);
	expect_ppoll_of(2, FAKE_FD, POLLIN, MS(5000), MS(4999), 1, 0, POLLIN);
	/* The settle time would end after the deadline: cut to it. */
	expect_ppoll_timeout(POLLIN, MS(1));
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), -1);
	assert_int_equal(errno, ETIMEDOUT);
}

static void
test_conn_recv_or_yield_never_yields_once_the_worker_stops(void **state)
{
	struct conn *c = *state;
	char buf[16];

	set_park();
	test_may_yield = false;
	will_recv_error(EAGAIN);
	expect_ppoll_ready(POLLIN, MS(5000), MS(10), POLLIN);
	will_recv_data("GET");
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), 3);
}

/* A client that has sent nothing yet: its wait holds on to it alone for
 * the grace (no listener wakes the worker while its request is on its
 * way), then watches. */
static void
test_conn_recv_or_yield_gives_a_fresh_client_its_grace_first(void **state)
{
	struct conn *c = *state;
	char buf[16];

	set_park();
	will_recv_error(EAGAIN);
	expect_ppoll_timeout(POLLIN, MS(PRESSURE_GRACE_MS));
	expect_ppoll_of(2, FAKE_FD, POLLIN, MS(5000 - PRESSURE_GRACE_MS),
	    MS(3), 1, POLLIN, 0);
	will_recv_data("GET");
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), 3);

	/* and one whose request comes within it is never watched */
	c->bytes_in = 0;
	will_recv_error(EAGAIN);
	expect_ppoll_ready(POLLIN, MS(PRESSURE_GRACE_MS), MS(1), POLLIN);
	will_recv_data("GET");
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), 3);
}

/* The channel at its EOF (no parker left) would wake every wait: once
 * seen, the connection waits on its client alone. */
static void
test_conn_recv_or_yield_stops_watching_a_pressure_descriptor_at_eof(
    void **state)
{
	struct conn *c = *state;
	char buf[16];

	set_park();
	kept(c);
	will_recv_error(EAGAIN);
	expect_ppoll_of(2, FAKE_FD, POLLIN, MS(5000), 0, 1, 0, POLLHUP);
	expect_ppoll_ready(POLLIN, MS(5000), MS(10), POLLIN);
	will_recv_data("GET");
	assert_int_equal(conn_recv_or_yield(c, buf, sizeof(buf),
	    NOW_MS + 5000), 3);
}

/* ---- the slow-reader rule ---- */

/* A send the kernel refuses (EAGAIN), the client taking per_s bytes a
 * second, against a min_rate of rate. */
static void
slow_reader(struct conn *c, unsigned rate, uint64_t per_s)
{
	set_park();
	c->min_rate = rate;
	acked_known = true;
	acked = 5000;
	acked_per_s = per_s;
	will_send_error("hello", EAGAIN);
}

static void
test_conn_send_cuts_a_slow_reader_while_others_wait(void **state)
{
	struct conn *c = *state;

	slow_reader(c, 1024, 100);
	/* Judged every PRESSURE_RATE_CHECK_MS, first after the grace. */
	for (int t = 0; t < PRESSURE_RATE_WINDOW_MS;
	    t += PRESSURE_RATE_CHECK_MS)
		expect_ppoll_timeout(POLLOUT, MS(PRESSURE_RATE_CHECK_MS));
	expect_probe(true);
	assert_int_equal(conn_send_all(c, "hello", 5), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(c->cut);
}

static void
test_conn_send_keeps_a_slow_reader_when_nobody_waits(void **state)
{
	struct conn *c = *state;

	slow_reader(c, 1024, 0);
	/* write = 3 s: judged at the end of each window, never cut; the
	 * write timeout ends it. */
	for (int t = PRESSURE_RATE_CHECK_MS; t <= 3000;
	    t += PRESSURE_RATE_CHECK_MS) {
		expect_ppoll_timeout(POLLOUT, MS(PRESSURE_RATE_CHECK_MS));
		if (t % PRESSURE_RATE_WINDOW_MS == 0 && t < 3000)
			expect_probe(false);
	}
	assert_int_equal(conn_send_all(c, "hello", 5), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_false(c->cut);
}

/* A client whose buffers took much at first and which then reads
 * nothing is judged on the window now ending, not on its first second. */
static void
test_conn_send_judges_a_reader_that_stopped_on_the_last_window(void **state)
{
	struct conn *c = *state;

	slow_reader(c, 1024, 1 << 20);		/* 1 MiB a second, then: */
	for (int t = PRESSURE_RATE_CHECK_MS; t <= PRESSURE_RATE_WINDOW_MS;
	    t += PRESSURE_RATE_CHECK_MS)
		expect_ppoll_timeout(POLLOUT, MS(PRESSURE_RATE_CHECK_MS));
	/* The first window passed at a fast pace: no probe. */
	for (int t = PRESSURE_RATE_CHECK_MS; t <= PRESSURE_RATE_WINDOW_MS;
	    t += PRESSURE_RATE_CHECK_MS)
		expect_ppoll_timeout(POLLOUT, MS(PRESSURE_RATE_CHECK_MS));
	expect_probe(true);
	acked_stop_after_s = 1;
	assert_int_equal(conn_send_all(c, "hello", 5), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(c->cut);
}

static void
test_conn_send_lets_a_client_at_the_rate_go_on(void **state)
{
	struct conn *c = *state;

	slow_reader(c, 1024, 1024);
	/* Judged at the end of each window: never short. */
	for (int t = 0; t < 2 * PRESSURE_RATE_WINDOW_MS;
	    t += PRESSURE_RATE_CHECK_MS)
		expect_ppoll_timeout(POLLOUT, MS(PRESSURE_RATE_CHECK_MS));
	expect_ppoll_ready(POLLOUT, MS(PRESSURE_RATE_CHECK_MS), MS(10),
	    POLLOUT);
	will_send_accept("hello", 5);
	assert_int_equal(conn_send_all(c, "hello", 5), 0);
	assert_false(c->cut);
}

/* ---- conn_wait ---- */

static void
test_conn_wait_resumes_after_eintr_with_the_time_left(void **state)
{
	(void)state;
	expect_ppoll_interrupted(POLLIN, MS(1000), MS(300));
	expect_ppoll_ready(POLLIN, MS(700), MS(5), POLLIN);
	assert_int_equal(conn_wait(FAKE_FD, POLLIN, 1000), 1);
}

static void
test_conn_wait_after_eintr_past_the_deadline_looks_once_more(void **state)
{
	(void)state;
	expect_ppoll_interrupted(POLLOUT, MS(100), MS(250));
	expect_ppoll_timeout(POLLOUT, 0);
	assert_int_equal(conn_wait(FAKE_FD, POLLOUT, 100), 0);
}

static void
test_conn_wait_with_a_negative_timeout_waits_forever(void **state)
{
	(void)state;
	expect_ppoll_ready(POLLIN, NO_TIMEOUT, MS(99999), POLLIN);
	assert_int_equal(conn_wait(FAKE_FD, POLLIN, -1), 1);
}

static void
test_conn_wait_uses_the_mask_set_by_conn_set_wait_mask(void **state)
{
	sigset_t mask;

	(void)state;
	sigemptyset(&mask);
	expect_ppoll_ready(POLLIN, MS(10), 0, POLLIN);
	assert_int_equal(conn_wait(FAKE_FD, POLLIN, 10), 1);
	assert_null(last_ppoll_mask);

	conn_set_wait_mask(&mask);
	expect_ppoll_ready(POLLIN, MS(10), 0, POLLIN);
	assert_int_equal(conn_wait(FAKE_FD, POLLIN, 10), 1);
	assert_ptr_equal(last_ppoll_mask, &mask);
	conn_set_wait_mask(NULL);
}

static void
test_conn_wait_reports_ppoll_errors(void **state)
{
	(void)state;
	expect_ppoll(POLLIN, MS(10), 0, -1, ENOMEM);
	assert_int_equal(conn_wait(FAKE_FD, POLLIN, 10), -1);
	assert_int_equal(errno, ENOMEM);
}

/* ---- conn_send_all ---- */

static void
test_conn_send_all_resumes_partial_sends_until_every_byte_is_out(void **state)
{
	struct conn *c = *state;

	will_send_accept("hello world", 3);
	will_send_accept("lo world", 2);
	will_send_accept(" world", 6);
	assert_int_equal(conn_send_all(c, "hello world", 11), 0);
	assert_wire("hello world");
	assert_int_equal(c->bytes_out, 11);
}

static void
test_conn_send_all_retries_after_eintr(void **state)
{
	struct conn *c = *state;

	will_send_error("abc", EINTR);
	will_send_accept("abc", 3);
	assert_int_equal(conn_send_all(c, "abc", 3), 0);
	assert_wire("abc");
}

static void
test_conn_send_all_waits_for_pollout_on_eagain_then_sends_the_rest(
    void **state)
{
	struct conn *c = *state;

	will_send_accept("abcdef", 2);
	will_send_error("cdef", EAGAIN);
	expect_ppoll_ready(POLLOUT, MS(3000), MS(20), POLLOUT);
	will_send_accept("cdef", 4);
	assert_int_equal(conn_send_all(c, "abcdef", 6), 0);
	assert_wire("abcdef");
	assert_int_equal(c->bytes_out, 6);
}

static void
test_conn_send_all_fails_with_etimedout_when_the_peer_does_not_read(
    void **state)
{
	struct conn *c = *state;

	will_send_accept("abcdef", 1);
	will_send_error("bcdef", EAGAIN);
	expect_ppoll_timeout(POLLOUT, MS(3000));
	errno = 0;
	assert_int_equal(conn_send_all(c, "abcdef", 6), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(c->bytes_out, 1);	/* how far it got */
}

static void
test_conn_send_all_gives_the_full_write_timeout_again_after_progress(
    void **state)
{
	struct conn *c = *state;

	will_send_error("abcd", EAGAIN);
	expect_ppoll_ready(POLLOUT, MS(3000), MS(2900), POLLOUT);
	will_send_accept("abcd", 1);
	will_send_error("bcd", EAGAIN);
	expect_ppoll_ready(POLLOUT, MS(3000), MS(2900), POLLOUT);
	will_send_accept("bcd", 3);
	assert_int_equal(conn_send_all(c, "abcd", 4), 0);
	assert_wire("abcd");
}

static void
test_conn_send_all_fails_with_epipe_when_the_peer_is_gone(void **state)
{
	struct conn *c = *state;

	will_send_error("abc", EPIPE);
	assert_int_equal(conn_send_all(c, "abc", 3), -1);
	assert_int_equal(errno, EPIPE);
}

static void
test_conn_send_all_passes_msg_nosignal_and_never_blocks(void **state)
{
	struct conn *c = *state;

	will_send_accept("x", 1);
	assert_int_equal(conn_send_all(c, "x", 1), 0);
	assert_true(last_send_flags & MSG_NOSIGNAL);
	assert_true(last_send_flags & MSG_DONTWAIT);
}

static void
test_conn_send_all_treats_a_send_of_0_as_a_broken_connection(void **state)
{
	struct conn *c = *state;

	will_send_accept("abc", 0);
	assert_int_equal(conn_send_all(c, "abc", 3), -1);
	assert_int_equal(errno, EPIPE);
}

static void
test_conn_send_all_of_nothing_sends_nothing(void **state)
{
	struct conn *c = *state;

	assert_int_equal(conn_send_all(c, "", 0), 0);
	assert_int_equal(wire_len, 0);
}

/* ---- conn_send_file ---- */

static void
test_conn_send_file_sends_the_head_with_msg_more_then_the_body(void **state)
{
	struct conn *c = *state;

	c->on_progress = count_progress;
	will_send_accept("HEAD", 4);
	expect_sendfile(100, 50, 20);		/* partial: resumed */
	expect_sendfile(120, 30, 30);
	assert_int_equal(conn_send_file(c, "HEAD", 4, FAKE_FILE, 100, 50), 0);
	assert_true(last_send_flags & MSG_MORE);
	assert_true(last_send_flags & MSG_NOSIGNAL);
	assert_int_equal(c->bytes_out, 54);
	assert_int_equal(progress_calls, 3);
}

static void
test_conn_send_file_without_a_body_sends_the_head_alone(void **state)
{
	struct conn *c = *state;

	will_send_accept("HEAD", 4);
	assert_int_equal(conn_send_file(c, "HEAD", 4, FAKE_FILE, 0, 0), 0);
	assert_false(last_send_flags & MSG_MORE);
}

static void
test_conn_send_file_waits_for_pollout_and_retries_after_eintr(void **state)
{
	struct conn *c = *state;

	will_send_accept("H", 1);
	expect_sendfile_error(0, 10, EAGAIN);
	expect_ppoll_ready(POLLOUT, MS(3000), MS(10), POLLOUT);
	expect_sendfile_error(0, 10, EINTR);
	expect_sendfile(0, 10, 10);
	assert_int_equal(conn_send_file(c, "H", 1, FAKE_FILE, 0, 10), 0);
	assert_int_equal(c->bytes_out, 11);
}

static void
test_conn_send_file_fails_with_etimedout_when_the_peer_does_not_read(
    void **state)
{
	struct conn *c = *state;

	will_send_accept("H", 1);
	expect_sendfile(0, 10, 4);
	expect_sendfile_error(4, 6, EAGAIN);
	expect_ppoll_timeout(POLLOUT, MS(3000));
	assert_int_equal(conn_send_file(c, "H", 1, FAKE_FILE, 0, 10), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(c->bytes_out, 5);
}

static void
test_conn_send_file_fails_with_enodata_when_the_file_shrank(void **state)
{
	struct conn *c = *state;

	will_send_accept("H", 1);
	expect_sendfile(0, 10, 4);
	expect_sendfile(4, 6, 0);		/* end of file, early */
	assert_int_equal(conn_send_file(c, "H", 1, FAKE_FILE, 0, 10), -1);
	assert_int_equal(errno, ENODATA);
}

static void
test_conn_send_file_stops_when_the_head_cannot_be_sent(void **state)
{
	struct conn *c = *state;

	will_send_error("HEAD", EPIPE);
	assert_int_equal(conn_send_file(c, "HEAD", 4, FAKE_FILE, 0, 10), -1);
	assert_int_equal(errno, EPIPE);
}

static void
test_conn_send_more_passes_msg_more(void **state)
{
	struct conn *c = *state;

	will_send_accept("ab", 2);
	assert_int_equal(conn_send_more(c, "ab", 2), 0);
	assert_true(last_send_flags & MSG_MORE);
}

/* ---- conn_close, conn_abort ---- */

static void
test_conn_close_shuts_down_drains_until_eof_then_closes_once(void **state)
{
	struct conn *c = *state;

	expect_shutdown(0, 0);
	will_recv_data("unread request");
	will_recv_data("more");
	will_recv_eof();
	expect_close();
	conn_close(c);
	assert_int_equal(close_calls, 1);
	assert_int_equal(c->fd, -1);
	assert_int_equal(c->bytes_in, 0);	/* drained, not counted */
	conn_close(c);				/* twice is harmless */
	assert_int_equal(close_calls, 1);
}

static void
test_conn_close_waits_for_the_peer_within_what_is_left_of_linger(
    void **state)
{
	struct conn *c = *state;

	expect_shutdown(0, 0);
	will_recv_error(EAGAIN);
	expect_ppoll_ready(POLLIN, MS(2000), MS(1500), POLLIN);
	will_recv_data("late");
	will_recv_error(EAGAIN);
	expect_ppoll_timeout(POLLIN, MS(500));
	expect_close();
	conn_close(c);
	assert_int_equal(close_calls, 1);
}

static void
test_conn_close_stops_draining_at_the_deadline_when_the_peer_keeps_sending(
    void **state)
{
	struct conn *c = *state;

	c->linger_ms = 100;
	flood_len = 512;
	flood_cost = MS(30);	/* each read "takes" 30 ms: 0, 30, 60, 90 */
	expect_shutdown(0, 0);
	expect_close();
	conn_close(c);
	assert_int_equal(recv_calls, 4);
	assert_int_equal(close_calls, 1);
	assert_int_equal(c->fd, -1);
}

static void
test_conn_close_does_not_wait_for_a_peer_that_said_it_was_done(void **state)
{
	struct conn *c = *state;

	c->peer_done = true;
	expect_shutdown(0, 0);
	will_recv_error(EAGAIN);	/* nothing came: no wait for its EOF */
	expect_close();
	conn_close(c);
	assert_int_equal(recv_calls, 1);
	assert_int_equal(close_calls, 1);
}

static void
test_conn_close_drains_a_done_peer_that_still_sent(void **state)
{
	struct conn *c = *state;

	c->peer_done = true;
	expect_shutdown(0, 0);
	will_recv_data("unexpected");
	will_recv_data("more");
	will_recv_eof();
	expect_close();
	conn_close(c);
	assert_int_equal(recv_calls, 3);
	assert_int_equal(close_calls, 1);
}

static void
test_conn_close_with_linger_0_skips_the_drain(void **state)
{
	struct conn *c = *state;

	c->linger_ms = 0;
	expect_shutdown(0, 0);
	expect_close();
	conn_close(c);
	assert_int_equal(recv_calls, 0);
	assert_int_equal(close_calls, 1);
}

static void
test_conn_close_after_a_failed_shutdown_just_closes(void **state)
{
	struct conn *c = *state;

	expect_shutdown(-1, ENOTCONN);
	expect_close();
	conn_close(c);
	assert_int_equal(recv_calls, 0);
	assert_int_equal(close_calls, 1);
	assert_int_equal(c->fd, -1);
}

static void
test_conn_close_stops_draining_on_a_reset(void **state)
{
	struct conn *c = *state;

	expect_shutdown(0, 0);
	will_recv_error(ECONNRESET);
	expect_close();
	conn_close(c);
	assert_int_equal(close_calls, 1);
}

static void
test_conn_close_on_fd_minus_1_does_nothing(void **state)
{
	struct conn *c = *state;

	c->fd = -1;
	conn_close(c);
	conn_abort(c);
	assert_int_equal(close_calls, 0);
	assert_int_equal(recv_calls, 0);
}

static void
test_conn_abort_closes_at_once_without_shutdown(void **state)
{
	struct conn *c = *state;

	expect_close();
	conn_abort(c);
	assert_int_equal(close_calls, 1);
	assert_int_equal(c->fd, -1);
}

/* ---- echo over the same fakes ---- */

static void
test_echo_sends_back_what_it_read_then_shuts_down_and_closes(void **state)
{
	struct conn *c = *state;
	struct conf cf = { .access_log = false };

	will_recv_data("abc");
	will_send_accept("abc", 3);
	will_recv_eof();
	expect_shutdown(0, 0);
	/* No drain: the client's EOF has been read already. */
	expect_close();
	echo_handle(c, &cf, NULL);
	assert_wire("abc");
	assert_int_equal(c->bytes_in, 3);
	assert_int_equal(c->bytes_out, 3);
	assert_int_equal(close_calls, 1);
	assert_int_equal(c->fd, -1);
}

static void
test_echo_aborts_without_shutdown_when_the_client_stops_reading(
    void **state)
{
	struct conn *c = *state;
	struct conf cf = { .access_log = false };

	will_recv_data("abc");
	will_send_error("abc", EAGAIN);
	expect_ppoll_timeout(POLLOUT, MS(3000));
	expect_close();
	echo_handle(c, &cf, NULL);
	assert_int_equal(close_calls, 1);
	assert_int_equal(wire_len, 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_conn_init_converts_timeouts_to_ms_and_formats_the_peer),
		T(test_conn_init_without_a_peer_says_unknown),
		T(test_conn_recv_returns_the_bytes_read_and_counts_them),
		T(test_conn_recv_returns_0_at_eof),
		T(test_conn_recv_retries_after_eintr),
		T(test_conn_recv_waits_for_pollin_on_eagain_then_reads),
		T(test_conn_recv_fails_with_etimedout_when_nothing_comes),
		T(test_conn_recv_keeps_one_deadline_across_spurious_wakeups),
		T(test_conn_recv_lets_the_read_report_the_error_after_pollhup),
		T(test_conn_recv_reports_errors_as_they_are),
		T(test_conn_recv_of_0_bytes_is_einval_not_eof),
		T(test_conn_recv_or_yield_waits_as_conn_recv_without_a_parker),
		T(test_conn_recv_or_yield_yields_when_another_connection_still_waits),
		T(test_conn_recv_or_yield_gives_a_fresh_client_its_grace_first),
		T(test_conn_recv_or_yield_watches_again_when_the_pressure_is_gone),
		T(test_conn_recv_or_yield_keeps_the_client_that_speaks_in_the_settle_time),
		T(test_conn_recv_or_yield_still_ends_at_its_deadline),
		T(test_conn_recv_or_yield_never_yields_once_the_worker_stops),
		T(test_conn_recv_or_yield_stops_watching_a_pressure_descriptor_at_eof),
		T(test_conn_send_cuts_a_slow_reader_while_others_wait),
		T(test_conn_send_keeps_a_slow_reader_when_nobody_waits),
		T(test_conn_send_judges_a_reader_that_stopped_on_the_last_window),
		T(test_conn_send_lets_a_client_at_the_rate_go_on),
		T(test_conn_wait_resumes_after_eintr_with_the_time_left),
		T(test_conn_wait_after_eintr_past_the_deadline_looks_once_more),
		T(test_conn_wait_with_a_negative_timeout_waits_forever),
		T(test_conn_wait_uses_the_mask_set_by_conn_set_wait_mask),
		T(test_conn_wait_reports_ppoll_errors),
		T(test_conn_send_all_resumes_partial_sends_until_every_byte_is_out),
		T(test_conn_send_all_retries_after_eintr),
		T(test_conn_send_all_waits_for_pollout_on_eagain_then_sends_the_rest),
		T(test_conn_send_all_fails_with_etimedout_when_the_peer_does_not_read),
		T(test_conn_send_all_gives_the_full_write_timeout_again_after_progress),
		T(test_conn_send_all_fails_with_epipe_when_the_peer_is_gone),
		T(test_conn_send_all_passes_msg_nosignal_and_never_blocks),
		T(test_conn_send_all_treats_a_send_of_0_as_a_broken_connection),
		T(test_conn_send_all_of_nothing_sends_nothing),
		T(test_conn_send_file_sends_the_head_with_msg_more_then_the_body),
		T(test_conn_send_file_without_a_body_sends_the_head_alone),
		T(test_conn_send_file_waits_for_pollout_and_retries_after_eintr),
		T(test_conn_send_file_fails_with_etimedout_when_the_peer_does_not_read),
		T(test_conn_send_file_fails_with_enodata_when_the_file_shrank),
		T(test_conn_send_file_stops_when_the_head_cannot_be_sent),
		T(test_conn_send_more_passes_msg_more),
		T(test_conn_close_shuts_down_drains_until_eof_then_closes_once),
		T(test_conn_close_waits_for_the_peer_within_what_is_left_of_linger),
		T(test_conn_close_stops_draining_at_the_deadline_when_the_peer_keeps_sending),
		T(test_conn_close_does_not_wait_for_a_peer_that_said_it_was_done),
		T(test_conn_close_drains_a_done_peer_that_still_sent),
		T(test_conn_close_with_linger_0_skips_the_drain),
		T(test_conn_close_after_a_failed_shutdown_just_closes),
		T(test_conn_close_stops_draining_on_a_reset),
		T(test_conn_close_on_fd_minus_1_does_nothing),
		T(test_conn_abort_closes_at_once_without_shutdown),
		T(test_echo_sends_back_what_it_read_then_shuts_down_and_closes),
		T(test_echo_aborts_without_shutdown_when_the_client_stops_reading),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
