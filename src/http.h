/*
 * http - the pieces of the http service, as the driver (http.c) sees them.
 *
 * http.c owns the connection: it reads request heads, keeps the
 * connection alive or not, sends what a handler put in a struct
 * http_reply, and writes the access log.  The handlers fill the reply:
 * http_file.c for paths beneath the root (files, directory redirects and
 * index files), http_autoindex.c for directory listings, and
 * http_status_page.c for the scoreboard at status_path.
 */
#ifndef PREFORKD_HTTP_H
#define PREFORKD_HTTP_H

#include <stdbool.h>

#include "http_parse.h"
#include "http_reply.h"

struct conf;
struct conn;

/* What every connection of a generation shares, opened by the master. */
struct http_site {
	int rootfd;		/* the root directory, O_PATH */
};

void http_file_reply(const struct http_site *site, const struct conf *cf,
    const struct http_request *req, struct http_reply *rp);

/*
 * A listing of the open directory dirfd (which it closes), shown as
 * `shown` (the request path, still encoded, ending in '/'): 200 with an
 * HTML body, or an error status in rp.
 */
void http_autoindex_reply(int dirfd, struct http_str shown,
    struct http_reply *rp);

/* Is this request for the status page? */
bool http_status_page_wanted(const struct conf *cf,
    const struct http_request *req);
/* The page, for a loopback client; 404 for anyone else. */
void http_status_page_reply(const struct conn *c,
    const struct http_request *req, struct http_reply *rp);

#endif
