/*
 * listen - open the listening sockets described by the configuration.
 *
 * Owns the listener array.  Each address in `bind` gets one socket with
 * SO_REUSEADDR (a restarted daemon binds at once despite TIME_WAIT),
 * IPV6_V6ONLY for IPv6, SOCK_CLOEXEC and SOCK_NONBLOCK, bound to `port`
 * and listening with `backlog`.  On any failure every socket opened so far
 * is closed and the message says which address failed and why.
 *
 * Under socket activation the service manager owns the addresses: its
 * sockets are taken as they come (after checking that each is a listening
 * TCP socket) and kept across reloads, whatever the file says.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

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

/* The open listener named `name` in ls (NULL allowed), or NULL. */
static struct listener *
listen_find(struct listeners *ls, const char *name)
{
	for (size_t i = 0; ls != NULL && i < ls->n; i++)
		if (ls->l[i].fd >= 0 && strcmp(ls->l[i].name, name) == 0)
			return &ls->l[i];
	return NULL;
}

/* The port a listening socket is bound to, or -1. */
static int
listen_port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/*
 * Binding 127.0.0.1:P while our own 0.0.0.0:P still listens fails with
 * EADDRINUSE: say so, since the socket in the way is ours.
 */
static void
listen_explain_overlap(char *err, size_t errlen, int port,
    struct listeners *cur, struct listeners *old)
{
	struct listeners *sets[] = { cur, old };
	size_t n = strlen(err);

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; sets[k] != NULL && i < sets[k]->n; i++) {
			const struct listener *l = &sets[k]->l[i];

			if (l->fd < 0 || listen_port_of(l->fd) != port)
				continue;
			snprintf(err + n, errlen - n, " (this preforkd "
			    "still listens on %s: changing an address on the "
			    "same port takes a restart)", l->name);
			return;
		}
}

/* Closes what listen_reopen opened itself, and forgets the rest. */
static void
listen_undo(struct listeners *out, struct listener **from)
{
	for (size_t i = 0; i < out->n; i++)
		if (from[i] == NULL)
			close(out->l[i].fd);
	free(out->l);
	out->l = NULL;
	out->n = 0;
}

/* Checks one passed socket and names it; -1 with err set. */
static int
listen_adopt(int fd, const char *fdname, struct listener *l, char *err,
    size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[ADDR_STR_MAX];
	int flags;

	if (fdname == NULL || strcmp(fdname, "unknown") == 0)
		fdname = "";
	if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
		snprintf(err, errlen, "socket %d%s%s%s from the service "
		    "manager is not a listening TCP socket (preforkd needs "
		    "ListenStream= with an IP address or port, and Accept=no)",
		    fd, fdname[0] ? " (\"" : "", fdname, fdname[0] ? "\")" : "");
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		snprintf(err, errlen, "socket %d from the service manager: %s",
		    fd, strerror(errno));
		return -1;
	}
	addr_format((struct sockaddr *)&ss, len, addr, sizeof(addr));
	snprintf(l->name, sizeof(l->name), "%s%s%s%s", addr,
	    fdname[0] ? " (" : "", fdname, fdname[0] ? ")" : "");
	l->fd = fd;
	return 0;
}

int
listen_inherit(struct listeners *out, char *err, size_t errlen)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names);
	int rc = 1;

	out->l = NULL;
	out->n = 0;
	out->inherited = false;
	if (n <= 0) {
		if (n < 0)
			snprintf(err, errlen, "LISTEN_FDS: %s", strerror(-n));
		return n < 0 ? -1 : 0;
	}
	if ((out->l = calloc((size_t)n, sizeof(*out->l))) == NULL) {
		snprintf(err, errlen, "cannot allocate listeners: %s",
		    strerror(errno));
		rc = -1;
	}
	for (int i = 0; rc == 1 && i < n; i++) {
		if (listen_adopt(SD_LISTEN_FDS_START + i,
		    names != NULL ? names[i] : NULL, &out->l[i], err,
		    errlen) != 0)
			rc = -1;
		else
			out->n++;
	}
	for (int i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	if (rc < 0) {
		free(out->l);		/* the sockets stay systemd's */
		out->l = NULL;
		out->n = 0;
		return -1;
	}
	out->inherited = true;
	return 1;
}

/* Hands every inherited socket of cur over to out. */
static void
listen_keep_inherited(struct listeners *cur, struct listeners *out)
{
	*out = *cur;
	cur->l = NULL;
	cur->n = 0;
	cur->inherited = false;
}

int
listen_reopen(const struct conf *cf, struct listeners *cur,
    struct listeners *old, struct listeners *out, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct listener **from;

	if (cur != NULL && cur->inherited) {
		listen_keep_inherited(cur, out);
		return 0;
	}
	out->n = 0;
	out->inherited = false;
	out->l = calloc(cf->nbind, sizeof(*out->l));
	from = calloc(cf->nbind, sizeof(*from));
	if (out->l == NULL || from == NULL) {
		snprintf(err, errlen, "cannot allocate listeners: %s",
		    strerror(errno));
		free(out->l);
		free(from);
		out->l = NULL;
		return -1;
	}
	for (size_t i = 0; i < cf->nbind; i++) {
		struct listener *l = &out->l[i];
		int rc;

		if (listen_sockaddr(cf->bind[i], cf->port, &ss, &len) != 0) {
			snprintf(err, errlen, "cannot listen on %s: %s",
			    cf->bind[i], strerror(errno));
			listen_undo(out, from);
			free(from);
			return -1;
		}
		addr_format((struct sockaddr *)&ss, len, l->name,
		    sizeof(l->name));
		if ((from[i] = listen_find(cur, l->name)) == NULL)
			from[i] = listen_find(old, l->name);
		if (from[i] != NULL)
			rc = l->fd = from[i]->fd;	/* kept as it is */
		else
			rc = l->fd = listen_one(&ss, len, cf->backlog);
		if (rc < 0) {
			int saved = errno;

			snprintf(err, errlen, "cannot listen on %s: %s",
			    l->name, strerror(saved));
			if (saved == EADDRINUSE && from[i] == NULL)
				listen_explain_overlap(err, errlen, cf->port,
				    cur, old);
			listen_undo(out, from);
			free(from);
			return -1;
		}
		out->n++;
	}
	/*
	 * All opened: only now is anything kept changed, so a failure above
	 * left cur and old as they were.  listen() again on a listening
	 * socket only sets its queue length; it cannot fail on one.
	 */
	for (size_t i = 0; i < out->n; i++)
		if (from[i] != NULL) {
			(void)listen(out->l[i].fd, cf->backlog);
			from[i]->fd = -1;	/* now out's */
		}
	free(from);
	return 0;
}

int
listen_open(const struct conf *cf, struct listeners *out, char *err,
    size_t errlen)
{
	return listen_reopen(cf, NULL, NULL, out, err, errlen);
}

void
listen_retire(struct listeners *from, struct listeners *to)
{
	size_t n = 0;
	struct listener *l;

	for (size_t i = 0; i < from->n; i++)
		n += from->l[i].fd >= 0;
	l = n > 0 ? reallocarray(to->l, to->n + n, sizeof(*l)) : to->l;
	for (size_t i = 0; i < from->n; i++) {
		if (from->l[i].fd < 0)
			continue;
		if (l == NULL)			/* no room: close it now */
			close(from->l[i].fd);
		else
			l[to->n++] = from->l[i];
	}
	if (l != NULL)
		to->l = l;
	free(from->l);
	from->l = NULL;
	from->n = 0;
}

void
listen_names(const struct listeners *ls, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ls->n && n < len; i++) {
		int k;

		if (ls->l[i].fd < 0)
			continue;
		k = snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
		    ls->l[i].name);
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

void
listen_close(struct listeners *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		if (ls->l[i].fd >= 0)
			close(ls->l[i].fd);
	free(ls->l);
	ls->l = NULL;
	ls->n = 0;
}
