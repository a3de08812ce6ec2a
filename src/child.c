/*
 * child - the common start of a worker or the parker: signals, privileges,
 * the parent death signal.  See child.h.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "privs.h"

static void
child_on_quit(int sig)
{
	(void)sig;
	_exit(EXIT_SUCCESS);
}

static int
child_signals(void (*on_stop)(int), sigset_t *wait_mask)
{
	static const int ignored[] = { SIGHUP, SIGUSR1, SIGUSR2, SIGTTIN,
	    SIGTTOU, SIGWINCH };
	struct sigaction sa;
	sigset_t stop;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = child_on_quit;
	if (sigaction(SIGQUIT, &sa, NULL) != 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (sigaction(ignored[i], &sa, NULL) != 0)
			return -1;
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &sa, NULL) != 0)
		return -1;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigemptyset(wait_mask);
	/* Keep TERM and INT blocked outside waits; let everything else in. */
	return sigprocmask(SIG_SETMASK, &stop, NULL);
}

int
child_setup(void (*on_stop)(int), sigset_t *wait_mask, pid_t master_pid)
{
	if (child_signals(on_stop, wait_mask) != 0 ||
	    privs_drop_worker() != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0) {
		log_error_errno("cannot set up the process");
		return -1;
	}
	/* The master died before PDEATHSIG was set: nobody to serve. */
	return getppid() != master_pid ? 1 : 0;
}
