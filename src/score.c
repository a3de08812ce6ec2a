/*
 * score - scoreboard bookkeeping.
 *
 * Owns the slot array and the counters that outlive workers (connections
 * served by gone workers, crashes).  Every function is pure apart from
 * allocation when the array grows.  Records are untrusted: score_apply
 * checks that the pid is live in a slot, the cookie is that spawn's, and
 * the sequence is newer than the last one applied; the caller decides how
 * loudly to say so.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "backoff.h"
#include "score.h"

#define SCORE_MIN_CAP	8

int
score_reserve(struct score *s, size_t more)
{
	size_t need = s->nslots + more, cap = s->cap;
	struct score_slot *p;

	if (need <= s->cap)
		return 0;
	if (cap < SCORE_MIN_CAP)
		cap = SCORE_MIN_CAP;
	while (cap < need)
		cap *= 2;
	if ((p = reallocarray(s->slot, cap, sizeof(*p))) == NULL)
		return -1;
	memset(p + s->cap, 0, (cap - s->cap) * sizeof(*p));
	s->slot = p;
	s->cap = cap;
	return 0;
}

/* A slot for the pool: an unused one if any, else a new one at the end. */
static size_t
score_claim(struct score *s, uint8_t role)
{
	size_t i;

	for (i = 0; i < s->nslots; i++)
		if (!s->slot[i].wanted && s->slot[i].state == SCORE_EMPTY)
			break;
	if (i == s->nslots)
		s->nslots++;		/* room was reserved */
	memset(&s->slot[i], 0, sizeof(s->slot[i]));
	s->slot[i].wanted = true;
	s->slot[i].role = role;
	return i;
}

int
score_init(struct score *s, size_t workers, bool parker)
{
	memset(s, 0, sizeof(*s));
	return score_reload(s, workers, parker);
}

void
score_free(struct score *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

int
score_reload(struct score *s, size_t workers, bool parker)
{
	if (score_reserve(s, workers + 1) != 0)
		return -1;
	for (size_t i = 0; i < s->nslots; i++)
		s->slot[i].wanted = false;
	for (size_t n = 0; n < workers; n++)
		(void)score_claim(s, HEALTH_ROLE_WORKER);
	if (parker)
		(void)score_claim(s, HEALTH_ROLE_PARKER);
	s->generation++;
	return 0;
}

ssize_t
score_add_slot(struct score *s)
{
	if (score_reserve(s, 1) != 0)
		return -1;
	return (ssize_t)score_claim(s, HEALTH_ROLE_WORKER);
}

/* Lower is dropped first. */
static int
score_drop_rank(const struct score_slot *w)
{
	switch (w->state) {
	case SCORE_EMPTY:	return 0;
	case SCORE_EXITING:	return 1;
	case SCORE_STARTING:	return 2;
	case SCORE_IDLE:	return 3;
	case SCORE_BUSY:	return 4;
	}
	return 5;
}

ssize_t
score_drop_slot(struct score *s)
{
	ssize_t pick = -1;
	size_t wanted = 0;

	for (size_t i = 0; i < s->nslots; i++) {
		if (!s->slot[i].wanted || s->slot[i].role != HEALTH_ROLE_WORKER)
			continue;
		wanted++;
		if (pick < 0 || score_drop_rank(&s->slot[i]) <=
		    score_drop_rank(&s->slot[pick]))
			pick = (ssize_t)i;
	}
	if (wanted <= 1)
		return -1;
	s->slot[pick].wanted = false;
	return pick;
}

static bool
score_slot_ready(const struct score *s, const struct score_slot *w)
{
	return w->generation == s->generation &&
	    (w->state == SCORE_IDLE || w->state == SCORE_BUSY);
}

bool
score_update_serving(struct score *s)
{
	if (s->serving == s->generation)
		return false;
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slot[i].wanted && !score_slot_ready(s, &s->slot[i]))
			return false;
	s->serving = s->generation;
	return true;
}

bool
score_retirable(const struct score *s, size_t i)
{
	const struct score_slot *w = &s->slot[i];

	return w->state != SCORE_EMPTY && !w->wanted && !w->retiring &&
	    w->generation != s->serving;
}

void
score_retire(struct score *s, size_t i, uint64_t deadline_ms)
{
	s->slot[i].retiring = true;
	s->slot[i].retire_deadline_ms = deadline_ms;
}

uint32_t
score_next_cookie(struct score *s, uint32_t random)
{
	if (random != 0 && random != s->last_cookie)
		s->last_cookie = random;
	else if (++s->last_cookie == 0)
		s->last_cookie = 1;
	return s->last_cookie;
}

bool
score_due(const struct score *s, size_t i, uint64_t now_ms)
{
	const struct score_slot *w = &s->slot[i];

	return w->wanted && w->state == SCORE_EMPTY && w->spawn_at_ms <= now_ms;
}

void
score_start(struct score *s, size_t slot, pid_t pid, uint32_t cookie,
    uint64_t hang_ms, uint64_t now_ms)
{
	struct score_slot *w = &s->slot[slot];

	w->state = SCORE_STARTING;
	w->pid = pid;
	w->cookie = cookie;
	w->generation = s->generation;
	w->hang_ms = hang_ms;
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
score_check(const struct score_slot *w, const struct health_record *r)
{
	if (w->cookie != r->cookie)
		return SCORE_STALE_COOKIE;
	if (w->reported && (int32_t)(r->seq - w->seq) <= 0)
		return SCORE_STALE_SEQ;
	if (w->state == SCORE_EXITING)
		return SCORE_AFTER_EXIT;
	if (r->role != w->role)
		return SCORE_WRONG_ROLE;
	return SCORE_APPLIED;
}

/*
 * When the connection began.  Both clocks are CLOCK_MONOTONIC, so the
 * worker's own time is kept (a progress report must not restart the
 * count), but only within the worker's life and never in the future.
 */
static uint64_t
score_busy_since(const struct score_slot *w, const struct health_record *r,
    uint64_t now_ms)
{
	if (r->busy_since_ms == 0 || r->busy_since_ms > now_ms)
		return now_ms;
	if (r->busy_since_ms < w->started_ms)
		return w->started_ms;
	return r->busy_since_ms;
}

enum score_result
score_apply(struct score *s, const struct health_record *r, uint64_t now_ms,
    size_t *slot_out)
{
	struct score_slot *w;
	enum score_result res;
	ssize_t i;

	if (r->pid > (uint32_t)INT32_MAX ||
	    (i = score_find(s, (pid_t)r->pid)) < 0)
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
	w->parked = r->parked;
	w->shed = r->shed;
	w->held = r->held;
	w->held_reading = r->held_reading;
	w->held_sending = r->held_sending;
	switch (r->state) {
	case HEALTH_READY:
	case HEALTH_IDLE:
		w->state = SCORE_IDLE;
		w->busy_since_ms = 0;
		break;
	case HEALTH_BUSY:
		w->state = SCORE_BUSY;
		w->busy_since_ms = score_busy_since(w, r, now_ms);
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
	case SCORE_WRONG_ROLE:		return "record of another role";
	}
	return "unknown";
}

uint64_t
score_vacate(struct score *s, size_t slot, bool crashed, uint64_t now_ms)
{
	struct score_slot *w = &s->slot[slot];
	bool served = w->served > 0 || w->state == SCORE_BUSY;
	/* Never ready: a startup fault however long it took (the start
	 * timeout), so the backoff grows as for any other. */
	uint64_t life = w->state != SCORE_STARTING && now_ms > w->started_ms ?
	    now_ms - w->started_ms : 0;
	uint64_t delay = backoff_after_exit(&w->failures, crashed, served, life);
	struct score_slot pool = {
		.wanted = w->wanted,
		.role = w->role,
		.failures = w->failures,
		.spawn_at_ms = now_ms + delay,
	};

	if (w->role == HEALTH_ROLE_PARKER) {
		s->shed += w->shed;
	} else {
		s->served += w->served;
		s->parked += w->parked;
		s->cut += w->shed;
	}
	if (crashed)
		s->crashes++;
	*w = pool;
	return delay;
}

/* A parker's part of the totals. */
static void
score_totals_parker(const struct score *s, const struct score_slot *w,
    struct score_totals *t)
{
	if (w->wanted) {
		t->parker_wanted = true;
		t->parker_failing = w->failures > 0 && !score_slot_ready(s, w);
	}
	if (w->state == SCORE_EMPTY)
		return;
	t->parkers++;
	t->held += w->held;
	t->held_reading += w->held_reading;
	t->held_sending += w->held_sending;
	t->shed += w->shed;
}

/* A worker's part of the totals. */
static void
score_totals_worker(const struct score *s, const struct score_slot *w,
    struct score_totals *t)
{
	if (w->wanted) {
		t->pool++;
		if (score_slot_ready(s, w))
			t->pool_ready++;
		if (w->state == SCORE_EMPTY)
			t->down++;
		/* Still failing until a worker proves it is ready, not only
		 * while the slot waits: a respawned one is still on trial. */
		if (w->failures > 0 && !score_slot_ready(s, w))
			t->failing++;
	}
	switch (w->state) {
	case SCORE_EMPTY:	return;
	case SCORE_STARTING:	t->starting++; break;
	case SCORE_IDLE:	t->idle++; break;
	case SCORE_BUSY:	t->busy++; break;
	case SCORE_EXITING:	t->exiting++; break;
	}
	t->workers++;
	t->served += w->served;
	t->parked += w->parked;
	t->cut += w->shed;
}

void
score_totals(const struct score *s, struct score_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->served = s->served;
	t->crashes = s->crashes;
	t->parked = s->parked;
	t->cut = s->cut;
	t->shed = s->shed;
	for (size_t i = 0; i < s->nslots; i++) {
		if (s->slot[i].role == HEALTH_ROLE_PARKER)
			score_totals_parker(s, &s->slot[i], t);
		else
			score_totals_worker(s, &s->slot[i], t);
	}
}

/* "; parker holds 12 (3 reading); 5 shed; 2 slow readers cut", the
 * parts that are not zero. */
static void
score_status_occupancy(const struct score_totals *t, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (t->held > 0)
		n += (size_t)snprintf(buf + n, len - n, "; parker holds %llu",
		    (unsigned long long)t->held);
	if (t->held_reading + t->held_sending > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, " (%llu reading, %llu "
		    "sending)", (unsigned long long)t->held_reading,
		    (unsigned long long)t->held_sending);
	if (t->shed > 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, "; %llu shed",
		    (unsigned long long)t->shed);
	if (t->cut > 0 && n < len)
		snprintf(buf + n, len - n, "; %llu slow reader%s cut",
		    (unsigned long long)t->cut, t->cut == 1 ? "" : "s");
}

bool
score_parker_up(const struct score *s)
{
	for (size_t i = 0; i < s->nslots; i++) {
		const struct score_slot *w = &s->slot[i];

		if (w->role == HEALTH_ROLE_PARKER && w->wanted &&
		    !w->retiring && (w->state == SCORE_IDLE ||
		    w->state == SCORE_BUSY))
			return true;
	}
	return false;
}

void
score_status(const struct score *s, char *buf, size_t len)
{
	struct score_totals t;
	char starting[32] = "", exiting[32] = "", occupancy[128];

	score_totals(s, &t);
	if (t.starting > 0)
		snprintf(starting, sizeof(starting), ", %u starting",
		    t.starting);
	if (t.exiting > 0)
		snprintf(exiting, sizeof(exiting), ", %u exiting", t.exiting);
	score_status_occupancy(&t, occupancy, sizeof(occupancy));
	snprintf(buf, len, "%u worker%s: %u busy, %u idle%s%s; "
	    "%llu served; %llu crash%s%s", t.workers, t.workers == 1 ? "" : "s",
	    t.busy, t.idle, starting, exiting, (unsigned long long)t.served,
	    (unsigned long long)t.crashes, t.crashes == 1 ? "" : "es",
	    occupancy);
}

void
score_describe_work(const struct score_slot *w, uint64_t now_ms, char *buf,
    size_t len)
{
	char client[ADDR_STR_MAX];

	if (!w->reported) {
		snprintf(buf, len, "before it was ready");
	} else if (w->role == HEALTH_ROLE_PARKER) {
		snprintf(buf, len, "while %s, holding %lu connection%s",
		    score_state_name(w->state), (unsigned long)w->held,
		    w->held == 1 ? "" : "s");
	} else if (w->state == SCORE_BUSY) {
		health_client_format(&w->client, client, sizeof(client));
		snprintf(buf, len, "while serving %s for %llu ms", client,
		    (unsigned long long)(now_ms > w->busy_since_ms ?
		    now_ms - w->busy_since_ms : 0));
	} else {
		snprintf(buf, len, "while %s, after %llu connection%s",
		    w->state == SCORE_EXITING ? "exiting" : "idle",
		    (unsigned long long)w->served, w->served == 1 ? "" : "s");
	}
}

void
score_format_slot(const struct score_slot *w, uint64_t now_ms, char *buf,
    size_t len)
{
	char client[ADDR_STR_MAX];
	uint64_t busy = 0;

	if (w->role == HEALTH_ROLE_PARKER) {
		snprintf(buf, len, "parker %ld generation=%lu state=%s held=%lu "
		    "reading=%lu sending=%lu taken=%llu returned=%llu "
		    "shed=%llu%s", (long)w->pid, (unsigned long)w->generation,
		    score_state_name(w->state), (unsigned long)w->held,
		    (unsigned long)w->held_reading,
		    (unsigned long)w->held_sending,
		    (unsigned long long)w->parked,
		    (unsigned long long)w->served,
		    (unsigned long long)w->shed,
		    w->retiring ? " retiring" : "");
		return;
	}
	if (w->state == SCORE_BUSY && now_ms > w->busy_since_ms)
		busy = now_ms - w->busy_since_ms;
	health_client_format(&w->client, client, sizeof(client));
	snprintf(buf, len, "%ld generation=%lu state=%s served=%llu "
	    "busy_ms=%llu client=%s%s", (long)w->pid,
	    (unsigned long)w->generation, score_state_name(w->state),
	    (unsigned long long)w->served, (unsigned long long)busy, client,
	    w->retiring ? " retiring" : "");
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

const char *
score_role_name(const struct score_slot *w)
{
	return w->role == HEALTH_ROLE_PARKER ? "parker" : "worker";
}
