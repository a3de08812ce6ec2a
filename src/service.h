/*
 * service - the table of services a worker can run on a connection.
 *
 * A service may have a site: what every connection needs and the master
 * prepares once, before the workers fork (and again on reload, before the
 * switch, so a bad site refuses the reload): the http service opens its
 * root directory and loads the MIME table there.  The workers inherit it.
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
	/* NULL when the service needs no site.  Else 0 with *site set, or
	 * -1 with a message in err. */
	int (*open_site)(const struct conf *cf, void **site, char *err,
	    size_t errlen);
	void (*close_site)(void *site);
	/* NULL, or: can this process (the serving user, once the master has
	 * dropped root) use the open site?  0, or -1 with a message. */
	int (*check_site)(const struct conf *cf, void *site, char *err,
	    size_t errlen);
	void (*handle)(struct conn *c, const struct conf *cf, void *site);
};

/* NULL if no service has that name. */
const struct service *service_find(const char *name);

/* The service's number, 1 and up, the same in every process of one
 * binary (a handoff names its service so); NULL for a number no service
 * has. */
unsigned service_number(const struct service *svc);
const struct service *service_by_number(unsigned n);

/* "echo, http": the names, for error messages. */
const char *service_names(void);

/* Opens svc's site for cf (NULL site when it needs none). */
int service_open_site(const struct service *svc, const struct conf *cf,
    void **site, char *err, size_t errlen);
void service_close_site(const struct service *svc, void *site);
int service_check_site(const struct service *svc, const struct conf *cf,
    void *site, char *err, size_t errlen);

void echo_handle(struct conn *c, const struct conf *cf, void *site);

int http_open_site(const struct conf *cf, void **site, char *err,
    size_t errlen);
void http_close_site(void *site);
int http_check_site(const struct conf *cf, void *site, char *err,
    size_t errlen);
void http_handle(struct conn *c, const struct conf *cf, void *site);

#endif
