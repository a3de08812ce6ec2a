/*
 * pool - pool size, retirement, hang kill, status line, scoreboard dump.
 *
 * Policy on top of the scoreboard (score.c keeps the books) and spawn.c
 * (forks, reaps and signals).  Everything here runs in the master's loop
 * with the time passed in.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "log.h"
#include "master.h"
#include "pool.h"
#include "service.h"
#include "spawn.h"

void
pool_grow(struct master *m)
{
	struct score_totals t;

	score_totals(&m->score, &t);
	if (t.pool >= CONF_WORKERS_MAX) {
		log_notice("SIGTTIN: already at the maximum of %d workers",
		    CONF_WORKERS_MAX);
		return;
	}
	if (score_add_slot(&m->score) < 0) {
		log_error_errno("SIGTTIN: cannot add a worker");
		return;
	}
	log_notice("SIGTTIN: %u workers wanted (was %u)", t.pool + 1, t.pool);
}

/* The worker in slot i may stay until deadline_ms, then is killed. */
static void
pool_retire_slot(struct master *m, size_t i, uint64_t now_ms)
{
	score_retire(&m->score, i, now_ms +
	    (uint64_t)m->cf->timeouts.graceful * 1000);
	(void)spawn_kill(m, i, SIGTERM);
}

void
pool_shrink(struct master *m, uint64_t now_ms)
{
	struct score_totals t;
	ssize_t i;

	score_totals(&m->score, &t);
	if ((i = score_drop_slot(&m->score)) < 0) {
		log_notice("SIGTTOU: already down to 1 worker");
		return;
	}
	if (m->score.slot[i].state == SCORE_EMPTY) {
		log_notice("SIGTTOU: %u workers wanted (was %u)", t.pool - 1,
		    t.pool);
		return;
	}
	log_notice_fields(SPAWN_WORKER_FIELDS(&m->score.slot[i]), "SIGTTOU: "
	    "%u workers wanted (was %u); worker %ld finishes and exits",
	    t.pool - 1, t.pool, (long)m->score.slot[i].pid);
	pool_retire_slot(m, (size_t)i, now_ms);
}

bool
pool_retire(struct master *m, uint64_t now_ms)
{
	bool serving = score_update_serving(&m->score);

	/* Only a reload makes workers retirable; then until it serves. */
	if (!serving && m->score.serving == m->score.generation)
		return false;
	if (serving)
		listen_close(&m->retired);
	for (size_t i = 0; i < m->score.nslots; i++)
		if (score_retirable(&m->score, i))
			pool_retire_slot(m, i, now_ms);
	return serving;
}

/*
 * SIGKILL for the worker in slot i, with the warning that says why:
 * SCORE_KILL_HANG, busy with no report for timeouts.hang (it is stuck);
 * SCORE_KILL_DEADLINE, still there at the graceful deadline of a stop or
 * of its retirement (the connection it keeps is cut); SCORE_KILL_START,
 * not ready SCORE_READY_MS after its fork.
 */
void
pool_kill(struct master *m, size_t i, enum score_kill why, uint64_t now_ms)
{
	struct score_slot *w = &m->score.slot[i];
	char client[ADDR_STR_MAX], host[ADDR_STR_MAX], doing[160];
	unsigned port;

	if (why == SCORE_KILL_HANG && w->role == HEALTH_ROLE_PARKER) {
		log_warning_fields(SPAWN_WORKER_FIELDS(w), "parker %ld hung: "
		    "no report for %llu ms while holding %lu connections "
		    "(timeouts.hang = %llu s); killing it", (long)w->pid,
		    (unsigned long long)(now_ms - w->last_report_ms),
		    (unsigned long)w->held,
		    (unsigned long long)(w->hang_ms / 1000));
	} else if (why == SCORE_KILL_HANG) {
		health_client_format(&w->client, client, sizeof(client));
		port = health_client_host(&w->client, host, sizeof(host));
		log_warning_fields(LOG_FIELDS(SPAWN_WORKER_FIELD_LIST(w),
		    LOG_STR("REMOTE_ADDR", host),
		    LOG_U64("REMOTE_PORT", port)),
		    "worker %ld hung: serving %s to %s for %llu ms, no "
		    "progress for %llu ms (timeouts.hang = %llu s); killing it",
		    (long)w->pid, m->svc->name, client,
		    (unsigned long long)(now_ms - w->busy_since_ms),
		    (unsigned long long)(now_ms - w->last_report_ms),
		    (unsigned long long)(w->hang_ms / 1000));
	} else if (why == SCORE_KILL_START) {
		log_warning_fields(SPAWN_WORKER_FIELDS(w), "%s %ld not ready "
		    "%llu ms after its start; killing it (a startup fault)",
		    score_role_name(w), (long)w->pid,
		    (unsigned long long)(now_ms - w->started_ms));
	} else {
		score_describe_work(w, now_ms, doing, sizeof(doing));
		log_warning_fields(SPAWN_WORKER_FIELDS(w), "%s %ld of "
		    "generation %lu still running at the graceful deadline "
		    "(%d s), %s; killing it", score_role_name(w), (long)w->pid,
		    (unsigned long)w->generation, m->cf->timeouts.graceful,
		    doing);
	}
	w->killed = why;
	(void)spawn_kill(m, i, SIGKILL);
}

void
pool_chores(struct master *m, uint64_t now_ms)
{
	for (size_t i = 0; i < m->score.nslots; i++) {
		const struct score_slot *w = &m->score.slot[i];

		if (w->state == SCORE_EMPTY || w->killed != SCORE_KILL_NONE)
			continue;
		if (w->state == SCORE_BUSY && now_ms >= w->last_report_ms &&
		    now_ms - w->last_report_ms >= w->hang_ms)
			pool_kill(m, i, SCORE_KILL_HANG, now_ms);
		else if (w->state == SCORE_STARTING &&
		    now_ms >= w->started_ms + SCORE_READY_MS)
			pool_kill(m, i, SCORE_KILL_START, now_ms);
		else if (w->retiring && now_ms >= w->retire_deadline_ms)
			pool_kill(m, i, SCORE_KILL_DEADLINE, now_ms);
	}
}

/* "; degraded: ..." or "; reloading: ...", or nothing. */
static bool
pool_trouble(const struct master *m, const struct score_totals *t,
    char *buf, size_t len)
{
	buf[0] = '\0';
	if (t->failing > 0) {
		snprintf(buf, len, "; degraded: %u of %u workers failing at "
		    "startup, retried with backoff (last: %s)", t->failing,
		    t->pool, m->last_fault[0] ? m->last_fault : "unknown");
		return true;
	}
	if (t->parker_failing) {
		snprintf(buf, len, "; degraded: the parker is failing at "
		    "startup, retried with backoff (last: %s)",
		    m->last_fault[0] ? m->last_fault : "unknown");
		return true;
	}
	if (m->capped) {
		snprintf(buf, len, "; degraded: %u of %u workers waiting for "
		    "the spawn-rate cap (%u a second)", t->down, t->pool,
		    m->spawn_cap.per_sec);
		return true;
	}
	if (m->score.serving != m->score.generation && m->score.serving > 0)
		snprintf(buf, len, "; reloading: %u of %u workers of "
		    "generation %lu ready", t->pool_ready, t->pool,
		    (unsigned long)m->score.generation);
	return false;
}

void
pool_status(struct master *m)
{
	struct score_totals t;
	char base[160], trouble[352];
	bool degraded;

	score_totals(&m->score, &t);
	score_status(&m->score, base, sizeof(base));
	degraded = pool_trouble(m, &t, trouble, sizeof(trouble));
	snprintf(m->status, sizeof(m->status), "%s%s", base, trouble);
	if (degraded && !m->degraded)
		log_warning("pool degraded: %s", m->status);
	else if (!degraded && m->degraded)
		log_notice("pool recovered: %s", m->status);
	m->degraded = degraded;
}

void
pool_dump(struct master *m, uint64_t now_ms)
{
	char line[256];

	pool_status(m);
	log_notice("scoreboard: %s", m->status);
	for (size_t i = 0; i < m->score.nslots; i++) {
		if (m->score.slot[i].state == SCORE_EMPTY)
			continue;
		score_format_slot(&m->score.slot[i], now_ms, line,
		    sizeof(line));
		log_notice_fields(SPAWN_WORKER_FIELDS(&m->score.slot[i]), "%s",
		    line);
	}
}
