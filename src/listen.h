/*
 * listen - the listening sockets: one per `bind` address on `port`.
 *
 * Sockets are close-on-exec and non-blocking (workers wait for them with
 * epoll and accept without blocking, so a stop request is never missed).
 * IPv6 sockets set IPV6_V6ONLY so "0.0.0.0" and "::" can share a port.
 * listen_open opens all or nothing; its error names the address and why.
 */
#ifndef PREFORKD_LISTEN_H
#define PREFORKD_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct conf;

#define LISTEN_NAME_MAX	(ADDR_STR_MAX + 64)

struct listener {
	int fd;
	/* "127.0.0.1:8080", "[::]:8080"; from systemd, "[::]:80 (http)" */
	char name[LISTEN_NAME_MAX];
};

struct listeners {
	struct listener *l;
	size_t n;
	bool inherited;		/* systemd's: kept as they are, for good */
};

/*
 * The sockets the service manager passed (sd_listen_fds, LISTEN_FDNAMES
 * for their names): 1 when out holds them all, made non-blocking and
 * close-on-exec; 0 when none were passed; -1 when one is not a listening
 * TCP socket (err says which), with nothing kept.
 */
int listen_inherit(struct listeners *out, char *err, size_t errlen);

/* 0 or -1 with a message in err ("cannot listen on ADDR: reason"). */
int listen_open(const struct conf *cf, struct listeners *out, char *err,
    size_t errlen);
/*
 * The listeners for a new configuration (reload).  Inherited sockets (cur
 * is from listen_inherit) are all kept and `port` and `bind` ignored.  An address that is
 * already open in cur, or in old (retired, not yet closed), keeps its
 * socket, with the new backlog, so no connection waiting on it is lost;
 * other addresses are opened.  0: out holds them all, and every socket
 * taken from cur or old has fd -1 there.  -1: cur and old are untouched,
 * whatever was opened is closed, and err says which address failed.
 */
int listen_reopen(const struct conf *cf, struct listeners *cur,
    struct listeners *old, struct listeners *out, char *err, size_t errlen);
/* Moves the sockets still open in from to the end of to (or closes them,
 * when there is no memory to keep them); from is empty. */
void listen_retire(struct listeners *from, struct listeners *to);
/* "ADDR, ADDR (NAME), ..." for the log; cut to fit len. */
void listen_names(const struct listeners *ls, char *buf, size_t len);
/* Closes every socket still open (fd >= 0) and empties ls. */
void listen_close(struct listeners *ls);

#endif
