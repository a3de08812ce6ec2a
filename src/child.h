/*
 * child - what every child of the master (a worker, the parker) sets up
 * before anything else.
 *
 * Signals: TERM and INT run the child's stop handler (which only sets a
 * flag); they stay blocked except inside the child's waits, which pass
 * *wait_mask (empty) to let them in, so a stop request can never land
 * between the test of the flag and the wait.  QUIT exits at once.  The
 * master's other signals (HUP, USR1, USR2, TTIN, TTOU, WINCH) are
 * ignored, so a signal sent to the whole process group reaches only the
 * master's logic; CHLD is reset to its default.  Then the child drops
 * its capabilities and asks for SIGTERM when the master dies.
 *
 * 0 when the child may go on; -1 (logged) when it must exit with a
 * failure; 1 when the master died before the child could ask for its
 * death signal: the child exits quietly.
 */
#ifndef PREFORKD_CHILD_H
#define PREFORKD_CHILD_H

#include <signal.h>
#include <sys/types.h>

int child_setup(void (*on_stop)(int), sigset_t *wait_mask, pid_t master_pid);

#endif
