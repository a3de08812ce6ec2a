/*
 * park - the parker's event loop.
 *
 * Owns the connections it holds (park_table.h), one epoll set over them,
 * the park channel and the lifeline, and its health reports.  Signals as
 * in a worker (child.h): TERM and INT only set a flag, and stay blocked
 * outside epoll_pwait, which lets them in; QUIT exits at once.
 *
 * A connection arrives on the channel with its message and is watched for
 * EPOLLIN (a byte, or the client's EOF, or an error: all of them are the
 * worker's to read), or, when a response waits for its client to read,
 * for EPOLLOUT (the socket takes more; the kernel says so once a third of
 * its buffer is free, so a slow reader comes back once per buffer, not
 * per byte).  The parker never reads or writes a client's bytes.  Then,
 * or at its deadline, it goes on the ready FIFO and from there back onto
 * the channel, its message (and the response's file) unchanged; when the
 * channel is full the FIFO waits for EPOLLOUT.  A ready connection is
 * never shed: its client has moved.  A connection in its lingering close
 * (shut down for writing by a worker, its client still reading) goes back
 * only if its client sends (bytes to drain, or its EOF): at its deadline,
 * or to make room, the parker closes it, as the worker would have.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "conf.h"
#include "handoff.h"
#include "health.h"
#include "log.h"
#include "park.h"
#include "park_table.h"
#include "report.h"

#define PARK_CHANNEL		UINT64_MAX
#define PARK_LIFELINE		(UINT64_MAX - 1)
#define PARK_MAX_EVENTS		64
#define PARK_TAKE_BURST		64	/* messages taken per wake-up */
#define PARK_FD_RESERVE		32	/* descriptors not for connections */
#define PARK_REPORT_MS		1000	/* heartbeat while holding any */
#define PARK_REPORT_MIN_MS	100	/* between two reports, at least */
#define PARK_RETRY_MS		10	/* too many descriptors in flight */
#define PARK_LOG_MS		10000	/* shedding, bad messages: per line */

static volatile sig_atomic_t park_stop_requested;

struct park {
	const struct park_args *a;
	struct park_table t;
	struct report rep;
	int ep;
	uint32_t channel_events;	/* what epoll watches on the channel */
	bool retiring;			/* TERM or INT: take no more */
	bool reported_busy;		/* as the last report said */
	bool changed;			/* since the last report */
	uint64_t retry_ms;		/* the ready FIFO waits until then */
	uint64_t taken, returned, shed;
	uint64_t busy_since_ms;
	uint64_t shed_log_ms;		/* the last shedding line */
	uint64_t shed_idle, shed_reading, shed_sending;	/* not yet logged */
	uint64_t bad_log_ms;		/* the last bad-message line */
	sigset_t wait_mask;
};

static void
park_on_stop(int sig)
{
	(void)sig;
	park_stop_requested = 1;
}

/*
 * How many connections it may hold: parker.connections, within the
 * descriptor limit, which it raises as far as it may (under a service
 * manager that forbids setrlimit, LimitNOFILE= decides).
 */
static uint32_t
park_capacity(const struct conf *cf)
{
	uint64_t want = (uint64_t)cf->parker.connections + PARK_FD_RESERVE;
	struct rlimit rl;
	uint64_t room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		rl.rlim_cur = rl.rlim_max = 1024;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		struct rlimit raised = rl;

		raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl = raised;
	}
	room = rl.rlim_cur == RLIM_INFINITY ? want : rl.rlim_cur;
	room = room > 2 * PARK_FD_RESERVE ? room - PARK_FD_RESERVE :
	    PARK_FD_RESERVE;
	if (room >= (uint64_t)cf->parker.connections)
		return (uint32_t)cf->parker.connections;
	log_notice("parker: holding at most %" PRIu64 " connections, not "
	    "%d (parker.connections): the limit on open files is %llu "
	    "(ulimit -n, or LimitNOFILE= under systemd)", room,
	    cf->parker.connections, (unsigned long long)rl.rlim_cur);
	return (uint32_t)room;
}

/* ---- reports ----------------------------------------------------------- */

static void
park_report_now(struct park *p, enum health_state state, uint8_t reason)
{
	struct health_record r;

	memset(&r, 0, sizeof(r));
	r.state = (uint8_t)state;
	r.reason = reason;
	r.busy_since_ms = state == HEALTH_BUSY ? p->busy_since_ms : 0;
	r.served = p->returned;
	r.parked = p->taken;
	r.shed = p->shed;
	r.held = p->t.used;
	r.held_reading = p->t.count[PARK_LIST_READING];
	r.held_sending = p->t.count[PARK_LIST_SENDING];
	report_send(&p->rep, &r);
	p->reported_busy = state == HEALTH_BUSY;
	p->changed = false;
}

/* The shedding of the last PARK_LOG_MS, in one line. */
static void
park_shed_summary(struct park *p, uint64_t now_ms)
{
	if (p->shed_idle + p->shed_reading + p->shed_sending == 0)
		return;
	log_notice("parker full (%" PRIu32 " connections held): shed %"
	    PRIu64 " idle, %" PRIu64 " reading a request and %" PRIu64
	    " waiting to read a response, oldest first, in the last %" PRIu64
	    " s (parker.connections)", p->t.cap, p->shed_idle, p->shed_reading,
	    p->shed_sending, (now_ms - p->shed_log_ms + 999) / 1000);
	p->shed_idle = p->shed_reading = p->shed_sending = 0;
	p->shed_log_ms = now_ms;
}

/* BUSY while it holds any, with a heartbeat for the hang check; IDLE. */
static void
park_report(struct park *p, uint64_t now_ms)
{
	bool busy = p->t.used > 0;
	uint64_t since = now_ms - p->rep.last_ms;

	if (busy && !p->reported_busy && p->busy_since_ms == 0)
		p->busy_since_ms = now_ms;
	if (!busy)
		p->busy_since_ms = 0;
	if (now_ms - p->shed_log_ms >= PARK_LOG_MS)
		park_shed_summary(p, now_ms);
	if ((busy != p->reported_busy && since >= PARK_REPORT_MIN_MS) ||
	    ((busy || p->changed) && since >= PARK_REPORT_MS))
		park_report_now(p, busy ? HEALTH_BUSY : HEALTH_IDLE, 0);
	else
		report_retry(&p->rep);
}

/* ---- the table and epoll ----------------------------------------------- */

static void
park_unwatch(struct park *p, uint32_t slot)
{
	(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, p->t.e[slot].fd, NULL);
}

/* The entry leaves, and its connection is closed. */
static void
park_drop(struct park *p, uint32_t slot)
{
	struct park_entry e;

	if (p->t.e[slot].list != PARK_LIST_READY)
		park_unwatch(p, slot);
	park_table_remove(&p->t, slot, &e);
	(void)close(e.fd);
	if (e.file_fd >= 0)
		(void)close(e.file_fd);
	free(e.msg);
	p->changed = true;
}

/* One more shed, of kind (enum handoff_kind), for the summary. */
static void
park_count_shed(struct park *p, uint8_t kind)
{
	if (kind == HANDOFF_READING)
		p->shed_reading++;
	else if (kind == HANDOFF_SENDING)
		p->shed_sending++;
	else
		p->shed_idle++;
	p->shed++;
}

static void
park_shed_one(struct park *p, uint32_t slot, uint64_t now_ms)
{
	/* A closing one had its answer: closing it only cuts its drain. */
	if (p->t.e[slot].kind == HANDOFF_CLOSING) {
		park_drop(p, slot);
		return;
	}
	park_count_shed(p, p->t.e[slot].kind);
	if (p->shed_log_ms == 0 || now_ms - p->shed_log_ms >= PARK_LOG_MS)
		park_shed_summary(p, now_ms);
	park_drop(p, slot);
}

/* A slot for one more: closes one in its lingering close, else sheds the
 * oldest idle, else the oldest reading, else the oldest sending.  false
 * when only ready connections are held. */
static bool
park_make_room(struct park *p, uint64_t now_ms)
{
	uint32_t victim;

	if (p->t.used < p->t.cap)
		return true;
	victim = park_table_victim(&p->t);
	if (victim == PARK_NONE)
		return false;
	park_shed_one(p, victim, now_ms);
	return true;
}

/* Watch the connection in slot for its client's next move: a byte (or
 * its EOF), or room for more of its response. */
static int
park_watch(struct park *p, uint32_t slot)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = p->t.e[slot].kind == HANDOFF_SENDING ? EPOLLOUT :
	    EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = (uint64_t)p->t.e[slot].serial << 32 | slot;
	return epoll_ctl(p->ep, EPOLL_CTL_ADD, p->t.e[slot].fd, &ev);
}

static void
park_bad_message(struct park *p, const char *why, uint64_t now_ms)
{
	if (p->bad_log_ms != 0 && now_ms - p->bad_log_ms < PARK_LOG_MS)
		return;
	p->bad_log_ms = now_ms;
	log_warning("park channel: %s; the connection is closed (said at "
	    "most every %d s)", why, PARK_LOG_MS / 1000);
}

static void
park_close_pair(int fd, int file_fd)
{
	(void)close(fd);
	if (file_fd >= 0)
		(void)close(file_fd);
}

/* One connection from a worker, with its message (buf, len bytes) and
 * the file of its response (or -1). */
static void
park_hold(struct park *p, int fd, int file_fd, const uint8_t *buf,
    size_t len, uint64_t now_ms)
{
	struct handoff h;
	enum handoff_decode_status st = handoff_decode(buf, len, &h);
	uint8_t *msg;
	uint32_t slot;

	if (st != HANDOFF_DECODE_OK || (h.has_file != 0) != (file_fd >= 0)) {
		park_bad_message(p, st != HANDOFF_DECODE_OK ?
		    handoff_decode_strerror(st) : "a file descriptor missing "
		    "or not announced", now_ms);
		park_close_pair(fd, file_fd);
		return;
	}
	p->taken++;
	p->changed = true;
	if (!park_make_room(p, now_ms) || (msg = malloc(len)) == NULL) {
		/* Nothing can make room (all held have spoken): shed it. */
		park_count_shed(p, h.kind);
		park_close_pair(fd, file_fd);
		return;
	}
	memcpy(msg, buf, len);
	slot = park_table_add(&p->t, fd, file_fd, h.kind, h.deadline_ms,
	    now_ms, msg, len);
	/* Cannot be watched (out of memory for epoll): back it goes. */
	if (park_watch(p, slot) != 0)
		park_table_ready(&p->t, slot);
}

/* What the workers sent, up to a burst. */
static void
park_take(struct park *p, uint64_t now_ms)
{
	static uint8_t buf[HANDOFF_MAX];
	int fd, file_fd;

	for (int i = 0; i < PARK_TAKE_BURST; i++) {
		ssize_t n = handoff_recv(p->a->channel_fd, buf, sizeof(buf),
		    &fd, &file_fd);

		if (n > 0) {
			park_hold(p, fd, file_fd, buf, (size_t)n, now_ms);
			continue;
		}
		if (n < 0 && errno == EBADMSG) {
			park_bad_message(p, "a message without its descriptors",
			    now_ms);
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			log_error_errno("park channel");
		return;
	}
}

/* The channel's interest: take while not retiring, write while the ready
 * FIFO waits for room. */
static void
park_channel_interest(struct park *p, uint64_t now_ms)
{
	uint32_t want = p->retiring ? 0 : EPOLLIN;
	struct epoll_event ev;

	if (p->t.count[PARK_LIST_READY] > 0 && now_ms >= p->retry_ms)
		want |= EPOLLOUT;
	if (want == p->channel_events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.u64 = PARK_CHANNEL;
	if (epoll_ctl(p->ep, EPOLL_CTL_MOD, p->a->channel_fd, &ev) == 0)
		p->channel_events = want;
}

/* Hands the ready connections back, oldest first, while the channel
 * takes them. */
static void
park_flush(struct park *p, uint64_t now_ms)
{
	uint32_t slot;

	while (now_ms >= p->retry_ms &&
	    (slot = park_table_first(&p->t, PARK_LIST_READY)) != PARK_NONE) {
		struct park_entry *e = &p->t.e[slot];
		const struct handoff_part part = { e->msg, e->msg_len };

		if (handoff_send(p->a->channel_fd, &part, 1, e->fd,
		    e->file_fd) == 0) {
			p->returned++;
			park_drop(p, slot);
			continue;
		}
		if (errno == EAGAIN || errno == ENOBUFS)
			break;			/* EPOLLOUT says when */
		if (errno == ETOOMANYREFS) {
			p->retry_ms = now_ms + PARK_RETRY_MS;
			break;
		}
		log_warning_errno("park channel: cannot hand a connection "
		    "back; closing it");
		park_drop(p, slot);
	}
	park_channel_interest(p, now_ms);
}

static void
park_ready(struct park *p, uint32_t slot)
{
	park_unwatch(p, slot);
	park_table_ready(&p->t, slot);
}

/* Deadlines: back to a worker, which answers or closes as the service
 * says; the end of a lingering close's drain is the close itself. */
static void
park_expire(struct park *p, uint64_t now_ms)
{
	uint32_t slot;

	while ((slot = park_table_expired(&p->t, now_ms)) != PARK_NONE) {
		if (p->t.e[slot].kind == HANDOFF_CLOSING)
			park_drop(p, slot);
		else
			park_ready(p, slot);
	}
}

/* -1 when the parker must go: the master is gone. */
static int
park_event(struct park *p, const struct epoll_event *ev, uint64_t now_ms)
{
	struct park_entry *e;
	uint32_t slot = (uint32_t)ev->data.u64;

	if (ev->data.u64 == PARK_LIFELINE)
		return -1;
	if (ev->data.u64 == PARK_CHANNEL) {
		if (ev->events & EPOLLIN)
			park_take(p, now_ms);
		/* No worker end is left: only the master's death does that. */
		return ev->events & EPOLLHUP ? -1 : 0;
	}
	e = park_table_get(&p->t, slot, (uint32_t)(ev->data.u64 >> 32));
	if (e != NULL && e->list != PARK_LIST_READY)
		park_ready(p, slot);
	return 0;
}

/* ms until the next thing to do, or -1. */
static int
park_timeout(const struct park *p, uint64_t now_ms)
{
	uint64_t next = park_table_next_deadline(&p->t);

	if (p->t.count[PARK_LIST_READY] > 0 && p->retry_ms > now_ms &&
	    p->retry_ms < next)
		next = p->retry_ms;
	if ((p->t.used > 0) != p->reported_busy &&
	    p->rep.last_ms + PARK_REPORT_MIN_MS < next)
		next = p->rep.last_ms + PARK_REPORT_MIN_MS;
	if ((p->t.used > 0 || p->changed || p->rep.pending) &&
	    p->rep.last_ms + PARK_REPORT_MS < next)
		next = p->rep.last_ms + PARK_REPORT_MS;
	if (p->shed_idle + p->shed_reading + p->shed_sending > 0 &&
	    p->shed_log_ms + PARK_LOG_MS < next)
		next = p->shed_log_ms + PARK_LOG_MS;
	if (next == UINT64_MAX)
		return -1;
	if (next <= now_ms)
		return 0;
	return next - now_ms > INT32_MAX ? INT32_MAX : (int)(next - now_ms);
}

static __attribute__((noreturn)) void
park_exit(struct park *p, enum health_exit_reason why)
{
	for (int l = 0; l < PARK_LISTS; l++) {
		uint32_t slot;

		while ((slot = park_table_first(&p->t, (enum park_list)l)) !=
		    PARK_NONE)
			park_drop(p, slot);
	}
	park_shed_summary(p, clock_now_ms());
	park_report_now(p, HEALTH_EXITING, (uint8_t)why);
	if (why == HEALTH_EXIT_LIFELINE)
		log_notice("master %ld is gone; parker exiting",
		    (long)p->a->master_pid);
	_exit(why == HEALTH_EXIT_ERROR ? EXIT_FAILURE : EXIT_SUCCESS);
}

static int
park_epoll(struct park *p)
{
	struct epoll_event ev;

	if ((p->ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = PARK_LIFELINE;
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, p->a->lifeline_fd, &ev) != 0)
		return -1;
	ev.data.u64 = PARK_CHANNEL;
	p->channel_events = EPOLLIN;
	return epoll_ctl(p->ep, EPOLL_CTL_ADD, p->a->channel_fd, &ev);
}

static __attribute__((noreturn)) void
park_loop(struct park *p)
{
	struct epoll_event ev[PARK_MAX_EVENTS];

	for (;;) {
		uint64_t now_ms = clock_now_ms();
		int n;

		if (park_stop_requested && !p->retiring) {
			p->retiring = true;
			park_channel_interest(p, now_ms);
		}
		if (p->retiring && p->t.used == 0)
			park_exit(p, HEALTH_EXIT_STOP);
		n = epoll_pwait(p->ep, ev, PARK_MAX_EVENTS,
		    park_timeout(p, now_ms), &p->wait_mask);
		if (n < 0 && errno != EINTR) {
			log_error_errno("parker: epoll_pwait");
			park_exit(p, HEALTH_EXIT_ERROR);
		}
		now_ms = clock_now_ms();
		for (int i = 0; i < n; i++)
			if (park_event(p, &ev[i], now_ms) < 0)
				park_exit(p, HEALTH_EXIT_LIFELINE);
		park_expire(p, now_ms);
		park_flush(p, now_ms);
		park_report(p, now_ms);
	}
}

void
park_run(const struct park_args *a)
{
	static struct park p;

	memset(&p, 0, sizeof(p));
	p.a = a;
	p.ep = -1;
	report_init(&p.rep, a->health_fd, getpid(), a->cookie, a->generation,
	    HEALTH_ROLE_PARKER);
	switch (child_setup(park_on_stop, &p.wait_mask, a->master_pid)) {
	case -1:
		_exit(EXIT_FAILURE);
	case 1:
		_exit(EXIT_SUCCESS);
	}
	if (park_table_init(&p.t, park_capacity(a->cf)) != 0 ||
	    park_epoll(&p) != 0) {
		log_error_errno("parker setup");
		p.t.cap = 0;
		park_report_now(&p, HEALTH_EXITING, HEALTH_EXIT_ERROR);
		_exit(EXIT_FAILURE);
	}
	park_report_now(&p, HEALTH_READY, 0);
	park_loop(&p);
}
