/*
 * master - the supervising process: never serves a client.
 *
 * master_run() takes over once the listeners are open: it forks the
 * workers, then loops on poll() over a signalfd and the health pipe, with
 * a timer for respawns, the once-a-second chores (hang kill, retirement
 * deadlines, the status line) and the stop deadline.  It returns the
 * process exit status (0 after a clean stop).
 *
 * The configuration and the listeners are main()'s; a reload replaces
 * their contents in place, so main() frees whatever is current at the end.
 */
#ifndef PREFORKD_MASTER_H
#define PREFORKD_MASTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backoff.h"
#include "board.h"
#include "health.h"
#include "listen.h"
#include "score.h"

#define MASTER_HEALTH_RECORDS	256	/* health records per read */

struct conf;
struct conf_overrides;
struct service;


enum master_phase {
	MASTER_RUNNING,
	MASTER_STOPPING,	/* graceful: workers finish the connection */
	MASTER_HALTING,		/* fast: workers exit now */
};

struct master {
	struct conf *cf;		/* the current configuration */
	const struct conf_overrides *ov;	/* the command line's, on reload */
	const struct service *svc;
	void *site;			/* svc's, for the current generation */
	struct listeners *ls;		/* the current generation's */
	struct listeners retired;	/* dropped by a reload, still open */
	struct score score;
	struct ratecap spawn_cap;	/* forks, all slots together */
	pid_t pid;
	int sigfd;
	int health_rd;
	int health_wr;
	int lifeline_rd;	/* workers' end */
	int lifeline_wr;	/* only the master holds it: EOF = master gone */
	int park_workers;	/* the park channel: the workers' end */
	int park_parker;	/* and the parkers' end, until a stop */
	enum master_phase phase;
	bool bad_config;		/* master_init: the file cannot work */
	/* Health records read, and a part of one that waits for the rest. */
	uint8_t health_buf[MASTER_HEALTH_RECORDS * HEALTH_RECORD_SIZE];
	size_t health_len;
	uint64_t bad_health_log_ms;	/* the last bad-record warning */
	uint64_t bad_health_bytes;	/* dropped since */
	uint64_t deadline_ms;	/* stop deadline; 0 when none */
	uint64_t chores_ms;	/* next hang and deadline check */
	bool killed;		/* stragglers got SIGKILL */
	bool capped;		/* a due spawn waits for the rate cap */
	bool degraded;		/* as last logged */
	bool board_dirty;	/* woke up since the last publishing */
	uint64_t board_ms;	/* no publishing before */
	uint64_t reload_ready_by; /* READY=1 at the latest; 0 when none due */
	char last_fault[256];	/* the last startup fault, for the status */
	char status[BOARD_STATUS_MAX];
};

int master_run(struct conf *cf, struct listeners *ls,
    const struct conf_overrides *ov);

#endif
