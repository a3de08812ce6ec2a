#!/usr/bin/env bash
# worker_kill: a worker killed with SIGKILL is reaped and replaced.  Within
# 10 s the killed pid is gone from the master's children, a new pid has
# taken its place, the count is back to `workers`, an echo round trip still
# passes, and the master's log names the killed pid and the signal, at
# warning level (see pf_re_worker_killed in lib.sh).
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=3
pf_start

before=$PF_WORKERS
victim=${before%% *}
kill -KILL "$victim"
pf_note "killed worker $victim (workers were: $before)"

end=$(($(pf_now_ms) + 10000))
while :; do
	now=$(pf_workers "$PF_PID")
	pf_record_workers "$PF_PID"
	case " $now " in
	*" $victim "*) ok=no ;;
	*) [ "$(pf_count "$now")" -eq 3 ] && ok=yes || ok=no ;;
	esac
	[ "$ok" = yes ] && break
	[ "$(pf_now_ms)" -lt "$end" ] ||
		pf_fail "10 s after the kill the workers are '$now' (before: '$before')"
	sleep 0.05
done
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

pf_stop || pf_fail "preforkd did not stop on TERM"
[ "$PF_STATUS" = 0 ] || pf_fail "preforkd exited with status $PF_STATUS on TERM"
