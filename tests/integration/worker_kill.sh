#!/usr/bin/env bash
# worker_kill: a worker killed with SIGKILL is reaped and replaced.  Within
# 10 s the killed pid is gone from the master's children, a new pid has
# taken its place, the count is back to `workers`, an echo round trip still
# passes, and the master's log names the killed pid and the signal, at
# warning level (see pf_re_worker_killed in lib.sh), with what it was doing:
# idle, or serving a named client.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=3
pf_start

before=$PF_WORKERS
victim=${before%% *}
# pf_start's probe connection may still be in its hands: let it be
# served, and wait until the scoreboard shows the victim idle, so the log
# must say "while idle".
sleep 0.3
pf_wait_board "$victim generation=1 state=idle " 5 ||
	pf_fail "worker $victim never showed idle in the USR1 scoreboard"
kill -KILL "$victim"
pf_note "killed worker $victim (workers were: $before)"

pf_wait_workers 3 10 "$victim" ||
	pf_fail "10 s after the kill the workers are '$PF_WORKERS' (before: '$before')"
now=$PF_WORKERS
new=
for p in $now; do
	case " $before " in
	*" $p "*) ;;
	*) new="$new $p" ;;
	esac
done
[ -n "$new" ] || pf_fail "no new worker pid: '$now' (before: '$before')"
pf_note "workers now: $now (new:$new)"
pf_alive "$PF_PID" || pf_fail "the master died"

pf_echo -n 64K -c 3 -k 6

pf_wait_log "$(pf_re_worker_killed "$PF_PID" "$victim")" 5 ||
	pf_fail "the master's log does not report worker $victim killed by signal 9"
pf_wait_log "warning: worker $victim killed by signal 9 \(Killed\) while idle, after [0-9]+ connections?; respawning" 1 ||
	pf_fail "the log does not say worker $victim was idle when it died"

# A worker killed while it serves: the log names the client.
pf_hold 20
busy=$PF_HOLD_WORKER
client=$PF_HOLD_LOCAL
kill -KILL "$busy"
pf_wait_log "warning: worker $busy killed by signal 9 \(Killed\) while serving $(pf_re_quote "$client") for [0-9]+ ms; respawning" 5 ||
	pf_fail "the log does not say worker $busy died while serving $client"
pf_wait_workers 3 10 "$busy" || pf_fail "worker $busy was not replaced: '$PF_WORKERS'"

pf_stop_ok
