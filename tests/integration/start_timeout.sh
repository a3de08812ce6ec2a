#!/usr/bin/env bash
# start_timeout: a worker that never reports ready (the fault switch's
# "hang") is killed 10 s after its start, with a warning saying so, and
# counted as a startup fault: it is respawned with the crash backoff, the
# pool says it is degraded, and once the fault is gone a new worker
# serves.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

fault=$PF_TMP/fault
printf 'hang\n' >"$fault"
export PREFORKD_TEST_FAULT_FILE=$fault
pf_write_conf "$PF_TMP/echo.conf" workers=1
pf_launch
pf_wait_log "worker hangs at startup" 10 || pf_fail "the worker did not take the hang switch"
t0=$(pf_now_ms)
pf_wait_log "warning: worker [0-9]+ not ready 1[0-9]{4} ms after its start; killing it \\(a startup fault\\)" 15 ||
	pf_fail "a worker that never got ready was not killed within 15 s"
took=$(($(pf_now_ms) - t0))
pf_wait_log "warning: worker [0-9]+ killed by signal 9 \\(Killed\\) before it was ready; respawning in 100 ms \\(startup fault 1 in a row\\)" 5 ||
	pf_fail "the killed worker was not counted as a startup fault with its backoff"
pf_note "a worker never ready: killed after about $took ms more, respawned with the backoff"
kill -USR1 "$PF_PID"
pf_wait_log "notice: scoreboard: .*degraded: 1 of 1 workers failing at startup" 5 ||
	pf_fail "the pool is not said to be degraded"

rm -f "$fault"
# The next start (after the backoff, and after the 10 s of a respawned
# worker that took the switch before the removal) is clean.
pf_wait_log "notice: pool recovered: 1 worker:" 35 ||
	pf_fail "the pool did not recover once the fault was gone"
pf_wait_workers 1 5 || pf_fail "workers after recovery: '$PF_WORKERS'"
pf_echo -n 64 -c 1 -k 2
pf_stop_ok
