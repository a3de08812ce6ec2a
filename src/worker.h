/*
 * worker - one pre-forked worker: accept a connection, serve it, report.
 *
 * A worker waits on every listener and on the lifeline pipe with epoll
 * (EPOLLEXCLUSIVE: one worker wakes per connection), accepts without
 * blocking, hands the connection to its service, and writes a health record
 * at each change of state.  It also waits on the park channel, for the
 * connections the parker hands back once their client spoke, and takes
 * them the same way.  TERM (a retirement): finish the connection in hand,
 * then exit.  INT (the whole pool stops): the same, then serve what the
 * parker still hands back, until no parker is left (the channel's EOF).
 * QUIT: exit now.  EOF on the lifeline (the master is gone): finish the
 * connection in hand, then exit.  Never returns.
 */
#ifndef PREFORKD_WORKER_H
#define PREFORKD_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct conf;
struct listeners;
struct service;

struct worker_args {
	const struct conf *cf;
	const struct listeners *ls;
	const struct service *svc;
	void *site;		/* the service's, prepared by the master */
	pid_t master_pid;
	int health_fd;		/* write end of the health pipe, non-blocking */
	int lifeline_fd;	/* read end of the lifeline: EOF = master gone */
	int channel_fd;		/* the park channel, workers' end */
	bool park;		/* this generation has a parker: yield to it */
	uint32_t cookie;	/* this spawn's identity on the health pipe */
	uint32_t generation;
};

__attribute__((noreturn)) void worker_run(const struct worker_args *a);

/* A service's question: was this worker asked to stop (TERM, INT)? */
bool worker_stopping(void);

#endif
