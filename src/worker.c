/*
 * worker - the accept loop of a pre-forked worker.
 *
 * Signals: TERM and INT only set a flag.  They stay blocked except inside
 * the waits (epoll_pwait here, ppoll in conn), so a stop request can never
 * land between the test of the flag and the wait: the wait returns EINTR
 * and the loop sees the flag.  QUIT exits at once.  The master's other
 * signals (HUP, USR1, TTIN...) are ignored here, so a signal sent to the
 * whole process group reaches only the master's logic.
 *
 * Reports: READY once, BUSY and IDLE around each connection, BUSY again
 * at most once a second while the connection moves bytes (progress, so a
 * long transfer is never taken for a hang), EXITING with a reason.  A
 * report the full pipe refuses is kept and retried once a second, since
 * each record is a snapshot that supersedes the last.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "conn.h"
#include "fault.h"
#include "health.h"
#include "listen.h"
#include "log.h"
#include "privs.h"
#include "service.h"
#include "worker.h"

#define WORKER_LIFELINE		UINT32_MAX	/* epoll tag of the lifeline */
#define WORKER_MAX_EVENTS	16
#define WORKER_RETRY_MS		1000		/* resend a refused report */
#define WORKER_PAUSE_MS		100		/* out of descriptors: back off */
#define WORKER_PROGRESS_MS	1000		/* busy: report progress */
#define WORKER_ACCEPT_BURST	16		/* connections without a wait */

static volatile sig_atomic_t worker_stop_requested;

struct worker {
	const struct worker_args *a;
	pid_t pid;
	int ep;
	uint32_t seq;
	uint64_t served;
	uint64_t limit;			/* 0: no max_requests */
	uint64_t busy_since_ms;
	uint64_t last_report_ms;
	struct health_client client;
	enum health_state report_pending;	/* 0: none */
	sigset_t wait_mask;		/* the mask inside waits */
	enum health_exit_reason exit_reason;
};

bool
worker_stopping(void)
{
	return worker_stop_requested != 0;
}

static void
worker_on_stop(int sig)
{
	(void)sig;
	worker_stop_requested = 1;
}

static void
worker_on_quit(int sig)
{
	(void)sig;
	_exit(EXIT_SUCCESS);
}

static int
worker_signals(struct worker *w)
{
	static const int ignored[] = { SIGHUP, SIGUSR1, SIGUSR2, SIGTTIN,
	    SIGTTOU, SIGWINCH };
	struct sigaction sa;
	sigset_t stop;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = worker_on_stop;
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = worker_on_quit;
	if (sigaction(SIGQUIT, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (sigaction(ignored[i], &sa, NULL) != 0)
			return -1;
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &sa, NULL) != 0)
		return -1;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigemptyset(&w->wait_mask);
	conn_set_wait_mask(&w->wait_mask);
	/* Keep TERM and INT blocked outside waits; let everything else in. */
	return sigprocmask(SIG_SETMASK, &stop, NULL);
}

/* Writes one record; if the pipe is full, marks it to be sent again. */
static void
worker_report(struct worker *w, enum health_state state)
{
	struct health_record r;
	uint8_t buf[HEALTH_RECORD_SIZE];
	ssize_t n;

	memset(&r, 0, sizeof(r));
	r.state = (uint8_t)state;
	r.reason = (uint8_t)w->exit_reason;
	r.pid = (uint32_t)w->pid;
	r.cookie = w->a->cookie;
	r.generation = w->a->generation;
	r.seq = ++w->seq;
	r.time_ms = w->last_report_ms = clock_now_ms();
	r.busy_since_ms = state == HEALTH_BUSY ? w->busy_since_ms : 0;
	r.served = w->served;
	r.client = w->client;
	health_encode(&r, buf);
	do
		n = write(w->a->health_fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	/* Atomic: all or nothing.  EAGAIN: the master is behind, so the
	 * latest state is sent again later.  Anything else (EPIPE: the master
	 * is gone) will not get better by retrying. */
	w->report_pending = n < 0 && errno == EAGAIN ? state : 0;
	if (n < 0 && errno != EAGAIN && errno != EPIPE)
		log_warning_errno("cannot write to the health pipe");
}

static int
worker_epoll(struct worker *w)
{
	const struct listeners *ls = w->a->ls;
	struct epoll_event ev;

	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	for (size_t i = 0; i < ls->n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, ls->l[i].fd, &ev) != 0)
			return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u32 = WORKER_LIFELINE;
	return epoll_ctl(w->ep, EPOLL_CTL_ADD, w->a->lifeline_fd, &ev);
}

/* Bytes moved: at most once a second, tell the master we are alive. */
static void
worker_on_progress(void *arg)
{
	struct worker *w = arg;

	if (clock_now_ms() - w->last_report_ms >= WORKER_PROGRESS_MS)
		worker_report(w, HEALTH_BUSY);
}

static void
worker_serve(struct worker *w, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	struct conn c;

	w->busy_since_ms = clock_now_ms();
	health_client_set(&w->client, sa);
	worker_report(w, HEALTH_BUSY);
	conn_init(&c, fd, sa, salen, &w->a->cf->timeouts);
	c.on_progress = worker_on_progress;
	c.progress_arg = w;
	w->a->svc->handle(&c, w->a->cf, w->a->site);
	if (c.fd >= 0)			/* a service must close; be safe */
		conn_abort(&c);
	w->served++;
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

/* Why the loop must end now, or HEALTH_EXIT_NONE to go on. */
static enum health_exit_reason
worker_should_exit(const struct worker *w)
{
	if (worker_stop_requested)
		return HEALTH_EXIT_STOP;
	if (w->limit > 0 && w->served >= w->limit)
		return HEALTH_EXIT_MAX_REQUESTS;
	return HEALTH_EXIT_NONE;
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
	    worker_should_exit(w) == HEALTH_EXIT_NONE);
	if (served > 0)
		worker_report(w, HEALTH_IDLE);
	if (err == 0 || worker_accept_transient(err))
		return 0;
	errno = err;
	if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM) {
		log_warning_errno("accept on %s", l->name);
		const struct timespec pause = { 0, WORKER_PAUSE_MS * 1000000L };
		(void)ppoll(NULL, 0, &pause, &w->wait_mask);
		return 0;
	}
	log_error_errno("accept on %s", l->name);
	return -1;
}

static enum health_exit_reason
worker_loop(struct worker *w)
{
	struct epoll_event ev[WORKER_MAX_EVENTS];
	enum health_exit_reason why;

	while ((why = worker_should_exit(w)) == HEALTH_EXIT_NONE) {
		int timeout = w->report_pending ? WORKER_RETRY_MS : -1;
		int n = epoll_pwait(w->ep, ev, WORKER_MAX_EVENTS, timeout,
		    &w->wait_mask);

		if (n < 0 && errno != EINTR) {
			log_error_errno("epoll_pwait");
			return HEALTH_EXIT_ERROR;
		}
		if (n <= 0) {
			if (w->report_pending)
				worker_report(w, w->report_pending);
			continue;
		}
		/*
		 * Every listener woken here is served, even when a stop
		 * request or max_requests came in meanwhile: with
		 * EPOLLEXCLUSIVE this worker may be the only one woken for
		 * it, and a connection left in the queue would wait for the
		 * next arrival.  So max_requests may be passed by one
		 * connection per extra listener.
		 */
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == WORKER_LIFELINE)
				return HEALTH_EXIT_LIFELINE;
			if (worker_accept(w, &w->a->ls->l[ev[i].data.u32]) < 0)
				return HEALTH_EXIT_ERROR;
		}
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

	memset(&w, 0, sizeof(w));
	w.a = a;
	w.ep = -1;
	w.pid = getpid();
	w.limit = worker_limit(a->cf, w.pid, a->cookie);
	if (worker_signals(&w) != 0 || privs_drop_worker() != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0) {
		log_error_errno("worker setup");
		_exit(EXIT_FAILURE);
	}
	if (getppid() != a->master_pid) {	/* died before PDEATHSIG was set */
		_exit(EXIT_SUCCESS);
	}
	if (fault_worker_start()) {
		log_error("worker fails at startup: %s exists", getenv(FAULT_ENV));
		_exit(EXIT_FAILURE);
	}
	if (worker_epoll(&w) != 0) {
		log_error_errno("worker setup: epoll");
		w.exit_reason = HEALTH_EXIT_ERROR;
		worker_report(&w, HEALTH_EXITING);
		_exit(EXIT_FAILURE);
	}
	worker_report(&w, HEALTH_READY);
	w.exit_reason = worker_loop(&w);
	worker_report(&w, HEALTH_EXITING);
	if (w.exit_reason == HEALTH_EXIT_LIFELINE)
		log_notice("master %ld is gone; worker exiting",
		    (long)a->master_pid);
	_exit(w.exit_reason == HEALTH_EXIT_ERROR ? EXIT_FAILURE : EXIT_SUCCESS);
}
