/*
 * score - the scoreboard: what the master knows about each worker slot.
 *
 * Pure bookkeeping: no syscalls, no logging, time passed in by the caller.
 * Slots are indexed 0..nslots-1; a slot is EMPTY or holds one worker,
 * identified by its pid AND its spawn cookie.  Health records are applied
 * only when pid, cookie and sequence agree with the slot, so a record from a
 * dead worker whose pid was reused, or one that arrives out of order, is
 * rejected with a reason the caller can log.  waitpid() is the truth about
 * death (score_vacate); records are the truth about work (score_apply).
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
	SCORE_EXITING,		/* said it is leaving, or was told to */
};

struct score_worker {
	enum score_state state;
	pid_t pid;
	uint32_t cookie;
	uint32_t generation;
	uint32_t seq;			/* last sequence applied */
	bool reported;			/* any record applied yet */
	uint64_t started_ms;
	uint64_t last_report_ms;
	uint64_t busy_since_ms;		/* 0 unless BUSY */
	uint64_t served;
	struct health_client client;	/* current or last client */
	uint8_t exit_reason;		/* enum health_exit_reason */
};

struct score {
	struct score_worker *slot;
	size_t nslots;
	uint32_t last_cookie;
	uint64_t served;		/* by workers that have gone */
	uint64_t crashes;
};

enum score_result {
	SCORE_APPLIED = 0,
	SCORE_UNKNOWN_PID,	/* no live worker has this pid */
	SCORE_STALE_COOKIE,	/* the pid belongs to another spawn */
	SCORE_STALE_SEQ,	/* not newer than the last record applied */
	SCORE_AFTER_EXIT,	/* the worker already said it is exiting */
};

struct score_totals {
	unsigned workers;	/* every non-empty slot */
	unsigned starting, idle, busy, exiting;
	uint64_t served;	/* by live and gone workers */
	uint64_t crashes;
};

int score_init(struct score *s, size_t nslots);		/* -1: ENOMEM */
void score_free(struct score *s);

/* A fresh spawn cookie, never 0 and never the last one used. */
uint32_t score_next_cookie(struct score *s);

/* Records a forked worker in an EMPTY slot. */
void score_start(struct score *s, size_t slot, pid_t pid, uint32_t cookie,
    uint32_t generation, uint64_t now_ms);

/* Slot of the live worker with this pid, or -1. */
ssize_t score_find(const struct score *s, pid_t pid);

enum score_result score_apply(struct score *s, const struct health_record *r,
    uint64_t now_ms, size_t *slot_out);
const char *score_result_name(enum score_result res);

/* The worker is gone (reaped); crashed: it died of a signal or failure. */
void score_vacate(struct score *s, size_t slot, bool crashed);

void score_totals(const struct score *s, struct score_totals *t);

/* "4 workers: 1 busy, 3 idle; 1234 served; 0 crashes" (+ starting/exiting). */
void score_status(const struct score *s, char *buf, size_t len);

const char *score_state_name(enum score_state st);

#endif
