/*
 * pfload - the occupancy load generator of the preforkd tests and benches.
 *
 * One run, two loads on 127.0.0.1:PORT.  The attack, forked into a child
 * process of its own so that its loop does not skew the other's clock,
 * holds N connections the way slow or idle clients do: slowloris (a
 * request head that never ends), idle (one keep-alive request, then
 * silence), slowread (pipelined requests read a few bytes at a time).
 * After a ramp, the legitimate load measures what is left for everyone
 * else: seq (one request per new connection, one after another) or
 * browser (clients loading pages over six keep-alive connections each).
 * Over the network it only ever talks to 127.0.0.1.
 *
 * Every wait is a poll() with a timeout and the run has an overall bound
 * (ramp + duration + legit timeout + a margin), so pfload never hangs; the
 * child dies with its parent.  EINTR and partial transfers are normal
 * events.  Exit status: 0 the run completed (the numbers are the result:
 * the caller judges them), 1 a system call failed, 2 bad usage.  The
 * result is one line on stdout; diagnostics go to stderr, prefixed
 * "pfload: ".
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE	2
#define IO_BUF		65536
#define HEAD_MAX	8192		/* bytes of a response head we accept */
#define REQ_MAX		(1024 + 128)	/* one request; paths are <= 1024 */
#define PATH_LEN_MAX	1024
#define NEVER		1e300
#define ATTACK_CONNECT_S 10.0		/* an attack connect pending longer fails */
#define MARGIN_S	10.0		/* added to the overall bound */
#define STATS_WAIT_S	5.0		/* for the attack child's counters */
#define TIMER_SLACK_S	0.005		/* attack timers this close are due */
#define FD_SPARE	16

static const char usage_text[] =
"usage: pfload -p PORT --attack KIND [-c N] --legit KIND [options]\n"
"\n"
"Loads 127.0.0.1:PORT (nothing else) for --ramp + --duration seconds and\n"
"prints one line:\n"
"  pfload: attack=KIND conns=N open=N opened=N closed=N connfail=N\n"
"  legit=KIND ok=N failed=N total=N success_pct=P p50_ms=MS p99_ms=MS\n"
"  max_ms=MS duration_s=S\n"
"open: attack connections established at the end; opened: attack connects\n"
"that succeeded, in all; closed: attack connections the server closed,\n"
"reset or answered; connfail: attack connects that failed or were pending\n"
"for 10 s.  ok, failed and total count requests (seq) or page loads\n"
"(browser); the latencies are those of the ok ones, from the first connect\n"
"or send to the last byte (\"-\" if none).  The kinds of failure go to\n"
"stderr.  Exit status: 0 the run completed (the numbers are the result),\n"
"1 a system call failed, 2 bad usage.\n"
"\n"
"Attack (in a child process, from the start, for --ramp + --duration):\n"
"  --attack slowloris  -c connections; each sends an unfinished request\n"
"                      head, then one more header byte every random\n"
"                      interval in [MS, 2 MS], never the blank line\n"
"  --attack idle       -c keep-alive connections; each sends one GET of\n"
"                      --attack-path, reads the whole answer, then is silent\n"
"  --attack slowread   -c connections with a small receive buffer; each\n"
"                      sends --pipeline GETs of --attack-path at once and\n"
"                      then reads --read-bytes every MS\n"
"  --attack none       no attack\n"
"                      Each reconnects as soon as the server closes, resets\n"
"                      or (slowloris) answers it, within --connect-rate.\n"
"  -c N                attack connections (1-100000)\n"
"  --interval-ms MS    slowloris (default 5000) and slowread (default 1000)\n"
"  --attack-path P     idle (default: --path), slowread (default /1m.bin)\n"
"  --pipeline K        slowread: requests per connection (default 1)\n"
"  --read-bytes B      slowread: bytes per read (default 32)\n"
"  --rcvbuf BYTES      slowread: SO_RCVBUF, set before connect (default 2048)\n"
"  --connect-rate R    attack connects per second at most, reconnects\n"
"                      included (default 500)\n"
"\n"
"Legitimate load (from --ramp on, for --duration seconds):\n"
"  --legit seq         one request after another, each on a new connection\n"
"                      (Connection: close); ok: status 200 and the whole\n"
"                      Content-Length body within --legit-timeout\n"
"  --legit browser     --clients clients with --per-client keep-alive\n"
"                      connections each; a page load is one GET of --path\n"
"                      on each of them at once (reconnecting those the\n"
"                      server closed), ok when every answer is a whole 200\n"
"                      within --legit-timeout; then --think-ms (+-50 %,\n"
"                      at random) and the next page on the same connections\n"
"  --path P            the path requested (default /index.html)\n"
"  --rate R            seq: requests per second (default: back to back,\n"
"                      1 ms apart)\n"
"  --clients N         browser: clients (default 10)\n"
"  --per-client N      browser: connections per client (default 6)\n"
"  --think-ms MS       browser: pause between pages (default 500)\n"
"  --legit-timeout S   bound on a request or a page load (default 2)\n"
"  --duration S        seconds of legitimate load (default 20)\n"
"  --ramp S            seconds of attack before it (default 5)\n"
"  -h, --help          this text\n";

enum attack_kind { AK_NONE, AK_SLOWLORIS, AK_IDLE, AK_SLOWREAD };
enum legit_kind { LK_SEQ, LK_BROWSER };

static const char *const attack_names[] = {
	"none", "slowloris", "idle", "slowread", NULL,
};
static const char *const legit_names[] = { "seq", "browser", NULL };

struct opts {
	int port;
	int attack;		/* enum attack_kind */
	int legit;		/* enum legit_kind */
	long conns;
	int interval_ms;	/* 0: the attack's default */
	const char *attack_path;	/* NULL: the attack's default */
	int pipeline;
	int read_bytes;
	int rcvbuf;
	double connect_rate;
	const char *path;
	double rate;		/* seq; 0: back to back */
	int clients;
	int per_client;
	int think_ms;
	double legit_timeout;
	double duration;
	double ramp;
	bool have_port, have_attack, have_legit, have_conns;
	bool have_slowread_opt, have_seq_opt, have_browser_opt;
};

enum {
	OPT_ATTACK = 256,
	OPT_LEGIT,
	OPT_INTERVAL,
	OPT_ATTACK_PATH,
	OPT_PIPELINE,
	OPT_READ_BYTES,
	OPT_RCVBUF,
	OPT_CONNECT_RATE,
	OPT_PATH,
	OPT_RATE,
	OPT_CLIENTS,
	OPT_PER_CLIENT,
	OPT_THINK,
	OPT_LEGIT_TIMEOUT,
	OPT_DURATION,
	OPT_RAMP,
};

static const struct option long_opts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "conns", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "attack", required_argument, NULL, OPT_ATTACK },
	{ "legit", required_argument, NULL, OPT_LEGIT },
	{ "interval-ms", required_argument, NULL, OPT_INTERVAL },
	{ "attack-path", required_argument, NULL, OPT_ATTACK_PATH },
	{ "pipeline", required_argument, NULL, OPT_PIPELINE },
	{ "read-bytes", required_argument, NULL, OPT_READ_BYTES },
	{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
	{ "connect-rate", required_argument, NULL, OPT_CONNECT_RATE },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "clients", required_argument, NULL, OPT_CLIENTS },
	{ "per-client", required_argument, NULL, OPT_PER_CLIENT },
	{ "think-ms", required_argument, NULL, OPT_THINK },
	{ "legit-timeout", required_argument, NULL, OPT_LEGIT_TIMEOUT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ramp", required_argument, NULL, OPT_RAMP },
	{ NULL, 0, NULL, 0 },
};

static __attribute__((format(printf, 1, 0))) void
vwarnx(const char *fmt, va_list ap)
{
	fputs("pfload: ", stderr);
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

static double
min_d(double a, double b)
{
	return a < b ? a : b;
}

/* Sleep until deadline; -1 (logged) if poll fails. */
static int
pause_until(double deadline)
{
	while (now() < deadline)
		if (poll(NULL, 0, ms_until(deadline)) == -1 && errno != EINTR) {
			warnx("poll: %s", strerror(errno));
			return -1;
		}
	return 0;
}

/* xorshift64*, seeded per process: the random intervals. */
static uint64_t rng_state = 1;

static void
rng_seed(void)
{
	rng_state = ((uint64_t)getpid() << 32) ^
	    (uint64_t)(now() * 1e9) ^ 0x9e3779b97f4a7c15ull;
	if (rng_state == 0)
		rng_state = 1;
}

/* A number in [0, 1). */
static double
rng_unit(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return (double)((x * 2685821657736338717ull) >> 11) /
	    9007199254740992.0;
}

/* ------------------------------------------------------------------ */
/* Sockets. */

/*
 * Start a non-blocking connect to 127.0.0.1:port, with SO_RCVBUF set
 * first if rcvbuf > 0.  Returns the fd, *pending set if the connection is
 * still in progress; -1 with errno.
 */
static int
sock_connect_start(int port, int rcvbuf, bool *pending)
{
	struct sockaddr_in sin;
	int fd, saved;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		goto fail;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*pending = false;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return fd;
	if (errno == EINPROGRESS || errno == EINTR) {
		*pending = true;
		return fd;
	}
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* 0 when the pending connect on fd succeeded, else -1 with errno. */
static int
sock_connect_result(int fd)
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

/* Bytes sent (0: the buffer is full), or -1: the connection is gone. */
static ssize_t
sock_send(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return n;
}

/* A socket() that fails is our limit, not the server's: say so once. */
static void
sock_warn_once(const char *what)
{
	static bool warned;

	if (errno == ECONNREFUSED || errno == ETIMEDOUT || errno == ECONNRESET ||
	    warned)
		return;
	warned = true;
	warnx("%s: %s (counted as failed; said once)", what, strerror(errno));
}

/* Wait up to deadline for events on fd: revents, 0 on timeout, -1 logged. */
static int
wait_fd(int fd, short events, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int r;

	for (;;) {
		r = poll(&pfd, 1, ms_until(deadline));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx("poll: %s", strerror(errno));
			return -1;
		}
		return r == 0 ? 0 : pfd.revents;
	}
}

/* ------------------------------------------------------------------ */
/* One HTTP response, framed by Content-Length. */

struct resp {
	char head[HEAD_MAX];
	size_t hlen;		/* bytes in head (may include some body) */
	bool head_done;
	int status;
	long long length;	/* Content-Length; -1: none */
	long long got;		/* body bytes received */
	bool close;		/* the server closes after it */
	bool keep_alive;	/* Connection: keep-alive */
};

enum resp_result { RR_MORE, RR_DONE, RR_EOF, RR_RESET, RR_BAD };

static void
resp_reset(struct resp *r)
{
	r->hlen = 0;
	r->head_done = false;
	r->status = 0;
	r->length = -1;
	r->got = 0;
	r->close = false;
	r->keep_alive = false;
}

/* One header line (without CRLF) of len bytes into r. */
static void
resp_header(struct resp *r, const char *p, size_t len)
{
	char val[128];
	size_t n;

	if (len > 15 && strncasecmp(p, "Content-Length:", 15) == 0) {
		for (p += 15, len -= 15; len > 0 && (*p == ' ' || *p == '\t');
		    p++, len--)
			;
		r->length = 0;
		for (; len > 0 && *p >= '0' && *p <= '9'; p++, len--)
			if (r->length < (LLONG_MAX - 9) / 10)
				r->length = r->length * 10 + (*p - '0');
		return;
	}
	if (len > 11 && strncasecmp(p, "Connection:", 11) == 0) {
		n = len - 11 < sizeof(val) - 1 ? len - 11 : sizeof(val) - 1;
		memcpy(val, p + 11, n);
		val[n] = '\0';
		if (strcasestr(val, "close") != NULL)
			r->close = true;
		if (strcasestr(val, "keep-alive") != NULL)
			r->keep_alive = true;
	}
}

/* Parse the head, hlen bytes up to and with the blank line; -1: not HTTP. */
static int
resp_parse_head(struct resp *r, size_t hlen)
{
	const char *p = r->head, *end = r->head + hlen, *nl;

	if (hlen < 12 || strncmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ' ||
	    p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' ||
	    p[11] < '0' || p[11] > '9')
		return -1;
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	for (p = memchr(p, '\n', hlen); p != NULL && ++p < end; p = nl) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		resp_header(r, p, (size_t)(nl - p) - (nl > p && nl[-1] == '\r'));
	}
	if (r->head[7] == '0' && !r->keep_alive)
		r->close = true;	/* HTTP/1.0: closes unless it says not */
	return 0;
}

/* Take the new bytes of the head (old: what was there before). */
static enum resp_result
resp_take_head(struct resp *r, size_t old)
{
	size_t from = old > 3 ? old - 3 : 0;
	char *e = memmem(r->head + from, r->hlen - from, "\r\n\r\n", 4);
	size_t head_len;

	if (e == NULL)
		return r->hlen == sizeof(r->head) ? RR_BAD : RR_MORE;
	head_len = (size_t)(e + 4 - r->head);
	if (resp_parse_head(r, head_len) == -1 || r->length < 0)
		return RR_BAD;
	r->head_done = true;
	r->got = (long long)(r->hlen - head_len);
	if (r->got > r->length)
		return RR_BAD;		/* nothing was asked after it */
	return r->got == r->length ? RR_DONE : RR_MORE;
}

/* Read what fd has of the response: RR_MORE until all of it came. */
static enum resp_result
resp_read(int fd, struct resp *r)
{
	static char scratch[IO_BUF];
	enum resp_result rr = RR_MORE;
	size_t old, want;
	ssize_t n;

	while (rr == RR_MORE) {
		old = r->hlen;
		want = sizeof(scratch);
		if (r->head_done && r->length - r->got < (long long)want)
			want = (size_t)(r->length - r->got);
		if (!r->head_done)
			n = recv(fd, r->head + old, sizeof(r->head) - old,
			    MSG_DONTWAIT);
		else
			n = recv(fd, scratch, want, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN || errno == EWOULDBLOCK ?
			    RR_MORE : RR_RESET;
		if (n == 0)
			return RR_EOF;
		if (!r->head_done) {
			r->hlen += (size_t)n;
			rr = resp_take_head(r, old);
		} else {
			r->got += n;
			rr = r->got == r->length ? RR_DONE : RR_MORE;
		}
	}
	return rr;
}

/* ------------------------------------------------------------------ */
/* The legitimate load's results. */

enum outcome {
	OUT_OK,
	OUT_CONNECT,	/* the connect failed */
	OUT_TIMEOUT,	/* not done within --legit-timeout */
	OUT_CLOSED,	/* closed or reset before the whole answer */
	OUT_ANSWER,	/* an answer, but not a whole 200 */
	OUT_COUNT,
	OUT_SYSERR,	/* our failure: the run stops */
};

static const char *const outcome_names[OUT_COUNT] = {
	"ok", "connect", "timeout", "closed", "answer",
};

struct legit {
	long ok, failed;
	long kinds[OUT_COUNT];
	double *lat;		/* microseconds of the ok ones */
	size_t nlat, cap;
	double elapsed;
};

/* Count one request or page; -1 (logged) if memory runs out. */
static int
legit_record(struct legit *lg, enum outcome out, double usec)
{
	double *nv;

	lg->kinds[out]++;
	if (out != OUT_OK) {
		lg->failed++;
		return 0;
	}
	lg->ok++;
	if (lg->nlat == lg->cap) {
		lg->cap = lg->cap ? lg->cap * 2 : 4096;
		if ((nv = realloc(lg->lat, lg->cap * sizeof(*nv))) == NULL) {
			warnx("realloc: %s", strerror(errno));
			return -1;
		}
		lg->lat = nv;
	}
	lg->lat[lg->nlat++] = usec;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of the sorted latencies, in ms. */
static double
legit_pct_ms(const struct legit *lg, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)lg->nlat + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > lg->nlat)
		rank = lg->nlat;
	return lg->lat[rank - 1] / 1000.0;
}

/* ------------------------------------------------------------------ */
/* seq: one request after another, each on a new connection. */

static enum outcome
seq_connect(int port, double deadline, int *fdp)
{
	bool pending;
	int r;

	*fdp = sock_connect_start(port, 0, &pending);
	if (*fdp == -1) {
		sock_warn_once("connect");
		return OUT_CONNECT;
	}
	if (!pending)
		return OUT_OK;
	r = wait_fd(*fdp, POLLOUT, deadline);
	if (r == -1)
		return OUT_SYSERR;
	if (r == 0)
		return OUT_TIMEOUT;
	return sock_connect_result(*fdp) == 0 ? OUT_OK : OUT_CONNECT;
}

/* Send req on fd and read the whole answer, by deadline. */
static enum outcome
seq_exchange(int fd, const char *req, size_t len, double deadline)
{
	static struct resp r;
	size_t off = 0;
	ssize_t n;
	int w;

	resp_reset(&r);
	while (off < len) {
		if ((n = sock_send(fd, req + off, len - off)) == -1)
			return OUT_CLOSED;
		off += (size_t)n;
		if (off < len && (w = wait_fd(fd, POLLOUT, deadline)) <= 0)
			return w == 0 ? OUT_TIMEOUT : OUT_SYSERR;
	}
	for (;;) {
		switch (resp_read(fd, &r)) {
		case RR_DONE:
			return r.status == 200 ? OUT_OK : OUT_ANSWER;
		case RR_BAD:
			return OUT_ANSWER;
		case RR_EOF:
		case RR_RESET:
			return OUT_CLOSED;
		case RR_MORE:
			break;
		}
		if ((w = wait_fd(fd, POLLIN, deadline)) <= 0)
			return w == 0 ? OUT_TIMEOUT : OUT_SYSERR;
	}
}

static enum outcome
seq_request(const struct opts *o, const char *req, size_t len, double *usec)
{
	double t0 = now(), deadline = t0 + o->legit_timeout;
	enum outcome out;
	int fd;

	out = seq_connect(o->port, deadline, &fd);
	if (out == OUT_OK)
		out = seq_exchange(fd, req, len, deadline);
	*usec = (now() - t0) * 1e6;
	if (fd != -1)
		close(fd);
	return out;
}

static int
seq_run(const struct opts *o, struct legit *lg)
{
	char req[REQ_MAX];
	double start = now(), end = start + o->duration, next, usec;
	enum outcome out;
	size_t len;
	long i;

	len = (size_t)snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", o->path);
	for (i = 1; now() < end; i++) {
		out = seq_request(o, req, len, &usec);
		if (out == OUT_SYSERR || legit_record(lg, out, usec) == -1)
			return -1;
		next = now() + 0.001;
		if (o->rate > 0 && start + (double)i / o->rate > next)
			next = start + (double)i / o->rate;
		if (pause_until(min_d(next, end)) == -1)
			return -1;
	}
	lg->elapsed = now() - start;
	return 0;
}

/* ------------------------------------------------------------------ */
/* browser: page loads over a few keep-alive connections per client. */

enum bc_state { BC_CONNECTING, BC_SENDING, BC_READING, BC_DONE };

struct bconn {
	int fd;			/* -1: closed; reopened for the next page */
	enum bc_state state;	/* BC_DONE: this page's answer is in (or
				   failed); between pages, always */
	size_t sent;
	bool reused;		/* the request went on a kept-alive connection */
	bool retried;
	bool failed;
	double done_at;
	struct resp resp;
};

struct bclient {
	struct bconn *conns;
	bool loading;
	double page_start;
	double next_page;
};

struct browser {
	const struct opts *o;
	struct bclient *clients;
	struct pollfd *pfds;
	struct bconn **pfd_conn;
	struct legit *lg;
	char req[REQ_MAX];
	size_t req_len;
	double end;
};

static void
bconn_close(struct bconn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

static void
bconn_fail(struct bconn *c)
{
	bconn_close(c);
	c->failed = true;
	c->state = BC_DONE;
	c->done_at = now();
}

/* Open c afresh and send this page's request on it. */
static void
bconn_open(const struct browser *b, struct bconn *c)
{
	bool pending;

	c->fd = sock_connect_start(b->o->port, 0, &pending);
	if (c->fd == -1) {
		sock_warn_once("connect");
		bconn_fail(c);
		return;
	}
	c->state = pending ? BC_CONNECTING : BC_SENDING;
	c->sent = 0;
	c->reused = false;
}

/* The server closed c under a request: a browser retries once on a new
 * connection if the request went on a kept-alive one and no answer came. */
static void
bconn_lost(const struct browser *b, struct bconn *c)
{
	if (c->reused && !c->retried && c->resp.hlen == 0) {
		bconn_close(c);
		c->retried = true;
		bconn_open(b, c);
		return;
	}
	bconn_fail(c);
}

static void
bconn_answer(const struct browser *b, struct bconn *c)
{
	switch (resp_read(c->fd, &c->resp)) {
	case RR_MORE:
		return;
	case RR_DONE:
		c->state = BC_DONE;
		c->done_at = now();
		c->failed = c->resp.status != 200;
		if (c->resp.close)
			bconn_close(c);
		return;
	case RR_BAD:
		bconn_fail(c);
		return;
	case RR_EOF:
	case RR_RESET:
		bconn_lost(b, c);
		return;
	}
}

/* Bytes on a connection at rest: the server closed it (or misbehaved). */
static void
bconn_idle_event(struct bconn *c)
{
	char buf[512];
	ssize_t n;

	do
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	bconn_close(c);
}

static void
bconn_event(const struct browser *b, struct bconn *c, short revents)
{
	ssize_t n;

	switch (c->state) {
	case BC_CONNECTING:
		if (sock_connect_result(c->fd) == -1) {
			bconn_fail(c);
			return;
		}
		c->state = BC_SENDING;
		/* FALLTHROUGH */
	case BC_SENDING:
		n = sock_send(c->fd, b->req + c->sent, b->req_len - c->sent);
		if (n == -1) {
			bconn_lost(b, c);
			return;
		}
		c->sent += (size_t)n;
		if (c->sent == b->req_len)
			c->state = BC_READING;
		return;
	case BC_READING:
		bconn_answer(b, c);
		return;
	case BC_DONE:
		(void)revents;
		bconn_idle_event(c);
		return;
	}
}

static void
browser_page_start(const struct browser *b, struct bclient *cl, double t)
{
	struct bconn *c;
	int i;

	cl->loading = true;
	cl->page_start = t;
	for (i = 0; i < b->o->per_client; i++) {
		c = &cl->conns[i];
		resp_reset(&c->resp);
		c->failed = false;
		c->retried = false;
		if (c->fd == -1) {
			bconn_open(b, c);
			continue;
		}
		c->state = BC_SENDING;
		c->sent = 0;
		c->reused = true;
	}
}

/* The page is over: every answer in, or the timeout.  -1: out of memory. */
static int
browser_page_end(const struct browser *b, struct bclient *cl, double t)
{
	double last = cl->page_start;
	bool failed = false, timeout = false;
	int i;

	for (i = 0; i < b->o->per_client; i++) {
		struct bconn *c = &cl->conns[i];

		if (c->state != BC_DONE) {
			bconn_close(c);		/* state unknown: start over */
			c->state = BC_DONE;
			timeout = failed = true;
		}
		failed = failed || c->failed;
		if (c->done_at > last)
			last = c->done_at;
	}
	cl->loading = false;
	cl->next_page = t + b->o->think_ms / 1000.0 * (0.5 + rng_unit());
	return legit_record(b->lg, timeout ? OUT_TIMEOUT : failed ?
	    OUT_ANSWER : OUT_OK, (last - cl->page_start) * 1e6);
}

/* Start, end or time out cl's page; lowers *wake to its next event. */
static int
browser_client_tick(const struct browser *b, struct bclient *cl, double t,
    double *wake)
{
	double deadline = cl->page_start + b->o->legit_timeout;
	int i, done = 0;

	if (cl->loading) {
		for (i = 0; i < b->o->per_client; i++)
			done += cl->conns[i].state == BC_DONE;
		if ((done == b->o->per_client || t >= deadline) &&
		    browser_page_end(b, cl, t) == -1)
			return -1;
		if (cl->loading)
			*wake = min_d(*wake, deadline);
	}
	if (!cl->loading && t < b->end) {
		if (t >= cl->next_page)
			browser_page_start(b, cl, t);
		else
			*wake = min_d(*wake, cl->next_page);
	}
	return cl->loading ? 1 : 0;
}

/* The pollfds of every open connection; returns how many. */
static int
browser_fill(struct browser *b)
{
	static const short ev[] = {
		[BC_CONNECTING] = POLLOUT, [BC_SENDING] = POLLOUT,
		[BC_READING] = POLLIN, [BC_DONE] = POLLIN | POLLRDHUP,
	};
	int i, j, n = 0;

	for (i = 0; i < b->o->clients; i++)
		for (j = 0; j < b->o->per_client; j++) {
			struct bconn *c = &b->clients[i].conns[j];

			if (c->fd == -1)
				continue;
			b->pfds[n].fd = c->fd;
			b->pfds[n].events = ev[c->state];
			b->pfds[n].revents = 0;
			b->pfd_conn[n++] = c;
		}
	return n;
}

/* One turn of the loop: 1 go on, 0 all done, -1 failure (logged). */
static int
browser_turn(struct browser *b)
{
	double t = now(), wake = NEVER;
	int i, n, r, loading = 0;

	for (i = 0; i < b->o->clients; i++) {
		if ((r = browser_client_tick(b, &b->clients[i], t, &wake)) == -1)
			return -1;
		loading += r;
	}
	if (loading == 0 && t >= b->end)
		return 0;
	if (t < b->end)
		wake = min_d(wake, b->end);
	n = browser_fill(b);
	r = poll(b->pfds, (nfds_t)n, ms_until(wake));
	if (r == -1 && errno != EINTR) {
		warnx("poll: %s", strerror(errno));
		return -1;
	}
	for (i = 0; r > 0 && i < n; i++)
		if (b->pfds[i].revents != 0)
			bconn_event(b, b->pfd_conn[i], b->pfds[i].revents);
	return 1;
}

static int
browser_setup(struct browser *b, const struct opts *o, struct legit *lg)
{
	size_t total = (size_t)o->clients * (size_t)o->per_client;
	int i, j;

	memset(b, 0, sizeof(*b));
	b->o = o;
	b->lg = lg;
	b->req_len = (size_t)snprintf(b->req, sizeof(b->req),
	    "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", o->path);
	b->clients = calloc((size_t)o->clients, sizeof(*b->clients));
	b->pfds = calloc(total, sizeof(*b->pfds));
	b->pfd_conn = calloc(total, sizeof(*b->pfd_conn));
	if (b->clients == NULL || b->pfds == NULL || b->pfd_conn == NULL)
		return -1;
	for (i = 0; i < o->clients; i++) {
		b->clients[i].conns = calloc((size_t)o->per_client,
		    sizeof(struct bconn));
		if (b->clients[i].conns == NULL)
			return -1;
		for (j = 0; j < o->per_client; j++) {
			b->clients[i].conns[j].fd = -1;
			b->clients[i].conns[j].state = BC_DONE;
		}
	}
	return 0;
}

static void
browser_free(struct browser *b)
{
	int i, j;

	for (i = 0; b->clients != NULL && i < b->o->clients; i++) {
		for (j = 0; b->clients[i].conns != NULL &&
		    j < b->o->per_client; j++)
			bconn_close(&b->clients[i].conns[j]);
		free(b->clients[i].conns);
	}
	free(b->clients);
	free(b->pfds);
	free(b->pfd_conn);
}

static int
browser_run(const struct opts *o, struct legit *lg)
{
	struct browser b;
	double start = now();
	int i, r = -1;

	if (browser_setup(&b, o, lg) == -1) {
		warnx("calloc: %s", strerror(errno));
		goto out;
	}
	b.end = start + o->duration;
	/* the first pages spread over one think time, not all at once */
	for (i = 0; i < o->clients; i++)
		b.clients[i].next_page = start + o->think_ms / 1000.0 *
		    rng_unit();
	while ((r = browser_turn(&b)) == 1)
		;
	lg->elapsed = now() - start;
out:
	browser_free(&b);
	return r;
}

/* ------------------------------------------------------------------ */
/* The attack, in a child process. */

enum ac_state { AC_DOWN, AC_CONNECTING, AC_UP };

struct aconn {
	int fd;
	enum ac_state state;
	double next_at;		/* connecting: give up; up: next byte or read */
	size_t sent;		/* of the request */
	unsigned trickle;	/* slowloris: header bytes sent after it */
	bool answered;		/* idle: the answer is in */
	struct resp *resp;	/* idle only */
};

struct attack_stats {
	long open, opened, closed, connfail;
};

struct attack {
	const struct opts *o;
	int kind;
	struct aconn *c;
	long n;
	char *req;
	size_t req_len;
	double interval;	/* seconds */
	double tokens, tokens_at, burst;
	struct pollfd *pfds;	/* n + 1: the last is the control pipe */
	long *pfd_conn;
	int ctl_fd;
	struct attack_stats st;
};

static const char trickle_text[] = "X-a: b\r\n";

/* The request every connection starts with; -1 out of memory. */
static int
attack_request(struct attack *a)
{
	const struct opts *o = a->o;
	const char *path = o->attack_path;
	char one[REQ_MAX];
	size_t len;
	int k, copies = a->kind == AK_SLOWREAD ? o->pipeline : 1;

	if (path == NULL)
		path = a->kind == AK_SLOWREAD ? "/1m.bin" : o->path;
	if (a->kind == AK_SLOWLORIS)
		len = (size_t)snprintf(one, sizeof(one), "GET / HTTP/1.1\r\n"
		    "Host: localhost\r\nUser-Agent: pfload\r\n");
	else
		len = (size_t)snprintf(one, sizeof(one), "GET %s HTTP/1.1\r\n"
		    "Host: localhost\r\n\r\n", path);
	if ((a->req = malloc(len * (size_t)copies)) == NULL)
		return -1;
	for (k = 0; k < copies; k++)
		memcpy(a->req + len * (size_t)k, one, len);
	a->req_len = len * (size_t)copies;
	return 0;
}

/* The server closed, reset or answered c: close it; it reconnects. */
static void
attack_drop(struct attack *a, struct aconn *c)
{
	close(c->fd);
	c->fd = -1;
	c->state = AC_DOWN;
	a->st.closed++;
}

static void
attack_connfail(struct attack *a, struct aconn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->state = AC_DOWN;
	a->st.connfail++;
}

/* Send what is left of c's request. */
static void
attack_send(struct attack *a, struct aconn *c)
{
	ssize_t n;

	if (c->sent == a->req_len)
		return;
	n = sock_send(c->fd, a->req + c->sent, a->req_len - c->sent);
	if (n == -1)
		attack_drop(a, c);
	else
		c->sent += (size_t)n;
}

/* c is connected: count it, plan its first byte or read, send. */
static void
attack_up(struct attack *a, struct aconn *c, double t)
{
	c->state = AC_UP;
	c->sent = 0;
	c->trickle = 0;
	c->answered = false;
	if (c->resp != NULL)
		resp_reset(c->resp);
	a->st.opened++;
	if (a->kind == AK_SLOWLORIS)
		c->next_at = t + a->interval * (1.0 + rng_unit());
	else if (a->kind == AK_SLOWREAD)
		c->next_at = t + a->interval;
	else
		c->next_at = NEVER;
	attack_send(a, c);
}

static void
attack_open(struct attack *a, struct aconn *c, double t)
{
	bool pending;

	c->fd = sock_connect_start(a->o->port,
	    a->kind == AK_SLOWREAD ? a->o->rcvbuf : 0, &pending);
	if (c->fd == -1) {
		sock_warn_once("attack connect");
		attack_connfail(a, c);
		return;
	}
	if (!pending) {
		attack_up(a, c, t);
		return;
	}
	c->state = AC_CONNECTING;
	c->next_at = t + ATTACK_CONNECT_S;
}

/* Open closed connections as far as the connect rate allows; returns
 * when the next token comes (NEVER if none is waiting). */
static double
attack_open_some(struct attack *a, double t)
{
	long i, down = 0;

	a->tokens += (t - a->tokens_at) * a->o->connect_rate;
	if (a->tokens > a->burst)
		a->tokens = a->burst;
	a->tokens_at = t;
	for (i = 0; i < a->n; i++) {
		if (a->c[i].state != AC_DOWN)
			continue;
		if (a->tokens < 1) {
			down++;
			continue;
		}
		a->tokens -= 1;
		attack_open(a, &a->c[i], t);
	}
	return down ? t + (1 - a->tokens) / a->o->connect_rate : NEVER;
}

/* The server sent bytes, closed or reset: what that means per kind. */
static void
attack_readable(struct attack *a, struct aconn *c)
{
	char buf[512];
	enum resp_result rr;
	ssize_t n;

	if (a->kind == AK_IDLE && !c->answered) {
		rr = resp_read(c->fd, c->resp);
		if (rr == RR_DONE)
			c->answered = true;
		else if (rr != RR_MORE)
			attack_drop(a, c);
		return;
	}
	if (a->kind == AK_SLOWREAD) {	/* POLLRDHUP, POLLHUP or POLLERR */
		attack_drop(a, c);
		return;
	}
	do
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (a->kind == AK_SLOWLORIS || n <= 0)
		attack_drop(a, c);	/* slowloris: an answer ends it too */
}

/* c's time has come: a slowloris byte, a slow read, or a connect given up. */
static void
attack_timer(struct attack *a, struct aconn *c, double t)
{
	static char buf[IO_BUF];
	ssize_t n;

	if (c->state == AC_CONNECTING) {
		attack_connfail(a, c);
		return;
	}
	if (a->kind == AK_SLOWLORIS) {
		n = c->sent < a->req_len ? 0 : sock_send(c->fd,
		    &trickle_text[c->trickle % (sizeof(trickle_text) - 1)], 1);
		c->trickle += (unsigned)n;
		c->next_at = t + a->interval * (1.0 + rng_unit());
	} else {
		do
			n = recv(c->fd, buf, (size_t)a->o->read_bytes,
			    MSG_DONTWAIT);
		while (n == -1 && errno == EINTR);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			n = 0;
		else if (n == 0)
			n = -1;		/* EOF */
		c->next_at += a->interval;
		if (c->next_at < t)
			c->next_at = t + a->interval;
	}
	if (n == -1)
		attack_drop(a, c);
}

/* The pollfds: every connection in flight, then the control pipe. */
static nfds_t
attack_fill(struct attack *a, double *wake)
{
	nfds_t n = 0;
	long i;

	for (i = 0; i < a->n; i++) {
		struct aconn *c = &a->c[i];
		short ev;

		if (c->state == AC_DOWN)
			continue;
		*wake = min_d(*wake, c->next_at);
		if (c->state == AC_CONNECTING)
			ev = POLLOUT;
		else if (a->kind == AK_SLOWREAD)
			ev = POLLRDHUP;		/* reads go by the clock */
		else
			ev = POLLIN | POLLRDHUP;
		if (c->state == AC_UP && c->sent < a->req_len)
			ev |= POLLOUT;
		a->pfds[n] = (struct pollfd){ .fd = c->fd, .events = ev };
		a->pfd_conn[n++] = i;
	}
	a->pfds[n] = (struct pollfd){ .fd = a->ctl_fd, .events = POLLIN };
	return n + 1;
}

static void
attack_event(struct attack *a, struct aconn *c, short revents, double t)
{
	if (c->state == AC_CONNECTING) {
		if (sock_connect_result(c->fd) == 0)
			attack_up(a, c, t);
		else
			attack_connfail(a, c);
		return;
	}
	if (revents & POLLOUT)
		attack_send(a, c);
	if (c->state == AC_UP &&
	    (revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR)))
		attack_readable(a, c);
}

/* Until the parent says stop (or goes) or deadline: 0, or -1 (logged). */
static int
attack_loop(struct attack *a, double deadline)
{
	double t, wake;
	nfds_t n, i;
	long k;
	int r;

	for (;;) {
		t = now();
		if (t >= deadline)
			return 0;
		for (k = 0; k < a->n; k++)
			if (a->c[k].state != AC_DOWN &&
			    a->c[k].next_at <= t + TIMER_SLACK_S)
				attack_timer(a, &a->c[k], t);
		wake = min_d(attack_open_some(a, t), deadline);
		n = attack_fill(a, &wake);
		r = poll(a->pfds, n, ms_until(wake));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			warnx("attack: poll: %s", strerror(errno));
			return -1;
		}
		if (a->pfds[n - 1].revents != 0)
			return 0;
		t = now();
		for (i = 0; r > 0 && i + 1 < n; i++)
			if (a->pfds[i].revents != 0)
				attack_event(a, &a->c[a->pfd_conn[i]],
				    a->pfds[i].revents, t);
	}
}

static int
attack_setup(struct attack *a, const struct opts *o, int ctl_fd)
{
	long i;

	memset(a, 0, sizeof(*a));
	a->o = o;
	a->kind = o->attack;
	a->n = o->conns;
	a->ctl_fd = ctl_fd;
	a->interval = (o->interval_ms ? o->interval_ms :
	    a->kind == AK_SLOWREAD ? 1000 : 5000) / 1000.0;
	a->burst = o->connect_rate / 20 > 1 ? o->connect_rate / 20 : 1;
	a->tokens = a->burst;
	a->tokens_at = now();
	a->c = calloc((size_t)a->n, sizeof(*a->c));
	a->pfds = calloc((size_t)a->n + 1, sizeof(*a->pfds));
	a->pfd_conn = calloc((size_t)a->n + 1, sizeof(*a->pfd_conn));
	if (a->c == NULL || a->pfds == NULL || a->pfd_conn == NULL ||
	    attack_request(a) == -1)
		return -1;
	for (i = 0; i < a->n; i++) {
		a->c[i].fd = -1;
		if (a->kind == AK_IDLE &&
		    (a->c[i].resp = malloc(sizeof(struct resp))) == NULL)
			return -1;
	}
	return 0;
}

/* The child: attack until told, then hand the counters over and exit. */
static __attribute__((noreturn)) void
attack_child(const struct opts *o, int ctl_fd, int stats_fd, double deadline)
{
	struct attack a;
	const char *p;
	size_t off = 0;
	ssize_t w;
	long i;

	if (attack_setup(&a, o, ctl_fd) == -1) {
		warnx("attack: out of memory");
		_exit(1);
	}
	if (attack_loop(&a, deadline) == -1)
		_exit(1);
	for (i = 0; i < a.n; i++)
		a.st.open += a.c[i].state == AC_UP;
	for (p = (const char *)&a.st; off < sizeof(a.st); off += (size_t)w)
		if ((w = write(stats_fd, p + off, sizeof(a.st) - off)) == -1 &&
		    errno != EINTR) {
			warnx("attack: write: %s", strerror(errno));
			_exit(1);
		} else if (w == -1)
			w = 0;
	_exit(0);
}

/* The attack child as seen by the parent. */
struct attack_proc {
	pid_t pid;
	int ctl_fd;		/* closed: the child stops */
	int stats_fd;
};

static int
attack_start(const struct opts *o, double deadline, struct attack_proc *ap)
{
	int ctl[2], stats[2];
	pid_t parent = getpid();

	if (pipe2(ctl, O_CLOEXEC) == -1 || pipe2(stats, O_CLOEXEC) == -1) {
		warnx("pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((ap->pid = fork()) == -1) {
		warnx("fork: %s", strerror(errno));
		return -1;
	}
	if (ap->pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    getppid() != parent)
			_exit(1);
		close(ctl[1]);
		close(stats[0]);
		rng_seed();
		attack_child(o, ctl[0], stats[1], deadline);
	}
	close(ctl[0]);
	close(stats[1]);
	ap->ctl_fd = ctl[1];
	ap->stats_fd = stats[0];
	return 0;
}

/* Tell the child to stop, take its counters, kill and reap it.
 * 0, or -1 (logged) if the counters did not come. */
static int
attack_stop(struct attack_proc *ap, struct attack_stats *st)
{
	double deadline = now() + STATS_WAIT_S;
	size_t got = 0;
	ssize_t n;
	int r, rc = 0;

	close(ap->ctl_fd);
	while (got < sizeof(*st)) {
		r = wait_fd(ap->stats_fd, POLLIN, deadline);
		if (r <= 0)
			break;
		n = read(ap->stats_fd, (char *)st + got, sizeof(*st) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(*st)) {
		warnx("attack: the child's counters did not come");
		rc = -1;
	}
	close(ap->stats_fd);
	kill(ap->pid, SIGKILL);
	while (waitpid(ap->pid, NULL, 0) == -1 && errno == EINTR)
		;
	return rc;
}

/* ------------------------------------------------------------------ */
/* The run. */

static void
report(const struct opts *o, const struct attack_stats *st, bool have_st,
    struct legit *lg)
{
	long total = lg->ok + lg->failed;
	int k;

	printf("pfload: attack=%s conns=%ld", attack_names[o->attack],
	    o->attack == AK_NONE ? 0 : o->conns);
	if (have_st)
		printf(" open=%ld opened=%ld closed=%ld connfail=%ld",
		    st->open, st->opened, st->closed, st->connfail);
	else
		printf(" open=- opened=- closed=- connfail=-");
	printf(" legit=%s ok=%ld failed=%ld total=%ld success_pct=%.2f",
	    legit_names[o->legit], lg->ok, lg->failed, total,
	    total ? 100.0 * (double)lg->ok / (double)total : 0.0);
	if (lg->nlat > 0) {
		qsort(lg->lat, lg->nlat, sizeof(*lg->lat), cmp_double);
		printf(" p50_ms=%.2f p99_ms=%.2f max_ms=%.2f",
		    legit_pct_ms(lg, 50), legit_pct_ms(lg, 99),
		    lg->lat[lg->nlat - 1] / 1000.0);
	} else
		printf(" p50_ms=- p99_ms=- max_ms=-");
	printf(" duration_s=%.1f\n", lg->elapsed);
	fflush(stdout);
	if (lg->failed == 0)
		return;
	fprintf(stderr, "pfload: legit failures:");
	for (k = 1; k < OUT_COUNT; k++)
		fprintf(stderr, " %s=%ld", outcome_names[k], lg->kinds[k]);
	fputc('\n', stderr);
}

static int
run(const struct opts *o)
{
	struct attack_proc ap = { .pid = -1 };
	struct attack_stats st = { 0, 0, 0, 0 };
	struct legit lg;
	double t0 = now();
	bool have_st = true;
	int rc;

	memset(&lg, 0, sizeof(lg));
	if (o->attack != AK_NONE && attack_start(o, t0 + o->ramp +
	    o->duration + o->legit_timeout + MARGIN_S, &ap) == -1)
		return 1;
	rc = pause_until(t0 + o->ramp);
	if (rc == 0)
		rc = o->legit == LK_SEQ ? seq_run(o, &lg) : browser_run(o, &lg);
	if (ap.pid > 0 && attack_stop(&ap, &st) == -1) {
		have_st = false;
		rc = -1;
	}
	report(o, &st, have_st, &lg);
	free(lg.lat);
	return rc == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Options. */

/* 0 and *out set, or -1: s is not a whole number in [min, max]. */
static int
parse_num(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 0 and *out set, or -1: s is not a number in [min, max]. */
static int
parse_real(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

/* The index of s in a NULL-ended list, or -1. */
static int
parse_name(const char *s, const char *const *names)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* A request path: '/' and printable bytes, no space, at most 1024. */
static int
parse_path(const char *s, const char **out)
{
	const unsigned char *p;

	if (s[0] != '/' || strlen(s) > PATH_LEN_MAX)
		return -1;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return -1;
	*out = s;
	return 0;
}

static int
parse_int_opt(const char *arg, long long min, long long max, int *out)
{
	long long v;

	if (parse_num(arg, min, max, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

/* The options of one attack or legitimate kind. */
static int
opts_set_kind(struct opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_PIPELINE:
		o->have_slowread_opt = true;
		return parse_int_opt(arg, 1, 64, &o->pipeline);
	case OPT_READ_BYTES:
		o->have_slowread_opt = true;
		return parse_int_opt(arg, 1, IO_BUF, &o->read_bytes);
	case OPT_RCVBUF:
		o->have_slowread_opt = true;
		return parse_int_opt(arg, 0, 16 * 1024 * 1024, &o->rcvbuf);
	case OPT_RATE:
		o->have_seq_opt = true;
		return parse_real(arg, 0.001, 1e6, &o->rate);
	case OPT_CLIENTS:
		o->have_browser_opt = true;
		return parse_int_opt(arg, 1, 1000, &o->clients);
	case OPT_PER_CLIENT:
		o->have_browser_opt = true;
		return parse_int_opt(arg, 1, 64, &o->per_client);
	case OPT_THINK:
		o->have_browser_opt = true;
		return parse_int_opt(arg, 0, 600000, &o->think_ms);
	}
	return -1;
}

static int
opts_set(struct opts *o, int ch, const char *arg)
{
	long long v;

	switch (ch) {
	case 'p':
		o->have_port = true;
		return parse_int_opt(arg, 1, 65535, &o->port);
	case 'c':
		o->have_conns = true;
		if (parse_num(arg, 1, 100000, &v) == -1)
			return -1;
		o->conns = (long)v;
		return 0;
	case OPT_ATTACK:
		o->have_attack = true;
		return (o->attack = parse_name(arg, attack_names)) < 0 ? -1 : 0;
	case OPT_LEGIT:
		o->have_legit = true;
		return (o->legit = parse_name(arg, legit_names)) < 0 ? -1 : 0;
	case OPT_INTERVAL:
		return parse_int_opt(arg, 1, 600000, &o->interval_ms);
	case OPT_ATTACK_PATH:
		return parse_path(arg, &o->attack_path);
	case OPT_PATH:
		return parse_path(arg, &o->path);
	case OPT_CONNECT_RATE:
		return parse_real(arg, 1, 100000, &o->connect_rate);
	case OPT_LEGIT_TIMEOUT:
		return parse_real(arg, 0.001, 3600, &o->legit_timeout);
	case OPT_DURATION:
		return parse_real(arg, 0.001, 86400, &o->duration);
	case OPT_RAMP:
		return parse_real(arg, 0, 86400, &o->ramp);
	}
	return opts_set_kind(o, ch, arg);
}

/* Requirements between options, once all are parsed; NULL if fine. */
static const char *
opts_check(const struct opts *o)
{
	if (!o->have_port)
		return "-p PORT is required";
	if (!o->have_attack || !o->have_legit)
		return "--attack KIND and --legit KIND are required";
	if (o->attack != AK_NONE && !o->have_conns)
		return "-c N is required with an attack";
	if (o->attack == AK_NONE && (o->have_conns || o->attack_path ||
	    o->interval_ms || o->have_slowread_opt))
		return "--attack none takes no attack options";
	if (o->have_slowread_opt && o->attack != AK_SLOWREAD)
		return "--pipeline, --read-bytes and --rcvbuf are slowread's";
	if (o->attack_path != NULL && o->attack == AK_SLOWLORIS)
		return "slowloris takes no --attack-path";
	if (o->interval_ms != 0 && o->attack == AK_IDLE)
		return "idle takes no --interval-ms";
	if (o->have_seq_opt && o->legit != LK_SEQ)
		return "--rate is seq's";
	if (o->have_browser_opt && o->legit != LK_BROWSER)
		return "--clients, --per-client and --think-ms are browser's";
	return NULL;
}

/* Soft RLIMIT_NOFILE up to the hard one; -1 (logged) if too low for o. */
static int
raise_nofile(const struct opts *o)
{
	struct rlimit rl;
	rlim_t need;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		warnx("getrlimit: %s", strerror(errno));
		return -1;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		warnx("setrlimit: %s", strerror(errno));
		return -1;
	}
	need = (rlim_t)(o->attack == AK_NONE ? 0 : o->conns) + FD_SPARE;
	if (o->legit == LK_BROWSER)
		need += (rlim_t)o->clients * (rlim_t)o->per_client;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		warnx("%llu descriptors needed, RLIMIT_NOFILE is %llu",
		    (unsigned long long)need, (unsigned long long)rl.rlim_cur);
		return -1;
	}
	return 0;
}

static __attribute__((format(printf, 1, 2))) int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fputs("(pfload --help: usage)\n", stderr);
	return EXIT_USAGE;
}

static void
opts_defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pipeline = 1;
	o->read_bytes = 32;
	o->rcvbuf = 2048;
	o->connect_rate = 500;
	o->path = "/index.html";
	o->clients = 10;
	o->per_client = 6;
	o->think_ms = 500;
	o->legit_timeout = 2;
	o->duration = 20;
	o->ramp = 5;
}

int
main(int argc, char **argv)
{
	struct opts o;
	const char *problem;
	int ch;

	opts_defaults(&o);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+p:c:h", long_opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		if (ch == '?' || ch == ':')
			return usage_error("bad option '%s'", argv[optind - 1]);
		if (opts_set(&o, ch, optarg) == -1)
			return usage_error("bad value '%s' for '%s'", optarg,
			    argv[optind - 1]);
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if ((problem = opts_check(&o)) != NULL)
		return usage_error("%s", problem);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		warnx("signal: %s", strerror(errno));
		return 1;
	}
	if (raise_nofile(&o) == -1)
		return 1;
	rng_seed();
	return run(&o);
}
