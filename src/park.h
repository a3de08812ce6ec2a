/*
 * park - the parker: one process that holds the connections waiting for
 * their client, so that no worker has to.
 *
 * Workers yield to it under pressure (pressure.h): a keep-alive connection
 * between two requests, a request head that comes slowly, an echo stream
 * that pauses.  The parker watches them all with one epoll set, reads
 * nothing and writes nothing on them, and hands each back to the workers
 * (the park channel, handoff.h) as soon as its client sends a byte or
 * closes, or once its deadline passes (the worker then answers 408 or
 * closes it, as it would have itself).  It holds at most
 * parker.connections (fewer if its descriptor limit is lower); when full
 * it sheds the connection parked longest among the idle ones, then among
 * those reading a request, and says so in the log at most every 10 s.
 *
 * One parker per generation, supervised like a worker (a slot of the
 * scoreboard with the parker role; it reports on the health pipe, is
 * respawned when it dies, killed when it hangs).  TERM or INT: it takes no
 * more connections and leaves once it has handed back every one it holds
 * (each as its client speaks or its deadline comes).  QUIT, or EOF on the
 * lifeline: it closes them all and exits.  Never returns.
 */
#ifndef PREFORKD_PARK_H
#define PREFORKD_PARK_H

#include <stdint.h>
#include <sys/types.h>

struct conf;

struct park_args {
	const struct conf *cf;
	pid_t master_pid;
	int health_fd;		/* write end of the health pipe, non-blocking */
	int lifeline_fd;	/* read end of the lifeline: EOF = master gone */
	int channel_fd;		/* the park channel, the parker's end */
	uint32_t cookie;
	uint32_t generation;
};

__attribute__((noreturn)) void park_run(const struct park_args *a);

#endif
