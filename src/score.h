/*
 * score - the scoreboard: what the master knows about each worker slot.
 *
 * Pure bookkeeping: no syscalls, no logging, time passed in by the caller.
 * A slot has two sides.  The pool side says whether the slot belongs to
 * the pool of the current generation (`wanted`: refilled whenever it is
 * empty) and, after startup faults, how long it must wait before it is
 * refilled (see backoff.h).  The worker side holds at most one worker,
 * identified by its pid AND its spawn cookie.
 *
 * Health records are applied only when pid, cookie and sequence agree with
 * the slot, so a record from a dead worker whose pid was reused, or one
 * that arrives out of order, is rejected with a reason the caller can log.
 * waitpid() is the truth about death (score_vacate); records are the truth
 * about work (score_apply).
 *
 * Roles: a slot holds a worker or the parker (park.h); a generation has
 * its workers' slots and, unless parker.connections is 0, one parker
 * slot.  The parker is supervised like a worker (respawned, backed off,
 * killed when it hangs, retired at a reload) but is no worker: the counts
 * of workers, TTIN and TTOU leave it out.
 *
 * Generations: score_reload() starts generation N+1 with a pool of fresh
 * slots and takes the old slots out of the pool, but their workers keep
 * serving: they become retirable only once generation N+1 serves, that is
 * once every slot of its pool has a worker that reported ready
 * (score_update_serving).  Workers of a generation that never served are
 * retirable at once.  The array grows as needed, so old and new workers
 * live side by side during a reload.
 */
#ifndef PREFORKD_SCORE_H
#define PREFORKD_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "health.h"

enum score_state {
	SCORE_EMPTY = 0,
	SCORE_STARTING,		/* forked, not yet ready */
	SCORE_IDLE,		/* waiting in accept() */
	SCORE_BUSY,		/* serving a client */
	SCORE_EXITING,		/* said it is leaving */
};

/* A worker (or parker) does little before it reports ready: one that is
 * not ready this long after its fork is stuck, and killed (a startup
 * fault, with the crash backoff). */
#define SCORE_READY_MS	10000

/* Why the master killed a worker, if it did. */
enum score_kill {
	SCORE_KILL_NONE = 0,
	SCORE_KILL_HANG,	/* busy with no report for timeouts.hang */
	SCORE_KILL_DEADLINE,	/* retiring past timeouts.graceful */
	SCORE_KILL_START,	/* not ready SCORE_READY_MS after its fork */
};

struct score_slot {
	/* The pool side: survives the worker. */
	bool wanted;			/* in the current pool */
	uint8_t role;			/* enum health_role */
	unsigned failures;		/* startup faults in a row */
	uint64_t spawn_at_ms;		/* not refilled before */

	/* The worker side: zeroed when the worker is reaped. */
	enum score_state state;
	pid_t pid;
	uint32_t cookie;
	uint32_t generation;
	uint32_t seq;			/* last sequence applied */
	bool reported;			/* any record applied yet */
	bool retiring;			/* told to finish and go */
	enum score_kill killed;
	uint64_t retire_deadline_ms;	/* killed if still alive then */
	uint64_t started_ms;
	uint64_t last_report_ms;
	uint64_t busy_since_ms;		/* 0 unless BUSY */
	uint64_t hang_ms;		/* its timeouts.hang (its generation's) */
	uint64_t served;
	struct health_client client;	/* current or last client */
	uint8_t exit_reason;		/* enum health_exit_reason */
	uint64_t parked;		/* as in struct health_record */
	uint64_t shed;
	uint32_t held;			/* the parker's, now */
	uint32_t held_reading;
	uint32_t held_sending;
};

struct score {
	struct score_slot *slot;
	size_t nslots;			/* ever used (never shrinks) */
	size_t cap;			/* allocated */
	uint32_t generation;		/* of the current pool */
	uint32_t serving;		/* the last generation that served; 0 */
	uint32_t last_cookie;
	uint64_t served;		/* by workers that have gone */
	uint64_t crashes;
	uint64_t parked;		/* by workers that have gone */
	uint64_t cut;			/* by workers that have gone */
	uint64_t shed;			/* by parkers that have gone */
};

enum score_result {
	SCORE_APPLIED = 0,
	SCORE_UNKNOWN_PID,	/* no live worker has this pid */
	SCORE_STALE_COOKIE,	/* the pid belongs to another spawn */
	SCORE_STALE_SEQ,	/* not newer than the last record applied */
	SCORE_AFTER_EXIT,	/* the worker already said it is exiting */
	SCORE_WRONG_ROLE,	/* a parker's record for a worker, or back */
};

struct score_totals {
	unsigned workers;	/* every live worker, of any generation */
	unsigned starting, idle, busy, exiting;
	unsigned pool;		/* wanted worker slots */
	unsigned pool_ready;	/* of which hold a ready worker of this gen */
	unsigned down;		/* wanted worker slots with no worker */
	unsigned failing;	/* after startup faults, not ready since */
	uint64_t served;	/* by live and gone workers */
	uint64_t crashes;
	uint64_t parked;	/* given to the parker, by all workers */
	uint64_t cut;		/* slow readers cut, by all workers */
	/* The parker. */
	unsigned parkers;	/* live ones, of any generation */
	bool parker_wanted;	/* the current generation has one */
	bool parker_failing;	/* after startup faults, not ready since */
	uint64_t held;		/* connections the parkers hold */
	uint64_t held_reading;
	uint64_t held_sending;
	uint64_t shed;		/* by live and gone parkers */
};

/* Generation 1 with a pool of `workers` slots, and a parker slot if
 * parker.  -1: ENOMEM. */
int score_init(struct score *s, size_t workers, bool parker);
void score_free(struct score *s);

/* Room for `more` slots: then the next score_reload(s, more) cannot
 * fail.  -1: ENOMEM, nothing changed. */
int score_reserve(struct score *s, size_t more);
/*
 * Generation + 1 with a fresh pool of `workers` slots (and a parker slot
 * if parker); every slot of the old pool leaves it (its worker stays
 * until retired).  -1 (ENOMEM) leaves the scoreboard as it was.
 */
int score_reload(struct score *s, size_t workers, bool parker);
/* One slot more in the pool (TTIN): its index, or -1 (ENOMEM). */
ssize_t score_add_slot(struct score *s);
/*
 * One slot fewer (TTOU): the slot that left the pool, or -1 when the pool
 * has one slot.  An empty slot goes first, then an exiting worker, a
 * starting one, an idle one, a busy one last.  The caller retires its worker, if any.
 */
ssize_t score_drop_slot(struct score *s);

/* When every slot of the pool has a ready worker of the current
 * generation for the first time: records that it serves, returns true. */
bool score_update_serving(struct score *s);
/* A live worker outside the pool that may be told to go now. */
bool score_retirable(const struct score *s, size_t i);
/* The worker in slot i was told to finish and go, by deadline_ms. */
void score_retire(struct score *s, size_t i, uint64_t deadline_ms);

/* A fresh spawn cookie from random (the caller's getrandom()), so that no
 * worker can guess a sibling's and forge its records: random itself,
 * unless it is 0 or the last one used. */
uint32_t score_next_cookie(struct score *s, uint32_t random);

/* A wanted, empty slot whose wait is over. */
bool score_due(const struct score *s, size_t i, uint64_t now_ms);

/* Records a forked worker of the current generation in an EMPTY slot;
 * hang_ms is its timeouts.hang, kept for its whole life (a reload's new
 * timeouts are the next generation's). */
void score_start(struct score *s, size_t slot, pid_t pid, uint32_t cookie,
    uint64_t hang_ms, uint64_t now_ms);

/* Slot of the live worker with this pid, or -1. */
ssize_t score_find(const struct score *s, pid_t pid);

enum score_result score_apply(struct score *s, const struct health_record *r,
    uint64_t now_ms, size_t *slot_out);
const char *score_result_name(enum score_result res);

/*
 * The worker is gone (reaped).  crashed: it died of a signal or a
 * failure, the hang kill included (a stop or retirement deadline kill is
 * the caller's doing and is not a crash).  Returns the wait before the slot
 * may be refilled (the crash backoff), already recorded in spawn_at_ms.
 */
uint64_t score_vacate(struct score *s, size_t slot, bool crashed,
    uint64_t now_ms);

void score_totals(const struct score *s, struct score_totals *t);

/* Does a parker of the current generation take connections (it reported
 * ready and was not told to go)? */
bool score_parker_up(const struct score *s);

/* "4 workers: 1 busy, 3 idle; 1234 served; 0 crashes" (+ starting/exiting). */
void score_status(const struct score *s, char *buf, size_t len);

/* For the logs: "before it was ready", "while serving 1.2.3.4:5 for 120
 * ms", "while idle, after 3 connections", "while exiting, after ...";
 * for the parker "while holding 12 connections". */
void score_describe_work(const struct score_slot *w, uint64_t now_ms,
    char *buf, size_t len);

/*
 * One worker, for USR1 and the status page, beginning with its pid:
 * "1234 generation=2 state=busy served=17 busy_ms=1200 client=1.2.3.4:5"
 * plus " retiring" when it was told to go.  The parker's line begins with
 * "parker": "parker 1240 generation=2 state=busy held=12 reading=3
 * taken=40 returned=28 shed=0".
 */
void score_format_slot(const struct score_slot *w, uint64_t now_ms,
    char *buf, size_t len);

const char *score_state_name(enum score_state st);
/* "worker" or "parker", for the logs. */
const char *score_role_name(const struct score_slot *w);

#endif
