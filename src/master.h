/*
 * master - the supervising process: never serves a client.
 *
 * master_run() takes over once the listeners are open: it forks the
 * workers, then loops on poll() over a signalfd and the health pipe, with
 * a timer for respawns and the stop deadline.  It returns the process exit
 * status (0 after a clean stop).
 */
#ifndef PREFORKD_MASTER_H
#define PREFORKD_MASTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "score.h"

struct conf;
struct listeners;
struct service;

enum master_phase {
	MASTER_RUNNING,
	MASTER_STOPPING,	/* graceful: workers finish the connection */
	MASTER_HALTING,		/* fast: workers exit now */
};

struct master {
	const struct conf *cf;
	const struct service *svc;
	const struct listeners *ls;
	struct score score;
	uint64_t *spawn_at;	/* per slot: no respawn before (monotonic ms) */
	pid_t pid;
	int sigfd;
	int health_rd;
	int health_wr;
	int lifeline_rd;	/* workers' end */
	int lifeline_wr;	/* only the master holds it: EOF = master gone */
	uint32_t generation;
	enum master_phase phase;
	uint64_t deadline_ms;	/* stop deadline; 0 when none */
	bool killed;		/* stragglers got SIGKILL */
	bool ready_logged;
};

int master_run(const struct conf *cf, const struct listeners *ls);

#endif
