/*
 * addr - socket addresses as people read them: "192.0.2.7:8080",
 * "[2001:db8::1]:443".  The one formatter of the project: client addresses
 * in logs and records, listener names; and its inverse for journal fields,
 * which want the address and the port apart.  Pure apart from inet_ntop(3).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/*
 * inet_ntop of an AF_INET or AF_INET6 address, copied out first so that
 * no alignment is assumed of sa; NULL for any other family.
 */
static const char *
addr_format_host(const struct sockaddr *sa, socklen_t len, char *buf,
    socklen_t buflen, unsigned *port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (sa->sa_family == AF_INET && len >= sizeof(sin)) {
		memcpy(&sin, sa, sizeof(sin));
		*port = ntohs(sin.sin_port);
		return inet_ntop(AF_INET, &sin.sin_addr, buf, buflen);
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(sin6)) {
		memcpy(&sin6, sa, sizeof(sin6));
		*port = ntohs(sin6.sin6_port);
		return inet_ntop(AF_INET6, &sin6.sin6_addr, buf, buflen);
	}
	return NULL;
}

void
addr_format(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t buflen)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port = 0;

	if (buf == NULL || buflen == 0)
		return;
	if (sa == NULL || len < sizeof(sa->sa_family) ||
	    addr_format_host(sa, len, host, sizeof(host), &port) == NULL)
		snprintf(buf, buflen, "unknown");
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, buflen, "[%s]:%u", host, port);
	else
		snprintf(buf, buflen, "%s:%u", host, port);
}

/* The port after the last ':' of s: 1 to 5 digits up to the end, <= 65535. */
static const char *
addr_port_of(const char *s, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	size_t n;

	if (colon == NULL || (n = strlen(colon + 1)) == 0 || n > 5 ||
	    strspn(colon + 1, "0123456789") != n)
		return NULL;
	*port = (unsigned)strtoul(colon + 1, NULL, 10);
	return *port <= 65535 ? colon : NULL;
}

unsigned
addr_split(const char *s, char *host, size_t hostlen)
{
	const char *colon, *start = s, *end;
	unsigned port = 0;
	size_t len;

	if (host == NULL || hostlen == 0)
		return 0;
	colon = addr_port_of(s, &port);
	if (colon != NULL && s[0] == '[' && colon - s >= 2 && colon[-1] == ']') {
		start = s + 1;			/* "[v6]:port" */
		end = colon - 1;
	} else if (colon != NULL && s[0] != '[' &&
	    memchr(s, ':', (size_t)(colon - s)) == NULL) {
		end = colon;			/* "v4:port" */
	} else {
		port = 0;
		end = s + strlen(s);
	}
	len = (size_t)(end - start) < hostlen ? (size_t)(end - start) :
	    hostlen - 1;
	memcpy(host, start, len);
	host[len] = '\0';
	return port;
}
