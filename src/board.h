/*
 * board - the scoreboard as the workers can read it, for the status page.
 *
 * The master owns the scoreboard (score.c) in its private memory.  After
 * it wakes up (a record, a signal, a timer), it publishes a copy, at most
 * every BOARD_PUBLISH_MS, into a shared anonymous mapping made before the
 * first fork, so every worker sees it without asking.  Beyond
 * BOARD_MAX_WORKERS live workers (a 1024-worker pool in the middle of two
 * reloads) the rows of the last ones are left out.  Writes and reads go through a
 * sequence lock: the master bumps an odd sequence, copies, bumps it even;
 * a reader copies and retries until it saw the same even sequence before
 * and after.  Readers never block the master; the master never waits.
 */
#ifndef PREFORKD_BOARD_H
#define PREFORKD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"

#define BOARD_MAX_WORKERS	2112	/* 2 x CONF_WORKERS_MAX + room */
#define BOARD_PUBLISH_MS	100
#define BOARD_STATUS_MAX	512

struct score;

/* A worker's row, or the parker's (role). */
struct board_worker {
	int32_t pid;
	uint32_t generation;
	uint8_t role;			/* enum health_role */
	uint8_t state;			/* enum score_state */
	bool retiring;
	uint64_t served;
	uint64_t busy_since_ms;		/* 0 unless busy */
	struct health_client client;
	uint64_t parked;		/* as in struct score_slot */
	uint64_t shed;
	uint32_t held;
	uint32_t held_reading;
	uint32_t held_sending;
};

struct board {
	uint64_t served;
	uint64_t crashes;
	uint64_t parked;		/* struct score_totals' */
	uint64_t cut;
	uint64_t shed;
	uint64_t held;
	char status[BOARD_STATUS_MAX];
	size_t nworkers;
	struct board_worker w[BOARD_MAX_WORKERS];
};

/* Maps the shared board; in the master, before any fork.  0 or -1. */
int board_open(void);
void board_close(void);

/* The master: copies what the status page shows. */
void board_publish(const struct score *s, const char *status);

/* A worker: a consistent copy into out; -1 if none could be had. */
int board_read(struct board *out);

/*
 * Whether a parker of the current generation takes connections: the
 * master says so as soon as it changes (a word of its own, outside the
 * seqlock); a worker yields its clients only then, so while no parker
 * runs a worker keeps its client instead of leaving it in the channel.
 * false without a board.
 */
void board_set_parker_up(bool up);
bool board_parker_up(void);

#endif
