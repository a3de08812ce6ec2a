/*
 * addr - format a socket address for logs: "1.2.3.4:5678", "[::1]:5678".
 */
#ifndef PREFORKD_ADDR_H
#define PREFORKD_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#define ADDR_STR_MAX 64		/* "[ffff:...:ffff]:65535" fits */

/* Anything but a whole AF_INET or AF_INET6 address gives "unknown". */
void addr_format(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t buflen);

/*
 * The address alone of sa ("192.0.2.7", "2001:db8::1"; "unknown" for any
 * other family) into host, always terminated and cut to hostlen; returns
 * the port (0 for "unknown").
 */
unsigned addr_host(const struct sockaddr *sa, socklen_t len, char *host,
    size_t hostlen);

#endif
