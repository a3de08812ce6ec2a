/*
 * privs - drop root for the configured `user`.
 *
 * The order is the safe one: supplementary groups, then gid, then uid; the
 * result is verified (setuid(0) must fail).  Not being root with a `user`
 * set is not an error: the setting is ignored with a warning, as the daemon
 * cannot become anyone else.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "privs.h"

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
privs_drop(const struct conf *cf, char *err, size_t errlen)
{
	const struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (cf->user == NULL || cf->user[0] == '\0')
		return 0;
	if ((pw = privs_lookup(cf->user, err, errlen)) == NULL)
		return -1;
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (geteuid() != 0) {
		if (geteuid() != uid)
			log_warning("user \"%s\" ignored: not started as root",
			    cf->user);
		return 0;
	}
	if (initgroups(pw->pw_name, gid) != 0 || setgid(gid) != 0 ||
	    setuid(uid) != 0) {
		snprintf(err, errlen, "cannot switch to user \"%s\": %s",
		    cf->user, strerror(errno));
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || geteuid() != uid || getegid() != gid)) {
		snprintf(err, errlen, "switching to user \"%s\" did not stick",
		    cf->user);
		return -1;
	}
	log_notice("running as user %s (uid %ld, gid %ld)", cf->user,
	    (long)uid, (long)gid);
	return 0;
}
