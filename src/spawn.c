/*
 * spawn - fork, reap and respawn workers.
 *
 * Owns the child side of fork(): the new worker closes the master's private
 * descriptors (signalfd, the read end of the health pipe, the write end of
 * the lifeline, the listeners a reload retired, the parker's end of the
 * park channel), takes its title and runs worker_run(), which never
 * returns; a parker slot's child closes the listeners and the workers' end
 * of the channel instead and runs park_run().  The parent records the spawn in the
 * scoreboard.  Reaping trusts waitpid() alone about death, logs each exit
 * with its status or signal and what the worker was doing, then frees the
 * slot, which the scoreboard schedules for refilling.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "master.h"
#include "park.h"
#include "proctitle.h"
#include "spawn.h"
#include "worker.h"

#define SPAWN_CAP_MIN		16	/* forks a second, whatever the pool */

static __attribute__((noreturn)) void
spawn_worker_child(struct master *m, uint32_t cookie)
{
	struct worker_args a = {
		.cf = m->cf,
		.ls = m->ls,
		.svc = m->svc,
		.site = m->site,
		.master_pid = m->pid,
		.health_fd = m->health_wr,
		.lifeline_fd = m->lifeline_rd,
		.channel_fd = m->park_workers,
		.park = m->cf->parker.connections > 0,
		.cookie = cookie,
		.generation = m->score.generation,
	};

	close(m->park_parker);
	proctitle_set("preforkd: worker", "preforkd-worker");
	worker_run(&a);
}

static __attribute__((noreturn)) void
spawn_parker_child(struct master *m, uint32_t cookie)
{
	struct park_args a = {
		.cf = m->cf,
		.master_pid = m->pid,
		.health_fd = m->health_wr,
		.lifeline_fd = m->lifeline_rd,
		.channel_fd = m->park_parker,
		.cookie = cookie,
		.generation = m->score.generation,
	};

	for (size_t i = 0; i < m->ls->n; i++)
		close(m->ls->l[i].fd);
	close(m->park_workers);
	proctitle_set("preforkd: parker", "preforkd-parker");
	park_run(&a);
}

static __attribute__((noreturn)) void
spawn_child(struct master *m, size_t slot, uint32_t cookie)
{
	log_reset_pid();
	log_set_context(LOG_FIELDS(LOG_I64("WORKER_PID", getpid()),
	    LOG_U64("GENERATION", m->score.generation)));
	close(m->sigfd);
	close(m->health_rd);
	close(m->lifeline_wr);
	listen_close(&m->retired);
	if (m->score.slot[slot].role == HEALTH_ROLE_PARKER)
		spawn_parker_child(m, cookie);
	spawn_worker_child(m, cookie);
}

/*
 * The whole pool may be forked at once, twice over (a start and a reload
 * right after); beyond that, at most one pool a second, and never less
 * than SPAWN_CAP_MIN a second.
 */
void
spawn_set_cap(struct master *m, unsigned workers, uint64_t now_ms)
{
	unsigned rate = workers > SPAWN_CAP_MIN ? workers : SPAWN_CAP_MIN;

	if (m->spawn_cap.burst == 0)
		ratecap_init(&m->spawn_cap, 2 * workers + SPAWN_CAP_MIN, rate,
		    now_ms);
	else
		ratecap_set(&m->spawn_cap, 2 * workers + SPAWN_CAP_MIN, rate,
		    now_ms);
}

/* 32 random bits for a spawn cookie; 0 when the kernel has none to give
 * (score_next_cookie() then counts on). */
static uint32_t
spawn_random(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		return 0;
	return r;
}

static void
spawn_worker(struct master *m, size_t slot, uint64_t now_ms)
{
	uint32_t cookie = score_next_cookie(&m->score, spawn_random());
	pid_t pid = fork();

	if (pid < 0) {
		log_error_errno("cannot fork a %s; retrying in %d ms",
		    score_role_name(&m->score.slot[slot]),
		    SPAWN_FORK_FAIL_DELAY_MS);
		m->score.slot[slot].spawn_at_ms = now_ms +
		    SPAWN_FORK_FAIL_DELAY_MS;
		return;
	}
	if (pid == 0)
		spawn_child(m, slot, cookie);
	score_start(&m->score, slot, pid, cookie,
	    (uint64_t)m->cf->timeouts.hang * 1000, now_ms);
	log_debug_fields(SPAWN_WORKER_FIELDS(&m->score.slot[slot]),
	    "%s %ld started in slot %zu, generation %lu",
	    score_role_name(&m->score.slot[slot]), (long)pid, slot,
	    (unsigned long)m->score.generation);
}

void
spawn_due(struct master *m, uint64_t now_ms)
{
	m->capped = false;
	for (size_t i = 0; i < m->score.nslots; i++) {
		if (!score_due(&m->score, i, now_ms))
			continue;
		if (!ratecap_take(&m->spawn_cap, now_ms)) {
			m->capped = true;
			return;
		}
		spawn_worker(m, i, now_ms);
	}
}

int
spawn_next_timeout(struct master *m, uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < m->score.nslots; i++) {
		const struct score_slot *w = &m->score.slot[i];

		if (w->wanted && w->state == SCORE_EMPTY &&
		    w->spawn_at_ms < next)
			next = w->spawn_at_ms;
	}
	if (next == UINT64_MAX)
		return -1;
	if (m->capped)
		next = now_ms + ratecap_wait_ms(&m->spawn_cap, now_ms);
	return next <= now_ms ? 0 : (int)(next - now_ms);
}

/* "exited with status 1", "killed by signal 9 (Killed)". */
static void
spawn_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "ended with wait status %#x", status);
}

/* What happens to the slot now: "respawning", "respawning in 400 ms"... */
static void
spawn_describe_next(const struct score_slot *after, uint64_t delay_ms,
    char *buf, size_t len)
{
	if (!after->wanted)
		snprintf(buf, len, "not respawned: it was retired");
	else if (delay_ms == 0)
		snprintf(buf, len, "respawning");
	else
		snprintf(buf, len, "respawning in %llu ms (startup fault %u "
		    "in a row)", (unsigned long long)delay_ms, after->failures);
}

static void
spawn_log_exit(struct master *m, const struct score_slot *w,
    const struct score_slot *after, int status, bool crashed,
    uint64_t delay_ms, uint64_t now_ms)
{
	char how[96], when[128], next[96];

	spawn_describe_status(status, how, sizeof(how));
	score_describe_work(w, now_ms, when, sizeof(when));
	spawn_describe_next(after, delay_ms, next, sizeof(next));
	if (m->phase != MASTER_RUNNING)
		log_info_fields(SPAWN_WORKER_FIELDS(w), "%s %ld %s",
		    score_role_name(w), (long)w->pid, how);
	else if (w->killed == SCORE_KILL_DEADLINE)
		log_info_fields(SPAWN_WORKER_FIELDS(w), "%s %ld %s at the "
		    "graceful deadline", score_role_name(w), (long)w->pid, how);
	else if (w->killed == SCORE_KILL_HANG)
		log_notice_fields(SPAWN_WORKER_FIELDS(w), "hung %s %ld %s; "
		    "%s", score_role_name(w), (long)w->pid, how, next);
	else if (crashed)
		log_warning_fields(SPAWN_WORKER_FIELDS(w), "%s %ld %s %s; "
		    "%s", score_role_name(w), (long)w->pid, how, when, next);
	else if (w->exit_reason == HEALTH_EXIT_MAX_REQUESTS)
		log_info_fields(SPAWN_WORKER_FIELDS(w), "%s %ld recycled "
		    "after %llu connection%s; %s", score_role_name(w), (long)w->pid,
		    (unsigned long long)w->served, w->served == 1 ? "" : "s",
		    next);
	else if (w->retiring)
		log_info_fields(SPAWN_WORKER_FIELDS(w), "%s %ld of "
		    "generation %lu retired after %llu connection%s",
		    score_role_name(w), (long)w->pid, (unsigned long)w->generation,
		    (unsigned long long)w->served, w->served == 1 ? "" : "s");
	else
		log_notice_fields(SPAWN_WORKER_FIELDS(w), "%s %ld %s (%s); "
		    "%s", score_role_name(w), (long)w->pid, how,
		    health_exit_reason_name(w->exit_reason), next);
	if (crashed && delay_ms > 0)
		snprintf(m->last_fault, sizeof(m->last_fault), "%s %ld %s "
		    "%s", score_role_name(w), (long)w->pid, how, when);
}

static void
spawn_reaped(struct master *m, pid_t pid, int status, uint64_t now_ms)
{
	ssize_t slot = score_find(&m->score, pid);
	struct score_slot w;
	bool crashed;
	uint64_t delay;

	if (slot < 0) {
		log_debug("reaped unknown child %ld", (long)pid);
		return;
	}
	w = m->score.slot[slot];
	crashed = (!WIFEXITED(status) || WEXITSTATUS(status) != 0) &&
	    w.killed != SCORE_KILL_DEADLINE;
	delay = score_vacate(&m->score, (size_t)slot, crashed, now_ms);
	spawn_log_exit(m, &w, &m->score.slot[slot], status, crashed, delay,
	    now_ms);
}

void
spawn_reap(struct master *m, uint64_t now_ms)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			spawn_reaped(m, pid, status, now_ms);
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno != ECHILD)
			log_error_errno("waitpid");
		return;
	}
}

int
spawn_kill(struct master *m, size_t i, int sig)
{
	const struct score_slot *w = &m->score.slot[i];

	if (w->state == SCORE_EMPTY || w->pid <= 0)
		return -1;
	if (kill(w->pid, sig) == 0)
		return 0;
	if (errno != ESRCH)		/* ESRCH: dead, not reaped yet */
		log_warning_errno_fields(SPAWN_WORKER_FIELDS(w), "kill %ld",
		    (long)w->pid);
	return -1;
}

void
spawn_signal_all(struct master *m, int sig)
{
	for (size_t i = 0; i < m->score.nslots; i++)
		(void)spawn_kill(m, i, sig);
}
