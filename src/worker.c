/*
 * worker - the accept loop of a pre-forked worker.
 *
 * Signals (child.h): TERM and INT only set flags.  They stay blocked
 * except inside the waits (epoll_pwait here, ppoll in conn), so a stop
 * request can never land between the test of the flag and the wait: the
 * wait returns EINTR and the loop sees the flag.  QUIT exits at once.
 *
 * Connections come from the listeners (accept4) and from the park channel
 * (handoff_recv: one the parker hands back, with where its service
 * stood).  Either way the service runs until it closes the connection or
 * yields it to the parker (conn.h); the worker is then free again.
 *
 * Reports: READY once, BUSY and IDLE around each connection, BUSY again
 * at most once a second while the connection moves bytes (progress, so a
 * long transfer is never taken for a hang), EXITING with a reason.  A
 * report the full pipe refuses is retried once a second (report.h).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "board.h"
#include "child.h"
#include "clock.h"
#include "conf.h"
#include "conn.h"
#include "fault.h"
#include "handoff.h"
#include "health.h"
#include "listen.h"
#include "log.h"
#include "report.h"
#include "service.h"
#include "worker.h"

#define WORKER_LIFELINE		UINT32_MAX	/* epoll tag of the lifeline */
#define WORKER_CHANNEL		(UINT32_MAX - 1)	/* of the park channel */
#define WORKER_MAX_EVENTS	16
#define WORKER_RETRY_MS		1000		/* resend a refused report */
#define WORKER_PAUSE_MS		100		/* out of descriptors: back off */
#define WORKER_STARVED_LOG_MS	10000		/* between two such warnings */
#define WORKER_PROGRESS_MS	1000		/* busy: report progress */
#define WORKER_ACCEPT_BURST	16		/* connections without a wait */
#define WORKER_PRESSURE_MAX	16		/* listeners + the channel */

static volatile sig_atomic_t worker_stop_requested;
static volatile sig_atomic_t worker_pool_stopping;	/* INT: all stop */

struct worker {
	const struct worker_args *a;
	int ep;
	struct report rep;
	uint64_t served;		/* connections it ended */
	uint64_t parked;		/* connections it gave the parker */
	uint64_t cut;			/* responses cut: too slow a reader */
	uint64_t limit;			/* 0: no max_requests */
	uint64_t busy_since_ms;
	uint64_t starved_log_ms;	/* the last accept-starved warning */
	unsigned long starved_quiet;	/* warnings not logged since */
	struct health_client client;
	bool draining;			/* pool stop: listeners left */
	bool channel_open;		/* the parker can still hand back */
	enum health_exit_reason exit_reason;
	sigset_t wait_mask;		/* the mask inside waits */
};

bool
worker_stopping(void)
{
	return worker_stop_requested != 0;
}

static void
worker_on_stop(int sig)
{
	worker_stop_requested = 1;
	if (sig == SIGINT)
		worker_pool_stopping = 1;
}

static void
worker_report(struct worker *w, enum health_state state)
{
	struct health_record r;

	memset(&r, 0, sizeof(r));
	r.state = (uint8_t)state;
	r.reason = (uint8_t)w->exit_reason;
	r.busy_since_ms = state == HEALTH_BUSY ? w->busy_since_ms : 0;
	r.served = w->served;
	r.parked = w->parked;
	r.shed = w->cut;
	r.client = w->client;
	report_send(&w->rep, &r);
}

static int
worker_epoll_add(struct worker *w, int fd, uint32_t events, uint32_t tag)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u32 = tag;
	return epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
}

static int
worker_epoll(struct worker *w)
{
	const struct listeners *ls = w->a->ls;

	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	for (size_t i = 0; i < ls->n; i++)
		if (worker_epoll_add(w, ls->l[i].fd, EPOLLIN | EPOLLEXCLUSIVE,
		    (uint32_t)i) != 0)
			return -1;
	if (w->channel_open && worker_epoll_add(w, w->a->channel_fd,
	    EPOLLIN | EPOLLEXCLUSIVE, WORKER_CHANNEL) != 0)
		return -1;
	return worker_epoll_add(w, w->a->lifeline_fd, EPOLLIN,
	    WORKER_LIFELINE);
}

/* Not once told to stop, and only while a parker takes connections. */
static bool
worker_may_yield(void)
{
	return !worker_stop_requested && board_parker_up();
}

/* What conn needs to yield: the channel, and what says that another
 * connection waits for a worker (a listener's queue, the channel). */
static void
worker_set_park(const struct worker *w)
{
	struct pollfd pressure[WORKER_PRESSURE_MAX];
	struct conn_park park = {
		.channel = w->a->park ? w->a->channel_fd : -1,
		.pressure = pressure,
		.service = (uint8_t)service_number(w->a->svc),
		.may_yield = worker_may_yield,
	};

	for (size_t i = 0; i < w->a->ls->n && park.npressure + 1 <
	    WORKER_PRESSURE_MAX; i++)
		pressure[park.npressure++] = (struct pollfd){
		    .fd = w->a->ls->l[i].fd, .events = POLLIN };
	if (w->a->channel_fd >= 0)
		pressure[park.npressure++] = (struct pollfd){
		    .fd = w->a->channel_fd, .events = POLLIN };
	conn_set_park(&park);
}

/* Bytes moved: at most once a second, tell the master we are alive. */
static void
worker_on_progress(void *arg)
{
	struct worker *w = arg;

	if (clock_now_ms() - w->rep.last_ms >= WORKER_PROGRESS_MS)
		worker_report(w, HEALTH_BUSY);
}

/* The service has c until it closes it or yields it. */
static void
worker_handle(struct worker *w, struct conn *c)
{
	bool closing = c->resumed && c->resume.kind == HANDOFF_CLOSING;

	w->busy_since_ms = clock_now_ms();
	health_client_set(&w->client, (const struct sockaddr *)&c->peer_addr);
	worker_report(w, HEALTH_BUSY);
	c->on_progress = worker_on_progress;
	c->progress_arg = w;
	if (closing) {
		conn_close(c);		/* the rest of its drain; served before */
		return;
	}
	w->a->svc->handle(c, w->a->cf, w->a->site);
	if (c->fd >= 0)			/* a service must close; be safe */
		conn_abort(c);
	if (c->yielded)
		w->parked++;
	else
		w->served++;
	if (c->cut)
		w->cut++;
}

static void
worker_serve(struct worker *w, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	struct conn c;

	conn_init(&c, fd, sa, salen, &w->a->cf->timeouts);
	worker_handle(w, &c);
}

/* A connection the parker handed back, with its message (and the file
 * of a response that waited to be sent, or -1). */
static void
worker_resume(struct worker *w, int fd, int file_fd, const uint8_t *msg,
    size_t len)
{
	struct handoff h;
	enum handoff_decode_status st = handoff_decode(msg, len, &h);
	struct conn c;

	if (st != HANDOFF_DECODE_OK || (h.has_file != 0) != (file_fd >= 0)) {
		log_warning("park channel: a connection came back with a bad "
		    "message (%s); closing it", st != HANDOFF_DECODE_OK ?
		    handoff_decode_strerror(st) : "a file descriptor missing "
		    "or not announced");
		(void)close(fd);
		if (file_fd >= 0)
			(void)close(file_fd);
		return;
	}
	conn_resume(&c, fd, file_fd, &h, &w->a->cf->timeouts);
	if (service_by_number(h.service) != w->a->svc) {
		log_info("%s: closing a connection parked by another service "
		    "(the service changed at a reload)", c.peer);
		conn_close(&c);
		return;
	}
	worker_handle(w, &c);
}

/* Why the loop must end now, or HEALTH_EXIT_NONE to go on. */
static enum health_exit_reason
worker_should_exit(const struct worker *w)
{
	if (worker_stop_requested && (!worker_pool_stopping ||
	    !w->channel_open))
		return HEALTH_EXIT_STOP;
	if (w->limit > 0 && w->served + w->parked >= w->limit)
		return HEALTH_EXIT_MAX_REQUESTS;
	return HEALTH_EXIT_NONE;
}

/* Takes what the parker hands back, up to a burst.  -1 when the worker
 * cannot go on. */
static int
worker_take_back(struct worker *w)
{
	static uint8_t msg[HANDOFF_MAX];
	int served = 0, fd, file_fd;
	ssize_t n = 0;

	for (int i = 0; i < WORKER_ACCEPT_BURST; i++) {
		n = handoff_recv(w->a->channel_fd, msg, sizeof(msg), &fd,
		    &file_fd);
		if (n == 0) {		/* no parker is left */
			w->channel_open = false;
			(void)epoll_ctl(w->ep, EPOLL_CTL_DEL, w->a->channel_fd,
			    NULL);
			break;
		}
		if (n < 0 && errno == EBADMSG) {
			log_warning("park channel: dropped a message without "
			    "its descriptors");
			continue;
		}
		if (n < 0)
			break;
		worker_resume(w, fd, file_fd, msg, (size_t)n);
		served++;
		if (worker_should_exit(w) != HEALTH_EXIT_NONE)
			break;
	}
	if (served > 0)
		worker_report(w, HEALTH_IDLE);
	if (n < 0 && errno != EAGAIN && errno != EBADMSG) {
		log_error_errno("park channel");
		return -1;
	}
	return 0;
}

/* Errors that concern one connection only (accept(2), "Error handling"). */
static bool
worker_accept_transient(int err)
{
	switch (err) {
	case EAGAIN: case EINTR: case ECONNABORTED: case EPROTO:
	case ENETDOWN: case ENOPROTOOPT: case EHOSTDOWN: case ENONET:
	case EHOSTUNREACH: case EOPNOTSUPP: case ENETUNREACH: case EPERM:
		return true;
	}
	return false;
}

/*
 * Out of descriptors or memory at accept (the connection waits in the
 * queue; the worker backs off WORKER_PAUSE_MS and tries again): one
 * warning, then at most one every WORKER_STARVED_LOG_MS saying how many
 * more there were.
 */
static void
worker_accept_starved(struct worker *w, const struct listener *l, int err)
{
	uint64_t now_ms = clock_now_ms();

	if (w->starved_log_ms != 0 &&
	    now_ms - w->starved_log_ms < WORKER_STARVED_LOG_MS) {
		w->starved_quiet++;
		return;
	}
	if (w->starved_quiet > 0)
		log_warning("accept on %s: %s (and %lu more times in the last "
		    "%llu s; said at most every %d s)", l->name,
		    strerror(err), w->starved_quiet,
		    (unsigned long long)((now_ms - w->starved_log_ms) / 1000),
		    WORKER_STARVED_LOG_MS / 1000);
	else
		log_warning("accept on %s: %s", l->name, strerror(err));
	w->starved_log_ms = now_ms;
	w->starved_quiet = 0;
}

/*
 * Accepts and serves from l, then tries l again before going back to
 * wait, up to WORKER_ACCEPT_BURST connections: under load the next one is
 * already queued, and taking it at once spares a wait and the IDLE record
 * (one BUSY record per connection instead of two records).  IDLE is
 * reported once the queue is empty.  0 to go on, -1 when the worker
 * cannot go on.
 */
static int
worker_accept(struct worker *w, const struct listener *l)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = 0, served = 0;

	do {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			err = errno;
			break;
		}
		worker_serve(w, fd, (struct sockaddr *)&ss, len);
	} while (++served < WORKER_ACCEPT_BURST &&
	    worker_should_exit(w) == HEALTH_EXIT_NONE && !w->draining);
	if (served > 0)
		worker_report(w, HEALTH_IDLE);
	if (err == 0 || worker_accept_transient(err))
		return 0;
	errno = err;
	if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM) {
		const struct timespec pause = { 0, WORKER_PAUSE_MS * 1000000L };

		worker_accept_starved(w, l, err);
		(void)ppoll(NULL, 0, &pause, &w->wait_mask);
		return 0;
	}
	log_error_errno("accept on %s", l->name);
	return -1;
}

/* The whole pool stops: accept no more; the parker may still hand back
 * connections whose client spoke, until it is gone. */
static void
worker_drain(struct worker *w)
{
	const struct listeners *ls = w->a->ls;

	w->draining = true;
	for (size_t i = 0; i < ls->n; i++)
		(void)epoll_ctl(w->ep, EPOLL_CTL_DEL, ls->l[i].fd, NULL);
}

/* One event of the loop: 0 to go on, else why the worker ends. */
static enum health_exit_reason
worker_event(struct worker *w, uint32_t tag)
{
	int rc;

	if (tag == WORKER_LIFELINE)
		return HEALTH_EXIT_LIFELINE;
	if (tag == WORKER_CHANNEL)
		rc = worker_take_back(w);
	else
		rc = worker_accept(w, &w->a->ls->l[tag]);
	return rc < 0 ? HEALTH_EXIT_ERROR : HEALTH_EXIT_NONE;
}

static enum health_exit_reason
worker_loop(struct worker *w)
{
	struct epoll_event ev[WORKER_MAX_EVENTS];
	enum health_exit_reason why;

	while ((why = worker_should_exit(w)) == HEALTH_EXIT_NONE) {
		int timeout = w->rep.pending ? WORKER_RETRY_MS : -1;
		int n;

		if (worker_stop_requested && !w->draining)
			worker_drain(w);
		n = epoll_pwait(w->ep, ev, WORKER_MAX_EVENTS, timeout,
		    &w->wait_mask);
		if (n < 0 && errno != EINTR) {
			log_error_errno("epoll_pwait");
			return HEALTH_EXIT_ERROR;
		}
		if (n <= 0) {
			report_retry(&w->rep);
			continue;
		}
		/*
		 * Every listener and channel woken here is served, even when
		 * a stop request or max_requests came in meanwhile: with
		 * EPOLLEXCLUSIVE this worker may be the only one woken for
		 * it, and a connection left waiting would wait for the next
		 * arrival.  So max_requests may be passed by one connection
		 * per extra descriptor.
		 */
		for (int i = 0; i < n; i++)
			if ((why = worker_event(w, ev[i].data.u32)) !=
			    HEALTH_EXIT_NONE)
				return why;
	}
	return why;
}

static uint64_t
worker_limit(const struct conf *cf, pid_t pid, uint32_t cookie)
{
	uint64_t seed;

	if (cf->max_requests == 0)
		return 0;
	if (cf->max_requests_jitter == 0)
		return (uint64_t)cf->max_requests;
	/* Spread recycling: a cheap mix of what differs between workers. */
	seed = (uint64_t)pid * 0x9e3779b97f4a7c15u ^ cookie ^ clock_now_ms();
	seed ^= seed >> 31;
	seed *= 0xbf58476d1ce4e5b9u;
	seed ^= seed >> 29;
	return (uint64_t)cf->max_requests +
	    seed % ((uint64_t)cf->max_requests_jitter + 1);
}

void
worker_run(const struct worker_args *a)
{
	struct worker w;
	pid_t pid = getpid();

	memset(&w, 0, sizeof(w));
	w.a = a;
	w.ep = -1;
	w.channel_open = a->channel_fd >= 0;
	w.limit = worker_limit(a->cf, pid, a->cookie);
	report_init(&w.rep, a->health_fd, pid, a->cookie, a->generation,
	    HEALTH_ROLE_WORKER);
	switch (child_setup(worker_on_stop, &w.wait_mask, a->master_pid)) {
	case -1:
		_exit(EXIT_FAILURE);
	case 1:
		_exit(EXIT_SUCCESS);
	}
	conn_set_wait_mask(&w.wait_mask);
	switch (fault_worker_start()) {
	case FAULT_START_OK:
		break;
	case FAULT_START_EXIT:
		log_error("worker fails at startup: %s exists", getenv(FAULT_ENV));
		_exit(EXIT_FAILURE);
	case FAULT_START_HANG: {
		/* Never ready, but gone with the master (its lifeline's EOF),
		 * so a test that stops early leaves no process behind. */
		struct pollfd life = { .fd = a->lifeline_fd, .events = POLLIN };

		log_error("worker hangs at startup: %s says hang",
		    getenv(FAULT_ENV));
		while (poll(&life, 1, -1) < 0 && errno == EINTR)
			continue;
		_exit(EXIT_FAILURE);
	}
	}
	if (worker_epoll(&w) != 0) {
		log_error_errno("worker setup: epoll");
		w.exit_reason = HEALTH_EXIT_ERROR;
		worker_report(&w, HEALTH_EXITING);
		_exit(EXIT_FAILURE);
	}
	worker_set_park(&w);
	worker_report(&w, HEALTH_READY);
	w.exit_reason = worker_loop(&w);
	worker_report(&w, HEALTH_EXITING);
	if (w.exit_reason == HEALTH_EXIT_LIFELINE)
		log_notice("master %ld is gone; worker exiting",
		    (long)a->master_pid);
	_exit(w.exit_reason == HEALTH_EXIT_ERROR ? EXIT_FAILURE : EXIT_SUCCESS);
}
