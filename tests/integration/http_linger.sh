#!/usr/bin/env bash
# http_linger: after its last response the server shuts down its side,
# then waits (at most timeouts.linger) for the client's EOF before closing,
# so that a request the client may have sent meanwhile cannot turn the
# close into a reset that destroys the response.  A client that said it
# was done (HTTP/1.0 without keep-alive, or Connection: close), and sent
# nothing more, is not waited for.  Seen from outside with one worker:
#  - while a client keeps its socket open after the response, the next
#    client is served at once in the first case; in the other the wait
#    for the client's EOF moves to the parker (the status page shows it
#    holding one connection, neither reading nor sending) and the next
#    client is served at once too;
#  - a client that sends more during that wait still reads its whole
#    response and the EOF, no reset: the parker hands the connection back
#    and a worker drains it;
#  - with no parker (parker.connections = 0) the worker itself lingers,
#    and the next client is served only after the 3 s linger.
set -eu
PF_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

www=$PF_TMP/www
mkdir -p "$www"
printf 'hello\n' >"$www/index.html"
pf_write_http_conf "$PF_TMP/site.conf" "$www" workers=1 \
	timeouts.linger=3 http.keepalive_requests=1
pf_start

# hold_after REQUEST: send REQUEST on a connection kept open 6 s, without
# ever closing it or reading (the kernel still takes the response); return
# once the worker has logged its answer, so it is that worker's last one.
hold_after() {
	local n re='"GET / HTTP/1\.[01]" 200 '
	n=$(pf_log_count "$re")
	pf_bg bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "$2" >&3 && sleep 6' \
		hold "$PF_PORT" "$1"
	pf_wait_log_count "$re" $((n + 1)) 5 ||
		pf_fail "the holding client's request was not answered"
}

# next_wait: ms until a second client is answered.
next_wait() {
	local t0
	t0=$(pf_now_ms)
	pf_expect next / 200
	echo $(($(pf_now_ms) - t0))
}

hold_after 'GET / HTTP/1.0\r\n\r\n'
ms=$(next_wait)
pf_note "after an HTTP/1.0 client that keeps its socket: next served in $ms ms"
[ "$ms" -lt 1500 ] || pf_fail "a client done with HTTP/1.0 held the worker $ms ms (linger 3 s)"

hold_after 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
ms=$(next_wait)
pf_note "after Connection: close: next served in $ms ms"
[ "$ms" -lt 1500 ] || pf_fail "a client that sent Connection: close held the worker $ms ms"

# HTTP/1.1 without Connection: close: the server ends the connection
# (keepalive_requests = 1), but the client may be sending its next
# request: the connection lingers, in the parker while others wait.
hold_after 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
ms=$(next_wait)
pf_note "after a keep-alive client closed by the server: next served in $ms ms"
[ "$ms" -lt 1500 ] ||
	pf_fail "a keep-alive client closed by the server held the worker $ms ms: its linger should wait in the parker"
# pf_wait_parker_holds N [MS]: 0 once the status page shows the parker
# holding N connections, none reading or sending, within MS (2000).
pf_wait_parker_holds() {
	local end=$(($(pf_now_ms) + ${2:-2000}))
	until pf_get status /server-status &&
		grep -Eq "^parker [0-9]+ generation=1 state=[a-z]+ held=$1 reading=0 sending=0 " "$PF_TMP/status.body"; do
		[ "$(pf_now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
pf_wait_parker_holds 1 ||
	pf_fail "the status page does not show the lingering connection in the parker:
$(cat "$PF_TMP/status.body")"
pf_wait_parker_holds 0 5000 ||
	pf_fail "the parker still holds the lingering connection after the linger:
$(cat "$PF_TMP/status.body")"
pf_note "its linger waited in the parker, which closed it after timeouts.linger"

# A client that sends more while its close lingers in the parker.
n=$(pf_log_count '"GET / HTTP/1\.1" 200 ')
pf_bg bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "$2" >&3 &&
	sleep 1.5 && printf "$2" >&3 && sleep 0.5 &&
	{ timeout 5 cat <&3 >"$3.out" 2>"$3.err"; echo $? >"$3.rc"; }' \
	late "$PF_PORT" 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' "$PF_TMP/late"
pf_wait_log_count '"GET / HTTP/1\.1" 200 ' $((n + 1)) 5 ||
	pf_fail "the late sender's request was not answered"
ms=$(next_wait)
[ "$ms" -lt 1500 ] || pf_fail "behind the late sender the next client waited $ms ms"
pf_wait_parker_holds 1 ||
	pf_fail "the late sender's lingering close is not in the parker:
$(cat "$PF_TMP/status.body")"
end=$(($(pf_now_ms) + 6000))
until [ -s "$PF_TMP/late.rc" ] || [ "$(pf_now_ms)" -ge "$end" ]; do sleep 0.1; done
[ "$(cat "$PF_TMP/late.rc" 2>/dev/null)" = 0 ] ||
	pf_fail "the late sender could not read its response to the end (cat: rc '$(cat "$PF_TMP/late.rc" 2>/dev/null)', $(cat "$PF_TMP/late.err" 2>/dev/null))"
[ "$(pf_statuses "$PF_TMP/late.out")" = 200 ] && [ "$(tail -c 6 "$PF_TMP/late.out")" = hello ] ||
	pf_fail "the late sender got '$(pf_statuses "$PF_TMP/late.out")', want its one response whole:
$(cat "$PF_TMP/late.out")"
pf_get status /server-status
grep -Eq '^parker [0-9]+ .* returned=1 ' "$PF_TMP/status.body" ||
	pf_fail "the parker did not hand the late sender back to a worker to drain:
$(cat "$PF_TMP/status.body")"
pf_note "a client sending during its linger in the parker read its whole response, no reset"
pf_no_warnings "in the log"
pf_stop_ok

# Without a parker the worker lingers itself.
pf_write_http_conf "$PF_TMP/noparker.conf" "$www" workers=1 \
	timeouts.linger=3 http.keepalive_requests=1 parker.connections=0
pf_start
hold_after 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
ms=$(next_wait)
pf_note "without a parker, after a keep-alive client closed by the server: next served in $ms ms"
[ "$ms" -ge 2000 ] && [ "$ms" -lt 4500 ] ||
	pf_fail "without a parker, a keep-alive client closed by the server: next served after $ms ms, want the 3 s linger"
pf_stop_ok
