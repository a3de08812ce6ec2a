#!/usr/bin/env bash
# pool_signals: TTIN adds a worker, TTOU removes one but never the last;
# USR1 logs the status line and one line per worker beginning with its
# pid, with its generation, state, connections served, time busy and
# client; a HUP puts the worker count back to what the file says.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=2
pf_start

kill -TTIN "$PF_PID"
pf_wait_workers 3 10 || pf_fail "after TTIN: workers '$PF_WORKERS', want 3"
kill -TTIN "$PF_PID"
pf_wait_workers 4 10 || pf_fail "after 2 TTIN: workers '$PF_WORKERS', want 4"
pf_wait_log "notice: SIGTTIN: 4 workers wanted \\(was 3\\)" 5 || pf_fail "no TTIN notice"
pf_echo -n 4K -c 4 -k 16

for want in 3 2 1; do
	kill -TTOU "$PF_PID"
	pf_wait_workers "$want" 10 || pf_fail "after TTOU: workers '$PF_WORKERS', want $want"
done
kill -TTOU "$PF_PID"
pf_wait_log "notice: SIGTTOU: already down to 1 worker" 5 ||
	pf_fail "no notice that TTOU stops at 1 worker"
sleep 0.5
pf_wait_workers 1 1 || pf_fail "TTOU went below 1 worker: '$PF_WORKERS'"
pf_echo -n 4K -c 2 -k 8

# USR1: one line per live worker, beginning with its pid.
kill -TTIN "$PF_PID"
pf_wait_workers 2 10 || pf_fail "after TTIN: workers '$PF_WORKERS', want 2"
pf_echo -n 1K -c 1 -k 3
# The new worker exists before it is ready: ask until it says so.
pf_wait_board "scoreboard: 2 workers: 0 busy, 2 idle; [0-9]+ served; 0 crashes\$" 5 ||
	pf_fail "no USR1 status line with 2 idle workers"
for p in $PF_WORKERS; do
	pf_wait_log "notice: $p generation=1 state=idle served=[0-9]+ busy_ms=0 client=[^ ]+\$" 2 ||
		pf_fail "no USR1 line for worker $p"
done
served=$(sed -nE 's/^.* notice: [0-9]+ generation=1 state=idle served=([0-9]+) .*$/\1/p' "$PF_LOG" |
	awk '{ s += $1 } END { print s + 0 }')
[ "$served" -ge 3 ] || pf_fail "the USR1 lines count $served connections served, want at least 3"

# HUP: the file's count again.
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2 2)" 10 || pf_fail "no reload"
kill -TTIN "$PF_PID"
pf_wait_workers 3 10 || pf_fail "after HUP and TTIN: workers '$PF_WORKERS', want 3"
pf_set_conf workers 2
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 3 2)" 10 || pf_fail "no second reload"
pf_wait_workers 2 10 || pf_fail "HUP did not reset the count to the file's: '$PF_WORKERS'"

pf_stop_ok
