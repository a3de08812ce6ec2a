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
 * The address and the port of a string addr_format() wrote: "192.0.2.7"
 * and 8080 of "192.0.2.7:8080", "2001:db8::1" and 443 of
 * "[2001:db8::1]:443".  Anything else ("unknown") is copied whole as the
 * address, with port 0.  host is always terminated, cut to hostlen.
 */
unsigned addr_split(const char *s, char *host, size_t hostlen);

#endif
