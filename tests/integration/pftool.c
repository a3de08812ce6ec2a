/*
 * pftool - the test client of the preforkd integration tests.
 *
 * One binary, one subcommand per job: find a free loopback port, run
 * verified echo round trips (many at once, all on one poll loop), measure
 * how long a server keeps a silent client, hold a connection or a
 * listening port, wait until a port accepts, send raw bytes (an HTTP
 * request) and print the answer, play a service manager's notification
 * socket.  Over the network it only ever talks to 127.0.0.1.
 *
 * Every wait is a poll() with a timeout and every run has an overall
 * bound, so pftool never hangs.  EINTR and partial transfers are normal
 * events.  Exit status: 0 the behaviour held, 1 it did not (or a system
 * call failed), 2 bad usage.  The result is one line on stdout;
 * diagnostics go to stderr, prefixed "pftool: ".
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE	2
#define IO_BUF		65536
#define CHUNK_MAX	(1024 * 1024)
#define MAX_REPORTED	10

static const char usage_text[] =
"usage: pftool COMMAND [OPTIONS]\n"
"\n"
"Every command talks to 127.0.0.1 only.  Exit status: 0 the behaviour held,\n"
"1 it did not (or a system call failed), 2 bad usage.\n"
"\n"
"  port\n"
"      Print a free TCP port on 127.0.0.1 (bind port 0, getsockname, close).\n"
"\n"
"  echo -p PORT -n BYTES [options]\n"
"      Per connection: send BYTES of a deterministic pseudo-random pattern\n"
"      while reading the echo back, then shutdown(SHUT_WR) and read to EOF.\n"
"      Every byte is checked, in order, and the EOF must come.  Prints\n"
"      \"echo: ok=N failed=N bytes=BYTES seconds=S refused=N reset=N\n"
"      timeout=N short=N mismatch=N other=N [local=ADDR:PORT]\"\n"
"      (local only for a single connection); exit 0 only if all verified.\n"
"      Each failure has one kind, so the kinds add up to failed: refused,\n"
"      the connect failed; reset, ECONNRESET or EPIPE; timeout, no progress\n"
"      for --io-timeout, or cut off (or never started) at --timeout; short,\n"
"      EOF before all came back; mismatch, a byte came back different (or\n"
"      more came back than was sent); other, anything else.\n"
"      BYTES may end in K or M (KiB, MiB).\n"
"      --chunk N         bytes handed to each send() (default 65536)\n"
"      --delay-ms MS     pause MS milliseconds between chunks\n"
"      --byte-by-byte    one byte per send(), each read back before the next\n"
"      --send-first      send everything and shutdown(SHUT_WR) before reading\n"
"                        (keep BYTES within the socket buffers)\n"
"      --no-shutdown     never shutdown(SHUT_WR): read BYTES back, then close;\n"
"                        no EOF is expected\n"
"      -c N              connections in flight at once (default 1)\n"
"      -k N              connections in all (default: -c); with --duration,\n"
"                        at most N (default: no limit)\n"
"      --duration S      load generator: keep -c connections in flight, a new\n"
"                        one as soon as one ends, until S seconds have passed\n"
"                        (S less than --timeout); then open no more and let\n"
"                        those in flight finish.  Exit 0 if none failed and\n"
"                        at least one verified\n"
"      --seed N          pattern seed (default 1); connection i uses seed+i\n"
"      --timeout S       bound on the whole run (default 30)\n"
"      --io-timeout S    bound on a connection making no progress (default 10)\n"
"\n"
"  silent -p PORT -s SECONDS\n"
"      Connect and send nothing; wait up to SECONDS for the server to close.\n"
"      Prints \"ELAPSED HOW LOCAL\", HOW being eof, reset, open or error,\n"
"      e.g. \"1.002 eof 127.0.0.1:40522\".  Exit 0 if closed within SECONDS.\n"
"\n"
"  hold -p PORT -s SECONDS\n"
"      Connect, print \"open LOCAL\", send nothing and keep the connection\n"
"      SECONDS; then print \"held ELAPSED\" and exit 0, or, if the server\n"
"      closed first, \"closed ELAPSED HOW\" and exit 1.\n"
"\n"
"  listen -p PORT -s SECONDS\n"
"      Bind 127.0.0.1:PORT (without SO_REUSEADDR), listen, print\n"
"      \"listening 127.0.0.1:PORT\", accept nothing, exit 0 after SECONDS.\n"
"\n"
"  wait-port -p PORT [--timeout S]\n"
"      Connect every 20 ms until 127.0.0.1:PORT accepts (then close);\n"
"      exit 0 then, 1 after S seconds (default 10).\n"
"\n"
"  raw -p PORT [--timeout S] [--no-shutdown] [--hold S]\n"
"      Read all of stdin, connect, send it (reading meanwhile), then\n"
"      shutdown(SHUT_WR) and read until the server's EOF; write every byte\n"
"      received to stdout.  Exit 0 if the server closed (EOF or reset), 1\n"
"      if --timeout S (default 10, for the whole run) came first.\n"
"      --no-shutdown     never shutdown(SHUT_WR); still read until EOF\n"
"      --hold S          after sending, keep the connection open (no\n"
"                        shutdown) and read until EOF or S seconds from the\n"
"                        end of sending (--timeout then bounds the sending\n"
"                        only); the last line on stderr is \"raw: eof after\n"
"                        SECONDS\", \"raw: reset after SECONDS\" or \"raw: open\n"
"                        after SECONDS\" (SECONDS counted from the end of\n"
"                        sending)\n"
"\n"
"  notify --socket PATH -s SECONDS\n"
"      Be a service manager's notification socket: bind a datagram socket\n"
"      at PATH (a file name), print \"listening PATH\", then one line per\n"
"      datagram received, \"MS MESSAGE\" (MS since the start, the message's\n"
"      newlines shown as \" | \"), flushed at once.  Exit 0 after SECONDS;\n"
"      PATH is removed.\n"
"\n"
"  help\n"
"      This text.\n";

/* Options of every command; a command rejects those it does not take. */
struct opts {
	int port;
	uint64_t bytes;
	size_t chunk;
	int delay_ms;
	int byte_by_byte;
	int send_first;
	int no_shutdown;
	long concurrency;
	long total;
	uint32_t seed;
	double timeout_s;
	double io_timeout_s;
	double seconds;
	double duration_s;
	double hold_s;
	const char *socket_path;
	int have_port;
	int have_bytes;
	int have_seconds;
	int have_duration;
	int have_hold;
};

enum {
	OPT_CHUNK = 256,
	OPT_DELAY,
	OPT_BYTE_BY_BYTE,
	OPT_SEND_FIRST,
	OPT_NO_SHUTDOWN,
	OPT_SEED,
	OPT_TIMEOUT,
	OPT_IO_TIMEOUT,
	OPT_DURATION,
	OPT_HOLD,
	OPT_SOCKET,
};

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "bytes", required_argument, NULL, 'n' },
	{ "seconds", required_argument, NULL, 's' },
	{ "concurrency", required_argument, NULL, 'c' },
	{ "connections", required_argument, NULL, 'k' },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "delay-ms", required_argument, NULL, OPT_DELAY },
	{ "byte-by-byte", no_argument, NULL, OPT_BYTE_BY_BYTE },
	{ "send-first", no_argument, NULL, OPT_SEND_FIRST },
	{ "no-shutdown", no_argument, NULL, OPT_NO_SHUTDOWN },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "io-timeout", required_argument, NULL, OPT_IO_TIMEOUT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ NULL, 0, NULL, 0 },
};

/* The command table: name, the options it takes, its function. */
struct command {
	const char *name;
	const char *allowed;	/* short options, plus '*' for echo's long ones,
				   'T' --timeout, 'N' --no-shutdown, 'H' --hold,
				   'U' --socket */
	int (*run)(const struct opts *o);
};

static __attribute__((format(printf, 1, 0))) void
vwarnx(const char *fmt, va_list ap)
{
	fputs("pftool: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static __attribute__((format(printf, 1, 2))) void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		warnx("clock_gettime: %s", strerror(errno));
		exit(1);
	}
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds from now until deadline, for poll(): >= 0, rounded up. */
static int
ms_until(double deadline)
{
	double left = deadline - now();

	if (left <= 0)
		return 0;
	if (left > 3600)
		return 3600 * 1000;
	return (int)(left * 1000.0) + 1;
}

/* ------------------------------------------------------------------ */
/* Parsing of option values. */

/* 0 and *out set, or -1: s is not a whole number in [min, max]. */
static int
parse_num(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v, mult = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024 * 1024, end++;
	if (*end != '\0')
		return -1;
	if (v > LLONG_MAX / mult || v < LLONG_MIN / mult)
		return -1;
	v *= mult;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 0 and *out set, or -1: s is not a number of seconds in [0, 86400]. */
static int
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= 86400))
		return -1;
	*out = v;
	return 0;
}

static int
opts_set(struct opts *o, int ch, const char *arg)
{
	long long v;

	switch (ch) {
	case 'p':
		if (parse_num(arg, 0, 65535, &v) == -1)
			return -1;
		o->port = (int)v;
		o->have_port = 1;
		return 0;
	case 'n':
		if (parse_num(arg, 0, (long long)1 << 40, &v) == -1)
			return -1;
		o->bytes = (uint64_t)v;
		o->have_bytes = 1;
		return 0;
	case 's':
		o->have_seconds = 1;
		return parse_seconds(arg, &o->seconds);
	case 'c':
		if (parse_num(arg, 1, 10000, &v) == -1)
			return -1;
		o->concurrency = (long)v;
		return 0;
	case 'k':
		if (parse_num(arg, 1, 100000000, &v) == -1)
			return -1;
		o->total = (long)v;
		return 0;
	case OPT_CHUNK:
		if (parse_num(arg, 1, CHUNK_MAX, &v) == -1)
			return -1;
		o->chunk = (size_t)v;
		return 0;
	case OPT_DELAY:
		if (parse_num(arg, 0, 60000, &v) == -1)
			return -1;
		o->delay_ms = (int)v;
		return 0;
	case OPT_BYTE_BY_BYTE:
		o->byte_by_byte = 1;
		return 0;
	case OPT_SEND_FIRST:
		o->send_first = 1;
		return 0;
	case OPT_NO_SHUTDOWN:
		o->no_shutdown = 1;
		return 0;
	case OPT_SEED:
		if (parse_num(arg, 0, UINT32_MAX, &v) == -1)
			return -1;
		o->seed = (uint32_t)v;
		return 0;
	case OPT_TIMEOUT:
		return parse_seconds(arg, &o->timeout_s);
	case OPT_IO_TIMEOUT:
		return parse_seconds(arg, &o->io_timeout_s);
	case OPT_DURATION:
		o->have_duration = 1;
		return parse_seconds(arg, &o->duration_s);
	case OPT_HOLD:
		o->have_hold = 1;
		return parse_seconds(arg, &o->hold_s);
	case OPT_SOCKET:
		o->socket_path = arg;
		return arg[0] != '\0' ? 0 : -1;
	}
	return -1;
}

/* The spelling of an option, for messages. */
static const char *
opt_name(int ch, char *buf, size_t len)
{
	size_t i;

	for (i = 0; long_opts[i].name != NULL; i++)
		if (long_opts[i].val == ch) {
			if (ch < 256)
				snprintf(buf, len, "-%c", ch);
			else
				snprintf(buf, len, "--%s", long_opts[i].name);
			return buf;
		}
	snprintf(buf, len, "?");
	return buf;
}

/* ------------------------------------------------------------------ */
/* Sockets. */

static void
loopback_addr(struct sockaddr_in *sin, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* "127.0.0.1:40522" for the local end of fd, or "?" on failure. */
static void
local_name(int fd, char *buf, size_t len)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char ip[INET_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&sin, &sl) == -1 ||
	    inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip)) == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s:%u", ip, (unsigned)ntohs(sin.sin_port));
}

/*
 * Start a non-blocking connect to 127.0.0.1:port.  Returns the fd, with
 * *pending set if the connection is still in progress; -1 with errno,
 * and *step set to the call that failed ("socket" or "connect").
 */
static int
connect_start(int port, int *pending, const char **step)
{
	struct sockaddr_in sin;
	int fd, saved;

	*step = "socket";
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	*step = "connect";
	loopback_addr(&sin, port);
	*pending = 0;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		if (errno != EINPROGRESS && errno != EINTR) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		*pending = 1;
	}
	return fd;
}

/* 0 when the pending connect on fd succeeded, else -1 with errno. */
static int
connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return -1;
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* A connected socket to 127.0.0.1:port within timeout_s, or -1 (logged). */
static int
connect_wait(int port, double timeout_s, int quiet)
{
	struct pollfd pfd;
	double deadline = now() + timeout_s;
	const char *step;
	int fd, pending, r;

	fd = connect_start(port, &pending, &step);
	if (fd == -1) {
		if (!quiet)
			warnx("connect 127.0.0.1:%d: %s", port, strerror(errno));
		return -1;
	}
	while (pending) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		r = poll(&pfd, 1, ms_until(deadline));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx("poll: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0) {
			if (!quiet)
				warnx("connect 127.0.0.1:%d: timed out", port);
			close(fd);
			return -1;
		}
		if (connect_result(fd) == -1) {
			if (!quiet)
				warnx("connect 127.0.0.1:%d: %s", port,
				    strerror(errno));
			close(fd);
			return -1;
		}
		pending = 0;
	}
	return fd;
}

/* ------------------------------------------------------------------ */
/* The pattern: xorshift32, one byte per step, one stream per seed. */

struct pattern {
	uint32_t s;
};

static void
pattern_init(struct pattern *p, uint32_t seed)
{
	p->s = (seed * 2654435761u) ^ 0x9e3779b9u;
	if (p->s == 0)
		p->s = 1;
}

static uint8_t
pattern_next(struct pattern *p)
{
	uint32_t x = p->s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	p->s = x;
	return (uint8_t)(x >> 24);
}

/* ------------------------------------------------------------------ */
/* echo: many verified round trips on one poll loop. */

enum echo_phase {
	EP_CONNECTING,
	EP_SENDING,	/* sending (and reading, unless --send-first) */
	EP_DRAINING,	/* all sent (and shut down): reading the rest */
	EP_DONE,
};

/* Why a connection failed; each failure is counted under one kind. */
enum echo_kind {
	EK_REFUSED,	/* the connect failed */
	EK_RESET,	/* ECONNRESET or EPIPE */
	EK_TIMEOUT,	/* --io-timeout or --timeout */
	EK_SHORT,	/* EOF before all bytes came back */
	EK_MISMATCH,	/* a byte came back different */
	EK_OTHER,
	EK_COUNT,
};

/* Their names in the result line, in this order. */
static const char *const echo_kind_names[EK_COUNT] = {
	"refused", "reset", "timeout", "short", "mismatch", "other",
};

struct echo_conn {
	int fd;
	enum echo_phase phase;
	long index;
	struct pattern tx, rx;
	uint64_t sent, recvd, generated;
	unsigned char *buf;	/* the chunk in flight */
	size_t buf_len, buf_off;
	double next_send;	/* --delay-ms: not before this time */
	double last_progress;
	char local[64];
};

struct echo_run {
	const struct opts *o;
	struct echo_conn *conns;	/* o->concurrency slots */
	struct pollfd *pfds;
	int *pfd_slot;
	long started, ok, failed, reported;
	long kinds[EK_COUNT];		/* failed, by kind */
	double deadline;
	double open_until;		/* no new connection from then on */
};

/* The kind of a failed send() or recv() (or shutdown()) with errno err. */
static enum echo_kind
echo_errno_kind(int err)
{
	return err == ECONNRESET || err == EPIPE ? EK_RESET : EK_OTHER;
}

static void
echo_fail(struct echo_run *run, struct echo_conn *c, enum echo_kind kind,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Close c and count it as failed of kind, saying why (the first few only). */
static void
echo_fail(struct echo_run *run, struct echo_conn *c, enum echo_kind kind,
    const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (run->reported < MAX_REPORTED)
		warnx("echo: connection %ld (%s): %s (sent %" PRIu64
		    ", received %" PRIu64 " of %" PRIu64 ")", c->index,
		    c->local[0] ? c->local : "unconnected", why, c->sent,
		    c->recvd, run->o->bytes);
	else if (run->reported == MAX_REPORTED)
		warnx("echo: more failures not shown");
	run->reported++;
	run->failed++;
	run->kinds[kind]++;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->phase = EP_DONE;
	free(c->buf);
	c->buf = NULL;
}

static void
echo_succeed(struct echo_run *run, struct echo_conn *c)
{
	run->ok++;
	close(c->fd);
	c->fd = -1;
	c->phase = EP_DONE;
	free(c->buf);
	c->buf = NULL;
}

/* Open connection number run->started in slot c. */
static void
echo_open(struct echo_run *run, struct echo_conn *c)
{
	const struct opts *o = run->o;
	const char *step;
	int pending, one = 1;

	memset(c, 0, sizeof(*c));
	c->index = run->started++;
	c->fd = -1;
	pattern_init(&c->tx, o->seed + (uint32_t)c->index);
	pattern_init(&c->rx, o->seed + (uint32_t)c->index);
	c->last_progress = now();
	c->buf = malloc(o->chunk);
	if (c->buf == NULL) {
		echo_fail(run, c, EK_OTHER, "malloc: %s", strerror(errno));
		return;
	}
	c->fd = connect_start(o->port, &pending, &step);
	if (c->fd == -1) {
		echo_fail(run, c, strcmp(step, "connect") == 0 ? EK_REFUSED :
		    EK_OTHER, "%s: %s", step, strerror(errno));
		return;
	}
	if (o->byte_by_byte &&
	    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1) {
		echo_fail(run, c, EK_OTHER, "TCP_NODELAY: %s", strerror(errno));
		return;
	}
	c->phase = pending ? EP_CONNECTING : EP_SENDING;
	if (!pending)
		local_name(c->fd, c->local, sizeof(c->local));
}

/* Everything is sent: shut down our side (unless --no-shutdown). */
static void
echo_sent_all(struct echo_run *run, struct echo_conn *c)
{
	c->phase = EP_DRAINING;
	if (run->o->no_shutdown) {
		if (c->recvd == run->o->bytes)
			echo_succeed(run, c);
		return;
	}
	/* ENOTCONN: the connection was there, so the server reset it. */
	if (shutdown(c->fd, SHUT_WR) == -1)
		echo_fail(run, c, errno == ENOTCONN ? EK_RESET :
		    echo_errno_kind(errno), "shutdown: %s", strerror(errno));
}

static int
echo_wants_send(const struct echo_run *run, const struct echo_conn *c,
    double t)
{
	if (c->phase != EP_SENDING || t < c->next_send)
		return 0;
	if (run->o->byte_by_byte && c->recvd != c->sent)
		return 0;
	return 1;
}

static int
echo_wants_recv(const struct echo_run *run, const struct echo_conn *c)
{
	if (c->phase == EP_DRAINING)
		return 1;
	return c->phase == EP_SENDING && !run->o->send_first;
}

/* Send what the socket takes of the current chunk; refill it when done. */
static void
echo_send(struct echo_run *run, struct echo_conn *c)
{
	const struct opts *o = run->o;
	size_t i, want;
	ssize_t n;

	if (c->sent == o->bytes) {
		echo_sent_all(run, c);
		return;
	}
	if (c->buf_off == c->buf_len) {
		want = o->byte_by_byte ? 1 : o->chunk;
		if (o->bytes - c->generated < want)
			want = (size_t)(o->bytes - c->generated);
		for (i = 0; i < want; i++)
			c->buf[i] = pattern_next(&c->tx);
		c->generated += want;
		c->buf_len = want;
		c->buf_off = 0;
	}
	n = send(c->fd, c->buf + c->buf_off, c->buf_len - c->buf_off,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		echo_fail(run, c, echo_errno_kind(errno), "send: %s",
		    strerror(errno));
		return;
	}
	c->buf_off += (size_t)n;
	c->sent += (uint64_t)n;
	c->last_progress = now();
	if (c->buf_off < c->buf_len)
		return;
	if (c->sent == o->bytes)
		echo_sent_all(run, c);
	else if (o->delay_ms > 0)
		c->next_send = now() + o->delay_ms / 1000.0;
}

/* Read what is there and check it against the pattern. */
static void
echo_recv(struct echo_run *run, struct echo_conn *c)
{
	static unsigned char buf[IO_BUF];
	const struct opts *o = run->o;
	ssize_t n, i;
	uint8_t want;

	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		echo_fail(run, c, echo_errno_kind(errno), "recv: %s",
		    strerror(errno));
		return;
	}
	if (n == 0) {
		if (c->phase == EP_DRAINING && c->recvd == o->bytes &&
		    !o->no_shutdown)
			echo_succeed(run, c);
		else
			echo_fail(run, c, EK_SHORT,
			    "early EOF from the server");
		return;
	}
	if ((uint64_t)n > o->bytes - c->recvd) {
		echo_fail(run, c, EK_MISMATCH, "%zd bytes more than were sent",
		    n - (ssize_t)(o->bytes - c->recvd));
		return;
	}
	for (i = 0; i < n; i++) {
		want = pattern_next(&c->rx);
		if (buf[i] != want) {
			c->recvd += (uint64_t)i;
			echo_fail(run, c, EK_MISMATCH, "byte %" PRIu64
			    " is 0x%02x, expected 0x%02x", c->recvd, buf[i],
			    want);
			return;
		}
	}
	c->recvd += (uint64_t)n;
	c->last_progress = now();
	if (c->recvd > c->sent) {
		echo_fail(run, c, EK_OTHER, "received bytes not yet sent");
		return;
	}
	if (o->no_shutdown && c->phase == EP_DRAINING && c->recvd == o->bytes)
		echo_succeed(run, c);
}

static void
echo_connected(struct echo_run *run, struct echo_conn *c)
{
	if (connect_result(c->fd) == -1) {
		echo_fail(run, c, EK_REFUSED, "connect: %s", strerror(errno));
		return;
	}
	local_name(c->fd, c->local, sizeof(c->local));
	c->phase = EP_SENDING;
	c->last_progress = now();
}

/* Act on the poll result of slot c. */
static void
echo_event(struct echo_run *run, struct echo_conn *c, short revents)
{
	double t = now();

	if (c->phase == EP_CONNECTING) {
		echo_connected(run, c);
		return;
	}
	if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
	    (echo_wants_recv(run, c) || (revents & (POLLHUP | POLLERR))))
		echo_recv(run, c);
	if (c->phase != EP_DONE && (revents & (POLLOUT | POLLERR)) &&
	    echo_wants_send(run, c, t))
		echo_send(run, c);
}

/* Fill run->pfds; returns how many, and the poll timeout in *timeout. */
static int
echo_prepare(struct echo_run *run, int *timeout)
{
	const struct opts *o = run->o;
	struct echo_conn *c;
	double t = now(), wake = run->deadline, idle;
	long i;
	int n = 0;
	short ev;

	for (i = 0; i < o->concurrency; i++) {
		c = &run->conns[i];
		if (c->phase == EP_DONE)
			continue;
		ev = 0;
		if (c->phase == EP_CONNECTING)
			ev = POLLOUT;
		if (echo_wants_recv(run, c))
			ev |= POLLIN;
		if (echo_wants_send(run, c, t))
			ev |= POLLOUT;
		else if (c->phase == EP_SENDING && c->next_send > t &&
		    c->next_send < wake)
			wake = c->next_send;
		idle = (c->last_progress > c->next_send ? c->last_progress :
		    c->next_send) + o->io_timeout_s;
		if (idle < wake)
			wake = idle;
		run->pfds[n].fd = c->fd;
		run->pfds[n].events = ev;
		run->pfds[n].revents = 0;
		run->pfd_slot[n] = (int)i;
		n++;
	}
	*timeout = ms_until(wake);
	return n;
}

/* Fail the connections that made no progress for --io-timeout. */
static void
echo_check_stalls(struct echo_run *run)
{
	const struct opts *o = run->o;
	struct echo_conn *c;
	double t = now(), since;
	long i;

	for (i = 0; i < o->concurrency; i++) {
		c = &run->conns[i];
		if (c->phase == EP_DONE)
			continue;
		if (t >= run->deadline) {
			echo_fail(run, c, EK_TIMEOUT,
			    "run timed out after %.1f s", o->timeout_s);
			continue;
		}
		since = c->last_progress > c->next_send ? c->last_progress :
		    c->next_send;
		if (t - since >= o->io_timeout_s)
			echo_fail(run, c, EK_TIMEOUT,
			    "%s: no progress for %.1f s",
			    c->phase == EP_CONNECTING ? "connecting" :
			    "stalled", t - since);
	}
}

/*
 * May another connection start?  Not after -k of them, nor once
 * run->open_until has come (--timeout, or --duration if given).
 */
static int
echo_may_open(const struct echo_run *run)
{
	return run->started < run->o->total && now() < run->open_until;
}

/* Start connections while slots are free and some are left to run. */
static void
echo_fill_slots(struct echo_run *run)
{
	const struct opts *o = run->o;
	long i;

	for (i = 0; i < o->concurrency && run->started < o->total; i++)
		if (run->conns[i].phase == EP_DONE && echo_may_open(run))
			echo_open(run, &run->conns[i]);
}

/*
 * Run connections until none is in flight and no more may start.  A
 * fixed run (no --duration) counts those it could not start in time as
 * failed (timeout); a --duration run stops early at --timeout instead.
 */
static int
echo_loop(struct echo_run *run)
{
	const struct opts *o = run->o;
	long never;
	int n, r, timeout, i;

	for (;;) {
		echo_fill_slots(run);
		n = echo_prepare(run, &timeout);
		if (n == 0) {
			/* Every connection just opened failed at once. */
			if (echo_may_open(run))
				continue;
			break;
		}
		r = poll(run->pfds, (nfds_t)n, timeout);
		if (r == -1 && errno != EINTR) {
			warnx("poll: %s", strerror(errno));
			return -1;
		}
		for (i = 0; r > 0 && i < n; i++)
			if (run->pfds[i].revents != 0)
				echo_event(run, &run->conns[run->pfd_slot[i]],
				    run->pfds[i].revents);
		echo_check_stalls(run);
	}
	if (!o->have_duration && run->started < o->total) {
		never = o->total - run->started;
		warnx("echo: run timed out after %.1f s; %ld connections "
		    "never started", o->timeout_s, never);
		run->failed += never;
		run->kinds[EK_TIMEOUT] += never;
		run->started = o->total;
	}
	return 0;
}

static int
cmd_echo(const struct opts *o)
{
	struct echo_run run;
	double t0;
	long i;
	int k, rc = 1;

	memset(&run, 0, sizeof(run));
	run.o = o;
	run.conns = calloc((size_t)o->concurrency, sizeof(*run.conns));
	run.pfds = calloc((size_t)o->concurrency, sizeof(*run.pfds));
	run.pfd_slot = calloc((size_t)o->concurrency, sizeof(*run.pfd_slot));
	if (run.conns == NULL || run.pfds == NULL || run.pfd_slot == NULL) {
		warnx("calloc: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < o->concurrency; i++) {
		run.conns[i].phase = EP_DONE;
		run.conns[i].fd = -1;
	}
	t0 = now();
	run.deadline = t0 + o->timeout_s;
	run.open_until = run.deadline;
	if (o->have_duration && t0 + o->duration_s < run.deadline)
		run.open_until = t0 + o->duration_s;
	if (echo_loop(&run) == -1)
		goto out;
	printf("echo: ok=%ld failed=%ld bytes=%" PRIu64 " seconds=%.3f",
	    run.ok, run.failed, o->bytes, now() - t0);
	for (k = 0; k < EK_COUNT; k++)
		printf(" %s=%ld", echo_kind_names[k], run.kinds[k]);
	if (o->total == 1)
		printf(" local=%s", run.conns[0].local[0] ?
		    run.conns[0].local : "?");
	printf("\n");
	if (o->have_duration)
		rc = run.failed == 0 && run.ok > 0 ? 0 : 1;
	else
		rc = run.failed == 0 && run.ok == o->total ? 0 : 1;
out:
	if (run.conns != NULL)
		for (i = 0; i < o->concurrency; i++) {
			if (run.conns[i].fd != -1)
				close(run.conns[i].fd);
			free(run.conns[i].buf);
		}
	free(run.conns);
	free(run.pfds);
	free(run.pfd_slot);
	return rc;
}

/* ------------------------------------------------------------------ */
/* silent and hold: a connection that sends nothing. */

/*
 * Wait up to seconds for the server to close fd.  Returns the time it
 * took and sets *how to "eof", "reset" or "open" (still open then).
 * Bytes the server sends are read, counted in *data and otherwise ignored.
 */
static double
quiet_wait(int fd, double seconds, const char **how, uint64_t *data)
{
	static unsigned char buf[IO_BUF];
	struct pollfd pfd;
	double t0 = now(), deadline = t0 + seconds;
	ssize_t n;
	int r;

	*data = 0;
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, ms_until(deadline));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx("poll: %s", strerror(errno));
			*how = "error";
			return now() - t0;
		}
		if (r == 0) {
			*how = "open";
			return now() - t0;
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			*data += (uint64_t)n;
			continue;
		}
		if (n == 0) {
			*how = "eof";
			return now() - t0;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			continue;
		*how = errno == ECONNRESET ? "reset" : "error";
		if (errno != ECONNRESET)
			warnx("recv: %s", strerror(errno));
		return now() - t0;
	}
}

/* What a quiet connection saw. */
struct quiet {
	char local[64];		/* our end, "127.0.0.1:PORT" */
	const char *how;	/* as quiet_wait */
	uint64_t data;
	double took;
};

/* Connects, prints "open LOCAL" if asked, and sends nothing for
 * o->seconds or until the server closes.  -1 if it cannot connect. */
static int
quiet_session(const struct opts *o, bool announce, struct quiet *q)
{
	int fd = connect_wait(o->port, 10, 0);

	if (fd == -1)
		return -1;
	local_name(fd, q->local, sizeof(q->local));
	if (announce) {
		printf("open %s\n", q->local);
		fflush(stdout);
	}
	q->took = quiet_wait(fd, o->seconds, &q->how, &q->data);
	close(fd);
	return 0;
}

static int
cmd_silent(const struct opts *o)
{
	struct quiet q;

	if (quiet_session(o, false, &q) != 0)
		return 1;
	if (q.data > 0)
		warnx("silent: the server sent %" PRIu64 " bytes", q.data);
	printf("%.3f %s %s\n", q.took, q.how, q.local);
	return strcmp(q.how, "eof") == 0 || strcmp(q.how, "reset") == 0 ? 0 : 1;
}

static int
cmd_hold(const struct opts *o)
{
	struct quiet q;

	if (quiet_session(o, true, &q) != 0)
		return 1;
	if (strcmp(q.how, "open") == 0) {
		printf("held %.3f\n", q.took);
		return 0;
	}
	printf("closed %.3f %s\n", q.took, q.how);
	return 1;
}

/* ------------------------------------------------------------------ */
/* port, listen, wait-port. */

/* A socket bound to 127.0.0.1:port, or -1 (logged). */
static int
bind_loopback(int port)
{
	struct sockaddr_in sin;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		warnx("socket: %s", strerror(errno));
		return -1;
	}
	loopback_addr(&sin, port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		warnx("bind 127.0.0.1:%d: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &sl) == -1) {
		warnx("getsockname: %s", strerror(errno));
		return -1;
	}
	return ntohs(sin.sin_port);
}

static int
cmd_port(const struct opts *o)
{
	int fd, port;

	(void)o;
	fd = bind_loopback(0);
	if (fd == -1)
		return 1;
	port = bound_port(fd);
	close(fd);
	if (port <= 0)
		return 1;
	printf("%d\n", port);
	return 0;
}

static int
cmd_listen(const struct opts *o)
{
	double deadline;
	int fd, port;

	fd = bind_loopback(o->port);
	if (fd == -1)
		return 1;
	if (listen(fd, 16) == -1) {
		warnx("listen: %s", strerror(errno));
		close(fd);
		return 1;
	}
	port = bound_port(fd);
	if (port <= 0) {
		close(fd);
		return 1;
	}
	printf("listening 127.0.0.1:%d\n", port);
	fflush(stdout);
	deadline = now() + o->seconds;
	while (now() < deadline)
		if (poll(NULL, 0, ms_until(deadline)) == -1 && errno != EINTR) {
			warnx("poll: %s", strerror(errno));
			break;
		}
	close(fd);
	return 0;
}

static int
cmd_wait_port(const struct opts *o)
{
	double deadline = now() + o->timeout_s;
	int fd, saved = 0;

	for (;;) {
		fd = connect_wait(o->port, 0.2, 1);
		if (fd != -1) {
			close(fd);
			return 0;
		}
		saved = errno;
		if (now() >= deadline)
			break;
		poll(NULL, 0, 20);
	}
	warnx("wait-port: 127.0.0.1:%d not accepting after %.1f s (%s)",
	    o->port, o->timeout_s, saved ? strerror(saved) : "timed out");
	return 1;
}

/* ------------------------------------------------------------------ */
/* raw: send stdin as it is, print what comes back. */

/* All of stdin in a malloc'ed buffer (*len bytes), or NULL (logged). */
static unsigned char *
read_stdin(size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : IO_BUF;
			if ((nb = realloc(buf, cap)) == NULL) {
				warnx("realloc: %s", strerror(errno));
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx("read stdin: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

/* Write all of buf to stdout; -1 (logged) on failure. */
static int
write_stdout(const unsigned char *buf, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(STDOUT_FILENO, buf, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx("write stdout: %s", strerror(errno));
			return -1;
		}
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * Send all of stdin while copying whatever the server sends to stdout;
 * then shut down (unless --no-shutdown or --hold) and read until the
 * server closes or the deadline.  A server that closes or resets while
 * stdin is still being sent ends the sending, not the run: its answer
 * (say, 414 for a line too long) is what counts.
 */
static int
cmd_raw(const struct opts *o)
{
	static unsigned char buf[IO_BUF];
	unsigned char *out;
	size_t len, off = 0;
	double t0 = now(), deadline = t0 + o->timeout_s, sent_at = -1;
	const char *how = "open";
	struct pollfd pfd;
	ssize_t n;
	int fd, r, sending = 1, rc = 1;

	if ((out = read_stdin(&len)) == NULL)
		return 1;
	fd = connect_wait(o->port, o->timeout_s, 0);
	if (fd == -1) {
		free(out);
		return 1;
	}
	for (;;) {
		if (sending && off == len) {
			sending = 0;
			sent_at = now();
			if (o->have_hold)
				deadline = sent_at + o->hold_s;
			else if (!o->no_shutdown &&
			    shutdown(fd, SHUT_WR) == -1 && errno != ENOTCONN) {
				warnx("shutdown: %s", strerror(errno));
				how = "error";
				break;
			}
		}
		pfd.fd = fd;
		pfd.events = POLLIN | (sending ? POLLOUT : 0);
		pfd.revents = 0;
		r = poll(&pfd, 1, ms_until(deadline));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx("poll: %s", strerror(errno));
			how = "error";
			break;
		}
		if (r == 0)
			break;		/* timed out: how is "open" */
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0) {
				if (write_stdout(buf, (size_t)n) == -1) {
					how = "error";
					break;
				}
				continue;
			}
			if (n == 0) {
				how = "eof";
				break;
			}
			if (errno == ECONNRESET) {
				how = "reset";
				break;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR) {
				warnx("recv: %s", strerror(errno));
				how = "error";
				break;
			}
		}
		if (!sending || !(pfd.revents & (POLLOUT | POLLERR)))
			continue;
		n = send(fd, out + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				continue;
			if (errno != EPIPE && errno != ECONNRESET) {
				warnx("send: %s", strerror(errno));
				how = "error";
				break;
			}
			/* The server is gone: read what it said. */
			warnx("raw: send: %s after %zu of %zu bytes",
			    strerror(errno), off, len);
			sending = 0;
			continue;
		}
		off += (size_t)n;
	}
	if (sent_at < 0) {
		if (strcmp(how, "open") == 0)
			warnx("raw: timed out after %.1f s with %zu of %zu "
			    "bytes sent", o->timeout_s, off, len);
		sent_at = t0;
	}
	if (o->have_hold)
		fprintf(stderr, "raw: %s after %.3f\n", how, now() - sent_at);
	else if (strcmp(how, "open") == 0)
		warnx("raw: the server did not close within %.1f s",
		    o->timeout_s);
	if (strcmp(how, "eof") == 0 || strcmp(how, "reset") == 0)
		rc = 0;
	close(fd);
	free(out);
	return rc;
}

/* A notification socket: print each datagram as one line, for SECONDS. */
static int
cmd_notify(const struct opts *o)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char msg[4096];
	double t0 = now(), deadline = t0 + o->seconds;
	int fd, rc = 0;

	if (strlen(o->socket_path) >= sizeof(sun.sun_path)) {
		warnx("notify: %s: name too long", o->socket_path);
		return 1;
	}
	strcpy(sun.sun_path, o->socket_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		warnx("notify: %s: %s", o->socket_path, strerror(errno));
		if (fd != -1)
			close(fd);
		return 1;
	}
	printf("listening %s\n", o->socket_path);
	fflush(stdout);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&pfd, 1, ms_until(deadline));

		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == -1) {
				warnx("poll: %s", strerror(errno));
				rc = 1;
			}
			break;
		}
		n = recv(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1) {
			warnx("recv: %s", strerror(errno));
			rc = 1;
			break;
		}
		msg[n] = '\0';
		while (n > 0 && msg[n - 1] == '\n')
			msg[--n] = '\0';
		printf("%.0f ", (now() - t0) * 1000);
		for (char *p = msg; *p != '\0'; p++)
			if (*p == '\n')
				fputs(" | ", stdout);
			else
				putchar(*p);
		putchar('\n');
		fflush(stdout);
	}
	close(fd);
	unlink(o->socket_path);
	return rc;
}

static int
cmd_help(const struct opts *o)
{
	(void)o;
	fputs(usage_text, stdout);
	return 0;
}

/* ------------------------------------------------------------------ */

static const struct command commands[] = {
	{ "port", "", cmd_port },
	{ "echo", "pnck*", cmd_echo },
	{ "silent", "ps", cmd_silent },
	{ "hold", "ps", cmd_hold },
	{ "listen", "ps", cmd_listen },
	{ "wait-port", "pT", cmd_wait_port },
	{ "raw", "pTNH", cmd_raw },
	{ "notify", "sU", cmd_notify },
	{ "help", "", cmd_help },
};

static __attribute__((format(printf, 1, 2))) int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fputs("(pftool help: usage)\n", stderr);
	return EXIT_USAGE;
}

/* Does cmd take option ch? */
static int
command_takes(const struct command *cmd, int ch)
{
	if (ch < 256)
		return strchr(cmd->allowed, ch) != NULL;
	if (ch == OPT_TIMEOUT)
		return strchr(cmd->allowed, '*') != NULL ||
		    strchr(cmd->allowed, 'T') != NULL;
	if (ch == OPT_NO_SHUTDOWN)
		return strchr(cmd->allowed, '*') != NULL ||
		    strchr(cmd->allowed, 'N') != NULL;
	if (ch == OPT_HOLD)
		return strchr(cmd->allowed, 'H') != NULL;
	if (ch == OPT_SOCKET)
		return strchr(cmd->allowed, 'U') != NULL;
	return strchr(cmd->allowed, '*') != NULL;
}

/* Requirements between options, once all are parsed; NULL if fine. */
static const char *
opts_check(const struct command *cmd, const struct opts *o)
{
	if (strchr(cmd->allowed, 'p') && !o->have_port)
		return "-p PORT is required";
	if (strchr(cmd->allowed, 'p') && o->port == 0 &&
	    cmd->run != cmd_listen)
		return "-p PORT must be 1-65535";
	if (strchr(cmd->allowed, 'n') && !o->have_bytes)
		return "-n BYTES is required";
	if (strchr(cmd->allowed, 'U') && o->socket_path == NULL)
		return "--socket PATH is required";
	if (strchr(cmd->allowed, 's') && !o->have_seconds)
		return "-s SECONDS is required";
	if (o->byte_by_byte + o->send_first + o->no_shutdown > 1)
		return "--byte-by-byte, --send-first and --no-shutdown "
		    "exclude each other";
	if (o->total < o->concurrency)
		return "-k must be at least -c";
	if (o->have_duration && o->duration_s <= 0)
		return "--duration must be more than 0";
	if (o->have_duration && o->duration_s >= o->timeout_s)
		return "--duration must be less than --timeout";
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct opts o;
	const char *problem;
	char name[32];
	size_t i;
	int ch;

	if (argc < 2)
		return usage_error("no command");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		return usage_error("unknown command '%s'", argv[1]);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		warnx("signal: %s", strerror(errno));
		return 1;
	}

	memset(&o, 0, sizeof(o));
	o.chunk = 65536;
	o.concurrency = 1;
	o.total = 0;
	o.seed = 1;
	o.timeout_s = cmd->run == cmd_wait_port || cmd->run == cmd_raw ?
	    10 : 30;
	o.io_timeout_s = 10;
	argv++, argc--;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+p:n:s:c:k:", long_opts,
	    NULL)) != -1) {
		if (ch == '?' || ch == ':')
			return usage_error("%s: bad option '%s'", cmd->name,
			    argv[optind - 1]);
		if (!command_takes(cmd, ch))
			return usage_error("%s does not take %s", cmd->name,
			    opt_name(ch, name, sizeof(name)));
		if (opts_set(&o, ch, optarg) == -1)
			return usage_error("%s: bad value '%s'",
			    opt_name(ch, name, sizeof(name)), optarg);
	}
	if (optind < argc)
		return usage_error("%s: unexpected argument '%s'", cmd->name,
		    argv[optind]);
	if (o.total == 0)
		o.total = o.have_duration ? LONG_MAX : o.concurrency;
	if ((problem = opts_check(cmd, &o)) != NULL)
		return usage_error("%s: %s", cmd->name, problem);
	return cmd->run(&o);
}
