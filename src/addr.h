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

#endif
