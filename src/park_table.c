/*
 * park_table - slots, three lists and a deadline heap.
 *
 * Owns the entry array (allocated once, with room for the parker's limit:
 * calloc, and slots are handed out from the front and set up when first
 * used, so a parker that holds few connections touches few pages), the
 * heap array and the messages of the entries it holds.  Pure apart from that allocation.
 * Lists are doubly linked through slot numbers, oldest at the head.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "park_table.h"

int
park_table_init(struct park_table *t, uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	if (cap == 0 || cap == PARK_NONE)
		return -1;
	t->e = calloc(cap, sizeof(*t->e));
	t->heap = calloc(cap, sizeof(*t->heap));
	if (t->e == NULL || t->heap == NULL) {
		park_table_free(t);
		return -1;
	}
	t->cap = cap;
	for (int l = 0; l < PARK_LISTS; l++)
		t->head[l] = t->tail[l] = PARK_NONE;
	t->free_head = PARK_NONE;
	return 0;
}

void
park_table_free(struct park_table *t)
{
	for (uint32_t i = 0; t->e != NULL && i < t->fresh; i++)
		free(t->e[i].msg);
	free(t->e);
	free(t->heap);
	memset(t, 0, sizeof(*t));
}

/* ---- lists ------------------------------------------------------------- */

static void
park_list_append(struct park_table *t, uint32_t s, enum park_list l)
{
	struct park_entry *e = &t->e[s];

	e->list = (uint8_t)l;
	e->next = PARK_NONE;
	e->prev = t->tail[l];
	if (t->tail[l] != PARK_NONE)
		t->e[t->tail[l]].next = s;
	else
		t->head[l] = s;
	t->tail[l] = s;
	t->count[l]++;
}

static void
park_list_unlink(struct park_table *t, uint32_t s)
{
	struct park_entry *e = &t->e[s];
	enum park_list l = (enum park_list)e->list;

	if (e->prev != PARK_NONE)
		t->e[e->prev].next = e->next;
	else
		t->head[l] = e->next;
	if (e->next != PARK_NONE)
		t->e[e->next].prev = e->prev;
	else
		t->tail[l] = e->prev;
	e->prev = e->next = PARK_NONE;
	t->count[l]--;
}

/* ---- the heap ---------------------------------------------------------- */

static bool
park_heap_before(const struct park_table *t, uint32_t a, uint32_t b)
{
	return t->e[t->heap[a]].deadline_ms < t->e[t->heap[b]].deadline_ms;
}

static void
park_heap_swap(struct park_table *t, uint32_t a, uint32_t b)
{
	uint32_t s = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = s;
	t->e[t->heap[a]].heap = a;
	t->e[t->heap[b]].heap = b;
}

static void
park_heap_up(struct park_table *t, uint32_t i)
{
	while (i > 0 && park_heap_before(t, i, (i - 1) / 2)) {
		park_heap_swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
park_heap_down(struct park_table *t, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->nheap && park_heap_before(t, l, m))
			m = l;
		if (r < t->nheap && park_heap_before(t, r, m))
			m = r;
		if (m == i)
			return;
		park_heap_swap(t, i, m);
		i = m;
	}
}

static void
park_heap_push(struct park_table *t, uint32_t s)
{
	t->heap[t->nheap] = s;
	t->e[s].heap = t->nheap++;
	park_heap_up(t, t->e[s].heap);
}

static void
park_heap_delete(struct park_table *t, uint32_t s)
{
	uint32_t i = t->e[s].heap, last = --t->nheap, moved;

	t->e[s].heap = PARK_NONE;
	if (i == last)
		return;
	moved = t->heap[last];
	t->heap[i] = moved;
	t->e[moved].heap = i;
	park_heap_up(t, i);
	park_heap_down(t, t->e[moved].heap);
}

/* ---- entries ----------------------------------------------------------- */

/* The list of a kind. */
static enum park_list
park_list_of(uint8_t kind)
{
	switch (kind) {
	case HANDOFF_READING:	return PARK_LIST_READING;
	case HANDOFF_SENDING:	return PARK_LIST_SENDING;
	case HANDOFF_CLOSING:	return PARK_LIST_CLOSING;
	}
	return PARK_LIST_IDLE;
}

uint32_t
park_table_add(struct park_table *t, int fd, int file_fd, uint8_t kind,
    uint64_t deadline_ms, uint64_t now_ms, uint8_t *msg, size_t msg_len)
{
	uint32_t s = t->free_head;
	struct park_entry *e;

	if (s != PARK_NONE) {
		e = &t->e[s];
		t->free_head = e->next;
	} else if (t->fresh < t->cap) {
		s = t->fresh++;
		e = &t->e[s];
	} else {
		return PARK_NONE;
	}
	e->fd = fd;
	e->file_fd = file_fd;
	e->serial = ++t->next_serial;
	e->kind = kind;
	e->deadline_ms = deadline_ms;
	e->since_ms = now_ms;
	e->msg = msg;
	e->msg_len = msg_len;
	park_list_append(t, s, park_list_of(kind));
	park_heap_push(t, s);
	t->used++;
	return s;
}

void
park_table_remove(struct park_table *t, uint32_t s, struct park_entry *out)
{
	struct park_entry *e = &t->e[s];

	park_list_unlink(t, s);
	if (e->heap != PARK_NONE)
		park_heap_delete(t, s);
	*out = *e;
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	e->file_fd = -1;
	e->heap = PARK_NONE;
	e->prev = PARK_NONE;
	e->next = t->free_head;
	t->free_head = s;
	t->used--;
}

void
park_table_ready(struct park_table *t, uint32_t s)
{
	struct park_entry *e = &t->e[s];

	if (e->list == PARK_LIST_READY)
		return;
	park_list_unlink(t, s);
	if (e->heap != PARK_NONE)
		park_heap_delete(t, s);
	park_list_append(t, s, PARK_LIST_READY);
}

struct park_entry *
park_table_get(struct park_table *t, uint32_t s, uint32_t serial)
{
	if (s >= t->fresh || t->e[s].fd < 0 || t->e[s].serial != serial)
		return NULL;
	return &t->e[s];
}

uint64_t
park_table_next_deadline(const struct park_table *t)
{
	return t->nheap > 0 ? t->e[t->heap[0]].deadline_ms : UINT64_MAX;
}

uint32_t
park_table_expired(const struct park_table *t, uint64_t now_ms)
{
	if (t->nheap == 0 || t->e[t->heap[0]].deadline_ms > now_ms)
		return PARK_NONE;
	return t->heap[0];
}

uint32_t
park_table_victim(const struct park_table *t)
{
	if (t->head[PARK_LIST_CLOSING] != PARK_NONE)
		return t->head[PARK_LIST_CLOSING];
	if (t->head[PARK_LIST_IDLE] != PARK_NONE)
		return t->head[PARK_LIST_IDLE];
	if (t->head[PARK_LIST_READING] != PARK_NONE)
		return t->head[PARK_LIST_READING];
	return t->head[PARK_LIST_SENDING];
}

uint32_t
park_table_first(const struct park_table *t, enum park_list l)
{
	return t->head[l];
}
