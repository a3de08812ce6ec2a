#!/usr/bin/env bash
# stop_deadline: a graceful stop is bounded.  With timeouts.graceful = 1, a
# client that holds its connection open and silent does not hold the stop:
# about 1 s after TERM the master kills the busy worker, logs a warning
# naming the client, and exits 0.  With a long graceful timeout, a second
# TERM during the drain makes the stop fast: exit 0 within 3 s.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

# The master's warning about a worker killed at the deadline.
re_killed() {
	printf '%s' "preforkd\\[$1\\]: warning: .*$(pf_re_quote "$2").*kill"
}


# --- the deadline -----------------------------------------------------
pf_write_conf "$PF_TMP/deadline.conf" workers=2 timeouts.graceful=1 \
	timeouts.read=30
pf_start
workers=$PF_WORKERS
pf_hold 30
kill -TERM "$PF_PID"
t0=$(pf_now_ms)
pf_wait_exit "$PF_PID" 5 || pf_fail "the master still runs 5 s after TERM"
took=$(($(pf_now_ms) - t0))
[ "$PF_STATUS" = 0 ] || pf_fail "the master exited with status $PF_STATUS"
[ "$took" -ge 900 ] || pf_fail "the master left after $took ms: it did not wait for the busy worker"
pf_wait_log "$(re_killed "$PF_PID" "$PF_HOLD_LOCAL")" 1 ||
	pf_fail "no warning naming the client $PF_HOLD_LOCAL killed at the deadline"
# shellcheck disable=SC2086
pf_wait_gone 1 $workers || pf_fail "workers left:$PF_LEFT"
pf_note "graceful = 1: exited 0 after $took ms, busy worker killed"

# --- a second TERM ----------------------------------------------------
pf_write_conf "$PF_TMP/twice.conf" workers=2 timeouts.graceful=30 \
	timeouts.read=30
pf_start
workers=$PF_WORKERS
pf_hold 30
kill -TERM "$PF_PID"
sleep 0.5
pf_alive "$PF_PID" || pf_fail "the master left while a worker was busy"
kill -TERM "$PF_PID"
t0=$(pf_now_ms)
pf_wait_exit "$PF_PID" 3 || pf_fail "the master still runs 3 s after a second TERM"
[ "$PF_STATUS" = 0 ] || pf_fail "the master exited with status $PF_STATUS"
# shellcheck disable=SC2086
pf_wait_gone 1 $workers || pf_fail "workers left:$PF_LEFT"
pf_note "second TERM: exited 0 after $(($(pf_now_ms) - t0)) ms"
