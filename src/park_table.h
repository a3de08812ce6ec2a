/*
 * park_table - the connections the parker holds: pure bookkeeping.
 *
 * Each entry is a descriptor (and, for a response that waits to be sent,
 * its file's) with the message it came with (kept as it came, to be
 * handed back unchanged), its kind, the deadline by which its client must
 * speak or read, and when it was parked.  The table answers the
 * parker's questions in O(log n) or better:
 *   - which deadline comes next (a binary heap on the deadline);
 *   - which connection goes first when the table is full: one in its
 *     lingering close (its answer is all sent: closing it only ends the
 *     drain early), else the one parked
 *     longest among the idle ones (nothing of a next request came), else
 *     among those reading a request, else among those sending a response
 *     (oldest first, so a trickle that has taken longest goes first);
 *   - which connections wait to be handed back (a FIFO of ready ones:
 *     their client spoke or their deadline passed, but the channel to the
 *     workers was full).
 * No syscalls: the caller closes descriptors and frees messages that
 * leave the table.  Slot numbers are stable while an entry lives; its
 * serial tells a reused slot from the entry an old event was about.
 */
#ifndef PREFORKD_PARK_TABLE_H
#define PREFORKD_PARK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PARK_NONE	UINT32_MAX	/* no slot */

enum park_list {
	PARK_LIST_CLOSING,
	PARK_LIST_IDLE,
	PARK_LIST_READING,
	PARK_LIST_SENDING,
	PARK_LIST_READY,
	PARK_LISTS,
};

struct park_entry {
	int fd;			/* -1: the slot is free */
	int file_fd;		/* a response's file, or -1 */
	uint32_t serial;	/* changes each time the slot is used */
	uint8_t kind;		/* enum handoff_kind */
	uint8_t list;		/* enum park_list */
	uint64_t deadline_ms;
	uint64_t since_ms;	/* parked */
	uint8_t *msg;		/* owned by the table while it holds it */
	size_t msg_len;
	uint32_t prev, next;	/* in its list */
	uint32_t heap;		/* position in the deadline heap; PARK_NONE
				   once ready */
};

struct park_table {
	struct park_entry *e;
	uint32_t cap;
	uint32_t used;
	uint32_t *heap;		/* slots of waiting entries, by deadline */
	uint32_t nheap;
	uint32_t fresh;		/* slots [fresh, cap) were never used */
	uint32_t free_head;	/* a free slot below fresh, chained through
				   next, or PARK_NONE */
	uint32_t head[PARK_LISTS], tail[PARK_LISTS];
	uint32_t count[PARK_LISTS];
	uint32_t next_serial;
};

/* Room for cap entries.  0, or -1 (ENOMEM). */
int park_table_init(struct park_table *t, uint32_t cap);
/* Frees the table; the entries' descriptors are the caller's to close
 * first (park_table_first() and park_table_remove() walk them). */
void park_table_free(struct park_table *t);

/*
 * Holds fd (and file_fd, or -1) with msg (the table now owns msg),
 * waiting until deadline_ms: its slot, or PARK_NONE when the table is
 * full.  The kind (enum handoff_kind) chooses the list.
 */
uint32_t park_table_add(struct park_table *t, int fd, int file_fd,
    uint8_t kind, uint64_t deadline_ms, uint64_t now_ms, uint8_t *msg,
    size_t msg_len);
/* The entry leaves the table; *e gets its descriptors and its message
 * (the caller owns them now). */
void park_table_remove(struct park_table *t, uint32_t slot,
    struct park_entry *e);
/* The entry is to be handed back: out of the heap, onto the ready FIFO. */
void park_table_ready(struct park_table *t, uint32_t slot);

/* The live entry in slot with that serial, or NULL. */
struct park_entry *park_table_get(struct park_table *t, uint32_t slot,
    uint32_t serial);
/* The earliest deadline of the entries still waiting; UINT64_MAX: none. */
uint64_t park_table_next_deadline(const struct park_table *t);
/* A waiting entry whose deadline has passed, or PARK_NONE. */
uint32_t park_table_expired(const struct park_table *t, uint64_t now_ms);
/* The entry to shed when the table is full, or PARK_NONE (nothing but
 * ready entries, which must not be lost). */
uint32_t park_table_victim(const struct park_table *t);
/* The oldest entry of a list, or PARK_NONE. */
uint32_t park_table_first(const struct park_table *t, enum park_list l);

#endif
