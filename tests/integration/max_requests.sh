#!/usr/bin/env bash
# max_requests: a worker recycles itself after max_requests connections
# (plus its jitter): with max_requests = 5 and one worker, 16 connections
# one after the other are served by at least 4 different pids, each
# recycling is logged, and no connection fails.  With jitter, each worker
# serves between max_requests and max_requests + jitter, and not all of
# them the same number (the jitter is drawn per worker).
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=1 max_requests=5
pf_start
pids=$PF_WORKERS
for i in $(seq 16); do
	pf_echo -n 1K
	pf_wait_workers 1 5 || pf_fail "no worker after connection $i"
	case " $pids " in
	*" $PF_WORKERS "*) ;;
	*) pids="$pids $PF_WORKERS" ;;
	esac
done
pf_note "pids over 16 connections: $pids"
[ "$(pf_count "$pids")" -ge 4 ] || pf_fail "16 connections with max_requests = 5 used pids '$pids', want 4"
n=$(pf_log_count "info: worker [0-9]+ recycled after 5 connections; respawning")
[ "$n" -ge 3 ] || pf_fail "$n recycling notices, want 3"
pf_stop_ok

pf_write_conf "$PF_TMP/jitter.conf" workers=2 max_requests=3 max_requests_jitter=4
pf_start
pf_echo -n 1K -c 2 -k 60
pf_wait_workers 2 5 || pf_fail "workers after the jitter run: '$PF_WORKERS'"
counts=$(sed -nE 's/^.* recycled after ([0-9]+) connections.*$/\1/p' "$PF_LOG" | sort -n | uniq | tr '\n' ' ')
pf_note "connections per recycled worker: $counts"
for c in $counts; do
	[ "$c" -ge 3 ] && [ "$c" -le 7 ] || pf_fail "a worker recycled after $c connections, outside 3..7"
done
[ -n "$counts" ] || pf_fail "no worker recycled after 60 connections with max_requests = 3"
# About 15 recyclings drawn from 5 values: all equal means no jitter.
[ "$(pf_count "$counts")" -ge 2 ] ||
	pf_fail "every worker recycled after the same number of connections ($counts): no jitter"
pf_stop_ok
