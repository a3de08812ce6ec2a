/*
 * spawn - fork, reap and respawn workers.
 *
 * Owns the child side of fork(): the new worker closes the master's private
 * descriptors (signalfd, the read end of the health pipe, the write end of
 * the lifeline), takes its title and runs worker_run(), which never
 * returns.  The parent records the spawn in the scoreboard.  Reaping trusts
 * waitpid() alone about death, logs each exit with its status or signal
 * and what the worker was doing, then frees the slot.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "master.h"
#include "proctitle.h"
#include "spawn.h"
#include "worker.h"

static __attribute__((noreturn)) void
spawn_child(struct master *m, uint32_t cookie)
{
	struct worker_args a = {
		.cf = m->cf,
		.ls = m->ls,
		.svc = m->svc,
		.master_pid = m->pid,
		.health_fd = m->health_wr,
		.lifeline_fd = m->lifeline_rd,
		.cookie = cookie,
		.generation = m->generation,
	};

	log_reset_pid();
	close(m->sigfd);
	close(m->health_rd);
	close(m->lifeline_wr);
	proctitle_set("preforkd: worker", "preforkd-worker");
	worker_run(&a);
}

static int
spawn_worker(struct master *m, size_t slot, uint64_t now_ms)
{
	uint32_t cookie = score_next_cookie(&m->score);
	pid_t pid = fork();

	if (pid < 0) {
		log_error_errno("cannot fork a worker; retrying in %d ms",
		    SPAWN_STARTUP_FAIL_DELAY_MS);
		m->spawn_at[slot] = now_ms + SPAWN_STARTUP_FAIL_DELAY_MS;
		return -1;
	}
	if (pid == 0)
		spawn_child(m, cookie);
	score_start(&m->score, slot, pid, cookie, m->generation, now_ms);
	log_debug("worker %ld started in slot %zu", (long)pid, slot);
	return 0;
}

void
spawn_due(struct master *m, uint64_t now_ms)
{
	for (size_t i = 0; i < m->score.nslots; i++)
		if (m->score.slot[i].state == SCORE_EMPTY &&
		    m->spawn_at[i] <= now_ms)
			(void)spawn_worker(m, i, now_ms);
}

int
spawn_next_timeout(const struct master *m, uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < m->score.nslots; i++)
		if (m->score.slot[i].state == SCORE_EMPTY &&
		    m->spawn_at[i] < next)
			next = m->spawn_at[i];
	if (next == UINT64_MAX)
		return -1;
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

/* "while serving 1.2.3.4:5 for 120 ms", "while idle", "before it was ready". */
static void
spawn_describe_moment(const struct score_worker *w, uint64_t now_ms,
    char *buf, size_t len)
{
	char client[64];

	if (!w->reported) {
		snprintf(buf, len, "before it was ready");
	} else if (w->busy_since_ms != 0) {
		health_client_format(&w->client, client, sizeof(client));
		snprintf(buf, len, "while serving %s for %llu ms", client,
		    (unsigned long long)(now_ms - w->busy_since_ms));
	} else {
		snprintf(buf, len, "while idle, after %llu connections",
		    (unsigned long long)w->served);
	}
}

static void
spawn_log_exit(const struct master *m, const struct score_worker *w,
    int status, bool crashed, uint64_t now_ms)
{
	char how[96], when[128];

	spawn_describe_status(status, how, sizeof(how));
	spawn_describe_moment(w, now_ms, when, sizeof(when));
	if (m->phase != MASTER_RUNNING)
		log_info("worker %ld %s", (long)w->pid, how);
	else if (crashed)
		log_warning("worker %ld %s %s; respawning", (long)w->pid, how,
		    when);
	else if (w->exit_reason == HEALTH_EXIT_MAX_REQUESTS)
		log_info("worker %ld recycled after %llu connections",
		    (long)w->pid, (unsigned long long)w->served);
	else
		log_notice("worker %ld %s (%s); respawning", (long)w->pid, how,
		    health_exit_reason_name(w->exit_reason));
}

static void
spawn_reaped(struct master *m, pid_t pid, int status, uint64_t now_ms)
{
	ssize_t slot = score_find(&m->score, pid);
	bool crashed;
	const struct score_worker *w;

	if (slot < 0) {
		log_debug("reaped unknown child %ld", (long)pid);
		return;
	}
	w = &m->score.slot[slot];
	crashed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	spawn_log_exit(m, w, status, crashed, now_ms);
	m->spawn_at[slot] = now_ms;
	if (crashed && !w->reported)
		m->spawn_at[slot] += SPAWN_STARTUP_FAIL_DELAY_MS;
	score_vacate(&m->score, (size_t)slot, crashed);
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

unsigned
spawn_signal_all(struct master *m, int sig)
{
	unsigned n = 0;

	for (size_t i = 0; i < m->score.nslots; i++) {
		if (m->score.slot[i].state == SCORE_EMPTY)
			continue;
		if (kill(m->score.slot[i].pid, sig) == 0)
			n++;
		else if (errno != ESRCH)	/* ESRCH: dead, not reaped yet */
			log_warning_errno("kill %ld", (long)m->score.slot[i].pid);
	}
	return n;
}
