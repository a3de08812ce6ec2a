/*
 * service - the table of services a worker can run on a connection.
 *
 * A service owns the connection from the moment it is handed over until it
 * is closed: it must end with conn_close() (lingering) or conn_abort().
 */
#ifndef PREFORKD_SERVICE_H
#define PREFORKD_SERVICE_H

#include <stddef.h>

struct conf;
struct conn;

struct service {
	const char *name;
	void (*handle)(struct conn *c, const struct conf *cf);
};

/* NULL if no service has that name. */
const struct service *service_find(const char *name);

/* "echo, http": the names, for error messages. */
const char *service_names(void);

void echo_handle(struct conn *c, const struct conf *cf);

#endif
