/*
 * listen - open the listening sockets described by the configuration.
 *
 * Owns the listener array.  Each address in `bind` gets one socket with
 * SO_REUSEADDR (a restarted daemon binds at once despite TIME_WAIT),
 * IPV6_V6ONLY for IPv6, SOCK_CLOEXEC and SOCK_NONBLOCK, bound to `port`
 * and listening with `backlog`.  On any failure every socket opened so far
 * is closed and the message says which address failed and why.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "listen.h"

/* Fills sa from a numeric address; the config has already validated it. */
static int
listen_sockaddr(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

static int
listen_one(const struct sockaddr_storage *ss, socklen_t len, int backlog)
{
	int one = 1;
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (const struct sockaddr *)ss, len) != 0 ||
	    listen(fd, backlog) != 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
listen_open(const struct conf *cf, struct listeners *out, char *err,
    size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;

	out->n = 0;
	out->l = calloc(cf->nbind, sizeof(*out->l));
	if (out->l == NULL) {
		snprintf(err, errlen, "cannot allocate listeners: %s",
		    strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < cf->nbind; i++) {
		struct listener *l = &out->l[i];

		if (listen_sockaddr(cf->bind[i], cf->port, &ss, &len) != 0) {
			snprintf(err, errlen, "cannot listen on %s: %s",
			    cf->bind[i], strerror(errno));
			listen_close(out);
			return -1;
		}
		addr_format((struct sockaddr *)&ss, len, l->name,
		    sizeof(l->name));
		if ((l->fd = listen_one(&ss, len, cf->backlog)) < 0) {
			snprintf(err, errlen, "cannot listen on %s: %s",
			    l->name, strerror(errno));
			listen_close(out);
			return -1;
		}
		out->n++;
	}
	return 0;
}

void
listen_close(struct listeners *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		close(ls->l[i].fd);
	free(ls->l);
	ls->l = NULL;
	ls->n = 0;
}
