#!/usr/bin/env bash
# hang_kill: a worker busy with no report for timeouts.hang is killed, the
# warning names its pid, the client and how long, and it is respawned.
# A slow transfer that keeps moving bytes for longer than timeouts.hang is
# not a hang: progress reports keep its worker alive.  A worker keeps the
# timeouts.hang of its own generation: a reload that shortens it does not
# get an old worker, legitimately waiting longer, killed as hung.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pf_write_conf "$PF_TMP/echo.conf" workers=1 timeouts.read=3 \
	timeouts.write=3 timeouts.linger=1 timeouts.hang=5 timeouts.keepalive=1
pf_start
worker=$PF_WORKERS

# 1. Slow but steady: 30 chunks, 200 ms apart, about 6 s > hang.
pf_echo -n 60000 --chunk 2000 --delay-ms 200 --timeout 20
pf_wait_workers 1 1 || pf_fail "workers after the slow transfer: '$PF_WORKERS'"
[ "$PF_WORKERS" = "$worker" ] ||
	pf_fail "the worker of a slow but steady transfer was replaced ($worker -> $PF_WORKERS)"
grep -q "hung" "$PF_LOG" && pf_fail "a steady transfer was taken for a hang"

# 2. Stuck: the worker is stopped while it serves a silent client.
pf_hold 20
[ "$PF_HOLD_WORKER" = "$worker" ] ||
	pf_fail "the holding client is served by $PF_HOLD_WORKER, not by the one worker $worker"
kill -STOP "$worker"
stopped=$(pf_now_ms)
client=$PF_HOLD_LOCAL
pf_note "worker $worker stopped while serving $client"
pf_wait_log "warning: worker $worker hung: serving echo to $(pf_re_quote "$client") for [0-9]+ ms, no progress for [0-9]+ ms \\(timeouts.hang = 5 s\\); killing it" 10 ||
	pf_fail "no warning naming the hung worker $worker and its client $client"
pf_note "killed as hung $(( ($(pf_now_ms) - stopped) )) ms after SIGSTOP"
pf_wait_workers 1 10 "$worker" || pf_fail "the hung worker was not replaced: '$PF_WORKERS'"
pf_wait_exit "$PF_HOLD_PID" 5 || pf_fail "the held connection was not closed with its worker"
pf_echo -n 4K

# 3. Generation 2 waits up to 20 s for a silent client (hang = 25); a
# reload to read = 3, hang = 5 retires it, but its busy worker goes on
# waiting under its own rules, and is not taken for hung.
pf_write_conf "$PF_CONF" port="$PF_PORT" workers=1 timeouts.read=20 \
	timeouts.write=3 timeouts.linger=1 timeouts.hang=25 timeouts.keepalive=1
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2 1)" 10 || pf_fail "no reload to generation 2"
pf_wait_workers 1 10 || pf_fail "generation 2 did not settle: '$PF_WORKERS'"
pf_hold 30
old=$PF_HOLD_WORKER
pf_write_conf "$PF_CONF" port="$PF_PORT" workers=1 timeouts.read=3 \
	timeouts.write=3 timeouts.linger=1 timeouts.hang=5 timeouts.keepalive=1
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 3 1)" 10 || pf_fail "no reload to generation 3"
sleep 8
grep -q "worker $old hung" "$PF_LOG" &&
	pf_fail "the old worker $old was killed as hung under the new generation's timeouts.hang"
pf_alive "$old" || pf_fail "the old worker $old is gone 8 s after the reload"
pf_alive "$PF_HOLD_PID" || pf_fail "the held connection of the old worker was closed"
pf_note "old worker $old still waits for its silent client 8 s after the reload to hang = 5"
kill "$PF_HOLD_PID"
pf_wait_gone 10 "$old" || pf_fail "the old worker $old did not leave once its client went"
pf_echo -n 4K

pf_stop_ok
