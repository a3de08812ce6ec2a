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

#include <stddef.h>

#include "addr.h"

struct conf;


struct listener {
	int fd;
	char name[ADDR_STR_MAX];	/* "127.0.0.1:8080", "[::]:8080" */
};

struct listeners {
	struct listener *l;
	size_t n;
};

/* 0 or -1 with a message in err ("cannot listen on ADDR: reason"). */
int listen_open(const struct conf *cf, struct listeners *out, char *err,
    size_t errlen);
void listen_close(struct listeners *ls);

#endif
