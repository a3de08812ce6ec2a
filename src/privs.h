/*
 * privs - who the daemon runs as.
 *
 * Started as root with `user` set, the master becomes that user
 * (supplementary groups, gid, uid; verified) once its listeners and site
 * are open, keeping only CAP_NET_BIND_SERVICE; workers keep no capability.
 * Started as root with no `user`, preforkd refuses to serve, unless
 * `user = "root"` says that is meant.  Errors go into the caller's buffer.
 */
#ifndef PREFORKD_PRIVS_H
#define PREFORKD_PRIVS_H

#include <stddef.h>

struct conf;

/* 0 when `user` is empty or names an existing user; -1 otherwise. */
int privs_check(const struct conf *cf, char *err, size_t errlen);
/* -1 (err: why) when started as root with no `user`; else 0. */
int privs_check_start(const struct conf *cf, char *err, size_t errlen);
/*
 * Started as root with a user to serve as: runs check(arg) in a child
 * that has become that user (groups, gid, uid, no capability), and
 * returns what it returned, its message in err.  0 without running it
 * when there is no user to become, or the child could not be made or
 * could not switch (the start checks again after its own switch).
 */
int privs_check_as_user(const struct conf *cf,
    int (*check)(void *arg, char *err, size_t errlen), void *arg,
    char *err, size_t errlen);
/* 0 on success (or nothing to do); -1 when privileges could not be dropped. */
int privs_drop(const struct conf *cf, char *err, size_t errlen);
/* A new worker (or parker) gives up every capability (none to give up
 * as root by choice), sets no_new_privs and stops being dumpable; -1 when
 * it could not. */
int privs_drop_worker(void);

#endif
