/*
 * board - the published scoreboard in shared memory, under a seqlock.
 *
 * Owns the mapping.  Only the master writes; workers only read, into
 * their own copy.  The sequence and the barriers use the compiler's
 * __atomic builtins: acquire/release on the sequence, and a full fence
 * between the copy and the second look at the sequence, as a seqlock
 * needs.  A reader copies only the rows in use.
 */
#include "config.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "board.h"
#include "score.h"

#define BOARD_READ_TRIES	100

struct board_shared {
	uint32_t seq;		/* odd: a write is under way */
	uint32_t parker_up;	/* board_set_parker_up() */
	struct board b;
};

static struct board_shared *board_map;

int
board_open(void)
{
	void *p = mmap(NULL, sizeof(*board_map), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	board_map = p;
	return 0;
}

void
board_close(void)
{
	if (board_map != NULL)
		(void)munmap(board_map, sizeof(*board_map));
	board_map = NULL;
}

void
board_publish(const struct score *s, const char *status)
{
	struct score_totals t;
	struct board *b;
	size_t n = 0;

	if (board_map == NULL)
		return;
	b = &board_map->b;
	__atomic_store_n(&board_map->seq, board_map->seq + 1,
	    __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (size_t i = 0; i < s->nslots && n < BOARD_MAX_WORKERS; i++) {
		const struct score_slot *w = &s->slot[i];
		struct board_worker *o = &b->w[n];

		if (w->state == SCORE_EMPTY)
			continue;
		o->pid = w->pid;
		o->generation = w->generation;
		o->role = w->role;
		o->state = (uint8_t)w->state;
		o->retiring = w->retiring;
		o->served = w->served;
		o->busy_since_ms = w->state == SCORE_BUSY ? w->busy_since_ms : 0;
		o->client = w->client;
		o->parked = w->parked;
		o->shed = w->shed;
		o->held = w->held;
		o->held_reading = w->held_reading;
		o->held_sending = w->held_sending;
		n++;
	}
	b->nworkers = n;
	score_totals(s, &t);
	b->served = t.served;
	b->crashes = t.crashes;
	b->parked = t.parked;
	b->cut = t.cut;
	b->shed = t.shed;
	b->held = t.held;
	snprintf(b->status, sizeof(b->status), "%s", status);
	__atomic_store_n(&board_map->seq, board_map->seq + 1,
	    __ATOMIC_RELEASE);
}

int
board_read(struct board *out)
{
	if (board_map == NULL)
		return -1;
	for (int tries = 0; tries < BOARD_READ_TRIES; tries++) {
		uint32_t before = __atomic_load_n(&board_map->seq,
		    __ATOMIC_ACQUIRE);

		size_t n;

		if (before & 1) {
			sched_yield();		/* the master is writing */
			continue;
		}
		n = __atomic_load_n(&board_map->b.nworkers, __ATOMIC_RELAXED);
		if (n > BOARD_MAX_WORKERS)
			n = BOARD_MAX_WORKERS;
		/* The header and the rows in use; the check below catches a
		 * count that changed meanwhile. */
		memcpy(out, &board_map->b, offsetof(struct board, w) +
		    n * sizeof(out->w[0]));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&board_map->seq, __ATOMIC_RELAXED) ==
		    before && out->nworkers <= BOARD_MAX_WORKERS)
			return 0;
	}
	return -1;
}

void
board_set_parker_up(bool up)
{
	if (board_map != NULL)
		__atomic_store_n(&board_map->parker_up, up ? 1u : 0u,
		    __ATOMIC_RELEASE);
}

bool
board_parker_up(void)
{
	return board_map != NULL &&
	    __atomic_load_n(&board_map->parker_up, __ATOMIC_ACQUIRE) != 0;
}
