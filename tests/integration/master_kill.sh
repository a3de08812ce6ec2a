#!/usr/bin/env bash
# master_kill: workers never outlive the master.  After kill -9 of the
# master, within 2 s none of its workers is alive (a zombie left to an init
# that does not reap counts as gone), and a new master binds the same port
# at once and serves.  A worker busy when the master dies finishes the
# connection in hand first: a client streaming across the kill gets every
# byte back.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=3
pf_start
workers=$PF_WORKERS
old=$PF_PID

kill -KILL "$old"
# shellcheck disable=SC2086
pf_wait_gone 2 $workers || {
	for p in $PF_LEFT; do
		pf_stat "$p" && pf_note "worker $p: state $PF_STAT_STATE, parent $PF_STAT_PPID"
	done
	pf_fail "2 s after kill -9 of the master, workers still alive:$PF_LEFT"
}
pf_wait_exit "$old" 2 || pf_fail "the killed master is still alive"
pf_note "master $old killed; workers $workers gone"

PF_START_TIMEOUT=5 pf_start
pf_echo -n 64K
workers=$PF_WORKERS
old=$PF_PID

# 60000 bytes in 30 chunks, 50 ms apart: about 1.5 s.
pf_stream_client 60000 50 "the kill"
kill -KILL "$old"
pf_stream_result 10 "kill -9 of the master"
# shellcheck disable=SC2086
pf_wait_gone 2 $workers || pf_fail "workers still alive after their last client:$PF_LEFT"

PF_START_TIMEOUT=5 pf_start
pf_echo -n 64K

pf_stop || pf_fail "the new preforkd did not stop on TERM"
[ "$PF_STATUS" = 0 ] || pf_fail "preforkd exited with status $PF_STATUS on TERM"
