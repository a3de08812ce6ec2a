/*
 * conf - the configuration file, parsed and validated by libconfuse.
 *
 * conf_load() reads one file into a plain struct conf and frees every
 * libconfuse object before it returns, so nothing else in preforkd sees
 * libconfuse.  Strict: an unknown key, a wrong type, a value out of range or
 * a key set twice is an error.  Errors are written into the caller's buffer
 * as "FILE:LINE: KEY: reason" (or "cannot open FILE: reason"); logging them
 * and choosing the exit status is the caller's business.
 */
#ifndef PREFORKD_CONF_H
#define PREFORKD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONF_PORT_MIN		1
#define CONF_PORT_MAX		65535
#define CONF_WORKERS_MIN	1
#define CONF_WORKERS_MAX	1024

/* All in seconds, but min_rate. */
struct conf_timeouts {
	int read;		/* a request (http: whole header) / each echo read */
	int write;		/* each write that makes no progress */
	int keepalive;		/* idle between requests */
	int linger;		/* drain after shutdown(SHUT_WR) */
	int graceful;		/* stop/reload wait for busy workers */
	int hang;		/* busy with no report: killed */
	int min_rate;		/* bytes/s a slow reader must take while
				   others wait; 0: no minimum */
};

#define CONF_PARKER_MAX		1000000

/* The parker: connections that wait for their client, held for the
 * workers (park.h). */
struct conf_parker {
	int connections;	/* held at once, at most; 0: no parker */
};

#define CONF_HEADER_MIN		1024
#define CONF_HEADER_MAX		65536

/* The http service; unused by echo. */
struct conf_http {
	char *root;		/* absolute: relative ones joined to conf dir */
	int root_line;		/* where the file sets it; 0: the default */
	char *index;		/* a file name, no '/' */
	bool autoindex;
	bool dotfiles;		/* serve names beginning with '.' too */
	int keepalive_requests;	/* requests on one connection, at most */
	int max_header_size;	/* bytes of a request head, at most */
	char *status_path;	/* "" : no status page */
};

struct conf {
	char *path;		/* the file, as given */
	char *dir;		/* its directory: base of relative paths */
	int port;
	char **bind;		/* numeric IPv4/IPv6 addresses */
	size_t nbind;
	int workers;
	char *service;		/* a name service_find() knows */
	char *user;		/* "" : stay who we are */
	int backlog;
	long max_requests;	/* 0: never recycle */
	long max_requests_jitter;
	int log_level;		/* LOG_ERR .. LOG_DEBUG */
	bool access_log;
	struct conf_timeouts timeouts;
	struct conf_http http;
	struct conf_parker parker;
};

/* Command-line values that win over the file, at start and on reload. */
struct conf_overrides {
	int port;		/* 0: from the file */
	int workers;		/* 0: from the file */
	int log_level;		/* -1: from the file */
};

/* 0 on success; -1 with a message in err (out is then left zeroed). */
int conf_load(const char *path, struct conf *out, char *err, size_t errlen);
void conf_free(struct conf *cf);
void conf_override(struct conf *cf, const struct conf_overrides *ov);

/* The effective configuration, in the file's own syntax. */
void conf_print(const struct conf *cf, FILE *fp);

#endif
