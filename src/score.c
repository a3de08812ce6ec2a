/*
 * score - scoreboard bookkeeping.
 *
 * Owns the slot array and the counters that outlive workers (connections
 * served by gone workers, crashes).  Every function is pure apart from
 * allocation in score_init.  Records are untrusted: score_apply checks that
 * the pid is live in a slot, the cookie is that spawn's, and the sequence is
 * newer than the last one applied; the caller decides how loudly to say so.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"

int
score_init(struct score *s, size_t nslots)
{
	memset(s, 0, sizeof(*s));
	s->slot = calloc(nslots, sizeof(*s->slot));
	if (s->slot == NULL)
		return -1;
	s->nslots = nslots;
	return 0;
}

void
score_free(struct score *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

uint32_t
score_next_cookie(struct score *s)
{
	if (++s->last_cookie == 0)
		s->last_cookie = 1;
	return s->last_cookie;
}

void
score_start(struct score *s, size_t slot, pid_t pid, uint32_t cookie,
    uint32_t generation, uint64_t now_ms)
{
	struct score_worker *w = &s->slot[slot];

	memset(w, 0, sizeof(*w));
	w->state = SCORE_STARTING;
	w->pid = pid;
	w->cookie = cookie;
	w->generation = generation;
	w->started_ms = now_ms;
	w->last_report_ms = now_ms;
}

ssize_t
score_find(const struct score *s, pid_t pid)
{
	if (pid <= 0)
		return -1;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slot[i].state != SCORE_EMPTY && s->slot[i].pid == pid)
			return (ssize_t)i;
	return -1;
}

static enum score_result
score_check(const struct score_worker *w, const struct health_record *r)
{
	if (w->cookie != r->cookie)
		return SCORE_STALE_COOKIE;
	if (w->reported && (int32_t)(r->seq - w->seq) <= 0)
		return SCORE_STALE_SEQ;
	if (w->state == SCORE_EXITING)
		return SCORE_AFTER_EXIT;
	return SCORE_APPLIED;
}

enum score_result
score_apply(struct score *s, const struct health_record *r, uint64_t now_ms,
    size_t *slot_out)
{
	ssize_t i = score_find(s, (pid_t)r->pid);
	struct score_worker *w;
	enum score_result res;

	if (i < 0 || r->pid > (uint32_t)INT32_MAX)
		return SCORE_UNKNOWN_PID;
	w = &s->slot[i];
	if ((res = score_check(w, r)) != SCORE_APPLIED)
		return res;
	if (slot_out != NULL)
		*slot_out = (size_t)i;
	w->reported = true;
	w->seq = r->seq;
	w->last_report_ms = now_ms;
	w->served = r->served;
	switch (r->state) {
	case HEALTH_READY:
	case HEALTH_IDLE:
		w->state = SCORE_IDLE;
		w->busy_since_ms = 0;
		break;
	case HEALTH_BUSY:
		w->state = SCORE_BUSY;
		w->busy_since_ms = now_ms;
		w->client = r->client;
		break;
	case HEALTH_EXITING:
		w->state = SCORE_EXITING;
		w->busy_since_ms = 0;
		w->exit_reason = r->reason != HEALTH_EXIT_NONE ?
		    r->reason : HEALTH_EXIT_ERROR;
		break;
	}
	return SCORE_APPLIED;
}

const char *
score_result_name(enum score_result res)
{
	switch (res) {
	case SCORE_APPLIED:		return "applied";
	case SCORE_UNKNOWN_PID:		return "unknown pid";
	case SCORE_STALE_COOKIE:	return "stale spawn cookie";
	case SCORE_STALE_SEQ:		return "stale sequence number";
	case SCORE_AFTER_EXIT:		return "record after exit";
	}
	return "unknown";
}

void
score_vacate(struct score *s, size_t slot, bool crashed)
{
	struct score_worker *w = &s->slot[slot];

	s->served += w->served;
	if (crashed)
		s->crashes++;
	memset(w, 0, sizeof(*w));
}

void
score_totals(const struct score *s, struct score_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->served = s->served;
	t->crashes = s->crashes;
	for (size_t i = 0; i < s->nslots; i++) {
		const struct score_worker *w = &s->slot[i];
		switch (w->state) {
		case SCORE_EMPTY:	continue;
		case SCORE_STARTING:	t->starting++; break;
		case SCORE_IDLE:	t->idle++; break;
		case SCORE_BUSY:	t->busy++; break;
		case SCORE_EXITING:	t->exiting++; break;
		}
		t->workers++;
		t->served += w->served;
	}
}

void
score_status(const struct score *s, char *buf, size_t len)
{
	struct score_totals t;
	char starting[32] = "", exiting[32] = "";

	score_totals(s, &t);
	if (t.starting > 0)
		snprintf(starting, sizeof(starting), ", %u starting",
		    t.starting);
	if (t.exiting > 0)
		snprintf(exiting, sizeof(exiting), ", %u exiting", t.exiting);
	snprintf(buf, len, "%u worker%s: %u busy, %u idle%s%s; "
	    "%llu served; %llu crash%s", t.workers, t.workers == 1 ? "" : "s",
	    t.busy, t.idle, starting, exiting, (unsigned long long)t.served,
	    (unsigned long long)t.crashes, t.crashes == 1 ? "" : "es");
}

const char *
score_state_name(enum score_state st)
{
	switch (st) {
	case SCORE_EMPTY:	return "empty";
	case SCORE_STARTING:	return "starting";
	case SCORE_IDLE:	return "idle";
	case SCORE_BUSY:	return "busy";
	case SCORE_EXITING:	return "exiting";
	}
	return "unknown";
}
