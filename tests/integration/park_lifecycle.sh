#!/usr/bin/env bash
# park_lifecycle: a keep-alive connection the only worker gave to the
# parker, because another client came while it sat idle, is never lost.
# With workers = 1: client A's idle connection is parked when client B
# connects (B is answered at once; the scoreboard shows the parker
# holding one connection); A's next request is answered on the same
# connection.  Across a reload the parked connection is served by
# generation 2 and stays open (no "Connection: close"), and the old
# parker leaves once it has handed it back.  On TERM, a parked
# connection's next request still gets a full answer with
# "Connection: close", the connection ends, and preforkd exits 0.  A
# parker killed with SIGKILL is logged at warning with what it held, is
# replaced, and the connection it held is closed (EOF or reset), not
# left hanging.
set -eu
PF_TIMEOUT=90
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
printf 'file-a\n' >"$www/a"
printf 'file-b\n' >"$www/b"

pf_write_http_conf "$PF_TMP/http.conf" "$www" workers=1 \
	timeouts.keepalive=10
pf_start

# ask FD PATH WHAT: one GET on the open connection FD; sets PF_RESP_*.
ask() {
	printf 'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' "$2" >&"$1" ||
		pf_fail "$3: the request could not be sent"
	pf_response "$1" "$3"
}

# park WHAT: with A idle in the only worker, client B's request is
# answered, which takes A's worker: A waits in the parker.
park() {
	pf_expect "b.$1" /b 200 -H 'Connection: close'
	pf_wait_board "parker $(pf_parkers "$PF_PID") generation=$2 state=busy held=1 " 5 ||
		pf_fail "$1: the parker does not hold A's connection"
}

exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT" || pf_fail "cannot connect to 127.0.0.1:$PF_PORT"
ask 3 /a "first request"
[ "$PF_RESP_STATUS" = 200 ] || pf_fail "first request: status '$PF_RESP_STATUS'"

# 1. Parked, then its client speaks.
park parked 1
ask 3 /a "after parking"
[ "$PF_RESP_STATUS $PF_RESP_CONN" = "200 " ] && [ "$PF_RESP_BODY" = $'file-a\n' ] ||
	pf_fail "after parking: '$PF_RESP_STATUS' '$PF_RESP_CONN' '$PF_RESP_BODY'"
pf_note "a parked keep-alive connection was served again"

# 2. Parked across a reload.
park reload 1
parker1=$(pf_parkers "$PF_PID")
kill -HUP "$PF_PID"
pf_wait_log "$(pf_re_reloaded 2 1)" 10 || pf_fail "no reload to generation 2"
ask 3 /a "after the reload"
[ "$PF_RESP_STATUS $PF_RESP_CONN" = "200 " ] ||
	pf_fail "after the reload: '$PF_RESP_STATUS' '$PF_RESP_CONN', want 200 and the connection kept"
pf_wait_gone 5 "$parker1" || pf_fail "the parker of generation 1 did not leave"
pf_wait_log "info: parker $parker1 of generation 1 retired after [0-9]+ connections?$" 5 ||
	pf_fail "no 'parker $parker1 of generation 1 retired' line"
pf_note "across a reload: served by generation 2, the old parker gone"

# 3. Parked at a graceful stop.
park stop 2
kill -TERM "$PF_PID"
sleep 0.5
pf_alive "$PF_PID" || pf_fail "preforkd exited while the parker held a connection"
ask 3 /a "after TERM"
[ "$PF_RESP_STATUS $PF_RESP_CONN" = "200 close" ] && [ "$PF_RESP_BODY" = $'file-a\n' ] ||
	pf_fail "after TERM: '$PF_RESP_STATUS' '$PF_RESP_CONN' '$PF_RESP_BODY', want 200, close, file-a"
rc=0
read -r -t "$PF_HTTP_TIME" line <&3 || rc=$?
[ "$rc" = 1 ] || pf_fail "after TERM: the connection did not end after the response (read: $rc '${line:-}')"
exec 3<&-
pf_wait_exit "$PF_PID" 10 || pf_fail "preforkd still runs 10 s after TERM"
[ "$PF_STATUS" = 0 ] || pf_fail "preforkd exited with status $PF_STATUS on TERM"
pf_note "TERM: the parked connection's request answered with Connection: close, exit 0"

# 4. The parker killed while it holds a connection.
pf_start
exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT" || pf_fail "cannot connect to 127.0.0.1:$PF_PORT"
ask 3 /a "first request (run 2)"
park kill 1
victim=$(pf_parkers "$PF_PID")
kill -KILL "$victim"
pf_wait_log "warning: parker $victim killed by signal 9 \\(Killed\\) while busy, holding 1 connection; respawning" 5 ||
	pf_fail "the log does not say the parker $victim died holding 1 connection"
rc=0
read -r -t 5 line <&3 || rc=$?
[ "$rc" = 1 ] || pf_fail "the connection the killed parker held is still open (read: $rc)"
exec 3<&-
end=$(($(pf_now_ms) + 10000))
until [ -n "$(pf_parkers "$PF_PID")" ] && [ "$(pf_parkers "$PF_PID")" != "$victim" ]; do
	[ "$(pf_now_ms)" -lt "$end" ] || pf_fail "the parker was not replaced"
	sleep 0.05
done
pf_record_workers "$PF_PID"
exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT" || pf_fail "cannot connect to 127.0.0.1:$PF_PORT"
ask 3 /a "first request (run 2, new parker)"
park "new parker" 1
ask 3 /a "after parking with the new parker"
[ "$PF_RESP_STATUS" = 200 ] || pf_fail "the new parker: status '$PF_RESP_STATUS'"
exec 3<&-
pf_note "parker killed: logged, replaced, its connection closed; the new one parks"
pf_check_log_format
pf_stop_ok
