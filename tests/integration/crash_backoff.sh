#!/usr/bin/env bash
# crash_backoff: workers that fail at startup (the PREFORKD_TEST_FAULT_FILE
# switch) are respawned with a growing delay, not in a loop: over 5 s the
# master forks a handful of workers per slot, not hundreds; it logs each
# fault as "before it was ready" with the next delay, says the pool is
# degraded and why (and never that it recovered, between two faults), stays
# up, and recovers on its own once the fault is gone: the pool is whole,
# the master says so, and clients are served.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

fault=$PF_TMP/fault
: >"$fault"
export PREFORKD_TEST_FAULT_FILE=$fault
pf_write_conf "$PF_TMP/echo.conf" workers=2
pf_launch
pf_wait_log "warning: worker [0-9]+ exited with status 1 before it was ready; respawning in 100 ms" 10 ||
	pf_fail "no startup fault logged with its backoff"
start=$(pf_now_ms)
sleep 5
faults=$(pf_log_count "warning: worker [0-9]+ exited with status 1 before it was ready")
pf_note "startup faults logged in the first 5 s: $faults (2 slots)"
pf_alive "$PF_PID" || pf_fail "the master died"
# Backoff 100, 200, 400, 800, 1600, 3200 ms: about 6 forks per slot in 5 s.
# Respawning at once (or every 100 ms) would be 50 or more per slot.
[ "$faults" -le 16 ] || pf_fail "$faults startup faults in 5 s: the master is not backing off"
[ "$faults" -ge 4 ] || pf_fail "only $faults startup faults in 5 s: the master is not retrying"
grep -Eq "respawning in 800 ms \\(startup fault 4 in a row\\)" "$PF_LOG" ||
	pf_fail "the delay does not double up to 800 ms by the 4th fault"
pf_wait_log "warning: pool degraded: .*degraded: [12] of 2 workers failing at startup, retried with backoff \\(last: worker [0-9]+ exited with status 1 before it was ready\\)" 2 ||
	pf_fail "no warning that the pool is degraded, with the reason"
n=$(pf_log_count "notice: pool recovered")
[ "$n" = 0 ] || pf_fail "the pool was said to recover $n times while every worker kept failing"
kill -USR1 "$PF_PID"
pf_wait_log "notice: scoreboard: .*degraded: 2 of 2 workers failing at startup" 5 ||
	pf_fail "the USR1 status line does not say the pool is degraded"

rm -f "$fault"
pf_note "fault removed after $(( ($(pf_now_ms) - start) / 1000 )) s"
# The next try comes within the longest delay reached so far (<= 30 s).
pf_wait_log "notice: ready: 2 workers serving echo" 35 ||
	pf_fail "the pool did not recover once the fault was gone"
pf_wait_log "notice: pool recovered: 2 workers" 5 ||
	pf_fail "no notice that the pool recovered"
pf_wait_workers 2 5 || pf_fail "workers after recovery: '$PF_WORKERS'"
pf_echo -n 4K -c 2 -k 8

pf_stop_ok
