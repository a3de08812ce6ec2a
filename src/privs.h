/*
 * privs - who the daemon runs as.
 *
 * When preforkd starts as root and `user` is set, it drops to that user
 * (supplementary groups, gid, uid) after the listeners are open, and
 * verifies that root cannot be regained.  Errors go into the caller's
 * buffer.
 */
#ifndef PREFORKD_PRIVS_H
#define PREFORKD_PRIVS_H

#include <stddef.h>

struct conf;

/* 0 when `user` is empty or names an existing user; -1 otherwise. */
int privs_check(const struct conf *cf, char *err, size_t errlen);
/* 0 on success (or nothing to do); -1 when privileges could not be dropped. */
int privs_drop(const struct conf *cf, char *err, size_t errlen);

#endif
