/*
 * master - the supervisor's event loop.
 *
 * Owns the signalfd, the health pipe's read end, the lifeline's write end
 * and the scoreboard.  One poll() waits on the signalfd and the health pipe,
 * with the nearest deadline (a due respawn, the next chores, the end of a
 * graceful stop) as its timeout.  The health pipe is drained in batches:
 * after each drain it rests MASTER_HEALTH_BATCH_MS, so a busy pool costs
 * the master a wake-up every few milliseconds, not two per connection.
 * A SIGCHLD drains it before reaping, so a worker's last record is
 * applied before its death is.  Signals are only ever read from the
 * signalfd: no handler runs here.  Policy lives in pool.c (pool size,
 * retirement, hang kill, status) and reload.c (HUP).
 *
 * The master also makes the park channel (handoff.h) and holds both its
 * ends, without ever reading or writing them: so the channel, and the
 * connections in flight on it, outlive any one worker or parker.  At a
 * graceful stop it lets go of the parkers' end, so that the workers see
 * the channel's EOF once the last parker has handed back what it held.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <sys/socket.h>
#include <unistd.h>

#include "board.h"
#include "clock.h"
#include "conf.h"
#include "fault.h"
#include "health.h"
#include "listen.h"
#include "log.h"
#include "master.h"
#include "notify.h"
#include "pool.h"
#include "privs.h"
#include "reload.h"
#include "service.h"
#include "spawn.h"

#define MASTER_PIPE_SIZE	(1 << 20)	/* room for bursts of records */
#define MASTER_HALT_GRACE_MS	5000		/* QUIT: then SIGKILL */
#define MASTER_KILL_WAIT_MS	5000		/* SIGKILL: then give up */
#define MASTER_DRAIN_READS	8	/* buffers read per wake-up, at most */
#define MASTER_BAD_LOG_MS	10000	/* between two bad-record warnings */
/* After a drain the health pipe rests this long: records are taken in
 * batches, not with a wake-up of the master for each (two per
 * connection); the pipe holds far more than arrives meanwhile. */
#define MASTER_HEALTH_BATCH_MS	10
#define MASTER_CHORES_MS	1000		/* hang and deadline checks */

static const int master_signals[] = {
	SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2,
	SIGTTIN, SIGTTOU,
};

/*
 * The master's signals are read from a signalfd, blocked; their
 * dispositions are reset first, whatever the launcher left: a SIGCHLD
 * inherited as ignored would have the kernel reap the workers itself and
 * send nothing, so that a dead worker would never be replaced.
 */
static int
master_open_signalfd(struct master *m)
{
	struct sigaction sa;
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(master_signals) / sizeof(int); i++)
		sigaddset(&set, master_signals[i]);
	/* Blocked first: one that comes meanwhile waits for the signalfd. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(master_signals) / sizeof(int); i++)
		if (sigaction(master_signals[i], &sa, NULL) != 0)
			return -1;
	m->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return m->sigfd < 0 ? -1 : 0;
}

static int
master_open_pipes(struct master *m)
{
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;
	m->health_rd = p[0];
	m->health_wr = p[1];
	/* Best effort: the default 64 KiB also works, with more retries. */
	(void)fcntl(m->health_wr, F_SETPIPE_SZ, MASTER_PIPE_SIZE);
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	m->lifeline_rd = p[0];
	m->lifeline_wr = p[1];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, p) != 0)
		return -1;
	m->park_workers = p[0];
	m->park_parker = p[1];
	return 0;
}

static void
master_close(struct master *m)
{
	int *fds[] = { &m->sigfd, &m->health_rd, &m->health_wr,
	    &m->lifeline_rd, &m->lifeline_wr, &m->park_workers,
	    &m->park_parker };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	listen_close(&m->retired);
	board_close();
	if (m->svc != NULL)
		service_close_site(m->svc, m->site);
	m->site = NULL;
	score_free(&m->score);
}

static int
master_init(struct master *m, struct conf *cf, struct listeners *ls,
    const struct conf_overrides *ov)
{
	char err[512];

	memset(m, 0, sizeof(*m));
	m->sigfd = m->health_rd = m->health_wr = -1;
	m->lifeline_rd = m->lifeline_wr = -1;
	m->park_workers = m->park_parker = -1;
	m->cf = cf;
	m->ov = ov;
	m->ls = ls;
	m->svc = service_find(cf->service);
	m->pid = getpid();
	if (m->svc == NULL) {
		log_error("service %s is not available", cf->service);
		return -1;
	}
	if (service_open_site(m->svc, cf, &m->site, err, sizeof(err)) != 0 ||
	    privs_drop(cf, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return -1;
	}
	/* As the serving user now: a root it cannot read is a bad file. */
	if (service_check_site(m->svc, cf, m->site, err, sizeof(err)) != 0) {
		log_error("%s", err);
		m->bad_config = true;
		return -1;
	}
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    master_open_signalfd(m) != 0 || master_open_pipes(m) != 0 ||
	    score_init(&m->score, (size_t)cf->workers,
	    cf->parker.connections > 0) != 0) {
		log_error_errno("cannot set up the master");
		return -1;
	}
	if (board_open() != 0)
		log_warning_errno("no shared scoreboard: the status page "
		    "will be empty");
	spawn_set_cap(m, (unsigned)cf->workers, clock_now_ms());
	notify_init(clock_now_ms());
	fault_announce();
	return 0;
}

static void
master_log_record(const struct health_record *r, enum score_result res)
{
	if (res == SCORE_APPLIED) {
		if (r->state == HEALTH_READY || r->state == HEALTH_EXITING)
			log_debug_fields(SPAWN_WORKER_FIELDS(r),
			    "worker %lu %s%s%s", (unsigned long)r->pid,
			    health_state_name(r->state),
			    r->state == HEALTH_EXITING ? ": " : "",
			    r->state == HEALTH_EXITING ?
			    health_exit_reason_name(r->reason) : "");
		return;
	}
	/* A record from a worker reaped a moment ago is routine. */
	log_debug("health record from pid %lu dropped: %s",
	    (unsigned long)r->pid, score_result_name(res));
}

/* Bytes that were no record (dropped of them, 0 from the chores): one
 * warning, then at most one every MASTER_BAD_LOG_MS with what was dropped
 * meanwhile, said by the chores once that time has passed. */
static void
master_bad_health(struct master *m, size_t dropped, uint64_t now_ms)
{
	m->bad_health_bytes += dropped;
	if (m->bad_health_bytes == 0 || (m->bad_health_log_ms != 0 &&
	    now_ms - m->bad_health_log_ms < MASTER_BAD_LOG_MS))
		return;
	log_warning("health pipe: dropped %llu bytes that were no record; "
	    "reading on from the next record (said at most every %d s)",
	    (unsigned long long)m->bad_health_bytes, MASTER_BAD_LOG_MS / 1000);
	m->bad_health_log_ms = now_ms;
	m->bad_health_bytes = 0;
}

/*
 * Applies the whole records at the start of buf; returns how many bytes
 * it used (the rest, less than a record, waits for the next read).  Bytes
 * that are no record (written by no worker, or out of step) are skipped
 * up to where a record may begin again.
 */
static size_t
master_apply_records(struct master *m, const uint8_t *buf, size_t len,
    uint64_t now_ms)
{
	size_t off = 0;

	while (len - off >= HEALTH_RECORD_SIZE) {
		struct health_record r;
		size_t skip;

		if (health_decode(buf + off, len - off, &r) ==
		    HEALTH_DECODE_OK) {
			master_log_record(&r, score_apply(&m->score, &r,
			    now_ms, NULL));
			off += HEALTH_RECORD_SIZE;
			continue;
		}
		skip = health_resync(buf + off, len - off);
		master_bad_health(m, skip, now_ms);
		off += skip;
	}
	return off;
}

/*
 * Reads what the workers reported: at most MASTER_DRAIN_READS buffers per
 * wake-up, so that a worker writing in a loop cannot keep the master from
 * its other work (the rest is read at the next turn of the loop).  A
 * record split by a stray byte before it is put together again from two
 * reads.
 */
static void
master_drain_health(struct master *m, uint64_t now_ms)
{
	uint8_t *buf = m->health_buf;
	size_t cap = sizeof(m->health_buf);

	for (int reads = 0; reads < MASTER_DRAIN_READS; reads++) {
		size_t room = cap - m->health_len, used, len;
		ssize_t n = read(m->health_rd, buf + m->health_len, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				log_error_errno("health pipe read");
			return;
		}
		len = m->health_len + (size_t)n;
		used = master_apply_records(m, buf, len, now_ms);
		memmove(buf, buf + used, len - used);
		m->health_len = len - used;
		if ((size_t)n < room)
			return;		/* the pipe is empty */
	}
}

/* Retires what the current generation replaces; says when it serves.
 * Tells the workers at once whether a parker takes connections. */
static void
master_check_serving(struct master *m, uint64_t now_ms)
{
	char where[256];

	board_set_parker_up(m->phase == MASTER_RUNNING &&
	    score_parker_up(&m->score));
	if (m->phase != MASTER_RUNNING || !pool_retire(m, now_ms))
		return;
	listen_names(m->ls, where, sizeof(where));
	if (m->score.generation == 1)
		log_notice("ready: %d workers serving %s on %s",
		    m->cf->workers, m->svc->name, where);
	else
		log_notice("reloaded: generation %lu, %d workers serving %s "
		    "on %s", (unsigned long)m->score.generation,
		    m->cf->workers, m->svc->name, where);
	pool_status(m);
	m->reload_ready_by = 0;
	notify_ready(m->status, now_ms);
}

/* The status line while a stop drains the pool. */
static void
master_status_stopping(struct master *m, const struct score_totals *t)
{
	snprintf(m->status, sizeof(m->status), "stopping: %u worker%s, %u busy",
	    t->workers, t->workers == 1 ? "" : "s", t->busy);
}

static void
master_stop(struct master *m, bool fast, uint64_t now_ms)
{
	struct score_totals t;

	score_totals(&m->score, &t);
	master_status_stopping(m, &t);
	notify_stopping(m->status, now_ms);
	if (fast) {
		m->phase = MASTER_HALTING;
		m->deadline_ms = now_ms + MASTER_HALT_GRACE_MS;
		log_notice("fast stop: %u workers told to exit now", t.workers);
		spawn_signal_all(m, SIGQUIT);
		return;
	}
	m->phase = MASTER_STOPPING;
	m->deadline_ms = now_ms + (uint64_t)m->cf->timeouts.graceful * 1000;
	log_notice("graceful stop: %u workers, %u busy; waiting up to %d s",
	    t.workers, t.busy, m->cf->timeouts.graceful);
	/* INT, not TERM: the whole pool stops, so the workers serve what
	 * the parker hands back until its end of the channel is gone. */
	if (m->park_parker >= 0) {
		close(m->park_parker);
		m->park_parker = -1;
	}
	spawn_signal_all(m, SIGINT);
}

static void
master_on_signal(struct master *m, int sig, uint64_t now_ms)
{
	switch (sig) {
	case SIGCHLD:
		master_drain_health(m, now_ms);
		spawn_reap(m, now_ms);
		break;
	case SIGTERM:
	case SIGINT:
		if (m->phase == MASTER_RUNNING)
			master_stop(m, false, now_ms);
		else if (m->phase == MASTER_STOPPING)
			master_stop(m, true, now_ms);
		break;
	case SIGQUIT:
		if (m->phase != MASTER_HALTING)
			master_stop(m, true, now_ms);
		break;
	case SIGHUP:
		reload_run(m, now_ms);
		break;
	case SIGTTIN:
		if (m->phase == MASTER_RUNNING)
			pool_grow(m);
		break;
	case SIGTTOU:
		if (m->phase == MASTER_RUNNING)
			pool_shrink(m, now_ms);
		break;
	case SIGUSR1:
		pool_dump(m, now_ms);
		break;
	default:
		log_notice("SIG%s ignored", sigabbrev_np(sig) ?
		    sigabbrev_np(sig) : "?");
		break;
	}
}

static void
master_read_signals(struct master *m, uint64_t now_ms)
{
	struct signalfd_siginfo si;

	for (;;) {
		ssize_t n = read(m->sigfd, &si, sizeof(si));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si)) {
			if (n < 0 && errno != EAGAIN)
				log_error_errno("signalfd read");
			return;
		}
		master_on_signal(m, (int)si.ssi_signo, now_ms);
	}
}

static void
master_kill_stragglers(struct master *m, uint64_t now_ms)
{
	for (size_t i = 0; i < m->score.nslots; i++)
		if (m->score.slot[i].state != SCORE_EMPTY)
			pool_kill(m, i, SCORE_KILL_DEADLINE, now_ms);
	m->killed = true;
	m->deadline_ms = now_ms + MASTER_KILL_WAIT_MS;
}

/* The running master's timers; the poll timeout in ms. */
static int
master_tick_running(struct master *m, uint64_t now_ms)
{
	int timeout, spawn;

	spawn_due(m, now_ms);
	if (now_ms >= m->chores_ms) {
		pool_chores(m, now_ms);
		master_bad_health(m, 0, now_ms);
		reload_check_late(m, now_ms);
		pool_status(m);
		notify_status(m->status, now_ms);
		m->chores_ms = now_ms + MASTER_CHORES_MS;
	}
	if (m->board_dirty && now_ms >= m->board_ms) {
		pool_status(m);
		board_publish(&m->score, m->status);
		m->board_dirty = false;
		m->board_ms = now_ms + BOARD_PUBLISH_MS;
	}
	spawn = spawn_next_timeout(m, now_ms);
	timeout = (int)(m->chores_ms - now_ms);
	if (spawn >= 0 && spawn < timeout)
		timeout = spawn;
	if (m->board_dirty && (int)(m->board_ms - now_ms) < timeout)
		timeout = (int)(m->board_ms - now_ms);
	return timeout;
}

/* While stopping: the service manager gives the drain as long as it takes
 * (the stop deadline, then the SIGKILL wait, bounds it). */
static void
master_tick_stopping(struct master *m, const struct score_totals *t,
    uint64_t now_ms)
{
	uint64_t left = m->deadline_ms > now_ms ? m->deadline_ms - now_ms : 0;

	if (!m->killed)
		left += MASTER_KILL_WAIT_MS;
	notify_extend(left + MASTER_CHORES_MS, now_ms);
	master_status_stopping(m, t);
	notify_status(m->status, now_ms);
}

/* 1 when the master is done, with *status set; else 0 and *timeout. */
static int
master_tick(struct master *m, uint64_t now_ms, int *timeout, int *status)
{
	struct score_totals t;
	int watchdog = notify_watchdog(now_ms);

	if (m->phase == MASTER_RUNNING) {
		*timeout = master_tick_running(m, now_ms);
		if (watchdog >= 0 && watchdog < *timeout)
			*timeout = watchdog;
		return 0;
	}
	score_totals(&m->score, &t);
	if (t.workers == 0) {
		*status = EXIT_SUCCESS;
		return 1;
	}
	if (now_ms >= m->deadline_ms) {
		if (m->killed) {
			log_error("stop: %u workers survived SIGKILL; exiting",
			    t.workers);
			*status = EXIT_FAILURE;
			return 1;
		}
		master_kill_stragglers(m, now_ms);
	}
	master_tick_stopping(m, &t, now_ms);
	*timeout = (int)(m->deadline_ms - now_ms);
	if (*timeout > MASTER_CHORES_MS)
		*timeout = MASTER_CHORES_MS;
	if (watchdog >= 0 && watchdog < *timeout)
		*timeout = watchdog;
	return 0;
}

static int
master_loop(struct master *m)
{
	int status = EXIT_SUCCESS;
	uint64_t health_rest_until = 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = m->sigfd, .events = POLLIN },
			{ .fd = m->health_rd, .events = POLLIN },
		};
		int timeout;
		uint64_t now = clock_now_ms();

		if (master_tick(m, now, &timeout, &status))
			return status;
		if (now < health_rest_until) {
			pfd[1].fd = -1;		/* ignored by poll() */
			if ((int)(health_rest_until - now) < timeout)
				timeout = (int)(health_rest_until - now);
		}
		if (poll(pfd, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno("poll");
			return EXIT_FAILURE;
		}
		now = clock_now_ms();
		m->board_dirty = true;
		if (pfd[1].revents) {
			master_drain_health(m, now);
			health_rest_until = now + MASTER_HEALTH_BATCH_MS;
		}
		if (pfd[0].revents)
			master_read_signals(m, now);
		master_check_serving(m, now);
	}
}

int
master_run(struct conf *cf, struct listeners *ls,
    const struct conf_overrides *ov)
{
	struct master m;
	int status;

	if (master_init(&m, cf, ls, ov) != 0) {
		status = m.bad_config ? EX_CONFIG : EXIT_FAILURE;
		master_close(&m);
		return status;
	}
	log_notice("preforkd %s starting: %d workers, service %s",
	    PACKAGE_VERSION, cf->workers, m.svc->name);
	status = master_loop(&m);
	if (status == EXIT_FAILURE && m.phase == MASTER_RUNNING) {
		spawn_signal_all(&m, SIGTERM);	/* lifeline EOF follows */
	}
	master_close(&m);
	log_notice("stopped");
	return status;
}
