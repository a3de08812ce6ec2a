/*
 * report - what a worker or the parker tells the master on the health
 * pipe.
 *
 * One struct report per process: its identity (pid, spawn cookie,
 * generation, role), the sequence number, and the last record it wrote.
 * report_send() stamps a record with all of that and the time, and
 * writes it in one write(2) (atomic: the record is far below PIPE_BUF).
 * The pipe is non-blocking: when it is full the record is kept, and
 * report_retry() sends it again later; since each record is a snapshot of
 * the process's state, the latest one is all that matters.
 */
#ifndef PREFORKD_REPORT_H
#define PREFORKD_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "health.h"

struct report {
	int fd;			/* the health pipe's write end */
	uint32_t pid;
	uint32_t cookie;
	uint32_t generation;
	uint8_t role;		/* enum health_role */
	uint32_t seq;
	uint64_t last_ms;	/* when the last record was written */
	bool pending;		/* the pipe refused `last`: send it again */
	struct health_record last;
};

void report_init(struct report *rp, int fd, pid_t pid, uint32_t cookie,
    uint32_t generation, uint8_t role);
/* Stamps r (identity, seq, time) and writes it. */
void report_send(struct report *rp, const struct health_record *r);
/* The refused record again, if there is one. */
void report_retry(struct report *rp);

#endif
