#!/usr/bin/env bash
# http_linger: after its last response the server shuts down its side,
# then waits (at most timeouts.linger) for the client's EOF before closing,
# so that a request the client may have sent meanwhile cannot turn the
# close into a reset that destroys the response.  A client that said it
# was done (HTTP/1.0 without keep-alive, or Connection: close), and sent
# nothing more, is not waited for.  Seen from outside with one worker:
# while a client keeps its socket open after the response, the next client
# is served at once in the first case, only after the linger in the other.
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
# request: the worker lingers.
hold_after 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
ms=$(next_wait)
pf_note "after a keep-alive client closed by the server: next served in $ms ms"
[ "$ms" -ge 2000 ] && [ "$ms" -lt 4500 ] ||
	pf_fail "a keep-alive client closed by the server: next served after $ms ms, want the 3 s linger"
pf_stop_ok
