/*
 * privs - drop root for the configured `user`, keep one capability.
 *
 * Started as root with `user` set, the master opens its listeners and the
 * site, then becomes that user (supplementary groups, gid, uid) through
 * libcap-ng, keeping only CAP_NET_BIND_SERVICE so that a reload can bind a
 * new port below 1024.  The result is verified: ids, groups, and that root
 * cannot be regained.  Workers then give up every capability.  Under
 * systemd the unit starts preforkd as its user with that one ambient
 * capability, and nothing here has anything to drop but the workers'.
 *
 * Serving as root by accident is refused: started as root, preforkd wants
 * `user` set, to "root" if that is really meant.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>

#include "conf.h"
#include "log.h"
#include "privs.h"

#define PRIVS_GROUPS_MAX	256

static const struct passwd *
privs_lookup(const char *user, char *err, size_t errlen)
{
	const struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		snprintf(err, errlen, "user: no such user \"%s\"%s%s", user,
		    errno ? ": " : "", errno ? strerror(errno) : "");
	return pw;
}

int
privs_check(const struct conf *cf, char *err, size_t errlen)
{
	if (cf->user == NULL || cf->user[0] == '\0')
		return 0;
	return privs_lookup(cf->user, err, errlen) == NULL ? -1 : 0;
}

int
privs_check_start(const struct conf *cf, char *err, size_t errlen)
{
	if (geteuid() != 0 || cf->user[0] != '\0')
		return 0;
	snprintf(err, errlen, "%s: started as root with no `user`: refusing "
	    "to serve as root; set user to the account to run as (e.g. "
	    "user = \"preforkd\"), or user = \"root\" if root is really meant",
	    cf->path);
	return -1;
}

/* The process is exactly uid/gid with the user's groups, and cannot get
 * root back; otherwise err says what is wrong. */
static int
privs_verify(const struct passwd *pw, char *err, size_t errlen)
{
	gid_t want[PRIVS_GROUPS_MAX], have[PRIVS_GROUPS_MAX];
	int nwant = PRIVS_GROUPS_MAX, nhave;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (getresuid(&ruid, &euid, &suid) != 0 ||
	    getresgid(&rgid, &egid, &sgid) != 0 ||
	    ruid != pw->pw_uid || euid != pw->pw_uid || suid != pw->pw_uid ||
	    rgid != pw->pw_gid || egid != pw->pw_gid || sgid != pw->pw_gid) {
		snprintf(err, errlen, "switching to user \"%s\" did not stick "
		    "(uid and gid)", pw->pw_name);
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || setgid(0) == 0)) {
		snprintf(err, errlen, "switching to user \"%s\" did not stick "
		    "(root could be regained)", pw->pw_name);
		return -1;
	}
	nhave = getgroups(PRIVS_GROUPS_MAX, have);
	if (getgrouplist(pw->pw_name, pw->pw_gid, want, &nwant) < 0 ||
	    nhave < 0) {
		snprintf(err, errlen, "user \"%s\": too many groups to check",
		    pw->pw_name);
		return -1;
	}
	for (int i = 0; i < nhave; i++) {
		bool found = false;

		for (int j = 0; j < nwant && !found; j++)
			found = have[i] == want[j];
		if (!found) {
			snprintf(err, errlen, "switching to user \"%s\" did "
			    "not stick (still in group %ld)", pw->pw_name,
			    (long)have[i]);
			return -1;
		}
	}
	return 0;
}

int
privs_drop(const struct conf *cf, char *err, size_t errlen)
{
	const struct passwd *pw;
	int r;

	if (cf->user[0] == '\0')
		return 0;
	if ((pw = privs_lookup(cf->user, err, errlen)) == NULL)
		return -1;
	if (geteuid() != 0) {
		if (geteuid() != pw->pw_uid)
			log_warning("user \"%s\" ignored: not started as root",
			    cf->user);
		return 0;
	}
	if (pw->pw_uid == 0) {
		log_notice("running as root, as user = \"%s\" asks", cf->user);
		return 0;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_NET_BIND_SERVICE) != 0) {
		snprintf(err, errlen, "cannot keep CAP_NET_BIND_SERVICE");
		return -1;
	}
	r = capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
	    CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (r != 0) {
		snprintf(err, errlen, "cannot switch to user \"%s\": %s "
		    "(libcap-ng step %d)", cf->user,
		    errno ? strerror(errno) : "failed", r);
		return -1;
	}
	if (privs_verify(pw, err, errlen) != 0)
		return -1;
	log_notice("running as user %s (uid %ld, gid %ld), keeping only "
	    "CAP_NET_BIND_SERVICE", cf->user, (long)pw->pw_uid,
	    (long)pw->pw_gid);
	return 0;
}

/* Sends msg whole on fd (a pipe), as far as it goes. */
static void
privs_send(int fd, const char *msg)
{
	for (size_t off = 0, len = strlen(msg); off < len;) {
		ssize_t n = write(fd, msg + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

int
privs_check_as_user(const struct conf *cf,
    int (*check)(void *arg, char *err, size_t errlen), void *arg,
    char *err, size_t errlen)
{
	const struct passwd *pw;
	int fds[2], status = 0;
	size_t got = 0;
	pid_t pid;

	if (geteuid() != 0 || cf->user[0] == '\0' ||
	    (pw = privs_lookup(cf->user, err, errlen)) == NULL ||
	    pw->pw_uid == 0 || pipe2(fds, O_CLOEXEC) != 0)
		return 0;
	if ((pid = fork()) < 0) {
		(void)close(fds[0]);
		(void)close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		(void)close(fds[0]);
		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
		    CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0 ||
		    privs_verify(pw, err, errlen) != 0)
			_exit(0);
		if (check(arg, err, errlen) == 0)
			_exit(0);
		privs_send(fds[1], err);
		_exit(1);
	}
	(void)close(fds[1]);
	while (got + 1 < errlen) {
		ssize_t n = read(fds[0], err + got, errlen - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	err[got] = '\0';
	(void)close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	return WIFEXITED(status) && WEXITSTATUS(status) == 1 && got > 0 ?
	    -1 : 0;
}

int
privs_drop_worker(void)
{
	if (geteuid() != 0) {		/* not user = "root", on purpose */
		capng_clear(CAPNG_SELECT_CAPS);
		if (capng_apply(CAPNG_SELECT_CAPS) != 0)
			return -1;
	}
	/* Nothing it executes can gain a privilege, and no other process
	 * of its user may ptrace it or read its memory (nor may it dump
	 * core: a client's bytes stay out of core files). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}
