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

unsigned
addr_host(const struct sockaddr *sa, socklen_t len, char *host,
    size_t hostlen)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned port = 0;

	if (host == NULL || hostlen == 0)
		return 0;
	if (sa == NULL || len < sizeof(sa->sa_family) ||
	    addr_format_host(sa, len, buf, sizeof(buf), &port) == NULL) {
		snprintf(host, hostlen, "unknown");
		return 0;
	}
	snprintf(host, hostlen, "%s", buf);
	return port;
}
